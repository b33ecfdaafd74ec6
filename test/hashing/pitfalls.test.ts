// The naive sketch's pitfalls, each shown by running it: Math.abs(hashCode) % n with Java's
// String.hashCode, the cost of 4 bytes of MD5 per point, and a digest object shared by two
// interleaved async tasks (Java's MessageDigest is not thread-safe; JS has awaits).

import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  KETAMA_COLLIDING_SERVERS,
  KETAMA_COLLISION_POSITION,
  absHashCodePitfall,
  expectedPointCollisions,
  javaMathAbs,
  javaStringHashCode,
  ketamaCollisionPitfall,
  naiveJavaBucket,
  sharedHasherRace,
} from "../../src/index.js";
import { expectRangeError } from "./support.js";

describe("Math.abs(key.hashCode()) % n", () => {
  it.each([
    ["", 0],
    ["a", 97],
    ["hello", 99162322],
    ["Aa", 2112],
    ["BB", 2112],
    ["polygenelubricants", -2147483648],
    ["GydZG_", -2147483648],
    ["DESIGNING WORKHOUSES", -2147483648],
  ])("Java's String.hashCode(%j) is %i", (text, expected) => {
    expect(javaStringHashCode(text)).toBe(expected);
  });

  it("Java's Math.abs(Integer.MIN_VALUE) is negative; JavaScript's Math.abs is not", () => {
    expect(javaMathAbs(-2147483648)).toBe(-2147483648);
    expect(Math.abs(-2147483648)).toBe(2147483648);
    expect(javaMathAbs(-5)).toBe(5);
  });

  it("gives a negative bucket for a key whose hashCode is Integer.MIN_VALUE; floorMod and masking fix it", () => {
    expect(absHashCodePitfall()).toEqual({
      key: "polygenelubricants",
      buckets: 10,
      hashCode: -2147483648,
      javaAbs: -2147483648,
      jsMathAbs: 2147483648,
      naiveBucket: -8,
      floorModBucket: 2,
      maskedBucket: 0,
    });
    expect(naiveJavaBucket("hello", 10)).toBe(2);
  });

  it("rejects a value that is not a 32-bit integer", () => {
    expectRangeError(
      () => javaMathAbs(2 ** 31),
      "x must be an integer in [-2147483648, 2147483647], got 2147483648",
    );
  });
});

describe("4 bytes of MD5 per point: collisions, decided by list order", () => {
  it("the recorded servers really share a point (checked with node:crypto)", () => {
    const [first, second] = KETAMA_COLLIDING_SERVERS;
    const word = (text: string, j: number) =>
      createHash("md5")
        .update(text)
        .digest()
        .readUInt32LE(j * 4);
    expect(word(`${first}-38`, 3)).toBe(KETAMA_COLLISION_POSITION);
    expect(word(`${second}-8`, 1)).toBe(KETAMA_COLLISION_POSITION);
  });

  it("two clients listing the same two servers in opposite orders send a key to different servers", () => {
    const pitfall = ketamaCollisionPitfall();
    expect(pitfall.ownerListedInOrder).toBe("10.0.2.53:11211");
    expect(pitfall.ownerListedReversed).toBe("10.0.2.161:11211");
    expect(pitfall.keyPosition).toBeLessThanOrEqual(KETAMA_COLLISION_POSITION);
    expect(pitfall.labels).toEqual(["10.0.2.53:11211-38 word 3", "10.0.2.161:11211-8 word 1"]);
    expect(pitfall.disputedArc).toBeGreaterThan(0);
  });

  it("expects P(P-1)/2 / 2^32 colliding pairs: ~3 at 1000 servers x 160 points", () => {
    expect(expectedPointCollisions(160_000)).toBeCloseTo(2.98, 2);
    expect(expectedPointCollisions(1600)).toBeLessThan(0.001);
    expect(expectedPointCollisions(2, 1)).toBe(0.5);
  });
});

describe("one digest object shared by two interleaved tasks", () => {
  it("shared: both digests are wrong, A's covers both messages and B's is MD5 of nothing", async () => {
    const result = await sharedHasherRace();
    expect(result.steps).toEqual([
      'A update("user:")',
      'B update("order:")',
      'A update("42")',
      'B update("7")',
      "A digest()",
      "B digest()",
    ]);
    const [a, b] = result.tasks;
    expect(a.correct).toBe(false);
    expect(a.got).toBe(createHash("md5").update("user:order:427").digest("hex"));
    expect(b.correct).toBe(false);
    expect(b.got).toBe("d41d8cd98f00b204e9800998ecf8427e");
  });

  it("a hasher per task, or a pure one-shot function, gives both tasks the right digest", async () => {
    for (const sharing of ["perTask", "pure"] as const) {
      const result = await sharedHasherRace({ sharing });
      expect(result.tasks.map((task) => task.correct)).toEqual([true, true]);
    }
  });

  it("rejects an unknown sharing mode", async () => {
    await expect(sharedHasherRace({ sharing: "global" as never })).rejects.toThrow(
      new RangeError('options.sharing must be "shared", "perTask" or "pure", got "global"'),
    );
  });
});
