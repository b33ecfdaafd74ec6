// Charts of distributions (bars) and timelines (lines) as Mermaid `xychart-beta`, with a text chart
// as the plain-text form. Labels are quoted and escaped so any text parses; numbers print plainly.

import { integerOption, invalidArgument, requireIntegerAtLeast } from "../sim/assert.js";
import type { RichOutput } from "./display.js";
import { mermaid } from "./mermaid.js";
import { escapeMermaidText, oneLine, textWidth } from "../sim/text.js";
import { formatNumber, table } from "./table.js";

/** What every chart accepts. Every field is optional. */
export interface ChartOptions {
  /** A title above the chart. */
  readonly title?: string;
  /** The x axis title: what the bars are (`node`) or what the points run over (`time (ms)`). */
  readonly xLabel?: string;
  /** The y axis title: what the values measure (`messages`, `latency (ms)`). */
  readonly yLabel?: string;
  /** Most decimals of non-integers in the text form, 0 to 20. Default 2 (see formatNumber). */
  readonly digits?: number;
}

/** How {@link barChart} draws. Every field is optional. */
export interface BarChartOptions extends ChartOptions {
  /** Length of the longest bar in the text form, in characters, 1 to 200. Default 40. */
  readonly widthChars?: number;
  /** Most bars; more is a RangeError (a chart of hundreds of bars is unreadable). Default 100. */
  readonly barsMax?: number;
}

/** How {@link lineChart} draws. Every field is optional. */
export interface LineChartOptions extends ChartOptions {
  /** Most points per series; more is a RangeError (sample less often). Default 200. */
  readonly pointsMax?: number;
}

/** One bar: its label (unique in the chart) and its value (a finite number >= 0). */
export interface BarDatum {
  readonly label: string;
  readonly value: number;
}

/** One line: its name (unique in the chart) and its `[x, y]` points, x strictly increasing. */
export interface LineSeries {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
}

const WIDTH_CHARS_DEFAULT = 40;
const WIDTH_CHARS_MAX = 200;
const BARS_MAX_DEFAULT = 100;
const POINTS_MAX_DEFAULT = 200;
/** Eighths of a character cell, for bar ends finer than one character. */
const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
const FULL_BLOCK = "█";

/**
 * Shows values as a bar chart, for distributions: messages per node, requests per shard, latency
 * buckets. The bundle has a Mermaid `xychart-beta` (`text/vnd.mermaid`, and fenced in
 * `text/markdown`) whose y axis starts at 0, and a text bar chart in `text/plain`: one row per
 * bar, `label │████████▌ 123`, the longest bar `widthChars` long, drawn in eighths of a character
 * (a value above 0 always shows at least `▏`).
 *
 * @param data - the bars in order: `{ label, value }` objects, or a record from label to value
 *   (in the record's key order, which puts integer-like keys first in ascending order). At least
 *   one bar; labels with visible text, unique once trimmed; values finite and >= 0.
 * @param options - see {@link BarChartOptions}.
 * @throws RangeError for no bars, more than `barsMax` bars, an empty or repeated label, a value
 *   that is not a finite number >= 0, or a bad option.
 *
 * @example
 * barChart({ a: 40, b: 10, c: 0 }, { title: "Messages sent", widthChars: 8 }).toString();
 * // Messages sent
 * // a │████████ 40
 * // b │██ 10
 * // c │ 0
 *
 * @example
 * show(barChart([{ label: "p50", value: 4.2 }, { label: "p99", value: 31 }], { yLabel: "ms" }));
 */
export function barChart(
  data: readonly BarDatum[] | Readonly<Record<string, number>>,
  options: BarChartOptions = {},
): RichOutput {
  const common = requireChartOptions(options);
  const widthChars = integerOption(
    "widthChars",
    options.widthChars,
    WIDTH_CHARS_DEFAULT,
    1,
    WIDTH_CHARS_MAX,
  );
  const barsMax = requireIntegerAtLeast("barsMax", options.barsMax ?? BARS_MAX_DEFAULT, 1);
  const bars = requireBars(data);
  if (bars.length > barsMax) {
    throw new RangeError(
      `barChart: ${bars.length} bars exceed barsMax=${barsMax}; ` +
        "group or filter the data, or raise barsMax",
    );
  }

  const valueMax = Math.max(...bars.map((bar) => bar.value));
  const lines = ["xychart-beta"];
  if (common.title !== undefined) lines.push(`  title ${quote(common.title)}`);
  const xTitle = common.xLabel === undefined ? "" : `${quote(common.xLabel)} `;
  lines.push(`  x-axis ${xTitle}[${bars.map((bar) => quote(bar.label)).join(", ")}]`);
  const yTitle = common.yLabel === undefined ? "" : `${quote(common.yLabel)} `;
  // Mermaid would start the axis at the smallest value, making that bar empty: start it at 0.
  lines.push(`  y-axis ${yTitle}0 --> ${plainNumber(valueMax > 0 ? valueMax : 1)}`);
  lines.push(`  bar [${bars.map((bar) => plainNumber(bar.value)).join(", ")}]`);

  return mermaid(lines.join("\n"), { fallback: textBars(bars, common, widthChars, valueMax) });
}

/**
 * Shows series as a line chart, for timelines: queue length over time, commit index per node,
 * latency per load level. Every series is sampled at the same x values (they share one x axis).
 * The bundle has a Mermaid `xychart-beta` with one `line` per series (`text/vnd.mermaid`, and
 * fenced in `text/markdown`) and, in `text/plain`, a table with one row per x value and one column
 * per series. When the x values are evenly spaced the Mermaid x axis is to scale (`x-axis 0 -->
 * 100`); otherwise each x value is a category, drawn evenly spaced whatever the gaps.
 *
 * @param series - one series or an array of them; names with visible text, unique once trimmed;
 *   at least one point each, every x and y finite, x strictly increasing and the same in every
 *   series.
 * @param options - see {@link LineChartOptions}.
 * @throws RangeError for no series, a series with no points or more than `pointsMax`, a number
 *   that is not finite, x values not increasing or differing between series, an empty or
 *   repeated name, or a bad option.
 *
 * @example
 * lineChart(
 *   [
 *     { name: "leader", points: [[0, 1], [10, 4], [20, 9]] },
 *     { name: "follower", points: [[0, 0], [10, 2], [20, 8]] },
 *   ],
 *   { xLabel: "time (ms)", yLabel: "commitIndex" },
 * ).toString();
 * // time (ms)  leader  follower
 * // ---------  ------  --------
 * //         0       1         0
 * //        10       4         2
 * //        20       9         8
 */
export function lineChart(
  series: LineSeries | readonly LineSeries[],
  options: LineChartOptions = {},
): RichOutput {
  const common = requireChartOptions(options);
  const pointsMax = requireIntegerAtLeast("pointsMax", options.pointsMax ?? POINTS_MAX_DEFAULT, 1);
  const lines = requireSeries(series, pointsMax);
  const xs = (lines[0] as LineSeries).points.map(([x]) => x);

  const source = ["xychart-beta"];
  if (common.title !== undefined) source.push(`  title ${quote(common.title)}`);
  const xTitle = common.xLabel === undefined ? "" : `${quote(common.xLabel)} `;
  if (isEvenlySpaced(xs)) {
    const [first, last] = [xs[0] as number, xs[xs.length - 1] as number];
    source.push(`  x-axis ${xTitle}${plainNumber(first)} --> ${plainNumber(last)}`);
  } else {
    source.push(`  x-axis ${xTitle}[${xs.map((x) => quote(plainNumber(x))).join(", ")}]`);
  }
  if (common.yLabel !== undefined) source.push(`  y-axis ${quote(common.yLabel)}`);
  for (const line of lines) {
    source.push(
      `  line ${quote(line.name)} [${line.points.map(([, y]) => plainNumber(y)).join(", ")}]`,
    );
  }

  const rows = xs.map((x, index) => [
    x,
    ...lines.map((line) => (line.points[index] as readonly [number, number])[1]),
  ]);
  const columns = [common.xLabel ?? "x", ...lines.map((line) => line.name)].map((header) => ({
    key: visible(header),
    align: "right" as const,
  }));
  const text = table(rows, { columns, digits: common.digits, rowsMax: pointsMax }).toString();
  const fallback = common.title === undefined ? text : `${visible(common.title)}\n${text}`;
  return mermaid(source.join("\n"), { fallback });
}

// ---------------------------------------------------------------- text forms

function textBars(
  bars: readonly BarDatum[],
  common: CommonOptions,
  widthChars: number,
  valueMax: number,
): string {
  const labels = bars.map((bar) => visible(bar.label));
  const hasHeader = common.xLabel !== undefined || common.yLabel !== undefined;
  const xHeader = common.xLabel === undefined ? "" : visible(common.xLabel);
  const labelWidth = Math.max(...labels.map(textWidth), hasHeader ? textWidth(xHeader) : 0);
  const pad = (text: string): string => text + " ".repeat(labelWidth - textWidth(text));
  const lines: string[] = [];
  if (common.title !== undefined) lines.push(visible(common.title));
  if (hasHeader) {
    const yHeader = common.yLabel === undefined ? "" : visible(common.yLabel);
    lines.push(`${pad(xHeader)} │ ${yHeader}`.trimEnd());
  }
  bars.forEach((bar, index) => {
    const bar8ths = valueMax === 0 ? 0 : Math.round((bar.value / valueMax) * widthChars * 8);
    const eighths = bar.value > 0 ? Math.max(1, bar8ths) : 0;
    const drawn = FULL_BLOCK.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
    lines.push(
      `${pad(labels[index] as string)} │${drawn} ${formatNumber(bar.value, common.digits)}`,
    );
  });
  return lines.join("\n");
}

// ---------------------------------------------------------------- Mermaid text

/** User text as a quoted xychart string, on one line and trimmed (Mermaid trims it anyway). */
function quote(text: string): string {
  return `"${escapeMermaidText(text, true)}"`;
}

function visible(text: string): string {
  return oneLine(text).trim();
}

/**
 * A number as Mermaid's xychart grammar reads it (`[+-]?digits[.digits]`): the shortest decimal
 * that round-trips, written out in full where JavaScript would use an exponent (1e21, 1e-7).
 */
function plainNumber(value: number): string {
  const text = String(value === 0 ? 0 : value); // no "-0"
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (match === null) return text;
  const [, sign = "", lead = "", fraction = "", exponentText = "0"] = match;
  const exponent = Number(exponentText);
  if (exponent > 0) return sign + lead + fraction + "0".repeat(exponent - fraction.length);
  return `${sign}0.${"0".repeat(-exponent - 1)}${lead}${fraction}`;
}

/** Whether Mermaid's linear axis (points spread evenly from first to last) puts each x in place. */
function isEvenlySpaced(xs: readonly number[]): boolean {
  if (xs.length < 2) return false; // one point: a linear axis from x to x has no width
  const first = xs[0] as number;
  const span = (xs[xs.length - 1] as number) - first;
  const step = span / (xs.length - 1);
  const tolerance = 1e-9 * Math.max(1, Math.abs(span));
  return xs.every((x, index) => Math.abs(x - (first + index * step)) <= tolerance);
}

// ---------------------------------------------------------------- validation

interface CommonOptions {
  readonly title: string | undefined;
  readonly xLabel: string | undefined;
  readonly yLabel: string | undefined;
  readonly digits: number | undefined;
}

function requireChartOptions(options: ChartOptions): CommonOptions {
  if (typeof options !== "object" || options === null) {
    throw invalidArgument("options", "an object or undefined", options);
  }
  const text = (name: "title" | "xLabel" | "yLabel"): string | undefined => {
    const value: unknown = options[name];
    if (value === undefined) return undefined;
    if (typeof value !== "string" || visible(value) === "") {
      throw invalidArgument(name, "a string with visible text, or undefined", value);
    }
    return value;
  };
  const digits = options.digits;
  if (digits !== undefined) formatNumber(0, digits); // same check and message as table's digits
  return { title: text("title"), xLabel: text("xLabel"), yLabel: text("yLabel"), digits };
}

/** Labels must have visible text and be unique once trimmed: Mermaid trims and merges repeats. */
function requireLabel(path: string, label: unknown, seen: Set<string>): string {
  if (typeof label !== "string" || visible(label) === "") {
    throw invalidArgument(path, "a string with visible text", label);
  }
  const key = visible(label);
  if (seen.has(key)) throw invalidArgument(path, "unique in the chart (once trimmed)", label);
  seen.add(key);
  return label;
}

function requireBars(data: unknown): BarDatum[] {
  const allowed = "a non-empty array of { label, value } or a non-empty record from label to value";
  if (typeof data !== "object" || data === null) throw invalidArgument("data", allowed, data);
  const entries: [string, string, unknown, unknown][] = Array.isArray(data)
    ? data.map((datum: unknown, index) => {
        if (typeof datum !== "object" || datum === null) {
          throw invalidArgument(`data[${index}]`, "a { label, value } object", datum);
        }
        const { label, value } = datum as { label?: unknown; value?: unknown };
        return [`data[${index}]`, `data[${index}].label`, label, value];
      })
    : Object.entries(data).map(([label, value]) => [
        `data[${JSON.stringify(label)}]`,
        `data[${JSON.stringify(label)}] label`,
        label,
        value,
      ]);
  if (entries.length === 0) throw invalidArgument("data", allowed, data);
  const seen = new Set<string>();
  return entries.map(([path, labelPath, label, value]) => {
    const checkedLabel = requireLabel(labelPath, label, seen);
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw invalidArgument(
        Array.isArray(data) ? `${path}.value` : path,
        "a finite number >= 0 (bars start at 0)",
        value,
      );
    }
    return { label: checkedLabel, value };
  });
}

function requireSeries(series: unknown, pointsMax: number): LineSeries[] {
  const list: unknown[] = Array.isArray(series) ? series : [series];
  if (list.length === 0) {
    throw invalidArgument(
      "series",
      "a series { name, points } or a non-empty array of them",
      series,
    );
  }
  const seen = new Set<string>();
  let xs: number[] | undefined;
  return list.map((item, index) => {
    const path = Array.isArray(series) ? `series[${index}]` : "series";
    if (typeof item !== "object" || item === null) {
      throw invalidArgument(path, "a { name, points } object", item);
    }
    const { name, points } = item as { name?: unknown; points?: unknown };
    requireLabel(`${path}.name`, name, seen);
    if (!Array.isArray(points) || points.length === 0) {
      throw invalidArgument(`${path}.points`, "a non-empty array of [x, y] pairs", points);
    }
    if (points.length > pointsMax) {
      throw new RangeError(
        `lineChart: ${path} has ${points.length} points, more than pointsMax=${pointsMax}; ` +
          "sample less often or raise pointsMax",
      );
    }
    const checked = points.map((point: unknown, pointIndex): [number, number] => {
      const pointPath = `${path}.points[${pointIndex}]`;
      if (!Array.isArray(point) || point.length !== 2) {
        throw invalidArgument(pointPath, "an [x, y] pair of finite numbers", point);
      }
      point.forEach((n: unknown, axis) => {
        if (typeof n !== "number" || !Number.isFinite(n)) {
          throw invalidArgument(`${pointPath}[${axis}]`, "a finite number", n);
        }
      });
      return [point[0] as number, point[1] as number];
    });
    checked.forEach(([x], pointIndex) => {
      const previous = checked[pointIndex - 1];
      if (previous !== undefined && !(x > previous[0])) {
        throw invalidArgument(
          `${path}.points[${pointIndex}][0]`,
          `greater than the x before it (${previous[0]}): x must increase`,
          x,
        );
      }
    });
    if (xs === undefined) {
      xs = checked.map(([x]) => x);
    } else {
      requireSameXs(path, checked, xs);
    }
    return { name: name as string, points: checked };
  });
}

/** Lines share one x axis: every series must be sampled at the first series' x values. */
function requireSameXs(
  path: string,
  points: readonly (readonly [number, number])[],
  xs: readonly number[],
): void {
  const why = "lines share one x axis: sample every series at the same x values";
  if (points.length !== xs.length) {
    throw invalidArgument(
      `${path}.points`,
      `${xs.length} points like the first series (${why})`,
      points,
    );
  }
  points.forEach(([x], index) => {
    if (x !== xs[index]) {
      throw invalidArgument(
        `${path}.points[${index}][0]`,
        `${xs[index]} as in the first series (${why})`,
        x,
      );
    }
  });
}
