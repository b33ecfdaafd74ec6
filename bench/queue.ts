// Benchmarks of the message-queue chapter (src/queue): 1,000,000 messages of 100 bytes produced
// to 8 partitions and consumed by a 4-member group polling batches of 500, end to end, against the
// same messages moved through the `yocto-queue` package in the same run and the same shape.

import { createRequire } from "node:module";
import path from "node:path";
import { Broker } from "../src/queue/broker.js";
import type { ProducerRecord } from "../src/queue/types.js";
import { type Figure, timed } from "./sim.js";

const require = createRequire(path.join(process.cwd(), "package.json"));

/** The part of yocto-queue's API the benchmark uses (an ES module; Node >= 20.19 requires it). */
interface YoctoQueue<T> {
  enqueue(value: T): void;
  dequeue(): T | undefined;
  readonly size: number;
}
type YoctoQueueConstructor = new <T>() => YoctoQueue<T>;
const Queue = (require("yocto-queue") as { default: YoctoQueueConstructor }).default;

const PARTITIONS = 8;
const MEMBERS = 4;
const POLL_RECORDS = 500;
const VALUE_BYTES = 100;
/** Messages produced between two rounds of polls: one full poll for every partition. */
const CHUNK = PARTITIONS * POLL_RECORDS;
const ROUNDS = 3;

/** Both figures of one run over the same messages, and their ratio. */
export interface QueueFigures {
  readonly endToEnd: Figure;
  readonly yoctoQueue: Figure;
  readonly vsYoctoQueue: Figure;
}

/** `count` distinct messages whose values are 100 ASCII bytes, keyless (spread round-robin). */
function messages(count: number): ProducerRecord[] {
  const padding = "m".repeat(VALUE_BYTES);
  return Array.from({ length: count }, (_, i) => {
    const id = String(i);
    return { value: id + padding.slice(id.length) };
  });
}

/**
 * The broker's path: a producer (default partitioner: keyless records round-robin) sends a chunk,
 * then each of the 4 group members polls batches of up to 500 (auto-commit on) until its
 * partitions are drained; repeated until every message was consumed. Returns the count consumed.
 */
function throughBroker(batch: readonly ProducerRecord[]): number {
  const broker = new Broker({ seed: 1 });
  broker.createTopic("bench", { partitions: PARTITIONS });
  const producer = broker.producer();
  const consumers = Array.from({ length: MEMBERS }, () => broker.consumer({ groupId: "bench" }));
  for (const consumer of consumers) consumer.subscribe(["bench"]);
  // Join: every member polls until the group is stable and each owns 2 partitions.
  for (let round = 0; broker.describeGroup("bench").state !== "Stable"; round++) {
    if (round > 10) throw new Error("queue bench: the group did not stabilise");
    for (const consumer of consumers) consumer.poll({ maxRecords: POLL_RECORDS });
  }
  let consumed = 0;
  for (let sent = 0; sent < batch.length;) {
    const chunkEnd = Math.min(sent + CHUNK, batch.length);
    for (; sent < chunkEnd; sent++) producer.send("bench", batch[sent] as ProducerRecord);
    for (const consumer of consumers) {
      for (;;) {
        const records = consumer.poll({ maxRecords: POLL_RECORDS });
        if (records.length === 0) break;
        consumed += records.length;
      }
    }
  }
  return consumed;
}

/**
 * The same messages and the same shape through yocto-queue: 8 queues (one per partition), the
 * producer round-robin over them; 4 consumers each own 2 queues and take batches of up to 500,
 * split evenly over their queues, until drained.
 */
function throughYoctoQueue(batch: readonly ProducerRecord[]): number {
  const queues = Array.from({ length: PARTITIONS }, () => new Queue<ProducerRecord>());
  const owned = Array.from({ length: MEMBERS }, (_, m) =>
    queues.filter((_, p) => p % MEMBERS === m),
  );
  const poll = (mine: readonly YoctoQueue<ProducerRecord>[]): ProducerRecord[] => {
    const out: ProducerRecord[] = [];
    const share = POLL_RECORDS / mine.length;
    for (const queue of mine) {
      for (let i = 0; i < share; i++) {
        const record = queue.dequeue();
        if (record === undefined) break;
        out.push(record);
      }
    }
    return out;
  };
  let consumed = 0;
  let next = 0;
  for (let sent = 0; sent < batch.length;) {
    const chunkEnd = Math.min(sent + CHUNK, batch.length);
    for (; sent < chunkEnd; sent++) {
      (queues[next] as YoctoQueue<ProducerRecord>).enqueue(batch[sent] as ProducerRecord);
      next = next + 1 === PARTITIONS ? 0 : next + 1;
    }
    for (const mine of owned) {
      for (;;) {
        const records = poll(mine);
        if (records.length === 0) break;
        consumed += records.length;
      }
    }
  }
  return consumed;
}

/** Wall seconds of one run, checking that it consumed every message. */
function timedRun(count: number, run: () => number): number {
  let consumed = 0;
  const seconds = timed(() => {
    consumed = run();
  });
  if (consumed !== count) throw new Error(`queue bench: consumed ${consumed} of ${count}`);
  return seconds;
}

/**
 * End-to-end messages per wall-second through the broker (produce, group poll, auto-commit) and
 * through yocto-queue in the same run, each the best of 3 runs over the same `count` messages.
 */
export function queueFigures(count: number): QueueFigures {
  const batch = messages(count);
  // Warm the JIT on both paths before timing.
  const warm = batch.slice(0, Math.min(count, 100_000));
  throughBroker(warm);
  throughYoctoQueue(warm);
  // Best of 3 each, alternating, so a burst of load on a shared machine hits both alike.
  let brokerSeconds = Infinity;
  let yoctoSeconds = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    brokerSeconds = Math.min(
      brokerSeconds,
      timedRun(count, () => throughBroker(batch)),
    );
    yoctoSeconds = Math.min(
      yoctoSeconds,
      timedRun(count, () => throughYoctoQueue(batch)),
    );
  }
  const brokerRate = count / brokerSeconds;
  const yoctoRate = count / yoctoSeconds;
  const shape = `${count.toLocaleString("en-US")} messages of ${VALUE_BYTES} B, ${PARTITIONS} partitions, ${MEMBERS} members, polls of ${POLL_RECORDS}`;
  return {
    endToEnd: {
      name: "queue: produce, group poll and commit, end to end",
      value: brokerRate,
      unit: "messages/s",
      goal: 5_000_000,
      detail: `${shape}: ${brokerSeconds.toFixed(3)} s (best of ${ROUNDS})`,
    },
    yoctoQueue: {
      name: "queue: the same messages through yocto-queue",
      value: yoctoRate,
      unit: "messages/s",
      goal: undefined,
      detail: `8 queues, round-robin in, 4 consumers taking batches of 500: ${yoctoSeconds.toFixed(3)} s (best of ${ROUNDS})`,
    },
    vsYoctoQueue: {
      name: "queue: broker end to end vs yocto-queue",
      value: brokerRate / yoctoRate,
      unit: "x",
      goal: 0.8,
      detail: `${Math.round(brokerRate).toLocaleString("en-US")} vs ${Math.round(yoctoRate).toLocaleString("en-US")} messages/s`,
    },
  };
}
