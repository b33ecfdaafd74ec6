// The interview framework's vocabulary: a problem's requirements, the checklist's decisions, the
// experiments that back them and the chapter sections that teach them (issue 9's checklist).

/** A page of the site: a chapter id (the notebook's name) and, optionally, a heading anchor. */
export interface SectionLink {
  /** The chapter or page id, e.g. "03-cap" or "09b-payment-ledger" (notebooks/<id>.ipynb). */
  readonly page: string;
  /** A heading anchor on that page (GitHub slug of the heading), without "#"; "" for the top. */
  readonly anchor: string;
}

/** How operations must be ordered. */
export type OrderingNeed =
  /** No order between operations is promised (independent jobs, counters). */
  | "none"
  /** Operations on the same key (account, order, user) apply in the order they were made. */
  | "per-key"
  /** An effect is never seen before its cause (a reply before the message it answers). */
  | "causal"
  /** Every replica applies every operation in one agreed order (a ledger, a lock service). */
  | "total";

/**
 * What a design problem asks for: the inputs of the decision checklist. Numbers are targets the
 * interviewer gives (or that you state as assumptions).
 */
export interface Requirements {
  /** Must a read see every write acknowledged before it (balances, stock, locks)? */
  readonly strongConsistency: boolean;
  /** Is there a key that splits the data and the load (user id, account, order id)? */
  readonly naturalPartitionKey: boolean;
  /** Which order operations need. */
  readonly ordering: OrderingNeed;
  /** Must one actor at a time do some work (run a job, own a resource, assign tasks)? */
  readonly singleActiveWorker: boolean;
  /** Can consumers of messages apply the same message twice without harm? */
  readonly idempotentConsumers: boolean;
  /** Do a few keys get a large share of the traffic (celebrities, flash sales)? */
  readonly hotSpotRisk: boolean;
  /** The latency target of the main operation at the 99th percentile, in ms. */
  readonly latencyMsP99: number;
  /** The availability target as a fraction, e.g. 0.999 ("three nines"). */
  readonly availabilityTarget: number;
  /** The one-way network latency between the replicas that must agree, in ms. */
  readonly replicaOneWayLatencyMs: number;
}

/** The checklist's questions, in the order the framework asks them. */
export type DecisionTopic =
  | "consistency"
  | "partitioning"
  | "ordering"
  | "coordination"
  | "delivery"
  | "hot-spots"
  | "latency"
  | "availability";

/** Every choice the checklist can make; each is backed by one experiment of the same id. */
export type ChoiceId =
  // consistency
  | "cp"
  | "ap"
  // partitioning
  | "shard-by-key"
  | "replicate-whole-dataset"
  // ordering
  | "consensus-log"
  | "partitioned-log"
  | "causal-delivery"
  | "simple-queue"
  // coordination
  | "leader-lease-fencing"
  | "no-leader"
  // delivery
  | "at-least-once-idempotent"
  | "exactly-once-effects"
  // hot spots
  | "bounded-load-hashing"
  | "plain-hash-partitioning"
  // latency
  | "quorum-round-trip"
  | "local-reads"
  // availability
  | "majority-quorum-replication"
  | "sloppy-availability";

/** One answered question of the checklist. */
export interface Decision {
  readonly topic: DecisionTopic;
  /** The question as the framework asks it. */
  readonly question: string;
  /** The answer the requirements give ("yes", "no", or a short phrase such as "per key"). */
  readonly answer: string;
  readonly choice: ChoiceId;
  /** The choice in a few words ("CP: consensus, majority quorums"). */
  readonly title: string;
  /** Why, from these requirements: one or two sentences with the numbers. */
  readonly reason: string;
  /** The chapter section that demonstrates the choice. */
  readonly chapter: SectionLink;
  /** The experiment (same id as the choice) that shows the choice working, with numbers. */
  readonly experiment: ChoiceId;
}

/** A trade-off the requirements force, stated so it can be said aloud in an interview. */
export interface Tension {
  readonly topics: readonly DecisionTopic[];
  readonly message: string;
}

/** What `recommend` returns. */
export interface Recommendation {
  readonly decisions: readonly Decision[];
  readonly tensions: readonly Tension[];
}

/** What running a choice's experiment measured. */
export interface ExperimentResult {
  readonly id: ChoiceId;
  /** The claim the experiment checks, e.g. "a minority partition refuses writes". */
  readonly claim: string;
  /** True when the run shows the claim (a checker verdict or a measured comparison). */
  readonly holds: boolean;
  /** The measured numbers, named with units (e.g. { minorityWritesRefused: 5 }). */
  readonly measured: Readonly<Record<string, number | string | boolean>>;
  /** One sentence with the numbers, for a notebook or a page. */
  readonly summary: string;
  /** The chapter section where the same run is explained. */
  readonly chapter: SectionLink;
}

/** A worked design problem: its page, its requirements and the decisions its page documents. */
export interface WorkedProblem {
  /** The page id, e.g. "09b-payment-ledger" (notebooks/09b-payment-ledger.ipynb). */
  readonly page: string;
  /** The problem as an interviewer states it, e.g. "Design a payment ledger". */
  readonly title: string;
  readonly requirements: Requirements;
  /** The choices the page explains, one per topic, in checklist order: `recommend` must agree. */
  readonly documentedChoices: readonly ChoiceId[];
}
