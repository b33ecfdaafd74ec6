// The partition log: offsets, reads, retention by time and size, compaction by key, idempotent
// appends, and the laws of an append-only log as properties.
// Reference: Kreps, Narkhede, Rao, "Kafka: a Distributed Messaging System for Log Processing", §3.1.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PartitionLog, utf8Length } from "../../src/queue/log.js";
import type { ProducerRecord } from "../../src/queue/types.js";
import { assertProperty } from "../support/property.js";

function values(log: PartitionLog, offset = log.logStartOffset): string[] {
  return log.read(offset, 1_000_000).map((record) => record.value);
}

function offsets(log: PartitionLog, offset = log.logStartOffset): number[] {
  return log.read(offset, 1_000_000).map((record) => record.offset);
}

const keyed = (key: string | null, value: string): ProducerRecord => ({ key, value });

describe("§3.1 an append-only log addressed by offsets", () => {
  it("gives offsets 0, 1, 2, ... and returns the first offset of each append", () => {
    const log = new PartitionLog("orders", 3);
    expect(log.append([keyed("a", "1"), keyed("b", "2")], 0)).toBe(0);
    expect(log.append([keyed(null, "3")], 5)).toBe(2);
    expect(log.endOffset).toBe(3);
    expect(log.logStartOffset).toBe(0);
    expect(log.read(0, 10)).toEqual([
      { topic: "orders", partition: 3, offset: 0, timestamp: 0, key: "a", value: "1", headers: {} },
      { topic: "orders", partition: 3, offset: 1, timestamp: 0, key: "b", value: "2", headers: {} },
      {
        topic: "orders",
        partition: 3,
        offset: 2,
        timestamp: 5,
        key: null,
        value: "3",
        headers: {},
      },
    ]);
  });

  it("keeps a copy of the headers, frozen", () => {
    const log = new PartitionLog("orders", 0);
    const headers = { trace: "t1" };
    log.append([{ value: "v", headers }], 0);
    headers.trace = "changed";
    const [record] = log.read(0, 1);
    expect(record?.headers).toEqual({ trace: "t1" });
    expect(Object.isFrozen(record?.headers)).toBe(true);
  });

  it("records without headers or keys read back as {} and null beside records with them", () => {
    const log = new PartitionLog("orders", 0, { segmentRecords: 4 });
    log.append([{ value: "a" }, { key: "k", value: "b", headers: { h: "1" } }, { value: "c" }], 0);
    log.append([{ value: "d" }, { value: "e", headers: { h: "2" } }], 7);
    expect(log.read(0, 10).map((r) => [r.offset, r.timestamp, r.key, r.headers])).toEqual([
      [0, 0, null, {}],
      [1, 0, "k", { h: "1" }],
      [2, 0, null, {}],
      [3, 7, null, {}],
      [4, 7, null, { h: "2" }],
    ]);
  });

  it("reads at most maxRecords, and nothing at the end offset", () => {
    const log = new PartitionLog("orders", 0);
    log.append(
      ["a", "b", "c", "d"].map((value) => ({ value })),
      0,
    );
    expect(values(log, 1).slice(0, 2)).toEqual(["b", "c"]);
    expect(log.read(1, 2).map((record) => record.value)).toEqual(["b", "c"]);
    expect(log.read(4, 10)).toEqual([]);
  });

  it("counts the UTF-8 bytes of keys and values", () => {
    const log = new PartitionLog("orders", 0);
    log.append([keyed("k", "héllo"), keyed(null, "€"), keyed("😀", "")], 0);
    expect(log.sizeBytes).toBe(1 + 6 + 3 + 4);
  });

  it("utf8Length agrees with TextEncoder on any string", () => {
    const encoder = new TextEncoder();
    assertProperty(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        expect(utf8Length(text)).toBe(encoder.encode(text).length);
      }),
    );
  });
});

describe("errors name the value and what is allowed", () => {
  const log = new PartitionLog("orders", 3);
  log.append([{ value: "a" }], 0);

  it("an offset above the end", () => {
    expect(() => log.read(12, 1)).toThrow(
      new RangeError("offset 12 is out of range [0, 1] for orders-3"),
    );
  });

  it("an offset below the log start offset after retention", () => {
    const retained = new PartitionLog("orders", 3, { retentionMs: 10 });
    retained.append(
      ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"].map((value) => ({ value })),
      0,
    );
    retained.append([{ value: "k" }], 20);
    retained.applyRetention(20);
    expect(() => retained.read(5, 1)).toThrow(
      new RangeError("offset 5 is out of range [10, 11] for orders-3"),
    );
  });

  it("a non-integer offset and a bad maxRecords", () => {
    expect(() => log.read(0.5, 1)).toThrow(new RangeError("offset must be an integer, got 0.5"));
    expect(() => log.read(0, 0)).toThrow(
      new RangeError("maxRecords must be an integer in [1, 1000000], got 0"),
    );
  });

  it("a record without a string value, a bad key, bad headers", () => {
    const bad = (record: unknown) => () => log.append([record as ProducerRecord], 0);
    expect(bad({ value: 3 })).toThrow(new RangeError("record value must be a string, got 3"));
    expect(bad({ key: 7, value: "v" })).toThrow(
      new RangeError("record key must be a string, null or undefined, got 7"),
    );
    expect(bad({ value: "v", headers: { a: 1 } })).toThrow(
      new RangeError('header "a" must be a string, got 1'),
    );
    expect(bad(null)).toThrow(
      new RangeError("record must be an object { key?, value, headers? }, got null"),
    );
  });

  it("a timestamp before the last append's, or not a finite number", () => {
    const timed = new PartitionLog("orders", 0);
    timed.append([{ value: "a" }], 5);
    expect(() => timed.append([{ value: "b" }], 3)).toThrow(
      new RangeError("nowMs must be a finite number >= 5 (the last append's timestamp), got 3"),
    );
    expect(() => new PartitionLog("t", 0).append([{ value: "b" }], NaN)).toThrow(
      new RangeError("nowMs must be a finite number, got NaN"),
    );
  });

  it("bad retention settings", () => {
    expect(() => new PartitionLog("t", 0, { retentionMs: -1 })).toThrow(
      new RangeError("retentionMs must be a finite number >= 0, got -1"),
    );
    expect(() => new PartitionLog("t", 0, { retentionBytes: 1.5 })).toThrow(
      new RangeError("retentionBytes must be an integer >= 0, got 1.5"),
    );
  });
});

describe("retention by time", () => {
  it("deletes records with timestamp <= now - retentionMs from the head", () => {
    const log = new PartitionLog("events", 0, { retentionMs: 100 });
    log.append([{ value: "t0" }], 0);
    log.append([{ value: "t50" }], 50);
    log.append([{ value: "t100" }], 100);
    expect(log.applyRetention(99)).toBe(0); // 0 > 99 - 100
    expect(log.applyRetention(150)).toBe(2); // t0 and t50: 50 <= 150 - 100
    expect(log.logStartOffset).toBe(2);
    expect(values(log)).toEqual(["t100"]);
    expect(log.endOffset).toBe(3);
  });

  it("an emptied log keeps its end offset and the next append continues from it", () => {
    const log = new PartitionLog("events", 0, { retentionMs: 0 });
    log.append([{ value: "a" }, { value: "b" }], 0);
    expect(log.applyRetention(0)).toBe(2);
    expect(log.logStartOffset).toBe(2);
    expect(log.read(2, 5)).toEqual([]);
    expect(log.append([{ value: "c" }], 1)).toBe(2);
    expect(offsets(log)).toEqual([2]);
  });
});

describe("retention by size", () => {
  it("deletes the oldest records while the log holds more than retentionBytes", () => {
    const log = new PartitionLog("events", 0, { retentionBytes: 25 });
    log.append(
      Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value: "12345678" })),
      0,
    ); // 10 bytes each
    expect(log.sizeBytes).toBe(50);
    expect(log.applyRetention(0)).toBe(3);
    expect(log.sizeBytes).toBe(20);
    expect(log.logStartOffset).toBe(3);
    expect(offsets(log)).toEqual([3, 4]);
  });

  it("keeps counting correctly across many rounds of appends and deletions", () => {
    const log = new PartitionLog("events", 0, { retentionBytes: 1000 });
    for (let round = 0; round < 50; round++) {
      log.append(
        Array.from({ length: 100 }, () => ({ value: "0123456789" })),
        round,
      );
      log.applyRetention(round);
      expect(log.sizeBytes).toBe(1000);
      expect(log.recordsCount).toBe(100);
      expect(log.logStartOffset).toBe(log.endOffset - 100);
    }
    expect(offsets(log, 4950)).toEqual(Array.from({ length: 50 }, (_, i) => 4950 + i));
  });
});

describe("log compaction keeps the latest record per key", () => {
  it("keeps the last value of each key and every keyless record; offsets unchanged", () => {
    const log = new PartitionLog("accounts", 0);
    log.append(
      [keyed("a", "a1"), keyed("b", "b1"), keyed(null, "n"), keyed("a", "a2"), keyed("b", "b2")],
      0,
    );
    log.append([keyed("c", "c1"), keyed("a", "a3")], 1);
    expect(log.compact()).toBe(3);
    expect(log.read(0, 10).map((r) => [r.offset, r.value])).toEqual([
      [2, "n"],
      [4, "b2"],
      [5, "c1"],
      [6, "a3"],
    ]);
    expect(log.logStartOffset).toBe(0);
    expect(log.endOffset).toBe(7);
  });

  it("reads from a removed offset start at the next stored one", () => {
    const log = new PartitionLog("accounts", 0);
    log.append([keyed("a", "1"), keyed("a", "2"), keyed("b", "3"), keyed("b", "4")], 0);
    log.compact();
    expect(offsets(log, 0)).toEqual([1, 3]);
    expect(offsets(log, 2)).toEqual([3]);
    expect(log.read(4, 1)).toEqual([]);
  });
});

describe("idempotent appends (KIP-98: producer id and sequence numbers)", () => {
  it("acknowledges a resend of the last sequence with its offset, without appending", () => {
    const log = new PartitionLog("orders", 1);
    expect(log.appendRecord({ value: "x" }, 0, 7, 0)).toBe(0);
    expect(log.appendRecord({ value: "y" }, 0, 7, 1)).toBe(1);
    expect(log.appendRecord({ value: "y" }, 0, 7, 1)).toBe(1);
    expect(log.appendRecord({ value: "z" }, 0, 8, 0)).toBe(2);
    expect(values(log)).toEqual(["x", "y", "z"]);
  });

  it("refuses a sequence that skips ahead or goes back further than one", () => {
    const log = new PartitionLog("orders", 1);
    log.appendRecord({ value: "x" }, 0, 7, 0);
    log.appendRecord({ value: "y" }, 0, 7, 1);
    expect(() => log.appendRecord({ value: "z" }, 0, 7, 3)).toThrow(
      new RangeError("producer 7 sent sequence 3 to orders-1, expected 2 (or 1, a resend)"),
    );
    expect(() => log.appendRecord({ value: "w" }, 0, 7, 0)).toThrow(/sequence 0 to orders-1/);
  });
});

/** A random history: appends of keyed records, clock moves with retention, compactions. */
type Step =
  | { kind: "append"; keys: (string | null)[] }
  | { kind: "advance"; ms: number }
  | { kind: "compact" };

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("append" as const),
      keys: fc.array(fc.option(fc.constantFrom("a", "b", "c", "d", "e"), { nil: null }), {
        minLength: 1,
        maxLength: 8,
      }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("advance" as const), ms: fc.nat(30) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("compact" as const) }) },
);

describe("properties of the log", () => {
  it("offsets are dense 0..n-1 before retention", () => {
    assertProperty(
      fc.property(
        fc.array(fc.array(fc.string(), { maxLength: 5 }), { maxLength: 20 }),
        (batches) => {
          const log = new PartitionLog("t", 0);
          let n = 0;
          for (const batch of batches) {
            expect(
              log.append(
                batch.map((value) => ({ value })),
                0,
              ),
            ).toBe(n);
            n += batch.length;
          }
          expect(log.endOffset).toBe(n);
          expect(offsets(log, 0)).toEqual(Array.from({ length: n }, (_, i) => i));
        },
      ),
    );
  });

  it("read(o, k) returns up to k records with offsets >= o, increasing, under any history", () => {
    assertProperty(
      fc.property(
        fc.array(stepArbitrary, { maxLength: 30 }),
        fc.nat(100),
        fc.integer({ min: 1, max: 20 }),
        (steps, offsetSeed, k) => {
          const log = new PartitionLog("t", 0, {
            retentionMs: 50,
            retentionBytes: 40,
            segmentRecords: 3,
          });
          run(log, steps);
          const span = log.endOffset - log.logStartOffset + 1;
          const o = log.logStartOffset + (offsetSeed % span);
          const records = log.read(o, k);
          expect(records.length).toBeLessThanOrEqual(k);
          const all = offsets(log);
          expect(records.map((r) => r.offset)).toEqual(all.filter((x) => x >= o).slice(0, k));
          for (let i = 1; i < records.length; i++) {
            expect(records[i]!.offset).toBeGreaterThan(records[i - 1]!.offset);
          }
        },
      ),
    );
  });

  it("replay from an offset yields the same records every time", () => {
    assertProperty(
      fc.property(fc.array(stepArbitrary, { maxLength: 30 }), (steps) => {
        const log = new PartitionLog("t", 0, { segmentRecords: 4 });
        run(log, steps);
        const from = log.logStartOffset;
        const first = log.read(from, 1000);
        log.append([{ value: "later" }], 10_000);
        expect(log.read(from, 1000).slice(0, first.length)).toEqual(first);
      }),
    );
  });

  it("compaction keeps exactly the last record of each key, and every keyless record", () => {
    assertProperty(
      fc.property(fc.array(stepArbitrary, { maxLength: 30 }), (steps) => {
        const log = new PartitionLog("t", 0, { segmentRecords: 2 });
        run(log, steps);
        const before = log.read(log.logStartOffset, 1_000_000);
        log.compact();
        const lastOffsetOfKey = new Map<string, number>();
        for (const record of before) {
          if (record.key !== null) lastOffsetOfKey.set(record.key, record.offset);
        }
        const expected = before.filter(
          (r) => r.key === null || lastOffsetOfKey.get(r.key) === r.offset,
        );
        expect(log.read(log.logStartOffset, 1_000_000)).toEqual(expected);
      }),
    );
  });

  it("sizeBytes is always the bytes of the stored records", () => {
    assertProperty(
      fc.property(fc.array(stepArbitrary, { maxLength: 40 }), (steps) => {
        const log = new PartitionLog("t", 0, {
          retentionMs: 40,
          retentionBytes: 30,
          segmentRecords: 3,
        });
        run(log, steps, () => {
          const stored = log.read(log.logStartOffset, 1_000_000);
          const bytes = stored.reduce(
            (sum, r) => sum + (r.key === null ? 0 : utf8Length(r.key)) + utf8Length(r.value),
            0,
          );
          expect(log.sizeBytes).toBe(bytes);
          expect(log.recordsCount).toBe(stored.length);
        });
      }),
    );
  });
});

describe("segments are invisible: the log behaves as one array of records", () => {
  /** The reference: every stored record in an array, rebuilt by the same rules. */
  interface ModelRecord {
    offset: number;
    timestamp: number;
    key: string | null;
    value: string;
  }

  it("agrees with an array model under appends, retention and compaction, for any segment size", () => {
    assertProperty(
      fc.property(
        fc.array(stepArbitrary, { maxLength: 40 }),
        fc.integer({ min: 1, max: 5 }),
        fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
        fc.nat(1000),
        (steps, segmentRecords, retentionMs, retentionBytes, offsetSeed) => {
          const log = new PartitionLog("t", 0, { segmentRecords, retentionMs, retentionBytes });
          let model: ModelRecord[] = [];
          let startOffset = 0;
          let next = 0;
          let now = 0;
          const bytes = () =>
            model.reduce((sum, r) => sum + (r.key === null ? 0 : r.key.length) + r.value.length, 0);
          for (const step of steps) {
            if (step.kind === "append") {
              const records = step.keys.map((key) => ({ key, value: `v${next}` }));
              for (const { key, value } of records) {
                model.push({ offset: next++, timestamp: now, key, value });
              }
              log.append(records, now);
            } else if (step.kind === "advance") {
              now += step.ms;
              log.applyRetention(now);
              const drop = (r: ModelRecord | undefined) => {
                if (r === undefined) return false;
                if (retentionMs !== undefined && r.timestamp <= now - retentionMs) return true;
                return retentionBytes !== undefined && bytes() > retentionBytes;
              };
              while (drop(model[0])) startOffset = (model.shift() as ModelRecord).offset + 1;
            } else {
              log.compact();
              const last = new Map<string, number>();
              for (const r of model) if (r.key !== null) last.set(r.key, r.offset);
              model = model.filter((r) => r.key === null || last.get(r.key) === r.offset);
            }
            expect(log.logStartOffset).toBe(startOffset);
            expect(log.endOffset).toBe(next);
            expect(log.recordsCount).toBe(model.length);
            const all = log.read(startOffset, 1_000_000);
            expect(
              all.map(({ offset, timestamp, key, value }) => ({ offset, timestamp, key, value })),
            ).toEqual(model);
            const o = startOffset + (offsetSeed % (next - startOffset + 1));
            const k = 1 + (offsetSeed % 7);
            expect(log.read(o, k).map((r) => r.offset)).toEqual(
              model
                .filter((r) => r.offset >= o)
                .slice(0, k)
                .map((r) => r.offset),
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("reads across default-size segments after retention deleted part of the first", () => {
    const log = new PartitionLog("big", 0, { retentionMs: 10 });
    log.append(
      Array.from({ length: 5000 }, (_, i) => ({ value: `a${i}` })),
      0,
    );
    log.append(
      Array.from({ length: 5000 }, (_, i) => ({ value: `b${i}` })),
      20,
    );
    log.applyRetention(10);
    expect(log.logStartOffset).toBe(5000);
    const records = log.read(8190, 10);
    expect(records.map((r) => r.offset)).toEqual(Array.from({ length: 10 }, (_, i) => 8190 + i));
    expect(records.map((r) => r.value)).toEqual(
      Array.from({ length: 10 }, (_, i) => `b${3190 + i}`),
    );
    expect(log.read(5000, 1_000_000).length).toBe(5000);
    log.applyRetention(30);
    expect(log.recordsCount).toBe(0);
    expect(log.append([{ value: "c" }], 30)).toBe(10_000);
    expect(log.read(10_000, 5).map((r) => r.value)).toEqual(["c"]);
  });

  it("a bad segment size", () => {
    expect(() => new PartitionLog("t", 0, { segmentRecords: 0 })).toThrow(
      new RangeError("segmentRecords must be an integer in [1, 1048576], got 0"),
    );
  });
});

function run(log: PartitionLog, steps: readonly Step[], check: () => void = () => {}): void {
  let now = 0;
  let counter = 0;
  for (const step of steps) {
    if (step.kind === "append") {
      log.append(
        step.keys.map((key) => ({ key, value: `v${counter++}` })),
        now,
      );
    } else if (step.kind === "advance") {
      now += step.ms;
      log.applyRetention(now);
    } else log.compact();
    check();
  }
}
