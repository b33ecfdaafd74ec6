// Linearizable reads without log entries: ReadIndex and leader leases, and how a lease breaks
// when a clock drifts past the assumed bound. Reference: Ongaro's thesis (2014) §6.4 and §6.4.1.

import { describe, expect, it } from "vitest";
import { RaftHarness, runRaftFuzzCase } from "../../../src/consensus/raft/index.js";
import { ELECTION_TIMEOUT_MS, raftSeeds } from "./support.js";

const LEASES = { checkQuorum: true, leaseReads: { driftBound: 0.01 } } as const;

describe("§6.4 ReadIndex", () => {
  it.each(raftSeeds())(
    "the leader answers with its commit index once a majority confirmed it leads (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 5, seed, appendNoOpOnElection: true });
      const leader = h.checkOneLeader();
      const index = h.one("x", 5, false);
      const rpcsBefore = h.rpcCount();
      expect(h.readIndex(leader)).toEqual({ ok: true, index });
      // One heartbeat round to confirm leadership: an AppendEntries to each of the 4 others.
      expect(h.rpcCount() - rpcsBefore).toBeGreaterThanOrEqual(4);
      // No entry was added for the read.
      expect(h.server(leader)?.lastLogIndex()).toBe(index);
    },
  );

  it("a follower refuses, naming itself and its role", () => {
    const h = new RaftHarness({ servers: 3, seed: 1, appendNoOpOnElection: true });
    const leader = h.checkOneLeader();
    const follower = (leader + 1) % 3;
    const term = h.checkTerms();
    expect(h.readIndex(follower)).toEqual({
      ok: false,
      reason: `s${follower} is not the leader (it is a follower in term ${term})`,
    });
  });

  it.each(raftSeeds())(
    "a deposed leader cut off from the majority never answers, so it never reads stale (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 5, seed, appendNoOpOnElection: true });
      const old = h.checkOneLeader();
      h.one("v1", 5, false);
      h.disconnect(old);
      const next = h.checkOneLeader();
      const written = h.one("v2", 4, false);
      // The old leader still believes it leads, but no majority acknowledges its round.
      expect(h.getState(old).isLeader).toBe(true);
      const stale = h.readIndex(old, 5 * ELECTION_TIMEOUT_MS);
      expect(stale.ok).toBe(false);
      expect(h.readIndex(next)).toEqual({ ok: true, index: written });
    },
  );

  it.each(raftSeeds())(
    "without a no-op, a new leader waits until an entry of its term commits (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 3, seed });
      const leader = h.checkOneLeader();
      // Confirmed as leader, but nothing of its term is committed: it cannot know commitIndex.
      expect(h.readIndex(leader, ELECTION_TIMEOUT_MS).ok).toBe(false);
      let answer: unknown;
      h.sim.withNode(`s${leader}`, (ctx, server) => {
        (server as NonNullable<ReturnType<RaftHarness["server"]>>).readIndex(ctx, (result) => {
          answer = result;
        });
      });
      h.advance(ELECTION_TIMEOUT_MS);
      expect(answer).toBeUndefined();
      const index = h.one("first", 3, false);
      expect(answer).toEqual({ ok: true, index });
    },
  );

  it.each(raftSeeds())(
    "reads waiting when the leader steps down are answered with the reason (seed %i)",
    (seed) => {
      const h = new RaftHarness({
        servers: 5,
        seed,
        checkQuorum: true,
        appendNoOpOnElection: true,
      });
      const leader = h.checkOneLeader();
      h.one("x", 5, false);
      h.disconnect(leader);
      const answer = h.readIndex(leader, 3 * ELECTION_TIMEOUT_MS);
      expect(answer.ok).toBe(false);
      expect(answer).toMatchObject({ reason: expect.stringMatching(/^s\d lost leadership/) });
    },
  );
});

describe("§6.4.1 leader leases", () => {
  it.each(raftSeeds())(
    "a leader reads from its lease without any message, until the lease runs out (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 5, seed, appendNoOpOnElection: true, ...LEASES });
      const leader = h.checkOneLeader();
      const index = h.one("x", 5, false);
      const rpcsBefore = h.rpcCount();
      expect(h.leaseRead(leader)).toEqual({ ok: true, index });
      expect(h.rpcCount()).toBe(rpcsBefore);
      // Followers are refused; a leader cut off sees its lease lapse within the minimum
      // election timeout (300 ms), before anyone else can be elected.
      expect(h.leaseRead((leader + 1) % 5).ok).toBe(false);
      h.disconnect(leader);
      h.advance(300);
      const expired = h.leaseRead(leader);
      expect(expired).toMatchObject({ ok: false, reason: expect.stringMatching(/^lease expired/) });
    },
  );

  it("leaseRead without the option is a programming error, said plainly", () => {
    const h = new RaftHarness({ servers: 3, seed: 1 });
    const leader = h.checkOneLeader();
    expect(() => h.leaseRead(leader)).toThrow(
      "leaseRead: this server was created without the leaseReads option",
    );
  });

  it.each(raftSeeds())(
    "break it: the leader's clock runs 5x slow, its lease outlives a new leader (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 5, seed, appendNoOpOnElection: true, ...LEASES });
      const old = h.checkOneLeader();
      h.one("v1", 5, false);
      // -800,000 ppm: 0.2 s of the old leader's clock per true second, far past the 1 % bound.
      h.sim.setClock(`s${old}`, { driftPpm: -800_000 });
      h.advance(200);
      h.disconnect(old);
      let overlapAtMs = -1;
      for (let step = 0; step < 300 && overlapAtMs === -1; step++) {
        h.advance(10);
        const newer = [0, 1, 2, 3, 4].some(
          (i) => i !== old && h.getState(i).isLeader && h.getState(i).term > h.getState(old).term,
        );
        if (newer && h.leaseRead(old).ok) overlapAtMs = h.now;
      }
      // Caught: a lease read served while another server leads a later term.
      expect(overlapAtMs).toBeGreaterThan(0);
    },
  );

  it("with drift within the bound, no lease read ever overlaps a later leader (500 fuzzed seeds)", () => {
    let reads = 0;
    for (const seed of raftSeeds(500)) {
      const result = runRaftFuzzCase(seed, { preVote: true, leaseDriftBound: 0.01 });
      expect(result.error?.message).toBeUndefined();
      reads += result.stats.leaseReads;
    }
    // Leases were in use throughout the schedules, not only checked on an idle cluster.
    expect(reads).toBeGreaterThan(1_000);
  });

  it("the fuzz catches leases whose clocks drift 80 % when they assume 1 %", () => {
    let caught: ReturnType<typeof runRaftFuzzCase> | undefined;
    for (let seed = 1; seed <= 1_000 && caught === undefined; seed++) {
      const result = runRaftFuzzCase(seed, { leaseDriftBound: 0.01, leaseDriftPpm: 800_000 });
      if (!result.ok) caught = result;
    }
    expect(caught?.error?.kind).toBe("safety");
    expect(caught?.error?.message).toMatch(/^Raft lease safety violated \(seed \d+\): server \d/);
  });
});
