// A Dynamo-style N/R/W quorum store (DeCandia et al., SOSP 2007, §4.2-§4.6): preference lists from
// a consistent hash ring, versions as version vectors with siblings, read repair, sloppy quorum
// and hinted handoff.

import {
  type Envelope,
  type FiredTimer,
  type LinkOptions,
  type NodeContext,
  type NodeId,
  type Process,
  Simulation,
  assert,
  integerOption,
  invalidArgument,
  requireIntegerIn,
  requireKnownOptions,
} from "../../sim/index.js";
import { VersionVector, type VersionedValue, reconcileSiblings } from "../../clocks/index.js";
import { ConsistentHashRing } from "../../hashing/index.js";
import { REPLICA_NETWORK_DEFAULT } from "./abd.js";
import {
  type ClientProcess,
  SimCluster,
  booleanOption,
  numberOption,
  numberedIds,
  requireSeed,
} from "./cluster.js";
import type { ReplicaInput, ReplicaOperation, ReplicaOutput } from "./types.js";

/** A stored version as it crosses the wire: a value and its version vector (JSON form). */
export interface DynamoVersion {
  readonly value: string;
  readonly version: Readonly<Record<string, number>>;
}

/** The messages of the Dynamo-style store. */
export type DynamoMessage =
  | {
      readonly type: "dyRequest";
      readonly opId: number;
      readonly input: ReplicaInput;
      /** For a write: the new version's vector (the client's context plus its own count). */
      readonly version: Readonly<Record<string, number>> | null;
    }
  | {
      readonly type: "dyReply";
      readonly opId: number;
      readonly output: ReplicaOutput;
      /** For a read: the merged vector of the returned siblings, the context of a later write. */
      readonly context: Readonly<Record<string, number>> | null;
    }
  | { readonly type: "dyRead"; readonly reqId: number; readonly key: string }
  | {
      readonly type: "dyReadReply";
      readonly reqId: number;
      readonly versions: readonly DynamoVersion[];
    }
  | {
      readonly type: "dyWrite";
      /** -1 for a read repair, which needs no ack. */
      readonly reqId: number;
      readonly key: string;
      readonly versions: readonly DynamoVersion[];
      /** Sloppy quorum: the owner this node stands in for, or null when it is an owner. */
      readonly hintFor: NodeId | null;
    }
  | { readonly type: "dyWriteAck"; readonly reqId: number }
  | {
      readonly type: "dyHandoff";
      readonly hintId: string;
      readonly key: string;
      readonly versions: readonly DynamoVersion[];
    }
  | { readonly type: "dyHandoffAck"; readonly hintId: string };

/** A hinted replica kept for an unreachable owner until it can be handed off. */
export interface DynamoHint {
  readonly hintId: string;
  readonly key: string;
  readonly owner: NodeId;
  readonly versions: readonly DynamoVersion[];
}

const DATA_PREFIX = "dy:";
const HINT_PREFIX = "hint:";
const HINT_SEQ_KEY = "hintSeq";

function toVersioned(versions: readonly DynamoVersion[]): VersionedValue<string>[] {
  return versions.map((v) => ({ value: v.value, version: VersionVector.fromJSON(v.version) }));
}

function fromVersioned(versions: readonly VersionedValue<string>[]): DynamoVersion[] {
  return versions.map((v) => ({ value: v.value, version: v.version.toJSON() }));
}

/** Siblings of `a` and `b` together: every version not dominated by another, sorted by value. */
export function mergeDynamoVersions(
  a: readonly DynamoVersion[],
  b: readonly DynamoVersion[],
): DynamoVersion[] {
  const kept = fromVersioned(reconcileSiblings(toVersioned([...a, ...b])));
  return kept.sort((x, y) => (x.value < y.value ? -1 : x.value > y.value ? 1 : 0));
}

/** True if `versions` already includes every version of `other` (or something newer). */
function covers(versions: readonly DynamoVersion[], other: readonly DynamoVersion[]): boolean {
  const mine = toVersioned(versions);
  return toVersioned(other).every((o) => mine.some((m) => m.version.dominates(o.version)));
}

interface DynamoSettings {
  readonly n: number;
  readonly r: number;
  readonly w: number;
  readonly sloppy: boolean;
  readonly retryMs: number;
  readonly timeoutMs: number;
  readonly handoffIntervalMs: number;
}

interface Coordination {
  readonly kind: "read" | "write";
  readonly key: string;
  readonly client: NodeId;
  readonly opId: number;
  readonly needed: number;
  /** For a write: the version being written. */
  readonly versions: readonly DynamoVersion[];
  /** Nodes asked, each with the owner it stands in for (itself for an owner). */
  readonly asked: Map<NodeId, NodeId>;
  /** Who answered (ack for a write; versions for a read). */
  readonly answers: Map<NodeId, readonly DynamoVersion[]>;
  /** Next index in the preference list to try as a fallback (sloppy quorum). */
  nextFallback: number;
  done: boolean;
  result: DynamoVersion[];
}

/** A Dynamo node: stores versions, coordinates its clients' requests, keeps and hands off hints. */
class DynamoNode implements Process<DynamoMessage> {
  private reqSeq = 0;
  private readonly coordinations = new Map<number, Coordination>();

  constructor(
    private readonly ring: ConsistentHashRing<string>,
    private readonly settings: DynamoSettings,
  ) {}

  onStart(ctx: NodeContext<DynamoMessage>): void {
    ctx.setTimer(this.settings.handoffIntervalMs, "handoff");
  }

  private local(ctx: NodeContext<DynamoMessage>, key: string): DynamoVersion[] {
    return ctx.storage.get<DynamoVersion[]>(DATA_PREFIX + key) ?? [];
  }

  /** What this node can tell about `key`: its own versions and any hinted ones it holds. */
  private readable(ctx: NodeContext<DynamoMessage>, key: string): DynamoVersion[] {
    let versions = this.local(ctx, key);
    for (const hint of this.hints(ctx)) {
      if (hint.key === key) versions = mergeDynamoVersions(versions, hint.versions);
    }
    return versions;
  }

  private hints(ctx: NodeContext<DynamoMessage>): DynamoHint[] {
    return ctx.storage
      .keys()
      .filter((name) => name.startsWith(HINT_PREFIX))
      .sort()
      .map((name) => ctx.storage.get<DynamoHint>(name) as DynamoHint);
  }

  private store(ctx: NodeContext<DynamoMessage>, key: string, versions: readonly DynamoVersion[]) {
    const merged = mergeDynamoVersions(this.local(ctx, key), versions);
    ctx.storage.set(DATA_PREFIX + key, merged);
    assert(covers(merged, versions), "a replica keeps every version it stored or a newer one");
  }

  private storeHint(
    ctx: NodeContext<DynamoMessage>,
    key: string,
    owner: NodeId,
    versions: readonly DynamoVersion[],
  ): void {
    const seq = (ctx.storage.get<number>(HINT_SEQ_KEY) ?? 0) + 1;
    ctx.storage.set(HINT_SEQ_KEY, seq);
    const hintId = `${ctx.id}:${String(seq).padStart(8, "0")}`;
    const hint: DynamoHint = { hintId, key, owner, versions: [...versions] };
    ctx.storage.set(HINT_PREFIX + hintId, hint);
  }

  onMessage(ctx: NodeContext<DynamoMessage>, message: Envelope<DynamoMessage>): void {
    switch (message.type) {
      case "dyRequest":
        return this.coordinate(ctx, message);
      case "dyRead":
        ctx.send(message.from, {
          type: "dyReadReply",
          reqId: message.reqId,
          versions: this.readable(ctx, message.key),
        });
        return;
      case "dyWrite":
        if (message.hintFor === null) this.store(ctx, message.key, message.versions);
        else this.storeHint(ctx, message.key, message.hintFor, message.versions);
        if (message.reqId >= 0)
          ctx.send(message.from, { type: "dyWriteAck", reqId: message.reqId });
        return;
      case "dyWriteAck":
        return this.answer(ctx, message.reqId, message.from, []);
      case "dyReadReply":
        return this.answer(ctx, message.reqId, message.from, message.versions);
      case "dyHandoff":
        this.store(ctx, message.key, message.versions);
        ctx.send(message.from, { type: "dyHandoffAck", hintId: message.hintId });
        return;
      case "dyHandoffAck":
        // The owner has the data now: the hint can go (Dynamo §4.6).
        ctx.storage.delete(HINT_PREFIX + message.hintId);
        return;
      case "dyReply":
        return;
    }
  }

  private coordinate(
    ctx: NodeContext<DynamoMessage>,
    request: Envelope<DynamoMessage & { type: "dyRequest" }>,
  ): void {
    const input = request.input;
    const preference = this.ring.getNodes(input.key, this.ring.size);
    const owners = preference.slice(0, this.settings.n);
    const versions: DynamoVersion[] =
      input.kind === "write" && request.version !== null
        ? [{ value: input.value, version: request.version }]
        : [];
    const reqId = ++this.reqSeq;
    const coordination: Coordination = {
      kind: input.kind,
      key: input.key,
      client: request.from,
      opId: request.opId,
      needed: input.kind === "read" ? this.settings.r : this.settings.w,
      versions,
      asked: new Map(),
      answers: new Map(),
      nextFallback: this.settings.n,
      done: false,
      result: [],
    };
    this.coordinations.set(reqId, coordination);
    for (const owner of owners) this.ask(ctx, reqId, coordination, owner, owner);
    ctx.setTimer(this.settings.retryMs, "retry", reqId);
    ctx.setTimer(this.settings.timeoutMs, "deadline", reqId);
  }

  /** Sends the request to `node` (standing in for `owner`); the local node answers itself. */
  private ask(
    ctx: NodeContext<DynamoMessage>,
    reqId: number,
    c: Coordination,
    node: NodeId,
    owner: NodeId,
  ): void {
    c.asked.set(node, owner);
    const hintFor = node === owner ? null : owner;
    if (node === ctx.id) {
      if (c.kind === "read") return this.answer(ctx, reqId, node, this.readable(ctx, c.key));
      if (hintFor === null) this.store(ctx, c.key, c.versions);
      else this.storeHint(ctx, c.key, hintFor, c.versions);
      return this.answer(ctx, reqId, node, []);
    }
    if (c.kind === "read") ctx.send(node, { type: "dyRead", reqId, key: c.key });
    else ctx.send(node, { type: "dyWrite", reqId, key: c.key, versions: c.versions, hintFor });
  }

  private answer(
    ctx: NodeContext<DynamoMessage>,
    reqId: number,
    from: NodeId,
    versions: readonly DynamoVersion[],
  ): void {
    const c = this.coordinations.get(reqId);
    if (c === undefined || !c.asked.has(from) || c.answers.has(from)) return;
    c.answers.set(from, versions);
    if (c.kind === "read") {
      c.result = mergeDynamoVersions(c.result, versions);
      // Read repair, also for answers that come after the client got its reply.
      if (c.done) this.repair(ctx, c);
    }
    if (!c.done && c.answers.size >= c.needed) this.finish(ctx, reqId, c);
  }

  private finish(ctx: NodeContext<DynamoMessage>, reqId: number, c: Coordination): void {
    c.done = true;
    if (c.kind === "write") {
      this.reply(ctx, c, { kind: "ok", values: [] }, null);
      this.coordinations.delete(reqId);
      return;
    }
    const context = toVersioned(c.result).reduce(
      (merged, v) => merged.merge(v.version),
      VersionVector.empty(),
    );
    const values = c.result.map((v) => v.value);
    this.reply(ctx, c, { kind: "ok", values }, context.toJSON());
    this.repair(ctx, c);
  }

  /** Sends the reconciled versions to every answering owner that lacks some of them. */
  private repair(ctx: NodeContext<DynamoMessage>, c: Coordination): void {
    for (const [node, versions] of c.answers) {
      if (c.asked.get(node) !== node || covers(versions, c.result)) continue;
      c.answers.set(node, c.result);
      if (node === ctx.id) this.store(ctx, c.key, c.result);
      else
        ctx.send(node, {
          type: "dyWrite",
          reqId: -1,
          key: c.key,
          versions: c.result,
          hintFor: null,
        });
    }
  }

  private reply(
    ctx: NodeContext<DynamoMessage>,
    c: Coordination,
    output: ReplicaOutput,
    context: Readonly<Record<string, number>> | null,
  ): void {
    ctx.send(c.client, { type: "dyReply", opId: c.opId, output, context });
  }

  onTimer(ctx: NodeContext<DynamoMessage>, timer: FiredTimer): void {
    if (timer.name === "handoff") {
      for (const hint of this.hints(ctx)) {
        ctx.send(hint.owner, {
          type: "dyHandoff",
          hintId: hint.hintId,
          key: hint.key,
          versions: hint.versions,
        });
      }
      ctx.setTimer(this.settings.handoffIntervalMs, "handoff");
      return;
    }
    const reqId = timer.data as number;
    const c = this.coordinations.get(reqId);
    if (c === undefined) return;
    if (timer.name === "deadline") {
      this.coordinations.delete(reqId);
      if (c.done) return;
      const what = c.kind === "read" ? `R=${c.needed} replies` : `W=${c.needed} acks`;
      this.reply(
        ctx,
        c,
        {
          kind: "error",
          reason:
            `no quorum: ${c.kind} of "${c.key}" needs ${what}, got ${c.answers.size} ` +
            `within ${this.settings.timeoutMs} ms`,
        },
        null,
      );
      return;
    }
    if (c.done) return;
    // Retry: resend to the silent; with a sloppy quorum, also try the next node on the ring for
    // each silent owner (it keeps the write as a hint for that owner).
    const preference = this.ring.getNodes(c.key, this.ring.size);
    for (const [node, owner] of [...c.asked]) {
      if (c.answers.has(node)) continue;
      this.ask(ctx, reqId, c, node, owner);
      if (!this.settings.sloppy || c.nextFallback >= preference.length) continue;
      const standsIn = [...c.asked.values()].filter((o) => o === owner).length;
      if (standsIn > 1 && node === owner) continue; // already has a stand-in
      const fallback = preference[c.nextFallback++] as NodeId;
      this.ask(ctx, reqId, c, fallback, owner);
    }
    if (!c.done) ctx.setTimer(this.settings.retryMs, "retry", reqId);
  }
}

/** A client: keeps, per key, the context (merged version vector) of its last read. */
class DynamoClient implements ClientProcess<DynamoMessage> {
  private opId = 0;
  private timer = -1;
  private writesCount = 0;
  private pending: ReplicaInput | undefined;
  private readonly contexts = new Map<string, Readonly<Record<string, number>>>();

  constructor(
    private readonly cluster: DynamoCluster,
    private readonly home: NodeId,
    private readonly timeoutMs: number,
  ) {}

  begin(ctx: NodeContext<DynamoMessage>, input: ReplicaInput): void {
    this.opId++;
    this.pending = input;
    let version: Record<string, number> | null = null;
    if (input.kind === "write") {
      // The client is the actor of its writes: its own counter only grows, so a version that
      // dominates another really saw it (node-id counters with client contexts can mint the
      // same vector for two different values: the problem dotted version vectors solve).
      this.writesCount++;
      version = { ...(this.contexts.get(input.key) ?? {}), [ctx.id]: this.writesCount };
    }
    ctx.send(this.home, { type: "dyRequest", opId: this.opId, input, version });
    this.timer = ctx.setTimer(this.timeoutMs, "timeout", this.opId);
  }

  onMessage(ctx: NodeContext<DynamoMessage>, message: Envelope<DynamoMessage>): void {
    if (message.type !== "dyReply" || message.opId !== this.opId || this.timer < 0) return;
    ctx.cancelTimer(this.timer);
    this.timer = -1;
    const input = this.pending as ReplicaInput;
    if (input.kind === "read" && message.context !== null) {
      this.contexts.set(input.key, message.context);
    }
    this.cluster.complete(ctx.id, message.output);
  }

  onTimer(ctx: NodeContext<DynamoMessage>, timer: FiredTimer): void {
    if (timer.data !== this.opId || this.timer < 0) return;
    this.timer = -1;
    this.cluster.complete(ctx.id, {
      kind: "error",
      reason: `timeout: no reply from ${this.home} within ${this.timeoutMs} ms`,
    });
  }
}

/** Options of {@link DynamoCluster}; every field but the seed has a default. */
export interface DynamoOptions {
  readonly seed: number;
  /** Nodes r1..rK on the ring, an integer in [1, 15]. Default 5. */
  readonly replicasCount?: number;
  /** Clients c1..cM, an integer in [1, 64]; ci's coordinator is r((i-1) mod K + 1). Default 4. */
  readonly clientsCount?: number;
  /** Replicas per key, an integer in [1, replicasCount]. Default 3. */
  readonly n?: number;
  /** Replies a read waits for, an integer in [1, n]. Default 2. */
  readonly r?: number;
  /** Acks a write waits for, an integer in [1, n]. Default 2. */
  readonly w?: number;
  /** Sloppy quorum with hinted handoff. Default false (strict quorum: owners only). */
  readonly sloppy?: boolean;
  /** Points per node on the ring. Default 32. */
  readonly vnodes?: number;
  /** A coordinator resends (and, if sloppy, tries a fallback) after this long. Default 20 ms. */
  readonly retryMs?: number;
  /** A coordinator answers "no quorum" after this long; clients wait 50 ms more. Default 200 ms. */
  readonly timeoutMs?: number;
  /** A node tries to hand off its hints this often. Default 100 ms. */
  readonly handoffIntervalMs?: number;
  /** Network defaults. Default: latency uniform in [1, 5] ms. */
  readonly network?: LinkOptions;
  /** Trace capacity (0: no trace). Default 1,000,000. */
  readonly traceEventsMax?: number;
}

const DYNAMO_OPTIONS = [
  "seed",
  "replicasCount",
  "clientsCount",
  "n",
  "r",
  "w",
  "sloppy",
  "vnodes",
  "retryMs",
  "timeoutMs",
  "handoffIntervalMs",
  "network",
  "traceEventsMax",
];

/**
 * A Dynamo-style key-value store on the simulator. Each key's preference list is the clockwise
 * walk of a {@link ConsistentHashRing} over the nodes; its first `n` nodes own the key. A client
 * sends each request to its home node, which coordinates: a write goes to the owners and returns
 * after `w` acks, a read asks the owners and returns after `r` replies, with every sibling
 * (versions whose version vectors are concurrent) it saw; owners that answered with less get the
 * reconciled versions back (read repair). A client writes with the context of its last read, so
 * a write that read both siblings replaces them.
 *
 * With `r + w > n` (strict quorum) every read quorum meets every write quorum, so a read sees the
 * latest completed write; with `r + w <= n` reads can be stale. With `sloppy: true`, an owner
 * that does not ack within `retryMs` is replaced by the next node on the ring, which keeps the
 * write as a hint and hands it off to the owner once it answers again: the store stays writable
 * in a partition, but the quorums no longer need to intersect.
 *
 * @example
 * const store = new DynamoCluster({ seed: 1, n: 3, r: 2, w: 2 });
 * store.invoke("c1", { kind: "write", key: "x", value: "a" });
 * store.runFor(100);
 * store.invoke("c2", { kind: "read", key: "x" });
 * store.runFor(100);
 * store.history[1].output; // { kind: "ok", values: ["a"] }
 */
export class DynamoCluster extends SimCluster<DynamoMessage> {
  readonly n: number;
  readonly r: number;
  readonly w: number;
  readonly sloppy: boolean;
  private readonly ring: ConsistentHashRing<string>;

  constructor(options: DynamoOptions) {
    const checked = requireKnownOptions("DynamoCluster options", options, DYNAMO_OPTIONS);
    const seed = requireSeed(checked.seed, "options.seed");
    const replicasCount = integerOption("options.replicasCount", checked.replicasCount, 5, 1, 15);
    const clientsCount = integerOption("options.clientsCount", checked.clientsCount, 4, 1, 64);
    const n =
      checked.n === undefined
        ? Math.min(3, replicasCount)
        : requireIntegerIn(
            `options.n (replicas per key, <= replicasCount ${replicasCount})`,
            checked.n,
            1,
            replicasCount,
          );
    const r = integerOption(`options.r (read quorum, <= n ${n})`, checked.r, Math.min(2, n), 1, n);
    const w = integerOption(`options.w (write quorum, <= n ${n})`, checked.w, Math.min(2, n), 1, n);
    const settings: DynamoSettings = {
      n,
      r,
      w,
      sloppy: booleanOption("options.sloppy", checked.sloppy, false),
      retryMs: numberOption("options.retryMs", checked.retryMs, 20, 1),
      timeoutMs: numberOption("options.timeoutMs", checked.timeoutMs, 200, 1),
      handoffIntervalMs: numberOption(
        "options.handoffIntervalMs",
        checked.handoffIntervalMs,
        100,
        1,
      ),
    };
    const vnodes = integerOption("options.vnodes", checked.vnodes, 32, 1, 1000);
    const sim = new Simulation<DynamoMessage>({
      seed,
      network: options.network ?? REPLICA_NETWORK_DEFAULT,
      ...(options.traceEventsMax === undefined ? {} : { traceEventsMax: options.traceEventsMax }),
    });
    const replicaIds = numberedIds("r", replicasCount);
    const clientIds = numberedIds("c", clientsCount);
    const name = `Dynamo N=${n} R=${r} W=${w}${settings.sloppy ? " sloppy" : ""}`;
    super(name, sim, replicaIds, clientIds);
    this.n = n;
    this.r = r;
    this.w = w;
    this.sloppy = settings.sloppy;
    this.ring = new ConsistentHashRing<string>({ nodes: replicaIds, vnodes });
    for (const id of replicaIds) sim.addNode(id, () => new DynamoNode(this.ring, settings));
    const clientTimeoutMs = settings.timeoutMs + 50;
    clientIds.forEach((id, i) => {
      const home = replicaIds[i % replicasCount] as NodeId;
      sim.addNode(id, () => new DynamoClient(this, home, clientTimeoutMs));
    });
  }

  /** True when every read quorum meets every write quorum (r + w > n) and quorums are strict. */
  get quorumsIntersect(): boolean {
    return this.r + this.w > this.n && !this.sloppy;
  }

  /** The node that coordinates a client's requests. */
  homeOf(clientId: NodeId): NodeId {
    const index = this.clientIds.indexOf(clientId);
    if (index < 0)
      throw invalidArgument("clientId", `one of ${this.clientIds.join(", ")}`, clientId);
    return this.replicaIds[index % this.replicaIds.length] as NodeId;
  }

  /** The preference list of `key`: every node, clockwise from the key; the first n own it. */
  preferenceList(key: string): NodeId[] {
    return this.ring.getNodes(key, this.ring.size);
  }

  /** The versions node `replicaId` owns for `key` (hints it keeps for others excluded). */
  versionsAt(replicaId: NodeId, key: string): DynamoVersion[] {
    this.requireReplica(replicaId);
    return (this.sim.storageOf(replicaId).get(DATA_PREFIX + key) as DynamoVersion[]) ?? [];
  }

  /** The hints node `replicaId` keeps for unreachable owners. */
  hintsAt(replicaId: NodeId): DynamoHint[] {
    this.requireReplica(replicaId);
    return [...this.sim.storageOf(replicaId)]
      .filter(([name]) => name.startsWith(HINT_PREFIX))
      .map(([, hint]) => hint as DynamoHint)
      .sort((a, b) => (a.hintId < b.hintId ? -1 : 1));
  }

  /** Hints not handed off yet, over all nodes. */
  hintsPending(): number {
    return this.replicaIds.reduce((sum, id) => sum + this.hintsAt(id).length, 0);
  }

  private requireReplica(replicaId: NodeId): void {
    if (!this.replicaIds.includes(replicaId)) {
      throw invalidArgument("replicaId", `one of ${this.replicaIds.join(", ")}`, replicaId);
    }
  }
}

/** Options of {@link sloppyQuorumScenario}. */
export interface SloppyQuorumOptions {
  /** Default 1. */
  readonly seed?: number;
  /** Sloppy quorum with hinted handoff (default true), or a strict quorum to compare. */
  readonly sloppy?: boolean;
}

/** What {@link sloppyQuorumScenario} ran and observed. */
export interface SloppyQuorumResult {
  /** The key's preference list: owners first (n = 3), then the fallbacks. */
  readonly preferenceList: readonly NodeId[];
  /** The nodes cut off with the writer: the first owner, the first fallback and the writer. */
  readonly minority: readonly NodeId[];
  readonly history: readonly ReplicaOperation[];
  readonly trace: DynamoCluster["trace"];
  /** The write of "v2" on the minority side during the partition. */
  readonly partitionedWrite: ReplicaOperation;
  /** A read on the majority side after that write returned, still in the partition. */
  readonly readDuringPartition: ReplicaOperation;
  /** A read on the majority side after the heal and the handoff. */
  readonly readAfterHeal: ReplicaOperation;
  /** Hints waiting at the heal, and after the run. */
  readonly hintsAtHeal: number;
  readonly hintsAtEnd: number;
  /** The versions the second owner holds at the heal and at the end. */
  readonly secondOwnerAtHeal: readonly DynamoVersion[];
  readonly secondOwnerAtEnd: readonly DynamoVersion[];
}

/**
 * Sloppy quorum and hinted handoff (Dynamo §4.6) on 5 nodes, N=3, R=W=2, fixed 2 ms links. The
 * writer's client reads "v1", then the first owner of the key and the first fallback node are cut
 * off together with it. The write of "v2" gets one ack from the first owner and, after 20 ms of
 * silence from the others, one from the fallback, which keeps it as a hint for the second owner:
 * W=2, the write succeeds. A read on the other side asks the second and third owners, R=2, and
 * returns "v1" although "v2" completed before it: R + W > N no longer guarantees an intersection.
 * After the heal the fallback hands the hint to the second owner, and a read returns "v2".
 * With `sloppy: false` the partitioned write fails with "no quorum" instead.
 *
 * @example
 * const run = sloppyQuorumScenario();
 * run.partitionedWrite.output.kind;    // "ok"
 * run.readDuringPartition.output;      // { kind: "ok", values: ["v1"] }: stale
 * run.readAfterHeal.output;            // { kind: "ok", values: ["v2"] }
 */
export function sloppyQuorumScenario(options: SloppyQuorumOptions = {}): SloppyQuorumResult {
  const checked = requireKnownOptions("sloppyQuorumScenario options", options, ["seed", "sloppy"]);
  const seed = requireSeed(checked.seed ?? 1, "options.seed");
  const sloppy = booleanOption("options.sloppy", checked.sloppy, true);
  const cluster = new DynamoCluster({
    seed,
    replicasCount: 5,
    clientsCount: 5,
    n: 3,
    r: 2,
    w: 2,
    sloppy,
    network: { latency: { kind: "fixed", ms: 2 } },
  });
  const key = "x";
  const preference = cluster.preferenceList(key);
  const [owner1, owner2, , fallback1] = preference as [NodeId, NodeId, NodeId, NodeId, NodeId];
  const clientOf = (node: NodeId): NodeId => `c${node.slice(1)}`;
  const writer = clientOf(owner1);
  const reader = clientOf(owner2);
  const minority = [owner1, fallback1, writer];
  const record: Partial<Record<"write" | "during" | "after", ReplicaOperation>> = {};
  cluster.invoke(reader, { kind: "write", key, value: "v1" });
  cluster.at(50, () => cluster.invoke(writer, { kind: "read", key }));
  cluster.at(100, () => cluster.partition([minority]));
  cluster.at(110, () =>
    cluster.invoke(writer, { kind: "write", key, value: "v2" }, (op) => {
      record.write = op;
    }),
  );
  cluster.at(400, () =>
    cluster.invoke(reader, { kind: "read", key }, (op) => {
      record.during = op;
    }),
  );
  cluster.runFor(700);
  cluster.heal();
  const hintsAtHeal = cluster.hintsPending();
  const secondOwnerAtHeal = cluster.versionsAt(owner2, key);
  cluster.at(1200, () =>
    cluster.invoke(reader, { kind: "read", key }, (op) => {
      record.after = op;
    }),
  );
  cluster.runFor(800);
  assert(record.write !== undefined, "the partitioned write returns");
  assert(record.during !== undefined, "the read during the partition returns");
  assert(record.after !== undefined, "the read after the heal returns");
  return {
    preferenceList: preference,
    minority,
    history: cluster.history,
    trace: cluster.trace,
    partitionedWrite: record.write,
    readDuringPartition: record.during,
    readAfterHeal: record.after,
    hintsAtHeal,
    hintsAtEnd: cluster.hintsPending(),
    secondOwnerAtHeal,
    secondOwnerAtEnd: cluster.versionsAt(owner2, key),
  };
}
