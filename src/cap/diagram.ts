// Pictures of a CAP run: a sequence diagram of a chosen window and nodes with readable labels
// (Gilbert and Lynch 2002, §3: the partitioned run drawn message by message).

import { requireKnownOptions, requireNumberAtLeast } from "../sim/assert.js";
import type { Envelope } from "../sim/index.js";
import { type RichOutput, sequence } from "../viz/index.js";
import type { CapMessage, CapRun, CapCounterInput, CapCounterOutput } from "./types.js";

/** Options of {@link capSequence}. */
export interface CapSequenceOptions {
  /** Start of the window, virtual ms. Default 0. */
  readonly fromMs?: number;
  /** End of the window. Default: fromMs + 60. */
  readonly toMs?: number;
  /** Lifelines, left to right. Default: every replica and client. */
  readonly nodes?: readonly string[];
  /** Leave out gossip (anti-entropy) messages. Default false. */
  readonly hideGossip?: boolean;
  readonly title?: string;
}

function describeInput(input: CapCounterInput): string {
  return input.kind === "read" ? "read" : `${input.kind} ${input.id}`;
}

function describeOutput(output: CapCounterOutput): string {
  if (output.status === "ok") return output.value === null ? "ok" : `ok ${output.value}`;
  if (output.status === "noQuorum") return `no quorum ${output.answered}/${output.needed}`;
  return "timeout";
}

/** A short label for each message of the chapter. */
export function capMessageLabel(message: Envelope): string {
  const m = message as Envelope<CapMessage>;
  switch (m.type) {
    case "request":
      return describeInput(m.input);
    case "response":
      return describeOutput(m.output);
    case "getValue":
      return "get value";
    case "value":
      return `value ${m.value}`;
    case "setValue":
      return `set ${m.value}`;
    case "valueSet":
      return "set ok";
    case "store":
      return m.incIds.length + m.decIds.length === 1
        ? `store ${[...m.incIds, ...m.decIds].join("")}`
        : `store ${m.incIds.length}+/${m.decIds.length}- ids`;
    case "stored":
      return "stored";
    case "collect":
      return "collect";
    case "collected":
      return `ids ${m.incIds.length}+/${m.decIds.length}-`;
    case "lwwState":
      return `state ${m.value} @${Math.round(m.timestampMs)}`;
    case "crdtState": {
      const sum = (entries: Readonly<Record<string, number>>): number =>
        Object.values(entries).reduce((a, b) => a + b, 0);
      return `state +${sum(m.state.positive)}/-${sum(m.state.negative)}`;
    }
  }
}

/**
 * Draws a window of a CAP run as a Mermaid sequence diagram (text table as the plain form),
 * with labels like `inc c1#3`, `no quorum 2/3`, `store c1#3`. Keep the window short and the
 * nodes few: a diagram is for reading, not for the whole run.
 *
 * @example
 * const run = runCapScenario("cpQuorum", 1);
 * show(capSequence(run, { fromMs: 600, toMs: 720, nodes: ["c1", "r1", "r2", "r3"] }));
 */
export function capSequence(run: CapRun, options: CapSequenceOptions = {}): RichOutput {
  requireKnownOptions("capSequence options", options, [
    "fromMs",
    "toMs",
    "nodes",
    "hideGossip",
    "title",
  ]);
  const fromMs = requireNumberAtLeast("options.fromMs", options.fromMs ?? 0, 0);
  const toMs = requireNumberAtLeast("options.toMs", options.toMs ?? fromMs + 60, fromMs);
  const nodes = options.nodes ?? [...run.replicas, ...run.clients];
  const gossip = ["lwwState", "crdtState"];
  const events = run.trace.filter((event) => {
    if (event.timeMs < fromMs || event.timeMs > toMs) return false;
    if (event.kind === "timer") return false;
    if ("message" in event && options.hideGossip && gossip.includes(event.message.type)) {
      return false;
    }
    return true;
  });
  return sequence(events, {
    participants: nodes,
    label: capMessageLabel,
    ...(options.title === undefined ? {} : { title: options.title }),
  });
}
