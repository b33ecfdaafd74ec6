// Version vectors (Parker et al., "Detection of Mutual Inconsistency in Distributed Systems",
// 1983): per replica, how many of its updates a version includes; incomparable versions conflict.

import { describeValue } from "../sim/assert.js";
import type { NodeId } from "../sim/types.js";
import type { ClockOrder } from "./order.js";
import {
  type SparseCounters,
  sparseCompare,
  sparseFrom,
  sparseIncrement,
  sparseMerge,
  sparseToObject,
  sparseToString,
} from "./sparse.js";

/**
 * The version of a replicated object: for each replica, how many updates it coordinated that
 * this version includes. Unlike a vector clock, it counts updates only: a replica that receives
 * another's state merges the vectors and does NOT increment (a sync is not an update), so two
 * replicas that exchanged the same updates end with equal vectors.
 *
 * Immutable: every operation returns a new vector. Replica ids are open-ended (a Map inside),
 * as in Dynamo, where any node of the preference list may coordinate a write.
 *
 * - `a.dominates(b)`: a includes every update b includes (a >= b); b's value can be dropped.
 * - `a.concurrentWith(b)`: each has an update the other lacks: the versions conflict and both
 *   must be kept as siblings (see {@link reconcileSiblings}) for the application to resolve.
 *
 * @example
 * const base = VersionVector.empty().increment("r1");   // {r1:1}
 * const x = base.increment("r1");                        // {r1:2}  updated on r1
 * const y = base.increment("r2");                        // {r1:1, r2:1}  updated on r2
 * x.concurrentWith(y);                                   // true: siblings
 * const resolved = x.merge(y).increment("r1");           // {r1:3, r2:1}: a write that read both
 * resolved.dominates(x) && resolved.dominates(y);        // true
 */
export class VersionVector {
  // invariant: every stored counter is a safe integer > 0 (zero entries are not stored).
  private readonly counters: SparseCounters;

  private constructor(counters: SparseCounters) {
    this.counters = counters;
  }

  /** The version of an object no replica has updated. */
  static empty(): VersionVector {
    return new VersionVector(new Map());
  }

  /** A vector with the given counters (replicas missing are 0). */
  static from(counters: Readonly<Record<NodeId, number>>): VersionVector {
    return new VersionVector(sparseFrom("counters", counters));
  }

  /**
   * Reads a vector back from its JSON form, an object of replica id -> integer >= 0.
   *
   * @throws RangeError naming the bad key or value.
   */
  static fromJSON(json: unknown): VersionVector {
    return new VersionVector(sparseFrom("VersionVector JSON", json));
  }

  /** The replicas with a counter above 0, sorted. */
  get replicas(): readonly NodeId[] {
    return [...this.counters.keys()].sort();
  }

  /** How many of `replica`'s updates this version includes (0 if none). */
  get(replica: NodeId): number {
    return this.counters.get(replica) ?? 0;
  }

  /** The version after one more update coordinated by `replica`: strictly after this one. */
  increment(replica: NodeId): VersionVector {
    return new VersionVector(sparseIncrement(this.counters, replica, "replica"));
  }

  /** The entrywise maximum: the least version that includes both (no new update counted). */
  merge(other: VersionVector): VersionVector {
    return new VersionVector(sparseMerge(this.counters, requireVersion(other, "merge").counters));
  }

  /** How this version relates to `other`: before, after, equal or concurrent. */
  compare(other: VersionVector): ClockOrder {
    return sparseCompare(this.counters, requireVersion(other, "compare with").counters);
  }

  /** True when this version includes every update `other` includes (after or equal). */
  dominates(other: VersionVector): boolean {
    const order = this.compare(other);
    return order === "after" || order === "equal";
  }

  /** True when this version is strictly older than `other` (other includes all of it, and more). */
  happenedBefore(other: VersionVector): boolean {
    return this.compare(other) === "before";
  }

  /** True when each version has an update the other lacks: a conflict. */
  concurrentWith(other: VersionVector): boolean {
    return this.compare(other) === "concurrent";
  }

  /** True when both versions include exactly the same updates. */
  equals(other: VersionVector): boolean {
    return this.compare(other) === "equal";
  }

  /** The counters by replica id (only those above 0, ids sorted). */
  toObject(): Record<NodeId, number> {
    return sparseToObject(this.counters);
  }

  /** The JSON form: the counters above 0 by replica id; read it back with `fromJSON`. */
  toJSON(): Record<NodeId, number> {
    return sparseToObject(this.counters);
  }

  /** `{r1:2, r2:1}`, ids sorted, zero counters omitted. */
  toString(): string {
    return sparseToString(this.counters);
  }
}

/** A value with the version vector of the write that produced it. */
export interface VersionedValue<T> {
  readonly value: T;
  readonly version: VersionVector;
}

/**
 * The versions to keep: drops every version that another one dominates strictly, and duplicates
 * of an equal version (keeping the first). What remains are pairwise concurrent siblings, in
 * input order: one when the history is linear, several when writes conflicted. Nothing is chosen
 * by an arbitrary rule (higher value, later timestamp): that is the application's call.
 *
 * @example
 * const v1 = { value: "a", version: VersionVector.from({ r1: 1 }) };
 * const v2 = { value: "b", version: VersionVector.from({ r1: 2 }) };
 * const v3 = { value: "c", version: VersionVector.from({ r1: 1, r2: 1 }) };
 * reconcileSiblings([v1, v2, v3]).map((v) => v.value); // ["b", "c"]
 */
export function reconcileSiblings<T>(versions: readonly VersionedValue<T>[]): VersionedValue<T>[] {
  if (!Array.isArray(versions)) {
    throw new RangeError(
      `versions must be an array of { value, version }, got ${describeValue(versions)}`,
    );
  }
  versions.forEach((candidate, i) => {
    requireVersion(candidate?.version, `reconcile versions[${i}] with`);
  });
  const kept: VersionedValue<T>[] = [];
  versions.forEach((candidate, i) => {
    const beaten = versions.some((other, j) => {
      const order = candidate.version.compare(other.version);
      return order === "before" || (order === "equal" && j < i);
    });
    if (!beaten) kept.push(candidate);
  });
  return kept;
}

function requireVersion(other: unknown, action: string): VersionVector {
  if (!(other instanceof VersionVector)) {
    throw new RangeError(
      `cannot ${action} a VersionVector: expected a VersionVector, got ${describeValue(other)}`,
    );
  }
  return other;
}
