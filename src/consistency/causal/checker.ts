// Checkers for histories of a multi-value key-value store: causal consistency by the bad patterns
// of Bouajjani, Enea, Guerraoui, Hamza, "On Verifying Causal Consistency" (POPL 2017, section 3),
// and the session guarantees of Terry et al. (PDIS 1994), both on differentiated histories.

import { integerOption, invalidArgument, requireKnownOptions } from "../../sim/assert.js";
import type { CausalOperation } from "./types.js";

/**
 * A bad pattern of causal consistency. The first four are the paper's patterns for CC on
 * registers (CyclicCO, ThinAirRead, WriteCOInitRead, WriteCORead); the last is their natural
 * extension to reads that return every sibling.
 *
 * - `cyclic-causal-order`: session order plus reads-from has a cycle.
 * - `thin-air-read`: a read returns a value no write to that key wrote.
 * - `write-co-init-read`: a read returns nothing although a write to its key is in its causal past.
 * - `write-co-read`: a read returns a value overwritten by another write in its causal past.
 * - `missing-causal-write`: a write to the key is in the read's causal past, is not overwritten
 *   there, and is not returned (with siblings, every such write must be returned).
 */
export type CausalPattern =
  | "cyclic-causal-order"
  | "thin-air-read"
  | "write-co-init-read"
  | "write-co-read"
  | "missing-causal-write";

/** One bad pattern found, with the operations involved; `message` reads as a sentence. */
export interface CausalViolation {
  readonly pattern: CausalPattern;
  readonly operations: readonly CausalOperation[];
  readonly message: string;
}

/** What {@link checkCausalConsistency} found. Prints (toString) as a readable report. */
export interface CausalCheckResult {
  /** True when no bad pattern was found: the history is causally consistent. */
  readonly ok: boolean;
  readonly violations: readonly CausalViolation[];
  /** Operations the check used (answered operations, and writes of unknown outcome). */
  readonly operationsCount: number;
  /** Edges of session order and reads-from (the causal order is their transitive closure). */
  readonly causalEdgesCount: number;
  toString(): string;
}

/** A session guarantee (Terry et al. 1994). */
export type SessionGuarantee =
  "read-your-writes" | "monotonic-reads" | "monotonic-writes" | "writes-follow-reads";

/** One session guarantee broken, with the operations involved; `message` reads as a sentence. */
export interface SessionViolation {
  readonly guarantee: SessionGuarantee;
  /** The session that observed the violation. */
  readonly session: string;
  readonly operations: readonly CausalOperation[];
  readonly message: string;
}

/** What {@link checkSessionGuarantees} found. Prints (toString) as a readable report. */
export interface SessionCheckResult {
  readonly ok: boolean;
  readonly violations: readonly SessionViolation[];
  readonly sessionsCount: number;
  toString(): string;
}

/** Limits of a check. */
export interface CausalCheckOptions {
  /** Most operations in a history; more is a RangeError (the check is quadratic). Default 10,000. */
  readonly operationsMax?: number;
}

const OPERATIONS_MAX_DEFAULT = 10_000;
/** Node's hook for util.inspect, so console.log of a result prints its report. */
const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/**
 * A short readable form of an operation: session, `#` and its id in the history, what it did, the
 * replica that answered and its call and return times.
 *
 * @example
 * describeCausalOperation(op); // 'alice#0 write post="lunch?" @A [t=0..10]'
 */
export function describeCausalOperation(op: CausalOperation): string {
  const what =
    op.kind === "write"
      ? `write ${op.key}=${JSON.stringify(op.value)}`
      : `read ${op.key} -> {${(op.values ?? []).map((v) => JSON.stringify(v)).join(", ")}}`;
  const where = op.replica === undefined ? "" : ` @${op.replica}`;
  const end = Number.isFinite(op.return) ? String(op.return) : "?";
  return `${op.session}#${op.id} ${what}${where} [t=${op.call}..${end}]`;
}

/** Reachability of a small directed graph: past[i] = every node with a path to i. */
class Closure {
  private readonly words: number;
  private readonly bits: Uint32Array;

  constructor(
    readonly size: number,
    predecessors: readonly (readonly number[])[],
  ) {
    this.words = Math.ceil(size / 32);
    this.bits = new Uint32Array(this.words * size);
    const stack: number[] = [];
    for (let node = 0; node < size; node++) {
      const base = node * this.words;
      stack.length = 0;
      for (const p of predecessors[node] ?? []) stack.push(p);
      while (stack.length > 0) {
        const next = stack.pop() as number;
        const word = base + (next >>> 5);
        const mask = 1 << (next & 31);
        if ((this.bits[word] as number) & mask) continue;
        this.bits[word] = (this.bits[word] as number) | mask;
        for (const p of predecessors[next] ?? []) stack.push(p);
      }
    }
  }

  /** True when `a` is in the causal past of `b` (a path a -> ... -> b). */
  before(a: number, b: number): boolean {
    return (((this.bits[b * this.words + (a >>> 5)] as number) >>> (a & 31)) & 1) === 1;
  }
}

/** The history prepared for both checkers: included operations, orders and the causal closure. */
interface Prepared {
  readonly ops: readonly CausalOperation[];
  /** Operation indices per session, in session order. */
  readonly sessions: ReadonlyMap<string, readonly number[]>;
  /** key -> value -> index of the write. */
  readonly writers: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** key -> indices of writes to it. */
  readonly writesByKey: ReadonlyMap<string, readonly number[]>;
  readonly closure: Closure;
  readonly edgesCount: number;
}

function validateOperation(op: unknown, position: number): CausalOperation {
  const name = `history[${position}]`;
  if (typeof op !== "object" || op === null) throw invalidArgument(name, "an operation", op);
  const o = op as CausalOperation;
  if (o.kind !== "read" && o.kind !== "write") {
    throw invalidArgument(`${name}.kind`, '"read" or "write"', o.kind);
  }
  if (typeof o.session !== "string")
    throw invalidArgument(`${name}.session`, "a string", o.session);
  if (typeof o.key !== "string") throw invalidArgument(`${name}.key`, "a string", o.key);
  if (o.kind === "write" && typeof o.value !== "string") {
    throw invalidArgument(`${name}.value`, "a string (writes carry their value)", o.value);
  }
  if (o.kind === "read" && o.status === "ok" && !Array.isArray(o.values)) {
    throw invalidArgument(`${name}.values`, "an array of strings (answered reads)", o.values);
  }
  if (o.status !== "ok" && o.status !== "error" && o.status !== "unknown") {
    throw invalidArgument(`${name}.status`, '"ok", "error" or "unknown"', o.status);
  }
  if (typeof o.call !== "number" || Number.isNaN(o.call)) {
    throw invalidArgument(`${name}.call`, "a number", o.call);
  }
  if (typeof o.return !== "number" || Number.isNaN(o.return) || o.return < o.call) {
    throw invalidArgument(`${name}.return`, `a number >= call (${o.call})`, o.return);
  }
  return o;
}

/**
 * Keeps answered operations and writes of unknown outcome (they may have taken effect: a read may
 * return their value); refused operations and unanswered reads carry no information.
 */
function prepare(history: readonly CausalOperation[], options: CausalCheckOptions): Prepared {
  if (!Array.isArray(history)) throw invalidArgument("history", "an array of operations", history);
  const known = requireKnownOptions("causal check options", options, ["operationsMax"]);
  const operationsMax = integerOption(
    "operationsMax",
    known.operationsMax,
    OPERATIONS_MAX_DEFAULT,
    1,
  );
  if (history.length > operationsMax) {
    throw invalidArgument(
      "history length",
      `at most operationsMax=${operationsMax} operations (raise operationsMax)`,
      history.length,
    );
  }
  const ops = history
    .map((op, i) => validateOperation(op, i))
    .filter((op) => op.status === "ok" || (op.status === "unknown" && op.kind === "write"));
  const bySession = new Map<string, number[]>();
  ops.forEach((op, i) => {
    const list = bySession.get(op.session) ?? [];
    list.push(i);
    bySession.set(op.session, list);
  });
  for (const [session, list] of bySession) {
    list.sort(
      (a, b) => (ops[a] as CausalOperation).call - (ops[b] as CausalOperation).call || a - b,
    );
    for (let k = 1; k < list.length; k++) {
      const prev = ops[list[k - 1] as number] as CausalOperation;
      const next = ops[list[k] as number] as CausalOperation;
      if (prev.return > next.call) {
        throw new RangeError(
          `session ${JSON.stringify(session)} has overlapping operations ` +
            `(${describeCausalOperation(prev)} and ${describeCausalOperation(next)}); ` +
            "a session issues one operation at a time",
        );
      }
    }
  }
  const writers = new Map<string, Map<string, number>>();
  const writesByKey = new Map<string, number[]>();
  ops.forEach((op, i) => {
    if (op.kind !== "write") return;
    const byValue = writers.get(op.key) ?? new Map<string, number>();
    const value = op.value as string;
    const earlier = byValue.get(value);
    if (earlier !== undefined) {
      throw new RangeError(
        `the checkers need a differentiated history (each value written once per key), but ` +
          `${JSON.stringify(value)} is written to ${JSON.stringify(op.key)} twice: ` +
          `${describeCausalOperation(ops[earlier] as CausalOperation)} and ${describeCausalOperation(op)}`,
      );
    }
    byValue.set(value, i);
    writers.set(op.key, byValue);
    writesByKey.set(op.key, [...(writesByKey.get(op.key) ?? []), i]);
  });
  // Causal order = (session order U reads-from)+. Immediate predecessors suffice for the closure.
  const predecessors: number[][] = ops.map(() => []);
  let edgesCount = 0;
  for (const list of bySession.values()) {
    for (let k = 1; k < list.length; k++) {
      (predecessors[list[k] as number] as number[]).push(list[k - 1] as number);
      edgesCount++;
    }
  }
  ops.forEach((op, i) => {
    if (op.kind !== "read") return;
    for (const value of op.values ?? []) {
      const w = writers.get(op.key)?.get(value);
      if (w === undefined) continue; // a thin-air read; reported by the causal checker
      (predecessors[i] as number[]).push(w);
      edgesCount++;
    }
  });
  return {
    ops,
    sessions: bySession,
    writers,
    writesByKey,
    closure: new Closure(ops.length, predecessors),
    edgesCount,
  };
}

/** True when read `r` reflects write `w`: returns its value, or a value written causally after it. */
function reflects(p: Prepared, r: number, w: number): boolean {
  const read = p.ops[r] as CausalOperation;
  const write = p.ops[w] as CausalOperation;
  for (const value of read.values ?? []) {
    const writer = p.writers.get(read.key)?.get(value);
    if (writer === undefined) continue;
    if (writer === w) return true;
    if (p.closure.before(w, writer)) return true;
  }
  return read.key !== write.key;
}

function withReport<T extends { readonly message: string }>(
  ok: boolean,
  violations: readonly T[],
  header: string,
): string {
  if (ok) return `${header}: ok`;
  const lines = violations.map((v, i) => `  ${i + 1}. ${v.message}`);
  return [`${header}: ${violations.length} violation(s)`, ...lines].join("\n");
}

/**
 * Checks a differentiated history against causal consistency (CC), reporting every bad pattern
 * with the operations involved. Reads return sets of siblings: each value of a read comes from the
 * write of that value to the same key (reads-from); the causal order is the transitive closure of
 * session order and reads-from.
 *
 * @param history - operations of all sessions (see {@link CausalOperation}); values unique per key.
 * @throws RangeError for a malformed operation, a value written twice to one key, overlapping
 *   operations in one session, or more than `operationsMax` operations.
 *
 * @example
 * const result = checkCausalConsistency(cluster.history);
 * console.log(result.ok ? "causal" : result.toString());
 */
export function checkCausalConsistency(
  history: readonly CausalOperation[],
  options: CausalCheckOptions = {},
): CausalCheckResult {
  const p = prepare(history, options);
  const { ops, closure } = p;
  const violations: CausalViolation[] = [];
  const add = (pattern: CausalPattern, indices: readonly number[], message: string): void => {
    violations.push({
      pattern,
      operations: indices.map((i) => ops[i] as CausalOperation),
      message,
    });
  };
  const d = (i: number): string => describeCausalOperation(ops[i] as CausalOperation);

  // CyclicCO: one violation per strongly connected component of the causal order.
  const inCycle = new Set<number>();
  for (let i = 0; i < ops.length; i++) {
    if (inCycle.has(i) || !closure.before(i, i)) continue;
    const component: number[] = [];
    for (let j = 0; j < ops.length; j++) {
      if (closure.before(i, j) && closure.before(j, i)) component.push(j);
    }
    for (const j of component) inCycle.add(j);
    add(
      "cyclic-causal-order",
      component,
      `cyclic causal order: ${component.map(d).join(", ")} each causally precede one another ` +
        "(a read returns a value written in its own causal future)",
    );
  }

  for (let r = 0; r < ops.length; r++) {
    const read = ops[r] as CausalOperation;
    if (read.kind !== "read" || inCycle.has(r)) continue;
    const values = read.values ?? [];
    for (const value of values) {
      if (p.writers.get(read.key)?.get(value) === undefined) {
        add(
          "thin-air-read",
          [r],
          `thin-air read: ${d(r)} returns ${JSON.stringify(value)}, which no write to ` +
            `${JSON.stringify(read.key)} wrote`,
        );
      }
    }
    const pastWrites = (p.writesByKey.get(read.key) ?? []).filter((w) => closure.before(w, r));
    if (values.length === 0) {
      if (pastWrites.length > 0) {
        const latest = pastWrites.filter((w) => !pastWrites.some((u) => closure.before(w, u)));
        add(
          "write-co-init-read",
          [...latest, r],
          `${d(r)} returns nothing, yet ${latest.map(d).join(" and ")} ` +
            `${latest.length === 1 ? "is" : "are"} in its causal past`,
        );
      }
      continue;
    }
    const returned = values
      .map((value) => p.writers.get(read.key)?.get(value))
      .filter((w): w is number => w !== undefined);
    const overwriters = new Set<number>();
    for (const w of returned) {
      const overwriter = pastWrites.find((u) => u !== w && closure.before(w, u));
      if (overwriter !== undefined) {
        overwriters.add(overwriter);
        add(
          "write-co-read",
          [w, overwriter, r],
          `${d(r)} returns ${JSON.stringify(ops[w]?.value)}, which ${d(overwriter)} ` +
            "overwrote in the read's causal past",
        );
      }
    }
    for (const w of pastWrites) {
      if (returned.includes(w) || overwriters.has(w)) continue; // reported as write-co-read
      if (pastWrites.some((u) => u !== w && closure.before(w, u))) continue; // overwritten: fine
      if (returned.some((u) => closure.before(w, u))) continue;
      add(
        "missing-causal-write",
        [w, r],
        `${d(r)} misses ${d(w)}: it is in the read's causal past, nothing there overwrote it, ` +
          "so it must be among the siblings",
      );
    }
  }
  const ok = violations.length === 0;
  const result = {
    ok,
    violations,
    operationsCount: ops.length,
    causalEdgesCount: p.edgesCount,
    toString: () => withReport(ok, violations, `causal consistency, ${ops.length} operations`),
  };
  Object.defineProperty(result, INSPECT, { value: result.toString, enumerable: false });
  return result;
}

/**
 * Checks the four session guarantees of Terry et al. (1994) per session, on a differentiated
 * history whose reads return every sibling (so a write is visible to a read exactly when the read
 * returns its value or a value written causally after it):
 *
 * - read your writes: a read reflects the session's latest earlier write to its key;
 * - monotonic reads: a read reflects every value the session's previous read of that key returned;
 * - monotonic writes: once a session has read a value written by another session, its later reads
 *   reflect that writer's earlier writes;
 * - writes follow reads: once a session has read a value written by another session, its later
 *   reads reflect what that writer had read before writing it.
 *
 * The last two are checked on what a session observed directly; the causal checker covers the
 * transitive cases.
 *
 * @example
 * const result = checkSessionGuarantees(cluster.history);
 * for (const v of result.violations) console.log(v.message);
 */
export function checkSessionGuarantees(
  history: readonly CausalOperation[],
  options: CausalCheckOptions = {},
): SessionCheckResult {
  const p = prepare(history, options);
  const { ops } = p;
  const violations: SessionViolation[] = [];
  const d = (i: number): string => describeCausalOperation(ops[i] as CausalOperation);
  const add = (
    guarantee: SessionGuarantee,
    session: string,
    indices: readonly number[],
    message: string,
  ): void => {
    violations.push({
      guarantee,
      session,
      operations: indices.map((i) => ops[i] as CausalOperation),
      message: `${guarantee} (${session}): ${message}`,
    });
  };
  const okWrite = (i: number): boolean => {
    const op = ops[i] as CausalOperation;
    return op.kind === "write" && op.status === "ok";
  };

  interface Obligation {
    readonly write: number;
    readonly guarantee: "monotonic-writes" | "writes-follow-reads";
    /** The write the session observed, and the read that observed it. */
    readonly observed: number;
    readonly observer: number;
    /** For writes-follow-reads: the writer's read that returned `write`. */
    readonly writerRead?: number;
  }

  for (const [session, list] of p.sessions) {
    const lastWrite = new Map<string, number>();
    const lastRead = new Map<string, number>();
    const obligations = new Map<string, Obligation[]>();
    for (const i of list) {
      const op = ops[i] as CausalOperation;
      if (op.kind === "write") {
        if (okWrite(i)) lastWrite.set(op.key, i);
        continue;
      }
      const own = lastWrite.get(op.key);
      if (own !== undefined && !reflects(p, i, own)) {
        add(
          "read-your-writes",
          session,
          [own, i],
          `${d(i)} does not reflect the session's ${d(own)}`,
        );
      }
      const previous = lastRead.get(op.key);
      if (previous !== undefined) {
        for (const value of (ops[previous] as CausalOperation).values ?? []) {
          const w = p.writers.get(op.key)?.get(value);
          if (w !== undefined && !reflects(p, i, w)) {
            add(
              "monotonic-reads",
              session,
              [previous, i],
              `${d(i)} goes back in time: the session's earlier ${d(previous)} saw ` +
                `${JSON.stringify(value)}`,
            );
          }
        }
      }
      lastRead.set(op.key, i);
      for (const obligation of obligations.get(op.key) ?? []) {
        if (reflects(p, i, obligation.write)) continue;
        const { write, observed, observer } = obligation;
        if (obligation.guarantee === "monotonic-writes") {
          add(
            "monotonic-writes",
            session,
            [write, observed, observer, i],
            `${d(i)} misses ${d(write)}, although the session already saw the same writer's ` +
              `later ${d(observed)} (in ${d(observer)})`,
          );
        } else {
          add(
            "writes-follow-reads",
            session,
            [write, obligation.writerRead as number, observed, observer, i],
            `${d(i)} misses ${d(write)}, which the writer of ${d(observed)} had read ` +
              `(${d(obligation.writerRead as number)}) before writing it; the session saw that ` +
              `write in ${d(observer)}`,
          );
        }
      }
      obligations.delete(op.key);
      // New obligations from the writes this read observed directly.
      for (const value of op.values ?? []) {
        const w = p.writers.get(op.key)?.get(value);
        if (w === undefined) continue;
        const writer = ops[w] as CausalOperation;
        if (writer.session === session) continue;
        const writerList = p.sessions.get(writer.session) ?? [];
        const before = writerList.slice(0, writerList.indexOf(w));
        const latestWrite = new Map<string, number>();
        const latestRead = new Map<string, number>();
        for (const j of before) {
          const earlier = ops[j] as CausalOperation;
          if (okWrite(j)) latestWrite.set(earlier.key, j);
          if (earlier.kind === "read") latestRead.set(earlier.key, j);
        }
        const push = (key: string, obligation: Obligation): void => {
          obligations.set(key, [...(obligations.get(key) ?? []), obligation]);
        };
        for (const [key, j] of latestWrite) {
          if (key === op.key) continue;
          push(key, { write: j, guarantee: "monotonic-writes", observed: w, observer: i });
        }
        for (const [key, j] of latestRead) {
          if (key === op.key) continue;
          for (const seen of (ops[j] as CausalOperation).values ?? []) {
            const w0 = p.writers.get(key)?.get(seen);
            if (w0 === undefined || (ops[w0] as CausalOperation).session === session) continue;
            push(key, {
              write: w0,
              guarantee: "writes-follow-reads",
              observed: w,
              observer: i,
              writerRead: j,
            });
          }
        }
      }
    }
  }
  const ok = violations.length === 0;
  const result = {
    ok,
    violations,
    sessionsCount: p.sessions.size,
    toString: () => withReport(ok, violations, `session guarantees, ${p.sessions.size} sessions`),
  };
  Object.defineProperty(result, INSPECT, { value: result.toString, enumerable: false });
  return result;
}
