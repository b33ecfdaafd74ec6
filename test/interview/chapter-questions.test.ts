// Issue 9: "Each chapter ends with three interview questions linking here": the last cell of every
// chapter notebook 01-08 is that section, with three numbered questions linking to 09* pages.

import fs from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { CONCEPT_CHAPTERS, notebookPages } from "../support/anchors.js";

const NOTEBOOKS = path.resolve(__dirname, "../../notebooks");
const CHAPTERS = CONCEPT_CHAPTERS;

function lastCell(page: string): { cell_type: string; source: string } {
  const notebook = JSON.parse(fs.readFileSync(path.join(NOTEBOOKS, `${page}.ipynb`), "utf8")) as {
    cells: { cell_type: string; source: string | string[] }[];
  };
  const cell = notebook.cells.at(-1);
  if (cell === undefined) throw new Error(`${page} has no cells`);
  const source = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
  return { cell_type: cell.cell_type, source };
}

/** The targets of the relative notebook links in a line: "./09b-payment-ledger.ipynb" -> "09b-payment-ledger". */
function notebookLinks(line: string): string[] {
  return [...line.matchAll(/\]\(\.\/(\d{2}[a-i]?-[a-z0-9-]+)\.ipynb(?:#[a-z0-9-]*)?\)/g)].map(
    (match) => match[1] as string,
  );
}

describe("each chapter ends with three interview questions linking to the interview pages", () => {
  it.each(CHAPTERS)(
    "%s: the last cell is the section, with exactly three numbered questions",
    (page) => {
      const cell = lastCell(page);
      expect(cell.cell_type).toBe("markdown");
      const lines = cell.source.split("\n");
      expect(lines[0]).toBe("## Three interview questions");
      const questions = lines.filter((line) => /^\d+\. /.test(line));
      expect(questions.map((line) => line.slice(0, 3))).toEqual(["1. ", "2. ", "3. "]);
      for (const question of questions) expect(question).toMatch(/^\d\. \*\*[^*]+[?.]\*\* \S/);
      expect(cell.source.match(/^## /gm)).toHaveLength(1);
    },
  );

  it.each(CHAPTERS)("%s: every question links to a 09 page that exists", (page) => {
    const pages = notebookPages();
    const questions = lastCell(page)
      .source.split("\n")
      .filter((line) => /^\d+\. /.test(line));
    for (const question of questions) {
      const targets = notebookLinks(question);
      expect(targets.length, question).toBeGreaterThanOrEqual(1);
      for (const target of targets) {
        expect(target, question).toMatch(/^09[a-i]?-/);
        expect(pages, `${page} links to ${target}, which has no notebook`).toContain(target);
      }
    }
  });

  it.each(CHAPTERS)("%s: the section ends with a link to the flashcards quiz", (page) => {
    const lines = lastCell(page).source.trimEnd().split("\n");
    expect(lines.at(-1)).toContain("[flashcards quiz](/quiz)");
  });
});
