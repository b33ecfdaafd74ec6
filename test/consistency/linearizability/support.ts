// Test support for the linearizability checker: history generators (fast-check) and a brute-force
// oracle that tries every order of a small history (Herlihy and Wing 1990's definition, directly).

import fc from "fast-check";
import {
  type CheckResult,
  type KvInput,
  type KvOutput,
  type KvState,
  type Model,
  type Operation,
  type RegisterInput,
  type RegisterOutput,
  type RegisterValue,
  kvModel,
  registerModel,
} from "../../../src/consistency/linearizability/index.js";

export type RegisterOperation = Operation<RegisterInput, RegisterOutput>;
export type KvOperation = Operation<KvInput, KvOutput>;

/** kvModel without its partition: the whole history is searched as one. */
export const kvModelUnpartitioned: Model<KvState, KvInput, KvOutput> = {
  init: () => kvModel.init(),
  step: (state, input, output) => kvModel.step(state, input, output),
  hash: (state) => (kvModel.hash as (state: KvState) => string)(state),
  equal: (a, b) => (kvModel.equal as (a: KvState, b: KvState) => boolean)(a, b),
};

/** A register operation with its interval around a true linearization point. */
export interface RegisterSpec {
  readonly kind: "read" | "write" | "cas";
  readonly a: number;
  readonly b: number;
  readonly before: number;
  readonly after: number;
  readonly clientId: number;
  readonly pending: boolean;
}

export const registerSpec: fc.Arbitrary<RegisterSpec> = fc.record({
  kind: fc.constantFrom("read" as const, "write" as const, "cas" as const),
  a: fc.integer({ min: 0, max: 3 }),
  b: fc.integer({ min: 0, max: 3 }),
  before: fc.integer({ min: 0, max: 40 }),
  after: fc.integer({ min: 0, max: 40 }),
  clientId: fc.integer({ min: 0, max: 7 }),
  pending: fc.boolean(),
});

/**
 * A history that is linearizable by construction: operation i takes effect at time 10 i + 5 on a
 * sequential register, and its interval stretches a random amount before and after that point.
 * Writes and cas marked pending get an unknown output and `return: Infinity`.
 */
export function linearizableRegisterHistory(specs: readonly RegisterSpec[]): RegisterOperation[] {
  let state: RegisterValue = null;
  return specs.map((spec, i) => {
    const point = 10 * i + 5;
    const call = point - spec.before;
    let input: RegisterInput;
    let output: RegisterOutput;
    if (spec.kind === "read") {
      input = { op: "read" };
      output = { status: "ok", value: state };
    } else if (spec.kind === "write") {
      input = { op: "write", value: spec.a };
      output = { status: "ok" };
      state = spec.a;
    } else {
      input = { op: "cas", expected: spec.a, value: spec.b };
      output = { status: state === spec.a ? "ok" : "fail" };
      if (state === spec.a) state = spec.b;
    }
    const pending = spec.pending && spec.kind !== "read";
    return {
      clientId: spec.clientId,
      input,
      call,
      output: pending ? { status: "unknown" } : output,
      return: pending ? Infinity : point + spec.after,
    };
  });
}

/** A register operation with an arbitrary interval and an arbitrary (maybe wrong) output. */
export const randomRegisterOperation: fc.Arbitrary<RegisterOperation> = fc
  .record({
    kind: fc.constantFrom("read" as const, "write" as const, "cas" as const),
    a: fc.constantFrom<RegisterValue>(null, 0, 1, 2),
    b: fc.integer({ min: 0, max: 2 }),
    ok: fc.boolean(),
    unknown: fc.integer({ min: 0, max: 5 }),
    call: fc.integer({ min: 0, max: 40 }),
    duration: fc.integer({ min: 0, max: 20 }),
    clientId: fc.integer({ min: 0, max: 3 }),
  })
  .map(({ kind, a, b, ok, unknown, call, duration, clientId }) => {
    const pending = unknown === 0;
    const input: RegisterInput =
      kind === "read"
        ? { op: "read" }
        : kind === "write"
          ? { op: "write", value: b }
          : { op: "cas", expected: a, value: b };
    let output: RegisterOutput;
    if (pending) output = { status: "unknown" };
    else if (kind === "read") output = { status: "ok", value: a };
    else if (kind === "cas") output = { status: ok ? "ok" : "fail" };
    else output = { status: "ok" };
    return { clientId, input, call, output, return: pending ? Infinity : call + duration };
  });

/** A key-value operation over keys a, b, c with an arbitrary interval and output. */
export const randomKvOperation: fc.Arbitrary<KvOperation> = fc
  .record({
    kind: fc.constantFrom("get" as const, "put" as const, "append" as const),
    key: fc.constantFrom("a", "b", "c"),
    value: fc.constantFrom("x", "y"),
    read: fc.constantFrom("", "x", "y", "xy", "yx", "xx"),
    call: fc.integer({ min: 0, max: 40 }),
    duration: fc.integer({ min: 0, max: 20 }),
    clientId: fc.integer({ min: 0, max: 3 }),
    pending: fc.integer({ min: 0, max: 6 }),
  })
  .map(({ kind, key, value, read, call, duration, clientId, pending }) => {
    const input: KvInput = kind === "get" ? { op: "get", key } : { op: kind, key, value };
    const unknown = pending === 0;
    const output: KvOutput = unknown
      ? { status: "unknown" }
      : kind === "get"
        ? { status: "ok", value: read }
        : { status: "ok" };
    return { clientId, input, call, output, return: unknown ? Infinity : call + duration };
  });

/**
 * The definition, by brute force: is there an order of all operations that respects real time
 * (A before B whenever A.return < B.call) and replays legally through the model?
 */
export function bruteForceLinearizable<S, I, O>(
  model: Model<S, I, O>,
  history: readonly Operation<I, O>[],
): boolean {
  const placed = new Array<boolean>(history.length).fill(false);
  const search = (state: S, count: number): boolean => {
    if (count === history.length) return true;
    for (let i = 0; i < history.length; i++) {
      if (placed[i]) continue;
      const op = history[i] as Operation<I, O>;
      // op may go next only if no unplaced operation returned before op was called.
      const blocked = history.some((other, j) => !placed[j] && j !== i && other.return < op.call);
      if (blocked) continue;
      const [legal, next] = model.step(state, op.input, op.output);
      if (!legal) continue;
      placed[i] = true;
      const found = search(next, count + 1);
      placed[i] = false;
      if (found) return true;
    }
    return false;
  };
  return search(model.init(), 0);
}

/**
 * Checks the witness of an "ok" verdict: every operation exactly once, real-time order kept,
 * points inside their intervals and non-decreasing, and the order replays through `model`.
 * Returns a description of the first problem, or undefined.
 */
export function witnessProblem<S, I, O>(
  model: Model<S, I, O>,
  history: readonly Operation<I, O>[],
  result: CheckResult<I, O>,
): string | undefined {
  if (result.result !== "ok") return `verdict ${result.result}`;
  const order = result.linearization.map((step) => step.index);
  if (order.length !== history.length) return "not every operation is placed";
  if (new Set(order).size !== order.length) return "an operation is placed twice";
  const position = new Map(order.map((index, k) => [index, k]));
  for (let i = 0; i < history.length; i++) {
    for (let j = 0; j < history.length; j++) {
      const a = history[i] as Operation<I, O>;
      const b = history[j] as Operation<I, O>;
      if (a.return < b.call && (position.get(i) as number) > (position.get(j) as number)) {
        return `operation ${i} returned before ${j} was called but is placed after it`;
      }
    }
  }
  let previous = -Infinity;
  let state = model.init();
  for (const step of result.linearization) {
    const op = history[step.index] as Operation<I, O>;
    if (step.operation !== op) return "step.operation is not the history's operation";
    if (step.point < op.call || step.point > op.return) return `point outside [call, return]`;
    if (step.point < previous) return "points decrease";
    previous = step.point;
    const [legal, next] = model.step(state, op.input, op.output);
    if (!legal) return `operation ${step.index} does not replay`;
    state = next;
  }
  return undefined;
}

/** The events of an operation history: by time, calls before returns at equal times. */
export function operationsAsEvents<I, O>(
  history: readonly Operation<I, O>[],
): { clientId: number; kind: "call" | "return"; value: I | O; id: number }[] {
  const keyed = history.flatMap((op, id) => [
    {
      time: op.call,
      rank: 0,
      id,
      event: { clientId: op.clientId, kind: "call" as const, value: op.input, id },
    },
    {
      time: op.return,
      rank: 1,
      id,
      event: { clientId: op.clientId, kind: "return" as const, value: op.output, id },
    },
  ]);
  keyed.sort((a, b) => a.time - b.time || a.rank - b.rank || a.id - b.id);
  return keyed.map((k) => k.event);
}

/** Shorthands for hand-written register histories. */
export const reg = {
  write: (
    clientId: number,
    value: RegisterValue,
    call: number,
    ret: number,
  ): RegisterOperation => ({
    clientId,
    input: { op: "write", value },
    call,
    output: { status: "ok" },
    return: ret,
  }),
  read: (clientId: number, value: RegisterValue, call: number, ret: number): RegisterOperation => ({
    clientId,
    input: { op: "read" },
    call,
    output: { status: "ok", value },
    return: ret,
  }),
  cas: (
    clientId: number,
    expected: RegisterValue,
    value: RegisterValue,
    status: "ok" | "fail" | "unknown",
    call: number,
    ret: number,
  ): RegisterOperation => ({
    clientId,
    input: { op: "cas", expected, value },
    call,
    output: { status },
    return: ret,
  }),
  pendingWrite: (clientId: number, value: RegisterValue, call: number): RegisterOperation => ({
    clientId,
    input: { op: "write", value },
    call,
    output: { status: "unknown" },
    return: Infinity,
  }),
};

export { registerModel, kvModel };
