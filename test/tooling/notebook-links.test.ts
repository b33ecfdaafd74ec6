// Every link from one notebook to another (`./NN-x.ipynb#anchor`, rewritten to page links on the
// site) names a notebook that exists and a heading on it, checked without building the site.

import { describe, expect, it } from "vitest";

import { brokenLinkReason, notebookLinks, notebookPages } from "../support/anchors.js";

describe("links between notebooks", () => {
  for (const page of notebookPages()) {
    it(`${page}: every link to another notebook resolves to a page and a heading`, () => {
      const broken = notebookLinks(page)
        .map((link) => ({ link, reason: brokenLinkReason(link) }))
        .filter(({ reason }) => reason !== "");
      expect(broken).toEqual([]);
    });
  }
});
