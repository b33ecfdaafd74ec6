// State-based counter CRDTs: the G-counter and the PN-counter of Shapiro, Preguiça, Baquero and
// Zawirski 2011 (§3.1, "Specification 6 and 7"): one entry per replica, merged by pointwise max.

import { assert, describeValue, invalidArgument, requireIntegerAtLeast } from "../sim/assert.js";

/**
 * A grow-only counter: each replica counts its own increments in its own entry; the value is the
 * sum of the entries. Immutable: `increment` and `merge` return a new counter.
 *
 * Why merging never loses an increment: an entry is only ever raised by its owner, so the largest
 * value seen for an entry already includes every smaller one; `max` keeps it, and `max` is
 * commutative, associative and idempotent, so gossip in any order, duplicated or delayed,
 * converges to the same state.
 *
 * @example
 * const a = GCounter.empty().increment("r1").increment("r1");
 * const b = GCounter.empty().increment("r2");
 * a.merge(b).value(); // 3
 * a.merge(b).merge(b).value(); // 3: merging twice changes nothing
 */
export class GCounter {
  // invariant: every entry is an integer >= 1 (zero entries are not stored).
  private readonly entries: ReadonlyMap<string, number>;

  private constructor(entries: ReadonlyMap<string, number>) {
    this.entries = entries;
  }

  /** The counter at zero. */
  static empty(): GCounter {
    return new GCounter(new Map());
  }

  /**
   * A counter from plain entries (as sent over the wire by {@link GCounter.toJSON}).
   * @throws RangeError for an entry that is not an integer >= 0.
   */
  static fromJSON(entries: Readonly<Record<string, number>>): GCounter {
    if (typeof entries !== "object" || entries === null || Array.isArray(entries)) {
      throw invalidArgument("G-counter entries", "an object of replica id -> count", entries);
    }
    const map = new Map<string, number>();
    for (const [replica, count] of Object.entries(entries)) {
      requireIntegerAtLeast(`G-counter entry ${describeValue(replica)}`, count, 0);
      if (count > 0) map.set(replica, count);
    }
    return new GCounter(map);
  }

  /** The counter after `replica` counts `amount` more (default 1). */
  increment(replica: string, amount = 1): GCounter {
    if (typeof replica !== "string" || replica.length === 0) {
      throw invalidArgument("replica", "a non-empty string", replica);
    }
    requireIntegerAtLeast("amount", amount, 1);
    const next = new Map(this.entries);
    next.set(replica, (next.get(replica) ?? 0) + amount);
    return new GCounter(next);
  }

  /** The entry of one replica: how many increments it made that this state knows of. */
  countOf(replica: string): number {
    return this.entries.get(replica) ?? 0;
  }

  /** The counter value: the sum of the entries. */
  value(): number {
    let sum = 0;
    for (const count of this.entries.values()) sum += count;
    return sum;
  }

  /** The least upper bound of both states: the pointwise maximum of the entries. */
  merge(other: GCounter): GCounter {
    const next = new Map(this.entries);
    for (const [replica, count] of other.entries) {
      next.set(replica, Math.max(next.get(replica) ?? 0, count));
    }
    const merged = new GCounter(next);
    assert(merged.value() >= this.value(), "a merge never lowers a G-counter");
    assert(merged.value() >= other.value(), "a merge never lowers a G-counter");
    return merged;
  }

  /** True when this state includes everything `other` knows (`other <= this` pointwise). */
  includes(other: GCounter): boolean {
    for (const [replica, count] of other.entries) {
      if (this.countOf(replica) < count) return false;
    }
    return true;
  }

  /** Same entries. */
  equals(other: GCounter): boolean {
    return this.includes(other) && other.includes(this);
  }

  /** Plain entries, sorted by replica id, for messages and display. */
  toJSON(): Record<string, number> {
    const sorted = [...this.entries.keys()].sort();
    return Object.fromEntries(sorted.map((replica) => [replica, this.entries.get(replica) ?? 0]));
  }
}

/**
 * A counter that goes up and down: two G-counters, one for increments (`positive`) and one for
 * decrements (`negative`); the value is their difference. A single signed entry per replica would
 * not work: `max` of a count that went down would pick the stale higher value.
 *
 * @example
 * const a = PNCounter.empty().increment("r1").increment("r1");
 * const b = PNCounter.empty().decrement("r2");
 * a.merge(b).value(); // 1
 */
export class PNCounter {
  private constructor(
    /** Increments per replica. */
    readonly positive: GCounter,
    /** Decrements per replica. */
    readonly negative: GCounter,
  ) {}

  /** The counter at zero. */
  static empty(): PNCounter {
    return new PNCounter(GCounter.empty(), GCounter.empty());
  }

  /** A counter from the plain form of {@link PNCounter.toJSON}. */
  static fromJSON(state: {
    readonly positive: Readonly<Record<string, number>>;
    readonly negative: Readonly<Record<string, number>>;
  }): PNCounter {
    if (typeof state !== "object" || state === null) {
      throw invalidArgument("PN-counter state", "{ positive, negative }", state);
    }
    return new PNCounter(GCounter.fromJSON(state.positive), GCounter.fromJSON(state.negative));
  }

  /** The counter after `replica` adds `amount` (default 1). */
  increment(replica: string, amount = 1): PNCounter {
    return new PNCounter(this.positive.increment(replica, amount), this.negative);
  }

  /** The counter after `replica` subtracts `amount` (default 1). */
  decrement(replica: string, amount = 1): PNCounter {
    return new PNCounter(this.positive, this.negative.increment(replica, amount));
  }

  /** Increments minus decrements. */
  value(): number {
    return this.positive.value() - this.negative.value();
  }

  /** Pointwise maximum of both halves. */
  merge(other: PNCounter): PNCounter {
    return new PNCounter(this.positive.merge(other.positive), this.negative.merge(other.negative));
  }

  /** True when this state includes everything `other` knows. */
  includes(other: PNCounter): boolean {
    return this.positive.includes(other.positive) && this.negative.includes(other.negative);
  }

  /** Same entries in both halves. */
  equals(other: PNCounter): boolean {
    return this.positive.equals(other.positive) && this.negative.equals(other.negative);
  }

  /** Plain form, for messages and display. */
  toJSON(): { positive: Record<string, number>; negative: Record<string, number> } {
    return { positive: this.positive.toJSON(), negative: this.negative.toJSON() };
  }
}
