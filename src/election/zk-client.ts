// A client of the ZooKeeper-style service: a session kept alive by heartbeats, callbacks on replies,
// one-shot watches, and a client-side session deadline (Hunt et al. 2010, §2.2 and §4.4 sessions).

import { assert } from "../sim/assert.js";
import type { Envelope, FiredTimer, NodeContext, NodeId, Process } from "../sim/types.js";
import {
  type ZkMessage,
  type ZkOperation,
  type ZkResult,
  type ZkSessionEvent,
  zkValidatePath,
} from "./zk-server.js";

/** How a {@link ZkClient} is set up. */
export interface ZkClientOptions {
  /** The service's node id. */
  readonly server: NodeId;
  /** The session timeout the server applies; the client gives its session up at the same bound. */
  readonly sessionTimeoutMs: number;
  /** A ping every this many ms of the client's clock (ZooKeeper: a third of the timeout). */
  readonly heartbeatMs: number;
  /**
   * The "break it" switch: false drops the client-side deadline, so the client keeps its session
   * until the server says it expired, which a partitioned client never hears. Default true.
   */
  readonly clientDeadline?: boolean;
}

/** Flags of {@link ZkClient.create}. */
export interface ZkCreateFlags {
  /** Deleted when the creating session ends. */
  readonly ephemeral?: boolean;
  /** The name gets a 10-digit counter, unique among its siblings, appended. */
  readonly sequential?: boolean;
}

interface PendingRequest {
  readonly seq: number;
  readonly operation: ZkOperation;
  readonly callback: (result: ZkResult) => void;
  sentMs: number;
}

/**
 * A session with the service, as a simulator process. Calls take a callback run when the reply
 * arrives; a session that is lost drops its callbacks and the client connects again with a new
 * session (what ZooKeeper applications must do after SessionExpired). Subclasses react through
 * {@link onConnected}, {@link onSessionLost} and {@link onWatch}.
 *
 * Session deadline: the client measures its session from the send time of the last acknowledged
 * ping, so with clocks that run at the same rate it gives the session up no later than the server
 * expires it (the server measures from a later receive time). A client whose clock runs slow keeps
 * believing past the server's expiry: the bound needs a bound on drift.
 *
 * @example
 * class Lister extends ZkClient {
 *   protected override onConnected(): void {
 *     this.getChildren("/", (result) => this.ctx.log(String(result.children)));
 *   }
 * }
 */
export class ZkClient implements Process<ZkMessage> {
  protected readonly options: ZkClientOptions;
  private context: NodeContext<ZkMessage> | undefined;
  /** 0 while connecting. invariant: sessionId !== 0 implies deadlineMs > 0. */
  private sessionId = 0;
  private connectId = 0;
  /** Client clock at which the session must be considered lost. */
  private deadlineMs = 0;
  private nextRequestSeq = 1;
  /** Requests awaiting their reply, in sequence order. */
  private pending: PendingRequest[] = [];
  /** Highest event sequence number handled in this session. */
  private eventsThrough = 0;

  constructor(options: ZkClientOptions) {
    this.options = options;
  }

  /** The node context, set at start. */
  protected get ctx(): NodeContext<ZkMessage> {
    assert(this.context !== undefined, "a client acts only after it started");
    return this.context;
  }

  /** The current session id, or 0 while there is none. */
  get session(): number {
    return this.sessionId;
  }

  /** True while the client holds a session it has not given up by the client clock `nowMs`. */
  sessionAlive(nowMs: number): boolean {
    if (this.sessionId === 0) return false;
    return this.options.clientDeadline === false || nowMs < this.deadlineMs;
  }

  onStart(ctx: NodeContext<ZkMessage>): void {
    this.context = ctx;
    this.connect();
    ctx.setTimer(this.options.heartbeatMs, "heartbeat");
  }

  onTimer(ctx: NodeContext<ZkMessage>, timer: FiredTimer): void {
    if (timer.name === "heartbeat") {
      this.heartbeat();
      ctx.setTimer(this.options.heartbeatMs, "heartbeat");
      return;
    }
    assert(timer.name === "deadline", "a client sets heartbeat and deadline timers only");
    if (timer.data !== this.sessionId) return; // a timer of an earlier session
    if (this.options.clientDeadline === false) return;
    if (ctx.now() >= this.deadlineMs) this.sessionLost(true);
    else ctx.setTimer(this.deadlineMs - ctx.now(), "deadline", this.sessionId);
  }

  onMessage(ctx: NodeContext<ZkMessage>, message: Envelope<ZkMessage>): void {
    switch (message.type) {
      case "zkConnected":
        if (this.sessionId !== 0 || message.connectId !== this.connectId) {
          // An answer to an earlier attempt: close that session rather than let it linger.
          ctx.send(this.options.server, { type: "zkClose", sessionId: message.sessionId });
          return;
        }
        if (ctx.now() >= message.sentMs + this.options.sessionTimeoutMs) {
          // Too late (a long pause): the session may be gone already; start over.
          ctx.send(this.options.server, { type: "zkClose", sessionId: message.sessionId });
          this.connect();
          return;
        }
        this.sessionId = message.sessionId;
        this.deadlineMs = message.sentMs + this.options.sessionTimeoutMs;
        this.nextRequestSeq = 1;
        this.eventsThrough = 0;
        this.pending = [];
        ctx.setTimer(this.deadlineMs - ctx.now(), "deadline", this.sessionId);
        this.onConnected();
        return;
      case "zkPong":
        if (message.sessionId !== this.sessionId || this.sessionId === 0) return;
        if (message.expired) {
          this.sessionLost(false);
          return;
        }
        this.deadlineMs = Math.max(this.deadlineMs, message.sentMs + this.options.sessionTimeoutMs);
        return;
      case "zkEvent":
        if (message.sessionId !== this.sessionId || this.sessionId === 0) return;
        if (message.seq !== this.eventsThrough + 1) return; // a resend or a gap: go-back-N
        this.eventsThrough++;
        this.handleEvent(message.event);
        return;
      case "zkConnect":
      case "zkPing":
      case "zkRequest":
      case "zkClose":
        return; // client-to-server messages; a client never receives them
    }
  }

  /**
   * Creates a znode; the reply's `path` is the name given (with its counter when sequential).
   * Throws on a malformed path or without a session.
   */
  create(path: string, flags: ZkCreateFlags, callback: (result: ZkResult) => void): void {
    zkValidatePath(path);
    if (path === "/") throw new RangeError('path must not be "/" for create, got "/"');
    this.request(
      {
        op: "create",
        path,
        ephemeral: flags.ephemeral === true,
        sequential: flags.sequential === true,
      },
      callback,
    );
  }

  /** Deletes a znode that has no children. */
  delete(path: string, callback: (result: ZkResult) => void): void {
    zkValidatePath(path);
    if (path === "/") throw new RangeError('path must not be "/" for delete, got "/"');
    this.request({ op: "delete", path }, callback);
  }

  /** Lists a znode's children, sorted by name. */
  getChildren(path: string, callback: (result: ZkResult) => void): void {
    this.request({ op: "getChildren", path: zkValidatePath(path) }, callback);
  }

  /** Tells whether a znode exists; with `watch`, {@link onWatch} runs once at its next change. */
  exists(path: string, watch: boolean, callback: (result: ZkResult) => void): void {
    this.request({ op: "exists", path: zkValidatePath(path), watch }, callback);
  }

  /** Runs when a new session is established (at start and after every lost session). */
  protected onConnected(): void {}

  /** Runs when the session is lost: by the client's deadline or because the server ended it. */
  protected onSessionLost(): void {}

  /** Runs once per fired watch. */
  protected onWatch(_path: string, _change: "created" | "deleted"): void {}

  private request(operation: ZkOperation, callback: (result: ZkResult) => void): void {
    if (this.sessionId === 0) {
      throw new Error(
        `${operation.op}(${JSON.stringify(operation.path)}) needs a session: call it from ` +
          "onConnected or later, not while the client is connecting",
      );
    }
    const seq = this.nextRequestSeq++;
    this.pending.push({ seq, operation, callback, sentMs: this.ctx.now() });
    this.sendRequest(seq, operation);
  }

  private sendRequest(seq: number, operation: ZkOperation): void {
    this.ctx.send(this.options.server, {
      type: "zkRequest",
      sessionId: this.sessionId,
      seq,
      operation,
    });
  }

  private connect(): void {
    this.connectId++;
    this.ctx.send(this.options.server, {
      type: "zkConnect",
      connectId: this.connectId,
      sentMs: this.ctx.now(),
    });
  }

  private heartbeat(): void {
    if (this.sessionId === 0) {
      this.connect();
      return;
    }
    const nowMs = this.ctx.now();
    this.ctx.send(this.options.server, {
      type: "zkPing",
      sessionId: this.sessionId,
      sentMs: nowMs,
      eventsThrough: this.eventsThrough,
    });
    for (const pending of this.pending) {
      if (nowMs - pending.sentMs < this.options.heartbeatMs) continue;
      pending.sentMs = nowMs;
      this.sendRequest(pending.seq, pending.operation);
    }
  }

  private handleEvent(event: ZkSessionEvent): void {
    if (event.kind === "watch") {
      this.onWatch(event.path, event.change);
      return;
    }
    const pending = this.pending.shift();
    assert(pending !== undefined, "a reply answers a pending request");
    assert(pending.seq === event.requestSeq, "replies come in request order");
    pending.callback(event.result);
  }

  /** Gives the session up (telling the server when it is the client that timed out) and reconnects. */
  private sessionLost(tellServer: boolean): void {
    if (tellServer) {
      this.ctx.send(this.options.server, { type: "zkClose", sessionId: this.sessionId });
    }
    this.ctx.log(`session ${this.sessionId} lost`);
    this.sessionId = 0;
    this.deadlineMs = 0;
    this.pending = [];
    this.onSessionLost();
    this.connect();
  }
}
