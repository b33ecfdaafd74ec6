// Fallacy 3, "bandwidth is infinite" (Deutsch's eight fallacies, 1994): a link has a capacity.
// Offer more than it carries and throughput stops at the capacity while the queue, and with it
// every message's delay, grows without bound (queueing theory: utilisation above 1 never drains).

import { type Process, Simulation, invalidArgument } from "../sim/index.js";
import { integerOption, requireKnownOptions } from "../sim/assert.js";
import { numberOption, requireSeed } from "./options.js";
import type { ExperimentRun } from "./types.js";

/**
 * A chunk of data. Its size on the wire is `payloadBytes` (declared, so a 1000-byte chunk needs no
 * 1000-character string in memory): the experiment sets the simulator's `messageSizeBytes` to it.
 */
export interface ChunkMessage {
  readonly type: "chunk";
  readonly seq: number;
  readonly phase: number;
  readonly payloadBytes: number;
}

/** Options of {@link runBandwidthExperiment}; every field has a default. */
export interface BandwidthOptions {
  /** Capacity of the sender → receiver link. Default 100 bytes/ms (100 kB/s). */
  readonly bandwidthBytesPerMs?: number;
  /** Size of each chunk. Default 1000 bytes, so the link carries one per 10 ms. */
  readonly chunkBytes?: number;
  /** Offered load per phase as a multiple of the capacity. Default [0.5, 0.9, 1.5, 2]. */
  readonly loadFactors?: readonly number[];
  /** Length of each phase. Default 200 ms. */
  readonly phaseDurationMs?: number;
  /** Propagation delay of the link (fixed). Default 5 ms. */
  readonly propagationMs?: number;
}

/** One chunk's journey, in true time. */
export interface ChunkDelivery {
  readonly seq: number;
  readonly phase: number;
  readonly sentAtMs: number;
  readonly deliveredAtMs: number;
  /** deliveredAtMs - sentAtMs. */
  readonly latencyMs: number;
  /** Time spent waiting behind earlier chunks: latency - propagation - transmission. */
  readonly queueingDelayMs: number;
  /** Bytes sent before this chunk and not yet delivered when it was sent. */
  readonly bytesInFlightAtSend: number;
}

/** One phase of offered load. */
export interface BandwidthPhase {
  readonly loadFactor: number;
  readonly offeredBytesPerMs: number;
  /** Bytes delivered during the phase's time window, per ms: capped at the bandwidth. */
  readonly deliveredBytesPerMs: number;
  readonly chunksSent: number;
  /** Mean and largest latency of the chunks sent in this phase. */
  readonly latencyMsMean: number;
  readonly latencyMsMax: number;
  readonly fromMs: number;
  readonly toMs: number;
}

/** What {@link runBandwidthExperiment} measured. */
export interface BandwidthResult extends ExperimentRun {
  readonly bandwidthBytesPerMs: number;
  readonly chunks: readonly ChunkDelivery[];
  readonly phases: readonly BandwidthPhase[];
}

const BANDWIDTH_OPTIONS = [
  "bandwidthBytesPerMs",
  "chunkBytes",
  "loadFactors",
  "phaseDurationMs",
  "propagationMs",
];

/**
 * Fallacy 3, "bandwidth is infinite": a sender pushes fixed-size chunks over a link of
 * `bandwidthBytesPerMs`, at a rate that steps through `loadFactors` x the capacity. Below capacity
 * each chunk takes propagation plus transmission time; above it, chunks queue behind each other,
 * so latency grows with the bytes in flight while delivered throughput stays at the bandwidth.
 *
 * The link's latency is fixed, so the run draws no random numbers: every seed gives the same result.
 *
 * @remarks The simulator's link has an unbounded queue and never drops, so overload shows up only
 * as delay. Real links have finite buffers: past them they drop, and the sender's congestion
 * control (TCP) slows down. Either way the only fix is to send less (backpressure, batching,
 * compression) or buy capacity; a faster sender only makes the queue longer.
 *
 * @example
 * const result = runBandwidthExperiment(1);
 * result.phases.map((p) => [p.loadFactor, p.deliveredBytesPerMs, p.latencyMsMax]);
 * // load 0.5 and 0.9: ~15 ms; load 1.5 and 2: throughput ~100 bytes/ms, latency in the hundreds
 */
export function runBandwidthExperiment(
  seed: number,
  options: BandwidthOptions = {},
): BandwidthResult {
  requireSeed(seed);
  requireKnownOptions("runBandwidthExperiment options", options, BANDWIDTH_OPTIONS);
  const bandwidthBytesPerMs = numberOption(
    "options.bandwidthBytesPerMs",
    options.bandwidthBytesPerMs,
    100,
    Number.MIN_VALUE,
  );
  const chunkBytes = integerOption("options.chunkBytes", options.chunkBytes, 1000, 1);
  const phaseDurationMs = numberOption("options.phaseDurationMs", options.phaseDurationMs, 200, 1);
  const propagationMs = numberOption("options.propagationMs", options.propagationMs, 5, 0);
  const loadFactors = options.loadFactors ?? [0.5, 0.9, 1.5, 2];
  if (!Array.isArray(loadFactors) || loadFactors.length === 0) {
    throw invalidArgument("options.loadFactors", "a non-empty array of numbers > 0", loadFactors);
  }
  loadFactors.forEach((factor, i) => numberOption(`options.loadFactors[${i}]`, factor, 1, 0.001));
  const chunksMax = loadFactors.reduce(
    (sum, factor) => sum + Math.ceil((phaseDurationMs * factor * bandwidthBytesPerMs) / chunkBytes),
    0,
  );
  if (chunksMax > 100_000) {
    throw invalidArgument(
      "options (chunks the phases would send)",
      "at most 100000: shorten phaseDurationMs or enlarge chunkBytes",
      chunksMax,
    );
  }

  const sim = new Simulation<ChunkMessage>({
    seed,
    network: { latency: { kind: "fixed", ms: propagationMs } },
    messageSizeBytes: (message) => (message as ChunkMessage).payloadBytes,
  });
  const sender: Process<ChunkMessage> = {
    onStart(ctx) {
      ctx.setTimer(0, "send", 0);
    },
    onMessage() {},
    onTimer(ctx, timer) {
      const seq = timer.data as number;
      const phase = Math.floor(ctx.now() / phaseDurationMs);
      const factor = loadFactors[phase];
      if (factor === undefined) return; // every phase is over
      ctx.send("receiver", { type: "chunk", seq, phase, payloadBytes: chunkBytes });
      ctx.setTimer(chunkBytes / (factor * bandwidthBytesPerMs), "send", seq + 1);
    },
  };
  sim.addNode("sender", () => sender);
  sim.addNode("receiver", () => ({ onMessage() {} }));
  sim.configureLink("sender", "receiver", { bandwidthBytesPerMs });
  sim.runUntil(() => sim.pendingEvents === 0, {
    timeMsMax: loadFactors.length * phaseDurationMs * 100 + 1_000_000,
  });

  const delivered: { seq: number; phase: number; sentAtMs: number; deliveredAtMs: number }[] = [];
  for (const event of sim.trace) {
    if (event.kind !== "deliver") continue;
    const chunk = event.message as unknown as ChunkMessage;
    delivered.push({
      seq: chunk.seq,
      phase: chunk.phase,
      sentAtMs: event.sentAtMs,
      deliveredAtMs: event.timeMs,
    });
  }
  // FIFO link: chunks arrive in send order, so those still in flight at a send are a suffix.
  const transmissionMs = chunkBytes / bandwidthBytesPerMs;
  let oldestInFlight = 0;
  const chunks: ChunkDelivery[] = delivered.map((chunk, index) => {
    while (
      oldestInFlight < index &&
      (delivered[oldestInFlight]?.deliveredAtMs as number) <= chunk.sentAtMs
    ) {
      oldestInFlight++;
    }
    const latencyMs = chunk.deliveredAtMs - chunk.sentAtMs;
    return {
      ...chunk,
      latencyMs,
      queueingDelayMs: Math.max(0, latencyMs - propagationMs - transmissionMs),
      bytesInFlightAtSend: (index - oldestInFlight) * chunkBytes,
    };
  });
  const phases = loadFactors.map((loadFactor, phase): BandwidthPhase => {
    const fromMs = phase * phaseDurationMs;
    const toMs = fromMs + phaseDurationMs;
    const own = chunks.filter((chunk) => chunk.phase === phase);
    const deliveredInWindow = chunks.filter(
      (chunk) => chunk.deliveredAtMs >= fromMs && chunk.deliveredAtMs < toMs,
    ).length;
    const latencies = own.map((chunk) => chunk.latencyMs);
    return {
      loadFactor,
      offeredBytesPerMs: loadFactor * bandwidthBytesPerMs,
      deliveredBytesPerMs: (deliveredInWindow * chunkBytes) / phaseDurationMs,
      chunksSent: own.length,
      latencyMsMean:
        latencies.length === 0 ? 0 : latencies.reduce((a, b) => a + b, 0) / latencies.length,
      latencyMsMax: latencies.length === 0 ? 0 : Math.max(...latencies),
      fromMs,
      toMs,
    };
  });
  return { seed, trace: sim.trace, stats: sim.stats, bandwidthBytesPerMs, chunks, phases };
}
