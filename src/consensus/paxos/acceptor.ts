// The Paxos acceptor: promisedBallot, and per slot acceptedBallot and acceptedValue, on stable
// storage before any reply. Reference: Paxos Made Simple §2.2 (P1a) and §2.5 (stable storage).

import { assert } from "../../sim/assert.js";
import type { NodeContext, NodeId } from "../../sim/types.js";
import {
  type PaxosAcceptedEntry,
  type PaxosBallot,
  type PaxosMessage,
  type PaxosSlotValue,
  ballotAbove,
  compareBallots,
} from "./types.js";

/** Storage key of the promise. */
const PROMISED_KEY = "promisedBallot";
/** Storage key prefix of a slot's accepted ballot and value. */
const ACCEPTED_PREFIX = "accepted/";

interface StoredAccepted {
  readonly acceptedBallot: PaxosBallot;
  readonly acceptedValue: PaxosSlotValue;
}

/**
 * One acceptor's state and its two handlers. It is rebuilt from `ctx.storage` at every start, so a
 * crash forgets nothing it answered. With `amnesia` (a "break it" switch) it keeps everything in
 * memory only, so a restart forgets its promises: the safety checker catches what follows.
 */
export class PaxosAcceptor {
  /** The highest ballot this acceptor promised (P1a: it accepts nothing below it). */
  promisedBallot: PaxosBallot | undefined;
  /** Per slot: the highest ballot accepted and its value. */
  readonly accepted = new Map<number, PaxosAcceptedEntry>();
  /** Acceptances since the harness last looked (volatile; drained after every handler). */
  readonly acceptedSinceDrain: PaxosAcceptedEntry[] = [];

  constructor(
    private readonly learners: readonly NodeId[],
    private readonly amnesia: boolean,
  ) {}

  /** Reloads the persisted state (nothing, with amnesia). */
  load(ctx: NodeContext<PaxosMessage>): void {
    if (this.amnesia) return;
    this.promisedBallot = ctx.storage.get<PaxosBallot>(PROMISED_KEY);
    for (const key of ctx.storage.keys()) {
      if (!key.startsWith(ACCEPTED_PREFIX)) continue;
      const slot = Number(key.slice(ACCEPTED_PREFIX.length));
      const stored = ctx.storage.get<StoredAccepted>(key) as StoredAccepted;
      this.accepted.set(slot, {
        slot,
        ballot: stored.acceptedBallot,
        value: stored.acceptedValue,
      });
    }
  }

  /** Phase 1b: promise `ballot` if it is the highest seen (persisted first), else refuse. */
  onPrepare(ctx: NodeContext<PaxosMessage>, from: NodeId, ballot: PaxosBallot, slotFrom: number) {
    if (this.promisedBallot !== undefined && compareBallots(ballot, this.promisedBallot) < 0) {
      ctx.send(from, { type: "nack", ballot, promisedBallot: this.promisedBallot });
      return;
    }
    if (ballotAbove(ballot, this.promisedBallot)) {
      this.promisedBallot = ballot;
      if (!this.amnesia) ctx.storage.set(PROMISED_KEY, ballot);
    }
    const accepted = [...this.accepted.values()].filter((entry) => entry.slot >= slotFrom);
    ctx.send(from, { type: "promise", ballot, accepted });
  }

  /**
   * Phase 2b: accept unless a higher ballot was promised (P1a). The acceptance is persisted before
   * it is announced to the learners and the proposer.
   */
  onAccept(
    ctx: NodeContext<PaxosMessage>,
    from: NodeId,
    ballot: PaxosBallot,
    slot: number,
    value: PaxosSlotValue,
  ): void {
    if (this.promisedBallot !== undefined && compareBallots(ballot, this.promisedBallot) < 0) {
      ctx.send(from, { type: "nack", ballot, promisedBallot: this.promisedBallot });
      return;
    }
    const previous = this.accepted.get(slot);
    // A ballot proposes one value per slot, so accepting the same ballot twice changes nothing.
    assert(
      previous === undefined ||
        compareBallots(previous.ballot, ballot) !== 0 ||
        previous.value === value,
      `ballot ${ballot.round}.${ballot.proposerId} carries one value in slot ${slot}`,
    );
    if (ballotAbove(ballot, this.promisedBallot)) {
      this.promisedBallot = ballot;
      if (!this.amnesia) ctx.storage.set(PROMISED_KEY, ballot);
    }
    const entry: PaxosAcceptedEntry = { slot, ballot, value };
    this.accepted.set(slot, entry);
    if (!this.amnesia) {
      const stored: StoredAccepted = { acceptedBallot: ballot, acceptedValue: value };
      ctx.storage.set(ACCEPTED_PREFIX + String(slot), stored);
    }
    this.acceptedSinceDrain.push(entry);
    const reply: PaxosMessage = { type: "accepted", ballot, slot, value };
    for (const learner of this.learners) {
      if (learner !== ctx.id) ctx.send(learner, reply);
    }
    if (!this.learners.includes(from) && from !== ctx.id) ctx.send(from, reply);
  }
}

/**
 * A learner: a value is chosen in a slot once a majority of acceptors accepted it in the same
 * ballot (Paxos Made Simple §2.3).
 */
export class PaxosLearner {
  /** Chosen values learned, per slot (volatile: relearned from acceptors after a restart). */
  readonly learned = new Map<number, PaxosSlotValue>();
  /** Learned since the harness last looked. */
  readonly learnedSinceDrain: { slot: number; value: PaxosSlotValue }[] = [];
  // slot -> ballot text -> acceptors that accepted it
  private readonly votes = new Map<number, Map<string, Set<NodeId>>>();

  constructor(private readonly majority: number) {}

  /** Learns a value another learner reports chosen (Multi-Paxos catch-up); true if it is new. */
  learnChosen(slot: number, value: PaxosSlotValue): boolean {
    if (this.learned.has(slot)) return false;
    this.learned.set(slot, value);
    this.learnedSinceDrain.push({ slot, value });
    this.votes.delete(slot);
    return true;
  }

  /** Counts one acceptance; returns true when it makes the slot's value learned. */
  onAccepted(acceptor: NodeId, ballot: PaxosBallot, slot: number, value: PaxosSlotValue): boolean {
    if (this.learned.has(slot)) return false;
    let bySlot = this.votes.get(slot);
    if (bySlot === undefined) {
      bySlot = new Map();
      this.votes.set(slot, bySlot);
    }
    const key = `${ballot.round}.${ballot.proposerId}`;
    let voters = bySlot.get(key);
    if (voters === undefined) {
      voters = new Set();
      bySlot.set(key, voters);
    }
    voters.add(acceptor);
    if (voters.size < this.majority) return false;
    this.learned.set(slot, value);
    this.learnedSinceDrain.push({ slot, value });
    this.votes.delete(slot);
    return true;
  }
}
