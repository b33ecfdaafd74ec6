// The trace of a run: every send, delivery, drop, duplicate, timer and fault, in order.
// It is the raw material for diagrams, tables, checkers and the determinism tests.

import type { NodeId, TraceEvent, TraceEventKind } from "./types.js";

/** Which events to keep; all given conditions must hold. */
export interface TraceFilter {
  /** Keep only these kinds. */
  readonly kinds?: readonly TraceEventKind[];
  /** Keep events that involve one of these nodes (as node, sender or receiver). */
  readonly nodes?: readonly NodeId[];
  /** Keep message events whose message type is one of these; other events pass. */
  readonly messageTypes?: readonly string[];
  /** Keep events at or after this true time (ms). */
  readonly fromMs?: number;
  /** Keep events at or before this true time (ms). */
  readonly toMs?: number;
}

/** The nodes an event involves. */
export function nodesOf(event: TraceEvent): NodeId[] {
  if ("node" in event) return [event.node];
  if ("from" in event) return [event.from, event.to];
  if (event.kind === "partition") return event.groups.flat();
  return [];
}

/** True if the event passes the filter. */
export function matchesFilter(event: TraceEvent, filter: TraceFilter): boolean {
  if (filter.kinds !== undefined && !filter.kinds.includes(event.kind)) return false;
  if (filter.fromMs !== undefined && event.timeMs < filter.fromMs) return false;
  if (filter.toMs !== undefined && event.timeMs > filter.toMs) return false;
  if (filter.messageTypes !== undefined && "message" in event) {
    if (!filter.messageTypes.includes(event.message.type)) return false;
  }
  if (filter.nodes !== undefined) {
    const wanted = filter.nodes;
    const involved = nodesOf(event);
    // Partition and heal concern the whole network: keep them for any node selection.
    if (event.kind !== "heal" && event.kind !== "partition") {
      if (!involved.some((node) => wanted.includes(node))) return false;
    }
  }
  return true;
}

/** Keeps the events that pass the filter. */
export function filterTrace(events: readonly TraceEvent[], filter: TraceFilter): TraceEvent[] {
  return events.filter((event) => matchesFilter(event, filter));
}
