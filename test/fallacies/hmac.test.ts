// HMAC-SHA-256 and SHA-256 of src/fallacies/hmac.ts against RFC 4231's test vectors and against
// Node's crypto module (used here in the test only; the library stays dependency-free).
// Reference: RFC 4231 §4.2-§4.8; FIPS 180-4 example "abc".

import { createHash, createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sha256, toHex } from "../../src/fallacies/hmac.js";
import { constantTimeEqual, hmacSha256, hmacSha256Hex } from "../../src/index.js";
import { assertProperty } from "../support/property.js";

const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex, "hex"));
const repeat = (byte: number, count: number) => new Uint8Array(count).fill(byte);
const text = (value: string) => new TextEncoder().encode(value);

/** RFC 4231 §4.2-§4.8: key, data, HMAC-SHA-256 (test case 5 is truncated to 128 bits). */
const RFC_4231: readonly { name: string; key: Uint8Array; data: Uint8Array; mac: string }[] = [
  {
    name: "test case 1 (§4.2)",
    key: repeat(0x0b, 20),
    data: text("Hi There"),
    mac: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
  },
  {
    name: "test case 2 (§4.3): a key shorter than the output",
    key: text("Jefe"),
    data: text("what do ya want for nothing?"),
    mac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
  },
  {
    name: "test case 3 (§4.4): combined length of key and data above 64 bytes",
    key: repeat(0xaa, 20),
    data: repeat(0xdd, 50),
    mac: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
  },
  {
    name: "test case 4 (§4.5)",
    key: bytes("0102030405060708090a0b0c0d0e0f10111213141516171819"),
    data: repeat(0xcd, 50),
    mac: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
  },
  {
    name: "test case 5 (§4.6): truncation to 128 bits",
    key: repeat(0x0c, 20),
    data: text("Test With Truncation"),
    mac: "a3b6167473100ee06e0c796c2955552b",
  },
  {
    name: "test case 6 (§4.7): a key larger than the block size",
    key: repeat(0xaa, 131),
    data: text("Test Using Larger Than Block-Size Key - Hash Key First"),
    mac: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
  },
  {
    name: "test case 7 (§4.8): key and data larger than the block size",
    key: repeat(0xaa, 131),
    data: text(
      "This is a test using a larger than block-size key and a larger than block-size data. " +
        "The key needs to be hashed before being used by the HMAC algorithm.",
    ),
    mac: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
  },
];

describe("RFC 4231: HMAC-SHA-256 test vectors", () => {
  for (const vector of RFC_4231) {
    it(vector.name, () => {
      const mac = toHex(hmacSha256(vector.key, vector.data));
      expect(mac.slice(0, vector.mac.length)).toBe(vector.mac);
    });
  }
});

describe("FIPS 180-4: SHA-256", () => {
  it('hashes "abc" to the standard\'s example digest', () => {
    expect(toHex(sha256("abc"))).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  it("hashes the empty input to the known digest", () => {
    expect(toHex(sha256(new Uint8Array(0)))).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
  });

  it("agrees with node:crypto at every length around the padding boundaries (0-200 bytes)", () => {
    for (let length = 0; length <= 200; length++) {
      const data = Uint8Array.from({ length }, (_, i) => (i * 31 + length) & 0xff);
      expect(toHex(sha256(data))).toBe(createHash("sha256").update(data).digest("hex"));
    }
  });
});

describe("HMAC-SHA-256 against node:crypto", () => {
  it("any key and any message give node:crypto's tag", () => {
    assertProperty(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.uint8Array({ maxLength: 300 }),
        (key, message) => {
          expect(hmacSha256Hex(key, message)).toBe(
            createHmac("sha256", key).update(message).digest("hex"),
          );
        },
      ),
    );
  });

  it("text keys and messages are hashed as UTF-8", () => {
    assertProperty(
      fc.property(
        fc.string({ unit: "grapheme" }),
        fc.string({ unit: "grapheme" }),
        (key, message) => {
          expect(hmacSha256Hex(key, message)).toBe(
            createHmac("sha256", key).update(message, "utf8").digest("hex"),
          );
        },
      ),
    );
  });

  it("rejects a key that is neither bytes nor text, naming it", () => {
    expect(() => hmacSha256(42 as unknown as string, "m")).toThrow(
      "key must be a Uint8Array or a string, got 42",
    );
  });
});

describe("constant-time comparison", () => {
  it("is equality on strings", () => {
    assertProperty(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(constantTimeEqual(a, b)).toBe(a === b);
        expect(constantTimeEqual(a, a)).toBe(true);
      }),
    );
  });

  it("tells apart a string from its own prefix", () => {
    expect(constantTimeEqual("abc", "ab")).toBe(false);
  });
});
