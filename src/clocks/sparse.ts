// Counters kept in a Map from id to count, missing ids meaning 0 (Parker et al. 1983; Mattern
// 1988): the shared core of MapVectorClock and VersionVector, for node sets not known in advance.

import { assert, describeValue } from "../sim/assert.js";
import { type ClockOrder, orderFrom, requireCounter, requireNodeId } from "./order.js";

/** @internal Counters by id; only ids with a counter > 0 are stored. */
export type SparseCounters = ReadonlyMap<string, number>;

/** @internal Counters from a plain object, checked; zero entries are dropped. */
export function sparseFrom(what: string, record: unknown): Map<string, number> {
  if (typeof record !== "object" || record === null || Array.isArray(record)) {
    throw new RangeError(
      `${what} must be an object of id -> integer >= 0, got ${describeValue(record)}`,
    );
  }
  const counters = new Map<string, number>();
  for (const key of Object.keys(record).sort()) {
    requireNodeId(`${what} key`, key);
    const value = requireCounter(
      `${what}[${describeValue(key)}]`,
      (record as Record<string, unknown>)[key],
    );
    if (value > 0) counters.set(key, value);
  }
  return counters;
}

/** @internal A copy with `id` one higher. */
export function sparseIncrement(
  counters: SparseCounters,
  id: string,
  what: string,
): Map<string, number> {
  requireNodeId(what, id);
  const next = new Map(counters);
  const value = (counters.get(id) ?? 0) + 1;
  assert(Number.isSafeInteger(value), "a counter stays a safe integer");
  next.set(id, value);
  return next;
}

/** @internal The entrywise maximum with `id` then one higher: the receive rule, one copy. */
export function sparseReceive(
  counters: SparseCounters,
  remote: SparseCounters,
  id: string,
  what: string,
): Map<string, number> {
  requireNodeId(what, id);
  const next = sparseMerge(counters, remote);
  const value = (next.get(id) ?? 0) + 1;
  assert(Number.isSafeInteger(value), "a counter stays a safe integer");
  next.set(id, value);
  return next;
}

/** @internal The entrywise maximum. */
export function sparseMerge(a: SparseCounters, b: SparseCounters): Map<string, number> {
  const merged = new Map(a);
  for (const [id, value] of b) {
    const mine = merged.get(id);
    if (mine === undefined || value > mine) merged.set(id, value);
  }
  return merged;
}

/** @internal The order of a against b, missing ids being 0. */
export function sparseCompare(a: SparseCounters, b: SparseCounters): ClockOrder {
  let anyLess = false;
  let anyGreater = false;
  for (const [id, value] of a) {
    const theirs = b.get(id) ?? 0;
    if (value > theirs) anyGreater = true;
    else if (value < theirs) anyLess = true;
  }
  for (const [id, value] of b) {
    if (!a.has(id) && value > 0) anyLess = true;
  }
  return orderFrom(anyLess, anyGreater);
}

/** @internal The counters as a plain object with ids in sorted order. */
export function sparseToObject(counters: SparseCounters): Record<string, number> {
  const record: Record<string, number> = {};
  for (const id of [...counters.keys()].sort()) record[id] = counters.get(id) as number;
  return record;
}

/** @internal `{A:1, C:2}`, ids sorted. */
export function sparseToString(counters: SparseCounters): string {
  const parts = [...counters.keys()].sort().map((id) => `${id}:${counters.get(id) as number}`);
  return `{${parts.join(", ")}}`;
}
