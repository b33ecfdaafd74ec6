// One Raft server against scripted peers: the RPC receiver rules of Figure 2, one at a time.
// Reference: Raft Figure 2 (RequestVote and AppendEntries receiver implementation), §5.2, §5.3,
// §5.4.1 (election restriction) and the fast backup of §5.3.

import { describe, expect, it } from "vitest";
import type { AppendEntriesArgs } from "../../../src/consensus/raft/index.js";
import { scriptedServer } from "./support.js";

/** Server "v" and two silent peers "a" and "b" that record what v sends them. */
const setUp = () => scriptedServer();

const vote = (candidateId: string, term: number, lastLogIndex = 0, lastLogTerm = 0) =>
  ({ type: "RequestVote", term, candidateId, lastLogIndex, lastLogTerm }) as const;

function append(
  term: number,
  prevLogIndex: number,
  prevLogTerm: number,
  entryTerms: number[],
  leaderCommit = 0,
): AppendEntriesArgs {
  return {
    type: "AppendEntries",
    term,
    leaderId: "a",
    prevLogIndex,
    prevLogTerm,
    entries: entryTerms.map((t, i) => ({ term: t, command: `${prevLogIndex + i + 1}@${t}` })),
    leaderCommit,
  };
}

describe("Figure 2: RequestVote receiver", () => {
  it("grants one vote per term, and the vote survives a crash (persisted before answering)", () => {
    const { sim, send } = setUp();
    expect(send("a", vote("a", 1))).toMatchObject({ type: "RequestVoteReply", voteGranted: true });
    sim.crash("v");
    sim.restart("v");
    sim.runFor(1);
    expect(send("b", vote("b", 1))).toMatchObject({ voteGranted: false, term: 1 });
    // The same candidate asking again (a duplicate) gets the same answer.
    expect(send("a", vote("a", 1))).toMatchObject({ voteGranted: true });
  });

  it("rejects a candidate of an older term and replies with its own term", () => {
    const { send } = setUp();
    send("a", vote("a", 5));
    expect(send("b", vote("b", 4))).toMatchObject({ voteGranted: false, term: 5 });
  });

  it("§5.4.1 grants only to a candidate whose log is at least as up-to-date", () => {
    const { send, server } = setUp();
    send("a", append(2, 0, 0, [1, 2]));
    expect(server().log.map((e) => e.term)).toEqual([1, 2]);
    // Older last term: refused even though the log is longer.
    expect(send("b", vote("b", 3, 5, 1))).toMatchObject({ voteGranted: false });
    // Same last term, shorter log: refused (new term, so the vote is still free).
    expect(send("b", vote("b", 4, 1, 2))).toMatchObject({ voteGranted: false });
    // Same last term, as long: granted.
    expect(send("b", vote("b", 5, 2, 2))).toMatchObject({ voteGranted: true });
  });
});

describe("Figure 2: AppendEntries receiver", () => {
  it("rejects an older term and appends from the current leader", () => {
    const { send, server } = setUp();
    send("a", vote("a", 3));
    expect(send("a", append(2, 0, 0, [2]))).toMatchObject({ success: false, term: 3 });
    expect(send("a", append(3, 0, 0, [3, 3]))).toMatchObject({ success: true, matchIndex: 2 });
    expect(server().log.map((e) => e.term)).toEqual([3, 3]);
  });

  it("fast backup: a log too short answers its length + 1 and no conflict term", () => {
    const { send } = setUp();
    send("a", append(1, 0, 0, [1, 1]));
    expect(send("a", append(1, 6, 1, [1]))).toMatchObject({
      success: false,
      conflictTerm: 0,
      conflictIndex: 3,
    });
  });

  it("fast backup: a mismatch answers the conflicting term and its first index", () => {
    const { send } = setUp();
    send("a", append(2, 0, 0, [1, 1, 2, 2, 2]));
    expect(send("a", append(3, 4, 3, [3]))).toMatchObject({
      success: false,
      conflictTerm: 2,
      conflictIndex: 3,
    });
  });

  it("deletes a conflicting entry and all that follow it, then appends", () => {
    const { send, server } = setUp();
    send("a", append(2, 0, 0, [1, 2, 2, 2]));
    expect(send("a", append(3, 1, 1, [3]))).toMatchObject({ success: true, matchIndex: 2 });
    expect(server().log.map((e) => e.term)).toEqual([1, 3]);
  });

  it("a late AppendEntries whose entries match does not cut the log", () => {
    const { send, server } = setUp();
    send("a", append(1, 0, 0, [1, 1, 1]));
    expect(send("a", append(1, 0, 0, [1]))).toMatchObject({ success: true, matchIndex: 1 });
    expect(server().log).toHaveLength(3);
  });

  it("commitIndex = min(leaderCommit, index of last new entry), and commands are applied", () => {
    const { send, server } = setUp();
    send("a", append(1, 0, 0, [1, 1, 1], 0));
    send("a", append(1, 1, 1, [], 3));
    expect(server().commitIndex).toBe(1);
    send("a", append(1, 3, 1, [], 3));
    expect(server().commitIndex).toBe(3);
    expect(server().applied).toEqual(["1@1", "2@1", "3@1"]);
  });

  it("the log survives a crash; commitIndex and the applied state do not", () => {
    const { sim, send, server } = setUp();
    send("a", append(1, 0, 0, [1, 1], 2));
    sim.crash("v");
    sim.restart("v");
    sim.runFor(1);
    expect(server().log.map((e) => e.command)).toEqual(["1@1", "2@1"]);
    expect(server().currentTerm).toBe(1);
    expect(server().commitIndex).toBe(0);
    expect(server().applied).toEqual([]);
  });
});
