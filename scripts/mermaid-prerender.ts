// Draws Mermaid diagrams to SVG at build time (light and dark, with the site's Mermaid themes) in
// headless Chromium, so chapter pages show their diagrams before any JavaScript runs and do not
// load Mermaid's ~210 KiB gzip of JS. Used by scripts/build-chapters.ts. Results are cached by
// source and theme in node_modules/.cache/distsys-mermaid. Without Chromium (or with
// DISTSYS_MERMAID_PRERENDER=0) it returns nothing and the pages draw diagrams in the browser.

import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { CHROMIUM_ARGS } from "./chromium.js";

const REPO_ROOT = path.resolve(__dirname, "..");
const CACHE_DIR = path.join(REPO_ROOT, "node_modules", ".cache", "distsys-mermaid");
const MERMAID_SCRIPT = path.join(REPO_ROOT, "node_modules", "mermaid", "dist", "mermaid.min.js");
/** The site's Mermaid themes (docusaurus.config.ts, themeConfig.mermaid.theme). */
export const MERMAID_THEMES = { light: "neutral", dark: "dark" } as const;
const RENDER_TIME_LIMIT_MS = 60_000;

/** A diagram drawn in both color modes. */
export interface MermaidSvgs {
  readonly light: string;
  readonly dark: string;
}

type Mode = keyof typeof MERMAID_THEMES;

function keyOf(source: string, mode: Mode): string {
  const version = readMermaidVersion();
  return crypto
    .createHash("sha256")
    .update(`${version}\n${MERMAID_THEMES[mode]}\n${source}`)
    .digest("hex")
    .slice(0, 16);
}

let mermaidVersion: string | undefined;
function readMermaidVersion(): string {
  if (mermaidVersion === undefined) {
    const pkg = path.join(REPO_ROOT, "node_modules", "mermaid", "package.json");
    mermaidVersion = fs.existsSync(pkg)
      ? (JSON.parse(fs.readFileSync(pkg, "utf8")) as { version: string }).version
      : "missing";
  }
  return mermaidVersion;
}

function chromiumPath(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  return candidates.find((file): file is string => file !== undefined && fs.existsSync(file));
}

/**
 * SVGs for each source, or undefined for all of them when diagrams cannot be drawn here (the
 * reason goes to `warn`). A source Mermaid rejects is left out of the map (drawn, with its error,
 * in the browser).
 */
export async function prerenderMermaid(
  sources: readonly string[],
  warn: (message: string) => void,
): Promise<Map<string, MermaidSvgs> | undefined> {
  const unique = [...new Set(sources)];
  if (unique.length === 0) return new Map();
  if (process.env.DISTSYS_MERMAID_PRERENDER === "0") return undefined;
  const cached = new Map<string, string>();
  const missing: { source: string; mode: Mode; key: string }[] = [];
  for (const source of unique) {
    for (const mode of ["light", "dark"] as const) {
      const key = keyOf(source, mode);
      const file = path.join(CACHE_DIR, `${key}.svg`);
      if (fs.existsSync(file)) cached.set(key, fs.readFileSync(file, "utf8"));
      else missing.push({ source, mode, key });
    }
  }
  if (missing.length > 0) {
    const executablePath = chromiumPath();
    if (executablePath === undefined || !fs.existsSync(MERMAID_SCRIPT)) {
      warn(
        "build-chapters: Mermaid diagrams will be drawn in the browser (no Chromium at /usr/bin/chromium or CHROMIUM_PATH, or no mermaid package)",
      );
      return undefined;
    }
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      page.setDefaultTimeout(RENDER_TIME_LIMIT_MS);
      await page.setContent("<!doctype html><html><head></head><body></body></html>");
      await page.addScriptTag({ path: MERMAID_SCRIPT });
      fs.mkdirSync(CACHE_DIR, { recursive: true });
      for (const mode of ["light", "dark"] as const) {
        const jobs = missing.filter((job) => job.mode === mode);
        if (jobs.length === 0) continue;
        const rendered = await page.evaluate(
          async ({ theme, jobs }) => {
            type MermaidApi = {
              initialize(config: object): void;
              render(id: string, text: string): Promise<{ svg: string }>;
            };
            const mermaid = (globalThis as unknown as { mermaid: MermaidApi }).mermaid;
            mermaid.initialize({ startOnLoad: false, theme });
            const results: { key: string; svg?: string; error?: string }[] = [];
            for (const job of jobs) {
              try {
                const { svg } = await mermaid.render(`mermaid-svg-${job.key}`, job.source);
                results.push({ key: job.key, svg });
              } catch (error) {
                results.push({ key: job.key, error: String(error) });
              }
            }
            return results;
          },
          { theme: MERMAID_THEMES[mode], jobs: jobs.map(({ key, source }) => ({ key, source })) },
        );
        for (const result of rendered) {
          if (result.svg === undefined) {
            warn(`build-chapters: a Mermaid diagram did not render (${result.error ?? "unknown"})`);
            continue;
          }
          cached.set(result.key, result.svg);
          fs.writeFileSync(path.join(CACHE_DIR, `${result.key}.svg`), result.svg);
        }
      }
    } finally {
      await browser.close();
    }
  }
  const svgs = new Map<string, MermaidSvgs>();
  for (const source of unique) {
    const light = cached.get(keyOf(source, "light"));
    const dark = cached.get(keyOf(source, "dark"));
    if (light !== undefined && dark !== undefined) svgs.set(source, { light, dark });
  }
  return svgs;
}
