// Built-in sequential models for the checker: a register with compare-and-set (also the model of
// Jepsen's etcd tests) and a key-value store partitioned by key (Porcupine's kv tests).

import { describeValue, invalidArgument } from "../../sim/assert.js";
import type { Model, Operation } from "./types.js";

/** A register's value: `null` is the empty register (Jepsen's `nil`), its initial value. */
export type RegisterValue = number | string | null;

/** An operation on a register: read it, write it, or compare-and-set it. */
export type RegisterInput =
  | { readonly op: "read" }
  | { readonly op: "write"; readonly value: RegisterValue }
  | { readonly op: "cas"; readonly expected: RegisterValue; readonly value: RegisterValue };

/**
 * What an operation returned.
 * - `{ status: "ok", value }` for a read (the value read), `{ status: "ok" }` for an
 *   acknowledged write or a compare-and-set that swapped.
 * - `{ status: "fail" }`: the operation definitely did not take effect (for a compare-and-set:
 *   the register did not hold `expected`, which the checker verifies).
 * - `{ status: "unknown" }`: timed out, crashed or still pending; it may or may not have taken
 *   effect. Accepted in every state; give the operation `return: Infinity` if it might take
 *   effect after later operations (a read's unknown outcome changes nothing either way).
 */
export type RegisterOutput =
  | { readonly status: "ok"; readonly value?: RegisterValue }
  | { readonly status: "fail" }
  | { readonly status: "unknown" };

/**
 * A single register with read, write and compare-and-set, initially `null`. Values compare with
 * `===`. This is also the model of the Jepsen etcd histories (see `parseJepsenEtcdLog`).
 *
 * @example
 * const write = { op: "write", value: 1 } as const;
 * registerModel.step(null, write, { status: "ok" }); // [true, 1]
 * registerModel.step(1, { op: "read" }, { status: "ok", value: 2 }); // [false, 1]
 */
export const registerModel: Model<RegisterValue, RegisterInput, RegisterOutput> = {
  init: () => null,
  step(state, input, output) {
    if (output.status === "unknown") {
      // Took effect (this step) or not (placed after everything, where nothing observes it).
      return [true, input.op === "read" ? state : applyRegisterInput(state, input)];
    }
    if (output.status === "fail") {
      return [input.op !== "cas" || input.expected !== state, state];
    }
    switch (input.op) {
      case "read":
        if (output.value === undefined) {
          throw invalidArgument("the output of a read", "{ status: 'ok', value }", output);
        }
        return [output.value === state, state];
      case "write":
        return [true, input.value];
      case "cas":
        return [input.expected === state, input.value];
    }
  },
  describeOperation: describeRegisterOperation,
};

function applyRegisterInput(state: RegisterValue, input: RegisterInput): RegisterValue {
  if (input.op === "write") return input.value;
  if (input.op === "cas" && input.expected === state) return input.value;
  return state;
}

function registerText(value: RegisterValue | undefined): string {
  return value === null || value === undefined ? "nil" : describeValue(value);
}

function describeRegisterOperation(input: RegisterInput, output: RegisterOutput): string {
  const outcome = output.status === "unknown" ? "?" : output.status === "fail" ? "fail" : "ok";
  switch (input.op) {
    case "read":
      return output.status === "ok"
        ? `read() -> ${registerText(output.value)}`
        : `read() -> ${outcome}`;
    case "write":
      return output.status === "ok"
        ? `write(${registerText(input.value)})`
        : `write(${registerText(input.value)}) -> ${outcome}`;
    case "cas":
      return `cas(${registerText(input.expected)}, ${registerText(input.value)}) -> ${outcome}`;
  }
}

/** An operation on a key-value store of strings; a missing key reads as `""`. */
export type KvInput =
  | { readonly op: "get"; readonly key: string }
  | { readonly op: "put"; readonly key: string; readonly value: string }
  | { readonly op: "append"; readonly key: string; readonly value: string };

/**
 * What a key-value operation returned: `{ status: "ok", value }` for a get, `{ status: "ok" }`
 * for a put or append; `fail` and `unknown` as for {@link RegisterOutput}.
 */
export type KvOutput =
  | { readonly status: "ok"; readonly value?: string }
  | { readonly status: "fail" }
  | { readonly status: "unknown" };

/**
 * The state of the key-value model: the value of each key written (others read as `""`), with a
 * digest kept up to date at each step so the memo cache never rebuilds long values into strings.
 */
export interface KvState {
  readonly values: ReadonlyMap<string, string>;
  /** A rolling hash of each key's value (absent for a missing key). */
  readonly valueHashes: ReadonlyMap<string, number>;
  /** XOR over keys with a non-empty value of a mix of the key's and the value's hashes. */
  readonly digest: number;
}

/** A 32-bit multiplicative rolling hash of `text` continued from `hash`. */
function rollingHash(hash: number, text: string): number {
  let h = hash;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 0x01000193) + text.charCodeAt(i)) | 0;
  return h;
}

/** The digest contribution of one key and value hash (murmur3's finaliser of their mix). */
function keyContribution(key: string, valueHash: number): number {
  let h = Math.imul(rollingHash(0x811c9dc5, key), 0x9e3779b1) ^ valueHash;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const EMPTY_VALUE_HASH = 0x2f1b3c4d;

function applyKvInput(state: KvState, input: KvInput): KvState {
  if (input.op === "get") return state;
  const old = state.values.get(input.key) ?? "";
  const value = input.op === "put" ? input.value : old + input.value;
  const oldHash = state.valueHashes.get(input.key);
  const valueHash =
    input.op === "put"
      ? rollingHash(EMPTY_VALUE_HASH, value)
      : rollingHash(oldHash ?? EMPTY_VALUE_HASH, input.value);
  let digest = state.digest;
  if (old !== "") digest ^= keyContribution(input.key, oldHash ?? EMPTY_VALUE_HASH);
  if (value !== "") digest ^= keyContribution(input.key, valueHash);
  const values = new Map(state.values).set(input.key, value);
  const valueHashes = new Map(state.valueHashes).set(input.key, valueHash);
  return { values, valueHashes, digest: digest >>> 0 };
}

/**
 * A key-value store with get, put and append over string keys and values, partitioned by key:
 * each key's operations are checked alone (P-compositionality), which is what makes long
 * multi-key histories tractable. Without the partition (build a model from the other fields)
 * the same histories get the same verdicts, much more slowly.
 *
 * @example
 * const [legal, state] = kvModel.step(kvModel.init(), { op: "append", key: "x", value: "a" }, {
 *   status: "ok",
 * });
 * state.values.get("x"); // "a"
 */
export const kvModel: Model<KvState, KvInput, KvOutput> = {
  init: () => ({ values: new Map(), valueHashes: new Map(), digest: 0 }),
  step(state, input, output) {
    if (output.status === "unknown") return [true, applyKvInput(state, input)];
    if (output.status === "fail") return [true, state];
    if (input.op === "get") {
      if (output.value === undefined) {
        throw invalidArgument("the output of a get", "{ status: 'ok', value }", output);
      }
      return [output.value === (state.values.get(input.key) ?? ""), state];
    }
    return [true, applyKvInput(state, input)];
  },
  hash: (state) => String(state.digest),
  equal(a, b) {
    // Equal digests usually mean equal states; this confirms it. A missing key reads as "".
    if (a === b) return true;
    if (a.digest !== b.digest) return false;
    for (const [key, value] of a.values) if ((b.values.get(key) ?? "") !== value) return false;
    for (const [key, value] of b.values) if ((a.values.get(key) ?? "") !== value) return false;
    return true;
  },
  partition(history) {
    const byKey = new Map<string, Operation<KvInput, KvOutput>[]>();
    for (const operation of history) {
      const part = byKey.get(operation.input.key);
      if (part === undefined) byKey.set(operation.input.key, [operation]);
      else part.push(operation);
    }
    return [...byKey.keys()].sort().map((key) => byKey.get(key) ?? []);
  },
  describeOperation(input, output) {
    const outcome =
      output.status === "unknown" ? " -> ?" : output.status === "fail" ? " -> fail" : "";
    const key = describeValue(input.key);
    switch (input.op) {
      case "get":
        return output.status === "ok"
          ? `get(${key}) -> ${describeValue(output.value)}`
          : `get(${key})${outcome}`;
      case "put":
        return `put(${key}, ${describeValue(input.value)})${outcome}`;
      case "append":
        return `append(${key}, ${describeValue(input.value)})${outcome}`;
    }
  },
};
