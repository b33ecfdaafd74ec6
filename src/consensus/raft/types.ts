// Raft's state and messages, named as in Figure 2 of Ongaro and Ousterhout, "In Search of an
// Understandable Consensus Algorithm" (USENIX ATC 2014). Log indices start at 1, as in the paper.

/** One log entry: the command and the term in which a leader first received it. */
export interface RaftLogEntry {
  readonly term: number;
  readonly command: unknown;
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

/** AppendEntries RPC arguments (Figure 2): replicates entries (§5.3); also the heartbeat (§5.2). */
export interface AppendEntriesArgs {
  readonly type: "AppendEntries";
  readonly term: number;
  readonly leaderId: string;
  readonly prevLogIndex: number;
  readonly prevLogTerm: number;
  readonly entries: readonly RaftLogEntry[];
  readonly leaderCommit: number;
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
}

/**
 * A snapshot of the applied state machine (§7): the state up to and including lastIncludedIndex,
 * which replaces every log entry up to it. The state machine here is the list of applied commands,
 * so `state[i - 1]` is the command applied at index i.
 */
export interface RaftSnapshot {
  readonly lastIncludedIndex: number;
  readonly lastIncludedTerm: number;
  readonly state: readonly unknown[];
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
