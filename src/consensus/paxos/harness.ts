// PaxosCluster: single-decree Paxos on a simulation, with the safety checker after every delivery.
// Reference: Paxos Made Simple §2; the cluster exposes the simulator's faults and message counts.

import {
  integerOption,
  requireIntegerAtLeast,
  requireIntegerIn,
  requireKnownOptions,
  requireNumberAtLeast,
} from "../../sim/assert.js";
import type { LinkOptions, NodeId } from "../../sim/types.js";
import { PaxosClusterBase, requirePaxosBreakIt } from "./cluster-base.js";
import { type PaxosBreakIt, PaxosNode, type PaxosRetryPolicy } from "./node.js";
import { type PaxosSlotValue, type PaxosValue, majorityOf, requirePaxosValue } from "./types.js";

export { type PaxosMessageCounts, paxosMessageCounts } from "./cluster-base.js";

/** Options of a {@link PaxosCluster}. */
export interface PaxosClusterOptions {
  /** Number of acceptors (nodes `a0`, `a1`, ...): an integer >= 1. */
  readonly acceptors: number;
  /** Number of proposers (nodes `p0`, `p1`, ...): an integer >= 1. */
  readonly proposers: number;
  /** The simulation's seed. */
  readonly seed: number;
  /** Network defaults (latency, loss, duplication, reordering). Default: 1 ms, reliable. */
  readonly network?: LinkOptions;
  /** Retry after a refusal or timeout. Default: random backoff up to 10 ms, doubling, cap 200. */
  readonly retry?: PaxosRetryPolicy;
  /** A phase without a quorum in this many ms is retried. Default 50. */
  readonly phaseTimeoutMs?: number;
  /** A "break it" switch that makes Paxos unsafe (the checker must catch it). */
  readonly breakIt?: PaxosBreakIt;
  /** Trace capacity (0: no trace, faster for fuzzing). Default 1,000,000. */
  readonly traceEventsMax?: number;
}

/** Default retry: randomised backoff (Paxos Made Simple §2.4's fix for dueling proposers). */
export const PAXOS_RETRY_DEFAULT: PaxosRetryPolicy = { kind: "random", delayMsMax: 10, capMs: 200 };

/** Checks a retry policy, naming the bad field. */
export function validateRetryPolicy(retry: PaxosRetryPolicy): PaxosRetryPolicy {
  requireKnownOptions("retry", retry, ["kind", "delayMs", "delayMsMax", "capMs"]);
  if (retry.kind === "fixed") {
    requireNumberAtLeast("retry.delayMs", retry.delayMs, 0);
    return retry;
  }
  if (retry.kind === "random") {
    requireNumberAtLeast("retry.delayMsMax", retry.delayMsMax, 0);
    requireNumberAtLeast("retry.capMs", retry.capMs, 0);
    return retry;
  }
  throw new RangeError(
    `retry.kind must be "fixed" or "random", got ${JSON.stringify((retry as { kind: unknown }).kind)}`,
  );
}

/**
 * Single-decree Paxos on a deterministic simulation: acceptors `a0..`, proposers `p0..`, and every
 * node a learner. The safety checker runs after every handler (every delivery, timer and start).
 *
 * @example
 * const cluster = new PaxosCluster({ acceptors: 3, proposers: 2, seed: 1 });
 * cluster.propose(0, "x");
 * cluster.propose(1, "y");
 * cluster.runFor(1_000);
 * cluster.chosen(); // "x" or "y", the same for every learner
 */
export class PaxosCluster extends PaxosClusterBase<PaxosNode> {
  readonly acceptorIds: readonly NodeId[];
  readonly proposerIds: readonly NodeId[];

  constructor(options: PaxosClusterOptions) {
    const known = requireKnownOptions("PaxosCluster options", options, [
      "acceptors",
      "proposers",
      "seed",
      "network",
      "retry",
      "phaseTimeoutMs",
      "breakIt",
      "traceEventsMax",
    ]);
    const acceptors = requireIntegerAtLeast("acceptors", known.acceptors, 1);
    const proposers = requireIntegerAtLeast("proposers", known.proposers, 1);
    const retry = validateRetryPolicy(options.retry ?? PAXOS_RETRY_DEFAULT);
    const phaseTimeoutMs = integerOption("phaseTimeoutMs", options.phaseTimeoutMs, 50, 1);
    const breakIt = requirePaxosBreakIt(options.breakIt);
    super(options, majorityOf(acceptors), false);
    this.acceptorIds = Array.from({ length: acceptors }, (_, i) => `a${i}`);
    this.proposerIds = Array.from({ length: proposers }, (_, i) => `p${i}`);
    const learnerIds = [...this.acceptorIds, ...this.proposerIds];
    for (const id of learnerIds) {
      const isAcceptor = this.acceptorIds.includes(id);
      this.sim.addNode(id, () =>
        this.watch(
          id,
          new PaxosNode({
            acceptor: isAcceptor,
            proposer: !isAcceptor,
            acceptorIds: this.acceptorIds,
            learnerIds,
            retry,
            phaseTimeoutMs,
            breakIt,
          }),
        ),
      );
    }
  }

  /** Asks proposer `proposerIndex` (0-based) to get `value` chosen, now. */
  propose(proposerIndex: number, value: PaxosValue): void {
    requireIntegerIn("proposerIndex", proposerIndex, 0, this.proposerIds.length - 1);
    requirePaxosValue("value", value);
    const id = this.proposerIds[proposerIndex] as NodeId;
    this.checker.proposedValue(value);
    this.sim.withNode(id, (ctx) => {
      const node = this.nodes.get(id) as PaxosNode;
      node.propose(ctx, value);
      this.observe(id, node);
    });
  }

  /** Runs the simulation for `ms` of virtual time. */
  runFor(ms: number): void {
    this.sim.runFor(ms);
  }

  /** Runs until a value is chosen in slot 0 (or throws after `timeMsMax`); returns the time. */
  runUntilChosen(timeMsMax = 10_000): number {
    return this.sim.runUntil(() => this.checker.chosen(0) !== undefined, { timeMsMax });
  }

  /** The value chosen (a majority of acceptors accepted it in one ballot), or undefined. */
  chosen(slot = 0): PaxosSlotValue | undefined {
    requireIntegerAtLeast("slot", slot, 0);
    return this.checker.chosen(slot);
  }

  /** What node `id` has learned in slot 0, or undefined (also while it is crashed). */
  learned(id: NodeId): PaxosSlotValue | undefined {
    if (!this.sim.isUp(id)) return undefined;
    return this.nodes.get(id)?.learner.learned.get(0);
  }

  /** The live process of node `id` (acceptor and proposer state), undefined while crashed. */
  node(id: NodeId): PaxosNode | undefined {
    return this.sim.isUp(id) ? this.nodes.get(id) : undefined;
  }
}
