// Benchmarks of Raft (issue 6): committed entries per wall-second on a 5-node cluster, entries per
// AppendEntries, event rate against the bare simulator, speed under light load (§5.3 of the
// paper), fuzz cases per second and the key-value store's client operations (thesis §6.3).

import {
  type RaftFuzzOptions,
  RaftKvCluster,
  type RaftKvReadPath,
  type RaftMessage,
  RaftServer,
  runRaftFuzzCase,
} from "../src/consensus/raft/index.js";
import { checkOperations, kvModel } from "../src/consistency/linearizability/index.js";
import { Simulation } from "../src/index.js";
import { type Figure, bareEventLoop, timed } from "./sim.js";

const SERVERS = 5;
const IDS = Array.from({ length: SERVERS }, (_, i) => `s${i}`);

/** A 5-node Raft cluster as RaftHarness builds it (same timing), without the invariant checker. */
interface BenchCluster {
  readonly sim: Simulation<RaftMessage>;
  readonly leaderId: string;
  readonly leader: RaftServer;
  /** Proposes `command` on the leader, as RaftHarness.start does; returns the entry's index. */
  propose(command: unknown): number;
  appendEntriesSent(): number;
}

/** How the servers replicate: one AppendEntries per start() (default), or batched per step. */
interface Replication {
  readonly batchAppends: boolean;
  readonly entriesPerAppendMax: number;
}

const UNBATCHED: Replication = { batchAppends: false, entriesPerAppendMax: 64 };

function raftCluster(seed: number, replication: Replication = UNBATCHED): BenchCluster {
  const sim = new Simulation<RaftMessage>({
    seed,
    traceEventsMax: 0,
    // RaftHarness's reliable network.
    network: { latency: { kind: "uniform", minMs: 1, maxMs: 5 } },
  });
  for (const id of IDS) {
    sim.addNode(
      id,
      () =>
        new RaftServer({
          electionTimeoutMsMin: 300,
          electionTimeoutMsMax: 600,
          heartbeatMs: 100,
          entriesPerAppendMax: replication.entriesPerAppendMax,
          batchAppends: replication.batchAppends,
          unsafeCommitOldTerms: false,
        }),
    );
  }
  const server = (id: string) => sim.processOf(id) as RaftServer;
  const leaderOf = () => IDS.find((id) => server(id).role === "leader");
  sim.runUntil(() => leaderOf() !== undefined, { timeMsMax: 5_000 });
  // Let the first heartbeat round settle, so every follower knows the leader.
  sim.runFor(200);
  const leaderId = leaderOf();
  if (leaderId === undefined) throw new Error(`raft bench: no leader (seed ${seed})`);
  const leader = server(leaderId);
  return {
    sim,
    leaderId,
    leader,
    propose: (command) => {
      const result = sim.withNode(leaderId, (ctx, process) =>
        (process as RaftServer).start(ctx, command),
      );
      if (!result.isLeader) throw new Error(`raft bench: ${leaderId} lost leadership`);
      return result.index;
    },
    appendEntriesSent: () => sim.stats.sentByType.AppendEntries ?? 0,
  };
}

/** What one throughput run measured. */
interface RaftRun {
  readonly entries: number;
  readonly seconds: number;
  readonly events: number;
  readonly appendEntries: number;
  readonly simulatedMs: number;
}

/**
 * `burst` proposals at a time, then run until the leader's commitIndex covers all of them (a
 * majority stores them); repeat until `entries` are committed. burst 1: propose, commit, repeat.
 */
function raftRun(entries: number, burst: number, replication: Replication = UNBATCHED): RaftRun {
  const cluster = raftCluster(1, replication);
  const { sim, leader } = cluster;
  const eventsBefore = sim.stats.eventsProcessed;
  const appendBefore = cluster.appendEntriesSent();
  const startMs = sim.now;
  const seconds = timed(() => {
    for (let done = 0; done < entries;) {
      const count = Math.min(burst, entries - done);
      let last = 0;
      for (let k = 0; k < count; k++) last = cluster.propose(done + k);
      sim.runUntil(() => leader.commitIndex >= last, { timeMsMax: 10_000 });
      done += count;
    }
  });
  return {
    entries,
    seconds,
    events: sim.stats.eventsProcessed - eventsBefore,
    appendEntries: cluster.appendEntriesSent() - appendBefore,
    simulatedMs: sim.now - startMs,
  };
}

function runDetail(run: RaftRun, how: string): string {
  const perAppend = (run.entries * (SERVERS - 1)) / run.appendEntries;
  return (
    `${how}; ${run.entries.toLocaleString("en-US")} entries in ${run.seconds.toFixed(2)} s, ` +
    `${run.appendEntries.toLocaleString("en-US")} AppendEntries (${perAppend.toFixed(2)} ` +
    `entries each, heartbeats included), ${(run.simulatedMs / 1000).toFixed(1)} simulated s`
  );
}

/**
 * Committed entries per wall-second, 5 nodes, one AppendEntries per proposal and follower: propose
 * one command on the leader, run until the leader's commitIndex covers it (stored on a majority),
 * repeat. No pipelining: each proposal waits for its own round trip.
 */
export function raftCommitThroughput(entries: number): Figure {
  const run = raftRun(entries, 1);
  return {
    name: "raft: committed entries, 5 nodes, 1 AppendEntries per proposal",
    value: run.entries / run.seconds,
    unit: "entries/s",
    goal: 150_000,
    detail: runDetail(run, "one proposal at a time, each committed before the next"),
  };
}

/**
 * Committed entries per wall-second with batching (RaftServer's batchAppends): bursts of `burst`
 * start() calls on the leader, sent in one AppendEntries per follower at the end of the step (up
 * to `burst` entries each), then run until all are committed. The detail gives the entries per
 * AppendEntries actually sent.
 */
export function raftBatchedThroughput(entries: number, burst: number): Figure {
  const run = raftRun(entries, burst, { batchAppends: true, entriesPerAppendMax: burst });
  return {
    name: `raft: committed entries, 5 nodes, bursts of ${burst} proposals (batching)`,
    value: run.entries / run.seconds,
    unit: "entries/s",
    goal: 1_000_000,
    detail: runDetail(run, `bursts of ${burst} start() calls, each burst run until committed`),
  };
}

/**
 * Raft's simulator events per wall-second over the bare event loop's, measured in the same call:
 * `rounds` alternating runs of each, and the best rate of each (on a shared machine a load spike
 * during one of the two runs would otherwise decide the ratio).
 */
export function raftEventRateRatio(entries: number, rounds = 3): Figure {
  let bareRate = 0;
  let raftRate = 0;
  for (let round = 0; round < rounds; round++) {
    bareRate = Math.max(bareRate, bareEventLoop(2_000_000, false).value);
    const run = raftRun(entries, 1);
    raftRate = Math.max(raftRate, run.events / run.seconds);
  }
  return {
    name: "raft: event rate / bare event loop",
    value: raftRate / bareRate,
    unit: "ratio",
    goal: 0.2,
    detail:
      `Raft ${Math.round(raftRate).toLocaleString("en-US")} events/s (one proposal at a time), ` +
      `bare ${Math.round(bareRate).toLocaleString("en-US")} events/s, best of ${rounds} runs each`,
  };
}

/** Simulated time per wall time: `perSecond` proposals per simulated second for `simulatedMs`. */
export function raftLightLoad(simulatedMs: number, perSecond: number): Figure {
  const cluster = raftCluster(1);
  const { sim, leader } = cluster;
  const gapMs = 1000 / perSecond;
  let proposed = 0;
  const seconds = timed(() => {
    for (let t = 0; t < simulatedMs; t += gapMs) {
      cluster.propose(proposed++);
      sim.runFor(gapMs);
    }
  });
  if (leader.commitIndex < proposed) {
    sim.runUntil(() => leader.commitIndex >= proposed, { timeMsMax: 10_000 });
  }
  return {
    name: `raft: light load, 5 nodes, ${perSecond} proposals per simulated second`,
    value: simulatedMs / 1000 / seconds,
    unit: "x real time",
    goal: 300,
    detail:
      `${(simulatedMs / 3_600_000).toFixed(2)} simulated hours in ${seconds.toFixed(2)} s, ` +
      `${proposed.toLocaleString("en-US")} entries committed, ` +
      `${sim.stats.messagesDelivered.toLocaleString("en-US")} messages`,
  };
}

/** Raft fuzz cases per wall-second, with the given extensions switched on. */
export function raftFuzzRate(cases: number, label: string, options: RaftFuzzOptions): Figure {
  let failed = 0;
  const seconds = timed(() => {
    for (let seed = 1; seed <= cases; seed++) if (!runRaftFuzzCase(seed, options).ok) failed++;
  });
  return {
    name: `raft: fuzz cases, ${label}`,
    value: cases / seconds,
    unit: "cases/s",
    goal: undefined,
    detail: `${cases} seeds in ${seconds.toFixed(2)} s (5 simulated s of faults each), ${failed} failed`,
  };
}

/**
 * Client operations per wall-second on the key-value store (thesis §6.3): 5 servers, 8 clients
 * issuing random puts, appends and gets (reads through `reads`), on a reliable network, with
 * every history checked afterwards (not timed).
 */
export function raftKvThroughput(simulatedMs: number, reads: RaftKvReadPath): Figure {
  const kv = new RaftKvCluster({ servers: 5, clients: 8, seed: 1, reads });
  kv.runFor(1_000);
  const seconds = timed(() => {
    kv.startWorkload({ durationMs: simulatedMs, thinkMsMax: 0 });
    kv.runFor(simulatedMs);
    kv.runUntilIdle();
  });
  const history = kv.history();
  const verdict = checkOperations(kvModel, history).result;
  return {
    name: `raft kv: client operations, 5 servers, 8 clients, reads via ${reads}`,
    value: history.length / seconds,
    unit: "ops/s",
    goal: undefined,
    detail:
      `${history.length.toLocaleString("en-US")} operations in ${seconds.toFixed(2)} s, ` +
      `${(simulatedMs / 1000).toFixed(0)} simulated s, checker: ${verdict}`,
  };
}
