// Durable logs on stable storage (a write-ahead log per name): append, truncate a suffix, compact
// a prefix, read back, and survive crashes. What Raft's persisted log is built on (Raft §5.3, §7).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Simulation } from "../../src/sim/simulation.js";
import type { NodeContext, Process } from "../../src/sim/types.js";
import { assertProperty } from "../support/property.js";

type Ping = { readonly type: "ping" };
const idle: Process<Ping> = { onMessage: () => {} };

function node(): Simulation<Ping> {
  const sim = new Simulation<Ping>({ seed: 1 });
  sim.addNode("a", () => idle);
  return sim;
}

const on = <T>(sim: Simulation<Ping>, act: (ctx: NodeContext<Ping>) => T): T =>
  sim.withNode("a", (ctx) => act(ctx));

describe("durable logs", () => {
  it("appends, truncates a suffix and compacts a prefix, keeping absolute indices", () => {
    const sim = node();
    on(sim, (ctx) => ctx.storage.appendLog("log", ["a", "b", "c", "d"]));
    expect(on(sim, (ctx) => ctx.storage.readLog("log"))).toEqual({
      firstIndex: 1,
      entries: ["a", "b", "c", "d"],
    });
    on(sim, (ctx) => ctx.storage.truncateLog("log", 3)); // removes c, d
    on(sim, (ctx) => ctx.storage.appendLog("log", ["x"]));
    on(sim, (ctx) => ctx.storage.compactLog("log", 1)); // removes a
    expect(on(sim, (ctx) => ctx.storage.readLog("log"))).toEqual({
      firstIndex: 2,
      entries: ["b", "x"],
    });
    // Compacting past the end empties the log and moves its start; truncating below it empties.
    on(sim, (ctx) => ctx.storage.compactLog("log", 10));
    expect(on(sim, (ctx) => ctx.storage.readLog("log"))).toEqual({ firstIndex: 11, entries: [] });
    on(sim, (ctx) => ctx.storage.appendLog("log", ["k"]));
    expect(on(sim, (ctx) => ctx.storage.readLog("log"))).toEqual({
      firstIndex: 11,
      entries: ["k"],
    });
    // A new name is an empty log starting at 1.
    expect(on(sim, (ctx) => ctx.storage.readLog("other"))).toEqual({ firstIndex: 1, entries: [] });
  });

  it("copies entries in and out, survives a crash, and counts one write per call", () => {
    const sim = node();
    const entry = { term: 1, command: [1, 2] };
    const writesBefore = sim.stats.storageWrites;
    on(sim, (ctx) => ctx.storage.appendLog("log", [entry, entry]));
    expect(sim.stats.storageWrites - writesBefore).toBe(1);
    entry.command.push(3);
    sim.crash("a");
    sim.restart("a");
    sim.runFor(1);
    const read = on(sim, (ctx) => ctx.storage.readLog<typeof entry>("log"));
    expect(read.entries).toStrictEqual([
      { term: 1, command: [1, 2] },
      { term: 1, command: [1, 2] },
    ]);
    read.entries[0]?.command.push(9);
    expect(sim.storageOf("a").get("log")).toStrictEqual({
      firstIndex: 1,
      entries: [
        { term: 1, command: [1, 2] },
        { term: 1, command: [1, 2] },
      ],
    });
  });

  it("a name is a key or a log, never both; bad indices are refused, naming the value", () => {
    const sim = node();
    on(sim, (ctx) => ctx.storage.set("term", 1));
    expect(() => on(sim, (ctx) => ctx.storage.appendLog("term", [1]))).toThrow(
      'log name must be a name that is not a key already set, got "term"',
    );
    on(sim, (ctx) => ctx.storage.appendLog("log", [1]));
    expect(() => on(sim, (ctx) => ctx.storage.set("log", 1))).toThrow(
      'key must be a name that is not a log, got "log"',
    );
    expect(() => on(sim, (ctx) => ctx.storage.truncateLog("log", 0))).toThrow(
      "fromIndex must be an integer >= 1, got 0",
    );
    expect(() => on(sim, (ctx) => ctx.storage.compactLog("log", 1.5))).toThrow(
      "throughIndex must be an integer >= 1, got 1.5",
    );
    expect(() => on(sim, (ctx) => ctx.storage.appendLog("log", "x" as never))).toThrow(
      'entries must be an array, got "x"',
    );
    expect(on(sim, (ctx) => ctx.storage.keys())).toEqual(["term"]);
  });

  it("behaves as an array with absolute indices under any sequence of operations", () => {
    type Op =
      | { kind: "append"; values: number[] }
      | { kind: "truncate"; from: number }
      | { kind: "compact"; through: number };
    const op = fc.oneof(
      fc.record({
        kind: fc.constant("append" as const),
        values: fc.array(fc.integer(), { maxLength: 5 }),
      }),
      fc.record({ kind: fc.constant("truncate" as const), from: fc.integer({ min: 1, max: 30 }) }),
      fc.record({
        kind: fc.constant("compact" as const),
        through: fc.integer({ min: 1, max: 30 }),
      }),
    );
    assertProperty(
      fc.property(fc.array(op, { maxLength: 30 }), (ops: Op[]) => {
        const sim = node();
        // The model: index -> value for the entries kept, and the first index.
        let first = 1;
        let model: number[] = [];
        for (const o of ops) {
          if (o.kind === "append") {
            on(sim, (ctx) => ctx.storage.appendLog("log", o.values));
            model = [...model, ...o.values];
          } else if (o.kind === "truncate") {
            on(sim, (ctx) => ctx.storage.truncateLog("log", o.from));
            model = model.slice(0, Math.max(0, o.from - first));
          } else if (o.through >= first) {
            on(sim, (ctx) => ctx.storage.compactLog("log", o.through));
            model = model.slice(o.through - first + 1);
            first = o.through + 1;
          } else {
            on(sim, (ctx) => ctx.storage.compactLog("log", o.through));
          }
        }
        expect(on(sim, (ctx) => ctx.storage.readLog("log"))).toEqual({
          firstIndex: first,
          entries: model,
        });
      }),
    );
  });
});
