// Consistency models: the linearizability checker, replicated stores from linearizable to
// eventual, causal consistency and session guarantees. Public face of src/consistency.

export * from "./linearizability/index.js";
export * from "./replication/index.js";
export * from "./causal/index.js";
