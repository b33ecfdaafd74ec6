// Raft's state and messages, named as in Figure 2 of Ongaro and Ousterhout, "In Search of an
// Understandable Consensus Algorithm" (USENIX ATC 2014). Log indices start at 1, as in the paper.

/**
 * One log entry: the command and the term in which a leader first received it. Entries with a
 * `kind` are Raft's own, not a client's: "noop" is the empty entry a new leader may append to
 * commit an entry of its term (thesis §6.4), "config" a membership change whose command is a
 * {@link RaftConfiguration} (thesis §4.1). State machines skip both.
 */
export interface RaftLogEntry {
  readonly term: number;
  readonly command: unknown;
  readonly kind?: "noop" | "config";
}

/** The command of a "config" entry: the voting members from this entry on (thesis §4.1). */
export interface RaftConfiguration {
  readonly members: readonly string[];
}

/** A server's role (§5.1). */
export type RaftRole = "follower" | "candidate" | "leader";

/** RequestVote RPC arguments (Figure 2), invoked by candidates to gather votes (§5.2). */
export interface RequestVoteArgs {
  readonly type: "RequestVote";
  readonly term: number;
  readonly candidateId: string;
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
}

/** RequestVote RPC results (Figure 2). */
export interface RequestVoteReply {
  readonly type: "RequestVoteReply";
  readonly term: number;
  readonly voteGranted: boolean;
}

/**
 * Pre-vote (thesis §9.6): "would you vote for me in `term`?", asked before a server increments
 * its term, so a server that cannot win does not disrupt the cluster. `term` is the term the
 * candidate would move to (its currentTerm + 1); receivers do not change their own term.
 */
export interface PreVoteArgs {
  readonly type: "PreVote";
  readonly term: number;
  readonly candidateId: string;
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
}

/** Pre-vote answer: granted replies carry the asked term, refusals the receiver's currentTerm. */
export interface PreVoteReply {
  readonly type: "PreVoteReply";
  readonly term: number;
  readonly voteGranted: boolean;
}

/** AppendEntries RPC arguments (Figure 2): replicates entries (§5.3); also the heartbeat (§5.2). */
export interface AppendEntriesArgs {
  readonly type: "AppendEntries";
  readonly term: number;
  readonly leaderId: string;
  readonly prevLogIndex: number;
  readonly prevLogTerm: number;
  readonly entries: readonly RaftLogEntry[];
  readonly leaderCommit: number;
  /**
   * The leader's heartbeat round, sent only while it needs acknowledgements for reads (ReadIndex,
   * leases: thesis §6.4); the reply echoes it.
   */
  readonly round?: number;
}

/**
 * AppendEntries RPC results (Figure 2), plus the fast backup hints of §5.3 ("the follower can
 * include the term of the conflicting entry and the first index it stores for that term"), and
 * the index this reply confirms, so a late or duplicated reply never moves matchIndex backwards.
 */
export interface AppendEntriesReply {
  readonly type: "AppendEntriesReply";
  readonly term: number;
  readonly success: boolean;
  /** On success: prevLogIndex + entries.length of the request answered. */
  readonly matchIndex: number;
  /** On failure: the term of the conflicting entry at prevLogIndex, or 0 if the log is too short. */
  readonly conflictTerm: number;
  /** On failure: the first index holding conflictTerm, or the log length + 1 if it is too short. */
  readonly conflictIndex: number;
  /** The request's round, echoed: the follower accepted this leader after the round began. */
  readonly round?: number;
}

/**
 * A snapshot of the applied state machine (§7): the state up to and including lastIncludedIndex,
 * which replaces every log entry up to it. The state machine here is the list of applied commands,
 * so `state[i - 1]` is the command applied at index i. Raft's own entries are in it too, without
 * their kind: a no-op as `null`, a configuration change as its {@link RaftConfiguration}; a state
 * machine rebuilt by replaying the list must recognise its own commands (RaftKvServer tags them).
 */
export interface RaftSnapshot {
  readonly lastIncludedIndex: number;
  readonly lastIncludedTerm: number;
  readonly state: readonly unknown[];
  /** The voting members as of lastIncludedIndex (thesis §4.1); absent: the initial members. */
  readonly members?: readonly string[];
}

/**
 * InstallSnapshot RPC arguments (Figure 13), sent by a leader to a follower that needs entries
 * the leader has compacted away. Sent in one chunk: offset is always 0 and done always true.
 */
export interface InstallSnapshotArgs {
  readonly type: "InstallSnapshot";
  readonly term: number;
  readonly leaderId: string;
  readonly lastIncludedIndex: number;
  readonly lastIncludedTerm: number;
  readonly offset: number;
  readonly data: readonly unknown[];
  readonly done: boolean;
  /** The voting members as of lastIncludedIndex (absent: the initial members). */
  readonly members?: readonly string[];
}

/**
 * InstallSnapshot RPC results (Figure 13), plus the index the follower now matches up to (the
 * snapshot's lastIncludedIndex), so a late or duplicated reply never moves matchIndex backwards.
 */
export interface InstallSnapshotReply {
  readonly type: "InstallSnapshotReply";
  readonly term: number;
  readonly matchIndex: number;
}

/** Every message a Raft server sends or receives. */
export type RaftMessage =
  | RequestVoteArgs
  | RequestVoteReply
  | PreVoteArgs
  | PreVoteReply
  | AppendEntriesArgs
  | AppendEntriesReply
  | InstallSnapshotArgs
  | InstallSnapshotReply;

/** What `start` answers (as the lab's Start(command)): where the command would go, if leader. */
export interface RaftStartResult {
  readonly index: number;
  readonly term: number;
  readonly isLeader: boolean;
}

/**
 * What a linearizable read asks of Raft (thesis §6.4): ok with the index the state machine must
 * have applied (it has, when the answer comes), or why this server cannot serve it.
 */
export type RaftReadResult =
  { readonly ok: true; readonly index: number } | { readonly ok: false; readonly reason: string };

/** A membership change (thesis §4.1): one server added or removed. */
export type RaftMembershipChange = { readonly add: string } | { readonly remove: string };

/** What a membership change request answers: where the config entry went, or why it was refused. */
export type RaftMembershipResult =
  | { readonly ok: true; readonly index: number; readonly term: number }
  | { readonly ok: false; readonly reason: string };
