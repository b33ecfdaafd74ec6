// `npm run bench`: prints every benchmark figure of distsys with its goal and the machine.
// Figures are measured, never asserted; README's benchmark section records them.

import os from "node:os";
import { capCheckTime, capMessagesPerOperation, capOperationsPerSecond } from "./cap.js";
import { type VectorClockFigures, vectorClockFigures } from "./clocks.js";
import { abdThroughput, comparisonTableFigure, merkleDiffFigures } from "./consistency.js";
import { electionComparisonTime } from "./election.js";
import { paymentRuns, timeoutExperiment } from "./fallacies.js";
import { cheatSheetTime, choiceExperimentsTime, recommendThroughput } from "./interview.js";
import { type LookupFigures, buildFigure, lookupFigures, remapFigure } from "./hashing.js";
import {
  etcd002Figure,
  etcdAllFigure,
  partitionFigure,
  registerFigure,
} from "./linearizability.js";
import { multiPaxosThroughput, paxosFuzzRate, paxosMessagesPerDecision } from "./paxos.js";
import {
  raftBatchedThroughput,
  raftCommitThroughput,
  raftEventRateRatio,
  raftFuzzRate,
  raftKvThroughput,
  raftLightLoad,
} from "./raft.js";
import { type QueueFigures, queueFigures } from "./queue.js";
import { type Figure, allToAllPing, bareEventLoop, heartbeatCluster } from "./sim.js";

const quick = process.argv.includes("--quick");
const scale = quick ? 0.1 : 1;

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const memoryGiB = Math.round(os.totalmem() / 2 ** 30);
  return `${cpu}, ${os.cpus().length} cores, ${memoryGiB} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

function format(figure: Figure): string {
  // Small figures (ratios, "x budget") keep two decimals; large ones are whole numbers.
  const fractionDigits = Math.abs(figure.value) < 100 ? 2 : 0;
  const value = figure.value.toLocaleString("en-US", {
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  });
  const goal =
    figure.goal === undefined
      ? "no goal, for reference"
      : `goal >= ${figure.goal.toLocaleString("en-US")} (${figure.value >= figure.goal ? "meets" : "BELOW"})`;
  return `${figure.name.padEnd(66)} ${value.padStart(11)} ${figure.unit.padEnd(11)} ${goal}; ${figure.detail}`;
}

// The lookup figures share one run over the same keys, so their ratios compare like with like.
let hashingLookups: LookupFigures | undefined;
const lookups = (): LookupFigures =>
  (hashingLookups ??= lookupFigures(Math.round(1_000_000 * scale)));

// The three queue figures share one run over the same messages.
let queueRun: QueueFigures | undefined;
const queue = (): QueueFigures => (queueRun ??= queueFigures(Math.round(1_000_000 * scale)));

// The dense, Map and ratio figures of one node count come from one run over the same operations.
const clockRuns = new Map<number, VectorClockFigures>();
const clocks = (nodesCount: number, opsCount: number): VectorClockFigures => {
  let figures = clockRuns.get(nodesCount);
  if (figures === undefined) {
    figures = vectorClockFigures(nodesCount, Math.round(opsCount * scale));
    clockRuns.set(nodesCount, figures);
  }
  return figures;
};

// Both Merkle figures come from one pair of trees.
let merkleFigures: [Figure, Figure] | undefined;
const merkle = (): [Figure, Figure] => (merkleFigures ??= merkleDiffFigures(100_000));
const capRuns = Math.max(1, Math.round(50 * scale));

const steps: [string, () => Figure][] = [
  ["bare event loop", () => bareEventLoop(Math.round(5_000_000 * scale), false)],
  ["bare event loop, traced", () => bareEventLoop(Math.round(2_000_000 * scale), true)],
  ["all-to-all ping", () => allToAllPing(Math.round(400_000 * scale), false)],
  ["all-to-all ping, traced", () => allToAllPing(Math.round(100_000 * scale), true)],
  [
    "heartbeat cluster, every node",
    () => heartbeatCluster(Math.round(3_600_000 * 4 * scale), true),
  ],
  ["heartbeat cluster, leader", () => heartbeatCluster(Math.round(3_600_000 * 12 * scale), false)],
  ["chapter 1 payment runs", () => paymentRuns(Math.round(10_000 * scale))],
  ["chapter 1 timeout experiment", () => timeoutExperiment()],
  ["hashing: ring lookups (and the packages, jump)", () => lookups().ring],
  ["hashing: ring vs hashring", () => lookups().vsHashring],
  ["hashing: ring vs consistent-hash", () => lookups().vsConsistentHash],
  ["hashing: jump vs ring", () => lookups().jumpVsRing],
  ["hashing: ring build vs hashring", () => buildFigure(Math.round(200 * scale))],
  ["hashing: remap table", () => remapFigure(1_000_000)],
  ["clocks: vector clock ops, dense, 8 nodes", () => clocks(8, 1_000_000).dense],
  ["clocks: vector clock ops, Map, 8 nodes", () => clocks(8, 1_000_000).map],
  ["clocks: Map / dense, 8 nodes", () => clocks(8, 1_000_000).ratio],
  ["clocks: vector clock ops, dense, 64 nodes", () => clocks(64, 300_000).dense],
  ["clocks: vector clock ops, Map, 64 nodes", () => clocks(64, 300_000).map],
  ["clocks: Map / dense, 64 nodes", () => clocks(64, 300_000).ratio],
  ["cap: cpQuorum scenario runs", () => capOperationsPerSecond("cpQuorum", capRuns)],
  ["cap: apCrdt scenario runs", () => capOperationsPerSecond("apCrdt", capRuns)],
  ["cap: cpQuorum messages per operation", () => capMessagesPerOperation("cpQuorum")],
  ["cap: apCrdt messages per operation", () => capMessagesPerOperation("apCrdt")],
  ["cap: checking the cpQuorum history", () => capCheckTime("cpQuorum")],
  ["checker: register 10k, linearizable", () => registerFigure(true)],
  ["checker: register 10k, not linearizable", () => registerFigure(false)],
  ["checker: kv partitioned vs not", () => partitionFigure(quick ? 2_000 : 20_000)],
  ["checker: etcd_002", () => etcd002Figure()],
  ["checker: all etcd logs", () => etcdAllFigure()],
  ["consistency: ABD operations", () => abdThroughput(Math.round(60_000 * scale))],
  ["consistency: Merkle diff", () => merkle()[0]],
  ["consistency: Merkle diff vs full comparison", () => merkle()[1]],
  ["consistency: comparison table", () => comparisonTableFigure()],
  ["paxos: Multi-Paxos decisions", () => multiPaxosThroughput(Math.round(20_000 * scale))],
  ["paxos: messages per decision, single-decree", () => paxosMessagesPerDecision("single")],
  ["paxos: messages per decision, Multi-Paxos", () => paxosMessagesPerDecision("multi")],
  ["paxos: fuzz cases, single", () => paxosFuzzRate("single", Math.round(1_000 * scale))],
  ["paxos: fuzz cases, multi", () => paxosFuzzRate("multi", Math.round(1_000 * scale))],
  [
    "raft: committed entries, 1 AppendEntries per proposal",
    () => raftCommitThroughput(Math.round(50_000 * scale)),
  ],
  [
    "raft: committed entries, bursts of 1000",
    () => raftBatchedThroughput(Math.round(200_000 * scale), 1_000),
  ],
  ["raft: event rate vs bare event loop", () => raftEventRateRatio(Math.round(20_000 * scale))],
  [
    "raft: light load, 10 proposals/s for an hour",
    () => raftLightLoad(Math.round(3_600_000 * scale), 10),
  ],
  ["raft: fuzz cases", () => raftFuzzRate(Math.round(1_000 * scale), "Figure 2", {})],
  [
    "raft: fuzz cases, every extension",
    () =>
      raftFuzzRate(Math.round(1_000 * scale), "pre-vote, check-quorum, leases, membership", {
        preVote: true,
        leaseDriftBound: 0.01,
        membershipChanges: true,
      }),
  ],
  [
    "raft kv: operations, ReadIndex",
    () => raftKvThroughput(Math.round(20_000 * scale), "readIndex"),
  ],
  ["raft kv: operations, lease", () => raftKvThroughput(Math.round(20_000 * scale), "lease")],
  ["queue: end to end", () => queue().endToEnd],
  ["queue: yocto-queue", () => queue().yoctoQueue],
  ["queue: vs yocto-queue", () => queue().vsYoctoQueue],
  ["election: comparison of the four approaches", () => electionComparisonTime(quick ? 4 : 20)],
  ["interview: recommend", () => recommendThroughput(Math.round(1_000_000 * scale))],
  ["interview: choice experiments", () => choiceExperimentsTime()],
  ["interview: cheat sheet", () => cheatSheetTime()],
];

console.log(`distsys benchmarks on ${machine()}`);
// Warm up the JIT on a small run of each, so the figures measure steady state.
bareEventLoop(200_000, false);
allToAllPing(20_000, false);
heartbeatCluster(600_000, true);
abdThroughput(2_000);
raftCommitThroughput(2_000);
steps.forEach(([label, run], index) => {
  process.stderr.write(`[${index + 1}/${steps.length}] ${label}...\n`);
  console.log(format(run()));
});
