// Helpers for the causal tests: hand-made histories, and histories of a single-copy multi-value
// store (every operation atomic), which are causally consistent by construction.

import fc from "fast-check";
import type { CausalOperation } from "../../../src/index.js";

/** A compact way to write a history by hand: one line per operation, in time order. */
export type Step =
  | readonly [session: string, kind: "w", key: string, value: string]
  | readonly [session: string, kind: "r", key: string, values: readonly string[]];

/** Operations at times 10i..10i+5, in the order given. */
export function history(steps: readonly Step[]): CausalOperation[] {
  return steps.map((step, i) => {
    const [session, kind, key, payload] = step;
    const base = { id: i, session, key, call: 10 * i, return: 10 * i + 5, status: "ok" as const };
    return kind === "w"
      ? { ...base, kind: "write" as const, value: payload as string }
      : { ...base, kind: "read" as const, values: [...(payload as readonly string[])].sort() };
  });
}

export interface RandomStep {
  readonly session: number;
  readonly write: boolean;
  readonly key: number;
}

export const randomSteps: fc.Arbitrary<RandomStep[]> = fc.array(
  fc.record({
    session: fc.integer({ min: 0, max: 3 }),
    write: fc.boolean(),
    key: fc.integer({ min: 0, max: 2 }),
  }),
  { minLength: 1, maxLength: 60 },
);

/**
 * The history of one atomic copy with siblings: a write supersedes the versions in its session's
 * causal past; a read returns every current version and adds their causal pasts to the session's.
 */
export function singleCopyHistory(steps: readonly RandomStep[]): CausalOperation[] {
  const seen = new Map<number, Set<string>>(); // session -> writes (as "key=value") in its past
  const pastOf = new Map<string, Set<string>>();
  const current = new Map<string, string[]>(); // key -> values
  const ops: CausalOperation[] = [];
  steps.forEach((step, i) => {
    const session = `s${step.session}`;
    const key = `k${step.key}`;
    const mine = seen.get(step.session) ?? new Set<string>();
    seen.set(step.session, mine);
    const base = { id: i, session, key, call: 10 * i, return: 10 * i + 5, status: "ok" as const };
    if (step.write) {
      const value = `${session}.${i}`;
      const id = `${key}=${value}`;
      pastOf.set(id, new Set(mine));
      current.set(key, [
        ...(current.get(key) ?? []).filter((v) => !mine.has(`${key}=${v}`)),
        value,
      ]);
      mine.add(id);
      ops.push({ ...base, kind: "write", value });
    } else {
      const values = [...(current.get(key) ?? [])].sort();
      for (const v of values) {
        const id = `${key}=${v}`;
        mine.add(id);
        for (const p of pastOf.get(id) ?? []) mine.add(p);
      }
      ops.push({ ...base, kind: "read", values });
    }
  });
  return ops;
}
