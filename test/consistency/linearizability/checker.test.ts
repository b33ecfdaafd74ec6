// The checker on small hand-written histories: verdicts, witnesses, pending operations, cas,
// events, timeouts and bad input. Reference: Herlihy and Wing 1990 §2; Lowe 2017 §3.

import { describe, expect, it } from "vitest";
import {
  type Event,
  type Model,
  type RegisterInput,
  type RegisterOutput,
  checkEvents,
  checkOperations,
  eventsToOperations,
  registerModel,
} from "../../../src/consistency/linearizability/index.js";
import { type RegisterOperation, reg, witnessProblem } from "./support.js";

describe("linearizable histories: ok with a witness", () => {
  it("a read overlapping a write may see the new value before the write returns", () => {
    const history = [reg.write(0, 1, 0, 100), reg.read(1, 1, 25, 75), reg.read(2, null, 30, 60)];
    const result = checkOperations(registerModel, history);
    expect(result.result).toBe("ok");
    expect(witnessProblem(registerModel, history, result)).toBeUndefined();
    if (result.result !== "ok") return;
    // The read of nil must come before the write, the read of 1 after it.
    expect(result.linearization.map((s) => s.description)).toEqual([
      "read() -> nil",
      "write(1)",
      "read() -> 1",
    ]);
  });

  it("touching intervals are concurrent: a read may be ordered before a write that returned at its call", () => {
    const history = [reg.write(0, 1, 0, 10), reg.read(1, null, 10, 20)];
    expect(checkOperations(registerModel, history).result).toBe("ok");
  });

  it("the empty history is linearizable", () => {
    const result = checkOperations(registerModel, []);
    expect(result.result).toBe("ok");
    if (result.result === "ok") expect(result.linearization).toEqual([]);
  });

  it("zero-duration operations are allowed", () => {
    const history = [reg.write(0, 1, 0, 100), reg.read(1, 1, 30, 30), reg.read(2, 1, 30, 30)];
    expect(checkOperations(registerModel, history).result).toBe("ok");
  });
});

describe("non-linearizable histories: illegal with a prefix and a culprit", () => {
  it("a read that misses a completed write is stale", () => {
    const history = [reg.write(0, 1, 0, 10), reg.read(1, null, 12, 15)];
    const result = checkOperations(registerModel, history);
    expect(result.result).toBe("illegal");
    if (result.result !== "illegal") return;
    expect(result.culprit.index).toBe(1);
    expect(result.culprit.description).toBe("read() -> nil");
    expect(result.prefix.map((s) => s.description)).toEqual(["write(1)"]);
  });

  it("two sequential reads cannot see the new value and then the old one", () => {
    const history = [reg.write(0, 1, 0, 100), reg.read(1, 1, 10, 30), reg.read(2, null, 40, 90)];
    const result = checkOperations(registerModel, history);
    expect(result.result).toBe("illegal");
    if (result.result !== "illegal") return;
    expect(result.culprit.description).toBe("read() -> nil");
  });

  it("the prefix replays through the model and leaves out the culprit", () => {
    const history = [
      reg.write(0, 1, 0, 5),
      reg.write(1, 2, 6, 9),
      reg.read(2, 2, 10, 12),
      reg.read(3, 1, 13, 15),
    ];
    const result = checkOperations(registerModel, history);
    expect(result.result).toBe("illegal");
    if (result.result !== "illegal") return;
    expect(result.culprit.description).toBe("read() -> 1");
    let state = registerModel.init();
    for (const step of result.prefix) {
      expect(step.index).not.toBe(result.culprit.index);
      const [legal, next] = registerModel.step(state, step.operation.input, step.operation.output);
      expect(legal).toBe(true);
      state = next;
    }
    expect(result.prefix).toHaveLength(3);
  });
});

describe("pending operations (return: Infinity, unknown output) may or may not take effect", () => {
  it("a pending write may have taken effect: a later read sees it", () => {
    const history = [reg.pendingWrite(0, 7, 0), reg.read(1, 7, 10, 20)];
    expect(checkOperations(registerModel, history).result).toBe("ok");
  });

  it("a pending write may not have taken effect: a later read misses it", () => {
    const history = [reg.pendingWrite(0, 7, 0), reg.read(1, null, 10, 20)];
    expect(checkOperations(registerModel, history).result).toBe("ok");
  });

  it("once seen, a pending write cannot be unseen", () => {
    const history = [reg.pendingWrite(0, 7, 0), reg.read(1, 7, 10, 20), reg.read(2, null, 30, 40)];
    expect(checkOperations(registerModel, history).result).toBe("illegal");
  });

  it("a pending write takes effect only after its call", () => {
    const history = [reg.read(1, 7, 0, 5), reg.pendingWrite(0, 7, 10)];
    expect(checkOperations(registerModel, history).result).toBe("illegal");
  });

  it("in the witness, a pending operation's point is at or after its call", () => {
    const history = [reg.pendingWrite(0, 7, 3), reg.read(1, null, 10, 20)];
    const result = checkOperations(registerModel, history);
    expect(witnessProblem(registerModel, history, result)).toBeUndefined();
  });
});

describe("compare-and-set", () => {
  it("a successful cas needs the expected value", () => {
    const ok = [reg.write(0, 1, 0, 5), reg.cas(1, 1, 2, "ok", 6, 8), reg.read(0, 2, 9, 10)];
    expect(checkOperations(registerModel, ok).result).toBe("ok");
    const wrong = [reg.write(0, 1, 0, 5), reg.cas(1, 3, 2, "ok", 6, 8)];
    expect(checkOperations(registerModel, wrong).result).toBe("illegal");
  });

  it("a failed cas asserts the comparison failed and changes nothing", () => {
    const history = [reg.write(0, 1, 0, 5), reg.cas(1, 3, 2, "fail", 6, 8), reg.read(0, 1, 9, 10)];
    expect(checkOperations(registerModel, history).result).toBe("ok");
    const impossible = [reg.write(0, 1, 0, 5), reg.cas(1, 1, 2, "fail", 6, 8)];
    expect(checkOperations(registerModel, impossible).result).toBe("illegal");
  });

  it("an unknown cas may have swapped or not", () => {
    const swapped = [
      reg.write(0, 1, 0, 5),
      reg.cas(1, 1, 2, "unknown", 6, Infinity),
      reg.read(0, 2, 9, 10),
    ];
    const notSwapped = [
      reg.write(0, 1, 0, 5),
      reg.cas(1, 1, 2, "unknown", 6, Infinity),
      reg.read(0, 1, 9, 10),
    ];
    expect(checkOperations(registerModel, swapped).result).toBe("ok");
    expect(checkOperations(registerModel, notSwapped).result).toBe("ok");
  });
});

describe("long histories (memo sets spanning several 32-bit words)", () => {
  // One read overlaps 70 sequential writes and sees the last: it can only go last, so the
  // lowest unplaced operation stays 0 while the others are placed.
  const writes = Array.from({ length: 70 }, (_, i) => reg.write(1, i, 10 * i + 1, 10 * i + 5));

  it("a read concurrent with 70 writes may see the last one", () => {
    const history = [reg.read(0, 69, 0, 1000), ...writes];
    const result = checkOperations(registerModel, history);
    expect(witnessProblem(registerModel, history, result)).toBeUndefined();
    if (result.result === "ok") expect(result.linearization.at(-1)?.index).toBe(0);
  });

  it("but not a value none of them wrote", () => {
    const history = [reg.read(0, 99, 0, 1000), ...writes];
    const result = checkOperations(registerModel, history);
    expect(result.result).toBe("illegal");
    if (result.result === "illegal") expect(result.culprit.index).toBe(0);
  });
});

describe("checkEvents", () => {
  const events: Event<RegisterInput, RegisterOutput>[] = [
    { clientId: 0, kind: "call", value: { op: "write", value: 1 }, id: 0 },
    { clientId: 1, kind: "call", value: { op: "read" }, id: 1 },
    { clientId: 1, kind: "return", value: { status: "ok", value: 1 }, id: 1 },
    { clientId: 2, kind: "call", value: { op: "read" }, id: 2 },
    { clientId: 2, kind: "return", value: { status: "ok", value: null }, id: 2 },
    { clientId: 0, kind: "return", value: { status: "ok" }, id: 0 },
  ];

  it("turns events into operations at their positions, in call order", () => {
    const operations = eventsToOperations(events);
    expect(operations.map((op) => [op.call, op.return])).toEqual([
      [0, 5],
      [1, 2],
      [3, 4],
    ]);
  });

  it("gives the verdict of the same history as operations", () => {
    const result = checkEvents(registerModel, events);
    expect(result.result).toBe("illegal");
    if (result.result === "illegal") expect(result.culprit.description).toBe("read() -> nil");
  });

  it("rejects a call without a return, naming the fix", () => {
    expect(() => checkEvents(registerModel, events.slice(0, 5))).toThrow(/has no return event/);
  });

  it("rejects a return without a call and a repeated id", () => {
    expect(() => eventsToOperations([events[2] as Event<RegisterInput, RegisterOutput>])).toThrow(
      /the id of an earlier call event/,
    );
    const repeated = [events[0], events[0]] as Event<RegisterInput, RegisterOutput>[];
    expect(() => eventsToOperations(repeated)).toThrow(/not used by an earlier call/);
  });
});

describe("timeout: unknown, never a guess", () => {
  it("a zero budget still checks a history that needs fewer than 4096 steps", () => {
    const history = [reg.write(0, 1, 0, 10), reg.read(1, 1, 5, 15)];
    expect(checkOperations(registerModel, history, { timeoutMs: 0 }).result).toBe("ok");
  });

  it("a zero budget on a history that needs many steps gives unknown", () => {
    // 12 concurrent writes of distinct values and reads that rule out most orders: thousands of
    // configurations, so the deadline is read (after each 4096 steps) before the search ends.
    const history: RegisterOperation[] = [];
    for (let i = 0; i < 12; i++) history.push(reg.write(i, i, 0, 100));
    history.push(reg.read(20, 99, 0, 100));
    const result = checkOperations(registerModel, history, { timeoutMs: 0 });
    expect(result.result).toBe("unknown");
    if (result.result === "unknown") expect(result.reason).toBe("timeout");
  });

  it("without a budget the same history gets its definite verdict", () => {
    const history: RegisterOperation[] = [];
    for (let i = 0; i < 12; i++) history.push(reg.write(i, i, 0, 100));
    history.push(reg.read(20, 99, 0, 100));
    expect(checkOperations(registerModel, history).result).toBe("illegal");
  });
});

describe("bad input names the value and what is allowed", () => {
  it("rejects a return before the call", () => {
    expect(() => checkOperations(registerModel, [reg.write(0, 1, 10, 5)])).toThrow(
      /history\[0\]\.return must be a number >= call \(10\)/,
    );
  });

  it("rejects an unknown option and a negative timeout", () => {
    const options = { timeout: 5 } as unknown as { timeoutMs: number };
    expect(() => checkOperations(registerModel, [], options)).toThrow(/unknown option "timeout"/);
    expect(() => checkOperations(registerModel, [], { timeoutMs: -1 })).toThrow(/timeoutMs/);
  });

  it("rejects a model without step", () => {
    const broken = { init: () => 0 } as unknown as Model<number, number, number>;
    expect(() => checkOperations(broken, [])).toThrow(/model must be an object with init/);
  });

  it("rejects a partition that loses an operation", () => {
    const lossy: Model<unknown, RegisterInput, RegisterOutput> = {
      ...(registerModel as Model<unknown, RegisterInput, RegisterOutput>),
      partition: (history) => [history.slice(1)],
    };
    expect(() => checkOperations(lossy, [reg.write(0, 1, 0, 1), reg.read(1, 1, 2, 3)])).toThrow(
      /partitions that cover every operation/,
    );
  });
});
