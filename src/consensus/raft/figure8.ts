// The scenario of Figure 8 in Ongaro and Ousterhout (2014), scripted on a RaftHarness: why a leader
// must not commit an entry of an earlier term by counting replicas (§5.4.2).

import { invalidArgument } from "../../sim/assert.js";
import type { RaftHarness } from "./harness.js";

/** What the Figure 8 script did at each step, for tables and diagrams. */
export interface RaftFigure8Step {
  readonly step: "a" | "b" | "c" | "d";
  readonly leader: number;
  readonly term: number;
  readonly note: string;
}

/**
 * Plays Figure 8 on a 5-server harness (after an initial committed entry at index 1):
 * (a) leader S1 replicates an entry at index 2 to one follower only; (b) cut off, a new leader S5
 * takes another entry at index 2 and is cut off too; (c) S1 or its follower leads again and
 * replicates the old index-2 entry to a majority, with no entry of its own term; (d) S5 comes back with two voters and wins.
 *
 * With the rule of §5.4.2, step (c) commits nothing and (d) is harmless. With
 * `unsafeCommitOldTerms`, (c) commits the old entry by counting, and when S5 wins in (d) the
 * invariant checker throws (leader completeness): S5 lacks an entry committed before its term.
 */
export function raftFigure8(h: RaftHarness): RaftFigure8Step[] {
  if (h.servers !== 5) throw invalidArgument("harness servers", "5 for Figure 8", h.servers);
  const steps: RaftFigure8Step[] = [];
  const record = (step: RaftFigure8Step["step"], leader: number, note: string) =>
    steps.push({ step, leader, term: h.getState(leader).term, note });
  const all = [0, 1, 2, 3, 4];
  h.one("figure 8: entry 1", 5, true);

  // (a) S1 leads and replicates index 2 to one follower (S2) only.
  const s1 = h.checkOneLeader();
  const s2 = (s1 + 1) % 5;
  for (const i of all) if (i !== s1 && i !== s2) h.disconnect(i);
  h.start(s1, "figure 8: entry 2 of S1");
  h.advance(200);
  record("a", s1, "S1 leads and stores index 2 on itself and S2 only");

  // (b) S1 and S2 cut off; the other three elect S5, which takes its own index 2 and is cut off.
  h.disconnect(s1);
  h.disconnect(s2);
  const others = all.filter((i) => i !== s1 && i !== s2);
  for (const i of others) h.connect(i);
  const s5 = h.checkOneLeader();
  for (const i of others) if (i !== s5) h.disconnect(i);
  h.start(s5, "figure 8: entry 2 of S5");
  h.advance(200);
  record("b", s5, "S5 leads a later term and stores a different index 2 on itself only");
  h.disconnect(s5);

  // (c) Everyone but S5 reconnects: S1 or S2 (the only logs with index 2) leads a later term and
  // replicates the old index-2 entry to a majority, without an entry of its own term yet.
  for (const i of all) if (i !== s5) h.connect(i);
  const s1Again = h.checkOneLeader();
  h.advance(500);
  record("c", s1Again, "S1's old index 2 is now on a majority: committed only if counted");

  // (d) The leader of (c) and one more server are cut off and S5 comes back. Of the three
  // connected, only S5 can win: the other two hold index 2 of an earlier term, so S5's log is more
  // up-to-date and they vote for it, while S5 votes for neither.
  const voters = all.filter((i) => i !== s5 && i !== s1Again).slice(0, 2);
  for (const i of all) if (i !== s5 && !voters.includes(i)) h.disconnect(i);
  h.connect(s5);
  const last = h.checkOneLeader();
  h.advance(500);
  record("d", last, "S5 leads again and overwrites index 2");
  for (const i of all) h.connect(i);
  return steps;
}
