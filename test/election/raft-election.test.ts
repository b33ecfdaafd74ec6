// Leader election by Raft: one leader per term under crashes, pauses, partitions and clock drift,
// failover measured, and a cut-off leader's belief with and without check-quorum (Raft §5.2).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RaftElection } from "../../src/election/raft-election.js";
import { assertProperty } from "../support/property.js";

describe("Raft-based leader election", () => {
  it.each([1, 2, 3])(
    "a crashed leader is replaced within a few election timeouts (seed %i)",
    (seed) => {
      const election = new RaftElection({ nodes: 5, seed });
      const failover = election.failover();
      expect(failover.leader).not.toBe(failover.crashed);
      expect(failover.term).toBeGreaterThan(1);
      // Election timeouts are 300-600 ms; a split vote may need another round.
      expect(failover.failoverMs).toBeGreaterThan(300);
      expect(failover.failoverMs).toBeLessThan(3_000);
      expect(failover.messagesSent).toBeGreaterThan(0);
    },
  );

  it.each([1, 2, 3])(
    "a leader cut off believes it leads until check-quorum deposes it; one leader per term throughout (seed %i)",
    (seed) => {
      const plain = new RaftElection({ nodes: 5, seed, checkQuorum: false }).partitionLeaderAway();
      const guarded = new RaftElection({ nodes: 5, seed }).partitionLeaderAway();
      for (const run of [plain, guarded]) {
        expect(run.newLeader).not.toBe(run.oldLeader);
        expect(run.leadersPerTermMax).toBe(1);
      }
      // Without check-quorum the old leader (older term) and the new one coexist; with it the
      // old one steps down after an election timeout, possibly before the new one is elected.
      expect(plain.leadersAtOnceMax).toBe(2);
      expect(guarded.leadersAtOnceMax).toBeLessThanOrEqual(2);
      expect(plain.oldLeaderStillBelieved).toBe(true);
      expect(guarded.oldLeaderStillBelieved).toBe(false);
      expect(guarded.twoLeadersMs).toBeLessThan(plain.twoLeadersMs);
    },
  );

  it("at most one leader per term under random crashes, pauses, partitions and drift", () => {
    const action = fc.record({
      kind: fc.constantFrom("crash", "restart", "disconnect", "connect", "pause", "drift"),
      server: fc.integer({ min: 0, max: 4 }),
      ms: fc.integer({ min: 0, max: 800 }),
      driftPpm: fc.integer({ min: -10_000, max: 10_000 }),
    });
    assertProperty(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.array(action, { maxLength: 25 }),
        (seed, actions) => {
          const election = new RaftElection({ nodes: 5, seed });
          const h = election.harness;
          const termsLed = new Map<number, number>();
          for (const a of actions) {
            const up = h.server(a.server) !== undefined;
            if (a.kind === "crash" && up) h.crash(a.server);
            else if (a.kind === "restart" && !up) h.restart(a.server);
            else if (a.kind === "disconnect") h.disconnect(a.server);
            else if (a.kind === "connect") h.connect(a.server);
            else if (a.kind === "pause" && up) h.sim.pause(`s${a.server}`, a.ms);
            else if (a.kind === "drift") h.sim.setClock(`s${a.server}`, { driftPpm: a.driftPpm });
            h.advance(a.ms);
            for (let i = 0; i < h.servers; i++) {
              const { term, isLeader } = h.getState(i);
              if (!isLeader) continue;
              const other = termsLed.get(term);
              expect(other === undefined || other === i, `term ${term}: ${other} and ${i}`).toBe(
                true,
              );
              termsLed.set(term, i);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("bad options name the value", () => {
    expect(() => new RaftElection({ nodes: 0, seed: 1 })).toThrow(/nodes .*got 0/);
    expect(() => new RaftElection({ nodes: 3, seed: 1, preVote: "yes" as never })).toThrow(
      /preVote must be true or false, got "yes"/,
    );
    expect(() => new RaftElection({ nodes: 3, seed: 1, leader: 2 } as never)).toThrow(
      /unknown option "leader"/,
    );
  });
});
