// Pictures of a ring drawn from its actual state (points, arcs, owners) and charts of the
// chapter's tables, as Mermaid rich outputs with a text fallback for viewers without Mermaid.

import { invalidArgument, requireIntegerIn, requireKnownOptions } from "../sim/assert.js";
import { escapeMermaidText, formatTextTable } from "../sim/text.js";
import { barChart, lineChart } from "../viz/chart.js";
import type { RichOutput } from "../viz/display.js";
import { mermaid } from "../viz/mermaid.js";
import type { RingPoint, RingView } from "./core.js";
import type { LoadSpreadRow, RemapRow } from "./experiments.js";

/** Options of {@link ringPie}. */
export interface RingPieOptions {
  /** A title above the chart. Default `"Share of the ring per node"`. */
  readonly title?: string;
}

/**
 * A Mermaid pie of how much of the circle each node owns (the sum of its points' arcs), from the
 * ring's actual points: the expected share of keys per node. Shares are printed in percent with
 * two decimals; the text fallback is a table of node, points and share.
 *
 * @param ring - any ring: {@link ConsistentHashRing}, {@link KetamaRing}, {@link BoundedLoadRing}.
 * @throws RangeError for a ring with no nodes or a bad option.
 *
 * @example
 * show(ringPie(new ConsistentHashRing({ vnodes: 4, nodes: ["a", "b", "c"] })));
 * // with 4 points per node the slices are visibly unequal; with 160 they are close to a third
 */
export function ringPie<T>(ring: RingView<T>, options: RingPieOptions = {}): RichOutput {
  const checked = requireKnownOptions("ringPie options", options, ["title"]);
  const title = checked.title ?? "Share of the ring per node";
  if (typeof title !== "string") throw invalidArgument("options.title", "a string", title);
  const shares = ring.shares();
  if (shares.length === 0)
    throw invalidArgument("ring", "a ring with at least one node", "an empty ring");
  const lines = ["pie showData", `  title ${escapeMermaidText(title)}`];
  for (const share of shares) {
    lines.push(`  "${escapeMermaidText(share.nodeName, true)}" : ${percent(share.share)}`);
  }
  const fallback = formatTextTable(
    ["node", "points", "share (%)"],
    shares.map((s) => [s.nodeName, String(s.pointsCount), percent(s.share)]),
    ["left", "right", "right"],
  );
  return mermaid(lines.join("\n"), { fallback: `${title}\n${fallback}` });
}

/** Options of {@link ringFlowchart}. */
export interface RingFlowchartOptions {
  /** Keys to draw, each with a dotted arrow to the point that receives it; at most 20. */
  readonly keys?: readonly string[];
  /** Most points drawn; a ring with more is an error (use few vnodes). Default 48, at most 200. */
  readonly pointsMax?: number;
  /** `"LR"` (left to right, the default) or `"TB"` (top to bottom). */
  readonly direction?: "LR" | "TB";
}

/** Fills of the node classes, cycled; white text reads on each, in light and dark themes. */
const PALETTE = [
  "#4e79a7",
  "#e15759",
  "#59a14f",
  "#b07aa1",
  "#f28e2b",
  "#76b7b2",
  "#9c755f",
  "#edc948",
  "#ff9da7",
  "#bab0ac",
];
const KEYS_DRAWN_MAX = 20;

/**
 * A Mermaid flowchart of a small ring as it really is: its points in clockwise order from
 * position 0 (each labelled with its point label and position in hex, coloured by node), an arrow
 * from each to the next and from the last back to the first, and, for each of `keys`, a dotted
 * arrow from the key to the point that receives it. Meant for rings of a few nodes with a few
 * points each, where one can follow a key's walk by eye.
 *
 * @param ring - a ring with `hashOf` when keys are drawn: {@link ConsistentHashRing},
 *   {@link KetamaRing} or {@link BoundedLoadRing}.
 * @param options - see {@link RingFlowchartOptions}.
 * @throws RangeError for an empty ring, more points than `pointsMax`, more than 20 keys, or a bad
 *   option.
 *
 * @example
 * const ring = new ConsistentHashRing({ vnodes: 3, nodes: ["a", "b", "c"] });
 * show(ringFlowchart(ring, { keys: ["user:1", "user:3", "user:5"] }));
 */
export function ringFlowchart<T>(
  ring: RingView<T> & { hashOf?(key: string): number },
  options: RingFlowchartOptions = {},
): RichOutput {
  const checked = requireKnownOptions("ringFlowchart options", options, [
    "keys",
    "pointsMax",
    "direction",
  ]);
  const pointsMax =
    checked.pointsMax === undefined
      ? 48
      : requireIntegerIn("options.pointsMax", checked.pointsMax, 1, 200);
  const direction = checked.direction ?? "LR";
  if (direction !== "LR" && direction !== "TB") {
    throw invalidArgument("options.direction", '"LR" or "TB"', direction);
  }
  const keys = checked.keys ?? [];
  if (!Array.isArray(keys) || keys.length > KEYS_DRAWN_MAX) {
    throw invalidArgument("options.keys", `an array of at most ${KEYS_DRAWN_MAX} strings`, keys);
  }
  keys.forEach((key, i) => {
    if (typeof key !== "string") throw invalidArgument(`options.keys[${i}]`, "a string", key);
  });
  if (keys.length > 0 && typeof ring.hashOf !== "function") {
    throw invalidArgument("ring", "a ring with hashOf(key) to draw keys", "a ring without hashOf");
  }
  const points = ring.points();
  if (points.length === 0)
    throw invalidArgument("ring", "a ring with at least one point", "an empty ring");
  if (points.length > pointsMax) {
    throw new RangeError(
      `ringFlowchart: the ring has ${points.length} points, more than pointsMax=${pointsMax}; ` +
        "draw a ring with fewer nodes or vnodes (ringPie shows any ring)",
    );
  }
  // Colours follow the ring's node order, so a node keeps its colour from one drawing to the next.
  const nodeIndex = new Map<string, number>(ring.shares().map((share, i) => [share.nodeName, i]));
  const lines = [`flowchart ${direction}`];
  points.forEach((point, i) => {
    const label = `${escapeMermaidText(point.label, true)}<br/>${hex(point.position)}`;
    lines.push(
      `  p${i}(["${label}"]):::n${(nodeIndex.get(point.nodeName) as number) % PALETTE.length}`,
    );
  });
  for (let i = 0; i < points.length; i++) lines.push(`  p${i} --> p${(i + 1) % points.length}`);

  const receivers = new Map<number, string[]>();
  keys.forEach((key, k) => {
    const position = (ring.hashOf as (key: string) => number)(key);
    const receiver = receivingPoint(points, position);
    lines.push(`  k${k}{{"${escapeMermaidText(key, true)}<br/>${hex(position)}"}}`);
    lines.push(`  k${k} -.-> p${receiver}`);
    receivers.set(receiver, [...(receivers.get(receiver) ?? []), key]);
  });
  PALETTE.forEach((fill, i) => {
    if (i < nodeIndex.size) lines.push(`  classDef n${i} fill:${fill},stroke:${fill},color:#fff`);
  });

  const fallback = formatTextTable(
    ["position", "point", "node", "arc (%)", "keys"],
    points.map((point, i) => [
      hex(point.position),
      point.label,
      point.nodeName,
      percent(point.arc),
      (receivers.get(i) ?? []).join(", "),
    ]),
    ["right", "left", "left", "right", "left"],
  );
  return mermaid(lines.join("\n"), { fallback });
}

/** Index of the first point at or after `position`, wrapping to 0. */
function receivingPoint<T>(points: readonly RingPoint<T>[], position: number): number {
  const index = points.findIndex((point) => point.position >= position);
  return index < 0 ? 0 : index;
}

function hex(position: number): string {
  return `0x${position.toString(16).padStart(8, "0")}`;
}

function percent(fraction: number): string {
  return (fraction * 100).toFixed(2);
}

/**
 * A bar chart of {@link remapTable}'s rows: the percentage of keys moved per transition and
 * scheme (`"3→4 modulo"`, `"3→4 ring"`, `"3→4 jump"`, `"3→4 minimum"`, ...).
 *
 * @throws RangeError for no rows.
 *
 * @example
 * show(remapChart(remapTable()));
 */
export function remapChart(rows: readonly RemapRow[]): RichOutput {
  if (!Array.isArray(rows) || rows.length === 0) {
    throw invalidArgument("rows", "the non-empty rows of remapTable()", rows);
  }
  const bars = rows.flatMap((row) =>
    (["modulo", "ring", "jump", "minimum"] as const).map((scheme) => ({
      label: `${row.from}→${row.to} ${scheme}`,
      value: Math.round(row[scheme] * 1000) / 10,
    })),
  );
  return barChart(bars, {
    title: `Keys moved when the node count changes (${rows[0]?.keysCount.toLocaleString("en-US")} keys)`,
    yLabel: "keys moved (%)",
    digits: 1,
  });
}

/**
 * A line chart of {@link loadSpreadTable}'s ring rows: measured and predicted std-dev / mean (in
 * percent) against points per node. Jump and modulo rows have no points and are left out; quote
 * them beside the chart.
 *
 * @throws RangeError when the rows hold no ring row.
 *
 * @example
 * show(loadSpreadChart(loadSpreadTable()));
 */
export function loadSpreadChart(rows: readonly LoadSpreadRow[]): RichOutput {
  if (!Array.isArray(rows)) throw invalidArgument("rows", "the rows of loadSpreadTable()", rows);
  const ringRows = rows
    .filter((row) => row.method === "ring" && row.pointsPerNode !== null)
    .sort((a, b) => (a.pointsPerNode as number) - (b.pointsPerNode as number));
  if (ringRows.length === 0) {
    throw invalidArgument("rows", "rows of loadSpreadTable() with at least one ring row", rows);
  }
  const series = (name: string, value: (row: LoadSpreadRow) => number) => ({
    name,
    points: ringRows.map((row) => [row.pointsPerNode as number, value(row) * 100] as const),
  });
  return lineChart(
    [series("measured", (row) => row.stdDevOverMean), series("predicted", (row) => row.predicted)],
    {
      title: "Load spread of a ring against points per node",
      xLabel: "points per node",
      yLabel: "std-dev / mean (%)",
      digits: 1,
    },
  );
}
