// Back-of-the-envelope estimates for design problems: requests per second at average and peak,
// storage with replication and retention, and bandwidth, from a handful of stated assumptions.

import { invalidArgument, requireKnownOptions, requireNumberAtLeast } from "../sim/assert.js";

const SECONDS_PER_DAY = 86_400;

/** The numbers a candidate states (or is given) before estimating. */
export interface LoadAssumptions {
  /** Users active on a day. */
  readonly dailyActiveUsers: number;
  /** Writes (operations that store something) per active user per day. */
  readonly writesPerUserPerDay: number;
  /** Reads per write (a feed read 100 times per like has 100). Default 0. */
  readonly readsPerWrite?: number;
  /** Peak rate over the day's average rate (2 to 10 is typical). Default 3. */
  readonly peakToAverage?: number;
  /** Bytes stored per write, before replication. */
  readonly bytesPerWrite: number;
  /** Bytes sent back per read. Default 0. */
  readonly bytesPerRead?: number;
  /** How long writes are kept, in days. Default 365. */
  readonly retentionDays?: number;
  /** Copies of every byte stored. Default 3. */
  readonly replicationFactor?: number;
}

/** The estimate: rates per second, storage and bandwidth. */
export interface LoadEstimate {
  readonly writesPerDay: number;
  readonly writesPerSecondAverage: number;
  readonly writesPerSecondPeak: number;
  readonly readsPerSecondAverage: number;
  readonly readsPerSecondPeak: number;
  /** Bytes written per day before replication. */
  readonly bytesPerDay: number;
  /** Bytes on disk across all replicas for the whole retention. */
  readonly bytesStoredTotal: number;
  /** Bytes per second into the system at peak, counting every replica's copy. */
  readonly ingressBytesPerSecondPeak: number;
  /** Bytes per second out of the system at peak. */
  readonly egressBytesPerSecondPeak: number;
}

const ASSUMPTION_KEYS = [
  "dailyActiveUsers",
  "writesPerUserPerDay",
  "readsPerWrite",
  "peakToAverage",
  "bytesPerWrite",
  "bytesPerRead",
  "retentionDays",
  "replicationFactor",
] as const;

/**
 * Estimates rates, storage and bandwidth from the stated assumptions.
 *
 * @example
 * const likes = backOfEnvelope({ dailyActiveUsers: 100e6, writesPerUserPerDay: 10, bytesPerWrite: 64 });
 * likes.writesPerSecondPeak; // ≈ 34,722 likes/s at 3x the daily average
 */
export function backOfEnvelope(assumptions: LoadAssumptions): LoadEstimate {
  requireKnownOptions("backOfEnvelope assumptions", assumptions, ASSUMPTION_KEYS);
  const users = requireNumberAtLeast("dailyActiveUsers", assumptions.dailyActiveUsers, 0);
  const writesPerUser = requireNumberAtLeast(
    "writesPerUserPerDay",
    assumptions.writesPerUserPerDay,
    0,
  );
  const readsPerWrite = requireNumberAtLeast("readsPerWrite", assumptions.readsPerWrite ?? 0, 0);
  const peak = requireNumberAtLeast("peakToAverage", assumptions.peakToAverage ?? 3, 1);
  const bytesPerWrite = requireNumberAtLeast("bytesPerWrite", assumptions.bytesPerWrite, 0);
  const bytesPerRead = requireNumberAtLeast("bytesPerRead", assumptions.bytesPerRead ?? 0, 0);
  const retentionDays = requireNumberAtLeast("retentionDays", assumptions.retentionDays ?? 365, 0);
  const replicas = requireNumberAtLeast("replicationFactor", assumptions.replicationFactor ?? 3, 1);
  if (!Number.isInteger(replicas)) {
    throw invalidArgument("replicationFactor", "a whole number of copies, at least 1", replicas);
  }
  const writesPerDay = users * writesPerUser;
  const writesPerSecondAverage = writesPerDay / SECONDS_PER_DAY;
  const writesPerSecondPeak = writesPerSecondAverage * peak;
  const readsPerSecondAverage = writesPerSecondAverage * readsPerWrite;
  const readsPerSecondPeak = readsPerSecondAverage * peak;
  const bytesPerDay = writesPerDay * bytesPerWrite;
  return {
    writesPerDay,
    writesPerSecondAverage,
    writesPerSecondPeak,
    readsPerSecondAverage,
    readsPerSecondPeak,
    bytesPerDay,
    bytesStoredTotal: bytesPerDay * retentionDays * replicas,
    ingressBytesPerSecondPeak: writesPerSecondPeak * bytesPerWrite * replicas,
    egressBytesPerSecondPeak: readsPerSecondPeak * bytesPerRead,
  };
}

const BYTE_UNITS = ["B", "KB", "MB", "GB", "TB", "PB", "EB"] as const;

/** Bytes in decimal units with three significant digits: 1234567 → "1.23 MB". */
export function formatBytes(bytes: number): string {
  requireNumberAtLeast("bytes", bytes, 0);
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? String(Math.round(value)) : value.toPrecision(3)} ${BYTE_UNITS[unit]}`;
}

/** A rate with three significant digits and a k/M/G suffix: 34722.2 → "34.7k". */
export function formatRate(perSecond: number): string {
  requireNumberAtLeast("perSecond", perSecond, 0);
  if (perSecond < 1000)
    return perSecond < 10 ? perSecond.toPrecision(2) : String(Math.round(perSecond));
  const suffixes = ["k", "M", "G", "T"] as const;
  let value = perSecond;
  let index = -1;
  while (value >= 1000 && index < suffixes.length - 1) {
    value /= 1000;
    index++;
  }
  return `${value.toPrecision(3)}${suffixes[index] ?? ""}`;
}

/** The estimate as rows for `table()`: quantity, value, and how it was computed. */
export function estimateRows(
  estimate: LoadEstimate,
): { quantity: string; value: string; how: string }[] {
  return [
    {
      quantity: "writes/s (average)",
      value: formatRate(estimate.writesPerSecondAverage),
      how: "users x writes per user / 86,400 s",
    },
    {
      quantity: "writes/s (peak)",
      value: formatRate(estimate.writesPerSecondPeak),
      how: "average x peak factor",
    },
    {
      quantity: "reads/s (peak)",
      value: formatRate(estimate.readsPerSecondPeak),
      how: "peak writes x reads per write",
    },
    {
      quantity: "new data per day",
      value: formatBytes(estimate.bytesPerDay),
      how: "writes per day x bytes per write",
    },
    {
      quantity: "stored, all replicas",
      value: formatBytes(estimate.bytesStoredTotal),
      how: "per day x retention x replicas",
    },
    {
      quantity: "ingress at peak",
      value: `${formatBytes(estimate.ingressBytesPerSecondPeak)}/s`,
      how: "peak writes x bytes x replicas",
    },
    {
      quantity: "egress at peak",
      value: `${formatBytes(estimate.egressBytesPerSecondPeak)}/s`,
      how: "peak reads x bytes per read",
    },
  ];
}
