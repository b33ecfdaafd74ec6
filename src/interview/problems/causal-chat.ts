// Worked problem: group chat where a reply never appears before the message it answers. Causal
// delivery as COPS builds it (Lloyd et al., SOSP 2011, §3) on vector clocks (Fidge 1988; Mattern 1988).

import { VectorClock } from "../../clocks/vector.js";
import {
  type CausalCheckResult,
  type CausalPattern,
  checkCausalConsistency,
} from "../../consistency/causal/checker.js";
import { CausalCluster } from "../../consistency/causal/cluster.js";
import type { CausalOperation } from "../../consistency/causal/types.js";
import {
  assert,
  integerOption,
  invalidArgument,
  requireKnownOptions,
  requireIntegerList,
} from "../../sim/assert.js";
import { jsonSizeBytes } from "../../sim/json-size.js";
import type { LoadAssumptions } from "../estimate.js";
import type { WorkedProblem } from "../types.js";

/**
 * Group chat: messages are partitioned by conversation, ordering is causal (a reply after what it
 * answers), replicas in several regions serve members locally.
 *
 * @example
 * recommend(causalChatProblem.requirements).decisions.map((d) => d.choice);
 * // equals causalChatProblem.documentedChoices
 */
export const causalChatProblem: WorkedProblem = {
  page: "09c-causal-chat",
  title: "Design group chat where replies never appear before the message they answer",
  requirements: {
    strongConsistency: false,
    naturalPartitionKey: true,
    ordering: "causal",
    singleActiveWorker: false,
    idempotentConsumers: true,
    hotSpotRisk: false,
    latencyMsP99: 200,
    availabilityTarget: 0.999,
    replicaOneWayLatencyMs: 40,
  },
  documentedChoices: [
    "ap",
    "shard-by-key",
    "causal-delivery",
    "no-leader",
    "at-least-once-idempotent",
    "plain-hash-partitioning",
    "local-reads",
    "sloppy-availability",
  ],
};

/**
 * The page's numbers: 50 million daily users sending 40 messages a day of about 200 bytes (text
 * plus ids and metadata), each message read by 10 members on average, kept for five years, three copies.
 */
export const causalChatAssumptions: LoadAssumptions = {
  dailyActiveUsers: 50e6,
  writesPerUserPerDay: 40,
  readsPerWrite: 10,
  peakToAverage: 3,
  bytesPerWrite: 200,
  bytesPerRead: 200,
  retentionDays: 5 * 365,
  replicationFactor: 3,
};

/** Options of {@link runGroupChat}; every field but `causalDelivery` has a default. */
export interface GroupChatOptions {
  /** True: replicas apply a message only after everything it depends on (the fix). */
  readonly causalDelivery: boolean;
  /** Simulation seed. Default 1. */
  readonly seed?: number;
  /** Questions Alice asks, each answered by Bob. An integer in [1, 200]. Default 20. */
  readonly questionsCount?: number;
  /** Milliseconds between two questions, an integer in [1, 10000]. Default 100. */
  readonly gapMs?: number;
  /** Latency of the slow link from Alice's replica A to Carol's replica C, in [0, 5000]. Default 200. */
  readonly slowLinkMs?: number;
}

/** What {@link runGroupChat} measured. */
export interface GroupChatRun {
  /** The cluster after the run: its simulation trace feeds `sequence(...)`. */
  readonly cluster: CausalCluster;
  readonly history: readonly CausalOperation[];
  /** The causal checker's verdict on the whole history. */
  readonly causal: CausalCheckResult;
  readonly questionsCount: number;
  /** Bob's replies (a reply is sent only to a question Bob has read). */
  readonly repliesCount: number;
  /** Carol's reads that showed a reply while her next read of its question showed nothing. */
  readonly repliesBeforeQuestion: number;
  /** Carol's reads of a reply, 45 ms after its question, that showed it. */
  readonly repliesVisibleEarly: number;
  /** Carol's second reads of the replies, once the slow link has delivered everything, that showed them. */
  readonly repliesVisibleAtEnd: number;
  /** Bad patterns the checker found, by name. */
  readonly violationsByPattern: Readonly<Partial<Record<CausalPattern, number>>>;
  /** After the run: every replica holds every question and reply (eventual delivery is eventual). */
  readonly converged: boolean;
}

const CHAT_OPTIONS = ["causalDelivery", "seed", "questionsCount", "gapMs", "slowLinkMs"];
/** Bob answers 20 ms after a question, Carol reads 45 ms after it: as in chapter 4's story. */
const REPLY_AFTER_MS = 20;
const CAROL_READS_AFTER_MS = 45;

/**
 * A group chat on the library's causal store (three replicas A, B, C; Alice at A, Bob at B, Carol
 * at C). Alice asks question i; 20 ms later Bob reads it and replies; 45 ms after the question
 * Carol reads the reply, then the question; at the end, once everything has arrived, she reads
 * every reply and question again. Messages from A to C take `slowLinkMs`, every other
 * link 2 to 8 ms. Without causal delivery C shows Bob's reply as soon as it arrives, before the
 * question; with it, C holds the reply until the question is applied.
 *
 * @throws RangeError for an unknown option or a value out of range.
 *
 * @example
 * runGroupChat({ causalDelivery: false }).repliesBeforeQuestion; // 20 of 20
 * runGroupChat({ causalDelivery: true }).repliesBeforeQuestion;  // 0, and causal.ok is true
 */
export function runGroupChat(options: GroupChatOptions): GroupChatRun {
  const known = requireKnownOptions("runGroupChat options", options, CHAT_OPTIONS);
  if (typeof known.causalDelivery !== "boolean") {
    throw invalidArgument("causalDelivery", "true or false", known.causalDelivery);
  }
  const seed = integerOption("seed", known.seed, 1, 0, 0xffffffff);
  const questionsCount = integerOption("questionsCount", known.questionsCount, 20, 1, 200);
  const gapMs = integerOption("gapMs", known.gapMs, 100, 1, 10_000);
  const slowLinkMs = integerOption("slowLinkMs", known.slowLinkMs, 200, 0, 5_000);

  const cluster = new CausalCluster({
    seed,
    causalDelivery: known.causalDelivery,
    sessionGuarantees: false,
    antiEntropyIntervalMs: 1000,
    network: { latency: { kind: "uniform", minMs: 2, maxMs: 8 } },
  });
  cluster.sim.configureLink("A", "C", { latency: { kind: "fixed", ms: slowLinkMs } });
  let repliesCount = 0;
  for (let i = 0; i < questionsCount; i++) {
    const askedAt = i * gapMs;
    cluster.at(askedAt, () => cluster.put("alice", `q${i}`, `question ${i}`));
    cluster.at(askedAt + REPLY_AFTER_MS, () => cluster.get("bob", `q${i}`));
    cluster.at(askedAt + CAROL_READS_AFTER_MS, () => {
      cluster.get("carol", `r${i}`);
      cluster.get("carol", `q${i}`);
    });
  }
  // Bob replies only to a question he has seen: the reply's causal past holds the question.
  cluster.onOperation((op) => {
    if (op.session !== "bob" || op.kind !== "read" || op.status !== "ok") return;
    if ((op.values ?? []).length === 0) return;
    repliesCount++;
    // Queued from a fresh event, not from inside the client's own message handler.
    cluster.sim.schedule(0, () =>
      cluster.put("bob", `r${op.key.slice(1)}`, `answer ${op.key.slice(1)}`),
    );
  });
  cluster.runFor((questionsCount - 1) * gapMs + CAROL_READS_AFTER_MS);
  cluster.runUntilIdle();
  cluster.runFor(slowLinkMs + 100);
  // Carol reads the conversation again once the slow link has delivered everything.
  for (let i = 0; i < questionsCount; i++) {
    cluster.get("carol", `r${i}`);
    cluster.get("carol", `q${i}`);
  }
  cluster.runUntilIdle();

  const carol = cluster.history.filter((op) => op.session === "carol" && op.status === "ok");
  const shows = (op: CausalOperation | undefined): boolean => (op?.values ?? []).length > 0;
  let repliesBeforeQuestion = 0;
  let repliesVisibleEarly = 0;
  let repliesVisibleAtEnd = 0;
  for (let i = 0; i < questionsCount; i++) {
    const replyReads = carol.filter((op) => op.key === `r${i}`);
    const questionReads = carol.filter((op) => op.key === `q${i}`);
    assert(replyReads.length === 2, "Carol reads each reply twice");
    assert(questionReads.length === 2, "Carol reads each question twice");
    replyReads.forEach((replyRead, k) => {
      if (shows(replyRead) && !shows(questionReads[k])) repliesBeforeQuestion++;
    });
    if (shows(replyReads[0])) repliesVisibleEarly++;
    if (shows(replyReads[1])) repliesVisibleAtEnd++;
  }
  const causal = checkCausalConsistency(cluster.history);
  const violationsByPattern: Partial<Record<CausalPattern, number>> = {};
  for (const v of causal.violations) {
    violationsByPattern[v.pattern] = (violationsByPattern[v.pattern] ?? 0) + 1;
  }
  const converged = cluster.replicas.every((replica) =>
    Array.from({ length: questionsCount }, (_, i) => i).every(
      (i) => cluster.siblings(replica, `q${i}`).length === 1,
    ),
  );
  // An orphan reply shown is a read the checker must flag: it may never pass unnoticed.
  if (repliesBeforeQuestion > 0) assert(!causal.ok, "an orphan reply is a causal violation");
  return {
    cluster,
    history: cluster.history,
    causal,
    questionsCount,
    repliesCount,
    repliesBeforeQuestion,
    repliesVisibleEarly,
    repliesVisibleAtEnd,
    violationsByPattern,
    converged,
  };
}

/** Options of {@link chatMetadataTable}; every field has a default. */
export interface ChatMetadataOptions {
  /** Group sizes to measure, each an integer in [1, 100000]. Default [2, 10, 100, 1000, 10000]. */
  readonly groupSizes?: readonly number[];
  /** Messages each member has sent (every counter of the clock). Default 20. */
  readonly messagesPerMember?: number;
  /** Bytes of message text. Default 100. */
  readonly textBytes?: number;
}

/** One row of {@link chatMetadataTable}: the size of one chat message, encoded as JSON. */
export interface ChatMetadataRow {
  readonly members: number;
  /** The message with a `VectorClock` (member ids and counters, `toJSON()`). */
  readonly vectorClockBytes: number;
  /** The message with the counters only (`toArray()`; the ids come from the membership list). */
  readonly denseCountersBytes: number;
  /** The message with a per-conversation sequence number instead. */
  readonly sequenceNumberBytes: number;
  /** vectorClockBytes / sequenceNumberBytes. */
  readonly vectorClockOverSequence: number;
}

/**
 * The metadata cost of causal order in a chat message, measured: the JSON size of the same
 * message carrying a vector clock over the group's members, only its counters, or a single
 * per-conversation sequence number. A vector clock grows with the group; a sequence number does
 * not.
 *
 * @throws RangeError for an unknown option or a value out of range.
 *
 * @example
 * chatMetadataTable({ groupSizes: [10] })[0]; // vector clock 335 bytes, sequence number 191
 */
export function chatMetadataTable(options: ChatMetadataOptions = {}): ChatMetadataRow[] {
  const known = requireKnownOptions("chatMetadataTable options", options, [
    "groupSizes",
    "messagesPerMember",
    "textBytes",
  ]);
  const groupSizes = requireIntegerList(
    "groupSizes",
    known.groupSizes ?? [2, 10, 100, 1000, 10_000],
    1,
    100_000,
  );
  const perMember = integerOption("messagesPerMember", known.messagesPerMember, 20, 1, 1_000_000);
  const textBytes = integerOption("textBytes", known.textBytes, 100, 0, 1_000_000);
  const text = "x".repeat(textBytes);
  return groupSizes.map((members) => {
    const ids = Array.from({ length: members }, (_, i) => `user-${i + 1}`);
    // fromJSON checks each counter by position: building a 100,000-entry clock stays fast.
    const clock = VectorClock.fromJSON({ nodes: ids, counters: ids.map(() => perMember) });
    const base = { type: "chat", conversation: "group-42", id: "m-7f3a", from: "user-1", text };
    const withClock = { ...base, clock: clock.toJSON() };
    const withCounters = { ...base, clock: clock.toArray() };
    const withSequence = { ...base, seq: members * perMember };
    const vectorClockBytes = jsonSizeBytes(withClock);
    const denseCountersBytes = jsonSizeBytes(withCounters);
    const sequenceNumberBytes = jsonSizeBytes(withSequence);
    assert(sequenceNumberBytes < vectorClockBytes, "a vector clock costs more than one integer");
    return {
      members,
      vectorClockBytes,
      denseCountersBytes,
      sequenceNumberBytes,
      vectorClockOverSequence: vectorClockBytes / sequenceNumberBytes,
    };
  });
}
