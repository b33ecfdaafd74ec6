// Last-write-wins on skewed physical clocks against the causal tools, on the simulator: a client
// writes w1, reads it, writes w2 via a replica whose clock is behind (Lamport 1978, §1 and §3).

import { assert, describeValue, integerOption, requireKnownOptions } from "../sim/assert.js";
import { Simulation } from "../sim/simulation.js";
import type { Envelope, NodeContext, NodeId, Process, TraceEvent } from "../sim/types.js";
import { HybridLogicalClock, compareHlcTimestamps, formatHlcTimestamp } from "./hlc.js";
import { LamportClock } from "./lamport.js";
import { VectorClock, type VectorClockJSON } from "./vector.js";

/** How a replica stamps writes and picks between versions. */
export type WriteStrategy = "physical" | "lamport" | "hlc" | "vector";

/** Every strategy, in the order the chapter shows them. */
export const WRITE_STRATEGIES: readonly WriteStrategy[] = ["physical", "lamport", "hlc", "vector"];

/** The stamp a replica puts on a write, by strategy. `node` breaks ties in last-write-wins. */
export type WriteStamp =
  | { readonly kind: "physical"; readonly ms: number; readonly node: NodeId }
  | { readonly kind: "lamport"; readonly time: number; readonly node: NodeId }
  | { readonly kind: "hlc"; readonly l: number; readonly c: number; readonly node: NodeId }
  | { readonly kind: "vector"; readonly clock: VectorClockJSON };

/** The messages of the skewed-writes experiment. */
export type SkewedWriteMessage =
  | {
      readonly type: "write";
      readonly value: string;
      /** The stamps of the versions the client read before writing: its causal context. */
      readonly context: readonly WriteStamp[];
    }
  | { readonly type: "writeOk"; readonly value: string; readonly stamp: WriteStamp }
  | { readonly type: "read" }
  | {
      readonly type: "readOk";
      readonly values: readonly string[];
      readonly stamps: readonly WriteStamp[];
    }
  | { readonly type: "replicate"; readonly value: string; readonly stamp: WriteStamp };

/** Options of {@link runSkewedWrites}; every field but the strategy has a default. */
export interface SkewedWriteOptions {
  readonly strategy: WriteStrategy;
  /** How far r2's clock is behind r1's and r3's, in ms: an integer in [0, 100000]. Default 50. */
  readonly skewMs?: number;
  /** The simulation's seed. Default 1 (the run has fixed latencies, so any seed tells the same). */
  readonly seed?: number;
  /**
   * Whether the client sends the stamps it read along with w2 (its causal context). Default true.
   * Without it w2 is a blind write: concurrent with w1, not after it.
   */
  readonly causalContext?: boolean;
}

/** What one run of {@link runSkewedWrites} showed. */
export interface SkewedWriteRun {
  readonly strategy: WriteStrategy;
  readonly skewMs: number;
  /** The stamps the coordinating replicas gave w1 (on r1) and w2 (on r2), as text. */
  readonly w1Stamp: string;
  readonly w2Stamp: string;
  /** Whether r2 acknowledged w2 to the client: it always does. */
  readonly w2Acknowledged: boolean;
  /** What the client read from each replica after the writes had spread. */
  readonly finalValues: Readonly<Record<NodeId, readonly string[]>>;
  readonly causalContext: boolean;
  /** True when every replica ends with exactly w2 (the causally last write, with a context). */
  readonly keptLaterWrite: boolean;
  /**
   * An acknowledged write no replica kept, if any ("w2" for last-write-wins on skew). With a
   * causal context, w1 superseded by w2 is the point and not a loss; blind, either can be lost.
   */
  readonly lostWrite: string | undefined;
  /** The whole trace, for `sequence(run.trace, { label: skewedWriteLabel })`. */
  readonly trace: readonly TraceEvent[];
}

/** The replicas of the experiment; r2 is the one whose clock is behind. */
export const SKEWED_WRITE_REPLICAS: readonly NodeId[] = ["r1", "r2", "r3"];

const SKEW_OPTIONS = ["strategy", "skewMs", "seed", "causalContext"];
const CLIENT = "client";
const START_MS = 100;
const CLIENT_LATENCY_MS = 5;
/** r1 -> r2 replication is slow, so w2 reaches r2 before w1 does: the context must carry order. */
const SLOW_LINK_MS = 40;
const SETTLE_MS = 200;

/**
 * Runs the skewed-writes story once with `strategy`. Three replicas r1, r2, r3 replicate every
 * write to each other (r1 -> r2 is slow); r2's clock is `skewMs` behind. A client writes w1 via
 * r1, reads it back from r1, then writes w2 via r2, passing the stamp it read as its causal
 * context; later it reads all three replicas.
 *
 * - `"physical"`: last write wins by the coordinator's wall clock. r2 stamps w2 with its slow
 *   clock, earlier than w1's stamp, so once w1 arrives everywhere w2 is overwritten or discarded:
 *   an acknowledged write is lost although it came causally after w1.
 * - `"lamport"` and `"hlc"`: last write wins by Lamport or hybrid logical time; r2's clock
 *   observes the context first, so w2 is stamped after w1 and survives.
 * - `"vector"`: versions carry vector clocks; w1's clock happened before w2's, so w1 is
 *   superseded.
 *
 * With `causalContext: false` the client writes w2 blind: w1 and w2 are concurrent. The
 * last-write-wins strategies then keep one of them by their timestamps' accident, while vector
 * clocks keep both as siblings.
 *
 * @example
 * runSkewedWrites({ strategy: "physical" }).lostWrite; // "w2"
 * runSkewedWrites({ strategy: "hlc" }).keptLaterWrite;  // true
 */
export function runSkewedWrites(options: SkewedWriteOptions): SkewedWriteRun {
  const known = requireKnownOptions("runSkewedWrites options", options, SKEW_OPTIONS);
  const strategy = known.strategy;
  if (!WRITE_STRATEGIES.includes(strategy as WriteStrategy)) {
    throw new RangeError(
      `strategy must be one of ${WRITE_STRATEGIES.join(", ")}, got ${describeValue(strategy)}`,
    );
  }
  const skewMs = integerOption("options.skewMs", known.skewMs, 50, 0, 100_000);
  const seed = integerOption("options.seed", known.seed, 1, 0, 2 ** 32 - 1);
  const causalContext = known.causalContext ?? true;
  if (typeof causalContext !== "boolean") {
    throw new RangeError(
      `options.causalContext must be a boolean, got ${describeValue(causalContext)}`,
    );
  }
  const sim = new Simulation<SkewedWriteMessage>({
    seed,
    network: { latency: { kind: "fixed", ms: CLIENT_LATENCY_MS } },
  });
  for (const replica of SKEWED_WRITE_REPLICAS) {
    sim.addNode(replica, () => new SkewedReplica(strategy as WriteStrategy));
  }
  const client = new SkewedClient(causalContext);
  sim.addNode(CLIENT, () => client);
  sim.configureLink("r1", "r2", { latency: { kind: "fixed", ms: SLOW_LINK_MS } });
  sim.setClock("r2", { offsetMs: -skewMs });
  sim.at(START_MS, () => sim.withNode(CLIENT, (ctx) => client.begin(ctx)));
  sim.runToCompletion();

  const finalValues: Record<NodeId, readonly string[]> = {};
  for (const replica of SKEWED_WRITE_REPLICAS) {
    const values = client.finalReads.get(replica);
    assert(values !== undefined, `the client reads every replica at the end (${replica})`);
    finalValues[replica] = values;
  }
  const all = Object.values(finalValues);
  const keptLaterWrite = all.every((values) => values.length === 1 && values[0] === "w2");
  const lost = ["w1", "w2"].filter(
    (value) => client.acked.has(value) && all.every((values) => !values.includes(value)),
  );
  const lostWrite = lost.find((value) => !(causalContext && value === "w1"));
  return {
    strategy: strategy as WriteStrategy,
    skewMs,
    causalContext,
    w1Stamp: formatWriteStamp(client.acked.get("w1")),
    w2Stamp: formatWriteStamp(client.acked.get("w2")),
    w2Acknowledged: client.acked.has("w2"),
    finalValues,
    keptLaterWrite,
    lostWrite,
    trace: sim.trace,
  };
}

/** One row per strategy of {@link runSkewedWrites} at the same skew (without the traces). */
export interface SkewedWriteRow {
  readonly strategy: WriteStrategy;
  readonly w1Stamp: string;
  readonly w2Stamp: string;
  readonly finalValue: string;
  readonly keptLaterWrite: boolean;
  readonly lostWrite: string;
}

/**
 * Runs {@link runSkewedWrites} for every strategy at one skew and tabulates the outcome.
 *
 * @example
 * compareWriteStrategies(50).map((row) => row.keptLaterWrite); // [false, true, true, true]
 */
export function compareWriteStrategies(skewMs = 50): SkewedWriteRow[] {
  return WRITE_STRATEGIES.map((strategy) => {
    const run = runSkewedWrites({ strategy, skewMs });
    const distinct = [...new Set(Object.values(run.finalValues).map((v) => v.join("+")))];
    return {
      strategy,
      w1Stamp: run.w1Stamp,
      w2Stamp: run.w2Stamp,
      finalValue: distinct.join(" / "),
      keptLaterWrite: run.keptLaterWrite,
      lostWrite: run.lostWrite ?? "none",
    };
  });
}

/** A stamp as short text: `105ms@r1`, `L2@r2`, `105:1@r2`, `[1,1,0]`. */
export function formatWriteStamp(stamp: WriteStamp | undefined): string {
  if (stamp === undefined) return "-";
  switch (stamp.kind) {
    case "physical":
      return `${stamp.ms}ms@${stamp.node}`;
    case "lamport":
      return `L${stamp.time}@${stamp.node}`;
    case "hlc":
      return `${formatHlcTimestamp(stamp)}@${stamp.node}`;
    case "vector":
      return `[${stamp.clock.counters.join(",")}]`;
  }
}

/**
 * Arrow labels for `sequence(run.trace, { label: skewedWriteLabel })`: the message type with its
 * value and stamp, e.g. `replicate w1 105ms@r1`.
 */
export function skewedWriteLabel(message: Envelope): string {
  const m = message as Envelope<SkewedWriteMessage>;
  switch (m.type) {
    case "write":
      return `write ${m.value}${m.context.length > 0 ? ` after ${m.context.map(formatWriteStamp).join(" ")}` : ""}`;
    case "writeOk":
      return `ok ${m.value} ${formatWriteStamp(m.stamp)}`;
    case "read":
      return "read";
    case "readOk":
      return `${m.values.join("+") || "nothing"} ${m.stamps.map(formatWriteStamp).join(" ")}`.trim();
    case "replicate":
      return `replicate ${m.value} ${formatWriteStamp(m.stamp)}`;
    default:
      return String((message as { type: unknown }).type);
  }
}

/** The client: w1 via r1, read r1, w2 via r2 with the stamp it read, then read everyone. */
class SkewedClient implements Process<SkewedWriteMessage> {
  readonly acked = new Map<string, WriteStamp>();
  readonly finalReads = new Map<NodeId, readonly string[]>();
  private phase: "idle" | "w1" | "read" | "w2" | "final" = "idle";

  constructor(private readonly causalContext: boolean) {}

  begin(ctx: NodeContext<SkewedWriteMessage>): void {
    this.phase = "w1";
    ctx.send("r1", { type: "write", value: "w1", context: [] });
  }

  onMessage(ctx: NodeContext<SkewedWriteMessage>, message: Envelope<SkewedWriteMessage>): void {
    if (message.type === "writeOk") {
      this.acked.set(message.value, message.stamp);
      if (this.phase === "w1") {
        this.phase = "read";
        ctx.send("r1", { type: "read" });
      } else if (this.phase === "w2") {
        this.phase = "final";
        ctx.setTimer(SETTLE_MS, "final reads");
      }
    } else if (message.type === "readOk") {
      if (this.phase === "read") {
        this.phase = "w2";
        const context = this.causalContext ? message.stamps : [];
        ctx.send("r2", { type: "write", value: "w2", context });
      } else if (this.phase === "final") {
        this.finalReads.set(message.from, message.values);
      }
    }
  }

  onTimer(ctx: NodeContext<SkewedWriteMessage>): void {
    for (const replica of SKEWED_WRITE_REPLICAS) ctx.send(replica, { type: "read" });
  }
}

interface Version {
  readonly value: string;
  readonly stamp: WriteStamp;
}

/** A replica of one register: stamps writes by its strategy and keeps the winning version(s). */
class SkewedReplica implements Process<SkewedWriteMessage> {
  private readonly strategy: WriteStrategy;
  private lamport: LamportClock | undefined;
  private hlc: HybridLogicalClock | undefined;
  // invariant: for "vector", pairwise concurrent versions (siblings); otherwise at most one.
  private versions: Version[] = [];
  /** Writes this replica coordinated ("vector" only): its own entry in new versions. */
  private writesCount = 0;

  constructor(strategy: WriteStrategy) {
    this.strategy = strategy;
  }

  onStart(ctx: NodeContext<SkewedWriteMessage>): void {
    this.lamport = new LamportClock(ctx.id);
    // Whole milliseconds, as a wall clock read by a database would give.
    this.hlc = new HybridLogicalClock(() => Math.floor(ctx.now()));
  }

  onMessage(ctx: NodeContext<SkewedWriteMessage>, message: Envelope<SkewedWriteMessage>): void {
    switch (message.type) {
      case "write": {
        const stamp = this.stampWrite(ctx, message.context);
        this.apply(ctx, { value: message.value, stamp });
        ctx.send(message.from, { type: "writeOk", value: message.value, stamp });
        for (const other of SKEWED_WRITE_REPLICAS) {
          if (other !== ctx.id) {
            ctx.send(other, { type: "replicate", value: message.value, stamp });
          }
        }
        break;
      }
      case "replicate":
        this.observe(message.stamp);
        this.apply(ctx, { value: message.value, stamp: message.stamp });
        break;
      case "read":
        ctx.send(message.from, {
          type: "readOk",
          values: this.versions.map((version) => version.value),
          stamps: this.versions.map((version) => version.stamp),
        });
        break;
      default:
        break;
    }
  }

  private stampWrite(
    ctx: NodeContext<SkewedWriteMessage>,
    context: readonly WriteStamp[],
  ): WriteStamp {
    switch (this.strategy) {
      case "physical":
        // The naive rule: the coordinator's wall clock, whatever the client has seen.
        return { kind: "physical", ms: Math.floor(ctx.now()), node: ctx.id };
      case "lamport": {
        const clock = this.lamport as LamportClock;
        const seen = context.map((stamp) => (stamp.kind === "lamport" ? stamp.time : 0));
        const time = seen.length > 0 ? clock.receive(Math.max(...seen)) : clock.tick();
        return { kind: "lamport", time, node: ctx.id };
      }
      case "hlc": {
        const clock = this.hlc as HybridLogicalClock;
        // Like Lamport: receiving the client's context is the write event itself.
        let stamped = clock.current;
        for (const stamp of context) if (stamp.kind === "hlc") stamped = clock.receive(stamp);
        const { l, c } = context.some((stamp) => stamp.kind === "hlc") ? stamped : clock.tick();
        return { kind: "hlc", l, c, node: ctx.id };
      }
      case "vector": {
        // The new version follows everything the client read, plus one write of this replica.
        let merged = VectorClock.zero(SKEWED_WRITE_REPLICAS);
        for (const stamp of context) {
          if (stamp.kind === "vector") merged = merged.merge(VectorClock.fromJSON(stamp.clock));
        }
        this.writesCount = Math.max(this.writesCount, merged.get(ctx.id)) + 1;
        const clock = VectorClock.from(SKEWED_WRITE_REPLICAS, {
          ...merged.toObject(),
          [ctx.id]: this.writesCount,
        });
        return { kind: "vector", clock: clock.toJSON() };
      }
    }
  }

  /** A replica's logical clock observes every stamp it receives (the receive rule). */
  private observe(stamp: WriteStamp): void {
    if (stamp.kind === "lamport") (this.lamport as LamportClock).receive(stamp.time);
    if (stamp.kind === "hlc") (this.hlc as HybridLogicalClock).receive(stamp);
  }

  /** Keeps the winning version(s) and notes in the trace every write it drops. */
  private apply(ctx: NodeContext<SkewedWriteMessage>, incoming: Version): void {
    const shown = `${incoming.value} ${formatWriteStamp(incoming.stamp)}`;
    if (incoming.stamp.kind === "vector") {
      const clock = VectorClock.fromJSON(incoming.stamp.clock);
      const newer = this.versions.find((version) => {
        const order = clockOf(version).compare(clock);
        return order === "after" || order === "equal";
      });
      if (newer !== undefined) {
        if (newer.value !== incoming.value)
          ctx.log(`ignores ${shown}, it happened before ${newer.value}`);
        return;
      }
      const superseded = this.versions.filter((version) => clockOf(version).happenedBefore(clock));
      for (const old of superseded) ctx.log(`${shown} supersedes ${old.value}`);
      // Siblings sorted by value, so every replica lists the same set the same way.
      this.versions = [
        ...this.versions.filter((version) => !superseded.includes(version)),
        incoming,
      ].sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
      if (this.versions.length > 1)
        ctx.log(`siblings ${this.versions.map((v) => v.value).join(", ")}`);
      return;
    }
    const current = this.versions[0];
    if (current === undefined || compareStamps(incoming.stamp, current.stamp) > 0) {
      if (current !== undefined && current.value !== incoming.value) {
        ctx.log(`${shown} overwrites ${current.value} ${formatWriteStamp(current.stamp)}`);
      }
      this.versions = [incoming];
    } else if (current.value !== incoming.value) {
      ctx.log(`discards ${shown}, older than ${current.value} ${formatWriteStamp(current.stamp)}`);
    }
  }
}

function clockOf(version: Version): VectorClock {
  assert(version.stamp.kind === "vector", "a vector strategy's version has a vector stamp");
  return VectorClock.fromJSON(version.stamp.clock);
}

function timeOrder(a: WriteStamp, b: WriteStamp): number {
  if (a.kind === "physical" && b.kind === "physical") return a.ms - b.ms;
  if (a.kind === "lamport" && b.kind === "lamport") return a.time - b.time;
  if (a.kind === "hlc" && b.kind === "hlc") return compareHlcTimestamps(a, b);
  throw new Error(`cannot order stamps of kinds ${a.kind} and ${b.kind}`);
}

/** Last-write-wins order of two stamps of one kind: time first, then node id. */
function compareStamps(a: WriteStamp, b: WriteStamp): number {
  const byTime = timeOrder(a, b);
  if (byTime !== 0) return byTime;
  const nodeA = "node" in a ? a.node : "";
  const nodeB = "node" in b ? b.node : "";
  return nodeA < nodeB ? -1 : nodeA > nodeB ? 1 : 0;
}
