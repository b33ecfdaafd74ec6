// A replicated key-value store on Raft with exactly-once commands: Ongaro's thesis (2014) §6.3
// (client sessions: client id and sequence number) and §6.4 (reads through ReadIndex and leases).

import { assert, describeValue, invalidArgument } from "../../sim/assert.js";
import type { Envelope, FiredTimer, NodeContext, NodeId, Process } from "../../sim/types.js";
import type { KvInput } from "../../consistency/linearizability/models.js";
import { RaftServer, type RaftServerOptions } from "./server.js";
import type { RaftLogEntry, RaftMessage, RaftReadResult, RaftSnapshot } from "./types.js";

/**
 * How a server answers a get (§6.4):
 * - `"log"`: the get is a log entry like a write, answered once applied (simple, one log write
 *   per read);
 * - `"readIndex"`: the leader notes its commitIndex, confirms it is still leader with a round of
 *   heartbeats, waits until it applied that index, then reads its state machine;
 * - `"lease"`: the leader reads its state machine at once while its lease holds, which is safe
 *   only if clocks drift less than the bound the lease assumes.
 */
export type RaftKvReadPath = "log" | "readIndex" | "lease";

/** Every read path, in order of cost per read: one log entry, one heartbeat round, nothing. */
export const RAFT_KV_READ_PATHS: readonly RaftKvReadPath[] = ["log", "readIndex", "lease"];
const READ_PATHS = RAFT_KV_READ_PATHS;

/** A client's request to a server: one operation, named by (clientId, seq). */
export interface RaftKvRequest {
  readonly type: "KvRequest";
  readonly clientId: number;
  /** The client's sequence number: 1, 2, ... one per operation, the same on every retry. */
  readonly seq: number;
  readonly input: KvInput;
}

/**
 * A server's answer. `"ok"`: the operation took effect (a get's `value` is what it read; a missing
 * key reads as `""`). `"wrongLeader"`: this server cannot serve it now; the client tries another.
 */
export interface RaftKvReply {
  readonly type: "KvReply";
  readonly clientId: number;
  readonly seq: number;
  readonly status: "ok" | "wrongLeader";
  readonly value?: string;
  /** With "wrongLeader": the leader this server last heard from in its term, if any. */
  readonly leaderHint?: NodeId;
}

/** The messages between key-value clients and servers. */
export type RaftKvMessage = RaftKvRequest | RaftKvReply;

/** What a key-value server puts in the Raft log: the client's operation, with its session ids. */
export interface RaftKvCommand {
  readonly type: "KvCommand";
  readonly clientId: number;
  readonly seq: number;
  readonly input: KvInput;
}

/** A client's session (§6.3): its last operation applied and that operation's answer. */
interface Session {
  readonly seq: number;
  /** What a get read (undefined for a put or an append). */
  readonly value: string | undefined;
}

/** Where an answer goes: the client node and the operation's session ids. */
interface Requester {
  readonly client: NodeId;
  readonly clientId: number;
  readonly seq: number;
}

/** A request this leader put in its log, waiting for the entry at its index to be applied. */
interface PendingRequest extends Requester {
  /** The leader's term at `start`: once it is not leader in that term, the fate is unknown. */
  readonly term: number;
}

/** Options of a {@link RaftKvServer}: those of its Raft server, plus the store's own. */
export interface RaftKvServerOptions extends RaftServerOptions {
  /** How gets are answered (see {@link RaftKvReadPath}); "lease" needs `leaseReads`. */
  readonly reads: RaftKvReadPath;
  /**
   * The "break it" switch. true: a command whose (clientId, seq) was already applied is answered
   * from the session table and not applied again. false: every retry that reaches the log is
   * applied again, so an append retried after a lost reply lands twice.
   */
  readonly deduplicate: boolean;
  /**
   * Called when a command changes (or, for a get, reads) this server's state machine at `index`:
   * not for a duplicate answered from the session table, and again for every command replayed
   * from a snapshot (same index), so counting distinct indices per (clientId, seq) counts effects.
   */
  readonly onEffect?: (server: NodeId, index: number, command: RaftKvCommand) => void;
}

/** Raft's own timers are forwarded to it; the store's would start with this prefix. */
const KV_TIMER_PREFIX = "kv.";

/** True for a command of this store (log entries also hold no-ops and configuration entries). */
function isRaftKvCommand(command: unknown): command is RaftKvCommand {
  return (
    typeof command === "object" &&
    command !== null &&
    (command as { type?: unknown }).type === "KvCommand"
  );
}

/**
 * A key-value server: a {@link RaftServer} plus the state machine it drives, a map of strings
 * with get, put and append, and a session table (clientId -> last seq applied and its answer)
 * that makes each command take effect once however often a client retries it (thesis §6.3).
 *
 * A write (and a get with reads "log") goes through `start`; the reply is sent when the entry
 * at that index is applied, if it is this request's command. Another command there means
 * leadership was lost: the answer is "wrongLeader" and the client retries elsewhere, with the
 * same seq, so the session table catches it if the first attempt took effect after all.
 *
 * The session table is part of the state machine: a snapshot's commands replayed in order
 * rebuild it exactly, so a server restarted from a snapshot deduplicates as the others do.
 *
 * @example
 * sim.addNode("s0", () => new RaftKvServer({ ...raftOptions, reads: "readIndex", deduplicate: true }));
 */
export class RaftKvServer implements Process<RaftMessage | RaftKvMessage> {
  /** The Raft server this store runs on. */
  readonly raft: RaftServer;
  /** The store's data; a missing key reads as "". */
  readonly data = new Map<string, string>();
  /** clientId -> the client's last command applied; invariant: its seq only grows. */
  readonly sessions = new Map<number, Session>();
  /**
   * Commands met in the log again (a retry that was appended twice) and not applied again; a
   * snapshot's replay counts its duplicates again.
   */
  duplicatesSkipped = 0;
  /** Log index -> the request waiting for it (on a leader only). */
  private readonly pending = new Map<number, PendingRequest>();
  private context: NodeContext<RaftMessage | RaftKvMessage> | undefined;
  /** The leader this server last heard from (AppendEntries or InstallSnapshot), and when. */
  private leaderHint:
    { readonly term: number; readonly leader: NodeId; readonly heardAtMs: number } | undefined;

  constructor(private readonly options: RaftKvServerOptions) {
    const { reads, deduplicate, onEffect, onApply, onSnapshot, ...raftOptions } = options;
    if (!READ_PATHS.includes(reads)) {
      throw invalidArgument("reads", `one of ${READ_PATHS.map((r) => `"${r}"`).join(", ")}`, reads);
    }
    if (reads === "lease" && raftOptions.leaseReads === undefined) {
      throw invalidArgument("leaseReads", 'set when reads is "lease"', raftOptions.leaseReads);
    }
    if (typeof deduplicate !== "boolean") {
      throw invalidArgument("deduplicate", "true or false", deduplicate);
    }
    if (onEffect !== undefined && typeof onEffect !== "function") {
      throw invalidArgument("onEffect", "a function or undefined", onEffect);
    }
    this.raft = new RaftServer({
      ...raftOptions,
      onApply: (server, index, entry, currentTerm) => {
        this.applyEntry(index, entry);
        onApply?.(server, index, entry, currentTerm);
      },
      onSnapshot: (server, snapshot) => {
        this.resetFromSnapshot(snapshot);
        onSnapshot?.(server, snapshot);
      },
    });
  }

  onStart(ctx: NodeContext<RaftMessage | RaftKvMessage>): void {
    this.context = ctx;
    this.raft.onStart(ctx);
  }

  onMessage(
    ctx: NodeContext<RaftMessage | RaftKvMessage>,
    message: Envelope<RaftMessage | RaftKvMessage>,
  ): void {
    this.context = ctx;
    if (message.type === "KvReply") return; // servers never ask, so this is misdirected
    if (message.type === "KvRequest") this.handleRequest(ctx, message);
    else {
      this.raft.onMessage(ctx, message);
      // Remember who leads this term, to point clients there (the paper's leaderId, §5.1).
      if (
        (message.type === "AppendEntries" || message.type === "InstallSnapshot") &&
        message.term === this.raft.currentTerm
      ) {
        this.leaderHint = { term: message.term, leader: message.leaderId, heardAtMs: ctx.now() };
      }
    }
    this.failPendingIfDeposed(ctx);
  }

  onTimer(ctx: NodeContext<RaftMessage | RaftKvMessage>, timer: FiredTimer): void {
    this.context = ctx;
    assert(!timer.name.startsWith(KV_TIMER_PREFIX), "the key-value server sets no timer");
    this.raft.onTimer(ctx, timer);
    this.failPendingIfDeposed(ctx);
  }

  /** What a get reads here now (no linearizability: use a client for that). */
  read(key: string): string {
    return this.data.get(key) ?? "";
  }

  private handleRequest(
    ctx: NodeContext<RaftMessage | RaftKvMessage>,
    request: Envelope<RaftKvRequest>,
  ): void {
    const { clientId, seq, input } = request;
    const requester: Requester = { client: request.from, clientId, seq };
    const reply = (status: RaftKvReply["status"], value?: string): void => {
      this.answer(ctx, requester, status, value);
    };
    if (this.raft.role !== "leader") return reply("wrongLeader");
    if (input.op === "get" && this.options.reads !== "log") {
      return this.readOutsideLog(ctx, input.key, reply);
    }
    const session = this.sessions.get(clientId);
    if (this.options.deduplicate && session !== undefined) {
      // A retry of the command applied last is answered from the session table at once; an
      // older seq is a late copy of a request whose client has moved on.
      if (seq === session.seq) return reply("ok", session.value);
      if (seq < session.seq) return;
    }
    const command: RaftKvCommand = { type: "KvCommand", clientId, seq, input };
    const started = this.raft.start(ctx, command);
    if (!started.isLeader) return reply("wrongLeader");
    const displaced = this.pending.get(started.index);
    if (displaced !== undefined) this.answer(ctx, displaced, "wrongLeader", undefined);
    this.pending.set(started.index, { client: request.from, clientId, seq, term: started.term });
    // A one-server cluster commits (and applies) inside start: answer now.
    if (this.raft.lastApplied >= started.index) this.answerApplied(ctx, started.index, command);
  }

  /** A get by ReadIndex or lease (§6.4): read the state machine once that is linearizable. */
  private readOutsideLog(
    ctx: NodeContext<RaftMessage | RaftKvMessage>,
    key: string,
    reply: (status: RaftKvReply["status"], value?: string) => void,
  ): void {
    const serve = (result: RaftReadResult): void => {
      if (!result.ok) return reply("wrongLeader");
      assert(
        this.raft.lastApplied >= result.index,
        `a read at index ${result.index} is served only once applied there, lastApplied is ` +
          `${this.raft.lastApplied}`,
      );
      reply("ok", this.read(key));
    };
    if (this.options.reads === "lease") serve(this.raft.leaseRead(ctx));
    else this.raft.readIndex(ctx, serve);
  }

  /** The state machine (§5.3): every committed entry in index order, kind entries skipped. */
  private applyEntry(index: number, entry: RaftLogEntry): void {
    const command = entry.command;
    if (entry.kind !== undefined) {
      // A no-op or a configuration entry: not a client command, but it took a pending index.
      this.failPendingAt(index);
      return;
    }
    assert(
      isRaftKvCommand(command),
      `a client entry holds a key-value command, got ${describeValue(command)}`,
    );
    this.applyCommand(index, command);
    const ctx = this.context;
    assert(ctx !== undefined, "a server applies entries only once started");
    if (this.pending.has(index)) this.answerApplied(ctx, index, command);
  }

  private applyCommand(index: number, command: RaftKvCommand): void {
    const { clientId, seq, input } = command;
    const session = this.sessions.get(clientId);
    if (this.options.deduplicate && session !== undefined && seq <= session.seq) {
      this.duplicatesSkipped++;
      return;
    }
    let value: string | undefined = undefined;
    if (input.op === "get") value = this.read(input.key);
    else if (input.op === "put") this.data.set(input.key, input.value);
    else this.data.set(input.key, this.read(input.key) + input.value);
    // Without deduplication a retry may come after a later command of its client: keep the latest.
    if (session === undefined || seq >= session.seq) this.sessions.set(clientId, { seq, value });
    const ctx = this.context;
    assert(ctx !== undefined, "a server applies entries only once started");
    this.options.onEffect?.(ctx.id, index, command);
  }

  /** Answers the request waiting at `index`, now that `command` was applied there. */
  private answerApplied(
    ctx: NodeContext<RaftMessage | RaftKvMessage>,
    index: number,
    command: RaftKvCommand,
  ): void {
    const waiting = this.pending.get(index);
    assert(waiting !== undefined, "only a waiting request is answered");
    this.pending.delete(index);
    if (waiting.clientId !== command.clientId || waiting.seq !== command.seq) {
      // Another leader's command landed at this index: ours was cut off (§5.3).
      return this.answer(ctx, waiting, "wrongLeader", undefined);
    }
    const session = this.sessions.get(command.clientId);
    assert(session !== undefined, "an applied command has a session");
    assert(session.seq >= command.seq, "a session's seq is the last applied, never below one");
    // A later seq of the client was applied: it had its answer to this one already.
    if (session.seq !== command.seq) return;
    const value = command.input.op === "get" ? (session.value ?? "") : undefined;
    this.answer(ctx, waiting, "ok", value);
  }

  private answer(
    ctx: NodeContext<RaftMessage | RaftKvMessage>,
    to: Requester,
    status: RaftKvReply["status"],
    value: string | undefined,
  ): void {
    const { clientId, seq } = to;
    let reply: RaftKvReply = { type: "KvReply", clientId, seq, status };
    if (value !== undefined) reply = { ...reply, value };
    // A hint only while the leader is heard from: one cut off with this server, or stepped
    // down (check-quorum) in the same term, would send clients round in a minority.
    const hint = this.leaderHint;
    const fresh =
      hint !== undefined &&
      hint.term === this.raft.currentTerm &&
      hint.leader !== ctx.id &&
      ctx.now() - hint.heardAtMs < this.options.electionTimeoutMsMin;
    if (status === "wrongLeader" && fresh) reply = { ...reply, leaderHint: hint.leader };
    ctx.send(to.client, reply);
  }

  private failPendingAt(index: number): void {
    const waiting = this.pending.get(index);
    const ctx = this.context;
    if (waiting === undefined || ctx === undefined) return;
    this.pending.delete(index);
    this.answer(ctx, waiting, "wrongLeader", undefined);
  }

  /** A leader that lost its term will never learn the fate of its pending entries: tell clients. */
  private failPendingIfDeposed(ctx: NodeContext<RaftMessage | RaftKvMessage>): void {
    if (this.pending.size === 0) return;
    for (const [index, waiting] of this.pending) {
      if (this.raft.role === "leader" && this.raft.currentTerm === waiting.term) continue;
      this.pending.delete(index);
      this.answer(ctx, waiting, "wrongLeader", undefined);
    }
  }

  /** Replaces the state machine by the snapshot's: replaying its commands rebuilds the sessions. */
  private resetFromSnapshot(snapshot: RaftSnapshot): void {
    this.data.clear();
    this.sessions.clear();
    snapshot.state.forEach((command, i) => {
      if (isRaftKvCommand(command)) this.applyCommand(i + 1, command);
    });
    for (const index of this.pending.keys()) {
      if (index <= snapshot.lastIncludedIndex) this.failPendingAt(index);
    }
  }
}

/** How a {@link RaftKvClient} behaves; the cluster builds it. */
export interface RaftKvClientOptions {
  /** The client's id in every request and in the history. */
  readonly clientId: number;
  /** The key-value servers, tried in turn. */
  readonly servers: readonly NodeId[];
  /** With no answer after this many ms of the client's clock, the next server is tried. */
  readonly requestTimeoutMs: number;
  /** After a "wrongLeader" from every server in a row, wait this many ms before trying again. */
  readonly retryBackoffMs: number;
  /** Called once per operation, when its "ok" arrives. */
  readonly onReturn: (clientId: number, seq: number, value: string | undefined) => void;
}

/** The operation a client is working on. */
interface Outstanding {
  readonly seq: number;
  readonly input: KvInput;
}

const TIMEOUT_TIMER = "kv.timeout";
const BACKOFF_TIMER = "kv.backoff";

/**
 * A key-value client (a clerk) as a simulator node: one operation at a time, each with the next
 * sequence number; it remembers the last leader, and on a timeout or a "wrongLeader" answer
 * retries the same (clientId, seq) at the next server, so a retried command is recognisable.
 * Its state is volatile: a client must not crash (its seq would start again at 1).
 */
export class RaftKvClient implements Process<RaftMessage | RaftKvMessage> {
  /** Sequence number of the last operation invoked (0: none yet). */
  seq = 0;
  /** Requests sent, retries included. */
  requestsSent = 0;
  private outstanding: Outstanding | undefined;
  /** Index in options.servers of the server asked now (the last leader, once known). */
  private target = 0;
  /** Servers that refused or timed out since the operation began or the last backoff. */
  private readonly tried = new Set<number>();
  private timer = -1;

  constructor(private readonly options: RaftKvClientOptions) {
    assert(options.servers.length > 0, "a client needs servers");
  }

  /** True while an operation waits for its answer. */
  get busy(): boolean {
    return this.outstanding !== undefined;
  }

  /** Starts an operation (the client must be idle); returns its seq. `server` is tried first. */
  invoke(ctx: NodeContext<RaftMessage | RaftKvMessage>, input: KvInput, server?: number): number {
    assert(this.outstanding === undefined, "a client has one operation outstanding at a time");
    if (server !== undefined) {
      assert(this.options.servers[server] !== undefined, "the first server asked is a server");
      this.target = server;
    }
    this.seq++;
    this.outstanding = { seq: this.seq, input };
    this.tried.clear();
    this.send(ctx);
    return this.seq;
  }

  onMessage(
    ctx: NodeContext<RaftMessage | RaftKvMessage>,
    message: Envelope<RaftMessage | RaftKvMessage>,
  ): void {
    if (message.type !== "KvReply") return;
    const outstanding = this.outstanding;
    if (outstanding === undefined || message.seq !== outstanding.seq) return; // a late duplicate
    assert(message.clientId === this.options.clientId, "a reply comes back to its client");
    if (message.status === "ok") {
      this.outstanding = undefined;
      this.cancelTimer(ctx);
      this.target = this.options.servers.indexOf(message.from);
      assert(this.target >= 0, "only servers answer");
      this.options.onReturn(this.options.clientId, message.seq, message.value);
      return;
    }
    // Only the server asked last can send this client on: a stale refusal changes nothing.
    if (message.from !== this.options.servers[this.target]) return;
    this.cancelTimer(ctx);
    const hint =
      message.leaderHint === undefined ? -1 : this.options.servers.indexOf(message.leaderHint);
    if (this.moveOn(hint)) return this.send(ctx);
    // Every server refused (an election is on): wait a little rather than spin.
    this.timer = ctx.setTimer(this.options.retryBackoffMs, BACKOFF_TIMER);
  }

  onTimer(ctx: NodeContext<RaftMessage | RaftKvMessage>, timer: FiredTimer): void {
    if (timer.id !== this.timer || this.outstanding === undefined) return;
    this.timer = -1;
    // A timeout: the server asked may be down or cut off, try another (a new round if all were
    // tried: the wait was long enough). A backoff: a new round from the next server.
    if (timer.name === TIMEOUT_TIMER && this.moveOn(-1)) return this.send(ctx);
    this.tried.clear();
    this.target = (this.target + 1) % this.options.servers.length;
    this.send(ctx);
  }

  /**
   * After `target` failed: ask the hinted leader if it was not tried in this round, else the
   * next server not tried. False when every server was tried.
   */
  private moveOn(hint: number): boolean {
    this.tried.add(this.target);
    const count = this.options.servers.length;
    if (hint !== -1 && !this.tried.has(hint)) {
      this.target = hint;
      return true;
    }
    for (let k = 1; k <= count; k++) {
      const next = (this.target + k) % count;
      if (this.tried.has(next)) continue;
      this.target = next;
      return true;
    }
    return false;
  }

  private send(ctx: NodeContext<RaftMessage | RaftKvMessage>): void {
    const outstanding = this.outstanding;
    assert(outstanding !== undefined, "only an outstanding operation is sent");
    const server = this.options.servers[this.target];
    assert(server !== undefined, "the target is a server");
    this.requestsSent++;
    const request: RaftKvRequest = {
      type: "KvRequest",
      clientId: this.options.clientId,
      seq: outstanding.seq,
      input: outstanding.input,
    };
    ctx.send(server, request);
    this.timer = ctx.setTimer(this.options.requestTimeoutMs, TIMEOUT_TIMER);
  }

  private cancelTimer(ctx: NodeContext<RaftMessage | RaftKvMessage>): void {
    if (this.timer !== -1) ctx.cancelTimer(this.timer);
    this.timer = -1;
  }
}
