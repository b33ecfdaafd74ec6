// RendezvousHash: every node scores every key, the highest wins. Removing a node moves only its
// keys; adding one moves keys only to it; weights scale each node's share.
// Reference: Thaler and Ravishankar, "Using Name-Based Mappings to Increase Hit Rates", 1998;
// Schindelhauer and Schomaker, "Weighted Distributed Hash Tables", 2005 (logarithmic method).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RendezvousHash, countLoads, murmur3, sampleKeys } from "../../src/index.js";
import { assertProperty } from "../support/property.js";
import { expectRangeError } from "./support.js";

const KEYS = sampleKeys(3000, "r");
const nodeNames = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), {
  minLength: 2,
  maxLength: 8,
});

describe("highest random weight", () => {
  it("a key goes to the node with the highest murmur3(key, seed = murmur3(name))", () => {
    const hrw = new RendezvousHash({ nodes: ["a", "b", "c"] });
    for (const key of KEYS.slice(0, 200)) {
      const best = ["a", "b", "c"].reduce((x, y) =>
        murmur3(key, murmur3(y)) > murmur3(key, murmur3(x)) ? y : x,
      );
      expect(hrw.getNode(key)).toBe(best);
    }
  });

  it("removing a node moves only its keys, each to its runner-up", () => {
    assertProperty(
      fc.property(nodeNames, fc.nat(), (names, pick) => {
        const removed = names[pick % names.length] as string;
        const hrw = new RendezvousHash({ nodes: names });
        const before = KEYS.map((key) => hrw.getNodes(key, 2));
        hrw.removeNode(removed);
        const wrong = KEYS.filter((key, i) => {
          const [first, second] = before[i] as string[];
          const now = hrw.getNode(key);
          return first === removed ? now !== second : now !== first;
        });
        expect(wrong).toEqual([]);
      }),
      { numRuns: 50 },
    );
  });

  it("adding a node moves keys only to it", () => {
    assertProperty(
      fc.property(nodeNames, fc.string({ minLength: 1, maxLength: 6 }), (names, added) => {
        fc.pre(!names.includes(added));
        const hrw = new RendezvousHash({ nodes: names });
        const before = KEYS.map((key) => hrw.getNode(key));
        hrw.addNode(added);
        const wrong = KEYS.filter((key, i) => {
          const now = hrw.getNode(key);
          return now !== before[i] && now !== added;
        });
        expect(wrong).toEqual([]);
      }),
      { numRuns: 50 },
    );
  });

  it("getNodes ranks distinct nodes by score, the first being getNode", () => {
    assertProperty(
      fc.property(nodeNames, fc.integer({ min: 1, max: 10 }), (names, count) => {
        const hrw = new RendezvousHash({ nodes: names });
        for (const key of KEYS.slice(0, 50)) {
          const replicas = hrw.getNodes(key, count);
          expect(replicas).toHaveLength(Math.min(count, names.length));
          expect(new Set(replicas).size).toBe(replicas.length);
          expect(replicas[0]).toBe(hrw.getNode(key));
          const scores = hrw.scores(key).map((s) => s.score);
          expect(scores).toEqual([...scores].sort((a, b) => b - a));
        }
      }),
      { numRuns: 40 },
    );
  });

  it("a node of weight 3 wins about three times as many keys as one of weight 1", () => {
    const hrw = new RendezvousHash().addNode("light").addNode("heavy", { weight: 3 });
    const loads = countLoads(hrw, sampleKeys(20_000));
    const heavyShare = (loads.get("heavy") as number) / 20_000;
    expect(heavyShare).toBeGreaterThan(0.73);
    expect(heavyShare).toBeLessThan(0.77);
  });
});

describe("errors", () => {
  it("an empty set of nodes, a duplicate, an unknown node, a bad count or weight", () => {
    expectRangeError(
      () => new RendezvousHash().getNode("k"),
      'cannot place key "k": there are no nodes; add one with addNode(node) first',
    );
    const hrw = new RendezvousHash({ nodes: ["a"] });
    expectRangeError(
      () => hrw.addNode("a"),
      'node "a" is already present; remove it first, or add it under another name',
    );
    expectRangeError(() => hrw.removeNode("b"), 'node "b" is not present; nodes present: "a"');
    expectRangeError(() => hrw.getNodes("k", 0), "count must be an integer >= 1, got 0");
    expectRangeError(
      () => hrw.addNode("b", { weight: 0 }),
      'weight of node "b" must be a finite number > 0, got 0',
    );
  });
});
