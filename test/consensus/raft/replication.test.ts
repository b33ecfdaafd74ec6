// Raft log replication: the lab suite's agreement, failure, rejoin, backup and count scenarios.
// Reference: Raft §5.3 (log replication), §5.4.1 (election restriction), Figure 2. RAFT_SEEDS=N.

import { describe, expect, it } from "vitest";
import { RaftHarness, runRaftFuzzCase } from "../../../src/consensus/raft/index.js";
import { ELECTION_TIMEOUT_MS, raftSeeds, scriptRandom, waitCommitted } from "./support.js";

describe("§5.3 log replication", () => {
  it.each(raftSeeds())(
    "basic agree: each command is committed at the next index (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 3, seed });
      for (let index = 1; index <= 3; index++) {
        expect(h.nCommitted(index).count).toBe(0); // nothing is committed before it is started
        expect(h.one(index * 100, 3, false)).toBe(index);
      }
    },
  );

  it.each(raftSeeds())(
    "RPC bytes: each command crosses the network about once per follower (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 3, seed });
      const random = scriptRandom(seed);
      h.one(99, 3, false);
      const bytes0 = h.bytesSent();
      let sent = 0;
      for (let index = 2; index < 12; index++) {
        const command = Array.from({ length: 5000 }, () => "abcdefghij"[random.int(0, 9)]).join("");
        expect(h.one(command, 3, false)).toBe(index);
        sent += command.length;
      }
      expect(h.bytesSent() - bytes0).toBeLessThanOrEqual(3 * sent + 50_000);
    },
  );

  it.each(raftSeeds())(
    "follower failure: a majority goes on, a lone leader commits nothing (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 3, seed });
      h.one(101, 3, false);
      const leader1 = h.checkOneLeader();
      h.disconnect((leader1 + 1) % 3);
      h.one(102, 2, false);
      h.advance(ELECTION_TIMEOUT_MS);
      h.one(103, 2, false);
      const leader2 = h.checkOneLeader();
      h.disconnect((leader2 + 1) % 3);
      h.disconnect((leader2 + 2) % 3);
      const { index, isLeader } = h.start(leader2, 104);
      expect(isLeader).toBe(true);
      expect(index).toBe(4);
      h.advance(2 * ELECTION_TIMEOUT_MS);
      expect(h.nCommitted(index).count).toBe(0);
    },
  );

  it.each(raftSeeds())(
    "leader failure: without a majority, no command is committed (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 3, seed });
      h.one(101, 3, false);
      const leader1 = h.checkOneLeader();
      h.disconnect(leader1);
      h.one(102, 2, false);
      h.advance(ELECTION_TIMEOUT_MS);
      h.one(103, 2, false);
      const leader2 = h.checkOneLeader();
      h.disconnect(leader2);
      for (let i = 0; i < 3; i++) h.start(i, 104);
      h.advance(2 * ELECTION_TIMEOUT_MS);
      expect(h.nCommitted(4).count).toBe(0);
    },
  );

  it.each(raftSeeds())("fail agree: a reconnected follower catches up (seed %i)", (seed) => {
    const h = new RaftHarness({ servers: 3, seed });
    h.one(101, 3, false);
    const leader = h.checkOneLeader();
    h.disconnect((leader + 1) % 3);
    h.one(102, 2, false);
    h.one(103, 2, false);
    h.advance(ELECTION_TIMEOUT_MS);
    h.one(104, 2, false);
    h.one(105, 2, false);
    h.connect((leader + 1) % 3);
    h.one(106, 3, true);
    h.advance(ELECTION_TIMEOUT_MS);
    h.one(107, 3, true);
  });

  it.each(raftSeeds())(
    "fail no agree: 2 of 5 commit nothing, then the cluster recovers (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 5, seed });
      h.one(10, 5, false);
      const leader = h.checkOneLeader();
      for (const k of [1, 2, 3]) h.disconnect((leader + k) % 5);
      const { index, isLeader } = h.start(leader, 20);
      expect(isLeader).toBe(true);
      expect(index).toBe(2);
      h.advance(2 * ELECTION_TIMEOUT_MS);
      expect(h.nCommitted(index).count).toBe(0);
      for (const k of [1, 2, 3]) h.connect((leader + k) % 5);
      // The disconnected majority may have elected a leader that wipes index 2: either is fine.
      const leader2 = h.checkOneLeader();
      const second = h.start(leader2, 30);
      expect(second.isLeader).toBe(true);
      expect(second.index).toBeGreaterThanOrEqual(2);
      expect(second.index).toBeLessThanOrEqual(3);
      h.one(1000, 5, true);
    },
  );

  it.each(raftSeeds())(
    "concurrent starts: five commands started at once all commit (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 3, seed });
      for (let attempt = 0; attempt < 5; attempt++) {
        const leader = h.checkOneLeader();
        const first = h.start(leader, 1);
        if (!first.isLeader) continue;
        const started = [0, 1, 2, 3, 4].map((i) => ({
          command: 100 + i,
          ...h.start(leader, 100 + i),
        }));
        if (started.some((s) => !s.isLeader || s.term !== first.term)) continue;
        const committed = started.map((s) => waitCommitted(h, s.index, 3, first.term));
        if (committed.includes(undefined)) continue; // the term changed: try again, as the lab does
        expect([...committed].sort()).toEqual([100, 101, 102, 103, 104]);
        return;
      }
      throw new Error(`term changed too often (seed ${seed})`);
    },
  );

  it.each(raftSeeds())(
    "rejoin: a partitioned leader's uncommitted entries are overwritten (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 3, seed });
      h.one(101, 3, true);
      const leader1 = h.checkOneLeader();
      h.disconnect(leader1);
      // The old leader takes commands it can never commit.
      for (const command of [102, 103, 104]) h.start(leader1, command);
      h.one(103, 2, true);
      const leader2 = h.checkOneLeader();
      h.disconnect(leader2);
      h.connect(leader1);
      h.one(104, 2, true);
      h.connect(leader2);
      h.one(105, 3, true);
    },
  );

  it.each(raftSeeds())(
    "backup: a leader rolls back 50 conflicting entries fast (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 5, seed });
      const random = scriptRandom(seed);
      const value = () => random.int(0, 1_000_000);
      h.one(value(), 5, true);
      // The leader and one follower take 50 commands that never commit.
      const leader1 = h.checkOneLeader();
      for (const k of [2, 3, 4]) h.disconnect((leader1 + k) % 5);
      for (let i = 0; i < 50; i++) h.start(leader1, value());
      h.advance(ELECTION_TIMEOUT_MS / 2);
      h.disconnect(leader1);
      h.disconnect((leader1 + 1) % 5);
      // The other three commit 50 commands.
      for (const k of [2, 3, 4]) h.connect((leader1 + k) % 5);
      for (let i = 0; i < 50; i++) h.one(value(), 3, true);
      // Their leader and one follower take 50 more that never commit.
      const leader2 = h.checkOneLeader();
      let other = (leader1 + 2) % 5;
      if (leader2 === other) other = (leader2 + 1) % 5;
      h.disconnect(other);
      for (let i = 0; i < 50; i++) h.start(leader2, value());
      h.advance(ELECTION_TIMEOUT_MS / 2);
      // The first leader, its follower and `other` now form a majority and commit 50 commands.
      for (let i = 0; i < 5; i++) h.disconnect(i);
      h.connect(leader1);
      h.connect((leader1 + 1) % 5);
      h.connect(other);
      for (let i = 0; i < 50; i++) h.one(value(), 3, true);
      for (let i = 0; i < 5; i++) h.connect(i);
      h.one(value(), 5, true);
    },
  );

  it.each(raftSeeds())(
    "count: RPCs to elect <= 30, for 10 entries <= 42, per idle second <= 60 (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 3, seed });
      h.checkOneLeader();
      const total1 = h.rpcCount();
      expect(total1).toBeGreaterThanOrEqual(1);
      expect(total1).toBeLessThanOrEqual(30);

      let total2 = -1;
      for (let attempt = 0; attempt < 5 && total2 === -1; attempt++) {
        const leader = h.checkOneLeader();
        const before = h.rpcCount();
        const first = h.start(leader, 1);
        if (!first.isLeader) continue;
        const started = Array.from({ length: 11 }, (_, i) => h.start(leader, 1000 + i));
        if (started.some((s) => !s.isLeader || s.term !== first.term)) continue;
        const committed = started.map((s) => waitCommitted(h, s.index, 3, first.term));
        if (committed.includes(undefined)) continue;
        total2 = h.rpcCount();
        expect(total2 - before).toBeLessThanOrEqual((10 + 1 + 3) * 3);
      }
      expect(total2).toBeGreaterThan(-1);

      h.advance(ELECTION_TIMEOUT_MS);
      expect(h.rpcCount() - total2).toBeLessThanOrEqual(3 * 20);
    },
  );
});

describe("batching", () => {
  it.each(raftSeeds())(
    "with batchAppends, 60 commands started at once travel in one AppendEntries per follower (seed %i)",
    (seed) => {
      for (const batchAppends of [false, true]) {
        const h = new RaftHarness({ servers: 5, seed, batchAppends });
        const leader = h.checkOneLeader();
        h.one("first", 5, false);
        const before = h.sim.stats.sentByType.AppendEntries ?? 0;
        const indices = Array.from({ length: 60 }, (_, k) => h.start(leader, `c${k}`).index);
        h.advance(0);
        const sent = (h.sim.stats.sentByType.AppendEntries ?? 0) - before;
        // Without batching every start sends to the 4 followers; with it, one flush does.
        expect(sent).toBe(batchAppends ? 4 : 4 * 60);
        h.advance(ELECTION_TIMEOUT_MS);
        for (const index of indices) expect(h.nCommitted(index).count).toBe(5);
      }
    },
  );

  it("batched servers pass the random fault schedules too (200 seeds)", () => {
    for (const seed of raftSeeds(200)) {
      const result = runRaftFuzzCase(seed, { batchAppends: true });
      expect(result.error?.message).toBeUndefined();
      expect(result.stats.finalIndex).toBeGreaterThanOrEqual(1);
    }
  });
});
