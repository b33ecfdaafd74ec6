// Input checks shared by the library: a list of seeds.

import { describe, expect, it } from "vitest";

import { requireSeeds } from "../../src/sim/assert.js";

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
