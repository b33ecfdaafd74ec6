// The hash functions a ring can place points and keys with, the checks shared by every placement
// strategy in src/hashing, and modulo placement, the naive baseline (hash(key) mod n) that moves
// almost every key when n changes.

import { describeValue, invalidArgument, requireIntegerIn } from "../sim/assert.js";
import { md5FirstWordUnchecked } from "./md5.js";
import { murmur3Unchecked } from "./murmur3.js";

/**
 * How keys and point names become positions on the ring, 0 to 2^32 - 1.
 * - `"murmur3"`: MurmurHash3 x86_32 of the UTF-8 bytes, seed 0 (the default: fast, well mixed).
 * - `"md5"`: the first 4 bytes of the MD5 digest read little-endian, as libketama reads them
 *   (slower; useful to compare with ketama rings).
 * - a function from a string to an unsigned 32-bit integer (checked on every call).
 */
export type HashOption = "murmur3" | "md5" | ((key: string) => number);

/** murmur3 with seed 0, one argument: the default hash, called directly on the hot path. */
function murmur3Seed0(key: string): number {
  return murmur3Unchecked(key, 0);
}

/** A resolved hash: its name for messages and the function. */
export interface ResolvedHash {
  readonly name: string;
  readonly hash: (key: string) => number;
}

/**
 * Turns a {@link HashOption} into a function; a user function is wrapped so a result that is not
 * an unsigned 32-bit integer is an error naming the key, never a silently wrong position.
 * @internal
 */
export function resolveHash(option: unknown, name = "options.hash"): ResolvedHash {
  if (option === undefined || option === "murmur3") {
    return { name: "murmur3", hash: murmur3Seed0 };
  }
  if (option === "md5") return { name: "md5", hash: md5FirstWordUnchecked };
  if (typeof option === "function") {
    const user = option as (key: string) => unknown;
    return {
      name: "custom",
      hash: (key) => {
        const value = user(key);
        if (typeof value !== "number" || value >>> 0 !== value) {
          throw invalidArgument(
            `${name}(${describeValue(key)})`,
            "an integer in [0, 4294967295]",
            value,
          );
        }
        return value;
      },
    };
  }
  throw invalidArgument(name, '"murmur3", "md5" or a function (key: string) => number', option);
}

/** @internal Throws unless `key` is a string. */
export function requireKey(key: unknown, name = "key"): string {
  if (typeof key !== "string") throw invalidArgument(name, "a string", key);
  return key;
}

/** Largest bucket count of {@link modHash} and {@link jumpHash}: the reference's int32 limit. */
export const BUCKETS_MAX = 0x7fffffff;

/** @internal Throws unless `buckets` is an integer in [1, BUCKETS_MAX]. */
export function requireBuckets(buckets: unknown): number {
  return requireIntegerIn("buckets", buckets, 1, BUCKETS_MAX);
}

/**
 * Modulo placement, the naive sketch: `murmur3(key) mod buckets`. Even spread, no state, and the
 * reason consistent hashing exists: going from n to n + 1 buckets moves a key unless its hash
 * mod n(n+1) is below n, so n/(n+1) of all keys move (75 % from 3 to 4, 91 % from 10 to 11).
 *
 * @param key - any string (hashed as UTF-8).
 * @param buckets - an integer in [1, 2^31 - 1].
 * @throws RangeError for a key that is not a string or a bad bucket count.
 *
 * @example
 * modHash("user:42", 4); // a bucket in 0..3, the same on every run
 * modHash("user:42", 5); // most likely another one
 */
export function modHash(key: string, buckets: number): number {
  requireKey(key);
  requireBuckets(buckets);
  return murmur3Unchecked(key) % buckets;
}
