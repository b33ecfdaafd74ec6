// The measured comparison of the chapter: the same workload and partition against each store.
// Staleness follows Bailis et al., "Probabilistically Bounded Staleness", VLDB 2012 (k-staleness);
// the linearizable column is the checker's verdict (Herlihy and Wing 1990).

import { describe, expect, it } from "vitest";
import {
  type ComparisonStore,
  EventualCluster,
  type ReplicaOperation,
  consistencyComparison,
  defaultComparisonStores,
  runReplicaWorkload,
  staleReads,
  toKvHistory,
} from "../../../src/consistency/replication/index.js";
import { expectRangeError } from "./support.js";

const ok = { kind: "ok", values: [] } as const;

function write(clientId: number, value: string, call: number, ret: number): ReplicaOperation {
  return { clientId, input: { kind: "write", key: "x", value }, call, output: ok, return: ret };
}

function read(clientId: number, values: string[], call: number, ret: number): ReplicaOperation {
  return {
    clientId,
    input: { kind: "read", key: "x" },
    call,
    output: { kind: "ok", values },
    return: ret,
  };
}

describe("stale reads: versions behind the writes completed before the read", () => {
  it("counts the writes that started after the returned one and finished before the read", () => {
    const history = [
      write(0, "a", 0, 5),
      write(0, "b", 6, 9),
      write(1, "c", 10, 12),
      read(2, ["a"], 20, 22),
    ];
    const report = staleReads(history);
    expect(report.staleReadsCount).toBe(1);
    expect(report.versionsBehindMax).toBe(2);
  });

  it("a read concurrent with the newer write is not stale", () => {
    const history = [write(0, "a", 0, 5), write(0, "b", 6, 30), read(1, ["a"], 20, 22)];
    expect(staleReads(history).staleReadsCount).toBe(0);
  });

  it("a read of nothing after a completed write is stale; siblings count as fresh if one is", () => {
    expect(staleReads([write(0, "a", 0, 5), read(1, [], 6, 8)]).versionsBehindMax).toBe(1);
    const siblings = [write(0, "a", 0, 5), write(1, "b", 6, 9), read(2, ["a", "b"], 10, 12)];
    expect(staleReads(siblings).staleReadsCount).toBe(0);
  });

  it("the checker's view: failed writes stay pending, failed reads are dropped", () => {
    const failed = { kind: "error", reason: "timeout" } as const;
    const history: ReplicaOperation[] = [
      { ...write(0, "a", 0, 5), output: failed },
      { ...read(1, [], 1, 2), output: failed },
      read(1, ["b", "a"], 3, 4),
    ];
    expect(toKvHistory(history)).toEqual([
      {
        clientId: 0,
        input: { op: "put", key: "x", value: "a" },
        call: 0,
        output: { status: "unknown" },
        return: Infinity,
      },
      {
        clientId: 1,
        input: { op: "get", key: "x" },
        call: 3,
        output: { status: "ok", value: "a|b" },
        return: 4,
      },
    ]);
  });
});

describe("the comparison table: one workload, one partition window, five stores", () => {
  const rows = consistencyComparison({ seed: 1 });
  const row = (prefix: string) => rows.find((r) => r.store.startsWith(prefix))!;

  it("has one row per store, in order", () => {
    expect(rows.map((r) => r.store)).toEqual(defaultComparisonStores().map((s) => s.name));
  });

  it("ABD is linearizable, never stale, and unavailable on the minority side", () => {
    const abd = row("ABD");
    expect(abd.linearizable).toBe("ok");
    expect(abd.staleReadsCount).toBe(0);
    expect(abd.availabilityUnderPartition).toBe(0);
  });

  it("strict Dynamo with R + W > N is never stale but only partly available on the minority side", () => {
    const strict = row("Dynamo N=3 R=2 W=2");
    expect(strict.staleReadsCount).toBe(0);
    expect(strict.availabilityUnderPartition).toBeGreaterThan(0);
    expect(strict.availabilityUnderPartition).toBeLessThan(1);
  });

  it("R + W <= N, sloppy quorum and eventual stay available and serve stale reads", () => {
    for (const prefix of ["Dynamo N=3 R=1 W=1", "Dynamo N=3 R=2 W=2 sloppy", "eventual"]) {
      const r = row(prefix);
      expect(r.availabilityUnderPartition).toBe(1);
      expect(r.staleReadsCount).toBeGreaterThan(0);
      expect(r.versionsBehindMax).toBeGreaterThan(0);
      expect(r.linearizable).toBe("illegal");
    }
  });

  it("eventual answers fastest and with the fewest messages per operation", () => {
    const eventual = row("eventual");
    for (const r of rows) {
      expect(eventual.latencyMsMean).toBeLessThanOrEqual(r.latencyMsMean);
      expect(eventual.messagesPerOperation).toBeLessThanOrEqual(r.messagesPerOperation);
    }
  });

  it("takes extra stores as rows (the causal store's way in)", () => {
    const extra: ComparisonStore = {
      name: "eventual, no anti-entropy",
      build: (seed) =>
        new EventualCluster({ seed, replicasCount: 5, clientsCount: 4, antiEntropy: "off" }),
    };
    const [only] = consistencyComparison({ seed: 1, stores: [extra], partition: null });
    expect(only?.store).toBe("eventual, no anti-entropy");
    expect(only?.availabilityUnderPartition).toBe(1);
  });

  it("rejects bad workload options, naming the value", () => {
    const store = new EventualCluster({ seed: 1 });
    expectRangeError(
      () => runReplicaWorkload(store, { readFraction: 2 }),
      "options.readFraction must be a number in [0, 1], got 2",
    );
    expectRangeError(
      () => runReplicaWorkload(store, { partition: { startMs: 0, endMs: 10, minority: ["r9"] } }),
      'partition.minority must be node ids of the cluster, got "r9"',
    );
    expectRangeError(
      () => consistencyComparison({ stores: [] }),
      "options.stores must be a non-empty array of { name, build }, got []",
    );
  });
});
