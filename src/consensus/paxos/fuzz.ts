// Safety fuzz for Paxos: random loss, duplication, reordering, partitions and crash/restart
// schedules, with the safety checker after every delivery. Reference: Paxos Made Simple §2.1.

import { assert, requireKnownOptions } from "../../sim/assert.js";
import { Random } from "../../sim/random.js";
import type { LinkOptions, NodeId } from "../../sim/types.js";
import { PaxosCluster } from "./harness.js";
import { MultiPaxosCluster } from "./multi-harness.js";
import type { PaxosBreakIt } from "./node.js";

/** Options of one fuzz case. */
export interface PaxosFuzzOptions {
  /** "single" (single-decree, PaxosCluster) or "multi" (Multi-Paxos log). Default "single". */
  readonly mode?: "single" | "multi";
  /** A "break it" switch: the case should then throw an InvariantViolation for some seeds. */
  readonly breakIt?: PaxosBreakIt;
  /** Virtual ms of faults before the network heals. Default 1,500. */
  readonly faultMs?: number;
}

/** What a fuzz case saw (it throws on a safety violation instead of returning). */
export interface PaxosFuzzResult {
  readonly seed: number;
  /** Slots with a chosen value. */
  readonly slotsChosen: number;
  /** Checks the safety checker made. */
  readonly checks: number;
  readonly messagesSent: number;
  readonly crashes: number;
  readonly partitions: number;
}

/** The fault schedule's own generator: a different stream from the simulation's. */
function scheduleRandom(seed: number): Random {
  return new Random((Math.imul(seed, 0x9e3779b1) ^ 0x5bd1e995) >>> 0);
}

function faultyNetwork(random: Random): LinkOptions {
  const latencyMsMax = 1 + random.int(0, 20);
  return {
    latency: { kind: "uniform", minMs: 1, maxMs: latencyMsMax },
    dropProbability: random.float(0, 0.3),
    duplicateProbability: random.float(0, 0.3),
    reorder: random.chance(0.5),
  };
}

interface FaultTarget {
  readonly sim: {
    isUp(id: NodeId): boolean;
    crash(id: NodeId): void;
    restart(id: NodeId): void;
    partition(groups: readonly (readonly NodeId[])[]): void;
    heal(): void;
    schedule(delayMs: number, action: () => void): void;
  };
}

/** Scripts random crashes, restarts, partitions and heals over `faultMs`; returns counters. */
function scriptFaults(
  target: FaultTarget,
  ids: readonly NodeId[],
  random: Random,
  faultMs: number,
  propose: () => void,
): { crashes: number; partitions: number } {
  const counts = { crashes: 0, partitions: 0 };
  const sim = target.sim;
  let atMs = 0;
  while (atMs < faultMs) {
    atMs += random.int(5, 60);
    const action = random.int(0, 9);
    const victim = random.pick(ids);
    const side = random.shuffle(ids).slice(0, random.int(1, ids.length - 1));
    sim.schedule(atMs, () => {
      if (action <= 2) {
        if (sim.isUp(victim)) {
          sim.crash(victim);
          counts.crashes++;
        }
      } else if (action <= 4) {
        if (!sim.isUp(victim)) sim.restart(victim);
      } else if (action === 5) {
        sim.partition([side]);
        counts.partitions++;
      } else if (action === 6) {
        sim.heal();
      } else {
        propose();
      }
    });
  }
  return counts;
}

/**
 * Runs one fuzz case: a random cluster and network, a random fault schedule, then a quiet period
 * with every node up and a reliable network in which the run must make progress again. Throws
 * `InvariantViolation` (naming the seed) when safety breaks.
 *
 * @example
 * for (let seed = 1; seed <= 100; seed++) runPaxosFuzzCase(seed); // throws on a violation
 */
export function runPaxosFuzzCase(seed: number, options: PaxosFuzzOptions = {}): PaxosFuzzResult {
  requireKnownOptions("fuzz options", options, ["mode", "breakIt", "faultMs"]);
  const random = scheduleRandom(seed);
  const faultMs = options.faultMs ?? 1_500;
  const network = faultyNetwork(random);
  const breakIt = options.breakIt === undefined ? {} : { breakIt: options.breakIt };
  let proposals = 0;
  if (options.mode === "multi") {
    const cluster = new MultiPaxosCluster({
      nodes: random.pick([3, 5]),
      seed,
      network,
      traceEventsMax: 0,
      ...breakIt,
    });
    const ids = cluster.nodeIds;
    const propose = () => {
      const index = random.int(0, ids.length - 1);
      if (cluster.sim.isUp(ids[index] as NodeId)) cluster.propose(index, `v${proposals++}`);
    };
    const counts = scriptFaults(cluster, ids, random, faultMs, propose);
    cluster.runFor(faultMs + 100);
    calm(cluster, ids);
    cluster.sim.runUntil(() => cluster.leader() !== undefined, { timeMsMax: 5_000 });
    const leader = cluster.leader() as number;
    cluster.propose(leader, "final");
    cluster.sim.runUntil(() => cluster.log().includes("final"), { timeMsMax: 5_000 });
    // Every chosen slot is in the log (no gap survives a new leader), and every replica learns it.
    const chosenSlots = cluster.checker.chosenSlots();
    assert(chosenSlots.length === cluster.logLength(), "after the faults, the log has no gaps");
    cluster.sim.runUntil(
      () => ids.every((_, index) => cluster.learnedLog(index).length === cluster.logLength()),
      { timeMsMax: 5_000 },
    );
    return result(seed, cluster, counts);
  }
  const cluster = new PaxosCluster({
    acceptors: random.pick([3, 5]),
    proposers: random.int(1, 3),
    seed,
    network,
    traceEventsMax: 0,
    ...breakIt,
  });
  const ids = [...cluster.acceptorIds, ...cluster.proposerIds];
  const propose = () => {
    const index = random.int(0, cluster.proposerIds.length - 1);
    if (cluster.sim.isUp(cluster.proposerIds[index] as NodeId)) {
      cluster.propose(index, `v${proposals++}`);
    }
  };
  for (let i = 0; i < cluster.proposerIds.length; i++) cluster.propose(i, `v${proposals++}`);
  const counts = scriptFaults(cluster, ids, random, faultMs, propose);
  cluster.runFor(faultMs + 100);
  calm(cluster, ids);
  for (let i = 0; i < cluster.proposerIds.length; i++) cluster.propose(i, `v${proposals++}`);
  cluster.runUntilChosen(5_000);
  // Every proposer ends up knowing the one chosen value.
  cluster.sim.runUntil(
    () => cluster.proposerIds.every((id) => cluster.learned(id) === cluster.chosen()),
    { timeMsMax: 5_000 },
  );
  return result(seed, cluster, counts);
}

/** Ends the faults: heal, restart everyone, a reliable network. */
function calm(cluster: PaxosCluster | MultiPaxosCluster, ids: readonly NodeId[]): void {
  cluster.heal();
  for (const id of ids) if (!cluster.sim.isUp(id)) cluster.restart(id);
  cluster.configureNetwork({
    latency: { kind: "uniform", minMs: 1, maxMs: 5 },
    dropProbability: 0,
    duplicateProbability: 0,
    reorder: false,
  });
}

function result(
  seed: number,
  cluster: PaxosCluster | MultiPaxosCluster,
  counts: { crashes: number; partitions: number },
): PaxosFuzzResult {
  const slotsChosen = cluster.checker.chosenSlots().length;
  assert(slotsChosen >= 1, "a calm network lets something be chosen");
  return {
    seed,
    slotsChosen,
    checks: cluster.checker.checks,
    messagesSent: cluster.sim.stats.messagesSent,
    crashes: counts.crashes,
    partitions: counts.partitions,
  };
}
