// Shared shapes of the replicated stores: key-value operations as clients see them, the history a
// run records (Herlihy and Wing 1990: call and return times) and the cluster every store builds.

import type { NodeId, SimulationStats, TraceEvent } from "../../sim/index.js";
import type { Operation } from "../linearizability/types.js";

/** What a client asks a replicated store: read a key, or write a value to it. */
export type ReplicaInput =
  | { readonly kind: "read"; readonly key: string }
  | { readonly kind: "write"; readonly key: string; readonly value: string };

/**
 * What the store answered. A read's `values` is empty for a key never written, one value for
 * the single-copy stores, and every sibling (concurrent versions) for the Dynamo-style store.
 * A write's `values` is empty. An `error` (no quorum, timeout) may hide a write that took effect.
 */
export type ReplicaOutput =
  | { readonly kind: "ok"; readonly values: readonly string[] }
  | { readonly kind: "error"; readonly reason: string };

/** One client operation of a run, with true (simulator) call and return times in ms. */
export type ReplicaOperation = Operation<ReplicaInput, ReplicaOutput>;

/**
 * A cluster of replicas and client nodes on one simulation, as every store of this folder builds
 * it. The workload runner ({@link runReplicaWorkload}) drives any store through this interface,
 * so a new store (the causal one, say) becomes a comparison row by implementing it.
 */
export interface ReplicaCluster {
  /** The store's name, as the comparison prints it. */
  readonly name: string;
  /** Replica node ids, in order. */
  readonly replicaIds: readonly NodeId[];
  /** Client node ids, in order; client i records operations with clientId i. */
  readonly clientIds: readonly NodeId[];
  /** Every finished operation so far, in return order. */
  readonly history: readonly ReplicaOperation[];
  /** True (simulator) time in ms. */
  readonly nowMs: number;
  /** Starts an operation at a client now; `done` runs when it returns. Throws if it is busy. */
  invoke(clientId: NodeId, input: ReplicaInput, done?: (operation: ReplicaOperation) => void): void;
  /** True when the client has no operation in flight. */
  isIdle(clientId: NodeId): boolean;
  /** Runs the simulation for `ms` of true time. */
  runFor(ms: number): void;
  /** Schedules `action` at true time `timeMs`. */
  at(timeMs: number, action: () => void): void;
  /** Cuts the network into groups (nodes in no group form one more group). */
  partition(groups: readonly (readonly NodeId[])[]): void;
  /** Removes every partition. */
  heal(): void;
  /** The simulator's counters. */
  readonly stats: SimulationStats;
  /** The trace of the run. */
  readonly trace: readonly TraceEvent[];
}
