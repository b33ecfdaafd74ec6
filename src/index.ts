// distsys: the public API used by notebooks, site cells and tests.
// Each concept lives in its own folder under src/ and is re-exported here.

export * from "./sim/index.js";
export * from "./viz/index.js";
export * from "./fallacies/index.js";
export * from "./clocks/index.js";
export * from "./cap/index.js";
export * from "./consistency/index.js";
export * from "./consensus/index.js";
export * from "./hashing/index.js";
export * from "./queue/index.js";
export * from "./election/index.js";
export * from "./interview/index.js";
