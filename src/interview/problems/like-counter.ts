// Worked problem "Design the like counter of a social feed": AP with a PN-counter CRDT (Shapiro et
// al. 2011, §3.1), run on the CAP chapter's scripted partition, plus hot posts split into shards.

import { runCapScenario } from "../../cap/scenario.js";
import type { CapRun, CapScenarioOptions, CapVariant } from "../../cap/types.js";
import { BoundedLoadRing } from "../../hashing/bounded.js";
import { ConsistentHashRing } from "../../hashing/ring.js";
import {
  assert,
  integerOption,
  invalidArgument,
  requireKnownOptions,
  requireNumberAtLeast,
} from "../../sim/assert.js";
import type { LineSeries } from "../../viz/index.js";
import type { LoadAssumptions } from "../estimate.js";
import type { WorkedProblem } from "../types.js";

/**
 * The like counter as an interviewer states it, with the requirements a candidate settles on:
 * a stale count is fine, the post id splits the data, likes need no order, no single worker, a
 * like is a (user, post) pair so applying it twice is harmless, celebrity posts are hot, reads
 * must be fast (50 ms p99) while replicas sit in three regions (40 ms apart one way), and the
 * button must work 99.99% of the time.
 *
 * @example
 * recommend(likeCounterProblem.requirements).decisions.map((d) => d.choice);
 * // equals likeCounterProblem.documentedChoices
 */
export const likeCounterProblem: WorkedProblem = {
  page: "09a-like-counter",
  title: "Design the like counter of a social feed",
  requirements: {
    strongConsistency: false,
    naturalPartitionKey: true,
    ordering: "none",
    singleActiveWorker: false,
    idempotentConsumers: true,
    hotSpotRisk: true,
    latencyMsP99: 50,
    availabilityTarget: 0.9999,
    replicaOneWayLatencyMs: 40,
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
 * The numbers behind the estimate: 300 million daily users who like 5 posts a day, a count shown
 * 100 times per like (every feed view shows it), peaks at 3x the average, 40 bytes stored per like
 * (user id, post id, time, for "who liked this" and for undoing), 8 bytes per count read, kept 5
 * years on 3 replicas.
 */
export const likeCounterAssumptions: LoadAssumptions = {
  dailyActiveUsers: 300e6,
  writesPerUserPerDay: 5,
  readsPerWrite: 100,
  peakToAverage: 3,
  bytesPerWrite: 40,
  bytesPerRead: 8,
  retentionDays: 5 * 365,
  replicationFactor: 3,
};

/** The three counters the page compares, with the names it gives them. */
export const LIKE_COUNTER_DESIGNS = {
  /** The reference notes' CP sketch: read the value, write value + 1 to a majority. */
  "read-modify-write quorum": "cpReadThenWrite",
  /** The reference notes' AP sketch: each replica writes value + 1, timestamped; newest wins. */
  "last write wins": "apLastWriteWins",
  /** The fix: each replica counts its own likes; gossip merges by pointwise max. */
  "PN-counter CRDT": "apCrdt",
} as const satisfies Record<string, CapVariant>;

/** A design's name on the page. */
export type LikeCounterDesign = keyof typeof LIKE_COUNTER_DESIGNS;

/** Options of {@link likeCounterRun}: those of `runCapScenario` (a like workload's defaults). */
export type LikeCounterRunOptions = CapScenarioOptions;

/**
 * Runs the CAP chapter's scripted partition (5 replicas, the first 2 cut off from 500 to 1500 ms)
 * with a like workload: 6 clients, 70% of operations are likes and the rest are count reads.
 * Same seed, same clients' choices for every design.
 *
 * @example
 * const crdt = likeCounterRun("PN-counter CRDT", 7);
 * crdt.counts.updatesLostCount; // 0
 */
export function likeCounterRun(
  design: LikeCounterDesign,
  seed: number,
  options: LikeCounterRunOptions = {},
): CapRun {
  const variant: CapVariant | undefined = Object.hasOwn(LIKE_COUNTER_DESIGNS, design)
    ? LIKE_COUNTER_DESIGNS[design]
    : undefined;
  if (variant === undefined) {
    const allowed = Object.keys(LIKE_COUNTER_DESIGNS)
      .map((name) => `"${name}"`)
      .join(", ");
    throw invalidArgument("design", `one of ${allowed}`, design);
  }
  return runCapScenario(variant, seed, { clientsCount: 6, incrementShare: 0.7, ...options });
}

/** What one run of {@link likeCounterRun} means for users: counts lost, refused and stale. */
export interface LikeCounterSummary {
  readonly design: LikeCounterDesign;
  /** Likes the user was told were counted. */
  readonly likesAcknowledged: number;
  /** Acknowledged likes missing from the final count, once every replica had time to settle. */
  readonly likesLost: number;
  /** Likes refused or timed out: the button showed an error. */
  readonly likesRefused: number;
  /** The count the final reads agree on (their largest value). */
  readonly finalCount: number;
  /** True when every replica holds the same count at the end. */
  readonly converged: boolean;
  /** Count reads answered while the partition lasted. */
  readonly readsDuringPartition: number;
  /** Of those, reads that missed at least one like acknowledged before the read began. */
  readonly staleReadsDuringPartition: number;
  /** The most acknowledged likes one read missed, during the partition. */
  readonly likesMissedMax: number;
  /** Acknowledged likes a read missed on average, during the partition. */
  readonly likesMissedMean: number;
  /** Count reads answered before the partition or after its heal (final reads included). */
  readonly readsOutsidePartition: number;
  /** The most acknowledged likes one of those missed: the normal replication lag. */
  readonly likesMissedMaxOutsidePartition: number;
}

/**
 * What users saw in a run: likes lost or refused, and how stale the counts were during the
 * partition. A read "misses" a like when the like was acknowledged before the read began and the
 * answering replica did not count it (exactly, from the replica's applied ids when the variant
 * records them; otherwise from the value, a lower bound).
 *
 * @example
 * likeCounterSummary(likeCounterRun("last write wins", 7)).likesLost; // > 0
 */
export function likeCounterSummary(run: CapRun): LikeCounterSummary {
  const design = (Object.keys(LIKE_COUNTER_DESIGNS) as LikeCounterDesign[]).find(
    (name) => LIKE_COUNTER_DESIGNS[name] === run.variant,
  );
  if (design === undefined) {
    throw invalidArgument("run.variant", "a variant of LIKE_COUNTER_DESIGNS", run.variant);
  }
  const window = run.partitionWindow;
  const acknowledged: { id: string; returnMs: number }[] = [];
  let likesRefused = 0;
  for (const operation of run.history) {
    if (operation.input.kind === "read") continue;
    if (operation.output.status === "ok") {
      acknowledged.push({ id: operation.input.id, returnMs: operation.return });
    } else likesRefused++;
  }
  let readsDuringPartition = 0;
  let staleReadsDuringPartition = 0;
  let missedSum = 0;
  let likesMissedMax = 0;
  let readsOutsidePartition = 0;
  let likesMissedMaxOutsidePartition = 0;
  run.history.forEach((operation, index) => {
    if (operation.input.kind !== "read" || operation.output.status !== "ok") return;
    const before = acknowledged.filter((like) => like.returnMs < operation.call);
    const visible = run.visibleUpdateIds[index];
    const missed =
      visible === undefined
        ? Math.max(0, before.length - (operation.output.value ?? 0))
        : before.filter((like) => !visible.includes(like.id)).length;
    if (window !== null && operation.call >= window.startMs && operation.call < window.endMs) {
      readsDuringPartition++;
      missedSum += missed;
      likesMissedMax = Math.max(likesMissedMax, missed);
      if (missed > 0) staleReadsDuringPartition++;
    } else {
      readsOutsidePartition++;
      likesMissedMaxOutsidePartition = Math.max(likesMissedMaxOutsidePartition, missed);
    }
  });
  const finals = Object.values(run.counts.finalReadValues).filter(
    (value): value is number => value !== null,
  );
  return {
    design,
    likesAcknowledged: run.counts.updatesAcknowledgedCount,
    likesLost: run.counts.updatesLostCount,
    likesRefused,
    finalCount: finals.length === 0 ? 0 : Math.max(...finals),
    converged: run.counts.converged,
    readsDuringPartition,
    staleReadsDuringPartition,
    likesMissedMax,
    likesMissedMean: readsDuringPartition === 0 ? 0 : missedSum / readsDuringPartition,
    readsOutsidePartition,
    likesMissedMaxOutsidePartition,
  };
}

/**
 * How stale the counts users read were, over time: for each `binMs` window, the most acknowledged
 * likes that a read begun in that window missed, on the minority side and on the majority side
 * of the partition (a window without reads on a side repeats that side's previous window). For
 * `lineChart`.
 *
 * @example
 * const run = likeCounterRun("PN-counter CRDT", 7);
 * show(lineChart(likeStalenessTimeline(run), { xLabel: "time (ms)" }));
 */
export function likeStalenessTimeline(run: CapRun, binMs = 100): LineSeries[] {
  requireNumberAtLeast("binMs", binMs, 1);
  const endMs = Math.max(
    0,
    ...run.history.map((op) => (Number.isFinite(op.return) ? op.return : 0)),
  );
  const binsCount = Math.floor(endMs / binMs) + 1;
  if (binsCount > 200) {
    throw invalidArgument("binMs", `at least ${Math.ceil(endMs / 200)} for this run`, binMs);
  }
  const acknowledged = run.history.filter(
    (op) => op.input.kind !== "read" && op.output.status === "ok",
  );
  const minoritySide = Array.from({ length: binsCount }, (): number | undefined => undefined);
  const majoritySide = Array.from({ length: binsCount }, (): number | undefined => undefined);
  run.history.forEach((op, index) => {
    if (op.input.kind !== "read" || op.output.status !== "ok") return;
    const before = acknowledged.filter((like) => like.return < op.call);
    const visible = run.visibleUpdateIds[index];
    const missed =
      visible === undefined
        ? Math.max(0, before.length - (op.output.value ?? 0))
        : before.filter((like) => like.input.kind !== "read" && !visible.includes(like.input.id))
            .length;
    const client = run.clients[op.clientId] ?? "";
    const side = run.minority.includes(run.homeOf[client] ?? "") ? minoritySide : majoritySide;
    const bin = Math.floor(op.call / binMs);
    side[bin] = Math.max(side[bin] ?? 0, missed);
  });
  const points = (values: readonly (number | undefined)[]) => {
    let previous = 0;
    return values.map((value, bin) => {
      previous = value ?? previous;
      return [bin * binMs, previous] as const;
    });
  };
  return [
    { name: "minority side", points: points(minoritySide) },
    { name: "majority side", points: points(majoritySide) },
  ];
}

/** Options of {@link hotPostLoad}; every field has a default. */
export interface HotPostLoadOptions {
  /** Posts receiving likes. Default 10,000. */
  readonly postsCount?: number;
  /** Counter nodes. Default 16. */
  readonly nodesCount?: number;
  /** Likes per second over all posts (the estimate's peak). Default 100,000. */
  readonly likesPerSecond?: number;
  /** Popularity of the post of rank r is proportional to 1 / r^zipfExponent. Default 1.1. */
  readonly zipfExponent?: number;
  /** A post above this rate is split into ceil(rate / this) counter shards. Default 500 likes/s. */
  readonly shardLikesPerSecondMax?: number;
  /** Points per node on both rings (virtual nodes). Default 160. */
  readonly vnodes?: number;
  /** Bounded loads' slack: a node holds at most (1 + epsilon) x the mean keys. Default 0.25. */
  readonly epsilon?: number;
}

/** One placement of the counters and the load it puts on the busiest node. */
export interface HotPostLoadRow {
  readonly placement: string;
  /** Counter keys placed: one per post, or one per shard of a split post. */
  readonly keysCount: number;
  readonly busiestNodeLikesPerSecond: number;
  readonly meanNodeLikesPerSecond: number;
  /** busiest / mean: 1 is perfect balance. */
  readonly busiestOverMean: number;
  /** The rate of the busiest single key: no placement puts less than this on one node. */
  readonly hottestKeyLikesPerSecond: number;
}

const HOT_POST_OPTIONS = [
  "postsCount",
  "nodesCount",
  "likesPerSecond",
  "zipfExponent",
  "shardLikesPerSecondMax",
  "epsilon",
  "vnodes",
] as const;

/**
 * Celebrity posts on a sharded counter service, measured three ways: one counter per post on a
 * consistent-hash ring (the hottest post's node takes its whole rate); hot posts split into counter
 * shards (`post-1#0`, `post-1#1`, ...: a like goes to any shard, a read sums them, which is a
 * G-counter with one entry per shard); and the same shards on a ring with bounded loads (no node
 * holds more than (1 + epsilon) x the mean number of keys). Deterministic: the workload is Zipf
 * by rank, the placement is murmur3.
 *
 * @example
 * const [perPost, split] = hotPostLoad();
 * perPost.busiestOverMean > split.busiestOverMean; // true
 */
export function hotPostLoad(options: HotPostLoadOptions = {}): HotPostLoadRow[] {
  requireKnownOptions("hotPostLoad options", options, HOT_POST_OPTIONS);
  const postsCount = integerOption("postsCount", options.postsCount, 10_000, 1, 1_000_000);
  const nodesCount = integerOption("nodesCount", options.nodesCount, 16, 1, 1000);
  const likesPerSecond = requireNumberAtLeast(
    "likesPerSecond",
    options.likesPerSecond ?? 100_000,
    0,
  );
  const zipfExponent = requireNumberAtLeast("zipfExponent", options.zipfExponent ?? 1.1, 0);
  const shardMax = requireNumberAtLeast(
    "shardLikesPerSecondMax",
    options.shardLikesPerSecondMax ?? 500,
    Number.MIN_VALUE,
  );
  const epsilon = requireNumberAtLeast("epsilon", options.epsilon ?? 0.25, Number.MIN_VALUE);
  const vnodes = integerOption("vnodes", options.vnodes, 160, 1, 10_000);

  const weights = Array.from({ length: postsCount }, (_, i) => 1 / (i + 1) ** zipfExponent);
  const weightSum = weights.reduce((sum, weight) => sum + weight, 0);
  const rates = weights.map((weight) => (likesPerSecond * weight) / weightSum);
  const perPost = rates.map((rate, i) => ({ key: `post-${i + 1}`, rate }));
  const split = perPost.flatMap(({ key, rate }) => {
    const shards = Math.max(1, Math.ceil(rate / shardMax));
    return Array.from({ length: shards }, (_, j) => ({ key: `${key}#${j}`, rate: rate / shards }));
  });
  const nodes = Array.from({ length: nodesCount }, (_, i) => `node-${i + 1}`);

  const row = (
    placement: string,
    keys: readonly { key: string; rate: number }[],
    nodeOf: (key: string) => string,
  ): HotPostLoadRow => {
    const load = new Map(nodes.map((node) => [node, 0]));
    for (const { key, rate } of keys) {
      const node = nodeOf(key);
      load.set(node, (load.get(node) ?? 0) + rate);
    }
    const loads = [...load.values()];
    const total = loads.reduce((sum, value) => sum + value, 0);
    assert(
      Math.abs(total - likesPerSecond) <= 1e-6 * Math.max(1, likesPerSecond),
      "placement neither loses nor invents likes",
    );
    const mean = total / nodesCount;
    const busiest = Math.max(...loads);
    return {
      placement,
      keysCount: keys.length,
      busiestNodeLikesPerSecond: busiest,
      meanNodeLikesPerSecond: mean,
      busiestOverMean: mean === 0 ? 1 : busiest / mean,
      hottestKeyLikesPerSecond: Math.max(...keys.map(({ rate }) => rate)),
    };
  };

  const ring = new ConsistentHashRing<string>({ nodes, vnodes });
  const bounded = new BoundedLoadRing<string>({ nodes, epsilon, vnodes });
  bounded.addKeys(split.map(({ key }) => key));
  return [
    row("one counter per post, hash ring", perPost, (key) => ring.getNode(key)),
    row("hot posts split into shards, hash ring", split, (key) => ring.getNode(key)),
    row(`split, bounded loads (epsilon ${epsilon})`, split, (key) => bounded.getNode(key)),
  ];
}
