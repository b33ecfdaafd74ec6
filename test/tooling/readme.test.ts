// The README's simulator example is real code: extract it, point its import at the library and
// run it, so the README cannot drift from the API.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

function readmeTypeScriptBlocks(): string[] {
  const readme = readFileSync(path.join(process.cwd(), "README.md"), "utf8");
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] as string);
}

describe("README", () => {
  it("has the two quick-start commands", () => {
    const readme = readFileSync(path.join(process.cwd(), "README.md"), "utf8");
    expect(readme).toMatch(/^npm start\b/m);
    expect(readme).toMatch(/^npm test\b/m);
  });

  it("the simulator example runs and draws a diagram", () => {
    const [example] = readmeTypeScriptBlocks();
    expect(example).toBeDefined();
    const library = path.join(process.cwd(), "src", "index.ts");
    const code = (example as string).replace('from "distsys"', `from ${JSON.stringify(library)}`);
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "distsys-readme-")), "example.ts");
    writeFileSync(file, code);
    const tsx = path.join(process.cwd(), "node_modules", "tsx", "dist", "cli.mjs");
    const output = execFileSync(process.execPath, [tsx, file], { encoding: "utf8" });
    expect(output).toMatch(/^\d+ sequenceDiagram/);
    expect(output).toContain("participant P0 as client");
  });
});
