// A small ZooKeeper-style coordination service as one simulator node: a tree of znodes, sessions
// kept alive by heartbeats, ephemeral and sequential znodes, one-shot watches (Hunt et al. 2010, §2).

import { assert, invalidArgument } from "../sim/assert.js";
import type { Envelope, FiredTimer, NodeContext, NodeId, Process } from "../sim/types.js";

/** What a client asks of the service, inside a {@link ZkMessage} "zkRequest". */
export type ZkOperation =
  | {
      readonly op: "create";
      readonly path: string;
      readonly ephemeral: boolean;
      readonly sequential: boolean;
    }
  | { readonly op: "delete"; readonly path: string }
  | { readonly op: "getChildren"; readonly path: string }
  | { readonly op: "exists"; readonly path: string; readonly watch: boolean };

/**
 * The service's answer to one {@link ZkOperation}: `error` is set when it failed; otherwise `path`
 * (create, delete), `children` (getChildren, sorted) or `exists` (exists) carries the result.
 */
export interface ZkResult {
  readonly error?: ZkErrorCode;
  readonly path?: string;
  readonly children?: readonly string[];
  readonly exists?: boolean;
}

/** Error codes, named after ZooKeeper's KeeperException codes. */
export type ZkErrorCode = "noNode" | "nodeExists" | "notEmpty" | "noChildrenForEphemerals";

/** What the server pushes to a session, in order: a reply to a request or a watch notification. */
export type ZkSessionEvent =
  | { readonly kind: "reply"; readonly requestSeq: number; readonly result: ZkResult }
  | { readonly kind: "watch"; readonly path: string; readonly change: "created" | "deleted" };

/**
 * The wire protocol. A session is a reliable, ordered channel built on an unreliable network:
 * requests and events carry sequence numbers and are resent until acknowledged (go-back-N), which
 * is what ZooKeeper gets from TCP plus watch re-registration on reconnect.
 */
export type ZkMessage =
  | { readonly type: "zkConnect"; readonly connectId: number; readonly sentMs: number }
  | {
      readonly type: "zkConnected";
      readonly connectId: number;
      readonly sessionId: number;
      readonly sentMs: number;
    }
  | {
      readonly type: "zkPing";
      readonly sessionId: number;
      readonly sentMs: number;
      /** Highest event sequence number the client has handled. */
      readonly eventsThrough: number;
    }
  | {
      readonly type: "zkPong";
      readonly sessionId: number;
      readonly sentMs: number;
      /** True when the server no longer knows the session: it expired or was closed. */
      readonly expired: boolean;
    }
  | {
      readonly type: "zkRequest";
      readonly sessionId: number;
      readonly seq: number;
      readonly operation: ZkOperation;
    }
  | {
      readonly type: "zkEvent";
      readonly sessionId: number;
      readonly seq: number;
      readonly event: ZkSessionEvent;
    }
  | { readonly type: "zkClose"; readonly sessionId: number };

/** Width of the counter ZooKeeper appends to a sequential znode's name. */
const SEQUENCE_DIGITS = 10;

/**
 * Checks a znode path: absolute, no empty segment, no trailing slash (except the root "/").
 *
 * @example
 * zkValidatePath("/election/n_"); // "/election/n_"
 * zkValidatePath("election"); // throws: path must be an absolute znode path ...
 */
export function zkValidatePath(path: unknown): string {
  const allowed =
    'an absolute znode path ("/" or "/a/b": starts with "/", no empty segment, no trailing "/")';
  if (typeof path !== "string" || !path.startsWith("/")) {
    throw invalidArgument("path", allowed, path);
  }
  if (path !== "/" && path.split("/").slice(1).includes("")) {
    throw invalidArgument("path", allowed, path);
  }
  return path;
}

/** The parent of a valid path other than "/". */
function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash === 0 ? "/" : path.slice(0, slash);
}

/** The last segment of a valid path other than "/". */
function nameOf(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** How a {@link ZkServer} is set up. */
export interface ZkServerOptions {
  /** A session with no message for this long (server clock) expires. */
  readonly sessionTimeoutMs: number;
  /** How often the server looks for expired sessions; expiry may come up to this much late. */
  readonly expiryCheckMs: number;
  /** Unacknowledged events are resent on a ping once they are this old. */
  readonly resendAfterMs: number;
  /** Called for every operation the server executes (for message accounting). */
  readonly onOperation?: (operation: ZkOperation) => void;
  /** Called when a session expires or is closed, after its ephemeral znodes are deleted. */
  readonly onSessionEnd?: (sessionId: number, reason: "expired" | "closed") => void;
}

interface Znode {
  /** Session that owns this ephemeral znode; 0 for a persistent one. */
  readonly ephemeralOwner: number;
  readonly children: Set<string>;
  /** Next counter for sequential children; invariant: only grows. */
  nextSequence: number;
}

interface Session {
  readonly client: NodeId;
  /** Server clock when the session was last heard from. */
  lastHeardMs: number;
  /** Next request sequence number it will execute (go-back-N: others are ignored). */
  nextRequestSeq: number;
  nextEventSeq: number;
  /** Events not yet acknowledged, in sequence order, with the server time they were last sent. */
  readonly outbox: { seq: number; event: ZkSessionEvent; sentMs: number }[];
  readonly ephemerals: Set<string>;
}

/**
 * The coordination service, one node: linearizable because one node orders every operation.
 * Real ZooKeeper replicates this state machine over an ensemble with Zab (§4); the election recipe
 * only needs the ordering and the session semantics, which one node keeps exactly.
 */
export class ZkServer implements Process<ZkMessage> {
  private readonly options: ZkServerOptions;
  private readonly znodes = new Map<string, Znode>([
    ["/", { ephemeralOwner: 0, children: new Set(), nextSequence: 0 }],
  ]);
  private readonly sessions = new Map<number, Session>();
  /** One-shot exists-watches: path -> sessions to notify on its next create or delete. */
  private readonly watches = new Map<string, Set<number>>();
  private nextSessionId = 1;

  constructor(options: ZkServerOptions) {
    this.options = options;
  }

  onStart(ctx: NodeContext<ZkMessage>): void {
    ctx.setTimer(this.options.expiryCheckMs, "expiryCheck");
  }

  onTimer(ctx: NodeContext<ZkMessage>, timer: FiredTimer): void {
    assert(timer.name === "expiryCheck", "the server sets only expiry-check timers");
    for (const [sessionId, session] of [...this.sessions]) {
      if (ctx.now() - session.lastHeardMs >= this.options.sessionTimeoutMs) {
        this.endSession(ctx, sessionId, "expired");
      }
    }
    ctx.setTimer(this.options.expiryCheckMs, "expiryCheck");
  }

  onMessage(ctx: NodeContext<ZkMessage>, message: Envelope<ZkMessage>): void {
    switch (message.type) {
      case "zkConnect": {
        const sessionId = this.nextSessionId++;
        this.sessions.set(sessionId, {
          client: message.from,
          lastHeardMs: ctx.now(),
          nextRequestSeq: 1,
          nextEventSeq: 1,
          outbox: [],
          ephemerals: new Set(),
        });
        ctx.send(message.from, {
          type: "zkConnected",
          connectId: message.connectId,
          sessionId,
          sentMs: message.sentMs,
        });
        return;
      }
      case "zkPing": {
        const session = this.sessions.get(message.sessionId);
        ctx.send(message.from, {
          type: "zkPong",
          sessionId: message.sessionId,
          sentMs: message.sentMs,
          expired: session === undefined,
        });
        if (session === undefined) return;
        session.lastHeardMs = ctx.now();
        while (session.outbox.length > 0 && session.outbox[0]!.seq <= message.eventsThrough) {
          session.outbox.shift();
        }
        for (const pending of session.outbox) {
          if (ctx.now() - pending.sentMs < this.options.resendAfterMs) continue;
          pending.sentMs = ctx.now();
          this.sendEvent(ctx, message.sessionId, session, pending.seq, pending.event);
        }
        return;
      }
      case "zkRequest": {
        const session = this.sessions.get(message.sessionId);
        if (session === undefined) return; // the client learns of the expiry from its next pong
        session.lastHeardMs = ctx.now();
        if (message.seq !== session.nextRequestSeq) return; // a resend or a gap: go-back-N
        session.nextRequestSeq++;
        this.options.onOperation?.(message.operation);
        const result = this.execute(ctx, message.sessionId, message.operation);
        this.push(ctx, message.sessionId, { kind: "reply", requestSeq: message.seq, result });
        return;
      }
      case "zkClose":
        if (this.sessions.has(message.sessionId)) {
          this.endSession(ctx, message.sessionId, "closed");
        }
        return;
      case "zkConnected":
      case "zkPong":
      case "zkEvent":
        return; // server-to-client messages; a server never receives them
    }
  }

  /** Paths of the children of `path` (names only, sorted), or undefined if it does not exist. */
  children(path: string): string[] | undefined {
    const znode = this.znodes.get(path);
    return znode === undefined ? undefined : [...znode.children].sort();
  }

  /** True while `path` exists. */
  has(path: string): boolean {
    return this.znodes.has(path);
  }

  /** Number of live sessions. */
  get sessionsCount(): number {
    return this.sessions.size;
  }

  private execute(ctx: NodeContext<ZkMessage>, sessionId: number, op: ZkOperation): ZkResult {
    switch (op.op) {
      case "create": {
        const parentPath = parentOf(op.path);
        const parent = this.znodes.get(parentPath);
        if (parent === undefined) return { error: "noNode" };
        if (parent.ephemeralOwner !== 0) return { error: "noChildrenForEphemerals" };
        let path = op.path;
        if (op.sequential) {
          path += String(parent.nextSequence).padStart(SEQUENCE_DIGITS, "0");
          parent.nextSequence++;
        }
        if (this.znodes.has(path)) return { error: "nodeExists" };
        const owner = op.ephemeral ? sessionId : 0;
        this.znodes.set(path, { ephemeralOwner: owner, children: new Set(), nextSequence: 0 });
        parent.children.add(nameOf(path));
        if (op.ephemeral) this.sessions.get(sessionId)!.ephemerals.add(path);
        this.fireWatches(ctx, path, "created");
        return { path };
      }
      case "delete": {
        const znode = this.znodes.get(op.path);
        if (znode === undefined || op.path === "/") return { error: "noNode" };
        if (znode.children.size > 0) return { error: "notEmpty" };
        this.remove(ctx, op.path);
        return { path: op.path };
      }
      case "getChildren": {
        const children = this.children(op.path);
        if (children === undefined) return { error: "noNode" };
        return { children };
      }
      case "exists": {
        if (op.watch) {
          const watchers = this.watches.get(op.path) ?? new Set<number>();
          watchers.add(sessionId);
          this.watches.set(op.path, watchers);
        }
        return { exists: this.znodes.has(op.path) };
      }
    }
  }

  private remove(ctx: NodeContext<ZkMessage>, path: string): void {
    const znode = this.znodes.get(path);
    assert(znode !== undefined, "only an existing znode is removed");
    assert(znode.children.size === 0, "only a leaf znode is removed");
    this.znodes.delete(path);
    this.znodes.get(parentOf(path))?.children.delete(nameOf(path));
    if (znode.ephemeralOwner !== 0) {
      this.sessions.get(znode.ephemeralOwner)?.ephemerals.delete(path);
    }
    this.fireWatches(ctx, path, "deleted");
  }

  /** Watches are one-shot: firing removes them. */
  private fireWatches(
    ctx: NodeContext<ZkMessage>,
    path: string,
    change: "created" | "deleted",
  ): void {
    const watchers = this.watches.get(path);
    if (watchers === undefined) return;
    this.watches.delete(path);
    for (const sessionId of [...watchers].sort((a, b) => a - b)) {
      if (this.sessions.has(sessionId)) this.push(ctx, sessionId, { kind: "watch", path, change });
    }
  }

  private endSession(
    ctx: NodeContext<ZkMessage>,
    sessionId: number,
    reason: "expired" | "closed",
  ): void {
    const session = this.sessions.get(sessionId);
    assert(session !== undefined, "only a live session ends");
    this.sessions.delete(sessionId);
    for (const watchers of this.watches.values()) watchers.delete(sessionId);
    for (const path of [...session.ephemerals].sort()) this.remove(ctx, path);
    ctx.log(`session ${sessionId} of ${session.client} ${reason}`);
    this.options.onSessionEnd?.(sessionId, reason);
  }

  private push(ctx: NodeContext<ZkMessage>, sessionId: number, event: ZkSessionEvent): void {
    const session = this.sessions.get(sessionId);
    assert(session !== undefined, "events go to live sessions only");
    const seq = session.nextEventSeq++;
    session.outbox.push({ seq, event, sentMs: ctx.now() });
    this.sendEvent(ctx, sessionId, session, seq, event);
  }

  private sendEvent(
    ctx: NodeContext<ZkMessage>,
    sessionId: number,
    session: Session,
    seq: number,
    event: ZkSessionEvent,
  ): void {
    ctx.send(session.client, { type: "zkEvent", sessionId, seq, event });
  }
}

/**
 * A short label for a service message in sequence diagrams: the operation or the event rather
 * than the envelope type.
 *
 * @example
 * toMermaidSequence(election.sim.trace, { label: zkMessageLabel });
 * // "c0->>zk: create /election/n_ ephemeral sequential", "zk->>c1: watch: deleted /election/n_..."
 */
export function zkMessageLabel(message: { readonly type: string }): string {
  const zk = message as ZkMessage;
  switch (zk.type) {
    case "zkRequest": {
      const op = zk.operation;
      if (op.op === "create") {
        const flags = `${op.ephemeral ? " ephemeral" : ""}${op.sequential ? " sequential" : ""}`;
        return `create ${op.path}${flags}`;
      }
      if (op.op === "exists") return `exists ${op.path}${op.watch ? " +watch" : ""}`;
      return `${op.op} ${op.path}`;
    }
    case "zkEvent": {
      const event = zk.event;
      if (event.kind === "watch") return `watch: ${event.change} ${event.path}`;
      const result = event.result;
      if (result.error !== undefined) return `error ${result.error}`;
      if (result.children !== undefined) return `[${result.children.join(", ")}]`;
      if (result.exists !== undefined) return `exists: ${result.exists}`;
      return `ok ${result.path ?? ""}`;
    }
    case "zkConnected":
      return `session ${zk.sessionId}`;
    case "zkPong":
      return zk.expired ? "pong (expired)" : "pong";
    case "zkConnect":
    case "zkPing":
    case "zkClose":
      return zk.type.slice(2).toLowerCase();
    default:
      return message.type;
  }
}
