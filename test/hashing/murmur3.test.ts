// MurmurHash3 x86_32 of src/hashing/murmur3.ts against published reference values: SMHasher's
// own verification value (0xB0F57EE3) and the test vectors widely used to check ports.
// Reference: Appleby, SMHasher (MurmurHash3.cpp, main.cpp VerificationTest).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HASH64_LOW_SEED, hash64, murmur3 } from "../../src/index.js";
import { assertProperty } from "../support/property.js";
import { expectRangeError } from "./support.js";

const bytes = (...values: number[]) => new Uint8Array(values);

describe("MurmurHash3_x86_32 reference vectors", () => {
  it("reproduces SMHasher's verification value 0xB0F57EE3", () => {
    // Hash key[0..i) (key[i] = i) with seed 256 - i, for i = 0..255; hash the 256 little-endian
    // results with seed 0: the reference implementation gives 0xB0F57EE3.
    const key = new Uint8Array(256);
    const hashes = new Uint8Array(256 * 4);
    for (let i = 0; i < 256; i++) {
      key[i] = i;
      const h = murmur3(key.subarray(0, i), 256 - i);
      for (let b = 0; b < 4; b++) hashes[i * 4 + b] = (h >>> (8 * b)) & 0xff;
    }
    expect(murmur3(hashes, 0)).toBe(0xb0f57ee3);
  });

  it.each([
    ["empty, seed 0", bytes(), 0, 0],
    ["empty, seed 1", bytes(), 1, 0x514e28b7],
    ["empty, seed 0xffffffff", bytes(), 0xffffffff, 0x81f16f39],
    ["ff ff ff ff", bytes(0xff, 0xff, 0xff, 0xff), 0, 0x76293b50],
    ["21 43 65 87 (endianness)", bytes(0x21, 0x43, 0x65, 0x87), 0, 0xf55b516b],
    ["21 43 65 87, seed 0x5082edee", bytes(0x21, 0x43, 0x65, 0x87), 0x5082edee, 0x2362f9de],
    ["21 43 65 (3-byte tail)", bytes(0x21, 0x43, 0x65), 0, 0x7e4a8634],
    ["21 43 (2-byte tail)", bytes(0x21, 0x43), 0, 0xa0f7b07a],
    ["21 (1-byte tail)", bytes(0x21), 0, 0x72661cf4],
    ["00 00 00 00", bytes(0, 0, 0, 0), 0, 0x2362f9de],
    ["00 00 00", bytes(0, 0, 0), 0, 0x85f0b427],
    ["00 00", bytes(0, 0), 0, 0x30f4c306],
    ["00", bytes(0), 0, 0x514e28b7],
  ])("bytes: %s", (_name, data, seed, expected) => {
    expect(murmur3(data, seed)).toBe(expected);
  });

  it.each([
    ["", 0, 0],
    ["aaaa", 0x9747b28c, 0x5a97808a],
    ["aaa", 0x9747b28c, 0x283e0130],
    ["aa", 0x9747b28c, 0x5d211726],
    ["a", 0x9747b28c, 0x7fa09ea6],
    ["abcd", 0x9747b28c, 0xf0478627],
    ["abc", 0x9747b28c, 0xc84a62dd],
    ["ab", 0x9747b28c, 0x74875592],
    ["Hello, world!", 0x9747b28c, 0x24884cba],
    ["ππππππππ", 0x9747b28c, 0xd58063c1],
    ["The quick brown fox jumps over the lazy dog", 0x9747b28c, 0x2fa826cd],
    ["abc", 0, 0xb3dd93fa],
    ["Hello, world!", 1234, 0xfaf6cdb3],
    ["Hello, world!", 4321, 0xbf505788],
  ])("text %j with seed %i", (text, seed, expected) => {
    expect(murmur3(text, seed)).toBe(expected);
  });
});

describe("murmur3 over text", () => {
  it("hashes a string as the UTF-8 bytes TextEncoder writes (lone surrogates as U+FFFD)", () => {
    const encoder = new TextEncoder();
    assertProperty(
      fc.property(
        fc.oneof(fc.string({ unit: "binary" }), fc.string(), fc.string({ unit: "grapheme" })),
        fc.integer({ min: 0, max: 0xffffffff }),
        (text, seed) => {
          expect(murmur3(text, seed)).toBe(murmur3(encoder.encode(text), seed));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("rejects a seed outside [0, 2^32 - 1] and data that is not text or bytes, naming them", () => {
    expectRangeError(() => murmur3("a", -1), "seed must be an integer in [0, 4294967295], got -1");
    expectRangeError(
      () => murmur3(42 as unknown as string),
      "data must be a string or a Uint8Array, got 42",
    );
  });
});

describe("hash64: the 64-bit key of a string for jump hash", () => {
  it("is murmur3(key, 0) in the high half and murmur3(key, 0x9e3779b9) in the low half", () => {
    assertProperty(
      fc.property(fc.string({ unit: "binary" }), (key) => {
        const expected = (BigInt(murmur3(key)) << 32n) | BigInt(murmur3(key, HASH64_LOW_SEED));
        expect(hash64(key)).toBe(expected);
      }),
    );
  });

  it("rejects a key that is not a string", () => {
    expectRangeError(() => hash64(7 as unknown as string), "key must be a string, got 7");
  });
});
