// The search for one partition: Wing and Gong's (1993) with Lowe's memoisation (2017, §3), over a
// doubly linked list of call and return entries; resumable, so partitions can share the time.

import { assert } from "../../sim/assert.js";
import type { Model, Operation } from "./types.js";

/** The end of a search: one linearization (indices into the partition), or the deepest prefix. */
export type SearchOutcome =
  | { readonly kind: "ok"; readonly order: number[] }
  | { readonly kind: "illegal"; readonly prefix: number[]; readonly culprit: number };

/** A node of the linearized-operations stack, kept so the deepest prefix can be recovered. */
interface PrefixNode {
  readonly operation: number;
  readonly parent: PrefixNode | null;
}

const NIL = -1;

/** Integers per memo cache entry (see ConfigurationCache). */
const ENTRY_INTS = 6;

/** A 32-bit mix of an integer (murmur3's finaliser): the Zobrist keys of the bitset hash. */
function mix32(value: number): number {
  let h = Math.imul(value ^ (value >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Lowe's search over one partition. Walk the entry list from the head; at a call, try to
 * linearize the operation now (a legal step to a configuration not seen before: lift its call and
 * return out of the list, push the choice, restart from the head); at the return of an operation
 * not linearized yet, undo the last choice (unlift it and go on after its call). An empty list is
 * a linearization; undoing with nothing to undo proves there is none.
 *
 * Operation ids are positions in call order, so the set of linearized operations is nearly a
 * prefix of the ids, which keeps memo entries small. `run(stepsMax)` resumes the search.
 */
export class PartitionSearch<S, I, O> {
  private readonly model: Model<S, I, O>;
  private readonly n: number;
  /** Operation id -> index in the partition (ids are positions in call order). */
  private readonly byCall: number[];
  private readonly inputs: I[];
  private readonly outputs: O[];
  // The entry list: entries 0..2n-1 in time order, HEAD = 2n. invariant: lifted entries keep
  // their own next/prev, so unlift in reverse order restores the list exactly.
  private readonly head: number;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly entryOp: Int32Array;
  private readonly entryIsCall: Uint8Array;
  private readonly returnOf: Int32Array;
  // The set of linearized operations. invariant: every id < low is set, low is not.
  private readonly words: Uint32Array;
  private readonly zobristLow: Uint32Array;
  private readonly zobristHigh: Uint32Array;
  private low = 0;
  private hashLow = 0;
  private hashHigh = 0;
  // The stack of choices: the call entry lifted and the state before it; the highest id so far.
  private readonly stackEntry: Int32Array;
  private readonly stackMax: Int32Array;
  private readonly stackState: S[] = [];
  private readonly stackNode: (PrefixNode | null)[] = [null];
  private depth = 0;
  private state: S;
  private entry: number;
  private bestDepth = -1;
  private bestNode: PrefixNode | null = null;
  private culprit = -1;
  private outcome: SearchOutcome | undefined;
  private readonly cache: ConfigurationCache<S>;

  constructor(model: Model<S, I, O>, partOperations: readonly Operation<I, O>[]) {
    this.model = model;
    const n = partOperations.length;
    this.n = n;
    const at = (i: number): Operation<I, O> => partOperations[i] as Operation<I, O>;
    this.byCall = partOperations.map((_, i) => i).sort((a, b) => at(a).call - at(b).call || a - b);
    this.inputs = this.byCall.map((i) => at(i).input);
    this.outputs = this.byCall.map((i) => at(i).output);

    // Entries by time; at equal times calls first, so touching intervals are concurrent and an
    // operation's call precedes its own return.
    const keys: { time: number; isCall: boolean; op: number }[] = [];
    this.byCall.forEach((index, op) => {
      keys.push({ time: at(index).call, isCall: true, op });
      keys.push({ time: at(index).return, isCall: false, op });
    });
    keys.sort(
      (a, b) => a.time - b.time || (a.isCall === b.isCall ? 0 : a.isCall ? -1 : 1) || a.op - b.op,
    );
    const entryCount = 2 * n;
    this.head = entryCount;
    this.next = new Int32Array(entryCount + 1);
    this.prev = new Int32Array(entryCount + 1);
    this.entryOp = new Int32Array(entryCount);
    this.entryIsCall = new Uint8Array(entryCount);
    this.returnOf = new Int32Array(n);
    keys.forEach((key, position) => {
      this.entryOp[position] = key.op;
      this.entryIsCall[position] = key.isCall ? 1 : 0;
      if (!key.isCall) this.returnOf[key.op] = position;
      this.next[position] = position + 1 < entryCount ? position + 1 : NIL;
      this.prev[position] = position === 0 ? this.head : position - 1;
    });
    this.next[this.head] = n === 0 ? NIL : 0;
    this.prev[this.head] = NIL;

    this.words = new Uint32Array((n + 31) >>> 5);
    this.zobristLow = new Uint32Array(n);
    this.zobristHigh = new Uint32Array(n);
    for (let op = 0; op < n; op++) {
      this.zobristLow[op] = mix32(2 * op + 1);
      this.zobristHigh[op] = mix32(2 * op + 2);
    }
    this.stackEntry = new Int32Array(n);
    this.stackMax = new Int32Array(n + 1);
    this.stackMax[0] = -1;
    this.cache = new ConfigurationCache(model as Model<S, unknown, unknown>, n);
    this.state = model.init();
    this.entry = this.next[this.head] as number;
  }

  /** Runs up to `stepsMax` steps; the outcome when the search is over, else undefined. */
  run(stepsMax: number): SearchOutcome | undefined {
    if (this.outcome !== undefined) return this.outcome;
    const { model, next, entryOp, entryIsCall, inputs, outputs, stackEntry, stackMax } = this;
    const { stackState, stackNode, head } = this;
    let state = this.state;
    let entry = this.entry;
    let depth = this.depth;
    let steps = 0;
    while (next[head] !== NIL) {
      if (steps++ === stepsMax) {
        this.state = state;
        this.entry = entry;
        this.depth = depth;
        return undefined;
      }
      assert(entry !== NIL, "the last entry in the list is always a return");
      const op = entryOp[entry] as number;
      if (entryIsCall[entry] === 1) {
        const stepped = model.step(state, inputs[op] as I, outputs[op] as O);
        if (stepped[0]) {
          const nextState = stepped[1];
          this.setBit(op);
          const highest = Math.max(stackMax[depth] as number, op);
          if (this.remember(nextState, highest)) {
            stackEntry[depth] = entry;
            stackState[depth] = state;
            stackNode[depth + 1] = { operation: op, parent: stackNode[depth] as PrefixNode | null };
            depth++;
            stackMax[depth] = highest;
            state = nextState;
            this.lift(entry);
            entry = next[head] as number;
            continue;
          }
          this.clearBit(op);
        }
        entry = next[entry] as number;
      } else {
        // The return of an operation not linearized yet: undo the last choice.
        if (depth > this.bestDepth) {
          this.bestDepth = depth;
          this.bestNode = stackNode[depth] as PrefixNode | null;
          this.culprit = op;
        }
        if (depth === 0) break;
        depth--;
        const callEntry = stackEntry[depth] as number;
        state = stackState[depth] as S;
        this.clearBit(entryOp[callEntry] as number);
        this.unlift(callEntry);
        entry = next[callEntry] as number;
      }
    }
    this.state = state;
    this.entry = entry;
    this.depth = depth;
    this.outcome = this.finish();
    return this.outcome;
  }

  private finish(): SearchOutcome {
    const { byCall, entryOp } = this;
    if (this.next[this.head] === NIL) {
      assert(this.depth === this.n, "every operation is linearized when the list is empty");
      const order = Array.from(this.stackEntry, (e) => byCall[entryOp[e] as number] as number);
      return { kind: "ok", order };
    }
    assert(this.culprit >= 0, "an illegal history has an operation that cannot be placed");
    const prefix: number[] = [];
    for (let node = this.bestNode; node !== null; node = node.parent) {
      prefix.push(byCall[node.operation] as number);
    }
    prefix.reverse();
    return { kind: "illegal", prefix, culprit: byCall[this.culprit] as number };
  }

  private unlink(entry: number): void {
    const { next, prev } = this;
    const before = prev[entry] as number;
    const after = next[entry] as number;
    next[before] = after;
    if (after !== NIL) prev[after] = before;
  }

  private relink(entry: number): void {
    const { next, prev } = this;
    const before = prev[entry] as number;
    const after = next[entry] as number;
    next[before] = entry;
    if (after !== NIL) prev[after] = entry;
  }

  /** Removes a call and its return from the list (dancing links). */
  private lift(callEntry: number): void {
    this.unlink(callEntry);
    this.unlink(this.returnOf[this.entryOp[callEntry] as number] as number);
  }

  /** Restores what `lift` removed, in reverse order. */
  private unlift(callEntry: number): void {
    this.relink(this.returnOf[this.entryOp[callEntry] as number] as number);
    this.relink(callEntry);
  }

  private setBit(op: number): void {
    const words = this.words;
    words[op >>> 5] = (words[op >>> 5] as number) | (1 << (op & 31));
    this.hashLow ^= this.zobristLow[op] as number;
    this.hashHigh ^= this.zobristHigh[op] as number;
    if (op === this.low) {
      let low = op + 1;
      while (low < this.n && ((words[low >>> 5] as number) & (1 << (low & 31))) !== 0) low++;
      this.low = low;
    }
  }

  private clearBit(op: number): void {
    const words = this.words;
    words[op >>> 5] = (words[op >>> 5] as number) & ~(1 << (op & 31));
    this.hashLow ^= this.zobristLow[op] as number;
    this.hashHigh ^= this.zobristHigh[op] as number;
    if (op < this.low) this.low = op;
  }

  /** Records the configuration (current bits, `state`) unless already seen; true when new. */
  private remember(state: S, highest: number): boolean {
    const low = this.low;
    const firstWord = low >>> 5;
    const span = highest >= low ? (highest >>> 5) - firstWord + 1 : 0;
    const bitsKey = this.hashLow ^ Math.imul(this.hashHigh, 0x27d4eb2d);
    return this.cache.add(bitsKey, low, this.words, firstWord, span, state);
  }
}

/** A string's 32-bit FNV-1a hash. */
function stringHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}

/**
 * The memo cache of Lowe's algorithm: a set of configurations (set of linearized operations,
 * state), in an open hash table of typed arrays (chained by entry index) so that remembering
 * one allocates nothing but the state it keeps. A set is stored as `low` (every id below it is in
 * the set) and the bit words from `low`'s word to the word of its highest id (`span` words).
 */
class ConfigurationCache<S> {
  private readonly model: Model<S, unknown, unknown>;
  private slots: Int32Array;
  private mask: number;
  private count = 0;
  /**
   * Entries, ENTRY_INTS integers each, kept together so a probe touches one cache line: full
   * key, next entry in the chain (-1 ends it), low, span, first word (0 when span is 0), offset
   * in `pool` of the words after the first.
   */
  private entries: Int32Array;
  private pool: Int32Array;
  private poolLength = 0;
  private readonly states: S[] = [];
  /** The state hashes, only for models with `hash`. */
  private readonly stateHashes: string[] = [];

  /** `operationsCount` sizes the first tables: a search remembers at least that many. */
  constructor(model: Model<S, unknown, unknown>, operationsCount: number) {
    this.model = model;
    let slotsCount = 64;
    while (slotsCount < 2 * operationsCount) slotsCount *= 2;
    this.slots = new Int32Array(slotsCount).fill(-1);
    this.mask = slotsCount - 1;
    this.entries = new Int32Array((slotsCount / 2) * ENTRY_INTS);
    this.pool = new Int32Array(64);
  }

  /** Adds the configuration unless an equal one is present; true when it was new. */
  add(
    bitsKey: number,
    low: number,
    words: Uint32Array,
    firstWord: number,
    span: number,
    state: S,
  ): boolean {
    const model = this.model;
    const hash = model.hash;
    let stateHash = "";
    let key = bitsKey;
    if (hash !== undefined) {
      stateHash = hash.call(model, state);
      key ^= stringHash(stateHash);
    } else if (typeof state === "number") {
      key ^= Math.imul(state | 0, 0x9e3779b1) ^ 0x5bd1e995;
    } else if (typeof state === "string") {
      key ^= stringHash(state);
    }
    key |= 0;
    const first = span > 0 ? (words[firstWord] as number) | 0 : 0;
    const equal = model.equal;
    const { entries, pool } = this;
    for (let e = this.slots[key & this.mask] as number; e >= 0;) {
      const at = e * ENTRY_INTS;
      const next = entries[at + 1] as number;
      if (
        entries[at] !== key ||
        entries[at + 2] !== low ||
        entries[at + 3] !== span ||
        entries[at + 4] !== first
      ) {
        e = next;
        continue;
      }
      const offset = (entries[at + 5] as number) - 1;
      let same = true;
      for (let w = 1; w < span; w++) {
        if (pool[offset + w] !== ((words[firstWord + w] as number) | 0)) {
          same = false;
          break;
        }
      }
      // With `equal`: it decides (after a hash mismatch rules out). Else equal hashes identify
      // equal states, and without `hash` either, ===.
      if (same && (hash === undefined || this.stateHashes[e] === stateHash)) {
        if (equal !== undefined) {
          if (equal.call(model, this.states[e] as S, state)) return false;
        } else if (hash !== undefined || this.states[e] === state) {
          return false;
        }
      }
      e = next;
    }
    this.insert(key, low, words, firstWord, span, first, state, stateHash);
    return true;
  }

  private insert(
    key: number,
    low: number,
    words: Uint32Array,
    firstWord: number,
    span: number,
    first: number,
    state: S,
    stateHash: string,
  ): void {
    const e = this.count;
    if ((e + 1) * ENTRY_INTS > this.entries.length) {
      const entries = new Int32Array(this.entries.length * 2);
      entries.set(this.entries);
      this.entries = entries;
    }
    const extra = span > 1 ? span - 1 : 0;
    if (this.poolLength + extra > this.pool.length) {
      const pool = new Int32Array(Math.max(2 * this.pool.length, this.poolLength + extra));
      pool.set(this.pool);
      this.pool = pool;
    }
    for (let w = 1; w < span; w++) {
      this.pool[this.poolLength + w - 1] = (words[firstWord + w] as number) | 0;
    }
    const slot = key & this.mask;
    const at = e * ENTRY_INTS;
    const entries = this.entries;
    entries[at] = key;
    entries[at + 1] = this.slots[slot] as number;
    entries[at + 2] = low;
    entries[at + 3] = span;
    entries[at + 4] = first;
    entries[at + 5] = this.poolLength;
    this.poolLength += extra;
    this.slots[slot] = e;
    this.states[e] = state;
    if (this.model.hash !== undefined) this.stateHashes[e] = stateHash;
    this.count++;
    if (this.count > this.slots.length * 0.75) this.growSlots();
  }

  private growSlots(): void {
    const size = this.slots.length * 2;
    this.slots = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    const entries = this.entries;
    for (let e = 0; e < this.count; e++) {
      const at = e * ENTRY_INTS;
      const slot = (entries[at] as number) & this.mask;
      entries[at + 1] = this.slots[slot] as number;
      this.slots[slot] = e;
    }
  }
}
