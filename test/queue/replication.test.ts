// Partition replication on the simulator: ISR, high watermark, acks 0 / 1 / all, clean and unclean
// leader election, truncation by leader epoch. Reference: Kafka documentation §4.7 (Replication),
// KIP-101 (leader epochs instead of the high watermark for truncation).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runCheckedUntil } from "../../src/consensus/raft/checked-run.js";
import {
  ReplicatedPartitionCluster,
  type ReplicatedPartitionOptions,
  replicationCrashExperiment,
  replicationLossTable,
} from "../../src/queue/replication.js";
import { assertProperty } from "../support/property.js";

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

/**
 * Log matching, checked after every event: two replicas holding a record of the same leader epoch
 * at one offset hold the same record there (one leader per epoch, appends only at the end).
 */
function checkLogMatching(cluster: ReplicatedPartitionCluster): void {
  const logs = Array.from({ length: cluster.replicas }, (_, r) => cluster.replicaLog(r));
  for (let a = 0; a < logs.length; a++) {
    for (let b = a + 1; b < logs.length; b++) {
      const left = logs[a] ?? [];
      const right = logs[b] ?? [];
      const length = Math.min(left.length, right.length);
      for (let offset = 0; offset < length; offset++) {
        const x = left[offset];
        const y = right[offset];
        if (x?.leaderEpoch === y?.leaderEpoch && x?.id !== y?.id) {
          throw new Error(
            `r${a} and r${b} differ at offset ${offset} in epoch ${x?.leaderEpoch} ` +
              `(seed ${cluster.seed})`,
          );
        }
      }
    }
  }
}

/** Runs `ms` of virtual time, checking log matching after every event. */
function runChecked(cluster: ReplicatedPartitionCluster, ms: number): void {
  runCheckedUntil(
    cluster.sim,
    () => checkLogMatching(cluster),
    () => false,
    ms,
  );
}

/** Restarts every crashed replica, heals, and runs until the producer and followers settle. */
function settle(cluster: ReplicatedPartitionCluster): void {
  cluster.heal();
  for (let r = 0; r < cluster.replicas; r++) if (!cluster.isUp(r)) cluster.restart(r);
  cluster.runFor(3000);
}

function cluster(options: Partial<ReplicatedPartitionOptions> = {}): ReplicatedPartitionCluster {
  return new ReplicatedPartitionCluster({ seed: 1, acks: "all", ...options });
}

describe("replicated partition: options", () => {
  it("names the bad value and what is allowed", () => {
    expect(() => cluster({ acks: 2 as unknown as 1 })).toThrow('acks must be 0, 1 or "all", got 2');
    expect(() => cluster({ replicas: 0 })).toThrow("replicas must be an integer >= 1, got 0");
    expect(() => cluster({ replicas: 3, minInSyncReplicas: 4 })).toThrow(
      "minInSyncReplicas must be an integer in [1, 3], got 4",
    );
    expect(() => cluster({ dropProbability: 1.5 })).toThrow(
      "dropProbability must be a number in [0, 1], got 1.5",
    );
    expect(() => cluster({ uncleanLeaderElection: "yes" as unknown as boolean })).toThrow(
      'uncleanLeaderElection must be true or false, got "yes"',
    );
    expect(() => cluster({ acksAll: true } as unknown as ReplicatedPartitionOptions)).toThrow(
      'unknown option "acksAll"',
    );
  });

  it("names the bad replica in fault controls", () => {
    const c = cluster();
    expect(() => c.crash(3)).toThrow("replica must be an index in [0, 2], got 3");
    c.crash(1);
    expect(() => c.crash(1)).toThrow("crash(replica) must be a running replica, got 1");
    expect(() => c.restart(0)).toThrow("restart(replica) must be a crashed replica, got 0");
    expect(() => c.partition([[0], [0, 1]])).toThrow("groups must be disjoint groups of replicas");
    expect(() => c.produce(-1)).toThrow("count must be an integer >= 0, got -1");
  });

  it("defaults minInSyncReplicas to 2, or 1 for a single replica", () => {
    expect(cluster().minInSyncReplicas).toBe(2);
    expect(cluster({ replicas: 1 }).minInSyncReplicas).toBe(1);
  });
});

describe("replicated partition: ISR and high watermark", () => {
  it("replicates every record to every replica without faults", () => {
    for (const seed of SEEDS.slice(0, 3)) {
      const c = cluster({ seed });
      c.produce(40, { intervalMs: 2 });
      runChecked(c, 1000);
      const outcome = c.outcome();
      expect(outcome.acknowledged).toBe(40);
      expect(outcome.committed).toBe(40);
      expect(outcome.lost).toBe(0);
      expect(outcome.duplicates).toBe(0);
      const leaderLog = c.replicaLog(0).map((r) => r.id);
      expect(c.replicaLog(1).map((r) => r.id)).toEqual(leaderLog);
      expect(c.replicaLog(2).map((r) => r.id)).toEqual(leaderLog);
    }
  });

  it("shows consumers only the records below the high watermark", () => {
    const c = cluster({ acks: 1 });
    c.runFor(50);
    c.partition([[0], [1, 2]]); // the followers stop fetching
    c.produce(5);
    c.runFor(40); // less than replicaLagTimeMaxMs: the followers are still in the ISR
    const leader = c.replica(0);
    expect(c.acknowledgedCount()).toBe(5);
    expect(leader?.logEndOffset).toBe(5);
    expect(leader?.highWatermark).toBe(0);
    expect(c.committedRecords()).toEqual([]);
    expect(c.inSyncReplicas()).toEqual([0, 1, 2]);
  });

  it("drops a slow follower from the ISR after replicaLagTimeMaxMs and takes it back", () => {
    const c = cluster({ acks: 1, replicaLagTimeMaxMs: 100 });
    c.slowFollower(2, 400);
    c.produce(100, { intervalMs: 3 });
    c.runFor(250);
    expect(c.inSyncReplicas()).toEqual([0, 1]);
    // The ISR without the slow follower commits: consumers see records r2 does not have.
    expect(c.committedRecords().length).toBeGreaterThan(c.replicaLog(2).length);
    c.slowFollower(2);
    c.runFor(1500);
    expect(c.inSyncReplicas()).toEqual([0, 1, 2]);
    expect(c.controllerLog().map((e) => [e.kind, e.isr])).toEqual([
      ["initial", [0, 1, 2]],
      ["isr", [0, 1]],
      ["isr", [0, 1, 2]],
    ]);
    expect(c.outcome().committed).toBe(100);
  });

  it("refuses acks=all with NOT_ENOUGH_REPLICAS while the ISR is below minInSyncReplicas", () => {
    const c = cluster({ minInSyncReplicas: 2, deliveryTimeoutMs: 300 });
    c.partition([[0], [1, 2]]);
    c.runFor(200); // the ISR shrinks to the leader
    expect(c.inSyncReplicas()).toEqual([0]);
    c.produce(3);
    c.runFor(500);
    const outcome = c.outcome();
    expect(outcome.acknowledged).toBe(0);
    expect(outcome.failedBy).toEqual({ NOT_ENOUGH_REPLICAS: 3 });
    expect(c.replicaLog(0)).toEqual([]); // refused before appending
  });
});

describe("ISR membership after a leader change", () => {
  it("takes a follower back only once it holds what the leader had when elected", () => {
    // Four replicas; r2 is cut off before any record, r0, r1 and r3 commit them. r1 restarts (its
    // high watermark, volatile, is 0 again), rejoins the ISR, and is elected when r0 dies, while
    // r3 gets cut off: r1's high watermark stays 0 although everything it holds was committed. r2
    // comes back with an empty log: "caught up to the high watermark" alone would let it into the
    // ISR at once, and the clean election after r1 dies would pick a replica without the records.
    for (const seed of SEEDS.slice(0, 4)) {
      const c = cluster({ seed, replicas: 4, minInSyncReplicas: 1 });
      c.isolate(2);
      c.produce(10);
      c.runFor(300);
      expect(c.acknowledgedCount()).toBe(10);
      c.crash(1);
      c.restart(1);
      c.sim.runUntil(() => c.inSyncReplicas().includes(1), { timeMsMax: 1000 });
      c.crash(0);
      c.isolate(3);
      expect(c.leader()).toBe(1);
      expect(c.replica(1)?.highWatermark).toBe(0);
      c.sim.runUntil(() => c.inSyncReplicas().includes(2), { timeMsMax: 1000 });
      const held = c.replicaLog(1).length;
      c.crash(1);
      expect(c.leader()).toBe(2);
      expect(c.outcome().lost).toBe(0);
      expect(c.replicaLog(2)).toHaveLength(held);
    }
  });
});

describe("acks=all with clean leader election", () => {
  it("loses no acknowledged record when the leader crashes (property over fault schedules)", () => {
    // Fault model: any replicas crash and restart (logs are durable), replicas are partitioned
    // from each other, messages are lost; elections are clean; in the end every replica restarts
    // and the network heals. Acknowledged records are then all in the leader's log, committed.
    const fault = fc.record({
      atMs: fc.integer({ min: 0, max: 600 }),
      action: fc.oneof(
        fc.record({ kind: fc.constant("crash" as const), replica: fc.integer({ min: 0, max: 2 }) }),
        fc.record({
          kind: fc.constant("restart" as const),
          replica: fc.integer({ min: 0, max: 2 }),
        }),
        fc.record({
          kind: fc.constant("isolate" as const),
          replica: fc.integer({ min: 0, max: 2 }),
        }),
        fc.record({ kind: fc.constant("heal" as const) }),
        fc.record({ kind: fc.constant("crashLeader" as const) }),
        fc.record({ kind: fc.constant("crashTwoLeaders" as const) }),
      ),
    });
    assertProperty(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.constantFrom(1, 2, 3),
        fc.double({ min: 0, max: 0.1, noNaN: true }),
        fc.array(fault, { maxLength: 8 }),
        (seed, minInSyncReplicas, dropProbability, faults) => {
          const c = cluster({ seed, minInSyncReplicas, dropProbability });
          c.produce(60, { intervalMs: 10 });
          for (const { atMs, action } of faults) {
            c.sim.at(atMs, () => {
              if (action.kind === "heal") return c.heal();
              if (action.kind === "crashTwoLeaders") {
                // The new leader dies at the instant it is elected: the next one comes from
                // followers that have just been told of a new epoch.
                for (let i = 0; i < 2; i++) {
                  const leader = c.leader();
                  if (leader !== null) c.crash(leader);
                }
                return;
              }
              const replica = action.kind === "crashLeader" ? c.leader() : action.replica;
              if (replica === null) return;
              if (action.kind === "isolate") return c.isolate(replica);
              if (action.kind === "restart") return c.isUp(replica) || c.restart(replica);
              if (c.isUp(replica)) c.crash(replica);
            });
          }
          runChecked(c, 700);
          settle(c);
          checkLogMatching(c);
          const outcome = c.outcome();
          expect(outcome.uncleanElections).toBe(0);
          expect(outcome.lostIds).toEqual([]);
          // Every replica ends with the leader's log.
          const leaderLog = c.replicaLog(outcome.leader ?? 0).map((r) => r.id);
          for (let r = 0; r < 3; r++) expect(c.replicaLog(r).map((x) => x.id)).toEqual(leaderLog);
          // ... and all of it is committed, so every acknowledged record is readable.
          expect(c.committedRecords()).toEqual(leaderLog);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("loses none of the records that acks=1 loses in the same crash", () => {
    for (const seed of SEEDS) {
      const c = crashRightAfterAcks(seed, "all");
      expect(c.outcome().lost).toBe(0);
    }
  });
});

/**
 * Produces 60 records, one every 2 ms, crashes the leader as soon as 30 are acknowledged, restarts
 * it 100 ms later and lets everything settle.
 */
function crashRightAfterAcks(seed: number, acks: 1 | "all"): ReplicatedPartitionCluster {
  const c = cluster({ seed, acks });
  c.produce(60, { intervalMs: 2 });
  c.sim.runUntil(() => c.acknowledgedCount() >= 30, { timeMsMax: 5000 });
  const leader = c.leader() ?? 0;
  c.crash(leader);
  runChecked(c, 100);
  c.restart(leader);
  runChecked(c, 2000);
  return c;
}

describe("KIP-101: truncation by leader epoch, not by high watermark", () => {
  it("keeps records a follower holds above its own high watermark through two leader crashes", () => {
    // Acknowledged with acks=all means every ISR member holds the record, but the followers learn
    // the new high watermark only on their next fetch. Crash the leader right then, and the leader
    // elected next at the same instant: the third replica must still hold the records. A follower
    // that truncated to its own high watermark on hearing of the new leader would have dropped them.
    for (const seed of SEEDS) {
      const c = cluster({ seed });
      c.produce(40, { intervalMs: 2 });
      c.sim.runUntil(() => c.acknowledgedCount() >= 20, { timeMsMax: 5000 });
      const first = c.leader() ?? 0;
      c.crash(first);
      const second = c.leader() ?? 0;
      c.crash(second);
      runChecked(c, 200);
      c.restart(first);
      c.restart(second);
      runChecked(c, 2000);
      expect(c.outcome().lost).toBe(0);
    }
  });
});

describe("acks=1", () => {
  it("loses the records the followers had not fetched when the leader crashes after acking", () => {
    const lost = SEEDS.map((seed) => crashRightAfterAcks(seed, 1).outcome().lost);
    expect(Math.max(...lost)).toBeGreaterThan(0);
  });

  it("loses nothing on a lossy network without crashes (retries; duplicates instead)", () => {
    for (const seed of SEEDS.slice(0, 4)) {
      const c = cluster({ seed, acks: 1, dropProbability: 0.1 });
      c.produce(50, { intervalMs: 2 });
      runChecked(c, 2000);
      const outcome = c.outcome();
      expect(outcome.acknowledged).toBe(50);
      expect(outcome.lost).toBe(0);
    }
  });
});

describe("acks=0", () => {
  it("loses records on a lossy network even without crashes", () => {
    const c = cluster({ seed: 3, acks: 0, dropProbability: 0.1 });
    c.produce(50, { intervalMs: 2 });
    runChecked(c, 2000);
    const outcome = c.outcome();
    expect(outcome.acknowledged).toBe(50); // the producer counted every send as done
    expect(outcome.lost).toBeGreaterThan(0);
    expect(outcome.lost).toBe(50 - outcome.committed);
  });
});

/**
 * The ISR shrinks to the leader (its followers are cut off), the producer gets 20 records
 * acknowledged with acks=all and minInSyncReplicas 1, then the leader dies and the network heals.
 */
function isrOfOneThenLeaderDies(seed: number, unclean: boolean): ReplicatedPartitionCluster {
  const c = cluster({ seed, minInSyncReplicas: 1, uncleanLeaderElection: unclean });
  c.partition([[0], [1, 2]]);
  c.runFor(200);
  expect(c.inSyncReplicas()).toEqual([0]);
  c.produce(20);
  c.runFor(100);
  expect(c.acknowledgedCount()).toBe(20);
  c.crash(0);
  c.heal();
  runChecked(c, 500);
  return c;
}

describe("unclean leader election", () => {
  it("elects a replica outside the ISR and loses acknowledged records", () => {
    for (const seed of SEEDS.slice(0, 4)) {
      const c = isrOfOneThenLeaderDies(seed, true);
      const outcome = c.outcome();
      expect(outcome.uncleanElections).toBe(1);
      expect(outcome.leader).toBe(1);
      expect(outcome.lost).toBe(20);
      // The old leader comes back as a follower and truncates its divergent records (KIP-101).
      c.restart(0);
      runChecked(c, 500);
      expect(c.replicaLog(0).map((r) => r.id)).toEqual(c.replicaLog(1).map((r) => r.id));
      expect(c.outcome().lost).toBe(20);
    }
  });

  it("a clean election refuses instead: the partition is unavailable until an ISR member returns", () => {
    for (const seed of SEEDS.slice(0, 4)) {
      const c = isrOfOneThenLeaderDies(seed, false);
      const offline = c.outcome();
      expect(offline.leader).toBeNull();
      expect(offline.unavailableMs).toBe(500);
      expect(offline.lost).toBe(0); // still in r0's durable log
      expect(c.controllerLog().at(-1)?.kind).toBe("offline");
      c.restart(0);
      runChecked(c, 500);
      const back = c.outcome();
      expect(back.leader).toBe(0);
      expect(back.lost).toBe(0);
      expect(back.committed).toBe(20);
      expect(back.unavailableMs).toBe(500);
    }
  });
});

describe("the chapter's loss table", () => {
  it("counts losses from real runs: none for acks=all with clean election", () => {
    const rows = replicationLossTable([1, 2]);
    expect(rows).toHaveLength(8);
    const row = (acks: 0 | 1 | "all", minIsr: number, election: "clean" | "unclean") =>
      rows.find(
        (r) => r.acks === acks && r.minInSyncReplicas === minIsr && r.election === election,
      );
    expect(row("all", 1, "clean")?.lost).toBe(0);
    expect(row("all", 2, "clean")?.lost).toBe(0);
    expect(row("all", 2, "unclean")?.lost).toBe(0); // nothing acknowledged while the ISR was 1
    expect(row("all", 1, "unclean")?.lost).toBeGreaterThan(0);
    expect(row(1, 1, "clean")?.lost).toBeGreaterThan(0);
    expect(row(0, 1, "clean")?.lost).toBeGreaterThan(0);
    expect(row("all", 1, "clean")?.unavailableMs).toBeGreaterThan(0);
    expect(row("all", 1, "unclean")?.unavailableMs).toBe(0);
    expect(() => replicationLossTable([])).toThrow("seeds must be a non-empty array");
  });

  it("is a function of the seed", () => {
    const run = () =>
      replicationCrashExperiment({ seed: 7, acks: 1, uncleanLeaderElection: true }).outcome();
    expect(run()).toEqual(run());
  });
});
