// The deterministic discrete-event simulator every chapter runs on, in the style of FoundationDB's
// simulation and TigerBeetle's VOPR: one seeded generator, virtual time, one event queue.

import { assert, invalidArgument, requireIntegerAtLeast, requireNumberAtLeast } from "./assert.js";
import { type ClockSettings, NodeClock } from "./clock.js";
import {
  CrashedNodeError,
  NoProgressError,
  StepLimitError,
  TimeLimitError,
  TraceFullError,
} from "./errors.js";
import { EventQueue } from "./event-queue.js";
import { jsonSizeBytes } from "./json-size.js";
import { type Link, Links, sampleLatencyMs, validateLinkOptions } from "./network.js";
import { Random } from "./random.js";
import { copyStorageValue } from "./stable-copy.js";
import { type TraceFilter, filterTrace } from "./trace.js";
import type {
  DropReason,
  Envelope,
  FiredTimer,
  LinkOptions,
  Message,
  NodeContext,
  NodeId,
  Process,
  ProcessFactory,
  SimulationStats,
  StableStorage,
  TamperHook,
  TimerId,
  TraceEvent,
} from "./types.js";

/** How a simulation is set up. Only the seed is required. */
export interface SimulationOptions {
  /** Seed of the one random generator: an integer in [0, 2^32 - 1]. Same seed, same run. */
  readonly seed: number;
  /** Network defaults for every link (see {@link LinkOptions}). */
  readonly network?: LinkOptions;
  /** Trace capacity; reaching it is an error. 0 turns tracing off. Default 1,000,000. */
  readonly traceEventsMax?: number;
  /** Events one call of runFor / runUntil / run may process before failing. Default 100,000,000. */
  readonly stepsMax?: number;
  /** Size of a message body on the wire. Default: UTF-8 bytes of its JSON ({@link jsonSizeBytes}). */
  readonly messageSizeBytes?: (message: Message) => number;
}

/** Limits of one `runUntil` call. */
export interface RunUntilOptions {
  /** Simulated time budget in ms, counted from the call. Default 60,000. */
  readonly timeMsMax?: number;
  /** Event budget for this call. Default: the simulation's stepsMax. */
  readonly stepsMax?: number;
}

interface TimerRecord {
  readonly id: TimerId;
  readonly name: string;
  readonly data: unknown;
  readonly incarnation: number;
  cancelled: boolean;
}

type EventKind = "start" | "deliver" | "timer" | "action" | "resume";

interface QueuedEvent {
  timeMs: number;
  seq: number;
  readonly kind: EventKind;
  /** The node the event happens at (for "deliver": the receiver). */
  readonly node: NodeId;
  /** For "deliver": the sender, as the network knows it (a tampered message may claim another). */
  readonly from: NodeId;
  /** For "deliver": the link it travels, checked for a partition on arrival. */
  readonly link: Link | undefined;
  readonly envelope: Envelope | undefined;
  readonly messageId: number;
  readonly sentAtMs: number;
  readonly sizeBytes: number;
  readonly timer: TimerRecord | undefined;
  readonly action: (() => void) | undefined;
  /** For "start": the incarnation it starts; stale starts are skipped. */
  readonly incarnation: number;
}

interface DurableLog {
  firstIndex: number;
  readonly entries: unknown[];
}

interface NodeRecord<M extends Message> {
  readonly id: NodeId;
  readonly factory: ProcessFactory<M>;
  readonly storage: Map<string, unknown>;
  /** Durable logs by name: entries[k] is the entry at index firstIndex + k. */
  readonly logs: Map<string, DurableLog>;
  readonly clock: NodeClock;
  readonly timers: Map<TimerId, TimerRecord>;
  // invariant: process and context are undefined exactly when crashed is true.
  process: Process<M> | undefined;
  context: SimNodeContext<M> | undefined;
  crashed: boolean;
  /** Bumped at every crash and restart: timers and contexts of earlier incarnations are dead. */
  incarnation: number;
  /** True time at which a pause ends; until its resume event runs, events wait. 0: not paused. */
  pausedUntilMs: number;
  /** Events that came due during a pause, in the order they came; replayed in that order on resume. */
  backlog: QueuedEvent[];
}

const NO_NODE = "";

/**
 * The envelope: a frozen copy of the body with sender and receiver. Object.assign and then two
 * stores is ~50x faster in V8 than `{ ...body, from, to }`, whose clone-then-extend path is slow.
 */
function stamp(body: Message, from: NodeId, to: NodeId): Envelope {
  const envelope = Object.assign({}, body) as { type: string; from: NodeId; to: NodeId };
  envelope.from = from;
  envelope.to = to;
  // Frozen, so a receiver or tamper hook cannot rewrite what the trace recorded (in strict code
  // an assignment throws). Shallow: treat nested data in a message as read-only too.
  return Object.freeze(envelope);
}

/**
 * A deterministic simulation of nodes exchanging messages over a faulty network.
 *
 * Every source of nondeterminism (latency, loss, duplication, node randomness) draws from one
 * generator seeded by `options.seed`, and events run in (time, sequence) order, so the same seed
 * and the same script give the same trace, byte for byte.
 *
 * @example
 * const sim = new Simulation<{ type: "ping" } | { type: "pong" }>({ seed: 1 });
 * sim.addNode("a", () => ({
 *   onStart: (ctx) => ctx.send("b", { type: "ping" }),
 *   onMessage: () => {},
 * }));
 * sim.addNode("b", () => ({
 *   onMessage: (ctx, msg) => { if (msg.type === "ping") ctx.send(msg.from, { type: "pong" }); },
 * }));
 * sim.runFor(10);
 * sim.stats.messagesDelivered; // 2
 */
export class Simulation<M extends Message = Message> {
  /** The one seeded generator; harness scripts may draw from it too. */
  readonly random: Random;
  private nowMs = 0;
  private seq = 0;
  private nextMessageId = 0;
  private nextTimerId = 0;
  private readonly queue = new EventQueue<QueuedEvent>();
  private readonly nodes = new Map<NodeId, NodeRecord<M>>();
  private readonly ids: NodeId[] = [];
  private readonly links = new Links();
  private tamperHook: TamperHook | undefined;
  private readonly traceEvents: TraceEvent[] = [];
  private readonly traceEventsMax: number;
  private readonly stepsMax: number;
  private readonly sizeOf: (message: Message) => number;
  private readonly tracing: boolean;
  private readonly counters = {
    messagesSent: 0,
    messagesDelivered: 0,
    messagesDropped: 0,
    messagesDuplicated: 0,
    bytesSent: 0,
    bytesDelivered: 0,
    timersFired: 0,
    storageWrites: 0,
    eventsProcessed: 0,
  };
  private readonly droppedByReason: Record<DropReason, number> = {
    loss: 0,
    partition: 0,
    crashed: 0,
    tampered: 0,
  };
  private readonly sentByType = new Map<string, number>();

  constructor(options: SimulationOptions) {
    if (typeof options !== "object" || options === null) {
      throw invalidArgument("options", "an object with at least a seed", options);
    }
    this.random = new Random(options.seed);
    this.traceEventsMax = requireIntegerAtLeast(
      "traceEventsMax",
      options.traceEventsMax ?? 1_000_000,
      0,
    );
    this.stepsMax = requireIntegerAtLeast("stepsMax", options.stepsMax ?? 100_000_000, 1);
    this.sizeOf = options.messageSizeBytes ?? jsonSizeBytes;
    this.tracing = this.traceEventsMax > 0;
    if (options.network !== undefined) this.configureNetwork(options.network);
  }

  /** True (simulator) time in ms. Nodes never see it: they read their own clocks. */
  get now(): number {
    return this.nowMs;
  }

  /** The seed this run was made from. */
  get seed(): number {
    return this.random.seed;
  }

  // ---------------------------------------------------------------- nodes

  /**
   * Adds a node. Its process is made now and started (`onStart`) as an event at the current time,
   * after the nodes added in the same setup step exist.
   */
  addNode(id: NodeId, factory: ProcessFactory<M>): this {
    if (typeof id !== "string" || id.length === 0) {
      throw invalidArgument("node id", "a non-empty string", id);
    }
    if (this.nodes.has(id)) {
      throw new RangeError(
        `node id must be unique in the simulation, got "${id}", which is already added`,
      );
    }
    if (typeof factory !== "function") {
      throw invalidArgument(`factory of node "${id}"`, "a function returning a process", factory);
    }
    const record: NodeRecord<M> = {
      id,
      factory,
      storage: new Map(),
      logs: new Map(),
      clock: new NodeClock(),
      timers: new Map(),
      process: undefined,
      context: undefined,
      crashed: false,
      incarnation: 0,
      pausedUntilMs: 0,
      backlog: [],
    };
    this.nodes.set(id, record);
    this.ids.push(id);
    this.boot(record);
    return this;
  }

  /** All node ids, in the order they were added. */
  nodeIds(): readonly NodeId[] {
    return this.ids;
  }

  /** The running process of a node, or undefined while it is crashed. */
  processOf(id: NodeId): Process<M> | undefined {
    return this.node(id, "id").process;
  }

  /** Runs `fn` as node `id` at the current time: what it sends and schedules is the node's. */
  withNode<R>(id: NodeId, fn: (ctx: NodeContext<M>, process: Process<M>) => R): R {
    const record = this.node(id, "id");
    if (record.crashed || record.process === undefined || record.context === undefined) {
      throw new CrashedNodeError(`node "${id}" is crashed: restart it before acting as it`);
    }
    return fn(record.context, record.process);
  }

  /** True unless the node is crashed. */
  isUp(id: NodeId): boolean {
    return !this.node(id, "id").crashed;
  }

  /** True while the node is in a pause. */
  isPaused(id: NodeId): boolean {
    return this.node(id, "id").pausedUntilMs !== 0;
  }

  /**
   * A copy of a node's stable storage, for inspection: every key with its value, and every durable
   * log under its name as `{ firstIndex, entries }`.
   */
  storageOf(id: NodeId): ReadonlyMap<string, unknown> {
    const record = this.node(id, "id");
    const copy = new Map<string, unknown>();
    for (const [key, value] of record.storage) copy.set(key, copyStorageValue(value));
    for (const [name, log] of record.logs) {
      copy.set(name, { firstIndex: log.firstIndex, entries: log.entries.map(copyStorageValue) });
    }
    return copy;
  }

  // ---------------------------------------------------------------- node faults

  /** Crashes a node: its process and pending timers are gone, its stable storage stays. */
  crash(id: NodeId): void {
    const record = this.node(id, "id");
    if (record.crashed)
      throw invalidArgument("crash(id)", "a running node", `${id} (already crashed)`);
    record.crashed = true;
    record.process = undefined;
    record.context = undefined;
    record.incarnation++;
    record.pausedUntilMs = 0;
    record.timers.clear();
    this.record({ kind: "crash", timeMs: this.nowMs, node: id });
    // Messages waiting in a paused node's buffers die with it; its timers die silently.
    for (const event of record.backlog) {
      if (event.kind === "deliver") this.dropOnArrival(event, "crashed");
    }
    record.backlog = [];
  }

  /** Restarts a crashed node: a fresh process from the factory, started with its stable storage. */
  restart(id: NodeId): void {
    const record = this.node(id, "id");
    if (!record.crashed) throw invalidArgument("restart(id)", "a crashed node", `${id} (running)`);
    record.crashed = false;
    record.incarnation++;
    this.record({ kind: "restart", timeMs: this.nowMs, node: id });
    this.boot(record);
  }

  /**
   * Pauses a node for `durationMs` of true time, like a long GC pause: it handles nothing meanwhile,
   * then wakes up and handles the backlog of messages and timers with the view it had before.
   */
  pause(id: NodeId, durationMs: number): void {
    const record = this.node(id, "id");
    requireNumberAtLeast("durationMs", durationMs, 0);
    if (record.crashed) throw invalidArgument("pause(id)", "a running node", `${id} (crashed)`);
    const untilMs = Math.max(record.pausedUntilMs, this.nowMs + durationMs);
    record.pausedUntilMs = untilMs;
    this.record({ kind: "pause", timeMs: this.nowMs, node: id, durationMs });
    this.push(untilMs, "resume", id, record.incarnation);
  }

  /** Sets a node's clock offset (a jump, now) and/or drift (from now on). */
  setClock(id: NodeId, settings: ClockSettings): void {
    const record = this.node(id, "id");
    record.clock.set(this.nowMs, settings);
    this.record({
      kind: "clock",
      timeMs: this.nowMs,
      node: id,
      offsetMs: record.clock.offsetAt(this.nowMs),
      driftPpm: record.clock.driftPpm,
    });
  }

  /** What a node's own clock reads now. */
  clockOf(id: NodeId): number {
    return this.node(id, "id").clock.read(this.nowMs);
  }

  // ---------------------------------------------------------------- network

  /** Changes the defaults of every link (links' own settings still win). */
  configureNetwork(options: LinkOptions): void {
    validateLinkOptions(options, "network");
    this.links.setDefaults(options);
  }

  /** The current network defaults. */
  networkDefaults(): Required<LinkOptions> {
    return this.links.getDefaults();
  }

  /** Configures the directed link from → to; with `bothWays`, also to → from. */
  configureLink(from: NodeId, to: NodeId, options: LinkOptions, bothWays = false): void {
    this.node(from, "from");
    this.node(to, "to");
    validateLinkOptions(options, `link ${from}->${to}`);
    this.links.configure(from, to, options);
    if (bothWays) this.links.configure(to, from, options);
  }

  /**
   * Cuts the network into groups that cannot reach each other, in either direction. Nodes listed in
   * no group form one more group together. A message in flight across the cut is lost if the cut
   * still stands when it arrives.
   *
   * @example
   * sim.partition([["a", "b"], ["c", "d", "e"]]);
   */
  partition(groups: readonly (readonly NodeId[])[]): void {
    const listed = this.checkGroups(groups);
    const rest = this.ids.filter((id) => !listed.has(id));
    const all = rest.length > 0 ? [...groups, rest] : [...groups];
    for (let g = 0; g < all.length; g++) {
      for (let h = 0; h < all.length; h++) {
        if (g === h) continue;
        for (const from of all[g] ?? []) {
          for (const to of all[h] ?? []) this.links.get(from, to).blocked = true;
        }
      }
    }
    this.record({
      kind: "partition",
      timeMs: this.nowMs,
      groups: all.map((group) => [...group]),
      oneWay: false,
    });
  }

  /** Blocks messages from every node in `senders` to every node in `receivers`, one way only. */
  partitionOneWay(senders: readonly NodeId[], receivers: readonly NodeId[]): void {
    this.checkGroups([senders, receivers]);
    for (const from of senders) {
      for (const to of receivers) this.links.get(from, to).blocked = true;
    }
    this.record({
      kind: "partition",
      timeMs: this.nowMs,
      groups: [[...senders], [...receivers]],
      oneWay: true,
    });
  }

  /** Cuts one node off from all others, both ways. */
  isolate(id: NodeId): void {
    this.node(id, "id");
    this.partition([[id]]);
  }

  /** Removes every partition. */
  heal(): void {
    this.links.unblockAll();
    this.record({ kind: "heal", timeMs: this.nowMs });
  }

  /** True if a message sent now from → to could arrive (no partition between them). */
  connected(from: NodeId, to: NodeId): boolean {
    this.node(from, "from");
    this.node(to, "to");
    return this.links.find(from, to)?.blocked !== true;
  }

  /** Installs (or removes, with undefined) a hook that may alter or drop any message in flight. */
  setTamper(hook: TamperHook | undefined): void {
    if (hook !== undefined && typeof hook !== "function") {
      throw invalidArgument("tamper hook", "a function or undefined", hook);
    }
    this.tamperHook = hook;
  }

  // ---------------------------------------------------------------- scripted actions

  /** Runs `action` after `delayMs` of true time (for scripted faults and client requests). */
  schedule(delayMs: number, action: () => void): void {
    requireNumberAtLeast("delayMs", delayMs, 0);
    this.at(this.nowMs + delayMs, action);
  }

  /** Runs `action` at true time `timeMs` (not in the past). */
  at(timeMs: number, action: () => void): void {
    requireNumberAtLeast("timeMs", timeMs, this.nowMs);
    if (typeof action !== "function") throw invalidArgument("action", "a function", action);
    this.push(timeMs, "action", NO_NODE, 0, undefined, action);
  }

  // ---------------------------------------------------------------- running

  /** Processes the next event. Returns false when no event is left. */
  step(): boolean {
    const event = this.queue.pop();
    if (event === undefined) return false;
    assert(event.timeMs >= this.nowMs, "time never goes backwards");
    this.nowMs = event.timeMs;
    this.counters.eventsProcessed++;
    this.dispatch(event);
    return true;
  }

  /** Runs every event due in the next `ms` of true time, then sets the clock to the end of it. */
  runFor(ms: number): void {
    requireNumberAtLeast("ms", ms, 0);
    const endMs = this.nowMs + ms;
    let steps = 0;
    for (;;) {
      const next = this.queue.peek();
      if (next === undefined || next.timeMs > endMs) break;
      if (++steps > this.stepsMax) this.failSteps("runFor", this.stepsMax);
      this.step();
    }
    this.nowMs = endMs;
  }

  /**
   * Runs until `predicate()` holds and returns the true time then. Throws
   * {@link TimeLimitError} after `timeMsMax` of simulated time, {@link NoProgressError} if no event
   * is left while the predicate is false, {@link StepLimitError} after `stepsMax` events.
   */
  runUntil(predicate: () => boolean, options: RunUntilOptions = {}): number {
    const timeMsMax = requireNumberAtLeast("timeMsMax", options.timeMsMax ?? 60_000, 0);
    const stepsMax = requireIntegerAtLeast("stepsMax", options.stepsMax ?? this.stepsMax, 1);
    const startMs = this.nowMs;
    const deadlineMs = startMs + timeMsMax;
    let steps = 0;
    while (!predicate()) {
      const next = this.queue.peek();
      if (next === undefined) {
        throw new NoProgressError(
          `runUntil made no progress: no event is left at t=${this.nowMs} ms and the predicate ` +
            "is still false, so nothing can make it true",
        );
      }
      if (next.timeMs > deadlineMs) {
        this.nowMs = deadlineMs;
        throw new TimeLimitError(
          `runUntil: the predicate is still false after timeMsMax=${timeMsMax} ms of simulated ` +
            `time (from t=${startMs} to t=${deadlineMs} ms); raise timeMsMax or check the predicate`,
        );
      }
      if (++steps > stepsMax) this.failSteps("runUntil", stepsMax);
      this.step();
    }
    return this.nowMs;
  }

  /** Runs until no event is left (fails with StepLimitError on a run that never ends). */
  runToCompletion(): void {
    let steps = 0;
    while (this.queue.size > 0) {
      if (++steps > this.stepsMax) this.failSteps("runToCompletion", this.stepsMax);
      this.step();
    }
  }

  /** Number of events waiting. */
  get pendingEvents(): number {
    return this.queue.size;
  }

  // ---------------------------------------------------------------- observing

  /** Every trace event so far, in order. */
  get trace(): readonly TraceEvent[] {
    return this.traceEvents;
  }

  /** The trace events that pass `filter`. */
  traceWhere(filter: TraceFilter): TraceEvent[] {
    return filterTrace(this.traceEvents, filter);
  }

  /** A snapshot of the counters. */
  get stats(): SimulationStats {
    return {
      ...this.counters,
      droppedByReason: { ...this.droppedByReason },
      sentByType: Object.fromEntries(this.sentByType),
    };
  }

  // ---------------------------------------------------------------- internals

  private node(id: NodeId, role: string): NodeRecord<M> {
    const record = this.nodes.get(id);
    if (record === undefined) {
      throw invalidArgument(
        role,
        `a node id of this simulation (${this.ids.map((known) => JSON.stringify(known)).join(", ") || "none yet"})`,
        id,
      );
    }
    return record;
  }

  private checkGroups(groups: readonly (readonly NodeId[])[]): Set<NodeId> {
    if (!Array.isArray(groups) || groups.length === 0) {
      throw invalidArgument("groups", "a non-empty array of arrays of node ids", groups);
    }
    const seen = new Set<NodeId>();
    for (const group of groups) {
      if (!Array.isArray(group) || group.length === 0) {
        throw invalidArgument("each partition group", "a non-empty array of node ids", group);
      }
      for (const id of group as NodeId[]) {
        this.node(id, "partition member");
        if (seen.has(id))
          throw invalidArgument("partition groups", "disjoint (a node in one group only)", id);
        seen.add(id);
      }
    }
    return seen;
  }

  private boot(record: NodeRecord<M>): void {
    const process = record.factory(record.id);
    if (
      typeof process !== "object" ||
      process === null ||
      typeof process.onMessage !== "function"
    ) {
      throw invalidArgument(
        `factory of node "${record.id}"`,
        "a function returning an object with an onMessage method",
        process,
      );
    }
    record.process = process;
    record.context = new SimNodeContext(this.hooks, record, record.incarnation);
    this.push(this.nowMs, "start", record.id, record.incarnation);
  }

  /** Queues a non-message event (deliveries are queued by scheduleArrival). */
  private push(
    timeMs: number,
    kind: EventKind,
    node: NodeId,
    incarnation: number,
    timer: TimerRecord | undefined = undefined,
    action: (() => void) | undefined = undefined,
  ): void {
    // One property order for every queued event keeps the hot loop monomorphic.
    this.queue.push({
      timeMs,
      seq: this.seq++,
      kind,
      node,
      incarnation,
      from: NO_NODE,
      envelope: undefined,
      messageId: 0,
      sentAtMs: 0,
      sizeBytes: 0,
      link: undefined,
      timer,
      action,
    });
  }

  /** Holds an event for a paused node until its pause ends (see the "resume" event). */
  private deferred(event: QueuedEvent, record: NodeRecord<M>): boolean {
    // Paused until its resume event runs, even at the resume instant itself.
    if (record.pausedUntilMs === 0) return false;
    record.backlog.push(event);
    return true;
  }

  private dispatch(event: QueuedEvent): void {
    switch (event.kind) {
      case "deliver":
        return this.deliver(event);
      case "timer":
        return this.fireTimer(event);
      case "action":
        (event.action as () => void)();
        return;
      case "start": {
        const record = this.nodes.get(event.node) as NodeRecord<M>;
        if (record.incarnation !== event.incarnation || record.crashed) return;
        if (this.deferred(event, record)) return;
        const process = record.process as Process<M>;
        process.onStart?.(record.context as SimNodeContext<M>);
        return;
      }
      case "resume": {
        const record = this.nodes.get(event.node) as NodeRecord<M>;
        if (record.incarnation !== event.incarnation) return;
        // A pause extended by a later pause leaves this resume stale: the later one will run.
        if (record.pausedUntilMs !== this.nowMs) return;
        record.pausedUntilMs = 0;
        this.record({ kind: "resume", timeMs: this.nowMs, node: event.node });
        // Handle the backlog right now, in the order it built up. Re-queueing it instead would let
        // an event due at this same instant overtake it, breaking per-link FIFO.
        const backlog = record.backlog;
        record.backlog = [];
        for (const waiting of backlog) this.dispatch(waiting);
        return;
      }
    }
  }

  private deliver(event: QueuedEvent): void {
    const record = this.nodes.get(event.node) as NodeRecord<M>;
    const envelope = event.envelope as Envelope;
    if (record.crashed) return this.dropOnArrival(event, "crashed");
    if (this.deferred(event, record)) return;
    if ((event.link as Link).blocked) return this.dropOnArrival(event, "partition");
    this.counters.messagesDelivered++;
    this.counters.bytesDelivered += event.sizeBytes;
    if (this.tracing)
      this.record({
        kind: "deliver",
        timeMs: this.nowMs,
        messageId: event.messageId,
        from: event.from,
        to: event.node,
        message: envelope,
        sentAtMs: event.sentAtMs,
      });
    (record.process as Process<M>).onMessage(
      record.context as SimNodeContext<M>,
      envelope as Envelope<M>,
    );
  }

  private fireTimer(event: QueuedEvent): void {
    const timer = event.timer as TimerRecord;
    const record = this.nodes.get(event.node) as NodeRecord<M>;
    if (timer.cancelled || record.crashed || timer.incarnation !== record.incarnation) return;
    if (this.deferred(event, record)) return;
    record.timers.delete(timer.id);
    this.counters.timersFired++;
    if (this.tracing)
      this.record({
        kind: "timer",
        timeMs: this.nowMs,
        node: record.id,
        timerId: timer.id,
        name: timer.name,
      });
    const fired: FiredTimer = { id: timer.id, name: timer.name, data: timer.data };
    const process = record.process as Process<M>;
    (process.onTimer as NonNullable<Process<M>["onTimer"]>).call(
      process,
      record.context as SimNodeContext<M>,
      fired,
    );
  }

  private dropOnArrival(event: QueuedEvent, reason: DropReason): void {
    const envelope = event.envelope as Envelope;
    this.drop(event.from, event.node, envelope, event.messageId, event.sentAtMs, reason);
  }

  private drop(
    from: NodeId,
    to: NodeId,
    envelope: Envelope,
    messageId: number,
    sentAtMs: number,
    reason: DropReason,
  ): void {
    this.counters.messagesDropped++;
    this.droppedByReason[reason]++;
    this.record({
      kind: "drop",
      timeMs: this.nowMs,
      messageId,
      from,
      to,
      message: envelope,
      sentAtMs,
      reason,
    });
  }

  private transmit(from: NodeId, to: NodeId, body: M, bodySizeBytes = -1): void {
    // Links are made on first use; that is the moment to check that the receiver exists.
    let link = this.links.find(from, to);
    if (link === undefined) {
      this.node(to, `destination of a message from "${from}"`);
      link = this.links.get(from, to);
    }
    if (typeof body !== "object" || body === null || typeof body.type !== "string") {
      throw invalidArgument(
        `message from "${from}" to "${to}"`,
        "an object with a string type",
        body,
      );
    }
    let envelope = stamp(body, from, to);
    const messageId = this.nextMessageId++;
    const sizeBytes = bodySizeBytes >= 0 ? bodySizeBytes : this.sizeOf(body);
    const nowMs = this.nowMs;
    this.counters.messagesSent++;
    this.counters.bytesSent += sizeBytes;
    this.sentByType.set(body.type, (this.sentByType.get(body.type) ?? 0) + 1);
    if (this.tracing) {
      this.record({
        kind: "send",
        timeMs: nowMs,
        messageId,
        from,
        to,
        message: envelope,
        sizeBytes,
      });
    }
    if (link.blocked) return this.drop(from, to, envelope, messageId, nowMs, "partition");
    let departureMs = nowMs;
    if (link.bandwidthBytesPerMs !== Number.POSITIVE_INFINITY) {
      departureMs = Math.max(nowMs, link.busyUntilMs) + sizeBytes / link.bandwidthBytesPerMs;
      link.busyUntilMs = departureMs;
    }
    if (link.dropProbability > 0 && this.random.next() < link.dropProbability) {
      return this.drop(from, to, envelope, messageId, nowMs, "loss");
    }
    if (this.tamperHook !== undefined) {
      const tampered = this.tamperHook(envelope);
      if (tampered === undefined)
        return this.drop(from, to, envelope, messageId, nowMs, "tampered");
      if (tampered !== envelope) {
        const original = envelope;
        envelope = Object.freeze(Object.assign({}, tampered));
        this.record({
          kind: "tamper",
          timeMs: nowMs,
          messageId,
          from,
          to,
          message: envelope,
          original,
        });
      }
    }
    this.scheduleArrival(from, to, link, envelope, messageId, departureMs, sizeBytes);
    if (link.duplicateProbability > 0 && this.random.next() < link.duplicateProbability) {
      this.counters.messagesDuplicated++;
      this.record({ kind: "duplicate", timeMs: nowMs, messageId, from, to, message: envelope });
      this.scheduleArrival(from, to, link, envelope, messageId, departureMs, sizeBytes);
    }
  }

  private scheduleArrival(
    from: NodeId,
    to: NodeId,
    link: Link,
    envelope: Envelope,
    messageId: number,
    departureMs: number,
    sizeBytes: number,
  ): void {
    let arrivalMs = departureMs + sampleLatencyMs(link.latency, this.random);
    if (!link.reorder) {
      // FIFO: never overtake an earlier message; equal times keep send order through seq.
      if (arrivalMs < link.lastArrivalMs) arrivalMs = link.lastArrivalMs;
      link.lastArrivalMs = arrivalMs;
    }
    // Same property order as push() builds, so all queued events share one hidden class.
    this.queue.push({
      timeMs: arrivalMs,
      seq: this.seq++,
      kind: "deliver",
      node: to,
      incarnation: 0,
      from,
      envelope,
      messageId,
      sentAtMs: this.nowMs,
      sizeBytes,
      link,
      timer: undefined,
      action: undefined,
    });
  }

  private record(event: TraceEvent): void {
    if (this.traceEventsMax === 0) return;
    if (this.traceEvents.length >= this.traceEventsMax) {
      throw new TraceFullError(
        `the trace is full (traceEventsMax=${this.traceEventsMax}) at t=${this.nowMs} ms: ` +
          "raise traceEventsMax, or pass traceEventsMax: 0 to run without a trace",
      );
    }
    this.traceEvents.push(event);
  }

  private failSteps(call: string, stepsMax: number): never {
    throw new StepLimitError(
      `${call} processed stepsMax=${stepsMax} events and stopped at t=${this.nowMs} ms: ` +
        "a node may be sending or setting timers in a zero-delay loop",
    );
  }

  /** The narrow interface contexts use to reach back into the simulation. */
  private readonly hooks: ContextHooks<M> = {
    ids: () => this.ids,
    now: () => this.nowMs,
    send: (from, to, message, sizeBytes) => this.transmit(from, to, message, sizeBytes),
    sizeOf: (message) => this.sizeOf(message),
    setTimer: (record, delayMs, name, data) => {
      requireNumberAtLeast("delayMs", delayMs, 0);
      if (typeof name !== "string") throw invalidArgument("timer name", "a string", name);
      if (typeof record.process?.onTimer !== "function") {
        throw invalidArgument(
          `setTimer on node "${record.id}"`,
          "a process with an onTimer handler",
          "a process without onTimer",
        );
      }
      const timer: TimerRecord = {
        id: this.nextTimerId++,
        name,
        data,
        incarnation: record.incarnation,
        cancelled: false,
      };
      record.timers.set(timer.id, timer);
      const dueMs = this.nowMs + record.clock.trueDurationOf(delayMs);
      this.push(dueMs, "timer", record.id, record.incarnation, timer);
      return timer.id;
    },
    cancelTimer: (record, id) => {
      const timer = record.timers.get(id);
      if (timer === undefined) return;
      timer.cancelled = true;
      record.timers.delete(id);
    },
    random: () => this.random,
    note: (node, text) =>
      this.record({ kind: "note", timeMs: this.nowMs, node, text: String(text) }),
    storageWrite: () => {
      this.counters.storageWrites++;
    },
  };
}

interface ContextHooks<M extends Message> {
  ids(): readonly NodeId[];
  now(): number;
  send(from: NodeId, to: NodeId, message: M, sizeBytes?: number): void;
  sizeOf(message: M): number;
  setTimer(record: NodeRecord<M>, delayMs: number, name: string, data: unknown): TimerId;
  cancelTimer(record: NodeRecord<M>, id: TimerId): void;
  random(): Random;
  note(node: NodeId, text: string): void;
  storageWrite(): void;
}

/** A node's context for one incarnation; it goes dead when the node crashes. */
class SimNodeContext<M extends Message> implements NodeContext<M> {
  readonly storage: StableStorage;

  constructor(
    private readonly hooks: ContextHooks<M>,
    private readonly record: NodeRecord<M>,
    private readonly incarnation: number,
  ) {
    const map = record.storage;
    const logs = record.logs;
    const check = () => this.checkAlive("use its storage");
    const logNamed = (name: string): DurableLog => {
      if (typeof name !== "string") throw invalidArgument("log name", "a string", name);
      let log = logs.get(name);
      if (log === undefined) {
        if (map.has(name)) {
          throw invalidArgument("log name", `a name that is not a key already set`, name);
        }
        log = { firstIndex: 1, entries: [] };
        logs.set(name, log);
      }
      return log;
    };
    const indexIn = (label: string, index: unknown): number => {
      if (typeof index !== "number" || !Number.isSafeInteger(index) || index < 1) {
        throw invalidArgument(label, "an integer >= 1", index);
      }
      return index;
    };
    this.storage = {
      get: <T>(key: string): T | undefined => {
        check();
        const value = map.get(key);
        return copyStorageValue(value) as T | undefined;
      },
      set: (key: string, value: unknown): void => {
        check();
        if (logs.has(key)) throw invalidArgument("key", "a name that is not a log", key);
        map.set(key, copyStorageValue(value));
        hooks.storageWrite();
      },
      delete: (key: string): void => {
        check();
        map.delete(key);
        hooks.storageWrite();
      },
      keys: (): string[] => {
        check();
        return [...map.keys()];
      },
      appendLog: (name: string, entries: readonly unknown[]): void => {
        check();
        const log = logNamed(name);
        if (!Array.isArray(entries)) throw invalidArgument("entries", "an array", entries);
        for (const entry of entries) log.entries.push(copyStorageValue(entry));
        hooks.storageWrite();
      },
      truncateLog: (name: string, fromIndex: number): void => {
        check();
        const log = logNamed(name);
        const from = indexIn("fromIndex", fromIndex);
        const keep = Math.max(0, from - log.firstIndex);
        if (keep < log.entries.length) log.entries.length = keep;
        hooks.storageWrite();
      },
      compactLog: (name: string, throughIndex: number): void => {
        check();
        const log = logNamed(name);
        const through = indexIn("throughIndex", throughIndex);
        if (through < log.firstIndex) return;
        log.entries.splice(0, Math.min(log.entries.length, through - log.firstIndex + 1));
        log.firstIndex = through + 1;
        hooks.storageWrite();
      },
      readLog: <T>(name: string): { firstIndex: number; entries: T[] } => {
        check();
        const log = logNamed(name);
        return { firstIndex: log.firstIndex, entries: log.entries.map(copyStorageValue) as T[] };
      },
    };
  }

  get id(): NodeId {
    return this.record.id;
  }

  nodeIds(): readonly NodeId[] {
    return this.hooks.ids();
  }

  now(): number {
    return this.record.clock.read(this.hooks.now());
  }

  send(to: NodeId, message: M): void {
    this.checkAlive("send");
    this.hooks.send(this.record.id, to, message);
  }

  broadcast(message: M): void {
    this.checkAlive("send");
    const sizeBytes = this.hooks.sizeOf(message); // one body, measured once for all receivers
    for (const to of this.hooks.ids()) {
      if (to !== this.record.id) this.hooks.send(this.record.id, to, message, sizeBytes);
    }
  }

  setTimer(delayMs: number, name: string, data?: unknown): TimerId {
    this.checkAlive("set a timer");
    return this.hooks.setTimer(this.record, delayMs, name, data);
  }

  cancelTimer(id: TimerId): void {
    this.checkAlive("cancel a timer");
    this.hooks.cancelTimer(this.record, id);
  }

  random(): number {
    return this.hooks.random().next();
  }

  randomInt(min: number, max: number): number {
    return this.hooks.random().int(min, max);
  }

  log(text: string): void {
    this.checkAlive("log");
    this.hooks.note(this.record.id, text);
  }

  private checkAlive(action: string): void {
    if (this.record.crashed || this.record.incarnation !== this.incarnation) {
      throw new CrashedNodeError(
        `node "${this.record.id}" is crashed and cannot ${action}` +
          (this.record.crashed ? "" : " with a context from before its restart"),
      );
    }
  }
}
