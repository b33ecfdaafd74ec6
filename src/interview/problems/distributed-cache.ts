// Worked problem: a distributed cache. Consistent hashing with virtual nodes (Karger et al., STOC
// 1997, §4), replicas on the ring (Dynamo, SOSP 2007, §4.3) and bounded loads (Mirrokni et al., SODA 2018, §2).

import { BoundedLoadRing } from "../../hashing/bounded.js";
import { modHash } from "../../hashing/hash.js";
import { loadStats, sampleKeys } from "../../hashing/metrics.js";
import { murmur3 } from "../../hashing/murmur3.js";
import { ConsistentHashRing, VNODES_DEFAULT } from "../../hashing/ring.js";
import { nodeNames } from "../../hashing/experiments.js";
import {
  assert,
  integerOption,
  invalidArgument,
  requireKnownOptions,
  requireNumberAtLeast,
} from "../../sim/assert.js";
import type { LoadAssumptions } from "../estimate.js";
import type { WorkedProblem } from "../types.js";

/**
 * A look-aside cache in front of a database: stale reads are acceptable (the database is the
 * truth), keys split the data, sets and deletes are idempotent, and a few keys are very hot.
 *
 * @example
 * recommend(distributedCacheProblem.requirements).decisions.map((d) => d.choice);
 * // equals distributedCacheProblem.documentedChoices
 */
export const distributedCacheProblem: WorkedProblem = {
  page: "09d-distributed-cache",
  title: "Design a distributed cache",
  requirements: {
    strongConsistency: false,
    naturalPartitionKey: true,
    ordering: "none",
    singleActiveWorker: false,
    idempotentConsumers: true,
    hotSpotRisk: true,
    latencyMsP99: 5,
    availabilityTarget: 0.999,
    replicaOneWayLatencyMs: 0.5,
  },
  documentedChoices: [
    "ap",
    "shard-by-key",
    "simple-queue",
    "no-leader",
    "at-least-once-idempotent",
    "bounded-load-hashing",
    "local-reads",
    "sloppy-availability",
  ],
};

/**
 * The page's numbers: 100 million daily users causing 10 cache fills each (a miss, or a write
 * that refreshes the entry), each entry read 100 times, 1 KB values, a one-day TTL, two copies.
 */
export const distributedCacheAssumptions: LoadAssumptions = {
  dailyActiveUsers: 100e6,
  writesPerUserPerDay: 10,
  readsPerWrite: 100,
  peakToAverage: 3,
  bytesPerWrite: 1000,
  bytesPerRead: 1000,
  retentionDays: 1,
  replicationFactor: 2,
};

/** Options of {@link cacheResizeExperiment}; every field has a default. */
export interface CacheResizeOptions {
  /** Keys in the warm cache, `key-0`.. An integer in [1, 1000000]. Default 20,000. */
  readonly keysCount?: number;
  /** Cache nodes before one joins, an integer in [1, 1000]. Default 10. */
  readonly nodesCount?: number;
  /** Points per node of the ring with virtual nodes, in [2, 10000]. Default 160. */
  readonly vnodes?: number;
  /** Cache reads per second, to turn the misses into database load. Default 3,500,000. */
  readonly readsPerSecond?: number;
}

/** One row of {@link cacheResizeExperiment}: a placement scheme before and after a node joins. */
export interface CacheResizeRow {
  readonly scheme: "modulo" | "ring, 1 point per node" | "ring, virtual nodes";
  /** Points per node (1 for modulo, which has none: every node owns one residue). */
  readonly pointsPerNode: number;
  /** Most keys on one node / mean, before the join. */
  readonly maxOverMean: number;
  /** Keys whose node changed. */
  readonly movedFraction: number;
  /** Keys that moved to a node other than the new one: needless churn (0 on a ring). */
  readonly movedBetweenOldNodes: number;
  /** Reads that find their key right after the join (every key was cached before it). */
  readonly hitRateAfterJoin: number;
  /** Extra database reads per second right after the join: reads x (1 - hit rate). */
  readonly extraDatabaseReadsPerSecond: number;
}

/**
 * A warm cache of `keysCount` keys on `nodesCount` nodes gains one node. Each key is cached on the
 * node its scheme gives; after the join a read hits only if the key's new node is the one that
 * holds it. Modulo moves n/(n+1) of the keys (a cold cache and a database stampede); a ring moves
 * only the new node's share, and with virtual nodes that share is close to 1/(n+1).
 *
 * @throws RangeError for an unknown option or a value out of range.
 *
 * @example
 * cacheResizeExperiment().map((r) => [r.scheme, r.hitRateAfterJoin]);
 * // modulo ~0.09, ring 1 point: depends on one arc, ring 160 points ~0.91
 */
export function cacheResizeExperiment(options: CacheResizeOptions = {}): CacheResizeRow[] {
  const known = requireKnownOptions("cacheResizeExperiment options", options, [
    "keysCount",
    "nodesCount",
    "vnodes",
    "readsPerSecond",
  ]);
  const keysCount = integerOption("keysCount", known.keysCount, 20_000, 1, 1_000_000);
  const nodesCount = integerOption("nodesCount", known.nodesCount, 10, 1, 1000);
  const vnodes = integerOption("vnodes", known.vnodes, VNODES_DEFAULT, 2, 10_000);
  const readsPerSecond = requireNumberAtLeast(
    "readsPerSecond",
    known.readsPerSecond ?? 3_500_000,
    0,
  );
  const keys = sampleKeys(keysCount);
  const names = nodeNames(nodesCount + 1);
  const before = names.slice(0, nodesCount);
  const joined = names[nodesCount] as string;

  const row = (
    scheme: CacheResizeRow["scheme"],
    pointsPerNode: number,
    place: (key: string, nodes: readonly string[]) => string,
  ): CacheResizeRow => {
    // Warm the cache: every key on its node, as the fills of the last hours left it.
    const cached = new Map<string, Set<string>>(names.map((n) => [n, new Set<string>()]));
    const loads = new Map<string, number>(before.map((n) => [n, 0]));
    for (const key of keys) {
      const node = place(key, before);
      cached.get(node)?.add(key);
      loads.set(node, (loads.get(node) ?? 0) + 1);
    }
    let hits = 0;
    let moved = 0;
    let movedBetweenOldNodes = 0;
    for (const key of keys) {
      const node = place(key, names);
      if (cached.get(node)?.has(key) === true) {
        hits++;
        continue;
      }
      moved++;
      if (node !== joined) movedBetweenOldNodes++;
    }
    assert(hits + moved === keysCount, "every read is a hit or a miss");
    return {
      scheme,
      pointsPerNode,
      maxOverMean: loadStats(loads).maxOverMean,
      movedFraction: moved / keysCount,
      movedBetweenOldNodes,
      hitRateAfterJoin: hits / keysCount,
      extraDatabaseReadsPerSecond: readsPerSecond * (moved / keysCount),
    };
  };
  const ringPlacer = (points: number): ((key: string, nodes: readonly string[]) => string) => {
    const rings = new Map<number, ConsistentHashRing>();
    return (key, nodes) => {
      let ring = rings.get(nodes.length);
      if (ring === undefined) {
        ring = new ConsistentHashRing({ vnodes: points, nodes });
        rings.set(nodes.length, ring);
      }
      return ring.getNode(key);
    };
  };
  return [
    row("modulo", 1, (key, nodes) => nodes[modHash(key, nodes.length)] as string),
    row("ring, 1 point per node", 1, ringPlacer(1)),
    row("ring, virtual nodes", vnodes, ringPlacer(vnodes)),
  ];
}

/** Options of {@link hotKeyExperiment}; every field has a default. */
export interface HotKeyOptions {
  /** Cache nodes, an integer in [2, 1000]. Default 10. */
  readonly nodesCount?: number;
  /** Requests in flight at once, an integer in [1, 1000000]. Default 10,000. */
  readonly requestsCount?: number;
  /** Share of the requests that read the one hot key, in [0, 1]. Default 0.2. */
  readonly hotShare?: number;
  /** Bounded loads' slack: capacity = ceil((1 + epsilon) x mean). A number >= 0. Default 0.25. */
  readonly epsilon?: number;
  /** Copies of each key that serve reads, in [1, nodesCount]. Default 3. */
  readonly replicas?: number;
  /** Points per node, in [1, 10000]. Default 160. */
  readonly vnodes?: number;
}

/** One row of {@link hotKeyExperiment}: where one placement sends the same requests. */
export interface HotKeyRow {
  readonly method: "ring" | "ring, reads spread over replicas" | "bounded loads";
  /** Requests served by the busiest node. */
  readonly maxLoad: number;
  readonly meanLoad: number;
  readonly maxOverMean: number;
  /** Nodes that served at least one request for the hot key. */
  readonly hotKeyNodes: number;
  /** The most requests a node may take; null where nothing caps it. */
  readonly capacity: number | null;
  /** Requests served per node, in node order. */
  readonly loads: readonly number[];
}

/** What {@link hotKeyExperiment} measured. */
export interface HotKeyResult {
  readonly nodes: readonly string[];
  readonly requestsCount: number;
  readonly hotRequests: number;
  /** The hot key's home on the plain ring. */
  readonly hotKeyNode: string;
  readonly rows: readonly HotKeyRow[];
}

const HOT_KEY = "hot:celebrity-profile";
/** Requests are labelled `<key>|<request number>`; the ring hashes only the key part. */
const REQUEST_SEPARATOR = "|";

function keyOfRequest(label: string): string {
  const cut = label.indexOf(REQUEST_SEPARATOR);
  return cut < 0 ? label : label.slice(0, cut);
}

/**
 * The same burst of in-flight requests, a `hotShare` of them for one key, placed three ways on one
 * ring: plain consistent hashing (the hot key's node takes all of its requests), reads spread
 * round-robin over the key's `replicas` nodes, and bounded loads, where each request is a unit of
 * load and one that finds its node at capacity walks clockwise to the next node with room (as
 * HAProxy's and Vimeo's balancers use the algorithm).
 *
 * @throws RangeError for an unknown option or a value out of range.
 *
 * @example
 * hotKeyExperiment().rows.map((r) => [r.method, r.maxOverMean]);
 * // ring ~2.8, replicas ~1.5, bounded loads <= 1.25
 */
export function hotKeyExperiment(options: HotKeyOptions = {}): HotKeyResult {
  const known = requireKnownOptions("hotKeyExperiment options", options, [
    "nodesCount",
    "requestsCount",
    "hotShare",
    "epsilon",
    "replicas",
    "vnodes",
  ]);
  const nodesCount = integerOption("nodesCount", known.nodesCount, 10, 2, 1000);
  const requestsCount = integerOption("requestsCount", known.requestsCount, 10_000, 1, 1_000_000);
  const hotShare = known.hotShare ?? 0.2;
  if (typeof hotShare !== "number" || !(hotShare >= 0 && hotShare <= 1)) {
    throw invalidArgument("hotShare", "a number in [0, 1]", hotShare);
  }
  const epsilon = known.epsilon ?? 0.25;
  if (typeof epsilon !== "number" || !Number.isFinite(epsilon) || epsilon < 0) {
    throw invalidArgument("epsilon", "a finite number >= 0", epsilon);
  }
  const replicas = integerOption("replicas", known.replicas, 3, 1, nodesCount);
  const vnodes = integerOption("vnodes", known.vnodes, VNODES_DEFAULT, 1, 10_000);
  const nodes = nodeNames(nodesCount);

  // Request i reads the hot key when the running count of hot requests steps up at i.
  const requests: string[] = [];
  let hotRequests = 0;
  for (let i = 0; i < requestsCount; i++) {
    const hot = Math.floor((i + 1) * hotShare) > Math.floor(i * hotShare);
    if (hot) hotRequests++;
    requests.push(`${hot ? HOT_KEY : `key-${i}`}${REQUEST_SEPARATOR}${i}`);
  }
  const ring = new ConsistentHashRing({ vnodes, nodes });
  const rowOf = (
    method: HotKeyRow["method"],
    nodeOf: (label: string, i: number) => string,
    capacity: number | null,
  ): HotKeyRow => {
    const counts = new Map<string, number>(nodes.map((n) => [n, 0]));
    const hotNodes = new Set<string>();
    requests.forEach((label, i) => {
      const node = nodeOf(label, i);
      counts.set(node, (counts.get(node) ?? 0) + 1);
      if (keyOfRequest(label) === HOT_KEY) hotNodes.add(node);
    });
    const stats = loadStats(counts);
    assert(stats.total === requestsCount, "every request is served by one node");
    if (capacity !== null) assert(stats.max <= capacity, "bounded loads: no node above capacity");
    return {
      method,
      maxLoad: stats.max,
      meanLoad: stats.mean,
      maxOverMean: stats.maxOverMean,
      hotKeyNodes: hotNodes.size,
      capacity,
      loads: nodes.map((n) => counts.get(n) ?? 0),
    };
  };
  const bounded = new BoundedLoadRing({
    epsilon,
    vnodes,
    nodes,
    hash: (label) => murmur3(keyOfRequest(label)),
  }).addKeys(requests);
  const assignment = bounded.assignment();
  return {
    nodes,
    requestsCount,
    hotRequests,
    hotKeyNode: ring.getNode(HOT_KEY),
    rows: [
      rowOf("ring", (label) => ring.getNode(keyOfRequest(label)), null),
      rowOf(
        "ring, reads spread over replicas",
        (label, i) => ring.getNodes(keyOfRequest(label), replicas)[i % replicas] as string,
        null,
      ),
      rowOf("bounded loads", (label) => assignment.get(label) as string, bounded.capacity),
    ],
  };
}
