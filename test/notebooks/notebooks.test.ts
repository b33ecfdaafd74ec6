// The notebook pipeline (scripts/notebooks.cjs and scripts/notebooks.py): every notebooks/NN-*.ipynb
// runs on the tslab kernel and must reproduce its committed outputs; the checker itself is tested on
// synthetic notebooks (changed output, nondeterministic tag, thrown errors, late async errors).

import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

interface CellReport {
  index: number;
  executionCount: number | null;
  firstLine: string;
  status: "ok" | "empty" | "updated" | "differs" | "error" | "not-run";
  nondeterministic: boolean;
  errors: string[];
  diff: string | null;
  seconds: number | null;
}

interface Report {
  notebook: string;
  ok: boolean;
  problem: string | null;
  cells: CellReport[];
  afterLastCell: { errors: string[]; timersPending: boolean };
  seconds: { kernelStart: number | null; total: number | null };
  written: boolean;
}

interface Pipeline {
  ROOT: string;
  ensureKernel(root?: string): { registered: boolean; reason: string | null };
  kernelProblem(root?: string): string | null;
  notebookPaths(root?: string): string[];
  executeNotebook(
    file: string,
    options?: { write?: boolean; cellTimeoutS?: number; totalTimeoutS?: number },
  ): Promise<Report>;
  formatReport(report: Report): string;
}

const require = createRequire(path.join(process.cwd(), "package.json"));
const pipeline = require("./scripts/notebooks.cjs") as Pipeline;
const ROOT = pipeline.ROOT;

/** Kernels are CPU-bound while they start: run at most this many at once. */
const KERNELS_MAX = Math.max(2, os.availableParallelism());
let kernelsRunning = 0;
const waiting: (() => void)[] = [];

async function execute(file: string, options: { write?: boolean } = {}): Promise<Report> {
  while (kernelsRunning >= KERNELS_MAX) await new Promise<void>((wake) => waiting.push(wake));
  kernelsRunning += 1;
  try {
    return await pipeline.executeNotebook(file, { ...options, totalTimeoutS: 100 });
  } finally {
    kernelsRunning -= 1;
    waiting.shift()?.();
  }
}

const NOTEBOOK_TEST_TIMEOUT_MS = 120_000;

beforeAll(() => {
  // Notebooks import ../dist/index.js: build it as `npm run build` does.
  try {
    execFileSync(
      process.execPath,
      [path.join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
      { cwd: ROOT, encoding: "utf8", stdio: "pipe" },
    );
  } catch (error) {
    const output = (error as { stdout?: string }).stdout ?? String(error);
    throw new Error(`npm run build failed, notebooks cannot import dist/:\n${output.slice(0, 2000)}`, {
      cause: error,
    });
  }
  pipeline.ensureKernel(); // throws one line naming what is missing and the command to install it
}, 120_000);

describe("notebooks/NN-*.ipynb reproduce their committed outputs", () => {
  const notebooks = pipeline.notebookPaths();

  it("notebooks/ holds at least one NN-<chapter>.ipynb", () => {
    expect(notebooks, "a notebook pipeline with nothing to run is a defect").not.toEqual([]);
  });

  for (const notebook of notebooks) {
    it.concurrent(
      path.basename(notebook),
      async () => {
        const report = await execute(notebook);
        if (!report.ok) expect.fail(pipeline.formatReport(report));
      },
      NOTEBOOK_TEST_TIMEOUT_MS,
    );
  }
});

// Synthetic notebooks: the checker must catch each way a notebook can go wrong.

interface SyntheticCell {
  source: string;
  outputs?: object[];
  tags?: string[];
}

function stdout(text: string): object {
  return { output_type: "stream", name: "stdout", text };
}

function display(data: Record<string, string>): object {
  return { output_type: "display_data", data, metadata: {} };
}

function syntheticNotebook(name: string, cells: SyntheticCell[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "distsys-notebooks-"));
  const file = path.join(dir, `${name}.ipynb`);
  const notebook = {
    cells: cells.map((cell, index) => ({
      cell_type: "code",
      execution_count: null,
      id: `cell-${index}`,
      metadata: cell.tags === undefined ? {} : { tags: cell.tags },
      outputs: cell.outputs ?? [],
      source: cell.source,
    })),
    metadata: {
      kernelspec: { display_name: "TypeScript", language: "typescript", name: "tslab" },
      language_info: { name: "typescript" },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  writeFileSync(file, JSON.stringify(notebook, null, 1) + "\n");
  return file;
}

const library = JSON.stringify(path.join(ROOT, "dist", "index.js"));

describe.concurrent("the notebook checker", () => {
  it(
    'fails on a changed output, naming the cell and showing a diff; passes "nondeterministic" cells',
    async () => {
      const file = syntheticNotebook("changed", [
        { source: 'console.log("same");', outputs: [stdout("same\n")] },
        { source: 'console.log("new text");', outputs: [stdout("old text\n")] },
        {
          source: `import { show, richOutput } from ${library};\nshow(richOutput({ "text/plain": "hi", "text/markdown": "**new**" }));`,
          outputs: [display({ "text/plain": "hi", "text/markdown": "**old**" })],
        },
        {
          source: "console.log(String(Math.random()));",
          outputs: [stdout("not this\n")],
          tags: ["nondeterministic"],
        },
      ]);

      const report = await execute(file);

      expect(report.ok).toBe(false);
      expect(report.cells.map((cell) => cell.status)).toEqual(["ok", "differs", "differs", "ok"]);
      expect(report.cells[1]?.diff).toContain("-old text\n+new text");
      expect(report.cells[2]?.diff).toContain("[display_data text/markdown]");
      expect(report.cells[2]?.diff).toContain("-**old**\n+**new**");
      expect(report.cells[3]?.diff).toBeNull();
      const text = pipeline.formatReport(report);
      expect(text).toContain('cell 1, In [2]: console.log("new text");');
      expect(text).toContain("output differs from the committed notebook");
      expect(text).not.toContain("Math.random");
    },
    NOTEBOOK_TEST_TIMEOUT_MS,
  );

  it(
    "fails on a cell that throws, with the real error text from stderr",
    async () => {
      const file = syntheticNotebook("throws", [
        { source: 'console.log("before");', outputs: [stdout("before\n")] },
        { source: 'throw new Error("boom from a cell");' },
        { source: 'console.log("after");', outputs: [stdout("after\n")] },
      ]);

      const report = await execute(file);

      expect(report.ok).toBe(false);
      expect(report.cells.map((cell) => cell.status)).toEqual(["ok", "error", "not-run"]);
      expect(report.cells[1]?.errors.join("\n")).toContain("Error: boom from a cell");
      const text = pipeline.formatReport(report);
      expect(text).toContain('cell 1, In [2]: throw new Error("boom from a cell");');
      expect(text).toContain("Error: boom from a cell");
      expect(text).not.toContain("<Error>");
    },
    NOTEBOOK_TEST_TIMEOUT_MS,
  );

  it(
    "fails the cell whose timer throws after the cell returned",
    async () => {
      const file = syntheticNotebook("timer", [
        { source: 'setTimeout(() => { throw new Error("late from a timer"); }, 0);' },
        { source: 'console.log("next");', outputs: [stdout("next\n")] },
      ]);

      const report = await execute(file);

      expect(report.ok).toBe(false);
      expect(report.cells[0]?.status).toBe("error");
      expect(report.cells[0]?.errors.join("\n")).toContain("Error: late from a timer");
    },
    NOTEBOOK_TEST_TIMEOUT_MS,
  );

  it(
    "fails on async errors of the last cells: an unhandled rejection and a timer 300 ms later",
    async () => {
      const file = syntheticNotebook("late", [
        { source: 'setTimeout(() => { throw new Error("after 300 ms"); }, 300);\n"timer set";' },
        { source: 'Promise.reject(new Error("rejected, never caught"));' },
      ]);

      const report = await execute(file);

      expect(report.ok).toBe(false);
      expect(report.cells[1]?.status).toBe("error");
      expect(report.cells[1]?.errors.join("\n")).toContain("Error: rejected, never caught");
      // The hidden cell after the last one waits for pending timers, so this one is caught too.
      expect(report.afterLastCell.errors.join("\n")).toContain("Error: after 300 ms");
      expect(pipeline.formatReport(report)).toContain("after the last cell");
    },
    NOTEBOOK_TEST_TIMEOUT_MS,
  );

  it(
    "--write saves the outputs in nbformat's layout, and a second run leaves the file byte-identical",
    async () => {
      const file = syntheticNotebook("write", [
        { source: 'console.log("one");\nconsole.log("two");' },
        {
          source: `import { show, richOutput } from ${library};\nshow(richOutput({ "text/plain": "x", "text/markdown": "*x*" }));`,
        },
      ]);

      const first = await execute(file, { write: true });
      const saved = readFileSync(file, "utf8");
      const second = await execute(file, { write: true });

      expect(first.ok && first.written, pipeline.formatReport(first)).toBe(true);
      expect(second.ok && !second.written, pipeline.formatReport(second)).toBe(true);
      expect(readFileSync(file, "utf8")).toBe(saved);
      const cells = (JSON.parse(saved) as { cells: { execution_count: number; outputs: unknown }[] })
        .cells;
      expect(cells.map((cell) => cell.execution_count)).toEqual([1, 2]);
      // Consecutive writes to a stream are stored as one output, as Jupyter's frontends save them.
      expect(cells[0]?.outputs).toEqual([
        { name: "stdout", output_type: "stream", text: ["one\n", "two\n"] },
      ]);
      expect(cells[1]?.outputs).toEqual([
        {
          data: { "text/markdown": ["*x*"], "text/plain": ["x"] },
          metadata: {},
          output_type: "display_data",
        },
      ]);
      expect(saved.startsWith('{\n "cells": [\n  {\n   "cell_type": "code",\n')).toBe(true);
      expect(saved.endsWith("}\n")).toBe(true);
      expect(saved).not.toContain('"execution": {');
    },
    NOTEBOOK_TEST_TIMEOUT_MS,
  );
});

describe("kernel registration and notebook discovery", () => {
  function fakeClone(): string {
    return mkdtempSync(path.join(os.tmpdir(), "distsys-clone-"));
  }

  it("finds only notebooks/NN-<chapter>.ipynb, in order", () => {
    const root = fakeClone();
    mkdirSync(path.join(root, "notebooks"));
    for (const name of ["02-b.ipynb", "01-a.ipynb", "1-short.ipynb", "README.md", "03-c.txt"]) {
      writeFileSync(path.join(root, "notebooks", name), "{}");
    }
    expect(pipeline.notebookPaths(root)).toEqual(["notebooks/01-a.ipynb", "notebooks/02-b.ipynb"]);
  });

  it("re-registers a kernel whose kernel.json starts another clone's tslab", () => {
    const root = fakeClone();
    const kernels = path.join(root, ".jupyter", "share", "jupyter", "kernels", "tslab");
    mkdirSync(kernels, { recursive: true });
    expect(pipeline.kernelProblem(root)).toMatch(/^no tslab kernel is registered/);
    copyFileSync(
      path.join(ROOT, ".jupyter", "share", "jupyter", "kernels", "tslab", "kernel.json"),
      path.join(kernels, "kernel.json"),
    );
    expect(pipeline.kernelProblem(root)).toBe(
      `the tslab kernel starts ${path.join(ROOT, "node_modules", ".bin", "tslab")}, ` +
        `not ${path.join(root, "node_modules", ".bin", "tslab")}`,
    );
    expect(pipeline.kernelProblem(ROOT)).toBeNull();
  });

  it("says to run npm ci when tslab is missing", () => {
    expect(() => pipeline.ensureKernel(fakeClone())).toThrow(
      "tslab is missing from node_modules: run `npm ci`",
    );
  });
});
