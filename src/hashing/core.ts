// The storage every ring in src/hashing shares (Karger et al. 1997, §4: points on a circle, a key
// belongs to the first point at or after its hash, clockwise): sorted Uint32Array positions with
// a parallel owner array, found by binary search. Internal: the rings are the public face.

import { assert, describeValue, invalidArgument } from "../sim/assert.js";

/** Number of positions on the ring: hashes are unsigned 32-bit integers. */
export const RING_POSITIONS = 2 ** 32;

/**
 * One point on a ring, as {@link ConsistentHashRing.points} lists them clockwise.
 * `arc` is the share of the circle whose keys this point receives: from the previous point
 * (exclusive) to this one (inclusive), wrapping past 2^32 - 1 to 0 for the first point.
 */
export interface RingPoint<T> {
  /** Position on the ring, 0 to 2^32 - 1. */
  readonly position: number;
  readonly node: T;
  /** The node's name (see the ring's `nodeKey` option). */
  readonly nodeName: string;
  /** The string hashed to place this point, such as `"cache-a-7"`. */
  readonly label: string;
  /** Fraction of the circle this point owns, 0 to 1. 0 for a point shadowed by an equal one. */
  readonly arc: number;
}

/** How much of a ring one node owns: the sum of its points' arcs. */
export interface NodeShare<T> {
  readonly node: T;
  readonly nodeName: string;
  readonly weight: number;
  readonly pointsCount: number;
  /** Fraction of the circle, 0 to 1: the expected fraction of keys the node receives. */
  readonly share: number;
}

/** What the diagram helpers need from a ring: its points and its nodes' shares. */
export interface RingView<T> {
  points(): RingPoint<T>[];
  shares(): NodeShare<T>[];
}

/** One node on a ring. */
export interface Slot<T> {
  readonly node: T;
  readonly name: string;
  readonly weight: number;
  pointsCount: number;
}

/** Most points one node may have (vnodes x weight), and most on one ring. */
export const POINTS_PER_NODE_MAX = 1_000_000;
export const POINTS_MAX = 16_000_000;

/**
 * The name of a node: `nodeKey(node)` if given, else `String(node)`. An object whose `String`
 * is the useless `"[object Object]"` is refused, naming the fix, rather than silently making every
 * object the same node.
 */
export function nameOf<T>(node: T, nodeKey: ((node: T) => string) | undefined): string {
  if (nodeKey !== undefined) {
    const name = nodeKey(node);
    if (typeof name !== "string") throw invalidArgument("options.nodeKey(node)", "a string", name);
    return name;
  }
  const name = String(node);
  if (name === "[object Object]") {
    throw new RangeError(
      `node ${describeValue(node)} has no name: String(node) gives "[object Object]"; ` +
        "pass options.nodeKey, for example (node) => node.id",
    );
  }
  return name;
}

/** Node names quoted for a message, at most 10 of them. */
export function listNames(names: readonly string[]): string {
  if (names.length === 0) return "none";
  const shown = names.slice(0, 10).map((name) => JSON.stringify(name));
  return names.length > 10 ? `${shown.join(", ")} and ${names.length - 10} more` : shown.join(", ");
}

/**
 * Points sorted by position, each with its owner's slot and its index among the owner's points.
 * Equal positions are ordered by the ring's own tie rule (the first one receives the keys).
 */
export class RingCore<T> {
  // invariant: positions is ascending; owners[i] < slots.length; all three arrays share a length.
  positions: Uint32Array = new Uint32Array(0);
  owners: Uint32Array = new Uint32Array(0);
  indexes: Uint32Array = new Uint32Array(0);
  slots: Slot<T>[] = [];
  private readonly slotByName = new Map<string, number>();
  // Stamps for getNodes' "seen" set: a slot was seen in this call iff seen[slot] === stamp.
  private seen = new Uint32Array(0);
  private stamp = 0;
  // invariant: radix[b] = first index with positions[i] >= b << radixShift; radix[last] = count.
  private radix: Uint32Array = new Uint32Array(0);
  private radixShift = 0;

  constructor(private readonly labelOf: (name: string, index: number) => string) {
    this.rebuildRadix();
  }

  get pointsCount(): number {
    return this.positions.length;
  }

  slotOf(name: string): number | undefined {
    return this.slotByName.get(name);
  }

  /** Appends a node with no points yet; returns its slot. */
  addSlot(node: T, name: string, weight: number): number {
    assert(!this.slotByName.has(name), "a node name is on the ring at most once");
    this.slots.push({ node, name, weight, pointsCount: 0 });
    this.slotByName.set(name, this.slots.length - 1);
    if (this.seen.length < this.slots.length) this.seen = new Uint32Array(this.slots.length * 2);
    return this.slots.length - 1;
  }

  /**
   * Merges a node's points into the ring. `packed[i]` is position * 2^20 + index, sorted
   * ascending; on equal positions `firstWins(existingSlot)` says whether an existing point stays
   * ahead of the new node's.
   */
  mergePoints(slot: number, packed: Float64Array, firstWins: (existingSlot: number) => boolean) {
    const newCount = packed.length;
    const newPositions = new Uint32Array(newCount);
    const newIndexes = new Uint32Array(newCount);
    for (let j = 0; j < newCount; j++) {
      const value = packed[j] as number;
      newPositions[j] = Math.floor(value / 1048576);
      newIndexes[j] = value % 1048576;
    }
    const oldPositions = this.positions;
    const oldOwners = this.owners;
    const oldIndexes = this.indexes;
    const oldCount = oldPositions.length;
    const count = oldCount + newCount;
    const positions = new Uint32Array(count);
    const owners = new Uint32Array(count);
    const indexes = new Uint32Array(count);
    let i = 0;
    let j = 0;
    for (let out = 0; out < count; out++) {
      let takeOld: boolean;
      if (i === oldCount) takeOld = false;
      else if (j === newCount) takeOld = true;
      else {
        const oldPosition = oldPositions[i] as number;
        const newPosition = newPositions[j] as number;
        takeOld =
          oldPosition < newPosition ||
          (oldPosition === newPosition && firstWins(oldOwners[i] as number));
      }
      if (takeOld) {
        positions[out] = oldPositions[i] as number;
        owners[out] = oldOwners[i] as number;
        indexes[out] = oldIndexes[i] as number;
        i++;
      } else {
        positions[out] = newPositions[j] as number;
        owners[out] = slot;
        indexes[out] = newIndexes[j] as number;
        j++;
      }
    }
    this.positions = positions;
    this.owners = owners;
    this.indexes = indexes;
    this.rebuildRadix();
    (this.slots[slot] as Slot<T>).pointsCount += newCount;
  }

  /** Replaces every point at once (rings that rebuild on each change, such as ketama). */
  setPoints(positions: Uint32Array, owners: Uint32Array, indexes: Uint32Array): void {
    assert(positions.length === owners.length, "one owner per point");
    assert(positions.length === indexes.length, "one index per point");
    this.positions = positions;
    this.owners = owners;
    this.indexes = indexes;
    this.rebuildRadix();
    for (const slot of this.slots) slot.pointsCount = 0;
    for (let i = 0; i < owners.length; i++)
      (this.slots[owners[i] as number] as Slot<T>).pointsCount++;
  }

  /** Removes a node and its points; later slots move down by one. */
  removeSlot(slot: number): void {
    const removed = this.slots[slot] as Slot<T>;
    const count = this.positions.length - removed.pointsCount;
    const positions = new Uint32Array(count);
    const owners = new Uint32Array(count);
    const indexes = new Uint32Array(count);
    let out = 0;
    for (let i = 0; i < this.positions.length; i++) {
      const owner = this.owners[i] as number;
      if (owner === slot) continue;
      positions[out] = this.positions[i] as number;
      owners[out] = owner > slot ? owner - 1 : owner;
      indexes[out] = this.indexes[i] as number;
      out++;
    }
    assert(out === count, "a removed node takes exactly its own points with it");
    this.positions = positions;
    this.owners = owners;
    this.indexes = indexes;
    this.rebuildRadix();
    this.slots.splice(slot, 1);
    this.slotByName.delete(removed.name);
    for (let s = slot; s < this.slots.length; s++) {
      this.slotByName.set((this.slots[s] as Slot<T>).name, s);
    }
  }

  /**
   * Index of the point that owns `position`: the first at or after it, wrapping to 0. The radix
   * index narrows the search to the points whose top bits match (about half a point on
   * average), so a lookup reads two index entries and one or two positions instead of binary
   * searching the whole ring.
   */
  locate(position: number): number {
    const positions = this.positions;
    const bucket = position >>> this.radixShift;
    let low = this.radix[bucket] as number;
    let high = this.radix[bucket + 1] as number;
    // The answer is in [low, high]: radix[bucket + 1] is the first point at or after the next
    // bucket's start, which is past `position`.
    if (high - low > 8) {
      while (low < high) {
        const middle = (low + high) >>> 1;
        if ((positions[middle] as number) < position) low = middle + 1;
        else high = middle;
      }
    } else {
      while (low < high && (positions[low] as number) < position) low++;
    }
    return low === positions.length ? 0 : low;
  }

  /**
   * Rebuilds the radix index after the points change: `radix[b]` is the first point at or after
   * `b x 2^radixShift`, with 2^bits buckets for about 2 buckets per point (at most 2^20).
   */
  private rebuildRadix(): void {
    const positions = this.positions;
    const count = positions.length;
    const bits = Math.min(20, Math.max(4, Math.ceil(Math.log2(count + 1)) + 1));
    const buckets = 2 ** bits;
    const shift = 32 - bits;
    const radix = new Uint32Array(buckets + 1);
    // Point p is the first at or after the start of every bucket from the one after the previous
    // point's bucket up to its own.
    let bucket = 0;
    for (let point = 0; point < count; point++) {
      const own = (positions[point] as number) >>> shift;
      while (bucket <= own) radix[bucket++] = point;
    }
    while (bucket <= buckets) radix[bucket++] = count;
    this.radix = radix;
    this.radixShift = shift;
  }

  /** Slot of the node that owns `position`. The ring must have points. */
  ownerOf(position: number): number {
    return this.owners[this.locate(position)] as number;
  }

  /** Up to `count` distinct slots, clockwise from the point at `start`. */
  distinctFrom(start: number, count: number): number[] {
    const result: number[] = [];
    const total = this.positions.length;
    const wanted = Math.min(count, this.slots.length);
    this.stamp = (this.stamp + 1) >>> 0;
    if (this.stamp === 0) {
      this.seen.fill(0);
      this.stamp = 1;
    }
    for (let step = 0; step < total && result.length < wanted; step++) {
      let i = start + step;
      if (i >= total) i -= total;
      const owner = this.owners[i] as number;
      if (this.seen[owner] !== this.stamp) {
        this.seen[owner] = this.stamp;
        result.push(owner);
      }
    }
    return result;
  }

  /** Each point's arc: the positions it receives, as a fraction of the circle. */
  arcs(): Float64Array {
    const count = this.positions.length;
    const arcs = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const position = this.positions[i] as number;
      const previous =
        i === 0
          ? (this.positions[count - 1] as number) - RING_POSITIONS
          : (this.positions[i - 1] as number);
      arcs[i] = (position - previous) / RING_POSITIONS;
    }
    return arcs;
  }

  points(): RingPoint<T>[] {
    const arcs = this.arcs();
    const points: RingPoint<T>[] = [];
    for (let i = 0; i < this.positions.length; i++) {
      const slot = this.slots[this.owners[i] as number] as Slot<T>;
      points.push({
        position: this.positions[i] as number,
        node: slot.node,
        nodeName: slot.name,
        label: this.labelOf(slot.name, this.indexes[i] as number),
        arc: arcs[i] as number,
      });
    }
    return points;
  }

  shares(): NodeShare<T>[] {
    const arcs = this.arcs();
    const totals = new Float64Array(this.slots.length);
    for (let i = 0; i < arcs.length; i++) {
      const owner = this.owners[i] as number;
      totals[owner] = (totals[owner] as number) + (arcs[i] as number);
    }
    return this.slots.map((slot, s) => ({
      node: slot.node,
      nodeName: slot.name,
      weight: slot.weight,
      pointsCount: slot.pointsCount,
      share: totals[s] as number,
    }));
  }
}
