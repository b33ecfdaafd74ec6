// Benchmarks of the time-and-order chapter (src/clocks): dense-array VectorClock against the
// Map-based MapVectorClock on one seeded mix of increment, receive (merge + increment) and compare.

import { MapVectorClock, Random, VectorClock } from "../src/index.js";
import { type Figure, timed } from "./sim.js";

/** One operation of the mix, drawn once and replayed on both representations. */
interface ClockOperation {
  readonly kind: "increment" | "receive" | "compare";
  readonly i: number;
  readonly j: number;
}

/** The mix: 40 % increment, 30 % receive (merge then increment), 30 % compare. */
function operations(nodesCount: number, opsCount: number): ClockOperation[] {
  const random = new Random(nodesCount);
  return Array.from({ length: opsCount }, () => {
    const draw = random.next();
    const kind = draw < 0.4 ? "increment" : draw < 0.7 ? "receive" : "compare";
    return { kind, i: random.int(0, nodesCount - 1), j: random.int(0, nodesCount - 1) };
  });
}

/** What both representations offer, so one loop drives either. */
interface AnyVectorClock<C> {
  increment(node: string): C;
  receive(node: string, remote: C): C;
  compare(other: C): string;
}

// Timed loops add to this and it is checked, so the JIT cannot drop work whose result is unused.
let sink = 0;

function replay<C extends AnyVectorClock<C>>(
  clocks: C[],
  nodes: readonly string[],
  ops: readonly ClockOperation[],
): void {
  for (const op of ops) {
    const node = nodes[op.i] as string;
    const mine = clocks[op.i] as C;
    if (op.kind === "increment") clocks[op.i] = mine.increment(node);
    else if (op.kind === "receive") clocks[op.i] = mine.receive(node, clocks[op.j] as C);
    else if (mine.compare(clocks[op.j] as C) === "concurrent") sink++;
  }
  sink += clocks.length;
}

/** Best (shortest) of `rounds` timed runs, each from fresh zero clocks. */
function bestOf(rounds: number, run: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round++) best = Math.min(best, timed(run));
  return best;
}

/** The three figures of one node count: dense ops/s, Map ops/s, and how many times slower Map is. */
export interface VectorClockFigures {
  readonly dense: Figure;
  readonly map: Figure;
  readonly ratio: Figure;
}

/**
 * Operations per second of `opsCount` operations over `nodesCount` nodes (one clock per node,
 * operations drawn once from a seeded generator): the dense VectorClock against MapVectorClock,
 * each warmed up, best of 3 rounds. The issue expects Map to be 5-20x slower; the ratio figure
 * reports what this machine measures.
 */
export function vectorClockFigures(nodesCount: number, opsCount: number): VectorClockFigures {
  const nodes = Array.from({ length: nodesCount }, (_, i) => `node-${i}`);
  const ops = operations(nodesCount, opsCount);
  const runDense = () =>
    replay(
      nodes.map(() => VectorClock.zero(nodes)),
      nodes,
      ops,
    );
  const runMap = () =>
    replay(
      nodes.map(() => MapVectorClock.empty()),
      nodes,
      ops,
    );
  const before = sink;
  const warmUp = operations(nodesCount, Math.min(opsCount, 20_000));
  replay(
    nodes.map(() => VectorClock.zero(nodes)),
    nodes,
    warmUp,
  );
  replay(
    nodes.map(() => MapVectorClock.empty()),
    nodes,
    warmUp,
  );
  const denseSeconds = bestOf(3, runDense);
  const mapSeconds = bestOf(3, runMap);
  if (sink === before) throw new Error("clocks benchmark: a timed loop produced nothing");
  const mix = "40 % increment, 30 % receive, 30 % compare";
  const count = opsCount.toLocaleString("en-US");
  return {
    dense: {
      name: `vector clock ops, dense array, ${nodesCount} nodes`,
      value: opsCount / denseSeconds,
      unit: "ops/s",
      goal: undefined,
      detail: `${count} ops (${mix}) in ${denseSeconds.toFixed(3)} s, best of 3`,
    },
    map: {
      name: `vector clock ops, Map, ${nodesCount} nodes`,
      value: opsCount / mapSeconds,
      unit: "ops/s",
      goal: undefined,
      detail: `${count} ops (${mix}) in ${mapSeconds.toFixed(3)} s, best of 3`,
    },
    ratio: {
      name: `vector clock ops, Map time / dense time, ${nodesCount} nodes`,
      value: mapSeconds / denseSeconds,
      unit: "x",
      goal: undefined,
      detail: `issue claims 5-20x; measured ${(mapSeconds / denseSeconds).toFixed(1)}x`,
    },
  };
}
