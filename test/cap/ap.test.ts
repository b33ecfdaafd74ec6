// The AP counters: every replica answers alone. Last-write-wins on (value, timestamp) loses
// increments; the PN-counter CRDT with anti-entropy converges after heal with none lost.
// Reference: Gilbert and Lynch 2002, §4.3 (an available object answers on both sides); Shapiro
// et al. 2011, §2.2 (strong eventual consistency of state-based CRDTs); DeCandia et al. 2007, §4.4.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  capCheckerHistory,
  capCounterModel,
  checkCapSessionGuarantees,
  checkOperations,
  explainStaleRead,
  findStaleReads,
  runCapScenario,
} from "../../src/index.js";
import { assertProperty } from "../support/property.js";
import { faultyScenario, verdictOf } from "./support.js";

describe("§4.3 an AP counter answers on both sides of the partition", () => {
  it("every request is answered, the minority side included", () => {
    for (const variant of ["apLastWriteWins", "apCrdt"] as const) {
      const run = runCapScenario(variant, 1);
      expect(run.counts.refusedCount, variant).toBe(0);
      expect(run.counts.answeredCount, variant).toBe(run.history.length);
    }
  });
});

describe("last-write-wins loses increments under partition", () => {
  it("every increment one side acknowledged during the partition is overwritten at heal", () => {
    const run = runCapScenario("apLastWriteWins", 1);
    const window = run.partitionWindow as { startMs: number; endMs: number };
    const lost = new Set(run.counts.lostUpdateIds);
    const onSide = (minority: boolean) =>
      run.history.filter((op) => {
        const home = run.homeOf[run.clients[op.clientId] ?? ""] ?? "";
        return (
          op.input.kind === "inc" &&
          run.minority.includes(home) === minority &&
          op.call >= window.startMs &&
          op.return <= window.endMs
        );
      });
    const sides = [onSide(true), onSide(false)];
    expect(sides.every((side) => side.length > 5)).toBe(true);
    const wipedOut = sides.filter((side) =>
      side.every((op) => op.input.kind === "inc" && lost.has(op.input.id)),
    );
    expect(wipedOut.length).toBeGreaterThanOrEqual(1);
  });

  it("loses more with the partition than without it, and some even without", () => {
    const withCut = runCapScenario("apLastWriteWins", 1, { traceEventsMax: 0 });
    const without = runCapScenario("apLastWriteWins", 1, { partition: null, traceEventsMax: 0 });
    expect(without.counts.updatesLostCount).toBeGreaterThan(0);
    expect(withCut.counts.updatesLostCount).toBeGreaterThan(without.counts.updatesLostCount);
    // It converges, to the wrong number.
    expect(withCut.counts.converged).toBe(true);
    const finalValue = Object.values(withCut.counts.finalValues)[0] as number;
    expect(finalValue).toBe(
      withCut.counts.updatesAcknowledgedCount - withCut.counts.updatesLostCount,
    );
  });

  it("reads can go backwards for one client (no monotonic reads)", () => {
    expect(checkCapSessionGuarantees(runCapScenario("apLastWriteWins", 1).history)).toEqual({
      monotonicReads: false,
      readYourWrites: false,
    });
  });
});

describe("§2.2 the CRDT counter converges after heal with no lost increment", () => {
  it("on the scripted scenario: every replica ends at the number of acknowledged increments", () => {
    const run = runCapScenario("apCrdt", 1);
    expect(run.counts.updatesLostCount).toBe(0);
    expect(run.counts.converged).toBe(true);
    for (const value of Object.values(run.counts.finalValues)) {
      expect(value).toBe(run.counts.updatesAcknowledgedCount);
    }
  });

  it("under random partitions, loss, duplication and reordering: converged, none lost", () => {
    assertProperty(
      fc.property(faultyScenario, ({ seed, options }) => {
        const run = runCapScenario("apCrdt", seed, options);
        expect(run.counts.updatesLostCount).toBe(0);
        expect(run.counts.converged).toBe(true);
        // value = increments - decrements: exact for acknowledged updates; an update whose
        // reply was lost (client timeout) may or may not be in.
        let acknowledged = 0;
        let unknownIncs = 0;
        let unknownDecs = 0;
        for (const op of run.history) {
          if (op.input.kind === "read") continue;
          const sign = op.input.kind === "inc" ? 1 : -1;
          if (op.output.status === "ok") acknowledged += sign;
          else if (sign === 1) unknownIncs++;
          else unknownDecs++;
        }
        const finalValue = Object.values(run.counts.finalValues)[0] as number;
        expect(finalValue).toBeGreaterThanOrEqual(acknowledged - unknownDecs);
        expect(finalValue).toBeLessThanOrEqual(acknowledged + unknownIncs);
        if (unknownIncs + unknownDecs === 0) expect(finalValue).toBe(acknowledged);
      }),
      { numRuns: 30 },
    );
  });

  it("keeps monotonic reads and read-your-writes: each client stays on its replica", () => {
    for (const seed of [1, 2, 3]) {
      expect(checkCapSessionGuarantees(runCapScenario("apCrdt", seed).history)).toEqual({
        monotonicReads: true,
        readYourWrites: true,
      });
    }
  });
});

describe("the AP history is not linearizable: the stale read that proves it", () => {
  it("the checker says illegal, and the culprit is a read that missed acknowledged increments", () => {
    const run = runCapScenario("apCrdt", 1);
    const verdict = checkOperations(capCounterModel, capCheckerHistory(run.history));
    expect(verdict.result).toBe("illegal");
    const explanation = explainStaleRead(run, verdict);
    expect(explanation?.kind).toBe("missed");
    expect(explanation?.read.input.kind).toBe("read");
    expect(explanation?.missedUpdates.length).toBeGreaterThan(0);
    // Each missed increment really completed before the read began.
    for (const missed of explanation?.missedUpdates ?? []) {
      expect(missed.return).toBeLessThan(explanation?.read.call ?? 0);
    }
    expect(explanation?.text).toMatch(
      /^c\d's read at t=[\d.]+-[\d.]+ ms returned \d+, but \d+ increments/,
    );
  });

  it("during the partition, minority-side reads miss the majority side's increments", () => {
    const run = runCapScenario("apCrdt", 1);
    const window = run.partitionWindow as { startMs: number; endMs: number };
    const during = findStaleReads(run).filter(
      (stale) => stale.read.call > window.startMs + 100 && stale.read.return < window.endMs,
    );
    expect(during.length).toBeGreaterThan(0);
    expect(Math.max(...during.map((s) => s.valueMin - s.value))).toBeGreaterThan(10);
  });

  it("the CRDT counter is not linearizable even without a partition (gossip takes time)", () => {
    expect(verdictOf(runCapScenario("apCrdt", 1, { partition: null }))).toBe("illegal");
  });
});
