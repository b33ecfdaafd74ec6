// Types of the linearizability checker: sequential models and concurrent histories.
// Herlihy and Wing 1990 (linearizability); the shapes follow Porcupine's Go API.

/**
 * A sequential specification: the state machine a history must be explainable by.
 * `step` says whether `output` is a legal answer to `input` in `state`, and the next state.
 */
export interface Model<S, I, O> {
  /** The initial state. */
  init(): S;
  /** Applies one operation: `[legal, nextState]`. Must not mutate `state`. */
  step(state: S, input: I, output: O): [boolean, S];
  /** State equality for the memo cache; defaults to `hash` equality, then `===`. */
  equal?(a: S, b: S): boolean;
  /** A string key per state for the memo cache; two equal states must hash alike. */
  hash?(state: S): string;
  /** Splits a history into independent sub-histories (P-compositionality, e.g. per key). */
  partition?(history: Operation<I, O>[]): Operation<I, O>[][];
  /** A short human description of one operation, for diagrams and error reports. */
  describeOperation?(input: I, output: O): string;
}

/** One completed (or pending) operation: called at `call`, returned at `return`. */
export type Operation<I, O> = {
  clientId: number;
  input: I;
  call: number;
  output: O;
  return: number;
};

/** One call or return event; a call and its return share `id`. */
export type Event<I, O> = {
  clientId: number;
  kind: "call" | "return";
  value: I | O;
  id: number;
};
