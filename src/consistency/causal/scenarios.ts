// The chapter's stories as runs of the causal store: the reply seen before its post (causal
// delivery off), a concurrent write lost to "higher value wins", and session tokens across replicas.

import type { NodeId } from "../../sim/types.js";
import {
  type CausalCheckResult,
  type SessionCheckResult,
  checkCausalConsistency,
  checkSessionGuarantees,
} from "./checker.js";
import { CausalCluster } from "./cluster.js";
import type { CausalConflictPolicy } from "./store.js";
import type { CausalOperation } from "./types.js";

/** A scripted run with its history checked both ways. */
export interface CausalScenarioRun {
  readonly cluster: CausalCluster;
  readonly history: readonly CausalOperation[];
  readonly causal: CausalCheckResult;
  readonly sessions: SessionCheckResult;
}

function checked(cluster: CausalCluster): CausalScenarioRun {
  return {
    cluster,
    history: cluster.history,
    causal: checkCausalConsistency(cluster.history),
    sessions: checkSessionGuarantees(cluster.history),
  };
}

/**
 * Alice posts at replica A; Bob reads the post at B and replies; Carol reads at C, where the post
 * travels on a slow link (200 ms) and the reply on a fast one. With `causalDelivery` C buffers the
 * reply until the post is applied; without it Carol sees the reply to a post she cannot see.
 * Clients stay on their own replica and send no tokens: causality must come from the store.
 *
 * @example
 * runReplyBeforePostScenario({ causalDelivery: false }).causal.ok; // false
 */
export function runReplyBeforePostScenario(options: {
  readonly causalDelivery: boolean;
  readonly seed?: number;
}): CausalScenarioRun {
  const cluster = new CausalCluster({
    seed: options.seed ?? 4,
    causalDelivery: options.causalDelivery,
    sessionGuarantees: false,
    antiEntropyIntervalMs: 1000,
    network: { latency: { kind: "fixed", ms: 5 } },
  });
  cluster.sim.configureLink("A", "C", { latency: { kind: "fixed", ms: 200 } });
  cluster.put("alice", "post", "lunch at noon?");
  cluster.at(20, () => {
    cluster.get("bob", "post");
    cluster.put("bob", "reply", "yes, see you there");
  });
  cluster.at(45, () => {
    cluster.get("carol", "reply");
    cluster.get("carol", "post");
  });
  cluster.runFor(400);
  return checked(cluster);
}

/** The concurrent-writes story under one conflict policy. */
export interface ConcurrentWritesRun extends CausalScenarioRun {
  /** Siblings of "cart" at A and B once both writes have replicated. */
  readonly afterReplication: Readonly<Record<NodeId, readonly string[]>>;
  /** Siblings of "cart" at every replica after Alice's write that merges what she read. */
  readonly afterMerge: Readonly<Record<NodeId, readonly string[]>>;
}

/**
 * Alice (at A) and Bob (at B) write the cart at the same moment, so neither write is in the
 * other's causal past. "siblings" keeps both; "higherValueWins" (the seed notes' rule) keeps the
 * greater string everywhere and Bob's write is gone. Then Alice reads the cart and writes the
 * merge: her token holds the versions she read, so her write supersedes them.
 *
 * @example
 * runConcurrentWritesScenario({ conflicts: "siblings" }).afterReplication.A; // both values
 */
export function runConcurrentWritesScenario(options: {
  readonly conflicts: CausalConflictPolicy;
  readonly seed?: number;
}): ConcurrentWritesRun {
  const cluster = new CausalCluster({
    seed: options.seed ?? 7,
    conflicts: options.conflicts,
    network: { latency: { kind: "fixed", ms: 5 } },
  });
  cluster.put("alice", "cart", "milk");
  cluster.put("bob", "cart", "eggs");
  cluster.runFor(100);
  const afterReplication = { A: cluster.siblings("A", "cart"), B: cluster.siblings("B", "cart") };
  cluster.get("bob", "cart");
  cluster.get("alice", "cart");
  cluster.runUntilIdle();
  const seen = cluster.history.at(-1)?.values ?? [];
  cluster.put("alice", "cart", `merged: ${seen.join(" + ")}`);
  cluster.runFor(100);
  const afterMerge: Record<NodeId, readonly string[]> = {};
  for (const replica of cluster.replicas) afterMerge[replica] = cluster.siblings(replica, "cart");
  return { ...checked(cluster), afterReplication, afterMerge };
}

/**
 * Alice writes her profile at A, then reads it at B, at A and at B again, while replication from
 * A to B is slow (300 ms). Without session guarantees B answers at once and Alice misses her own
 * write, then sees it, then loses it again. With tokens B waits until it has applied what Alice
 * wrote and read. `isolateB` cuts B off as well: the wait then ends in a refusal naming what B
 * lacks.
 *
 * @example
 * runSessionScenario({ sessionGuarantees: false }).sessions.ok; // false
 */
export function runSessionScenario(options: {
  readonly sessionGuarantees: boolean;
  readonly isolateB?: boolean;
  readonly seed?: number;
}): CausalScenarioRun {
  const cluster = new CausalCluster({
    seed: options.seed ?? 3,
    sessionGuarantees: options.sessionGuarantees,
    clients: ["alice"],
    homes: { alice: "A" },
    antiEntropyIntervalMs: 1000,
    sessionWaitMsMax: 500,
    requestTimeoutMs: 1000,
    attemptsMax: 1,
    network: { latency: { kind: "fixed", ms: 5 } },
  });
  cluster.sim.configureLink("A", "B", { latency: { kind: "fixed", ms: 300 } });
  if (options.isolateB === true) cluster.sim.partitionOneWay(["A", "C"], ["B"]);
  cluster.put("alice", "profile", "v1: new photo");
  cluster.get("alice", "profile", { replica: "B" });
  cluster.get("alice", "profile", { replica: "A" });
  cluster.get("alice", "profile", { replica: "B" });
  cluster.runUntilIdle();
  return checked(cluster);
}
