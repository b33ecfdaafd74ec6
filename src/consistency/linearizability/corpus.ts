// The Porcupine corpus (data/porcupine, MIT): reading its files in Node and in the browser.
// Conformance data for the checker (Athalye's Porcupine test_data; Jepsen etcd runs).

import { invalidArgument } from "../../sim/assert.js";

/** The Porcupine key-value histories; the name says the verdict ("ok" or "bad"). */
export const porcupineKvHistoryNames: readonly string[] = [
  "kv/c01-ok.txt",
  "kv/c01-bad.txt",
  "kv/c10-ok.txt",
  "kv/c10-bad.txt",
  "kv/c50-ok.txt",
  "kv/c50-bad.txt",
];

/**
 * The 103 Jepsen etcd logs, `jepsen/etcd_000.log` to `jepsen/etcd_102.log` (a browser cannot
 * list a directory). `etcd_095.log` is empty: that run's cluster never started.
 */
export const porcupineEtcdLogNames: readonly string[] = Array.from(
  { length: 103 },
  (_, i) => `jepsen/etcd_${String(i).padStart(3, "0")}.log`,
);

/**
 * The Jepsen etcd logs that Porcupine's own tests expect to be linearizable (etcd_095, empty,
 * is trivially so); all the others are expected not to be.
 */
export const porcupineEtcdLinearizableLogNames: readonly string[] = [
  2, 5, 7, 18, 25, 31, 38, 45, 48, 49, 51, 53, 56, 67, 75, 76, 80, 87, 92, 95, 98, 100, 101, 102,
].map((i) => `jepsen/etcd_${String(i).padStart(3, "0")}.log`);

interface NodeFs {
  readFile(path: string, encoding: "utf8"): Promise<string>;
}

interface NodeProcess {
  versions?: { node?: string };
  getBuiltinModule?(id: string): unknown;
}

/**
 * Node's fs/promises when running in Node, else undefined. `process.getBuiltinModule` (Node >=
 * 20.16) needs no import statement, so bundlers never see `node:fs` and the browser bundle stays
 * clean; it works the same from src/ (vitest, tsx) and from dist/ (CommonJS, notebooks).
 */
function nodeFs(): NodeFs | undefined {
  const process = (globalThis as { process?: NodeProcess }).process;
  if (typeof process?.versions?.node !== "string") return undefined;
  if (typeof process.getBuiltinModule !== "function") {
    throw new Error(`reading the corpus needs Node >= 20.16, got ${process.versions.node}`);
  }
  return process.getBuiltinModule("node:fs/promises") as NodeFs;
}

/**
 * Reads a file of the Porcupine corpus by its path under `data/porcupine`, e.g.
 * `"kv/c01-ok.txt"` or `"jepsen/etcd_002.log"`. In Node it reads the package's
 * `data/porcupine`; in a browser it fetches `/porcupine/<path>` (the site serves `data/`).
 *
 * @example
 * const text = await readPorcupineFile("jepsen/etcd_002.log");
 * const result = checkEvents(registerModel, parseJepsenEtcdLog(text));
 */
export async function readPorcupineFile(relativePath: string): Promise<string> {
  if (
    typeof relativePath !== "string" ||
    !/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)*$/.test(relativePath) ||
    relativePath.split("/").some((part) => part === "." || part === "..")
  ) {
    throw invalidArgument(
      "relativePath",
      'a path under data/porcupine such as "kv/c01-ok.txt" (letters, digits, "_", "-", "." and "/")',
      relativePath,
    );
  }
  const fs = nodeFs();
  if (fs !== undefined) {
    // This file sits three folders below the package root, in src/ and in dist/ alike.
    return fs.readFile(`${__dirname}/../../../data/porcupine/${relativePath}`, "utf8");
  }
  const response = await fetch(`/porcupine/${relativePath}`);
  if (!response.ok) {
    throw new Error(`fetching /porcupine/${relativePath} failed: HTTP ${response.status}`);
  }
  return response.text();
}
