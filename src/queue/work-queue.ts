// A work queue beside the log: competing consumers, acknowledgements, a visibility timeout with
// redelivery, a dead-letter queue and no replay (Amazon SQS Developer Guide: "Visibility timeout",
// "Dead-letter queues", "FIFO queues: message groups"; AMQP 0-9-1 basic.ack / basic.nack).

import {
  assert,
  describeValue,
  integerOption,
  invalidArgument,
  requireKnownOptions,
  requireNumberAtLeast,
  requireProbability,
} from "../sim/assert.js";
import { EventQueue } from "../sim/event-queue.js";
import { Random } from "../sim/random.js";

/** SQS's default visibility timeout: 30 seconds. */
const VISIBILITY_TIMEOUT_MS_DEFAULT = 30_000;
/** SQS's longest visibility timeout: 12 hours. */
const VISIBILITY_TIMEOUT_MS_MAX = 43_200_000;
/** SQS's longest per-message delay: 15 minutes. */
const DELAY_MS_MAX = 900_000;
/** SQS hands out at most 10 messages per ReceiveMessage call. */
const RECEIVE_MESSAGES_MAX = 10;
/** SQS's redrive policy accepts a maxReceiveCount in [1, 1000]. */
const MAX_RECEIVES_MAX = 1000;
/** Messages stored at once (visible, in flight or delayed): a bound, so a runaway producer fails. */
const LIVE_MESSAGES_MAX = 10_000_000;
/** SQS queue names: letters, digits, hyphens and underscores, 1 to 80 characters. */
const QUEUE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;
const RECEIPT_HANDLE_PATTERN = /^([A-Za-z0-9_-]{1,80}):m-([1-9][0-9]*):([1-9][0-9]*)$/;

/** How a work queue behaves. */
export interface WorkQueueOptions {
  /** Letters, digits, `-` and `_`, 1 to 80 characters (SQS's rule). Default `"work-queue"`. */
  readonly name?: string;
  /**
   * FIFO mode (SQS FIFO): every message names a group; within a group messages are handed out in
   * send order, one in flight at a time. Default false (a standard queue).
   */
  readonly fifo?: boolean;
  /** How long a received message stays hidden when `receive` names no timeout. Default 30,000. */
  readonly visibilityTimeoutMs?: number;
  /**
   * After this many receives without an ack, a message that becomes visible again is moved to
   * the dead-letter queue instead (SQS's maxReceiveCount, an integer in [1, 1000]). Default: never.
   */
  readonly maxReceives?: number;
  /**
   * Where dead-lettered messages go (with a new message id there). Needs `maxReceives`, the same
   * `fifo` mode and a different name. Without it they stay in {@link WorkQueue.deadLetters}.
   */
  readonly deadLetterQueue?: WorkQueue;
}

/** Options of {@link WorkQueue.send}. */
export interface WorkQueueSendOptions {
  /** Hide the message for this long after the send (standard queues; SQS's DelaySeconds). */
  readonly delayMs?: number;
  /** The message group (required on a FIFO queue, refused on a standard one). */
  readonly groupId?: string;
}

/** Options of {@link WorkQueue.receive}. */
export interface WorkQueueReceiveOptions {
  /** At most this many messages, an integer in [1, 10] (SQS's limit). Default 1. */
  readonly maxMessages?: number;
  /** Hide the received messages for this long. Default: the queue's `visibilityTimeoutMs`. */
  readonly visibilityTimeoutMs?: number;
}

/** A message as `receive` hands it out: a snapshot taken at the receive. */
export interface WorkQueueMessage {
  readonly messageId: string;
  readonly body: string;
  readonly groupId: string | null;
  /** The key to `ack`, `nack` or `changeVisibility` this delivery; a later delivery gets a new one. */
  readonly receiptHandle: string;
  /** 1 on the first delivery; more than 1 means a redelivery (process idempotently). */
  readonly receiveCount: number;
  readonly sentAtMs: number;
  /** The message becomes visible again at this time unless acked, nacked or extended first. */
  readonly invisibleUntilMs: number;
}

/** A message this queue gave up on after `maxReceives` receives. */
export interface WorkQueueDeadLetter {
  readonly messageId: string;
  readonly body: string;
  readonly groupId: string | null;
  readonly receiveCount: number;
  readonly sentAtMs: number;
  readonly deadLetteredAtMs: number;
  /** Its id in the `deadLetterQueue`, or null when the queue has none. */
  readonly deadLetterMessageId: string | null;
}

/** Counts of a work queue, at its current time. */
export interface WorkQueueStats {
  /** Stored and ready to hand out (in FIFO mode, including messages waiting behind their group). */
  readonly visible: number;
  /** Handed to a consumer and hidden until acked, nacked or timed out. */
  readonly inFlight: number;
  /** Sent with a delay that has not passed yet. */
  readonly delayed: number;
  readonly deadLettered: number;
  readonly sent: number;
  /** Acked: deleted for good. */
  readonly deleted: number;
  /** Deliveries, first ones and redeliveries. */
  readonly received: number;
  /** Deliveries of a message that had been delivered before. */
  readonly redeliveries: number;
}

type MessageState = "delayed" | "visible" | "inFlight" | "deleted" | "deadLettered";

interface StoredMessage {
  readonly seq: number;
  readonly messageId: string;
  readonly body: string;
  readonly groupId: string | null;
  readonly sentAtMs: number;
  state: MessageState;
  receiveCount: number;
  // invariant: consumerId !== null exactly when state === "inFlight"
  consumerId: string | null;
  /** Delayed: when it becomes visible. In flight: when its visibility timeout expires. */
  invisibleUntilMs: number;
  /** Bumped on every state change, so queued references to an older state are recognised. */
  generation: number;
}

/** A message that becomes visible at `timeMs` (delay over, or visibility timeout expired). */
interface TimedEntry {
  readonly timeMs: number;
  readonly seq: number;
  readonly message: StoredMessage;
  readonly generation: number;
}

/** A message in the line of messages ready to hand out. */
interface LineEntry {
  readonly message: StoredMessage;
  readonly generation: number;
}

/** A FIFO line with O(1) amortised push and shift. */
class Line<T> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head] as T;
    this.head += 1;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

function requireQueueName(value: unknown): string {
  if (typeof value !== "string" || !QUEUE_NAME_PATTERN.test(value)) {
    throw invalidArgument(
      "options.name",
      "1 to 80 letters, digits, '-' or '_' (SQS's rule for queue names)",
      value,
    );
  }
  return value;
}

function requireVisibilityTimeout(name: string, value: unknown): number {
  if (
    typeof value !== "number" ||
    !Number.isInteger(value) ||
    value < 0 ||
    value > VISIBILITY_TIMEOUT_MS_MAX
  ) {
    throw invalidArgument(
      name,
      `an integer number of ms in [0, ${VISIBILITY_TIMEOUT_MS_MAX}] (SQS's limit: 12 hours)`,
      value,
    );
  }
  return value;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function requireNonEmptyString(name: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0) {
    throw invalidArgument(name, "a non-empty string", value);
  }
  return value;
}

/**
 * An in-memory work queue in the style of Amazon SQS and RabbitMQ, with its own virtual clock
 * (ms, starting at 0, moved only by {@link WorkQueue.advance}).
 *
 * - Competing consumers: `receive` hides each message it hands out for the visibility timeout, so
 *   a message is in flight at one consumer at a time.
 * - `ack` deletes it for good (no replay: there is no offset to seek back to). A consumer that
 *   does not ack in time (it crashed, or is slow) loses the message: it becomes visible again and
 *   is redelivered with a higher `receiveCount`, so processing must be idempotent.
 * - After `maxReceives` receives, a message that becomes visible again goes to the dead-letter
 *   queue instead.
 *
 * Order of `receive`: one line of ready messages, first in, first out. A message joins the back
 * of the line when it becomes visible: at its send (or when its delay ends), when a `nack` or
 * `changeVisibility(handle, 0)` returns it, or when its visibility timeout expires (messages
 * due at the same instant join in the order they were scheduled). So a redelivered message comes
 * after every message that was already waiting: a standard queue does not keep send order under
 * redelivery, and competing consumers finish in any order anyway.
 * In FIFO mode only the oldest stored message of each group is in the line, and only while no
 * message of its group is in flight: within a group, messages are delivered one at a time, in
 * send order, and a redelivery comes before the next message of the group.
 *
 * @example
 * const jobs = new WorkQueue({ name: "jobs", maxReceives: 3 });
 * jobs.send("resize photo 1");
 * const [message] = jobs.receive("worker-1", { maxMessages: 1 });
 * jobs.ack(message!.receiptHandle);  // gone for good
 * jobs.stats().deleted;              // 1
 */
export class WorkQueue {
  /** The queue's name, part of every receipt handle it issues. */
  readonly name: string;
  readonly fifo: boolean;
  readonly visibilityTimeoutMs: number;
  /** null: messages are redelivered forever. */
  readonly maxReceives: number | null;
  readonly deadLetterQueue: WorkQueue | null;

  private clockMs = 0;
  private seqNext = 1;
  private timedSeqNext = 0;
  private readonly live = new Map<number, StoredMessage>();
  private readonly timed = new EventQueue<TimedEntry>();
  private readonly line = new Line<LineEntry>();
  /** FIFO mode: each group's stored messages in send order (the head is the only one handed out). */
  private readonly groups = new Map<string, Line<StoredMessage>>();
  private readonly deadLettered: WorkQueueDeadLetter[] = [];
  private readonly deadLetteredBySeq = new Map<number, WorkQueueDeadLetter>();
  // invariant: visibleCount + inFlightCount + delayedCount === live.size
  private visibleCount = 0;
  private inFlightCount = 0;
  private delayedCount = 0;
  // invariant: sentCount === live.size + deletedCount + deadLettered.length
  private sentCount = 0;
  private deletedCount = 0;
  private receivedCount = 0;
  private redeliveryCount = 0;

  constructor(options?: WorkQueueOptions) {
    const o = requireKnownOptions("work queue options", options, [
      "name",
      "fifo",
      "visibilityTimeoutMs",
      "maxReceives",
      "deadLetterQueue",
    ]);
    this.name = o.name === undefined ? "work-queue" : requireQueueName(o.name);
    if (o.fifo !== undefined && typeof o.fifo !== "boolean") {
      throw invalidArgument("options.fifo", "a boolean", o.fifo);
    }
    this.fifo = o.fifo === true;
    this.visibilityTimeoutMs =
      o.visibilityTimeoutMs === undefined
        ? VISIBILITY_TIMEOUT_MS_DEFAULT
        : requireVisibilityTimeout("options.visibilityTimeoutMs", o.visibilityTimeoutMs);
    this.maxReceives =
      o.maxReceives === undefined
        ? null
        : integerOption("options.maxReceives", o.maxReceives, 1, 1, MAX_RECEIVES_MAX);
    this.deadLetterQueue = this.checkedDeadLetterQueue(o.deadLetterQueue);
  }

  private checkedDeadLetterQueue(value: unknown): WorkQueue | null {
    if (value === undefined) return null;
    if (!(value instanceof WorkQueue)) {
      throw invalidArgument("options.deadLetterQueue", "a WorkQueue", value);
    }
    if (this.maxReceives === null) {
      throw new RangeError(
        "options.deadLetterQueue needs options.maxReceives: the number of receives after which a message moves there",
      );
    }
    if (value.fifo !== this.fifo) {
      throw invalidArgument(
        "options.deadLetterQueue",
        `a ${this.fifo ? "FIFO" : "standard"} queue like this one (SQS's rule)`,
        `a ${value.fifo ? "FIFO" : "standard"} queue`,
      );
    }
    if (value.name === this.name) {
      throw invalidArgument(
        "options.deadLetterQueue",
        `a queue with a name other than ${describeValue(this.name)}`,
        value.name,
      );
    }
    return value;
  }

  /** The queue's clock in ms. */
  now(): number {
    return this.clockMs;
  }

  /**
   * Moves the clock forward by `ms`. Delays that end and visibility timeouts that expire on the
   * way take effect at their own instant, in time order: messages become visible again or, after
   * `maxReceives` receives, move to the dead-letter queue.
   */
  advance(ms: number): void {
    requireNumberAtLeast("ms", ms, 0);
    const targetMs = this.clockMs + ms;
    for (;;) {
      const next = this.timed.peek();
      if (next === undefined || next.timeMs > targetMs) break;
      this.timed.pop();
      if (next.generation !== next.message.generation) continue;
      this.clockMs = next.timeMs;
      this.becomeVisible(next.message);
    }
    this.clockMs = targetMs;
    this.checkCounts();
  }

  /**
   * Stores a message and returns its id (`"m-1"`, `"m-2"`, ... in send order).
   *
   * @example
   * orders.send("order 7 paid", { groupId: "customer-42" }); // on a FIFO queue
   */
  send(body: string, options?: WorkQueueSendOptions): string {
    if (typeof body !== "string") throw invalidArgument("body", "a string", body);
    const o = requireKnownOptions("send options", options, ["delayMs", "groupId"]);
    let groupId: string | null = null;
    if (this.fifo) {
      if (o.groupId === undefined) {
        throw new RangeError(
          `options.groupId is required on FIFO queue ${describeValue(this.name)}: each message belongs to a message group`,
        );
      }
      groupId = requireNonEmptyString("options.groupId", o.groupId);
      if (o.delayMs !== undefined) {
        throw new RangeError(
          `options.delayMs is not allowed on FIFO queue ${describeValue(this.name)}: a delayed message would block its group (SQS FIFO has no per-message delay), got ${describeValue(o.delayMs)}`,
        );
      }
    } else if (o.groupId !== undefined) {
      throw new RangeError(
        `options.groupId is only for FIFO queues; queue ${describeValue(this.name)} is a standard queue (create it with fifo: true), got ${describeValue(o.groupId)}`,
      );
    }
    const delayMs = integerOption("options.delayMs", o.delayMs, 0, 0, DELAY_MS_MAX);
    if (this.live.size >= LIVE_MESSAGES_MAX) {
      throw new RangeError(
        `queue ${describeValue(this.name)} is full: it stores ${LIVE_MESSAGES_MAX} messages, the most it allows`,
      );
    }
    const seq = this.seqNext++;
    const message: StoredMessage = {
      seq,
      messageId: `m-${seq}`,
      body,
      groupId,
      sentAtMs: this.clockMs,
      state: "delayed",
      receiveCount: 0,
      consumerId: null,
      invisibleUntilMs: this.clockMs + delayMs,
      generation: 0,
    };
    this.live.set(seq, message);
    this.sentCount += 1;
    this.delayedCount += 1;
    if (groupId !== null) {
      let group = this.groups.get(groupId);
      if (group === undefined) {
        group = new Line<StoredMessage>();
        this.groups.set(groupId, group);
      }
      group.push(message);
    }
    if (delayMs === 0) this.becomeVisible(message);
    else this.schedule(message);
    this.checkCounts();
    return message.messageId;
  }

  /**
   * Hands `consumerId` up to `maxMessages` visible messages (fewer, or none, when fewer are
   * ready) and hides each for the visibility timeout. Nothing waits: an empty answer is normal.
   * With a zero timeout the messages are visible again as soon as the call returns (and one on
   * its `maxReceives`-th receive is already dead-lettered then).
   *
   * @example
   * const batch = jobs.receive("worker-1", { maxMessages: 10, visibilityTimeoutMs: 60_000 });
   */
  receive(consumerId: string, options?: WorkQueueReceiveOptions): WorkQueueMessage[] {
    requireNonEmptyString("consumerId", consumerId);
    const o = requireKnownOptions("receive options", options, [
      "maxMessages",
      "visibilityTimeoutMs",
    ]);
    const maxMessages = o.maxMessages === undefined ? 1 : o.maxMessages;
    if (
      typeof maxMessages !== "number" ||
      !Number.isInteger(maxMessages) ||
      maxMessages < 1 ||
      maxMessages > RECEIVE_MESSAGES_MAX
    ) {
      throw invalidArgument(
        "options.maxMessages",
        `an integer in [1, ${RECEIVE_MESSAGES_MAX}] (SQS hands out at most ${RECEIVE_MESSAGES_MAX} messages per receive)`,
        maxMessages,
      );
    }
    const timeoutMs =
      o.visibilityTimeoutMs === undefined
        ? this.visibilityTimeoutMs
        : requireVisibilityTimeout("options.visibilityTimeoutMs", o.visibilityTimeoutMs);
    const out: WorkQueueMessage[] = [];
    while (out.length < maxMessages) {
      const entry = this.line.shift();
      if (entry === undefined) break;
      const message = entry.message;
      // A message acked after its timeout expired leaves its entry behind: skip it.
      if (message.state !== "visible") continue;
      assert(
        entry.generation === message.generation,
        "a visible message has one entry in the line",
      );
      out.push(this.deliver(message, consumerId, timeoutMs));
    }
    // A zero timeout makes the messages visible again at once (they are not handed out twice
    // in one answer: they join the line after this receive).
    if (timeoutMs === 0) this.advance(0);
    this.checkCounts();
    return out;
  }

  /**
   * Deletes the message for good. Refused (RangeError) for a handle that is not this queue's, a
   * message already deleted or dead-lettered, or a stale handle: the message became visible
   * again and was received since, so it is another consumer's now. An ack with the latest handle
   * after the timeout expired but before anyone received the message again is accepted (as SQS).
   */
  ack(receiptHandle: string): void {
    const message = this.messageOf("ack", receiptHandle);
    assert(
      message.state === "inFlight" || message.state === "visible",
      "only a received message is acked",
    );
    this.leaveState(message);
    message.state = "deleted";
    message.consumerId = null;
    message.generation += 1;
    this.deletedCount += 1;
    this.forget(message);
    this.checkCounts();
  }

  /**
   * Gives the message back: visible at once, at the back of the line (or dead-lettered, when this
   * was its `maxReceives`-th receive). The message must be in flight under this handle.
   */
  nack(receiptHandle: string): void {
    const message = this.inFlightMessageOf("nack", receiptHandle);
    this.becomeVisible(message);
    this.checkCounts();
  }

  /**
   * Sets the message's visibility timeout to `timeoutMs` from now (extend it while a long job
   * runs; 0 is a {@link WorkQueue.nack}). The message must be in flight under this handle.
   */
  changeVisibility(receiptHandle: string, timeoutMs: number): void {
    const message = this.inFlightMessageOf("changeVisibility", receiptHandle);
    requireVisibilityTimeout("timeoutMs", timeoutMs);
    if (timeoutMs === 0) {
      this.becomeVisible(message);
    } else {
      message.invisibleUntilMs = this.clockMs + timeoutMs;
      message.generation += 1;
      this.schedule(message);
    }
    this.checkCounts();
  }

  /** The messages this queue dead-lettered, oldest first. */
  deadLetters(): readonly WorkQueueDeadLetter[] {
    return this.deadLettered.slice();
  }

  /** Counts at the current time. */
  stats(): WorkQueueStats {
    return {
      visible: this.visibleCount,
      inFlight: this.inFlightCount,
      delayed: this.delayedCount,
      deadLettered: this.deadLettered.length,
      sent: this.sentCount,
      deleted: this.deletedCount,
      received: this.receivedCount,
      redeliveries: this.redeliveryCount,
    };
  }

  private deliver(message: StoredMessage, consumerId: string, timeoutMs: number): WorkQueueMessage {
    assert(message.state === "visible", "only a visible message is handed out");
    assert(message.consumerId === null, "a visible message has no consumer");
    if (message.groupId !== null) {
      const head = this.groups.get(message.groupId)?.peek();
      assert(head === message, "a FIFO queue hands out only the oldest message of a group");
    }
    this.visibleCount -= 1;
    this.inFlightCount += 1;
    message.state = "inFlight";
    message.consumerId = consumerId;
    message.receiveCount += 1;
    message.invisibleUntilMs = this.clockMs + timeoutMs;
    message.generation += 1;
    this.receivedCount += 1;
    if (message.receiveCount > 1) this.redeliveryCount += 1;
    if (this.maxReceives !== null) {
      assert(
        message.receiveCount <= this.maxReceives,
        "no message is received more than maxReceives times",
      );
    }
    this.schedule(message);
    return {
      messageId: message.messageId,
      body: message.body,
      groupId: message.groupId,
      receiptHandle: `${this.name}:${message.messageId}:${message.receiveCount}`,
      receiveCount: message.receiveCount,
      sentAtMs: message.sentAtMs,
      invisibleUntilMs: message.invisibleUntilMs,
    };
  }

  private schedule(message: StoredMessage): void {
    this.timed.push({
      timeMs: message.invisibleUntilMs,
      seq: this.timedSeqNext++,
      message,
      generation: message.generation,
    });
  }

  /** A delay ended, a timeout expired or a nack: visible again, or dead-lettered if spent. */
  private becomeVisible(message: StoredMessage): void {
    assert(
      message.state === "delayed" || message.state === "inFlight",
      "only a hidden message becomes visible",
    );
    this.leaveState(message);
    message.consumerId = null;
    message.generation += 1;
    if (this.maxReceives !== null && message.receiveCount >= this.maxReceives) {
      this.deadLetter(message);
      return;
    }
    message.state = "visible";
    message.invisibleUntilMs = this.clockMs;
    this.visibleCount += 1;
    if (this.isHeadOfGroup(message)) this.line.push({ message, generation: message.generation });
  }

  private isHeadOfGroup(message: StoredMessage): boolean {
    if (message.groupId === null) return true;
    return this.groups.get(message.groupId)?.peek() === message;
  }

  private deadLetter(message: StoredMessage): void {
    message.state = "deadLettered";
    const deadLetterMessageId =
      this.deadLetterQueue === null
        ? null
        : this.deadLetterQueue.send(
            message.body,
            message.groupId === null ? undefined : { groupId: message.groupId },
          );
    const record: WorkQueueDeadLetter = Object.freeze({
      messageId: message.messageId,
      body: message.body,
      groupId: message.groupId,
      receiveCount: message.receiveCount,
      sentAtMs: message.sentAtMs,
      deadLetteredAtMs: this.clockMs,
      deadLetterMessageId,
    });
    this.deadLettered.push(record);
    this.deadLetteredBySeq.set(message.seq, record);
    this.forget(message);
  }

  private leaveState(message: StoredMessage): void {
    if (message.state === "visible") this.visibleCount -= 1;
    else if (message.state === "inFlight") this.inFlightCount -= 1;
    else if (message.state === "delayed") this.delayedCount -= 1;
    else assert(false, `a ${message.state} message is no longer stored`);
  }

  /** Drops a deleted or dead-lettered message; in FIFO mode its group's next message is ready. */
  private forget(message: StoredMessage): void {
    assert(
      message.state === "deleted" || message.state === "deadLettered",
      "only a finished message is forgotten",
    );
    this.live.delete(message.seq);
    if (message.groupId === null) return;
    const group = this.groups.get(message.groupId);
    assert(group !== undefined, "a FIFO message's group is stored while the message is");
    assert(group.shift() === message, "a FIFO group finishes its messages in send order");
    const next = group.peek();
    if (next === undefined) {
      this.groups.delete(message.groupId);
      return;
    }
    assert(next.state === "visible", "a message behind its group's head waits visible");
    this.line.push({ message: next, generation: next.generation });
  }

  /** The live message a receipt handle names, with the handle's receive being its latest. */
  private messageOf(operation: string, receiptHandle: unknown): StoredMessage {
    const match =
      typeof receiptHandle === "string" ? RECEIPT_HANDLE_PATTERN.exec(receiptHandle) : null;
    if (match === null) {
      throw new RangeError(
        `${operation}: receiptHandle must be a receipt handle that queue ${describeValue(this.name)} issued in receive() ("${this.name}:m-<n>:<receive>"), got ${describeValue(receiptHandle)}`,
      );
    }
    const handle = receiptHandle as string;
    const [, queueName, seqText, countText] = match;
    if (queueName !== this.name) {
      throw new RangeError(
        `${operation}: receipt handle ${describeValue(handle)} belongs to queue ${describeValue(queueName)}, not ${describeValue(this.name)}`,
      );
    }
    const seq = Number(seqText);
    const count = Number(countText);
    const messageId = `m-${seq}`;
    const message = this.live.get(seq);
    if (message === undefined) {
      if (seq >= this.seqNext) {
        throw new RangeError(
          `${operation}: receipt handle ${describeValue(handle)} is unknown: queue ${describeValue(this.name)} never stored a message ${messageId}`,
        );
      }
      const dead = this.deadLetteredBySeq.get(seq);
      const fate =
        dead === undefined
          ? "it was deleted (acked) already"
          : `it was dead-lettered at ${dead.deadLetteredAtMs} ms after ${plural(dead.receiveCount, "receive")}`;
      throw new RangeError(
        `${operation}: receipt handle ${describeValue(handle)} is for message ${messageId}, which is no longer in queue ${describeValue(this.name)}: ${fate}`,
      );
    }
    if (count > message.receiveCount) {
      throw new RangeError(
        `${operation}: receipt handle ${describeValue(handle)} is unknown: message ${messageId} has been received ${plural(message.receiveCount, "time")}`,
      );
    }
    if (count < message.receiveCount) {
      throw new RangeError(
        `${operation}: receipt handle ${describeValue(handle)} is stale: message ${messageId} became visible again and was received since (receive ${message.receiveCount} is current), so it belongs to that consumer now`,
      );
    }
    return message;
  }

  private inFlightMessageOf(operation: string, receiptHandle: unknown): StoredMessage {
    const message = this.messageOf(operation, receiptHandle);
    if (message.state !== "inFlight") {
      throw new RangeError(
        `${operation}: message ${message.messageId} is not in flight: its visibility timeout expired at ${message.invisibleUntilMs} ms and it is visible again (only ack still accepts this handle)`,
      );
    }
    return message;
  }

  private checkCounts(): void {
    assert(
      this.visibleCount + this.inFlightCount + this.delayedCount === this.live.size,
      "every stored message is visible, in flight or delayed",
    );
    assert(
      this.sentCount === this.live.size + this.deletedCount + this.deadLettered.length,
      "every sent message is stored, deleted or dead-lettered: none is lost",
    );
  }
}

/** Options of {@link runWorkQueueExperiment}. */
export interface WorkQueueExperimentOptions {
  /** Messages sent at time 0. Default 1,000. */
  readonly messagesCount?: number;
  /** Competing consumers; each receives once per virtual second. Default 4. */
  readonly consumersCount?: number;
  /** maxMessages of every receive, in [1, 10]. Default 10. */
  readonly batchSize?: number;
  /** Probability that a consumer crashes while handling a message. Default 0.02. */
  readonly crashProbability?: number;
  /** Probability that a message is poison: its processing always fails (nack). Default 0.01. */
  readonly poisonProbability?: number;
  /** Default 5. */
  readonly maxReceives?: number;
  /** Default 30,000 (SQS's default). */
  readonly visibilityTimeoutMs?: number;
  /** How long a crashed consumer stays down. Default 5,000. */
  readonly restartMs?: number;
  /**
   * "after-processing" (default): process, then ack; a crash in between causes a redelivery
   * (at least once). "before-processing": ack, then process; a crash in between loses the
   * message (at most once).
   */
  readonly ackMode?: "after-processing" | "before-processing";
  /** The consumers skip a message id whose effect is already applied. Default false. */
  readonly idempotentConsumer?: boolean;
}

/** What {@link runWorkQueueExperiment} counted. */
export interface WorkQueueExperimentResult {
  readonly seed: number;
  readonly ackMode: "after-processing" | "before-processing";
  readonly idempotentConsumer: boolean;
  readonly sent: number;
  /** Messages whose effect was applied at least once. */
  readonly processed: number;
  /** Messages acked (deleted from the queue). */
  readonly deleted: number;
  /** Deliveries of a message that had been delivered before. */
  readonly redelivered: number;
  /** Effects applied beyond the first per message. */
  readonly duplicates: number;
  readonly deadLettered: number;
  /** Messages neither processed nor dead-lettered. */
  readonly lost: number;
  readonly crashes: number;
  /** Virtual time until the queue was empty. */
  readonly timeMs: number;
}

const EXPERIMENT_MESSAGES_MAX = 1_000_000;
const EXPERIMENT_CONSUMERS_MAX = 1_000;
const EXPERIMENT_POLL_MS = 1_000;
const EXPERIMENT_TIME_MS_MAX = 1_000_000_000;

/**
 * Runs a seeded workload on a {@link WorkQueue}: `messagesCount` messages sent at time 0, then
 * `consumersCount` consumers each receiving a batch every virtual second until the queue is
 * empty. A consumer crashes while handling a message with `crashProbability` (half of the crashes
 * before the effect, half after it and before the ack, in "after-processing" mode); the rest of
 * its batch times out, and it comes back after `restartMs`. Poison messages are nacked until they
 * are dead-lettered. The counts sit beside the log's delivery-guarantee table: acking after
 * processing loses nothing and duplicates effects, unless the consumer is idempotent; acking
 * before processing duplicates nothing and loses messages.
 *
 * @example
 * const r = runWorkQueueExperiment(7, { messagesCount: 500 });
 * r.lost;       // 0
 * r.duplicates; // > 0: redelivered after a crash that followed the effect
 */
export function runWorkQueueExperiment(
  seed: number,
  options?: WorkQueueExperimentOptions,
): WorkQueueExperimentResult {
  const random = new Random(seed);
  const o = requireKnownOptions("experiment options", options, [
    "messagesCount",
    "consumersCount",
    "batchSize",
    "crashProbability",
    "poisonProbability",
    "maxReceives",
    "visibilityTimeoutMs",
    "restartMs",
    "ackMode",
    "idempotentConsumer",
  ]);
  const messagesCount = integerOption(
    "options.messagesCount",
    o.messagesCount,
    1000,
    1,
    EXPERIMENT_MESSAGES_MAX,
  );
  const consumersCount = integerOption(
    "options.consumersCount",
    o.consumersCount,
    4,
    1,
    EXPERIMENT_CONSUMERS_MAX,
  );
  const batchSize = integerOption("options.batchSize", o.batchSize, 10, 1, RECEIVE_MESSAGES_MAX);
  const crashProbability =
    o.crashProbability === undefined
      ? 0.02
      : requireProbability("options.crashProbability", o.crashProbability);
  if (crashProbability === 1) {
    throw invalidArgument(
      "options.crashProbability",
      "a number in [0, 1) (at 1 no message is ever acked)",
      1,
    );
  }
  const poisonProbability =
    o.poisonProbability === undefined
      ? 0.01
      : requireProbability("options.poisonProbability", o.poisonProbability);
  const maxReceives = integerOption("options.maxReceives", o.maxReceives, 5, 1, MAX_RECEIVES_MAX);
  const visibilityTimeoutMs =
    o.visibilityTimeoutMs === undefined
      ? VISIBILITY_TIMEOUT_MS_DEFAULT
      : requireVisibilityTimeout("options.visibilityTimeoutMs", o.visibilityTimeoutMs);
  const restartMs = integerOption(
    "options.restartMs",
    o.restartMs,
    5_000,
    0,
    VISIBILITY_TIMEOUT_MS_MAX,
  );
  const ackMode = o.ackMode === undefined ? "after-processing" : o.ackMode;
  if (ackMode !== "after-processing" && ackMode !== "before-processing") {
    throw invalidArgument("options.ackMode", '"after-processing" or "before-processing"', ackMode);
  }
  if (o.idempotentConsumer !== undefined && typeof o.idempotentConsumer !== "boolean") {
    throw invalidArgument("options.idempotentConsumer", "a boolean", o.idempotentConsumer);
  }
  const idempotentConsumer = o.idempotentConsumer === true;

  const queue = new WorkQueue({ name: "experiment", visibilityTimeoutMs, maxReceives });
  const poison = new Set<string>();
  for (let i = 0; i < messagesCount; i++) {
    const id = queue.send(`job ${i + 1}`);
    if (random.chance(poisonProbability)) poison.add(id);
  }
  /** Effects applied per message id: the consumers' output, e.g. rows written. */
  const effects = new Map<string, number>();
  const downUntilMs = new Array<number>(consumersCount).fill(0);
  let crashes = 0;

  const applyEffect = (messageId: string): void => {
    const applied = effects.get(messageId) ?? 0;
    // An idempotent consumer records the id atomically with the effect and skips a repeat.
    if (idempotentConsumer && applied > 0) return;
    effects.set(messageId, applied + 1);
  };

  /** Handles one message; false when the consumer crashed doing it. */
  const handle = (message: WorkQueueMessage): boolean => {
    const isPoison = poison.has(message.messageId);
    const crash = random.chance(crashProbability);
    const crashAfterEffect = crash && random.chance(0.5);
    if (ackMode === "before-processing") queue.ack(message.receiptHandle);
    if (crash && !crashAfterEffect) return false;
    if (isPoison) {
      if (crash) return false;
      if (ackMode === "after-processing") queue.nack(message.receiptHandle);
      return true;
    }
    applyEffect(message.messageId);
    if (crash) return false;
    if (ackMode === "after-processing") queue.ack(message.receiptHandle);
    return true;
  };

  const drained = (): boolean => {
    const s = queue.stats();
    return s.visible + s.inFlight + s.delayed === 0;
  };
  while (!drained()) {
    if (queue.now() > EXPERIMENT_TIME_MS_MAX) {
      throw new RangeError(
        `the experiment did not drain its queue within ${EXPERIMENT_TIME_MS_MAX} virtual ms (seed ${seed})`,
      );
    }
    for (const consumer of random.shuffle(Array.from({ length: consumersCount }, (_, i) => i))) {
      if ((downUntilMs[consumer] as number) > queue.now()) continue;
      for (const message of queue.receive(`consumer-${consumer + 1}`, { maxMessages: batchSize })) {
        // The batch dies with its consumer: the rest of it comes back after the timeout.
        if ((downUntilMs[consumer] as number) > queue.now()) break;
        if (!handle(message)) {
          crashes += 1;
          // Down for at least 1 ms, so the rest of this batch is abandoned even if restartMs is 0.
          downUntilMs[consumer] = queue.now() + Math.max(restartMs, 1);
        }
      }
    }
    queue.advance(EXPERIMENT_POLL_MS);
  }

  const stats = queue.stats();
  const deadIds = new Set(queue.deadLetters().map((d) => d.messageId));
  let lost = 0;
  let duplicates = 0;
  for (let seq = 1; seq <= messagesCount; seq++) {
    const applied = effects.get(`m-${seq}`) ?? 0;
    if (applied > 1) duplicates += applied - 1;
    if (applied === 0 && !deadIds.has(`m-${seq}`)) lost += 1;
  }
  assert(
    stats.deleted + stats.deadLettered === messagesCount,
    "every message ends deleted or dead-lettered",
  );
  if (ackMode === "after-processing")
    assert(lost === 0, "acking after processing loses no message");
  if (idempotentConsumer)
    assert(duplicates === 0, "an idempotent consumer applies no effect twice");
  return {
    seed,
    ackMode,
    idempotentConsumer,
    sent: stats.sent,
    processed: effects.size,
    deleted: stats.deleted,
    redelivered: stats.redeliveries,
    duplicates,
    deadLettered: stats.deadLettered,
    lost,
    crashes,
    timeMs: queue.now(),
  };
}
