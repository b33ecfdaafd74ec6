// The linearizability checker (Wing and Gong search, Lowe's memoisation, P-compositionality).
// Public face of src/consistency/linearizability, in the style of Porcupine.

export type { Event, Model, Operation } from "./types.js";
