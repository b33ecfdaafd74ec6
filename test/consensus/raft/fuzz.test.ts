// Raft under random fault schedules (Figure 3's safety properties after every event, progress once
// healed), the Figure 8 "break it" switch caught by the fuzz, and the `npm run fuzz` runner.
//
// `npm test` runs RAFT_FUZZ_SEEDS_DEFAULT seeds. Deeper, by hand (seeds 1..N, also the scenarios):
//   RAFT_SEEDS=2000 npx vitest run test/consensus/raft/fuzz.test.ts
// or, with a progress bar and replay commands: npx tsx scripts/fuzz.ts raft --seeds 10000

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type FuzzIo, fuzzReplayCommand, parseFuzzArgs, runFuzz } from "../../../scripts/fuzz.js";
import { runRaftFuzzCase } from "../../../src/consensus/raft/fuzz.js";
import { assertProperty } from "../../support/property.js";
import { raftSeeds } from "./support.js";

const RAFT_FUZZ_SEEDS_DEFAULT = 500;
/** Seeds searched for the first one where the broken Raft is caught (about 2 % of seeds are). */
const BREAK_SEEDS_MAX = 200;

/** The first seed in 1..BREAK_SEEDS_MAX whose case fails with the Figure 8 bug switched on. */
function firstBrokenSeed(): { seed: number; message: string } | undefined {
  for (let seed = 1; seed <= BREAK_SEEDS_MAX; seed++) {
    const result = runRaftFuzzCase(seed, { unsafeCommitOldTerms: true });
    if (!result.ok) return { seed, message: result.error?.message ?? "" };
  }
  return undefined;
}

/** An in-memory FuzzIo whose clock advances 5 ms per reading. */
function fakeIo(stderrIsTty: boolean): FuzzIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  let nowMs = 0;
  return {
    out,
    err,
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    stderrIsTty,
    nowMs: () => (nowMs += 5),
  };
}

describe("Figure 3 safety and progress under random fault schedules", () => {
  const seeds = raftSeeds(RAFT_FUZZ_SEEDS_DEFAULT);

  it(`no invariant breaks and the healed cluster commits on every server (${seeds.length} seeds)`, () => {
    const totals = { commandsAccepted: 0, crashes: 0, disconnects: 0, networkChanges: 0 };
    for (const seed of seeds) {
      const result = runRaftFuzzCase(seed);
      expect(result.error?.message).toBeUndefined();
      expect(result.ok).toBe(true);
      expect(result.stats.finalIndex).toBeGreaterThanOrEqual(1);
      for (const key of Object.keys(totals) as (keyof typeof totals)[]) {
        totals[key] += result.stats[key];
      }
    }
    // The schedules really did fault the cluster and leaders accepted commands: not vacuous.
    expect(totals.commandsAccepted).toBeGreaterThan(seeds.length);
    expect(totals.crashes).toBeGreaterThan(seeds.length);
    expect(totals.disconnects).toBeGreaterThan(seeds.length);
    expect(totals.networkChanges).toBeGreaterThan(seeds.length);
  });

  it("any seed, any cluster size from 1 to 7: the case passes", () => {
    assertProperty(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 1, max: 7 }),
        (seed, servers) => {
          const result = runRaftFuzzCase(seed, { servers, faultMs: 2_000 });
          expect(result.error?.message).toBeUndefined();
          expect(result.stats.servers).toBe(servers);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("§7 log compaction: with a snapshot every 3 entries, the same schedules pass", () => {
    let installSnapshots = 0;
    for (const seed of seeds.slice(0, 100)) {
      const result = runRaftFuzzCase(seed, { snapshotEvery: 3 });
      expect(result.error?.message).toBeUndefined();
      expect(result.stats.finalIndex).toBeGreaterThanOrEqual(1);
      installSnapshots += result.stats.installSnapshots;
    }
    // Lagging followers were brought up to date by InstallSnapshot: the path was exercised.
    expect(installSnapshots).toBeGreaterThan(0);
  });

  it("the same seed replays the same case", () => {
    expect(runRaftFuzzCase(7)).toEqual(runRaftFuzzCase(7));
    expect(runRaftFuzzCase(7).stats).not.toEqual(runRaftFuzzCase(8).stats);
  });

  it("bad options name the value and what is allowed", () => {
    expect(() => runRaftFuzzCase(-1)).toThrow(/seed must be an integer in \[0, 4294967295\]/);
    expect(() => runRaftFuzzCase(1, { servers: 0 })).toThrow(/servers .*got 0/);
    expect(() => runRaftFuzzCase(1, { faultMs: -5 })).toThrow(/faultMs .*got -5/);
    expect(() => runRaftFuzzCase(1, { snapshotEvery: 1.5 })).toThrow(/snapshotEvery .*got 1.5/);
    expect(() => runRaftFuzzCase(1, { seeds: 3 } as never)).toThrow(/unknown option "seeds"/);
    expect(() => runRaftFuzzCase(1, { preVote: "yes" } as never)).toThrow(
      /preVote must be true or false, got "yes"/,
    );
    expect(() => runRaftFuzzCase(1, { leaseDriftBound: 2 })).toThrow(
      /leaseDriftBound must be a number in \(0, 1\), got 2/,
    );
  });
});

describe("break it: §5.4.2 committing old-term entries by counting, caught by the fuzz", () => {
  it(`a seed in 1..${BREAK_SEEDS_MAX} breaks leader completeness or state machine safety`, () => {
    const broken = firstBrokenSeed();
    expect(broken).toBeDefined();
    const { seed, message } = broken as { seed: number; message: string };
    expect(message).toMatch(
      new RegExp(`^Raft (leader completeness|state machine safety) violated \\(seed ${seed}\\)`),
    );
    const replay = runRaftFuzzCase(seed, { unsafeCommitOldTerms: true });
    expect(replay.error).toEqual({ kind: "safety", message });
    // The same schedule with the rule of §5.4.2 in place is safe.
    expect(runRaftFuzzCase(seed).ok).toBe(true);
  });
});

describe("npm run fuzz: arguments", () => {
  it("reads the protocol, the seed range, the cluster size and the break switch", () => {
    expect(parseFuzzArgs(["raft", "--seeds", "10000"])).toEqual({
      protocol: "raft",
      from: 1,
      seeds: 10_000,
      single: false,
      breakIt: false,
      help: false,
    });
    expect(parseFuzzArgs(["paxos", "--from=50", "--seeds=7", "--break"])).toMatchObject({
      protocol: "paxos",
      from: 50,
      seeds: 7,
      breakIt: true,
    });
    expect(parseFuzzArgs(["raft", "--seed", "1234", "--servers", "7"])).toMatchObject({
      from: 1234,
      seeds: 1,
      single: true,
      servers: 7,
    });
    expect(parseFuzzArgs(["raft", "--snapshot-every", "10"])).toMatchObject({ snapshotEvery: 10 });
    expect(parseFuzzArgs(["raft", "--membership", "--pre-vote"])).toMatchObject({
      raftExtensions: ["pre-vote", "membership"],
    });
    expect(parseFuzzArgs(["multi-paxos"])).toMatchObject({ from: 1, seeds: 1_000 });
    expect(parseFuzzArgs(["--help"]).help).toBe(true);
  });

  it("rejects bad arguments, naming the value", () => {
    expect(() => parseFuzzArgs(["rafty"])).toThrow(
      'unknown protocol "rafty"; known protocols: raft, paxos, multi-paxos',
    );
    expect(() => parseFuzzArgs([])).toThrow(/a protocol is required/);
    expect(() => parseFuzzArgs(["raft", "--seeds", "0"])).toThrow(
      '--seeds must be an integer in [1, 4294967295], got "0"',
    );
    expect(() => parseFuzzArgs(["raft", "--seeds", "ten"])).toThrow(/got "ten"/);
    expect(() => parseFuzzArgs(["raft", "--seeds"])).toThrow(/--seeds needs a value/);
    expect(() => parseFuzzArgs(["raft", "--seeds", "2", "--seeds", "3"])).toThrow(/given twice/);
    expect(() => parseFuzzArgs(["raft", "--fast"])).toThrow(/unknown option "--fast"/);
    expect(() => parseFuzzArgs(["raft", "--servers", "10"])).toThrow(/got "10"/);
    expect(() => parseFuzzArgs(["paxos", "--servers", "5"])).toThrow(/raft only/);
    expect(() => parseFuzzArgs(["paxos", "--snapshot-every", "5"])).toThrow(/raft only/);
    expect(() => parseFuzzArgs(["raft", "--snapshot-every", "0"])).toThrow(/got "0"/);
    expect(() => parseFuzzArgs(["paxos", "--leases"])).toThrow(
      "--leases applies to raft only, not to paxos",
    );
    expect(() => parseFuzzArgs(["raft", "--seed", "1", "--seeds", "5"])).toThrow(/one seed/);
    expect(() => parseFuzzArgs(["raft", "paxos"])).toThrow('unexpected argument "paxos"');
  });

  it("the replay command carries the switches of the run", () => {
    const args = parseFuzzArgs(["raft", "--servers", "5", "--snapshot-every", "4", "--break"]);
    expect(fuzzReplayCommand(args, 1234)).toBe(
      "npm run fuzz -- raft --seed 1234 --servers 5 --snapshot-every 4 --break",
    );
    expect(fuzzReplayCommand(parseFuzzArgs(["paxos"]), 9)).toBe("npm run fuzz -- paxos --seed 9");
    const extended = parseFuzzArgs(["raft", "--leases", "--check-quorum", "--membership"]);
    expect(fuzzReplayCommand(extended, 3)).toBe(
      "npm run fuzz -- raft --seed 3 --check-quorum --leases --membership",
    );
  });
});

describe("npm run fuzz: the report", () => {
  it("a passing run: a progress line every 10 %, the pass rate and exit code 0", () => {
    const io = fakeIo(false);
    const summary = runFuzz(parseFuzzArgs(["raft", "--seeds", "20"]), io);
    expect(summary).toEqual({ exitCode: 0, passed: 20, failures: [] });
    expect(io.err).toHaveLength(10);
    expect(io.err[0]).toMatch(/^\[###\.{27}\] 10% 2\/20 seeds, 0 failed, \d+ cases\/s\n$/);
    expect(io.err[9]).toMatch(/^\[#{30}\] 100% 20\/20 seeds/);
    expect(io.out.join("")).toMatch(/^raft seeds 1\.\.20: 20\/20 passed \(100\.00 %\), 0 failed, /);
  });

  it("on a terminal, the bar is redrawn in place and ends with a newline", () => {
    const io = fakeIo(true);
    runFuzz(parseFuzzArgs(["paxos", "--seeds", "5"]), io);
    expect(io.err.every((text) => text.startsWith("\r") || text === "\n")).toBe(true);
    expect(io.err.at(-2)).toMatch(/^\r\[#{30}\] 100% 5\/5 seeds/);
    expect(io.err.at(-1)).toBe("\n");
  });

  it("--break: the failing seed is reported with its first line and its replay command", () => {
    const broken = firstBrokenSeed();
    expect(broken).toBeDefined();
    const { seed, message } = broken as { seed: number; message: string };
    const io = fakeIo(false);
    const summary = runFuzz(
      parseFuzzArgs(["raft", "--from", String(seed), "--seeds", "1", "--break"]),
      io,
    );
    expect(summary.exitCode).toBe(1);
    const out = io.out.join("");
    expect(out).toContain(`0/1 passed (0.00 %), 1 failed`);
    expect(out).toContain(`FAILED seed ${seed} (safety): ${message}\n`);
    expect(out).toContain(`  replay: npm run fuzz -- raft --seed ${seed} --break\n`);
    // The replay command's own arguments fail the same way.
    const replay = fakeIo(false);
    expect(
      runFuzz(parseFuzzArgs(["raft", "--seed", String(seed), "--break"]), replay).exitCode,
    ).toBe(1);
    expect(replay.out.join("")).toContain(`FAILED seed ${seed} (safety): ${message}`);
    expect(replay.err).toEqual([]);
  });

  it("--break on Multi-Paxos: the amnesiac acceptor is caught, at most 10 failures listed", () => {
    const io = fakeIo(false);
    const summary = runFuzz(parseFuzzArgs(["multi-paxos", "--seeds", "100", "--break"]), io);
    expect(summary.exitCode).toBe(1);
    expect(summary.failures.length).toBeGreaterThan(10);
    const out = io.out.join("");
    expect(out.match(/^FAILED seed \d+ \(safety\): Paxos safety violated/gm)).toHaveLength(10);
    expect(out).toContain(`... and ${summary.failures.length - 10} more failing seeds\n`);
  });
});
