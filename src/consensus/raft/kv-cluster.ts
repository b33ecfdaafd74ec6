// RaftKvCluster: key-value servers on Raft and their clients on one simulation, with fault
// controls, workloads and the history for the linearizability checker (thesis §6.3, §6.4).

import {
  assert,
  integerOption,
  invalidArgument,
  requireIntegerAtLeast,
  requireKnownOptions,
  requireNumberAtLeast,
  requireProbability,
} from "../../sim/assert.js";
import type { ClockSettings } from "../../sim/clock.js";
import { Random } from "../../sim/random.js";
import { partitionAmong } from "../../sim/partition-among.js";
import { Simulation } from "../../sim/simulation.js";
import type { LinkOptions, NodeId } from "../../sim/types.js";
import type { KvInput, KvOutput } from "../../consistency/linearizability/models.js";
import type { Operation } from "../../consistency/linearizability/types.js";
import { runCheckedUntil } from "./checked-run.js";
import { RaftInvariantChecker } from "./invariants.js";
import {
  RAFT_KV_READ_PATHS,
  type RaftKvCommand,
  RaftKvClient,
  type RaftKvMessage,
  type RaftKvReadPath,
  RaftKvServer,
} from "./kv.js";
import type { RaftLogEntry, RaftMessage, RaftSnapshot } from "./types.js";

/** How a {@link RaftKvCluster} is set up. */
export interface RaftKvClusterOptions {
  /** Number of key-value servers (Raft's voting members), numbered 0 .. servers - 1. */
  readonly servers: number;
  /** Number of clients, numbered 0 .. clients - 1 (their clientId). */
  readonly clients: number;
  /** Seed of the run: same seed and same script, same run. */
  readonly seed: number;
  /** How gets are served (default "log"); see {@link RaftKvReadPath}. */
  readonly reads?: RaftKvReadPath;
  /** A reliable network (default true); see {@link RaftKvCluster.setReliable}. */
  readonly reliable?: boolean;
  /** Raft log compaction (§7): a snapshot after this many applied entries. Default 0: never. */
  readonly snapshotEvery?: number;
  /** The "break it" switch: false applies retried commands again. Default true. */
  readonly deduplicate?: boolean;
  /**
   * For reads "lease": the clock rate error the lease assumes, e.g. 0.01 (1%). Default 0.01.
   * The lease is safe while every two servers' clocks differ in rate by less than this.
   */
  readonly driftBound?: number;
  /** Trace capacity of the simulation (0, the default, keeps no trace). */
  readonly traceEventsMax?: number;
}

/** A random workload of {@link RaftKvCluster.startWorkload}. */
export interface RaftKvWorkloadOptions {
  /** Clients stop invoking new operations after this many ms of virtual time from now. */
  readonly durationMs: number;
  /** Keys are "k0" .. "k{keysCount - 1}". Default 3. */
  readonly keysCount?: number;
  /** Each client waits 0 .. thinkMsMax ms between operations. Default 20. */
  readonly thinkMsMax?: number;
  /** Probability of a get (the rest: 1 in 4 puts, 3 in 4 appends). Default 0.4. */
  readonly getProbability?: number;
  /**
   * Probability that an operation is sent first to a random server rather than to the client's
   * last leader (a stale cache, a load balancer): it exercises deposed leaders. Default 0.1.
   */
  readonly randomServerProbability?: number;
}

const KNOWN_OPTIONS = [
  "servers",
  "clients",
  "seed",
  "reads",
  "reliable",
  "snapshotEvery",
  "deduplicate",
  "driftBound",
  "traceEventsMax",
];
const KNOWN_WORKLOAD_OPTIONS = [
  "durationMs",
  "keysCount",
  "thinkMsMax",
  "getProbability",
  "randomServerProbability",
];

/** Timing as in {@link RaftHarness}: heartbeats 10 per second, elections after 300-600 ms. */
const HEARTBEAT_MS = 100;
const ELECTION_TIMEOUT_MS_MIN = 300;
const ELECTION_TIMEOUT_MS_MAX = 600;
const ENTRIES_PER_APPEND_MAX = 64;
const REQUEST_TIMEOUT_MS = 200;
const RETRY_BACKOFF_MS = 50;
const DRIFT_BOUND_DEFAULT = 0.01;

/** One operation as the cluster records it (output undefined while it has not returned). */
interface Recorded {
  readonly clientId: number;
  readonly input: KvInput;
  readonly call: number;
  output: KvOutput | undefined;
  returnMs: number;
}

/**
 * A replicated key-value store under test: `servers` {@link RaftKvServer}s ("s0", "s1", ...,
 * Raft's members) and `clients` {@link RaftKvClient}s ("c0", "c1", ..., not members) on one
 * simulation. Raft's invariant checker runs after every event. Faults cut servers from servers
 * only: clients reach every server, so a partitioned old leader is still asked.
 *
 * @example
 * const kv = new RaftKvCluster({ servers: 3, clients: 2, seed: 1, reads: "readIndex" });
 * kv.invoke(0, { op: "append", key: "x", value: "a" });
 * kv.invoke(1, { op: "get", key: "x" });
 * kv.runUntilIdle();
 * checkOperations(kvModel, kv.history()).result; // "ok"
 * kv.appliedCount(0, 1); // 1: the append took effect at exactly one log index
 */
export class RaftKvCluster {
  /** The simulation the cluster runs on (for traces, diagrams and scripted faults). */
  readonly sim: Simulation<RaftMessage | RaftKvMessage>;
  readonly seed: number;
  readonly reads: RaftKvReadPath;
  private readonly serverIds: NodeId[];
  private readonly clientIds: NodeId[];
  private readonly checker: RaftInvariantChecker;
  /** "clientId:seq" -> log indices where that command took effect on some server. */
  private readonly effects = new Map<string, Set<number>>();
  private readonly operations: Recorded[] = [];
  /** Per client, the index in `operations` of its outstanding operation, or -1. */
  private readonly outstanding: number[];
  /** Per client, what the workload does once its outstanding operation returns. */
  private readonly returnHooks = new Map<number, () => void>();
  private readonly workloadRandom: Random;
  private reliable: boolean;

  constructor(options: RaftKvClusterOptions) {
    const known = requireKnownOptions("RaftKvCluster options", options, KNOWN_OPTIONS);
    const servers = requireIntegerAtLeast("servers", known.servers, 1);
    const clients = requireIntegerAtLeast("clients", known.clients, 1);
    this.seed = requireIntegerAtLeast("seed", known.seed, 0);
    const reads = known.reads ?? "log";
    if (!RAFT_KV_READ_PATHS.includes(reads as RaftKvReadPath)) {
      const allowed = RAFT_KV_READ_PATHS.map((r) => `"${r}"`).join(", ");
      throw invalidArgument("reads", `one of ${allowed}`, reads);
    }
    this.reads = reads as RaftKvReadPath;
    const reliable = known.reliable ?? true;
    if (typeof reliable !== "boolean") throw invalidArgument("reliable", "true or false", reliable);
    const deduplicate = known.deduplicate ?? true;
    if (typeof deduplicate !== "boolean") {
      throw invalidArgument("deduplicate", "true or false", deduplicate);
    }
    const driftBound = known.driftBound ?? DRIFT_BOUND_DEFAULT;
    if (typeof driftBound !== "number" || !(driftBound >= 0 && driftBound < 1)) {
      throw invalidArgument("driftBound", "a number in [0, 1)", driftBound);
    }
    const snapshotEvery = integerOption("snapshotEvery", known.snapshotEvery, 0, 0);
    const traceEventsMax = integerOption("traceEventsMax", known.traceEventsMax, 0, 0);
    this.reliable = reliable;
    this.sim = new Simulation<RaftMessage | RaftKvMessage>({ seed: this.seed, traceEventsMax });
    this.checker = new RaftInvariantChecker(this.seed);
    this.workloadRandom = new Random((this.seed * 7919 + 17) >>> 0);
    this.serverIds = Array.from({ length: servers }, (_, i) => `s${i}`);
    this.clientIds = Array.from({ length: clients }, (_, i) => `c${i}`);
    this.outstanding = this.clientIds.map(() => -1);
    this.configureNetwork();
    const members = this.serverIds;
    for (const id of this.serverIds) {
      this.sim.addNode(
        id,
        () =>
          new RaftKvServer({
            electionTimeoutMsMin: ELECTION_TIMEOUT_MS_MIN,
            electionTimeoutMsMax: ELECTION_TIMEOUT_MS_MAX,
            heartbeatMs: HEARTBEAT_MS,
            entriesPerAppendMax: ENTRIES_PER_APPEND_MAX,
            unsafeCommitOldTerms: false,
            snapshotEvery,
            members,
            appendNoOpOnElection: true,
            preVote: true,
            checkQuorum: true,
            ...(this.reads === "lease" ? { leaseReads: { driftBound } } : {}),
            reads: this.reads,
            deduplicate,
            onApply: (server, index, entry, currentTerm) =>
              this.recordApply(server, index, entry, currentTerm),
            onSnapshot: (server, snapshot) => this.recordSnapshot(server, snapshot),
            onEffect: (_server, index, command) => this.recordEffect(index, command),
          }),
      );
    }
    this.clientIds.forEach((id, clientId) => {
      this.sim.addNode(
        id,
        () =>
          new RaftKvClient({
            clientId,
            servers: this.serverIds,
            requestTimeoutMs: REQUEST_TIMEOUT_MS,
            retryBackoffMs: RETRY_BACKOFF_MS,
            onReturn: (client, _seq, value) => this.recordReturn(client, value),
          }),
      );
    });
  }

  /** Number of servers. */
  get servers(): number {
    return this.serverIds.length;
  }

  /** Number of clients. */
  get clients(): number {
    return this.clientIds.length;
  }

  /** Virtual time in ms. */
  get now(): number {
    return this.sim.now;
  }

  /** The running key-value server (undefined while crashed), for inspection. */
  server(server: number): RaftKvServer | undefined {
    return this.sim.processOf(this.serverId(server)) as RaftKvServer | undefined;
  }

  /** The client process, for inspection (clients never crash). */
  client(client: number): RaftKvClient {
    return this.sim.processOf(this.clientId(client)) as RaftKvClient;
  }

  /** The running server that is leader in the highest term any running server knows, or -1. */
  leader(): number {
    let leader = -1;
    let termMax = -1;
    for (let i = 0; i < this.servers; i++) {
      const raft = this.server(i)?.raft;
      if (raft === undefined) continue;
      if (raft.currentTerm > termMax) {
        termMax = raft.currentTerm;
        leader = -1;
      }
      if (raft.role === "leader" && raft.currentTerm === termMax) leader = i;
    }
    return leader;
  }

  // ------------------------------------------------------------------ clients and workloads

  /**
   * Client `client` (idle) starts `input` now; its call time is recorded. `server` is the server
   * it asks first (default: the last that answered it). Returns the operation's index in history().
   */
  invoke(client: number, input: KvInput, server?: number): number {
    const id = this.clientId(client);
    if (this.outstanding[client] !== -1) {
      throw invalidArgument("invoke(client)", "an idle client", `${client} (busy)`);
    }
    if (server !== undefined) this.serverId(server);
    const index = this.operations.length;
    this.operations.push({
      clientId: client,
      input,
      call: this.now,
      output: undefined,
      returnMs: Infinity,
    });
    this.outstanding[client] = index;
    this.sim.withNode(id, (ctx, process) => (process as RaftKvClient).invoke(ctx, input, server));
    return index;
  }

  /** True while `client` waits for an answer. */
  busy(client: number): boolean {
    this.clientId(client);
    return this.outstanding[client] !== -1;
  }

  /**
   * Every client invokes random operations, one after the other with random think times, for
   * `durationMs` from now (drive time with {@link runFor}). Values are unique ("c{client}.{n}"),
   * so a lost or doubled append shows in every later get.
   */
  startWorkload(options: RaftKvWorkloadOptions): void {
    const known = requireKnownOptions("workload options", options, KNOWN_WORKLOAD_OPTIONS);
    const durationMs = requireNumberAtLeast("durationMs", known.durationMs, 0);
    const keysCount = integerOption("keysCount", known.keysCount, 3, 1);
    const thinkMsMax = integerOption("thinkMsMax", known.thinkMsMax, 20, 0);
    const getProbability = requireProbability("getProbability", known.getProbability ?? 0.4);
    const randomServerProbability = requireProbability(
      "randomServerProbability",
      known.randomServerProbability ?? 0.1,
    );
    const endMs = this.now + durationMs;
    const random = this.workloadRandom;
    const next = (client: number): void => {
      if (this.now >= endMs) return;
      if (this.busy(client)) {
        this.sim.schedule(thinkMsMax + 1, () => next(client));
        return;
      }
      const key = `k${random.int(0, keysCount - 1)}`;
      const value = `c${client}.${this.operations.length};`;
      const input: KvInput = random.chance(getProbability)
        ? { op: "get", key }
        : random.chance(0.25)
          ? { op: "put", key, value }
          : { op: "append", key, value };
      const server = random.chance(randomServerProbability)
        ? random.int(0, this.servers - 1)
        : undefined;
      this.invoke(client, input, server);
      this.afterReturn(client, () =>
        this.sim.schedule(random.int(0, thinkMsMax), () => next(client)),
      );
    };
    for (let client = 0; client < this.clients; client++) {
      this.sim.schedule(random.int(0, thinkMsMax), () => next(client));
    }
  }

  /**
   * The history so far, in the checker's vocabulary (`kvModel`): call and return in virtual ms;
   * an operation still waiting has `return: Infinity` and an unknown outcome.
   */
  history(): Operation<KvInput, KvOutput>[] {
    return this.operations.map((op) => ({
      clientId: op.clientId,
      input: op.input,
      call: op.call,
      output: op.output ?? { status: "unknown" },
      return: op.returnMs,
    }));
  }

  /**
   * At how many distinct log indices the command (clientId, seq) took effect on any server:
   * 1 for each acknowledged write with deduplication (0 if it never reached the log), 2 or more
   * when a retry was applied again.
   */
  appliedCount(clientId: number, seq: number): number {
    this.clientId(clientId);
    requireIntegerAtLeast("seq", seq, 1);
    return this.effects.get(`${clientId}:${seq}`)?.size ?? 0;
  }

  /** Commands that took effect at more than one log index (0 with deduplication). */
  duplicatesCount(): number {
    let count = 0;
    for (const indices of this.effects.values()) count += indices.size - 1;
    return count;
  }

  /** Requests clients sent, retries included (at least one per operation). */
  requestsSent(): number {
    let sent = 0;
    for (let client = 0; client < this.clients; client++) sent += this.client(client).requestsSent;
    return sent;
  }

  // ------------------------------------------------------------------ faults

  /**
   * Cuts servers into disjoint groups that cannot reach each other (servers in no group form one
   * more; a server listed twice in one group counts once); clients still reach every server.
   * Replaces any earlier partition.
   */
  partition(groups: readonly (readonly number[])[]): void {
    partitionAmong(this.sim, this.serverIds, groups, (server) => this.serverId(server), "servers");
  }

  /** Cuts `server` off from every other server (clients still reach it). */
  isolate(server: number): void {
    this.partition([[server]]);
  }

  /** Removes every partition. */
  heal(): void {
    this.sim.heal();
  }

  /** Crashes `server`: volatile state is lost, its stable storage stays. */
  crash(server: number): void {
    const id = this.serverId(server);
    if (!this.sim.isUp(id)) throw invalidArgument("crash(server)", "a running server", server);
    this.sim.crash(id);
  }

  /** Restarts a crashed `server` from its stable storage (snapshot and log). */
  restart(server: number): void {
    const id = this.serverId(server);
    if (this.sim.isUp(id)) throw invalidArgument("restart(server)", "a crashed server", server);
    this.sim.restart(id);
  }

  /** True unless `server` is crashed. */
  isUp(server: number): boolean {
    return this.sim.isUp(this.serverId(server));
  }

  /** Sets a server's clock offset and/or drift (driftPpm -500000: it runs at half speed). */
  setClock(server: number, settings: ClockSettings): void {
    this.sim.setClock(this.serverId(server), settings);
  }

  /** Unreliable: 10% of messages lost, 5% duplicated, 0-27 ms delays, reordered (all links). */
  setReliable(reliable: boolean): void {
    if (typeof reliable !== "boolean") throw invalidArgument("reliable", "true or false", reliable);
    this.reliable = reliable;
    this.configureNetwork();
  }

  // ------------------------------------------------------------------ running

  /** Runs for `ms` of virtual time, checking Raft's invariants after every event. */
  runFor(ms: number): void {
    requireNumberAtLeast("ms", ms, 0);
    this.runUntil(() => false, ms);
  }

  /**
   * Runs until no client waits for an answer; throws (naming the seed) if some still wait after
   * `timeMsMax` of virtual time. Heal and restart first if the faults forbid progress.
   */
  runUntilIdle(timeMsMax = 30_000): void {
    requireNumberAtLeast("timeMsMax", timeMsMax, 0);
    const idle = () => this.outstanding.every((index) => index === -1);
    if (!this.runUntil(idle, timeMsMax)) {
      const busy = this.outstanding.flatMap((index, client) => (index === -1 ? [] : [client]));
      throw new Error(
        `runUntilIdle: clients [${busy.join(", ")}] still wait after ${timeMsMax} ms ` +
          `(seed ${this.seed}, t=${this.now} ms)`,
      );
    }
  }

  // ------------------------------------------------------------------ internals

  /** Runs `hook` once the client's outstanding operation returns. */
  private afterReturn(client: number, hook: () => void): void {
    this.returnHooks.set(client, hook);
  }

  private runUntil(done: () => boolean, timeMs: number): boolean {
    return runCheckedUntil(this.sim, () => this.check(), done, timeMs);
  }

  private check(): void {
    this.checker.check(this.serverIds.map((id) => this.processRaft(id)));
  }

  private processRaft(id: NodeId) {
    return (this.sim.processOf(id) as RaftKvServer | undefined)?.raft;
  }

  private recordReturn(client: number, value: string | undefined): void {
    const index = this.outstanding[client] ?? -1;
    assert(index !== -1, "only an outstanding operation returns");
    const operation = this.operations[index] as Recorded;
    operation.output =
      operation.input.op === "get" ? { status: "ok", value: value ?? "" } : { status: "ok" };
    operation.returnMs = this.now;
    this.outstanding[client] = -1;
    const hook = this.returnHooks.get(client);
    this.returnHooks.delete(client);
    hook?.();
  }

  private recordEffect(index: number, command: RaftKvCommand): void {
    const key = `${command.clientId}:${command.seq}`;
    const indices = this.effects.get(key);
    if (indices === undefined) this.effects.set(key, new Set([index]));
    else indices.add(index);
  }

  private recordApply(id: NodeId, index: number, entry: RaftLogEntry, currentTerm: number): void {
    const server = this.serverIds.indexOf(id);
    assert(server >= 0, "only servers apply");
    this.checker.recordApply(server, index, entry, currentTerm);
  }

  private recordSnapshot(id: NodeId, snapshot: RaftSnapshot): void {
    const server = this.serverIds.indexOf(id);
    assert(server >= 0, "only servers install snapshots");
    this.checker.recordSnapshot(server, snapshot);
  }

  private serverId(server: number): NodeId {
    requireIntegerAtLeast("server", server, 0);
    const id = this.serverIds[server];
    if (id === undefined) {
      throw invalidArgument("server", `an index in [0, ${this.servers - 1}]`, server);
    }
    return id;
  }

  private clientId(client: number): NodeId {
    requireIntegerAtLeast("client", client, 0);
    const id = this.clientIds[client];
    if (id === undefined) {
      throw invalidArgument("client", `an index in [0, ${this.clients - 1}]`, client);
    }
    return id;
  }

  private configureNetwork(): void {
    const network: LinkOptions = {
      latency: this.reliable
        ? { kind: "uniform", minMs: 1, maxMs: 5 }
        : { kind: "uniform", minMs: 0, maxMs: 27 },
      dropProbability: this.reliable ? 0 : 0.1,
      duplicateProbability: this.reliable ? 0 : 0.05,
      reorder: !this.reliable,
    };
    this.sim.configureNetwork(network);
  }
}
