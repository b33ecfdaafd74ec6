// Fallacy 8, "the network is homogeneous" (Gosling's addition to Deutsch's list, 1997): mixed
// versions. During a rolling upgrade a v2 gateway talks to a v1 ledger that predates a new field;
// strict readers reject, tolerant readers misread, version negotiation gets both right.

import { type LatencyModel, type NodeContext, type Process, Simulation } from "../sim/index.js";
import { integerOption, requireKnownOptions } from "../sim/assert.js";
import { choiceOption, probabilityOption, requireSeed } from "./options.js";
import type { ExperimentRun } from "./types.js";

/** The currencies of the experiment; v1 knows only USD. */
export type Currency = "USD" | "EUR";

/** The messages of the mixed-version experiment. v1 `charge` has only id and amountCents. */
export type VersionedMessage =
  | {
      readonly type: "charge";
      readonly id: number;
      readonly amountCents: number;
      /** Added in v2. A v1 reader assumes USD. */
      readonly currency?: Currency;
      /** Added in v2, for tracing only: safe to ignore. */
      readonly traceId?: string;
    }
  | { readonly type: "applied"; readonly id: number }
  | { readonly type: "rejected"; readonly id: number; readonly reason: string }
  | { readonly type: "hello"; readonly versions: readonly number[] }
  | { readonly type: "helloAck"; readonly version: number };

/**
 * How the mixed-version cluster copes.
 * - `"strictReader"`: v1 rejects any message with a field it does not know.
 * - `"tolerantReader"`: v1 ignores fields it does not know (Postel's robustness principle).
 * - `"negotiated"`: the gateway asks each ledger its version first, sends v1 peers only what v1
 *   can express, and routes the rest to v2 peers.
 */
export type MixedVersionMode = "strictReader" | "tolerantReader" | "negotiated";

/** Options of {@link runMixedVersionExperiment}; every field has a default. */
export interface MixedVersionOptions {
  /** Default `"tolerantReader"`. */
  readonly mode?: MixedVersionMode;
  /** Charges the gateway sends, round robin over the ledgers. Default 20. */
  readonly chargesCount?: number;
  /** Probability that a charge is in EUR rather than USD. Default 0.3. */
  readonly nonUsdProbability?: number;
  /** Latency of every link. Default uniform 1-5 ms. */
  readonly latency?: LatencyModel;
}

/** What {@link runMixedVersionExperiment} measured. */
export interface MixedVersionResult extends ExperimentRun {
  readonly mode: MixedVersionMode;
  readonly chargesCount: number;
  /** Charges recorded with the right amount and currency. */
  readonly appliedCorrectlyCount: number;
  /** Charges a ledger refused. */
  readonly rejectedCount: number;
  /** Charges recorded in the wrong currency: silently wrong money. */
  readonly misreadCount: number;
  /** Charges the v1 ledger received. */
  readonly sentToV1Count: number;
}

const VERSION_OPTIONS = ["mode", "chargesCount", "nonUsdProbability", "latency"];
const LEDGERS: readonly { readonly id: string; readonly version: number }[] = [
  { id: "ledgerA", version: 2 },
  { id: "ledgerB", version: 1 },
];
const V1_CHARGE_FIELDS = ["type", "id", "amountCents", "from", "to"];

interface LedgerEntry {
  readonly id: number;
  readonly amountCents: number;
  readonly currency: Currency;
}

function ledger(version: number, mode: MixedVersionMode): Process<VersionedMessage> {
  return {
    onMessage(ctx, message) {
      if (message.type === "hello") {
        // Agree on the highest version both speak; every version speaks 1, so there is one.
        const common = message.versions.filter((v) => v <= version);
        ctx.send(message.from, { type: "helloAck", version: Math.max(1, ...common) });
        return;
      }
      if (message.type !== "charge") return;
      let currency: Currency;
      if (version >= 2) currency = message.currency ?? "USD";
      else {
        const unknown = Object.keys(message).filter((key) => !V1_CHARGE_FIELDS.includes(key));
        if (unknown.length > 0 && mode === "strictReader") {
          ctx.log(`v1: unknown field ${unknown.join(", ")}: rejected`);
          ctx.send(message.from, {
            type: "rejected",
            id: message.id,
            reason: `unknown field ${unknown[0]}`,
          });
          return;
        }
        currency = "USD"; // all v1 knows: unknown fields were skipped
      }
      const entries = ctx.storage.get<LedgerEntry[]>("entries") ?? [];
      ctx.storage.set("entries", [
        ...entries,
        { id: message.id, amountCents: message.amountCents, currency },
      ]);
      ctx.log(`v${version}: recorded ${message.amountCents} ${currency}`);
      ctx.send(message.from, { type: "applied", id: message.id });
    },
  };
}

/**
 * Fallacy 8, "the network is homogeneous": a gateway already upgraded to v2 sends charges, round
 * robin, to ledger A (v2) and ledger B (still v1). v2 added two fields: `traceId` (harmless to
 * ignore) and `currency` (changes what `amountCents` means). Counts charges recorded correctly,
 * rejected, and misread.
 *
 * - A strict v1 reader rejects every v2 charge, even USD ones, over a field it could have ignored.
 * - A tolerant v1 reader accepts them all and records EUR amounts as USD: no error, wrong money.
 * - Negotiation (the gateway learns each peer's version, sends v1 peers only v1-shaped USD
 *   charges and routes EUR ones to v2 peers) records every charge correctly.
 *
 * @remarks "Be liberal in what you accept" (tolerant readers) is the right default for additive,
 * optional fields, and the wrong one for a field that changes the meaning of others. Schema
 * evolution rules (protobuf's unknown fields, Avro's reader and writer schemas) encode exactly
 * this split; a change of meaning needs a new field name, a new message type, or a version the
 * two sides agree on. Heterogeneity is also hardware, operating systems, languages and
 * networks; versions are the part every rolling upgrade meets.
 *
 * @example
 * runMixedVersionExperiment(1, { mode: "strictReader" }).rejectedCount;  // the charges sent to v1
 * runMixedVersionExperiment(1, { mode: "tolerantReader" }).misreadCount; // EUR charges sent to v1
 * runMixedVersionExperiment(1, { mode: "negotiated" }).appliedCorrectlyCount; // every charge
 */
export function runMixedVersionExperiment(
  seed: number,
  options: MixedVersionOptions = {},
): MixedVersionResult {
  requireSeed(seed);
  requireKnownOptions("runMixedVersionExperiment options", options, VERSION_OPTIONS);
  const mode = choiceOption(
    "options.mode",
    options.mode,
    ["strictReader", "tolerantReader", "negotiated"] as const,
    "tolerantReader",
  );
  const chargesCount = integerOption("options.chargesCount", options.chargesCount, 20, 1, 100_000);
  const nonUsdProbability = probabilityOption(
    "options.nonUsdProbability",
    options.nonUsdProbability,
    0.3,
  );
  const sim = new Simulation<VersionedMessage>({
    seed,
    network: { latency: options.latency ?? { kind: "uniform", minMs: 1, maxMs: 5 } },
  });
  const sent = new Map<number, { amountCents: number; currency: Currency; ledger: string }>();
  const rejected = new Set<number>();

  sim.addNode("gateway", () => {
    const peerVersions = new Map<string, number>();
    const sendCharges = (ctx: NodeContext<VersionedMessage>) => {
      let next = 0;
      for (let id = 1; id <= chargesCount; id++) {
        const currency: Currency = ctx.random() < nonUsdProbability ? "EUR" : "USD";
        const amountCents = ctx.randomInt(1, 100) * 100;
        // Round robin; once negotiated, only peers that can express the currency are candidates.
        const candidates = LEDGERS.filter(
          (l) => mode !== "negotiated" || currency === "USD" || (peerVersions.get(l.id) ?? 1) >= 2,
        );
        const target = candidates[next++ % candidates.length] as (typeof LEDGERS)[number];
        sent.set(id, { amountCents, currency, ledger: target.id });
        const v1Only = mode === "negotiated" && (peerVersions.get(target.id) ?? 1) < 2;
        ctx.send(
          target.id,
          v1Only
            ? { type: "charge", id, amountCents }
            : { type: "charge", id, amountCents, currency, traceId: `trace-${id}` },
        );
      }
    };
    return {
      onStart(ctx) {
        if (mode !== "negotiated") return sendCharges(ctx);
        for (const l of LEDGERS) ctx.send(l.id, { type: "hello", versions: [1, 2] });
      },
      onMessage(ctx, message) {
        if (message.type === "rejected") rejected.add(message.id);
        if (message.type !== "helloAck") return;
        peerVersions.set(message.from, message.version);
        ctx.log(`${message.from} speaks v${message.version}`);
        if (peerVersions.size === LEDGERS.length) sendCharges(ctx);
      },
    };
  });
  for (const l of LEDGERS) sim.addNode(l.id, () => ledger(l.version, mode));
  sim.runUntil(() => sim.pendingEvents === 0, { timeMsMax: 600_000 });

  let appliedCorrectlyCount = 0;
  let misreadCount = 0;
  for (const l of LEDGERS) {
    const entries = (sim.storageOf(l.id).get("entries") ?? []) as LedgerEntry[];
    for (const entry of entries) {
      const truth = sent.get(entry.id);
      if (truth === undefined) continue;
      if (truth.currency === entry.currency && truth.amountCents === entry.amountCents) {
        appliedCorrectlyCount++;
      } else misreadCount++;
    }
  }
  return {
    seed,
    trace: sim.trace,
    stats: sim.stats,
    mode,
    chargesCount,
    appliedCorrectlyCount,
    rejectedCount: rejected.size,
    misreadCount,
    sentToV1Count: [...sent.values()].filter((s) => s.ledger === "ledgerB").length,
  };
}
