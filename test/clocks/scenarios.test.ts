// The chapter's stories on the simulator: last-write-wins on skewed physical clocks loses a
// causally later write; Lamport, hybrid logical and vector clocks keep it; Lamport order is not
// causality; and the common causal-store sketch's mistakes next to the fix.
// Reference: Lamport 1978, §1 and §3; Kulkarni et al. 2014; Mattern 1988.

import { describe, expect, it } from "vitest";
import {
  causalSketchPitfalls,
  compareWriteStrategies,
  countOrderedPairs,
  lamportIsNotCausalityRun,
  randomClockedRun,
  runClockedPlan,
  runSkewedWrites,
  sampleClockOffsets,
  skewedWriteLabel,
} from "../../src/clocks/index.js";
import { toMermaidSequence } from "../../src/sim/index.js";
import { expectRangeError } from "./support.js";

describe("last-write-wins on skewed clocks loses the later write", () => {
  it("r2's clock 50 ms behind: w2 is acknowledged, stamped earlier than w1, and lost", () => {
    const run = runSkewedWrites({ strategy: "physical", skewMs: 50 });
    expect(run.w2Acknowledged).toBe(true);
    expect([run.w1Stamp, run.w2Stamp]).toEqual(["105ms@r1", "75ms@r2"]);
    expect(run.finalValues).toEqual({ r1: ["w1"], r2: ["w1"], r3: ["w1"] });
    expect(run.lostWrite).toBe("w2");
    expect(run.keptLaterWrite).toBe(false);
  });

  it("with skew below the gap between the writes, last-write-wins happens to keep w2", () => {
    const run = runSkewedWrites({ strategy: "physical", skewMs: 5 });
    expect(run.keptLaterWrite).toBe(true);
  });

  it("the trace draws the loss: r2 overwrites w2 when w1 arrives on the slow link", () => {
    const diagram = toMermaidSequence(runSkewedWrites({ strategy: "physical" }).trace, {
      label: skewedWriteLabel,
    });
    expect(diagram).toContain("ok w2 75ms@r2");
    expect(diagram).toContain("replicate w1 105ms@r1 (t=105→145)");
  });
});

describe("the causal tools keep the later write", () => {
  it("Lamport timestamps: w2 observed w1's stamp, so it is stamped after it", () => {
    const run = runSkewedWrites({ strategy: "lamport" });
    expect([run.w1Stamp, run.w2Stamp]).toEqual(["L1@r1", "L2@r2"]);
    expect(run.keptLaterWrite).toBe(true);
  });

  it("hybrid logical clocks: w2 gets w1's l and a higher c, close to physical time", () => {
    const run = runSkewedWrites({ strategy: "hlc" });
    expect([run.w1Stamp, run.w2Stamp]).toEqual(["105:0@r1", "105:1@r2"]);
    expect(run.keptLaterWrite).toBe(true);
  });

  it("vector clocks: w1 happened before w2, so w1 is superseded everywhere", () => {
    const run = runSkewedWrites({ strategy: "vector" });
    expect([run.w1Stamp, run.w2Stamp]).toEqual(["[1,0,0]", "[1,1,0]"]);
    expect(run.finalValues).toEqual({ r1: ["w2"], r2: ["w2"], r3: ["w2"] });
  });

  it("a clock 200 ms behind (reading below zero) changes nothing for the causal tools", () => {
    for (const strategy of ["lamport", "hlc", "vector"] as const) {
      expect(runSkewedWrites({ strategy, skewMs: 200 }).keptLaterWrite).toBe(true);
    }
    expect(runSkewedWrites({ strategy: "physical", skewMs: 200 }).lostWrite).toBe("w2");
  });

  it("the comparison table: only last-write-wins on physical time loses w2", () => {
    const rows = compareWriteStrategies(50);
    expect(rows.map((row) => [row.strategy, row.lostWrite])).toEqual([
      ["physical", "w2"],
      ["lamport", "none"],
      ["hlc", "none"],
      ["vector", "none"],
    ]);
  });

  it("bad options name the value", () => {
    expectRangeError(
      () => runSkewedWrites({ strategy: "wallclock" as never }),
      'got "wallclock"',
      "physical, lamport, hlc, vector",
    );
    expectRangeError(() => runSkewedWrites({ strategy: "hlc", skewMs: -1 }), "options.skewMs");
  });
});

describe("blind concurrent writes: last-write-wins picks one by accident, vectors keep both", () => {
  it("without the client's context, w1 and w2 are concurrent and become siblings", () => {
    const run = runSkewedWrites({ strategy: "vector", causalContext: false });
    expect(run.w2Stamp).toBe("[0,1,0]");
    expect(run.finalValues).toEqual({ r1: ["w1", "w2"], r2: ["w1", "w2"], r3: ["w1", "w2"] });
    expect(run.lostWrite).toBeUndefined();
  });

  it("the timestamp strategies each drop one of the two acknowledged writes", () => {
    const lost = (["physical", "lamport", "hlc"] as const).map(
      (strategy) => runSkewedWrites({ strategy, causalContext: false }).lostWrite,
    );
    expect(lost).toEqual(["w2", "w1", "w2"]);
  });

  it("causalContext must be a boolean", () => {
    expectRangeError(
      () => runSkewedWrites({ strategy: "hlc", causalContext: "yes" as never }),
      "options.causalContext must be a boolean",
    );
  });
});

describe("Lamport order does not imply causality", () => {
  it("C's event has Lamport time 1 < A's send at 3, yet the vector clocks are concurrent", () => {
    const run = lamportIsNotCausalityRun();
    const c1 = run.events.find((e) => e.label === "c1");
    const m = run.events.find((e) => e.label === "m" && e.kind === "send");
    expect([c1?.lamport, m?.lamport]).toEqual([1, 3]);
    expect(c1?.vector.toString()).toBe("[0,0,1]");
    expect(m?.vector.toString()).toBe("[3,0,0]");
    expect(c1?.vector.concurrentWith(m?.vector ?? c1.vector)).toBe(true);
  });

  it("in a random run many Lamport-ordered pairs are concurrent", () => {
    const counts = countOrderedPairs(randomClockedRun({ seed: 7, nodesCount: 4, stepsCount: 60 }));
    expect(counts.lamportOrderedConcurrentCount).toBeGreaterThan(0);
    expect(counts.lamportOrderedPairsCount).toBeGreaterThan(counts.lamportOrderedConcurrentCount);
  });

  it("a plan naming an unknown node is refused", () => {
    expectRangeError(
      () => runClockedPlan(["A", "B"], [{ atMs: 1, node: "Z", kind: "local" }]),
      "plan[0].node",
      '"Z"',
    );
    expectRangeError(
      () => runClockedPlan(["A", "B"], [{ atMs: 1, node: "A", kind: "send", to: "A" }]),
      "plan[0].to",
    );
  });
});

describe("the causal-store sketch of the seed notes, next to the fix", () => {
  const rows = causalSketchPitfalls();

  it("higher value wins loses a concurrent write; siblings keep both", () => {
    expect(rows[0]?.sketch).toContain("apple is gone");
    expect(rows[0]?.library).toBe("siblings kept: apple, banana");
  });

  it("re-stamping a replicated write makes it conflict with itself", () => {
    expect(rows[1]?.sketch).toContain("concurrent = true");
    expect(rows[1]?.library).toContain("equal");
  });

  it("equal clocks are called concurrent by the sketch", () => {
    expect(rows[2]?.sketch).toContain("= true");
    expect(rows[2]?.library).toBe('compare gives "equal"');
  });

  it("a stored version aliasing the live clock changes under a later write", () => {
    expect(rows[3]?.sketch).toContain("is now {r1:2}");
    expect(rows[3]?.library).toContain("stays {r1:1}");
  });
});

describe("no global clock: offsets and drift make clocks disagree more and more", () => {
  it("two clocks 200 ppm apart drift 120 ms apart in 10 minutes", () => {
    const samples = sampleClockOffsets({ a: { driftPpm: 100 }, b: { driftPpm: -100 } });
    expect(samples.map((s) => s.skewMs)).toEqual([0, 12, 24, 36, 48, 60, 72, 84, 96, 108, 120]);
    expect(samples.at(-1)?.offsetsMs).toEqual({ a: 60, b: -60 });
  });

  it("an offset shows from the start; bad options name the value", () => {
    const samples = sampleClockOffsets({ a: { offsetMs: 30 }, b: {} }, { samplesCount: 2 });
    expect(samples[0]).toEqual({ trueMs: 0, offsetsMs: { a: 30, b: 0 }, skewMs: 30 });
    expectRangeError(() => sampleClockOffsets({}), "at least one node");
    expectRangeError(() => sampleClockOffsets({ a: {} }, { samplesCount: 1 }), "samplesCount");
  });
});
