// Time and order: public face of src/clocks. Lamport clocks (1978), vector clocks (Fidge 1988;
// Mattern 1988), version vectors (Parker et al. 1983) and hybrid logical clocks (Kulkarni et al. 2014).

export type { ClockOrder } from "./order.js";
export { LamportClock, type LamportTimestamp, compareLamportTimestamps } from "./lamport.js";
export { VECTOR_CLOCK_NODES_MAX, VectorClock, type VectorClockJSON } from "./vector.js";
export { MapVectorClock } from "./map-vector.js";
export { VersionVector, type VersionedValue, reconcileSiblings } from "./version-vector.js";
export {
  HybridLogicalClock,
  type HybridLogicalClockOptions,
  type HlcTimestamp,
  compareHlcTimestamps,
  formatHlcTimestamp,
} from "./hlc.js";
export {
  SKEWED_WRITE_REPLICAS,
  type SkewedWriteMessage,
  type SkewedWriteOptions,
  type SkewedWriteRow,
  type SkewedWriteRun,
  WRITE_STRATEGIES,
  type WriteStamp,
  type WriteStrategy,
  compareWriteStrategies,
  formatWriteStamp,
  runSkewedWrites,
  skewedWriteLabel,
} from "./skewed-writes.js";
export {
  type ClockRunEvent,
  type ClockedMessage,
  type ClockedRun,
  type ClockedRunOptions,
  type ClockedStep,
  type OrderedPairsCount,
  type RandomClockedRunOptions,
  clockedMessageLabel,
  countOrderedPairs,
  lamportIsNotCausalityRun,
  randomClockedRun,
  runClockedPlan,
} from "./clocked-run.js";
export { type CausalSketchPitfall, causalSketchPitfalls } from "./pitfalls.js";
export { type ClockSample, type ClockSampleOptions, sampleClockOffsets } from "./physical.js";
