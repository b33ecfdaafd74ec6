// CP counters: a replica coordinates each client request with a majority quorum and refuses with
// "no quorum" after a timeout (Gilbert and Lynch 2002, §4; Attiya, Bar-Noy and Dolev 1995, ABD).

import { assert } from "../sim/assert.js";
import type { Envelope, FiredTimer, NodeContext, Process, TimerId } from "../sim/index.js";
import type { CapMessage, CapCounterInput, CapCounterOutput } from "./types.js";

/** What every replica of one cluster shares. */
export interface CpReplicaConfig {
  /** All replica ids, this one included. */
  readonly replicas: readonly string[];
  /** The coordinator answers "no quorum" after this long in one phase. */
  readonly quorumTimeoutMs: number;
  /** Instrumentation: the update ids a read's answer accounts for (not part of the protocol). */
  readonly observeRead: (client: string, requestId: number, updateIds: readonly string[]) => void;
}

/** What a replica holds at the end of a run, for the harness. */
export interface ReplicaSnapshot {
  /** What this replica alone would say the counter is. */
  readonly value: number;
  /** The updates that value accounts for. */
  readonly updateIds: readonly string[];
}

/** A client request being coordinated: which phase, who answered, what was gathered. */
interface PendingRequest {
  readonly client: string;
  readonly requestId: number;
  readonly input: CapCounterInput;
  phase: "read" | "write";
  /** Replicas that answered the current phase, the coordinator included. */
  readonly responders: Set<string>;
  timerId: TimerId;
  /** cpReadThenWrite: the highest value read so far, with its ghost ids. */
  bestValue: number;
  bestGhostIds: readonly string[];
  /** cpQuorum / cpNoReadRepair: the union of the sets collected so far. */
  readonly incIds: Set<string>;
  readonly decIds: Set<string>;
  /** The value the response will carry (set when the last phase starts); null for an ack. */
  answer: number | null;
}

function majority(replicasCount: number): number {
  return Math.floor(replicasCount / 2) + 1;
}

/** Shared machinery: pending requests, quorum counting, timeouts, answering the client. */
abstract class QuorumReplica implements Process<CapMessage> {
  protected readonly quorum: number;
  private readonly pending = new Map<number, PendingRequest>();
  // A duplicated request must not run twice (the network may deliver it twice): requests are
  // identified by client and request id, as idempotency keys.
  private readonly requestsSeen = new Set<string>();
  private nextOpId = 0;

  constructor(protected readonly config: CpReplicaConfig) {
    this.quorum = majority(config.replicas.length);
  }

  abstract snapshot(): ReplicaSnapshot;

  /** Starts the first phase of a request (the coordinator has already counted itself). */
  protected abstract begin(ctx: NodeContext<CapMessage>, opId: number, op: PendingRequest): void;

  /** A peer's answer of the current phase arrived and was counted; move on if it is a quorum. */
  protected abstract onQuorum(ctx: NodeContext<CapMessage>, opId: number, op: PendingRequest): void;

  /** Replica side of the protocol: a peer asks this replica to read or store something. */
  protected abstract serve(ctx: NodeContext<CapMessage>, message: Envelope<CapMessage>): void;

  onMessage(ctx: NodeContext<CapMessage>, message: Envelope<CapMessage>): void {
    if (message.type === "request") {
      const key = `${message.from}/${message.requestId}`;
      if (this.requestsSeen.has(key)) return;
      this.requestsSeen.add(key);
      const opId = this.nextOpId++;
      const op: PendingRequest = {
        client: message.from,
        requestId: message.requestId,
        input: message.input,
        phase: "read",
        responders: new Set([ctx.id]),
        timerId: -1,
        bestValue: 0,
        bestGhostIds: [],
        incIds: new Set(),
        decIds: new Set(),
        answer: 0,
      };
      this.pending.set(opId, op);
      op.timerId = ctx.setTimer(this.config.quorumTimeoutMs, "quorum timeout", opId);
      this.begin(ctx, opId, op);
      return;
    }
    this.serve(ctx, message);
  }

  onTimer(ctx: NodeContext<CapMessage>, timer: FiredTimer): void {
    const opId = timer.data as number;
    const op = this.pending.get(opId);
    if (op === undefined) return;
    this.pending.delete(opId);
    const isUpdate = op.input.kind !== "read";
    // Once a write phase has started some replicas may hold the update: its outcome is unknown.
    const effect = isUpdate && op.phase === "write" ? "unknown" : "none";
    const answered = op.responders.size;
    const message =
      `no quorum: ${answered} of ${this.config.replicas.length} replicas answered, ` +
      `${this.quorum} needed (${op.phase} phase, ${this.config.quorumTimeoutMs} ms)`;
    ctx.log(message);
    this.respond(ctx, op, {
      status: "noQuorum",
      answered,
      needed: this.quorum,
      message,
      effect,
    });
  }

  /** The request `opId` if it is still waiting for answers of `phase`; late answers get undefined. */
  protected current(opId: number, phase: "read" | "write"): PendingRequest | undefined {
    const op = this.pending.get(opId);
    return op !== undefined && op.phase === phase ? op : undefined;
  }

  /** Counts one answer; true exactly when it completes the quorum (a duplicate counts once). */
  protected countAnswer(op: PendingRequest, from: string): boolean {
    const before = op.responders.size;
    op.responders.add(from);
    return op.responders.size > before && op.responders.size === this.quorum;
  }

  /** Starts the write phase: the coordinator counts itself again. */
  protected startWritePhase(ctx: NodeContext<CapMessage>, opId: number, op: PendingRequest): void {
    op.phase = "write";
    op.responders.clear();
    op.responders.add(ctx.id);
    ctx.cancelTimer(op.timerId);
    op.timerId = ctx.setTimer(this.config.quorumTimeoutMs, "quorum timeout", opId);
    if (this.quorum === 1) this.onQuorum(ctx, opId, op);
  }

  protected finish(ctx: NodeContext<CapMessage>, opId: number, op: PendingRequest): void {
    assert(op.responders.size >= this.quorum, "an answer needs a quorum behind it");
    this.pending.delete(opId);
    ctx.cancelTimer(op.timerId);
    const isUpdate = op.input.kind !== "read";
    this.respond(ctx, op, {
      status: "ok",
      value: op.answer,
      effect: isUpdate ? "applied" : "none",
    });
  }

  protected peers(ctx: NodeContext<CapMessage>): string[] {
    return this.config.replicas.filter((id) => id !== ctx.id);
  }

  private respond(
    ctx: NodeContext<CapMessage>,
    op: PendingRequest,
    output: CapCounterOutput,
  ): void {
    ctx.send(op.client, { type: "response", requestId: op.requestId, output });
  }
}

/**
 * The naive CP sketch: an increment reads the value from a majority (keeping the highest), then
 * writes value + 1 to a majority. Every step is a quorum, and still two concurrent increments
 * read the same value and both write value + 1: one increment is lost (a lost update).
 */
export class ReadThenWriteReplica extends QuorumReplica {
  private value = 0;
  // Instrumentation only: the updates `value` accounts for.
  private ghostIds: readonly string[] = [];

  snapshot(): ReplicaSnapshot {
    return { value: this.value, updateIds: [...this.ghostIds] };
  }

  protected begin(ctx: NodeContext<CapMessage>, opId: number, op: PendingRequest): void {
    op.bestValue = this.value;
    op.bestGhostIds = this.ghostIds;
    for (const peer of this.peers(ctx)) ctx.send(peer, { type: "getValue", opId });
    if (this.quorum === 1) this.onQuorum(ctx, opId, op);
  }

  protected onQuorum(ctx: NodeContext<CapMessage>, opId: number, op: PendingRequest): void {
    if (op.phase === "write" || op.input.kind === "read") {
      op.answer = op.phase === "write" ? op.answer : op.bestValue;
      if (op.input.kind === "read")
        this.config.observeRead(op.client, op.requestId, op.bestGhostIds);
      this.finish(ctx, opId, op);
      return;
    }
    // The race: between the read above and the write below, another increment may read the same
    // value. Nothing here can tell.
    const value = op.bestValue + (op.input.kind === "inc" ? 1 : -1);
    const ghostIds = [...op.bestGhostIds, op.input.id];
    op.answer = value;
    this.value = value;
    this.ghostIds = ghostIds;
    this.startWritePhase(ctx, opId, op);
    for (const peer of this.peers(ctx)) ctx.send(peer, { type: "setValue", opId, value, ghostIds });
  }

  protected serve(ctx: NodeContext<CapMessage>, message: Envelope<CapMessage>): void {
    switch (message.type) {
      case "getValue":
        ctx.send(message.from, {
          type: "value",
          opId: message.opId,
          value: this.value,
          ghostIds: this.ghostIds,
        });
        return;
      case "setValue":
        // Blind overwrite: a slow write of an older sum can even lower the value.
        this.value = message.value;
        this.ghostIds = message.ghostIds;
        ctx.send(message.from, { type: "valueSet", opId: message.opId });
        return;
      case "value": {
        const op = this.current(message.opId, "read");
        if (op === undefined) return;
        if (message.value > op.bestValue) {
          op.bestValue = message.value;
          op.bestGhostIds = message.ghostIds;
        }
        if (this.countAnswer(op, message.from)) this.onQuorum(ctx, message.opId, op);
        return;
      }
      case "valueSet": {
        const op = this.current(message.opId, "write");
        if (op !== undefined && this.countAnswer(op, message.from)) {
          this.onQuorum(ctx, message.opId, op);
        }
        return;
      }
      default:
        return;
    }
  }
}

/**
 * The fixed CP counter: an update is a unique id added to a set (adding commutes, so concurrent
 * increments cannot overwrite each other), acknowledged once a majority stored it. A read
 * collects the sets of a majority and answers the size of their union; with `readRepair` it first
 * writes the union back to a majority (ABD's second phase), which makes reads linearizable.
 */
export class UpdateSetReplica extends QuorumReplica {
  // invariant: an id is only ever added, never removed.
  private readonly incIds = new Set<string>();
  private readonly decIds = new Set<string>();

  constructor(
    config: CpReplicaConfig,
    private readonly readRepair: boolean,
  ) {
    super(config);
  }

  snapshot(): ReplicaSnapshot {
    return {
      value: this.incIds.size - this.decIds.size,
      updateIds: [...this.incIds, ...this.decIds],
    };
  }

  protected begin(ctx: NodeContext<CapMessage>, opId: number, op: PendingRequest): void {
    const input = op.input;
    if (input.kind === "read") {
      for (const id of this.incIds) op.incIds.add(id);
      for (const id of this.decIds) op.decIds.add(id);
      for (const peer of this.peers(ctx)) ctx.send(peer, { type: "collect", opId });
      if (this.quorum === 1) this.onQuorum(ctx, opId, op);
      return;
    }
    const incIds = input.kind === "inc" ? [input.id] : [];
    const decIds = input.kind === "dec" ? [input.id] : [];
    this.store(incIds, decIds);
    // An acknowledgement carries no value: a replica's own set size is not "the counter".
    op.answer = null;
    this.startWritePhase(ctx, opId, op);
    for (const peer of this.peers(ctx)) ctx.send(peer, { type: "store", opId, incIds, decIds });
  }

  protected onQuorum(ctx: NodeContext<CapMessage>, opId: number, op: PendingRequest): void {
    if (op.phase === "write") {
      this.finish(ctx, opId, op);
      return;
    }
    // A read with a majority of sets: their union holds every acknowledged update.
    op.answer = op.incIds.size - op.decIds.size;
    this.config.observeRead(op.client, op.requestId, [...op.incIds, ...op.decIds]);
    if (!this.readRepair) {
      this.finish(ctx, opId, op);
      return;
    }
    // Read repair: make what this read saw durable on a majority before answering, so that no
    // later read (whatever majority it meets) can see less.
    const incIds = [...op.incIds];
    const decIds = [...op.decIds];
    this.store(incIds, decIds);
    this.startWritePhase(ctx, opId, op);
    for (const peer of this.peers(ctx)) ctx.send(peer, { type: "store", opId, incIds, decIds });
  }

  protected serve(ctx: NodeContext<CapMessage>, message: Envelope<CapMessage>): void {
    switch (message.type) {
      case "store":
        this.store(message.incIds, message.decIds);
        ctx.send(message.from, { type: "stored", opId: message.opId });
        return;
      case "collect":
        ctx.send(message.from, {
          type: "collected",
          opId: message.opId,
          incIds: [...this.incIds],
          decIds: [...this.decIds],
        });
        return;
      case "collected": {
        const op = this.current(message.opId, "read");
        if (op === undefined) return;
        for (const id of message.incIds) op.incIds.add(id);
        for (const id of message.decIds) op.decIds.add(id);
        if (this.countAnswer(op, message.from)) this.onQuorum(ctx, message.opId, op);
        return;
      }
      case "stored": {
        const op = this.current(message.opId, "write");
        if (op !== undefined && this.countAnswer(op, message.from)) {
          this.onQuorum(ctx, message.opId, op);
        }
        return;
      }
      default:
        return;
    }
  }

  private store(incIds: readonly string[], decIds: readonly string[]): void {
    for (const id of incIds) this.incIds.add(id);
    for (const id of decIds) this.decIds.add(id);
  }
}
