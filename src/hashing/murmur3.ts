// MurmurHash3 x86_32 (Austin Appleby, SMHasher, 2011) over the UTF-8 bytes of a string, and a
// 64-bit key made of two murmur3 lanes for jump hash. The ring's default hash: every input bit
// affects every output bit (FNV-1a, by contrast, leaves similar keys close together).

import { invalidArgument } from "../sim/assert.js";

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
/** Seed of the second lane of {@link hash64}: the 32-bit golden ratio, far from seed 0. */
export const HASH64_LOW_SEED = 0x9e3779b9;

function requireSeed(seed: unknown): number {
  if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw invalidArgument("seed", "an integer in [0, 4294967295]", seed);
  }
  return seed;
}

/** One 4-byte block into the running hash `h` (the body loop of MurmurHash3_x86_32). */
function mixBlock(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** The tail (1 to 3 bytes in `k`), the length and the finaliser fmix32. */
function finish(h: number, k: number, tailBytes: number, length: number): number {
  if (tailBytes > 0) {
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
  }
  h ^= length;
  return fmix32(h);
}

/**
 * MurmurHash3's finaliser: an invertible mix in which every input bit flips each output bit with
 * probability close to 1/2. Returns an unsigned 32-bit integer.
 *
 * @example
 * fmix32(1); // 1364076727 (0x514e28b7, which is also murmur3("", 1))
 */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The code point at `text[i]`; a lone surrogate becomes U+FFFD, as TextEncoder writes it. A caller
 * that gets a code point above 0xffff skips the pair's second unit itself.
 */
function codePointAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
  }
  return c >= 0xd800 && c <= 0xdfff ? 0xfffd : c;
}

/** UTF-8 bytes of a code point >= 0x80, little-endian in one unsigned number (first byte lowest). */
function utf8Packed(cp: number): number {
  if (cp < 0x800) return 0xc0 | (cp >> 6) | ((0x80 | (cp & 63)) << 8);
  if (cp < 0x10000) {
    return 0xe0 | (cp >> 12) | ((0x80 | ((cp >> 6) & 63)) << 8) | ((0x80 | (cp & 63)) << 16);
  }
  return (
    (0xf0 |
      (cp >> 18) |
      ((0x80 | ((cp >> 12) & 63)) << 8) |
      ((0x80 | ((cp >> 6) & 63)) << 16) |
      ((0x80 | (cp & 63)) << 24)) >>>
    0
  );
}

function utf8Length(cp: number): number {
  return cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

function murmur3Bytes(data: Uint8Array, seed: number): number {
  let h = seed | 0;
  const length = data.length;
  const blocksEnd = length - (length & 3);
  for (let i = 0; i < blocksEnd; i += 4) {
    const k =
      (data[i] as number) |
      ((data[i + 1] as number) << 8) |
      ((data[i + 2] as number) << 16) |
      ((data[i + 3] as number) << 24);
    h = mixBlock(h, k);
  }
  let k = 0;
  const tail = length & 3;
  if (tail === 3) k ^= (data[blocksEnd + 2] as number) << 16;
  if (tail >= 2) k ^= (data[blocksEnd + 1] as number) << 8;
  if (tail >= 1) k ^= data[blocksEnd] as number;
  return finish(h, k, tail, length);
}

/**
 * MurmurHash3 x86_32 of a string's UTF-8 bytes, streamed from the string without allocating: the
 * hot path of every ring lookup. Equal to `murmur3Bytes(new TextEncoder().encode(key), seed)`.
 * ASCII is the common case, so whole 4-character blocks of it are mixed directly; the first
 * block with a character above 0x7f hands over to the general UTF-8 loop.
 */
function murmur3String(key: string, seed: number): number {
  let h = seed | 0;
  const units = key.length;
  const blocksEnd = units - (units & 3);
  let i = 0;
  for (; i < blocksEnd; i += 4) {
    const c0 = key.charCodeAt(i);
    const c1 = key.charCodeAt(i + 1);
    const c2 = key.charCodeAt(i + 2);
    const c3 = key.charCodeAt(i + 3);
    if ((c0 | c1 | c2 | c3) > 0x7f) break;
    h = mixBlock(h, c0 | (c1 << 8) | (c2 << 16) | (c3 << 24));
  }
  // From here on, byte by byte; the i units so far were ASCII, so i bytes.
  let k = 0; // pending bytes, little-endian
  let shift = 0; // bits pending in k: 0, 8, 16 or 24
  let length = i; // bytes so far
  for (; i < units; i++) {
    const c = key.charCodeAt(i);
    let packed: number;
    let bytes: number;
    if (c < 0x80) {
      packed = c;
      bytes = 1;
    } else {
      const cp = codePointAt(key, i);
      if (cp > 0xffff) i++;
      packed = utf8Packed(cp);
      bytes = utf8Length(cp);
    }
    for (let b = 0; b < bytes; b++) {
      k |= ((packed >>> (8 * b)) & 0xff) << shift;
      length++;
      shift += 8;
      if (shift === 32) {
        h = mixBlock(h, k);
        k = 0;
        shift = 0;
      }
    }
  }
  return finish(h, k, shift >>> 3, length);
}

/**
 * MurmurHash3 x86_32 (Appleby's reference `MurmurHash3_x86_32`): an unsigned 32-bit hash of a
 * string's UTF-8 bytes (as `TextEncoder` writes them: a lone surrogate counts as U+FFFD) or of raw
 * bytes. Fast, not cryptographic: use it to place keys, never to resist an adversary.
 *
 * @param data - text (hashed as UTF-8) or bytes.
 * @param seed - an unsigned 32-bit integer; default 0. Different seeds give unrelated functions.
 * @throws RangeError for data that is neither a string nor a Uint8Array, or a bad seed.
 *
 * @example
 * murmur3("");                       // 0
 * murmur3("Hello, world!", 0x9747b28c); // 612912314 (0x24884cba)
 * murmur3(new Uint8Array([0, 0, 0, 0])); // 593689054 (0x2362f9de)
 */
export function murmur3(data: string | Uint8Array, seed = 0): number {
  requireSeed(seed);
  if (typeof data === "string") return murmur3String(data, seed);
  if (data instanceof Uint8Array) return murmur3Bytes(data, seed);
  throw invalidArgument("data", "a string or a Uint8Array", data);
}

/**
 * The fast path behind {@link murmur3} for strings, without argument checks; seed 0.
 * @internal
 */
export function murmur3Unchecked(key: string, seed = 0): number {
  return murmur3String(key, seed);
}

// The low lane of the last hash64Lanes call: a module variable, so the hot path allocates nothing.
// Safe because hash64Lanes is synchronous: no other call can run between it and the read.
let lastLow = 0;

/**
 * Two murmur3 lanes over the same UTF-8 bytes in one pass: returns the high lane (seed 0, equal
 * to murmur3(key)); the low lane (seed HASH64_LOW_SEED) is left in `lastLow`. The block mixing of
 * the key bytes is shared; only the running states differ, so this costs little more than one hash.
 */
function hash64Lanes(key: string): number {
  let hi = 0;
  let lo = HASH64_LOW_SEED | 0;
  const units = key.length;
  const blocksEnd = units - (units & 3);
  let i = 0;
  for (; i < blocksEnd; i += 4) {
    const c0 = key.charCodeAt(i);
    const c1 = key.charCodeAt(i + 1);
    const c2 = key.charCodeAt(i + 2);
    const c3 = key.charCodeAt(i + 3);
    if ((c0 | c1 | c2 | c3) > 0x7f) break;
    let k = c0 | (c1 << 8) | (c2 << 16) | (c3 << 24);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    hi ^= k;
    hi = (hi << 13) | (hi >>> 19);
    hi = (Math.imul(hi, 5) + 0xe6546b64) | 0;
    lo ^= k;
    lo = (lo << 13) | (lo >>> 19);
    lo = (Math.imul(lo, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  let shift = 0;
  let length = i;
  for (; i < units; i++) {
    const c = key.charCodeAt(i);
    let packed: number;
    let bytes: number;
    if (c < 0x80) {
      packed = c;
      bytes = 1;
    } else {
      const cp = codePointAt(key, i);
      if (cp > 0xffff) i++;
      packed = utf8Packed(cp);
      bytes = utf8Length(cp);
    }
    for (let b = 0; b < bytes; b++) {
      k |= ((packed >>> (8 * b)) & 0xff) << shift;
      length++;
      shift += 8;
      if (shift === 32) {
        k = Math.imul(k, C1);
        k = (k << 15) | (k >>> 17);
        k = Math.imul(k, C2);
        hi ^= k;
        hi = (hi << 13) | (hi >>> 19);
        hi = (Math.imul(hi, 5) + 0xe6546b64) | 0;
        lo ^= k;
        lo = (lo << 13) | (lo >>> 19);
        lo = (Math.imul(lo, 5) + 0xe6546b64) | 0;
        k = 0;
        shift = 0;
      }
    }
  }
  if (shift > 0) {
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    hi ^= k;
    lo ^= k;
  }
  lastLow = fmix32(lo ^ length);
  return fmix32(hi ^ length);
}

/**
 * The high half of {@link hash64}; the low half is then {@link hash64LastLow}'s answer. Two calls
 * rather than a pair, so the hot path of jumpHash allocates nothing.
 * @internal
 */
export function hash64High(key: string): number {
  return hash64Lanes(key);
}

/**
 * The low half of the key last given to {@link hash64High}. Read it right after that call: both
 * are synchronous, so nothing else can hash in between.
 * @internal
 */
export function hash64LastLow(): number {
  return lastLow;
}

/**
 * Writes the high and low halves of {@link hash64} for every key into two arrays.
 * @internal
 */
export function hash64Into(keys: readonly string[], high: Uint32Array, low: Uint32Array): void {
  for (let i = 0; i < keys.length; i++) {
    high[i] = hash64Lanes(keys[i] as string);
    low[i] = lastLow;
  }
}

/**
 * The 64-bit hash that {@link jumpHash} gives a string key: two MurmurHash3 x86_32 lanes over the
 * key's UTF-8 bytes, `murmur3(key, 0)` as the high 32 bits and `murmur3(key, 0x9e3779b9)` as the
 * low 32 bits. Both lanes are computed in one pass over the bytes.
 *
 * @throws RangeError for a key that is not a string.
 *
 * @example
 * hash64("user:42") === (BigInt(murmur3("user:42")) << 32n) | BigInt(murmur3("user:42", 0x9e3779b9)); // true
 */
export function hash64(key: string): bigint {
  if (typeof key !== "string") throw invalidArgument("key", "a string", key);
  const high = hash64Lanes(key);
  return (BigInt(high) << 32n) | BigInt(lastLow);
}

/** Two murmur3 lanes (seeds 0 and HASH64_LOW_SEED) over `bytes[0..length)`; low lane in lastLow. */
function hash64BytesLanes(bytes: Uint8Array, length: number): number {
  let hi = 0;
  let lo = HASH64_LOW_SEED | 0;
  const blocksEnd = length - (length & 3);
  for (let i = 0; i < blocksEnd; i += 4) {
    let k =
      (bytes[i] as number) |
      ((bytes[i + 1] as number) << 8) |
      ((bytes[i + 2] as number) << 16) |
      ((bytes[i + 3] as number) << 24);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    hi ^= k;
    hi = (hi << 13) | (hi >>> 19);
    hi = (Math.imul(hi, 5) + 0xe6546b64) | 0;
    lo ^= k;
    lo = (lo << 13) | (lo >>> 19);
    lo = (Math.imul(lo, 5) + 0xe6546b64) | 0;
  }
  const tail = length & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= (bytes[blocksEnd + 2] as number) << 16;
    if (tail >= 2) k ^= (bytes[blocksEnd + 1] as number) << 8;
    k ^= bytes[blocksEnd] as number;
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    hi ^= k;
    lo ^= k;
  }
  lastLow = fmix32(lo ^ length);
  return fmix32(hi ^ length);
}

/**
 * The {@link hash64} halves of the keys `"<prefix>0"` to `"<prefix><count - 1>"` (the keys of
 * `sampleKeys`), computed from their UTF-8 bytes without building a million strings: the digits
 * are kept as bytes and counted up in place. Equal to `hash64Into(sampleKeys(count, prefix), ...)`.
 * @internal
 */
export function hash64SampleKeysInto(
  count: number,
  prefix: string,
  high: Uint32Array,
  low: Uint32Array,
): void {
  const prefixBytes = new TextEncoder().encode(prefix);
  const bytes = new Uint8Array(prefixBytes.length + 16);
  bytes.set(prefixBytes);
  const digitsStart = prefixBytes.length;
  let digitsCount = 1;
  bytes[digitsStart] = 0x30; // "0"
  for (let i = 0; i < count; i++) {
    high[i] = hash64BytesLanes(bytes, digitsStart + digitsCount);
    low[i] = lastLow;
    // Add one to the decimal digits, carrying leftwards; grow by a leading "1" on overflow.
    let d = digitsStart + digitsCount - 1;
    while (d >= digitsStart && bytes[d] === 0x39) {
      bytes[d] = 0x30;
      d--;
    }
    if (d >= digitsStart) {
      bytes[d] = (bytes[d] as number) + 1;
    } else {
      bytes.copyWithin(digitsStart + 1, digitsStart, digitsStart + digitsCount);
      bytes[digitsStart] = 0x31;
      digitsCount++;
    }
  }
}
