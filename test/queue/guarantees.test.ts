// Delivery guarantees under consumer crashes: at-most-once loses, at-least-once duplicates,
// read-process-write with an idempotent producer does neither; dead letters and back-pressure.
// Reference: Kafka KIP-98 (idempotence, transactions); Kreps, Narkhede, Rao, NetDB 2011, §3.2.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type DeliveryMode,
  runBackPressureExperiment,
  runDeadLetterExperiment,
  runDeliveryExperiment,
} from "../../src/queue/guarantees.js";
import type { AssignorName } from "../../src/queue/types.js";
import { assertProperty } from "../support/property.js";

const seed = fc.integer({ min: 0, max: 10_000 });
const assignor = fc.constantFrom<AssignorName>(
  "range",
  "roundrobin",
  "sticky",
  "cooperative-sticky",
);

function errorOf(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

describe("delivery guarantees under consumer crashes", () => {
  it("at-least-once (commit after processing) loses nothing across crashes", () => {
    assertProperty(
      fc.property(seed, assignor, (s, a) => {
        const result = runDeliveryExperiment({ mode: "at-least-once", seed: s, assignor: a });
        expect(result.lost).toBe(0);
        expect(result.delivered).toBe(result.produced);
      }),
      { numRuns: 15 },
    );
  });

  it("exactly-once (read-process-write, idempotent producer) yields no duplicate and no loss, despite lost acknowledgements", () => {
    assertProperty(
      fc.property(seed, assignor, (s, a) => {
        const result = runDeliveryExperiment({ mode: "exactly-once", seed: s, assignor: a });
        expect(result.duplicated).toBe(0);
        expect(result.lost).toBe(0);
        expect(result.processed).toBe(result.produced);
      }),
      { numRuns: 15 },
    );
  });

  it("read-process-write without an idempotent producer duplicates the outputs whose acknowledgement was lost", () => {
    const result = runDeliveryExperiment({ mode: "exactly-once", seed: 1, idempotent: false });
    expect(result.acksLost).toBeGreaterThan(0);
    expect(result.duplicated).toBe(result.acksLost);
    expect(result.lost).toBe(0);
  });

  it("at-most-once (commit before processing) never duplicates", () => {
    assertProperty(
      fc.property(seed, assignor, (s, a) => {
        expect(
          runDeliveryExperiment({ mode: "at-most-once", seed: s, assignor: a }).duplicated,
        ).toBe(0);
      }),
      { numRuns: 15 },
    );
  });

  it("with seed 1: at-most-once loses some, at-least-once duplicates some, exactly-once neither; each run had crashes", () => {
    const results = (["at-most-once", "at-least-once", "exactly-once"] as DeliveryMode[]).map(
      (mode) => runDeliveryExperiment({ mode, seed: 1 }),
    );
    expect(results.map((r) => [r.mode, r.lost > 0, r.duplicated > 0])).toEqual([
      ["at-most-once", true, false],
      ["at-least-once", false, true],
      ["exactly-once", false, false],
    ]);
    for (const r of results) expect(r.crashes).toBeGreaterThan(0);
    expect(results[2]?.acksLost).toBeGreaterThan(0);
  });

  it("per-key order is preserved in the output in every mode, and runs are deterministic", () => {
    assertProperty(
      fc.property(
        seed,
        fc.constantFrom<DeliveryMode>("at-most-once", "at-least-once", "exactly-once"),
        (s, mode) => {
          const result = runDeliveryExperiment({ mode, seed: s, keys: 3, partitions: 3 });
          expect(result.perKeyOrdered).toBe(true);
          expect(runDeliveryExperiment({ mode, seed: s, keys: 3, partitions: 3 })).toEqual(result);
        },
      ),
      { numRuns: 10 },
    );
  });

  it("names bad options", () => {
    expect(errorOf(() => runDeliveryExperiment({ mode: "twice" as DeliveryMode })).message).toBe(
      'mode must be one of at-most-once, at-least-once, exactly-once, got "twice"',
    );
    expect(
      errorOf(() => runDeliveryExperiment({ mode: "at-least-once", crashProbability: 2 })).message,
    ).toBe("crashProbability must be a number in [0, 1], got 2");
  });
});

describe("dead-letter topic after N failed attempts", () => {
  it("every poison message lands in the dead-letter topic after attemptsMax attempts; every good one is processed once", () => {
    const result = runDeadLetterExperiment({ seed: 1, attemptsMax: 3 });
    expect(result.poison).toBeGreaterThan(0);
    expect(result.deadLettered).toHaveLength(result.poison);
    expect(result.failedAttempts).toBe(3 * result.poison);
    expect(result.processed).toBe(result.produced - result.poison);
    expect(result.lag).toBe(0);
    for (const record of result.deadLettered) {
      expect(record.value.startsWith("poison")).toBe(true);
      expect(record.headers["x-attempts"]).toBe("3");
      expect(record.headers["x-original-topic"]).toBe("orders");
    }
  });

  it("without a dead-letter topic a poison message blocks its partition for good", () => {
    const result = runDeadLetterExperiment({ seed: 1, deadLetter: false, pollsMax: 200 });
    expect(result.deadLettered).toHaveLength(0);
    expect(result.blockedPartitions.length).toBeGreaterThan(0);
    expect(result.lag).toBeGreaterThan(0);
    expect(result.processed).toBeLessThan(result.produced - result.poison);
  });
});

describe("back-pressure: bounded poll, pause and resume", () => {
  it("pausing bounds the consumer's buffer; without it the buffer holds the whole backlog", () => {
    const paused = runBackPressureExperiment({ seed: 2, bufferMax: 100, maxRecords: 50 });
    const unpaused = runBackPressureExperiment({ seed: 2, pauseWhenFull: false });
    expect(paused.bufferedMax).toBeLessThanOrEqual(100 + 50);
    expect(unpaused.bufferedMax).toBeGreaterThan(1000);
    // The consumer is too slow either way: the backlog grows in the log (the lag).
    expect(paused.lagFinal).toBeGreaterThan(1000);
    expect(paused.processed).toBe(unpaused.processed);
  });

  it("the lag stays bounded when the consumer keeps up on average", () => {
    const result = runBackPressureExperiment({ seed: 2, produceRatePerStep: 15 });
    expect(result.lagMax).toBeLessThan(100);
  });
});
