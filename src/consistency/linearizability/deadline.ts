// The checker's wall-clock budget: the only file of src/ outside src/viz that reads real time.
// A timeout makes the verdict "unknown" (never a different verdict), so determinism is kept.

/** A wall-clock budget: `expired()` is true once `timeoutMs` have passed since creation. */
export interface Deadline {
  expired(): boolean;
}

const NEVER: Deadline = { expired: () => false };

/**
 * A deadline `timeoutMs` from now; `undefined` gives one that never expires (and never reads
 * the clock). Callers poll it every few thousand steps, so reading the clock stays cheap.
 */
export function createDeadline(timeoutMs: number | undefined): Deadline {
  if (timeoutMs === undefined) return NEVER;
  const endMs = performance.now() + timeoutMs;
  return { expired: () => performance.now() >= endMs };
}
