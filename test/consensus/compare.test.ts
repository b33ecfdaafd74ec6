// Multi-Paxos against Raft under the same conditions (chapter 5's table): messages per decision,
// decision latency, and how long a leader crash stalls progress.

import { describe, expect, it } from "vitest";

import { consensusFailoverRun } from "../../src/consensus/compare.js";

describe("consensusFailoverRun", () => {
  it("Raft spends fewer messages per decision than Multi-Paxos, whose acceptors tell every learner", () => {
    const multi = consensusFailoverRun("multi-paxos", 1);
    const raft = consensusFailoverRun("raft", 1);
    expect(raft.perDecision).toBeLessThan(multi.perDecision);
  });

  it("over seeds 1-5 the means are chapter 5's: 23.9 and 8.8 messages, 370 and 394 ms to a new leader", () => {
    const seeds = [1, 2, 3, 4, 5];
    const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
    const multi = seeds.map((seed) => consensusFailoverRun("multi-paxos", seed));
    const raft = seeds.map((seed) => consensusFailoverRun("raft", seed));
    expect(mean(multi.map((run) => run.perDecision))).toBeCloseTo(23.9, 1);
    expect(mean(raft.map((run) => run.perDecision))).toBeCloseTo(8.8, 1);
    expect(mean(multi.map((run) => run.electedMs))).toBeCloseTo(370.4, 1);
    expect(mean(raft.map((run) => run.electedMs))).toBeCloseTo(394, 1);
  });

  it("the next decision follows the new leader: decided after elected, for both protocols", () => {
    for (const protocol of ["multi-paxos", "raft"] as const) {
      for (const seed of [1, 2, 3]) {
        const run = consensusFailoverRun(protocol, seed);
        expect(run.decidedMs, `${protocol} seed ${seed}`).toBeGreaterThanOrEqual(run.electedMs);
        expect(run.electedMs, `${protocol} seed ${seed}`).toBeGreaterThan(0);
      }
    }
  });

  it("names a bad protocol or seed", () => {
    expect(() => consensusFailoverRun("zab" as never, 1)).toThrow(
      /protocol.*"multi-paxos" or "raft"/,
    );
    expect(() => consensusFailoverRun("raft", -1)).toThrow(/seed/);
  });
});
