// Option checking of the chapter-1 experiments: every option is optional, has a stated default,
// and a bad one is a RangeError that names it. Unknown keys and integers: src/sim/assert.ts.

import { SEED_MAX, invalidArgument } from "../sim/index.js";

/**
 * Checks a seed: an integer in [0, 2^32 - 1], the range the simulator's generator accepts.
 *
 * @example
 * requireSeed(1); // 1
 */
export function requireSeed(seed: unknown, name = "seed"): number {
  if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed > SEED_MAX) {
    throw invalidArgument(name, `an integer in [0, ${SEED_MAX}]`, seed);
  }
  return seed;
}

/**
 * An optional finite number >= `min` (and <= `max` when given); `fallback` when undefined.
 *
 * @example
 * numberOption("options.timeoutMs", undefined, 40, 0); // 40
 */
export function numberOption(
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max = Number.POSITIVE_INFINITY,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    const range = max === Number.POSITIVE_INFINITY ? `>= ${min}` : `in [${min}, ${max}]`;
    throw invalidArgument(name, `a finite number ${range}`, value);
  }
  return value;
}

/**
 * An optional probability in [0, `max`]; `fallback` when undefined.
 *
 * @example
 * probabilityOption("options.dropProbability", 0.2, 0); // 0.2
 */
export function probabilityOption(name: string, value: unknown, fallback: number, max = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value >= 0 && value <= max)) {
    throw invalidArgument(name, `a number in [0, ${max}]`, value);
  }
  return value;
}

/**
 * An optional choice among `choices`; `fallback` when undefined.
 *
 * @example
 * choiceOption("options.mode", "batched", ["chatty", "batched"] as const, "chatty"); // "batched"
 */
export function choiceOption<T extends string>(
  name: string,
  value: unknown,
  choices: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (typeof value !== "string" || !(choices as readonly string[]).includes(value)) {
    throw invalidArgument(name, `one of ${choices.map((c) => `"${c}"`).join(", ")}`, value);
  }
  return value as T;
}

/**
 * An optional string of at least one character; `fallback` when undefined.
 *
 * @example
 * stringOption("options.sharedKey", undefined, "secret"); // "secret"
 */
export function stringOption(name: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== "string" || value.length === 0) {
    throw invalidArgument(name, "a non-empty string", value);
  }
  return value;
}

/**
 * The value at quantile `q` of ascending `sorted` values by the nearest-rank rule
 * (the smallest value with at least a fraction `q` of the values at or below it).
 *
 * @example
 * quantile([1, 2, 3, 4], 0.5); // 2
 */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw invalidArgument("sorted", "a non-empty array of numbers", sorted);
  if (!(q >= 0 && q <= 1)) throw invalidArgument("q", "a number in [0, 1]", q);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] as number;
}
