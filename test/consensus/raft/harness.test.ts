// RaftHarness itself: the lab tester's API, its errors for bad input, determinism per seed, and
// that a crash keeps exactly Figure 2's persistent state. Reference: Raft Figure 2.

import { describe, expect, it } from "vitest";
import { RaftHarness } from "../../../src/consensus/raft/index.js";

describe("RaftHarness API", () => {
  it("rejects bad options, naming the value", () => {
    expect(() => new RaftHarness({ servers: 0, seed: 1 })).toThrow(
      "servers must be an integer >= 1, got 0",
    );
    expect(() => new RaftHarness({ servers: 2.5, seed: 1 })).toThrow("got 2.5");
    expect(() => new RaftHarness({ servers: 3, seed: -1 })).toThrow("seed must be an integer >= 0");
    expect(() => new RaftHarness({ servers: 3, seed: 1, snapshotEach: 10 } as never)).toThrow(
      'unknown option "snapshotEach"',
    );
    expect(() => new RaftHarness({ servers: 3, seed: 1, snapshotEvery: -1 })).toThrow(
      "snapshotEvery must be an integer",
    );
    expect(() => new RaftHarness({ servers: 3, seed: 1, reliable: "yes" } as never)).toThrow(
      'reliable must be true or false, got "yes"',
    );
  });

  it("rejects a server index out of range, naming it", () => {
    const h = new RaftHarness({ servers: 3, seed: 1 });
    expect(() => h.disconnect(3)).toThrow("server must be an index in [0, 2], got 3");
    expect(() => h.getState(-1)).toThrow("server must be an integer >= 0, got -1");
    expect(() => h.start(1.5, "x")).toThrow("got 1.5");
    expect(() => h.one("x", 4, false)).toThrow(
      "expectedServers must be an integer in [1, 3], got 4",
    );
    expect(() => h.nCommitted(0)).toThrow("index must be an integer >= 1, got 0");
    expect(() => h.advance(-5)).toThrow("ms must be a finite number >= 0, got -5");
  });

  it("rejects crashing a crashed server and restarting a running one", () => {
    const h = new RaftHarness({ servers: 3, seed: 1 });
    expect(() => h.restart(0)).toThrow("restart(server) must be a crashed server, got 0");
    h.crash(0);
    expect(() => h.crash(0)).toThrow("crash(server) must be a running server, got 0");
  });

  it("is deterministic: the same seed and script give the same run", () => {
    const run = (seed: number) => {
      const h = new RaftHarness({ servers: 5, seed, reliable: false });
      const leader = h.checkOneLeader();
      for (let i = 0; i < 5; i++) h.one(i, 5, true);
      h.disconnect(leader);
      h.one("x", 4, true);
      return { leader, now: h.now, rpcs: h.rpcCount(), bytes: h.bytesSent() };
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it("a single server elects itself and commits alone", () => {
    const h = new RaftHarness({ servers: 1, seed: 1 });
    expect(h.checkOneLeader()).toBe(0);
    expect(h.one("solo", 1, false)).toBe(1);
  });

  it("start on a follower is refused; getState reports the term", () => {
    const h = new RaftHarness({ servers: 3, seed: 2 });
    const leader = h.checkOneLeader();
    const follower = (leader + 1) % 3;
    expect(h.start(follower, "x").isLeader).toBe(false);
    expect(h.getState(leader)).toEqual({ term: h.checkTerms(), isLeader: true });
  });

  it("a crash keeps currentTerm, votedFor and the log, and loses commitIndex", () => {
    const h = new RaftHarness({ servers: 3, seed: 3 });
    for (let i = 1; i <= 3; i++) h.one(i, 3, false);
    const leader = h.checkOneLeader();
    const before = h.server(leader);
    const term = h.getState(leader).term;
    const sizeBefore = h.logSize(leader);
    h.crash(leader);
    expect(h.getState(leader)).toEqual({ term, isLeader: false });
    h.restart(leader);
    const after = h.server(leader);
    expect(after).not.toBe(before);
    expect(after?.currentTerm).toBe(term);
    expect(after?.votedFor).toBe(before?.votedFor);
    expect(after?.log).toEqual(before?.log);
    expect(after?.commitIndex).toBe(0);
    expect(after?.lastApplied).toBe(0);
    expect(h.logSize(leader)).toBe(sizeBefore);
  });

  it("disconnect cuts a server off both ways; connect heals it", () => {
    const h = new RaftHarness({ servers: 3, seed: 4 });
    h.disconnect(1);
    expect(h.sim.connected("s0", "s1")).toBe(false);
    expect(h.sim.connected("s1", "s2")).toBe(false);
    expect(h.sim.connected("s0", "s2")).toBe(true);
    h.disconnect(2);
    expect(h.sim.connected("s1", "s2")).toBe(false);
    h.connect(1);
    h.connect(2);
    expect(h.sim.connected("s1", "s2")).toBe(true);
  });

  it("logSize grows with the log", () => {
    const h = new RaftHarness({ servers: 3, seed: 5 });
    h.one("a", 3, false);
    const small = h.logSize(0);
    for (let i = 0; i < 10; i++) h.one(`command ${i}`, 3, false);
    expect(h.logSize(0)).toBeGreaterThan(small + 10 * "command 0".length);
  });
});
