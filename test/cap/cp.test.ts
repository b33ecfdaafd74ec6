// The CP counter: majority quorums, "no quorum" on the minority side, the read-then-write race and
// its fix (increments as unique ids, reads that write back what they saw).
// Reference: Gilbert and Lynch 2002, §4.2 (a majority-quorum atomic object is available only on
// the majority side); Attiya, Bar-Noy and Dolev 1995 (ABD: a read writes back before returning).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CapScenarioOptions,
  type CapCounterOperation,
  explainStaleRead,
  runCapScenario,
} from "../../src/index.js";
import { assertProperty } from "../support/property.js";
import { faultyScenario, verdictOf } from "./support.js";

/** Two clients, one increment each at t=0, fixed latency: the two increments overlap. */
const TWO_CONCURRENT: CapScenarioOptions = {
  clientsCount: 2,
  partition: null,
  incrementShare: 1,
  thinkMsMin: 0,
  thinkMsMax: 0,
  durationMs: 1,
  latency: { kind: "fixed", ms: 5 },
};

function finalReads(history: readonly CapCounterOperation[]): number[] {
  return history
    .filter((op) => op.input.kind === "read" && op.output.status === "ok")
    .map((op) => (op.output.status === "ok" ? (op.output.value ?? -1) : -1));
}

describe("the read-then-write race (the seed notes' CP sketch)", () => {
  it("two concurrent increments read the same value: one is lost", () => {
    const run = runCapScenario("cpReadThenWrite", 1, TWO_CONCURRENT);
    expect(run.counts.updatesAcknowledgedCount).toBe(2);
    expect(finalReads(run.history)).toEqual([1, 1]);
    expect(run.counts.updatesLostCount).toBe(1);
    expect(verdictOf(run)).toBe("illegal");
  });

  it("the naive variant is caught losing acknowledged increments on the scripted scenario", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const run = runCapScenario("cpReadThenWrite", seed, { traceEventsMax: 0 });
      expect(run.counts.updatesLostCount, `seed ${seed}`).toBeGreaterThan(0);
      expect(verdictOf(run), `seed ${seed}`).toBe("illegal");
      expect(explainStaleRead(run)?.kind, `seed ${seed}`).toBe("missed");
    }
  });
});

describe("the fix: increments as unique ids, acknowledged by a majority", () => {
  it("two concurrent increments both count", () => {
    const run = runCapScenario("cpQuorum", 1, TWO_CONCURRENT);
    expect(run.counts.updatesAcknowledgedCount).toBe(2);
    expect(finalReads(run.history)).toEqual([2, 2]);
    expect(run.counts.updatesLostCount).toBe(0);
    expect(verdictOf(run)).toBe("ok");
  });

  it("never loses an acknowledged increment, and its histories are linearizable, under faults", () => {
    assertProperty(
      fc.property(faultyScenario, ({ seed, options }) => {
        const run = runCapScenario("cpQuorum", seed, options);
        expect(run.counts.updatesLostCount).toBe(0);
        expect(verdictOf(run)).toBe("ok");
      }),
      { numRuns: 25 },
    );
  });

  it("is linearizable on the scripted scenario for many seeds", () => {
    for (let seed = 0; seed < 10; seed++) {
      const run = runCapScenario("cpQuorum", seed, { traceEventsMax: 0 });
      expect(verdictOf(run), `seed ${seed}`).toBe("ok");
      expect(explainStaleRead(run), `seed ${seed}`).toBeUndefined();
    }
  });
});

describe("§4.2 the minority side refuses: no quorum", () => {
  it("every request from the minority side during the partition is refused", () => {
    assertProperty(
      fc.property(faultyScenario, ({ seed, options }) => {
        for (const variant of ["cpReadThenWrite", "cpNoReadRepair", "cpQuorum"] as const) {
          const run = runCapScenario(variant, seed, options);
          const window = run.partitionWindow;
          if (window === null) continue;
          const minorityClients = run.clients
            .map((client, clientId) => ({ client, clientId }))
            .filter(({ client }) => run.minority.includes(run.homeOf[client] ?? ""));
          for (const { clientId } of minorityClients) {
            for (const op of run.history) {
              if (op.clientId !== clientId) continue;
              if (op.call < window.startMs || op.return > window.endMs) continue;
              expect(op.output.status, `${variant} ${JSON.stringify(op)}`).not.toBe("ok");
            }
          }
        }
      }),
      { numRuns: 15 },
    );
  });

  it("the error names how many replicas answered and how many were needed", () => {
    const run = runCapScenario("cpQuorum", 1);
    const refused = run.history.find((op) => op.output.status === "noQuorum");
    expect(refused?.output).toMatchObject({
      status: "noQuorum",
      answered: 2,
      needed: 3,
    });
    const output = refused?.output;
    expect(output?.status === "noQuorum" ? output.message : "").toMatch(
      /^no quorum: 2 of 5 replicas answered, 3 needed \((read|write) phase, 100 ms\)$/,
    );
  });

  it("the majority side keeps answering during the partition", () => {
    const run = runCapScenario("cpQuorum", 1);
    const window = run.partitionWindow as { startMs: number; endMs: number };
    const majorityIds = run.clients
      .map((client, id) => ({ client, id }))
      .filter(({ client }) => !run.minority.includes(run.homeOf[client] ?? ""))
      .map(({ id }) => id);
    const during = run.history.filter(
      (op) =>
        majorityIds.includes(op.clientId) && op.call > window.startMs && op.return < window.endMs,
    );
    expect(during.length).toBeGreaterThan(10);
    expect(during.every((op) => op.output.status === "ok")).toBe(true);
  });

  it("a refused increment is an unknown outcome: it reached the minority replicas and counts after heal", () => {
    const run = runCapScenario("cpQuorum", 1);
    const unknown = run.history.filter(
      (op) => op.input.kind === "inc" && op.output.status !== "ok",
    );
    expect(unknown.length).toBeGreaterThan(0);
    expect(unknown.every((op) => op.output.effect === "unknown")).toBe(true);
    const finalValue = Object.values(run.counts.finalValues)[0] as number;
    expect(finalValue).toBe(run.counts.updatesAcknowledgedCount + unknown.length);
  });
});

describe("ABD's write-back: without read repair, reads go backwards", () => {
  it("a read returns less than an earlier read (new value, then old): not linearizable", () => {
    const run = runCapScenario("cpNoReadRepair", 1);
    expect(verdictOf(run)).toBe("illegal");
    const explanation = explainStaleRead(run);
    expect(explanation?.kind).toBe("inversion");
    expect(explanation?.value).toBeLessThan(
      explanation?.earlierRead?.output.status === "ok"
        ? (explanation.earlierRead.output.value ?? 0)
        : 0,
    );
    expect(run.counts.converged).toBe(false);
  });
});
