// The fuzz runner: many seeded fault schedules against Raft or Paxos, a progress bar, the pass rate
// and, for every failing seed, the one command that replays it (as TigerBeetle's VOPR reports).
//
//   npm run fuzz -- <raft|paxos|multi-paxos> [--seeds N] [--from S] [--seed S] [--servers N]
//                   [--snapshot-every N] [--pre-vote] [--check-quorum] [--leases] [--membership]
//                   [--break]
//
// --seeds N runs seeds S..S+N-1 (default 1000, from S = 1); --seed S replays one seed and prints
// its whole error; --servers sets Raft's cluster size (else drawn from the seed); --snapshot-every
// makes Raft's servers snapshot every N applied entries (log compaction, §7); --pre-vote,
// --check-quorum, --leases (leader leases, clocks drifting within the 1 % bound, lease safety
// checked) and --membership (random single-server changes) turn on the thesis's extensions of
// Raft; --break switches
// on the bug the fuzz must catch (Raft: commit old-term entries by counting, Figure 8; Paxos: an
// acceptor forgets its promise on restart). Exit code 0 if every case passed, 1 if any failed, 2
// for bad arguments.

import { runPaxosFuzzCase } from "../src/consensus/paxos/fuzz.js";
import { runRaftFuzzCase } from "../src/consensus/raft/fuzz.js";
import { InvariantViolation, describeValue } from "../src/sim/assert.js";
import { SEED_MAX } from "../src/sim/random.js";

/** The protocols the runner knows, as named on the command line. */
export const FUZZ_PROTOCOLS = ["raft", "paxos", "multi-paxos"] as const;
export type FuzzProtocol = (typeof FUZZ_PROTOCOLS)[number];

/** Parsed command line of the fuzz runner. */
export interface FuzzArgs {
  readonly protocol: FuzzProtocol;
  /** First seed of the run. */
  readonly from: number;
  /** Number of seeds: from .. from + seeds - 1 (1 when replaying a single seed). */
  readonly seeds: number;
  /** True when --seed replays one seed: the whole error is printed. */
  readonly single: boolean;
  /** Raft's cluster size (undefined: drawn from each seed). */
  readonly servers?: number;
  /** Raft's log compaction: a snapshot every this many applied entries (undefined: off). */
  readonly snapshotEvery?: number;
  /** Raft's extensions switched on (thesis §9.6, §6.2, §6.4.1, §4.1); none by default. */
  readonly raftExtensions?: readonly RaftExtension[];
  /** The "break it" switch the fuzz must catch. */
  readonly breakIt: boolean;
  readonly help: boolean;
}

/** Raft's optional extensions, as flags of the runner. */
export const RAFT_EXTENSIONS = ["pre-vote", "check-quorum", "leases", "membership"] as const;
export type RaftExtension = (typeof RAFT_EXTENSIONS)[number];

/** One case's outcome, whichever the protocol. */
export interface FuzzCaseOutcome {
  readonly seed: number;
  readonly ok: boolean;
  /** "safety" for an invariant violation, "failure" for anything else (no progress, a crash). */
  readonly kind?: "safety" | "failure";
  readonly message?: string;
}

/** Where the runner writes, and its wall clock (injected so tests can drive it). */
export interface FuzzIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Progress bar updated in place on a terminal; a line every 10 % otherwise. */
  readonly stderrIsTty: boolean;
  readonly nowMs: () => number;
}

/** What a run found. */
export interface FuzzSummary {
  readonly exitCode: 0 | 1;
  readonly passed: number;
  readonly failures: readonly FuzzCaseOutcome[];
}

export const FUZZ_USAGE =
  "usage: npm run fuzz -- <raft|paxos|multi-paxos> [--seeds N] [--from S] [--seed S] " +
  "[--servers N] [--snapshot-every N] [--pre-vote] [--check-quorum] [--leases] [--membership] " +
  "[--break]";

const SEEDS_DEFAULT = 1_000;
const SERVERS_MAX = 9;
const FAILURES_SHOWN_MAX = 10;
const BAR_WIDTH = 30;
const TTY_REFRESH_MS = 100;
const FLAGS_WITH_VALUE = ["--seeds", "--from", "--seed", "--servers", "--snapshot-every"];
const SNAPSHOT_EVERY_MAX = 1_000_000;
const EXTENSION_FLAGS = RAFT_EXTENSIONS.map((name) => `--${name}`);
const FLAGS_BOOLEAN = ["--break", "--help", "-h", ...EXTENSION_FLAGS];
/** The drift bound the --leases runs assume; each server's clock drifts within 90 % of it. */
const LEASE_DRIFT_BOUND = 0.01;

function integerFlag(flag: string, text: string | undefined, min: number, max: number): number {
  if (text === undefined) {
    throw new RangeError(`${flag} needs a value: an integer in [${min}, ${max}]`);
  }
  const value = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(
      `${flag} must be an integer in [${min}, ${max}], got ${describeValue(text)}`,
    );
  }
  return value;
}

/**
 * Parses the runner's arguments (what follows `npm run fuzz --`). Throws a RangeError naming the
 * bad value and what is allowed.
 *
 * @example
 * parseFuzzArgs(["raft", "--seeds", "10000"]); // { protocol: "raft", from: 1, seeds: 10000, ... }
 */
export function parseFuzzArgs(argv: readonly string[]): FuzzArgs {
  const values = new Map<string, string | undefined>();
  const booleans = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? splitInline(arg) : [arg];
    if (FLAGS_WITH_VALUE.includes(flag)) {
      if (values.has(flag)) throw new RangeError(`${flag} is given twice`);
      values.set(flag, inline ?? argv[++i]);
    } else if (FLAGS_BOOLEAN.includes(flag) && inline === undefined) {
      booleans.add(flag);
    } else if (flag.startsWith("-")) {
      throw new RangeError(
        `unknown option ${describeValue(arg)}; known options: ` +
          [...FLAGS_WITH_VALUE, ...EXTENSION_FLAGS, "--break", "--help"].join(", "),
      );
    } else {
      positional.push(arg);
    }
  }
  const help = booleans.has("--help") || booleans.has("-h");
  if (help) return { protocol: "raft", from: 1, seeds: 1, single: false, breakIt: false, help };
  const [protocol, ...extra] = positional;
  if (protocol === undefined) {
    throw new RangeError(`a protocol is required: one of ${FUZZ_PROTOCOLS.join(", ")}`);
  }
  if (!(FUZZ_PROTOCOLS as readonly string[]).includes(protocol)) {
    throw new RangeError(
      `unknown protocol ${describeValue(protocol)}; known protocols: ${FUZZ_PROTOCOLS.join(", ")}`,
    );
  }
  if (extra.length > 0) throw new RangeError(`unexpected argument ${describeValue(extra[0])}`);
  const servers = values.has("--servers")
    ? integerFlag("--servers", values.get("--servers"), 1, SERVERS_MAX)
    : undefined;
  if (servers !== undefined && protocol !== "raft") {
    throw new RangeError(`--servers applies to raft only, not to ${protocol}`);
  }
  const snapshotEvery = values.has("--snapshot-every")
    ? integerFlag("--snapshot-every", values.get("--snapshot-every"), 1, SNAPSHOT_EVERY_MAX)
    : undefined;
  if (snapshotEvery !== undefined && protocol !== "raft") {
    throw new RangeError(`--snapshot-every applies to raft only, not to ${protocol}`);
  }
  const raftExtensions = RAFT_EXTENSIONS.filter((name) => booleans.has(`--${name}`));
  if (raftExtensions.length > 0 && protocol !== "raft") {
    throw new RangeError(`--${raftExtensions[0]} applies to raft only, not to ${protocol}`);
  }
  const base = {
    protocol: protocol as FuzzProtocol,
    breakIt: booleans.has("--break"),
    help,
    ...(servers === undefined ? {} : { servers }),
    ...(snapshotEvery === undefined ? {} : { snapshotEvery }),
    ...(raftExtensions.length === 0 ? {} : { raftExtensions }),
  };
  if (values.has("--seed")) {
    if (values.has("--seeds") || values.has("--from")) {
      throw new RangeError("--seed replays one seed: give it without --seeds and --from");
    }
    const seed = integerFlag("--seed", values.get("--seed"), 0, SEED_MAX);
    return { ...base, from: seed, seeds: 1, single: true };
  }
  const from = values.has("--from") ? integerFlag("--from", values.get("--from"), 0, SEED_MAX) : 1;
  const seeds = values.has("--seeds")
    ? integerFlag("--seeds", values.get("--seeds"), 1, SEED_MAX - from + 1)
    : Math.min(SEEDS_DEFAULT, SEED_MAX - from + 1);
  return { ...base, from, seeds, single: false };
}

function splitInline(arg: string): [string, string] {
  const at = arg.indexOf("=");
  return [arg.slice(0, at), arg.slice(at + 1)];
}

/** The exact command that replays `seed` with the same switches. */
export function fuzzReplayCommand(args: FuzzArgs, seed: number): string {
  const parts = ["npm run fuzz --", args.protocol, "--seed", String(seed)];
  if (args.servers !== undefined) parts.push("--servers", String(args.servers));
  if (args.snapshotEvery !== undefined) {
    parts.push("--snapshot-every", String(args.snapshotEvery));
  }
  for (const name of args.raftExtensions ?? []) parts.push(`--${name}`);
  if (args.breakIt) parts.push("--break");
  return parts.join(" ");
}

function raftExtensionOptions(extensions: readonly RaftExtension[]) {
  return {
    preVote: extensions.includes("pre-vote"),
    checkQuorum: extensions.includes("check-quorum"),
    membershipChanges: extensions.includes("membership"),
    ...(extensions.includes("leases") ? { leaseDriftBound: LEASE_DRIFT_BOUND } : {}),
  };
}

/** Runs one seed of the chosen protocol and never throws for what the case finds. */
export function runFuzzCase(args: FuzzArgs, seed: number): FuzzCaseOutcome {
  if (args.protocol === "raft") {
    const options = {
      unsafeCommitOldTerms: args.breakIt,
      ...(args.servers === undefined ? {} : { servers: args.servers }),
      ...(args.snapshotEvery === undefined ? {} : { snapshotEvery: args.snapshotEvery }),
      ...raftExtensionOptions(args.raftExtensions ?? []),
    };
    const result = runRaftFuzzCase(seed, options);
    if (result.ok) return { seed, ok: true };
    return { seed, ok: false, kind: result.error?.kind, message: result.error?.message };
  }
  try {
    runPaxosFuzzCase(seed, {
      mode: args.protocol === "paxos" ? "single" : "multi",
      ...(args.breakIt ? { breakIt: "acceptor-amnesia" as const } : {}),
    });
    return { seed, ok: true };
  } catch (error) {
    const kind = error instanceof InvariantViolation ? "safety" : "failure";
    const message = error instanceof Error ? error.message : String(error);
    return { seed, ok: false, kind, message };
  }
}

function progressBar(done: number, total: number, failed: number, elapsedMs: number): string {
  const filled = Math.floor((done / total) * BAR_WIDTH);
  const bar = "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled);
  const percent = Math.floor((done / total) * 100);
  const rate = elapsedMs > 0 ? Math.round((done * 1000) / elapsedMs) : 0;
  return `[${bar}] ${percent}% ${done}/${total} seeds, ${failed} failed, ${rate} cases/s`;
}

/**
 * Runs every seed of `args`, drawing progress on stderr and the summary on stdout: pass rate,
 * cases per wall-second and, for the first failing seeds, the error's first line and the replay
 * command. Exit code 1 if any case failed.
 */
export function runFuzz(args: FuzzArgs, io: FuzzIo): FuzzSummary {
  const failures: FuzzCaseOutcome[] = [];
  const startMs = io.nowMs();
  let drawnMs = -Infinity;
  let nextTenth = 1;
  for (let done = 1; done <= args.seeds; done++) {
    const outcome = runFuzzCase(args, args.from + done - 1);
    if (!outcome.ok) failures.push(outcome);
    if (args.single) continue;
    const nowMs = io.nowMs();
    if (io.stderrIsTty) {
      if (nowMs - drawnMs >= TTY_REFRESH_MS || done === args.seeds) {
        drawnMs = nowMs;
        // \x1b[K clears what a longer previous bar left behind.
        io.stderr(`\r${progressBar(done, args.seeds, failures.length, nowMs - startMs)}\x1b[K`);
        if (done === args.seeds) io.stderr("\n");
      }
    } else {
      while (nextTenth <= 10 && done * 10 >= args.seeds * nextTenth) {
        io.stderr(`${progressBar(done, args.seeds, failures.length, nowMs - startMs)}\n`);
        nextTenth++;
      }
    }
  }
  const elapsedMs = io.nowMs() - startMs;
  const passed = args.seeds - failures.length;
  const last = args.from + args.seeds - 1;
  const range = args.single ? `seed ${args.from}` : `seeds ${args.from}..${last}`;
  const rate = elapsedMs > 0 ? ((args.seeds * 1000) / elapsedMs).toFixed(1) : "n/a";
  const switches = args.breakIt ? " (--break)" : "";
  if (args.single) {
    const verdict = failures.length === 0 ? "passed" : "FAILED";
    io.stdout(
      `${args.protocol}${switches} ${range}: ${verdict} (${elapsedMs.toFixed(0)} ms wall)\n`,
    );
  } else {
    io.stdout(
      `${args.protocol}${switches} ${range}: ${passed}/${args.seeds} passed ` +
        `(${((passed / args.seeds) * 100).toFixed(2)} %), ${failures.length} failed, ` +
        `${rate} cases/s (${(elapsedMs / 1000).toFixed(1)} s wall)\n`,
    );
  }
  for (const failure of failures.slice(0, FAILURES_SHOWN_MAX)) {
    const message = failure.message ?? "(no message)";
    const shown = args.single ? message : (message.split("\n")[0] ?? "");
    io.stdout(`FAILED seed ${failure.seed} (${failure.kind ?? "failure"}): ${shown}\n`);
    io.stdout(`  replay: ${fuzzReplayCommand(args, failure.seed)}\n`);
  }
  if (failures.length > FAILURES_SHOWN_MAX) {
    io.stdout(`... and ${failures.length - FAILURES_SHOWN_MAX} more failing seeds\n`);
  }
  return { exitCode: failures.length > 0 ? 1 : 0, passed, failures };
}

function main(): void {
  let args: FuzzArgs;
  try {
    args = parseFuzzArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`fuzz: ${(error as Error).message}\n${FUZZ_USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (args.help) {
    process.stdout.write(`${FUZZ_USAGE}\n`);
    return;
  }
  const summary = runFuzz(args, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stderrIsTty: process.stderr.isTTY === true,
    nowMs: () => performance.now(),
  });
  process.exitCode = summary.exitCode;
}

if (require.main === module) main();
