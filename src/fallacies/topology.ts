// Fallacy 5, "topology doesn't change" (Deutsch's eight fallacies, 1994): a service instance is
// replaced. A client that cached the instance list at start keeps sending to the old address;
// one that refreshes its view from a registry (service discovery) recovers within a refresh period.

import { type LatencyModel, type NodeContext, type Process, Simulation } from "../sim/index.js";
import { integerOption, requireKnownOptions } from "../sim/assert.js";
import { choiceOption, numberOption, requireSeed } from "./options.js";
import type { ExperimentRun } from "./types.js";

/** The messages of the topology experiment. */
export type TopologyMessage =
  | { readonly type: "register" }
  | { readonly type: "deregister" }
  | { readonly type: "lookup" }
  | { readonly type: "members"; readonly instances: readonly string[]; readonly version: number }
  | { readonly type: "request"; readonly id: number }
  | { readonly type: "response"; readonly id: number };

/** How the client keeps its list of service instances. */
export type ViewRefresh = "never" | "periodic";

/** Options of {@link runTopologyExperiment}; every field has a default. */
export interface TopologyOptions {
  /** `"never"`: look up once at start. `"periodic"`: look up every refreshIntervalMs. Default `"never"`. */
  readonly refresh?: ViewRefresh;
  /** Default 100 ms. */
  readonly refreshIntervalMs?: number;
  /** The client sends one request every this many ms, round robin over its view. Default 10. */
  readonly requestIntervalMs?: number;
  /** A request without a response after this long counts as lost. Default 50 ms. */
  readonly requestTimeoutMs?: number;
  /** True time at which s3 joins and s2 is decommissioned. Default 250 ms. */
  readonly changeAtMs?: number;
  /** Length of the run. Default 1000 ms. */
  readonly durationMs?: number;
  /** Latency of every link. Default uniform 1-5 ms. */
  readonly latency?: LatencyModel;
}

/** One request the client sent, as it saw it. */
export interface RoutedRequest {
  readonly id: number;
  readonly instance: string;
  readonly sentAtMs: number;
  /** True when the target had already left the service when the request was sent. */
  readonly misrouted: boolean;
  readonly answered: boolean;
}

/** What {@link runTopologyExperiment} measured. */
export interface TopologyResult extends ExperimentRun {
  readonly refresh: ViewRefresh;
  readonly requestsCount: number;
  readonly answeredCount: number;
  /** Requests that got no response within the timeout. */
  readonly lostCount: number;
  /** Requests sent to an instance that had already left (all of them are lost). */
  readonly misroutedCount: number;
  /** Requests answered by the instance that joined; 0 means the client never found it. */
  readonly answeredByNewInstanceCount: number;
  /** Send time of the last misrouted request, or null if none was. */
  readonly lastMisroutedAtMs: number | null;
  /** Requests each instance received. */
  readonly requestsPerInstance: Readonly<Record<string, number>>;
  readonly requests: readonly RoutedRequest[];
}

const TOPOLOGY_OPTIONS = [
  "refresh",
  "refreshIntervalMs",
  "requestIntervalMs",
  "requestTimeoutMs",
  "changeAtMs",
  "durationMs",
  "latency",
];

/** A service instance: registers with the registry on start and answers requests. */
function instance(): Process<TopologyMessage> {
  return {
    onStart(ctx) {
      ctx.send("registry", { type: "register" });
    },
    onMessage(ctx, message) {
      if (message.type === "request") ctx.send(message.from, { type: "response", id: message.id });
    },
  };
}

/**
 * Fallacy 5, "topology doesn't change": a client sends a request every `requestIntervalMs`,
 * round robin over the service instances it knows (s1, s2 at first), having looked them up in a
 * registry. At `changeAtMs` an operator replaces s2 by s3: s3 joins and registers, s2 deregisters
 * and is switched off. A client that never refreshes its view sends half its requests to the dead
 * s2 until the end, and never uses s3. One that looks up the registry every `refreshIntervalMs`
 * loses requests only until its next lookup.
 *
 * @remarks Refreshing narrows the window; it does not close it. Between the change and the next
 * lookup the view is stale, and a registry is itself a distributed system that can be stale or
 * unreachable. Real clients also retry on another instance, and health checks evict instances that
 * die without deregistering. Any cached address (DNS with a TTL, a connection pool, a routing
 * table) is a view of the topology with an age.
 *
 * @example
 * runTopologyExperiment(1).misroutedCount;                         // 38: until the end of the run
 * runTopologyExperiment(1, { refresh: "periodic" }).misroutedCount; // a handful, then none
 */
export function runTopologyExperiment(seed: number, options: TopologyOptions = {}): TopologyResult {
  requireSeed(seed);
  requireKnownOptions("runTopologyExperiment options", options, TOPOLOGY_OPTIONS);
  const refresh = choiceOption(
    "options.refresh",
    options.refresh,
    ["never", "periodic"] as const,
    "never",
  );
  const refreshIntervalMs = numberOption(
    "options.refreshIntervalMs",
    options.refreshIntervalMs,
    100,
    1,
  );
  const requestIntervalMs = numberOption(
    "options.requestIntervalMs",
    options.requestIntervalMs,
    10,
    1,
  );
  const requestTimeoutMs = numberOption(
    "options.requestTimeoutMs",
    options.requestTimeoutMs,
    50,
    1,
  );
  const durationMs = numberOption("options.durationMs", options.durationMs, 1000, 1);
  const changeAtMs = numberOption("options.changeAtMs", options.changeAtMs, 250, 0, durationMs);
  integerOption("requests in the run", Math.floor(durationMs / requestIntervalMs), 0, 0, 100_000);

  const sim = new Simulation<TopologyMessage>({
    seed,
    network: { latency: options.latency ?? { kind: "uniform", minMs: 1, maxMs: 5 } },
  });
  const requests: { id: number; instance: string; sentAtMs: number; answered: boolean }[] = [];
  const departed = new Set<string>();
  const misrouted = new Set<number>();

  sim.addNode("registry", () => ({
    // Membership is the registry's durable state, so it lives in stable storage.
    onMessage(ctx, message) {
      const members = ctx.storage.get<string[]>("members") ?? [];
      const version = ctx.storage.get<number>("version") ?? 0;
      if (message.type === "register" && !members.includes(message.from)) {
        ctx.storage.set("members", [...members, message.from]);
        ctx.storage.set("version", version + 1);
      } else if (message.type === "deregister") {
        ctx.storage.set(
          "members",
          members.filter((id) => id !== message.from),
        );
        ctx.storage.set("version", version + 1);
      } else if (message.type === "lookup") {
        ctx.send(message.from, { type: "members", instances: members, version });
      }
    },
  }));
  sim.addNode("s1", instance);
  sim.addNode("s2", instance);

  const client = (): Process<TopologyMessage> => {
    let view: readonly string[] = [];
    let viewVersion = -1;
    let next = 0;
    let nextId = 0;
    const sendRequest = (ctx: NodeContext<TopologyMessage>) => {
      if (view.length === 0) return;
      const target = view[next % view.length] as string;
      next++;
      const id = nextId++;
      requests.push({ id, instance: target, sentAtMs: ctx.now(), answered: false });
      if (departed.has(target)) misrouted.add(id);
      ctx.send(target, { type: "request", id });
      ctx.setTimer(requestTimeoutMs, "request timeout", id);
    };
    return {
      onStart(ctx) {
        // Give the instances' registrations time to land before the first lookup.
        ctx.setTimer(10, "lookup");
        ctx.setTimer(20, "request");
      },
      onMessage(ctx, message) {
        if (message.type === "members" && message.version > viewVersion) {
          if (viewVersion >= 0) ctx.log(`new view: ${message.instances.join(", ")}`);
          view = message.instances;
          viewVersion = message.version;
        } else if (message.type === "response") {
          const request = requests[message.id];
          if (request !== undefined) request.answered = true;
        }
      },
      onTimer(ctx, timer) {
        if (timer.name === "lookup") {
          ctx.send("registry", { type: "lookup" });
          if (refresh === "periodic") ctx.setTimer(refreshIntervalMs, "lookup");
        } else if (timer.name === "request") {
          if (ctx.now() + requestIntervalMs <= durationMs)
            ctx.setTimer(requestIntervalMs, "request");
          sendRequest(ctx);
        } else if (timer.name === "request timeout") {
          const request = requests[timer.data as number];
          if (request !== undefined && !request.answered) ctx.log(`request ${request.id} lost`);
        }
      },
    };
  };
  sim.addNode("client", client);

  sim.at(changeAtMs, () => {
    sim.addNode("s3", instance);
    sim.withNode("s2", (ctx) => {
      ctx.log("decommissioned by the operator");
      ctx.send("registry", { type: "deregister" });
    });
    departed.add("s2");
    sim.crash("s2");
  });
  sim.runFor(durationMs + requestTimeoutMs + refreshIntervalMs);

  const routed: RoutedRequest[] = requests.map((request) => ({
    ...request,
    misrouted: misrouted.has(request.id),
  }));
  const requestsPerInstance: Record<string, number> = { s1: 0, s2: 0, s3: 0 };
  for (const request of routed) {
    requestsPerInstance[request.instance] = (requestsPerInstance[request.instance] ?? 0) + 1;
  }
  const misroutedTimes = routed.filter((r) => r.misrouted).map((r) => r.sentAtMs);
  return {
    seed,
    trace: sim.trace,
    stats: sim.stats,
    refresh,
    requestsCount: routed.length,
    answeredCount: routed.filter((r) => r.answered).length,
    lostCount: routed.filter((r) => !r.answered).length,
    misroutedCount: misroutedTimes.length,
    answeredByNewInstanceCount: routed.filter((r) => r.answered && r.instance === "s3").length,
    lastMisroutedAtMs: misroutedTimes.length === 0 ? null : Math.max(...misroutedTimes),
    requestsPerInstance,
    requests: routed,
  };
}
