// The two numbers every partitioning scheme is judged by: how evenly it spreads keys (load
// statistics: mean, standard deviation, max/mean) and how many keys move when the nodes change.

import { describeValue, invalidArgument, requireIntegerIn } from "../sim/assert.js";
import { requireKey } from "./hash.js";

/** Spread of load over nodes, as {@link loadStats} computes it. */
export interface LoadStats {
  /** Number of nodes counted (including nodes with no keys). */
  readonly nodesCount: number;
  /** Sum of the loads: the number of keys. */
  readonly total: number;
  readonly mean: number;
  /** Population standard deviation (divides by nodesCount: every node is counted, not sampled). */
  readonly stdDev: number;
  readonly min: number;
  readonly max: number;
  /** max / mean: 1 is perfect balance; the most loaded node's excess. 1 when every load is 0. */
  readonly maxOverMean: number;
  /** stdDev / mean, the coefficient of variation: about 1/sqrt(points per node) for a ring. 0 when every load is 0. */
  readonly stdDevOverMean: number;
}

/** Loads per node: an array of numbers, a Map from node to number, or a record. */
export type LoadCounts =
  readonly number[] | ReadonlyMap<unknown, number> | Readonly<Record<string, number>>;

/**
 * Mean, standard deviation and max/mean of per-node loads.
 *
 * @param counts - one load per node (finite numbers >= 0), as an array, a Map (such as
 *   {@link countLoads} returns) or a record; at least one node.
 * @throws RangeError for no nodes or a load that is not a finite number >= 0.
 *
 * @example
 * loadStats([90, 100, 110]);
 * // { nodesCount: 3, total: 300, mean: 100, stdDev: 8.16..., min: 90, max: 110,
 * //   maxOverMean: 1.1, stdDevOverMean: 0.0816... }
 */
export function loadStats(counts: LoadCounts): LoadStats {
  const values = loadValues(counts);
  const n = values.length;
  let total = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const value of values) {
    total += value;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const mean = total / n;
  let squares = 0;
  for (const value of values) squares += (value - mean) * (value - mean);
  const stdDev = Math.sqrt(squares / n);
  return {
    nodesCount: n,
    total,
    mean,
    stdDev,
    min,
    max,
    maxOverMean: mean === 0 ? 1 : max / mean,
    stdDevOverMean: mean === 0 ? 0 : stdDev / mean,
  };
}

function loadValues(counts: unknown): number[] {
  const allowed = "a non-empty array, Map or record of finite numbers >= 0";
  let values: unknown[];
  if (Array.isArray(counts)) values = counts;
  else if (counts instanceof Map) values = [...counts.values()];
  else if (typeof counts === "object" && counts !== null) values = Object.values(counts);
  else throw invalidArgument("counts", allowed, counts);
  if (values.length === 0) throw invalidArgument("counts", allowed, counts);
  values.forEach((value, i) => {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw invalidArgument(`counts[${i}]`, "a finite number >= 0", value);
    }
  });
  return values as number[];
}

/** Where keys went: an array (entry i for key i) or a Map from key to node. */
export type Placement<T> = readonly T[] | ReadonlyMap<string, T>;

/**
 * The fraction of keys whose node differs between two placements of the same keys (nodes compared
 * with `===`). The yardstick of rebalancing: a scheme going from n to n + 1 nodes must move at
 * least 1/(n + 1) of the keys; modulo moves n/(n + 1).
 *
 * @param before - nodes per key, as an array or a Map from key to node.
 * @param after - the same keys' nodes after the change, in the same form.
 * @throws RangeError for placements of different forms, lengths or key sets, or no keys.
 *
 * @example
 * movedFraction(["a", "b", "c", "a"], ["a", "b", "d", "d"]); // 0.5
 */
export function movedFraction<T>(before: Placement<T>, after: Placement<T>): number {
  if (Array.isArray(before) && Array.isArray(after)) {
    if (before.length !== after.length) {
      throw invalidArgument(
        "after",
        `an array of the same length as before (${before.length})`,
        `an array of ${after.length}`,
      );
    }
    if (before.length === 0)
      throw invalidArgument("before", "a placement of at least one key", before);
    let moved = 0;
    for (let i = 0; i < before.length; i++) if (before[i] !== after[i]) moved++;
    return moved / before.length;
  }
  if (before instanceof Map && after instanceof Map) {
    if (before.size === 0)
      throw invalidArgument("before", "a placement of at least one key", before);
    if (before.size !== after.size) {
      throw invalidArgument(
        "after",
        `a Map of the same ${before.size} keys as before`,
        `a Map of ${after.size} keys`,
      );
    }
    let moved = 0;
    for (const [key, node] of before) {
      if (!after.has(key)) {
        throw invalidArgument(
          "after",
          "a Map of the same keys as before",
          `a Map without ${describeValue(key)}`,
        );
      }
      if (after.get(key) !== node) moved++;
    }
    return moved / before.size;
  }
  throw invalidArgument(
    "before and after",
    "two arrays or two Maps from key to node",
    `${describeForm(before)} and ${describeForm(after)}`,
  );
}

function describeForm(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (value instanceof Map) return "a Map";
  return typeof value;
}

/** Anything that places keys on nodes: every ring and hash in src/hashing. */
export interface KeyPlacer<T> {
  getNode(key: string): T;
  /** If present, nodes with no keys are counted too (with 0). */
  nodes?(): T[];
}

/**
 * How many of `keys` each node gets: a Map from node to count, for {@link loadStats} or a bar
 * chart. Nodes with no keys are included when the placer lists its nodes.
 *
 * @throws RangeError for a key that is not a string, or whatever the placer throws.
 *
 * @example
 * const ring = new ConsistentHashRing({ nodes: ["a", "b", "c"] });
 * loadStats(countLoads(ring, sampleKeys(100_000))).maxOverMean; // about 1.1
 */
export function countLoads<T>(placer: KeyPlacer<T>, keys: Iterable<string>): Map<T, number> {
  const counts = new Map<T, number>();
  if (typeof placer.nodes === "function") for (const node of placer.nodes()) counts.set(node, 0);
  for (const key of keys) {
    const node = placer.getNode(key);
    counts.set(node, (counts.get(node) ?? 0) + 1);
  }
  return counts;
}

/** Most keys {@link sampleKeys} makes. */
export const SAMPLE_KEYS_MAX = 10_000_000;

/**
 * `count` distinct keys, `"<prefix>0"` to `"<prefix><count - 1>"`: the keys of the chapter's tables.
 * Sequential names are a fair test: a good hash scatters them, a weak one (Java's `hashCode`,
 * FNV-1a's low bits) does not.
 *
 * @param count - an integer in [0, 10000000].
 * @param prefix - default `"key-"`.
 * @throws RangeError for a bad count or a prefix that is not a string.
 *
 * @example
 * sampleKeys(3); // ["key-0", "key-1", "key-2"]
 */
export function sampleKeys(count: number, prefix = "key-"): string[] {
  requireIntegerIn("count", count, 0, SAMPLE_KEYS_MAX);
  requireKey(prefix, "prefix");
  const keys = new Array<string>(count);
  for (let i = 0; i < count; i++) keys[i] = prefix + i;
  return keys;
}
