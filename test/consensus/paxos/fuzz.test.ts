// Safety fuzz: loss, duplication, reordering, partitions and crash/restart of any node, with the
// safety checker after every delivery; then the "break it" switches, which the fuzz must catch.
// Reference: Paxos Made Simple §2.1 (safety) and §2.5 (stable storage).
//
// `npm test` runs PAXOS_SEEDS_DEFAULT seeds per mode. Deeper, by hand (seeds 1..N):
//   PAXOS_SEEDS=10000 npx vitest run test/consensus/paxos/fuzz.test.ts
// A failure names its seed; replay one case with PAXOS_SEED=<seed> and the same command.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type PaxosBreakIt, runPaxosFuzzCase } from "../../../src/consensus/paxos/index.js";
import { InvariantViolation } from "../../../src/sim/index.js";
import { assertProperty } from "../../support/property.js";

const PAXOS_SEEDS_DEFAULT = 1_000;

function seeds(): number[] {
  const single = Number(process.env.PAXOS_SEED);
  if (process.env.PAXOS_SEED !== undefined && Number.isInteger(single)) return [single];
  const count = Number(process.env.PAXOS_SEEDS ?? PAXOS_SEEDS_DEFAULT);
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`PAXOS_SEEDS must be an integer >= 1, got ${process.env.PAXOS_SEEDS}`);
  }
  return Array.from({ length: count }, (_, i) => i + 1);
}

/** The first seed in 1..seedsMax for which the broken variant violates safety, or undefined. */
function firstViolation(
  mode: "single" | "multi",
  breakIt: PaxosBreakIt,
  seedsMax: number,
): { seed: number; message: string } | undefined {
  for (let seed = 1; seed <= seedsMax; seed++) {
    try {
      runPaxosFuzzCase(seed, { mode, breakIt });
    } catch (error) {
      if (!(error instanceof InvariantViolation)) throw error;
      return { seed, message: error.message };
    }
  }
  return undefined;
}

describe("Paxos Made Simple §2.1 safety under every fault the simulator makes", () => {
  for (const mode of ["single", "multi"] as const) {
    it(`${mode}: at most one value per slot, always a proposed one, over ${seeds().length} seeds`, () => {
      let slotsChosen = 0;
      let crashes = 0;
      let partitions = 0;
      for (const seed of seeds()) {
        const result = runPaxosFuzzCase(seed, { mode });
        slotsChosen += result.slotsChosen;
        crashes += result.crashes;
        partitions += result.partitions;
      }
      // The faults happened and the runs made progress: the fuzz is not vacuous.
      expect(slotsChosen).toBeGreaterThanOrEqual(seeds().length);
      expect(crashes).toBeGreaterThan(0);
      expect(partitions).toBeGreaterThan(0);
    });
  }
});

describe("break it: the fuzz catches an unsafe Paxos", () => {
  it("§2.5: an acceptor that forgets its promise on restart lets two values be chosen", () => {
    const single = firstViolation("single", "acceptor-amnesia", 50);
    expect(single?.message).toMatch(/^Paxos safety violated \(seed \d+\): two values chosen/);
    const multi = firstViolation("multi", "acceptor-amnesia", 50);
    expect(multi?.message).toMatch(/^Paxos safety violated \(seed \d+\)/);
  });

  it("§2.2 P2c: a proposer that ignores the values in the promises breaks agreement", () => {
    const single = firstViolation("single", "ignore-promised-values", 50);
    expect(single?.message).toMatch(/two values chosen in slot 0/);
    const multi = firstViolation("multi", "ignore-promised-values", 50);
    expect(multi?.message).toMatch(/two values chosen in slot \d+/);
  });

  it("the same seed replays the same violation", () => {
    const first = firstViolation("single", "acceptor-amnesia", 50);
    expect(first).toBeDefined();
    expect(() =>
      runPaxosFuzzCase((first as { seed: number }).seed, {
        mode: "single",
        breakIt: "acceptor-amnesia",
      }),
    ).toThrow((first as { message: string }).message);
  });
});

describe("Paxos Made Simple §2.1 safety, as a property over random seeds", () => {
  it("any seed, either mode: the checker finds no violation", () => {
    assertProperty(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.constantFrom<"single" | "multi">("single", "multi"),
        (seed, mode) => {
          expect(runPaxosFuzzCase(seed, { mode }).slotsChosen).toBeGreaterThanOrEqual(1);
        },
      ),
      { numRuns: 100 },
    );
  });
});
