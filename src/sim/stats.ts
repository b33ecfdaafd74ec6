// Summary statistics of measured runs: the median and nearest-rank quantiles, one definition for
// every experiment that reports a p50 or p99 (nearest rank, as Hyndman and Fan 1996 define type 1).

import { assert } from "./assert.js";

/** The median: the middle value, or the mean of the two middle values of an even count. */
export function median(values: readonly number[]): number {
  assert(values.length > 0, "a median needs values");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The q-quantile (q in [0, 1]) by nearest rank: the smallest value with at least q of the values at or below it; 0 for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}
