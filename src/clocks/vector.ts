// Vector clocks over a known node set, as a dense array (Fidge 1988; Mattern 1988): entry i
// counts the events of node i that happened before; a < b iff a <= b entrywise and a != b.

import { assert, describeValue } from "../sim/assert.js";
import type { NodeId } from "../sim/types.js";
import { type ClockOrder, orderFrom, requireCounter, requireNodeId } from "./order.js";

/** Most nodes in one vector clock. */
export const VECTOR_CLOCK_NODES_MAX = 100_000;

/** The JSON form of a {@link VectorClock}: node ids in order and one counter per node. */
export interface VectorClockJSON {
  readonly nodes: readonly NodeId[];
  readonly counters: readonly number[];
}

/** Distinct node sets interned, so clocks over the same ids usually share one NodeSet object. */
const INTERNED_MAX = 1_000;
const interned = new Map<string, NodeSet>();

/**
 * The node set for `ids`, checked: the interned one when these ids were seen before, so comparing
 * node sets is mostly a reference check (comparing id arrays costs more than the clock operation).
 */
function nodeSetOf(what: string, ids: unknown): NodeSet {
  const key = Array.isArray(ids) ? JSON.stringify(ids) : undefined;
  const known = key === undefined ? undefined : interned.get(key);
  if (known !== undefined) return known;
  const nodeSet = new NodeSet(what, ids);
  if (key !== undefined && interned.size < INTERNED_MAX) interned.set(key, nodeSet);
  return nodeSet;
}

/** The node set of dense clocks: ids in order and their positions. Shared by derived clocks. */
class NodeSet {
  readonly ids: readonly NodeId[];
  readonly positions: ReadonlyMap<NodeId, number>;

  constructor(what: string, ids: unknown) {
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > VECTOR_CLOCK_NODES_MAX) {
      throw new RangeError(
        `${what} must be an array of 1 to ${VECTOR_CLOCK_NODES_MAX} node ids, got ${describeValue(ids)}`,
      );
    }
    const positions = new Map<NodeId, number>();
    ids.forEach((id: unknown, i) => {
      const node = requireNodeId(`${what}[${i}]`, id);
      if (positions.has(node)) {
        throw new RangeError(`${what} must not repeat a node id, got ${describeValue(node)} twice`);
      }
      positions.set(node, i);
    });
    this.ids = Object.freeze([...(ids as NodeId[])]);
    this.positions = positions;
  }

  /** True when both sets hold the same ids in the same order. */
  sameAs(other: NodeSet): boolean {
    if (other === this) return true;
    if (other.ids.length !== this.ids.length) return false;
    return this.ids.every((id, i) => other.ids[i] === id);
  }
}

/**
 * A vector clock over a fixed, known set of nodes, stored as one counter per node in a dense
 * array: the fast representation (see `MapVectorClock` for growing node sets).
 *
 * Clocks are immutable values: `increment`, `merge` and `receive` return a new clock and never
 * change the one they are called on. A clock stored in a version, put in a message or kept in a
 * history therefore cannot be changed behind its holder's back (an in-place `merge`, as in many
 * sketches, silently rewrites every place that shares the object). Copying the array costs one
 * allocation per operation, which is cheap for the tens of nodes vector clocks are used with.
 *
 * The rules of a process p (Fidge 1988; Mattern 1988): before a local event or a send,
 * `clock = clock.increment(p)`; a message carries the clock; on receipt,
 * `clock = clock.receive(p, message.clock)` (merge, then increment: the receipt is an event too).
 *
 * Two clocks can only be combined or compared if they have the same node ids in the same order;
 * anything else is a RangeError naming both sets.
 *
 * @example
 * const a0 = VectorClock.zero(["A", "B", "C"]);
 * const a1 = a0.increment("A");            // [1,0,0]: A sends a message carrying a1
 * const b1 = a0.increment("B");            // [0,1,0]: B does something on its own
 * const b2 = b1.receive("B", a1);          // [1,2,0]: B receives A's message
 * a1.compare(b2);                          // "before"
 * a1.concurrentWith(b1);                   // true
 * VectorClock.fromJSON(JSON.parse(JSON.stringify(b2))).equals(b2); // true
 */
export class VectorClock {
  private readonly nodeSet: NodeSet;
  // invariant: counters.length === nodeSet.ids.length; every entry is a safe integer >= 0.
  private readonly counters: readonly number[];

  private constructor(nodeSet: NodeSet, counters: readonly number[]) {
    assert(counters.length === nodeSet.ids.length, "one counter per node");
    this.nodeSet = nodeSet;
    this.counters = counters;
  }

  /**
   * The clock of no events: every counter 0.
   *
   * @param nodes - the node ids, in the order counters are shown; non-empty strings, no repeats.
   * @example
   * VectorClock.zero(["A", "B"]).toString(); // "[0,0]"
   */
  static zero(nodes: readonly NodeId[]): VectorClock {
    const nodeSet = nodeSetOf("nodes", nodes);
    return new VectorClock(nodeSet, new Array<number>(nodeSet.ids.length).fill(0));
  }

  /**
   * A clock with the given counters; nodes missing from `counters` are 0.
   *
   * @example
   * VectorClock.from(["A", "B", "C"], { A: 2, C: 1 }).toString(); // "[2,0,1]"
   */
  static from(nodes: readonly NodeId[], counters: Readonly<Record<NodeId, number>>): VectorClock {
    const nodeSet = nodeSetOf("nodes", nodes);
    if (typeof counters !== "object" || counters === null || Array.isArray(counters)) {
      throw new RangeError(
        `counters must be an object of node id -> integer >= 0, got ${describeValue(counters)}`,
      );
    }
    const values = new Array<number>(nodeSet.ids.length).fill(0);
    for (const [node, value] of Object.entries(counters)) {
      const position = nodeSet.positions.get(node);
      if (position === undefined) {
        throw new RangeError(
          `counters has node ${describeValue(node)}, which is not one of the nodes ${describeValue(nodeSet.ids)}`,
        );
      }
      values[position] = requireCounter(`counters[${describeValue(node)}]`, value);
    }
    return new VectorClock(nodeSet, values);
  }

  /**
   * Reads a clock back from its JSON form ({@link VectorClock.toJSON}), checking every field.
   *
   * @throws RangeError naming the bad field and value.
   * @example
   * VectorClock.fromJSON({ nodes: ["A", "B"], counters: [1, 0] }).get("A"); // 1
   */
  static fromJSON(json: unknown): VectorClock {
    if (typeof json !== "object" || json === null || Array.isArray(json)) {
      throw new RangeError(
        `VectorClock JSON must be an object { nodes, counters }, got ${describeValue(json)}`,
      );
    }
    const { nodes, counters, ...rest } = json as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0) {
      throw new RangeError(
        `VectorClock JSON has unknown field ${describeValue(extra[0])}; allowed: nodes, counters`,
      );
    }
    const nodeSet = nodeSetOf("VectorClock JSON nodes", nodes);
    if (!Array.isArray(counters) || counters.length !== nodeSet.ids.length) {
      throw new RangeError(
        `VectorClock JSON counters must be an array of ${nodeSet.ids.length} integers >= 0 (one per node), got ${describeValue(counters)}`,
      );
    }
    const values = counters.map((value: unknown, i) =>
      requireCounter(`VectorClock JSON counters[${i}]`, value),
    );
    return new VectorClock(nodeSet, values);
  }

  /** The node ids, in counter order. */
  get nodes(): readonly NodeId[] {
    return this.nodeSet.ids;
  }

  /** The counter of `node`: how many of its events this clock has seen. */
  get(node: NodeId): number {
    return this.counters[this.positionOf(node)] as number;
  }

  /**
   * A new clock with `node`'s counter one higher: the rule before a local event or a send.
   * The result is strictly after this clock.
   */
  increment(node: NodeId): VectorClock {
    const position = this.positionOf(node);
    const counters = this.counters.slice();
    const value = (counters[position] as number) + 1;
    assert(Number.isSafeInteger(value), "a vector clock counter stays a safe integer");
    counters[position] = value;
    return new VectorClock(this.nodeSet, counters);
  }

  /**
   * The entrywise maximum of both clocks: the least clock that is at or after both (their least
   * upper bound). Merging is commutative, associative and idempotent. It does not count an event:
   * on receiving a message use {@link VectorClock.receive}.
   */
  merge(other: VectorClock): VectorClock {
    this.requireSameNodes(other, "merge");
    const mine = this.counters;
    const theirs = other.counters;
    const counters = new Array<number>(mine.length);
    for (let i = 0; i < mine.length; i++) {
      const a = mine[i] as number;
      const b = theirs[i] as number;
      counters[i] = a >= b ? a : b;
    }
    return new VectorClock(this.nodeSet, counters);
  }

  /**
   * The rule on receiving a message stamped `remote` at node `node`: merge, then increment
   * `node` (the receipt is itself an event, so it comes strictly after both the send and
   * everything `node` did before).
   */
  receive(node: NodeId, remote: VectorClock): VectorClock {
    const position = this.positionOf(node);
    const merged = this.merge(remote);
    const counters = merged.counters as number[];
    const value = (counters[position] as number) + 1;
    assert(Number.isSafeInteger(value), "a vector clock counter stays a safe integer");
    counters[position] = value;
    return merged;
  }

  /**
   * How this clock relates to `other`: `"before"` when every counter is <= and one is <,
   * `"after"` the other way round, `"equal"`, or `"concurrent"` when each has a counter above the
   * other's.
   *
   * @throws RangeError when the node sets differ.
   */
  compare(other: VectorClock): ClockOrder {
    this.requireSameNodes(other, "compare with");
    const mine = this.counters;
    const theirs = other.counters;
    let anyLess = false;
    let anyGreater = false;
    for (let i = 0; i < mine.length; i++) {
      const a = mine[i] as number;
      const b = theirs[i] as number;
      if (a < b) anyLess = true;
      else if (a > b) anyGreater = true;
    }
    return orderFrom(anyLess, anyGreater);
  }

  /** True when this clock is strictly before `other` (`compare` gives `"before"`). */
  happenedBefore(other: VectorClock): boolean {
    return this.compare(other) === "before";
  }

  /** True when neither clock is at or before the other. Equal clocks are not concurrent. */
  concurrentWith(other: VectorClock): boolean {
    return this.compare(other) === "concurrent";
  }

  /** True when both clocks have the same counters (and node set). */
  equals(other: VectorClock): boolean {
    return this.compare(other) === "equal";
  }

  /** A copy of the counters, in node order. */
  toArray(): number[] {
    return this.counters.slice();
  }

  /** The counters by node id. */
  toObject(): Record<NodeId, number> {
    const entries: Record<NodeId, number> = {};
    this.nodeSet.ids.forEach((id, i) => (entries[id] = this.counters[i] as number));
    return entries;
  }

  /** The JSON form: `{ nodes, counters }`; read it back with {@link VectorClock.fromJSON}. */
  toJSON(): VectorClockJSON {
    return { nodes: this.nodeSet.ids.slice(), counters: this.counters.slice() };
  }

  /** The counters in node order, as `[1,0,2]` (the textbook notation). */
  toString(): string {
    return `[${this.counters.join(",")}]`;
  }

  private positionOf(node: NodeId): number {
    const position = this.nodeSet.positions.get(node);
    if (position === undefined) {
      throw new RangeError(
        `node ${describeValue(node)} is not in this vector clock's nodes ${describeValue(this.nodeSet.ids)}`,
      );
    }
    return position;
  }

  private requireSameNodes(other: VectorClock, action: string): void {
    if (!(other instanceof VectorClock)) {
      throw new RangeError(
        `cannot ${action} a VectorClock: expected a VectorClock, got ${describeValue(other)}`,
      );
    }
    if (!this.nodeSet.sameAs(other.nodeSet)) {
      throw new RangeError(
        `cannot ${action} a vector clock over different nodes: ${describeValue(this.nodeSet.ids)} vs ${describeValue(other.nodeSet.ids)}`,
      );
    }
  }
}
