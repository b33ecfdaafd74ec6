// Causal consistency and session guarantees: public face of src/consistency/causal. A causal
// key-value store with siblings and session tokens, and checkers for its histories.

export type { CausalOperation } from "./types.js";
export {
  type CausalCheckOptions,
  type CausalCheckResult,
  type CausalPattern,
  type CausalViolation,
  type SessionCheckResult,
  type SessionGuarantee,
  type SessionViolation,
  checkCausalConsistency,
  checkSessionGuarantees,
  describeCausalOperation,
} from "./checker.js";
export {
  type CausalConflictPolicy,
  type CausalMessage,
  type CausalVectorJSON,
  type CausalWrite,
  causalMessageLabel,
} from "./store.js";
export { CausalCluster, type CausalClusterOptions, type CausalReplicaSummary } from "./cluster.js";
export {
  type CausalScenarioRun,
  type ConcurrentWritesRun,
  runConcurrentWritesScenario,
  runReplyBeforePostScenario,
  runSessionScenario,
} from "./scenarios.js";
export { type CausalComparisonOptions, causalComparisonStore } from "./comparison.js";
