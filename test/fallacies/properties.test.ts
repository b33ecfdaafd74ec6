// Property tests of chapter 1's experiments: the laws each fix must keep for every seed and fault
// setting (idempotency, integrity, discovery, consistent configuration, negotiation), and
// determinism per seed. Failures print a replay command (test/support/property.ts).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  comparePartialFailures,
  runBandwidthExperiment,
  runClockSkewExperiment,
  runConfigDriftExperiment,
  runLostUpdateExperiment,
  runMixedVersionExperiment,
  runPaymentExperiment,
  runTamperExperiment,
  runTopologyExperiment,
  runTransportCostExperiment,
  runUnreliableNetworkExperiment,
} from "../../src/index.js";
import { assertProperty } from "../support/property.js";

const seed = fc.integer({ min: 0, max: 0xffffffff });
const probabilityUpToHalf = fc.double({ min: 0, max: 0.5, noNaN: true });

describe("fallacy 1: the network is reliable (laws)", () => {
  it("with persisted idempotency keys, for any seed, loss and duplication in [0, 0.5] and any server crash, a payment is charged at most once and every acknowledged payment exactly once", () => {
    assertProperty(
      fc.property(
        seed,
        probabilityUpToHalf,
        probabilityUpToHalf,
        fc.option(
          fc.record({
            atMs: fc.integer({ min: 0, max: 200 }),
            downMs: fc.integer({ min: 1, max: 100 }),
          }),
          { nil: undefined },
        ),
        (s, dropProbability, duplicateProbability, serverCrash) => {
          const result = runPaymentExperiment(s, {
            idempotencyKeys: "persisted",
            dropProbability,
            duplicateProbability,
            ...(serverCrash === undefined ? {} : { serverCrash }),
          });
          expect(result.chargesCount).toBeLessThanOrEqual(1);
          if (result.acknowledged) expect(result.chargesCount).toBe(1);
          expect(result.acknowledged || result.gaveUp).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("without keys, a payment is charged at most once per request copy that reached the server", () => {
    assertProperty(
      fc.property(seed, probabilityUpToHalf, probabilityUpToHalf, (s, drop, duplicate) => {
        const result = runPaymentExperiment(s, {
          dropProbability: drop,
          duplicateProbability: duplicate,
        });
        const deliveredPays = result.trace.filter(
          (e) => e.kind === "deliver" && e.message.type === "pay",
        ).length;
        expect(result.chargesCount).toBe(deliveredPays);
      }),
      { numRuns: 100 },
    );
  });
});

describe("fallacy 3: bandwidth is infinite (laws)", () => {
  it("no phase delivers more than the bandwidth, up to one chunk straddling its window", () => {
    assertProperty(
      fc.property(
        fc.integer({ min: 10, max: 500 }),
        fc.integer({ min: 100, max: 2000 }),
        fc.array(fc.double({ min: 0.1, max: 3, noNaN: true }), { minLength: 1, maxLength: 4 }),
        (bandwidthBytesPerMs, chunkBytes, loadFactors) => {
          const phaseDurationMs = 200;
          const result = runBandwidthExperiment(1, {
            bandwidthBytesPerMs,
            chunkBytes,
            loadFactors,
            phaseDurationMs,
          });
          for (const phase of result.phases) {
            expect(phase.deliveredBytesPerMs).toBeLessThanOrEqual(
              bandwidthBytesPerMs + chunkBytes / phaseDurationMs + 1e-9,
            );
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("fallacy 4: the network is secure (laws)", () => {
  it("with an HMAC, for any seed, tamper rate and wrong attacker key, every tampered transfer is rejected and every honest one applied", () => {
    assertProperty(
      fc.property(
        seed,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 2, max: 1000 }),
        fc.option(fc.string({ minLength: 1 }), { nil: undefined }),
        fc.string({ minLength: 1 }),
        (s, tamperProbability, amountMultiplier, attackerKey, sharedKey) => {
          fc.pre(attackerKey !== sharedKey);
          const result = runTamperExperiment(s, {
            integrity: "hmac",
            transfersCount: 8,
            tamperProbability,
            amountMultiplier,
            sharedKey,
            ...(attackerKey === undefined ? {} : { attackerKey }),
          });
          expect(result.appliedTamperedCount).toBe(0);
          expect(result.rejectedCount).toBe(result.tamperedCount);
          expect(result.rejectedUntamperedCount).toBe(0);
          expect(result.appliedCount + result.rejectedCount).toBe(result.transfersCount);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("fallacy 5: topology doesn't change (laws)", () => {
  it("with periodic refresh, no request is misrouted later than one refresh interval and a lookup after the change", () => {
    assertProperty(
      fc.property(
        seed,
        fc.integer({ min: 20, max: 200 }),
        fc.integer({ min: 50, max: 400 }),
        (s, refreshIntervalMs, changeAtMs) => {
          const result = runTopologyExperiment(s, {
            refresh: "periodic",
            refreshIntervalMs,
            changeAtMs,
            durationMs: 600,
          });
          // A lookup leaves at most refreshIntervalMs after the change; it and its answer take
          // at most 5 ms each, and the request timer ticks every 10 ms.
          const boundMs = changeAtMs + refreshIntervalMs + 2 * 5 + 10;
          for (const request of result.requests) {
            if (request.misrouted) expect(request.sentAtMs).toBeLessThanOrEqual(boundMs);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("fallacy 6: there is one administrator (laws)", () => {
  it("with the timeout derived from the announced interval, no healthy node is ever suspected and the crash is always detected", () => {
    assertProperty(
      fc.property(
        seed,
        fc.integer({ min: 10, max: 100 }),
        fc.integer({ min: 10, max: 200 }),
        (s, intervalMsBefore, intervalMsAfter) => {
          const result = runConfigDriftExperiment(s, {
            timeoutSource: "announcedInterval",
            intervalMsBefore,
            intervalMsAfter,
            durationMs: 2500,
          });
          expect(result.falseSuspicionsCount).toBe(0);
          expect(result.crashDetected).toBe(true);
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe("fallacy 8: the network is homogeneous (laws)", () => {
  it("with version negotiation, for any seed and currency mix, every charge is recorded correctly", () => {
    assertProperty(
      fc.property(
        seed,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 40 }),
        (s, nonUsdProbability, chargesCount) => {
          const result = runMixedVersionExperiment(s, {
            mode: "negotiated",
            nonUsdProbability,
            chargesCount,
          });
          expect(result.appliedCorrectlyCount).toBe(chargesCount);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("a tolerant reader never rejects and a strict one never misreads", () => {
    assertProperty(
      fc.property(seed, (s) => {
        expect(runMixedVersionExperiment(s, { mode: "tolerantReader" }).rejectedCount).toBe(0);
        expect(runMixedVersionExperiment(s, { mode: "strictReader" }).misreadCount).toBe(0);
      }),
      { numRuns: 40 },
    );
  });
});

describe("the four challenges (laws)", () => {
  it("partial failure: whenever every fault outlasts the timeout, the caller's observations are identical", () => {
    assertProperty(
      fc.property(
        seed,
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 1, max: 100 }),
        (s, latencyMs, processingMs, slackMs) => {
          const timeoutMs = 2 * latencyMs + processingMs + slackMs;
          const comparison = comparePartialFailures(s, {
            latencyMs,
            processingMs,
            timeoutMs,
            faultDurationMs: timeoutMs + 1,
          });
          expect(comparison.indistinguishable).toBe(true);
          expect(comparison.results[0]?.timedOut).toBe(false);
        },
      ),
      { numRuns: 50 },
    );
  });

  it("no global clock: causally related messages look reversed exactly when the two clocks differ by more than the latency, either way", () => {
    assertProperty(
      fc.property(
        fc.integer({ min: -50, max: 50 }),
        fc.integer({ min: 1, max: 20 }),
        (clockOffsetMs, latencyMs) => {
          fc.pre(Math.abs(clockOffsetMs) !== latencyMs);
          const result = runClockSkewExperiment(1, {
            clockOffsetMs,
            latency: { kind: "fixed", ms: latencyMs },
          });
          expect(result.causalityViolationsCount > 0).toBe(Math.abs(clockOffsetMs) > latencyMs);
        },
      ),
    );
  });

  it("concurrency: compare-and-set never loses an increment; read-modify-write never invents one", () => {
    assertProperty(
      fc.property(
        seed,
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 6 }),
        (s, c, n) => {
          const cas = runLostUpdateExperiment(s, {
            mode: "compareAndSet",
            clientsCount: c,
            incrementsPerClient: n,
          });
          expect(cas.finalValue).toBe(c * n);
          const rmw = runLostUpdateExperiment(s, { clientsCount: c, incrementsPerClient: n });
          expect(rmw.finalValue).toBeGreaterThanOrEqual(n);
          expect(rmw.finalValue).toBeLessThanOrEqual(c * n);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("determinism", () => {
  const experiments: [string, (s: number) => unknown][] = [
    [
      "payment",
      (s) => runPaymentExperiment(s, { dropProbability: 0.3, duplicateProbability: 0.3 }),
    ],
    ["tamper", (s) => runTamperExperiment(s, { integrity: "hmac" })],
    ["topology", (s) => runTopologyExperiment(s, { refresh: "periodic", durationMs: 400 })],
    ["config drift", (s) => runConfigDriftExperiment(s, { durationMs: 800 })],
    [
      "transport cost",
      (s) => runTransportCostExperiment(s, { latency: { kind: "uniform", minMs: 1, maxMs: 9 } }),
    ],
    ["mixed versions", (s) => runMixedVersionExperiment(s, { mode: "negotiated" })],
    ["partial failure", (s) => comparePartialFailures(s)],
    [
      "clock skew",
      (s) => runClockSkewExperiment(s, { latency: { kind: "uniform", minMs: 1, maxMs: 30 } }),
    ],
    ["lost update", (s) => runLostUpdateExperiment(s)],
    ["unreliable network", (s) => runUnreliableNetworkExperiment(s)],
  ];
  for (const [name, run] of experiments) {
    it(`${name}: the same seed gives the same result and trace, event for event`, () => {
      assertProperty(
        fc.property(seed, (s) => {
          expect(JSON.stringify(run(s))).toBe(JSON.stringify(run(s)));
        }),
        { numRuns: 10 },
      );
    });
  }

  it("different seeds give different runs where the experiment draws random numbers", () => {
    const a = runUnreliableNetworkExperiment(1);
    const b = runUnreliableNetworkExperiment(2);
    expect(a.receivedOrder).not.toEqual(b.receivedOrder);
  });
});
