// The harness every replicated store shares: client nodes that record a history of operations
// with true call and return times (Herlihy and Wing 1990, §2), and option checks.

import {
  type Envelope,
  type FiredTimer,
  type Message,
  type NodeContext,
  type NodeId,
  type Process,
  SEED_MAX,
  Simulation,
  type SimulationStats,
  type TraceEvent,
  assert,
  invalidArgument,
} from "../../sim/index.js";
import type { ReplicaCluster, ReplicaInput, ReplicaOperation, ReplicaOutput } from "./types.js";

/** @internal Checks a seed: an integer in [0, 2^32 - 1]. */
export function requireSeed(seed: unknown, name = "seed"): number {
  if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed > SEED_MAX) {
    throw invalidArgument(name, `an integer in [0, ${SEED_MAX}]`, seed);
  }
  return seed;
}

/** @internal An optional finite number >= min; `fallback` when undefined. */
export function numberOption(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
    throw invalidArgument(name, `a finite number >= ${min}`, value);
  }
  return value;
}

/** @internal An optional boolean; `fallback` when undefined. */
export function booleanOption(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw invalidArgument(name, "a boolean", value);
  return value;
}

/** @internal Checks a client input: a read or a write with a string key (and value). */
export function requireInput(input: unknown): ReplicaInput {
  const candidate = input as { kind?: unknown; key?: unknown; value?: unknown } | null;
  const allowed = '{ kind: "read", key: string } or { kind: "write", key: string, value: string }';
  if (typeof candidate !== "object" || candidate === null) {
    throw invalidArgument("operation input", allowed, input);
  }
  if (typeof candidate.key !== "string")
    throw invalidArgument("operation key", "a string", candidate.key);
  if (candidate.kind === "read") return input as ReplicaInput;
  if (candidate.kind !== "write")
    throw invalidArgument("operation kind", '"read" or "write"', candidate.kind);
  if (typeof candidate.value !== "string") {
    throw invalidArgument("written value", "a string", candidate.value);
  }
  return input as ReplicaInput;
}

/** Node ids `prefix1..prefixN`. */
export function numberedIds(prefix: string, count: number): NodeId[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
}

/** @internal What a client process offers the harness: start one operation. */
export interface ClientProcess<M extends Message> extends Process<M> {
  begin(ctx: NodeContext<M>, input: ReplicaInput): void;
}

interface InFlight {
  readonly input: ReplicaInput;
  readonly callMs: number;
  readonly done: ((operation: ReplicaOperation) => void) | undefined;
}

/**
 * @internal A simulation with replicas and clients that records every client operation. Client
 * processes report the end of an operation through `complete`.
 */
export class SimCluster<M extends Message> implements ReplicaCluster {
  readonly history: ReplicaOperation[] = [];
  private readonly clientNumbers = new Map<NodeId, number>();
  private readonly inFlight = new Map<NodeId, InFlight>();

  constructor(
    readonly name: string,
    readonly sim: Simulation<M>,
    readonly replicaIds: readonly NodeId[],
    readonly clientIds: readonly NodeId[],
  ) {
    clientIds.forEach((id, index) => this.clientNumbers.set(id, index));
  }

  get nowMs(): number {
    return this.sim.now;
  }

  get stats(): SimulationStats {
    return this.sim.stats;
  }

  get trace(): readonly TraceEvent[] {
    return this.sim.trace;
  }

  invoke(
    clientId: NodeId,
    input: ReplicaInput,
    done?: (operation: ReplicaOperation) => void,
  ): void {
    if (!this.clientNumbers.has(clientId)) {
      throw invalidArgument("clientId", `one of ${this.clientIds.join(", ")}`, clientId);
    }
    requireInput(input);
    if (this.inFlight.has(clientId)) {
      throw invalidArgument("clientId", "an idle client (one operation at a time)", clientId);
    }
    this.inFlight.set(clientId, { input, callMs: this.sim.now, done });
    this.sim.withNode(clientId, (ctx, process) => (process as ClientProcess<M>).begin(ctx, input));
  }

  isIdle(clientId: NodeId): boolean {
    return !this.inFlight.has(clientId);
  }

  /** Called by a client process when its operation returns. */
  complete(clientId: NodeId, output: ReplicaOutput): void {
    const flight = this.inFlight.get(clientId);
    assert(flight !== undefined, "a client completes only an operation it started");
    this.inFlight.delete(clientId);
    const operation: ReplicaOperation = {
      clientId: this.clientNumbers.get(clientId) as number,
      input: flight.input,
      call: flight.callMs,
      output,
      return: this.sim.now,
    };
    assert(operation.return >= operation.call, "an operation returns after it is called");
    this.history.push(operation);
    flight.done?.(operation);
  }

  runFor(ms: number): void {
    this.sim.runFor(ms);
  }

  at(timeMs: number, action: () => void): void {
    this.sim.at(timeMs, action);
  }

  partition(groups: readonly (readonly NodeId[])[]): void {
    this.sim.partition(groups);
  }

  heal(): void {
    this.sim.heal();
  }
}

/** Request and reply between a client and the replica it talks to. */
export type ClientMessage =
  | { readonly type: "request"; readonly opId: number; readonly input: ReplicaInput }
  | { readonly type: "reply"; readonly opId: number; readonly output: ReplicaOutput };

/**
 * @internal A client that sends each operation to one home replica and waits for its reply, up to
 * `timeoutMs`; a reply that comes later is ignored (the operation already failed with a timeout).
 */
export class RequestClient<M extends Message> implements ClientProcess<M> {
  private opId = 0;
  private timer = -1;

  constructor(
    private readonly cluster: SimCluster<M>,
    private readonly home: NodeId,
    private readonly timeoutMs: number,
  ) {}

  begin(ctx: NodeContext<M>, input: ReplicaInput): void {
    this.opId++;
    ctx.send(this.home, { type: "request", opId: this.opId, input } as unknown as M);
    this.timer = ctx.setTimer(this.timeoutMs, "timeout", this.opId);
  }

  onMessage(ctx: NodeContext<M>, envelope: Envelope<M>): void {
    const message = envelope as unknown as Envelope<ClientMessage>;
    if (message.type !== "reply" || message.opId !== this.opId || this.timer < 0) return;
    ctx.cancelTimer(this.timer);
    this.timer = -1;
    this.cluster.complete(ctx.id, message.output);
  }

  onTimer(_ctx: NodeContext<M>, timer: FiredTimer): void {
    if (timer.data !== this.opId || this.timer < 0) return;
    this.timer = -1;
    this.cluster.complete(_ctx.id, {
      kind: "error",
      reason: `timeout: no reply from ${this.home} within ${this.timeoutMs} ms`,
    });
  }
}
