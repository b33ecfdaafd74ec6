// Benchmarks of Paxos (issue 6): Multi-Paxos decisions per wall-second with a stable leader,
// messages per decision (single-decree and Multi-Paxos), and safety-fuzz cases per wall-second.

import { MultiPaxosCluster, PaxosCluster, runPaxosFuzzCase } from "../src/consensus/paxos/index.js";
import { type Figure, timed } from "./sim.js";

/** Decisions per wall-second: 3 replicas, stable leader, `values` proposals in batches of 100. */
export function multiPaxosThroughput(values: number): Figure {
  const cluster = new MultiPaxosCluster({ nodes: 3, seed: 1, traceEventsMax: 0 });
  cluster.runFor(20);
  const seconds = timed(() => {
    for (let i = 0; i < values; i += 100) {
      for (let j = i; j < Math.min(values, i + 100); j++) cluster.propose(0, j);
      cluster.runUntilChosen(Math.min(values, i + 100), 60_000);
    }
  });
  return {
    name: "paxos: Multi-Paxos decisions, 3 nodes, stable leader",
    value: values / seconds,
    unit: "decisions/s",
    goal: undefined,
    detail: `${values.toLocaleString("en-US")} slots in ${seconds.toFixed(2)} s, ${cluster.sim.now.toFixed(0)} simulated ms`,
  };
}

/** Messages per decision: single-decree (one proposer, 3 acceptors) vs a stable Multi-Paxos. */
export function paxosMessagesPerDecision(mode: "single" | "multi"): Figure {
  if (mode === "single") {
    const cluster = new PaxosCluster({ acceptors: 3, proposers: 1, seed: 1 });
    cluster.propose(0, "x");
    cluster.runUntilChosen();
    cluster.runFor(10);
    const counts = cluster.messageCounts();
    return {
      name: "paxos: messages per decision, single-decree, 3 acceptors",
      value: counts.total,
      unit: "messages",
      goal: undefined,
      detail: JSON.stringify(counts.byType),
    };
  }
  const cluster = new MultiPaxosCluster({ nodes: 3, seed: 1, traceEventsMax: 0 });
  cluster.runFor(20);
  const before = cluster.messageCounts();
  const values = 1_000;
  for (let i = 0; i < values; i++) cluster.propose(0, i);
  cluster.runUntilChosen(values);
  const after = cluster.messageCounts();
  const phase2 = after.byType.accept + after.byType.accepted;
  const phase2Before = before.byType.accept + before.byType.accepted;
  return {
    name: "paxos: messages per decision, Multi-Paxos steady state, 3 nodes",
    value: (phase2 - phase2Before) / values,
    unit: "messages",
    goal: undefined,
    detail: "accept + accepted per slot (heartbeats excluded); no prepare after the first",
  };
}

/** Safety-fuzz cases per wall-second (the 10,000-seed run's speed). */
export function paxosFuzzRate(mode: "single" | "multi", cases: number): Figure {
  const seconds = timed(() => {
    for (let seed = 1; seed <= cases; seed++) runPaxosFuzzCase(seed, { mode });
  });
  return {
    name: `paxos: safety fuzz cases, ${mode}`,
    value: cases / seconds,
    unit: "cases/s",
    goal: undefined,
    detail: `${cases} seeds in ${seconds.toFixed(2)} s (faults for 1.5 simulated s each)`,
  };
}
