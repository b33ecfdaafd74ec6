// Plain-text and Mermaid-text helpers shared by the trace exports (src/sim/diagram.ts) and the
// display helpers (src/viz): one-line text, fixed-width tables, Mermaid entity escaping.

const LINE_BREAKS_AND_CONTROLS = /[\p{Cc}\u2028\u2029]/gu;

/**
 * User text on one line: line breaks and other control characters become spaces, so a cell, a
 * label or a title never splits a row of text, markdown or Mermaid.
 *
 * @example
 * oneLine("two\nlines"); // "two lines"
 */
export function oneLine(text: string): string {
  return text.replace(LINE_BREAKS_AND_CONTROLS, " ");
}

/**
 * The width of text in a fixed-width font, counted in code points: wide (CJK, emoji) characters
 * still push a row right.
 *
 * @example
 * textWidth("naïve"); // 5
 */
export function textWidth(text: string): number {
  return Array.from(text).length;
}

/**
 * A fixed-width table: header, dashed rule and rows, columns two spaces apart, trailing spaces
 * trimmed. Cells must already be on one line.
 *
 * @example
 * formatTextTable(["node", "sent"], [["a", "3"]], ["left", "right"]);
 * // "node  sent\n----  ----\na        3"
 */
export function formatTextTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  aligns: readonly ("left" | "right")[],
): string {
  const header = headers.map(oneLine);
  const widths = header.map((title, column) =>
    Math.max(textWidth(title), ...rows.map((row) => textWidth(row[column] as string))),
  );
  const format = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => {
        const padding = " ".repeat((widths[column] as number) - textWidth(cell));
        return aligns[column] === "right" ? padding + cell : cell + padding;
      })
      .join("  ")
      .trimEnd();
  const rule = widths.map((width) => "-".repeat(width));
  return [format(header), format(rule), ...rows.map(format)].join("\n");
}

/**
 * Characters Mermaid's grammars or its preprocessing give a meaning to, as Mermaid entity codes
 * (`#59;` renders as `;`): `;` ends a statement and `#` starts a comment or an entity anywhere in
 * a line; `:` splits a message from its label, a leading `wrap:` is a directive, and a line with
 * `style`, `:` and `#…;` loses its last `;` in preprocessing; `%` starts `%%` comments and
 * `%%{init}%%` directives; `<` and `>` may be sanitized as HTML, and `&` would start an HTML
 * entity. Inside a quoted string (xychart), `"` ends it and a leading `` ` `` starts markdown.
 */
const MERMAID_ENTITIES: Readonly<Record<string, string>> = {
  ";": "#59;",
  "#": "#35;",
  ":": "#58;",
  "%": "#37;",
  "&": "#38;",
  "<": "#lt;",
  ">": "#gt;",
  '"': "#quot;",
  "`": "#96;",
};

/**
 * User text made safe for a text position of a Mermaid diagram: on one line, trimmed (Mermaid
 * trims labels itself but would keep a title's trailing spaces), special characters as entities.
 * With `quoted`, also `"` and `` ` ``, for text inside a quoted string.
 *
 * @example
 * escapeMermaidText("a; b"); // "a#59; b"
 */
export function escapeMermaidText(text: string, quoted = false): string {
  const special = quoted ? /[;#:%&<>"`]/g : /[;#:%&<>]/g;
  return oneLine(text)
    .trim()
    .replace(special, (char) => MERMAID_ENTITIES[char] as string);
}
