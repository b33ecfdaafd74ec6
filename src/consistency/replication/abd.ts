// A linearizable read/write register by majority quorums: ABD (Attiya, Bar-Noy and Dolev, JACM
// 1995), multi-writer form with tags (timestamp, writerId). Each key is an independent register.

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
  requireKnownOptions,
} from "../../sim/index.js";
import {
  type ClientProcess,
  SimCluster,
  booleanOption,
  numberOption,
  numberedIds,
  requireSeed,
} from "./cluster.js";
import type { ReplicaInput, ReplicaOperation } from "./types.js";

/**
 * An ABD tag: a logical timestamp and the writer that chose it. Tags order writes: higher
 * timestamp wins, ties broken by writer id, so two writers never produce the same tag.
 */
export interface AbdTag {
  readonly ts: number;
  readonly writer: string;
}

/** The messages of the ABD protocol (clients run the protocol; replicas only store). */
export type AbdMessage =
  | { readonly type: "abdQuery"; readonly phaseId: number; readonly key: string }
  | {
      readonly type: "abdQueryReply";
      readonly phaseId: number;
      readonly tag: AbdTag;
      readonly value: string | null;
    }
  | {
      readonly type: "abdStore";
      readonly phaseId: number;
      readonly key: string;
      readonly tag: AbdTag;
      readonly value: string | null;
    }
  | { readonly type: "abdStoreAck"; readonly phaseId: number };

/** The tag of a register never written. */
export const ABD_TAG_ZERO: AbdTag = { ts: 0, writer: "" };

/** Compares tags: negative, zero or positive as `a` is older than, equal to or newer than `b`. */
export function compareAbdTags(a: AbdTag, b: AbdTag): number {
  if (a.ts !== b.ts) return a.ts - b.ts;
  return a.writer < b.writer ? -1 : a.writer > b.writer ? 1 : 0;
}

interface StoredRegister {
  readonly tag: AbdTag;
  readonly value: string | null;
}

const registerKey = (key: string): string => `abd:${key}`;

/** A replica: answers queries with its (tag, value) and adopts any newer (tag, value) stored. */
class AbdReplica implements Process<AbdMessage> {
  onMessage(ctx: NodeContext<AbdMessage>, message: Envelope<AbdMessage>): void {
    if (message.type === "abdQuery") {
      const stored = ctx.storage.get<StoredRegister>(registerKey(message.key));
      ctx.send(message.from, {
        type: "abdQueryReply",
        phaseId: message.phaseId,
        tag: stored?.tag ?? ABD_TAG_ZERO,
        value: stored?.value ?? null,
      });
    } else if (message.type === "abdStore") {
      const stored = ctx.storage.get<StoredRegister>(registerKey(message.key));
      // Adopt only a newer tag: a replica's tag never goes back (checked below), which is
      // what makes a majority's highest tag the latest completed write.
      if (stored === undefined || compareAbdTags(message.tag, stored.tag) > 0) {
        ctx.storage.set(registerKey(message.key), { tag: message.tag, value: message.value });
      }
      const after = ctx.storage.get<StoredRegister>(registerKey(message.key));
      assert(after !== undefined, "a replica stores what it acknowledges");
      assert(compareAbdTags(after.tag, message.tag) >= 0, "a replica's tag never decreases");
      ctx.send(message.from, { type: "abdStoreAck", phaseId: message.phaseId });
    }
  }
}

type Phase = "idle" | "query" | "store";

/**
 * A client running ABD: phase 1 queries every replica and waits for a majority; phase 2 stores
 * (new tag for a write, the highest tag seen for a read) and waits for a majority of acks.
 */
class AbdClient implements ClientProcess<AbdMessage> {
  private phase: Phase = "idle";
  private phaseId = 0;
  private input: ReplicaInput | undefined;
  private readonly queryReplies = new Map<NodeId, StoredRegister>();
  private readonly acks = new Set<NodeId>();
  private chosen: StoredRegister | undefined;
  private deadlineTimer = -1;

  constructor(
    private readonly cluster: AbdCluster,
    private readonly replicaIds: readonly NodeId[],
    private readonly settings: AbdSettings,
  ) {}

  private get majority(): number {
    return Math.floor(this.replicaIds.length / 2) + 1;
  }

  begin(ctx: NodeContext<AbdMessage>, input: ReplicaInput): void {
    assert(this.phase === "idle", "one operation at a time per client");
    this.input = input;
    this.deadlineTimer = ctx.setTimer(this.settings.timeoutMs, "deadline", this.phaseId + 1);
    this.startPhase(ctx, "query");
  }

  private startPhase(ctx: NodeContext<AbdMessage>, phase: Phase): void {
    this.phase = phase;
    this.phaseId++;
    this.queryReplies.clear();
    this.acks.clear();
    this.sendMissing(ctx);
    ctx.setTimer(this.settings.retryMs, "retry", this.phaseId);
  }

  /** (Re)sends this phase's request to every replica that has not answered it yet. */
  private sendMissing(ctx: NodeContext<AbdMessage>): void {
    const input = this.input as ReplicaInput;
    for (const replica of this.replicaIds) {
      if (this.phase === "query" && !this.queryReplies.has(replica)) {
        ctx.send(replica, { type: "abdQuery", phaseId: this.phaseId, key: input.key });
      } else if (this.phase === "store" && !this.acks.has(replica)) {
        const chosen = this.chosen as StoredRegister;
        ctx.send(replica, {
          type: "abdStore",
          phaseId: this.phaseId,
          key: input.key,
          tag: chosen.tag,
          value: chosen.value,
        });
      }
    }
  }

  onMessage(ctx: NodeContext<AbdMessage>, message: Envelope<AbdMessage>): void {
    if (this.phase === "idle") return;
    if (message.type === "abdQueryReply") {
      if (this.phase !== "query" || message.phaseId !== this.phaseId) return;
      this.queryReplies.set(message.from, { tag: message.tag, value: message.value });
      if (this.queryReplies.size === this.majority) this.afterQuery(ctx);
    } else if (message.type === "abdStoreAck") {
      if (this.phase !== "store" || message.phaseId !== this.phaseId) return;
      this.acks.add(message.from);
      if (this.acks.size === this.majority) this.finish(ctx);
    }
  }

  private afterQuery(ctx: NodeContext<AbdMessage>): void {
    let highest: StoredRegister = { tag: ABD_TAG_ZERO, value: null };
    for (const reply of this.queryReplies.values()) {
      if (compareAbdTags(reply.tag, highest.tag) > 0) highest = reply;
    }
    const input = this.input as ReplicaInput;
    if (input.kind === "write") {
      this.chosen = { tag: { ts: highest.tag.ts + 1, writer: ctx.id }, value: input.value };
      assert(
        compareAbdTags(this.chosen.tag, highest.tag) > 0,
        "a write's tag beats every tag seen",
      );
      this.startPhase(ctx, "store");
    } else {
      this.chosen = highest;
      // The write-back (read repair) makes every later read see at least this tag. Skipping it
      // is the "break it" switch: a read can then return a value a later read does not see.
      if (this.settings.writeBack) this.startPhase(ctx, "store");
      else this.finish(ctx);
    }
  }

  private finish(ctx: NodeContext<AbdMessage>): void {
    const input = this.input as ReplicaInput;
    const chosen = this.chosen as StoredRegister;
    this.phase = "idle";
    this.phaseId++;
    ctx.cancelTimer(this.deadlineTimer);
    this.cluster.recordTag(ctx.id, chosen.tag);
    const values = input.kind === "read" && chosen.value !== null ? [chosen.value] : [];
    this.cluster.complete(ctx.id, { kind: "ok", values });
  }

  onTimer(ctx: NodeContext<AbdMessage>, timer: FiredTimer): void {
    if (this.phase === "idle") return;
    if (timer.name === "retry" && timer.data === this.phaseId) {
      this.sendMissing(ctx);
      ctx.setTimer(this.settings.retryMs, "retry", this.phaseId);
    } else if (timer.name === "deadline") {
      const heard = this.phase === "query" ? this.queryReplies.size : this.acks.size;
      this.phase = "idle";
      this.phaseId++;
      this.cluster.complete(ctx.id, {
        kind: "error",
        reason:
          `no quorum: heard from ${heard} of ` +
          `${this.replicaIds.length} replicas within ${this.settings.timeoutMs} ms ` +
          `(a majority is ${this.majority})`,
      });
    }
  }
}

interface AbdSettings {
  readonly writeBack: boolean;
  readonly retryMs: number;
  readonly timeoutMs: number;
}

/** Options of {@link AbdCluster}; every field but the seed has a default. */
export interface AbdOptions {
  /** Seed of the simulation. */
  readonly seed: number;
  /** Replicas r1..rN, an integer in [1, 15]. Default 3. */
  readonly replicasCount?: number;
  /** Clients c1..cN, an integer in [1, 64]. Default 2. */
  readonly clientsCount?: number;
  /** The read's write-back phase (read repair). false is the "break it" switch. Default true. */
  readonly writeBack?: boolean;
  /** A client resends to replicas that have not answered after this long. Default 20 ms. */
  readonly retryMs?: number;
  /** A client gives up (a "no quorum" error) after this long. Default 200 ms. */
  readonly timeoutMs?: number;
  /** Network defaults. Default: latency uniform in [1, 5] ms, no loss. */
  readonly network?: LinkOptions;
  /** Trace capacity (0: no trace). Default 1,000,000. */
  readonly traceEventsMax?: number;
}

const ABD_OPTIONS = [
  "seed",
  "replicasCount",
  "clientsCount",
  "writeBack",
  "retryMs",
  "timeoutMs",
  "network",
  "traceEventsMax",
];

/** The default network of every store: latency uniform in [1, 5] ms. */
export const REPLICA_NETWORK_DEFAULT: LinkOptions = {
  latency: { kind: "uniform", minMs: 1, maxMs: 5 },
};

/**
 * A linearizable key-value store made of ABD registers (one per key) on the simulator: replicas
 * `r1..rN` store (tag, value); clients `c1..cM` run the protocol.
 *
 * Write: ask every replica for its tag, wait for a majority, pick the highest timestamp, then
 * store (timestamp + 1, clientId) with the value at a majority. Read: ask a majority, take the
 * highest (tag, value), write it back to a majority (read repair), then return it. Any two
 * majorities intersect, so a read sees the latest completed write, and the write-back makes every
 * later read see at least what this read returned. Clients resend to silent replicas every
 * `retryMs`; with no majority after `timeoutMs` (the minority side of a partition) the operation
 * fails with a "no quorum" error instead of answering.
 *
 * @example
 * const abd = new AbdCluster({ seed: 1 });
 * abd.invoke("c1", { kind: "write", key: "x", value: "1" });
 * abd.runFor(100);
 * abd.invoke("c2", { kind: "read", key: "x" });
 * abd.runFor(100);
 * abd.history[1].output; // { kind: "ok", values: ["1"] }
 */
export class AbdCluster extends SimCluster<AbdMessage> {
  private readonly tags = new Map<NodeId, AbdTag>();
  private readonly operationTags = new WeakMap<ReplicaOperation, AbdTag>();

  constructor(options: AbdOptions) {
    const checked = requireKnownOptions("AbdCluster options", options, ABD_OPTIONS);
    const seed = requireSeed(checked.seed, "options.seed");
    const replicasCount = integerOption("options.replicasCount", checked.replicasCount, 3, 1, 15);
    const clientsCount = integerOption("options.clientsCount", checked.clientsCount, 2, 1, 64);
    const settings: AbdSettings = {
      writeBack: booleanOption("options.writeBack", checked.writeBack, true),
      retryMs: numberOption("options.retryMs", checked.retryMs, 20, 1),
      timeoutMs: numberOption("options.timeoutMs", checked.timeoutMs, 200, 1),
    };
    const sim = new Simulation<AbdMessage>({
      seed,
      network: options.network ?? REPLICA_NETWORK_DEFAULT,
      ...(options.traceEventsMax === undefined ? {} : { traceEventsMax: options.traceEventsMax }),
    });
    const replicaIds = numberedIds("r", replicasCount);
    const clientIds = numberedIds("c", clientsCount);
    super(settings.writeBack ? "ABD" : "ABD without write-back", sim, replicaIds, clientIds);
    for (const id of replicaIds) sim.addNode(id, () => new AbdReplica());
    for (const id of clientIds) sim.addNode(id, () => new AbdClient(this, replicaIds, settings));
  }

  /** @internal The tag a client's finishing operation read or wrote. */
  recordTag(clientId: NodeId, tag: AbdTag): void {
    this.tags.set(clientId, tag);
  }

  override complete(clientId: NodeId, output: ReplicaOperation["output"]): void {
    super.complete(clientId, output);
    const operation = this.history[this.history.length - 1] as ReplicaOperation;
    const tag = this.tags.get(clientId);
    if (output.kind === "ok" && tag !== undefined) this.operationTags.set(operation, tag);
    this.tags.delete(clientId);
  }

  /** The tag an operation of this cluster's history read or wrote (undefined for a failure). */
  tagOf(operation: ReplicaOperation): AbdTag | undefined {
    return this.operationTags.get(operation);
  }

  /** The (tag, value) replica `replicaId` holds for `key` now. */
  registerAt(replicaId: NodeId, key: string): { tag: AbdTag; value: string | null } {
    const stored = this.sim.storageOf(replicaId).get(registerKey(key)) as
      StoredRegister | undefined;
    return stored ?? { tag: ABD_TAG_ZERO, value: null };
  }
}

/** Options of {@link abdInversionScenario}. */
export interface AbdInversionOptions {
  /** The read's write-back phase. Default false: the broken register that shows the inversion. */
  readonly writeBack?: boolean;
  /** Seed of the simulation (the script is fixed, so it changes little). Default 1. */
  readonly seed?: number;
}

/** What {@link abdInversionScenario} ran and observed. */
export interface AbdInversionResult {
  /** c1 writes "old", then "new"; c2 reads, then c3 reads after c2 has returned. */
  readonly history: readonly ReplicaOperation[];
  readonly trace: AbdCluster["trace"];
  /** c2's read, which saw "new" on r1. */
  readonly firstRead: ReplicaOperation;
  /** c3's read, called after `firstRead` returned. */
  readonly secondRead: ReplicaOperation;
  /** True when the first read returned "new" and the later one "old": not linearizable. */
  readonly inverted: boolean;
}

/**
 * The new/old inversion that ABD's write-back prevents, scripted on 3 replicas and fixed 2 ms
 * links. c1 writes "old" everywhere, then writes "new": its store reaches r1 at once but r2 and r3
 * only 300 ms later (slow links). Meanwhile c2 reads from {r1, r2} (its link to r3 is slow) and
 * sees "new"; after c2 returns, c3 reads from {r2, r3} (its link to r1 is slow).
 *
 * Without write-back c3 reads "old" after c2 read "new": a history no single order of the
 * operations explains, so not linearizable (the write being still in flight does not excuse it).
 * With write-back c2 stored "new" at r2 before returning, and c3 sees it.
 *
 * @example
 * abdInversionScenario({ writeBack: false }).inverted; // true
 * abdInversionScenario({ writeBack: true }).inverted;  // false
 */
export function abdInversionScenario(options: AbdInversionOptions = {}): AbdInversionResult {
  const checked = requireKnownOptions("abdInversionScenario options", options, [
    "writeBack",
    "seed",
  ]);
  const writeBack = booleanOption("options.writeBack", checked.writeBack, false);
  const seed = requireSeed(checked.seed ?? 1, "options.seed");
  const fast = { latency: { kind: "fixed", ms: 2 } } as const;
  const slow = { latency: { kind: "fixed", ms: 300 } } as const;
  const cluster = new AbdCluster({
    seed,
    replicasCount: 3,
    clientsCount: 3,
    writeBack,
    network: fast,
    retryMs: 1000,
    timeoutMs: 2000,
  });
  const sim = cluster.sim;
  sim.configureLink("c2", "r3", slow);
  sim.configureLink("c3", "r1", slow);
  cluster.invoke("c1", { kind: "write", key: "x", value: "old" });
  cluster.runFor(50);
  cluster.invoke("c1", { kind: "write", key: "x", value: "new" });
  // After the write's query phase went out (t=50) and before its store phase (t=54).
  sim.at(52, () => {
    sim.configureLink("c1", "r2", slow);
    sim.configureLink("c1", "r3", slow);
  });
  let firstRead: ReplicaOperation | undefined;
  let secondRead: ReplicaOperation | undefined;
  sim.at(60, () =>
    cluster.invoke("c2", { kind: "read", key: "x" }, (operation) => {
      firstRead = operation;
      // 1 ms later, so the second read strictly follows the first in real time.
      sim.schedule(1, () =>
        cluster.invoke("c3", { kind: "read", key: "x" }, (later) => {
          secondRead = later;
        }),
      );
    }),
  );
  cluster.runFor(1000);
  assert(firstRead !== undefined, "the first read returns");
  assert(secondRead !== undefined, "the second read returns");
  const valueOf = (operation: ReplicaOperation) =>
    operation.output.kind === "ok" ? operation.output.values[0] : undefined;
  return {
    history: cluster.history,
    trace: cluster.trace,
    firstRead,
    secondRead,
    inverted: valueOf(firstRead) === "new" && valueOf(secondRead) === "old",
  };
}
