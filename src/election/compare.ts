// Leader election compared: the bully algorithm, Raft, a lease with fencing and the ZooKeeper
// recipe measured over seeds (Garcia-Molina 1982; Ongaro, Ousterhout 2014 §5.2; Hunt et al. 2010).

import {
  assert,
  integerOption,
  invalidArgument,
  requireKnownOptions,
  requireSeeds,
} from "../sim/assert.js";
import { median } from "../sim/stats.js";
import { BullyCluster } from "./bully.js";
import { LEASE_STORE_ID, LeaseElection } from "./lease-election.js";
import { RaftElection } from "./raft-election.js";
import { ZkElection } from "./zk.js";

/** The approaches {@link compareElections} measures, in the order of its rows. */
export type ElectionApproach = "bully" | "raft" | "lease" | "zookeeper";

/** The approaches, in row order. */
export const ELECTION_APPROACHES: readonly ElectionApproach[] = [
  "bully",
  "raft",
  "lease",
  "zookeeper",
];

/** How {@link compareElections} runs. */
export interface ElectionComparisonOptions {
  /** Seeds to run each approach with (at least one, integers >= 0). */
  readonly seeds: readonly number[];
  /** Nodes (candidates) per run, in [3, 20]. Default 5. */
  readonly nodes?: number;
  /** Which approaches to measure, in the order given. Default all of {@link ELECTION_APPROACHES}. */
  readonly approaches?: readonly ElectionApproach[];
}

/** One approach measured over every seed. Times are virtual ms. */
export interface ElectionComparisonRow {
  readonly approach: ElectionApproach;
  /** Election messages from the leader's crash to the new leader (heartbeats excluded): median. */
  readonly messagesMedian: number;
  readonly messagesMin: number;
  readonly messagesMax: number;
  /** Virtual time from the leader's crash to a new leader: median, min and max over the seeds. */
  readonly failoverMsMedian: number;
  readonly failoverMsMin: number;
  readonly failoverMsMax: number;
  /** Most nodes that acted as leader at one instant while the leader was cut off, over the seeds. */
  readonly partitionLeadersMax: number;
  /**
   * How long the cut-off old leader kept believing it led (median), or null when it believed
   * until the partition healed.
   */
  readonly oldLeaderBelievesMsMedian: number | null;
  /** What happens under a partition, in words, with the measured numbers. */
  readonly partition: string;
  /** What keeps two leaders from both acting. */
  readonly safety: string;
}

const NODES_MIN = 3;
const NODES_MAX = 20;
/** How long the old leader is kept cut off in the partition runs. */
const CUT_MS = 3_000;
/** Sampling step of the partition runs (ms). */
const SAMPLE_MS = 5;

interface Sample {
  readonly messages: number;
  readonly failoverMs: number;
  readonly leadersAtOnce: number;
  /** ms the old leader believed after the cut, or null if it believed until the end. */
  readonly believesMs: number | null;
}

/**
 * Runs each approach once per seed with `nodes` nodes: the leader crashes (messages and time to a
 * new leader), then, in a fresh run, the leader is cut off from the rest (or, for the lease, from
 * the store) for 3 s (how many act as leader at once, how long the old one believes). Bully uses
 * its default timers (heartbeat 100 ms, suspicion after 300-600 ms); Raft the library's election
 * timeouts with pre-vote and check-quorum; the lease a 300 ms ttl; ZooKeeper a 1 s session.
 *
 * @example
 * const rows = compareElections({ seeds: [1, 2, 3] });
 * rows.find((row) => row.approach === "bully")?.partitionLeadersMax; // 2: split brain
 */
export function compareElections(options: ElectionComparisonOptions): ElectionComparisonRow[] {
  const known = requireKnownOptions("compareElections options", options, [
    "seeds",
    "nodes",
    "approaches",
  ]);
  const seeds = known.seeds;
  requireSeeds("seeds", seeds);
  const nodes = integerOption("nodes", known.nodes, 5, NODES_MIN, NODES_MAX);
  const approaches = known.approaches ?? ELECTION_APPROACHES;
  if (!Array.isArray(approaches) || approaches.length === 0) {
    throw invalidArgument(
      "approaches",
      `a non-empty array of ${ELECTION_APPROACHES.join(", ")}`,
      approaches,
    );
  }
  for (const approach of approaches as unknown[]) {
    if (!ELECTION_APPROACHES.includes(approach as ElectionApproach)) {
      throw invalidArgument("approach", `one of ${ELECTION_APPROACHES.join(", ")}`, approach);
    }
  }
  return (approaches as ElectionApproach[]).map((approach) => {
    const samples = (seeds as number[]).map((seed) => SAMPLERS[approach](nodes, seed));
    return row(approach, samples);
  });
}

const SAMPLERS: Readonly<Record<ElectionApproach, (nodes: number, seed: number) => Sample>> = {
  bully: sampleBully,
  raft: sampleRaft,
  lease: sampleLease,
  zookeeper: sampleZk,
};

/** What a cut-off leader run shows: who believes they lead, sampled while the cut lasts. */
interface CutObservation {
  readonly leadersAtOnce: number;
  readonly believesMs: number | null;
}

/**
 * Samples every SAMPLE_MS for CUT_MS: the most servers believing they lead at once, and how long
 * `old` kept believing it did (null: until the end).
 */
function observeCut<Id>(
  now: () => number,
  step: (ms: number) => void,
  leaders: () => readonly Id[],
  old: Id,
): CutObservation {
  const cutAtMs = now();
  let leadersAtOnce = 0;
  let believesMs: number | null = null;
  while (now() - cutAtMs < CUT_MS) {
    step(SAMPLE_MS);
    const believers = leaders();
    leadersAtOnce = Math.max(leadersAtOnce, believers.length);
    if (believesMs === null && !believers.includes(old)) believesMs = now() - cutAtMs;
  }
  return { leadersAtOnce, believesMs };
}

function sampleBully(nodes: number, seed: number): Sample {
  const highest = `n${nodes}`;
  const crashed = new BullyCluster({ nodes, seed, traceEventsMax: 0 });
  crashed.runUntilStable();
  const crashedAtMs = crashed.now;
  crashed.crash(highest);
  const stableAtMs = crashed.runUntilStable();
  const election = crashed.elections().at(-1);
  assert(election !== undefined, "a crash of the coordinator starts an election");

  const cut = new BullyCluster({ nodes, seed, traceEventsMax: 0 });
  cut.runUntilStable();
  const ids = cut.nodeIds();
  cut.partition([ids.slice(0, nodes - 2), ids.slice(nodes - 2)]);
  cut.runUntilStable();
  const leadersAtOnce = cut.coordinators().length;
  const believes = cut.coordinatorOf(highest) === highest;
  cut.heal();
  return {
    messages: election.messagesCount,
    failoverMs: stableAtMs - crashedAtMs,
    leadersAtOnce,
    believesMs: believes ? null : 0,
  };
}

const RAFT_ELECTION_TYPES = ["RequestVote", "RequestVoteReply", "PreVote", "PreVoteReply"];

function sampleRaft(nodes: number, seed: number): Sample {
  const crashed = new RaftElection({ nodes, seed });
  crashed.runUntilLeader();
  const before = { ...crashed.harness.sim.stats.sentByType };
  const failover = crashed.failover();
  const after = crashed.harness.sim.stats.sentByType;
  let messages = 0;
  for (const type of RAFT_ELECTION_TYPES) messages += (after[type] ?? 0) - (before[type] ?? 0);

  const cut = new RaftElection({ nodes, seed });
  const harness = cut.harness;
  const oldId = cut.runUntilLeader();
  const old = Number(oldId.slice(1));
  harness.disconnect(old);
  const seen = observeCut(
    () => cut.now,
    (ms) => harness.advance(ms),
    () => cut.leaders(),
    oldId,
  );
  harness.connect(old);
  return { messages, failoverMs: failover.failoverMs, ...seen };
}

const LEASE_ELECTION_TYPES = ["lease.acquire", "lease.granted", "lease.denied"];

function sampleLease(nodes: number, seed: number): Sample {
  const crashed = new LeaseElection({ candidates: nodes, seed });
  crashed.runUntilLeader();
  const before = { ...crashed.sim.stats.sentByType };
  const failover = crashed.failover();
  const after = crashed.sim.stats.sentByType;
  let messages = 0;
  for (const type of LEASE_ELECTION_TYPES) messages += (after[type] ?? 0) - (before[type] ?? 0);
  assert(crashed.violations.length === 0, `lease failover is safe (seed ${seed})`);

  const cut = new LeaseElection({ candidates: nodes, seed });
  const old = cut.runUntilLeader();
  cut.cut(old, LEASE_STORE_ID);
  const seen = observeCut(
    () => cut.now,
    (ms) => cut.runFor(ms),
    () => cut.leaders(),
    old,
  );
  cut.heal();
  return { messages, failoverMs: failover.failoverMs, ...seen };
}

function sampleZk(nodes: number, seed: number): Sample {
  const crashed = new ZkElection({ candidates: nodes, seed });
  crashed.runUntilLeader();
  const change = crashed.crashLeader();

  const cut = new ZkElection({ candidates: nodes, seed });
  cut.runUntilLeader();
  cut.runUntilSettled();
  const old = cut.leader();
  cut.isolate(old);
  const seen = observeCut(
    () => cut.now,
    (ms) => cut.runFor(ms),
    () => cut.leaders(),
    old,
  );
  cut.heal();
  return {
    messages: change.messagesWithoutHeartbeats,
    failoverMs: change.latencyMs,
    ...seen,
  };
}

function row(approach: ElectionApproach, samples: readonly Sample[]): ElectionComparisonRow {
  const messages = samples.map((sample) => sample.messages);
  const failover = samples.map((sample) => sample.failoverMs);
  const leadersMax = Math.max(...samples.map((sample) => sample.leadersAtOnce));
  const believed = samples.map((sample) => sample.believesMs);
  const forever = believed.filter((ms) => ms === null).length;
  const believesMedian = forever > 0 ? null : median(believed as number[]);
  return {
    approach,
    messagesMedian: median(messages),
    messagesMin: Math.min(...messages),
    messagesMax: Math.max(...messages),
    failoverMsMedian: median(failover),
    failoverMsMin: Math.min(...failover),
    failoverMsMax: Math.max(...failover),
    partitionLeadersMax: leadersMax,
    oldLeaderBelievesMsMedian: believesMedian,
    partition: describePartition(approach, samples.length, forever, leadersMax, believesMedian),
    safety: SAFETY[approach],
  };
}

const SAFETY: Readonly<Record<ElectionApproach, string>> = {
  bully: "none: the highest id that hears no one higher takes over",
  raft: "majority vote per term; a stale leader cannot commit",
  lease: "store grants one lease at a time; fencing token at the resource",
  zookeeper: "lowest ephemeral znode; session deadline; znode sequence as fencing token",
};

function describePartition(
  approach: ElectionApproach,
  runs: number,
  forever: number,
  leadersMax: number,
  believesMedian: number | null,
): string {
  const believes =
    believesMedian === null
      ? `old leader believes until healed in ${forever}/${runs} runs`
      : `old leader believes ${Math.round(believesMedian)} ms (median)`;
  if (approach === "bully") return `${leadersMax} coordinators (split brain); ${believes}`;
  const most =
    leadersMax <= 1
      ? "never 2 at once"
      : `${leadersMax} believe at once${approach === "raft" ? " (in different terms)" : ""}`;
  return `${most}; ${believes}`;
}
