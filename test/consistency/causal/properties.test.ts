// Laws of the causal store under a faulty network (loss, duplication, reordering, partitions):
// its histories are causally consistent, keep the session guarantees with tokens, and its replicas
// converge to the same siblings after heal. Reference: Ahamad et al. 1995; Lloyd et al. 2011 (COPS,
// causal+ = causal consistency with convergent conflict handling); Terry et al. 1994.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CausalCluster,
  checkCausalConsistency,
  checkSessionGuarantees,
  runReplyBeforePostScenario,
} from "../../../src/index.js";
import { assertProperty } from "../../support/property.js";

interface FuzzCase {
  readonly seed: number;
  readonly dropProbability: number;
  readonly duplicateProbability: number;
  readonly reorder: boolean;
  readonly ops: readonly {
    client: number;
    write: boolean;
    key: number;
    replica: number;
    atMs: number;
  }[];
  readonly partitions: readonly { atMs: number; durationMs: number; side: readonly boolean[] }[];
}

const fuzzCase: fc.Arbitrary<FuzzCase> = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  dropProbability: fc.double({ min: 0, max: 0.2, noNaN: true }),
  duplicateProbability: fc.double({ min: 0, max: 0.1, noNaN: true }),
  reorder: fc.boolean(),
  ops: fc.array(
    fc.record({
      client: fc.integer({ min: 0, max: 2 }),
      write: fc.boolean(),
      key: fc.integer({ min: 0, max: 2 }),
      replica: fc.integer({ min: 0, max: 2 }),
      atMs: fc.integer({ min: 0, max: 500 }),
    }),
    { minLength: 10, maxLength: 60 },
  ),
  partitions: fc.array(
    fc.record({
      atMs: fc.integer({ min: 0, max: 500 }),
      durationMs: fc.integer({ min: 50, max: 1000 }),
      side: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    }),
    { maxLength: 3 },
  ),
});

/** Runs a fuzz case: clients switch replicas at random; partitions come and go; then heal. */
function run(c: FuzzCase, sessionGuarantees: boolean, causalDelivery = true): CausalCluster {
  const cluster = new CausalCluster({
    seed: c.seed,
    sessionGuarantees,
    causalDelivery,
    network: {
      latency: { kind: "uniform", minMs: 1, maxMs: 20 },
      dropProbability: c.dropProbability,
      duplicateProbability: c.duplicateProbability,
      reorder: c.reorder,
    },
    attemptsMax: 20,
  });
  const nodes = [...cluster.replicas, ...cluster.clients];
  for (const p of c.partitions) {
    const left = nodes.filter((_, i) => p.side[i] === true);
    const right = nodes.filter((_, i) => p.side[i] !== true);
    if (left.length === 0 || right.length === 0) continue;
    cluster.at(p.atMs, () => cluster.sim.partition([left, right]));
    cluster.at(p.atMs + p.durationMs, () => cluster.sim.heal());
  }
  c.ops.forEach((op, i) => {
    const client = cluster.clients[op.client] as string;
    const options = { replica: cluster.replicas[op.replica] as string };
    cluster.at(op.atMs, () => {
      if (op.write) cluster.put(client, `k${op.key}`, `${client}.${i}`, options);
      else cluster.get(client, `k${op.key}`, options);
    });
  });
  cluster.runFor(500);
  cluster.runUntilIdle(300_000);
  cluster.converge(300_000);
  return cluster;
}

describe("causal store under faults (property tests)", () => {
  it("histories pass the causal checker, and replicas converge to the same siblings after heal", () => {
    assertProperty(
      fc.property(fuzzCase, (c) => {
        const cluster = run(c, true);
        expect(String(checkCausalConsistency(cluster.history))).toMatch(/: ok$/);
        const first = cluster.summary("A");
        for (const replica of cluster.replicas) {
          const summary = cluster.summary(replica);
          expect(summary.bufferedCount).toBe(0);
          expect(summary.keys).toEqual(first.keys);
          expect(summary.applied).toEqual(first.applied);
        }
        // Every acknowledged write is applied everywhere (as a sibling, or superseded by one).
        for (const session of cluster.clients) {
          const acked = cluster.history.filter(
            (op) => op.session === session && op.kind === "write" && op.status === "ok",
          ).length;
          expect(first.applied[session] ?? 0).toBeGreaterThanOrEqual(acked);
        }
      }),
      { numRuns: 40 },
    );
  });

  it("with tokens, no read-your-writes or monotonic-reads violation across seeds", () => {
    assertProperty(
      fc.property(fuzzCase, (c) => {
        const cluster = run(c, true);
        const broken = checkSessionGuarantees(cluster.history).violations.filter(
          (v) => v.guarantee === "read-your-writes" || v.guarantee === "monotonic-reads",
        );
        expect(broken.map((v) => v.message)).toEqual([]);
        expect(checkSessionGuarantees(cluster.history).ok).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it("without tokens, a session-guarantee violation is always a causal violation too", () => {
    assertProperty(
      fc.property(fuzzCase, (c) => {
        const cluster = run(c, false);
        const sessions = checkSessionGuarantees(cluster.history);
        const causal = checkCausalConsistency(cluster.history);
        if (!sessions.ok) expect(causal.ok).toBe(false);
      }),
      { numRuns: 40 },
    );
  });

  it("with the break switch on, the checker catches the reply shown before its post, for any seed", () => {
    assertProperty(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (seed) => {
        const broken = runReplyBeforePostScenario({ causalDelivery: false, seed });
        expect(broken.causal.violations.map((v) => v.pattern)).toEqual(["write-co-init-read"]);
        const fixed = runReplyBeforePostScenario({ causalDelivery: true, seed });
        expect(fixed.causal.ok).toBe(true);
      }),
      { numRuns: 20 },
    );
  });
});
