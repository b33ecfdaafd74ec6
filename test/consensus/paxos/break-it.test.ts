// "Break it" by hand: a scripted run in which an acceptor that forgets its promise on restart lets
// two values be chosen, and the checker stops the run at the delivery that does it.
// Reference: Paxos Made Simple §2.5 ("an acceptor must remember this information even if it fails").

import { describe, expect, it } from "vitest";
import { type PaxosBreakIt, PaxosCluster } from "../../../src/consensus/paxos/index.js";
import { InvariantViolation } from "../../../src/sim/index.js";

/**
 * p0 reaches a0 and a1 only, p1 reaches a1 and a2 only. p1 gets "y" chosen by a1 and a2 while
 * p0's accept of "x" lands on a0 alone; a1 then crashes and restarts; p0 retries through a0 and a1.
 */
function script(breakIt: PaxosBreakIt | undefined): PaxosCluster {
  const cluster = new PaxosCluster({
    acceptors: 3,
    proposers: 2,
    seed: 99,
    retry: { kind: "fixed", delayMs: 5 },
    ...(breakIt === undefined ? {} : { breakIt }),
  });
  cluster.sim.partitionOneWay(["p0"], ["a2"]);
  cluster.sim.partitionOneWay(["a2"], ["p0"]);
  cluster.sim.partitionOneWay(["p1"], ["a0"]);
  cluster.sim.partitionOneWay(["a0"], ["p1"]);
  cluster.propose(0, "x");
  cluster.sim.at(1, () => cluster.propose(1, "y"));
  cluster.sim.at(6, () => {
    cluster.crash("a1");
    cluster.restart("a1");
  });
  return cluster;
}

describe("Paxos Made Simple §2.5: acceptors must remember through failures", () => {
  it("with stable storage, p0's retry learns y from a1's promise and y stays the only value", () => {
    const cluster = script(undefined);
    cluster.runFor(200);
    expect(cluster.chosen()).toBe("y");
    expect(cluster.learned("p0")).toBe("y");
  });

  it("with acceptor amnesia, a1 forgets it accepted y, p0 gets x chosen too: the checker throws", () => {
    const cluster = script("acceptor-amnesia");
    let caught: unknown;
    try {
      cluster.runFor(200);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvariantViolation);
    expect((caught as Error).message).toBe(
      'Paxos safety violated (seed 99): two values chosen in slot 0: "y", then "x" ' +
        "(a majority accepted it in ballot 2.p0)",
    );
  });
});
