// The "break it" switch: committing an earlier term's entry by counting replicas, and the paper's
// Figure 8 run that shows why it is unsafe. Reference: Raft §5.4.2 and Figure 8. RAFT_SEEDS=N.

import { describe, expect, it } from "vitest";
import { RaftHarness, raftFigure8 } from "../../../src/consensus/raft/index.js";
import { InvariantViolation } from "../../../src/sim/assert.js";
import { figure8Rounds, raftSeeds, scriptRandom } from "./support.js";

describe("§5.4.2 committing entries from previous terms (Figure 8, scripted)", () => {
  it.each(raftSeeds())(
    "with the rule, S5 wins (d) safely and all agree afterwards (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 5, seed });
      const steps = raftFigure8(h);
      expect(steps.map((s) => s.step)).toEqual(["a", "b", "c", "d"]);
      expect(steps[3]?.leader).toBe(steps[1]?.leader); // S5 leads again in (d)
      // A reconnected, deposed leader may take the first attempt: the index is 3 or later.
      expect(h.one("after figure 8", 5, true)).toBeGreaterThanOrEqual(3);
      // Neither index-2 entry was committed during the script, so either may win in the end.
      const { count, command } = h.nCommitted(2);
      expect(count).toBe(5);
      expect(["figure 8: entry 2 of S1", "figure 8: entry 2 of S5"]).toContain(command);
    },
  );

  it("with the rule, the leader of (c) commits nothing of an earlier term", () => {
    const h = new RaftHarness({ servers: 5, seed: 1 });
    raftFigure8(h);
    // Index 2 was never committed as S1's entry: no server applied it.
    for (let i = 0; i < 5; i++) expect(h.server(i)?.applied[1]).not.toBe("figure 8: entry 2 of S1");
  });

  it.each(raftSeeds())(
    "break it: counting old-term replicas commits S1's entry, and the checker catches S5 (seed %i)",
    (seed) => {
      const h = new RaftHarness({ servers: 5, seed, unsafeCommitOldTerms: true });
      let caught: unknown;
      try {
        raftFigure8(h);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(InvariantViolation);
      expect((caught as Error).message).toContain("leader completeness violated");
      expect((caught as Error).message).toContain(`seed ${seed}`);
    },
  );
});

describe("§5.4.2 the lab's figure 8 unreliable run with the bug switched on", () => {
  it("break it: the checker catches counting old-term replicas within the first 10 seeds", () => {
    const caught: string[] = [];
    for (let seed = 1; seed <= 10 && caught.length === 0; seed++) {
      const h = new RaftHarness({ servers: 5, seed, reliable: false, unsafeCommitOldTerms: true });
      const random = scriptRandom(seed);
      try {
        h.one(random.int(0, 9999), 1, true);
        figure8Rounds(h, random, "disconnect");
      } catch (error) {
        if (!(error instanceof InvariantViolation)) throw error;
        caught.push(error.message);
      }
    }
    expect(caught).toHaveLength(1);
    expect(caught[0]).toMatch(
      /Raft (leader completeness|state machine safety) violated \(seed \d+\)/,
    );
  });
});
