// Replicated stores from linearizable to eventual: ABD registers, asynchronous replication with
// Merkle anti-entropy, a Dynamo-style N/R/W quorum store, and their measured comparison.

export type { ReplicaCluster, ReplicaInput, ReplicaOperation, ReplicaOutput } from "./types.js";
export {
  ABD_TAG_ZERO,
  AbdCluster,
  type AbdInversionOptions,
  type AbdInversionResult,
  type AbdMessage,
  type AbdOptions,
  type AbdTag,
  REPLICA_NETWORK_DEFAULT,
  abdInversionScenario,
  compareAbdTags,
} from "./abd.js";
export { MERKLE_DEPTH_MAX, type MerkleDiff, MerkleTree, type MerkleTreeOptions } from "./merkle.js";
export {
  type AntiEntropyMode,
  type AntiEntropyOptions,
  type AntiEntropyResult,
  type AntiEntropyRun,
  EventualCluster,
  type EventualMessage,
  type EventualOptions,
  type LwwEntry,
  antiEntropyExperiment,
  lwwWins,
} from "./eventual.js";
export {
  DynamoCluster,
  type DynamoHint,
  type DynamoMessage,
  type DynamoOptions,
  type DynamoVersion,
  type SloppyQuorumOptions,
  type SloppyQuorumResult,
  mergeDynamoVersions,
  sloppyQuorumScenario,
} from "./dynamo.js";
export { replicaMessageLabel } from "./label.js";
export {
  type LinearizabilityVerdict,
  type StalenessReport,
  checkReplicaHistory,
  staleReads,
  toKvHistory,
} from "./history.js";
export {
  type ComparisonStore,
  type ConsistencyComparisonOptions,
  type ConsistencyRow,
  REPLICA_PARTITION_DEFAULT,
  type ReplicaPartitionWindow,
  type ReplicaWorkloadOptions,
  type ReplicaWorkloadResult,
  consistencyComparison,
  defaultComparisonStores,
  runReplicaWorkload,
} from "./comparison.js";
