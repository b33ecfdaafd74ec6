// The bully algorithm (Garcia-Molina, "Elections in a Distributed Computing System", IEEE Trans.
// Computers C-31(1), 1982: the Bully Algorithm, for systems without communication failures), in the
// ELECTION / ANSWER / COORDINATOR form of the textbooks, with heartbeats to detect a dead coordinator.

import {
  assert,
  describeValue,
  invalidArgument,
  requireIntegerAtLeast,
  requireKnownOptions,
  requireNumberAtLeast,
} from "../sim/assert.js";
import { TimeLimitError } from "../sim/errors.js";
import { Simulation } from "../sim/simulation.js";
import type {
  Envelope,
  FiredTimer,
  LinkOptions,
  NodeContext,
  NodeId,
  Process,
} from "../sim/types.js";

/** The message types of the bully algorithm. */
export type BullyMessageType = "ELECTION" | "ANSWER" | "COORDINATOR" | "HEARTBEAT";

/**
 * A bully message. ELECTION goes to every higher-ranked node ("I want to lead: are you alive?"),
 * ANSWER comes back from a live one ("I am, and I take over"), COORDINATOR announces the winner,
 * HEARTBEAT is the coordinator's periodic "still here".
 */
export interface BullyMessage {
  readonly type: BullyMessageType;
}

/** The message types an election spends (heartbeats are the steady-state cost, not the election's). */
export const BULLY_ELECTION_MESSAGE_TYPES = ["ELECTION", "ANSWER", "COORDINATOR"] as const;

/** What a node is doing: following (or being) a coordinator, or in one of an election's two waits. */
export type BullyStatus = "normal" | "electing" | "awaitingCoordinator";

/** The timers of a bully node, in ms of the node's own clock. */
export interface BullyTimeouts {
  /** After sending ELECTION, how long to wait for an ANSWER before declaring itself coordinator. */
  readonly answerTimeoutMs: number;
  /** After an ANSWER, how long to wait for COORDINATOR before starting the election again. */
  readonly coordinatorTimeoutMs: number;
  /** How often the coordinator sends HEARTBEAT to every other node. */
  readonly heartbeatIntervalMs: number;
  /**
   * A follower suspects its coordinator after a silence drawn uniformly from [min, max] ms: the
   * spread makes one follower, not all of them at once, start the election.
   */
  readonly heartbeatTimeoutMsMin: number;
  readonly heartbeatTimeoutMsMax: number;
}

/**
 * Default timers, for links of a few ms: ANSWER within 50 ms, COORDINATOR within 150 ms,
 * heartbeats every 100 ms, suspicion after 300-600 ms of silence (as Raft's election timeout).
 */
export const BULLY_TIMEOUTS_DEFAULT: BullyTimeouts = Object.freeze({
  answerTimeoutMs: 50,
  coordinatorTimeoutMs: 150,
  heartbeatIntervalMs: 100,
  heartbeatTimeoutMsMin: 300,
  heartbeatTimeoutMsMax: 600,
});

const TIMEOUT_NAMES = [
  "answerTimeoutMs",
  "coordinatorTimeoutMs",
  "heartbeatIntervalMs",
  "heartbeatTimeoutMsMin",
  "heartbeatTimeoutMsMax",
] as const;

/** Fills in and checks timers: each a number >= 1, and the orders the algorithm relies on. */
function bullyTimeouts(name: string, given: unknown): BullyTimeouts {
  const known = requireKnownOptions(name, given, TIMEOUT_NAMES);
  const value = (key: (typeof TIMEOUT_NAMES)[number]): number =>
    requireNumberAtLeast(`${name}.${key}`, known[key] ?? BULLY_TIMEOUTS_DEFAULT[key], 1);
  const timeouts: BullyTimeouts = {
    answerTimeoutMs: value("answerTimeoutMs"),
    coordinatorTimeoutMs: value("coordinatorTimeoutMs"),
    heartbeatIntervalMs: value("heartbeatIntervalMs"),
    heartbeatTimeoutMsMin: value("heartbeatTimeoutMsMin"),
    heartbeatTimeoutMsMax: value("heartbeatTimeoutMsMax"),
  };
  if (timeouts.heartbeatTimeoutMsMin <= timeouts.heartbeatIntervalMs) {
    // Otherwise a follower suspects a healthy coordinator between two heartbeats.
    throw invalidArgument(
      `${name}.heartbeatTimeoutMsMin`,
      `more than heartbeatIntervalMs (${timeouts.heartbeatIntervalMs})`,
      timeouts.heartbeatTimeoutMsMin,
    );
  }
  if (timeouts.heartbeatTimeoutMsMax < timeouts.heartbeatTimeoutMsMin) {
    throw invalidArgument(
      `${name}.heartbeatTimeoutMsMax`,
      `at least heartbeatTimeoutMsMin (${timeouts.heartbeatTimeoutMsMin})`,
      timeouts.heartbeatTimeoutMsMax,
    );
  }
  return timeouts;
}

/** Checks a rank table: at least one node, finite numbers, no two equal (a total order). */
function checkRanks(name: string, ranks: unknown): ReadonlyMap<NodeId, number> {
  if (typeof ranks !== "object" || ranks === null || Array.isArray(ranks)) {
    throw invalidArgument(name, "an object mapping node ids to numbers", ranks);
  }
  const table = new Map<NodeId, number>();
  const holder = new Map<number, NodeId>();
  for (const [id, rank] of Object.entries(ranks as Record<string, unknown>)) {
    if (typeof rank !== "number" || !Number.isFinite(rank)) {
      throw invalidArgument(`${name}[${describeValue(id)}]`, "a finite number", rank);
    }
    const other = holder.get(rank);
    if (other !== undefined) {
      throw invalidArgument(
        `${name}[${describeValue(id)}]`,
        `a rank no other node has (ranks are a total order; ${describeValue(other)} has it)`,
        rank,
      );
    }
    holder.set(rank, id);
    table.set(id, rank);
  }
  if (table.size === 0) throw invalidArgument(name, "a table with at least one node", ranks);
  return table;
}

/** How a {@link BullyNode} is set up. */
export interface BullyNodeOptions {
  /**
   * The members and their ranks: the higher rank wins. Ranks are distinct (a total order) and the
   * same table is given to every member. Only members are sent bully messages.
   */
  readonly ranks: Readonly<Record<NodeId, number>>;
  /** Timers; missing ones take {@link BULLY_TIMEOUTS_DEFAULT}. */
  readonly timeouts?: Partial<BullyTimeouts>;
  /** Called when this node starts an election (after its status changed). */
  readonly onElection?: (node: NodeId) => void;
  /** Called when this node settles on a coordinator (itself or another), after its fields changed. */
  readonly onCoordinator?: (node: NodeId, coordinator: NodeId) => void;
}

const NODE_OPTIONS = ["ranks", "timeouts", "onElection", "onCoordinator"];

const ANSWER_TIMER = "answer";
const COORDINATOR_TIMER = "coordinator";
const HEARTBEAT_TIMER = "heartbeat";
const SUSPECT_TIMER = "suspect";
const NO_TIMER = -1;

/**
 * One bully process. It keeps nothing on stable storage: a node that starts or restarts knows no
 * coordinator and runs an election, which is how a recovered higher node takes over ("bullies").
 *
 * Rules, for a node p:
 * - to elect, p sends ELECTION to every higher-ranked member; with none (p is the highest) or no
 *   ANSWER within answerTimeoutMs, p is coordinator and sends COORDINATOR to every other member;
 *   after an ANSWER it waits coordinatorTimeoutMs for COORDINATOR, then elects again;
 * - on ELECTION from a lower node, p sends ANSWER and elects too (unless it already is); if p is
 *   the coordinator it sends COORDINATOR to that node instead of re-electing itself;
 * - on COORDINATOR from a higher node p follows it; from a lower one p elects (it outranks it);
 * - the coordinator sends HEARTBEAT to every other member every heartbeatIntervalMs; a follower
 *   that hears none for its heartbeat timeout elects. A heartbeat from a node ranked above both p
 *   and p's coordinator makes p follow it: that is how the two coordinators a partition leaves
 *   become one when it heals, without an election.
 *
 * @example
 * const ranks = { n1: 1, n2: 2, n3: 3 };
 * const sim = new Simulation<BullyMessage>({ seed: 1 });
 * for (const id of Object.keys(ranks)) sim.addNode(id, () => new BullyNode({ ranks }));
 * sim.runFor(100);
 * (sim.processOf("n1") as BullyNode).coordinator; // "n3"
 */
export class BullyNode implements Process<BullyMessage> {
  /** What the node is doing; only the protocol writes it. */
  status: BullyStatus = "normal";
  /**
   * The coordinator this node follows (itself if it leads), or null while it knows none: before it
   * starts and during its elections. Invariant: null or ranked at least as high as this node.
   */
  coordinator: NodeId | null = null;
  /** Elections this node started (in this incarnation). */
  electionsStarted = 0;

  private readonly ranks: ReadonlyMap<NodeId, number>;
  private readonly timeouts: BullyTimeouts;
  private readonly onElection: ((node: NodeId) => void) | undefined;
  private readonly onCoordinator: ((node: NodeId, coordinator: NodeId) => void) | undefined;
  /** Members other than this node, highest rank first; set in onStart. */
  private others: NodeId[] = [];
  private rank = 0;
  private answerTimer = NO_TIMER;
  private coordinatorTimer = NO_TIMER;
  private heartbeatTimer = NO_TIMER;
  private suspectTimer = NO_TIMER;

  constructor(options: BullyNodeOptions) {
    const known = requireKnownOptions("BullyNode options", options, NODE_OPTIONS);
    this.ranks = checkRanks("ranks", known.ranks);
    this.timeouts = bullyTimeouts("timeouts", known.timeouts);
    for (const hook of ["onElection", "onCoordinator"] as const) {
      if (known[hook] !== undefined && typeof known[hook] !== "function") {
        throw invalidArgument(hook, "a function or undefined", known[hook]);
      }
    }
    this.onElection = known.onElection as BullyNodeOptions["onElection"];
    this.onCoordinator = known.onCoordinator as BullyNodeOptions["onCoordinator"];
  }

  /** The rank of a member; a non-member is a bug of the caller. */
  rankOf(id: NodeId): number {
    const rank = this.ranks.get(id);
    if (rank === undefined) {
      const members = [...this.ranks.keys()].map(describeValue).join(", ");
      throw invalidArgument("node id", `a member of the ranks table (${members})`, id);
    }
    return rank;
  }

  onStart(ctx: NodeContext<BullyMessage>): void {
    this.rank = this.rankOf(ctx.id);
    this.others = [...this.ranks.keys()]
      .filter((id) => id !== ctx.id)
      .sort((a, b) => this.rankOf(b) - this.rankOf(a));
    this.startElection(ctx);
  }

  onMessage(ctx: NodeContext<BullyMessage>, message: Envelope<BullyMessage>): void {
    if (!this.ranks.has(message.from)) return; // not a member: not part of this election
    const fromRank = this.rankOf(message.from);
    switch (message.type) {
      case "ELECTION":
        assert(fromRank < this.rank, "ELECTION only goes to higher-ranked nodes");
        ctx.send(message.from, { type: "ANSWER" });
        if (this.leads(ctx)) {
          // The sender suspects a coordinator that is alive: tell it, no need to elect again.
          ctx.send(message.from, { type: "COORDINATOR" });
        } else {
          this.startElection(ctx);
        }
        return;
      case "ANSWER":
        assert(fromRank > this.rank, "ANSWER only comes from higher-ranked nodes");
        if (this.status !== "electing") return; // a late answer: the election is over
        this.cancel(ctx, "answer");
        this.status = "awaitingCoordinator";
        this.coordinatorTimer = ctx.setTimer(this.timeouts.coordinatorTimeoutMs, COORDINATOR_TIMER);
        return;
      case "COORDINATOR":
        if (fromRank > this.rank) this.follow(ctx, message.from);
        else this.startElection(ctx); // a lower node claims to lead: bully it
        return;
      case "HEARTBEAT":
        if (message.from === this.coordinator) {
          this.armSuspicion(ctx);
        } else if (fromRank > this.rank && fromRank > this.coordinatorRank()) {
          // A live coordinator above ours (a partition healed): follow it, no election needed.
          this.follow(ctx, message.from);
        }
        // else: a coordinator below ours (or below us); our coordinator's heartbeats depose it.
        return;
    }
  }

  onTimer(ctx: NodeContext<BullyMessage>, timer: FiredTimer): void {
    switch (timer.name) {
      case ANSWER_TIMER:
        if (timer.id !== this.answerTimer) return;
        this.answerTimer = NO_TIMER;
        assert(this.status === "electing", "the answer timer runs only while electing");
        this.becomeCoordinator(ctx);
        return;
      case COORDINATOR_TIMER:
        if (timer.id !== this.coordinatorTimer) return;
        this.coordinatorTimer = NO_TIMER;
        assert(this.status === "awaitingCoordinator", "the coordinator timer runs only awaiting");
        ctx.log("no COORDINATOR came: elects again");
        this.status = "normal";
        this.startElection(ctx);
        return;
      case HEARTBEAT_TIMER:
        if (timer.id !== this.heartbeatTimer) return;
        this.heartbeatTimer = NO_TIMER;
        assert(this.leads(ctx), "only the coordinator sends heartbeats");
        for (const id of this.others) ctx.send(id, { type: "HEARTBEAT" });
        this.heartbeatTimer = ctx.setTimer(this.timeouts.heartbeatIntervalMs, HEARTBEAT_TIMER);
        return;
      case SUSPECT_TIMER:
        if (timer.id !== this.suspectTimer) return;
        this.suspectTimer = NO_TIMER;
        assert(this.status === "normal", "suspicion runs only while following");
        ctx.log(`no HEARTBEAT from ${this.coordinator ?? "anyone"}: elects`);
        this.startElection(ctx);
        return;
    }
  }

  /**
   * Starts an election now, unless one of this node's is already running. The cluster calls it to
   * choose who starts; the protocol calls it on suspicion, on ELECTION and on a lower claimant.
   */
  startElection(ctx: NodeContext<BullyMessage>): void {
    if (this.status !== "normal") return;
    this.cancelAll(ctx);
    this.status = "electing";
    this.coordinator = null;
    this.electionsStarted++;
    const higher = this.others.filter((id) => this.rankOf(id) > this.rank);
    ctx.log(higher.length === 0 ? "elects: no one ranks higher" : "elects");
    this.onElection?.(ctx.id);
    if (higher.length === 0) {
      this.becomeCoordinator(ctx);
      return;
    }
    for (const id of higher) ctx.send(id, { type: "ELECTION" });
    this.answerTimer = ctx.setTimer(this.timeouts.answerTimeoutMs, ANSWER_TIMER);
  }

  /** The rank of the coordinator followed, or -Infinity while there is none. */
  private coordinatorRank(): number {
    return this.coordinator === null ? Number.NEGATIVE_INFINITY : this.rankOf(this.coordinator);
  }

  private leads(ctx: NodeContext<BullyMessage>): boolean {
    return this.status === "normal" && this.coordinator === ctx.id;
  }

  private becomeCoordinator(ctx: NodeContext<BullyMessage>): void {
    this.cancelAll(ctx);
    this.status = "normal";
    this.coordinator = ctx.id;
    ctx.log("coordinator");
    for (const id of this.others) ctx.send(id, { type: "COORDINATOR" });
    this.heartbeatTimer = ctx.setTimer(this.timeouts.heartbeatIntervalMs, HEARTBEAT_TIMER);
    this.onCoordinator?.(ctx.id, ctx.id);
  }

  private follow(ctx: NodeContext<BullyMessage>, coordinator: NodeId): void {
    assert(this.rankOf(coordinator) > this.rank, "a node follows only a higher-ranked node");
    const changed = this.status !== "normal" || this.coordinator !== coordinator;
    this.cancelAll(ctx);
    this.status = "normal";
    this.coordinator = coordinator;
    this.armSuspicion(ctx);
    if (changed) this.onCoordinator?.(ctx.id, coordinator);
  }

  private armSuspicion(ctx: NodeContext<BullyMessage>): void {
    this.cancel(ctx, "suspect");
    const { heartbeatTimeoutMsMin: min, heartbeatTimeoutMsMax: max } = this.timeouts;
    this.suspectTimer = ctx.setTimer(min + ctx.random() * (max - min), SUSPECT_TIMER);
  }

  private cancel(
    ctx: NodeContext<BullyMessage>,
    which: "answer" | "coordinator" | "heartbeat" | "suspect",
  ): void {
    const field = `${which}Timer` as const;
    if (this[field] !== NO_TIMER) ctx.cancelTimer(this[field]);
    this[field] = NO_TIMER;
  }

  private cancelAll(ctx: NodeContext<BullyMessage>): void {
    this.cancel(ctx, "answer");
    this.cancel(ctx, "coordinator");
    this.cancel(ctx, "heartbeat");
    this.cancel(ctx, "suspect");
  }
}

// ------------------------------------------------------------------------------ the cluster

/** How a {@link BullyCluster} is set up. */
export interface BullyClusterOptions {
  /** A count N (nodes "n1" .. "nN", ranked 1 .. N) or the node ids. */
  readonly nodes: number | readonly NodeId[];
  /** Seed of the run: same seed and same script, same run. */
  readonly seed: number;
  /**
   * Ranks by node id (distinct numbers; the highest wins). Default: the number an id ends with
   * ("n7" ranks 7), so ids without one need this table.
   */
  readonly ranks?: Readonly<Record<NodeId, number>>;
  /** Network defaults for every link; default a reliable network with 1 ms latency. */
  readonly network?: LinkOptions;
  /** Timers of every node; missing ones take {@link BULLY_TIMEOUTS_DEFAULT}. */
  readonly timeouts?: Partial<BullyTimeouts>;
  /** Trace capacity of the simulation (default 1,000,000; 0 keeps no trace). */
  readonly traceEventsMax?: number;
}

const CLUSTER_OPTIONS = ["nodes", "seed", "ranks", "network", "timeouts", "traceEventsMax"];

/** Election messages by type. */
export type BullyElectionMessageCounts = Readonly<
  Record<(typeof BULLY_ELECTION_MESSAGE_TYPES)[number], number>
>;

/**
 * One election as the cluster saw it: from the first node that started electing while the cluster
 * was stable until it was stable again. Elections that overlap, or start less than
 * heartbeatTimeoutMsMax after the last one settled (a suspicion armed before it settled), count
 * as one.
 */
export interface BullyElection {
  /** The node that started it. */
  readonly starter: NodeId;
  /** Every node that started an election in it, in order of their first start. */
  readonly starters: readonly NodeId[];
  /** How many times a node started an election in it (restarts included). */
  readonly electionsStartedCount: number;
  /** True time it started. */
  readonly startMs: number;
  /** True time the cluster was stable again, or null while it is not. */
  readonly endMs: number | null;
  /** The coordinators it left, highest rank first: one, or one per side of a partition. */
  readonly coordinators: readonly NodeId[];
  /** ELECTION, ANSWER and COORDINATOR messages sent during it (lost ones included). */
  readonly messagesByType: BullyElectionMessageCounts;
  /** Their sum. */
  readonly messagesCount: number;
}

interface OpenElection {
  readonly startMs: number;
  readonly starters: NodeId[];
  electionsStartedCount: number;
  readonly sentAtStart: BullyElectionMessageCounts;
}

/**
 * Bully nodes on one simulation, with faults, a stability test and an election log counting the
 * messages each election cost.
 *
 * Stable means: every live node follows a coordinator that is live and reachable both ways, and
 * any two live nodes that reach each other follow the same one. Under a partition each side can
 * be stable with its own coordinator (split brain); {@link coordinators} then lists both.
 * Use the cluster's fault methods (not the simulation's) so the log sees them.
 *
 * @example
 * const cluster = new BullyCluster({ nodes: 5, seed: 1 });
 * cluster.runUntilStable();
 * cluster.coordinators(); // ["n5"]
 * cluster.crash("n5");
 * cluster.runUntilStable();
 * cluster.coordinatorOf("n1"); // "n4"
 * cluster.elections().at(-1)?.messagesCount; // what electing n4 cost
 */
export class BullyCluster {
  /** The simulation the cluster runs on (for traces, diagrams and scripted faults). */
  readonly sim: Simulation<BullyMessage>;
  readonly seed: number;
  readonly timeouts: BullyTimeouts;
  private readonly ids: readonly NodeId[];
  private readonly ranks: ReadonlyMap<NodeId, number>;
  private readonly closed: BullyElection[] = [];
  private open: OpenElection | undefined;
  /** True time since which the cluster is stable, or undefined while it is not. */
  private stableSinceMs: number | undefined;
  private stableCoordinators: NodeId[] = [];

  constructor(options: BullyClusterOptions) {
    const known = requireKnownOptions("BullyCluster options", options, CLUSTER_OPTIONS);
    this.seed = requireIntegerAtLeast("seed", known.seed, 0);
    this.ids = clusterIds(known.nodes);
    const rankTable = known.ranks ?? Object.fromEntries(this.ids.map((id) => [id, suffixRank(id)]));
    this.ranks = checkRanks("ranks", rankTable);
    for (const id of this.ids) {
      if (!this.ranks.has(id)) throw invalidArgument(`ranks[${describeValue(id)}]`, "a rank", id);
    }
    for (const id of this.ranks.keys()) {
      if (!this.ids.includes(id)) {
        throw invalidArgument("ranks", `ranks of the cluster's nodes only`, id);
      }
    }
    this.timeouts = bullyTimeouts("timeouts", known.timeouts);
    const traceEventsMax = known.traceEventsMax as number | undefined;
    const network = known.network as LinkOptions | undefined;
    this.sim = new Simulation<BullyMessage>({
      seed: this.seed,
      ...(network === undefined ? {} : { network }),
      ...(traceEventsMax === undefined ? {} : { traceEventsMax }),
    });
    const ranks = Object.fromEntries(this.ranks);
    for (const id of this.ids) {
      this.sim.addNode(
        id,
        () =>
          new BullyNode({
            ranks,
            timeouts: this.timeouts,
            onElection: (node) => this.recordElection(node),
            onCoordinator: () => this.observe(),
          }),
      );
    }
  }

  /** Virtual time in ms. */
  get now(): number {
    return this.sim.now;
  }

  /** The node ids, in the order given. */
  nodeIds(): readonly NodeId[] {
    return this.ids;
  }

  /** The rank of a node (the higher wins). */
  rankOf(node: NodeId): number {
    this.check(node);
    return this.ranks.get(node) as number;
  }

  /** The running process of a node (undefined while it is crashed), for inspection. */
  node(node: NodeId): BullyNode | undefined {
    this.check(node);
    return this.sim.processOf(node) as BullyNode | undefined;
  }

  /** True unless the node is crashed. */
  isUp(node: NodeId): boolean {
    this.check(node);
    return this.sim.isUp(node);
  }

  /** The coordinator `node` follows, or null while it knows none or is crashed. */
  coordinatorOf(node: NodeId): NodeId | null {
    return this.node(node)?.coordinator ?? null;
  }

  /** The distinct coordinators live nodes follow, highest rank first (two after a split). */
  coordinators(): NodeId[] {
    const followed = new Set<NodeId>();
    for (const id of this.ids) {
      const coordinator = this.coordinatorOf(id);
      if (coordinator !== null) followed.add(coordinator);
    }
    return [...followed].sort((a, b) => this.rankOf(b) - this.rankOf(a));
  }

  /** The highest-ranked live node (what the election must find), or null if all are crashed. */
  highestLiveNode(): NodeId | null {
    let best: NodeId | null = null;
    for (const id of this.ids) {
      if (this.sim.isUp(id) && (best === null || this.rankOf(id) > this.rankOf(best))) best = id;
    }
    return best;
  }

  /** True when the cluster is stable (see the class comment). */
  isStable(): boolean {
    const live = this.ids.filter((id) => this.sim.isUp(id));
    for (const id of live) {
      const process = this.node(id) as BullyNode;
      const coordinator = process.coordinator;
      if (process.status !== "normal" || coordinator === null) return false;
      if (!this.sim.isUp(coordinator)) return false;
      if (!this.reaches(id, coordinator)) return false;
    }
    for (let i = 0; i < live.length; i++) {
      for (let j = i + 1; j < live.length; j++) {
        const a = live[i] as NodeId;
        const b = live[j] as NodeId;
        if (this.reaches(a, b) && this.coordinatorOf(a) !== this.coordinatorOf(b)) return false;
      }
    }
    return true;
  }

  /** Runs `ms` of virtual time. */
  runFor(ms: number): void {
    this.sim.runFor(ms);
    this.observe();
  }

  /**
   * Runs until the cluster is stable and stays so for heartbeatTimeoutMsMax, so that no election
   * message in flight and no suspicion armed before it settled is about to shake it; returns the
   * true time it became stable. Throws TimeLimitError after `timeMsMax` (default 60,000) ms of
   * virtual time.
   */
  runUntilStable(options: { readonly timeMsMax?: number } = {}): number {
    requireKnownOptions("runUntilStable options", options, ["timeMsMax"]);
    const timeMsMax = requireNumberAtLeast("timeMsMax", options.timeMsMax ?? 60_000, 0);
    const deadlineMs = this.now + timeMsMax;
    for (;;) {
      if (this.now > deadlineMs) {
        throw new TimeLimitError(
          `runUntilStable: no stable coordinator after timeMsMax=${timeMsMax} ms of virtual time ` +
            `(t=${this.now} ms, coordinators ${JSON.stringify(this.coordinators())}, seed ${this.seed})`,
        );
      }
      this.sim.runUntil(() => this.isStable(), { timeMsMax: Math.max(0, deadlineMs - this.now) });
      this.observe();
      const stableSinceMs = this.stableSinceMs;
      this.sim.runFor(this.settleMs);
      this.observe();
      if (stableSinceMs !== undefined && this.stableSinceMs === stableSinceMs) return stableSinceMs;
    }
  }

  /** Makes `node` start an election now (to choose who starts it). */
  startElection(node: NodeId): void {
    this.check(node);
    this.sim.withNode(node, (ctx, process) => (process as BullyNode).startElection(ctx));
  }

  /** Crashes `node`: it stops, its timers are gone; messages to it are lost. */
  crash(node: NodeId): void {
    this.check(node);
    if (!this.sim.isUp(node)) throw invalidArgument("crash(node)", "a running node", node);
    this.sim.crash(node);
    this.observe();
  }

  /** Restarts a crashed `node`: a fresh process that knows no coordinator and elects. */
  restart(node: NodeId): void {
    this.check(node);
    if (this.sim.isUp(node)) throw invalidArgument("restart(node)", "a crashed node", node);
    this.sim.restart(node);
    this.observe();
  }

  /**
   * Cuts the nodes into groups that cannot reach each other (nodes in no group form one more);
   * replaces any earlier partition.
   */
  partition(groups: readonly (readonly NodeId[])[]): void {
    for (const group of groups) for (const id of group) this.check(id);
    this.sim.heal();
    this.sim.partition(groups);
    this.observe();
  }

  /** Removes every partition. */
  heal(): void {
    this.sim.heal();
    this.observe();
  }

  /** Messages sent so far, by type (every type listed, 0 if none). */
  messageCounts(): Record<BullyMessageType, number> {
    const sent = this.sim.stats.sentByType;
    return {
      ELECTION: sent.ELECTION ?? 0,
      ANSWER: sent.ANSWER ?? 0,
      COORDINATOR: sent.COORDINATOR ?? 0,
      HEARTBEAT: sent.HEARTBEAT ?? 0,
    };
  }

  /** The election log: every election so far, the last possibly still running (endMs null). */
  elections(): BullyElection[] {
    this.closeIfQuiet();
    const open = this.open;
    if (open === undefined) return [...this.closed];
    return [...this.closed, this.entry(open, null, this.coordinators())];
  }

  // ------------------------------------------------------------------ internals

  /**
   * How long the cluster must stay stable to count as settled: a follower's suspicion armed before
   * that has either fired or been re-armed by a heartbeat by then.
   */
  private get settleMs(): number {
    return this.timeouts.heartbeatTimeoutMsMax;
  }

  private check(node: NodeId): void {
    if (!this.ids.includes(node)) {
      const known = this.ids.map(describeValue).join(", ");
      throw invalidArgument("node", `a node of this cluster (${known})`, node);
    }
  }

  private reaches(a: NodeId, b: NodeId): boolean {
    return a === b || (this.sim.connected(a, b) && this.sim.connected(b, a));
  }

  private electionCounts(): BullyElectionMessageCounts {
    const { ELECTION, ANSWER, COORDINATOR } = this.messageCounts();
    return { ELECTION, ANSWER, COORDINATOR };
  }

  private recordElection(node: NodeId): void {
    this.closeIfQuiet();
    this.stableSinceMs = undefined; // a node that elects follows no one: not stable
    if (this.open === undefined) {
      this.open = {
        startMs: this.now,
        starters: [],
        electionsStartedCount: 0,
        sentAtStart: this.electionCounts(),
      };
    }
    if (!this.open.starters.includes(node)) this.open.starters.push(node);
    this.open.electionsStartedCount++;
    this.observe();
  }

  /** Updates the stability record after anything that may change it. */
  private observe(): void {
    this.closeIfQuiet();
    if (!this.isStable()) {
      this.stableSinceMs = undefined;
    } else if (this.stableSinceMs === undefined) {
      this.stableSinceMs = this.now;
      this.stableCoordinators = this.coordinators();
    }
  }

  /** Closes the running election once the cluster has been stable for settleMs. */
  private closeIfQuiet(): void {
    const open = this.open;
    const since = this.stableSinceMs;
    if (open === undefined || since === undefined) return;
    if (this.now - since < this.settleMs) return;
    assert(since >= open.startMs, "an election ends after it starts");
    this.closed.push(this.entry(open, since, this.stableCoordinators));
    this.open = undefined;
  }

  private entry(open: OpenElection, endMs: number | null, coordinators: NodeId[]): BullyElection {
    const now = this.electionCounts();
    const messagesByType = {
      ELECTION: now.ELECTION - open.sentAtStart.ELECTION,
      ANSWER: now.ANSWER - open.sentAtStart.ANSWER,
      COORDINATOR: now.COORDINATOR - open.sentAtStart.COORDINATOR,
    };
    return {
      starter: open.starters[0] as NodeId,
      starters: [...open.starters],
      electionsStartedCount: open.electionsStartedCount,
      startMs: open.startMs,
      endMs,
      coordinators: [...coordinators],
      messagesByType,
      messagesCount: messagesByType.ELECTION + messagesByType.ANSWER + messagesByType.COORDINATOR,
    };
  }
}

/** Node ids from a count ("n1" .. "nN") or a list (non-empty strings, no repeats). */
function clusterIds(nodes: unknown): NodeId[] {
  if (typeof nodes === "number") {
    const count = requireIntegerAtLeast("nodes", nodes, 1);
    return Array.from({ length: count }, (_, i) => `n${i + 1}`);
  }
  if (!Array.isArray(nodes) || nodes.length === 0) {
    throw invalidArgument("nodes", "an integer >= 1 or a non-empty array of node ids", nodes);
  }
  const seen = new Set<NodeId>();
  for (const id of nodes as unknown[]) {
    if (typeof id !== "string" || id.length === 0) {
      throw invalidArgument("nodes", "node ids that are non-empty strings", id);
    }
    if (seen.has(id)) throw invalidArgument("nodes", "distinct node ids", id);
    seen.add(id);
  }
  return [...seen];
}

/** The rank an id carries in its trailing digits: "n12" ranks 12. */
function suffixRank(id: NodeId): number {
  const digits = /(\d+)$/.exec(id)?.[1];
  if (digits === undefined) {
    throw invalidArgument(
      "node id",
      'an id ending in its rank (like "n3"), or a rank in the ranks option',
      id,
    );
  }
  return Number(digits);
}
