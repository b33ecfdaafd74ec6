// PaxosCluster: single-decree Paxos on a simulation, with the safety checker after every delivery.
// Reference: Paxos Made Simple §2; the cluster exposes the simulator's faults and message counts.

import {
  integerOption,
  requireIntegerAtLeast,
  requireIntegerIn,
  requireKnownOptions,
  requireNumberAtLeast,
} from "../../sim/assert.js";
import { Simulation } from "../../sim/simulation.js";
import type {
  Envelope,
  FiredTimer,
  LinkOptions,
  NodeContext,
  NodeId,
  Process,
} from "../../sim/types.js";
import { PaxosSafetyChecker } from "./invariants.js";
import { type PaxosBreakIt, PaxosNode, type PaxosRetryPolicy } from "./node.js";
import {
  type PaxosMessage,
  type PaxosMessageType,
  type PaxosSlotValue,
  type PaxosValue,
  majorityOf,
  requirePaxosValue,
} from "./types.js";

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

/** Messages sent, in total and per type. */
export interface PaxosMessageCounts {
  readonly total: number;
  readonly byType: Readonly<Record<PaxosMessageType, number>>;
}

const MESSAGE_TYPES: readonly PaxosMessageType[] = [
  "prepare",
  "promise",
  "accept",
  "accepted",
  "nack",
  "request",
  "heartbeat",
  "catchup",
  "chosen",
];

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

/** Counts of sent messages from a simulation's stats. */
export function paxosMessageCounts(sim: Simulation<PaxosMessage>): PaxosMessageCounts {
  const stats = sim.stats;
  const byType = {} as Record<PaxosMessageType, number>;
  for (const type of MESSAGE_TYPES) byType[type] = stats.sentByType[type] ?? 0;
  return { total: stats.messagesSent, byType };
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
export class PaxosCluster {
  /** The simulation: every fault control (crash, restart, partition, heal, ...) is here. */
  readonly sim: Simulation<PaxosMessage>;
  readonly acceptorIds: readonly NodeId[];
  readonly proposerIds: readonly NodeId[];
  /** The safety checker fed after every handler. */
  readonly checker: PaxosSafetyChecker;
  private readonly nodes = new Map<NodeId, PaxosNode>();

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
    const breakIt = options.breakIt;
    if (
      breakIt !== undefined &&
      breakIt !== "acceptor-amnesia" &&
      breakIt !== "ignore-promised-values"
    ) {
      throw new RangeError(
        `breakIt must be "acceptor-amnesia" or "ignore-promised-values", got ${JSON.stringify(breakIt)}`,
      );
    }
    this.sim = new Simulation<PaxosMessage>({
      seed: options.seed,
      ...(options.network === undefined ? {} : { network: options.network }),
      ...(options.traceEventsMax === undefined ? {} : { traceEventsMax: options.traceEventsMax }),
    });
    this.acceptorIds = Array.from({ length: acceptors }, (_, i) => `a${i}`);
    this.proposerIds = Array.from({ length: proposers }, (_, i) => `p${i}`);
    this.checker = new PaxosSafetyChecker(this.sim.seed, majorityOf(acceptors), false);
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

  /** Messages sent so far, in total and per type. */
  messageCounts(): PaxosMessageCounts {
    return paxosMessageCounts(this.sim);
  }

  /** Crashes node `id` (its stable storage stays). */
  crash(id: NodeId): void {
    this.sim.crash(id);
  }

  /** Restarts node `id` from its stable storage. */
  restart(id: NodeId): void {
    this.sim.restart(id);
  }

  /** Cuts the network into groups (see {@link Simulation.partition}). */
  partition(groups: readonly (readonly NodeId[])[]): void {
    this.sim.partition(groups);
  }

  /** Removes every partition. */
  heal(): void {
    this.sim.heal();
  }

  /** Changes the network defaults (latency, loss, duplication, reordering). */
  configureNetwork(options: LinkOptions): void {
    this.sim.configureNetwork(options);
  }

  private watch(id: NodeId, node: PaxosNode): Process<PaxosMessage> {
    this.nodes.set(id, node);
    return {
      onStart: (ctx: NodeContext<PaxosMessage>) => {
        node.onStart(ctx);
        this.observe(id, node);
      },
      onMessage: (ctx: NodeContext<PaxosMessage>, message: Envelope<PaxosMessage>) => {
        node.onMessage(ctx, message);
        this.observe(id, node);
      },
      onTimer: (ctx: NodeContext<PaxosMessage>, timer: FiredTimer) => {
        node.onTimer(ctx, timer);
        this.observe(id, node);
      },
    };
  }

  private observe(id: NodeId, node: PaxosNode): void {
    const acceptor = node.acceptor;
    if (acceptor !== undefined) {
      for (const entry of acceptor.acceptedSinceDrain) {
        this.checker.accepted(id, entry.slot, entry.ballot, entry.value);
      }
      acceptor.acceptedSinceDrain.length = 0;
    }
    for (const learned of node.learner.learnedSinceDrain) {
      this.checker.learned(id, learned.slot, learned.value);
    }
    node.learner.learnedSinceDrain.length = 0;
  }
}
