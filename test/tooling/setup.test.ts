// The setup check run by `npm start` and `npm test`: Node version gate and node_modules sync.
// (The apt-get branches were exercised by hand with fake apt-get and sudo; see README.)

import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const require = createRequire(path.join(process.cwd(), "package.json"));
const setup = require("./scripts/setup.cjs") as {
  nodeVersionProblem(version: string): string | null;
  depsProblem(root: string): string | null;
};

function project(lock: object, installed: object | undefined): string {
  const root = mkdtempSync(path.join(os.tmpdir(), "distsys-setup-"));
  writeFileSync(path.join(root, "package-lock.json"), JSON.stringify(lock));
  if (installed !== undefined) {
    mkdirSync(path.join(root, "node_modules"));
    writeFileSync(path.join(root, "node_modules", ".package-lock.json"), JSON.stringify(installed));
  }
  return root;
}

const lock = {
  packages: {
    "": { name: "distsys" },
    "node_modules/a": { version: "1.0.0" },
    "node_modules/b-darwin": { version: "1.0.0", optional: true },
  },
};

describe("scripts/setup.cjs", () => {
  it("accepts Node 20.19 and newer, refuses older with one line naming both versions", () => {
    expect(setup.nodeVersionProblem("20.19.0")).toBeNull();
    expect(setup.nodeVersionProblem("22.1.0")).toBeNull();
    expect(setup.nodeVersionProblem("20.18.1")).toMatch(
      /Node 20\.19\.0 or newer is needed, this is Node 20\.18\.1/,
    );
  });

  it("node_modules in sync with the lockfile (optional packages of other platforms skipped)", () => {
    const root = project(lock, { packages: { "node_modules/a": { version: "1.0.0" } } });
    expect(setup.depsProblem(root)).toBeNull();
  });

  it("reports a missing node_modules", () => {
    expect(setup.depsProblem(project(lock, undefined))).toBe("node_modules is not installed");
  });

  it("reports a package whose version differs from the lockfile", () => {
    const root = project(lock, { packages: { "node_modules/a": { version: "0.9.0" } } });
    expect(setup.depsProblem(root)).toBe("node_modules has a different a than package-lock.json");
  });

  it("reports a package the lockfile does not list", () => {
    const root = project(lock, {
      packages: { "node_modules/a": { version: "1.0.0" }, "node_modules/z": { version: "1.0.0" } },
    });
    expect(setup.depsProblem(root)).toBe(
      "node_modules has z, which package-lock.json does not list",
    );
  });
});
