// Generates the site's chapter pages from the notebooks: notebooks/NN-<chapter>.ipynb (nbformat 4)
// becomes site/docs/chapters/NN-<chapter>.mdx, markdown cells as MDX-safe prose and code cells as
// <RunnableCell> with their recorded outputs. The pages are build output (gitignored), never edited.
//
//   tsx scripts/build-chapters.ts [--notebooks DIR] [--out DIR]   (or DISTSYS_NOTEBOOKS=DIR)
//
// Notebook tags: `hide` omits a code cell from the page (it does not run there either);
// `nondeterministic` adds a note that timings vary. Mermaid diagrams (```mermaid fences and
// recorded text/vnd.mermaid outputs) are drawn to SVG here when Chromium is available.

import fs from "node:fs";
import path from "node:path";

import {
  type CellOutput,
  type NotebookOutput,
  outputsFromNotebook,
} from "../site/src/cell-runtime/outputs.js";
import { type MermaidSvgs, prerenderMermaid } from "./mermaid-prerender.js";

const REPO_ROOT = path.resolve(__dirname, "..");
/** Where notebooks are read from unless --notebooks or DISTSYS_NOTEBOOKS says otherwise. */
export const DEFAULT_NOTEBOOKS_DIR = path.join(REPO_ROOT, "notebooks");
/** Where chapter pages are written (a docs folder of its own: the sidebar's Chapters category). */
export const DEFAULT_OUT_DIR = path.join(REPO_ROOT, "site", "docs", "chapters");
/**
 * A chapter notebook's file name: two digits, an optional letter for a page inside the chapter
 * (`09a-like-counter.ipynb` follows `09-interview.ipynb`), a dash, a lowercase slug.
 */
export const NOTEBOOK_NAME = /^(\d{2})([a-i]?)-([a-z0-9][a-z0-9-]*)\.ipynb$/;
const GENERATED_MARK = "GENERATED from";
const CATEGORY_FILE = "_category_.json";

export type MultilineString = string | string[];

export interface NotebookCell {
  cell_type: "markdown" | "code" | "raw";
  source: MultilineString;
  metadata?: { tags?: unknown };
  outputs?: NotebookOutput[];
}

interface Notebook {
  nbformat: number;
  cells: NotebookCell[];
}

/** One generated chapter page. */
export interface ChapterPage {
  /** The notebook's file name without .ipynb, e.g. "01-fallacies": the doc id and URL slug. */
  readonly id: string;
  readonly title: string;
  readonly position: number;
  readonly notebookFile: string;
  readonly pageFile: string;
}

export interface BuildChaptersOptions {
  readonly notebooksDir?: string;
  readonly outDir?: string;
  /** Messages about skipped files; defaults to console.warn. */
  readonly warn?: (message: string) => void;
}

export interface BuildChaptersResult {
  readonly chapters: readonly ChapterPage[];
  /** Files written because their content changed (unchanged files are left alone). */
  readonly written: readonly string[];
  readonly removed: readonly string[];
}

/** A cell's source as one string (nbformat stores it as a string or a list of lines). */
export function joinSource(source: MultilineString | undefined): string {
  if (source === undefined) return "";
  return typeof source === "string" ? source : source.join("");
}

/** A cell's metadata tags (nondeterministic, hide). */
export function tagsOf(cell: NotebookCell): string[] {
  const tags = cell.metadata?.tags;
  return Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === "string") : [];
}

// ---------------------------------------------------------------------------------------------
// Markdown to MDX-safe prose

/** Escapes what MDX would read as JSX or expressions, outside inline code spans. */
function escapeProse(text: string): string {
  const autolinked = text
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<((?:https?|mailto):[^\s<>]+)>/g, (_m, url: string) => `[${url}](${url})`)
    .replace(/<br\s*\/?>/gi, "\uE000br\uE000");
  let result = "";
  let i = 0;
  while (i < autolinked.length) {
    const ch = autolinked[i] as string;
    if (ch === "`") {
      let run = 0;
      while (autolinked[i + run] === "`") run++;
      const fence = "`".repeat(run);
      // The span closes at the next run of exactly as many backticks.
      let close = -1;
      let search = i + run;
      while (search < autolinked.length) {
        const found = autolinked.indexOf(fence, search);
        if (found === -1) break;
        let after = found + run;
        if (autolinked[after] !== "`" && autolinked[found - 1] !== "`") {
          close = found;
          break;
        }
        while (autolinked[after] === "`") after++;
        search = after;
      }
      if (close === -1) {
        result += fence;
        i += run;
      } else {
        result += autolinked.slice(i, close + run);
        i = close + run;
      }
      continue;
    }
    if (ch === "\\" && i + 1 < autolinked.length) {
      // An existing escape stays as it is (`\{` already means a literal brace).
      result += autolinked.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (ch === "{" || ch === "}" || ch === "<") result += "\\" + ch;
    else result += ch;
    i++;
  }
  return (
    result
      .replace(/\uE000br\uE000/g, "<br />")
      // A prose line starting with `import` or `export` would be read as an ES module statement.
      .replace(
        /^(\s*)([ie])(mport|xport)\b/gm,
        (_m, space: string, first: string, rest: string) =>
          `${space}&#${first.charCodeAt(0)};${rest}`,
      )
  );
}

/** Links to sibling notebooks point at their pages. */
function rewriteNotebookLinks(text: string): string {
  return text.replace(
    /\]\((?:\.\/|\.\.\/notebooks\/)?(\d{2}[a-i]?-[a-z0-9-]+)\.ipynb(#[^)\s]*)?\)/g,
    (_m, id: string, anchor: string | undefined) => `](./${id}.mdx${anchor ?? ""})`,
  );
}

/** The diagrams a markdown cell draws: the bodies of its ```mermaid fences. */
export function mermaidFences(markdown: string): string[] {
  const sources: string[] = [];
  markdownToMdx(markdown, (source) => {
    sources.push(source);
    return undefined;
  });
  return sources;
}

/** Draws a diagram at build time: the MDX to use instead of its fence, or undefined to keep it. */
type DrawMermaid = (source: string) => string | undefined;

/**
 * Markdown cell source to MDX: fenced blocks kept (a ```mermaid fence becomes a build-time SVG when
 * `drawMermaid` gives one, else theme-mermaid draws it in the browser), prose escaped.
 */
export function markdownToMdx(markdown: string, drawMermaid?: DrawMermaid): string {
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  const out: string[] = [];
  let prose: string[] = [];
  const flushProse = (): void => {
    if (prose.length > 0) out.push(escapeProse(rewriteNotebookLinks(prose.join("\n"))));
    prose = [];
  };
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as string;
    const open = /^( {0,3})(`{3,}|~{3,})(.*)$/.exec(line);
    if (open === null) {
      prose.push(line);
      i++;
      continue;
    }
    flushProse();
    const fence = open[2] as string;
    const block = [line];
    let closed = false;
    i++;
    while (i < lines.length) {
      const inner = lines[i] as string;
      block.push(inner);
      i++;
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(inner);
      if (close !== null && close[1]?.[0] === fence[0] && (close[1]?.length ?? 0) >= fence.length) {
        closed = true;
        break;
      }
    }
    const drawn =
      (open[3] ?? "").trim() === "mermaid" && closed && drawMermaid !== undefined
        ? drawMermaid(block.slice(1, -1).join("\n"))
        : undefined;
    out.push(drawn ?? block.join("\n"));
  }
  flushProse();
  return out.join("\n");
}

/** The heading text as plain text (for the front matter title). */
function plainText(markdown: string): string {
  return markdown
    .replace(/`([^`]*)`/g, "$1")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/[*_]{1,2}([^*_]+)[*_]{1,2}/g, "$1")
    .trim();
}

/** Finds the first heading of the notebook's markdown: [cell index, line index, text]. */
function findTitle(cells: readonly NotebookCell[]): [number, number, string] | undefined {
  for (const [cellIndex, cell] of cells.entries()) {
    if (cell.cell_type !== "markdown") continue;
    const lines = joinSource(cell.source).split("\n");
    let inFence = false;
    for (const [lineIndex, line] of lines.entries()) {
      if (/^ {0,3}(`{3,}|~{3,})/.test(line)) inFence = !inFence;
      if (inFence) continue;
      const heading = /^ {0,3}#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
      if (heading !== null) return [cellIndex, lineIndex, plainText(heading[1] as string)];
    }
  }
  return undefined;
}

/** The first paragraph of prose after the title, as a one-line description (for search and SEO). */
function findDescription(cells: readonly NotebookCell[]): string | undefined {
  for (const cell of cells) {
    if (cell.cell_type !== "markdown") continue;
    for (const block of joinSource(cell.source).split(/\n\s*\n/)) {
      const text = block.trim();
      if (text === "" || /^(#|```|~~~|\||<|!\[|:::|>|[-*+] |\d+\. )/.test(text)) continue;
      const plain = plainText(text.replace(/\s+/g, " "));
      return plain.length > 200 ? `${plain.slice(0, 197).replace(/\s+\S*$/, "")}…` : plain;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Pages

/**
 * A page id's chapter number, its letter ("" for the chapter's own page) and slug, and its place
 * in the sidebar: `09-interview` is 9, `09a-like-counter` 9.1, `09b-...` 9.2.
 */
export function chapterNumber(id: string): {
  number: number;
  letter: string;
  slug: string;
  position: number;
} {
  const match = NOTEBOOK_NAME.exec(`${id}.ipynb`);
  if (match === null) {
    throw new Error(`page id ${JSON.stringify(id)} is not NN-slug or NNx-slug (x in a-i)`);
  }
  const number = Number(match[1]);
  const letter = match[2] ?? "";
  const offset = letter === "" ? 0 : (letter.charCodeAt(0) - "a".charCodeAt(0) + 1) / 10;
  return {
    number,
    letter,
    slug: match[3] ?? "",
    position: Math.round((number + offset) * 10) / 10,
  };
}

/** The MDX page of one notebook. */
export function notebookToMdx(
  notebook: Notebook,
  id: string,
  notebookFile: string,
  mermaidSvgs: ReadonlyMap<string, MermaidSvgs> = new Map(),
): ChapterPage & { mdx: string } {
  let usesMermaidSvg = false;
  const drawMermaid: DrawMermaid = (source) => {
    const svgs = mermaidSvgs.get(source);
    if (svgs === undefined) return undefined;
    usesMermaidSvg = true;
    return `<MermaidSvg light={${JSON.stringify(svgs.light)}} dark={${JSON.stringify(svgs.dark)}} />`;
  };
  const { number, letter, slug, position } = chapterNumber(id);
  const titleAt = findTitle(notebook.cells);
  const title = titleAt?.[2] ?? slug.replace(/-/g, " ");
  const description = findDescription(notebook.cells);
  const body: string[] = [];
  let cellNumber = 0;
  for (const [index, cell] of notebook.cells.entries()) {
    if (cell.cell_type === "markdown") {
      let source = joinSource(cell.source);
      if (titleAt !== undefined && titleAt[0] === index) {
        const lines = source.split("\n");
        lines.splice(titleAt[1], 1);
        source = lines.join("\n");
      }
      const mdx = markdownToMdx(source, drawMermaid).trim();
      if (mdx !== "") body.push(mdx);
    } else if (cell.cell_type === "code") {
      const tags = tagsOf(cell);
      const source = joinSource(cell.source).replace(/\s+$/, "");
      if (tags.includes("hide") || source.trim() === "") continue;
      cellNumber++;
      const outputs = outputsFromNotebook(cell.outputs ?? []).map((output): CellOutput => {
        if (output.output_type !== "display_data") return output;
        const source = output.data["text/vnd.mermaid"];
        const svgs = source === undefined ? undefined : mermaidSvgs.get(source);
        return svgs === undefined ? output : { ...output, mermaidSvgs: svgs };
      });
      const props = [
        `chapter=${JSON.stringify(id)}`,
        `cell={${cellNumber}}`,
        `notebookIndex={${index}}`,
        `source={${JSON.stringify(source)}}`,
        `outputs={${JSON.stringify(outputs)}}`,
      ];
      const shownTags = tags.filter((tag) => tag !== "hide");
      if (shownTags.length > 0) props.push(`tags={${JSON.stringify(shownTags)}}`);
      body.push(`<RunnableCell\n  ${props.join("\n  ")}\n/>`);
    }
    // Raw cells are for other converters; the site leaves them out.
  }
  const frontMatter = [
    "---",
    `id: ${JSON.stringify(id)}`,
    `title: ${JSON.stringify(title)}`,
    `sidebar_label: ${JSON.stringify(`${number}${letter}. ${title}`)}`,
    `sidebar_position: ${position}`,
    ...(description === undefined ? [] : [`description: ${JSON.stringify(description)}`]),
    "---",
  ];
  const mdx = [
    `{/* ${GENERATED_MARK} ${notebookFile} by scripts/build-chapters.ts. Do not edit: edit the notebook and run npm run build:chapters. */}`,
    ...frontMatter,
    "",
    `import RunnableCell from "@site/site/src/components/RunnableCell";`,
    ...(usesMermaidSvg ? [`import MermaidSvg from "@site/site/src/components/MermaidSvg";`] : []),
    "",
    ...(cellNumber === 0
      ? []
      : [
          `:::info[Runnable page]`,
          `This chapter is the notebook \`${notebookFile}\`. Its code cells run in your browser: edit one and press **Run** (or Shift+Enter). Cells share one scope, in order, as in Jupyter.`,
          `:::`,
          "",
        ]),
    body.join("\n\n"),
    "",
  ].join("\n");
  return { id, title, position, notebookFile, pageFile: `${id}.mdx`, mdx };
}

function isGenerated(file: string): boolean {
  try {
    const head = fs.readFileSync(file, "utf8").slice(0, 200);
    return head.includes(GENERATED_MARK);
  } catch {
    return false;
  }
}

function writeIfChanged(file: string, content: string, written: string[]): void {
  if (fs.existsSync(file) && fs.readFileSync(file, "utf8") === content) return;
  fs.writeFileSync(file, content);
  written.push(file);
}

/** Every diagram a notebook draws: its ```mermaid fences and its recorded Mermaid outputs. */
function notebookDiagrams(notebook: Notebook): string[] {
  const sources: string[] = [];
  for (const cell of notebook.cells) {
    if (cell.cell_type === "markdown") sources.push(...mermaidFences(joinSource(cell.source)));
    if (cell.cell_type !== "code") continue;
    for (const output of outputsFromNotebook(cell.outputs ?? [])) {
      const source =
        output.output_type === "display_data" ? output.data["text/vnd.mermaid"] : undefined;
      if (source !== undefined) sources.push(source);
    }
  }
  return sources;
}

/** Generates every chapter page; removes generated pages whose notebook is gone. */
export async function buildChapters(
  options: BuildChaptersOptions = {},
): Promise<BuildChaptersResult> {
  const notebooksDir = path.resolve(options.notebooksDir ?? DEFAULT_NOTEBOOKS_DIR);
  const outDir = path.resolve(options.outDir ?? DEFAULT_OUT_DIR);
  const warn = options.warn ?? ((message: string) => console.warn(message));
  const notebookFiles = fs.existsSync(notebooksDir)
    ? fs
        .readdirSync(notebooksDir)
        .filter((name) => name.endsWith(".ipynb"))
        .sort()
    : [];
  const notebooks: { notebook: Notebook; id: string; shown: string }[] = [];
  for (const name of notebookFiles) {
    if (!NOTEBOOK_NAME.test(name)) {
      warn(`build-chapters: skipped ${name}: chapter notebooks are named NN-<slug>.ipynb`);
      continue;
    }
    const file = path.join(notebooksDir, name);
    let notebook: Notebook;
    try {
      notebook = JSON.parse(fs.readFileSync(file, "utf8")) as Notebook;
    } catch (error) {
      throw new Error(`build-chapters: ${file} is not valid JSON: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (notebook.nbformat !== 4 || !Array.isArray(notebook.cells)) {
      throw new Error(
        `build-chapters: ${file} must be an nbformat 4 notebook, got nbformat ${String(notebook.nbformat)}`,
      );
    }
    const relative = path.relative(REPO_ROOT, file).split(path.sep).join("/");
    const shown = relative.startsWith("..") ? file : relative;
    notebooks.push({ notebook, id: name.replace(/\.ipynb$/, ""), shown });
  }
  const diagrams = notebooks.flatMap(({ notebook }) => notebookDiagrams(notebook));
  const mermaidSvgs = (await prerenderMermaid(diagrams, warn)) ?? new Map<string, MermaidSvgs>();
  const chapters = notebooks.map(({ notebook, id, shown }) =>
    notebookToMdx(notebook, id, shown, mermaidSvgs),
  );

  const written: string[] = [];
  const removed: string[] = [];
  const keep = new Set(chapters.map((chapter) => chapter.pageFile));
  if (chapters.length > 0) {
    keep.add(CATEGORY_FILE);
    fs.mkdirSync(outDir, { recursive: true });
    const category = {
      label: "Chapters",
      position: 2,
      collapsed: false,
      collapsible: true,
      customProps: { generated: "scripts/build-chapters.ts" },
    };
    writeIfChanged(
      path.join(outDir, CATEGORY_FILE),
      JSON.stringify(category, null, 2) + "\n",
      written,
    );
    for (const chapter of chapters) {
      writeIfChanged(path.join(outDir, chapter.pageFile), chapter.mdx, written);
    }
  }
  if (fs.existsSync(outDir)) {
    for (const name of fs.readdirSync(outDir)) {
      const file = path.join(outDir, name);
      const generated = name === CATEGORY_FILE || (name.endsWith(".mdx") && isGenerated(file));
      if (!keep.has(name) && generated) {
        fs.rmSync(file);
        removed.push(file);
      }
    }
    if (fs.readdirSync(outDir).length === 0) fs.rmdirSync(outDir);
  }
  return {
    chapters: chapters.map(({ mdx: _mdx, ...page }) => page),
    written,
    removed,
  };
}

/** `--notebooks DIR`, `--out DIR`; DISTSYS_NOTEBOOKS for the notebooks folder. */
function parseArgs(argv: readonly string[]): BuildChaptersOptions {
  let notebooksDir = process.env.DISTSYS_NOTEBOOKS || undefined;
  let outDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if ((arg === "--notebooks" || arg === "--out") && value === undefined) {
      throw new Error(`build-chapters: ${arg} needs a folder after it`);
    }
    if (arg === "--notebooks") notebooksDir = argv[++i];
    else if (arg === "--out") outDir = argv[++i];
    else
      throw new Error(
        `build-chapters: unknown argument ${arg}; allowed: --notebooks DIR, --out DIR`,
      );
  }
  return {
    ...(notebooksDir === undefined ? {} : { notebooksDir }),
    ...(outDir === undefined ? {} : { outDir }),
  };
}

async function main(): Promise<void> {
  try {
    const options = parseArgs(process.argv.slice(2));
    const result = await buildChapters(options);
    const where = path.relative(process.cwd(), path.resolve(options.outDir ?? DEFAULT_OUT_DIR));
    console.log(
      result.chapters.length === 0
        ? `build-chapters: no chapter notebooks in ${options.notebooksDir ?? "notebooks/"}; no chapter pages`
        : `build-chapters: ${result.chapters.length} chapter page(s) in ${where}/ (${result.written.length} written, ${result.removed.length} removed)`,
    );
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}

if (require.main === module) void main();
