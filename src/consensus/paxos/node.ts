// Single-decree Paxos on the simulator: one node may be acceptor, proposer and learner at once.
// Reference: Lamport, "Paxos Made Simple" (2001), §2.2 (choosing), §2.3 (learning), §2.4 (progress).

import { assert } from "../../sim/assert.js";
import type { Envelope, FiredTimer, NodeContext, NodeId, Process } from "../../sim/types.js";
import { PaxosAcceptor, PaxosLearner } from "./acceptor.js";
import {
  type PaxosBallot,
  type PaxosMessage,
  type PaxosSlotValue,
  type PaxosValue,
  ballotText,
  compareBallots,
  majorityOf,
} from "./types.js";

/** Storage key of the proposer's highest round used: a ballot is never reused after a restart. */
const ROUND_KEY = "proposerRound";

/** How a proposer waits before it retries with a higher ballot after a refusal or a timeout. */
export type PaxosRetryPolicy =
  /** Always the same delay: two proposers can pre-empt each other forever (§2.4). */
  | { readonly kind: "fixed"; readonly delayMs: number }
  /** A delay drawn from ctx.random in [0, delayMsMax * 2^(attempt-1)], capped at capMs. */
  | { readonly kind: "random"; readonly delayMsMax: number; readonly capMs: number };

/** "Break it" switches: each makes Paxos unsafe, and the safety checker must catch it. */
export type PaxosBreakIt =
  /** Acceptors keep promisedBallot and accepted values in memory only: a restart forgets them. */
  | "acceptor-amnesia"
  /** Proposers ignore the values reported in promises and always propose their own. */
  | "ignore-promised-values";

/** What a node runs: its roles and the settings they need. */
export interface PaxosNodeConfig {
  readonly acceptor: boolean;
  readonly proposer: boolean;
  readonly acceptorIds: readonly NodeId[];
  /** Every node learns: acceptors send "accepted" to all of these. */
  readonly learnerIds: readonly NodeId[];
  readonly retry: PaxosRetryPolicy;
  /** A phase that gets no quorum in this time is abandoned and retried. */
  readonly phaseTimeoutMs: number;
  readonly breakIt: PaxosBreakIt | undefined;
}

/** Where a proposer is in its current attempt. */
export type PaxosProposerPhase = "idle" | "preparing" | "accepting" | "waiting" | "done";

/**
 * A single-decree Paxos node (slot 0). Proposer state is volatile except the highest round used;
 * acceptor state is on stable storage; what a learner learned is relearned after a restart.
 */
export class PaxosNode implements Process<PaxosMessage> {
  readonly acceptor: PaxosAcceptor | undefined;
  readonly learner: PaxosLearner;
  /** The value this proposer was asked to get chosen (volatile). */
  proposal: PaxosValue | undefined;
  /** The ballot of the current attempt. */
  ballot: PaxosBallot | undefined;
  phase: PaxosProposerPhase = "idle";
  /** Attempts (phase 1 starts) since the proposal was made. */
  attempts = 0;
  /** The highest round seen in any ballot (from promises and refusals). */
  private roundSeen = 0;
  private readonly promises = new Map<NodeId, PaxosMessage & { type: "promise" }>();
  private readonly acceptedBy = new Set<NodeId>();
  private readonly majority: number;

  constructor(private readonly config: PaxosNodeConfig) {
    this.majority = majorityOf(config.acceptorIds.length);
    this.learner = new PaxosLearner(this.majority);
    this.acceptor = config.acceptor
      ? new PaxosAcceptor(config.learnerIds, config.breakIt === "acceptor-amnesia")
      : undefined;
  }

  onStart(ctx: NodeContext<PaxosMessage>): void {
    this.acceptor?.load(ctx);
    this.roundSeen = ctx.storage.get<number>(ROUND_KEY) ?? 0;
  }

  /** Starts proposing `value` (Paxos Made Simple §2.2, phase 1a). */
  propose(ctx: NodeContext<PaxosMessage>, value: PaxosValue): void {
    assert(this.config.proposer, "only a proposer proposes");
    this.proposal = value;
    this.attempts = 0;
    if (this.learner.learned.has(0)) {
      this.phase = "done";
      return;
    }
    this.startPhase1(ctx);
  }

  onMessage(ctx: NodeContext<PaxosMessage>, message: Envelope<PaxosMessage>): void {
    switch (message.type) {
      case "prepare":
        this.acceptor?.onPrepare(ctx, message.from, message.ballot, message.slotFrom);
        return;
      case "accept": {
        if (this.acceptor === undefined) return;
        const before = this.acceptor.acceptedSinceDrain.length;
        this.acceptor.onAccept(ctx, message.from, message.ballot, message.slot, message.value);
        // This node is a learner too: count its own acceptance.
        if (this.acceptor.acceptedSinceDrain.length > before) {
          this.onAccepted(ctx, ctx.id, message.ballot, message.slot, message.value);
        }
        return;
      }
      case "promise":
        return this.onPromise(ctx, message);
      case "accepted":
        return this.onAccepted(ctx, message.from, message.ballot, message.slot, message.value);
      case "nack":
        return this.onNack(ctx, message.ballot, message.promisedBallot);
      default:
        return;
    }
  }

  onTimer(ctx: NodeContext<PaxosMessage>, timer: FiredTimer): void {
    if (timer.name === "retry") {
      if (this.phase === "waiting") this.startPhase1(ctx);
      return;
    }
    if (timer.name === "phase-timeout") {
      const ballot = timer.data as PaxosBallot;
      if (!this.isCurrent(ballot)) return;
      if (this.phase === "preparing" || this.phase === "accepting") this.backOff(ctx);
    }
  }

  private isCurrent(ballot: PaxosBallot): boolean {
    return this.ballot !== undefined && compareBallots(ballot, this.ballot) === 0;
  }

  private startPhase1(ctx: NodeContext<PaxosMessage>): void {
    const round = this.roundSeen + 1;
    this.roundSeen = round;
    // Persisted before the ballot leaves the node: a restarted proposer never reuses it.
    ctx.storage.set(ROUND_KEY, round);
    this.ballot = { round, proposerId: ctx.id };
    this.phase = "preparing";
    this.attempts++;
    this.promises.clear();
    this.acceptedBy.clear();
    for (const acceptor of this.config.acceptorIds) {
      this.deliverLocally(ctx, acceptor, { type: "prepare", ballot: this.ballot, slotFrom: 0 });
    }
    ctx.setTimer(this.config.phaseTimeoutMs, "phase-timeout", this.ballot);
  }

  /** Sends to `to`, or handles it at once when this node is `to` (a node talks to itself). */
  private deliverLocally(ctx: NodeContext<PaxosMessage>, to: NodeId, body: PaxosMessage): void {
    if (to !== ctx.id) {
      ctx.send(to, body);
      return;
    }
    this.onMessage(ctx, Object.freeze({ ...body, from: ctx.id, to: ctx.id }));
  }

  private onPromise(ctx: NodeContext<PaxosMessage>, message: Envelope<PaxosMessage>): void {
    if (message.type !== "promise") return;
    if (this.phase !== "preparing" || !this.isCurrent(message.ballot)) return;
    this.promises.set(message.from, message);
    if (this.promises.size < this.majority) return;
    // Phase 2a: the value of the highest-numbered proposal among the promises, else our own.
    let highest: { ballot: PaxosBallot; value: PaxosSlotValue } | undefined;
    if (this.config.breakIt !== "ignore-promised-values") {
      for (const promise of this.promises.values()) {
        for (const entry of promise.accepted) {
          if (entry.slot !== 0) continue;
          if (highest === undefined || compareBallots(entry.ballot, highest.ballot) > 0) {
            highest = { ballot: entry.ballot, value: entry.value };
          }
        }
      }
    }
    const value = highest !== undefined ? highest.value : this.proposal;
    assert(value !== undefined, "a proposer in phase 2 has a value to propose");
    this.phase = "accepting";
    const ballot = this.ballot as PaxosBallot;
    for (const acceptor of this.config.acceptorIds) {
      this.deliverLocally(ctx, acceptor, { type: "accept", ballot, slot: 0, value });
    }
  }

  private onAccepted(
    ctx: NodeContext<PaxosMessage>,
    acceptor: NodeId,
    ballot: PaxosBallot,
    slot: number,
    value: PaxosSlotValue,
  ): void {
    this.learner.onAccepted(acceptor, ballot, slot, value);
    if (this.phase === "accepting" && this.isCurrent(ballot)) this.acceptedBy.add(acceptor);
    if (this.learner.learned.has(0) && this.phase !== "idle" && this.phase !== "done") {
      this.phase = "done";
      ctx.log(`learned ${JSON.stringify(this.learner.learned.get(0))}`);
    }
  }

  private onNack(ctx: NodeContext<PaxosMessage>, ballot: PaxosBallot, promised: PaxosBallot) {
    this.roundSeen = Math.max(this.roundSeen, promised.round);
    if (!this.isCurrent(ballot)) return;
    if (this.phase !== "preparing" && this.phase !== "accepting") return;
    this.backOff(ctx);
  }

  /** Abandons the current ballot and schedules a retry with a higher one. */
  private backOff(ctx: NodeContext<PaxosMessage>): void {
    this.phase = "waiting";
    const retry = this.config.retry;
    let delayMs: number;
    if (retry.kind === "fixed") delayMs = retry.delayMs;
    else {
      const ceilingMs = Math.min(retry.capMs, retry.delayMsMax * 2 ** (this.attempts - 1));
      delayMs = ctx.random() * ceilingMs;
    }
    ctx.log(`ballot ${ballotText(this.ballot)} pre-empted, retry in ${delayMs.toFixed(1)} ms`);
    ctx.setTimer(delayMs, "retry");
  }
}
