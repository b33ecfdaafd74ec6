// Benchmarks of the simulator (issue: foundation): bare event loop, delivered messages per
// wall-second on an all-to-all ping, and simulated seconds per wall-second for a heartbeat cluster.

import { type NodeContext, Simulation } from "../src/index.js";

export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The goal from the issue, or undefined for a figure shown for reference only. */
  readonly goal: number | undefined;
  readonly detail: string;
}

const NODES = ["n1", "n2", "n3", "n4", "n5"];

/** Wall seconds that `run` takes. */
export function timed(run: () => void): number {
  const startMs = performance.now();
  run();
  return (performance.now() - startMs) / 1000;
}

/** Events per wall-second through the full dispatch path: one node re-arming a 1 ms timer. */
export function bareEventLoop(eventsCount: number, trace: boolean): Figure {
  type Tick = { type: "never" };
  const sim = new Simulation<Tick>({ seed: 1, traceEventsMax: trace ? eventsCount + 10 : 0 });
  sim.addNode("n1", () => ({
    onStart: (ctx) => {
      ctx.setTimer(1, "tick");
    },
    onMessage: () => {},
    onTimer: (ctx) => {
      ctx.setTimer(1, "tick");
    },
  }));
  const seconds = timed(() => sim.runFor(eventsCount));
  const events = sim.stats.eventsProcessed;
  return {
    name: `bare event loop (timer events, trace ${trace ? "on" : "off"})`,
    value: events / seconds,
    unit: "events/s",
    goal: trace ? undefined : 5_000_000,
    detail: `${events.toLocaleString("en-US")} events in ${seconds.toFixed(2)} s`,
  };
}

type Ping = { type: "ping"; seq: number } | { type: "pong"; seq: number };

function pinger(ctx: NodeContext<Ping>): void {
  ctx.broadcast({ type: "ping", seq: 0 });
}

/** Delivered messages per wall-second: 5 nodes, each keeps one ping in flight to every other. */
export function allToAllPing(simulatedMs: number, trace: boolean): Figure {
  const sim = new Simulation<Ping>({
    seed: 1,
    traceEventsMax: trace ? 50_000_000 : 0,
    network: { latency: { kind: "uniform", minMs: 1, maxMs: 3 } },
  });
  for (const id of NODES) {
    sim.addNode(id, () => ({
      onStart: pinger,
      onMessage: (ctx, message) => {
        if (message.type === "ping") ctx.send(message.from, { type: "pong", seq: message.seq });
        else ctx.send(message.from, { type: "ping", seq: message.seq + 1 });
      },
    }));
  }
  const seconds = timed(() => sim.runFor(simulatedMs));
  const delivered = sim.stats.messagesDelivered;
  return {
    name: `delivered messages, 5 nodes all-to-all ping (trace ${trace ? "on" : "off"})`,
    value: delivered / seconds,
    unit: "messages/s",
    goal: trace ? undefined : 1_000_000,
    detail: `${delivered.toLocaleString("en-US")} messages in ${seconds.toFixed(2)} s`,
  };
}

/**
 * Simulated seconds per wall-second for a 5-node cluster doing nothing but heartbeats every 50 ms.
 * `everyNode`: each node broadcasts to the other four (400 messages per simulated second);
 * otherwise one leader heartbeats four followers, as in Raft (80 messages per simulated second).
 */
export function heartbeatCluster(simulatedMs: number, everyNode: boolean): Figure {
  type Heartbeat = { type: "heartbeat"; beat: number };
  const sim = new Simulation<Heartbeat>({ seed: 1, traceEventsMax: 0 });
  for (const id of NODES) {
    let beat = 0;
    const beats = everyNode || id === NODES[0];
    sim.addNode(id, () => ({
      onStart: (ctx) => {
        if (beats) ctx.setTimer(50, "heartbeat");
      },
      onMessage: () => {},
      onTimer: (ctx) => {
        ctx.broadcast({ type: "heartbeat", beat: beat++ });
        ctx.setTimer(50, "heartbeat");
      },
    }));
  }
  const seconds = timed(() => sim.runFor(simulatedMs));
  return {
    name: `heartbeat cluster, 5 nodes, 50 ms, ${everyNode ? "every node broadcasts" : "leader to 4 followers"}`,
    value: simulatedMs / 1000 / seconds,
    unit: "x real time",
    goal: 10_000,
    detail:
      `${(simulatedMs / 3_600_000).toFixed(1)} simulated hours in ${seconds.toFixed(2)} s, ` +
      `${sim.stats.messagesDelivered.toLocaleString("en-US")} messages`,
  };
}
