// How two clock readings relate under happened-before (Lamport 1978, §2): one before the other,
// equal, or concurrent. Shared by vector clocks and version vectors; node ids are checked here.

import { describeValue } from "../sim/assert.js";

/**
 * How clock `a` relates to clock `b` in `a.compare(b)`: `"before"` (a happened before b),
 * `"after"` (b happened before a), `"equal"`, or `"concurrent"` (neither: causally unrelated).
 */
export type ClockOrder = "before" | "after" | "equal" | "concurrent";

/** @internal Throws unless `node` is a non-empty string (a node or replica id). */
export function requireNodeId(what: string, node: unknown): string {
  if (typeof node !== "string" || node.length === 0) {
    throw new RangeError(`${what} must be a non-empty string, got ${describeValue(node)}`);
  }
  return node;
}

/** @internal Throws unless `value` is a counter: an integer in [0, 2^53 - 1]. */
export function requireCounter(what: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be an integer >= 0, got ${describeValue(value)}`);
  }
  return value;
}

/** @internal Combines "some entry is less" and "some entry is greater" into an order. */
export function orderFrom(anyLess: boolean, anyGreater: boolean): ClockOrder {
  if (anyLess) return anyGreater ? "concurrent" : "before";
  return anyGreater ? "after" : "equal";
}

/** @internal The order seen from the other side: before <-> after. */
export function reverseOrder(order: ClockOrder): ClockOrder {
  if (order === "before") return "after";
  if (order === "after") return "before";
  return order;
}
