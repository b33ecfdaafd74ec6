// LeaseElection: a lease store, candidates and a fenced resource on one simulation, with faults,
// a safety checker and the two classic stories (Kleppmann 2016, "Making the lock safe with fencing").

import {
  InvariantViolation,
  integerOption,
  invalidArgument,
  requireIntegerAtLeast,
  requireKnownOptions,
  requireNumberAtLeast,
} from "../sim/assert.js";
import type { ClockSettings } from "../sim/clock.js";
import { Simulation } from "../sim/simulation.js";
import type { LinkOptions, NodeId, TraceEvent } from "../sim/types.js";
import { runCheckedUntil } from "../consensus/raft/checked-run.js";
import {
  FencedResource,
  type FencedWrite,
  LeaseCandidate,
  type LeaseMessage,
  type LeaseRecord,
  LeaseStore,
  leaseUsableMs,
} from "./lease.js";

/** How a {@link LeaseElection} is set up. */
export interface LeaseElectionOptions {
  /** Number of candidates "c0" .. "c{n-1}". */
  readonly candidates: number;
  /** Seed of the run: same seed and same script, same run. */
  readonly seed: number;
  /** Lease length on the store's clock. Default 300. */
  readonly ttlMs?: number;
  /** The resource checks fencing tokens (default true); false is the "break it" switch. */
  readonly fencing?: boolean;
  /**
   * Clock rate error every node is assumed to stay within, a fraction in [0, 1). Default 0.01.
   * A candidate trusts a lease for ttl * (1 - b) / (1 + b) of its own clock ({@link leaseUsableMs}).
   */
  readonly driftBound?: number;
  /** The leader starts a write this often (own clock). Default 50. */
  readonly workEveryMs?: number;
  /** Time between the leader's check and its write (own clock). Default 5. */
  readonly workMs?: number;
  /** Network defaults. Default: no loss, 1-5 ms latency, FIFO. */
  readonly network?: LinkOptions;
  /** Trace capacity (0, the default, keeps no trace). */
  readonly traceEventsMax?: number;
  /** Throw an InvariantViolation at the first violation (default true), or only record it. */
  readonly stopOnViolation?: boolean;
}

/** Counters of a run. */
export interface LeaseElectionCounts {
  readonly messagesSent: number;
  /** Grants of a new token by the store (renewals and re-grants to the holder excluded). */
  readonly epochs: number;
  readonly writesAccepted: number;
  readonly writesRejected: number;
  /** Writes the resource accepted while their lease was no longer live at the store. */
  readonly staleWritesAccepted: number;
  /** Writes the resource accepted with a token lower than one it accepted before. */
  readonly lowerTokenWritesAccepted: number;
  readonly violations: number;
}

/** What {@link LeaseElection.failover} measured. */
export interface LeaseFailover {
  readonly crashed: NodeId;
  readonly leader: NodeId;
  /** Virtual time from the crash to the first moment another candidate considers itself leader. */
  readonly failoverMs: number;
  readonly messagesSent: number;
}

const KNOWN_OPTIONS = [
  "candidates",
  "seed",
  "ttlMs",
  "fencing",
  "driftBound",
  "workEveryMs",
  "workMs",
  "network",
  "traceEventsMax",
  "stopOnViolation",
];

/** The store's node id. */
export const LEASE_STORE_ID = "store";
/** The fenced resource's node id. */
export const LEASE_RESOURCE_ID = "resource";
const LEASE_NAME = "leader";

/**
 * Lease-based election under test: a {@link LeaseStore} ("store"), `candidates`
 * {@link LeaseCandidate}s ("c0", ...) and a {@link FencedResource} ("resource"). A checker runs
 * after every event and at every write the resource accepts:
 * - every fencing token is granted to one owner (one leader per epoch);
 * - at no instant do two candidates consider themselves leader (by their own clocks);
 * - the resource never accepts a token lower than one it accepted before;
 * - unfenced only: the resource never accepts a write whose lease had expired at the store.
 * Each violation is reported as an InvariantViolation naming the seed.
 *
 * @example
 * const election = new LeaseElection({ candidates: 3, seed: 1 });
 * const leader = election.runUntilLeader();
 * election.failover().failoverMs; // about one ttl: the store waits for the dead leader's lease
 */
export class LeaseElection {
  readonly sim: Simulation<LeaseMessage>;
  readonly seed: number;
  readonly ttlMs: number;
  readonly fencing: boolean;
  readonly driftBound: number;
  readonly candidateIds: readonly NodeId[];
  private readonly stopOnViolation: boolean;
  private readonly violationsList: string[] = [];
  private readonly tokenOwners = new Map<number, NodeId>();
  private readonly overlapsSeen = new Set<string>();
  private staleWrites = 0;
  private lowerTokenWrites = 0;

  constructor(options: LeaseElectionOptions) {
    const known = requireKnownOptions("LeaseElection options", options, KNOWN_OPTIONS);
    const candidates = requireIntegerAtLeast("candidates", known.candidates, 1);
    this.seed = requireIntegerAtLeast("seed", known.seed, 0);
    const ttlMs = known.ttlMs ?? 300;
    if (typeof ttlMs !== "number" || !Number.isFinite(ttlMs) || ttlMs <= 0) {
      throw invalidArgument("ttlMs", "a finite number > 0", ttlMs);
    }
    this.ttlMs = ttlMs;
    const fencing = known.fencing ?? true;
    if (typeof fencing !== "boolean") throw invalidArgument("fencing", "true or false", fencing);
    this.fencing = fencing;
    const driftBound = known.driftBound ?? 0.01;
    leaseUsableMs(ttlMs, driftBound as number);
    this.driftBound = driftBound as number;
    const workEveryMs = requireNumberAtLeast("workEveryMs", known.workEveryMs ?? 50, 1);
    const workMs = requireNumberAtLeast("workMs", known.workMs ?? 5, 0);
    const stopOnViolation = known.stopOnViolation ?? true;
    if (typeof stopOnViolation !== "boolean") {
      throw invalidArgument("stopOnViolation", "true or false", stopOnViolation);
    }
    this.stopOnViolation = stopOnViolation;
    const traceEventsMax = integerOption("traceEventsMax", known.traceEventsMax, 0, 0);
    const network = (known.network as LinkOptions | undefined) ?? {
      latency: { kind: "uniform", minMs: 1, maxMs: 5 },
    };
    this.sim = new Simulation<LeaseMessage>({ seed: this.seed, traceEventsMax, network });
    this.candidateIds = Array.from({ length: candidates }, (_, i) => `c${i}`);
    this.sim.addNode(
      LEASE_STORE_ID,
      () => new LeaseStore((lease, kind) => this.onGrant(lease, kind)),
    );
    this.sim.addNode(
      LEASE_RESOURCE_ID,
      () => new FencedResource(fencing, (write, before) => this.onAccept(write, before)),
    );
    for (const id of this.candidateIds) {
      this.sim.addNode(
        id,
        () =>
          new LeaseCandidate({
            store: LEASE_STORE_ID,
            resource: LEASE_RESOURCE_ID,
            name: LEASE_NAME,
            ttlMs,
            driftBound: this.driftBound,
            workEveryMs,
            workMs,
          }),
      );
    }
  }

  /** Virtual (true) time in ms. */
  get now(): number {
    return this.sim.now;
  }

  /** The running candidate `id` (undefined while crashed), for inspection. */
  candidate(id: NodeId): LeaseCandidate | undefined {
    this.candidateIndex(id);
    return this.sim.processOf(id) as LeaseCandidate | undefined;
  }

  /** The lease store's process. */
  get store(): LeaseStore {
    return this.sim.processOf(LEASE_STORE_ID) as LeaseStore;
  }

  /** The resource's process. */
  get resource(): FencedResource {
    return this.sim.processOf(LEASE_RESOURCE_ID) as FencedResource;
  }

  /** Candidates that consider themselves leader now, by their own clocks (safe: at most one). */
  leaders(): NodeId[] {
    return this.candidateIds.filter((id) => {
      const process = this.sim.processOf(id) as LeaseCandidate | undefined;
      return process !== undefined && process.isLeader(this.sim.clockOf(id));
    });
  }

  /** The holder of the live lease at the store now (the store's view), or undefined. */
  leaderOf(): NodeId | undefined {
    return this.store.table.live(LEASE_NAME, this.sim.clockOf(LEASE_STORE_ID))?.holder;
  }

  /** Violations found so far, each naming the seed. */
  get violations(): readonly string[] {
    return this.violationsList;
  }

  counts(): LeaseElectionCounts {
    return {
      messagesSent: this.sim.stats.messagesSent,
      epochs: this.tokenOwners.size,
      writesAccepted: this.resource.accepted.length,
      writesRejected: this.resource.rejectedCount,
      staleWritesAccepted: this.staleWrites,
      lowerTokenWritesAccepted: this.lowerTokenWrites,
      violations: this.violationsList.length,
    };
  }

  // ------------------------------------------------------------------ faults

  /** Crashes candidate `id` (the store and the resource stay up). */
  crash(id: NodeId): void {
    this.candidateIndex(id);
    if (!this.sim.isUp(id)) throw invalidArgument("crash(id)", "a running candidate", id);
    this.sim.crash(id);
  }

  /** Restarts a crashed candidate: it remembers nothing of its lease. */
  restart(id: NodeId): void {
    this.candidateIndex(id);
    if (this.sim.isUp(id)) throw invalidArgument("restart(id)", "a crashed candidate", id);
    this.sim.restart(id);
  }

  /** True unless candidate `id` is crashed. */
  isUp(id: NodeId): boolean {
    this.candidateIndex(id);
    return this.sim.isUp(id);
  }

  /** Pauses node `id` (a candidate, the store or the resource) for `durationMs`, GC-style. */
  pause(id: NodeId, durationMs: number): void {
    this.sim.pause(id, durationMs);
  }

  /** Cuts nodes into groups that cannot reach each other (see Simulation.partition). */
  partition(groups: readonly (readonly NodeId[])[]): void {
    this.sim.heal();
    this.sim.partition(groups);
  }

  /** Cuts the links between `a` and `b`, both ways, and nothing else. */
  cut(a: NodeId, b: NodeId): void {
    this.sim.partitionOneWay([a], [b]);
    this.sim.partitionOneWay([b], [a]);
  }

  /** Removes every partition and cut. */
  heal(): void {
    this.sim.heal();
  }

  /** Sets a node's clock (driftPpm -500000: it runs at half speed). */
  setClock(id: NodeId, settings: ClockSettings): void {
    this.sim.setClock(id, settings);
  }

  // ------------------------------------------------------------------ running

  /** Runs for `ms` of virtual time with the checker after every event. */
  runFor(ms: number): void {
    requireNumberAtLeast("ms", ms, 0);
    this.runUntil(() => false, ms);
  }

  /** Runs until `done()` or `timeMsMax` of virtual time; returns whether `done()` held. */
  runUntil(done: () => boolean, timeMsMax: number): boolean {
    requireNumberAtLeast("timeMsMax", timeMsMax, 0);
    return runCheckedUntil(this.sim, () => this.checkLeaders(), done, timeMsMax);
  }

  /** Runs until some candidate considers itself leader and returns it; throws after `timeMsMax`. */
  runUntilLeader(timeMsMax = 10_000): NodeId {
    if (!this.runUntil(() => this.leaders().length > 0, timeMsMax)) {
      throw new Error(`no leader after ${timeMsMax} ms (seed ${this.seed}, t=${this.now} ms)`);
    }
    return this.leaders()[0] as NodeId;
  }

  /**
   * Crashes the current leader and runs until another candidate considers itself leader: the
   * failover time is about one ttl, as the store must let the dead leader's lease run out.
   */
  failover(timeMsMax = 10_000): LeaseFailover {
    const crashed = this.runUntilLeader(timeMsMax);
    const startMs = this.now;
    const sentBefore = this.sim.stats.messagesSent;
    this.crash(crashed);
    const leader = this.runUntilLeader(timeMsMax);
    return {
      crashed,
      leader,
      failoverMs: this.now - startMs,
      messagesSent: this.sim.stats.messagesSent - sentBefore,
    };
  }

  // ------------------------------------------------------------------ checker

  private violation(what: string): void {
    const message = `${what} (seed ${this.seed}, t=${this.now} ms)`;
    this.violationsList.push(message);
    if (this.stopOnViolation) throw new InvariantViolation(message);
  }

  private onGrant(lease: LeaseRecord, kind: "acquire" | "renew"): void {
    const owner = this.tokenOwners.get(lease.token);
    if (owner === undefined) {
      if (kind === "renew") this.violation(`token ${lease.token} renewed before it was granted`);
      this.tokenOwners.set(lease.token, lease.holder);
    } else if (owner !== lease.holder) {
      this.violation(`token ${lease.token} granted to two owners: ${owner} and ${lease.holder}`);
    }
  }

  private checkLeaders(): void {
    const leaders = this.leaders();
    if (leaders.length < 2) return;
    const described = leaders.map((id) => `${id} (token ${this.candidate(id)?.token})`);
    const key = described.join(",");
    if (this.overlapsSeen.has(key)) return;
    this.overlapsSeen.add(key);
    this.violation(`two leaders at once: ${described.join(" and ")}`);
  }

  private onAccept(write: FencedWrite, tokenMaxBefore: number): void {
    if (write.token < tokenMaxBefore) {
      this.lowerTokenWrites++;
      this.violation(
        `lower token accepted: the resource accepted token ${write.token} from ${write.writer} ` +
          `after token ${tokenMaxBefore}`,
      );
    }
    const live = this.store.table.live(LEASE_NAME, this.sim.clockOf(LEASE_STORE_ID));
    if (live?.token === write.token) return;
    this.staleWrites++;
    // With fencing, a deposed leader's write that precedes every write of the next epoch is
    // harmless (the resource orders epochs); without it, nothing stops it landing anywhere.
    if (!this.fencing) {
      this.violation(
        `stale write accepted: the resource accepted token ${write.token} from ${write.writer}, ` +
          "whose lease had expired at the store",
      );
    }
  }

  private candidateIndex(id: NodeId): number {
    const index = this.candidateIds.indexOf(id);
    if (index === -1) {
      throw invalidArgument("candidate id", `one of ${this.candidateIds.join(", ")}`, id);
    }
    return index;
  }
}

/** What a lease scenario returns: the run, its trace and its counts. */
export interface LeaseScenarioResult {
  readonly election: LeaseElection;
  readonly trace: readonly TraceEvent[];
  readonly violations: readonly string[];
  readonly counts: LeaseElectionCounts;
  /** The first leader (the one paused, or whose clock was slowed). */
  readonly oldLeader: NodeId;
  /** The holder of the lease at the store at the end (undefined if none). */
  readonly newLeader: NodeId | undefined;
}

/**
 * The classic failure (Kleppmann 2016): the leader checks its lease, then pauses (a GC pause)
 * for three ttls before its write; meanwhile its lease expires, another candidate acquires it and
 * writes; the old leader wakes up and sends its write. Unfenced: the resource takes the stale write
 * (the checker reports "stale write accepted" and "lower token accepted"). Fenced: it is rejected.
 *
 * @example
 * leaseClassicFailure({ fencing: false }).violations.length > 0; // true
 * leaseClassicFailure({ fencing: true }).counts.writesRejected; // 1
 */
export function leaseClassicFailure(options: {
  readonly fencing: boolean;
  readonly seed?: number;
}): LeaseScenarioResult {
  const election = new LeaseElection({
    candidates: 2,
    seed: options.seed ?? 1,
    fencing: options.fencing,
    driftBound: 0,
    traceEventsMax: 100_000,
    stopOnViolation: false,
  });
  const oldLeader = election.runUntilLeader();
  election.runUntil(() => election.candidate(oldLeader)?.pendingWrite !== undefined, 10_000);
  election.sim.withNode(oldLeader, (ctx) => ctx.log("GC pause"));
  election.pause(oldLeader, 3 * election.ttlMs);
  election.runFor(4 * election.ttlMs);
  return result(election, oldLeader);
}

/**
 * The clock-drift case: the leader's clock runs slow (default -500,000 ppm, half speed) and it is
 * cut off from the store, so it cannot renew. It trusts its lease for twice as long in true time
 * as the store keeps it: with a small `driftBound` another candidate is granted the lease while the
 * old one still acts ("two leaders at once"). With `driftBound` >= the drift (0.5 here), the
 * margin ttl * (1 - b) / (1 + b) ends its trust before the store's lease, and the run is safe.
 *
 * @example
 * leaseClockDrift({ driftBound: 0.01 }).violations; // ["two leaders at once: ..."]
 * leaseClockDrift({ driftBound: 0.6 }).violations; // []
 */
export function leaseClockDrift(options: {
  readonly driftBound: number;
  readonly driftPpm?: number;
  readonly fencing?: boolean;
  readonly seed?: number;
}): LeaseScenarioResult {
  const election = new LeaseElection({
    candidates: 2,
    seed: options.seed ?? 1,
    fencing: options.fencing ?? true,
    driftBound: options.driftBound,
    traceEventsMax: 100_000,
    stopOnViolation: false,
  });
  const oldLeader = election.runUntilLeader();
  election.setClock(oldLeader, { driftPpm: options.driftPpm ?? -500_000 });
  election.cut(oldLeader, LEASE_STORE_ID);
  election.runFor(4 * election.ttlMs);
  return result(election, oldLeader);
}

function result(election: LeaseElection, oldLeader: NodeId): LeaseScenarioResult {
  return {
    election,
    trace: election.sim.trace,
    violations: election.violations,
    counts: election.counts(),
    oldLeader,
    newLeader: election.leaderOf(),
  };
}
