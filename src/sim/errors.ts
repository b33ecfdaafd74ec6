// Errors a simulation run raises when it cannot go on: limits hit, no progress, misuse.
// Each message says what happened, at what simulated time, and what to change.

/** Base class of the simulator's run errors. */
export class SimulationError extends Error {
  override name = "SimulationError";
}

/** `runUntil` found the event queue empty while its predicate was still false. */
export class NoProgressError extends SimulationError {
  override name = "NoProgressError";
}

/** A run reached its simulated-time budget (`timeMsMax`) before its predicate held. */
export class TimeLimitError extends SimulationError {
  override name = "TimeLimitError";
}

/** A run processed `stepsMax` events in one call: usually a zero-delay message or timer loop. */
export class StepLimitError extends SimulationError {
  override name = "StepLimitError";
}

/** The trace reached `traceEventsMax` events. */
export class TraceFullError extends SimulationError {
  override name = "TraceFullError";
}

/** A crashed node (or a stale context of an earlier incarnation) tried to act. */
export class CrashedNodeError extends SimulationError {
  override name = "CrashedNodeError";
}
