// Lease-based leader election with fencing tokens: a lease store (one authority node), candidates
// that hold a leadership lease, and a fenced resource (Gray and Cheriton 1989, §2; Kleppmann 2016).

import { assert, invalidArgument } from "../sim/assert.js";
import type { Envelope, FiredTimer, NodeContext, NodeId, Process } from "../sim/types.js";

/** Messages of lease election: requests to the store, its replies, and writes to the resource. */
export type LeaseMessage =
  | {
      readonly type: "lease.acquire";
      readonly requestId: number;
      readonly name: string;
      readonly owner: string;
      readonly ttlMs: number;
    }
  | {
      readonly type: "lease.renew";
      readonly requestId: number;
      readonly name: string;
      readonly owner: string;
    }
  | {
      readonly type: "lease.release";
      readonly requestId: number;
      readonly name: string;
      readonly owner: string;
    }
  | {
      readonly type: "lease.granted";
      readonly requestId: number;
      readonly name: string;
      readonly token: number;
      readonly ttlMs: number;
    }
  | {
      readonly type: "lease.denied";
      readonly requestId: number;
      readonly name: string;
      readonly holder: string;
    }
  | { readonly type: "lease.released"; readonly requestId: number; readonly name: string }
  | { readonly type: "lease.error"; readonly requestId: number; readonly error: string }
  | {
      readonly type: "resource.write";
      readonly token: number;
      readonly value: string;
    }
  | { readonly type: "resource.accepted"; readonly token: number }
  | { readonly type: "resource.rejected"; readonly token: number; readonly tokenMax: number };

/** One lease as the store keeps it. */
export interface LeaseRecord {
  readonly name: string;
  readonly holder: string;
  /** The fencing token of this grant: larger than every token granted before, for any name. */
  readonly token: number;
  readonly ttlMs: number;
  /** On the store's own clock; the lease is live while the store's clock reads less. */
  readonly expiresAtMs: number;
}

/** What {@link LeaseTable.tryAcquire} answers. */
export type LeaseAcquireResult =
  | { readonly granted: true; readonly token: number }
  | { readonly granted: false; readonly holder: string };

function describeNames(names: Iterable<string>): string {
  const list = [...names].map((name) => JSON.stringify(name));
  return list.length === 0 ? "none granted yet" : `known: ${list.join(", ")}`;
}

/**
 * The lease store's state machine: leases by name, timed on the store's clock (`nowMs` passed in).
 * Fencing tokens are global: one counter for every name, so a token only ever grows, per name and
 * overall. Bad requests throw a RangeError naming the value.
 *
 * @example
 * const table = new LeaseTable();
 * table.tryAcquire("leader", "c0", 300, 0); // { granted: true, token: 1 }
 * table.tryAcquire("leader", "c1", 300, 10); // { granted: false, holder: "c0" }
 * table.tryAcquire("leader", "c1", 300, 300); // { granted: true, token: 2 }: c0's lease expired
 * table.renew("leader", "c0", 310); // RangeError: renew owner of lease "leader" must be its holder "c1", got "c0"
 */
export class LeaseTable {
  private readonly leases = new Map<string, LeaseRecord>();
  // invariant: tokenLast >= every token in leases; it never decreases.
  private tokenLastValue = 0;

  /** A table restored from {@link LeaseTable.toJSON} (for stable storage). */
  static fromJSON(saved: { tokenLast: number; leases: LeaseRecord[] } | undefined): LeaseTable {
    const table = new LeaseTable();
    if (saved === undefined) return table;
    table.tokenLastValue = saved.tokenLast;
    for (const lease of saved.leases) table.leases.set(lease.name, lease);
    return table;
  }

  /** The state, as plain data. */
  toJSON(): { tokenLast: number; leases: LeaseRecord[] } {
    return { tokenLast: this.tokenLastValue, leases: [...this.leases.values()] };
  }

  /** The largest fencing token granted so far (0: none). */
  get tokenLast(): number {
    return this.tokenLastValue;
  }

  /** The live lease `name` at store time `nowMs`, or undefined (never granted, expired, released). */
  live(name: string, nowMs: number): LeaseRecord | undefined {
    const lease = this.leases.get(name);
    return lease !== undefined && nowMs < lease.expiresAtMs ? lease : undefined;
  }

  /**
   * Grants `name` to `owner` for `ttlMs` of store time unless someone else holds it live. A new
   * grant gets a new token; the holder asking again (a retry whose reply was lost) keeps its token
   * and its lease is extended.
   */
  tryAcquire(name: string, owner: string, ttlMs: number, nowMs: number): LeaseAcquireResult {
    if (typeof ttlMs !== "number" || !Number.isFinite(ttlMs) || ttlMs <= 0) {
      throw invalidArgument("ttlMs", "a finite number > 0", ttlMs);
    }
    const current = this.live(name, nowMs);
    if (current !== undefined && current.holder !== owner) {
      return { granted: false, holder: current.holder };
    }
    const token = current?.token ?? this.tokenLastValue + 1;
    assert(token >= this.tokenLastValue, "a grant never reuses an older token");
    this.tokenLastValue = token;
    this.leases.set(name, { name, holder: owner, token, ttlMs, expiresAtMs: nowMs + ttlMs });
    return { granted: true, token };
  }

  /** Extends the live lease `name` of `owner` by its ttl from now; returns its token. */
  renew(name: string, owner: string, nowMs: number): number {
    const current = this.live(name, nowMs);
    if (current === undefined || current.holder !== owner) {
      const holder =
        current === undefined
          ? `(none: ${this.leases.has(name) ? "it expired or was released" : "never granted"})`
          : JSON.stringify(current.holder);
      throw invalidArgument(
        `renew owner of lease ${JSON.stringify(name)}`,
        `its holder ${holder}`,
        owner,
      );
    }
    this.leases.set(name, { ...current, expiresAtMs: nowMs + current.ttlMs });
    return current.token;
  }

  /**
   * Ends the lease `name` of `owner` now. Releasing an expired lease does nothing; releasing a name
   * never granted, or a live lease of someone else, throws.
   */
  release(name: string, owner: string, nowMs: number): void {
    const lease = this.leases.get(name);
    if (lease === undefined) {
      throw invalidArgument(
        "release name",
        `a known lease (${describeNames(this.leases.keys())})`,
        name,
      );
    }
    const current = this.live(name, nowMs);
    if (current === undefined) return;
    if (current.holder !== owner) {
      throw invalidArgument(
        `release owner of lease ${JSON.stringify(name)}`,
        `its holder ${JSON.stringify(current.holder)}`,
        owner,
      );
    }
    this.leases.set(name, { ...current, expiresAtMs: nowMs });
  }
}

/** Called by the store after each grant or renewal, for checkers. */
export type LeaseGrantHook = (lease: LeaseRecord, kind: "acquire" | "renew") => void;

/**
 * The lease store: one authority node applying requests in arrival order (linearizable by
 * construction), timing leases on its own clock. State is kept in stable storage, so a restarted
 * store never hands out a token again.
 */
export class LeaseStore implements Process<LeaseMessage> {
  table: LeaseTable = new LeaseTable();

  constructor(private readonly onGrant?: LeaseGrantHook) {}

  onStart(ctx: NodeContext<LeaseMessage>): void {
    this.table = LeaseTable.fromJSON(ctx.storage.get("leases"));
  }

  onMessage(ctx: NodeContext<LeaseMessage>, msg: Envelope<LeaseMessage>): void {
    if (
      msg.type !== "lease.acquire" &&
      msg.type !== "lease.renew" &&
      msg.type !== "lease.release"
    ) {
      return;
    }
    const nowMs = ctx.now();
    try {
      if (msg.type === "lease.acquire") {
        const result = this.table.tryAcquire(msg.name, msg.owner, msg.ttlMs, nowMs);
        if (!result.granted) {
          const denied = { type: "lease.denied", requestId: msg.requestId, name: msg.name };
          ctx.send(msg.from, { ...denied, holder: result.holder } as LeaseMessage);
          return;
        }
        this.granted(ctx, msg.from, msg.requestId, msg.name, "acquire");
      } else if (msg.type === "lease.renew") {
        this.table.renew(msg.name, msg.owner, nowMs);
        this.granted(ctx, msg.from, msg.requestId, msg.name, "renew");
      } else {
        this.table.release(msg.name, msg.owner, nowMs);
        ctx.storage.set("leases", this.table.toJSON());
        ctx.send(msg.from, { type: "lease.released", requestId: msg.requestId, name: msg.name });
      }
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      ctx.send(msg.from, { type: "lease.error", requestId: msg.requestId, error: error.message });
    }
  }

  private granted(
    ctx: NodeContext<LeaseMessage>,
    to: NodeId,
    requestId: number,
    name: string,
    kind: "acquire" | "renew",
  ): void {
    const lease = this.table.live(name, ctx.now());
    assert(lease !== undefined, "a lease just granted is live");
    ctx.storage.set("leases", this.table.toJSON());
    this.onGrant?.(lease, kind);
    const { token, ttlMs } = lease;
    ctx.send(to, { type: "lease.granted", requestId, name, token, ttlMs });
  }
}

/** How a {@link LeaseCandidate} behaves. */
export interface LeaseCandidateOptions {
  /** The lease store's node id. */
  readonly store: NodeId;
  /** The resource node the leader writes to. */
  readonly resource: NodeId;
  /** The lease's name at the store. */
  readonly name: string;
  readonly ttlMs: number;
  /** Clock rate error assumed for every node, as a fraction in [0, 1): 0.01 is 1%. */
  readonly driftBound: number;
  /** The leader starts a write this often (own clock). */
  readonly workEveryMs: number;
  /** Time from the leadership check to sending the write (own clock): the check-then-act gap. */
  readonly workMs: number;
}

/**
 * How long a candidate may trust a lease of `ttlMs` granted by a store, counted on its own clock
 * from when it sent the request: ttl * (1 - b) / (1 + b) for a drift bound b. If every clock runs
 * at a rate in [1 - b, 1 + b] of true time, the candidate's trust ends (in true time) no later than
 * the store's lease, because the store started timing after the request left.
 *
 * @example
 * leaseUsableMs(300, 0); // 300
 * leaseUsableMs(300, 0.5); // 100
 */
export function leaseUsableMs(ttlMs: number, driftBound: number): number {
  if (typeof ttlMs !== "number" || !Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw invalidArgument("ttlMs", "a finite number > 0", ttlMs);
  }
  if (typeof driftBound !== "number" || !(driftBound >= 0 && driftBound < 1)) {
    throw invalidArgument("driftBound", "a number in [0, 1)", driftBound);
  }
  return (ttlMs * (1 - driftBound)) / (1 + driftBound);
}

/** A write the leader has decided on but not sent yet (the check-then-act gap). */
export interface LeasePendingWrite {
  readonly token: number;
  readonly value: string;
}

/**
 * A candidate: it tries to acquire the lease, renews it every third of its usable time (own clock),
 * considers itself leader while its clock reads less than the usable end, and as leader writes to
 * the resource with its fencing token. Followers poll the store with tryAcquire (no watches).
 */
export class LeaseCandidate implements Process<LeaseMessage> {
  /** The token of the lease it holds (or held last); undefined before its first grant. */
  token: number | undefined;
  /** On its own clock: it considers itself leader while now < leaseUntilMs. */
  leaseUntilMs = -Infinity;
  /** Set between the leadership check and the write (the window a GC pause can hit). */
  pendingWrite: LeasePendingWrite | undefined;
  writesSent = 0;
  private readonly usableMs: number;
  private readonly renewEveryMs: number;
  /** Requests in flight: requestId -> own clock at send. */
  private readonly inFlight = new Map<number, number>();
  private requestIdLast = 0;

  constructor(private readonly options: LeaseCandidateOptions) {
    this.usableMs = leaseUsableMs(options.ttlMs, options.driftBound);
    this.renewEveryMs = this.usableMs / 3;
  }

  /** True if, on this node's clock `nowMs`, it holds the lease. */
  isLeader(nowMs: number): boolean {
    return nowMs < this.leaseUntilMs;
  }

  onStart(ctx: NodeContext<LeaseMessage>): void {
    this.tick(ctx);
    ctx.setTimer(ctx.random() * this.options.workEveryMs, "work");
  }

  onTimer(ctx: NodeContext<LeaseMessage>, timer: FiredTimer): void {
    if (timer.name === "tick") this.tick(ctx);
    else if (timer.name === "work") this.work(ctx);
    else if (timer.name === "commit") this.commit(ctx, timer.data as LeasePendingWrite);
  }

  onMessage(ctx: NodeContext<LeaseMessage>, msg: Envelope<LeaseMessage>): void {
    if (msg.type === "lease.granted") {
      const sentAtMs = this.inFlight.get(msg.requestId);
      if (sentAtMs === undefined) return;
      this.inFlight.delete(msg.requestId);
      if (msg.token !== this.token) ctx.log(`leader with token ${msg.token}`);
      this.token = msg.token;
      this.leaseUntilMs = Math.max(this.leaseUntilMs, sentAtMs + this.usableMs);
    } else if (msg.type === "lease.denied" || msg.type === "lease.error") {
      if (!this.inFlight.has(msg.requestId)) return;
      // Refused: whatever it believed, the store says it does not hold the lease now.
      this.inFlight.clear();
      if (this.leaseUntilMs > ctx.now()) ctx.log("lease lost");
      this.leaseUntilMs = -Infinity;
    }
  }

  private tick(ctx: NodeContext<LeaseMessage>): void {
    const { name, store, ttlMs } = this.options;
    const requestId = ++this.requestIdLast;
    this.inFlight.set(requestId, ctx.now());
    // Renewals keep the token; a candidate that lost the lease (or never had it) acquires afresh.
    if (this.isLeader(ctx.now())) {
      ctx.send(store, { type: "lease.renew", requestId, name, owner: ctx.id });
    } else {
      ctx.send(store, { type: "lease.acquire", requestId, name, owner: ctx.id, ttlMs });
    }
    // Keep few requests in flight: an old one's grant is still safe, but memory is bounded.
    for (const id of this.inFlight.keys()) if (id < requestId - 8) this.inFlight.delete(id);
    const jitterMs = this.isLeader(ctx.now()) ? 0 : ctx.random() * (this.renewEveryMs / 4);
    ctx.setTimer(this.renewEveryMs + jitterMs, "tick");
  }

  private work(ctx: NodeContext<LeaseMessage>): void {
    ctx.setTimer(this.options.workEveryMs, "work");
    if (!this.isLeader(ctx.now()) || this.pendingWrite !== undefined) return;
    assert(this.token !== undefined, "a leader has a token");
    const write = { token: this.token, value: `${ctx.id}#${this.writesSent + 1}` };
    this.pendingWrite = write;
    ctx.setTimer(this.options.workMs, "commit", write);
  }

  private commit(ctx: NodeContext<LeaseMessage>, write: LeasePendingWrite): void {
    // No second check: it would only narrow the gap, as the write can still wait on the wire.
    this.pendingWrite = undefined;
    this.writesSent++;
    ctx.send(this.options.resource, { type: "resource.write", ...write });
  }
}

/** One write the resource accepted. */
export interface FencedWrite {
  readonly token: number;
  readonly value: string;
  readonly writer: NodeId;
  readonly timeMs: number;
}

/** Called by the resource when it accepts a write, for checkers. */
export type FencedWriteHook = (write: FencedWrite, tokenMaxBefore: number) => void;

/**
 * A storage node that checks fencing tokens: it rejects a write whose token is lower than the
 * highest it has accepted (Kleppmann 2016). With `fencing: false` it accepts everything, the
 * "break it" switch. The highest token is kept in stable storage.
 */
export class FencedResource implements Process<LeaseMessage> {
  /** Writes accepted, in order (volatile; for inspection). */
  readonly accepted: FencedWrite[] = [];
  rejectedCount = 0;
  // invariant (fencing): every accepted token >= tokenMax at the time it was accepted.
  tokenMax = 0;

  constructor(
    private readonly fencing: boolean,
    private readonly onAccept?: FencedWriteHook,
  ) {}

  onStart(ctx: NodeContext<LeaseMessage>): void {
    this.tokenMax = ctx.storage.get<number>("tokenMax") ?? 0;
  }

  onMessage(ctx: NodeContext<LeaseMessage>, msg: Envelope<LeaseMessage>): void {
    if (msg.type !== "resource.write") return;
    if (this.fencing && msg.token < this.tokenMax) {
      this.rejectedCount++;
      ctx.log(`reject token ${msg.token} < ${this.tokenMax}`);
      ctx.send(msg.from, { type: "resource.rejected", token: msg.token, tokenMax: this.tokenMax });
      return;
    }
    const write = { token: msg.token, value: msg.value, writer: msg.from, timeMs: ctx.now() };
    const tokenMaxBefore = this.tokenMax;
    this.accepted.push(write);
    if (msg.token > this.tokenMax) {
      this.tokenMax = msg.token;
      ctx.storage.set("tokenMax", this.tokenMax);
    }
    this.onAccept?.(write, tokenMaxBefore);
    ctx.send(msg.from, { type: "resource.accepted", token: msg.token });
  }
}
