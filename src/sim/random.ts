// The one seeded pseudo-random generator of a simulation: xoshiro128** (Blackman and Vigna, 2018),
// seeded through splitmix32 so nearby seeds give unrelated streams. Same seed, same sequence.

import { invalidArgument, requireNumberAtLeast } from "./assert.js";

/** Largest seed accepted: seeds are unsigned 32-bit integers. */
export const SEED_MAX = 0xffffffff;

function splitmix32(state: number): [next: number, output: number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [next, z >>> 0];
}

/**
 * A deterministic random number generator. All randomness in a simulation comes from one of these,
 * owned by the {@link Simulation}; protocol code reaches it through its context.
 *
 * @example
 * const rng = new Random(42);
 * rng.next();        // a float in [0, 1), the same on every run with seed 42
 * rng.int(1, 6);     // a fair die
 */
export class Random {
  // invariant: the four state words are never all zero (xoshiro's only forbidden state).
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** @param seed an integer in [0, 2^32 - 1]. */
  constructor(readonly seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > SEED_MAX) {
      throw invalidArgument("seed", `an integer in [0, ${SEED_MAX}]`, seed);
    }
    let state = seed | 0;
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [next, output] = splitmix32(state);
      state = next;
      words.push(output);
    }
    this.s0 = words[0] ?? 1;
    this.s1 = words[1] ?? 0;
    this.s2 = words[2] ?? 0;
    this.s3 = words[3] ?? 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A float in [0, 1) with 32 bits of randomness. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    if (!Number.isSafeInteger(min)) throw invalidArgument("min", "a safe integer", min);
    if (!Number.isSafeInteger(max) || max < min) {
      throw invalidArgument("max", `a safe integer >= min (${min})`, max);
    }
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A float in [min, max). */
  float(min: number, max: number): number {
    requireNumberAtLeast("min", min, -Number.MAX_VALUE);
    if (!Number.isFinite(max) || max < min) {
      throw invalidArgument("max", `a finite number >= min (${min})`, max);
    }
    return min + this.next() * (max - min);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A standard normal sample (Box-Muller). */
  normal(): number {
    // 1 - next() is in (0, 1], so the logarithm is finite.
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw invalidArgument("items", "a non-empty array", items);
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** A shuffled copy of `items` (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = out[i] as T;
      out[i] = out[j] as T;
      out[j] = tmp;
    }
    return out;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
