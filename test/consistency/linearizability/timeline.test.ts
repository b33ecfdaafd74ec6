// @vitest-environment jsdom
// The history timeline: SVG that is well-formed, survives the site's sanitiser, reads in light
// and dark mode, and shows the linearization or the culprit. Reference: Herlihy and Wing 1990 §2.

import { describe, expect, it } from "vitest";
import { sanitizeMarkup } from "../../../site/src/cell-runtime/sanitize.js";
import {
  type KvInput,
  type KvOutput,
  type Operation,
  checkOperations,
  historyTimeline,
  kvModel,
  registerModel,
} from "../../../src/consistency/linearizability/index.js";
import { operationsAsEvents, reg } from "./support.js";

const okHistory = [reg.write(0, 1, 0, 100), reg.read(1, 1, 25, 75), reg.read(2, null, 30, 60)];
const staleHistory = [reg.write(0, 1, 0, 10), reg.read(1, null, 12, 15), reg.pendingWrite(2, 2, 3)];

function parseSvg(svg: string): Document {
  return new DOMParser().parseFromString(svg, "image/svg+xml");
}

describe("historyTimeline", () => {
  it("gives well-formed SVG that the site's sanitiser leaves unchanged", () => {
    const result = checkOperations(registerModel, staleHistory);
    const svg = historyTimeline(staleHistory, result, registerModel).mimeBundle["image/svg+xml"];
    expect(svg).toBeDefined();
    const document = parseSvg(svg as string);
    expect(document.getElementsByTagName("parsererror")).toHaveLength(0);
    expect(document.documentElement.tagName).toBe("svg");
    expect(sanitizeMarkup(svg as string)).toBe(svg);
  });

  it("draws in currentColor and two mid-tone accents only, so it reads on light and dark pages", () => {
    const result = checkOperations(registerModel, staleHistory);
    const svg = historyTimeline(staleHistory, result, registerModel).mimeBundle["image/svg+xml"];
    const colours = new Set(
      [...(svg as string).matchAll(/(?:fill|stroke)="([^"]+)"/g)].map((m) => m[1]),
    );
    expect([...colours].sort()).toEqual(["#3b82f6", "#ef4444", "currentColor", "none"]);
  });

  it("marks one linearization point per operation for an ok history, numbered in order", () => {
    const result = checkOperations(registerModel, okHistory);
    const output = historyTimeline(okHistory, result, registerModel);
    const document = parseSvg(output.mimeBundle["image/svg+xml"] as string);
    expect(document.getElementsByTagName("circle")).toHaveLength(3);
    expect(output.toString()).toContain("read() -> nil  #1 at");
    expect(output.toString()).toContain("read() -> 1    #3 at");
  });

  it("highlights the operation that cannot be placed in an illegal history", () => {
    const result = checkOperations(registerModel, staleHistory);
    const output = historyTimeline(staleHistory, result, registerModel);
    expect(output.toString()).toMatch(/read\(\) -> nil\s+cannot be linearized/);
    expect(output.mimeBundle["image/svg+xml"]).toContain('stroke="#ef4444"');
    expect(output.mimeBundle["image/svg+xml"]).toContain("read() -&gt; nil (cannot be linearized)");
  });

  it("escapes operation text", () => {
    const history: Operation<KvInput, KvOutput>[] = [
      {
        clientId: 0,
        input: { op: "put", key: "<b>", value: "&" },
        call: 0,
        output: { status: "ok" },
        return: 1,
      },
    ];
    const svg = historyTimeline(history, checkOperations(kvModel, history), kvModel).mimeBundle[
      "image/svg+xml"
    ] as string;
    expect(svg).not.toContain("<b>");
    expect(svg).toContain("&lt;b&gt;");
    expect(parseSvg(svg).getElementsByTagName("parsererror")).toHaveLength(0);
  });

  it("accepts an event history and draws the same operations", () => {
    const events = operationsAsEvents(okHistory);
    const output = historyTimeline(events, undefined, registerModel);
    expect(output.toString().split("\n")).toHaveLength(4);
  });

  it("refuses a history longer than operationsMax, naming the limit", () => {
    expect(() =>
      historyTimeline(okHistory, undefined, registerModel, { operationsMax: 2 }),
    ).toThrow(/at most options.operationsMax \(2\)/);
  });

  it("refuses a result about another history", () => {
    const result = checkOperations(registerModel, okHistory);
    expect(() => historyTimeline(staleHistory.slice(0, 2), result)).toThrow(
      /the verdict on this history/,
    );
  });
});
