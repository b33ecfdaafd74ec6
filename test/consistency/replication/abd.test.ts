// ABD: a linearizable register from majority quorums, with the read's write-back; without it, the
// new/old inversion. Reference: Attiya, Bar-Noy and Dolev, JACM 1995 (multi-writer form with
// (timestamp, writerId) tags, as in Lynch and Shvartsman 1997).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AbdCluster,
  abdInversionScenario,
  checkReplicaHistory,
  compareAbdTags,
  type ReplicaOperation,
  runReplicaWorkload,
} from "../../../src/consistency/replication/index.js";
import { assertProperty } from "../../support/property.js";
import { crashWindow, expectRangeError, faultyNetwork, precedes } from "./support.js";

describe("ABD: reads and writes through majorities", () => {
  it("a read after a completed write returns the written value", () => {
    const abd = new AbdCluster({ seed: 1 });
    abd.invoke("c1", { kind: "write", key: "x", value: "1" });
    abd.runFor(100);
    abd.invoke("c2", { kind: "read", key: "x" });
    abd.runFor(100);
    expect(abd.history.map((op) => op.output)).toEqual([
      { kind: "ok", values: [] },
      { kind: "ok", values: ["1"] },
    ]);
  });

  it("a read of a key never written returns no value", () => {
    const abd = new AbdCluster({ seed: 1 });
    abd.invoke("c1", { kind: "read", key: "nothing" });
    abd.runFor(100);
    expect(abd.history[0]?.output).toEqual({ kind: "ok", values: [] });
  });

  it("a write stores (highest timestamp + 1, writer) at a majority", () => {
    const abd = new AbdCluster({ seed: 2, replicasCount: 5 });
    abd.invoke("c1", { kind: "write", key: "x", value: "a" });
    abd.runFor(100);
    abd.invoke("c2", { kind: "write", key: "x", value: "b" });
    abd.runFor(100);
    const tags = abd.replicaIds.map((id) => abd.registerAt(id, "x").tag);
    const holders = tags.filter((tag) => tag.ts === 2 && tag.writer === "c2");
    expect(holders.length).toBeGreaterThanOrEqual(3);
    expect(abd.tagOf(abd.history[1]!)).toEqual({ ts: 2, writer: "c2" });
  });

  it("the minority side of a partition gets a clear no-quorum error after the timeout", () => {
    const abd = new AbdCluster({ seed: 1, timeoutMs: 150 });
    abd.partition([["r1", "c1"]]);
    abd.invoke("c1", { kind: "write", key: "x", value: "1" });
    abd.runFor(300);
    const op = abd.history[0]!;
    expect(op.output).toEqual({
      kind: "error",
      reason: "no quorum: heard from 1 of 3 replicas within 150 ms (a majority is 2)",
    });
    expect(op.return - op.call).toBe(150);
  });

  it("tags order by timestamp, then writer id", () => {
    expect(compareAbdTags({ ts: 1, writer: "c9" }, { ts: 2, writer: "c1" })).toBeLessThan(0);
    expect(compareAbdTags({ ts: 2, writer: "c2" }, { ts: 2, writer: "c1" })).toBeGreaterThan(0);
    expect(compareAbdTags({ ts: 2, writer: "c2" }, { ts: 2, writer: "c2" })).toBe(0);
  });

  it("rejects bad options, naming the value", () => {
    expectRangeError(
      () => new AbdCluster({ seed: 1, replicasCount: 0 }),
      "options.replicasCount must be an integer in [1, 15], got 0",
    );
    expectRangeError(
      () => new AbdCluster({ seed: -1 }),
      "options.seed must be an integer in [0, 4294967295], got -1",
    );
    expectRangeError(
      () => new AbdCluster({ seed: 1, quorum: 2 } as never),
      'AbdCluster options has an unknown option "quorum"; known options: seed, replicasCount, clientsCount, writeBack, retryMs, timeoutMs, network, traceEventsMax',
    );
    const abd = new AbdCluster({ seed: 1 });
    expectRangeError(
      () => abd.invoke("c1", { kind: "delete", key: "x" } as never),
      'operation kind must be "read" or "write", got "delete"',
    );
    expectRangeError(
      () => abd.invoke("c9", { kind: "read", key: "x" }),
      'clientId must be one of c1, c2, got "c9"',
    );
    abd.invoke("c1", { kind: "read", key: "x" });
    expectRangeError(
      () => abd.invoke("c1", { kind: "read", key: "x" }),
      'clientId must be an idle client (one operation at a time), got "c1"',
    );
  });
});

describe("break it: a read without write-back", () => {
  it("new/old inversion: a read returns the new value, a later read the old one (not linearizable)", () => {
    const run = abdInversionScenario({ writeBack: false });
    expect(run.inverted).toBe(true);
    expect(precedes(run.firstRead, run.secondRead)).toBe(true);
    expect(checkReplicaHistory(run.history)).toBe("illegal");
  });

  it("with the write-back the same script is linearizable: the later read sees the new value", () => {
    const run = abdInversionScenario({ writeBack: true });
    expect(run.inverted).toBe(false);
    expect(run.secondRead.output).toEqual({ kind: "ok", values: ["new"] });
    expect(checkReplicaHistory(run.history)).toBe("ok");
  });
});

const faults = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  replicasCount: fc.constantFrom(3, 5),
  longTail: fc.boolean(),
  drop: fc.double({ min: 0, max: 0.2, noNaN: true }),
  duplicate: fc.double({ min: 0, max: 0.2, noNaN: true }),
  reorder: fc.boolean(),
  partitionStartMs: fc.integer({ min: 0, max: 600 }),
  partitionMs: fc.integer({ min: 0, max: 400 }),
  crashAtMs: fc.integer({ min: 0, max: 800 }),
  crashMs: fc.integer({ min: 0, max: 300 }),
});

type Faults = typeof faults extends fc.Arbitrary<infer T> ? T : never;

/** One fuzzed run: 4 clients on one or two keys, a partition of a minority, a minority crash. */
function fuzzedAbd(
  f: Faults,
  writeBack: boolean,
): { abd: AbdCluster; history: ReplicaOperation[] } {
  const abd = new AbdCluster({
    seed: f.seed,
    replicasCount: f.replicasCount,
    clientsCount: 4,
    writeBack,
    network: {
      ...faultyNetwork(f.drop, f.duplicate, f.reorder),
      // A long tail leaves some stores far behind others: the case the write-back is for.
      ...(f.longTail ? { latency: { kind: "longTail", medianMs: 3, p99Ms: 150 } } : {}),
    },
    traceEventsMax: 0,
  });
  const minorityCount = (f.replicasCount - 1) / 2;
  crashWindow(abd.sim, abd.replicaIds.slice(-minorityCount), f.crashAtMs, f.crashMs);
  const result = runReplicaWorkload(abd, {
    seed: f.seed,
    keysCount: 1 + (f.seed % 2),
    readFraction: 0.7,
    durationMs: 1000,
    partition: {
      startMs: f.partitionStartMs,
      endMs: f.partitionStartMs + f.partitionMs,
      minority: abd.replicaIds.slice(0, minorityCount),
    },
  });
  return { abd, history: [...result.history] };
}

describe("ABD histories are linearizable under loss, duplication, reordering, partitions and minority crashes", () => {
  it("the checker finds every history linearizable, and tags respect real-time order", () => {
    assertProperty(
      fc.property(faults, (f) => {
        const { abd, history } = fuzzedAbd(f, true);
        expect(checkReplicaHistory(history, 10_000)).toBe("ok");
        // ABD's proof obligation: an operation that follows another in real time has a tag at
        // least as high, strictly higher for a write.
        const done = history.filter((op) => op.output.kind === "ok");
        for (const a of done) {
          for (const b of done) {
            if (a.input.key !== b.input.key || !precedes(a, b)) continue;
            const order = compareAbdTags(abd.tagOf(b)!, abd.tagOf(a)!);
            expect(order).toBeGreaterThanOrEqual(b.input.kind === "write" ? 1 : 0);
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it("the same fuzz catches a register without write-back (so the property can fail)", () => {
    const verdicts = Array.from({ length: 40 }, (_, seed) => {
      const f: Faults = {
        seed,
        replicasCount: 3,
        longTail: true,
        drop: 0,
        duplicate: 0,
        reorder: true,
        partitionStartMs: 200,
        partitionMs: 300,
        crashAtMs: 0,
        crashMs: 0,
      };
      return checkReplicaHistory(fuzzedAbd(f, false).history, 10_000);
    });
    expect(verdicts).toContain("illegal");
  });
});
