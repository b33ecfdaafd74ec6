// One Raft server as a simulator process: Figure 2 of Ongaro and Ousterhout (2014), rule by rule,
// with snapshots (§7), and from Ongaro's thesis pre-vote, check-quorum (§9.6), ReadIndex and lease
// reads (§6.4) and single-server membership changes (§4.1). Persistent state goes to ctx.storage.

import { assert, invalidArgument, requireKnownOptions } from "../../sim/assert.js";
import type { Envelope, FiredTimer, NodeContext, NodeId, Process } from "../../sim/types.js";
import type {
  AppendEntriesArgs,
  AppendEntriesReply,
  InstallSnapshotArgs,
  InstallSnapshotReply,
  PreVoteArgs,
  PreVoteReply,
  RaftConfiguration,
  RaftLogEntry,
  RaftMembershipChange,
  RaftMembershipResult,
  RaftMessage,
  RaftReadResult,
  RaftRole,
  RaftSnapshot,
  RaftStartResult,
  RequestVoteArgs,
  RequestVoteReply,
} from "./types.js";

/** Timing and switches of a Raft server. */
export interface RaftServerOptions {
  /** Election timeouts are drawn uniformly from [min, max] ms of the server's clock (§5.2). */
  readonly electionTimeoutMsMin: number;
  readonly electionTimeoutMsMax: number;
  /** A leader sends AppendEntries to every follower at least this often (§5.2). */
  readonly heartbeatMs: number;
  /** Most entries carried by one AppendEntries. */
  readonly entriesPerAppendMax: number;
  /**
   * Called when the server applies a committed entry to its state machine (§5.3); `currentTerm`
   * is the server's term then, the term in which it learned that the entry is committed.
   */
  readonly onApply?: (
    server: NodeId,
    index: number,
    entry: RaftLogEntry,
    currentTerm: number,
  ) => void;
  /**
   * The Figure 8 bug, on purpose: commit an entry of an earlier term once it is stored on a
   * majority. §5.4.2 shows why that is unsafe; the invariant checker catches it.
   */
  readonly unsafeCommitOldTerms: boolean;
  /**
   * Log compaction (§7): once this many entries were applied since the last snapshot, the server
   * snapshots its state machine and discards the log up to lastApplied. Absent or 0: never.
   */
  readonly snapshotEvery?: number;
  /**
   * Called when the server's state machine is reset from a snapshot: one installed from a leader
   * (InstallSnapshot), or the server's own, loaded from stable storage at restart.
   */
  readonly onSnapshot?: (server: NodeId, snapshot: RaftSnapshot) => void;
  /**
   * The voting members at the start, before any config entry (thesis §4.1). Default: every node of
   * the simulation. Nodes outside the configuration (clients, a server about to be added) are
   * never sent Raft messages; a server outside its own configuration never campaigns.
   */
  readonly members?: readonly NodeId[];
  /** A new leader appends a no-op entry of its term, to commit its term's first entry (§6.4). */
  readonly appendNoOpOnElection?: boolean;
  /**
   * Pre-vote (thesis §9.6): a server whose election timer fires first asks whether a majority
   * would vote for it, and increments its term only if so. A server cut off and rejoining then
   * does not force a new election with its inflated term.
   */
  readonly preVote?: boolean;
  /**
   * Check-quorum (thesis §6.2 and §9.6, etcd's CheckQuorum): a leader that has not heard from a
   * majority within an election timeout steps down, and a server that heard from a leader within
   * the minimum election timeout ignores vote requests (they cannot be from a legitimate election).
   */
  readonly checkQuorum?: boolean;
  /**
   * Leader leases (thesis §6.4.1): the leader serves {@link RaftServer.leaseRead} without messages
   * while its lease holds. The lease is the minimum election timeout shortened by `driftBound`,
   * the largest relative clock rate error assumed (0.01: clocks run within 1 % of true time);
   * clocks drifting further break the lease. Requires checkQuorum.
   */
  readonly leaseReads?: { readonly driftBound: number };
  /**
   * Batching: a leader sends what `start` appended once per simulator step, not at every call, so
   * a burst of proposals travels in one AppendEntries per follower (up to entriesPerAppendMax).
   */
  readonly batchAppends?: boolean;
}

const OPTION_NAMES = [
  "electionTimeoutMsMin",
  "electionTimeoutMsMax",
  "heartbeatMs",
  "entriesPerAppendMax",
  "onApply",
  "unsafeCommitOldTerms",
  "snapshotEvery",
  "onSnapshot",
  "members",
  "appendNoOpOnElection",
  "preVote",
  "checkQuorum",
  "leaseReads",
  "batchAppends",
];

/** Name of the durable log on stable storage that holds Raft's log. */
const LOG = "log";
const ELECTION_TIMER = "election";
const HEARTBEAT_TIMER = "heartbeat";
const FLUSH_TIMER = "flush";

/** A ReadIndex request waiting for its heartbeat round to be acknowledged by a majority. */
interface PendingRead {
  readonly round: number;
  readonly done: (result: RaftReadResult) => void;
}

/**
 * A Raft server (Figure 2). Create one per node with `sim.addNode(id, () => new RaftServer(opts))`.
 * The simulator makes a fresh instance at every restart, so fields are volatile state and
 * `currentTerm`, `votedFor`, the snapshot and `log` are reloaded from stable storage in onStart.
 * The state fields are public so that the invariant checker, tests and notebooks can read them;
 * only the protocol writes them.
 */
export class RaftServer implements Process<RaftMessage> {
  // Persistent state on all servers (written to ctx.storage before answering any RPC).
  /** Latest term this server has seen; invariant: never decreases. */
  currentTerm = 0;
  /** Candidate that received this server's vote in currentTerm, or null. */
  votedFor: NodeId | null = null;
  /**
   * The log after the snapshot: log[i - snapshotIndex - 1] is the entry at index i (indices start
   * at 1 and stay absolute; without a snapshot, log[i - 1] is index i).
   */
  log: RaftLogEntry[] = [];
  /** The snapshot's lastIncludedIndex (§7): entries up to it are compacted away; 0: none. */
  snapshotIndex = 0;
  /** The snapshot's lastIncludedTerm: the term of the entry at snapshotIndex. */
  snapshotTerm = 0;

  // Volatile state on all servers.
  /**
   * Highest log index known to be committed; invariant: snapshotIndex <= lastApplied <=
   * commitIndex <= lastLogIndex().
   */
  commitIndex = 0;
  /** Highest log index applied to the state machine. */
  lastApplied = 0;

  // Volatile state on leaders, reinitialised after each election.
  /** For each server, index of the next log entry to send to it; invariant: > matchIndex. */
  readonly nextIndex = new Map<NodeId, number>();
  /** For each server, highest log index known to be replicated on it. */
  readonly matchIndex = new Map<NodeId, number>();

  role: RaftRole = "follower";
  /** The state machine: commands applied, in index order (applied[i - 1] is index i). */
  readonly applied: unknown[] = [];
  /** Lowest log index changed since the invariant checker last looked (Infinity: none). */
  logChangedFrom = 1;

  /**
   * The voting members now: those of the last config entry in the log, appended or not (thesis
   * §4.1: a server uses the latest configuration in its log), else the snapshot's, else the
   * initial ones.
   */
  members: readonly NodeId[] = [];
  /** Index of the config entry `members` comes from (0: snapshot or initial configuration). */
  configIndex = 0;
  /** True while this server asks for pre-votes (thesis §9.6), before it becomes a candidate. */
  preVoting = false;

  private votesGranted = new Set<NodeId>();
  private electionDeadlineMs = 0;
  private electionTimer = -1;
  private heartbeatTimer = -1;
  private flushTimer = -1;
  private initialMembers: readonly NodeId[] = [];
  private snapshotMembers: readonly NodeId[] | undefined;
  /** This server's clock when it last heard from the leader of its term (-Infinity: never). */
  private leaderContactMs = -Infinity;
  // Leader only: heartbeat rounds acknowledged, for check-quorum, ReadIndex and leases.
  private round = 0;
  private readonly roundSentAtMs = new Map<number, number>();
  private readonly ackedRound = new Map<NodeId, number>();
  private readonly lastAckMs = new Map<NodeId, number>();
  private leaderSinceMs = 0;
  private leaseUntilMs = -Infinity;
  private pendingReads: PendingRead[] = [];
  /** Reused by advanceCommitIndex, which runs on every reply. */
  private readonly matchScratch: number[] = [];

  constructor(private readonly options: RaftServerOptions) {
    requireKnownOptions("RaftServer options", options, OPTION_NAMES);
    const lease = options.leaseReads;
    if (lease !== undefined) {
      const bound: unknown = typeof lease === "object" && lease !== null ? lease.driftBound : lease;
      if (typeof bound !== "number" || !(bound >= 0 && bound < 1)) {
        throw invalidArgument("leaseReads.driftBound", "a number in [0, 1)", bound);
      }
      if (options.checkQuorum !== true) {
        throw invalidArgument(
          "leaseReads",
          "leaseReads together with checkQuorum: true (without it a follower may vote for a new " +
            "leader while the old lease holds)",
          lease,
        );
      }
    }
  }

  /** Index of the last log entry (0 for an empty log, snapshotIndex if all is compacted). */
  lastLogIndex(): number {
    return this.snapshotIndex + this.log.length;
  }

  /** Term of the entry at `index`, for snapshotIndex <= index <= lastLogIndex() (0 for index 0). */
  termAt(index: number): number {
    if (index === this.snapshotIndex) return this.snapshotTerm;
    const entry = this.log[index - this.snapshotIndex - 1];
    assert(entry !== undefined, "termAt(index) is asked only from snapshotIndex to lastLogIndex()");
    return entry.term;
  }

  /** The entry at `index`, or undefined if compacted into the snapshot or past the log. */
  entryAt(index: number): RaftLogEntry | undefined {
    return index > this.snapshotIndex ? this.log[index - this.snapshotIndex - 1] : undefined;
  }

  onStart(ctx: NodeContext<RaftMessage>): void {
    this.initialMembers = this.options.members ?? ctx.nodeIds();
    for (const member of this.initialMembers) {
      if (!ctx.nodeIds().includes(member)) {
        throw invalidArgument(
          "members",
          `node ids of the simulation (${ctx.nodeIds().join(", ")})`,
          member,
        );
      }
    }
    this.currentTerm = ctx.storage.get<number>("currentTerm") ?? 0;
    this.votedFor = ctx.storage.get<NodeId | null>("votedFor") ?? null;
    const snapshot = ctx.storage.get<RaftSnapshot>("snapshot");
    if (snapshot !== undefined) this.resetStateMachine(ctx, snapshot);
    // The log is a durable log on stable storage (a write-ahead log): appends and truncations
    // write only what changed, and it is compacted along with each snapshot.
    const stored = ctx.storage.readLog<RaftLogEntry>(LOG);
    assert(stored.firstIndex <= this.snapshotIndex + 1, "the stored log starts at the snapshot");
    this.log = stored.entries
      .slice(this.snapshotIndex + 1 - stored.firstIndex)
      .map((entry) => Object.freeze(entry));
    this.logChangedFrom = this.snapshotIndex + 1;
    this.recomputeMembers();
    // A server that restarts may have acknowledged a leader just before it crashed, and that
    // leader may count on it for its lease: with check-quorum it refuses votes for the minimum
    // election timeout after starting, as if it had just heard from a leader.
    if (this.options.checkQuorum === true) this.leaderContactMs = ctx.now();
    this.resetElectionTimer(ctx);
  }

  /**
   * Client request (§5.3): a leader appends the command to its log and replicates it.
   * Not a leader: nothing happens and isLeader is false.
   */
  start(ctx: NodeContext<RaftMessage>, command: unknown): RaftStartResult {
    if (this.role !== "leader") {
      return { index: this.lastLogIndex() + 1, term: this.currentTerm, isLeader: false };
    }
    this.appendAsLeader(ctx, Object.freeze({ term: this.currentTerm, command }));
    return { index: this.lastLogIndex(), term: this.currentTerm, isLeader: true };
  }

  /**
   * Linearizable read without a log entry (thesis §6.4, ReadIndex): the leader notes its commit
   * index, confirms with a heartbeat round acknowledged by a majority that it is still the leader,
   * and then calls `done({ ok: true, index })`; the state machine has applied `index` by then, so
   * reading it is linearizable. `index` is the commit index when leadership was confirmed, at least
   * the one when the request arrived: reading a later committed state is linearizable too. A leader that has not committed an entry of its term yet waits
   * until it has. `done({ ok: false, reason })` if this server is not, or stops being, the leader.
   */
  readIndex(ctx: NodeContext<RaftMessage>, done: (result: RaftReadResult) => void): void {
    if (this.role !== "leader") {
      done({ ok: false, reason: this.notLeaderReason(ctx) });
      return;
    }
    this.pendingReads.push({ round: this.startRound(ctx), done });
    for (const peer of this.peers(ctx)) this.sendAppendEntries(ctx, peer);
    this.serveReads(ctx);
  }

  /**
   * Read under the leader's lease (thesis §6.4.1): no messages at all while the lease, measured
   * on this server's own clock, has not run out. Safe only while clocks drift less than the
   * configured driftBound: a leader whose clock runs slow keeps serving after a new leader was
   * elected, and its reads go stale.
   */
  leaseRead(ctx: NodeContext<RaftMessage>): RaftReadResult {
    if (this.options.leaseReads === undefined) {
      throw new Error("leaseRead: this server was created without the leaseReads option");
    }
    if (this.role !== "leader") return { ok: false, reason: this.notLeaderReason(ctx) };
    if (!this.committedInCurrentTerm()) {
      return { ok: false, reason: `no entry of term ${this.currentTerm} committed yet` };
    }
    if (ctx.now() >= this.leaseUntilMs) {
      return {
        ok: false,
        reason: `lease expired at ${this.leaseUntilMs.toFixed(1)} ms (clock ${ctx.now().toFixed(1)} ms)`,
      };
    }
    return { ok: true, index: this.commitIndex };
  }

  /**
   * Single-server membership change (thesis §4.1): the leader appends a config entry with one
   * server added or removed, in effect on every server as soon as it is in its log. Refused while
   * an earlier change is uncommitted, and until the leader has committed an entry of its own term
   * (the fix Ongaro posted in 2015 for a safety bug in the thesis's original rule).
   */
  changeMembership(
    ctx: NodeContext<RaftMessage>,
    change: RaftMembershipChange,
  ): RaftMembershipResult {
    const add = "add" in change ? change.add : undefined;
    const remove = "remove" in change ? change.remove : undefined;
    const target = add ?? remove;
    if (typeof target !== "string" || !ctx.nodeIds().includes(target)) {
      throw invalidArgument(
        "change",
        `{ add: id } or { remove: id } with a node id of the simulation (${ctx.nodeIds().join(", ")})`,
        change,
      );
    }
    if (this.role !== "leader") return { ok: false, reason: this.notLeaderReason(ctx) };
    if (this.configIndex > this.commitIndex) {
      return {
        ok: false,
        reason: `the change at index ${this.configIndex} is not committed yet: one change at a time`,
      };
    }
    if (!this.committedInCurrentTerm()) {
      return { ok: false, reason: `no entry of term ${this.currentTerm} committed yet` };
    }
    if (add !== undefined && this.members.includes(add)) {
      return { ok: false, reason: `${add} is already a member` };
    }
    if (remove !== undefined && !this.members.includes(remove)) {
      return { ok: false, reason: `${remove} is not a member` };
    }
    if (remove !== undefined && this.members.length === 1) {
      return { ok: false, reason: `${remove} is the last member` };
    }
    const members =
      add !== undefined ? [...this.members, add] : this.members.filter((id) => id !== remove);
    const configuration: RaftConfiguration = Object.freeze({ members: Object.freeze(members) });
    this.appendAsLeader(
      ctx,
      Object.freeze({ term: this.currentTerm, command: configuration, kind: "config" }),
    );
    return { ok: true, index: this.lastLogIndex(), term: this.currentTerm };
  }

  onMessage(ctx: NodeContext<RaftMessage>, message: Envelope<RaftMessage>): void {
    // Check-quorum: while this server hears from a leader, vote requests are from servers that
    // were cut off or removed; they are ignored, term and all (thesis §4.2.3).
    if ((message.type === "RequestVote" || message.type === "PreVote") && this.inLeaderLease(ctx)) {
      return;
    }
    // Rules for all servers: a higher term in any RPC or reply makes this server a follower. A
    // pre-vote and a granted pre-vote reply carry a term nobody is in yet: they change nothing.
    const preVoteTerm =
      message.type === "PreVote" || (message.type === "PreVoteReply" && message.voteGranted);
    if (message.term > this.currentTerm && !preVoteTerm) {
      this.becomeFollower(ctx, message.term);
    }
    switch (message.type) {
      case "RequestVote":
        return this.handleRequestVote(ctx, message);
      case "RequestVoteReply":
        return this.handleRequestVoteReply(ctx, message);
      case "PreVote":
        return this.handlePreVote(ctx, message);
      case "PreVoteReply":
        return this.handlePreVoteReply(ctx, message);
      case "AppendEntries":
        return this.handleAppendEntries(ctx, message);
      case "AppendEntriesReply":
        return this.handleAppendEntriesReply(ctx, message);
      case "InstallSnapshot":
        return this.handleInstallSnapshot(ctx, message);
      case "InstallSnapshotReply":
        return this.handleInstallSnapshotReply(ctx, message);
    }
  }

  onTimer(ctx: NodeContext<RaftMessage>, timer: FiredTimer): void {
    if (timer.name === ELECTION_TIMER) {
      if (timer.id !== this.electionTimer) return;
      const leftMs = this.electionDeadlineMs - ctx.now();
      // The deadline moved (a heartbeat came): sleep again instead of cancelling on every message.
      if (leftMs > 0) {
        this.electionTimer = ctx.setTimer(leftMs, ELECTION_TIMER);
        return;
      }
      this.electionTimer = -1;
      if (this.role === "leader") return;
      if (!this.members.includes(ctx.id)) {
        // Not a voting member (yet, or any more): never campaign, but keep watching.
        this.resetElectionTimer(ctx);
      } else if (this.options.preVote === true) {
        this.startPreVote(ctx);
      } else {
        this.startElection(ctx);
      }
      return;
    }
    if (timer.name === HEARTBEAT_TIMER && timer.id === this.heartbeatTimer) {
      this.heartbeatTimer = -1;
      if (this.role !== "leader") return;
      if (this.options.checkQuorum === true && !this.hasRecentQuorum(ctx)) {
        ctx.log(`check-quorum: no majority heard within ${this.options.electionTimeoutMsMax} ms`);
        this.stepDown(ctx);
        return;
      }
      if (this.tracksRounds()) this.startRound(ctx);
      for (const peer of this.peers(ctx)) this.sendAppendEntries(ctx, peer);
      this.heartbeatTimer = ctx.setTimer(this.options.heartbeatMs, HEARTBEAT_TIMER);
      return;
    }
    if (timer.name === FLUSH_TIMER && timer.id === this.flushTimer) {
      this.flushTimer = -1;
      if (this.role !== "leader") return;
      for (const peer of this.peers(ctx)) this.sendIfBehind(ctx, peer);
    }
  }

  // ------------------------------------------------------------------ elections (§5.2)

  /** Thesis §9.6: ask for votes in currentTerm + 1 without moving to it. */
  private startPreVote(ctx: NodeContext<RaftMessage>): void {
    this.preVoting = true;
    this.votesGranted = new Set([ctx.id]);
    this.resetElectionTimer(ctx);
    if (this.isMajority(this.votesGranted)) {
      this.startElection(ctx);
      return;
    }
    const args: PreVoteArgs = {
      type: "PreVote",
      term: this.currentTerm + 1,
      ...this.candidacy(ctx),
    };
    for (const peer of this.peers(ctx)) ctx.send(peer, args);
  }

  private handlePreVote(ctx: NodeContext<RaftMessage>, args: Envelope<PreVoteArgs>): void {
    // Thesis §9.6: grant if the candidate's log is up to date and this server has not heard from
    // a leader for the minimum election timeout; nothing is stored, the term does not change.
    const leaderSilent =
      this.role !== "leader" &&
      ctx.now() - this.leaderContactMs >= this.options.electionTimeoutMsMin;
    const voteGranted =
      args.term > this.currentTerm &&
      leaderSilent &&
      this.isUpToDate(args.lastLogIndex, args.lastLogTerm);
    const reply: PreVoteReply = {
      type: "PreVoteReply",
      term: voteGranted ? args.term : this.currentTerm,
      voteGranted,
    };
    ctx.send(args.from, reply);
  }

  private handlePreVoteReply(ctx: NodeContext<RaftMessage>, reply: Envelope<PreVoteReply>): void {
    if (!this.preVoting || !reply.voteGranted || reply.term !== this.currentTerm + 1) return;
    this.votesGranted.add(reply.from);
    if (this.isMajority(this.votesGranted)) this.startElection(ctx);
  }

  private startElection(ctx: NodeContext<RaftMessage>): void {
    this.preVoting = false;
    this.role = "candidate";
    this.currentTerm += 1;
    this.votedFor = ctx.id;
    this.persistTermAndVote(ctx);
    this.votesGranted = new Set([ctx.id]);
    this.resetElectionTimer(ctx);
    if (this.isMajority(this.votesGranted)) {
      this.becomeLeader(ctx);
      return;
    }
    const args: RequestVoteArgs = {
      type: "RequestVote",
      term: this.currentTerm,
      ...this.candidacy(ctx),
    };
    for (const peer of this.peers(ctx)) ctx.send(peer, args);
  }

  private handleRequestVote(ctx: NodeContext<RaftMessage>, args: Envelope<RequestVoteArgs>): void {
    let voteGranted = false;
    if (args.term === this.currentTerm) {
      // §5.4.1: vote only for a candidate whose log is at least as up-to-date as ours.
      const upToDate = this.isUpToDate(args.lastLogIndex, args.lastLogTerm);
      const free = this.votedFor === null || this.votedFor === args.candidateId;
      if (free && upToDate) {
        voteGranted = true;
        if (this.votedFor !== args.candidateId) {
          this.votedFor = args.candidateId;
          this.persistTermAndVote(ctx);
        }
        this.resetElectionTimer(ctx);
      }
    }
    const reply: RequestVoteReply = {
      type: "RequestVoteReply",
      term: this.currentTerm,
      voteGranted,
    };
    ctx.send(args.from, reply);
  }

  private handleRequestVoteReply(
    ctx: NodeContext<RaftMessage>,
    reply: Envelope<RequestVoteReply>,
  ): void {
    if (this.role !== "candidate" || reply.term !== this.currentTerm || !reply.voteGranted) return;
    this.votesGranted.add(reply.from);
    if (this.isMajority(this.votesGranted)) this.becomeLeader(ctx);
  }

  /** What a candidate tells voters about itself: its id and where its log ends (§5.4.1). */
  private candidacy(ctx: NodeContext<RaftMessage>) {
    const lastLogIndex = this.lastLogIndex();
    return { candidateId: ctx.id, lastLogIndex, lastLogTerm: this.termAt(lastLogIndex) };
  }

  /** §5.4.1: a candidate's log is at least as up-to-date as this server's. */
  private isUpToDate(lastLogIndex: number, lastLogTerm: number): boolean {
    const myLastTerm = this.termAt(this.lastLogIndex());
    return (
      lastLogTerm > myLastTerm ||
      (lastLogTerm === myLastTerm && lastLogIndex >= this.lastLogIndex())
    );
  }

  private becomeFollower(ctx: NodeContext<RaftMessage>, term: number): void {
    assert(term > this.currentTerm, "a server only moves to a higher term");
    this.currentTerm = term;
    this.votedFor = null;
    this.persistTermAndVote(ctx);
    this.stepDown(ctx);
  }

  /** Leaves the leader or candidate role (or pre-voting) for follower, in the same term. */
  private stepDown(ctx: NodeContext<RaftMessage>): void {
    const wasLeader = this.role === "leader";
    this.role = "follower";
    this.preVoting = false;
    if (!wasLeader) return;
    this.leaseUntilMs = -Infinity;
    const reads = this.pendingReads;
    this.pendingReads = [];
    for (const read of reads) {
      read.done({ ok: false, reason: `${ctx.id} lost leadership in term ${this.currentTerm}` });
    }
    // A deposed leader needs an election timer again.
    this.resetElectionTimer(ctx);
  }

  private becomeLeader(ctx: NodeContext<RaftMessage>): void {
    assert(this.role === "candidate", "only a candidate becomes leader");
    this.role = "leader";
    this.nextIndex.clear();
    this.matchIndex.clear();
    this.ackedRound.clear();
    this.lastAckMs.clear();
    this.roundSentAtMs.clear();
    this.leaderSinceMs = ctx.now();
    this.leaseUntilMs = -Infinity;
    for (const peer of this.peers(ctx)) this.trackPeer(peer);
    this.matchIndex.set(ctx.id, this.lastLogIndex());
    if (this.electionTimer !== -1) ctx.cancelTimer(this.electionTimer);
    this.electionTimer = -1;
    if (this.options.appendNoOpOnElection === true) {
      this.appendToLog(ctx, [
        Object.freeze({ term: this.currentTerm, command: null, kind: "noop" }),
      ]);
      this.matchIndex.set(ctx.id, this.lastLogIndex());
      this.advanceCommitIndex(ctx);
    }
    if (this.tracksRounds()) this.startRound(ctx);
    for (const peer of this.peers(ctx)) this.sendAppendEntries(ctx, peer);
    if (this.heartbeatTimer !== -1) ctx.cancelTimer(this.heartbeatTimer);
    this.heartbeatTimer = ctx.setTimer(this.options.heartbeatMs, HEARTBEAT_TIMER);
  }

  private trackPeer(peer: NodeId): void {
    this.nextIndex.set(peer, this.lastLogIndex() + 1);
    this.matchIndex.set(peer, 0);
    this.ackedRound.set(peer, 0);
  }

  /** Check-quorum and leases: this server heard from its leader within the minimum timeout. */
  private inLeaderLease(ctx: NodeContext<RaftMessage>): boolean {
    if (this.options.checkQuorum !== true) return false;
    if (this.role === "leader") return true;
    return ctx.now() - this.leaderContactMs < this.options.electionTimeoutMsMin;
  }

  /** Check-quorum: a majority (counting this leader) answered within the last election timeout. */
  private hasRecentQuorum(ctx: NodeContext<RaftMessage>): boolean {
    const windowMs = this.options.electionTimeoutMsMax;
    if (ctx.now() - this.leaderSinceMs < windowMs) return true;
    const heard = new Set<NodeId>([ctx.id]);
    for (const [peer, atMs] of this.lastAckMs) if (ctx.now() - atMs < windowMs) heard.add(peer);
    return this.isMajority(heard);
  }

  private notLeaderReason(ctx: NodeContext<RaftMessage>): string {
    return `${ctx.id} is not the leader (it is a ${this.role} in term ${this.currentTerm})`;
  }

  private committedInCurrentTerm(): boolean {
    return (
      this.commitIndex >= this.snapshotIndex && this.termAt(this.commitIndex) === this.currentTerm
    );
  }

  private resetElectionTimer(ctx: NodeContext<RaftMessage>): void {
    const { electionTimeoutMsMin: min, electionTimeoutMsMax: max } = this.options;
    this.electionDeadlineMs = ctx.now() + min + ctx.random() * (max - min);
    assert(max >= min, "electionTimeoutMsMax >= electionTimeoutMsMin");
    if (this.electionTimer === -1) {
      this.electionTimer = ctx.setTimer(this.electionDeadlineMs - ctx.now(), ELECTION_TIMER);
    }
  }

  // ------------------------------------------------------------------ log replication (§5.3)

  private sendAppendEntries(ctx: NodeContext<RaftMessage>, peer: NodeId): void {
    const nextIndex = this.nextIndex.get(peer) as number;
    assert(nextIndex >= 1, "nextIndex starts at 1 at least");
    assert(nextIndex <= this.lastLogIndex() + 1, "nextIndex is at most one past the log");
    assert(nextIndex > (this.matchIndex.get(peer) as number), "nextIndex is past matchIndex");
    if (nextIndex <= this.snapshotIndex) {
      // §7: the entries the follower needs are compacted away; send the snapshot instead.
      this.sendInstallSnapshot(ctx, peer);
      return;
    }
    const prevLogIndex = nextIndex - 1;
    const end = Math.min(this.lastLogIndex(), prevLogIndex + this.options.entriesPerAppendMax);
    const entries = this.log.slice(prevLogIndex - this.snapshotIndex, end - this.snapshotIndex);
    const prevLogTerm = this.termAt(prevLogIndex);
    const leaderCommit = this.commitIndex;
    const term = this.currentTerm;
    const leaderId = ctx.id;
    const args: AppendEntriesArgs = this.tracksRounds()
      ? {
          type: "AppendEntries",
          term,
          leaderId,
          prevLogIndex,
          prevLogTerm,
          entries,
          leaderCommit,
          round: this.round,
        }
      : { type: "AppendEntries", term, leaderId, prevLogIndex, prevLogTerm, entries, leaderCommit };
    // Optimistic nextIndex (as etcd's replicate state): do not send these entries again while they
    // are in flight. A lost message shows up as a failed consistency check, which backs up.
    this.nextIndex.set(peer, end + 1);
    ctx.send(peer, args);
  }

  private handleAppendEntries(
    ctx: NodeContext<RaftMessage>,
    args: Envelope<AppendEntriesArgs>,
  ): void {
    // 1. Reply false if term < currentTerm.
    if (args.term < this.currentTerm) return this.replyAppend(ctx, args, false, 0, 0, 0);
    // A current-term AppendEntries comes from the one leader of this term: a candidate steps down.
    assert(this.role !== "leader", "two leaders in one term");
    this.heardFromLeader(ctx);
    // 2. Reply false if the log has no entry at prevLogIndex whose term matches prevLogTerm.
    if (args.prevLogIndex > this.lastLogIndex()) {
      return this.replyAppend(ctx, args, false, 0, 0, this.lastLogIndex() + 1);
    }
    // Entries up to snapshotIndex are committed, so they match every current leader's log (leader
    // completeness): skip those the request repeats and check the rest from the snapshot on.
    const skipped = Math.max(0, this.snapshotIndex - args.prevLogIndex);
    const prevLogIndex = args.prevLogIndex + skipped;
    const entries = skipped === 0 ? args.entries : args.entries.slice(skipped);
    const termHere = this.termAt(prevLogIndex);
    if (skipped === 0 && termHere !== args.prevLogTerm) {
      let first = prevLogIndex;
      while (first > this.snapshotIndex + 1 && this.termAt(first - 1) === termHere) first--;
      return this.replyAppend(ctx, args, false, 0, termHere, first);
    }
    // 3. If an existing entry conflicts with a new one (same index, different term), delete it and
    // all that follow. 4. Append any new entries not already in the log. Entries that match stay:
    // a late AppendEntries must not cut off entries a newer one added.
    let index = prevLogIndex;
    let firstNew = -1;
    for (let k = 0; k < entries.length; k++) {
      index++;
      const entry = entries[k] as RaftLogEntry;
      if (index <= this.lastLogIndex() && this.termAt(index) === entry.term) continue;
      firstNew = k;
      break;
    }
    if (firstNew !== -1) {
      const from = prevLogIndex + firstNew + 1;
      assert(from > this.commitIndex, "a follower never removes a committed entry");
      this.truncateLog(ctx, from);
      this.appendToLog(ctx, entries.slice(firstNew));
    }
    const lastNewIndex = Math.max(args.prevLogIndex + args.entries.length, this.snapshotIndex);
    // 5. If leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index of last new entry).
    if (args.leaderCommit > this.commitIndex) {
      this.setCommitIndex(Math.min(args.leaderCommit, lastNewIndex), ctx);
    }
    this.replyAppend(ctx, args, true, lastNewIndex, 0, 0);
  }

  /** Answers an AppendEntries (Figure 2's results plus the fast-backup hints), echoing its round. */
  private replyAppend(
    ctx: NodeContext<RaftMessage>,
    args: Envelope<AppendEntriesArgs>,
    success: boolean,
    matchIndex: number,
    conflictTerm: number,
    conflictIndex: number,
  ): void {
    const reply: AppendEntriesReply =
      args.round === undefined
        ? {
            type: "AppendEntriesReply",
            term: this.currentTerm,
            success,
            matchIndex,
            conflictTerm,
            conflictIndex,
          }
        : {
            type: "AppendEntriesReply",
            term: this.currentTerm,
            success,
            matchIndex,
            conflictTerm,
            conflictIndex,
            round: args.round,
          };
    ctx.send(args.from, reply);
  }

  /** A current-term message from the leader: follow it, and restart the election timeout. */
  private heardFromLeader(ctx: NodeContext<RaftMessage>): void {
    this.role = "follower";
    this.preVoting = false;
    this.leaderContactMs = ctx.now();
    this.resetElectionTimer(ctx);
  }

  private handleAppendEntriesReply(
    ctx: NodeContext<RaftMessage>,
    reply: Envelope<AppendEntriesReply>,
  ): void {
    if (this.role !== "leader" || reply.term !== this.currentTerm) return;
    const peer = reply.from;
    if (!this.matchIndex.has(peer)) return; // removed from the configuration meanwhile
    this.heardFromPeer(ctx, peer, reply.round);
    const matchIndex = this.matchIndex.get(peer) as number;
    if (reply.success) {
      if (reply.matchIndex > matchIndex) {
        this.matchIndex.set(peer, reply.matchIndex);
        this.nextIndex.set(
          peer,
          Math.max(this.nextIndex.get(peer) as number, reply.matchIndex + 1),
        );
        this.advanceCommitIndex(ctx);
      }
      if ((this.nextIndex.get(peer) as number) <= this.lastLogIndex()) {
        this.sendAppendEntries(ctx, peer);
      }
      return;
    }
    // Fast backup (§5.3): skip the whole conflicting term in one round trip.
    let nextIndex = reply.conflictIndex;
    if (reply.conflictTerm > 0) {
      let last = this.lastLogIndex();
      while (last > this.snapshotIndex && this.termAt(last) !== reply.conflictTerm) last--;
      if (last > this.snapshotIndex) nextIndex = last + 1;
    }
    nextIndex = Math.min(Math.max(nextIndex, matchIndex + 1, 1), this.lastLogIndex() + 1);
    this.nextIndex.set(peer, nextIndex);
    this.sendAppendEntries(ctx, peer);
  }

  /**
   * §5.3 and §5.4.2: the largest N > commitIndex stored on a majority, with log[N].term ==
   * currentTerm. Earlier-term entries commit only indirectly, with a current-term entry after them.
   */
  private advanceCommitIndex(ctx: NodeContext<RaftMessage>): void {
    // The largest N stored on a majority of the members is the majority-th largest matchIndex
    // (the leader's own is its last index, if it is a member). Terms never decrease along a log,
    // so if log[N] is of an older term, so is every entry before it.
    const matches = this.matchScratch;
    matches.length = 0;
    for (const member of this.members) {
      const match = member === ctx.id ? this.lastLogIndex() : (this.matchIndex.get(member) ?? 0);
      // Insertion sort, largest first: clusters are small, and this runs on every reply.
      let at = matches.length;
      while (at > 0 && (matches[at - 1] as number) < match) {
        matches[at] = matches[at - 1] as number;
        at--;
      }
      matches[at] = match;
    }
    const n = matches[Math.floor(matches.length / 2)] ?? 0;
    if (n <= this.commitIndex) return;
    if (!this.options.unsafeCommitOldTerms && this.termAt(n) !== this.currentTerm) return;
    this.setCommitIndex(n, ctx);
  }

  private setCommitIndex(index: number, ctx: NodeContext<RaftMessage>): void {
    if (index <= this.commitIndex) return;
    assert(index <= this.lastLogIndex(), "commitIndex never passes the end of the log");
    this.commitIndex = index;
    // If commitIndex > lastApplied: apply log[lastApplied + 1] (Figure 2, rules for all servers).
    while (this.lastApplied < this.commitIndex) {
      this.lastApplied++;
      const entry = this.entryAt(this.lastApplied);
      assert(entry !== undefined, "an entry to apply is in the log, past the snapshot");
      this.applied.push(entry.command);
      this.options.onApply?.(ctx.id, this.lastApplied, entry, this.currentTerm);
    }
    const every = this.options.snapshotEvery ?? 0;
    if (every > 0 && this.lastApplied - this.snapshotIndex >= every) this.takeSnapshot(ctx);
    if (this.role === "leader") {
      this.serveReads(ctx);
      // Thesis §4.2.2: a leader removed from the configuration steps down once that is committed.
      if (!this.members.includes(ctx.id) && this.configIndex <= this.commitIndex) {
        ctx.log(`removed from the configuration at index ${this.configIndex}: stepping down`);
        this.stepDown(ctx);
      }
    }
  }

  // ------------------------------------------------------------------ log compaction (§7)

  /** Snapshots the state machine up to lastApplied and discards the log up to it. */
  private takeSnapshot(ctx: NodeContext<RaftMessage>): void {
    const lastIncludedIndex = this.lastApplied;
    assert(lastIncludedIndex > this.snapshotIndex, "a new snapshot covers more than the last one");
    const snapshot: RaftSnapshot = {
      lastIncludedIndex,
      lastIncludedTerm: this.termAt(lastIncludedIndex),
      state: this.applied.slice(0, lastIncludedIndex),
      members: this.membersAt(lastIncludedIndex),
    };
    ctx.storage.set("snapshot", snapshot);
    ctx.storage.compactLog(LOG, lastIncludedIndex);
    this.log = this.log.slice(lastIncludedIndex - this.snapshotIndex);
    this.snapshotIndex = lastIncludedIndex;
    this.snapshotTerm = snapshot.lastIncludedTerm;
    this.snapshotMembers = snapshot.members;
    this.recomputeMembers();
  }

  /** Replaces the state machine by the snapshot's (Figure 13, step 8). */
  private resetStateMachine(ctx: NodeContext<RaftMessage>, snapshot: RaftSnapshot): void {
    assert(snapshot.state.length === snapshot.lastIncludedIndex, "a snapshot holds every index");
    this.snapshotIndex = snapshot.lastIncludedIndex;
    this.snapshotTerm = snapshot.lastIncludedTerm;
    this.snapshotMembers = snapshot.members;
    this.applied.length = 0;
    this.applied.push(...snapshot.state);
    this.lastApplied = snapshot.lastIncludedIndex;
    this.commitIndex = Math.max(this.commitIndex, snapshot.lastIncludedIndex);
    this.options.onSnapshot?.(ctx.id, snapshot);
  }

  private sendInstallSnapshot(ctx: NodeContext<RaftMessage>, peer: NodeId): void {
    const args: InstallSnapshotArgs = {
      type: "InstallSnapshot",
      term: this.currentTerm,
      leaderId: ctx.id,
      lastIncludedIndex: this.snapshotIndex,
      lastIncludedTerm: this.snapshotTerm,
      offset: 0,
      data: this.applied.slice(0, this.snapshotIndex),
      done: true,
      ...(this.snapshotMembers === undefined ? {} : { members: this.snapshotMembers }),
    };
    // Optimistic, as for AppendEntries: a lost snapshot shows up as a failed consistency check.
    this.nextIndex.set(peer, this.snapshotIndex + 1);
    ctx.send(peer, args);
  }

  /** InstallSnapshot receiver implementation (Figure 13), for a snapshot sent in one chunk. */
  private handleInstallSnapshot(
    ctx: NodeContext<RaftMessage>,
    args: Envelope<InstallSnapshotArgs>,
  ): void {
    const reply = (matchIndex: number): void => {
      const answer: InstallSnapshotReply = {
        type: "InstallSnapshotReply",
        term: this.currentTerm,
        matchIndex,
      };
      ctx.send(args.from, answer);
    };
    // 1. Reply immediately if term < currentTerm.
    if (args.term < this.currentTerm) return reply(0);
    assert(this.role !== "leader", "two leaders in one term");
    assert(args.offset === 0 && args.done, "snapshots are sent in one chunk");
    this.heardFromLeader(ctx);
    const { lastIncludedIndex, lastIncludedTerm } = args;
    // Already committed here (an old or duplicated snapshot): the state machine must not go back.
    if (lastIncludedIndex <= this.commitIndex) return reply(lastIncludedIndex);
    const snapshot: RaftSnapshot = {
      lastIncludedIndex,
      lastIncludedTerm,
      state: args.data,
      ...(args.members === undefined ? {} : { members: args.members }),
    };
    // 6. If an existing entry has the snapshot's last index and term, keep the entries after it;
    // 7. else discard the entire log.
    const kept =
      this.entryAt(lastIncludedIndex)?.term === lastIncludedTerm
        ? this.log.slice(lastIncludedIndex - this.snapshotIndex)
        : [];
    ctx.storage.set("snapshot", snapshot);
    ctx.storage.compactLog(LOG, lastIncludedIndex);
    if (kept.length === 0) ctx.storage.truncateLog(LOG, lastIncludedIndex + 1);
    this.log = kept;
    if (kept.length === 0)
      this.logChangedFrom = Math.min(this.logChangedFrom, lastIncludedIndex + 1);
    // 8. Reset the state machine using the snapshot contents.
    this.resetStateMachine(ctx, snapshot);
    this.recomputeMembers();
    reply(lastIncludedIndex);
  }

  private handleInstallSnapshotReply(
    ctx: NodeContext<RaftMessage>,
    reply: Envelope<InstallSnapshotReply>,
  ): void {
    if (this.role !== "leader" || reply.term !== this.currentTerm) return;
    const peer = reply.from;
    if (!this.matchIndex.has(peer)) return; // removed from the configuration meanwhile
    this.heardFromPeer(ctx, peer, undefined);
    if (reply.matchIndex > (this.matchIndex.get(peer) as number)) {
      this.matchIndex.set(peer, reply.matchIndex);
      this.nextIndex.set(peer, Math.max(this.nextIndex.get(peer) as number, reply.matchIndex + 1));
      this.advanceCommitIndex(ctx);
    }
    if ((this.nextIndex.get(peer) as number) <= this.lastLogIndex()) {
      this.sendAppendEntries(ctx, peer);
    }
  }

  // ------------------------------------------------------------------ persistence

  private appendToLog(ctx: NodeContext<RaftMessage>, entries: readonly RaftLogEntry[]): void {
    this.logChangedFrom = Math.min(this.logChangedFrom, this.lastLogIndex() + 1);
    let config = false;
    for (const entry of entries) {
      this.log.push(entry);
      if (entry.kind === "config") config = true;
    }
    ctx.storage.appendLog(LOG, entries);
    if (config) this.recomputeMembers();
  }

  /** Deletes the entry at `from` and all that follow it. */
  private truncateLog(ctx: NodeContext<RaftMessage>, from: number): void {
    assert(from > this.snapshotIndex, "a snapshot is never truncated");
    ctx.storage.truncateLog(LOG, from);
    this.log.length = from - 1 - this.snapshotIndex;
    this.logChangedFrom = Math.min(this.logChangedFrom, from);
    if (this.configIndex >= from) this.recomputeMembers();
  }

  private persistTermAndVote(ctx: NodeContext<RaftMessage>): void {
    ctx.storage.set("currentTerm", this.currentTerm);
    ctx.storage.set("votedFor", this.votedFor);
  }

  // ------------------------------------------------------------------ leader's helpers

  /** Leader: appends one entry of its own and replicates it (now, or at the step's end). */
  private appendAsLeader(ctx: NodeContext<RaftMessage>, entry: RaftLogEntry): void {
    this.appendToLog(ctx, [entry]);
    this.matchIndex.set(ctx.id, this.lastLogIndex());
    this.advanceCommitIndex(ctx); // a one-server cluster commits at once
    if (this.role !== "leader") return; // a one-server leader that removed itself
    if (this.options.batchAppends === true) {
      if (this.flushTimer === -1) this.flushTimer = ctx.setTimer(0, FLUSH_TIMER);
      return;
    }
    for (const peer of this.peers(ctx)) this.sendAppendEntries(ctx, peer);
  }

  /** Sends AppendEntries to `peer` if it has not been sent every entry yet. */
  private sendIfBehind(ctx: NodeContext<RaftMessage>, peer: NodeId): void {
    if ((this.nextIndex.get(peer) as number) <= this.lastLogIndex()) {
      this.sendAppendEntries(ctx, peer);
    }
  }

  /** Rounds are counted while someone needs them: check-quorum leases or waiting reads. */
  private tracksRounds(): boolean {
    return this.options.leaseReads !== undefined || this.pendingReads.length > 0;
  }

  /** Starts a heartbeat round: acknowledgements of it prove leadership from this moment on. */
  private startRound(ctx: NodeContext<RaftMessage>): number {
    this.round += 1;
    this.roundSentAtMs.set(this.round, ctx.now());
    return this.round;
  }

  /** A current-term reply from `peer`: check-quorum, leases and ReadIndex count it. */
  private heardFromPeer(
    ctx: NodeContext<RaftMessage>,
    peer: NodeId,
    round: number | undefined,
  ): void {
    if (this.options.checkQuorum === true) this.lastAckMs.set(peer, ctx.now());
    if (round === undefined || round <= (this.ackedRound.get(peer) ?? 0)) return;
    this.ackedRound.set(peer, round);
    const confirmed = this.confirmedRound(ctx);
    const lease = this.options.leaseReads;
    const sentAtMs = this.roundSentAtMs.get(confirmed);
    if (lease !== undefined && sentAtMs !== undefined) {
      // Followers that acknowledged this round will not vote for electionTimeoutMsMin of their
      // own clocks after they received it, which was after sentAtMs. Both clocks may be off by
      // driftBound, so the leader counts on (1 - bound) / (1 + bound) of that on its own clock.
      const { driftBound } = lease;
      const leaseMs = (this.options.electionTimeoutMsMin * (1 - driftBound)) / (1 + driftBound);
      this.leaseUntilMs = Math.max(this.leaseUntilMs, sentAtMs + leaseMs);
    }
    for (const old of this.roundSentAtMs.keys())
      if (old < confirmed) this.roundSentAtMs.delete(old);
    this.serveReads(ctx);
  }

  /** The latest round acknowledged by a majority of the members, this leader included. */
  private confirmedRound(ctx: NodeContext<RaftMessage>): number {
    const rounds: number[] = [];
    for (const member of this.members) {
      rounds.push(member === ctx.id ? this.round : (this.ackedRound.get(member) ?? 0));
    }
    rounds.sort((a, b) => b - a);
    return rounds[Math.floor(rounds.length / 2)] ?? 0;
  }

  /** Answers the ReadIndex requests whose round a majority acknowledged (thesis §6.4, step 3). */
  private serveReads(ctx: NodeContext<RaftMessage>): void {
    if (this.pendingReads.length === 0 || !this.committedInCurrentTerm()) return;
    const confirmed = this.confirmedRound(ctx);
    const ready = this.pendingReads.filter((read) => read.round <= confirmed);
    if (ready.length === 0) return;
    this.pendingReads = this.pendingReads.filter((read) => read.round > confirmed);
    // Step 4: the state machine has applied up to commitIndex (this server applies at once).
    assert(this.lastApplied === this.commitIndex, "a leader applies what it commits at once");
    for (const read of ready) read.done({ ok: true, index: this.commitIndex });
  }

  // ------------------------------------------------------------------ configuration (§4.1)

  /** Re-reads the configuration from the log, the snapshot or the options (thesis §4.1). */
  private recomputeMembers(): void {
    for (let k = this.log.length - 1; k >= 0; k--) {
      const entry = this.log[k] as RaftLogEntry;
      if (entry.kind !== "config") continue;
      this.setMembers((entry.command as RaftConfiguration).members, this.snapshotIndex + k + 1);
      return;
    }
    this.setMembers(this.snapshotMembers ?? this.initialMembers, 0);
  }

  private setMembers(members: readonly NodeId[], configIndex: number): void {
    const added = members.filter((id) => !this.members.includes(id));
    const removed = this.members.filter((id) => !members.includes(id));
    this.members = members;
    this.configIndex = configIndex;
    if (this.role !== "leader") return;
    for (const id of removed) {
      this.nextIndex.delete(id);
      this.matchIndex.delete(id);
      this.ackedRound.delete(id);
      this.lastAckMs.delete(id);
    }
    for (const id of added) if (!this.matchIndex.has(id)) this.trackPeer(id);
  }

  /** The configuration in effect at `index` (for a snapshot taken there). */
  private membersAt(index: number): readonly NodeId[] {
    for (let i = Math.min(index, this.lastLogIndex()); i > this.snapshotIndex; i--) {
      const entry = this.entryAt(i) as RaftLogEntry;
      if (entry.kind === "config") return (entry.command as RaftConfiguration).members;
    }
    return this.snapshotMembers ?? this.initialMembers;
  }

  private peers(ctx: NodeContext<RaftMessage>): readonly NodeId[] {
    return this.members.filter((id) => id !== ctx.id);
  }

  /** `voters` (distinct node ids) are a majority of the current members. */
  private isMajority(voters: ReadonlySet<NodeId>): boolean {
    let count = 0;
    for (const member of this.members) if (voters.has(member)) count++;
    return 2 * count > this.members.length;
  }
}
