// The causal checker finds the bad patterns of causal consistency, and the session checker the four
// session guarantees, in hand-made differentiated histories; both accept valid ones.
// Reference: Bouajjani, Enea, Guerraoui, Hamza, "On Verifying Causal Consistency", POPL 2017, §3;
// Terry et al., "Session Guarantees for Weakly Consistent Replicated Data", PDIS 1994.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CausalOperation,
  checkCausalConsistency,
  checkSessionGuarantees,
} from "../../../src/index.js";
import { assertProperty } from "../../support/property.js";
import { history, randomSteps, singleCopyHistory } from "./support.js";

const ids = (ops: readonly CausalOperation[]): number[] => ops.map((op) => op.id);

describe("Bouajjani et al. §3: bad patterns of causal consistency", () => {
  it("accepts the post-and-reply history read in causal order", () => {
    const h = history([
      ["alice", "w", "post", "lunch?"],
      ["bob", "r", "post", ["lunch?"]],
      ["bob", "w", "reply", "yes"],
      ["carol", "r", "reply", ["yes"]],
      ["carol", "r", "post", ["lunch?"]],
    ]);
    const result = checkCausalConsistency(h);
    expect(result.ok).toBe(true);
    expect(result.causalEdgesCount).toBe(5); // 2 session-order edges, 3 reads-from edges
    expect(String(result)).toBe("causal consistency, 5 operations: ok");
  });

  it("WriteCOInitRead: the reply is visible, the post it answers is not", () => {
    const h = history([
      ["alice", "w", "post", "lunch?"],
      ["bob", "r", "post", ["lunch?"]],
      ["bob", "w", "reply", "yes"],
      ["carol", "r", "reply", ["yes"]],
      ["carol", "r", "post", []],
    ]);
    const result = checkCausalConsistency(h);
    expect(result.violations.map((v) => v.pattern)).toEqual(["write-co-init-read"]);
    expect(ids(result.violations[0]?.operations ?? [])).toEqual([0, 4]);
    expect(String(result)).toContain("carol#4 read post -> {}");
  });

  it("WriteCORead: a read returns a value overwritten in its causal past", () => {
    const h = history([
      ["alice", "w", "x", "1"],
      ["bob", "r", "x", ["1"]],
      ["bob", "w", "x", "2"],
      ["carol", "r", "x", ["2"]],
      ["carol", "r", "x", ["1"]],
    ]);
    const result = checkCausalConsistency(h);
    expect(result.violations.map((v) => v.pattern)).toEqual(["write-co-read"]);
    expect(ids(result.violations[0]?.operations ?? [])).toEqual([0, 2, 4]);
  });

  it("WriteCORead: siblings that are causally ordered", () => {
    const h = history([
      ["alice", "w", "x", "1"],
      ["alice", "w", "x", "2"],
      ["bob", "r", "x", ["1", "2"]],
    ]);
    const patterns = checkCausalConsistency(h).violations.map((v) => v.pattern);
    expect(patterns).toEqual(["write-co-read"]);
  });

  it("ThinAirRead: a value nobody wrote", () => {
    const h = history([["alice", "r", "x", ["ghost"]]]);
    const result = checkCausalConsistency(h);
    expect(result.violations.map((v) => v.pattern)).toEqual(["thin-air-read"]);
    expect(result.violations[0]?.message).toContain('"ghost"');
  });

  it("CyclicCO: each session reads the other's later write", () => {
    const h: CausalOperation[] = [
      {
        id: 0,
        session: "a",
        kind: "read",
        key: "y",
        values: ["b1"],
        call: 0,
        return: 1,
        status: "ok",
      },
      {
        id: 1,
        session: "a",
        kind: "write",
        key: "x",
        value: "a1",
        call: 2,
        return: 3,
        status: "ok",
      },
      {
        id: 2,
        session: "b",
        kind: "read",
        key: "x",
        values: ["a1"],
        call: 0,
        return: 1,
        status: "ok",
      },
      {
        id: 3,
        session: "b",
        kind: "write",
        key: "y",
        value: "b1",
        call: 2,
        return: 3,
        status: "ok",
      },
    ];
    const result = checkCausalConsistency(h);
    expect(result.violations.map((v) => v.pattern)).toEqual(["cyclic-causal-order"]);
    expect(ids(result.violations[0]?.operations ?? [])).toEqual([0, 1, 2, 3]);
  });

  it("missing causal write: a write in the causal past is neither returned nor overwritten", () => {
    const h = history([
      ["alice", "w", "x", "a"],
      ["bob", "w", "x", "b"],
      ["bob", "r", "x", ["a"]],
    ]);
    const result = checkCausalConsistency(h);
    expect(result.violations.map((v) => v.pattern)).toEqual(["missing-causal-write"]);
    expect(ids(result.violations[0]?.operations ?? [])).toEqual([1, 2]);
  });

  it("accepts concurrent writes returned together as siblings", () => {
    const h = history([
      ["alice", "w", "x", "a"],
      ["bob", "w", "x", "b"],
      ["carol", "r", "x", ["a", "b"]],
      ["carol", "w", "x", "ab"],
      ["carol", "r", "x", ["ab"]],
    ]);
    expect(checkCausalConsistency(h).ok).toBe(true);
  });

  it("ignores refused operations and reads without an answer", () => {
    const h: CausalOperation[] = [
      ...history([["alice", "w", "x", "1"]]),
      { id: 1, session: "alice", kind: "read", key: "x", call: 10, return: 20, status: "error" },
    ];
    expect(checkCausalConsistency(h).ok).toBe(true);
  });

  it("property: every history of one atomic copy with siblings is causally consistent", () => {
    assertProperty(
      fc.property(randomSteps, (steps) => {
        const result = checkCausalConsistency(singleCopyHistory(steps));
        expect(result.violations).toEqual([]);
      }),
    );
  });

  it("property: emptying a read whose session saw its key before is caught", () => {
    assertProperty(
      fc.property(randomSteps, fc.nat(), (steps, pick) => {
        const h = singleCopyHistory(steps);
        // Reads whose session wrote the key, or saw a value of it, earlier.
        const candidates = h.filter(
          (op) =>
            op.kind === "read" &&
            h.some(
              (e) =>
                e.session === op.session &&
                e.key === op.key &&
                e.id < op.id &&
                (e.kind === "write" || (e.values ?? []).length > 0),
            ),
        );
        fc.pre(candidates.length > 0);
        const target = candidates[pick % candidates.length] as CausalOperation;
        const broken = h.map((op) => (op.id === target.id ? { ...op, values: [] } : op));
        const found = checkCausalConsistency(broken).violations;
        expect(found.some((v) => v.operations.some((op) => op.id === target.id))).toBe(true);
      }),
    );
  });
});

describe("the checkers' input", () => {
  it("rejects a value written twice to one key (histories must be differentiated)", () => {
    const h = history([
      ["alice", "w", "x", "1"],
      ["bob", "w", "x", "1"],
    ]);
    expect(() => checkCausalConsistency(h)).toThrow(/differentiated history.*"1"/);
  });

  it("rejects overlapping operations in one session", () => {
    const h = history([
      ["alice", "w", "x", "1"],
      ["alice", "w", "x", "2"],
    ]).map((op) => ({ ...op, return: 100 }));
    expect(() => checkSessionGuarantees(h)).toThrow(/overlapping operations/);
  });

  it("names a malformed field", () => {
    const bad = [
      { id: 0, session: "a", kind: "write", key: "x", call: 0, return: 1, status: "ok" },
    ];
    expect(() => checkCausalConsistency(bad as CausalOperation[])).toThrow(
      "history[0].value must be a string (writes carry their value), got undefined",
    );
    expect(() => checkCausalConsistency(history([]), { operationsMax: 0 })).toThrow(
      "operationsMax must be an integer >= 1, got 0",
    );
    const two = history([
      ["a", "w", "x", "1"],
      ["a", "w", "x", "2"],
    ]);
    expect(() => checkCausalConsistency(two, { operationsMax: 1 })).toThrow(
      /at most operationsMax=1/,
    );
  });
});

describe("Terry et al. 1994: session guarantees", () => {
  it("read your writes: a read misses the session's own write", () => {
    const h = history([
      ["alice", "w", "profile", "v1"],
      ["alice", "r", "profile", []],
    ]);
    const result = checkSessionGuarantees(h);
    expect(result.violations.map((v) => [v.guarantee, v.session, ids(v.operations)])).toEqual([
      ["read-your-writes", "alice", [0, 1]],
    ]);
  });

  it("read your writes holds when a later write that followed it is returned", () => {
    const h = history([
      ["alice", "w", "profile", "v1"],
      ["bob", "r", "profile", ["v1"]],
      ["bob", "w", "profile", "v2"],
      ["alice", "r", "profile", ["v2"]],
    ]);
    expect(checkSessionGuarantees(h).ok).toBe(true);
  });

  it("monotonic reads: a later read goes back in time", () => {
    const h = history([
      ["bob", "w", "x", "1"],
      ["alice", "r", "x", ["1"]],
      ["alice", "r", "x", []],
    ]);
    const result = checkSessionGuarantees(h);
    expect(result.violations.map((v) => [v.guarantee, ids(v.operations)])).toEqual([
      ["monotonic-reads", [1, 2]],
    ]);
  });

  it("monotonic writes: an observer sees a writer's second write but not its first", () => {
    const h = history([
      ["alice", "w", "x", "x1"],
      ["alice", "w", "y", "y1"],
      ["bob", "r", "y", ["y1"]],
      ["bob", "r", "x", []],
    ]);
    const result = checkSessionGuarantees(h);
    expect(result.violations.map((v) => [v.guarantee, v.session, ids(v.operations)])).toEqual([
      ["monotonic-writes", "bob", [0, 1, 2, 3]],
    ]);
  });

  it("writes follow reads: an observer sees a reply but not the post its writer had read", () => {
    const h = history([
      ["alice", "w", "post", "lunch?"],
      ["bob", "r", "post", ["lunch?"]],
      ["bob", "w", "reply", "yes"],
      ["carol", "r", "reply", ["yes"]],
      ["carol", "r", "post", []],
    ]);
    const result = checkSessionGuarantees(h);
    expect(result.violations.map((v) => [v.guarantee, v.session, ids(v.operations)])).toEqual([
      ["writes-follow-reads", "carol", [0, 1, 2, 3, 4]],
    ]);
    expect(String(result)).toContain("writes-follow-reads (carol)");
  });

  it("accepts sessions whose reads see concurrent siblings grow", () => {
    const h = history([
      ["alice", "w", "x", "a"],
      ["alice", "r", "x", ["a"]],
      ["bob", "w", "x", "b"],
      ["alice", "r", "x", ["a", "b"]],
      ["alice", "w", "x", "ab"],
      ["alice", "r", "x", ["ab"]],
    ]);
    expect(checkSessionGuarantees(h).ok).toBe(true);
  });

  it("flags exactly the seeded violations in one history", () => {
    const h = history([
      ["alice", "w", "k", "a1"], // 0
      ["alice", "r", "k", []], // 1: read your writes
      ["bob", "w", "m", "m1"], // 2
      ["bob", "w", "n", "n1"], // 3
      ["carol", "r", "n", ["n1"]], // 4
      ["carol", "r", "m", []], // 5: monotonic writes
      ["dave", "r", "k", ["a1"]], // 6
      ["dave", "r", "k", []], // 7: monotonic reads
    ]);
    const found = checkSessionGuarantees(h).violations.map(
      (v) => `${v.guarantee}@${v.operations.at(-1)?.id}`,
    );
    expect(found).toEqual(["read-your-writes@1", "monotonic-writes@5", "monotonic-reads@7"]);
  });

  it("property: a read appended to a writer's session that misses its write is flagged there only", () => {
    assertProperty(
      fc.property(randomSteps, fc.nat(), (steps, pick) => {
        const h = singleCopyHistory(steps);
        const writes = h.filter((op) => op.kind === "write");
        fc.pre(writes.length > 0);
        const { session, key } = writes[pick % writes.length] as CausalOperation;
        const last = h.length;
        const seeded: CausalOperation = {
          id: last,
          session,
          kind: "read",
          key,
          values: [],
          call: 10 * last,
          return: 10 * last + 5,
          status: "ok",
        };
        const found = checkSessionGuarantees([...h, seeded]).violations;
        expect(found.map((v) => v.guarantee)).toContain("read-your-writes");
        for (const v of found) expect(v.operations.at(-1)?.id).toBe(last);
      }),
    );
  });

  it("property: every history of one atomic copy with siblings keeps all four guarantees", () => {
    assertProperty(
      fc.property(randomSteps, (steps) => {
        expect(checkSessionGuarantees(singleCopyHistory(steps)).violations).toEqual([]);
      }),
    );
  });
});
