// Eventual consistency: asynchronous replication plus anti-entropy by Merkle-tree comparison
// (Demers et al. 1987 "Epidemic algorithms"; Dynamo, SOSP 2007 §4.7). Conflicts: last writer wins.

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
  requireKnownOptions,
} from "../../sim/index.js";
import { REPLICA_NETWORK_DEFAULT } from "./abd.js";
import {
  type ClientMessage,
  RequestClient,
  SimCluster,
  booleanOption,
  numberOption,
  numberedIds,
  requireSeed,
} from "./cluster.js";
import { MERKLE_DEPTH_MAX, MerkleTree } from "./merkle.js";

/**
 * A stored version: the value and its last-writer-wins timestamp, a Lamport clock `ts` with the
 * replica that took the write as tie-breaker. Among two versions of a key, the one with the
 * higher (ts, replica) wins everywhere, so replicas converge; the other value is lost.
 */
export interface LwwEntry {
  readonly key: string;
  readonly value: string;
  readonly ts: number;
  readonly replica: string;
}

/** How replicas repair what asynchronous replication missed. */
export type AntiEntropyMode = "merkle" | "full" | "off";

/** The messages of the eventually consistent store. */
export type EventualMessage =
  | ClientMessage
  | { readonly type: "push"; readonly entry: LwwEntry }
  | {
      readonly type: "aeCompare";
      readonly level: number;
      /** [node index at `level`, sender's hash] pairs. */
      readonly nodes: readonly (readonly [number, string])[];
    }
  | {
      readonly type: "aeKeys";
      readonly buckets: readonly number[];
      /** [key, digest] of every key the sender has in `buckets`. */
      readonly digests: readonly (readonly [string, string])[];
    }
  | {
      readonly type: "aeEntries";
      readonly entries: readonly LwwEntry[];
      /** Keys the sender wants the receiver's versions of. */
      readonly want: readonly string[];
    }
  | { readonly type: "aeFull"; readonly entries: readonly LwwEntry[]; readonly reply: boolean };

/** True if `a` wins over `b` under last-writer-wins by (ts, replica). */
export function lwwWins(a: LwwEntry, b: LwwEntry): boolean {
  if (a.ts !== b.ts) return a.ts > b.ts;
  return a.replica > b.replica;
}

const ENTRY_PREFIX = "lww:";
const CLOCK_KEY = "lamport";

interface EventualSettings {
  readonly antiEntropy: AntiEntropyMode;
  readonly antiEntropyIntervalMs: number;
  readonly merkleDepth: number;
  readonly push: boolean;
}

const contentOf = (entry: LwwEntry): string => `${entry.value}@${entry.ts}:${entry.replica}`;

/** A replica: serves reads locally, takes writes locally, pushes them, runs anti-entropy. */
class EventualReplica implements Process<EventualMessage> {
  // Volatile: rebuilt from stable storage at every start.
  readonly tree: MerkleTree;
  private readonly entries = new Map<string, LwwEntry>();

  constructor(private readonly settings: EventualSettings) {
    this.tree = new MerkleTree({ depth: settings.merkleDepth });
  }

  onStart(ctx: NodeContext<EventualMessage>): void {
    for (const name of ctx.storage.keys()) {
      if (!name.startsWith(ENTRY_PREFIX)) continue;
      const entry = ctx.storage.get<LwwEntry>(name) as LwwEntry;
      this.entries.set(entry.key, entry);
      this.tree.set(entry.key, contentOf(entry));
    }
    if (this.settings.antiEntropy !== "off") this.armAntiEntropy(ctx);
  }

  /** The entry held for `key`. */
  entry(key: string): LwwEntry | undefined {
    return this.entries.get(key);
  }

  /** Every entry, sorted by key. */
  allEntries(): LwwEntry[] {
    return [...this.entries.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Applies `entry` if it wins over what is held; returns true if it changed the replica. */
  apply(ctx: NodeContext<EventualMessage>, entry: LwwEntry): boolean {
    // Lamport: a later local write must carry a higher timestamp than anything seen.
    const clock = ctx.storage.get<number>(CLOCK_KEY) ?? 0;
    if (entry.ts > clock) ctx.storage.set(CLOCK_KEY, entry.ts);
    const held = this.entries.get(entry.key);
    if (held !== undefined && !lwwWins(entry, held)) return false;
    this.entries.set(entry.key, entry);
    ctx.storage.set(ENTRY_PREFIX + entry.key, entry);
    this.tree.set(entry.key, contentOf(entry));
    return true;
  }

  onMessage(ctx: NodeContext<EventualMessage>, message: Envelope<EventualMessage>): void {
    switch (message.type) {
      case "request":
        return this.serve(ctx, message);
      case "push":
        this.apply(ctx, message.entry);
        return;
      case "aeCompare":
        return this.compare(ctx, message);
      case "aeKeys":
        return this.compareKeys(ctx, message);
      case "aeEntries": {
        for (const entry of message.entries) this.apply(ctx, entry);
        if (message.want.length > 0) {
          const entries = message.want
            .map((key) => this.entries.get(key))
            .filter((entry): entry is LwwEntry => entry !== undefined);
          ctx.send(message.from, { type: "aeEntries", entries, want: [] });
        }
        return;
      }
      case "aeFull": {
        for (const entry of message.entries) this.apply(ctx, entry);
        if (message.reply) {
          ctx.send(message.from, { type: "aeFull", entries: this.allEntries(), reply: false });
        }
        return;
      }
      case "reply":
        return;
    }
  }

  private serve(
    ctx: NodeContext<EventualMessage>,
    message: Envelope<EventualMessage & { type: "request" }>,
  ): void {
    const input = message.input;
    if (input.kind === "read") {
      const held = this.entries.get(input.key);
      const values = held === undefined ? [] : [held.value];
      ctx.send(message.from, { type: "reply", opId: message.opId, output: { kind: "ok", values } });
      return;
    }
    const ts = (ctx.storage.get<number>(CLOCK_KEY) ?? 0) + 1;
    const entry: LwwEntry = { key: input.key, value: input.value, ts, replica: ctx.id };
    const applied = this.apply(ctx, entry);
    assert(applied, "a local write carries the highest timestamp this replica has seen");
    // Answer first, replicate after: the client does not wait for the other replicas.
    ctx.send(message.from, {
      type: "reply",
      opId: message.opId,
      output: { kind: "ok", values: [] },
    });
    if (this.settings.push) {
      for (const peer of ctx.nodeIds()) {
        if (peer !== ctx.id && isReplicaId(peer)) ctx.send(peer, { type: "push", entry });
      }
    }
  }

  private armAntiEntropy(ctx: NodeContext<EventualMessage>): void {
    // A random phase per replica, so rounds do not all start at the same instant.
    const delayMs = this.settings.antiEntropyIntervalMs * (0.5 + ctx.random());
    ctx.setTimer(delayMs, "antiEntropy");
  }

  onTimer(ctx: NodeContext<EventualMessage>, timer: FiredTimer): void {
    if (timer.name !== "antiEntropy") return;
    const peers = ctx.nodeIds().filter((id) => id !== ctx.id && isReplicaId(id));
    if (peers.length > 0) {
      const peer = peers[ctx.randomInt(0, peers.length - 1)] as NodeId;
      if (this.settings.antiEntropy === "merkle") {
        ctx.send(peer, { type: "aeCompare", level: 0, nodes: [[0, this.tree.rootHash()]] });
      } else {
        ctx.send(peer, { type: "aeFull", entries: this.allEntries(), reply: true });
      }
    }
    ctx.setTimer(this.settings.antiEntropyIntervalMs, "antiEntropy");
  }

  /** One level of the descent: answer with my hashes of the children of the differing nodes. */
  private compare(
    ctx: NodeContext<EventualMessage>,
    message: Envelope<EventualMessage & { type: "aeCompare" }>,
  ): void {
    const differing = message.nodes
      .filter(([index, hash]) => this.tree.hashAt(message.level, index) !== hash)
      .map(([index]) => index);
    if (differing.length === 0) return;
    if (message.level === this.tree.depth) {
      const digests: [string, string][] = [];
      for (const bucket of differing) digests.push(...this.tree.bucketDigests(bucket));
      ctx.send(message.from, { type: "aeKeys", buckets: differing, digests });
      return;
    }
    const level = message.level + 1;
    const nodes: [number, string][] = [];
    for (const index of differing) {
      for (const child of [2 * index, 2 * index + 1]) {
        nodes.push([child, this.tree.hashAt(level, child)]);
      }
    }
    ctx.send(message.from, { type: "aeCompare", level, nodes });
  }

  /** The leaves differ: send my versions of the keys that differ and ask for the peer's. */
  private compareKeys(
    ctx: NodeContext<EventualMessage>,
    message: Envelope<EventualMessage & { type: "aeKeys" }>,
  ): void {
    const theirs = new Map(message.digests);
    const entries: LwwEntry[] = [];
    const want: string[] = [];
    for (const bucket of message.buckets) {
      for (const [key, digest] of this.tree.bucketDigests(bucket)) {
        if (theirs.get(key) !== digest) entries.push(this.entries.get(key) as LwwEntry);
      }
    }
    for (const [key, digest] of theirs) {
      if (this.tree.digestOf(key) !== digest) want.push(key);
    }
    if (entries.length > 0 || want.length > 0) {
      ctx.send(message.from, { type: "aeEntries", entries, want });
    }
  }
}

const isReplicaId = (id: NodeId): boolean => id.startsWith("r");

/** Options of {@link EventualCluster}; every field but the seed has a default. */
export interface EventualOptions {
  readonly seed: number;
  /** Replicas r1..rN, an integer in [1, 15]. Default 3. */
  readonly replicasCount?: number;
  /** Clients c1..cM, an integer in [1, 64]; client ci talks to replica r((i-1) mod N + 1). Default 3. */
  readonly clientsCount?: number;
  /** Anti-entropy: `"merkle"` (default), `"full"` (send every entry both ways) or `"off"`. */
  readonly antiEntropy?: AntiEntropyMode;
  /** A replica starts a round with a random peer every this many ms. Default 100. */
  readonly antiEntropyIntervalMs?: number;
  /** Depth of each replica's Merkle tree, an integer in [0, 20]. Default 6 (64 buckets). */
  readonly merkleDepth?: number;
  /** Push each write to the other replicas right after answering. Default true. */
  readonly push?: boolean;
  /** A client gives up after this long without a reply. Default 200 ms. */
  readonly timeoutMs?: number;
  /** Network defaults. Default: latency uniform in [1, 5] ms. */
  readonly network?: LinkOptions;
  /** Trace capacity (0: no trace). Default 1,000,000. */
  readonly traceEventsMax?: number;
}

const EVENTUAL_OPTIONS = [
  "seed",
  "replicasCount",
  "clientsCount",
  "antiEntropy",
  "antiEntropyIntervalMs",
  "merkleDepth",
  "push",
  "timeoutMs",
  "network",
  "traceEventsMax",
];

const MODES: readonly AntiEntropyMode[] = ["merkle", "full", "off"];

/**
 * An eventually consistent key-value store: a client's home replica applies a write locally,
 * answers at once, then pushes it to the other replicas (asynchronous replication: a lost push
 * is not retried). Reads are answered locally, so they may be stale. Anti-entropy repairs what
 * pushes missed: every `antiEntropyIntervalMs` a replica sends its Merkle root to a random peer;
 * where hashes differ the two descend level by level, then exchange only the differing keys.
 *
 * Conflicts are resolved by last-writer-wins on (Lamport timestamp, replica id): replicas agree
 * on the winner, but of two concurrent writes to a key ONE VALUE IS SILENTLY LOST. A Lamport
 * clock at least never lets a write lose to one it has seen (LWW on skewed physical clocks
 * can); to keep concurrent values as siblings instead, use a causal store with version vectors.
 *
 * @example
 * const store = new EventualCluster({ seed: 1 });
 * store.partition([["r1", "c1"]]);
 * store.invoke("c1", { kind: "write", key: "x", value: "a" });
 * store.runFor(50);                 // r1 answered; its push to r2, r3 was lost
 * store.heal();
 * store.runFor(500);
 * store.converged();                // true: anti-entropy carried x to r2 and r3
 */
export class EventualCluster extends SimCluster<EventualMessage> {
  /** The anti-entropy mode. */
  readonly antiEntropy: AntiEntropyMode;

  constructor(options: EventualOptions) {
    const checked = requireKnownOptions("EventualCluster options", options, EVENTUAL_OPTIONS);
    const seed = requireSeed(checked.seed, "options.seed");
    const replicasCount = integerOption("options.replicasCount", checked.replicasCount, 3, 1, 15);
    const clientsCount = integerOption("options.clientsCount", checked.clientsCount, 3, 1, 64);
    const antiEntropy = checked.antiEntropy ?? "merkle";
    if (!MODES.includes(antiEntropy as AntiEntropyMode)) {
      throw invalidArgument("options.antiEntropy", '"merkle", "full" or "off"', antiEntropy);
    }
    const settings: EventualSettings = {
      antiEntropy: antiEntropy as AntiEntropyMode,
      antiEntropyIntervalMs: numberOption(
        "options.antiEntropyIntervalMs",
        checked.antiEntropyIntervalMs,
        100,
        1,
      ),
      merkleDepth: integerOption(
        "options.merkleDepth",
        checked.merkleDepth,
        6,
        0,
        MERKLE_DEPTH_MAX,
      ),
      push: booleanOption("options.push", checked.push, true),
    };
    const timeoutMs = numberOption("options.timeoutMs", checked.timeoutMs, 200, 1);
    const sim = new Simulation<EventualMessage>({
      seed,
      network: options.network ?? REPLICA_NETWORK_DEFAULT,
      ...(options.traceEventsMax === undefined ? {} : { traceEventsMax: options.traceEventsMax }),
    });
    const replicaIds = numberedIds("r", replicasCount);
    const clientIds = numberedIds("c", clientsCount);
    super(`eventual (LWW, anti-entropy ${settings.antiEntropy})`, sim, replicaIds, clientIds);
    this.antiEntropy = settings.antiEntropy;
    for (const id of replicaIds) sim.addNode(id, () => new EventualReplica(settings));
    clientIds.forEach((id, i) => {
      const home = replicaIds[i % replicasCount] as NodeId;
      sim.addNode(id, () => new RequestClient<EventualMessage>(this, home, timeoutMs));
    });
  }

  /** The replica a client sends its operations to. */
  homeOf(clientId: NodeId): NodeId {
    const index = this.clientIds.indexOf(clientId);
    if (index < 0)
      throw invalidArgument("clientId", `one of ${this.clientIds.join(", ")}`, clientId);
    return this.replicaIds[index % this.replicaIds.length] as NodeId;
  }

  private replica(id: NodeId): EventualReplica {
    if (!this.replicaIds.includes(id)) {
      throw invalidArgument("replicaId", `one of ${this.replicaIds.join(", ")}`, id);
    }
    const process = this.sim.processOf(id);
    if (process === undefined) throw invalidArgument("replicaId", "a running replica", id);
    return process as EventualReplica;
  }

  /** Writes the same entries at every replica directly (no messages), as a common starting state. */
  preload(values: Readonly<Record<string, string>>): void {
    for (const id of this.replicaIds) {
      this.sim.withNode(id, (ctx, process) => {
        for (const [key, value] of Object.entries(values)) {
          (process as EventualReplica).apply(ctx, { key, value, ts: 1, replica: "preload" });
        }
      });
    }
  }

  /** key → value at one replica, sorted by key. */
  valuesAt(replicaId: NodeId): Map<string, string> {
    return new Map(
      this.replica(replicaId)
        .allEntries()
        .map((e) => [e.key, e.value]),
    );
  }

  /** The entries at one replica, sorted by key. */
  entriesAt(replicaId: NodeId): LwwEntry[] {
    return this.replica(replicaId).allEntries();
  }

  /** The Merkle root hash of one replica. */
  rootHashAt(replicaId: NodeId): string {
    return this.replica(replicaId).tree.rootHash();
  }

  /** True when every replica runs and all hold the same entries (equal Merkle roots). */
  converged(): boolean {
    if (!this.replicaIds.every((id) => this.sim.isUp(id))) return false;
    const root = this.rootHashAt(this.replicaIds[0] as NodeId);
    return this.replicaIds.every((id) => this.rootHashAt(id) === root);
  }
}

/** Options of {@link antiEntropyExperiment}; every field has a default. */
export interface AntiEntropyOptions {
  /** Default 1. */
  readonly seed?: number;
  /** Keys every replica holds before the partition, an integer in [1, 200000]. Default 1000. */
  readonly keysCount?: number;
  /** Writes made during the partition (half on each side), an integer in [1, 1000]. Default 10. */
  readonly divergentWritesCount?: number;
  /** Merkle tree depth. Default 8 (256 buckets). */
  readonly merkleDepth?: number;
  /** Anti-entropy period. Default 100 ms. */
  readonly antiEntropyIntervalMs?: number;
}

/** One anti-entropy mode's run, from the heal until every replica holds the same entries. */
export interface AntiEntropyRun {
  readonly mode: "merkle" | "full";
  /** Simulated ms from the heal until all replicas were equal. */
  readonly convergenceMs: number;
  /** Messages and bytes sent from the heal to convergence (only anti-entropy runs then). */
  readonly messagesCount: number;
  readonly bytesCount: number;
  /** Messages and bytes per simulated second once all replicas are in sync (the standing cost). */
  readonly inSyncMessagesPerSecond: number;
  readonly inSyncBytesPerSecond: number;
}

/** What {@link antiEntropyExperiment} measured for both modes on the same run. */
export interface AntiEntropyResult {
  readonly keysCount: number;
  readonly divergentWritesCount: number;
  readonly merkle: AntiEntropyRun;
  readonly full: AntiEntropyRun;
}

/**
 * How much anti-entropy costs to repair a partition, by Merkle comparison against sending every
 * entry. Three replicas start with the same `keysCount` keys; r1 (with c1) is cut off while c1
 * and c2 write `divergentWritesCount` keys on both sides; then the partition heals and the run
 * goes on until every replica holds the same entries. Both modes run the same seed and script.
 *
 * @example
 * const { merkle, full } = antiEntropyExperiment({ keysCount: 1000, divergentWritesCount: 10 });
 * merkle.bytesCount < full.bytesCount; // true: only the differing keys cross the wire
 */
export function antiEntropyExperiment(options: AntiEntropyOptions = {}): AntiEntropyResult {
  const checked = requireKnownOptions("antiEntropyExperiment options", options, [
    "seed",
    "keysCount",
    "divergentWritesCount",
    "merkleDepth",
    "antiEntropyIntervalMs",
  ]);
  const seed = requireSeed(checked.seed ?? 1, "options.seed");
  const keysCount = integerOption("options.keysCount", checked.keysCount, 1000, 1, 200_000);
  const writes = integerOption(
    "options.divergentWritesCount",
    checked.divergentWritesCount,
    10,
    1,
    1000,
  );
  const merkleDepth = integerOption(
    "options.merkleDepth",
    checked.merkleDepth,
    8,
    0,
    MERKLE_DEPTH_MAX,
  );
  const intervalMs = numberOption(
    "options.antiEntropyIntervalMs",
    checked.antiEntropyIntervalMs,
    100,
    1,
  );
  const run = (mode: "merkle" | "full"): AntiEntropyRun => {
    const cluster = new EventualCluster({
      seed,
      antiEntropy: mode,
      merkleDepth,
      antiEntropyIntervalMs: intervalMs,
      traceEventsMax: 0,
    });
    const initial: Record<string, string> = {};
    for (let i = 0; i < keysCount; i++) initial[`k${i}`] = "v0";
    cluster.preload(initial);
    cluster.partition([["r1", "c1"]]);
    for (let i = 0; i < writes; i++) {
      const client = i % 2 === 0 ? "c1" : "c2";
      cluster.at(10 + 20 * i, () =>
        cluster.invoke(client, { kind: "write", key: `k${i % keysCount}`, value: `w${i}` }),
      );
    }
    cluster.runFor(20 * writes + 200);
    cluster.heal();
    const healMs = cluster.nowMs;
    const before = cluster.stats;
    const convergedMs = cluster.sim.runUntil(() => cluster.converged(), { timeMsMax: 600_000 });
    const after = cluster.stats;
    // The standing cost: one simulated second with every replica in sync.
    cluster.runFor(1000);
    const later = cluster.stats;
    return {
      mode,
      convergenceMs: convergedMs - healMs,
      messagesCount: after.messagesSent - before.messagesSent,
      bytesCount: after.bytesSent - before.bytesSent,
      inSyncMessagesPerSecond: later.messagesSent - after.messagesSent,
      inSyncBytesPerSecond: later.bytesSent - after.bytesSent,
    };
  };
  return { keysCount, divergentWritesCount: writes, merkle: run("merkle"), full: run("full") };
}
