// G-counter and PN-counter: merge is a join (commutative, associative, idempotent), the value is
// increments minus decrements once replicas have merged everything.
// Reference: Shapiro, Preguiça, Baquero, Zawirski, "Conflict-free Replicated Data Types", 2011,
// §2.2 (state-based CRDTs: a join semilattice) and §3.1.1-3.1.2 (Specifications 6 and 7).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GCounter, PNCounter } from "../../src/index.js";
import { assertProperty } from "../support/property.js";
import { expectRangeError } from "./support.js";

const REPLICAS = ["r1", "r2", "r3"];
type Update = { replica: string; delta: 1 | -1 };
const update = fc.record({
  replica: fc.constantFrom(...REPLICAS),
  delta: fc.constantFrom<1 | -1>(1, -1),
});

function apply(state: PNCounter, u: Update): PNCounter {
  return u.delta === 1 ? state.increment(u.replica) : state.decrement(u.replica);
}

/** A reachable PN-counter state: some updates made at some replicas. */
const pnState = fc
  .array(update, { maxLength: 20 })
  .map((updates) => updates.reduce(apply, PNCounter.empty()));

describe("§3.1.1 G-counter", () => {
  it("counts each replica's increments in its own entry and sums them", () => {
    const counter = GCounter.empty().increment("r1").increment("r1").increment("r2", 3);
    expect(counter.countOf("r1")).toBe(2);
    expect(counter.countOf("r2")).toBe(3);
    expect(counter.countOf("r3")).toBe(0);
    expect(counter.value()).toBe(5);
    expect(counter.toJSON()).toEqual({ r1: 2, r2: 3 });
  });

  it("merges by pointwise maximum, so two replicas' increments both count", () => {
    const a = GCounter.empty().increment("r1").increment("r1");
    const b = GCounter.empty().increment("r2");
    expect(a.merge(b).value()).toBe(3);
    expect(a.merge(b).toJSON()).toEqual({ r1: 2, r2: 1 });
  });

  it("is immutable: increment and merge return new counters", () => {
    const a = GCounter.empty();
    a.increment("r1");
    expect(a.value()).toBe(0);
  });

  it("round-trips through JSON", () => {
    const a = GCounter.empty().increment("r2", 4).increment("r1");
    expect(GCounter.fromJSON(a.toJSON()).equals(a)).toBe(true);
  });

  it("refuses bad input, naming the value", () => {
    expectRangeError(
      () => GCounter.empty().increment(""),
      'replica must be a non-empty string, got ""',
    );
    expectRangeError(
      () => GCounter.empty().increment("r1", 0),
      "amount must be an integer >= 1, got 0",
    );
    expectRangeError(
      () => GCounter.fromJSON({ r1: -1 }),
      'G-counter entry "r1" must be an integer >= 0, got -1',
    );
  });
});

describe("§2.2 merge is a join: commutative, associative, idempotent", () => {
  it("commutative: a ⊔ b = b ⊔ a", () => {
    assertProperty(
      fc.property(pnState, pnState, (a, b) => {
        expect(a.merge(b).equals(b.merge(a))).toBe(true);
      }),
    );
  });

  it("associative: (a ⊔ b) ⊔ c = a ⊔ (b ⊔ c)", () => {
    assertProperty(
      fc.property(pnState, pnState, pnState, (a, b, c) => {
        expect(
          a
            .merge(b)
            .merge(c)
            .equals(a.merge(b.merge(c))),
        ).toBe(true);
      }),
    );
  });

  it("idempotent: a ⊔ a = a, and merging again changes nothing", () => {
    assertProperty(
      fc.property(pnState, pnState, (a, b) => {
        expect(a.merge(a).equals(a)).toBe(true);
        expect(a.merge(b).merge(b).equals(a.merge(b))).toBe(true);
      }),
    );
  });

  it("inflationary: the merge includes both sides", () => {
    assertProperty(
      fc.property(pnState, pnState, (a, b) => {
        expect(a.merge(b).includes(a)).toBe(true);
        expect(a.merge(b).includes(b)).toBe(true);
      }),
    );
  });
});

describe("§3.1.2 PN-counter: value = increments - decrements after convergence", () => {
  it("three replicas updating apart, then gossiping in any order, agree on the true sum", () => {
    assertProperty(
      fc.property(
        fc.array(update, { maxLength: 40 }),
        fc.array(fc.tuple(fc.nat(2), fc.nat(2)), { maxLength: 30 }),
        (updates, gossip) => {
          const states = new Map(REPLICAS.map((r) => [r, PNCounter.empty()]));
          // Updates interleaved with partial gossip (duplicated, reordered: any pair, any order).
          updates.forEach((u, i) => {
            states.set(u.replica, apply(states.get(u.replica) as PNCounter, u));
            const [from, to] = gossip[i % Math.max(1, gossip.length)] ?? [0, 0];
            const a = REPLICAS[from] as string;
            const b = REPLICAS[to] as string;
            states.set(b, (states.get(b) as PNCounter).merge(states.get(a) as PNCounter));
          });
          // Anti-entropy until done: everyone merges everyone.
          const all = [...states.values()].reduce((x, y) => x.merge(y));
          const finals = REPLICAS.map((r) => (states.get(r) as PNCounter).merge(all));
          const expected = updates.reduce((sum, u) => sum + u.delta, 0);
          for (const state of finals) expect(state.value()).toBe(expected);
          expect(finals.every((s) => s.equals(finals[0] as PNCounter))).toBe(true);
        },
      ),
    );
  });

  it("a single signed entry would not do: a decrement then an older increment state", () => {
    const a = PNCounter.empty().increment("r1").increment("r1");
    const later = a.decrement("r1");
    // Merging the stale state back in does not undo the decrement.
    expect(later.merge(a).value()).toBe(1);
    expect(PNCounter.fromJSON(later.toJSON()).equals(later)).toBe(true);
  });
});
