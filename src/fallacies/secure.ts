// Fallacy 4, "the network is secure" (Deutsch's eight fallacies, 1994): a man in the middle.
// The simulator's tamper hook rewrites transfers in flight; an HMAC-SHA-256 tag (RFC 2104) over the
// fields under a shared key lets the bank reject every altered transfer.

import { type LatencyModel, Simulation, type TamperHook } from "../sim/index.js";
import { constantTimeEqual, hmacSha256Hex } from "./hmac.js";
import { integerOption, requireKnownOptions } from "../sim/assert.js";
import { choiceOption, probabilityOption, requireSeed, stringOption } from "./options.js";
import type { ExperimentRun } from "./types.js";

/** The messages of the tamper experiment. */
export type TransferMessage =
  | {
      readonly type: "transfer";
      readonly transferId: number;
      readonly toAccount: string;
      readonly amountCents: number;
      /** HMAC-SHA-256 (hex) of {@link transferSigningText}; absent without integrity. */
      readonly mac?: string;
    }
  | { readonly type: "applied"; readonly transferId: number }
  | { readonly type: "rejected"; readonly transferId: number; readonly reason: string };

/** Whether transfers carry a message authentication code. */
export type IntegrityMode = "none" | "hmac";

/** Options of {@link runTamperExperiment}; every field has a default. */
export interface TamperOptions {
  /** Default `"none"`. */
  readonly integrity?: IntegrityMode;
  /** Transfers the client sends. Default 5. */
  readonly transfersCount?: number;
  /** Probability that the attacker alters a given transfer. Default 0.6. */
  readonly tamperProbability?: number;
  /** The attacker multiplies the amount by this. Default 100. */
  readonly amountMultiplier?: number;
  /** The key client and bank share, agreed out of band. Default "client-bank shared key". */
  readonly sharedKey?: string;
  /**
   * When set, the attacker also recomputes the tag with this key. A wrong guess is still rejected;
   * the shared key itself (a stolen key) passes, which is the limit of any MAC. Default: unset.
   */
  readonly attackerKey?: string;
  /** Latency of every link. Default uniform 2-8 ms. */
  readonly latency?: LatencyModel;
}

/** What {@link runTamperExperiment} measured. */
export interface TamperResult extends ExperimentRun {
  readonly integrity: IntegrityMode;
  readonly transfersCount: number;
  /** Transfers the attacker altered in flight. */
  readonly tamperedCount: number;
  /** Transfers the bank applied, and how many of those had been altered. */
  readonly appliedCount: number;
  readonly appliedTamperedCount: number;
  /** Transfers the bank rejected, and how many of those had not been altered (false alarms). */
  readonly rejectedCount: number;
  readonly rejectedUntamperedCount: number;
  /** What the client meant to move, and what the bank moved. */
  readonly sentTotalCents: number;
  readonly appliedTotalCents: number;
}

const TAMPER_OPTIONS = [
  "integrity",
  "transfersCount",
  "tamperProbability",
  "amountMultiplier",
  "sharedKey",
  "attackerKey",
  "latency",
];

/**
 * The exact text a transfer's tag covers: its fields as a JSON array, so field boundaries cannot be
 * shifted ("1|23" vs "12|3") and every field the bank acts on is covered.
 *
 * @example
 * transferSigningText(7, "bob", 2500); // '["transfer",7,"bob",2500]'
 */
export function transferSigningText(
  transferId: number,
  toAccount: string,
  amountCents: number,
): string {
  return JSON.stringify(["transfer", transferId, toAccount, amountCents]);
}

/**
 * Fallacy 4, "the network is secure": a client sends `transfersCount` transfers to a bank; an
 * attacker on the wire (the simulator's tamper hook) multiplies the amount of some of them. With
 * `integrity: "none"` the bank applies whatever arrives. With `"hmac"` each transfer carries
 * HMAC-SHA-256 over its fields under a key only client and bank hold; the bank recomputes it and
 * rejects a mismatch, so every altered transfer is rejected and no honest one is.
 *
 * @remarks A MAC gives integrity and authenticity, nothing else: the attacker still reads every
 * amount (no confidentiality), can still drop transfers, and could replay a captured one unchanged
 * unless the bank also rejects a transferId it has seen. Anyone holding the key can forge (see
 * `attackerKey`). In practice use TLS, or mutual TLS between services, rather than a hand-made
 * scheme; this one exists to show the mechanism.
 *
 * @example
 * runTamperExperiment(1).appliedTamperedCount;                        // > 0: altered amounts applied
 * runTamperExperiment(1, { integrity: "hmac" }).appliedTamperedCount; // 0
 */
export function runTamperExperiment(seed: number, options: TamperOptions = {}): TamperResult {
  requireSeed(seed);
  requireKnownOptions("runTamperExperiment options", options, TAMPER_OPTIONS);
  const integrity = choiceOption(
    "options.integrity",
    options.integrity,
    ["none", "hmac"] as const,
    "none",
  );
  const transfersCount = integerOption(
    "options.transfersCount",
    options.transfersCount,
    5,
    1,
    10_000,
  );
  const tamperProbability = probabilityOption(
    "options.tamperProbability",
    options.tamperProbability,
    0.6,
  );
  const amountMultiplier = integerOption(
    "options.amountMultiplier",
    options.amountMultiplier,
    100,
    2,
  );
  const sharedKey = stringOption("options.sharedKey", options.sharedKey, "client-bank shared key");
  const attackerKey =
    options.attackerKey === undefined
      ? undefined
      : stringOption("options.attackerKey", options.attackerKey, "");

  const sim = new Simulation<TransferMessage>({
    seed,
    network: { latency: options.latency ?? { kind: "uniform", minMs: 2, maxMs: 8 } },
  });
  const sentCents = new Map<number, number>();
  const tampered = new Set<number>();
  const applied = new Map<number, number>();
  const rejected = new Set<number>();

  sim.addNode("client", () => ({
    onStart(ctx) {
      for (let transferId = 1; transferId <= transfersCount; transferId++) {
        const amountCents = ctx.randomInt(1, 100) * 100;
        sentCents.set(transferId, amountCents);
        const toAccount = "bob";
        const body = { type: "transfer" as const, transferId, toAccount, amountCents };
        ctx.send(
          "bank",
          integrity === "hmac"
            ? {
                ...body,
                mac: hmacSha256Hex(
                  sharedKey,
                  transferSigningText(transferId, toAccount, amountCents),
                ),
              }
            : body,
        );
      }
    },
    onMessage() {},
  }));
  sim.addNode("bank", () => ({
    onMessage(ctx, message) {
      if (message.type !== "transfer") return;
      const { transferId, toAccount, amountCents } = message;
      if (integrity === "hmac") {
        const expected = hmacSha256Hex(
          sharedKey,
          transferSigningText(transferId, toAccount, amountCents),
        );
        if (message.mac === undefined || !constantTimeEqual(message.mac, expected)) {
          rejected.add(transferId);
          ctx.log(`transfer ${transferId}: bad MAC, rejected`);
          ctx.send(message.from, { type: "rejected", transferId, reason: "bad MAC" });
          return;
        }
      }
      applied.set(transferId, amountCents);
      ctx.log(`applied ${amountCents} to ${toAccount}`);
      ctx.send(message.from, { type: "applied", transferId });
    },
  }));

  const attacker: TamperHook = (message) => {
    if (message.type !== "transfer") return message;
    if (!sim.random.chance(tamperProbability)) return message;
    const transfer = message as unknown as Extract<TransferMessage, { type: "transfer" }>;
    const amountCents = transfer.amountCents * amountMultiplier;
    tampered.add(transfer.transferId);
    const mac =
      attackerKey === undefined
        ? transfer.mac
        : hmacSha256Hex(
            attackerKey,
            transferSigningText(transfer.transferId, transfer.toAccount, amountCents),
          );
    return { ...message, amountCents, ...(mac === undefined ? {} : { mac }) };
  };
  sim.setTamper(attacker);
  sim.runUntil(() => sim.pendingEvents === 0, { timeMsMax: 600_000 });

  let appliedTamperedCount = 0;
  for (const transferId of applied.keys()) if (tampered.has(transferId)) appliedTamperedCount++;
  let rejectedUntamperedCount = 0;
  for (const transferId of rejected) if (!tampered.has(transferId)) rejectedUntamperedCount++;
  const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);
  return {
    seed,
    trace: sim.trace,
    stats: sim.stats,
    integrity,
    transfersCount,
    tamperedCount: tampered.size,
    appliedCount: applied.size,
    appliedTamperedCount,
    rejectedCount: rejected.size,
    rejectedUntamperedCount,
    sentTotalCents: sum(sentCents.values()),
    appliedTotalCents: sum(applied.values()),
  };
}
