// The safety checker catches each property of Raft's Figure 3 when it is broken, and a random
// fault schedule never breaks any. Reference: Raft §5.2 (election safety), §5.3 (log matching,
// leader append-only), §5.4 (leader completeness, state machine safety), Figure 3.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  RaftHarness,
  RaftInvariantChecker,
  type RaftLogEntry,
  RaftServer,
} from "../../../src/consensus/raft/index.js";
import { assertProperty } from "../../support/property.js";
import { applyFaultSchedule, raftFaultAction } from "./support.js";

function server(term: number, role: RaftServer["role"], terms: number[]): RaftServer {
  const s = new RaftServer({
    electionTimeoutMsMin: 300,
    electionTimeoutMsMax: 600,
    heartbeatMs: 100,
    entriesPerAppendMax: 64,
    unsafeCommitOldTerms: false,
  });
  s.currentTerm = term;
  s.role = role;
  s.log = terms.map((t, i) => Object.freeze({ term: t, command: `c${i + 1}@${t}` }));
  return s;
}

const entry = (term: number, command: unknown): RaftLogEntry => ({ term, command });

describe("Figure 3: the checker catches each broken property", () => {
  it("election safety: two leaders in one term", () => {
    const checker = new RaftInvariantChecker(42);
    expect(() => checker.check([server(2, "leader", [1]), server(2, "leader", [1])])).toThrow(
      "Raft election safety violated (seed 42): servers 0 and 1 were both leader in term 2",
    );
  });

  it("election safety allows leaders of different terms", () => {
    const checker = new RaftInvariantChecker(1);
    checker.check([server(1, "leader", [1]), server(2, "leader", [1])]);
  });

  it("leader append-only: a leader that drops an entry", () => {
    const checker = new RaftInvariantChecker(7);
    const leader = server(3, "leader", [1, 3, 3]);
    checker.check([leader]);
    leader.log.pop();
    expect(() => checker.check([leader])).toThrow("leader append-only violated (seed 7)");
  });

  it("leader append-only: a leader that replaces an entry", () => {
    const checker = new RaftInvariantChecker(7);
    const leader = server(3, "leader", [1, 3]);
    checker.check([leader]);
    leader.log[1] = Object.freeze({ term: 3, command: "other" });
    expect(() => checker.check([leader])).toThrow("leader append-only violated");
  });

  it("log matching: same index and term, different command", () => {
    const checker = new RaftInvariantChecker(3);
    const a = server(2, "follower", [1, 2]);
    const b = server(2, "follower", [1, 2]);
    b.log[1] = Object.freeze({ term: 2, command: "different" });
    expect(() => checker.check([a, b])).toThrow("log matching violated (seed 3)");
  });

  it("log matching: same index and term, different history before it", () => {
    const checker = new RaftInvariantChecker(3);
    const a = server(3, "follower", [1, 3]);
    const b = server(3, "follower", [2, 3]);
    b.log[1] = a.log[1] as RaftLogEntry;
    expect(() => checker.check([a, b])).toThrow("log matching violated");
  });

  it("state machine safety: two commands applied at one index", () => {
    const checker = new RaftInvariantChecker(9);
    checker.recordApply(0, 1, entry(1, "x"), 1);
    checker.recordApply(1, 1, entry(1, "x"), 1);
    expect(() => checker.recordApply(2, 1, entry(1, "y"), 1)).toThrow(
      "state machine safety violated (seed 9)",
    );
  });

  it("leader completeness: a leader of a later term lacks a committed entry", () => {
    const checker = new RaftInvariantChecker(5);
    checker.recordApply(0, 1, entry(1, "c1@1"), 1);
    checker.recordApply(0, 2, entry(1, "c2@1"), 2);
    // A leader of term 2 itself is bound only by commits of earlier terms.
    checker.check([server(2, "leader", [1])]);
    expect(() => checker.check([undefined, server(3, "leader", [1])])).toThrow(
      "leader completeness violated (seed 5): leader 1 of term 3 lacks the entry committed at index 2",
    );
  });
});

describe("Figure 3: no property breaks under random faults", () => {
  it("any schedule of disconnects, crashes, restarts and loss keeps every property", () => {
    assertProperty(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.array(raftFaultAction, { maxLength: 25 }),
        (seed, actions) => {
          const h = new RaftHarness({ servers: 5, seed });
          applyFaultSchedule(h, actions);
          // Healed: the cluster must agree again (liveness after faults end).
          h.one("final", 5, true);
        },
      ),
      { numRuns: 40 },
    );
  });
});
