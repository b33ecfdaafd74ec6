// The causal store as one more row of the chapter's comparison table: an adapter to the
// ReplicaCluster interface of src/consistency/replication (replicas r1..rN, clients c1..cM).

import { invalidArgument } from "../../sim/assert.js";
import type { NodeId, SimulationStats, TraceEvent } from "../../sim/types.js";
import { REPLICA_NETWORK_DEFAULT } from "../replication/abd.js";
import type { ComparisonStore } from "../replication/comparison.js";
import type {
  ReplicaCluster,
  ReplicaInput,
  ReplicaOperation,
  ReplicaOutput,
} from "../replication/types.js";
import { CausalCluster } from "./cluster.js";
import type { CausalOperation } from "./types.js";

/** How {@link causalComparisonStore} builds the store. */
export interface CausalComparisonOptions {
  /** Replicas r1..rN. Default 5 (as the other rows). */
  readonly replicasCount?: number;
  /** Clients c1..cM, client ci at home replica ri (wrapping). Default 4. */
  readonly clientsCount?: number;
  /** Client tokens (read your writes, monotonic reads across replicas). Default true. */
  readonly sessionGuarantees?: boolean;
}

/** A {@link CausalCluster} seen through the ReplicaCluster interface of the comparison. */
class CausalReplicaCluster implements ReplicaCluster {
  readonly name: string;
  readonly replicaIds: readonly NodeId[];
  readonly clientIds: readonly NodeId[];
  private readonly operations: ReplicaOperation[] = [];
  private readonly pending = new Map<NodeId, (operation: ReplicaOperation) => void>();
  private readonly busy = new Set<NodeId>();

  constructor(
    private readonly cluster: CausalCluster,
    name: string,
  ) {
    this.name = name;
    this.replicaIds = cluster.replicas;
    this.clientIds = cluster.clients;
    cluster.onOperation((op) => this.finished(op));
  }

  get history(): readonly ReplicaOperation[] {
    return this.operations;
  }

  get nowMs(): number {
    return this.cluster.sim.now;
  }

  get stats(): SimulationStats {
    return this.cluster.sim.stats;
  }

  get trace(): readonly TraceEvent[] {
    return this.cluster.sim.trace;
  }

  invoke(
    clientId: NodeId,
    input: ReplicaInput,
    done?: (operation: ReplicaOperation) => void,
  ): void {
    if (this.busy.has(clientId)) {
      throw invalidArgument("clientId", "an idle client (one operation at a time)", clientId);
    }
    this.busy.add(clientId);
    if (done !== undefined) this.pending.set(clientId, done);
    if (input.kind === "write") this.cluster.put(clientId, input.key, input.value);
    else this.cluster.get(clientId, input.key);
  }

  isIdle(clientId: NodeId): boolean {
    return !this.busy.has(clientId);
  }

  runFor(ms: number): void {
    this.cluster.runFor(ms);
  }

  at(timeMs: number, action: () => void): void {
    this.cluster.at(timeMs, action);
  }

  partition(groups: readonly (readonly NodeId[])[]): void {
    this.cluster.sim.partition(groups);
  }

  heal(): void {
    this.cluster.sim.heal();
  }

  private finished(op: CausalOperation): void {
    const input: ReplicaInput =
      op.kind === "write"
        ? { kind: "write", key: op.key, value: op.value as string }
        : { kind: "read", key: op.key };
    const output: ReplicaOutput =
      op.status === "ok"
        ? { kind: "ok", values: op.kind === "read" ? [...(op.values ?? [])] : [] }
        : { kind: "error", reason: op.error ?? "no answer" };
    const operation: ReplicaOperation = {
      clientId: this.clientIds.indexOf(op.session),
      input,
      call: op.call,
      output,
      // A client that gave up returns now, with an error (its write may still take effect).
      return: Number.isFinite(op.return) ? op.return : this.cluster.sim.now,
    };
    this.operations.push(operation);
    this.busy.delete(op.session);
    const done = this.pending.get(op.session);
    this.pending.delete(op.session);
    done?.(operation);
  }
}

/**
 * The causal store as a row of `consistencyComparison`: replicas r1..r5, clients c1..c4 each at
 * its own home replica, the same network as the other rows, no trace.
 *
 * @example
 * const rows = consistencyComparison({
 *   stores: [...defaultComparisonStores(), causalComparisonStore()],
 * });
 */
export function causalComparisonStore(options: CausalComparisonOptions = {}): ComparisonStore {
  const replicasCount = options.replicasCount ?? 5;
  const clientsCount = options.clientsCount ?? 4;
  if (!Number.isInteger(replicasCount) || replicasCount < 1) {
    throw invalidArgument("replicasCount", "an integer >= 1", replicasCount);
  }
  if (!Number.isInteger(clientsCount) || clientsCount < 1) {
    throw invalidArgument("clientsCount", "an integer >= 1", clientsCount);
  }
  const sessionGuarantees = options.sessionGuarantees ?? true;
  const name = `causal (${sessionGuarantees ? "with" : "without"} tokens)`;
  return {
    name,
    build: (seed) => {
      const replicas = Array.from({ length: replicasCount }, (_, i) => `r${i + 1}`);
      const clients = Array.from({ length: clientsCount }, (_, i) => `c${i + 1}`);
      const homes: Record<NodeId, NodeId> = {};
      clients.forEach((client, i) => {
        homes[client] = replicas[i % replicasCount] as NodeId;
      });
      const cluster = new CausalCluster({
        seed,
        replicas,
        clients,
        homes,
        sessionGuarantees,
        network: REPLICA_NETWORK_DEFAULT,
        traceEventsMax: 0,
      });
      return new CausalReplicaCluster(cluster, name);
    },
  };
}
