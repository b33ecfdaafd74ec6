// Partitioners: which partition of a topic a produced record goes to. Kafka's default key hash
// (murmur2 of the key bytes, made positive, modulo the partition count), round-robin, and sticky.
// Follows Kafka's producer (DefaultPartitioner, KIP-480 sticky partitioning); Kreps et al. 2011 §3.

import {
  integerOption,
  invalidArgument,
  requireIntegerAtLeast,
  requireKnownOptions,
} from "../sim/assert.js";
import { Random } from "../sim/random.js";
import type { PartitionerName } from "./types.js";

// Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2): MurmurHash2 with this seed.
const SEED = 0x9747b28c;
// MurmurHash2's multiplier and shift: constants Appleby found by search to mix well.
const M = 0x5bd1e995;
const R = 24;

/** One 4-byte little-endian block `k` into the running hash `h` (MurmurHash2's body loop). */
function mixBlock(h: number, k: number): number {
  k = Math.imul(k, M);
  k ^= k >>> R;
  k = Math.imul(k, M);
  return Math.imul(h, M) ^ k;
}

/** The last 1 to 3 bytes (already packed little-endian in `tail`) and the final avalanche. */
function finish(h: number, tail: number, tailBytes: number): number {
  if (tailBytes > 0) h = Math.imul(h ^ tail, M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

function murmur2Bytes(data: Uint8Array, length: number): number {
  let h = SEED ^ length;
  const blocksEnd = length - (length & 3);
  for (let i = 0; i < blocksEnd; i += 4) {
    const k =
      (data[i] as number) |
      ((data[i + 1] as number) << 8) |
      ((data[i + 2] as number) << 16) |
      ((data[i + 3] as number) << 24);
    h = mixBlock(h, k);
  }
  const tailBytes = length & 3;
  let tail = 0;
  if (tailBytes === 3) tail |= (data[blocksEnd + 2] as number) << 16;
  if (tailBytes >= 2) tail |= (data[blocksEnd + 1] as number) << 8;
  if (tailBytes >= 1) tail |= data[blocksEnd] as number;
  return finish(h, tail, tailBytes);
}

// Non-ASCII keys are encoded into this reusable buffer, so hashing a key allocates nothing.
const encoder = new TextEncoder();
let scratch = new Uint8Array(256);

/**
 * murmur2 of a string's UTF-8 bytes (as TextEncoder and Node's Buffer write them: a lone
 * surrogate becomes U+FFFD). ASCII keys, the common case, are hashed straight from the string;
 * the length of the bytes enters the hash first, so the string is scanned once to learn it.
 */
function murmur2String(key: string): number {
  const units = key.length;
  for (let i = 0; i < units; i++) {
    if (key.charCodeAt(i) > 0x7f) {
      // At most 3 bytes per UTF-16 unit (a surrogate pair is 2 units for 4 bytes).
      if (scratch.length < 3 * units) scratch = new Uint8Array(3 * units);
      const { written } = encoder.encodeInto(key, scratch);
      return murmur2Bytes(scratch, written);
    }
  }
  let h = SEED ^ units;
  const blocksEnd = units - (units & 3);
  for (let i = 0; i < blocksEnd; i += 4) {
    const k =
      key.charCodeAt(i) |
      (key.charCodeAt(i + 1) << 8) |
      (key.charCodeAt(i + 2) << 16) |
      (key.charCodeAt(i + 3) << 24);
    h = mixBlock(h, k);
  }
  const tailBytes = units & 3;
  let tail = 0;
  if (tailBytes === 3) tail |= key.charCodeAt(blocksEnd + 2) << 16;
  if (tailBytes >= 2) tail |= key.charCodeAt(blocksEnd + 1) << 8;
  if (tailBytes >= 1) tail |= key.charCodeAt(blocksEnd);
  return finish(h, tail, tailBytes);
}

/**
 * Kafka's murmur2: MurmurHash2 (Austin Appleby) with seed 0x9747b28c, as the Java client's
 * `Utils.murmur2` computes it, returning a signed 32-bit integer (Java's `int`). This is the hash
 * behind Kafka's default partitioner; it is not cryptographic.
 *
 * @throws RangeError for data that is not a Uint8Array.
 *
 * @example
 * murmur2(new TextEncoder().encode("21"));     // -973932308
 * murmur2(new TextEncoder().encode("foobar")); // -790332482
 */
export function murmur2(data: Uint8Array): number {
  if (!(data instanceof Uint8Array)) throw invalidArgument("data", "a Uint8Array", data);
  return murmur2Bytes(data, data.length);
}

/**
 * The partition Kafka's default partitioner gives a keyed record:
 * `toPositive(murmur2(key bytes)) % partitions`, where `toPositive(n) = n & 0x7fffffff` (not
 * `Math.abs`, which leaves -2^31 negative) and a string key is hashed as its UTF-8 bytes. The same
 * answer as the Java client and as kafkajs 2.x's `Partitioners.DefaultPartitioner` (kafkajs 2.0
 * made its Java-compatible partitioner the default; the older one is now `LegacyPartitioner`), so
 * a key lands where a real Kafka client would put it.
 *
 * @param key - the record's key: a string (hashed as UTF-8) or bytes.
 * @param partitions - the topic's partition count, an integer >= 1.
 * @throws RangeError for a key that is neither a string nor a Uint8Array, or bad `partitions`.
 *
 * @example
 * kafkaPartition("user:42", 8); // always the same partition in [0, 8)
 */
export function kafkaPartition(key: string | Uint8Array, partitions: number): number {
  requireIntegerAtLeast("partitions", partitions, 1);
  let hash: number;
  if (typeof key === "string") hash = murmur2String(key);
  else if (key instanceof Uint8Array) hash = murmur2Bytes(key, key.length);
  else throw invalidArgument("key", "a string or a Uint8Array", key);
  return (hash & 0x7fffffff) % partitions;
}

/**
 * A producer's partitioner: the partition in [0, partitions) for the next record of `topic`, whose
 * key is `key` (`null` or `undefined` for a keyless record). It may keep state per topic (a
 * round-robin counter, a sticky partition), so call it once per record sent.
 */
export type RecordPartitioner = (
  topic: string,
  partitions: number,
  key: string | null | undefined,
) => number;

/** Options of {@link createPartitioner}. */
export interface PartitionerOptions {
  /**
   * "sticky" only: how many keyless records go to one partition before the partitioner switches
   * to another (Kafka switches when a batch is full; here a batch is this many records). Default 16.
   */
  readonly batchSize?: number;
}

const PARTITIONER_NAMES: readonly PartitionerName[] = ["murmur2", "round-robin", "sticky"];

/** The sticky partitioner's choice for one topic. */
interface StickyChoice {
  partition: number;
  // invariant: 0 <= remaining <= batchSize; at 0 the next keyless record switches partition.
  remaining: number;
}

/**
 * Creates a producer's partitioner (a fresh one per producer: round-robin counters and sticky
 * choices are per producer and per topic).
 * - `"murmur2"`: a keyed record goes to {@link kafkaPartition}; keyless records go round-robin
 *   per topic. That is Kafka's DefaultPartitioner before 2.4 (and kafkajs's), not Kafka's
 *   current default, which since 2.4 (KIP-480) treats keyless records like `"sticky"`.
 * - `"round-robin"`: every record to the next partition of its topic, key or no key (Kafka's
 *   RoundRobinPartitioner): an even spread, and no per-key order.
 * - `"sticky"`: keyed records as `"murmur2"`; keyless records stick to one partition of the topic
 *   for `batchSize` records, then switch to a different partition drawn with a `Random(seed)`
 *   (KIP-480: fewer, fuller batches than round-robin for the same spread over time).
 *
 * Counters start at partition 0, so the same seed and the same calls give the same partitions.
 *
 * @param name - "murmur2", "round-robin" or "sticky".
 * @param seed - seeds the sticky partitioner's choices (an integer in [0, 2^32 - 1]); default 1.
 * @throws RangeError for an unknown name, a bad seed or option; the partitioner itself throws for
 *   a topic that is not a string, `partitions` that is not an integer >= 1, or a bad key.
 *
 * @example
 * const partitioner = createPartitioner("round-robin");
 * [0, 1, 2, 3].map(() => partitioner("orders", 3, null)); // [0, 1, 2, 0]
 */
export function createPartitioner(
  name: PartitionerName,
  seed = 1,
  options?: PartitionerOptions,
): RecordPartitioner {
  if (!PARTITIONER_NAMES.includes(name)) {
    throw invalidArgument("partitioner", `one of ${PARTITIONER_NAMES.join(", ")}`, name);
  }
  const known = requireKnownOptions("partitioner options", options, ["batchSize"]);
  const batchSize = integerOption("options.batchSize", known.batchSize, 16, 1);
  const random = new Random(seed);
  const counters = new Map<string, number>();
  const sticky = new Map<string, StickyChoice>();

  const nextRoundRobin = (topic: string, partitions: number): number => {
    const counter = counters.get(topic) ?? 0;
    counters.set(topic, counter + 1);
    return counter % partitions;
  };

  const nextSticky = (topic: string, partitions: number): number => {
    let choice = sticky.get(topic);
    if (choice === undefined) {
      choice = { partition: random.int(0, partitions - 1), remaining: batchSize };
      sticky.set(topic, choice);
    } else if (choice.partition >= partitions) {
      // The topic shrank under us (not possible in Kafka, but cheap to handle): start afresh.
      choice.partition = random.int(0, partitions - 1);
      choice.remaining = batchSize;
    } else if (choice.remaining === 0) {
      // Switch to a partition other than the current one, uniformly among the others.
      const previous = choice.partition;
      let next = partitions === 1 ? 0 : random.int(0, partitions - 2);
      if (partitions > 1 && next >= previous) next++;
      choice.partition = next;
      choice.remaining = batchSize;
    }
    choice.remaining--;
    return choice.partition;
  };

  return (topic, partitions, key) => {
    if (typeof topic !== "string") throw invalidArgument("topic", "a string", topic);
    requireIntegerAtLeast("partitions", partitions, 1);
    if (key !== null && key !== undefined && typeof key !== "string") {
      throw invalidArgument("key", "a string, null or undefined", key);
    }
    let partition: number;
    if (name === "round-robin") partition = nextRoundRobin(topic, partitions);
    else if (key !== null && key !== undefined) partition = kafkaPartition(key, partitions);
    else if (name === "murmur2") partition = nextRoundRobin(topic, partitions);
    else partition = nextSticky(topic, partitions);
    return partition;
  };
}
