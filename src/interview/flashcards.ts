// Flashcards: question/answer cards over every chapter, kept as data, each linking to the section
// that teaches it, and their export to Anki's text import (issue 9, "Study aids: flashcards").

import { assert, invalidArgument, requireKnownOptions } from "../sim/assert.js";
import type { SectionLink } from "./types.js";

/** One question/answer card. The quiz stores progress by `id`, so an id never changes. */
export interface Flashcard {
  /** Stable kebab-case slug, unique across all cards, e.g. "cap-c-means-linearizable". */
  readonly id: string;
  /** The question, as an interviewer asks it. Plain text. */
  readonly question: string;
  /** The answer in two to four sentences of plain text (no markdown). */
  readonly answer: string;
  /** The chapter section that teaches the answer. */
  readonly link: SectionLink;
  /** Topic tags (kebab-case); the page id of `link` is always the first. */
  readonly tags: readonly string[];
}

/** A card before its chapter is known: the chapter adds its page to the link and the tags. */
interface CardSpec {
  readonly id: string;
  readonly anchor: string;
  readonly tags?: readonly string[];
  readonly question: string;
  readonly answer: string;
}

function chapter(page: string, specs: readonly CardSpec[]): Flashcard[] {
  return specs.map((spec) => ({
    id: spec.id,
    question: spec.question,
    answer: spec.answer,
    link: { page, anchor: spec.anchor },
    tags: [page, ...(spec.tags ?? [])],
  }));
}

const FALLACIES = chapter("01-fallacies", [
  {
    id: "fallacies-partial-failure",
    anchor: "partial-failure",
    tags: ["failure"],
    question: "What is partial failure, and why does it make distributed systems hard?",
    answer:
      "Some parts of the system fail while others keep running, and a node cannot tell a crashed peer from a paused one, a lost reply or a slow link. In the chapter's run all five faults gave the client the same observation, a timeout after 50 ms, and in four of them the server had done the work. A timeout says that you stopped waiting, not what happened on the other side.",
  },
  {
    id: "fallacies-retry-needs-idempotency-key",
    anchor: "1-the-network-is-reliable",
    tags: ["idempotency", "retries"],
    question: "A payment request timed out. Is it safe for the client to retry?",
    answer:
      "Only if the server can recognise the repeat: the client sends the same idempotency key with every attempt, and the server keeps the keys it has charged, with their results, in stable storage. Over 1,000 runs with lost messages and a server crash, retries without keys charged twice in 132 runs, keys kept in memory in 86, keys persisted in none.",
  },
  {
    id: "fallacies-timeout-from-the-tail",
    anchor: "2-latency-is-zero",
    tags: ["latency", "timeouts"],
    question: "How do you choose the timeout for calls to a dependency?",
    answer:
      "From the measured tail of its latency (p99 or p99.9), never from the typical value, and with a retry budget so retries cannot multiply load during an incident. In the chapter a timeout at the median round trip (24 ms) fired on 48.6 % of requests to a healthy server, one at p99 (144 ms) on 1.3 %.",
  },
  {
    id: "fallacies-overload-turns-into-latency",
    anchor: "3-bandwidth-is-infinite",
    tags: ["bandwidth", "back-pressure"],
    question: "What happens when a sender offers more than a link's bandwidth?",
    answer:
      "Throughput stops at the link's capacity and the queueing delay grows without bound for as long as the overload lasts: at twice the capacity the mean latency rose from 15 ms to 209 ms in the chapter's run. The remedies are to send less (batching, compression) or to slow the sender down (back-pressure).",
  },
  {
    id: "fallacies-mac-is-not-encryption",
    anchor: "4-the-network-is-secure",
    tags: ["security"],
    question: "What does an HMAC over each message protect against, and what does it not?",
    answer:
      "It gives integrity and authenticity: an attacker who changes a message in flight is detected (all 4 altered transfers rejected in the run). It does not hide the content, which needs encryption such as TLS, and it does not stop a replay of an old valid message, which needs a sequence number or nonce that the server checks.",
  },
  {
    id: "fallacies-topology-stale-view",
    anchor: "5-topology-doesnt-change",
    tags: ["service-discovery"],
    question:
      "A client caches the list of service instances. What goes wrong when instances change?",
    answer:
      "It keeps calling instances that were removed: with no refresh, 38 of 99 requests went to a decommissioned node. Refreshing from a registry every 100 ms cut that to 4 but cannot close the window between a change and the next refresh; for that the old instance must redirect or the routing layer must learn of changes before they take effect.",
  },
  {
    id: "fallacies-settings-drift-between-teams",
    anchor: "6-there-is-one-administrator",
    tags: ["failure-detection"],
    question: "How can two teams' independent settings make a monitor declare healthy nodes dead?",
    answer:
      "One team lengthened the heartbeat interval past the timeout the other team's monitor used, and the monitor raised 40 false alarms with nothing broken. When the heartbeat carries its own interval and the monitor derives its timeout from it, the settings cannot drift apart: 0 false alarms, and a real crash is still detected.",
  },
  {
    id: "fallacies-batching-costs",
    anchor: "7-transport-cost-is-zero",
    tags: ["batching"],
    question: "Why batch requests, and what does batching cost?",
    answer:
      "Every message pays a header, a round trip and often a price: shipping 100 records one per request took 200 messages and 1,000 ms, 25 per request took 8 messages and 40 ms. The costs are that an item may wait for its batch to fill and that one lost batch loses many items at once.",
  },
  {
    id: "fallacies-tolerant-reader-misreads",
    anchor: "8-the-network-is-homogeneous",
    tags: ["versioning"],
    question:
      "During a rolling upgrade, is a tolerant reader that ignores unknown fields always safe?",
    answer:
      "No: ignoring a field is right for optional additions and wrong when the new field changes the meaning of an old one. In the chapter a new currency field changed what the amount meant, the tolerant old ledger misread a euro charge, and a strict reader rejected half the charges. Version negotiation, sending each server only what it speaks, recorded all 20 correctly.",
  },
  {
    id: "fallacies-read-modify-write-loses-updates",
    anchor: "concurrency",
    tags: ["concurrency"],
    question:
      "Two clients increment a counter by read-modify-write. What goes wrong, and what fixes it?",
    answer:
      "Both read the same value, both write value plus one, and one increment is lost: 10 increments left the counter at 5. Compare-and-set fixes it: the write names the value it expects to replace, the server refuses it if the value changed, and the client reads again and retries (10 of 10 kept, with 6 conflicts retried).",
  },
  {
    id: "fallacies-wall-clock-last-write-wins",
    anchor: "no-global-clock",
    tags: ["clocks"],
    question: "Why can a store not trust last-writer-wins on wall-clock timestamps?",
    answer:
      "Timestamps order events only as well as the clocks agree. In the chapter node B's clock ran 20 ms behind, so its causally later writes looked older and the store silently discarded them, keeping A3 although B3 was the last write.",
  },
  {
    id: "fallacies-what-networks-do-to-messages",
    anchor: "unreliable-network",
    tags: ["network"],
    question: "What can a network do to the messages you send?",
    answer:
      "Lose, duplicate, delay and reorder them: 20 numbered messages over a slightly lossy link arrived as 21 deliveries, with one lost, two duplicates and 12 out of order. TCP hides some of this inside one connection, but not across reconnections, across nodes, or when the receiver crashes after receiving and before acting.",
  },
]);

const TIME = chapter("02-time-and-order", [
  {
    id: "time-clocks-drift",
    anchor: "no-global-clock",
    tags: ["clocks"],
    question: "How far apart do the clocks of two machines drift?",
    answer:
      "Quartz runs fast or slow by tens of parts per million: 50 ppm is 3 ms per minute and over 4 s per day. NTP pulls clocks back but can step one backwards, and between corrections each wanders: in the chapter, 8 ms of skew became 68 ms after ten minutes. Causally related events inside a data centre are often less than a millisecond apart.",
  },
  {
    id: "time-happened-before",
    anchor: "happened-before",
    tags: ["causality"],
    question: "What does 'a happened before b' mean in Lamport's sense?",
    answer:
      "a and b are on the same process and a comes first, or a is the sending of a message and b its receipt, or a chain of such steps leads from a to b. If neither happened before the other the events are concurrent. It is a partial order: many pairs of events are simply not ordered.",
  },
  {
    id: "time-lamport-clock-rules",
    anchor: "lamport-clocks",
    tags: ["clocks"],
    question: "What are the rules of a Lamport clock, and what do they guarantee?",
    answer:
      "Add one before each local event or send, carry the counter on every message, and on receipt jump to max(local, received) + 1. This guarantees that if a happened before b then L(a) < L(b); breaking ties by process id gives a total order that respects causality.",
  },
  {
    id: "time-lamport-clock-not-causality",
    anchor: "what-a-lamport-clock-cannot-tell-you",
    tags: ["clocks"],
    question: "If Lamport timestamp L(a) < L(b), did a happen before b?",
    answer:
      "Not necessarily. Lamport clocks guarantee only one direction (a happened before b implies L(a) < L(b)), and concurrent events get ordered timestamps too: in the chapter's random run 22.3 % of the pairs with different Lamport times were concurrent. To detect concurrency you need vector clocks.",
  },
  {
    id: "time-vector-clock-partial-order",
    anchor: "vector-clocks",
    tags: ["clocks"],
    question: "Does a vector clock order all events?",
    answer:
      "No. A vector clock captures exactly the happened-before partial order: a happened before b if and only if V(a) < V(b) entry by entry. Two events whose vectors are incomparable are concurrent, and the clock deliberately does not order them.",
  },
  {
    id: "time-equal-is-not-concurrent",
    anchor: "where-the-popular-sketch-goes-wrong",
    tags: ["clocks"],
    question: "Are two equal vector clocks concurrent?",
    answer:
      "No. Comparing vector clocks has four outcomes: before, after, equal and concurrent. Defining concurrent as 'neither happened before the other' calls equal clocks concurrent, so a duplicated delivery of the same write looks like a conflict with itself.",
  },
  {
    id: "time-version-vectors-do-not-tick-on-sync",
    anchor: "version-vectors",
    tags: ["conflicts"],
    question: "How does a version vector differ from a vector clock?",
    answer:
      "It belongs to a version of replicated data and counts, per replica, the updates that version includes. A sync merges without incrementing, since a sync is not an update; otherwise two replicas that exchanged the same updates would end with different vectors and every sync would look like a new conflict. Versions where neither dominates are siblings, kept until someone resolves them.",
  },
  {
    id: "time-hybrid-logical-clock",
    anchor: "hybrid-logical-clocks",
    tags: ["clocks"],
    question: "What is a hybrid logical clock, and what does it not give you?",
    answer:
      "A pair (l, c): l is the largest physical time the node has heard of and c counts events that share that l. Like a Lamport clock, a happened before b implies hlc(a) < hlc(b), and l stays within the clock skew of physical time, so it can stand in for a wall-clock time (CockroachDB, YugabyteDB). Like a Lamport clock, it does not detect concurrency.",
  },
  {
    id: "time-skew-needed-to-lose-a-write",
    anchor: "last-write-wins-on-skewed-clocks-loses-a-write",
    tags: ["clocks", "last-write-wins"],
    question: "How much clock skew does last-write-wins need to lose a causally later write?",
    answer:
      "Only more than the time between the two writes. With writes 20 ms apart, a replica whose clock was 21 ms behind stamped the later write as older, and every replica discarded it after acknowledging it, with no error anywhere. At exactly 20 ms the stamps tied and the node-id tie-break decided: luck, not correctness.",
  },
  {
    id: "time-stamp-with-causal-context",
    anchor: "the-fix-stamp-with-what-the-client-has-seen",
    tags: ["clocks", "causality"],
    question: "How do you make sure a client's write is ordered after the value it read?",
    answer:
      "The client sends what it read (its causal context) with the write, and the replica's logical clock observes that context before stamping: a Lamport or hybrid clock receives the read's stamp, a vector clock starts from the context. Both parts are needed: the logical clock cannot go backwards along a message, and the context carries the causal link across replicas.",
  },
  {
    id: "time-concurrent-writes-keep-siblings",
    anchor: "and-when-the-writes-really-are-concurrent",
    tags: ["conflicts"],
    question:
      "Two clients write the same key concurrently, neither having seen the other's write. Which should win?",
    answer:
      "Neither can rightly win: no timestamp can say which one should. Physical, Lamport and hybrid stamps each pick one by accident (a slow clock, a node-id tie-break) and silently drop an acknowledged write. Vector clocks see two incomparable versions and keep both as siblings for a reader to merge.",
  },
  {
    id: "time-higher-value-wins-hides-the-loss",
    anchor: "where-the-popular-sketch-goes-wrong",
    tags: ["conflicts"],
    question:
      "What is wrong with resolving concurrent writes by 'the higher value wins' and merging clocks?",
    answer:
      "It throws away a write that was acknowledged, and it stamps the winner with a clock that dominates the loser's, so nothing downstream can ever tell there was a conflict. The fix is to keep concurrent versions as siblings and let the application merge them.",
  },
  {
    id: "time-truetime-commit-wait",
    anchor: "truetime-for-contrast",
    tags: ["clocks"],
    question: "How does Spanner get timestamps that respect real time?",
    answer:
      "TrueTime returns an interval guaranteed to contain true time, kept to a few milliseconds with GPS receivers and atomic clocks. A transaction picks its commit timestamp and then waits out the uncertainty (commit wait) before its commit becomes visible, which gives external consistency at the price of special hardware and a few ms per write.",
  },
]);

const CAP = chapter("03-cap", [
  {
    id: "cap-c-means-linearizable",
    anchor: "what-c-a-and-p-mean-gilbert-and-lynch-not-the-slogan",
    tags: ["cap"],
    question: "What do C, A and P mean in the CAP theorem as Gilbert and Lynch proved it?",
    answer:
      "C is linearizability of a read/write object (not the C of ACID), A means every request received by a non-failing node gets a non-error response, and P means the network may lose any number of messages between groups of nodes. The theorem: when messages can be lost, no implementation guarantees both C and A in every execution.",
  },
  {
    id: "cap-ca-is-not-a-choice",
    anchor: "what-c-a-and-p-mean-gilbert-and-lynch-not-the-slogan",
    tags: ["cap"],
    question: "Can a distributed system choose CA?",
    answer:
      "No. A network that never loses messages is not on offer, so CA only says nothing about what happens when the network splits. The real choice, made per operation, is what to do during a partition: refuse (CP) or answer and reconcile later (AP).",
  },
  {
    id: "cap-cp-minority-refuses",
    anchor: "cp-under-partition-the-minority-refuses-the-majority-carries-on",
    tags: ["cap", "quorums"],
    question: "During a partition, is a CP system unavailable everywhere?",
    answer:
      "No: the majority side carries on and only the minority refuses. In the chapter's 2|3 split the minority answered 0 of 14 requests ('no quorum') while the majority answered 35 of 35 with a median of 27.8 ms. It is unavailable in Gilbert and Lynch's sense because a non-failing node received requests it could not answer.",
  },
  {
    id: "cap-quorum-read-then-write-loses-increments",
    anchor: "the-cp-counter-as-first-sketched",
    tags: ["quorums", "concurrency"],
    question: "Is 'read a majority, write value plus one to a majority' a safe replicated counter?",
    answer:
      "No: a quorum on each step does nothing for the gap between the steps. Two concurrent increments both read 0 and both write 1, so one is lost; in the scripted partition run this variant lost 13 acknowledged increments. The fix is an increment that does not depend on a read: a unique id added to a set.",
  },
  {
    id: "cap-commutative-increments",
    anchor: "the-fix-make-the-increment-commute",
    tags: ["quorums"],
    question:
      "How does the linearizable quorum counter of the CAP chapter count increments safely?",
    answer:
      "Each increment is a unique id (client and sequence number) stored by a majority in a set; adding to a set commutes and adding twice is harmless, so duplicates and retries are safe. A read takes the union of a majority's sets and writes that union back to a majority before answering its size. It lost no increment and the checker found the history linearizable.",
  },
  {
    id: "cap-timeout-is-unknown-outcome",
    anchor: "cp-under-partition-the-minority-refuses-the-majority-carries-on",
    tags: ["idempotency"],
    question: "A write was refused with 'no quorum'. Did it take effect?",
    answer:
      "Unknown: the coordinator stored it before it knew it would not reach a majority. In the run, 8 refused increments took effect after the heal (final value 83 = 75 acknowledged + 8). A checker treats such an operation as pending, and a client that retries must reuse the same id.",
  },
  {
    id: "cap-abd-read-writes-back",
    anchor: "why-the-read-writes-back-abd",
    tags: ["quorums", "linearizability"],
    question: "Why must a quorum read write back what it read before answering?",
    answer:
      "Without it, a read whose majority includes a replica holding a not-yet-acknowledged write counts it, and a later read through a different majority misses it: in the chapter the counter read 71 and then 65. Writing back makes a majority hold everything behind the value returned, so every later read meets it. The price is a second round trip on every read.",
  },
  {
    id: "cap-lww-counter-loses-increments",
    anchor: "the-ap-counter-as-first-sketched",
    tags: ["last-write-wins"],
    question:
      "Why does an AP counter that gossips (value, timestamp) with last-write-wins lose increments even without a partition?",
    answer:
      "Two replicas that increment within one gossip period both produce 'value plus one' states, and the newer timestamp wins outright, so the other increment disappears. The chapter's run lost 81 of 133 acknowledged increments without a partition and 88 with one.",
  },
  {
    id: "cap-pn-counter",
    anchor: "the-fix-a-counter-that-merges-the-pn-counter-crdt",
    tags: ["crdt"],
    question: "How does a PN-counter CRDT work, and why does it never lose an increment?",
    answer:
      "It is two G-counters, increments and decrements, each with one entry per replica that only that replica raises; the value is the sum of increments minus the sum of decrements, and merge takes the maximum of each entry. Max is commutative, associative and idempotent, so states can be gossiped in any order any number of times. In the chapter 133 increments were acknowledged and 133 counted on every replica.",
  },
  {
    id: "cap-crdt-is-not-linearizable",
    anchor: "the-stale-read-that-proves-the-ap-counter-is-not-linearizable",
    tags: ["crdt", "linearizability"],
    question: "Is a CRDT counter linearizable when the network never partitions?",
    answer:
      "No: a replica answers before gossip has brought the other replicas' increments, so a read can miss increments acknowledged before it began; the checker found the first violation before the partition started. It converges (strong eventual consistency), which is a different promise.",
  },
  {
    id: "cap-pacelc",
    anchor: "pacelc-the-trade-off-you-pay-every-day",
    tags: ["latency", "cap"],
    question: "What does PACELC add to CAP?",
    answer:
      "Else, when there is no partition, you still choose between latency and consistency: a linearizable object talks to a majority on every operation. Measured without any partition, the AP counters answered in a median 10.9 ms and the linearizable quorum counter in 24.4 ms.",
  },
  {
    id: "cap-which-models-stay-available",
    anchor: "where-each-counter-sits-on-the-jepsen-map",
    tags: ["consistency-models"],
    question: "Which consistency models can stay available during a partition?",
    answer:
      "On Jepsen's map, linearizable and sequential consistency cannot (some nodes must refuse). Causal consistency, PRAM and read-your-writes can if each client sticks to the same replicas (sticky available). Monotonic reads, monotonic writes and writes-follow-reads can at every replica (totally available).",
  },
]);

const CONSISTENCY = chapter("04-consistency", [
  {
    id: "consistency-linearizability",
    anchor: "linearizability",
    tags: ["linearizability"],
    question: "What does linearizability promise?",
    answer:
      "Every operation appears to take effect atomically at one instant between its call and its return, and the operations in that order form a legal sequential run. So an operation that returned before another was called comes first: once a write has returned, every read that starts later sees it or a newer value.",
  },
  {
    id: "consistency-how-a-checker-works",
    anchor: "linearizability",
    tags: ["linearizability", "testing"],
    question: "How does a linearizability checker decide whether a history is linearizable?",
    answer:
      "It searches for an order consistent with real time, stepping a sequential model of the object and backtracking when the model says an output is impossible (Wing and Gong), and caches states already explored (Lowe). Porcupine also checks a key-value history key by key. An operation that never returned may or may not have taken effect, so it is treated as pending.",
  },
  {
    id: "consistency-etcd-stale-reads",
    anchor: "real-histories-porcupines-test-data-and-jepsens-etcd-runs",
    tags: ["linearizability", "jepsen"],
    question: "Why were most of Jepsen's etcd histories not linearizable?",
    answer:
      "At the time etcd answered a read from the local state of whichever node received it unless the client asked for a quorum read, so a node cut off from the majority or a deposed leader returned values a newer leader had replaced. The checker finds 79 of the 103 recorded histories not linearizable. Later etcd versions made linearizable reads the default.",
  },
  {
    id: "consistency-abd-register",
    anchor: "a-linearizable-register-on-replicas-abd",
    tags: ["quorums", "linearizability"],
    question: "How does ABD build a linearizable register from replicas without consensus?",
    answer:
      "Every value carries a tag (a counter and the writer's id). A write asks a majority for their tags, picks a higher one and stores the value on a majority; a read asks a majority, takes the highest tag, and writes it back to a majority before returning. Any two majorities intersect, so later operations meet earlier ones; a minority side gets an error instead of a stale value.",
  },
  {
    id: "consistency-merkle-anti-entropy",
    anchor: "eventual-consistency-and-anti-entropy",
    tags: ["anti-entropy"],
    question: "Why do eventually consistent stores compare Merkle trees during anti-entropy?",
    answer:
      "Comparing hashes top-down finds the few differing buckets without shipping every key: with 1,000 keys of which 10 differed, the tree exchange sent 9,984 bytes against 219,580 for the full exchange. Once replicas are in sync a check costs a root hash. The price is more round trips (135 ms to converge against 30 ms).",
  },
  {
    id: "consistency-r-plus-w-not-linearizable",
    anchor: "dynamo-n-r-w-sloppy-quorums-and-hinted-handoff",
    tags: ["quorums"],
    question: "Does R + W > N make a Dynamo-style store linearizable?",
    answer:
      "No. It makes every read quorum intersect every write quorum, so without failures and sloppy quorums a read meets the latest completed write; but concurrent operations, sloppy quorums and the lack of read repair still let reads return old values, and the checker rejected the N=3, R=2, W=2 history. A write-back on read, as in ABD, is what makes a quorum register linearizable.",
  },
  {
    id: "consistency-sloppy-quorum-hinted-handoff",
    anchor: "dynamo-n-r-w-sloppy-quorums-and-hinted-handoff",
    tags: ["quorums", "availability"],
    question: "What do sloppy quorums with hinted handoff buy, and what do they cost?",
    answer:
      "When a key's owners are unreachable, writes go to the next healthy nodes on the ring with a hint naming the owner, and are handed over when it returns, so writes stay available. The cost is that a quorum of some N nodes no longer intersects the owners' quorum: reads can be stale even with R + W > N (11.5 % stale in the measured run).",
  },
  {
    id: "consistency-causal-definition",
    anchor: "causal-consistency",
    tags: ["causal"],
    question: "What does causal consistency guarantee, and what does it not?",
    answer:
      "If one operation could have influenced another (the same session did it earlier, or one read what the other wrote, or a chain of those), every client sees them in that order; concurrent operations may be seen in different orders. It does not forbid stale reads: the causal store served about as many as the eventual one. It is the strongest model that stays available with sticky clients.",
  },
  {
    id: "consistency-causal-delivery-buffers",
    anchor: "alice-posts-bob-replies-carol-reads",
    tags: ["causal"],
    question: "How does a causal store keep a reply from being visible before the post it answers?",
    answer:
      "Each write carries its dependencies (the writer's token, a version vector of what it wrote or read), and a replica buffers a remote write until every dependency is applied. Without the buffer Carol saw Bob's reply to a post that did not exist; with it she saw neither, and replica C applied the post and then the reply once the post arrived.",
  },
  {
    id: "consistency-session-guarantees",
    anchor: "session-guarantees",
    tags: ["sessions"],
    question: "What are the four session guarantees, and when do they break?",
    answer:
      "Read your writes, monotonic reads, monotonic writes and writes follow reads (Terry et al., 1994). They break when a client switches replicas, after a failover or behind a load balancer. A client token, with replicas that wait until they have applied it, restores them at a latency cost: the first read at a lagging replica took 300 ms instead of 10.",
  },
  {
    id: "consistency-read-your-own-post",
    anchor: "the-interview-angle",
    tags: ["sessions"],
    question: "How do you make sure a user always sees their own post?",
    answer:
      "Give the session a token (a version vector or log position) and have replicas wait until they have applied it, or pin the user to one replica, or read from the leader for a while after a write. Name the failure mode: the token wait costs latency or ends in a refusal when a replica cannot catch up, and sticky sessions break on failover.",
  },
  {
    id: "consistency-causal-checking-bad-patterns",
    anchor: "checking-causal-histories",
    tags: ["causal", "testing"],
    question: "How can causal consistency be checked in polynomial time?",
    answer:
      "In general the check is NP-complete. For differentiated histories (each value written at most once per key) Bouajjani et al. (2017) build the causal order as the transitive closure of session order and reads-from, then look for a few bad patterns: a cycle, a read from thin air, a read that misses a write in its causal past, or one that returns a value overwritten in its causal past.",
  },
]);

const CONSENSUS = chapter("05-consensus", [
  {
    id: "consensus-flp",
    anchor: "",
    tags: ["theory"],
    question:
      "What does the FLP result say, and how do practical consensus protocols live with it?",
    answer:
      "No deterministic protocol can guarantee termination in an asynchronous system if even one node may crash (Fischer, Lynch and Paterson, 1985). Paxos and Raft therefore keep safety (agreement, validity) unconditionally and make progress only when timing behaves for long enough: a stable leader, timeouts long enough.",
  },
  {
    id: "consensus-paxos-two-phases",
    anchor: "single-decree-paxos-two-phases-from-a-live-run",
    tags: ["paxos"],
    question: "What are the two phases of single-decree Paxos?",
    answer:
      "Prepare/promise: a proposer picks a unique ballot and asks the acceptors to promise to ignore lower ballots; they reply with any value they already accepted. Accept/accepted: with promises from a majority, it asks them to accept its ballot with the value of the highest ballot reported, or its own value if none was. A value is chosen once a majority accepts it in one ballot.",
  },
  {
    id: "consensus-paxos-must-carry-forward",
    anchor: "where-the-reference-notes-sketch-goes-wrong",
    tags: ["paxos"],
    question: "In Paxos phase 2, may the proposer always propose its own value?",
    answer:
      "No: only if no promise reported an accepted value; otherwise it must propose the value of the highest-ballot acceptance reported, because that value may already be chosen. In the chapter, a run that let the second proposer use its own value chose 'x' and then 'y', and the safety checker stopped it.",
  },
  {
    id: "consensus-paxos-livelock",
    anchor: "dueling-proposers-a-livelock-and-the-fix",
    tags: ["paxos", "liveness"],
    question:
      "Why can two Paxos proposers run forever without choosing a value, and what fixes it?",
    answer:
      "Each one's higher prepare pre-empts the other's accepts, over and over: with a fixed 2 ms retry they used 144 ballots in a second of virtual time and chose nothing. A random, growing retry delay lets one of them finish (a value was chosen at 20 ms for most seeds); a single distinguished proposer, the leader, avoids the duel altogether.",
  },
  {
    id: "consensus-multi-paxos-skips-phase-one",
    anchor: "multi-paxos-a-stable-leader-skips-phase-1",
    tags: ["paxos"],
    question: "What does Multi-Paxos save over running single-decree Paxos for every log slot?",
    answer:
      "Phase 1 does not depend on the value, so a stable leader runs it once for all future slots; while its ballot stands each new value costs only phase 2, one round trip to a majority. In the chapter 20 values needed no prepare or promise after the election.",
  },
  {
    id: "consensus-raft-vote-restriction",
    anchor: "raft-roles-and-terms",
    tags: ["raft"],
    question: "Why can a Raft server that missed committed entries not become leader?",
    answer:
      "A server votes at most once per term, and only for a candidate whose log is at least as up-to-date as its own: a higher last term, or the same last term and a log at least as long. Every committed entry is on a majority, any winning majority shares a server with it, and that server refuses a candidate that lacks the entry.",
  },
  {
    id: "consensus-what-goes-to-disk",
    anchor: "where-the-reference-notes-raft-sketch-goes-wrong",
    tags: ["raft", "paxos", "durability"],
    question: "What must a consensus node write to stable storage before it replies?",
    answer:
      "Raft: currentTerm, votedFor and the log. Paxos acceptors: the promised ballot and the accepted ballot and value. A server that keeps them only in memory can restart and vote twice in one term or break a promise, which is enough to choose two values.",
  },
  {
    id: "consensus-raft-commit-current-term",
    anchor: "log-replication-and-figure-8-commit-only-entries-of-the-current-term",
    tags: ["raft"],
    question: "When is a Raft log entry committed?",
    answer:
      "When an entry of the leader's current term is stored on a majority; everything before it is committed with it. Counting replicas of an older term's entry is unsafe: in Figure 8 such an entry sits on a majority and a later leader can still overwrite it, and the chapter's break-it run committed it that way and violated leader completeness.",
  },
  {
    id: "consensus-paxos-vs-raft-cost",
    anchor: "paxos-versus-raft-measured",
    tags: ["raft", "paxos"],
    question: "Is Raft cheaper than Multi-Paxos?",
    answer:
      "In the chapter's runs Raft sent 8.8 messages per decision and Multi-Paxos 23.9, but the difference is how learners find out (every Paxos acceptor notified every node), not the consensus core. Both decide in one round trip to a majority (5.5 and 6.1 ms), and both recover from a leader crash in about 370-400 ms, dominated by the election timeout.",
  },
  {
    id: "consensus-failures-tolerated",
    anchor: "the-interview-angle",
    tags: ["quorums"],
    question: "How many failures does a 5-node consensus cluster tolerate?",
    answer:
      "Two crashed nodes, since the remaining three are still a majority: 2f + 1 nodes tolerate f crashes. Nodes that lie (Byzantine faults) need 3f + 1 nodes and different protocols.",
  },
  {
    id: "consensus-pre-vote-check-quorum",
    anchor: "disruptive-servers-pre-vote-and-check-quorum",
    tags: ["raft", "availability"],
    question:
      "A Raft server that was cut off forces an election every time it returns. Why, and what stops it?",
    answer:
      "Alone it kept timing out and raising its term (to 11 or 12 after 5 s), and that higher term makes the working leader step down. Pre-vote has it ask first whether it could win, without raising its term, so its term stays at 1 and the leader was kept in 5 of 5 runs. Check-quorum also makes a leader that cannot reach a majority step down (after 600 ms here).",
  },
  {
    id: "consensus-linearizable-reads",
    anchor: "reads-through-the-log-readindex-or-a-lease",
    tags: ["raft", "reads"],
    question: "What are the ways to serve a linearizable read from Raft?",
    answer:
      "Through the log (an entry per read); ReadIndex, where the leader notes its commit index and confirms it is still leader with one heartbeat round to a majority; or a lease, with no messages at all but trusting that clocks drift less than a bound. In the chapter a leader whose clock ran at a fifth of the speed served a stale lease read, which the checker rejected.",
  },
  {
    id: "consensus-exactly-once-commands",
    anchor: "a-key-value-store-on-raft-each-command-applied-once",
    tags: ["raft", "idempotency"],
    question: "A client retries a write after its reply was lost. Does Raft apply it twice?",
    answer:
      "Raft may log it twice; the state machine must deduplicate. Each client numbers its commands, and the store keeps per client the last number applied and its result, answering a repeat from that table; the table is part of the replicated state and of snapshots. With the table switched off, 34 commands were applied twice and every history was rejected.",
  },
  {
    id: "consensus-membership-one-at-a-time",
    anchor: "membership-changes-one-server-at-a-time",
    tags: ["raft", "membership"],
    question: "Why does Raft change cluster membership one server at a time?",
    answer:
      "With one server added or removed, any majority of the old set and any majority of the new set share a server, so two leaders cannot be elected in one term; switching many servers at once can create two disjoint majorities. The leader must also have committed an entry of its own term before a change, the correction Ongaro published in 2015.",
  },
  {
    id: "consensus-snapshots",
    anchor: "log-compaction-with-snapshots",
    tags: ["raft"],
    question:
      "What does Raft log compaction do, and how does a follower that fell far behind catch up?",
    answer:
      "A server snapshots its state machine with the index and term of the last entry covered and drops the log up to there: the persisted Raft state fell from 6,925 bytes to 36 in the chapter. A follower that needs entries the leader no longer has receives the snapshot through InstallSnapshot, then the entries after it.",
  },
]);

const QUEUES = chapter("06-queues", [
  {
    id: "queues-lag-shows-a-burst-absorbed",
    anchor: "1-why-a-queue-a-burst-absorbed",
    tags: ["queues"],
    question:
      "What does a queue between two services buy, and which number shows whether the consumer keeps up?",
    answer:
      "The sides no longer need to be up at the same time or run at the same speed: a burst of 625 records beyond the mailer's capacity waited in the log and drained in 4.2 s while the producer never slowed. The number is consumer lag: flat means it keeps up, a bump that drains is a burst absorbed, a line that keeps climbing is a consumer too slow on average.",
  },
  {
    id: "queues-kafka-order-per-partition",
    anchor: "2-the-log-topics-partitions-offsets-and-keys",
    tags: ["kafka", "ordering"],
    question: "How does Kafka keep messages in order?",
    answer:
      "Only within a partition. The default partitioner hashes the key (murmur2, sign bit cleared, modulo the partition count), so the same key always lands in the same partition and per-key order holds. In the chapter 0 of 100 users saw orders out of order with keys and all 100 did with round-robin; there is no order across partitions.",
  },
  {
    id: "queues-java-abs-hashcode-partitioner",
    anchor: "where-the-seeds-sketch-goes-wrong",
    tags: ["kafka", "hashing"],
    question:
      "What is wrong with choosing a partition as Math.abs(key.hashCode()) % partitions in Java?",
    answer:
      "Math.abs(Integer.MIN_VALUE) is still negative, so a key like 'polygenelubricants' gets a negative partition and the lookup throws. It is also not Kafka's partitioner (they agree on about a quarter of keys), so producers would disagree about where a key lives. Kafka masks the sign bit (hash & 0x7fffffff) instead.",
  },
  {
    id: "queues-offsets-are-not-indexes",
    anchor: "where-the-seeds-sketch-goes-wrong",
    tags: ["kafka"],
    question: "Why can a log not store partitions as lists and read offsets as list indexes?",
    answer:
      "Retention deletes the head of the log, after which index and offset differ: in the chapter list index 3 held offset 8, so a consumer resuming at offset 3 by index would skip records silently. A broker keeps a log start offset and reads by offset; an offset before it is an error, and a Kafka consumer then resets by auto.offset.reset.",
  },
  {
    id: "queues-compaction-keeps-latest-per-key",
    anchor: "3-retention-and-compaction",
    tags: ["kafka", "retention"],
    question: "What does log compaction keep, and what is it for?",
    answer:
      "The latest record of each key, indefinitely (20 of 1,000 balance updates in the chapter), so the topic is a table of current values a new consumer can rebuild from offset 0. Offsets keep their gaps and the end offset does not change, so committed offsets stay valid. Time retention, by contrast, deletes everything older than the limit.",
  },
  {
    id: "queues-consumers-per-partition",
    anchor: "4-consumer-groups-and-rebalancing",
    tags: ["kafka", "consumer-groups"],
    question: "How many consumers in one group can usefully read a topic?",
    answer:
      "At most one per partition: each partition is owned by exactly one member, so extra members sit idle. Choose the partition count for the parallelism you will need, because adding partitions later moves keys to other partitions.",
  },
  {
    id: "queues-eager-vs-cooperative-rebalance",
    anchor: "4-consumer-groups-and-rebalancing",
    tags: ["kafka", "consumer-groups"],
    question: "What is the difference between an eager and a cooperative rebalance?",
    answer:
      "An eager rebalance stops every partition of the group at every membership change (6 partitions paused for one join in the chapter). Cooperative-sticky moves as few partitions as sticky does and stops only those (1 partition for 100 ms on the join), at the price of a second round when a live member must give one up.",
  },
  {
    id: "queues-at-most-vs-at-least-once",
    anchor: "5-delivery-guarantees",
    tags: ["delivery"],
    question: "What decides whether a log consumer is at-most-once or at-least-once?",
    answer:
      "The order of processing and committing the offset. Commit then process, and a crash loses the rest of the batch (103 of 1,000 messages lost in the chapter); process then commit, and a crash processes the batch again (77 duplicates). At-least-once with an idempotent consumer is the common choice.",
  },
  {
    id: "queues-exactly-once-is-about-effects",
    anchor: "5-delivery-guarantees",
    tags: ["delivery", "idempotency"],
    question: "How is exactly-once processing actually built on top of a message log?",
    answer:
      "Delivery over a network is at-least-once at best, so exactly-once is a property of effects: record progress and output together. Either read-process-write, where outputs go through an idempotent producer and input offsets commit in the same transaction, or an idempotent consumer that stores the message id with its effect and skips repeats. Both gave 0 lost and 0 duplicated in the chapter.",
  },
  {
    id: "queues-idempotent-producer",
    anchor: "the-idempotent-producer",
    tags: ["kafka", "idempotency"],
    question: "What does Kafka's idempotent producer prevent, and how?",
    answer:
      "Duplicates from resends after a lost acknowledgement: the producer numbers its sends per partition (producer id and sequence number) and the broker drops a number it has already appended. In the chapter 85 lost acknowledgements became 85 duplicated records with a plain producer and none with the idempotent one.",
  },
  {
    id: "queues-poison-message-dead-letter",
    anchor: "poison-messages-and-the-dead-letter-topic",
    tags: ["failure"],
    question: "What is a poison message, and how do you keep it from blocking a partition?",
    answer:
      "A message that fails every time (a malformed payload, a bug); a log consumer may not skip it without committing past it, so retrying forever blocks its partition (only 50 of 100 messages processed, 1,996 failed attempts). Retry a few times, write it to a dead-letter topic with headers saying where it came from, commit past it and go on.",
  },
  {
    id: "queues-lag-growing-pause-does-not-help",
    anchor: "back-pressure",
    tags: ["back-pressure"],
    question: "A consumer's lag keeps growing. Does pausing the consumer fix it?",
    answer:
      "No: pausing bounds the consumer's memory (120 records buffered against 2,219) but the lag is the same, because the consumer is slower than the producers on average. Add consumers up to the partition count, make processing faster or batch it; the backlog belongs in the log, which is on disk and replicated.",
  },
  {
    id: "queues-acks-all-min-insync",
    anchor: "6-replication-what-acks-buys",
    tags: ["kafka", "replication"],
    question: "With acks=all, can an acknowledged record still be lost?",
    answer:
      "Yes, with min.insync.replicas=1: a leader cut off from its followers is the whole in-sync set, so 'all' means one copy, and in the chapter an unclean election then lost 222 acknowledged records. With min.insync.replicas=2 the isolated leader refused writes instead, and no acknowledged record was lost even with unclean elections. The usual setting is replication factor 3, acks=all, min.insync.replicas=2, no unclean election.",
  },
  {
    id: "queues-visibility-timeout",
    anchor: "7-the-work-queue-beside-the-log",
    tags: ["sqs", "delivery"],
    question: "In a work queue such as SQS, what happens to a message whose consumer crashes?",
    answer:
      "A received message is hidden for the visibility timeout; if it is not acknowledged in time it becomes visible again and another consumer receives it, with a higher receive count, and after maxReceives it goes to a dead-letter queue. Acknowledging after processing repeats effects (30 in the chapter's runs); acknowledging before loses messages (67).",
  },
  {
    id: "queues-log-or-work-queue",
    anchor: "kafka-vs-rabbitmq-vs-sqs-from-what-the-two-models-do",
    tags: ["kafka", "sqs"],
    question: "When do you choose a log (Kafka) over a work queue (RabbitMQ, SQS)?",
    answer:
      "A log when several systems consume the same events, when order per entity matters, when you need replay, or when volume is high: reading does not consume, and parallelism is per partition. A work queue for independent tasks that any worker may take, with per-message retries and dead-lettering; an acknowledged message is deleted and cannot be read again.",
  },
]);

const HASHING = chapter("07-hashing", [
  {
    id: "hashing-modulo-moves-keys",
    anchor: "modulo-balanced-and-unstable",
    tags: ["hashing"],
    question: "Why is hash(key) mod N a poor way to assign keys to servers that come and go?",
    answer:
      "Changing N remaps almost every key: going from N to N+1 servers moves about N/(N+1) of them, 75 % from 3 to 4 nodes and 90.9 % from 10 to 11 in the chapter's measurement. The least any scheme can move is the new node's fair share, 1/(N+1), and consistent hashing stays close to it.",
  },
  {
    id: "hashing-ring-assignment",
    anchor: "the-consistent-hash-ring",
    tags: ["hashing"],
    question: "How does a consistent hash ring assign keys, and what moves when a node joins?",
    answer:
      "Nodes and keys are hashed onto the same circle, and a key belongs to the first node point clockwise from it. A new node takes over only the arcs just before its points, so only those keys move, all of them to the new node: 24.75 % of keys going from 3 to 4 nodes, against a minimum of 25 %.",
  },
  {
    id: "hashing-virtual-nodes",
    anchor: "the-consistent-hash-ring",
    tags: ["hashing"],
    question: "Why do consistent hash rings give each node many virtual nodes?",
    answer:
      "With a few points per node the arcs vary a lot, so the load does too (three points each gave shares of 41 % and 28 %). The spread falls like one over the square root of the points per node: at 100 points the busiest node carried about 15 % more than average, at 1,000 about 4 %. Points cost memory and rebuild time; ketama uses 160.",
  },
  {
    id: "hashing-jump-hash",
    anchor: "jump-hash-and-rendezvous-hashing",
    tags: ["hashing"],
    question: "When would you use jump consistent hash rather than a ring?",
    answer:
      "When shards are numbered 0 to n-1: jump hash needs no memory, balances almost perfectly and moves the minimum on growth. But only the last bucket can be removed, so it does not fit a set of named servers that leave in any order.",
  },
  {
    id: "hashing-rendezvous",
    anchor: "jump-hash-and-rendezvous-hashing",
    tags: ["hashing"],
    question: "How does rendezvous (highest random weight) hashing work, and what does it cost?",
    answer:
      "Score every node for the key and pick the highest score. Removing a node moves only the keys it won (2,556 of 10,000 keys, all of them the removed node's). The price is that a lookup scores every node, O(n) against a ring's O(log n).",
  },
  {
    id: "hashing-replicas-next-clockwise",
    anchor: "replication-the-next-nodes-clockwise",
    tags: ["hashing", "replication"],
    question: "Where does a ring put a key's replicas, and what happens when a node fails?",
    answer:
      "On the first r distinct nodes clockwise, as Dynamo does. When a node fails, each key that had a replica there gets the next distinct node clockwise, which copies from a surviving replica, and other keys do not move. With 3 replicas on 6 nodes about half the keys lost a replica, and the repair work was spread over all the survivors.",
  },
  {
    id: "hashing-bounded-loads",
    anchor: "bounded-loads",
    tags: ["hashing", "hot-spots"],
    question: "What does consistent hashing with bounded loads guarantee, and at what price?",
    answer:
      "Each node gets a capacity of ceil((1 + epsilon) x average) keys, and a key whose owner is full goes to the next node clockwise with room, so no node exceeds the bound (1.05 x mean with epsilon 0.05, against 1.6 for the plain ring). The price is that more keys move when membership changes: 15.7 % on a join against 10.7 %.",
  },
  {
    id: "hashing-hot-key",
    anchor: "the-interview-angle",
    tags: ["hashing", "hot-spots"],
    question: "One key is very hot. Does consistent hashing help?",
    answer:
      "No: hashing balances keys, not load, and one key lives on one node. Replicate the hot key and spread its reads, split it into sub-keys, cache it in front, or bound loads so overflow spills to the next node.",
  },
  {
    id: "hashing-ketama",
    anchor: "talking-to-memcached-ketama",
    tags: ["hashing", "caching"],
    question: "Why must every memcached client build exactly the same ring?",
    answer:
      "Placement is computed by each client, so clients with different rings send the same key to different servers: misses and divergent copies. Ketama fixes the recipe: 160 points per server, taken four at a time from the MD5 digest of the server name and an index.",
  },
  {
    id: "hashing-point-collisions",
    anchor: "where-the-simple-sketch-goes-wrong",
    tags: ["hashing"],
    question: "What goes wrong when two ring points collide on the same 32-bit position?",
    answer:
      "Who owns the arc then depends on the order the servers were added, so two clients configured with the same servers in a different order disagree about some keys. The chance grows with the square of the number of points. Break ties deterministically, for example by server name, or use wider positions.",
  },
  {
    id: "hashing-math-abs-negative",
    anchor: "where-the-simple-sketch-goes-wrong",
    tags: ["hashing"],
    question: "Why is Math.abs(key.hashCode()) % n a latent bug in Java?",
    answer:
      "Math.abs(Integer.MIN_VALUE) is Integer.MIN_VALUE, because +2147483648 does not fit in 32 bits, so a key with that hash code gets a negative bucket and the lookup crashes, rarely and in production. Use Math.floorMod or mask the sign bit (hash & 0x7fffffff); String.hashCode also mixes poorly compared with MurmurHash3.",
  },
]);

const ELECTION = chapter("08-election", [
  {
    id: "election-safety-and-liveness",
    anchor: "",
    tags: ["election"],
    question: "What must a leader election guarantee, and why is it hard?",
    answer:
      "Safety: at most one leader acting at a time, which in practice means at most one per term plus something that stops an old leader from doing harm. Liveness: a new leader within bounded time after a crash. It is hard because a follower cannot tell a crashed leader from a slow or cut-off one, and a paused leader cannot tell that time passed.",
  },
  {
    id: "election-bully-algorithm",
    anchor: "what-an-election-costs",
    tags: ["election", "bully"],
    question:
      "How does the bully algorithm elect a coordinator, and how many messages does it cost?",
    answer:
      "A node that suspects the coordinator sends ELECTION to every higher-ranked node; a live higher node answers and starts its own election, and a node that gets no answer declares itself coordinator to everyone, so the highest live node wins. It costs n messages when the second-highest notices first and n(n-1) when the lowest does (20 for five nodes).",
  },
  {
    id: "election-bully-split-brain",
    anchor: "bully-under-a-partition-two-coordinators",
    tags: ["election", "bully"],
    question: "Is the bully algorithm safe under a network partition?",
    answer:
      "No: the minority side stops hearing the coordinator and elects its own highest node, so there are two coordinators for as long as the partition lasts (split brain). It assumes a perfect failure detector, which timeouts cannot provide, and has no term or epoch with which anyone could reject the old coordinator's orders.",
  },
  {
    id: "election-raft-one-leader-per-term",
    anchor: "2-raft-one-leader-per-term",
    tags: ["election", "raft"],
    question: "Why does Raft have at most one leader per term?",
    answer:
      "Each server grants at most one vote per term and a candidate needs a majority; two majorities of the same cluster share a server, which voted only once. Every message carries the term, so receivers reject anything from an older reign.",
  },
  {
    id: "election-cut-off-raft-leader",
    anchor: "the-cut-off-old-leader",
    tags: ["election", "raft"],
    question:
      "A cut-off Raft leader still believes it leads while a new one is elected. Why is that harmless?",
    answer:
      "Believing is not enough to do anything: a write counts only when committed, and committing needs a majority to store the entry in the leader's term, which the old leader cannot reach. Its uncommitted entry was overwritten after the heal. Check-quorum shortens the overlap (from 1,551 ms to 169 ms on average) but cannot remove it.",
  },
  {
    id: "election-fencing-token",
    anchor: "3-leases-and-fencing-tokens",
    tags: ["election", "leases"],
    question: "Why is a lease not enough to keep two leaders from writing, and what fixes it?",
    answer:
      "A leader can pause (GC, VM stall) between checking its lease and its write reaching the resource, past the lease's end, and then write as if it still led; no timeout fixes this because the pause can always be longer. A fencing token, a number that grows with every grant, travels with each write, and the resource rejects any token lower than the highest it has seen.",
  },
  {
    id: "election-lease-needs-drift-bound",
    anchor: "clock-drift",
    tags: ["election", "leases", "clocks"],
    question: "Why is a lease safe only under a bound on clock drift?",
    answer:
      "The holder times its lease on its own clock and the store on another. A holder whose clock ran at half speed trusted a 300 ms lease for 600 ms of real time, and two leaders acted at once. A holder should trust only ttl x (1 - b) / (1 + b) of its own clock, counted from before the request, and fencing makes a broken bound survivable.",
  },
  {
    id: "election-zookeeper-recipe",
    anchor: "4-the-zookeeper-recipe",
    tags: ["election", "zookeeper"],
    question: "Describe the ZooKeeper leader-election recipe.",
    answer:
      "Each candidate creates an ephemeral, sequential znode under the election path; the one with the lowest sequence number leads, and each other candidate watches the znode just below its own. When the leader's session ends its znode is deleted and only the next candidate is notified. The sequence number doubles as a fencing token.",
  },
  {
    id: "election-herd-effect",
    anchor: "predecessor-watches-versus-the-herd",
    tags: ["election", "zookeeper"],
    question: "What is the herd effect in ZooKeeper elections, and how is it avoided?",
    answer:
      "If every candidate watches the leader's znode, its deletion wakes all n - 1 candidates, who all list the children at once for one of them to win: 93 messages for 20 candidates. Watching only the predecessor wakes one candidate: 3 messages whatever the number of candidates.",
  },
  {
    id: "election-failover-is-a-timeout",
    anchor: "the-session-timeout-decides-failover",
    tags: ["election", "timeouts"],
    question: "What dominates failover time, and what does shortening it cost?",
    answer:
      "The timeout that detects the crash (heartbeat, election timeout, lease ttl or session timeout): with a 300 ms ZooKeeper session, 99 % of the time from crash to new leader was the timeout. A shorter timeout fails over faster but deposes leaders that were only slow, for example in a garbage-collection pause.",
  },
  {
    id: "election-deadline-not-flag",
    anchor: "a-deadline-not-a-flag",
    tags: ["election", "leases"],
    question: "Why should 'I am the leader' be a deadline rather than a flag?",
    answer:
      "A leader cut off from the service cannot hear that it was deposed, so a flag stays true: two candidates believed they led for 700 ms. A deadline on the holder's own clock (send time of the last acknowledged ping plus the session timeout) ends before the server expires the session: the leader stopped after 260 ms and nobody else had started.",
  },
  {
    id: "election-which-approach",
    anchor: "when-to-use-which-the-interview-angle",
    tags: ["election"],
    question:
      "A service needs exactly one instance doing some job. Which election approach do you use?",
    answer:
      "Usually a lease on a linearizable store (etcd, ZooKeeper, Consul) plus fencing tokens checked by the resource: it reuses consensus someone else runs and fails over in about one ttl. If you already run Raft or Paxos, its leader is your leader and its decisions count once committed. The bully algorithm is for teaching or small trusted networks only.",
  },
]);

const INTERVIEW = [
  ...chapter("09-interview", [
    {
      id: "interview-checklist-order",
      anchor: "the-checklist",
      tags: ["checklist"],
      question: "In what order does the interview checklist take its decisions?",
      answer:
        "Consistency, partitioning, ordering, coordination, delivery, hot spots, latency, availability. Each answer narrows the next: strong consistency, for example, decides that availability comes from majority quorums and that the latency target must fit a quorum round trip.",
    },
    {
      id: "interview-cp-or-ap-per-operation",
      anchor: "the-checklist",
      tags: ["checklist", "cap"],
      question: "Should the system be CP or AP?",
      answer:
        "Decide per operation, not per system: balances, uniqueness checks and locks need linearizability and refuse on the minority side of a partition; counters, feeds and carts can answer everywhere and merge later. Mention PACELC: strong consistency costs a quorum round trip even when nothing is broken.",
    },
    {
      id: "interview-exactly-once",
      anchor: "the-checklist",
      tags: ["checklist", "delivery"],
      question: "The requirements say 'process each message exactly once'. What do you build?",
      answer:
        "At-least-once delivery plus deduplicated effects: an idempotency key, or a producer id and sequence number, stored atomically with the effect so a repeat is recognised. No network delivers exactly once; exactly-once is a property of effects.",
    },
    {
      id: "interview-quorum-latency-check",
      anchor: "when-requirements-fight",
      tags: ["checklist", "latency"],
      question: "How do you check whether strong consistency fits a p99 latency target?",
      answer:
        "A linearizable write needs at least one round trip to a majority, so compare twice the one-way latency between the replicas that must agree with the target. With replicas 40 ms apart one way, a quorum costs 80 ms, which does not fit a 50 ms p99: say the tension aloud and choose local reads, closer replicas or weaker consistency for that operation.",
    },
    {
      id: "interview-four-nines-with-quorums",
      anchor: "when-requirements-fight",
      tags: ["checklist", "availability"],
      question: "What does 'four nines' allow, and how does it sit with majority quorums?",
      answer:
        "99.99 % allows about 52.6 minutes of downtime per year. Majority quorums of 2f + 1 replicas survive f failures, but the minority side of a partition stops answering, so a strongly consistent design with a four-nines target is a tension to state and budget, for example with replicas in three zones.",
    },
    {
      id: "interview-back-of-the-envelope-rate",
      anchor: "numbers-before-boxes",
      tags: ["estimation"],
      question: "How do you turn daily active users into requests per second?",
      answer:
        "Users times operations per user per day, divided by 86,400 seconds, gives the average rate; multiply by a peak-to-average factor (2 to 10, often 3) for the peak. For example 10 million users with 10 writes a day is about 1,160 writes per second on average and about 3,500 at peak. Storage is writes times bytes times retention times replication.",
    },
  ]),
  ...chapter("09a-like-counter", [
    {
      id: "interview-like-counter",
      anchor: "",
      tags: ["worked-problem", "crdt"],
      question: "Design the like counter of a social feed: which consistency, and which data type?",
      answer:
        "AP: every replica accepts likes locally and replicas merge a PN-counter CRDT (per-replica entries, merged by maximum), so no like is lost and counts converge after a partition. What you give up: a count read can be stale, and no decision may depend on an exact count. A read-modify-write counter would lose concurrent likes.",
    },
  ]),
  ...chapter("09b-payment-ledger", [
    {
      id: "interview-payment-ledger",
      anchor: "",
      tags: ["worked-problem", "consensus"],
      question: "Design a payment ledger: what are the key choices?",
      answer:
        "CP: each account's operations go through a consensus log (Raft) sharded by account, with majority quorums so f of 2f + 1 replicas may fail and a minority side refuses. Every payment carries an idempotency key that the state machine stores with its result, so a retry after a lost reply does not charge twice. Pay the quorum round trip on every write.",
    },
  ]),
  ...chapter("09c-causal-chat", [
    {
      id: "interview-causal-chat",
      anchor: "",
      tags: ["worked-problem", "causal"],
      question:
        "In a group chat, how do you keep a reply from appearing before the message it answers?",
      answer:
        "Causal delivery: each message carries what its sender had seen (a vector clock, or a sequence number per conversation), and a replica or client holds a message back until its dependencies are delivered. No total order is needed; concurrent messages may show in different orders. Vector clocks grow with the number of writers, which is why a per-conversation sequence is the common production answer.",
    },
  ]),
  ...chapter("09d-distributed-cache", [
    {
      id: "interview-distributed-cache",
      anchor: "",
      tags: ["worked-problem", "hashing"],
      question: "Design a distributed cache: placement, replication and hot keys?",
      answer:
        "Place keys with a consistent hash ring with virtual nodes, so adding a node moves about 1/(n+1) of the keys instead of almost all of them. Put replicas on the next distinct nodes clockwise. For hot keys, bound loads so overflow spills to the next node, or replicate and split the hot key.",
    },
  ]),
  ...chapter("09e-job-scheduler", [
    {
      id: "interview-job-scheduler",
      anchor: "",
      tags: ["worked-problem", "leases"],
      question: "Design a job scheduler where each job runs once, on a single active leader.",
      answer:
        "Elect the scheduler with a lease on a linearizable store, timed as a deadline on its own clock from before the request, and attach the lease's fencing token to every write to the job store, which rejects lower tokens. A paused old leader is then refused. Make jobs idempotent as well, since a failover can start a job twice.",
    },
  ]),
  ...chapter("09f-order-pipeline", [
    {
      id: "interview-order-pipeline",
      anchor: "",
      tags: ["worked-problem", "queues"],
      question:
        "Design an order pipeline that handles each order's events in order and charges once.",
      answer:
        "A partitioned log keyed by order id gives per-order order; a consumer group spreads partitions over up to one consumer per partition. Effects are made exactly once by deduplicating on order or message id (or a transactional read-process-write), producers are idempotent, and records are written with acks=all and min.insync.replicas=2. Poison messages go to a dead-letter topic.",
    },
  ]),
];

/** Every card, grouped by chapter in chapter order (at least 8 per chapter 01-08). */
export const FLASHCARDS: readonly Flashcard[] = [
  ...FALLACIES,
  ...TIME,
  ...CAP,
  ...CONSISTENCY,
  ...CONSENSUS,
  ...QUEUES,
  ...HASHING,
  ...ELECTION,
  ...INTERVIEW,
];

/** Ids, tags: lowercase words and digits joined by single dashes. */
const KEBAB_CASE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Checks a deck of cards: ids kebab-case and unique, question and answer non-empty, tags kebab-case,
 * the link's page a page id. Throws a RangeError naming the first bad card.
 */
export function checkFlashcards(cards: readonly Flashcard[]): void {
  const seen = new Set<string>();
  for (const card of cards) {
    if (!KEBAB_CASE.test(card.id)) {
      throw invalidArgument("flashcard id", "a kebab-case slug such as cap-pacelc", card.id);
    }
    if (seen.has(card.id)) throw invalidArgument("flashcard id", "unique ids", card.id);
    seen.add(card.id);
    if (card.question.trim() === "") {
      throw invalidArgument(`question of flashcard ${card.id}`, "non-empty text", card.question);
    }
    if (card.answer.trim() === "") {
      throw invalidArgument(`answer of flashcard ${card.id}`, "non-empty text", card.answer);
    }
    if (!/^\d{2}[a-i]?-[a-z0-9][a-z0-9-]*$/.test(card.link.page)) {
      throw invalidArgument(
        `page of flashcard ${card.id}`,
        "a page id such as 03-cap",
        card.link.page,
      );
    }
    for (const tag of card.tags) {
      if (!KEBAB_CASE.test(tag)) {
        throw invalidArgument(`tag of flashcard ${card.id}`, "a kebab-case tag", tag);
      }
    }
  }
}

/** The cards of one page, in deck order (empty for a page without cards). */
export function flashcardsOfPage(page: string): readonly Flashcard[] {
  return FLASHCARDS.filter((card) => card.link.page === page);
}

/** The card with this id; throws, naming the id, when there is none. */
export function flashcardById(id: string): Flashcard {
  const card = FLASHCARDS.find((candidate) => candidate.id === id);
  if (card === undefined)
    throw invalidArgument("flashcard id", "the id of a card in FLASHCARDS", id);
  return card;
}

/**
 * The site path of a card's section, e.g. "/docs/chapters/03-cap#pacelc-the-trade-off-you-pay-every-day"
 * (chapter pages live under /docs/chapters/<page id>).
 */
export function flashcardSectionPath(link: SectionLink): string {
  return `/docs/chapters/${link.page}${link.anchor === "" ? "" : `#${link.anchor}`}`;
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "\t": "&#9;",
  "\r": "&#13;",
  "\n": "<br>",
};
const HTML_UNESCAPES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(HTML_ESCAPES).map(([raw, escaped]) => [escaped, raw]),
);

/**
 * Text as one field of Anki's tab-separated import with HTML on: markup characters and quotes
 * become entities (so the field can never start a quoted CSV field), a newline becomes `<br>`, and
 * tabs and carriage returns become character references, so no field separator or line break can
 * leak into the file. `unescapeAnkiField` inverts it exactly.
 *
 * @example
 * escapeAnkiField('a < b\tand "c"'); // "a &lt; b&#9;and &quot;c&quot;"
 */
export function escapeAnkiField(text: string): string {
  return text.replace(/[&<>"'\t\r\n]/g, (char) => HTML_ESCAPES[char] ?? char);
}

/** The inverse of `escapeAnkiField`: `unescapeAnkiField(escapeAnkiField(s)) === s` for every s. */
export function unescapeAnkiField(field: string): string {
  return field.replace(
    /&(?:amp|lt|gt|quot|#39|#9|#13);|<br>/g,
    (token) => HTML_UNESCAPES[token] ?? token,
  );
}

/** Options of `flashcardsToAnki`. */
export interface AnkiExportOptions {
  /** The site's absolute URL, e.g. "https://distsys.example.org"; links point under it. */
  readonly siteUrl: string;
  /** The deck the cards go to. Default "distsys". */
  readonly deck?: string;
}

/** The file headers, in order, that `flashcardsToAnki` writes before the cards. */
export function ankiFileHeaders(deck: string): readonly string[] {
  return [
    "#separator:tab",
    "#html:true",
    "#notetype:Basic",
    `#deck:${deck}`,
    "#guid column:1",
    "#tags column:4",
  ];
}

/**
 * The cards as a file for Anki's text import (File > Import; Anki 2.1.55 or later reads the
 * headers): one line per card, four tab-separated fields: a stable guid ("distsys-" + id, so
 * importing again updates the notes instead of duplicating them), the question (Front), the answer
 * with a link to its section on the site (Back), and the tags.
 *
 * @example
 * const text = flashcardsToAnki(FLASHCARDS, { siteUrl: "https://distsys.example.org" });
 * text.split("\n")[0]; // "#separator:tab"
 */
export function flashcardsToAnki(cards: readonly Flashcard[], options: AnkiExportOptions): string {
  requireKnownOptions("flashcardsToAnki options", options, ["siteUrl", "deck"]);
  const siteUrl = options.siteUrl;
  if (typeof siteUrl !== "string" || !/^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(siteUrl)) {
    throw invalidArgument(
      "siteUrl",
      "an absolute http(s) URL such as https://distsys.example.org",
      siteUrl,
    );
  }
  const deck = options.deck ?? "distsys";
  if (typeof deck !== "string" || deck.trim() === "" || /[\t\r\n]/.test(deck)) {
    throw invalidArgument("deck", "a non-empty deck name without tabs or line breaks", deck);
  }
  checkFlashcards(cards);
  const base = siteUrl.replace(/\/+$/, "");
  const lines = cards.map((card) => {
    const path = flashcardSectionPath(card.link);
    const back = `${escapeAnkiField(card.answer)}<br><br><a href="${escapeAnkiField(base + path)}">${escapeAnkiField(path)}</a>`;
    const fields = [
      `distsys-${card.id}`,
      escapeAnkiField(card.question),
      back,
      card.tags.join(" "),
    ];
    assert(
      fields.every((field) => !/[\t\r\n]/.test(field)),
      "no tab or line break inside a field",
    );
    return fields.join("\t");
  });
  return `${[...ankiFileHeaders(deck), ...lines].join("\n")}\n`;
}
