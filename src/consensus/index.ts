// Consensus: single-decree and Multi-Paxos, Raft with its lab-style harness, and a KV store on Raft.
// Public face of src/consensus (Lamport, "Paxos Made Simple" 2001; Ongaro and Ousterhout 2014).

export * from "./paxos/index.js";
export * from "./raft/index.js";
export * from "./diagrams.js";
export {
  type ConsensusFailoverRun,
  type ConsensusProtocol,
  consensusFailoverRun,
} from "./compare.js";
