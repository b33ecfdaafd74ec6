// The network model: per-link latency, loss, duplication, reordering, bandwidth and partitions.
// Fallacies 1-3 and 5 of distributed computing (Deutsch, 1994) are settings here, not accidents.

import { invalidArgument, requireProbability } from "./assert.js";
import type { Random } from "./random.js";
import type { LatencyModel, LinkOptions, NodeId } from "./types.js";

/** Network defaults when nothing is configured: 1 ms fixed latency, reliable, FIFO, unlimited. */
export const DEFAULT_LINK: Required<LinkOptions> = {
  latency: { kind: "fixed", ms: 1 },
  dropProbability: 0,
  duplicateProbability: 0,
  reorder: false,
  bandwidthBytesPerMs: Number.POSITIVE_INFINITY,
};

const Z_99 = 2.3263478740408408; // standard normal quantile at 0.99

/** Checks a latency model and throws a named error for a bad one. */
export function validateLatency(latency: LatencyModel, name = "latency"): LatencyModel {
  const nonNegative = (field: string, value: number) => {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw invalidArgument(`${name}.${field}`, "a finite number >= 0 (ms)", value);
    }
  };
  switch (latency.kind) {
    case "fixed":
      nonNegative("ms", latency.ms);
      return latency;
    case "uniform":
      nonNegative("minMs", latency.minMs);
      nonNegative("maxMs", latency.maxMs);
      if (latency.maxMs < latency.minMs) {
        throw invalidArgument(`${name}.maxMs`, `>= minMs (${latency.minMs})`, latency.maxMs);
      }
      return latency;
    case "longTail":
      if (!(latency.medianMs > 0) || !Number.isFinite(latency.medianMs)) {
        throw invalidArgument(`${name}.medianMs`, "a finite number > 0 (ms)", latency.medianMs);
      }
      if (!(latency.p99Ms >= latency.medianMs) || !Number.isFinite(latency.p99Ms)) {
        throw invalidArgument(
          `${name}.p99Ms`,
          `a finite number >= medianMs (${latency.medianMs})`,
          latency.p99Ms,
        );
      }
      return latency;
    default:
      throw invalidArgument(
        `${name}.kind`,
        'one of "fixed", "uniform", "longTail"',
        (latency as { kind: unknown }).kind,
      );
  }
}

/** Checks link options and throws a named error for the first bad field. */
export function validateLinkOptions(options: LinkOptions, name = "link"): LinkOptions {
  if (options.latency !== undefined) validateLatency(options.latency, `${name}.latency`);
  if (options.dropProbability !== undefined) {
    requireProbability(`${name}.dropProbability`, options.dropProbability);
  }
  if (options.duplicateProbability !== undefined) {
    requireProbability(`${name}.duplicateProbability`, options.duplicateProbability);
  }
  if (options.reorder !== undefined && typeof options.reorder !== "boolean") {
    throw invalidArgument(`${name}.reorder`, "true or false", options.reorder);
  }
  const bandwidth = options.bandwidthBytesPerMs;
  if (bandwidth !== undefined && !(typeof bandwidth === "number" && bandwidth > 0)) {
    throw invalidArgument(`${name}.bandwidthBytesPerMs`, "a number > 0 (or Infinity)", bandwidth);
  }
  return options;
}

/** Draws one latency sample in ms. */
export function sampleLatencyMs(latency: LatencyModel, random: Random): number {
  switch (latency.kind) {
    case "fixed":
      return latency.ms;
    case "uniform":
      return latency.minMs + random.next() * (latency.maxMs - latency.minMs);
    case "longTail": {
      const sigma = Math.log(latency.p99Ms / latency.medianMs) / Z_99;
      return latency.medianMs * Math.exp(sigma * random.normal());
    }
  }
}

/** Mutable state of one directed link. */
export class Link {
  // Effective settings: the network defaults overlaid with this link's own options.
  latency: LatencyModel;
  dropProbability: number;
  duplicateProbability: number;
  reorder: boolean;
  bandwidthBytesPerMs: number;
  /** This link's own options, kept so a later change of defaults can be re-applied under them. */
  own: LinkOptions = {};
  /** invariant: blocked links deliver nothing, neither new sends nor messages already in flight. */
  blocked = false;
  /** When the link finishes sending what is queued on it (bandwidth model). */
  busyUntilMs = 0;
  /** Latest scheduled arrival; FIFO links never schedule an arrival before it. */
  lastArrivalMs = 0;

  constructor(defaults: Required<LinkOptions>) {
    this.latency = defaults.latency;
    this.dropProbability = defaults.dropProbability;
    this.duplicateProbability = defaults.duplicateProbability;
    this.reorder = defaults.reorder;
    this.bandwidthBytesPerMs = defaults.bandwidthBytesPerMs;
  }

  apply(defaults: Required<LinkOptions>): void {
    this.latency = this.own.latency ?? defaults.latency;
    this.dropProbability = this.own.dropProbability ?? defaults.dropProbability;
    this.duplicateProbability = this.own.duplicateProbability ?? defaults.duplicateProbability;
    this.reorder = this.own.reorder ?? defaults.reorder;
    this.bandwidthBytesPerMs = this.own.bandwidthBytesPerMs ?? defaults.bandwidthBytesPerMs;
  }
}

/** The set of directed links between nodes, made on first use. */
export class Links {
  private defaults: Required<LinkOptions> = DEFAULT_LINK;
  private readonly byFrom = new Map<NodeId, Map<NodeId, Link>>();

  get(from: NodeId, to: NodeId): Link {
    let row = this.byFrom.get(from);
    if (row === undefined) {
      row = new Map();
      this.byFrom.set(from, row);
    }
    let link = row.get(to);
    if (link === undefined) {
      link = new Link(this.defaults);
      row.set(to, link);
    }
    return link;
  }

  /** Returns the link if it was ever used or configured. */
  find(from: NodeId, to: NodeId): Link | undefined {
    return this.byFrom.get(from)?.get(to);
  }

  setDefaults(options: LinkOptions): void {
    this.defaults = { ...this.defaults, ...definedOnly(options) };
    for (const row of this.byFrom.values()) {
      for (const link of row.values()) link.apply(this.defaults);
    }
  }

  getDefaults(): Required<LinkOptions> {
    return this.defaults;
  }

  configure(from: NodeId, to: NodeId, options: LinkOptions): void {
    const link = this.get(from, to);
    link.own = { ...link.own, ...definedOnly(options) };
    link.apply(this.defaults);
  }

  unblockAll(): void {
    for (const row of this.byFrom.values()) {
      for (const link of row.values()) link.blocked = false;
    }
  }
}

function definedOnly(options: LinkOptions): LinkOptions {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) out[key] = value;
  }
  return out as LinkOptions;
}
