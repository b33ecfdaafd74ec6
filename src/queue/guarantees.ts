// Delivery guarantees under consumer crashes, dead letters and back-pressure, as seeded experiments
// on the in-memory broker (Kafka KIP-98 for idempotence and read-process-write; NetDB 2011, §3.2).

import {
  assert,
  integerOption,
  invalidArgument,
  requireKnownOptions,
  requireProbability,
} from "../sim/assert.js";
import { Random, SEED_MAX } from "../sim/random.js";
import { Broker } from "./broker.js";
import type { Consumer, TopicPartitionOffset } from "./group.js";
import type { AssignorName, QueueRecord } from "./types.js";

/**
 * When a consumer commits, relative to processing:
 * - "at-most-once": commit, then process. A crash in between loses the batch's rest.
 * - "at-least-once": process, then commit. A crash in between processes it again elsewhere.
 * - "exactly-once": read-process-write. The outputs go to an output topic through an idempotent
 *   producer and the input offsets are committed in the same synchronous call, so either both
 *   happen or neither (Kafka does this with a transaction, KIP-98; in this single-threaded model
 *   nothing can run, or crash, in the middle of one call).
 */
export type DeliveryMode = "at-most-once" | "at-least-once" | "exactly-once";

/** Every delivery mode, weakest first. */
export const DELIVERY_MODES: readonly DeliveryMode[] = [
  "at-most-once",
  "at-least-once",
  "exactly-once",
];

/** Options of {@link runDeliveryExperiment}; all but `mode` have defaults. */
export interface DeliveryExperimentOptions {
  readonly mode: DeliveryMode;
  /** Seeds the messages' keys, the crash points, the lost acknowledgements. Default 1. */
  readonly seed?: number;
  /** Keyed messages produced, an integer >= 1. Default 200. */
  readonly messages?: number;
  /** Distinct keys ("customer-0", ...), an integer >= 1. Default 10. */
  readonly keys?: number;
  /** Partitions of the input topic, an integer >= 1. Default 4. */
  readonly partitions?: number;
  /** Consumers in the group at any time, an integer >= 1. Default 2. */
  readonly consumers?: number;
  /** Chance that a consumer crashes while handling a batch, in [0, 1]. Default 0.2. */
  readonly crashProbability?: number;
  /** Records per poll, an integer >= 1. Default 10. */
  readonly maxRecords?: number;
  /** The group's assignor. Default "range". */
  readonly assignor?: AssignorName;
  /**
   * "exactly-once" only: make the output producer idempotent. Default true; false shows why it
   * must be: each lost acknowledgement then leaves a duplicate in the output.
   */
  readonly idempotent?: boolean;
}

/** What a delivery experiment measured. */
export interface DeliveryExperimentResult {
  readonly mode: DeliveryMode;
  readonly seed: number;
  readonly produced: number;
  /** Processing runs, replays included. */
  readonly processed: number;
  /** Distinct messages in the output. */
  readonly delivered: number;
  /** Messages never in the output. */
  readonly lost: number;
  /** Messages in the output more than once. */
  readonly duplicated: number;
  readonly crashes: number;
  readonly rebalances: number;
  /** Acknowledgements lost on the output producer (exactly-once), each followed by a resend. */
  readonly acksLost: number;
  /** Per key, the first appearances in the output follow the production order. */
  readonly perKeyOrdered: boolean;
}

const SESSION_TIMEOUT_MS = 1000;
const STEP_MS = 100;
const STEPS_MAX = 100_000;
const INPUT = "orders";
const OUTPUT = "orders-processed";

function requireSeed(seed: unknown): number {
  return integerOption("seed", seed, 1, 0, SEED_MAX);
}

/** The message's key and its number among that key's messages, from a value "customer-3#7". */
function parseValue(value: string): { key: string; seq: number } {
  const hash = value.lastIndexOf("#");
  return { key: value.slice(0, hash), seq: Number(value.slice(hash + 1)) };
}

function keyOrdered(output: readonly string[]): boolean {
  const seen = new Set<string>();
  const last = new Map<string, number>();
  for (const value of output) {
    if (seen.has(value)) continue;
    seen.add(value);
    const { key, seq } = parseValue(value);
    if (seq <= (last.get(key) ?? -1)) return false;
    last.set(key, seq);
  }
  return true;
}

/** Records of one poll come in offset order per partition (the log's order, §3.2). */
function assertPartitionOrder(records: readonly QueueRecord[]): void {
  const last = new Map<string, number>();
  for (const r of records) {
    const name = `${r.topic}-${r.partition}`;
    assert(r.offset > (last.get(name) ?? -1), `poll returns ${name} in offset order`);
    last.set(name, r.offset);
  }
}

/** Produces `messages` keyed messages "customer-K#S" (S counts per key) to `topic`. */
function produceKeyed(broker: Broker, random: Random, messages: number, keys: number): number {
  const producer = broker.producer();
  const seqs = new Array<number>(keys).fill(0);
  for (let i = 0; i < messages; i++) {
    const k = random.int(0, keys - 1);
    const seq = seqs[k] ?? 0;
    seqs[k] = seq + 1;
    producer.send(INPUT, { key: `customer-${k}`, value: `customer-${k}#${seq}` });
  }
  return messages;
}

/** Every record of a partition that was never cleaned up (offsets from 0). */
function readAll(broker: Broker, topic: string, partition: number): QueueRecord[] {
  const end = broker.endOffset(topic, partition);
  return end === 0 ? [] : broker.read(topic, partition, 0, end);
}

function drained(broker: Broker, groupId: string): boolean {
  const group = broker.describeGroup(groupId);
  return group.state === "Stable" && group.lag === 0;
}

/**
 * The crash experiment: a producer writes keyed messages; a group of consumers processes them
 * into an output; while handling a batch a consumer may crash (it stops for good and a new one
 * joins) at a random point, including between processing and committing. Counts what the output
 * lost and duplicated. Same options, same result.
 *
 * @example
 * runDeliveryExperiment({ mode: "at-least-once", seed: 3 }); // lost 0, duplicated > 0 (typically)
 * runDeliveryExperiment({ mode: "exactly-once", seed: 3 });  // lost 0, duplicated 0
 */
export function runDeliveryExperiment(
  options: DeliveryExperimentOptions,
): DeliveryExperimentResult {
  const known = requireKnownOptions("delivery experiment options", options, [
    "mode",
    "seed",
    "messages",
    "keys",
    "partitions",
    "consumers",
    "crashProbability",
    "maxRecords",
    "assignor",
    "idempotent",
  ]);
  const mode = known.mode as DeliveryMode;
  if (!DELIVERY_MODES.includes(mode)) {
    throw invalidArgument("mode", `one of ${DELIVERY_MODES.join(", ")}`, known.mode);
  }
  const seed = requireSeed(known.seed);
  const messages = integerOption("messages", known.messages, 200, 1);
  const keys = integerOption("keys", known.keys, 10, 1);
  const partitions = integerOption("partitions", known.partitions, 4, 1);
  const consumersCount = integerOption("consumers", known.consumers, 2, 1);
  const crashProbability = requireProbability("crashProbability", known.crashProbability ?? 0.2);
  const maxRecords = integerOption("maxRecords", known.maxRecords, 10, 1);
  const assignor = (known.assignor ?? "range") as AssignorName;
  const idempotent = known.idempotent ?? true;
  if (typeof idempotent !== "boolean") {
    throw invalidArgument("idempotent", "true or false", idempotent);
  }

  const random = new Random(seed);
  const broker = new Broker({ seed });
  broker.createTopic(INPUT, { partitions });
  if (mode === "exactly-once") broker.createTopic(OUTPUT, { partitions });
  const produced = produceKeyed(broker, random, messages, keys);
  const output: string[] = [];
  const outputProducer = mode === "exactly-once" ? broker.producer({ idempotent }) : null;
  let processed = 0;
  let crashes = 0;
  let acksLost = 0;
  const groupId = "processors";
  const join = (): Consumer => {
    const consumer = broker.consumer({
      groupId,
      assignor,
      autoCommit: false,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
    });
    consumer.subscribe([INPUT]);
    return consumer;
  };
  let live: Consumer[] = Array.from({ length: consumersCount }, join);

  for (let step = 0; !drained(broker, groupId); step++) {
    assert(step < STEPS_MAX, `the experiment drains its input within ${STEPS_MAX} steps`);
    broker.advance(STEP_MS);
    for (const consumer of random.shuffle(live)) {
      const records = consumer.poll({ maxRecords });
      assertPartitionOrder(records);
      if (records.length === 0) continue;
      // The batch as a list of actions; a crash stops before one of them.
      const actions: (() => void)[] = [];
      const process = (record: QueueRecord) => () => {
        processed++;
        output.push(record.value);
      };
      if (mode === "at-most-once") {
        actions.push(() => consumer.commit());
        for (const record of records) actions.push(process(record));
      } else if (mode === "at-least-once") {
        for (const record of records) actions.push(process(record));
        actions.push(() => consumer.commit());
      } else {
        const producer = outputProducer as NonNullable<typeof outputProducer>;
        // Read-process-write in one call: the outputs, then the offsets. A lost acknowledgement
        // makes the producer resend; being idempotent, the resend is not appended twice.
        actions.push(() => {
          for (const record of records) {
            processed++;
            if (random.chance(0.1)) {
              broker.loseAcks(1);
              acksLost++;
            }
            producer.send(OUTPUT, { key: record.key, value: record.value });
          }
          consumer.commit();
        });
      }
      const crashBefore = random.chance(crashProbability) ? random.int(0, actions.length - 1) : -1;
      let crashed = false;
      for (let i = 0; i < actions.length; i++) {
        if (i === crashBefore) {
          crashed = true;
          break;
        }
        (actions[i] as () => void)();
      }
      if (crashed) {
        crashes++;
        live = live.filter((c) => c !== consumer);
        live.push(join());
      }
    }
  }

  if (outputProducer !== null) {
    for (let p = 0; p < partitions; p++) {
      for (const record of readAll(broker, OUTPUT, p)) output.push(record.value);
    }
  }
  const copies = new Map<string, number>();
  for (const value of output) copies.set(value, (copies.get(value) ?? 0) + 1);
  let duplicated = 0;
  for (const count of copies.values()) if (count > 1) duplicated++;
  return {
    mode,
    seed,
    produced,
    processed,
    delivered: copies.size,
    lost: produced - copies.size,
    duplicated,
    crashes,
    rebalances: broker.describeGroup(groupId).rebalances.length,
    acksLost,
    perKeyOrdered: keyOrdered(output),
  };
}

/** Options of {@link runDeadLetterExperiment}; every field has a default. */
export interface DeadLetterExperimentOptions {
  /** Seeds which messages are poison. Default 1. */
  readonly seed?: number;
  /** Messages produced, an integer >= 1. Default 100. */
  readonly messages?: number;
  /** Partitions of the input topic, an integer >= 1. Default 2. */
  readonly partitions?: number;
  /** Chance a message is poison (its processing always fails), in [0, 1]. Default 0.05. */
  readonly poisonProbability?: number;
  /** Failed attempts before a poison message goes to the dead-letter topic, >= 1. Default 3. */
  readonly attemptsMax?: number;
  /** Use a dead-letter topic; without one a poison message blocks its partition. Default true. */
  readonly deadLetter?: boolean;
  /** Polls before giving up, an integer >= 1. Default 1000. */
  readonly pollsMax?: number;
}

/** What the dead-letter experiment measured. */
export interface DeadLetterExperimentResult {
  readonly produced: number;
  readonly poison: number;
  /** Good messages processed (each once: the consumer commits after each record). */
  readonly processed: number;
  /** Processing attempts that failed. */
  readonly failedAttempts: number;
  /** The dead-letter topic's records (headers: original topic, partition, offset, attempts). */
  readonly deadLettered: readonly QueueRecord[];
  /** Partitions whose consumer is stuck on a poison message when the polls ran out. */
  readonly blockedPartitions: readonly number[];
  /** Records not yet committed when the run ended. */
  readonly lag: number;
}

/** The dead-letter topic's name for a topic (Spring Kafka's convention). */
export const DEAD_LETTER_SUFFIX = ".DLT";

/**
 * Poison messages: processing some messages always fails. The consumer retries a failing record
 * (seeking back to it, which holds up the rest of its partition: per-partition order) up to
 * `attemptsMax` times, then moves it to the dead-letter topic `orders.DLT` and goes on. Without a
 * dead-letter topic the partition stays blocked behind the poison message for good.
 */
export function runDeadLetterExperiment(
  options?: DeadLetterExperimentOptions,
): DeadLetterExperimentResult {
  const known = requireKnownOptions("dead-letter experiment options", options, [
    "seed",
    "messages",
    "partitions",
    "poisonProbability",
    "attemptsMax",
    "deadLetter",
    "pollsMax",
  ]);
  const seed = requireSeed(known.seed);
  const messages = integerOption("messages", known.messages, 100, 1);
  const partitions = integerOption("partitions", known.partitions, 2, 1);
  const poisonProbability = requireProbability(
    "poisonProbability",
    known.poisonProbability ?? 0.05,
  );
  const attemptsMax = integerOption("attemptsMax", known.attemptsMax, 3, 1);
  const deadLetter = known.deadLetter ?? true;
  if (typeof deadLetter !== "boolean") {
    throw invalidArgument("deadLetter", "true or false", deadLetter);
  }
  const pollsMax = integerOption("pollsMax", known.pollsMax, 1000, 1);

  const random = new Random(seed);
  const broker = new Broker({ seed });
  const dlt = `${INPUT}${DEAD_LETTER_SUFFIX}`;
  broker.createTopic(INPUT, { partitions });
  broker.createTopic(dlt, { partitions: 1 });
  const producer = broker.producer();
  let poison = 0;
  for (let i = 0; i < messages; i++) {
    const bad = random.chance(poisonProbability);
    if (bad) poison++;
    producer.send(INPUT, { key: `k${i}`, value: bad ? `poison-${i}` : `order-${i}` });
  }
  const consumer = broker.consumer({ groupId: "processors", autoCommit: false });
  consumer.subscribe([INPUT]);
  const attempts = new Map<string, number>();
  const blocked = new Set<number>();
  let processed = 0;
  let failedAttempts = 0;
  for (let poll = 0; poll < pollsMax && !drained(broker, "processors"); poll++) {
    broker.advance(STEP_MS); // the retry back-off
    const records = consumer.poll({ maxRecords: 20 });
    const stopped = new Set<number>();
    const commits: TopicPartitionOffset[] = [];
    for (const record of records) {
      if (stopped.has(record.partition)) continue;
      const name = `${record.topic}-${record.partition}@${record.offset}`;
      if (record.value.startsWith("poison")) {
        failedAttempts++;
        const tries = (attempts.get(name) ?? 0) + 1;
        attempts.set(name, tries);
        if (!deadLetter || tries < attemptsMax) {
          // Retry later: the partition waits behind this record, keeping its order.
          consumer.seek(record, record.offset);
          stopped.add(record.partition);
          if (tries >= attemptsMax) blocked.add(record.partition);
          continue;
        }
        producer.send(dlt, {
          key: record.key,
          value: record.value,
          headers: {
            "x-original-topic": record.topic,
            "x-original-partition": String(record.partition),
            "x-original-offset": String(record.offset),
            "x-attempts": String(tries),
            "x-error": "processing failed",
          },
        });
      } else {
        processed++;
      }
      blocked.delete(record.partition);
      commits.push({ topic: record.topic, partition: record.partition, offset: record.offset + 1 });
    }
    if (commits.length > 0) consumer.commit(commits);
  }
  return {
    produced: messages,
    poison,
    processed,
    failedAttempts,
    deadLettered: readAll(broker, dlt, 0),
    blockedPartitions: [...blocked].sort((a, b) => a - b),
    lag: broker.describeGroup("processors").lag,
  };
}

/** Options of {@link runBackPressureExperiment}; every field has a default. */
export interface BackPressureExperimentOptions {
  /** Seeds the producer's burstiness. Default 1. */
  readonly seed?: number;
  /** Steps of 100 ms, an integer >= 1. Default 200. */
  readonly steps?: number;
  /** Mean messages produced per step (uniform in [0, 2 x rate]), an integer >= 0. Default 30. */
  readonly produceRatePerStep?: number;
  /** Messages the consumer can process per step, an integer >= 1. Default 20. */
  readonly processRatePerStep?: number;
  /** Records per poll, an integer >= 1. Default 50. */
  readonly maxRecords?: number;
  /** Pause every partition when this many records wait in the consumer, >= 1. Default 100. */
  readonly bufferMax?: number;
  /** Pause and resume (back-pressure); without it the consumer buffers all it polls. Default true. */
  readonly pauseWhenFull?: boolean;
}

/** One step of the back-pressure run. */
export interface BackPressureSample {
  readonly timeMs: number;
  /** Records in the log not yet processed and committed. */
  readonly lag: number;
  /** Records polled but not yet processed, held in the consumer's memory. */
  readonly buffered: number;
  readonly paused: boolean;
}

/** What the back-pressure experiment measured. */
export interface BackPressureExperimentResult {
  readonly produced: number;
  readonly processed: number;
  readonly samples: readonly BackPressureSample[];
  readonly bufferedMax: number;
  readonly lagMax: number;
  readonly lagFinal: number;
}

/**
 * A slow consumer: it polls bounded batches into a buffer and processes a fixed number per step,
 * committing only what it processed. With `pauseWhenFull` it pauses its partitions when the
 * buffer reaches `bufferMax` and resumes them below half: its memory stays bounded and the
 * backlog waits in the log instead (the lag). The lag itself stays bounded only if the consumer
 * keeps up on average; otherwise it grows whatever the consumer does.
 */
export function runBackPressureExperiment(
  options?: BackPressureExperimentOptions,
): BackPressureExperimentResult {
  const known = requireKnownOptions("back-pressure experiment options", options, [
    "seed",
    "steps",
    "produceRatePerStep",
    "processRatePerStep",
    "maxRecords",
    "bufferMax",
    "pauseWhenFull",
  ]);
  const seed = requireSeed(known.seed);
  const steps = integerOption("steps", known.steps, 200, 1);
  const produceRate = integerOption("produceRatePerStep", known.produceRatePerStep, 30, 0);
  const processRate = integerOption("processRatePerStep", known.processRatePerStep, 20, 1);
  const maxRecords = integerOption("maxRecords", known.maxRecords, 50, 1);
  const bufferMax = integerOption("bufferMax", known.bufferMax, 100, 1);
  const pauseWhenFull = known.pauseWhenFull ?? true;
  if (typeof pauseWhenFull !== "boolean") {
    throw invalidArgument("pauseWhenFull", "true or false", pauseWhenFull);
  }

  const random = new Random(seed);
  const broker = new Broker({ seed });
  broker.createTopic(INPUT, { partitions: 2 });
  const producer = broker.producer({ partitioner: "round-robin" });
  const consumer = broker.consumer({ groupId: "slow", autoCommit: false });
  consumer.subscribe([INPUT]);
  const buffer: QueueRecord[] = [];
  const samples: BackPressureSample[] = [];
  let produced = 0;
  let processed = 0;
  let paused = false;
  for (let step = 0; step < steps; step++) {
    broker.advance(STEP_MS);
    const burst = random.int(0, 2 * produceRate);
    for (let i = 0; i < burst; i++) producer.send(INPUT, { value: `m${produced++}` });
    for (const record of consumer.poll({ maxRecords })) buffer.push(record);
    const done = buffer.splice(0, processRate);
    processed += done.length;
    const next = new Map<number, number>();
    for (const record of done) next.set(record.partition, record.offset + 1);
    if (next.size > 0) {
      consumer.commit(
        [...next].map(([partition, offset]) => ({ topic: INPUT, partition, offset })),
      );
    }
    if (pauseWhenFull && !paused && buffer.length >= bufferMax) {
      consumer.pause(consumer.assignment());
      paused = true;
    } else if (paused && buffer.length <= bufferMax / 2) {
      consumer.resume(consumer.assignment());
      paused = false;
    }
    samples.push({
      timeMs: broker.now(),
      lag: broker.describeGroup("slow").lag,
      buffered: buffer.length,
      paused,
    });
  }
  return {
    produced,
    processed,
    samples,
    bufferedMax: Math.max(0, ...samples.map((s) => s.buffered)),
    lagMax: Math.max(0, ...samples.map((s) => s.lag)),
    lagFinal: samples[samples.length - 1]?.lag ?? 0,
  };
}
