// Vector clocks keyed by node id in a Map (Mattern 1988, with absent entries read as 0), for
// node sets that are unknown or grow; same rules and results as the dense VectorClock.

import { describeValue } from "../sim/assert.js";
import type { NodeId } from "../sim/types.js";
import type { ClockOrder } from "./order.js";
import {
  type SparseCounters,
  sparseCompare,
  sparseFrom,
  sparseIncrement,
  sparseMerge,
  sparseReceive,
  sparseToObject,
  sparseToString,
} from "./sparse.js";

/**
 * A vector clock whose counters live in a Map keyed by node id; a node never seen reads 0, so
 * clocks of different or growing node sets combine freely. Same operations, laws and immutability
 * as {@link VectorClock} (every operation returns a new clock); slower per operation, because it
 * hashes ids and walks two maps instead of indexing two arrays (see bench/clocks.ts).
 *
 * @example
 * const a = MapVectorClock.empty().increment("A");      // {A:1}
 * const b = MapVectorClock.empty().increment("B");      // {B:1}
 * a.concurrentWith(b);                                  // true
 * a.compare(b.receive("B", a));                         // "before": {A:1, B:2}
 * MapVectorClock.fromJSON({ A: 1 }).equals(a);          // true
 */
export class MapVectorClock {
  // invariant: every stored counter is a safe integer > 0 (zero entries are not stored).
  private readonly counters: SparseCounters;

  private constructor(counters: SparseCounters) {
    this.counters = counters;
  }

  /** The clock of no events. */
  static empty(): MapVectorClock {
    return new MapVectorClock(new Map());
  }

  /** A clock with the given counters (ids missing are 0). Same as {@link MapVectorClock.fromJSON}. */
  static from(counters: Readonly<Record<NodeId, number>>): MapVectorClock {
    return new MapVectorClock(sparseFrom("counters", counters));
  }

  /**
   * Reads a clock back from its JSON form, an object of node id -> integer >= 0.
   *
   * @throws RangeError naming the bad key or value.
   */
  static fromJSON(json: unknown): MapVectorClock {
    return new MapVectorClock(sparseFrom("MapVectorClock JSON", json));
  }

  /** The ids with a counter above 0, sorted. */
  get nodes(): readonly NodeId[] {
    return [...this.counters.keys()].sort();
  }

  /** The counter of `node` (0 for a node never seen). */
  get(node: NodeId): number {
    return this.counters.get(node) ?? 0;
  }

  /** A new clock with `node`'s counter one higher: before a local event or a send. */
  increment(node: NodeId): MapVectorClock {
    return new MapVectorClock(sparseIncrement(this.counters, node, "node"));
  }

  /** The entrywise maximum: the least upper bound of both clocks. Counts no event. */
  merge(other: MapVectorClock): MapVectorClock {
    return new MapVectorClock(sparseMerge(this.counters, requireMapClock(other, "merge").counters));
  }

  /** On receiving a message stamped `remote` at node `node`: merge, then increment `node`. */
  receive(node: NodeId, remote: MapVectorClock): MapVectorClock {
    const counters = requireMapClock(remote, "receive").counters;
    return new MapVectorClock(sparseReceive(this.counters, counters, node, "node"));
  }

  /** How this clock relates to `other`: before, after, equal or concurrent. */
  compare(other: MapVectorClock): ClockOrder {
    return sparseCompare(this.counters, requireMapClock(other, "compare with").counters);
  }

  /** True when this clock is strictly before `other`. */
  happenedBefore(other: MapVectorClock): boolean {
    return this.compare(other) === "before";
  }

  /** True when neither clock is at or before the other. Equal clocks are not concurrent. */
  concurrentWith(other: MapVectorClock): boolean {
    return this.compare(other) === "concurrent";
  }

  /** True when both clocks have the same counters. */
  equals(other: MapVectorClock): boolean {
    return this.compare(other) === "equal";
  }

  /** The counters by node id (only those above 0, ids sorted). */
  toObject(): Record<NodeId, number> {
    return sparseToObject(this.counters);
  }

  /** The JSON form: the counters above 0 by node id; read it back with `fromJSON`. */
  toJSON(): Record<NodeId, number> {
    return sparseToObject(this.counters);
  }

  /** `{A:1, C:2}`, ids sorted, zero counters omitted. */
  toString(): string {
    return sparseToString(this.counters);
  }
}

function requireMapClock(other: unknown, action: string): MapVectorClock {
  if (!(other instanceof MapVectorClock)) {
    throw new RangeError(
      `cannot ${action} a MapVectorClock: expected a MapVectorClock, got ${describeValue(other)}`,
    );
  }
  return other;
}
