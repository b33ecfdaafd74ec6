// VectorClock (dense) and MapVectorClock: the rules of Fidge 1988 and Mattern 1988, the
// comparison, JSON round trip, and errors that name the bad value.
// Reference: Mattern, "Virtual Time and Global States of Distributed Systems", 1988.

import { describe, expect, it } from "vitest";
import { MapVectorClock, VectorClock } from "../../src/clocks/index.js";
import { expectRangeError } from "./support.js";

describe("vector clock rules: increment on events, merge then increment on receipt", () => {
  it("a send, a local event and a receipt give the textbook vectors", () => {
    const zero = VectorClock.zero(["A", "B", "C"]);
    const sent = zero.increment("A");
    const local = zero.increment("B");
    const received = local.receive("B", sent);
    expect([sent, local, received].map(String)).toEqual(["[1,0,0]", "[0,1,0]", "[1,2,0]"]);
  });

  it("compare names all four relations", () => {
    const a = VectorClock.from(["A", "B"], { A: 1 });
    const b = VectorClock.from(["A", "B"], { A: 1, B: 1 });
    const c = VectorClock.from(["A", "B"], { B: 2 });
    expect(a.compare(b)).toBe("before");
    expect(b.compare(a)).toBe("after");
    expect(a.compare(VectorClock.from(["A", "B"], { A: 1 }))).toBe("equal");
    expect(a.compare(c)).toBe("concurrent");
  });

  it("equal clocks are not concurrent (the sketch's isConcurrentWith says they are)", () => {
    const a = VectorClock.from(["A", "B"], { A: 1 });
    expect(a.concurrentWith(a)).toBe(false);
    expect(a.happenedBefore(a)).toBe(false);
    expect(a.equals(a)).toBe(true);
  });

  it("clocks are immutable: increment, merge and receive leave the original unchanged", () => {
    const a = VectorClock.from(["A", "B"], { A: 1 });
    const b = VectorClock.from(["A", "B"], { B: 3 });
    a.increment("A");
    a.merge(b);
    a.receive("A", b);
    expect(a.toArray()).toEqual([1, 0]);
    a.toArray()[0] = 99;
    expect(a.get("A")).toBe(1);
  });

  it("merge counts no event: it is the entrywise maximum", () => {
    const a = VectorClock.from(["A", "B", "C"], { A: 3, B: 1 });
    const b = VectorClock.from(["A", "B", "C"], { B: 2, C: 5 });
    expect(a.merge(b).toObject()).toEqual({ A: 3, B: 2, C: 5 });
  });

  it("JSON round trip keeps nodes and counters", () => {
    const clock = VectorClock.from(["x", "y"], { x: 4, y: 7 });
    const json = JSON.parse(JSON.stringify(clock)) as unknown;
    expect(json).toEqual({ nodes: ["x", "y"], counters: [4, 7] });
    expect(VectorClock.fromJSON(json).equals(clock)).toBe(true);
  });
});

describe("vector clock errors name the value and what is allowed", () => {
  const clock = VectorClock.zero(["A", "B"]);

  it("an unknown node id", () => {
    expectRangeError(() => clock.increment("Z"), '"Z"', '["A","B"]');
    expectRangeError(() => clock.get("Z"), '"Z"');
    expectRangeError(() => clock.receive("Z", clock), '"Z"');
  });

  it("mismatched node sets, including the same ids in another order", () => {
    expectRangeError(() => clock.merge(VectorClock.zero(["A", "C"])), '["A","B"] vs ["A","C"]');
    expectRangeError(() => clock.compare(VectorClock.zero(["B", "A"])), "different nodes");
  });

  it("a clock of another kind", () => {
    expectRangeError(
      () => clock.compare(MapVectorClock.empty() as unknown as VectorClock),
      "expected a VectorClock",
    );
  });

  it("bad node sets", () => {
    expectRangeError(() => VectorClock.zero([]), "nodes must be an array of 1 to");
    expectRangeError(() => VectorClock.zero(["A", "A"]), 'got "A" twice');
    expectRangeError(() => VectorClock.zero(["A", ""]), "nodes[1]", 'got ""');
    expectRangeError(() => VectorClock.from(["A"], { B: 1 }), 'node "B"', '["A"]');
    expectRangeError(() => VectorClock.from(["A"], { A: -1 }), 'counters["A"]', "got -1");
  });

  it("bad JSON names the field", () => {
    expectRangeError(() => VectorClock.fromJSON(null), "VectorClock JSON must be an object");
    expectRangeError(
      () => VectorClock.fromJSON({ nodes: ["A"], counters: [1.5] }),
      "counters[0]",
      "got 1.5",
    );
    expectRangeError(
      () => VectorClock.fromJSON({ nodes: ["A", "B"], counters: [1] }),
      "array of 2 integers",
    );
    expectRangeError(
      () => VectorClock.fromJSON({ nodes: ["A"], counters: [1], extra: 1 }),
      'unknown field "extra"',
    );
  });
});

describe("MapVectorClock: the same rules over an open node set", () => {
  it("nodes never seen read 0 and clocks of different node sets compare", () => {
    const a = MapVectorClock.empty().increment("A");
    const b = MapVectorClock.empty().increment("B");
    expect(a.get("B")).toBe(0);
    expect(a.compare(b)).toBe("concurrent");
    expect(b.receive("B", a).toString()).toBe("{A:1, B:2}");
    expect(a.compare(b.receive("B", a))).toBe("before");
  });

  it("zero counters are not stored, so {A:1, B:0} equals {A:1}", () => {
    const a = MapVectorClock.from({ A: 1, B: 0 });
    expect(a.toJSON()).toEqual({ A: 1 });
    expect(a.nodes).toEqual(["A"]);
    expect(a.equals(MapVectorClock.from({ A: 1 }))).toBe(true);
  });

  it("JSON round trip and bad JSON", () => {
    const clock = MapVectorClock.from({ b: 2, a: 1 });
    expect(JSON.stringify(clock)).toBe('{"a":1,"b":2}');
    expect(MapVectorClock.fromJSON(JSON.parse(JSON.stringify(clock))).equals(clock)).toBe(true);
    expectRangeError(() => MapVectorClock.fromJSON([1]), "MapVectorClock JSON must be an object");
    expectRangeError(() => MapVectorClock.fromJSON({ a: "1" }), 'JSON["a"]', 'got "1"');
    expectRangeError(() => MapVectorClock.empty().increment(""), "node must be a non-empty string");
  });
});
