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
export { type HotKeySharesOptions, type HotKeySharesRow, hotKeyShares } from "./pitfalls.js";
export { CHOICE_EXPERIMENTS, type ChoiceExperiment, runChoiceExperiment } from "./experiments.js";
