// The interview framework: the decision checklist and `recommend`, the experiments behind each
// choice, worked problems, back-of-the-envelope estimates, flashcards and the cheat sheet.

export type {
  ChoiceId,
  Decision,
  DecisionTopic,
  ExperimentResult,
  OrderingNeed,
  Recommendation,
  Requirements,
  SectionLink,
  Tension,
  WorkedProblem,
} from "./types.js";
export {
  type LoadAssumptions,
  type LoadEstimate,
  backOfEnvelope,
  estimateRows,
  formatBytes,
  formatRate,
} from "./estimate.js";
export {
  CHECKLIST,
  CHOICES,
  type ChecklistQuestion,
  type ChoiceInfo,
  decisionRows,
  recommend,
  recommendationFlowchart,
} from "./checklist.js";
export { CHOICE_EXPERIMENTS, type ChoiceExperiment, runChoiceExperiment } from "./experiments.js";
export {
  type JobSchedulerFailoverOptions,
  type JobSchedulerFailoverRow,
  type JobSchedulerPauseOptions,
  type JobSchedulerPauseResult,
  type JobSchedulerRun,
  jobSchedulerAssumptions,
  jobSchedulerFailoverRows,
  jobSchedulerPauseRun,
  jobSchedulerProblem,
} from "./problems/job-scheduler.js";
export {
  type OrderPipelineAcksRow,
  type OrderPipelineOptions,
  type OrderPipelineRebalanceOptions,
  type OrderPipelineRebalanceResult,
  type OrderPipelineResult,
  orderPipelineAcksRows,
  orderPipelineAssumptions,
  orderPipelineProblem,
  orderPipelineRebalance,
  orderPipelineRun,
} from "./problems/order-pipeline.js";
export * from "./problems/like-counter.js";
export * from "./problems/payment-ledger.js";
export {
  type ChatMetadataOptions,
  type ChatMetadataRow,
  type GroupChatOptions,
  type GroupChatRun,
  causalChatAssumptions,
  causalChatProblem,
  chatMetadataTable,
  runGroupChat,
} from "./problems/causal-chat.js";
export {
  type CacheResizeOptions,
  type CacheResizeRow,
  type HotKeyOptions,
  type HotKeyResult,
  type HotKeyRow,
  cacheResizeExperiment,
  distributedCacheAssumptions,
  distributedCacheProblem,
  hotKeyExperiment,
} from "./problems/distributed-cache.js";
export {
  type AnkiExportOptions,
  type Flashcard,
  FLASHCARDS,
  flashcardById,
  flashcardSectionPath,
  flashcardsOfPage,
  flashcardsToAnki,
} from "./flashcards.js";
export {
  CHEAT_SHEET_TABLES,
  type CapCheatRow,
  type CheatSheetTable,
  type ConsensusCheatRow,
  type ConsistencyCheatRow,
  type DeliveryCheatRow,
  type ElectionCheatRow,
  type HashingCheatRow,
  type QueueCheatRow,
  capCheatRows,
  consensusCheatRows,
  consistencyCheatRows,
  deliveryCheatRows,
  electionCheatRows,
  hashingCheatRows,
  queueCheatRows,
} from "./cheat-sheet.js";
export {
  type CardProgress,
  type ParsedStudyState,
  type ReviewGrade,
  type StudyState,
  type StudySummary,
  MASTERED_INTERVAL_DAYS,
  RELEARN_DELAY_MS,
  REVIEW_GRADES,
  STUDY_STATE_VERSION,
  dueCardIds,
  emptyStudyState,
  nextDueMs,
  parseStudyState,
  recordReview,
  reviewCard,
  serializeStudyState,
  studySummary,
} from "./spaced-repetition.js";
