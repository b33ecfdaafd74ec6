// The bully algorithm: the highest live node is elected, replaced when it crashes, bullies back in
// when it recovers; the cost in messages; split brain under a partition; convergence under faults.
// Reference: Garcia-Molina, "Elections in a Distributed Computing System", IEEE TC 1982 (Bully).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BullyCluster,
  type BullyMessage,
  BullyNode,
  type BullyElection,
} from "../../src/election/bully.js";
import { Simulation, toMermaidSequence } from "../../src/sim/index.js";
import { assertProperty } from "../support/property.js";

const SEEDS = [1, 2, 3, 4, 5];

/** The last election of the log, which must have ended. */
function lastElection(cluster: BullyCluster): BullyElection {
  const election = cluster.elections().at(-1);
  if (election === undefined) throw new Error("no election in the log");
  expect(election.endMs).not.toBeNull();
  return election;
}

/** Every live node follows `coordinator`. */
function expectAllFollow(cluster: BullyCluster, coordinator: string): void {
  for (const id of cluster.nodeIds()) {
    if (cluster.isUp(id))
      expect(cluster.coordinatorOf(id), `coordinator of ${id}`).toBe(coordinator);
  }
}

/** A stable 5- or 10-node cluster whose coordinator (the highest) has just crashed. */
function crashedCoordinator(n: number, seed: number): BullyCluster {
  const cluster = new BullyCluster({ nodes: n, seed });
  cluster.runUntilStable();
  cluster.crash(`n${n}`);
  return cluster;
}

describe("Bully: initial election", () => {
  it.each(SEEDS)("every node follows the highest id (seed %i)", (seed) => {
    const cluster = new BullyCluster({ nodes: 5, seed });
    cluster.runUntilStable();
    expect(cluster.coordinators()).toEqual(["n5"]);
    expectAllFollow(cluster, "n5");
    expect(cluster.node("n5")?.status).toBe("normal");
  });

  it.each(SEEDS)("explicit ranks decide, not the ids (seed %i)", (seed) => {
    const cluster = new BullyCluster({
      nodes: ["alpha", "beta", "gamma"],
      ranks: { alpha: 3, beta: 1, gamma: 2 },
      seed,
    });
    cluster.runUntilStable();
    expectAllFollow(cluster, "alpha");
  });

  it.each([5, 10])("n = %i: everyone starting at once costs n^2 + n - 2 messages", (n) => {
    const cluster = new BullyCluster({ nodes: n, seed: 1 });
    cluster.runUntilStable();
    // Each node sends ELECTION to the ones above and each is answered; the highest announces
    // itself to all, then answers each of the n - 1 late ELECTIONs with COORDINATOR too.
    const election = lastElection(cluster);
    expect(election.electionsStartedCount).toBe(n);
    expect(election.messagesByType).toEqual({
      ELECTION: (n * (n - 1)) / 2,
      ANSWER: (n * (n - 1)) / 2,
      COORDINATOR: 2 * (n - 1),
    });
    expect(election.messagesCount).toBe(n * n + n - 2);
  });

  it("a BullyNode runs on a bare simulation too", () => {
    const ranks = { n1: 1, n2: 2, n3: 3 };
    const sim = new Simulation<BullyMessage>({ seed: 1 });
    for (const id of Object.keys(ranks)) sim.addNode(id, () => new BullyNode({ ranks }));
    sim.runFor(100);
    for (const id of Object.keys(ranks)) {
      expect((sim.processOf(id) as BullyNode).coordinator).toBe("n3");
    }
  });

  it("the coordinator's heartbeats keep followers from electing again", () => {
    const cluster = new BullyCluster({ nodes: 5, seed: 1 });
    cluster.runUntilStable();
    const electionsBefore = cluster.elections().length;
    cluster.runFor(5_000);
    expect(cluster.elections()).toHaveLength(electionsBefore);
    expect(cluster.messageCounts().HEARTBEAT).toBeGreaterThanOrEqual(4 * 49);
  });
});

describe("Bully: the coordinator crashes", () => {
  it.each(SEEDS)("the next highest is elected (seed %i)", (seed) => {
    const cluster = crashedCoordinator(5, seed);
    const crashedAtMs = cluster.now;
    cluster.runUntilStable();
    expect(cluster.coordinators()).toEqual(["n4"]);
    expectAllFollow(cluster, "n4");
    const election = lastElection(cluster);
    expect(election.coordinators).toEqual(["n4"]);
    // Nobody notices before a heartbeat timeout; n4 then waits answerTimeoutMs for dead n5.
    const { heartbeatTimeoutMsMin, heartbeatIntervalMs, answerTimeoutMs } = cluster.timeouts;
    expect(election.startMs - crashedAtMs).toBeGreaterThanOrEqual(
      heartbeatTimeoutMsMin - heartbeatIntervalMs,
    );
    expect((election.endMs ?? 0) - election.startMs).toBeGreaterThanOrEqual(answerTimeoutMs);
    // At least n4's ELECTION to n5 and its COORDINATOR to the 4 others. Followers that suspect
    // at about the same time add their cascades (up to 31 messages over seeds 1-100, above n^2).
    expect(election.messagesCount).toBeGreaterThanOrEqual(5);
    expect(election.messagesCount).toBeLessThanOrEqual(2 * 5 * 5);
  });

  it.each(SEEDS)("twice in a row: n3 after n4 (seed %i)", (seed) => {
    const cluster = crashedCoordinator(5, seed);
    cluster.runUntilStable();
    cluster.crash("n4");
    cluster.runUntilStable();
    expectAllFollow(cluster, "n3");
  });
});

describe("Bully: a higher node takes over (it bullies)", () => {
  it.each(SEEDS)(
    "n5 restarts, elects itself at once and sends n - 1 messages (seed %i)",
    (seed) => {
      const cluster = crashedCoordinator(5, seed);
      cluster.runUntilStable();
      expectAllFollow(cluster, "n4");
      cluster.restart("n5");
      cluster.runUntilStable();
      expectAllFollow(cluster, "n5");
      const election = lastElection(cluster);
      expect(election.starter).toBe("n5");
      expect(election.messagesByType).toEqual({ ELECTION: 0, ANSWER: 0, COORDINATOR: 4 });
    },
  );

  it.each(SEEDS)("a lower node claiming to lead is bullied at once (seed %i)", (seed) => {
    const cluster = new BullyCluster({ nodes: 5, seed });
    cluster.runUntilStable();
    // n2's ELECTIONs are lost, so no ANSWER comes and n2 declares itself coordinator.
    cluster.sim.setTamper((message) =>
      message.type === "ELECTION" && message.from === "n2" ? undefined : message,
    );
    cluster.startElection("n2");
    cluster.runUntilStable();
    expectAllFollow(cluster, "n5");
    const election = lastElection(cluster);
    expect(election.starter).toBe("n2");
    // n3, n4 and n5 each answer n2's COORDINATOR with an election of their own.
    expect([...election.starters].sort()).toEqual(["n2", "n3", "n4", "n5"]);
  });

  it.each(SEEDS)("a recovered lower node elects but the highest stays (seed %i)", (seed) => {
    const cluster = new BullyCluster({ nodes: 5, seed });
    cluster.runUntilStable();
    cluster.crash("n2");
    cluster.runFor(1_000);
    cluster.restart("n2");
    cluster.runUntilStable();
    expectAllFollow(cluster, "n5");
    expect(lastElection(cluster).starter).toBe("n2");
  });
});

describe("Bully: the cost in messages", () => {
  // With the coordinator n crashed: if n - 1 starts, 1 ELECTION (to the dead n) and n - 1
  // COORDINATOR, n in all. If n1 starts, every live node i elects and sends n - i ELECTIONs, the
  // n - 1 - i live ones answer, then n - 1 COORDINATOR: n(n-1)/2 + (n-1)(n-2)/2 + n-1 = n(n-1).
  it.each([
    [5, 1],
    [5, 2],
    [10, 1],
    [10, 2],
  ])("n = %i: the lowest starting costs n(n-1), the second highest n (seed %i)", (n, seed) => {
    const lowest = crashedCoordinator(n, seed);
    lowest.startElection("n1");
    lowest.runUntilStable();
    const fromLowest = lastElection(lowest);
    expect(fromLowest.starter).toBe("n1");
    expect(fromLowest.electionsStartedCount).toBe(n - 1);
    expect(fromLowest.messagesByType).toEqual({
      ELECTION: (n * (n - 1)) / 2,
      ANSWER: ((n - 1) * (n - 2)) / 2,
      COORDINATOR: n - 1,
    });
    expect(fromLowest.messagesCount).toBe(n * (n - 1));

    const second = crashedCoordinator(n, seed);
    second.startElection(`n${n - 1}`);
    second.runUntilStable();
    const fromSecond = lastElection(second);
    expect(fromSecond.messagesCount).toBe(n);

    expect(fromLowest.messagesCount).toBeGreaterThan(fromSecond.messagesCount);
    expect(fromLowest.messagesCount).toBeLessThan(n * n);
    expectAllFollow(lowest, `n${n - 1}`);
    expectAllFollow(second, `n${n - 1}`);
  });

  it.each([5, 10])("n = %i: the lowest starting while the coordinator lives: n^2 - 1", (n) => {
    const cluster = new BullyCluster({ nodes: n, seed: 1 });
    cluster.runUntilStable();
    cluster.startElection("n1");
    cluster.runUntilStable();
    // Every ELECTION is answered; the coordinator answers each of the n - 1 with COORDINATOR.
    const election = lastElection(cluster);
    expect(election.messagesByType).toEqual({
      ELECTION: (n * (n - 1)) / 2,
      ANSWER: (n * (n - 1)) / 2,
      COORDINATOR: n - 1,
    });
    expect(election.messagesCount).toBe(n * n - 1);
    expectAllFollow(cluster, `n${n}`);
  });

  it("the trace draws an election as a sequence diagram", () => {
    const cluster = crashedCoordinator(4, 1);
    const fromMs = cluster.now;
    cluster.startElection("n2");
    cluster.runUntilStable();
    const events = cluster.sim.traceWhere({
      fromMs,
      kinds: ["send", "deliver", "drop", "note"],
      messageTypes: ["ELECTION", "ANSWER", "COORDINATOR"],
    });
    const diagram = toMermaidSequence(events, { participants: ["n1", "n2", "n3", "n4"] });
    // Participants are aliased P0.. in order: P1 is n2, P2 is n3, P3 is the crashed n4.
    expect(diagram).toContain("participant P1 as n2");
    expect(diagram).toContain("P1->>P2: ELECTION");
    expect(diagram).toContain("P1-xP3: ELECTION ✗ crashed");
    expect(diagram).toContain("P2->>P1: ANSWER");
    expect(diagram).toContain("P2->>P0: COORDINATOR");
  });
});

describe("Bully: partitions", () => {
  it.each(SEEDS)("each side elects its highest (split brain), one after heal (seed %i)", (seed) => {
    const cluster = new BullyCluster({ nodes: 5, seed });
    cluster.runUntilStable();
    cluster.partition([
      ["n1", "n2", "n3"],
      ["n4", "n5"],
    ]);
    cluster.runUntilStable();
    expect(cluster.coordinators()).toEqual(["n5", "n3"]);
    for (const id of ["n1", "n2", "n3"]) expect(cluster.coordinatorOf(id)).toBe("n3");
    for (const id of ["n4", "n5"]) expect(cluster.coordinatorOf(id)).toBe("n5");
    expect(lastElection(cluster).coordinators).toEqual(["n5", "n3"]);
    const electionsCount = cluster.elections().length;
    cluster.heal();
    cluster.runUntilStable();
    expect(cluster.coordinators()).toEqual(["n5"]);
    expectAllFollow(cluster, "n5");
    // n5's next heartbeat outranks n3: n1, n2 and n3 follow n5 without an election.
    expect(cluster.elections()).toHaveLength(electionsCount);
  });

  it.each(SEEDS)("an isolated coordinator keeps believing it leads (seed %i)", (seed) => {
    const cluster = new BullyCluster({ nodes: 5, seed });
    cluster.runUntilStable();
    cluster.partition([["n5"]]);
    cluster.runUntilStable();
    expect(cluster.coordinatorOf("n5")).toBe("n5");
    expect(cluster.coordinatorOf("n1")).toBe("n4");
    cluster.heal();
    cluster.runUntilStable();
    expectAllFollow(cluster, "n5");
  });
});

describe("Bully: convergence under faults (property)", () => {
  const fault = fc.record({
    atMs: fc.integer({ min: 0, max: 3_000 }),
    kind: fc.constantFrom("crash", "restart", "partition", "heal"),
    node: fc.integer({ min: 0, max: 6 }),
    cut: fc.integer({ min: 1, max: 6 }),
  });

  const networks = {
    reliable: {},
    jittery: { latency: { kind: "uniform", minMs: 1, maxMs: 8 } },
    lossy: {
      latency: { kind: "uniform", minMs: 1, maxMs: 20 },
      dropProbability: 0.05,
      duplicateProbability: 0.05,
      reorder: true,
    },
  } as const;

  it("once faults stop and the network heals, every live node follows the highest live id", () => {
    assertProperty(
      fc.property(
        fc.integer({ min: 2, max: 7 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.constantFrom("reliable", "jittery", "lossy"),
        fc.array(fault, { maxLength: 20 }),
        (n, seed, networkName, faults) => {
          const cluster = new BullyCluster({
            nodes: n,
            seed,
            traceEventsMax: 0,
            network: networks[networkName],
          });
          const ids = cluster.nodeIds();
          for (const { atMs, kind, node, cut } of faults) {
            const id = ids[node % n] as string;
            cluster.sim.at(atMs, () => {
              if (kind === "crash" && cluster.isUp(id)) cluster.crash(id);
              if (kind === "restart" && !cluster.isUp(id)) cluster.restart(id);
              if (kind === "partition") cluster.partition([ids.slice(0, 1 + (cut % (n - 1)))]);
              if (kind === "heal") cluster.heal();
            });
          }
          cluster.runFor(3_001);
          cluster.heal();
          cluster.runUntilStable({ timeMsMax: 30_000 });
          const highest = cluster.highestLiveNode();
          if (highest === null) return;
          expectAllFollow(cluster, highest);
          expect(cluster.coordinators()).toEqual([highest]);
          if (networkName === "lossy") return; // lost heartbeats may start (useless) elections
          // Stable means stable: no election while no fault happens.
          const electionsCount = cluster.elections().length;
          cluster.runFor(2_000);
          expectAllFollow(cluster, highest);
          expect(cluster.elections()).toHaveLength(electionsCount);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("Bully: determinism", () => {
  it("the same seed and script give the same trace", () => {
    const run = () => {
      const cluster = new BullyCluster({
        nodes: 5,
        seed: 7,
        network: { latency: { kind: "uniform", minMs: 1, maxMs: 10 } },
      });
      cluster.runUntilStable();
      cluster.crash("n5");
      cluster.runUntilStable();
      return JSON.stringify(cluster.sim.trace);
    };
    expect(run()).toBe(run());
  });
});

describe("Bully: errors name the value", () => {
  it.each([
    [{ nodes: 0, seed: 1 }, "nodes must be an integer >= 1, got 0"],
    [{ nodes: ["a1", "a1"], seed: 1 }, 'nodes must be distinct node ids, got "a1"'],
    [{ nodes: ["leader", "n2"], seed: 1 }, 'ending in its rank (like "n3")'],
    [{ nodes: 3, seed: -1 }, "seed must be an integer >= 0, got -1"],
    [{ nodes: 3, seed: 1, colour: "red" }, 'unknown option "colour"'],
    [{ nodes: ["a", "b"], seed: 1, ranks: { a: 1, b: 1 } }, 'ranks["b"] must be a rank no other'],
    [{ nodes: ["a", "b"], seed: 1, ranks: { a: 1 } }, 'ranks["b"] must be a rank, got "b"'],
    [{ nodes: 3, seed: 1, timeouts: { answerTimeoutMs: 0 } }, "answerTimeoutMs must be a finite"],
    [
      { nodes: 3, seed: 1, timeouts: { heartbeatTimeoutMsMin: 100 } },
      "timeouts.heartbeatTimeoutMsMin must be more than heartbeatIntervalMs (100), got 100",
    ],
    [
      { nodes: 3, seed: 1, timeouts: { heartbeatTimeoutMsMax: 200 } },
      "heartbeatTimeoutMsMax must be at least heartbeatTimeoutMsMin (300), got 200",
    ],
  ])("BullyCluster(%j) throws", (options, message) => {
    expect(() => new BullyCluster(options as never)).toThrow(message);
  });

  it("fault and query methods name an unknown or wrong node", () => {
    const cluster = new BullyCluster({ nodes: 3, seed: 1 });
    expect(() => cluster.crash("n9")).toThrow(
      'node must be a node of this cluster ("n1", "n2", "n3"), got "n9"',
    );
    expect(() => cluster.restart("n1")).toThrow('restart(node) must be a crashed node, got "n1"');
    cluster.crash("n1");
    expect(() => cluster.crash("n1")).toThrow('crash(node) must be a running node, got "n1"');
    expect(() => cluster.runUntilStable({ timeMsMax: -1 })).toThrow("timeMsMax must be");
  });

  it("a node outside the ranks table is refused when it starts", () => {
    const sim = new Simulation<BullyMessage>({ seed: 1 });
    sim.addNode("x", () => new BullyNode({ ranks: { n1: 1 } }));
    expect(() => sim.runFor(1)).toThrow(
      'node id must be a member of the ranks table ("n1"), got "x"',
    );
  });
});
