// The replicated key-value store on Raft: linearizable histories (reads through the log, ReadIndex
// and leases) under faults, each command applied exactly once, and leases broken by clock drift.
// Reference: Ongaro's thesis §6.3 (client sessions) and §6.4 (ReadIndex, leases). RAFT_SEEDS=N.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RaftKvCluster } from "../../../src/consensus/raft/kv-cluster.js";
import {
  RAFT_KV_READ_PATHS,
  type RaftKvReadPath,
  RaftKvServer,
} from "../../../src/consensus/raft/kv.js";
import {
  type CheckResult,
  type KvInput,
  type KvOutput,
  type Operation,
  checkOperations,
  kvModel,
} from "../../../src/consistency/linearizability/index.js";
import type { Envelope } from "../../../src/sim/types.js";
import { assertProperty } from "../../support/property.js";
import { raftSeeds } from "./support.js";

type KvOperation = Operation<KvInput, KvOutput>;

/** Runs until a running server other than `not` leads the highest term; returns it. */
function leaderOtherThan(kv: RaftKvCluster, not: number): number {
  for (let waitedMs = 0; waitedMs <= 5_000; waitedMs += 10) {
    const leader = kv.leader();
    if (leader !== -1 && leader !== not) return leader;
    kv.runFor(10);
  }
  throw new Error(`no leader other than ${not} within 5 s (seed ${kv.seed})`);
}

/** The history's verdict, with the seed and the culprit in the failure message. */
function expectLinearizable(kv: RaftKvCluster, history: KvOperation[]): void {
  const result = checkOperations(kvModel, history);
  const detail = result.result === "illegal" ? `: ${result.culprit.description}` : "";
  expect(result.result, `seed ${kv.seed}${detail}`).toBe("ok");
}

/** Each operation of the history with its client's sequence number (1, 2, ... per client). */
function withSeqs(history: readonly KvOperation[]): { operation: KvOperation; seq: number }[] {
  const seqs = new Map<number, number>();
  return history.map((operation) => {
    const seq = (seqs.get(operation.clientId) ?? 0) + 1;
    seqs.set(operation.clientId, seq);
    return { operation, seq };
  });
}

/**
 * Exactly once: every acknowledged command that went through the log took effect at one log
 * index, one still waiting at most at one, and no command took effect twice.
 */
function expectExactlyOnce(kv: RaftKvCluster): void {
  for (const { operation, seq } of withSeqs(kv.history())) {
    if (operation.input.op === "get" && kv.reads !== "log") continue;
    const count = kv.appliedCount(operation.clientId, seq);
    const what = `client ${operation.clientId} seq ${seq} (seed ${kv.seed})`;
    if (operation.output.status === "ok") expect(count, what).toBe(1);
    else expect(count, what).toBeLessThanOrEqual(1);
  }
  expect(kv.duplicatesCount(), `seed ${kv.seed}`).toBe(0);
}

/** Every running server applied the same data (run after the cluster is healed and idle). */
function expectReplicasAgree(kv: RaftKvCluster): void {
  kv.runFor(1_000);
  const leader = kv.server(leaderOtherThan(kv, -1));
  for (let i = 0; i < kv.servers; i++) {
    expect(kv.server(i)?.data, `server ${i} (seed ${kv.seed})`).toEqual(leader?.data);
  }
}

/** Heals everything, restarts crashed servers and lets every client finish. */
function settle(kv: RaftKvCluster): void {
  kv.heal();
  kv.setReliable(true);
  for (let i = 0; i < kv.servers; i++) if (!kv.isUp(i)) kv.restart(i);
  kv.runUntilIdle();
}

/**
 * A workload of 4 s on 5 servers and 4 clients over an unreliable network: the leader crashes at
 * 1 s and restarts at 1.5 s, the leader of 2 s is cut off with one follower until 3 s.
 */
function faultyRun(seed: number, reads: RaftKvReadPath): RaftKvCluster {
  const kv = new RaftKvCluster({
    servers: 5,
    clients: 4,
    seed,
    reads,
    reliable: false,
    snapshotEvery: 10,
  });
  kv.startWorkload({ durationMs: 4_000 });
  kv.runFor(1_000);
  const crashed = kv.leader();
  if (crashed !== -1) kv.crash(crashed);
  kv.runFor(500);
  if (crashed !== -1) kv.restart(crashed);
  kv.runFor(500);
  const cut = kv.leader();
  if (cut !== -1) kv.partition([[cut, (cut + 1) % kv.servers]]);
  kv.runFor(1_000);
  kv.heal();
  kv.runFor(1_000);
  settle(kv);
  return kv;
}

describe("thesis §6.3 and §6.4: the store's histories are linearizable", () => {
  describe.each(["log", "readIndex"] as const)("reads through %s", (reads) => {
    it.each(raftSeeds())(
      "seed %i: unreliable network, a leader crash, a partition and snapshots",
      (seed) => {
        const kv = faultyRun(seed, reads);
        const history = kv.history();
        // Enough operations that a stale read or a lost write would show (about 10 per second
        // on this network, none during the elections).
        expect(history.length, `seed ${seed}`).toBeGreaterThan(20);
        expect(history.filter((op) => op.input.op === "get").length).toBeGreaterThan(5);
        const servers = Array.from({ length: kv.servers }, (_, i) => kv.server(i));
        expect(servers.some((server) => (server?.raft.snapshotIndex ?? 0) > 0)).toBe(true);
        expectLinearizable(kv, history);
        expectReplicasAgree(kv);
      },
    );
  });

  it.each(raftSeeds())("seed %i: a get served by a follower is refused, then retried", (seed) => {
    const kv = new RaftKvCluster({ servers: 3, clients: 1, seed, reads: "readIndex" });
    const leader = leaderOtherThan(kv, -1);
    kv.invoke(0, { op: "put", key: "x", value: "1" }, leader);
    kv.runUntilIdle();
    const sentBefore = kv.requestsSent();
    kv.invoke(0, { op: "get", key: "x" }, (leader + 1) % kv.servers);
    kv.runUntilIdle();
    expect(kv.history()[1]?.output).toEqual({ status: "ok", value: "1" });
    // The follower answered "wrongLeader" with a hint, and the client asked the leader next.
    expect(kv.requestsSent() - sentBefore).toBe(2);
  });
});

describe("thesis §6.3: each command is applied exactly once", () => {
  it.each(raftSeeds())(
    "seed %i: every (clientId, seq) takes effect at one log index although replies are lost",
    (seed) => {
      const kv = new RaftKvCluster({
        servers: 5,
        clients: 4,
        seed,
        reliable: false,
        snapshotEvery: 10,
      });
      kv.startWorkload({ durationMs: 4_000 });
      kv.runFor(4_000);
      settle(kv);
      const history = kv.history();
      // Clients did retry, and some retries reached the log and were recognised there.
      expect(kv.requestsSent(), `seed ${seed}`).toBeGreaterThan(history.length);
      const skipped = Array.from({ length: kv.servers }, (_, i) => kv.server(i)?.duplicatesSkipped);
      expect(Math.max(...skipped.map((n) => n ?? 0)), `seed ${seed}`).toBeGreaterThan(0);
      expectExactlyOnce(kv);
      expectLinearizable(kv, history);
    },
  );

  /** Appends "a" with the first reply lost, then reads x: the retry must not append again. */
  function lostReplyRun(seed: number, deduplicate: boolean) {
    const kv = new RaftKvCluster({ servers: 3, clients: 2, seed, deduplicate });
    const leader = leaderOtherThan(kv, -1);
    let dropped = 0;
    kv.sim.setTamper((message: Envelope) => {
      if (message.type !== "KvReply" || message.to !== "c0" || dropped > 0) return message;
      dropped++;
      return undefined;
    });
    kv.invoke(0, { op: "append", key: "x", value: "a" }, leader);
    kv.runUntilIdle();
    kv.sim.setTamper(undefined);
    kv.runFor(5);
    kv.invoke(1, { op: "get", key: "x" });
    kv.runUntilIdle();
    expect(dropped).toBe(1);
    return { kv, history: kv.history(), result: checkOperations(kvModel, kv.history()) };
  }

  it.each(raftSeeds())(
    "seed %i: the retry of an append whose reply was lost is answered from the session table",
    (seed) => {
      const { kv, history, result } = lostReplyRun(seed, true);
      expect(kv.appliedCount(0, 1)).toBe(1);
      expect(history[1]?.output).toEqual({ status: "ok", value: "a" });
      expect(result.result).toBe("ok");
    },
  );

  it.each(raftSeeds())(
    "seed %i: break it, deduplicate false: the retried append is applied twice and the checker rejects the history",
    (seed) => {
      const { kv, history, result } = lostReplyRun(seed, false);
      expect(kv.appliedCount(0, 1)).toBe(2);
      expect(kv.duplicatesCount()).toBe(1);
      expect(history[1]?.output).toEqual({ status: "ok", value: "aa" });
      expect(result.result).toBe("illegal");
      if (result.result === "illegal") {
        expect(result.culprit.description).toBe('get("x") -> "aa"');
      }
    },
  );

  it.each(raftSeeds())(
    "seed %i: servers restarted from snapshots rebuild the same session table",
    (seed) => {
      const kv = new RaftKvCluster({ servers: 3, clients: 2, seed, snapshotEvery: 5 });
      for (let k = 0; k < 12; k++) {
        kv.invoke(k % 2, { op: "append", key: `k${k % 3}`, value: `${k};` });
        kv.runUntilIdle();
      }
      kv.runFor(500);
      const before = kv.server(0);
      const sessions = new Map(before?.sessions);
      const data = new Map(before?.data);
      for (let i = 0; i < kv.servers; i++) kv.crash(i);
      for (let i = 0; i < kv.servers; i++) kv.restart(i);
      kv.runFor(1);
      for (let i = 0; i < kv.servers; i++) {
        const server = kv.server(i) as RaftKvServer;
        expect(server.raft.snapshotIndex, `server ${i}`).toBeGreaterThan(0);
        expect(server.raft.lastApplied).toBe(server.raft.snapshotIndex);
      }
      kv.invoke(0, { op: "get", key: "k0" });
      kv.runUntilIdle();
      kv.runFor(500);
      for (let i = 0; i < kv.servers; i++) {
        const server = kv.server(i) as RaftKvServer;
        expect(server.data, `server ${i}`).toEqual(data);
        expect(server.sessions.get(1), `server ${i}`).toEqual(sessions.get(1));
      }
      expectExactlyOnce(kv);
    },
  );
});

/**
 * Thesis §6.4: the leader L is cut off from the other servers (clients still reach it) and its
 * clock set to `driftPpm`; a new leader commits x = "2", then a client that knows L reads x there.
 */
function oldLeaderScenario(seed: number, driftPpm: number, reads: RaftKvReadPath = "lease") {
  const kv = new RaftKvCluster({ servers: 3, clients: 2, seed, reads, driftBound: 0.01 });
  const old = leaderOtherThan(kv, -1);
  kv.invoke(0, { op: "put", key: "x", value: "1" }, old);
  kv.runUntilIdle();
  kv.runFor(150);
  kv.setClock(old, { driftPpm });
  kv.isolate(old);
  const next = leaderOtherThan(kv, old);
  kv.invoke(1, { op: "put", key: "x", value: "2" }, next);
  kv.runUntilIdle();
  kv.runFor(5); // the read starts strictly after the write returned
  const read = kv.invoke(0, { op: "get", key: "x" }, old);
  kv.runUntilIdle();
  const history = kv.history();
  return { kv, history, read: history[read] as KvOperation };
}

describe("thesis §6.4.1: lease reads and the clock assumption", () => {
  it.each(raftSeeds())(
    "seed %i: with drift within driftBound the old leader's lease ends before a new leader is elected",
    (seed) => {
      // -5000 ppm: 0.5 % slow, inside the 1 % bound.
      const { kv, history, read } = oldLeaderScenario(seed, -5_000);
      expect(read.output).toEqual({ status: "ok", value: "2" });
      expectLinearizable(kv, history);
    },
  );

  it.each(raftSeeds())(
    "seed %i: the partitioned old leader's slow clock (-800000 ppm) serves a stale lease read that the checker names",
    (seed) => {
      // The lease is about 300 ms of the old leader's clock: 1.5 s of true time at one fifth of
      // the speed, while the others elect a leader within 0.3-0.6 s of losing contact.
      const { history, read } = oldLeaderScenario(seed, -800_000);
      expect(read.output).toEqual({ status: "ok", value: "1" });
      const result: CheckResult<KvInput, KvOutput> = checkOperations(kvModel, history);
      expect(result.result).toBe("illegal");
      if (result.result !== "illegal") return;
      expect(result.culprit.operation).toBe(read);
      expect(result.culprit.description).toBe('get("x") -> "1"');
    },
  );

  it.each(raftSeeds())(
    "seed %i: ReadIndex needs no clock: the same slow old leader confirms nothing and the read is fresh",
    (seed) => {
      // Thesis §6.4: the heartbeat round of ReadIndex cannot reach a majority from the old
      // leader's side, so it never serves the read, however slowly its clock runs.
      const { kv, history, read } = oldLeaderScenario(seed, -800_000, "readIndex");
      expect(read.output).toEqual({ status: "ok", value: "2" });
      expectLinearizable(kv, history);
    },
  );

  /** Seeds 1..10: the election below lands inside the old lease on about half of them. */
  const restartSeeds = Array.from({ length: 10 }, (_, i) => i + 1);

  it.each(restartSeeds)(
    "seed %i: a restarted follower grants no vote within the minimum election timeout, so a lease it acknowledged still holds",
    (seed) => {
      // Thesis §4.2.3: a server that heard from a leader within the minimum election timeout
      // does not vote; a restarted server cannot know it did not, so it must wait as if it had.
      // Leader L and follower B cannot reach each other; A reaches both. A acknowledges L's
      // heartbeats (refusing B's pre-votes), then L is cut off and A crashes and restarts at
      // once. No clock drifts. If A votes for B at once, B leads while L's lease still holds.
      const kv = new RaftKvCluster({ servers: 3, clients: 2, seed, reads: "lease" });
      const old = leaderOtherThan(kv, -1);
      const [a, b] = [(old + 1) % 3, (old + 2) % 3];
      kv.invoke(0, { op: "put", key: "x", value: "1" }, old);
      kv.runUntilIdle();
      kv.runFor(50);
      kv.sim.partitionOneWay([`s${old}`], [`s${b}`]);
      kv.sim.partitionOneWay([`s${b}`], [`s${old}`]);
      kv.runFor(700);
      kv.isolate(old);
      kv.crash(a);
      kv.restart(a);
      const next = leaderOtherThan(kv, old);
      kv.invoke(1, { op: "put", key: "x", value: "2" }, next);
      kv.runUntilIdle();
      kv.runFor(5);
      kv.invoke(0, { op: "get", key: "x" }, old);
      kv.runUntilIdle();
      expectLinearizable(kv, kv.history());
    },
  );

  it.each(raftSeeds())(
    "seed %i: random workload with every clock drifting within the bound stays linearizable",
    (seed) => {
      const kv = new RaftKvCluster({
        servers: 5,
        clients: 4,
        seed,
        reads: "lease",
        driftBound: 0.01,
        snapshotEvery: 10,
      });
      // Each clock within 0.4 % of true time: any two differ in rate by less than 1 %.
      const drifts = [-4_000, 4_000, -2_000, 3_000, 0];
      drifts.forEach((driftPpm, i) => kv.setClock(i, { driftPpm }));
      kv.startWorkload({ durationMs: 4_000, getProbability: 0.6 });
      for (let round = 0; round < 4; round++) {
        kv.runFor(500);
        const leader = kv.leader();
        if (leader !== -1) kv.isolate(leader);
        kv.runFor(500);
        kv.heal();
      }
      settle(kv);
      expect(kv.history().length).toBeGreaterThan(50);
      expectLinearizable(kv, kv.history());
      expectExactlyOnce(kv);
    },
  );
});

describe("property: random fault schedules and workloads", () => {
  const fault = fc.record({
    atMs: fc.integer({ min: 0, max: 3_000 }),
    kind: fc.constantFrom(
      "crash",
      "restart",
      "partition",
      "isolateLeader",
      "heal",
      "lossy",
      "reliable",
      "drift",
    ),
    server: fc.nat(4),
    other: fc.nat(4),
    /** Scaled by the read path: within the lease's bound, or anything for log and ReadIndex. */
    drift: fc.double({ min: -1, max: 1, noNaN: true }),
  });

  it("histories are linearizable and every command takes effect once, under any clock drift for log and ReadIndex reads", () => {
    assertProperty(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.constantFrom(...RAFT_KV_READ_PATHS),
        fc.constantFrom(0, 7),
        fc.array(fault, { maxLength: 8 }),
        (seed, reads, snapshotEvery, faults) => {
          const kv = new RaftKvCluster({ servers: 5, clients: 3, seed, reads, snapshotEvery });
          kv.startWorkload({ durationMs: 3_000, randomServerProbability: 0.3 });
          for (const f of [...faults].sort((a, b) => a.atMs - b.atMs)) {
            kv.runFor(f.atMs - Math.min(f.atMs, kv.now));
            if (f.kind === "crash" && kv.isUp(f.server)) kv.crash(f.server);
            if (f.kind === "restart" && !kv.isUp(f.server)) kv.restart(f.server);
            if (f.kind === "partition") kv.partition([[f.server, f.other]]);
            if (f.kind === "isolateLeader" && kv.leader() !== -1) kv.isolate(kv.leader());
            if (f.kind === "heal") kv.heal();
            if (f.kind === "lossy" || f.kind === "reliable") kv.setReliable(f.kind === "reliable");
            if (f.kind === "drift") {
              // A lease assumes any two clocks differ in rate by less than 1 %: each within
              // 0.4 %. The log and ReadIndex assume nothing about clocks: up to 80 % slow or fast.
              const driftPpmMax = reads === "lease" ? 4_000 : 800_000;
              kv.setClock(f.server, { driftPpm: Math.round(f.drift * driftPpmMax) });
            }
          }
          kv.runFor(3_000 - Math.min(3_000, kv.now));
          settle(kv);
          const result = checkOperations(kvModel, kv.history());
          const detail = result.result === "illegal" ? result.culprit.description : "";
          expect(result.result, detail).toBe("ok");
          expectExactlyOnce(kv);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("RaftKvCluster options and arguments", () => {
  const raftOptions = {
    electionTimeoutMsMin: 300,
    electionTimeoutMsMax: 600,
    heartbeatMs: 100,
    entriesPerAppendMax: 64,
    unsafeCommitOldTerms: false,
  };

  it("a server rejects a read path or switch it does not know, and passes Raft's options on", () => {
    expect(
      () => new RaftKvServer({ ...raftOptions, reads: "stale" as never, deduplicate: true }),
    ).toThrow('reads must be one of "log", "readIndex", "lease", got "stale"');
    expect(
      () => new RaftKvServer({ ...raftOptions, reads: "log", deduplicate: 1 as never }),
    ).toThrow("deduplicate must be true or false, got 1");
    expect(() => new RaftKvServer({ ...raftOptions, reads: "lease", deduplicate: true })).toThrow(
      'leaseReads must be set when reads is "lease", got undefined',
    );
    expect(
      () =>
        new RaftKvServer({
          ...raftOptions,
          reads: "lease",
          deduplicate: true,
          leaseReads: { driftBound: 0.01 },
        }),
    ).toThrow(/leaseReads together with checkQuorum: true/);
  });

  it("rejects an unknown option, naming it", () => {
    expect(
      () => new RaftKvCluster({ servers: 3, clients: 1, seed: 1, dedup: false } as never),
    ).toThrow(/unknown option "dedup"/);
  });

  it("rejects a read path it does not know, naming the value and the allowed ones", () => {
    expect(
      () => new RaftKvCluster({ servers: 3, clients: 1, seed: 1, reads: "quorum" as never }),
    ).toThrow('reads must be one of "log", "readIndex", "lease", got "quorum"');
  });

  it("rejects counts, switches and bounds out of range", () => {
    expect(() => new RaftKvCluster({ servers: 0, clients: 1, seed: 1 })).toThrow(
      "servers must be an integer >= 1, got 0",
    );
    expect(() => new RaftKvCluster({ servers: 3, clients: 0, seed: 1 })).toThrow(
      "clients must be an integer >= 1, got 0",
    );
    expect(
      () => new RaftKvCluster({ servers: 3, clients: 1, seed: 1, deduplicate: "no" as never }),
    ).toThrow('deduplicate must be true or false, got "no"');
    expect(() => new RaftKvCluster({ servers: 3, clients: 1, seed: 1, driftBound: 1 })).toThrow(
      "driftBound must be a number in [0, 1), got 1",
    );
  });

  it("rejects a second operation on a busy client and unknown clients and servers", () => {
    const kv = new RaftKvCluster({ servers: 3, clients: 1, seed: 1 });
    kv.invoke(0, { op: "get", key: "x" });
    expect(() => kv.invoke(0, { op: "get", key: "x" })).toThrow(
      'invoke(client) must be an idle client, got "0 (busy)"',
    );
    expect(() => kv.invoke(1, { op: "get", key: "x" })).toThrow(
      "client must be an index in [0, 0], got 1",
    );
    expect(() => kv.crash(3)).toThrow("server must be an index in [0, 2], got 3");
    expect(() =>
      kv.partition([
        [0, 1],
        [1, 2],
      ]),
    ).toThrow("groups must be disjoint groups of servers, got [[0,1],[1,2]]");
    expect(() => kv.startWorkload({ durationMs: 10, keys: 2 } as never)).toThrow(
      /unknown option "keys"/,
    );
  });
});
