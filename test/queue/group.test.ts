// Consumer groups: membership kept by polling, rebalancing per assignor, committed offsets, lag,
// and the errors that name the value. Reference: Kreps, Narkhede, Rao, NetDB 2011, §3.2; Kafka's
// group protocol (KIP-62 session timeouts, KIP-429 cooperative rebalancing).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Broker } from "../../src/queue/broker.js";
import type { Consumer, GroupDescription } from "../../src/queue/group.js";
import type { AssignorName, QueueRecord, TopicPartition } from "../../src/queue/types.js";
import { assertProperty } from "../support/property.js";

const ASSIGNORS: readonly AssignorName[] = ["range", "roundrobin", "sticky", "cooperative-sticky"];

function brokerWith(partitions: number, perPartition = 0): Broker {
  const broker = new Broker({ seed: 1 });
  broker.createTopic("orders", { partitions });
  const producer = broker.producer({ partitioner: "round-robin" });
  for (let i = 0; i < partitions * perPartition; i++) {
    producer.send("orders", { key: `k${i}`, value: `v${i}` });
  }
  return broker;
}

function names(tps: readonly TopicPartition[]): string[] {
  return tps.map((tp) => `${tp.topic}-${tp.partition}`);
}

function errorOf(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

/** Every partition of "orders" owned by exactly one live member, as the group and members say. */
function expectOneOwnerEach(
  description: GroupDescription,
  consumers: readonly Consumer[],
  partitions: number,
): void {
  const live = new Set(description.members.map((m) => m.memberId));
  const owners = new Map<string, string[]>();
  for (const consumer of consumers) {
    if (!live.has(consumer.memberId)) continue;
    for (const name of names(consumer.assignment())) {
      owners.set(name, [...(owners.get(name) ?? []), consumer.memberId]);
    }
  }
  for (let p = 0; p < partitions; p++) {
    const owner = owners.get(`orders-${p}`) ?? [];
    expect(owner, `owners of orders-${p}`).toHaveLength(1);
    expect(description.partitions[p]?.owner).toBe(owner[0]);
  }
}

describe("§3.2 consumer groups: each partition is read by one member of the group", () => {
  it("a lone member gets every partition; a second member joining splits them (range)", () => {
    const broker = brokerWith(4, 2);
    const a = broker.consumer({ groupId: "billing" });
    a.subscribe(["orders"]);
    expect(names(a.assignment())).toEqual(["orders-0", "orders-1", "orders-2", "orders-3"]);
    const b = broker.consumer({ groupId: "billing" });
    b.subscribe(["orders"]);
    a.poll();
    expect(names(a.assignment())).toEqual(["orders-0", "orders-1"]);
    expect(names(b.assignment())).toEqual(["orders-2", "orders-3"]);
    expect(broker.describeGroup("billing").generation).toBe(2);
  });

  it("poll returns records from the position of each assigned partition, spread fairly", () => {
    const broker = brokerWith(4, 10);
    const consumer = broker.consumer({ groupId: "g" });
    consumer.subscribe(["orders"]);
    const records = consumer.poll({ maxRecords: 8 });
    const perPartition = [0, 1, 2, 3].map((p) => records.filter((r) => r.partition === p).length);
    expect(perPartition).toEqual([2, 2, 2, 2]);
    expect(consumer.position({ topic: "orders", partition: 0 })).toBe(2);
    // A poll smaller than the partition count serves the partitions in turn.
    const seen = new Set<number>();
    for (let i = 0; i < 4; i++)
      for (const r of consumer.poll({ maxRecords: 1 })) seen.add(r.partition);
    expect([...seen].sort()).toEqual([0, 1, 2, 3]);
  });

  it("a partition with no committed offset starts at the log start; auto-commit commits the previous poll at the next", () => {
    const broker = brokerWith(1, 5);
    const consumer = broker.consumer({ groupId: "g" });
    consumer.subscribe(["orders"]);
    const tp = { topic: "orders", partition: 0 };
    expect(consumer.poll({ maxRecords: 3 }).map((r) => r.offset)).toEqual([0, 1, 2]);
    expect(consumer.committed(tp)).toBe(0); // the position before the first poll
    consumer.poll({ maxRecords: 1 });
    expect(consumer.committed(tp)).toBe(3);
  });

  it("describeGroup reports committed offsets and lag = endOffset - committed", () => {
    const broker = brokerWith(2, 5);
    const consumer = broker.consumer({ groupId: "g", autoCommit: false });
    consumer.subscribe(["orders"]);
    consumer.poll({ maxRecords: 4 });
    consumer.commit();
    const description = broker.describeGroup("g");
    expect(description.partitions.map((p) => [p.committed, p.endOffset, p.lag])).toEqual([
      [2, 5, 3],
      [2, 5, 3],
    ]);
    expect(description.lag).toBe(6);
    expect(description.state).toBe("Stable");
  });

  it("replay from a committed offset yields the same records", () => {
    const broker = brokerWith(2, 6);
    const consumer = broker.consumer({ groupId: "g", autoCommit: false });
    consumer.subscribe(["orders"]);
    const byPosition = (records: readonly QueueRecord[]) =>
      records.slice().sort((a, b) => a.partition - b.partition || a.offset - b.offset);
    consumer.poll({ maxRecords: 2 });
    consumer.commit();
    const first = consumer.poll({ maxRecords: 6 });
    for (const tp of consumer.assignment()) consumer.seek(tp, consumer.committed(tp) as number);
    expect(byPosition(consumer.poll({ maxRecords: 6 }))).toEqual(byPosition(first));
  });

  it("a paused partition is skipped by poll until resumed (back-pressure)", () => {
    const broker = brokerWith(2, 3);
    const consumer = broker.consumer({ groupId: "g" });
    consumer.subscribe(["orders"]);
    const tp = { topic: "orders", partition: 1 };
    consumer.pause([tp]);
    expect(names(consumer.paused())).toEqual(["orders-1"]);
    expect(new Set(consumer.poll().map((r) => r.partition))).toEqual(new Set([0]));
    consumer.resume([tp]);
    expect(consumer.poll().map((r) => r.partition)).toEqual([1, 1, 1]);
  });
});

describe("membership: join, leave and session timeout start a rebalance", () => {
  it("a member that stops polling expires after sessionTimeoutMs; its partitions resume from the last committed offset", () => {
    const broker = brokerWith(2, 4);
    const a = broker.consumer({ groupId: "g", sessionTimeoutMs: 1000 });
    const b = broker.consumer({ groupId: "g", sessionTimeoutMs: 1000 });
    a.subscribe(["orders"]);
    b.subscribe(["orders"]);
    a.poll();
    b.poll();
    expect(names(b.assignment())).toEqual(["orders-1"]);
    b.poll({ maxRecords: 1 }); // auto-commits 4 (everything), then reads nothing
    b.seek({ topic: "orders", partition: 1 }, 1);
    b.commit(); // committed 1: b "crashes" having committed only offset 0
    broker.advance(1000);
    a.poll();
    expect(broker.describeGroup("g").members).toHaveLength(2); // 1000 ms is not more than 1000
    broker.advance(1);
    expect(broker.describeGroup("g").members.map((m) => m.memberId)).toEqual(["consumer-1"]);
    const records = a.poll();
    expect(broker.describeGroup("g").rebalances.at(-1)?.reason).toBe(
      "member consumer-2's session expired (no poll for 1001 ms > 1000 ms)",
    );
    expect(names(a.assignment())).toEqual(["orders-0", "orders-1"]);
    expect(records.map((r) => `${r.partition}:${r.offset}`)).toEqual(["1:1", "1:2", "1:3"]);
  });

  it("a consumer that polls again after its session expired rejoins as a new member, from the committed offsets", () => {
    const broker = brokerWith(1, 4);
    const x = broker.consumer({ groupId: "g", memberId: "X", sessionTimeoutMs: 1000 });
    x.subscribe(["orders"]);
    x.poll({ maxRecords: 1 });
    x.poll({ maxRecords: 1 }); // commits 1, reads offset 1
    broker.advance(1001);
    expect(broker.describeGroup("g").state).toBe("Empty");
    expect(x.poll({ maxRecords: 4 }).map((r) => r.offset)).toEqual([1, 2, 3]);
    expect(broker.describeGroup("g").rebalances.at(-1)?.reason).toBe(
      "member X rejoined after its session expired",
    );
  });

  it("an eager rebalance pauses every partition until every live member rejoined at its poll", () => {
    const broker = brokerWith(4, 5);
    const a = broker.consumer({ groupId: "g" });
    a.subscribe(["orders"]);
    a.poll({ maxRecords: 4 });
    const b = broker.consumer({ groupId: "g" });
    b.subscribe(["orders"]);
    expect(broker.describeGroup("g").waitingFor).toEqual(["consumer-1"]);
    expect(b.poll()).toEqual([]);
    broker.advance(250);
    expect(a.poll().length).toBeGreaterThan(0); // a rejoins: the rebalance completes
    const rebalance = broker.describeGroup("g").rebalances.at(-1);
    expect(rebalance?.paused).toHaveLength(4);
    expect(rebalance?.pausedMs).toBe(250);
    expect(rebalance?.partitionPausedMs).toBe(1000);
    expect(names(rebalance?.moved ?? [])).toEqual(["orders-2", "orders-3"]);
  });

  it("a leave rebalances the group; the closed consumer's commit is refused", () => {
    const broker = brokerWith(3, 1);
    const a = broker.consumer({ groupId: "g" });
    const b = broker.consumer({ groupId: "g" });
    a.subscribe(["orders"]);
    b.subscribe(["orders"]);
    a.poll();
    b.close();
    b.close(); // closing twice does nothing
    a.poll();
    expect(names(a.assignment())).toHaveLength(3);
    expect(broker.describeGroup("g").rebalances.at(-1)?.reason).toBe("member consumer-2 left");
    expect(errorOf(() => b.commit()).message).toBe('consumer consumer-2 of group "g" is closed');
  });

  it("cooperative-sticky pauses fewer partitions than eager sticky on the same membership change", () => {
    const pausedBy = (assignor: AssignorName) => {
      const broker = brokerWith(6, 3);
      const a = broker.consumer({ groupId: "g", assignor });
      a.subscribe(["orders"]);
      a.poll();
      const b = broker.consumer({ groupId: "g", assignor });
      b.subscribe(["orders"]);
      for (let i = 0; i < 4; i++) {
        broker.advance(100);
        a.poll({ maxRecords: 1 });
        b.poll({ maxRecords: 1 });
      }
      const description = broker.describeGroup("g");
      expect(description.state).toBe("Stable");
      return description.rebalances.at(-1);
    };
    const eager = pausedBy("sticky");
    const cooperative = pausedBy("cooperative-sticky");
    expect(eager?.moved).toEqual(cooperative?.moved);
    expect(eager?.paused).toHaveLength(6);
    expect(cooperative?.paused).toEqual(cooperative?.moved);
    expect(cooperative?.paused).toHaveLength(3);
    expect(cooperative?.rounds).toBe(2);
    expect(cooperative?.partitionPausedMs).toBeLessThan(eager?.partitionPausedMs as number);
  });

  it("cooperative-sticky keeps the partitions that do not move flowing during the rebalance, at their positions", () => {
    const broker = brokerWith(2, 5);
    const a = broker.consumer({ groupId: "g", assignor: "cooperative-sticky", autoCommit: false });
    a.subscribe(["orders"]);
    a.poll({ maxRecords: 2 });
    const b = broker.consumer({ groupId: "g", assignor: "cooperative-sticky" });
    b.subscribe(["orders"]);
    // Round 1 completes at a's poll (it gives up orders-1); orders-0 keeps flowing from 1.
    const during = a.poll({ maxRecords: 2 });
    expect(during.map((r) => `${r.partition}:${r.offset}`)).toEqual(["0:1", "0:2"]);
    expect(names(a.assignment())).toEqual(["orders-0"]);
    expect(broker.describeGroup("g").state).toBe("PreparingRebalance");
    b.poll();
    a.poll({ maxRecords: 1 });
    expect(names(b.assignment())).toEqual(["orders-1"]);
    expect(broker.describeGroup("g").generation).toBe(3);
  });
});

describe("rebalance records", () => {
  it("cooperative-sticky runs two rounds, JoinGroup and SyncGroup steps in order, one generation each", () => {
    const broker = brokerWith(4);
    const a = broker.consumer({ groupId: "g", assignor: "cooperative-sticky" });
    a.subscribe(["orders"]);
    const b = broker.consumer({ groupId: "g", assignor: "cooperative-sticky" });
    b.subscribe(["orders"]);
    broker.advance(100);
    a.poll(); // round 1 completes: a gives up orders-2 and orders-3
    broker.advance(100);
    b.poll();
    broker.advance(100);
    a.poll(); // round 2 completes: b gets them
    const record = broker.describeGroup("g").rebalances.at(-1);
    const steps = (record?.steps ?? []).map(
      (s) =>
        `${s.atMs} ${s.memberId} ${s.action} g${s.generation} [${names(s.assigned)}] -[${names(s.revoked)}]`,
    );
    expect(steps).toEqual([
      "0 consumer-2 join g1 [] -[]",
      "100 consumer-1 rejoin g1 [orders-0,orders-1,orders-2,orders-3] -[]",
      "100 consumer-1 assign g2 [orders-0,orders-1] -[orders-2,orders-3]",
      "100 consumer-2 assign g2 [] -[]",
      "200 consumer-2 rejoin g2 [] -[]",
      "300 consumer-1 rejoin g2 [orders-0,orders-1] -[]",
      "300 consumer-1 assign g3 [orders-0,orders-1] -[]",
      "300 consumer-2 assign g3 [orders-2,orders-3] -[]",
    ]);
    expect([record?.rounds, record?.generation, record?.pausedMs]).toEqual([2, 3, 200]);
  });

  it("cooperative-sticky hands a leaver's partitions over in one round, pausing only those", () => {
    const broker = brokerWith(4);
    const a = broker.consumer({ groupId: "g", assignor: "cooperative-sticky" });
    const b = broker.consumer({ groupId: "g", assignor: "cooperative-sticky" });
    a.subscribe(["orders"]);
    b.subscribe(["orders"]);
    a.poll();
    b.poll();
    a.poll();
    b.close();
    broker.advance(50);
    a.poll();
    const record = broker.describeGroup("g").rebalances.at(-1);
    expect(record?.rounds).toBe(1);
    expect(names(record?.paused ?? [])).toEqual(["orders-2", "orders-3"]);
    expect(names(record?.moved ?? [])).toEqual(["orders-2", "orders-3"]);
    expect(record?.partitionPausedMs).toBe(100);
  });

  it("an eager rebalance restarts even the partitions a member keeps from the committed offset", () => {
    const broker = brokerWith(2, 5);
    const a = broker.consumer({ groupId: "g", assignor: "sticky", autoCommit: false });
    a.subscribe(["orders"]);
    a.poll({ maxRecords: 4 }); // reads 0-1 of both partitions, commits nothing
    const b = broker.consumer({ groupId: "g", assignor: "sticky" });
    b.subscribe(["orders"]);
    const records = a.poll(); // a rejoins; the rebalance completes; orders-0 restarts at 0
    expect(names(a.assignment())).toEqual(["orders-0"]);
    expect(records.map((r) => `${r.partition}:${r.offset}`)).toEqual([
      "0:0",
      "0:1",
      "0:2",
      "0:3",
      "0:4",
    ]);
  });

  it("a subscription change rebalances: the member gets the new topic's partitions", () => {
    const broker = brokerWith(2);
    broker.createTopic("payments", { partitions: 1 });
    const a = broker.consumer({ groupId: "g" });
    a.subscribe(["orders"]);
    a.subscribe(["orders"]); // the same topics: nothing happens
    expect(broker.describeGroup("g").generation).toBe(1);
    a.subscribe(["payments", "orders"]);
    expect(names(a.assignment())).toEqual(["orders-0", "orders-1", "payments-0"]);
    expect(broker.describeGroup("g").rebalances.at(-1)?.reason).toBe(
      "member consumer-1 changed its subscription to orders, payments",
    );
  });
});

describe("errors name the value", () => {
  it("subscribe to an unknown topic", () => {
    const consumer = brokerWith(1).consumer({ groupId: "g" });
    expect(errorOf(() => consumer.subscribe(["ordres"])).message).toBe(
      'unknown topic "ordres"; topics: orders',
    );
  });

  it("seek past the end, or before the log start", () => {
    const broker = brokerWith(4, 10);
    const consumer = broker.consumer({ groupId: "g" });
    consumer.subscribe(["orders"]);
    expect(errorOf(() => consumer.seek({ topic: "orders", partition: 3 }, 12)).message).toBe(
      "offset 12 is past the end of orders-3 (end offset 10)",
    );
    expect(errorOf(() => consumer.seek({ topic: "orders", partition: 3 }, -1)).message).toBe(
      "offset must be an integer >= 0, got -1",
    );
  });

  it("seek, pause and commit on a partition the member does not own", () => {
    const broker = brokerWith(2, 1);
    const b = broker.consumer({ groupId: "g", memberId: "consumer-2" });
    b.subscribe(["orders"]);
    const a = broker.consumer({ groupId: "g", memberId: "consumer-1" });
    a.subscribe(["orders"]);
    b.poll();
    const tp = { topic: "orders", partition: 1 };
    expect(errorOf(() => a.seek(tp, 0)).message).toBe(
      "seek from member consumer-1, which does not own orders-1 (it owns orders-0)",
    );
    expect(errorOf(() => a.pause([tp])).message).toBe(
      "pause from member consumer-1, which does not own orders-1 (it owns orders-0)",
    );
    expect(errorOf(() => a.commit([{ ...tp, offset: 0 }])).message).toBe(
      "commit from member consumer-1, which does not own orders-1 (it owns orders-0)",
    );
  });

  it("commit from a member whose session expired, after another generation took its partition (a zombie)", () => {
    const broker = brokerWith(4, 10);
    const x = broker.consumer({ groupId: "g", memberId: "X", sessionTimeoutMs: 1000 });
    x.subscribe(["orders"]);
    x.poll();
    broker.advance(1001);
    const y = broker.consumer({ groupId: "g", memberId: "Y" });
    y.subscribe(["orders"]);
    expect(broker.describeGroup("g").generation).toBe(3);
    expect(errorOf(() => x.commit()).message).toBe(
      "commit from member X, which no longer owns orders-0 (generation 3 gave it to Y)",
    );
  });

  it("use after close, maxRecords < 1, poll before subscribe", () => {
    const broker = brokerWith(1);
    const consumer = broker.consumer({ groupId: "g" });
    expect(errorOf(() => consumer.poll()).message).toBe(
      'consumer consumer-1 of group "g" has not subscribed; call subscribe(topics) first',
    );
    consumer.subscribe(["orders"]);
    expect(errorOf(() => consumer.poll({ maxRecords: 0 })).message).toBe(
      "maxRecords must be an integer >= 1, got 0",
    );
    consumer.close();
    expect(errorOf(() => consumer.poll()).message).toBe(
      'consumer consumer-1 of group "g" is closed',
    );
  });

  it("bad options, a memberId in use, another assignor, an unknown group", () => {
    const broker = brokerWith(1);
    broker.consumer({ groupId: "g", memberId: "m" }).subscribe(["orders"]);
    expect(errorOf(() => broker.consumer({ groupId: "g", memberId: "m" })).message).toBe(
      'memberId "m" is already used by a consumer of group "g"',
    );
    expect(errorOf(() => broker.consumer({ groupId: "g", assignor: "sticky" })).message).toBe(
      'consumer consumer-1 asks for assignor "sticky", but group "g" uses "range"',
    );
    expect(
      errorOf(() => broker.consumer({ groupId: "g", assignor: "fair" as AssignorName })).message,
    ).toBe('assignor must be one of range, roundrobin, sticky, cooperative-sticky, got "fair"');
    expect(errorOf(() => broker.consumer({ groupId: "g", sessionTimeoutMs: 0 })).message).toBe(
      "sessionTimeoutMs must be an integer >= 1, got 0",
    );
    expect(errorOf(() => broker.consumer({ groupId: "" })).message).toBe(
      'groupId must be a non-empty string, got ""',
    );
    expect(errorOf(() => broker.describeGroup("h")).message).toBe('unknown group "h"; groups: g');
  });
});

type Step =
  | { kind: "join" }
  | { kind: "leave"; pick: number }
  | { kind: "crash"; pick: number }
  | { kind: "send"; count: number }
  | { kind: "poll"; pick: number; maxRecords: number }
  | { kind: "advance"; ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constant<Step>({ kind: "join" }),
  fc.record({ kind: fc.constant("leave" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("crash" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("send" as const), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({
    kind: fc.constant("poll" as const),
    pick: fc.nat(),
    maxRecords: fc.integer({ min: 1, max: 6 }),
  }),
  fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 1500 }) }),
);

describe("property: random schedules of joins, leaves, crashes, sends and polls", () => {
  it("after every rebalance each partition is owned by exactly one live member; with auto-commit no record is skipped and, once drained, every record was delivered", () => {
    assertProperty(
      fc.property(
        fc.constantFrom(...ASSIGNORS),
        fc.integer({ min: 1, max: 5 }),
        fc.array(step, { maxLength: 60 }),
        (assignor, partitions, steps) => {
          const broker = brokerWith(partitions);
          const producer = broker.producer({ partitioner: "round-robin" });
          const consumers: Consumer[] = [];
          const running: Consumer[] = []; // neither closed nor crashed
          let sent = 0;
          const delivered = new Set<string>();
          const highest = new Map<number, number>(); // partition -> highest offset delivered
          const deliver = (records: readonly QueueRecord[]) => {
            for (const r of records) {
              // Replays are allowed (at-least-once); skipping ahead is not.
              expect(r.offset).toBeLessThanOrEqual((highest.get(r.partition) ?? -1) + 1);
              highest.set(r.partition, Math.max(r.offset, highest.get(r.partition) ?? -1));
              delivered.add(r.value);
            }
          };
          const check = () => {
            const description = broker.describeGroup("g");
            if (description.state === "Stable")
              expectOneOwnerEach(description, consumers, partitions);
          };
          const join = () => {
            const consumer = broker.consumer({ groupId: "g", assignor, sessionTimeoutMs: 1000 });
            consumer.subscribe(["orders"]);
            consumers.push(consumer);
            running.push(consumer);
          };
          join();
          for (const s of steps) {
            if (s.kind === "join") join();
            else if (s.kind === "send") {
              for (let i = 0; i < s.count; i++) producer.send("orders", { value: `v${sent++}` });
            } else if (s.kind === "advance") broker.advance(s.ms);
            else if (running.length > 0) {
              const index = s.pick % running.length;
              const consumer = running[index] as Consumer;
              if (s.kind === "poll") deliver(consumer.poll({ maxRecords: s.maxRecords }));
              else {
                running.splice(index, 1);
                if (s.kind === "leave") consumer.close();
              }
            }
            check();
          }
          // Drain: the crashed expire, a fresh member joins, everyone polls until nothing is left.
          broker.advance(1001);
          join();
          for (let round = 0; round < 1000 && broker.describeGroup("g").lag > 0; round++) {
            for (const consumer of running) deliver(consumer.poll({ maxRecords: 10 }));
            check();
          }
          for (const consumer of running) consumer.poll();
          expect(broker.describeGroup("g").lag).toBe(0);
          expect(delivered.size).toBe(sent);
        },
      ),
      { numRuns: 150 },
    );
  });
});
