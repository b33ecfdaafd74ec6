// The yardsticks: load statistics (mean, population standard deviation, max/mean) and the
// fraction of keys moved between two placements; and the sample keys the tables use.

import { describe, expect, it } from "vitest";
import {
  ConsistentHashRing,
  countLoads,
  loadStats,
  modHash,
  movedFraction,
  murmur3,
  sampleKeys,
} from "../../src/index.js";
import { expectRangeError } from "./support.js";

describe("loadStats", () => {
  it("computes mean, population standard deviation and max/mean", () => {
    const stats = loadStats([90, 100, 110]);
    expect(stats).toMatchObject({ nodesCount: 3, total: 300, mean: 100, min: 90, max: 110 });
    expect(stats.stdDev).toBeCloseTo(Math.sqrt(200 / 3), 12);
    expect(stats.maxOverMean).toBeCloseTo(1.1, 12);
    expect(stats.stdDevOverMean).toBeCloseTo(Math.sqrt(200 / 3) / 100, 12);
  });

  it("accepts a Map or a record, and counts idle nodes", () => {
    expect(
      loadStats(
        new Map([
          ["a", 3],
          ["b", 1],
        ]),
      ).mean,
    ).toBe(2);
    expect(loadStats({ a: 4, b: 0 }).maxOverMean).toBe(2);
  });

  it("calls all-zero loads balanced: max/mean 1, std-dev/mean 0", () => {
    expect(loadStats([0, 0])).toMatchObject({ maxOverMean: 1, stdDevOverMean: 0 });
  });

  it("rejects no nodes and a load that is not a finite number >= 0", () => {
    expectRangeError(
      () => loadStats([]),
      "counts must be a non-empty array, Map or record of finite numbers >= 0, got []",
    );
    expectRangeError(() => loadStats([1, -2]), "counts[1] must be a finite number >= 0, got -2");
  });
});

describe("movedFraction", () => {
  it("is the fraction of keys whose node changed", () => {
    expect(movedFraction(["a", "b", "c", "a"], ["a", "b", "d", "d"])).toBe(0.5);
    expect(
      movedFraction(
        new Map([
          ["k1", "a"],
          ["k2", "b"],
        ]),
        new Map([
          ["k2", "b"],
          ["k1", "c"],
        ]),
      ),
    ).toBe(0.5);
  });

  it("rejects placements of different lengths, key sets or forms, and empty ones", () => {
    expectRangeError(
      () => movedFraction(["a"], ["a", "b"]),
      'after must be an array of the same length as before (1), got "an array of 2"',
    );
    expectRangeError(
      () => movedFraction(new Map([["k1", "a"]]), new Map([["k2", "a"]])),
      'after must be a Map of the same keys as before, got "a Map without \\"k1\\""',
    );
    expectRangeError(
      () => movedFraction(["a"], new Map([["k", "a"]])),
      'before and after must be two arrays or two Maps from key to node, got "an array and a Map"',
    );
    expectRangeError(
      () => movedFraction([], []),
      "before must be a placement of at least one key, got []",
    );
  });
});

describe("countLoads and sampleKeys", () => {
  it("counts keys per node, nodes with none included", () => {
    const ring = new ConsistentHashRing({ nodes: ["a", "b", "c"] });
    const loads = countLoads(ring, sampleKeys(3000));
    expect([...loads.keys()]).toEqual(["a", "b", "c"]);
    expect([...loads.values()].reduce((x, y) => x + y, 0)).toBe(3000);
    const one = countLoads(new ConsistentHashRing({ nodes: ["a", "b"] }), ["only"]);
    expect([...one.values()].sort()).toEqual([0, 1]);
  });

  it('makes "<prefix>0" to "<prefix><count - 1>"', () => {
    expect(sampleKeys(3)).toEqual(["key-0", "key-1", "key-2"]);
    expect(sampleKeys(2, "user:")).toEqual(["user:0", "user:1"]);
    expectRangeError(() => sampleKeys(-1), "count must be an integer in [0, 10000000], got -1");
  });
});

describe("modHash, the naive baseline", () => {
  it("is murmur3(key) mod buckets", () => {
    for (const key of sampleKeys(100)) expect(modHash(key, 7)).toBe(murmur3(key) % 7);
    expectRangeError(() => modHash("k", 0), "buckets must be an integer in [1, 2147483647], got 0");
  });
});
