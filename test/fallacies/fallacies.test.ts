// Scenario tests of chapter 1's eight fallacies, one describe per fallacy, each test named after
// the claim the chapter makes. Reference: Deutsch's eight fallacies (1994), Gosling's eighth (1997).

import { describe, expect, it } from "vitest";
import {
  FALLACIES,
  filterTrace,
  runBandwidthExperiment,
  runConfigDriftExperiment,
  runMixedVersionExperiment,
  runPaymentExperiment,
  runPaymentSeeds,
  runTamperExperiment,
  runTimeoutExperiment,
  runTopologyExperiment,
  runTransportCostExperiment,
  toMermaidSequence,
} from "../../src/index.js";

describe("fallacy 1: the network is reliable", () => {
  it("without an idempotency key a retried payment can be charged twice", () => {
    const result = runPaymentExperiment(1, { lostResponsesCount: 1 });
    expect(result.attemptsCount).toBe(2);
    expect(result.acknowledged).toBe(true);
    expect(result.chargesCount).toBe(2);
    expect(result.chargedCents).toBe(2000);
  });

  it("a lost request is harmless to retry: the client cannot tell it from a lost response", () => {
    const result = runPaymentExperiment(1, { lostRequestsCount: 1 });
    expect(result.attemptsCount).toBe(2);
    expect(result.chargesCount).toBe(1);
  });

  it("a duplicated request is charged twice without a key, even with no retry", () => {
    const result = runPaymentExperiment(1, { duplicateProbability: 1 });
    expect(result.attemptsCount).toBe(1);
    expect(result.chargesCount).toBe(2);
  });

  it("with an idempotency key the retried payment is charged once", () => {
    const result = runPaymentExperiment(1, { lostResponsesCount: 1, idempotencyKeys: "persisted" });
    expect(result.attemptsCount).toBe(2);
    expect(result.chargesCount).toBe(1);
    expect(result.repeatsRecognisedCount).toBe(1);
    expect(result.acknowledged).toBe(true);
  });

  it("keys kept only in memory are forgotten at a crash, and the retry charges again", () => {
    const crash = { atMs: 20, downMs: 10 };
    const result = runPaymentExperiment(1, {
      lostResponsesCount: 1,
      idempotencyKeys: "inMemory",
      serverCrash: crash,
    });
    expect(result.trace.some((event) => event.kind === "crash")).toBe(true);
    expect(result.chargesCount).toBe(2);
  });

  it("keys persisted in stable storage survive the crash: charged once", () => {
    const result = runPaymentExperiment(1, {
      lostResponsesCount: 1,
      idempotencyKeys: "persisted",
      serverCrash: { atMs: 20, downMs: 10 },
    });
    expect(result.chargesCount).toBe(1);
  });

  it("over many seeds, retries without keys double-charge some payments; with keys none", () => {
    const naive = runPaymentSeeds({ runsCount: 300 });
    const keyed = runPaymentSeeds({ runsCount: 300, idempotencyKeys: "persisted" });
    expect(naive.chargedTwiceOrMoreCount).toBeGreaterThan(0);
    expect(naive.seedsChargedTwiceOrMore.length).toBeGreaterThan(0);
    expect(naive.chargedZeroCount + naive.chargedOnceCount + naive.chargedTwiceOrMoreCount).toBe(
      300,
    );
    expect(keyed.chargedTwiceOrMoreCount).toBe(0);
    expect(keyed.acknowledgedNotOnceCount).toBe(0);
  });

  it("a seed the distribution lists as double-charged replays as double-charged", () => {
    const naive = runPaymentSeeds({ runsCount: 100 });
    const seed = naive.seedsChargedTwiceOrMore[0] as number;
    const replay = runPaymentExperiment(seed, { dropProbability: 0.1, duplicateProbability: 0.05 });
    expect(replay.chargesCount).toBeGreaterThanOrEqual(2);
  });

  it("a client that exhausts its attempts gives up without knowing whether it paid", () => {
    const result = runPaymentExperiment(1, { lostResponsesCount: 5, attemptsMax: 3 });
    expect(result.gaveUp).toBe(true);
    expect(result.acknowledged).toBe(false);
    expect(result.chargesCount).toBe(3);
  });
});

describe("fallacy 2: latency is zero", () => {
  const result = runTimeoutExperiment(1, { calibrationRequestsCount: 2000, requestsCount: 1000 });
  const [median, p99, p999] = result.phases;

  it("timeouts are taken from the measured round trip: median < p99 < p99.9", () => {
    expect(result.roundTripMsMedian).toBeLessThan(result.roundTripMsP99);
    expect(result.roundTripMsP99).toBeLessThan(result.roundTripMsP999);
    expect(median?.timeoutMs).toBe(result.roundTripMsMedian);
    expect(p999?.timeoutMs).toBe(result.roundTripMsP999);
  });

  it("a timeout at the median round trip fires on about half the requests to a healthy server", () => {
    expect(median?.spuriousTimeoutFraction).toBeGreaterThan(0.4);
    expect(median?.spuriousTimeoutFraction).toBeLessThan(0.6);
    expect(median?.extraLoadFraction).toBeGreaterThan(0.4);
  });

  it("a timeout at p99 fires on about 1 % and one at p99.9 on about 0.1 %", () => {
    expect(p99?.spuriousTimeoutFraction).toBeGreaterThan(0);
    expect(p99?.spuriousTimeoutFraction).toBeLessThan(0.04);
    expect(p999?.spuriousTimeoutFraction).toBeLessThan(p99?.spuriousTimeoutFraction as number);
  });

  it("every timeout is spurious: every request that was not given up on got its reply", () => {
    for (const phase of result.phases) expect(phase.requestsCount).toBe(1000);
    expect(result.stats.messagesDropped).toBe(0);
  });
});

describe("fallacy 3: bandwidth is infinite", () => {
  const result = runBandwidthExperiment(1);
  const [light, busy, over, double] = result.phases;

  it("below capacity every chunk takes propagation plus transmission time, with no queue", () => {
    expect(light?.latencyMsMax).toBeCloseTo(15, 6);
    expect(busy?.latencyMsMax).toBeCloseTo(15, 6);
  });

  it("above capacity delivered throughput is capped at the bandwidth", () => {
    expect(over?.offeredBytesPerMs).toBe(150);
    expect(over?.deliveredBytesPerMs).toBeCloseTo(100, 0);
    expect(double?.deliveredBytesPerMs).toBeCloseTo(100, 0);
  });

  it("queueing delay grows with the bytes in flight", () => {
    expect(over?.latencyMsMax as number).toBeGreaterThan(100);
    expect(double?.latencyMsMax as number).toBeGreaterThan(over?.latencyMsMax as number);
    const overloaded = result.chunks.filter((chunk) => chunk.phase >= 2);
    for (let i = 1; i < overloaded.length; i++) {
      const before = overloaded[i - 1];
      const now = overloaded[i];
      expect(now?.queueingDelayMs as number).toBeGreaterThanOrEqual(
        (before?.queueingDelayMs as number) - 1e-9,
      );
    }
    const last = result.chunks[result.chunks.length - 1];
    expect(last?.bytesInFlightAtSend as number).toBeGreaterThan(20_000);
  });
});

describe("fallacy 4: the network is secure", () => {
  it("without integrity the bank applies the amounts the attacker changed", () => {
    const result = runTamperExperiment(1);
    expect(result.tamperedCount).toBeGreaterThan(0);
    expect(result.appliedTamperedCount).toBe(result.tamperedCount);
    expect(result.appliedTotalCents).toBeGreaterThan(result.sentTotalCents);
  });

  it("with an HMAC the bank rejects every altered transfer and applies every honest one", () => {
    const result = runTamperExperiment(1, { integrity: "hmac" });
    expect(result.tamperedCount).toBeGreaterThan(0);
    expect(result.appliedTamperedCount).toBe(0);
    expect(result.rejectedCount).toBe(result.tamperedCount);
    expect(result.rejectedUntamperedCount).toBe(0);
    expect(result.appliedCount).toBe(result.transfersCount - result.tamperedCount);
  });

  it("an attacker who recomputes the tag with a guessed key is still rejected", () => {
    const result = runTamperExperiment(1, { integrity: "hmac", attackerKey: "a guess" });
    expect(result.appliedTamperedCount).toBe(0);
  });

  it("an attacker holding the shared key forges transfers: a MAC is only as safe as its key", () => {
    const result = runTamperExperiment(1, {
      integrity: "hmac",
      sharedKey: "k",
      attackerKey: "k",
    });
    expect(result.appliedTamperedCount).toBe(result.tamperedCount);
    expect(result.rejectedCount).toBe(0);
  });

  it("the trace records each tampering with the original message", () => {
    const result = runTamperExperiment(1, { integrity: "hmac" });
    const tampers = result.trace.filter((event) => event.kind === "tamper");
    expect(tampers).toHaveLength(result.tamperedCount);
  });
});

describe("fallacy 5: topology doesn't change", () => {
  it("a client that never refreshes its view keeps sending to the removed node and never finds the new one", () => {
    const result = runTopologyExperiment(1);
    expect(result.misroutedCount).toBeGreaterThan(30);
    expect(result.lastMisroutedAtMs as number).toBeGreaterThan(900);
    expect(result.answeredByNewInstanceCount).toBe(0);
    expect(result.requestsPerInstance.s3).toBe(0);
  });

  it("a client that refreshes its view periodically recovers within one refresh interval", () => {
    const result = runTopologyExperiment(1, { refresh: "periodic", refreshIntervalMs: 100 });
    expect(result.misroutedCount).toBeGreaterThan(0);
    expect(result.lastMisroutedAtMs as number).toBeLessThanOrEqual(250 + 100 + 10);
    expect(result.answeredByNewInstanceCount).toBeGreaterThan(20);
  });

  it("every misrouted request is lost", () => {
    const result = runTopologyExperiment(1);
    for (const request of result.requests)
      if (request.misrouted) expect(request.answered).toBe(false);
  });
});

describe("fallacy 6: there is one administrator", () => {
  it("before the drift the two teams' settings agree and nothing is falsely suspected", () => {
    const result = runConfigDriftExperiment(1);
    expect(result.falseSuspicionsBeforeChangeCount).toBe(0);
  });

  it("a heartbeat timeout shorter than the other team's new interval declares healthy nodes dead", () => {
    const result = runConfigDriftExperiment(1);
    expect(result.falseSuspicionsAfterChangeCount).toBeGreaterThan(20);
  });

  it("deriving the timeout from the announced interval removes false suspicions and still detects the crash", () => {
    const result = runConfigDriftExperiment(1, { timeoutSource: "announcedInterval" });
    expect(result.falseSuspicionsCount).toBe(0);
    expect(result.crashDetected).toBe(true);
    expect(result.detectionDelayMs as number).toBeGreaterThan(0);
    expect(result.detectionDelayMs as number).toBeLessThanOrEqual(3 * 100 + 10);
  });
});

describe("fallacy 7: transport cost is zero", () => {
  const chatty = runTransportCostExperiment(1);
  const batched = runTransportCostExperiment(1, { mode: "batched", batchSize: 25 });

  it("chatty sends a request and an ack per item; batched one pair per batch", () => {
    expect(chatty.messagesCount).toBe(200);
    expect(batched.messagesCount).toBe(8);
    expect(chatty.stats.messagesSent).toBe(chatty.messagesCount);
    expect(chatty.payloadBytes).toBe(chatty.stats.bytesSent);
  });

  it("batching cuts payload, modelled header bytes, cost and round trips", () => {
    expect(batched.payloadBytes).toBeLessThan(chatty.payloadBytes);
    expect(batched.overheadBytes).toBe(8 * 40);
    expect(chatty.overheadBytes).toBe(200 * 40);
    expect(batched.cost).toBeLessThan(chatty.cost / 5);
    expect(chatty.completionMs).toBe(100 * 10);
    expect(batched.completionMs).toBe(4 * 10);
  });

  it("the cost model is explicit: the result states the assumptions it priced with", () => {
    const free = runTransportCostExperiment(1, {
      costModel: { overheadBytesPerMessage: 0, costPerMessage: 0, costPerByte: 1 },
    });
    expect(free.costModel).toEqual({
      overheadBytesPerMessage: 0,
      costPerMessage: 0,
      costPerByte: 1,
    });
    expect(free.cost).toBe(free.payloadBytes);
  });
});

describe("fallacy 8: the network is homogeneous", () => {
  it("a strict v1 reader rejects every v2 message, even those it could have read", () => {
    const result = runMixedVersionExperiment(1, { mode: "strictReader" });
    expect(result.rejectedCount).toBe(result.sentToV1Count);
    expect(result.rejectedCount).toBeGreaterThan(0);
    expect(result.misreadCount).toBe(0);
  });

  it("a tolerant v1 reader accepts them and silently misreads EUR amounts as USD", () => {
    const result = runMixedVersionExperiment(1, { mode: "tolerantReader", nonUsdProbability: 0.5 });
    expect(result.rejectedCount).toBe(0);
    expect(result.misreadCount).toBeGreaterThan(0);
  });

  it("with version negotiation every charge is recorded correctly", () => {
    const result = runMixedVersionExperiment(1, { mode: "negotiated", nonUsdProbability: 0.5 });
    expect(result.appliedCorrectlyCount).toBe(result.chargesCount);
    expect(result.rejectedCount).toBe(0);
    expect(result.misreadCount).toBe(0);
  });
});

describe("the chapter's diagrams", () => {
  it("every fallacy names an exported experiment", async () => {
    const api: Record<string, unknown> = await import("../../src/index.js");
    expect(FALLACIES.map((f) => f.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const entry of FALLACIES) expect(typeof api[entry.experiment]).toBe("function");
  });

  it("each experiment's trace draws as a Mermaid sequence diagram", () => {
    const traces = [
      runPaymentExperiment(1, { lostResponsesCount: 1 }).trace,
      runBandwidthExperiment(1).trace,
      runTamperExperiment(1, { integrity: "hmac" }).trace,
      runTopologyExperiment(1, { refresh: "periodic", durationMs: 400 }).trace,
      runConfigDriftExperiment(1, { durationMs: 700 }).trace,
      runTransportCostExperiment(1, { mode: "batched" }).trace,
      runMixedVersionExperiment(1, { mode: "negotiated" }).trace,
    ];
    const timeouts = runTimeoutExperiment(1, { calibrationRequestsCount: 100, requestsCount: 100 });
    const median = timeouts.phases[0];
    traces.push(
      filterTrace(timeouts.trace, {
        fromMs: median?.fromMs,
        toMs: (median?.fromMs as number) + 60,
      }),
    );
    for (const trace of traces) {
      expect(toMermaidSequence(trace).startsWith("sequenceDiagram")).toBe(true);
    }
  });
});
