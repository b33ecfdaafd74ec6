// Benchmarks of the linearizability checker (src/consistency/linearizability): long generated
// register and key-value histories, P-compositionality's gain, and Porcupine's etcd corpus.

import { readFileSync } from "node:fs";
import path from "node:path";
import {
  type KvInput,
  type KvOutput,
  type KvState,
  type Model,
  type Operation,
  type RegisterInput,
  type RegisterOutput,
  type RegisterValue,
  checkEvents,
  checkOperations,
  kvModel,
  parseJepsenEtcdLog,
  porcupineEtcdLogNames,
  registerModel,
} from "../src/consistency/linearizability/index.js";
import { Random } from "../src/sim/random.js";
import { type Figure, timed } from "./sim.js";

type RegisterOperation = Operation<RegisterInput, RegisterOutput>;
type KvOperation = Operation<KvInput, KvOutput>;

/** Median wall seconds of `runs` runs, after `warmups` runs that let the JIT settle. */
function medianSeconds(runs: number, run: () => void, warmups = 1): number {
  for (let i = 0; i < warmups; i++) run();
  const seconds = Array.from({ length: runs }, () => timed(run)).sort((a, b) => a - b);
  return seconds[Math.floor(seconds.length / 2)] as number;
}

/**
 * Intervals of `clientsCount` sequential clients (each waits 0-5 time units, then runs an
 * operation lasting 1-20), with a true linearization point drawn inside each interval; sorted by
 * that point, so replaying them in order through a model gives linearizable outputs.
 */
function intervals(
  random: Random,
  operationsCount: number,
  clientsCount: number,
): { clientId: number; call: number; return: number; point: number }[] {
  const clocks = new Array<number>(clientsCount).fill(0);
  const result: { clientId: number; call: number; return: number; point: number }[] = [];
  for (let i = 0; i < operationsCount; i++) {
    const clientId = i % clientsCount;
    const call = (clocks[clientId] as number) + random.int(0, 5);
    const ret = call + random.int(1, 20);
    clocks[clientId] = ret;
    result.push({ clientId, call, return: ret, point: random.float(call, ret) });
  }
  return result.sort((a, b) => a.point - b.point);
}

/** A linearizable single-register history: reads 50%, writes 30%, cas 20%, values 0-4. */
export function registerHistory(
  operationsCount: number,
  clientsCount: number,
  seed: number,
): RegisterOperation[] {
  const random = new Random(seed);
  let value: RegisterValue = null;
  return intervals(random, operationsCount, clientsCount).map((slot) => {
    const roll = random.next();
    let input: RegisterInput;
    let output: RegisterOutput;
    if (roll < 0.5) {
      input = { op: "read" };
      output = { status: "ok", value };
    } else if (roll < 0.8) {
      input = { op: "write", value: random.int(0, 4) };
      output = { status: "ok" };
      value = input.value;
    } else {
      input = { op: "cas", expected: random.int(0, 4), value: random.int(0, 4) };
      const swapped = input.expected === value;
      output = { status: swapped ? "ok" : "fail" };
      if (swapped) value = input.value;
    }
    return { clientId: slot.clientId, input, call: slot.call, output, return: slot.return };
  });
}

/** The same history with one read, the last one, returning a value never written. */
export function corruptLastRead(history: readonly RegisterOperation[]): RegisterOperation[] {
  const corrupted = history.slice();
  let last = -1;
  corrupted.forEach((op, index) => {
    if (
      op.input.op === "read" &&
      (last < 0 || op.call > (corrupted[last] as RegisterOperation).call)
    ) {
      last = index;
    }
  });
  const read = corrupted[last] as RegisterOperation;
  corrupted[last] = { ...read, output: { status: "ok", value: 99 } };
  return corrupted;
}

/** A linearizable key-value history over `keysCount` keys: gets 50%, puts 25%, appends 25%. */
export function kvHistory(
  operationsCount: number,
  clientsCount: number,
  keysCount: number,
  seed: number,
): KvOperation[] {
  const random = new Random(seed);
  const values = new Map<string, string>();
  return intervals(random, operationsCount, clientsCount).map((slot, i) => {
    const key = `k${random.int(0, keysCount - 1)}`;
    const roll = random.next();
    let input: KvInput;
    let output: KvOutput;
    if (roll < 0.5) {
      input = { op: "get", key };
      output = { status: "ok", value: values.get(key) ?? "" };
    } else if (roll < 0.75) {
      input = { op: "put", key, value: `p${i};` };
      output = { status: "ok" };
      values.set(key, input.value);
    } else {
      input = { op: "append", key, value: `a${i};` };
      output = { status: "ok" };
      values.set(key, (values.get(key) ?? "") + input.value);
    }
    return { clientId: slot.clientId, input, call: slot.call, output, return: slot.return };
  });
}

/** kvModel without its partition: the whole history is one search over a 100-key state. */
const kvModelUnpartitioned: Model<KvState, KvInput, KvOutput> = {
  init: () => kvModel.init(),
  step: (state, input, output) => kvModel.step(state, input, output),
  hash: (state) => (kvModel.hash as (state: KvState) => string)(state),
  equal: (a, b) => (kvModel.equal as (a: KvState, b: KvState) => boolean)(a, b),
};

/** 10,000 operations, 8 clients, one register: checked operations per second. */
export function registerFigure(linearizable: boolean): Figure {
  const operationsCount = 10_000;
  const base = registerHistory(operationsCount, 8, 1);
  const history = linearizable ? base : corruptLastRead(base);
  let verdict = "";
  const seconds = medianSeconds(3, () => {
    verdict = checkOperations(registerModel, history, { timeoutMs: 60_000 }).result;
  });
  const goalSeconds = linearizable ? 0.5 : 2;
  return {
    name: `checker: 10,000-op register history, 8 clients, ${linearizable ? "linearizable" : "not (last read corrupted)"}`,
    value: operationsCount / seconds,
    unit: "ops/s",
    goal: operationsCount / goalSeconds,
    detail: `verdict ${verdict} in ${(seconds * 1000).toFixed(0)} ms (goal <= ${goalSeconds * 1000} ms), median of 3`,
  };
}

/** 10,000 operations over 100 keys: time without partitioning / time with it. */
export function partitionFigure(unpartitionedTimeoutMs: number): Figure {
  const history = kvHistory(10_000, 8, 100, 2);
  let withVerdict = "";
  const withSeconds = medianSeconds(3, () => {
    withVerdict = checkOperations(kvModel, history, { timeoutMs: 60_000 }).result;
  });
  let withoutVerdict = "";
  const withoutSeconds = timed(() => {
    withoutVerdict = checkOperations(kvModelUnpartitioned, history, {
      timeoutMs: unpartitionedTimeoutMs,
    }).result;
  });
  const timedOut = withoutVerdict === "unknown";
  return {
    name: `checker: 10,000-op kv history, 100 keys, partitioned vs not${timedOut ? " (lower bound)" : ""}`,
    value: withoutSeconds / withSeconds,
    unit: "x faster",
    goal: 100,
    detail:
      `partitioned: ${withVerdict} in ${(withSeconds * 1000).toFixed(0)} ms; unpartitioned: ` +
      (timedOut
        ? `no verdict within its ${unpartitionedTimeoutMs / 1000} s timeout, so the ratio is at least this`
        : `${withoutVerdict} in ${(withoutSeconds * 1000).toFixed(0)} ms`),
  };
}

/** The events of every Jepsen etcd log, read from data/porcupine (the bench runs in Node). */
function etcdHistories(): { name: string; events: ReturnType<typeof parseJepsenEtcdLog> }[] {
  const root = path.join(__dirname, "..", "data", "porcupine");
  return porcupineEtcdLogNames.map((name) => ({
    name,
    events: parseJepsenEtcdLog(readFileSync(path.join(root, name), "utf8")),
  }));
}

/** etcd_002 against Porcupine's published 84-138 ms: how far under the 2x budget (276 ms). */
export function etcd002Figure(): Figure {
  const history = etcdHistories().find(({ name }) => name === "jepsen/etcd_002.log");
  const events = history?.events ?? [];
  let verdict = "";
  const seconds = medianSeconds(
    9,
    () => {
      verdict = checkEvents(registerModel, events).result;
    },
    3,
  );
  const budgetMs = 276;
  return {
    name: "checker: Jepsen etcd_002 (Porcupine: 84-138 ms)",
    value: budgetMs / (seconds * 1000),
    unit: "x budget",
    goal: 1,
    detail: `verdict ${verdict} in ${(seconds * 1000).toFixed(0)} ms, median of 9 after 3 warm-up runs (goal <= ${budgetMs} ms: 2x Porcupine)`,
  };
}

/** Every etcd log checked once (after a warm-up pass): the slowest against the 2 s budget. */
export function etcdAllFigure(): Figure {
  const histories = etcdHistories();
  for (const { events } of histories) checkEvents(registerModel, events);
  const times = histories.map(({ name, events }) => {
    let verdict = "";
    const seconds = timed(() => {
      verdict = checkEvents(registerModel, events, { timeoutMs: 60_000 }).result;
    });
    return { name, seconds, verdict };
  });
  const slowest = times.reduce((a, b) => (b.seconds > a.seconds ? b : a));
  const totalSeconds = times.reduce((sum, t) => sum + t.seconds, 0);
  const okCount = times.filter((t) => t.verdict === "ok").length;
  const illegalCount = times.filter((t) => t.verdict === "illegal").length;
  return {
    name: "checker: all 103 Jepsen etcd logs, slowest log",
    value: 2 / slowest.seconds,
    unit: "x budget",
    goal: 1,
    detail:
      `slowest ${slowest.name} ${(slowest.seconds * 1000).toFixed(0)} ms (goal <= 2000 ms); ` +
      `total ${(totalSeconds * 1000).toFixed(0)} ms; ${okCount} ok, ${illegalCount} illegal`,
  };
}
