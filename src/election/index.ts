// Leader election: public face of src/election. The bully algorithm, Raft-based election, leases
// with fencing tokens, the ZooKeeper recipe (Garcia-Molina 1982; Gray, Cheriton 1989; Hunt 2010).

export {
  FencedResource,
  type FencedWrite,
  LeaseCandidate,
  type LeaseMessage,
  type LeaseRecord,
  LeaseStore,
  LeaseTable,
  leaseUsableMs,
} from "./lease.js";
export {
  LEASE_RESOURCE_ID,
  LEASE_STORE_ID,
  LeaseElection,
  type LeaseElectionCounts,
  type LeaseElectionOptions,
  type LeaseFailover,
  type LeaseScenarioResult,
  leaseClassicFailure,
  leaseClockDrift,
} from "./lease-election.js";
export {
  RaftElection,
  type RaftElectionFailover,
  type RaftElectionOptions,
  type RaftElectionPartition,
} from "./raft-election.js";
export {
  BULLY_ELECTION_MESSAGE_TYPES,
  BULLY_TIMEOUTS_DEFAULT,
  BullyCluster,
  type BullyClusterOptions,
  type BullyElection,
  type BullyElectionMessageCounts,
  type BullyMessage,
  type BullyMessageType,
  BullyNode,
  type BullyNodeOptions,
  type BullyStatus,
  type BullyTimeouts,
} from "./bully.js";
export {
  ZkServer,
  zkMessageLabel,
  zkValidatePath,
  type ZkErrorCode,
  type ZkMessage,
  type ZkOperation,
  type ZkResult,
  type ZkServerOptions,
  type ZkSessionEvent,
} from "./zk-server.js";
export { ZkClient, type ZkClientOptions, type ZkCreateFlags } from "./zk-client.js";
export {
  ZK_ELECTION_PATH,
  ZK_ELECTION_RECIPES,
  ZkCandidate,
  ZkElection,
  type ZkCandidateOptions,
  type ZkElectionOptions,
  type ZkElectionRecipe,
  type ZkLeaderChange,
  type ZkOperationCounts,
} from "./zk.js";
export * from "./compare.js";
