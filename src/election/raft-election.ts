// Leader election by Raft: the leader of the current term is the leader, at most one per term
// (Ongaro and Ousterhout 2014, §5.2 and Figure 3's election safety), reusing src/consensus/raft.

import {
  integerOption,
  invalidArgument,
  requireIntegerAtLeast,
  requireKnownOptions,
} from "../sim/assert.js";
import type { NodeId } from "../sim/types.js";
import { RaftHarness } from "../consensus/raft/harness.js";

/** How a {@link RaftElection} is set up. */
export interface RaftElectionOptions {
  /** Number of servers (candidates), at least 1. */
  readonly nodes: number;
  readonly seed: number;
  /** Pre-vote (thesis §9.6). Default true: a server cut off does not disrupt on its return. */
  readonly preVote?: boolean;
  /** Check-quorum (thesis §6.2). Default true: a leader without a majority steps down. */
  readonly checkQuorum?: boolean;
  /** Trace capacity, for sequence diagrams (0, the default, keeps no trace). */
  readonly traceEventsMax?: number;
}

/** What {@link RaftElection.failover} measured. */
export interface RaftElectionFailover {
  readonly crashed: NodeId;
  readonly leader: NodeId;
  /** Virtual time from the crash to the moment another server is the one leader. */
  readonly failoverMs: number;
  /** Messages sent meanwhile (heartbeats included). */
  readonly messagesSent: number;
  /** The new leader's term. */
  readonly term: number;
}

/** What {@link RaftElection.partitionLeaderAway} observed. */
export interface RaftElectionPartition {
  readonly oldLeader: NodeId;
  readonly newLeader: NodeId;
  /** Most servers that believed they led at one sample (every 10 ms), whatever their terms. */
  readonly leadersAtOnceMax: number;
  /** Most servers that believed they led in the same term at one sample: Raft keeps it at 1. */
  readonly leadersPerTermMax: number;
  /** Virtual ms during which two servers (of different terms) both believed they led. */
  readonly twoLeadersMs: number;
  /** Whether the cut-off old leader still believed it led when the partition healed. */
  readonly oldLeaderStillBelieved: boolean;
}

const KNOWN_OPTIONS = ["nodes", "seed", "preVote", "checkQuorum", "traceEventsMax"];
const LEADER_WAIT_MS_MAX = 10_000;
const SAMPLE_MS = 10;

function flag(name: string, value: unknown, byDefault: boolean): boolean {
  if (value === undefined) return byDefault;
  if (typeof value !== "boolean") throw invalidArgument(name, "true or false", value);
  return value;
}

/**
 * Leader election with Raft's rules, for comparing with the bully algorithm, leases and the
 * ZooKeeper recipe: randomised election timeouts, one vote per term, so at most one leader per
 * term (the invariant checker of {@link RaftHarness} runs after every event). Servers are "s0",
 * "s1", ...
 *
 * @example
 * const election = new RaftElection({ nodes: 5, seed: 1 });
 * election.runUntilLeader(); // "s2", say
 * election.failover().failoverMs; // a few hundred ms: an election timeout plus one vote round
 */
export class RaftElection {
  /** The Raft cluster (its `sim` has the trace, if kept). */
  readonly harness: RaftHarness;
  readonly seed: number;

  constructor(options: RaftElectionOptions) {
    const known = requireKnownOptions("RaftElection options", options, KNOWN_OPTIONS);
    const nodes = requireIntegerAtLeast("nodes", known.nodes, 1);
    this.seed = requireIntegerAtLeast("seed", known.seed, 0);
    this.harness = new RaftHarness({
      servers: nodes,
      seed: this.seed,
      preVote: flag("preVote", known.preVote, true),
      checkQuorum: flag("checkQuorum", known.checkQuorum, true),
      traceEventsMax: integerOption("traceEventsMax", known.traceEventsMax, 0, 0),
    });
  }

  /** Virtual time in ms. */
  get now(): number {
    return this.harness.now;
  }

  /** Servers that believe they lead right now (a cut-off old leader may still believe it). */
  leaders(): NodeId[] {
    const ids: NodeId[] = [];
    for (let i = 0; i < this.harness.servers; i++) {
      if (this.harness.getState(i).isLeader) ids.push(`s${i}`);
    }
    return ids;
  }

  /** Runs until one connected server leads in the highest term, and returns it. */
  runUntilLeader(): NodeId {
    return `s${this.harness.checkOneLeader()}`;
  }

  /** Crashes the current leader and measures the time and messages until another one leads. */
  failover(): RaftElectionFailover {
    const crashed = this.harness.checkOneLeader();
    const sentBefore = this.harness.sim.stats.messagesSent;
    const startMs = this.now;
    this.harness.crash(crashed);
    this.harness.disconnect(crashed);
    const leader = this.harness.checkOneLeader();
    return {
      crashed: `s${crashed}`,
      leader: `s${leader}`,
      failoverMs: this.now - startMs,
      messagesSent: this.harness.sim.stats.messagesSent - sentBefore,
      term: this.harness.getState(leader).term,
    };
  }

  /**
   * Cuts the leader off with no one else for `cutMs`: the majority elects a new leader, and the
   * old one, alone, keeps believing it leads unless check-quorum makes it step down. Then heals.
   */
  partitionLeaderAway(cutMs = 2_000): RaftElectionPartition {
    requireIntegerAtLeast("cutMs", cutMs, 0);
    const old = this.harness.checkOneLeader();
    this.harness.disconnect(old);
    let leadersAtOnceMax = 0;
    let leadersPerTermMax = 0;
    let twoLeadersMs = 0;
    const endMs = this.now + cutMs;
    while (this.now < endMs) {
      this.harness.advance(SAMPLE_MS);
      const byTerm = new Map<number, number>();
      for (let i = 0; i < this.harness.servers; i++) {
        const { term, isLeader } = this.harness.getState(i);
        if (isLeader) byTerm.set(term, (byTerm.get(term) ?? 0) + 1);
      }
      let believed = 0;
      for (const count of byTerm.values()) {
        believed += count;
        leadersPerTermMax = Math.max(leadersPerTermMax, count);
      }
      leadersAtOnceMax = Math.max(leadersAtOnceMax, believed);
      if (believed >= 2) twoLeadersMs += SAMPLE_MS;
    }
    const oldLeaderStillBelieved = this.harness.getState(old).isLeader;
    const newLeader = this.harness.checkOneLeader();
    this.harness.connect(old);
    this.harness.advance(LEADER_WAIT_MS_MAX / 10);
    return {
      oldLeader: `s${old}`,
      newLeader: `s${newLeader}`,
      leadersAtOnceMax,
      leadersPerTermMax,
      twoLeadersMs,
      oldLeaderStillBelieved,
    };
  }
}
