// The second challenge, no global clock: each node reads its own clock, offset and drifting.
// Timestamps from two clocks can order events against causality (Lamport, "Time, Clocks, and the
// Ordering of Events in a Distributed System", 1978, §1), and last-writer-wins then drops writes.

import { type LatencyModel, type NodeContext, Simulation } from "../sim/index.js";
import { integerOption, requireKnownOptions } from "../sim/assert.js";
import { numberOption, requireSeed } from "./options.js";
import type { ExperimentRun } from "./types.js";

/** The messages of the clock-skew experiment. */
export type ClockSkewMessage =
  | {
      readonly type: "write";
      readonly value: string;
      /** The writer's clock when it wrote. */
      readonly timestampMs: number;
    }
  | {
      readonly type: "yourTurn";
      readonly round: number;
      /** The sender's clock when it sent. */
      readonly sentAtClockMs: number;
    };

/** Options of {@link runClockSkewExperiment}; every field has a default. */
export interface ClockSkewOptions {
  /** Node B's clock reads true time plus this. Default -20 ms (B is behind). */
  readonly clockOffsetMs?: number;
  /** Node B's clock drift in ppm (negative: slow). Default 0. */
  readonly clockDriftPpm?: number;
  /** Rounds of "A writes, tells B; B writes, tells A". Default 3. */
  readonly roundsCount?: number;
  /** Latency of every link. Default fixed 5 ms. */
  readonly latency?: LatencyModel;
}

/** One event as a node timestamped it, next to when it really happened. */
export interface ClockedEvent {
  readonly node: string;
  readonly what: string;
  /** The node's own clock. */
  readonly clockMs: number;
  /** The simulator's true time. */
  readonly trueMs: number;
}

/** What {@link runClockSkewExperiment} measured. */
export interface ClockSkewResult extends ExperimentRun {
  /** A's and B's events in causal order (each happens before the next). */
  readonly events: readonly ClockedEvent[];
  readonly messagesCount: number;
  /** Messages whose receive timestamp is earlier than their send timestamp. */
  readonly causalityViolationsCount: number;
  /** Writes the last-writer-wins store discarded as older, though each came causally later. */
  readonly writesDiscardedCount: number;
  /** What the store holds at the end, and what the causally last write was. */
  readonly finalValue: string;
  readonly causallyLastValue: string;
}

const SKEW_OPTIONS = ["clockOffsetMs", "clockDriftPpm", "roundsCount", "latency"];

/**
 * The challenge of no global clock: nodes A and B take turns; in each round A writes a value to a
 * last-writer-wins store, stamped with its clock, and tells B; B, having heard from A, writes its
 * own value and tells A. Every write is causally after the one before it. B's clock is
 * `clockOffsetMs` off (and may drift). When the skew exceeds the message latency, B's timestamps
 * come out earlier than A's: B receives messages "before" they were sent, and the store discards
 * B's writes as older, keeping A's, although B wrote last. A clock ahead by more than the latency
 * breaks the other direction: A then receives B's messages "before" B sent them.
 *
 * @remarks Saying only that clocks are never perfectly in sync understates the problem: the skew
 * need not be large, only larger than the time between causally related events, a few
 * milliseconds inside a data centre. NTP keeps clocks within milliseconds on a good day and can step them backwards.
 * Ordering by wall-clock timestamps (last-writer-wins) is therefore unsafe for causally related
 * writes; logical clocks (Lamport, vector clocks, hybrid logical clocks) order them correctly,
 * and are the subject of the next chapter.
 *
 * @example
 * const result = runClockSkewExperiment(1);
 * result.causalityViolationsCount; // 3: every A → B message arrives "before" it was sent
 * [result.finalValue, result.causallyLastValue]; // ["A3", "B3"]
 */
export function runClockSkewExperiment(
  seed: number,
  options: ClockSkewOptions = {},
): ClockSkewResult {
  requireSeed(seed);
  requireKnownOptions("runClockSkewExperiment options", options, SKEW_OPTIONS);
  const clockOffsetMs = numberOption(
    "options.clockOffsetMs",
    options.clockOffsetMs,
    -20,
    -1_000_000,
    1_000_000,
  );
  const clockDriftPpm = numberOption(
    "options.clockDriftPpm",
    options.clockDriftPpm,
    0,
    -999_999,
    999_999,
  );
  const roundsCount = integerOption("options.roundsCount", options.roundsCount, 3, 1, 10_000);
  const sim = new Simulation<ClockSkewMessage>({
    seed,
    network: { latency: options.latency ?? { kind: "fixed", ms: 5 } },
  });
  const events: ClockedEvent[] = [];
  let messagesCount = 0;
  let causalityViolationsCount = 0;
  let writesDiscardedCount = 0;
  let causallyLastValue = "";

  const record = (ctx: NodeContext<ClockSkewMessage>, what: string) => {
    events.push({ node: ctx.id, what, clockMs: ctx.now(), trueMs: sim.now });
  };
  const writeAndPass = (ctx: NodeContext<ClockSkewMessage>, round: number) => {
    const value = `${ctx.id}${round}`;
    causallyLastValue = value;
    record(ctx, `write ${value}`);
    ctx.send("store", { type: "write", value, timestampMs: ctx.now() });
    if (ctx.id === "A" || round < roundsCount) {
      const nextRound = ctx.id === "A" ? round : round + 1;
      record(ctx, `send yourTurn ${nextRound}`);
      ctx.send(ctx.id === "A" ? "B" : "A", {
        type: "yourTurn",
        round: nextRound,
        sentAtClockMs: ctx.now(),
      });
      messagesCount++;
    }
  };
  const player = () => ({
    onStart(ctx: NodeContext<ClockSkewMessage>) {
      if (ctx.id === "A") writeAndPass(ctx, 1);
    },
    onMessage(ctx: NodeContext<ClockSkewMessage>, message: ClockSkewMessage) {
      if (message.type !== "yourTurn") return;
      record(ctx, `receive yourTurn ${message.round}`);
      if (ctx.now() < message.sentAtClockMs) {
        causalityViolationsCount++;
        ctx.log(
          `received at ${ctx.now().toFixed(1)}, sent at ${message.sentAtClockMs.toFixed(1)}?`,
        );
      }
      writeAndPass(ctx, message.round);
    },
  });
  sim.addNode("A", player);
  sim.addNode("B", player);
  sim.addNode("store", () => ({
    onMessage(ctx, message) {
      if (message.type !== "write") return;
      const current = ctx.storage.get<{ value: string; timestampMs: number }>("x");
      if (current !== undefined && message.timestampMs <= current.timestampMs) {
        writesDiscardedCount++;
        ctx.log(`${message.value} discarded: older than ${current.value}`);
        return;
      }
      ctx.storage.set("x", { value: message.value, timestampMs: message.timestampMs });
    },
  }));
  sim.setClock("B", { offsetMs: clockOffsetMs, driftPpm: clockDriftPpm });
  sim.runUntil(() => sim.pendingEvents === 0, { timeMsMax: 600_000 + roundsCount * 60_000 });
  const final = sim.storageOf("store").get("x") as { value: string } | undefined;
  return {
    seed,
    trace: sim.trace,
    stats: sim.stats,
    events,
    messagesCount,
    causalityViolationsCount,
    writesDiscardedCount,
    finalValue: final?.value ?? "",
    causallyLastValue,
  };
}
