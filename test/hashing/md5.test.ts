// MD5 of src/hashing/md5.ts against RFC 1321's test suite and against node:crypto (used here, in
// the test only; the library has no dependencies). Reference: RFC 1321, §A.5 "Test suite".

import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMd5, md5, md5Hex, md5Word, toHexString } from "../../src/index.js";
import { assertProperty } from "../support/property.js";
import { expectRangeError } from "./support.js";

const nodeMd5 = (data: string | Uint8Array) => createHash("md5").update(data).digest("hex");

describe("RFC 1321 §A.5: MD5 test suite", () => {
  it.each([
    ["", "d41d8cd98f00b204e9800998ecf8427e"],
    ["a", "0cc175b9c0f1b6a831c399e269772661"],
    ["abc", "900150983cd24fb0d6963f7d28e17f72"],
    ["message digest", "f96b697d7cb7938d525a2f31aaf161d0"],
    ["abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"],
    [
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
      "d174ab98d277d9f5a5611c2c9f419d9f",
    ],
    [
      "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
      "57edf4a22be3c955ac49da2e2107b67a",
    ],
  ])("MD5(%j)", (text, digest) => {
    expect(md5Hex(text)).toBe(digest);
    expect(createMd5().update(text).digestHex()).toBe(digest);
  });
});

describe("MD5 against node:crypto", () => {
  it("agrees at every length around the padding boundaries (0-200 bytes)", () => {
    for (let length = 0; length <= 200; length++) {
      const data = Uint8Array.from({ length }, (_, i) => (i * 37 + length) & 0xff);
      expect(toHexString(md5(data))).toBe(nodeMd5(data));
    }
  });

  it("hashes text as UTF-8, whatever the characters", () => {
    assertProperty(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "grapheme" })), (text) => {
        expect(md5Hex(text)).toBe(nodeMd5(text));
      }),
    );
  });

  it("an incremental hasher fed in any pieces gives the one-shot digest, and resets after digest", () => {
    assertProperty(
      fc.property(fc.array(fc.uint8Array({ maxLength: 150 }), { maxLength: 6 }), (pieces) => {
        const hasher = createMd5();
        for (const piece of pieces) hasher.update(piece);
        const whole = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
        let offset = 0;
        for (const piece of pieces) {
          whole.set(piece, offset);
          offset += piece.length;
        }
        expect(hasher.digestHex()).toBe(nodeMd5(whole));
        expect(hasher.digestHex()).toBe(nodeMd5(""));
      }),
    );
  });
});

describe("md5Word: 4 bytes of the digest, little-endian (libketama)", () => {
  it('word 0 of MD5("abc") is bytes 90 01 50 98 read little-endian', () => {
    expect(md5Word("abc")).toBe(0x98500190);
  });

  it("word i is digest bytes 4i..4i+3 read little-endian", () => {
    assertProperty(
      fc.property(fc.string(), fc.integer({ min: 0, max: 3 }), (text, index) => {
        const digest = createHash("md5").update(text).digest();
        expect(md5Word(text, index)).toBe(digest.readUInt32LE(index * 4));
      }),
    );
  });

  it("rejects a word index outside 0-3 and data that is not text or bytes", () => {
    expectRangeError(() => md5Word("abc", 4), "index must be 0, 1, 2 or 3, got 4");
    expectRangeError(
      () => md5(null as unknown as string),
      "data must be a string or a Uint8Array, got null",
    );
  });
});
