// Partitions among some nodes only: cut groups of servers off from each other while clients keep
// reaching every server, as a network fault between replicas (Kingsbury, Jepsen "nemesis").

import type { Simulation } from "./simulation.js";
import type { Message, NodeId } from "./types.js";

/**
 * Cuts the `groups` of `nodes` off from each other, both ways, after healing every earlier cut.
 * Nodes of `nodes` in no group form one more group; nodes outside `nodes` (clients) keep reaching
 * everyone. Groups must be disjoint (callers check, naming their own units).
 */
export function partitionAmong<M extends Message>(
  sim: Simulation<M>,
  nodes: readonly NodeId[],
  groups: readonly (readonly NodeId[])[],
): void {
  const listed = new Set(groups.flat());
  const rest = nodes.filter((id) => !listed.has(id));
  const all = rest.length > 0 ? [...groups, rest] : groups;
  sim.heal();
  for (let g = 0; g < all.length; g++) {
    for (let h = 0; h < all.length; h++) {
      if (g !== h) sim.partitionOneWay(all[g] as NodeId[], all[h] as NodeId[]);
    }
  }
}
