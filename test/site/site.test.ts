// The built site in a real browser: builds it as `npm run build:site` does (into a temporary
// folder), serves it on a free port and drives Debian's Chromium through playwright-core.
// Chapters are discovered from notebooks/NN-*.ipynb, as scripts/build-chapters.ts discovers them,
// so every new chapter is covered without editing this file. Checks: pages load without console
// errors; every Mermaid diagram shows an SVG in light and dark mode; offline search finds chapters;
// every runnable cell's Run prints what the executed notebook recorded (site/src/cell-runtime's
// output-text rule); an infinite loop is stopped; errors name their line; light and dark
// screenshots of the first chapter go to test-artifacts/site/.

import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { type Browser, type BrowserContext, type Page, chromium } from "playwright-core";
import { type TestContext, afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  type CellOutput,
  appendOutput,
  isTextOutput,
  outputsFromNotebook,
  outputsText,
} from "../../site/src/cell-runtime/outputs.js";
import {
  NOTEBOOK_NAME,
  type NotebookCell,
  joinSource,
  mermaidFences,
  tagsOf,
} from "../../scripts/build-chapters.js";
import { CHROMIUM_ARGS, CHROMIUM_PATH as CHROMIUM } from "../../scripts/chromium.js";

const ROOT = process.cwd();
const NOTEBOOKS_DIR = path.join(ROOT, "notebooks");
const GENERATED_DIR = path.join(ROOT, "site", "docs", "chapters");
const ARTIFACTS_DIR = path.join(ROOT, "test-artifacts", "site");
/** Building the site takes 20-25 s here; far longer while other test files load the machine. */
const SETUP_TIMEOUT_MS = 240_000;
const TEST_TIMEOUT_MS = 90_000;
/** One cell's run, including loading the worker (transpiler and library) on the first Run. */
const CELL_RUN_TIMEOUT_MS = 30_000;
/** The stop message of the time limit (site/src/cell-runtime/session.ts, CELL_TIME_LIMIT_MS 10 s). */
const STOP_MESSAGE = /^stopped after \d+ s: the cell did not finish; the page scope was reset\n$/;
/**
 * For work on this file only: a folder holding a finished `docusaurus build` to serve instead of
 * building (the chapter pages in site/docs/chapters must match it).
 */
const REUSE_BUILD_VARIABLE = "DISTSYS_SITE_TEST_BUILD_DIR";
/**
 * A search term and the chapter it must find: a word of that chapter's prose that no other chapter
 * uses ("idempotency" was one until several chapters discussed retries; then it matched more pages
 * than the search box lists, and chapter 1 fell off its suggestions).
 */
const SEARCH_PROBE = { term: "homogeneous", chapter: "01-fallacies" } as const;

// ---------------------------------------------------------------------------------------------
// Chapters, as scripts/build-chapters.ts reads them

/** A code cell as the chapter page shows it. */
interface PageCell {
  /** 1-based position among the page's cells: data-cell-index, "Run cell N". */
  number: number;
  /** 0-based index in the notebook's cells: data-notebook-index. */
  notebookIndex: number;
  firstLine: string;
  outputs: CellOutput[];
  nondeterministic: boolean;
}

interface Chapter {
  /** The notebook's name without .ipynb: the page is /docs/chapters/<id>. */
  id: string;
  cells: PageCell[];
  /** Diagrams the page draws: ```mermaid fences and recorded text/vnd.mermaid outputs. */
  diagrams: number;
}

function readChapter(file: string): Chapter {
  const notebook = JSON.parse(fs.readFileSync(path.join(NOTEBOOKS_DIR, file), "utf8")) as {
    cells: NotebookCell[];
  };
  const cells: PageCell[] = [];
  let diagrams = 0;
  for (const [index, cell] of notebook.cells.entries()) {
    const source = joinSource(cell.source);
    if (cell.cell_type === "markdown") {
      diagrams += mermaidFences(source).length;
    }
    // The generator leaves out hidden and empty code cells.
    if (cell.cell_type !== "code" || tagsOf(cell).includes("hide") || source.trim() === "") {
      continue;
    }
    const outputs = outputsFromNotebook(cell.outputs ?? []);
    diagrams += outputs.filter(
      (output) =>
        output.output_type === "display_data" && output.data["text/vnd.mermaid"] !== undefined,
    ).length;
    cells.push({
      number: cells.length + 1,
      notebookIndex: index,
      firstLine: source.trim().split("\n")[0] ?? "",
      outputs,
      nondeterministic: tagsOf(cell).includes("nondeterministic"),
    });
  }
  return { id: file.replace(/\.ipynb$/, ""), cells, diagrams };
}

const chapters: Chapter[] = fs.existsSync(NOTEBOOKS_DIR)
  ? fs
      .readdirSync(NOTEBOOKS_DIR)
      .filter((name) => NOTEBOOK_NAME.test(name))
      .sort()
      .map(readChapter)
  : [];
const chapterPath = (id: string): string => `/docs/chapters/${id}`;

// ---------------------------------------------------------------------------------------------
// Build, serve, browser

let buildDir: string | undefined;
let browser: Browser | undefined;
let baseUrl = "";
const contexts: BrowserContext[] = [];
/** Processes this file started that have not exited: each leads a process group of its own. */
const running = new Set<ChildProcess>();

/** Starts `node <args>` in the repository as the leader of a new process group. */
function startNode(args: string[], env: NodeJS.ProcessEnv): ChildProcess & { output: string } {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  }) as ChildProcess & { output: string };
  child.output = "";
  running.add(child);
  child.on("exit", () => running.delete(child));
  child.stdout?.on("data", (chunk: Buffer) => (child.output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (child.output += chunk.toString()));
  return child;
}

const hasExited = (child: ChildProcess): boolean =>
  child.exitCode !== null || child.signalCode !== null;

/** Signals a process started here and its whole group (a build may start Chromium, say). */
function stopGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || hasExited(child)) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Runs `node <args>`; rejects with one line naming the step and its last output line. */
function runNode(step: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = startNode(args, env);
    child.on("error", (error) => reject(new Error(`${step} could not start: ${error.message}`)));
    child.on("exit", (code, signal) => {
      if (code === 0) return resolve();
      const lines = child.output.trim().split("\n");
      const last = lines.filter((line) => line.trim() !== "").at(-1) ?? "(no output)";
      reject(
        new Error(
          `${step} failed (${signal ?? `exit code ${String(code)}`}): ${last.trim()}\n` +
            lines.slice(-30).join("\n"),
        ),
      );
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts `docusaurus serve` on a free port and waits until it answers. A port taken between
 * finding it and binding it makes the server exit: then it tries another port.
 */
async function startServer(dir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const cli = path.join(ROOT, "node_modules/@docusaurus/core/bin/docusaurus.mjs");
  let failure = "";
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = startNode(
      [cli, "serve", "--dir", dir, "--port", String(port), "--host", "127.0.0.1", "--no-open"],
      env,
    );
    const deadline = Date.now() + 60_000;
    while (!hasExited(child)) {
      try {
        if ((await fetch(`${url}/`)).ok) {
          baseUrl = url;
          return;
        }
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        throw new Error(`docusaurus serve did not answer on ${url} in 60 s: ${child.output}`);
      }
      await new Promise((wake) => setTimeout(wake, 100));
    }
    failure = child.output.trim().split("\n").slice(-5).join(" | ");
  }
  throw new Error(`docusaurus serve exited before answering, 3 times: ${failure}`);
}

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install it with apt-get install chromium (or set CHROMIUM_PATH)`,
    );
  }
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" };
  delete env.NODE_ENV; // vitest sets "test"; Docusaurus must build for production
  const reused = process.env[REUSE_BUILD_VARIABLE];
  if (reused === undefined || reused === "") {
    buildDir = fs.mkdtempSync(path.join(os.tmpdir(), "distsys-site-test-"));
  }
  const dir = buildDir ?? path.resolve(reused ?? "");
  const build = async (): Promise<void> => {
    if (buildDir === undefined) return; // serving a finished build (REUSE_BUILD_VARIABLE)
    await runNode(
      "npm run build:chapters (scripts/build-chapters.ts)",
      [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), "scripts/build-chapters.ts"],
      env,
    );
    await runNode(
      "docusaurus build",
      [
        path.join(ROOT, "node_modules/@docusaurus/core/bin/docusaurus.mjs"),
        "build",
        "--out-dir",
        dir,
      ],
      env,
    );
  };
  const launch = chromium
    .launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    .catch((error: unknown) => {
      throw new Error(`Chromium at ${CHROMIUM} did not start: ${String(error).split("\n")[0]}`);
    });
  // The browser starts while the site builds; both must succeed (and both finish before failing,
  // so that no build is left writing into a folder afterAll removes).
  const [launched, built] = await Promise.allSettled([launch, build()]);
  if (launched.status === "fulfilled") browser = launched.value;
  if (built.status === "rejected") throw built.reason;
  if (launched.status === "rejected") throw launched.reason;
  await startServer(dir, env);
}, SETUP_TIMEOUT_MS);

// Should this process end without afterAll (a crash, a kill), leave no server or build behind.
process.on("exit", () => {
  for (const child of running) stopGroup(child, "SIGKILL");
});

afterAll(async () => {
  await Promise.all(contexts.map((context) => context.close().catch(() => undefined)));
  await browser?.close();
  // The server, and a build still going if beforeAll timed out: stop them and wait until they have.
  await Promise.all(
    [...running].map(async (child) => {
      if (hasExited(child)) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      stopGroup(child, "SIGTERM");
      const timer = setTimeout(() => stopGroup(child, "SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }),
  );
  if (buildDir !== undefined) fs.rmSync(buildDir, { recursive: true, force: true });
}, 30_000);

// ---------------------------------------------------------------------------------------------
// Page helpers

/** What the page side sees of the cell worker: runs posted to it and outputs it sent back. */
interface CellLog {
  runs: { runId: number; cellNumber: number; code: string }[];
  outputs: { runId: number; output: CellOutput }[];
}
type LoggedWindow = { __distsysCellLog: CellLog };

/**
 * Installed before the page's scripts: wraps Worker so that the test reads the exact outputs a
 * cell's run produced (display bundles included), not only what the DOM shows of them.
 */
function logCellWorker(): void {
  const log: CellLog = { runs: [], outputs: [] };
  (window as unknown as LoggedWindow).__distsysCellLog = log;
  const BaseWorker = window.Worker;
  window.Worker = class extends BaseWorker {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      this.addEventListener("message", (event: MessageEvent) => {
        const data = event.data as { type?: string; runId: number; output: CellOutput };
        if (data.type === "output") log.outputs.push({ runId: data.runId, output: data.output });
      });
    }
    override postMessage(
      message: unknown,
      second?: Transferable[] | StructuredSerializeOptions,
    ): void {
      const run = message as { type?: string; runId: number; cellNumber: number; code: string };
      if (run.type === "run") {
        log.runs.push({ runId: run.runId, cellNumber: run.cellNumber, code: run.code });
      }
      super.postMessage(message, second as StructuredSerializeOptions);
    }
  };
}

interface OpenPage {
  page: Page;
  /** Console errors, page errors, HTTP errors and failed requests, with the page URL. */
  problems: string[];
}

/**
 * A page in a fresh browser context (own storage, own problem list), closed when the test ends.
 * `test` is the test's context, whose onTestFinished closes it.
 */
async function openPage(
  test: TestContext,
  colorScheme: "light" | "dark" = "light",
): Promise<OpenPage> {
  if (browser === undefined) throw new Error("the browser did not start (see beforeAll)");
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme });
  contexts.push(context);
  test.onTestFinished(() => context.close().catch(() => undefined));
  await context.addInitScript(logCellWorker);
  const page = await context.newPage();
  const problems: string[] = [];
  const where = (): string => new URL(page.url()).pathname;
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error on ${where()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error on ${where()}: ${error.message}`));
  page.on("response", (response) => {
    if (response.status() >= 400) {
      problems.push(`HTTP ${response.status()} on ${where()}: ${response.url()}`);
    }
  });
  page.on("requestfailed", (request) => {
    const reason = request.failure()?.errorText ?? "failed";
    // ERR_ABORTED: a request cut short by our own navigation or close, not a broken resource
    // (a missing one answers 404 and is caught above).
    if (reason !== "net::ERR_ABORTED") {
      problems.push(`request failed on ${where()}: ${request.url()} (${reason})`);
    }
  });
  return { page, problems };
}

const COLOR_TOGGLE = 'button[aria-label^="Switch between dark and light mode"]';

/** Navigates and waits for React to hydrate (the color-mode toggle is disabled until then). */
async function gotoHydrated(page: Page, urlPath: string): Promise<void> {
  await page.goto(baseUrl + urlPath, { waitUntil: "load" });
  await page.locator(`${COLOR_TOGGLE}:not([disabled])`).waitFor({ timeout: 30_000 });
}

const theme = (page: Page): Promise<string | null> =>
  page.evaluate(() => document.documentElement.getAttribute("data-theme"));

/** Clicks the navbar's color-mode toggle (system, light, dark, ...) until the page is in `mode`. */
async function switchColorMode(page: Page, mode: "light" | "dark"): Promise<string | null> {
  const toggle = page.locator(COLOR_TOGGLE);
  for (let clicks = 0; clicks < 3 && (await theme(page)) !== mode; clicks++) {
    const label = await toggle.getAttribute("aria-label");
    await toggle.click();
    await page.waitForFunction(
      ([selector, before]) =>
        document.querySelector(selector)?.getAttribute("aria-label") !== before,
      [COLOR_TOGGLE, label] as const,
    );
  }
  return theme(page);
}

const cellSelector = (n: number): string => `[data-cell-index="${n}"]`;
const outputSelector = (n: number): string => `${cellSelector(n)} [data-testid="cell-output"]`;

const cellState = (page: Page, n: number): Promise<string | null> =>
  page.locator(cellSelector(n)).getAttribute("data-state");

/** Each block of a cell's output area: its kind and, except for diagrams, its innerText. */
function outputBlocks(page: Page, n: number): Promise<{ kind: string; text: string }[]> {
  return page.locator(outputSelector(n)).evaluate((area) =>
    Array.from(area.children).map((block) => {
      const kind = (block as HTMLElement).dataset.outputType ?? "text";
      return { kind, text: kind === "mermaid" ? "" : (block as HTMLElement).innerText };
    }),
  );
}

interface RunResult {
  state: string | null;
  /** outputsText() of the outputs the worker sent for this run (display bundles included). */
  liveText: string;
  /** innerText of the output area. */
  areaText: string;
}

/** Clicks "Run cell N" and waits until that cell is ok or error. */
async function runCell(page: Page, n: number): Promise<RunResult> {
  await page.getByRole("button", { name: `Run cell ${n}`, exact: true }).click();
  await page.waitForFunction(
    (selector) => {
      const state = document.querySelector(selector)?.getAttribute("data-state");
      return state === "ok" || state === "error";
    },
    cellSelector(n),
    { timeout: CELL_RUN_TIMEOUT_MS },
  );
  const outputs = await page.evaluate((cellNumber) => {
    const log = (window as unknown as LoggedWindow).__distsysCellLog;
    const run = log.runs.filter((r) => r.cellNumber === cellNumber).at(-1);
    return run === undefined
      ? []
      : log.outputs.filter((o) => o.runId === run.runId).map((o) => o.output);
  }, n);
  const live = outputs.reduce<CellOutput[]>((all, output) => appendOutput(all, output), []);
  return {
    state: await cellState(page, n),
    liveText: outputsText(live),
    areaText: await page.locator(outputSelector(n)).innerText(),
  };
}

/** Relative luminance (0 black .. 1 white) of a CSS rgb() color. */
function luminance(color: string): number {
  const [r = 0, g = 0, b = 0] = (color.match(/[\d.]+/g) ?? []).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}

interface DiagramView {
  svgs: number;
  /** Index (among the diagram's SVGs) of each SVG that is shown. */
  visible: number[];
  /** Computed `fill` of the shown SVG: Mermaid's base text color of its theme. */
  fill: string;
}

/** Every diagram of the page: build-time ones and any Mermaid renders in the browser. */
function diagramViews(page: Page): Promise<DiagramView[]> {
  return page.evaluate(() =>
    Array.from(
      document.querySelectorAll(
        '[data-output-type="mermaid"], .docusaurus-mermaid-container:not([data-output-type="mermaid"] *)',
      ),
    ).map((diagram) => {
      const svgs = Array.from(diagram.querySelectorAll("svg")).filter(
        (svg) => svg.parentElement?.closest("svg") === null,
      );
      const visible = svgs.flatMap((svg, i) =>
        svg.checkVisibility() && svg.getBoundingClientRect().width > 0 ? [i] : [],
      );
      const shown = svgs[visible[0] ?? -1];
      return {
        svgs: svgs.length,
        visible,
        fill: shown === undefined ? "" : getComputedStyle(shown).fill,
      };
    }),
  );
}

/** A PNG file's signature, size in pixels and size in bytes. */
function pngInfo(file: string): {
  signature: string;
  width: number;
  height: number;
  bytes: number;
} {
  const data = fs.readFileSync(file);
  return {
    signature: data.subarray(1, 4).toString("latin1"),
    width: data.readUInt32BE(16),
    height: data.readUInt32BE(20),
    bytes: data.length,
  };
}

/** A chapter's title as the generator wrote it into the page's front matter. */
function chapterTitle(id: string): string {
  const mdx = fs.readFileSync(path.join(GENERATED_DIR, `${id}.mdx`), "utf8");
  const title = /^title: (".*")$/m.exec(mdx)?.[1];
  if (title === undefined) throw new Error(`no title in the front matter of ${id}.mdx`);
  return JSON.parse(title) as string;
}

// ---------------------------------------------------------------------------------------------
// Tests. The groups run one after another; the tests of a group run at the same time, each in a
// browser context of its own (so each collects only its own page's problems).

describe("the built site in Chromium", () => {
  it("finds chapter notebooks, and the generator made a page of each", () => {
    expect(
      chapters.map((c) => c.id),
      "notebooks/NN-<chapter>.ipynb",
    ).not.toEqual([]);
    const generated = fs
      .readdirSync(GENERATED_DIR)
      .filter((name) => name.endsWith(".mdx"))
      .map((name) => name.replace(/\.mdx$/, ""))
      .sort();
    expect(generated, "site/docs/chapters/*.mdx written by scripts/build-chapters.ts").toEqual(
      chapters.map((c) => c.id),
    );
  });

  describe("pages, diagrams, search and screenshots", () => {
    const first = chapters[0];
    const pages = ["/", "/docs/intro", "/api", "/quiz", ...chapters.map((c) => chapterPath(c.id))];
    for (const urlPath of pages) {
      it.concurrent(
        `${urlPath} loads with no console error, page error or failed request`,
        async (test) => {
          const { expect } = test;
          const { page, problems } = await openPage(test);
          await gotoHydrated(page, urlPath);
          await page.waitForLoadState("networkidle");
          expect(await page.locator("h1").count(), `${urlPath} has a heading`).toBeGreaterThan(0);
          expect(problems).toEqual([]);
        },
        TEST_TIMEOUT_MS,
      );
    }

    for (const chapter of chapters) {
      it.concurrent(
        `${chapter.id}: every Mermaid diagram shows its SVG in light and in dark mode`,
        async (test) => {
          const { expect } = test;
          const { page, problems } = await openPage(test, "light");
          await gotoHydrated(page, chapterPath(chapter.id));
          expect(await theme(page)).toBe("light");
          const light = await diagramViews(page);
          expect(light.length, "diagrams on the page = mermaid fences + recorded diagrams").toBe(
            chapter.diagrams,
          );
          if (chapter === chapters[0]) expect(light.length).toBeGreaterThan(0);
          expect(await switchColorMode(page, "dark"), "html[data-theme] after the toggle").toBe(
            "dark",
          );
          const dark = await diagramViews(page);
          expect(dark.length).toBe(light.length);
          for (const [i, view] of light.entries()) {
            const darkView = dark[i] as DiagramView;
            const name = `diagram ${i + 1} of ${light.length}`;
            expect(view.svgs, `${name}: drawn at build time in both variants`).toBe(2);
            expect(view.visible, `${name}: one SVG shown in light mode`).toHaveLength(1);
            expect(darkView.visible, `${name}: one SVG shown in dark mode`).toHaveLength(1);
            expect(darkView.visible, `${name}: dark mode shows the other variant`).not.toEqual(
              view.visible,
            );
            // Mermaid's neutral theme writes dark text (#000), its dark theme light text (#ccc).
            expect(luminance(view.fill), `${name}: light variant, fill ${view.fill}`).toBeLessThan(
              0.5,
            );
            expect(
              luminance(darkView.fill),
              `${name}: dark variant, fill ${darkView.fill}`,
            ).toBeGreaterThan(0.5);
          }
          expect(problems).toEqual([]);
        },
        TEST_TIMEOUT_MS,
      );
    }

    /** Types `term` into the navbar search box and opens the suggestion that names `title`. */
    async function searchAndOpen(page: Page, term: string, title: string): Promise<string> {
      const input = page.locator(".navbar__search-input");
      await input.click();
      await input.fill(term);
      const option = page.locator("[role=listbox] [role=option]").filter({ hasText: title });
      await option.first().waitFor({ timeout: 20_000 });
      // Choose it with the keyboard, as a reader without a mouse would: a click may land while
      // the list re-renders (long titles match many sections) and find the option detached.
      // The selected option is read in one evaluation, so a re-render cannot detach it midway.
      const selectedText = (): Promise<string | null> =>
        page.evaluate(
          () =>
            document.querySelector("[role=listbox] [role=option][aria-selected=true]")
              ?.textContent ?? null,
        );
      const optionsCount = await page.locator("[role=listbox] [role=option]").count();
      let chosen = await selectedText();
      for (let presses = 0; presses <= optionsCount && !(chosen ?? "").includes(title); presses++) {
        await input.press("ArrowDown");
        chosen = await selectedText();
      }
      if (!(chosen ?? "").includes(title)) {
        throw new Error(
          `search for "${term}": arrow keys never selected "${title}" (last: ${chosen})`,
        );
      }
      await input.press("Enter");
      await page.waitForURL((url) => url.pathname.startsWith("/docs/chapters/"));
      return new URL(page.url()).pathname;
    }

    it.concurrent(
      `offline search finds ${SEARCH_PROBE.chapter} by "${SEARCH_PROBE.term}"`,
      async (test) => {
        const { expect } = test;
        const { page, problems } = await openPage(test);
        await gotoHydrated(page, "/");
        const title = chapterTitle(SEARCH_PROBE.chapter);
        expect(await searchAndOpen(page, SEARCH_PROBE.term, title)).toBe(
          chapterPath(SEARCH_PROBE.chapter),
        );
        expect(problems).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );

    it.concurrent(
      "offline search finds every chapter by its title",
      async (test) => {
        const { expect } = test;
        const { page, problems } = await openPage(test);
        for (const chapter of chapters) {
          await gotoHydrated(page, "/docs/intro");
          // The search box truncates long titles in its suggestions (about 50 characters), and
          // a long query of many words finds nothing: search for the title's first words.
          const fullTitle = chapterTitle(chapter.id);
          const title =
            fullTitle.length <= 40 ? fullTitle : fullTitle.slice(0, fullTitle.lastIndexOf(" ", 40));
          expect(await searchAndOpen(page, title, title), `search for "${title}"`).toBe(
            chapterPath(chapter.id),
          );
        }
        expect(problems).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );

    it.concurrent(
      `${first?.id ?? "the first chapter"}: full-page screenshots in light and dark mode are saved under test-artifacts/site/`,
      async (test) => {
        const { expect } = test;
        const id = first?.id ?? "none";
        const { page, problems } = await openPage(test, "light");
        await gotoHydrated(page, chapterPath(id));
        await page.waitForLoadState("networkidle");
        await page.evaluate(() => document.fonts.ready.then(() => undefined));
        fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
        const files: string[] = [];
        for (const mode of ["light", "dark"] as const) {
          expect(await switchColorMode(page, mode)).toBe(mode);
          const file = path.join(ARTIFACTS_DIR, `${id}-${mode}.png`);
          fs.rmSync(file, { force: true });
          await page.screenshot({ path: file, fullPage: true });
          const png = pngInfo(file);
          expect(png.signature, `${file} is a PNG`).toBe("PNG");
          expect(png.bytes, `${file} bytes`).toBeGreaterThan(50_000);
          expect(png.width).toBe(1280);
          expect(png.height, "a full page is taller than the window").toBeGreaterThan(900);
          files.push(file);
        }
        const [light, dark] = files.map((file) => fs.readFileSync(file));
        expect(light?.equals(dark as Buffer), "the dark screenshot differs from the light").toBe(
          false,
        );
        expect(problems).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );

    // Issue 9: "a one-page printable cheat sheet".
    it.concurrent(
      "09g-cheat-sheet: printed to A4 it is one page holding every table, without editors or navigation",
      async (test) => {
        const { expect } = test;
        const sheet = chapters.find((chapter) => chapter.id === "09g-cheat-sheet");
        expect(sheet, "notebooks/09g-cheat-sheet.ipynb exists").toBeDefined();
        // The text of every recorded table cell (<th> and <td>), as the notebook stored it.
        const cellTexts = (sheet?.cells ?? []).flatMap((cell) =>
          cell.outputs.flatMap((output) => {
            if (output.output_type !== "display_data") return [];
            const source = output.data["text/html"] ?? "";
            return [...source.matchAll(/<t[hd][^>]*>([^<]*)<\/t[hd]>/g)].map((m) =>
              (m[1] ?? "")
                .replace(/&gt;/g, ">")
                .replace(/&lt;/g, "<")
                .replace(/&amp;/g, "&")
                .trim(),
            );
          }),
        );
        expect(cellTexts.length, "the notebook recorded its tables").toBeGreaterThan(7 * 3 * 3);
        const { page, problems } = await openPage(test);
        await gotoHydrated(page, chapterPath("09g-cheat-sheet"));
        await page.emulateMedia({ media: "print" });
        await page.evaluate(() => document.fonts.ready.then(() => undefined));
        const pdf = (await page.pdf({ format: "A4" })).toString("latin1");
        const pages = pdf.match(/\/Type\s*\/Page(?!s)/g) ?? [];
        expect(pages.length, "pages of the printed cheat sheet").toBe(1);
        // What print shows: innerText leaves out everything display: none.
        const printed = await page.locator("article").innerText();
        expect(await page.locator("article table").count()).toBe(7);
        for (const text of cellTexts) {
          expect(printed, `printed page shows "${text}"`).toContain(text);
        }
        for (const hidden of ["show(table(", "Run", "Runnable page", "Output recorded"]) {
          expect(printed, `printed page hides "${hidden}"`).not.toContain(hidden);
        }
        const chrome = await page.evaluate(() =>
          [".navbar", ".theme-doc-sidebar-container", ".footer", ".pagination-nav"].filter(
            (selector) => {
              const element = document.querySelector(selector);
              return element !== null && element.getClientRects().length > 0;
            },
          ),
        );
        expect(chrome, "site chrome shown in print").toEqual([]);
        expect(problems).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );
  });

  describe("runnable cells", () => {
    const first = chapters[0];
    const firstPath = chapterPath(first?.id ?? "none");
    const editor = (page: Page, n: number) => page.locator(`${cellSelector(n)} textarea`);

    for (const chapter of chapters) {
      it.concurrent(
        `${chapter.id}: every runnable cell, run in page order`,
        async (test) => {
          const { expect } = test;
          const { page, problems } = await openPage(test);
          await gotoHydrated(page, chapterPath(chapter.id));
          const onPage = await page.locator("[data-cell-index]").evaluateAll((cells) =>
            cells.map((cell) => ({
              number: Number(cell.getAttribute("data-cell-index")),
              notebookIndex: Number(cell.getAttribute("data-notebook-index")),
            })),
          );
          expect(onPage, "runnable cells on the page: the notebook's shown code cells").toEqual(
            chapter.cells.map(({ number, notebookIndex }) => ({ number, notebookIndex })),
          );
          for (const cell of chapter.cells) {
            const name = `cell ${cell.number} (notebook cell ${cell.notebookIndex}: ${cell.firstLine})`;
            const expected = outputsText(cell.outputs);
            const allText = cell.outputs.every(isTextOutput);
            const recordedBlocks = await outputBlocks(page, cell.number);
            if (allText) {
              const recorded = await page.locator(outputSelector(cell.number)).innerText();
              expect.soft(recorded, `${name}: recorded output area`).toBe(expected);
            }
            const result = await runCell(page, cell.number);
            const failed = cell.outputs.some((output) => output.output_type === "error");
            expect(result.state, `${name} ran: ${result.areaText}`).toBe(failed ? "error" : "ok");
            if (cell.nondeterministic) continue; // timings vary: it must run, not match
            expect.soft(result.liveText, `${name}: text of the live outputs`).toBe(expected);
            if (allText) expect.soft(result.areaText, `${name}: output area`).toBe(expected);
            // Rich outputs: each block shows what the recorded one shows; live diagrams get an SVG.
            const liveBlocks = await outputBlocks(page, cell.number);
            expect.soft(liveBlocks, `${name}: rendered blocks`).toEqual(recordedBlocks);
            if (liveBlocks.some((block) => block.kind === "mermaid")) {
              await page.waitForFunction(
                (selector) =>
                  Array.from(
                    document.querySelectorAll(`${selector} [data-output-type="mermaid"]`),
                  ).every((diagram) => diagram.querySelector("svg") !== null),
                outputSelector(cell.number),
                { timeout: 20_000 },
              );
            }
          }
          expect(problems).toEqual([]);
        },
        TEST_TIMEOUT_MS,
      );
    }

    it.concurrent(
      `${first?.id ?? "the first chapter"}: a syntax error and a runtime error are reported with their line in the cell`,
      async (test) => {
        const { expect } = test;
        const { page, problems } = await openPage(test);
        await gotoHydrated(page, firstPath);
        await editor(page, 1).fill("const a = 1;\nconst b = ;\nconsole.log(a + b);");
        const syntax = await runCell(page, 1);
        expect(syntax.state).toBe("error");
        expect(syntax.areaText).toMatch(/^SyntaxError: .*\(line 2\)\n$/);
        await editor(page, 1).fill(
          "const a = 1;\nconst b = 2;\nthrow new RangeError(`bad ${a + b}`);",
        );
        const runtime = await runCell(page, 1);
        expect(runtime.state).toBe("error");
        expect(runtime.areaText).toBe("RangeError: bad 3 (line 3)\n");
        expect(problems).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );

    // Alone: it times a stop, so it must not share the machine with the tests around it.
    it(
      `${first?.id ?? "the first chapter"}: an infinite loop is stopped, the page stays responsive, and the next Run works`,
      async (test) => {
        const { expect } = test;
        expect(first?.cells.length, "the first chapter has a runnable cell").toBeGreaterThan(0);
        const { page, problems } = await openPage(test);
        await gotoHydrated(page, firstPath);
        // Load the worker first so that the loop starts as soon as Run is clicked.
        expect((await runCell(page, 1)).state).toBe("ok");
        await editor(page, 1).fill("while (true) {}");
        const started = Date.now();
        await page.getByRole("button", { name: "Run cell 1", exact: true }).click();
        await page.waitForFunction(() =>
          (window as unknown as LoggedWindow).__distsysCellLog.runs.some((run) =>
            run.code.startsWith("while"),
          ),
        );
        // The worker spins; the page's main thread still draws frames and handles a click (the
        // color-mode toggle). A loop on the main thread would hold both until the 10 s limit.
        const frameMs = await page.evaluate(
          () =>
            new Promise<number>((resolve) => {
              const t0 = performance.now();
              requestAnimationFrame(() =>
                requestAnimationFrame(() => resolve(performance.now() - t0)),
              );
            }),
        );
        expect(frameMs, "two animation frames while the loop runs (ms)").toBeLessThan(2_000);
        await page.evaluate((selector) => {
          document.addEventListener(
            "click",
            () => {
              const state = document.querySelector(selector)?.getAttribute("data-state");
              document.documentElement.dataset.stateAtClick = state ?? "none";
            },
            { capture: true, once: true },
          );
        }, cellSelector(1));
        const label = await page.locator(COLOR_TOGGLE).getAttribute("aria-label");
        await page.locator(COLOR_TOGGLE).click();
        await page.waitForFunction(
          ([selector, before]) =>
            document.querySelector(selector)?.getAttribute("aria-label") !== before,
          [COLOR_TOGGLE, label] as const,
        );
        expect(
          await page.evaluate(() => document.documentElement.dataset.stateAtClick),
          "the cell's state when the page handled the click",
        ).toBe("running");
        await page.waitForFunction(
          (selector) => document.querySelector(selector)?.getAttribute("data-state") === "error",
          cellSelector(1),
          { timeout: 15_000 },
        );
        const stoppedMs = Date.now() - started;
        expect(await page.locator(outputSelector(1)).innerText()).toMatch(STOP_MESSAGE);
        // The limit is 10 s (CELL_TIME_LIMIT_MS); 3 s of slack for a loaded machine.
        expect(stoppedMs, "stopped within 13 s of Run").toBeLessThan(13_000);
        // The scope was reset; the notebook's code runs again as recorded.
        await page.getByRole("button", { name: "Revert cell 1", exact: true }).click();
        const again = await runCell(page, 1);
        expect(again.state).toBe("ok");
        if (first !== undefined && first.cells[0]?.nondeterministic !== true) {
          expect(again.liveText).toBe(outputsText(first.cells[0]?.outputs ?? []));
        }
        expect(problems).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );
  });

  // -------------------------------------------------------------------------------------------
  // The flashcards quiz (/quiz): site/src/pages/quiz.tsx, scheduled by src/interview/spaced-repetition.ts.
  describe("the flashcards quiz", () => {
    const QUIZ = "/quiz";
    const card = (page: Page) => page.locator("article[data-card-id]");
    const cardId = (page: Page): Promise<string | null> => card(page).getAttribute("data-card-id");
    const progressLine = (page: Page): Promise<string> =>
      page.getByTestId("quiz-progress").innerText();
    const answerBox = (page: Page) => page.locator("#quiz-answer");
    /** The counts of the progress line: "Due now: 0 · New: 95 · Reviewed: 0 · Mastered: 0". */
    async function counts(page: Page): Promise<Record<string, number>> {
      const text = await progressLine(page);
      return Object.fromEntries(
        [...text.matchAll(/([A-Za-z ]+):\s*(\d+)/g)].map((m) => [
          (m[1] as string).trim(),
          Number(m[2]),
        ]),
      );
    }
    /** The focused element: its tag, id and text, and whether it shows an outline. */
    const focused = (page: Page) =>
      page.evaluate(() => {
        const element = document.activeElement as HTMLElement | null;
        const style = element === null ? undefined : getComputedStyle(element);
        return {
          tag: element?.tagName.toLowerCase() ?? "",
          id: element?.id ?? "",
          text: element?.innerText ?? "",
          ring:
            style !== undefined &&
            style.outlineStyle !== "none" &&
            Number.parseFloat(style.outlineWidth) >= 2,
        };
      });
    async function openQuiz(test: TestContext, colorScheme: "light" | "dark" = "light") {
      const opened = await openPage(test, colorScheme);
      await gotoHydrated(opened.page, QUIZ);
      await card(opened.page).waitFor({ timeout: 20_000 });
      return opened;
    }
    /** Presses Tab (from where the focus is) until `selector` has the focus; fails after 60. */
    async function tabTo(page: Page, selector: string): Promise<void> {
      for (let presses = 0; presses < 60; presses++) {
        if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) {
          return;
        }
        await page.keyboard.press("Tab");
      }
      throw new Error(`60 presses of Tab never reached ${selector}`);
    }

    it.concurrent(
      "keyboard only: answer, reveal (Ctrl+Enter), grade (key 3); progress survives a reload and the card is not due again",
      async (test) => {
        const { expect } = test;
        const { page, problems } = await openQuiz(test);
        const before = await counts(page);
        expect(before["Reviewed"]).toBe(0);
        expect(before["New"]).toBeGreaterThanOrEqual(80);
        const first = await cardId(page);
        const question = await page.locator("#quiz-question").innerText();

        await tabTo(page, "#quiz-answer");
        expect((await focused(page)).ring, "the answer box shows a focus ring").toBe(true);
        await page.keyboard.type("Partial failure 1234");
        expect(await answerBox(page).inputValue(), "digits type into the box").toBe(
          "Partial failure 1234",
        );
        expect(await page.getByTestId("quiz-answer").count(), "typing did not reveal").toBe(0);

        await page.keyboard.press("Control+Enter");
        await page.getByTestId("quiz-answer").waitFor();
        expect(await answerBox(page).inputValue(), "Ctrl+Enter typed nothing").toBe(
          "Partial failure 1234",
        );
        const afterReveal = await focused(page);
        expect(afterReveal.tag, "after reveal the focus is on a grade button").toBe("button");
        expect(afterReveal.text).toContain("Good");
        expect(afterReveal.ring, "the grade button shows a focus ring").toBe(true);
        const sectionLink = page.getByTestId("quiz-answer").locator("a");
        expect(await sectionLink.getAttribute("href")).toMatch(/^\/docs\/chapters\/\d{2}/);

        await page.keyboard.press("3"); // Good
        await page.waitForFunction(
          (id) =>
            document.querySelector("article[data-card-id]")?.getAttribute("data-card-id") !== id,
          first,
        );
        const afterGrade = await focused(page);
        expect(afterGrade.id, "after grading the focus is in the next card's answer box").toBe(
          "quiz-answer",
        );
        expect(await answerBox(page).inputValue(), "the next card's box is empty").toBe("");
        const graded = await counts(page);
        expect(graded).toEqual({ ...before, New: (before["New"] as number) - 1, Reviewed: 1 });
        const second = await cardId(page);
        const nextQuestion = await page.locator("#quiz-question").innerText();
        expect(nextQuestion).not.toBe(question);
        expect(
          await page.getByRole("status").innerText(),
          "aria-live names the new card",
        ).toContain(nextQuestion);

        await gotoHydrated(page, QUIZ); // a reload
        await card(page).waitFor();
        expect(await counts(page), "the progress line after a reload").toEqual(graded);
        expect(await cardId(page), "the graded card is not due again right away").toBe(second);
        const stored = await page.evaluate(() => localStorage.getItem("distsys:flashcards-quiz"));
        expect(JSON.parse(stored ?? "null")).toMatchObject({
          version: 1,
          cards: { [first as string]: { reviewsCount: 1, repetitions: 1, intervalDays: 1 } },
        });
        expect(problems).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );

    it.concurrent(
      "keyboard only: Reveal and the grades are buttons reached by Tab and pressed with Enter",
      async (test) => {
        const { expect } = test;
        const { page, problems } = await openQuiz(test);
        const first = await cardId(page);
        await tabTo(page, "#quiz-answer");
        await page.keyboard.press("Tab");
        const reveal = await focused(page);
        expect(reveal.text).toContain("Reveal answer");
        expect(reveal.ring, "the Reveal button shows a focus ring").toBe(true);
        await page.keyboard.press("Enter");
        await page.getByTestId("quiz-answer").waitFor();
        await page.keyboard.press("Shift+Tab"); // from Good back to Hard
        expect((await focused(page)).text).toContain("Hard");
        await page.keyboard.press("Enter");
        await page.waitForFunction(
          (id) =>
            document.querySelector("article[data-card-id]")?.getAttribute("data-card-id") !== id,
          first,
        );
        expect((await counts(page))["Reviewed"]).toBe(1);
        expect((await focused(page)).id).toBe("quiz-answer");
        expect(problems).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );

    it.concurrent(
      "Reset asks first (Escape keeps the progress), then clears it, after a reload too",
      async (test) => {
        const { expect } = test;
        const { page, problems } = await openQuiz(test);
        const fresh = await counts(page);
        const first = await cardId(page);
        await page.getByRole("button", { name: /^Reveal answer/ }).click();
        await page.getByRole("button", { name: /Easy/ }).click();
        await page.waitForFunction(
          (id) =>
            document.querySelector("article[data-card-id]")?.getAttribute("data-card-id") !== id,
          first,
        );
        const graded = await counts(page);
        expect(graded["Reviewed"]).toBe(1);

        await tabTo(page, "button[data-quiz-reset]");
        await page.keyboard.press("Enter");
        expect((await focused(page)).text, "the confirm step focuses the safe choice").toContain(
          "Keep progress",
        );
        await page.keyboard.press("Escape");
        expect((await focused(page)).text).toContain("Reset progress");
        expect(await counts(page), "Escape kept the progress").toEqual(graded);

        await page.keyboard.press("Enter");
        await page.keyboard.press("Shift+Tab"); // from Keep progress to Erase progress
        expect((await focused(page)).text).toContain("Erase progress");
        await page.keyboard.press("Enter");
        expect(await counts(page), "Reset cleared the progress").toEqual(fresh);
        expect(await cardId(page), "the first card is new again").toBe(first);
        expect((await focused(page)).id).toBe("quiz-answer");

        await gotoHydrated(page, QUIZ); // a reload
        await card(page).waitFor();
        expect(await counts(page), "still cleared after a reload").toEqual(fresh);
        expect(await page.evaluate(() => localStorage.getItem("distsys:flashcards-quiz"))).toBe(
          null,
        );
        expect(problems).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );

    it.concurrent(
      "damaged saved progress: the page starts afresh and says why, with no console error",
      async (test) => {
        const { expect } = test;
        const { page, problems } = await openQuiz(test);
        await page.evaluate(() => localStorage.setItem("distsys:flashcards-quiz", "{oops"));
        await gotoHydrated(page, QUIZ); // a reload
        await card(page).waitFor();
        expect(await page.getByRole("alert").innerText()).toMatch(
          /^Your saved progress could not all be read: not JSON .*; starting afresh\.$/,
        );
        expect((await counts(page))["Reviewed"]).toBe(0);
        expect(problems).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );

    it.concurrent(
      "the chapter filter shows only that chapter's cards and counts",
      async (test) => {
        const { expect } = test;
        const { FLASHCARDS } = await import("../../src/interview/flashcards.js");
        const { page, problems } = await openQuiz(test);
        const chapter = FLASHCARDS.at(-1)?.link.page as string;
        const ids = FLASHCARDS.filter((c) => c.link.page === chapter).map((c) => c.id);
        await page.getByLabel("Chapter").selectOption(chapter);
        expect(await cardId(page)).toBe(ids[0]);
        expect((await counts(page))["New"]).toBe(ids.length);
        expect(problems).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );

    it.concurrent(
      "renders in light and in dark mode (Infima colors) without console errors",
      async (test) => {
        const { expect } = test;
        const { page, problems } = await openQuiz(test, "light");
        const colors = () =>
          page.evaluate(() => {
            const get = (selector: string, property: "backgroundColor" | "color") =>
              getComputedStyle(document.querySelector(selector) as Element)[property];
            return {
              card: get("article[data-card-id]", "backgroundColor"),
              box: get("#quiz-answer", "backgroundColor"),
              text: get("#quiz-question", "color"),
            };
          });
        expect(await theme(page)).toBe("light");
        const light = await colors();
        expect(luminance(light.card), `light card ${light.card}`).toBeGreaterThan(0.5);
        expect(luminance(light.box), `light answer box ${light.box}`).toBeGreaterThan(0.5);
        expect(luminance(light.text), `light text ${light.text}`).toBeLessThan(0.5);
        expect(await switchColorMode(page, "dark")).toBe("dark");
        const dark = await colors();
        expect(luminance(dark.card), `dark card ${dark.card}`).toBeLessThan(0.5);
        expect(luminance(dark.box), `dark answer box ${dark.box}`).toBeLessThan(0.5);
        expect(luminance(dark.text), `dark text ${dark.text}`).toBeGreaterThan(0.5);
        expect(problems).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );

    it.concurrent(
      'the "All N cards" list, rendered on the server, has one link per card to its section',
      async (test) => {
        const { expect } = test;
        const { FLASHCARDS } = await import("../../src/interview/flashcards.js");
        // The HTML as served, before any script runs: what the site build checked for broken links.
        const html = await (await fetch(baseUrl + QUIZ)).text();
        expect(html).toContain(`All ${FLASHCARDS.length} cards`);
        const served = [
          ...html.matchAll(/<li data-card-id="?([^\s">]+)"?>.*?<a href="?([^\s">]+)"?/g),
        ].map((m) => ({ id: m[1], hrefs: [m[2]] }));
        const { page, problems } = await openQuiz(test);
        const summary = page.locator("details summary", { hasText: /^All \d+ cards$/ });
        expect(await summary.innerText()).toBe(`All ${FLASHCARDS.length} cards`);
        const listed = await page.locator("details li[data-card-id]").evaluateAll((items) =>
          items.map((item) => ({
            id: item.getAttribute("data-card-id"),
            hrefs: Array.from(item.querySelectorAll("a")).map((a) => a.getAttribute("href")),
          })),
        );
        const expected = FLASHCARDS.map((c) => ({
          id: c.id,
          hrefs: [
            `/docs/chapters/${c.link.page}${c.link.anchor === "" ? "" : `#${c.link.anchor}`}`,
          ],
        }));
        expect(listed, "the list in the page").toEqual(expected);
        expect(served, "the list in the served HTML").toEqual(expected);
        expect(problems).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );
  });
});
