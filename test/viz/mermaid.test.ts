// @vitest-environment jsdom
// Mermaid diagrams and simulator traces as rich output. Every diagram these tests make goes through
// the real Mermaid 11 parser (it needs a DOM: jsdom), and every markdown fence through marked.

import mermaidLibrary from "mermaid";
import { describe, expect, it } from "vitest";
import { Simulation, mermaid, sequence, toMermaidSequence, toTextTable } from "../../src/index.js";
import { expectMermaid } from "./render.js";

interface Msg {
  readonly type: string;
}

/** Node "a" pings "b" at start, "b" answers with a pong; 5 ms links; "c" keeps a timer. */
function pingPong(): Simulation<Msg> {
  const sim = new Simulation<Msg>({ seed: 7, network: { latency: { kind: "fixed", ms: 5 } } });
  sim.addNode("a", () => ({
    onStart: (ctx) => ctx.send("b", { type: "ping" }),
    onMessage: () => {},
  }));
  sim.addNode("b", () => ({
    onMessage: (ctx, msg) => {
      if (msg.type === "ping") ctx.send(msg.from, { type: "pong" });
    },
  }));
  sim.addNode("c", () => ({
    onStart: (ctx) => {
      ctx.setTimer(3, "tick");
      ctx.send("a", { type: "hello" });
    },
    onMessage: () => {},
    onTimer: () => {},
  }));
  sim.runFor(20);
  return sim;
}

describe("the real Mermaid parser", () => {
  it("rejects a broken diagram, so a parse check in these tests can fail", async () => {
    await expect(mermaidLibrary.parse("flowchart LR\n  a -->")).rejects.toThrow(/Parse error/);
    await expect(mermaidLibrary.parse('xychart-beta\n  x-axis ["a"]\n  bar [1, ]')).rejects.toThrow(
      /Parse error/,
    );
  });
});

describe("mermaid(source)", () => {
  it("carries the source, a fenced copy and the source again as plain text", async () => {
    const source = "flowchart LR\n  client --> leader --> follower";

    const output = mermaid(source);

    expect(output.mimeBundle).toEqual({
      "text/vnd.mermaid": source,
      "text/markdown": "```mermaid\nflowchart LR\n  client --> leader --> follower\n```",
      "text/plain": source,
    });
    await expectMermaid(output, "flowchart-v2");
  });

  it("shows options.fallback as plain text instead", () => {
    const output = mermaid("graph TD\n  a --> b", { fallback: "a → b" });

    expect(output.toString()).toBe("a → b");
    expect(output.mimeBundle["text/vnd.mermaid"]).toBe("graph TD\n  a --> b");
  });

  it("fences with more backticks than any run in the source", async () => {
    const source = "flowchart LR\n  %% a comment with ```code```\n  a --> b";

    const output = mermaid(source);

    expect(output.mimeBundle["text/markdown"]).toBe("````mermaid\n" + source + "\n````");
    await expectMermaid(output, "flowchart-v2");
  });

  it("finds the keyword after blank lines, comments, directives and front matter", async () => {
    const sources = [
      "\n\n  sequenceDiagram\n  a->>b: hi",
      "%% a comment\n%%{init: {'theme': 'dark'}}%%\nsequenceDiagram\n  a->>b: hi",
      "---\ntitle: Hello\n---\nsequenceDiagram\n  a->>b: hi",
    ];

    for (const source of sources) await expectMermaid(mermaid(source), "sequence");
  });

  it("accepts every keyword a chapter is likely to use", async () => {
    const diagrams: readonly [string, string][] = [
      ["stateDiagram-v2\n  [*] --> Follower\n  Follower --> Candidate", "stateDiagram"],
      ["classDiagram\n  class Node", "classDiagram"],
      ["erDiagram\n  NODE ||--o{ LOG : has", "er"],
      ['pie title Votes\n  "a" : 3\n  "b" : 2', "pie"],
      ["timeline\n  2014 : Raft", "timeline"],
      ["gantt\n  dateFormat X\n  section s\n  task : 0, 10", "gantt"],
      ['xychart-beta\n  x-axis ["a"]\n  bar [1]', "xychart"],
    ];

    for (const [source, type] of diagrams) await expectMermaid(mermaid(source), type);
  });

  it("names the keywords when the source starts with something else", () => {
    expect(() => mermaid("sequenceDiagam\n  a->>b: hi")).toThrow(
      /^source must be a Mermaid diagram starting with one of: sequenceDiagram, flowchart, .*, got "sequenceDiagam"$/,
    );
    expect(() => mermaid("%% only a comment")).toThrow(
      /source must be a Mermaid diagram starting with one of: .*, got "%% only a comment"/,
    );
    expect(() => mermaid("---\ntitle: unclosed\nsequenceDiagram")).toThrow(
      /source must be a Mermaid diagram starting with one of/,
    );
  });

  it("refuses a blank or non-string source and a non-string fallback", () => {
    expect(() => mermaid("  \n ")).toThrow(/source must be a Mermaid diagram .*, got " {2}\\n "/);
    expect(() => mermaid(42 as unknown as string)).toThrow(/source must be .*, got 42$/);
    expect(() => mermaid("graph TD", { fallback: 1 as unknown as string })).toThrow(
      new RangeError("options.fallback must be a string or undefined, got 1"),
    );
  });

  it("refuses a source longer than Mermaid's maxTextSize", () => {
    const source = "graph TD\n" + "%%".padEnd(50_000, "x");

    expect(() => mermaid(source)).toThrow(
      new RangeError(
        "mermaid: source of 50009 characters exceeds Mermaid's maxTextSize (50000); " +
          "draw less (filter the trace, fewer bars or points)",
      ),
    );
  });
});

describe("sequence(trace)", () => {
  it("draws the diagram for Mermaid viewers and the text table for the rest", async () => {
    const sim = pingPong();

    const output = sequence(sim.trace, { participants: ["a", "b"] });

    expect(output.mimeBundle["text/vnd.mermaid"]).toBe(
      toMermaidSequence(sim.trace, { participants: ["a", "b"] }),
    );
    expect(output.mimeBundle["text/plain"]).toBe(
      [
        "time (ms)  event    node  to  detail",
        "---------  -------  ----  --  ------------------",
        "        0  send     a     b   #0 ping, 15 B",
        "        5  deliver  a     b   #0 ping, sent at 0",
        "        5  send     b     a   #2 pong, 15 B",
        "       10  deliver  b     a   #2 pong, sent at 5",
      ].join("\n"),
    );
    await expectMermaid(output, "sequence");
  });

  it("tabulates exactly the events the diagram draws: timers only with showTimers", async () => {
    const sim = pingPong();

    const quiet = sequence(sim.trace);
    const withTimers = sequence(sim.trace, { showTimers: true, showTimes: false });

    expect(quiet.toString()).toBe(toTextTable(sim.trace.filter((e) => e.kind !== "timer")));
    expect(withTimers.toString()).toBe(toTextTable(sim.trace));
    expect(withTimers.toString()).toContain("        3  timer    c         tick");
    await expectMermaid(quiet, "sequence");
    await expectMermaid(withTimers, "sequence");
  });

  it("puts the title above the table and passes label and rowsMax on", async () => {
    const sim = pingPong();

    const output = sequence(sim.trace, {
      title: "ping\npong",
      participants: ["b", "a"],
      label: (message) => `<${message.type}>`,
      rowsMax: 4,
    });

    expect(output.toString().split("\n").slice(0, 3)).toEqual([
      "ping pong",
      "time (ms)  event    node  to  detail",
      "---------  -------  ----  --  --------------------",
    ]);
    expect(output.toString()).toContain("#0 <ping>, sent at 0");
    expect(() => sequence(sim.trace, { rowsMax: 4 })).toThrow(
      /toTextTable: 6 events exceed rowsMax=4/,
    );
    await expectMermaid(output, "sequence");
  });

  it("passes the diagram's own errors through", () => {
    const sim = pingPong();

    expect(() => sequence(sim.trace, { eventsMax: 1 })).toThrow(/exceed eventsMax=1/);
    expect(() => sequence(sim.trace, { rowsMax: 0 })).toThrow(/rowsMax must be an integer >= 1/);
    expect(() => sequence(sim.trace, null as unknown as object)).toThrow(
      /options must be an object or undefined, got null/,
    );
  });
});
