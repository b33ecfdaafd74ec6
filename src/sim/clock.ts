// A node's own physical clock: true time shifted by an offset and scaled by a drift rate in ppm.
// There is no global clock a node can read (Lamport 1978, §1); only the simulator knows true time.

import { invalidArgument } from "./assert.js";

/** Largest |drift| accepted, in ppm; the rate 1 + drift/1e6 must stay positive. */
export const DRIFT_PPM_MAX = 999_999;

/** Clock settings of one node. */
export interface ClockSettings {
  /** The node's clock reads true time plus this many ms (set at the moment of the call). */
  readonly offsetMs?: number;
  /** The clock gains this many µs per true second (negative: it runs slow). */
  readonly driftPpm?: number;
}

/**
 * A piecewise-linear clock. Reading at true time t gives anchorLocal + (t - anchorTrue) * rate.
 * Changing the offset or the drift re-anchors, so the reading never jumps except by an offset change.
 */
export class NodeClock {
  private anchorTrueMs = 0;
  private anchorLocalMs = 0;
  private rate = 1;
  private driftPpmValue = 0;

  /** The node's clock reading at true time `trueMs`. */
  read(trueMs: number): number {
    return this.anchorLocalMs + (trueMs - this.anchorTrueMs) * this.rate;
  }

  /** How much true time passes while this clock advances by `localMs`. */
  trueDurationOf(localMs: number): number {
    return localMs / this.rate;
  }

  get driftPpm(): number {
    return this.driftPpmValue;
  }

  /** Current offset from true time in ms at true time `trueMs`. */
  offsetAt(trueMs: number): number {
    return this.read(trueMs) - trueMs;
  }

  /** Applies new settings at true time `trueMs`. */
  set(trueMs: number, settings: ClockSettings): void {
    const { offsetMs, driftPpm } = settings;
    if (offsetMs !== undefined && (typeof offsetMs !== "number" || !Number.isFinite(offsetMs))) {
      throw invalidArgument("offsetMs", "a finite number (ms)", offsetMs);
    }
    if (
      driftPpm !== undefined &&
      (typeof driftPpm !== "number" ||
        !Number.isFinite(driftPpm) ||
        Math.abs(driftPpm) > DRIFT_PPM_MAX)
    ) {
      throw invalidArgument(
        "driftPpm",
        `a number in [-${DRIFT_PPM_MAX}, ${DRIFT_PPM_MAX}]`,
        driftPpm,
      );
    }
    const localNow = offsetMs === undefined ? this.read(trueMs) : trueMs + offsetMs;
    this.anchorTrueMs = trueMs;
    this.anchorLocalMs = localNow;
    if (driftPpm !== undefined) {
      this.driftPpmValue = driftPpm;
      this.rate = 1 + driftPpm / 1_000_000;
    }
  }
}
