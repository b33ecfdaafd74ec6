// The Dynamo-style store: preference lists on a consistent hash ring, N/R/W quorums, siblings by
// version vectors, read repair, sloppy quorum and hinted handoff.
// Reference: DeCandia et al., "Dynamo: Amazon's Highly Available Key-value Store", SOSP 2007,
// §4.2 (partitioning), §4.3 (replication), §4.4 (data versioning), §4.5 (get and put), §4.6
// (sloppy quorum, hinted handoff).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { VersionVector } from "../../../src/clocks/index.js";
import { ConsistentHashRing } from "../../../src/hashing/index.js";
import {
  type DynamoHint,
  DynamoCluster,
  runReplicaWorkload,
  sloppyQuorumScenario,
  staleReads,
} from "../../../src/consistency/replication/index.js";
import { assertProperty } from "../../support/property.js";
import { crashWindow, expectRangeError, faultyNetwork } from "./support.js";

describe("§4.2-4.3 the preference list comes from the consistent hash ring", () => {
  it("is the ring's clockwise walk from the key; the first N nodes own the key", () => {
    const store = new DynamoCluster({ seed: 1 });
    const ring = new ConsistentHashRing({ nodes: ["r1", "r2", "r3", "r4", "r5"], vnodes: 32 });
    for (const key of ["x", "y", "user:42"]) {
      expect(store.preferenceList(key)).toEqual(ring.getNodes(key, 5));
    }
  });

  it("a completed write is held by at least W owners", () => {
    const store = new DynamoCluster({ seed: 3, n: 3, w: 2 });
    store.invoke("c1", { kind: "write", key: "x", value: "a" });
    store.runFor(100);
    const owners = store.preferenceList("x").slice(0, 3);
    const holders = owners.filter((id) => store.versionsAt(id, "x").length > 0);
    expect(holders.length).toBeGreaterThanOrEqual(2);
  });
});

describe("§4.4 versions: concurrent writes are kept as siblings", () => {
  it("two blind concurrent writes come back as two siblings", () => {
    const store = new DynamoCluster({ seed: 1 });
    store.invoke("c1", { kind: "write", key: "x", value: "a" });
    store.invoke("c2", { kind: "write", key: "x", value: "b" });
    store.runFor(100);
    store.invoke("c3", { kind: "read", key: "x" });
    store.runFor(100);
    expect(store.history[2]?.output).toEqual({ kind: "ok", values: ["a", "b"] });
  });

  it("a write with the context of a read that saw both siblings replaces them", () => {
    const store = new DynamoCluster({ seed: 1 });
    store.invoke("c1", { kind: "write", key: "x", value: "a" });
    store.invoke("c2", { kind: "write", key: "x", value: "b" });
    store.runFor(100);
    store.invoke("c3", { kind: "read", key: "x" });
    store.runFor(100);
    store.invoke("c3", { kind: "write", key: "x", value: "merged" });
    store.runFor(100);
    store.invoke("c1", { kind: "read", key: "x" });
    store.runFor(100);
    expect(store.history[4]?.output).toEqual({ kind: "ok", values: ["merged"] });
  });
});

describe("§4.5 read repair", () => {
  it("an owner that missed a write gets it back through a later read", () => {
    const store = new DynamoCluster({ seed: 4, n: 3, r: 2, w: 2 });
    const [, , third] = store.preferenceList("x") as [string, string, string];
    store.sim.isolate(third);
    const writer = store.clientIds.find((c) => store.homeOf(c) !== third) as string;
    store.invoke(writer, { kind: "write", key: "x", value: "a" });
    store.runFor(300);
    expect(store.versionsAt(third, "x")).toEqual([]);
    store.heal();
    store.invoke(writer, { kind: "read", key: "x" });
    store.runFor(100);
    expect(store.versionsAt(third, "x").map((v) => v.value)).toEqual(["a"]);
  });
});

describe("R + W > N with strict quorums: every read sees the latest completed write", () => {
  it("no successful read returns a version older than a write completed before it was called", () => {
    assertProperty(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.constantFrom([3, 2, 2], [3, 1, 3], [3, 3, 1], [5, 3, 3], [1, 1, 1]),
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        fc.boolean(),
        fc.integer({ min: 0, max: 1500 }),
        (seed, [n, r, w], drop, longTail, crashAtMs) => {
          const store = new DynamoCluster({
            seed,
            replicasCount: 5,
            n: n as number,
            r: r as number,
            w: w as number,
            network: {
              ...faultyNetwork(drop, 0.1, true),
              ...(longTail ? { latency: { kind: "longTail", medianMs: 3, p99Ms: 100 } } : {}),
            },
            traceEventsMax: 0,
          });
          expect(store.quorumsIntersect).toBe(true);
          crashWindow(store.sim, ["r5"], crashAtMs, 300);
          const result = runReplicaWorkload(store, { seed, keysCount: 3, durationMs: 2500 });
          expect(staleReads(result.history).staleReadsCount).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("R + W <= N: stale reads are observed", () => {
  it("with N=3, R=W=1 on a long-tail network, some reads miss a completed write (counted)", () => {
    const run = (r: number, w: number) =>
      runReplicaWorkload(
        new DynamoCluster({
          seed: 1,
          n: 3,
          r,
          w,
          network: { latency: { kind: "longTail", medianMs: 2, p99Ms: 40 } },
          traceEventsMax: 0,
        }),
        { partition: null },
      );
    const weak = run(1, 1);
    expect(weak.staleReadsCount).toBe(5);
    expect(weak.versionsBehindMax).toBe(1);
    expect(run(2, 2).staleReadsCount).toBe(0);
  });
});

describe("§4.6 sloppy quorum and hinted handoff", () => {
  it("under a partition the sloppy write succeeds and a read on the other side is stale", () => {
    const run = sloppyQuorumScenario();
    expect(run.partitionedWrite.output).toEqual({ kind: "ok", values: [] });
    expect(run.readDuringPartition.output).toEqual({ kind: "ok", values: ["v1"] });
    expect(run.readDuringPartition.call).toBeGreaterThan(run.partitionedWrite.return);
    expect(staleReads(run.history).staleReadsCount).toBe(1);
  });

  it("after heal the hint is handed off: the owner holds the write and the hint is gone", () => {
    const run = sloppyQuorumScenario();
    expect(run.hintsAtHeal).toBe(1);
    expect(run.secondOwnerAtHeal.map((v) => v.value)).toEqual(["v1"]);
    expect(run.secondOwnerAtEnd.map((v) => v.value)).toEqual(["v2"]);
    expect(run.hintsAtEnd).toBe(0);
    expect(run.readAfterHeal.output).toEqual({ kind: "ok", values: ["v2"] });
  });

  it("with a strict quorum the same partitioned write fails with no quorum", () => {
    const run = sloppyQuorumScenario({ sloppy: false });
    expect(run.partitionedWrite.output).toEqual({
      kind: "error",
      reason: 'no quorum: write of "x" needs W=2 acks, got 1 within 200 ms',
    });
    expect(run.hintsAtHeal).toBe(0);
  });

  it("hinted handoff eventually delivers every hint after heal, and owners hold what it carried", () => {
    assertProperty(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        (seed, drop) => {
          const store = new DynamoCluster({
            seed,
            sloppy: true,
            network: faultyNetwork(drop, 0.1, true),
            traceEventsMax: 0,
          });
          const hints: DynamoHint[] = [];
          // Snapshot every hint just before the workload's heal at 2000 ms.
          store.at(1999, () => store.replicaIds.forEach((id) => hints.push(...store.hintsAt(id))));
          runReplicaWorkload(store, { seed, keysCount: 5, durationMs: 2500, settleMs: 0 });
          store.sim.runUntil(() => store.hintsPending() === 0, { timeMsMax: 30_000 });
          for (const hint of hints) {
            const held = store
              .versionsAt(hint.owner, hint.key)
              .map((v) => VersionVector.fromJSON(v.version));
            for (const carried of hint.versions) {
              const version = VersionVector.fromJSON(carried.version);
              expect(held.some((h) => h.dominates(version))).toBe(true);
            }
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe("options", () => {
  it("rejects N, R, W and replica counts out of range, naming the value", () => {
    expectRangeError(
      () => new DynamoCluster({ seed: 1, replicasCount: 3, n: 4 }),
      "options.n (replicas per key, <= replicasCount 3) must be an integer in [1, 3], got 4",
    );
    expectRangeError(
      () => new DynamoCluster({ seed: 1, n: 3, r: 4 }),
      "options.r (read quorum, <= n 3) must be an integer in [1, 3], got 4",
    );
    expectRangeError(
      () => new DynamoCluster({ seed: 1, n: 3, w: 0 }),
      "options.w (write quorum, <= n 3) must be an integer in [1, 3], got 0",
    );
    expectRangeError(
      () => new DynamoCluster({ seed: 1, replicasCount: 16 }),
      "options.replicasCount must be an integer in [1, 15], got 16",
    );
    expectRangeError(
      () => new DynamoCluster({ seed: 1 }).versionsAt("n1", "x"),
      'replicaId must be one of r1, r2, r3, r4, r5, got "n1"',
    );
  });
});
