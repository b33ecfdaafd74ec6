// The broker: topics of partition logs on a virtual clock; every error names the value and what is
// allowed; advance() runs retention and compaction on every topic.
// Reference: Kreps, Narkhede, Rao, "Kafka: a Distributed Messaging System for Log Processing", §3.

import { describe, expect, it } from "vitest";
import { Broker } from "../../src/queue/broker.js";
import type { TopicConfig } from "../../src/queue/types.js";

function brokerWith(topics: Record<string, TopicConfig>): Broker {
  const broker = new Broker();
  for (const [name, config] of Object.entries(topics)) broker.createTopic(name, config);
  return broker;
}

describe("§3 topics of partitions", () => {
  it("creates topics with their partitions, each an empty log", () => {
    const broker = brokerWith({ orders: { partitions: 8 }, audit: { partitions: 1 } });
    expect(broker.topics()).toEqual(["audit", "orders"]);
    expect(broker.partitionCount("orders")).toBe(8);
    expect(broker.logStartOffset("orders", 7)).toBe(0);
    expect(broker.endOffset("orders", 7)).toBe(0);
    expect(broker.read("orders", 7, 0, 10)).toEqual([]);
  });

  it("describes a topic: its config with defaults and each partition's offsets and size", () => {
    const broker = brokerWith({ orders: { partitions: 2, retentionMs: 1000 } });
    broker.producer({ partitioner: "round-robin" }).send("orders", { key: "k", value: "abc" });
    expect(broker.describeTopic("orders")).toEqual({
      name: "orders",
      config: {
        partitions: 2,
        cleanupPolicy: "delete",
        retentionMs: 1000,
        retentionBytes: undefined,
      },
      partitions: [
        { partition: 0, logStartOffset: 0, endOffset: 1, recordsCount: 1, sizeBytes: 4 },
        { partition: 1, logStartOffset: 0, endOffset: 0, recordsCount: 0, sizeBytes: 0 },
      ],
    });
  });

  it("stamps records with the broker clock, which moves only with advance()", () => {
    const broker = brokerWith({ orders: { partitions: 1 } });
    const producer = broker.producer();
    producer.send("orders", { value: "a" });
    broker.advance(250);
    producer.send("orders", { value: "b" });
    expect(broker.now()).toBe(250);
    expect(broker.read("orders", 0, 0, 10).map((r) => r.timestamp)).toEqual([0, 250]);
  });
});

describe("errors name the value and what is allowed", () => {
  const broker = brokerWith({ orders: { partitions: 8 }, single: { partitions: 1 } });

  it("unknown topic, listing the topics there are", () => {
    expect(() => broker.partitionCount("payments")).toThrow(
      new RangeError('unknown topic "payments"; topics: orders, single'),
    );
    expect(() => new Broker().read("payments", 0, 0, 1)).toThrow(
      new RangeError('unknown topic "payments"; no topics exist'),
    );
    expect(() => broker.producer().send("payments", { value: "v" })).toThrow(/unknown topic/);
  });

  it("partition out of range", () => {
    expect(() => broker.read("orders", 8, 0, 1)).toThrow(
      new RangeError("partition 8 of orders: the topic has 8 partitions, 0-7"),
    );
    expect(() => broker.endOffset("orders", -1)).toThrow(
      new RangeError("partition -1 of orders: the topic has 8 partitions, 0-7"),
    );
    expect(() => broker.logStartOffset("single", 1.5)).toThrow(
      new RangeError("partition 1.5 of single: the topic has 1 partition, 0"),
    );
  });

  it("offset out of range, naming the partition", () => {
    expect(() => broker.read("orders", 3, 12, 1)).toThrow(
      new RangeError("offset 12 is out of range [0, 0] for orders-3"),
    );
  });

  it("partitions < 1, or too many", () => {
    expect(() => broker.createTopic("t", { partitions: 0 })).toThrow(
      new RangeError("partitions must be an integer in [1, 10000], got 0"),
    );
    expect(() => broker.createTopic("t", { partitions: 10_001 })).toThrow(
      new RangeError("partitions must be an integer in [1, 10000], got 10001"),
    );
  });

  it("a duplicate topic", () => {
    expect(() => broker.createTopic("orders", { partitions: 3 })).toThrow(
      new RangeError('topic "orders" already exists (with 8 partitions)'),
    );
  });

  it("a bad topic name", () => {
    expect(() => broker.createTopic("my topic", { partitions: 1 })).toThrow(
      new RangeError('topic name must be 1 to 249 characters of [a-zA-Z0-9._-], got "my topic"'),
    );
    expect(() => broker.createTopic("", { partitions: 1 })).toThrow(/topic name must be/);
  });

  it("bad config fields", () => {
    expect(() =>
      broker.createTopic("t", { partitions: 1, retention: 5 } as unknown as TopicConfig),
    ).toThrow(
      new RangeError(
        'config of topic "t" has an unknown option "retention"; known options: partitions, retentionMs, retentionBytes, cleanupPolicy',
      ),
    );
    expect(() =>
      broker.createTopic("t", {
        partitions: 1,
        cleanupPolicy: "archive",
      } as unknown as TopicConfig),
    ).toThrow(new RangeError('cleanupPolicy must be "delete" or "compact", got "archive"'));
    expect(() => broker.createTopic("t", { partitions: 1, retentionMs: -5 })).toThrow(
      new RangeError("retentionMs must be a finite number >= 0, got -5"),
    );
    expect(() => broker.createTopic("t", { partitions: 1, retentionBytes: -1 })).toThrow(
      new RangeError("retentionBytes must be an integer >= 0, got -1"),
    );
    expect(broker.topics()).toEqual(["orders", "single"]);
  });

  it("bad broker options, clock moves and lost-ack counts", () => {
    expect(() => new Broker({ seed: -1 })).toThrow(
      new RangeError("options.seed must be an integer in [0, 4294967295], got -1"),
    );
    expect(() => new Broker({ sed: 1 } as unknown as { seed: number })).toThrow(
      new RangeError('broker options has an unknown option "sed"; known options: seed'),
    );
    expect(() => broker.advance(-1)).toThrow(
      new RangeError("ms must be a finite number >= 0, got -1"),
    );
    expect(() => broker.loseAcks(1.5)).toThrow(
      new RangeError("count must be an integer >= 0, got 1.5"),
    );
  });
});

describe("retention and compaction run when the clock moves", () => {
  it("retention by time deletes old records on every topic and moves logStartOffset", () => {
    const broker = brokerWith({
      events: { partitions: 2, retentionMs: 1000 },
      forever: { partitions: 1 },
    });
    const producer = broker.producer({ partitioner: "round-robin" });
    for (let i = 0; i < 4; i++) producer.send("events", { value: `old${i}` });
    producer.send("forever", { value: "kept" });
    broker.advance(600);
    for (let i = 0; i < 2; i++) producer.send("events", { value: `new${i}` });
    broker.advance(400);
    expect(broker.logStartOffset("events", 0)).toBe(2);
    expect(broker.logStartOffset("events", 1)).toBe(2);
    expect(broker.read("events", 0, 2, 10).map((r) => r.value)).toEqual(["new0"]);
    expect(broker.read("events", 1, 2, 10).map((r) => r.value)).toEqual(["new1"]);
    expect(broker.read("forever", 0, 0, 10).map((r) => r.value)).toEqual(["kept"]);
    expect(() => broker.read("events", 0, 1, 10)).toThrow(
      new RangeError("offset 1 is out of range [2, 3] for events-0"),
    );
  });

  it("retention by size keeps each partition under retentionBytes", () => {
    const broker = brokerWith({ events: { partitions: 1, retentionBytes: 300 } });
    const producer = broker.producer();
    for (let i = 0; i < 10; i++) producer.send("events", { value: "x".repeat(100) });
    expect(broker.describeTopic("events").partitions[0]?.sizeBytes).toBe(1000);
    broker.advance(0);
    expect(broker.describeTopic("events").partitions[0]).toEqual({
      partition: 0,
      logStartOffset: 7,
      endOffset: 10,
      recordsCount: 3,
      sizeBytes: 300,
    });
  });

  it("a compacted topic keeps the latest record per key, offsets unchanged", () => {
    const broker = brokerWith({ balances: { partitions: 1, cleanupPolicy: "compact" } });
    const producer = broker.producer();
    const sends: [string, string][] = [
      ["alice", "10"],
      ["bob", "5"],
      ["alice", "7"],
      ["carol", "1"],
      ["bob", "0"],
    ];
    for (const [key, value] of sends) {
      producer.send("balances", { key, value });
    }
    broker.advance(1);
    expect(broker.read("balances", 0, 0, 10).map((r) => [r.offset, r.key, r.value])).toEqual([
      [2, "alice", "7"],
      [3, "carol", "1"],
      [4, "bob", "0"],
    ]);
    expect(broker.logStartOffset("balances", 0)).toBe(0);
    expect(broker.endOffset("balances", 0)).toBe(5);
  });
});
