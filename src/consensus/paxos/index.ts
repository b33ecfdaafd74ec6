// Paxos: public face of src/consensus/paxos. Single-decree Paxos, dueling proposers, Multi-Paxos,
// the cluster harnesses and the safety checker. Reference: Lamport, "Paxos Made Simple" (2001).

export {
  type PaxosAcceptedEntry,
  type PaxosBallot,
  type PaxosMessage,
  type PaxosMessageType,
  type PaxosSlotValue,
  type PaxosValue,
  ballotText,
  compareBallots,
} from "./types.js";
export { PaxosAcceptor, PaxosLearner } from "./acceptor.js";
export { PaxosSafetyChecker } from "./invariants.js";
export {
  PaxosClusterBase,
  type PaxosObservedNode,
  type PaxosSimulationSettings,
} from "./cluster-base.js";
export {
  type PaxosBreakIt,
  PaxosNode,
  type PaxosNodeConfig,
  type PaxosProposerPhase,
  type PaxosRetryPolicy,
} from "./node.js";
export {
  PAXOS_RETRY_DEFAULT,
  PaxosCluster,
  type PaxosClusterOptions,
  type PaxosMessageCounts,
} from "./harness.js";
export {
  PAXOS_DUEL_FIXED_RETRY,
  PAXOS_DUEL_OFFSET_MS,
  PAXOS_DUEL_RANDOM_RETRY,
  type PaxosDuelDemo,
  type PaxosDuelOptions,
  type PaxosDuelResult,
  paxosDuelDemo,
  runPaxosDuel,
} from "./dueling.js";
export {
  MultiPaxosNode,
  type MultiPaxosNodeConfig,
  type MultiPaxosRole,
  type MultiPaxosTiming,
} from "./multi.js";
export {
  MULTI_PAXOS_TIMING_DEFAULT,
  MultiPaxosCluster,
  type MultiPaxosClusterOptions,
} from "./multi-harness.js";
export { type PaxosFuzzOptions, type PaxosFuzzResult, runPaxosFuzzCase } from "./fuzz.js";
