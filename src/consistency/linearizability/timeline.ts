// A history drawn as a timeline: one lane per client, a bar per operation, the linearization on top.
// The picture of Herlihy and Wing 1990 §2 (histories and linearization points), as an SVG.

import { invalidArgument, requireIntegerAtLeast, requireKnownOptions } from "../../sim/assert.js";
import { type RichOutput, richOutput } from "../../viz/display.js";
import { describeLinearizableOperation, eventsToOperations } from "./checker.js";
import type { CheckResult, Event, Model, Operation } from "./types.js";

/** Options of {@link historyTimeline}. */
export interface HistoryTimelineOptions {
  /** A caption above the timeline. */
  title?: string;
  /** Width of the drawing in px (default 600, about a page column, so text is not scaled down; at least 300). */
  widthPx?: number;
  /** The most operations drawn; a longer history is an error (default 400). */
  operationsMax?: number;
}

/** Colours that read on light and dark pages alike; everything else uses currentColor. */
const ACCENT = "#3b82f6";
const ALARM = "#ef4444";
const ROW_HEIGHT_PX = 30;
const BAR_HEIGHT_PX = 16;
const LEFT_PX = 76;
const TOP_PX = 44;
const AXIS_PX = 28;
const PENDING_TAIL_PX = 18;
const CHAR_WIDTH_PX = 5.6;

type Role = "plain" | "placed" | "culprit" | "faded";

interface Bar<I, O> {
  readonly index: number;
  readonly operation: Operation<I, O>;
  readonly description: string;
  readonly role: Role;
  /** 1-based position in the drawn linearization or prefix, when placed. */
  readonly order: number | undefined;
  readonly point: number | undefined;
  row: number;
}

/**
 * Draws a history as a timeline: one lane per client, a bar per operation from call to return
 * (pending operations run off the right edge, dashed), labelled with the model's
 * `describeOperation`. With an "ok" result, each operation's linearization point is marked and
 * numbered in linearization order; with an "illegal" result, the longest linearizable prefix is
 * numbered and the operation that cannot be placed is drawn in red. Returns SVG with a
 * plain-text fallback; `show()` displays it.
 *
 * @example
 * const result = checkOperations(registerModel, history);
 * show(historyTimeline(history, result, registerModel));
 */
export function historyTimeline<S, I, O>(
  history: readonly Operation<I, O>[] | readonly Event<I, O>[],
  result?: CheckResult<I, O>,
  model?: Model<S, I, O>,
  options?: HistoryTimelineOptions,
): RichOutput {
  const known = requireKnownOptions("historyTimeline options", options, [
    "title",
    "widthPx",
    "operationsMax",
  ]);
  const widthPx =
    known.widthPx === undefined
      ? 600
      : requireIntegerAtLeast("options.widthPx", known.widthPx, 300);
  const operationsMax =
    known.operationsMax === undefined
      ? 400
      : requireIntegerAtLeast("options.operationsMax", known.operationsMax, 1);
  const title = known.title === undefined ? undefined : String(known.title);
  if (!Array.isArray(history)) throw invalidArgument("history", "an array", history);
  const operations = isEventHistory(history)
    ? eventsToOperations(history)
    : (history as readonly Operation<I, O>[]);
  if (operations.length > operationsMax) {
    throw invalidArgument(
      "history",
      `at most options.operationsMax (${operationsMax}) operations to draw (pass a slice or a larger operationsMax)`,
      `${operations.length} operations`,
    );
  }
  if (result !== undefined && result.operations.length !== operations.length) {
    throw invalidArgument(
      "result",
      `the verdict on this history (${operations.length} operations)`,
      `a result on ${result.operations.length} operations`,
    );
  }
  const describer = model ?? {};
  const bars = layoutBars(operations, result, (op) => describeLinearizableOperation(describer, op));
  return richOutput({
    "text/plain": timelineText(bars, result, title),
    "image/svg+xml": timelineSvg(bars, result, title, widthPx),
  });
}

function isEventHistory<I, O>(
  history: readonly Operation<I, O>[] | readonly Event<I, O>[],
): history is readonly Event<I, O>[] {
  const first = history[0] as Partial<Event<I, O>> | undefined;
  return first !== undefined && (first.kind === "call" || first.kind === "return");
}

function layoutBars<I, O>(
  operations: readonly Operation<I, O>[],
  result: CheckResult<I, O> | undefined,
  describe: (operation: Operation<I, O>) => string,
): Bar<I, O>[] {
  const placed = new Map<number, { order: number; point: number }>();
  let culprit = -1;
  if (result?.result === "ok") {
    result.linearization.forEach((step, k) =>
      placed.set(step.index, { order: k + 1, point: step.point }),
    );
  } else if (result?.result === "illegal") {
    result.prefix.forEach((step, k) => placed.set(step.index, { order: k + 1, point: step.point }));
    culprit = result.culprit.index;
  }
  const bars: Bar<I, O>[] = operations.map((operation, index) => {
    const place = placed.get(index);
    let role: Role = "plain";
    if (index === culprit) role = "culprit";
    else if (place !== undefined) role = "placed";
    else if (result?.result === "illegal") role = "faded";
    return {
      index,
      operation,
      description: describe(operation),
      role,
      order: place?.order,
      point: place?.point,
      row: 0,
    };
  });
  return bars;
}

/** Lanes: clients in id order; overlapping operations of one client get extra rows. */
function assignRows<I, O>(
  bars: Bar<I, O>[],
): { clientId: number; firstRow: number; rows: number }[] {
  const byClient = new Map<number, Bar<I, O>[]>();
  for (const bar of bars) {
    const list = byClient.get(bar.operation.clientId);
    if (list === undefined) byClient.set(bar.operation.clientId, [bar]);
    else list.push(bar);
  }
  const lanes: { clientId: number; firstRow: number; rows: number }[] = [];
  let nextRow = 0;
  for (const clientId of [...byClient.keys()].sort((a, b) => a - b)) {
    const list = (byClient.get(clientId) ?? []).sort(
      (a, b) => a.operation.call - b.operation.call || a.index - b.index,
    );
    const rowEnds: number[] = [];
    for (const bar of list) {
      let row = rowEnds.findIndex((end) => end < bar.operation.call);
      if (row < 0) {
        row = rowEnds.length;
        rowEnds.push(0);
      }
      rowEnds[row] = bar.operation.return;
      bar.row = nextRow + row;
    }
    lanes.push({ clientId, firstRow: nextRow, rows: Math.max(1, rowEnds.length) });
    nextRow += Math.max(1, rowEnds.length);
  }
  return lanes;
}

function verdictText<I, O>(result: CheckResult<I, O> | undefined): string {
  if (result === undefined) return "not checked";
  switch (result.result) {
    case "ok":
      return "linearizable: points mark one linearization, numbered in order";
    case "illegal":
      return `not linearizable: the longest linearizable prefix is numbered; ${result.culprit.description} cannot be placed`;
    case "unknown":
      return "unknown: the check ran out of time";
  }
}

function formatTime(time: number): string {
  if (time === Infinity) return "∞";
  return Number.isInteger(time) ? String(time) : String(Number(time.toFixed(2)));
}

function timelineText<I, O>(
  bars: readonly Bar<I, O>[],
  result: CheckResult<I, O> | undefined,
  title: string | undefined,
): string {
  const clients = new Set(bars.map((bar) => bar.operation.clientId)).size;
  const lines = [
    ...(title === undefined ? [] : [title]),
    `${bars.length} operations, ${clients} clients; ${verdictText(result)}`,
  ];
  const sorted = bars
    .slice()
    .sort((a, b) => a.operation.call - b.operation.call || a.index - b.index);
  const rows = sorted.map((bar) => {
    const op = bar.operation;
    const interval =
      op.return === Infinity
        ? `[${formatTime(op.call)}, ∞)`
        : `[${formatTime(op.call)}, ${formatTime(op.return)}]`;
    let note = "";
    if (bar.role === "culprit") note = "cannot be linearized";
    else if (bar.order !== undefined) note = `#${bar.order} at ${formatTime(bar.point ?? 0)}`;
    return [`client ${op.clientId}`, interval, bar.description, note];
  });
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((row) => (row[c] ?? "").length)));
  for (const row of rows) {
    const cells = row.map((cell, c) => (c < 3 ? cell.padEnd(widths[c] ?? 0) : cell));
    lines.push(cells.join("  ").trimEnd());
  }
  return lines.join("\n");
}

function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

function fitText(text: string, widthPx: number): string {
  const chars = Math.floor(widthPx / CHAR_WIDTH_PX);
  if (chars >= text.length) return text;
  if (chars < 4) return "";
  return `${text.slice(0, chars - 1)}…`;
}

/** Round tick values over [from, to]: about five, at 1, 2 or 5 times a power of ten. */
function ticks(from: number, to: number): number[] {
  const span = to - from;
  const raw = span / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const values: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to + step * 1e-9; t += step) {
    values.push(Number(t.toPrecision(12)));
  }
  return values;
}

function timelineSvg<I, O>(
  bars: Bar<I, O>[],
  result: CheckResult<I, O> | undefined,
  title: string | undefined,
  widthPx: number,
): string {
  const lanes = assignRows(bars);
  const rowsCount = lanes.reduce((sum, lane) => sum + lane.rows, 0);
  const heightPx = TOP_PX + Math.max(1, rowsCount) * ROW_HEIGHT_PX + AXIS_PX;
  const finiteTimes = bars.flatMap((bar) =>
    bar.operation.return === Infinity
      ? [bar.operation.call]
      : [bar.operation.call, bar.operation.return],
  );
  const tMin = finiteTimes.length === 0 ? 0 : Math.min(...finiteTimes);
  let tMax = finiteTimes.length === 0 ? 1 : Math.max(...finiteTimes);
  if (tMax <= tMin) tMax = tMin + 1;
  const plotRight = widthPx - 12 - PENDING_TAIL_PX;
  const x = (t: number): number =>
    t === Infinity
      ? plotRight + PENDING_TAIL_PX
      : LEFT_PX + ((t - tMin) / (tMax - tMin)) * (plotRight - LEFT_PX);
  const rowTop = (row: number): number => TOP_PX + row * ROW_HEIGHT_PX;
  const parts: string[] = [];
  const caption = title === undefined ? verdictText(result) : `${title}: ${verdictText(result)}`;
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${widthPx}" height="${heightPx}" viewBox="0 0 ${widthPx} ${heightPx}" role="img" aria-label="${escapeXml(caption)}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="10">`,
    `<title>${escapeXml(caption)}</title>`,
    `<text x="8" y="16" font-size="12" fill="currentColor">${escapeXml(fitText(caption, (widthPx - 16) * 0.85))}</text>`,
  );
  // Lanes: alternate shading and the client's name.
  lanes.forEach((lane, k) => {
    const top = rowTop(lane.firstRow);
    if (k % 2 === 0) {
      parts.push(
        `<rect x="0" y="${top}" width="${widthPx}" height="${lane.rows * ROW_HEIGHT_PX}" fill="currentColor" fill-opacity="0.04"/>`,
      );
    }
    parts.push(
      `<text x="8" y="${top + ROW_HEIGHT_PX / 2 + 4}" fill="currentColor" fill-opacity="0.8">client ${lane.clientId}</text>`,
    );
  });
  // Time axis.
  const axisY = TOP_PX + Math.max(1, rowsCount) * ROW_HEIGHT_PX + 4;
  parts.push(
    `<line x1="${LEFT_PX}" y1="${axisY}" x2="${plotRight}" y2="${axisY}" stroke="currentColor" stroke-opacity="0.5"/>`,
  );
  for (const t of ticks(tMin, tMax)) {
    parts.push(
      `<line x1="${x(t).toFixed(1)}" y1="${axisY}" x2="${x(t).toFixed(1)}" y2="${axisY + 4}" stroke="currentColor" stroke-opacity="0.5"/>`,
      `<text x="${x(t).toFixed(1)}" y="${axisY + 15}" text-anchor="middle" fill="currentColor" fill-opacity="0.7">${escapeXml(formatTime(t))}</text>`,
    );
  }
  // Bars.
  for (const bar of bars) {
    const op = bar.operation;
    const top = rowTop(bar.row) + (ROW_HEIGHT_PX - BAR_HEIGHT_PX) / 2 + 3;
    const left = x(op.call);
    const width = Math.max(2, x(op.return) - left);
    const pending = op.return === Infinity;
    const culprit = bar.role === "culprit";
    const stroke = culprit ? ALARM : "currentColor";
    const opacity = bar.role === "faded" ? 0.45 : 1;
    const interval = pending
      ? `[${formatTime(op.call)}, ∞)`
      : `[${formatTime(op.call)}, ${formatTime(op.return)}]`;
    const tooltip = `client ${op.clientId} ${interval}: ${bar.description}${culprit ? " (cannot be linearized)" : bar.order !== undefined ? ` (#${bar.order})` : ""}`;
    parts.push(
      `<g opacity="${opacity}"><title>${escapeXml(tooltip)}</title>`,
      `<rect x="${left.toFixed(1)}" y="${top}" width="${width.toFixed(1)}" height="${BAR_HEIGHT_PX}" rx="3" fill="${culprit ? ALARM : "currentColor"}" fill-opacity="${culprit ? 0.18 : 0.08}" stroke="${stroke}" stroke-opacity="${culprit ? 1 : 0.6}" stroke-width="${culprit ? 2 : 1}"${pending ? ' stroke-dasharray="4 3"' : ""}/>`,
    );
    const label = fitText(bar.description, width - 6);
    if (label !== "") {
      parts.push(
        `<text x="${(left + 3).toFixed(1)}" y="${top + BAR_HEIGHT_PX / 2 + 3.5}" fill="${culprit ? ALARM : "currentColor"}">${escapeXml(label)}</text>`,
      );
    } else if (culprit) {
      // The culprit is always named: beside its bar when the bar is too short for the text.
      const room = widthPx - (left + width + 4) - 4;
      const beside = fitText(bar.description, room);
      const anchorRight = beside === "";
      parts.push(
        `<text x="${(anchorRight ? left - 4 : left + width + 4).toFixed(1)}" y="${top + BAR_HEIGHT_PX / 2 + 3.5}"${anchorRight ? ' text-anchor="end"' : ""} fill="${ALARM}">${escapeXml(anchorRight ? bar.description : beside)}</text>`,
      );
    }
    parts.push("</g>");
  }
  // The linearization: points joined in order, numbered.
  const placed = bars
    .filter((bar) => bar.order !== undefined && bar.point !== undefined)
    .sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
  const pointXY = (bar: Bar<I, O>): [number, number] => [
    Math.min(x(bar.point ?? 0), plotRight + PENDING_TAIL_PX),
    rowTop(bar.row) + (ROW_HEIGHT_PX - BAR_HEIGHT_PX) / 2 + 3 + BAR_HEIGHT_PX / 2,
  ];
  if (placed.length > 1) {
    const path = placed
      .map((bar) =>
        pointXY(bar)
          .map((v) => v.toFixed(1))
          .join(","),
      )
      .join(" ");
    parts.push(
      `<polyline points="${path}" fill="none" stroke="${ACCENT}" stroke-opacity="0.7" stroke-width="1.2"/>`,
    );
  }
  const numbered = placed.length <= 80;
  for (const bar of placed) {
    const [px, py] = pointXY(bar);
    parts.push(`<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="3" fill="${ACCENT}"/>`);
    if (numbered) {
      parts.push(
        `<text x="${px.toFixed(1)}" y="${(py - BAR_HEIGHT_PX / 2 - 2).toFixed(1)}" text-anchor="middle" font-size="8" fill="${ACCENT}">${bar.order}</text>`,
      );
    }
  }
  parts.push("</svg>");
  return parts.join("");
}
