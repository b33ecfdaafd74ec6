// Fallacy 7, "transport cost is zero" (Deutsch's eight fallacies, 1994): messages are not free.
// The same task done chatty (one request per item) and batched, counted by the simulator's stats
// and priced by an explicit cost model in which per-message overhead is a stated assumption.

import { type LatencyModel, type NodeContext, type Process, Simulation } from "../sim/index.js";
import { integerOption, requireKnownOptions } from "../sim/assert.js";
import { choiceOption, numberOption, requireSeed } from "./options.js";
import type { ExperimentRun } from "./types.js";

/** One record to ship. */
export interface TransportItem {
  readonly id: number;
  readonly value: string;
}

/** The messages of the transport-cost experiment. */
export type TransportMessage =
  | { readonly type: "put"; readonly items: readonly TransportItem[] }
  | { readonly type: "ack"; readonly count: number };

/** One item per request, or `batchSize` items per request. */
export type TransportMode = "chatty" | "batched";

/**
 * What a message costs beyond its payload. These are modelling choices, not measurements: change
 * them to match the network and protocol you care about.
 */
export interface TransportCostModel {
  /**
   * Bytes of headers each message carries on top of its JSON payload. Default 40: an IPv4 header
   * (20) and a TCP header (20) without options, the bare minimum; Ethernet framing, TLS records and
   * HTTP headers add from tens to hundreds of bytes more.
   */
  readonly overheadBytesPerMessage?: number;
  /** Fixed cost per message (system calls, interrupts, request handling), in cost units. Default 1. */
  readonly costPerMessage?: number;
  /** Cost per byte on the wire, in cost units. Default 0.01 (so 100 bytes cost one message). */
  readonly costPerByte?: number;
}

/** Options of {@link runTransportCostExperiment}; every field has a default. */
export interface TransportCostOptions {
  /** Default `"chatty"`. */
  readonly mode?: TransportMode;
  /** Items to ship. Default 100. */
  readonly itemsCount?: number;
  /** Items per request in `"batched"` mode. Default 25. */
  readonly batchSize?: number;
  /** Characters in each item's value. Default 20. */
  readonly itemValueChars?: number;
  /** Latency of every link. Default fixed 5 ms. */
  readonly latency?: LatencyModel;
  readonly costModel?: TransportCostModel;
}

/** What {@link runTransportCostExperiment} measured. */
export interface TransportCostResult extends ExperimentRun {
  readonly mode: TransportMode;
  readonly itemsCount: number;
  /** Requests and acks sent (sim.stats.messagesSent). */
  readonly messagesCount: number;
  /** JSON payload bytes sent (sim.stats.bytesSent). */
  readonly payloadBytes: number;
  /** messagesCount x overheadBytesPerMessage: the modelled headers. */
  readonly overheadBytes: number;
  /** payloadBytes + overheadBytes. */
  readonly wireBytes: number;
  /** messagesCount x costPerMessage + wireBytes x costPerByte. */
  readonly cost: number;
  /** Simulated time until the last ack arrived (each request waits for the previous ack). */
  readonly completionMs: number;
  /** The model used, defaults filled in, so a table can show its assumptions. */
  readonly costModel: Required<TransportCostModel>;
}

const TRANSPORT_OPTIONS = [
  "mode",
  "itemsCount",
  "batchSize",
  "itemValueChars",
  "latency",
  "costModel",
];

/**
 * Fallacy 7, "transport cost is zero": a client ships `itemsCount` records to a server, each
 * request waiting for its ack. Chatty, it sends one request per item; batched, `batchSize` per
 * request. Returns messages and payload bytes as the simulator counted them, the modelled header
 * bytes, a cost from `costModel`, and the completion time (one round trip per request).
 *
 * @remarks The payload bytes are measured (JSON size of each message); the header bytes and costs
 * come from the cost model and are assumptions, stated in the result. The lesson does not depend
 * on their exact values: every message pays a fixed price in headers, processing and, when
 * requests wait for each other, a round trip. Batching has its own price: the first item waits
 * for the batch to fill (here all items are ready at once, so that wait is zero) and a lost batch
 * loses many items at once.
 *
 * @example
 * const chatty = runTransportCostExperiment(1);
 * const batched = runTransportCostExperiment(1, { mode: "batched" });
 * [chatty.messagesCount, batched.messagesCount]; // [200, 8]
 * [chatty.completionMs, batched.completionMs];   // [1000, 40]
 */
export function runTransportCostExperiment(
  seed: number,
  options: TransportCostOptions = {},
): TransportCostResult {
  requireSeed(seed);
  requireKnownOptions("runTransportCostExperiment options", options, TRANSPORT_OPTIONS);
  const mode = choiceOption("options.mode", options.mode, ["chatty", "batched"] as const, "chatty");
  const itemsCount = integerOption("options.itemsCount", options.itemsCount, 100, 1, 100_000);
  const batchSize =
    mode === "chatty" ? 1 : integerOption("options.batchSize", options.batchSize, 25, 1, 100_000);
  const itemValueChars = integerOption(
    "options.itemValueChars",
    options.itemValueChars,
    20,
    0,
    10_000,
  );
  const model = options.costModel ?? {};
  requireKnownOptions("options.costModel", model, [
    "overheadBytesPerMessage",
    "costPerMessage",
    "costPerByte",
  ]);
  const costModel: Required<TransportCostModel> = {
    overheadBytesPerMessage: numberOption(
      "options.costModel.overheadBytesPerMessage",
      model.overheadBytesPerMessage,
      40,
      0,
    ),
    costPerMessage: numberOption("options.costModel.costPerMessage", model.costPerMessage, 1, 0),
    costPerByte: numberOption("options.costModel.costPerByte", model.costPerByte, 0.01, 0),
  };

  const sim = new Simulation<TransportMessage>({
    seed,
    network: { latency: options.latency ?? { kind: "fixed", ms: 5 } },
  });
  let ackedCount = 0;
  let completionMs = 0;
  const client = (): Process<TransportMessage> => {
    // The items are data, made deterministically: item i has a value of itemValueChars letters.
    const items: TransportItem[] = Array.from({ length: itemsCount }, (_, id) => ({
      id,
      value: String.fromCharCode(97 + (id % 26)).repeat(itemValueChars),
    }));
    let nextIndex = 0;
    const sendNext = (ctx: NodeContext<TransportMessage>) => {
      if (nextIndex >= items.length) return;
      const batch = items.slice(nextIndex, nextIndex + batchSize);
      nextIndex += batch.length;
      ctx.send("server", { type: "put", items: batch });
    };
    return {
      onStart: sendNext,
      onMessage(ctx, message) {
        if (message.type !== "ack") return;
        ackedCount += message.count;
        if (ackedCount === itemsCount) completionMs = ctx.now();
        sendNext(ctx);
      },
    };
  };
  sim.addNode("client", client);
  sim.addNode("server", () => ({
    onMessage(ctx, message) {
      if (message.type !== "put") return;
      const stored = ctx.storage.get<number>("itemsStored") ?? 0;
      ctx.storage.set("itemsStored", stored + message.items.length);
      ctx.send(message.from, { type: "ack", count: message.items.length });
    },
  }));
  sim.runUntil(() => ackedCount === itemsCount, { timeMsMax: itemsCount * 600_000 });

  const stats = sim.stats;
  const overheadBytes = stats.messagesSent * costModel.overheadBytesPerMessage;
  const wireBytes = stats.bytesSent + overheadBytes;
  return {
    seed,
    trace: sim.trace,
    stats,
    mode,
    itemsCount,
    messagesCount: stats.messagesSent,
    payloadBytes: stats.bytesSent,
    overheadBytes,
    wireBytes,
    cost: stats.messagesSent * costModel.costPerMessage + wireBytes * costModel.costPerByte,
    completionMs,
    costModel,
  };
}
