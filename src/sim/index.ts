// The deterministic network simulator: public face of src/sim.
// Nodes, network faults, node faults, a seeded generator, a trace and its exports.

export {
  InvariantViolation,
  assert,
  describeValue,
  integerOption,
  invalidArgument,
  requireIntegerAtLeast,
  requireIntegerIn,
  requireKnownOptions,
  requireNumberAtLeast,
  requireProbability,
} from "./assert.js";
export { type ClockSettings, DRIFT_PPM_MAX } from "./clock.js";
export {
  CrashedNodeError,
  NoProgressError,
  SimulationError,
  StepLimitError,
  TimeLimitError,
  TraceFullError,
} from "./errors.js";
export {
  type SequenceDiagramOptions,
  type TextTableOptions,
  toMermaidSequence,
  toTextTable,
} from "./diagram.js";
export { DEFAULT_LINK } from "./network.js";
export { Random, SEED_MAX } from "./random.js";
export { jsonSizeBytes } from "./json-size.js";
export { type RunUntilOptions, Simulation, type SimulationOptions } from "./simulation.js";
export { type TraceFilter, filterTrace, matchesFilter, nodesOf } from "./trace.js";
export type {
  DropReason,
  Envelope,
  FiredTimer,
  LatencyModel,
  LinkOptions,
  Message,
  NodeContext,
  NodeId,
  Process,
  ProcessFactory,
  SimulationStats,
  StableStorage,
  TamperHook,
  TimerId,
  TraceEvent,
  TraceEventKind,
} from "./types.js";
