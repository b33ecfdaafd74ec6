// Pictures of a run: a Mermaid sequenceDiagram and a text table drawn from a simulator trace.
// Both read only the trace (never the simulation), so a filtered slice of a trace draws the same
// way as the whole; every piece of user text is escaped so the diagram always parses.

import { invalidArgument, requireIntegerAtLeast } from "./assert.js";
import { escapeMermaidText, formatTextTable, oneLine } from "./text.js";
import type { Envelope, NodeId, TraceEvent } from "./types.js";

/** How {@link toMermaidSequence} draws a trace. Every field is optional. */
export interface SequenceDiagramOptions {
  /**
   * The lifelines, left to right. Events about other nodes are skipped (a message needs both ends
   * listed). Default: every node in the order it first appears in the events.
   */
  readonly participants?: readonly NodeId[];
  /** The text of a message arrow. Default: the message type. */
  readonly label?: (message: Envelope) => string;
  /** Appends the send and arrival times to arrows, like ` (t=12→15)`. Default true. */
  readonly showTimes?: boolean;
  /** Draws fired timers as notes (`timer <name>`). Default false: timers are frequent and noisy. */
  readonly showTimers?: boolean;
  /**
   * Most arrows and notes drawn; more is a RangeError. Beyond a few hundred a sequence diagram is
   * unreadable and slow to lay out, so filter the trace first. Default 500.
   */
  readonly eventsMax?: number;
  /** A title line above the diagram. */
  readonly title?: string;
}

/** How {@link toTextTable} prints a trace. Every field is optional. */
export interface TextTableOptions {
  /** The text of a message in the detail column. Default: the message type. */
  readonly label?: (message: Envelope) => string;
  /** Most rows printed; more is a RangeError. Default 1000. */
  readonly rowsMax?: number;
}

const EVENTS_MAX_DEFAULT = 500;
const ROWS_MAX_DEFAULT = 1000;

/** The trace events about one message: send, deliver, drop, duplicate, tamper. */
type MessageEvent = Extract<TraceEvent, { readonly messageId: number }>;

/** A message's fate in the diagram: it arrived, it was lost, or it was still on the wire. */
type Outcome = "deliver" | "drop" | "inFlight";

/** One arrow or note, decided before any text is made so the eventsMax check stays cheap. */
type Drawing =
  | {
      readonly kind: "arrow";
      readonly outcome: Outcome;
      readonly event: Extract<MessageEvent, { readonly kind: "send" | "deliver" | "drop" }>;
      readonly message: Envelope;
      readonly duplicate: boolean;
      readonly tampered: boolean;
      readonly sentAtMs: number | undefined;
    }
  | { readonly kind: "note"; readonly nodes: "all" | NodeId; readonly text: string };

/** Per message id: what the events told so far about its copies on the wire. */
interface MessageState {
  /** Copies that reached an end (delivered or dropped) so far. */
  outcomesCount: number;
  /** Copies still travelling: +1 at send and duplicate, -1 at each delivery or drop. */
  inFlightCount: number;
  /** The message as it now travels (the tampered version after a tamper event). */
  message: Envelope;
  tampered: boolean;
  /** Undefined when the send happened before the given events began. */
  sentAtMs: number | undefined;
  /** The send event, kept to draw the message at the end if it is still in flight. */
  send: Extract<MessageEvent, { readonly kind: "send" }> | undefined;
}

/**
 * Draws a trace as a Mermaid `sequenceDiagram`: one lifeline per node, one arrow per delivered,
 * lost or still-travelling message, and notes for crashes, pauses, partitions, clock changes and
 * the nodes' own `ctx.log` lines, all in trace order.
 *
 * - A delivery is a solid arrow `A->>B: ping (t=12→15)` at its arrival position.
 * - A loss is a cross arrow `A-xB: ping ✗ partition` (reasons: loss, partition, crashed,
 *   tampered), drawn at the moment of the drop.
 * - A duplicated message shows its second copy with ` (duplicate)`; a message changed by the tamper
 *   hook shows ` (tampered)`.
 * - Messages sent but neither delivered nor dropped by the last event are drawn at the end as
 *   dotted arrows `A--)B: ping (in flight)`.
 *
 * Node ids appear only as `participant P0 as <id>` aliases, and every piece of text (ids, labels,
 * notes, the title) is escaped with Mermaid entity codes (`#59;` for `;`, `#lt;` for `<`, ...), so
 * any id or message type gives a diagram that parses. Mermaid itself refuses to render text longer
 * than its `maxTextSize` (50,000 characters by default); long labels reach that before eventsMax.
 *
 * @param events - trace events in order, usually `sim.trace` or `sim.traceWhere(filter)`.
 * @param options - see {@link SequenceDiagramOptions}.
 * @returns the diagram source, starting with `sequenceDiagram`, without a final newline.
 * @throws RangeError when more than `eventsMax` arrows and notes would be drawn, or for a bad option.
 *
 * @example
 * const sim = new Simulation<{ type: "ping" } | { type: "pong" }>({
 *   seed: 1,
 *   network: { latency: { kind: "fixed", ms: 5 } },
 * });
 * sim.addNode("a", () => ({ onStart: (ctx) => ctx.send("b", { type: "ping" }), onMessage: () => {} }));
 * sim.addNode("b", () => ({
 *   onMessage: (ctx, msg) => { if (msg.type === "ping") ctx.send(msg.from, { type: "pong" }); },
 * }));
 * sim.runFor(20);
 * toMermaidSequence(sim.trace);
 * // sequenceDiagram
 * //   participant P0 as a
 * //   participant P1 as b
 * //   P0->>P1: ping (t=0→5)
 * //   P1->>P0: pong (t=5→10)
 */
export function toMermaidSequence(
  events: readonly TraceEvent[],
  options: SequenceDiagramOptions = {},
): string {
  requireEvents(events);
  requireOptions(options);
  const eventsMax = requireIntegerAtLeast("eventsMax", options.eventsMax ?? EVENTS_MAX_DEFAULT, 1);
  const showTimes = requireBoolean("showTimes", options.showTimes ?? true);
  const showTimers = requireBoolean("showTimers", options.showTimers ?? false);
  const label = requireLabel(options.label);
  const title = options.title === undefined ? undefined : requireTitle(options.title);
  const participants =
    options.participants === undefined
      ? participantsOf(events)
      : requireParticipants(options.participants);

  const drawings = planDrawings(events, new Set(participants), showTimers);
  if (drawings.length > eventsMax) {
    throw new RangeError(
      `toMermaidSequence: ${drawings.length} drawable events exceed eventsMax=${eventsMax}; ` +
        "filter the trace (sim.traceWhere({ fromMs, toMs, nodes })) or raise eventsMax",
    );
  }

  const aliases = new Map(participants.map((id, index) => [id, `P${index}`]));
  const alias = (id: NodeId): string => aliases.get(id) as string;
  const allNodes = participants.length === 1 ? "P0" : `P0,P${participants.length - 1}`;
  const lines = ["sequenceDiagram"];
  if (title !== undefined) lines.push(`  title ${escapeMermaid(title)}`);
  for (const [id, name] of aliases) lines.push(`  participant ${name} as ${escapeMermaid(id)}`);
  for (const drawing of drawings) {
    if (drawing.kind === "note") {
      const over = drawing.nodes === "all" ? allNodes : alias(drawing.nodes);
      lines.push(`  Note over ${over}: ${drawing.text}`);
      continue;
    }
    const { event } = drawing;
    const arrow = { deliver: "->>", drop: "-x", inFlight: "--)" }[drawing.outcome];
    let text = escapeMermaid(label(drawing.message));
    if (drawing.duplicate) text += " (duplicate)";
    if (drawing.tampered) text += " (tampered)";
    if (event.kind === "drop") text += ` ✗ ${event.reason}`;
    if (drawing.outcome === "inFlight") text += " (in flight)";
    if (showTimes) text += ` (${arrowTimes(drawing.outcome, drawing.sentAtMs, event.timeMs)})`;
    lines.push(`  ${alias(event.from)}${arrow}${alias(event.to)}: ${text}`);
  }
  return lines.join("\n");
}

/**
 * Prints a trace as a fixed-width plain-text table, one row per event, for terminals, logs and
 * test failure messages. Columns: time (ms, up to 3 decimals), event kind, node (the sender of a
 * message or the node an event happens at), to (the receiver of a message) and detail (the message
 * id and label, the drop reason, the pause length, the partition groups, the note text, ...).
 * Widths fit the content; line breaks in user text print as spaces so each event stays one row.
 *
 * @param events - trace events in order, usually `sim.trace` or `sim.traceWhere(filter)`.
 * @param options - see {@link TextTableOptions}.
 * @returns the table: a header line, a rule line and one line per event, without a final newline.
 * @throws RangeError when there are more than `rowsMax` events, or for a bad option.
 *
 * @example
 * const sim = new Simulation<{ type: "ping" } | { type: "pong" }>({
 *   seed: 1,
 *   network: { latency: { kind: "fixed", ms: 5 } },
 * });
 * sim.addNode("a", () => ({ onStart: (ctx) => ctx.send("b", { type: "ping" }), onMessage: () => {} }));
 * sim.addNode("b", () => ({
 *   onMessage: (ctx, msg) => { if (msg.type === "ping") ctx.send(msg.from, { type: "pong" }); },
 * }));
 * sim.runFor(20);
 * toTextTable(sim.trace);
 * // time (ms)  event    node  to  detail
 * // ---------  -------  ----  --  ------------------
 * //         0  send     a     b   #0 ping, 15 B
 * //         5  deliver  a     b   #0 ping, sent at 0
 * //         5  send     b     a   #1 pong, 15 B
 * //        10  deliver  b     a   #1 pong, sent at 5
 */
export function toTextTable(events: readonly TraceEvent[], options: TextTableOptions = {}): string {
  requireEvents(events);
  requireOptions(options);
  const rowsMax = requireIntegerAtLeast("rowsMax", options.rowsMax ?? ROWS_MAX_DEFAULT, 1);
  const label = requireLabel(options.label);
  if (events.length > rowsMax) {
    throw new RangeError(
      `toTextTable: ${events.length} events exceed rowsMax=${rowsMax}; ` +
        "filter the trace (sim.traceWhere({ fromMs, toMs, nodes })) or raise rowsMax",
    );
  }
  const header = ["time (ms)", "event", "node", "to", "detail"];
  const rows = events.map((event) => tableRow(event, label).map(oneLine));
  return formatTextTable(header, rows, ["right", "left", "left", "left", "left"]);
}

// ---------------------------------------------------------------- planning the diagram

/** Nodes in order of first appearance; nodes named only in partitions come last. */
function participantsOf(events: readonly TraceEvent[]): NodeId[] {
  const seen = new Set<NodeId>();
  const partitionOnly = new Set<NodeId>();
  for (const event of events) {
    if (event.kind === "partition") {
      for (const group of event.groups) for (const id of group) partitionOnly.add(id);
    } else if ("node" in event) {
      seen.add(event.node);
    } else if ("from" in event) {
      seen.add(event.from);
      seen.add(event.to);
    }
  }
  for (const id of partitionOnly) seen.add(id);
  return [...seen];
}

/** Decides every arrow and note, in trace order, with still-travelling messages at the end. */
function planDrawings(
  events: readonly TraceEvent[],
  shown: ReadonlySet<NodeId>,
  showTimers: boolean,
): Drawing[] {
  const drawings: Drawing[] = [];
  const messages = new Map<number, MessageState>();
  const stateOf = (event: MessageEvent): MessageState => {
    let state = messages.get(event.messageId);
    if (state === undefined) {
      state = {
        outcomesCount: 0,
        inFlightCount: 0,
        message: event.message,
        tampered: false,
        sentAtMs: undefined,
        send: undefined,
      };
      messages.set(event.messageId, state);
    }
    return state;
  };
  const note = (nodes: "all" | NodeId, text: string): void => {
    drawings.push({ kind: "note", nodes, text });
  };
  const noteOver = (node: NodeId, text: string): void => {
    if (shown.has(node)) note(node, text);
  };

  for (const event of events) {
    switch (event.kind) {
      case "send":
      case "duplicate":
      case "tamper":
      case "deliver":
      case "drop": {
        if (!shown.has(event.from) || !shown.has(event.to)) break;
        const state = stateOf(event);
        if (event.kind === "send") {
          state.sentAtMs = event.timeMs;
          state.send = event;
          state.inFlightCount++;
        } else if (event.kind === "duplicate") {
          if (state.send !== undefined) state.inFlightCount++;
        } else if (event.kind === "tamper") {
          state.tampered = true;
          state.message = event.message;
        } else {
          if (state.send !== undefined) state.inFlightCount--;
          state.outcomesCount++;
          drawings.push({
            kind: "arrow",
            outcome: event.kind,
            event,
            message: event.message,
            duplicate: state.outcomesCount > 1,
            tampered: state.tampered,
            sentAtMs: event.sentAtMs,
          });
        }
        break;
      }
      case "timer":
        if (showTimers) noteOver(event.node, `timer ${escapeMermaid(event.name)}`);
        break;
      case "crash":
        noteOver(event.node, "crash");
        break;
      case "restart":
        noteOver(event.node, "restart");
        break;
      case "pause":
        noteOver(event.node, `paused ${shortNumber(event.durationMs, 1)} ms`);
        break;
      case "resume":
        noteOver(event.node, "resumed");
        break;
      case "clock":
        noteOver(
          event.node,
          `clock offset ${shortNumber(event.offsetMs, 1)} ms, ` +
            `drift ${shortNumber(event.driftPpm, 1)} ppm`,
        );
        break;
      case "note":
        noteOver(event.node, escapeMermaid(event.text));
        break;
      case "partition":
        // A partition cuts the whole network: it spans every lifeline. Without one it has no place.
        if (shown.size > 0) note("all", `partition ${partitionText(event, escapeMermaid)}`);
        break;
      case "heal":
        if (shown.size > 0) note("all", "heal");
        break;
      default:
        throw unknownKind(event);
    }
  }

  for (const state of messages.values()) {
    for (let copy = 0; copy < state.inFlightCount; copy++) {
      const send = state.send as Extract<MessageEvent, { readonly kind: "send" }>;
      state.outcomesCount++;
      drawings.push({
        kind: "arrow",
        outcome: "inFlight",
        event: send,
        message: state.message,
        duplicate: state.outcomesCount > 1,
        tampered: state.tampered,
        sentAtMs: state.sentAtMs,
      });
    }
  }
  return drawings;
}

/** `t=12→15` for a delivery, `t=12` for a drop at the send, `t=12→` for a message in flight. */
function arrowTimes(outcome: Outcome, sentAtMs: number | undefined, timeMs: number): string {
  if (outcome === "inFlight") return `t=${shortNumber(timeMs, 1)}→`;
  if (sentAtMs === undefined || sentAtMs === timeMs) return `t=${shortNumber(timeMs, 1)}`;
  return `t=${shortNumber(sentAtMs, 1)}→${shortNumber(timeMs, 1)}`;
}

// ---------------------------------------------------------------- the table

function tableRow(event: TraceEvent, label: (message: Envelope) => string): string[] {
  const time = shortNumber(event.timeMs, 3);
  switch (event.kind) {
    case "send":
      return [
        time,
        event.kind,
        event.from,
        event.to,
        `${messageText(event, label)}, ${event.sizeBytes} B`,
      ];
    case "deliver":
      return [
        time,
        event.kind,
        event.from,
        event.to,
        `${messageText(event, label)}, sent at ${shortNumber(event.sentAtMs, 3)}`,
      ];
    case "drop":
      return [
        time,
        event.kind,
        event.from,
        event.to,
        `${messageText(event, label)} ✗ ${event.reason}`,
      ];
    case "duplicate":
      return [time, event.kind, event.from, event.to, messageText(event, label)];
    case "tamper":
      return [
        time,
        event.kind,
        event.from,
        event.to,
        `#${event.messageId} ${label(event.original)} → ${label(event.message)}`,
      ];
    case "timer":
      return [time, event.kind, event.node, "", event.name];
    case "crash":
    case "restart":
    case "resume":
      return [time, event.kind, event.node, "", ""];
    case "pause":
      return [time, event.kind, event.node, "", `${shortNumber(event.durationMs, 3)} ms`];
    case "clock":
      return [
        time,
        event.kind,
        event.node,
        "",
        `offset ${shortNumber(event.offsetMs, 3)} ms, drift ${shortNumber(event.driftPpm, 3)} ppm`,
      ];
    case "note":
      return [time, event.kind, event.node, "", event.text];
    case "partition":
      return [time, event.kind, "", "", partitionText(event, (id) => id)];
    case "heal":
      return [time, event.kind, "", "", ""];
    default:
      throw unknownKind(event);
  }
}

function messageText(event: MessageEvent, label: (message: Envelope) => string): string {
  return `#${event.messageId} ${label(event.message)}`;
}

// ---------------------------------------------------------------- shared text

/** `{a, b} | {c}` for a partition, `one-way {a} → {b, c}` for a one-way cut. */
function partitionText(
  event: Extract<TraceEvent, { readonly kind: "partition" }>,
  escape: (text: string) => string,
): string {
  const groups = event.groups.map((group) => `{${group.map(escape).join(", ")}}`);
  return event.oneWay ? `one-way ${groups.join(" → ")}` : groups.join(" | ");
}

/** At most `decimals` decimals, trailing zeros trimmed: 12, 12.5, 0.125. */
function shortNumber(value: number, decimals: number): string {
  const scale = 10 ** decimals;
  const rounded = Math.round(value * scale) / scale;
  return String(rounded === 0 ? 0 : rounded); // no "-0"
}

const escapeMermaid = (text: string): string => escapeMermaidText(text);

// ---------------------------------------------------------------- validation

function requireEvents(events: readonly TraceEvent[]): void {
  if (!Array.isArray(events)) {
    throw invalidArgument("events", "an array of trace events (sim.trace)", events);
  }
}

function requireOptions(options: object): void {
  if (typeof options !== "object" || options === null) {
    throw invalidArgument("options", "an object or undefined", options);
  }
}

function requireBoolean(name: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw invalidArgument(name, "a boolean", value);
  return value;
}

function requireLabel(label: unknown): (message: Envelope) => string {
  if (label === undefined) return (message) => message.type;
  if (typeof label !== "function") {
    throw invalidArgument("label", "a function from a message to a string", label);
  }
  return (message) => {
    const text: unknown = label(message);
    if (typeof text !== "string") throw invalidArgument("label(message)", "a string", text);
    return text;
  };
}

function requireTitle(title: unknown): string {
  // Mermaid's `title` line needs at least one visible character after the keyword.
  if (typeof title !== "string" || escapeMermaid(title) === "") {
    throw invalidArgument("title", "a string with visible text", title);
  }
  return title;
}

function requireParticipants(participants: unknown): NodeId[] {
  const allowed = "a non-empty array of distinct node ids";
  if (!Array.isArray(participants) || participants.length === 0) {
    throw invalidArgument("participants", allowed, participants);
  }
  const seen = new Set<NodeId>();
  for (const id of participants as unknown[]) {
    if (typeof id !== "string" || id.length === 0 || seen.has(id)) {
      throw invalidArgument("participants", allowed, participants);
    }
    seen.add(id);
  }
  return [...seen];
}

function unknownKind(event: never): RangeError {
  return invalidArgument(
    "event.kind",
    "a trace event kind (send, deliver, drop, duplicate, tamper, timer, crash, restart, pause, " +
      "resume, partition, heal, clock, note)",
    (event as { kind?: unknown }).kind,
  );
}
