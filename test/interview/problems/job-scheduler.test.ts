// The job scheduler worked problem (page 09e-job-scheduler): its decisions, the pause that makes the
// naive scheduler run a job twice, fencing and idempotency keys, failover against lease length.
// Reference: Kleppmann 2016, "How to do distributed locking" (fencing); Gray, Cheriton 1989 (leases).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LeaseElection } from "../../../src/election/index.js";
import { recommend } from "../../../src/interview/checklist.js";
import { backOfEnvelope } from "../../../src/interview/estimate.js";
import {
  jobSchedulerAssumptions,
  jobSchedulerFailoverRows,
  jobSchedulerPauseRun,
  jobSchedulerProblem,
} from "../../../src/interview/problems/job-scheduler.js";
import { brokenLinkReason, notebookLinks } from "../../support/anchors.js";
import { assertProperty } from "../../support/property.js";

describe("Worked problem: job scheduler, decisions", () => {
  it("recommend gives the decisions the page documents", () => {
    const decisions = recommend(jobSchedulerProblem.requirements).decisions;
    expect(decisions.map((d) => d.choice)).toEqual(jobSchedulerProblem.documentedChoices);
  });

  it("raises no tension: a 2 ms quorum round trip fits the 1 s target, 99.9% is not 99.99%", () => {
    expect(recommend(jobSchedulerProblem.requirements).tensions).toEqual([]);
  });

  it("at peak the scheduler fires about 2,800 runs a second", () => {
    const estimate = backOfEnvelope(jobSchedulerAssumptions);
    expect(estimate.writesPerSecondPeak).toBeGreaterThan(2_700);
    expect(estimate.writesPerSecondPeak).toBeLessThan(2_900);
  });
});

describe("Worked problem: job scheduler, the trade-off measured", () => {
  it("without fencing, the paused leader's run lands after the new leader's: the slot runs twice", () => {
    const run = jobSchedulerPauseRun({ fencing: false });
    expect(run.doubleRuns).toBe(1);
    expect(run.staleRunsAccepted).toBe(1);
    const stale = run.runs.find((r) => r.scheduler === run.oldLeader);
    expect(stale?.outcome).toBe("applied");
    expect(run.runs.filter((r) => r.runId === stale?.runId).map((r) => r.scheduler)).toEqual([
      run.newLeader,
      run.oldLeader,
    ]);
  });

  it("the checker reports the stale write and the lower token in the naive run", () => {
    const run = jobSchedulerPauseRun({ fencing: false });
    expect(run.violations.some((v) => v.startsWith("stale write accepted"))).toBe(true);
    expect(run.violations.some((v) => v.startsWith("lower token accepted"))).toBe(true);
  });

  it("with fencing tokens the target rejects the stale run and the checker finds nothing", () => {
    const run = jobSchedulerPauseRun({ fencing: true });
    expect(run.runsRejected).toBe(1);
    expect(run.doubleRuns).toBe(0);
    expect(run.violations).toEqual([]);
  });

  it("idempotency keys drop the second run of the slot even without fencing", () => {
    const run = jobSchedulerPauseRun({ fencing: false, idempotencyKeys: true });
    expect(run.runsDeduplicated).toBe(1);
    expect(run.doubleRuns).toBe(0);
    // The stale write still reached the target: only the key kept it from taking effect.
    expect(run.staleRunsAccepted).toBe(1);
  });

  it("failover takes about one lease length, and a shorter lease costs more store traffic", () => {
    const rows = jobSchedulerFailoverRows({ ttlsMs: [100, 300, 1000, 3000], seeds: [1, 2, 3] });
    for (const row of rows) {
      expect(row.failoverMsMedian).toBeGreaterThan(0.5 * row.ttlMs);
      expect(row.failoverMsMedian).toBeLessThan(1.5 * row.ttlMs);
    }
    for (let i = 1; i < rows.length; i++) {
      const [shorter, longer] = [rows[i - 1], rows[i]];
      expect(shorter?.failoverMsMedian).toBeLessThan(longer?.failoverMsMedian as number);
      expect(shorter?.storeMessagesPerSecond).toBeGreaterThan(
        longer?.storeMessagesPerSecond as number,
      );
    }
  });

  it("a pause a little shorter than the lease is tolerated; a longer one costs the leadership", () => {
    const [row] = jobSchedulerFailoverRows({ ttlsMs: [300], seeds: [1] });
    expect(row?.pauseToleratedMs).toBeCloseTo(300 * (0.99 / 1.01), 6);
  });
});

describe("Worked problem: job scheduler, invariants", () => {
  it("a fenced target never applies a lower token, for any schedule of leader pauses", () => {
    assertProperty(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.array(
          fc.record({
            candidate: fc.integer({ min: 0, max: 2 }),
            atMs: fc.integer({ min: 0, max: 1_500 }),
            durationMs: fc.integer({ min: 1, max: 1_500 }),
          }),
          { maxLength: 4 },
        ),
        (seed, pauses) => {
          const election = new LeaseElection({ candidates: 3, seed, stopOnViolation: false });
          for (const pause of pauses) {
            election.sim.at(pause.atMs, () =>
              election.pause(`c${pause.candidate}`, pause.durationMs),
            );
          }
          election.runFor(3_500);
          expect(election.counts().lowerTokenWritesAccepted).toBe(0);
          expect(election.violations).toEqual([]);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("with idempotency keys no slot takes effect twice, for any seed, fenced or not", () => {
    assertProperty(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.boolean(), (seed, fencing) => {
        expect(jobSchedulerPauseRun({ fencing, idempotencyKeys: true, seed }).doubleRuns).toBe(0);
      }),
      { numRuns: 30 },
    );
  });
});

describe("Worked problem: job scheduler, bad input", () => {
  it("names the bad option and what is allowed", () => {
    expect(() => jobSchedulerPauseRun({ fencing: "yes" as unknown as boolean })).toThrow(
      /fencing must be true or false/,
    );
    expect(() => jobSchedulerPauseRun({ fencing: true, seed: -1 })).toThrow(/seed/);
    expect(() => jobSchedulerFailoverRows({ ttlsMs: [], seeds: [1] })).toThrow(/ttlsMs/);
    expect(() => jobSchedulerFailoverRows({ ttlsMs: [0], seeds: [1] })).toThrow(/ttlMs/);
    expect(() => jobSchedulerFailoverRows({ ttlsMs: [100], seeds: [1.5] })).toThrow(/seed/);
  });
});

describe("Worked problem: job scheduler, links", () => {
  it("every chapter link on the page resolves", () => {
    const links = notebookLinks(jobSchedulerProblem.page);
    expect(links.length).toBeGreaterThan(5);
    for (const link of links) expect(brokenLinkReason(link), JSON.stringify(link)).toBe("");
  });
});
