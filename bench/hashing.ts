// Benchmarks of the hashing chapter (src/hashing): ring lookups against the hashring and
// consistent-hash packages and against jump hash on the same keys, ring build time, and the
// chapter's 1,000,000-key remap table. Ratios come from one run over the same keys.

import { createRequire } from "node:module";
import path from "node:path";
import { ConsistentHashRing, jumpHash, nodeNames, remapTable, sampleKeys } from "../src/index.js";
import { type Figure, timed } from "./sim.js";

const require = createRequire(path.join(process.cwd(), "package.json"));

/** The parts of the two packages' APIs the benchmark uses (they ship no types). */
interface HashRingPackage {
  get(key: string): string | undefined;
  ring: unknown[];
}
type HashRingConstructor = new (servers: string[]) => HashRingPackage;
interface ConsistentHashPackage {
  add(node: string): ConsistentHashPackage;
  get(key: string): string | null;
}
type ConsistentHashConstructor = new (options: { weight: number }) => ConsistentHashPackage;

const HashRing = require("hashring") as HashRingConstructor;
const ConsistentHash = require("consistent-hash") as ConsistentHashConstructor;

const NODES_COUNT = 10;
const POINTS_PER_NODE = 160;
const ROUNDS = 3;

/** Every lookup figure of one run over the same keys. */
export interface LookupFigures {
  readonly ring: Figure;
  readonly vsHashring: Figure;
  readonly vsConsistentHash: Figure;
  readonly jumpVsRing: Figure;
}

/** Best (shortest) wall time of `rounds` runs, so a burst of load on a shared machine counts less. */
function bestOf(rounds: number, run: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round++) best = Math.min(best, timed(run));
  return best;
}

// Every timed loop adds its results here and the total is checked, so the JIT cannot drop a loop
// whose result is never used.
let sink = 0;

function requireWorkDone(before: number): void {
  if (sink === before) throw new Error("hashing benchmark: a timed loop produced nothing");
}

/**
 * Lookups per second on the same `keysCount` keys and 10 nodes x 160 points: our ring (murmur3,
 * sorted Uint32Array), the hashring package (ketama: MD5 through node:crypto, 40 x 4 points per
 * server, an LRU cache that these distinct keys always miss), consistent-hash (PJW string hash,
 * 160 control points per node) and jump hash with 10 buckets (no points at all). Each is warmed
 * up; the fast three take the best of 3 rounds, hashring (about 100 times slower) one round.
 */
export function lookupFigures(keysCount: number): LookupFigures {
  const keys = sampleKeys(keysCount);
  const nodes = nodeNames(NODES_COUNT);
  const ring = new ConsistentHashRing({ vnodes: POINTS_PER_NODE, nodes });
  const hashring = new HashRing(nodes);
  const consistentHash = new ConsistentHash({ weight: POINTS_PER_NODE });
  for (const node of nodes) consistentHash.add(node);

  const runRing = (list: readonly string[]) => () => {
    for (const key of list) sink += ring.getNode(key).length;
  };
  const runJump = (list: readonly string[]) => () => {
    for (const key of list) sink += jumpHash(key, NODES_COUNT);
  };
  const runConsistentHash = (list: readonly string[]) => () => {
    for (const key of list) sink += (consistentHash.get(key) as string).length;
  };
  const runHashring = (list: readonly string[]) => () => {
    for (const key of list) sink += (hashring.get(key) as string).length;
  };
  const sinkBefore = sink;
  const warmUp = keys.slice(0, Math.min(keys.length, 100_000));
  for (const run of [runRing, runJump, runConsistentHash]) run(warmUp)();
  runHashring(warmUp.slice(0, 10_000))();

  // Interleave the rounds so each scheme sees the same machine conditions.
  let ringSeconds = Number.POSITIVE_INFINITY;
  let jumpSeconds = Number.POSITIVE_INFINITY;
  let consistentHashSeconds = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    ringSeconds = Math.min(ringSeconds, timed(runRing(keys)));
    jumpSeconds = Math.min(jumpSeconds, timed(runJump(keys)));
    consistentHashSeconds = Math.min(consistentHashSeconds, timed(runConsistentHash(keys)));
  }
  const hashringSeconds = timed(runHashring(keys));
  requireWorkDone(sinkBefore);
  const rate = (seconds: number) => keysCount / seconds;
  const millions = (seconds: number) => `${(rate(seconds) / 1e6).toFixed(2)} M/s`;
  const count = keysCount.toLocaleString("en-US");
  return {
    ring: {
      name: "hashing: ring lookups (murmur3, 10 nodes x 160 points)",
      value: rate(ringSeconds),
      unit: "lookups/s",
      goal: undefined,
      detail: `${count} keys in ${(ringSeconds * 1000).toFixed(0)} ms, best of ${ROUNDS}`,
    },
    vsHashring: {
      name: "hashing: ring lookups vs the hashring package",
      value: (100 * rate(ringSeconds)) / rate(hashringSeconds),
      unit: "%",
      goal: 1000,
      detail: `ring ${millions(ringSeconds)}, hashring ${millions(hashringSeconds)} (MD5 per key), same ${count} keys`,
    },
    vsConsistentHash: {
      name: "hashing: ring lookups vs the consistent-hash package",
      value: (100 * rate(ringSeconds)) / rate(consistentHashSeconds),
      unit: "%",
      goal: 70,
      detail: `ring ${millions(ringSeconds)}, consistent-hash ${millions(consistentHashSeconds)} (PJW hash), same ${count} keys`,
    },
    jumpVsRing: {
      name: "hashing: jump hash lookups vs ring lookups",
      value: (100 * rate(jumpSeconds)) / rate(ringSeconds),
      unit: "%",
      goal: 130,
      detail: `jump ${millions(jumpSeconds)} (hash64 + ~3 LCG steps), ring ${millions(ringSeconds)}`,
    },
  };
}

/**
 * Ring build time against hashring's for the same 10 servers (our 1,600 murmur3 points merged into
 * a Uint32Array; its 400 node:crypto MD5 digests and a sort of 1,600 objects), as hashring's time
 * over ours in percent: 200 % or more means ours takes at most half the time.
 */
export function buildFigure(buildsCount: number): Figure {
  const nodes = nodeNames(NODES_COUNT);
  const buildRing = () => {
    for (let i = 0; i < buildsCount; i++) sink += new ConsistentHashRing({ nodes }).pointsCount;
  };
  const buildHashring = () => {
    for (let i = 0; i < buildsCount; i++) sink += new HashRing(nodes).ring.length;
  };
  const sinkBefore = sink;
  buildRing();
  buildHashring();
  const ringSeconds = bestOf(ROUNDS, buildRing);
  const hashringSeconds = bestOf(ROUNDS, buildHashring);
  requireWorkDone(sinkBefore);
  const perBuild = (seconds: number) => `${((seconds / buildsCount) * 1e6).toFixed(0)} µs`;
  return {
    name: "hashing: ring build speed vs hashring (its time / ours)",
    value: (100 * hashringSeconds) / ringSeconds,
    unit: "%",
    goal: 200,
    detail: `ring ${perBuild(ringSeconds)}, hashring ${perBuild(hashringSeconds)} per build of 10 x 160 points, ${buildsCount} builds`,
  };
}

/**
 * The chapter's remap table (modulo, ring and jump, 3 -> 4 and 10 -> 11 nodes) on `keysCount`
 * keys, in tables per second: at least 1 means the table computes within the 1 s goal.
 */
export function remapFigure(keysCount: number): Figure {
  const sinkBefore = sink;
  remapTable({ keysCount: Math.min(keysCount, 100_000) });
  const seconds = timed(() => {
    sink += remapTable({ keysCount }).length;
  });
  requireWorkDone(sinkBefore);
  return {
    name: "hashing: remap table, modulo vs ring vs jump (1/s: goal 1 = 1 s)",
    value: 1 / seconds,
    unit: "tables/s",
    goal: 1,
    detail: `${keysCount.toLocaleString("en-US")} keys, 3->4 and 10->11 nodes, in ${(seconds * 1000).toFixed(0)} ms`,
  };
}
