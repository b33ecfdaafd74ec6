// The counter as the checker's sequential model, unknown outcomes, and the explanation of a
// non-linearizable history by the read that missed increments.
// Reference: Herlihy and Wing 1990, §3 (linearizability); Kingsbury, Knossos and Porcupine
// (an indeterminate operation may take effect at any point after its call, or never).

import { describe, expect, it } from "vitest";
import {
  type CapRun,
  type CapCounterOperation,
  type CapCounterOutput,
  capCheckerHistory,
  capCounterModel,
  checkCapSessionGuarantees,
  checkOperations,
  explainStaleRead,
  findStaleReads,
  runCapScenario,
} from "../../src/index.js";

const ACK: CapCounterOutput = { status: "ok", value: null, effect: "applied" };
const UNKNOWN: CapCounterOutput = {
  status: "noQuorum",
  answered: 2,
  needed: 3,
  message: "no quorum",
  effect: "unknown",
};
const read = (value: number): CapCounterOutput => ({ status: "ok", value, effect: "none" });
const op = (
  clientId: number,
  input: CapCounterOperation["input"],
  call: number,
  output: CapCounterOutput,
  ret: number,
): CapCounterOperation => ({ clientId, input, call, output, return: ret });

/** A run around a hand-written history, for the explanation functions. */
function runOf(
  history: CapCounterOperation[],
  visible?: (readonly string[] | undefined)[],
): CapRun {
  const base = runCapScenario("cpQuorum", 1, { durationMs: 1, partition: null, traceEventsMax: 0 });
  return { ...base, history, visibleUpdateIds: visible ?? history.map(() => undefined) };
}

describe("the counter model", () => {
  it("increments and decrements always apply; a read is legal only at the current value", () => {
    expect(capCounterModel.init()).toBe(0);
    expect(capCounterModel.step(2, { kind: "inc", id: "c1#1" }, ACK)).toEqual([true, 3]);
    expect(capCounterModel.step(2, { kind: "dec", id: "c1#2" }, ACK)).toEqual([true, 1]);
    expect(capCounterModel.step(2, { kind: "read" }, read(2))).toEqual([true, 2]);
    expect(capCounterModel.step(2, { kind: "read" }, read(1))).toEqual([false, 2]);
  });

  it("describes operations for timelines", () => {
    expect(capCounterModel.describeOperation?.({ kind: "inc", id: "c1#1" }, UNKNOWN)).toBe(
      "inc c1#1 -> noQuorum, outcome unknown",
    );
    expect(capCounterModel.describeOperation?.({ kind: "read" }, read(4))).toBe("read -> 4");
  });
});

describe("unknown outcomes: a failed increment may or may not have taken effect", () => {
  const history = [
    op(0, { kind: "inc", id: "c1#1" }, 0, UNKNOWN, 100),
    op(1, { kind: "read" }, 150, read(0), 160),
    op(1, { kind: "read" }, 170, read(1), 180),
    op(2, { kind: "read" }, 120, { status: "timeout", effect: "none" }, 520),
  ];

  it("capCheckerHistory moves its return to Infinity and drops failed reads", () => {
    const checked = capCheckerHistory(history);
    expect(checked).toHaveLength(3);
    expect(checked[0]?.return).toBe(Number.POSITIVE_INFINITY);
    expect(checked.some((o) => o.output.status === "timeout")).toBe(false);
  });

  it("so a read may see it late (0 then 1) and the history is linearizable", () => {
    expect(checkOperations(capCounterModel, capCheckerHistory(history)).result).toBe("ok");
  });

  it("with its real return time instead, the same history would be judged illegal", () => {
    const naive = history.filter((o) => o.output.status !== "timeout");
    expect(checkOperations(capCounterModel, naive).result).toBe("illegal");
  });
});

describe("explaining the violation: the read and the increments it missed", () => {
  it("a read that returned less than the increments acknowledged before it began", () => {
    const history = [
      op(0, { kind: "inc", id: "c1#1" }, 0, ACK, 10),
      op(1, { kind: "inc", id: "c2#1" }, 2, ACK, 12),
      op(2, { kind: "read" }, 20, read(1), 25),
    ];
    const run = runOf(history, [undefined, undefined, ["c1#1"]]);
    const verdict = checkOperations(capCounterModel, capCheckerHistory(history));
    expect(verdict.result).toBe("illegal");
    const explanation = explainStaleRead(run, verdict);
    expect(explanation).toMatchObject({ kind: "missed", value: 1, valueMin: 2, readIndex: 2 });
    expect(explanation?.missedUpdates.map((u) => u.input)).toEqual([{ kind: "inc", id: "c2#1" }]);
    expect(explanation?.text).toBe(
      "c3's read at t=20-25 ms returned 1, but 2 increments had been acknowledged before it " +
        "began: it missed at least 1 (c2#1)",
    );
  });

  it("a read that returned less than an earlier read: new then old", () => {
    const history = [
      op(0, { kind: "inc", id: "c1#1" }, 0, UNKNOWN, 100),
      op(1, { kind: "read" }, 10, read(1), 20),
      op(2, { kind: "read" }, 30, read(0), 40),
    ];
    const explanation = explainStaleRead(runOf(history));
    expect(explanation).toMatchObject({ kind: "inversion", value: 0, valueMin: 1 });
    expect(explanation?.earlierRead).toBe(history[1]);
  });

  it("decrements that may fall before the read relax the bound", () => {
    const history = [
      op(0, { kind: "inc", id: "c1#1" }, 0, ACK, 10),
      op(1, { kind: "dec", id: "c2#1" }, 15, ACK, 30),
      op(2, { kind: "read" }, 20, read(0), 25),
    ];
    expect(findStaleReads(runOf(history))).toEqual([]);
    expect(checkOperations(capCounterModel, capCheckerHistory(history)).result).toBe("ok");
  });

  it("finds nothing in a linearizable run", () => {
    expect(explainStaleRead(runCapScenario("cpQuorum", 2))).toBeUndefined();
  });
});

describe("session guarantees per client", () => {
  it("a read below the client's previous read breaks monotonic reads", () => {
    const history = [
      op(0, { kind: "read" }, 0, read(3), 5),
      op(0, { kind: "read" }, 6, read(2), 9),
    ];
    expect(checkCapSessionGuarantees(history)).toEqual({
      monotonicReads: false,
      readYourWrites: false,
    });
  });

  it("a read that misses the client's own increment breaks read-your-writes only", () => {
    const history = [
      op(0, { kind: "read" }, 0, read(3), 5),
      op(0, { kind: "inc", id: "c1#1" }, 6, ACK, 8),
      op(0, { kind: "read" }, 9, read(3), 12),
    ];
    expect(checkCapSessionGuarantees(history)).toEqual({
      monotonicReads: true,
      readYourWrites: false,
    });
  });
});
