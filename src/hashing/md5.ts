// MD5 (RFC 1321, §3.1-§3.5) in pure TypeScript, checked against the RFC's test suite (§A.5).
// Here for ketama (libketama and the hashring package place points with it), not for security:
// MD5 collisions are cheap to make, so never use it where an adversary chooses the input.

import { invalidArgument } from "../sim/assert.js";

/** Length of an MD5 digest in bytes. */
export const MD5_BYTES = 16;

// §3.4: T[i] = floor(2^32 * abs(sin(i + 1))), written out so no platform's sin is trusted.
const T = new Int32Array([
  0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
  0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
  0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
  0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
  0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
  0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
  0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
  0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
]);

// §3.4: the shift amounts of each round's four steps.
const SHIFTS = new Uint8Array([
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14,
  20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6,
  10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
]);

// §3.3: the initial state, words A, B, C, D.
const A0 = 0x67452301;
const B0 = 0xefcdab89 | 0;
const C0 = 0x98badcfe | 0;
const D0 = 0x10325476;

/** Processes the 64-byte block at `bytes[offset]` into `state` (§3.4). */
function md5Block(state: Int32Array, bytes: Uint8Array, offset: number, x: Int32Array): void {
  for (let i = 0; i < 16; i++) {
    const o = offset + i * 4;
    x[i] =
      (bytes[o] as number) |
      ((bytes[o + 1] as number) << 8) |
      ((bytes[o + 2] as number) << 16) |
      ((bytes[o + 3] as number) << 24);
  }
  let a = state[0] as number;
  let b = state[1] as number;
  let c = state[2] as number;
  let d = state[3] as number;
  for (let i = 0; i < 64; i++) {
    let f: number;
    let g: number;
    if (i < 16) {
      f = (b & c) | (~b & d);
      g = i;
    } else if (i < 32) {
      f = (d & b) | (~d & c);
      g = (5 * i + 1) & 15;
    } else if (i < 48) {
      f = b ^ c ^ d;
      g = (3 * i + 5) & 15;
    } else {
      f = c ^ (b | ~d);
      g = (7 * i) & 15;
    }
    const sum = (a + f + (T[i] as number) + (x[g] as number)) | 0;
    const s = SHIFTS[i] as number;
    a = d;
    d = c;
    c = b;
    b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0;
  }
  state[0] = ((state[0] as number) + a) | 0;
  state[1] = ((state[1] as number) + b) | 0;
  state[2] = ((state[2] as number) + c) | 0;
  state[3] = ((state[3] as number) + d) | 0;
}

/**
 * Writes the UTF-8 bytes of `text` into `out` from index 0 (lone surrogates as U+FFFD, as
 * TextEncoder does) and returns their count. `out` must hold 3 bytes per UTF-16 unit.
 */
function encodeUtf8(text: string, out: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp < 0x80) {
      out[n++] = cp;
      continue;
    }
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (next - 0xdc00);
        i++;
      }
    }
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    if (cp < 0x800) {
      out[n++] = 0xc0 | (cp >> 6);
    } else if (cp < 0x10000) {
      out[n++] = 0xe0 | (cp >> 12);
      out[n++] = 0x80 | ((cp >> 6) & 63);
    } else {
      out[n++] = 0xf0 | (cp >> 18);
      out[n++] = 0x80 | ((cp >> 12) & 63);
      out[n++] = 0x80 | ((cp >> 6) & 63);
    }
    out[n++] = 0x80 | (cp & 63);
  }
  return n;
}

// Scratch space of the one-shot functions below. Sharing it is safe only because those functions
// are synchronous: each fills, hashes and reads it before returning, so no other call can run in
// between. (An object whose update and digest are separate calls is another matter: see
// createMd5 and the shared-hasher pitfall in pitfalls.ts.)
let scratch = new Uint8Array(256);
const scratchWords = new Int32Array(16);
const scratchState = new Int32Array(4);

/** MD5 of a whole message in one call; the four state words are left in `scratchState`. */
function md5Into(data: string | Uint8Array): void {
  let length: number;
  let bytes: Uint8Array;
  if (typeof data === "string") {
    const needed = data.length * 3 + 72;
    if (scratch.length < needed) scratch = new Uint8Array(Math.max(needed, scratch.length * 2));
    length = encodeUtf8(data, scratch);
    bytes = scratch;
  } else {
    length = data.length;
    const needed = length + 72;
    if (scratch.length < needed) scratch = new Uint8Array(Math.max(needed, scratch.length * 2));
    scratch.set(data);
    bytes = scratch;
  }
  // §3.1-§3.2: a 1 bit, zeros to 56 mod 64 bytes, then the bit length, 64-bit little-endian.
  const paddedLength = (((length + 8) >> 6) + 1) << 6;
  bytes.fill(0, length, paddedLength);
  bytes[length] = 0x80;
  const bitsLow = (length * 8) >>> 0;
  const bitsHigh = Math.floor(length / 0x20000000);
  for (let i = 0; i < 4; i++) {
    bytes[paddedLength - 8 + i] = (bitsLow >>> (8 * i)) & 0xff;
    bytes[paddedLength - 4 + i] = (bitsHigh >>> (8 * i)) & 0xff;
  }
  scratchState[0] = A0;
  scratchState[1] = B0;
  scratchState[2] = C0;
  scratchState[3] = D0;
  for (let offset = 0; offset < paddedLength; offset += 64) {
    md5Block(scratchState, bytes, offset, scratchWords);
  }
}

function requireData(data: unknown): string | Uint8Array {
  if (typeof data === "string" || data instanceof Uint8Array) return data;
  throw invalidArgument("data", "a string or a Uint8Array", data);
}

function stateToBytes(state: Int32Array): Uint8Array {
  const digest = new Uint8Array(MD5_BYTES);
  for (let i = 0; i < MD5_BYTES; i++)
    digest[i] = ((state[i >> 2] as number) >>> ((i & 3) * 8)) & 0xff;
  return digest;
}

/**
 * The MD5 digest (RFC 1321) of `data`: 16 bytes. Text is hashed as its UTF-8 bytes.
 *
 * @throws RangeError for data that is neither a string nor a Uint8Array.
 *
 * @example
 * toHexString(md5("abc")); // "900150983cd24fb0d6963f7d28e17f72" (RFC 1321, §A.5)
 */
export function md5(data: string | Uint8Array): Uint8Array {
  md5Into(requireData(data));
  return stateToBytes(scratchState);
}

/**
 * The MD5 digest of `data` as 32 lower-case hexadecimal characters.
 *
 * @example
 * md5Hex(""); // "d41d8cd98f00b204e9800998ecf8427e"
 */
export function md5Hex(data: string | Uint8Array): string {
  return toHexString(md5(data));
}

/**
 * Word `index` (0 to 3) of the MD5 digest of `data`: digest bytes `4 * index` to `4 * index + 3`
 * read little-endian, as libketama and the hashring package read them. Word 0 is "the first 4
 * bytes of the MD5" of the classic consistent-hashing description.
 *
 * @throws RangeError for bad data or an index outside 0 to 3.
 *
 * @example
 * md5Word("abc", 0); // 2560250000 (0x98500190: digest bytes 90 01 50 98, read little-endian)
 */
export function md5Word(data: string | Uint8Array, index = 0): number {
  if (index !== 0 && index !== 1 && index !== 2 && index !== 3) {
    throw invalidArgument("index", "0, 1, 2 or 3", index);
  }
  md5Into(requireData(data));
  return (scratchState[index] as number) >>> 0;
}

/**
 * Word 0 of the MD5 of a string, without argument checks: the ring's "md5" hash.
 * @internal
 */
export function md5FirstWordUnchecked(key: string): number {
  md5Into(key);
  return (scratchState[0] as number) >>> 0;
}

/**
 * The four words of the MD5 of a string into `out` (the four ketama points of one digest).
 * @internal
 */
export function md5WordsUnchecked(key: string, out: Uint32Array): void {
  md5Into(key);
  for (let i = 0; i < 4; i++) out[i] = (scratchState[i] as number) >>> 0;
}

/**
 * Lower-case hexadecimal text of `bytes`.
 *
 * @example
 * toHexString(new Uint8Array([0, 255])); // "00ff"
 */
export function toHexString(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += byte.toString(16).padStart(2, "0");
  return text;
}

/**
 * An incremental MD5 hasher, shaped like Java's `MessageDigest` and Node's `Hash`: `update` as
 * often as needed, then `digest`, which returns the digest of everything since the last `digest`
 * and resets the hasher for the next message.
 *
 * It holds state between calls, so it belongs to one message at a time: two tasks that share one
 * and `await` between their `update` and `digest` calls mix their messages (see
 * {@link sharedHasherRace}). Make one per message, or call {@link md5}, which has no state.
 */
export interface Md5Hasher {
  /** Appends text (as UTF-8) or bytes to the message. Returns the hasher, for chaining. */
  update(data: string | Uint8Array): Md5Hasher;
  /** The digest of the message so far; then the hasher starts a new, empty message. */
  digest(): Uint8Array;
  /** {@link Md5Hasher.digest} as 32 hexadecimal characters. */
  digestHex(): string;
}

class IncrementalMd5 implements Md5Hasher {
  // invariant: 0 <= bufferedCount < 64; totalBytes counts every byte since the last digest.
  private readonly state = new Int32Array([A0, B0, C0, D0]);
  private readonly buffer = new Uint8Array(64);
  private readonly words = new Int32Array(16);
  private bufferedCount = 0;
  private totalBytes = 0;

  update(data: string | Uint8Array): Md5Hasher {
    const bytes =
      typeof requireData(data) === "string" ? utf8(data as string) : (data as Uint8Array);
    this.totalBytes += bytes.length;
    let offset = 0;
    if (this.bufferedCount > 0) {
      const take = Math.min(64 - this.bufferedCount, bytes.length);
      this.buffer.set(bytes.subarray(0, take), this.bufferedCount);
      this.bufferedCount += take;
      offset = take;
      if (this.bufferedCount < 64) return this;
      md5Block(this.state, this.buffer, 0, this.words);
      this.bufferedCount = 0;
    }
    for (; offset + 64 <= bytes.length; offset += 64) {
      md5Block(this.state, bytes, offset, this.words);
    }
    this.buffer.set(bytes.subarray(offset), 0);
    this.bufferedCount = bytes.length - offset;
    return this;
  }

  digest(): Uint8Array {
    const length = this.totalBytes;
    const tail = new Uint8Array(this.bufferedCount < 56 ? 64 : 128);
    tail.set(this.buffer.subarray(0, this.bufferedCount));
    tail[this.bufferedCount] = 0x80;
    const bitsLow = (length * 8) >>> 0;
    const bitsHigh = Math.floor(length / 0x20000000);
    for (let i = 0; i < 4; i++) {
      tail[tail.length - 8 + i] = (bitsLow >>> (8 * i)) & 0xff;
      tail[tail.length - 4 + i] = (bitsHigh >>> (8 * i)) & 0xff;
    }
    for (let offset = 0; offset < tail.length; offset += 64) {
      md5Block(this.state, tail, offset, this.words);
    }
    const digest = stateToBytes(this.state);
    this.state.set([A0, B0, C0, D0]);
    this.bufferedCount = 0;
    this.totalBytes = 0;
    return digest;
  }

  digestHex(): string {
    return toHexString(this.digest());
  }
}

function utf8(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 3);
  return out.subarray(0, encodeUtf8(text, out));
}

/**
 * A new incremental MD5 hasher (see {@link Md5Hasher}).
 *
 * @example
 * createMd5().update("a").update("bc").digestHex(); // "900150983cd24fb0d6963f7d28e17f72"
 */
export function createMd5(): Md5Hasher {
  return new IncrementalMd5();
}
