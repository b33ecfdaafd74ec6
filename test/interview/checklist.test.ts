// The decision checklist: each rule of the framework, the tensions it names, the flowchart's
// highlighted path, bad input, and every choice's chapter link.

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import {
  CHECKLIST,
  CHOICES,
  decisionRows,
  recommend,
  recommendationFlowchart,
} from "../../src/interview/checklist.js";
import type { ChoiceId, OrderingNeed, Requirements } from "../../src/interview/types.js";
import { brokenLinkReason } from "../support/anchors.js";
import { assertProperty } from "../support/property.js";

/** A ledger-like baseline; tests change one answer at a time. */
const BASE: Requirements = {
  strongConsistency: true,
  naturalPartitionKey: true,
  ordering: "total",
  singleActiveWorker: false,
  idempotentConsumers: false,
  hotSpotRisk: false,
  latencyMsP99: 200,
  availabilityTarget: 0.999,
  replicaOneWayLatencyMs: 10,
};

const choiceOf = (requirements: Requirements, topic: string): ChoiceId | undefined =>
  recommend(requirements).decisions.find((d) => d.topic === topic)?.choice;

const requirementsArbitrary: fc.Arbitrary<Requirements> = fc.record({
  strongConsistency: fc.boolean(),
  naturalPartitionKey: fc.boolean(),
  ordering: fc.constantFrom<OrderingNeed>("none", "per-key", "causal", "total"),
  singleActiveWorker: fc.boolean(),
  idempotentConsumers: fc.boolean(),
  hotSpotRisk: fc.boolean(),
  latencyMsP99: fc.integer({ min: 0, max: 2_000 }),
  availabilityTarget: fc.constantFrom(0.9, 0.99, 0.999, 0.9999, 0.99999),
  replicaOneWayLatencyMs: fc.integer({ min: 0, max: 300 }),
});

describe("the checklist's rules", () => {
  it("immediately consistent data is CP, otherwise AP", () => {
    expect(choiceOf(BASE, "consistency")).toBe("cp");
    expect(choiceOf({ ...BASE, strongConsistency: false }, "consistency")).toBe("ap");
  });

  it("a natural partition key shards by that key, otherwise the dataset is replicated whole", () => {
    expect(choiceOf(BASE, "partitioning")).toBe("shard-by-key");
    expect(choiceOf({ ...BASE, naturalPartitionKey: false }, "partitioning")).toBe(
      "replicate-whole-dataset",
    );
  });

  it("ordering needs map to a consensus log, a keyed partitioned log, causal delivery or a work queue", () => {
    const expected: Record<OrderingNeed, ChoiceId> = {
      total: "consensus-log",
      "per-key": "partitioned-log",
      causal: "causal-delivery",
      none: "simple-queue",
    };
    for (const [ordering, choice] of Object.entries(expected)) {
      expect(choiceOf({ ...BASE, ordering: ordering as OrderingNeed }, "ordering")).toBe(choice);
    }
  });

  it("a single active worker needs an elected leader with a lease and fencing, otherwise no leader", () => {
    expect(choiceOf({ ...BASE, singleActiveWorker: true }, "coordination")).toBe(
      "leader-lease-fencing",
    );
    expect(choiceOf(BASE, "coordination")).toBe("no-leader");
  });

  it("idempotent consumers take at-least-once delivery; others need exactly-once effects by dedup", () => {
    expect(choiceOf({ ...BASE, idempotentConsumers: true }, "delivery")).toBe(
      "at-least-once-idempotent",
    );
    expect(choiceOf(BASE, "delivery")).toBe("exactly-once-effects");
  });

  it("hot-spot risk calls for consistent hashing with bounded loads, otherwise a plain hash", () => {
    expect(choiceOf({ ...BASE, hotSpotRisk: true }, "hot-spots")).toBe("bounded-load-hashing");
    expect(choiceOf(BASE, "hot-spots")).toBe("plain-hash-partitioning");
  });

  it("strong reads pay a quorum round trip when 2 x one-way latency fits the target, else read locally", () => {
    expect(choiceOf({ ...BASE, latencyMsP99: 20, replicaOneWayLatencyMs: 10 }, "latency")).toBe(
      "quorum-round-trip",
    );
    expect(choiceOf({ ...BASE, latencyMsP99: 19, replicaOneWayLatencyMs: 10 }, "latency")).toBe(
      "local-reads",
    );
    expect(choiceOf({ ...BASE, strongConsistency: false }, "latency")).toBe("local-reads");
  });

  it("CP keeps the majority side working; AP keeps both sides working", () => {
    expect(choiceOf(BASE, "availability")).toBe("majority-quorum-replication");
    expect(choiceOf({ ...BASE, strongConsistency: false }, "availability")).toBe(
      "sloppy-availability",
    );
  });

  it("reasons carry the requirement's numbers", () => {
    const decisions = recommend({
      ...BASE,
      latencyMsP99: 30,
      replicaOneWayLatencyMs: 20,
    }).decisions;
    const latency = decisions.find((d) => d.topic === "latency");
    expect(latency?.reason).toContain("40 ms");
    expect(latency?.reason).toContain("30 ms");
    const availability = recommend({ ...BASE, availabilityTarget: 0.9999 }).decisions.find(
      (d) => d.topic === "availability",
    );
    expect(availability?.reason).toContain("99.99%");
    expect(availability?.reason).toContain("53 minutes");
  });
});

describe("tensions the requirements force", () => {
  const messages = (requirements: Requirements): string[] =>
    recommend(requirements).tensions.map((t) => t.message);

  it("none for a ledger whose quorum fits its target at three nines", () => {
    expect(messages(BASE)).toEqual([]);
  });

  it("strong consistency with a target below the quorum round trip", () => {
    expect(messages({ ...BASE, latencyMsP99: 30, replicaOneWayLatencyMs: 20 }).join()).toMatch(
      /quorum round trip of at least 40 ms, but the target is 30 ms/,
    );
  });

  it("strong consistency with four nines: the minority side is an outage", () => {
    expect(messages({ ...BASE, availabilityTarget: 0.9999 }).join()).toMatch(/minority side/);
  });

  it("a total order asked of an AP design", () => {
    expect(messages({ ...BASE, strongConsistency: false }).join()).toMatch(/consensus problem/);
  });

  it("a single active worker in an AP design needs a CP lease store", () => {
    expect(
      messages({ ...BASE, strongConsistency: false, ordering: "none", singleActiveWorker: true }),
    ).toEqual([expect.stringMatching(/lease from a strongly consistent store/)]);
  });
});

describe("recommend for any requirements", () => {
  it("gives one decision per question, in checklist order, each a choice of that question backed by the experiment of the same id", () => {
    assertProperty(
      fc.property(requirementsArbitrary, (requirements) => {
        const { decisions } = recommend(requirements);
        expect(decisions.map((d) => d.topic)).toEqual(CHECKLIST.map((q) => q.topic));
        for (const [index, decision] of decisions.entries()) {
          const question = CHECKLIST[index];
          expect(question?.choices).toContain(decision.choice);
          expect(decision.question).toBe(question?.question);
          expect(decision.experiment).toBe(decision.choice);
          expect(decision.chapter).toEqual(CHOICES[decision.choice].chapter);
          expect(decision.reason.length).toBeGreaterThan(40);
        }
        expect(recommend(requirements)).toEqual(recommend(requirements));
      }),
    );
  });

  it("draws the flowchart with exactly the path taken highlighted", () => {
    assertProperty(
      fc.property(requirementsArbitrary, (requirements) => {
        const recommendation = recommend(requirements);
        const source = recommendationFlowchart(recommendation).mimeBundle["text/vnd.mermaid"];
        expect(source).toBeDefined();
        const lines = (source ?? "").split("\n");
        const taken = lines.find((line) => line.trim().startsWith("class start,"));
        const takenNodes = (taken ?? "").trim().split(" ")[1]?.split(",") ?? [];
        const chosenNodes = recommendation.decisions.map((d) => `c_${d.choice.replace(/-/g, "_")}`);
        const questionNodes = CHECKLIST.map((_, i) => `q${i + 1}`);
        expect(new Set(takenNodes)).toEqual(new Set(["start", ...questionNodes, ...chosenNodes]));
        // The edges: start -> q1, then for each question its taken branch and (after the first)
        // the edge into it from the previous choice taken.
        const edges = lines.filter((line) => line.includes("-->"));
        const linkStyle = lines.find((line) => line.trim().startsWith("linkStyle"));
        const takenEdges = (linkStyle ?? "").trim().split(" ")[1]?.split(",").map(Number) ?? [];
        expect(takenEdges).toHaveLength(2 * CHECKLIST.length);
        for (const index of takenEdges) {
          const edge = edges[index] ?? "";
          const [from, to] = edge.split("-->").map((side) => side.replace(/\|[^|]*\|/, "").trim());
          expect(takenNodes, `edge ${index}: ${edge}`).toContain(from);
          expect(takenNodes, `edge ${index}: ${edge}`).toContain(to);
        }
      }),
      { numRuns: 50 },
    );
  });
});

describe("the checklist as data", () => {
  it("every choice belongs to exactly one question, of its own topic", () => {
    const listed = CHECKLIST.flatMap((q) => q.choices.map((choice) => [choice, q.topic] as const));
    expect(listed.map(([choice]) => choice).sort()).toEqual(Object.keys(CHOICES).sort());
    for (const [choice, topic] of listed) expect(CHOICES[choice].topic).toBe(topic);
  });

  it("every choice links to a chapter heading that exists", () => {
    for (const info of Object.values(CHOICES)) {
      expect(brokenLinkReason(info.chapter), info.id).toBe("");
    }
  });

  it("decisionRows lists question, answer, choice and reason", () => {
    const rows = decisionRows(recommend(BASE));
    expect(rows).toHaveLength(CHECKLIST.length);
    expect(rows[0]).toEqual({
      question: "Must every read see the latest acknowledged write?",
      answer: "yes",
      choice: "CP: consensus, majority quorums",
      reason: expect.stringMatching(/minority side must refuse/),
    });
  });
});

describe("bad requirements", () => {
  it("a missing answer names the field", () => {
    const missing: Partial<Record<keyof Requirements, unknown>> = { ...BASE };
    delete missing.hotSpotRisk;
    expect(() => recommend(missing as Requirements)).toThrow(/requirements\.hotSpotRisk/);
  });

  it("an unknown field is named", () => {
    expect(() => recommend({ ...BASE, consistency: "strong" } as Requirements)).toThrow(
      /consistency/,
    );
  });

  it("an ordering outside the four needs names them", () => {
    expect(() => recommend({ ...BASE, ordering: "global" as OrderingNeed })).toThrow(
      /requirements\.ordering.*none, per-key, causal, total/,
    );
  });

  it("an availability target that is a percentage, not a fraction", () => {
    expect(() => recommend({ ...BASE, availabilityTarget: 99.9 })).toThrow(
      /availabilityTarget.*fraction between 0 and 1/,
    );
  });

  it("a boolean answered with a string", () => {
    expect(() => recommend({ ...BASE, strongConsistency: "yes" as unknown as boolean })).toThrow(
      /strongConsistency.*true or false/,
    );
  });

  it("a negative latency", () => {
    expect(() => recommend({ ...BASE, latencyMsP99: -1 })).toThrow(/latencyMsP99/);
  });
});
