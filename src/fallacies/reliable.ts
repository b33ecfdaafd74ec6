// Fallacy 1, "the network is reliable" (Deutsch's eight fallacies, 1994): a retried payment.
// Retrying on timeout turns lost messages into duplicates; an idempotency key that the server keeps
// in stable storage (Stripe's Idempotency-Key header is the industry form) makes it charge once.

import {
  type LatencyModel,
  type NodeContext,
  type Process,
  Simulation,
  invalidArgument,
} from "../sim/index.js";
import { integerOption, requireKnownOptions } from "../sim/assert.js";
import { choiceOption, numberOption, probabilityOption, requireSeed } from "./options.js";
import type { ExperimentRun } from "./types.js";

/**
 * How the server recognises a retried payment.
 * - `"none"`: it cannot; every `pay` that arrives is charged.
 * - `"inMemory"`: it remembers idempotency keys in a field of the process, lost at a crash.
 * - `"persisted"`: it keeps them in stable storage (`ctx.storage`), next to the ledger.
 */
export type IdempotencyKeys = "none" | "inMemory" | "persisted";

/** The messages of the payment experiment. */
export type PaymentMessage =
  | {
      readonly type: "pay";
      readonly amountCents: number;
      readonly attempt: number;
      /** Absent without idempotency keys: then the server cannot tell a retry from a new payment. */
      readonly idempotencyKey?: string;
    }
  | { readonly type: "paid"; readonly chargeId: number; readonly attempt: number };

/** Options of {@link runPaymentExperiment}; every field has a default. */
export interface PaymentOptions {
  /** Default `"none"`. */
  readonly idempotencyKeys?: IdempotencyKeys;
  /** The amount paid. Default 1000. */
  readonly amountCents?: number;
  /** Latency of every link. Default uniform 5-15 ms. */
  readonly latency?: LatencyModel;
  /** Probability that any message is lost. Default 0. */
  readonly dropProbability?: number;
  /** Probability that any message is delivered twice. Default 0. */
  readonly duplicateProbability?: number;
  /** Scripted loss: the first this many `pay` requests are lost. Default 0. */
  readonly lostRequestsCount?: number;
  /** Scripted loss: the first this many `paid` responses are lost. Default 0. */
  readonly lostResponsesCount?: number;
  /** The client retries when no `paid` came this long (its clock) after an attempt. Default 40. */
  readonly timeoutMs?: number;
  /** Attempts before the client gives up, not knowing whether it paid. Default 5. */
  readonly attemptsMax?: number;
  /** Crash the server at true time `atMs` and restart it `downMs` later. Default: no crash. */
  readonly serverCrash?: { readonly atMs: number; readonly downMs: number };
}

/** What one payment run measured. */
export interface PaymentResult extends ExperimentRun {
  readonly idempotencyKeys: IdempotencyKeys;
  /** Entries for this payment in the server's ledger: 1 is right, 2 or more is a double charge. */
  readonly chargesCount: number;
  /** Total money taken: chargesCount x amountCents. */
  readonly chargedCents: number;
  /** The client got a `paid` answer. */
  readonly acknowledged: boolean;
  /** The client used all attempts without an answer: it cannot know whether it paid. */
  readonly gaveUp: boolean;
  /** `pay` messages the client sent (first attempt plus retries). */
  readonly attemptsCount: number;
  /** Requests the server recognised as repeats of a known key and did not charge again. */
  readonly repeatsRecognisedCount: number;
}

/** Options of {@link runPaymentSeeds}: those of one run, plus which seeds to run. */
export interface PaymentSeedsOptions extends PaymentOptions {
  /** First seed. Default 1. */
  readonly seedFirst?: number;
  /** Seeds run: seedFirst, seedFirst + 1, ... Default 1000. */
  readonly runsCount?: number;
}

/** How often a payment was charged 0, 1 or 2+ times over many seeds. */
export interface PaymentDistribution {
  readonly idempotencyKeys: IdempotencyKeys;
  readonly runsCount: number;
  readonly chargedZeroCount: number;
  readonly chargedOnceCount: number;
  readonly chargedTwiceOrMoreCount: number;
  /** The most charges any one run made. */
  readonly chargesMax: number;
  readonly acknowledgedCount: number;
  readonly gaveUpCount: number;
  /** Runs where the client was told "paid" but the ledger does not hold exactly one charge. */
  readonly acknowledgedNotOnceCount: number;
  /** Up to 10 seeds that charged twice or more: replay one with {@link runPaymentExperiment}. */
  readonly seedsChargedTwiceOrMore: readonly number[];
}

const PAYMENT_OPTIONS = [
  "idempotencyKeys",
  "amountCents",
  "latency",
  "dropProbability",
  "duplicateProbability",
  "lostRequestsCount",
  "lostResponsesCount",
  "timeoutMs",
  "attemptsMax",
  "serverCrash",
];

interface PaymentSettings {
  readonly idempotencyKeys: IdempotencyKeys;
  readonly amountCents: number;
  readonly latency: LatencyModel;
  readonly dropProbability: number;
  readonly duplicateProbability: number;
  readonly lostRequestsCount: number;
  readonly lostResponsesCount: number;
  readonly timeoutMs: number;
  readonly attemptsMax: number;
  readonly serverCrash: { readonly atMs: number; readonly downMs: number } | undefined;
}

function paymentSettings(options: PaymentOptions): PaymentSettings {
  requireKnownOptions("payment options", options, PAYMENT_OPTIONS);
  const crash = options.serverCrash;
  if (crash !== undefined) {
    if (typeof crash !== "object" || crash === null) {
      throw invalidArgument("options.serverCrash", "an object { atMs, downMs }", crash);
    }
    numberOption("options.serverCrash.atMs", crash.atMs, 0, 0);
    numberOption("options.serverCrash.downMs", crash.downMs, 0, 0);
    if (crash.atMs === undefined || crash.downMs === undefined) {
      throw invalidArgument("options.serverCrash", "an object with both atMs and downMs", crash);
    }
  }
  return {
    idempotencyKeys: choiceOption(
      "options.idempotencyKeys",
      options.idempotencyKeys,
      ["none", "inMemory", "persisted"] as const,
      "none",
    ),
    amountCents: integerOption("options.amountCents", options.amountCents, 1000, 1),
    latency: options.latency ?? { kind: "uniform", minMs: 5, maxMs: 15 },
    dropProbability: probabilityOption("options.dropProbability", options.dropProbability, 0),
    duplicateProbability: probabilityOption(
      "options.duplicateProbability",
      options.duplicateProbability,
      0,
    ),
    lostRequestsCount: integerOption("options.lostRequestsCount", options.lostRequestsCount, 0, 0),
    lostResponsesCount: integerOption(
      "options.lostResponsesCount",
      options.lostResponsesCount,
      0,
      0,
    ),
    timeoutMs: numberOption("options.timeoutMs", options.timeoutMs, 40, 1),
    attemptsMax: integerOption("options.attemptsMax", options.attemptsMax, 5, 1, 1000),
    serverCrash: crash,
  };
}

const PAYMENT_KEY = "payment-1";

/** What the client saw; the harness reads it after the run (the client never crashes). */
interface ClientOutcome {
  attemptsCount: number;
  acknowledged: boolean;
  gaveUp: boolean;
}

function paymentClient(settings: PaymentSettings, outcome: ClientOutcome): Process<PaymentMessage> {
  let timer = -1;
  const attempt = (ctx: NodeContext<PaymentMessage>) => {
    outcome.attemptsCount++;
    const request: PaymentMessage =
      settings.idempotencyKeys === "none"
        ? { type: "pay", attempt: outcome.attemptsCount, amountCents: settings.amountCents }
        : {
            type: "pay",
            attempt: outcome.attemptsCount,
            idempotencyKey: PAYMENT_KEY,
            amountCents: settings.amountCents,
          };
    ctx.send("server", request);
    timer = ctx.setTimer(settings.timeoutMs, "payment timeout");
  };
  return {
    onStart: attempt,
    onMessage(ctx, message) {
      if (message.type !== "paid" || outcome.acknowledged || outcome.gaveUp) return;
      outcome.acknowledged = true;
      ctx.cancelTimer(timer);
      ctx.log(`paid (charge #${message.chargeId})`);
    },
    onTimer(ctx) {
      if (outcome.attemptsCount < settings.attemptsMax) {
        ctx.log("no answer: retry");
        attempt(ctx);
      } else {
        outcome.gaveUp = true;
        ctx.log("gave up: did it pay? unknown");
      }
    },
  };
}

interface LedgerEntry {
  readonly chargeId: number;
  readonly amountCents: number;
}

function paymentServer(settings: PaymentSettings): Process<PaymentMessage> {
  // Volatile: a new process (an empty map) is made at every restart.
  const keysInMemory = new Map<string, number>();
  return {
    onMessage(ctx, message) {
      if (message.type !== "pay") return;
      const key = message.idempotencyKey;
      if (settings.idempotencyKeys !== "none" && key !== undefined) {
        const known =
          settings.idempotencyKeys === "persisted"
            ? ctx.storage.get<number>(`idempotency:${key}`)
            : keysInMemory.get(key);
        if (known !== undefined) {
          ctx.storage.set(
            "repeatsRecognised",
            (ctx.storage.get<number>("repeatsRecognised") ?? 0) + 1,
          );
          ctx.log(`key ${key} seen: not charged again`);
          ctx.send(message.from, { type: "paid", chargeId: known, attempt: message.attempt });
          return;
        }
      }
      // The ledger is the money that moved: it lives in stable storage in every variant. In a real
      // database the ledger entry and the idempotency record go in one transaction; here one
      // handler runs atomically, which is the same guarantee.
      const ledger = ctx.storage.get<LedgerEntry[]>("ledger") ?? [];
      const chargeId = ledger.length + 1;
      ledger.push({ chargeId, amountCents: message.amountCents });
      ctx.storage.set("ledger", ledger);
      if (key !== undefined) {
        if (settings.idempotencyKeys === "persisted")
          ctx.storage.set(`idempotency:${key}`, chargeId);
        if (settings.idempotencyKeys === "inMemory") keysInMemory.set(key, chargeId);
      }
      ctx.log(`charged ${message.amountCents} (charge #${chargeId})`);
      ctx.send(message.from, { type: "paid", chargeId, attempt: message.attempt });
    },
  };
}

function simulatePayment(seed: number, settings: PaymentSettings, tracing: boolean): PaymentResult {
  const sim = new Simulation<PaymentMessage>({
    seed,
    network: {
      latency: settings.latency,
      dropProbability: settings.dropProbability,
      duplicateProbability: settings.duplicateProbability,
    },
    traceEventsMax: tracing ? 100_000 : 0,
  });
  const outcome: ClientOutcome = { attemptsCount: 0, acknowledged: false, gaveUp: false };
  sim.addNode("client", () => paymentClient(settings, outcome));
  sim.addNode("server", () => paymentServer(settings));

  // Scripted losses: a link that loses everything until it has carried the given number of
  // messages of one type, then goes back to the network's settings.
  const scripts = [
    { from: "client", to: "server", type: "pay", count: settings.lostRequestsCount, on: false },
    { from: "server", to: "client", type: "paid", count: settings.lostResponsesCount, on: false },
  ];
  for (const script of scripts) {
    if (script.count === 0) continue;
    sim.configureLink(script.from, script.to, { dropProbability: 1 });
    script.on = true;
  }
  const crash = settings.serverCrash;
  if (crash !== undefined) {
    sim.at(crash.atMs, () => sim.crash("server"));
    sim.at(crash.atMs + crash.downMs, () => sim.restart("server"));
  }
  const timeMsMax =
    settings.attemptsMax * settings.timeoutMs + (crash ? crash.atMs + crash.downMs : 0) + 60_000;
  sim.runUntil(
    () => {
      for (const script of scripts) {
        if (script.on && (sim.stats.sentByType[script.type] ?? 0) >= script.count) {
          sim.configureLink(script.from, script.to, { dropProbability: settings.dropProbability });
          script.on = false;
        }
      }
      // Done when the client has decided and nothing (late duplicates, a restart) is pending.
      return (outcome.acknowledged || outcome.gaveUp) && sim.pendingEvents === 0;
    },
    { timeMsMax },
  );
  const storage = sim.storageOf("server");
  const ledger = (storage.get("ledger") ?? []) as LedgerEntry[];
  return {
    seed,
    trace: sim.trace,
    stats: sim.stats,
    idempotencyKeys: settings.idempotencyKeys,
    chargesCount: ledger.length,
    chargedCents: ledger.reduce((sum, entry) => sum + entry.amountCents, 0),
    acknowledged: outcome.acknowledged,
    gaveUp: outcome.gaveUp,
    attemptsCount: outcome.attemptsCount,
    repeatsRecognisedCount: (storage.get("repeatsRecognised") ?? 0) as number,
  };
}

/**
 * Fallacy 1, "the network is reliable": one client pays a server once, over a network that may
 * lose or duplicate messages, and retries when no answer comes within `timeoutMs`. Counts how many
 * times the server's ledger charged the payment.
 *
 * The client cannot tell a lost request (retrying is right) from a lost response (retrying charges
 * again): both look like silence. Without idempotency keys a lost response, or a duplicated
 * request, means two charges. With keys kept in memory, a server crash between the charge and the
 * retry forgets the key and charges again; with keys persisted next to the ledger it charges once.
 *
 * @remarks The usual advice "the network is unreliable, so add retries" is half an answer: retries
 * give at-least-once delivery, which for a non-idempotent operation means at-least-once
 * charging. Retries are only safe together with deduplication that survives restarts. And a client
 * that gives up still does not know whether it paid: it must ask (query by key) rather than guess.
 *
 * @example
 * const naive = runPaymentExperiment(1, { lostResponsesCount: 1 });
 * naive.chargesCount; // 2: the response was lost, the retry charged again
 * const keyed = runPaymentExperiment(1, { lostResponsesCount: 1, idempotencyKeys: "persisted" });
 * keyed.chargesCount; // 1
 * toMermaidSequence(keyed.trace, { label: fallacyLabel });
 */
export function runPaymentExperiment(seed: number, options: PaymentOptions = {}): PaymentResult {
  return simulatePayment(requireSeed(seed), paymentSettings(options), true);
}

/**
 * Runs {@link runPaymentExperiment} for `runsCount` consecutive seeds, without traces, and counts
 * how often the payment was charged 0, 1 or 2+ times. Defaults add random faults to show the
 * distribution: 10 % loss and 5 % duplication unless given.
 *
 * @example
 * const naive = runPaymentSeeds({ runsCount: 1000 });
 * const keyed = runPaymentSeeds({ runsCount: 1000, idempotencyKeys: "persisted" });
 * naive.chargedTwiceOrMoreCount > 0; // true
 * keyed.chargedTwiceOrMoreCount;     // 0
 */
export function runPaymentSeeds(options: PaymentSeedsOptions = {}): PaymentDistribution {
  requireKnownOptions("runPaymentSeeds options", options, [
    ...PAYMENT_OPTIONS,
    "seedFirst",
    "runsCount",
  ]);
  const { seedFirst: seedFirstOption, runsCount: runsCountOption, ...runOptions } = options;
  const settings = paymentSettings({
    ...runOptions,
    dropProbability: runOptions.dropProbability ?? 0.1,
    duplicateProbability: runOptions.duplicateProbability ?? 0.05,
  });
  const seedFirst = requireSeed(seedFirstOption ?? 1, "options.seedFirst");
  const runsCount = integerOption("options.runsCount", runsCountOption, 1000, 1, 1_000_000);
  requireSeed(seedFirst + runsCount - 1, "options.seedFirst + options.runsCount - 1");
  let chargedZeroCount = 0;
  let chargedOnceCount = 0;
  let chargedTwiceOrMoreCount = 0;
  let chargesMax = 0;
  let acknowledgedCount = 0;
  let gaveUpCount = 0;
  let acknowledgedNotOnceCount = 0;
  const seedsChargedTwiceOrMore: number[] = [];
  for (let seed = seedFirst; seed < seedFirst + runsCount; seed++) {
    const run = simulatePayment(seed, settings, false);
    if (run.chargesCount === 0) chargedZeroCount++;
    else if (run.chargesCount === 1) chargedOnceCount++;
    else {
      chargedTwiceOrMoreCount++;
      if (seedsChargedTwiceOrMore.length < 10) seedsChargedTwiceOrMore.push(seed);
    }
    chargesMax = Math.max(chargesMax, run.chargesCount);
    if (run.acknowledged) acknowledgedCount++;
    if (run.gaveUp) gaveUpCount++;
    if (run.acknowledged && run.chargesCount !== 1) acknowledgedNotOnceCount++;
  }
  return {
    idempotencyKeys: settings.idempotencyKeys,
    runsCount,
    chargedZeroCount,
    chargedOnceCount,
    chargedTwiceOrMoreCount,
    chargesMax,
    acknowledgedCount,
    gaveUpCount,
    acknowledgedNotOnceCount,
    seedsChargedTwiceOrMore,
  };
}
