// The chapter's table of contents as data: the eight fallacies (Deutsch 1994, Gosling's eighth
// 1997) and the four challenges, each with the experiment in this folder that shows it.

/** One fallacy of distributed computing and the experiment that shows it. */
export interface FallacyEntry {
  /** 1 to 8, in the traditional order. */
  readonly number: number;
  /** The false belief, as it is usually quoted. */
  readonly fallacy: string;
  /** What goes wrong in the experiment when the belief is acted on. */
  readonly consequence: string;
  /** What the experiment shows working instead. */
  readonly remedy: string;
  /** The exported function that runs it. */
  readonly experiment: string;
}

/** One challenge of distributed systems and the experiment that shows it. */
export interface ChallengeEntry {
  readonly challenge: string;
  readonly consequence: string;
  readonly experiment: string;
}

/**
 * The eight fallacies, each with its experiment.
 *
 * @remarks The list is usually credited to Deutsch and Gosling together; it grew in steps at Sun:
 * Bill Joy and Tom Lyon named the first four, Peter Deutsch added three (1994), and James Gosling
 * the eighth (about 1997). None of them is a law of nature; each is a default assumption that
 * code makes when nobody decides otherwise.
 *
 * @example
 * FALLACIES.map((f) => `${f.number}. ${f.fallacy}: ${f.experiment}`);
 */
export const FALLACIES: readonly FallacyEntry[] = [
  {
    number: 1,
    fallacy: "The network is reliable",
    consequence: "a payment retried after a lost reply is charged twice",
    remedy: "an idempotency key the server keeps in stable storage",
    experiment: "runPaymentExperiment",
  },
  {
    number: 2,
    fallacy: "Latency is zero",
    consequence:
      "a timeout at the median round trip fires on half the requests to a healthy server",
    remedy: "timeouts from the tail (p99, p99.9), and knowing what they cost",
    experiment: "runTimeoutExperiment",
  },
  {
    number: 3,
    fallacy: "Bandwidth is infinite",
    consequence: "past the link's capacity, throughput stops growing and delay grows without bound",
    remedy: "send no faster than the link carries: backpressure, batching, compression",
    experiment: "runBandwidthExperiment",
  },
  {
    number: 4,
    fallacy: "The network is secure",
    consequence: "an attacker on the wire changes a transfer's amount and the bank applies it",
    remedy: "a MAC (HMAC-SHA-256) over the message under a shared key",
    experiment: "runTamperExperiment",
  },
  {
    number: 5,
    fallacy: "Topology doesn't change",
    consequence: "a client with a cached instance list keeps calling a decommissioned node",
    remedy: "service discovery: refresh the view from a registry",
    experiment: "runTopologyExperiment",
  },
  {
    number: 6,
    fallacy: "There is one administrator",
    consequence:
      "one team lengthens the heartbeat interval, another's timeout now declares healthy nodes dead",
    remedy: "settings that travel with the data, or one source of truth for shared settings",
    experiment: "runConfigDriftExperiment",
  },
  {
    number: 7,
    fallacy: "Transport cost is zero",
    consequence: "one request per item costs 25x the messages and round trips of batches",
    remedy: "batching, with its own cost in delay and blast radius",
    experiment: "runTransportCostExperiment",
  },
  {
    number: 8,
    fallacy: "The network is homogeneous",
    consequence: "a v1 node rejects, or silently misreads, a v2 message",
    remedy: "tolerant readers for optional fields, version negotiation for changes of meaning",
    experiment: "runMixedVersionExperiment",
  },
];

/**
 * The four challenges, each with its experiment.
 *
 * @example
 * CHALLENGES.map((c) => c.challenge); // ["Partial failure", "No global clock", ...]
 */
export const CHALLENGES: readonly ChallengeEntry[] = [
  {
    challenge: "Partial failure",
    consequence: "a crash, a pause, a lost reply and a slow link all look like one timeout",
    experiment: "comparePartialFailures",
  },
  {
    challenge: "No global clock",
    consequence:
      "a clock 20 ms behind stamps causally later writes as older; last-writer-wins drops them",
    experiment: "runClockSkewExperiment",
  },
  {
    challenge: "Unreliable network",
    consequence: "messages are lost, duplicated and reordered",
    experiment: "runUnreliableNetworkExperiment",
  },
  {
    challenge: "Concurrency",
    consequence: "two clients' read-modify-write increments overwrite each other",
    experiment: "runLostUpdateExperiment",
  },
];
