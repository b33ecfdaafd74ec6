// Test helpers that read display bundles the way viewers do: the real Mermaid 11 parser, the
// browser's HTML parser (jsdom) and marked (the markdown renderer JupyterLab and Mermaid use).

import { marked } from "marked";
import mermaidLibrary from "mermaid";
import { expect } from "vitest";
import type { RichOutput } from "../../src/index.js";

/** What an xychart's database holds after parsing (Mermaid's db is untyped upstream). */
export interface XyChartData {
  readonly xAxis:
    | { readonly type: "band"; readonly title: string; readonly categories: readonly string[] }
    | {
        readonly type: "linear";
        readonly title: string;
        readonly min: number;
        readonly max: number;
      };
  readonly yAxis: {
    readonly type: "linear";
    readonly title: string;
    readonly min: number;
    readonly max: number;
  };
  readonly plots: readonly {
    readonly type: "bar" | "line";
    readonly title: string;
    readonly data: readonly (readonly [string, number])[];
  }[];
}

/** A parsed xychart: its data and its title. */
export interface ParsedXyChart {
  readonly data: XyChartData;
  readonly title: string;
}

/**
 * Checks that a bundle's Mermaid source parses with the real parser as the given diagram type, and
 * that its markdown is that same source in a `mermaid` fence (read back with marked).
 */
export async function expectMermaid(output: RichOutput, diagramType: string): Promise<string> {
  const source = output.mimeBundle["text/vnd.mermaid"];
  expect(typeof source).toBe("string");
  await expect(mermaidLibrary.parse(source as string)).resolves.toMatchObject({ diagramType });
  const tokens = marked.lexer(output.mimeBundle["text/markdown"] as string);
  expect(tokens).toHaveLength(1);
  expect(tokens[0]).toMatchObject({ type: "code", lang: "mermaid", text: source });
  return source as string;
}

/** Parses an xychart source (it must parse) and returns what Mermaid read from it. */
export async function parseXyChart(source: string): Promise<ParsedXyChart> {
  await expect(mermaidLibrary.parse(source)).resolves.toMatchObject({ diagramType: "xychart" });
  const diagram = await mermaidLibrary.mermaidAPI.getDiagramFromText(source);
  const db = diagram.db as unknown as {
    getXYChartData(): XyChartData;
    getDiagramTitle(): string;
  };
  return { data: db.getXYChartData(), title: db.getDiagramTitle() };
}

/** What a reader sees for parsed Mermaid text: entity placeholders and HTML entities decoded. */
export function shownText(parsed: string): string {
  const html = parsed.replace(/ﬂ°°(\d+)¶ß/g, "&#$1;").replace(/ﬂ°(\w+)¶ß/g, "&$1;");
  const element = document.createElement("textarea");
  element.innerHTML = html;
  return element.value;
}

/** The text of every cell of the one table in an HTML fragment, row by row (header row first). */
export function htmlCells(html: string): string[][] {
  const fragment = new DOMParser().parseFromString(html, "text/html");
  const tables = fragment.body.querySelectorAll("table");
  expect(tables).toHaveLength(1);
  return Array.from((tables[0] as HTMLTableElement).rows, (row) =>
    Array.from(row.cells, (cell) => cell.textContent ?? ""),
  );
}

/** Every element tag in an HTML fragment, to check that nothing but a table came out. */
export function htmlTags(html: string): string[] {
  const fragment = new DOMParser().parseFromString(html, "text/html");
  return Array.from(fragment.body.querySelectorAll("*"), (element) =>
    element.tagName.toLowerCase(),
  );
}

/** Renders GitHub-flavoured markdown with marked and returns the table's cells, as htmlCells. */
export function markdownCells(markdown: string): string[][] {
  return htmlCells(marked.parse(markdown, { async: false, gfm: true }));
}
