// The counter as a sequential specification for the linearizability checker, and the evidence of
// a violation: the read that missed acknowledged increments (Herlihy and Wing 1990, §3).

import type { Model } from "../consistency/linearizability/types.js";
import type { CapRun, CapCounterInput, CapCounterOperation, CapCounterOutput } from "./types.js";

/**
 * The sequential counter: state is the value. An increment or decrement is legal whatever it
 * answered (acknowledged, or failed with unknown outcome: see {@link capCheckerHistory}); a read
 * is legal only if it returned the current value. A failed read has no effect.
 *
 * @example
 * const ack = { status: "ok", value: null, effect: "applied" } as const;
 * capCounterModel.step(2, { kind: "inc", id: "c1#1" }, ack); // [true, 3]
 * capCounterModel.step(3, { kind: "read" }, { status: "ok", value: 2, effect: "none" }); // [false, 3]
 */
export const capCounterModel: Model<number, CapCounterInput, CapCounterOutput> = {
  init: () => 0,
  step(state, input, output) {
    switch (input.kind) {
      case "inc":
        return [true, state + 1];
      case "dec":
        return [true, state - 1];
      case "read":
        if (output.status !== "ok") return [true, state];
        return [output.value === state, state];
    }
  },
  equal: (a, b) => a === b,
  hash: (state) => String(state),
  describeOperation(input, output) {
    const outcome =
      output.status === "ok"
        ? output.value === null
          ? "ok"
          : String(output.value)
        : output.effect === "unknown"
          ? `${output.status}, outcome unknown`
          : output.status;
    return input.kind === "read" ? `read -> ${outcome}` : `${input.kind} ${input.id} -> ${outcome}`;
  },
};

/**
 * The history as the checker must see it. A failed update may or may not have taken effect
 * (a "no quorum" increment may have reached some replicas): it stays in the history with its
 * return moved to the end of time (`Number.POSITIVE_INFINITY`, as Porcupine and Knossos treat an
 * indeterminate operation), so the checker may place it anywhere after its call, including after
 * everything (never taking effect). A failed read has no effect and is left out.
 *
 * @example
 * checkOperations(capCounterModel, capCheckerHistory(run.history));
 */
export function capCheckerHistory(history: readonly CapCounterOperation[]): CapCounterOperation[] {
  const operations: CapCounterOperation[] = [];
  for (const operation of history) {
    if (operation.output.status === "ok") operations.push(operation);
    else if (operation.output.effect === "unknown") {
      operations.push({ ...operation, return: Number.POSITIVE_INFINITY });
    }
  }
  return operations;
}

/** Why a read proves a history is not linearizable. */
export interface StaleReadExplanation {
  /** Index of the read in `run.history`. */
  readonly readIndex: number;
  readonly read: CapCounterOperation;
  /** The client that made it, e.g. "c1". */
  readonly client: string;
  /** What it returned. */
  readonly value: number;
  /**
   * `"missed"`: it returned less than the updates acknowledged before it began allow.
   * `"inversion"`: it returned less than a read that had already returned (no decrement
   * in between could explain it).
   * `"checker"`: the checker's culprit, which neither simple bound shows (see `text`).
   */
  readonly kind: "missed" | "inversion" | "checker";
  /** The least value the simple bounds allow for this read. */
  readonly valueMin: number;
  /** For "inversion": the earlier read it contradicts. */
  readonly earlierRead: CapCounterOperation | undefined;
  /**
   * Acknowledged updates that completed before the read began and that the answering replicas'
   * state did not include (from `run.visibleUpdateIds`; empty when the run cannot say).
   */
  readonly missedUpdates: readonly CapCounterOperation[];
  /** One sentence for the chapter. */
  readonly text: string;
}

/** The checker's verdict (a `CheckResult`), as much of it as an explanation needs. */
export interface CapCheckVerdict {
  readonly result: "ok" | "illegal" | "unknown";
  /** For "illegal": the operation that could not be placed. */
  readonly culprit?: { readonly operation: CapCounterOperation };
  /** For "illegal": the longest linearizable prefix found. */
  readonly prefix?: readonly { readonly operation: CapCounterOperation }[];
}

/**
 * Every read of the run that the simple bounds prove stale, in call order. A read R must count
 * every increment acknowledged before R began and may count at most the decrements called
 * before R returned: `value(R) >= acknowledged increments before R - decrements possibly
 * before R`; and R may not return less than a read that returned before R began, less the
 * decrements that may fall between them. Each failure is a proof of non-linearizability a
 * reader can check by hand; the checker ({@link capCounterModel}) is the complete test.
 *
 * @example
 * findStaleReads(runCapScenario("apCrdt", 1)).length; // > 0: reads that missed increments
 * findStaleReads(runCapScenario("cpQuorum", 1)).length; // 0
 */
export function findStaleReads(run: CapRun): StaleReadExplanation[] {
  const found: StaleReadExplanation[] = [];
  run.history.forEach((operation, index) => {
    const explanation = explainRead(run, index);
    if (explanation !== undefined) found.push(explanation);
  });
  return found;
}

/**
 * Names the read that proves a run's history is not linearizable and the increments it missed.
 * Given the checker's illegal verdict, explains its culprit (when that is a read); otherwise, or
 * when the culprit is not a read, the first read {@link findStaleReads} finds.
 *
 * @returns undefined when nothing is found (for a linearizable history, always).
 *
 * @example
 * const run = runCapScenario("apCrdt", 1);
 * const verdict = checkOperations(capCounterModel, capCheckerHistory(run.history));
 * explainStaleRead(run, verdict)?.text; // "c2's read at t=91.6-102 ms returned 5, but ..."
 */
export function explainStaleRead(
  run: CapRun,
  verdict?: CapCheckVerdict,
): StaleReadExplanation | undefined {
  if (verdict?.result === "illegal" && verdict.culprit !== undefined) {
    const culprit = verdict.culprit.operation;
    const prefix = verdict.prefix ?? [];
    const index = run.history.findIndex(
      (operation) => operation.clientId === culprit.clientId && operation.call === culprit.call,
    );
    if (index >= 0 && culprit.input.kind === "read" && culprit.output.status === "ok") {
      const bounded = explainRead(run, index);
      if (bounded !== undefined) return bounded;
      const state = prefix.reduce(
        (value, placed) =>
          capCounterModel.step(value, placed.operation.input, placed.operation.output)[1],
        capCounterModel.init(),
      );
      const read = run.history[index] as CapCounterOperation;
      const client = run.clients[read.clientId] ?? `client ${read.clientId}`;
      return {
        readIndex: index,
        read,
        client,
        value: readValue(read),
        kind: "checker",
        valueMin: state,
        earlierRead: undefined,
        missedUpdates: missedBy(run, index, read),
        text:
          `the checker linearized ${prefix.length} operations (counter at ${state}) and ` +
          `could not place ${client}'s read at t=${fmt(read.call)}-${fmt(read.return)} ms, ` +
          `which returned ${readValue(read)}`,
      };
    }
  }
  return findStaleReads(run)[0];
}

/** Acknowledged increments done before `read` began that its answer did not include. */
function missedBy(run: CapRun, index: number, read: CapCounterOperation): CapCounterOperation[] {
  const visible = run.visibleUpdateIds[index];
  if (visible === undefined) return [];
  const seen = new Set(visible);
  return run.history.filter(
    (other) =>
      other.input.kind === "inc" &&
      other.output.status === "ok" &&
      other.return < read.call &&
      !seen.has(other.input.id),
  );
}

function explainRead(run: CapRun, index: number): StaleReadExplanation | undefined {
  const history = run.history;
  const read = history[index] as CapCounterOperation;
  if (read.input.kind !== "read" || read.output.status !== "ok") return undefined;
  const value = readValue(read);
  let incsBefore = 0;
  let decsMaybeBefore = 0;
  let earlierRead: CapCounterOperation | undefined;
  for (const other of history) {
    if (other === read) continue;
    const kind = other.input.kind;
    if (kind === "inc" && other.output.status === "ok" && other.return < read.call) incsBefore++;
    if (kind === "dec" && other.output.effect !== "none" && other.call < read.return) {
      decsMaybeBefore++;
    }
    if (
      kind === "read" &&
      other.output.status === "ok" &&
      other.return < read.call &&
      (earlierRead === undefined || readValue(other) > readValue(earlierRead))
    ) {
      earlierRead = other;
    }
  }
  const client = run.clients[read.clientId] ?? `client ${read.clientId}`;
  const when = `${client}'s read at t=${fmt(read.call)}-${fmt(read.return)} ms returned ${value}`;
  const valueMin = incsBefore - decsMaybeBefore;
  if (value < valueMin) {
    const missedUpdates = missedBy(run, index, read);
    const names = missedUpdates.map((u) => (u.input.kind === "read" ? "" : u.input.id));
    const shown = names.length > 6 ? `${names.slice(0, 6).join(", ")}, ...` : names.join(", ");
    return {
      readIndex: index,
      read,
      client,
      value,
      kind: "missed",
      valueMin,
      earlierRead: undefined,
      missedUpdates,
      text:
        `${when}, but ${incsBefore} increments had been acknowledged before it began` +
        (decsMaybeBefore > 0 ? ` (and at most ${decsMaybeBefore} decrements)` : "") +
        `: it missed at least ${valueMin - value}` +
        (names.length > 0 ? ` (${shown})` : ""),
    };
  }
  if (earlierRead === undefined) return undefined;
  const earlier = earlierRead;
  const decsBetween = history.filter(
    (o) =>
      o.input.kind === "dec" &&
      o.output.effect !== "none" &&
      o.call < read.return &&
      o.return > earlier.call,
  ).length;
  const earlierMin = readValue(earlier) - decsBetween;
  if (value >= earlierMin) return undefined;
  const earlierClient = run.clients[earlier.clientId] ?? `client ${earlier.clientId}`;
  return {
    readIndex: index,
    read,
    client,
    value,
    kind: "inversion",
    valueMin: earlierMin,
    earlierRead: earlier,
    missedUpdates: missedBy(run, index, read),
    text:
      `${when}, after ${earlierClient}'s read had returned ${readValue(earlier)} at ` +
      `t=${fmt(earlier.return)} ms: the counter went backwards (new value, then old)`,
  };
}

/** The value an answered read returned. */
function readValue(operation: CapCounterOperation): number {
  return operation.output.status === "ok" ? (operation.output.value ?? 0) : 0;
}

function fmt(ms: number): string {
  return String(Math.round(ms * 10) / 10);
}

/** Session guarantees a counter history kept, per client (Terry et al. 1994). */
export interface CapSessionGuarantees {
  /** Each client's reads never went down (increment-only histories). */
  readonly monotonicReads: boolean;
  /** Each client's reads counted at least its own acknowledged increments since its last read. */
  readonly readYourWrites: boolean;
}

/**
 * Checks monotonic reads and read-your-writes per client on an increment-only history (with
 * decrements the counter may legally go down, and both are reported as not checked: false).
 *
 * @example
 * checkCapSessionGuarantees(runCapScenario("apCrdt", 1).history);
 * // { monotonicReads: true, readYourWrites: true }
 */
export function checkCapSessionGuarantees(
  history: readonly CapCounterOperation[],
): CapSessionGuarantees {
  if (history.some((operation) => operation.input.kind === "dec")) {
    return { monotonicReads: false, readYourWrites: false };
  }
  let monotonicReads = true;
  let readYourWrites = true;
  const lastRead = new Map<number, number>();
  const ownSince = new Map<number, number>();
  const byReturn = [...history].sort((a, b) => a.return - b.return);
  for (const operation of byReturn) {
    const client = operation.clientId;
    if (operation.output.status !== "ok") continue;
    if (operation.input.kind === "inc") {
      ownSince.set(client, (ownSince.get(client) ?? 0) + 1);
      continue;
    }
    const value = operation.output.value as number;
    const previous = lastRead.get(client) ?? 0;
    if (value < previous) monotonicReads = false;
    if (value < previous + (ownSince.get(client) ?? 0)) readYourWrites = false;
    lastRead.set(client, value);
    ownSince.set(client, 0);
  }
  return { monotonicReads, readYourWrites };
}
