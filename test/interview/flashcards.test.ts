// The flashcards as data (issue 9: "at least 80 question/answer cards over all chapters, kept as
// data in the repo, each linking to its section") and their Anki export (`npm run flashcards`).

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import {
  FLASHCARDS,
  type Flashcard,
  ankiFileHeaders,
  checkFlashcards,
  escapeAnkiField,
  flashcardById,
  flashcardSectionPath,
  flashcardsOfPage,
  flashcardsToAnki,
  unescapeAnkiField,
} from "../../src/interview/flashcards.js";
import { brokenLinkReason, CONCEPT_CHAPTERS } from "../support/anchors.js";
import { assertProperty } from "../support/property.js";
import { parseFlashcardsArgs, siteUrlFromConfig } from "../../scripts/flashcards.js";

const ROOT = path.resolve(__dirname, "../..");
const CHAPTERS = CONCEPT_CHAPTERS;
const SITE = "https://distsys.example.org";

function sentences(text: string): number {
  return text.split(/(?<=[.?!])\s+(?=[A-Z0-9'"])/).length;
}

describe("the deck: at least 80 cards over all chapters, each linking to its section", () => {
  it("holds at least 90 cards", () => {
    expect(FLASHCARDS.length).toBeGreaterThanOrEqual(90);
  });

  it("ids are kebab-case slugs and unique (the quiz stores progress by id)", () => {
    for (const card of FLASHCARDS) expect(card.id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    expect(new Set(FLASHCARDS.map((card) => card.id)).size).toBe(FLASHCARDS.length);
    expect(() => checkFlashcards(FLASHCARDS)).not.toThrow();
  });

  it.each(CHAPTERS)("chapter %s has at least 8 cards", (page) => {
    expect(flashcardsOfPage(page).length).toBeGreaterThanOrEqual(8);
  });

  it("the interview framework has at least 10 cards, on the 09 pages", () => {
    const interview = FLASHCARDS.filter((card) => card.link.page.startsWith("09"));
    expect(interview.length).toBeGreaterThanOrEqual(10);
    expect(new Set(interview.map((card) => card.link.page)).size).toBeGreaterThanOrEqual(7);
  });

  it("every card links to a page and heading that exist", () => {
    const broken = FLASHCARDS.map((card) => ({ id: card.id, reason: brokenLinkReason(card.link) }))
      .filter((entry) => entry.reason !== "")
      .map((entry) => `${entry.id}: ${entry.reason}`);
    expect(broken).toEqual([]);
  });

  it("no field is empty; answers are plain text of two to four sentences", () => {
    for (const card of FLASHCARDS) {
      expect(card.question.trim(), card.id).not.toBe("");
      expect(
        card.question.trim().endsWith("?") || card.question.trim().endsWith("."),
        card.id,
      ).toBe(true);
      expect(card.answer.trim(), card.id).not.toBe("");
      expect(card.answer, card.id).not.toMatch(/`|\*\*|\]\(|^#|\n/);
      expect(sentences(card.answer), card.id).toBeGreaterThanOrEqual(2);
      expect(sentences(card.answer), card.id).toBeLessThanOrEqual(4);
      expect(card.tags[0], card.id).toBe(card.link.page);
    }
  });

  it("cards are grouped by chapter, in chapter order", () => {
    const pages = FLASHCARDS.map((card) => card.link.page);
    const order = [...new Set(pages)];
    expect(order).toEqual([...order].sort());
    expect(pages).toEqual([...pages].sort());
  });

  it("flashcardById finds a card and names an unknown id", () => {
    expect(flashcardById("cap-pacelc").link.page).toBe("03-cap");
    expect(() => flashcardById("no-such-card")).toThrow(/no-such-card/);
  });

  it("checkFlashcards rejects a duplicate id, a non-kebab id and an empty answer, naming the card", () => {
    const good = FLASHCARDS[0] as Flashcard;
    expect(() => checkFlashcards([good, good])).toThrow(/unique/);
    expect(() => checkFlashcards([{ ...good, id: "Not Kebab" }])).toThrow(/Not Kebab/);
    expect(() => checkFlashcards([{ ...good, answer: " " }])).toThrow(good.id);
  });

  it("a section path is /docs/chapters/<page>#<anchor>, without # for the top of a page", () => {
    expect(
      flashcardSectionPath({ page: "03-cap", anchor: "pacelc-the-trade-off-you-pay-every-day" }),
    ).toBe("/docs/chapters/03-cap#pacelc-the-trade-off-you-pay-every-day");
    expect(flashcardSectionPath({ page: "09-interview", anchor: "" })).toBe(
      "/docs/chapters/09-interview",
    );
  });
});

describe("the Anki export: Anki's text import with file headers", () => {
  const text = flashcardsToAnki(FLASHCARDS, { siteUrl: SITE });
  const lines = text.split("\n");

  it("starts with the header lines exactly as Anki reads them", () => {
    expect(lines.slice(0, 6)).toEqual([
      "#separator:tab",
      "#html:true",
      "#notetype:Basic",
      "#deck:distsys",
      "#guid column:1",
      "#tags column:4",
    ]);
    expect(ankiFileHeaders("distsys")).toEqual(lines.slice(0, 6));
  });

  it("writes one line per card, ending in a newline, each with four fields", () => {
    expect(text.endsWith("\n")).toBe(true);
    const cardLines = lines.slice(6, -1);
    expect(cardLines.length).toBe(FLASHCARDS.length);
    expect(lines.at(-1)).toBe("");
    for (const line of cardLines) {
      expect(line.split("\t")).toHaveLength(4);
      expect(line.startsWith("#")).toBe(false);
    }
  });

  it("a line is the guid, the escaped question, the answer with a link to its section, and the tags", () => {
    const card = flashcardById("cap-pacelc");
    const line = lines.find((candidate) => candidate.startsWith("distsys-cap-pacelc\t")) as string;
    const [guid, front, back, tags] = line.split("\t") as [string, string, string, string];
    expect(guid).toBe("distsys-cap-pacelc");
    expect(unescapeAnkiField(front)).toBe(card.question);
    expect(back.startsWith(escapeAnkiField(card.answer))).toBe(true);
    expect(back).toContain(
      `<a href="${SITE}/docs/chapters/03-cap#pacelc-the-trade-off-you-pay-every-day">`,
    );
    expect(tags.split(" ")).toEqual([...card.tags]);
  });

  it("escapes HTML in the fields: quotes and markup never reach Anki raw", () => {
    const card: Flashcard = {
      id: "test-escaping",
      question: 'Is <b>"x" & y</b> bold?',
      answer: "No.\tIt is text.\nReally.",
      link: { page: "03-cap", anchor: "" },
      tags: ["03-cap"],
    };
    const line = flashcardsToAnki([card], { siteUrl: SITE }).split("\n")[6] as string;
    const [, front, back] = line.split("\t") as [string, string, string];
    expect(front).toBe("Is &lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt; bold?");
    expect(back.startsWith("No.&#9;It is text.<br>Really.<br><br><a href=")).toBe(true);
  });

  it("every answer links to the site, under the given site URL (a trailing slash is dropped)", () => {
    const withSlash = flashcardsToAnki(FLASHCARDS, { siteUrl: `${SITE}/`, deck: "My deck" });
    expect(withSlash.split("\n")[3]).toBe("#deck:My deck");
    for (const line of withSlash.split("\n").slice(6, -1)) {
      expect(line).toMatch(
        /<a href="https:\/\/distsys\.example\.org\/docs\/chapters\/\d{2}[a-i]?-[a-z0-9-]+(#[a-z0-9-]+)?">/,
      );
    }
  });

  it("rejects a bad site URL, a bad deck and an unknown option, naming them", () => {
    expect(() => flashcardsToAnki(FLASHCARDS, { siteUrl: "distsys.example.org" })).toThrow(
      /siteUrl/,
    );
    expect(() => flashcardsToAnki(FLASHCARDS, { siteUrl: SITE, deck: "a\tb" })).toThrow(/deck/);
    expect(() =>
      flashcardsToAnki(FLASHCARDS, { siteUrl: SITE, colour: "red" } as { siteUrl: string }),
    ).toThrow(/colour/);
  });

  it("field escaping round-trips any string, and no tab or line break leaks into a field", () => {
    assertProperty(
      fc.property(
        fc.oneof(fc.string({ unit: "binary" }), fc.string(), fc.string({ unit: "grapheme" })),
        (raw) => {
          const field = escapeAnkiField(raw);
          expect(field).not.toMatch(/[\t\r\n"]/);
          expect(unescapeAnkiField(field)).toBe(raw);
        },
      ),
    );
  });
});

describe("npm run flashcards (scripts/flashcards.ts), end to end", () => {
  function run(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(
      process.execPath,
      [
        path.join(ROOT, "node_modules/tsx/dist/cli.mjs"),
        path.join(ROOT, "scripts/flashcards.ts"),
        ...args,
      ],
      { cwd: ROOT, encoding: "utf8" },
    );
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it("writes the Anki file and says how many cards and where", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flashcards-"));
    const out = path.join(dir, "cards.txt");
    const result = run(["--out", out, "--site-url", SITE]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`wrote ${FLASHCARDS.length} flashcards to ${out}\n`);
    expect(fs.readFileSync(out, "utf8")).toBe(flashcardsToAnki(FLASHCARDS, { siteUrl: SITE }));
    fs.rmSync(dir, { recursive: true });
  });

  it("rejects an unknown flag with a clear message and exit code 2", () => {
    const result = run(["--bogus"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown option "--bogus"');
    expect(result.stderr).toContain("usage: npm run flashcards");
  });

  it("parses --out, --site-url and --deck, with or without '=', and defaults the output file", () => {
    expect(parseFlashcardsArgs([])).toEqual({ out: "distsys-flashcards.txt", help: false });
    expect(parseFlashcardsArgs(["--out=a.txt", "--site-url", SITE, "--deck", "d"])).toEqual({
      out: "a.txt",
      siteUrl: SITE,
      deck: "d",
      help: false,
    });
    expect(() => parseFlashcardsArgs(["--out"])).toThrow(/--out needs a value/);
    expect(() => parseFlashcardsArgs(["--out", "a", "--out", "b"])).toThrow(/twice/);
  });

  it("takes the default site URL from docusaurus.config.ts", () => {
    const config = fs.readFileSync(path.join(ROOT, "docusaurus.config.ts"), "utf8");
    expect(siteUrlFromConfig(config)).toMatch(/^https?:\/\/[^/]+/);
    expect(siteUrlFromConfig('  url: "https://x.org/",\n  baseUrl: "/distsys/",\n')).toBe(
      "https://x.org/distsys",
    );
  });
});
