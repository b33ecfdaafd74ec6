// Where a common causal-store sketch goes wrong, run next to the fix (Parker et al. 1983; DeCandia
// et al., "Dynamo", SOSP 2007, §4.4): conflicts kept as siblings, versions keep the writer's clock.

import type { NodeId } from "../sim/types.js";
import type { ClockOrder } from "./order.js";
import { VersionVector, type VersionedValue, reconcileSiblings } from "./version-vector.js";

/**
 * The sketch's clock: a mutable map, merged in place, with "concurrent" meaning "neither happened
 * before the other", so equal clocks count as concurrent. Kept only to show what goes wrong.
 */
class SketchClock {
  readonly counters: Map<NodeId, number>;

  constructor(counters: ReadonlyMap<NodeId, number> = new Map()) {
    this.counters = new Map(counters);
  }

  increment(node: NodeId): void {
    this.counters.set(node, (this.counters.get(node) ?? 0) + 1);
  }

  merge(other: SketchClock): void {
    for (const [node, value] of other.counters) {
      this.counters.set(node, Math.max(this.counters.get(node) ?? 0, value));
    }
  }

  happenedBefore(other: SketchClock): boolean {
    let anyLess = false;
    for (const node of new Set([...this.counters.keys(), ...other.counters.keys()])) {
      const mine = this.counters.get(node) ?? 0;
      const theirs = other.counters.get(node) ?? 0;
      if (mine > theirs) return false;
      if (mine < theirs) anyLess = true;
    }
    return anyLess;
  }

  isConcurrentWith(other: SketchClock): boolean {
    return !this.happenedBefore(other) && !other.happenedBefore(this);
  }

  toString(): string {
    const parts = [...this.counters.keys()].sort().map((n) => `${n}:${this.counters.get(n)}`);
    return `{${parts.join(", ")}}`;
  }
}

/** The sketch's replica: one clock for the node, re-stamping remote writes, "higher value wins". */
class SketchStore {
  readonly clock = new SketchClock();
  readonly store = new Map<string, { value: string; clock: SketchClock }>();

  constructor(readonly node: NodeId) {}

  put(key: string, value: string): SketchClock {
    this.clock.increment(this.node);
    const stamped = new SketchClock(this.clock.counters);
    this.store.set(key, { value, clock: stamped });
    return stamped;
  }

  applyRemoteWrite(key: string, value: string, remote: SketchClock): void {
    const existing = this.store.get(key);
    if (existing === undefined || existing.clock.happenedBefore(remote)) {
      this.clock.merge(remote);
      this.clock.increment(this.node);
      this.store.set(key, { value, clock: new SketchClock(this.clock.counters) });
    } else if (remote.isConcurrentWith(existing.clock)) {
      const resolved = value > existing.value ? value : existing.value;
      this.clock.merge(remote);
      this.clock.increment(this.node);
      this.store.set(key, { value: resolved, clock: new SketchClock(this.clock.counters) });
    }
  }
}

/** One pitfall of the sketch: what it does, what the library does instead. */
export interface CausalSketchPitfall {
  readonly pitfall: string;
  readonly sketch: string;
  readonly library: string;
}

/**
 * Runs the common causal key-value store sketch (a mutable vector clock per node; a remote write
 * re-stamped with the receiver's clock; concurrent writes resolved by "higher value wins") next
 * to the library's version vectors, and reports where they differ:
 *
 * 1. Concurrent writes "apple" on r1 and "banana" on r2: the sketch keeps "banana" on both and
 *    stamps it with a clock that dominates "apple", so the loss is permanent and invisible; the
 *    library keeps both as siblings for the application (or the next writer) to resolve.
 * 2. One write replicated from r1 to r2 and r3: the sketch re-stamps it on each, so r2's and r3's
 *    copies of the same write compare as concurrent, a false conflict; the library keeps the
 *    writer's version, equal everywhere.
 * 3. A clock compared with an equal clock: the sketch calls them concurrent; the library says
 *    `"equal"`.
 * 4. A stored version sharing the node's live clock (what dropping the sketch's copy, which does
 *    not compile as written, leads to): the next write changes the stored version in place;
 *    library clocks are immutable.
 */
export function causalSketchPitfalls(): CausalSketchPitfall[] {
  const rows: CausalSketchPitfall[] = [];

  // 1. Concurrent writes resolved by "higher value wins".
  const r1 = new SketchStore("r1");
  const r2 = new SketchStore("r2");
  const apple = r1.put("x", "apple");
  const banana = r2.put("x", "banana");
  r1.applyRemoteWrite("x", "banana", banana);
  r2.applyRemoteWrite("x", "apple", apple);
  const appleVersion: VersionedValue<string> = {
    value: "apple",
    version: VersionVector.empty().increment("r1"),
  };
  const bananaVersion: VersionedValue<string> = {
    value: "banana",
    version: VersionVector.empty().increment("r2"),
  };
  const siblings = reconcileSiblings([appleVersion, bananaVersion]).map((v) => v.value);
  rows.push({
    pitfall: "concurrent writes: higher value wins",
    sketch: `r1 holds ${r1.store.get("x")?.value} ${r1.store.get("x")?.clock}, r2 holds ${r2.store.get("x")?.value} ${r2.store.get("x")?.clock}: apple is gone, and the two copies of banana have concurrent clocks`,
    library: `siblings kept: ${siblings.join(", ")}`,
  });

  // 2. Re-stamping a replicated write makes one write conflict with itself.
  const origin = new SketchStore("r1");
  const copyA = new SketchStore("r2");
  const copyB = new SketchStore("r3");
  const written = origin.put("y", "v");
  copyA.applyRemoteWrite("y", "v", written);
  copyB.applyRemoteWrite("y", "v", written);
  const onA = copyA.store.get("y")?.clock as SketchClock;
  const onB = copyB.store.get("y")?.clock as SketchClock;
  const version = VersionVector.empty().increment("r1");
  rows.push({
    pitfall: "remote write re-stamped by the receiver",
    sketch: `the same write is ${onA} on r2 and ${onB} on r3: concurrent = ${onA.isConcurrentWith(onB)}`,
    library: `the write keeps its version ${version} on every replica: ${version.compare(version)}`,
  });

  // 3. Equal clocks called concurrent.
  const clock = new SketchClock(new Map([["r1", 1]]));
  const same = new SketchClock(new Map([["r1", 1]]));
  const order: ClockOrder = VersionVector.from({ r1: 1 }).compare(VersionVector.from({ r1: 1 }));
  rows.push({
    pitfall: "equal clocks",
    sketch: `${clock}.isConcurrentWith(${same}) = ${clock.isConcurrentWith(same)}`,
    library: `compare gives "${order}"`,
  });

  // 4. A stored version aliasing the live, mutable clock.
  const live = new SketchClock();
  live.increment("r1");
  const stored = live; // stored without a copy
  const storedBefore = stored.toString();
  live.increment("r1"); // the next write, to another key
  const kept = VersionVector.empty().increment("r1");
  const next = kept.increment("r1");
  rows.push({
    pitfall: "stored version shares the live clock",
    sketch: `x's stored version was ${storedBefore}, is now ${stored} after a write to another key`,
    library: `x's version stays ${kept}; the next write gets a new value ${next}`,
  });
  return rows;
}
