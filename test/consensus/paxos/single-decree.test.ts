// Single-decree Paxos on the simulator: ballots, the two phases, learning, stable storage.
// Reference: Lamport, "Paxos Made Simple" (2001), §2.2-§2.5.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type PaxosBallot,
  PaxosCluster,
  ballotText,
  compareBallots,
} from "../../../src/consensus/paxos/index.js";
import { assertProperty } from "../../support/property.js";

const ballot = fc.record({
  round: fc.integer({ min: 1, max: 5 }),
  proposerId: fc.constantFrom("p0", "p1", "p2"),
});

describe("Paxos Made Simple §2.2 proposal numbers: unique per proposer and totally ordered", () => {
  it("compareBallots is antisymmetric, transitive and zero only for the same (round, proposer)", () => {
    assertProperty(
      fc.property(ballot, ballot, ballot, (a: PaxosBallot, b: PaxosBallot, c: PaxosBallot) => {
        expect(Math.sign(compareBallots(a, b)) + Math.sign(compareBallots(b, a))).toBe(0);
        const same = a.round === b.round && a.proposerId === b.proposerId;
        expect(compareBallots(a, b) === 0).toBe(same);
        if (compareBallots(a, b) < 0 && compareBallots(b, c) < 0) {
          expect(compareBallots(a, c)).toBeLessThan(0);
        }
      }),
    );
  });

  it("orders by round first, then by proposer id", () => {
    expect(compareBallots({ round: 2, proposerId: "p0" }, { round: 1, proposerId: "p9" })).toBe(1);
    expect(compareBallots({ round: 1, proposerId: "p0" }, { round: 1, proposerId: "p1" })).toBe(-1);
    expect(ballotText({ round: 3, proposerId: "p1" })).toBe("3.p1");
  });

  it("a restarted proposer never reuses a ballot: its round is on stable storage", () => {
    const cluster = new PaxosCluster({ acceptors: 3, proposers: 1, seed: 1 });
    cluster.propose(0, "x");
    cluster.runFor(1);
    const first = cluster.node("p0")?.ballot;
    cluster.crash("p0");
    cluster.restart("p0");
    cluster.runFor(1);
    cluster.propose(0, "y");
    const second = cluster.node("p0")?.ballot;
    expect(first).toEqual({ round: 1, proposerId: "p0" });
    expect(second).toEqual({ round: 2, proposerId: "p0" });
  });
});

describe("Paxos Made Simple §2.2 choosing a value", () => {
  it("a lone proposer gets its value chosen in two round trips", () => {
    const cluster = new PaxosCluster({ acceptors: 3, proposers: 1, seed: 1 });
    cluster.propose(0, "x");
    const chosenAtMs = cluster.runUntilChosen();
    expect(cluster.chosen()).toBe("x");
    // prepare → promise → accept: the acceptors accept at 3 ms with 1 ms links.
    expect(chosenAtMs).toBe(3);
    const counts = cluster.messageCounts();
    expect(counts.byType.prepare).toBe(3);
    expect(counts.byType.promise).toBe(3);
    expect(counts.byType.accept).toBe(3);
    expect(counts.byType.nack).toBe(0);
  });

  it("only a proposed value can be chosen, and only one, whatever the seed and proposer count", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      for (const proposers of [1, 2, 3]) {
        const cluster = new PaxosCluster({ acceptors: 5, proposers, seed });
        const values = ["x", "y", "z"].slice(0, proposers);
        values.forEach((value, index) => cluster.propose(index, value));
        cluster.runFor(2_000);
        expect(values).toContain(cluster.chosen());
        for (const id of [...cluster.acceptorIds, ...cluster.proposerIds]) {
          expect([undefined, cluster.chosen()]).toContain(cluster.learned(id));
        }
      }
    }
  });

  it("works with a single acceptor (a majority of one) and with seven", () => {
    for (const acceptors of [1, 7]) {
      const cluster = new PaxosCluster({ acceptors, proposers: 2, seed: 1 });
      cluster.propose(0, "x");
      cluster.propose(1, "y");
      cluster.runFor(1_000);
      expect(["x", "y"]).toContain(cluster.chosen());
    }
  });

  it("P2c: a later proposer adopts the value already accepted by a majority", () => {
    const cluster = new PaxosCluster({ acceptors: 3, proposers: 2, seed: 7 });
    cluster.propose(0, "first");
    cluster.runUntilChosen();
    cluster.propose(1, "second");
    cluster.runFor(100);
    expect(cluster.chosen()).toBe("first");
    expect(cluster.learned("p1")).toBe("first");
    expect(cluster.node("p1")?.phase).toBe("done");
  });

  it("an acceptor refuses a ballot below its promise, and the proposer retries higher", () => {
    const cluster = new PaxosCluster({ acceptors: 3, proposers: 2, seed: 3 });
    cluster.propose(1, "y");
    cluster.runFor(2); // p1's prepare (1.p1) is promised by every acceptor
    cluster.propose(0, "x"); // 1.p0 < 1.p1: refused
    cluster.runFor(500);
    expect(cluster.messageCounts().byType.nack).toBeGreaterThanOrEqual(2);
    expect(cluster.chosen()).toBe("y");
  });

  it("needs a majority: with 2 of 3 acceptors cut off nothing is chosen, after healing it is", () => {
    const cluster = new PaxosCluster({ acceptors: 3, proposers: 1, seed: 2 });
    cluster.partition([["p0", "a0"], ["a1"], ["a2"]]);
    cluster.propose(0, "x");
    cluster.runFor(1_000);
    expect(cluster.chosen()).toBeUndefined();
    cluster.heal();
    cluster.runFor(1_000);
    expect(cluster.chosen()).toBe("x");
  });
});

describe("Paxos Made Simple §2.3 learning a chosen value", () => {
  it("every node learns the chosen value once a majority accepted it in one ballot", () => {
    const cluster = new PaxosCluster({ acceptors: 5, proposers: 2, seed: 11 });
    cluster.propose(0, "x");
    cluster.propose(1, "y");
    cluster.runFor(1_000);
    const chosen = cluster.chosen();
    for (const id of [...cluster.acceptorIds, ...cluster.proposerIds]) {
      expect(cluster.learned(id)).toBe(chosen);
    }
  });
});

describe("Paxos Made Simple §2.5 stable storage: an acceptor remembers through a crash", () => {
  it("promisedBallot and the accepted value are on storage before the reply leaves", () => {
    const cluster = new PaxosCluster({ acceptors: 3, proposers: 1, seed: 1 });
    cluster.propose(0, "x");
    cluster.runFor(1); // a0 has answered the prepare
    expect(cluster.sim.storageOf("a0").get("promisedBallot")).toEqual({
      round: 1,
      proposerId: "p0",
    });
    cluster.runFor(2); // and the accept
    expect(cluster.sim.storageOf("a0").get("accepted/0")).toEqual({
      acceptedBallot: { round: 1, proposerId: "p0" },
      acceptedValue: "x",
    });
  });

  it("a restarted acceptor reloads its state and still refuses lower ballots", () => {
    const cluster = new PaxosCluster({ acceptors: 3, proposers: 2, seed: 5 });
    cluster.propose(0, "x");
    cluster.runUntilChosen();
    for (const id of cluster.acceptorIds) {
      cluster.crash(id);
      cluster.restart(id);
    }
    cluster.runFor(1);
    const a0 = cluster.node("a0")?.acceptor;
    expect(a0?.promisedBallot).toEqual({ round: 1, proposerId: "p0" });
    expect(a0?.accepted.get(0)?.value).toBe("x");
    cluster.propose(1, "y");
    cluster.runFor(200);
    expect(cluster.chosen()).toBe("x");
    expect(cluster.learned("p1")).toBe("x");
  });
});

describe("PaxosCluster: bad input names the value", () => {
  it("rejects bad sizes, indexes and values", () => {
    expect(() => new PaxosCluster({ acceptors: 0, proposers: 1, seed: 1 })).toThrow(
      "acceptors must be an integer >= 1, got 0",
    );
    expect(() => new PaxosCluster({ acceptors: 3, proposers: 1.5, seed: 1 })).toThrow(
      "proposers must be an integer >= 1, got 1.5",
    );
    const cluster = new PaxosCluster({ acceptors: 3, proposers: 2, seed: 1 });
    expect(() => cluster.propose(2, "x")).toThrow(
      "proposerIndex must be an integer in [0, 1], got 2",
    );
    expect(() => cluster.propose(0, { v: 1 } as unknown as string)).toThrow(
      'value must be a string, a finite number or a boolean, got {"v":1}',
    );
    expect(() => cluster.chosen(-1)).toThrow("slot must be an integer >= 0, got -1");
  });

  it("rejects unknown options and bad retry policies", () => {
    const bad = { acceptors: 3, proposers: 1, seed: 1, acceptor: 3 } as unknown as {
      acceptors: number;
      proposers: number;
      seed: number;
    };
    expect(() => new PaxosCluster(bad)).toThrow('unknown option "acceptor"');
    expect(
      () =>
        new PaxosCluster({
          acceptors: 3,
          proposers: 1,
          seed: 1,
          retry: { kind: "fixed", delayMs: -1 },
        }),
    ).toThrow("retry.delayMs must be a finite number >= 0, got -1");
    expect(
      () =>
        new PaxosCluster({
          acceptors: 3,
          proposers: 1,
          seed: 1,
          breakIt: "nope" as unknown as "acceptor-amnesia",
        }),
    ).toThrow('breakIt must be "acceptor-amnesia" or "ignore-promised-values", got "nope"');
  });
});
