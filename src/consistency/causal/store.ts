// A causal key-value store on the simulator: replicas buffer a remote write until its dependencies
// are applied (causal delivery, Ahamad et al. 1995; COPS, Lloyd et al. 2011), keep concurrent
// writes as siblings (Dynamo), and honour client session tokens (Terry et al. 1994).

import { VersionVector } from "../../clocks/index.js";
import { assert } from "../../sim/assert.js";
import type {
  Envelope,
  FiredTimer,
  Message,
  NodeContext,
  NodeId,
  Process,
} from "../../sim/types.js";
import type { CausalOperation } from "./types.js";

/** Version vectors travel as their JSON form: session id -> writes of that session included. */
export type CausalVectorJSON = Readonly<Record<string, number>>;

/**
 * A write as replicas exchange it. Its dot `(session, seq)` names it: the session's seq-th write.
 * `deps` is the session's token when it wrote: every write in its causal past (so `deps[session]`
 * is `seq - 1`). Because a session's writes are sequential, a vector indexed by session describes a
 * causal past exactly.
 */
export interface CausalWrite {
  readonly key: string;
  readonly value: string;
  readonly session: string;
  readonly seq: number;
  readonly deps: CausalVectorJSON;
}

/** Every message of the causal store. */
export type CausalMessage =
  | {
      readonly type: "get";
      readonly requestId: number;
      readonly key: string;
      /** The session token to wait for, or null without session guarantees. */
      readonly token: CausalVectorJSON | null;
    }
  | {
      readonly type: "put";
      readonly requestId: number;
      readonly write: CausalWrite;
      /** Wait until the dependencies are applied (session guarantees), else buffer them. */
      readonly waitForToken: boolean;
    }
  | {
      readonly type: "getOk";
      readonly requestId: number;
      readonly values: readonly string[];
      /** The versions read: pass it back (in the token) and a write supersedes them. */
      readonly context: CausalVectorJSON;
    }
  | { readonly type: "putOk"; readonly requestId: number; readonly buffered: boolean }
  | { readonly type: "refused"; readonly requestId: number; readonly reason: string }
  | { readonly type: "replicate"; readonly write: CausalWrite }
  | { readonly type: "digest"; readonly applied: CausalVectorJSON }
  | { readonly type: "missing"; readonly writes: readonly CausalWrite[] };

/** How concurrent writes to one key are handled. */
export type CausalConflictPolicy = "siblings" | "higherValueWins";

/** Settings of a replica (the cluster fills them from its options). */
export interface CausalReplicaConfig {
  readonly replicas: readonly NodeId[];
  /** False is the "break it" switch: remote writes are applied at once, dependencies or not. */
  readonly causalDelivery: boolean;
  /** "higherValueWins" is the seed notes' rule, kept to show the write it loses. */
  readonly conflicts: CausalConflictPolicy;
  /** Period of anti-entropy (digest to one random peer); 0 turns it off. */
  readonly antiEntropyIntervalMs: number;
  /** How long a request waits for the session token before it is refused. */
  readonly sessionWaitMsMax: number;
  /** Most writes sent in one anti-entropy answer. */
  readonly writesPerSyncMax: number;
}

/** One stored version: a sibling of its key. `clock` = deps plus its own dot. */
interface StoredVersion {
  readonly value: string;
  readonly session: string;
  readonly seq: number;
  readonly clock: VersionVector;
}

interface WaitingRequest {
  readonly from: NodeId;
  readonly message: Extract<CausalMessage, { type: "get" | "put" }>;
  readonly needed: VersionVector;
  readonly timerId: number;
}

function dotKey(session: string, seq: number): string {
  return `${session}:${seq}`;
}

/** The version vector of a write's causal past plus the write itself. */
export function causalWriteClock(write: CausalWrite): VersionVector {
  return VersionVector.fromJSON(write.deps).merge(
    VersionVector.from({ [write.session]: write.seq }),
  );
}

/** Entries of `needed` that `applied` lacks, as `alice:2 (has 1)`. */
function missingEntries(applied: VersionVector, needed: VersionVector): string {
  return needed.replicas
    .filter((session) => applied.get(session) < needed.get(session))
    .map((session) => `${session}:${needed.get(session)} (has ${applied.get(session)})`)
    .join(", ");
}

/**
 * A replica of the causal store. Applies a client's write at once (after its session token, if
 * any, is applied), replicates it to every other replica, buffers remote writes until their
 * dependencies are applied, and repairs lost messages by anti-entropy.
 */
export class CausalReplica implements Process<CausalMessage> {
  /** Writes applied, per session: a contiguous prefix `1..applied[session]` of each session. */
  private applied = VersionVector.empty();
  // invariant: appliedDots holds exactly the dots of the writes in log.
  private readonly appliedDots = new Set<string>();
  private readonly log = new Map<string, CausalWrite>();
  /** Remote writes whose dependencies are not applied yet (never holds an applied dot). */
  private readonly buffer = new Map<string, CausalWrite>();
  private readonly store = new Map<string, StoredVersion[]>();
  private readonly waiting = new Map<string, WaitingRequest>();
  /** Requests refused after a token wait: a late duplicate must not apply them. */
  private readonly refused = new Set<string>();

  constructor(private readonly config: CausalReplicaConfig) {}

  onStart(ctx: NodeContext<CausalMessage>): void {
    if (this.config.antiEntropyIntervalMs > 0) {
      ctx.setTimer(this.config.antiEntropyIntervalMs, "antiEntropy");
    }
  }

  onMessage(ctx: NodeContext<CausalMessage>, message: Envelope<CausalMessage>): void {
    switch (message.type) {
      case "get":
      case "put":
        return this.onClientRequest(ctx, message);
      case "replicate":
        return this.receive(ctx, [message.write]);
      case "missing":
        return this.receive(ctx, message.writes);
      case "digest":
        return this.onDigest(ctx, message.from, VersionVector.fromJSON(message.applied));
      default:
        return; // answers to clients never reach a replica
    }
  }

  onTimer(ctx: NodeContext<CausalMessage>, timer: FiredTimer): void {
    if (timer.name === "antiEntropy") {
      const peers = this.config.replicas.filter((id) => id !== ctx.id);
      if (peers.length > 0) {
        const peer = peers[ctx.randomInt(0, peers.length - 1)] as NodeId;
        ctx.send(peer, { type: "digest", applied: this.applied.toJSON() });
      }
      ctx.setTimer(this.config.antiEntropyIntervalMs, "antiEntropy");
      return;
    }
    if (timer.name === "sessionWait") {
      const key = timer.data as string;
      const request = this.waiting.get(key);
      if (request === undefined) return;
      this.waiting.delete(key);
      this.refused.add(key);
      const reason =
        `replica ${ctx.id} has not applied the session token after ` +
        `${this.config.sessionWaitMsMax} ms: missing ${missingEntries(this.applied, request.needed)}`;
      ctx.send(request.from, { type: "refused", requestId: request.message.requestId, reason });
    }
  }

  /** The sibling values of `key`, sorted. */
  siblings(key: string): string[] {
    return (this.store.get(key) ?? []).map((v) => v.value).sort();
  }

  /** Every key with at least one sibling, sorted. */
  keys(): string[] {
    return [...this.store.keys()].filter((k) => (this.store.get(k) ?? []).length > 0).sort();
  }

  /** The applied vector (JSON form). */
  appliedVector(): CausalVectorJSON {
    return this.applied.toJSON();
  }

  /** Writes received but not applied yet. */
  get bufferedCount(): number {
    return this.buffer.size;
  }

  private onClientRequest(
    ctx: NodeContext<CausalMessage>,
    message: Envelope<Extract<CausalMessage, { type: "get" | "put" }>>,
  ): void {
    const key = `${message.from}:${message.requestId}`;
    if (this.refused.has(key) || this.waiting.has(key)) return; // a duplicate
    if (message.type === "put") {
      const write = message.write;
      const dot = dotKey(write.session, write.seq);
      if (this.appliedDots.has(dot) || this.buffer.has(dot)) {
        // A retry or a duplicate of a write already taken: the same write, acknowledged again.
        ctx.send(message.from, {
          type: "putOk",
          requestId: message.requestId,
          buffered: this.buffer.has(dot),
        });
        return;
      }
      const needed = VersionVector.fromJSON(write.deps);
      if (!this.config.causalDelivery || this.deliverable(write)) {
        this.applyAndReplicate(ctx, write);
        ctx.send(message.from, { type: "putOk", requestId: message.requestId, buffered: false });
      } else if (message.waitForToken) {
        this.wait(ctx, key, message.from, message, needed);
      } else {
        // Without session guarantees the replica takes the write and applies it when it can.
        this.buffer.set(dot, write);
        this.replicate(ctx, write);
        ctx.send(message.from, { type: "putOk", requestId: message.requestId, buffered: true });
      }
      return;
    }
    const needed = message.token === null ? undefined : VersionVector.fromJSON(message.token);
    if (needed === undefined || this.applied.dominates(needed)) {
      this.answerGet(ctx, message.from, message);
    } else {
      this.wait(ctx, key, message.from, message, needed);
    }
  }

  private wait(
    ctx: NodeContext<CausalMessage>,
    key: string,
    from: NodeId,
    message: Extract<CausalMessage, { type: "get" | "put" }>,
    needed: VersionVector,
  ): void {
    const timerId = ctx.setTimer(this.config.sessionWaitMsMax, "sessionWait", key);
    this.waiting.set(key, { from, message, needed, timerId });
  }

  private answerGet(
    ctx: NodeContext<CausalMessage>,
    to: NodeId,
    message: Extract<CausalMessage, { type: "get" }>,
  ): void {
    const versions = this.store.get(message.key) ?? [];
    let context = VersionVector.empty();
    for (const version of versions) context = context.merge(version.clock);
    ctx.send(to, {
      type: "getOk",
      requestId: message.requestId,
      values: versions.map((v) => v.value).sort(),
      context: context.toJSON(),
    });
  }

  /** Causal delivery: the session's previous write and every dependency are applied. */
  private deliverable(write: CausalWrite): boolean {
    if (this.applied.get(write.session) !== write.seq - 1) return false;
    return this.applied.dominates(VersionVector.fromJSON(write.deps));
  }

  private receive(ctx: NodeContext<CausalMessage>, writes: readonly CausalWrite[]): void {
    for (const write of writes) {
      const dot = dotKey(write.session, write.seq);
      if (this.appliedDots.has(dot)) continue; // duplicates and repeats are expected
      if (this.config.causalDelivery) this.buffer.set(dot, write);
      else this.apply(write);
    }
    this.drainBuffer();
    this.serveWaiting(ctx);
  }

  private applyAndReplicate(ctx: NodeContext<CausalMessage>, write: CausalWrite): void {
    this.apply(write);
    this.replicate(ctx, write);
    this.drainBuffer();
    this.serveWaiting(ctx);
  }

  private replicate(ctx: NodeContext<CausalMessage>, write: CausalWrite): void {
    for (const peer of this.config.replicas) {
      if (peer !== ctx.id) ctx.send(peer, { type: "replicate", write });
    }
  }

  /** Applies every buffered write whose dependencies are now applied, until none is. */
  private drainBuffer(): void {
    let progress = true;
    while (progress) {
      progress = false;
      for (const [dot, write] of this.buffer) {
        if (!this.deliverable(write)) continue;
        this.buffer.delete(dot);
        this.apply(write);
        progress = true;
      }
    }
  }

  private serveWaiting(ctx: NodeContext<CausalMessage>): void {
    for (const [key, request] of [...this.waiting]) {
      const message = request.message;
      if (message.type === "put") {
        const write = message.write;
        // Applied meanwhile (a retry elsewhere replicated it here): acknowledge, do not re-apply.
        const already = this.appliedDots.has(dotKey(write.session, write.seq));
        if (!already && !this.deliverable(write)) continue;
        this.waiting.delete(key);
        ctx.cancelTimer(request.timerId);
        if (!already) this.applyAndReplicate(ctx, write);
        ctx.send(request.from, { type: "putOk", requestId: message.requestId, buffered: false });
      } else {
        if (!this.applied.dominates(request.needed)) continue;
        this.waiting.delete(key);
        ctx.cancelTimer(request.timerId);
        this.answerGet(ctx, request.from, message);
      }
    }
  }

  private apply(write: CausalWrite): void {
    const dot = dotKey(write.session, write.seq);
    assert(!this.appliedDots.has(dot), "a write is applied once");
    if (this.config.causalDelivery) {
      assert(this.deliverable(write), "causal delivery: dependencies are applied first");
    }
    this.appliedDots.add(dot);
    this.log.set(dot, write);
    this.buffer.delete(dot);
    // The applied vector is the contiguous prefix of each session (with the break switch on, a
    // write may be applied before its predecessors; the vector then waits for the gap to fill).
    let applied = this.applied;
    while (this.appliedDots.has(dotKey(write.session, applied.get(write.session) + 1))) {
      applied = applied.increment(write.session);
    }
    this.applied = applied;
    const clock = causalWriteClock(write);
    const versions = this.store.get(write.key) ?? [];
    // Already overwritten by a version that has it in its causal past: nothing to add.
    if (versions.some((v) => v.clock.get(write.session) >= write.seq)) return;
    // A write supersedes exactly the versions in its causal past; the rest are concurrent.
    let kept = versions.filter((v) => clock.get(v.session) < v.seq);
    let version: StoredVersion = {
      value: write.value,
      session: write.session,
      seq: write.seq,
      clock,
    };
    if (this.config.conflicts === "higherValueWins") {
      // The seed notes' rule: among concurrent versions keep the greater value, under a clock that
      // covers both, so the other write is silently gone everywhere.
      for (const other of kept) {
        const winner = other.value > version.value ? other : version;
        version = { ...winner, clock: version.clock.merge(other.clock) };
      }
      kept = [];
    }
    this.store.set(write.key, [...kept, version]);
  }

  private onDigest(ctx: NodeContext<CausalMessage>, from: NodeId, theirs: VersionVector): void {
    const missing: CausalWrite[] = [];
    for (const write of this.log.values()) {
      if (theirs.get(write.session) < write.seq) missing.push(write);
    }
    if (missing.length === 0) return;
    missing.sort((a, b) =>
      a.session < b.session ? -1 : a.session > b.session ? 1 : a.seq - b.seq,
    );
    ctx.send(from, { type: "missing", writes: missing.slice(0, this.config.writesPerSyncMax) });
  }
}

/** What a client asks for. */
export type CausalRequest =
  | { readonly kind: "read"; readonly key: string; readonly replica?: NodeId }
  | {
      readonly kind: "write";
      readonly key: string;
      readonly value: string;
      readonly replica?: NodeId;
    };

/** Settings of a client session (the cluster fills them from its options). */
export interface CausalClientConfig {
  readonly replicas: readonly NodeId[];
  readonly home: NodeId;
  readonly sessionGuarantees: boolean;
  readonly requestTimeoutMs: number;
  readonly attemptsMax: number;
  /** True (simulator) time, for the history. */
  readonly now: () => number;
  /** Receives each finished operation (the cluster numbers it). */
  readonly record: (op: Omit<CausalOperation, "id">) => void;
}

interface InFlight {
  readonly request: CausalRequest;
  readonly requestId: number;
  readonly callMs: number;
  readonly write: CausalWrite | undefined;
  target: NodeId;
  attempt: number;
  timerId: number;
}

/**
 * A client session: one operation at a time, retried on another replica after a timeout. It keeps
 * a token, the version vector of everything it wrote and read, sends it with each request when
 * session guarantees are on, and sends it as the dependencies of every write.
 */
export class CausalClient implements Process<CausalMessage> {
  private token = VersionVector.empty();
  private readonly queue: CausalRequest[] = [];
  private current: InFlight | undefined;
  private nextRequestId = 1;
  private writesAcked = 0;
  /** Set when a write's outcome is unknown: later writes could depend on a write never applied. */
  private stopped = false;

  constructor(private readonly config: CausalClientConfig) {}

  /** True when nothing is queued or in flight (or the session stopped). */
  get idle(): boolean {
    return this.stopped || (this.current === undefined && this.queue.length === 0);
  }

  /** The session token (JSON form). */
  tokenVector(): CausalVectorJSON {
    return this.token.toJSON();
  }

  /** Queues a request; it is sent when the ones before it have finished. */
  enqueue(ctx: NodeContext<CausalMessage>, request: CausalRequest): void {
    this.queue.push(request);
    if (this.current === undefined) this.next(ctx);
  }

  onMessage(ctx: NodeContext<CausalMessage>, message: Envelope<CausalMessage>): void {
    const current = this.current;
    if (message.type !== "getOk" && message.type !== "putOk" && message.type !== "refused") return;
    if (current === undefined || message.requestId !== current.requestId) return; // late or duplicate
    if (message.type === "refused" && message.from !== current.target) return; // an earlier attempt
    ctx.cancelTimer(current.timerId);
    const base = {
      session: ctx.id,
      kind: current.request.kind,
      key: current.request.key,
      call: current.callMs,
      return: this.config.now(),
      replica: message.from,
    } as const;
    if (message.type === "refused") {
      if (current.write !== undefined && current.attempt > 1) {
        // Another replica may still apply an earlier attempt: only more attempts can tell.
        this.retry(ctx, current);
        return;
      }
      this.finish(ctx, {
        ...base,
        ...(current.write === undefined ? {} : { value: current.write.value }),
        status: "error",
        error: message.reason,
      });
      return;
    }
    if (message.type === "getOk") {
      this.token = this.token.merge(VersionVector.fromJSON(message.context));
      this.finish(ctx, { ...base, values: [...message.values], status: "ok" });
      return;
    }
    const write = current.write as CausalWrite;
    this.token = this.token.merge(causalWriteClock(write));
    this.writesAcked++;
    this.finish(ctx, { ...base, value: write.value, status: "ok" });
  }

  onTimer(ctx: NodeContext<CausalMessage>, timer: FiredTimer): void {
    const current = this.current;
    if (timer.name !== "requestTimeout" || current === undefined) return;
    if (timer.data !== current.requestId) return;
    this.retry(ctx, current);
  }

  /** Tries the next replica (the one asked may be down or cut off), or gives up. */
  private retry(ctx: NodeContext<CausalMessage>, current: InFlight): void {
    if (current.attempt < this.config.attemptsMax) {
      const replicas = this.config.replicas;
      current.target = replicas[(replicas.indexOf(current.target) + 1) % replicas.length] as NodeId;
      current.attempt++;
      this.send(ctx, current);
      return;
    }
    const base = {
      session: ctx.id,
      kind: current.request.kind,
      key: current.request.key,
      call: current.callMs,
      return: Number.POSITIVE_INFINITY,
    } as const;
    if (current.write !== undefined) {
      this.stopped = true;
      this.queue.length = 0;
      this.finish(ctx, { ...base, value: current.write.value, status: "unknown" });
    } else {
      this.finish(ctx, { ...base, status: "error", error: "no answer" });
    }
  }

  private finish(ctx: NodeContext<CausalMessage>, op: Omit<CausalOperation, "id">): void {
    this.current = undefined;
    this.config.record(op);
    if (!this.stopped) this.next(ctx);
  }

  private next(ctx: NodeContext<CausalMessage>): void {
    const request = this.queue.shift();
    if (request === undefined) return;
    const write: CausalWrite | undefined =
      request.kind === "write"
        ? {
            key: request.key,
            value: request.value,
            session: ctx.id,
            seq: this.writesAcked + 1,
            deps: this.token.toJSON(),
          }
        : undefined;
    if (write !== undefined) {
      assert(this.token.get(ctx.id) === write.seq - 1, "a session's token has its own writes");
    }
    this.current = {
      request,
      requestId: this.nextRequestId++,
      callMs: this.config.now(),
      write,
      target: request.replica ?? this.config.home,
      attempt: 1,
      timerId: -1,
    };
    this.send(ctx, this.current);
  }

  private send(ctx: NodeContext<CausalMessage>, current: InFlight): void {
    const message: CausalMessage =
      current.write !== undefined
        ? {
            type: "put",
            requestId: current.requestId,
            write: current.write,
            waitForToken: this.config.sessionGuarantees,
          }
        : {
            type: "get",
            requestId: current.requestId,
            key: current.request.key,
            token: this.config.sessionGuarantees ? this.token.toJSON() : null,
          };
    ctx.send(current.target, message);
    current.timerId = ctx.setTimer(
      this.config.requestTimeoutMs,
      "requestTimeout",
      current.requestId,
    );
  }
}

/** A short arrow label for diagrams: `put post="lunch?"`, `replicate alice:1 post`, ... */
export function causalMessageLabel(message: Message): string {
  const m = message as CausalMessage;
  switch (m.type) {
    case "get":
      return `get ${m.key}`;
    case "put":
      return `put ${m.write.key}=${JSON.stringify(m.write.value)}`;
    case "getOk":
      return `{${m.values.map((v) => JSON.stringify(v)).join(", ")}}`;
    case "putOk":
      return m.buffered ? "ok (buffered)" : "ok";
    case "refused":
      return "refused";
    case "replicate":
      return `replicate ${m.write.session}:${m.write.seq} ${m.write.key}`;
    case "digest":
      return "digest";
    case "missing":
      return `missing x${m.writes.length}`;
    default:
      return message.type;
  }
}
