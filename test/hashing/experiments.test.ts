// The chapter's tables from real runs, with tolerances: remapping (modulo vs ring vs jump), load
// spread against points per node, replicas after a node failure, and bounded loads.
// Reference: Karger et al. 1997 §4; Lamping and Veach 2014; Dynamo (SOSP 2007) §4.3;
// Mirrokni, Thorup and Zadimoghaddam 2018.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ConsistentHashRing,
  boundedLoadTable,
  jumpHash,
  loadSpreadTable,
  modHash,
  movedFraction,
  nodeNames,
  remapTable,
  replicationExperiment,
  sampleKeys,
} from "../../src/index.js";
import { hash64Into, hash64SampleKeysInto } from "../../src/hashing/murmur3.js";
import { assertProperty } from "../support/property.js";
import { expectRangeError } from "./support.js";

describe("remapping 1,000,000 keys: modulo moves most keys, the ring and jump about 1/(n+1)", () => {
  const rows = remapTable();
  const [threeToFour, tenToEleven] = rows as [(typeof rows)[0], (typeof rows)[0]];

  it("3 -> 4 nodes: modulo ~75 %, ring 25 % +- 3 %, jump 25 % +- 0.5 %", () => {
    expect(threeToFour).toMatchObject({ from: 3, to: 4, keysCount: 1_000_000, minimum: 0.25 });
    expect(threeToFour.modulo).toBeCloseTo(0.75, 2);
    expect(Math.abs(threeToFour.ring - 0.25)).toBeLessThan(0.03);
    expect(Math.abs(threeToFour.jump - 0.25)).toBeLessThan(0.005);
  });

  it("10 -> 11 nodes: modulo ~91 %, ring 9.1 % +- 1.5 %, jump 9.1 % +- 0.5 %", () => {
    expect(tenToEleven.modulo).toBeCloseTo(10 / 11, 2);
    expect(Math.abs(tenToEleven.ring - 1 / 11)).toBeLessThan(0.015);
    expect(Math.abs(tenToEleven.jump - 1 / 11)).toBeLessThan(0.005);
  });

  it("shrinking is measured too: 4 -> 3 moves what 3 -> 4 moved", () => {
    const [grow, shrink] = remapTable({
      keysCount: 50_000,
      transitions: [
        [3, 4],
        [4, 3],
      ],
    });
    expect(shrink?.ring).toBe(grow?.ring);
    expect(shrink?.jump).toBe(grow?.jump);
  });

  it("hashes sample keys from their bytes exactly as it hashes the strings", () => {
    assertProperty(
      fc.property(
        fc.integer({ min: 0, max: 3000 }),
        fc.string({ maxLength: 6 }),
        (count, prefix) => {
          const [high, low] = [new Uint32Array(count), new Uint32Array(count)];
          const [expectedHigh, expectedLow] = [new Uint32Array(count), new Uint32Array(count)];
          hash64SampleKeysInto(count, prefix, high, low);
          hash64Into(sampleKeys(count, prefix), expectedHigh, expectedLow);
          expect(high).toEqual(expectedHigh);
          expect(low).toEqual(expectedLow);
        },
      ),
      { numRuns: 30 },
    );
  });

  it("equals what the public ring, jumpHash and modHash give key by key", () => {
    const keys = sampleKeys(5000);
    const [row] = remapTable({ keysCount: 5000, transitions: [[5, 6]] });
    const ring = new ConsistentHashRing({ nodes: nodeNames(5) });
    const before = keys.map((key) => ring.getNode(key));
    ring.addNode("node-6");
    const after = keys.map((key) => ring.getNode(key));
    const moved = (f: (key: string) => unknown, g: (key: string) => unknown) =>
      keys.filter((key) => f(key) !== g(key)).length / keys.length;
    expect(row?.ring).toBe(movedFraction(before, after));
    expect(row?.jump).toBe(
      moved(
        (k) => jumpHash(k, 5),
        (k) => jumpHash(k, 6),
      ),
    );
    expect(row?.modulo).toBe(
      moved(
        (k) => modHash(k, 5),
        (k) => modHash(k, 6),
      ),
    );
  });

  it("gives the same table for explicit keys as for the sample keys", () => {
    const keys = sampleKeys(20_000);
    expect(remapTable({ keys })).toEqual(remapTable({ keysCount: 20_000 }));
  });

  it("rejects bad transitions", () => {
    expectRangeError(
      () => remapTable({ transitions: [[3, 0]] }),
      "options.transitions[0][1] must be an integer in [1, 10000], got 0",
    );
  });
});

describe("load spread of 10 nodes: std-dev / mean ~ 1/sqrt(points per node)", () => {
  const rows = loadSpreadTable();
  const ring = (points: number) =>
    rows.find((r) => r.method === "ring" && r.pointsPerNode === points);

  it("near 10 % at 100 points and 3 % at 1000; jump and modulo near 0", () => {
    expect(ring(100)?.stdDevOverMean).toBeGreaterThan(0.07);
    expect(ring(100)?.stdDevOverMean).toBeLessThan(0.13);
    expect(ring(1000)?.stdDevOverMean).toBeGreaterThan(0.02);
    expect(ring(1000)?.stdDevOverMean).toBeLessThan(0.04);
    for (const method of ["jump", "modulo"] as const) {
      expect(rows.find((r) => r.method === method)?.stdDevOverMean).toBeLessThan(0.015);
    }
  });

  it("falls as points grow, and stays within 35 % of the prediction sqrt((n-1)/(n p + 1))", () => {
    const spreads = [1, 10, 100, 1000].map((p) => ring(p)?.stdDevOverMean as number);
    expect([...spreads].sort((a, b) => b - a)).toEqual(spreads);
    for (const p of [1, 10, 100, 1000]) {
      const row = ring(p);
      expect(
        Math.abs((row?.stdDevOverMean as number) / (row?.predicted as number) - 1),
      ).toBeLessThan(0.35);
    }
  });
});

describe("Dynamo §4.3: replicas when a node fails", () => {
  const result = replicationExperiment();

  it("about replicas / nodes of the keys lose a replica (3 of 6: ~50 %)", () => {
    expect(result.keysCount).toBe(10_000);
    expect(result.fractionLosingReplica).toBeGreaterThan(0.4);
    expect(result.fractionLosingReplica).toBeLessThan(0.6);
    expect(result.byPosition.reduce((a, b) => a + b, 0)).toBe(result.keysLosingReplica);
    expect(result.primariesLost).toBe(result.byPosition[0]);
  });

  it("every affected key keeps its survivors in order and gains the next distinct node clockwise", () => {
    expect(result.survivorsKept).toBe(result.keysLosingReplica);
    expect(result.newReplicaIsNextClockwise).toBe(result.keysLosingReplica);
    expect(result.unaffectedKeysChanged).toBe(0);
    expect(Object.values(result.newReplicasByNode).reduce((a, b) => a + b, 0)).toBe(
      result.keysLosingReplica,
    );
    const example = result.examples[0];
    expect(example?.before).toContain("node-1");
    expect(example?.after).not.toContain("node-1");
    expect(example?.after).toContain(example?.added);
  });

  it("rejects as many replicas as nodes and a failed node not on the ring", () => {
    expectRangeError(
      () => replicationExperiment({ nodesCount: 3, replicas: 3 }),
      "options.replicas must be an integer in [1, 2], got 3",
    );
    expectRangeError(
      () => replicationExperiment({ failedNode: "node-9" }),
      'options.failedNode must be one of the nodes node-1 to node-6, got "node-9"',
    );
  });
});

describe("Mirrokni et al. 2018: bounded loads cap the maximum and pay in moves", () => {
  const table = boundedLoadTable();
  const bounded = table.rows.filter((row) => row.method === "bounded");
  const plain = table.rows.find((row) => row.method === "ring");

  it("max load <= capacity = ceil((1 + epsilon) x mean) for every epsilon", () => {
    for (const row of bounded) {
      expect(row.maxLoad).toBeLessThanOrEqual(row.capacity as number);
      expect(row.capacity).toBe(Math.ceil((1 + (row.epsilon as number)) * row.meanLoad));
    }
    expect(plain?.maxOverMean).toBeGreaterThan(1.3);
  });

  it("the plain ring moves exactly the keys the new node takes or the old one held", () => {
    expect(plain?.movedOnAdd).toBe(plain?.addedNodeShare);
    expect(plain?.movedOnRemove).toBe(plain?.removedNodeShare);
  });

  it("bounded loads move at least those keys, and more than the plain ring when epsilon is small", () => {
    for (const row of bounded) {
      expect(row.movedOnAdd).toBeGreaterThanOrEqual(row.addedNodeShare);
      expect(row.movedOnRemove).toBeGreaterThanOrEqual(row.removedNodeShare);
    }
    const tight = bounded.find((row) => row.epsilon === 0.05);
    expect(tight?.movedOnAdd).toBeGreaterThan((plain?.movedOnAdd as number) * 1.2);
    expect(table.fairShareOnAdd).toBe(1 / 11);
  });
});
