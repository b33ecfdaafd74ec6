// KetamaRing against the hashring npm package (3.2.0), the ketama implementation Node memcached
// clients use: the same servers, order and weights must give the same server for every key.
// Reference: libketama (last.fm, 2007); node_modules/hashring/index.js (continuum, find, range).

import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { KetamaRing, sampleKeys } from "../../src/index.js";
import { expectRangeError } from "./support.js";

const require = createRequire(path.join(process.cwd(), "package.json"));

/** The parts of hashring's API the tests use (the package ships no types). */
interface HashRingInstance {
  get(key: string): string | undefined;
  range(key: string, size: number): string[];
  add(servers: string | Record<string, number>): HashRingInstance;
  remove(server: string): HashRingInstance;
  ring: { value: number; server: string }[];
}
type HashRingConstructor = new (
  servers: string[] | Record<string, number>,
  algorithm?: string,
  options?: Record<string, unknown>,
) => HashRingInstance;

function loadHashRing(): HashRingConstructor {
  try {
    return require("hashring") as HashRingConstructor;
  } catch (error) {
    throw new Error(
      "the hashring package (a devDependency, 3.2.0) is missing: run `npm ci` to install it",
      { cause: error },
    );
  }
}
const HashRing = loadHashRing();
const KEYS = sampleKeys(100_000, "user:");

/** Keys on which two placements disagree, at most 5 of them, for a readable failure. */
function disagreements(
  keys: readonly string[],
  ours: (key: string) => string,
  theirs: (key: string) => string | undefined,
): string[] {
  const found: string[] = [];
  for (const key of keys) {
    if (ours(key) !== theirs(key)) found.push(`${key}: ours ${ours(key)}, hashring ${theirs(key)}`);
    if (found.length === 5) break;
  }
  return found;
}

describe("ketama parity with the hashring package on 100,000 keys", () => {
  it("ten memcached servers of equal weight (160 points each)", () => {
    const servers = Array.from({ length: 10 }, (_, i) => `10.0.0.${i + 1}:11211`);
    const theirs = new HashRing(servers);
    const ours = new KetamaRing({ nodes: servers });
    expect(ours.pointsCount).toBe(theirs.ring.length);
    expect(ours.pointsCount).toBe(1600);
    expect(
      disagreements(
        KEYS,
        (k) => ours.getNode(k),
        (k) => theirs.get(k),
      ),
    ).toEqual([]);
  });

  it("weighted servers, including a fractional weight (floor(w / W x 40 x n) digests each)", () => {
    const weights: Record<string, number> = {
      "10.0.0.1:11211": 1,
      "10.0.0.2:11211": 2,
      "10.0.0.3:11211": 5,
      "cache-d.internal:11211": 0.5,
      "cache-e.internal:11211": 3,
    };
    const theirs = new HashRing(weights);
    const ours = new KetamaRing();
    for (const [server, weight] of Object.entries(weights)) ours.addNode(server, { weight });
    expect(ours.pointsCount).toBe(theirs.ring.length);
    expect(
      disagreements(
        KEYS,
        (k) => ours.getNode(k),
        (k) => theirs.get(k),
      ),
    ).toEqual([]);
  });

  it("seven equal servers get 39 digests each, not 40: (1/7) x 40 x 7 is 39.999... in doubles", () => {
    const servers = Array.from({ length: 7 }, (_, i) => `10.0.1.${i + 1}:11211`);
    const theirs = new HashRing(servers);
    const ours = new KetamaRing({ nodes: servers });
    expect(theirs.ring.length).toBe(7 * 39 * 4);
    expect(ours.pointsCount).toBe(7 * 39 * 4);
    expect(
      disagreements(
        KEYS.slice(0, 20_000),
        (k) => ours.getNode(k),
        (k) => theirs.get(k),
      ),
    ).toEqual([]);
  });

  it("getNodes(key, n) equals hashring's range(key, n)", () => {
    const servers = ["a:1", "b:1", "c:1", "d:1", "e:1"];
    const theirs = new HashRing(servers);
    const ours = new KetamaRing({ nodes: servers });
    const mismatches = KEYS.slice(0, 10_000).filter(
      (key) => ours.getNodes(key, 3).join() !== theirs.range(key, 3).join(),
    );
    expect(mismatches).toEqual([]);
  });

  it("after adding and removing servers, as hashring's add and remove rebuild the continuum", () => {
    const theirs = new HashRing({ "a:1": 1, "b:1": 2, "c:1": 1 });
    const ours = new KetamaRing().addNode("a:1").addNode("b:1", { weight: 2 }).addNode("c:1");
    theirs.add({ "d:1": 3 });
    ours.addNode("d:1", { weight: 3 });
    theirs.remove("b:1");
    ours.removeNode("b:1");
    expect(ours.pointsCount).toBe(theirs.ring.length);
    expect(
      disagreements(
        KEYS.slice(0, 20_000),
        (k) => ours.getNode(k),
        (k) => theirs.get(k),
      ),
    ).toEqual([]);
  });

  it("a custom digest count per server equals hashring's 'vnode count' option", () => {
    const servers = ["a:1", "b:1", "c:1", "d:1"];
    const theirs = new HashRing(servers, "md5", { "vnode count": 100 });
    const ours = new KetamaRing({ hashesPerServer: 100, nodes: servers });
    expect(ours.pointsCount).toBe(400 * 4);
    expect(
      disagreements(
        KEYS.slice(0, 20_000),
        (k) => ours.getNode(k),
        (k) => theirs.get(k),
      ),
    ).toEqual([]);
  });
});

describe("libketama's layout", () => {
  it('each digest MD5("<server>-<i>") gives its four little-endian words as points', () => {
    const ring = new KetamaRing({ nodes: ["s:1"] });
    const digest = createHash("md5").update("s:1-7").digest();
    const positions = ring
      .points()
      .filter((point) => point.label.startsWith("s:1-7 "))
      .sort((a, b) => Number(a.label.slice(-1)) - Number(b.label.slice(-1)))
      .map((point) => point.position);
    expect(positions).toEqual([0, 1, 2, 3].map((j) => digest.readUInt32LE(j * 4)));
  });

  it("on a collided position the server listed first wins, in hashring as here", () => {
    // 10.0.2.53:11211 (digest 38, word 3) and 10.0.2.161:11211 (digest 8, word 1) share a point.
    const first = "10.0.2.53:11211";
    const second = "10.0.2.161:11211";
    const key = "key-62"; // its position falls in the arc that ends at the shared point
    expect(new KetamaRing({ nodes: [first, second] }).getNode(key)).toBe(first);
    expect(new KetamaRing({ nodes: [second, first] }).getNode(key)).toBe(second);
    expect(new HashRing([first, second]).get(key)).toBe(first);
    expect(new HashRing([second, first]).get(key)).toBe(second);
  });

  it("with unequal weights, adding a server changes the other servers' point counts", () => {
    const ring = new KetamaRing().addNode("a:1").addNode("b:1", { weight: 3 });
    const before = ring.shares().map((s) => s.pointsCount);
    ring.addNode("c:1");
    const after = ring.shares().map((s) => s.pointsCount);
    expect(before).toEqual([80, 240]);
    expect(after.slice(0, 2)).toEqual([96, 288]);
  });
});

describe("errors", () => {
  it("a bad hashesPerServer, a duplicate server, an unknown server, an empty ring", () => {
    expectRangeError(
      () => new KetamaRing({ hashesPerServer: 0 }),
      "hashesPerServer must be an integer in [1, 100000], got 0",
    );
    const ring = new KetamaRing({ nodes: ["a:1"] });
    expectRangeError(
      () => ring.addNode("a:1"),
      'node "a:1" is already on the ring; remove it first, or add it under another name',
    );
    expectRangeError(
      () => ring.removeNode("b:1"),
      'node "b:1" is not on the ring; nodes on the ring: "a:1"',
    );
    expectRangeError(
      () => new KetamaRing().getNode("k"),
      'cannot place key "k": the ring has no nodes; add one with addNode(node) first',
    );
  });
});
