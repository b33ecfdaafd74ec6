// Tables for notebooks and site cells: rows of objects (or arrays) as HTML, GitHub markdown and a
// fixed-width text table. Cells are escaped for each format; the text is a pure function of rows.

import { describeValue, invalidArgument, requireIntegerAtLeast } from "../sim/assert.js";
import { formatTextTable, oneLine } from "../sim/text.js";
import { type RichOutput, richOutput } from "./display.js";

/**
 * One column of a {@link table}: a key alone, or a key with its header and alignment.
 *
 * - For object rows, `key` is the property read from each row and the default header.
 * - For array rows, columns match cells by position and `key` is only the default header.
 *
 * @example
 * const columns: TableColumn[] = ["node", { key: "latencyMs", header: "latency (ms)" }];
 */
export type TableColumn =
  | string
  | {
      readonly key: string;
      /** The header. Default: the key. */
      readonly header?: string;
      /** Default: right when every non-empty cell of the column is a number or bigint. */
      readonly align?: "left" | "right";
    };

/** How {@link table} lays out rows. Every field is optional. */
export interface TableOptions {
  /**
   * The columns, left to right. Object rows default to every key in the order it first appears;
   * array rows need columns (one per cell).
   */
  readonly columns?: readonly TableColumn[];
  /** Most decimals shown for non-integer numbers (trailing zeros trimmed), 0 to 20. Default 2. */
  readonly digits?: number;
  /** Most rows; more is a RangeError (filter or summarise first). Default 200. */
  readonly rowsMax?: number;
}

const DIGITS_DEFAULT = 2;
const DIGITS_MAX = 20;
const ROWS_MAX_DEFAULT = 200;

/** A column once resolved: where its cells come from, its header and its alignment. */
interface ResolvedColumn {
  readonly key: string;
  readonly header: string;
  readonly align: "left" | "right" | undefined;
}

/**
 * Shows rows as a table: `text/html` (a `<table>`), `text/markdown` (a GitHub-flavoured table) and
 * `text/plain` (a fixed-width table: header, dashed rule, one line per row).
 *
 * Cells are printed as follows: numbers with {@link formatNumber} (integers with thousands
 * separators, others with at most `digits` decimals); bigints with separators; strings as they
 * are, with line breaks and control characters as spaces; booleans as `true`/`false`; `null` and
 * `undefined` (and missing keys) as empty cells; anything else as JSON. A column whose non-empty
 * cells are all numbers is right-aligned in all three formats. HTML special characters are written
 * as entities and markdown punctuation (`|`, `*`, `_`, `<`, `$`, ...) is backslash-escaped, so any
 * text shows as written and never becomes markup.
 *
 * @param rows - plain objects (one per row), or arrays of cells with `options.columns` as headers.
 *   Empty rows print only the headers, which then must come from `options.columns`.
 * @param options - see {@link TableOptions}.
 * @throws RangeError for rows that are not all objects or all arrays, an array row whose length
 *   differs from the columns, more than `rowsMax` rows, no columns, or a bad option.
 *
 * @example
 * table([
 *   { node: "a", messages: 1234, p50Ms: 4.125 },
 *   { node: "b", messages: 56, p50Ms: 12 },
 * ]).toString();
 * // node  messages  p50Ms
 * // ----  --------  -----
 * // a        1,234   4.13
 * // b           56     12
 *
 * @example
 * show(table([["a", 3], ["b", 5]], { columns: ["node", { key: "votes", align: "right" }] }));
 */
export function table(rows: readonly object[], options: TableOptions = {}): RichOutput {
  if (typeof options !== "object" || options === null) {
    throw invalidArgument("options", "an object or undefined", options);
  }
  if (!Array.isArray(rows)) {
    throw invalidArgument("rows", "an array of objects or of arrays", rows);
  }
  const digits = requireDigits(options.digits);
  const rowsMax = requireIntegerAtLeast("rowsMax", options.rowsMax ?? ROWS_MAX_DEFAULT, 1);
  if (rows.length > rowsMax) {
    throw new RangeError(
      `table: ${rows.length} rows exceed rowsMax=${rowsMax}; ` +
        "filter or summarise the rows first, or raise rowsMax",
    );
  }
  const arrayRows = rows.length > 0 && Array.isArray(rows[0]);
  rows.forEach((row, index) => requireRow(row, index, arrayRows));
  const columns = resolveColumns(rows, options.columns, arrayRows);
  const cells: unknown[][] = rows.map((row, index) =>
    arrayRows
      ? arrayCells(row as readonly unknown[], index, columns.length)
      : objectCells(row, columns),
  );
  const aligns = columns.map(
    (column, index) => column.align ?? (isNumericColumn(cells, index) ? "right" : "left"),
  );
  const headers = columns.map((column) => column.header);
  const texts = cells.map((row) => row.map((cell) => cellText(cell, digits)));
  return richOutput({
    "text/html": htmlTable(headers, texts, aligns),
    "text/markdown": markdownTable(headers, texts, aligns),
    "text/plain": formatTextTable(headers, texts, aligns),
  });
}

/**
 * A number as {@link table} and the charts print it: integers with `en-US` thousands separators,
 * other numbers rounded to at most `digits` decimals with trailing zeros trimmed; never `-0`.
 * `NaN` and infinities print as `NaN`, `∞` and `-∞`.
 *
 * @param value - the number.
 * @param digits - most decimals for a non-integer, an integer from 0 to 20. Default 2.
 * @throws RangeError when `digits` is not an integer from 0 to 20.
 *
 * @example
 * formatNumber(1234567); // "1,234,567"
 * formatNumber(3.14159); // "3.14"
 * formatNumber(3.14159, 4); // "3.1416"
 * formatNumber(-0.001); // "0"
 */
export function formatNumber(value: number, digits: number = DIGITS_DEFAULT): string {
  requireDigits(digits);
  if (typeof value !== "number") throw invalidArgument("value", "a number", value);
  const text = Number.isInteger(value)
    ? value.toLocaleString("en-US")
    : value.toLocaleString("en-US", { maximumFractionDigits: digits });
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text; // -0.001 rounds to "-0": print "0"
}

// ---------------------------------------------------------------- the three formats

const HTML_ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ENTITIES[char] as string);
}

function htmlTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  aligns: readonly ("left" | "right")[],
): string {
  // Alignment is set on every cell: JupyterLab right-aligns table cells by default, sites left.
  const cell = (tag: "th" | "td", text: string, column: number): string =>
    `<${tag} style="text-align: ${aligns[column]}">${escapeHtml(oneLine(text))}</${tag}>`;
  const row = (tag: "th" | "td", cells: readonly string[]): string =>
    `<tr>${cells.map((text, column) => cell(tag, text, column)).join("")}</tr>`;
  return [
    "<table>",
    "<thead>",
    row("th", headers),
    "</thead>",
    "<tbody>",
    ...rows.map((cells) => row("td", cells)),
    "</tbody>",
    "</table>",
  ].join("\n");
}

/**
 * Markdown punctuation that could start markup inside a table cell: `|` ends the cell, `\` escapes,
 * `` ` `` `*` `_` `~` format, `[` `]` link, `<` `>` `&` start HTML or entities, `$` starts math in
 * Jupyter. Backslash-escaped, each shows as itself.
 */
const MARKDOWN_SPECIAL = /[\\`*_~[\]<>&|$]/g;

function escapeMarkdown(text: string): string {
  return oneLine(text).replace(MARKDOWN_SPECIAL, (char) => `\\${char}`);
}

function markdownTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  aligns: readonly ("left" | "right")[],
): string {
  const line = (cells: readonly string[]): string => `| ${cells.map(escapeMarkdown).join(" | ")} |`;
  const rule = `| ${aligns.map((align) => (align === "right" ? "---:" : ":---")).join(" | ")} |`;
  return [line(headers), rule, ...rows.map(line)].join("\n");
}

// ---------------------------------------------------------------- cells

function cellText(value: unknown, digits: number): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return oneLine(value);
  if (typeof value === "number") return formatNumber(value, digits);
  if (typeof value === "bigint") return value.toLocaleString("en-US");
  if (typeof value === "boolean") return String(value);
  return oneLine(describeValue(value));
}

function isNumericColumn(cells: readonly (readonly unknown[])[], column: number): boolean {
  const values = cells.map((row) => row[column]).filter((v) => v !== null && v !== undefined);
  return values.length > 0 && values.every((v) => typeof v === "number" || typeof v === "bigint");
}

function objectCells(row: object, columns: readonly ResolvedColumn[]): unknown[] {
  const record = row as Readonly<Record<string, unknown>>;
  return columns.map((column) =>
    Object.hasOwn(record, column.key) ? record[column.key] : undefined,
  );
}

function arrayCells(row: readonly unknown[], index: number, columnsCount: number): unknown[] {
  if (row.length !== columnsCount) {
    throw invalidArgument(
      `rows[${index}]`,
      `an array of ${columnsCount} cells (one per column)`,
      row,
    );
  }
  return [...row];
}

// ---------------------------------------------------------------- validation

function requireDigits(digits: unknown): number {
  const value = digits ?? DIGITS_DEFAULT;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > DIGITS_MAX) {
    throw invalidArgument("digits", `an integer from 0 to ${DIGITS_MAX}`, digits);
  }
  return value;
}

function requireRow(row: unknown, index: number, arrayRows: boolean): void {
  if (arrayRows) {
    if (!Array.isArray(row)) {
      throw invalidArgument(`rows[${index}]`, "an array, like rows[0]", row);
    }
    return;
  }
  if (typeof row !== "object" || row === null || Array.isArray(row)) {
    throw invalidArgument(`rows[${index}]`, "an object, like rows[0]", row);
  }
}

function resolveColumns(
  rows: readonly object[],
  columns: readonly TableColumn[] | undefined,
  arrayRows: boolean,
): ResolvedColumn[] {
  if (columns === undefined) {
    if (rows.length === 0) {
      throw invalidArgument(
        "rows",
        "a non-empty array of objects (or give options.columns to print only the headers)",
        rows,
      );
    }
    if (arrayRows) {
      throw invalidArgument(
        "options.columns",
        "an array of column names when rows are arrays (one per cell)",
        columns,
      );
    }
    const keys = new Set<string>();
    for (const row of rows) for (const key of Object.keys(row)) keys.add(key);
    if (keys.size === 0) {
      throw invalidArgument("rows", "objects with at least one key (the columns)", rows);
    }
    return [...keys].map((key) => ({ key, header: key, align: undefined }));
  }
  if (!Array.isArray(columns) || columns.length === 0) {
    throw invalidArgument("options.columns", "a non-empty array of column names", columns);
  }
  return columns.map((column: unknown, index) => resolveColumn(column, index));
}

function resolveColumn(column: unknown, index: number): ResolvedColumn {
  const name = `options.columns[${index}]`;
  const allowed = 'a string or { key: string, header?: string, align?: "left" | "right" }';
  if (typeof column === "string") return { key: column, header: column, align: undefined };
  if (typeof column !== "object" || column === null) throw invalidArgument(name, allowed, column);
  const { key, header, align } = column as { key?: unknown; header?: unknown; align?: unknown };
  if (typeof key !== "string") throw invalidArgument(`${name}.key`, "a string", key);
  if (header !== undefined && typeof header !== "string") {
    throw invalidArgument(`${name}.header`, "a string or undefined", header);
  }
  if (align !== undefined && align !== "left" && align !== "right") {
    throw invalidArgument(`${name}.align`, '"left", "right" or undefined', align);
  }
  return { key, header: header ?? key, align };
}
