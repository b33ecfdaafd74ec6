// The five safety properties of Raft (Figure 3 of Ongaro and Ousterhout, 2014), checked
// incrementally after every simulator event; a violation throws an InvariantViolation naming the seed.
// Logs may be compacted (§7): entries below a snapshot are known through what was applied.

import { InvariantViolation } from "../../sim/assert.js";
import type { RaftLogEntry, RaftSnapshot } from "./types.js";
import type { RaftServer } from "./server.js";

interface LeaderView {
  readonly server: RaftServer;
  readonly term: number;
  /** lastLogIndex() when last checked, and the entry there (undefined: compacted or none). */
  length: number;
  last: RaftLogEntry | undefined;
}

interface CommittedEntry {
  readonly term: number;
  readonly commandKey: string;
  /** The term in which it was first seen committed: leaders of later terms must hold it. */
  readonly committedInTerm: number;
}

function keyOf(command: unknown): string {
  return JSON.stringify(command) ?? "undefined";
}

/**
 * Checks election safety, leader append-only, log matching, leader completeness and state machine
 * safety over the servers of one run. Call {@link check} after every event and
 * {@link recordApply} from the servers' apply hook.
 */
export class RaftInvariantChecker {
  /** Election safety: the one leader seen in each term. */
  private readonly leaderOfTerm = new Map<number, number>();
  /** Leader append-only: what each current leader's log looked like when last checked. */
  private readonly leaders = new Map<number, LeaderView>();
  /** Log matching: for "index/term", the previous entry's term and the command, as first seen. */
  private readonly entries = new Map<string, { prevTerm: number; commandKey: string }>();
  /** State machine safety and leader completeness: entries known committed, by index - 1. */
  private readonly committed: CommittedEntry[] = [];
  private committedChecked = 0;

  constructor(private readonly seed: number) {}

  /** Fails with the seed in the message. */
  fail(property: string, detail: string): never {
    throw new InvariantViolation(
      `Raft ${property} violated (seed ${this.seed}): ${detail}. ` +
        `Replay with new RaftHarness({ ..., seed: ${this.seed} }).`,
    );
  }

  /**
   * State machine safety: every server applies the same command at a given index. `currentTerm`
   * is the applying server's term, the term in which the entry was known committed.
   */
  recordApply(server: number, index: number, entry: RaftLogEntry, currentTerm: number): void {
    const commandKey = keyOf(entry.command);
    const known = this.committed[index - 1];
    if (known === undefined) {
      // Servers apply in index order, so someone applied index - 1 already.
      if (index - 1 !== this.committed.length) {
        this.fail("state machine safety", `server ${server} applied index ${index} out of order`);
      }
      this.committed.push({ term: entry.term, commandKey, committedInTerm: currentTerm });
      return;
    }
    if (known.commandKey !== commandKey || known.term !== entry.term) {
      this.fail(
        "state machine safety",
        `server ${server} applied ${commandKey} (term ${entry.term}) at index ${index}, ` +
          `but ${known.commandKey} (term ${known.term}) was applied there before`,
      );
    }
  }

  /**
   * State machine safety for a state machine reset from a snapshot (InstallSnapshot, or a restart):
   * the snapshot holds, at every index, the command that was applied there.
   */
  recordSnapshot(server: number, snapshot: RaftSnapshot): void {
    const { lastIncludedIndex, lastIncludedTerm, state } = snapshot;
    if (lastIncludedIndex > this.committed.length) {
      this.fail(
        "state machine safety",
        `server ${server} installed a snapshot up to index ${lastIncludedIndex}, but only ` +
          `${this.committed.length} entries were ever applied`,
      );
    }
    for (let index = 1; index <= lastIncludedIndex; index++) {
      const known = this.committed[index - 1] as CommittedEntry;
      const commandKey = keyOf(state[index - 1]);
      if (commandKey !== known.commandKey) {
        this.fail(
          "state machine safety",
          `server ${server} installed a snapshot with ${commandKey} at index ${index}, but ` +
            `${known.commandKey} was applied there`,
        );
      }
    }
    const last = this.committed[lastIncludedIndex - 1];
    if (last !== undefined && last.term !== lastIncludedTerm) {
      this.fail(
        "state machine safety",
        `server ${server} installed a snapshot whose last entry (index ${lastIncludedIndex}) has ` +
          `term ${lastIncludedTerm}, but the entry applied there has term ${last.term}`,
      );
    }
  }

  /** Checks every property that can change with an event. `servers[i]` is undefined if crashed. */
  check(servers: readonly (RaftServer | undefined)[]): void {
    for (let i = 0; i < servers.length; i++) {
      const server = servers[i];
      if (server === undefined) continue;
      this.checkLogMatching(i, server);
      if (server.role === "leader") this.checkLeader(i, server);
      else if (this.leaders.get(i)?.server === server) this.leaders.delete(i);
    }
    if (this.committedChecked < this.committed.length) {
      for (const [i, view] of this.leaders) {
        for (let index = this.committedChecked + 1; index <= this.committed.length; index++) {
          this.checkLeaderHas(i, view.server, index);
        }
      }
      this.committedChecked = this.committed.length;
    }
  }

  private checkLeader(i: number, server: RaftServer): void {
    const term = server.currentTerm;
    const leader = this.leaderOfTerm.get(term);
    if (leader === undefined) this.leaderOfTerm.set(term, i);
    else if (leader !== i) {
      this.fail("election safety", `servers ${leader} and ${i} were both leader in term ${term}`);
    }
    const view = this.leaders.get(i);
    if (view === undefined || view.server !== server || view.term !== term) {
      // A new leader: leader completeness says it holds every committed entry.
      for (let index = 1; index <= this.committed.length; index++) {
        this.checkLeaderHas(i, server, index);
      }
      const length = server.lastLogIndex();
      this.leaders.set(i, { server, term, length, last: server.entryAt(length) });
      return;
    }
    const length = server.lastLogIndex();
    // An entry compacted into the snapshot since the last look was applied, so it is still there.
    const then = server.entryAt(view.length);
    if (length < view.length || (then !== undefined && then !== view.last)) {
      this.fail(
        "leader append-only",
        `leader ${i} of term ${term} had ${view.length} entries and now has ${length}, ` +
          "or replaced one of them",
      );
    }
    view.length = length;
    view.last = server.entryAt(length);
  }

  private checkLeaderHas(i: number, server: RaftServer, index: number): void {
    const entry = this.committed[index - 1] as CommittedEntry;
    // Leader completeness binds the leaders of terms after the commit; a deposed leader of an
    // earlier term that has not heard of it yet may lack the entry.
    if (server.currentTerm <= entry.committedInTerm) return;
    if (index <= server.snapshotIndex) {
      // Compacted: the leader's state machine holds the command, and its term is not kept.
      const applied = keyOf(server.applied[index - 1]);
      if (applied === entry.commandKey) return;
      this.fail(
        "leader completeness",
        `leader ${i} of term ${server.currentTerm} has ${applied} in its snapshot at index ` +
          `${index}, but ${entry.commandKey} was committed there`,
      );
    }
    const mine = server.entryAt(index);
    if (
      mine === undefined ||
      mine.term !== entry.term ||
      keyOf(mine.command) !== entry.commandKey
    ) {
      this.fail(
        "leader completeness",
        `leader ${i} of term ${server.currentTerm} lacks the entry committed at index ${index} ` +
          `(term ${entry.term}, command ${entry.commandKey}); it has ${
            mine === undefined ? "nothing" : `term ${mine.term}, command ${keyOf(mine.command)}`
          }`,
      );
    }
  }

  /**
   * Log matching: if two logs hold an entry with the same index and term, the logs are identical
   * up to it. Equivalently, (index, term) always comes with the same command and the same term at
   * index - 1; checked for entries that changed since the last look.
   */
  private checkLogMatching(i: number, server: RaftServer): void {
    const from = Math.max(server.logChangedFrom, server.snapshotIndex + 1);
    const last = server.lastLogIndex();
    if (from > last) {
      server.logChangedFrom = Number.POSITIVE_INFINITY;
      return;
    }
    for (let index = from; index <= last; index++) {
      const entry = server.entryAt(index) as RaftLogEntry;
      const prevTerm = server.termAt(index - 1);
      const commandKey = keyOf(entry.command);
      const key = `${index}/${entry.term}`;
      const known = this.entries.get(key);
      if (known === undefined) {
        this.entries.set(key, { prevTerm, commandKey });
      } else if (known.prevTerm !== prevTerm || known.commandKey !== commandKey) {
        this.fail(
          "log matching",
          `server ${i} has index ${index} term ${entry.term} with command ${commandKey} after ` +
            `term ${prevTerm}, but another log had command ${known.commandKey} after term ${known.prevTerm}`,
        );
      }
    }
    server.logChangedFrom = Number.POSITIVE_INFINITY;
  }
}
