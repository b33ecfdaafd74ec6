// Raft leader election: the lab suite's initial election, re-election and many elections.
// Reference: Raft §5.2 (leader election), Figure 2 (rules for servers). RAFT_SEEDS=N: more seeds.

import { describe, expect, it } from "vitest";
import { RaftHarness } from "../../../src/consensus/raft/index.js";
import { ELECTION_TIMEOUT_MS, raftSeeds, scriptRandom } from "./support.js";

describe("§5.2 leader election", () => {
  it.each(raftSeeds())(
    "initial election: one leader, and the term holds without failures (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 3, seed });
      h.checkOneLeader();
      h.advance(50);
      const term1 = h.checkTerms();
      expect(term1).toBeGreaterThanOrEqual(1);
      h.advance(2 * ELECTION_TIMEOUT_MS);
      expect(h.checkTerms()).toBe(term1);
      h.checkOneLeader();
    },
  );

  it.each(raftSeeds())(
    "re-election: a new leader when the leader goes, none without a majority (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 3, seed });
      const leader1 = h.checkOneLeader();
      h.disconnect(leader1);
      const leader2 = h.checkOneLeader();
      expect(leader2).not.toBe(leader1);
      // The old leader rejoins: it must not disturb the new one.
      h.connect(leader1);
      const leader3 = h.checkOneLeader();
      h.disconnect(leader3);
      h.disconnect((leader3 + 1) % 3);
      h.advance(2 * ELECTION_TIMEOUT_MS);
      h.checkNoLeader();
      h.connect((leader3 + 1) % 3);
      h.checkOneLeader();
      h.connect(leader3);
      h.checkOneLeader();
    },
  );

  it.each(raftSeeds())(
    "many elections: 7 servers, 3 random ones disconnected 10 times (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 7, seed });
      const random = scriptRandom(seed);
      h.checkOneLeader();
      for (let iteration = 0; iteration < 10; iteration++) {
        const gone = [random.int(0, 6), random.int(0, 6), random.int(0, 6)];
        for (const server of gone) h.disconnect(server);
        // At least 4 of 7 are still connected: a leader must be chosen.
        h.checkOneLeader();
        for (const server of gone) h.connect(server);
      }
      h.checkOneLeader();
    },
  );
});
