// What every chapter-1 experiment returns: its seed, the trace of the run and the simulator's
// counters, so a notebook can draw `toMermaidSequence(result.trace)` and print the numbers.

import type { Envelope, SimulationStats, TraceEvent } from "../sim/index.js";

/**
 * The part every single-run experiment result shares. Same seed and options, same result: the
 * trace, the counters and every measured number are a function of them.
 */
export interface ExperimentRun {
  /** The seed of the run's one random generator. */
  readonly seed: number;
  /** Every event of the run, in order; draw it with `toMermaidSequence` or `toTextTable`. */
  readonly trace: readonly TraceEvent[];
  /** The simulator's counters at the end of the run (messages, bytes, drops, timers...). */
  readonly stats: SimulationStats;
}

const LABEL_FIELDS_MAX = 4;
const LABEL_TEXT_MAX = 14;

/**
 * A compact arrow label for the messages of these experiments: the type, then up to four scalar
 * fields (long strings such as MACs are shortened). Pass it as `label` to `toMermaidSequence` or
 * `toTextTable`.
 *
 * @example
 * fallacyLabel({ type: "pay", from: "client", to: "server", attempt: 2 } as Envelope);
 * // "pay attempt=2"
 */
export function fallacyLabel(message: Envelope): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(message)) {
    if (key === "type" || key === "from" || key === "to") continue;
    if (parts.length >= LABEL_FIELDS_MAX) break;
    if (typeof value === "number" || typeof value === "boolean") parts.push(`${key}=${value}`);
    else if (typeof value === "string") {
      const text = value.length > LABEL_TEXT_MAX ? `${value.slice(0, LABEL_TEXT_MAX - 1)}…` : value;
      parts.push(`${key}=${text}`);
    } else if (Array.isArray(value)) parts.push(`${key}=[${value.length}]`);
  }
  return parts.length === 0 ? message.type : `${message.type} ${parts.join(" ")}`;
}
