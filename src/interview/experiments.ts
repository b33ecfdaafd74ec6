// The experiment behind every checklist choice: one seeded, small run of the library per ChoiceId,
// with the numbers that make the choice's claim true and a verdict computed from them (issue 9).

import {
  type CapCounterOperation,
  type CapRun,
  capCheckerHistory,
  capCounterModel,
  findStaleReads,
  runCapScenario,
} from "../cap/index.js";
import { RaftHarness } from "../consensus/index.js";
import {
  AbdCluster,
  DynamoCluster,
  EventualCluster,
  checkOperations,
  checkReplicaHistory,
  runReplicaWorkload,
  runReplyBeforePostScenario,
  sloppyQuorumScenario,
} from "../consistency/index.js";
import { RaftElection, leaseClassicFailure } from "../election/index.js";
import {
  ConsistentHashRing,
  boundedLoadTable,
  countLoads,
  loadSpreadTable,
  loadStats,
  nodeNames,
  remapTable,
  sampleKeys,
} from "../hashing/index.js";
import {
  type DeliveryExperimentResult,
  WorkQueue,
  runDeliveryExperiment,
  runWorkQueueExperiment,
  perKeyOrderRun,
} from "../queue/index.js";
import { assert, invalidArgument } from "../sim/assert.js";
import { quantile } from "../sim/stats.js";
import type { ChoiceId, ExperimentResult, SectionLink } from "./types.js";

/** The seed of every experiment: each run is a function of it, so results never change. */
const EXPERIMENT_SEED = 1;

/** One checklist choice's experiment: the claim it checks, where it is taught, and the run. */
export interface ChoiceExperiment {
  /** The choice it backs (the same id as its key in {@link CHOICE_EXPERIMENTS}). */
  readonly id: ChoiceId;
  /** What the run shows, e.g. "a minority partition refuses writes". */
  readonly claim: string;
  /** The chapter heading where the same run is explained. */
  readonly chapter: SectionLink;
  /** Runs the seeded experiment (well under a second) and returns what it measured. */
  run(): ExperimentResult;
}

type Measured = Record<string, number | string | boolean>;

/** Rounds for a summary sentence: at most `digits` decimals, no trailing zeros. */
function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function percent(fraction: number): string {
  return `${round(fraction * 100)} %`;
}

/** Assembles a result; `holds` must come from a verdict or a comparison the caller computed. */
function result(
  experiment: { readonly id: ChoiceId; readonly claim: string; readonly chapter: SectionLink },
  holds: boolean,
  measured: Measured,
  summary: string,
): ExperimentResult {
  assert(Object.keys(measured).length > 0, `experiment ${experiment.id} measures something`);
  return {
    id: experiment.id,
    claim: experiment.claim,
    holds,
    measured,
    summary,
    chapter: experiment.chapter,
  };
}

// ---------------------------------------------------------------- consistency

/** Is this CAP history operation an increment or a decrement? */
function isUpdate(op: CapCounterOperation): boolean {
  return op.input.kind !== "read";
}

/** The operations of a CAP run called and returned inside its partition window, by side. */
function partitionWindowOps(run: CapRun): {
  minority: CapCounterOperation[];
  majority: CapCounterOperation[];
} {
  const window = run.partitionWindow;
  assert(window !== null, "the CAP experiment runs with a partition");
  const minorityReplicas = new Set(run.minority);
  const minority: CapCounterOperation[] = [];
  const majority: CapCounterOperation[] = [];
  for (const op of run.history) {
    if (op.call < window.startMs || op.return > window.endMs) continue;
    const home = run.homeOf[run.clients[op.clientId] ?? ""];
    assert(home !== undefined, "every client has a home replica");
    (minorityReplicas.has(home) ? minority : majority).push(op);
  }
  return { minority, majority };
}

const CP: Omit<ChoiceExperiment, "run"> = {
  id: "cp",
  claim:
    "CP: during a partition the minority side refuses writes, the majority side carries on, and the history stays linearizable",
  chapter: {
    page: "03-cap",
    anchor: "cp-under-partition-the-minority-refuses-the-majority-carries-on",
  },
};

function runCp(): ExperimentResult {
  const run = runCapScenario("cpQuorum", EXPERIMENT_SEED, { traceEventsMax: 0 });
  const { minority, majority } = partitionWindowOps(run);
  const minorityUpdates = minority.filter(isUpdate);
  const minorityWritesRefused = minorityUpdates.filter((op) => op.output.status !== "ok").length;
  const minorityWritesAccepted = minorityUpdates.length - minorityWritesRefused;
  const majorityWritesAcknowledged = majority.filter(
    (op) => isUpdate(op) && op.output.status === "ok",
  ).length;
  const verdict = checkOperations(capCounterModel, capCheckerHistory(run.history));
  const linearizable = verdict.result === "ok";
  const measured = {
    replicasCount: run.replicas.length,
    minorityReplicasCount: run.minority.length,
    partitionMs: (run.partitionWindow?.endMs ?? 0) - (run.partitionWindow?.startMs ?? 0),
    minorityWritesRefused,
    minorityWritesAccepted,
    majorityWritesAcknowledged,
    updatesLostCount: run.counts.updatesLostCount,
    operationsChecked: run.history.length,
    linearizable,
  };
  const holds =
    minorityWritesRefused > 0 &&
    minorityWritesAccepted === 0 &&
    majorityWritesAcknowledged > 0 &&
    run.counts.updatesLostCount === 0 &&
    linearizable;
  return result(
    CP,
    holds,
    measured,
    `CP counter, ${run.replicas.length} replicas cut ${run.minority.length}|${run.replicas.length - run.minority.length} for ${measured.partitionMs} ms: the minority refused ${minorityWritesRefused} writes and accepted ${minorityWritesAccepted}, the majority acknowledged ${majorityWritesAcknowledged}; checker on ${run.history.length} operations: ${verdict.result}.`,
  );
}

const AP: Omit<ChoiceExperiment, "run"> = {
  id: "ap",
  claim:
    "AP: every replica keeps answering during a partition, at the price of stale reads the linearizability checker rejects, and the replicas converge after the heal",
  chapter: {
    page: "03-cap",
    anchor: "the-stale-read-that-proves-the-ap-counter-is-not-linearizable",
  },
};

function runAp(): ExperimentResult {
  const run = runCapScenario("apCrdt", EXPERIMENT_SEED, { traceEventsMax: 0 });
  const { minority } = partitionWindowOps(run);
  const minorityAnswered = minority.filter((op) => op.output.status === "ok").length;
  const window = run.partitionWindow;
  const staleReadsDuringPartition = findStaleReads(run).filter(
    (stale) =>
      window !== null && stale.read.call >= window.startMs && stale.read.return <= window.endMs,
  ).length;
  const verdict = checkOperations(capCounterModel, capCheckerHistory(run.history));
  const measured = {
    replicasCount: run.replicas.length,
    minorityOperations: minority.length,
    minorityOperationsAnswered: minorityAnswered,
    staleReadsDuringPartition,
    linearizable: verdict.result === "ok",
    updatesLostCount: run.counts.updatesLostCount,
    convergedAfterHeal: run.counts.converged,
    finalValue: Object.values(run.counts.finalValues)[0] ?? 0,
  };
  const holds =
    minority.length > 0 &&
    minorityAnswered === minority.length &&
    staleReadsDuringPartition > 0 &&
    verdict.result === "illegal" &&
    run.counts.converged &&
    run.counts.updatesLostCount === 0;
  return result(
    AP,
    holds,
    measured,
    `AP CRDT counter: the minority side answered ${minorityAnswered} of ${minority.length} operations during the partition, ${staleReadsDuringPartition} reads were provably stale (checker: ${verdict.result}), and after the heal all ${run.replicas.length} replicas converged on ${measured.finalValue} with ${run.counts.updatesLostCount} updates lost.`,
  );
}

// ---------------------------------------------------------------- partitioning

const SHARD_NODES = 10;
const SHARD_KEYS = 10_000;

/** The largest share of the keys one node of a ring holds. */
function ringDataPerNodeMax(nodesCount: number, keysCount: number): number {
  const ring = new ConsistentHashRing({ nodes: nodeNames(nodesCount) });
  const loads = countLoads(ring, sampleKeys(keysCount));
  const counts = nodeNames(nodesCount).map((node) => loads.get(node) ?? 0);
  return loadStats(counts).max / keysCount;
}

const SHARD_BY_KEY: Omit<ChoiceExperiment, "run"> = {
  id: "shard-by-key",
  claim:
    "Shard by key on a consistent-hash ring: each node stores about 1/n of the data, and adding a node moves about 1/(n+1) of the keys, where modulo placement moves almost all",
  chapter: { page: "07-hashing", anchor: "modulo-balanced-and-unstable" },
};

function runShardByKey(): ExperimentResult {
  const [row] = remapTable({
    keysCount: SHARD_KEYS,
    transitions: [[SHARD_NODES, SHARD_NODES + 1]],
  });
  assert(row !== undefined, "remapTable returns one row per transition");
  const dataPerNodeMaxFraction = ringDataPerNodeMax(SHARD_NODES, SHARD_KEYS);
  const measured = {
    nodesCount: SHARD_NODES,
    keysCount: SHARD_KEYS,
    dataPerNodeMaxFraction,
    dataPerNodeFairFraction: 1 / SHARD_NODES,
    keysMovedOnJoinFractionRing: row.ring,
    keysMovedOnJoinFractionModulo: row.modulo,
    keysMovedOnJoinFractionMinimum: row.minimum,
  };
  const holds =
    dataPerNodeMaxFraction < 2 / SHARD_NODES &&
    row.ring < 1.5 * row.minimum &&
    row.modulo > 5 * row.ring;
  return result(
    SHARD_BY_KEY,
    holds,
    measured,
    `${SHARD_KEYS} keys on ${SHARD_NODES} nodes: the fullest node holds ${percent(dataPerNodeMaxFraction)} of the data (fair share ${percent(1 / SHARD_NODES)}); adding an 11th node moves ${percent(row.ring)} of the keys on the ring (least possible ${percent(row.minimum)}) against ${percent(row.modulo)} with modulo.`,
  );
}

const WHOLE_DATASET_KEYS = 30;

const REPLICATE_WHOLE_DATASET: Omit<ChoiceExperiment, "run"> = {
  id: "replicate-whole-dataset",
  claim:
    "Replicate the whole dataset: every node holds every key, so one node alone answers every read, at the price of storing all the data n times",
  chapter: { page: "04-consistency", anchor: "eventual-consistency-and-anti-entropy" },
};

function runReplicateWholeDataset(): ExperimentResult {
  const cluster = new EventualCluster({ seed: EXPERIMENT_SEED, traceEventsMax: 0 });
  const replicas = cluster.replicaIds;
  const clients = cluster.clientIds;
  const keys = Array.from({ length: WHOLE_DATASET_KEYS }, (_, i) => `k${i + 1}`);
  keys.forEach((key, i) => {
    const client = clients[i % clients.length] as string;
    cluster.at(10 * i, () => cluster.invoke(client, { kind: "write", key, value: `v${i + 1}` }));
  });
  cluster.runFor(10 * keys.length + 1_000);
  const keysPerReplica = replicas.map((replica) => cluster.valuesAt(replica).size);
  // Cut the first replica (and its client) off from every other node: it still has it all.
  const alone = replicas[0] as string;
  const reader = clients[0] as string;
  cluster.partition([[alone, reader]]);
  let readsAnswered = 0;
  const readKey = (i: number): void => {
    if (i >= keys.length) return;
    cluster.invoke(reader, { kind: "read", key: keys[i] as string }, (op) => {
      if (op.output.kind === "ok" && op.output.values.length === 1) readsAnswered++;
      readKey(i + 1);
    });
  };
  readKey(0);
  cluster.runFor(50 * keys.length);
  const shardedDataPerNodeMaxFraction = ringDataPerNodeMax(replicas.length, SHARD_KEYS);
  const keysPerReplicaMin = Math.min(...keysPerReplica);
  const measured = {
    replicasCount: replicas.length,
    keysCount: keys.length,
    keysPerReplicaMin,
    dataPerNodeFraction: keysPerReplicaMin / keys.length,
    storedCopiesPerKey: keysPerReplica.reduce((a, b) => a + b, 0) / keys.length,
    readsAnsweredByIsolatedReplica: readsAnswered,
    shardedDataPerNodeMaxFraction,
  };
  const holds =
    keysPerReplicaMin === keys.length &&
    readsAnswered === keys.length &&
    shardedDataPerNodeMaxFraction < 1;
  return result(
    REPLICATE_WHOLE_DATASET,
    holds,
    measured,
    `${keys.length} keys written to ${replicas.length} fully replicated nodes: every node holds all ${keysPerReplicaMin} (${measured.storedCopiesPerKey} copies per key), and ${alone}, cut off from the others, answered ${readsAnswered} of ${keys.length} reads alone; sharded on a ring the fullest of ${replicas.length} nodes would hold ${percent(shardedDataPerNodeMaxFraction)}.`,
  );
}

// ---------------------------------------------------------------- ordering

const CONSENSUS_COMMANDS = 12;

const CONSENSUS_LOG: Omit<ChoiceExperiment, "run"> = {
  id: "consensus-log",
  claim:
    "A consensus log (Raft): through a leader crash, a lossy network and a cut-off follower, every replica applies the same commands in the same order",
  chapter: {
    page: "05-consensus",
    anchor: "log-replication-and-figure-8-commit-only-entries-of-the-current-term",
  },
};

function runConsensusLog(): ExperimentResult {
  const servers = 5;
  const h = new RaftHarness({ servers, seed: EXPERIMENT_SEED, traceEventsMax: 0 });
  const commands = Array.from({ length: CONSENSUS_COMMANDS }, (_, i) => `cmd-${i + 1}`);
  let faults = 0;
  let crashed = -1;
  let cutOff = -1;
  commands.forEach((command, i) => {
    if (i === 3) {
      crashed = h.checkOneLeader();
      h.crash(crashed);
      faults++;
    }
    if (i === 5) {
      h.setReliable(false);
      faults++;
    }
    if (i === 7) {
      cutOff = (h.checkOneLeader() + 1) % servers;
      if (cutOff === crashed) cutOff = (cutOff + 1) % servers;
      h.disconnect(cutOff);
      faults++;
    }
    // retry: a command offered to a leader that then lost its office is offered again.
    h.one(command, servers - 2, true);
  });
  h.setReliable(true);
  h.restart(crashed);
  h.connect(cutOff);
  h.one("final", servers, true);
  h.advance(1_000);
  const applied = Array.from({ length: servers }, (_, s) =>
    JSON.stringify((h.server(s)?.applied ?? []).filter((c) => c !== null)),
  );
  const distinctAppliedOrders = new Set(applied).size;
  const appliedCommandsMin = Math.min(
    ...Array.from({ length: servers }, (_, s) => h.server(s)?.applied.length ?? 0),
  );
  const first = JSON.parse(applied[0] as string) as unknown[];
  const everyCommandApplied = [...commands, "final"].every((c) => first.includes(c));
  const measured = {
    serversCount: servers,
    commandsCount: commands.length + 1,
    faultsInjected: faults,
    termFinal: h.checkTerms(),
    appliedCommandsMin,
    distinctAppliedOrders,
    everyCommandApplied,
  };
  const holds = distinctAppliedOrders === 1 && everyCommandApplied;
  return result(
    CONSENSUS_LOG,
    holds,
    measured,
    `Raft, ${servers} servers, ${faults} faults (leader crash, message loss, a follower cut off), ${measured.commandsCount} commands: at the end all ${servers} servers applied the same ${appliedCommandsMin} log entries in one order (${distinctAppliedOrders} distinct order), term ${measured.termFinal}.`,
  );
}

const PARTITIONED_LOG: Omit<ChoiceExperiment, "run"> = {
  id: "partitioned-log",
  claim:
    "A partitioned log keyed by entity keeps per-key order across a consumer group, through crashes and rebalances; without a key, records of one entity race each other",
  chapter: { page: "06-queues", anchor: "2-the-log-topics-partitions-offsets-and-keys" },
};

function runPartitionedLog(): ExperimentResult {
  const keyed = perKeyOrderRun({ partitioner: "murmur2", seed: EXPERIMENT_SEED }).usersOutOfOrder;
  const unkeyed = perKeyOrderRun({
    partitioner: "round-robin",
    seed: EXPERIMENT_SEED,
  }).usersOutOfOrder;
  const delivery = runDeliveryExperiment({ mode: "at-least-once", seed: EXPERIMENT_SEED });
  const measured = {
    usersCount: 20,
    recordsCount: 600,
    consumersCount: 2,
    usersOutOfOrderKeyed: keyed,
    usersOutOfOrderRoundRobin: unkeyed,
    crashesDuringGroupRun: delivery.crashes,
    rebalancesDuringGroupRun: delivery.rebalances,
    perKeyOrderKeptThroughRebalances: delivery.perKeyOrdered,
  };
  const holds = keyed === 0 && unkeyed > 0 && delivery.perKeyOrdered && delivery.rebalances > 0;
  return result(
    PARTITIONED_LOG,
    holds,
    measured,
    `600 orders of 20 users on 4 partitions, a fast and a slow consumer: keyed by user, ${keyed} users saw orders out of order; round-robin, ${unkeyed} of 20 did; a group run with ${delivery.crashes} crashes and ${delivery.rebalances} rebalances kept per-key order: ${delivery.perKeyOrdered}.`,
  );
}

const CAUSAL_DELIVERY: Omit<ChoiceExperiment, "run"> = {
  id: "causal-delivery",
  claim:
    "Causal delivery: a replica holds a reply until the post it answers is applied, so the causal checker passes where the plain eventual store fails",
  chapter: { page: "04-consistency", anchor: "alice-posts-bob-replies-carol-reads" },
};

function runCausalDelivery(): ExperimentResult {
  const withCausal = runReplyBeforePostScenario({ causalDelivery: true });
  const without = runReplyBeforePostScenario({ causalDelivery: false });
  const carolSawReplyWithoutPost = (run: typeof without): boolean => {
    const carol = run.history.filter((op) => op.session === "carol" && op.kind === "read");
    const reply = carol.find((op) => op.key === "reply");
    const post = carol.find((op) => op.key === "post");
    return (reply?.values?.length ?? 0) > 0 && (post?.values?.length ?? 0) === 0;
  };
  const measured = {
    causalViolationsWithCausalDelivery: withCausal.causal.violations.length,
    causalViolationsEventual: without.causal.violations.length,
    replyWithoutPostSeenWithCausalDelivery: carolSawReplyWithoutPost(withCausal),
    replyWithoutPostSeenEventual: carolSawReplyWithoutPost(without),
  };
  const holds =
    withCausal.causal.ok &&
    !without.causal.ok &&
    !measured.replyWithoutPostSeenWithCausalDelivery &&
    measured.replyWithoutPostSeenEventual;
  return result(
    CAUSAL_DELIVERY,
    holds,
    measured,
    `Alice posts, Bob replies, Carol reads over a slow link: without causal delivery Carol sees the reply but not the post (${measured.causalViolationsEventual} causal violation); with it the reply waits for the post (${measured.causalViolationsWithCausalDelivery} violations).`,
  );
}

const SIMPLE_QUEUE: Omit<ChoiceExperiment, "run"> = {
  id: "simple-queue",
  claim:
    "A simple work queue spreads jobs over competing workers and redelivers a crashed worker's jobs after the visibility timeout, with no promise about order",
  chapter: { page: "06-queues", anchor: "7-the-work-queue-beside-the-log" },
};

function runSimpleQueue(): ExperimentResult {
  const jobsCount = 30;
  const workers = ["worker-1", "worker-2", "worker-3"];
  const queue = new WorkQueue({ name: "jobs", visibilityTimeoutMs: 1_000 });
  for (let i = 0; i < jobsCount; i++) queue.send(`job-${i}`);
  const completed: number[] = [];
  const perWorker = new Map<string, number>(workers.map((w) => [w, 0]));
  let crashedOnce = false;
  for (let tick = 0; tick < 100 && completed.length < jobsCount; tick++) {
    for (const worker of workers) {
      const batch = queue.receive(worker, { maxMessages: 3 });
      // worker-2 crashes holding its first batch: those jobs come back after the timeout.
      if (worker === "worker-2" && !crashedOnce && batch.length > 0) {
        crashedOnce = true;
        continue;
      }
      for (const message of batch) {
        completed.push(Number(message.body.slice("job-".length)));
        perWorker.set(worker, (perWorker.get(worker) ?? 0) + 1);
        queue.ack(message.receiptHandle);
      }
    }
    queue.advance(250);
  }
  // A job completed after a job sent later than it: the order a FIFO line would not allow.
  let jobsCompletedOutOfOrder = 0;
  let latest = -1;
  for (const job of completed) {
    if (job < latest) jobsCompletedOutOfOrder++;
    latest = Math.max(latest, job);
  }
  const stats = queue.stats();
  const counts = [...perWorker.values()];
  const measured = {
    jobsCount,
    workersCount: workers.length,
    jobsCompleted: new Set(completed).size,
    jobsPerWorkerMin: Math.min(...counts),
    jobsPerWorkerMax: Math.max(...counts),
    redeliveries: stats.redeliveries,
    jobsCompletedOutOfOrder,
  };
  const holds =
    measured.jobsCompleted === jobsCount &&
    measured.jobsPerWorkerMin > 0 &&
    stats.redeliveries > 0 &&
    jobsCompletedOutOfOrder > 0;
  return result(
    SIMPLE_QUEUE,
    holds,
    measured,
    `${jobsCount} jobs, ${workers.length} workers, one crash: all ${measured.jobsCompleted} completed, ${measured.jobsPerWorkerMin} to ${measured.jobsPerWorkerMax} per worker, ${stats.redeliveries} redelivered after the 1 s visibility timeout, and ${jobsCompletedOutOfOrder} finished after a later job.`,
  );
}

// ---------------------------------------------------------------- coordination

const LEADER_LEASE_FENCING: Omit<ChoiceExperiment, "run"> = {
  id: "leader-lease-fencing",
  claim:
    "A leader lease with fencing tokens: a leader that paused past its lease writes with a stale token, and the resource rejects it; without fencing the stale write is accepted",
  chapter: { page: "08-election", anchor: "3-leases-and-fencing-tokens" },
};

function runLeaderLeaseFencing(): ExperimentResult {
  const unfenced = leaseClassicFailure({ fencing: false, seed: EXPERIMENT_SEED });
  const fenced = leaseClassicFailure({ fencing: true, seed: EXPERIMENT_SEED });
  const measured = {
    leaseEpochs: fenced.counts.epochs,
    staleWritesRejectedFenced: fenced.counts.writesRejected,
    staleWritesAcceptedFenced: fenced.counts.staleWritesAccepted,
    staleWritesAcceptedUnfenced: unfenced.counts.staleWritesAccepted,
    violationsFenced: fenced.violations.length,
    violationsUnfenced: unfenced.violations.length,
  };
  const holds =
    fenced.counts.writesRejected > 0 &&
    fenced.counts.staleWritesAccepted === 0 &&
    fenced.violations.length === 0 &&
    unfenced.counts.staleWritesAccepted > 0;
  return result(
    LEADER_LEASE_FENCING,
    holds,
    measured,
    `A leader paused past its 300 ms lease while another took it (${fenced.counts.epochs} lease epochs): with fencing the resource rejected ${fenced.counts.writesRejected} stale write and the checker found ${fenced.violations.length} violations; without fencing it accepted ${unfenced.counts.staleWritesAccepted} (${unfenced.violations.length} violations).`,
  );
}

const NO_LEADER: Omit<ChoiceExperiment, "run"> = {
  id: "no-leader",
  claim:
    "No leader: in a leaderless quorum store any replica coordinates, so a replica crash costs no election and no gap in service, where a Raft cluster that loses its leader stops until it elects another",
  chapter: { page: "04-consistency", anchor: "dynamo-n-r-w-sloppy-quorums-and-hinted-handoff" },
};

function runNoLeader(): ExperimentResult {
  const crashAtMs = 500;
  const keysCount = 3;
  const n = 3;
  const cluster = new DynamoCluster({ seed: EXPERIMENT_SEED, n, r: 2, w: 2, traceEventsMax: 0 });
  // r5 coordinates for no client (ci talks to ri), so its crash tests the replicas, not a client.
  const crashed = "r5";
  const keysOwnedByCrashed = Array.from({ length: keysCount }, (_, i) => `k${i + 1}`).filter(
    (key) => cluster.preferenceList(key).slice(0, n).includes(crashed),
  ).length;
  cluster.at(crashAtMs, () => cluster.sim.crash(crashed));
  const run = runReplicaWorkload(cluster, {
    seed: EXPERIMENT_SEED,
    keysCount,
    partition: null,
    durationMs: 1_000,
    settleMs: 300,
  });
  const afterCrash = run.history.filter((op) => op.call >= crashAtMs);
  const failedAfterCrash = afterCrash.filter((op) => op.output.kind !== "ok").length;
  const okReturns = run.history
    .filter((op) => op.output.kind === "ok" && op.return >= crashAtMs)
    .map((op) => op.return)
    .sort((a, b) => a - b);
  let gapMsMax =
    okReturns.length === 0 ? Number.POSITIVE_INFINITY : (okReturns[0] as number) - crashAtMs;
  for (let i = 1; i < okReturns.length; i++) {
    gapMsMax = Math.max(gapMsMax, (okReturns[i] as number) - (okReturns[i - 1] as number));
  }
  const raft = new RaftElection({ nodes: 5, seed: EXPERIMENT_SEED, traceEventsMax: 0 });
  raft.runUntilLeader();
  raft.harness.advance(1_000);
  const failover = raft.failover();
  const measured = {
    replicasCount: cluster.replicaIds.length,
    keysCount,
    keysOwnedByCrashedReplica: keysOwnedByCrashed,
    operationsAfterCrash: afterCrash.length,
    operationsFailedAfterCrash: failedAfterCrash,
    serviceGapMsMax: round(gapMsMax, 2),
    electionMessages: Object.entries(cluster.stats.sentByType)
      .filter(([type]) => /vote|elect|leader/i.test(type))
      .reduce((total, [, count]) => total + count, 0),
    raftFailoverMs: round(failover.failoverMs, 2),
    raftElectionMessages: failover.messagesSent,
  };
  const holds =
    keysOwnedByCrashed > 0 &&
    afterCrash.length > 0 &&
    failedAfterCrash === 0 &&
    measured.electionMessages === 0 &&
    gapMsMax < failover.failoverMs;
  return result(
    NO_LEADER,
    holds,
    measured,
    `Dynamo-style store (N=3, R=W=2, ${measured.replicasCount} nodes), ${crashed}, a replica of ${keysOwnedByCrashed} of its ${keysCount} keys, crashed at ${crashAtMs} ms: ${afterCrash.length} operations after it, ${failedAfterCrash} failed, the longest gap between answers ${round(gapMsMax)} ms, ${measured.electionMessages} election messages; a 5-server Raft cluster needed ${round(failover.failoverMs)} ms and ${failover.messagesSent} messages to elect a new leader.`,
  );
}

// ---------------------------------------------------------------- delivery

const WORK_QUEUE_MESSAGES = 1_000;
const WORK_QUEUE_CRASH_PROBABILITY = 0.05;

const AT_LEAST_ONCE_IDEMPOTENT: Omit<ChoiceExperiment, "run"> = {
  id: "at-least-once-idempotent",
  claim:
    "At-least-once delivery with idempotent consumers: acking after processing loses nothing, and the redeliveries it causes have no duplicate effect when the consumer skips what it already applied",
  chapter: { page: "06-queues", anchor: "7-the-work-queue-beside-the-log" },
};

function runAtLeastOnceIdempotent(): ExperimentResult {
  const common = {
    messagesCount: WORK_QUEUE_MESSAGES,
    crashProbability: WORK_QUEUE_CRASH_PROBABILITY,
  };
  const plain = runWorkQueueExperiment(EXPERIMENT_SEED, common);
  const idempotent = runWorkQueueExperiment(EXPERIMENT_SEED, {
    ...common,
    idempotentConsumer: true,
  });
  const atMostOnce = runWorkQueueExperiment(EXPERIMENT_SEED, {
    ...common,
    ackMode: "before-processing",
  });
  const measured = {
    messagesCount: WORK_QUEUE_MESSAGES,
    consumerCrashes: idempotent.crashes,
    redeliveries: idempotent.redelivered,
    lostAtLeastOnce: idempotent.lost,
    duplicateEffectsIdempotent: idempotent.duplicates,
    duplicateEffectsPlainConsumer: plain.duplicates,
    lostAtMostOnce: atMostOnce.lost,
  };
  const holds =
    idempotent.lost === 0 &&
    idempotent.redelivered > 0 &&
    idempotent.duplicates === 0 &&
    plain.duplicates > 0 &&
    atMostOnce.lost > 0;
  return result(
    AT_LEAST_ONCE_IDEMPOTENT,
    holds,
    measured,
    `${WORK_QUEUE_MESSAGES} messages, ${idempotent.crashes} consumer crashes: acking after processing lost ${idempotent.lost} and redelivered ${idempotent.redelivered}; duplicate effects ${plain.duplicates} with a plain consumer, ${idempotent.duplicates} with an idempotent one; acking before processing lost ${atMostOnce.lost}.`,
  );
}

const EXACTLY_ONCE_EFFECTS: Omit<ChoiceExperiment, "run"> = {
  id: "exactly-once-effects",
  claim:
    "Exactly-once effects are built from at-least-once delivery plus deduplication (an idempotent producer, offsets committed with the output): no loss and no duplicate, where plain retries duplicate",
  chapter: { page: "06-queues", anchor: "the-idempotent-producer" },
};

function runExactlyOnceEffects(): ExperimentResult {
  const seeds = [1, 2, 3];
  type Counted = "produced" | "crashes" | "acksLost" | "duplicated" | "lost";
  const sum = (runs: readonly DeliveryExperimentResult[], key: Counted): number =>
    runs.reduce((total, r) => total + r[key], 0);
  const atLeastOnce = seeds.map((seed) => runDeliveryExperiment({ mode: "at-least-once", seed }));
  const withDedup = seeds.map((seed) => runDeliveryExperiment({ mode: "exactly-once", seed }));
  const withoutDedup = seeds.map((seed) =>
    runDeliveryExperiment({ mode: "exactly-once", seed, idempotent: false }),
  );
  const measured = {
    messagesCount: sum(withDedup, "produced"),
    consumerCrashes: sum(withDedup, "crashes"),
    acksLost: sum(withDedup, "acksLost"),
    duplicatesAtLeastOnce: sum(atLeastOnce, "duplicated"),
    duplicatesWithoutDedup: sum(withoutDedup, "duplicated"),
    duplicatesWithDedup: sum(withDedup, "duplicated"),
    lostWithDedup: sum(withDedup, "lost"),
  };
  const holds =
    measured.duplicatesWithDedup === 0 &&
    measured.lostWithDedup === 0 &&
    measured.duplicatesWithoutDedup > 0 &&
    measured.duplicatesAtLeastOnce > 0;
  return result(
    EXACTLY_ONCE_EFFECTS,
    holds,
    measured,
    `${measured.messagesCount} messages over ${seeds.length} seeded runs, ${measured.consumerCrashes} consumer crashes and ${measured.acksLost} lost acknowledgements: duplicates ${measured.duplicatesAtLeastOnce} at least once, ${measured.duplicatesWithoutDedup} with read-process-write but plain retries, ${measured.duplicatesWithDedup} with the idempotent producer (lost ${measured.lostWithDedup}).`,
  );
}

// ---------------------------------------------------------------- hot spots

const BOUNDED_EPSILON = 0.25;

const BOUNDED_LOAD_HASHING: Omit<ChoiceExperiment, "run"> = {
  id: "bounded-load-hashing",
  claim:
    "Consistent hashing with bounded loads caps the busiest node at (1 + epsilon) times the mean, where the plain ring overloads one, for a few more keys moved when nodes change",
  chapter: { page: "07-hashing", anchor: "bounded-loads" },
};

function runBoundedLoadHashing(): ExperimentResult {
  const table = boundedLoadTable({ epsilons: [BOUNDED_EPSILON] });
  const ring = table.rows.find((row) => row.method === "ring");
  const bounded = table.rows.find((row) => row.method === "bounded");
  assert(ring !== undefined && bounded !== undefined, "the table has a ring and a bounded row");
  const measured = {
    nodesCount: table.nodesCount,
    keysCount: table.keysCount,
    epsilon: BOUNDED_EPSILON,
    maxOverMeanPlainRing: ring.maxOverMean,
    maxOverMeanBounded: bounded.maxOverMean,
    keysMovedOnJoinFractionPlainRing: ring.movedOnAdd,
    keysMovedOnJoinFractionBounded: bounded.movedOnAdd,
  };
  const holds =
    bounded.maxOverMean <= 1 + BOUNDED_EPSILON + 1 / table.keysCount &&
    bounded.maxOverMean < ring.maxOverMean;
  return result(
    BOUNDED_LOAD_HASHING,
    holds,
    measured,
    `${table.keysCount} keys on ${table.nodesCount} nodes: the busiest node carries ${round(ring.maxOverMean, 2)}x the mean on the plain ring and ${round(bounded.maxOverMean, 2)}x with bounded loads (epsilon ${BOUNDED_EPSILON}); the price: ${percent(bounded.movedOnAdd)} of the keys move when a node joins instead of ${percent(ring.movedOnAdd)}.`,
  );
}

const PLAIN_POINTS_PER_NODE = 160;

const PLAIN_HASH_PARTITIONING: Omit<ChoiceExperiment, "run"> = {
  id: "plain-hash-partitioning",
  claim:
    "Without hot keys, a plain consistent-hash ring with enough points per node spreads keys evenly; with one point per node it does not",
  chapter: { page: "07-hashing", anchor: "the-consistent-hash-ring" },
};

function runPlainHashPartitioning(): ExperimentResult {
  const rows = loadSpreadTable({
    keysCount: SHARD_KEYS,
    pointsPerNode: [1, PLAIN_POINTS_PER_NODE],
  }).filter((row) => row.method === "ring");
  const onePoint = rows.find((row) => row.pointsPerNode === 1);
  const many = rows.find((row) => row.pointsPerNode === PLAIN_POINTS_PER_NODE);
  assert(onePoint !== undefined && many !== undefined, "the table has both ring rows");
  const measured = {
    nodesCount: 10,
    keysCount: SHARD_KEYS,
    pointsPerNode: PLAIN_POINTS_PER_NODE,
    maxOverMean: many.maxOverMean,
    stdDevOverMean: many.stdDevOverMean,
    maxOverMeanOnePointPerNode: onePoint.maxOverMean,
  };
  const holds = many.maxOverMean < 1.25 && onePoint.maxOverMean > 2 * (many.maxOverMean - 1) + 1;
  return result(
    PLAIN_HASH_PARTITIONING,
    holds,
    measured,
    `${SHARD_KEYS} uniform keys on 10 nodes: with ${PLAIN_POINTS_PER_NODE} points per node the busiest node holds ${round(many.maxOverMean, 2)}x the mean (std-dev ${percent(many.stdDevOverMean)} of it); with 1 point per node, ${round(onePoint.maxOverMean, 2)}x.`,
  );
}

// ---------------------------------------------------------------- latency

interface ReadLatencies {
  readonly quorumReadMsP50: number;
  readonly quorumReadMsP99: number;
  readonly localReadMsP50: number;
  readonly localReadMsP99: number;
  readonly quorumLinearizable: boolean;
  readonly localLinearizable: boolean;
  readonly localStaleReads: number;
  readonly quorumReads: number;
  readonly localReads: number;
}

/** Reads of the CAP counters without a partition: quorum (cpQuorum) against local (apCrdt). */
function readLatencies(): ReadLatencies {
  const options = { partition: null, durationMs: 1_000, traceEventsMax: 0 } as const;
  const quorum = runCapScenario("cpQuorum", EXPERIMENT_SEED, options);
  const local = runCapScenario("apCrdt", EXPERIMENT_SEED, options);
  const readMs = (run: CapRun): number[] =>
    run.history
      .filter((op) => op.input.kind === "read" && op.output.status === "ok")
      .map((op) => op.return - op.call);
  const quorumMs = readMs(quorum);
  const localMs = readMs(local);
  const verdict = (run: CapRun): boolean =>
    checkOperations(capCounterModel, capCheckerHistory(run.history)).result === "ok";
  return {
    quorumReadMsP50: round(quantile(quorumMs, 0.5), 2),
    quorumReadMsP99: round(quantile(quorumMs, 0.99), 2),
    localReadMsP50: round(quantile(localMs, 0.5), 2),
    localReadMsP99: round(quantile(localMs, 0.99), 2),
    quorumLinearizable: verdict(quorum),
    localLinearizable: verdict(local),
    localStaleReads: findStaleReads(local).length,
    quorumReads: quorumMs.length,
    localReads: localMs.length,
  };
}

const QUORUM_ROUND_TRIP: Omit<ChoiceExperiment, "run"> = {
  id: "quorum-round-trip",
  claim:
    "A quorum read pays round trips to a majority (and a write-back) on every read, and in return it never reads stale: the history is linearizable",
  chapter: { page: "03-cap", anchor: "pacelc-the-trade-off-you-pay-every-day" },
};

function runQuorumRoundTrip(): ExperimentResult {
  const r = readLatencies();
  const measured = {
    linkLatencyMsMin: 1,
    linkLatencyMsMax: 10,
    quorumReads: r.quorumReads,
    readLatencyMsP50: r.quorumReadMsP50,
    readLatencyMsP99: r.quorumReadMsP99,
    localReadLatencyMsP50: r.localReadMsP50,
    linearizable: r.quorumLinearizable,
  };
  const holds = r.quorumLinearizable && r.quorumReadMsP50 > r.localReadMsP50;
  return result(
    QUORUM_ROUND_TRIP,
    holds,
    measured,
    `Links of 1-10 ms, no partition: a quorum read took ${r.quorumReadMsP50} ms at the median and ${r.quorumReadMsP99} ms at p99, against ${r.localReadMsP50} ms for a local read; checker on the quorum history: ${r.quorumLinearizable ? "linearizable" : "not linearizable"}.`,
  );
}

const LOCAL_READS: Omit<ChoiceExperiment, "run"> = {
  id: "local-reads",
  claim:
    "Local reads answer from the nearest replica in one client round trip, faster than a quorum, and the price is reads that can be stale even without a partition",
  chapter: { page: "03-cap", anchor: "pacelc-the-trade-off-you-pay-every-day" },
};

function runLocalReads(): ExperimentResult {
  const r = readLatencies();
  const measured = {
    linkLatencyMsMin: 1,
    linkLatencyMsMax: 10,
    localReads: r.localReads,
    readLatencyMsP50: r.localReadMsP50,
    readLatencyMsP99: r.localReadMsP99,
    quorumReadLatencyMsP50: r.quorumReadMsP50,
    staleReads: r.localStaleReads,
    linearizable: r.localLinearizable,
  };
  const holds =
    r.localReadMsP50 < r.quorumReadMsP50 && r.localStaleReads > 0 && !r.localLinearizable;
  return result(
    LOCAL_READS,
    holds,
    measured,
    `Links of 1-10 ms, no partition: a local read took ${r.localReadMsP50} ms at the median (quorum: ${r.quorumReadMsP50} ms), and ${r.localStaleReads} of ${r.localReads} reads were provably stale, so the checker rejects the history.`,
  );
}

// ---------------------------------------------------------------- availability

const MAJORITY_QUORUM_REPLICATION: Omit<ChoiceExperiment, "run"> = {
  id: "majority-quorum-replication",
  claim:
    "Majority quorums over 2f+1 replicas survive f failures: 5 replicas keep serving with 2 crashed, and a client on a minority side is refused",
  chapter: { page: "04-consistency", anchor: "a-linearizable-register-on-replicas-abd" },
};

function runMajorityQuorumReplication(): ExperimentResult {
  const replicasCount = 5;
  // Two crashes: every operation still gathers 3 of 5 answers.
  const crashed = new AbdCluster({
    seed: EXPERIMENT_SEED,
    replicasCount,
    clientsCount: 2,
    traceEventsMax: 0,
  });
  crashed.invoke("c1", { kind: "write", key: "x", value: "1" });
  crashed.runFor(100);
  crashed.sim.crash("r4");
  crashed.sim.crash("r5");
  crashed.invoke("c1", { kind: "write", key: "x", value: "2" });
  crashed.invoke("c2", { kind: "read", key: "x" });
  crashed.runFor(300);
  crashed.invoke("c2", { kind: "read", key: "x" });
  crashed.runFor(300);
  const okWithTwoCrashed = crashed.history.filter(
    (op) => op.call >= 100 && op.output.kind === "ok",
  ).length;
  const opsWithTwoCrashed = crashed.history.filter((op) => op.call >= 100).length;
  // A partition 2 | 3: c1 with r1, r2 (a minority), c2 with r3, r4, r5.
  const split = new AbdCluster({
    seed: EXPERIMENT_SEED,
    replicasCount,
    clientsCount: 2,
    traceEventsMax: 0,
  });
  split.partition([
    ["r1", "r2", "c1"],
    ["r3", "r4", "r5", "c2"],
  ]);
  split.invoke("c1", { kind: "write", key: "x", value: "minority" });
  split.invoke("c2", { kind: "write", key: "x", value: "majority" });
  split.runFor(400);
  split.invoke("c1", { kind: "read", key: "x" });
  split.invoke("c2", { kind: "read", key: "x" });
  split.runFor(400);
  const minorityOps = split.history.filter((op) => op.clientId === 0);
  const majorityOps = split.history.filter((op) => op.clientId === 1);
  const minorityRefused = minorityOps.filter((op) => op.output.kind === "error").length;
  const majorityOk = majorityOps.filter((op) => op.output.kind === "ok").length;
  const linearizable =
    checkReplicaHistory(crashed.history) === "ok" && checkReplicaHistory(split.history) === "ok";
  const measured = {
    replicasCount,
    crashedReplicas: 2,
    operationsWithTwoCrashed: opsWithTwoCrashed,
    operationsOkWithTwoCrashed: okWithTwoCrashed,
    minorityOperations: minorityOps.length,
    minorityOperationsRefused: minorityRefused,
    majorityOperationsOk: majorityOk,
    linearizable,
  };
  const holds =
    opsWithTwoCrashed > 0 &&
    okWithTwoCrashed === opsWithTwoCrashed &&
    minorityOps.length > 0 &&
    minorityRefused === minorityOps.length &&
    majorityOk === majorityOps.length &&
    linearizable;
  return result(
    MAJORITY_QUORUM_REPLICATION,
    holds,
    measured,
    `ABD register on ${replicasCount} replicas: with 2 crashed, ${okWithTwoCrashed} of ${opsWithTwoCrashed} operations succeeded; cut 2 | 3, the minority client was refused ${minorityRefused} of ${minorityOps.length} times while the majority client succeeded ${majorityOk} of ${majorityOps.length}; both histories linearizable: ${linearizable}.`,
  );
}

const SLOPPY_AVAILABILITY: Omit<ChoiceExperiment, "run"> = {
  id: "sloppy-availability",
  claim:
    "Sloppy quorums keep accepting writes on both sides of a partition (a strict quorum refuses one side); after the heal, hinted handoff repairs the owners and the concurrent writes surface as siblings to merge",
  chapter: { page: "04-consistency", anchor: "dynamo-n-r-w-sloppy-quorums-and-hinted-handoff" },
};

/** One write per side of a 2 | 3 partition on a Dynamo store, then a read after the heal. */
function bothSidesWrite(sloppy: boolean): {
  minorityWriteOk: boolean;
  majorityWriteOk: boolean;
  valuesAfterHeal: readonly string[];
} {
  const cluster = new DynamoCluster({ seed: EXPERIMENT_SEED, sloppy, traceEventsMax: 0 });
  cluster.partition([
    ["r1", "r2", "c1"],
    ["r3", "r4", "r5", "c3"],
  ]);
  cluster.invoke("c1", { kind: "write", key: "cart", value: "milk" });
  cluster.invoke("c3", { kind: "write", key: "cart", value: "eggs" });
  cluster.runFor(400);
  cluster.heal();
  cluster.runFor(1_000);
  cluster.invoke("c3", { kind: "read", key: "cart" });
  cluster.runFor(400);
  const [minorityWrite, majorityWrite, read] = [
    cluster.history.find((op) => op.clientId === 0 && op.input.kind === "write"),
    cluster.history.find((op) => op.clientId === 2 && op.input.kind === "write"),
    cluster.history.find((op) => op.input.kind === "read"),
  ];
  return {
    minorityWriteOk: minorityWrite?.output.kind === "ok",
    majorityWriteOk: majorityWrite?.output.kind === "ok",
    valuesAfterHeal: read?.output.kind === "ok" ? [...read.output.values].sort() : [],
  };
}

function runSloppyAvailability(): ExperimentResult {
  const sloppy = bothSidesWrite(true);
  const strict = bothSidesWrite(false);
  const handoff = sloppyQuorumScenario({ seed: EXPERIMENT_SEED });
  const writesAcceptedSloppy = Number(sloppy.minorityWriteOk) + Number(sloppy.majorityWriteOk);
  const writesAcceptedStrict = Number(strict.minorityWriteOk) + Number(strict.majorityWriteOk);
  const readAfterHandoff =
    handoff.readAfterHeal.output.kind === "ok" ? handoff.readAfterHeal.output.values.join(",") : "";
  const measured = {
    writesAcceptedSloppy,
    writesAcceptedStrict,
    siblingsAfterHeal: sloppy.valuesAfterHeal.length,
    siblingsAfterHealValues: sloppy.valuesAfterHeal.join(","),
    hintsAtHeal: handoff.hintsAtHeal,
    hintsAfterHandoff: handoff.hintsAtEnd,
    readAfterHandoff,
  };
  const holds =
    writesAcceptedSloppy === 2 &&
    writesAcceptedStrict < 2 &&
    sloppy.valuesAfterHeal.length === 2 &&
    handoff.hintsAtHeal > 0 &&
    handoff.hintsAtEnd === 0 &&
    readAfterHandoff === "v2";
  return result(
    SLOPPY_AVAILABILITY,
    holds,
    measured,
    `Dynamo N=3, R=W=2, cut 2 | 3, one write on each side: the sloppy quorum accepted ${writesAcceptedSloppy} of 2 (strict: ${writesAcceptedStrict}); after the heal a read returns ${sloppy.valuesAfterHeal.length} siblings (${measured.siblingsAfterHealValues}) to merge, and hinted handoff delivered ${handoff.hintsAtHeal} hint so the owners read "${readAfterHandoff}".`,
  );
}

// ---------------------------------------------------------------- the table

/**
 * The experiment behind every choice of the checklist, keyed by {@link ChoiceId}: a Record over
 * the whole union, so a choice without an experiment does not compile. Each `run()` calls the
 * library with a fixed seed and small sizes, takes well under a second, and computes `holds`
 * from a checker verdict or a measured comparison.
 *
 * @example
 * const cp = CHOICE_EXPERIMENTS.cp.run();
 * cp.holds;                          // true
 * cp.measured.minorityWritesRefused; // > 0: the minority side refused them
 */
export const CHOICE_EXPERIMENTS: Readonly<Record<ChoiceId, ChoiceExperiment>> = {
  cp: { ...CP, run: runCp },
  ap: { ...AP, run: runAp },
  "shard-by-key": { ...SHARD_BY_KEY, run: runShardByKey },
  "replicate-whole-dataset": { ...REPLICATE_WHOLE_DATASET, run: runReplicateWholeDataset },
  "consensus-log": { ...CONSENSUS_LOG, run: runConsensusLog },
  "partitioned-log": { ...PARTITIONED_LOG, run: runPartitionedLog },
  "causal-delivery": { ...CAUSAL_DELIVERY, run: runCausalDelivery },
  "simple-queue": { ...SIMPLE_QUEUE, run: runSimpleQueue },
  "leader-lease-fencing": { ...LEADER_LEASE_FENCING, run: runLeaderLeaseFencing },
  "no-leader": { ...NO_LEADER, run: runNoLeader },
  "at-least-once-idempotent": { ...AT_LEAST_ONCE_IDEMPOTENT, run: runAtLeastOnceIdempotent },
  "exactly-once-effects": { ...EXACTLY_ONCE_EFFECTS, run: runExactlyOnceEffects },
  "bounded-load-hashing": { ...BOUNDED_LOAD_HASHING, run: runBoundedLoadHashing },
  "plain-hash-partitioning": { ...PLAIN_HASH_PARTITIONING, run: runPlainHashPartitioning },
  "quorum-round-trip": { ...QUORUM_ROUND_TRIP, run: runQuorumRoundTrip },
  "local-reads": { ...LOCAL_READS, run: runLocalReads },
  "majority-quorum-replication": {
    ...MAJORITY_QUORUM_REPLICATION,
    run: runMajorityQuorumReplication,
  },
  "sloppy-availability": { ...SLOPPY_AVAILABILITY, run: runSloppyAvailability },
};

/**
 * Runs the experiment behind one checklist choice.
 *
 * @param id - a {@link ChoiceId}, e.g. "cp" or "bounded-load-hashing".
 * @throws RangeError naming the id and the allowed ids when `id` is not a choice.
 *
 * @example
 * const r = runChoiceExperiment("leader-lease-fencing");
 * r.summary; // "A leader paused past its 300 ms lease ... rejected 1 stale write ..."
 */
export function runChoiceExperiment(id: ChoiceId): ExperimentResult {
  const known = Object.prototype.hasOwnProperty.call(CHOICE_EXPERIMENTS, id);
  if (!known) {
    throw invalidArgument("choice id", `one of ${Object.keys(CHOICE_EXPERIMENTS).join(", ")}`, id);
  }
  const experiment = CHOICE_EXPERIMENTS[id];
  const outcome = experiment.run();
  assert(outcome.id === id, `experiment ${id} reports its own id`);
  return outcome;
}
