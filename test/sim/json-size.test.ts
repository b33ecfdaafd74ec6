// Message sizes: jsonSizeBytes counts the UTF-8 bytes of JSON.stringify(body) without building the
// text, and must give exactly the figure of encoding it (the trace and bytesSent report it).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Message, jsonSizeBytes } from "../../src/index.js";
import { assertProperty } from "../support/property.js";

const encoder = new TextEncoder();

/** The definition: encode the body as JSON, count the UTF-8 bytes (0 when JSON gives undefined). */
function encodedSizeBytes(value: unknown): number {
  const json = JSON.stringify(value);
  return json === undefined ? 0 : encoder.encode(json).length;
}

function sizeOf(value: unknown): number {
  return jsonSizeBytes(value as Message);
}

/** Strings of any UTF-16 code units: control characters, quotes, lone and paired surrogates. */
const anyUnits = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
});

const SPECIAL_NUMBERS = [
  0,
  -0,
  1,
  -1,
  9,
  10,
  99,
  100,
  1e15 - 1,
  1e15,
  -1e15,
  1e21,
  1e-7,
  123.456,
  -0.5,
  NaN,
  Infinity,
  -Infinity,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  Number.MAX_SAFE_INTEGER,
  2 ** 53 + 2,
];

/** JSON-ish values with what JSON.stringify drops or rewrites: undefined, functions, NaN, holes. */
const jsonish = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.jsonValue(),
    anyUnits,
    fc.double(),
    fc.constantFrom(...SPECIAL_NUMBERS),
    fc.constantFrom(undefined, null, true, false, () => 1, Symbol("s")),
    fc.array(tie("value"), { maxLength: 5 }),
    fc.sparseArray(tie("value"), { maxLength: 5 }),
    fc.dictionary(anyUnits, tie("value"), { maxKeys: 5 }),
    fc.dictionary(fc.string(), tie("value"), { maxKeys: 5, noNullPrototype: false }),
  ),
})).value;

describe("message sizes: UTF-8 bytes of the JSON encoding, counted without encoding", () => {
  it("equals the encoded size on arbitrary JSON values", () => {
    assertProperty(
      fc.property(fc.jsonValue(), (value) => {
        expect(sizeOf(value)).toBe(encodedSizeBytes(value));
        expect(sizeOf({ type: "t", value })).toBe(encodedSizeBytes({ type: "t", value }));
      }),
    );
  });

  it("equals the encoded size with undefined fields, holes, NaN, -0, escapes and lone surrogates", () => {
    assertProperty(
      fc.property(jsonish, (value) => {
        expect(sizeOf(value)).toBe(encodedSizeBytes(value));
        expect(sizeOf({ type: "t", value })).toBe(encodedSizeBytes({ type: "t", value }));
      }),
      { numRuns: 500 },
    );
  });

  it("counts numbers as JSON writes them: -0 as 0, NaN and infinities as null, 1e21 with exponent", () => {
    for (const number of SPECIAL_NUMBERS) {
      expect(sizeOf({ type: "n", number })).toBe(encodedSizeBytes({ type: "n", number }));
    }
    expect(sizeOf({ type: "n", number: -0 })).toBe('{"type":"n","number":0}'.length);
    expect(sizeOf({ type: "n", number: NaN })).toBe('{"type":"n","number":null}'.length);
  });

  it("counts multi-byte characters in UTF-8: 2, 3 and 4 bytes, and escaped lone surrogates", () => {
    for (const text of [
      "é",
      "€",
      "😀",
      "\u2028",
      "\x7f",
      "\ud800",
      "\udc00x",
      '"\\',
      "\n\t\u0001",
    ]) {
      expect(sizeOf({ type: text, [text]: text })).toBe(
        encodedSizeBytes({ type: text, [text]: text }),
      );
    }
    expect(sizeOf({ type: "😀" })).toBe('{"type":""}'.length + 4);
  });

  it("leaves toJSON, class instances, boxed values and deep nesting to JSON.stringify, same figure", () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    let deep: unknown = 1;
    for (let i = 0; i < 200; i++) deep = [deep, { i }];
    const values: unknown[] = [
      { type: "date", at: new Date(0) },
      { type: "point", point: new Point(1, 2) },
      { type: "boxed", values: [new Number(3), new String("x"), new Boolean(false)] },
      { type: "map", map: new Map([[1, 2]]) },
      { type: "custom", value: { toJSON: () => "replaced" } },
      { type: "deep", deep },
      Object.assign(Object.create(null) as object, { type: "null prototype" }),
    ];
    for (const value of values) expect(sizeOf(value)).toBe(encodedSizeBytes(value));
  });

  it("ignores enumerable properties inherited from a polluted Object.prototype, as JSON does", () => {
    const body = { type: "t", nested: { n: 1 } };
    const expected = encodedSizeBytes(body);
    Object.defineProperty(Object.prototype, "polluted", {
      value: "x",
      writable: true,
      enumerable: true,
      configurable: true,
    });
    try {
      expect(sizeOf(body)).toBe(expected);
      expect(encodedSizeBytes(body)).toBe(expected);
    } finally {
      delete (Object.prototype as { polluted?: unknown }).polluted;
    }
  });

  it('the doc example: {"type":"ping","seq":7} is 23 bytes', () => {
    expect(sizeOf({ type: "ping", seq: 7 })).toBe(23);
  });

  it("throws for a body that is not JSON data: a bigint, a cycle, a getter that throws", () => {
    expect(() => sizeOf({ type: "big", n: 1n })).toThrow(/message of type "big" must be JSON data/);
    const cycle: { type: string; self?: unknown } = { type: "cycle" };
    cycle.self = cycle;
    expect(() => sizeOf(cycle)).toThrow(/message of type "cycle" must be JSON data/);
    const failing = {
      type: "getter",
      get broken(): number {
        throw new Error("no value");
      },
    };
    expect(() => sizeOf(failing)).toThrow(/message of type "getter" must be JSON data.*no value/);
  });
});
