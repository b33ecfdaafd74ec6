// Input checks shared by the library: lists of integers and of seeds.

import { describe, expect, it } from "vitest";

import { requireIntegerList, requireSeeds } from "../../src/sim/assert.js";

describe("requireSeeds", () => {
  it("returns a non-empty list of integers >= 0", () => {
    expect(requireSeeds("seeds", [0, 1, 7])).toEqual([0, 1, 7]);
  });

  it("names the list and what is allowed", () => {
    expect(() => requireSeeds("seeds", [])).toThrow(
      "seeds must be a non-empty array of integers >= 0",
    );
    expect(() => requireSeeds("seeds", 3)).toThrow(/seeds must be a non-empty array/);
    expect(() => requireSeeds("seeds", [1, -2])).toThrow(/seeds entry/);
    expect(() => requireSeeds("seeds", [1.5])).toThrow(/seeds entry/);
  });
});

describe("requireIntegerList", () => {
  it("returns a non-empty list of integers in range, naming a bad entry by its index", () => {
    expect(requireIntegerList("sizes", [1, 5], 1, 10)).toEqual([1, 5]);
    expect(() => requireIntegerList("sizes", [], 1, 10)).toThrow(
      "sizes must be a non-empty array of integers in [1, 10]",
    );
    expect(() => requireIntegerList("sizes", [1, 11], 1, 10)).toThrow(/sizes\[1\]/);
  });
});
