// Per-key order through a consumer group: users' orders produced with a partitioner, consumed by a
// fast and a slow consumer of one group, counting users whose orders were processed out of order.

import { assert, requireIntegerAtLeast, requireKnownOptions } from "../sim/assert.js";
import { Random } from "../sim/random.js";
import { Broker } from "./broker.js";
import type { PartitionerName } from "./types.js";

/** Options of {@link perKeyOrderRun}; every field has a default. */
export interface PerKeyOrderOptions {
  /** How the producer picks partitions: "murmur2" keys by user, the others ignore the key. */
  readonly partitioner?: PartitionerName;
  /** Orders produced. Default 600. */
  readonly messagesCount?: number;
  /** Users placing them, chosen at random for each order. Default 20. */
  readonly usersCount?: number;
  /** Partitions of the topic. Default 4. */
  readonly partitionsCount?: number;
  /** Seeds the broker and the choice of users. Default 1. */
  readonly seed?: number;
}

/** What {@link perKeyOrderRun} counted. */
export interface PerKeyOrderResult {
  /** Users who placed at least one order. */
  readonly usersCount: number;
  /** Users at least one of whose orders was processed before an earlier one. */
  readonly usersOutOfOrder: number;
}

const OPTION_KEYS = ["partitioner", "messagesCount", "usersCount", "partitionsCount", "seed"];
/** Records each consumer takes per poll: one fast, one slow, so partitions drain unevenly. */
const FAST_BATCH = 60;
const SLOW_BATCH = 7;
const POLL_STEPS_MAX = 10_000;

/**
 * Produces `messagesCount` orders ("user-3#5" is user 3's sixth order, keyed "user-3") and lets a
 * group of a fast and a slow consumer process them, polling every 100 ms. With the key deciding
 * the partition, every user's orders sit in one partition and one consumer reads them in order;
 * with round-robin they spread over partitions drained at different speeds, and arrive out of order.
 *
 * @example
 * perKeyOrderRun({ partitioner: "murmur2" }).usersOutOfOrder; // 0
 * perKeyOrderRun({ partitioner: "round-robin" }).usersOutOfOrder; // 20 of 20
 */
export function perKeyOrderRun(options: PerKeyOrderOptions = {}): PerKeyOrderResult {
  requireKnownOptions("perKeyOrderRun options", options, OPTION_KEYS);
  const messagesCount = requireIntegerAtLeast("messagesCount", options.messagesCount ?? 600, 1);
  const usersCount = requireIntegerAtLeast("usersCount", options.usersCount ?? 20, 1);
  const partitions = requireIntegerAtLeast("partitionsCount", options.partitionsCount ?? 4, 1);
  const seed = options.seed ?? 1;
  const broker = new Broker({ seed });
  broker.createTopic("orders", { partitions });
  const producer = broker.producer({ partitioner: options.partitioner ?? "murmur2" });
  const random = new Random(seed);
  const nextSeq = new Array<number>(usersCount).fill(0);
  for (let i = 0; i < messagesCount; i++) {
    const user = random.int(0, usersCount - 1);
    const seq = nextSeq[user] ?? 0;
    nextSeq[user] = seq + 1;
    producer.send("orders", { key: `user-${user}`, value: `user-${user}#${seq}` });
  }
  const fast = broker.consumer({ groupId: "billing" });
  const slow = broker.consumer({ groupId: "billing" });
  fast.subscribe(["orders"]);
  slow.subscribe(["orders"]);
  const lastSeen = new Map<string, number>();
  const outOfOrder = new Set<string>();
  for (let step = 0; step < POLL_STEPS_MAX && broker.describeGroup("billing").lag > 0; step++) {
    broker.advance(100);
    for (const [consumer, batch] of [
      [fast, FAST_BATCH],
      [slow, SLOW_BATCH],
    ] as const) {
      for (const record of consumer.poll({ maxRecords: batch })) {
        const hash = record.value.lastIndexOf("#");
        const user = record.value.slice(0, hash);
        const seq = Number(record.value.slice(hash + 1));
        const seen = lastSeen.get(user) ?? -1;
        if (seq < seen) outOfOrder.add(user);
        lastSeen.set(user, Math.max(seq, seen));
      }
    }
  }
  assert(broker.describeGroup("billing").lag === 0, "the group processes every order");
  return { usersCount: lastSeen.size, usersOutOfOrder: outOfOrder.size };
}
