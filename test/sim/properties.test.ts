// Property tests of the simulator's laws: determinism per seed, no delivery across a partition,
// per-link FIFO without reordering, drop rate within statistical bounds, crash semantics.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type LinkOptions,
  type NodeContext,
  type NodeId,
  Simulation,
  type TraceEvent,
} from "../../src/index.js";
import { assertProperty } from "../support/property.js";

type Gossip = { type: "gossip"; round: number } | { type: "ack"; round: number };

const NODE_IDS = ["n1", "n2", "n3", "n4", "n5"];

/** Every 10 ms of its own clock a node gossips to a random peer; peers ack. */
function gossiper() {
  let round = 0;
  return {
    onStart(ctx: NodeContext<Gossip>) {
      ctx.setTimer(ctx.randomInt(1, 10), "gossip");
    },
    onMessage(ctx: NodeContext<Gossip>, message: Gossip & { from: NodeId }) {
      if (message.type === "gossip") ctx.send(message.from, { type: "ack", round: message.round });
    },
    onTimer(ctx: NodeContext<Gossip>) {
      const peers = ctx.nodeIds().filter((id) => id !== ctx.id);
      ctx.send(peers[ctx.randomInt(0, peers.length - 1)] as NodeId, {
        type: "gossip",
        round: round++,
      });
      ctx.setTimer(10, "gossip");
    },
  };
}

/** A scripted fault, applied at `atMs`. */
type Fault =
  | { kind: "partition"; atMs: number; cut: number[] }
  | { kind: "oneWay"; atMs: number; from: number[]; to: number[] }
  | { kind: "heal"; atMs: number }
  | { kind: "crash"; atMs: number; node: number; downMs: number }
  | { kind: "pause"; atMs: number; node: number; durationMs: number }
  | { kind: "clock"; atMs: number; node: number; offsetMs: number; driftPpm: number };

const nodeIndex = fc.integer({ min: 0, max: NODE_IDS.length - 1 });
const atMs = fc.integer({ min: 0, max: 400 });
const subset = fc.uniqueArray(nodeIndex, { minLength: 1, maxLength: 4 });

const faultArbitrary: fc.Arbitrary<Fault> = fc.oneof(
  fc.record({ kind: fc.constant("partition" as const), atMs, cut: subset }),
  fc
    .tuple(atMs, fc.uniqueArray(nodeIndex, { minLength: 2, maxLength: 5 }), fc.nat())
    .map(([at, nodes, split]) => {
      const cut = 1 + (split % (nodes.length - 1)); // both sides non-empty and disjoint
      return { kind: "oneWay" as const, atMs: at, from: nodes.slice(0, cut), to: nodes.slice(cut) };
    }),
  fc.record({ kind: fc.constant("heal" as const), atMs }),
  fc.record({
    kind: fc.constant("crash" as const),
    atMs,
    node: nodeIndex,
    downMs: fc.integer({ min: 1, max: 100 }),
  }),
  fc.record({
    kind: fc.constant("pause" as const),
    atMs,
    node: nodeIndex,
    durationMs: fc.integer({ min: 0, max: 100 }),
  }),
  fc.record({
    kind: fc.constant("clock" as const),
    atMs,
    node: nodeIndex,
    offsetMs: fc.integer({ min: -50, max: 50 }),
    driftPpm: fc.integer({ min: -200_000, max: 200_000 }),
  }),
);

const networkArbitrary: fc.Arbitrary<LinkOptions> = fc.record({
  latency: fc.oneof(
    fc.record({ kind: fc.constant("fixed" as const), ms: fc.integer({ min: 0, max: 20 }) }),
    fc.record({
      kind: fc.constant("uniform" as const),
      minMs: fc.constant(1),
      maxMs: fc.integer({ min: 1, max: 40 }),
    }),
    fc.record({
      kind: fc.constant("longTail" as const),
      medianMs: fc.constant(5),
      p99Ms: fc.integer({ min: 5, max: 100 }),
    }),
  ),
  dropProbability: fc.double({ min: 0, max: 0.5, noNaN: true }),
  duplicateProbability: fc.double({ min: 0, max: 0.5, noNaN: true }),
  reorder: fc.boolean(),
});

const scenarioArbitrary = fc.record({
  seed: fc.integer({ min: 0, max: 0xffffffff }),
  network: networkArbitrary,
  faults: fc.array(faultArbitrary, { maxLength: 8 }),
});

type Scenario = { seed: number; network: LinkOptions; faults: Fault[] };

function pick(indexes: number[]): NodeId[] {
  return indexes.map((index) => NODE_IDS[index] as NodeId);
}

function applyFault(sim: Simulation<Gossip>, fault: Fault): void {
  switch (fault.kind) {
    case "partition":
      sim.partition([pick(fault.cut)]);
      return;
    case "oneWay":
      sim.partitionOneWay(pick(fault.from), pick(fault.to));
      return;
    case "heal":
      sim.heal();
      return;
    case "crash": {
      const id = NODE_IDS[fault.node] as NodeId;
      if (!sim.isUp(id)) return;
      sim.crash(id);
      sim.schedule(fault.downMs, () => sim.restart(id));
      return;
    }
    case "pause": {
      const id = NODE_IDS[fault.node] as NodeId;
      if (sim.isUp(id)) sim.pause(id, fault.durationMs);
      return;
    }
    case "clock":
      sim.setClock(NODE_IDS[fault.node] as NodeId, fault);
      return;
  }
}

function runScenario(scenario: Scenario, durationMs = 600): Simulation<Gossip> {
  const sim = new Simulation<Gossip>({ seed: scenario.seed, network: scenario.network });
  for (const id of NODE_IDS) sim.addNode(id, gossiper);
  for (const fault of scenario.faults) sim.at(fault.atMs, () => applyFault(sim, fault));
  sim.runFor(durationMs);
  return sim;
}

/** Replays partition and heal events and reports deliveries over a link that was cut then. */
function deliveriesAcrossCuts(trace: readonly TraceEvent[]): TraceEvent[] {
  const blocked = new Set<string>();
  const violations: TraceEvent[] = [];
  for (const event of trace) {
    if (event.kind === "heal") blocked.clear();
    if (event.kind === "partition") {
      const groups = event.groups;
      if (event.oneWay) {
        for (const from of groups[0] ?? [])
          for (const to of groups[1] ?? []) blocked.add(`${from}>${to}`);
      } else {
        for (const g of groups)
          for (const h of groups)
            if (g !== h) for (const from of g) for (const to of h) blocked.add(`${from}>${to}`);
      }
    }
    if (event.kind === "deliver" && blocked.has(`${event.from}>${event.to}`))
      violations.push(event);
  }
  return violations;
}

describe("simulator laws (property tests)", () => {
  it("determinism: the same seed and script give the same trace, event for event", () => {
    assertProperty(
      fc.property(scenarioArbitrary, (scenario) => {
        const first = JSON.stringify(runScenario(scenario).trace);
        const second = JSON.stringify(runScenario(scenario).trace);
        expect(second).toBe(first);
      }),
      { numRuns: 60 },
    );
  });

  it("determinism: different seeds give different runs (the seed is really used)", () => {
    const network: LinkOptions = { latency: { kind: "uniform", minMs: 1, maxMs: 20 } };
    const traces = new Set(
      [1, 2, 3, 4, 5].map((seed) =>
        JSON.stringify(runScenario({ seed, network, faults: [] }).trace),
      ),
    );
    expect(traces.size).toBe(5);
  });

  it("partitions: no message is delivered over a cut link, in flight or new", () => {
    assertProperty(
      fc.property(scenarioArbitrary, (scenario) => {
        const sim = runScenario(scenario);
        expect(deliveriesAcrossCuts(sim.trace)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it("partitions: the cut checker does catch a delivery over a cut link", () => {
    const trace: TraceEvent[] = [
      { kind: "partition", timeMs: 0, groups: [["a"], ["b"]], oneWay: false },
      {
        kind: "deliver",
        timeMs: 1,
        messageId: 0,
        from: "a",
        to: "b",
        sentAtMs: 0,
        message: { type: "x", from: "a", to: "b" },
      },
    ];
    expect(deliveriesAcrossCuts(trace)).toHaveLength(1);
  });

  it("FIFO: without reordering every link delivers in send order", () => {
    assertProperty(
      fc.property(scenarioArbitrary, (scenario) => {
        const sim = runScenario({ ...scenario, network: { ...scenario.network, reorder: false } });
        const lastIdByLink = new Map<string, number>();
        for (const event of sim.trace) {
          if (event.kind !== "deliver") continue;
          const link = `${event.from}>${event.to}`;
          const last = lastIdByLink.get(link) ?? -1;
          // A duplicate repeats its id right after or later; it never goes back before it.
          expect(event.messageId).toBeGreaterThanOrEqual(last);
          lastIdByLink.set(link, event.messageId);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("loss: the observed drop rate stays within 5 standard deviations of the setting", () => {
    assertProperty(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (seed, dropProbability) => {
          const sent = 2000;
          const sim = new Simulation<Gossip>({ seed, network: { dropProbability } });
          sim.addNode("a", () => ({
            onStart(ctx) {
              for (let round = 0; round < sent; round++) ctx.send("b", { type: "gossip", round });
            },
            onMessage() {},
          }));
          sim.addNode("b", () => ({ onMessage() {} }));
          sim.runFor(10);
          const dropped = sim.stats.droppedByReason.loss;
          const sd = Math.sqrt(sent * dropProbability * (1 - dropProbability));
          expect(Math.abs(dropped - sent * dropProbability)).toBeLessThanOrEqual(5 * sd + 1);
          expect(sim.stats.messagesDelivered + dropped).toBe(sent);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("crash: stable storage keeps every write, volatile state restarts from zero", () => {
    type Op = "inc" | "crash-restart";
    type Inc = { type: "inc" };
    class Counter {
      volatile = 0;
      onMessage(ctx: NodeContext<Inc>) {
        this.volatile++;
        ctx.storage.set("count", (ctx.storage.get<number>("count") ?? 0) + 1);
      }
    }
    assertProperty(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.array(fc.constantFrom<Op>("inc", "inc", "crash-restart"), { maxLength: 40 }),
        (seed, ops) => {
          const sim = new Simulation<Inc>({ seed });
          sim.addNode("client", () => ({ onMessage() {} }));
          sim.addNode("counter", () => new Counter());
          let total = 0;
          let sinceRestart = 0;
          for (const op of ops) {
            if (op === "inc") {
              sim.withNode("client", (ctx) => ctx.send("counter", { type: "inc" }));
              total++;
              sinceRestart++;
            } else {
              sim.crash("counter");
              sim.restart("counter");
              sinceRestart = 0;
            }
            sim.runFor(5); // every message lands before the next op
          }
          expect(sim.storageOf("counter").get("count") ?? 0).toBe(total);
          expect((sim.processOf("counter") as Counter).volatile).toBe(sinceRestart);
        },
      ),
      { numRuns: 100 },
    );
  });
});
