// Benchmarks of chapter 1's experiments (src/fallacies): how fast the seeded runs behind the
// chapter's tables go, so a reader knows what a 10,000-seed sweep in a cell costs.

import { runPaymentSeeds, runTimeoutExperiment } from "../src/index.js";
import { type Figure, timed } from "./sim.js";

/** Payment runs per wall-second (fallacy 1, 10 % loss, 5 % duplication, a server crash). */
export function paymentRuns(runsCount: number): Figure {
  const seconds = timed(() =>
    runPaymentSeeds({
      idempotencyKeys: "persisted",
      serverCrash: { atMs: 15, downMs: 40 },
      runsCount,
    }),
  );
  return {
    name: "chapter 1: payment experiment runs (persisted keys, crash)",
    value: runsCount / seconds,
    unit: "runs/s",
    goal: undefined,
    detail: `${runsCount.toLocaleString("en-US")} seeded runs in ${seconds.toFixed(2)} s`,
  };
}

/** Wall time of the timeout experiment (fallacy 2: 5,000 requests over a long-tail link). */
export function timeoutExperiment(): Figure {
  const seconds = timed(() => runTimeoutExperiment(1));
  return {
    name: "chapter 1: timeout experiment (5,000 requests, traced)",
    value: seconds * 1000,
    unit: "ms",
    goal: undefined,
    detail: "one seeded run, as in the chapter's cell",
  };
}
