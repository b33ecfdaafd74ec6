// ConsistentHashRing: a key belongs to the first point clockwise from its hash; adding a node moves
// keys only to it, removing one moves only its keys; replicas are the next distinct nodes.
// Reference: Karger et al., STOC 1997, §4 (monotonicity, spread); DeCandia et al., Dynamo,
// SOSP 2007, §4.2 (virtual nodes) and §4.3 (preference list).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConsistentHashRing, md5Word, murmur3, sampleKeys } from "../../src/index.js";
import { assertProperty } from "../support/property.js";
import { expectRangeError } from "./support.js";

const KEYS = sampleKeys(2000, "k");
const nodeNames = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), {
  minLength: 1,
  maxLength: 7,
});
/** A hash with only 1024 positions, so points and keys collide often: the tie rule at work. */
const coarse = (key: string) => murmur3(key) % 1024;
const hashOption = fc.constantFrom<"murmur3" | "md5" | typeof coarse>("murmur3", "md5", coarse);

/** A table hash: each listed label sits where the table says; anything else at 0. */
function tableHash(table: Record<string, number>): (key: string) => number {
  return (key) => table[key] ?? 0;
}

describe("§4 the ring: a key belongs to the first point at or after its hash", () => {
  it("matches a by-hand walk over points() for any nodes and keys", () => {
    assertProperty(
      fc.property(nodeNames, fc.integer({ min: 1, max: 12 }), hashOption, (names, vnodes, hash) => {
        const ring = new ConsistentHashRing({ vnodes, hash, nodes: names });
        const points = ring.points();
        for (const key of KEYS.slice(0, 200)) {
          const position = ring.hashOf(key);
          const first = points.find((point) => point.position >= position) ?? points[0];
          expect(ring.getNode(key)).toBe(first?.node);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("a point at exactly the key's position receives the key; past the last point it wraps to the first", () => {
    const ring = new ConsistentHashRing({
      vnodes: 1,
      hash: tableHash({ "a-0": 100, "b-0": 200, atA: 100, between: 150, past: 250, low: 5 }),
      nodes: ["a", "b"],
    });
    expect(ring.getNode("atA")).toBe("a");
    expect(ring.getNode("between")).toBe("b");
    expect(ring.getNode("past")).toBe("a");
    expect(ring.getNode("low")).toBe("a");
  });

  it("gives node `name` round(vnodes x weight) points labelled <name>-0, <name>-1, ...", () => {
    const ring = new ConsistentHashRing({ vnodes: 4, nodes: ["a"] }).addNode("b", { weight: 1.5 });
    const labels = (node: string) =>
      ring
        .points()
        .filter((p) => p.node === node)
        .map((p) => p.label)
        .sort();
    expect(labels("a")).toEqual(["a-0", "a-1", "a-2", "a-3"]);
    expect(labels("b")).toEqual(["b-0", "b-1", "b-2", "b-3", "b-4", "b-5"]);
    for (const point of ring.points()) expect(point.position).toBe(murmur3(point.label));
    expect(ring.pointsCount).toBe(10);
  });

  it('hash "md5" places keys at the first 4 bytes of their MD5, little-endian', () => {
    const ring = new ConsistentHashRing({ hash: "md5", nodes: ["a", "b"] });
    expect(ring.hashOf("user:42")).toBe(md5Word("user:42", 0));
    expect(ring.hashName).toBe("md5");
  });

  it("lookups are deterministic: the same nodes in any order give the same answers", () => {
    assertProperty(
      fc.property(nodeNames, hashOption, fc.integer({ min: 1, max: 40 }), (names, hash, vnodes) => {
        const forward = new ConsistentHashRing({ vnodes, hash, nodes: names });
        const backward = new ConsistentHashRing({ vnodes, hash });
        for (const name of [...names].reverse()) backward.addNode(name);
        const disagreements = KEYS.slice(0, 300).filter(
          (key) =>
            forward.getNode(key) !== backward.getNode(key) ||
            forward.getNode(key) !== forward.getNode(key),
        );
        expect(disagreements).toEqual([]);
        expect(forward.points().map((p) => p.label)).toEqual(backward.points().map((p) => p.label));
      }),
      { numRuns: 60 },
    );
  });

  it("building with options.nodes gives the ring that adding the nodes one by one gives", () => {
    assertProperty(
      fc.property(nodeNames, hashOption, fc.integer({ min: 1, max: 40 }), (names, hash, vnodes) => {
        const batch = new ConsistentHashRing({ vnodes, hash, nodes: names });
        const oneByOne = new ConsistentHashRing({ vnodes, hash });
        for (const name of names) oneByOne.addNode(name);
        const layout = (ring: ConsistentHashRing) =>
          ring.points().map((p) => `${p.position} ${p.label}`);
        expect(layout(batch)).toEqual(layout(oneByOne));
        expect(batch.shares()).toEqual(oneByOne.shares());
      }),
      { numRuns: 60 },
    );
  });

  it("shares sum to the whole circle, and each node's share is the sum of its arcs", () => {
    const ring = new ConsistentHashRing({ vnodes: 50, nodes: ["a", "b", "c"] });
    const shares = ring.shares();
    expect(shares.reduce((sum, s) => sum + s.share, 0)).toBeCloseTo(1, 12);
    for (const share of shares) {
      const arcs = ring.points().filter((p) => p.node === share.node);
      expect(share.share).toBeCloseTo(
        arcs.reduce((sum, p) => sum + p.arc, 0),
        12,
      );
      expect(share.pointsCount).toBe(50);
    }
  });
});

describe("§4 monotonicity: adding or removing a node moves the fewest keys", () => {
  it("adding a node moves keys only to the new node", () => {
    assertProperty(
      fc.property(
        nodeNames,
        fc.string({ minLength: 1, maxLength: 6 }),
        hashOption,
        fc.integer({ min: 1, max: 30 }),
        (names, added, hash, vnodes) => {
          fc.pre(!names.includes(added));
          const ring = new ConsistentHashRing({ vnodes, hash, nodes: names });
          const before = KEYS.map((key) => ring.getNode(key));
          ring.addNode(added);
          const movedElsewhere = KEYS.filter((key, i) => {
            const now = ring.getNode(key);
            return now !== before[i] && now !== added;
          });
          expect(movedElsewhere).toEqual([]);
        },
      ),
      { numRuns: 80 },
    );
  });

  it("removing a node moves only its keys", () => {
    assertProperty(
      fc.property(
        nodeNames.filter((names) => names.length >= 2),
        fc.nat(),
        hashOption,
        fc.integer({ min: 1, max: 30 }),
        (names, pick, hash, vnodes) => {
          const removed = names[pick % names.length] as string;
          const ring = new ConsistentHashRing({ vnodes, hash, nodes: names });
          const before = KEYS.map((key) => ring.getNode(key));
          ring.removeNode(removed);
          const wronglyMoved = KEYS.filter((key, i) => {
            const now = ring.getNode(key);
            return before[i] === removed ? now === removed : now !== before[i];
          });
          expect(wronglyMoved).toEqual([]);
        },
      ),
      { numRuns: 80 },
    );
  });

  it("adding then removing a node restores every key", () => {
    const ring = new ConsistentHashRing({ nodes: ["a", "b", "c"] });
    const before = KEYS.map((key) => ring.getNode(key));
    ring.addNode("d").removeNode("d");
    expect(KEYS.map((key) => ring.getNode(key))).toEqual(before);
  });
});

describe("Dynamo §4.3: replicas are the next distinct nodes clockwise (getNodes)", () => {
  it("returns min(count, size) distinct nodes, the first being getNode's answer", () => {
    assertProperty(
      fc.property(nodeNames, fc.integer({ min: 1, max: 10 }), hashOption, (names, count, hash) => {
        const ring = new ConsistentHashRing({ vnodes: 8, hash, nodes: names });
        for (const key of KEYS.slice(0, 100)) {
          const replicas = ring.getNodes(key, count);
          expect(replicas).toHaveLength(Math.min(count, names.length));
          expect(new Set(replicas).size).toBe(replicas.length);
          expect(replicas[0]).toBe(ring.getNode(key));
        }
      }),
      { numRuns: 60 },
    );
  });

  it("walks clockwise: each replica owns the first point after the previous replicas' points", () => {
    const ring = new ConsistentHashRing({ vnodes: 5, nodes: ["a", "b", "c", "d"] });
    const points = ring.points();
    for (const key of KEYS.slice(0, 50)) {
      const start = points.findIndex((p) => p.position >= ring.hashOf(key));
      const walk: string[] = [];
      for (let step = 0; step < points.length; step++) {
        const node = (
          points[((start < 0 ? 0 : start) + step) % points.length] as (typeof points)[0]
        ).node;
        if (!walk.includes(node)) walk.push(node);
      }
      expect(ring.getNodes(key, 3)).toEqual(walk.slice(0, 3));
    }
  });

  it("a count larger than the number of nodes returns every node, in clockwise order", () => {
    const ring = new ConsistentHashRing({ nodes: ["a", "b", "c"] });
    const all = ring.getNodes("user:42", 10);
    expect([...all].sort()).toEqual(["a", "b", "c"]);
    expect(all).toEqual(ring.getNodes("user:42", 3));
  });
});

describe("point collisions are resolved by node name, not by insertion order", () => {
  it("on an equal position the node whose name sorts first receives the keys", () => {
    const hash = tableHash({ "a-0": 100, "b-0": 100, "c-0": 300, key: 50 });
    for (const nodes of [
      ["a", "b", "c"],
      ["b", "a", "c"],
      ["c", "b", "a"],
    ]) {
      const ring = new ConsistentHashRing({ vnodes: 1, hash, nodes });
      expect(ring.getNode("key")).toBe("a");
      expect(ring.getNodes("key", 3)).toEqual(["a", "b", "c"]);
      const shares = Object.fromEntries(ring.shares().map((s) => [s.nodeName, s.share]));
      expect(shares.b).toBe(0);
    }
  });
});

describe("weights", () => {
  it("a node of weight 2 gets twice the points and about twice the keys", () => {
    const ring = new ConsistentHashRing({ vnodes: 1000 })
      .addNode("light")
      .addNode("heavy", { weight: 2 });
    const shares = Object.fromEntries(ring.shares().map((s) => [s.nodeName, s.share]));
    expect(ring.shares().map((s) => s.pointsCount)).toEqual([1000, 2000]);
    expect(shares.heavy).toBeGreaterThan(0.6);
    expect(shares.heavy).toBeLessThan(0.73);
  });

  it("objects become nodes through nodeKey", () => {
    type Server = { id: string; zone: string };
    const ring = new ConsistentHashRing<Server>({ nodeKey: (s) => s.id });
    const eu = { id: "s1", zone: "eu" };
    ring.addNode(eu).addNode({ id: "s2", zone: "us" });
    expect(["eu", "us"]).toContain(ring.getNode("order:7").zone);
    expect(ring.hasNode({ id: "s1", zone: "elsewhere" })).toBe(true);
    ring.removeNode(eu);
    expect(ring.nodes().map((s) => s.id)).toEqual(["s2"]);
  });
});

describe("errors name the value and what is allowed", () => {
  it("a lookup on an empty ring", () => {
    const ring = new ConsistentHashRing();
    expectRangeError(
      () => ring.getNode("user:42"),
      'cannot place key "user:42": the ring has no nodes; add one with addNode(node) first',
    );
    expectRangeError(
      () => ring.getNodes("user:42", 2),
      'cannot place key "user:42": the ring has no nodes; add one with addNode(node) first',
    );
    expectRangeError(
      () => ring.nodeAt(7),
      "cannot place position 7: the ring has no nodes; add one with addNode(node) first",
    );
  });

  it("vnodes below 1 or not an integer", () => {
    expectRangeError(
      () => new ConsistentHashRing({ vnodes: 0 }),
      "vnodes must be an integer in [1, 1000000], got 0",
    );
    expectRangeError(
      () => new ConsistentHashRing({ vnodes: 2.5 }),
      "vnodes must be an integer in [1, 1000000], got 2.5",
    );
  });

  it("a weight of 0 or below, or not finite", () => {
    const ring = new ConsistentHashRing();
    expectRangeError(
      () => ring.addNode("a", { weight: 0 }),
      'weight of node "a" must be a finite number > 0, got 0',
    );
    expectRangeError(
      () => ring.addNode("a", { weight: -1 }),
      'weight of node "a" must be a finite number > 0, got -1',
    );
    expectRangeError(
      () => ring.addNode("a", { weight: Number.POSITIVE_INFINITY }),
      'weight of node "a" must be a finite number > 0, got Infinity',
    );
    expect(ring.size).toBe(0);
  });

  it("adding a node twice, removing an unknown node", () => {
    const ring = new ConsistentHashRing({ nodes: ["a", "b"] });
    expectRangeError(
      () => ring.addNode("a"),
      'node "a" is already on the ring; remove it first, or add it under another name',
    );
    expectRangeError(
      () => ring.removeNode("z"),
      'node "z" is not on the ring; nodes on the ring: "a", "b"',
    );
  });

  it("getNodes with a count below 1", () => {
    const ring = new ConsistentHashRing({ nodes: ["a"] });
    expectRangeError(() => ring.getNodes("k", 0), "count must be an integer >= 1, got 0");
    expectRangeError(() => ring.getNodes("k", 1.5), "count must be an integer >= 1, got 1.5");
  });

  it("a misspelt option, a bad hash, a hash that returns a non-position, a key that is not a string", () => {
    expectRangeError(
      () => new ConsistentHashRing({ vnode: 3 } as never),
      'ConsistentHashRing options has an unknown option "vnode"; known options: vnodes, hash, nodeKey, nodes',
    );
    expectRangeError(
      () => new ConsistentHashRing({ hash: "sha1" as never }),
      'options.hash must be "murmur3", "md5" or a function (key: string) => number, got "sha1"',
    );
    expectRangeError(
      () => new ConsistentHashRing({ hash: () => -1, nodes: ["a"] }),
      'options.hash("a-0") must be an integer in [0, 4294967295], got -1',
    );
    const ring = new ConsistentHashRing({ nodes: ["a"] });
    expectRangeError(() => ring.getNode(42 as unknown as string), "key must be a string, got 42");
  });

  it("an object node without nodeKey", () => {
    expectRangeError(
      () => new ConsistentHashRing<object>().addNode({ id: "s1" }),
      'node {"id":"s1"} has no name: String(node) gives "[object Object]"; pass options.nodeKey, for example (node) => node.id',
    );
  });
});
