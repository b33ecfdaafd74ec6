// RaftHarness: a Raft cluster on the simulator with the API of the well-known lab tester, in
// virtual time and deterministic per seed; Raft's safety properties are checked after every event.

import {
  assert,
  describeValue,
  integerOption,
  invalidArgument,
  requireIntegerAtLeast,
  requireKnownOptions,
  requireNumberAtLeast,
} from "../../sim/assert.js";
import { Simulation } from "../../sim/simulation.js";
import type { LinkOptions, NodeId } from "../../sim/types.js";
import { runCheckedUntil } from "./checked-run.js";
import { RaftInvariantChecker } from "./invariants.js";
import { RaftServer } from "./server.js";
import type {
  RaftLogEntry,
  RaftMessage,
  RaftReadResult,
  RaftSnapshot,
  RaftStartResult,
} from "./types.js";

/** How a {@link RaftHarness} is set up. */
export interface RaftHarnessOptions {
  /** Number of servers, numbered 0 .. servers - 1. */
  readonly servers: number;
  /** Seed of the run: same seed and same script, same run. */
  readonly seed: number;
  /** A reliable network (default true); see {@link RaftHarness.setReliable}. */
  readonly reliable?: boolean;
  /** The Figure 8 bug on purpose: commit old-term entries by counting replicas. Default false. */
  readonly unsafeCommitOldTerms?: boolean;
  /** Trace capacity of the simulation (0, the default, keeps no trace). */
  readonly traceEventsMax?: number;
  /**
   * Log compaction (§7): each server snapshots its state machine after applying this many entries
   * since its last snapshot, and discards the log up to there. Default 0: never.
   */
  readonly snapshotEvery?: number;
  /** Pre-vote (thesis §9.6). Default false: Figure 2 as the paper states it. */
  readonly preVote?: boolean;
  /** Check-quorum (thesis §6.2, §9.6). Default false. */
  readonly checkQuorum?: boolean;
  /** Leader leases for {@link RaftHarness.leaseRead} (needs checkQuorum); see RaftServerOptions. */
  readonly leaseReads?: { readonly driftBound: number };
  /** A new leader appends a no-op entry (thesis §6.4). Default false, as the lab expects. */
  readonly appendNoOpOnElection?: boolean;
  /**
   * How many servers (0 .. members - 1) are voting members at the start; the others wait, outside
   * the configuration, until {@link RaftHarness.changeMembership} adds them. Default: all.
   */
  readonly members?: number;
  /** A leader sends a burst of `start`s in one AppendEntries per follower. Default false. */
  readonly batchAppends?: boolean;
}

const KNOWN_OPTIONS = [
  "servers",
  "seed",
  "reliable",
  "unsafeCommitOldTerms",
  "traceEventsMax",
  "snapshotEvery",
  "preVote",
  "checkQuorum",
  "leaseReads",
  "appendNoOpOnElection",
  "members",
  "batchAppends",
];

function booleanOption(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") throw invalidArgument(name, "true or false", value);
  return value;
}

/** Heartbeats at most 10 per second and election timeouts well above them, as the lab asks. */
const HEARTBEAT_MS = 100;
const ELECTION_TIMEOUT_MS_MIN = 300;
const ELECTION_TIMEOUT_MS_MAX = 600;
const ENTRIES_PER_APPEND_MAX = 64;
const LEADER_WAIT_MS_MAX = 5_000;
const ONE_TIME_MS_MAX = 10_000;
const COMMIT_WAIT_MS_MAX = 2_000;

/**
 * A Raft cluster under test, with the lab tester's API (servers numbered from 0, simulator node
 * ids "s0", "s1", ...; all times are virtual ms). Every event of every run is followed by the
 * invariant checker, which throws an InvariantViolation naming the seed.
 *
 * @example
 * const h = new RaftHarness({ servers: 3, seed: 1 });
 * const leader = h.checkOneLeader();
 * h.one("x", 3, false); // 1: committed at index 1 on all three servers
 * h.disconnect(leader);
 * h.checkOneLeader(); // another server takes over
 *
 * @example
 * // Log compaction (§7): a snapshot after every 10 applied entries keeps the log short.
 * const c = new RaftHarness({ servers: 3, seed: 1, snapshotEvery: 10 });
 * for (let k = 0; k < 100; k++) c.one(k, 3, false);
 * c.server(0)?.snapshotIndex; // 100
 * c.logSize(0); // a few bytes: term, vote and an empty log after the snapshot
 */
export class RaftHarness {
  /** The simulation the servers run on (for traces and diagrams). */
  readonly sim: Simulation<RaftMessage>;
  readonly seed: number;
  private readonly ids: NodeId[];
  private readonly connected: boolean[];
  /** Per server, the commands it applied by index (kept across crashes, as the lab's tester does). */
  private readonly appliedBy: Map<number, unknown>[];
  private readonly checker: RaftInvariantChecker;
  private reliable: boolean;
  private longReordering = false;

  constructor(options: RaftHarnessOptions) {
    const known = requireKnownOptions("RaftHarness options", options, KNOWN_OPTIONS);
    const servers = requireIntegerAtLeast("servers", known.servers, 1);
    this.seed = requireIntegerAtLeast("seed", known.seed, 0);
    const reliable = known.reliable ?? true;
    if (typeof reliable !== "boolean") throw invalidArgument("reliable", "true or false", reliable);
    const unsafe = known.unsafeCommitOldTerms ?? false;
    if (typeof unsafe !== "boolean") {
      throw invalidArgument("unsafeCommitOldTerms", "true or false", unsafe);
    }
    const traceEventsMax = integerOption("traceEventsMax", known.traceEventsMax, 0, 0);
    const snapshotEvery = integerOption("snapshotEvery", known.snapshotEvery, 0, 0);
    const members = integerOption("members", known.members, servers, 1);
    if (members > servers) {
      throw invalidArgument("members", `an integer in [1, ${servers}] (servers)`, members);
    }
    const preVote = booleanOption("preVote", known.preVote);
    const checkQuorum = booleanOption("checkQuorum", known.checkQuorum);
    const appendNoOpOnElection = booleanOption("appendNoOpOnElection", known.appendNoOpOnElection);
    const batchAppends = booleanOption("batchAppends", known.batchAppends);
    // RaftServer checks the shape and the bound (and that checkQuorum is on).
    const leaseReads = known.leaseReads as RaftHarnessOptions["leaseReads"];
    this.reliable = reliable;
    this.sim = new Simulation<RaftMessage>({ seed: this.seed, traceEventsMax });
    this.checker = new RaftInvariantChecker(this.seed);
    this.ids = Array.from({ length: servers }, (_, i) => `s${i}`);
    this.connected = this.ids.map(() => true);
    this.appliedBy = this.ids.map(() => new Map());
    this.configureNetwork();
    const onApply = (id: NodeId, index: number, entry: RaftLogEntry, currentTerm: number) =>
      this.recordApply(id, index, entry, currentTerm);
    const onSnapshot = (id: NodeId, snapshot: RaftSnapshot) => this.recordSnapshot(id, snapshot);
    for (const id of this.ids) {
      this.sim.addNode(
        id,
        () =>
          new RaftServer({
            electionTimeoutMsMin: ELECTION_TIMEOUT_MS_MIN,
            electionTimeoutMsMax: ELECTION_TIMEOUT_MS_MAX,
            heartbeatMs: HEARTBEAT_MS,
            entriesPerAppendMax: ENTRIES_PER_APPEND_MAX,
            onApply,
            unsafeCommitOldTerms: unsafe,
            snapshotEvery,
            onSnapshot,
            members: this.ids.slice(0, members),
            preVote,
            checkQuorum,
            appendNoOpOnElection,
            batchAppends,
            ...(leaseReads === undefined ? {} : { leaseReads }),
          }),
      );
    }
  }

  /** Number of servers. */
  get servers(): number {
    return this.ids.length;
  }

  /** Virtual time in ms. */
  get now(): number {
    return this.sim.now;
  }

  /** The running server process (undefined while crashed), for inspection. */
  server(server: number): RaftServer | undefined {
    return this.sim.processOf(this.idOf(server)) as RaftServer | undefined;
  }

  // ------------------------------------------------------------------ checks of the lab tester

  /**
   * Runs until exactly one connected server is leader, in the highest term of the connected
   * servers, and returns it: a deposed leader that has not heard of the new term yet is waited out.
   * Throws if there is none within 5 s of virtual time.
   */
  checkOneLeader(): number {
    let leader = -1;
    const found = this.runUntil(() => {
      leader = this.currentLeader();
      return leader !== -1;
    }, LEADER_WAIT_MS_MAX);
    if (!found) {
      throw new Error(
        `checkOneLeader: no single leader among connected servers ${this.liveList()} after ` +
          `${LEADER_WAIT_MS_MAX} ms (seed ${this.seed}, t=${this.now} ms)`,
      );
    }
    return leader;
  }

  /** Throws if any connected, running server thinks it is leader. */
  checkNoLeader(): void {
    for (let i = 0; i < this.servers; i++) {
      if (this.isLive(i) && this.getState(i).isLeader) {
        throw new Error(
          `checkNoLeader: server ${i} is leader in term ${this.getState(i).term} although it ` +
            `should not be (seed ${this.seed}, t=${this.now} ms)`,
        );
      }
    }
  }

  /** All connected, running servers agree on the term: returns it, or throws. */
  checkTerms(): number {
    let term = -1;
    for (let i = 0; i < this.servers; i++) {
      if (!this.isLive(i)) continue;
      const mine = this.getState(i).term;
      if (term === -1) term = mine;
      else if (mine !== term) {
        throw new Error(
          `checkTerms: servers disagree on the term (${this.termsList()}) (seed ${this.seed}, ` +
            `t=${this.now} ms)`,
        );
      }
    }
    return term;
  }

  /**
   * Submits `command` to whichever server is leader until it is committed on at least
   * `expectedServers` servers, and returns its index. With `retry`, a command that was not
   * committed within 2 s is submitted again; without it, that is an error. Gives up after 10 s.
   */
  one(command: unknown, expectedServers: number, retry: boolean): number {
    requireIntegerAtLeast("expectedServers", expectedServers, 1);
    if (expectedServers > this.servers) {
      throw invalidArgument(
        "expectedServers",
        `an integer in [1, ${this.servers}]`,
        expectedServers,
      );
    }
    const deadlineMs = this.now + ONE_TIME_MS_MAX;
    const wanted = JSON.stringify(command);
    let starts = 0;
    while (this.now < deadlineMs) {
      let index = -1;
      for (let k = 0; k < this.servers; k++) {
        starts = (starts + 1) % this.servers;
        if (!this.isLive(starts)) continue;
        const result = this.start(starts, command);
        if (result.isLeader) {
          index = result.index;
          break;
        }
      }
      if (index !== -1) {
        let committed = false;
        this.runUntil(() => {
          const { count, command: found } = this.nCommitted(index);
          committed = count >= expectedServers && JSON.stringify(found) === wanted;
          return committed;
        }, COMMIT_WAIT_MS_MAX);
        if (committed) return index;
        if (!retry) {
          throw new Error(
            `one(${describeValue(command)}): not committed on ${expectedServers} servers within ` +
              `${COMMIT_WAIT_MS_MAX} ms (seed ${this.seed}, t=${this.now} ms)`,
          );
        }
      } else {
        this.advance(50);
      }
    }
    throw new Error(
      `one(${describeValue(command)}): no agreement within ${ONE_TIME_MS_MAX} ms ` +
        `(seed ${this.seed}, t=${this.now} ms)`,
    );
  }

  /** How many servers applied an entry at `index`, and its command (undefined if none). */
  nCommitted(index: number): { count: number; command: unknown } {
    requireIntegerAtLeast("index", index, 1);
    let count = 0;
    let command: unknown = undefined;
    for (const applied of this.appliedBy) {
      if (!applied.has(index)) continue;
      count++;
      command = applied.get(index);
    }
    return { count, command };
  }

  // ------------------------------------------------------------------ acting on servers

  /** Asks `server` to start agreement on `command` (the lab's Start); only a leader accepts it. */
  start(server: number, command: unknown): RaftStartResult {
    const id = this.idOf(server);
    const result = this.sim.withNode(id, (ctx, process) =>
      (process as RaftServer).start(ctx, command),
    );
    this.check();
    return result;
  }

  /** The server's term and whether it believes it is leader (a crashed server: stored term). */
  getState(server: number): { term: number; isLeader: boolean } {
    const id = this.idOf(server);
    const process = this.sim.processOf(id) as RaftServer | undefined;
    if (process === undefined) {
      const term = this.sim.storageOf(id).get("currentTerm");
      return { term: typeof term === "number" ? term : 0, isLeader: false };
    }
    return { term: process.currentTerm, isLeader: process.role === "leader" };
  }

  /** Cuts `server` off: it reaches no one and no one reaches it, until {@link connect}. */
  disconnect(server: number): void {
    this.idOf(server);
    this.connected[server] = false;
    this.applyPartition();
  }

  /** Reconnects `server` to every other connected server. */
  connect(server: number): void {
    this.idOf(server);
    this.connected[server] = true;
    this.applyPartition();
  }

  /**
   * Crashes `server`: volatile state is lost, its stable storage (term, vote, log) stays. Unlike
   * the lab's crash1, connectivity is left alone: {@link disconnect} separately if needed.
   */
  crash(server: number): void {
    const id = this.idOf(server);
    if (!this.sim.isUp(id)) throw invalidArgument("crash(server)", "a running server", server);
    this.sim.crash(id);
  }

  /** Restarts a crashed `server` from its stable storage. */
  restart(server: number): void {
    const id = this.idOf(server);
    if (this.sim.isUp(id)) throw invalidArgument("restart(server)", "a crashed server", server);
    this.sim.restart(id);
    // Run its start event now, so the server has read its stable storage before the caller looks.
    this.advance(0);
  }

  /** Unreliable: 10% of messages lost, 5% duplicated, 0-27 ms delays, reordered. */
  setReliable(reliable: boolean): void {
    if (typeof reliable !== "boolean") throw invalidArgument("reliable", "true or false", reliable);
    this.reliable = reliable;
    this.configureNetwork();
  }

  /** Long reordering: latencies with a long tail (median 15 ms, p99 2 s), messages overtake. */
  setLongReordering(on: boolean): void {
    if (typeof on !== "boolean") throw invalidArgument("longReordering", "true or false", on);
    this.longReordering = on;
    this.configureNetwork();
  }

  // ------------------------------------------------------------------ reads and membership

  /**
   * A ReadIndex read (thesis §6.4) on `server`: runs until the server answers, at most `waitMs`
   * of virtual time; no answer by then is reported as { ok: false } with that reason.
   */
  readIndex(server: number, waitMs = COMMIT_WAIT_MS_MAX): RaftReadResult {
    const id = this.idOf(server);
    requireNumberAtLeast("waitMs", waitMs, 0);
    let answer: RaftReadResult | undefined;
    this.sim.withNode(id, (ctx, process) =>
      (process as RaftServer).readIndex(ctx, (result) => {
        answer = result;
      }),
    );
    if (answer === undefined) this.runUntil(() => answer !== undefined, waitMs);
    return answer ?? { ok: false, reason: `no answer from server ${server} within ${waitMs} ms` };
  }

  /** A lease read (thesis §6.4.1) on `server`, answered at once from its lease. */
  leaseRead(server: number): RaftReadResult {
    const id = this.idOf(server);
    return this.sim.withNode(id, (ctx, process) => (process as RaftServer).leaseRead(ctx));
  }

  /**
   * Adds or removes one server (thesis §4.1) through whichever server is leader, retrying until
   * the config entry is committed on a majority of the new configuration; returns its index (if
   * the leader's committed configuration already is so, the index of the entry that made it so,
   * 0 for the initial one). Throws after 10 s of virtual time, with the last refusal.
   */
  changeMembership(change: { add: number } | { remove: number }): number {
    const target = "add" in change ? change.add : change.remove;
    const id = this.idOf(target);
    const serverChange = "add" in change ? { add: id } : { remove: id };
    const deadlineMs = this.now + ONE_TIME_MS_MAX;
    let refusal = "no leader";
    while (this.now < deadlineMs) {
      const leader = this.currentLeader();
      if (leader === -1) {
        this.advance(50);
        continue;
      }
      const current = this.server(leader) as RaftServer;
      if (current.members.includes(id) === "add" in change) {
        // Already so in the leader's configuration (a retry, or a change made by someone else).
        if (current.configIndex <= current.commitIndex) return current.configIndex;
        this.advance(50);
        continue;
      }
      const result = this.sim.withNode(this.idOf(leader), (ctx, process) =>
        (process as RaftServer).changeMembership(ctx, serverChange),
      );
      this.check();
      if (!result.ok) {
        refusal = result.reason;
        this.advance(50);
        continue;
      }
      const leaderProcess = this.server(leader) as RaftServer;
      const wanted = JSON.stringify(leaderProcess.entryAt(result.index)?.command);
      const newSize = leaderProcess.members.length;
      let committed = false;
      this.runUntil(() => {
        const { count, command } = this.nCommitted(result.index);
        committed = 2 * count > newSize && JSON.stringify(command) === wanted;
        return committed;
      }, COMMIT_WAIT_MS_MAX);
      if (committed) return result.index;
      refusal = `the change at index ${result.index} was not committed`;
    }
    throw new Error(
      `changeMembership(${describeValue(change)}): not done within ${ONE_TIME_MS_MAX} ms: ` +
        `${refusal} (seed ${this.seed}, t=${this.now} ms)`,
    );
  }

  /** The voting members as `server` sees them (thesis §4.1: the latest config in its log). */
  members(server: number): number[] {
    const process = this.server(server);
    if (process === undefined) {
      throw invalidArgument("members(server)", "a running server", server);
    }
    return process.members.map((id) => this.ids.indexOf(id)).sort((a, b) => a - b);
  }

  // ------------------------------------------------------------------ measuring and running

  /**
   * RPCs sent so far (RequestVote, AppendEntries and InstallSnapshot requests; replies are not
   * counted).
   */
  rpcCount(): number {
    const sent = this.sim.stats.sentByType;
    return (sent.RequestVote ?? 0) + (sent.AppendEntries ?? 0) + (sent.InstallSnapshot ?? 0);
  }

  /** Bytes of every message sent so far (requests and replies, JSON-encoded). */
  bytesSent(): number {
    return this.sim.stats.bytesSent;
  }

  /**
   * Bytes of the server's persisted Raft state as JSON: term, vote and the log after the
   * snapshot, not the snapshot itself (as the lab's RaftStateSize). With `snapshotEvery`, it stays
   * bounded however many entries were committed.
   */
  logSize(server: number): number {
    let bytes = 0;
    for (const [key, value] of this.sim.storageOf(this.idOf(server))) {
      if (key === "snapshot") continue;
      bytes += JSON.stringify(value)?.length ?? 0;
    }
    return bytes;
  }

  /** Runs the cluster for `ms` of virtual time, checking the invariants after every event. */
  advance(ms: number): void {
    requireNumberAtLeast("ms", ms, 0);
    this.runUntil(() => false, ms);
  }

  // ------------------------------------------------------------------ internals

  /** Runs until `done()` or `timeMs` passed; true if done. Invariants are checked at every step. */
  private runUntil(done: () => boolean, timeMs: number): boolean {
    return runCheckedUntil(this.sim, () => this.check(), done, timeMs);
  }

  private check(): void {
    const servers = this.ids.map((id) => this.sim.processOf(id) as RaftServer | undefined);
    this.checker.check(servers);
  }

  private recordApply(id: NodeId, index: number, entry: RaftLogEntry, currentTerm: number): void {
    const server = this.ids.indexOf(id);
    assert(server >= 0, "only harness servers apply");
    this.checker.recordApply(server, index, entry, currentTerm);
    this.appliedBy[server]?.set(index, entry.command);
  }

  private recordSnapshot(id: NodeId, snapshot: RaftSnapshot): void {
    const server = this.ids.indexOf(id);
    assert(server >= 0, "only harness servers install snapshots");
    this.checker.recordSnapshot(server, snapshot);
    // As the lab's tester, what a server applied is now what its snapshot holds.
    const applied = this.appliedBy[server] as Map<number, unknown>;
    for (let index = 1; index <= snapshot.lastIncludedIndex; index++) {
      applied.set(index, snapshot.state[index - 1]);
    }
  }

  /**
   * The one connected leader, or -1 if there are none, several (terms may differ), or a connected
   * member of its configuration in a later term (the leader is stale and about to step down). A
   * server removed from the configuration may sit in a later term forever: it does not count.
   */
  private currentLeader(): number {
    let leader = -1;
    for (let i = 0; i < this.servers; i++) {
      if (!this.isLive(i) || !this.getState(i).isLeader) continue;
      if (leader !== -1) return -1;
      leader = i;
    }
    if (leader === -1) return -1;
    const members = (this.server(leader) as RaftServer).members;
    const term = this.getState(leader).term;
    for (let i = 0; i < this.servers; i++) {
      const id = this.ids[i] as NodeId;
      if (this.isLive(i) && members.includes(id) && this.getState(i).term > term) return -1;
    }
    return leader;
  }

  private isLive(server: number): boolean {
    return this.connected[server] === true && this.sim.isUp(this.ids[server] as NodeId);
  }

  private liveList(): string {
    const live = this.ids.map((_, i) => i).filter((i) => this.isLive(i));
    return `[${live.join(", ")}]`;
  }

  private termsList(): string {
    return this.ids
      .map((_, i) => i)
      .filter((i) => this.isLive(i))
      .map((i) => `${i}: ${this.getState(i).term}`)
      .join(", ");
  }

  private idOf(server: number): NodeId {
    requireIntegerAtLeast("server", server, 0);
    const id = this.ids[server];
    if (id === undefined) {
      throw invalidArgument("server", `an index in [0, ${this.servers - 1}]`, server);
    }
    return id;
  }

  /** Connected servers form one group; every disconnected server is alone in its own. */
  private applyPartition(): void {
    this.sim.heal();
    if (this.connected.every(Boolean)) return;
    const group = this.ids.filter((_, i) => this.connected[i]);
    const alone = this.ids.filter((_, i) => !this.connected[i]).map((id) => [id]);
    this.sim.partition(group.length > 0 ? [group, ...alone] : alone);
  }

  private configureNetwork(): void {
    const network: LinkOptions = {
      latency: this.longReordering
        ? { kind: "longTail", medianMs: 15, p99Ms: 2_000 }
        : this.reliable
          ? { kind: "uniform", minMs: 1, maxMs: 5 }
          : { kind: "uniform", minMs: 0, maxMs: 27 },
      dropProbability: this.reliable ? 0 : 0.1,
      duplicateProbability: this.reliable ? 0 : 0.05,
      reorder: !this.reliable || this.longReordering,
    };
    this.sim.configureNetwork(network);
  }
}
