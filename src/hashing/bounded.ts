// Consistent hashing with bounded loads (Mirrokni, Thorup and Zadimoghaddam, SODA 2018, §2):
// every node holds at most ceil((1 + epsilon) x keys / nodes) keys; a key that finds its node
// full walks clockwise to the next node with room. Max load <= capacity, always.

import { assert, invalidArgument, InvariantViolation, requireKnownOptions } from "../sim/assert.js";
import type { NodeShare, RingPoint, RingView, Slot } from "./core.js";
import { type HashOption, requireKey } from "./hash.js";
import { ConsistentHashRing, emptyRing } from "./ring.js";

/** Default epsilon: capacity 1.25 x the mean load. */
export const EPSILON_DEFAULT = 0.25;
/** Most keys one bounded-load ring tracks. */
export const KEYS_MAX = 10_000_000;

/** Options of {@link BoundedLoadRing}; every field has a default. */
export interface BoundedLoadRingOptions<T> {
  /** Slack over the mean load, a finite number >= 0. Default 0.25. */
  readonly epsilon?: number;
  /** Points per node, an integer in [1, 1000000]. Default 160. */
  readonly vnodes?: number;
  /** How keys and point labels become positions. Default `"murmur3"`. */
  readonly hash?: HashOption;
  /** A node's name. Default `String(node)`. */
  readonly nodeKey?: (node: T) => string;
  /** Nodes to add at once, in this order. Default none. */
  readonly nodes?: readonly T[];
}

/** One node's load, as {@link BoundedLoadRing.loads} lists them. */
export interface NodeLoad<T> {
  readonly node: T;
  readonly nodeName: string;
  /** Keys the node holds. */
  readonly load: number;
}

/**
 * A consistent-hash ring whose nodes never hold more than `capacity` keys.
 *
 * **Capacity.** With m keys on n nodes, `capacity = ceil((1 + epsilon) x m / n)` (computed in
 * doubles), so the most loaded node holds at most about (1 + epsilon) times the mean.
 *
 * **Assignment.** The ring keeps its keys in the order they were added and assigns them as the
 * paper defines it: each key in turn goes to the node of the first point clockwise from its hash
 * whose node holds fewer than `capacity` keys. The assignment is a function of the nodes, the keys
 * and their order; it never depends on the history of additions and removals.
 *
 * **Changes.** Every change recomputes that assignment, lazily, at the next query:
 * - `addKey` usually leaves `capacity` unchanged, and then it only places the new key (the keys
 *   before it see the same ring and the same capacity). When `capacity` grows by one, keys that had
 *   walked past a full node may now stop earlier, so a query after it re-places every key: O(keys).
 * - `removeKey` frees room that keys later in the order may move into: re-placement.
 * - `addNode` lowers the capacity and `removeNode` raises it; both re-place every key. Unlike the
 *   plain ring, more keys move than the new node takes or the old one held: keys evicted by the
 *   lower capacity, and keys that stop walking (for epsilon <= 1 the paper shows the expected
 *   moves are within a factor O(1/epsilon^2) of the minimum; {@link boundedLoadTable} measures them).
 *
 * Nodes have no weights here (the paper's setting). With no nodes, keys are kept but unassigned:
 * `getNode` throws until a node is added.
 *
 * @example
 * const ring = new BoundedLoadRing({ epsilon: 0.25, nodes: ["a", "b", "c"] });
 * ring.addKeys(sampleKeys(1000));
 * ring.capacity;                    // ceil(1.25 x 1000 / 3) = 417
 * ring.loads().map((l) => l.load);  // each at most 417
 * ring.getNode("key-7");            // the node holding key-7
 */
export class BoundedLoadRing<T = string> implements RingView<T> {
  /** Slack over the mean load. */
  readonly epsilon: number;
  private readonly ring: ConsistentHashRing<T>;
  // invariant: keys, keyPositions and keyOwners share a length; indexOfKey maps keys[i] to i.
  private keys: string[] = [];
  private keyPositions: number[] = [];
  private keyOwners: number[] = [];
  private readonly indexOfKey = new Map<string, number>();
  // invariant when !dirty: slotLoads[s] = keys with keyOwners = s, each <= placedCapacity.
  private slotLoads: number[] = [];
  private placedCapacity = 0;
  private dirty = false;

  /**
   * @param options - see {@link BoundedLoadRingOptions}.
   * @throws RangeError for an unknown option, epsilon that is not a finite number >= 0, or a bad
   *   ring option (as {@link ConsistentHashRing} checks them).
   */
  constructor(options: BoundedLoadRingOptions<T> = {}) {
    const checked = requireKnownOptions("BoundedLoadRing options", options, [
      "epsilon",
      "vnodes",
      "hash",
      "nodeKey",
      "nodes",
    ]);
    const epsilon = checked.epsilon ?? EPSILON_DEFAULT;
    if (typeof epsilon !== "number" || !Number.isFinite(epsilon) || epsilon < 0) {
      throw invalidArgument("epsilon", "a finite number >= 0", epsilon);
    }
    this.epsilon = epsilon;
    this.ring = new ConsistentHashRing<T>({
      ...(options.vnodes === undefined ? {} : { vnodes: options.vnodes }),
      ...(options.hash === undefined ? {} : { hash: options.hash }),
      ...(options.nodeKey === undefined ? {} : { nodeKey: options.nodeKey }),
      ...(options.nodes === undefined ? {} : { nodes: options.nodes }),
    });
    this.dirty = true;
  }

  /** Number of nodes. */
  get size(): number {
    return this.ring.size;
  }

  /** Number of keys on the ring. */
  get keysCount(): number {
    return this.keys.length;
  }

  /** `ceil((1 + epsilon) x keysCount / size)`: the most keys a node may hold; 0 with no nodes. */
  get capacity(): number {
    return this.capacityFor(this.keys.length);
  }

  /**
   * Adds a node (no weight: every node has the same capacity). Capacity drops, so keys are
   * re-placed at the next query.
   *
   * @returns the ring, so calls chain.
   * @throws RangeError if a node with that name is already on the ring.
   */
  addNode(node: T): this {
    this.ring.addNode(node);
    this.dirty = true;
    return this;
  }

  /**
   * Removes a node; its keys, and possibly others, are re-placed at the next query.
   *
   * @returns the ring, so calls chain.
   * @throws RangeError if no node with that name is on the ring.
   */
  removeNode(node: T): this {
    this.ring.removeNode(node);
    this.dirty = true;
    return this;
  }

  /** Whether a node with this node's name is on the ring. */
  hasNode(node: T): boolean {
    return this.ring.hasNode(node);
  }

  /** The nodes, in the order they were added. */
  nodes(): T[] {
    return this.ring.nodes();
  }

  /**
   * Adds a key at the end of the order and returns the node that holds it. Adding a key that is
   * already on the ring changes nothing and returns its node.
   *
   * @throws RangeError for a key that is not a string, if the ring has no nodes, or past 10,000,000 keys.
   *
   * @example
   * ring.addKey("user:42"); // the first node clockwise with room
   */
  addKey(key: string): T {
    requireKey(key);
    if (this.ring.size === 0) throw emptyRing(key);
    if (!this.indexOfKey.has(key)) this.push(key);
    return this.getNode(key);
  }

  /**
   * Adds many keys, in order: faster than `addKey` one by one, as nothing is placed until the next
   * query. Keys already on the ring are skipped.
   *
   * @returns the ring, so calls chain.
   * @throws RangeError for a key that is not a string, or past 10,000,000 keys.
   */
  addKeys(keys: Iterable<string>): this {
    for (const key of keys) {
      requireKey(key);
      if (!this.indexOfKey.has(key)) this.push(key);
    }
    return this;
  }

  /**
   * Removes a key; keys after it in the order may move into the room it frees.
   *
   * @returns the ring, so calls chain.
   * @throws RangeError if the key is not on the ring.
   */
  removeKey(key: string): this {
    const index = this.requireKeyIndex(key);
    this.keys.splice(index, 1);
    this.keyPositions.splice(index, 1);
    this.keyOwners.splice(index, 1);
    this.indexOfKey.delete(key);
    for (let i = index; i < this.keys.length; i++) this.indexOfKey.set(this.keys[i] as string, i);
    this.dirty = true;
    return this;
  }

  /** Whether the key is on the ring. */
  hasKey(key: string): boolean {
    return this.indexOfKey.has(key);
  }

  /**
   * The node that holds `key`.
   *
   * @throws RangeError if the key was never added (or was removed), or the ring has no nodes.
   */
  getNode(key: string): T {
    const index = this.requireKeyIndex(key);
    if (this.ring.size === 0) throw emptyRing(key);
    this.place();
    const slot = this.keyOwners[index] as number;
    return (this.ring.internals.slots[slot] as Slot<T>).node;
  }

  /**
   * Every key and the node holding it, in key order: a snapshot to compare with
   * {@link movedFraction} after a change.
   */
  assignment(): Map<string, T> {
    const result = new Map<string, T>();
    if (this.ring.size === 0) return result;
    this.place();
    const slots = this.ring.internals.slots;
    this.keys.forEach((key, i) =>
      result.set(key, (slots[this.keyOwners[i] as number] as Slot<T>).node),
    );
    return result;
  }

  /** Each node's load, in node order. Every load is at most `capacity`. */
  loads(): NodeLoad<T>[] {
    if (this.ring.size === 0) return [];
    this.place();
    return this.ring.internals.slots.map((slot, s) => ({
      node: slot.node,
      nodeName: slot.name,
      load: this.slotLoads[s] as number,
    }));
  }

  /** The position of `key` on the ring, where its clockwise walk starts (see `ConsistentHashRing.hashOf`). */
  hashOf(key: string): number {
    return this.ring.hashOf(key);
  }

  /** The ring's points (see {@link ConsistentHashRing.points}). */
  points(): RingPoint<T>[] {
    return this.ring.points();
  }

  /** The nodes' shares of the circle: where keys would go without the bound. */
  shares(): NodeShare<T>[] {
    return this.ring.shares();
  }

  private capacityFor(keysCount: number): number {
    const nodesCount = this.ring.size;
    return nodesCount === 0 ? 0 : Math.ceil(((1 + this.epsilon) * keysCount) / nodesCount);
  }

  private requireKeyIndex(key: string): number {
    requireKey(key);
    const index = this.indexOfKey.get(key);
    if (index === undefined) {
      throw new RangeError(
        `key ${JSON.stringify(key)} is not on the ring; add it with addKey(key) first`,
      );
    }
    return index;
  }

  private push(key: string): void {
    if (this.keys.length >= KEYS_MAX) {
      throw new RangeError(
        `a bounded-load ring holds at most ${KEYS_MAX} keys; adding ${JSON.stringify(key)} would pass it`,
      );
    }
    const position = this.ring.hashOf(key);
    this.indexOfKey.set(key, this.keys.length);
    this.keys.push(key);
    this.keyPositions.push(position);
    // Same capacity, same nodes, same keys before it: only the new key needs a place.
    if (
      !this.dirty &&
      this.ring.size > 0 &&
      this.capacityFor(this.keys.length) === this.placedCapacity
    ) {
      const owner = this.walk(position, this.placedCapacity);
      this.keyOwners.push(owner);
      this.slotLoads[owner] = (this.slotLoads[owner] as number) + 1;
    } else {
      this.keyOwners.push(0);
      this.dirty = true;
    }
  }

  /** The first slot clockwise from `position` holding fewer than `capacity` keys. */
  private walk(position: number, capacity: number): number {
    const core = this.ring.internals;
    const total = core.pointsCount;
    let i = core.locate(position);
    for (let step = 0; step < total; step++) {
      const owner = core.owners[i] as number;
      if ((this.slotLoads[owner] as number) < capacity) return owner;
      i = i + 1 === total ? 0 : i + 1;
    }
    throw new InvariantViolation("capacity x nodes >= keys, so some node has room");
  }

  /** Re-places every key in order, if anything changed since the last placement. */
  private place(): void {
    if (!this.dirty) return;
    assert(this.ring.size > 0, "keys are placed only on a ring with nodes");
    const capacity = this.capacityFor(this.keys.length);
    assert(capacity * this.ring.size >= this.keys.length, "the nodes have room for every key");
    this.slotLoads = new Array<number>(this.ring.size).fill(0);
    for (let i = 0; i < this.keys.length; i++) {
      const owner = this.walk(this.keyPositions[i] as number, capacity);
      this.keyOwners[i] = owner;
      this.slotLoads[owner] = (this.slotLoads[owner] as number) + 1;
    }
    this.placedCapacity = capacity;
    this.dirty = false;
  }
}
