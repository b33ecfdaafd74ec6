// CAP on the simulator: a CP quorum counter, AP counters (naive last-write-wins and CRDTs).
// Public face of src/cap (Brewer 2000; Gilbert and Lynch 2002; Shapiro et al. 2011).

export { GCounter, PNCounter } from "./crdt.js";
export { type CapSequenceOptions, capMessageLabel, capSequence } from "./diagram.js";
export {
  type AvailabilityClass,
  type ConsistencyModelEntry,
  type ConsistencyObservation,
  type JepsenMapOptions,
  JEPSEN_MODELS,
  jepsenMap,
} from "./jepsen.js";
export {
  type CapSessionGuarantees,
  type CapCheckVerdict,
  type StaleReadExplanation,
  capCheckerHistory,
  capCounterModel,
  checkCapSessionGuarantees,
  explainStaleRead,
  findStaleReads,
} from "./model.js";
export { type CapLatencyOptions, type CapLatencyStats, capLatencyStats } from "./latency.js";
export { runCapScenario } from "./scenario.js";
export {
  CAP_VARIANTS,
  type CapCounts,
  type CapMessage,
  type CapPartitionOptions,
  type CapRun,
  type CapScenarioOptions,
  type CapVariant,
  type CapCounterInput,
  type CapCounterOperation,
  type CapCounterOutput,
  type PNCounterState,
} from "./types.js";
