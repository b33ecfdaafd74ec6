// Tests of the worked problem "Design a payment ledger" (notebooks/09b-payment-ledger.ipynb): each
// test is named after the sentence of the page it verifies. Reference: Ongaro 2014, §6.3, §6.4.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { recommend } from "../../../src/interview/checklist.js";
import { backOfEnvelope } from "../../../src/interview/estimate.js";
import {
  paymentChargeRun,
  paymentLatency,
  paymentLedgerAssumptions,
  paymentLedgerProblem,
  paymentPartitionRun,
} from "../../../src/interview/problems/payment-ledger.js";
import { brokenLinkReason, notebookLinks } from "../../support/anchors.js";
import { assertProperty } from "../../support/property.js";

describe("Decisions", () => {
  it("recommend gives the eight choices the page documents", () => {
    const choices = recommend(paymentLedgerProblem.requirements).decisions.map((d) => d.choice);
    expect(choices).toEqual(paymentLedgerProblem.documentedChoices);
  });

  it("99.99% with a CP design is a tension the page must answer", () => {
    const tensions = recommend(paymentLedgerProblem.requirements).tensions;
    expect(tensions.map((t) => t.topics)).toEqual([["consistency", "availability"]]);
  });
});

describe("Requirements and numbers", () => {
  it("about 5.8k ledger writes/s at peak and 29k reads/s", () => {
    const estimate = backOfEnvelope(paymentLedgerAssumptions);
    expect(Math.round(estimate.writesPerSecondPeak / 100)).toBe(58);
    expect(Math.round(estimate.readsPerSecondPeak / 1000)).toBe(29);
  });
});

describe("The trade-off, measured", () => {
  it("without idempotency keys one lost reply charges twice and the checker says illegal", () => {
    const run = paymentChargeRun({ idempotencyKeys: false });
    expect(run.repliesLost).toBe(1);
    expect(run.doubleCharges).toBe(1);
    expect(run.ledger).toEqual(["ch1", "ch1", "ch2", "ch3"]);
    expect(run.verdict).toBe("illegal");
  });

  it("with idempotency keys the same retry charges once and the checker says ok", () => {
    const run = paymentChargeRun({ idempotencyKeys: true });
    expect(run.repliesLost).toBe(1);
    expect(run.requestsSent).toBeGreaterThan(run.chargesRequested);
    expect(run.ledger).toEqual(["ch1", "ch2", "ch3"]);
    expect(run.doubleCharges).toBe(0);
    expect(run.verdict).toBe("ok");
  });

  it("the minority commits nothing and answers no client ok, while the majority carries on", () => {
    const run = paymentPartitionRun();
    expect(run.minority).toHaveLength(2);
    expect(run.minorityCommits).toBe(0);
    expect(run.minorityOkReplies).toBe(0);
    expect(run.minorityRefusals).toBeGreaterThan(0);
    expect(run.majorityCommits).toBeGreaterThan(50);
    expect(run.writesAcknowledged).toBeGreaterThan(50);
    expect(run.verdict).toBe("ok");
  });

  it("the old leader's uncommitted entries are never acknowledged, and the pause lasts about one election", () => {
    const run = paymentPartitionRun();
    expect(run.oldLeaderEntriesUncommitted).toBeGreaterThan(0);
    expect(run.failoverMs).toBeGreaterThan(300);
    expect(run.failoverMs).toBeLessThan(1_000);
  });

  it("a quorum adds one round trip to every write: about 2 x 5 ms over a single server", () => {
    const [one, three, five] = paymentLatency({ oneWayMs: 5 });
    expect(one?.writeMsP50).toBeGreaterThan(8);
    expect(one?.writeMsP50).toBeLessThan(12);
    const extra = (three?.writeMsP50 ?? 0) - (one?.writeMsP50 ?? 0);
    expect(extra).toBeGreaterThan(6);
    expect(extra).toBeLessThan(14);
    expect(five?.writeMsP50).toBeGreaterThanOrEqual(three?.writeMsP50 ?? 0);
  });
});

describe("bad input", () => {
  it("options name the wrong value", () => {
    expect(() => paymentChargeRun({ chargesCount: 0 })).toThrow(/chargesCount/);
    expect(() => paymentChargeRun({ lostReplies: [-1] })).toThrow(/lostReplies\[0\]/);
    expect(() => paymentPartitionRun({ servers: 2 })).toThrow(/servers/);
    expect(() => paymentLatency({ oneWayMs: 100 })).toThrow(/oneWayMs/);
    expect(() => paymentLatency({ retries: 1 } as never)).toThrow(/retries/);
  });
});

describe("idempotency keys give one charge per key for any retry schedule", () => {
  it("whatever replies are lost, each charge is in the ledger exactly once", () => {
    assertProperty(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 1, max: 4 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 7 }), { maxLength: 6 }),
        (seed, chargesCount, lostReplies) => {
          const run = paymentChargeRun({ seed, chargesCount, lostReplies, idempotencyKeys: true });
          const expected = Array.from({ length: chargesCount }, (_, i) => `ch${i + 1}`);
          expect(run.ledger).toEqual(expected);
          expect(run.doubleCharges).toBe(0);
          expect(run.verdict).toBe("ok");
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe("Follow-up questions and links", () => {
  it("every chapter link on the page resolves", () => {
    const links = notebookLinks(paymentLedgerProblem.page);
    expect(links.length).toBeGreaterThanOrEqual(8);
    for (const link of links) expect(brokenLinkReason(link), JSON.stringify(link)).toBe("");
  });
});
