// Laws of the checker on generated histories: soundness of "ok" witnesses, completeness on
// histories linearizable by construction, agreement with a brute-force oracle (Herlihy and Wing
// 1990's definition), event/operation agreement, and P-compositionality (Herlihy and Wing §3.3).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type RegisterOutput,
  checkEvents,
  checkOperations,
  kvModel,
  registerModel,
} from "../../../src/consistency/linearizability/index.js";
import { assertProperty } from "../../support/property.js";
import {
  type RegisterOperation,
  bruteForceLinearizable,
  kvModelUnpartitioned,
  linearizableRegisterHistory,
  operationsAsEvents,
  randomKvOperation,
  randomRegisterOperation,
  registerSpec,
  witnessProblem,
} from "./support.js";

// Up to 100 operations: the memo cache then keeps sets spanning several 32-bit words.
const sequentialRun = fc.array(registerSpec, { minLength: 0, maxLength: 100 });

describe("histories built around true linearization points", () => {
  it("are always ok, with a witness that replays and keeps real-time order", () => {
    assertProperty(
      fc.property(sequentialRun, (specs) => {
        const history = linearizableRegisterHistory(specs);
        const result = checkOperations(registerModel, history);
        expect(witnessProblem(registerModel, history, result)).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  it("become illegal when a read returns a value never written", () => {
    assertProperty(
      fc.property(sequentialRun, fc.nat(), (specs, pick) => {
        const history = linearizableRegisterHistory(specs);
        const reads = history
          .map((op, index) => ({ op, index }))
          .filter(({ op }) => op.input.op === "read");
        fc.pre(reads.length > 0);
        const target = reads[pick % reads.length] as { op: RegisterOperation; index: number };
        const corrupted = history.slice();
        const never: RegisterOutput = { status: "ok", value: 99 };
        corrupted[target.index] = { ...target.op, output: never };
        const result = checkOperations(registerModel, corrupted);
        expect(result.result).toBe("illegal");
        if (result.result === "illegal") {
          expect(result.culprit.description).toBe("read() -> 99");
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe("agreement", () => {
  it("checkEvents and checkOperations give the same verdict", () => {
    assertProperty(
      fc.property(fc.array(randomRegisterOperation, { maxLength: 10 }), (history) => {
        const byOperations = checkOperations(registerModel, history).result;
        const byEvents = checkEvents(registerModel, operationsAsEvents(history)).result;
        expect(byEvents).toBe(byOperations);
      }),
      { numRuns: 300 },
    );
  });

  it("the brute-force oracle agrees on small register histories (<= 7 operations)", () => {
    assertProperty(
      fc.property(fc.array(randomRegisterOperation, { minLength: 3, maxLength: 7 }), (history) => {
        const result = checkOperations(registerModel, history);
        expect(result.result === "ok").toBe(bruteForceLinearizable(registerModel, history));
        if (result.result === "ok") {
          expect(witnessProblem(registerModel, history, result)).toBeUndefined();
        }
      }),
      { numRuns: 400 },
    );
  });

  it("the brute-force oracle agrees on small key-value histories (<= 7 operations)", () => {
    assertProperty(
      fc.property(fc.array(randomKvOperation, { minLength: 3, maxLength: 7 }), (history) => {
        const result = checkOperations(kvModel, history);
        expect(result.result === "ok").toBe(bruteForceLinearizable(kvModelUnpartitioned, history));
      }),
      { numRuns: 400 },
    );
  });

  it("partitioned and unpartitioned key-value checks agree, and the merged witness replays", () => {
    assertProperty(
      fc.property(fc.array(randomKvOperation, { maxLength: 12 }), (history) => {
        const partitioned = checkOperations(kvModel, history);
        const whole = checkOperations(kvModelUnpartitioned, history);
        expect(partitioned.result).toBe(whole.result);
        if (partitioned.result === "ok") {
          // The merged linearization replays through the unpartitioned model.
          expect(witnessProblem(kvModelUnpartitioned, history, partitioned)).toBeUndefined();
        }
      }),
      { numRuns: 300 },
    );
  });
});
