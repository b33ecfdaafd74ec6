// The Jepsen map of consistency models as data: arrows from stronger to weaker models, and
// availability classes that never get stricter along an arrow.
// Reference: jepsen.io/consistency; Bailis et al., "Highly Available Transactions", VLDB 2014, §5.

import { describe, expect, it } from "vitest";
import { JEPSEN_MODELS, jepsenMap } from "../../src/index.js";
import { expectRangeError } from "./support.js";

const RANK = { unavailable: 0, sticky: 1, total: 2 } as const;
const byId = new Map(JEPSEN_MODELS.map((model) => [model.id, model]));

describe("the map as data", () => {
  it("every arrow names a model of the map, and ids are unique", () => {
    expect(byId.size).toBe(JEPSEN_MODELS.length);
    for (const model of JEPSEN_MODELS) {
      for (const weaker of model.implies) expect(byId.has(weaker), weaker).toBe(true);
    }
  });

  it("a weaker model is at least as available as the stronger one that implies it", () => {
    for (const model of JEPSEN_MODELS) {
      for (const weaker of model.implies) {
        const w = byId.get(weaker);
        expect(RANK[w?.availability ?? "unavailable"]).toBeGreaterThanOrEqual(
          RANK[model.availability],
        );
      }
    }
  });

  it("places the chapter's models where Jepsen does", () => {
    expect(byId.get("linearizable")?.availability).toBe("unavailable");
    expect(byId.get("sequential")?.availability).toBe("unavailable");
    expect(byId.get("causal")?.availability).toBe("sticky");
    expect(byId.get("readYourWrites")?.availability).toBe("sticky");
    expect(byId.get("monotonicReads")?.availability).toBe("total");
    expect(byId.get("strictSerializable")?.implies).toEqual(["serializable", "linearizable"]);
  });
});

describe("the map as a Mermaid flowchart", () => {
  it("draws every model, every arrow, the availability classes and the observations", () => {
    const output = jepsenMap({
      observations: [
        { model: "linearizable", system: "CP counter", held: true },
        { model: "linearizable", system: "AP counter", held: false },
      ],
      notes: [{ model: "monotonicReads", text: "converges after heal" }],
    });
    const source = output.mimeBundle["text/vnd.mermaid"] ?? "";
    expect(source.startsWith("flowchart TD\n")).toBe(true);
    for (const model of JEPSEN_MODELS) expect(source).toContain(`  ${model.id}["`);
    expect(source).toContain("  linearizable --> sequential");
    expect(source).toMatch(/\n {2}class [\w,]*\blinearizable\b[\w,]* unavailable\n/);
    expect(source).toMatch(/\n {2}class [\w,]*\bcausal\b[\w,]* sticky\n/);
    expect(source).toContain('linearizable["Linearizable<br/>✔ CP counter<br/>✘ AP counter"]');
    expect(source).toContain("  style linearizable stroke-width:4px");
    expect(source).toContain('note0(["converges after heal"])');
    expect(output.toString()).toContain(
      "Linearizable (unavailable) -> sequential [held by CP counter; broken by AP counter]",
    );
  });

  it("can keep only the single-object models", () => {
    const source = jepsenMap({ singleObjectOnly: true }).mimeBundle["text/vnd.mermaid"] ?? "";
    expect(source).not.toContain("snapshotIsolation");
    expect(source).toContain("strictSerializable --> linearizable");
  });

  it("refuses an observation of a model that is not on the map", () => {
    expectRangeError(
      () => jepsenMap({ observations: [{ model: "acid", system: "x", held: true }] }),
      `observation.model must be a model id of JEPSEN_MODELS (${JEPSEN_MODELS.map((m) => m.id).join(", ")}), got "acid"`,
    );
  });
});
