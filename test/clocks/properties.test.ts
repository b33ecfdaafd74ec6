// Laws of the clocks, checked by fast-check: vector clocks form a partial order whose join is
// merge; dense and Map variants agree; the clock conditions hold on random simulated runs.
// Reference: Lamport 1978, §2-3 (clock condition); Mattern 1988 (vector time is a lattice
// and characterises causality); Kulkarni et al. 2014 (HLC properties).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ClockOrder,
  MapVectorClock,
  VectorClock,
  compareHlcTimestamps,
  randomClockedRun,
} from "../../src/clocks/index.js";
import { assertProperty } from "../support/property.js";
import { NODES, denseClock, happenedBeforeSets, mapClock } from "./support.js";

const atOrBefore = (order: ClockOrder) => order === "before" || order === "equal";
const reverse: Record<ClockOrder, ClockOrder> = {
  before: "after",
  after: "before",
  equal: "equal",
  concurrent: "concurrent",
};

/** The same laws for both representations. */
const variants = [
  { name: "VectorClock (dense)", clock: denseClock as fc.Arbitrary<VectorClock | MapVectorClock> },
  { name: "MapVectorClock", clock: mapClock as fc.Arbitrary<VectorClock | MapVectorClock> },
];

type AnyClock = VectorClock | MapVectorClock;
const cmp = (a: AnyClock, b: AnyClock): ClockOrder => (a as VectorClock).compare(b as VectorClock);
const join = (a: AnyClock, b: AnyClock): AnyClock => (a as VectorClock).merge(b as VectorClock);

for (const { name, clock } of variants) {
  describe(`${name}: compare is a partial order`, () => {
    it("reflexive: every clock is equal to itself", () => {
      assertProperty(fc.property(clock, (a) => cmp(a, a) === "equal"));
    });

    it("antisymmetric: compare(b, a) is compare(a, b) reversed; a <= b <= a means equal", () => {
      assertProperty(
        fc.property(clock, clock, (a, b) => {
          expect(cmp(b, a)).toBe(reverse[cmp(a, b)]);
          if (atOrBefore(cmp(a, b)) && atOrBefore(cmp(b, a))) expect(cmp(a, b)).toBe("equal");
        }),
      );
    });

    it("transitive: a <= b and b <= c give a <= c, strict if either step is", () => {
      assertProperty(
        fc.property(clock, clock, clock, (a, b, c) => {
          const ab = cmp(a, b);
          const bc = cmp(b, c);
          if (!atOrBefore(ab) || !atOrBefore(bc)) return;
          const ac = cmp(a, c);
          expect(ac).toBe(ab === "equal" && bc === "equal" ? "equal" : "before");
        }),
        { numRuns: 500 },
      );
    });

    it("compare agrees with happenedBefore, concurrentWith and equals", () => {
      assertProperty(
        fc.property(clock, clock, (a, b) => {
          const x = a as VectorClock;
          const y = b as VectorClock;
          const order = x.compare(y);
          expect(x.happenedBefore(y)).toBe(order === "before");
          expect(y.happenedBefore(x)).toBe(order === "after");
          expect(x.concurrentWith(y)).toBe(order === "concurrent");
          expect(x.equals(y)).toBe(order === "equal");
        }),
      );
    });

    it("increment yields a strictly later clock", () => {
      assertProperty(
        fc.property(clock, fc.constantFrom(...NODES), (a, node) => {
          expect(cmp(a, (a as VectorClock).increment(node))).toBe("before");
        }),
      );
    });
  });

  describe(`${name}: merge is the least upper bound`, () => {
    it("commutative, associative, idempotent", () => {
      assertProperty(
        fc.property(clock, clock, clock, (a, b, c) => {
          expect(cmp(join(a, b), join(b, a))).toBe("equal");
          expect(cmp(join(join(a, b), c), join(a, join(b, c)))).toBe("equal");
          expect(cmp(join(a, a), a)).toBe("equal");
        }),
      );
    });

    it("an upper bound of both, and at or before every other upper bound", () => {
      assertProperty(
        fc.property(clock, clock, clock, (a, b, c) => {
          const m = join(a, b);
          expect(atOrBefore(cmp(a, m))).toBe(true);
          expect(atOrBefore(cmp(b, m))).toBe(true);
          if (atOrBefore(cmp(a, c)) && atOrBefore(cmp(b, c))) {
            expect(atOrBefore(cmp(m, c))).toBe(true);
          }
        }),
        { numRuns: 500 },
      );
    });

    it("receive is strictly after both the receiver's clock and the message's", () => {
      assertProperty(
        fc.property(clock, clock, fc.constantFrom(...NODES), (a, b, node) => {
          const r = (a as VectorClock).receive(node, b as VectorClock);
          expect(cmp(a, r)).toBe("before");
          expect(cmp(b, r)).toBe("before");
        }),
      );
    });

    it("JSON round trip gives an equal clock", () => {
      assertProperty(
        fc.property(clock, (a) => {
          const json = JSON.parse(JSON.stringify(a)) as unknown;
          const back =
            a instanceof VectorClock ? VectorClock.fromJSON(json) : MapVectorClock.fromJSON(json);
          expect(cmp(a, back)).toBe("equal");
          expect(JSON.stringify(back)).toBe(JSON.stringify(a));
        }),
      );
    });
  });
}

describe("dense and Map vector clocks agree on random operation sequences", () => {
  const nodes = ["A", "B", "C", "D"];
  const operation = fc.oneof(
    fc.record({ kind: fc.constant("increment" as const), i: fc.nat(3) }),
    fc.record({ kind: fc.constant("merge" as const), i: fc.nat(3), j: fc.nat(3) }),
    fc.record({ kind: fc.constant("receive" as const), i: fc.nat(3), j: fc.nat(3) }),
  );

  it("same counters and same compare results after every operation", () => {
    assertProperty(
      fc.property(fc.array(operation, { maxLength: 40 }), (operations) => {
        const dense = nodes.map(() => VectorClock.zero(nodes));
        const sparse = nodes.map(() => MapVectorClock.empty());
        for (const op of operations) {
          const node = nodes[op.i] as string;
          if (op.kind === "increment") {
            dense[op.i] = (dense[op.i] as VectorClock).increment(node);
            sparse[op.i] = (sparse[op.i] as MapVectorClock).increment(node);
          } else if (op.kind === "merge") {
            dense[op.i] = (dense[op.i] as VectorClock).merge(dense[op.j] as VectorClock);
            sparse[op.i] = (sparse[op.i] as MapVectorClock).merge(sparse[op.j] as MapVectorClock);
          } else {
            dense[op.i] = (dense[op.i] as VectorClock).receive(node, dense[op.j] as VectorClock);
            sparse[op.i] = (sparse[op.i] as MapVectorClock).receive(
              node,
              sparse[op.j] as MapVectorClock,
            );
          }
          for (let x = 0; x < nodes.length; x++) {
            for (const id of nodes) {
              expect((sparse[x] as MapVectorClock).get(id)).toBe((dense[x] as VectorClock).get(id));
            }
            for (let y = 0; y < nodes.length; y++) {
              expect((sparse[x] as MapVectorClock).compare(sparse[y] as MapVectorClock)).toBe(
                (dense[x] as VectorClock).compare(dense[y] as VectorClock),
              );
            }
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe("clock conditions on random simulated message runs with skewed clocks", () => {
  const runOptions = fc.record({
    seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
    nodesCount: fc.integer({ min: 2, max: 5 }),
    stepsCount: fc.integer({ min: 1, max: 40 }),
    clockOffsetMsMax: fc.integer({ min: 0, max: 200 }),
    driftPpmMax: fc.integer({ min: 0, max: 50_000 }),
    durationMs: fc.integer({ min: 1, max: 300 }),
  });

  it("Lamport's clock condition: a -> b implies C(a) < C(b)", () => {
    assertProperty(
      fc.property(runOptions, (options) => {
        const run = randomClockedRun(options);
        const before = happenedBeforeSets(run.events);
        for (const b of run.events) {
          for (const a of before[b.id] as Set<number>) {
            expect(run.events[a]?.lamport).toBeLessThan(b.lamport);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it("vector clocks characterise causality: a -> b iff V(a) < V(b), dense and Map alike", () => {
    assertProperty(
      fc.property(runOptions, (options) => {
        const run = randomClockedRun(options);
        const before = happenedBeforeSets(run.events);
        const wrong: string[] = [];
        for (const a of run.events) {
          for (const b of run.events) {
            const causal = (before[b.id] as Set<number>).has(a.id);
            if (a.vector.happenedBefore(b.vector) !== causal) wrong.push(`dense ${a.id}->${b.id}`);
            if (a.mapVector.happenedBefore(b.mapVector) !== causal)
              wrong.push(`map ${a.id}->${b.id}`);
          }
        }
        expect(wrong).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it("HLC: l >= pt, a -> b implies hlc(a) < hlc(b), and l - pt <= the clock skew", () => {
    assertProperty(
      fc.property(runOptions, (options) => {
        const run = randomClockedRun(options);
        const before = happenedBeforeSets(run.events);
        for (const b of run.events) {
          expect(b.hlc.l).toBeGreaterThanOrEqual(b.physicalMs);
          expect(b.hlc.l - b.physicalMs).toBeLessThanOrEqual(run.skewMsMax);
          for (const a of before[b.id] as Set<number>) {
            const stampA = run.events[a]?.hlc ?? { l: Infinity, c: 0 };
            expect(compareHlcTimestamps(stampA, b.hlc)).toBeLessThan(0);
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});
