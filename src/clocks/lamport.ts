// Lamport clocks (Lamport, "Time, Clocks, and the Ordering of Events in a Distributed System",
// CACM 1978, §2-3): IR1 tick between events, IR2 receive = max(local, remote) + 1.

import { assert, describeValue } from "../sim/assert.js";
import type { NodeId } from "../sim/types.js";
import { requireCounter, requireNodeId } from "./order.js";

/** A Lamport timestamp with the node that made it: the tie-break of the total order (§3). */
export interface LamportTimestamp {
  readonly time: number;
  readonly node: NodeId;
}

/**
 * One process's Lamport clock: a counter that goes up by one at every event and jumps past any
 * timestamp it receives. It satisfies the clock condition: if a happened before b then
 * C(a) < C(b). The converse does not hold: C(a) < C(b) says nothing about whether a could have
 * influenced b (vector clocks tell that).
 *
 * Mutable, unlike vector clocks: it is the state of one process, and what travels or is stored
 * is the number it returns, which is a value.
 *
 * @example
 * const a = new LamportClock("A");
 * const b = new LamportClock("B");
 * const sent = a.tick();      // 1: A sends a message stamped 1
 * b.tick();                   // 1: B's own event
 * b.receive(sent);            // 2: max(1, 1) + 1
 * b.time;                     // 2
 */
export class LamportClock {
  /** The node this clock belongs to (the tie-break in {@link LamportClock.stamp}). */
  readonly node: NodeId;
  // invariant: time is a safe integer >= 0 and never decreases.
  private timeValue: number;

  /** A clock for `node` starting at `time` (default 0, before any event). */
  constructor(node: NodeId, time = 0) {
    this.node = requireNodeId("node", node);
    this.timeValue = requireCounter("time", time);
  }

  /** The timestamp of the last event (0 before any). */
  get time(): number {
    return this.timeValue;
  }

  /** Counts a local event or a send (IR1) and returns its timestamp. */
  tick(): number {
    return this.advanceTo(this.timeValue + 1);
  }

  /**
   * Counts the receipt of a message stamped `remote` (IR2): the clock moves past both its own
   * time and the sender's, so the receipt is stamped after the send. Returns the new time.
   */
  receive(remote: number): number {
    requireCounter("remote Lamport time", remote);
    return this.advanceTo(Math.max(this.timeValue, remote) + 1);
  }

  /** {@link LamportClock.tick} with the node id attached, for the total order. */
  stamp(): LamportTimestamp {
    return { time: this.tick(), node: this.node };
  }

  toString(): string {
    return `${this.node}@${this.timeValue}`;
  }

  private advanceTo(time: number): number {
    assert(time > this.timeValue, "a Lamport clock only moves forward");
    assert(Number.isSafeInteger(time), "a Lamport time stays a safe integer");
    this.timeValue = time;
    return time;
  }
}

/**
 * Lamport's total order "=>" (§3): by time, then by node id. Negative when `a` comes first, 0
 * for the same event stamp, positive otherwise. Consistent with happened-before, but it orders
 * concurrent events arbitrarily, so it must not be read as causality.
 *
 * @example
 * [{ time: 2, node: "A" }, { time: 1, node: "B" }].sort(compareLamportTimestamps); // B@1, A@2
 */
export function compareLamportTimestamps(a: LamportTimestamp, b: LamportTimestamp): number {
  for (const [name, value] of [
    ["a", a],
    ["b", b],
  ] as const) {
    if (typeof value !== "object" || value === null || typeof value.node !== "string") {
      throw new RangeError(
        `${name} must be a LamportTimestamp { time, node }, got ${describeValue(value)}`,
      );
    }
    requireCounter(`${name}.time`, value.time);
  }
  if (a.time !== b.time) return a.time - b.time;
  if (a.node === b.node) return 0;
  return a.node < b.node ? -1 : 1;
}
