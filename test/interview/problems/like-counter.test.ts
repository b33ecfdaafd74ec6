// Tests of the worked problem "Design the like counter of a social feed", each named after the
// sentence of notebooks/09a-like-counter.ipynb it verifies. Reference: Shapiro et al. 2011, §3.1.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backOfEnvelope } from "../../../src/interview/estimate.js";
import { recommend } from "../../../src/interview/checklist.js";
import {
  LIKE_COUNTER_DESIGNS,
  hotPostLoad,
  likeCounterAssumptions,
  likeCounterProblem,
  likeCounterRun,
  likeCounterSummary,
} from "../../../src/interview/problems/like-counter.js";
import { brokenLinkReason, notebookLinks } from "../../support/anchors.js";
import { assertProperty } from "../../support/property.js";

const summaries = Object.fromEntries(
  (Object.keys(LIKE_COUNTER_DESIGNS) as (keyof typeof LIKE_COUNTER_DESIGNS)[]).map((design) => [
    design,
    likeCounterSummary(likeCounterRun(design, 7)),
  ]),
) as Record<keyof typeof LIKE_COUNTER_DESIGNS, ReturnType<typeof likeCounterSummary>>;

describe("Decisions", () => {
  it("recommend gives the eight choices the page documents", () => {
    const choices = recommend(likeCounterProblem.requirements).decisions.map((d) => d.choice);
    expect(choices).toEqual(likeCounterProblem.documentedChoices);
  });

  it("the like counter's requirements raise no tension", () => {
    expect(recommend(likeCounterProblem.requirements).tensions).toEqual([]);
  });
});

describe("Requirements and numbers", () => {
  it("about 52k likes/s at peak and 5.2 million count reads/s", () => {
    const estimate = backOfEnvelope(likeCounterAssumptions);
    expect(Math.round(estimate.writesPerSecondPeak / 1000)).toBe(52);
    expect(Math.round(estimate.readsPerSecondPeak / 1e5)).toBe(52);
  });
});

describe("The trade-off, measured", () => {
  it("the reference notes' read-modify-write quorum counter loses acknowledged likes and refuses some", () => {
    const naive = summaries["read-modify-write quorum"];
    expect(naive.likesLost).toBeGreaterThan(0);
    expect(naive.likesRefused).toBeGreaterThan(0);
  });

  it("the reference notes' last-write-wins counter loses most acknowledged likes", () => {
    const lww = summaries["last write wins"];
    expect(lww.likesLost * 2).toBeGreaterThan(lww.likesAcknowledged);
    expect(lww.likesRefused).toBe(0);
  });

  it("the hottest post alone takes about 15% of all likes, 2.4 times a node's mean", () => {
    const [perPost] = hotPostLoad();
    expect(Math.round((perPost?.hottestKeyLikesPerSecond ?? 0) / 1000)).toBe(15);
  });

  it("the PN-counter refuses nothing, loses nothing, and converges to the true count", () => {
    const crdt = summaries["PN-counter CRDT"];
    expect(crdt.likesRefused).toBe(0);
    expect(crdt.likesLost).toBe(0);
    expect(crdt.converged).toBe(true);
    expect(crdt.finalCount).toBe(crdt.likesAcknowledged);
  });

  it("during the partition every count read is stale, by tens of likes; outside it, by a few", () => {
    const crdt = summaries["PN-counter CRDT"];
    expect(crdt.readsDuringPartition).toBeGreaterThan(0);
    expect(crdt.staleReadsDuringPartition).toBe(crdt.readsDuringPartition);
    expect(crdt.likesMissedMax).toBeGreaterThanOrEqual(10);
    expect(crdt.likesMissedMaxOutsidePartition).toBeLessThan(crdt.likesMissedMax / 4);
  });

  it("splitting hot posts into counter shards brings the busiest node from about 4x the mean to under 1.5x", () => {
    const [perPost, split] = hotPostLoad();
    expect(perPost?.busiestOverMean).toBeGreaterThan(3.5);
    expect(split?.busiestOverMean).toBeLessThan(1.5);
  });

  it("bounded loads alone do not fix a hot post: they cap keys per node, not likes per key", () => {
    // Split: bounded loads change nothing. Unsplit: they help, but never below the hottest post.
    const [, split, bounded] = hotPostLoad();
    expect(bounded?.busiestOverMean).toBeCloseTo(split?.busiestOverMean ?? 0, 6);
    const [perPost, , perPostBounded] = hotPostLoad({ shardLikesPerSecondMax: 1e9 });
    const hottest = perPostBounded?.hottestKeyLikesPerSecond ?? 0;
    expect(perPostBounded?.busiestNodeLikesPerSecond).toBeGreaterThanOrEqual(hottest);
    expect(perPostBounded?.busiestOverMean).toBeGreaterThan(2.4);
    expect(perPostBounded?.busiestOverMean).toBeLessThan(perPost?.busiestOverMean ?? 0);
  });
});

describe("bad input", () => {
  it("an unknown design is named in the error", () => {
    expect(() => likeCounterRun("gossip" as never, 1)).toThrow(/design.*"PN-counter CRDT"/);
  });

  it("hotPostLoad rejects an unknown option and a zero shard rate", () => {
    expect(() => hotPostLoad({ shards: 2 } as never)).toThrow(/shards/);
    expect(() => hotPostLoad({ shardLikesPerSecondMax: 0 })).toThrow(/shardLikesPerSecondMax/);
  });
});

describe("the PN-counter converges to the true count for any partition schedule", () => {
  it("no acknowledged like is lost and every replica ends at the same count", () => {
    assertProperty(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 0, max: 900 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 2 }),
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        fc.boolean(),
        (seed, startMs, lengthShare, minorityCount, dropProbability, reorder) => {
          // The heal comes by the end of the clients' work, so the settle time follows it.
          const endMs = startMs + 1 + Math.floor(lengthShare * (1000 - startMs - 1));
          const run = likeCounterRun("PN-counter CRDT", seed, {
            durationMs: 1000,
            partition: { startMs, endMs, minorityCount },
            dropProbability,
            duplicateProbability: dropProbability / 2,
            reorder,
            traceEventsMax: 0,
          });
          const summary = likeCounterSummary(run);
          expect(summary.likesLost).toBe(0);
          expect(run.counts.converged).toBe(true);
          const finalValue = Object.values(run.counts.finalValues)[0] ?? 0;
          // A like whose reply was lost may or may not have been counted: never more than that.
          expect(finalValue).toBeGreaterThanOrEqual(summary.likesAcknowledged);
          expect(finalValue).toBeLessThanOrEqual(
            summary.likesAcknowledged + run.counts.updatesUnknownCount,
          );
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe("Follow-up questions and links", () => {
  it("every chapter link on the page resolves", () => {
    const links = notebookLinks(likeCounterProblem.page);
    expect(links.length).toBeGreaterThanOrEqual(8);
    for (const link of links) expect(brokenLinkReason(link), JSON.stringify(link)).toBe("");
  });
});
