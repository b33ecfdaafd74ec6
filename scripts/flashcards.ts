// Exports the flashcards (src/interview/flashcards.ts) as a file for Anki's text import, each
// answer ending with a link to its section on the site (issue 9, "npm run flashcards").
//
//   npm run flashcards [-- --out FILE] [--site-url URL] [--deck NAME]
//
// --out defaults to distsys-flashcards.txt in the directory npm was run from; --site-url to the
// url and baseUrl of docusaurus.config.ts; --deck to "distsys". Exit code 0 on success, 2 for bad
// arguments. In Anki: File > Import, choose the file (Anki 2.1.55 or later reads its headers).

import fs from "node:fs";
import path from "node:path";

import { FLASHCARDS, flashcardsToAnki } from "../src/interview/flashcards.js";

/** The command line of the exporter, parsed. */
export interface FlashcardsArgs {
  readonly out: string;
  /** Undefined: taken from docusaurus.config.ts. */
  readonly siteUrl?: string;
  readonly deck?: string;
  readonly help: boolean;
}

export const FLASHCARDS_USAGE =
  "usage: npm run flashcards [-- --out FILE] [--site-url URL] [--deck NAME]\n" +
  "  --out FILE       where to write the Anki import file (default distsys-flashcards.txt)\n" +
  "  --site-url URL   the site the answers link to (default: url + baseUrl of docusaurus.config.ts)\n" +
  "  --deck NAME      the Anki deck (default distsys)";

const VALUE_FLAGS = ["--out", "--site-url", "--deck"] as const;

/**
 * Parses the exporter's arguments; throws with a message naming a bad or unknown flag.
 *
 * @example
 * parseFlashcardsArgs(["--out", "cards.txt"]); // { out: "cards.txt", help: false }
 */
export function parseFlashcardsArgs(argv: readonly string[]): FlashcardsArgs {
  const values = new Map<string, string>();
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    const [flag, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    if (!(VALUE_FLAGS as readonly string[]).includes(flag)) {
      throw new Error(
        `unknown option "${arg}"; allowed: --out FILE, --site-url URL, --deck NAME, --help`,
      );
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value === "" || (inline === undefined && value.startsWith("--"))) {
      throw new Error(`option ${flag} needs a value`);
    }
    if (values.has(flag)) throw new Error(`option ${flag} given twice`);
    values.set(flag, value);
  }
  const siteUrl = values.get("--site-url");
  const deck = values.get("--deck");
  return {
    out: values.get("--out") ?? "distsys-flashcards.txt",
    ...(siteUrl === undefined ? {} : { siteUrl }),
    ...(deck === undefined ? {} : { deck }),
    help,
  };
}

/** The site's absolute URL from docusaurus.config.ts (`url` plus `baseUrl`), without a trailing slash. */
export function siteUrlFromConfig(configText: string): string {
  const url = /^\s*url:\s*"([^"]+)"/m.exec(configText)?.[1];
  const baseUrl = /^\s*baseUrl:\s*"([^"]*)"/m.exec(configText)?.[1] ?? "/";
  if (url === undefined) throw new Error('docusaurus.config.ts has no `url: "..."` line');
  return `${url.replace(/\/+$/, "")}${baseUrl}`.replace(/\/+$/, "");
}

function main(): void {
  let args: FlashcardsArgs;
  try {
    args = parseFlashcardsArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`flashcards: ${(error as Error).message}\n${FLASHCARDS_USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (args.help) {
    process.stdout.write(`${FLASHCARDS_USAGE}\n`);
    return;
  }
  let text: string;
  try {
    const siteUrl =
      args.siteUrl ??
      siteUrlFromConfig(
        fs.readFileSync(path.resolve(__dirname, "../docusaurus.config.ts"), "utf8"),
      );
    text = flashcardsToAnki(FLASHCARDS, {
      siteUrl,
      ...(args.deck === undefined ? {} : { deck: args.deck }),
    });
  } catch (error) {
    process.stderr.write(`flashcards: ${(error as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  // npm run starts scripts in the package root; INIT_CWD is the directory the user ran it from.
  const out = path.resolve(process.env.INIT_CWD ?? process.cwd(), args.out);
  fs.writeFileSync(out, text, "utf8");
  process.stdout.write(`wrote ${FLASHCARDS.length} flashcards to ${out}\n`);
}

if (require.main === module) main();
