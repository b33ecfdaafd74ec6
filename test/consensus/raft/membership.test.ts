// Single-server membership changes: one server added or removed at a time, in effect as soon as
// the config entry is in a log. Reference: Ongaro's thesis (2014) §4.1, §4.2.2 and §4.2.3.

import { describe, expect, it } from "vitest";
import { RaftHarness, RaftServer, runRaftFuzzCase } from "../../../src/consensus/raft/index.js";
import { ELECTION_TIMEOUT_MS, raftSeeds } from "./support.js";

const server = (h: RaftHarness, i: number): RaftServer => h.server(i) as RaftServer;

/** Asks server `i` for a change directly, as a client of the leader would. */
function ask(h: RaftHarness, i: number, change: { add: string } | { remove: string }) {
  return h.sim.withNode(`s${i}`, (ctx, process) =>
    (process as RaftServer).changeMembership(ctx, change),
  );
}

describe("§4.1 single-server changes", () => {
  it.each(raftSeeds())(
    "a 3-server cluster grows to 5, one server at a time, and the new ones catch up (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 5, seed, members: 3, appendNoOpOnElection: true });
      const leader = h.checkOneLeader();
      expect(leader).toBeLessThan(3);
      for (let k = 0; k < 5; k++) h.one(`before ${k}`, 3, false);
      // Servers 3 and 4 are running but outside the configuration: they never campaign.
      expect(server(h, 3).role).toBe("follower");
      expect(h.members(leader)).toEqual([0, 1, 2]);
      h.changeMembership({ add: 3 });
      h.changeMembership({ add: 4 });
      expect(h.members(leader)).toEqual([0, 1, 2, 3, 4]);
      const index = h.one("after", 5, false);
      // The new members hold the whole log, the entries from before they joined included.
      for (const i of [3, 4]) expect(server(h, i).commitIndex).toBeGreaterThanOrEqual(index);
    },
  );

  it.each(raftSeeds())(
    "the new configuration counts from the moment it is appended, not committed (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 4, seed, members: 3, appendNoOpOnElection: true });
      const leader = h.checkOneLeader();
      h.one("x", 3, false);
      // Server 3 cannot hear anyone: the entry adding it needs 3 of the 4 new members.
      h.disconnect(3);
      const others = [0, 1, 2].filter((i) => i !== leader);
      h.disconnect(others[0] as number);
      const result = ask(h, leader, { add: "s3" });
      expect(result.ok).toBe(true);
      expect(h.members(leader)).toEqual([0, 1, 2, 3]);
      h.advance(ELECTION_TIMEOUT_MS);
      // Two of the old three would be a majority of the old configuration, not of the new one.
      const index = result.ok ? result.index : -1;
      expect(server(h, leader).commitIndex).toBeLessThan(index);
      h.connect(others[0] as number);
      h.advance(ELECTION_TIMEOUT_MS);
      expect(server(h, leader).commitIndex).toBeGreaterThanOrEqual(index);
    },
  );

  it.each(raftSeeds())(
    "a leader that removes itself steps down once the change commits (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 5, seed, appendNoOpOnElection: true });
      const leader = h.checkOneLeader();
      h.one("x", 5, false);
      h.changeMembership({ remove: leader });
      h.advance(ELECTION_TIMEOUT_MS);
      expect(h.getState(leader).isLeader).toBe(false);
      const next = h.checkOneLeader();
      expect(next).not.toBe(leader);
      expect(h.members(next)).not.toContain(leader);
      h.one("y", 4, false);
      // Outside the configuration, the old leader does not campaign, even after many timeouts.
      const termOut = h.getState(leader).term;
      h.disconnect(leader);
      h.advance(5 * ELECTION_TIMEOUT_MS);
      expect(h.getState(leader).term).toBe(termOut);
      expect(server(h, leader).role).toBe("follower");
    },
  );

  it("changes are refused, with the reason, when they would be unsafe or make no sense", () => {
    const h = new RaftHarness({ servers: 4, seed: 2, members: 3 });
    const leader = h.checkOneLeader();
    const follower = (leader + 1) % 3;
    // Server 3, outside the configuration, hears nothing and stays in term 0.
    const term = h.getState(leader).term;
    expect(ask(h, follower, { add: "s3" })).toEqual({
      ok: false,
      reason: `s${follower} is not the leader (it is a follower in term ${term})`,
    });
    // No no-op: until an entry of its term commits, the leader may not change the configuration
    // (Ongaro's 2015 correction to the thesis: otherwise two changes in different terms can
    // produce disjoint majorities).
    expect(ask(h, leader, { add: "s3" })).toEqual({
      ok: false,
      reason: `no entry of term ${term} committed yet`,
    });
    h.one("x", 3, false);
    expect(ask(h, leader, { add: "s0" === `s${leader}` ? "s1" : "s0" })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^s[01] is already a member$/),
    });
    expect(ask(h, leader, { remove: "s3" })).toEqual({ ok: false, reason: "s3 is not a member" });
    const first = ask(h, leader, { add: "s3" });
    expect(first.ok).toBe(true);
    expect(ask(h, leader, { remove: `s${follower}` })).toEqual({
      ok: false,
      reason: `the change at index ${first.ok ? first.index : 0} is not committed yet: one change at a time`,
    });
    expect(() => ask(h, leader, { add: "s9" })).toThrow(
      /change must be \{ add: id \} or \{ remove: id \} with a node id of the simulation \(s0, s1, s2, s3\), got \{"add":"s9"\}/,
    );
  });

  it.each(raftSeeds())(
    "§4.2.3: a removed server that never learned it was removed does not disrupt (seed %i)",
    (seed) => {
      // The removed server is cut off before the change reaches it, so it still believes it is
      // a member and campaigns. Pre-vote and check-quorum keep its elections from disturbing.
      const h = new RaftHarness({
        servers: 5,
        seed,
        preVote: true,
        checkQuorum: true,
        appendNoOpOnElection: true,
      });
      const leader = h.checkOneLeader();
      h.one("x", 5, false);
      const removed = (leader + 1) % 5;
      h.disconnect(removed);
      h.changeMembership({ remove: removed });
      const term = h.getState(leader).term;
      h.connect(removed);
      h.advance(5 * ELECTION_TIMEOUT_MS);
      expect(server(h, removed).members).toContain(`s${removed}`); // it never heard
      expect(h.checkOneLeader()).toBe(leader);
      expect(h.getState(leader).term).toBe(term);
    },
  );
});

describe("membership changes under random fault schedules", () => {
  it("no invariant breaks, and every server is back in the configuration after healing (300 seeds)", () => {
    let changes = 0;
    for (const seed of raftSeeds(300)) {
      const result = runRaftFuzzCase(seed, { membershipChanges: true });
      expect(result.error?.message).toBeUndefined();
      changes += result.stats.membershipChanges;
    }
    expect(changes).toBeGreaterThan(150);
  });

  it("with pre-vote, check-quorum and snapshots too (300 seeds)", () => {
    for (const seed of raftSeeds(300)) {
      const result = runRaftFuzzCase(seed, {
        membershipChanges: true,
        preVote: true,
        checkQuorum: true,
        snapshotEvery: 7,
      });
      expect(result.error?.message).toBeUndefined();
    }
  });
});
