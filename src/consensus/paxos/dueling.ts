// Dueling proposers: two proposers with a fixed retry delay pre-empt each other forever (livelock),
// randomised backoff ends the duel. Reference: Paxos Made Simple §2.4 (progress).

import { requireKnownOptions, requireNumberAtLeast } from "../../sim/assert.js";
import { toMermaidSequence } from "../../sim/diagram.js";
import { TimeLimitError } from "../../sim/errors.js";
import type { TraceEvent } from "../../sim/types.js";
import { PaxosCluster, type PaxosMessageCounts } from "./harness.js";
import type { PaxosRetryPolicy } from "./node.js";
import type { PaxosSlotValue } from "./types.js";

/** The duel's geography: both proposers are 1 ms from a1 and 5 ms from a0 and a2. */
const LATENCY_MS: Readonly<Record<string, number>> = { a0: 5, a1: 1, a2: 5 };
/** p1 starts this long after p0: its prepare lands between p0's prepare and p0's accept. */
export const PAXOS_DUEL_OFFSET_MS = 5;
/** The fixed retry delay that keeps the duel going. */
export const PAXOS_DUEL_FIXED_RETRY: PaxosRetryPolicy = { kind: "fixed", delayMs: 2 };
/** The fix: a random delay in [0, 10 * 2^(attempt-1)] ms, at most 200 ms. */
export const PAXOS_DUEL_RANDOM_RETRY: PaxosRetryPolicy = {
  kind: "random",
  delayMsMax: 10,
  capMs: 200,
};

/** What one duel did. */
export interface PaxosDuelResult {
  readonly retry: PaxosRetryPolicy;
  /** The value chosen, or undefined if none was chosen in the window. */
  readonly chosen: PaxosSlotValue | undefined;
  /** Virtual time (ms) at which a value was chosen, or undefined. */
  readonly chosenAtMs: number | undefined;
  /** Phase-1 attempts (ballots tried) of p0 and p1. */
  readonly attempts: readonly [number, number];
  /** The highest round any proposer reached. */
  readonly roundMax: number;
  readonly messages: PaxosMessageCounts;
  /** The run's trace, for diagrams. */
  readonly trace: readonly TraceEvent[];
}

/** Options of {@link runPaxosDuel}. */
export interface PaxosDuelOptions {
  readonly retry: PaxosRetryPolicy;
  readonly seed?: number;
  /** Length of the window watched, virtual ms. Default 1,000. */
  readonly windowMs?: number;
}

/**
 * Runs two proposers (values "x" and "y") against three acceptors in the duel's layout, and reports
 * whether and when a value was chosen and how many ballots each proposer burnt.
 *
 * @example
 * runPaxosDuel({ retry: PAXOS_DUEL_FIXED_RETRY }).chosen; // undefined: a livelock
 * runPaxosDuel({ retry: PAXOS_DUEL_RANDOM_RETRY }).chosen; // "x" or "y"
 */
export function runPaxosDuel(options: PaxosDuelOptions): PaxosDuelResult {
  requireKnownOptions("runPaxosDuel options", options, ["retry", "seed", "windowMs"]);
  const windowMs = requireNumberAtLeast("windowMs", options.windowMs ?? 1_000, 0);
  const cluster = new PaxosCluster({
    acceptors: 3,
    proposers: 2,
    seed: options.seed ?? 1,
    retry: options.retry,
    phaseTimeoutMs: 1_000,
  });
  for (const acceptor of cluster.acceptorIds) {
    const latency = { kind: "fixed", ms: LATENCY_MS[acceptor] ?? 1 } as const;
    for (const proposer of cluster.proposerIds) {
      cluster.sim.configureLink(proposer, acceptor, { latency }, true);
    }
  }
  cluster.propose(0, "x");
  cluster.sim.schedule(PAXOS_DUEL_OFFSET_MS, () => cluster.propose(1, "y"));
  let chosenAtMs: number | undefined;
  try {
    chosenAtMs = cluster.sim.runUntil(() => cluster.chosen() !== undefined, {
      timeMsMax: windowMs,
    });
  } catch (error) {
    if (!(error instanceof TimeLimitError)) throw error;
  }
  const p0 = cluster.node("p0");
  const p1 = cluster.node("p1");
  return {
    retry: options.retry,
    chosen: cluster.chosen(),
    chosenAtMs,
    attempts: [p0?.attempts ?? 0, p1?.attempts ?? 0],
    roundMax: Math.max(p0?.ballot?.round ?? 0, p1?.ballot?.round ?? 0),
    messages: cluster.messageCounts(),
    trace: cluster.sim.trace,
  };
}

/** Both halves of the story: the livelock with a fixed retry delay, then the randomised fix. */
export interface PaxosDuelDemo {
  readonly livelock: PaxosDuelResult;
  readonly fixed: PaxosDuelResult;
  /** Mermaid sequence diagram of the first `diagramMs` of the livelock. */
  readonly livelockDiagram: string;
}

/**
 * Runs the duel twice with the same seed: fixed retry (livelock) and randomised backoff (a value is
 * chosen), with a sequence diagram of the livelock's first rounds.
 */
export function paxosDuelDemo(seed = 1, windowMs = 1_000, diagramMs = 30): PaxosDuelDemo {
  const livelock = runPaxosDuel({ retry: PAXOS_DUEL_FIXED_RETRY, seed, windowMs });
  const fixed = runPaxosDuel({ retry: PAXOS_DUEL_RANDOM_RETRY, seed, windowMs });
  const early = livelock.trace.filter((event) => event.timeMs <= diagramMs);
  return { livelock, fixed, livelockDiagram: toMermaidSequence(early) };
}
