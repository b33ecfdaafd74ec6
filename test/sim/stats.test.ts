// Summary statistics: the median and nearest-rank quantiles, with their laws.

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { median, quantile } from "../../src/sim/stats.js";
import { assertProperty } from "../support/property.js";

describe("median and quantile", () => {
  it("the middle value, or the mean of the two middle values", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(/a median needs values/);
  });

  it("nearest rank: p50 of 1..10 is 5, p99 is 10, p0 is the minimum; none gives 0", () => {
    const values = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
    expect(quantile(values, 0.5)).toBe(5);
    expect(quantile(values, 0.99)).toBe(10);
    expect(quantile(values, 0)).toBe(1);
    expect(quantile([], 0.5)).toBe(0);
  });

  it("quantiles are values of the list, never decrease with q, and bracket the median", () => {
    assertProperty(
      fc.property(
        fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 50 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (values, a, b) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          expect(values).toContain(quantile(values, low));
          expect(quantile(values, low)).toBeLessThanOrEqual(quantile(values, high));
          expect(median(values)).toBeGreaterThanOrEqual(quantile(values, 0));
          expect(median(values)).toBeLessThanOrEqual(quantile(values, 1));
        },
      ),
    );
  });
});
