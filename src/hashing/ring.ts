// Consistent hashing with virtual nodes (Karger et al., STOC 1997, §4; Dynamo, SOSP 2007, §4.2):
// each node owns many points on a 2^32 circle and a key goes to the first point clockwise from its
// hash. Adding a node moves keys only to it; removing one moves only its keys.

import { invalidArgument, requireIntegerIn, requireKnownOptions } from "../sim/assert.js";
import {
  type NodeShare,
  POINTS_MAX,
  POINTS_PER_NODE_MAX,
  RingCore,
  type RingPoint,
  type RingView,
  type Slot,
  listNames,
  nameOf,
} from "./core.js";
import { type HashOption, requireKey, resolveHash } from "./hash.js";

/** Default points per node: libketama's 160 (40 MD5 digests x 4 points). */
export const VNODES_DEFAULT = 160;
/** Most points per node at weight 1. */
export const VNODES_MAX = POINTS_PER_NODE_MAX;

/** Options of {@link ConsistentHashRing}; every field has a default. */
export interface ConsistentHashRingOptions<T> {
  /** Points per node at weight 1 (virtual nodes), an integer in [1, 1000000]. Default 160. */
  readonly vnodes?: number;
  /** How keys and point labels become positions. Default `"murmur3"`. */
  readonly hash?: HashOption;
  /**
   * A node's name, which labels its points and identifies it (two nodes with one name are the
   * same node). Default `String(node)`; objects need this option.
   */
  readonly nodeKey?: (node: T) => string;
  /** Nodes to add at once, each with weight 1, in this order. Default none. */
  readonly nodes?: readonly T[];
}

/** Options of `addNode`. */
export interface AddNodeOptions {
  /** A finite number > 0 that scales the node's points and so its share. Default 1. */
  readonly weight?: number;
}

const RING_OPTIONS = ["vnodes", "hash", "nodeKey", "nodes"];

/**
 * The label hashed to place point `index` of a node: `"<name>-<index>"`, as ketama does.
 *
 * @example
 * pointLabel("cache-a", 7); // "cache-a-7": point 7 of cache-a sits at murmur3("cache-a-7")
 */
export function pointLabel(name: string, index: number): string {
  return `${name}-${index}`;
}

/** @internal Points a node of `weight` gets: round(vnodes x weight), at least 1. */
export function pointsFor(vnodes: number, weight: number, name: string): number {
  const points = Math.max(1, Math.round(vnodes * weight));
  if (points > POINTS_PER_NODE_MAX) {
    throw invalidArgument(
      `vnodes x weight of node ${JSON.stringify(name)}`,
      `at most ${POINTS_PER_NODE_MAX}`,
      vnodes * weight,
    );
  }
  return points;
}

/** @internal Throws unless `weight` is undefined (1) or a finite number > 0. */
export function requireWeight(weight: unknown, name: string): number {
  if (weight === undefined) return 1;
  if (typeof weight !== "number" || !Number.isFinite(weight) || weight <= 0) {
    throw invalidArgument(`weight of node ${JSON.stringify(name)}`, "a finite number > 0", weight);
  }
  return weight;
}

/**
 * What every ring of points shares: lookups over sorted positions, replicas clockwise, and views
 * of the points and shares for diagrams. {@link ConsistentHashRing} and {@link KetamaRing} differ
 * only in where they put the points.
 *
 * @typeParam T - the node type.
 *
 * @example
 * const rings: PointRing<string>[] = [
 *   new ConsistentHashRing({ nodes: ["a", "b"] }),
 *   new KetamaRing({ nodes: ["a", "b"] }),
 * ];
 * rings.map((ring) => ring.getNode("user:42")); // each ring's answer, by its own layout
 */
export abstract class PointRing<T> implements RingView<T> {
  /** @internal */
  protected readonly core: RingCore<T>;
  /** @internal */
  protected readonly hash: (key: string) => number;
  /** @internal */
  protected readonly nodeKey: ((node: T) => string) | undefined;

  /** @internal */
  protected constructor(
    labelOf: (name: string, index: number) => string,
    hash: (key: string) => number,
    nodeKey: unknown,
  ) {
    if (nodeKey !== undefined && typeof nodeKey !== "function") {
      throw invalidArgument("options.nodeKey", "a function (node) => string", nodeKey);
    }
    this.core = new RingCore<T>(labelOf);
    this.hash = hash;
    this.nodeKey = nodeKey as ((node: T) => string) | undefined;
  }

  /** Adds a node; see the subclass for where its points go. */
  abstract addNode(node: T, options?: AddNodeOptions): this;
  /** Removes a node and its points; see the subclass for what moves. */
  abstract removeNode(node: T): this;

  /**
   * Number of nodes on the ring.
   *
   * @example
   * new ConsistentHashRing({ nodes: ["a", "b"] }).size; // 2
   */
  get size(): number {
    return this.core.slots.length;
  }

  /** Number of points on the ring (the sum of every node's points). */
  get pointsCount(): number {
    return this.core.pointsCount;
  }

  /**
   * Whether a node with this node's name is on the ring.
   *
   * @example
   * new ConsistentHashRing({ nodes: ["a"] }).hasNode("a"); // true
   */
  hasNode(node: T): boolean {
    return this.core.slotOf(nameOf(node, this.nodeKey)) !== undefined;
  }

  /**
   * The node that owns `key`: the node of the first point at or after `hash(key)`, clockwise,
   * wrapping past 2^32 - 1 to the first point.
   *
   * @throws RangeError for a key that is not a string, or if the ring has no nodes.
   *
   * @example
   * new ConsistentHashRing({ nodes: ["a", "b"] }).getNode("user:42"); // "a" or "b"
   */
  getNode(key: string): T {
    if (typeof key !== "string") requireKey(key);
    if (this.core.positions.length === 0) throw emptyRing(key);
    const owner = this.core.owners[this.core.locate(this.hash(key))] as number;
    return (this.core.slots[owner] as Slot<T>).node;
  }

  /**
   * The first `count` distinct nodes clockwise from `key`: its replicas, as Dynamo's preference
   * list picks them. The first is `getNode(key)`. When `count` is larger than the number of
   * nodes, every node is returned, in clockwise order.
   *
   * @throws RangeError for a bad key, a count that is not an integer >= 1, or an empty ring.
   *
   * @example
   * ring.getNodes("user:42", 3); // three different nodes: primary, then two replicas
   */
  getNodes(key: string, count: number): T[] {
    requireKey(key);
    requireIntegerIn("count", count, 1, Number.MAX_SAFE_INTEGER);
    if (this.core.positions.length === 0) throw emptyRing(key);
    const start = this.core.locate(this.hash(key));
    return this.core.distinctFrom(start, count).map((s) => (this.core.slots[s] as Slot<T>).node);
  }

  /**
   * The nodes on the ring, in the order they were added.
   *
   * @example
   * new ConsistentHashRing({ nodes: ["b", "a"] }).nodes(); // ["b", "a"]
   */
  nodes(): T[] {
    return this.core.slots.map((slot) => slot.node);
  }

  /**
   * The position of `key` on the ring, 0 to 2^32 - 1: where its clockwise walk starts.
   *
   * @example
   * new ConsistentHashRing().hashOf("user:42") === murmur3("user:42"); // true
   */
  hashOf(key: string): number {
    return this.hash(requireKey(key));
  }

  /**
   * The node that owns a ring position (an integer in [0, 2^32 - 1]): `getNode(key)` is
   * `nodeAt(hashOf(key))`. Lets one hash be reused across rings, as the experiments do.
   *
   * @throws RangeError for a bad position or an empty ring.
   *
   * @example
   * ring.nodeAt(0); // the node of the first point clockwise from the top of the ring
   */
  nodeAt(position: number): T {
    requireIntegerIn("position", position, 0, 0xffffffff);
    if (this.core.positions.length === 0) throw emptyRing(position);
    return (this.core.slots[this.core.ownerOf(position)] as Slot<T>).node;
  }

  /**
   * Every point clockwise from position 0, with its node, label and arc (see {@link RingPoint}).
   *
   * @example
   * new ConsistentHashRing({ vnodes: 2, nodes: ["a", "b"] }).points().map((p) => p.label);
   * // the four labels "a-0", "a-1", "b-0", "b-1" in ring order
   */
  points(): RingPoint<T>[] {
    return this.core.points();
  }

  /**
   * Each node's share of the circle (the sum of its arcs): the fraction of keys it should get.
   * With v points per node the shares vary by about 1/sqrt(v) around 1/n.
   *
   * @example
   * ring.shares().map((s) => [s.nodeName, s.share]);
   */
  shares(): NodeShare<T>[] {
    return this.core.shares();
  }

  /** @internal The storage, for the experiments that reuse one key hash across rings. */
  get internals(): RingCore<T> {
    return this.core;
  }

  /** @internal The slot of a node that must be on the ring. */
  protected requireSlot(node: T): number {
    const name = nameOf(node, this.nodeKey);
    const slot = this.core.slotOf(name);
    if (slot === undefined) {
      throw new RangeError(
        `node ${JSON.stringify(name)} is not on the ring; nodes on the ring: ` +
          listNames(this.core.slots.map((s) => s.name)),
      );
    }
    return slot;
  }

  /** @internal The name and checked weight of a node that must not be on the ring yet. */
  protected requireNewNode(node: T, options: unknown): { name: string; weight: number } {
    const name = nameOf(node, this.nodeKey);
    const checked = requireKnownOptions("addNode options", options, ["weight"]);
    const weight = requireWeight(checked.weight, name);
    if (this.core.slotOf(name) !== undefined) {
      throw new RangeError(
        `node ${JSON.stringify(name)} is already on the ring; remove it first, or add it under another name`,
      );
    }
    return { name, weight };
  }
}

/**
 * A consistent-hash ring with virtual nodes: each node gets `vnodes x weight` points on a circle of
 * 2^32 positions and a key belongs to the node of the first point at or after the key's hash,
 * wrapping past the top to the first point.
 *
 * How it is built, so a reader can check it by hand:
 * - **Names.** A node's name is `options.nodeKey(node)`, else `String(node)`. Names identify
 *   nodes: adding a second node with a name already on the ring is an error.
 * - **Points.** Point `i` of node `name` sits at `hash("<name>-<i>")`, for `i` from 0 to
 *   `round(vnodes x weight) - 1` (at least one point). Keys sit at `hash(key)`.
 * - **Storage.** Positions are kept in a sorted `Uint32Array`. A lookup is one hash, then a binary
 *   search narrowed by a radix index on the position's top bits (about two index buckets per
 *   point), so it reads one or two positions instead of the 11 steps of a plain binary search
 *   over 10 nodes x 160 points.
 * - **Collisions.** When two points share a position (two different labels, one 32-bit hash), the
 *   point of the node whose name sorts first (JavaScript `<` on strings) comes first and receives
 *   that position's keys; the other owns an empty arc. The ring is therefore a function of its set
 *   of nodes, whatever order they were added in. (The hashring package breaks such ties by the
 *   order servers were listed; see {@link KetamaRing}.)
 *
 * @typeParam T - the node type: server names, or objects with `options.nodeKey`.
 *
 * @example
 * const ring = new ConsistentHashRing({ nodes: ["cache-a", "cache-b", "cache-c"] });
 * ring.getNode("user:42");     // one of the three, the same on every run
 * ring.getNodes("user:42", 2); // that node and the next distinct one clockwise
 * ring.addNode("cache-d");     // moves about a quarter of the keys, all to cache-d
 *
 * @example
 * type Server = { id: string; zone: string };
 * const servers = new ConsistentHashRing<Server>({ nodeKey: (s) => s.id, vnodes: 100 });
 * servers.addNode({ id: "s1", zone: "eu" }).addNode({ id: "s2", zone: "us" }, { weight: 2 });
 * servers.getNode("order:7").zone;
 */
export class ConsistentHashRing<T = string> extends PointRing<T> {
  /** Points per node at weight 1. */
  readonly vnodes: number;
  /** The hash in use: `"murmur3"`, `"md5"` or `"custom"`. */
  readonly hashName: string;

  /**
   * @param options - see {@link ConsistentHashRingOptions}.
   * @throws RangeError for an unknown option, vnodes that is not an integer in [1, 1000000], a
   *   bad hash or nodeKey option, or a bad node in `options.nodes`.
   */
  constructor(options: ConsistentHashRingOptions<T> = {}) {
    const checked = requireKnownOptions("ConsistentHashRing options", options, RING_OPTIONS);
    const hash = resolveHash(checked.hash);
    super(pointLabel, hash.hash, checked.nodeKey);
    this.hashName = hash.name;
    this.vnodes =
      checked.vnodes === undefined
        ? VNODES_DEFAULT
        : requireIntegerIn("vnodes", checked.vnodes, 1, VNODES_MAX);
    if (checked.nodes !== undefined) this.addInitialNodes(checked.nodes);
  }

  /**
   * `options.nodes` in one pass: every point hashed, one sort, one index build. The result is the
   * ring that adding the nodes one by one gives (same points, same tie rule), built several
   * times faster than merging node after node.
   */
  private addInitialNodes(nodes: unknown): void {
    if (!Array.isArray(nodes)) throw invalidArgument("options.nodes", "an array of nodes", nodes);
    const counts: number[] = [];
    for (const node of nodes as T[]) {
      const { name, weight } = this.requireNewNode(node, {});
      counts.push(pointsFor(this.vnodes, weight, name));
      this.core.addSlot(node, name, weight);
    }
    const total = counts.reduce((sum, count) => sum + count, 0);
    requireRoom(total, this.core.slots[this.core.slots.length - 1]?.name ?? "");
    if (total === 0) return;
    // Pack (position, global point number) into one double: exact while the number is < 2^21.
    const GLOBAL = 2 ** 21;
    if (total >= GLOBAL) {
      const slots = this.core.slots;
      this.core.slots.forEach((slot, s) =>
        this.mergeNode(s, slot.name, counts[s] as number, slots),
      );
      return;
    }
    const packed = new Float64Array(total);
    const slotOfPoint = new Uint32Array(total);
    const firstOfSlot: number[] = [];
    let global = 0;
    this.core.slots.forEach((slot, s) => {
      firstOfSlot.push(global);
      for (let i = 0; i < (counts[s] as number); i++) {
        packed[global] = this.hash(pointLabel(slot.name, i)) * GLOBAL + global;
        slotOfPoint[global] = s;
        global++;
      }
    });
    packed.sort();
    const positions = new Uint32Array(total);
    const owners = new Uint32Array(total);
    const indexes = new Uint32Array(total);
    for (let p = 0; p < total; p++) {
      const value = packed[p] as number;
      const point = value % GLOBAL;
      const owner = slotOfPoint[point] as number;
      positions[p] = Math.floor(value / GLOBAL);
      owners[p] = owner;
      indexes[p] = point - (firstOfSlot[owner] as number);
    }
    // Equal positions (rare) are ordered by node name, then point index: the one-by-one tie rule.
    const slots = this.core.slots;
    for (let start = 0; start < total;) {
      let end = start + 1;
      while (end < total && positions[end] === positions[start]) end++;
      if (end - start > 1) {
        const run = Array.from({ length: end - start }, (_, k) => [
          owners[start + k] as number,
          indexes[start + k] as number,
        ]);
        run.sort(([ownerA, indexA], [ownerB, indexB]) => {
          const nameA = (slots[ownerA as number] as Slot<T>).name;
          const nameB = (slots[ownerB as number] as Slot<T>).name;
          return nameA < nameB ? -1 : nameA > nameB ? 1 : (indexA as number) - (indexB as number);
        });
        run.forEach(([owner, index], k) => {
          owners[start + k] = owner as number;
          indexes[start + k] = index as number;
        });
      }
      start = end;
    }
    this.core.setPoints(positions, owners, indexes);
  }

  /**
   * Adds a node with `round(vnodes x weight)` points (at least 1). Keys move only to the new node:
   * those whose first point clockwise is now one of its points.
   *
   * @returns the ring, so calls chain.
   * @throws RangeError if a node with the same name is already on the ring, or for a weight that is
   *   not a finite number > 0.
   *
   * @example
   * ring.addNode("cache-e", { weight: 2 }); // twice the points, about twice the keys
   */
  addNode(node: T, options: AddNodeOptions = {}): this {
    const { name, weight } = this.requireNewNode(node, options);
    const count = pointsFor(this.vnodes, weight, name);
    requireRoom(this.core.pointsCount + count, name);
    const slot = this.core.addSlot(node, name, weight);
    this.mergeNode(slot, name, count, this.core.slots);
    return this;
  }

  /** Hashes a node's points and merges them into the sorted points. */
  private mergeNode(slot: number, name: string, count: number, slots: readonly Slot<T>[]): void {
    const packed = new Float64Array(count);
    for (let i = 0; i < count; i++) packed[i] = this.hash(pointLabel(name, i)) * 1048576 + i;
    packed.sort();
    // On an equal position the node whose name sorts first keeps it (see the class comment).
    this.core.mergePoints(slot, packed, (existing) => (slots[existing] as Slot<T>).name < name);
  }

  /**
   * Removes a node and its points. Only its keys move, each to the next point clockwise that
   * belongs to another node.
   *
   * @returns the ring, so calls chain.
   * @throws RangeError if no node with that name is on the ring (the message lists those that are).
   *
   * @example
   * ring.removeNode("cache-b"); // cache-b's keys go to the next node clockwise; no other key moves
   */
  removeNode(node: T): this {
    this.core.removeSlot(this.requireSlot(node));
    return this;
  }
}

/** @internal Adds `options.nodes` (an array, if given) to a new ring, each with weight 1. */
export function addInitialNodes<T>(ring: { addNode(node: T): unknown }, nodes: unknown): void {
  if (nodes === undefined) return;
  if (!Array.isArray(nodes)) throw invalidArgument("options.nodes", "an array of nodes", nodes);
  for (const node of nodes as T[]) ring.addNode(node);
}

/** @internal Throws if a ring would hold more than POINTS_MAX points. */
export function requireRoom(pointsCount: number, name: string): void {
  if (pointsCount > POINTS_MAX) {
    throw new RangeError(
      `adding node ${JSON.stringify(name)} would make ${pointsCount} points; ` +
        `a ring holds at most ${POINTS_MAX}: lower vnodes or weight`,
    );
  }
}

/** @internal The error of a lookup on a ring with no nodes (or no points). */
export function emptyRing(key: string | number): RangeError {
  const what = typeof key === "string" ? `key ${JSON.stringify(key)}` : `position ${key}`;
  return new RangeError(
    `cannot place ${what}: the ring has no nodes; add one with addNode(node) first`,
  );
}
