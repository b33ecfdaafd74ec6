// Worked problem "Design a job scheduler": one active leader by lease, fencing tokens at the
// resource, idempotent job runs as the second line of defence (Kleppmann 2016; Gray, Cheriton 1989).

import {
  LEASE_RESOURCE_ID,
  LeaseElection,
  type LeaseElectionCounts,
  leaseClassicFailure,
  leaseUsableMs,
} from "../../election/index.js";
import {
  assert,
  integerOption,
  invalidArgument,
  requireKnownOptions,
  requireSeeds,
} from "../../sim/assert.js";
import { median } from "../../sim/stats.js";
import type { NodeId, TraceEvent } from "../../sim/types.js";
import type { LoadAssumptions } from "../estimate.js";
import type { WorkedProblem } from "../types.js";

/**
 * The job scheduler: cron for a fleet. Job definitions are few and small, so the whole table is
 * replicated; one scheduler at a time fires due jobs (a lease plus fencing tokens); runs go to a
 * plain work queue; jobs are idempotent by run id, so a second run of the same slot does no harm.
 */
export const jobSchedulerProblem: WorkedProblem = {
  page: "09e-job-scheduler",
  title: "Design a job scheduler (cron for a fleet) where each job runs once",
  requirements: {
    strongConsistency: true,
    naturalPartitionKey: false,
    ordering: "none",
    singleActiveWorker: true,
    idempotentConsumers: true,
    hotSpotRisk: false,
    latencyMsP99: 1_000,
    availabilityTarget: 0.999,
    replicaOneWayLatencyMs: 1,
  },
  documentedChoices: [
    "cp",
    "replicate-whole-dataset",
    "simple-queue",
    "leader-lease-fencing",
    "at-least-once-idempotent",
    "plain-hash-partitioning",
    "quorum-round-trip",
    "majority-quorum-replication",
  ],
};

/**
 * The scheduler's load, with a "user" read as one scheduled job: 1 million jobs, each run 24 times
 * a day on average, 10x peaks at the top of the hour, a 500-byte run record kept 30 days.
 */
export const jobSchedulerAssumptions: LoadAssumptions = {
  dailyActiveUsers: 1_000_000,
  writesPerUserPerDay: 24,
  readsPerWrite: 2,
  peakToAverage: 10,
  bytesPerWrite: 500,
  bytesPerRead: 500,
  retentionDays: 30,
  replicationFactor: 3,
};

/** Options of {@link jobSchedulerPauseRun}. */
export interface JobSchedulerPauseOptions {
  /** The job's target checks the run's fencing token (rejects a lower one). */
  readonly fencing: boolean;
  /** The target applies a run id (job slot) once, whoever sends it. Default false. */
  readonly idempotencyKeys?: boolean;
  /** Seed of the lease run, an integer >= 0. Default 1. */
  readonly seed?: number;
}

/** One run of the job as the target saw it. */
export interface JobSchedulerRun {
  /** The run id: the job's slot ("slot-3"); a takeover re-runs the slot it cannot see done. */
  readonly runId: string;
  readonly scheduler: NodeId;
  readonly token: number;
  /** Virtual ms at which the target received it. */
  readonly atMs: number;
  /** "applied": it took effect; "rejected": lower token; "duplicate": its run id was done. */
  readonly outcome: "applied" | "rejected" | "duplicate";
}

/** What {@link jobSchedulerPauseRun} measured. */
export interface JobSchedulerPauseResult {
  readonly fencing: boolean;
  readonly idempotencyKeys: boolean;
  /** The scheduler that froze with a run prepared. */
  readonly oldLeader: NodeId;
  /** The scheduler holding the lease at the end. */
  readonly newLeader: NodeId | undefined;
  /** Every run the target received, in arrival order. */
  readonly runs: readonly JobSchedulerRun[];
  /** Runs that took effect. */
  readonly runsApplied: number;
  /** Runs refused for a lower fencing token. */
  readonly runsRejected: number;
  /** Runs dropped because their run id had already taken effect. */
  readonly runsDeduplicated: number;
  /** Slots whose job took effect twice or more: the double runs. */
  readonly doubleRuns: number;
  /** Runs the target accepted (before any dedup) from a scheduler whose lease had expired at the
   * store: the lease checker's count. */
  readonly staleRunsAccepted: number;
  /** The lease checker's verdict: its violations (empty when the run is safe). */
  readonly violations: readonly string[];
  readonly counts: LeaseElectionCounts;
  /** The lease run's trace, for sequence diagrams. */
  readonly trace: readonly TraceEvent[];
}

/**
 * The seed notes' scheduler sketch (acquire the lock, run the job, release) under the classic
 * failure: the leader checks its lease, prepares the run of the due slot, and a GC pause of three
 * lease lengths freezes it. Its lease expires, the other scheduler takes over and, seeing no result
 * for that slot, runs it again, then the slots after it. The old leader wakes up and sends its run.
 * Without fencing the target applies both runs of the slot (a double run, and the checker reports
 * the stale write); fencing rejects the stale run; idempotency keys drop it even without fencing.
 * Runs on {@link leaseClassicFailure}: two candidates, a 300 ms lease, one run every 50 ms.
 *
 * @example
 * jobSchedulerPauseRun({ fencing: false }).doubleRuns; // 1
 * jobSchedulerPauseRun({ fencing: true }).doubleRuns; // 0
 */
export function jobSchedulerPauseRun(options: JobSchedulerPauseOptions): JobSchedulerPauseResult {
  const known = requireKnownOptions("jobSchedulerPauseRun options", options, [
    "fencing",
    "idempotencyKeys",
    "seed",
  ]);
  if (typeof known.fencing !== "boolean") {
    throw invalidArgument("fencing", "true or false", known.fencing);
  }
  const idempotencyKeys = known.idempotencyKeys ?? false;
  if (typeof idempotencyKeys !== "boolean") {
    throw invalidArgument("idempotencyKeys", "true or false", idempotencyKeys);
  }
  const seed = integerOption("seed", known.seed, 1, 0);
  const story = leaseClassicFailure({ fencing: known.fencing, seed });
  const old = story.election.candidate(story.oldLeader);
  assert(old !== undefined, "the paused scheduler is not crashed");
  // The old leader's last run is the one the pause caught; the takeover re-runs that slot.
  const takeoverSlot = old.writesSent;
  const slotOf = (scheduler: NodeId, runNumber: number): number =>
    scheduler === story.oldLeader ? runNumber : takeoverSlot + runNumber - 1;

  // The target's verdict is the resource's reply, sent while it handles the write.
  const done = new Map<string, number>();
  const runs: JobSchedulerRun[] = [];
  let received: { runId: string; scheduler: NodeId; token: number; atMs: number } | undefined;
  for (const event of story.trace) {
    if (event.kind === "deliver" && event.to === LEASE_RESOURCE_ID) {
      const { token, value } = event.message as unknown as { token: number; value: string };
      const runNumber = Number(value.slice(value.lastIndexOf("#") + 1));
      const runId = `slot-${slotOf(event.from, runNumber)}`;
      received = { runId, scheduler: event.from, token, atMs: event.timeMs };
    } else if (event.kind === "send" && event.from === LEASE_RESOURCE_ID) {
      assert(received !== undefined, "the resource replies to a write it received");
      let outcome: JobSchedulerRun["outcome"] = "applied";
      if (event.message.type === "resource.rejected") outcome = "rejected";
      else if (idempotencyKeys && done.has(received.runId)) outcome = "duplicate";
      if (outcome === "applied") done.set(received.runId, (done.get(received.runId) ?? 0) + 1);
      runs.push({ ...received, outcome });
      received = undefined;
    }
  }
  const count = (outcome: JobSchedulerRun["outcome"]): number =>
    runs.filter((run) => run.outcome === outcome).length;
  const rejected = count("rejected");
  assert(rejected === story.counts.writesRejected, "the target's rejections match the resource's");
  return {
    fencing: known.fencing,
    idempotencyKeys,
    oldLeader: story.oldLeader,
    newLeader: story.newLeader,
    runs,
    runsApplied: count("applied"),
    runsRejected: rejected,
    runsDeduplicated: count("duplicate"),
    doubleRuns: [...done.values()].filter((times) => times > 1).length,
    staleRunsAccepted: story.counts.staleWritesAccepted,
    violations: story.violations,
    counts: story.counts,
    trace: story.trace,
  };
}

/** Options of {@link jobSchedulerFailoverRows}. */
export interface JobSchedulerFailoverOptions {
  /** Lease lengths to compare, each a number > 0 (ms). */
  readonly ttlsMs: readonly number[];
  /** Seeds per lease length (at least one, integers >= 0). */
  readonly seeds: readonly number[];
  /** Schedulers competing for the lease, an integer in [2, 20]. Default 3. */
  readonly candidates?: number;
}

/** One lease length measured over the seeds. */
export interface JobSchedulerFailoverRow {
  readonly ttlMs: number;
  /** Virtual ms from the leader's crash to a new leader: median and max over the seeds. */
  readonly failoverMsMedian: number;
  readonly failoverMsMax: number;
  /** Messages per second to and from the lease store while nothing fails (renewals and polls). */
  readonly storeMessagesPerSecond: number;
  /** A leader pause longer than this (ms, its own clock) costs it the lease: a false failover. */
  readonly pauseToleratedMs: number;
}

const STEADY_WINDOW_MS = 2_000;

/**
 * Failover time against lease length: for each ttl and seed, elect a leader, measure the store's
 * traffic over 2 s of calm, crash the leader and time the takeover. A shorter lease fails over
 * sooner but costs more renewals and turns shorter pauses into leadership changes.
 *
 * @example
 * const [short, long] = jobSchedulerFailoverRows({ ttlsMs: [100, 3000], seeds: [1, 2, 3] });
 * short.failoverMsMedian < long.failoverMsMedian; // true
 */
export function jobSchedulerFailoverRows(
  options: JobSchedulerFailoverOptions,
): JobSchedulerFailoverRow[] {
  const known = requireKnownOptions("jobSchedulerFailoverRows options", options, [
    "ttlsMs",
    "seeds",
    "candidates",
  ]);
  const ttls = known.ttlsMs;
  if (!Array.isArray(ttls) || ttls.length === 0) {
    throw invalidArgument("ttlsMs", "a non-empty array of numbers > 0", ttls);
  }
  for (const ttl of ttls as unknown[]) {
    if (typeof ttl !== "number" || !Number.isFinite(ttl) || ttl <= 0) {
      throw invalidArgument("ttlMs", "a finite number > 0", ttl);
    }
  }
  const seeds = known.seeds;
  requireSeeds("seeds", seeds);
  const candidates = integerOption("candidates", known.candidates, 3, 2, 20);
  return (ttls as number[]).map((ttlMs) => {
    const samples = (seeds as number[]).map((seed) => {
      const election = new LeaseElection({ candidates, seed, ttlMs });
      election.runUntilLeader(10 * ttlMs + 10_000);
      const sentBefore = leaseMessagesSent(election);
      election.runFor(STEADY_WINDOW_MS);
      const perSecond = ((leaseMessagesSent(election) - sentBefore) * 1000) / STEADY_WINDOW_MS;
      const { failoverMs } = election.failover(10 * ttlMs + 10_000);
      assert(election.violations.length === 0, `lease failover is safe (seed ${seed})`);
      return { failoverMs, perSecond };
    });
    const failovers = samples.map((sample) => sample.failoverMs);
    return {
      ttlMs,
      failoverMsMedian: median(failovers),
      failoverMsMax: Math.max(...failovers),
      storeMessagesPerSecond: median(samples.map((sample) => sample.perSecond)),
      pauseToleratedMs: leaseUsableMs(ttlMs, 0.01),
    };
  });
}

/** Messages to and from the lease store so far (the job's own writes excluded). */
function leaseMessagesSent(election: LeaseElection): number {
  let sent = 0;
  for (const [type, count] of Object.entries(election.sim.stats.sentByType)) {
    if (type.startsWith("lease.")) sent += count;
  }
  return sent;
}
