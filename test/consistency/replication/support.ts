// Helpers shared by the replication tests: exact error messages, fuzzed faults for a cluster, and
// the real-time order of a history's operations.

import { expect } from "vitest";
import type { LinkOptions, Simulation } from "../../../src/sim/index.js";
import type { ReplicaOperation } from "../../../src/consistency/replication/index.js";

/** Runs `action` and checks it throws a RangeError whose message is exactly `message`. */
export function expectRangeError(action: () => unknown, message: string): void {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught, "expected a RangeError").toBeInstanceOf(RangeError);
  expect((caught as Error).message).toBe(message);
}

/** A fuzzed network: loss, duplication and reordering as fast-check drew them. */
export function faultyNetwork(drop: number, duplicate: number, reorder: boolean): LinkOptions {
  return {
    latency: { kind: "uniform", minMs: 1, maxMs: 8 },
    dropProbability: drop,
    duplicateProbability: duplicate,
    reorder,
  };
}

/** Crashes `replicas` at `crashAtMs` and restarts them `downMs` later. */
export function crashWindow(
  sim:
    | Simulation<never>
    | { crash(id: string): void; restart(id: string): void; at(t: number, f: () => void): void },
  replicas: readonly string[],
  crashAtMs: number,
  downMs: number,
): void {
  for (const id of replicas) {
    sim.at(crashAtMs, () => sim.crash(id));
    sim.at(crashAtMs + downMs, () => sim.restart(id));
  }
}

/** True when `a` returned before `b` was called: a precedes b in real time. */
export function precedes(a: ReplicaOperation, b: ReplicaOperation): boolean {
  return a.return < b.call;
}
