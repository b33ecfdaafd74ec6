// The third challenge, an unreliable network: messages are lost, duplicated and reordered.
// A sender numbers its messages and the receiver reports what arrived, in what order, how often.

import { type LatencyModel, Simulation, invalidArgument } from "../sim/index.js";
import { integerOption, requireKnownOptions } from "../sim/assert.js";
import { numberOption, probabilityOption, requireSeed } from "./options.js";
import type { ExperimentRun } from "./types.js";

/** The one message of the unreliable-network experiment. */
export type NumberedMessage = { readonly type: "msg"; readonly seq: number };

/** Options of {@link runUnreliableNetworkExperiment}; every field has a default. */
export interface UnreliableNetworkOptions {
  /** Messages sent, numbered 0, 1, ... Default 20. */
  readonly messagesCount?: number;
  /** Default 0.1. */
  readonly dropProbability?: number;
  /** Default 0.1. */
  readonly duplicateProbability?: number;
  /** Whether later messages may overtake earlier ones. Default true. */
  readonly reorder?: boolean;
  /** Default uniform 1-20 ms. */
  readonly latency?: LatencyModel;
  /** Time between two sends. Default 2 ms. */
  readonly sendIntervalMs?: number;
}

/** What {@link runUnreliableNetworkExperiment} measured. */
export interface UnreliableNetworkResult extends ExperimentRun {
  readonly sentCount: number;
  /** Deliveries, duplicates included. */
  readonly deliveredCount: number;
  /** Sequence numbers never delivered. */
  readonly lostSeqs: readonly number[];
  /** Deliveries of a sequence number already delivered. */
  readonly duplicatesCount: number;
  /** First deliveries of a number smaller than one delivered before it. */
  readonly outOfOrderCount: number;
  /** Sequence numbers in the order they arrived. */
  readonly receivedOrder: readonly number[];
}

const UNRELIABLE_OPTIONS = [
  "messagesCount",
  "dropProbability",
  "duplicateProbability",
  "reorder",
  "latency",
  "sendIntervalMs",
];

/**
 * The challenge of an unreliable network: a sender sends `messagesCount` numbered messages, one
 * every `sendIntervalMs`; the network loses, duplicates and reorders them. Returns what was lost,
 * duplicated and out of order, as the receiver saw it.
 *
 * @remarks Sequence numbers are what lets the receiver see these faults at all; TCP repairs them
 * within one connection (acknowledgements, retransmission, reordering buffers), but not across a
 * reconnect or a crash, which is why fallacy 1's payment needs its own idempotency key.
 *
 * @example
 * const result = runUnreliableNetworkExperiment(1);
 * [result.lostSeqs.length, result.duplicatesCount, result.outOfOrderCount];
 */
export function runUnreliableNetworkExperiment(
  seed: number,
  options: UnreliableNetworkOptions = {},
): UnreliableNetworkResult {
  requireSeed(seed);
  requireKnownOptions("runUnreliableNetworkExperiment options", options, UNRELIABLE_OPTIONS);
  const messagesCount = integerOption(
    "options.messagesCount",
    options.messagesCount,
    20,
    1,
    100_000,
  );
  const dropProbability = probabilityOption(
    "options.dropProbability",
    options.dropProbability,
    0.1,
  );
  const duplicateProbability = probabilityOption(
    "options.duplicateProbability",
    options.duplicateProbability,
    0.1,
  );
  const sendIntervalMs = numberOption("options.sendIntervalMs", options.sendIntervalMs, 2, 0);
  const reorder = options.reorder ?? true;
  if (typeof reorder !== "boolean") {
    throw invalidArgument("options.reorder", "true or false", reorder);
  }
  const sim = new Simulation<NumberedMessage>({
    seed,
    network: {
      latency: options.latency ?? { kind: "uniform", minMs: 1, maxMs: 20 },
      dropProbability,
      duplicateProbability,
      reorder,
    },
  });
  const receivedOrder: number[] = [];
  sim.addNode("sender", () => ({
    onStart(ctx) {
      ctx.setTimer(0, "send", 0);
    },
    onMessage() {},
    onTimer(ctx, timer) {
      const seq = timer.data as number;
      ctx.send("receiver", { type: "msg", seq });
      if (seq + 1 < messagesCount) ctx.setTimer(sendIntervalMs, "send", seq + 1);
    },
  }));
  sim.addNode("receiver", () => ({
    onMessage(_ctx, message) {
      receivedOrder.push(message.seq);
    },
  }));
  sim.runUntil(() => sim.pendingEvents === 0, { timeMsMax: 3_600_000 });

  const seen = new Set<number>();
  let duplicatesCount = 0;
  let outOfOrderCount = 0;
  let highest = -1;
  for (const seq of receivedOrder) {
    if (seen.has(seq)) {
      duplicatesCount++;
      continue;
    }
    seen.add(seq);
    if (seq < highest) outOfOrderCount++;
    highest = Math.max(highest, seq);
  }
  const lostSeqs: number[] = [];
  for (let seq = 0; seq < messagesCount; seq++) if (!seen.has(seq)) lostSeqs.push(seq);
  return {
    seed,
    trace: sim.trace,
    stats: sim.stats,
    sentCount: messagesCount,
    deliveredCount: receivedOrder.length,
    lostSeqs,
    duplicatesCount,
    outOfOrderCount,
    receivedOrder,
  };
}
