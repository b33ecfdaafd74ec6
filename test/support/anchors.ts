// The heading anchors of every chapter page, computed from the notebooks as Docusaurus computes
// them (GitHub slugs of the heading text), so links can be checked without building the site.

import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

import type { SectionLink } from "../../src/interview/types.js";

const ROOT = path.resolve(__dirname, "../..");
const NOTEBOOKS_DIR = path.join(ROOT, "notebooks");
const PAGE_NOTEBOOK = /^(\d{2}[a-i]?-[a-z0-9][a-z0-9-]*)\.ipynb$/;

interface Slugger {
  slug(text: string): string;
}
const requireFromHere = createRequire(__filename);
const GithubSlugger = requireFromHere("github-slugger") as new () => Slugger;

/** The plain text of a markdown heading, as it renders (code spans, links and emphasis unwrapped). */
function headingText(markdown: string): string {
  return markdown
    .replace(/`([^`]*)`/g, "$1")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/(\*\*|__)(.+?)\1/g, "$2")
    .replace(/(\*|_)(.+?)\1/g, "$2")
    .trim();
}

/** Ids of the pages generated from notebooks: "01-fallacies", ..., "09a-like-counter". */
export function notebookPages(): string[] {
  return fs
    .readdirSync(NOTEBOOKS_DIR)
    .map((name) => PAGE_NOTEBOOK.exec(name)?.[1])
    .filter((id): id is string => id !== undefined)
    .sort();
}

/** The anchors of a page's headings (levels 2 to 6; the level-1 heading is the title). */
export function pageAnchors(page: string): Set<string> {
  const file = path.join(NOTEBOOKS_DIR, `${page}.ipynb`);
  if (!fs.existsSync(file)) throw new Error(`no notebook for page "${page}" (${file})`);
  const notebook = JSON.parse(fs.readFileSync(file, "utf8")) as {
    cells: { cell_type: string; source: string | string[] }[];
  };
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  for (const cell of notebook.cells) {
    if (cell.cell_type !== "markdown") continue;
    const source = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
    let inFence = false;
    for (const line of source.split("\n")) {
      if (/^ {0,3}(`{3,}|~{3,})/.test(line)) inFence = !inFence;
      if (inFence) continue;
      const heading = /^ {0,3}(#{2,6})\s+(.+?)\s*#*\s*$/.exec(line);
      if (heading !== null) anchors.add(slugger.slug(headingText(heading[2] as string)));
    }
  }
  return anchors;
}

/** Why a link does not resolve ("" when it does): no such page, or no such heading on it. */
export function brokenLinkReason(link: SectionLink): string {
  if (!notebookPages().includes(link.page)) return `no page "${link.page}"`;
  if (link.anchor === "" || pageAnchors(link.page).has(link.anchor)) return "";
  return `no heading "#${link.anchor}" on ${link.page}`;
}

/** The links a page's markdown makes to chapter pages: `[text](./NN-x.ipynb#anchor)`. */
export function notebookLinks(page: string): SectionLink[] {
  const file = path.join(NOTEBOOKS_DIR, `${page}.ipynb`);
  const notebook = JSON.parse(fs.readFileSync(file, "utf8")) as {
    cells: { cell_type: string; source: string | string[] }[];
  };
  const links: SectionLink[] = [];
  for (const cell of notebook.cells) {
    if (cell.cell_type !== "markdown") continue;
    const source = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
    for (const match of source.matchAll(
      /\]\(\.\/(\d{2}[a-i]?-[a-z0-9-]+)\.ipynb(?:#([^)\s]*))?\)/g,
    )) {
      links.push({ page: match[1] as string, anchor: match[2] ?? "" });
    }
  }
  return links;
}

/** The eight concept chapters, before the interview chapter that draws on them. */
export const CONCEPT_CHAPTERS = [
  "01-fallacies",
  "02-time-and-order",
  "03-cap",
  "04-consistency",
  "05-consensus",
  "06-queues",
  "07-hashing",
  "08-election",
] as const;
