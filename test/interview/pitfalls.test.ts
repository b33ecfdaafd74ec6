// Where the reference checklist is too simple, measured: virtual nodes do not spread a hot key;
// splitting it does.

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { hotKeyShares } from "../../src/interview/pitfalls.js";
import { assertProperty } from "../support/property.js";

describe("hotKeyShares", () => {
  it("virtual nodes even out ranges (1.14x fair with no hot key) but leave a 30 % hot key's node at 3x", () => {
    const [, vnodesCold] = hotKeyShares({ hotKeyShare: 0 });
    expect(vnodesCold?.busiestOverFair).toBeCloseTo(1.144, 3);
    const [onePoint, vnodes, split] = hotKeyShares();
    expect(onePoint?.busiestOverFair).toBeCloseTo(2.944, 3);
    expect(vnodes?.busiestOverFair).toBeCloseTo(3.01, 2);
    expect(split?.busiestOverFair).toBeCloseTo(1.401, 3);
    expect(split?.scheme).toBe("ring, 160 virtual nodes, hot key split 16 ways");
  });

  it("an unsplit hot key always puts at least its share on one node, however many virtual nodes", () => {
    assertProperty(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 16 }),
        (hotKeyShare, nodesCount) => {
          const [onePoint, vnodes] = hotKeyShares({ hotKeyShare, nodesCount, keysCount: 200 });
          expect(onePoint?.busiestNodeShare).toBeGreaterThanOrEqual(hotKeyShare - 1e-9);
          expect(vnodes?.busiestNodeShare).toBeGreaterThanOrEqual(hotKeyShare - 1e-9);
          expect(vnodes?.busiestNodeShare).toBeLessThanOrEqual(1 + 1e-9);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("rejects bad options with the name of the option", () => {
    expect(() => hotKeyShares({ hotKeyShare: 1.5 })).toThrow(/hotKeyShare/);
    expect(() => hotKeyShares({ nodesCount: 0 })).toThrow(/nodesCount/);
    expect(() => hotKeyShares({ hotKeySplits: 2.5 })).toThrow(/hotKeySplits/);
    expect(() => hotKeyShares({ hotKeys: 2 } as never)).toThrow(/hotKeys/);
  });
});
