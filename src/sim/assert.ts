// Assertions and argument errors shared by every concept in distsys.
// Invariants are checked in code and never stripped; bad input names the value and what is allowed.

/** Thrown when an internal invariant does not hold: a bug in distsys or a "break it" switch caught. */
export class InvariantViolation extends Error {
  override name = "InvariantViolation";
}

/**
 * Checks an invariant. Keep conditions simple: split `a && b` into two calls so a failure
 * names the exact condition that broke.
 *
 * @example
 * assert(commitIndex <= lastLogIndex, "commitIndex never passes the end of the log");
 */
export function assert(condition: boolean, why: string): asserts condition {
  if (!condition) throw new InvariantViolation(why);
}

/** Renders a value for an error message: strings quoted, everything else as JSON or String(). */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") {
    return String(value);
  }
  if (value === undefined) return "undefined";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Builds the error for a bad argument: `<name> must be <allowed>, got <value>`.
 *
 * @example
 * throw invalidArgument("dropProbability", "a number in [0, 1]", 1.5);
 * // RangeError: dropProbability must be a number in [0, 1], got 1.5
 */
export function invalidArgument(name: string, allowed: string, got: unknown): RangeError {
  return new RangeError(`${name} must be ${allowed}, got ${describeValue(got)}`);
}

/** Throws unless `value` is a finite number >= `min` (inclusive). */
export function requireNumberAtLeast(name: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
    throw invalidArgument(name, `a finite number >= ${min}`, value);
  }
  return value;
}

/** Throws unless `value` is an integer >= `min`. */
export function requireIntegerAtLeast(name: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw invalidArgument(name, `an integer >= ${min}`, value);
  }
  return value;
}

/** Throws unless `value` is a probability: a number in [0, 1]. */
export function requireProbability(name: string, value: unknown): number {
  if (typeof value !== "number" || !(value >= 0 && value <= 1)) {
    throw invalidArgument(name, "a number in [0, 1]", value);
  }
  return value;
}

/** Throws unless `value` is an integer in [min, max] (`>= min` when max is unbounded). */
export function requireIntegerIn(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw invalidArgument(name, `an integer ${range}`, value);
  }
  return value;
}

/**
 * An optional integer in [min, max]: `fallback` when undefined.
 *
 * @example
 * integerOption("options.attemptsMax", undefined, 3, 1); // 3
 */
export function integerOption(
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  return value === undefined ? fallback : requireIntegerIn(name, value, min, max);
}

/**
 * Checks that `options` is a plain object (or undefined, for the defaults) whose keys are all in
 * `known`, so a misspelt option is an error rather than a silently ignored default.
 *
 * @example
 * requireKnownOptions("ring options", { vnodes: 10 }, ["vnodes", "hash"]).vnodes; // 10
 */
export function requireKnownOptions(
  name: string,
  options: unknown,
  known: readonly string[],
): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw invalidArgument(name, "an object (or nothing, for the defaults)", options);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new RangeError(
        `${name} has an unknown option ${describeValue(key)}; known options: ${known.join(", ")}`,
      );
    }
  }
  return options as Record<string, unknown>;
}

/**
 * Checks a non-empty list of integers, each in [min, max]; an entry out of range is named by its
 * index (`groupSizes[2]`).
 *
 * @example
 * requireIntegerList("groupSizes", [2, 10, 100], 1, 100_000); // [2, 10, 100]
 */
export function requireIntegerList(
  name: string,
  value: unknown,
  min: number,
  max: number,
): number[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw invalidArgument(name, `a non-empty array of integers in [${min}, ${max}]`, value);
  }
  return (value as unknown[]).map((entry, i) => requireIntegerIn(`${name}[${i}]`, entry, min, max));
}

/**
 * Checks a list of seeds: a non-empty array of integers >= 0 (experiments that sum or take the
 * median over several seeded runs take one).
 *
 * @example
 * requireSeeds("seeds", [1, 2, 3]); // [1, 2, 3]
 */
export function requireSeeds(name: string, value: unknown): number[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw invalidArgument(name, "a non-empty array of integers >= 0", value);
  }
  return (value as unknown[]).map((seed) => requireIntegerAtLeast(`${name} entry`, seed, 0));
}
