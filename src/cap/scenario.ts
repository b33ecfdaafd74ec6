// The chapter's one scripted scenario: the same clients, seed and partition against every counter
// variant (Gilbert and Lynch 2002, §3: the run that proves the theorem, made concrete).

import {
  assert,
  integerOption,
  invalidArgument,
  requireKnownOptions,
  requireNumberAtLeast,
  requireProbability,
} from "../sim/assert.js";
import {
  type LatencyModel,
  type NodeContext,
  type Process,
  Random,
  SEED_MAX,
  Simulation,
} from "../sim/index.js";
import { CrdtCounterReplica, LastWriteWinsReplica } from "./ap.js";
import { type ReplicaSnapshot, ReadThenWriteReplica, UpdateSetReplica } from "./cp.js";
import {
  CAP_VARIANTS,
  type CapCounts,
  type CapMessage,
  type CapRun,
  type CapScenarioOptions,
  type CapVariant,
  type CapCounterInput,
  type CapCounterOperation,
  type CapCounterOutput,
} from "./types.js";

const SCENARIO_OPTIONS = [
  "replicasCount",
  "clientsCount",
  "partition",
  "durationMs",
  "settleMs",
  "latency",
  "dropProbability",
  "duplicateProbability",
  "reorder",
  "incrementShare",
  "decrementShare",
  "thinkMsMin",
  "thinkMsMax",
  "quorumTimeoutMs",
  "clientTimeoutMs",
  "antiEntropyIntervalMs",
  "traceEventsMax",
];

/** The settings of a run once defaults are filled in. */
interface Settings {
  readonly replicasCount: number;
  readonly clientsCount: number;
  readonly partition: { startMs: number; endMs: number; minorityCount: number } | null;
  readonly durationMs: number;
  readonly settleMs: number;
  readonly latency: LatencyModel;
  readonly dropProbability: number;
  readonly duplicateProbability: number;
  readonly reorder: boolean;
  readonly incrementShare: number;
  readonly decrementShare: number;
  readonly thinkMsMin: number;
  readonly thinkMsMax: number;
  readonly quorumTimeoutMs: number;
  readonly clientTimeoutMs: number;
  readonly antiEntropyIntervalMs: number;
  readonly traceEventsMax: number;
}

function numberOr(name: string, value: unknown, fallback: number, min: number): number {
  return value === undefined ? fallback : requireNumberAtLeast(name, value, min);
}

function settingsOf(options: CapScenarioOptions): Settings {
  requireKnownOptions("runCapScenario options", options, SCENARIO_OPTIONS);
  const replicasCount = integerOption("options.replicasCount", options.replicasCount, 5, 3, 9);
  const clientsCount = integerOption("options.clientsCount", options.clientsCount, 4, 1, 26);
  const durationMs = numberOr("options.durationMs", options.durationMs, 2000, 1);
  let partition: Settings["partition"] = null;
  if (options.partition !== null) {
    const given = requireKnownOptions("options.partition", options.partition, [
      "startMs",
      "endMs",
      "minorityCount",
    ]);
    const startMs = numberOr("options.partition.startMs", given.startMs, 500, 0);
    const endMs = numberOr("options.partition.endMs", given.endMs, 1500, startMs);
    const minorityMax = Math.floor((replicasCount - 1) / 2);
    const minorityCount = integerOption(
      "options.partition.minorityCount",
      given.minorityCount,
      minorityMax,
      1,
      minorityMax,
    );
    partition = { startMs, endMs, minorityCount };
  }
  const incrementShare =
    options.incrementShare === undefined
      ? 0.6
      : requireProbability("options.incrementShare", options.incrementShare);
  const decrementShare =
    options.decrementShare === undefined
      ? 0
      : requireProbability("options.decrementShare", options.decrementShare);
  if (incrementShare + decrementShare > 1) {
    throw invalidArgument(
      "options.incrementShare + options.decrementShare",
      "at most 1 (the rest are reads)",
      incrementShare + decrementShare,
    );
  }
  const thinkMsMin = numberOr("options.thinkMsMin", options.thinkMsMin, 10, 0);
  const thinkMsMax = numberOr("options.thinkMsMax", options.thinkMsMax, 40, thinkMsMin);
  const quorumTimeoutMs = numberOr("options.quorumTimeoutMs", options.quorumTimeoutMs, 100, 1);
  const clientTimeoutMs = numberOr("options.clientTimeoutMs", options.clientTimeoutMs, 400, 1);
  const settleMs = numberOr("options.settleMs", options.settleMs, 500, 0);
  if (settleMs < clientTimeoutMs) {
    // The final reads must start after every earlier request has been answered or given up on.
    throw invalidArgument(
      "options.settleMs",
      `>= options.clientTimeoutMs (${clientTimeoutMs})`,
      settleMs,
    );
  }
  if (options.reorder !== undefined && typeof options.reorder !== "boolean") {
    throw invalidArgument("options.reorder", "a boolean", options.reorder);
  }
  return {
    replicasCount,
    clientsCount,
    partition,
    durationMs,
    settleMs,
    latency: options.latency ?? { kind: "uniform", minMs: 1, maxMs: 10 },
    dropProbability:
      options.dropProbability === undefined
        ? 0
        : requireProbability("options.dropProbability", options.dropProbability),
    duplicateProbability:
      options.duplicateProbability === undefined
        ? 0
        : requireProbability("options.duplicateProbability", options.duplicateProbability),
    reorder: options.reorder ?? false,
    incrementShare,
    decrementShare,
    thinkMsMin,
    thinkMsMax,
    quorumTimeoutMs,
    clientTimeoutMs,
    antiEntropyIntervalMs: numberOr(
      "options.antiEntropyIntervalMs",
      options.antiEntropyIntervalMs,
      50,
      1,
    ),
    traceEventsMax: integerOption("options.traceEventsMax", options.traceEventsMax, 1_000_000, 0),
  };
}

/** One planned client step: what to do and how long to think first. */
interface PlannedStep {
  readonly kind: CapCounterInput["kind"];
  readonly thinkMs: number;
}

/**
 * The clients' plans, drawn from their own generator so every variant replays the same choices
 * (the simulation's generator is consumed differently by each variant's messages).
 */
function planClients(seed: number, settings: Settings): PlannedStep[][] {
  const random = new Random(seed);
  const stepsCount = Math.ceil(settings.durationMs / Math.max(1, settings.thinkMsMin)) + 1;
  return Array.from({ length: settings.clientsCount }, () =>
    Array.from({ length: stepsCount }, () => {
      const draw = random.next();
      const kind: CapCounterInput["kind"] =
        draw < settings.incrementShare
          ? "inc"
          : draw < settings.incrementShare + settings.decrementShare
            ? "dec"
            : "read";
      const thinkMs =
        settings.thinkMsMin + random.next() * (settings.thinkMsMax - settings.thinkMsMin);
      return { kind, thinkMs };
    }),
  );
}

/** What a client reports back to the harness. */
interface ClientHooks {
  readonly now: () => number;
  readonly record: (
    operation: CapCounterOperation,
    client: string,
    requestId: number,
    final: boolean,
  ) => void;
}

/**
 * A client: one operation at a time (a sequential process, as linearizability assumes), a think
 * time between operations, a timeout, then one final read once the cluster has settled.
 */
function clientProcess(
  name: string,
  clientId: number,
  home: string,
  plan: readonly PlannedStep[],
  settings: Settings,
  hooks: ClientHooks,
): Process<CapMessage> {
  let step = 0;
  let requestId = 0;
  let outstanding: { input: CapCounterInput; callMs: number; timerId: number } | undefined;
  let finalDone = false;
  let finalIssued = false;
  let updatesCount = 0;

  const issue = (ctx: NodeContext<CapMessage>, kind: CapCounterInput["kind"]): void => {
    requestId++;
    const input: CapCounterInput =
      kind === "read" ? { kind } : { kind, id: `${name}#${++updatesCount}` };
    const timerId = ctx.setTimer(settings.clientTimeoutMs, "client timeout", requestId);
    outstanding = { input, callMs: hooks.now(), timerId };
    ctx.send(home, { type: "request", requestId, input });
  };

  const complete = (ctx: NodeContext<CapMessage>, output: CapCounterOutput): void => {
    const done = outstanding;
    assert(done !== undefined, "a client completes only the request it has outstanding");
    outstanding = undefined;
    hooks.record(
      { clientId, input: done.input, call: done.callMs, output, return: hooks.now() },
      name,
      requestId,
      finalIssued,
    );
    next(ctx);
  };

  const next = (ctx: NodeContext<CapMessage>): void => {
    if (finalDone) return;
    const planned = plan[step];
    const endMs = settings.durationMs;
    if (planned === undefined || hooks.now() + planned.thinkMs >= endMs) {
      const finalAtMs = endMs + settings.settleMs;
      ctx.setTimer(Math.max(0, finalAtMs - hooks.now()), "final read");
      finalDone = true;
      return;
    }
    step++;
    ctx.setTimer(planned.thinkMs, "think", planned.kind);
  };

  return {
    onStart: (ctx) => next(ctx),
    onMessage(ctx, message) {
      if (message.type !== "response") return;
      if (outstanding === undefined || message.requestId !== requestId) return; // late answer
      ctx.cancelTimer(outstanding.timerId);
      complete(ctx, message.output);
    },
    onTimer(ctx, timer) {
      if (timer.name === "think") issue(ctx, timer.data as CapCounterInput["kind"]);
      else if (timer.name === "final read") {
        finalIssued = true;
        issue(ctx, "read");
      } else if (timer.name === "client timeout" && timer.data === requestId && outstanding) {
        const effect = outstanding.input.kind === "read" ? "none" : "unknown";
        complete(ctx, { status: "timeout", effect });
      }
    },
  };
}

/** A replica's end state, whatever its class. */
interface Snapshotting {
  snapshot(): ReplicaSnapshot;
}

/**
 * Runs the chapter's scripted scenario against one counter variant: `replicasCount` replicas
 * (`r1..rn`), `clientsCount` clients (`c1..`; client i is served by replica i mod n), a partition
 * that cuts the first replicas (and their clients) off from the rest for a while, then a heal, and
 * a final read by every client once the cluster had `settleMs` to settle.
 *
 * Same seed and options: the same clients make the same choices against every variant, so the
 * runs differ only by what the variant does.
 *
 * @returns the client history (call and return in virtual ms), the trace, and counts: answered,
 *   refused, updates acknowledged, with unknown outcome, lost (acknowledged and absent from every
 *   replica's final state, named by id), final value per replica, messages.
 *
 * @example
 * const cp = runCapScenario("cpQuorum", 1);
 * const ap = runCapScenario("apLastWriteWins", 1);
 * cp.counts.updatesLostCount; // 0, but cp.counts.refusedCount > 0 (the minority side)
 * ap.counts.refusedCount;     // 0, but ap.counts.updatesLostCount > 0
 */
export function runCapScenario(
  variant: CapVariant,
  seed: number,
  options: CapScenarioOptions = {},
): CapRun {
  if (!CAP_VARIANTS.includes(variant)) {
    throw invalidArgument("variant", `one of ${CAP_VARIANTS.join(", ")}`, variant);
  }
  if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed > SEED_MAX) {
    throw invalidArgument("seed", `an integer in [0, ${SEED_MAX}]`, seed);
  }
  const settings = settingsOf(options);
  const replicas = Array.from({ length: settings.replicasCount }, (_, i) => `r${i + 1}`);
  const clients = Array.from({ length: settings.clientsCount }, (_, i) => `c${i + 1}`);
  const homeOf: Record<string, string> = {};
  clients.forEach((client, i) => {
    homeOf[client] = replicas[i % replicas.length] as string;
  });
  const plans = planClients(seed, settings);

  const sim = new Simulation<CapMessage>({
    seed,
    traceEventsMax: settings.traceEventsMax,
    network: {
      latency: settings.latency,
      dropProbability: settings.dropProbability,
      duplicateProbability: settings.duplicateProbability,
      reorder: settings.reorder,
    },
  });

  const recorded: { operation: CapCounterOperation; key: string; final: boolean }[] = [];
  const visibleByRequest = new Map<string, readonly string[]>();
  const observeRead = (client: string, requestId: number, updateIds: readonly string[]): void => {
    visibleByRequest.set(`${client}/${requestId}`, [...updateIds]);
  };
  const updateLog = new Map<string, { inc: string[]; dec: string[] }>();
  const replicaObjects = new Map<string, Snapshotting>();
  for (const id of replicas) {
    sim.addNode(id, () => {
      const replica = makeReplica(variant, replicas, settings, observeRead, updateLog);
      replicaObjects.set(id, replica);
      return replica;
    });
  }
  clients.forEach((client, clientId) => {
    sim.addNode(client, () =>
      clientProcess(client, clientId, homeOf[client] as string, plans[clientId] ?? [], settings, {
        now: () => sim.now,
        record: (operation, name, requestId, final) =>
          recorded.push({ operation, key: `${name}/${requestId}`, final }),
      }),
    );
  });

  let minority: string[] = [];
  const window = settings.partition;
  if (window !== null) {
    minority = replicas.slice(0, window.minorityCount);
    const minoritySide = [
      ...minority,
      ...clients.filter((c) => minority.includes(homeOf[c] ?? "")),
    ];
    const majoritySide = sim.nodeIds().filter((id) => !minoritySide.includes(id));
    sim.at(window.startMs, () => sim.partition([minoritySide, majoritySide]));
    sim.at(window.endMs, () => sim.heal());
  }
  const endMs = settings.durationMs + settings.settleMs + settings.clientTimeoutMs + 1;
  sim.runFor(endMs);

  recorded.sort(
    (a, b) => a.operation.call - b.operation.call || a.operation.clientId - b.operation.clientId,
  );
  const history = recorded.map((entry) => entry.operation);
  const visibleUpdateIds = recorded.map((entry) =>
    entry.operation.input.kind === "read" ? visibleByRequest.get(entry.key) : undefined,
  );
  const snapshots = new Map(
    replicas.map((id) => [id, (replicaObjects.get(id) as Snapshotting).snapshot()]),
  );
  return {
    variant,
    seed,
    replicas,
    clients,
    homeOf,
    minority,
    partitionWindow: window === null ? null : { startMs: window.startMs, endMs: window.endMs },
    history,
    visibleUpdateIds,
    counts: countsOf(
      history,
      recorded.filter((entry) => entry.final),
      visibleByRequest,
      snapshots,
      clients,
      sim.stats.messagesSent,
    ),
    trace: sim.trace,
    stats: sim.stats,
  };
}

function makeReplica(
  variant: CapVariant,
  replicas: readonly string[],
  settings: Settings,
  observeRead: (client: string, requestId: number, updateIds: readonly string[]) => void,
  updateLog: Map<string, { inc: string[]; dec: string[] }>,
): Process<CapMessage> & Snapshotting {
  const cp = { replicas, quorumTimeoutMs: settings.quorumTimeoutMs, observeRead };
  const ap = { replicas, antiEntropyIntervalMs: settings.antiEntropyIntervalMs, observeRead };
  switch (variant) {
    case "cpReadThenWrite":
      return new ReadThenWriteReplica(cp);
    case "cpNoReadRepair":
      return new UpdateSetReplica(cp, false);
    case "cpQuorum":
      return new UpdateSetReplica(cp, true);
    case "apLastWriteWins":
      return new LastWriteWinsReplica(ap);
    case "apCrdt":
      return new CrdtCounterReplica(ap, updateLog);
  }
}

function countsOf(
  history: readonly CapCounterOperation[],
  finals: readonly { operation: CapCounterOperation; key: string }[],
  visibleByRequest: ReadonlyMap<string, readonly string[]>,
  snapshots: ReadonlyMap<string, ReplicaSnapshot>,
  clients: readonly string[],
  messagesCount: number,
): CapCounts {
  // What the system ends up answering: an acknowledged update is lost when the final read that
  // counts the most updates (after the settle time) does not count it. Without any answered final
  // read, when no replica's state holds it.
  const finalViews: ReadonlySet<string>[] = [];
  const finalReadValues: Record<string, number | null> = {};
  for (const client of clients) finalReadValues[client] = null;
  for (const { operation, key } of finals) {
    if (operation.output.status !== "ok") continue;
    finalReadValues[clients[operation.clientId] ?? ""] = operation.output.value;
    finalViews.push(new Set(visibleByRequest.get(key) ?? []));
  }
  if (finalViews.length === 0) {
    finalViews.push(new Set([...snapshots.values()].flatMap((snapshot) => snapshot.updateIds)));
  }
  const best = finalViews.reduce((a, b) => (b.size > a.size ? b : a));
  const counted = (id: string): boolean => best.has(id);
  let answeredCount = 0;
  let updatesAcknowledgedCount = 0;
  let updatesUnknownCount = 0;
  const lostUpdateIds: string[] = [];
  for (const operation of history) {
    const { input, output } = operation;
    if (output.status === "ok") answeredCount++;
    if (input.kind === "read") continue;
    if (output.status === "ok") {
      updatesAcknowledgedCount++;
      if (!counted(input.id)) lostUpdateIds.push(input.id);
    } else if (output.effect === "unknown") updatesUnknownCount++;
  }
  const finalValues = Object.fromEntries([...snapshots].map(([id, s]) => [id, s.value]));
  const values = Object.values(finalValues);
  return {
    operationsCount: history.length,
    answeredCount,
    refusedCount: history.length - answeredCount,
    updatesAcknowledgedCount,
    updatesUnknownCount,
    updatesLostCount: lostUpdateIds.length,
    lostUpdateIds,
    finalValues,
    finalReadValues,
    converged: values.every((value) => value === values[0]),
    messagesCount,
    messagesPerOperation: history.length === 0 ? 0 : messagesCount / history.length,
  };
}
