// AP counters: every replica answers from its own state and gossips it on a timer (anti-entropy).
// Naive last-write-wins on (value, timestamp), then the PN-counter CRDT (Shapiro et al. 2011, §3.1).

import { assert } from "../sim/assert.js";
import type { Envelope, FiredTimer, NodeContext, Process } from "../sim/index.js";
import type { ReplicaSnapshot } from "./cp.js";
import { PNCounter } from "./crdt.js";
import type { CapMessage, CapCounterInput } from "./types.js";

/** What every AP replica of one cluster shares. */
export interface ApReplicaConfig {
  /** All replica ids, this one included. */
  readonly replicas: readonly string[];
  /** Each replica sends its whole state to every peer this often (anti-entropy). */
  readonly antiEntropyIntervalMs: number;
  /** Instrumentation: the update ids a read's answer accounts for (not part of the protocol). */
  readonly observeRead: (client: string, requestId: number, updateIds: readonly string[]) => void;
}

const ANTI_ENTROPY = "anti-entropy";

/** Timer and request plumbing shared by both AP replicas. */
abstract class GossipReplica implements Process<CapMessage> {
  // A duplicated request must not count twice: requests are identified by client and request id.
  private readonly requestsSeen = new Set<string>();

  constructor(protected readonly config: ApReplicaConfig) {}

  abstract snapshot(): ReplicaSnapshot;

  /** Applies a client's request to the local state; returns the value to answer. */
  protected abstract apply(
    ctx: NodeContext<CapMessage>,
    client: string,
    requestId: number,
    input: CapCounterInput,
  ): number;

  /** The state message this replica gossips. */
  protected abstract stateMessage(ctx: NodeContext<CapMessage>): CapMessage;

  /** Folds a peer's state into the local one. */
  protected abstract absorb(ctx: NodeContext<CapMessage>, message: Envelope<CapMessage>): void;

  onStart(ctx: NodeContext<CapMessage>): void {
    ctx.setTimer(this.config.antiEntropyIntervalMs, ANTI_ENTROPY);
  }

  onMessage(ctx: NodeContext<CapMessage>, message: Envelope<CapMessage>): void {
    if (message.type === "request") {
      const key = `${message.from}/${message.requestId}`;
      if (this.requestsSeen.has(key)) return;
      this.requestsSeen.add(key);
      // Availability: answer now, from local state, whatever the network is doing.
      const value = this.apply(ctx, message.from, message.requestId, message.input);
      ctx.send(message.from, {
        type: "response",
        requestId: message.requestId,
        output: { status: "ok", value, effect: message.input.kind === "read" ? "none" : "applied" },
      });
      return;
    }
    this.absorb(ctx, message);
  }

  onTimer(ctx: NodeContext<CapMessage>, timer: FiredTimer): void {
    if (timer.name !== ANTI_ENTROPY) return;
    const state = this.stateMessage(ctx);
    for (const peer of this.config.replicas) if (peer !== ctx.id) ctx.send(peer, state);
    ctx.setTimer(this.config.antiEntropyIntervalMs, ANTI_ENTROPY);
  }
}

/**
 * The naive AP counter: a register `(value, timestamp)`. An update reads the local value, adds
 * one and stamps it with the local clock; gossip keeps the state with the later timestamp (ties:
 * the larger writer id). Whatever the other side counted since the two states diverged is
 * overwritten: increments are lost, silently.
 */
export class LastWriteWinsReplica extends GossipReplica {
  private value = 0;
  private timestampMs = -1;
  private writer = "";
  // Instrumentation only: the updates `value` accounts for.
  private ghostIds: readonly string[] = [];

  snapshot(): ReplicaSnapshot {
    return { value: this.value, updateIds: [...this.ghostIds] };
  }

  protected apply(
    ctx: NodeContext<CapMessage>,
    client: string,
    requestId: number,
    input: CapCounterInput,
  ): number {
    if (input.kind === "read") {
      this.config.observeRead(client, requestId, this.ghostIds);
      return this.value;
    }
    this.value += input.kind === "inc" ? 1 : -1;
    this.ghostIds = [...this.ghostIds, input.id];
    this.timestampMs = ctx.now();
    this.writer = ctx.id;
    return this.value;
  }

  protected stateMessage(): CapMessage {
    return {
      type: "lwwState",
      value: this.value,
      timestampMs: this.timestampMs,
      writer: this.writer,
      ghostIds: this.ghostIds,
    };
  }

  protected absorb(ctx: NodeContext<CapMessage>, message: Envelope<CapMessage>): void {
    if (message.type !== "lwwState") return;
    const newer =
      message.timestampMs > this.timestampMs ||
      (message.timestampMs === this.timestampMs && message.writer > this.writer);
    if (!newer) return;
    const dropped = this.ghostIds.filter((id) => !message.ghostIds.includes(id));
    if (dropped.length > 0) {
      ctx.log(`LWW: state from ${message.from} wins, ${dropped.length} update(s) overwritten`);
    }
    this.value = message.value;
    this.timestampMs = message.timestampMs;
    this.writer = message.writer;
    this.ghostIds = message.ghostIds;
  }
}

/**
 * The fixed AP counter: a PN-counter CRDT. An update raises this replica's own entry; gossip
 * merges by pointwise max. No update is lost and, once gossip crosses after a heal, every replica
 * holds the same state (strong eventual consistency).
 */
export class CrdtCounterReplica extends GossipReplica {
  private state = PNCounter.empty();
  // Instrumentation only: the ids of this replica's own updates, in order, so the harness can
  // tell which updates a state's entries stand for.
  private readonly ownIncIds: string[] = [];
  private readonly ownDecIds: string[] = [];

  constructor(
    config: ApReplicaConfig,
    /** Instrumentation: every replica's own update ids, shared by the cluster's harness. */
    private readonly updateLog: Map<string, { inc: string[]; dec: string[] }>,
  ) {
    super(config);
  }

  snapshot(): ReplicaSnapshot {
    return { value: this.state.value(), updateIds: this.visibleIds(this.state) };
  }

  protected apply(
    ctx: NodeContext<CapMessage>,
    client: string,
    requestId: number,
    input: CapCounterInput,
  ): number {
    if (input.kind === "read") {
      this.config.observeRead(client, requestId, this.visibleIds(this.state));
      return this.state.value();
    }
    const log = this.logOf(ctx.id);
    if (input.kind === "inc") {
      this.state = this.state.increment(ctx.id);
      log.inc.push(input.id);
      this.ownIncIds.push(input.id);
    } else {
      this.state = this.state.decrement(ctx.id);
      log.dec.push(input.id);
      this.ownDecIds.push(input.id);
    }
    assert(
      this.state.positive.countOf(ctx.id) === this.ownIncIds.length,
      "a replica's own entry counts exactly its own increments",
    );
    return this.state.value();
  }

  protected stateMessage(): CapMessage {
    return { type: "crdtState", state: this.state.toJSON() };
  }

  protected absorb(_ctx: NodeContext<CapMessage>, message: Envelope<CapMessage>): void {
    if (message.type !== "crdtState") return;
    this.state = this.state.merge(PNCounter.fromJSON(message.state));
  }

  private logOf(replica: string): { inc: string[]; dec: string[] } {
    let log = this.updateLog.get(replica);
    if (log === undefined) {
      log = { inc: [], dec: [] };
      this.updateLog.set(replica, log);
    }
    return log;
  }

  /** The update ids a state accounts for: the first k updates of each replica for entry k. */
  private visibleIds(state: PNCounter): string[] {
    const ids: string[] = [];
    for (const replica of this.config.replicas) {
      const log = this.updateLog.get(replica);
      if (log === undefined) continue;
      ids.push(...log.inc.slice(0, state.positive.countOf(replica)));
      ids.push(...log.dec.slice(0, state.negative.countOf(replica)));
    }
    return ids;
  }
}
