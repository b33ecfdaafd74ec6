// Multi-Paxos: a replicated log with a distinguished leader that skips phase 1 while stable,
// a new leader that re-proposes open slots and fills gaps with no-ops. Reference: Paxos Made Simple §3.

import { describe, expect, it } from "vitest";
import { MultiPaxosCluster } from "../../../src/consensus/paxos/index.js";

describe("Paxos Made Simple §3 implementing a state machine: one instance per slot", () => {
  it("the leader appends each proposal to the next slot, and every replica learns the log", () => {
    const cluster = new MultiPaxosCluster({ nodes: 3, seed: 1 });
    cluster.runFor(20);
    expect(cluster.leader()).toBe(0);
    for (const value of ["a", "b", "c", "d"]) cluster.propose(0, value);
    cluster.runUntilChosen(4);
    expect(cluster.log()).toEqual(["a", "b", "c", "d"]);
    cluster.runFor(20);
    for (const index of [0, 1, 2]) expect(cluster.learnedLog(index)).toEqual(cluster.log());
  });

  it("a single replica is its own majority", () => {
    const cluster = new MultiPaxosCluster({ nodes: 1, seed: 1 });
    cluster.propose(0, "solo");
    cluster.runUntilChosen(1);
    expect(cluster.log()).toEqual(["solo"]);
  });

  it("a follower forwards a proposal to the leader", () => {
    const cluster = new MultiPaxosCluster({ nodes: 5, seed: 2 });
    cluster.runFor(20);
    cluster.propose(3, "from n3");
    cluster.runUntilChosen(1);
    expect(cluster.chosen(0)).toBe("from n3");
    expect(cluster.messageCounts().byType.request).toBe(1);
  });

  it("a stable leader runs phase 1 once, then only phase 2: one accept round per value", () => {
    const cluster = new MultiPaxosCluster({ nodes: 3, seed: 3 });
    cluster.runFor(20);
    const before = cluster.messageCounts().byType;
    for (let i = 0; i < 20; i++) cluster.propose(0, `v${i}`);
    cluster.runUntilChosen(20);
    const after = cluster.messageCounts().byType;
    expect(after.prepare).toBe(before.prepare);
    expect(after.promise).toBe(before.promise);
    // The leader's accept goes to the 2 other acceptors (it accepts its own locally).
    expect(after.accept - before.accept).toBe(40);
    expect(cluster.node(0)?.phase1Runs).toBe(1);
  });
});

describe("Paxos Made Simple §3 a new leader: phase 1 for all open slots, no-ops in the gaps", () => {
  it("after the leader crashes another node leads with a higher ballot and the log goes on", () => {
    const cluster = new MultiPaxosCluster({ nodes: 3, seed: 4 });
    cluster.runFor(20);
    cluster.propose(0, "a");
    cluster.runUntilChosen(1);
    cluster.crash("n0");
    cluster.runFor(300);
    const leader = cluster.leader();
    expect(leader).toBeDefined();
    expect(leader).not.toBe(0);
    expect(cluster.node(leader as number)?.ballot?.round).toBeGreaterThan(1);
    cluster.propose(leader as number, "b");
    cluster.runUntilChosen(2);
    expect(cluster.log()).toEqual(["a", "b"]);
  });

  it("re-proposes a value accepted by a minority and fills an empty slot with a no-op", () => {
    const cluster = new MultiPaxosCluster({ nodes: 3, seed: 5 });
    cluster.runFor(20);
    // n0 is cut off from n2: slot 0 ("lost") reaches only n0; slot 1 ("kept") reaches n0 and n1.
    cluster.sim.partitionOneWay(["n0"], ["n1", "n2"]);
    cluster.propose(0, "lost");
    cluster.sim.heal();
    cluster.sim.partitionOneWay(["n0"], ["n2"]);
    cluster.propose(0, "kept");
    cluster.runFor(5);
    cluster.crash("n0");
    cluster.heal();
    cluster.runFor(500);
    const leader = cluster.leader() as number;
    expect([1, 2]).toContain(leader);
    // Slot 0: no promise reports it (only n0 accepted it), so the new leader fills it with a no-op.
    expect(cluster.chosen(0)).toBeNull();
    // Slot 1: n1 reports it accepted, so the new leader re-proposes that value.
    expect(cluster.chosen(1)).toBe("kept");
  });

  it("a restarted leader keeps its log (learned slots are on stable storage) and follows", () => {
    const cluster = new MultiPaxosCluster({ nodes: 3, seed: 6 });
    cluster.runFor(20);
    cluster.propose(0, "a");
    cluster.runUntilChosen(1);
    cluster.runFor(10);
    cluster.crash("n0");
    cluster.runFor(300);
    cluster.restart("n0");
    cluster.runFor(100);
    expect(cluster.learnedLog(0)).toEqual(["a"]);
    expect(cluster.node(0)?.role).toBe("follower");
    cluster.propose(0, "b");
    cluster.runUntilChosen(2);
    expect(cluster.log()).toEqual(["a", "b"]);
  });
});

describe("Paxos Made Simple §3 learners: a replica that missed slots catches up", () => {
  it("a replica down while slots were chosen learns them from the leader after its restart", () => {
    const cluster = new MultiPaxosCluster({ nodes: 3, seed: 8 });
    cluster.runFor(20);
    cluster.crash("n2");
    for (const value of ["a", "b", "c"]) cluster.propose(0, value);
    cluster.runUntilChosen(3);
    cluster.restart("n2");
    cluster.runFor(50);
    expect(cluster.learnedLog(2)).toEqual(["a", "b", "c"]);
    expect(cluster.messageCounts().byType.catchup).toBeGreaterThanOrEqual(1);
    expect(cluster.messageCounts().byType.chosen).toBeGreaterThanOrEqual(1);
  });
});

describe("MultiPaxosCluster: bad input names the value", () => {
  it("rejects bad sizes, indexes, timing and values", () => {
    expect(() => new MultiPaxosCluster({ nodes: 0, seed: 1 })).toThrow(
      "nodes must be an integer >= 1, got 0",
    );
    expect(
      () =>
        new MultiPaxosCluster({
          nodes: 3,
          seed: 1,
          timing: { heartbeatMs: 0, electionTimeoutMsMin: 50 },
        }),
    ).toThrow("timing.heartbeatMs must be a finite number >= 1, got 0");
    const cluster = new MultiPaxosCluster({ nodes: 3, seed: 1 });
    expect(() => cluster.propose(3, "x")).toThrow("nodeIndex must be an integer in [0, 2], got 3");
    expect(() => cluster.propose(0, Number.NaN)).toThrow(
      "value must be a string, a finite number or a boolean, got NaN",
    );
    expect(() => cluster.learnedLog(-1)).toThrow("nodeIndex must be an integer in [0, 2], got -1");
  });
});
