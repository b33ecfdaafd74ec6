// Bad input to chapter 1's experiments: each error names the option, what is allowed and the
// value it got, and a misspelt option is an error rather than a silently ignored default.

import { describe, expect, it } from "vitest";
import {
  comparePartialFailures,
  runBandwidthExperiment,
  runPaymentExperiment,
  runPaymentSeeds,
  runTamperExperiment,
  runTimeoutExperiment,
  runTransportCostExperiment,
} from "../../src/index.js";
import { quantile } from "../../src/fallacies/options.js";

describe("experiment options", () => {
  it("a seed outside [0, 2^32 - 1] is refused, naming it", () => {
    expect(() => runPaymentExperiment(-1)).toThrow(
      "seed must be an integer in [0, 4294967295], got -1",
    );
    expect(() => runTamperExperiment(1.5)).toThrow(
      "seed must be an integer in [0, 4294967295], got 1.5",
    );
  });

  it("a misspelt option is refused with the list of known ones", () => {
    expect(() =>
      runPaymentExperiment(1, { timoutMs: 10 } as unknown as Parameters<
        typeof runPaymentExperiment
      >[1]),
    ).toThrow('payment options has an unknown option "timoutMs"; known options: idempotencyKeys');
  });

  it("an out-of-range number names the option and the range", () => {
    expect(() => runPaymentExperiment(1, { dropProbability: 1.5 })).toThrow(
      "options.dropProbability must be a number in [0, 1], got 1.5",
    );
    expect(() => runPaymentExperiment(1, { attemptsMax: 0 })).toThrow(
      "options.attemptsMax must be an integer in [1, 1000], got 0",
    );
  });

  it("a choice outside its set lists the allowed values", () => {
    expect(() => runPaymentExperiment(1, { idempotencyKeys: "yes" as unknown as "none" })).toThrow(
      'options.idempotencyKeys must be one of "none", "inMemory", "persisted", got "yes"',
    );
  });

  it("a server crash needs both its time and its length", () => {
    expect(() =>
      runPaymentExperiment(1, {
        serverCrash: { atMs: 5 } as unknown as { atMs: number; downMs: number },
      }),
    ).toThrow("options.serverCrash must be an object with both atMs and downMs");
  });

  it("a seed range that runs past the largest seed is refused", () => {
    expect(() => runPaymentSeeds({ seedFirst: 0xffffffff, runsCount: 2 })).toThrow(
      "options.seedFirst + options.runsCount - 1 must be an integer in [0, 4294967295], got 4294967296",
    );
  });

  it("bandwidth phases must be a non-empty list of positive load factors", () => {
    expect(() => runBandwidthExperiment(1, { loadFactors: [] })).toThrow(
      "options.loadFactors must be a non-empty array of numbers > 0, got []",
    );
    expect(() => runBandwidthExperiment(1, { loadFactors: [1, -2] })).toThrow(
      "options.loadFactors[1] must be a finite number >= 0.001, got -2",
    );
  });

  it("a cost model with an unknown field is refused", () => {
    expect(() =>
      runTransportCostExperiment(1, {
        costModel: { headerBytes: 40 } as unknown as { overheadBytesPerMessage: number },
      }),
    ).toThrow('options.costModel has an unknown option "headerBytes"');
  });

  it("comparePartialFailures takes every option but the fault", () => {
    expect(() =>
      comparePartialFailures(1, { fault: "pause" } as unknown as Parameters<
        typeof comparePartialFailures
      >[1]),
    ).toThrow('comparePartialFailures options has an unknown option "fault"');
  });

  it("an impossible request count is refused before any run", () => {
    expect(() => runTimeoutExperiment(1, { requestsCount: 0 })).toThrow(
      "options.requestsCount must be an integer in [1, 1000000], got 0",
    );
  });
});

describe("nearest-rank quantile", () => {
  it("picks the smallest value with at least a fraction q at or below it", () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile([1, 2, 3, 4], 0.99)).toBe(4);
    expect(quantile([7], 0)).toBe(7);
  });

  it("refuses an empty list and a q outside [0, 1]", () => {
    expect(() => quantile([], 0.5)).toThrow("sorted must be a non-empty array of numbers, got []");
    expect(() => quantile([1], 2)).toThrow("q must be a number in [0, 1], got 2");
  });
});
