// Shared types of the deterministic network simulator: messages, node processes, contexts,
// network settings and trace events. One message shape across distsys: { from, to, type, ... }.

/** A node's name, unique in a simulation. */
export type NodeId = string;

/** What a protocol sends: any plain data with a `type` tag. */
export interface Message {
  readonly type: string;
}

/** A message as delivered: the body plus the sender and receiver the simulator stamped on it. */
export type Envelope<M extends Message = Message> = M & {
  readonly from: NodeId;
  readonly to: NodeId;
};

/** Identifies a timer set through {@link NodeContext.setTimer}. */
export type TimerId = number;

/** What a node's `onTimer` receives. */
export interface FiredTimer {
  readonly id: TimerId;
  readonly name: string;
  readonly data: unknown;
}

/**
 * Stable storage of one node: it survives a crash and restart, unlike the node's fields.
 * Values are copied in and out as by `structuredClone`: `set` keeps a copy, so later changes to an
 * object in memory do not leak into what was persisted, and `get` returns a fresh, mutable copy
 * that shares nothing with what is stored (a frozen value comes back unfrozen). Plain objects and
 * arrays are copied by a cheap hand-written walk, other values (Map, Date, typed arrays...) by
 * `structuredClone`; values it cannot clone (functions, symbols) make `set` throw its error.
 *
 * @example
 * ctx.storage.set("currentTerm", 3);
 * ctx.storage.appendLog("log", [Object.freeze({ term: 1, command: "x" })]);
 * ctx.storage.readLog<{ term: number; command: string }>("log");
 * // { firstIndex: 1, entries: [{ term: 1, command: "x" }] }, copies
 */
export interface StableStorage {
  get<T>(key: string): T | undefined;
  set(key: string, value: unknown): void;
  delete(key: string): void;
  /** Keys of the values set (not the names of logs). */
  keys(): string[];
  /**
   * Appends copies of `entries` to the durable log `name` (created empty, first index 1, on first
   * use): a write-ahead log, cheaper than a key per entry. One call is one storage write, as one
   * write of a batch. A name is either a log or a key, never both.
   */
  appendLog(name: string, entries: readonly unknown[]): void;
  /** Removes the entries of log `name` from index `fromIndex` on (a conflicting suffix). */
  truncateLog(name: string, fromIndex: number): void;
  /**
   * Removes the entries of log `name` up to and including `throughIndex` (compaction after a
   * snapshot); later entries keep their indices, and the log's first index becomes
   * throughIndex + 1 even if it held fewer entries.
   */
  compactLog(name: string, throughIndex: number): void;
  /** Copies of the entries of log `name` and the index of the first (1 for a new log). */
  readLog<T>(name: string): { readonly firstIndex: number; readonly entries: T[] };
}

/**
 * Everything a node may do, handed to each of its handlers. It is the node's only window on the
 * world: time is the node's own clock, randomness is the simulation's seeded generator.
 */
export interface NodeContext<M extends Message = Message> {
  /** This node's id. */
  readonly id: NodeId;
  /** Stable storage: kept across crashes. */
  readonly storage: StableStorage;
  /** All node ids in the simulation, in the order they were added (includes this node). */
  nodeIds(): readonly NodeId[];
  /** This node's own clock in ms: true time shifted by its offset and scaled by its drift. */
  now(): number;
  /** Sends `message` to node `to`; the network decides if, when and how often it arrives. */
  send(to: NodeId, message: M): void;
  /** Sends `message` to every other node. */
  broadcast(message: M): void;
  /** Fires `onTimer` after `delayMs` of this node's clock. Returns an id for `cancelTimer`. */
  setTimer(delayMs: number, name: string, data?: unknown): TimerId;
  /** Cancels a pending timer; cancelling a fired or unknown timer does nothing. */
  cancelTimer(id: TimerId): void;
  /** A float in [0, 1) from the simulation's seeded generator. */
  random(): number;
  /** An integer in [min, max] from the simulation's seeded generator. */
  randomInt(min: number, max: number): number;
  /** Writes a note into the trace (drawn as a note over this node in diagrams). */
  log(text: string): void;
}

/**
 * A node's behaviour: a message handler. A new instance is made at the start and at every restart,
 * so whatever it keeps in fields is volatile; what must survive goes to `ctx.storage`.
 */
export interface Process<M extends Message = Message> {
  onStart?(ctx: NodeContext<M>): void;
  onMessage(ctx: NodeContext<M>, message: Envelope<M>): void;
  onTimer?(ctx: NodeContext<M>, timer: FiredTimer): void;
}

/** Makes a fresh process: called at `addNode` and at every `restart`. */
export type ProcessFactory<M extends Message = Message> = (id: NodeId) => Process<M>;

/** How long a message spends on the wire. */
export type LatencyModel =
  | { readonly kind: "fixed"; readonly ms: number }
  | { readonly kind: "uniform"; readonly minMs: number; readonly maxMs: number }
  /** Log-normal with the given median and 99th percentile: most messages fast, a few very slow. */
  | { readonly kind: "longTail"; readonly medianMs: number; readonly p99Ms: number };

/** Settings of a directed link; unset fields fall back to the network's defaults. */
export interface LinkOptions {
  readonly latency?: LatencyModel;
  /** Probability that a message is lost. */
  readonly dropProbability?: number;
  /** Probability that a message is delivered twice. */
  readonly duplicateProbability?: number;
  /** When false (the default) a link is FIFO: messages arrive in the order they were sent. */
  readonly reorder?: boolean;
  /** Link capacity; a message occupies the link for size / bandwidth ms. Infinity: no limit. */
  readonly bandwidthBytesPerMs?: number;
}

/** Why a message did not arrive. */
export type DropReason = "loss" | "partition" | "crashed" | "tampered";

/**
 * Changes or removes a message in flight: return the message (changed or not) to deliver it, or
 * undefined to drop it. Models an attacker on the wire ("the network is secure" fallacy).
 */
export type TamperHook = (message: Envelope) => Envelope | undefined;

interface MessageEventBase {
  readonly timeMs: number;
  readonly messageId: number;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly message: Envelope;
}

/** One line of the trace. Every event carries the true (simulator) time in ms. */
export type TraceEvent =
  | ({ readonly kind: "send"; readonly sizeBytes: number } & MessageEventBase)
  | ({ readonly kind: "deliver"; readonly sentAtMs: number } & MessageEventBase)
  | ({
      readonly kind: "drop";
      readonly reason: DropReason;
      readonly sentAtMs: number;
    } & MessageEventBase)
  | ({ readonly kind: "duplicate" } & MessageEventBase)
  | ({ readonly kind: "tamper"; readonly original: Envelope } & MessageEventBase)
  | {
      readonly kind: "timer";
      readonly timeMs: number;
      readonly node: NodeId;
      readonly timerId: TimerId;
      readonly name: string;
    }
  | { readonly kind: "crash"; readonly timeMs: number; readonly node: NodeId }
  | { readonly kind: "restart"; readonly timeMs: number; readonly node: NodeId }
  | {
      readonly kind: "pause";
      readonly timeMs: number;
      readonly node: NodeId;
      readonly durationMs: number;
    }
  | { readonly kind: "resume"; readonly timeMs: number; readonly node: NodeId }
  | {
      readonly kind: "partition";
      readonly timeMs: number;
      /** Groups cut off from each other; for a one-way partition, [senders, receivers]. */
      readonly groups: readonly (readonly NodeId[])[];
      readonly oneWay: boolean;
    }
  | { readonly kind: "heal"; readonly timeMs: number }
  | {
      readonly kind: "clock";
      readonly timeMs: number;
      readonly node: NodeId;
      readonly offsetMs: number;
      readonly driftPpm: number;
    }
  | {
      readonly kind: "note";
      readonly timeMs: number;
      readonly node: NodeId;
      readonly text: string;
    };

/** The kinds of trace events. */
export type TraceEventKind = TraceEvent["kind"];

/** Counters of a run. */
export interface SimulationStats {
  readonly messagesSent: number;
  readonly messagesDelivered: number;
  readonly messagesDropped: number;
  readonly messagesDuplicated: number;
  readonly bytesSent: number;
  readonly bytesDelivered: number;
  readonly droppedByReason: Readonly<Record<DropReason, number>>;
  readonly sentByType: Readonly<Record<string, number>>;
  readonly timersFired: number;
  readonly storageWrites: number;
  readonly eventsProcessed: number;
}
