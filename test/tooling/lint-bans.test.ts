// The lint rule that keeps src/ deterministic: real clocks, real timers and unseeded randomness
// are errors in src/ (outside src/viz), and allowed in tests and benchmarks.

import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const eslint = new ESLint({ cwd: process.cwd() });

async function ruleIdsFor(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((message) => message.ruleId ?? message.message);
}

const banned: [string, string][] = [
  ["Math.random", "export const x = Math.random();\n"],
  ["Date.now", "export const x = Date.now();\n"],
  ["new Date()", "export const x = new Date();\n"],
  ["performance.now", "export const x = performance.now();\n"],
  ["setTimeout", "setTimeout(() => {}, 1);\n"],
  ["setInterval", "setInterval(() => {}, 1);\n"],
];

describe("lint bans real time and randomness in src/", () => {
  for (const [name, code] of banned) {
    it(`${name} is an error in src/sim`, async () => {
      const ruleIds = await ruleIdsFor(code, "src/sim/example.ts");
      expect(ruleIds.some((id) => id.startsWith("no-restricted"))).toBe(true);
    });
  }

  it("the same code is allowed in src/viz, bench/ and test/", async () => {
    for (const path of ["src/viz/example.ts", "bench/example.ts", "test/example.test.ts"]) {
      for (const [, code] of banned) {
        const ruleIds = await ruleIdsFor(code, path);
        expect(ruleIds.filter((id) => id.startsWith("no-restricted"))).toEqual([]);
      }
    }
  });

  it("new Date(timestamp) is not reading the clock and stays allowed", async () => {
    expect(await ruleIdsFor("export const x = new Date(0);\n", "src/sim/example.ts")).toEqual([]);
  });
});
