// Benchmarks of the interview chapter (src/interview): how fast the checklist answers, and how long
// the experiments behind its choices take to run (they run as browser cells and in tests).

import { CHEAT_SHEET_TABLES } from "../src/interview/cheat-sheet.js";
import { recommend } from "../src/interview/checklist.js";
import { CHOICE_EXPERIMENTS, runChoiceExperiment } from "../src/interview/experiments.js";
import type { ChoiceId, OrderingNeed, Requirements } from "../src/interview/types.js";
import { type Figure, timed } from "./sim.js";

/** Every combination of the checklist's yes/no answers and orderings, at two latency targets. */
function allRequirements(): Requirements[] {
  const orderings: OrderingNeed[] = ["none", "per-key", "causal", "total"];
  const all: Requirements[] = [];
  for (let bits = 0; bits < 32; bits++) {
    for (const ordering of orderings) {
      for (const latencyMsP99 of [10, 500]) {
        all.push({
          strongConsistency: (bits & 1) !== 0,
          naturalPartitionKey: (bits & 2) !== 0,
          singleActiveWorker: (bits & 4) !== 0,
          idempotentConsumers: (bits & 8) !== 0,
          hotSpotRisk: (bits & 16) !== 0,
          ordering,
          latencyMsP99,
          availabilityTarget: 0.9999,
          replicaOneWayLatencyMs: 20,
        });
      }
    }
  }
  return all;
}

/** `recommend` calls per second over all 256 combinations of answers. */
export function recommendThroughput(callsCount: number): Figure {
  const all = allRequirements();
  let decisions = 0;
  const seconds = timed(() => {
    for (let i = 0; i < callsCount; i++) {
      decisions += recommend(all[i % all.length] as Requirements).decisions.length;
    }
  });
  return {
    name: "interview: recommend calls",
    value: callsCount / seconds,
    unit: "calls/s",
    goal: undefined,
    detail: `${callsCount.toLocaleString("en-US")} calls over ${all.length} combinations of answers, ${decisions / callsCount} decisions each, validation included`,
  };
}

/** Wall time of all 18 choice experiments, run one after another (as the test does). */
export function choiceExperimentsTime(): Figure {
  const ids = Object.keys(CHOICE_EXPERIMENTS) as ChoiceId[];
  let slowest = { id: "", ms: 0 };
  const seconds = timed(() => {
    for (const id of ids) {
      const ms = timed(() => runChoiceExperiment(id)) * 1000;
      if (ms > slowest.ms) slowest = { id, ms };
    }
  });
  return {
    name: `interview: all ${ids.length} choice experiments`,
    value: seconds * 1000,
    unit: "ms",
    goal: undefined,
    detail: `each a seeded run of a chapter's code; the slowest, ${slowest.id}, took ${Math.round(slowest.ms)} ms`,
  };
}

/** Wall time of the cheat sheet's seven tables, each measured by seeded runs. */
export function cheatSheetTime(): Figure {
  let slowest = { title: "", ms: 0 };
  const seconds = timed(() => {
    for (const sheet of CHEAT_SHEET_TABLES) {
      const ms = timed(() => sheet.rows()) * 1000;
      if (ms > slowest.ms) slowest = { title: sheet.title, ms };
    }
  });
  return {
    name: `interview: the cheat sheet's ${CHEAT_SHEET_TABLES.length} tables`,
    value: seconds * 1000,
    unit: "ms",
    goal: undefined,
    detail: `the slowest, ${slowest.title}, took ${Math.round(slowest.ms)} ms`,
  };
}
