// Producers: pick a partition per record, append it, resend when the acknowledgement is lost; the
// idempotent producer (Kafka's KIP-98: producer id and per-partition sequence numbers) lands a
// resent record once. Follows Kreps, Narkhede, Rao, NetDB 2011, §3 (producers push to partitions).

import {
  integerOption,
  InvariantViolation,
  invalidArgument,
  requireKnownOptions,
} from "../sim/assert.js";
import type { PartitionLog } from "./log.js";
import { createPartitioner, type RecordPartitioner } from "./partitioner.js";
import type { PartitionerName, ProducerRecord, RecordMetadata } from "./types.js";

/** Most resends one send may make. */
export const PRODUCER_RETRIES_MAX = 1000;

/** Options of a producer; every field has a default. */
export interface ProducerOptions {
  /** Number each send per partition so the broker drops a resend it already appended. Default false. */
  readonly idempotent?: boolean;
  /** How records are spread over partitions. Default "murmur2" (Kafka's key hash). */
  readonly partitioner?: PartitionerName;
  /** Resends after a lost acknowledgement, an integer in [0, 1000]. Default 3. */
  readonly retries?: number;
}

/**
 * What a producer needs from its broker. {@link Broker.producer} builds one; it is exported only
 * for the constructor's type.
 */
export interface ProducerChannel {
  /** Seeds the producer's partitioner (sticky choices). */
  readonly seed: number;
  /** The broker's clock, in ms: the timestamp of an append. */
  now(): number;
  /** The topic's partition logs, in partition order; throws for an unknown topic. */
  partitionLogs(topic: string): readonly PartitionLog[];
  /** Whether the acknowledgement of the append just made was lost on its way back. */
  takeLostAck(): boolean;
}

/**
 * Sends records to a broker's topics. Create one with `broker.producer(options)`.
 *
 * A send picks the partition once (a keyed record always goes where its key hashes, so records of
 * one key stay in order), appends the record, and waits for the acknowledgement. When the
 * acknowledgement is lost (`broker.loseAcks(n)`) the record is in the log but the producer cannot
 * know it: it resends, up to `retries` times. Without idempotence each resend is another copy in
 * the log (at-least-once); with it the broker recognises the sequence number and answers with the
 * first copy's offset (the copy lands once).
 *
 * Exactly-once read-process-write pairs an idempotent producer's `send` with the consumer's
 * `commit` of its input offsets in one synchronous call: in this single-threaded, in-memory model
 * nothing can crash between the two, which is what Kafka's transactions buy with a coordinator
 * and markers in the log.
 *
 * @example
 * const broker = new Broker();
 * broker.createTopic("orders", { partitions: 3 });
 * const producer = broker.producer({ idempotent: true });
 * producer.send("orders", { key: "customer-7", value: "book" }); // { topic, partition, offset }
 */
export class Producer {
  readonly producerId: number;
  readonly idempotent: boolean;
  readonly retries: number;
  private readonly partitioner: RecordPartitioner;
  // Next sequence number per topic and partition (idempotent producers only).
  private readonly sequences = new Map<string, number[]>();
  private resends = 0;
  // The last topic sent to and its logs: topics are never deleted, so the cache stays valid.
  private lastTopic: string | undefined;
  private lastLogs: readonly PartitionLog[] = [];

  constructor(
    private readonly channel: ProducerChannel,
    producerId: number,
    options?: ProducerOptions,
  ) {
    const known = requireKnownOptions("producer options", options, [
      "idempotent",
      "partitioner",
      "retries",
    ]);
    const idempotent = known.idempotent ?? false;
    if (typeof idempotent !== "boolean") {
      throw invalidArgument("options.idempotent", "true or false", idempotent);
    }
    this.producerId = producerId;
    this.idempotent = idempotent;
    this.retries = integerOption("options.retries", known.retries, 3, 0, PRODUCER_RETRIES_MAX);
    const name = (known.partitioner ?? "murmur2") as PartitionerName;
    // One seed per producer, derived from the broker's, so two producers' sticky choices differ.
    this.partitioner = createPartitioner(name, (channel.seed + producerId * 0x9e3779b9) >>> 0);
  }

  /** Resends this producer made after lost acknowledgements. */
  get resendsCount(): number {
    return this.resends;
  }

  /**
   * Appends `record` to a partition of `topic` and returns where it landed (after any resends).
   *
   * @throws RangeError for an unknown topic or a bad record; Error when every attempt's
   *   acknowledgement was lost (the record may be in the log anyway, perhaps several times).
   */
  send(topic: string, record: ProducerRecord): RecordMetadata {
    let logs = this.lastLogs;
    if (topic !== this.lastTopic) {
      logs = this.channel.partitionLogs(topic);
      this.lastTopic = topic;
      this.lastLogs = logs;
    }
    const partitions = logs.length;
    if (typeof record !== "object" || record === null) {
      throw invalidArgument("record", "an object { key?, value, headers? }", record);
    }
    // Checked here too (the log checks everything) so a bad record moves no partitioner state.
    if (typeof record.value !== "string") {
      throw invalidArgument("record value", "a string", record.value);
    }
    const partition = this.partitioner(topic, partitions, record.key);
    let producerId = -1;
    let sequence = -1;
    let sequences: number[] | undefined;
    if (this.idempotent) {
      producerId = this.producerId;
      sequences = this.sequences.get(topic);
      if (sequences === undefined) {
        sequences = new Array<number>(partitions).fill(0);
        this.sequences.set(topic, sequences);
      }
      sequence = sequences[partition] ?? 0;
    }
    const log = logs[partition];
    if (log === undefined) {
      throw new InvariantViolation("the partitioner picks a partition of the topic");
    }
    for (let attempt = 0; ; attempt++) {
      const offset = log.appendRecord(record, this.channel.now(), producerId, sequence);
      // The first attempt always reaches the log (only acknowledgements get lost), so the
      // sequence number is used from here on, whatever happens to the acknowledgement.
      if (attempt === 0 && sequences !== undefined) sequences[partition] = sequence + 1;
      if (!this.channel.takeLostAck()) return { topic, partition, offset };
      if (attempt === this.retries) {
        throw new Error(
          `send to ${topic}-${partition} failed: ${attempt + 1} acknowledgements lost ` +
            `(retries ${this.retries}); the record is in the log ${this.idempotent ? "once" : `${attempt + 1} times`}`,
        );
      }
      this.resends++;
    }
  }
}
