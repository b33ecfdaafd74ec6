// Version vectors: dominance, merge and concurrent versions (siblings) for replicated data.
// Reference: Parker et al., "Detection of Mutual Inconsistency in Distributed Systems", IEEE TSE
// 9(3), 1983; DeCandia et al., "Dynamo", SOSP 2007, §4.4 (reconciliation).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { VersionVector, reconcileSiblings } from "../../src/clocks/index.js";
import { assertProperty } from "../support/property.js";
import { expectRangeError, versionVector } from "./support.js";

describe("Parker et al.: a version dominates another when it includes all its updates", () => {
  it("updates on two replicas from one base conflict; a write that read both resolves them", () => {
    const base = VersionVector.empty().increment("r1");
    const x = base.increment("r1");
    const y = base.increment("r2");
    expect(x.concurrentWith(y)).toBe(true);
    expect(x.dominates(base)).toBe(true);
    expect(base.happenedBefore(x)).toBe(true);
    const resolved = x.merge(y).increment("r1");
    expect(resolved.toString()).toBe("{r1:3, r2:1}");
    expect(resolved.dominates(x) && resolved.dominates(y)).toBe(true);
  });

  it("a sync merges without counting an update: replicas that swapped updates are equal", () => {
    const r1 = VersionVector.empty().increment("r1");
    const r2 = VersionVector.empty().increment("r2");
    expect(r1.merge(r2).equals(r2.merge(r1))).toBe(true);
    expect(r1.merge(r2).toJSON()).toEqual({ r1: 1, r2: 1 });
  });

  it("errors name the value", () => {
    expectRangeError(() => VersionVector.from({ r1: -2 }), 'counters["r1"]', "got -2");
    expectRangeError(() => VersionVector.empty().increment(""), "replica must be");
    expectRangeError(() => VersionVector.fromJSON("r1"), "VersionVector JSON must be an object");
    expectRangeError(
      () => reconcileSiblings([{ value: 1, version: {} as VersionVector }]),
      "versions[0]",
    );
  });
});

describe("version vector laws", () => {
  it("dominates is reflexive, antisymmetric and transitive", () => {
    assertProperty(
      fc.property(versionVector, versionVector, versionVector, (a, b, c) => {
        expect(a.dominates(a)).toBe(true);
        if (a.dominates(b) && b.dominates(a)) expect(a.equals(b)).toBe(true);
        if (a.dominates(b) && b.dominates(c)) expect(a.dominates(c)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("merge is commutative, associative, idempotent and the least upper bound", () => {
    assertProperty(
      fc.property(versionVector, versionVector, versionVector, (a, b, c) => {
        const m = a.merge(b);
        expect(m.equals(b.merge(a))).toBe(true);
        expect(m.merge(c).equals(a.merge(b.merge(c)))).toBe(true);
        expect(a.merge(a).equals(a)).toBe(true);
        expect(m.dominates(a) && m.dominates(b)).toBe(true);
        if (c.dominates(a) && c.dominates(b)) expect(c.dominates(m)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("increment yields a strictly newer version; JSON round trip is equal", () => {
    assertProperty(
      fc.property(versionVector, fc.constantFrom("r1", "r2", "r9"), (a, replica) => {
        expect(a.happenedBefore(a.increment(replica))).toBe(true);
        expect(VersionVector.fromJSON(JSON.parse(JSON.stringify(a))).equals(a)).toBe(true);
      }),
    );
  });

  it("reconcileSiblings keeps pairwise concurrent versions that dominate every input", () => {
    assertProperty(
      fc.property(fc.array(versionVector, { maxLength: 8 }), (versions) => {
        const input = versions.map((version, value) => ({ value, version }));
        const kept = reconcileSiblings(input);
        for (const k of kept) expect(input).toContain(k);
        for (const a of kept) {
          for (const b of kept) if (a !== b) expect(a.version.concurrentWith(b.version)).toBe(true);
        }
        for (const v of input) {
          expect(kept.some((k) => k.version.dominates(v.version))).toBe(true);
        }
      }),
    );
  });

  it("reconcileSiblings drops older and duplicate versions, keeps concurrent ones in order", () => {
    const v = (value: string, counters: Record<string, number>) => ({
      value,
      version: VersionVector.from(counters),
    });
    const kept = reconcileSiblings([
      v("a", { r1: 1 }),
      v("b", { r1: 2 }),
      v("c", { r1: 1, r2: 1 }),
      v("b again", { r1: 2 }),
    ]);
    expect(kept.map((k) => k.value)).toEqual(["b", "c"]);
  });
});
