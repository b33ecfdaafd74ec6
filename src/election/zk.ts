// Leader election on a ZooKeeper-style service: ephemeral sequential znodes, the lowest leads, each
// candidate watches only its predecessor (Hunt et al. 2010, §2.4 "Leader election"; herd for contrast).

import { runCheckedUntil } from "../consensus/raft/checked-run.js";
import {
  assert,
  integerOption,
  invalidArgument,
  requireIntegerAtLeast,
  requireIntegerIn,
  requireKnownOptions,
} from "../sim/assert.js";
import { Simulation } from "../sim/simulation.js";
import type { NodeId } from "../sim/types.js";
import { ZkClient, type ZkClientOptions } from "./zk-client.js";
import { type ZkMessage, type ZkOperation, ZkServer } from "./zk-server.js";

/**
 * Which znode a waiting candidate watches: "predecessor" (the next lower one: a leader's death
 * wakes one candidate) or "herd" (the lowest, the leader's: every candidate wakes, the herd effect).
 */
export type ZkElectionRecipe = "predecessor" | "herd";

/** The recipes, for validation and loops. */
export const ZK_ELECTION_RECIPES: readonly ZkElectionRecipe[] = ["predecessor", "herd"];

/** The parent znode of the candidates' znodes. */
export const ZK_ELECTION_PATH = "/election";

/** Hooks a {@link ZkCandidate} reports through. */
export interface ZkCandidateOptions extends ZkClientOptions {
  readonly recipe: ZkElectionRecipe;
  /** Called for every watch notification the candidate handles. */
  readonly onNotified?: (candidate: NodeId, path: string) => void;
}

/**
 * One candidate running the election recipe: create `/election/n_` ephemeral and sequential, list
 * the children, lead if its znode is the lowest, else set an exists-watch on the one it waits for
 * and re-check when it fires (the predecessor may have died while the leader lives on).
 */
export class ZkCandidate extends ZkClient {
  private readonly recipe: ZkElectionRecipe;
  private readonly onNotified: ((candidate: NodeId, path: string) => void) | undefined;
  /** This session's znode, once created. */
  private znodePath: string | undefined;
  /** True once the candidate saw its znode lowest. invariant: leading implies znodePath set. */
  private leading = false;
  private watching: string | undefined;

  constructor(options: ZkCandidateOptions) {
    super(options);
    this.recipe = options.recipe;
    this.onNotified = options.onNotified;
  }

  /** The candidate's znode in its current session, or undefined. */
  get znode(): string | undefined {
    return this.znodePath;
  }

  /**
   * True when the candidate believes it leads at client clock `nowMs`: it saw its znode lowest and
   * its session has not passed its client-side deadline.
   */
  believesLeading(nowMs: number): boolean {
    return this.leading && this.sessionAlive(nowMs);
  }

  /** The znode this candidate's exists-watch waits on, or undefined. */
  get watched(): string | undefined {
    return this.watching;
  }

  /** True when the recipe is at rest: leading, or watching the znode it waits for. */
  get settled(): boolean {
    return this.leading || this.watching !== undefined;
  }

  protected override onConnected(): void {
    // The parent may exist already: nodeExists is the expected answer for all but the first.
    this.create(ZK_ELECTION_PATH, {}, () => {
      this.create(`${ZK_ELECTION_PATH}/n_`, { ephemeral: true, sequential: true }, (result) => {
        assert(result.path !== undefined, "a sequential create under /election succeeds");
        this.znodePath = result.path;
        this.checkLeadership();
      });
    });
  }

  protected override onSessionLost(): void {
    this.znodePath = undefined;
    this.leading = false;
    this.watching = undefined;
  }

  protected override onWatch(path: string, change: "created" | "deleted"): void {
    this.onNotified?.(this.ctx.id, path);
    if (path !== this.watching || change !== "deleted") return;
    this.watching = undefined;
    this.checkLeadership();
  }

  private checkLeadership(): void {
    this.getChildren(ZK_ELECTION_PATH, (result) => {
      const mine = this.znodePath;
      assert(mine !== undefined, "the candidate checks only after creating its znode");
      const children = result.children ?? [];
      const index = children.indexOf(mine.slice(ZK_ELECTION_PATH.length + 1));
      assert(index !== -1, "a live session's ephemeral znode exists");
      if (index === 0) {
        this.leading = true;
        this.ctx.log(`leads with ${mine}`);
        return;
      }
      const target = `${ZK_ELECTION_PATH}/${children[this.recipe === "herd" ? 0 : index - 1]}`;
      this.exists(target, true, (answer) => {
        if (answer.exists === true) this.watching = target;
        else this.checkLeadership(); // it died between the listing and the watch: look again
      });
    });
  }
}

/** How a {@link ZkElection} is set up. */
export interface ZkElectionOptions {
  /** Number of candidates, "c0" .. "c{n-1}", in [1, 100]. */
  readonly candidates: number;
  readonly seed: number;
  /** Default "predecessor". */
  readonly recipe?: ZkElectionRecipe;
  /** Session timeout in ms, at least 30. Default 1000. */
  readonly sessionTimeoutMs?: number;
  /** Heartbeat period in ms, in [1, sessionTimeoutMs - 1]. Default a third of the timeout. */
  readonly heartbeatMs?: number;
  /** How often the server looks for expired sessions, in [1, sessionTimeoutMs]. Default 10. */
  readonly expiryCheckMs?: number;
  /** Trace capacity (0, the default, keeps no trace). */
  readonly traceEventsMax?: number;
  /**
   * The "break it" switch (default true): false removes the clients' own session deadline, and a
   * partitioned leader believes it leads until it hears from the service again.
   */
  readonly clientDeadline?: boolean;
  /** Check the invariants after every event (default true); false lets a broken run go on. */
  readonly checkInvariants?: boolean;
}

const KNOWN_OPTIONS = [
  "candidates",
  "seed",
  "recipe",
  "sessionTimeoutMs",
  "heartbeatMs",
  "expiryCheckMs",
  "traceEventsMax",
  "clientDeadline",
  "checkInvariants",
];

/** The service's node id. */
const SERVER_ID = "zk";
const CANDIDATES_MAX = 100;
const LATENCY_MS_MIN = 1;
const LATENCY_MS_MAX = 5;

/** What one leader change cost, from the leader's crash to the next leader. */
export interface ZkLeaderChange {
  readonly from: number;
  readonly to: number;
  readonly crashedAtMs: number;
  readonly electedAtMs: number;
  /** electedAtMs - crashedAtMs: dominated by the session timeout. */
  readonly latencyMs: number;
  /** Messages sent from the crash until every candidate settled again, heartbeats included. */
  readonly messages: number;
  /** Messages sent meanwhile other than pings and pongs. */
  readonly messagesWithoutHeartbeats: number;
  /** Watch notifications handled, and getChildren calls served, over the same span. */
  readonly notifications: number;
  readonly getChildrenCalls: number;
}

/** Server operations counted by kind. */
export type ZkOperationCounts = Readonly<Record<ZkOperation["op"], number>>;

/**
 * The election on a simulation: one {@link ZkServer} ("zk") and `candidates` {@link ZkCandidate}s
 * ("c0", ...), links with 1-5 ms latency. After every event the harness checks that at most one
 * candidate believes it leads and that a believer's znode is the lowest one the service holds.
 *
 * The guarantee, precisely: a candidate believes it leads from the moment it saw its znode lowest
 * until its own session deadline (send time of its last acknowledged ping + sessionTimeoutMs, on
 * its own clock). The service deletes a session's ephemeral znode no earlier than sessionTimeoutMs
 * after the last message it received from that session. With clocks that run at the same rate (no
 * drift here) the old leader stops believing before its znode is deleted, hence before a successor
 * can see itself lowest: at most one believer at every instant, through crashes, partitions and
 * pauses. A partitioned leader believes on until its deadline; with `clientDeadline: false` it
 * believes until it hears from the service again, and two believe at once. A slow clock stretches
 * the deadline in true time and breaks the bound: the argument needs a bound on drift. And
 * believing is not acting safely: a leader paused between its check and its write needs a fencing
 * token (the znode's sequence number serves), as in the lease chapter.
 *
 * @example
 * const election = new ZkElection({ candidates: 5, seed: 1 });
 * const first = election.runUntilLeader();
 * const change = election.crashLeader(); // change.latencyMs ~ the session timeout
 */
export class ZkElection {
  readonly sim: Simulation<ZkMessage>;
  readonly seed: number;
  readonly recipe: ZkElectionRecipe;
  readonly sessionTimeoutMs: number;
  private readonly candidateIds: NodeId[];
  private readonly operations: Record<ZkOperation["op"], number> = {
    create: 0,
    delete: 0,
    getChildren: 0,
    exists: 0,
  };
  private notifications = 0;
  private readonly checkInvariants: boolean;

  constructor(options: ZkElectionOptions) {
    const known = requireKnownOptions("ZkElection options", options, KNOWN_OPTIONS);
    const candidates = requireIntegerIn("candidates", known.candidates, 1, CANDIDATES_MAX);
    this.seed = requireIntegerAtLeast("seed", known.seed, 0);
    const recipe = known.recipe ?? "predecessor";
    if (!ZK_ELECTION_RECIPES.includes(recipe as ZkElectionRecipe)) {
      throw invalidArgument("recipe", '"predecessor" or "herd"', recipe);
    }
    this.recipe = recipe as ZkElectionRecipe;
    this.sessionTimeoutMs = integerOption("sessionTimeoutMs", known.sessionTimeoutMs, 1000, 30);
    const heartbeatMs = integerOption(
      "heartbeatMs",
      known.heartbeatMs,
      Math.floor(this.sessionTimeoutMs / 3),
      1,
      this.sessionTimeoutMs - 1,
    );
    const expiryCheckMs = integerOption(
      "expiryCheckMs",
      known.expiryCheckMs,
      10,
      1,
      this.sessionTimeoutMs,
    );
    const traceEventsMax = integerOption("traceEventsMax", known.traceEventsMax, 0, 0);
    const checkInvariants = known.checkInvariants ?? true;
    if (typeof checkInvariants !== "boolean") {
      throw invalidArgument("checkInvariants", "true or false", checkInvariants);
    }
    this.checkInvariants = checkInvariants;
    const clientDeadline = known.clientDeadline ?? true;
    if (typeof clientDeadline !== "boolean") {
      throw invalidArgument("clientDeadline", "true or false", clientDeadline);
    }
    this.sim = new Simulation<ZkMessage>({
      seed: this.seed,
      traceEventsMax,
      network: { latency: { kind: "uniform", minMs: LATENCY_MS_MIN, maxMs: LATENCY_MS_MAX } },
    });
    this.sim.addNode(
      SERVER_ID,
      () =>
        new ZkServer({
          sessionTimeoutMs: this.sessionTimeoutMs,
          expiryCheckMs,
          resendAfterMs: heartbeatMs,
          onOperation: (operation) => this.operations[operation.op]++,
        }),
    );
    this.candidateIds = Array.from({ length: candidates }, (_, i) => `c${i}`);
    for (const id of this.candidateIds) {
      this.sim.addNode(
        id,
        () =>
          new ZkCandidate({
            server: SERVER_ID,
            sessionTimeoutMs: this.sessionTimeoutMs,
            heartbeatMs,
            clientDeadline,
            recipe: this.recipe,
            onNotified: () => this.notifications++,
          }),
      );
    }
  }

  /** Number of candidates. */
  get candidates(): number {
    return this.candidateIds.length;
  }

  /** Virtual time in ms. */
  get now(): number {
    return this.sim.now;
  }

  /** The running candidate process (undefined while crashed), for inspection. */
  candidate(index: number): ZkCandidate | undefined {
    return this.sim.processOf(this.candidateId(index)) as ZkCandidate | undefined;
  }

  /** The service (it never crashes here: real ZooKeeper survives server crashes with Zab). */
  server(): ZkServer {
    return this.sim.processOf(SERVER_ID) as ZkServer;
  }

  /** Candidates that believe they lead, each by its own clock, in index order. */
  leaders(): number[] {
    const believers: number[] = [];
    this.candidateIds.forEach((id, index) => {
      const candidate = this.sim.processOf(id) as ZkCandidate | undefined;
      if (candidate?.believesLeading(this.sim.clockOf(id)) === true) believers.push(index);
    });
    return believers;
  }

  /** The one candidate that believes it leads, or -1 when none (or, unchecked, several) does. */
  leader(): number {
    const believers = this.leaders();
    return believers.length === 1 ? believers[0]! : -1;
  }

  /** The lowest znode under /election on the server, or undefined when there is none. */
  lowestZnode(): string | undefined {
    const children = this.server().children(ZK_ELECTION_PATH) ?? [];
    return children[0] === undefined ? undefined : `${ZK_ELECTION_PATH}/${children[0]}`;
  }

  /** Messages sent so far, by type. */
  messageCounts(): Readonly<Record<string, number>> {
    return this.sim.stats.sentByType;
  }

  /** Operations the server executed so far, by kind. */
  operationCounts(): ZkOperationCounts {
    return { ...this.operations };
  }

  /** Watch notifications the candidates handled so far. */
  get notificationsCount(): number {
    return this.notifications;
  }

  /** Crashes a running candidate: it stops heartbeating and its session will expire. */
  crash(index: number): void {
    const id = this.candidateId(index);
    if (!this.sim.isUp(id)) throw invalidArgument("crash(candidate)", "a running candidate", index);
    this.sim.crash(id);
  }

  /** Restarts a crashed candidate: a new session and a new znode at the end of the line. */
  restart(index: number): void {
    const id = this.candidateId(index);
    if (this.sim.isUp(id))
      throw invalidArgument("restart(candidate)", "a crashed candidate", index);
    this.sim.restart(id);
  }

  /** Cuts a candidate off from the service (and everyone else) until {@link heal}. */
  isolate(index: number): void {
    this.sim.isolate(this.candidateId(index));
  }

  /** Removes every partition. */
  heal(): void {
    this.sim.heal();
  }

  /** Pauses a running candidate for `durationMs` (GC-style: its timers and messages wait). */
  pause(index: number, durationMs: number): void {
    this.sim.pause(this.candidateId(index), durationMs);
  }

  /** Runs `ms` of virtual time, checking the invariants after every event. */
  runFor(ms: number): void {
    runCheckedUntil(
      this.sim,
      () => this.check(),
      () => false,
      ms,
    );
  }

  /** Runs until `done()` holds or `timeMsMax` passed; returns whether it held. */
  runUntil(done: () => boolean, timeMsMax: number): boolean {
    return runCheckedUntil(this.sim, () => this.check(), done, timeMsMax);
  }

  /** Runs until some candidate leads and returns it; throws after `timeMsMax` (default 10 s). */
  runUntilLeader(timeMsMax = 10_000): number {
    if (!this.runUntil(() => this.leader() !== -1, timeMsMax)) {
      throw new Error(`no leader within ${timeMsMax} ms (seed ${this.seed})`);
    }
    return this.leader();
  }

  /** True when every running candidate leads or watches (no recipe step in flight). */
  settled(): boolean {
    return this.candidateIds.every((id) => {
      const candidate = this.sim.processOf(id) as ZkCandidate | undefined;
      return candidate === undefined || candidate.settled;
    });
  }

  /** Runs until {@link settled}; throws after `timeMsMax` (default 10 s). */
  runUntilSettled(timeMsMax = 10_000): void {
    if (!this.runUntil(() => this.settled(), timeMsMax)) {
      throw new Error(`candidates not settled within ${timeMsMax} ms (seed ${this.seed})`);
    }
  }

  /**
   * Waits until the candidates settle, crashes the leader and runs until the next one leads and
   * every candidate settled again; returns what the change cost: the latency up to the moment the
   * new leader believes it leads, the counts up to the moment all candidates settled again.
   */
  crashLeader(timeMsMax = 10_000): ZkLeaderChange {
    this.runUntilSettled(timeMsMax);
    const from = this.runUntilLeader(timeMsMax);
    const messagesBefore = { ...this.messageCounts() };
    const getChildrenBefore = this.operations.getChildren;
    const notificationsBefore = this.notifications;
    const crashedAtMs = this.now;
    this.crash(from);
    const to = this.runUntilLeader(timeMsMax);
    const electedAtMs = this.now;
    this.runUntilSettled(timeMsMax); // the herd is still checking when the new leader knows
    const messages = this.messageCounts();
    let total = 0;
    let heartbeats = 0;
    for (const [type, count] of Object.entries(messages)) {
      const sent = count - (messagesBefore[type] ?? 0);
      total += sent;
      if (type === "zkPing" || type === "zkPong") heartbeats += sent;
    }
    return {
      from,
      to,
      crashedAtMs,
      electedAtMs,
      latencyMs: electedAtMs - crashedAtMs,
      messages: total,
      messagesWithoutHeartbeats: total - heartbeats,
      notifications: this.notifications - notificationsBefore,
      getChildrenCalls: this.operations.getChildren - getChildrenBefore,
    };
  }

  private candidateId(index: number): NodeId {
    requireIntegerIn("candidate", index, 0, this.candidateIds.length - 1);
    return this.candidateIds[index]!;
  }

  /** At most one believer, and a believer's znode is the lowest one the service holds. */
  private check(): void {
    if (!this.checkInvariants) return;
    const believers = this.leaders();
    assert(believers.length <= 1, "at most one candidate believes it leads");
    const believer = believers[0];
    if (believer === undefined) return;
    const znode = this.candidate(believer)?.znode;
    assert(znode !== undefined, "a leader has a znode");
    assert(znode === this.lowestZnode(), "a leader's znode is the lowest under /election");
  }
}
