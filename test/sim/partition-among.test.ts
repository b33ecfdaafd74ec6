// Partitions among servers only: groups cut both ways, unlisted servers form one more group, and
// clients keep reaching everyone (the fault model of the Raft KV and replication harnesses).

import { describe, expect, it } from "vitest";
import { partitionAmong } from "../../src/sim/partition-among.js";
import { Simulation } from "../../src/sim/simulation.js";
import type { Process } from "../../src/sim/types.js";

type Ping = { readonly type: "ping" };

function deliveredPairs(groups: number[][]): Set<string> {
  const sim = new Simulation<Ping>({
    seed: 1,
    traceEventsMax: 1_000,
    network: { latency: { kind: "fixed", ms: 1 } },
  });
  const ids = ["a", "b", "c", "d", "client"];
  const idle: Process<Ping> = { onMessage: () => {} };
  for (const id of ids) sim.addNode(id, () => idle);
  sim.partition([["a"], ["b", "c", "d", "client"]]); // an earlier cut that must be healed
  const servers = ["a", "b", "c", "d"];
  partitionAmong(sim, servers, groups, (i) => servers[i] as string, "servers");
  for (const from of ids) {
    for (const to of ids) {
      if (from !== to) sim.withNode(from, (ctx) => ctx.send(to, { type: "ping" }));
    }
  }
  sim.runFor(10);
  const pairs = new Set<string>();
  for (const event of sim.traceWhere({ kinds: ["deliver"] })) {
    if (event.kind === "deliver") pairs.add(`${event.from}>${event.to}`);
  }
  return pairs;
}

describe("partitionAmong", () => {
  it("refuses a node listed in two groups, naming the groups and the unit", () => {
    expect(() => deliveredPairs([[0, 1], [1]])).toThrow(
      "groups must be disjoint groups of servers, got [[0,1],[1]]",
    );
  });

  it("cuts the groups off from each other, the rest is one group, clients reach everyone", () => {
    const delivered = deliveredPairs([[0], [1]]);
    // a, b and {c, d} are three groups.
    for (const [from, to] of [
      ["a", "b"],
      ["b", "a"],
      ["a", "c"],
      ["d", "b"],
    ]) {
      expect(delivered.has(`${from}>${to}`), `${from}>${to}`).toBe(false);
    }
    for (const [from, to] of [
      ["c", "d"],
      ["d", "c"],
      ["client", "a"],
      ["b", "client"],
    ]) {
      expect(delivered.has(`${from}>${to}`), `${from}>${to}`).toBe(true);
    }
  });
});
