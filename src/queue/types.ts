// Shared shapes of the message-queue chapter: records in a partitioned log, their positions, and
// what the broker tells consumers (Kreps, Narkhede, Rao, "Kafka: a Distributed Messaging System
// for Log Processing", NetDB 2011, §3: topics, partitions, offsets).

/** Record headers: small string metadata carried beside the value. */
export type RecordHeaders = Readonly<Record<string, string>>;

/** A partition of a topic. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** What a producer sends: an optional key (the partitioner's input), a value and headers. */
export interface ProducerRecord {
  readonly key?: string | null;
  readonly value: string;
  readonly headers?: RecordHeaders;
}

/**
 * A record as stored in a partition's log and handed to consumers. `offset` is its position in
 * the partition (0, 1, 2, ...; never reused, even after retention or compaction removed earlier
 * records); `timestamp` is the broker's clock when it was appended, in ms.
 */
export interface QueueRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: string | null;
  readonly value: string;
  readonly headers: RecordHeaders;
}

/** Where a send landed. */
export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** How a topic keeps its records. */
export interface TopicConfig {
  /** Number of partitions (>= 1). */
  readonly partitions: number;
  /** Records older than this (broker clock, ms) are deleted by retention. Default: kept forever. */
  readonly retentionMs?: number;
  /** Each partition keeps at most about this many bytes of keys and values. Default: no limit. */
  readonly retentionBytes?: number;
  /** "delete" (default): retention removes old records. "compact": keep the latest per key. */
  readonly cleanupPolicy?: "delete" | "compact";
}

/** The assignment strategies a consumer group can use (Kafka's names). */
export type AssignorName = "range" | "roundrobin" | "sticky" | "cooperative-sticky";

/** The partitioners a producer can use. */
export type PartitionerName = "murmur2" | "round-robin" | "sticky";
