// Worked problem "Design a payment ledger": CP on Raft with client sessions as idempotency keys
// (Ongaro's thesis 2014, §6.3), run on the consensus chapter's RaftKvCluster and its checker.

import { checkOperations } from "../../consistency/linearizability/checker.js";
import { kvModel } from "../../consistency/linearizability/models.js";
import { RaftKvCluster } from "../../consensus/raft/kv-cluster.js";
import type { RaftKvMessage } from "../../consensus/raft/kv.js";
import {
  assert,
  integerOption,
  invalidArgument,
  requireIntegerAtLeast,
  requireKnownOptions,
  requireNumberAtLeast,
} from "../../sim/assert.js";
import { quantile } from "../../sim/stats.js";
import type { Envelope } from "../../sim/types.js";
import { type RichOutput, sequence } from "../../viz/index.js";
import type { LoadAssumptions } from "../estimate.js";
import type { WorkedProblem } from "../types.js";

/**
 * The payment ledger as an interviewer states it, with the requirements a candidate settles on:
 * balances must never be stale or lost, the account id splits the data, entries of a shard apply
 * in one agreed order, no application-level single worker (Raft's leader lives inside the log), a
 * retried charge must not charge twice, no account is hot enough to matter, writes within 200 ms
 * p99 with replicas in three zones of one region (5 ms apart), and 99.99% availability.
 *
 * @example
 * recommend(paymentLedgerProblem.requirements).decisions.map((d) => d.choice);
 * // equals paymentLedgerProblem.documentedChoices
 */
export const paymentLedgerProblem: WorkedProblem = {
  page: "09b-payment-ledger",
  title: "Design a payment ledger",
  requirements: {
    strongConsistency: true,
    naturalPartitionKey: true,
    ordering: "total",
    singleActiveWorker: false,
    idempotentConsumers: false,
    hotSpotRisk: false,
    latencyMsP99: 200,
    availabilityTarget: 0.9999,
    replicaOneWayLatencyMs: 5,
  },
  documentedChoices: [
    "cp",
    "shard-by-key",
    "consensus-log",
    "no-leader",
    "exactly-once-effects",
    "plain-hash-partitioning",
    "quorum-round-trip",
    "majority-quorum-replication",
  ],
};

/**
 * The numbers behind the estimate: 50 million paying users a day, 2 ledger entries each (a payment
 * debits one account and credits another), 5 balance or history reads per entry, peaks at 5x the
 * average (lunch, paydays), 200 bytes per entry and per read, kept 7 years (a typical legal
 * minimum) on 5 replicas (2f+1 with f = 2, so one zone can be down during a second failure).
 */
export const paymentLedgerAssumptions: LoadAssumptions = {
  dailyActiveUsers: 50e6,
  writesPerUserPerDay: 2,
  readsPerWrite: 5,
  peakToAverage: 5,
  bytesPerWrite: 200,
  bytesPerRead: 200,
  retentionDays: 7 * 365,
  replicationFactor: 5,
};

/** The key holding the ledger of the account the charges go to. */
export const PAYMENT_ACCOUNT_KEY = "acct:alice";

/** Options of {@link paymentChargeRun}. */
export interface PaymentChargeOptions {
  /** Seed of the run. Default 1. */
  readonly seed?: number;
  /**
   * True: the server keeps each client's (clientId, seq), the idempotency key of a charge, and
   * answers a retry from that table. False: every retry that reaches the log is applied again.
   * Default true.
   */
  readonly idempotencyKeys?: boolean;
  /** Charges the client makes, one after the other. Default 3. */
  readonly chargesCount?: number;
  /**
   * Which of the client's "ok" replies the network loses, by their order (0 = the first "ok" the
   * leader sends it). A lost reply makes the client time out and retry the same charge.
   * Default [0]: the first reply.
   */
  readonly lostReplies?: readonly number[];
  /** Trace capacity, for a sequence diagram. Default 0 (no trace). */
  readonly traceEventsMax?: number;
}

/** What one {@link paymentChargeRun} measured. */
export interface PaymentChargeResult {
  readonly idempotencyKeys: boolean;
  readonly chargesRequested: number;
  /** Charge ids in the account's ledger as a final read sees it (a double charge: twice). */
  readonly ledger: readonly string[];
  /** Charges in the ledger, duplicates included. */
  readonly chargesApplied: number;
  /** Charges that took effect more than once. */
  readonly doubleCharges: number;
  /** Requests the client sent, retries included. */
  readonly requestsSent: number;
  /** "ok" replies the network lost. */
  readonly repliesLost: number;
  /** The linearizability checker's verdict on the whole history (charges and the final read). */
  readonly verdict: "ok" | "illegal" | "unknown";
  /** The run, for its trace and history. */
  readonly cluster: RaftKvCluster;
}

const CHARGE_OPTIONS = [
  "seed",
  "idempotencyKeys",
  "chargesCount",
  "lostReplies",
  "traceEventsMax",
] as const;

/**
 * A client charges an account `chargesCount` times (each charge an append of its id, `"ch1;"`,
 * to the account's ledger) on a 3-server Raft key-value store while the network loses some of the
 * "ok" replies; each lost reply makes the client retry the same charge. Then another client reads
 * the ledger. With idempotency keys each charge is in the ledger once; without, a retry of a
 * charge that had already been applied charges again.
 *
 * @example
 * paymentChargeRun({ idempotencyKeys: false }).doubleCharges; // 1
 * paymentChargeRun({ idempotencyKeys: true }).doubleCharges;  // 0
 */
export function paymentChargeRun(options: PaymentChargeOptions = {}): PaymentChargeResult {
  requireKnownOptions("paymentChargeRun options", options, CHARGE_OPTIONS);
  const seed = requireIntegerAtLeast("seed", options.seed ?? 1, 0);
  const idempotencyKeys = options.idempotencyKeys ?? true;
  if (typeof idempotencyKeys !== "boolean") {
    throw invalidArgument("idempotencyKeys", "true or false", idempotencyKeys);
  }
  const chargesCount = integerOption("chargesCount", options.chargesCount, 3, 1, 100);
  const lostReplies = options.lostReplies ?? [0];
  if (!Array.isArray(lostReplies)) {
    throw invalidArgument("lostReplies", "an array of reply positions", lostReplies);
  }
  lostReplies.forEach((position, i) => requireIntegerAtLeast(`lostReplies[${i}]`, position, 0));
  const traceEventsMax = integerOption("traceEventsMax", options.traceEventsMax, 0, 0);

  const kv = new RaftKvCluster({
    servers: 3,
    clients: 2,
    seed,
    deduplicate: idempotencyKeys,
    traceEventsMax,
  });
  kv.runFor(1_000); // elect a leader first
  let okReplies = 0;
  let repliesLost = 0;
  kv.sim.setTamper((message: Envelope) => {
    const reply = message as Envelope<RaftKvMessage>;
    if (reply.type !== "KvReply" || reply.to !== "c0" || reply.status !== "ok") return message;
    const position = okReplies++;
    if (!lostReplies.includes(position)) return message;
    repliesLost++;
    return undefined;
  });
  for (let charge = 1; charge <= chargesCount; charge++) {
    kv.invoke(0, { op: "append", key: PAYMENT_ACCOUNT_KEY, value: `ch${charge};` });
    kv.runUntilIdle();
  }
  kv.sim.setTamper(undefined);
  kv.invoke(1, { op: "get", key: PAYMENT_ACCOUNT_KEY });
  kv.runUntilIdle();
  const history = kv.history();
  const read = history[history.length - 1];
  assert(read !== undefined && read.input.op === "get", "the run ends with the ledger read");
  const ledgerText = read.output.status === "ok" ? (read.output.value ?? "") : "";
  const ledger = ledgerText.split(";").filter((entry) => entry !== "");
  let doubleCharges = 0;
  for (let seq = 1; seq <= chargesCount; seq++) {
    doubleCharges += Math.max(0, kv.appliedCount(0, seq) - 1);
  }
  return {
    idempotencyKeys,
    chargesRequested: chargesCount,
    ledger,
    chargesApplied: ledger.length,
    doubleCharges,
    requestsSent: kv.client(0).requestsSent,
    repliesLost,
    verdict: checkOperations(kvModel, history).result,
    cluster: kv,
  };
}

/** Options of {@link paymentPartitionRun}. */
export interface PaymentPartitionOptions {
  /** Seed of the run. Default 1. */
  readonly seed?: number;
  /** Ledger servers (Raft members), 3 to 9. Default 5. */
  readonly servers?: number;
  /** Clients charging accounts. Default 3. */
  readonly clients?: number;
  /** How long the leader and the servers cut off with it stay cut off, in ms. Default 1500. */
  readonly partitionMs?: number;
}

/** What one {@link paymentPartitionRun} measured. */
export interface PaymentPartitionResult {
  /** Servers cut off with the old leader (a minority, the old leader first). */
  readonly minority: readonly number[];
  /** Entries the minority servers committed while cut off (0 is the CP promise). */
  readonly minorityCommits: number;
  /** "ok" answers minority servers sent to clients while cut off. */
  readonly minorityOkReplies: number;
  /** "wrongLeader" answers minority servers sent while cut off: refusals. */
  readonly minorityRefusals: number;
  /** Entries the old leader appended while cut off and that were never committed there. */
  readonly oldLeaderEntriesUncommitted: number;
  /** Entries the majority committed while the minority was cut off. */
  readonly majorityCommits: number;
  /** Writes acknowledged to clients while the partition lasted. */
  readonly writesAcknowledged: number;
  /** The longest time with no write acknowledged after the cut: the failover pause, in ms. */
  readonly failoverMs: number;
  /** The linearizability checker's verdict on the whole history. */
  readonly verdict: "ok" | "illegal" | "unknown";
}

const PARTITION_OPTIONS = ["seed", "servers", "clients", "partitionMs"] as const;
const CLIENT_THINK_MS = 10;

/**
 * Cuts the leader of a Raft ledger and one follower off from the rest (a minority), while clients
 * keep charging: client 0 always asks the old leader first, as a client behind a stale load
 * balancer would. Measures what each side did while cut off, the failover pause, and checks the
 * history. Clients still reach every server; only servers are cut from servers.
 *
 * @example
 * const run = paymentPartitionRun();
 * run.minorityCommits; // 0: the minority refuses
 * run.majorityCommits; // > 0: the majority carries on
 */
export function paymentPartitionRun(options: PaymentPartitionOptions = {}): PaymentPartitionResult {
  requireKnownOptions("paymentPartitionRun options", options, PARTITION_OPTIONS);
  const seed = requireIntegerAtLeast("seed", options.seed ?? 1, 0);
  const servers = integerOption("servers", options.servers, 5, 3, 9);
  const clients = integerOption("clients", options.clients, 3, 1, 26);
  const partitionMs = requireNumberAtLeast("partitionMs", options.partitionMs ?? 1_500, 1);

  const kv = new RaftKvCluster({ servers, clients, seed });
  kv.runFor(1_000);
  const oldLeader = kv.leader();
  assert(oldLeader !== -1, `a leader is elected within 1 s (seed ${seed})`);
  const minoritySize = Math.floor((servers - 1) / 2);
  const minority = Array.from({ length: minoritySize }, (_, i) => (oldLeader + i) % servers);
  const majority = Array.from({ length: servers }, (_, i) => i).filter(
    (i) => !minority.includes(i),
  );
  const commitIndex = (server: number): number => kv.server(server)?.raft.commitIndex ?? 0;
  const minorityIds = new Set(minority.map((server) => `s${server}`));

  let cut = true;
  let minorityOkReplies = 0;
  let minorityRefusals = 0;
  kv.sim.setTamper((message: Envelope) => {
    const reply = message as Envelope<RaftKvMessage>;
    if (cut && reply.type === "KvReply" && minorityIds.has(reply.from)) {
      if (reply.status === "ok") minorityOkReplies++;
      else minorityRefusals++;
    }
    return message;
  });

  const cutAtMs = kv.now;
  const healAtMs = cutAtMs + partitionMs;
  const minorityBefore = minority.map(commitIndex);
  const majorityBefore = Math.max(...majority.map(commitIndex));
  kv.partition([minority]);
  let charge = 0;
  const loop = (client: number): void => {
    if (kv.now >= healAtMs) return;
    if (!kv.busy(client)) {
      charge++;
      const input = { op: "append", key: `acct:${client}`, value: `ch${charge};` } as const;
      kv.invoke(client, input, client === 0 ? oldLeader : undefined);
    }
    kv.sim.schedule(CLIENT_THINK_MS, () => loop(client));
  };
  for (let client = 0; client < clients; client++) loop(client);
  kv.runFor(partitionMs);
  cut = false;
  const minorityCommits = minority
    .map((server, i) => commitIndex(server) - (minorityBefore[i] ?? 0))
    .reduce((sum, value) => sum + value, 0);
  const oldLeaderRaft = kv.server(oldLeader)?.raft;
  const oldLeaderEntriesUncommitted =
    oldLeaderRaft === undefined ? 0 : oldLeaderRaft.lastLogIndex() - oldLeaderRaft.commitIndex;
  const majorityCommits = Math.max(...majority.map(commitIndex)) - majorityBefore;
  kv.heal();
  kv.runUntilIdle();
  kv.sim.setTamper(undefined);

  const history = kv.history();
  const acknowledgedAt = history
    .filter((op) => op.input.op !== "get" && op.return >= cutAtMs && op.return < healAtMs)
    .map((op) => op.return)
    .sort((a, b) => a - b);
  let failoverMs = 0;
  let previousMs = cutAtMs;
  for (const at of [...acknowledgedAt, healAtMs]) {
    failoverMs = Math.max(failoverMs, at - previousMs);
    previousMs = at;
  }
  return {
    minority,
    minorityCommits,
    minorityOkReplies,
    minorityRefusals,
    oldLeaderEntriesUncommitted,
    majorityCommits,
    writesAcknowledged: acknowledgedAt.length,
    failoverMs,
    verdict: checkOperations(kvModel, history).result,
  };
}

/** Options of {@link paymentLatency}. */
export interface PaymentLatencyOptions {
  /** Seed of the run. Default 1. */
  readonly seed?: number;
  /** One-way latency between any two nodes, clients included, in ms (±50% jitter). Default 5. */
  readonly oneWayMs?: number;
  /** Cluster sizes to compare. Default [1, 3, 5]. */
  readonly serversCounts?: readonly number[];
  /** Charges each of the 2 clients makes. Default 50. */
  readonly writesPerClient?: number;
}

/** The write latency one cluster size gave. */
export interface PaymentLatencyRow {
  readonly servers: number;
  /** Followers a write waits for: a majority minus the leader. */
  readonly followersWaitedFor: number;
  readonly writeMsP50: number;
  readonly writeMsP99: number;
  readonly writeMsMax: number;
}

const LATENCY_OPTIONS = ["seed", "oneWayMs", "serversCounts", "writesPerClient"] as const;

/**
 * The price of the quorum round trip: the same charges against a 1-server store (no replication:
 * client to server and back) and against 3 and 5 servers (the leader also waits for a majority),
 * with every link's one-way latency set to `oneWayMs`.
 *
 * @example
 * paymentLatency({ oneWayMs: 5 }).map((row) => row.writeMsP50); // about [10, 20, 20]
 */
export function paymentLatency(options: PaymentLatencyOptions = {}): PaymentLatencyRow[] {
  requireKnownOptions("paymentLatency options", options, LATENCY_OPTIONS);
  const seed = requireIntegerAtLeast("seed", options.seed ?? 1, 0);
  const oneWayMs = requireNumberAtLeast("oneWayMs", options.oneWayMs ?? 5, 0);
  if (oneWayMs > 50) {
    // Raft's election timeouts here are 300-600 ms: slower links would trigger elections.
    throw invalidArgument("oneWayMs", "a number in [0, 50]", oneWayMs);
  }
  const serversCounts = options.serversCounts ?? [1, 3, 5];
  if (!Array.isArray(serversCounts) || serversCounts.length === 0) {
    throw invalidArgument("serversCounts", "a non-empty array of cluster sizes", serversCounts);
  }
  serversCounts.forEach((count, i) => integerOption(`serversCounts[${i}]`, count, 1, 1, 9));
  const writesPerClient = integerOption("writesPerClient", options.writesPerClient, 50, 1, 10_000);

  return serversCounts.map((servers) => {
    const kv = new RaftKvCluster({ servers, clients: 2, seed });
    kv.sim.configureNetwork({
      latency: { kind: "uniform", minMs: oneWayMs * 0.5, maxMs: oneWayMs * 1.5 },
    });
    kv.runFor(1_000);
    const done = [0, 0];
    const loop = (client: number): void => {
      if ((done[client] ?? 0) >= writesPerClient) return;
      if (!kv.busy(client)) {
        done[client] = (done[client] ?? 0) + 1;
        kv.invoke(client, { op: "append", key: `acct:${client}`, value: "ch;" });
      }
      kv.sim.schedule(1, () => loop(client));
    };
    loop(0);
    loop(1);
    kv.runFor(1);
    kv.runUntilIdle();
    while ((done[0] ?? 0) < writesPerClient || (done[1] ?? 0) < writesPerClient) {
      kv.runFor(10);
      kv.runUntilIdle();
    }
    const latencies = kv
      .history()
      .map((op) => op.return - op.call)
      .sort((a, b) => a - b);
    return {
      servers,
      followersWaitedFor: Math.floor(servers / 2),
      writeMsP50: quantile(latencies, 0.5),
      writeMsP99: quantile(latencies, 0.99),
      writeMsMax: latencies[latencies.length - 1] as number,
    };
  });
}

/** A short arrow label for the client's messages: the charge, its session ids, the answer. */
function chargeLabel(message: Envelope): string {
  const m = message as Envelope<RaftKvMessage>;
  if (m.type === "KvRequest") {
    const value = m.input.op === "get" ? "" : ` ${m.input.value.replace(";", "")}`;
    return `${m.input.op}${value} (client ${m.clientId}, seq ${m.seq})`;
  }
  if (m.type === "KvReply") return `${m.status} (seq ${m.seq})`;
  return message.type;
}

/**
 * The first charge of a {@link paymentChargeRun} made with a trace, as a sequence diagram of the
 * client's requests and the servers' answers (lost answers drawn as lost).
 *
 * @example
 * show(paymentChargeSequence(paymentChargeRun({ idempotencyKeys: true, traceEventsMax: 5000 })));
 */
export function paymentChargeSequence(result: PaymentChargeResult, title?: string): RichOutput {
  const trace = result.cluster.sim.trace;
  if (trace.length === 0) {
    throw invalidArgument("result", "a run made with traceEventsMax > 0", "a run without trace");
  }
  const first = result.cluster.history()[0];
  assert(first !== undefined, "a charge run makes at least one charge");
  const events = trace.filter((event) => {
    if (event.kind !== "send" && event.kind !== "deliver" && event.kind !== "drop") return false;
    if (event.timeMs < first.call || event.timeMs > first.return) return false;
    const message = event.message as Envelope<RaftKvMessage>;
    if (message.type !== "KvRequest" && message.type !== "KvReply") return false;
    return message.clientId === first.clientId && message.seq === 1;
  });
  const servers = Array.from({ length: result.cluster.servers }, (_, i) => `s${i}`);
  return sequence(events, {
    participants: ["c0", ...servers],
    label: chargeLabel,
    ...(title === undefined ? {} : { title }),
  });
}
