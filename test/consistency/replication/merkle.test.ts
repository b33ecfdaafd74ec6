// The Merkle tree of anti-entropy: equal contents give equal roots whatever the order of updates,
// and the descent finds exactly the keys that differ. Reference: Merkle, CRYPTO 1987 (hash
// trees); DeCandia et al., Dynamo, SOSP 2007, §4.7 (replica synchronisation by Merkle trees).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MerkleTree } from "../../../src/consistency/replication/index.js";
import { assertProperty } from "../../support/property.js";
import { expectRangeError } from "./support.js";

/** Key -> content maps over a small key space, so two maps share many keys. */
const contents = fc.dictionary(
  fc.integer({ min: 0, max: 300 }).map((i) => `k${i}`),
  fc.constantFrom("a", "b", "c"),
  { maxKeys: 120 },
);

function treeOf(map: Record<string, string>, depth: number): MerkleTree {
  const tree = new MerkleTree({ depth });
  for (const [key, content] of Object.entries(map)) tree.set(key, content);
  return tree;
}

/** The reference: every key of both maps, compared one by one. */
function bruteForceDiff(a: Record<string, string>, b: Record<string, string>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((key) => a[key] !== b[key]).sort();
}

describe("§4.7 Merkle trees: compare roots, descend into differing subtrees", () => {
  it("diff returns exactly the differing keys, as a brute-force comparison does", () => {
    assertProperty(
      fc.property(contents, contents, fc.integer({ min: 0, max: 8 }), (a, b, depth) => {
        expect(treeOf(a, depth).diff(treeOf(b, depth)).keys).toEqual(bruteForceDiff(a, b));
      }),
      { numRuns: 200 },
    );
  });

  it("equal contents give equal roots, whatever the order of sets and deletes", () => {
    assertProperty(
      fc.property(contents, fc.integer({ min: 0, max: 8 }), fc.integer(), (map, depth, salt) => {
        const direct = treeOf(map, depth);
        // Another history reaching the same contents: extra keys set then deleted, reversed order.
        const other = new MerkleTree({ depth });
        other.set(`extra${salt}`, "x");
        for (const key of Object.keys(map).reverse()) other.set(key, "stale");
        for (const [key, content] of Object.entries(map)) other.set(key, content);
        other.delete(`extra${salt}`);
        expect(other.rootHash()).toBe(direct.rootHash());
        expect(other.size).toBe(Object.keys(map).length);
      }),
      { numRuns: 100 },
    );
  });

  it("one changed key changes the root and every hash on its path, and only there", () => {
    const a = treeOf({ x: "1", y: "2", z: "3" }, 3);
    const b = treeOf({ x: "1", y: "2", z: "3" }, 3);
    expect(a.rootHash()).toBe(b.rootHash());
    b.set("y", "changed");
    expect(a.rootHash()).not.toBe(b.rootHash());
    const bucket = a.bucketOf("y");
    for (let level = 0; level <= 3; level++) {
      const onPath = bucket >> (3 - level);
      for (let index = 0; index < 2 ** level; index++) {
        const same = a.hashAt(level, index) === b.hashAt(level, index);
        expect(same).toBe(index !== onPath);
      }
    }
  });

  it("the descent compares few nodes when few keys differ", () => {
    const a = new MerkleTree({ depth: 10 });
    const b = new MerkleTree({ depth: 10 });
    for (let i = 0; i < 10_000; i++) {
      a.set(`k${i}`, "v");
      b.set(`k${i}`, "v");
    }
    b.set("k42", "w");
    const diff = a.diff(b);
    expect(diff.keys).toEqual(["k42"]);
    expect(diff.bucketsDiffering).toBe(1);
    expect(diff.nodesCompared).toBe(1 + 2 * 10); // the path, plus each sibling on it
  });

  it("an empty tree has root 0 and diff against itself finds nothing", () => {
    const tree = new MerkleTree({ depth: 2 });
    expect(tree.rootHash()).toBe("0000000000000000");
    expect(tree.diff(new MerkleTree({ depth: 2 }))).toEqual({
      keys: [],
      nodesCompared: 1,
      bucketsDiffering: 0,
      keysCompared: 0,
    });
  });

  it("rejects a bad depth, level, index or tree, naming the value", () => {
    expectRangeError(
      () => new MerkleTree({ depth: 21 }),
      "options.depth must be an integer in [0, 20], got 21",
    );
    const tree = new MerkleTree({ depth: 2 });
    expectRangeError(() => tree.hashAt(3, 0), "level must be an integer in [0, 2], got 3");
    expectRangeError(
      () => tree.hashAt(1, 2),
      "index must be an integer in [0, 1] at level 1, got 2",
    );
    expectRangeError(() => tree.keysInBucket(4), "bucket must be an integer in [0, 3], got 4");
    expectRangeError(
      () => tree.diff(new MerkleTree({ depth: 3 })),
      "other must be a MerkleTree of depth 2, got 3",
    );
  });
});
