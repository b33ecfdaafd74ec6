// Fallacy 2, "latency is zero" (Deutsch's eight fallacies, 1994): timeouts against a long tail.
// A timeout taken from the median round trip fires on half the requests of a healthy server;
// the tail, not the middle, decides (Dean and Barroso, "The Tail at Scale", 2013).

import { type LatencyModel, type NodeContext, type Process, Simulation } from "../sim/index.js";
import { integerOption, requireKnownOptions } from "../sim/assert.js";
import { quantile, requireSeed } from "./options.js";
import type { ExperimentRun } from "./types.js";

/** The messages of the timeout experiment. */
export type TimeoutMessage =
  | { readonly type: "request"; readonly id: number; readonly attempt: number }
  | { readonly type: "reply"; readonly id: number; readonly attempt: number };

/** Which measured round-trip percentile a phase uses as its timeout. */
export type TimeoutChoice = "median" | "p99" | "p99.9";

/** Options of {@link runTimeoutExperiment}; every field has a default. */
export interface TimeoutOptions {
  /** One-way latency of each link. Default long tail, median 10 ms, p99 100 ms. */
  readonly latency?: LatencyModel;
  /** Requests sent without a timeout to measure the round trip. Default 2000. */
  readonly calibrationRequestsCount?: number;
  /** Requests sent with each timeout. Default 1000. */
  readonly requestsCount?: number;
  /** A new request every this many ms (open loop: it does not wait for replies). Default 10. */
  readonly requestIntervalMs?: number;
  /** Attempts per request, the first included. Default 3. */
  readonly attemptsMax?: number;
}

/** What one timeout setting measured. Every timeout is spurious: the server never fails. */
export interface TimeoutPhase {
  readonly timeout: TimeoutChoice;
  /** The timeout used: the calibrated round-trip percentile. */
  readonly timeoutMs: number;
  readonly requestsCount: number;
  /** Requests whose first attempt timed out (so they were retried or failed). */
  readonly timedOutRequestsCount: number;
  /** Timer expiries, all attempts included. */
  readonly timeoutsCount: number;
  /** Extra requests sent because of timeouts. */
  readonly retriesCount: number;
  /** Requests that timed out on every attempt and were reported as failed (none had failed). */
  readonly failedCount: number;
  /** timedOutRequestsCount / requestsCount: how often the client wrongly thought the server slow or dead. */
  readonly spuriousTimeoutFraction: number;
  /** retriesCount / requestsCount: the extra load the timeouts put on a healthy server. */
  readonly extraLoadFraction: number;
  /** Median time from first send to first reply, over requests that got one. */
  readonly completionMsMedian: number;
  /** True time the phase began and ended, to slice the trace for a diagram. */
  readonly fromMs: number;
  readonly toMs: number;
}

/** What {@link runTimeoutExperiment} measured. */
export interface TimeoutResult extends ExperimentRun {
  /** Measured round trips (request out, reply back) in the calibration phase. */
  readonly roundTripMsMedian: number;
  readonly roundTripMsP99: number;
  readonly roundTripMsP999: number;
  readonly calibration: { readonly fromMs: number; readonly toMs: number };
  /** One entry per timeout, in the order median, p99, p99.9. */
  readonly phases: readonly TimeoutPhase[];
}

const TIMEOUT_OPTIONS = [
  "latency",
  "calibrationRequestsCount",
  "requestsCount",
  "requestIntervalMs",
  "attemptsMax",
];
const CHOICES: readonly TimeoutChoice[] = ["median", "p99", "p99.9"];

interface Pending {
  readonly phase: number;
  readonly firstSentAtMs: number;
  attempt: number;
  timer: number;
  timedOut: boolean;
}

interface PhaseTally {
  timeoutMs: number;
  requestsCount: number;
  timedOutRequestsCount: number;
  timeoutsCount: number;
  retriesCount: number;
  failedCount: number;
  completionsMs: number[];
  fromMs: number;
  toMs: number;
}

interface TimeoutSettings {
  readonly calibrationRequestsCount: number;
  readonly requestsCount: number;
  readonly requestIntervalMs: number;
  readonly attemptsMax: number;
}

/** Phase 0 calibrates (no timeout); phases 1-3 use the median, p99 and p99.9 round trip. */
function timeoutClient(settings: TimeoutSettings, tallies: PhaseTally[]): Process<TimeoutMessage> {
  const pending = new Map<number, Pending>();
  let phase = 0;
  let sentInPhase = 0;
  let nextId = 0;

  const quota = () => (phase === 0 ? settings.calibrationRequestsCount : settings.requestsCount);
  const tally = () => tallies[phase] as PhaseTally;

  const sendAttempt = (ctx: NodeContext<TimeoutMessage>, id: number, request: Pending) => {
    ctx.send("server", { type: "request", id, attempt: request.attempt });
    if (request.phase > 0) {
      request.timer = ctx.setTimer(tally().timeoutMs, "timeout", id);
    }
  };

  const startPhase = (ctx: NodeContext<TimeoutMessage>) => {
    if (phase > 0) {
      const roundTrips = [...(tallies[0] as PhaseTally).completionsMs].sort((a, b) => a - b);
      const q = [0.5, 0.99, 0.999][phase - 1] as number;
      tally().timeoutMs = quantile(roundTrips, q);
      ctx.log(`timeout = ${CHOICES[phase - 1]} round trip = ${tally().timeoutMs.toFixed(1)} ms`);
    } else ctx.log("calibration: no timeout");
    tally().fromMs = ctx.now();
    sentInPhase = 0;
    ctx.setTimer(0, "tick");
  };

  const settle = (ctx: NodeContext<TimeoutMessage>, id: number) => {
    pending.delete(id);
    if (sentInPhase < quota() || pending.size > 0) return;
    tally().toMs = ctx.now();
    if (phase < CHOICES.length) {
      phase++;
      startPhase(ctx);
    }
  };

  return {
    onStart: startPhase,
    onMessage(ctx, message) {
      if (message.type !== "reply") return;
      const request = pending.get(message.id);
      if (request === undefined) return; // a late reply to a request already answered or failed
      const phaseTally = tallies[request.phase] as PhaseTally;
      phaseTally.completionsMs.push(ctx.now() - request.firstSentAtMs);
      if (request.phase > 0) ctx.cancelTimer(request.timer);
      settle(ctx, message.id);
    },
    onTimer(ctx, timer) {
      if (timer.name === "tick") {
        const id = nextId++;
        const request: Pending = {
          phase,
          firstSentAtMs: ctx.now(),
          attempt: 1,
          timer: -1,
          timedOut: false,
        };
        pending.set(id, request);
        sentInPhase++;
        tally().requestsCount++;
        sendAttempt(ctx, id, request);
        if (sentInPhase < quota()) ctx.setTimer(settings.requestIntervalMs, "tick");
        return;
      }
      const id = timer.data as number;
      const request = pending.get(id);
      if (request === undefined) return;
      const phaseTally = tallies[request.phase] as PhaseTally;
      phaseTally.timeoutsCount++;
      if (!request.timedOut) phaseTally.timedOutRequestsCount++;
      request.timedOut = true;
      if (request.attempt < settings.attemptsMax) {
        request.attempt++;
        phaseTally.retriesCount++;
        sendAttempt(ctx, id, request);
      } else {
        phaseTally.failedCount++;
        settle(ctx, id);
      }
    },
  };
}

/**
 * Fallacy 2, "latency is zero": a client first measures the round trip to a healthy server over a
 * long-tailed network, then sends `requestsCount` requests with the timeout set to the measured
 * median, p99 and p99.9 in turn, retrying on timeout. The server never fails and nothing is lost,
 * so every timeout is spurious: it is pure latency mistaken for failure.
 *
 * A median timeout fires on about half the requests and nearly doubles the load; p99 on about 1 %;
 * p99.9 on about 0.1 %, at the price of waiting that long before reacting to a real failure.
 *
 * @remarks Latency is not one number. Averages and medians hide the tail that timeouts, retries
 * and fan-out requests are made of (a request that waits for 100 servers sees the p99 of one as
 * its median). The link is set to reorder so that each message draws its own latency; a FIFO link
 * would add head-of-line blocking on top.
 *
 * @example
 * const result = runTimeoutExperiment(1);
 * result.phases.map((p) => [p.timeout, p.spuriousTimeoutFraction]);
 * // [["median", ~0.5], ["p99", ~0.01], ["p99.9", ~0.001]]
 * const median = result.phases[0];
 * toMermaidSequence(filterTrace(result.trace, { fromMs: median.fromMs, toMs: median.fromMs + 60 }));
 */
export function runTimeoutExperiment(seed: number, options: TimeoutOptions = {}): TimeoutResult {
  requireSeed(seed);
  requireKnownOptions("runTimeoutExperiment options", options, TIMEOUT_OPTIONS);
  const settings: TimeoutSettings = {
    calibrationRequestsCount: integerOption(
      "options.calibrationRequestsCount",
      options.calibrationRequestsCount,
      2000,
      1,
      1_000_000,
    ),
    requestsCount: integerOption(
      "options.requestsCount",
      options.requestsCount,
      1000,
      1,
      1_000_000,
    ),
    requestIntervalMs: integerOption("options.requestIntervalMs", options.requestIntervalMs, 10, 1),
    attemptsMax: integerOption("options.attemptsMax", options.attemptsMax, 3, 1, 100),
  };
  const latency = options.latency ?? { kind: "longTail", medianMs: 10, p99Ms: 100 };
  const sim = new Simulation<TimeoutMessage>({
    seed,
    network: { latency, reorder: true },
    traceEventsMax: 10_000_000,
  });
  const tallies: PhaseTally[] = [0, 1, 2, 3].map(() => ({
    timeoutMs: Number.POSITIVE_INFINITY,
    requestsCount: 0,
    timedOutRequestsCount: 0,
    timeoutsCount: 0,
    retriesCount: 0,
    failedCount: 0,
    completionsMs: [],
    fromMs: 0,
    toMs: -1,
  }));
  sim.addNode("client", () => timeoutClient(settings, tallies));
  sim.addNode("server", () => ({
    onMessage(ctx, message) {
      if (message.type === "request") {
        ctx.send(message.from, { type: "reply", id: message.id, attempt: message.attempt });
      }
    },
  }));
  const requestsTotal = settings.calibrationRequestsCount + 3 * settings.requestsCount;
  sim.runUntil(() => (tallies[3] as PhaseTally).toMs >= 0, {
    timeMsMax: requestsTotal * settings.requestIntervalMs + 1_000_000,
  });
  const calibration = tallies[0] as PhaseTally;
  const roundTrips = [...calibration.completionsMs].sort((a, b) => a - b);
  const phases = CHOICES.map((timeout, index): TimeoutPhase => {
    const t = tallies[index + 1] as PhaseTally;
    const completions = [...t.completionsMs].sort((a, b) => a - b);
    return {
      timeout,
      timeoutMs: t.timeoutMs,
      requestsCount: t.requestsCount,
      timedOutRequestsCount: t.timedOutRequestsCount,
      timeoutsCount: t.timeoutsCount,
      retriesCount: t.retriesCount,
      failedCount: t.failedCount,
      spuriousTimeoutFraction: t.timedOutRequestsCount / t.requestsCount,
      extraLoadFraction: t.retriesCount / t.requestsCount,
      completionMsMedian: completions.length > 0 ? quantile(completions, 0.5) : Number.NaN,
      fromMs: t.fromMs,
      toMs: t.toMs,
    };
  });
  return {
    seed,
    trace: sim.trace,
    stats: sim.stats,
    roundTripMsMedian: quantile(roundTrips, 0.5),
    roundTripMsP99: quantile(roundTrips, 0.99),
    roundTripMsP999: quantile(roundTrips, 0.999),
    calibration: { fromMs: calibration.fromMs, toMs: calibration.toMs },
    phases,
  };
}
