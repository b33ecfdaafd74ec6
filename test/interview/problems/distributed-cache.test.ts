// Tests of the worked problem "design a distributed cache" (notebooks/09d-distributed-cache.ipynb):
// each claim of the page, the checklist's decisions and the page's chapter links.

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { recommend } from "../../../src/interview/checklist.js";
import { backOfEnvelope } from "../../../src/interview/estimate.js";
import {
  cacheResizeExperiment,
  distributedCacheAssumptions,
  distributedCacheProblem,
  hotKeyExperiment,
} from "../../../src/interview/problems/distributed-cache.js";
import { brokenLinkReason, notebookLinks } from "../../support/anchors.js";
import { assertProperty } from "../../support/property.js";

const byScheme = (rows: ReturnType<typeof cacheResizeExperiment>, scheme: string) => {
  const row = rows.find((r) => r.scheme === scheme);
  if (row === undefined) throw new Error(`no row ${scheme}`);
  return row;
};

describe("Decisions", () => {
  it("recommend gives the eight choices the page documents", () => {
    const choices = recommend(distributedCacheProblem.requirements).decisions.map((d) => d.choice);
    expect(choices).toEqual(distributedCacheProblem.documentedChoices);
  });
});

describe("Requirements and numbers", () => {
  it("a billion fills a day and 100 reads each are about 3.5 million reads/s at peak", () => {
    const estimate = backOfEnvelope(distributedCacheAssumptions);
    expect(estimate.writesPerDay).toBe(1e9);
    expect(Math.round(estimate.readsPerSecondPeak)).toBe(3_472_222);
    expect(estimate.bytesStoredTotal).toBe(2e12);
  });
});

describe("The trade-off, measured", () => {
  const rows = cacheResizeExperiment();

  it("adding an 11th node to a modulo-placed cache misses on 91 % of the keys", () => {
    const modulo = byScheme(rows, "modulo");
    expect(modulo.movedFraction).toBeGreaterThan(0.9);
    expect(modulo.hitRateAfterJoin).toBeLessThan(0.1);
    expect(modulo.movedBetweenOldNodes).toBeGreaterThan(0);
  });

  it("on a ring with virtual nodes the join costs about 1/11 of the hits, and only the new node takes keys", () => {
    const ring = byScheme(rows, "ring, virtual nodes");
    expect(ring.movedFraction).toBeGreaterThan(0.07);
    expect(ring.movedFraction).toBeLessThan(0.11);
    expect(ring.movedBetweenOldNodes).toBe(0);
  });

  it("one point per node leaves the busiest node with over twice the mean; 160 points bring it near 1.1", () => {
    expect(byScheme(rows, "ring, 1 point per node").maxOverMean).toBeGreaterThan(2);
    expect(byScheme(rows, "ring, virtual nodes").maxOverMean).toBeLessThan(1.15);
  });

  const hot = hotKeyExperiment();
  const hotRow = (method: string) => {
    const row = hot.rows.find((r) => r.method === method);
    if (row === undefined) throw new Error(`no row ${method}`);
    return row;
  };

  it("a key with 20 % of the traffic puts nearly 3x the mean on its node", () => {
    expect(hot.hotRequests).toBe(2000);
    expect(hotRow("ring").maxOverMean).toBeGreaterThan(2.5);
    expect(hotRow("ring").hotKeyNodes).toBe(1);
  });

  it("reading from 3 replicas spreads the hot key over 3 nodes and halves the peak", () => {
    const replicas = hotRow("ring, reads spread over replicas");
    expect(replicas.hotKeyNodes).toBe(3);
    expect(replicas.maxOverMean).toBeLessThan(hotRow("ring").maxOverMean * 0.6);
  });

  it("bounded loads cap every node at 1.25x the mean, spilling the hot key to its neighbours", () => {
    const bounded = hotRow("bounded loads");
    expect(bounded.capacity).toBe(1250);
    expect(bounded.maxLoad).toBeLessThanOrEqual(1250);
    expect(bounded.hotKeyNodes).toBeGreaterThan(1);
  });

  it("bad options are refused with the value and what is allowed", () => {
    expect(() => cacheResizeExperiment({ nodesCount: 0 })).toThrow(/nodesCount.*0/);
    expect(() => hotKeyExperiment({ hotShare: 1.5 })).toThrow(/hotShare.*\[0, 1\].*1\.5/);
    expect(() => hotKeyExperiment({ replicas: 11 })).toThrow(/replicas/);
    expect(() => hotKeyExperiment({ epsilon: -1 })).toThrow(/epsilon/);
    expect(() => hotKeyExperiment({ hot: 1 } as unknown as object)).toThrow(/unknown option "hot"/);
  });
});

describe("the invariants the design relies on", () => {
  it("bounded loads: for any hot share, slack and cluster, no node serves more than ceil((1 + epsilon) x mean)", () => {
    assertProperty(
      fc.property(
        fc.integer({ min: 2, max: 20 }),
        fc.integer({ min: 1, max: 1500 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 2, noNaN: true }),
        (nodesCount, requestsCount, hotShare, epsilon) => {
          const result = hotKeyExperiment({
            nodesCount,
            requestsCount,
            hotShare,
            epsilon,
            vnodes: 20,
            replicas: 2,
          });
          const bounded = result.rows.find((r) => r.method === "bounded loads");
          const capacity = Math.ceil(((1 + epsilon) * requestsCount) / nodesCount);
          expect(bounded?.maxLoad).toBeLessThanOrEqual(capacity);
          expect(bounded?.loads.reduce((a, b) => a + b, 0)).toBe(requestsCount);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("ring: for any cluster size and points per node, a join moves keys only to the new node", () => {
    assertProperty(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 2, max: 200 }),
        (nodesCount, vnodes) => {
          const rows = cacheResizeExperiment({ nodesCount, vnodes, keysCount: 2000 });
          expect(byScheme(rows, "ring, virtual nodes").movedBetweenOldNodes).toBe(0);
          expect(byScheme(rows, "ring, 1 point per node").movedBetweenOldNodes).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("Follow-up questions and links", () => {
  it("every chapter link on the page resolves", () => {
    const links = notebookLinks(distributedCacheProblem.page);
    expect(links.length).toBeGreaterThanOrEqual(6);
    for (const link of links) expect(brokenLinkReason(link), JSON.stringify(link)).toBe("");
  });
});
