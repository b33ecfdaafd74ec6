// Small processes the simulator tests are built from: a recorder that keeps what it receives,
// and a sender that emits a scripted list of messages at start.

import type { Envelope, FiredTimer, NodeContext, NodeId, Process } from "../../src/index.js";

export type TestMessage = { type: "msg"; seq: number } | { type: "reply"; seq: number };

/** Keeps every delivered message and fired timer, in order, with the node's clock at the time. */
export class Recorder implements Process<TestMessage> {
  readonly received: Envelope<TestMessage>[] = [];
  readonly receivedAtMs: number[] = [];
  readonly timers: FiredTimer[] = [];

  onMessage(ctx: NodeContext<TestMessage>, message: Envelope<TestMessage>): void {
    this.received.push(message);
    this.receivedAtMs.push(ctx.now());
  }

  onTimer(_ctx: NodeContext<TestMessage>, timer: FiredTimer): void {
    this.timers.push(timer);
  }
}

/** Sends `count` numbered messages to `to` when it starts. */
export function burstSender(to: NodeId, count: number): () => Process<TestMessage> {
  return () => ({
    onStart(ctx) {
      for (let seq = 0; seq < count; seq++) ctx.send(to, { type: "msg", seq });
    },
    onMessage() {},
  });
}
