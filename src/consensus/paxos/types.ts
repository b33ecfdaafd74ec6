// Paxos: ballots, values and the one message shape shared by single-decree and Multi-Paxos.
// Reference: Lamport, "Paxos Made Simple" (2001), §2.2 (proposal numbers) and §3 (Multi-Paxos).

import { assert, invalidArgument } from "../../sim/assert.js";
import type { NodeId } from "../../sim/types.js";

/**
 * A proposal number ("ballot"): unique per proposer because it carries the proposer's id, and
 * totally ordered by (round, proposerId). Paxos Made Simple §2.2: "different proposals have
 * different numbers".
 */
export interface PaxosBallot {
  readonly round: number;
  readonly proposerId: NodeId;
}

/** A value a client may propose: a string, a finite number or a boolean. */
export type PaxosValue = string | number | boolean;

/** What a Multi-Paxos slot may hold: a proposed value, or `null` for a no-op that fills a gap. */
export type PaxosSlotValue = PaxosValue | null;

/** Orders ballots by round, then proposer id: negative, zero or positive like a comparator. */
export function compareBallots(a: PaxosBallot, b: PaxosBallot): number {
  if (a.round !== b.round) return a.round - b.round;
  if (a.proposerId === b.proposerId) return 0;
  return a.proposerId < b.proposerId ? -1 : 1;
}

/** Compares a ballot with "none yet" (undefined), which is below every ballot. */
export function ballotAbove(a: PaxosBallot | undefined, b: PaxosBallot | undefined): boolean {
  if (a === undefined) return false;
  if (b === undefined) return true;
  return compareBallots(a, b) > 0;
}

/** Renders a ballot as `round.proposerId`, for traces and error messages. */
export function ballotText(ballot: PaxosBallot | undefined): string {
  return ballot === undefined ? "none" : `${ballot.round}.${ballot.proposerId}`;
}

/** Throws unless `value` is a {@link PaxosValue}, naming what was given. */
export function requirePaxosValue(name: string, value: unknown): PaxosValue {
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  throw invalidArgument(name, "a string, a finite number or a boolean", value);
}

/** What an acceptor has accepted in one slot. */
export interface PaxosAcceptedEntry {
  readonly slot: number;
  readonly ballot: PaxosBallot;
  readonly value: PaxosSlotValue;
}

/** The messages of Paxos, one shape `{ type, ... }` (the simulator adds from and to). */
export type PaxosMessage =
  /** Phase 1a: promise me no ballot below `ballot`, for every slot >= slotFrom. */
  | { readonly type: "prepare"; readonly ballot: PaxosBallot; readonly slotFrom: number }
  /** Phase 1b: the promise, with what this acceptor accepted in slots >= slotFrom. */
  | {
      readonly type: "promise";
      readonly ballot: PaxosBallot;
      readonly accepted: readonly PaxosAcceptedEntry[];
    }
  /** Phase 2a: accept `value` in `slot` at `ballot`. */
  | {
      readonly type: "accept";
      readonly ballot: PaxosBallot;
      readonly slot: number;
      readonly value: PaxosSlotValue;
    }
  /** Phase 2b, sent to every learner: this acceptor accepted `value` in `slot` at `ballot`. */
  | {
      readonly type: "accepted";
      readonly ballot: PaxosBallot;
      readonly slot: number;
      readonly value: PaxosSlotValue;
    }
  /** A refusal: `ballot` is below the ballot this acceptor promised (`promisedBallot`). */
  | { readonly type: "nack"; readonly ballot: PaxosBallot; readonly promisedBallot: PaxosBallot }
  /** Multi-Paxos: a client request forwarded to whoever the sender thinks leads. */
  | { readonly type: "request"; readonly value: PaxosValue }
  /** Multi-Paxos: the leader is alive at `ballot` (followers do not try to lead meanwhile). */
  | { readonly type: "heartbeat"; readonly ballot: PaxosBallot; readonly chosenUpTo: number }
  /** Multi-Paxos: a lagging replica asks the leader for chosen values from `slotFrom` on. */
  | { readonly type: "catchup"; readonly slotFrom: number }
  /** Multi-Paxos: the leader's answer, values it learned (chosen) in consecutive slots. */
  | {
      readonly type: "chosen";
      readonly entries: readonly { readonly slot: number; readonly value: PaxosSlotValue }[];
    };

/** The type tags of {@link PaxosMessage}. */
export type PaxosMessageType = PaxosMessage["type"];

/** The smallest majority of `count` acceptors. */
export function majorityOf(count: number): number {
  assert(Number.isInteger(count) && count >= 1, "a quorum is taken of at least one acceptor");
  return Math.floor(count / 2) + 1;
}
