// Raft consensus (Ongaro and Ousterhout, USENIX ATC 2014; Ongaro's thesis 2014): public face of
// src/consensus/raft. The server of Figure 2 with snapshots (§7), pre-vote, check-quorum,
// ReadIndex, leases and membership changes, its safety checker (Figure 3), the lab harness and a
// key-value store on top with exactly-once client sessions (thesis §6.3).

export { RaftHarness, type RaftHarnessOptions } from "./harness.js";
export { RaftInvariantChecker } from "./invariants.js";
export { RaftServer, type RaftServerOptions } from "./server.js";
export type {
  AppendEntriesArgs,
  AppendEntriesReply,
  InstallSnapshotArgs,
  InstallSnapshotReply,
  PreVoteArgs,
  PreVoteReply,
  RaftConfiguration,
  RaftLogEntry,
  RaftMembershipChange,
  RaftMembershipResult,
  RaftReadResult,
  RaftMessage,
  RaftRole,
  RaftSnapshot,
  RaftStartResult,
  RequestVoteArgs,
  RequestVoteReply,
} from "./types.js";
export { type RaftFigure8Step, raftFigure8 } from "./figure8.js";
export {
  type RaftFuzzError,
  type RaftFuzzOptions,
  type RaftFuzzResult,
  type RaftFuzzStats,
  runRaftFuzzCase,
} from "./fuzz.js";
export {
  RAFT_KV_READ_PATHS,
  RaftKvClient,
  type RaftKvClientOptions,
  type RaftKvCommand,
  type RaftKvMessage,
  type RaftKvReadPath,
  type RaftKvReply,
  type RaftKvRequest,
  RaftKvServer,
  type RaftKvServerOptions,
} from "./kv.js";
export {
  RaftKvCluster,
  type RaftKvClusterOptions,
  type RaftKvWorkloadOptions,
} from "./kv-cluster.js";
