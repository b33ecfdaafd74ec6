// The seeded generator: same seed, same stream; values in range; roughly uniform.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Random } from "../../src/index.js";
import { assertProperty } from "../support/property.js";

describe("Random (xoshiro128**)", () => {
  it("the same seed gives the same stream", () => {
    assertProperty(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (seed) => {
        const a = new Random(seed);
        const b = new Random(seed);
        for (let i = 0; i < 50; i++) expect(a.nextUint32()).toBe(b.nextUint32());
      }),
    );
  });

  it("neighbouring seeds give unrelated streams", () => {
    const first = Array.from(
      { length: 8 },
      (
        (rng) => () =>
          rng.nextUint32()
      )(new Random(1)),
    );
    const second = Array.from(
      { length: 8 },
      (
        (rng) => () =>
          rng.nextUint32()
      )(new Random(2)),
    );
    expect(first.filter((value, index) => value === second[index])).toHaveLength(0);
  });

  it("next() is in [0, 1) and int(min, max) in [min, max]", () => {
    assertProperty(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: 0, max: 1000 }),
        (seed, min, span) => {
          const rng = new Random(seed);
          for (let i = 0; i < 20; i++) {
            const x = rng.next();
            expect(x).toBeGreaterThanOrEqual(0);
            expect(x).toBeLessThan(1);
            const n = rng.int(min, min + span);
            expect(Number.isInteger(n)).toBe(true);
            expect(n).toBeGreaterThanOrEqual(min);
            expect(n).toBeLessThanOrEqual(min + span);
          }
        },
      ),
    );
  });

  it("a die is fair: chi-squared over 60,000 rolls stays below the 99.9% critical value", () => {
    const rng = new Random(2024);
    const counts = [0, 0, 0, 0, 0, 0];
    for (let i = 0; i < 60_000; i++) counts[rng.int(1, 6) - 1]! += 1;
    const chiSquared = counts.reduce((sum, count) => sum + (count - 10_000) ** 2 / 10_000, 0);
    expect(chiSquared).toBeLessThan(20.52); // 5 degrees of freedom, p = 0.001
  });

  it("shuffle returns a permutation and leaves its input alone", () => {
    const rng = new Random(5);
    const input = [1, 2, 3, 4, 5, 6, 7];
    const shuffled = rng.shuffle(input);
    expect(input).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect([...shuffled].sort()).toEqual(input);
  });

  it("bad arguments are named", () => {
    const rng = new Random(1);
    expect(() => rng.int(5, 1)).toThrow("max must be a safe integer >= min (5), got 1");
    expect(() => rng.pick([])).toThrow("items must be a non-empty array, got []");
  });
});
