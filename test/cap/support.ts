// Helpers shared by the CAP tests: exact error messages, the checker on a run, and the options
// arbitrary of the fuzzed scenarios (random partition window, side sizes, loss, duplication).

import fc from "fast-check";
import { expect } from "vitest";
import {
  type CapRun,
  type CapScenarioOptions,
  capCheckerHistory,
  capCounterModel,
  checkOperations,
} from "../../src/index.js";

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

/** The checker's verdict on a run's history (failed updates as unknown outcomes). */
export function verdictOf(run: CapRun): "ok" | "illegal" | "unknown" {
  return checkOperations(capCounterModel, capCheckerHistory(run.history), { timeoutMs: 20_000 })
    .result;
}

/** A seed and scenario options with a random partition and an unreliable network. */
export const faultyScenario: fc.Arbitrary<{ seed: number; options: CapScenarioOptions }> = fc
  .record({
    seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
    replicasCount: fc.constantFrom(3, 5),
    clientsCount: fc.integer({ min: 2, max: 5 }),
    startMs: fc.integer({ min: 0, max: 600 }),
    lengthMs: fc.integer({ min: 50, max: 900 }),
    minorityCount: fc.integer({ min: 1, max: 2 }),
    dropProbability: fc.constantFrom(0, 0.02, 0.1),
    duplicateProbability: fc.constantFrom(0, 0.05, 0.2),
    reorder: fc.boolean(),
    decrementShare: fc.constantFrom(0, 0.2),
  })
  .map((drawn) => ({
    seed: drawn.seed,
    options: {
      replicasCount: drawn.replicasCount,
      clientsCount: drawn.clientsCount,
      durationMs: 1500,
      partition: {
        startMs: drawn.startMs,
        endMs: drawn.startMs + drawn.lengthMs,
        minorityCount: Math.min(drawn.minorityCount, Math.floor((drawn.replicasCount - 1) / 2)),
      },
      dropProbability: drawn.dropProbability,
      duplicateProbability: drawn.duplicateProbability,
      reorder: drawn.reorder,
      incrementShare: 0.6 - drawn.decrementShare,
      decrementShare: drawn.decrementShare,
      traceEventsMax: 0,
    },
  }));
