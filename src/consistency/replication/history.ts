// Reading a replicated store's history: stale reads against the writes completed before each read
// (Bailis et al. 2012, "Probabilistically bounded staleness", k-staleness) and the bridge to the
// linearizability checker (Herlihy and Wing 1990), whose kv model judges the same operations.

import { assert } from "../../sim/index.js";
import { checkOperations } from "../linearizability/checker.js";
import { type KvInput, type KvOutput, kvModel } from "../linearizability/models.js";
import type { Operation } from "../linearizability/types.js";
import type { ReplicaOperation } from "./types.js";

/** How stale the reads of a history were. */
export interface StalenessReport {
  /** Reads that returned a value (failed reads are not counted). */
  readonly readsCount: number;
  /** Reads that returned only versions older than a write completed before the read was called. */
  readonly staleReadsCount: number;
  /** staleReadsCount / readsCount (0 with no reads). */
  readonly staleFraction: number;
  /** The most versions a read was behind (0 when no read was stale). */
  readonly versionsBehindMax: number;
  /** The stale reads, with how many versions behind each was. */
  readonly staleReads: readonly {
    readonly read: ReplicaOperation;
    readonly versionsBehind: number;
  }[];
}

/**
 * Finds stale reads. A read called at time c that returned the value of write w is `k` versions
 * behind when k writes to the same key started after w returned and returned before c: each of
 * them completed, strictly after w, before the read began, so a linearizable store could not
 * return w's value. A read of a never-written key is measured against the initial version; a read
 * returning siblings counts as fresh if any sibling is. Written values must be unique per key
 * (the workloads write "client:sequence"); a value no successful write wrote (one whose write
 * failed but took effect anyway) is not counted as stale.
 *
 * @example
 * const history = [
 *   { clientId: 0, input: { kind: "write", key: "x", value: "a" }, call: 0, output: { kind: "ok", values: [] }, return: 5 },
 *   { clientId: 0, input: { kind: "write", key: "x", value: "b" }, call: 6, output: { kind: "ok", values: [] }, return: 9 },
 *   { clientId: 1, input: { kind: "read", key: "x" }, call: 10, output: { kind: "ok", values: ["a"] }, return: 12 },
 * ];
 * staleReads(history).versionsBehindMax; // 1: "b" completed after "a" and before the read
 */
export function staleReads(history: readonly ReplicaOperation[]): StalenessReport {
  const writesByKey = new Map<string, ReplicaOperation[]>();
  const writeOf = new Map<string, ReplicaOperation>();
  for (const operation of history) {
    if (operation.input.kind !== "write" || operation.output.kind !== "ok") continue;
    const key = operation.input.key;
    const list = writesByKey.get(key);
    if (list === undefined) writesByKey.set(key, [operation]);
    else list.push(operation);
    writeOf.set(`${key}\u0000${operation.input.value}`, operation);
  }
  const stale: { read: ReplicaOperation; versionsBehind: number }[] = [];
  let readsCount = 0;
  for (const read of history) {
    if (read.input.kind !== "read" || read.output.kind !== "ok") continue;
    readsCount++;
    const key = read.input.key;
    const writes = writesByKey.get(key) ?? [];
    // How many completed writes supersede a version that became visible at `returnMs`.
    const behind = (returnMs: number): number =>
      writes.filter((w) => w.call > returnMs && w.return < read.call).length;
    let versionsBehind = Number.POSITIVE_INFINITY;
    if (read.output.values.length === 0) versionsBehind = behind(Number.NEGATIVE_INFINITY);
    for (const value of read.output.values) {
      const write = writeOf.get(`${key}\u0000${value}`);
      versionsBehind = Math.min(versionsBehind, write === undefined ? 0 : behind(write.return));
    }
    assert(Number.isFinite(versionsBehind), "every read is measured against some version");
    if (versionsBehind > 0) stale.push({ read, versionsBehind });
  }
  return {
    readsCount,
    staleReadsCount: stale.length,
    staleFraction: readsCount === 0 ? 0 : stale.length / readsCount,
    versionsBehindMax: stale.reduce((max, s) => Math.max(max, s.versionsBehind), 0),
    staleReads: stale,
  };
}

/**
 * The history in the checker's key-value vocabulary (`kvModel`): a read is a get (siblings
 * joined with "|", which no single-copy register could return; a never-written key reads as "");
 * a write is a put. A failed read is dropped (it returned nothing); a failed write becomes an
 * unknown outcome that stays pending forever (return Infinity), since it may have taken effect.
 *
 * @example
 * checkOperations(kvModel, toKvHistory(cluster.history)).result; // "ok" for ABD
 */
export function toKvHistory(history: readonly ReplicaOperation[]): Operation<KvInput, KvOutput>[] {
  const out: Operation<KvInput, KvOutput>[] = [];
  for (const operation of history) {
    const { clientId, input, call, output } = operation;
    if (input.kind === "read") {
      if (output.kind !== "ok") continue;
      const value = [...output.values].sort().join("|");
      out.push({
        clientId,
        input: { op: "get", key: input.key },
        call,
        output: { status: "ok", value },
        return: operation.return,
      });
    } else {
      const put: KvInput = { op: "put", key: input.key, value: input.value };
      if (output.kind === "ok") {
        out.push({
          clientId,
          input: put,
          call,
          output: { status: "ok" },
          return: operation.return,
        });
      } else {
        out.push({ clientId, input: put, call, output: { status: "unknown" }, return: Infinity });
      }
    }
  }
  return out;
}

/** The checker's verdict on a replicated store's history: "ok", "illegal" or "unknown". */
export type LinearizabilityVerdict = "ok" | "illegal" | "unknown";

/**
 * Runs the linearizability checker (`kvModel`, partitioned by key) on a store's history.
 * `timeoutMs` bounds the wall time of the check; when it runs out the verdict is "unknown".
 *
 * @example
 * checkReplicaHistory(abdInversionScenario({ writeBack: false }).history); // "illegal"
 */
export function checkReplicaHistory(
  history: readonly ReplicaOperation[],
  timeoutMs = 2000,
): LinearizabilityVerdict {
  return checkOperations(kvModel, toKvHistory(history), { timeoutMs }).result;
}

export { quantile } from "../../sim/stats.js";
