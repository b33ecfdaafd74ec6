// WorkQueue: competing consumers, acknowledgements, visibility timeout and redelivery, dead-letter
// queue, FIFO message groups, no replay; and the crash experiment beside the log's guarantees.
// Reference: Amazon SQS Developer Guide ("Visibility timeout", "Dead-letter queues", "FIFO queues").

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  runWorkQueueExperiment,
  WorkQueue,
  type WorkQueueMessage,
} from "../../src/queue/work-queue.js";
import { expectRangeError } from "../hashing/support.js";
import { assertProperty } from "../support/property.js";

function bodies(messages: readonly WorkQueueMessage[]): string[] {
  return messages.map((m) => m.body);
}

/** Receives and acks until the queue holds nothing, advancing past every timeout. */
function drain(queue: WorkQueue): string[] {
  const acked: string[] = [];
  for (let round = 0; round < 10_000; round++) {
    const s = queue.stats();
    if (s.visible + s.inFlight + s.delayed === 0) return acked;
    const batch = queue.receive("drainer", { maxMessages: 10, visibilityTimeoutMs: 1_000 });
    for (const message of batch) {
      queue.ack(message.receiptHandle);
      acked.push(message.messageId);
    }
    if (batch.length === 0) queue.advance(1_000_000);
  }
  throw new Error("drain did not empty the queue in 10,000 rounds");
}

describe("SQS visibility timeout: competing consumers", () => {
  it("a received message is hidden from every other consumer until its visibility timeout expires", () => {
    const queue = new WorkQueue({ name: "jobs" });
    queue.send("a");
    queue.send("b");
    expect(bodies(queue.receive("w1", { maxMessages: 1 }))).toEqual(["a"]);
    expect(bodies(queue.receive("w2", { maxMessages: 10 }))).toEqual(["b"]);
    expect(queue.receive("w3", { maxMessages: 10 })).toEqual([]);
    expect(queue.stats()).toMatchObject({ visible: 0, inFlight: 2 });
  });

  it("a crashed consumer's messages come back after the visibility timeout, not before, and a non-idempotent consumer applies them twice", () => {
    const queue = new WorkQueue({ name: "jobs", visibilityTimeoutMs: 30_000 });
    for (const body of ["a", "b", "c"]) queue.send(body);
    const effects = new Map<string, number>();
    const process = (m: WorkQueueMessage) => effects.set(m.body, (effects.get(m.body) ?? 0) + 1);

    // w1 applies the effects of a and b, then crashes before acking anything.
    const first = queue.receive("w1", { maxMessages: 3 });
    expect(first.map((m) => m.invisibleUntilMs)).toEqual([30_000, 30_000, 30_000]);
    first.slice(0, 2).forEach(process);

    queue.advance(29_999);
    expect(queue.receive("w2", { maxMessages: 10 })).toEqual([]);
    queue.advance(1);
    const again = queue.receive("w2", { maxMessages: 10 });
    expect(bodies(again)).toEqual(["a", "b", "c"]);
    expect(again.map((m) => m.receiveCount)).toEqual([2, 2, 2]);
    for (const m of again) {
      process(m);
      queue.ack(m.receiptHandle);
    }

    const duplicates = [...effects.values()].reduce((sum, n) => sum + n - 1, 0);
    expect(duplicates).toBe(2);
    expect(queue.stats()).toMatchObject({ deleted: 3, received: 6, redeliveries: 3 });
  });

  it("changeVisibility extends a long job's timeout, so the message is not redelivered meanwhile", () => {
    const queue = new WorkQueue({ name: "jobs", visibilityTimeoutMs: 1_000 });
    queue.send("long job");
    const [m] = queue.receive("w1");
    queue.advance(900);
    queue.changeVisibility(m!.receiptHandle, 5_000);
    queue.advance(4_999);
    expect(queue.receive("w2")).toEqual([]);
    queue.advance(1);
    expect(queue.receive("w2").map((x) => x.receiveCount)).toEqual([2]);
  });
});

describe("acknowledgements: ack deletes, nack returns, no replay", () => {
  it("an acked message is gone for good: no consumer ever receives it again", () => {
    const queue = new WorkQueue({ name: "jobs", visibilityTimeoutMs: 10 });
    queue.send("a");
    queue.send("b");
    const [a] = queue.receive("w1");
    queue.ack(a!.receiptHandle);
    queue.advance(1_000_000);
    expect(drain(queue)).toEqual(["m-2"]);
    expect(queue.stats()).toMatchObject({ sent: 2, deleted: 2, visible: 0, inFlight: 0 });
  });

  it("refuses a stale receipt: the timeout expired and another consumer received the message", () => {
    const queue = new WorkQueue({ name: "jobs", visibilityTimeoutMs: 100 });
    queue.send("a");
    const [slow] = queue.receive("slow");
    queue.advance(100);
    const [fast] = queue.receive("fast");
    expectRangeError(
      () => queue.ack(slow!.receiptHandle),
      'ack: receipt handle "jobs:m-1:1" is stale: message m-1 became visible again and was received since (receive 2 is current), so it belongs to that consumer now',
    );
    queue.ack(fast!.receiptHandle);
    expect(queue.stats().deleted).toBe(1);
  });

  it("accepts an ack after the timeout expired as long as nobody received the message since (as SQS)", () => {
    const queue = new WorkQueue({ name: "jobs", visibilityTimeoutMs: 100 });
    queue.send("a");
    const [m] = queue.receive("w1");
    queue.advance(500);
    expect(queue.stats()).toMatchObject({ visible: 1, inFlight: 0 });
    queue.ack(m!.receiptHandle);
    expect(queue.stats()).toMatchObject({ visible: 0, deleted: 1 });
    expect(queue.receive("w2")).toEqual([]);
  });

  it("refuses a second ack of the same message", () => {
    const queue = new WorkQueue({ name: "jobs" });
    queue.send("a");
    const [m] = queue.receive("w1");
    queue.ack(m!.receiptHandle);
    expectRangeError(
      () => queue.ack(m!.receiptHandle),
      'ack: receipt handle "jobs:m-1:1" is for message m-1, which is no longer in queue "jobs": it was deleted (acked) already',
    );
  });

  it("nack makes the message visible at once, at the back of the line", () => {
    const queue = new WorkQueue({ name: "jobs" });
    for (const body of ["a", "b", "c"]) queue.send(body);
    const [a] = queue.receive("w1");
    queue.nack(a!.receiptHandle);
    const next = queue.receive("w2", { maxMessages: 10 });
    expect(bodies(next)).toEqual(["b", "c", "a"]);
    expect(next.map((m) => m.receiveCount)).toEqual([1, 1, 2]);
  });

  it("nack and changeVisibility need the message in flight", () => {
    const queue = new WorkQueue({ name: "jobs", visibilityTimeoutMs: 100 });
    queue.send("a");
    const [m] = queue.receive("w1");
    queue.advance(100);
    const notInFlight =
      "message m-1 is not in flight: its visibility timeout expired at 100 ms and it is visible again (only ack still accepts this handle)";
    expectRangeError(() => queue.nack(m!.receiptHandle), `nack: ${notInFlight}`);
    expectRangeError(
      () => queue.changeVisibility(m!.receiptHandle, 10),
      `changeVisibility: ${notInFlight}`,
    );
  });

  it("changeVisibility(handle, 0) is a nack", () => {
    const queue = new WorkQueue({ name: "jobs" });
    queue.send("a");
    const [m] = queue.receive("w1");
    queue.changeVisibility(m!.receiptHandle, 0);
    expect(queue.receive("w2").map((x) => x.receiveCount)).toEqual([2]);
  });
});

describe("order of receive on a standard queue", () => {
  it("hands out messages in the order they became visible: a timed-out message joins the back of the line", () => {
    const queue = new WorkQueue({ name: "jobs", visibilityTimeoutMs: 50 });
    queue.send("a");
    queue.send("b");
    queue.receive("w1"); // a, never acked
    queue.advance(10);
    queue.send("c");
    queue.advance(40); // a is visible again at 50, after b (0) and c (10)
    queue.send("d");
    expect(bodies(queue.receive("w2", { maxMessages: 10 }))).toEqual(["b", "c", "a", "d"]);
  });

  it("a delayed message joins the line when its delay ends", () => {
    const queue = new WorkQueue({ name: "jobs" });
    queue.send("later", { delayMs: 100 });
    queue.send("now");
    expect(queue.stats()).toMatchObject({ delayed: 1, visible: 1 });
    expect(bodies(queue.receive("w1", { maxMessages: 10 }))).toEqual(["now"]);
    queue.advance(99);
    expect(queue.receive("w1")).toEqual([]);
    queue.advance(1);
    expect(bodies(queue.receive("w1"))).toEqual(["later"]);
  });

  it("a zero visibility timeout hands the message out and makes it visible again at once", () => {
    const queue = new WorkQueue({ name: "jobs" });
    queue.send("a");
    expect(bodies(queue.receive("w1", { maxMessages: 10, visibilityTimeoutMs: 0 }))).toEqual(["a"]);
    expect(queue.receive("w2").map((m) => m.receiveCount)).toEqual([2]);
  });
});

describe("SQS dead-letter queues: maxReceives", () => {
  it("moves a message that became visible again after maxReceives receives to the dead letters", () => {
    const queue = new WorkQueue({ name: "jobs", visibilityTimeoutMs: 10, maxReceives: 3 });
    queue.send("poison");
    for (let i = 1; i <= 3; i++) {
      expect(queue.receive("w1").map((m) => m.receiveCount)).toEqual([i]);
      queue.advance(10);
    }
    expect(queue.receive("w1")).toEqual([]);
    expect(queue.deadLetters()).toEqual([
      {
        messageId: "m-1",
        body: "poison",
        groupId: null,
        receiveCount: 3,
        sentAtMs: 0,
        deadLetteredAtMs: 30,
        deadLetterMessageId: null,
      },
    ]);
    expect(queue.stats()).toMatchObject({ deadLettered: 1, deleted: 0, visible: 0, inFlight: 0 });
  });

  it("a nack on the last allowed receive dead-letters at once, and the old handle says so", () => {
    const queue = new WorkQueue({ name: "jobs", maxReceives: 1 });
    queue.send("poison");
    const [m] = queue.receive("w1");
    queue.nack(m!.receiptHandle);
    expect(queue.stats().deadLettered).toBe(1);
    expectRangeError(
      () => queue.ack(m!.receiptHandle),
      'ack: receipt handle "jobs:m-1:1" is for message m-1, which is no longer in queue "jobs": it was dead-lettered at 0 ms after 1 receive',
    );
  });

  it("sends dead letters to another WorkQueue, with a new id there", () => {
    const dlq = new WorkQueue({ name: "jobs-dlq" });
    dlq.send("already there");
    const queue = new WorkQueue({ name: "jobs", maxReceives: 1, deadLetterQueue: dlq });
    queue.send("poison");
    const [m] = queue.receive("w1");
    queue.nack(m!.receiptHandle);
    expect(queue.deadLetters()[0]?.deadLetterMessageId).toBe("m-2");
    expect(bodies(dlq.receive("inspector", { maxMessages: 10 }))).toEqual([
      "already there",
      "poison",
    ]);
  });

  it("a FIFO queue's dead letters keep their group in a FIFO dead-letter queue", () => {
    const dlq = new WorkQueue({ name: "orders-dlq", fifo: true });
    const queue = new WorkQueue({
      name: "orders",
      fifo: true,
      maxReceives: 1,
      deadLetterQueue: dlq,
    });
    queue.send("1", { groupId: "alice" });
    const [m] = queue.receive("w1");
    queue.nack(m!.receiptHandle);
    expect(dlq.receive("inspector").map((x) => [x.body, x.groupId])).toEqual([["1", "alice"]]);
  });

  it("a dead-letter queue needs maxReceives, the same mode and another name", () => {
    const standard = new WorkQueue({ name: "dlq" });
    expectRangeError(
      () => new WorkQueue({ name: "jobs", deadLetterQueue: standard }),
      "options.deadLetterQueue needs options.maxReceives: the number of receives after which a message moves there",
    );
    expectRangeError(
      () => new WorkQueue({ name: "jobs", fifo: true, maxReceives: 2, deadLetterQueue: standard }),
      `options.deadLetterQueue must be a FIFO queue like this one (SQS's rule), got "a standard queue"`,
    );
    expectRangeError(
      () => new WorkQueue({ name: "dlq", maxReceives: 2, deadLetterQueue: standard }),
      'options.deadLetterQueue must be a queue with a name other than "dlq", got "dlq"',
    );
  });
});

describe("SQS FIFO queues: message groups", () => {
  it("hands out one message per group at a time, in send order, while other groups proceed", () => {
    const queue = new WorkQueue({ name: "orders", fifo: true });
    queue.send("alice 1", { groupId: "alice" });
    queue.send("alice 2", { groupId: "alice" });
    queue.send("bob 1", { groupId: "bob" });
    queue.send("alice 3", { groupId: "alice" });
    const first = queue.receive("w1", { maxMessages: 10 });
    expect(bodies(first)).toEqual(["alice 1", "bob 1"]);
    expect(queue.receive("w2", { maxMessages: 10 })).toEqual([]);
    queue.ack(first[0]!.receiptHandle);
    expect(bodies(queue.receive("w2", { maxMessages: 10 }))).toEqual(["alice 2"]);
    expect(queue.stats()).toMatchObject({ visible: 1, inFlight: 2 });
  });

  it("redelivers a timed-out message before the next message of its group", () => {
    const queue = new WorkQueue({ name: "orders", fifo: true, visibilityTimeoutMs: 10 });
    queue.send("1", { groupId: "g" });
    queue.send("2", { groupId: "g" });
    queue.receive("crashes");
    queue.advance(10);
    const [again] = queue.receive("w2", { maxMessages: 10 });
    expect([again!.body, again!.receiveCount]).toEqual(["1", 2]);
  });

  it("a dead-lettered message lets the rest of its group through", () => {
    const queue = new WorkQueue({ name: "orders", fifo: true, maxReceives: 1 });
    queue.send("1", { groupId: "g" });
    queue.send("2", { groupId: "g" });
    const [m] = queue.receive("w1");
    queue.nack(m!.receiptHandle);
    expect(bodies(queue.receive("w1", { maxMessages: 10 }))).toEqual(["2"]);
    expect(queue.deadLetters().map((d) => [d.body, d.groupId])).toEqual([["1", "g"]]);
  });
});

describe("bad input names the value and what is allowed", () => {
  const queue = new WorkQueue({ name: "jobs" });
  const fifo = new WorkQueue({ name: "orders", fifo: true });

  it("maxMessages is an integer in [1, 10], SQS's limit", () => {
    const allowed =
      "options.maxMessages must be an integer in [1, 10] (SQS hands out at most 10 messages per receive)";
    expectRangeError(() => queue.receive("w", { maxMessages: 0 }), `${allowed}, got 0`);
    expectRangeError(() => queue.receive("w", { maxMessages: 11 }), `${allowed}, got 11`);
    expectRangeError(() => queue.receive("w", { maxMessages: 1.5 }), `${allowed}, got 1.5`);
  });

  it("visibility timeouts are integers in [0, 12 hours]", () => {
    const allowed = (name: string) =>
      `${name} must be an integer number of ms in [0, 43200000] (SQS's limit: 12 hours)`;
    expectRangeError(
      () => queue.receive("w", { visibilityTimeoutMs: -1 }),
      `${allowed("options.visibilityTimeoutMs")}, got -1`,
    );
    expectRangeError(
      () => new WorkQueue({ visibilityTimeoutMs: 43_200_001 }),
      `${allowed("options.visibilityTimeoutMs")}, got 43200001`,
    );
    queue.send("a");
    const [m] = queue.receive("w");
    expectRangeError(
      () => queue.changeVisibility(m!.receiptHandle, Number.NaN),
      `${allowed("timeoutMs")}, got NaN`,
    );
  });

  it("receipt handles must be this queue's, of a stored message, and of a receive that happened", () => {
    const q = new WorkQueue({ name: "jobs" });
    q.send("a");
    q.receive("w");
    expectRangeError(
      () => q.ack("nope"),
      'ack: receiptHandle must be a receipt handle that queue "jobs" issued in receive() ("jobs:m-<n>:<receive>"), got "nope"',
    );
    expectRangeError(
      () => q.ack("other:m-1:1"),
      'ack: receipt handle "other:m-1:1" belongs to queue "other", not "jobs"',
    );
    expectRangeError(
      () => q.nack("jobs:m-9:1"),
      'nack: receipt handle "jobs:m-9:1" is unknown: queue "jobs" never stored a message m-9',
    );
    expectRangeError(
      () => q.ack("jobs:m-1:2"),
      'ack: receipt handle "jobs:m-1:2" is unknown: message m-1 has been received 1 time',
    );
  });

  it("groupId is required on a FIFO queue and refused on a standard one; FIFO takes no delay", () => {
    expectRangeError(
      () => queue.send("x", { groupId: "g" }),
      'options.groupId is only for FIFO queues; queue "jobs" is a standard queue (create it with fifo: true), got "g"',
    );
    expectRangeError(
      () => fifo.send("x"),
      'options.groupId is required on FIFO queue "orders": each message belongs to a message group',
    );
    expectRangeError(
      () => fifo.send("x", { groupId: "g", delayMs: 5 }),
      'options.delayMs is not allowed on FIFO queue "orders": a delayed message would block its group (SQS FIFO has no per-message delay), got 5',
    );
  });

  it("delays, clock steps, names and options are checked", () => {
    expectRangeError(
      () => queue.send("x", { delayMs: 900_001 }),
      "options.delayMs must be an integer in [0, 900000], got 900001",
    );
    expectRangeError(() => queue.advance(-1), "ms must be a finite number >= 0, got -1");
    expectRangeError(
      () => new WorkQueue({ name: "bad name" }),
      `options.name must be 1 to 80 letters, digits, '-' or '_' (SQS's rule for queue names), got "bad name"`,
    );
    expectRangeError(
      () => queue.receive("w", { maxMesages: 2 } as never),
      'receive options has an unknown option "maxMesages"; known options: maxMessages, visibilityTimeoutMs',
    );
    expectRangeError(() => queue.receive(""), 'consumerId must be a non-empty string, got ""');
    expectRangeError(
      () => new WorkQueue({ maxReceives: 0 }),
      "options.maxReceives must be an integer in [1, 1000], got 0",
    );
  });
});

type Op =
  | { kind: "send"; group: number; delayMs: number }
  | { kind: "receive"; consumer: number; maxMessages: number; timeoutMs: number }
  | { kind: "ack"; pick: number }
  | { kind: "nack"; pick: number }
  | { kind: "changeVisibility"; pick: number; timeoutMs: number }
  | { kind: "advance"; ms: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant("send" as const),
    group: fc.integer({ min: 0, max: 2 }),
    delayMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 30 })),
  }),
  fc.record({
    kind: fc.constant("receive" as const),
    consumer: fc.integer({ min: 0, max: 2 }),
    maxMessages: fc.integer({ min: 1, max: 10 }),
    timeoutMs: fc.integer({ min: 0, max: 40 }),
  }),
  fc.record({ kind: fc.constant("ack" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("nack" as const), pick: fc.nat() }),
  fc.record({
    kind: fc.constant("changeVisibility" as const),
    pick: fc.nat(),
    timeoutMs: fc.integer({ min: 0, max: 40 }),
  }),
  fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 30 }) }),
);

interface ModelMessage {
  readonly group: string;
  readonly sentIndex: number;
  latestHandle: string | null;
  holder: string | null;
  inFlightUntilMs: number | null;
  acks: number;
}

/**
 * Runs random operations against a queue and a model of what SQS promises, checking each answer;
 * then drains the queue. Returns the model and the queue for the final checks.
 */
function runSchedule(fifo: boolean, maxReceives: number | undefined, ops: readonly Op[]) {
  const queue = new WorkQueue({
    name: "q",
    fifo,
    visibilityTimeoutMs: 20,
    ...(maxReceives === undefined ? {} : { maxReceives }),
  });
  const model = new Map<string, ModelMessage>();
  const handles: string[] = [];
  const dead = () => new Set(queue.deadLetters().map((d) => d.messageId));
  const finished = (id: string, m: ModelMessage) => m.acks > 0 || dead().has(id);
  const inFlight = (m: ModelMessage) =>
    m.inFlightUntilMs !== null && queue.now() < m.inFlightUntilMs;
  const idOf = (handle: string) => handle.split(":")[1] as string;

  const receive = (consumer: string, maxMessages: number, timeoutMs: number) => {
    // A message handed out with a zero timeout on its last allowed receive is dead-lettered
    // before receive returns: check what was finished before the call.
    const deadBefore = dead();
    const batch = queue.receive(consumer, { maxMessages, visibilityTimeoutMs: timeoutMs });
    for (const message of batch) {
      const m = model.get(message.messageId);
      expect(m, "a received message was sent").toBeDefined();
      if (m === undefined) continue;
      expect(m.acks, "no acked message comes back").toBe(0);
      expect(deadBefore.has(message.messageId), "no dead-lettered message comes back").toBe(false);
      expect(inFlight(m), `${message.messageId} was held by ${m.holder} when handed out`).toBe(
        false,
      );
      if (fifo) {
        for (const [otherId, other] of model) {
          if (other.group !== m.group || otherId === message.messageId) continue;
          expect(inFlight(other), "one in-flight message per group").toBe(false);
          if (other.sentIndex < m.sentIndex) {
            expect(finished(otherId, other), "a group is handed out in send order").toBe(true);
          }
        }
      }
      m.latestHandle = message.receiptHandle;
      m.holder = consumer;
      m.inFlightUntilMs = queue.now() + timeoutMs;
      handles.push(message.receiptHandle);
    }
    return batch;
  };

  for (const o of ops) {
    if (o.kind === "send") {
      const group = `g${o.group}`;
      const id = queue.send("body", fifo ? { groupId: group } : { delayMs: o.delayMs });
      model.set(id, {
        group,
        sentIndex: model.size,
        latestHandle: null,
        holder: null,
        inFlightUntilMs: null,
        acks: 0,
      });
    } else if (o.kind === "receive") {
      receive(`c${o.consumer}`, o.maxMessages, o.timeoutMs);
    } else if (o.kind === "advance") {
      queue.advance(o.ms);
    } else if (handles.length > 0) {
      const handle = handles[o.pick % handles.length] as string;
      const id = idOf(handle);
      const m = model.get(id) as ModelMessage;
      const current = !finished(id, m) && m.latestHandle === handle;
      const expected = o.kind === "ack" ? current : current && inFlight(m);
      let succeeded = true;
      try {
        if (o.kind === "ack") queue.ack(handle);
        else if (o.kind === "nack") queue.nack(handle);
        else queue.changeVisibility(handle, o.timeoutMs);
      } catch (error) {
        expect(error).toBeInstanceOf(RangeError);
        succeeded = false;
      }
      expect(succeeded, `${o.kind} of ${handle} at ${queue.now()} ms`).toBe(expected);
      if (succeeded && o.kind === "ack") m.acks += 1;
      const until =
        o.kind === "changeVisibility" && o.timeoutMs > 0 ? queue.now() + o.timeoutMs : null;
      if (succeeded) m.inFlightUntilMs = until;
    }
  }
  // Drain: a diligent consumer acks everything that is left.
  for (let round = 0; round < 10_000; round++) {
    const s = queue.stats();
    if (s.visible + s.inFlight + s.delayed === 0) break;
    const batch = receive("drainer", 10, 5);
    for (const message of batch) {
      queue.ack(message.receiptHandle);
      const m = model.get(message.messageId) as ModelMessage;
      m.acks += 1;
      m.inFlightUntilMs = null;
    }
    if (batch.length === 0) queue.advance(50);
  }
  return { queue, model };
}

describe("property: random schedules of sends, receives, acks, nacks and clock steps", () => {
  for (const fifo of [false, true]) {
    it(`${fifo ? "FIFO" : "standard"}: every message is eventually acked exactly once or dead-lettered, never both, never lost, never held by two consumers at once`, () => {
      assertProperty(
        fc.property(
          fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
          fc.array(op, { maxLength: 80 }),
          (maxReceives, ops) => {
            const { queue, model } = runSchedule(fifo, maxReceives, ops);
            const deadLetters = queue.deadLetters();
            const dead = new Set(deadLetters.map((d) => d.messageId));
            expect(dead.size).toBe(deadLetters.length);
            for (const [id, m] of model) {
              expect(m.acks + (dead.has(id) ? 1 : 0), `${id} acked or dead-lettered once`).toBe(1);
            }
            for (const d of deadLetters) expect(d.receiveCount).toBe(maxReceives);
            const s = queue.stats();
            expect(s.deleted + s.deadLettered).toBe(model.size);
            expect(s.sent).toBe(model.size);
            expect(s.visible + s.inFlight + s.delayed).toBe(0);
          },
        ),
      );
    });
  }
});

describe("runWorkQueueExperiment: the work queue's delivery guarantees under consumer crashes", () => {
  it("is a function of its seed", () => {
    expect(runWorkQueueExperiment(11, { messagesCount: 300 })).toEqual(
      runWorkQueueExperiment(11, { messagesCount: 300 }),
    );
  });

  it("acking after processing loses nothing and duplicates effects; acking before processing duplicates nothing and loses messages", () => {
    const atLeastOnce = runWorkQueueExperiment(1, { messagesCount: 1_000 });
    expect(atLeastOnce).toMatchObject({ sent: 1_000, lost: 0 });
    expect(atLeastOnce.duplicates).toBeGreaterThan(0);
    expect(atLeastOnce.redelivered).toBeGreaterThan(0);
    expect(atLeastOnce.deadLettered).toBeGreaterThan(0);
    expect(atLeastOnce.deleted + atLeastOnce.deadLettered).toBe(1_000);

    const idempotent = runWorkQueueExperiment(1, {
      messagesCount: 1_000,
      idempotentConsumer: true,
    });
    expect(idempotent).toMatchObject({ lost: 0, duplicates: 0 });
    expect(idempotent.redelivered).toBe(atLeastOnce.redelivered);

    const atMostOnce = runWorkQueueExperiment(1, {
      messagesCount: 1_000,
      ackMode: "before-processing",
    });
    expect(atMostOnce).toMatchObject({ duplicates: 0, deadLettered: 0 });
    expect(atMostOnce.lost).toBeGreaterThan(0);
  });

  it("for any seed and crash rate: after-processing loses nothing, an idempotent consumer duplicates nothing, and every message is deleted or dead-lettered", () => {
    assertProperty(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.boolean(),
        (seed, crashProbability, idempotentConsumer) => {
          const r = runWorkQueueExperiment(seed, {
            messagesCount: 60,
            consumersCount: 3,
            crashProbability,
            idempotentConsumer,
          });
          expect(r.lost).toBe(0);
          if (idempotentConsumer) expect(r.duplicates).toBe(0);
          expect(r.deleted + r.deadLettered).toBe(60);
          expect(r.processed).toBeLessThanOrEqual(60);
        },
      ),
      { numRuns: 50 },
    );
  });

  it("names bad options", () => {
    expectRangeError(
      () => runWorkQueueExperiment(1, { crashProbability: 1 }),
      "options.crashProbability must be a number in [0, 1) (at 1 no message is ever acked), got 1",
    );
    expectRangeError(
      () => runWorkQueueExperiment(1, { batchSize: 11 }),
      "options.batchSize must be an integer in [1, 10], got 11",
    );
  });
});
