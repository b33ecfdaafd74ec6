// Helpers shared by the hashing tests: exact error messages, and the reference algorithms the
// library is checked against (written here from the papers, independently of src/).

import { expect } from "vitest";

/** Runs `action` and checks it throws a RangeError whose message is exactly `message`. */
export function expectRangeError(action: () => unknown, message: string): void {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught, "expected a RangeError").toBeInstanceOf(RangeError);
  expect((caught as Error).message).toBe(message);
}

const MASK_64 = (1n << 64n) - 1n;

/**
 * Jump consistent hash transcribed from Lamping and Veach 2014, Figure 1, with bigint for the
 * 64-bit key: `key = key * 2862933555777941757 + 1; j = (b + 1) * (2^31 / ((key >> 33) + 1))`.
 */
export function jumpReference(key: bigint, buckets: number): number {
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    key = (key * 2862933555777941757n + 1n) & MASK_64;
    j = Math.floor((b + 1) * (2147483648 / Number((key >> 33n) + 1n)));
  }
  return b;
}
