// The Paxos safety checker: at most one value is chosen per slot, and it was proposed.
// Reference: Paxos Made Simple §2.1 (the safety requirements); fed after every delivery.

import { InvariantViolation, describeValue } from "../../sim/assert.js";
import type { NodeId } from "../../sim/types.js";
import { type PaxosBallot, type PaxosSlotValue, ballotText } from "./types.js";

/**
 * Watches every acceptance and everything learned, and throws {@link InvariantViolation} (naming
 * the seed) as soon as two values are chosen in one slot, a learner learns a value that was not
 * chosen, or a chosen value was never proposed. "Chosen" is the paper's: a majority of acceptors
 * accepted it in the same ballot, at any time (later acceptances do not undo it).
 */
export class PaxosSafetyChecker {
  private readonly proposed = new Set<string>();
  private readonly chosenBySlot = new Map<number, PaxosSlotValue>();
  // slot -> ballot text -> value and its acceptors
  private readonly votes = new Map<
    number,
    Map<string, { value: PaxosSlotValue; acceptors: Set<NodeId> }>
  >();
  /** Checks made (one per acceptance or learned value observed). */
  checks = 0;

  constructor(
    private readonly seed: number,
    private readonly majority: number,
    private readonly noOpAllowed: boolean,
  ) {}

  /** Records a value handed to a proposer. */
  proposedValue(value: PaxosSlotValue): void {
    this.proposed.add(JSON.stringify(value));
  }

  /** The value chosen in `slot`, or undefined. */
  chosen(slot: number): PaxosSlotValue | undefined {
    return this.chosenBySlot.get(slot);
  }

  /** Slots with a chosen value, ascending. */
  chosenSlots(): number[] {
    return [...this.chosenBySlot.keys()].sort((a, b) => a - b);
  }

  /** An acceptor accepted `value` in `slot` at `ballot`. */
  accepted(acceptor: NodeId, slot: number, ballot: PaxosBallot, value: PaxosSlotValue): void {
    this.checks++;
    let bySlot = this.votes.get(slot);
    if (bySlot === undefined) {
      bySlot = new Map();
      this.votes.set(slot, bySlot);
    }
    const key = ballotText(ballot);
    let tally = bySlot.get(key);
    if (tally === undefined) {
      tally = { value, acceptors: new Set() };
      bySlot.set(key, tally);
    }
    if (tally.value !== value) {
      this.fail(
        `ballot ${key} carries two values in slot ${slot}: ` +
          `${describeValue(tally.value)} and ${describeValue(value)}`,
      );
    }
    tally.acceptors.add(acceptor);
    if (tally.acceptors.size < this.majority) return;
    this.choose(slot, value, `a majority accepted it in ballot ${key}`);
  }

  /** A learner learned `value` in `slot`: it must be the chosen one. */
  learned(learner: NodeId, slot: number, value: PaxosSlotValue): void {
    this.checks++;
    const chosen = this.chosenBySlot.get(slot);
    if (!this.chosenBySlot.has(slot) || chosen !== value) {
      this.fail(
        `learner ${learner} learned ${describeValue(value)} in slot ${slot}, but the chosen ` +
          `value there is ${this.chosenBySlot.has(slot) ? describeValue(chosen) : "none yet"}`,
      );
    }
  }

  private choose(slot: number, value: PaxosSlotValue, why: string): void {
    if (this.chosenBySlot.has(slot)) {
      const earlier = this.chosenBySlot.get(slot);
      if (earlier !== value) {
        this.fail(
          `two values chosen in slot ${slot}: ${describeValue(earlier)}, then ` +
            `${describeValue(value)} (${why})`,
        );
      }
      return;
    }
    if (value === null ? !this.noOpAllowed : !this.proposed.has(JSON.stringify(value))) {
      this.fail(`value ${describeValue(value)} chosen in slot ${slot} was never proposed`);
    }
    this.chosenBySlot.set(slot, value);
  }

  private fail(what: string): never {
    throw new InvariantViolation(`Paxos safety violated (seed ${this.seed}): ${what}`);
  }
}
