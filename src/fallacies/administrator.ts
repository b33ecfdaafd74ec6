// Fallacy 6, "there is one administrator" (Deutsch's eight fallacies, 1994): configuration drift.
// Two teams configure two halves of one failure detector (heartbeat interval, heartbeat timeout);
// when one changes its half alone, the detector reports healthy nodes as dead.

import { type LatencyModel, type NodeContext, Simulation } from "../sim/index.js";
import { requireKnownOptions } from "../sim/assert.js";
import { choiceOption, numberOption, requireSeed } from "./options.js";
import type { ExperimentRun } from "./types.js";

/** The messages of the configuration-drift experiment. */
export type HeartbeatMessage = {
  readonly type: "heartbeat";
  /** The sender's configured interval, announced so receivers need not assume it. */
  readonly intervalMs: number;
};

/**
 * Where the monitor's timeout comes from.
 * - `"monitorConfig"`: its own configured `heartbeatTimeoutMs`, set by another team.
 * - `"announcedInterval"`: `timeoutMultiplier` x the interval each heartbeat announces (never
 *   less than `heartbeatTimeoutMs`), so the two halves cannot disagree.
 */
export type TimeoutSource = "monitorConfig" | "announcedInterval";

/** Options of {@link runConfigDriftExperiment}; every field has a default. */
export interface ConfigDriftOptions {
  /** Default `"monitorConfig"`. */
  readonly timeoutSource?: TimeoutSource;
  /** Team A's heartbeat interval before its change. Default 50 ms. */
  readonly intervalMsBefore?: number;
  /** Team A's heartbeat interval after its change. Default 100 ms. */
  readonly intervalMsAfter?: number;
  /** When team A rolls out its change (true time). Default 500 ms. */
  readonly configChangeAtMs?: number;
  /** Team B's monitor timeout: chosen for the old interval. Default 75 ms. */
  readonly heartbeatTimeoutMs?: number;
  /** For `"announcedInterval"`: timeout = this x the announced interval. Default 3. */
  readonly timeoutMultiplier?: number;
  /** Node a3 really crashes at this true time, to check real failures are still caught. Default 1500. */
  readonly crashAtMs?: number;
  /** Length of the run. Default 2000 ms. */
  readonly durationMs?: number;
  /** Latency of every link. Default uniform 1-10 ms. */
  readonly latency?: LatencyModel;
}

/** One time the monitor declared a node dead. */
export interface Suspicion {
  readonly node: string;
  readonly atMs: number;
  /** True when the node was really down at that moment. */
  readonly correct: boolean;
}

/** What {@link runConfigDriftExperiment} measured. */
export interface ConfigDriftResult extends ExperimentRun {
  readonly timeoutSource: TimeoutSource;
  /** Healthy nodes declared dead, in all, before and after team A's change. */
  readonly falseSuspicionsCount: number;
  readonly falseSuspicionsBeforeChangeCount: number;
  readonly falseSuspicionsAfterChangeCount: number;
  /** At the end of the run the monitor holds the crashed node dead. */
  readonly crashDetected: boolean;
  /**
   * From the crash to the moment the monitor's verdict on the crashed node became "dead" for good;
   * 0 when it already (wrongly, at the time) held the node dead when it crashed. Null if never.
   */
  readonly detectionDelayMs: number | null;
  readonly suspicions: readonly Suspicion[];
}

const DRIFT_OPTIONS = [
  "timeoutSource",
  "intervalMsBefore",
  "intervalMsAfter",
  "configChangeAtMs",
  "heartbeatTimeoutMs",
  "timeoutMultiplier",
  "crashAtMs",
  "durationMs",
  "latency",
];
const TEAM_A = ["a1", "a2", "a3"];
const CRASHING_NODE = "a3";

/**
 * Fallacy 6, "there is one administrator": team A runs services a1-a3, which send a heartbeat
 * every `intervalMsBefore`; team B runs the monitor, which declares a node dead when no heartbeat
 * came for `heartbeatTimeoutMs`. At `configChangeAtMs` team A doubles its interval to cut traffic,
 * a sensible change on its own. Team B's timeout is now shorter than the gap between heartbeats,
 * so the monitor declares healthy nodes dead over and over (false suspicions), each of which in a
 * real system could trigger a failover. Node a3 really crashes at `crashAtMs`, to show the fix
 * still detects real failures.
 *
 * With the drifted settings `detectionDelayMs` is 0 for the real crash, and that is no credit: the
 * monitor already held a3 dead, wrongly, when it crashed, as it had every 100 ms before.
 *
 * The fix shown (`timeoutSource: "announcedInterval"`) makes the setting travel with the data:
 * heartbeats announce their interval and the monitor derives its timeout from it.
 *
 * @remarks Many administrators is the normal case: teams, vendors, cloud providers and the
 * customer's network each own a part. Remedies are organisational as well as technical: one
 * source of truth for shared settings (config as code, reviewed together), validation of
 * cross-service invariants (timeout > k x interval) at deploy time, and protocols that carry or
 * negotiate their parameters instead of assuming them.
 *
 * @example
 * runConfigDriftExperiment(1).falseSuspicionsAfterChangeCount;   // dozens
 * runConfigDriftExperiment(1, { timeoutSource: "announcedInterval" }).falseSuspicionsCount; // 0
 */
export function runConfigDriftExperiment(
  seed: number,
  options: ConfigDriftOptions = {},
): ConfigDriftResult {
  requireSeed(seed);
  requireKnownOptions("runConfigDriftExperiment options", options, DRIFT_OPTIONS);
  const timeoutSource = choiceOption(
    "options.timeoutSource",
    options.timeoutSource,
    ["monitorConfig", "announcedInterval"] as const,
    "monitorConfig",
  );
  const intervalMsBefore = numberOption(
    "options.intervalMsBefore",
    options.intervalMsBefore,
    50,
    1,
  );
  const intervalMsAfter = numberOption("options.intervalMsAfter", options.intervalMsAfter, 100, 1);
  const heartbeatTimeoutMs = numberOption(
    "options.heartbeatTimeoutMs",
    options.heartbeatTimeoutMs,
    75,
    1,
  );
  const timeoutMultiplier = numberOption(
    "options.timeoutMultiplier",
    options.timeoutMultiplier,
    3,
    1,
  );
  const durationMs = numberOption("options.durationMs", options.durationMs, 2000, 1, 600_000);
  const configChangeAtMs = numberOption(
    "options.configChangeAtMs",
    options.configChangeAtMs,
    500,
    0,
    durationMs,
  );
  const crashAtMs = numberOption("options.crashAtMs", options.crashAtMs, 1500, 0, durationMs);

  const sim = new Simulation<HeartbeatMessage>({
    seed,
    network: { latency: options.latency ?? { kind: "uniform", minMs: 1, maxMs: 10 } },
  });
  const suspicions: { node: string; atMs: number }[] = [];
  /** The monitor's verdict changes on the crashing node: "dead" and "alive" with their times. */
  const verdicts: { dead: boolean; atMs: number }[] = [];

  const sender = () => ({
    onStart(ctx: NodeContext<HeartbeatMessage>) {
      ctx.storage.set("heartbeatIntervalMs", intervalMsBefore);
      ctx.setTimer(0, "heartbeat");
    },
    onMessage() {},
    onTimer(ctx: NodeContext<HeartbeatMessage>) {
      // Read the configuration at every beat: an operator may have changed it since.
      const intervalMs = ctx.storage.get<number>("heartbeatIntervalMs") ?? intervalMsBefore;
      ctx.send("monitor", { type: "heartbeat", intervalMs });
      ctx.setTimer(intervalMs, "heartbeat");
    },
  });
  for (const id of TEAM_A) sim.addNode(id, sender);

  sim.addNode("monitor", () => {
    const timers = new Map<string, number>();
    const suspected = new Set<string>();
    const watch = (ctx: NodeContext<HeartbeatMessage>, node: string, timeoutMs: number) => {
      const timer = timers.get(node);
      if (timer !== undefined) ctx.cancelTimer(timer);
      timers.set(node, ctx.setTimer(timeoutMs, "suspect", node));
    };
    return {
      onStart(ctx) {
        for (const node of TEAM_A) watch(ctx, node, heartbeatTimeoutMs);
      },
      onMessage(ctx, message) {
        const timeoutMs =
          timeoutSource === "monitorConfig"
            ? heartbeatTimeoutMs
            : Math.max(heartbeatTimeoutMs, timeoutMultiplier * message.intervalMs);
        if (suspected.delete(message.from)) {
          ctx.log(`${message.from} alive after all`);
          if (message.from === CRASHING_NODE) verdicts.push({ dead: false, atMs: ctx.now() });
        }
        watch(ctx, message.from, timeoutMs);
      },
      onTimer(ctx, timer) {
        const node = timer.data as string;
        timers.delete(node);
        suspected.add(node);
        suspicions.push({ node, atMs: ctx.now() });
        if (node === CRASHING_NODE) verdicts.push({ dead: true, atMs: ctx.now() });
        ctx.log(`${node} declared dead`);
      },
    };
  });

  sim.at(configChangeAtMs, () => {
    for (const id of TEAM_A) {
      sim.withNode(id, (ctx) => {
        ctx.storage.set("heartbeatIntervalMs", intervalMsAfter);
        ctx.log(`team A: heartbeat interval ${intervalMsBefore} → ${intervalMsAfter} ms`);
      });
    }
  });
  sim.at(crashAtMs, () => sim.crash(CRASHING_NODE));
  sim.runFor(durationMs);

  const classified: Suspicion[] = suspicions.map((s) => ({
    ...s,
    correct: s.node === CRASHING_NODE && s.atMs >= crashAtMs,
  }));
  const falseOnes = classified.filter((s) => !s.correct);
  const finalVerdict = verdicts[verdicts.length - 1];
  const crashDetected = finalVerdict !== undefined && finalVerdict.dead;
  return {
    seed,
    trace: sim.trace,
    stats: sim.stats,
    timeoutSource,
    falseSuspicionsCount: falseOnes.length,
    falseSuspicionsBeforeChangeCount: falseOnes.filter((s) => s.atMs < configChangeAtMs).length,
    falseSuspicionsAfterChangeCount: falseOnes.filter((s) => s.atMs >= configChangeAtMs).length,
    crashDetected,
    detectionDelayMs: crashDetected ? Math.max(0, finalVerdict.atMs - crashAtMs) : null,
    suspicions: classified,
  };
}
