// The one place that says which Chromium the project drives and how: Debian's build, headless,
// with the flags this sandboxed, offline machine needs (RECIPES: no background networking).

/** Debian's Chromium, unless CHROMIUM_PATH names another. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Flags for every launch: headless, no sandbox (root), and no calls home on a closed network. */
export const CHROMIUM_ARGS: string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
