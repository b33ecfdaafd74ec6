// Helpers of the clock tests: arbitraries for clocks and the happened-before relation computed
// from a run's events alone (process order plus send -> receive), independent of any clock.

import fc from "fast-check";
import { expect } from "vitest";
import type { ClockRunEvent } from "../../src/clocks/index.js";
import { MapVectorClock, VectorClock, VersionVector } from "../../src/clocks/index.js";

export const NODES = ["A", "B", "C"] as const;

/** Counters 0..2 over three nodes: small, so that ordered pairs and triples are common. */
const counters = fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2));

export const denseClock: fc.Arbitrary<VectorClock> = counters.map(([a, b, c]) =>
  VectorClock.from(NODES, { A: a, B: b, C: c }),
);

export const mapClock: fc.Arbitrary<MapVectorClock> = counters.map(([a, b, c]) =>
  MapVectorClock.from({ A: a, B: b, C: c }),
);

export const versionVector: fc.Arbitrary<VersionVector> = counters.map(([a, b, c]) =>
  VersionVector.from({ r1: a, r2: b, r3: c }),
);

/** Expects `action` to throw a RangeError whose message contains every fragment. */
export function expectRangeError(action: () => unknown, ...fragments: string[]): void {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(RangeError);
  for (const fragment of fragments) expect((caught as Error).message).toContain(fragment);
}

/**
 * happenedBefore[i] = ids of every event that happened before event i (Lamport 1978, §2: the
 * smallest relation with process order and send -> receive, closed under transitivity).
 */
export function happenedBeforeSets(events: readonly ClockRunEvent[]): Set<number>[] {
  const before: Set<number>[] = [];
  const lastOnNode = new Map<string, number>();
  for (const event of events) {
    const set = new Set<number>();
    const previous = lastOnNode.get(event.node);
    if (previous !== undefined) {
      set.add(previous);
      for (const id of before[previous] as Set<number>) set.add(id);
    }
    if (event.sendId !== undefined) {
      set.add(event.sendId);
      for (const id of before[event.sendId] as Set<number>) set.add(id);
    }
    before.push(set);
    lastOnNode.set(event.node, event.id);
  }
  return before;
}
