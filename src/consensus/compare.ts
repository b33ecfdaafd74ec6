// Multi-Paxos against Raft under the same conditions: what a decision costs through a settled leader
// and how long a leader crash stalls progress (Lamport 2001 §3; Ongaro and Ousterhout 2014 §5.2).

import { assert, invalidArgument, requireIntegerAtLeast } from "../sim/assert.js";
import { MultiPaxosCluster } from "./paxos/index.js";
import { RaftHarness } from "./raft/index.js";

/** The two replicated-log protocols compared. */
export type ConsensusProtocol = "multi-paxos" | "raft";

/** What one seeded run of {@link consensusFailoverRun} measured (virtual ms). */
export interface ConsensusFailoverRun {
  /** Messages per decided value through a settled leader. */
  readonly perDecision: number;
  /** Virtual ms per decided value, one value at a time. */
  readonly latencyMs: number;
  /** From the leader's crash until another node leads. */
  readonly electedMs: number;
  /** From the leader's crash until the next value is decided. */
  readonly decidedMs: number;
}

const DECISIONS = 10;
const WAIT_MS_MAX = 5_000;
/** Chapter 5's common conditions: 5 nodes, 1 to 5 ms links, Raft's timing for Multi-Paxos. */
const TIMING = { heartbeatMs: 100, electionTimeoutMsMin: 300 };
const NETWORK = { latency: { kind: "uniform", minMs: 1, maxMs: 5 } } as const;

/**
 * One seeded run of chapter 5's comparison: 5 nodes on 1 to 5 ms links; after the first leader
 * settles (1 s), 10 values are decided one at a time through it, then the leader crashes and one
 * more value is decided through its successor. Multi-Paxos uses Raft's timing (heartbeats every
 * 100 ms, election timeouts from 300 ms) so the two differ only in protocol.
 *
 * @throws RangeError for an unknown protocol or a seed that is not an integer >= 0.
 *
 * @example
 * consensusFailoverRun("raft", 1).perDecision; // about 9: AppendEntries and replies to 4 followers
 */
export function consensusFailoverRun(
  protocol: ConsensusProtocol,
  seed: number,
): ConsensusFailoverRun {
  requireIntegerAtLeast("seed", seed, 0);
  if (protocol === "multi-paxos") return multiPaxosRun(seed);
  if (protocol === "raft") return raftRun(seed);
  throw invalidArgument("protocol", '"multi-paxos" or "raft"', protocol);
}

/** Chapter 5's measurement: 10 values through a settled leader, then a leader crash. */
function multiPaxosRun(seed: number): ConsensusFailoverRun {
  const c = new MultiPaxosCluster({
    nodes: 5,
    seed,
    timing: TIMING,
    network: NETWORK,
    traceEventsMax: 0,
  });
  const timeMsMax = WAIT_MS_MAX;
  c.runUntilChosen(0);
  c.runFor(1_000);
  const leader = c.leader();
  assert(leader !== undefined, `Multi-Paxos seed ${seed}: a leader after 1 s`);
  const sentBefore = c.messageCounts().total;
  const startMs = c.sim.now;
  for (let i = 0; i < DECISIONS; i++) {
    c.propose(leader, `v${i}`);
    c.sim.runUntil(() => c.node(leader)?.learner.learned.has(i) === true, { timeMsMax });
  }
  const perDecision = (c.messageCounts().total - sentBefore) / DECISIONS;
  const latencyMs = (c.sim.now - startMs) / DECISIONS;
  const crashMs = c.sim.now;
  c.crash(c.nodeIds[leader] as string);
  c.sim.runUntil(() => c.leader() !== undefined && c.leader() !== leader, { timeMsMax });
  const electedMs = c.sim.now - crashMs;
  const next = c.leader();
  assert(next !== undefined, `Multi-Paxos seed ${seed}: a new leader after the crash`);
  c.propose(next, "after");
  c.sim.runUntil(() => c.node(next)?.learner.learned.has(DECISIONS) === true, {
    timeMsMax,
  });
  return { perDecision, latencyMs, electedMs, decidedMs: c.sim.now - crashMs };
}

/** The same measurement on Raft (the library's default election timeouts, 300 to 600 ms). */
function raftRun(seed: number): ConsensusFailoverRun {
  const h = new RaftHarness({ servers: 5, seed, traceEventsMax: 0 });
  const leader = h.checkOneLeader();
  h.advance(1_000);
  const sentBefore = h.sim.stats.messagesSent;
  const startMs = h.now;
  const committedOn = (server: number, index: number): boolean =>
    (h.server(server)?.commitIndex ?? 0) >= index;
  const advanceUntil = (done: () => boolean, what: string): void => {
    const fromMs = h.now;
    while (!done()) {
      assert(h.now - fromMs < WAIT_MS_MAX, `Raft seed ${seed}: ${what} within 5 s`);
      h.advance(1);
    }
  };
  for (let i = 0; i < DECISIONS; i++) {
    const { index } = h.start(leader, `v${i}`);
    advanceUntil(() => committedOn(leader, index), `v${i} committed`);
  }
  const perDecision = (h.sim.stats.messagesSent - sentBefore) / DECISIONS;
  const latencyMs = (h.now - startMs) / DECISIONS;
  const crashMs = h.now;
  h.crash(leader);
  const newLeader = (): number | undefined =>
    [0, 1, 2, 3, 4].find((i) => i !== leader && h.getState(i).isLeader);
  advanceUntil(() => newLeader() !== undefined, "a new leader");
  const electedMs = h.now - crashMs;
  const next = newLeader() as number;
  const { index } = h.start(next, "after");
  advanceUntil(() => committedOn(next, index), "the value after the crash committed");
  return { perDecision, latencyMs, electedMs, decidedMs: h.now - crashMs };
}
