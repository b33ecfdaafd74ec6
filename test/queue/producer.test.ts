// Producers: partitioning (per-key order), resends after lost acknowledgements, and the idempotent
// producer that lands a resent record once.
// Reference: Kafka KIP-98 (idempotent producer: producer id and per-partition sequence numbers).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Broker } from "../../src/queue/broker.js";
import { kafkaPartition } from "../../src/queue/partitioner.js";
import type { ProducerOptions } from "../../src/queue/producer.js";
import { assertProperty } from "../support/property.js";

function ordersBroker(partitions = 4): Broker {
  const broker = new Broker({ seed: 3 });
  broker.createTopic("orders", { partitions });
  return broker;
}

/** Every value in the topic, partition by partition, in offset order. */
function allValues(broker: Broker, topic = "orders"): string[] {
  const values: string[] = [];
  for (let p = 0; p < broker.partitionCount(topic); p++) {
    const from = broker.logStartOffset(topic, p);
    for (const record of broker.read(topic, p, from, 1_000_000)) values.push(record.value);
  }
  return values;
}

describe("partitioning and per-key order", () => {
  it("a keyed record goes to kafkaPartition(key) with the default partitioner", () => {
    const broker = ordersBroker(8);
    const producer = broker.producer();
    for (let i = 0; i < 200; i++) {
      const key = `customer-${i}`;
      expect(producer.send("orders", { key, value: "v" }).partition).toBe(kafkaPartition(key, 8));
    }
  });

  it("records of one key land in one partition at increasing offsets", () => {
    assertProperty(
      fc.property(
        fc.array(fc.constantFrom("a", "b", "c", "d", "e", "f"), { minLength: 1, maxLength: 60 }),
        fc.constantFrom<NonNullable<ProducerOptions["partitioner"]>>("murmur2", "sticky"),
        (keys, partitioner) => {
          const broker = ordersBroker(5);
          const producer = broker.producer({ partitioner });
          const landed = new Map<string, { partition: number; offset: number }[]>();
          keys.forEach((key, i) => {
            const metadata = producer.send("orders", { key, value: `${key}${i}` });
            landed.set(key, [...(landed.get(key) ?? []), metadata]);
          });
          for (const [key, places] of landed) {
            expect(new Set(places.map((p) => p.partition)).size).toBe(1);
            for (let i = 1; i < places.length; i++) {
              expect(places[i]!.offset).toBeGreaterThan(places[i - 1]!.offset);
            }
            // Reading the partition gives the key's values in the order they were sent.
            const partition = places[0]!.partition;
            const read = broker
              .read("orders", partition, 0, 1000)
              .filter((r) => r.key === key)
              .map((r) => r.value);
            const sent = keys.flatMap((k, i) => (k === key ? [`${k}${i}`] : []));
            expect(read).toEqual(sent);
          }
        },
      ),
    );
  });

  it("round-robin spreads records evenly, keys or not", () => {
    const broker = ordersBroker(4);
    const producer = broker.producer({ partitioner: "round-robin" });
    for (let i = 0; i < 40; i++) producer.send("orders", { key: "same", value: `${i}` });
    for (let p = 0; p < 4; p++) expect(broker.endOffset("orders", p)).toBe(10);
  });

  it("returns the topic, partition and offset where the record landed", () => {
    const broker = ordersBroker(1);
    const producer = broker.producer();
    producer.send("orders", { value: "first" });
    expect(producer.send("orders", { value: "second", headers: { h: "1" } })).toEqual({
      topic: "orders",
      partition: 0,
      offset: 1,
    });
    expect(broker.read("orders", 0, 1, 1)[0]?.headers).toEqual({ h: "1" });
  });

  it("numbers producers 0, 1, 2, ...", () => {
    const broker = ordersBroker();
    expect(
      [broker.producer(), broker.producer(), broker.producer()].map((p) => p.producerId),
    ).toEqual([0, 1, 2]);
  });
});

describe("lost acknowledgements: at-least-once resends vs the idempotent producer", () => {
  function sendWithLostAcks(idempotent: boolean, sends: number, lost: number): Broker {
    const broker = ordersBroker(4);
    const producer = broker.producer({ idempotent, retries: 3 });
    // Lose acknowledgements now and then: `lost` of them, spread over the sends.
    let lostLeft = lost;
    for (let i = 0; i < sends; i++) {
      if (lostLeft > 0 && i % 10 === 0) {
        broker.loseAcks(1);
        lostLeft--;
      }
      producer.send("orders", { key: `k${i % 7}`, value: `m${i}` });
    }
    expect(producer.resendsCount).toBe(lost);
    return broker;
  }

  it("without idempotence every lost acknowledgement leaves a duplicate: 100 sends, 5 lost, 105 records", () => {
    const values = allValues(sendWithLostAcks(false, 100, 5));
    expect(values.length).toBe(105);
    expect(new Set(values).size).toBe(100);
  });

  it("with idempotence each record lands once: 100 sends, 5 lost, 100 records", () => {
    const values = allValues(sendWithLostAcks(true, 100, 5));
    expect(values.length).toBe(100);
    expect(new Set(values).size).toBe(100);
  });

  it("a resend is acknowledged with the first copy's offset", () => {
    const broker = ordersBroker(1);
    const producer = broker.producer({ idempotent: true });
    producer.send("orders", { value: "a" });
    broker.loseAcks(2);
    expect(producer.send("orders", { value: "b" })).toEqual({
      topic: "orders",
      partition: 0,
      offset: 1,
    });
    expect(producer.resendsCount).toBe(2);
    expect(allValues(broker)).toEqual(["a", "b"]);
  });

  it("gives up after `retries` resends; the record is in the log anyway", () => {
    const broker = ordersBroker(1);
    const plain = broker.producer({ retries: 2 });
    broker.loseAcks(3);
    expect(() => plain.send("orders", { value: "x" })).toThrow(
      new Error(
        "send to orders-0 failed: 3 acknowledgements lost (retries 2); the record is in the log 3 times",
      ),
    );
    expect(allValues(broker)).toEqual(["x", "x", "x"]);

    const idempotent = broker.producer({ retries: 0, idempotent: true });
    broker.loseAcks(1);
    expect(() => idempotent.send("orders", { value: "y" })).toThrow(/1 acknowledgements lost/);
    // The sequence number was used: the next send continues after it.
    expect(idempotent.send("orders", { value: "z" }).offset).toBe(4);
    expect(allValues(broker)).toEqual(["x", "x", "x", "y", "z"]);
  });

  it("under any schedule of lost acknowledgements: idempotent = each once, plain = sends + lost", () => {
    assertProperty(
      fc.property(
        fc.array(fc.nat(3), { minLength: 1, maxLength: 40 }),
        fc.boolean(),
        (lostBeforeSend, idempotent) => {
          const broker = ordersBroker(3);
          const producer = broker.producer({ idempotent, retries: 3 });
          lostBeforeSend.forEach((lost, i) => {
            broker.loseAcks(lost);
            producer.send("orders", { key: `k${i % 5}`, value: `m${i}` });
          });
          const lostTotal = lostBeforeSend.reduce((a, b) => a + b, 0);
          const values = allValues(broker);
          expect(new Set(values).size).toBe(lostBeforeSend.length);
          expect(values.length).toBe(lostBeforeSend.length + (idempotent ? 0 : lostTotal));
          expect(producer.resendsCount).toBe(lostTotal);
        },
      ),
    );
  });

  it("a bad record does not use up a sequence number", () => {
    const broker = ordersBroker(1);
    const producer = broker.producer({ idempotent: true });
    expect(() => producer.send("orders", { value: 42 } as unknown as { value: string })).toThrow(
      new RangeError("record value must be a string, got 42"),
    );
    expect(producer.send("orders", { value: "ok" }).offset).toBe(0);
    expect(producer.send("orders", { value: "ok2" }).offset).toBe(1);
  });
});

describe("errors name the value and what is allowed", () => {
  const broker = ordersBroker();

  it("bad producer options", () => {
    expect(() => broker.producer({ retries: -1 })).toThrow(
      new RangeError("options.retries must be an integer in [0, 1000], got -1"),
    );
    expect(() => broker.producer({ partitioner: "random" } as unknown as ProducerOptions)).toThrow(
      new RangeError('partitioner must be one of murmur2, round-robin, sticky, got "random"'),
    );
    expect(() => broker.producer({ idempotent: "yes" } as unknown as ProducerOptions)).toThrow(
      new RangeError('options.idempotent must be true or false, got "yes"'),
    );
    expect(() => broker.producer({ acks: 1 } as unknown as ProducerOptions)).toThrow(
      new RangeError(
        'producer options has an unknown option "acks"; known options: idempotent, partitioner, retries',
      ),
    );
  });

  it("a record that is not an object, or has a bad key", () => {
    const producer = broker.producer();
    expect(() => producer.send("orders", null as unknown as { value: string })).toThrow(
      new RangeError("record must be an object { key?, value, headers? }, got null"),
    );
    expect(() =>
      producer.send("orders", { key: 5, value: "v" } as unknown as { value: string }),
    ).toThrow(new RangeError("key must be a string, null or undefined, got 5"));
  });
});
