// @vitest-environment jsdom
// Ring pictures and the tables' charts, drawn from real state: each Mermaid source goes through
// the real Mermaid 11 parser (it needs a DOM: jsdom), each text fallback is checked as text.

import mermaidLibrary from "mermaid";
import { describe, expect, it } from "vitest";
import {
  BoundedLoadRing,
  ConsistentHashRing,
  KetamaRing,
  loadSpreadChart,
  loadSpreadTable,
  remapChart,
  remapTable,
  ringFlowchart,
  ringPie,
} from "../../src/index.js";
import { expectMermaid, parseXyChart } from "../viz/render.js";
import { expectRangeError } from "./support.js";

describe("ringPie: each node's share of the circle", () => {
  it("is a pie whose slices are the ring's shares, in percent", async () => {
    const ring = new ConsistentHashRing({ vnodes: 4, nodes: ["a", "b", "c"] });
    const source = await expectMermaid(ringPie(ring), "pie");
    const slices = [...source.matchAll(/"(\w)" : ([\d.]+)/g)].map((m) => [m[1], Number(m[2])]);
    expect(slices).toEqual(
      ring.shares().map((s) => [s.nodeName, Number((s.share * 100).toFixed(2))]),
    );
    expect(ringPie(ring).toString()).toContain("node  points  share (%)");
  });

  it("escapes node names that Mermaid would read as syntax", async () => {
    const ring = new KetamaRing({ nodes: ['cache "a"; #1', "10.0.0.2:11211"] });
    await expectMermaid(ringPie(ring, { title: "Ketama: 2 servers" }), "pie");
  });
});

describe("ringFlowchart: the points clockwise and where keys land", () => {
  const ring = new ConsistentHashRing({ vnodes: 3, nodes: ["a", "b", "c"] });

  it("draws every point in ring order, closes the cycle, and points each key at its receiving point", async () => {
    const keys = ["user:1", "user:3", "user:5"];
    const source = await expectMermaid(ringFlowchart(ring, { keys }), "flowchart-v2");
    const points = ring.points();
    expect(source).toContain(`p${points.length - 1} --> p0`);
    keys.forEach((key, k) => {
      const receiver = points.findIndex((p) => p.position >= ring.hashOf(key));
      const index = receiver < 0 ? 0 : receiver;
      expect(source).toContain(`k${k} -.-> p${index}`);
      expect(points[index]?.node).toBe(ring.getNode(key));
    });
  });

  it("falls back to a text table of positions, points, nodes, arcs and keys", () => {
    const text = ringFlowchart(ring, { keys: ["user:1"] }).toString();
    expect(text.split("\n")[0]).toMatch(/position\s+point\s+node\s+arc \(%\)\s+keys/);
    expect(text.split("\n")).toHaveLength(ring.pointsCount + 2);
  });

  it("works for a bounded-load ring, and refuses a ring too big to read", async () => {
    await expectMermaid(
      ringFlowchart(new BoundedLoadRing({ vnodes: 2, nodes: ["x", "y"] })),
      "flowchart-v2",
    );
    expectRangeError(
      () => ringFlowchart(new ConsistentHashRing({ nodes: ["a"] })),
      "ringFlowchart: the ring has 160 points, more than pointsMax=48; draw a ring with fewer nodes or vnodes (ringPie shows any ring)",
    );
  });
});

describe("charts of the tables", () => {
  it("remapChart: one bar per transition and scheme, in percent", async () => {
    const source = await expectMermaid(remapChart(remapTable({ keysCount: 20_000 })), "xychart");
    const { data } = await parseXyChart(source);
    expect(data.xAxis.type).toBe("band");
    expect(data.plots[0]?.data).toHaveLength(8);
  });

  it("loadSpreadChart: measured and predicted std-dev / mean against points per node", async () => {
    const source = await expectMermaid(
      loadSpreadChart(loadSpreadTable({ keysCount: 20_000, trials: 1 })),
      "xychart",
    );
    const { data } = await parseXyChart(source);
    expect(data.plots.map((plot) => plot.title)).toEqual(["measured", "predicted"]);
    expect(data.plots[0]?.data.map(([x]) => x)).toEqual(["1", "10", "100", "1000"]);
  });

  it("parses with Mermaid's own parser, not only ours", async () => {
    await expect(
      mermaidLibrary.parse(
        ringPie(new ConsistentHashRing({ nodes: ["a"] })).mimeBundle["text/vnd.mermaid"] as string,
      ),
    ).resolves.toBeTruthy();
  });
});
