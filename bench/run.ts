// `npm run bench`: prints every benchmark figure of distsys with its goal and the machine.
// Figures are measured, never asserted; README's benchmark section records them.

import os from "node:os";
import { paymentRuns, timeoutExperiment } from "./fallacies.js";
import { type LookupFigures, buildFigure, lookupFigures, remapFigure } from "./hashing.js";
import { type Figure, allToAllPing, bareEventLoop, heartbeatCluster } from "./sim.js";

const quick = process.argv.includes("--quick");
const scale = quick ? 0.1 : 1;

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const memoryGiB = Math.round(os.totalmem() / 2 ** 30);
  return `${cpu}, ${os.cpus().length} cores, ${memoryGiB} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

function format(figure: Figure): string {
  const value = Math.round(figure.value).toLocaleString("en-US");
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
];

console.log(`distsys benchmarks on ${machine()}`);
// Warm up the JIT on a small run of each, so the figures measure steady state.
bareEventLoop(200_000, false);
allToAllPing(20_000, false);
heartbeatCluster(600_000, true);
steps.forEach(([label, run], index) => {
  process.stderr.write(`[${index + 1}/${steps.length}] ${label}...\n`);
  console.log(format(run()));
});
