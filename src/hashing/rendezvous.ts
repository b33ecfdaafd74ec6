// Rendezvous hashing, or highest random weight (Thaler and Ravishankar, "Using Name-Based
// Mappings to Increase Hit Rates", 1998): every node scores every key and the highest score wins.
// No ring; removing a node moves only its keys; lookups cost one score per node.

import { invalidArgument, requireIntegerIn, requireKnownOptions } from "../sim/assert.js";
import { listNames, nameOf } from "./core.js";
import { requireKey } from "./hash.js";
import { murmur3Unchecked } from "./murmur3.js";
import { type AddNodeOptions, addInitialNodes, requireWeight } from "./ring.js";

/** Options of {@link RendezvousHash}; every field has a default. */
export interface RendezvousHashOptions<T> {
  /** A node's name, hashed into its scores. Default `String(node)`. */
  readonly nodeKey?: (node: T) => string;
  /** Nodes to add at once, each with weight 1, in this order. Default none. */
  readonly nodes?: readonly T[];
}

/** One node's score for a key, as {@link RendezvousHash.scores} lists them. */
export interface RendezvousScore<T> {
  readonly node: T;
  readonly nodeName: string;
  /** The raw hash, `murmur3(key, seed = murmur3(nodeName))`, 0 to 2^32 - 1. */
  readonly hash: number;
  /** `weight / -ln(u)` with u = (hash + 0.5) / 2^32 in (0, 1): the number compared. */
  readonly score: number;
}

interface Entry<T> {
  readonly node: T;
  readonly name: string;
  readonly weight: number;
  readonly seed: number;
}

/**
 * Rendezvous (highest-random-weight) hashing: a key goes to the node with the highest score for
 * it, and its replicas to the next highest.
 *
 * - **Score.** Node `name` scores key `k` with `h = murmur3(k, seed = murmur3(name))`, a keyed hash
 *   that is independent across nodes. With weights, the score is `weight / -ln(u)` where
 *   `u = (h + 0.5) / 2^32` (the logarithmic method of Schindelhauer and Schomaker, 2005), so a node
 *   of weight 2 wins twice as often; at equal weights this orders nodes exactly as `h` does.
 * - **Ties.** Equal scores go to the node whose name sorts first (JavaScript `<` on strings).
 * - **Cost.** A lookup hashes the key once per node: O(n), fine for tens of nodes; a ring is
 *   O(log points) and wins for hundreds.
 *
 * Removing a node moves only the keys it won (each to its runner-up); adding one moves only the
 * keys it now wins. No virtual nodes are needed for an even spread.
 *
 * @example
 * const hrw = new RendezvousHash({ nodes: ["a", "b", "c"] });
 * hrw.getNode("user:42");     // the node with the highest score
 * hrw.getNodes("user:42", 2); // the two highest: primary and replica
 * hrw.scores("user:42");      // every node's score, highest first
 */
export class RendezvousHash<T = string> {
  // invariant: names are unique; entries keep insertion order.
  private readonly entries: Entry<T>[] = [];
  private readonly nodeKey: ((node: T) => string) | undefined;

  /**
   * @param options - see {@link RendezvousHashOptions}.
   * @throws RangeError for an unknown option, a bad nodeKey, or a bad node in `options.nodes`.
   */
  constructor(options: RendezvousHashOptions<T> = {}) {
    const checked = requireKnownOptions("RendezvousHash options", options, ["nodeKey", "nodes"]);
    if (checked.nodeKey !== undefined && typeof checked.nodeKey !== "function") {
      throw invalidArgument("options.nodeKey", "a function (node) => string", checked.nodeKey);
    }
    this.nodeKey = checked.nodeKey as ((node: T) => string) | undefined;
    addInitialNodes(this, checked.nodes);
  }

  /** Number of nodes. */
  get size(): number {
    return this.entries.length;
  }

  /**
   * Adds a node. Keys move only to it: those for which it now has the highest score.
   *
   * @returns this, so calls chain.
   * @throws RangeError if a node with the same name is already present, or for a weight that is
   *   not a finite number > 0.
   */
  addNode(node: T, options: AddNodeOptions = {}): this {
    const name = nameOf(node, this.nodeKey);
    const checked = requireKnownOptions("addNode options", options, ["weight"]);
    const weight = requireWeight(checked.weight, name);
    if (this.entries.some((entry) => entry.name === name)) {
      throw new RangeError(
        `node ${JSON.stringify(name)} is already present; remove it first, or add it under another name`,
      );
    }
    this.entries.push({ node, name, weight, seed: murmur3Unchecked(name) });
    return this;
  }

  /**
   * Removes a node. Only its keys move, each to the node with the next highest score.
   *
   * @returns this, so calls chain.
   * @throws RangeError if no node with that name is present (the message lists those that are).
   */
  removeNode(node: T): this {
    const name = nameOf(node, this.nodeKey);
    const index = this.entries.findIndex((entry) => entry.name === name);
    if (index < 0) {
      throw new RangeError(
        `node ${JSON.stringify(name)} is not present; nodes present: ` +
          listNames(this.entries.map((entry) => entry.name)),
      );
    }
    this.entries.splice(index, 1);
    return this;
  }

  /** Whether a node with this node's name is present. */
  hasNode(node: T): boolean {
    const name = nameOf(node, this.nodeKey);
    return this.entries.some((entry) => entry.name === name);
  }

  /** The nodes, in the order they were added. */
  nodes(): T[] {
    return this.entries.map((entry) => entry.node);
  }

  /**
   * The node with the highest score for `key`.
   *
   * @throws RangeError for a key that is not a string, or if there are no nodes.
   *
   * @example
   * new RendezvousHash({ nodes: ["a", "b"] }).getNode("user:42"); // "a" or "b"
   */
  getNode(key: string): T {
    requireKey(key);
    if (this.entries.length === 0) throw noNodes(key);
    let best = this.entries[0] as Entry<T>;
    let bestScore = score(best, key);
    for (let i = 1; i < this.entries.length; i++) {
      const entry = this.entries[i] as Entry<T>;
      const s = score(entry, key);
      if (s > bestScore || (s === bestScore && entry.name < best.name)) {
        best = entry;
        bestScore = s;
      }
    }
    return best.node;
  }

  /**
   * The `count` nodes with the highest scores for `key`, highest first: its replicas. The first is
   * `getNode(key)`. When `count` exceeds the number of nodes, every node is returned, ranked.
   *
   * @throws RangeError for a bad key, a count that is not an integer >= 1, or no nodes.
   */
  getNodes(key: string, count: number): T[] {
    requireKey(key);
    requireIntegerIn("count", count, 1, Number.MAX_SAFE_INTEGER);
    if (this.entries.length === 0) throw noNodes(key);
    return this.scores(key)
      .slice(0, count)
      .map((s) => s.node);
  }

  /**
   * Every node's score for `key`, highest first (ties by name): the whole ranking, for showing
   * how rendezvous hashing decides.
   *
   * @throws RangeError for a key that is not a string.
   *
   * @example
   * new RendezvousHash({ nodes: ["a", "b"] }).scores("user:42").map((s) => s.nodeName);
   */
  scores(key: string): RendezvousScore<T>[] {
    requireKey(key);
    return this.entries
      .map((entry) => {
        const hash = murmur3Unchecked(key, entry.seed);
        return {
          node: entry.node,
          nodeName: entry.name,
          hash,
          score: weighted(entry.weight, hash),
        };
      })
      .sort((a, b) => b.score - a.score || (a.nodeName < b.nodeName ? -1 : 1));
  }
}

function weighted(weight: number, hash: number): number {
  return weight / -Math.log((hash + 0.5) / 4294967296);
}

function score<T>(entry: Entry<T>, key: string): number {
  return weighted(entry.weight, murmur3Unchecked(key, entry.seed));
}

function noNodes(key: string): RangeError {
  return new RangeError(
    `cannot place key ${JSON.stringify(key)}: there are no nodes; add one with addNode(node) first`,
  );
}
