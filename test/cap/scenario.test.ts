// The scripted scenario: same seed, same clients, same partition against every variant; a
// history in virtual ms; option checking; diagrams of a window of the run.
// Reference: Gilbert and Lynch 2002, §3 (the partitioned run of the proof, here as a script).

import { describe, expect, it } from "vitest";
import {
  CAP_VARIANTS,
  type CapScenarioOptions,
  capLatencyStats,
  capMessageLabel,
  capSequence,
  runCapScenario,
} from "../../src/index.js";
import { expectRangeError } from "./support.js";

describe("one script, every variant", () => {
  it("is deterministic: same seed and options, same history, trace and counts", () => {
    for (const variant of CAP_VARIANTS) {
      const a = runCapScenario(variant, 7);
      const b = runCapScenario(variant, 7);
      expect(b.history, variant).toEqual(a.history);
      expect(b.counts, variant).toEqual(a.counts);
      expect(b.trace.length, variant).toBe(a.trace.length);
    }
  });

  it("the same clients make the same choices against every variant", () => {
    const kinds = CAP_VARIANTS.map((variant) =>
      runCapScenario(variant, 3, { traceEventsMax: 0 }).history.map(
        (op) => `${op.clientId}:${op.input.kind}`,
      ),
    );
    // Runs differ in length (refusals take longer), so compare each client's first choices.
    for (let client = 0; client < 4; client++) {
      const firsts = kinds.map((run) =>
        run.filter((entry) => entry.startsWith(`${client}:`)).slice(0, 8),
      );
      for (const other of firsts) expect(other).toEqual(firsts[0]);
    }
  });

  it("splits 5 replicas 2|3 with the clients of r1 and r2 on the minority side", () => {
    const run = runCapScenario("apCrdt", 1);
    expect(run.replicas).toEqual(["r1", "r2", "r3", "r4", "r5"]);
    expect(run.minority).toEqual(["r1", "r2"]);
    expect(run.homeOf).toEqual({ c1: "r1", c2: "r2", c3: "r3", c4: "r4" });
    expect(run.partitionWindow).toEqual({ startMs: 500, endMs: 1500 });
    const cut = run.trace.find((event) => event.kind === "partition");
    expect(cut?.kind === "partition" ? cut.groups : []).toEqual([
      ["r1", "r2", "c1", "c2"],
      ["r3", "r4", "r5", "c3", "c4"],
    ]);
  });

  it("records a well-formed history: sequential clients, call <= return, one final read each", () => {
    for (const variant of CAP_VARIANTS) {
      const run = runCapScenario(variant, 2, { traceEventsMax: 0 });
      for (let client = 0; client < run.clients.length; client++) {
        const own = run.history.filter((op) => op.clientId === client);
        for (let i = 1; i < own.length; i++) {
          expect((own[i] as { call: number }).call).toBeGreaterThan(own[i - 1]?.return ?? 0);
        }
        expect(own.at(-1)?.input.kind).toBe("read");
        expect(own.at(-1)?.call).toBe(2500 + 0 * client);
      }
      expect(run.history.every((op) => op.call <= op.return)).toBe(true);
      expect(run.visibleUpdateIds).toHaveLength(run.history.length);
    }
  });

  it("counts messages and operations", () => {
    const run = runCapScenario("cpQuorum", 1);
    expect(run.counts.messagesCount).toBe(run.stats.messagesSent);
    expect(run.counts.operationsCount).toBe(run.history.length);
    expect(run.counts.answeredCount + run.counts.refusedCount).toBe(run.history.length);
    expect(run.counts.messagesPerOperation).toBeCloseTo(
      run.counts.messagesCount / run.counts.operationsCount,
    );
  });

  it("works with 3 replicas split 1|2", () => {
    const run = runCapScenario("cpQuorum", 1, { replicasCount: 3 });
    expect(run.minority).toEqual(["r1"]);
    expect(run.counts.updatesLostCount).toBe(0);
    expect(
      run.history.some((op) => op.output.status === "noQuorum" && op.output.needed === 2),
    ).toBe(true);
  });
});

describe("bad options are errors that name the value", () => {
  const cases: [CapScenarioOptions, string][] = [
    [{ replicasCount: 2 }, "options.replicasCount must be an integer in [3, 9], got 2"],
    [
      { partition: { minorityCount: 3 } },
      "options.partition.minorityCount must be an integer in [1, 2], got 3",
    ],
    [
      { incrementShare: 0.8, decrementShare: 0.3 },
      "options.incrementShare + options.decrementShare must be at most 1 (the rest are reads), got 1.1",
    ],
    [{ settleMs: 100 }, "options.settleMs must be >= options.clientTimeoutMs (400), got 100"],
    [
      { retries: 3 } as CapScenarioOptions,
      'runCapScenario options has an unknown option "retries"; known options: ' +
        "replicasCount, clientsCount, partition, durationMs, settleMs, latency, dropProbability, " +
        "duplicateProbability, reorder, incrementShare, decrementShare, thinkMsMin, thinkMsMax, " +
        "quorumTimeoutMs, clientTimeoutMs, antiEntropyIntervalMs, traceEventsMax",
    ],
  ];
  for (const [options, message] of cases) {
    it(message, () => expectRangeError(() => runCapScenario("cpQuorum", 1, options), message));
  }

  it("an unknown variant or a bad seed", () => {
    expectRangeError(
      () => runCapScenario("cp" as "cpQuorum", 1),
      'variant must be one of cpReadThenWrite, cpNoReadRepair, cpQuorum, apLastWriteWins, apCrdt, got "cp"',
    );
    expectRangeError(
      () => runCapScenario("cpQuorum", -1),
      "seed must be an integer in [0, 4294967295], got -1",
    );
  });
});

describe("diagrams of a window of the run", () => {
  it("labels requests, answers and quorum messages", () => {
    const run = runCapScenario("cpQuorum", 1);
    const diagram = capSequence(run, { fromMs: 600, toMs: 700, nodes: ["c1", "r1", "r2", "r3"] });
    const source = diagram.mimeBundle["text/vnd.mermaid"] ?? "";
    expect(source.startsWith("sequenceDiagram")).toBe(true);
    expect(source).toMatch(/no quorum 2\/3/);
    expect(source.match(/participant /g)).toHaveLength(4);
  });

  it("labels every message type", () => {
    const labels = new Set<string>();
    for (const variant of CAP_VARIANTS) {
      const run = runCapScenario(variant, 1, { durationMs: 200, settleMs: 400 });
      for (const event of run.trace) {
        if (event.kind === "send") labels.add(capMessageLabel(event.message).split(" ")[0] ?? "");
      }
    }
    expect([...labels].sort()).toEqual(
      [
        "collect",
        "get",
        "ids",
        "inc",
        "no",
        "ok",
        "read",
        "set",
        "state",
        "store",
        "stored",
        "value",
      ].sort(),
    );
  });
});

describe("PACELC: latency without a partition", () => {
  it("a local answer is faster than a quorum, on the same clients", () => {
    const cp = capLatencyStats(runCapScenario("cpQuorum", 1, { partition: null }));
    const ap = capLatencyStats(runCapScenario("apCrdt", 1, { partition: null }));
    expect(cp.answeredCount).toBe(cp.operationsCount);
    expect(ap.answeredCount).toBe(ap.operationsCount);
    // One client round trip (2 hops of 1-10 ms) against at least two round trips.
    expect(ap.p99Ms).toBeLessThanOrEqual(20);
    expect(cp.p50Ms).toBeGreaterThan(ap.p50Ms);
    expect(cp.meanMs).toBeGreaterThan(ap.meanMs);
  });

  it("counts only the window and clients asked for; NaN latency when nothing was answered", () => {
    const run = runCapScenario("cpQuorum", 1);
    const minority = capLatencyStats(run, { fromMs: 500, toMs: 1500, clients: ["c1", "c2"] });
    expect(minority.operationsCount).toBeGreaterThan(0);
    expect(minority.answeredCount).toBe(0);
    expect(minority.p50Ms).toBeNaN();
    expectRangeError(
      () => capLatencyStats(run, { fromMs: 10, toMs: 5 }),
      "options.toMs must be a finite number >= 10, got 5",
    );
  });
});
