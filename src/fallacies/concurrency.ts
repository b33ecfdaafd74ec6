// The fourth challenge, concurrency: two clients increment one counter at the same time.
// Read-modify-write over the network loses updates; compare-and-set on a version (optimistic
// concurrency control, Kung and Robinson 1981) turns every lost update into a retry.

import { type LatencyModel, type NodeContext, Simulation } from "../sim/index.js";
import { integerOption, requireKnownOptions } from "../sim/assert.js";
import { choiceOption, requireSeed } from "./options.js";
import type { ExperimentRun } from "./types.js";

/** The messages of the lost-update experiment. */
export type CounterMessage =
  | { readonly type: "read" }
  | { readonly type: "value"; readonly value: number; readonly version: number }
  | { readonly type: "write"; readonly value: number }
  | { readonly type: "written" }
  | { readonly type: "cas"; readonly expectedVersion: number; readonly value: number }
  | {
      readonly type: "casResult";
      readonly ok: boolean;
      readonly value: number;
      readonly version: number;
    };

/** How a client increments: read then write, or read then compare-and-set. */
export type IncrementMode = "readModifyWrite" | "compareAndSet";

/** Options of {@link runLostUpdateExperiment}; every field has a default. */
export interface LostUpdateOptions {
  /** Default `"readModifyWrite"`. */
  readonly mode?: IncrementMode;
  /** Clients incrementing at once. Default 2. */
  readonly clientsCount?: number;
  /** Increments each client makes, one after another. Default 5. */
  readonly incrementsPerClient?: number;
  /** Compare-and-set attempts per increment before it is an error. Default 100. */
  readonly attemptsMax?: number;
  /** Latency of every link. Default uniform 1-10 ms. */
  readonly latency?: LatencyModel;
}

/** What {@link runLostUpdateExperiment} measured. */
export interface LostUpdateResult extends ExperimentRun {
  readonly mode: IncrementMode;
  /** clientsCount x incrementsPerClient: what the counter should end at. */
  readonly incrementsCount: number;
  readonly finalValue: number;
  /** incrementsCount - finalValue. */
  readonly lostUpdatesCount: number;
  /** Compare-and-set calls refused because another client had written in between. */
  readonly conflictsCount: number;
}

const LOST_UPDATE_OPTIONS = [
  "mode",
  "clientsCount",
  "incrementsPerClient",
  "attemptsMax",
  "latency",
];

/**
 * The challenge of concurrency: `clientsCount` clients each increment a counter on a server
 * `incrementsPerClient` times. With `"readModifyWrite"` a client reads the value, adds one and
 * writes the sum; two clients that read the same value both write the same sum and one increment
 * is lost. With `"compareAndSet"` the write names the version it read, the server refuses it if
 * the counter moved on, and the client retries from the fresh value: none is lost.
 *
 * @remarks The read-modify-write pattern is the natural first sketch of a counter or a balance
 * update, and it is wrong as soon as two nodes run it at once; no amount of care in each client
 * fixes it. The server must decide: compare-and-set, an atomic increment operation, a lock, or a
 * data type that merges concurrent updates (a CRDT counter).
 *
 * @example
 * runLostUpdateExperiment(1).lostUpdatesCount;                            // > 0
 * runLostUpdateExperiment(1, { mode: "compareAndSet" }).lostUpdatesCount; // 0
 */
export function runLostUpdateExperiment(
  seed: number,
  options: LostUpdateOptions = {},
): LostUpdateResult {
  requireSeed(seed);
  requireKnownOptions("runLostUpdateExperiment options", options, LOST_UPDATE_OPTIONS);
  const mode = choiceOption(
    "options.mode",
    options.mode,
    ["readModifyWrite", "compareAndSet"] as const,
    "readModifyWrite",
  );
  const clientsCount = integerOption("options.clientsCount", options.clientsCount, 2, 1, 100);
  const incrementsPerClient = integerOption(
    "options.incrementsPerClient",
    options.incrementsPerClient,
    5,
    1,
    10_000,
  );
  const attemptsMax = integerOption("options.attemptsMax", options.attemptsMax, 100, 1, 100_000);
  const sim = new Simulation<CounterMessage>({
    seed,
    network: { latency: options.latency ?? { kind: "uniform", minMs: 1, maxMs: 10 } },
  });
  let conflictsCount = 0;
  let clientsDone = 0;

  sim.addNode("server", () => ({
    onMessage(ctx, message) {
      const value = ctx.storage.get<number>("value") ?? 0;
      const version = ctx.storage.get<number>("version") ?? 0;
      const store = (next: number) => {
        ctx.storage.set("value", next);
        ctx.storage.set("version", version + 1);
      };
      if (message.type === "read") ctx.send(message.from, { type: "value", value, version });
      else if (message.type === "write") {
        store(message.value);
        ctx.send(message.from, { type: "written" });
      } else if (message.type === "cas") {
        const ok = message.expectedVersion === version;
        if (ok) store(message.value);
        else ctx.log(`cas refused: version ${message.expectedVersion} is stale, now ${version}`);
        ctx.send(message.from, {
          type: "casResult",
          ok,
          value: ok ? message.value : value,
          version: ok ? version + 1 : version,
        });
      }
    },
  }));

  const client = () => {
    let done = 0;
    let attempts = 0;
    const next = (ctx: NodeContext<CounterMessage>) => {
      if (done === incrementsPerClient) {
        clientsDone++;
        return;
      }
      attempts = 0;
      ctx.send("server", { type: "read" });
    };
    const tryCas = (ctx: NodeContext<CounterMessage>, value: number, version: number) => {
      attempts++;
      if (attempts > attemptsMax) {
        throw new RangeError(
          `client ${ctx.id}: compare-and-set failed attemptsMax=${attemptsMax} times in a row; ` +
            "raise attemptsMax or lower the contention",
        );
      }
      ctx.send("server", { type: "cas", expectedVersion: version, value: value + 1 });
    };
    return {
      onStart: next,
      onMessage(ctx: NodeContext<CounterMessage>, message: CounterMessage) {
        if (message.type === "value") {
          if (mode === "readModifyWrite")
            ctx.send("server", { type: "write", value: message.value + 1 });
          else tryCas(ctx, message.value, message.version);
        } else if (message.type === "written") {
          done++;
          next(ctx);
        } else if (message.type === "casResult") {
          if (message.ok) {
            done++;
            next(ctx);
          } else {
            conflictsCount++;
            tryCas(ctx, message.value, message.version);
          }
        }
      },
    };
  };
  for (let i = 1; i <= clientsCount; i++) sim.addNode(`client${i}`, client);
  sim.runUntil(() => clientsDone === clientsCount, { timeMsMax: 3_600_000 });
  const finalValue = (sim.storageOf("server").get("value") ?? 0) as number;
  const incrementsCount = clientsCount * incrementsPerClient;
  return {
    seed,
    trace: sim.trace,
    stats: sim.stats,
    mode,
    incrementsCount,
    finalValue,
    lostUpdatesCount: incrementsCount - finalValue,
    conflictsCount,
  };
}
