// Pictures of Raft runs for the chapter: per-server log tables, the Figure 8 script with a log
// table after each step, and a role timeline (Ongaro and Ousterhout 2014, §5.2 and §5.4.2).

import {
  InvariantViolation,
  assert,
  invalidArgument,
  requireIntegerAtLeast,
  requireNumberAtLeast,
} from "../../sim/assert.js";
import { escapeMermaidText } from "../../sim/text.js";
import { type RaftFigure8Step, raftFigure8 } from "./figure8.js";
import type { RaftHarness } from "./harness.js";
import type { RaftLogEntry, RaftRole } from "./types.js";

/** One server's row in a log table. */
export interface RaftLogRow {
  /** The harness's node id ("s0" is server 0), or a name given by the caller. */
  readonly server: string;
  readonly role: RaftRole | "crashed";
  readonly currentTerm: number;
  readonly commitIndex: number;
  /**
   * The term of each entry, index 1 first: "1 2 2" is three entries of terms 1, 2 and 2. Raft's
   * own entries are marked: "2n" is a leader's no-op of term 2, "2c" a configuration change.
   * Entries compacted into a snapshot are not shown.
   */
  readonly logTerms: string;
}

function entryText(entry: RaftLogEntry): string {
  if (entry.kind === "noop") return `${entry.term}n`;
  if (entry.kind === "config") return `${entry.term}c`;
  return String(entry.term);
}

/**
 * Each server's role, term, commit index and log (as entry terms), in server order; `names[i]`
 * (default the node id `s<i>`) labels server i.
 */
export function raftLogRows(h: RaftHarness, names?: readonly string[]): RaftLogRow[] {
  if (names !== undefined && names.length !== h.servers) {
    throw invalidArgument("names", `${h.servers} names, one per server`, names);
  }
  const rows: RaftLogRow[] = [];
  for (let i = 0; i < h.servers; i++) {
    const server = h.server(i);
    const name = names?.[i] ?? `s${i}`;
    rows.push(
      server === undefined
        ? {
            server: name,
            role: "crashed",
            currentTerm: h.getState(i).term,
            commitIndex: 0,
            logTerms: "",
          }
        : {
            server: name,
            role: server.role,
            currentTerm: server.currentTerm,
            commitIndex: server.commitIndex,
            logTerms: server.log.map(entryText).join(" "),
          },
    );
  }
  return rows;
}

/**
 * A step of {@link raftFigure8WithLogs}: the script's step letter, its leader (harness index), term
 * and note when the script returned them, and every server's log after the step.
 */
export interface RaftFigure8Snapshot {
  readonly step: RaftFigure8Step["step"];
  /** Undefined for the steps of a run the checker stopped (the script returned nothing). */
  readonly detail: RaftFigure8Step | undefined;
  readonly logs: readonly RaftLogRow[];
}

/** What {@link raftFigure8WithLogs} saw. */
export interface RaftFigure8Run {
  /** The steps completed, each with its log table. */
  readonly steps: readonly RaftFigure8Snapshot[];
  /** The logs at the end: after step (d), or at the moment the checker threw. */
  readonly final: readonly RaftLogRow[];
  /** The invariant violation's message, or undefined if the run stayed safe. */
  readonly violation: string | undefined;
}

const FIGURE8_STEPS: readonly RaftFigure8Step["step"][] = ["a", "b", "c", "d"];

/**
 * Plays {@link raftFigure8} on `h` and takes a log table at each step it records. An invariant
 * violation (with `unsafeCommitOldTerms`) ends the run and is returned, not thrown, so a notebook
 * cell can show it; any other error is thrown.
 *
 * @example
 * const h = new RaftHarness({ servers: 5, seed: 1, unsafeCommitOldTerms: true });
 * raftFigure8WithLogs(h).violation; // "Raft leader completeness violated (seed 1): ..."
 */
export function raftFigure8WithLogs(h: RaftHarness): RaftFigure8Run {
  const logs: RaftLogRow[][] = [];
  // raftFigure8 reads the harness's getState only when it records a step, so the log table is
  // taken at that moment. Other methods are bound to the harness itself: their own calls to
  // getState are not seen.
  const watched = new Proxy(h, {
    get(target, property) {
      if (property === "getState") {
        return (server: number) => {
          logs.push(raftLogRows(target));
          return target.getState(server);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as () => unknown).bind(target) : value;
    },
  });
  let recorded: RaftFigure8Step[] | undefined;
  let violation: string | undefined;
  try {
    recorded = raftFigure8(watched);
  } catch (error: unknown) {
    if (!(error instanceof InvariantViolation)) throw error;
    violation = error.message;
  }
  if (recorded !== undefined) assert(logs.length === recorded.length, "one log table per step");
  assert(logs.length <= FIGURE8_STEPS.length, "Figure 8 has four steps");
  const names = figure8Names(logs);
  const rename = (rows: readonly RaftLogRow[]): RaftLogRow[] =>
    rows
      .map((row, i) => ({ ...row, server: names[i] ?? row.server }))
      .sort((a, b) => (a.server < b.server ? -1 : 1));
  const steps = logs.map((rows, i) => ({
    step: FIGURE8_STEPS[i] as RaftFigure8Step["step"],
    detail: recorded?.[i],
    logs: rename(rows),
  }));
  return { steps, final: rename(raftLogRows(h)), violation };
}

/**
 * The paper's names for the harness's servers, read from the first two log tables: S1 led in (a)
 * and S2 is the next server (as the script picks it), S5 is the leader of the highest term in (b),
 * S3 and S4 the other two. Labels are "S1 = s4" (paper name = node id).
 */
function figure8Names(logs: readonly (readonly RaftLogRow[])[]): string[] {
  const ids = Array.from({ length: 5 }, (_, i) => `s${i}`);
  const leaderOf = (rows: readonly RaftLogRow[] | undefined): number => {
    let best = -1;
    rows?.forEach((row, i) => {
      if (row.role !== "leader") return;
      if (best === -1 || row.currentTerm > (rows[best] as RaftLogRow).currentTerm) best = i;
    });
    return best;
  };
  const s1 = leaderOf(logs[0]);
  const s5 = leaderOf(logs[1]);
  if (s1 === -1 || s5 === -1) return ids;
  const paper = new Map<number, string>([
    [s1, "S1"],
    [(s1 + 1) % 5, "S2"],
    [s5, "S5"],
  ]);
  const rest = ["S3", "S4"];
  for (let i = 0; i < 5; i++) if (!paper.has(i)) paper.set(i, rest.shift() ?? "S?");
  return ids.map((id, i) => `${paper.get(i) ?? "S?"} = ${id}`);
}

/** One stretch of time in which a server kept the same role and term. */
export interface RaftRoleSpan {
  readonly server: number;
  readonly role: RaftRole | "crashed";
  readonly term: number;
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * Samples the role and term of every server of a harness while advancing it, and draws the result
 * as a table of spans or a Mermaid gantt chart (one row per server).
 *
 * @example
 * const h = new RaftHarness({ servers: 3, seed: 1 });
 * const timeline = new RaftRoleTimeline(h, 5);
 * timeline.advance(1_000);
 * timeline.spans(); // [{ server: 0, role: "follower", term: 0, fromMs: 0, toMs: ... }, ...]
 */
export class RaftRoleTimeline {
  private readonly open: (RaftRoleSpan | undefined)[];
  private readonly closed: RaftRoleSpan[] = [];

  /** Samples every `sampleMs` of virtual time (default 5 ms), starting now. */
  constructor(
    private readonly h: RaftHarness,
    private readonly sampleMs = 5,
  ) {
    requireNumberAtLeast("sampleMs", sampleMs, 1);
    this.open = Array.from({ length: h.servers }, () => undefined);
    this.sample();
  }

  /** Advances the harness by `ms` of virtual time, sampling as it goes. */
  advance(ms: number): void {
    requireIntegerAtLeast("ms", ms, 0);
    const end = this.h.now + ms;
    while (this.h.now < end) {
      this.h.advance(Math.min(this.sampleMs, end - this.h.now));
      this.sample();
    }
  }

  /** Takes a sample now (call after acting on the harness, e.g. a crash, to mark the moment). */
  sample(): void {
    const now = this.h.now;
    for (let i = 0; i < this.h.servers; i++) {
      const server = this.h.server(i);
      const role = server === undefined ? "crashed" : server.role;
      const term = server === undefined ? this.h.getState(i).term : server.currentTerm;
      const span = this.open[i];
      if (span !== undefined && span.role === role && span.term === term) {
        this.open[i] = { ...span, toMs: now };
        continue;
      }
      if (span !== undefined) this.closed.push({ ...span, toMs: now });
      this.open[i] = { server: i, role, term, fromMs: now, toMs: now };
    }
  }

  /** Every span so far, by server then time. */
  spans(): RaftRoleSpan[] {
    const all = [...this.closed, ...this.open.filter((s): s is RaftRoleSpan => s !== undefined)];
    return all.sort((a, b) => a.server - b.server || a.fromMs - b.fromMs);
  }

  /** The spans that are not plain followers: who stood, who led, in which term, and when. */
  elections(): RaftRoleSpan[] {
    return this.spans()
      .filter((span) => span.role !== "follower")
      .sort((a, b) => a.fromMs - b.fromMs || a.server - b.server);
  }

  /**
   * A Mermaid gantt chart: one section per server (S1..Sn), one bar per span labelled with role and
   * term; leaders are drawn as critical bars, candidates as active ones, crashed spans as done.
   */
  toMermaidGantt(title = "Raft roles over virtual time"): string {
    const lines = [
      "gantt",
      `  title ${escapeMermaidText(title)}`,
      "  dateFormat x",
      "  axisFormat %S.%L s",
    ];
    let section = -1;
    let id = 0;
    for (const span of this.spans()) {
      if (span.server !== section) {
        section = span.server;
        lines.push(`  section S${span.server + 1}`);
      }
      // Mermaid reads "dateFormat x" times as whole ms (a fraction is an invalid date), and a
      // zero-length bar does not draw: round, and show at least one sample's width.
      const fromMs = Math.round(span.fromMs);
      const toMs = Math.max(Math.round(span.toMs), fromMs + Math.ceil(this.sampleMs));
      const tag =
        span.role === "leader"
          ? "crit, "
          : span.role === "candidate"
            ? "active, "
            : span.role === "crashed"
              ? "done, "
              : "";
      lines.push(`  ${span.role} t${span.term} :${tag}r${id++}, ${fromMs}, ${toMs}`);
    }
    return lines.join("\n");
  }
}
