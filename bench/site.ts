// `npm run bench:site`: the site's performance figures against the goals of the issue, measured,
// never asserted. README's benchmark section records them.
//
//   1. Cold `npm run build:site` (build:chapters, with its Mermaid prerender in Chromium, then
//      `docusaurus build`), then a warm rebuild for reference.
//   2. JavaScript a page loads before the first Run (gzip), for every chapter page, the landing
//      page and /docs/intro.
//   3. Click-to-output time of the first Run on a fresh page load, and of later runs.
//   4. Lighthouse performance score of the first chapter page: the default (mobile) config, the
//      median of three runs, and the desktop config, one run; both against the goal.
//
// The build runs in a throwaway copy of the files git tracks, as they are in the working tree
// (untracked files are work in progress and are left out, as are generated pages, build/,
// .docusaurus/ and caches), whose node_modules/ holds one symlink per package of the
// repository's node_modules/ but no .cache/: rspack's persistent cache and the Mermaid SVG cache
// start empty, and the repository's own build/, .docusaurus/ and caches (which other work may be
// using) are never touched. Note that TypeDoc, run by the build, type-checks every file
// tsconfig.json includes (tests and benchmarks too): a type error there fails the build.
//
//   tsx bench/site.ts [--keep]   (--keep leaves the temporary copy and prints where it is)

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";

import type { Browser, BrowserContext, Page } from "playwright-core";
import { CHROMIUM_ARGS, CHROMIUM_PATH as CHROMIUM } from "../scripts/chromium.js";

const REPO_ROOT = path.resolve(__dirname, "..");
const GZIP_LEVEL = 9;
const FIRST_RUN_REPETITIONS = 5;
const LATER_RUN_REPETITIONS = 10;
const LIGHTHOUSE_MOBILE_RUNS = 3;
const keep = process.argv.includes("--keep");

interface Goal {
  readonly op: "<=" | ">=";
  readonly value: number;
}

interface Figure {
  readonly name: string;
  readonly value: number;
  readonly digits: number;
  readonly unit: string;
  /** The goal from the issue, or undefined for a figure shown for reference only. */
  readonly goal: Goal | undefined;
  readonly detail: string;
}

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const memoryGiB = Math.round(os.totalmem() / 2 ** 30);
  let chromium = "no Chromium";
  try {
    chromium = execFileSync(CHROMIUM, ["--version"], { encoding: "utf8", stdio: "pipe" })
      .trim()
      .replace(/ built on .*/, "");
  } catch {
    // reported as "no Chromium"
  }
  return `${cpu}, ${os.cpus().length} cores, ${memoryGiB} GiB, Node ${process.version}, ${os.platform()} ${os.release()}, ${chromium}`;
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(" ");
}

function format(figure: Figure): string {
  const value = figure.value.toLocaleString("en-US", {
    minimumFractionDigits: figure.digits,
    maximumFractionDigits: figure.digits,
  });
  const goal =
    figure.goal === undefined
      ? "no goal, for reference"
      : `goal ${figure.goal.op} ${figure.goal.value.toLocaleString("en-US")} (${
          (
            figure.goal.op === "<="
              ? figure.value <= figure.goal.value
              : figure.value >= figure.goal.value
          )
            ? "meets"
            : "BELOW"
        })`;
  return `${figure.name.padEnd(56)} ${value.padStart(9)} ${figure.unit.padEnd(9)} ${goal}; ${figure.detail}`;
}

function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? NaN)
    : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

function list(values: readonly number[], digits = 0): string {
  return values.map((value) => value.toFixed(digits)).join(", ");
}

const kib = (bytes: number): number => bytes / 1024;

// ---------------------------------------------------------------------------------------------
// Processes

const children = new Set<ChildProcess>();

function stopChildren(): void {
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  children.clear();
}

/** Stops a process this script started, by its PID, and waits until it has exited. */
async function stop(child: ChildProcess): Promise<void> {
  children.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}
process.on("SIGINT", () => {
  stopChildren();
  process.exit(130);
});

interface TimedLine {
  readonly ms: number;
  readonly text: string;
}

/** Runs a command to its end; rejects with the tail of its output if it fails. */
function runTimed(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ ms: number; lines: TimedLine[] }> {
  return new Promise((resolve, reject) => {
    const startMs = performance.now();
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    const lines: TimedLine[] = [];
    const collect = (chunk: Buffer): void => {
      const ms = performance.now() - startMs;
      for (const text of chunk.toString("utf8").split("\n")) {
        // eslint-disable-next-line no-control-regex
        const plain = text.replace(/\x1b\[[0-9;]*m/g, "").trimEnd();
        if (plain !== "") lines.push({ ms, text: plain });
      }
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.on("error", reject);
    child.on("close", (code) => {
      children.delete(child);
      const ms = performance.now() - startMs;
      if (code === 0) resolve({ ms, lines });
      else {
        const tail = lines
          .slice(-30)
          .map((line) => line.text)
          .join("\n");
        reject(new Error(`${command} ${args.join(" ")} exited with ${code}:\n${tail}`));
      }
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      const result = await probe();
      if (result !== undefined) return result;
    } catch {
      // not up yet
    }
    if (performance.now() > deadline) throw new Error(`${what}: not ready after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// ---------------------------------------------------------------------------------------------
// 1. Build

function gitFiles(which: "--cached" | "--others"): string[] {
  return execFileSync("git", ["ls-files", "-z", which, "--exclude-standard"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  })
    .split("\0")
    .filter((file) => file !== "");
}

/** A copy of the tracked files (as they are in the working tree) with a cache-less node_modules
 * of symlinks; returns its path. */
function makeCopy(): string {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), "distsys-bench-site-"));
  const files = gitFiles("--cached").filter((file) => fs.existsSync(path.join(REPO_ROOT, file)));
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
    fs.copyFileSync(path.join(REPO_ROOT, file), path.join(copy, file));
  }
  const modules = path.join(REPO_ROOT, "node_modules");
  fs.mkdirSync(path.join(copy, "node_modules"));
  for (const entry of fs.readdirSync(modules)) {
    if (entry === ".cache") continue;
    fs.symlinkSync(path.join(modules, entry), path.join(copy, "node_modules", entry));
  }
  return copy;
}

function seconds(lines: readonly TimedLine[], pattern: RegExp): number | undefined {
  for (const line of lines) {
    const match = pattern.exec(line.text);
    if (match?.[1] !== undefined) {
      const value = Number(match[1]);
      return match[2] === "ms" ? value / 1000 : value;
    }
  }
  return undefined;
}

/** Where the time of `npm run build:site` went, from the timed output and Docusaurus' perf log. */
function buildBreakdown(run: { ms: number; lines: TimedLine[] }): string {
  const chaptersLine = run.lines.find((line) => line.text.startsWith("build-chapters:"));
  const phase = (label: string): string => {
    const value = seconds(
      run.lines,
      new RegExp(`^\\[PERF\\] Build > en > ${label} - ([0-9.]+) (ms|seconds)`),
    );
    return value === undefined ? "?" : value.toFixed(1);
  };
  const parts = [
    chaptersLine === undefined
      ? "build:chapters ?"
      : `build:chapters done at ${(chaptersLine.ms / 1000).toFixed(1)} s`,
    `docusaurus: load site incl. TypeDoc ${phase("Load site")} s`,
    `rspack ${phase("Bundling with rspack")} s`,
    `SSG ${phase("SSG")} s`,
    `postBuild (search index) ${phase("postBuild\\(\\)")} s`,
  ];
  return parts.join(", ");
}

function cacheState(copy: string): string {
  const cache = path.join(copy, "node_modules", ".cache");
  const present = ["rspack", "distsys-mermaid"].filter((name) =>
    fs.existsSync(path.join(cache, name)),
  );
  const generated = [".docusaurus", "build", "site/docs/chapters", "site/api"].filter((name) =>
    fs.existsSync(path.join(copy, name)),
  );
  return `${present.length === 0 ? "rspack and Mermaid caches absent" : `caches present: ${present.join(", ")}`}, ${
    generated.length === 0
      ? "no .docusaurus/, build/ or generated pages"
      : `present: ${generated.join(", ")}`
  }`;
}

async function buildFigures(copy: string): Promise<Figure[]> {
  const untrackedCount = gitFiles("--others").length;
  const untracked = untrackedCount === 0 ? "" : ` (${untrackedCount} untracked files left out)`;
  const env = { ...process.env, DOCUSAURUS_PERF_LOGGER: "true", NO_COLOR: "1", FORCE_COLOR: "0" };
  const before = cacheState(copy);
  progress(`[1/4] cold build: npm run build:site in ${copy} (${before})...`);
  const cold = await runTimed("npm", ["run", "build:site"], copy, env);
  const mermaidCache = path.join(copy, "node_modules", ".cache", "distsys-mermaid");
  const diagrams = fs.existsSync(mermaidCache)
    ? fs.readdirSync(mermaidCache, { withFileTypes: true }).filter((entry) => entry.isFile()).length
    : 0;
  progress(`[1/4] warm rebuild: npm run build:site again (caches kept)...`);
  const warm = await runTimed("npm", ["run", "build:site"], copy, env);
  return [
    {
      name: "cold site build, npm run build:site",
      value: cold.ms / 1000,
      digits: 1,
      unit: "s",
      goal: { op: "<=", value: 60 },
      detail: `cleared: fresh copy of the tracked files${untracked}, ${before}; ${diagrams} Mermaid SVGs (light and dark) drawn in Chromium; ${buildBreakdown(cold)}`,
    },
    {
      name: "warm rebuild, npm run build:site",
      value: warm.ms / 1000,
      digits: 1,
      unit: "s",
      goal: undefined,
      detail: `rspack persistent cache and Mermaid cache kept; ${buildBreakdown(warm)}`,
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// 2. JavaScript per page

interface LoadedScript {
  readonly url: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

/** Records every JavaScript response of a context (pages and their workers), gzipping bodies. */
class ScriptRecorder {
  private readonly pending: Promise<void>[] = [];
  private readonly scripts = new Map<string, LoadedScript>();
  private readonly order: string[] = [];

  constructor(context: BrowserContext) {
    context.on("response", (response) => {
      const url = response.url();
      const type = response.headers()["content-type"] ?? "";
      const isScript =
        /javascript|ecmascript/.test(type) || /\.m?js(\?|$)/.test(new URL(url).pathname);
      if (!isScript || response.status() !== 200) return;
      this.pending.push(
        response.body().then(
          (body) => {
            if (this.scripts.has(url)) return;
            this.order.push(url);
            this.scripts.set(url, {
              url,
              bytes: body.length,
              gzipBytes: zlib.gzipSync(body, { level: GZIP_LEVEL }).length,
            });
          },
          () => undefined,
        ),
      );
    });
  }

  /** All scripts recorded so far, once their bodies are in. */
  async settled(): Promise<LoadedScript[]> {
    await Promise.all(this.pending);
    return this.order.map((url) => this.scripts.get(url)).filter((s) => s !== undefined);
  }
}

function sum(scripts: readonly LoadedScript[]): { bytes: number; gzipBytes: number } {
  return scripts.reduce(
    (total, script) => ({
      bytes: total.bytes + script.bytes,
      gzipBytes: total.gzipBytes + script.gzipBytes,
    }),
    { bytes: 0, gzipBytes: 0 },
  );
}

/** Resolves once React has hydrated the page's first Run button. */
async function waitForHydration(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const button = document.querySelector('button[aria-label="Run cell 1"]');
      return button !== null && Object.keys(button).some((key) => key.startsWith("__reactProps"));
    },
    undefined,
    { timeout: 15_000 },
  );
}

async function openPage(
  browser: Browser,
  url: string,
): Promise<{ context: BrowserContext; page: Page; recorder: ScriptRecorder }> {
  // A fresh context each time: empty HTTP cache, a first visit.
  const context = await browser.newContext();
  const recorder = new ScriptRecorder(context);
  const page = await context.newPage();
  await page.goto(url, { waitUntil: "load" });
  await page.waitForLoadState("networkidle");
  return { context, page, recorder };
}

async function pageWeightFigures(
  browser: Browser,
  base: string,
  chapters: readonly string[],
): Promise<Figure[]> {
  const figures: Figure[] = [];
  const pages = [
    ...chapters.map((chapter) => ({ route: `/docs/chapters/${chapter}`, chapter: true })),
    { route: "/", chapter: false },
    { route: "/docs/intro", chapter: false },
  ];
  for (const [index, { route, chapter }] of pages.entries()) {
    progress(`[2/4] JavaScript loaded by ${route} (${index + 1}/${pages.length})...`);
    const { context, page, recorder } = await openPage(browser, base + route);
    if (chapter) await waitForHydration(page);
    const beforeRun = await recorder.settled();
    const total = sum(beforeRun);
    // Scripts the page ran; the rest were only prefetched (<link rel="prefetch"> of the routes
    // linked from the page, which Docusaurus fetches for links in the viewport).
    const executedUrls = new Set(
      await page.evaluate(() =>
        performance
          .getEntriesByType("resource")
          .filter((entry) => (entry as PerformanceResourceTiming).initiatorType === "script")
          .map((entry) => entry.name),
      ),
    );
    const executed = sum(beforeRun.filter((script) => executedUrls.has(script.url)));
    const biggest = [...beforeRun]
      .sort((a, b) => b.gzipBytes - a.gzipBytes)
      .slice(0, 3)
      .map((s) => `${path.basename(new URL(s.url).pathname)} ${kib(s.gzipBytes).toFixed(0)}`)
      .join(", ");
    let onRun = "";
    if (chapter) {
      // What the first Run adds: the worker and its chunks (sucrase, acorn, the library).
      await page.click('button[aria-label="Run cell 1"]');
      await page.waitForSelector('[data-cell-index="1"][data-state="ok"]', { timeout: 15_000 });
      await page.waitForLoadState("networkidle");
      const afterRun = await recorder.settled();
      const added = sum(afterRun.slice(beforeRun.length));
      onRun = `; the first Run then loads ${afterRun.length - beforeRun.length} more files, ${kib(added.gzipBytes).toFixed(0)} KiB gzip (worker, sucrase, acorn, library)`;
    }
    await context.close();
    figures.push({
      name: `JS before first Run, ${route === "/" ? "landing page /" : route}`,
      value: kib(total.gzipBytes),
      digits: 0,
      unit: "KiB gzip",
      goal: chapter ? { op: "<=", value: 400 } : undefined,
      detail: `all ${beforeRun.length} JS files fetched by load + network idle (1280x720 viewport), ${kib(total.bytes).toFixed(0)} KiB uncompressed, gzipped at level ${GZIP_LEVEL} here; of it run by the page ${kib(executed.gzipBytes).toFixed(0)} KiB gzip (${executedUrls.size} files), only prefetched ${kib(total.gzipBytes - executed.gzipBytes).toFixed(0)} KiB; largest (KiB gzip): ${biggest}${onRun}`,
    });
  }
  return figures;
}

// ---------------------------------------------------------------------------------------------
// 3. Run times, measured in the page from the click to data-state becoming ok

interface RunTiming {
  readonly ms: number;
  readonly state: string;
  readonly status: string;
}

/** Clicks Run on `cell` and returns the page's own click-to-ok time. */
async function timeRun(page: Page, cell: number): Promise<RunTiming> {
  await page.evaluate((cellNumber) => {
    const target = document.querySelector(`[data-cell-index="${cellNumber}"]`);
    if (target === null) throw new Error(`no cell ${cellNumber}`);
    const record: { click?: number; done?: number; state?: string } = {};
    (window as unknown as { __benchRun: typeof record }).__benchRun = record;
    // No named functions in here: tsx wraps them in a __name() helper the page does not have.
    const stopListening = new AbortController();
    document.addEventListener(
      "click",
      (event) => {
        const button = (event.target as Element | null)?.closest(
          `button[aria-label="Run cell ${cellNumber}"]`,
        );
        if (button !== null && button !== undefined && record.click === undefined) {
          record.click = performance.now();
        }
      },
      { capture: true, signal: stopListening.signal },
    );
    new MutationObserver((_, observer) => {
      const state = target.getAttribute("data-state") ?? "";
      if (record.click !== undefined && (state === "ok" || state === "error")) {
        record.done = performance.now();
        record.state = state;
        observer.disconnect();
        stopListening.abort();
      }
    }).observe(target, { attributes: true, attributeFilter: ["data-state"] });
  }, cell);
  await page.click(`button[aria-label="Run cell ${cell}"]`);
  const handle = await page.waitForFunction(
    () => {
      const record = (window as unknown as { __benchRun: { click?: number; done?: number } })
        .__benchRun;
      return record.done !== undefined ? record : undefined;
    },
    undefined,
    { timeout: 15_000 },
  );
  const record = (await handle.jsonValue()) as { click: number; done: number; state: string };
  const status = await page
    .locator(`[data-cell-index="${cell}"] [data-testid="cell-status"]`)
    .innerText();
  return { ms: record.done - record.click, state: record.state, status };
}

async function runFigures(browser: Browser, base: string, chapter: string): Promise<Figure[]> {
  const route = `/docs/chapters/${chapter}`;
  const first: RunTiming[] = [];
  let later: { cell: number; timings: RunTiming[] }[] = [];
  for (let repetition = 1; repetition <= FIRST_RUN_REPETITIONS; repetition++) {
    progress(
      `[3/4] first Run of cell 1 on ${route}, fresh page load ${repetition}/${FIRST_RUN_REPETITIONS}...`,
    );
    const { context, page } = await openPage(browser, base + route);
    await waitForHydration(page);
    first.push(await timeRun(page, 1));
    if (repetition === FIRST_RUN_REPETITIONS) {
      progress(`[3/4] later runs of cells 1 and 2, ${LATER_RUN_REPETITIONS} each...`);
      later = [];
      for (const cell of [1, 2]) {
        await timeRun(page, cell); // warm-up (cell 2's first run)
        const timings: RunTiming[] = [];
        for (let run = 0; run < LATER_RUN_REPETITIONS; run++)
          timings.push(await timeRun(page, cell));
        later.push({ cell, timings });
      }
    }
    await context.close();
  }
  const failed = [...first, ...later.flatMap((l) => l.timings)].filter((t) => t.state !== "ok");
  const failures = failed.length === 0 ? "" : `; ${failed.length} runs ended in error`;
  const firstMs = first.map((t) => t.ms);
  const cellDescriptions: Record<number, string> = {
    1: "cell 1 (the chapter's imports, no output)",
    2: "cell 2 (show(table(...)) of a constant)",
  };
  return [
    {
      name: `first Run, cell 1 of ${chapter}`,
      value: median(firstMs),
      digits: 0,
      unit: "ms",
      goal: { op: "<=", value: 300 },
      detail: `median of ${first.length} fresh page loads (new browser context, empty cache, local server, no throttling), click to data-state ok in the page: ${list(firstMs)} ms; includes fetching the worker, sucrase, acorn and the library; cell reported "${first[0]?.status ?? "?"}"${failures}`,
    },
    ...later.map(({ cell, timings }) => ({
      name: `later runs, cell ${cell} of ${chapter}`,
      value: median(timings.map((t) => t.ms)),
      digits: 0,
      unit: "ms",
      goal: { op: "<=", value: 50 } as Goal,
      detail: `median of ${timings.length} after a warm-up run, ${cellDescriptions[cell] ?? `cell ${cell}`}: ${list(timings.map((t) => t.ms))} ms`,
    })),
  ];
}

// ---------------------------------------------------------------------------------------------
// 4. Lighthouse

interface LighthouseAudit {
  numericValue?: number;
  details?: unknown;
  scoreDisplayMode?: string;
  errorMessage?: string;
}
interface LighthouseResult {
  categories: { performance?: { score: number | null } };
  audits: Record<string, LighthouseAudit | undefined>;
  environment?: { benchmarkIndex?: number };
  runtimeError?: { code: string; message: string };
  runWarnings?: string[];
  configSettings?: { formFactor?: string; throttlingMethod?: string };
}

/** Starts Chromium with a DevTools port of its own; returns the port and the process. */
async function startDebuggableChromium(
  profile: string,
): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    CHROMIUM,
    [
      ...CHROMIUM_ARGS,
      `--remote-debugging-port=${port}`,
      "--remote-debugging-address=127.0.0.1",
      `--user-data-dir=${profile}`,
      "about:blank",
    ],
    { stdio: "ignore" },
  );
  children.add(child);
  await waitFor("Chromium DevTools endpoint", 20_000, async () => {
    const response = await fetch(`http://127.0.0.1:${port}/json/version`);
    return response.ok ? true : undefined;
  });
  return { port, child };
}

async function lighthouseFigures(url: string, workDir: string): Promise<Figure[]> {
  const { default: lighthouse } = await import("lighthouse");
  const { default: desktopConfig } = await import("lighthouse/core/config/desktop-config.js");
  const goal: Goal = { op: ">=", value: 90 };
  const runs = [
    ...Array.from({ length: LIGHTHOUSE_MOBILE_RUNS }, () => ({
      label: "mobile",
      config: undefined,
    })),
    { label: "desktop", config: desktopConfig },
  ];
  const results: { label: string; score: number; detail: string }[] = [];
  for (const [index, run] of runs.entries()) {
    progress(`[4/4] Lighthouse ${run.label} on ${url} (${index + 1}/${runs.length})...`);
    // A fresh Chromium (and profile) per run, started here and stopped by its own PID.
    const profile = fs.mkdtempSync(path.join(workDir, "lighthouse-profile-"));
    const { port, child } = await startDebuggableChromium(profile);
    try {
      const startMs = performance.now();
      const result = await lighthouse(
        url,
        {
          port,
          hostname: "127.0.0.1",
          logLevel: "error",
          output: "json",
          onlyCategories: ["performance"],
        },
        run.config,
      );
      const seconds = (performance.now() - startMs) / 1000;
      const lhr = result?.lhr as LighthouseResult | undefined;
      if (lhr === undefined) throw new Error("Lighthouse returned no result");
      if (lhr.runtimeError !== undefined) {
        throw new Error(`Lighthouse: ${lhr.runtimeError.code}: ${lhr.runtimeError.message}`);
      }
      const metric = (id: string): number => lhr.audits[id]?.numericValue ?? NaN;
      const score = (lhr.categories.performance?.score ?? NaN) * 100;
      const warnings = lhr.runWarnings ?? [];
      // Audits that failed (Lighthouse 12.2 reads traces of a newer Chromium imperfectly); the
      // score needs only the five metrics (a missing one would print as NaN).
      const errored = Object.entries(lhr.audits).filter(
        ([, audit]) => audit?.scoreDisplayMode === "error",
      );
      const erroredText =
        errored.length === 0
          ? ""
          : `, ${errored.length} audits errored (${errored
              .map(([id]) => id)
              .slice(0, 4)
              .join(
                ", ",
              )}${errored.length > 4 ? ", ..." : ""}: ${(errored[0]?.[1]?.errorMessage ?? "").slice(0, 110)})`;
      results.push({
        label: run.label,
        score,
        detail: `FCP ${(metric("first-contentful-paint") / 1000).toFixed(2)} s, LCP ${(metric("largest-contentful-paint") / 1000).toFixed(2)} s, TBT ${metric("total-blocking-time").toFixed(0)} ms, CLS ${metric("cumulative-layout-shift").toFixed(3)}, SI ${(metric("speed-index") / 1000).toFixed(2)} s (LCP element: ${lcpElement(lhr)}; ${lhr.configSettings?.throttlingMethod ?? "?"} throttling, benchmarkIndex ${lhr.environment?.benchmarkIndex?.toFixed(0) ?? "?"}${warnings.length === 0 ? "" : `, warnings: ${warnings.join(" / ")}`}${erroredText}, ${seconds.toFixed(0)} s)`,
      });
    } catch (error) {
      results.push({
        label: run.label,
        score: NaN,
        detail: `could not run: ${(error as Error).message.split("\n")[0]}`,
      });
    } finally {
      await stop(child);
    }
  }
  const setup = `lighthouse 12.2.3 driving ${path.basename(CHROMIUM)} started here with --remote-debugging-port and the usual flags, performance category only`;
  return ["mobile", "desktop"].map((label) => {
    const ofLabel = results.filter((result) => result.label === label);
    const scores = ofLabel.map((result) => result.score);
    const middle = median(scores);
    // The metrics of the run whose score is the median (the first such run).
    const representative =
      ofLabel.find((result) => result.score === middle) ??
      [...ofLabel].sort((a, b) => Math.abs(a.score - middle) - Math.abs(b.score - middle))[0];
    const config = label === "mobile" ? "default config, mobile" : "desktop config";
    return {
      name: `Lighthouse performance, ${label}, ${new URL(url).pathname}`,
      value: middle,
      digits: 0,
      unit: "score",
      goal,
      detail: `${ofLabel.length === 1 ? "one run" : `median of ${ofLabel.length} runs (${list(scores)})`}, ${config}; ${representative?.detail ?? "no run"}; ${setup}`,
    };
  });
}

/** What Lighthouse names as the largest contentful paint element. */
function lcpElement(lhr: LighthouseResult): string {
  const details = lhr.audits["largest-contentful-paint-element"]?.details as
    { items?: { items?: { node?: { nodeLabel?: string; selector?: string } }[] }[] } | undefined;
  const node = details?.items?.[0]?.items?.[0]?.node;
  if (node === undefined) return "not reported";
  const label = (node.nodeLabel ?? "").replace(/\s+/g, " ").slice(0, 40);
  return `${node.selector ?? "?"} "${label}"`;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const startMs = performance.now();
  console.log(`distsys site benchmarks on ${machine()}`);
  const loadBefore = loadAverage();
  const figures: Figure[] = [];
  progress(`[0/4] copying the tracked files to a temporary directory...`);
  const copy = makeCopy();
  let server: ChildProcess | undefined;
  let browser: Browser | undefined;
  try {
    figures.push(...(await buildFigures(copy)));

    const buildDir = path.join(copy, "build");
    const chapters = fs
      .readdirSync(path.join(buildDir, "docs", "chapters"))
      .filter((file) => file.endsWith(".html"))
      .map((file) => file.replace(/\.html$/, ""))
      .sort();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    progress(`[2/4] serving ${buildDir} on ${base}...`);
    server = spawn(
      process.execPath,
      [
        path.join(copy, "node_modules", "@docusaurus", "core", "bin", "docusaurus.mjs"),
        "serve",
        "--dir",
        buildDir,
        "--port",
        String(port),
        "--host",
        "127.0.0.1",
        "--no-open",
      ],
      { cwd: copy, stdio: "ignore" },
    );
    children.add(server);
    await waitFor("docusaurus serve", 30_000, async () => {
      const response = await fetch(`${base}/`);
      return response.ok ? true : undefined;
    });

    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    figures.push(...(await pageWeightFigures(browser, base, chapters)));
    const firstChapter = chapters[0];
    if (firstChapter !== undefined)
      figures.push(...(await runFigures(browser, base, firstChapter)));
    await browser.close();
    browser = undefined;

    if (firstChapter !== undefined) {
      figures.push(...(await lighthouseFigures(`${base}/docs/chapters/${firstChapter}`, copy)));
    }
  } finally {
    await browser?.close().catch(() => undefined);
    if (server !== undefined) await stop(server);
    stopChildren();
    if (keep) progress(`kept the copy at ${copy}`);
    else {
      try {
        fs.rmSync(copy, { recursive: true, force: true, maxRetries: 3 });
      } catch (error) {
        progress(`could not remove ${copy}: ${(error as Error).message}`);
      }
    }
  }
  for (const figure of figures) console.log(format(figure));
  console.log(
    `load average (1, 5, 15 min) before ${loadBefore}, after ${loadAverage()}; whole run ${((performance.now() - startMs) / 1000).toFixed(0)} s`,
  );
}

main().catch((error: unknown) => {
  stopChildren();
  console.error(error);
  process.exit(1);
});
