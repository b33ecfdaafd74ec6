// Raft fuzz case: a random fault schedule (disconnects, crashes, lossy and reordering networks,
// client commands) drawn from the seed, then healing and a required commit. Raft §5, Figure 3.

import {
  InvariantViolation,
  assert,
  integerOption,
  invalidArgument,
  requireIntegerIn,
  requireKnownOptions,
} from "../../sim/assert.js";
import { Random, SEED_MAX } from "../../sim/random.js";
import { RaftHarness } from "./harness.js";
import type { RaftServer } from "./server.js";

/** Options of one Raft fuzz case. */
export interface RaftFuzzOptions {
  /** Cluster size; default drawn from the seed (3 or 5). */
  readonly servers?: number;
  /** Virtual ms of random faults before everything heals. Default 5,000. */
  readonly faultMs?: number;
  /** "Break it": commit old-term entries by counting replicas (the Figure 8 bug). Default false. */
  readonly unsafeCommitOldTerms?: boolean;
  /** Log compaction (§7): a snapshot every this many applied entries. Default 0: off. */
  readonly snapshotEvery?: number;
  /** Pre-vote (thesis §9.6). Default false. */
  readonly preVote?: boolean;
  /** Check-quorum (thesis §6.2). Default false. */
  readonly checkQuorum?: boolean;
  /**
   * Leader leases with this drift bound (turns checkQuorum on): every server's clock drifts by a
   * random rate within `leaseDriftPpm`, and after every action no lease read may succeed on a
   * leader while another server leads a later term. Default: no leases.
   */
  readonly leaseDriftBound?: number;
  /** Largest |drift| drawn per server, in ppm, with leases. Default: 90 % of the bound. */
  readonly leaseDriftPpm?: number;
  /** Leaders batch the entries started in one simulator step. Default false. */
  readonly batchAppends?: boolean;
  /**
   * Random single-server membership changes (thesis §4.1) among the faults, with a no-op entry
   * after each election; every server is added back after healing. Default false.
   */
  readonly membershipChanges?: boolean;
}

/** What went wrong in a failed case: "safety" is an InvariantViolation, "failure" anything else. */
export interface RaftFuzzError {
  readonly kind: "safety" | "failure";
  readonly message: string;
}

/** Counters of what a fuzz case did, so a run can show that the faults really happened. */
export interface RaftFuzzStats {
  readonly servers: number;
  /** Virtual ms the case ran, faults and recovery. */
  readonly simulatedMs: number;
  /** Commands a leader accepted through start during the faults. */
  readonly commandsAccepted: number;
  readonly disconnects: number;
  readonly crashes: number;
  /** Toggles of the unreliable network and of long reordering. */
  readonly networkChanges: number;
  /** Index of the command committed on every server after healing (0 if the case failed first). */
  readonly finalIndex: number;
  readonly rpcs: number;
  /** InstallSnapshot RPCs sent (0 unless `snapshotEvery` is set). */
  readonly installSnapshots: number;
  /** Lease reads that succeeded while checked (0 without leases). */
  readonly leaseReads: number;
  /** Membership changes a leader accepted (0 without membershipChanges). */
  readonly membershipChanges: number;
}

/** The outcome of one fuzz case; `error` is set exactly when `ok` is false. */
export interface RaftFuzzResult {
  readonly seed: number;
  readonly ok: boolean;
  readonly error?: RaftFuzzError;
  readonly stats: RaftFuzzStats;
}

const KNOWN_OPTIONS = [
  "servers",
  "faultMs",
  "unsafeCommitOldTerms",
  "snapshotEvery",
  "preVote",
  "checkQuorum",
  "leaseDriftBound",
  "leaseDriftPpm",
  "membershipChanges",
  "batchAppends",
];
const FAULT_MS_DEFAULT = 5_000;
const SERVERS_MAX = 9;

/** The schedule's own generator, apart from the simulation's: same seed, same schedule. */
function scheduleRandom(seed: number): Random {
  return new Random((Math.imul(seed, 0x85ebca6b) ^ 0x27d4eb2f) >>> 0);
}

interface Counters {
  commandsAccepted: number;
  disconnects: number;
  crashes: number;
  networkChanges: number;
  finalIndex: number;
  leaseReads: number;
  membershipChanges: number;
}

function booleanOption(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") throw invalidArgument(name, "true or false", value);
  return value;
}

/**
 * Runs one fuzz case and reports instead of throwing: a RaftHarness with a cluster and network
 * drawn from the seed; `faultMs` of random disconnects and reconnects, crashes and restarts (often
 * of the leader, as in the lab's figure 8 tests; now and then of every server), unreliable-network
 * and long-reordering toggles and client commands on every running server; then every server is
 * reconnected and restarted on a reliable network, and a new command must be committed on all of
 * them. The invariant checker runs after every event throughout. Same seed and options, same
 * result. Bad options throw (they are the caller's bug, not a finding of the case).
 *
 * @example
 * const result = runRaftFuzzCase(42);
 * result.ok; // true: no invariant broke and the healed cluster committed on every server
 * runRaftFuzzCase(42, { unsafeCommitOldTerms: true }).error?.kind; // "safety" for some seeds
 */
export function runRaftFuzzCase(seed: number, options: RaftFuzzOptions = {}): RaftFuzzResult {
  const known = requireKnownOptions("Raft fuzz options", options, KNOWN_OPTIONS);
  requireIntegerIn("seed", seed, 0, SEED_MAX);
  const random = scheduleRandom(seed);
  const drawnServers = random.pick([3, 5]);
  const servers = integerOption("servers", known.servers, drawnServers, 1, SERVERS_MAX);
  const faultMs = integerOption("faultMs", known.faultMs, FAULT_MS_DEFAULT, 0);
  const unsafe = known.unsafeCommitOldTerms ?? false;
  if (typeof unsafe !== "boolean") {
    throw invalidArgument("unsafeCommitOldTerms", "true or false", unsafe);
  }
  const snapshotEvery = integerOption("snapshotEvery", known.snapshotEvery, 0, 0);
  const preVote = booleanOption("preVote", known.preVote);
  const membership = booleanOption("membershipChanges", known.membershipChanges);
  const bound = known.leaseDriftBound;
  if (bound !== undefined && (typeof bound !== "number" || !(bound > 0 && bound < 1))) {
    throw invalidArgument("leaseDriftBound", "a number in (0, 1)", bound);
  }
  const checkQuorum = booleanOption("checkQuorum", known.checkQuorum) || bound !== undefined;
  const driftPpmMax =
    bound === undefined
      ? 0
      : integerOption("leaseDriftPpm", known.leaseDriftPpm, Math.floor(bound * 900_000), 0);
  const counters: Counters = {
    commandsAccepted: 0,
    disconnects: 0,
    crashes: 0,
    networkChanges: 0,
    finalIndex: 0,
    leaseReads: 0,
    membershipChanges: 0,
  };
  const h = new RaftHarness({
    servers,
    seed,
    reliable: random.chance(0.5),
    unsafeCommitOldTerms: unsafe,
    snapshotEvery,
    preVote,
    checkQuorum,
    ...(bound === undefined ? {} : { leaseReads: { driftBound: bound } }),
    // A leader may change the membership or serve a lease read only after committing an entry of
    // its term: the no-op makes that happen right after each election.
    appendNoOpOnElection: membership || bound !== undefined,
    batchAppends: booleanOption("batchAppends", known.batchAppends),
  });
  let error: RaftFuzzError | undefined;
  try {
    const connected = Array.from({ length: servers }, () => true);
    for (let i = 0; i < servers && driftPpmMax > 0; i++) {
      h.sim.setClock(`s${i}`, { driftPpm: random.int(-driftPpmMax, driftPpmMax) });
    }
    const extras: FaultExtras = { leases: bound !== undefined, membership };
    runFaults(h, random, faultMs, connected, counters, extras);
    heal(h, connected);
    if (membership) restoreMembers(h);
    const command = `final ${seed}`;
    counters.finalIndex = h.one(command, servers, true);
    const { count } = h.nCommitted(counters.finalIndex);
    assert(count === servers, "after healing, the final command is applied on every server");
  } catch (caught) {
    error = describeError(caught);
  }
  const stats: RaftFuzzStats = {
    servers,
    simulatedMs: h.now,
    ...counters,
    rpcs: h.rpcCount(),
    installSnapshots: h.sim.stats.sentByType.InstallSnapshot ?? 0,
  };
  return error === undefined ? { seed, ok: true, stats } : { seed, ok: false, error, stats };
}

function describeError(caught: unknown): RaftFuzzError {
  if (caught instanceof InvariantViolation) return { kind: "safety", message: caught.message };
  if (caught instanceof Error) {
    const prefix = caught.name === "Error" ? "" : `${caught.name}: `;
    return { kind: "failure", message: prefix + caught.message };
  }
  return { kind: "failure", message: String(caught) };
}

/**
 * One action every 0-20 ms (1 in 10: up to 500 ms), until `faultMs` of virtual time passed. As in
 * the lab's figure 8 tests the leader is often deposed, and a majority is usually brought back so
 * that new leaders are elected with diverging logs; now and then a minority is left alone.
 */
interface FaultExtras {
  /** Check lease reads on every server after each action. */
  readonly leases: boolean;
  /** Propose random single-server membership changes. */
  readonly membership: boolean;
}

function runFaults(
  h: RaftHarness,
  random: Random,
  faultMs: number,
  connected: boolean[],
  counters: Counters,
  extras: FaultExtras,
): void {
  const endMs = h.now + faultMs;
  const all = Array.from({ length: h.servers }, (_, i) => i);
  const majority = Math.floor(h.servers / 2) + 1;
  const isUp = (i: number) => h.server(i) !== undefined;
  const isAvailable = (i: number) => isUp(i) && connected[i] === true;
  const takeDown = (i: number, crash: boolean) => {
    if (crash) {
      h.crash(i);
      counters.crashes++;
    } else {
      h.disconnect(i);
      connected[i] = false;
      counters.disconnects++;
    }
  };
  const bringBack = (i: number) => {
    if (connected[i] !== true) {
      h.connect(i);
      connected[i] = true;
    }
    if (!isUp(i)) h.restart(i);
  };
  let commands = 0;
  while (h.now < endMs) {
    const action = random.int(0, 19);
    if (action <= 5) {
      // Every running server is asked; only a leader (perhaps a stale one) accepts.
      for (const i of all) {
        if (isUp(i) && h.start(i, `c${commands++}`).isLeader) counters.commandsAccepted++;
      }
    } else if (action <= 13) {
      const leader = all.find((i) => isAvailable(i) && h.getState(i).isLeader);
      if (leader !== undefined) takeDown(leader, random.chance(0.5));
    } else if (action === 14 && extras.leases && random.chance(0.5)) {
      // Leases: cut the leader off long enough for the others to elect a new one, checking
      // lease reads all along (the case a lease must survive, and a too-slow clock does not).
      const leader = all.find((i) => isAvailable(i) && h.getState(i).isLeader);
      if (leader !== undefined) takeDown(leader, false);
      for (let waited = 0; waited < 1_500; waited += 20) {
        h.advance(20);
        checkLeases(h, counters);
      }
    } else if (action === 14) {
      const victims = all.filter(isAvailable);
      if (victims.length > 0) takeDown(random.pick(victims), random.chance(0.5));
    } else if (action <= 16) {
      const away = all.filter((i) => !isAvailable(i));
      if (away.length > 0) bringBack(random.pick(away));
    } else if (action === 17) {
      h.setReliable(random.chance(0.5));
      counters.networkChanges++;
    } else if (action === 18) {
      if (extras.membership && random.chance(0.5)) proposeMembershipChange(h, random, counters);
      else {
        h.setLongReordering(random.chance(0.3));
        counters.networkChanges++;
      }
    } else if (random.chance(0.2)) {
      // Action 19, 1 time in 5: every server down at once; only what each persisted survives.
      // The other 4 times, only time passes.
      for (const i of all.filter(isUp)) takeDown(i, true);
    }
    h.advance(random.chance(0.1) ? random.int(0, 500) : random.int(0, 20));
    if (extras.leases) checkLeases(h, counters);
    // Mostly keep a majority available, as the figure 8 tests do; 1 time in 5 leave it be.
    const away = all.filter((i) => !isAvailable(i));
    if (all.length - away.length < majority && random.chance(0.8)) bringBack(random.pick(away));
  }
}

/** Reconnects and restarts every server on a reliable network without long reordering. */
function heal(h: RaftHarness, connected: boolean[]): void {
  h.setReliable(true);
  h.setLongReordering(false);
  for (let i = 0; i < h.servers; i++) {
    if (connected[i] !== true) {
      h.connect(i);
      connected[i] = true;
    }
    if (h.server(i) === undefined) h.restart(i);
  }
}

/**
 * Lease safety (thesis §6.4.1): while a leader's lease read succeeds, no server leads a later
 * term. Clocks within the drift bound keep it; a clock drifting further can break it.
 */
function checkLeases(h: RaftHarness, counters: Counters): void {
  for (let i = 0; i < h.servers; i++) {
    const server = h.server(i);
    if (server === undefined || server.role !== "leader" || !h.leaseRead(i).ok) continue;
    counters.leaseReads++;
    for (let j = 0; j < h.servers; j++) {
      const other = h.server(j);
      if (
        other === undefined ||
        other.role !== "leader" ||
        other.currentTerm <= server.currentTerm
      ) {
        continue;
      }
      throw new InvariantViolation(
        `Raft lease safety violated (seed ${h.seed}): server ${i} served a lease read as leader ` +
          `of term ${server.currentTerm} at t=${h.now.toFixed(1)} ms while server ${j} leads ` +
          `term ${other.currentTerm}`,
      );
    }
  }
}

/** Asks the leader, if any, to add a non-member or remove a member other than itself. */
function proposeMembershipChange(h: RaftHarness, random: Random, counters: Counters): void {
  const all = Array.from({ length: h.servers }, (_, i) => i);
  const leader = all.find((i) => h.server(i)?.role === "leader");
  if (leader === undefined) return;
  const members = h.members(leader);
  const outside = all.filter((i) => !members.includes(i));
  const removable = members.filter((i) => i !== leader);
  const add = outside.length > 0 && (members.length <= 2 || random.chance(0.5));
  const target = add ? random.pick(outside) : members.length > 2 ? random.pick(removable) : -1;
  if (target === -1) return;
  const id = `s${target}`;
  const result = h.sim.withNode(`s${leader}`, (ctx, process) =>
    (process as RaftServer).changeMembership(ctx, add ? { add: id } : { remove: id }),
  );
  if (result.ok) counters.membershipChanges++;
}

/**
 * After healing, adds every server back into the configuration, one at a time, until a leader's
 * committed configuration holds them all (a change proposed before healing may still commit).
 */
function restoreMembers(h: RaftHarness): void {
  for (let attempt = 0; attempt <= 2 * h.servers; attempt++) {
    const leader = h.checkOneLeader();
    const missing = Array.from({ length: h.servers }, (_, i) => i).find(
      (i) => !h.members(leader).includes(i),
    );
    const server = h.server(leader) as RaftServer;
    if (missing === undefined && server.configIndex <= server.commitIndex) return;
    if (missing === undefined) h.advance(100);
    else h.changeMembership({ add: missing });
  }
  throw new Error(
    `the configuration does not hold every server after ${2 * h.servers + 1} attempts ` +
      `(seed ${h.seed}, t=${h.now} ms)`,
  );
}
