// Worked problem "Design an order processing pipeline": a log partitioned by order id, a consumer
// group, effects made exactly once by dedup, replicated partitions (Kreps et al. 2011; KIP-98).

import {
  assert,
  integerOption,
  invalidArgument,
  requireKnownOptions,
  requireProbability,
  requireSeeds,
} from "../../sim/assert.js";
import { Random } from "../../sim/random.js";
import {
  type AssignorName,
  Broker,
  type Consumer,
  type QueueRecord,
  type RebalanceRecord,
  type ReplicationAcks,
  replicationLossRow,
} from "../../queue/index.js";
import type { LoadAssumptions } from "../estimate.js";
import type { WorkedProblem } from "../types.js";

/**
 * The order pipeline: orders are keyed by order id (a natural partition key), each order's events
 * must apply in order (a partitioned log), charging a card is not idempotent by nature (so effects
 * are made exactly once by dedup), and an acknowledged order must never be lost (acks=all on a
 * majority of in-sync replicas).
 */
export const orderPipelineProblem: WorkedProblem = {
  page: "09f-order-pipeline",
  title: "Design an order processing pipeline (orders, payment, shipping)",
  requirements: {
    strongConsistency: true,
    naturalPartitionKey: true,
    ordering: "per-key",
    singleActiveWorker: false,
    idempotentConsumers: false,
    hotSpotRisk: false,
    latencyMsP99: 500,
    availabilityTarget: 0.9999,
    replicaOneWayLatencyMs: 2,
  },
  documentedChoices: [
    "cp",
    "shard-by-key",
    "partitioned-log",
    "no-leader",
    "exactly-once-effects",
    "plain-hash-partitioning",
    "quorum-round-trip",
    "majority-quorum-replication",
  ],
};

/**
 * The pipeline's load, with a "user" read as a shopper: 10 million shoppers a day placing 0.2
 * orders each, every order 3 events (created, paid, shipped) of 1 KB, peaks 5x (sales), each event
 * read by 3 consumer groups, kept 7 days, 3 replicas.
 */
export const orderPipelineAssumptions: LoadAssumptions = {
  dailyActiveUsers: 10_000_000,
  writesPerUserPerDay: 0.6,
  readsPerWrite: 3,
  peakToAverage: 5,
  bytesPerWrite: 1_000,
  bytesPerRead: 1_000,
  retentionDays: 7,
  replicationFactor: 3,
};

/** The events of one order, in the order they must take effect. */
const ORDER_EVENTS = ["created", "paid", "shipped"] as const;

/** Options of {@link orderPipelineRun}; every field has a default. */
export interface OrderPipelineOptions {
  /** Seeds the interleaving of orders, the crash points and the poll order. Default 1. */
  readonly seed?: number;
  /** Orders placed, each with 3 events (created, paid, shipped); an integer >= 1. Default 60. */
  readonly orders?: number;
  /** Partitions of the "orders" topic, an integer >= 1. Default 6. */
  readonly partitions?: number;
  /** Consumers in the group at any time, an integer >= 1. Default 3. */
  readonly consumers?: number;
  /** "order-id": the key picks the partition (murmur2); "round-robin": spread, key ignored. */
  readonly partitionBy?: "order-id" | "round-robin";
  /** Skip an event whose (order id, event) is already recorded as applied. Default false. */
  readonly dedupByOrderId?: boolean;
  /** Chance that a consumer crashes while handling a batch, in [0, 1). Default 0. */
  readonly crashProbability?: number;
  /** Records per poll, an integer >= 1. Default 10. */
  readonly maxRecords?: number;
}

/** What {@link orderPipelineRun} measured. */
export interface OrderPipelineResult {
  readonly eventsProduced: number;
  /** Handler runs, replays after a crash included. */
  readonly eventsHandled: number;
  /** Effects that happened (a card charged, a parcel sent), repeats included. */
  readonly effectsApplied: number;
  /** Effects that happened more than once for the same (order, event): double charges. */
  readonly duplicateEffects: number;
  /** Events whose effect never happened. */
  readonly missingEffects: number;
  /** Effects applied before the effect of the order's previous event (shipped before paid). */
  readonly outOfOrderEffects: number;
  /** Orders with at least one out-of-order effect. */
  readonly ordersOutOfOrder: number;
  /** Replays skipped by the dedup table. */
  readonly replaysSkipped: number;
  readonly crashes: number;
  readonly rebalances: number;
}

const TOPIC = "orders";
const GROUP = "fulfilment";
const STEP_MS = 50;
const STEPS_MAX = 100_000;
const SESSION_TIMEOUT_MS = 1_000;
const ASSIGNORS: readonly AssignorName[] = ["range", "roundrobin", "sticky", "cooperative-sticky"];

/**
 * Places `orders` orders (their events interleaved at random, each order's own events in order)
 * on a topic, then a consumer group applies each event's effect: commit after the effects
 * (at-least-once), a crash possible at any point of a batch, a new consumer joining for each crashed
 * one. With `dedupByOrderId`, an effect and its (order id, event) record are one atomic write, and
 * an event already recorded is skipped: the effects happen exactly once although delivery is
 * at-least-once. Partitioned by order id, one consumer at a time reads an order's events, in order.
 *
 * @example
 * orderPipelineRun({ crashProbability: 0.3 }).duplicateEffects; // > 0: replays after crashes
 * orderPipelineRun({ crashProbability: 0.3, dedupByOrderId: true }).duplicateEffects; // 0
 * orderPipelineRun({ partitionBy: "round-robin" }).ordersOutOfOrder; // > 0
 */
export function orderPipelineRun(options?: OrderPipelineOptions): OrderPipelineResult {
  const known = requireKnownOptions("orderPipelineRun options", options, [
    "seed",
    "orders",
    "partitions",
    "consumers",
    "partitionBy",
    "dedupByOrderId",
    "crashProbability",
    "maxRecords",
  ]);
  const seed = integerOption("seed", known.seed, 1, 0);
  const orders = integerOption("orders", known.orders, 60, 1);
  const partitions = integerOption("partitions", known.partitions, 6, 1, 10_000);
  const consumersCount = integerOption("consumers", known.consumers, 3, 1);
  const partitionBy = known.partitionBy ?? "order-id";
  if (partitionBy !== "order-id" && partitionBy !== "round-robin") {
    throw invalidArgument("partitionBy", '"order-id" or "round-robin"', partitionBy);
  }
  const dedup = known.dedupByOrderId ?? false;
  if (typeof dedup !== "boolean") throw invalidArgument("dedupByOrderId", "true or false", dedup);
  const crashProbability = requireProbability("crashProbability", known.crashProbability ?? 0);
  if (crashProbability === 1) {
    throw invalidArgument(
      "crashProbability",
      "a probability below 1 (at 1 no batch is ever committed, so the input never drains)",
      crashProbability,
    );
  }
  const maxRecords = integerOption("maxRecords", known.maxRecords, 10, 1);

  const random = new Random(seed);
  const broker = new Broker({ seed });
  broker.createTopic(TOPIC, { partitions });
  const producer = broker.producer({
    partitioner: partitionBy === "order-id" ? "murmur2" : "round-robin",
  });
  const eventsProduced = placeOrders(random, orders, (orderId, event) => {
    producer.send(TOPIC, { key: orderId, value: `${orderId}:${event}` });
  });

  // The orders database: effects per (order, event), and the dedup table written with them.
  const effects = new Map<string, number>();
  let effectsApplied = 0;
  let outOfOrderEffects = 0;
  const ordersOutOfOrder = new Set<string>();
  let eventsHandled = 0;
  let replaysSkipped = 0;
  const handle = (record: QueueRecord): void => {
    eventsHandled++;
    const [orderId, event] = record.value.split(":") as [string, string];
    const step = ORDER_EVENTS.indexOf(event as (typeof ORDER_EVENTS)[number]);
    assert(step >= 0, `an order event is one of ${ORDER_EVENTS.join(", ")}`);
    if (dedup && effects.has(record.value)) {
      replaysSkipped++;
      return;
    }
    const previous = step === 0 ? undefined : `${orderId}:${ORDER_EVENTS[step - 1]}`;
    if (previous !== undefined && !effects.has(previous)) {
      outOfOrderEffects++;
      ordersOutOfOrder.add(orderId);
    }
    effects.set(record.value, (effects.get(record.value) ?? 0) + 1);
    effectsApplied++;
  };

  const join = (): Consumer => {
    const consumer = broker.consumer({
      groupId: GROUP,
      autoCommit: false,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
    });
    consumer.subscribe([TOPIC]);
    return consumer;
  };
  let live: Consumer[] = Array.from({ length: consumersCount }, join);
  let crashes = 0;
  for (let step = 0; !drained(broker); step++) {
    assert(step < STEPS_MAX, `the pipeline drains its input within ${STEPS_MAX} steps`);
    broker.advance(STEP_MS);
    for (const consumer of random.shuffle(live)) {
      const records = consumer.poll({ maxRecords });
      if (records.length === 0) continue;
      const actions: (() => void)[] = records.map((record) => () => handle(record));
      actions.push(() => consumer.commit());
      const crashBefore = random.chance(crashProbability) ? random.int(0, actions.length - 1) : -1;
      const stop = crashBefore === -1 ? actions.length : crashBefore;
      for (let i = 0; i < stop; i++) (actions[i] as () => void)();
      if (crashBefore !== -1) {
        // It stops polling: the group notices after the session timeout.
        crashes++;
        live = live.filter((c) => c !== consumer);
        live.push(join());
      }
    }
  }

  let duplicateEffects = 0;
  for (const times of effects.values()) if (times > 1) duplicateEffects++;
  return {
    eventsProduced,
    eventsHandled,
    effectsApplied,
    duplicateEffects,
    missingEffects: eventsProduced - effects.size,
    outOfOrderEffects,
    ordersOutOfOrder: ordersOutOfOrder.size,
    replaysSkipped,
    crashes,
    rebalances: broker.describeGroup(GROUP).rebalances.length,
  };
}

/** Options of {@link orderPipelineRebalance}; every field but `assignor` has a default. */
export interface OrderPipelineRebalanceOptions {
  /** The group's assignor: "range" (eager) or "cooperative-sticky" (incremental). */
  readonly assignor: AssignorName;
  /** A consumer that stops polling for longer is removed, ms (>= 1). Default 1,000. */
  readonly sessionTimeoutMs?: number;
  /** Partitions of the topic, an integer >= 1. Default 6. */
  readonly partitions?: number;
  /** Consumers before the crash, an integer >= 2. Default 3. */
  readonly consumers?: number;
  /** Seeds the orders placed. Default 1. */
  readonly seed?: number;
}

/** What {@link orderPipelineRebalance} measured (broker clock ms). */
export interface OrderPipelineRebalanceResult {
  readonly assignor: AssignorName;
  readonly sessionTimeoutMs: number;
  /** From the crash to the group noticing it (the rebalance starting). */
  readonly detectionMs: number;
  /** From the crash until the crashed consumer's partitions are read again. */
  readonly stalledMs: number;
  /** The longest time one partition was paused by the rebalance itself. */
  readonly rebalancePausedMs: number;
  /** Summed over partitions, the time the rebalance paused them. */
  readonly partitionPausedMs: number;
  /** Partitions paused by the rebalance (eager: all of them). */
  readonly partitionsPaused: number;
  /** Partitions that changed owner. */
  readonly partitionsMoved: number;
  /** The rebalance, for `rebalanceSequence` and `rebalanceAssignmentRows`. */
  readonly rebalance: RebalanceRecord;
}

/**
 * The rebalance pause: a group of `consumers` reads a steady stream of orders; one consumer crashes
 * (stops polling) after its last poll before 1 s; each member polls every 10 ms x members. The group notices after the session timeout, rebalances, and another
 * member takes the crashed one's partitions. Measures detection, the stall of the crashed
 * consumer's partitions, and what the rebalance paused (eager: every partition; cooperative: only
 * the moved ones).
 *
 * @example
 * orderPipelineRebalance({ assignor: "range" }).partitionsPaused; // 6: every partition
 * orderPipelineRebalance({ assignor: "cooperative-sticky" }).partitionsPaused; // 2: the moved ones
 */
export function orderPipelineRebalance(
  options: OrderPipelineRebalanceOptions,
): OrderPipelineRebalanceResult {
  const known = requireKnownOptions("orderPipelineRebalance options", options, [
    "assignor",
    "sessionTimeoutMs",
    "partitions",
    "consumers",
    "seed",
  ]);
  const assignor = known.assignor as AssignorName;
  if (!ASSIGNORS.includes(assignor)) {
    throw invalidArgument("assignor", ASSIGNORS.join(", "), known.assignor);
  }
  const sessionTimeoutMs = integerOption("sessionTimeoutMs", known.sessionTimeoutMs, 1_000, 1);
  const partitions = integerOption("partitions", known.partitions, 6, 1, 10_000);
  const consumersCount = integerOption("consumers", known.consumers, 3, 2);
  const seed = integerOption("seed", known.seed, 1, 0);
  const random = new Random(seed);
  const broker = new Broker({ seed });
  broker.createTopic(TOPIC, { partitions });
  const producer = broker.producer();
  const consumers = Array.from({ length: consumersCount }, () => {
    const consumer = broker.consumer({ groupId: GROUP, assignor, sessionTimeoutMs });
    consumer.subscribe([TOPIC]);
    return consumer;
  });
  const crashAtMs = 1_000;
  const runUntilMs = crashAtMs + sessionTimeoutMs + 2_000;
  const crashed = consumers[0] as Consumer;
  let orderNumber = 0;
  // Each consumer polls once per step, at its own moment within the step (a rebalance waits for
  // every member's next poll).
  const pollGapMs = 10;
  let crashedAtMs = 0;
  while (broker.now() < runUntilMs) {
    // A steady stream: a few new orders every step.
    for (let i = 0; i < 3; i++) {
      const orderId = `order-${orderNumber++}`;
      producer.send(TOPIC, { key: orderId, value: `${orderId}:created` });
    }
    for (const consumer of random.shuffle(consumers)) {
      broker.advance(pollGapMs);
      if (consumer === crashed && broker.now() >= crashAtMs) continue;
      // The crash comes right after the crashed consumer's last poll (its last heartbeat).
      if (consumer === crashed) crashedAtMs = broker.now();
      consumer.poll({ maxRecords: 100 });
      consumer.commit();
    }
  }
  const expiry = broker
    .describeGroup(GROUP)
    .rebalances.find((record) => record.startedAtMs > crashedAtMs);
  assert(expiry !== undefined, "the crashed consumer's session expires within the run");
  return {
    assignor,
    sessionTimeoutMs,
    detectionMs: expiry.startedAtMs - crashedAtMs,
    stalledMs: expiry.completedAtMs - crashedAtMs,
    rebalancePausedMs: expiry.pausedMs,
    partitionPausedMs: expiry.partitionPausedMs,
    partitionsPaused: expiry.paused.length,
    partitionsMoved: expiry.moved.length,
    rebalance: expiry,
  };
}

/** One setting of {@link orderPipelineAcksRows}, summed over the seeds. */
export interface OrderPipelineAcksRow {
  readonly acks: ReplicationAcks;
  readonly minInSyncReplicas: number;
  readonly ordersPlaced: number;
  /** Orders the producer was told were stored. */
  readonly ordersAcknowledged: number;
  /** Acknowledged orders missing from the final leader's log: orders the shop said it took. */
  readonly ordersLost: number;
  /** Virtual ms without a partition leader (orders refused meanwhile). */
  readonly unavailableMs: number;
}

/**
 * acks=1 against acks=all (min.insync.replicas=2), clean leader elections only, on the queue
 * chapter's crash script (3 replicas, 150 orders one every 4 ms, the leader crashes at 100 ms...).
 * With acks=1 the leader acknowledges before any follower has the order, and an order acknowledged
 * just before the leader crashes is gone; with acks=all no acknowledged order is lost.
 *
 * @example
 * const [one, all] = orderPipelineAcksRows([1, 2, 3]);
 * one.ordersLost > 0 && all.ordersLost === 0; // true
 */
export function orderPipelineAcksRows(seeds: readonly number[]): OrderPipelineAcksRow[] {
  requireSeeds("seeds", seeds);
  const settings = [
    { acks: 1 as const, minInSyncReplicas: 1 },
    { acks: "all" as const, minInSyncReplicas: 2 },
  ];
  return settings.map(({ acks, minInSyncReplicas }) => {
    const row = replicationLossRow(seeds, { acks, minInSyncReplicas, election: "clean" });
    return {
      acks,
      minInSyncReplicas,
      ordersPlaced: row.produced,
      ordersAcknowledged: row.acknowledged,
      ordersLost: row.lost,
      unavailableMs: row.unavailableMs,
    };
  });
}

/** Calls `place` for every event of `orders` orders, orders interleaved, each order in order. */
function placeOrders(
  random: Random,
  orders: number,
  place: (orderId: string, event: string) => void,
): number {
  const next = new Array<number>(orders).fill(0);
  let open = Array.from({ length: orders }, (_, i) => i);
  let placed = 0;
  while (open.length > 0) {
    const order = random.pick(open);
    const step = next[order] as number;
    place(`order-${order}`, ORDER_EVENTS[step] as string);
    placed++;
    next[order] = step + 1;
    if (step + 1 === ORDER_EVENTS.length) open = open.filter((o) => o !== order);
  }
  return placed;
}

function drained(broker: Broker): boolean {
  const group = broker.describeGroup(GROUP);
  return group.state === "Stable" && group.lag === 0;
}
