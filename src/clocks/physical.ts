// Physical clocks on the simulator: each node's clock is offset and drifts, so no two agree and
// none reads true time (Lamport 1978, §5: physical clocks drift at a rate kappa).

import { describeValue, integerOption, requireKnownOptions } from "../sim/assert.js";
import type { ClockSettings } from "../sim/clock.js";
import { Simulation } from "../sim/simulation.js";
import type { NodeId } from "../sim/types.js";

/** Options of {@link sampleClockOffsets}. */
export interface ClockSampleOptions {
  /** How long to watch, in true ms: an integer in [1, 10^9]. Default 600000 (10 minutes). */
  readonly durationMs?: number;
  /** Readings per node, evenly spaced from 0 to durationMs: an integer in [2, 200]. Default 11. */
  readonly samplesCount?: number;
}

/** One reading of every node's clock at one true time. */
export interface ClockSample {
  readonly trueMs: number;
  /** Each node's clock minus true time, in ms (its offset at that moment). */
  readonly offsetsMs: Readonly<Record<NodeId, number>>;
  /** The largest difference between two nodes' clocks at that moment: the skew. */
  readonly skewMs: number;
}

/**
 * Sets up one simulated node per entry of `clocks` (offset and drift as `sim.setClock` takes
 * them), lets true time pass and reads every clock at evenly spaced moments. Offsets grow with
 * drift, so the skew between nodes grows until something (NTP) corrects the clocks.
 *
 * @example
 * const samples = sampleClockOffsets({ a: { driftPpm: 100 }, b: { driftPpm: -100 } });
 * samples.at(-1)?.skewMs; // 120: 200 ppm apart for 600 s
 */
export function sampleClockOffsets(
  clocks: Readonly<Record<NodeId, ClockSettings>>,
  options: ClockSampleOptions = {},
): ClockSample[] {
  const known = requireKnownOptions("sampleClockOffsets options", options, [
    "durationMs",
    "samplesCount",
  ]);
  const durationMs = integerOption("options.durationMs", known.durationMs, 600_000, 1, 1e9);
  const samplesCount = integerOption("options.samplesCount", known.samplesCount, 11, 2, 200);
  if (typeof clocks !== "object" || clocks === null || Object.keys(clocks).length === 0) {
    throw new RangeError(
      `clocks must be an object of node id -> { offsetMs, driftPpm } with at least one node, got ${describeValue(clocks)}`,
    );
  }
  const sim = new Simulation({ seed: 1 });
  const nodes = Object.keys(clocks);
  for (const node of nodes) sim.addNode(node, () => ({ onMessage: () => {} }));
  for (const node of nodes) sim.setClock(node, clocks[node] as ClockSettings);
  const samples: ClockSample[] = [];
  for (let i = 0; i < samplesCount; i++) {
    const trueMs = Math.round((durationMs * i) / (samplesCount - 1));
    if (trueMs > sim.now) sim.runFor(trueMs - sim.now);
    const offsetsMs: Record<NodeId, number> = {};
    // Rounded to the µs: drift makes readings fractional, and float noise is not skew.
    for (const node of nodes)
      offsetsMs[node] = Math.round((sim.clockOf(node) - sim.now) * 1000) / 1000;
    const values = Object.values(offsetsMs);
    const skewMs = Math.round((Math.max(...values) - Math.min(...values)) * 1000) / 1000;
    samples.push({ trueMs, offsetsMs, skewMs });
  }
  return samples;
}
