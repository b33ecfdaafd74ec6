// The chapter's tables, computed from real runs: keys moved when a node is added (modulo, ring,
// jump), load spread against points per node, what replicas do when a node fails, and what
// bounded loads cost in moves. Each returns plain rows; every number comes from placing keys.

import {
  assert,
  invalidArgument,
  requireIntegerIn,
  requireKnownOptions,
  requireIntegerList,
} from "../sim/assert.js";
import { BoundedLoadRing, EPSILON_DEFAULT } from "./bounded.js";

import { jumpHashParts } from "./jump.js";
import { type LoadStats, loadStats, movedFraction, sampleKeys } from "./metrics.js";
import type { RingCore } from "./core.js";
import { hash64Into, hash64SampleKeysInto } from "./murmur3.js";
import { ConsistentHashRing, VNODES_DEFAULT } from "./ring.js";

const NODES_MAX = 10_000;
const KEYS_MAX = 10_000_000;

/**
 * The names the experiments give their nodes: `"node-1"` to `"node-<count>"`.
 *
 * @param count - an integer in [0, 10000].
 * @param prefix - default `"node-"`.
 *
 * @example
 * nodeNames(3); // ["node-1", "node-2", "node-3"]
 */
export function nodeNames(count: number, prefix = "node-"): string[] {
  requireIntegerIn("count", count, 0, NODES_MAX);
  return Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
}

function keysFrom(options: Record<string, unknown>, fallbackCount: number): readonly string[] {
  if (options.keys !== undefined) return requireKeys(options.keys);
  return sampleKeys(keysCountFrom(options, fallbackCount));
}

function requireKeys(keys: unknown): readonly string[] {
  const allowed = `an array of 1 to ${KEYS_MAX} strings`;
  if (!Array.isArray(keys)) throw invalidArgument("options.keys", allowed, keys);
  if (keys.length === 0 || keys.length > KEYS_MAX) {
    throw invalidArgument("options.keys", allowed, `an array of ${keys.length}`);
  }
  keys.forEach((key, i) => {
    if (typeof key !== "string") throw invalidArgument(`options.keys[${i}]`, "a string", key);
  });
  return keys as string[];
}

function keysCountFrom(options: Record<string, unknown>, fallbackCount: number): number {
  return options.keysCount === undefined
    ? fallbackCount
    : requireIntegerIn("options.keysCount", options.keysCount, 1, KEYS_MAX);
}

/** Keys hashed once: both hash64 halves, and the high half (the ring position) sorted. */
interface HashedKeys {
  readonly count: number;
  readonly high: Uint32Array;
  readonly low: Uint32Array;
  readonly sortedHigh: Uint32Array;
}

/**
 * Hashes `options.keys`, or `sampleKeys(keysCount)` straight from their bytes (building a million
 * strings would cost more than every placement in the table).
 */
function hashedKeys(options: Record<string, unknown>, fallbackCount: number): HashedKeys {
  let high: Uint32Array;
  let low: Uint32Array;
  if (options.keys !== undefined) {
    const keys = requireKeys(options.keys);
    high = new Uint32Array(keys.length);
    low = new Uint32Array(keys.length);
    hash64Into(keys, high, low);
  } else {
    const count = keysCountFrom(options, fallbackCount);
    high = new Uint32Array(count);
    low = new Uint32Array(count);
    hash64SampleKeysInto(count, "key-", high, low);
  }
  return { count: high.length, high, low, sortedHigh: high.slice().sort() };
}

/**
 * Owner slots of ascending key positions, by one merge-like walk over the ring's sorted points:
 * O(keys + points) with sequential memory access, instead of a binary search per key.
 */
function forEachOwner(
  core: RingCore<string>,
  sorted: Uint32Array,
  visit: (owner: number) => void,
): void {
  const positions = core.positions;
  const owners = core.owners;
  const pointsCount = positions.length;
  let point = 0;
  for (let i = 0; i < sorted.length; i++) {
    const h = sorted[i] as number;
    while (point < pointsCount && (positions[point] as number) < h) point++;
    visit(owners[point === pointsCount ? 0 : point] as number);
  }
}

/** How many ascending key positions two rings give different owner slots. */
function countMoved(a: RingCore<string>, b: RingCore<string>, sorted: Uint32Array): number {
  const ownersA = new Uint32Array(sorted.length);
  let i = 0;
  forEachOwner(a, sorted, (owner) => {
    ownersA[i++] = owner;
  });
  let moved = 0;
  i = 0;
  forEachOwner(b, sorted, (owner) => {
    if (ownersA[i++] !== owner) moved++;
  });
  return moved;
}

function vnodesFrom(options: Record<string, unknown>): number {
  return options.vnodes === undefined
    ? VNODES_DEFAULT
    : requireIntegerIn("options.vnodes", options.vnodes, 1, 1_000_000);
}

// ---------------------------------------------------------------- (1) remapping

/** Options of {@link remapTable}; every field has a default. */
export interface RemapTableOptions {
  /** Keys placed: `sampleKeys(keysCount)`. Default 1,000,000. Ignored when `keys` is given. */
  readonly keysCount?: number;
  /** The keys to place, instead of `sampleKeys(keysCount)`. */
  readonly keys?: readonly string[];
  /** Node counts before and after, each an integer in [1, 10000]. Default [[3, 4], [10, 11]]. */
  readonly transitions?: readonly (readonly [number, number])[];
  /** Points per node of the ring. Default 160. */
  readonly vnodes?: number;
}

/** One row of {@link remapTable}: the fraction of keys that moved, per scheme. */
export interface RemapRow {
  /** Nodes before. */
  readonly from: number;
  /** Nodes after. */
  readonly to: number;
  readonly keysCount: number;
  /** `murmur3(key) mod n`: moves n/(n+1) of the keys when growing by one. */
  readonly modulo: number;
  /** {@link ConsistentHashRing} with nodes `node-1`.. and `vnodes` points each. */
  readonly ring: number;
  /** {@link jumpHash} with buckets 0..n-1. */
  readonly jump: number;
  /** The least any scheme can move: |to - from| / max(from, to). */
  readonly minimum: number;
}

/**
 * The fraction of keys that change node when the cluster goes from `from` to `to` nodes, for
 * modulo placement, a consistent-hash ring and jump hash, on the same keys.
 *
 * Each key is hashed once (two murmur3 lanes in one pass: the first lane is the ring position
 * and the modulo hash, both lanes make jump hash's 64-bit key), then placed with each scheme
 * before and after. The ring's nodes are `node-1` to `node-<n>`; growing adds the next names,
 * shrinking removes the last ones. One million keys take a few hundred milliseconds.
 *
 * @param options - see {@link RemapTableOptions}.
 * @throws RangeError for a bad option.
 *
 * @example
 * remapTable();
 * // [{ from: 3, to: 4, modulo: 0.75, ring: ~0.25, jump: ~0.25, minimum: 0.25, ... },
 * //  { from: 10, to: 11, modulo: ~0.91, ring: ~0.09, jump: ~0.09, minimum: ~0.09, ... }]
 */
export function remapTable(options: RemapTableOptions = {}): RemapRow[] {
  const checked = requireKnownOptions("remapTable options", options, [
    "keysCount",
    "keys",
    "transitions",
    "vnodes",
  ]);
  const vnodes = vnodesFrom(checked);
  const transitions = checked.transitions ?? [
    [3, 4],
    [10, 11],
  ];
  if (!Array.isArray(transitions) || transitions.length === 0) {
    throw invalidArgument(
      "options.transitions",
      "a non-empty array of [from, to] pairs",
      transitions,
    );
  }
  const pairs = transitions.map((pair: unknown, i) => {
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw invalidArgument(`options.transitions[${i}]`, "a pair [from, to]", pair);
    }
    const from = requireIntegerIn(`options.transitions[${i}][0]`, pair[0], 1, NODES_MAX);
    const to = requireIntegerIn(`options.transitions[${i}][1]`, pair[1], 1, NODES_MAX);
    return [from, to] as const;
  });
  const { count, high, low, sortedHigh } = hashedKeys(checked, 1_000_000);

  return pairs.map(([from, to]) => {
    const names = nodeNames(Math.max(from, to));
    // Both rings add node-1, node-2, ... in order, so slot s is node-(s + 1) in each.
    const before = new ConsistentHashRing({ vnodes, nodes: names.slice(0, from) }).internals;
    const after = new ConsistentHashRing({ vnodes, nodes: names.slice(0, to) }).internals;
    let moduloMoved = 0;
    let jumpMoved = 0;
    for (let i = 0; i < count; i++) {
      const h = high[i] as number;
      const l = low[i] as number;
      if (h % from !== h % to) moduloMoved++;
      if (jumpHashParts(h, l, from) !== jumpHashParts(h, l, to)) jumpMoved++;
    }
    const ringMoved = countMoved(before, after, sortedHigh);
    return {
      from,
      to,
      keysCount: count,
      modulo: moduloMoved / count,
      ring: ringMoved / count,
      jump: jumpMoved / count,
      minimum: Math.abs(to - from) / Math.max(from, to),
    };
  });
}

// ---------------------------------------------------------------- (2) load spread

/** Options of {@link loadSpreadTable}; every field has a default. */
export interface LoadSpreadOptions {
  /** Nodes. Default 10. */
  readonly nodesCount?: number;
  /** Points per node to try, each an integer in [1, 100000]. Default [1, 10, 100, 1000]. */
  readonly pointsPerNode?: readonly number[];
  /** Keys placed per ring. Default 200,000. */
  readonly keysCount?: number;
  /**
   * Rings per points setting, each with other node names (`node-1`.. then `t2-node-1`..); the
   * spreads are combined as a root mean square, so one lucky ring does not decide the row.
   * Default 8.
   */
  readonly trials?: number;
}

/** One row of {@link loadSpreadTable}. */
export interface LoadSpreadRow {
  readonly method: "ring" | "jump" | "modulo";
  /** Points per node for the ring; null for jump and modulo, which have no points. */
  readonly pointsPerNode: number | null;
  /** Standard deviation / mean of keys per node (root mean square over the trials). */
  readonly stdDevOverMean: number;
  /** Most loaded node / mean (mean over the trials). */
  readonly maxOverMean: number;
  /** For the ring: the same spread computed from the nodes' arcs, without key sampling noise. */
  readonly arcStdDevOverMean: number | null;
  /**
   * What theory predicts. Ring: a node's share of n x p random points is Beta(p, (n - 1) p), so
   * sqrt((n - 1) / (n p + 1)), about 1/sqrt(p). Jump and modulo: only the sampling noise of
   * k keys, sqrt((n - 1) / k).
   */
  readonly predicted: number;
}

/**
 * How evenly keys spread over `nodesCount` nodes as the ring's points per node grow, next to jump
 * hash and modulo, which need no points: the spread (std-dev / mean) falls like 1/sqrt(points),
 * about 30 % at 10 points, 10 % at 100 and 3 % at 1000.
 *
 * @param options - see {@link LoadSpreadOptions}.
 * @throws RangeError for a bad option.
 *
 * @example
 * loadSpreadTable().map((row) => [row.method, row.pointsPerNode, row.stdDevOverMean]);
 * // ring 1: ~0.9, ring 10: ~0.3, ring 100: ~0.1, ring 1000: ~0.03, jump: ~0.007, modulo: ~0.007
 */
export function loadSpreadTable(options: LoadSpreadOptions = {}): LoadSpreadRow[] {
  const checked = requireKnownOptions("loadSpreadTable options", options, [
    "nodesCount",
    "pointsPerNode",
    "keysCount",
    "trials",
  ]);
  const nodesCount =
    checked.nodesCount === undefined
      ? 10
      : requireIntegerIn("options.nodesCount", checked.nodesCount, 1, NODES_MAX);
  const pointsList = requireIntegerList(
    "options.pointsPerNode",
    checked.pointsPerNode ?? [1, 10, 100, 1000],
    1,
    100_000,
  );
  const trials =
    checked.trials === undefined ? 8 : requireIntegerIn("options.trials", checked.trials, 1, 100);
  const { count, high, low, sortedHigh } = hashedKeys(checked, 200_000);

  const rows: LoadSpreadRow[] = [];
  for (const points of pointsList as number[]) {
    let squares = 0;
    let arcSquares = 0;
    let maxOverMean = 0;
    for (let t = 0; t < trials; t++) {
      const ring = new ConsistentHashRing({
        vnodes: points,
        nodes: nodeNames(nodesCount, t === 0 ? "node-" : `t${t + 1}-node-`),
      });
      const counts = new Array<number>(nodesCount).fill(0);
      forEachOwner(ring.internals, sortedHigh, (owner) => {
        counts[owner] = (counts[owner] as number) + 1;
      });
      const stats = loadStats(counts);
      squares += stats.stdDevOverMean ** 2;
      maxOverMean += stats.maxOverMean;
      arcSquares += loadStats(ring.shares().map((s) => s.share)).stdDevOverMean ** 2;
    }
    rows.push({
      method: "ring",
      pointsPerNode: points,
      stdDevOverMean: Math.sqrt(squares / trials),
      maxOverMean: maxOverMean / trials,
      arcStdDevOverMean: Math.sqrt(arcSquares / trials),
      predicted: Math.sqrt((nodesCount - 1) / (nodesCount * points + 1)),
    });
  }
  const jumpCounts = new Array<number>(nodesCount).fill(0);
  const moduloCounts = new Array<number>(nodesCount).fill(0);
  for (let i = 0; i < count; i++) {
    const bucket = jumpHashParts(high[i] as number, low[i] as number, nodesCount);
    jumpCounts[bucket] = (jumpCounts[bucket] as number) + 1;
    const slot = (high[i] as number) % nodesCount;
    moduloCounts[slot] = (moduloCounts[slot] as number) + 1;
  }
  const noise = Math.sqrt((nodesCount - 1) / count);
  for (const [method, counts] of [
    ["jump", jumpCounts],
    ["modulo", moduloCounts],
  ] as const) {
    const stats = loadStats(counts);
    rows.push({
      method,
      pointsPerNode: null,
      stdDevOverMean: stats.stdDevOverMean,
      maxOverMean: stats.maxOverMean,
      arcStdDevOverMean: null,
      predicted: noise,
    });
  }
  return rows;
}

// ---------------------------------------------------------------- (3) replication

/** Options of {@link replicationExperiment}; every field has a default. */
export interface ReplicationOptions {
  /** Nodes on the ring, `node-1`.. Default 6. */
  readonly nodesCount?: number;
  /** Replicas per key (getNodes(key, replicas)), at most nodesCount - 1. Default 3. */
  readonly replicas?: number;
  /** Keys placed. Default 10,000. */
  readonly keysCount?: number;
  /** The node that fails (is removed from the ring). Default `"node-1"`. */
  readonly failedNode?: string;
  /** Points per node. Default 160. */
  readonly vnodes?: number;
  /** How many affected keys to show in `examples`. Default 5. */
  readonly examplesCount?: number;
}

/** One key whose replica set lost the failed node. */
export interface ReplicaChange {
  readonly key: string;
  /** getNodes(key, replicas) before the failure. */
  readonly before: readonly string[];
  /** getNodes(key, replicas) after it. */
  readonly after: readonly string[];
  /** 1 if the failed node was the key's primary, 2 if its first backup, ... */
  readonly failedPosition: number;
  /** The node that became a replica: the next distinct node clockwise after the old list. */
  readonly added: string;
  /** Surviving replicas, which still hold the data: where the new replica copies it from. */
  readonly copyFrom: readonly string[];
}

/** What {@link replicationExperiment} measured. */
export interface ReplicationResult {
  readonly nodes: readonly string[];
  readonly failedNode: string;
  readonly replicas: number;
  readonly keysCount: number;
  /** Keys that had the failed node among their replicas. */
  readonly keysLosingReplica: number;
  /** keysLosingReplica / keysCount: about replicas / nodesCount. */
  readonly fractionLosingReplica: number;
  readonly expectedFraction: number;
  /** Keys whose primary failed: their first backup is promoted to primary. */
  readonly primariesLost: number;
  /** For position 1..replicas: keys whose failed replica was at that position. */
  readonly byPosition: readonly number[];
  /** Affected keys whose new replica is the next distinct node clockwise after the old list. */
  readonly newReplicaIsNextClockwise: number;
  /** Affected keys that kept every surviving replica, in the same order. */
  readonly survivorsKept: number;
  /** Keys that did not involve the failed node but whose replicas changed: 0 on a ring. */
  readonly unaffectedKeysChanged: number;
  /** How many new replicas each surviving node takes on. */
  readonly newReplicasByNode: Readonly<Record<string, number>>;
  readonly examples: readonly ReplicaChange[];
}

/**
 * Replication on a ring: each key is stored on `getNodes(key, replicas)` (Dynamo's preference
 * list), then `failedNode` leaves the ring. Measures how many keys lose a replica (about
 * replicas/n), what happens to each (the survivors stay, in order, and the next distinct node
 * clockwise joins the list, copying the data from a survivor), and that no other key is touched.
 *
 * @param options - see {@link ReplicationOptions}.
 * @throws RangeError for a bad option, replicas >= nodesCount, or a failedNode not on the ring.
 *
 * @example
 * const result = replicationExperiment();
 * result.fractionLosingReplica;        // ~0.5 (3 replicas of 6 nodes)
 * result.newReplicaIsNextClockwise === result.keysLosingReplica; // true
 * result.unaffectedKeysChanged;        // 0
 */
export function replicationExperiment(options: ReplicationOptions = {}): ReplicationResult {
  const checked = requireKnownOptions("replicationExperiment options", options, [
    "nodesCount",
    "replicas",
    "keysCount",
    "failedNode",
    "vnodes",
    "examplesCount",
  ]);
  const nodesCount =
    checked.nodesCount === undefined
      ? 6
      : requireIntegerIn("options.nodesCount", checked.nodesCount, 2, NODES_MAX);
  const replicas =
    checked.replicas === undefined
      ? 3
      : requireIntegerIn("options.replicas", checked.replicas, 1, nodesCount - 1);
  const examplesCount =
    checked.examplesCount === undefined
      ? 5
      : requireIntegerIn("options.examplesCount", checked.examplesCount, 0, 1000);
  const keys = keysFrom(checked, 10_000);
  const nodes = nodeNames(nodesCount);
  const failedNode = checked.failedNode ?? "node-1";
  if (typeof failedNode !== "string" || !nodes.includes(failedNode)) {
    throw invalidArgument(
      "options.failedNode",
      `one of the nodes node-1 to node-${nodesCount}`,
      failedNode,
    );
  }
  const ring = new ConsistentHashRing({ vnodes: vnodesFrom(checked), nodes });
  const before = keys.map((key) => ring.getNodes(key, replicas + 1));
  ring.removeNode(failedNode);

  let keysLosingReplica = 0;
  let primariesLost = 0;
  let newReplicaIsNextClockwise = 0;
  let survivorsKept = 0;
  let unaffectedKeysChanged = 0;
  const byPosition = new Array<number>(replicas).fill(0);
  const newReplicasByNode: Record<string, number> = {};
  for (const node of nodes) if (node !== failedNode) newReplicasByNode[node] = 0;
  const examples: ReplicaChange[] = [];
  keys.forEach((key, k) => {
    const walk = before[k] as string[];
    const old = walk.slice(0, replicas);
    const now = ring.getNodes(key, replicas);
    const position = old.indexOf(failedNode);
    if (position < 0) {
      if (now.join("\n") !== old.join("\n")) unaffectedKeysChanged++;
      return;
    }
    keysLosingReplica++;
    byPosition[position] = (byPosition[position] as number) + 1;
    if (position === 0) primariesLost++;
    const survivors = old.filter((node) => node !== failedNode);
    const added = now[now.length - 1] as string;
    if (now.slice(0, replicas - 1).join("\n") === survivors.join("\n")) survivorsKept++;
    if (added === walk[replicas]) newReplicaIsNextClockwise++;
    newReplicasByNode[added] = (newReplicasByNode[added] ?? 0) + 1;
    if (examples.length < examplesCount) {
      examples.push({
        key,
        before: old,
        after: now,
        failedPosition: position + 1,
        added,
        copyFrom: survivors,
      });
    }
  });
  return {
    nodes,
    failedNode,
    replicas,
    keysCount: keys.length,
    keysLosingReplica,
    fractionLosingReplica: keysLosingReplica / keys.length,
    expectedFraction: replicas / nodesCount,
    primariesLost,
    byPosition,
    newReplicaIsNextClockwise,
    survivorsKept,
    unaffectedKeysChanged,
    newReplicasByNode,
    examples,
  };
}

// ---------------------------------------------------------------- (4) bounded loads

const BOUNDED_TABLE_VNODES_DEFAULT = 10;

/** Options of {@link boundedLoadTable}; every field has a default. */
export interface BoundedLoadTableOptions {
  /** Nodes, `node-1`.. Default 10. */
  readonly nodesCount?: number;
  /** Keys placed. Default 10,000. */
  readonly keysCount?: number;
  /** Epsilons to try, each a finite number >= 0. Default [0.05, 0.1, 0.25, 0.5, 1]. */
  readonly epsilons?: readonly number[];
  /**
   * Points per node. Default 10: with few points the plain ring is unbalanced (max/mean about
   * 1.6 here), which is where bounded loads earn their keep; at 160 points the plain ring's
   * max/mean is about 1.13 and an epsilon above 0.15 never binds.
   */
  readonly vnodes?: number;
}

/** One row of {@link boundedLoadTable}: the plain ring, or bounded loads with one epsilon. */
export interface BoundedLoadRow {
  readonly method: "ring" | "bounded";
  /** null for the plain ring. */
  readonly epsilon: number | null;
  /** ceil((1 + epsilon) x mean); null for the plain ring, which has none. */
  readonly capacity: number | null;
  readonly meanLoad: number;
  readonly maxLoad: number;
  readonly maxOverMean: number;
  /** Fraction of keys that moved when `node-<n+1>` was added. */
  readonly movedOnAdd: number;
  /** Fraction of keys the added node holds afterwards: all of them moved, so movedOnAdd >= this. */
  readonly addedNodeShare: number;
  /** Fraction of keys that moved when `node-1` was removed. */
  readonly movedOnRemove: number;
  /** Fraction of keys node-1 held before: all of them must move, so movedOnRemove >= this. */
  readonly removedNodeShare: number;
}

/** What {@link boundedLoadTable} measured, with the least any scheme must move. */
export interface BoundedLoadTable {
  readonly nodesCount: number;
  readonly keysCount: number;
  /** 1 / (n + 1): the new node's fair share, what an ideal scheme moves when it joins. */
  readonly fairShareOnAdd: number;
  /** 1 / n: a node's fair share, what an ideal scheme moves when one leaves. */
  readonly fairShareOnRemove: number;
  readonly rows: readonly BoundedLoadRow[];
}

/**
 * Consistent hashing with bounded loads against the plain ring, on the same keys and nodes: the
 * most loaded node (never above `capacity`, about (1 + epsilon) x the mean), and the price, the
 * fraction of keys that move when a node is added or removed. The plain ring moves exactly the
 * keys the new node takes or the old one held; bounded loads move those and more (keys evicted by
 * the new capacity, keys that stop walking), the more the smaller epsilon is.
 *
 * @param options - see {@link BoundedLoadTableOptions}.
 * @throws RangeError for a bad option.
 *
 * @example
 * const table = boundedLoadTable();
 * table.rows.map((r) => [r.method, r.epsilon, r.maxOverMean, r.movedOnAdd]);
 * // ring (10 points per node): max/mean 1.6, moves ~0.11 on add;
 * // bounded 0.05: max/mean 1.05, moves ~0.16; bounded 1: the bound never binds, as the ring
 */
export function boundedLoadTable(options: BoundedLoadTableOptions = {}): BoundedLoadTable {
  const checked = requireKnownOptions("boundedLoadTable options", options, [
    "nodesCount",
    "keysCount",
    "epsilons",
    "vnodes",
  ]);
  const nodesCount =
    checked.nodesCount === undefined
      ? 10
      : requireIntegerIn("options.nodesCount", checked.nodesCount, 2, NODES_MAX);
  const epsilons = checked.epsilons ?? [0.05, 0.1, EPSILON_DEFAULT, 0.5, 1];
  if (!Array.isArray(epsilons) || epsilons.length === 0) {
    throw invalidArgument("options.epsilons", "a non-empty array of finite numbers >= 0", epsilons);
  }
  epsilons.forEach((epsilon, i) => {
    if (typeof epsilon !== "number" || !Number.isFinite(epsilon) || epsilon < 0) {
      throw invalidArgument(`options.epsilons[${i}]`, "a finite number >= 0", epsilon);
    }
  });
  const vnodes =
    checked.vnodes === undefined
      ? BOUNDED_TABLE_VNODES_DEFAULT
      : requireIntegerIn("options.vnodes", checked.vnodes, 1, 1_000_000);
  const keys = keysFrom(checked, 10_000);
  const names = nodeNames(nodesCount + 1);
  const initial = names.slice(0, nodesCount);
  const added = names[nodesCount] as string;
  const removed = names[0] as string;

  const plain = new ConsistentHashRing({ vnodes, nodes: initial });
  const placeAll = (): string[] => keys.map((key) => plain.getNode(key));
  const plainBefore = placeAll();
  const plainStats = statsOf(plainBefore, initial);
  plain.addNode(added);
  const plainAdded = placeAll();
  plain.removeNode(added).removeNode(removed);
  const plainRemoved = placeAll();
  const rows: BoundedLoadRow[] = [
    {
      method: "ring",
      epsilon: null,
      capacity: null,
      meanLoad: plainStats.mean,
      maxLoad: plainStats.max,
      maxOverMean: plainStats.maxOverMean,
      movedOnAdd: movedFraction(plainBefore, plainAdded),
      addedNodeShare: shareOf(plainAdded.values(), added, keys.length),
      movedOnRemove: movedFraction(plainBefore, plainRemoved),
      removedNodeShare: shareOf(plainBefore.values(), removed, keys.length),
    },
  ];
  for (const epsilon of epsilons as number[]) {
    const bounded = new BoundedLoadRing({ epsilon, vnodes, nodes: initial }).addKeys(keys);
    const before = bounded.assignment();
    const loads = bounded.loads().map((l) => l.load);
    const stats = loadStats(loads);
    const capacity = bounded.capacity;
    assert(stats.max <= capacity, "bounded loads: no node holds more than capacity keys");
    bounded.addNode(added);
    const afterAdd = bounded.assignment();
    assert(
      Math.max(...bounded.loads().map((l) => l.load)) <= bounded.capacity,
      "bounded loads: capacity holds after adding a node",
    );
    bounded.removeNode(added).removeNode(removed);
    const afterRemove = bounded.assignment();
    assert(
      Math.max(...bounded.loads().map((l) => l.load)) <= bounded.capacity,
      "bounded loads: capacity holds after removing a node",
    );
    rows.push({
      method: "bounded",
      epsilon,
      capacity,
      meanLoad: stats.mean,
      maxLoad: stats.max,
      maxOverMean: stats.maxOverMean,
      movedOnAdd: movedFraction(before, afterAdd),
      addedNodeShare: shareOf(afterAdd.values(), added, keys.length),
      movedOnRemove: movedFraction(before, afterRemove),
      removedNodeShare: shareOf(before.values(), removed, keys.length),
    });
  }
  return {
    nodesCount,
    keysCount: keys.length,
    fairShareOnAdd: 1 / (nodesCount + 1),
    fairShareOnRemove: 1 / nodesCount,
    rows,
  };
}

function shareOf(nodes: Iterable<string>, node: string, keysCount: number): number {
  let count = 0;
  for (const n of nodes) if (n === node) count++;
  return count / keysCount;
}

function statsOf(placement: readonly string[], nodes: readonly string[]): LoadStats {
  const counts = new Map<string, number>(nodes.map((node) => [node, 0]));
  for (const node of placement) counts.set(node, (counts.get(node) ?? 0) + 1);
  return loadStats(counts);
}
