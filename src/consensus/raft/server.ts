// One Raft server as a simulator process: Figure 2 of Ongaro and Ousterhout (2014), rule by rule,
// with log compaction and InstallSnapshot (§7, Figure 13). Persistent state goes to ctx.storage.

import { assert } from "../../sim/assert.js";
import type { Envelope, FiredTimer, NodeContext, NodeId, Process } from "../../sim/types.js";
import type {
  AppendEntriesArgs,
  AppendEntriesReply,
  InstallSnapshotArgs,
  InstallSnapshotReply,
  RaftLogEntry,
  RaftMessage,
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
}

const ELECTION_TIMER = "election";
const HEARTBEAT_TIMER = "heartbeat";

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

  private votesGranted = new Set<NodeId>();
  private electionDeadlineMs = 0;
  private electionTimer = -1;
  private heartbeatTimer = -1;

  constructor(private readonly options: RaftServerOptions) {}

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
    this.currentTerm = ctx.storage.get<number>("currentTerm") ?? 0;
    this.votedFor = ctx.storage.get<NodeId | null>("votedFor") ?? null;
    const snapshot = ctx.storage.get<RaftSnapshot>("snapshot");
    if (snapshot !== undefined) this.resetStateMachine(ctx, snapshot);
    // The log is stored one entry per key (absolute index), so an append writes only the new
    // entries; "log.length" is the last index.
    const length = ctx.storage.get<number>("log.length") ?? 0;
    this.log = [];
    for (let index = this.snapshotIndex + 1; index <= length; index++) {
      const entry = ctx.storage.get<RaftLogEntry>(`log.${index}`);
      assert(entry !== undefined, "every stored index up to log.length holds an entry");
      this.log.push(Object.freeze(entry));
    }
    this.logChangedFrom = this.snapshotIndex + 1;
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
    this.appendToLog(ctx, [Object.freeze({ term: this.currentTerm, command })]);
    this.matchIndex.set(ctx.id, this.lastLogIndex());
    this.advanceCommitIndex(ctx); // a one-server cluster commits at once
    for (const peer of this.peers(ctx)) this.sendAppendEntries(ctx, peer);
    return { index: this.lastLogIndex(), term: this.currentTerm, isLeader: true };
  }

  onMessage(ctx: NodeContext<RaftMessage>, message: Envelope<RaftMessage>): void {
    // Rules for all servers: a higher term in any RPC or reply makes this server a follower.
    if (message.term > this.currentTerm) {
      this.becomeFollower(ctx, message.term);
    }
    switch (message.type) {
      case "RequestVote":
        return this.handleRequestVote(ctx, message);
      case "RequestVoteReply":
        return this.handleRequestVoteReply(ctx, message);
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
      if (this.role !== "leader") this.startElection(ctx);
      return;
    }
    if (timer.name === HEARTBEAT_TIMER && timer.id === this.heartbeatTimer) {
      this.heartbeatTimer = -1;
      if (this.role !== "leader") return;
      for (const peer of this.peers(ctx)) this.sendAppendEntries(ctx, peer);
      this.heartbeatTimer = ctx.setTimer(this.options.heartbeatMs, HEARTBEAT_TIMER);
    }
  }

  // ------------------------------------------------------------------ elections (§5.2)

  private startElection(ctx: NodeContext<RaftMessage>): void {
    this.role = "candidate";
    this.currentTerm += 1;
    this.votedFor = ctx.id;
    this.persistTermAndVote(ctx);
    this.votesGranted = new Set([ctx.id]);
    this.resetElectionTimer(ctx);
    if (this.isMajority(this.votesGranted.size, ctx)) {
      this.becomeLeader(ctx);
      return;
    }
    ctx.broadcast({
      type: "RequestVote",
      term: this.currentTerm,
      candidateId: ctx.id,
      lastLogIndex: this.lastLogIndex(),
      lastLogTerm: this.termAt(this.lastLogIndex()),
    });
  }

  private handleRequestVote(ctx: NodeContext<RaftMessage>, args: Envelope<RequestVoteArgs>): void {
    let voteGranted = false;
    if (args.term === this.currentTerm) {
      // §5.4.1: vote only for a candidate whose log is at least as up-to-date as ours.
      const myLastTerm = this.termAt(this.lastLogIndex());
      const upToDate =
        args.lastLogTerm > myLastTerm ||
        (args.lastLogTerm === myLastTerm && args.lastLogIndex >= this.lastLogIndex());
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
    if (this.isMajority(this.votesGranted.size, ctx)) this.becomeLeader(ctx);
  }

  private becomeFollower(ctx: NodeContext<RaftMessage>, term: number): void {
    assert(term > this.currentTerm, "a server only moves to a higher term");
    const wasLeader = this.role === "leader";
    this.currentTerm = term;
    this.votedFor = null;
    this.role = "follower";
    this.persistTermAndVote(ctx);
    if (wasLeader) {
      // A deposed leader needs an election timer again.
      this.resetElectionTimer(ctx);
    }
  }

  private becomeLeader(ctx: NodeContext<RaftMessage>): void {
    assert(this.role === "candidate", "only a candidate becomes leader");
    this.role = "leader";
    this.nextIndex.clear();
    this.matchIndex.clear();
    for (const peer of this.peers(ctx)) {
      this.nextIndex.set(peer, this.lastLogIndex() + 1);
      this.matchIndex.set(peer, 0);
    }
    this.matchIndex.set(ctx.id, this.lastLogIndex());
    if (this.electionTimer !== -1) ctx.cancelTimer(this.electionTimer);
    this.electionTimer = -1;
    for (const peer of this.peers(ctx)) this.sendAppendEntries(ctx, peer);
    if (this.heartbeatTimer !== -1) ctx.cancelTimer(this.heartbeatTimer);
    this.heartbeatTimer = ctx.setTimer(this.options.heartbeatMs, HEARTBEAT_TIMER);
  }

  private resetElectionTimer(ctx: NodeContext<RaftMessage>): void {
    const { electionTimeoutMsMin: min, electionTimeoutMsMax: max } = this.options;
    this.electionDeadlineMs = ctx.now() + min + ctx.random() * (max - min);
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
    const args: AppendEntriesArgs = {
      type: "AppendEntries",
      term: this.currentTerm,
      leaderId: ctx.id,
      prevLogIndex,
      prevLogTerm: this.termAt(prevLogIndex),
      entries: this.log.slice(prevLogIndex - this.snapshotIndex, end - this.snapshotIndex),
      leaderCommit: this.commitIndex,
    };
    // Optimistic nextIndex (as etcd's replicate state): do not send these entries again while they
    // are in flight. A lost message shows up as a failed consistency check, which backs up.
    this.nextIndex.set(peer, end + 1);
    ctx.send(peer, args);
  }

  private handleAppendEntries(
    ctx: NodeContext<RaftMessage>,
    args: Envelope<AppendEntriesArgs>,
  ): void {
    const fail = (conflictTerm: number, conflictIndex: number): void => {
      const reply: AppendEntriesReply = {
        type: "AppendEntriesReply",
        term: this.currentTerm,
        success: false,
        matchIndex: 0,
        conflictTerm,
        conflictIndex,
      };
      ctx.send(args.from, reply);
    };
    // 1. Reply false if term < currentTerm.
    if (args.term < this.currentTerm) return fail(0, 0);
    // A current-term AppendEntries comes from the one leader of this term: a candidate steps down.
    assert(this.role !== "leader", "two leaders in one term");
    this.role = "follower";
    this.resetElectionTimer(ctx);
    // 2. Reply false if the log has no entry at prevLogIndex whose term matches prevLogTerm.
    if (args.prevLogIndex > this.lastLogIndex()) {
      return fail(0, this.lastLogIndex() + 1);
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
      return fail(termHere, first);
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
    const reply: AppendEntriesReply = {
      type: "AppendEntriesReply",
      term: this.currentTerm,
      success: true,
      matchIndex: lastNewIndex,
      conflictTerm: 0,
      conflictIndex: 0,
    };
    ctx.send(args.from, reply);
  }

  private handleAppendEntriesReply(
    ctx: NodeContext<RaftMessage>,
    reply: Envelope<AppendEntriesReply>,
  ): void {
    if (this.role !== "leader" || reply.term !== this.currentTerm) return;
    const peer = reply.from;
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
    for (let n = this.lastLogIndex(); n > this.commitIndex; n--) {
      if (!this.options.unsafeCommitOldTerms && this.termAt(n) !== this.currentTerm) break;
      let replicas = 0;
      for (const match of this.matchIndex.values()) if (match >= n) replicas++;
      if (this.isMajority(replicas, ctx)) {
        this.setCommitIndex(n, ctx);
        return;
      }
    }
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
    };
    ctx.storage.set("snapshot", snapshot);
    for (let index = this.snapshotIndex + 1; index <= lastIncludedIndex; index++) {
      ctx.storage.delete(`log.${index}`);
    }
    this.log = this.log.slice(lastIncludedIndex - this.snapshotIndex);
    this.snapshotIndex = lastIncludedIndex;
    this.snapshotTerm = snapshot.lastIncludedTerm;
  }

  /** Replaces the state machine by the snapshot's (Figure 13, step 8). */
  private resetStateMachine(ctx: NodeContext<RaftMessage>, snapshot: RaftSnapshot): void {
    assert(snapshot.state.length === snapshot.lastIncludedIndex, "a snapshot holds every index");
    this.snapshotIndex = snapshot.lastIncludedIndex;
    this.snapshotTerm = snapshot.lastIncludedTerm;
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
    this.role = "follower";
    this.resetElectionTimer(ctx);
    const { lastIncludedIndex, lastIncludedTerm } = args;
    // Already committed here (an old or duplicated snapshot): the state machine must not go back.
    if (lastIncludedIndex <= this.commitIndex) return reply(lastIncludedIndex);
    const snapshot: RaftSnapshot = { lastIncludedIndex, lastIncludedTerm, state: args.data };
    // 6. If an existing entry has the snapshot's last index and term, keep the entries after it;
    // 7. else discard the entire log.
    const kept =
      this.entryAt(lastIncludedIndex)?.term === lastIncludedTerm
        ? this.log.slice(lastIncludedIndex - this.snapshotIndex)
        : [];
    for (let index = this.snapshotIndex + 1; index <= this.lastLogIndex(); index++) {
      if (index <= lastIncludedIndex || kept.length === 0) ctx.storage.delete(`log.${index}`);
    }
    ctx.storage.set("snapshot", snapshot);
    this.log = kept;
    ctx.storage.set("log.length", lastIncludedIndex + kept.length);
    if (kept.length === 0)
      this.logChangedFrom = Math.min(this.logChangedFrom, lastIncludedIndex + 1);
    // 8. Reset the state machine using the snapshot contents.
    this.resetStateMachine(ctx, snapshot);
    reply(lastIncludedIndex);
  }

  private handleInstallSnapshotReply(
    ctx: NodeContext<RaftMessage>,
    reply: Envelope<InstallSnapshotReply>,
  ): void {
    if (this.role !== "leader" || reply.term !== this.currentTerm) return;
    const peer = reply.from;
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
    for (const entry of entries) {
      this.log.push(entry);
      ctx.storage.set(`log.${this.lastLogIndex()}`, entry);
    }
    ctx.storage.set("log.length", this.lastLogIndex());
  }

  /** Deletes the entry at `from` and all that follow it. */
  private truncateLog(ctx: NodeContext<RaftMessage>, from: number): void {
    assert(from > this.snapshotIndex, "a snapshot is never truncated");
    for (let index = from; index <= this.lastLogIndex(); index++)
      ctx.storage.delete(`log.${index}`);
    this.log.length = from - 1 - this.snapshotIndex;
    this.logChangedFrom = Math.min(this.logChangedFrom, from);
    ctx.storage.set("log.length", this.lastLogIndex());
  }

  private persistTermAndVote(ctx: NodeContext<RaftMessage>): void {
    ctx.storage.set("currentTerm", this.currentTerm);
    ctx.storage.set("votedFor", this.votedFor);
  }

  private peers(ctx: NodeContext<RaftMessage>): readonly NodeId[] {
    return ctx.nodeIds().filter((id) => id !== ctx.id);
  }

  private isMajority(count: number, ctx: NodeContext<RaftMessage>): boolean {
    return 2 * count > ctx.nodeIds().length;
  }
}
