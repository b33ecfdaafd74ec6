// Conformance against a real peer's data: Porcupine's key-value histories and the Jepsen etcd
// logs (data/porcupine, MIT). Reference: Porcupine's porcupine_test.go verdicts; Kingsbury's
// Jepsen etcd analysis (etcd 2.0 reads without quorum are not linearizable).

import { describe, expect, it } from "vitest";
import {
  checkEvents,
  kvModel,
  parseJepsenEtcdLog,
  parsePorcupineKvHistory,
  porcupineEtcdLinearizableLogNames,
  porcupineEtcdLogNames,
  porcupineKvHistoryNames,
  readPorcupineFile,
  registerModel,
} from "../../../src/consistency/linearizability/index.js";

/** A budget far above the expected times, so a regression shows as "unknown", not a hang. */
const TIMEOUT_MS = 20_000;

describe("Porcupine key-value histories: the verdict the file name says", () => {
  for (const name of porcupineKvHistoryNames) {
    const expected = name.endsWith("-ok.txt") ? "ok" : "illegal";
    it(`${name} is ${expected}`, async () => {
      const events = parsePorcupineKvHistory(await readPorcupineFile(name));
      const result = checkEvents(kvModel, events, { timeoutMs: TIMEOUT_MS });
      expect(result.result).toBe(expected);
      if (result.result === "illegal") {
        // The operation that cannot be placed is a get: appends and puts are always legal.
        expect(result.culprit.operation.input.op).toBe("get");
        expect(result.culprit.description).toMatch(/^get\(/);
      }
    });
  }
});

describe("Jepsen etcd logs: every log gets a definite verdict, the one Porcupine expects", () => {
  it("there are 103 logs, etcd_000 to etcd_102, and etcd_095 is empty", async () => {
    expect(porcupineEtcdLogNames).toHaveLength(103);
    expect(await readPorcupineFile("jepsen/etcd_095.log")).toBe("");
  });

  it("exactly the 24 expected logs are linearizable and the 79 others are not", async () => {
    const linearizable: string[] = [];
    const verdicts = new Map<string, string>();
    for (const name of porcupineEtcdLogNames) {
      const events = parseJepsenEtcdLog(await readPorcupineFile(name));
      const result = checkEvents(registerModel, events, { timeoutMs: TIMEOUT_MS });
      verdicts.set(name, result.result);
      if (result.result === "ok") linearizable.push(name);
    }
    expect([...verdicts.values()].filter((v) => v === "unknown")).toEqual([]);
    expect(linearizable).toEqual(porcupineEtcdLinearizableLogNames);
    expect([...verdicts.values()].filter((v) => v === "illegal")).toHaveLength(79);
  });
});
