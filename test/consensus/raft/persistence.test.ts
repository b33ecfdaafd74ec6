// Raft under crashes, loss and reordering: the lab suite's persist 1/2/3, figure 8, unreliable
// agree, figure 8 unreliable, and churn. Reference: Raft Figure 2 ("persistent state on all
// servers, updated on stable storage before responding to RPCs"), §5.4.2 and Figure 8. RAFT_SEEDS=N.

import { describe, expect, it } from "vitest";
import { RaftHarness } from "../../../src/consensus/raft/index.js";
import {
  ELECTION_TIMEOUT_MS,
  figure8Rounds,
  raftSeeds,
  scriptRandom,
  waitCommitted,
} from "./support.js";

/** The lab's crash1 + start1 + connect: the server comes back from what it persisted. */
function crashAndRestart(h: RaftHarness, server: number): void {
  h.crash(server);
  h.restart(server);
}

describe("Figure 2: persistent state survives a crash", () => {
  it.each(raftSeeds())(
    "persist 1: servers restarted one by one and all together keep the log (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 3, seed });
      h.one(11, 3, true);
      for (let i = 0; i < 3; i++) crashAndRestart(h, i);
      h.one(12, 3, true);
      const leader1 = h.checkOneLeader();
      h.disconnect(leader1);
      crashAndRestart(h, leader1);
      h.connect(leader1);
      h.one(13, 3, true);
      const leader2 = h.checkOneLeader();
      h.disconnect(leader2);
      h.one(14, 2, true);
      crashAndRestart(h, leader2);
      h.connect(leader2);
      waitCommitted(h, 4, 3, -1); // the restarted leader catches up
      const i3 = (h.checkOneLeader() + 1) % 3;
      h.disconnect(i3);
      h.one(15, 2, true);
      crashAndRestart(h, i3);
      h.connect(i3);
      h.one(16, 3, true);
    },
  );

  it.each(raftSeeds())(
    "persist 2: minorities crash and rejoin five times over (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 5, seed });
      let index = 1;
      for (let iteration = 0; iteration < 5; iteration++) {
        h.one(10 + index++, 5, true);
        const leader1 = h.checkOneLeader();
        h.disconnect((leader1 + 1) % 5);
        h.disconnect((leader1 + 2) % 5);
        h.one(10 + index++, 3, true);
        for (const k of [0, 3, 4]) h.disconnect((leader1 + k) % 5);
        for (const k of [1, 2]) {
          crashAndRestart(h, (leader1 + k) % 5);
          h.connect((leader1 + k) % 5);
        }
        h.advance(ELECTION_TIMEOUT_MS);
        crashAndRestart(h, (leader1 + 3) % 5);
        h.connect((leader1 + 3) % 5);
        h.one(10 + index++, 3, true);
        h.connect((leader1 + 4) % 5);
        h.connect(leader1);
      }
      h.one(1000, 5, true);
    },
  );

  it.each(raftSeeds())(
    "persist 3: a leader and a follower crash; the survivor and the leader go on (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 3, seed });
      h.one(101, 3, false);
      const leader = h.checkOneLeader();
      h.disconnect((leader + 2) % 3);
      h.one(102, 2, false);
      h.crash(leader);
      h.crash((leader + 1) % 3);
      h.connect((leader + 2) % 3);
      h.restart(leader);
      h.one(103, 2, true);
      h.restart((leader + 1) % 3);
      h.one(104, 3, true);
    },
  );
});

describe("§5.4.2 committing entries from previous terms (Figure 8)", () => {
  it.each(raftSeeds(2))(
    "figure 8: leaders crash over and over, and all agree at the end (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 5, seed });
      const random = scriptRandom(seed);
      h.one(random.int(0, 9999), 1, true);
      figure8Rounds(h, random, "crash");
      h.one(random.int(0, 9999), 5, true);
    },
  );

  it.each(raftSeeds(2))(
    "figure 8 unreliable: leaders cut off, lossy network, long reordering (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 5, seed, reliable: false });
      const random = scriptRandom(seed);
      h.one(random.int(0, 9999), 1, true);
      figure8Rounds(h, random, "disconnect");
      h.setLongReordering(false);
      h.one(random.int(0, 9999), 5, true);
    },
  );
});

describe("Raft on an unreliable network", () => {
  it.each(raftSeeds())(
    "unreliable agree: commands agree despite loss, duplication and reordering (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 5, seed, reliable: false });
      for (let iteration = 1; iteration < 50; iteration++) {
        // Four commands started on whoever leads, without waiting, then one waited for.
        for (let j = 0; j < 4; j++) {
          for (let i = 0; i < 5; i++) if (h.start(i, 100 * iteration + j).isLeader) break;
        }
        h.one(iteration, 1, true);
      }
      h.setReliable(true);
      h.one(100, 5, true);
    },
  );

  /**
   * The lab's churn: clients keep starting commands while servers are disconnected, crashed and
   * restarted at random. Every command a client saw committed is in the final log, in its place.
   */
  function churn(seed: number, reliable: boolean): void {
    const h = new RaftHarness({ servers: 5, seed, reliable });
    const random = scriptRandom(seed);
    const acknowledged = new Map<number, number>();
    // Each of 3 clients has one command in flight; it gives up on it after 1 s.
    const inFlight: ({ index: number; command: number; sinceMs: number } | undefined)[] = [];
    let nextCommand = 1;
    const clients = () => {
      for (let client = 0; client < 3; client++) {
        const waiting = inFlight[client];
        if (waiting !== undefined) {
          const found = h.nCommitted(waiting.index);
          if (found.count > 0 && found.command === waiting.command) {
            acknowledged.set(waiting.index, waiting.command);
          } else if (found.count === 0 && h.now - waiting.sinceMs < ELECTION_TIMEOUT_MS) continue;
          inFlight[client] = undefined;
        }
        const command = nextCommand++;
        for (let i = 0; i < 5; i++) {
          if (!h.server(i)) continue;
          const { isLeader, index } = h.start(i, command);
          if (isLeader) {
            inFlight[client] = { index, command, sinceMs: h.now };
            break;
          }
        }
      }
    };
    for (let iteration = 0; iteration < 20; iteration++) {
      if (random.chance(0.2)) h.disconnect(random.int(0, 4));
      if (random.chance(0.5)) {
        const server = random.int(0, 4);
        if (!h.server(server)) h.restart(server);
        h.connect(server);
      }
      if (random.chance(0.2)) {
        const server = random.int(0, 4);
        if (h.server(server)) h.crash(server);
      }
      // ElectionTimeout * 7 / 10 of client traffic, one round every 20 ms.
      for (let t = 0; t < (ELECTION_TIMEOUT_MS * 7) / 10; t += 20) {
        clients();
        h.advance(20);
      }
    }
    h.advance(ELECTION_TIMEOUT_MS);
    h.setReliable(true);
    for (let i = 0; i < 5; i++) {
      if (!h.server(i)) h.restart(i);
      h.connect(i);
    }
    const lastIndex = h.one(random.int(0, 1_000_000), 5, true);
    expect(acknowledged.size).toBeGreaterThan(0);
    for (const [index, command] of acknowledged) {
      expect(index).toBeLessThanOrEqual(lastIndex);
      expect(h.nCommitted(index)).toEqual({ count: 5, command });
    }
  }

  it.each(raftSeeds(2))(
    "reliable churn: crashes and partitions under client load (seed %i)",
    (seed) => {
      churn(seed, true);
    },
  );

  it.each(raftSeeds(2))(
    "unreliable churn: the same on a lossy, reordering network (seed %i)",
    (seed) => {
      churn(seed, false);
    },
  );
});
