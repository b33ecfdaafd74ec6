// Latency of a CAP run's client operations, by window: the "else" of PACELC (Abadi 2012, §3):
// without a partition, a quorum costs round trips that a local answer does not.

import { requireKnownOptions, requireNumberAtLeast } from "../sim/assert.js";
import type { CapRun } from "./types.js";

/** Options of {@link capLatencyStats}. */
export interface CapLatencyOptions {
  /** Only operations called at or after this time (virtual ms). Default 0. */
  readonly fromMs?: number;
  /** Only operations called before this time. Default: no limit. */
  readonly toMs?: number;
  /** Only these clients (names, e.g. "c1"). Default: all. */
  readonly clients?: readonly string[];
}

/** Answered share and latency of the operations in a window. */
export interface CapLatencyStats {
  readonly operationsCount: number;
  readonly answeredCount: number;
  /** Latency (return - call) of answered operations, in virtual ms; NaN when none. */
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/**
 * How many operations of a window were answered, and how long the answered ones took.
 *
 * @example
 * const run = runCapScenario("cpQuorum", 1, { partition: null });
 * capLatencyStats(run).p50Ms; // two round trips for a read: about 20 ms at 1-10 ms per hop
 */
export function capLatencyStats(run: CapRun, options: CapLatencyOptions = {}): CapLatencyStats {
  requireKnownOptions("capLatencyStats options", options, ["fromMs", "toMs", "clients"]);
  const fromMs = requireNumberAtLeast("options.fromMs", options.fromMs ?? 0, 0);
  const toMs =
    options.toMs === undefined
      ? Infinity
      : requireNumberAtLeast("options.toMs", options.toMs, fromMs);
  const clientIds =
    options.clients === undefined
      ? undefined
      : new Set(options.clients.map((name) => run.clients.indexOf(name)));
  const inWindow = run.history.filter(
    (op) =>
      op.call >= fromMs &&
      op.call < toMs &&
      (clientIds === undefined || clientIds.has(op.clientId)),
  );
  const latencies = inWindow
    .filter((op) => op.output.status === "ok")
    .map((op) => op.return - op.call)
    .sort((a, b) => a - b);
  const quantile = (q: number): number =>
    latencies.length === 0
      ? Number.NaN
      : (latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] as number);
  return {
    operationsCount: inWindow.length,
    answeredCount: latencies.length,
    meanMs:
      latencies.length === 0 ? Number.NaN : latencies.reduce((a, b) => a + b, 0) / latencies.length,
    p50Ms: quantile(0.5),
    p99Ms: quantile(0.99),
  };
}
