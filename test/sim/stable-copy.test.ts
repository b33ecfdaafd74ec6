// Stable storage copies values with the meaning of structuredClone (the StableStorage contract):
// the hand-written copier for plain data must give what structuredClone gives, and share nothing.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Simulation } from "../../src/index.js";
import { copyStorageValue } from "../../src/sim/stable-copy.js";
import { Recorder, type TestMessage } from "../support/nodes.js";
import { assertProperty } from "../support/property.js";

/** Every object reachable from `value` (own enumerable properties), for checking sharing. */
function objectsIn(value: unknown, found = new Set<object>()): Set<object> {
  if (typeof value !== "object" || value === null || found.has(value)) return found;
  found.add(value);
  for (const key of Object.keys(value)) objectsIn((value as Record<string, unknown>)[key], found);
  return found;
}

/** Values structuredClone accepts, plain and not: null prototypes, holes, boxes, dates, maps... */
const cloneable = fc.anything({
  maxDepth: 3,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withSparseArray: true,
  withTypedArray: true,
  withUnicodeString: true,
});

/** structuredClone's outcome as data: the copy, or the error's name and message. */
function outcome(copy: (value: unknown) => unknown, value: unknown): unknown {
  try {
    return { copy: copy(value) };
  } catch (error) {
    return { error: (error as Error).name, message: (error as Error).message };
  }
}

describe("stable storage: values are copied in and out as by structuredClone", () => {
  it("the copy equals structuredClone's, with the same prototypes, holes and types", () => {
    assertProperty(
      fc.property(cloneable, (value) => {
        expect(copyStorageValue(value)).toStrictEqual(structuredClone(value));
      }),
      { numRuns: 500 },
    );
  });

  it("the copy shares no object with the original", () => {
    assertProperty(
      fc.property(cloneable, (value) => {
        const originals = objectsIn(value);
        for (const object of objectsIn(copyStorageValue(value))) {
          expect(originals.has(object)).toBe(false);
        }
      }),
    );
  });

  it("keeps sharing and cycles inside the value, as structuredClone does", () => {
    const shared = { n: 1 };
    const value: { a: object; b: object; list: object[]; self?: unknown } = {
      a: shared,
      b: shared,
      list: [shared],
    };
    value.self = value;
    const copy = copyStorageValue(value) as typeof value;
    expect(copy.a).toBe(copy.b);
    expect(copy.list[0]).toBe(copy.a);
    expect(copy.self).toBe(copy);
    expect(copy.a).not.toBe(shared);
    expect(copy).toStrictEqual(structuredClone(value));
  });

  it("a frozen value comes out as a fresh, unfrozen copy (a Raft log entry)", () => {
    const entry = Object.freeze({ term: 2, command: Object.freeze({ key: "x", value: 1 }) });
    const copy = copyStorageValue(entry) as { term: number; command: { key: string } };
    expect(copy).toStrictEqual(structuredClone(entry));
    expect(copy).not.toBe(entry);
    expect(Object.isFrozen(copy)).toBe(false);
    expect(Object.isFrozen(copy.command)).toBe(false);
  });

  it("throws what structuredClone throws for functions and symbols", () => {
    const values = [() => 1, { f: () => 1 }, [Symbol("s")], Symbol("t"), { nested: [{ g() {} }] }];
    for (const value of values) {
      const expected = outcome(structuredClone, value);
      expect(expected).toHaveProperty("error");
      expect(outcome(copyStorageValue, value)).toStrictEqual(expected);
    }
  });

  it("an own __proto__ key is copied as data, not as a prototype", () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "n": 1}') as object;
    const copy = copyStorageValue(value);
    expect(copy).toStrictEqual(structuredClone(value));
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
  });

  it("ctx.storage.get hands out a fresh mutable copy of a stored frozen entry", () => {
    const sim = new Simulation<TestMessage>({ seed: 1 });
    sim.addNode("a", () => new Recorder());
    const entry = Object.freeze({ term: 1, command: Object.freeze([1, 2]) });
    sim.withNode("a", (ctx) => ctx.storage.set("log.1", entry));
    const read = sim.withNode("a", (ctx) =>
      ctx.storage.get<{ term: number; command: number[] }>("log.1"),
    );
    expect(read).toStrictEqual({ term: 1, command: [1, 2] });
    read?.command.push(3);
    expect(sim.storageOf("a").get("log.1")).toStrictEqual({ term: 1, command: [1, 2] });
  });
});
