// Benchmarks of the leader-election chapter (src/election): how fast the comparison of the four
// approaches runs, and the simulated figures it measures (Garcia-Molina 1982; Raft §5.2; leases).

import { ELECTION_APPROACHES, compareElections } from "../src/election/index.js";
import { type Figure, timed } from "./sim.js";

/** Wall time of the chapter's comparison: every approach, crash and partition runs, `seeds` each. */
export function electionComparisonTime(seeds: number): Figure {
  const seedList = Array.from({ length: seeds }, (_, i) => i + 1);
  let rows = compareElections({ seeds: seedList });
  const seconds = timed(() => {
    rows = compareElections({ seeds: seedList });
  });
  const summary = rows
    .map(
      (row) =>
        `${row.approach} ${row.messagesMedian} msgs / ${Math.round(row.failoverMsMedian)} ms`,
    )
    .join(", ");
  return {
    name: `election: comparison of ${ELECTION_APPROACHES.length} approaches, ${seeds} seeds`,
    value: seconds * 1000,
    unit: "ms",
    goal: undefined,
    detail: `5 nodes; median election messages and crash-to-leader time: ${summary}`,
  };
}
