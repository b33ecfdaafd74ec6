// Shared helpers of the Raft scenario tests: the seeds each scenario runs over, and a seeded
// generator for the scripts. RAFT_SEEDS=N runs every scenario over seeds 1..N (default 3).

import fc from "fast-check";
import { Random } from "../../../src/sim/random.js";
import {
  type RaftHarness,
  type RaftMessage,
  RaftServer,
} from "../../../src/consensus/raft/index.js";
import { Simulation } from "../../../src/sim/simulation.js";
import type { Envelope } from "../../../src/sim/types.js";

/** Seeds 1..n; n from RAFT_SEEDS for a deeper fuzz by hand, else `byDefault`. */
export function raftSeeds(byDefault = 3): number[] {
  const fromEnv = Number(process.env.RAFT_SEEDS);
  const n = Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : byDefault;
  return Array.from({ length: n }, (_, i) => i + 1);
}

/** The lab's RaftElectionTimeout: 1 s, well above the servers' own election timeouts. */
export const ELECTION_TIMEOUT_MS = 1_000;

/** A generator for the test script, separate from the simulation's, seeded from the run's seed. */
export function scriptRandom(seed: number): Random {
  return new Random((seed * 7919 + 13) >>> 0);
}

/**
 * The lab's wait(index, n, startTerm): runs until `index` is applied on >= n servers and returns
 * its command, or undefined if a term later than `startTerm` began first (the caller retries).
 */
export function waitCommitted(
  h: RaftHarness,
  index: number,
  n: number,
  startTerm: number,
): unknown {
  for (let waitedMs = 0; waitedMs < 10_000; waitedMs += 10) {
    const { count, command } = h.nCommitted(index);
    if (count >= n) return command;
    h.advance(10);
    if (startTerm > -1) {
      for (let i = 0; i < h.servers; i++) {
        if (h.getState(i).term > startTerm) return undefined;
      }
    }
  }
  throw new Error(`index ${index} not applied on ${n} servers within 10 s (seed ${h.seed})`);
}

/**
 * The lab's figure 8 script: 1000 rounds of starting a command on every server, waiting a short
 * or (1 in 10) a long while, and crashing (or disconnecting) the leader, keeping 3 of 5 up.
 */
export function figure8Rounds(
  h: RaftHarness,
  random: Random,
  faults: "crash" | "disconnect",
): void {
  const up = Array.from({ length: h.servers }, () => true);
  let upCount = h.servers;
  for (let round = 0; round < 1000; round++) {
    if (faults === "disconnect" && round === 200) h.setLongReordering(true);
    let leader = -1;
    for (let i = 0; i < h.servers; i++) {
      if (up[i] !== true) continue;
      if (h.start(i, random.int(0, 9999)).isLeader) leader = i;
    }
    h.advance(random.chance(0.1) ? random.int(0, ELECTION_TIMEOUT_MS / 2) : random.int(0, 13));
    if (leader !== -1 && (faults === "crash" || random.chance(0.5))) {
      if (faults === "crash") h.crash(leader);
      else h.disconnect(leader);
      up[leader] = false;
      upCount--;
    }
    if (upCount < 3) {
      const server = random.int(0, h.servers - 1);
      if (up[server] !== true) {
        if (faults === "crash") h.restart(server);
        else h.connect(server);
        up[server] = true;
        upCount++;
      }
    }
  }
  for (let i = 0; i < h.servers; i++) {
    if (up[i] === true) continue;
    if (faults === "crash") h.restart(i);
    else h.connect(i);
  }
}

/**
 * Server "v" and two silent peers "a" and "b" that record what v sends them. v's election timeout
 * is long, so it never starts an election of its own: each test scripts every RPC it receives.
 * `send(from, message)` delivers one message to v and returns v's last message to a peer.
 */
export function scriptedServer(snapshotEvery?: number) {
  const sim = new Simulation<RaftMessage>({ seed: 1 });
  const received: Envelope<RaftMessage>[] = [];
  const peer = {
    onMessage: (_ctx: unknown, message: Envelope<RaftMessage>) => received.push(message),
  };
  sim.addNode(
    "v",
    () =>
      new RaftServer({
        electionTimeoutMsMin: 100_000,
        electionTimeoutMsMax: 100_001,
        heartbeatMs: 50,
        entriesPerAppendMax: 64,
        unsafeCommitOldTerms: false,
        ...(snapshotEvery === undefined ? {} : { snapshotEvery }),
      }),
  );
  sim.addNode("a", () => peer);
  sim.addNode("b", () => peer);
  sim.runFor(1);
  const send = (from: "a" | "b", message: RaftMessage) => {
    sim.withNode(from, (ctx) => ctx.send("v", message));
    sim.runFor(5);
    return received.at(-1);
  };
  const server = () => sim.processOf("v") as RaftServer;
  return { sim, send, server };
}

/** One step of a random fault schedule for a 5-server harness (see {@link applyFaultSchedule}). */
export interface RaftFaultAction {
  readonly kind: "disconnect" | "connect" | "crash" | "restart" | "start" | "lossy";
  readonly server: number;
  readonly waitMs: number;
}

/** fast-check's generator of fault steps: which fault, on which of 5 servers, then how long to wait. */
export const raftFaultAction: fc.Arbitrary<RaftFaultAction> = fc.record({
  kind: fc.constantFrom("disconnect", "connect", "crash", "restart", "start", "lossy"),
  server: fc.integer({ min: 0, max: 4 }),
  waitMs: fc.integer({ min: 0, max: 700 }),
});

/**
 * Plays `actions` on `h` ("start" proposes `startsPerAction` commands on a running server; "lossy"
 * toggles the unreliable network), then heals everything: a reliable network, every server
 * restarted and connected. The harness's checker runs after every event throughout.
 */
export function applyFaultSchedule(
  h: RaftHarness,
  actions: readonly RaftFaultAction[],
  startsPerAction = 1,
): void {
  let command = 0;
  for (const { kind, server: i, waitMs } of actions) {
    const up = h.server(i) !== undefined;
    if (kind === "disconnect") h.disconnect(i);
    else if (kind === "connect") h.connect(i);
    else if (kind === "crash" && up) h.crash(i);
    else if (kind === "restart" && !up) h.restart(i);
    else if (kind === "start" && up)
      for (let k = 0; k < startsPerAction; k++) h.start(i, command++);
    else if (kind === "lossy") h.setReliable(waitMs % 2 === 0);
    h.advance(waitMs);
  }
  h.setReliable(true);
  for (let i = 0; i < h.servers; i++) {
    if (h.server(i) === undefined) h.restart(i);
    h.connect(i);
  }
}
