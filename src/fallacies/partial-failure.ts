// The first challenge of distributed systems, partial failure: a caller with a timeout cannot tell
// a crashed server from a slow one or a lost message (Fischer, Lynch and Paterson's impossibility,
// 1985, rests on the same fact: in an asynchronous network a dead process looks like a slow one).

import { type NodeContext, Simulation } from "../sim/index.js";
import { requireKnownOptions } from "../sim/assert.js";
import { choiceOption, numberOption, requireSeed } from "./options.js";
import type { ExperimentRun } from "./types.js";

/** The messages of the partial-failure experiment. */
export type CallMessage =
  | { readonly type: "request"; readonly id: number }
  | { readonly type: "reply"; readonly id: number };

/**
 * What goes wrong with the one request.
 * - `"none"`: nothing; the baseline.
 * - `"crashBeforeRequest"`: the server is down when the request arrives; it never runs.
 * - `"crashAfterExecuting"`: the server does the work, then crashes before it replies.
 * - `"pause"`: the server stops for `faultDurationMs` (a long GC pause), then carries on.
 * - `"lostResponse"`: the server does the work and replies; the reply is lost.
 * - `"slowNetwork"`: the request spends an extra `faultDurationMs` on the wire.
 */
export type PartialFailureFault =
  "none" | "crashBeforeRequest" | "crashAfterExecuting" | "pause" | "lostResponse" | "slowNetwork";

/** Every fault, in a fixed order. */
export const PARTIAL_FAILURE_FAULTS: readonly PartialFailureFault[] = [
  "none",
  "crashBeforeRequest",
  "crashAfterExecuting",
  "pause",
  "lostResponse",
  "slowNetwork",
];

/** Options of {@link runPartialFailureExperiment}; every field has a default. */
export interface PartialFailureOptions {
  /** Default `"crashBeforeRequest"`. */
  readonly fault?: PartialFailureFault;
  /** The client gives up after this long without a reply. Default 50 ms. */
  readonly timeoutMs?: number;
  /** One-way latency (fixed, so runs line up). Default 5 ms. */
  readonly latencyMs?: number;
  /** The server's work takes this long before it replies. Default 10 ms. */
  readonly processingMs?: number;
  /** Length of the crash, pause or extra delay. Default 200 ms. */
  readonly faultDurationMs?: number;
}

/** What one partial-failure run measured. */
export interface PartialFailureResult extends ExperimentRun {
  readonly fault: PartialFailureFault;
  /** Everything the client saw, on its own clock, up to its decision. */
  readonly observation: readonly string[];
  readonly timedOut: boolean;
  /** The server's truth: it did the work (stable storage says so). */
  readonly executed: boolean;
  /** A reply that came after the client had given up, or null. */
  readonly lateReplyAtMs: number | null;
}

/** The same request under every fault. */
export interface PartialFailureComparison {
  /** One result per fault, in the order of {@link PARTIAL_FAILURE_FAULTS}. */
  readonly results: readonly PartialFailureResult[];
  /** True when every faulty run gave the client the same observation. */
  readonly indistinguishable: boolean;
  /** Faulty runs in which the server did the work anyway. */
  readonly executedDespiteTimeoutCount: number;
}

const PARTIAL_OPTIONS = ["fault", "timeoutMs", "latencyMs", "processingMs", "faultDurationMs"];

/**
 * The challenge of partial failure: a client sends one request with a timeout while one fault
 * from {@link PartialFailureFault} hits. Returns what the client observed (its own events on its
 * own clock) next to what really happened at the server.
 *
 * @remarks Part of the system fails while the rest runs on, and the rest cannot tell which part
 * or how: a timeout says "no reply yet", never "the work was not done". Any caller that retries
 * must therefore expect that the first attempt may have happened (see {@link runPaymentExperiment}).
 *
 * @example
 * const crashed = runPartialFailureExperiment(1, { fault: "crashBeforeRequest" });
 * const paused = runPartialFailureExperiment(1, { fault: "pause" });
 * crashed.observation; // ["t=0 sent request 1", "t=50 no reply after 50 ms: timeout"]
 * paused.observation;  // the same
 * [crashed.executed, paused.executed]; // [false, true]
 */
export function runPartialFailureExperiment(
  seed: number,
  options: PartialFailureOptions = {},
): PartialFailureResult {
  requireSeed(seed);
  requireKnownOptions("runPartialFailureExperiment options", options, PARTIAL_OPTIONS);
  const fault = choiceOption(
    "options.fault",
    options.fault,
    PARTIAL_FAILURE_FAULTS,
    "crashBeforeRequest",
  );
  const timeoutMs = numberOption("options.timeoutMs", options.timeoutMs, 50, 1);
  const latencyMs = numberOption("options.latencyMs", options.latencyMs, 5, 0);
  const processingMs = numberOption("options.processingMs", options.processingMs, 10, 0);
  const faultDurationMs = numberOption("options.faultDurationMs", options.faultDurationMs, 200, 1);

  const sim = new Simulation<CallMessage>({
    seed,
    network: { latency: { kind: "fixed", ms: latencyMs } },
  });
  const observation: string[] = [];
  let decided = false;
  let timedOut = false;
  let lateReplyAtMs: number | null = null;
  const at = (ctx: NodeContext<CallMessage>) => `t=${Number(ctx.now().toFixed(3))}`;

  sim.addNode("client", () => ({
    onStart(ctx) {
      ctx.send("server", { type: "request", id: 1 });
      observation.push(`${at(ctx)} sent request 1`);
      ctx.setTimer(timeoutMs, "timeout");
    },
    onMessage(ctx, message) {
      if (message.type !== "reply") return;
      if (decided) {
        lateReplyAtMs = ctx.now();
        ctx.log("late reply: too late, already gave up");
        return;
      }
      decided = true;
      observation.push(`${at(ctx)} reply to request ${message.id}`);
    },
    onTimer(ctx) {
      if (decided) return;
      decided = true;
      timedOut = true;
      observation.push(`${at(ctx)} no reply after ${timeoutMs} ms: timeout`);
      ctx.log("timeout: crashed? slow? lost?");
    },
  }));
  sim.addNode("server", () => ({
    onMessage(ctx, message) {
      if (message.type !== "request") return;
      ctx.storage.set("executed", true);
      ctx.log(`working on request ${message.id}`);
      ctx.setTimer(processingMs, "reply", message.from);
    },
    onTimer(ctx, timer) {
      ctx.send(timer.data as string, { type: "reply", id: 1 });
    },
  }));

  switch (fault) {
    case "none":
      break;
    case "crashBeforeRequest":
      sim.crash("server");
      sim.at(faultDurationMs, () => sim.restart("server"));
      break;
    case "crashAfterExecuting": {
      const crashAtMs = latencyMs + processingMs / 2;
      sim.at(crashAtMs, () => sim.crash("server"));
      sim.at(crashAtMs + faultDurationMs, () => sim.restart("server"));
      break;
    }
    case "pause":
      sim.pause("server", faultDurationMs);
      break;
    case "lostResponse":
      sim.configureLink("server", "client", { dropProbability: 1 });
      break;
    case "slowNetwork":
      sim.configureLink("client", "server", {
        latency: { kind: "fixed", ms: latencyMs + faultDurationMs },
      });
      break;
  }
  sim.runFor(timeoutMs + faultDurationMs + 2 * latencyMs + processingMs + 1);
  return {
    seed,
    trace: sim.trace,
    stats: sim.stats,
    fault,
    observation,
    timedOut,
    executed: sim.storageOf("server").get("executed") === true,
    lateReplyAtMs,
  };
}

/**
 * Runs {@link runPartialFailureExperiment} once per fault with the same options and compares what
 * the client saw.
 *
 * @example
 * const comparison = comparePartialFailures(1);
 * comparison.indistinguishable;            // true: five different faults, one observation
 * comparison.executedDespiteTimeoutCount;  // 4: the work happened in four of the five
 */
export function comparePartialFailures(
  seed: number,
  options: Omit<PartialFailureOptions, "fault"> = {},
): PartialFailureComparison {
  requireKnownOptions("comparePartialFailures options", options, PARTIAL_OPTIONS.slice(1));
  const results = PARTIAL_FAILURE_FAULTS.map((fault) =>
    runPartialFailureExperiment(seed, { ...options, fault }),
  );
  const faulty = results.filter((result) => result.fault !== "none");
  const first = JSON.stringify(faulty[0]?.observation);
  return {
    results,
    indistinguishable: faulty.every((result) => JSON.stringify(result.observation) === first),
    executedDespiteTimeoutCount: faulty.filter((result) => result.timedOut && result.executed)
      .length,
  };
}
