// The measured comparison of the consistency-models chapter: one workload with a partition window
// against each store, and what it cost (messages, latency), how stale reads were, how available the
// minority side stayed, and whether the checker finds the history linearizable (Herlihy-Wing 1990).

import {
  type NodeId,
  Random,
  assert,
  integerOption,
  invalidArgument,
  requireKnownOptions,
  requireProbability,
} from "../../sim/index.js";
import { AbdCluster } from "./abd.js";
import { numberOption, requireSeed } from "./cluster.js";
import { DynamoCluster } from "./dynamo.js";
import { EventualCluster } from "./eventual.js";
import {
  type LinearizabilityVerdict,
  checkReplicaHistory,
  quantile,
  staleReads,
} from "./history.js";
import type { ReplicaCluster, ReplicaOperation } from "./types.js";

/** The workload every store of the comparison runs. Every field has a default. */
export interface ReplicaWorkloadOptions {
  /** Seed of the workload's own generator (keys, reads or writes, think times). Default 1. */
  readonly seed?: number;
  /** Keys k1..kN the clients pick from uniformly, an integer in [1, 1000]. Default 3. */
  readonly keysCount?: number;
  /** Probability that an operation is a read. Default 0.5. */
  readonly readFraction?: number;
  /** A client waits a random time in [0, thinkMsMax] between operations. Default 20 ms. */
  readonly thinkMsMax?: number;
  /** Clients start operations during this long (true ms from the start). Default 3000. */
  readonly durationMs?: number;
  /**
   * A partition window: `minority` nodes are cut off from the rest from `startMs` to `endMs`.
   * null: no partition. Default `{ startMs: 1000, endMs: 2000, minority: ["r1", "r2", "c1", "c2"] }`.
   */
  readonly partition?: ReplicaPartitionWindow | null;
  /** True time after `durationMs` to let operations finish and replicas settle. Default 1000. */
  readonly settleMs?: number;
}

/** A partition window of a workload. */
export interface ReplicaPartitionWindow {
  readonly startMs: number;
  readonly endMs: number;
  /** The nodes on the minority side (replicas and the clients that talk to them). */
  readonly minority: readonly NodeId[];
}

const WORKLOAD_OPTIONS = [
  "seed",
  "keysCount",
  "readFraction",
  "thinkMsMax",
  "durationMs",
  "partition",
  "settleMs",
];

/** The default partition window: r1, r2 and their clients c1, c2 cut off from 1 s to 2 s. */
export const REPLICA_PARTITION_DEFAULT: ReplicaPartitionWindow = {
  startMs: 1000,
  endMs: 2000,
  minority: ["r1", "r2", "c1", "c2"],
};

/** What a workload run measured on one store. */
export interface ReplicaWorkloadResult {
  readonly store: string;
  readonly history: readonly ReplicaOperation[];
  /** Operations that returned ok / with an error. */
  readonly okCount: number;
  readonly errorCount: number;
  /** Messages the whole run sent (client requests, replication, repair, background) per operation. */
  readonly messagesPerOperation: number;
  /** Mean and 99th percentile of call-to-return time of successful operations, simulated ms. */
  readonly latencyMsMean: number;
  readonly latencyMsP99: number;
  /** Stale reads (see {@link staleReads}). */
  readonly staleReadsCount: number;
  readonly staleReadFraction: number;
  readonly versionsBehindMax: number;
  /**
   * Of the operations minority-side clients called and got an answer to while the partition
   * lasted, the fraction answered ok (1 with no partition or no such operation).
   */
  readonly availabilityUnderPartition: number;
}

interface Workload {
  readonly seed: number;
  readonly keysCount: number;
  readonly readFraction: number;
  readonly thinkMsMax: number;
  readonly durationMs: number;
  readonly partition: ReplicaPartitionWindow | null;
  readonly settleMs: number;
}

function readWorkload(options: ReplicaWorkloadOptions): Workload {
  const checked = requireKnownOptions("workload options", options, WORKLOAD_OPTIONS);
  const partition =
    checked.partition === undefined
      ? REPLICA_PARTITION_DEFAULT
      : (checked.partition as ReplicaPartitionWindow | null);
  if (partition !== null) {
    if (typeof partition !== "object" || !Array.isArray(partition.minority)) {
      throw invalidArgument(
        "options.partition",
        "null or { startMs, endMs, minority: node ids }",
        partition,
      );
    }
    numberOption("options.partition.startMs", partition.startMs, 0, 0);
    numberOption("options.partition.endMs", partition.endMs, 0, partition.startMs);
  }
  return {
    seed: requireSeed(checked.seed ?? 1, "options.seed"),
    keysCount: integerOption("options.keysCount", checked.keysCount, 3, 1, 1000),
    readFraction: requireProbability("options.readFraction", checked.readFraction ?? 0.5),
    thinkMsMax: numberOption("options.thinkMsMax", checked.thinkMsMax, 20, 0),
    durationMs: numberOption("options.durationMs", checked.durationMs, 3000, 1),
    partition,
    settleMs: numberOption("options.settleMs", checked.settleMs, 1000, 0),
  };
}

/**
 * Runs a closed-loop workload on any {@link ReplicaCluster}: every client, while time is below
 * `durationMs`, picks a key and a read or a write (values "c<client>:<n>", unique), waits for
 * the answer, thinks, and goes again. The partition window cuts `minority` off from the rest.
 *
 * @example
 * const result = runReplicaWorkload(new AbdCluster({ seed: 1, replicasCount: 5, clientsCount: 4 }));
 * result.availabilityUnderPartition; // 0: the minority side cannot reach a majority
 */
export function runReplicaWorkload(
  cluster: ReplicaCluster,
  options: ReplicaWorkloadOptions = {},
): ReplicaWorkloadResult {
  const workload = readWorkload(options);
  const random = new Random(workload.seed);
  const startMs = cluster.nowMs;
  const written = new Map<NodeId, number>();
  const next = (clientId: NodeId): void => {
    if (cluster.nowMs - startMs >= workload.durationMs) return;
    const key = `k${random.int(1, workload.keysCount)}`;
    if (random.chance(workload.readFraction)) {
      cluster.invoke(clientId, { kind: "read", key }, () => think(clientId));
    } else {
      const count = (written.get(clientId) ?? 0) + 1;
      written.set(clientId, count);
      const value = `${clientId}:${count}`;
      cluster.invoke(clientId, { kind: "write", key, value }, () => think(clientId));
    }
  };
  const think = (clientId: NodeId): void => {
    const delayMs = random.float(0, workload.thinkMsMax);
    cluster.at(cluster.nowMs + delayMs, () => next(clientId));
  };
  const partition = workload.partition;
  if (partition !== null) {
    const known = new Set([...cluster.replicaIds, ...cluster.clientIds]);
    for (const id of partition.minority) {
      if (!known.has(id)) {
        throw invalidArgument("partition.minority", "node ids of the cluster", id);
      }
    }
  }
  for (const clientId of cluster.clientIds) think(clientId);
  if (partition !== null) {
    cluster.at(startMs + partition.startMs, () => cluster.partition([partition.minority]));
    cluster.at(startMs + partition.endMs, () => cluster.heal());
  }
  cluster.runFor(workload.durationMs + workload.settleMs);
  return measure(cluster, workload, startMs);
}

function measure(
  cluster: ReplicaCluster,
  workload: Workload,
  startMs: number,
): ReplicaWorkloadResult {
  const history = cluster.history;
  const ok = history.filter((op) => op.output.kind === "ok");
  const latencies = ok.map((op) => op.return - op.call);
  const staleness = staleReads(history);
  let minorityCalls = 0;
  let minorityOk = 0;
  const partition = workload.partition;
  if (partition !== null) {
    const minorityClients = new Set(
      cluster.clientIds
        .map((id, index) => (partition.minority.includes(id) ? index : -1))
        .filter((index) => index >= 0),
    );
    for (const op of history) {
      // Operations called and answered while the partition lasted; one that straddles the heal
      // says nothing about availability in the partition.
      const inWindow =
        op.call >= startMs + partition.startMs && op.return < startMs + partition.endMs;
      if (!inWindow || !minorityClients.has(op.clientId)) continue;
      minorityCalls++;
      if (op.output.kind === "ok") minorityOk++;
    }
  }
  assert(ok.length <= history.length, "ok operations are part of the history");
  return {
    store: cluster.name,
    history,
    okCount: ok.length,
    errorCount: history.length - ok.length,
    messagesPerOperation: history.length === 0 ? 0 : cluster.stats.messagesSent / history.length,
    latencyMsMean:
      latencies.length === 0 ? 0 : latencies.reduce((a, b) => a + b, 0) / latencies.length,
    latencyMsP99: quantile(latencies, 0.99),
    staleReadsCount: staleness.staleReadsCount,
    staleReadFraction: staleness.staleFraction,
    versionsBehindMax: staleness.versionsBehindMax,
    availabilityUnderPartition: minorityCalls === 0 ? 1 : minorityOk / minorityCalls,
  };
}

/** One row of the comparison table. */
export interface ConsistencyRow extends Omit<ReplicaWorkloadResult, "history"> {
  /** What the linearizability checker says of the history (kv model, partitioned by key). */
  readonly linearizable: LinearizabilityVerdict;
  /** The history, for drawing or checking again. */
  readonly history: readonly ReplicaOperation[];
}

/**
 * A store of the comparison: a name and how to build it. The cluster must have replicas r1..r5
 * and clients c1..c4, client ci talking to replica ri (or, for ABD, to every replica), so the
 * default partition cuts {r1, r2, c1, c2} off from {r3, r4, r5, c3, c4}.
 */
export interface ComparisonStore {
  readonly name: string;
  build(seed: number): ReplicaCluster;
}

/**
 * The five stores of the chapter's table: ABD; Dynamo N=3 strict with R=W=2 (R+W>N); Dynamo
 * R=W=1 (R+W<=N); Dynamo R=W=2 sloppy; eventual (LWW, Merkle anti-entropy). Append a store
 * (the causal one) to this list to get one more row.
 */
export function defaultComparisonStores(): ComparisonStore[] {
  const common = { replicasCount: 5, clientsCount: 4, traceEventsMax: 0 };
  return [
    { name: "ABD (linearizable)", build: (seed) => new AbdCluster({ seed, ...common }) },
    {
      name: "Dynamo N=3 R=2 W=2",
      build: (seed) => new DynamoCluster({ seed, ...common, n: 3, r: 2, w: 2 }),
    },
    {
      name: "Dynamo N=3 R=1 W=1",
      build: (seed) => new DynamoCluster({ seed, ...common, n: 3, r: 1, w: 1 }),
    },
    {
      name: "Dynamo N=3 R=2 W=2 sloppy",
      build: (seed) => new DynamoCluster({ seed, ...common, n: 3, r: 2, w: 2, sloppy: true }),
    },
    {
      name: "eventual (LWW + Merkle)",
      build: (seed) => new EventualCluster({ seed, ...common }),
    },
  ];
}

/** Options of {@link consistencyComparison}: the workload's, plus the stores and the checker. */
export interface ConsistencyComparisonOptions extends ReplicaWorkloadOptions {
  /** The stores, one row each, in order. Default {@link defaultComparisonStores}. */
  readonly stores?: readonly ComparisonStore[];
  /** Wall-time budget of each linearizability check; "unknown" past it. Default 2000 ms. */
  readonly checkTimeoutMs?: number;
}

/**
 * Runs the same workload (same seed, same partition window) against each store and measures it.
 *
 * @example
 * const rows = consistencyComparison({ seed: 1 });
 * rows.map((row) => [row.store, row.availabilityUnderPartition, row.staleReadsCount, row.linearizable]);
 */
export function consistencyComparison(
  options: ConsistencyComparisonOptions = {},
): ConsistencyRow[] {
  const { stores, checkTimeoutMs, ...workload } = options;
  const timeoutMs = numberOption("options.checkTimeoutMs", checkTimeoutMs, 2000, 1);
  const list = stores ?? defaultComparisonStores();
  if (!Array.isArray(list) || list.length === 0) {
    throw invalidArgument("options.stores", "a non-empty array of { name, build }", list);
  }
  const seed = requireSeed(workload.seed ?? 1, "options.seed");
  return list.map((store) => {
    const cluster = store.build(seed);
    const result = runReplicaWorkload(cluster, workload);
    return {
      ...result,
      store: store.name,
      linearizable: checkReplicaHistory(result.history, timeoutMs),
    };
  });
}
