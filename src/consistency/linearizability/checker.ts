// The linearizability checker: Lowe's search (2017, §3; search.ts) per partition of the history,
// P-compositionality (Herlihy and Wing 1990 §3.3, locality; Horn and Kroening 2015).
// Contract: "ok" comes with a witness, "illegal" with the longest prefix found, "unknown" on timeout.

import { assert, describeValue, invalidArgument, requireKnownOptions } from "../../sim/assert.js";
import { type Deadline, createDeadline } from "./deadline.js";
import { PartitionSearch, type SearchOutcome } from "./search.js";
import type {
  CheckResult,
  Event,
  LinearizabilityCheckOptions,
  LinearizedOperation,
  Model,
  Operation,
} from "./types.js";

/** A search pauses every this many steps (to read the deadline and let other partitions run). */
const SEARCH_SLICE_STEPS = 4096;

/**
 * Checks whether a history of operations is linearizable with respect to a sequential model.
 * Each partition of `model.partition` (if any) is checked alone; the first illegal one decides.
 *
 * @example
 * const history: Operation<RegisterInput, RegisterOutput>[] = [
 *   { clientId: 0, input: { op: "write", value: 1 }, call: 0, output: { status: "ok" }, return: 10 },
 *   { clientId: 1, input: { op: "read" }, call: 2, output: { status: "ok", value: 1 }, return: 5 },
 * ];
 * checkOperations(registerModel, history).result; // "ok": the write took effect before the read
 */
export function checkOperations<S, I, O>(
  model: Model<S, I, O>,
  history: readonly Operation<I, O>[],
  options?: LinearizabilityCheckOptions,
): CheckResult<I, O> {
  const timeoutMs = readOptions(options);
  requireModel(model);
  if (!Array.isArray(history)) throw invalidArgument("history", "an array of operations", history);
  history.forEach(requireOperation);
  return checkHistory(model, history, createDeadline(timeoutMs));
}

/**
 * Checks a history given as call and return events (array order is real-time order). The
 * result's `operations` are built from the events, in the order of their calls, with `call` and
 * `return` set to the events' positions.
 *
 * @example
 * const events: Event<RegisterInput, RegisterOutput>[] = [
 *   { clientId: 0, kind: "call", value: { op: "write", value: 1 }, id: 0 },
 *   { clientId: 0, kind: "return", value: { status: "ok" }, id: 0 },
 *   { clientId: 1, kind: "call", value: { op: "read" }, id: 1 },
 *   { clientId: 1, kind: "return", value: { status: "ok", value: null }, id: 1 },
 * ];
 * checkEvents(registerModel, events).result; // "illegal": the read missed a completed write
 */
export function checkEvents<S, I, O>(
  model: Model<S, I, O>,
  events: readonly Event<I, O>[],
  options?: LinearizabilityCheckOptions,
): CheckResult<I, O> {
  const timeoutMs = readOptions(options);
  requireModel(model);
  return checkHistory(model, eventsToOperations(events), createDeadline(timeoutMs));
}

/**
 * The operations of an event history, in the order of their calls; `call` and `return` are the
 * positions of the events in the array. Throws on a return without a call, a repeated id, a
 * client mismatch, or a call that never returns (append a return with an unknown output).
 *
 * @example
 * eventsToOperations([
 *   { clientId: 0, kind: "call", value: "inc", id: 7 },
 *   { clientId: 0, kind: "return", value: null, id: 7 },
 * ]); // [{ clientId: 0, input: "inc", call: 0, output: null, return: 1 }]
 */
export function eventsToOperations<I, O>(events: readonly Event<I, O>[]): Operation<I, O>[] {
  if (!Array.isArray(events)) throw invalidArgument("events", "an array of events", events);
  const operations: Operation<I, O>[] = [];
  const returned: boolean[] = [];
  const byId = new Map<number, number>();
  events.forEach((event, position) => {
    const name = `events[${position}]`;
    if (typeof event !== "object" || event === null) {
      throw invalidArgument(name, "an event { clientId, kind, value, id }", event);
    }
    if (!Number.isInteger(event.id)) throw invalidArgument(`${name}.id`, "an integer", event.id);
    if (!Number.isInteger(event.clientId)) {
      throw invalidArgument(`${name}.clientId`, "an integer", event.clientId);
    }
    if (event.kind === "call") {
      if (byId.has(event.id)) {
        throw invalidArgument(`${name}.id`, "an id not used by an earlier call", event.id);
      }
      byId.set(event.id, operations.length);
      returned.push(false);
      operations.push({
        clientId: event.clientId,
        input: event.value as I,
        call: position,
        output: undefined as O,
        return: Infinity,
      });
    } else if (event.kind === "return") {
      const index = byId.get(event.id);
      if (index === undefined) {
        throw invalidArgument(`${name}.id`, "the id of an earlier call event", event.id);
      }
      const operation = operations[index];
      assert(operation !== undefined, "byId holds indices of operations");
      if (returned[index] === true) {
        throw invalidArgument(`${name}.id`, "the id of a call not yet returned", event.id);
      }
      if (operation.clientId !== event.clientId) {
        throw invalidArgument(
          `${name}.clientId`,
          `the clientId of its call (${operation.clientId})`,
          event.clientId,
        );
      }
      returned[index] = true;
      operation.output = event.value as O;
      operation.return = position;
    } else {
      throw invalidArgument(`${name}.kind`, '"call" or "return"', event.kind);
    }
  });
  const pending = returned.indexOf(false);
  if (pending >= 0) {
    const operation = operations[pending];
    assert(operation !== undefined, "returned has one flag per operation");
    throw new RangeError(
      `the call at events[${operation.call}] has no return event; for a pending operation ` +
        "append a return whose output the model accepts in every state (an unknown outcome)",
    );
  }
  return operations;
}

function readOptions(options: LinearizabilityCheckOptions | undefined): number | undefined {
  const known = requireKnownOptions("linearizability check options", options, ["timeoutMs"]);
  const timeoutMs = known.timeoutMs;
  if (timeoutMs === undefined) return undefined;
  if (typeof timeoutMs !== "number" || !(timeoutMs >= 0)) {
    throw invalidArgument("options.timeoutMs", "a number >= 0 (or undefined: no limit)", timeoutMs);
  }
  return timeoutMs;
}

function requireModel(model: unknown): void {
  const candidate = model as Partial<Model<unknown, unknown, unknown>> | null;
  if (
    typeof candidate !== "object" ||
    candidate === null ||
    typeof candidate.init !== "function" ||
    typeof candidate.step !== "function"
  ) {
    throw invalidArgument("model", "an object with init() and step() functions", model);
  }
}

function requireOperation(operation: unknown, index: number): void {
  const name = `history[${index}]`;
  const op = operation as Partial<Operation<unknown, unknown>> | null;
  if (typeof op !== "object" || op === null) {
    throw invalidArgument(name, "an operation { clientId, input, call, output, return }", op);
  }
  if (!Number.isInteger(op.clientId)) {
    throw invalidArgument(`${name}.clientId`, "an integer", op.clientId);
  }
  if (typeof op.call !== "number" || !Number.isFinite(op.call)) {
    throw invalidArgument(`${name}.call`, "a finite number", op.call);
  }
  if (typeof op.return !== "number" || Number.isNaN(op.return) || op.return < op.call) {
    throw invalidArgument(
      `${name}.return`,
      `a number >= call (${op.call}), or Infinity for a pending operation`,
      op.return,
    );
  }
}

/** The text of one operation: the model's description, else JSON of input and output. */
export function describeLinearizableOperation<I, O>(
  model: Pick<Model<unknown, I, O>, "describeOperation">,
  operation: Operation<I, O>,
): string {
  if (model.describeOperation !== undefined) {
    return model.describeOperation(operation.input, operation.output);
  }
  return `${describeValue(operation.input)} -> ${describeValue(operation.output)}`;
}

/**
 * Checks every partition. The searches are interleaved, as Porcupine runs them in parallel: each
 * unfinished partition gets a slice of steps in turn, the slices doubling every round, and the
 * first partition found illegal decides (one illegal partition makes the history illegal), so a
 * hard linearizable partition cannot hide an easy violation in another.
 */
function checkHistory<S, I, O>(
  model: Model<S, I, O>,
  history: readonly Operation<I, O>[],
  deadline: Deadline,
): CheckResult<I, O> {
  const operations = history.slice();
  const parts = partitionHistory(model, operations);
  const base = { operations, partitionsCount: parts.length };
  const searches = parts.map(
    (part) =>
      new PartitionSearch(
        model,
        part.map((index) => operations[index] as Operation<I, O>),
      ),
  );
  const outcomes: (SearchOutcome | undefined)[] = parts.map(() => undefined);
  let unfinished = parts.length;
  for (let slicesPerTurn = 1; unfinished > 0; slicesPerTurn *= 2) {
    for (let partitionIndex = 0; partitionIndex < parts.length; partitionIndex++) {
      const search = searches[partitionIndex];
      assert(search !== undefined, "one search per partition");
      if (outcomes[partitionIndex] !== undefined) continue;
      for (let slice = 0; slice < slicesPerTurn; slice++) {
        // Each slice is SEARCH_SLICE_STEPS steps; the deadline is read after each unfinished
        // slice, so a search that ends within its first slice always gets its verdict.
        const outcome = search.run(SEARCH_SLICE_STEPS);
        if (outcome === undefined) {
          if (deadline.expired()) {
            return { ...base, result: "unknown", reason: "timeout", partitionIndex };
          }
          continue;
        }
        outcomes[partitionIndex] = outcome;
        unfinished--;
        if (outcome.kind === "illegal") {
          return illegalResult(model, base, parts, partitionIndex, outcome);
        }
        break;
      }
    }
  }
  const linearizations = outcomes.map((outcome, partitionIndex) => {
    assert(outcome?.kind === "ok", "every partition is linearizable when none is illegal");
    const part = parts[partitionIndex] as number[];
    return withPoints(
      model,
      outcome.order.map((i) => part[i] as number),
      operations,
    );
  });
  const linearization = mergeByPoint(linearizations);
  assert(linearization.length === operations.length, "a linearization holds every operation");
  return { ...base, result: "ok", linearization, partitions: linearizations };
}

function illegalResult<S, I, O>(
  model: Model<S, I, O>,
  base: { operations: Operation<I, O>[]; partitionsCount: number },
  parts: readonly number[][],
  partitionIndex: number,
  outcome: Extract<SearchOutcome, { kind: "illegal" }>,
): CheckResult<I, O> {
  const { operations } = base;
  const part = parts[partitionIndex] as number[];
  const index = part[outcome.culprit];
  assert(index !== undefined, "the culprit is an operation of the partition");
  const operation = operations[index] as Operation<I, O>;
  return {
    ...base,
    result: "illegal",
    partitionIndex,
    prefix: withPoints(
      model,
      outcome.prefix.map((i) => part[i] as number),
      operations,
    ),
    culprit: {
      index,
      operation,
      point: operation.call,
      description: describeLinearizableOperation(model, operation),
    },
  };
}

/** Partitions as index lists into `operations`, validated: each operation exactly once. */
function partitionHistory<I, O>(
  model: Model<unknown, I, O>,
  operations: readonly Operation<I, O>[],
): number[][] {
  const all = operations.map((_, index) => index);
  if (model.partition === undefined) return [all];
  const parts = model.partition(operations.slice());
  if (!Array.isArray(parts)) {
    throw invalidArgument("model.partition(history)", "an array of operation arrays", parts);
  }
  const indexOf = new Map<Operation<I, O>, number>();
  operations.forEach((operation, index) => indexOf.set(operation, index));
  const seen = new Uint8Array(operations.length);
  const result = parts.map((part, partIndex) =>
    part.map((operation) => {
      const index = indexOf.get(operation);
      if (index === undefined || seen[index] === 1) {
        throw invalidArgument(
          `model.partition(history)[${partIndex}]`,
          "operations of the history (the same objects), each in exactly one partition",
          operation,
        );
      }
      seen[index] = 1;
      return index;
    }),
  );
  const missing = seen.indexOf(0);
  if (missing >= 0) {
    throw invalidArgument(
      "model.partition(history)",
      "partitions that cover every operation",
      `no partition holds history[${missing}]`,
    );
  }
  return result;
}

/**
 * Linearization points for drawing: the midpoint of the earliest and latest times consistent
 * with the order (earliest: the latest call so far; latest: the earliest return from here on).
 * Both bounds are non-decreasing along a valid order, so the points are too. Also checks, in
 * code, that the order replays legally through the model (a witness the search vouches for).
 */
function withPoints<S, I, O>(
  model: Model<S, I, O>,
  order: readonly number[],
  operations: readonly Operation<I, O>[],
): LinearizedOperation<I, O>[] {
  let replayed = model.init();
  for (const index of order) {
    const operation = operations[index] as Operation<I, O>;
    const [legal, next] = model.step(replayed, operation.input, operation.output);
    assert(legal, "every operation of a linearization (or prefix) replays legally in order");
    replayed = next;
  }
  let horizon = -Infinity;
  for (const index of order) {
    const operation = operations[index] as Operation<I, O>;
    horizon = Math.max(horizon, operation.call);
    if (Number.isFinite(operation.return)) horizon = Math.max(horizon, operation.return);
  }
  const latest = new Array<number>(order.length);
  let bound = horizon;
  for (let k = order.length - 1; k >= 0; k--) {
    const operation = operations[order[k] as number] as Operation<I, O>;
    bound = Math.min(bound, operation.return);
    latest[k] = bound;
  }
  let earliest = -Infinity;
  return order.map((index, k) => {
    const operation = operations[index] as Operation<I, O>;
    earliest = Math.max(earliest, operation.call);
    const last = latest[k] as number;
    assert(earliest <= last, "a linearization respects real time: no call after a later return");
    return {
      index,
      operation,
      point: (earliest + last) / 2,
      description: describeLinearizableOperation(model, operation),
    };
  });
}

/** Merges per-partition linearizations by point (stable: ties keep partition order). */
function mergeByPoint<I, O>(
  parts: readonly (readonly LinearizedOperation<I, O>[])[],
): LinearizedOperation<I, O>[] {
  if (parts.length === 1) return (parts[0] as LinearizedOperation<I, O>[]).slice();
  const tagged = parts.flatMap((part, partIndex) =>
    part.map((step, position) => ({ step, partIndex, position })),
  );
  tagged.sort(
    (a, b) => a.step.point - b.step.point || a.partIndex - b.partIndex || a.position - b.position,
  );
  return tagged.map((entry) => entry.step);
}
