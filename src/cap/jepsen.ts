// The map of consistency models of jepsen.io/consistency (after Bailis et al. 2013 and Viotti and
// Vukolić 2016) as data: which model implies which, and how available each can be under partition.

import { invalidArgument } from "../sim/assert.js";
import { type RichOutput, mermaid } from "../viz/index.js";

/**
 * How available a model can be on an asynchronous network that may partition (Bailis et al.):
 * - `"unavailable"`: some nodes must refuse during a partition (at best, a majority side answers);
 * - `"sticky"`: every node can answer clients that stay on the same node (sticky available);
 * - `"total"`: every non-faulty node can answer every client (totally available).
 */
export type AvailabilityClass = "unavailable" | "sticky" | "total";

/** One consistency model on the map. */
export interface ConsistencyModelEntry {
  /** Short id, used in diagrams and to name observations. */
  readonly id: string;
  readonly name: string;
  readonly availability: AvailabilityClass;
  /** The models this one implies (the arrows of the map: stronger -> weaker). */
  readonly implies: readonly string[];
  /** Transactions over many objects, or operations on single objects. */
  readonly family: "transactional" | "single-object";
}

/** The models of the Jepsen map, strongest first. */
export const JEPSEN_MODELS: readonly ConsistencyModelEntry[] = [
  {
    id: "strictSerializable",
    name: "Strict serializable",
    availability: "unavailable",
    implies: ["serializable", "linearizable"],
    family: "transactional",
  },
  {
    id: "serializable",
    name: "Serializable",
    availability: "unavailable",
    implies: ["repeatableRead", "snapshotIsolation"],
    family: "transactional",
  },
  {
    id: "repeatableRead",
    name: "Repeatable read",
    availability: "unavailable",
    implies: ["cursorStability", "monotonicAtomicView"],
    family: "transactional",
  },
  {
    id: "snapshotIsolation",
    name: "Snapshot isolation",
    availability: "unavailable",
    implies: ["monotonicAtomicView"],
    family: "transactional",
  },
  {
    id: "cursorStability",
    name: "Cursor stability",
    availability: "unavailable",
    implies: ["readCommitted"],
    family: "transactional",
  },
  {
    id: "monotonicAtomicView",
    name: "Monotonic atomic view",
    availability: "total",
    implies: ["readCommitted"],
    family: "transactional",
  },
  {
    id: "readCommitted",
    name: "Read committed",
    availability: "total",
    implies: ["readUncommitted"],
    family: "transactional",
  },
  {
    id: "readUncommitted",
    name: "Read uncommitted",
    availability: "total",
    implies: [],
    family: "transactional",
  },
  {
    id: "linearizable",
    name: "Linearizable",
    availability: "unavailable",
    implies: ["sequential"],
    family: "single-object",
  },
  {
    id: "sequential",
    name: "Sequential",
    availability: "unavailable",
    implies: ["causal"],
    family: "single-object",
  },
  {
    id: "causal",
    name: "Causal",
    availability: "sticky",
    implies: ["writesFollowReads", "pram"],
    family: "single-object",
  },
  {
    id: "writesFollowReads",
    name: "Writes follow reads",
    availability: "total",
    implies: [],
    family: "single-object",
  },
  {
    id: "pram",
    name: "PRAM",
    availability: "sticky",
    implies: ["monotonicReads", "monotonicWrites", "readYourWrites"],
    family: "single-object",
  },
  {
    id: "monotonicReads",
    name: "Monotonic reads",
    availability: "total",
    implies: [],
    family: "single-object",
  },
  {
    id: "monotonicWrites",
    name: "Monotonic writes",
    availability: "total",
    implies: [],
    family: "single-object",
  },
  {
    id: "readYourWrites",
    name: "Read your writes",
    availability: "sticky",
    implies: [],
    family: "single-object",
  },
];

/** What a run showed about one model: it held, or a history broke it. */
export interface ConsistencyObservation {
  /** A model id of {@link JEPSEN_MODELS}. */
  readonly model: string;
  /** Who showed it, e.g. "CP counter" or "AP CRDT counter". */
  readonly system: string;
  readonly held: boolean;
}

/** Options of {@link jepsenMap}. */
export interface JepsenMapOptions {
  /** Runs' findings to draw on the map: held (bold border) or violated (dashed, crossed). */
  readonly observations?: readonly ConsistencyObservation[];
  /** Extra notes drawn as boxes beside the map, linked to a model id (e.g. convergence). */
  readonly notes?: readonly { readonly model: string; readonly text: string }[];
  /** Draw only the single-object family (the counters are single objects). Default false. */
  readonly singleObjectOnly?: boolean;
}

const CLASS_STYLE: Record<AvailabilityClass, string> = {
  unavailable: "fill:#f8d7da,stroke:#a94442,color:#000",
  sticky: "fill:#fff3cd,stroke:#8a6d3b,color:#000",
  total: "fill:#d4edda,stroke:#3c763d,color:#000",
};

/**
 * The Jepsen map as a Mermaid flowchart: arrows from stronger to weaker models, colour by
 * availability (red: unavailable under partition, yellow: sticky available, green: totally
 * available), and the runs' observations written into the boxes.
 *
 * @example
 * show(jepsenMap({
 *   observations: [{ model: "linearizable", system: "CP counter", held: true }],
 * }));
 */
export function jepsenMap(options: JepsenMapOptions = {}): RichOutput {
  if (typeof options !== "object" || options === null) {
    throw invalidArgument("options", "an object or undefined", options);
  }
  const known = new Map(JEPSEN_MODELS.map((model) => [model.id, model]));
  for (const observation of options.observations ?? []) {
    if (!known.has(observation.model)) {
      throw invalidArgument(
        "observation.model",
        `a model id of JEPSEN_MODELS (${[...known.keys()].join(", ")})`,
        observation.model,
      );
    }
  }
  for (const note of options.notes ?? []) {
    if (!known.has(note.model)) {
      throw invalidArgument("note.model", "a model id of JEPSEN_MODELS", note.model);
    }
  }
  const models = JEPSEN_MODELS.filter(
    (model) =>
      !options.singleObjectOnly ||
      model.family === "single-object" ||
      model.id === "strictSerializable",
  );
  const shown = new Set(models.map((model) => model.id));
  const lines = ["flowchart TD"];
  const labelOf = (id: string): string => {
    const model = known.get(id) as ConsistencyModelEntry;
    const seen = (options.observations ?? []).filter((o) => o.model === id);
    const marks = seen.map((o) => `${o.held ? "✔" : "✘"} ${escapeLabel(o.system)}`);
    return [escapeLabel(model.name), ...marks].join("<br/>");
  };
  for (const model of models) lines.push(`  ${model.id}["${labelOf(model.id)}"]`);
  for (const model of models) {
    for (const weaker of model.implies) {
      if (shown.has(weaker)) lines.push(`  ${model.id} --> ${weaker}`);
    }
  }
  (options.notes ?? []).forEach((note, i) => {
    lines.push(`  note${i}(["${escapeLabel(note.text)}"])`);
    lines.push(`  note${i} -.- ${note.model}`);
  });
  for (const availability of ["unavailable", "sticky", "total"] as const) {
    lines.push(`  classDef ${availability} ${CLASS_STYLE[availability]}`);
    const ids = models.filter((m) => m.availability === availability).map((m) => m.id);
    if (ids.length > 0) lines.push(`  class ${ids.join(",")} ${availability}`);
  }
  const held = new Set((options.observations ?? []).filter((o) => o.held).map((o) => o.model));
  const broken = new Set((options.observations ?? []).filter((o) => !o.held).map((o) => o.model));
  for (const id of held) lines.push(`  style ${id} stroke-width:4px`);
  for (const id of broken) if (!held.has(id)) lines.push(`  style ${id} stroke-dasharray:6 4`);
  const fallback = models
    .map((model) => {
      const seen = (options.observations ?? []).filter((o) => o.model === model.id);
      const marks = seen.map((o) => `${o.held ? "held" : "broken"} by ${o.system}`).join("; ");
      return `${model.name} (${model.availability})${model.implies.length ? ` -> ${model.implies.join(", ")}` : ""}${marks ? ` [${marks}]` : ""}`;
    })
    .join("\n");
  return mermaid(lines.join("\n"), { fallback });
}

function escapeLabel(text: string): string {
  return text.replace(/"/g, "#quot;").replace(/[<>]/g, " ");
}
