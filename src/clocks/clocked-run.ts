// Runs on the simulator where every node keeps all four clocks at once (Lamport 1978, §2-3;
// Mattern 1988; Kulkarni et al. 2014), recording each event with its stamps and true time.

import { describeValue, integerOption, requireKnownOptions } from "../sim/assert.js";
import { Random } from "../sim/random.js";
import { Simulation } from "../sim/simulation.js";
import type { ClockSettings } from "../sim/clock.js";
import type { Envelope, NodeContext, NodeId, Process, TraceEvent } from "../sim/types.js";
import { type HlcTimestamp, HybridLogicalClock, formatHlcTimestamp } from "./hlc.js";
import { LamportClock } from "./lamport.js";
import { MapVectorClock } from "./map-vector.js";
import { VectorClock, type VectorClockJSON } from "./vector.js";

/** One step of a plan: at true time `atMs`, `node` does a local event or sends to `to`. */
export type ClockedStep =
  | {
      readonly atMs: number;
      readonly node: NodeId;
      readonly kind: "local";
      readonly label?: string;
    }
  | {
      readonly atMs: number;
      readonly node: NodeId;
      readonly kind: "send";
      readonly to: NodeId;
      readonly label?: string;
    };

/** One event of a clocked run with every clock's stamp. */
export interface ClockRunEvent {
  /** Position in the run, from 0, in the order events happened. */
  readonly id: number;
  readonly node: NodeId;
  readonly kind: "local" | "send" | "receive";
  /** The step's label, or for a receive the label of the matching send. */
  readonly label: string;
  /** For a receive: the id of the send event it receives. */
  readonly sendId: number | undefined;
  /** True (simulator) time in ms. */
  readonly trueMs: number;
  /** The node's physical clock, whole ms (what the HLC read). */
  readonly physicalMs: number;
  readonly lamport: number;
  readonly vector: VectorClock;
  readonly mapVector: MapVectorClock;
  readonly hlc: HlcTimestamp;
}

/** The message of a clocked run: every clock's stamp rides along. */
export interface ClockedMessage {
  readonly type: "event";
  readonly label: string;
  readonly sendId: number;
  readonly lamport: number;
  readonly vector: VectorClockJSON;
  readonly mapVector: Readonly<Record<NodeId, number>>;
  readonly hlc: HlcTimestamp;
}

/** Options of {@link runClockedPlan}. */
export interface ClockedRunOptions {
  /** The simulation's seed (latencies). Default 1. */
  readonly seed?: number;
  /** Each node's clock settings; nodes not listed keep a perfect clock. */
  readonly clocks?: Readonly<Record<NodeId, ClockSettings>>;
  /** Message latency: fixed `latencyMsMin` when equal to the max. Defaults 5 and 5 ms. */
  readonly latencyMsMin?: number;
  readonly latencyMsMax?: number;
}

/** What a clocked run recorded. */
export interface ClockedRun {
  readonly nodes: readonly NodeId[];
  readonly events: readonly ClockRunEvent[];
  readonly trace: readonly TraceEvent[];
  /**
   * The largest difference between two clocks' offsets seen at events: max - min over events of
   * physicalMs - trueMs. The HLC paper's bound on l - pt.
   */
  readonly skewMsMax: number;
}

const RUN_OPTIONS = ["seed", "clocks", "latencyMsMin", "latencyMsMax"];
const PLAN_STEPS_MAX = 100_000;

/**
 * Runs a plan of local events and sends on the simulator: every node keeps a Lamport clock, a
 * dense vector clock, a Map vector clock and a hybrid logical clock (on its own, possibly skewed
 * physical clock), and applies each clock's rules at every event; receipts are events too.
 *
 * @example
 * const run = runClockedPlan(["A", "B"], [
 *   { atMs: 10, node: "A", kind: "send", to: "B", label: "m" },
 *   { atMs: 12, node: "B", kind: "local", label: "b1" },
 * ]);
 * run.events.map((e) => `${e.label}:${e.vector}`); // ["m:[1,0]", "b1:[0,1]", "m:[1,2]"]
 */
export function runClockedPlan(
  nodes: readonly NodeId[],
  plan: readonly ClockedStep[],
  options: ClockedRunOptions = {},
): ClockedRun {
  const known = requireKnownOptions("runClockedPlan options", options, RUN_OPTIONS);
  const seed = integerOption("options.seed", known.seed, 1, 0, 2 ** 32 - 1);
  const latencyMsMin = integerOption("options.latencyMsMin", known.latencyMsMin, 5, 0, 1_000_000);
  const latencyMsMax = integerOption(
    "options.latencyMsMax",
    known.latencyMsMax,
    Math.max(5, latencyMsMin),
    latencyMsMin,
    1_000_000,
  );
  const zero = VectorClock.zero(nodes);
  if (!Array.isArray(plan) || plan.length > PLAN_STEPS_MAX) {
    throw new RangeError(
      `plan must be an array of at most ${PLAN_STEPS_MAX} steps, got ${describeValue(plan)}`,
    );
  }
  const sim = new Simulation<ClockedMessage>({
    seed,
    network: {
      latency:
        latencyMsMin === latencyMsMax
          ? { kind: "fixed", ms: latencyMsMin }
          : { kind: "uniform", minMs: latencyMsMin, maxMs: latencyMsMax },
    },
  });
  const events: ClockRunEvent[] = [];
  const processes = new Map<NodeId, ClockedNode>();
  for (const node of nodes) {
    const process = new ClockedNode(zero, events, () => sim.now);
    processes.set(node, process);
    sim.addNode(node, () => process);
  }
  const clocks = (known.clocks ?? {}) as Readonly<Record<NodeId, ClockSettings>>;
  for (const [node, settings] of Object.entries(clocks)) {
    if (!processes.has(node)) {
      throw new RangeError(
        `options.clocks names node ${describeValue(node)}, which is not one of ${describeValue(nodes)}`,
      );
    }
    sim.setClock(node, settings);
  }
  plan.forEach((step, i) => {
    if (!processes.has(step?.node)) {
      throw new RangeError(
        `plan[${i}].node must be one of ${describeValue(nodes)}, got ${describeValue(step?.node)}`,
      );
    }
    if (step.kind === "send" && (!processes.has(step.to) || step.to === step.node)) {
      throw new RangeError(
        `plan[${i}].to must be another node of ${describeValue(nodes)}, got ${describeValue(step.to)}`,
      );
    }
    sim.at(step.atMs, () =>
      sim.withNode(step.node, (ctx) => (processes.get(step.node) as ClockedNode).act(ctx, step, i)),
    );
  });
  sim.runToCompletion();
  const offsets = events.map((event) => event.physicalMs - event.trueMs);
  const skewMsMax = offsets.length === 0 ? 0 : Math.max(...offsets) - Math.min(...offsets);
  return { nodes: zero.nodes, events, trace: sim.trace, skewMsMax };
}

/** Options of {@link randomClockedRun}; every field has a default. */
export interface RandomClockedRunOptions {
  /** Seed of the plan, the clocks and the latencies. Default 1. */
  readonly seed?: number;
  /** Nodes, named n0, n1, ...: an integer in [2, 26]. Default 3. */
  readonly nodesCount?: number;
  /** Local events and sends in the plan (receives come on top): in [1, 10000]. Default 20. */
  readonly stepsCount?: number;
  /** Each node's clock offset is drawn from [-max, max] ms. Default 50. */
  readonly clockOffsetMsMax?: number;
  /** Each node's drift is drawn from [-max, max] ppm. Default 0. */
  readonly driftPpmMax?: number;
  /** Steps are spread over [1000, 1000 + durationMs] true ms. Default 200. */
  readonly durationMs?: number;
  /** Message latency drawn from [min, max] ms. Defaults 1 and 20. */
  readonly latencyMsMin?: number;
  readonly latencyMsMax?: number;
}

const RANDOM_OPTIONS = [
  "seed",
  "nodesCount",
  "stepsCount",
  "clockOffsetMsMax",
  "driftPpmMax",
  "durationMs",
  "latencyMsMin",
  "latencyMsMax",
];

/**
 * A random clocked run: random skewed clocks, random local events and sends to random nodes,
 * random latencies, all from `seed`. The raw material of the chapter's tables and of the
 * property tests (the clock condition, vector clocks characterising causality, HLC bounds).
 *
 * @example
 * const run = randomClockedRun({ seed: 7, nodesCount: 3, stepsCount: 30 });
 * run.events.every((e) => e.hlc.l >= e.physicalMs); // true
 */
export function randomClockedRun(options: RandomClockedRunOptions = {}): ClockedRun {
  const known = requireKnownOptions("randomClockedRun options", options, RANDOM_OPTIONS);
  const seed = integerOption("options.seed", known.seed, 1, 0, 2 ** 32 - 1);
  const nodesCount = integerOption("options.nodesCount", known.nodesCount, 3, 2, 26);
  const stepsCount = integerOption("options.stepsCount", known.stepsCount, 20, 1, 10_000);
  const offsetMax = integerOption("options.clockOffsetMsMax", known.clockOffsetMsMax, 50, 0, 1e6);
  const driftMax = integerOption("options.driftPpmMax", known.driftPpmMax, 0, 0, 100_000);
  const durationMs = integerOption("options.durationMs", known.durationMs, 200, 1, 1e7);
  const latencyMsMin = integerOption("options.latencyMsMin", known.latencyMsMin, 1, 0, 1e6);
  const latencyMsMax = integerOption(
    "options.latencyMsMax",
    known.latencyMsMax,
    Math.max(20, latencyMsMin),
    latencyMsMin,
    1e6,
  );
  const random = new Random(seed);
  const nodes = Array.from({ length: nodesCount }, (_, i) => `n${i}`);
  const clocks: Record<NodeId, ClockSettings> = {};
  for (const node of nodes) {
    clocks[node] = {
      offsetMs: random.int(-offsetMax, offsetMax),
      driftPpm: random.int(-driftMax, driftMax),
    };
  }
  const plan: ClockedStep[] = [];
  for (let i = 0; i < stepsCount; i++) {
    const atMs = 1000 + random.int(0, durationMs);
    const node = random.pick(nodes);
    if (random.chance(0.5)) {
      plan.push({ atMs, node, kind: "local" });
    } else {
      const to = random.pick(nodes.filter((other) => other !== node));
      plan.push({ atMs, node, kind: "send", to });
    }
  }
  plan.sort((a, b) => a.atMs - b.atMs);
  return runClockedPlan(nodes, plan, { seed, clocks, latencyMsMin, latencyMsMax });
}

/**
 * The scripted run of "Lamport order is not causality": A does three events and sends the
 * third to B; C, which never hears from anyone, does one local event. C's event gets Lamport
 * time 1, before A's send at 3, yet neither could have influenced the other: the vector clocks
 * [0,0,1] and [3,0,0] are concurrent.
 */
export function lamportIsNotCausalityRun(): ClockedRun {
  return runClockedPlan(
    ["A", "B", "C"],
    [
      { atMs: 10, node: "A", kind: "local", label: "a1" },
      { atMs: 12, node: "C", kind: "local", label: "c1" },
      { atMs: 20, node: "A", kind: "local", label: "a2" },
      { atMs: 30, node: "A", kind: "send", to: "B", label: "m" },
      { atMs: 32, node: "B", kind: "local", label: "b1" },
    ],
  );
}

/** How the pairs of events of a run are ordered by each clock. */
export interface OrderedPairsCount {
  /** Pairs of distinct events. */
  readonly pairsCount: number;
  /** Pairs where one happened before the other (by vector clocks). */
  readonly causalPairsCount: number;
  /** Pairs with distinct Lamport times. */
  readonly lamportOrderedPairsCount: number;
  /** Pairs with distinct Lamport times that are concurrent: Lamport order without causality. */
  readonly lamportOrderedConcurrentCount: number;
}

/** Counts, over every pair of events of a run, causality against Lamport order. */
export function countOrderedPairs(run: ClockedRun): OrderedPairsCount {
  let pairsCount = 0;
  let causalPairsCount = 0;
  let lamportOrderedPairsCount = 0;
  let lamportOrderedConcurrentCount = 0;
  const { events } = run;
  for (let i = 0; i < events.length; i++) {
    for (let j = i + 1; j < events.length; j++) {
      const a = events[i] as ClockRunEvent;
      const b = events[j] as ClockRunEvent;
      pairsCount++;
      const concurrent = a.vector.concurrentWith(b.vector);
      if (!concurrent) causalPairsCount++;
      if (a.lamport !== b.lamport) {
        lamportOrderedPairsCount++;
        if (concurrent) lamportOrderedConcurrentCount++;
      }
    }
  }
  return { pairsCount, causalPairsCount, lamportOrderedPairsCount, lamportOrderedConcurrentCount };
}

/** A node of a clocked run: four clocks, each updated by its own rules. */
class ClockedNode implements Process<ClockedMessage> {
  private lamport: LamportClock | undefined;
  private vector: VectorClock;
  private mapVector = MapVectorClock.empty();
  private hlc: HybridLogicalClock | undefined;

  constructor(
    zero: VectorClock,
    private readonly events: ClockRunEvent[],
    private readonly trueNow: () => number,
  ) {
    this.vector = zero;
  }

  onStart(ctx: NodeContext<ClockedMessage>): void {
    this.lamport = new LamportClock(ctx.id);
    this.hlc = new HybridLogicalClock(() => Math.floor(ctx.now()));
  }

  act(ctx: NodeContext<ClockedMessage>, step: ClockedStep, index: number): void {
    const lamport = (this.lamport as LamportClock).tick();
    this.vector = this.vector.increment(ctx.id);
    this.mapVector = this.mapVector.increment(ctx.id);
    const hlc = (this.hlc as HybridLogicalClock).tick();
    const label = step.label ?? `${ctx.id}.${index}`;
    const event = this.record(ctx, step.kind, label, undefined, lamport, hlc);
    if (step.kind === "local") {
      ctx.log(`${label} L=${lamport} V=${this.vector} H=${formatHlcTimestamp(hlc)}`);
    }
    if (step.kind === "send") {
      ctx.send(step.to, {
        type: "event",
        label,
        sendId: event.id,
        lamport,
        vector: this.vector.toJSON(),
        mapVector: this.mapVector.toJSON(),
        hlc,
      });
    }
  }

  onMessage(ctx: NodeContext<ClockedMessage>, message: Envelope<ClockedMessage>): void {
    const lamport = (this.lamport as LamportClock).receive(message.lamport);
    this.vector = this.vector.receive(ctx.id, VectorClock.fromJSON(message.vector));
    this.mapVector = this.mapVector.receive(ctx.id, MapVectorClock.fromJSON(message.mapVector));
    const hlc = (this.hlc as HybridLogicalClock).receive(message.hlc);
    this.record(ctx, "receive", message.label, message.sendId, lamport, hlc);
  }

  private record(
    ctx: NodeContext<ClockedMessage>,
    kind: ClockRunEvent["kind"],
    label: string,
    sendId: number | undefined,
    lamport: number,
    hlc: HlcTimestamp,
  ): ClockRunEvent {
    const event: ClockRunEvent = {
      id: this.events.length,
      node: ctx.id,
      kind,
      label,
      sendId,
      trueMs: this.trueNow(),
      physicalMs: Math.floor(ctx.now()),
      lamport,
      vector: this.vector,
      mapVector: this.mapVector,
      hlc,
    };
    this.events.push(event);
    return event;
  }
}

/** A message label for `sequence(run.trace, { label: clockedMessageLabel })`: label and stamps. */
export function clockedMessageLabel(message: Envelope): string {
  const m = message as Envelope<ClockedMessage>;
  if (m.type !== "event") return String((message as { type: unknown }).type);
  return `${m.label} L=${m.lamport} V=[${m.vector.counters.join(",")}] H=${formatHlcTimestamp(m.hlc)}`;
}
