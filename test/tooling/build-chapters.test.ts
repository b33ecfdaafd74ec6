// The chapter page generator's naming: NN-slug pages and lettered sub-pages (NNx-slug) of a chapter,
// their sidebar places and labels, and links between notebooks rewritten to pages.

import { describe, expect, it } from "vitest";

import { NOTEBOOK_NAME, chapterNumber, markdownToMdx } from "../../scripts/build-chapters.js";

describe("chapter page names", () => {
  it("a chapter's own page and its lettered sub-pages, in sidebar order", () => {
    expect(chapterNumber("09-interview")).toEqual({
      number: 9,
      letter: "",
      slug: "interview",
      position: 9,
    });
    expect(chapterNumber("09a-like-counter")).toEqual({
      number: 9,
      letter: "a",
      slug: "like-counter",
      position: 9.1,
    });
    expect(chapterNumber("09g-cheat-sheet").position).toBe(9.7);
    expect(chapterNumber("10-next").position).toBe(10);
  });

  it("notebook names: two digits, an optional letter a-i, a dash and a lowercase slug", () => {
    for (const name of ["01-fallacies.ipynb", "09b-payment-ledger.ipynb", "12i-x.ipynb"]) {
      expect(NOTEBOOK_NAME.test(name), name).toBe(true);
    }
    for (const name of ["9-x.ipynb", "09j-x.ipynb", "09ab-x.ipynb", "09-X.ipynb", "09a.ipynb"]) {
      expect(NOTEBOOK_NAME.test(name), name).toBe(false);
    }
  });

  it("an id that is not a page name is refused with the allowed form", () => {
    expect(() => chapterNumber("interview")).toThrow(/"interview" is not NN-slug or NNx-slug/);
  });

  it("links to sibling notebooks, lettered or not, become links to their pages", () => {
    const mdx = markdownToMdx(
      "See [the ledger](./09b-payment-ledger.ipynb#decisions) and [CAP](../notebooks/03-cap.ipynb).",
    );
    expect(mdx).toBe(
      "See [the ledger](./09b-payment-ledger.mdx#decisions) and [CAP](./03-cap.mdx).",
    );
  });
});
