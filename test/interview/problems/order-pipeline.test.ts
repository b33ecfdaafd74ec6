// The order pipeline worked problem (page 09f-order-pipeline): its decisions, per-order ordering by
// key across a consumer group, duplicates after a crash and dedup by order id, the rebalance pause,
// and acks=1 against acks=all. Reference: Kreps, Narkhede, Rao, NetDB 2011; Kafka KIP-98.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { recommend } from "../../../src/interview/checklist.js";
import { backOfEnvelope } from "../../../src/interview/estimate.js";
import {
  orderPipelineAcksRows,
  orderPipelineAssumptions,
  orderPipelineProblem,
  orderPipelineRebalance,
  orderPipelineRun,
} from "../../../src/interview/problems/order-pipeline.js";
import { brokenLinkReason, notebookLinks } from "../../support/anchors.js";
import { assertProperty } from "../../support/property.js";

describe("Worked problem: order pipeline, decisions", () => {
  it("recommend gives the decisions the page documents", () => {
    const decisions = recommend(orderPipelineProblem.requirements).decisions;
    expect(decisions.map((d) => d.choice)).toEqual(orderPipelineProblem.documentedChoices);
  });

  it("reports the tension between CP and a 99.99% availability target", () => {
    const tensions = recommend(orderPipelineProblem.requirements).tensions;
    expect(tensions.map((t) => [...t.topics])).toEqual([["consistency", "availability"]]);
  });

  it("at peak the log takes about 350 events a second and a few MB/s across replicas", () => {
    const estimate = backOfEnvelope(orderPipelineAssumptions);
    expect(Math.round(estimate.writesPerSecondPeak)).toBe(347);
    expect(estimate.ingressBytesPerSecondPeak).toBeGreaterThan(1e6);
    expect(estimate.ingressBytesPerSecondPeak).toBeLessThan(1.1e6);
  });
});

describe("Worked problem: order pipeline, the trade-off measured", () => {
  it("keyed by order id, every order's events take effect in order across the consumer group", () => {
    const run = orderPipelineRun({ consumers: 3 });
    expect(run.outOfOrderEffects).toBe(0);
    expect(run.missingEffects).toBe(0);
    expect(run.duplicateEffects).toBe(0);
  });

  it("spread round-robin, some orders are shipped or paid before they exist", () => {
    const run = orderPipelineRun({ consumers: 3, partitionBy: "round-robin" });
    expect(run.ordersOutOfOrder).toBeGreaterThan(0);
    expect(run.missingEffects).toBe(0);
  });

  it("a consumer crash before its commit replays the batch: at-least-once charges twice", () => {
    const run = orderPipelineRun({ crashProbability: 0.3 });
    expect(run.crashes).toBeGreaterThan(0);
    expect(run.duplicateEffects).toBeGreaterThan(0);
    expect(run.missingEffects).toBe(0);
  });

  it("dedup by order id skips every replay: each effect happens exactly once", () => {
    const naive = orderPipelineRun({ crashProbability: 0.3 });
    const run = orderPipelineRun({ crashProbability: 0.3, dedupByOrderId: true });
    expect(run.eventsHandled).toBe(naive.eventsHandled);
    expect(run.replaysSkipped).toBe(run.eventsHandled - run.eventsProduced);
    expect(run.duplicateEffects).toBe(0);
    expect(run.effectsApplied).toBe(run.eventsProduced);
  });

  it("a crashed consumer's orders stall for about the session timeout", () => {
    for (const sessionTimeoutMs of [1_000, 10_000]) {
      const result = orderPipelineRebalance({ assignor: "range", sessionTimeoutMs });
      expect(result.stalledMs).toBeGreaterThanOrEqual(sessionTimeoutMs);
      expect(result.stalledMs).toBeLessThan(sessionTimeoutMs + 100);
    }
  });

  it("an eager rebalance pauses every partition; cooperative-sticky only the moved ones", () => {
    const eager = orderPipelineRebalance({ assignor: "range" });
    const cooperative = orderPipelineRebalance({ assignor: "cooperative-sticky" });
    expect(eager.partitionsPaused).toBe(6);
    expect(cooperative.partitionsPaused).toBe(cooperative.partitionsMoved);
    expect(cooperative.partitionsPaused).toBeLessThan(eager.partitionsPaused);
    expect(cooperative.partitionPausedMs).toBeLessThan(eager.partitionPausedMs);
  });

  it("acks=1 loses acknowledged orders when the leader fails; acks=all loses none", () => {
    const [one, all] = orderPipelineAcksRows([1, 2, 3, 4, 5]);
    expect(one?.ordersLost).toBeGreaterThan(0);
    expect(all?.ordersLost).toBe(0);
    expect(all?.ordersAcknowledged).toBe(one?.ordersAcknowledged);
  });
});

describe("Worked problem: order pipeline, invariants", () => {
  it("keyed with dedup, every effect happens exactly once and in order, for any crash schedule", () => {
    assertProperty(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 0, max: 100_000 }),
          orders: fc.integer({ min: 1, max: 30 }),
          partitions: fc.integer({ min: 1, max: 8 }),
          consumers: fc.integer({ min: 1, max: 4 }),
          crashProbability: fc.double({ min: 0, max: 0.5, noNaN: true }),
          maxRecords: fc.integer({ min: 1, max: 20 }),
        }),
        (options) => {
          const run = orderPipelineRun({ ...options, dedupByOrderId: true });
          expect(run.effectsApplied).toBe(run.eventsProduced);
          expect(run.duplicateEffects).toBe(0);
          expect(run.missingEffects).toBe(0);
          expect(run.outOfOrderEffects).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("Worked problem: order pipeline, bad input", () => {
  it("names the bad option and what is allowed", () => {
    expect(() => orderPipelineRun({ orders: 0 })).toThrow(/orders/);
    expect(() => orderPipelineRun({ partitionBy: "customer" as unknown as "order-id" })).toThrow(
      /partitionBy must be "order-id" or "round-robin"/,
    );
    expect(() => orderPipelineRun({ crashProbability: 2 })).toThrow(/crashProbability/);
    expect(() => orderPipelineRun({ crashProbability: 1 })).toThrow(/never drains/);
    expect(() => orderPipelineRun({ dedup: true } as never)).toThrow(/unknown option "dedup"/);
    expect(() => orderPipelineRebalance({ assignor: "fair" as never })).toThrow(/assignor/);
    expect(() => orderPipelineRebalance({ assignor: "range", consumers: 1 })).toThrow(/consumers/);
    expect(() => orderPipelineAcksRows([])).toThrow(/seeds/);
  });
});

describe("Worked problem: order pipeline, links", () => {
  it("every chapter link on the page resolves", () => {
    const links = notebookLinks(orderPipelineProblem.page);
    expect(links.length).toBeGreaterThan(5);
    for (const link of links) expect(brokenLinkReason(link), JSON.stringify(link)).toBe("");
  });
});
