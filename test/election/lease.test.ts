// Tests of lease-based election with fencing tokens: the lease store's errors, the classic pause
// failure, clock drift and its bound, and fuzzed safety (Gray and Cheriton 1989; Kleppmann 2016).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvariantViolation } from "../../src/sim/assert.js";
import { Random } from "../../src/sim/random.js";
import type { LinkOptions } from "../../src/sim/types.js";
import { LeaseTable, leaseUsableMs } from "../../src/election/lease.js";
import {
  LEASE_RESOURCE_ID,
  LEASE_STORE_ID,
  LeaseElection,
  leaseClassicFailure,
  leaseClockDrift,
} from "../../src/election/lease-election.js";
import type { LeaseMessage } from "../../src/election/lease.js";
import { assertProperty } from "../support/property.js";

describe("lease store: grants, renewals, releases and fencing tokens", () => {
  it("grants a free lease with a new token and refuses a live one to others", () => {
    const table = new LeaseTable();
    expect(table.tryAcquire("leader", "c0", 300, 0)).toEqual({ granted: true, token: 1 });
    expect(table.tryAcquire("leader", "c1", 300, 299)).toEqual({ granted: false, holder: "c0" });
  });

  it("measures the ttl on the store's clock: the lease expires at grant + ttl", () => {
    const table = new LeaseTable();
    table.tryAcquire("leader", "c0", 300, 100);
    expect(table.live("leader", 399)?.holder).toBe("c0");
    expect(table.live("leader", 400)).toBeUndefined();
  });

  it("tokens only grow: every new grant, of any name, gets a larger token", () => {
    const table = new LeaseTable();
    table.tryAcquire("a", "c0", 10, 0);
    table.tryAcquire("b", "c1", 10, 0);
    expect(table.tryAcquire("a", "c1", 10, 10)).toEqual({ granted: true, token: 3 });
    expect(table.tokenLast).toBe(3);
  });

  it("a holder acquiring again (a retry) keeps its token and extends its lease", () => {
    const table = new LeaseTable();
    table.tryAcquire("leader", "c0", 300, 0);
    expect(table.tryAcquire("leader", "c0", 300, 200)).toEqual({ granted: true, token: 1 });
    expect(table.live("leader", 450)?.token).toBe(1);
  });

  it("renew extends the holder's lease by its ttl and keeps the token", () => {
    const table = new LeaseTable();
    table.tryAcquire("leader", "c0", 300, 0);
    expect(table.renew("leader", "c0", 250)).toBe(1);
    expect(table.live("leader", 549)?.holder).toBe("c0");
  });

  it("release ends the lease now; releasing an expired lease does nothing", () => {
    const table = new LeaseTable();
    table.tryAcquire("leader", "c0", 300, 0);
    table.release("leader", "c0", 10);
    expect(table.live("leader", 10)).toBeUndefined();
    expect(() => table.release("leader", "c1", 20)).not.toThrow();
  });

  it("state survives a round trip through stable storage", () => {
    const table = new LeaseTable();
    table.tryAcquire("leader", "c0", 300, 0);
    const copy = LeaseTable.fromJSON(structuredClone(table.toJSON()));
    expect(copy.tokenLast).toBe(1);
    expect(copy.tryAcquire("leader", "c1", 300, 300)).toEqual({ granted: true, token: 2 });
  });

  it("property: tokens granted are strictly increasing and a live lease has one holder", () => {
    const op = fc.record({
      kind: fc.constantFrom("acquire", "renew", "release"),
      owner: fc.constantFrom("c0", "c1", "c2"),
      afterMs: fc.integer({ min: 0, max: 200 }),
    });
    assertProperty(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const table = new LeaseTable();
        let nowMs = 0;
        let tokenMax = 0;
        for (const { kind, owner, afterMs } of ops) {
          nowMs += afterMs;
          const before = table.live("leader", nowMs);
          try {
            if (kind === "acquire") {
              const result = table.tryAcquire("leader", owner, 100, nowMs);
              if (result.granted && before?.holder !== owner) {
                expect(result.token).toBeGreaterThan(tokenMax);
                tokenMax = result.token;
              }
              if (!result.granted) expect(result.holder).toBe(before?.holder);
            } else if (kind === "renew") {
              expect(table.renew("leader", owner, nowMs)).toBe(before?.token);
            } else {
              table.release("leader", owner, nowMs);
            }
          } catch (error) {
            expect(error).toBeInstanceOf(RangeError);
          }
          expect(table.tokenLast).toBe(tokenMax);
        }
      }),
    );
  });
});

describe("lease store errors name the value", () => {
  it("ttl <= 0", () => {
    expect(() => new LeaseTable().tryAcquire("leader", "c0", 0, 0)).toThrow(
      "ttlMs must be a finite number > 0, got 0",
    );
    expect(() => new LeaseTable().tryAcquire("leader", "c0", -5, 0)).toThrow(
      "ttlMs must be a finite number > 0, got -5",
    );
  });

  it("renew by a non-holder", () => {
    const table = new LeaseTable();
    table.tryAcquire("leader", "c0", 300, 0);
    expect(() => table.renew("leader", "c1", 10)).toThrow(
      'renew owner of lease "leader" must be its holder "c0", got "c1"',
    );
    expect(() => table.renew("leader", "c0", 300)).toThrow(
      'renew owner of lease "leader" must be its holder (none: it expired or was released), got "c0"',
    );
    expect(() => table.renew("other", "c0", 0)).toThrow(
      'renew owner of lease "other" must be its holder (none: never granted), got "c0"',
    );
  });

  it("release of an unknown lease", () => {
    const table = new LeaseTable();
    expect(() => table.release("leader", "c0", 0)).toThrow(
      'release name must be a known lease (none granted yet), got "leader"',
    );
    table.tryAcquire("leader", "c0", 300, 0);
    expect(() => table.release("x", "c0", 0)).toThrow(
      'release name must be a known lease (known: "leader"), got "x"',
    );
    expect(() => table.release("leader", "c1", 0)).toThrow(
      'release owner of lease "leader" must be its holder "c0", got "c1"',
    );
  });

  it("the store answers a bad request over messages with the same error", () => {
    const election = new LeaseElection({ candidates: 1, seed: 3, traceEventsMax: 10_000 });
    election.runUntilLeader();
    const requests: LeaseMessage[] = [
      { type: "lease.acquire", requestId: 901, name: "leader", owner: "x", ttlMs: 0 },
      { type: "lease.renew", requestId: 902, name: "leader", owner: "x" },
      { type: "lease.release", requestId: 903, name: "nope", owner: "x" },
    ];
    // Sent as the resource, which ignores the replies: only the trace sees them.
    election.sim.withNode(LEASE_RESOURCE_ID, (ctx) => {
      for (const request of requests) ctx.send(LEASE_STORE_ID, request);
    });
    election.runFor(20);
    const errors = election.sim
      .traceWhere({ kinds: ["deliver"], messageTypes: ["lease.error"] })
      .flatMap((event) => (event.kind === "deliver" ? [event.message] : []))
      .map((message) => (message as unknown as { error: string }).error);
    expect(errors).toEqual([
      "ttlMs must be a finite number > 0, got 0",
      'renew owner of lease "leader" must be its holder "c0", got "x"',
      'release name must be a known lease (known: "leader"), got "nope"',
    ]);
  });

  it("LeaseElection options are checked", () => {
    expect(() => new LeaseElection({ candidates: 0, seed: 1 })).toThrow(
      "candidates must be an integer >= 1, got 0",
    );
    expect(() => new LeaseElection({ candidates: 2, seed: 1, ttlMs: 0 })).toThrow(
      "ttlMs must be a finite number > 0, got 0",
    );
    expect(() => new LeaseElection({ candidates: 2, seed: 1, driftBound: 1 })).toThrow(
      "driftBound must be a number in [0, 1), got 1",
    );
    expect(() => new LeaseElection({ candidates: 2, seed: 1 }).crash("store")).toThrow(
      'candidate id must be one of c0, c1, got "store"',
    );
  });
});

describe("the usable lease: ttl * (1 - b) / (1 + b) on the holder's clock", () => {
  it("is the whole ttl without drift and shrinks with the bound", () => {
    expect(leaseUsableMs(300, 0)).toBe(300);
    expect(leaseUsableMs(300, 0.5)).toBe(100);
  });

  it("property: a holder whose clock runs at rate >= 1 - b stops trusting before the store", () => {
    assertProperty(
      fc.property(
        fc.double({ min: 1, max: 10_000, noNaN: true }),
        fc.double({ min: 0, max: 0.9, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (ttlMs, b, u, v) => {
          const holderRate = 1 - b * u;
          const storeRate = 1 + b * v;
          // True time the holder trusts vs true time the store keeps the lease.
          expect(leaseUsableMs(ttlMs, b) / holderRate).toBeLessThanOrEqual(
            (ttlMs / storeRate) * (1 + 1e-12),
          );
        },
      ),
    );
  });
});

describe("Kleppmann 2016: the classic failure, a GC pause past the lease", () => {
  it("unfenced: the old leader's write lands after the new leader's, the checker says so", () => {
    const run = leaseClassicFailure({ fencing: false });
    expect(run.newLeader).not.toBe(run.oldLeader);
    expect(run.counts.lowerTokenWritesAccepted).toBe(1);
    expect(run.violations.map((v) => v.split(":")[0])).toEqual([
      "lower token accepted",
      "stale write accepted",
    ]);
    expect(run.violations[0]).toContain("(seed 1,");
  });

  it("fenced: the resource rejects the stale write and nothing is violated", () => {
    const run = leaseClassicFailure({ fencing: true });
    expect(run.newLeader).not.toBe(run.oldLeader);
    expect(run.counts.writesRejected).toBe(1);
    expect(run.violations).toEqual([]);
    const rejected = run.trace.filter(
      (event) => event.kind === "send" && event.message.type === "resource.rejected",
    );
    expect(rejected.map((event) => event.kind === "send" && event.to)).toEqual([run.oldLeader]);
  });

  it("stops at the first violation with an InvariantViolation naming the seed by default", () => {
    const election = new LeaseElection({ candidates: 2, seed: 5, fencing: false, driftBound: 0 });
    const leader = election.runUntilLeader();
    election.runUntil(() => election.candidate(leader)?.pendingWrite !== undefined, 1_000);
    election.pause(leader, 1_000);
    expect(() => election.runFor(2_000)).toThrow(InvariantViolation);
    expect(election.violations[0]).toMatch(/^lower token accepted: .*\(seed 5, t=/);
  });
});

describe("clock drift: a slow holder's clock and the drift bound", () => {
  it("drift beyond the bound: the slow holder still acts after the store gave the lease away", () => {
    const run = leaseClockDrift({ driftBound: 0.01 });
    expect(run.newLeader).not.toBe(run.oldLeader);
    expect(run.violations).toHaveLength(1);
    expect(run.violations[0]).toMatch(/^two leaders at once: /);
  });

  it("drift within the bound: the holder stops trusting its lease in time", () => {
    const run = leaseClockDrift({ driftBound: 0.6 });
    expect(run.newLeader).not.toBe(run.oldLeader);
    expect(run.violations).toEqual([]);
  });
});

describe("failover and counts", () => {
  it("after the leader crashes another candidate leads within about one ttl", () => {
    const election = new LeaseElection({ candidates: 3, seed: 2 });
    const failover = election.failover();
    expect(failover.leader).not.toBe(failover.crashed);
    expect(failover.failoverMs).toBeGreaterThan(election.ttlMs * 0.5);
    expect(failover.failoverMs).toBeLessThan(election.ttlMs * 2);
    expect(failover.messagesSent).toBeGreaterThan(0);
  });

  it("the store's holder and the candidates' leader agree when nothing fails", () => {
    const election = new LeaseElection({ candidates: 3, seed: 4 });
    election.runFor(1_000);
    expect(election.leaders()).toEqual([election.leaderOf()]);
    expect(election.counts().epochs).toBe(1);
  });
});

// ---------------------------------------------------------------------------- fuzzing

interface Fault {
  readonly kind: "crash" | "pause" | "isolate";
  readonly node: number;
  readonly atMs: number;
  readonly durationMs: number;
}

const CANDIDATES = 3;
const NODES = [LEASE_STORE_ID, LEASE_RESOURCE_ID, "c0", "c1", "c2"];
/** 10% loss, 5% duplicates, 0-27 ms delays, reordered. */
const LOSSY: LinkOptions = {
  latency: { kind: "uniform", minMs: 0, maxMs: 27 },
  dropProbability: 0.1,
  duplicateProbability: 0.05,
  reorder: true,
};

/** Runs an election with `faults` and every node's drift within the bound; returns it. */
function fuzzedRun(
  seed: number,
  fencing: boolean,
  driftBound: number,
  drifts: readonly number[],
  faults: readonly Fault[],
  lossy = false,
): LeaseElection {
  const election = new LeaseElection({
    candidates: CANDIDATES,
    seed,
    fencing,
    driftBound,
    ...(lossy ? { network: LOSSY } : {}),
  });
  NODES.forEach((id, i) => {
    election.setClock(id, { driftPpm: Math.round((drifts[i] ?? 0) * driftBound * 1e6) });
  });
  const { sim } = election;
  for (const fault of faults) {
    sim.at(fault.atMs, () => {
      if (fault.kind === "crash") {
        const id = `c${fault.node % CANDIDATES}`;
        if (!election.isUp(id)) return;
        election.crash(id);
        sim.schedule(fault.durationMs, () => {
          if (!election.isUp(id)) election.restart(id);
        });
      } else if (fault.kind === "pause") {
        const id = `c${fault.node % CANDIDATES}`;
        if (election.isUp(id)) election.pause(id, fault.durationMs);
      } else {
        election.partition([[NODES[fault.node % NODES.length] as string]]);
        sim.schedule(fault.durationMs, () => election.heal());
      }
    });
  }
  election.runFor(3_000);
  return election;
}

const faultArbitrary: fc.Arbitrary<Fault> = fc.record({
  kind: fc.constantFrom("crash" as const, "pause" as const, "isolate" as const),
  node: fc.nat(20),
  atMs: fc.integer({ min: 0, max: 2_500 }),
  durationMs: fc.integer({ min: 0, max: 800 }),
});

describe("fuzzed safety with crashes, pauses, partitions and drift within the bound", () => {
  it("property: one leader at a time and per epoch; the fenced resource never goes back", () => {
    assertProperty(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.constantFrom(0, 0.01, 0.1, 0.3),
        fc.array(fc.double({ min: -0.95, max: 0.95, noNaN: true }), {
          minLength: NODES.length,
          maxLength: NODES.length,
        }),
        fc.array(faultArbitrary, { maxLength: 12 }),
        fc.boolean(),
        (seed, driftBound, drifts, faults, lossy) => {
          // The checker throws an InvariantViolation naming the seed at the first violation.
          const election = fuzzedRun(seed, true, driftBound, drifts, faults, lossy);
          const tokens = election.resource.accepted.map((write) => write.token);
          tokens.forEach((token, i) => expect(token).toBeGreaterThanOrEqual(tokens[i - 1] ?? 0));
          expect(election.counts().lowerTokenWritesAccepted).toBe(0);
        },
      ),
      { numRuns: 80 },
    );
  });

  it("the unfenced variant with pauses: the checker catches a stale write for some seed", () => {
    const caught: string[] = [];
    for (let seed = 0; seed < 20 && caught.length === 0; seed++) {
      const random = new Random(seed);
      const faults: Fault[] = Array.from({ length: 6 }, () => ({
        kind: "pause" as const,
        node: random.int(0, CANDIDATES - 1),
        atMs: random.int(0, 2_500),
        durationMs: random.int(200, 800),
      }));
      try {
        fuzzedRun(seed, false, 0.01, [], faults);
      } catch (error) {
        expect(error).toBeInstanceOf(InvariantViolation);
        caught.push((error as Error).message);
      }
    }
    expect(caught).toHaveLength(1);
    expect(caught[0]).toMatch(/^(stale write|lower token) accepted: .*\(seed \d+, t=/);
  });
});
