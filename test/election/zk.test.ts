// The ZooKeeper-style service and its election recipe: sessions, ephemeral sequential znodes,
// one-shot watches, the lowest sequence leads, predecessor watches vs the herd effect.
// Reference: Hunt, Konar, Junqueira and Reed, "ZooKeeper", USENIX ATC 2010, §2.2 and §2.4.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvariantViolation } from "../../src/sim/assert.js";
import { Simulation } from "../../src/sim/simulation.js";
import { ZkClient } from "../../src/election/zk-client.js";
import {
  type ZkMessage,
  type ZkResult,
  ZkServer,
  zkMessageLabel,
  zkValidatePath,
} from "../../src/election/zk-server.js";
import { toMermaidSequence } from "../../src/sim/diagram.js";
import { ZK_ELECTION_RECIPES, ZkElection } from "../../src/election/zk.js";
import { assertProperty } from "../support/property.js";

const SEEDS = [1, 2, 3, 4, 5, 6];
const TIMEOUT_MS = 1000;

/** Candidate indices ordered by their znode's sequence number (lowest first). */
function bySequence(election: ZkElection): number[] {
  const owners: { index: number; znode: string }[] = [];
  for (let i = 0; i < election.candidates; i++) {
    const znode = election.candidate(i)?.znode;
    if (znode !== undefined) owners.push({ index: i, znode });
  }
  return owners.sort((a, b) => (a.znode < b.znode ? -1 : 1)).map((o) => o.index);
}

function settledElection(seed: number, recipe: "predecessor" | "herd" = "predecessor"): ZkElection {
  const election = new ZkElection({ candidates: 5, seed, recipe, sessionTimeoutMs: TIMEOUT_MS });
  election.runUntilSettled();
  return election;
}

describe("§2.4 leader election: the lowest sequence number leads", () => {
  it.each(SEEDS)("the candidate with the lowest znode leads, the others wait (seed %i)", (seed) => {
    const election = settledElection(seed);
    const order = bySequence(election);
    expect(order).toHaveLength(5);
    expect(election.leaders()).toEqual([order[0]]);
    expect(election.candidate(order[0]!)?.znode).toBe(election.lowestZnode());
    expect(election.server().children("/election")).toEqual(
      [0, 1, 2, 3, 4].map((n) => `n_${String(n).padStart(10, "0")}`),
    );
  });

  it.each(SEEDS)("each waiting candidate watches only its predecessor (seed %i)", (seed) => {
    const election = settledElection(seed);
    const order = bySequence(election);
    for (let k = 1; k < order.length; k++) {
      expect(election.candidate(order[k]!)?.watched).toBe(election.candidate(order[k - 1]!)?.znode);
    }
  });

  it.each(SEEDS)(
    "leader crash: the next lowest leads after the session timeout (seed %i)",
    (seed) => {
      const election = settledElection(seed);
      const order = bySequence(election);
      const change = election.crashLeader();
      expect(change.from).toBe(order[0]);
      expect(change.to).toBe(order[1]);
      // The service learns of the crash only by the missing heartbeats: a full session timeout.
      expect(change.latencyMs).toBeGreaterThanOrEqual(TIMEOUT_MS - TIMEOUT_MS / 3);
      expect(change.latencyMs).toBeLessThanOrEqual(TIMEOUT_MS + 10 + 3 * 5);
      expect(change.notifications).toBe(1);
      expect(change.getChildrenCalls).toBe(1);
    },
  );

  it("the time to a new leader follows the session timeout", () => {
    const latencies = [300, 1000, 3000].map((sessionTimeoutMs) => {
      const election = new ZkElection({ candidates: 3, seed: 7, sessionTimeoutMs });
      return election.crashLeader().latencyMs / sessionTimeoutMs;
    });
    for (const ratio of latencies) {
      expect(ratio).toBeGreaterThan(0.6);
      expect(ratio).toBeLessThan(1.2);
    }
  });

  it.each(SEEDS)(
    "a middle candidate's crash: same leader, only its successor wakes (seed %i)",
    (seed) => {
      const election = settledElection(seed);
      const order = bySequence(election);
      const leaderBefore = election.leader();
      const notificationsBefore = election.notificationsCount;
      const getChildrenBefore = election.operationCounts().getChildren;
      election.crash(order[2]!);
      election.runFor(TIMEOUT_MS + 200);
      expect(election.leader()).toBe(leaderBefore);
      expect(election.notificationsCount - notificationsBefore).toBe(1);
      expect(election.operationCounts().getChildren - getChildrenBefore).toBe(1);
      // The successor re-checked: its predecessor died but it is still not the lowest.
      expect(election.candidate(order[3]!)?.watched).toBe(election.candidate(order[1]!)?.znode);
    },
  );
});

describe("§2.4 herd effect: watching the leader wakes every candidate", () => {
  it.each(SEEDS)("herd notifies all n - 1 candidates, predecessor only 1 (seed %i)", (seed) => {
    const herd = settledElection(seed, "herd").crashLeader();
    const predecessor = settledElection(seed, "predecessor").crashLeader();
    expect(herd.notifications).toBe(4);
    expect(herd.getChildrenCalls).toBe(4);
    expect(predecessor.notifications).toBe(1);
    expect(predecessor.getChildrenCalls).toBe(1);
    expect(herd.messagesWithoutHeartbeats).toBeGreaterThan(predecessor.messagesWithoutHeartbeats);
  });

  it("the herd grows with the number of candidates, the predecessor recipe does not", () => {
    for (const candidates of [3, 10, 20]) {
      const run = (recipe: "predecessor" | "herd") =>
        new ZkElection({ candidates, seed: 11, recipe }).crashLeader();
      expect(run("herd").notifications).toBe(candidates - 1);
      expect(run("herd").getChildrenCalls).toBe(candidates - 1);
      expect(run("predecessor").getChildrenCalls).toBe(1);
      expect(run("predecessor").notifications).toBe(1);
    }
  });
});

describe("§2.2 sessions: ephemeral znodes end with their session", () => {
  it("a crashed candidate's znode is deleted once its session expires, not before", () => {
    const election = settledElection(1);
    const order = bySequence(election);
    const znode = election.candidate(order[4]!)!.znode!;
    election.crash(order[4]!);
    election.runFor(TIMEOUT_MS / 2);
    expect(election.server().has(znode)).toBe(true);
    election.runFor(TIMEOUT_MS);
    expect(election.server().has(znode)).toBe(false);
  });

  it("a session established after its timeout (a long pause) is closed and started over", () => {
    const election = new ZkElection({ candidates: 3, seed: 5, sessionTimeoutMs: TIMEOUT_MS });
    election.runFor(0.5); // every candidate has sent its connect; no reply has arrived yet
    election.pause(0, 2 * TIMEOUT_MS);
    election.runFor(3 * TIMEOUT_MS);
    election.runUntilSettled();
    expect(election.candidate(0)?.session).toBeGreaterThan(3);
    expect(election.server().sessionsCount).toBe(3);
    expect(election.leaders()).toHaveLength(1);
  });

  it("a restarted candidate gets a new session and a znode at the end of the line", () => {
    const election = settledElection(2);
    const order = bySequence(election);
    const leader = order[0]!;
    election.crash(leader);
    election.restart(leader);
    election.runFor(50);
    // Its old session still holds the lowest znode: nobody leads until it expires.
    expect(election.leader()).toBe(-1);
    election.runUntilLeader();
    expect(election.leader()).toBe(order[1]);
    expect(election.candidate(leader)?.znode).toBe("/election/n_0000000005");
    expect(election.leaders()).toEqual([order[1]]);
  });
});

describe("at most one candidate believes it leads", () => {
  it.each(SEEDS)(
    "a partitioned leader stops believing at its own session deadline, before the next leads (seed %i)",
    (seed) => {
      const election = settledElection(seed);
      const old = election.leader();
      const sessionBefore = election.candidate(old)!.session;
      election.isolate(old);
      let stoppedAtMs = -1;
      const next = election.runUntil(() => {
        if (stoppedAtMs < 0 && !election.leaders().includes(old)) stoppedAtMs = election.now;
        const leader = election.leader();
        return leader !== -1 && leader !== old;
      }, 3 * TIMEOUT_MS);
      expect(next).toBe(true);
      expect(stoppedAtMs).toBeGreaterThan(0);
      expect(stoppedAtMs).toBeLessThanOrEqual(election.now);
      // The old leader noticed by itself: it heard nothing from the service meanwhile.
      expect(election.candidate(old)!.session).not.toBe(sessionBefore);
      election.heal();
      election.runUntilSettled();
      expect(election.leaders()).toHaveLength(1);
      expect(election.leader()).not.toBe(old);
    },
  );

  it("a leader paused past its session no longer counts as leader and rejoins behind", () => {
    const election = settledElection(3);
    const old = election.leader();
    election.pause(old, 2 * TIMEOUT_MS);
    election.runFor(TIMEOUT_MS + 100);
    const next = election.leader();
    expect(next).not.toBe(-1);
    expect(next).not.toBe(old);
    election.runFor(2 * TIMEOUT_MS);
    election.runUntilSettled();
    expect(election.leader()).toBe(next);
    expect(election.candidate(old)?.watched).toBeDefined();
  });

  it.each(SEEDS)(
    "without the client-side deadline a partitioned leader believes on: the checker catches it (seed %i)",
    (seed) => {
      const election = new ZkElection({ candidates: 3, seed, clientDeadline: false });
      election.runUntilSettled();
      election.isolate(election.leader());
      expect(() => election.runFor(3 * TIMEOUT_MS)).toThrow(
        "a leader's znode is the lowest under /election",
      );
    },
  );

  it.each(SEEDS)(
    "without the client-side deadline and unchecked, two candidates believe they lead (seed %i)",
    (seed) => {
      const election = new ZkElection({
        candidates: 3,
        seed,
        clientDeadline: false,
        checkInvariants: false,
      });
      election.runUntilSettled();
      const old = election.leader();
      election.isolate(old);
      election.runFor(3 * TIMEOUT_MS);
      expect(election.leaders()).toHaveLength(2);
      expect(election.leaders()).toContain(old);
      expect(election.leader()).toBe(-1);
    },
  );

  it("the checker catches two believers when a leader's clock runs slow (no drift bound)", () => {
    const election = settledElection(4);
    const old = election.leader();
    election.sim.setClock(`c${old}`, { driftPpm: -500_000 });
    election.isolate(old);
    expect(() => election.runFor(3 * TIMEOUT_MS)).toThrow(InvariantViolation);
  });

  it("over random crash, restart, partition and pause schedules", () => {
    type Fault = {
      atMs: number;
      kind: "crash" | "restart" | "isolate" | "heal" | "pause";
      who: number;
    };
    const fault = fc.record({
      atMs: fc.integer({ min: 0, max: 4_000 }),
      kind: fc.constantFrom("crash", "restart", "isolate", "heal", "pause") as fc.Arbitrary<
        Fault["kind"]
      >,
      who: fc.nat({ max: 99 }),
    });
    assertProperty(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 2, max: 5 }),
        fc.constantFrom(...ZK_ELECTION_RECIPES),
        fc.array(fault, { maxLength: 12 }),
        (seed, candidates, recipe, faults) => {
          const election = new ZkElection({ candidates, seed, recipe, sessionTimeoutMs: 300 });
          let doneMs = 0;
          for (const f of [...faults].sort((a, b) => a.atMs - b.atMs)) {
            election.runFor(f.atMs - doneMs); // the harness asserts at most one believer per event
            doneMs = f.atMs;
            const who = f.who % candidates;
            const up = election.sim.isUp(`c${who}`);
            if (f.kind === "crash" && up) election.crash(who);
            if (f.kind === "restart" && !up) election.restart(who);
            if (f.kind === "isolate") election.isolate(who);
            if (f.kind === "heal") election.heal();
            if (f.kind === "pause" && up) election.pause(who, 200 + f.atMs / 10);
          }
          election.heal();
          for (let i = 0; i < candidates; i++) if (!election.sim.isUp(`c${i}`)) election.restart(i);
          election.runFor(1_000);
          election.runUntilSettled();
          expect(election.leaders()).toHaveLength(1);
          expect(election.candidate(election.leader())?.znode).toBe(election.lowestZnode());
        },
      ),
      { numRuns: 40 },
    );
  });
});

/** A client that runs `script` once connected and records every result in order. */
class ScriptedClient extends ZkClient {
  readonly results: ZkResult[] = [];
  readonly watches: string[] = [];
  constructor(private readonly script: (client: ScriptedClient) => void) {
    super({ server: "zk", sessionTimeoutMs: 1000, heartbeatMs: 300 });
  }
  record = (result: ZkResult): void => {
    this.results.push(result);
  };
  protected override onConnected(): void {
    this.script(this);
  }
  protected override onWatch(path: string, change: "created" | "deleted"): void {
    this.watches.push(`${change} ${path}`);
  }
}

function runScript(script: (client: ScriptedClient) => void): {
  client: ScriptedClient;
  server: ZkServer;
} {
  const sim = new Simulation<ZkMessage>({ seed: 1 });
  sim.addNode(
    "zk",
    () => new ZkServer({ sessionTimeoutMs: 1000, expiryCheckMs: 10, resendAfterMs: 300 }),
  );
  sim.addNode("c", () => new ScriptedClient(script));
  sim.runFor(500);
  return { client: sim.processOf("c") as ScriptedClient, server: sim.processOf("zk") as ZkServer };
}

describe("the service's operations", () => {
  it("create, getChildren, delete and their errors", () => {
    const { client } = runScript((c) => {
      c.create("/a", {}, c.record);
      c.create("/a", {}, c.record); // nodeExists
      c.create("/missing/x", {}, c.record); // noNode
      c.create("/a/s-", { sequential: true }, c.record);
      c.create("/a/s-", { sequential: true }, c.record);
      c.create("/e", { ephemeral: true }, c.record);
      c.create("/e/x", {}, c.record); // noChildrenForEphemerals
      c.getChildren("/a", c.record);
      c.delete("/a", c.record); // notEmpty
      c.delete("/nothing", c.record); // noNode
      c.delete("/a/s-0000000000", c.record);
      c.getChildren("/a", c.record);
    });
    expect(client.results).toEqual([
      { path: "/a" },
      { error: "nodeExists" },
      { error: "noNode" },
      { path: "/a/s-0000000000" },
      { path: "/a/s-0000000001" },
      { path: "/e" },
      { error: "noChildrenForEphemerals" },
      { children: ["s-0000000000", "s-0000000001"] },
      { error: "notEmpty" },
      { error: "noNode" },
      { path: "/a/s-0000000000" },
      { children: ["s-0000000001"] },
    ]);
  });

  it("an exists-watch fires once, at the next change only", () => {
    const { client } = runScript((c) => {
      c.exists("/w", true, c.record);
      c.create("/w", {}, c.record);
      c.delete("/w", c.record);
    });
    expect(client.results[0]).toEqual({ exists: false });
    expect(client.watches).toEqual(["created /w"]);
  });
});

describe("sequence diagrams of a run", () => {
  it("label operations and watch notifications, not envelope types", () => {
    const election = new ZkElection({ candidates: 2, seed: 1, traceEventsMax: 10_000 });
    election.runUntilSettled();
    const diagram = toMermaidSequence(election.sim.trace, { label: zkMessageLabel });
    expect(diagram).toContain("create /election/n_ ephemeral sequential");
    expect(diagram).toContain("getChildren /election");
    expect(diagram).toContain("exists /election/n_0000000000 +watch");
    expect(diagram).toContain("[n_0000000000, n_0000000001]");
    expect(diagram).not.toContain("zkRequest");
  });
});

describe("errors name the bad value", () => {
  it.each([
    [{ candidates: 0, seed: 1 }, "candidates must be an integer in [1, 100], got 0"],
    [{ candidates: 3, seed: -1 }, "seed must be an integer >= 0, got -1"],
    [
      { candidates: 3, seed: 1, recipe: "flock" },
      'recipe must be "predecessor" or "herd", got "flock"',
    ],
    [
      { candidates: 3, seed: 1, sessionTimeoutMs: 10 },
      "sessionTimeoutMs must be an integer >= 30, got 10",
    ],
    [
      { candidates: 3, seed: 1, clientDeadline: "no" },
      'clientDeadline must be true or false, got "no"',
    ],
    [
      { candidates: 3, seed: 1, sessionTimeoutMs: 600, heartbeatMs: 600 },
      "heartbeatMs must be an integer in [1, 599], got 600",
    ],
    [
      { candidates: 3, seed: 1, timeoutMs: 5 },
      'ZkElection options has an unknown option "timeoutMs"; known options: candidates, seed, recipe, sessionTimeoutMs, heartbeatMs, expiryCheckMs, traceEventsMax, clientDeadline, checkInvariants',
    ],
  ])("new ZkElection(%j)", (options, message) => {
    expect(() => new ZkElection(options as never)).toThrow(message);
  });

  it.each(["election", "/a/", "/a//b", ""])("path %j", (path) => {
    expect(() => zkValidatePath(path)).toThrow(
      `path must be an absolute znode path ("/" or "/a/b": starts with "/", no empty segment, no trailing "/"), got ${JSON.stringify(path)}`,
    );
  });

  it("bad candidates in fault controls", () => {
    const election = new ZkElection({ candidates: 3, seed: 1 });
    expect(() => election.crash(3)).toThrow("candidate must be an integer in [0, 2], got 3");
    election.crash(1);
    expect(() => election.crash(1)).toThrow("crash(candidate) must be a running candidate, got 1");
    expect(() => election.restart(0)).toThrow(
      "restart(candidate) must be a crashed candidate, got 0",
    );
  });

  it("create and delete of the root, and a request before the session", () => {
    const client = new ScriptedClient(() => {});
    expect(() => client.getChildren("/", () => {})).toThrow(
      'getChildren("/") needs a session: call it from onConnected or later, not while the client is connecting',
    );
    expect(() => client.create("/", {}, () => {})).toThrow(
      'path must not be "/" for create, got "/"',
    );
    expect(() => client.delete("/", () => {})).toThrow('path must not be "/" for delete, got "/"');
  });
});
