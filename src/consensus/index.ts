// Consensus: single-decree and Multi-Paxos, and Raft with its lab-style test harness.
// Public face of src/consensus (Lamport, "Paxos Made Simple" 2001; Ongaro and Ousterhout 2014).

export * from "./paxos/index.js";
export {
  type AppendEntriesArgs,
  type AppendEntriesReply,
  type InstallSnapshotArgs,
  type InstallSnapshotReply,
  type PreVoteArgs,
  type PreVoteReply,
  type RaftConfiguration,
  type RaftFigure8Step,
  type RaftFuzzOptions,
  type RaftFuzzResult,
  RaftHarness,
  type RaftHarnessOptions,
  RaftInvariantChecker,
  type RaftLogEntry,
  type RaftMembershipChange,
  type RaftMembershipResult,
  type RaftMessage,
  type RaftReadResult,
  type RaftRole,
  RaftServer,
  type RaftServerOptions,
  type RaftSnapshot,
  type RaftStartResult,
  type RequestVoteArgs,
  type RequestVoteReply,
  raftFigure8,
  runRaftFuzzCase,
} from "./raft/index.js";
export * from "./diagrams.js";
