// One replica of a replicated partition on the simulator: the leader appends, followers fetch, the
// leader keeps the in-sync replica set and the high watermark (Kafka's replication design, with the
// leader epochs of KIP-101 for truncation).

import { assert } from "../sim/assert.js";
import type { Envelope, FiredTimer, NodeContext, NodeId, Process } from "../sim/types.js";

/**
 * When a producer counts a send as acknowledged: 0, as soon as it is sent (no answer awaited); 1,
 * once the leader appended it; "all", once every in-sync replica has it (the high watermark passed
 * it), refused while the ISR is smaller than `minInSyncReplicas`.
 */
export type ReplicationAcks = 0 | 1 | "all";

/** The acks settings, in the order tables list them. */
export const REPLICATION_ACKS: readonly ReplicationAcks[] = [0, 1, "all"];

/** A record in a replica's log: its offset, the leader epoch it was appended in, its id. */
export interface ReplicatedRecord {
  readonly offset: number;
  readonly leaderEpoch: number;
  readonly id: string;
}

/** Why a leader refused or failed a produce request (Kafka's error names). */
export type ReplicationErrorCode =
  "NOT_LEADER_OR_FOLLOWER" | "NOT_ENOUGH_REPLICAS" | "NOT_ENOUGH_REPLICAS_AFTER_APPEND";

/** Messages between producer and replicas, and between followers and their leader. */
export type ReplicationMessage =
  | {
      readonly type: "Produce";
      readonly requestId: number;
      readonly recordId: string;
      readonly acks: ReplicationAcks;
    }
  | {
      readonly type: "ProduceResponse";
      readonly requestId: number;
      readonly offset: number;
      readonly error: ReplicationErrorCode | null;
    }
  | {
      readonly type: "Fetch";
      readonly leaderEpoch: number;
      /** The follower's log end offset: it holds every record below it. */
      readonly fetchOffset: number;
      /** Leader epoch of the follower's last record (-1 for an empty log). */
      readonly lastFetchedEpoch: number;
    }
  | {
      readonly type: "FetchResponse";
      readonly leaderEpoch: number;
      readonly fetchOffset: number;
      readonly records: readonly ReplicatedRecord[];
      readonly highWatermark: number;
      /** Set when the follower's log diverges: truncate to this epoch's end, then fetch again. */
      readonly divergingEpoch: { readonly epoch: number; readonly endOffset: number } | null;
    }
  | { readonly type: "Metadata"; readonly requestId: number }
  | {
      readonly type: "MetadataResponse";
      readonly requestId: number;
      readonly leader: NodeId | null;
      readonly leaderEpoch: number;
    };

/** How a {@link ReplicaProcess} behaves (set by the cluster). */
export interface ReplicaOptions {
  /** Every replica of the partition, the leader included. */
  readonly replicas: readonly NodeId[];
  /** A follower that has not caught up with the leader for longer than this leaves the ISR. */
  readonly replicaLagTimeMaxMs: number;
  /** Followers fetch (and the leader checks follower lag) this often. */
  readonly fetchIntervalMs: number;
  /** Records per fetch response at most. */
  readonly fetchRecordsMax: number;
  /** acks "all" is refused while the ISR has fewer members than this. */
  readonly minInSyncReplicas: number;
  /**
   * The controller's compare-and-set of the ISR: the leader of `leaderEpoch` asks to replace the
   * ISR; false when that epoch is over (a deposed leader must not change it). Kafka's
   * AlterPartition request, answered at once.
   */
  readonly alterIsr: (leader: NodeId, leaderEpoch: number, isr: readonly NodeId[]) => boolean;
}

/** What the leader knows of one follower. */
interface FollowerState {
  /** The follower's log end offset as its last consistent fetch said (0 until it fetches). */
  fetchOffset: number;
  /** Last time (leader clock) the follower was caught up with the leader's log end. */
  lastCaughtUpMs: number;
  /** The leader's log end offset and clock at the follower's previous fetch. */
  lastFetchLeaderLogEndOffset: number;
  lastFetchMs: number;
}

/** A produce request with acks "all" waiting for the high watermark to pass its record. */
interface PendingAck {
  readonly producer: NodeId;
  readonly requestId: number;
  readonly offset: number;
}

const LOG = "log";
const TICK = "tick";

/**
 * A replica of one partition: leader or follower as the controller says (`becomeLeader`,
 * `becomeFollower`). The log is durable (stable storage, every append written through, like an
 * fsync per record); role, ISR and high watermark are volatile and come back from the controller
 * and the leader after a restart.
 *
 * Truncation follows KIP-101: a follower never truncates to its high watermark. Its fetch carries
 * the epoch of its last record; when the leader's log has that epoch ending earlier (or not at
 * all), the leader answers with the diverging epoch and where it ends, and the follower truncates
 * there. Truncating to the high watermark instead (Kafka before 0.11) loses committed records: a
 * follower's high watermark lags the leader's, so a follower that restarts, truncates to it and is
 * then elected has dropped records the old leader had already acknowledged; and two replicas could
 * end with different records at one offset.
 */
export class ReplicaProcess implements Process<ReplicationMessage> {
  /** invariant: log[i].offset === i; leader epochs never decrease along the log. */
  private log: ReplicatedRecord[] = [];
  private loaded = false;
  /** invariant: highWatermark <= log.length. Volatile (0 after a restart). */
  private highWatermarkOffset = 0;
  private roleName: "leader" | "follower" | "none" = "none";
  private epoch = -1;
  private leaderId: NodeId | null = null;
  /** Leader only: the ISR as the controller accepted it (the leader itself included). */
  private isr: NodeId[] = [];
  private readonly followers = new Map<NodeId, FollowerState>();
  /** Leader only: its log end offset when it became leader (a rejoining follower must reach it). */
  private leaderEpochStartOffset = 0;
  private pendingAcks: PendingAck[] = [];

  constructor(private readonly options: ReplicaOptions) {}

  /** The records of this replica's log (a copy). */
  records(): ReplicatedRecord[] {
    return [...this.log];
  }

  /** Log end offset: the offset the next record gets. */
  get logEndOffset(): number {
    return this.log.length;
  }

  /** Records below this offset are committed (as far as this replica knows). */
  get highWatermark(): number {
    return this.highWatermarkOffset;
  }

  /** "leader", "follower", or "none" before the controller said. */
  get role(): "leader" | "follower" | "none" {
    return this.roleName;
  }

  /** The latest leader epoch this replica heard of (-1: none). */
  get leaderEpoch(): number {
    return this.epoch;
  }

  /** Leader only: the in-sync replicas (a copy; empty on a follower). */
  inSyncReplicas(): NodeId[] {
    return this.roleName === "leader" ? [...this.isr] : [];
  }

  // ------------------------------------------------------------------ controller's calls

  /** The controller made this replica leader of `leaderEpoch` with ISR `isr`. */
  becomeLeader(ctx: NodeContext<ReplicationMessage>, leaderEpoch: number, isr: readonly NodeId[]) {
    this.load(ctx);
    assert(leaderEpoch > this.epoch, "a leader epoch is never reused");
    assert(isr.includes(ctx.id), "a new leader is in its own ISR");
    this.epoch = leaderEpoch;
    this.roleName = "leader";
    this.leaderId = ctx.id;
    this.isr = [...isr];
    this.leaderEpochStartOffset = this.log.length;
    this.followers.clear();
    const now = ctx.now();
    for (const id of this.options.replicas) {
      if (id === ctx.id) continue;
      this.followers.set(id, {
        fetchOffset: 0,
        lastCaughtUpMs: now,
        lastFetchLeaderLogEndOffset: 0,
        lastFetchMs: now,
      });
    }
    this.advanceHighWatermark(ctx);
  }

  /** The controller made this replica a follower of `leader` in `leaderEpoch`. */
  becomeFollower(ctx: NodeContext<ReplicationMessage>, leaderEpoch: number, leader: NodeId): void {
    this.load(ctx);
    assert(leaderEpoch >= this.epoch, "leader epochs only grow");
    assert(leader !== ctx.id, "a follower follows another replica");
    this.failPendingAcks(ctx, "NOT_LEADER_OR_FOLLOWER");
    this.epoch = leaderEpoch;
    this.roleName = "follower";
    this.leaderId = leader;
    this.isr = [];
    this.followers.clear();
    this.sendFetch(ctx);
  }

  /** The controller removed a dead follower from the ISR of this leader's epoch. */
  updateIsr(ctx: NodeContext<ReplicationMessage>, isr: readonly NodeId[]): void {
    this.load(ctx);
    assert(this.roleName === "leader", "only a leader's ISR is updated");
    assert(isr.includes(ctx.id), "the leader stays in its ISR");
    this.isr = [...isr];
    this.advanceHighWatermark(ctx);
  }

  // ------------------------------------------------------------------ process

  onStart(ctx: NodeContext<ReplicationMessage>): void {
    this.load(ctx);
    ctx.setTimer(this.options.fetchIntervalMs, TICK);
  }

  onTimer(ctx: NodeContext<ReplicationMessage>, timer: FiredTimer): void {
    this.load(ctx);
    assert(timer.name === TICK, "replicas set only the tick timer");
    if (this.roleName === "follower") this.sendFetch(ctx);
    if (this.roleName === "leader") this.shrinkIsr(ctx);
    ctx.setTimer(this.options.fetchIntervalMs, TICK);
  }

  onMessage(ctx: NodeContext<ReplicationMessage>, message: Envelope<ReplicationMessage>): void {
    this.load(ctx);
    switch (message.type) {
      case "Produce":
        return this.onProduce(ctx, message);
      case "Fetch":
        return this.onFetch(ctx, message);
      case "FetchResponse":
        return this.onFetchResponse(ctx, message);
      case "Metadata":
        ctx.send(message.from, {
          type: "MetadataResponse",
          requestId: message.requestId,
          leader: this.leaderId,
          leaderEpoch: this.epoch,
        });
        return;
      case "ProduceResponse":
      case "MetadataResponse":
        return; // meant for producers
    }
  }

  // ------------------------------------------------------------------ leader

  private onProduce(
    ctx: NodeContext<ReplicationMessage>,
    message: Envelope<Extract<ReplicationMessage, { type: "Produce" }>>,
  ): void {
    const respond = (offset: number, error: ReplicationErrorCode | null) => {
      if (message.acks === 0) return; // nobody waits for an answer
      ctx.send(message.from, {
        type: "ProduceResponse",
        requestId: message.requestId,
        offset,
        error,
      });
    };
    if (this.roleName !== "leader") return respond(-1, "NOT_LEADER_OR_FOLLOWER");
    if (message.acks === "all" && this.isr.length < this.options.minInSyncReplicas) {
      return respond(-1, "NOT_ENOUGH_REPLICAS");
    }
    const record: ReplicatedRecord = {
      offset: this.log.length,
      leaderEpoch: this.epoch,
      id: message.recordId,
    };
    ctx.storage.appendLog(LOG, [record]);
    this.log.push(record);
    if (message.acks === 1) return respond(record.offset, null);
    if (message.acks === "all") {
      this.pendingAcks.push({
        producer: message.from,
        requestId: message.requestId,
        offset: record.offset,
      });
      this.advanceHighWatermark(ctx);
    }
  }

  private onFetch(
    ctx: NodeContext<ReplicationMessage>,
    message: Envelope<Extract<ReplicationMessage, { type: "Fetch" }>>,
  ): void {
    // A fetch for another epoch is ignored: the follower hears of the right leader from the
    // controller and fetches again on its next tick.
    if (this.roleName !== "leader" || message.leaderEpoch !== this.epoch) return;
    const follower = this.followers.get(message.from);
    if (follower === undefined) return;
    const end = this.endOffsetFor(message.lastFetchedEpoch);
    if (end.epoch !== message.lastFetchedEpoch || message.fetchOffset > end.endOffset) {
      ctx.send(message.from, {
        type: "FetchResponse",
        leaderEpoch: this.epoch,
        fetchOffset: message.fetchOffset,
        records: [],
        highWatermark: this.highWatermarkOffset,
        divergingEpoch: { epoch: end.epoch, endOffset: end.endOffset },
      });
      return;
    }
    // Log matching: same epoch at the same offset, same records up to there.
    assert(message.fetchOffset <= this.log.length, "a consistent follower is not ahead");
    if (message.fetchOffset > 0) {
      const last = this.log[message.fetchOffset - 1] as ReplicatedRecord;
      assert(last.leaderEpoch === message.lastFetchedEpoch, "logs match up to the fetch offset");
    }
    const now = ctx.now();
    // Kafka's rule: caught up if at the leader's end now, or at the end the previous fetch saw.
    if (message.fetchOffset >= this.log.length) follower.lastCaughtUpMs = now;
    else if (message.fetchOffset >= follower.lastFetchLeaderLogEndOffset) {
      follower.lastCaughtUpMs = Math.max(follower.lastCaughtUpMs, follower.lastFetchMs);
    }
    follower.lastFetchLeaderLogEndOffset = this.log.length;
    follower.lastFetchMs = now;
    follower.fetchOffset = Math.max(follower.fetchOffset, message.fetchOffset);
    this.expandIsr(ctx, message.from, follower);
    this.advanceHighWatermark(ctx);
    const records = this.log.slice(
      message.fetchOffset,
      message.fetchOffset + this.options.fetchRecordsMax,
    );
    ctx.send(message.from, {
      type: "FetchResponse",
      leaderEpoch: this.epoch,
      fetchOffset: message.fetchOffset,
      records,
      highWatermark: this.highWatermarkOffset,
      divergingEpoch: null,
    });
  }

  /**
   * The largest epoch <= `epoch` in this log and the offset where it ends (the first offset of a
   * later epoch, or the log end): KIP-101's OffsetsForLeaderEpoch.
   */
  private endOffsetFor(epoch: number): { epoch: number; endOffset: number } {
    let low = 0;
    let high = this.log.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.log[middle] as ReplicatedRecord).leaderEpoch > epoch) high = middle;
      else low = middle + 1;
    }
    const found = low > 0 ? (this.log[low - 1] as ReplicatedRecord).leaderEpoch : -1;
    return { epoch: found, endOffset: low };
  }

  /**
   * A follower out of the ISR rejoins once it holds everything below the high watermark and
   * everything this leader had when elected: the second condition keeps a replica that lacks
   * records committed under the previous leader (whose high watermark this one may not know yet)
   * out of the ISR, hence out of clean elections.
   */
  private expandIsr(
    ctx: NodeContext<ReplicationMessage>,
    id: NodeId,
    follower: FollowerState,
  ): void {
    if (this.isr.includes(id)) return;
    if (follower.fetchOffset < this.highWatermarkOffset) return;
    if (follower.fetchOffset < this.leaderEpochStartOffset) return;
    const isr = this.options.replicas.filter((r) => r === id || this.isr.includes(r));
    if (this.options.alterIsr(ctx.id, this.epoch, isr)) this.isr = isr;
  }

  /** Followers that have not caught up for replicaLagTimeMaxMs leave the ISR. */
  private shrinkIsr(ctx: NodeContext<ReplicationMessage>): void {
    const now = ctx.now();
    const isr = this.isr.filter((id) => {
      if (id === ctx.id) return true;
      const follower = this.followers.get(id) as FollowerState;
      return now - follower.lastCaughtUpMs <= this.options.replicaLagTimeMaxMs;
    });
    if (isr.length === this.isr.length) return;
    if (this.options.alterIsr(ctx.id, this.epoch, isr)) {
      this.isr = isr;
      this.advanceHighWatermark(ctx);
    }
  }

  /** High watermark = the smallest log end offset in the ISR; it never goes down. */
  private advanceHighWatermark(ctx: NodeContext<ReplicationMessage>): void {
    let candidate = this.log.length;
    for (const id of this.isr) {
      if (id === ctx.id) continue;
      candidate = Math.min(candidate, (this.followers.get(id) as FollowerState).fetchOffset);
    }
    if (candidate > this.highWatermarkOffset) this.highWatermarkOffset = candidate;
    assert(this.highWatermarkOffset <= this.log.length, "the high watermark is within the log");
    const waiting: PendingAck[] = [];
    for (const pending of this.pendingAcks) {
      if (pending.offset >= this.highWatermarkOffset) {
        waiting.push(pending);
        continue;
      }
      // Kafka checks the ISR size again when the record commits: it may have shrunk meanwhile.
      const error =
        this.isr.length < this.options.minInSyncReplicas
          ? "NOT_ENOUGH_REPLICAS_AFTER_APPEND"
          : null;
      ctx.send(pending.producer, {
        type: "ProduceResponse",
        requestId: pending.requestId,
        offset: pending.offset,
        error,
      });
    }
    this.pendingAcks = waiting;
  }

  private failPendingAcks(ctx: NodeContext<ReplicationMessage>, error: ReplicationErrorCode): void {
    for (const pending of this.pendingAcks) {
      ctx.send(pending.producer, {
        type: "ProduceResponse",
        requestId: pending.requestId,
        offset: -1,
        error,
      });
    }
    this.pendingAcks = [];
  }

  // ------------------------------------------------------------------ follower

  private sendFetch(ctx: NodeContext<ReplicationMessage>): void {
    if (this.leaderId === null || this.roleName !== "follower") return;
    const last = this.log[this.log.length - 1];
    ctx.send(this.leaderId, {
      type: "Fetch",
      leaderEpoch: this.epoch,
      fetchOffset: this.log.length,
      lastFetchedEpoch: last === undefined ? -1 : last.leaderEpoch,
    });
  }

  private onFetchResponse(
    ctx: NodeContext<ReplicationMessage>,
    message: Envelope<Extract<ReplicationMessage, { type: "FetchResponse" }>>,
  ): void {
    if (this.roleName !== "follower") return;
    if (message.leaderEpoch !== this.epoch || message.from !== this.leaderId) return;
    // A late or duplicated answer to an earlier fetch: the next tick asks again.
    if (message.fetchOffset !== this.log.length) return;
    const diverging = message.divergingEpoch;
    if (diverging !== null) {
      const ownEnd = this.endOffsetFor(diverging.epoch).endOffset;
      const truncateTo = Math.min(diverging.endOffset, ownEnd);
      assert(truncateTo < this.log.length, "a diverging log loses at least its last record");
      ctx.storage.truncateLog(LOG, truncateTo + 1);
      this.log.length = truncateTo;
      this.highWatermarkOffset = Math.min(this.highWatermarkOffset, truncateTo);
      this.sendFetch(ctx);
      return;
    }
    if (message.records.length > 0) {
      const copies = message.records.map((r) => ({
        offset: r.offset,
        leaderEpoch: r.leaderEpoch,
        id: r.id,
      }));
      for (const record of copies) {
        assert(record.offset === this.log.length, "fetched records continue the log");
        const last = this.log[this.log.length - 1];
        assert(
          last === undefined || last.leaderEpoch <= record.leaderEpoch,
          "epochs never decrease along the log",
        );
        this.log.push(record);
      }
      ctx.storage.appendLog(LOG, copies);
    }
    this.highWatermarkOffset = Math.min(message.highWatermark, this.log.length);
    if (message.records.length > 0) this.sendFetch(ctx);
  }

  /** Reads the durable log once per incarnation (the start event may come after a call). */
  private load(ctx: NodeContext<ReplicationMessage>): void {
    if (this.loaded) return;
    this.loaded = true;
    const { firstIndex, entries } = ctx.storage.readLog<ReplicatedRecord>(LOG);
    assert(firstIndex === 1, "replica logs are never compacted");
    entries.forEach((record, offset) => {
      assert(record.offset === offset, "a stored record sits at its offset");
    });
    this.log = entries;
  }
}
