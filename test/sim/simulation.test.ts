// The simulator's basic contract: nodes start, send, receive and set timers; the runner steps in
// (time, sequence) order; stats and trace filters report what happened.

import { describe, expect, it } from "vitest";
import { type NodeContext, Simulation, filterTrace } from "../../src/index.js";
import { Recorder, type TestMessage, burstSender } from "../support/nodes.js";

describe("nodes and messages", () => {
  it("onStart runs after every node of the setup step exists", () => {
    const sim = new Simulation<TestMessage>({ seed: 1 });
    const seen: string[][] = [];
    for (const id of ["a", "b", "c"]) {
      sim.addNode(id, () => ({
        onStart: (ctx) => void seen.push([...ctx.nodeIds()]),
        onMessage() {},
      }));
    }
    sim.runFor(0);
    expect(seen).toEqual([
      ["a", "b", "c"],
      ["a", "b", "c"],
      ["a", "b", "c"],
    ]);
  });

  it("a delivered message carries from, to and the body", () => {
    const sim = new Simulation<TestMessage>({ seed: 1 });
    const recorder = new Recorder();
    sim.addNode("a", burstSender("b", 1));
    sim.addNode("b", () => recorder);
    sim.runFor(5);
    expect(recorder.received).toEqual([{ type: "msg", seq: 0, from: "a", to: "b" }]);
  });

  it("the sender's later changes to a body object do not reach the receiver", () => {
    const sim = new Simulation<TestMessage>({ seed: 1 });
    const recorder = new Recorder();
    sim.addNode("a", () => ({
      onStart(ctx) {
        const body = { type: "msg" as const, seq: 1 };
        ctx.send("b", body);
        body.seq = 2;
      },
      onMessage() {},
    }));
    sim.addNode("b", () => recorder);
    sim.runFor(5);
    expect(recorder.received[0]?.seq).toBe(1);
  });

  it("broadcast reaches every other node once", () => {
    const sim = new Simulation<TestMessage>({ seed: 1 });
    const recorders = ["b", "c", "d"].map(() => new Recorder());
    sim.addNode("a", () => ({
      onStart: (ctx) => ctx.broadcast({ type: "msg", seq: 7 }),
      onMessage() {},
    }));
    ["b", "c", "d"].forEach((id, index) => sim.addNode(id, () => recorders[index] as Recorder));
    sim.runFor(5);
    expect(recorders.map((recorder) => recorder.received.length)).toEqual([1, 1, 1]);
    expect(sim.stats.sentByType).toEqual({ msg: 3 });
  });

  it("timers fire once after their delay; cancelled timers never fire", () => {
    const sim = new Simulation<TestMessage>({ seed: 1 });
    const recorder = new Recorder();
    sim.addNode("a", () => recorder);
    const kept = sim.withNode("a", (ctx) => ctx.setTimer(10, "kept", { n: 1 }));
    const cancelled = sim.withNode("a", (ctx) => ctx.setTimer(5, "cancelled"));
    sim.withNode("a", (ctx) => ctx.cancelTimer(cancelled));
    sim.runFor(9);
    expect(recorder.timers).toEqual([]);
    sim.runFor(1);
    expect(recorder.timers).toEqual([{ id: kept, name: "kept", data: { n: 1 } }]);
    sim.runFor(100);
    expect(recorder.timers).toHaveLength(1);
  });

  it("stable storage copies values in and out", () => {
    const sim = new Simulation<TestMessage>({ seed: 1 });
    sim.addNode("a", () => new Recorder());
    const log = [1, 2];
    sim.withNode("a", (ctx) => ctx.storage.set("log", log));
    log.push(3);
    const read = sim.withNode("a", (ctx) => ctx.storage.get<number[]>("log"));
    read?.push(4);
    expect(sim.withNode("a", (ctx) => ctx.storage.get<number[]>("log"))).toEqual([1, 2]);
    expect(sim.withNode("a", (ctx) => ctx.storage.keys())).toEqual(["log"]);
    sim.withNode("a", (ctx) => ctx.storage.delete("log"));
    expect(sim.storageOf("a").size).toBe(0);
    expect(sim.stats.storageWrites).toBe(2);
  });

  it("ctx.log writes a note into the trace", () => {
    const sim = new Simulation<TestMessage>({ seed: 1 });
    sim.addNode("a", () => ({ onStart: (ctx) => ctx.log("became leader"), onMessage() {} }));
    sim.runFor(1);
    expect(sim.trace).toEqual([{ kind: "note", timeMs: 0, node: "a", text: "became leader" }]);
  });

  it("node randomness comes from the seed: same seed, same draws", () => {
    const draws = (seed: number) => {
      const sim = new Simulation<TestMessage>({ seed });
      sim.addNode("a", () => new Recorder());
      return sim.withNode("a", (ctx: NodeContext<TestMessage>) => [
        ctx.random(),
        ctx.randomInt(1, 6),
      ]);
    };
    expect(draws(9)).toEqual(draws(9));
    expect(draws(9)).not.toEqual(draws(10));
  });
});

describe("runner", () => {
  it("step handles one event at a time in time order and reports an empty queue", () => {
    const sim = new Simulation<TestMessage>({
      seed: 1,
      network: { latency: { kind: "fixed", ms: 3 } },
    });
    sim.addNode("a", burstSender("b", 2));
    sim.addNode("b", () => new Recorder());
    const times: number[] = [];
    while (sim.step()) times.push(sim.now);
    expect(times).toEqual([0, 0, 3, 3]); // two starts, two deliveries
    expect(sim.step()).toBe(false);
  });

  it("events at the same instant run in the order they were scheduled", () => {
    const sim = new Simulation<TestMessage>({ seed: 1 });
    const order: number[] = [];
    for (const n of [1, 2, 3, 4]) sim.at(10, () => void order.push(n));
    sim.runFor(10);
    expect(order).toEqual([1, 2, 3, 4]);
  });

  it("runFor advances the clock to the end of the window even when idle", () => {
    const sim = new Simulation<TestMessage>({ seed: 1 });
    sim.runFor(250);
    expect(sim.now).toBe(250);
  });

  it("runUntil stops as soon as the predicate holds and returns the time", () => {
    const sim = new Simulation<TestMessage>({
      seed: 1,
      network: { latency: { kind: "fixed", ms: 4 } },
    });
    const recorder = new Recorder();
    sim.addNode("a", burstSender("b", 3));
    sim.addNode("b", () => recorder);
    const at = sim.runUntil(() => recorder.received.length >= 2);
    expect(at).toBe(4);
    expect(recorder.received).toHaveLength(2);
  });

  it("schedule runs scripted actions at a true time", () => {
    const sim = new Simulation<TestMessage>({ seed: 1 });
    sim.addNode("a", () => new Recorder());
    sim.schedule(30, () => sim.crash("a"));
    sim.runFor(29);
    expect(sim.isUp("a")).toBe(true);
    sim.runFor(1);
    expect(sim.isUp("a")).toBe(false);
  });

  it("stats count sent, delivered, dropped, duplicated and bytes", () => {
    const sim = new Simulation<TestMessage>({
      seed: 3,
      network: { dropProbability: 0.5, duplicateProbability: 0.5 },
    });
    const recorder = new Recorder();
    sim.addNode("a", burstSender("b", 100));
    sim.addNode("b", () => recorder);
    sim.runFor(10);
    const stats = sim.stats;
    expect(stats.messagesSent).toBe(100);
    expect(stats.messagesDelivered).toBe(recorder.received.length);
    expect(stats.messagesDelivered).toBe(
      stats.messagesSent - stats.messagesDropped + stats.messagesDuplicated,
    );
    expect(stats.bytesSent).toBe(10 * 22 + 90 * 23);
  });
});

describe("trace filters", () => {
  it("filters by kind, node, message type and time window", () => {
    const sim = new Simulation<TestMessage>({
      seed: 1,
      network: { latency: { kind: "fixed", ms: 2 } },
    });
    sim.addNode("a", burstSender("b", 1));
    sim.addNode("b", () => ({
      onMessage: (ctx, message) => ctx.send(message.from, { type: "reply", seq: message.seq }),
    }));
    sim.addNode("c", () => new Recorder());
    sim.runFor(1);
    sim.crash("c");
    sim.runFor(10);
    expect(sim.traceWhere({ kinds: ["deliver"] }).map((e) => e.timeMs)).toEqual([2, 4]);
    expect(sim.traceWhere({ nodes: ["c"] }).map((e) => e.kind)).toEqual(["crash"]);
    expect(sim.traceWhere({ messageTypes: ["reply"], kinds: ["send"] })).toHaveLength(1);
    expect(filterTrace(sim.trace, { fromMs: 3, toMs: 4 }).map((e) => e.kind)).toEqual(["deliver"]);
  });
});
