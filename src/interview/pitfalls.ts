// Where the reference notes' decision checklist is too simple, measured: virtual nodes even out key
// ranges but not a hot key (Karger et al. 1997 §4; DeCandia et al. 2007 §6.2 on skewed access).

import { requireIntegerAtLeast, requireKnownOptions, requireNumberAtLeast } from "../sim/assert.js";
import { ConsistentHashRing } from "../hashing/index.js";

/** Options of {@link hotKeyShares}; every field has a default. */
export interface HotKeySharesOptions {
  /** Cache nodes. Default 8. */
  readonly nodesCount?: number;
  /** Ordinary keys, each taking an equal part of the traffic the hot key leaves. Default 10,000. */
  readonly keysCount?: number;
  /** The hot key's share of all requests, in [0, 1]. Default 0.3 (a celebrity's post). */
  readonly hotKeyShare?: number;
  /** Sub-keys the hot key is split into in the last row ("key#0".."key#n-1"). Default 16. */
  readonly hotKeySplits?: number;
}

/** One placement scheme's result: the busiest node's share of requests. */
export interface HotKeySharesRow {
  readonly scheme: string;
  /** The busiest node's share of all requests (1/nodesCount is perfect balance). */
  readonly busiestNodeShare: number;
  /** busiestNodeShare x nodesCount: how many times the fair share the busiest node takes. */
  readonly busiestOverFair: number;
}

const OPTION_KEYS = ["nodesCount", "keysCount", "hotKeyShare", "hotKeySplits"];

/** Requests per node when `weights` (key → share of requests) are placed by `ring`. */
function busiestShare(ring: ConsistentHashRing, weights: ReadonlyMap<string, number>): number {
  const perNode = new Map<string, number>();
  for (const [key, weight] of weights) {
    const node = ring.getNode(key);
    perNode.set(node, (perNode.get(node) ?? 0) + weight);
  }
  return Math.max(...perNode.values());
}

/**
 * The busiest node's share of requests when one key takes `hotKeyShare` of the traffic, under
 * three schemes: a ring with one point per node, a ring with 160 virtual nodes per node, and the
 * same ring with the hot key split into `hotKeySplits` sub-keys (each request picks one; readers
 * of a counter sum them). Virtual nodes fix uneven key ranges, so they help the first row's
 * imbalance, but the hot key still lands on one node: only splitting it (or replicating it for
 * reads) spreads it. The keys are fixed names, so the result is deterministic.
 *
 * @example
 * hotKeyShares().map((row) => row.busiestOverFair); // about [2.9, 3.0, 1.4] (8 nodes, 30 % hot)
 */
export function hotKeyShares(options: HotKeySharesOptions = {}): HotKeySharesRow[] {
  requireKnownOptions("hotKeyShares options", options, OPTION_KEYS);
  const nodesCount = requireIntegerAtLeast("nodesCount", options.nodesCount ?? 8, 1);
  const keysCount = requireIntegerAtLeast("keysCount", options.keysCount ?? 10_000, 1);
  const hotKeyShare = requireNumberAtLeast("hotKeyShare", options.hotKeyShare ?? 0.3, 0);
  if (hotKeyShare > 1) throw new RangeError(`hotKeyShare must be in [0, 1], got ${hotKeyShare}`);
  const splits = requireIntegerAtLeast("hotKeySplits", options.hotKeySplits ?? 16, 1);
  const nodes = Array.from({ length: nodesCount }, (_, i) => `cache-${i + 1}`);
  const coldShare = (1 - hotKeyShare) / keysCount;
  const cold = Array.from({ length: keysCount }, (_, i) => [`key-${i}`, coldShare] as const);
  const whole = new Map<string, number>([...cold, ["hot-post", hotKeyShare]]);
  const split = new Map<string, number>([
    ...cold,
    ...Array.from({ length: splits }, (_, i) => [`hot-post#${i}`, hotKeyShare / splits] as const),
  ]);
  const onePoint = new ConsistentHashRing({ vnodes: 1, nodes });
  const vnodes = new ConsistentHashRing({ nodes });
  const row = (scheme: string, share: number): HotKeySharesRow => ({
    scheme,
    busiestNodeShare: share,
    busiestOverFair: share * nodesCount,
  });
  return [
    row("ring, 1 point per node", busiestShare(onePoint, whole)),
    row("ring, 160 virtual nodes", busiestShare(vnodes, whole)),
    row(`ring, 160 virtual nodes, hot key split ${splits} ways`, busiestShare(vnodes, split)),
  ];
}
