// Jump consistent hash (Lamping and Veach, "A Fast, Minimal Memory, Consistent Hash Algorithm",
// 2014, Figure 1): buckets 0..n-1, no ring and no memory; n to n+1 moves exactly the keys that
// jump to the new bucket, 1/(n+1) of them in expectation. Buckets can only be added or removed at the end.

import { invalidArgument } from "../sim/assert.js";
import { requireBuckets } from "./hash.js";
import { hash64High, hash64LastLow } from "./murmur3.js";

// The paper's LCG multiplier 2862933555777941757 = 0x27bb2ee687b0b0fd, as two 32-bit halves.
const M_HIGH = 0x27bb2ee6;
const M_LOW = 0x87b0b0fd;
const M_LOW_0 = M_LOW & 0xffff;
const M_LOW_1 = M_LOW >>> 16;
const TWO_POW_31 = 2147483648;
const UINT64_MAX = (1n << 64n) - 1n;

/**
 * The reference loop on a 64-bit key held as two unsigned 32-bit halves. Each step computes
 * `key = key * 2862933555777941757 + 1 (mod 2^64)` exactly (no bigint), then `j = floor((b + 1) * (2^31 / ((key >>> 33) + 1)))` in doubles, the same
 * operations as the C++ reference, so the same buckets.
 * @internal
 */
export function jumpHashParts(high: number, low: number, buckets: number): number {
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    // key = key x M + 1 (mod 2^64). low x M_LOW is needed in full (its high word carries into
    // the key's high half): four exact 16 x 16-bit products. The cross terms high x M_LOW and
    // low x M_HIGH only reach the high word, where Math.imul's low 32 bits are all that count.
    const low0 = low & 0xffff;
    const low1 = low >>> 16;
    const p00 = low0 * M_LOW_0;
    const p01 = low0 * M_LOW_1;
    const p10 = low1 * M_LOW_0;
    const middle = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    const productLow = ((middle << 16) | (p00 & 0xffff)) >>> 0;
    const productHigh = low1 * M_LOW_1 + (p01 >>> 16) + (p10 >>> 16) + (middle >>> 16);
    let nextHigh = (productHigh + Math.imul(high, M_LOW) + Math.imul(low, M_HIGH)) >>> 0;
    let nextLow = productLow + 1;
    if (nextLow === 0x100000000) {
      nextLow = 0;
      nextHigh = (nextHigh + 1) >>> 0;
    }
    high = nextHigh;
    low = nextLow;
    j = Math.floor((b + 1) * (TWO_POW_31 / ((high >>> 1) + 1)));
  }
  return b;
}

/**
 * Jump consistent hash (Lamping and Veach 2014): the bucket, 0 to `buckets - 1`, of a key.
 *
 * It needs no table and spreads keys evenly (every bucket gets 1/n of them, up to sampling
 * noise). Going from n to n + 1 buckets moves only the keys that now land in bucket n, about
 * 1/(n + 1) of them, the least any scheme can move. The catch: buckets are numbers, so only the
 * last one can be removed; a failed server in the middle needs a ring (or a remapping layer).
 *
 * - A `bigint` key (0 to 2^64 - 1) is used as the reference's 64-bit key, so results match the
 *   paper's C++ code and its ports (Guava differs: it uses another generator).
 * - A `string` key is first hashed to 64 bits by {@link hash64}: murmur3 of its UTF-8 bytes with
 *   seed 0 as the high half and with seed 0x9e3779b9 as the low half.
 *
 * The 64-bit arithmetic is done on two 32-bit halves (no bigint in the loop), so a lookup costs a
 * hash and about ln(n) + 1 multiply steps.
 *
 * @param key - a string, or a bigint in [0, 2^64 - 1].
 * @param buckets - an integer in [1, 2^31 - 1].
 * @throws RangeError for a key of another type or out of range, or a bad bucket count.
 *
 * @example
 * jumpHash(256n, 1024);  // 520, as in the reference implementation
 * jumpHash("user:42", 10); // a bucket in 0..9; with 11 buckets it stays put or moves to 10
 */
export function jumpHash(key: string | bigint, buckets: number): number {
  // (x | 0) === x holds only for int32 numbers: the common case costs two comparisons.
  if ((buckets | 0) !== buckets || buckets < 1) requireBuckets(buckets);
  if (typeof key === "string") {
    const high = hash64High(key);
    return jumpHashParts(high, hash64LastLow(), buckets);
  }
  if (typeof key === "bigint") {
    if (key < 0n || key > UINT64_MAX) {
      throw invalidArgument("key", "a string or a bigint in [0, 2^64 - 1]", key);
    }
    return jumpHashParts(Number(key >> 32n), Number(key & 0xffffffffn), buckets);
  }
  throw invalidArgument("key", "a string or a bigint in [0, 2^64 - 1]", key);
}
