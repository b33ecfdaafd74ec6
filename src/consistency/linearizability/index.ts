// The linearizability checker (Wing and Gong search, Lowe's memoisation, P-compositionality).
// Public face of src/consistency/linearizability, in the style of Porcupine.

export type {
  CheckResult,
  CheckResultIllegal,
  CheckResultOk,
  CheckResultUnknown,
  Event,
  LinearizabilityCheckOptions,
  LinearizedOperation,
  Model,
  Operation,
} from "./types.js";
export {
  checkEvents,
  checkOperations,
  describeLinearizableOperation,
  eventsToOperations,
} from "./checker.js";
export {
  type KvInput,
  type KvOutput,
  type KvState,
  type RegisterInput,
  type RegisterOutput,
  type RegisterValue,
  kvModel,
  registerModel,
} from "./models.js";
export { parseJepsenEtcdLog, parsePorcupineKvHistory } from "./parse.js";
export {
  porcupineEtcdLinearizableLogNames,
  porcupineEtcdLogNames,
  porcupineKvHistoryNames,
  readPorcupineFile,
} from "./corpus.js";
export { type HistoryTimelineOptions, historyTimeline } from "./timeline.js";
