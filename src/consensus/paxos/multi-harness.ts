// MultiPaxosCluster: a replicated log on a simulation, with the safety checker after every handler.
// Reference: Paxos Made Simple §3 (implementing a state machine); nodes n0.. are all replicas.

import {
  requireIntegerAtLeast,
  requireIntegerIn,
  requireKnownOptions,
  requireNumberAtLeast,
} from "../../sim/assert.js";
import type { LinkOptions, NodeId } from "../../sim/types.js";
import { PaxosClusterBase, requirePaxosBreakIt } from "./cluster-base.js";
import { MultiPaxosNode, type MultiPaxosTiming } from "./multi.js";
import type { PaxosBreakIt } from "./node.js";
import {
  type PaxosSlotValue,
  type PaxosValue,
  compareBallots,
  majorityOf,
  requirePaxosValue,
} from "./types.js";

/** Options of a {@link MultiPaxosCluster}. */
export interface MultiPaxosClusterOptions {
  /** Number of replicas (nodes `n0`, `n1`, ...), each acceptor, learner and possible leader. */
  readonly nodes: number;
  readonly seed: number;
  /** Network defaults. Default: 1 ms, reliable. */
  readonly network?: LinkOptions;
  /** Heartbeat and election timing. Default: heartbeat 10 ms, election timeout 50-100 ms. */
  readonly timing?: MultiPaxosTiming;
  /** A "break it" switch that makes Paxos unsafe (the checker must catch it). */
  readonly breakIt?: PaxosBreakIt;
  /** Trace capacity (0: no trace). Default 1,000,000. */
  readonly traceEventsMax?: number;
}

/** Default timing of Multi-Paxos nodes. */
export const MULTI_PAXOS_TIMING_DEFAULT: MultiPaxosTiming = {
  heartbeatMs: 10,
  electionTimeoutMsMin: 50,
};

/**
 * Multi-Paxos on a deterministic simulation. `n0` leads from the start: it runs phase 1 once, then
 * each proposal costs one round of accepts. If the leader goes quiet another node runs phase 1,
 * re-proposes what the promises report for open slots and fills gaps with no-ops (`null`).
 *
 * @example
 * const cluster = new MultiPaxosCluster({ nodes: 3, seed: 1 });
 * cluster.runFor(20);
 * cluster.propose(0, "set x=1");
 * cluster.propose(0, "set y=2");
 * cluster.runFor(100);
 * cluster.log(); // ["set x=1", "set y=2"]
 */
export class MultiPaxosCluster extends PaxosClusterBase<MultiPaxosNode> {
  readonly nodeIds: readonly NodeId[];
  /** invariant: every slot below it has a chosen value. */
  private chosenPrefix = 0;

  constructor(options: MultiPaxosClusterOptions) {
    requireKnownOptions("MultiPaxosCluster options", options, [
      "nodes",
      "seed",
      "network",
      "timing",
      "breakIt",
      "traceEventsMax",
    ]);
    const count = requireIntegerAtLeast("nodes", options.nodes, 1);
    const timing = options.timing ?? MULTI_PAXOS_TIMING_DEFAULT;
    requireKnownOptions("timing", timing, ["heartbeatMs", "electionTimeoutMsMin"]);
    requireNumberAtLeast("timing.heartbeatMs", timing.heartbeatMs, 1);
    requireNumberAtLeast("timing.electionTimeoutMsMin", timing.electionTimeoutMsMin, 1);
    const breakIt = requirePaxosBreakIt(options.breakIt);
    super(options, majorityOf(count), true);
    this.nodeIds = Array.from({ length: count }, (_, i) => `n${i}`);
    for (const id of this.nodeIds) {
      this.sim.addNode(id, () =>
        this.watch(id, new MultiPaxosNode({ nodeIds: this.nodeIds, timing, breakIt })),
      );
    }
  }

  /** Asks node `nodeIndex` to append `value`: the leader appends it, a follower forwards it. */
  propose(nodeIndex: number, value: PaxosValue): void {
    requireIntegerIn("nodeIndex", nodeIndex, 0, this.nodeIds.length - 1);
    requirePaxosValue("value", value);
    const id = this.nodeIds[nodeIndex] as NodeId;
    this.checker.proposedValue(value);
    this.sim.withNode(id, (ctx) => {
      const node = this.nodes.get(id) as MultiPaxosNode;
      node.propose(ctx, value);
      this.observe(id, node);
    });
  }

  /** Runs the simulation for `ms` of virtual time. */
  runFor(ms: number): void {
    this.sim.runFor(ms);
  }

  /** Runs until slots 0..count-1 are all chosen (or throws after `timeMsMax`). */
  runUntilChosen(count: number, timeMsMax = 10_000): number {
    requireIntegerAtLeast("count", count, 0);
    return this.sim.runUntil(() => this.logLength() >= count, { timeMsMax });
  }

  /** The value chosen in `slot` (`null` for a no-op), or undefined if none yet. */
  chosen(slot = 0): PaxosSlotValue | undefined {
    requireIntegerAtLeast("slot", slot, 0);
    return this.checker.chosen(slot);
  }

  /** The chosen log: slots 0, 1, ... up to the first slot with nothing chosen yet. */
  log(): PaxosSlotValue[] {
    const log: PaxosSlotValue[] = [];
    for (let slot = 0; slot < this.logLength(); slot++) log.push(this.checker.chosen(slot) ?? null);
    return log;
  }

  /** Length of {@link log}: chosen slots are never un-chosen, so the prefix only grows. */
  logLength(): number {
    while (this.checker.chosen(this.chosenPrefix) !== undefined) this.chosenPrefix++;
    return this.chosenPrefix;
  }

  /** What node `nodeIndex` has learned, slot by slot, up to its first gap. */
  learnedLog(nodeIndex: number): PaxosSlotValue[] {
    requireIntegerIn("nodeIndex", nodeIndex, 0, this.nodeIds.length - 1);
    const learned = (this.nodes.get(this.nodeIds[nodeIndex] as NodeId) as MultiPaxosNode).learner
      .learned;
    const log: PaxosSlotValue[] = [];
    while (learned.has(log.length)) log.push(learned.get(log.length) as PaxosSlotValue);
    return log;
  }

  /** Index of the running leader with the highest ballot, or undefined if none leads. */
  leader(): number | undefined {
    let best: number | undefined;
    for (let i = 0; i < this.nodeIds.length; i++) {
      const node = this.node(i);
      if (node?.role !== "leader" || node.ballot === undefined) continue;
      const bestBallot = best === undefined ? undefined : this.node(best)?.ballot;
      if (bestBallot === undefined || compareBallots(node.ballot, bestBallot) > 0) best = i;
    }
    return best;
  }

  /** The live process of node `nodeIndex`, undefined while it is crashed. */
  node(nodeIndex: number): MultiPaxosNode | undefined {
    requireIntegerIn("nodeIndex", nodeIndex, 0, this.nodeIds.length - 1);
    const id = this.nodeIds[nodeIndex] as NodeId;
    return this.sim.isUp(id) ? this.nodes.get(id) : undefined;
  }
}
