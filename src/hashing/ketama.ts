// Ketama (libketama, last.fm 2007), as the hashring npm package 3.2.0 builds it: what memcached
// clients use. Servers get floor(weight / totalWeight x 40 x serverCount) MD5 digests of
// "<server>-<i>", each digest giving 4 points; a key goes to the first point at or after the
// first word of its own MD5.

import { type Slot } from "./core.js";

import { md5FirstWordUnchecked, md5WordsUnchecked } from "./md5.js";
import { invalidArgument, requireIntegerIn, requireKnownOptions } from "../sim/assert.js";
import { type AddNodeOptions, PointRing, requireRoom } from "./ring.js";

/** libketama's and hashring's digests per server at equal weights: 40, so 160 points. */
export const KETAMA_HASHES_PER_SERVER = 40;
/** Points each MD5 digest gives: its four 32-bit words. */
export const KETAMA_POINTS_PER_HASH = 4;

/** Options of {@link KetamaRing}; every field has a default. */
export interface KetamaRingOptions<T> {
  /**
   * MD5 digests per server at equal weights (hashring's `"vnode count"` option), an integer in
   * [1, 100000]. Default 40, so 160 points per server.
   */
  readonly hashesPerServer?: number;
  /** A server's name, as hashed into its point labels. Default `String(node)`. */
  readonly nodeKey?: (node: T) => string;
  /** Servers to add at once, each with weight 1, in this order. Default none. */
  readonly nodes?: readonly T[];
}

/** The label of a ketama point: digest `"<name>-<i>"`, word `j` (0 to 3). */
function ketamaLabel(name: string, index: number): string {
  return `${name}-${Math.floor(index / KETAMA_POINTS_PER_HASH)} word ${index % KETAMA_POINTS_PER_HASH}`;
}

/**
 * A ketama ring whose key-to-server mapping equals the hashring npm package's (3.2.0, default
 * options) for the same servers, listed in the same order, with the same weights; checked on
 * 100,000 keys in the tests. Memcached clients (libmemcached, spymemcached, pylibmc, hashring)
 * agree on this layout, so a cache written by one is read by another.
 *
 * How hashring builds it, and so how this does:
 * - With servers s_1..s_n of weights w_1..w_n and total W, server s gets
 *   `floor((w_s / W) x hashesPerServer x n)` digests (computed in that order, in doubles, as
 *   hashring does: with 7 servers of equal weight (1/7) x 40 x 7 is 39.999... and each gets 39).
 * - Digest `i` of server `name` is `MD5("<name>-<i>")`; its four little-endian 32-bit words are
 *   four points.
 * - Points are sorted by position; equal positions keep insertion order (server order, then digest,
 *   then word), as hashring's stable sort does, so **the server listed first wins a collision**.
 *   Two clients that list the same servers in different orders can therefore disagree on the keys
 *   of a collided arc (see {@link ketamaCollisionPitfall}).
 * - A key's position is the first word of `MD5(key)`; it belongs to the first point at or after
 *   it, wrapping to the first point.
 *
 * Unlike {@link ConsistentHashRing}, adding or removing a server changes the weight total and so,
 * with unequal weights, the number of points of every other server: keys can move between servers
 * that stayed. hashring's per-server `vnodes` override and `"default port"` option are not
 * modelled; `getNodes` equals hashring's `range(key, count)`.
 *
 * @example
 * const ring = new KetamaRing({ nodes: ["10.0.0.1:11211", "10.0.0.2:11211"] });
 * ring.addNode("10.0.0.3:11211", { weight: 2 });
 * ring.getNode("user:42"); // the server hashring would pick for the same list and weights
 */
export class KetamaRing<T = string> extends PointRing<T> {
  /** MD5 digests per server at equal weights. */
  readonly hashesPerServer: number;

  /**
   * @param options - see {@link KetamaRingOptions}.
   * @throws RangeError for an unknown option, a bad hashesPerServer or nodeKey, or a bad node.
   */
  constructor(options: KetamaRingOptions<T> = {}) {
    const checked = requireKnownOptions("KetamaRing options", options, [
      "hashesPerServer",
      "nodeKey",
      "nodes",
    ]);
    super(ketamaLabel, md5FirstWordUnchecked, checked.nodeKey);
    this.hashesPerServer =
      checked.hashesPerServer === undefined
        ? KETAMA_HASHES_PER_SERVER
        : requireIntegerIn("hashesPerServer", checked.hashesPerServer, 1, 100_000);
    if (checked.nodes !== undefined) {
      if (!Array.isArray(checked.nodes)) {
        throw invalidArgument("options.nodes", "an array of nodes", checked.nodes);
      }
      // Every server first, then one continuum build, as hashring's constructor does.
      for (const node of checked.nodes as T[]) {
        const { name, weight } = this.requireNewNode(node, {});
        this.core.addSlot(node, name, weight);
      }
      this.rebuild();
    }
  }

  /**
   * Adds a server and rebuilds the continuum, as hashring's `add` does. With unequal weights every
   * server's point count changes with the total weight.
   *
   * @returns the ring, so calls chain.
   * @throws RangeError if a server with that name is already on the ring, or for a weight that is
   *   not a finite number > 0.
   *
   * @example
   * ring.addNode("10.0.0.4:11211", { weight: 2 }); // as hashring.add({ "10.0.0.4:11211": 2 })
   */
  addNode(node: T, options: AddNodeOptions = {}): this {
    const { name, weight } = this.requireNewNode(node, options);
    this.core.addSlot(node, name, weight);
    try {
      this.rebuild();
    } catch (error) {
      this.core.removeSlot(this.core.slots.length - 1);
      this.rebuild();
      throw error;
    }
    return this;
  }

  /**
   * Removes a server and rebuilds the continuum, as hashring's `remove` does.
   *
   * @returns the ring, so calls chain.
   * @throws RangeError if no server with that name is on the ring.
   *
   * @example
   * ring.removeNode("10.0.0.2:11211"); // as hashring.remove("10.0.0.2:11211")
   */
  removeNode(node: T): this {
    this.core.removeSlot(this.requireSlot(node));
    this.rebuild();
    return this;
  }

  /** hashring's `continuum()`: every server's digests, sorted stably. */
  private rebuild(): void {
    const slots = this.core.slots;
    const serversCount = slots.length;
    const totalWeight = slots.reduce((sum, slot) => sum + slot.weight, 0);
    const lengths = slots.map((slot) => {
      // The same operations in the same order as hashring, so the same doubles and floors.
      const percentage = slot.weight / totalWeight;
      return Math.floor(percentage * this.hashesPerServer * serversCount);
    });
    const pointsCount = lengths.reduce((sum, length) => sum + length * KETAMA_POINTS_PER_HASH, 0);
    requireRoom(pointsCount, (slots[serversCount - 1] as Slot<T> | undefined)?.name ?? "");
    const positions = new Uint32Array(pointsCount);
    const owners = new Uint32Array(pointsCount);
    const indexes = new Uint32Array(pointsCount);
    const words = new Uint32Array(KETAMA_POINTS_PER_HASH);
    let out = 0;
    slots.forEach((slot, s) => {
      const length = lengths[s] as number;
      for (let i = 0; i < length; i++) {
        md5WordsUnchecked(`${slot.name}-${i}`, words);
        for (let j = 0; j < KETAMA_POINTS_PER_HASH; j++) {
          positions[out] = words[j] as number;
          owners[out] = s;
          indexes[out] = i * KETAMA_POINTS_PER_HASH + j;
          out++;
        }
      }
    });
    // Stable order: by position, then insertion order (out), which is hashring's sort result.
    const order = new Uint32Array(pointsCount);
    for (let i = 0; i < pointsCount; i++) order[i] = i;
    order.sort((a, b) => (positions[a] as number) - (positions[b] as number) || a - b);
    const sortedPositions = new Uint32Array(pointsCount);
    const sortedOwners = new Uint32Array(pointsCount);
    const sortedIndexes = new Uint32Array(pointsCount);
    for (let i = 0; i < pointsCount; i++) {
      const from = order[i] as number;
      sortedPositions[i] = positions[from] as number;
      sortedOwners[i] = owners[from] as number;
      sortedIndexes[i] = indexes[from] as number;
    }
    this.core.setPoints(sortedPositions, sortedOwners, sortedIndexes);
  }
}
