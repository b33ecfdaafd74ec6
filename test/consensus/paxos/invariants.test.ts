// The Paxos safety checker on its own: it must fail on each way safety can break, naming the seed.
// Reference: Paxos Made Simple §2.1 (only a proposed value is chosen, only one value is chosen).

import { describe, expect, it } from "vitest";
import { PaxosSafetyChecker } from "../../../src/consensus/paxos/index.js";
import { InvariantViolation } from "../../../src/sim/index.js";

const b = (round: number, proposerId: string) => ({ round, proposerId });

describe("Paxos Made Simple §2.1 safety requirements, as the checker enforces them", () => {
  it("a value is chosen once a majority accepted it in one ballot, not across ballots", () => {
    const checker = new PaxosSafetyChecker(7, 2, false);
    checker.proposedValue("x");
    checker.accepted("a0", 0, b(1, "p0"), "x");
    checker.accepted("a1", 0, b(2, "p0"), "x");
    expect(checker.chosen(0)).toBeUndefined();
    checker.accepted("a2", 0, b(2, "p0"), "x");
    expect(checker.chosen(0)).toBe("x");
    expect(checker.chosenSlots()).toEqual([0]);
  });

  it("only a single value is chosen: a second one throws, naming the seed", () => {
    const checker = new PaxosSafetyChecker(42, 2, false);
    checker.proposedValue("x");
    checker.proposedValue("y");
    checker.accepted("a0", 0, b(1, "p0"), "x");
    checker.accepted("a1", 0, b(1, "p0"), "x");
    checker.accepted("a1", 0, b(2, "p1"), "y");
    expect(() => checker.accepted("a2", 0, b(2, "p1"), "y")).toThrow(InvariantViolation);
    expect(() => checker.accepted("a2", 0, b(2, "p1"), "y")).toThrow(
      'Paxos safety violated (seed 42): two values chosen in slot 0: "x", then "y"',
    );
  });

  it("only a proposed value may be chosen (a no-op only where allowed)", () => {
    const checker = new PaxosSafetyChecker(3, 1, false);
    expect(() => checker.accepted("a0", 0, b(1, "p0"), "ghost")).toThrow(
      'value "ghost" chosen in slot 0 was never proposed',
    );
    expect(() => checker.accepted("a0", 1, b(1, "p0"), null)).toThrow("never proposed");
    const multi = new PaxosSafetyChecker(3, 1, true);
    multi.accepted("n0", 0, b(1, "n0"), null);
    expect(multi.chosen(0)).toBeNull();
  });

  it("a learner may learn only the chosen value", () => {
    const checker = new PaxosSafetyChecker(9, 2, false);
    checker.proposedValue("x");
    expect(() => checker.learned("p0", 0, "x")).toThrow("the chosen value there is none yet");
    checker.accepted("a0", 0, b(1, "p0"), "x");
    checker.accepted("a1", 0, b(1, "p0"), "x");
    checker.learned("p0", 0, "x");
    expect(() => checker.learned("p1", 0, "y")).toThrow('learner p1 learned "y" in slot 0');
  });

  it("one ballot carries one value per slot", () => {
    const checker = new PaxosSafetyChecker(1, 3, false);
    checker.accepted("a0", 0, b(1, "p0"), "x");
    expect(() => checker.accepted("a1", 0, b(1, "p0"), "y")).toThrow(
      'ballot 1.p0 carries two values in slot 0: "x" and "y"',
    );
  });
});
