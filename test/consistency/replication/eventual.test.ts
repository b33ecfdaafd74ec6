// Eventual consistency: asynchronous replication, last-writer-wins by (Lamport timestamp, replica),
// and anti-entropy by Merkle comparison that makes replicas converge after a partition heals.
// Reference: Demers et al., PODC 1987 (anti-entropy); DeCandia et al., Dynamo, SOSP 2007, §4.7.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  EventualCluster,
  antiEntropyExperiment,
  lwwWins,
  runReplicaWorkload,
} from "../../../src/consistency/replication/index.js";
import { assertProperty } from "../../support/property.js";
import { expectRangeError, faultyNetwork } from "./support.js";

describe("asynchronous replication: answer first, replicate after", () => {
  it("a write is answered by its home replica and pushed to the others", () => {
    const store = new EventualCluster({ seed: 1, antiEntropy: "off" });
    store.invoke("c1", { kind: "write", key: "x", value: "a" });
    store.runFor(50);
    expect(store.history[0]?.output).toEqual({ kind: "ok", values: [] });
    for (const id of store.replicaIds) expect(store.valuesAt(id).get("x")).toBe("a");
  });

  it("a read on another replica before the push arrives is stale", () => {
    const store = new EventualCluster({
      seed: 1,
      antiEntropy: "off",
      network: { latency: { kind: "fixed", ms: 5 } },
    });
    store.sim.configureLink("r1", "r2", { latency: { kind: "fixed", ms: 100 } });
    store.invoke("c1", { kind: "write", key: "x", value: "a" });
    store.runFor(20);
    store.invoke("c2", { kind: "read", key: "x" });
    store.runFor(20);
    expect(store.history[1]?.output).toEqual({ kind: "ok", values: [] });
  });

  it("without anti-entropy, a push lost in a partition is never repaired", () => {
    const store = new EventualCluster({ seed: 1, antiEntropy: "off" });
    store.partition([["r1", "c1"]]);
    store.invoke("c1", { kind: "write", key: "x", value: "a" });
    store.runFor(50);
    store.heal();
    store.runFor(2000);
    expect(store.converged()).toBe(false);
    expect(store.valuesAt("r2").has("x")).toBe(false);
  });
});

describe("last writer wins loses one of two concurrent writes", () => {
  it("after heal every replica keeps the same single value: the other write is gone", () => {
    const store = new EventualCluster({ seed: 2 });
    store.partition([
      ["r1", "c1"],
      ["r2", "c2"],
    ]);
    store.invoke("c1", { kind: "write", key: "x", value: "from-c1" });
    store.invoke("c2", { kind: "write", key: "x", value: "from-c2" });
    store.runFor(50);
    store.heal();
    store.runFor(1000);
    expect(store.converged()).toBe(true);
    const values = store.replicaIds.map((id) => store.valuesAt(id).get("x"));
    expect(new Set(values).size).toBe(1);
    // Both had Lamport timestamp 1: the replica id broke the tie.
    expect(values[0]).toBe("from-c2");
  });

  it("a write that has seen another wins over it (Lamport timestamps)", () => {
    expect(
      lwwWins(
        { key: "x", value: "b", ts: 2, replica: "r1" },
        { key: "x", value: "a", ts: 1, replica: "r9" },
      ),
    ).toBe(true);
    expect(
      lwwWins(
        { key: "x", value: "b", ts: 1, replica: "r1" },
        { key: "x", value: "a", ts: 1, replica: "r2" },
      ),
    ).toBe(false);
  });
});

describe("§4.7 anti-entropy converges after heal", () => {
  it("all replicas hold the same entries after heal, across seeds, loss and partitions", () => {
    assertProperty(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        fc.constantFrom<"merkle" | "full">("merkle", "full"),
        fc.integer({ min: 0, max: 6 }),
        (seed, drop, mode, merkleDepth) => {
          const store = new EventualCluster({
            seed,
            replicasCount: 5,
            clientsCount: 4,
            antiEntropy: mode,
            merkleDepth,
            network: faultyNetwork(drop, 0.1, true),
            traceEventsMax: 0,
          });
          // Clients write until 1500 ms, across the partition of r1, r2 from 1000 to 2000 ms.
          runReplicaWorkload(store, { seed, keysCount: 20, durationMs: 1500, settleMs: 501 });
          expect(store.sim.connected("r1", "r3")).toBe(true); // healed
          store.sim.runUntil(() => store.converged(), { timeMsMax: 30_000 });
          const reference = store.entriesAt("r1");
          for (const id of store.replicaIds) expect(store.entriesAt(id)).toEqual(reference);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("Merkle anti-entropy sends far fewer bytes than sending everything", () => {
    const { merkle, full } = antiEntropyExperiment({ keysCount: 1000, divergentWritesCount: 10 });
    expect(merkle.bytesCount * 5).toBeLessThan(full.bytesCount);
    expect(merkle.inSyncBytesPerSecond * 100).toBeLessThan(full.inSyncBytesPerSecond);
    expect(merkle.convergenceMs).toBeGreaterThan(0);
  });
});

describe("options", () => {
  it("rejects bad options, naming the value", () => {
    expectRangeError(
      () => new EventualCluster({ seed: 1, antiEntropy: "gossip" as never }),
      'options.antiEntropy must be "merkle", "full" or "off", got "gossip"',
    );
    expectRangeError(
      () => new EventualCluster({ seed: 1, merkleDepth: 30 }),
      "options.merkleDepth must be an integer in [0, 20], got 30",
    );
    expectRangeError(
      () => new EventualCluster({ seed: 1 }).valuesAt("r9"),
      'replicaId must be one of r1, r2, r3, got "r9"',
    );
  });
});
