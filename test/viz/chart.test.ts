// @vitest-environment jsdom
// Bar and line charts as rich output: exact text and Mermaid for small inputs, every chart read
// back by the real Mermaid 11 parser (xychart-beta), limits and named errors.

import { describe, expect, it } from "vitest";
import { barChart, lineChart } from "../../src/index.js";
import { expectMermaid, parseXyChart, shownText } from "./render.js";

describe("barChart", () => {
  it("draws a text bar chart with eighth-character ends, longest bar widthChars long", async () => {
    const output = barChart(
      [
        { label: "a", value: 40 },
        { label: "bb", value: 10 },
        { label: "c", value: 13 },
        { label: "d", value: 0.01 },
        { label: "e", value: 0 },
      ],
      { widthChars: 8, title: "Messages sent" },
    );

    expect(output.toString()).toBe(
      ["Messages sent", "a  │████████ 40", "bb │██ 10", "c  │██▋ 13", "d  │▏ 0.01", "e  │ 0"].join(
        "\n",
      ),
    );
    await expectMermaid(output, "xychart");
  });

  it("writes an xychart-beta with a y axis from 0, read back as written", async () => {
    const output = barChart(
      { a: 40, b: 10 },
      { title: "Sent", xLabel: "node", yLabel: "messages" },
    );

    const source = await expectMermaid(output, "xychart");

    expect(source).toBe(
      [
        "xychart-beta",
        '  title "Sent"',
        '  x-axis "node" ["a", "b"]',
        '  y-axis "messages" 0 --> 40',
        "  bar [40, 10]",
      ].join("\n"),
    );
    const { data, title } = await parseXyChart(source);
    expect(title).toBe("Sent");
    expect(data.xAxis).toEqual({ type: "band", title: "node", categories: ["a", "b"] });
    expect(data.yAxis).toEqual({ type: "linear", title: "messages", min: 0, max: 40 });
    expect(data.plots.map((plot) => [plot.type, plot.data])).toEqual([
      [
        "bar",
        [
          ["a", 40],
          ["b", 10],
        ],
      ],
    ]);
  });

  it("prints a header row when axis labels are given", () => {
    const output = barChart(
      { p50: 4.2, p99: 31 },
      { xLabel: "percentile", yLabel: "ms", widthChars: 10 },
    );

    expect(output.toString()).toBe(
      ["percentile │ ms", "p50        │█▍ 4.2", "p99        │██████████ 31"].join("\n"),
    );
  });

  it("gives an all-zero chart a y axis to 1 and plain numbers to Mermaid", async () => {
    const zeros = barChart({ a: 0, b: 0 });
    const extremes = barChart({ huge: 1e21, tiny: 1e-7 }, { digits: 7, widthChars: 4 });

    expect(zeros.toString()).toBe("a │ 0\nb │ 0");
    const zerosSource = await expectMermaid(zeros, "xychart");
    expect(zerosSource).toContain("y-axis 0 --> 1\n  bar [0, 0]");
    const source = await expectMermaid(extremes, "xychart");
    expect(source).toContain("bar [1000000000000000000000, 0.0000001]");
    const { data } = await parseXyChart(source);
    expect(data.plots[0]?.data).toEqual([
      ["huge", 1e21],
      ["tiny", 1e-7],
    ]);
    expect(extremes.toString()).toBe("huge │████ 1,000,000,000,000,000,000,000\ntiny │▏ 0.0000001");
  });

  it("quotes and escapes labels so they parse and show as written", async () => {
    const labels = ['say "hi"', "a;b #1 %% c: d", "<b>&amp;</b>", "`tick`", "[x], y"];

    const output = barChart(
      labels.map((label, index) => ({ label, value: index + 1 })),
      {
        title: "%%{init: {}}%% `t`",
      },
    );

    const source = await expectMermaid(output, "xychart");
    expect(source.split("\n")[2]).toBe(
      '  x-axis ["say #quot;hi#quot;", "a#59;b #35;1 #37;#37; c#58; d", ' +
        '"#lt;b#gt;#38;amp#59;#lt;/b#gt;", "#96;tick#96;", "[x], y"]',
    );
    const { data, title } = await parseXyChart(source);
    expect(data.xAxis.type === "band" && data.xAxis.categories.map(shownText)).toEqual(labels);
    expect(shownText(title)).toBe("%%{init: {}}%% `t`");
  });

  it("refuses empty data, repeated labels and values that are not finite numbers >= 0", () => {
    expect(() => barChart([])).toThrow(
      /^data must be a non-empty array of \{ label, value \} or a non-empty record/,
    );
    expect(() => barChart({})).toThrow(/data must be a non-empty array/);
    expect(() =>
      barChart([
        { label: "a", value: 1 },
        { label: " a ", value: 2 },
      ]),
    ).toThrow(
      new RangeError('data[1].label must be unique in the chart (once trimmed), got " a "'),
    );
    expect(() => barChart([{ label: " \n", value: 1 }])).toThrow(
      new RangeError('data[0].label must be a string with visible text, got " \\n"'),
    );
    expect(() => barChart([{ label: "a", value: -1 }])).toThrow(
      new RangeError("data[0].value must be a finite number >= 0 (bars start at 0), got -1"),
    );
    expect(() => barChart({ a: NaN })).toThrow(
      new RangeError('data["a"] must be a finite number >= 0 (bars start at 0), got NaN'),
    );
    expect(() => barChart({ a: Infinity })).toThrow(/data\["a"\] must be a finite number/);
    expect(() => barChart([{ label: "a", value: "3" as unknown as number }])).toThrow(
      /data\[0\].value must be a finite number >= 0 \(bars start at 0\), got "3"/,
    );
    expect(() => barChart([3 as unknown as { label: string; value: number }])).toThrow(
      /data\[0\] must be a \{ label, value \} object, got 3/,
    );
  });

  it("refuses more bars than barsMax and bad options", () => {
    const data = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`n${i}`, i]));

    expect(() => barChart(data)).toThrow(
      new RangeError(
        "barChart: 101 bars exceed barsMax=100; group or filter the data, or raise barsMax",
      ),
    );
    expect(barChart(data, { barsMax: 101 }).toString().split("\n")).toHaveLength(101);
    expect(() => barChart({ a: 1 }, { widthChars: 0 })).toThrow(
      new RangeError("widthChars must be an integer in [1, 200], got 0"),
    );
    expect(() => barChart({ a: 1 }, { title: "  " })).toThrow(
      new RangeError('title must be a string with visible text, or undefined, got "  "'),
    );
    expect(() => barChart({ a: 1 }, { digits: 30 })).toThrow(
      /digits must be an integer from 0 to 20/,
    );
  });
});

describe("lineChart", () => {
  const commits = [
    {
      name: "leader",
      points: [
        [0, 1],
        [10, 4],
        [20, 9],
      ] as [number, number][],
    },
    {
      name: "follower",
      points: [
        [0, 0],
        [10, 2],
        [20, 8.5],
      ] as [number, number][],
    },
  ];

  it("prints one row per x and one column per series", async () => {
    const output = lineChart(commits, { title: "Commit index", xLabel: "time (ms)" });

    expect(output.toString()).toBe(
      [
        "Commit index",
        "time (ms)  leader  follower",
        "---------  ------  --------",
        "        0       1         0",
        "       10       4         2",
        "       20       9       8.5",
      ].join("\n"),
    );
    await expectMermaid(output, "xychart");
  });

  it("uses a linear x axis, to scale, for evenly spaced x values", async () => {
    const output = lineChart(commits, { xLabel: "time (ms)", yLabel: "commitIndex" });

    const source = await expectMermaid(output, "xychart");

    expect(source).toBe(
      [
        "xychart-beta",
        '  x-axis "time (ms)" 0 --> 20',
        '  y-axis "commitIndex"',
        '  line "leader" [1, 4, 9]',
        '  line "follower" [0, 2, 8.5]',
      ].join("\n"),
    );
    const { data } = await parseXyChart(source);
    expect(data.xAxis).toEqual({ type: "linear", title: "time (ms)", min: 0, max: 20 });
    expect(data.plots.map((plot) => [plot.type, plot.title, plot.data])).toEqual([
      [
        "line",
        "leader",
        [
          ["0", 1],
          ["10", 4],
          ["20", 9],
        ],
      ],
      [
        "line",
        "follower",
        [
          ["0", 0],
          ["10", 2],
          ["20", 8.5],
        ],
      ],
    ]);
  });

  it("uses one category per x value when the gaps differ, or for a single point", async () => {
    const uneven = lineChart({
      name: "queue",
      points: [
        [0, 3],
        [1.5, 2],
        [10, -1e-7],
      ],
    });
    const single = lineChart({ name: "queue", points: [[5, 3]] });

    const unevenSource = await expectMermaid(uneven, "xychart");
    expect(unevenSource).toBe(
      'xychart-beta\n  x-axis ["0", "1.5", "10"]\n  line "queue" [3, 2, -0.0000001]',
    );
    expect((await parseXyChart(unevenSource)).data.xAxis).toEqual({
      type: "band",
      title: "",
      categories: ["0", "1.5", "10"],
    });
    expect(await expectMermaid(single, "xychart")).toBe(
      'xychart-beta\n  x-axis ["5"]\n  line "queue" [3]',
    );
    expect(uneven.toString()).toBe(
      ["  x  queue", "---  -----", "  0      3", "1.5      2", " 10      0"].join("\n"),
    );
  });

  it("refuses series that do not share x values, or whose x does not increase", () => {
    expect(() =>
      lineChart([
        commits[0] as (typeof commits)[0],
        {
          name: "f",
          points: [
            [0, 0],
            [15, 1],
            [20, 2],
          ],
        },
      ]),
    ).toThrow(
      new RangeError(
        "series[1].points[1][0] must be 10 as in the first series (lines share one x axis: " +
          "sample every series at the same x values), got 15",
      ),
    );
    expect(() =>
      lineChart([commits[0] as (typeof commits)[0], { name: "f", points: [[0, 0]] }]),
    ).toThrow(/series\[1\].points must be 3 points like the first series/);
    expect(() =>
      lineChart({
        name: "q",
        points: [
          [0, 1],
          [0, 2],
        ],
      }),
    ).toThrow(
      new RangeError(
        "series.points[1][0] must be greater than the x before it (0): x must increase, got 0",
      ),
    );
  });

  it("refuses no series, empty or oversized series, bad numbers and repeated names", () => {
    expect(() => lineChart([])).toThrow(
      /^series must be a series \{ name, points \} or a non-empty array of them, got \[\]$/,
    );
    expect(() => lineChart({ name: "q", points: [] })).toThrow(
      new RangeError("series.points must be a non-empty array of [x, y] pairs, got []"),
    );
    expect(() => lineChart({ name: "q", points: [[0, NaN]] })).toThrow(
      new RangeError("series.points[0][1] must be a finite number, got NaN"),
    );
    expect(() => lineChart({ name: "q", points: [[-Infinity, 1]] })).toThrow(
      new RangeError("series.points[0][0] must be a finite number, got -Infinity"),
    );
    expect(() =>
      lineChart({ name: "q", points: [[0, 1, 2] as unknown as [number, number]] }),
    ).toThrow(/series.points\[0\] must be an \[x, y\] pair of finite numbers, got \[0,1,2\]/);
    expect(() =>
      lineChart([
        { name: "q", points: [[0, 1]] },
        { name: "q", points: [[0, 2]] },
      ]),
    ).toThrow(new RangeError('series[1].name must be unique in the chart (once trimmed), got "q"'));
    const points = Array.from({ length: 201 }, (_, i): [number, number] => [i, i]);
    expect(() => lineChart({ name: "q", points })).toThrow(
      new RangeError(
        "lineChart: series has 201 points, more than pointsMax=200; " +
          "sample less often or raise pointsMax",
      ),
    );
    expect(
      lineChart({ name: "q", points }, { pointsMax: 201 }).toString().split("\n"),
    ).toHaveLength(203);
  });
});
