// @vitest-environment jsdom
// Laws of the display helpers: any text (unicode, quotes, brackets, pipes, <script>, Mermaid and
// markdown syntax) shows as written in HTML, markdown and Mermaid, and never breaks their syntax.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Simulation, barChart, lineChart, sequence, table } from "../../src/index.js";
import { assertAsyncProperty } from "../support/property.js";
import {
  expectMermaid,
  htmlCells,
  htmlTags,
  markdownCells,
  parseXyChart,
  shownText,
} from "./render.js";

/** Pieces that mean something to HTML, markdown, Mermaid or its preprocessing. */
const SPECIAL = fc.constantFrom(
  "<script>alert(1)</script>",
  "<b>",
  "</td>",
  "&amp;",
  "&",
  '"',
  "'",
  "`",
  "```",
  "|",
  "\\",
  "\\|",
  "[",
  "]",
  "](x)",
  "{",
  "}",
  ",",
  ";",
  ":",
  "#",
  "#59;",
  "%%",
  "%%{init: {}}%%",
  "-->",
  "---",
  "*",
  "_",
  "~",
  "$",
  "\n",
  "\r\n",
  "\t",
  " ",
  "title",
  "x-axis",
  "bar",
  "line",
  "é",
  "漢字",
  "🙂",
  "\u200b",
);

/** Text made of random unicode and special pieces. */
const TEXT = fc
  .array(fc.oneof(fc.string({ unit: "binary", maxLength: 3 }), SPECIAL), { maxLength: 6 })
  .map((pieces) => pieces.join(""));

/** What a viewer shows for text: one line (control characters as spaces). */
function oneLine(text: string): string {
  return text.replace(/[\p{Cc}\u2028\u2029]/gu, " ");
}

/** What a label shows as: one line, trimmed (Mermaid and markdown trim). */
function visible(text: string): string {
  return oneLine(text).trim();
}

/** Text with visible characters, unique once trimmed: valid chart labels. */
const LABELS = fc.uniqueArray(
  TEXT.filter((text) => visible(text) !== ""),
  { minLength: 1, maxLength: 5, selector: visible },
);

describe("display helpers (property tests)", () => {
  it("table: any text shows as written in HTML and markdown, and HTML holds only a table", () => {
    const grid = fc.integer({ min: 1, max: 4 }).chain((columnsCount) =>
      fc.tuple(
        fc.array(TEXT, { minLength: columnsCount, maxLength: columnsCount }),
        fc.array(fc.array(TEXT, { minLength: columnsCount, maxLength: columnsCount }), {
          maxLength: 4,
        }),
      ),
    );

    return assertAsyncProperty(
      fc.asyncProperty(grid, async ([headers, rows]) => {
        const output = table(rows, { columns: headers.map((key) => ({ key })) });
        const html = output.mimeBundle["text/html"] as string;
        const markdown = output.mimeBundle["text/markdown"] as string;

        expect(html).not.toMatch(/<script/i);
        expect(new Set(htmlTags(html))).toEqual(
          new Set(["table", "thead", "tbody", "tr", "th", ...(rows.length > 0 ? ["td"] : [])]),
        );
        const expected = [headers, ...rows].map((row) => row.map(oneLine));
        expect(htmlCells(html)).toEqual(expected);
        expect(markdown.split("\n")).toHaveLength(rows.length + 2);
        expect(markdownCells(markdown)).toEqual(expected.map((row) => row.map((t) => t.trim())));
        expect(table(rows, { columns: headers.map((key) => ({ key })) }).toString()).toBe(
          output.toString(),
        );
      }),
    );
  });

  it("barChart: any labels and titles parse in Mermaid and show as written", () => {
    const titles = fc.option(
      TEXT.filter((text) => visible(text) !== ""),
      { nil: undefined },
    );

    return assertAsyncProperty(
      fc.asyncProperty(LABELS, titles, titles, async (labels, title, xLabel) => {
        const output = barChart(
          labels.map((label, index) => ({ label, value: index })),
          { title, xLabel, yLabel: xLabel },
        );

        const { data, title: parsedTitle } = await parseXyChart(
          await expectMermaid(output, "xychart"),
        );
        expect(data.xAxis.type === "band" && data.xAxis.categories.map(shownText)).toEqual(
          labels.map(visible),
        );
        expect(shownText(data.xAxis.title)).toBe(xLabel === undefined ? "" : visible(xLabel));
        expect(shownText(data.yAxis.title)).toBe(xLabel === undefined ? "" : visible(xLabel));
        expect(shownText(parsedTitle)).toBe(title === undefined ? "" : visible(title));
        const textLines = output.toString().split("\n");
        expect(textLines).toHaveLength(
          labels.length + (title === undefined ? 0 : 1) + (xLabel === undefined ? 0 : 1),
        );
      }),
      { numRuns: 60 },
    );
  });

  it("lineChart: any series names parse in Mermaid and show as written", () => {
    const values = fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), {
      minLength: 1,
      maxLength: 4,
    });

    return assertAsyncProperty(
      fc.asyncProperty(LABELS, values, async (names, ys) => {
        const series = names.map((name, index) => ({
          name,
          points: ys.map((y, x): [number, number] => [x * 10, y + index]),
        }));

        const output = lineChart(series, { xLabel: names[0] });

        const { data } = await parseXyChart(await expectMermaid(output, "xychart"));
        expect(data.plots.map((plot) => shownText(plot.title))).toEqual(names.map(visible));
        expect(data.plots.map((plot) => plot.data.map(([, y]) => y))).toEqual(
          series.map((line) => line.points.map(([, y]) => (y === 0 ? 0 : y))),
        );
        expect(output.toString().split("\n")).toHaveLength(ys.length + 2);
      }),
      { numRuns: 60 },
    );
  });

  it("sequence: any message labels and titles parse in Mermaid", () => {
    return assertAsyncProperty(
      fc.asyncProperty(TEXT, TEXT, async (label, title) => {
        const sim = new Simulation<{ readonly type: string }>({
          seed: 3,
          network: { latency: { kind: "fixed", ms: 2 } },
        });
        sim.addNode("a", () => ({
          onStart: (ctx) => ctx.send("b", { type: "x" }),
          onMessage: () => {},
        }));
        sim.addNode("b", () => ({ onMessage: () => {} }));
        sim.runFor(5);

        const output = sequence(sim.trace, {
          label: () => label,
          ...(visible(title) === "" ? {} : { title }),
        });

        await expectMermaid(output, "sequence");
        expect(output.toString()).toContain(oneLine(label));
      }),
      { numRuns: 50 },
    );
  });
});
