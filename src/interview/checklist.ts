// The interview decision checklist as data and code: `recommend(requirements)` answers each question
// with a choice, its reason and the chapter that demonstrates it, and draws the path taken.

import { invalidArgument, requireKnownOptions, requireNumberAtLeast } from "../sim/assert.js";
import { type RichOutput, mermaid } from "../viz/index.js";
import type {
  ChoiceId,
  Decision,
  DecisionTopic,
  OrderingNeed,
  Recommendation,
  Requirements,
  SectionLink,
  Tension,
} from "./types.js";

/** What the checklist knows about one choice: its title and where a chapter shows it working. */
export interface ChoiceInfo {
  readonly id: ChoiceId;
  readonly topic: DecisionTopic;
  /** The choice in a few words, as it appears in the flowchart. */
  readonly title: string;
  readonly chapter: SectionLink;
}

/** One question of the checklist and the choices it can lead to. */
export interface ChecklistQuestion {
  readonly topic: DecisionTopic;
  readonly question: string;
  /** The choices, in the order the flowchart draws them (the "yes" branch first). */
  readonly choices: readonly ChoiceId[];
}

const link = (page: string, anchor: string): SectionLink => ({ page, anchor });

/** Every choice the checklist can make, with the chapter section that demonstrates it. */
export const CHOICES: Readonly<Record<ChoiceId, ChoiceInfo>> = {
  cp: {
    id: "cp",
    topic: "consistency",
    title: "CP: consensus, majority quorums",
    chapter: link("03-cap", "cp-under-partition-the-minority-refuses-the-majority-carries-on"),
  },
  ap: {
    id: "ap",
    topic: "consistency",
    title: "AP: accept everywhere, merge later",
    chapter: link("03-cap", "the-fix-a-counter-that-merges-the-pn-counter-crdt"),
  },
  "shard-by-key": {
    id: "shard-by-key",
    topic: "partitioning",
    title: "Shard by that key",
    chapter: link("07-hashing", "the-consistent-hash-ring"),
  },
  "replicate-whole-dataset": {
    id: "replicate-whole-dataset",
    topic: "partitioning",
    title: "Replicate the whole dataset",
    chapter: link("07-hashing", "replication-the-next-nodes-clockwise"),
  },
  "consensus-log": {
    id: "consensus-log",
    topic: "ordering",
    title: "One replicated log (consensus)",
    chapter: link(
      "05-consensus",
      "log-replication-and-figure-8-commit-only-entries-of-the-current-term",
    ),
  },
  "partitioned-log": {
    id: "partitioned-log",
    topic: "ordering",
    title: "Partitioned log, keyed (Kafka)",
    chapter: link("06-queues", "2-the-log-topics-partitions-offsets-and-keys"),
  },
  "causal-delivery": {
    id: "causal-delivery",
    topic: "ordering",
    title: "Causal delivery (vector clocks)",
    chapter: link("04-consistency", "causal-consistency"),
  },
  "simple-queue": {
    id: "simple-queue",
    topic: "ordering",
    title: "Work queue, no order (SQS)",
    chapter: link("06-queues", "7-the-work-queue-beside-the-log"),
  },
  "leader-lease-fencing": {
    id: "leader-lease-fencing",
    topic: "coordination",
    title: "Elected leader: lease + fencing token",
    chapter: link("08-election", "3-leases-and-fencing-tokens"),
  },
  "no-leader": {
    id: "no-leader",
    topic: "coordination",
    title: "No leader: peers share the work",
    chapter: link("04-consistency", "dynamo-n-r-w-sloppy-quorums-and-hinted-handoff"),
  },
  "at-least-once-idempotent": {
    id: "at-least-once-idempotent",
    topic: "delivery",
    title: "At-least-once, idempotent consumers",
    chapter: link("06-queues", "5-delivery-guarantees"),
  },
  "exactly-once-effects": {
    id: "exactly-once-effects",
    topic: "delivery",
    title: "Exactly-once effects: dedup by key",
    chapter: link("05-consensus", "a-key-value-store-on-raft-each-command-applied-once"),
  },
  "bounded-load-hashing": {
    id: "bounded-load-hashing",
    topic: "hot-spots",
    title: "Consistent hashing, vnodes, bounded loads",
    chapter: link("07-hashing", "bounded-loads"),
  },
  "plain-hash-partitioning": {
    id: "plain-hash-partitioning",
    topic: "hot-spots",
    title: "Plain hash partitioning",
    chapter: link("07-hashing", "jump-hash-and-rendezvous-hashing"),
  },
  "quorum-round-trip": {
    id: "quorum-round-trip",
    topic: "latency",
    title: "Pay one quorum round trip",
    chapter: link("03-cap", "pacelc-the-trade-off-you-pay-every-day"),
  },
  "local-reads": {
    id: "local-reads",
    topic: "latency",
    title: "Serve reads locally",
    chapter: link("05-consensus", "reads-through-the-log-readindex-or-a-lease"),
  },
  "majority-quorum-replication": {
    id: "majority-quorum-replication",
    topic: "availability",
    title: "2f+1 replicas, majority quorums",
    chapter: link("05-consensus", "raft-roles-and-terms"),
  },
  "sloppy-availability": {
    id: "sloppy-availability",
    topic: "availability",
    title: "Any replica accepts, repair later",
    chapter: link("04-consistency", "eventual-consistency-and-anti-entropy"),
  },
};

/** The checklist's questions, in the order the framework asks them. */
export const CHECKLIST: readonly ChecklistQuestion[] = [
  {
    topic: "consistency",
    question: "Must every read see the latest acknowledged write?",
    choices: ["cp", "ap"],
  },
  {
    topic: "partitioning",
    question: "Is there a natural partition key?",
    choices: ["shard-by-key", "replicate-whole-dataset"],
  },
  {
    topic: "ordering",
    question: "What order do operations need?",
    choices: ["consensus-log", "partitioned-log", "causal-delivery", "simple-queue"],
  },
  {
    topic: "coordination",
    question: "Must one actor at a time do the work?",
    choices: ["leader-lease-fencing", "no-leader"],
  },
  {
    topic: "delivery",
    question: "Can consumers apply a message twice safely?",
    choices: ["at-least-once-idempotent", "exactly-once-effects"],
  },
  {
    topic: "hot-spots",
    question: "Do a few keys take much of the load?",
    choices: ["bounded-load-hashing", "plain-hash-partitioning"],
  },
  {
    topic: "latency",
    question: "Need strong reads, and does a quorum round trip fit the target?",
    choices: ["quorum-round-trip", "local-reads"],
  },
  {
    topic: "availability",
    question: "Which side of a partition keeps working?",
    choices: ["majority-quorum-replication", "sloppy-availability"],
  },
];

const REQUIREMENT_KEYS = [
  "strongConsistency",
  "naturalPartitionKey",
  "ordering",
  "singleActiveWorker",
  "idempotentConsumers",
  "hotSpotRisk",
  "latencyMsP99",
  "availabilityTarget",
  "replicaOneWayLatencyMs",
] as const;

const ORDERING_NEEDS: readonly OrderingNeed[] = ["none", "per-key", "causal", "total"];

/** Four nines: past this, a CP design's minority-side outage is worth saying aloud. */
const HIGH_AVAILABILITY = 0.9999;

function requireBoolean(name: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw invalidArgument(name, "true or false", value);
  return value;
}

/** Checks every field: a typo or a missing answer is an error that names it. */
function validRequirements(requirements: Requirements): Requirements {
  const given = requireKnownOptions("requirements", requirements, REQUIREMENT_KEYS);
  for (const key of REQUIREMENT_KEYS) {
    if (given[key] === undefined) {
      throw invalidArgument(
        `requirements.${key}`,
        "a value (every question needs an answer)",
        undefined,
      );
    }
  }
  requireBoolean("requirements.strongConsistency", requirements.strongConsistency);
  requireBoolean("requirements.naturalPartitionKey", requirements.naturalPartitionKey);
  requireBoolean("requirements.singleActiveWorker", requirements.singleActiveWorker);
  requireBoolean("requirements.idempotentConsumers", requirements.idempotentConsumers);
  requireBoolean("requirements.hotSpotRisk", requirements.hotSpotRisk);
  if (!ORDERING_NEEDS.includes(requirements.ordering)) {
    throw invalidArgument(
      "requirements.ordering",
      `one of ${ORDERING_NEEDS.join(", ")}`,
      requirements.ordering,
    );
  }
  requireNumberAtLeast("requirements.latencyMsP99", requirements.latencyMsP99, 0);
  requireNumberAtLeast(
    "requirements.replicaOneWayLatencyMs",
    requirements.replicaOneWayLatencyMs,
    0,
  );
  const availability = requirements.availabilityTarget;
  if (typeof availability !== "number" || !(availability > 0 && availability < 1)) {
    throw invalidArgument(
      "requirements.availabilityTarget",
      "a fraction between 0 and 1, exclusive (0.999 is three nines)",
      availability,
    );
  }
  return requirements;
}

/** "0.9999" → "99.99%". */
function percent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(6))}%`;
}

/** The yearly downtime a target allows, in minutes, rounded. */
function downtimeMinutesPerYear(availability: number): number {
  return Math.round((1 - availability) * 365 * 24 * 60);
}

function decide(
  question: ChecklistQuestion,
  answer: string,
  choice: ChoiceId,
  reason: string,
): Decision {
  const info = CHOICES[choice];
  return {
    topic: question.topic,
    question: question.question,
    answer,
    choice,
    title: info.title,
    reason,
    chapter: info.chapter,
    experiment: choice,
  };
}

const ORDERING_CHOICE: Readonly<Record<OrderingNeed, ChoiceId>> = {
  total: "consensus-log",
  "per-key": "partitioned-log",
  causal: "causal-delivery",
  none: "simple-queue",
};

const ORDERING_REASON: Readonly<Record<OrderingNeed, string>> = {
  total:
    "Every replica must apply every operation in one agreed order: a replicated log decided by consensus (Raft or Multi-Paxos) gives exactly that.",
  "per-key":
    "Only operations on the same key must stay in order: key the messages so each key lands on one partition, which a single consumer reads in order, while partitions run in parallel.",
  causal:
    "An effect must never be seen before its cause, but unrelated operations may be seen in any order: vector clocks let a replica hold back a message until what it depends on has arrived.",
  none: "No order is promised, so any worker can take any message: a work queue with a visibility timeout spreads the load and redelivers what a crashed worker held.",
};

function question(topic: DecisionTopic): ChecklistQuestion {
  const found = CHECKLIST.find((q) => q.topic === topic);
  if (found === undefined) throw new Error(`the checklist has no question on ${topic}`);
  return found;
}

/**
 * Answers the checklist for a problem's requirements: one decision per topic, in checklist
 * order, each with its reason, the chapter section that demonstrates it and the experiment (same
 * id as the choice, see `runChoiceExperiment`) that shows it working; plus the tensions the
 * requirements force, which an interviewer will want to hear named.
 *
 * @throws RangeError naming the field when a requirement is missing, unknown or out of range.
 *
 * @example
 * const { decisions } = recommend({
 *   strongConsistency: true, naturalPartitionKey: true, ordering: "total",
 *   singleActiveWorker: false, idempotentConsumers: false, hotSpotRisk: false,
 *   latencyMsP99: 200, availabilityTarget: 0.9999, replicaOneWayLatencyMs: 20,
 * });
 * decisions[0].choice; // "cp"
 */
export function recommend(requirements: Requirements): Recommendation {
  const r = validRequirements(requirements);
  const roundTripMs = 2 * r.replicaOneWayLatencyMs;
  const decisions: Decision[] = [
    r.strongConsistency
      ? decide(
          question("consistency"),
          "yes",
          "cp",
          "A stale or lost write costs real money or breaks an invariant, so during a partition the minority side must refuse rather than diverge.",
        )
      : decide(
          question("consistency"),
          "no",
          "ap",
          "A briefly stale answer is acceptable, so both sides of a partition keep accepting writes and merge them afterwards (a CRDT or version vectors).",
        ),
    r.naturalPartitionKey
      ? decide(
          question("partitioning"),
          "yes",
          "shard-by-key",
          "Most operations touch one key, so shard by it: load and data split across nodes, and each operation goes to one shard.",
        )
      : decide(
          question("partitioning"),
          "no",
          "replicate-whole-dataset",
          "Without a key that splits the work, operations would touch every shard; keep the dataset small enough to replicate whole and scale reads with replicas.",
        ),
    decide(
      question("ordering"),
      r.ordering,
      ORDERING_CHOICE[r.ordering],
      ORDERING_REASON[r.ordering],
    ),
    r.singleActiveWorker
      ? decide(
          question("coordination"),
          "yes",
          "leader-lease-fencing",
          "One actor at a time must act, so elect a leader with a lease, and have every write carry the lease's fencing token: a paused old leader's late write is then rejected.",
        )
      : decide(
          question("coordination"),
          "no",
          "no-leader",
          "No single actor is needed, so no election: peers share the work, and no failover pause ever stops it.",
        ),
    r.idempotentConsumers
      ? decide(
          question("delivery"),
          "yes",
          "at-least-once-idempotent",
          "Consumers can apply a message twice safely, so retry until acknowledged: nothing is lost and duplicates are harmless.",
        )
      : decide(
          question("delivery"),
          "no",
          "exactly-once-effects",
          "A duplicate would do harm (a double charge), so retries carry an idempotency key and the receiver records which keys it has applied: delivery is at least once, the effect exactly once.",
        ),
    r.hotSpotRisk
      ? decide(
          question("hot-spots"),
          "yes",
          "bounded-load-hashing",
          "A few keys take much of the traffic, so place keys with consistent hashing and virtual nodes, and cap each node's load (bounded loads) so a hot key's neighbours spill elsewhere.",
        )
      : decide(
          question("hot-spots"),
          "no",
          "plain-hash-partitioning",
          "Load is spread evenly across keys, so a plain hash of the key (jump hash, or a ring) balances it; nothing more is needed.",
        ),
    r.strongConsistency && roundTripMs <= r.latencyMsP99
      ? decide(
          question("latency"),
          "yes",
          "quorum-round-trip",
          `A quorum round trip costs at least ${roundTripMs} ms (2 x ${r.replicaOneWayLatencyMs} ms one way), within the ${r.latencyMsP99} ms target: pay it on every write and on every read that must be current.`,
        )
      : decide(
          question("latency"),
          r.strongConsistency ? "no: the round trip is too slow" : "no: reads may be stale",
          "local-reads",
          r.strongConsistency
            ? `A quorum round trip costs at least ${roundTripMs} ms, over the ${r.latencyMsP99} ms target: serve reads from the leader under a lease (no round trip) and keep the quorum for writes.`
            : `Reads need not see the latest write, so serve them from the nearest replica, without a ${roundTripMs} ms quorum round trip.`,
        ),
    r.strongConsistency
      ? decide(
          question("availability"),
          "the majority side",
          "majority-quorum-replication",
          `Run 2f+1 replicas in separate failure domains: f may fail and the majority carries on; a minority side stops. ${percent(r.availabilityTarget)} allows ${downtimeMinutesPerYear(r.availabilityTarget)} minutes of downtime a year.`,
        )
      : decide(
          question("availability"),
          "both sides",
          "sloppy-availability",
          `Any replica accepts writes (a sloppy quorum with hinted handoff), and anti-entropy repairs them after: both sides of a partition stay up toward the ${percent(r.availabilityTarget)} target.`,
        ),
  ];
  return { decisions, tensions: tensions(r, roundTripMs) };
}

function tensions(r: Requirements, roundTripMs: number): Tension[] {
  const found: Tension[] = [];
  if (r.strongConsistency && roundTripMs > r.latencyMsP99) {
    found.push({
      topics: ["consistency", "latency"],
      message: `Strong consistency needs a quorum round trip of at least ${roundTripMs} ms, but the target is ${r.latencyMsP99} ms: move the replicas closer (one region, several zones), or relax the target for writes.`,
    });
  }
  if (r.strongConsistency && r.availabilityTarget >= HIGH_AVAILABILITY) {
    found.push({
      topics: ["consistency", "availability"],
      message: `A CP design stops on the minority side of a partition, and ${percent(r.availabilityTarget)} leaves ${downtimeMinutesPerYear(r.availabilityTarget)} minutes a year: use 5 replicas across 3 zones so one zone's loss is not a minority outage, and say which clients can live with a refusal.`,
    });
  }
  if (!r.strongConsistency && r.ordering === "total") {
    found.push({
      topics: ["consistency", "ordering"],
      message:
        "A total order is a consensus problem: an AP design cannot give one during a partition. Either the order is only per key (say so), or that part of the system is CP.",
    });
  }
  if (r.singleActiveWorker && !r.strongConsistency) {
    found.push({
      topics: ["coordination", "consistency"],
      message:
        "A single active worker needs a lease from a strongly consistent store (etcd, ZooKeeper): that piece is CP even when the data path is AP.",
    });
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// The flowchart

/** Styles of the path taken; text colours are set so both the light and the dark theme read. */
const TAKEN_NODE_STYLE = "fill:#ffd8a8,stroke:#e8590c,stroke-width:3px,color:#000";
const TAKEN_EDGE_STYLE = "stroke:#e8590c,stroke-width:3px";
const SKIPPED_NODE_STYLE = "stroke-dasharray:4 3";

const questionNodeId = (index: number): string => `q${index + 1}`;
const choiceNodeId = (choice: ChoiceId): string => `c_${choice.replace(/-/g, "_")}`;

/** Mermaid label text: quotes and angle brackets would end the label or read as HTML. */
function label(text: string): string {
  return text.replace(/"/g, "'").replace(/</g, "‹").replace(/>/g, "›");
}

/** The answer written on a branch: "yes"/"no" for two-way questions, the need for ordering. */
function branchLabel(q: ChecklistQuestion, index: number): string {
  if (q.topic === "ordering") {
    const need = (Object.keys(ORDERING_CHOICE) as OrderingNeed[]).find(
      (key) => ORDERING_CHOICE[key] === q.choices[index],
    );
    return need ?? "";
  }
  if (q.topic === "availability") return index === 0 ? "majority side" : "both sides";
  return index === 0 ? "yes" : "no";
}

/**
 * The checklist as a Mermaid flowchart (top to bottom: each question, its branches, the choices,
 * each choice leading on to the next question), with the path the recommendation takes drawn thick
 * and coloured, and the choices not taken dashed. The plain-text fallback lists the path.
 *
 * @example
 * show(recommendationFlowchart(recommend(ledgerRequirements)));
 */
export function recommendationFlowchart(recommendation: Recommendation): RichOutput {
  const chosen = new Map<DecisionTopic, ChoiceId>(
    recommendation.decisions.map((d) => [d.topic, d.choice]),
  );
  const lines = ["flowchart TD", `  start(["Requirements"])`];
  const takenNodes = ["start"];
  const skippedNodes: string[] = [];
  const takenEdges: number[] = [];
  let edge = 0;
  let previous: string[] = ["start"];
  for (const [index, q] of CHECKLIST.entries()) {
    const id = questionNodeId(index);
    lines.push(`  ${id}{{"${label(q.question)}"}}`);
    const choice = chosen.get(q.topic);
    // Into the question: from every choice of the previous question (or the start).
    for (const from of previous) {
      lines.push(`  ${from} --> ${id}`);
      if (takenNodes.includes(from)) takenEdges.push(edge);
      edge++;
    }
    if (choice !== undefined) takenNodes.push(id);
    for (const [branch, option] of q.choices.entries()) {
      const node = choiceNodeId(option);
      lines.push(`  ${node}["${label(CHOICES[option].title)}"]`);
      lines.push(`  ${id} -->|${label(branchLabel(q, branch))}| ${node}`);
      if (option === choice) {
        takenNodes.push(node);
        takenEdges.push(edge);
      } else {
        skippedNodes.push(node);
      }
      edge++;
    }
    previous = q.choices.map(choiceNodeId);
  }
  lines.push(`  classDef taken ${TAKEN_NODE_STYLE}`);
  lines.push(`  classDef skipped ${SKIPPED_NODE_STYLE}`);
  lines.push(`  class ${takenNodes.join(",")} taken`);
  if (skippedNodes.length > 0) lines.push(`  class ${skippedNodes.join(",")} skipped`);
  if (takenEdges.length > 0) lines.push(`  linkStyle ${takenEdges.join(",")} ${TAKEN_EDGE_STYLE}`);
  const fallback = recommendation.decisions
    .map((d) => `${d.question} ${d.answer} → ${d.title}`)
    .join("\n");
  return mermaid(lines.join("\n"), { fallback });
}

/** The decisions as rows for `table()`: question, answer, choice, reason. */
export function decisionRows(
  recommendation: Recommendation,
): { question: string; answer: string; choice: string; reason: string }[] {
  return recommendation.decisions.map((d) => ({
    question: d.question,
    answer: d.answer,
    choice: d.title,
    reason: d.reason,
  }));
}
