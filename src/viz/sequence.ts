// A simulator trace as rich output: the Mermaid sequence diagram of src/sim/diagram.ts, with the
// text table of the same events as the plain-text form (what classic Notebook 6 shows).

import { invalidArgument } from "../sim/assert.js";
import { type SequenceDiagramOptions, toMermaidSequence, toTextTable } from "../sim/diagram.js";
import { oneLine } from "../sim/text.js";
import type { NodeId, TraceEvent } from "../sim/types.js";
import type { RichOutput } from "./display.js";
import { mermaid } from "./mermaid.js";

/** How {@link sequence} draws a trace: the diagram's options plus the text table's row limit. */
export interface SequenceOptions extends SequenceDiagramOptions {
  /** Most rows in the text table; more is a RangeError. Default 1000 (as toTextTable). */
  readonly rowsMax?: number;
}

/**
 * Shows a trace as a sequence diagram: `text/vnd.mermaid` and `text/markdown` carry
 * `toMermaidSequence(trace, options)`; `text/plain` carries `toTextTable` of the events the
 * diagram draws (only the chosen `participants`, timers only with `showTimers`), under the
 * title when there is one, so viewers without Mermaid still tell the same story.
 *
 * @param trace - trace events in order, usually `sim.trace` or `sim.traceWhere(filter)`.
 * @param options - see {@link SequenceOptions} and SequenceDiagramOptions.
 * @throws RangeError when the diagram exceeds `eventsMax`, the table exceeds `rowsMax`, or for a
 *   bad option.
 *
 * @example
 * const sim = new Simulation<{ type: "ping" } | { type: "pong" }>({
 *   seed: 1,
 *   network: { latency: { kind: "fixed", ms: 5 } },
 * });
 * sim.addNode("a", () => ({
 *   onStart: (ctx) => ctx.send("b", { type: "ping" }),
 *   onMessage: () => {},
 * }));
 * sim.addNode("b", () => ({
 *   onMessage: (ctx, msg) => { if (msg.type === "ping") ctx.send(msg.from, { type: "pong" }); },
 * }));
 * sim.runFor(20);
 * show(sequence(sim.trace, { title: "ping pong" }));
 */
export function sequence(trace: readonly TraceEvent[], options: SequenceOptions = {}): RichOutput {
  if (typeof options !== "object" || options === null) {
    throw invalidArgument("options", "an object or undefined", options);
  }
  const { rowsMax, ...diagramOptions } = options;
  const source = toMermaidSequence(trace, diagramOptions);
  const shown = eventsDrawn(trace, options.participants, options.showTimers ?? false);
  const text = toTextTable(
    shown,
    rowsMax === undefined ? { label: options.label } : { label: options.label, rowsMax },
  );
  const fallback = options.title === undefined ? text : `${oneLine(options.title).trim()}\n${text}`;
  return mermaid(source, { fallback });
}

/** The events the diagram draws something for, so the table and the diagram match. */
function eventsDrawn(
  trace: readonly TraceEvent[],
  participants: readonly NodeId[] | undefined,
  showTimers: boolean,
): TraceEvent[] {
  const shown = participants === undefined ? undefined : new Set(participants);
  const has = (id: NodeId): boolean => shown === undefined || shown.has(id);
  return trace.filter((event) => {
    if (event.kind === "timer" && !showTimers) return false;
    if ("from" in event) return has(event.from) && has(event.to);
    if ("node" in event) return has(event.node);
    return true; // partition and heal span every lifeline
  });
}
