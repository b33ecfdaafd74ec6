// Pictures of a consumer-group rebalance: a Mermaid sequence diagram of a RebalanceRecord's steps
// and per-member rows before and after it (Kafka's group protocol; KIP-429 cooperative rounds).

import { invalidArgument } from "../sim/assert.js";
import { escapeMermaidText } from "../sim/text.js";
import type { RebalanceRecord, RebalanceStep } from "./group.js";
import type { TopicPartition } from "./types.js";

/** How {@link rebalanceSequence} draws. Every field is optional. */
export interface RebalanceSequenceOptions {
  /** A title line above the diagram. */
  readonly title?: string;
  /** The coordinator's lifeline label. Default "coordinator". */
  readonly coordinator?: string;
  /** Prefix each arrow with the broker time, `t=200`. Default true. */
  readonly showTimes?: boolean;
}

/** One member's partitions around a rebalance, as {@link rebalanceAssignmentRows} lists them. */
export interface RebalanceAssignmentRow {
  readonly member: string;
  /** Partitions owned before, e.g. "orders-0 orders-1"; "-" for none. */
  readonly before: string;
  readonly after: string;
  /** Partitions owned after and not before. */
  readonly gained: string;
  /** Partitions owned before and not after. */
  readonly lost: string;
}

const NONE = "-";

function requireRecord(record: unknown): RebalanceRecord {
  const r = record as Partial<RebalanceRecord> | null;
  if (
    typeof r !== "object" ||
    r === null ||
    !Array.isArray(r.steps) ||
    typeof r.before !== "object" ||
    typeof r.after !== "object"
  ) {
    throw invalidArgument(
      "record",
      "a RebalanceRecord (an element of broker.describeGroup(id).rebalances)",
      record,
    );
  }
  return r as RebalanceRecord;
}

function key(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}

function compare(a: TopicPartition, b: TopicPartition): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

/** "orders-0 orders-1", or "-" for none, in topic then partition order. */
function partitionsText(tps: readonly TopicPartition[]): string {
  return tps.length === 0 ? NONE : [...tps].sort(compare).map(key).join(" ");
}

/** Members in order of first mention: before, after, then the steps (a member that left included). */
function membersOf(record: RebalanceRecord): string[] {
  const seen = new Set<string>();
  for (const id of Object.keys(record.before)) seen.add(id);
  for (const id of record.members) seen.add(id);
  for (const id of Object.keys(record.after)) seen.add(id);
  for (const step of record.steps) seen.add(step.memberId);
  return [...seen];
}

function stepLine(step: RebalanceStep, member: string, showTimes: boolean): string {
  const at = showTimes ? `t=${step.atMs} ` : "";
  const text = (label: string): string => escapeMermaidText(`${at}${label}`);
  switch (step.action) {
    case "join":
      return `  ${member}->>C: ${text("JoinGroup (new member)")}`;
    case "subscribe":
      return `  ${member}->>C: ${text("JoinGroup (new subscription)")}`;
    case "rejoin":
      return `  ${member}->>C: ${text(`JoinGroup (rejoins generation ${step.generation})`)}`;
    case "leave":
      return `  ${member}->>C: ${text("LeaveGroup")}`;
    case "expire":
      return `  Note over C,${member}: ${text("session expired: member removed")}`;
    case "assign": {
      const revoked = step.revoked.length === 0 ? "" : `; revoke ${partitionsText(step.revoked)}`;
      const label = `SyncGroup gen ${step.generation}: own ${partitionsText(step.assigned)}${revoked}`;
      return `  C->>${member}: ${text(label)}`;
    }
  }
}

/**
 * A rebalance as a Mermaid sequence diagram: the coordinator and every member that took part (one
 * that left or expired included), one arrow per protocol step (JoinGroup, SyncGroup with the
 * partitions the member owns and must revoke, LeaveGroup; a note for a session expiry), then a
 * note with what it cost: partitions moved, partitions paused and for how long.
 *
 * @param record - one element of `broker.describeGroup(groupId).rebalances`.
 * @returns the diagram source, starting with `sequenceDiagram`; show it with `mermaid(...)`.
 * @throws RangeError if `record` is not a RebalanceRecord or for a bad option.
 *
 * @example
 * const group = broker.describeGroup("billing");
 * show(mermaid(rebalanceSequence(group.rebalances[1], { title: "consumer-2 joins" })));
 */
export function rebalanceSequence(
  record: RebalanceRecord,
  options?: RebalanceSequenceOptions,
): string {
  const r = requireRecord(record);
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw invalidArgument("options", "an object or undefined", options);
  }
  const showTimes = options?.showTimes ?? true;
  if (typeof showTimes !== "boolean")
    throw invalidArgument("showTimes", "true or false", showTimes);
  const coordinator = options?.coordinator ?? "coordinator";
  if (typeof coordinator !== "string" || coordinator.trim() === "") {
    throw invalidArgument("coordinator", "a non-empty string", coordinator);
  }
  const members = membersOf(r);
  const alias = new Map(members.map((id, i) => [id, `M${i}`]));
  const lines = ["sequenceDiagram"];
  if (options?.title !== undefined) lines.push(`  title ${escapeMermaidText(options.title)}`);
  lines.push(`  participant C as ${escapeMermaidText(coordinator)}`);
  for (const id of members)
    lines.push(`  participant ${alias.get(id)} as ${escapeMermaidText(id)}`);
  for (const step of r.steps) {
    lines.push(stepLine(step, alias.get(step.memberId) as string, showTimes));
  }
  const last = members.length === 0 ? "C" : `C,${alias.get(members[members.length - 1] as string)}`;
  const cost =
    `generation ${r.generation} (${r.assignor}, ${r.rounds} round${r.rounds === 1 ? "" : "s"}): ` +
    `${r.moved.length} moved, ${r.paused.length} paused, longest pause ${r.pausedMs} ms`;
  lines.push(`  Note over ${last}: ${escapeMermaidText(cost)}`);
  return lines.join("\n");
}

/**
 * One row per member of a rebalance (members that left included, in order of first mention):
 * the partitions it owned before and after, and which it gained and lost. For `table(...)`.
 *
 * @throws RangeError if `record` is not a RebalanceRecord.
 *
 * @example
 * show(table(rebalanceAssignmentRows(broker.describeGroup("billing").rebalances[1])));
 */
export function rebalanceAssignmentRows(record: RebalanceRecord): RebalanceAssignmentRow[] {
  const r = requireRecord(record);
  return membersOf(r).map((member) => {
    const before = r.before[member] ?? [];
    const after = r.after[member] ?? [];
    const beforeKeys = new Set(before.map(key));
    const afterKeys = new Set(after.map(key));
    return {
      member,
      before: partitionsText(before),
      after: partitionsText(after),
      gained: partitionsText(after.filter((tp) => !beforeKeys.has(key(tp)))),
      lost: partitionsText(before.filter((tp) => !afterKeys.has(key(tp)))),
    };
  });
}
