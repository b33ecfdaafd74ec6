// Misuse of the simulator fails with a message that names the bad value and what is allowed.

import { describe, expect, it } from "vitest";
import {
  CrashedNodeError,
  NoProgressError,
  Random,
  Simulation,
  StepLimitError,
  TimeLimitError,
  TraceFullError,
} from "../../src/index.js";
import { Recorder, type TestMessage } from "../support/nodes.js";

function sim3() {
  const sim = new Simulation<TestMessage>({ seed: 1 });
  for (const id of ["a", "b", "c"]) sim.addNode(id, () => new Recorder());
  return sim;
}

describe("misuse fails with named errors", () => {
  it("unknown node id: names the id and the known ids", () => {
    const sim = sim3();
    expect(() => sim.crash("z")).toThrow(
      'id must be a node id of this simulation ("a", "b", "c"), got "z"',
    );
    expect(() => sim.withNode("a", (ctx) => ctx.send("nobody", { type: "msg", seq: 0 }))).toThrow(
      'destination of a message from "a" must be a node id of this simulation ("a", "b", "c"), got "nobody"',
    );
    expect(() => sim.partition([["a", "q"]])).toThrow(/partition member must be .*, got "q"/);
  });

  it("duplicate node id: names the id", () => {
    const sim = sim3();
    expect(() => sim.addNode("b", () => new Recorder())).toThrow(
      'node id must be unique in the simulation, got "b", which is already added',
    );
  });

  it("empty node id and a factory that is not a function are refused", () => {
    const sim = sim3();
    expect(() => sim.addNode("", () => new Recorder())).toThrow(
      'node id must be a non-empty string, got ""',
    );
    expect(() => sim.addNode("d", 42 as never)).toThrow(/factory of node "d" must be a function/);
  });

  it("negative latency: names the field and the value", () => {
    expect(
      () => new Simulation({ seed: 1, network: { latency: { kind: "fixed", ms: -1 } } }),
    ).toThrow("network.latency.ms must be a finite number >= 0 (ms), got -1");
    const sim = sim3();
    expect(() =>
      sim.configureLink("a", "b", { latency: { kind: "uniform", minMs: 5, maxMs: 2 } }),
    ).toThrow("link a->b.latency.maxMs must be >= minMs (5), got 2");
    expect(() =>
      sim.configureNetwork({ latency: { kind: "longTail", medianMs: 0, p99Ms: 5 } }),
    ).toThrow("network.latency.medianMs must be a finite number > 0 (ms), got 0");
  });

  it("probability outside [0, 1]: names the field and the value", () => {
    const sim = sim3();
    expect(() => sim.configureNetwork({ dropProbability: 1.5 })).toThrow(
      "network.dropProbability must be a number in [0, 1], got 1.5",
    );
    expect(() => sim.configureNetwork({ duplicateProbability: -0.1 })).toThrow(
      "network.duplicateProbability must be a number in [0, 1], got -0.1",
    );
    expect(() => sim.configureNetwork({ dropProbability: Number.NaN })).toThrow(
      "network.dropProbability must be a number in [0, 1], got NaN",
    );
  });

  it("bandwidth must be positive", () => {
    const sim = sim3();
    expect(() => sim.configureNetwork({ bandwidthBytesPerMs: 0 })).toThrow(
      "network.bandwidthBytesPerMs must be a number > 0 (or Infinity), got 0",
    );
  });

  it("a crashed node sending: names the node", () => {
    const sim = sim3();
    const ctx = sim.withNode("a", (context) => context);
    sim.crash("a");
    expect(() => ctx.send("b", { type: "msg", seq: 1 })).toThrow(CrashedNodeError);
    expect(() => ctx.send("b", { type: "msg", seq: 1 })).toThrow(
      'node "a" is crashed and cannot send',
    );
    expect(() => sim.withNode("a", () => 0)).toThrow(
      'node "a" is crashed: restart it before acting as it',
    );
  });

  it("crash twice, restart a running node, pause a crashed node: each refused by name", () => {
    const sim = sim3();
    sim.crash("a");
    expect(() => sim.crash("a")).toThrow(
      'crash(id) must be a running node, got "a (already crashed)"',
    );
    expect(() => sim.restart("b")).toThrow('restart(id) must be a crashed node, got "b (running)"');
    expect(() => sim.pause("a", 10)).toThrow('pause(id) must be a running node, got "a (crashed)"');
    expect(() => sim.pause("b", -5)).toThrow("durationMs must be a finite number >= 0, got -5");
  });

  it("runUntil without progress: says the queue is empty and the predicate false", () => {
    const sim = sim3();
    expect(() => sim.runUntil(() => false)).toThrow(NoProgressError);
    expect(() => sim.runUntil(() => false)).toThrow(
      /no event is left at t=0 ms and the predicate is still false/,
    );
  });

  it("runUntil past timeMsMax: names the budget and stops the clock at the deadline", () => {
    const sim = new Simulation<TestMessage>({ seed: 1 });
    sim.addNode("ticker", () => ({
      onStart: (ctx) => void ctx.setTimer(10, "tick"),
      onMessage() {},
      onTimer: (ctx) => void ctx.setTimer(10, "tick"),
    }));
    expect(() => sim.runUntil(() => false, { timeMsMax: 500 })).toThrow(TimeLimitError);
    expect(sim.now).toBe(500);
    expect(() => sim.runUntil(() => false, { timeMsMax: 100 })).toThrow(
      "runUntil: the predicate is still false after timeMsMax=100 ms of simulated time (from t=500 to t=600 ms)",
    );
  });

  it("a zero-delay loop hits stepsMax instead of hanging", () => {
    const sim = new Simulation<TestMessage>({
      seed: 1,
      stepsMax: 1000,
      network: { latency: { kind: "fixed", ms: 0 } },
    });
    sim.addNode("echo", () => ({
      onStart: (ctx) => ctx.send("echo", { type: "msg", seq: 0 }),
      onMessage: (ctx, message) => ctx.send("echo", { type: "msg", seq: message.seq + 1 }),
    }));
    expect(() => sim.runFor(1)).toThrow(StepLimitError);
    expect(() => sim.runFor(1)).toThrow(
      /runFor processed stepsMax=1000 events and stopped at t=0 ms/,
    );
  });

  it("a full trace is an error that says how to raise or disable it", () => {
    const sim = new Simulation<TestMessage>({ seed: 1, traceEventsMax: 3 });
    sim.addNode("a", () => ({
      onStart: (ctx) => ctx.broadcast({ type: "msg", seq: 0 }),
      onMessage() {},
    }));
    for (const id of ["b", "c", "d"]) sim.addNode(id, () => new Recorder());
    expect(() => sim.runFor(10)).toThrow(TraceFullError);
    expect(() => new Simulation({ seed: 1, traceEventsMax: -1 })).toThrow(
      "traceEventsMax must be an integer >= 0, got -1",
    );
  });

  it("bad seeds are refused with the allowed range", () => {
    expect(() => new Simulation({ seed: 1.5 })).toThrow(
      "seed must be an integer in [0, 4294967295], got 1.5",
    );
    expect(() => new Random(-1)).toThrow("seed must be an integer in [0, 4294967295], got -1");
  });

  it("a message that is not JSON data is refused with its type", () => {
    const sim = new Simulation<{ type: "big"; value: bigint }>({ seed: 1 });
    sim.addNode("a", () => ({ onMessage() {} }));
    expect(() => sim.withNode("a", (ctx) => ctx.send("a", { type: "big", value: 1n }))).toThrow(
      /a message of type "big" must be JSON data/,
    );
  });

  it("a timer on a process without onTimer is refused", () => {
    const sim = new Simulation<TestMessage>({ seed: 1 });
    sim.addNode("a", () => ({ onMessage() {} }));
    expect(() => sim.withNode("a", (ctx) => ctx.setTimer(5, "t"))).toThrow(
      'setTimer on node "a" must be a process with an onTimer handler',
    );
  });

  it("clock settings outside the allowed range are refused", () => {
    const sim = sim3();
    expect(() => sim.setClock("a", { driftPpm: 2_000_000 })).toThrow(
      "driftPpm must be a number in [-999999, 999999], got 2000000",
    );
    expect(() => sim.setClock("a", { offsetMs: Number.POSITIVE_INFINITY })).toThrow(
      "offsetMs must be a finite number (ms), got Infinity",
    );
  });

  it("partition groups must be disjoint and non-empty", () => {
    const sim = sim3();
    expect(() => sim.partition([["a"], ["a", "b"]])).toThrow(
      'partition groups must be disjoint (a node in one group only), got "a"',
    );
    expect(() => sim.partition([[]])).toThrow(
      "each partition group must be a non-empty array of node ids, got []",
    );
    expect(() => sim.partition([])).toThrow(
      "groups must be a non-empty array of arrays of node ids, got []",
    );
  });

  it("scheduling in the past is refused", () => {
    const sim = sim3();
    sim.runFor(100);
    expect(() => sim.at(50, () => {})).toThrow("timeMs must be a finite number >= 100, got 50");
  });
});
