// What the Paxos harnesses share: the simulation and its fault controls, message counts, and the
// wrapper that feeds the safety checker after every handler. Reference: Paxos Made Simple §2-3.

import { Simulation } from "../../sim/simulation.js";
import type {
  Envelope,
  FiredTimer,
  LinkOptions,
  NodeContext,
  NodeId,
  Process,
} from "../../sim/types.js";
import type { PaxosAcceptor, PaxosLearner } from "./acceptor.js";
import { PaxosSafetyChecker } from "./invariants.js";
import type { PaxosBreakIt } from "./node.js";
import type { PaxosMessage, PaxosMessageType } from "./types.js";

/** Messages sent so far: the total and the count per message type. */
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

/** Messages sent so far in `sim`, per Paxos message type. */
export function paxosMessageCounts(sim: Simulation<PaxosMessage>): PaxosMessageCounts {
  const stats = sim.stats;
  const byType = {} as Record<PaxosMessageType, number>;
  for (const type of MESSAGE_TYPES) byType[type] = stats.sentByType[type] ?? 0;
  return { total: stats.messagesSent, byType };
}

/** Validates a harness's `breakIt` option, naming the value when it is not a known switch. */
export function requirePaxosBreakIt(breakIt: unknown): PaxosBreakIt | undefined {
  if (
    breakIt !== undefined &&
    breakIt !== "acceptor-amnesia" &&
    breakIt !== "ignore-promised-values"
  ) {
    throw new RangeError(
      `breakIt must be "acceptor-amnesia" or "ignore-promised-values", got ${JSON.stringify(breakIt)}`,
    );
  }
  return breakIt;
}

/** A Paxos process whose acceptor and learner report what they accepted and learned. */
export interface PaxosObservedNode extends Process<PaxosMessage> {
  readonly acceptor: PaxosAcceptor | undefined;
  readonly learner: PaxosLearner;
}

/** The simulation settings both harnesses accept. */
export interface PaxosSimulationSettings {
  readonly seed: number;
  readonly network?: LinkOptions;
  readonly traceEventsMax?: number;
}

/**
 * Base of {@link PaxosCluster} and {@link MultiPaxosCluster}: owns the simulation and the safety
 * checker, and wraps each node so that the checker sees every accept and every learned value
 * right after the handler that produced it.
 */
export abstract class PaxosClusterBase<N extends PaxosObservedNode> {
  /** The simulation: every fault control (crash, restart, partition, heal, ...) is here. */
  readonly sim: Simulation<PaxosMessage>;
  /** The safety checker fed after every handler. */
  readonly checker: PaxosSafetyChecker;
  protected readonly nodes = new Map<NodeId, N>();

  protected constructor(settings: PaxosSimulationSettings, quorum: number, allowNoOps: boolean) {
    this.sim = new Simulation<PaxosMessage>({
      seed: settings.seed,
      ...(settings.network === undefined ? {} : { network: settings.network }),
      ...(settings.traceEventsMax === undefined ? {} : { traceEventsMax: settings.traceEventsMax }),
    });
    this.checker = new PaxosSafetyChecker(this.sim.seed, quorum, allowNoOps);
  }

  /** Messages sent so far, in total and per type. */
  messageCounts(): PaxosMessageCounts {
    return paxosMessageCounts(this.sim);
  }

  /** Crashes node `id`; its stable storage stays. */
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

  /** Registers `node` as the process of `id`, with the checker fed after each of its handlers. */
  protected watch(id: NodeId, node: N): Process<PaxosMessage> {
    this.nodes.set(id, node);
    return {
      onStart: (ctx: NodeContext<PaxosMessage>) => {
        node.onStart?.(ctx);
        this.observe(id, node);
      },
      onMessage: (ctx: NodeContext<PaxosMessage>, message: Envelope<PaxosMessage>) => {
        node.onMessage(ctx, message);
        this.observe(id, node);
      },
      onTimer: (ctx: NodeContext<PaxosMessage>, timer: FiredTimer) => {
        node.onTimer?.(ctx, timer);
        this.observe(id, node);
      },
    };
  }

  /** Hands what `node` accepted and learned since the last call to the checker. */
  protected observe(id: NodeId, node: N): void {
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
