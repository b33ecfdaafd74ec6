// Pre-vote and check-quorum, the two guards etcd adds against disruptive servers.
// Reference: Ongaro's thesis (2014) §9.6 (pre-vote), §6.2 and §4.2.3 (check-quorum, vote leases).

import { describe, expect, it } from "vitest";
import { RaftHarness, runRaftFuzzCase } from "../../../src/consensus/raft/index.js";
import { RaftServer } from "../../../src/consensus/raft/server.js";
import { ELECTION_TIMEOUT_MS, raftSeeds } from "./support.js";

/** Cuts a follower off for 5 s, brings it back, and reports the terms and leaders around it. */
function rejoinAfterIsolation(seed: number, options: { preVote?: boolean; checkQuorum?: boolean }) {
  const h = new RaftHarness({ servers: 5, seed, ...options });
  const leader = h.checkOneLeader();
  h.one("before", 5, false);
  const termBefore = h.checkTerms();
  const loner = (leader + 1) % 5;
  h.disconnect(loner);
  h.advance(5 * ELECTION_TIMEOUT_MS);
  const lonerTerm = h.getState(loner).term;
  h.connect(loner);
  h.advance(2 * ELECTION_TIMEOUT_MS);
  const leaderAfter = h.checkOneLeader();
  h.one("after", 5, true);
  return { termBefore, lonerTerm, termAfter: h.checkTerms(), leader, leaderAfter };
}

describe("§9.6 pre-vote: a server cut off does not disrupt the cluster when it comes back", () => {
  it.each(raftSeeds())(
    "without pre-vote, the returning server's inflated term deposes a healthy leader (seed %i)",
    (seed) => {
      const run = rejoinAfterIsolation(seed, {});
      // Alone, it timed out again and again, raising its term each time.
      expect(run.lonerTerm).toBeGreaterThan(run.termBefore + 3);
      // Back, its term forces everyone to a new election in an even higher term.
      expect(run.termAfter).toBeGreaterThan(run.lonerTerm);
    },
  );

  it.each(raftSeeds())(
    "with pre-vote, the isolated server never raises its term and the leader stays (seed %i)",
    (seed) => {
      const run = rejoinAfterIsolation(seed, { preVote: true });
      expect(run.lonerTerm).toBe(run.termBefore);
      expect(run.termAfter).toBe(run.termBefore);
      expect(run.leaderAfter).toBe(run.leader);
    },
  );

  it.each(raftSeeds())("with pre-vote, a crashed leader is still replaced (seed %i)", (seed) => {
    const h = new RaftHarness({ servers: 3, seed, preVote: true });
    const leader = h.checkOneLeader();
    h.one(1, 3, false);
    h.crash(leader);
    const next = h.checkOneLeader();
    expect(next).not.toBe(leader);
    h.one(2, 2, false);
    h.restart(leader);
    h.one(3, 3, true);
  });

  it.each(raftSeeds())(
    "a server that stops hearing the leader asks for pre-votes, and the others refuse (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 3, seed, preVote: true, traceEventsMax: 20_000 });
      const leader = h.checkOneLeader();
      const term = h.checkTerms();
      const loner = (leader + 1) % 3;
      // One-way: the loner no longer hears the leader, but everyone hears the loner.
      const cutAtMs = h.now;
      h.sim.partitionOneWay([`s${leader}`], [`s${loner}`]);
      h.advance(3 * ELECTION_TIMEOUT_MS);
      const replies = h.sim
        .traceWhere({
          kinds: ["deliver"],
          messageTypes: ["PreVoteReply"],
          nodes: [`s${loner}`],
          fromMs: cutAtMs,
        })
        .map((event) => ("message" in event ? event.message : undefined));
      expect(replies.length).toBeGreaterThan(0);
      // Everyone else still hears from the leader: each answer is a refusal with the real term.
      for (const reply of replies) expect(reply).toMatchObject({ voteGranted: false, term });
      expect([0, 1, 2].map((i) => h.getState(i).term)).toEqual([term, term, term]);
      expect(h.getState(leader).isLeader).toBe(true);
    },
  );

  it.each(raftSeeds())(
    "the same one-way cut without pre-vote: the loner's RequestVote deposes the leader (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 3, seed });
      const leader = h.checkOneLeader();
      const term = h.checkTerms();
      const loner = (leader + 1) % 3;
      h.sim.partitionOneWay([`s${leader}`], [`s${loner}`]);
      h.advance(3 * ELECTION_TIMEOUT_MS);
      expect(h.getState(leader).term).toBeGreaterThan(term);
    },
  );
});

describe("§6.2 check-quorum: a leader without a majority steps down", () => {
  it.each(raftSeeds())(
    "without check-quorum, a leader cut off from everyone believes it leads forever (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 5, seed });
      const leader = h.checkOneLeader();
      h.disconnect(leader);
      h.advance(10 * ELECTION_TIMEOUT_MS);
      expect(h.getState(leader).isLeader).toBe(true);
    },
  );

  it.each(raftSeeds())(
    "with check-quorum, it steps down within two election timeouts (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 5, seed, checkQuorum: true });
      const leader = h.checkOneLeader();
      const term = h.getState(leader).term;
      h.disconnect(leader);
      h.advance(2 * 600 + 100);
      // It stepped down (and, alone, may have started elections of its own since).
      expect(h.getState(leader).isLeader).toBe(false);
      expect(h.getState(leader).term).toBeGreaterThanOrEqual(term);
      // The majority elected someone else meanwhile.
      const next = h.checkOneLeader();
      expect(next).not.toBe(leader);
    },
  );

  it.each(raftSeeds())(
    "check-quorum alone does not stop a returning member: its replies carry its term (seed %i)",
    (seed) => {
      // The others ignore its RequestVotes while they hear from the leader, but the leader's
      // AppendEntries reach it and its replies carry its inflated term: the leader steps down
      // (etcd's raft does the same on purpose, else the member could never rejoin). Pre-vote is
      // what keeps its term from growing in the first place.
      const run = rejoinAfterIsolation(seed, { checkQuorum: true });
      expect(run.lonerTerm).toBeGreaterThan(run.termBefore);
      expect(run.termAfter).toBeGreaterThan(run.lonerTerm);
      const guarded = rejoinAfterIsolation(seed, { checkQuorum: true, preVote: true });
      expect(guarded.termAfter).toBe(guarded.termBefore);
    },
  );
});

describe("pre-vote and check-quorum under random fault schedules", () => {
  it.each([
    ["pre-vote", { preVote: true }],
    ["check-quorum", { checkQuorum: true }],
    ["both", { preVote: true, checkQuorum: true }],
  ] as const)(
    "%s: no invariant breaks and the healed cluster commits (200 seeds)",
    (_, options) => {
      for (const seed of raftSeeds(200)) {
        const result = runRaftFuzzCase(seed, options);
        expect(result.error?.message).toBeUndefined();
        expect(result.stats.finalIndex).toBeGreaterThanOrEqual(1);
      }
    },
  );
});

describe("server options", () => {
  const base = {
    electionTimeoutMsMin: 300,
    electionTimeoutMsMax: 600,
    heartbeatMs: 100,
    entriesPerAppendMax: 64,
    unsafeCommitOldTerms: false,
  };

  it("unknown options and bad lease settings are refused, naming the value", () => {
    expect(() => new RaftServer({ ...base, prevote: true } as never)).toThrow(
      /unknown option "prevote"/,
    );
    expect(() => new RaftServer({ ...base, leaseReads: { driftBound: 0.01 } })).toThrow(
      /leaseReads must be leaseReads together with checkQuorum: true/,
    );
    expect(
      () => new RaftServer({ ...base, checkQuorum: true, leaseReads: { driftBound: 1 } }),
    ).toThrow(/leaseReads.driftBound must be a number in \[0, 1\), got 1/);
    expect(() => new RaftServer({ ...base, checkQuorum: true, leaseReads: null as never })).toThrow(
      /leaseReads.driftBound must be a number in \[0, 1\), got null/,
    );
  });
});
