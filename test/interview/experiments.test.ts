// The experiment behind every checklist choice (issue 9): each choice has one, it runs, its claim
// holds for the numbers it measured, it is deterministic, and its chapter link resolves.

import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";

import { CHOICE_EXPERIMENTS, runChoiceExperiment } from "../../src/interview/experiments.js";
import type { ChoiceId, ExperimentResult } from "../../src/interview/types.js";
import { brokenLinkReason } from "../support/anchors.js";
import { assertProperty } from "../support/property.js";

/** Every ChoiceId; the Record type makes the compiler refuse a missing or unknown one. */
const ALL_CHOICES: Record<ChoiceId, true> = {
  cp: true,
  ap: true,
  "shard-by-key": true,
  "replicate-whole-dataset": true,
  "consensus-log": true,
  "partitioned-log": true,
  "causal-delivery": true,
  "simple-queue": true,
  "leader-lease-fencing": true,
  "no-leader": true,
  "at-least-once-idempotent": true,
  "exactly-once-effects": true,
  "bounded-load-hashing": true,
  "plain-hash-partitioning": true,
  "quorum-round-trip": true,
  "local-reads": true,
  "majority-quorum-replication": true,
  "sloppy-availability": true,
};
const CHOICE_IDS = Object.keys(ALL_CHOICES) as ChoiceId[];

const results = new Map<ChoiceId, ExperimentResult>();

beforeAll(() => {
  for (const id of CHOICE_IDS) results.set(id, runChoiceExperiment(id));
});

function resultOf(id: ChoiceId): ExperimentResult {
  const outcome = results.get(id);
  if (outcome === undefined) throw new Error(`no result for ${id}`);
  return outcome;
}

/** A measured number, failing the test when the field is missing or not a number. */
function num(id: ChoiceId, field: string): number {
  const value = resultOf(id).measured[field];
  if (typeof value !== "number") {
    throw new Error(`${id}: measured.${field} is ${String(value)}, not a number`);
  }
  return value;
}

function flag(id: ChoiceId, field: string): boolean {
  const value = resultOf(id).measured[field];
  if (typeof value !== "boolean") {
    throw new Error(`${id}: measured.${field} is ${String(value)}, not a boolean`);
  }
  return value;
}

describe("every choice has an experiment", () => {
  it("has one experiment per ChoiceId, and no other", () => {
    expect(Object.keys(CHOICE_EXPERIMENTS).sort()).toEqual([...CHOICE_IDS].sort());
  });

  it.each(CHOICE_IDS)("%s: the experiment's id matches its key", (id) => {
    expect(CHOICE_EXPERIMENTS[id].id).toBe(id);
  });

  it.each(CHOICE_IDS)("%s: runs, holds, and measures at least one number", (id) => {
    const outcome = resultOf(id);
    expect(outcome.id).toBe(id);
    expect(outcome.claim).toBe(CHOICE_EXPERIMENTS[id].claim);
    expect(outcome.chapter).toEqual(CHOICE_EXPERIMENTS[id].chapter);
    expect(outcome.holds).toBe(true);
    const numbers = Object.values(outcome.measured).filter((v) => typeof v === "number");
    expect(numbers.length).toBeGreaterThan(0);
    for (const value of numbers) expect(Number.isFinite(value)).toBe(true);
    expect(outcome.summary).toMatch(/\d/);
  });

  it.each(CHOICE_IDS)("%s: running it twice gives the same result (seeded)", (id) => {
    expect(runChoiceExperiment(id)).toEqual(resultOf(id));
  });

  it.each(CHOICE_IDS)("%s: its chapter link resolves", (id) => {
    expect(brokenLinkReason(CHOICE_EXPERIMENTS[id].chapter)).toBe("");
  });
});

describe("runChoiceExperiment", () => {
  it("rejects an unknown id with a message naming it and the allowed ids", () => {
    expect(() => runChoiceExperiment("paxos-everywhere" as ChoiceId)).toThrow(/paxos-everywhere/);
    expect(() => runChoiceExperiment("paxos-everywhere" as ChoiceId)).toThrow(
      /cp, ap, shard-by-key/,
    );
  });

  it("rejects every string that is not a choice id (property)", () => {
    const known = new Set<string>(CHOICE_IDS);
    assertProperty(
      fc.property(
        fc.string().filter((s) => !known.has(s)),
        (id) => {
          expect(() => runChoiceExperiment(id as ChoiceId)).toThrow(RangeError);
        },
      ),
    );
  });

  it("rejects inherited property names such as toString", () => {
    expect(() => runChoiceExperiment("toString" as ChoiceId)).toThrow(/toString/);
  });
});

describe("consistency (chapter 3, CAP)", () => {
  it("cp: the minority refuses writes, the majority carries on, and the history is linearizable", () => {
    expect(num("cp", "minorityWritesRefused")).toBeGreaterThan(0);
    expect(num("cp", "minorityWritesAccepted")).toBe(0);
    expect(num("cp", "majorityWritesAcknowledged")).toBeGreaterThan(0);
    expect(num("cp", "updatesLostCount")).toBe(0);
    expect(flag("cp", "linearizable")).toBe(true);
  });

  it("ap: the minority answers everything, reads are stale (not linearizable), and replicas converge after the heal", () => {
    expect(num("ap", "minorityOperations")).toBeGreaterThan(0);
    expect(num("ap", "minorityOperationsAnswered")).toBe(num("ap", "minorityOperations"));
    expect(num("ap", "staleReadsDuringPartition")).toBeGreaterThan(0);
    expect(flag("ap", "linearizable")).toBe(false);
    expect(flag("ap", "convergedAfterHeal")).toBe(true);
    expect(num("ap", "updatesLostCount")).toBe(0);
  });
});

describe("partitioning (chapters 4 and 7)", () => {
  it("shard-by-key: a node stores about 1/n of the keys and a join moves about 1/(n+1), modulo almost all", () => {
    const n = num("shard-by-key", "nodesCount");
    expect(num("shard-by-key", "dataPerNodeMaxFraction")).toBeLessThan(2 / n);
    expect(num("shard-by-key", "keysMovedOnJoinFractionRing")).toBeLessThan(
      1.5 * num("shard-by-key", "keysMovedOnJoinFractionMinimum"),
    );
    expect(num("shard-by-key", "keysMovedOnJoinFractionModulo")).toBeGreaterThan(0.8);
  });

  it("replicate-whole-dataset: every node holds every key and one node alone answers every read", () => {
    const keys = num("replicate-whole-dataset", "keysCount");
    expect(num("replicate-whole-dataset", "keysPerReplicaMin")).toBe(keys);
    expect(num("replicate-whole-dataset", "dataPerNodeFraction")).toBe(1);
    expect(num("replicate-whole-dataset", "storedCopiesPerKey")).toBe(
      num("replicate-whole-dataset", "replicasCount"),
    );
    expect(num("replicate-whole-dataset", "readsAnsweredByIsolatedReplica")).toBe(keys);
    expect(num("replicate-whole-dataset", "shardedDataPerNodeMaxFraction")).toBeLessThan(0.5);
  });
});

describe("ordering (chapters 4, 5 and 6)", () => {
  it("consensus-log: every replica applies the same commands in the same order under faults", () => {
    expect(num("consensus-log", "faultsInjected")).toBeGreaterThanOrEqual(3);
    expect(num("consensus-log", "distinctAppliedOrders")).toBe(1);
    expect(num("consensus-log", "appliedCommandsMin")).toBeGreaterThanOrEqual(
      num("consensus-log", "commandsCount"),
    );
    expect(flag("consensus-log", "everyCommandApplied")).toBe(true);
  });

  it("partitioned-log: keyed records keep per-key order across a consumer group, round-robin ones do not", () => {
    expect(num("partitioned-log", "usersOutOfOrderKeyed")).toBe(0);
    expect(num("partitioned-log", "usersOutOfOrderRoundRobin")).toBeGreaterThan(0);
    expect(num("partitioned-log", "rebalancesDuringGroupRun")).toBeGreaterThan(0);
    expect(flag("partitioned-log", "perKeyOrderKeptThroughRebalances")).toBe(true);
  });

  it("causal-delivery: the causal checker passes with causal delivery and fails on the eventual store", () => {
    expect(num("causal-delivery", "causalViolationsWithCausalDelivery")).toBe(0);
    expect(num("causal-delivery", "causalViolationsEventual")).toBeGreaterThan(0);
    expect(flag("causal-delivery", "replyWithoutPostSeenEventual")).toBe(true);
    expect(flag("causal-delivery", "replyWithoutPostSeenWithCausalDelivery")).toBe(false);
  });

  it("simple-queue: jobs spread over workers, a crashed worker's jobs are redelivered, order is not kept", () => {
    expect(num("simple-queue", "jobsCompleted")).toBe(num("simple-queue", "jobsCount"));
    expect(num("simple-queue", "jobsPerWorkerMin")).toBeGreaterThan(0);
    expect(num("simple-queue", "redeliveries")).toBeGreaterThan(0);
    expect(num("simple-queue", "jobsCompletedOutOfOrder")).toBeGreaterThan(0);
  });
});

describe("coordination (chapters 4 and 8)", () => {
  it("leader-lease-fencing: the fencing token rejects the paused leader's stale write", () => {
    expect(num("leader-lease-fencing", "staleWritesRejectedFenced")).toBeGreaterThan(0);
    expect(num("leader-lease-fencing", "staleWritesAcceptedFenced")).toBe(0);
    expect(num("leader-lease-fencing", "violationsFenced")).toBe(0);
    expect(num("leader-lease-fencing", "staleWritesAcceptedUnfenced")).toBeGreaterThan(0);
    expect(num("leader-lease-fencing", "violationsUnfenced")).toBeGreaterThan(0);
  });

  it("no-leader: a leaderless store rides out a replica crash with no election and no gap", () => {
    expect(num("no-leader", "operationsAfterCrash")).toBeGreaterThan(0);
    expect(num("no-leader", "operationsFailedAfterCrash")).toBe(0);
    expect(num("no-leader", "electionMessages")).toBe(0);
    expect(num("no-leader", "raftElectionMessages")).toBeGreaterThan(0);
    expect(num("no-leader", "serviceGapMsMax")).toBeLessThan(num("no-leader", "raftFailoverMs"));
  });
});

describe("delivery (chapter 6)", () => {
  it("at-least-once-idempotent: nothing is lost, and redeliveries have no duplicate effect on an idempotent consumer", () => {
    expect(num("at-least-once-idempotent", "redeliveries")).toBeGreaterThan(0);
    expect(num("at-least-once-idempotent", "lostAtLeastOnce")).toBe(0);
    expect(num("at-least-once-idempotent", "duplicateEffectsIdempotent")).toBe(0);
    expect(num("at-least-once-idempotent", "duplicateEffectsPlainConsumer")).toBeGreaterThan(0);
    expect(num("at-least-once-idempotent", "lostAtMostOnce")).toBeGreaterThan(0);
  });

  it("exactly-once-effects: deduplication removes every duplicate that plain retries leave", () => {
    expect(num("exactly-once-effects", "acksLost")).toBeGreaterThan(0);
    expect(num("exactly-once-effects", "duplicatesWithDedup")).toBe(0);
    expect(num("exactly-once-effects", "lostWithDedup")).toBe(0);
    expect(num("exactly-once-effects", "duplicatesWithoutDedup")).toBeGreaterThan(0);
    expect(num("exactly-once-effects", "duplicatesAtLeastOnce")).toBeGreaterThan(0);
  });
});

describe("hot spots (chapter 7)", () => {
  it("bounded-load-hashing: the busiest node stays within (1 + epsilon) of the mean, below the plain ring's", () => {
    const epsilon = num("bounded-load-hashing", "epsilon");
    const keys = num("bounded-load-hashing", "keysCount");
    expect(num("bounded-load-hashing", "maxOverMeanBounded")).toBeLessThanOrEqual(
      1 + epsilon + 1 / keys,
    );
    expect(num("bounded-load-hashing", "maxOverMeanPlainRing")).toBeGreaterThan(1 + epsilon);
    expect(num("bounded-load-hashing", "keysMovedOnJoinFractionBounded")).toBeGreaterThan(
      num("bounded-load-hashing", "keysMovedOnJoinFractionPlainRing"),
    );
  });

  it("plain-hash-partitioning: with enough points per node a plain ring is balanced for uniform keys", () => {
    expect(num("plain-hash-partitioning", "maxOverMean")).toBeLessThan(1.25);
    expect(num("plain-hash-partitioning", "maxOverMeanOnePointPerNode")).toBeGreaterThan(2);
  });
});

describe("latency (chapter 3, PACELC)", () => {
  it("quorum-round-trip: a quorum read is slower than a local one and the history is linearizable", () => {
    expect(num("quorum-round-trip", "readLatencyMsP50")).toBeGreaterThan(
      num("quorum-round-trip", "localReadLatencyMsP50"),
    );
    // At least two network round trips: client to coordinator and coordinator to a majority.
    expect(num("quorum-round-trip", "readLatencyMsP50")).toBeGreaterThanOrEqual(
      4 * num("quorum-round-trip", "linkLatencyMsMin"),
    );
    expect(flag("quorum-round-trip", "linearizable")).toBe(true);
  });

  it("local-reads: a local read is faster than a quorum read and can be stale", () => {
    expect(num("local-reads", "readLatencyMsP50")).toBeLessThan(
      num("local-reads", "quorumReadLatencyMsP50"),
    );
    expect(num("local-reads", "staleReads")).toBeGreaterThan(0);
    expect(flag("local-reads", "linearizable")).toBe(false);
  });

  it("local-reads and quorum-round-trip measure the same two runs", () => {
    expect(num("local-reads", "readLatencyMsP50")).toBe(
      num("quorum-round-trip", "localReadLatencyMsP50"),
    );
    expect(num("quorum-round-trip", "readLatencyMsP50")).toBe(
      num("local-reads", "quorumReadLatencyMsP50"),
    );
  });
});

describe("availability (chapter 4)", () => {
  it("majority-quorum-replication: 5 replicas serve with 2 crashed, and a minority side is refused", () => {
    expect(num("majority-quorum-replication", "replicasCount")).toBe(5);
    expect(num("majority-quorum-replication", "crashedReplicas")).toBe(2);
    expect(num("majority-quorum-replication", "operationsOkWithTwoCrashed")).toBe(
      num("majority-quorum-replication", "operationsWithTwoCrashed"),
    );
    expect(num("majority-quorum-replication", "operationsWithTwoCrashed")).toBeGreaterThan(0);
    expect(num("majority-quorum-replication", "minorityOperationsRefused")).toBe(
      num("majority-quorum-replication", "minorityOperations"),
    );
    expect(num("majority-quorum-replication", "majorityOperationsOk")).toBeGreaterThan(0);
    expect(flag("majority-quorum-replication", "linearizable")).toBe(true);
  });

  it("sloppy-availability: both sides of a partition accept writes, and the heal surfaces siblings and hands off hints", () => {
    expect(num("sloppy-availability", "writesAcceptedSloppy")).toBe(2);
    expect(num("sloppy-availability", "writesAcceptedStrict")).toBeLessThan(2);
    expect(num("sloppy-availability", "siblingsAfterHeal")).toBe(2);
    expect(num("sloppy-availability", "hintsAtHeal")).toBeGreaterThan(0);
    expect(num("sloppy-availability", "hintsAfterHandoff")).toBe(0);
    expect(resultOf("sloppy-availability").measured.readAfterHandoff).toBe("v2");
  });
});
