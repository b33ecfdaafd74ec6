// The comparison of election approaches: messages, failover time and partition behaviour measured
// over seeds (Garcia-Molina 1982; Ongaro, Ousterhout 2014 §5.2; Gray, Cheriton 1989; Hunt 2010).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ELECTION_APPROACHES,
  type ElectionComparisonRow,
  compareElections,
} from "../../src/election/compare.js";
import { assertProperty } from "../support/property.js";

const SEEDS = [1, 2, 3, 4];

function byApproach(rows: readonly ElectionComparisonRow[]): Map<string, ElectionComparisonRow> {
  return new Map(rows.map((row) => [row.approach, row]));
}

describe("compareElections: the comparison table", () => {
  const rows = byApproach(compareElections({ seeds: SEEDS }));
  const get = (approach: string): ElectionComparisonRow => {
    const row = rows.get(approach);
    if (row === undefined) throw new Error(`no row for ${approach}`);
    return row;
  };

  it("has one row per approach, in order", () => {
    expect([...rows.keys()]).toEqual([...ELECTION_APPROACHES]);
  });

  it("bully splits its brain under a partition and the old coordinator believes until healed", () => {
    const bully = get("bully");
    expect(bully.partitionLeadersMax).toBe(2);
    expect(bully.oldLeaderBelievesMsMedian).toBeNull();
    expect(bully.partition).toContain("split brain");
  });

  it("bully's failover costs at least n messages and at most n(n-1) + late cascades", () => {
    const bully = get("bully");
    expect(bully.messagesMin).toBeGreaterThanOrEqual(5);
    expect(bully.messagesMax).toBeLessThanOrEqual(2 * 5 * 5);
  });

  it("Raft: two believe (different terms) until check-quorum deposes the old leader", () => {
    const raft = get("raft");
    expect(raft.partitionLeadersMax).toBeLessThanOrEqual(2);
    expect(raft.oldLeaderBelievesMsMedian).not.toBeNull();
  });

  it("lease and ZooKeeper never have two leaders at once; the old one stops believing", () => {
    for (const approach of ["lease", "zookeeper"]) {
      const row = get(approach);
      expect(row.partitionLeadersMax, approach).toBe(1);
      expect(row.oldLeaderBelievesMsMedian, approach).not.toBeNull();
      expect(row.partition, approach).toContain("never 2 at once");
    }
  });

  it("the lease fails over after about one ttl (300 ms), ZooKeeper after a session (1 s)", () => {
    const lease = get("lease");
    const zk = get("zookeeper");
    expect(lease.failoverMsMin).toBeGreaterThanOrEqual(250);
    expect(lease.failoverMsMax).toBeLessThan(zk.failoverMsMin);
    expect(zk.failoverMsMedian).toBeGreaterThanOrEqual(900);
    // The lease holder stops before the store's lease ends; ZooKeeper's before the session ends.
    expect(lease.oldLeaderBelievesMsMedian ?? Infinity).toBeLessThanOrEqual(300);
    expect(zk.oldLeaderBelievesMsMedian ?? Infinity).toBeLessThanOrEqual(1_000);
  });

  it("ZooKeeper's predecessor recipe costs a constant few messages per change", () => {
    const zk = get("zookeeper");
    expect(zk.messagesMin).toBe(zk.messagesMax);
    expect(zk.messagesMax).toBeLessThanOrEqual(5);
  });
});

describe("compareElections: laws", () => {
  it("min <= median <= max, and the same seeds give the same rows", () => {
    assertProperty(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 3, max: 6 }),
        fc.subarray([...ELECTION_APPROACHES], { minLength: 1 }),
        (seeds, nodes, approaches) => {
          const rows = compareElections({ seeds, nodes, approaches });
          expect(rows.map((row) => row.approach)).toEqual(approaches);
          for (const row of rows) {
            expect(row.messagesMin).toBeLessThanOrEqual(row.messagesMedian);
            expect(row.messagesMedian).toBeLessThanOrEqual(row.messagesMax);
            expect(row.failoverMsMin).toBeLessThanOrEqual(row.failoverMsMedian);
            expect(row.failoverMsMedian).toBeLessThanOrEqual(row.failoverMsMax);
            expect(row.failoverMsMin).toBeGreaterThan(0);
            if (row.approach !== "bully") expect(row.partitionLeadersMax).toBeLessThanOrEqual(2);
          }
          expect(compareElections({ seeds, nodes, approaches })).toEqual(rows);
        },
      ),
      { numRuns: 8 },
    );
  });
});

describe("compareElections: errors name the value", () => {
  it.each([
    [{ seeds: [] }, "seeds must be a non-empty array"],
    [{ seeds: [-1] }, "seeds entry must be an integer >= 0, got -1"],
    [{ seeds: [1], nodes: 2 }, "nodes must be an integer in [3, 20], got 2"],
    [
      { seeds: [1], approaches: ["paxos"] },
      'approach must be one of bully, raft, lease, zookeeper, got "paxos"',
    ],
    [{ seeds: [1], colour: "red" }, 'unknown option "colour"'],
  ])("compareElections(%j) throws", (options, message) => {
    expect(() => compareElections(options as never)).toThrow(message);
  });
});
