// Scenario tests of chapter 1's four challenges: partial failure, no global clock, an unreliable
// network and concurrency. Reference: Lamport 1978 §1 (clocks); FLP 1985 (crash vs slow).

import { describe, expect, it } from "vitest";
import {
  CHALLENGES,
  PARTIAL_FAILURE_FAULTS,
  comparePartialFailures,
  runClockSkewExperiment,
  runLostUpdateExperiment,
  runPartialFailureExperiment,
  runUnreliableNetworkExperiment,
  toMermaidSequence,
} from "../../src/index.js";

describe("challenge: partial failure", () => {
  it("a crashed server and a paused server give the caller the same observation", () => {
    const crashed = runPartialFailureExperiment(1, { fault: "crashBeforeRequest" });
    const paused = runPartialFailureExperiment(1, { fault: "pause" });
    expect(crashed.observation).toEqual([
      "t=0 sent request 1",
      "t=50 no reply after 50 ms: timeout",
    ]);
    expect(paused.observation).toEqual(crashed.observation);
  });

  it("behind the same timeout the server did the work in one case and not in the other", () => {
    const crashed = runPartialFailureExperiment(1, { fault: "crashBeforeRequest" });
    const paused = runPartialFailureExperiment(1, { fault: "pause" });
    expect(crashed.executed).toBe(false);
    expect(paused.executed).toBe(true);
    expect(paused.lateReplyAtMs as number).toBeGreaterThan(50);
  });

  it("five different faults, one observation: the caller cannot tell them apart", () => {
    const comparison = comparePartialFailures(1);
    expect(comparison.results.map((r) => r.fault)).toEqual(PARTIAL_FAILURE_FAULTS);
    expect(comparison.indistinguishable).toBe(true);
    expect(comparison.executedDespiteTimeoutCount).toBe(4);
  });

  it("without a fault the reply comes before the timeout", () => {
    const healthy = runPartialFailureExperiment(1, { fault: "none" });
    expect(healthy.timedOut).toBe(false);
    expect(healthy.observation).toEqual(["t=0 sent request 1", "t=20 reply to request 1"]);
  });
});

describe("challenge: no global clock", () => {
  it("a clock behind by more than the latency receives messages before they were sent", () => {
    const result = runClockSkewExperiment(1, { clockOffsetMs: -20 });
    expect(result.causalityViolationsCount).toBe(3);
    const send = result.events.find((e) => e.what === "send yourTurn 1");
    const receive = result.events.find((e) => e.what === "receive yourTurn 1");
    expect(receive?.trueMs as number).toBeGreaterThan(send?.trueMs as number);
    expect(receive?.clockMs as number).toBeLessThan(send?.clockMs as number);
  });

  it("last-writer-wins by timestamp keeps an earlier write and discards the causally later ones", () => {
    const result = runClockSkewExperiment(1);
    expect(result.finalValue).toBe("A3");
    expect(result.causallyLastValue).toBe("B3");
    expect(result.writesDiscardedCount).toBe(3);
  });

  it("with synchronised clocks timestamps agree with causality", () => {
    const result = runClockSkewExperiment(1, { clockOffsetMs: 0 });
    expect(result.causalityViolationsCount).toBe(0);
    expect(result.finalValue).toBe(result.causallyLastValue);
  });

  it("a drifting clock starts in sync and falls out of causal order as its error grows", () => {
    const result = runClockSkewExperiment(1, {
      clockOffsetMs: 0,
      clockDriftPpm: -500_000,
      roundsCount: 10,
    });
    const receivesAtB = result.events.filter((e) => e.node === "B" && e.what.startsWith("receive"));
    const first = receivesAtB[0];
    expect(first !== undefined && first.clockMs >= 0).toBe(true);
    expect(result.causalityViolationsCount).toBeGreaterThan(0);
  });
});

describe("challenge: an unreliable network", () => {
  it("messages are lost, duplicated and reordered", () => {
    const result = runUnreliableNetworkExperiment(1);
    expect(result.lostSeqs.length).toBeGreaterThan(0);
    expect(result.duplicatesCount).toBeGreaterThan(0);
    expect(result.outOfOrderCount).toBeGreaterThan(0);
    expect(result.deliveredCount).toBe(
      result.sentCount - result.lostSeqs.length + result.duplicatesCount,
    );
  });

  it("a FIFO link without loss or duplication delivers everything once, in order", () => {
    const result = runUnreliableNetworkExperiment(1, {
      dropProbability: 0,
      duplicateProbability: 0,
      reorder: false,
    });
    expect(result.receivedOrder).toEqual([...Array(20).keys()]);
  });
});

describe("challenge: concurrency", () => {
  it("concurrent read-modify-write increments lose updates", () => {
    const result = runLostUpdateExperiment(1);
    expect(result.lostUpdatesCount).toBeGreaterThan(0);
    expect(result.finalValue).toBeLessThan(result.incrementsCount);
  });

  it("compare-and-set on a version loses none: conflicts become retries", () => {
    const result = runLostUpdateExperiment(1, { mode: "compareAndSet" });
    expect(result.finalValue).toBe(result.incrementsCount);
    expect(result.conflictsCount).toBeGreaterThan(0);
  });

  it("a single client loses nothing even with read-modify-write", () => {
    const result = runLostUpdateExperiment(1, { clientsCount: 1 });
    expect(result.lostUpdatesCount).toBe(0);
  });
});

describe("the four challenges", () => {
  it("each names an exported experiment whose trace draws", async () => {
    const api: Record<string, unknown> = await import("../../src/index.js");
    expect(CHALLENGES).toHaveLength(4);
    for (const entry of CHALLENGES) expect(typeof api[entry.experiment]).toBe("function");
    for (const trace of [
      runPartialFailureExperiment(1, { fault: "crashAfterExecuting" }).trace,
      runClockSkewExperiment(1).trace,
      runUnreliableNetworkExperiment(1).trace,
      runLostUpdateExperiment(1).trace,
    ]) {
      expect(toMermaidSequence(trace).startsWith("sequenceDiagram")).toBe(true);
    }
  });
});
