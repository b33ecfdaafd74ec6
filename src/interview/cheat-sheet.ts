// The one-page cheat sheet: seven small tables whose figures are measured by seeded runs of the
// same library experiments the chapters use (issue 9, "Study aids"); nothing is typed in by hand.

import { capLatencyStats, runCapScenario } from "../cap/index.js";
import type { CapVariant } from "../cap/index.js";
import {
  type ConsensusFailoverRun,
  PaxosCluster,
  consensusFailoverRun,
} from "../consensus/index.js";
import {
  causalComparisonStore,
  consistencyComparison,
  defaultComparisonStores,
} from "../consistency/index.js";
import { compareElections } from "../election/index.js";
import type { ElectionApproach } from "../election/index.js";
import {
  RendezvousHash,
  boundedLoadTable,
  loadSpreadTable,
  nodeNames,
  remapTable,
  sampleKeys,
} from "../hashing/index.js";
import {
  Broker,
  perKeyOrderRun,
  DELIVERY_MODES,
  WorkQueue,
  runDeliveryExperiment,
  runWorkQueueExperiment,
} from "../queue/index.js";
import type { DeliveryMode } from "../queue/index.js";
import { assert } from "../sim/assert.js";
import type { SectionLink } from "./types.js";

/** Rounds a measured figure for a one-page table: `digits` decimals at most. */
function rounded(value: number, digits = 1): number {
  assert(Number.isFinite(value), `a cheat-sheet figure must be finite, got ${value}`);
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** "a of b", the way the sheet states a count out of a total. */
function outOf(part: number, whole: number): string {
  assert(part >= 0 && part <= whole, `${part} of ${whole}: the part must be within the whole`);
  return `${part} of ${whole}`;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function mean(values: readonly number[]): number {
  assert(values.length > 0, "mean of no values");
  return sum(values) / values.length;
}

// ---------------------------------------------------------------------------------------------
// CAP choices (chapter 3)

/** One row of {@link capCheatRows}. Times are virtual ms. */
export interface CapCheatRow {
  readonly choice: string;
  /** Minority-side operations answered while the partition lasted, "a of b". */
  readonly "minority answered": string;
  /** Acknowledged increments that the final value does not count. */
  readonly "acked lost": number;
  /** Median latency of the same clients with no partition at all (PACELC's "else"). */
  readonly "p50 ms, no partition": number;
  readonly "msgs/op": number;
}

const CAP_CHEAT_VARIANTS: readonly (readonly [CapVariant, string])[] = [
  ["cpQuorum", "CP: majority quorum"],
  ["cpReadThenWrite", "CP: read, then write"],
  ["apCrdt", "AP: PN-counter CRDT"],
  ["apLastWriteWins", "AP: last write wins"],
];

/**
 * The CAP choices on chapter 3's scripted partition (seed 1, five replicas, a 2/3 split from 500
 * to 1,500 ms): how much the minority side answers, how many acknowledged increments are lost,
 * and what consistency costs when there is no partition.
 *
 * @example
 * const cp = capCheatRows().find((row) => row.choice.startsWith("CP: majority"));
 * cp?.["minority answered"]; // "0 of 14": the minority refuses
 */
export function capCheatRows(): CapCheatRow[] {
  return CAP_CHEAT_VARIANTS.map(([variant, choice]) => {
    const run = runCapScenario(variant, 1, { traceEventsMax: 0 });
    const window = run.partitionWindow;
    assert(window !== null, "the chapter's scenario has a partition");
    const minorityClients = run.clients.filter((client) =>
      run.minority.includes(run.homeOf[client] as string),
    );
    const cut = capLatencyStats(run, {
      fromMs: window.startMs,
      toMs: window.endMs,
      clients: minorityClients,
    });
    const calm = runCapScenario(variant, 1, { partition: null, traceEventsMax: 0 });
    return {
      choice,
      "minority answered": outOf(cut.answeredCount, cut.operationsCount),
      "acked lost": run.counts.updatesLostCount,
      "p50 ms, no partition": rounded(capLatencyStats(calm).p50Ms),
      "msgs/op": rounded(calm.counts.messagesPerOperation),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Consistency models (chapter 4)

/** One row of {@link consistencyCheatRows}. */
export interface ConsistencyCheatRow {
  readonly store: string;
  readonly "msgs/op": number;
  readonly "p99 ms": number;
  /** Reads that missed a write completed before they started, in % of reads. */
  readonly "stale reads %": number;
  /** Minority-side operations answered during the partition, in %. */
  readonly "minority answered %": number;
}

const CONSISTENCY_CHEAT_STORES: readonly string[] = [
  "ABD (linearizable)",
  "Dynamo N=3 R=2 W=2",
  "Dynamo N=3 R=1 W=1",
  "eventual (LWW + Merkle)",
  "causal (with tokens)",
];

/**
 * Consistency models measured side by side as in chapter 4 (`consistencyComparison`, seed 1: four
 * clients, three keys, a partition from 1 s to 2 s): cost, tail latency, stale reads and
 * availability of the minority side.
 *
 * @example
 * consistencyCheatRows()[0]?.["stale reads %"]; // 0: ABD never returns a stale value
 */
export function consistencyCheatRows(): ConsistencyCheatRow[] {
  const stores = [...defaultComparisonStores(), causalComparisonStore()].filter((store) =>
    CONSISTENCY_CHEAT_STORES.includes(store.name),
  );
  assert(stores.length === CONSISTENCY_CHEAT_STORES.length, "every cheat-sheet store exists");
  return consistencyComparison({ seed: 1, stores }).map((row) => ({
    store: row.store,
    "msgs/op": rounded(row.messagesPerOperation),
    "p99 ms": rounded(row.latencyMsP99),
    "stale reads %": rounded(100 * row.staleReadFraction),
    "minority answered %": rounded(100 * row.availabilityUnderPartition, 0),
  }));
}

// ---------------------------------------------------------------------------------------------
// Delivery guarantees (chapter 6, section 5)

/** One row of {@link deliveryCheatRows}: totals over seeds 1 to 5. */
export interface DeliveryCheatRow {
  readonly guarantee: string;
  readonly how: string;
  readonly crashes: number;
  /** Messages produced and never processed, out of 1,000. */
  readonly lost: number;
  /** Messages whose effect appeared more than once, out of 1,000. */
  readonly duplicated: number;
}

const DELIVERY_HOW: Readonly<Record<DeliveryMode, string>> = {
  "at-most-once": "commit, then process",
  "at-least-once": "process, then commit",
  "exactly-once": "idempotent producer + offsets, atomically",
};

const DELIVERY_CHEAT_SEEDS: readonly number[] = [1, 2, 3, 4, 5];

/**
 * Delivery guarantees under consumer crashes, from chapter 6's experiment (`runDeliveryExperiment`,
 * 200 keyed messages, 20% crash chance per batch, seeds 1 to 5), plus the classic mistake:
 * exactly-once with a producer that retries without idempotence (10% of acknowledgements lost).
 *
 * @example
 * deliveryCheatRows().map((row) => [row.guarantee, row.lost, row.duplicated]);
 */
export function deliveryCheatRows(): DeliveryCheatRow[] {
  const total = (
    guarantee: string,
    how: string,
    runs: ReturnType<typeof runDeliveryExperiment>[],
  ) => ({
    guarantee,
    how,
    crashes: sum(runs.map((run) => run.crashes)),
    lost: sum(runs.map((run) => run.lost)),
    duplicated: sum(runs.map((run) => run.duplicated)),
  });
  const rows = DELIVERY_MODES.map((mode) =>
    total(
      mode,
      DELIVERY_HOW[mode],
      DELIVERY_CHEAT_SEEDS.map((seed) => runDeliveryExperiment({ mode, seed })),
    ),
  );
  rows.push(
    total(
      "exactly-once, plain producer",
      "retries without producer id + sequence",
      DELIVERY_CHEAT_SEEDS.map((seed) =>
        runDeliveryExperiment({ mode: "exactly-once", seed, idempotent: false }),
      ),
    ),
  );
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Paxos vs Raft (chapter 5)

/** One row of {@link consensusCheatRows}: means over seeds 1 to 5, virtual ms. */
export interface ConsensusCheatRow {
  readonly protocol: string;
  /** Messages sent per decided value, heartbeats and replies included. */
  readonly "msgs/decision": number;
  readonly "decision ms": number;
  /** From the leader's crash until another node leads; "-" when there is no leader. */
  readonly "crash → leader ms": number | "-";
  /** From the leader's crash until the next value is decided. */
  readonly "crash → decision ms": number | "-";
}

const CONSENSUS_CHEAT_SEEDS: readonly number[] = [1, 2, 3, 4, 5];
const CONSENSUS_WAIT_MS_MAX = 5_000;
const CONSENSUS_NETWORK = { latency: { kind: "uniform", minMs: 1, maxMs: 5 } } as const;

/** Single-decree Paxos: one proposer, five acceptors, both phases for one value. */
function measureSingleDecree(seed: number): { perDecision: number; latencyMs: number } {
  const round = new PaxosCluster({
    acceptors: 5,
    proposers: 1,
    seed,
    network: CONSENSUS_NETWORK,
    traceEventsMax: 0,
  });
  round.propose(0, "x");
  const chosenAtMs = round.runUntilChosen(CONSENSUS_WAIT_MS_MAX);
  return { perDecision: round.messageCounts().total, latencyMs: chosenAtMs };
}

/**
 * Paxos and Raft in chapter 5's common conditions (5 nodes, 1 to 5 ms links, heartbeats every
 * 100 ms, election timeouts from 300 ms; means over seeds 1 to 5): what a decision costs and how
 * long a leader crash stalls progress. Single-decree Paxos runs both phases for its one value.
 *
 * @example
 * const [, multi, raft] = consensusCheatRows();
 * (multi?.["msgs/decision"] ?? 0) > (raft?.["msgs/decision"] ?? 0); // true: acceptors broadcast
 */
export function consensusCheatRows(): ConsensusCheatRow[] {
  const single = CONSENSUS_CHEAT_SEEDS.map(measureSingleDecree);
  const row = (protocol: string, runs: readonly ConsensusFailoverRun[]): ConsensusCheatRow => ({
    protocol,
    "msgs/decision": rounded(mean(runs.map((run) => run.perDecision))),
    "decision ms": rounded(mean(runs.map((run) => run.latencyMs))),
    "crash → leader ms": rounded(mean(runs.map((run) => run.electedMs)), 0),
    "crash → decision ms": rounded(mean(runs.map((run) => run.decidedMs)), 0),
  });
  return [
    {
      protocol: "Paxos, single decree",
      "msgs/decision": rounded(mean(single.map((run) => run.perDecision))),
      "decision ms": rounded(mean(single.map((run) => run.latencyMs))),
      "crash → leader ms": "-",
      "crash → decision ms": "-",
    },
    row(
      "Multi-Paxos, stable leader",
      CONSENSUS_CHEAT_SEEDS.map((seed) => consensusFailoverRun("multi-paxos", seed)),
    ),
    row(
      "Raft",
      CONSENSUS_CHEAT_SEEDS.map((seed) => consensusFailoverRun("raft", seed)),
    ),
  ];
}

// ---------------------------------------------------------------------------------------------
// Kafka vs RabbitMQ vs SQS (chapter 6, section 7)

/** One row of {@link queueCheatRows}. */
export interface QueueCheatRow {
  readonly system: string;
  readonly consumers: string;
  /** Order per key with a fast and a slow consumer (measured on the log). */
  readonly "per-key order": string;
  /** Messages a reader gets again after the first reader processed and acknowledged all of them. */
  readonly "re-read after ack": string;
  /** Extra effects after consumer crashes, acknowledging after processing (3 seeds). */
  readonly "crash duplicates": string;
}

const REPLAY_JOBS = 3;
const ORDER_MESSAGES = 3_000;
const ORDER_USERS = 100;
const QUEUE_CHEAT_SEEDS: readonly number[] = [1, 2, 3];

/** Jobs a new consumer group reads after another group processed and committed every one. */
function logReplayCount(): number {
  const broker = new Broker({ seed: 1 });
  broker.createTopic("jobs", { partitions: 1 });
  const producer = broker.producer();
  for (let i = 1; i <= REPLAY_JOBS; i++) producer.send("jobs", { value: `job ${i}` });
  const first = broker.consumer({ groupId: "billing" });
  first.subscribe(["jobs"]);
  assert(first.poll().length === REPLAY_JOBS, "the first group reads every job");
  first.commit();
  const late = broker.consumer({ groupId: "audit" });
  late.subscribe(["jobs"]);
  return late.poll().length;
}

/** Jobs a second worker receives after the first received and acked every one. */
function queueReplayCount(): number {
  const queue = new WorkQueue({ name: "jobs", visibilityTimeoutMs: 1_000 });
  for (let i = 1; i <= REPLAY_JOBS; i++) queue.send(`job ${i}`);
  const got = queue.receive("worker-1", { maxMessages: 10 });
  assert(got.length === REPLAY_JOBS, "the first worker receives every job");
  for (const message of got) queue.ack(message.receiptHandle);
  queue.advance(1_000);
  return queue.receive("worker-2", { maxMessages: 10 }).length;
}

/**
 * Kafka (a log) against RabbitMQ and SQS (work queues), from what the library's two models do in
 * chapter 6: order per key, replay after acknowledgement, and what consumer crashes cost when
 * acknowledging after processing (a log replays the uncommitted batch, a queue one message).
 * RabbitMQ and SQS share the work-queue model; they differ in how consumers get messages.
 *
 * @example
 * queueCheatRows()[0]?.["re-read after ack"]; // "3 of 3": a log keeps what was read
 */
export function queueCheatRows(): QueueCheatRow[] {
  const order = perKeyOrderRun({
    messagesCount: ORDER_MESSAGES,
    usersCount: ORDER_USERS,
    seed: 2,
  });
  const logRuns = QUEUE_CHEAT_SEEDS.map((seed) =>
    runDeliveryExperiment({ mode: "at-least-once", seed, messages: 1_000 }),
  );
  const queueRuns = QUEUE_CHEAT_SEEDS.map((seed) =>
    runWorkQueueExperiment(seed, { ackMode: "after-processing", idempotentConsumer: false }),
  );
  const logReplay = outOf(logReplayCount(), REPLAY_JOBS);
  const queueReplay = outOf(queueReplayCount(), REPLAY_JOBS);
  const logDuplicates = outOf(
    sum(logRuns.map((run) => run.duplicated)),
    sum(logRuns.map((run) => run.produced)),
  );
  const queueDuplicates = outOf(
    sum(queueRuns.map((run) => run.duplicates)),
    sum(queueRuns.map((run) => run.sent)),
  );
  const queueOrder = "none across consumers";
  return [
    {
      system: "Kafka (log)",
      consumers: "pull; one per partition per group",
      "per-key order": `kept: ${outOf(order.usersOutOfOrder, order.usersCount)} keys reordered`,
      "re-read after ack": logReplay,
      "crash duplicates": logDuplicates,
    },
    {
      system: "RabbitMQ (work queue)",
      consumers: "push with prefetch; any takes any",
      "per-key order": queueOrder,
      "re-read after ack": queueReplay,
      "crash duplicates": queueDuplicates,
    },
    {
      system: "SQS (work queue)",
      consumers: "pull; any takes any",
      "per-key order": `${queueOrder} (FIFO: per group)`,
      "re-read after ack": queueReplay,
      "crash duplicates": queueDuplicates,
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Hashing schemes (chapter 7)

/** One row of {@link hashingCheatRows}. */
export interface HashingCheatRow {
  readonly scheme: string;
  /** Keys that change node when a node joins 10 (fair share: 9.1 %). */
  readonly "moved 10→11 %": number;
  /** Keys on the busiest of 10 nodes over the mean. */
  readonly "max/mean load": number;
  readonly lookup: string;
}

const HASHING_KEYS_COUNT = 10_000;
const HASHING_NODES = 10;
const BOUNDED_EPSILON = 0.25;

/** Rendezvous hashing measured on the same keys: moved on a join, and the busiest node's load. */
function rendezvousFigures(keys: readonly string[]): { moved: number; maxOverMean: number } {
  const hrw = new RendezvousHash<string>({ nodes: nodeNames(HASHING_NODES) });
  const before = keys.map((key) => hrw.getNode(key));
  const loads = new Map<string, number>();
  for (const node of before) loads.set(node, (loads.get(node) ?? 0) + 1);
  hrw.addNode(nodeNames(HASHING_NODES + 1)[HASHING_NODES] as string);
  const moved = keys.filter((key, i) => hrw.getNode(key) !== before[i]).length;
  return {
    moved: moved / keys.length,
    maxOverMean: Math.max(...loads.values()) / (keys.length / HASHING_NODES),
  };
}

/**
 * Hashing schemes on 10 nodes and 10,000 keys, from chapter 7's experiments (`remapTable`,
 * `loadSpreadTable`, `boundedLoadTable`, and rendezvous hashing on the same keys): how many keys
 * move when an 11th node joins, and how loaded the busiest node is.
 *
 * @example
 * hashingCheatRows()[0]?.["moved 10→11 %"]; // about 91: modulo moves almost every key
 */
export function hashingCheatRows(): HashingCheatRow[] {
  const [remap] = remapTable({
    keysCount: HASHING_KEYS_COUNT,
    transitions: [[HASHING_NODES, HASHING_NODES + 1]],
  });
  assert(remap !== undefined, "remapTable returns the one transition asked for");
  const spread = loadSpreadTable({
    nodesCount: HASHING_NODES,
    pointsPerNode: [160],
    keysCount: HASHING_KEYS_COUNT,
    trials: 1,
  });
  const spreadOf = (method: "ring" | "jump" | "modulo"): number => {
    const found = spread.find((row) => row.method === method);
    assert(found !== undefined, `loadSpreadTable has a ${method} row`);
    return found.maxOverMean;
  };
  const bounded = boundedLoadTable({
    nodesCount: HASHING_NODES,
    keysCount: HASHING_KEYS_COUNT,
    epsilons: [BOUNDED_EPSILON],
  }).rows.find((row) => row.method === "bounded");
  assert(bounded !== undefined, "boundedLoadTable has a bounded row");
  const hrw = rendezvousFigures(sampleKeys(HASHING_KEYS_COUNT));
  const percent = (fraction: number): number => rounded(100 * fraction);
  const load = (ratio: number): number => rounded(ratio, 2);
  return [
    {
      scheme: "modulo (hash mod n)",
      "moved 10→11 %": percent(remap.modulo),
      "max/mean load": load(spreadOf("modulo")),
      lookup: "O(1)",
    },
    {
      scheme: "ring, 160 points/node",
      "moved 10→11 %": percent(remap.ring),
      "max/mean load": load(spreadOf("ring")),
      lookup: "O(log points)",
    },
    {
      scheme: "jump hash",
      "moved 10→11 %": percent(remap.jump),
      "max/mean load": load(spreadOf("jump")),
      lookup: "O(log n); buckets 0..n-1",
    },
    {
      scheme: "rendezvous (HRW)",
      "moved 10→11 %": percent(hrw.moved),
      "max/mean load": load(hrw.maxOverMean),
      lookup: "O(n)",
    },
    {
      scheme: `bounded loads, ε=${BOUNDED_EPSILON}`,
      "moved 10→11 %": percent(bounded.movedOnAdd),
      "max/mean load": load(bounded.maxOverMean),
      lookup: "ring + walk past full",
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Election approaches (chapter 8)

/** One row of {@link electionCheatRows}: medians over seeds 1 to 10, virtual ms. */
export interface ElectionCheatRow {
  readonly approach: string;
  /** Election messages from the leader's crash to a new leader, heartbeats excluded. */
  readonly msgs: number;
  readonly "failover ms": number;
  /** Most nodes acting as leader at one instant while the old leader is cut off. */
  readonly "leaders when cut off": number;
  /** How long the cut-off old leader keeps believing it leads. */
  readonly "old leader believes": string;
}

const ELECTION_NAMES: Readonly<Record<ElectionApproach, string>> = {
  bully: "bully",
  raft: "Raft (pre-vote, check-quorum)",
  lease: "lease 300 ms + fencing",
  zookeeper: "ZooKeeper, 1 s session",
};

const ELECTION_CHEAT_SEEDS: readonly number[] = Array.from({ length: 10 }, (_, i) => i + 1);

/**
 * Election approaches compared as in chapter 8 (`compareElections`, 5 nodes, seeds 1 to 10): the
 * cost and time of a failover after the leader crashes, and what happens when the leader is cut
 * off instead.
 *
 * @example
 * electionCheatRows()[0]?.["leaders when cut off"]; // 2: the bully algorithm splits the brain
 */
export function electionCheatRows(): ElectionCheatRow[] {
  return compareElections({ seeds: ELECTION_CHEAT_SEEDS }).map((row) => ({
    approach: ELECTION_NAMES[row.approach],
    msgs: row.messagesMedian,
    "failover ms": rounded(row.failoverMsMedian, 0),
    "leaders when cut off": row.partitionLeadersMax,
    "old leader believes":
      row.oldLeaderBelievesMsMedian === null
        ? "until healed"
        : `${rounded(row.oldLeaderBelievesMsMedian, 0)} ms`,
  }));
}

// ---------------------------------------------------------------------------------------------
// The sheet

/** One table of the sheet: its heading, the chapter section that measures it, its rows. */
export interface CheatSheetTable {
  readonly title: string;
  readonly link: SectionLink;
  readonly rows: () => readonly object[];
}

/**
 * The sheet's tables in page order, with the chapter section each one's figures come from.
 *
 * @example
 * for (const t of CHEAT_SHEET_TABLES) console.log(t.title, t.link.page, t.rows().length);
 */
export const CHEAT_SHEET_TABLES: readonly CheatSheetTable[] = [
  {
    title: "CAP choices",
    link: { page: "03-cap", anchor: "the-scripted-partition-against-every-variant" },
    rows: capCheatRows,
  },
  {
    title: "Consistency models",
    link: { page: "04-consistency", anchor: "measured-side-by-side" },
    rows: consistencyCheatRows,
  },
  {
    title: "Delivery guarantees",
    link: { page: "06-queues", anchor: "5-delivery-guarantees" },
    rows: deliveryCheatRows,
  },
  {
    title: "Paxos vs Raft",
    link: { page: "05-consensus", anchor: "paxos-versus-raft-measured" },
    rows: consensusCheatRows,
  },
  {
    title: "Kafka vs RabbitMQ vs SQS",
    link: { page: "06-queues", anchor: "kafka-vs-rabbitmq-vs-sqs-from-what-the-two-models-do" },
    rows: queueCheatRows,
  },
  {
    title: "Hashing schemes",
    link: { page: "07-hashing", anchor: "modulo-balanced-and-unstable" },
    rows: hashingCheatRows,
  },
  {
    title: "Election approaches",
    link: { page: "08-election", anchor: "5-comparison" },
    rows: electionCheatRows,
  },
];
