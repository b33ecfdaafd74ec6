// Tests of the worked problem "group chat with causal ordering" (notebooks/09c-causal-chat.ipynb):
// each claim of the page, the checklist's decisions and the page's chapter links.

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { recommend } from "../../../src/interview/checklist.js";
import {
  causalChatAssumptions,
  causalChatProblem,
  chatMetadataTable,
  runGroupChat,
} from "../../../src/interview/problems/causal-chat.js";
import { backOfEnvelope } from "../../../src/interview/estimate.js";
import { brokenLinkReason, notebookLinks } from "../../support/anchors.js";
import { assertProperty } from "../../support/property.js";

describe("Decisions", () => {
  it("recommend gives the eight choices the page documents", () => {
    const choices = recommend(causalChatProblem.requirements).decisions.map((d) => d.choice);
    expect(choices).toEqual(causalChatProblem.documentedChoices);
  });

  it("an AP chat with causal ordering raises no tension", () => {
    expect(recommend(causalChatProblem.requirements).tensions).toEqual([]);
  });
});

describe("Requirements and numbers", () => {
  it("2 billion messages a day are about 70k writes/s at peak", () => {
    const estimate = backOfEnvelope(causalChatAssumptions);
    expect(estimate.writesPerDay).toBe(2e9);
    expect(Math.round(estimate.writesPerSecondPeak)).toBe(69_444);
  });
});

describe("The trade-off, measured", () => {
  it("without causal delivery Carol sees every reply before its question, and the checker names it", () => {
    const run = runGroupChat({ causalDelivery: false });
    expect(run.repliesCount).toBe(20);
    expect(run.repliesBeforeQuestion).toBe(20);
    expect(run.causal.ok).toBe(false);
    expect(run.violationsByPattern).toEqual({ "write-co-init-read": 20 });
  });

  it("with causal delivery no reply is ever shown before its question, and the history is causal", () => {
    const run = runGroupChat({ causalDelivery: true });
    expect(run.repliesCount).toBe(20);
    expect(run.repliesBeforeQuestion).toBe(0);
    expect(run.repliesVisibleEarly).toBe(0);
    expect(run.causal.ok).toBe(true);
  });

  it("both stores end with every question on every replica, and Carol then sees all 20 replies", () => {
    for (const causalDelivery of [false, true]) {
      const run = runGroupChat({ causalDelivery });
      expect(run.converged).toBe(true);
      expect(run.repliesVisibleAtEnd).toBe(20);
    }
  });

  it("a vector clock grows with the group; a sequence number does not", () => {
    const rows = chatMetadataTable();
    expect(rows.map((r) => r.members)).toEqual([2, 10, 100, 1000, 10_000]);
    rows.slice(1).forEach((row, i) => {
      const previous = rows[i];
      expect(row.vectorClockBytes).toBeGreaterThan(previous?.vectorClockBytes ?? Infinity);
      expect(row.denseCountersBytes).toBeGreaterThan(previous?.denseCountersBytes ?? Infinity);
    });
    // The sequence number only grows by its digits: 40 to 200,000 messages.
    const sequence = rows.map((r) => r.sequenceNumberBytes);
    expect(Math.max(...sequence) - Math.min(...sequence)).toBeLessThanOrEqual(4);
  });

  it("in a 1,000-member group the clock costs over 14 KB per message, 70 times the message", () => {
    const [row] = chatMetadataTable({ groupSizes: [1000] });
    expect(row?.vectorClockBytes).toBeGreaterThan(14_000);
    expect(row?.vectorClockOverSequence).toBeGreaterThan(70);
  });

  it("bad options are refused with the value and what is allowed", () => {
    expect(() => runGroupChat({ causalDelivery: true, questionsCount: 0 })).toThrow(
      /questionsCount.*\[1, 200\].*0/,
    );
    expect(() => runGroupChat({ causalDelivery: "yes" as unknown as boolean })).toThrow(
      /causalDelivery/,
    );
    expect(() =>
      runGroupChat({ causalDelivery: true, slowlinkMs: 5 } as unknown as {
        causalDelivery: boolean;
      }),
    ).toThrow(/unknown option "slowlinkMs"/);
    expect(() => chatMetadataTable({ groupSizes: [] })).toThrow(/groupSizes/);
  });
});

describe("causal delivery, the invariant the design relies on", () => {
  it("for any seed, link latency and pace, no reader sees a reply before its question", () => {
    assertProperty(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 5, max: 200 }),
        fc.integer({ min: 1, max: 6 }),
        (seed, slowLinkMs, gapMs, questionsCount) => {
          const run = runGroupChat({
            causalDelivery: true,
            seed,
            slowLinkMs,
            gapMs,
            questionsCount,
          });
          expect(run.repliesBeforeQuestion).toBe(0);
          expect(run.causal.ok).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("Follow-up questions and links", () => {
  it("every chapter link on the page resolves", () => {
    const links = notebookLinks(causalChatProblem.page);
    expect(links.length).toBeGreaterThanOrEqual(6);
    for (const link of links) expect(brokenLinkReason(link), JSON.stringify(link)).toBe("");
  });
});
