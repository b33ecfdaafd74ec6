// Partitions among some nodes only: cut groups of servers off from each other while clients keep
// reaching every server, as a network fault between replicas (Kingsbury, Jepsen "nemesis").

import { invalidArgument } from "./assert.js";
import type { Simulation } from "./simulation.js";
import type { Message, NodeId } from "./types.js";

/**
 * Cuts groups of `nodes` off from each other, both ways, after healing every earlier cut. Groups
 * are given by index (`idOf` maps an index to its node id, validating it); nodes of `nodes` in no
 * group form one more group; nodes outside `nodes` (clients) keep reaching everyone. A node listed
 * in two groups is an error naming the groups and the `unit` ("servers", "replicas").
 */
export function partitionAmong<M extends Message>(
  sim: Simulation<M>,
  nodes: readonly NodeId[],
  groups: readonly (readonly number[])[],
  idOf: (index: number) => NodeId,
  unit: string,
): void {
  const listed = new Set<NodeId>();
  const ids = groups.map((group) => {
    const members = [...new Set(group.map(idOf))];
    for (const id of members) {
      if (listed.has(id)) throw invalidArgument("groups", `disjoint groups of ${unit}`, groups);
      listed.add(id);
    }
    return members;
  });
  const rest = nodes.filter((id) => !listed.has(id));
  const all = rest.length > 0 ? [...ids, rest] : ids;
  sim.heal();
  for (let g = 0; g < all.length; g++) {
    for (let h = 0; h < all.length; h++) {
      if (g !== h) sim.partitionOneWay(all[g] as NodeId[], all[h] as NodeId[]);
    }
  }
}
