// Multi-Paxos: a replicated log of slots, a distinguished leader that runs phase 1 once for all
// slots and then only phase 2, gaps filled with no-ops. Reference: Paxos Made Simple §3.

import { assert } from "../../sim/assert.js";
import type { Envelope, FiredTimer, NodeContext, NodeId, Process } from "../../sim/types.js";
import { PaxosAcceptor, PaxosLearner } from "./acceptor.js";
import type { PaxosBreakIt } from "./node.js";
import {
  type PaxosBallot,
  type PaxosMessage,
  type PaxosSlotValue,
  type PaxosValue,
  ballotAbove,
  ballotText,
  compareBallots,
  majorityOf,
} from "./types.js";

const ROUND_KEY = "proposerRound";
const CHOSEN_PREFIX = "chosen/";
/** Most values one catch-up answer carries. */
const CATCHUP_ENTRIES_MAX = 100;

/** Timing of a Multi-Paxos node, in ms of its own clock. */
export interface MultiPaxosTiming {
  /** The leader sends a heartbeat (and re-sends unanswered accepts) this often. */
  readonly heartbeatMs: number;
  /** A follower that hears no leader for a random time in [min, 2 * min] runs phase 1 itself. */
  readonly electionTimeoutMsMin: number;
}

/** What a Multi-Paxos node runs with. */
export interface MultiPaxosNodeConfig {
  readonly nodeIds: readonly NodeId[];
  readonly timing: MultiPaxosTiming;
  readonly breakIt: PaxosBreakIt | undefined;
}

/** A node's role in Multi-Paxos. */
export type MultiPaxosRole = "follower" | "candidate" | "leader";

/**
 * One Multi-Paxos replica: acceptor, learner and (when it leads) proposer for every slot. The
 * first node leads from the start; any node whose leader goes quiet runs phase 1 with a higher
 * ballot. Learned slots are kept on stable storage, so a restarted node keeps its log.
 */
export class MultiPaxosNode implements Process<PaxosMessage> {
  readonly acceptor: PaxosAcceptor;
  readonly learner: PaxosLearner;
  role: MultiPaxosRole = "follower";
  /** The ballot this node leads (or tries to lead) with. */
  ballot: PaxosBallot | undefined;
  /** The highest ballot heard from a leader, and who holds it. */
  leaderBallot: PaxosBallot | undefined;
  /** Leader only: the next free slot. invariant: every slot below it was proposed or is chosen. */
  nextSlot = 0;
  /** Phase-1 runs this node started (elections tried). */
  phase1Runs = 0;
  private roundSeen = 0;
  private readonly majority: number;
  private readonly promises = new Map<NodeId, PaxosMessage & { type: "promise" }>();
  /** Leader only: slots proposed and not yet learned. */
  private readonly inflight = new Map<number, PaxosSlotValue>();
  /** Values waiting for a leader (client requests this node holds). */
  private readonly pending: PaxosValue[] = [];
  /** Values forwarded to a leader and not seen chosen: forwarded again to the next leader. */
  private readonly forwarded: PaxosValue[] = [];
  private electionTimer: number | undefined;
  /** invariant: every slot below it is learned. */
  private learnedPrefix = 0;
  /** Values learned in some slot, so a duplicated request does not take a second slot. */
  private readonly learnedValues = new Set<PaxosSlotValue>();
  /** Leader only: the slot of each value in `inflight` (its inverse). */
  private readonly inflightSlotOf = new Map<PaxosSlotValue, number>();

  constructor(private readonly config: MultiPaxosNodeConfig) {
    this.majority = majorityOf(config.nodeIds.length);
    this.acceptor = new PaxosAcceptor(config.nodeIds, config.breakIt === "acceptor-amnesia");
    this.learner = new PaxosLearner(this.majority);
  }

  onStart(ctx: NodeContext<PaxosMessage>): void {
    this.acceptor.load(ctx);
    this.roundSeen = ctx.storage.get<number>(ROUND_KEY) ?? 0;
    for (const key of ctx.storage.keys()) {
      if (!key.startsWith(CHOSEN_PREFIX)) continue;
      const slot = Number(key.slice(CHOSEN_PREFIX.length));
      const value = ctx.storage.get<PaxosSlotValue>(key) as PaxosSlotValue;
      this.learner.learned.set(slot, value);
      this.learnedValues.add(value);
    }
    // The distinguished leader: the first node, on its first boot.
    if (ctx.id === this.config.nodeIds[0] && this.roundSeen === 0) this.startPhase1(ctx);
    else this.resetElectionTimer(ctx);
    ctx.setTimer(this.config.timing.heartbeatMs, "tick");
  }

  /** The first slot this node has not learned (learned slots are never forgotten). */
  firstUnlearned(): number {
    while (this.learner.learned.has(this.learnedPrefix)) this.learnedPrefix++;
    return this.learnedPrefix;
  }

  /** A client asks this node to append `value` to the log. */
  propose(ctx: NodeContext<PaxosMessage>, value: PaxosValue): void {
    if (this.role === "leader") return this.appendAsLeader(ctx, value);
    const leader = this.leaderBallot?.proposerId;
    if (this.role === "follower" && leader !== undefined && leader !== ctx.id) {
      ctx.send(leader, { type: "request", value });
      if (!this.forwarded.includes(value)) this.forwarded.push(value);
      return;
    }
    this.pending.push(value);
  }

  onMessage(ctx: NodeContext<PaxosMessage>, message: Envelope<PaxosMessage>): void {
    switch (message.type) {
      case "prepare":
        this.acceptor.onPrepare(ctx, message.from, message.ballot, message.slotFrom);
        if (message.from !== ctx.id) this.heardOf(ctx, message.ballot, false);
        return;
      case "accept":
        return this.onAccept(ctx, message.from, message.ballot, message.slot, message.value);
      case "promise":
        return this.onPromise(ctx, message);
      case "accepted":
        return this.onAccepted(ctx, message.from, message.ballot, message.slot, message.value);
      case "nack":
        return this.onNack(ctx, message.ballot, message.promisedBallot);
      case "heartbeat":
        this.heardOf(ctx, message.ballot, true);
        // A replica that was down or cut off asks the leader for what it missed.
        if (message.chosenUpTo > this.firstUnlearned() && this.role === "follower") {
          ctx.send(message.from, { type: "catchup", slotFrom: this.firstUnlearned() });
        }
        return;
      case "catchup":
        return this.onCatchup(ctx, message.from, message.slotFrom);
      case "chosen":
        for (const entry of message.entries) {
          if (this.learner.learnChosen(entry.slot, entry.value)) {
            this.learnedSlot(ctx, entry.slot, entry.value);
          }
        }
        return;
      case "request":
        return this.propose(ctx, message.value);
    }
  }

  onTimer(ctx: NodeContext<PaxosMessage>, timer: FiredTimer): void {
    if (timer.name === "tick") {
      ctx.setTimer(this.config.timing.heartbeatMs, "tick");
      if (this.role !== "leader") return;
      const ballot = this.ballot as PaxosBallot;
      ctx.broadcast({ type: "heartbeat", ballot, chosenUpTo: this.firstUnlearned() });
      // Re-send what is not learned yet: the network may have lost it.
      for (const [slot, value] of this.inflight) this.sendAccepts(ctx, slot, value);
      return;
    }
    if (timer.name === "election") {
      this.electionTimer = undefined;
      if (this.role !== "leader") this.startPhase1(ctx);
    }
  }

  private resetElectionTimer(ctx: NodeContext<PaxosMessage>): void {
    if (this.electionTimer !== undefined) ctx.cancelTimer(this.electionTimer);
    const minMs = this.config.timing.electionTimeoutMsMin;
    this.electionTimer = ctx.setTimer(minMs + ctx.random() * minMs, "election");
  }

  /** Phase 1 for every slot from the first this node has not learned (one prepare for all). */
  private startPhase1(ctx: NodeContext<PaxosMessage>): void {
    const round = this.roundSeen + 1;
    this.roundSeen = round;
    ctx.storage.set(ROUND_KEY, round);
    this.ballot = { round, proposerId: ctx.id };
    this.role = "candidate";
    this.phase1Runs++;
    this.promises.clear();
    this.inflight.clear();
    this.inflightSlotOf.clear();
    ctx.log(`phase 1 with ballot ${ballotText(this.ballot)}`);
    const prepare: PaxosMessage = {
      type: "prepare",
      ballot: this.ballot,
      slotFrom: this.firstUnlearned(),
    };
    this.acceptor.onPrepare(ctx, ctx.id, this.ballot, prepare.slotFrom);
    ctx.broadcast(prepare);
    // If no quorum answers, the election timer tries again with a higher ballot.
    this.resetElectionTimer(ctx);
  }

  private onPromise(ctx: NodeContext<PaxosMessage>, message: Envelope<PaxosMessage>): void {
    if (message.type !== "promise" || this.role !== "candidate") return;
    if (this.ballot === undefined || compareBallots(message.ballot, this.ballot) !== 0) return;
    this.promises.set(message.from, message);
    if (this.promises.size < this.majority) return;
    // Phase 2 for every open slot: the highest-ballot value among the promises, else a no-op.
    const highest = new Map<number, { ballot: PaxosBallot; value: PaxosSlotValue }>();
    if (this.config.breakIt !== "ignore-promised-values") {
      for (const promise of this.promises.values()) {
        for (const entry of promise.accepted) {
          const best = highest.get(entry.slot);
          if (best === undefined || compareBallots(entry.ballot, best.ballot) > 0) {
            highest.set(entry.slot, { ballot: entry.ballot, value: entry.value });
          }
        }
      }
    }
    const slotFrom = this.firstUnlearned();
    let slotEnd = slotFrom;
    for (const slot of highest.keys()) slotEnd = Math.max(slotEnd, slot + 1);
    for (const slot of this.learner.learned.keys()) slotEnd = Math.max(slotEnd, slot + 1);
    this.role = "leader";
    this.leaderBallot = this.ballot;
    if (this.electionTimer !== undefined) ctx.cancelTimer(this.electionTimer);
    this.electionTimer = undefined;
    ctx.log(
      `leader with ballot ${ballotText(this.ballot)}, slots ${slotFrom}..${slotEnd - 1} open`,
    );
    for (let slot = slotFrom; slot < slotEnd; slot++) {
      if (this.learner.learned.has(slot)) continue;
      const value = highest.get(slot)?.value ?? null;
      this.setInflight(slot, value);
      this.sendAccepts(ctx, slot, value);
    }
    this.nextSlot = slotEnd;
    ctx.broadcast({ type: "heartbeat", ballot: this.ballot, chosenUpTo: slotFrom });
    const waiting = this.pending.splice(0);
    for (const value of waiting) this.appendAsLeader(ctx, value);
  }

  private appendAsLeader(ctx: NodeContext<PaxosMessage>, value: PaxosValue): void {
    assert(this.role === "leader", "only the leader appends to the log");
    // A duplicated request must not take a second slot.
    if (this.inflightSlotOf.has(value) || this.learnedValues.has(value)) return;
    const slot = this.nextSlot++;
    this.setInflight(slot, value);
    this.sendAccepts(ctx, slot, value);
  }

  private sendAccepts(ctx: NodeContext<PaxosMessage>, slot: number, value: PaxosSlotValue): void {
    const ballot = this.ballot as PaxosBallot;
    ctx.broadcast({ type: "accept", ballot, slot, value });
    this.onAccept(ctx, ctx.id, ballot, slot, value);
  }

  private onAccept(
    ctx: NodeContext<PaxosMessage>,
    from: NodeId,
    ballot: PaxosBallot,
    slot: number,
    value: PaxosSlotValue,
  ): void {
    const before = this.acceptor.acceptedSinceDrain.length;
    this.acceptor.onAccept(ctx, from, ballot, slot, value);
    if (this.acceptor.acceptedSinceDrain.length > before) {
      this.onAccepted(ctx, ctx.id, ballot, slot, value);
      if (from !== ctx.id) this.heardOf(ctx, ballot, true);
    }
  }

  private onAccepted(
    ctx: NodeContext<PaxosMessage>,
    acceptor: NodeId,
    ballot: PaxosBallot,
    slot: number,
    value: PaxosSlotValue,
  ): void {
    if (!this.learner.onAccepted(acceptor, ballot, slot, value)) return;
    this.learnedSlot(ctx, slot, value);
  }

  /** Sends up to CATCHUP_ENTRIES_MAX learned values from `slotFrom` on. */
  private onCatchup(ctx: NodeContext<PaxosMessage>, to: NodeId, slotFrom: number): void {
    const entries: { slot: number; value: PaxosSlotValue }[] = [];
    for (let slot = slotFrom; entries.length < CATCHUP_ENTRIES_MAX; slot++) {
      if (!this.learner.learned.has(slot)) break;
      entries.push({ slot, value: this.learner.learned.get(slot) as PaxosSlotValue });
    }
    if (entries.length > 0) ctx.send(to, { type: "chosen", entries });
  }

  /** Keeps a newly learned slot: on stable storage, and out of the leader's in-flight set. */
  private learnedSlot(ctx: NodeContext<PaxosMessage>, slot: number, value: PaxosSlotValue): void {
    ctx.storage.set(CHOSEN_PREFIX + String(slot), value);
    this.learnedValues.add(value);
    const proposed = this.inflight.get(slot);
    if (this.inflight.delete(slot)) this.inflightSlotOf.delete(proposed as PaxosSlotValue);
  }

  private onNack(ctx: NodeContext<PaxosMessage>, ballot: PaxosBallot, promised: PaxosBallot) {
    this.roundSeen = Math.max(this.roundSeen, promised.round);
    if (this.ballot === undefined || compareBallots(ballot, this.ballot) !== 0) return;
    if (this.role === "follower") return;
    this.stepDown(ctx, `ballot ${ballotText(ballot)} refused for ${ballotText(promised)}`);
  }

  /** Someone leads (or tries to) with `ballot`: follow it if it is the highest known. */
  private heardOf(ctx: NodeContext<PaxosMessage>, ballot: PaxosBallot, leading: boolean): void {
    this.roundSeen = Math.max(this.roundSeen, ballot.round);
    if (this.ballot !== undefined && compareBallots(ballot, this.ballot) === 0) return;
    if (this.leaderBallot !== undefined && compareBallots(ballot, this.leaderBallot) < 0) return;
    if (this.role !== "follower" && !ballotAbove(ballot, this.ballot)) return;
    if (this.role !== "follower") this.stepDown(ctx, `${ballotText(ballot)} is higher`);
    if (!leading) return;
    const newLeader = this.leaderBallot === undefined || ballotAbove(ballot, this.leaderBallot);
    this.leaderBallot = ballot;
    this.resetElectionTimer(ctx);
    if (!newLeader) return;
    const waiting = [...this.pending.splice(0), ...this.forwarded.splice(0)];
    for (const value of waiting) if (!this.learnedValues.has(value)) this.propose(ctx, value);
  }

  private setInflight(slot: number, value: PaxosSlotValue): void {
    this.inflight.set(slot, value);
    // No-ops share the value null; only client values need the inverse.
    if (value !== null) this.inflightSlotOf.set(value, slot);
  }

  private stepDown(ctx: NodeContext<PaxosMessage>, why: string): void {
    ctx.log(`steps down: ${why}`);
    // What this node proposed but did not see chosen goes back to the queue for the next leader.
    for (const value of this.inflight.values()) if (value !== null) this.pending.push(value);
    this.inflight.clear();
    this.inflightSlotOf.clear();
    this.role = "follower";
    this.resetElectionTimer(ctx);
  }
}
