// Diagrams and tables of consensus runs: Paxos phase diagrams and duel rows, Raft log tables,
// Figure 8 with a log table per step, and the role timeline (Ongaro and Ousterhout 2014, §5.2, §5.4.2).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  RaftRoleTimeline,
  paxosDuelRows,
  paxosMessageLabel,
  paxosPhaseDiagram,
  paxosPhaseEvents,
  raftFigure8WithLogs,
  raftLogRows,
} from "../../src/consensus/diagrams.js";
import { PaxosCluster, paxosDuelDemo } from "../../src/consensus/paxos/index.js";
import { RaftHarness } from "../../src/consensus/raft/index.js";
import { assertProperty } from "../support/property.js";

const ballot = (round: number, proposerId: string) => ({ round, proposerId });

function oneRound(seed: number): PaxosCluster {
  const cluster = new PaxosCluster({ acceptors: 3, proposers: 1, seed });
  cluster.propose(0, "x");
  cluster.runUntilChosen();
  cluster.runFor(10);
  return cluster;
}

describe("Paxos Made Simple §2.2: a sequence diagram of one round", () => {
  it("draws prepare, promise, accept and accepted with ballots and values", () => {
    const cluster = oneRound(1);
    const diagram = paxosPhaseDiagram(cluster.sim.trace, { hideBetween: cluster.acceptorIds });
    const arrows = diagram.split("\n").filter((line) => line.includes("->>"));
    const count = (text: string) => arrows.filter((line) => line.includes(text)).length;
    expect(count(": prepare 1.p0 ")).toBe(3);
    expect(count(": promise 1.p0 (none accepted) ")).toBe(3);
    expect(count(': accept 1.p0 "x" ')).toBe(3);
    expect(count(': accepted 1.p0 "x" ')).toBe(3);
    expect(arrows).toHaveLength(12);
  });

  it("hides messages among the hidden nodes only (acceptors tell each other 'accepted')", () => {
    const cluster = oneRound(2);
    const all = paxosPhaseEvents(cluster.sim.trace);
    const kept = paxosPhaseEvents(cluster.sim.trace, { hideBetween: cluster.acceptorIds });
    expect(all.length - kept.length).toBe(6); // 3 acceptors x 2 other acceptors
    for (const event of kept) expect(event.kind === "deliver" || event.kind === "drop").toBe(true);
  });

  it("keeps no event after timeMsMax, and names a bad option", () => {
    const cluster = oneRound(3);
    const early = paxosPhaseEvents(cluster.sim.trace, { timeMsMax: 1.5 });
    expect(early.every((event) => event.timeMs <= 1.5)).toBe(true);
    expect(early.some((event) => "message" in event && event.message.type === "prepare")).toBe(
      true,
    );
    expect(() => paxosPhaseEvents(cluster.sim.trace, { timeMsMax: -1 })).toThrow(/timeMsMax/);
    expect(() => paxosPhaseEvents([], { colour: "red" } as never)).toThrow(/colour/);
  });

  it("labels a promise with the value it reports and a nack with the higher ballot", () => {
    const accepted = [{ slot: 0, ballot: ballot(1, "p0"), value: "x" }];
    expect(paxosMessageLabel({ type: "promise", ballot: ballot(2, "p1"), accepted })).toBe(
      'promise 2.p1 (accepted 1.p0 "x")',
    );
    expect(
      paxosMessageLabel({
        type: "nack",
        ballot: ballot(1, "p0"),
        promisedBallot: ballot(2, "p1"),
      }),
    ).toBe("nack 1.p0 (promised 2.p1)");
  });
});

describe("Paxos Made Simple §2.4: the duel's table", () => {
  it("draws the livelock's pre-emptions as notes when asked", () => {
    const demo = paxosDuelDemo(1, 100);
    const withNotes = paxosPhaseDiagram(demo.livelock.trace, { timeMsMax: 30, notes: true });
    const without = paxosPhaseDiagram(demo.livelock.trace, { timeMsMax: 30 });
    expect(withNotes).toContain("Note over");
    expect(withNotes).toContain("pre-empted");
    expect(without).not.toContain("Note over");
    expect(without).toContain(": nack 1.p0 (promised 1.p1) ");
  });

  it("reports the livelock as nothing chosen and the random backoff as a choice", () => {
    const demo = paxosDuelDemo(1, 300);
    const [livelock, fixed] = paxosDuelRows([demo.livelock, demo.fixed]);
    expect(livelock?.chosen).toBe("nothing");
    expect(livelock?.chosenAtMs).toBe("never");
    expect(livelock?.retry).toBe("fixed 2 ms");
    expect(fixed?.chosen).toMatch(/^"[xy]"$/);
    expect(typeof fixed?.chosenAtMs).toBe("number");
    expect(livelock?.prepares).toBe(demo.livelock.messages.byType.prepare);
  });
});

describe("Raft §5.3: log tables", () => {
  it("shows every server's term, commit index and entry terms; a crashed one as crashed", () => {
    const h = new RaftHarness({ servers: 3, seed: 1 });
    h.one("a", 3, false);
    h.one("b", 3, false);
    h.advance(300); // followers learn the commit index from the next heartbeat
    const leader = h.checkOneLeader();
    const term = h.getState(leader).term;
    h.crash((leader + 1) % 3);
    const rows = raftLogRows(h);
    expect(rows.map((row) => row.server)).toEqual(["s0", "s1", "s2"]);
    expect(rows[leader]).toEqual({
      server: `s${leader}`,
      role: "leader",
      currentTerm: term,
      commitIndex: 2,
      logTerms: `${term} ${term}`,
    });
    expect(rows[(leader + 1) % 3]?.role).toBe("crashed");
    expect(() => raftLogRows(h, ["only one"])).toThrow(/names must be 3 names/);
  });

  it("marks a leader's no-op with n and a configuration change with c", () => {
    const h = new RaftHarness({ servers: 4, seed: 1, members: 3, appendNoOpOnElection: true });
    const leader = h.checkOneLeader();
    const term = h.getState(leader).term;
    h.one("a", 3, false);
    h.changeMembership({ add: 3 });
    expect(raftLogRows(h)[leader]?.logTerms).toBe(`${term}n ${term} ${term}c`);
  });
});

describe("Raft §5.4.2 Figure 8 with a log table per step", () => {
  it("with the rule, nothing of an old term is committed by counting and no violation", () => {
    const run = raftFigure8WithLogs(new RaftHarness({ servers: 5, seed: 1 }));
    expect(run.violation).toBeUndefined();
    expect(run.steps.map((step) => step.step)).toEqual(["a", "b", "c", "d"]);
    const c = run.steps[2];
    expect(c?.detail?.step).toBe("c");
    // (c): S1's old entry 2 is on a majority, yet no one commits beyond index 1.
    expect(c?.logs.filter((row) => row.logTerms === "1 1").length).toBeGreaterThanOrEqual(3);
    expect(c?.logs.every((row) => row.commitIndex <= 1)).toBe(true);
    expect(run.final.map((row) => row.server.slice(0, 2))).toEqual(["S1", "S2", "S3", "S4", "S5"]);
  });

  it("committing old-term entries by counting is caught by the checker, and returned", () => {
    const run = raftFigure8WithLogs(
      new RaftHarness({ servers: 5, seed: 1, unsafeCommitOldTerms: true }),
    );
    expect(run.violation).toMatch(/^Raft leader completeness violated \(seed 1\)/);
    expect(run.steps.map((step) => step.step)).toEqual(["a", "b", "c"]);
    expect(run.steps.every((step) => step.detail === undefined)).toBe(true);
    expect(run.steps[2]?.logs.some((row) => row.commitIndex === 2)).toBe(true);
  });
});

describe("Raft §5.2 role timeline", () => {
  it("spans of each server tile the run, and at most one leader per term", () => {
    assertProperty(
      fc.property(fc.integer({ min: 0, max: 10_000 }), (seed) => {
        const h = new RaftHarness({ servers: 3, seed });
        const timeline = new RaftRoleTimeline(h, 5);
        timeline.advance(700);
        const leader = h.checkOneLeader();
        timeline.sample();
        h.crash(leader);
        timeline.sample();
        timeline.advance(900);
        const spans = timeline.spans();
        for (let server = 0; server < 3; server++) {
          const own = spans.filter((span) => span.server === server);
          expect(own[0]?.fromMs).toBe(0);
          expect(own.at(-1)?.toMs).toBe(h.now);
          for (let i = 1; i < own.length; i++) {
            expect(own[i]?.fromMs).toBe(own[i - 1]?.toMs);
          }
        }
        const leaders = spans.filter((span) => span.role === "leader");
        expect(new Set(leaders.map((span) => span.term)).size).toBe(
          new Set(leaders.map((span) => `${span.term}/${span.server}`)).size,
        );
        expect(spans.some((span) => span.server === leader && span.role === "crashed")).toBe(true);
        expect(timeline.elections().every((span) => span.role !== "follower")).toBe(true);
      }),
      { numRuns: 10 },
    );
  });

  it("draws a gantt chart with one section per server and leaders as critical bars", () => {
    const h = new RaftHarness({ servers: 3, seed: 4 });
    const timeline = new RaftRoleTimeline(h, 10);
    timeline.advance(1_000);
    const gantt = timeline.toMermaidGantt();
    expect(gantt.split("\n")[0]).toBe("gantt");
    expect(gantt).toContain("dateFormat x");
    expect(gantt.match(/^ {2}section S\d$/gm)).toEqual([
      "  section S1",
      "  section S2",
      "  section S3",
    ]);
    expect(gantt).toMatch(/ {2}leader t\d+ :crit, r\d+, \d+, \d+/);
    expect(() => new RaftRoleTimeline(h, 0)).toThrow(/sampleMs/);
  });

  it("writes whole milliseconds, which Mermaid's dateFormat x requires, even for fractional times", () => {
    const h = new RaftHarness({ servers: 3, seed: 1 });
    h.checkOneLeader(); // stops at a fractional virtual time
    expect(Number.isInteger(h.now)).toBe(false);
    const timeline = new RaftRoleTimeline(h, 5);
    timeline.advance(500);
    const bars = timeline.toMermaidGantt().match(/:(?:\w+, )?r\d+, [^\n]+/g) ?? [];
    expect(bars.length).toBeGreaterThanOrEqual(3);
    for (const bar of bars) expect(bar).toMatch(/, \d+, \d+$/);
  });
});
