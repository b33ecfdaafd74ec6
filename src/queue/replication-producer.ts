// The producer client of a replicated partition on the simulator: acks 0, 1 or "all", retries on
// timeouts and leader changes, metadata from any replica (Kafka's producer, without idempotence).

import { assert } from "../sim/assert.js";
import type { Envelope, FiredTimer, NodeContext, NodeId, Process } from "../sim/types.js";
import type {
  ReplicationAcks,
  ReplicationErrorCode,
  ReplicationMessage,
} from "./replication-replica.js";

/** How a {@link ReplicationProducer} behaves (set by the cluster). */
export interface ReplicationProducerOptions {
  readonly replicas: readonly NodeId[];
  readonly acks: ReplicationAcks;
  /** A request unanswered after this long is retried (and the leader looked up again). */
  readonly requestTimeoutMs: number;
  /** Wait before a retry. */
  readonly retryBackoffMs: number;
  /** A record not acknowledged this long after it was handed over is given up. */
  readonly deliveryTimeoutMs: number;
  /** Requests awaiting an answer at most (acks 1 and "all"). */
  readonly inFlightMax: number;
  /**
   * The producer asks who leads at least this often (Kafka's metadata.max.age.ms): with acks 0
   * nothing else tells it that its leader is gone.
   */
  readonly metadataMaxAgeMs: number;
  /** Called once per acknowledged record (with acks 0: when it is sent, offset -1). */
  readonly onAcknowledged: (recordId: string, offset: number) => void;
  /** Called once per record given up, with the last reason. */
  readonly onFailed: (recordId: string, reason: ReplicationErrorCode | "TIMEOUT") => void;
}

interface Waiting {
  readonly recordId: string;
  readonly deadlineMs: number;
  lastError: ReplicationErrorCode | "TIMEOUT";
}

interface InFlight extends Waiting {
  readonly timer: number;
}

/**
 * Sends records to the partition's leader and retries until acknowledged or out of time. Without
 * idempotence a retry after a lost answer appends the record again: duplicates are counted, not
 * prevented (the broker chapter's idempotent producer is the fix).
 */
export class ReplicationProducer implements Process<ReplicationMessage> {
  private readonly queue: Waiting[] = [];
  private readonly inFlight = new Map<number, InFlight>();
  private leader: NodeId | null = null;
  private leaderEpoch = -1;
  private nextRequestId = 1;
  private metadataRequestId = 0;
  private metadataTarget = 0;
  /** Records waiting for their retry timer. */
  private backingOff = 0;
  /** Produce requests sent, retries included. */
  requestsSent = 0;

  constructor(private readonly options: ReplicationProducerOptions) {}

  /** Hands records to the producer; it sends them in order, retries reorder them. */
  enqueue(ctx: NodeContext<ReplicationMessage>, recordIds: readonly string[]): void {
    const deadlineMs = ctx.now() + this.options.deliveryTimeoutMs;
    for (const recordId of recordIds)
      this.queue.push({ recordId, deadlineMs, lastError: "TIMEOUT" });
    this.pump(ctx);
  }

  onStart(ctx: NodeContext<ReplicationMessage>): void {
    ctx.setTimer(this.options.metadataMaxAgeMs, "refresh");
  }

  /** Records waiting, in flight or backing off: not yet acknowledged nor given up. */
  get unsettled(): number {
    return this.queue.length + this.inFlight.size + this.backingOff;
  }

  onMessage(ctx: NodeContext<ReplicationMessage>, message: Envelope<ReplicationMessage>): void {
    if (message.type === "ProduceResponse") {
      const entry = this.inFlight.get(message.requestId);
      if (entry === undefined) return; // late or duplicated: already retried or settled
      this.inFlight.delete(message.requestId);
      ctx.cancelTimer(entry.timer);
      if (message.error === null) {
        this.options.onAcknowledged(entry.recordId, message.offset);
      } else {
        if (message.error === "NOT_LEADER_OR_FOLLOWER") this.forgetLeader();
        entry.lastError = message.error;
        this.retry(ctx, entry);
      }
      this.pump(ctx);
      return;
    }
    if (message.type === "MetadataResponse") {
      if (message.requestId !== this.metadataRequestId) return;
      if (message.leader !== null && message.leaderEpoch >= this.leaderEpoch) {
        this.leader = message.leader;
        this.leaderEpoch = message.leaderEpoch;
        this.metadataRequestId = 0;
      } else {
        // No leader known there: back off before asking the next replica.
        this.metadataRequestId = -1;
        ctx.setTimer(this.options.retryBackoffMs, "metadata");
      }
      this.pump(ctx);
    }
  }

  onTimer(ctx: NodeContext<ReplicationMessage>, timer: FiredTimer): void {
    switch (timer.name) {
      case "timeout": {
        const requestId = timer.data as number;
        const entry = this.inFlight.get(requestId);
        if (entry === undefined) return;
        this.inFlight.delete(requestId);
        this.forgetLeader();
        entry.lastError = "TIMEOUT";
        this.retry(ctx, entry);
        break;
      }
      case "retry":
        this.backingOff--;
        this.queue.unshift(timer.data as Waiting);
        break;
      case "refresh":
        ctx.setTimer(this.options.metadataMaxAgeMs, "refresh");
        this.requestMetadata(ctx);
        break;
      case "metadata":
        if (this.metadataRequestId === -1) this.metadataRequestId = 0;
        break;
      case "metadataTimeout":
        if (timer.data === this.metadataRequestId) this.metadataRequestId = 0;
        break;
      default:
        assert(false, `unknown producer timer ${timer.name}`);
    }
    this.pump(ctx);
  }

  private forgetLeader(): void {
    this.leader = null;
  }

  private retry(ctx: NodeContext<ReplicationMessage>, entry: Waiting): void {
    const waiting: Waiting = {
      recordId: entry.recordId,
      deadlineMs: entry.deadlineMs,
      lastError: entry.lastError,
    };
    if (ctx.now() + this.options.retryBackoffMs >= entry.deadlineMs) {
      this.options.onFailed(entry.recordId, entry.lastError);
      return;
    }
    this.backingOff++;
    ctx.setTimer(this.options.retryBackoffMs, "retry", waiting);
  }

  private pump(ctx: NodeContext<ReplicationMessage>): void {
    const now = ctx.now();
    while (this.queue.length > 0 && now >= (this.queue[0] as Waiting).deadlineMs) {
      const expired = this.queue.shift() as Waiting;
      this.options.onFailed(expired.recordId, expired.lastError);
    }
    if (this.queue.length === 0) return;
    if (this.leader === null) {
      this.requestMetadata(ctx);
      return;
    }
    const leader = this.leader;
    while (this.queue.length > 0) {
      if (this.options.acks !== 0 && this.inFlight.size >= this.options.inFlightMax) return;
      const entry = this.queue.shift() as Waiting;
      if (ctx.now() >= entry.deadlineMs) {
        this.options.onFailed(entry.recordId, entry.lastError);
        continue;
      }
      const requestId = this.nextRequestId++;
      this.requestsSent++;
      ctx.send(leader, {
        type: "Produce",
        requestId,
        recordId: entry.recordId,
        acks: this.options.acks,
      });
      if (this.options.acks === 0) {
        this.options.onAcknowledged(entry.recordId, -1);
        continue;
      }
      const timer = ctx.setTimer(this.options.requestTimeoutMs, "timeout", requestId);
      this.inFlight.set(requestId, { ...entry, timer });
    }
  }

  /** Asks the replicas in turn who leads; one question at a time. */
  private requestMetadata(ctx: NodeContext<ReplicationMessage>): void {
    if (this.metadataRequestId !== 0) return;
    const replicas = this.options.replicas;
    const target = replicas[this.metadataTarget % replicas.length] as NodeId;
    this.metadataTarget++;
    this.metadataRequestId = this.nextRequestId++;
    ctx.send(target, { type: "Metadata", requestId: this.metadataRequestId });
    ctx.setTimer(this.options.requestTimeoutMs, "metadataTimeout", this.metadataRequestId);
  }
}
