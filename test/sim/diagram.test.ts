// @vitest-environment jsdom
// Diagrams drawn from real simulator runs: the Mermaid sequence diagram and the text table.
// Every diagram these tests make goes through the real Mermaid 11 parser (it needs a DOM: jsdom).

import fc from "fast-check";
import mermaid from "mermaid";
import { describe, expect, it } from "vitest";
import {
  type Envelope,
  type LinkOptions,
  type SequenceDiagramOptions,
  Simulation,
  type TraceEvent,
  toMermaidSequence,
  toTextTable,
} from "../../src/index.js";

// ---------------------------------------------------------------- the real Mermaid parser

/** The parts of Mermaid's sequence diagram database these tests read (it is untyped upstream). */
interface SequenceDb {
  getActors(): Map<string, { readonly name: string; readonly description: string }>;
  getMessages(): readonly {
    readonly from?: string;
    readonly to?: string;
    readonly type?: number;
    readonly message: unknown;
  }[];
  getDiagramTitle(): string;
  readonly LINETYPE: Readonly<Record<string, number>>;
}

/** Parses with the public `mermaid.parse` (rejects on a syntax error) and returns what it read. */
async function parseMermaid(text: string): Promise<SequenceDb> {
  await expect(mermaid.parse(text)).resolves.toMatchObject({ diagramType: "sequence" });
  // Same parser and database, but it hands back the diagram so the tests can read what was parsed.
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
  return diagram.db as unknown as SequenceDb;
}

/** Draws a diagram and fails the test unless the real Mermaid parser accepts it. */
async function draw(
  events: readonly TraceEvent[],
  options?: SequenceDiagramOptions,
): Promise<string> {
  const text = toMermaidSequence(events, options);
  await parseMermaid(text);
  return text;
}

/** What a reader sees for a parsed text: Mermaid's entity placeholders and HTML entities decoded. */
function shownText(parsed: string): string {
  const html = parsed.replace(/ﬂ°°(\d+)¶ß/g, "&#$1;").replace(/ﬂ°(\w+)¶ß/g, "&$1;");
  const textarea = document.createElement("textarea");
  textarea.innerHTML = html;
  return textarea.value;
}

/** What the diagram should show for a piece of user text: one line, trimmed as Mermaid trims. */
function expectedText(text: string): string {
  return text.replace(/[\p{Cc}\u2028\u2029]/gu, " ").trim();
}

// ---------------------------------------------------------------- small real runs

interface Msg {
  readonly type: string;
}

const FIXED_5_MS: LinkOptions = { latency: { kind: "fixed", ms: 5 } };

/** Node "a" sends `type` to "b" at start; "b" answers every ping with a pong. */
function pingPong(link: LinkOptions = {}, type = "ping") {
  const sim = new Simulation<Msg>({ seed: 7, network: { ...FIXED_5_MS, ...link } });
  sim.addNode("a", () => ({ onStart: (ctx) => ctx.send("b", { type }), onMessage: () => {} }));
  sim.addNode("b", () => ({
    onMessage: (ctx, msg) => {
      if (msg.type === "ping") ctx.send(msg.from, { type: "pong" });
    },
  }));
  return sim;
}

/** Three quiet nodes for scripted faults. */
function threeNodes() {
  const sim = new Simulation<Msg>({ seed: 7, network: FIXED_5_MS });
  for (const id of ["a", "b", "c"]) sim.addNode(id, () => ({ onMessage: () => {} }));
  return sim;
}

function send(sim: Simulation<Msg>, from: string, to: string, type = "ping"): void {
  sim.withNode(from, (ctx) => ctx.send(to, { type }));
}

function lines(text: string): string[] {
  return text.split("\n");
}

// ---------------------------------------------------------------- diagrams

describe("the real Mermaid parser", () => {
  it("rejects a broken diagram, so a parse check in these tests can fail", async () => {
    const broken = "sequenceDiagram\n  participant P0 as a\n  P0->>: no receiver";

    await expect(mermaid.parse(broken)).rejects.toThrow(/Parse error/);
  });

  it("reads delivered, lost and in-flight arrows and notes as drawn", async () => {
    const sim = pingPong({ latency: { kind: "fixed", ms: 50 } });
    sim.addNode("c", () => ({ onMessage: () => {} }));
    sim.configureLink("a", "c", { dropProbability: 1 });
    sim.runFor(60);
    send(sim, "a", "c");
    sim.crash("c");

    const db = await parseMermaid(toMermaidSequence(sim.trace));

    const { SOLID, SOLID_CROSS, DOTTED_POINT, NOTE } = db.LINETYPE;
    expect(db.getMessages().map(({ from, to, type }) => [from, to, type])).toEqual([
      ["P0", "P1", SOLID],
      ["P0", "P2", SOLID_CROSS],
      ["P2", "P2", NOTE],
      ["P1", "P0", DOTTED_POINT],
    ]);
  });
});

describe("trace → Mermaid sequence diagram", () => {
  it("draws a ping/pong run as two solid arrows with their times (golden)", async () => {
    const sim = pingPong();
    sim.runFor(20);

    const text = await draw(sim.trace);

    expect(text).toBe(
      [
        "sequenceDiagram",
        "  participant P0 as a",
        "  participant P1 as b",
        "  P0->>P1: ping (t=0→5)",
        "  P1->>P0: pong (t=5→10)",
      ].join("\n"),
    );
  });

  it("declares participants in order of first appearance", async () => {
    const sim = threeNodes();
    send(sim, "c", "a");
    send(sim, "a", "b");
    sim.runFor(10);

    const text = await draw(sim.trace);

    expect(lines(text).slice(1, 4)).toEqual([
      "  participant P0 as c",
      "  participant P1 as a",
      "  participant P2 as b",
    ]);
  });

  it("uses the given participants in their order and skips events about other nodes", async () => {
    const sim = threeNodes();
    send(sim, "a", "b");
    send(sim, "a", "c");
    sim.crash("c");
    sim.runFor(10);

    const text = await draw(sim.trace, { participants: ["b", "a"] });

    expect(lines(text)).toEqual([
      "sequenceDiagram",
      "  participant P0 as b",
      "  participant P1 as a",
      "  P1->>P0: ping (t=0→5)",
    ]);
  });

  it("draws a message lost on the link as a cross arrow with reason loss", async () => {
    const sim = pingPong({ dropProbability: 1 });
    sim.runFor(20);

    const text = await draw(sim.trace);

    expect(lines(text)).toContain("  P0-xP1: ping ✗ loss (t=0)");
  });

  it("draws a message sent into a partition as lost with reason partition", async () => {
    const sim = threeNodes();
    sim.partition([["a"], ["b", "c"]]);
    send(sim, "a", "b");
    sim.runFor(10);

    const text = await draw(sim.trace);

    expect(lines(text)).toContain("  P0-xP1: ping ✗ partition (t=0)");
  });

  it("draws a message that reaches a crashed node as lost with reason crashed, at arrival", async () => {
    const sim = threeNodes();
    send(sim, "a", "b");
    sim.crash("b");
    sim.runFor(10);

    const text = await draw(sim.trace);

    expect(lines(text).slice(-2)).toEqual([
      "  Note over P1: crash",
      "  P0-xP1: ping ✗ crashed (t=0→5)",
    ]);
  });

  it("draws a message the tamper hook removes as lost with reason tampered", async () => {
    const sim = pingPong();
    sim.setTamper(() => undefined);
    sim.runFor(20);

    const text = await draw(sim.trace);

    expect(lines(text)).toContain("  P0-xP1: ping ✗ tampered (t=0)");
  });

  it("marks the second delivery of a duplicated message with (duplicate)", async () => {
    const sim = threeNodes();
    sim.configureLink("a", "b", { duplicateProbability: 1 });
    send(sim, "a", "b");
    sim.runFor(10);

    const text = await draw(sim.trace);

    expect(lines(text).slice(-2)).toEqual([
      "  P0->>P1: ping (t=0→5)",
      "  P0->>P1: ping (duplicate) (t=0→5)",
    ]);
  });

  it("marks a delivery changed by the tamper hook with (tampered) and shows the new message", async () => {
    const sim = pingPong();
    sim.setTamper((message) => (message.type === "ping" ? { ...message, type: "pwned" } : message));
    sim.runFor(20);

    const text = await draw(sim.trace);

    expect(lines(text)).toContain("  P0->>P1: pwned (tampered) (t=0→5)");
  });

  it("draws messages still in flight at the end as dotted open arrows", async () => {
    const sim = pingPong({ latency: { kind: "fixed", ms: 100 } });
    sim.runFor(10);

    const text = await draw(sim.trace);

    expect(lines(text).at(-1)).toBe("  P0--)P1: ping (in flight) (t=0→)");
  });

  it("draws an in-flight duplicate once per copy still on the wire", async () => {
    const sim = threeNodes();
    sim.configureLink("a", "b", { duplicateProbability: 1 });
    send(sim, "a", "b");

    const text = await draw(sim.trace, { showTimes: false });

    expect(lines(text).slice(-2)).toEqual([
      "  P0--)P1: ping (in flight)",
      "  P0--)P1: ping (duplicate) (in flight)",
    ]);
  });

  it("notes a crash and a restart over the node", async () => {
    const sim = threeNodes();
    sim.crash("b");
    sim.runFor(5);
    sim.restart("b");

    const text = await draw(sim.trace);

    expect(lines(text).slice(-2)).toEqual(["  Note over P0: crash", "  Note over P0: restart"]);
  });

  it("notes a pause with its length and the resume", async () => {
    const sim = threeNodes();
    sim.pause("c", 200);
    sim.runFor(300);

    const text = await draw(sim.trace);

    expect(lines(text).slice(-2)).toEqual([
      "  Note over P0: paused 200 ms",
      "  Note over P0: resumed",
    ]);
  });

  it("notes a partition and its heal across every lifeline", async () => {
    const sim = threeNodes();
    send(sim, "a", "b");
    send(sim, "b", "c");
    sim.partition([["a", "b"], ["c"]]);
    sim.heal();

    const text = await draw(sim.trace, { showTimes: false });

    expect(lines(text).slice(4, 6)).toEqual([
      "  Note over P0,P2: partition {a, b} | {c}",
      "  Note over P0,P2: heal",
    ]);
  });

  it("notes a one-way partition with an arrow from senders to receivers", async () => {
    const sim = threeNodes();
    sim.partitionOneWay(["a"], ["b", "c"]);

    const text = await draw(sim.trace);

    expect(lines(text).at(-1)).toBe("  Note over P0,P2: partition one-way {a} → {b, c}");
  });

  it("notes a partition over the one lifeline when only one node is drawn", async () => {
    const sim = threeNodes();
    sim.isolate("a");

    const text = await draw(sim.trace, { participants: ["b"] });

    expect(lines(text).at(-1)).toBe("  Note over P0: partition {a} | {b, c}");
  });

  it("notes clock changes and the nodes' own log lines", async () => {
    const sim = threeNodes();
    sim.setClock("b", { offsetMs: 5, driftPpm: 100 });
    sim.withNode("a", (ctx) => ctx.log("became leader"));

    const text = await draw(sim.trace);

    expect(lines(text).slice(-2)).toEqual([
      "  Note over P0: clock offset 5 ms, drift 100 ppm",
      "  Note over P1: became leader",
    ]);
  });

  it("draws fired timers only when showTimers is set", async () => {
    const sim = new Simulation<Msg>({ seed: 7 });
    sim.addNode("a", () => ({
      onStart: (ctx) => ctx.setTimer(10, "heartbeat"),
      onMessage: () => {},
      onTimer: () => {},
    }));
    sim.runFor(20);

    const hidden = await draw(sim.trace);
    const shown = await draw(sim.trace, { showTimers: true });

    expect(lines(hidden)).not.toContain("  Note over P0: timer heartbeat");
    expect(lines(shown)).toContain("  Note over P0: timer heartbeat");
  });

  it("leaves the times out when showTimes is false", async () => {
    const sim = pingPong();
    sim.runFor(20);

    const text = await draw(sim.trace, { showTimes: false });

    expect(lines(text).slice(-2)).toEqual(["  P0->>P1: ping", "  P1->>P0: pong"]);
  });

  it("rounds times to at most one decimal", async () => {
    const sim = pingPong({ latency: { kind: "fixed", ms: 2.345 } });
    sim.runFor(20);

    const text = await draw(sim.trace);

    expect(lines(text).slice(-2)).toEqual([
      "  P0->>P1: ping (t=0→2.3)",
      "  P1->>P0: pong (t=2.3→4.7)",
    ]);
  });

  it("labels arrows with options.label", async () => {
    const sim = pingPong();
    sim.runFor(20);

    const text = await draw(sim.trace, { label: (m: Envelope) => `${m.type} from ${m.from}` });

    expect(lines(text)).toContain("  P0->>P1: ping from a (t=0→5)");
  });

  it("writes options.title as a title line, escaped", async () => {
    const sim = pingPong();
    sim.runFor(20);

    const text = await draw(sim.trace, { title: "Run #1: ping; pong" });

    expect(lines(text)[1]).toBe("  title Run #35;1#58; ping#59; pong");
  });

  it("escapes ids, labels and notes so ; # : < > % & and line breaks show as written", async () => {
    const ids = ["a;b", "#c: <d>", "end --> %%{init: {}}%%", "x\ny & z"];
    const type = "wrap: a; style:x#1; <br> &amp;";
    const note = "note; with # and\nnewline";
    const sim = new Simulation<Msg>({ seed: 7, network: FIXED_5_MS });
    for (const id of ids) sim.addNode(id, () => ({ onMessage: (ctx) => ctx.log(note) }));
    sim.withNode(ids[0] as string, (ctx) => ctx.broadcast({ type }));
    sim.runFor(10);

    const db = await parseMermaid(toMermaidSequence(sim.trace, { showTimes: false }));

    const actors = [...db.getActors().values()].map((actor) => shownText(actor.description));
    const texts = db.getMessages().map((message) => shownText(String(message.message)));
    expect(actors).toEqual(ids.map(expectedText));
    expect(texts).toEqual([
      type,
      expectedText(note),
      type,
      expectedText(note),
      type,
      expectedText(note),
    ]);
  });

  it("parses and shows any node ids, message types, notes and title as written (property)", async () => {
    const special = fc.constantFrom(
      ";",
      "#",
      ":",
      "<",
      ">",
      "%%",
      "\n",
      "\r",
      "end",
      "-->",
      "->>",
      "%%{init: {}}%%",
      "#59;",
      "&amp;",
      "<br>",
      "wrap:",
      "style",
      " as ",
      "participant",
      "Note over",
      "---",
      "@{",
    );
    const piece = fc.oneof(fc.string({ unit: "binary", maxLength: 4 }), special);
    const text = fc.array(piece, { maxLength: 6 }).map((pieces) => pieces.join(""));
    const ids = fc.uniqueArray(
      text.filter((id) => id.length > 0),
      { minLength: 1, maxLength: 4 },
    );

    await fc.assert(
      fc.asyncProperty(ids, text, text, text, async (nodeIds, type, note, title) => {
        const sim = new Simulation<Msg>({ seed: 7, network: FIXED_5_MS });
        for (const id of nodeIds) {
          sim.addNode(id, () => ({ onMessage: (ctx) => ctx.log(note) }));
        }
        sim.withNode(nodeIds[0] as string, (ctx) => {
          ctx.broadcast({ type });
          ctx.log(note);
        });
        sim.runFor(10);
        if (nodeIds.length > 1) sim.partition([[nodeIds[0] as string]]);
        const hasTitle = expectedText(title) !== "";
        const options = hasTitle ? { title, showTimes: false } : { showTimes: false };

        const db = await parseMermaid(toMermaidSequence(sim.trace, options));

        const actors = [...db.getActors().values()].map((actor) => shownText(actor.description));
        expect(actors).toEqual(nodeIds.map(expectedText));
        const textsOf = (type: number | undefined) =>
          db
            .getMessages()
            .filter((message) => message.type === type)
            .map((message) => shownText(String(message.message)));
        expect(textsOf(db.LINETYPE.SOLID)).toEqual(nodeIds.slice(1).map(() => expectedText(type)));
        const notes = textsOf(db.LINETYPE.NOTE);
        if (nodeIds.length > 1) expect(notes.pop()).toMatch(/^partition /);
        expect(notes).toEqual(nodeIds.map(() => expectedText(note)));
        if (hasTitle) expect(shownText(db.getDiagramTitle())).toBe(expectedText(title));
      }),
      { numRuns: 100 },
    );
  });
});

describe("diagram limits and bad options", () => {
  it("refuses more than eventsMax drawable events, naming the count and the limit", () => {
    const sim = pingPong();
    sim.runFor(20);

    expect(() => toMermaidSequence(sim.trace, { eventsMax: 1 })).toThrow(
      new RangeError(
        "toMermaidSequence: 2 drawable events exceed eventsMax=1; " +
          "filter the trace (sim.traceWhere({ fromMs, toMs, nodes })) or raise eventsMax",
      ),
    );
  });

  it("draws exactly eventsMax drawable events", async () => {
    const sim = pingPong();
    sim.runFor(20);

    const text = await draw(sim.trace, { eventsMax: 2 });

    expect(lines(text)).toHaveLength(5);
  });

  it("counts only what is drawn against eventsMax, not sends or hidden timers", async () => {
    const sim = pingPong();
    sim.runFor(20);

    const text = await draw(sim.trace.slice(0, 2), { eventsMax: 1 });

    expect(lines(text).at(-1)).toBe("  P0->>P1: ping (t=0→5)");
  });

  it.each([0, 1.5, Number.NaN])("names a bad eventsMax (%s)", (eventsMax) => {
    expect(() => toMermaidSequence([], { eventsMax })).toThrow(
      new RangeError(`eventsMax must be an integer >= 1, got ${eventsMax}`),
    );
  });

  it("names bad participants", () => {
    expect(() => toMermaidSequence([], { participants: ["a", "a"] })).toThrow(
      'participants must be a non-empty array of distinct node ids, got ["a","a"]',
    );
  });

  it("names a label function that returns no string", () => {
    const sim = pingPong();
    sim.runFor(20);
    const label = (() => 42) as unknown as (message: Envelope) => string;

    expect(() => toMermaidSequence(sim.trace, { label })).toThrow(
      "label(message) must be a string, got 42",
    );
  });

  it("names a title without visible text", () => {
    expect(() => toMermaidSequence([], { title: " \n " })).toThrow(
      'title must be a string with visible text, got " \\n "',
    );
  });

  it("names a showTimes that is not a boolean", () => {
    const showTimes = "no" as unknown as boolean;

    expect(() => toMermaidSequence([], { showTimes })).toThrow(
      'showTimes must be a boolean, got "no"',
    );
  });

  it("draws an empty trace as a diagram with no lifelines that still parses", async () => {
    const text = await draw([]);

    expect(text).toBe("sequenceDiagram");
  });
});

// ---------------------------------------------------------------- the text table

describe("trace → text table", () => {
  it("prints a header, a rule and one row per event (golden)", () => {
    const sim = pingPong();
    sim.runFor(20);

    const table = toTextTable(sim.trace);

    expect(table).toBe(
      [
        "time (ms)  event    node  to  detail",
        "---------  -------  ----  --  ------------------",
        "        0  send     a     b   #0 ping, 15 B",
        "        5  deliver  a     b   #0 ping, sent at 0",
        "        5  send     b     a   #1 pong, 15 B",
        "       10  deliver  b     a   #1 pong, sent at 5",
      ].join("\n"),
    );
  });

  it("prints one row per event of every kind, with its kind", () => {
    const sim = threeNodes();
    sim.configureLink("a", "b", { duplicateProbability: 1 });
    sim.setTamper((message) => (message.to === "c" ? { ...message, type: "evil" } : message));
    send(sim, "a", "b");
    send(sim, "a", "c");
    sim.withNode("a", (ctx) => ctx.log("hello"));
    sim.setClock("c", { offsetMs: -3 });
    sim.partition([["a"], ["b", "c"]]);
    send(sim, "a", "b");
    sim.heal();
    sim.pause("b", 2);
    sim.runFor(10);
    sim.crash("c");
    sim.restart("c");

    const rows = lines(toTextTable(sim.trace)).slice(2);

    expect(rows.map((row) => row.split(/\s+/)[2])).toEqual(sim.trace.map((event) => event.kind));
  });

  it("shows drop reasons, tampering, pauses, partitions, clocks and notes in the detail", () => {
    const sim = threeNodes();
    sim.setTamper((message) => (message.to === "c" ? { ...message, type: "evil" } : message));
    send(sim, "a", "c");
    sim.partitionOneWay(["a"], ["b"]);
    send(sim, "a", "b");
    sim.pause("b", 2.5);
    sim.setClock("c", { offsetMs: -3 });
    sim.withNode("a", (ctx) => ctx.log("hello there"));

    const table = toTextTable(sim.trace);

    expect(table).toContain("#0 ping → evil");
    expect(table).toContain("#1 ping ✗ partition");
    expect(table).toContain("one-way {a} → {b}");
    expect(table).toContain("2.5 ms");
    expect(table).toContain("offset -3 ms, drift 0 ppm");
    expect(table).toContain("hello there");
  });

  it("right-aligns times with at most three decimals", () => {
    const sim = pingPong({ latency: { kind: "fixed", ms: 2.34567 } });
    sim.runFor(20);

    const times = lines(toTextTable(sim.trace))
      .slice(2)
      .map((row) => row.slice(0, 9));

    expect(times).toEqual(["        0", "    2.346", "    2.346", "    4.691"]);
  });

  it("fits the columns to the longest cell", () => {
    const sim = new Simulation<Msg>({ seed: 7, network: FIXED_5_MS });
    sim.addNode("short", () => ({ onMessage: () => {} }));
    sim.addNode("a-much-longer-name", () => ({ onMessage: () => {} }));
    send(sim, "short", "a-much-longer-name");

    const [header, rule, row] = lines(toTextTable(sim.trace));

    expect(header).toBe("time (ms)  event  node   to                  detail");
    expect(rule).toBe("---------  -----  -----  ------------------  -------------");
    expect(row).toBe("        0  send   short  a-much-longer-name  #0 ping, 15 B");
  });

  it("prints a note with a line break on one row", () => {
    const sim = threeNodes();
    sim.withNode("a", (ctx) => ctx.log("two\nlines"));

    const table = toTextTable(sim.trace);

    expect(lines(table)).toHaveLength(3);
    expect(table).toContain("two lines");
  });

  it("refuses more than rowsMax events, naming the count and the limit", () => {
    const sim = pingPong();
    sim.runFor(20);

    expect(() => toTextTable(sim.trace, { rowsMax: 3 })).toThrow(
      new RangeError(
        "toTextTable: 4 events exceed rowsMax=3; " +
          "filter the trace (sim.traceWhere({ fromMs, toMs, nodes })) or raise rowsMax",
      ),
    );
  });

  it("names a bad rowsMax", () => {
    expect(() => toTextTable([], { rowsMax: 0 })).toThrow(
      new RangeError("rowsMax must be an integer >= 1, got 0"),
    );
  });
});
