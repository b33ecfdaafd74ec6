// Hybrid logical clocks (Kulkarni, Demirbas, Madeppa, Avva, Leone, "Logical Physical Clocks",
// OPODIS 2014, Figure 5): timestamps (l, c) close to physical time that respect causality.

import { assert, describeValue, requireKnownOptions } from "../sim/assert.js";
import { requireCounter } from "./order.js";

/**
 * A hybrid logical clock timestamp: `l` is the largest physical time the node has heard of (its
 * own or a sender's), `c` counts events that share that `l`. Ordered by l, then c.
 */
export interface HlcTimestamp {
  readonly l: number;
  readonly c: number;
}

/** Options of {@link HybridLogicalClock}. */
export interface HybridLogicalClockOptions {
  /**
   * Reject a message whose `l` is more than this many ms ahead of the local physical clock: the
   * sender's clock is broken or the bound on skew assumed by the deployment is violated (what
   * CockroachDB does with its maximum clock offset). Default Infinity: never reject.
   */
  readonly offsetMsMax?: number;
}

/**
 * One process's hybrid logical clock, reading physical time from `physicalNow` (in the simulator,
 * `() => ctx.now()` or `() => Math.floor(ctx.now())` for whole-ms ticks). It implements the
 * algorithm of Figure 5 of the paper, and guarantees:
 *
 * - l >= pt: the timestamp is never behind the local physical clock;
 * - if e happened before f then hlc(e) < hlc(f), like a Lamport clock;
 * - l - pt is bounded by the clock skew between nodes, so l stays a usable wall-clock time
 *   (unlike a Lamport counter) and fits in the same 64 bits as a physical timestamp.
 *
 * Mutable: it is the state of one process; the timestamps it returns are plain values.
 *
 * @example
 * let pt = 10;
 * const hlc = new HybridLogicalClock(() => pt);
 * hlc.tick();                 // { l: 10, c: 0 }
 * hlc.tick();                 // { l: 10, c: 1 }: physical clock has not moved
 * hlc.receive({ l: 25, c: 3 }); // { l: 25, c: 4 }: a sender's clock is ahead
 * pt = 30;
 * hlc.tick();                 // { l: 30, c: 0 }: physical time caught up
 */
export class HybridLogicalClock {
  private readonly physicalNow: () => number;
  private readonly offsetMsMax: number;
  // invariant: (l, c) only increases; l >= every physical time read so far.
  private l = 0;
  private c = 0;

  constructor(physicalNow: () => number, options?: HybridLogicalClockOptions) {
    if (typeof physicalNow !== "function") {
      throw new RangeError(
        `physicalNow must be a function returning the physical time in ms, got ${describeValue(physicalNow)}`,
      );
    }
    const { offsetMsMax = Number.POSITIVE_INFINITY } = requireKnownOptions(
      "HybridLogicalClock options",
      options,
      ["offsetMsMax"],
    );
    if (typeof offsetMsMax !== "number" || !(offsetMsMax >= 0)) {
      throw new RangeError(
        `offsetMsMax must be a number >= 0 (or Infinity), got ${describeValue(offsetMsMax)}`,
      );
    }
    this.physicalNow = physicalNow;
    this.offsetMsMax = offsetMsMax;
  }

  /** The timestamp of the last event ({ l: 0, c: 0 } before any). */
  get current(): HlcTimestamp {
    return { l: this.l, c: this.c };
  }

  /** A local or send event: returns its timestamp (Figure 5, "send or local event"). */
  tick(): HlcTimestamp {
    const pt = this.readPhysical();
    const previous = this.current;
    const lPrevious = this.l;
    this.l = Math.max(lPrevious, pt);
    this.c = this.l === lPrevious ? this.c + 1 : 0;
    return this.checked(previous, pt);
  }

  /**
   * Receipt of a message stamped `remote`: returns the receive event's timestamp, after both
   * `remote` and this clock's previous timestamp (Figure 5, "receive event of message m").
   *
   * @throws RangeError for a malformed timestamp, or when `remote.l` is more than `offsetMsMax`
   *   ahead of the local physical clock.
   */
  receive(remote: HlcTimestamp): HlcTimestamp {
    requireHlcTimestamp("remote", remote);
    const pt = this.readPhysical();
    if (remote.l - pt > this.offsetMsMax) {
      throw new RangeError(
        `remote HLC timestamp l=${remote.l} is ${remote.l - pt} ms ahead of the physical clock (${pt}); offsetMsMax is ${this.offsetMsMax}`,
      );
    }
    const previous = this.current;
    const lPrevious = this.l;
    this.l = Math.max(lPrevious, remote.l, pt);
    if (this.l === lPrevious && this.l === remote.l) this.c = Math.max(this.c, remote.c) + 1;
    else if (this.l === lPrevious) this.c = this.c + 1;
    else if (this.l === remote.l) this.c = remote.c + 1;
    else this.c = 0;
    const stamped = this.checked(previous, pt);
    assert(compareHlcTimestamps(remote, stamped) < 0, "a receive is stamped after the send");
    return stamped;
  }

  private readPhysical(): number {
    const pt = this.physicalNow();
    // Negative readings are allowed (a clock set far behind); l starts at 0 and stays >= 0.
    if (typeof pt !== "number" || !Number.isFinite(pt)) {
      throw new RangeError(
        `physicalNow() must return a finite number (ms), got ${describeValue(pt)}`,
      );
    }
    return pt;
  }

  private checked(previous: HlcTimestamp, pt: number): HlcTimestamp {
    const stamped = this.current;
    assert(stamped.l >= pt, "an HLC's l is never behind the physical clock");
    assert(compareHlcTimestamps(previous, stamped) < 0, "an HLC only moves forward");
    assert(Number.isSafeInteger(stamped.c), "an HLC's c stays a safe integer");
    return stamped;
  }
}

/**
 * Orders HLC timestamps: by l, then c. Negative when `a` is earlier, 0 when equal.
 *
 * @example
 * compareHlcTimestamps({ l: 5, c: 2 }, { l: 6, c: 0 }) < 0; // true
 */
export function compareHlcTimestamps(a: HlcTimestamp, b: HlcTimestamp): number {
  requireHlcTimestamp("a", a);
  requireHlcTimestamp("b", b);
  if (a.l !== b.l) return a.l < b.l ? -1 : 1;
  return a.c - b.c;
}

/** `l:c`, e.g. `"1042:3"` (a colon, so it does not read as a decimal). */
export function formatHlcTimestamp(timestamp: HlcTimestamp): string {
  requireHlcTimestamp("timestamp", timestamp);
  return `${timestamp.l}:${timestamp.c}`;
}

function requireHlcTimestamp(what: string, value: unknown): asserts value is HlcTimestamp {
  if (typeof value !== "object" || value === null) {
    throw new RangeError(`${what} must be an HLC timestamp { l, c }, got ${describeValue(value)}`);
  }
  const { l, c } = value as Record<string, unknown>;
  if (typeof l !== "number" || !Number.isFinite(l) || l < 0) {
    throw new RangeError(`${what}.l must be a finite number >= 0, got ${describeValue(l)}`);
  }
  requireCounter(`${what}.c`, c);
}
