// Producer partitioners: Kafka's murmur2 key hash against the Java client's published values and
// against the kafkajs package's DefaultPartitioner for 10,000 keys; round-robin and sticky laws.
// Reference: Kafka Utils.murmur2 and DefaultPartitioner; KIP-480 (sticky partitioner).

import fc from "fast-check";
import { Partitioners, type PartitionMetadata } from "kafkajs";
import { describe, expect, it } from "vitest";
import { createPartitioner, kafkaPartition, murmur2 } from "../../src/queue/partitioner.js";
import { Random } from "../../src/sim/random.js";
import type { PartitionerName } from "../../src/queue/types.js";
import { assertProperty } from "../support/property.js";
import { expectRangeError } from "../hashing/support.js";

const utf8 = (text: string) => new TextEncoder().encode(text);

/** The partition kafkajs's producer would choose for a keyed message. */
function kafkajsPartitioner(): (key: string | Uint8Array, partitions: number) => number {
  const partitioner = Partitioners.DefaultPartitioner();
  const metadata = new Map<number, PartitionMetadata[]>();
  return (key, partitions) => {
    let partitionMetadata = metadata.get(partitions);
    if (partitionMetadata === undefined) {
      partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
        partitionErrorCode: 0,
        partitionId,
        leader: 0,
        replicas: [0],
        isr: [0],
      }));
      metadata.set(partitions, partitionMetadata);
    }
    // kafkajs hashes a Buffer's bytes; any other key it turns into a string first.
    const messageKey = typeof key === "string" ? key : Buffer.from(key);
    return partitioner({ topic: "t", partitionMetadata, message: { key: messageKey, value: "v" } });
  };
}

/** 10,000 keys: 9,000 strings of lengths 0 to 40 from several alphabets, 1,000 byte arrays. */
function sampleKeys(): (string | Uint8Array)[] {
  const random = new Random(7);
  const alphabets = [
    "abcdefghijklmnopqrstuvwxyz0123456789:-_",
    "ÀÉÎÕÜßàéîõüÿ",
    "παντα ρει 漢字かなカナ한국어",
    "😀🎉🚀🌍", // astral: surrogate pairs, 4 UTF-8 bytes each
  ].map((alphabet) => [...alphabet]);
  const keys: (string | Uint8Array)[] = [];
  for (let i = 0; i < 9000; i++) {
    const length = random.int(0, 40);
    let key = "";
    while (key.length < length) {
      if (random.chance(0.02)) {
        key += String.fromCharCode(random.int(0xd800, 0xdfff)); // a lone surrogate
      } else {
        key += random.pick(random.pick(alphabets));
      }
    }
    keys.push(key);
  }
  for (let i = 0; i < 1000; i++) {
    keys.push(Uint8Array.from({ length: random.int(0, 33) }, () => random.int(0, 255)));
  }
  return keys;
}

describe("Kafka's murmur2 (Utils.murmur2)", () => {
  // The Java client's own test values (UtilsTest.testMurmur2).
  it.each([
    ["21", -973932308],
    ["foobar", -790332482],
    ["a-little-bit-long-string", -985981536],
    ["a-little-bit-longer-string", -1486304829],
    ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
    ["abc", 479470107],
  ])("murmur2(%j) is %i, as in the Java client", (text, expected) => {
    expect(murmur2(utf8(text))).toBe(expected);
  });

  it("returns a signed 32-bit integer", () => {
    assertProperty(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(murmur2(bytes) | 0).toBe(murmur2(bytes));
      }),
    );
  });

  it("rejects data that is not bytes, naming it", () => {
    expectRangeError(
      () => murmur2("abc" as unknown as Uint8Array),
      'data must be a Uint8Array, got "abc"',
    );
  });
});

describe("kafkaPartition: the default partitioner's choice for a keyed record", () => {
  it("equals kafkajs's DefaultPartitioner for 10,000 keys and 1, 2, 3, 8, 12 and 100 partitions", () => {
    const kafkajs = kafkajsPartitioner();
    const mismatches: string[] = [];
    for (const key of sampleKeys()) {
      for (const partitions of [1, 2, 3, 8, 12, 100]) {
        const expected = kafkajs(key, partitions);
        const actual = kafkaPartition(key, partitions);
        if (actual !== expected) mismatches.push(`${JSON.stringify(key)} % ${partitions}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it("equals kafkajs's DefaultPartitioner for any string, including any code point", () => {
    const kafkajs = kafkajsPartitioner();
    assertProperty(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" })),
        fc.integer({ min: 1, max: 1000 }),
        (key, partitions) => {
          expect(kafkaPartition(key, partitions)).toBe(kafkajs(key, partitions));
        },
      ),
    );
  });

  it("hashes a string as its UTF-8 bytes", () => {
    assertProperty(
      fc.property(fc.string({ unit: "binary" }), fc.integer({ min: 1, max: 64 }), (key, n) => {
        expect(kafkaPartition(key, n)).toBe(kafkaPartition(utf8(key), n));
      }),
    );
  });

  it("is in [0, partitions) and the same on every call", () => {
    assertProperty(
      fc.property(
        fc.oneof(fc.string({ unit: "binary" }), fc.uint8Array({ maxLength: 40 })),
        fc.integer({ min: 1, max: 2 ** 31 }),
        (key, partitions) => {
          const partition = kafkaPartition(key, partitions);
          expect(Number.isInteger(partition)).toBe(true);
          expect(partition).toBeGreaterThanOrEqual(0);
          expect(partition).toBeLessThan(partitions);
          expect(kafkaPartition(key, partitions)).toBe(partition);
        },
      ),
    );
  });

  it("makes the hash positive with & 0x7fffffff, not Math.abs", () => {
    // murmur2("foobar") = -790332482: & 0x7fffffff gives 1357151166, Math.abs 790332482.
    expect(kafkaPartition("foobar", 2 ** 31)).toBe(-790332482 & 0x7fffffff);
    expect(kafkaPartition("foobar", 2 ** 31)).not.toBe(790332482);
  });

  it("rejects bad partition counts and keys, naming the value", () => {
    expectRangeError(() => kafkaPartition("k", 0), "partitions must be an integer >= 1, got 0");
    expectRangeError(() => kafkaPartition("k", 2.5), "partitions must be an integer >= 1, got 2.5");
    expectRangeError(
      () => kafkaPartition(42 as unknown as string, 3),
      "key must be a string or a Uint8Array, got 42",
    );
    expectRangeError(
      () => kafkaPartition(null as unknown as string, 3),
      "key must be a string or a Uint8Array, got null",
    );
  });
});

const keyHonouring: readonly PartitionerName[] = ["murmur2", "sticky"];

describe("createPartitioner", () => {
  it.each(keyHonouring)(
    "%s: a keyed record goes to kafkaPartition, so a key keeps its partition",
    (name) => {
      assertProperty(
        fc.property(
          fc.array(fc.option(fc.string({ maxLength: 6 }), { nil: null }), { maxLength: 60 }),
          fc.integer({ min: 1, max: 16 }),
          fc.nat(1000),
          (keys, partitions, seed) => {
            const partitioner = createPartitioner(name, seed);
            const got = keys.map((key) => partitioner("orders", partitions, key));
            expect(got.every((p) => Number.isInteger(p) && p >= 0 && p < partitions)).toBe(true);
            const keyed = keys.flatMap((key, i) => (key === null ? [] : [[got[i], key]]));
            expect(keyed).toEqual(
              keyed.map(([, key]) => [kafkaPartition(key as string, partitions), key]),
            );
          },
        ),
      );
    },
  );

  it("murmur2: keyless records go round-robin per topic, between keyed ones too", () => {
    const partitioner = createPartitioner("murmur2");
    const got = [null, "user:1", undefined, null, null].map((key) => partitioner("a", 3, key));
    expect(got).toEqual([0, kafkaPartition("user:1", 3), 1, 2, 0]);
    expect(partitioner("b", 3, null)).toBe(0); // another topic, its own counter
  });

  it("round-robin: N x k records spread exactly k to each of N partitions, keys ignored", () => {
    assertProperty(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.option(fc.string(), { nil: null })),
        (partitions, k, keys) => {
          const partitioner = createPartitioner("round-robin");
          const counts = new Array<number>(partitions).fill(0);
          for (let i = 0; i < partitions * k; i++) {
            const key = keys.length === 0 ? null : (keys[i % keys.length] as string | null);
            const partition = partitioner("t", partitions, key);
            counts[partition] = (counts[partition] as number) + 1;
          }
          expect(counts).toEqual(new Array<number>(partitions).fill(k));
        },
      ),
    );
  });

  it("round-robin: each topic has its own counter", () => {
    const partitioner = createPartitioner("round-robin");
    const got = ["a", "a", "b", "a", "b"].map((topic) => partitioner(topic, 4, "same key"));
    expect(got).toEqual([0, 1, 0, 2, 1]);
  });

  it("sticky: keyless records fill a batch of batchSize on one partition, then switch to another", () => {
    assertProperty(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        (partitions, batchSize, seed) => {
          const partitioner = createPartitioner("sticky", seed, { batchSize });
          const got = Array.from({ length: batchSize * 12 }, () =>
            partitioner("t", partitions, null),
          );
          // One partition per batch; with more than one partition, each batch switches (KIP-480).
          const batches = Array.from({ length: 12 }, (_, b) =>
            got.slice(b * batchSize, (b + 1) * batchSize),
          );
          const firsts = batches.map((records) => records[0] as number);
          expect(batches).toEqual(firsts.map((p) => new Array<number>(batchSize).fill(p)));
          expect(firsts.every((p) => p < partitions)).toBe(true);
          if (partitions > 1)
            expect(firsts.every((p, b) => b === 0 || p !== firsts[b - 1])).toBe(true);
        },
      ),
    );
  });

  it("sticky: keyed records do not break the keyless batch; topics stick separately", () => {
    const partitioner = createPartitioner("sticky", 3, { batchSize: 2 });
    const first = partitioner("a", 8, null);
    expect(partitioner("a", 8, "k")).toBe(kafkaPartition("k", 8));
    expect(partitioner("b", 8, null)).toBeLessThan(8);
    expect(partitioner("a", 8, null)).toBe(first);
    expect(partitioner("a", 8, null)).not.toBe(first);
  });

  it("sticky: the same seed gives the same partitions; the default batch is 16", () => {
    const run = (seed: number) => {
      const partitioner = createPartitioner("sticky", seed);
      return Array.from({ length: 64 }, () => partitioner("t", 5, null));
    };
    expect(run(11)).toEqual(run(11));
    const got = run(11);
    expect(new Set(got.slice(0, 16)).size).toBe(1);
    expect(got[16]).not.toBe(got[15]);
  });

  it("sticky: with a single partition every record goes to partition 0", () => {
    const partitioner = createPartitioner("sticky", 5, { batchSize: 1 });
    expect(Array.from({ length: 5 }, () => partitioner("t", 1, null))).toEqual([0, 0, 0, 0, 0]);
  });

  it("rejects unknown names, bad options and bad calls, naming the value", () => {
    expectRangeError(
      () => createPartitioner("random" as PartitionerName),
      'partitioner must be one of murmur2, round-robin, sticky, got "random"',
    );
    expectRangeError(
      () => createPartitioner("sticky", 1, { batchSize: 0 }),
      "options.batchSize must be an integer >= 1, got 0",
    );
    expectRangeError(
      () => createPartitioner("sticky", 1, { batch: 4 } as never),
      'partitioner options has an unknown option "batch"; known options: batchSize',
    );
    expectRangeError(
      () => createPartitioner("sticky", -1),
      "seed must be an integer in [0, 4294967295], got -1",
    );
    const partitioner = createPartitioner("murmur2");
    expectRangeError(() => partitioner("t", 0, "k"), "partitions must be an integer >= 1, got 0");
    expectRangeError(
      () => partitioner(7 as unknown as string, 3, "k"),
      "topic must be a string, got 7",
    );
    expectRangeError(
      () => partitioner("t", 3, 5 as unknown as string),
      "key must be a string, null or undefined, got 5",
    );
  });
});
