// Per-key order through a consumer group: kept when the key picks the partition, lost when the
// producer spreads one user's orders over partitions that drain at different speeds.

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { perKeyOrderRun } from "../../src/queue/ordering.js";
import { assertProperty } from "../support/property.js";

describe("perKeyOrderRun", () => {
  it("keyed by user, no user's orders are processed out of order; round-robin, every user's are", () => {
    expect(perKeyOrderRun({ partitioner: "murmur2" })).toEqual({
      usersCount: 20,
      usersOutOfOrder: 0,
    });
    expect(perKeyOrderRun({ partitioner: "round-robin" })).toEqual({
      usersCount: 20,
      usersOutOfOrder: 20,
    });
  });

  it("keying by user keeps every user's order for any seed, users and partitions", () => {
    assertProperty(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 8 }),
        (seed, usersCount, partitionsCount) => {
          const run = perKeyOrderRun({ seed, usersCount, partitionsCount, messagesCount: 200 });
          expect(run.usersOutOfOrder).toBe(0);
          expect(run.usersCount).toBeLessThanOrEqual(usersCount);
        },
      ),
      { numRuns: 30 },
    );
  });

  it("names a bad option", () => {
    expect(() => perKeyOrderRun({ usersCount: 0 })).toThrow(/usersCount/);
    expect(() => perKeyOrderRun({ users: 5 } as never)).toThrow(/users/);
  });
});
