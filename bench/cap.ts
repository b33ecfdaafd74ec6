// Benchmarks of chapter 3 (src/cap): how fast the scripted partition scenario runs per variant,
// and what each variant costs in messages per client operation (the "else latency" of PACELC).

import {
  type CapVariant,
  capCheckerHistory,
  capCounterModel,
  checkOperations,
  runCapScenario,
} from "../src/index.js";
import { type Figure, timed } from "./sim.js";

/** Simulated client operations per wall-second on the scenario (trace off), over seeds 1..runs. */
export function capOperationsPerSecond(variant: CapVariant, runsCount: number): Figure {
  let operations = 0;
  const seconds = timed(() => {
    for (let seed = 1; seed <= runsCount; seed++) {
      operations += runCapScenario(variant, seed, { traceEventsMax: 0 }).counts.operationsCount;
    }
  });
  return {
    name: `cap: ${variant} scenario, client operations per second`,
    value: operations / seconds,
    unit: "ops/s",
    goal: undefined,
    detail: `${runsCount} seeded runs (5 replicas, 4 clients, 2|3 partition), ${operations.toLocaleString("en-US")} operations in ${seconds.toFixed(2)} s`,
  };
}

/** Messages per client operation on the scenario (seed 1), gossip included for AP. */
export function capMessagesPerOperation(variant: CapVariant): Figure {
  const run = runCapScenario(variant, 1, { traceEventsMax: 0 });
  const withoutCut = runCapScenario(variant, 1, { traceEventsMax: 0, partition: null });
  return {
    name: `cap: ${variant} messages per operation`,
    value: run.counts.messagesPerOperation,
    unit: "msg/op",
    goal: undefined,
    detail:
      `${run.counts.messagesCount} messages for ${run.counts.operationsCount} operations; ` +
      `without partition ${withoutCut.counts.messagesPerOperation.toFixed(1)} msg/op`,
  };
}

/** Wall time of the linearizability check of the scenario's history (seed 1). */
export function capCheckTime(variant: CapVariant): Figure {
  const run = runCapScenario(variant, 1, { traceEventsMax: 0 });
  const history = capCheckerHistory(run.history);
  let result = "";
  const seconds = timed(() => {
    result = checkOperations(capCounterModel, history, { timeoutMs: 10_000 }).result;
  });
  return {
    name: `cap: checking the ${variant} history`,
    value: seconds * 1000,
    unit: "ms",
    goal: undefined,
    detail: `${history.length} operations, verdict ${result}`,
  };
}
