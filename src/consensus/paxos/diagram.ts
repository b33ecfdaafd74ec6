// Pictures of Paxos runs for the chapter: a readable sequence diagram of the two phases and a
// table of dueling-proposer runs. Reference: Lamport, "Paxos Made Simple" (2001), §2.2 and §2.4.

import { requireKnownOptions, requireNumberAtLeast } from "../../sim/assert.js";
import { type SequenceDiagramOptions, toMermaidSequence } from "../../sim/diagram.js";
import type { Envelope, NodeId, TraceEvent } from "../../sim/types.js";
import type { PaxosDuelResult } from "./dueling.js";
import { type PaxosMessage, type PaxosMessageType, ballotText } from "./types.js";

/** How {@link paxosPhaseDiagram} filters and draws a trace. Every field is optional. */
export interface PaxosPhaseDiagramOptions {
  /** Message types drawn. Default: prepare, promise, accept, accepted and nack. */
  readonly types?: readonly PaxosMessageType[];
  /** Nodes whose messages to each other are hidden (acceptors telling acceptors). Default: none. */
  readonly hideBetween?: readonly NodeId[];
  /** Keeps the nodes' own log lines (`ctx.log`, drawn as notes). Default false. */
  readonly notes?: boolean;
  /** Events after this virtual time are left out. Default: no limit. */
  readonly timeMsMax?: number;
  /** Lifelines, left to right. Default: in order of first appearance. */
  readonly participants?: readonly NodeId[];
  /** A title line above the diagram. */
  readonly title?: string;
}

const PHASE_TYPES: readonly PaxosMessageType[] = [
  "prepare",
  "promise",
  "accept",
  "accepted",
  "nack",
];

/**
 * The text of one Paxos message on an arrow, with its ballot (`round.proposer`) and value:
 * `prepare 1.p0`, `promise 1.p0 (none accepted)`, `accept 1.p0 "x"`, `nack 1.p0 (promised 2.p1)`.
 */
export function paxosMessageLabel(message: PaxosMessage): string {
  switch (message.type) {
    case "prepare":
      return `prepare ${ballotText(message.ballot)}`;
    case "promise": {
      const prior = message.accepted.map(
        (e) => `${ballotText(e.ballot)} ${JSON.stringify(e.value)}`,
      );
      return `promise ${ballotText(message.ballot)} (${prior.length === 0 ? "none accepted" : `accepted ${prior.join(", ")}`})`;
    }
    case "accept":
    case "accepted":
      return `${message.type} ${ballotText(message.ballot)} ${JSON.stringify(message.value)}`;
    case "nack":
      return `nack ${ballotText(message.ballot)} (promised ${ballotText(message.promisedBallot)})`;
    case "heartbeat":
      return `heartbeat ${ballotText(message.ballot)}`;
    case "request":
      return `request ${JSON.stringify(message.value)}`;
    case "catchup":
      return `catchup from ${message.slotFrom}`;
    case "chosen":
      return `chosen ${message.entries.length}`;
  }
}

/**
 * Keeps the events of a Paxos trace that tell the story of the phases: deliveries and drops of the
 * chosen message types (and, on request, the nodes' log lines), up to a time, without the messages among `hideBetween` nodes (in a cluster
 * where every acceptor is also a learner, acceptors tell each other "accepted", which doubles the
 * arrows and adds nothing to the picture).
 */
export function paxosPhaseEvents(
  trace: readonly TraceEvent[],
  options: PaxosPhaseDiagramOptions = {},
): TraceEvent[] {
  requireKnownOptions("paxosPhaseEvents options", options, [
    "types",
    "hideBetween",
    "notes",
    "timeMsMax",
    "participants",
    "title",
  ]);
  const types = new Set<string>(options.types ?? PHASE_TYPES);
  const hidden = new Set<NodeId>(options.hideBetween ?? []);
  const timeMsMax =
    options.timeMsMax === undefined
      ? Infinity
      : requireNumberAtLeast("timeMsMax", options.timeMsMax, 0);
  return trace.filter((event) => {
    if (event.timeMs > timeMsMax) return false;
    if (event.kind === "note") return options.notes === true;
    if (event.kind !== "deliver" && event.kind !== "drop") return false;
    const message = event.message;
    if (!types.has(message.type)) return false;
    return !(hidden.has(message.from) && hidden.has(message.to));
  });
}

/**
 * A Mermaid sequence diagram of a Paxos run's phases: prepare, promise, accept, accepted (and
 * nack), each arrow labelled with its ballot and value. See {@link paxosPhaseEvents} for the filter.
 *
 * @example
 * const cluster = new PaxosCluster({ acceptors: 3, proposers: 1, seed: 1 });
 * cluster.propose(0, "x");
 * cluster.runUntilChosen();
 * paxosPhaseDiagram(cluster.sim.trace, { hideBetween: cluster.acceptorIds });
 * // sequenceDiagram ... P0->>P1: prepare 1.p0 (t=0→1) ...
 */
export function paxosPhaseDiagram(
  trace: readonly TraceEvent[],
  options: PaxosPhaseDiagramOptions = {},
): string {
  const events = paxosPhaseEvents(trace, options);
  const drawing: SequenceDiagramOptions = {
    label: (message: Envelope) => paxosMessageLabel(message as Envelope<PaxosMessage>),
    ...(options.participants === undefined ? {} : { participants: options.participants }),
    ...(options.title === undefined ? {} : { title: options.title }),
  };
  return toMermaidSequence(events, drawing);
}

/** One row of {@link paxosDuelRows}. */
export interface PaxosDuelRow {
  readonly retry: string;
  readonly chosen: string;
  readonly chosenAtMs: number | string;
  readonly ballotsP0: number;
  readonly ballotsP1: number;
  readonly roundMax: number;
  readonly prepares: number;
  readonly nacks: number;
  readonly messages: number;
}

/** A table row per duel: the retry policy, what was chosen and when, and what it cost. */
export function paxosDuelRows(results: readonly PaxosDuelResult[]): PaxosDuelRow[] {
  return results.map((result) => ({
    retry:
      result.retry.kind === "fixed"
        ? `fixed ${result.retry.delayMs} ms`
        : `random up to ${result.retry.delayMsMax} ms, doubling, cap ${result.retry.capMs} ms`,
    chosen: result.chosen === undefined ? "nothing" : JSON.stringify(result.chosen),
    chosenAtMs: result.chosenAtMs ?? "never",
    ballotsP0: result.attempts[0],
    ballotsP1: result.attempts[1],
    roundMax: result.roundMax,
    prepares: result.messages.byType.prepare,
    nacks: result.messages.byType.nack,
    messages: result.messages.total,
  }));
}
