// Mermaid diagrams as rich output: the source for JupyterLab and the site, a markdown fence for
// viewers that draw fenced Mermaid, and a plain-text fallback (Notebook 6 does not draw Mermaid).

import { invalidArgument } from "../sim/assert.js";
import { type RichOutput, richOutput } from "./display.js";

/** How {@link mermaid} builds its bundle. */
export interface MermaidOptions {
  /**
   * The `text/plain` form, for viewers that cannot draw Mermaid (classic Notebook 6, terminals):
   * a text table for a sequence diagram, a text chart for a chart. Default: the Mermaid source.
   */
  readonly fallback?: string;
}

/**
 * The keywords a Mermaid 11 diagram starts with (the first word of its first line that is not
 * blank, a `%%` comment or directive, or YAML front matter between `---` lines).
 */
const DIAGRAM_KEYWORDS: readonly string[] = [
  "sequenceDiagram",
  "flowchart",
  "flowchart-elk",
  "graph",
  "stateDiagram",
  "stateDiagram-v2",
  "classDiagram",
  "classDiagram-v2",
  "erDiagram",
  "gantt",
  "pie",
  "xychart-beta",
  "xychart",
  "timeline",
  "quadrantChart",
  "mindmap",
  "journey",
  "gitGraph",
  "block-beta",
  "block",
  "sankey-beta",
  "sankey",
  "packet-beta",
  "packet",
  "architecture-beta",
  "architecture",
  "requirementDiagram",
  "C4Context",
  "C4Container",
  "C4Component",
  "C4Dynamic",
  "C4Deployment",
  "kanban",
  "radar-beta",
  "treemap-beta",
  "treemap",
  "zenuml",
  "info",
];

const KEYWORDS = new Set(DIAGRAM_KEYWORDS);

/**
 * Mermaid's default `maxTextSize`: past it Mermaid draws an error instead of the diagram, so a
 * longer source is refused here, where the message can say what to do.
 */
const SOURCE_CHARS_MAX = 50_000;

/**
 * Shows a Mermaid diagram. The bundle has `text/vnd.mermaid` (the source, drawn by JupyterLab 4.1+
 * and the site), `text/markdown` (the source in a `mermaid` code fence) and `text/plain`
 * (`options.fallback`, else the source itself).
 *
 * Only the first keyword is checked here (a typo or a non-Mermaid string fails fast, naming the
 * keywords); the rest of the source is Mermaid's to parse when it is drawn.
 *
 * @param source - Mermaid source whose first meaningful line starts with a diagram keyword
 *   (`sequenceDiagram`, `flowchart`, `graph`, `stateDiagram-v2`, `xychart-beta`, `pie`, ...), at
 *   most 50,000 characters (Mermaid's default limit).
 * @param options - see {@link MermaidOptions}.
 * @throws RangeError for a source that is not a string, is blank, starts with no known keyword or
 *   is too long, or for a fallback that is not a string.
 *
 * @example
 * show(mermaid("flowchart LR\n  client --> leader --> follower"));
 *
 * @example
 * const diagram = mermaid("graph TD\n  a --> b", { fallback: "a → b" });
 * diagram.toString(); // "a → b"
 */
export function mermaid(source: string, options: MermaidOptions = {}): RichOutput {
  if (typeof options !== "object" || options === null) {
    throw invalidArgument("options", "an object or undefined", options);
  }
  requireSource(source);
  const fallback = options.fallback ?? source;
  if (typeof fallback !== "string") {
    throw invalidArgument("options.fallback", "a string or undefined", options.fallback);
  }
  return richOutput({
    "text/vnd.mermaid": source,
    "text/markdown": mermaidFence(source),
    "text/plain": fallback,
  });
}

/** A fence longer than any run of backticks inside, so the source cannot close it early. */
function mermaidFence(source: string): string {
  const longestRun = Math.max(0, ...(source.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longestRun + 1));
  return `${fence}mermaid\n${source}\n${fence}`;
}

function requireSource(source: unknown): void {
  const allowed = `a Mermaid diagram starting with one of: ${DIAGRAM_KEYWORDS.join(", ")}`;
  if (typeof source !== "string" || source.trim() === "") {
    throw invalidArgument("source", allowed, source);
  }
  if (source.length > SOURCE_CHARS_MAX) {
    throw new RangeError(
      `mermaid: source of ${source.length} characters exceeds Mermaid's maxTextSize ` +
        `(${SOURCE_CHARS_MAX}); draw less (filter the trace, fewer bars or points)`,
    );
  }
  const keyword = firstKeyword(source);
  if (keyword === undefined || !KEYWORDS.has(keyword)) {
    throw invalidArgument("source", allowed, keyword === undefined ? source : keyword);
  }
}

/** The first word of the first line that is not blank, a `%%` comment or front matter. */
function firstKeyword(source: string): string | undefined {
  const lines = source.split(/\r?\n/);
  let index = 0;
  while (index < lines.length && (lines[index] as string).trim() === "") index++;
  if ((lines[index] ?? "").trim() === "---") {
    // YAML front matter (title, config) runs to the next `---` line.
    index++;
    while (index < lines.length && (lines[index] as string).trim() !== "---") index++;
    if (index === lines.length) return undefined;
    index++;
  }
  for (; index < lines.length; index++) {
    const line = (lines[index] as string).trim();
    if (line === "" || line.startsWith("%%")) continue;
    return /^[^\s:;{]+/.exec(line)?.[0];
  }
  return undefined;
}
