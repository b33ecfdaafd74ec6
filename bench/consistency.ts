// Benchmarks of the replicated stores (src/consistency/replication): ABD operations per wall
// second on the simulator, a Merkle diff of two 100,000-key trees against a full comparison, and
// the wall time of the chapter's comparison table.

import {
  AbdCluster,
  MerkleTree,
  consistencyComparison,
  runReplicaWorkload,
} from "../src/consistency/replication/index.js";
import { type Figure, timed } from "./sim.js";

/** Completed ABD operations per wall second: 5 replicas, 8 clients, 2 keys, no trace. */
export function abdThroughput(simulatedMs: number): Figure {
  const abd = new AbdCluster({ seed: 1, replicasCount: 5, clientsCount: 8, traceEventsMax: 0 });
  let operations = 0;
  const seconds = timed(() => {
    const result = runReplicaWorkload(abd, {
      keysCount: 2,
      durationMs: simulatedMs,
      partition: null,
      settleMs: 500,
    });
    operations = result.history.length;
  });
  return {
    name: "consistency: ABD operations (5 replicas, 8 clients)",
    value: operations / seconds,
    unit: "ops/s",
    goal: undefined,
    detail: `${operations.toLocaleString("en-US")} operations, ${abd.stats.messagesSent.toLocaleString("en-US")} messages in ${seconds.toFixed(2)} s`,
  };
}

/** Best wall time of `rounds` runs. */
function bestOf(rounds: number, run: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round++) best = Math.min(best, timed(run));
  return best;
}

/**
 * A Merkle diff of two `keysCount`-key trees (depth 14) with 10 differing keys against the full
 * comparison of every key's digest. Returns the diff's rate and its speed-up.
 */
export function merkleDiffFigures(keysCount: number): [Figure, Figure] {
  const a = new MerkleTree({ depth: 14 });
  const b = new MerkleTree({ depth: 14 });
  const contentsA = new Map<string, string>();
  const contentsB = new Map<string, string>();
  for (let i = 0; i < keysCount; i++) {
    const key = `key:${i}`;
    const content = `value-${i}@1:r1`;
    a.set(key, content);
    b.set(key, content);
    contentsA.set(key, a.digestOf(key) as string);
    contentsB.set(key, content);
  }
  for (let i = 0; i < 10; i++) {
    const key = `key:${Math.floor((i * keysCount) / 10)}`;
    b.set(key, "changed");
  }
  for (const key of contentsB.keys()) contentsB.set(key, b.digestOf(key) as string);
  let found = 0;
  const diffSeconds = bestOf(5, () => {
    found = a.diff(b).keys.length;
  });
  let fullFound = 0;
  const fullSeconds = bestOf(5, () => {
    fullFound = 0;
    for (const [key, digest] of contentsA) if (contentsB.get(key) !== digest) fullFound++;
    for (const key of contentsB.keys()) if (!contentsA.has(key)) fullFound++;
  });
  if (found !== 10 || fullFound !== 10) {
    throw new Error(`merkle benchmark: expected 10 differences, got ${found} and ${fullFound}`);
  }
  const nodes = a.diff(b).nodesCompared;
  const count = keysCount.toLocaleString("en-US");
  return [
    {
      name: `consistency: Merkle diff, 2 x ${count} keys, 10 differ`,
      value: 1 / diffSeconds,
      unit: "diffs/s",
      goal: undefined,
      detail: `${(diffSeconds * 1e6).toFixed(0)} us, ${nodes} nodes compared`,
    },
    {
      name: `consistency: Merkle diff vs full comparison (${count} keys)`,
      value: fullSeconds / diffSeconds,
      unit: "x faster",
      goal: undefined,
      detail: `full comparison of ${count} digests ${(fullSeconds * 1000).toFixed(2)} ms`,
    },
  ];
}

/** Wall time of the chapter's comparison table (5 stores, checker included), in ms. */
export function comparisonTableFigure(): Figure {
  let rows = 0;
  const seconds = timed(() => {
    rows = consistencyComparison({ seed: 1 }).length;
  });
  return {
    name: "consistency: comparison table (5 stores, checker)",
    value: seconds * 1000,
    unit: "ms",
    goal: undefined,
    detail: `${rows} rows, one 3 s workload with a 1 s partition each`,
  };
}
