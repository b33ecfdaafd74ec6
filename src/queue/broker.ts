// An in-memory broker: topics of partition logs, producers, and the consumer groups' coordinator,
// on a virtual clock that moves only when the caller advances it (Kreps, Narkhede, Rao, "Kafka: a
// Distributed Messaging System for Log Processing", NetDB 2011, §3: topics, partitions, brokers).

import {
  describeValue,
  integerOption,
  invalidArgument,
  requireIntegerIn,
  requireKnownOptions,
  requireNumberAtLeast,
} from "../sim/assert.js";
import { SEED_MAX } from "../sim/random.js";
import {
  type Consumer,
  type ConsumerOptions,
  type GroupDescription,
  GroupCoordinator,
  type TopicSource,
} from "./group.js";
import { PartitionLog } from "./log.js";
import { Producer, type ProducerChannel, type ProducerOptions } from "./producer.js";
import type { QueueRecord, TopicConfig } from "./types.js";

/** Most partitions one topic may have. */
export const TOPIC_PARTITIONS_MAX = 10_000;
/** Kafka's rule for topic names: 1 to 249 of letters, digits, ".", "_" and "-". */
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
const CLEANUP_POLICIES = ["delete", "compact"] as const;

/** Options of a {@link Broker}. */
export interface BrokerOptions {
  /** Seeds the producers' partitioners (sticky choices). An integer in [0, 2^32 - 1]; default 1. */
  readonly seed?: number;
}

/** One partition's state, as {@link Broker.describeTopic} reports it. */
export interface PartitionLogSummary {
  readonly partition: number;
  readonly logStartOffset: number;
  readonly endOffset: number;
  /** Records stored (fewer than endOffset - logStartOffset after compaction). */
  readonly recordsCount: number;
  /** UTF-8 bytes of the stored keys and values. */
  readonly sizeBytes: number;
}

/** A topic's configuration (with defaults filled in) and each partition's state. */
export interface TopicDescription {
  readonly name: string;
  readonly config: Required<Pick<TopicConfig, "partitions" | "cleanupPolicy">> &
    Pick<TopicConfig, "retentionMs" | "retentionBytes">;
  readonly partitions: readonly PartitionLogSummary[];
}

interface Topic {
  readonly name: string;
  readonly config: TopicDescription["config"];
  readonly logs: readonly PartitionLog[];
}

/**
 * A broker holding topics in memory. Each topic has `partitions` append-only logs; producers
 * append, consumers in groups read. The clock starts at 0 ms and moves only with
 * {@link Broker.advance}, which also runs retention and compaction and lets the group coordinator
 * expire sessions: every run is a function of the calls made.
 *
 * @example
 * const broker = new Broker({ seed: 7 });
 * broker.createTopic("orders", { partitions: 4, retentionMs: 60_000 });
 * const { partition, offset } = broker.producer().send("orders", { key: "c1", value: "book" });
 * broker.read("orders", partition, offset, 10)[0]?.value; // "book"
 * broker.advance(60_000); // the record is now past retention and deleted
 */
export class Broker implements TopicSource {
  readonly seed: number;
  private clockMs = 0;
  private readonly topicsByName = new Map<string, Topic>();
  private producersCount = 0;
  private acksToLose = 0;
  private readonly channel: ProducerChannel;
  private readonly groups: GroupCoordinator;

  constructor(options?: BrokerOptions) {
    const known = requireKnownOptions("broker options", options, ["seed"]);
    this.seed = integerOption("options.seed", known.seed, 1, 0, SEED_MAX);
    this.channel = {
      seed: this.seed,
      now: () => this.clockMs,
      partitionLogs: (topic) => this.topic(topic).logs,
      takeLostAck: () => {
        if (this.acksToLose === 0) return false;
        this.acksToLose--;
        return true;
      },
    };
    this.groups = new GroupCoordinator(this);
  }

  /** The broker's clock, in ms (starts at 0). */
  now(): number {
    return this.clockMs;
  }

  /**
   * Moves the clock forward by `ms` (>= 0), then runs compaction and retention on every topic and
   * lets the group coordinator act on the new time (session timeouts, pending rebalances).
   */
  advance(ms: number): void {
    requireNumberAtLeast("ms", ms, 0);
    this.clockMs += ms;
    for (const topic of this.topicsByName.values()) {
      for (const log of topic.logs) {
        if (topic.config.cleanupPolicy === "compact") log.compact();
        log.applyRetention(this.clockMs);
      }
    }
    this.groups.tick(this.clockMs);
  }

  /**
   * Creates a topic. `partitions` is an integer in [1, 10000]; retentionMs, retentionBytes and
   * cleanupPolicy as {@link TopicConfig} describes them. A "compact" topic is compacted whenever
   * the clock moves, and retention applies to it too if set (Kafka's "compact,delete").
   *
   * @throws RangeError for a bad or taken name, or a bad config field.
   */
  createTopic(name: string, config: TopicConfig): void {
    if (typeof name !== "string" || !TOPIC_NAME.test(name)) {
      throw invalidArgument("topic name", "1 to 249 characters of [a-zA-Z0-9._-]", name);
    }
    const existing = this.topicsByName.get(name);
    if (existing !== undefined) {
      throw new RangeError(
        `topic ${describeValue(name)} already exists (with ${existing.logs.length} partitions)`,
      );
    }
    const known = requireKnownOptions(`config of topic ${describeValue(name)}`, config, [
      "partitions",
      "retentionMs",
      "retentionBytes",
      "cleanupPolicy",
    ]);
    const partitions = requireIntegerIn("partitions", known.partitions, 1, TOPIC_PARTITIONS_MAX);
    const cleanupPolicy = known.cleanupPolicy ?? "delete";
    if (!CLEANUP_POLICIES.includes(cleanupPolicy as "delete")) {
      throw invalidArgument("cleanupPolicy", '"delete" or "compact"', cleanupPolicy);
    }
    const retention = {
      retentionMs: known.retentionMs as number | undefined,
      retentionBytes: known.retentionBytes as number | undefined,
    };
    const logs = Array.from({ length: partitions }, (_, p) => new PartitionLog(name, p, retention));
    this.topicsByName.set(name, {
      name,
      config: {
        partitions,
        cleanupPolicy: cleanupPolicy as "delete" | "compact",
        retentionMs: logs[0]?.retentionMs,
        retentionBytes: logs[0]?.retentionBytes,
      },
      logs,
    });
  }

  /** Topic names, sorted. */
  topics(): string[] {
    return [...this.topicsByName.keys()].sort();
  }

  /** A topic's configuration and each partition's offsets and size. */
  describeTopic(name: string): TopicDescription {
    const topic = this.topic(name);
    return {
      name,
      config: topic.config,
      partitions: topic.logs.map((log) => ({
        partition: log.partition,
        logStartOffset: log.logStartOffset,
        endOffset: log.endOffset,
        recordsCount: log.recordsCount,
        sizeBytes: log.sizeBytes,
      })),
    };
  }

  /** The topic's partition count; throws for an unknown topic. */
  partitionCount(topic: string): number {
    return this.topic(topic).logs.length;
  }

  /**
   * Up to `maxRecords` records of one partition from `offset` on, in offset order. `offset` must be
   * in [logStartOffset, endOffset]; reading at endOffset returns nothing.
   */
  read(topic: string, partition: number, offset: number, maxRecords: number): QueueRecord[] {
    return this.partitionLog(topic, partition).read(offset, maxRecords);
  }

  /** The first offset still stored in the partition (retention moves it forward). */
  logStartOffset(topic: string, partition: number): number {
    return this.partitionLog(topic, partition).logStartOffset;
  }

  /** The offset the partition's next record will get. */
  endOffset(topic: string, partition: number): number {
    return this.partitionLog(topic, partition).endOffset;
  }

  /** A new producer (ids 0, 1, 2, ... in creation order). */
  producer(options?: ProducerOptions): Producer {
    return new Producer(this.channel, this.producersCount++, options);
  }

  /**
   * Loses the acknowledgements of the next `count` producer appends (the records are in the log;
   * the producers do not know it and resend). Replaces any count still pending.
   */
  loseAcks(count: number): void {
    this.acksToLose = requireIntegerIn("count", count, 0, Number.MAX_SAFE_INTEGER);
  }

  /** Lost acknowledgements still to come (see {@link loseAcks}). */
  get acksToLoseCount(): number {
    return this.acksToLose;
  }

  /** A new consumer in a group (see the group coordinator). */
  consumer(options: ConsumerOptions): Consumer {
    return this.groups.consumer(options);
  }

  /** A group's members, assignment, committed offsets and lag. */
  describeGroup(groupId: string): GroupDescription {
    return this.groups.describeGroup(groupId);
  }

  private topic(name: string): Topic {
    const topic = this.topicsByName.get(name);
    if (topic === undefined) {
      const names = this.topics();
      const known =
        names.length === 0
          ? "no topics exist"
          : `topics: ${names.slice(0, 10).join(", ")}${names.length > 10 ? ", ..." : ""}`;
      throw new RangeError(`unknown topic ${describeValue(name)}; ${known}`);
    }
    return topic;
  }

  private partitionLog(topicName: string, partition: number): PartitionLog {
    const topic = this.topic(topicName);
    const log = topic.logs[partition];
    if (log === undefined || !Number.isInteger(partition)) {
      const count = topic.logs.length;
      const range = count === 1 ? "1 partition, 0" : `${count} partitions, 0-${count - 1}`;
      throw new RangeError(
        `partition ${describeValue(partition)} of ${topicName}: the topic has ${range}`,
      );
    }
    return log;
  }
}
