// One named test per fault the simulator can make: network faults (latency, loss, duplication,
// reordering, bandwidth, partitions, tampering) and node faults (crash, restart, pause, clocks).

import { describe, expect, it } from "vitest";
import {
  CrashedNodeError,
  type Envelope,
  type NodeContext,
  Simulation,
  type TraceEvent,
} from "../../src/index.js";
import { Recorder, type TestMessage, burstSender } from "../support/nodes.js";

function twoNodes(seed = 1, count = 1, network = {}) {
  const sim = new Simulation<TestMessage>({ seed, network });
  const recorder = new Recorder();
  sim.addNode("a", burstSender("b", count));
  sim.addNode("b", () => recorder);
  return { sim, recorder };
}

function deliveries(trace: readonly TraceEvent[]) {
  return trace.filter((event) => event.kind === "deliver");
}

function delaysMs(trace: readonly TraceEvent[]): number[] {
  return deliveries(trace).map((event) => event.timeMs - event.sentAtMs);
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

describe("network faults", () => {
  it("latency fixed: every message takes exactly the configured time", () => {
    const { sim, recorder } = twoNodes(1, 3, { latency: { kind: "fixed", ms: 7 } });
    sim.runFor(100);
    expect(recorder.received).toHaveLength(3);
    expect(delaysMs(sim.trace)).toEqual([7, 7, 7]);
  });

  it("latency uniform: delays stay within [minMs, maxMs] and spread across it", () => {
    const { sim } = twoNodes(2, 2000, {
      latency: { kind: "uniform", minMs: 10, maxMs: 30 },
      reorder: true,
    });
    sim.runFor(100);
    const delays = delaysMs(sim.trace);
    expect(delays).toHaveLength(2000);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...delays)).toBeLessThan(30);
    expect(Math.min(...delays)).toBeLessThan(10.5);
    expect(Math.max(...delays)).toBeGreaterThan(29.5);
  });

  it("latency long tail: the median and 99th percentile match the settings", () => {
    const { sim } = twoNodes(3, 20_000, {
      latency: { kind: "longTail", medianMs: 20, p99Ms: 200 },
      reorder: true,
    });
    sim.runFor(100_000);
    const sorted = delaysMs(sim.trace).sort((x, y) => x - y);
    expect(sorted).toHaveLength(20_000);
    // Binomial standard error of a quantile over 20,000 samples is well inside these bounds.
    expect(quantile(sorted, 0.5)).toBeGreaterThan(19);
    expect(quantile(sorted, 0.5)).toBeLessThan(21);
    expect(quantile(sorted, 0.99)).toBeGreaterThan(170);
    expect(quantile(sorted, 0.99)).toBeLessThan(235);
  });

  it("drop probability: lost messages never arrive and are traced with reason loss", () => {
    const { sim, recorder } = twoNodes(4, 1000, { dropProbability: 0.3 });
    sim.runFor(100);
    const drops = sim.trace.filter((event) => event.kind === "drop");
    expect(drops.length + recorder.received.length).toBe(1000);
    expect(drops.every((event) => event.kind === "drop" && event.reason === "loss")).toBe(true);
    expect(sim.stats.droppedByReason.loss).toBe(drops.length);
    const deliveredSeqs = new Set(recorder.received.map((message) => message.seq));
    for (const drop of drops) {
      if (drop.kind === "drop")
        expect(deliveredSeqs.has((drop.message as Envelope<TestMessage>).seq)).toBe(false);
    }
  });

  it("duplication: a duplicated message arrives twice under one message id", () => {
    const { sim, recorder } = twoNodes(5, 1, { duplicateProbability: 1 });
    sim.runFor(100);
    expect(recorder.received.map((message) => message.seq)).toEqual([0, 0]);
    const ids = deliveries(sim.trace).map((event) => event.messageId);
    expect(ids[0]).toBe(ids[1]);
    expect(sim.stats.messagesDuplicated).toBe(1);
    expect(sim.stats.messagesSent).toBe(1);
    expect(sim.stats.messagesDelivered).toBe(2);
  });

  it("reordering on: with random latency, later messages overtake earlier ones", () => {
    const { sim, recorder } = twoNodes(6, 200, {
      latency: { kind: "uniform", minMs: 1, maxMs: 50 },
      reorder: true,
    });
    sim.runFor(100);
    const seqs = recorder.received.map((message) => message.seq);
    expect(seqs).toHaveLength(200);
    expect(seqs).not.toEqual([...seqs].sort((x, y) => x - y));
  });

  it("reordering off: a link stays FIFO even with random latency", () => {
    const { sim, recorder } = twoNodes(6, 200, {
      latency: { kind: "uniform", minMs: 1, maxMs: 50 },
    });
    sim.runFor(100);
    const seqs = recorder.received.map((message) => message.seq);
    expect(seqs).toEqual([...Array(200).keys()]);
  });

  it("bandwidth: queueing delay grows with the bytes in flight", () => {
    // Each body {"type":"msg","seq":N} is 22 bytes for N < 10; at 2 bytes/ms it holds the link 11 ms.
    const { sim } = twoNodes(7, 5, {
      latency: { kind: "fixed", ms: 1 },
      bandwidthBytesPerMs: 2,
    });
    sim.runFor(1000);
    expect(deliveries(sim.trace).map((event) => event.timeMs)).toEqual([12, 23, 34, 45, 56]);
    expect(sim.stats.bytesSent).toBe(5 * 22);
  });

  it("partition: nothing crosses between groups, in either direction", () => {
    const sim = new Simulation<TestMessage>({ seed: 8 });
    const recorders = new Map<string, Recorder>();
    for (const id of ["a", "b", "c", "d"]) {
      const recorder = new Recorder();
      recorders.set(id, recorder);
      sim.addNode(id, () => recorder);
    }
    sim.partition([
      ["a", "b"],
      ["c", "d"],
    ]);
    for (const from of ["a", "b", "c", "d"]) {
      sim.withNode(from, (ctx) => ctx.broadcast({ type: "msg", seq: 0 }));
    }
    sim.runFor(10);
    const sendersSeenBy = (id: string) =>
      recorders
        .get(id)
        ?.received.map((m) => m.from)
        .sort();
    expect(sendersSeenBy("a")).toEqual(["b"]);
    expect(sendersSeenBy("b")).toEqual(["a"]);
    expect(sendersSeenBy("c")).toEqual(["d"]);
    expect(sendersSeenBy("d")).toEqual(["c"]);
    expect(sim.stats.droppedByReason.partition).toBe(8);
  });

  it("partition: a message already in flight across a new cut is lost", () => {
    const { sim, recorder } = twoNodes(9, 1, { latency: { kind: "fixed", ms: 10 } });
    sim.runFor(5);
    sim.partition([["a"], ["b"]]);
    sim.runFor(10);
    expect(recorder.received).toHaveLength(0);
    const drop = sim.trace.find((event) => event.kind === "drop");
    expect(drop).toMatchObject({ kind: "drop", reason: "partition", timeMs: 10 });
  });

  it("partition: nodes left out of every group form one more group", () => {
    const sim = new Simulation<TestMessage>({ seed: 10 });
    for (const id of ["a", "b", "c", "d"]) sim.addNode(id, () => new Recorder());
    sim.partition([["a"]]);
    expect(sim.connected("a", "b")).toBe(false);
    expect(sim.connected("b", "c")).toBe(true);
    expect(sim.connected("c", "d")).toBe(true);
    expect(sim.trace.at(-1)).toMatchObject({ kind: "partition", groups: [["a"], ["b", "c", "d"]] });
  });

  it("one-way partition: messages flow in one direction only", () => {
    const sim = new Simulation<TestMessage>({ seed: 11 });
    const a = new Recorder();
    const b = new Recorder();
    sim.addNode("a", () => a);
    sim.addNode("b", () => b);
    sim.partitionOneWay(["a"], ["b"]);
    sim.withNode("a", (ctx) => ctx.send("b", { type: "msg", seq: 1 }));
    sim.withNode("b", (ctx) => ctx.send("a", { type: "msg", seq: 2 }));
    sim.runFor(10);
    expect(b.received).toHaveLength(0);
    expect(a.received.map((message) => message.seq)).toEqual([2]);
  });

  it("heal: after a partition heals, links deliver again", () => {
    const { sim, recorder } = twoNodes(12, 0);
    sim.partition([["a"], ["b"]]);
    sim.withNode("a", (ctx) => ctx.send("b", { type: "msg", seq: 1 }));
    sim.runFor(5);
    sim.heal();
    sim.withNode("a", (ctx) => ctx.send("b", { type: "msg", seq: 2 }));
    sim.runFor(5);
    expect(recorder.received.map((message) => message.seq)).toEqual([2]);
    expect(sim.trace.some((event) => event.kind === "heal")).toBe(true);
  });

  it("per-link settings override the network defaults for that direction only", () => {
    const sim = new Simulation<TestMessage>({
      seed: 13,
      network: { latency: { kind: "fixed", ms: 2 } },
    });
    const a = new Recorder();
    const b = new Recorder();
    sim.addNode("a", () => a);
    sim.addNode("b", () => b);
    sim.configureLink("a", "b", { latency: { kind: "fixed", ms: 40 } });
    sim.withNode("a", (ctx) => ctx.send("b", { type: "msg", seq: 1 }));
    sim.withNode("b", (ctx) => ctx.send("a", { type: "msg", seq: 2 }));
    sim.runFor(100);
    expect(delaysMs(sim.trace).sort((x, y) => x - y)).toEqual([2, 40]);
  });

  it("tamper: the hook can change a message in flight, and the trace shows the original", () => {
    const { sim, recorder } = twoNodes(14, 1);
    sim.setTamper((message) => ({ ...message, seq: 999 }) as Envelope);
    sim.runFor(10);
    expect(recorder.received.map((message) => message.seq)).toEqual([999]);
    const tamper = sim.trace.find((event) => event.kind === "tamper");
    expect(tamper).toMatchObject({ original: { seq: 0 }, message: { seq: 999 } });
  });

  it("tamper: returning undefined drops the message with reason tampered", () => {
    const { sim, recorder } = twoNodes(15, 3);
    sim.setTamper((message) =>
      (message as Envelope<TestMessage>).seq === 1 ? undefined : message,
    );
    sim.runFor(10);
    expect(recorder.received.map((message) => message.seq)).toEqual([0, 2]);
    expect(sim.stats.droppedByReason.tampered).toBe(1);
  });
});

type CounterMessage = { type: "inc" };

/** Counts increments in a field (volatile) and in stable storage (persisted). */
class Counter {
  volatileCount = 0;
  startedWithStored: number | undefined;
  timerFired = false;

  onStart(ctx: NodeContext<CounterMessage>): void {
    this.startedWithStored = ctx.storage.get<number>("count");
  }

  onMessage(ctx: NodeContext<CounterMessage>): void {
    this.volatileCount++;
    ctx.storage.set("count", (ctx.storage.get<number>("count") ?? 0) + 1);
  }

  onTimer(): void {
    this.timerFired = true;
  }
}

function counterSim(seed: number) {
  const sim = new Simulation<CounterMessage>({ seed });
  sim.addNode("client", () => ({ onMessage() {} }));
  sim.addNode("counter", () => new Counter());
  const counter = () => sim.processOf("counter") as Counter;
  const increment = () => sim.withNode("client", (ctx) => ctx.send("counter", { type: "inc" }));
  return { sim, counter, increment };
}

describe("node faults", () => {
  it("crash: volatile state is lost, stable storage is kept", () => {
    const { sim, counter, increment } = counterSim(20);
    increment();
    increment();
    sim.runFor(10);
    expect(counter().volatileCount).toBe(2);
    sim.crash("counter");
    expect(sim.processOf("counter")).toBeUndefined();
    expect(sim.isUp("counter")).toBe(false);
    expect(sim.storageOf("counter").get("count")).toBe(2);
  });

  it("crash: messages arriving at a crashed node are dropped with reason crashed", () => {
    const { sim, increment } = counterSim(21);
    sim.crash("counter");
    increment();
    sim.runFor(10);
    expect(sim.stats.droppedByReason.crashed).toBe(1);
    expect(sim.stats.messagesDelivered).toBe(0);
  });

  it("crash: pending timers die with the process", () => {
    const { sim, counter } = counterSim(22);
    sim.runFor(1);
    const before = counter();
    sim.withNode("counter", (ctx) => ctx.setTimer(5, "t"));
    sim.crash("counter");
    sim.restart("counter");
    sim.runFor(20);
    expect(before.timerFired).toBe(false);
    expect(counter().timerFired).toBe(false);
    expect(sim.trace.some((event) => event.kind === "timer")).toBe(false);
  });

  it("restart: a fresh process starts from what stable storage kept", () => {
    const { sim, counter, increment } = counterSim(23);
    increment();
    sim.runFor(10);
    sim.crash("counter");
    sim.restart("counter");
    sim.runFor(1);
    expect(counter().volatileCount).toBe(0);
    expect(counter().startedWithStored).toBe(1);
    expect(
      sim.trace.filter((e) => e.kind === "crash" || e.kind === "restart").map((e) => e.kind),
    ).toEqual(["crash", "restart"]);
  });

  it("restart: a context kept from before the crash can no longer act", () => {
    const { sim } = counterSim(24);
    sim.runFor(1);
    const stale = sim.withNode("counter", (ctx) => ctx);
    sim.crash("counter");
    expect(() => stale.send("client", { type: "inc" })).toThrow(CrashedNodeError);
    expect(() => stale.send("client", { type: "inc" })).toThrow(
      /"counter" is crashed and cannot send/,
    );
    sim.restart("counter");
    expect(() => stale.setTimer(1, "x")).toThrow(/from before its restart/);
  });

  it("pause: messages and timers wait for the pause to end, then run in arrival order", () => {
    const sim = new Simulation<TestMessage>({
      seed: 25,
      network: { latency: { kind: "fixed", ms: 1 } },
    });
    const recorder = new Recorder();
    sim.addNode("a", burstSender("b", 0));
    sim.addNode("b", () => recorder);
    sim.runFor(1);
    sim.withNode("b", (ctx) => ctx.setTimer(5, "lease-check"));
    sim.pause("b", 100);
    expect(sim.isPaused("b")).toBe(true);
    sim.withNode("a", (ctx) => {
      ctx.send("b", { type: "msg", seq: 1 });
      ctx.send("b", { type: "msg", seq: 2 });
    });
    sim.runFor(99);
    expect(recorder.received).toHaveLength(0);
    expect(recorder.timers).toHaveLength(0);
    sim.runFor(1);
    expect(sim.isPaused("b")).toBe(false);
    expect(recorder.received.map((message) => message.seq)).toEqual([1, 2]);
    expect(recorder.timers.map((timer) => timer.name)).toEqual(["lease-check"]);
    // The node wakes with a stale view and works through the backlog in the order it built up:
    // the messages (arrived at t=2) before the timer (due at t=6).
    const kinds = sim.trace.filter((e) => e.timeMs === 101).map((e) => e.kind);
    expect(kinds).toEqual(["resume", "deliver", "deliver", "timer"]);
  });

  it("pause then crash: messages waiting in the paused node's backlog are lost with it", () => {
    const { sim, recorder } = twoNodes(28, 0);
    sim.runFor(1);
    sim.pause("b", 50);
    sim.withNode("a", (ctx) => ctx.send("b", { type: "msg", seq: 1 }));
    sim.runFor(10);
    sim.crash("b");
    sim.runFor(100);
    expect(recorder.received).toHaveLength(0);
    expect(sim.stats.droppedByReason.crashed).toBe(1);
    expect(sim.stats.messagesSent).toBe(sim.stats.messagesDelivered + sim.stats.messagesDropped);
  });

  it("clock offset: a node reads its own shifted clock, the simulator keeps true time", () => {
    const { sim, recorder } = twoNodes(26, 0);
    sim.runFor(100);
    sim.setClock("b", { offsetMs: -30 });
    expect(sim.clockOf("b")).toBe(70);
    expect(sim.clockOf("a")).toBe(100);
    expect(sim.now).toBe(100);
    sim.withNode("a", (ctx) => ctx.send("b", { type: "msg", seq: 0 }));
    sim.runFor(10);
    expect(recorder.receivedAtMs).toEqual([71]);
  });

  it("clock drift: a fast clock fires its timers early in true time", () => {
    const sim = new Simulation<TestMessage>({ seed: 27 });
    const fast = new Recorder();
    const slow = new Recorder();
    sim.addNode("fast", () => fast);
    sim.addNode("slow", () => slow);
    sim.setClock("fast", { driftPpm: 100_000 }); // +10 %
    sim.setClock("slow", { driftPpm: -100_000 }); // -10 %
    sim.withNode("fast", (ctx) => ctx.setTimer(1100, "t"));
    sim.withNode("slow", (ctx) => ctx.setTimer(900, "t"));
    sim.runFor(999.999);
    expect(fast.timers).toHaveLength(0);
    expect(slow.timers).toHaveLength(0);
    sim.runFor(0.001);
    expect(fast.timers).toHaveLength(1);
    expect(slow.timers).toHaveLength(1);
    expect(sim.clockOf("fast")).toBeCloseTo(1100, 6);
    expect(sim.clockOf("slow")).toBeCloseTo(900, 6);
  });
});
