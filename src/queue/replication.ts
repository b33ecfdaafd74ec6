// A replicated partition on the simulator: replicas, a producer client and the controller, with
// fault controls and the count of acknowledged messages lost (Kafka replication; KIP-101 epochs).

import {
  assert,
  integerOption,
  invalidArgument,
  requireIntegerAtLeast,
  requireKnownOptions,
  requireNumberAtLeast,
  requireProbability,
  requireSeeds,
} from "../sim/assert.js";
import { partitionAmong } from "../sim/partition-among.js";
import { Simulation } from "../sim/simulation.js";
import type { NodeId } from "../sim/types.js";
import { ReplicationProducer } from "./replication-producer.js";
import {
  REPLICATION_ACKS,
  type ReplicatedRecord,
  type ReplicationAcks,
  type ReplicationErrorCode,
  type ReplicationMessage,
  ReplicaProcess,
} from "./replication-replica.js";

export {
  REPLICATION_ACKS,
  type ReplicaProcess,
  type ReplicatedRecord,
  type ReplicationAcks,
  type ReplicationMessage,
};

/** How a {@link ReplicatedPartitionCluster} is set up. Only `seed` and `acks` are required. */
export interface ReplicatedPartitionOptions {
  /** Seed of the run: same seed and same script, same run. */
  readonly seed: number;
  /** When the producer counts a record as acknowledged (see {@link ReplicationAcks}). */
  readonly acks: ReplicationAcks;
  /** Number of replicas, "r0" .. "r{n-1}"; r0 leads first. Default 3. */
  readonly replicas?: number;
  /** acks "all" is refused while the ISR is smaller. Default min(2, replicas). */
  readonly minInSyncReplicas?: number;
  /** Elect a replica outside the ISR when no ISR member is alive. Default false. */
  readonly uncleanLeaderElection?: boolean;
  /** A follower not caught up for longer than this leaves the ISR. Default 100 ms. */
  readonly replicaLagTimeMaxMs?: number;
  /** Followers fetch this often (and right away after a fetch brought records). Default 10 ms. */
  readonly fetchIntervalMs?: number;
  /** Producer request timeout. Default 100 ms. */
  readonly requestTimeoutMs?: number;
  /** Producer wait before a retry. Default 20 ms. */
  readonly retryBackoffMs?: number;
  /** The producer gives a record up this long after it was handed over. Default 2000 ms. */
  readonly deliveryTimeoutMs?: number;
  /** Producer requests in flight at most (acks 1 and "all"). Default 5. */
  readonly inFlightMax?: number;
  /** Probability that any message is lost on the wire. Default 0. */
  readonly dropProbability?: number;
  /** Trace capacity of the simulation (0, the default, keeps no trace). */
  readonly traceEventsMax?: number;
}

/** One decision of the controller: an election, an offline partition, or a new ISR. */
export interface ReplicationControllerEvent {
  readonly timeMs: number;
  /** "clean": leader from the ISR; "unclean": from outside it; "offline": no leader possible. */
  readonly kind: "initial" | "clean" | "unclean" | "offline" | "isr";
  readonly leaderEpoch: number;
  /** Replica index of the leader, or null while offline. */
  readonly leader: number | null;
  /** The ISR as replica indices. */
  readonly isr: readonly number[];
}

/** What a run came to (see {@link ReplicatedPartitionCluster.outcome}). */
export interface ReplicationOutcome {
  /** Records handed to the producer. */
  readonly produced: number;
  /** Records the producer counted as acknowledged. */
  readonly acknowledged: number;
  /** Records the producer gave up on (out of delivery time), with their last error. */
  readonly failed: number;
  readonly failedBy: Readonly<Record<string, number>>;
  /** Records below the leader's high watermark (0 while offline). */
  readonly committed: number;
  /** Acknowledged records absent from the leader's log (offline: absent from every log). */
  readonly lost: number;
  readonly lostIds: readonly string[];
  /** Extra copies of records in the leader's log (retries after a lost answer). */
  readonly duplicates: number;
  /** The leader's replica index, or null while the partition is offline. */
  readonly leader: number | null;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  /** Virtual ms the partition spent without a leader. */
  readonly unavailableMs: number;
  readonly uncleanElections: number;
}

const KNOWN_OPTIONS = [
  "seed",
  "acks",
  "replicas",
  "minInSyncReplicas",
  "uncleanLeaderElection",
  "replicaLagTimeMaxMs",
  "fetchIntervalMs",
  "requestTimeoutMs",
  "retryBackoffMs",
  "deliveryTimeoutMs",
  "inFlightMax",
  "dropProbability",
  "traceEventsMax",
];
const PRODUCER = "producer";
const FETCH_RECORDS_MAX = 50;
const METADATA_MAX_AGE_MS = 50;

/**
 * One partition replicated on `replicas` simulated brokers, a producer client node, and the
 * controller. The controller is this harness, not a node: it learns of a crash at once (ZooKeeper
 * session expiry with no delay), elects the first live ISR member (clean) or, with
 * `uncleanLeaderElection`, the first live replica when no ISR member is alive; it bumps the leader
 * epoch and tells the live replicas at once; a restarted replica hears the current leader when it
 * restarts. ISR changes go through it (the leader's `alterIsr`, refused for an old epoch), and it
 * removes a crashed follower from the ISR. Network faults cut replicas from each other only: the
 * producer reaches every replica.
 *
 * Fault model of the guarantee: logs are durable (every append written to stable storage), so
 * with clean elections no acknowledged acks="all" record is lost under any crashes, restarts,
 * partitions and message loss; with all ISR members down the partition is unavailable until one
 * restarts. (Kafka does not fsync each append: there the guarantee needs fewer than
 * min.insync.replicas ISR members to fail at once.)
 *
 * @example
 * const cluster = new ReplicatedPartitionCluster({ seed: 1, acks: "all" });
 * cluster.produce(20, { intervalMs: 5 });
 * cluster.sim.schedule(50, () => cluster.crash(cluster.leader() ?? 0));
 * cluster.runFor(1000);
 * cluster.outcome().lost; // 0
 */
export class ReplicatedPartitionCluster {
  /** The simulation the cluster runs on (for traces, diagrams and scripted faults). */
  readonly sim: Simulation<ReplicationMessage>;
  readonly seed: number;
  readonly acks: ReplicationAcks;
  readonly minInSyncReplicas: number;
  readonly uncleanLeaderElection: boolean;
  private readonly replicaIds: NodeId[];
  private readonly dropProbability: number;
  // Controller state. invariant: isr is non-empty; the leader, when there is one, is in it.
  private leaderIndex: number | null = null;
  private epoch = 0;
  private isr: number[] = [];
  private offlineSinceMs: number | null = null;
  private unavailableMsTotal = 0;
  private readonly log: ReplicationControllerEvent[] = [];
  // Producer bookkeeping.
  private producedCount = 0;
  private readonly acknowledgedIds = new Set<string>();
  private readonly failedIds = new Map<string, ReplicationErrorCode | "TIMEOUT">();

  constructor(options: ReplicatedPartitionOptions) {
    const known = requireKnownOptions("ReplicatedPartitionCluster options", options, KNOWN_OPTIONS);
    this.seed = requireIntegerAtLeast("seed", known.seed, 0);
    if (!REPLICATION_ACKS.includes(known.acks as ReplicationAcks)) {
      throw invalidArgument("acks", '0, 1 or "all"', known.acks);
    }
    this.acks = known.acks as ReplicationAcks;
    const replicas = integerOption("replicas", known.replicas, 3, 1);
    this.minInSyncReplicas = integerOption(
      "minInSyncReplicas",
      known.minInSyncReplicas,
      Math.min(2, replicas),
      1,
      replicas,
    );
    const unclean = known.uncleanLeaderElection ?? false;
    if (typeof unclean !== "boolean") {
      throw invalidArgument("uncleanLeaderElection", "true or false", unclean);
    }
    this.uncleanLeaderElection = unclean;
    const replicaLagTimeMaxMs = integerOption(
      "replicaLagTimeMaxMs",
      known.replicaLagTimeMaxMs,
      100,
      1,
    );
    const fetchIntervalMs = integerOption("fetchIntervalMs", known.fetchIntervalMs, 10, 1);
    const requestTimeoutMs = integerOption("requestTimeoutMs", known.requestTimeoutMs, 100, 1);
    const retryBackoffMs = integerOption("retryBackoffMs", known.retryBackoffMs, 20, 1);
    const deliveryTimeoutMs = integerOption("deliveryTimeoutMs", known.deliveryTimeoutMs, 2000, 1);
    const inFlightMax = integerOption("inFlightMax", known.inFlightMax, 5, 1);
    this.dropProbability = requireProbability("dropProbability", known.dropProbability ?? 0);
    const traceEventsMax = integerOption("traceEventsMax", known.traceEventsMax, 0, 0);

    this.sim = new Simulation<ReplicationMessage>({ seed: this.seed, traceEventsMax });
    this.sim.configureNetwork({
      latency: { kind: "uniform", minMs: 1, maxMs: 5 },
      dropProbability: this.dropProbability,
    });
    this.replicaIds = Array.from({ length: replicas }, (_, i) => `r${i}`);
    for (const id of this.replicaIds) {
      this.sim.addNode(
        id,
        () =>
          new ReplicaProcess({
            replicas: this.replicaIds,
            replicaLagTimeMaxMs,
            fetchIntervalMs,
            fetchRecordsMax: FETCH_RECORDS_MAX,
            minInSyncReplicas: this.minInSyncReplicas,
            alterIsr: (leader, leaderEpoch, isr) => this.alterIsr(leader, leaderEpoch, isr),
          }),
      );
    }
    this.sim.addNode(
      PRODUCER,
      () =>
        new ReplicationProducer({
          replicas: this.replicaIds,
          acks: this.acks,
          requestTimeoutMs,
          retryBackoffMs,
          deliveryTimeoutMs,
          inFlightMax,
          metadataMaxAgeMs: METADATA_MAX_AGE_MS,
          onAcknowledged: (recordId) => {
            assert(!this.failedIds.has(recordId), "a record is acknowledged or failed, not both");
            this.acknowledgedIds.add(recordId);
          },
          onFailed: (recordId, reason) => {
            assert(!this.acknowledgedIds.has(recordId), "a record settles once");
            this.failedIds.set(recordId, reason);
          },
        }),
    );
    this.isr = this.replicaIds.map((_, i) => i);
    this.installLeader(0, "initial");
  }

  /** Number of replicas. */
  get replicas(): number {
    return this.replicaIds.length;
  }

  /** Virtual time in ms. */
  get now(): number {
    return this.sim.now;
  }

  /** The leader's replica index as the controller knows it, or null while offline. */
  leader(): number | null {
    return this.leaderIndex;
  }

  /** The current leader epoch. */
  get leaderEpoch(): number {
    return this.epoch;
  }

  /** The ISR as the controller knows it (replica indices). */
  inSyncReplicas(): number[] {
    return [...this.isr];
  }

  /** The controller's decisions so far: elections, offline periods, ISR changes. */
  controllerLog(): readonly ReplicationControllerEvent[] {
    return [...this.log];
  }

  /** The running replica process (undefined while crashed), for inspection. */
  replica(replica: number): ReplicaProcess | undefined {
    return this.sim.processOf(this.replicaId(replica)) as ReplicaProcess | undefined;
  }

  /** The records of a replica's durable log (also while it is crashed). */
  replicaLog(replica: number): ReplicatedRecord[] {
    const running = this.replica(replica);
    if (running !== undefined) return running.records();
    const stored = this.sim.storageOf(this.replicaId(replica)).get("log") as
      { readonly entries: ReplicatedRecord[] } | undefined;
    return stored?.entries ?? [];
  }

  /** What a consumer may read: the ids of the leader's records below its high watermark. */
  committedRecords(): string[] {
    const leader = this.leaderIndex === null ? undefined : this.replica(this.leaderIndex);
    if (leader === undefined) return [];
    return leader
      .records()
      .slice(0, leader.highWatermark)
      .map((r) => r.id);
  }

  // ------------------------------------------------------------------ producing

  /**
   * Hands `count` new records ("m0", "m1", ...) to the producer: all now, or one every
   * `intervalMs` of virtual time from now.
   */
  produce(count: number, options: { readonly intervalMs?: number } = {}): void {
    requireIntegerAtLeast("count", count, 0);
    const known = requireKnownOptions("produce options", options, ["intervalMs"]);
    const intervalMs = requireNumberAtLeast("intervalMs", known.intervalMs ?? 0, 0);
    const ids = Array.from({ length: count }, (_, i) => `m${this.producedCount + i}`);
    this.producedCount += count;
    const hand = (recordIds: string[]) =>
      this.sim.withNode(PRODUCER, (ctx, process) =>
        (process as ReplicationProducer).enqueue(ctx, recordIds),
      );
    if (intervalMs === 0) {
      hand(ids);
      return;
    }
    ids.forEach((id, i) => this.sim.schedule(i * intervalMs, () => hand([id])));
  }

  /** Records the producer counted as acknowledged so far. */
  acknowledgedCount(): number {
    return this.acknowledgedIds.size;
  }

  /** Ids of the records the producer counted as acknowledged, in the order it did. */
  acknowledgedRecords(): string[] {
    return [...this.acknowledgedIds];
  }

  // ------------------------------------------------------------------ faults

  /** Crashes replica `replica`; the controller reacts at once (new leader or smaller ISR). */
  crash(replica: number): void {
    const id = this.replicaId(replica);
    if (!this.sim.isUp(id)) throw invalidArgument("crash(replica)", "a running replica", replica);
    const wasLeader = replica === this.leaderIndex;
    // What the dying leader had committed: a clean election must keep all of it.
    const committed = wasLeader ? this.committedPrefix(replica) : [];
    this.sim.crash(id);
    const alive = this.isr.filter((r) => this.isUpIndex(r));
    if (!wasLeader) {
      if (alive.length < this.isr.length && this.leaderIndex !== null) {
        this.isr = alive;
        this.record("isr");
        const leader = this.leaderIndex;
        this.sim.withNode(this.replicaId(leader), (ctx, process) =>
          (process as ReplicaProcess).updateIsr(
            ctx,
            this.isr.map((r) => this.replicaId(r)),
          ),
        );
      }
      return;
    }
    this.leaderIndex = null;
    // Kafka keeps the last ISR member in the ISR when it dies: it is the one a clean election waits for.
    if (alive.length > 0) this.isr = alive;
    this.elect(committed);
  }

  /** Restarts crashed replica `replica` from its durable log; it follows the current leader. */
  restart(replica: number): void {
    const id = this.replicaId(replica);
    if (this.sim.isUp(id)) throw invalidArgument("restart(replica)", "a crashed replica", replica);
    this.sim.restart(id);
    if (this.leaderIndex === null) {
      this.elect([]);
      return;
    }
    const leader = this.replicaId(this.leaderIndex);
    const epoch = this.epoch;
    this.sim.withNode(id, (ctx, process) =>
      (process as ReplicaProcess).becomeFollower(ctx, epoch, leader),
    );
  }

  /** True unless replica `replica` is crashed. */
  isUp(replica: number): boolean {
    return this.sim.isUp(this.replicaId(replica));
  }

  /**
   * Cuts replicas into groups that cannot reach each other (replicas in no group form one more);
   * the producer still reaches every replica. Replaces any earlier partition.
   */
  partition(groups: readonly (readonly number[])[]): void {
    partitionAmong(this.sim, this.replicaIds, groups, (r) => this.replicaId(r), "replicas");
  }

  /** Cuts replica `replica` off from the other replicas (the producer still reaches it). */
  isolate(replica: number): void {
    this.partition([[replica]]);
  }

  /** Removes every partition. */
  heal(): void {
    this.sim.heal();
  }

  /**
   * Makes the links between replica `replica` and the other replicas slow (fixed `latencyMs`
   * each way): a slow follower, which leaves the ISR once it lags for replicaLagTimeMaxMs.
   * `latencyMs` undefined restores the default links.
   */
  slowFollower(replica: number, latencyMs?: number): void {
    const id = this.replicaId(replica);
    const latency =
      latencyMs === undefined
        ? ({ kind: "uniform", minMs: 1, maxMs: 5 } as const)
        : ({ kind: "fixed", ms: requireNumberAtLeast("latencyMs", latencyMs, 0) } as const);
    for (const other of this.replicaIds) {
      if (other !== id) this.sim.configureLink(id, other, { latency }, true);
    }
  }

  // ------------------------------------------------------------------ running

  /** Runs for `ms` of virtual time. */
  runFor(ms: number): void {
    requireNumberAtLeast("ms", ms, 0);
    this.sim.runFor(ms);
  }

  /**
   * What the run came to now. Run long enough after the last fault (heal, restart) for followers
   * to catch up if `committed` should count everything the leader holds.
   */
  outcome(): ReplicationOutcome {
    const leader = this.leaderIndex === null ? undefined : this.replica(this.leaderIndex);
    const leaderRecords = leader?.records() ?? [];
    const held = new Set<string>();
    if (leader !== undefined) for (const r of leaderRecords) held.add(r.id);
    else for (let i = 0; i < this.replicas; i++) for (const r of this.replicaLog(i)) held.add(r.id);
    const lostIds = [...this.acknowledgedIds].filter((id) => !held.has(id));
    const copies = new Map<string, number>();
    for (const r of leaderRecords) copies.set(r.id, (copies.get(r.id) ?? 0) + 1);
    let duplicates = 0;
    for (const count of copies.values()) duplicates += count - 1;
    const failedBy: Record<string, number> = {};
    for (const reason of this.failedIds.values()) failedBy[reason] = (failedBy[reason] ?? 0) + 1;
    const offlineNow = this.offlineSinceMs === null ? 0 : this.now - this.offlineSinceMs;
    return {
      produced: this.producedCount,
      acknowledged: this.acknowledgedIds.size,
      failed: this.failedIds.size,
      failedBy,
      committed: leader?.highWatermark ?? 0,
      lost: lostIds.length,
      lostIds,
      duplicates,
      leader: this.leaderIndex,
      leaderEpoch: this.epoch,
      isr: [...this.isr],
      unavailableMs: this.unavailableMsTotal + offlineNow,
      uncleanElections: this.log.filter((e) => e.kind === "unclean").length,
    };
  }

  // ------------------------------------------------------------------ controller

  /**
   * Elects a leader after the old one died: the first live ISR member (clean); else, if allowed,
   * the first live replica (unclean, ISR = itself); else the partition stays offline.
   * `committed` is what the dead leader had committed: a clean election keeps all of it.
   */
  private elect(committed: readonly ReplicatedRecord[]): void {
    assert(this.leaderIndex === null, "an election replaces a dead leader");
    const clean = this.isr.find((r) => this.isUpIndex(r));
    if (clean !== undefined) {
      this.isr = this.isr.filter((r) => this.isUpIndex(r));
      this.installLeader(clean, "clean");
      const log = this.replicaLog(clean);
      committed.forEach((record, offset) => {
        const kept = log[offset];
        assert(kept !== undefined, "a clean election keeps every committed record");
        assert(kept.id === record.id, "a clean election keeps committed records in place");
        assert(kept.leaderEpoch === record.leaderEpoch, "committed records keep their epoch");
      });
      return;
    }
    const anyAlive = this.replicaIds.findIndex((id) => this.sim.isUp(id));
    if (this.uncleanLeaderElection && anyAlive !== -1) {
      this.isr = [anyAlive];
      this.installLeader(anyAlive, "unclean");
      return;
    }
    if (this.offlineSinceMs === null) {
      this.offlineSinceMs = this.now;
      this.record("offline");
    }
  }

  private installLeader(leader: number, kind: "initial" | "clean" | "unclean"): void {
    if (this.offlineSinceMs !== null) {
      this.unavailableMsTotal += this.now - this.offlineSinceMs;
      this.offlineSinceMs = null;
    }
    this.epoch++;
    this.leaderIndex = leader;
    assert(this.isr.includes(leader), "the leader is in the ISR");
    this.record(kind);
    const epoch = this.epoch;
    const leaderId = this.replicaId(leader);
    const isrIds = this.isr.map((r) => this.replicaId(r));
    this.sim.withNode(leaderId, (ctx, process) =>
      (process as ReplicaProcess).becomeLeader(ctx, epoch, isrIds),
    );
    for (const id of this.replicaIds) {
      if (id === leaderId || !this.sim.isUp(id)) continue;
      this.sim.withNode(id, (ctx, process) =>
        (process as ReplicaProcess).becomeFollower(ctx, epoch, leaderId),
      );
    }
  }

  /** The leader's ISR change request; refused for an epoch that is over. */
  private alterIsr(leader: NodeId, leaderEpoch: number, isr: readonly NodeId[]): boolean {
    if (leaderEpoch !== this.epoch || this.leaderIndex === null) return false;
    if (leader !== this.replicaId(this.leaderIndex)) return false;
    assert(isr.includes(leader), "the leader stays in its ISR");
    this.isr = isr.map((id) => this.replicaIds.indexOf(id));
    assert(
      this.isr.every((r) => r >= 0),
      "the ISR holds replicas only",
    );
    this.record("isr");
    return true;
  }

  private committedPrefix(replica: number): ReplicatedRecord[] {
    const process = this.replica(replica);
    if (process === undefined) return [];
    return process.records().slice(0, process.highWatermark);
  }

  private record(kind: ReplicationControllerEvent["kind"]): void {
    this.log.push({
      timeMs: this.now,
      kind,
      leaderEpoch: this.epoch,
      leader: this.leaderIndex,
      isr: [...this.isr],
    });
  }

  private isUpIndex(replica: number): boolean {
    return this.sim.isUp(this.replicaId(replica));
  }

  private replicaId(replica: number): NodeId {
    requireIntegerAtLeast("replica", replica, 0);
    const id = this.replicaIds[replica];
    if (id === undefined) {
      throw invalidArgument("replica", `an index in [0, ${this.replicas - 1}]`, replica);
    }
    return id;
  }
}

// ------------------------------------------------------------------ the chapter's experiment

/** The settings one row of {@link replicationLossTable} runs. */
export interface ReplicationExperimentOptions {
  readonly seed: number;
  readonly acks: ReplicationAcks;
  readonly uncleanLeaderElection: boolean;
  /** Default 1 (Kafka's broker default), so acks "all" acknowledges while the ISR is the leader. */
  readonly minInSyncReplicas?: number;
  /** Probability that any message is lost on the wire. Default 0.02. */
  readonly dropProbability?: number;
  /** Trace capacity, for sequence diagrams of the run. Default 0: no trace. */
  readonly traceEventsMax?: number;
}

/**
 * The chapter's crash experiment on 3 replicas, 150 records produced one every 4 ms:
 * at 100 ms the leader crashes (a clean election is possible: the followers are in sync) and
 * restarts at 160 ms; at 220 ms the new leader is cut off from the followers, so the ISR shrinks
 * to the leader alone; at 480 ms that leader crashes and the network heals (only an unclean
 * election can find a leader now); it restarts at 760 ms; the run ends at 2500 ms.
 * Returns the cluster after the run (its `outcome()`, `controllerLog()`, logs).
 */
export function replicationCrashExperiment(
  options: ReplicationExperimentOptions,
): ReplicatedPartitionCluster {
  const known = requireKnownOptions("experiment options", options, [
    "seed",
    "acks",
    "uncleanLeaderElection",
    "minInSyncReplicas",
    "dropProbability",
    "traceEventsMax",
  ]);
  const cluster = new ReplicatedPartitionCluster({
    seed: known.seed as number,
    acks: known.acks as ReplicationAcks,
    uncleanLeaderElection: known.uncleanLeaderElection as boolean,
    minInSyncReplicas: (known.minInSyncReplicas as number | undefined) ?? 1,
    dropProbability: (known.dropProbability as number | undefined) ?? 0.02,
    traceEventsMax: (known.traceEventsMax as number | undefined) ?? 0,
  });
  const sim = cluster.sim;
  cluster.produce(150, { intervalMs: 4 });
  let first = 0;
  let second = 0;
  sim.at(100, () => {
    first = cluster.leader() ?? 0;
    cluster.crash(first);
  });
  sim.at(160, () => cluster.restart(first));
  sim.at(220, () => {
    second = cluster.leader() ?? 0;
    cluster.isolate(second);
  });
  sim.at(480, () => {
    if (cluster.isUp(second)) cluster.crash(second);
    cluster.heal();
  });
  sim.at(760, () => {
    if (!cluster.isUp(second)) cluster.restart(second);
  });
  cluster.runFor(2500);
  return cluster;
}

/** One row of {@link replicationLossTable}: totals over the seeds. */
export interface ReplicationLossRow {
  readonly acks: ReplicationAcks;
  readonly minInSyncReplicas: number;
  readonly election: "clean" | "unclean";
  readonly produced: number;
  readonly acknowledged: number;
  /** Acknowledged records missing from the final leader's log. */
  readonly lost: number;
  readonly duplicates: number;
  /** Records the producer gave up on. */
  readonly failed: number;
  /** Virtual ms without a leader. */
  readonly unavailableMs: number;
}

/**
 * Runs {@link replicationCrashExperiment} for each seed under acks 0, 1 and "all" (with
 * minInSyncReplicas 1, then 2), each with clean and with unclean leader election, and sums the
 * outcomes: the chapter's table of acknowledged messages lost.
 *
 * @example
 * replicationLossTable([1, 2, 3]).find((r) => r.acks === "all" && r.election === "clean")?.lost;
 * // 0
 */
export function replicationLossTable(seeds: readonly number[]): ReplicationLossRow[] {
  requireSeeds("seeds", seeds);
  const settings: { acks: ReplicationAcks; minInSyncReplicas: number }[] = [
    { acks: 0, minInSyncReplicas: 1 },
    { acks: 1, minInSyncReplicas: 1 },
    { acks: "all", minInSyncReplicas: 1 },
    { acks: "all", minInSyncReplicas: 2 },
  ];
  return settings.flatMap(({ acks, minInSyncReplicas }) =>
    (["clean", "unclean"] as const).map((election) =>
      replicationLossRow(seeds, { acks, minInSyncReplicas, election }),
    ),
  );
}

/**
 * One row of {@link replicationLossTable}: {@link replicationCrashExperiment} for each seed with
 * one setting, outcomes summed.
 *
 * @example
 * replicationLossRow([1, 2], { acks: 1, minInSyncReplicas: 1, election: "clean" }).lost; // > 0
 */
export function replicationLossRow(
  seeds: readonly number[],
  setting: {
    readonly acks: ReplicationAcks;
    readonly minInSyncReplicas: number;
    readonly election: "clean" | "unclean";
  },
): ReplicationLossRow {
  const { acks, minInSyncReplicas, election } = setting;
  const row = {
    acks,
    minInSyncReplicas,
    election,
    produced: 0,
    acknowledged: 0,
    lost: 0,
    duplicates: 0,
    failed: 0,
    unavailableMs: 0,
  };
  for (const seed of seeds) {
    const outcome = replicationCrashExperiment({
      seed,
      acks,
      minInSyncReplicas,
      uncleanLeaderElection: election === "unclean",
    }).outcome();
    row.produced += outcome.produced;
    row.acknowledged += outcome.acknowledged;
    row.lost += outcome.lost;
    row.duplicates += outcome.duplicates;
    row.failed += outcome.failed;
    row.unavailableMs += outcome.unavailableMs;
  }
  return row;
}
