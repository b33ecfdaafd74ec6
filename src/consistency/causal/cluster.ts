// The causal store's harness: replicas and client sessions on one simulation, a recorded history
// with virtual call and return times, and convergence checks (Dynamo-style siblings, COPS causal+).

import {
  type LinkOptions,
  type NodeId,
  SEED_MAX,
  Simulation,
  assert,
  integerOption,
  invalidArgument,
  requireKnownOptions,
} from "../../sim/index.js";
import {
  CausalClient,
  type CausalConflictPolicy,
  type CausalMessage,
  CausalReplica,
  type CausalReplicaConfig,
  type CausalVectorJSON,
} from "./store.js";
import type { CausalOperation } from "./types.js";

/** How a {@link CausalCluster} is built. Every field but the seed is optional. */
export interface CausalClusterOptions {
  /** Seed of the simulation: an integer in [0, 2^32 - 1]. */
  readonly seed: number;
  /** Replica ids. Default ["A", "B", "C"]. */
  readonly replicas?: readonly NodeId[];
  /** Client session ids. Default ["alice", "bob", "carol"]. */
  readonly clients?: readonly NodeId[];
  /** Each client's home replica. Default: clients take the replicas in turn. */
  readonly homes?: Readonly<Record<NodeId, NodeId>>;
  /** Clients send their token and replicas wait for it (read your writes, monotonic reads). Default true. */
  readonly sessionGuarantees?: boolean;
  /** False is the "break it" switch: remote writes are applied without waiting for dependencies. Default true. */
  readonly causalDelivery?: boolean;
  /** "siblings" (default) keeps concurrent writes; "higherValueWins" is the seed notes' lossy rule. */
  readonly conflicts?: CausalConflictPolicy;
  /** Network defaults. Default: latency uniform 2 to 8 ms, no loss. */
  readonly network?: LinkOptions;
  /** Anti-entropy period in ms; 0 turns it off. Default 50. */
  readonly antiEntropyIntervalMs?: number;
  /** How long a replica waits for a session token before refusing. Default 300 ms. */
  readonly sessionWaitMsMax?: number;
  /** Client timeout before retrying on the next replica; must exceed sessionWaitMsMax. Default 500 ms. */
  readonly requestTimeoutMs?: number;
  /** Attempts per operation before the client gives up. Default 10. */
  readonly attemptsMax?: number;
  /** Trace capacity (see SimulationOptions). Default 200,000. */
  readonly traceEventsMax?: number;
}

const OPTION_NAMES = [
  "seed",
  "replicas",
  "clients",
  "homes",
  "sessionGuarantees",
  "causalDelivery",
  "conflicts",
  "network",
  "antiEntropyIntervalMs",
  "sessionWaitMsMax",
  "requestTimeoutMs",
  "attemptsMax",
  "traceEventsMax",
];

function idList(name: string, value: unknown, fallback: readonly NodeId[]): NodeId[] {
  if (value === undefined) return [...fallback];
  if (!Array.isArray(value) || value.length === 0) {
    throw invalidArgument(name, "a non-empty array of node ids", value);
  }
  for (const id of value) {
    if (typeof id !== "string" || id.length === 0)
      throw invalidArgument(name, "non-empty strings", id);
  }
  if (new Set(value).size !== value.length) throw invalidArgument(name, "distinct ids", value);
  return [...(value as NodeId[])];
}

function booleanOption(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw invalidArgument(name, "a boolean", value);
  return value;
}

/** What one replica holds: its applied vector, its buffer and every key's siblings. */
export interface CausalReplicaSummary {
  readonly replica: NodeId;
  readonly applied: CausalVectorJSON;
  readonly bufferedCount: number;
  readonly keys: Readonly<Record<string, readonly string[]>>;
}

/**
 * A causal key-value store on a simulation: replicas, client sessions and the history they record.
 * Operations are queued per client and run one at a time; `runFor` / `runUntilIdle` advance time.
 *
 * @example
 * const cluster = new CausalCluster({ seed: 1 });
 * cluster.put("alice", "post", "lunch?");
 * cluster.get("bob", "post");
 * cluster.runUntilIdle();
 * checkCausalConsistency(cluster.history).ok; // true
 */
export class CausalCluster {
  /** The simulation: script faults on it (partition, configureLink, ...). */
  readonly sim: Simulation<CausalMessage>;
  readonly replicas: readonly NodeId[];
  readonly clients: readonly NodeId[];
  private readonly operations: CausalOperation[] = [];
  private readonly listeners: ((op: CausalOperation) => void)[] = [];

  constructor(options: CausalClusterOptions) {
    const known = requireKnownOptions("CausalCluster options", options, OPTION_NAMES);
    const seed = known.seed;
    if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed > SEED_MAX) {
      throw invalidArgument("seed", `an integer in [0, ${SEED_MAX}]`, seed);
    }
    this.replicas = idList("replicas", known.replicas, ["A", "B", "C"]);
    this.clients = idList("clients", known.clients, ["alice", "bob", "carol"]);
    for (const client of this.clients) {
      if (this.replicas.includes(client)) {
        throw invalidArgument("clients", "ids different from the replicas'", client);
      }
    }
    const homes = (known.homes ?? {}) as Record<NodeId, NodeId>;
    for (const [client, home] of Object.entries(homes)) {
      if (!this.clients.includes(client)) throw invalidArgument("homes key", "a client id", client);
      if (!this.replicas.includes(home))
        throw invalidArgument(`homes.${client}`, "a replica id", home);
    }
    const conflicts = known.conflicts ?? "siblings";
    if (conflicts !== "siblings" && conflicts !== "higherValueWins") {
      throw invalidArgument("conflicts", '"siblings" or "higherValueWins"', conflicts);
    }
    const antiEntropyIntervalMs = integerOption(
      "antiEntropyIntervalMs",
      known.antiEntropyIntervalMs,
      50,
      0,
    );
    const sessionWaitMsMax = integerOption("sessionWaitMsMax", known.sessionWaitMsMax, 300, 1);
    const requestTimeoutMs = integerOption("requestTimeoutMs", known.requestTimeoutMs, 500, 1);
    if (requestTimeoutMs <= sessionWaitMsMax) {
      throw invalidArgument(
        "requestTimeoutMs",
        `more than sessionWaitMsMax (${sessionWaitMsMax} ms), so a refusal arrives before a retry`,
        requestTimeoutMs,
      );
    }
    const attemptsMax = integerOption("attemptsMax", known.attemptsMax, 10, 1);
    const sessionGuarantees = booleanOption("sessionGuarantees", known.sessionGuarantees, true);
    const causalDelivery = booleanOption("causalDelivery", known.causalDelivery, true);
    this.sim = new Simulation<CausalMessage>({
      seed,
      network: (known.network as LinkOptions | undefined) ?? {
        latency: { kind: "uniform", minMs: 2, maxMs: 8 },
      },
      traceEventsMax: integerOption("traceEventsMax", known.traceEventsMax, 200_000, 0),
    });
    const replicaConfig: CausalReplicaConfig = {
      replicas: this.replicas,
      causalDelivery,
      conflicts: conflicts as CausalConflictPolicy,
      antiEntropyIntervalMs,
      sessionWaitMsMax,
      writesPerSyncMax: 1000,
    };
    for (const id of this.replicas) this.sim.addNode(id, () => new CausalReplica(replicaConfig));
    this.clients.forEach((id, i) => {
      const home = homes[id] ?? (this.replicas[i % this.replicas.length] as NodeId);
      this.sim.addNode(
        id,
        () =>
          new CausalClient({
            replicas: this.replicas,
            home,
            sessionGuarantees,
            requestTimeoutMs,
            attemptsMax,
            now: () => this.sim.now,
            record: (op) => this.record(op),
          }),
      );
    });
  }

  /** Every finished operation so far, in the order they finished. */
  get history(): readonly CausalOperation[] {
    return this.operations;
  }

  /** Calls `listener` with every operation as it finishes (after it is in the history). */
  onOperation(listener: (op: CausalOperation) => void): void {
    if (typeof listener !== "function") throw invalidArgument("listener", "a function", listener);
    this.listeners.push(listener);
  }

  /** Queues a write of `value` under `key` for `client` (at its home replica unless told). */
  put(
    client: NodeId,
    key: string,
    value: string,
    options: { readonly replica?: NodeId } = {},
  ): void {
    if (typeof value !== "string") throw invalidArgument("value", "a string", value);
    this.enqueue(client, { kind: "write", key, value, ...this.target(options) });
  }

  /** Queues a read of `key` for `client` (at its home replica unless told). */
  get(client: NodeId, key: string, options: { readonly replica?: NodeId } = {}): void {
    this.enqueue(client, { kind: "read", key, ...this.target(options) });
  }

  /** Runs `action` at true time `timeMs` (to script requests and faults). */
  at(timeMs: number, action: () => void): void {
    this.sim.at(timeMs, action);
  }

  /** Advances the simulation by `ms`. */
  runFor(ms: number): void {
    this.sim.runFor(ms);
  }

  /** True when no client has an operation queued or in flight. */
  idle(): boolean {
    return this.clients.every((id) => this.client(id).idle);
  }

  /** Runs until every client is idle; returns the time. Throws after `timeMsMax` (default 60 s). */
  runUntilIdle(timeMsMax = 60_000): number {
    return this.sim.runUntil(() => this.idle(), { timeMsMax });
  }

  /**
   * Heals every partition, then runs until all replicas have applied the same writes with nothing
   * buffered (anti-entropy repairs lost messages). Returns the time; throws after `timeMsMax`.
   */
  converge(timeMsMax = 60_000): number {
    this.sim.heal();
    return this.sim.runUntil(() => this.converged(), { timeMsMax });
  }

  /** True when every replica has applied the same writes, buffers nothing and holds equal siblings. */
  converged(): boolean {
    const summaries = this.replicas.map((id) => this.summary(id));
    const first = JSON.stringify({ ...summaries[0], replica: "" });
    return summaries.every(
      (s) => s.bufferedCount === 0 && JSON.stringify({ ...s, replica: "" }) === first,
    );
  }

  /** The sibling values `replica` holds for `key`, sorted. */
  siblings(replica: NodeId, key: string): string[] {
    return this.replica(replica).siblings(key);
  }

  /** What `replica` holds. */
  summary(replica: NodeId): CausalReplicaSummary {
    const process = this.replica(replica);
    const keys: Record<string, readonly string[]> = {};
    for (const key of process.keys()) keys[key] = process.siblings(key);
    return {
      replica,
      applied: process.appliedVector(),
      bufferedCount: process.bufferedCount,
      keys,
    };
  }

  /** A client's session token (JSON form). */
  token(client: NodeId): CausalVectorJSON {
    return this.client(client).tokenVector();
  }

  private record(op: Omit<CausalOperation, "id">): void {
    const numbered: CausalOperation = { id: this.operations.length, ...op };
    this.operations.push(numbered);
    for (const listener of this.listeners) listener(numbered);
  }

  private target(options: { readonly replica?: NodeId }): { replica?: NodeId } {
    const known = requireKnownOptions("operation options", options, ["replica"]);
    const replica = known.replica;
    if (replica === undefined) return {};
    if (typeof replica !== "string" || !this.replicas.includes(replica)) {
      throw invalidArgument("replica", `one of ${this.replicas.join(", ")}`, replica);
    }
    return { replica };
  }

  private enqueue(client: NodeId, request: Parameters<CausalClient["enqueue"]>[1]): void {
    if (typeof request.key !== "string") throw invalidArgument("key", "a string", request.key);
    const process = this.client(client);
    this.sim.withNode(client, (ctx) => process.enqueue(ctx, request));
  }

  private client(id: NodeId): CausalClient {
    if (!this.clients.includes(id)) {
      throw invalidArgument("client", `one of ${this.clients.join(", ")}`, id);
    }
    const process = this.sim.processOf(id);
    assert(process instanceof CausalClient, "client nodes run CausalClient");
    return process;
  }

  private replica(id: NodeId): CausalReplica {
    if (!this.replicas.includes(id)) {
      throw invalidArgument("replica", `one of ${this.replicas.join(", ")}`, id);
    }
    const process = this.sim.processOf(id);
    assert(process instanceof CausalReplica, "replica nodes run CausalReplica");
    return process;
  }
}
