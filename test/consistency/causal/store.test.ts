// The causal store: local writes applied at once, remote writes buffered until their dependencies
// are applied, concurrent writes kept as siblings, session tokens waited for with a bound.
// Reference: Ahamad et al. 1995 (causal memory); Lloyd et al. 2011 (COPS); DeCandia et al. 2007
// (Dynamo siblings and contexts); Terry et al. 1994 (session guarantees).

import { describe, expect, it } from "vitest";
import {
  CausalCluster,
  causalComparisonStore,
  causalMessageLabel,
  consistencyComparison,
} from "../../../src/index.js";

const fixed = { latency: { kind: "fixed" as const, ms: 5 } };

describe("causal store: writes and replication", () => {
  it("applies a client's write at its replica at once and replicates it asynchronously", () => {
    const cluster = new CausalCluster({ seed: 1, network: fixed });
    cluster.put("alice", "x", "1");
    cluster.runFor(6); // the request arrived at A (5 ms), replication is on the wire
    expect(cluster.siblings("A", "x")).toEqual(["1"]);
    expect(cluster.siblings("B", "x")).toEqual([]);
    cluster.runFor(10);
    expect(cluster.siblings("B", "x")).toEqual(["1"]);
    expect(cluster.history[0]).toMatchObject({
      session: "alice",
      kind: "write",
      status: "ok",
      call: 0,
      return: 10,
    });
  });

  it("buffers a remote write until its dependencies are applied (causal delivery)", () => {
    const cluster = new CausalCluster({ seed: 1, network: fixed, antiEntropyIntervalMs: 0 });
    cluster.sim.configureLink("A", "C", { latency: { kind: "fixed", ms: 100 } });
    cluster.put("alice", "post", "p");
    cluster.at(20, () => {
      cluster.get("bob", "post");
      cluster.put("bob", "reply", "r");
    });
    cluster.runFor(60);
    expect(cluster.summary("C")).toMatchObject({ bufferedCount: 1, keys: {} });
    cluster.runFor(60);
    expect(cluster.summary("C")).toMatchObject({
      bufferedCount: 0,
      keys: { post: ["p"], reply: ["r"] },
    });
  });

  it("with the break switch, applies the reply before the post", () => {
    const cluster = new CausalCluster({
      seed: 1,
      network: fixed,
      antiEntropyIntervalMs: 0,
      causalDelivery: false,
    });
    cluster.sim.configureLink("A", "C", { latency: { kind: "fixed", ms: 100 } });
    cluster.put("alice", "post", "p");
    cluster.at(20, () => {
      cluster.get("bob", "post");
      cluster.put("bob", "reply", "r");
    });
    cluster.runFor(60);
    expect(cluster.summary("C").keys).toEqual({ reply: ["r"] });
  });

  it("keeps concurrent writes as siblings, and a write with their context supersedes both", () => {
    const cluster = new CausalCluster({ seed: 2, network: fixed });
    cluster.put("alice", "cart", "milk");
    cluster.put("bob", "cart", "eggs");
    cluster.runFor(50);
    expect(cluster.siblings("C", "cart")).toEqual(["eggs", "milk"]);
    cluster.get("carol", "cart");
    cluster.runUntilIdle();
    expect(cluster.token("carol")).toEqual({ alice: 1, bob: 1 });
    cluster.put("carol", "cart", "eggs, milk");
    cluster.runFor(50);
    for (const replica of cluster.replicas)
      expect(cluster.siblings(replica, "cart")).toEqual(["eggs, milk"]);
  });

  it("a blind write does not supersede a version its session never saw", () => {
    const cluster = new CausalCluster({ seed: 2, network: fixed });
    cluster.put("alice", "x", "a1");
    cluster.put("bob", "x", "b1"); // bob never read x: a1 is not in b1's causal past
    cluster.runFor(50);
    expect(cluster.siblings("A", "x")).toEqual(["a1", "b1"]);
  });

  it('"higher value wins" (the seed notes\' rule) keeps one of two concurrent writes', () => {
    const cluster = new CausalCluster({ seed: 2, network: fixed, conflicts: "higherValueWins" });
    cluster.put("alice", "cart", "milk");
    cluster.put("bob", "cart", "eggs");
    cluster.runFor(50);
    for (const replica of cluster.replicas)
      expect(cluster.siblings(replica, "cart")).toEqual(["milk"]);
  });

  it("repairs a lost replication message by anti-entropy", () => {
    const cluster = new CausalCluster({ seed: 5, network: fixed, antiEntropyIntervalMs: 20 });
    cluster.sim.partition([
      ["A", "alice"],
      ["B", "C", "bob", "carol"],
    ]);
    cluster.put("alice", "x", "1");
    cluster.runFor(30);
    expect(cluster.siblings("B", "x")).toEqual([]);
    cluster.converge();
    expect(cluster.siblings("B", "x")).toEqual(["1"]);
    expect(cluster.converged()).toBe(true);
  });

  it("acknowledges a duplicated write once per request and applies it once", () => {
    const cluster = new CausalCluster({
      seed: 9,
      network: { ...fixed, duplicateProbability: 1 },
    });
    cluster.put("alice", "x", "1");
    cluster.put("alice", "x", "2");
    cluster.runUntilIdle();
    cluster.converge();
    expect(cluster.history.map((op) => op.status)).toEqual(["ok", "ok"]);
    for (const replica of cluster.replicas) expect(cluster.siblings(replica, "x")).toEqual(["2"]);
  });
});

describe("causal store: session tokens", () => {
  it("a replica waits for the token, then answers (read your writes on another replica)", () => {
    const cluster = new CausalCluster({
      seed: 1,
      network: fixed,
      clients: ["alice"],
      antiEntropyIntervalMs: 0,
    });
    cluster.sim.configureLink("A", "B", { latency: { kind: "fixed", ms: 200 } });
    cluster.put("alice", "x", "1");
    cluster.get("alice", "x", { replica: "B" });
    cluster.runUntilIdle();
    expect(cluster.history[1]).toMatchObject({ replica: "B", values: ["1"], status: "ok" });
    expect(cluster.history[1]?.return).toBeGreaterThan(200);
  });

  it("refuses after the wait bound with an error naming the replica and the missing entries", () => {
    const cluster = new CausalCluster({
      seed: 1,
      network: fixed,
      clients: ["alice"],
      attemptsMax: 1,
      antiEntropyIntervalMs: 0,
    });
    cluster.sim.partitionOneWay(["A", "C"], ["B"]);
    cluster.put("alice", "x", "1");
    cluster.get("alice", "x", { replica: "B" });
    cluster.runUntilIdle();
    expect(cluster.history[1]).toMatchObject({
      status: "error",
      error: "replica B has not applied the session token after 300 ms: missing alice:1 (has 0)",
    });
  });

  it("without tokens, the other replica answers at once with a stale read", () => {
    const cluster = new CausalCluster({
      seed: 1,
      network: fixed,
      clients: ["alice"],
      sessionGuarantees: false,
    });
    cluster.sim.configureLink("A", "B", { latency: { kind: "fixed", ms: 200 } });
    cluster.put("alice", "x", "1");
    cluster.get("alice", "x", { replica: "B" });
    cluster.runUntilIdle();
    expect(cluster.history[1]).toMatchObject({ replica: "B", values: [], status: "ok" });
  });

  it("retries on the next replica when the first does not answer", () => {
    const cluster = new CausalCluster({ seed: 1, network: fixed, clients: ["alice"] });
    cluster.sim.isolate("A");
    cluster.put("alice", "x", "1");
    cluster.runUntilIdle();
    expect(cluster.history[0]).toMatchObject({ status: "ok", replica: "B", call: 0 });
    expect(cluster.history[0]?.return).toBeGreaterThan(500);
  });
});

describe("causal store: options and labels", () => {
  it("rejects bad options, naming them", () => {
    expect(() => new CausalCluster({ seed: -1 })).toThrow(
      "seed must be an integer in [0, 4294967295], got -1",
    );
    expect(() => new CausalCluster({ seed: 1, conflicts: "lww" as never })).toThrow(
      /conflicts must be/,
    );
    expect(() => new CausalCluster({ seed: 1, sessionWaitMsMax: 600 })).toThrow(
      /requestTimeoutMs must be more than sessionWaitMsMax \(600 ms\)/,
    );
    expect(() => new CausalCluster({ seed: 1, replicas: ["A", "A"] })).toThrow(/distinct/);
    expect(() => new CausalCluster({ seed: 1, colour: 1 } as never)).toThrow(
      /unknown option "colour"/,
    );
    const cluster = new CausalCluster({ seed: 1 });
    expect(() => cluster.put("zoe", "x", "1")).toThrow(/client must be one of alice, bob, carol/);
    expect(() => cluster.get("alice", "x", { replica: "Z" })).toThrow(
      /replica must be one of A, B, C/,
    );
  });

  it("labels messages for diagrams", () => {
    expect(
      causalMessageLabel({
        type: "replicate",
        write: { key: "post", value: "p", session: "alice", seq: 1, deps: {} },
      } as never),
    ).toBe("replicate alice:1 post");
    expect(
      causalMessageLabel({ type: "getOk", requestId: 1, values: ["a", "b"], context: {} } as never),
    ).toBe('{"a", "b"}');
  });
});

describe("the causal store as a row of the comparison table", () => {
  it("answers every operation, on both sides of the partition", () => {
    const [row] = consistencyComparison({
      seed: 1,
      durationMs: 1500,
      partition: { startMs: 500, endMs: 1000, minority: ["r1", "r2", "c1", "c2"] },
      stores: [causalComparisonStore()],
    });
    expect(row?.store).toBe("causal (with tokens)");
    expect(row?.errorCount).toBe(0);
    expect(row?.okCount).toBe(row?.history.length);
    expect(row?.availabilityUnderPartition).toBe(1);
  });

  it("rejects a bad size, naming it", () => {
    expect(() => causalComparisonStore({ replicasCount: 0 })).toThrow(
      "replicasCount must be an integer >= 1, got 0",
    );
  });
});
