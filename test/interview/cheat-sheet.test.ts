// The one-page cheat sheet: each table's figures equal what the chapter's library run gives, the
// tables fit one page, every run is a function of its seed, and every heading links to a section.

import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { capLatencyStats, runCapScenario } from "../../src/cap/index.js";
import type { CapVariant } from "../../src/cap/index.js";
import { PaxosCluster } from "../../src/consensus/index.js";
import {
  causalComparisonStore,
  consistencyComparison,
  defaultComparisonStores,
} from "../../src/consistency/index.js";
import { compareElections } from "../../src/election/index.js";
import { boundedLoadTable, loadSpreadTable, remapTable } from "../../src/hashing/index.js";
import {
  CHEAT_SHEET_TABLES,
  capCheatRows,
  consensusCheatRows,
  consistencyCheatRows,
  deliveryCheatRows,
  electionCheatRows,
  hashingCheatRows,
  queueCheatRows,
} from "../../src/interview/cheat-sheet.js";
import {
  DELIVERY_MODES,
  runDeliveryExperiment,
  runWorkQueueExperiment,
} from "../../src/queue/index.js";
import { brokenLinkReason } from "../support/anchors.js";

const round1 = (value: number): number => Math.round(value * 10) / 10;
const sum = (values: readonly number[]): number => values.reduce((t, v) => t + v, 0);

/** Every table's rows, computed once for the layout tests. */
const ALL_ROWS = new Map(CHEAT_SHEET_TABLES.map((t) => [t.title, t.rows()]));

describe("the cheat sheet fits one page", () => {
  it.each(CHEAT_SHEET_TABLES.map((t) => [t.title]))("%s has 3-6 rows of 3-5 columns", (title) => {
    const rows = ALL_ROWS.get(title) ?? [];
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows.length).toBeLessThanOrEqual(6);
    for (const row of rows) {
      const columns = Object.keys(row);
      expect(columns.length).toBeGreaterThanOrEqual(3);
      expect(columns.length).toBeLessThanOrEqual(5);
      for (const cell of Object.values(row) as unknown[]) {
        expect(String(cell).length, `${title}: cell "${String(cell)}"`).toBeLessThanOrEqual(42);
      }
    }
  });

  it.each(CHEAT_SHEET_TABLES.map((t) => [t.title]))("%s has a measured column", (title) => {
    const rows = ALL_ROWS.get(title) ?? [];
    const columns = Object.keys(rows[0] ?? {});
    const numeric = columns.filter((column) =>
      rows.every((row) => typeof (row as Record<string, unknown>)[column] === "number"),
    );
    const counted = columns.filter((column) =>
      rows.every((row) => /^\d+ of \d+$/.test(String((row as Record<string, unknown>)[column]))),
    );
    expect(numeric.length + counted.length).toBeGreaterThanOrEqual(1);
  });
});

describe("determinism: every table is a function of its seeds", () => {
  it.each(CHEAT_SHEET_TABLES.map((t) => [t.title, t]))("%s twice gives the same rows", (_, t) => {
    expect(t.rows()).toEqual(ALL_ROWS.get(t.title));
  });
});

describe("links: each heading names the chapter section its figures come from", () => {
  it.each(CHEAT_SHEET_TABLES.map((t) => [t.title, t]))("%s links to a heading", (_, t) => {
    expect(brokenLinkReason(t.link)).toBe("");
  });

  it("the notebook's headings are the tables, in order, each linking to its section", () => {
    const file = path.resolve(__dirname, "../../notebooks/09g-cheat-sheet.ipynb");
    const notebook = JSON.parse(fs.readFileSync(file, "utf8")) as {
      cells: { cell_type: string; source: string | string[] }[];
    };
    const headings = notebook.cells
      .filter((cell) => cell.cell_type === "markdown")
      .map((cell) => (Array.isArray(cell.source) ? cell.source.join("") : cell.source))
      .filter((source) => source.startsWith("## "));
    expect(headings).toEqual(
      CHEAT_SHEET_TABLES.map((t) => `## [${t.title}](${t.link.page}.ipynb#${t.link.anchor})`),
    );
  });
});

describe("CAP choices (chapter 3: the scripted partition, PACELC)", () => {
  const variants: readonly CapVariant[] = [
    "cpQuorum",
    "cpReadThenWrite",
    "apCrdt",
    "apLastWriteWins",
  ];

  it("equal runCapScenario(variant, 1) and capLatencyStats on the minority side", () => {
    const rows = capCheatRows();
    variants.forEach((variant, i) => {
      const run = runCapScenario(variant, 1);
      const calm = runCapScenario(variant, 1, { partition: null });
      const cut = capLatencyStats(run, { fromMs: 500, toMs: 1500, clients: ["c1", "c2"] });
      expect(rows[i]).toEqual(
        expect.objectContaining({
          "minority answered": `${cut.answeredCount} of ${cut.operationsCount}`,
          "acked lost": run.counts.updatesLostCount,
          "p50 ms, no partition": round1(capLatencyStats(calm).p50Ms),
          "msgs/op": round1(calm.counts.messagesPerOperation),
        }),
      );
    });
  });

  it("CP refuses on the minority and loses nothing; AP answers and only LWW loses", () => {
    const [cp, , crdt, lww] = capCheatRows();
    expect(cp?.["minority answered"]).toMatch(/^0 of [1-9]/);
    expect(cp?.["acked lost"]).toBe(0);
    expect(crdt?.["acked lost"]).toBe(0);
    expect(lww?.["acked lost"]).toBeGreaterThan(0);
    const [answered, asked] = (crdt?.["minority answered"] ?? "").split(" of ");
    expect(answered).toBe(asked);
  });
});

describe("Consistency models (chapter 4: measured side by side)", () => {
  it("equal consistencyComparison({ seed: 1 }) for the stores shown", () => {
    const full = consistencyComparison({
      seed: 1,
      stores: [...defaultComparisonStores(), causalComparisonStore()],
    });
    const rows = consistencyCheatRows();
    expect(rows.map((row) => row.store)).toEqual([
      "ABD (linearizable)",
      "Dynamo N=3 R=2 W=2",
      "Dynamo N=3 R=1 W=1",
      "eventual (LWW + Merkle)",
      "causal (with tokens)",
    ]);
    for (const row of rows) {
      const measured = full.find((r) => r.store === row.store);
      expect(measured).toBeDefined();
      expect(row["msgs/op"]).toBe(round1(measured?.messagesPerOperation ?? NaN));
      expect(row["p99 ms"]).toBe(round1(measured?.latencyMsP99 ?? NaN));
      expect(row["stale reads %"]).toBe(round1(100 * (measured?.staleReadFraction ?? NaN)));
      expect(row["minority answered %"]).toBe(
        Math.round(100 * (measured?.availabilityUnderPartition ?? NaN)),
      );
    }
  });
});

describe("Delivery guarantees (chapter 6 §5: crashes between process and commit)", () => {
  it("equal runDeliveryExperiment totals over seeds 1-5, plus the plain producer", () => {
    const seeds = [1, 2, 3, 4, 5];
    const totals = (runs: ReturnType<typeof runDeliveryExperiment>[]) => ({
      crashes: sum(runs.map((r) => r.crashes)),
      lost: sum(runs.map((r) => r.lost)),
      duplicated: sum(runs.map((r) => r.duplicated)),
    });
    const expected = [
      ...DELIVERY_MODES.map((mode) =>
        totals(seeds.map((seed) => runDeliveryExperiment({ mode, seed }))),
      ),
      totals(
        seeds.map((seed) =>
          runDeliveryExperiment({ mode: "exactly-once", seed, idempotent: false }),
        ),
      ),
    ];
    const rows = deliveryCheatRows();
    expect(rows.map(({ crashes, lost, duplicated }) => ({ crashes, lost, duplicated }))).toEqual(
      expected,
    );
    expect(rows.map((row) => row.guarantee)).toEqual([
      ...DELIVERY_MODES,
      "exactly-once, plain producer",
    ]);
  });

  it("at-most-once loses, at-least-once duplicates, exactly-once does neither", () => {
    const [atMost, atLeast, exactly, plain] = deliveryCheatRows();
    expect(atMost?.lost).toBeGreaterThan(0);
    expect(atMost?.duplicated).toBe(0);
    expect(atLeast?.lost).toBe(0);
    expect(atLeast?.duplicated).toBeGreaterThan(0);
    expect([exactly?.lost, exactly?.duplicated]).toEqual([0, 0]);
    expect(plain?.duplicated).toBeGreaterThan(0);
  });
});

describe("Paxos vs Raft (chapter 5: Paxos versus Raft, measured)", () => {
  it("single-decree Paxos equals PaxosCluster runs over seeds 1-5", () => {
    const runs = [1, 2, 3, 4, 5].map((seed) => {
      const round = new PaxosCluster({
        acceptors: 5,
        proposers: 1,
        seed,
        network: { latency: { kind: "uniform", minMs: 1, maxMs: 5 } },
      });
      round.propose(0, "x");
      const chosenAtMs = round.runUntilChosen();
      return { messages: round.messageCounts().total, chosenAtMs };
    });
    const [single] = consensusCheatRows();
    expect(single?.["msgs/decision"]).toBe(round1(sum(runs.map((r) => r.messages)) / 5));
    expect(single?.["decision ms"]).toBe(round1(sum(runs.map((r) => r.chosenAtMs)) / 5));
  });

  it("Multi-Paxos and Raft equal the chapter's measured table", () => {
    // The figures of chapter 5's executed cell (same seeds, same conditions), rounded as here.
    const [, multi, raft] = consensusCheatRows();
    expect(multi).toEqual({
      protocol: "Multi-Paxos, stable leader",
      "msgs/decision": 23.9,
      "decision ms": 5.5,
      "crash → leader ms": 370,
      "crash → decision ms": 378,
    });
    expect(raft).toEqual({
      protocol: "Raft",
      "msgs/decision": 8.8,
      "decision ms": 6.1,
      "crash → leader ms": 394,
      "crash → decision ms": 402,
    });
  });

  it("Raft needs at least an AppendEntries and a reply per follower per decision", () => {
    const raft = consensusCheatRows()[2];
    expect(raft?.["msgs/decision"]).toBeGreaterThanOrEqual(2 * 4);
  });
});

describe("Kafka vs RabbitMQ vs SQS (chapter 6 §7: the work queue beside the log)", () => {
  it("crash duplicates equal runDeliveryExperiment and runWorkQueueExperiment (seeds 1-3)", () => {
    const seeds = [1, 2, 3];
    const log = seeds.map((seed) =>
      runDeliveryExperiment({ mode: "at-least-once", seed, messages: 1_000 }),
    );
    const queue = seeds.map((seed) =>
      runWorkQueueExperiment(seed, { ackMode: "after-processing", idempotentConsumer: false }),
    );
    const [kafka, rabbit, sqs] = queueCheatRows();
    expect(kafka?.["crash duplicates"]).toBe(
      `${sum(log.map((r) => r.duplicated))} of ${sum(log.map((r) => r.produced))}`,
    );
    const queueFigure = `${sum(queue.map((r) => r.duplicates))} of ${sum(queue.map((r) => r.sent))}`;
    expect(rabbit?.["crash duplicates"]).toBe(queueFigure);
    expect(sqs?.["crash duplicates"]).toBe(queueFigure);
  });

  it("a log is re-read after processing and keeps per-key order; a work queue deletes", () => {
    const [kafka, rabbit, sqs] = queueCheatRows();
    expect(kafka?.["re-read after ack"]).toBe("3 of 3");
    expect(kafka?.["per-key order"]).toBe("kept: 0 of 100 keys reordered");
    expect(rabbit?.["re-read after ack"]).toBe("0 of 3");
    expect(sqs?.["re-read after ack"]).toBe("0 of 3");
  });
});

describe("Hashing schemes (chapter 7: remap, load spread, bounded loads)", () => {
  it("equal remapTable, loadSpreadTable and boundedLoadTable on 10 nodes, 10,000 keys", () => {
    const [remap] = remapTable({ keysCount: 10_000, transitions: [[10, 11]] });
    const spread = loadSpreadTable({
      nodesCount: 10,
      pointsPerNode: [160],
      keysCount: 10_000,
      trials: 1,
    });
    const bounded = boundedLoadTable({ nodesCount: 10, keysCount: 10_000, epsilons: [0.25] });
    const boundedRow = bounded.rows.find((row) => row.method === "bounded");
    const maxOf = (method: string) => spread.find((row) => row.method === method)?.maxOverMean;
    const r2 = (value: number | undefined) => Math.round((value ?? NaN) * 100) / 100;
    const rows = hashingCheatRows();
    const figures = rows.map((row) => [row["moved 10→11 %"], row["max/mean load"]]);
    expect(figures[0]).toEqual([round1(100 * (remap?.modulo ?? NaN)), r2(maxOf("modulo"))]);
    expect(figures[1]).toEqual([round1(100 * (remap?.ring ?? NaN)), r2(maxOf("ring"))]);
    expect(figures[2]).toEqual([round1(100 * (remap?.jump ?? NaN)), r2(maxOf("jump"))]);
    expect(figures[4]).toEqual([
      round1(100 * (boundedRow?.movedOnAdd ?? NaN)),
      r2(boundedRow?.maxOverMean),
    ]);
  });

  it("every scheme but modulo moves about the new node's fair share (1/11)", () => {
    const rows = hashingCheatRows();
    expect(rows[0]?.["moved 10→11 %"]).toBeGreaterThan(80);
    for (const row of rows.slice(1, 4)) {
      expect(Math.abs(row["moved 10→11 %"] - 100 / 11), row.scheme).toBeLessThan(1);
    }
    expect(rows[4]?.["max/mean load"]).toBeLessThanOrEqual(1.25);
  });
});

describe("Election approaches (chapter 8: comparison)", () => {
  it("equal compareElections({ seeds: 1..10 })", () => {
    const compared = compareElections({ seeds: Array.from({ length: 10 }, (_, i) => i + 1) });
    const rows = electionCheatRows();
    expect(rows.map((row) => [row.msgs, row["failover ms"], row["leaders when cut off"]])).toEqual(
      compared.map((row) => [
        row.messagesMedian,
        Math.round(row.failoverMsMedian),
        row.partitionLeadersMax,
      ]),
    );
    expect(rows.map((row) => row["old leader believes"])).toEqual(
      compared.map((row) =>
        row.oldLeaderBelievesMsMedian === null
          ? "until healed"
          : `${Math.round(row.oldLeaderBelievesMsMedian)} ms`,
      ),
    );
  });

  it("bully splits the brain; the lease and ZooKeeper never have two leaders", () => {
    const byName = new Map(electionCheatRows().map((row) => [row.approach.split(" ")[0], row]));
    expect(byName.get("bully")?.["leaders when cut off"]).toBe(2);
    expect(byName.get("lease")?.["leaders when cut off"]).toBe(1);
    expect(byName.get("ZooKeeper,")?.["leaders when cut off"]).toBe(1);
  });
});
