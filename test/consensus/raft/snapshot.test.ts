// Raft log compaction: the lab suite's snapshot basic, install (reliable, unreliable, crash),
// all crash and init scenarios, and the InstallSnapshot receiver rules one at a time.
// Reference: Raft §7 (log compaction) and Figure 13 (InstallSnapshot RPC). RAFT_SEEDS=N.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type InstallSnapshotArgs,
  type RaftMessage,
  RaftHarness,
  RaftInvariantChecker,
  RaftServer,
} from "../../../src/consensus/raft/index.js";
import { assertProperty } from "../../support/property.js";
import type { Random } from "../../../src/sim/random.js";
import {
  applyFaultSchedule,
  figure8Rounds,
  raftFaultAction,
  raftSeeds,
  scriptRandom,
  scriptedServer,
} from "./support.js";

/** The lab's SnapShotInterval: a snapshot after every 10 applied entries. */
const SNAPSHOT_EVERY = 10;
/** The lab's MAXLOGSIZE: bytes of persisted Raft state (without the snapshot) at most. */
const LOG_SIZE_MAX = 2_000;

function command(random: Random): number {
  return random.int(0, 1_000_000_000);
}

function expectLogsBounded(h: RaftHarness): void {
  for (let i = 0; i < h.servers; i++) expect(h.logSize(i)).toBeLessThanOrEqual(LOG_SIZE_MAX);
}

/**
 * The lab's snapcommon: 3 servers; in each of 30 iterations a victim (a follower, or every third
 * time the leader) is cut off or crashed while 5-14 commands are started, so that it comes back
 * behind a snapshot and must be sent one (InstallSnapshot) to catch up. The log stays bounded.
 */
function snapCommon(seed: number, disconnect: boolean, reliable: boolean, crash: boolean): void {
  const servers = 3;
  const h = new RaftHarness({ servers, seed, reliable, snapshotEvery: SNAPSHOT_EVERY });
  const random = scriptRandom(seed);
  h.one(command(random), servers, true);
  let leader1 = h.checkOneLeader();
  for (let iteration = 0; iteration < 30; iteration++) {
    let victim = (leader1 + 1) % servers;
    let sender = leader1;
    if (iteration % 3 === 1) {
      sender = (leader1 + 1) % servers;
      victim = leader1;
    }
    if (disconnect) {
      h.disconnect(victim);
      h.one(command(random), servers - 1, true);
    }
    if (crash) {
      h.crash(victim);
      h.one(command(random), servers - 1, true);
    }
    // Perhaps enough to get a snapshot.
    const n = SNAPSHOT_EVERY / 2 + random.int(0, SNAPSHOT_EVERY - 1);
    for (let k = 0; k < n; k++) {
      if (h.server(sender) !== undefined) h.start(sender, command(random));
    }
    // Without faults, everyone catches up through AppendEntries; else the victim lags behind.
    h.one(command(random), disconnect || crash ? servers - 1 : servers, true);
    expectLogsBounded(h);
    if (disconnect) {
      h.connect(victim); // behind, it may need a snapshot to catch up
      h.one(command(random), servers, true);
      leader1 = h.checkOneLeader();
    }
    if (crash) {
      h.restart(victim);
      h.one(command(random), servers, true);
      leader1 = h.checkOneLeader();
    }
  }
  expectLogsBounded(h);
  const installs = h.sim.stats.sentByType.InstallSnapshot ?? 0;
  // Lagging victims were brought up to date with snapshots; without faults none was needed.
  if (disconnect || crash) expect(installs).toBeGreaterThan(0);
  else expect(installs).toBe(0);
}

/** Crashes every server, then restarts them all from their snapshots and logs. */
function crashAll(h: RaftHarness): void {
  for (let i = 0; i < h.servers; i++) h.crash(i);
  for (let i = 0; i < h.servers; i++) h.restart(i);
}

describe("§7 log compaction", () => {
  it.each(raftSeeds())(
    "snapshot basic: servers snapshot and the log stays bounded (seed %i)",
    (seed) => {
      snapCommon(seed, false, true, false);
    },
  );

  it.each(raftSeeds())(
    "snapshot install: a reconnected follower is sent the leader's snapshot (seed %i)",
    (seed) => {
      snapCommon(seed, true, true, false);
    },
  );

  it.each(raftSeeds())(
    "snapshot install unreliable: the same on a lossy, reordering network (seed %i)",
    (seed) => {
      snapCommon(seed, true, false, false);
    },
  );

  it.each(raftSeeds())(
    "snapshot install crash: a restarted server loads its snapshot and is sent a newer one (seed %i)",
    (seed) => {
      snapCommon(seed, false, true, true);
    },
  );

  it.each(raftSeeds())(
    "snapshot install uncrash: crashes on a lossy, reordering network (seed %i)",
    (seed) => {
      snapCommon(seed, false, false, true);
    },
  );

  it.each(raftSeeds())(
    "snapshot all crash: every server restarts from its snapshot, indices go on (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 3, seed, snapshotEvery: SNAPSHOT_EVERY });
      const random = scriptRandom(seed);
      h.one(command(random), 3, true);
      for (let iteration = 0; iteration < 5; iteration++) {
        const n = SNAPSHOT_EVERY / 2 + random.int(0, SNAPSHOT_EVERY - 1);
        for (let k = 0; k < n; k++) h.one(command(random), 3, true);
        const index1 = h.one(command(random), 3, true);
        crashAll(h);
        const index2 = h.one(command(random), 3, true);
        expect(index2).toBeGreaterThanOrEqual(index1 + 1);
      }
    },
  );

  it.each(raftSeeds())(
    "snapshot init: a restart right after a snapshot, then one more, loses nothing (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 3, seed, snapshotEvery: SNAPSHOT_EVERY });
      const random = scriptRandom(seed);
      h.one(command(random), 3, true);
      for (let k = 0; k < SNAPSHOT_EVERY + 1; k++) h.one(command(random), 3, true);
      for (let i = 0; i < 3; i++) expect(h.server(i)?.snapshotIndex).toBeGreaterThan(0);
      crashAll(h);
      for (let i = 0; i < 3; i++) {
        const server = h.server(i) as RaftServer;
        // Restarted from the snapshot: the state machine is back up to lastIncludedIndex.
        expect(server.lastApplied).toBe(server.snapshotIndex);
        expect(server.applied).toHaveLength(server.snapshotIndex);
      }
      h.one(command(random), 3, true); // a single op, to write the persisted log again
      crashAll(h);
      const index = h.one(command(random), 3, true);
      expect(index).toBe(SNAPSHOT_EVERY + 4);
      for (let k = 1; k <= index; k++) expect(h.nCommitted(k).count).toBe(3);
    },
  );

  it.each(raftSeeds(2))(
    "log size: without snapshots the persisted log grows, with them it does not (seed %i)",
    (seed) => {
      const sizes = [0, SNAPSHOT_EVERY].map((snapshotEvery) => {
        const h = new RaftHarness({ servers: 3, seed, snapshotEvery });
        for (let k = 0; k < 100; k++) h.one(1_000_000 + k, 3, true);
        return h.logSize(0);
      });
      expect(sizes[0]).toBeGreaterThan(LOG_SIZE_MAX);
      expect(sizes[1]).toBeLessThanOrEqual(LOG_SIZE_MAX);
    },
  );
});

describe("§7 log compaction under the figure 8 faults", () => {
  it.each(raftSeeds(2))(
    "snapshot figure 8: leaders crash over and over while every server compacts (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 5, seed, snapshotEvery: 7 });
      const random = scriptRandom(seed);
      h.one(random.int(0, 9999), 1, true);
      figure8Rounds(h, random, "crash");
      const index = h.one(random.int(0, 9999), 5, true);
      for (let k = 1; k <= index; k++) expect(h.nCommitted(k).count).toBe(5);
      expect(h.sim.stats.sentByType.InstallSnapshot ?? 0).toBeGreaterThan(0);
    },
  );

  it.each(raftSeeds(2))(
    "snapshot figure 8 unreliable: leaders cut off, lossy network, long reordering (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 5, seed, reliable: false, snapshotEvery: 7 });
      const random = scriptRandom(seed);
      h.one(random.int(0, 9999), 1, true);
      figure8Rounds(h, random, "disconnect");
      h.setLongReordering(false);
      const index = h.one(random.int(0, 9999), 5, true);
      for (let k = 1; k <= index; k++) expect(h.nCommitted(k).count).toBe(5);
      expect(h.sim.stats.sentByType.InstallSnapshot ?? 0).toBeGreaterThan(0);
    },
  );
});

describe("Figure 3 with compacted logs", () => {
  it("state machine safety: a snapshot holding another command than the one applied", () => {
    const checker = new RaftInvariantChecker(11);
    checker.recordApply(0, 1, { term: 1, command: "x" }, 1);
    checker.recordApply(0, 2, { term: 1, command: "y" }, 1);
    checker.recordSnapshot(1, { lastIncludedIndex: 2, lastIncludedTerm: 1, state: ["x", "y"] });
    expect(() =>
      checker.recordSnapshot(2, { lastIncludedIndex: 2, lastIncludedTerm: 1, state: ["x", "z"] }),
    ).toThrow("state machine safety violated (seed 11): server 2 installed a snapshot with");
    expect(() =>
      checker.recordSnapshot(2, { lastIncludedIndex: 3, lastIncludedTerm: 1, state: [1, 2, 3] }),
    ).toThrow("only 2 entries were ever applied");
  });

  it("leader completeness: a leader whose snapshot lacks a committed command", () => {
    const checker = new RaftInvariantChecker(12);
    checker.recordApply(0, 1, { term: 1, command: "x" }, 1);
    const leader = new RaftServer({
      electionTimeoutMsMin: 300,
      electionTimeoutMsMax: 600,
      heartbeatMs: 100,
      entriesPerAppendMax: 64,
      unsafeCommitOldTerms: false,
    });
    leader.currentTerm = 2;
    leader.role = "leader";
    leader.snapshotIndex = 1;
    leader.snapshotTerm = 1;
    leader.applied.push("other");
    expect(() => checker.check([leader])).toThrow(
      'leader completeness violated (seed 12): leader 0 of term 2 has "other" in its snapshot',
    );
  });

  it("any schedule of faults with frequent snapshots keeps every property", () => {
    assertProperty(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(raftFaultAction, { maxLength: 25 }),
        (seed, snapshotEvery, actions) => {
          const h = new RaftHarness({ servers: 5, seed, snapshotEvery });
          applyFaultSchedule(h, actions, 4);
          const index = h.one("final", 5, true);
          for (let k = 1; k <= index; k++) expect(h.nCommitted(k).count).toBe(5);
          for (let i = 0; i < 5; i++) {
            const server = h.server(i) as RaftServer;
            // Compaction keeps up: fewer than snapshotEvery applied entries are left in the log.
            expect(server.lastApplied - server.snapshotIndex).toBeLessThan(snapshotEvery);
            expect(server.applied).toHaveLength(server.lastApplied);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

/** Server "v" and two silent peers "a" and "b"; v snapshots after every 2 applied entries. */
function setUp() {
  const scripted = scriptedServer(2);
  return { ...scripted, send: (message: RaftMessage) => scripted.send("a", message) };
}

const snapshot = (
  term: number,
  lastIncludedIndex: number,
  lastIncludedTerm: number,
  data: unknown[],
): InstallSnapshotArgs => ({
  type: "InstallSnapshot",
  term,
  leaderId: "a",
  lastIncludedIndex,
  lastIncludedTerm,
  offset: 0,
  data,
  done: true,
});

const append = (prevLogIndex: number, prevLogTerm: number, commands: string[], commit: number) =>
  ({
    type: "AppendEntries",
    term: 1,
    leaderId: "a",
    prevLogIndex,
    prevLogTerm,
    entries: commands.map((command) => ({ term: 1, command })),
    leaderCommit: commit,
  }) as const;

describe("Figure 13: InstallSnapshot receiver implementation", () => {
  it("a follower compacts its log after applying snapshotEvery entries", () => {
    const { send, server } = setUp();
    send(append(0, 0, ["x", "y", "z"], 3));
    expect(server().snapshotIndex).toBe(3);
    expect(server().snapshotTerm).toBe(1);
    expect(server().log).toEqual([]);
    expect(server().lastLogIndex()).toBe(3);
    // Index arithmetic stays absolute: the next entry goes to index 4, after the snapshot.
    expect(send(append(3, 1, ["w"], 3))).toMatchObject({ success: true, matchIndex: 4 });
    expect(server().entryAt(4)).toEqual({ term: 1, command: "w" });
  });

  it("rule 1: replies at once with its term to a snapshot from an older term", () => {
    const { send, server } = setUp();
    send(append(0, 0, [], 0)); // now in term 1
    send({ ...append(0, 0, [], 0), term: 2 });
    expect(send(snapshot(1, 5, 1, [1, 2, 3, 4, 5]))).toEqual(
      expect.objectContaining({ type: "InstallSnapshotReply", term: 2, matchIndex: 0 }),
    );
    expect(server().snapshotIndex).toBe(0);
  });

  it("rules 6 and 8: keeps the log after a matching last entry, and resets the state machine", () => {
    const { send, server } = setUp();
    send(append(0, 0, ["a", "b", "c"], 0)); // three entries, none committed yet
    expect(send(snapshot(1, 2, 1, ["a", "b"]))).toMatchObject({ matchIndex: 2 });
    expect(server().snapshotIndex).toBe(2);
    expect(server().log).toEqual([{ term: 1, command: "c" }]);
    expect(server().applied).toEqual(["a", "b"]);
    expect(server().lastApplied).toBe(2);
    expect(server().commitIndex).toBe(2);
  });

  it("rule 7: discards the entire log when it does not hold the snapshot's last entry", () => {
    const { send, server } = setUp();
    send(append(0, 0, ["a"], 0));
    send(snapshot(1, 4, 1, ["a", "b", "c", "d"]));
    expect(server().log).toEqual([]);
    expect(server().lastLogIndex()).toBe(4);
    expect(server().applied).toEqual(["a", "b", "c", "d"]);
  });

  it("an old or duplicated snapshot never takes the state machine back", () => {
    const { send, server } = setUp();
    send(append(0, 0, ["a", "b", "c"], 3));
    expect(send(snapshot(1, 2, 1, ["a", "b"]))).toMatchObject({ matchIndex: 2 });
    expect(server().lastApplied).toBe(3);
    expect(server().applied).toEqual(["a", "b", "c"]);
  });

  it("after a restart, the server loads its snapshot and the log after it", () => {
    const { sim, send, server } = setUp();
    send(append(0, 0, ["a", "b", "c"], 2));
    send(append(3, 1, ["d"], 2));
    expect(server().snapshotIndex).toBe(2);
    sim.crash("v");
    sim.restart("v");
    sim.runFor(1);
    expect(server().snapshotIndex).toBe(2);
    expect(server().applied).toEqual(["a", "b"]);
    expect(server().log.map((entry) => entry.command)).toEqual(["c", "d"]);
    expect(server().lastLogIndex()).toBe(4);
  });
});
