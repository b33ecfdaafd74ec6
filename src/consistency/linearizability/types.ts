// Types of the linearizability checker: sequential models, concurrent histories and verdicts.
// Herlihy and Wing 1990 (linearizability, §2-3); the shapes follow Porcupine's Go API.

/**
 * A sequential specification: the state machine a history must be explainable by.
 * `step` says whether `output` is a legal answer to `input` in `state`, and the next state.
 *
 * Unknown outcomes (a timed-out or pending operation) are modelled by an output that `step`
 * accepts in EVERY state (see {@link Operation}); the built-in models use `{ status: "unknown" }`.
 *
 * @example
 * // A counter: `inc` always succeeds, `read` must return the current count.
 * const counter: Model<number, "inc" | "read", number | null> = {
 *   init: () => 0,
 *   step: (n, input, output) => (input === "inc" ? [true, n + 1] : [output === n, n]),
 * };
 */
export interface Model<S, I, O> {
  /** The initial state. */
  init(): S;
  /** Applies one operation: `[legal, nextState]`. Must not mutate `state`. */
  step(state: S, input: I, output: O): [boolean, S];
  /**
   * State equality for the memo cache. Default: `===` (right for primitive states), or equality
   * of `hash` when `hash` is given and `equal` is not.
   */
  equal?(a: S, b: S): boolean;
  /**
   * A string that identifies a state, for the memo cache: `hash(a) === hash(b)` must hold
   * exactly when `a` and `b` are equal states (give `equal` too if the hash may collide).
   */
  hash?(state: S): string;
  /**
   * Splits a history into independent sub-histories (P-compositionality, e.g. one per key).
   * Must return the same operation objects, each exactly once; each part is checked alone.
   */
  partition?(history: Operation<I, O>[]): Operation<I, O>[][];
  /** A short human description of one operation, for diagrams and error reports. */
  describeOperation?(input: I, output: O): string;
}

/**
 * One operation: called at `call`, returned at `return` (any time unit; only the order matters).
 * Operation A precedes B in real time when `A.return < B.call` (strictly): intervals that touch
 * count as concurrent.
 *
 * A pending operation (called, never returned: a crash, a timeout, an `:info` in Jepsen) has
 * `return: Infinity` and an `output` the model accepts in every state. It may then be placed
 * anywhere after its call, including after every other operation: "it took effect" and "it did
 * not take effect" are both explored, and no verdict depends on its output.
 */
export type Operation<I, O> = {
  clientId: number;
  input: I;
  call: number;
  output: O;
  return: number;
};

/**
 * One call or return event; a call and its return share `id`. The order of the array is the
 * real-time order. Every call needs a return: for a pending operation, append a return event
 * with an output the model accepts in every state (the parsers of this module do).
 */
export type Event<I, O> = {
  clientId: number;
  kind: "call" | "return";
  value: I | O;
  id: number;
};

/** Options of `checkOperations` and `checkEvents`. */
export interface LinearizabilityCheckOptions {
  /**
   * Wall-clock budget in ms for the whole check (every partition). When it runs out the verdict
   * is `"unknown"`, never a guess. Default: no limit.
   */
  timeoutMs?: number;
}

/** One operation placed in a linearization. */
export interface LinearizedOperation<I, O> {
  /** Index of the operation in `CheckResult.operations`. */
  readonly index: number;
  readonly operation: Operation<I, O>;
  /**
   * A linearization point for drawing: a time in `[call, return]`, non-decreasing along the
   * linearization (for a pending operation, a time >= `call`).
   */
  readonly point: number;
  /** The model's text for the operation (`describeOperation`, else JSON). */
  readonly description: string;
}

/** Common fields of every verdict. */
interface CheckResultBase<I, O> {
  /**
   * The history that was checked, as operations (for `checkEvents`, `call` and `return` are
   * event positions). Indices in the result refer to this array.
   */
  readonly operations: readonly Operation<I, O>[];
  /** How many partitions the model split the history into (1 without `partition`). */
  readonly partitionsCount: number;
}

/** The history is linearizable; `linearization` is one witness. */
export interface CheckResultOk<I, O> extends CheckResultBase<I, O> {
  readonly result: "ok";
  /**
   * One linearization of the whole history: every operation once, in an order that respects
   * real time and replays legally through the model (partitions merged by linearization point).
   */
  readonly linearization: readonly LinearizedOperation<I, O>[];
  /** The linearization of each partition, in the order of `model.partition`. */
  readonly partitions: readonly (readonly LinearizedOperation<I, O>[])[];
}

/** The history is not linearizable: no order of its operations explains it. */
export interface CheckResultIllegal<I, O> extends CheckResultBase<I, O> {
  readonly result: "illegal";
  /**
   * The partition found illegal, as an index into `model.partition`'s output. Partitions are
   * searched interleaved (Porcupine runs them in parallel) and the first one proved illegal
   * ends the check, so an easy violation is not hidden behind a hard linearizable partition.
   */
  readonly partitionIndex: number;
  /**
   * The longest linearizable prefix the search found in that partition: operations that
   * replay legally, in order, before the search got stuck.
   */
  readonly prefix: readonly LinearizedOperation<I, O>[];
  /**
   * The operation that cannot be placed after that prefix: it had to take effect before its
   * return, and no choice left made it legal. `point` is its call time.
   */
  readonly culprit: LinearizedOperation<I, O>;
}

/** The check ran out of time: linearizable or not is not known. */
export interface CheckResultUnknown<I, O> extends CheckResultBase<I, O> {
  readonly result: "unknown";
  readonly reason: "timeout";
  /** The partition being checked when the time ran out. */
  readonly partitionIndex: number;
}

/** The verdict of a linearizability check; narrow on `result`. */
export type CheckResult<I, O> =
  CheckResultOk<I, O> | CheckResultIllegal<I, O> | CheckResultUnknown<I, O>;
