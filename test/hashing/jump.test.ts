// Jump consistent hash against the reference algorithm: known outputs for integer keys, the paper's
// loop transcribed with bigint, and its two laws (even spread; n -> n+1 moves ~1/(n+1), only to n).
// Reference: Lamping and Veach, "A Fast, Minimal Memory, Consistent Hash Algorithm", 2014, Fig. 1.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hash64, jumpHash, loadStats, sampleKeys } from "../../src/index.js";
import { assertProperty } from "../support/property.js";
import { expectRangeError, jumpReference } from "./support.js";

const KEYS = sampleKeys(20_000);

describe("Figure 1: known outputs of the reference algorithm for integer keys", () => {
  it.each([
    [1n, 1, 0],
    [42n, 57, 43],
    [256n, 1024, 520],
    [0xdead10ccn, 1, 0],
    [0xdead10ccn, 666, 361],
    [16045690984833335023n, 255, 237],
    [0n, 60, 0],
    [1n, 60, 55],
    [2n, 60, 46],
  ])("jumpHash(%s, %i) = %i", (key, buckets, expected) => {
    expect(jumpHash(key, buckets)).toBe(expected);
  });

  it("equals the paper's loop (64-bit bigint arithmetic) for any 64-bit key and bucket count", () => {
    assertProperty(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.integer({ min: 1, max: 1 << 20 }),
        (key, n) => {
          expect(jumpHash(key, n)).toBe(jumpReference(key, n));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("hashes a string key to hash64(key) first", () => {
    assertProperty(
      fc.property(fc.string(), fc.integer({ min: 1, max: 5000 }), (key, n) => {
        expect(jumpHash(key, n)).toBe(jumpReference(hash64(key), n));
      }),
    );
  });
});

describe("§2 the laws: balance and monotonicity", () => {
  it("n -> n+1 moves keys only to the new bucket n, about 1/(n+1) of them", () => {
    assertProperty(
      fc.property(fc.integer({ min: 1, max: 200 }), (n) => {
        let moved = 0;
        const wrong: string[] = [];
        for (const key of KEYS) {
          const before = jumpHash(key, n);
          const after = jumpHash(key, n + 1);
          if (before !== after) {
            moved++;
            if (after !== n) wrong.push(key);
          }
        }
        expect(wrong).toEqual([]);
        // Binomial(20000, 1/(n+1)): 5 standard deviations either side.
        const p = 1 / (n + 1);
        const sd = Math.sqrt(KEYS.length * p * (1 - p));
        expect(Math.abs(moved - KEYS.length * p)).toBeLessThan(5 * sd + 1);
      }),
      { numRuns: 40 },
    );
  });

  it("every bucket gets about 1/n of the keys (std-dev / mean near the sampling noise)", () => {
    const counts = new Array<number>(10).fill(0);
    for (const key of KEYS) counts[jumpHash(key, 10)]! += 1;
    const noise = Math.sqrt(9 / KEYS.length);
    expect(loadStats(counts).stdDevOverMean).toBeLessThan(2 * noise);
  });
});

describe("errors", () => {
  it("a bucket count outside [1, 2^31 - 1] or not an integer; a key of another type or range", () => {
    expectRangeError(
      () => jumpHash("k", 0),
      "buckets must be an integer in [1, 2147483647], got 0",
    );
    expectRangeError(
      () => jumpHash("k", 2.5),
      "buckets must be an integer in [1, 2147483647], got 2.5",
    );
    expectRangeError(
      () => jumpHash("k", 2 ** 31),
      "buckets must be an integer in [1, 2147483647], got 2147483648",
    );
    expectRangeError(
      () => jumpHash(-1n, 3),
      "key must be a string or a bigint in [0, 2^64 - 1], got -1",
    );
    expectRangeError(
      () => jumpHash(5 as unknown as string, 3),
      "key must be a string or a bigint in [0, 2^64 - 1], got 5",
    );
  });
});
