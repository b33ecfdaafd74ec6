// @vitest-environment jsdom
// Tables as rich output: exact text, HTML and markdown for small inputs, escaping read back with
// the browser's HTML parser and marked, number formatting, limits and named errors.

import { describe, expect, it } from "vitest";
import { formatNumber, table } from "../../src/index.js";
import { htmlCells, htmlTags, markdownCells } from "./render.js";

const NODES = [
  { node: "a", messages: 1234, p50Ms: 4.125 },
  { node: "b", messages: 56, p50Ms: 12 },
];

describe("table: the three formats", () => {
  it("prints object rows as a fixed-width text table, numbers right-aligned", () => {
    const output = table(NODES);

    expect(output.mimeBundle["text/plain"]).toBe(
      [
        "node  messages  p50Ms",
        "----  --------  -----",
        "a        1,234   4.13",
        "b           56     12",
      ].join("\n"),
    );
    expect(String(output)).toBe(output.mimeBundle["text/plain"]);
  });

  it("writes an HTML table with every cell aligned and nothing else", () => {
    const html = table(NODES).mimeBundle["text/html"];

    expect(html).toBe(
      [
        "<table>",
        "<thead>",
        '<tr><th style="text-align: left">node</th><th style="text-align: right">messages</th>' +
          '<th style="text-align: right">p50Ms</th></tr>',
        "</thead>",
        "<tbody>",
        '<tr><td style="text-align: left">a</td><td style="text-align: right">1,234</td>' +
          '<td style="text-align: right">4.13</td></tr>',
        '<tr><td style="text-align: left">b</td><td style="text-align: right">56</td>' +
          '<td style="text-align: right">12</td></tr>',
        "</tbody>",
        "</table>",
      ].join("\n"),
    );
  });

  it("writes a GitHub-flavoured markdown table with alignment markers", () => {
    const markdown = table(NODES).mimeBundle["text/markdown"];

    expect(markdown).toBe(
      [
        "| node | messages | p50Ms |",
        "| :--- | ---: | ---: |",
        "| a | 1,234 | 4.13 |",
        "| b | 56 | 12 |",
      ].join("\n"),
    );
    expect(markdownCells(markdown as string)).toEqual([
      ["node", "messages", "p50Ms"],
      ["a", "1,234", "4.13"],
      ["b", "56", "12"],
    ]);
  });

  it("takes array rows with options.columns as headers, by position", () => {
    const output = table(
      [
        ["a", 3],
        ["bb", 15],
      ],
      { columns: ["node", "votes"] },
    );

    expect(output.toString()).toBe(
      ["node  votes", "----  -----", "a         3", "bb       15"].join("\n"),
    );
  });

  it("chooses, orders and renames columns; forced alignment wins", () => {
    const output = table(NODES, {
      columns: [
        { key: "p50Ms", header: "p50 (ms)" },
        { key: "node", align: "right" },
      ],
    });

    expect(output.toString()).toBe(
      ["p50 (ms)  node", "--------  ----", "    4.13     a", "      12     b"].join("\n"),
    );
  });

  it("infers columns from every row in order of first appearance; missing keys are empty", () => {
    const output = table([{ a: 1 }, { b: "x", a: 2 }, { c: true }]);

    expect(output.toString()).toBe(["a  b  c", "-  -  ----", "1", "2  x", "      true"].join("\n"));
  });

  it("prints null and undefined as empty, bigints grouped, other values as JSON", () => {
    const output = table([
      { value: null },
      { value: undefined },
      { value: 12345678901234567890n },
      { value: [1, 2, 0] },
      { value: { term: 3 } },
    ]);

    expect(output.toString()).toBe(
      [
        "value",
        "--------------------------",
        "",
        "",
        "12,345,678,901,234,567,890",
        "[1,2,0]",
        '{"term":3}',
      ].join("\n"),
    );
  });

  it("keeps each row on one line: line breaks in text print as spaces", () => {
    const output = table([{ "two\nlines": "a\r\nb\tc" }]);

    expect(output.toString()).toBe(["two lines", "---------", "a  b c"].join("\n"));
    expect(markdownCells(output.mimeBundle["text/markdown"] as string)).toEqual([
      ["two lines"],
      ["a  b c"],
    ]);
  });

  it("prints only the headers for no rows when the columns are given", () => {
    const output = table([], { columns: ["node", "term"] });

    expect(output.toString()).toBe("node  term\n----  ----");
    expect(output.mimeBundle["text/markdown"]).toBe("| node | term |\n| :--- | :--- |");
    expect(htmlCells(output.mimeBundle["text/html"] as string)).toEqual([["node", "term"]]);
  });

  it("rounds non-integers to options.digits decimals", () => {
    const output = table([{ x: 1 / 3 }, { x: 2 }, { x: -0.0001 }], { digits: 3 });

    expect(output.toString()).toBe(["    x", "-----", "0.333", "    2", "    0"].join("\n"));
  });
});

describe("table: escaping", () => {
  const nasty = `<script>alert("x")</script> & 'q' | *b* _i_ \`c\` [l](u) $m$ ~s~ \\ &amp;`;

  it("writes HTML special characters as entities, so no markup comes from a cell", () => {
    const html = table([{ [nasty]: nasty }]).mimeBundle["text/html"] as string;

    expect(html).not.toContain("<script");
    expect(html).toContain(
      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39; | *b*",
    );
    expect(htmlTags(html)).toEqual(["table", "thead", "tr", "th", "tbody", "tr", "td"]);
    expect(htmlCells(html)).toEqual([[nasty], [nasty]]);
  });

  it("backslash-escapes pipes and markdown punctuation, so cells render as written", () => {
    const markdown = table([{ [nasty]: nasty }]).mimeBundle["text/markdown"] as string;

    expect(markdown.split("\n")[2]).toBe(
      "| \\<script\\>alert(\"x\")\\</script\\> \\& 'q' \\| \\*b\\* \\_i\\_ \\`c\\` \\[l\\](u) " +
        "\\$m\\$ \\~s\\~ \\\\ \\&amp; |",
    );
    expect(markdownCells(markdown)).toEqual([[nasty], [nasty]]);
  });

  it("keeps a pipe after a backslash inside its cell", () => {
    const markdown = table([{ a: "x\\|y", b: "|" }]).mimeBundle["text/markdown"] as string;

    expect(markdownCells(markdown)).toEqual([
      ["a", "b"],
      ["x\\|y", "|"],
    ]);
  });
});

describe("formatNumber", () => {
  it("groups integers, rounds the rest, never prints -0", () => {
    expect(formatNumber(1234567)).toBe("1,234,567");
    expect(formatNumber(-1234)).toBe("-1,234");
    expect(formatNumber(3.14159)).toBe("3.14");
    expect(formatNumber(3.14159, 4)).toBe("3.1416");
    expect(formatNumber(2.5, 0)).toBe("3");
    expect(formatNumber(1234.5)).toBe("1,234.5");
    expect(formatNumber(-0)).toBe("0");
    expect(formatNumber(-0.001)).toBe("0");
    expect(formatNumber(1e21)).toBe("1,000,000,000,000,000,000,000");
  });

  it("prints NaN and infinities as such", () => {
    expect([NaN, Infinity, -Infinity].map((value) => formatNumber(value))).toEqual([
      "NaN",
      "∞",
      "-∞",
    ]);
  });

  it("rejects digits outside 0..20 with a named error", () => {
    expect(() => formatNumber(1, 21)).toThrow(
      new RangeError("digits must be an integer from 0 to 20, got 21"),
    );
    expect(() => formatNumber(1, 1.5)).toThrow(/digits must be an integer from 0 to 20, got 1.5/);
  });
});

describe("table: limits and bad input", () => {
  it("refuses more rows than rowsMax (default 200)", () => {
    const rows = Array.from({ length: 201 }, (_, index) => ({ index }));

    expect(() => table(rows)).toThrow(
      new RangeError(
        "table: 201 rows exceed rowsMax=200; filter or summarise the rows first, or raise rowsMax",
      ),
    );
    expect(table(rows, { rowsMax: 201 }).toString().split("\n")).toHaveLength(203);
    expect(() => table(rows, { rowsMax: 0 })).toThrow(/rowsMax must be an integer >= 1, got 0/);
  });

  it("refuses no rows without columns", () => {
    expect(() => table([])).toThrow(
      new RangeError(
        "rows must be a non-empty array of objects (or give options.columns to print only the " +
          "headers), got []",
      ),
    );
  });

  it("refuses array rows without columns, or of the wrong length", () => {
    expect(() => table([["a", 1]])).toThrow(
      /options.columns must be an array of column names when rows are arrays/,
    );
    expect(() => table([["a", 1], ["b"]], { columns: ["node", "n"] })).toThrow(
      new RangeError('rows[1] must be an array of 2 cells (one per column), got ["b"]'),
    );
  });

  it("refuses rows mixing arrays and objects, and rows that are not objects", () => {
    expect(() => table([{ a: 1 }, ["b"]])).toThrow(
      new RangeError('rows[1] must be an object, like rows[0], got ["b"]'),
    );
    expect(() => table([["a"], { a: 1 }], { columns: ["a"] })).toThrow(
      new RangeError('rows[1] must be an array, like rows[0], got {"a":1}'),
    );
    expect(() => table([{ a: 1 }, null as unknown as object])).toThrow(
      /rows\[1\] must be an object, like rows\[0\], got null/,
    );
    expect(() => table("rows" as unknown as object[])).toThrow(
      /rows must be an array of objects or of arrays, got "rows"/,
    );
  });

  it("refuses rows without keys and bad column specs", () => {
    expect(() => table([{}])).toThrow(/rows must be objects with at least one key/);
    expect(() => table(NODES, { columns: [] })).toThrow(
      /options.columns must be a non-empty array of column names, got \[\]/,
    );
    expect(() => table(NODES, { columns: [{ key: "node", align: "center" as "left" }] })).toThrow(
      /options.columns\[0\].align must be "left", "right" or undefined, got "center"/,
    );
    expect(() => table(NODES, { columns: [3 as unknown as string] })).toThrow(
      /options.columns\[0\] must be a string or \{ key: string/,
    );
    expect(() => table(NODES, { digits: -1 })).toThrow(/digits must be an integer from 0 to 20/);
  });
});
