// Types of the CAP chapter: counter operations as a client sees them, the messages of every
// variant, and what one scripted run returns (Gilbert and Lynch 2002, §2: the model of a run).

import type { Operation } from "../consistency/linearizability/types.js";
import type { LatencyModel, SimulationStats, TraceEvent } from "../sim/index.js";

/**
 * The counter variants of the chapter.
 * - `"cpReadThenWrite"`: the naive quorum sketch: read a majority, write value + 1 to a majority.
 *   Two concurrent increments read the same value and one is lost.
 * - `"cpNoReadRepair"`: increments as unique ids stored by a majority; a read returns the size of
 *   the union from a majority but does not write it back: a later read can see less (inversion).
 * - `"cpQuorum"`: the fix: the same, plus the read writes the union back to a majority before it
 *   answers (read repair, as in ABD). Linearizable; refuses on the minority side.
 * - `"apLastWriteWins"`: each replica answers alone and gossips `(value, timestamp)`; the newer
 *   timestamp wins. Loses increments whenever two replicas count at once, and under partition.
 * - `"apCrdt"`: each replica answers alone and gossips a PN-counter; merges by pointwise max.
 */
export type CapVariant =
  "cpReadThenWrite" | "cpNoReadRepair" | "cpQuorum" | "apLastWriteWins" | "apCrdt";

/** Every variant, in the chapter's order. */
export const CAP_VARIANTS: readonly CapVariant[] = [
  "cpReadThenWrite",
  "cpNoReadRepair",
  "cpQuorum",
  "apLastWriteWins",
  "apCrdt",
];

/**
 * One counter operation as a client calls it. Increments and decrements carry a unique id
 * (client name and sequence number, e.g. `"c1#4"`), used by the CP fix and to name lost updates.
 */
export type CapCounterInput =
  | { readonly kind: "inc"; readonly id: string }
  | { readonly kind: "dec"; readonly id: string }
  | { readonly kind: "read" };

/**
 * What the client got back.
 * - `"ok"`: answered; `value` is the counter for a read (for an update, what the serving
 *   replica then held, or null when the variant does not say).
 * - `"noQuorum"`: refused after the quorum timeout: `answered` replicas replied (counting the
 *   coordinator), `needed` were required. An update refused so may still have reached some
 *   replicas: its effect is `"unknown"`.
 * - `"timeout"`: the client heard nothing in time (lost request or reply).
 *
 * `effect` says what the checker may assume: `"applied"` for an acknowledged update, `"unknown"`
 * for an update that failed (it may or may not take effect), `"none"` for reads.
 */
export type CapCounterOutput =
  | {
      readonly status: "ok";
      readonly value: number | null;
      readonly effect: "applied" | "none";
    }
  | {
      readonly status: "noQuorum";
      readonly answered: number;
      readonly needed: number;
      readonly message: string;
      readonly effect: "unknown" | "none";
    }
  | { readonly status: "timeout"; readonly effect: "unknown" | "none" };

/** One operation of a client history, in true virtual ms. */
export type CapCounterOperation = Operation<CapCounterInput, CapCounterOutput>;

/** A PN-counter as sent on the wire. */
export interface PNCounterState {
  readonly positive: Readonly<Record<string, number>>;
  readonly negative: Readonly<Record<string, number>>;
}

/**
 * Every message of the chapter. `ghostIds` fields are instrumentation, never read by the
 * protocols: the ids of the updates a value accounts for, so the harness can name a lost update.
 */
export type CapMessage =
  // client <-> its home replica
  | { readonly type: "request"; readonly requestId: number; readonly input: CapCounterInput }
  | { readonly type: "response"; readonly requestId: number; readonly output: CapCounterOutput }
  // cpReadThenWrite: read a value, then write value +- 1
  | { readonly type: "getValue"; readonly opId: number }
  | {
      readonly type: "value";
      readonly opId: number;
      readonly value: number;
      readonly ghostIds: readonly string[];
    }
  | {
      readonly type: "setValue";
      readonly opId: number;
      readonly value: number;
      readonly ghostIds: readonly string[];
    }
  | { readonly type: "valueSet"; readonly opId: number }
  // cpNoReadRepair and cpQuorum: sets of update ids
  | {
      readonly type: "store";
      readonly opId: number;
      readonly incIds: readonly string[];
      readonly decIds: readonly string[];
    }
  | { readonly type: "stored"; readonly opId: number }
  | { readonly type: "collect"; readonly opId: number }
  | {
      readonly type: "collected";
      readonly opId: number;
      readonly incIds: readonly string[];
      readonly decIds: readonly string[];
    }
  // apLastWriteWins: the whole register with its timestamp
  | {
      readonly type: "lwwState";
      readonly value: number;
      readonly timestampMs: number;
      readonly writer: string;
      readonly ghostIds: readonly string[];
    }
  // apCrdt: the whole PN-counter
  | { readonly type: "crdtState"; readonly state: PNCounterState };

/** The partition of the scripted scenario: the first `minorityCount` replicas are cut off. */
export interface CapPartitionOptions {
  /** When the cut starts, in virtual ms. Default 500. */
  readonly startMs?: number;
  /** When it heals. Default 1500. */
  readonly endMs?: number;
  /** Replicas on the minority side. Default: the largest minority, floor((n - 1) / 2). */
  readonly minorityCount?: number;
}

/** Options of {@link runCapScenario}; every field has a default. */
export interface CapScenarioOptions {
  /** 3 or 5 replicas. Default 5. */
  readonly replicasCount?: number;
  /** Clients; client i is served by replica i mod replicasCount. Default 4. */
  readonly clientsCount?: number;
  /** The cut, or null for a run without partition. Default: see {@link CapPartitionOptions}. */
  readonly partition?: CapPartitionOptions | null;
  /** Clients start new operations until this time. Default 2000 ms. */
  readonly durationMs?: number;
  /** After `durationMs`, time for gossip to settle before each client's final read. Default 500. */
  readonly settleMs?: number;
  /** Link latency. Default uniform 1-10 ms. */
  readonly latency?: LatencyModel;
  /** Message loss on every link. Default 0. */
  readonly dropProbability?: number;
  /** Message duplication on every link. Default 0. */
  readonly duplicateProbability?: number;
  /** Lets messages overtake each other. Default false. */
  readonly reorder?: boolean;
  /** Share of operations that are increments. Default 0.6. */
  readonly incrementShare?: number;
  /** Share of operations that are decrements (the rest are reads). Default 0. */
  readonly decrementShare?: number;
  /** A client waits uniformly in [thinkMsMin, thinkMsMax] between operations. Default 10. */
  readonly thinkMsMin?: number;
  /** Default 40. */
  readonly thinkMsMax?: number;
  /** A CP coordinator refuses with "no quorum" after this long. Default 100 ms. */
  readonly quorumTimeoutMs?: number;
  /** A client gives up on a request after this long. Default 400 ms. */
  readonly clientTimeoutMs?: number;
  /** AP replicas send their state to every peer this often. Default 50 ms. */
  readonly antiEntropyIntervalMs?: number;
  /** Trace capacity; 0 turns the trace off (faster). Default 1,000,000. */
  readonly traceEventsMax?: number;
}

/** The counters of one run. */
export interface CapCounts {
  /** Operations in the history, final reads included. */
  readonly operationsCount: number;
  /** Operations answered with a value or an acknowledgement. */
  readonly answeredCount: number;
  /** Operations refused ("no quorum") or timed out. */
  readonly refusedCount: number;
  /** Increments and decrements acknowledged to their client. */
  readonly updatesAcknowledgedCount: number;
  /** Updates that failed and may or may not have taken effect. */
  readonly updatesUnknownCount: number;
  /**
   * Acknowledged updates that the system no longer counts: the final read (after the settle
   * time) that accounts for the most updates does not account for them.
   */
  readonly updatesLostCount: number;
  /** Their ids, e.g. `"c3#7"`. */
  readonly lostUpdateIds: readonly string[];
  /** What each replica's local state says the counter is at the end. */
  readonly finalValues: Readonly<Record<string, number>>;
  /** Each client's final read, or null when it was refused or timed out. */
  readonly finalReadValues: Readonly<Record<string, number | null>>;
  /** True when every replica holds the same value at the end. */
  readonly converged: boolean;
  /** Messages sent (client requests and responses included). */
  readonly messagesCount: number;
  /** messagesCount / operationsCount. */
  readonly messagesPerOperation: number;
}

/** One run of the scripted scenario. */
export interface CapRun {
  readonly variant: CapVariant;
  readonly seed: number;
  /** Replica ids, `r1..rn`. */
  readonly replicas: readonly string[];
  /** Client names by clientId: `clients[0]` is "c1", whose operations have clientId 0. */
  readonly clients: readonly string[];
  /** The replica serving each client, by client name. */
  readonly homeOf: Readonly<Record<string, string>>;
  /** The replicas cut off during the partition (empty without one). */
  readonly minority: readonly string[];
  /** Partition window in virtual ms, or null. */
  readonly partitionWindow: { readonly startMs: number; readonly endMs: number } | null;
  /** Every client operation, ordered by call time. */
  readonly history: readonly CapCounterOperation[];
  /**
   * For each read in `history` (same index), which updates the answering replica had applied, or
   * undefined when the variant cannot say. Instrumentation for {@link explainStaleRead}.
   */
  readonly visibleUpdateIds: readonly (readonly string[] | undefined)[];
  readonly counts: CapCounts;
  readonly trace: readonly TraceEvent[];
  readonly stats: SimulationStats;
}
