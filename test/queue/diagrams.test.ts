// @vitest-environment jsdom
// Rebalance diagrams from real consumer-group runs: every diagram goes through the real Mermaid 11
// parser, and the per-member rows agree with the record (KIP-429 for the cooperative rounds).

import fc from "fast-check";
import mermaid from "mermaid";
import { describe, expect, it } from "vitest";
import { Broker } from "../../src/queue/broker.js";
import { rebalanceAssignmentRows, rebalanceSequence } from "../../src/queue/diagrams.js";
import type { Consumer, RebalanceRecord } from "../../src/queue/group.js";
import type { AssignorName } from "../../src/queue/types.js";
import { assertAsyncProperty, assertProperty } from "../support/property.js";

const ASSIGNORS: readonly AssignorName[] = ["range", "roundrobin", "sticky", "cooperative-sticky"];

/** The parts of Mermaid's sequence database these tests read (untyped upstream). */
interface SequenceDb {
  getActors(): Map<string, { readonly description: string }>;
  getMessages(): readonly { readonly from?: string; readonly to?: string }[];
}

async function parsed(text: string): Promise<SequenceDb> {
  await expect(mermaid.parse(text)).resolves.toMatchObject({ diagramType: "sequence" });
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
  return diagram.db as unknown as SequenceDb;
}

/** Runs a group through `script` (one entry per 100 ms step) and returns its rebalances. */
function runGroup(
  assignor: AssignorName,
  script: readonly ("join" | "leave" | "crash" | "poll")[],
): RebalanceRecord[] {
  const broker = new Broker({ seed: 1 });
  broker.createTopic("orders", { partitions: 6 });
  let live: Consumer[] = [];
  const join = (): void => {
    const consumer = broker.consumer({ groupId: "g", assignor, sessionTimeoutMs: 300 });
    consumer.subscribe(["orders"]);
    live.push(consumer);
  };
  for (const action of script) {
    if (action === "join") join();
    if (action === "leave" && live.length > 0) (live.shift() as Consumer).close();
    if (action === "crash" && live.length > 0) live = live.slice(0, -1);
    broker.advance(100);
    for (const consumer of live) consumer.poll();
  }
  for (let i = 0; i < 10; i++) {
    broker.advance(100);
    for (const consumer of live) consumer.poll();
  }
  return [...broker.describeGroup("g").rebalances];
}

describe("rebalance diagrams drawn from a RebalanceRecord", () => {
  it("draws a cooperative join as two SyncGroup rounds: revoke first, then assign", async () => {
    const record = runGroup("cooperative-sticky", ["join", "join"])[1] as RebalanceRecord;
    expect(record.rounds).toBe(2);
    const text = rebalanceSequence(record, { title: "consumer-2 joins" });
    const db = await parsed(text);
    expect([...db.getActors().values()].map((a) => a.description)).toEqual([
      "coordinator",
      "consumer-1",
      "consumer-2",
    ]);
    expect(text).toContain("SyncGroup gen 2#58; own orders-0 orders-1 orders-2#59; revoke");
    expect(text).toContain("3 moved, 3 paused");
  });

  it("keeps a member whose session expired as a lifeline and notes the expiry", async () => {
    const records = runGroup("range", ["join", "join", "crash"]);
    const expiry = records.find((r) => r.reason.includes("expired")) as RebalanceRecord;
    expect(expiry).toBeDefined();
    const text = rebalanceSequence(expiry);
    await parsed(text);
    expect(text).toContain("participant M1 as consumer-2");
    expect(text).toMatch(/Note over C,M1: t=\d+ session expired/);
  });

  it("draws one line per step plus a cost note, and parses, for any schedule (property)", async () => {
    const action = fc.constantFrom(
      "join" as const,
      "leave" as const,
      "crash" as const,
      "poll" as const,
    );
    await assertAsyncProperty(
      fc.asyncProperty(
        fc.constantFrom(...ASSIGNORS),
        fc.array(action, { minLength: 1, maxLength: 8 }),
        async (assignor, script) => {
          for (const record of runGroup(assignor, ["join", ...script])) {
            const text = rebalanceSequence(record, { showTimes: false });
            const body = text.split("\n").filter((l) => !l.includes("participant"));
            expect(body).toHaveLength(1 + record.steps.length + 1);
            const db = await parsed(text);
            // Mermaid keeps notes among its messages: one per step, plus the cost note.
            expect(db.getMessages()).toHaveLength(record.steps.length + 1);
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe("rebalance assignment rows", () => {
  it("lists what each member owned before and after, and what moved", () => {
    const record = runGroup("range", ["join", "join"])[1] as RebalanceRecord;
    expect(rebalanceAssignmentRows(record)).toEqual([
      {
        member: "consumer-1",
        before: "orders-0 orders-1 orders-2 orders-3 orders-4 orders-5",
        after: "orders-0 orders-1 orders-2",
        gained: "-",
        lost: "orders-3 orders-4 orders-5",
      },
      {
        member: "consumer-2",
        before: "-",
        after: "orders-3 orders-4 orders-5",
        gained: "orders-3 orders-4 orders-5",
        lost: "-",
      },
    ]);
  });

  it("a member gains exactly the partitions whose owner changed to it (property)", () => {
    const action = fc.constantFrom(
      "join" as const,
      "leave" as const,
      "crash" as const,
      "poll" as const,
    );
    assertProperty(
      fc.property(
        fc.constantFrom(...ASSIGNORS),
        fc.array(action, { maxLength: 8 }),
        (assignor, script) => {
          for (const record of runGroup(assignor, ["join", ...script])) {
            const rows = rebalanceAssignmentRows(record);
            const words = (s: string): string[] => (s === "-" ? [] : s.split(" "));
            const ownerIn = (side: RebalanceRecord["before"]): Map<string, string> =>
              new Map(
                Object.entries(side).flatMap(([member, tps]) =>
                  tps.map((tp) => [`orders-${tp.partition}`, member] as const),
                ),
              );
            const before = ownerIn(record.before);
            const after = ownerIn(record.after);
            for (const row of rows) {
              const expected = [...after]
                .filter(([name, owner]) => owner === row.member && before.get(name) !== owner)
                .map(([name]) => name);
              expect(new Set(words(row.gained))).toEqual(new Set(expected));
              const lost = [...before]
                .filter(([name, owner]) => owner === row.member && after.get(name) !== owner)
                .map(([name]) => name);
              expect(new Set(words(row.lost))).toEqual(new Set(lost));
            }
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it("rejects something that is not a rebalance record, naming it", () => {
    expect(() => rebalanceSequence({} as RebalanceRecord)).toThrow(/record.*RebalanceRecord/);
    expect(() => rebalanceAssignmentRows(null as unknown as RebalanceRecord)).toThrow(/null/);
    const record = runGroup("range", ["join"])[0] as RebalanceRecord;
    expect(() => rebalanceSequence(record, { coordinator: " " })).toThrow(/coordinator/);
  });
});
