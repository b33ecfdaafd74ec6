// The page side of runnable cells: one session per chapter page owns the page's worker (created
// on the first Run, so the transpiler and the library never load with the page), runs cells one
// at a time in page order, runs earlier cells first when they have not run in the current scope
// (as "run all above" would in Jupyter), enforces the time limit by terminating the worker, and
// routes each output to its cell.

import type { CellOutput } from "./outputs";
import type { FromWorker, ToWorker } from "./protocol";

/** A cell that does not finish in this time is stopped and the page's scope is reset. */
export const CELL_TIME_LIMIT_MS = 10_000;
/** Loading the worker (transpiler and library) on a slow connection. */
const WORKER_LOAD_LIMIT_MS = 60_000;

/** What a cell shows: its notebook outputs, waiting, running, or the result of a live run. */
export type CellState = "recorded" | "idle" | "queued" | "running" | "ok" | "error";

/** The session's handle on one rendered cell. */
export interface CellView {
  /** 1-based position among the page's code cells. */
  readonly number: number;
  getCode(): string;
  setState(state: CellState, detail?: { executionCount?: number; durationMs?: number }): void;
  clearOutputs(): void;
  addOutput(output: CellOutput): void;
}

type RunResult = "ok" | "error" | "stopped" | "reset";

interface PendingRun {
  readonly runId: number;
  readonly view: CellView;
  readonly finish: (result: RunResult, durationMs?: number) => void;
}

export class ChapterSession {
  private readonly cells = new Map<number, CellView>();
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  /** Rejects `ready` when the worker is reset while it loads, so queued runs do not wait. */
  private abortLoading: ((error: Error) => void) | null = null;
  /** Cells that ran (with or without an error) in the current worker's scope. */
  private readonly ranInScope = new Set<number>();
  private chain: Promise<void> = Promise.resolve();
  private runIdNext = 1;
  private pending: PendingRun | null = null;
  /** Receives output that arrives after its run finished (from timers): the last cell run. */
  private lastView: CellView | null = null;
  private executionCount = 0;
  /** Incremented by every reset; queued runs of an older generation do not start. */
  private generation = 0;

  constructor(readonly chapter: string) {}

  register(view: CellView): void {
    this.cells.set(view.number, view);
  }

  unregister(view: CellView): void {
    if (this.cells.get(view.number) === view) this.cells.delete(view.number);
    if (this.cells.size === 0) this.reset();
  }

  /** Runs a cell, after the earlier cells that have not run in the current scope. */
  run(number: number): Promise<void> {
    const target = this.cells.get(number);
    if (target === undefined) return Promise.resolve();
    target.setState("queued");
    const generation = this.generation;
    this.chain = this.chain
      .then(() => this.runWithPrerequisites(number, generation))
      .catch((error: unknown) => {
        // Keep the queue alive whatever happened; say it in the cell that was asked to run.
        target.addOutput({ output_type: "error", ename: "", evalue: String(error) });
        target.setState("error");
      });
    return this.chain;
  }

  /** Restarts the worker: a fresh scope; outputs on the page stay as they are. */
  reset(): void {
    this.generation++;
    this.ranInScope.clear();
    this.executionCount = 0;
    this.lastView = null;
    this.worker?.terminate();
    this.worker = null;
    this.ready = null;
    this.abortLoading?.(new Error("the page scope was reset while the cell runtime loaded"));
    this.abortLoading = null;
    const pending = this.pending;
    this.pending = null;
    pending?.finish("reset");
    for (const view of this.cells.values()) view.setState("idle");
  }

  private async runWithPrerequisites(number: number, generation: number): Promise<void> {
    const target = this.cells.get(number);
    if (target === undefined || generation !== this.generation) return;
    const earlier = [...this.cells.keys()]
      .filter((n) => n < number && !this.ranInScope.has(n))
      .sort((a, b) => a - b);
    for (const n of earlier) {
      const view = this.cells.get(n) as CellView;
      const result = await this.runOne(view, generation);
      if (result === "reset") return;
      if (result !== "ok") {
        target.clearOutputs();
        target.addOutput({
          output_type: "error",
          ename: "",
          evalue:
            result === "stopped"
              ? `not run: cell ${n}, which runs first, was stopped`
              : `not run: cell ${n}, which runs first, failed; fix it and run again`,
        });
        target.setState("error");
        return;
      }
    }
    await this.runOne(target, generation);
  }

  private startWorker(): Promise<void> {
    if (this.ready !== null) return this.ready;
    const worker = new Worker(new URL("./worker.ts", import.meta.url), {
      name: `distsys cells: ${this.chapter}`,
    });
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      this.abortLoading = reject;
      const timer = setTimeout(
        () =>
          reject(new Error(`the cell runtime did not load in ${WORKER_LOAD_LIMIT_MS / 1000} s`)),
        WORKER_LOAD_LIMIT_MS,
      );
      worker.addEventListener("message", (event: MessageEvent<FromWorker>) => {
        if (event.data.type === "ready") {
          clearTimeout(timer);
          this.abortLoading = null;
          resolve();
        } else {
          this.receive(event.data);
        }
      });
      worker.addEventListener("error", (event) => {
        clearTimeout(timer);
        event.preventDefault();
        reject(new Error(`the cell runtime failed to load: ${event.message || "network error"}`));
      });
    });
    return this.ready;
  }

  private receive(message: FromWorker): void {
    if (message.type === "output") {
      const view =
        this.pending !== null && this.pending.runId === message.runId
          ? this.pending.view
          : this.lastView;
      view?.addOutput(message.output);
    } else if (message.type === "done" && this.pending?.runId === message.runId) {
      this.pending.finish(message.ok ? "ok" : "error", message.durationMs);
    }
  }

  private async runOne(view: CellView, generation: number): Promise<RunResult> {
    if (generation !== this.generation) return "reset";
    view.clearOutputs();
    view.setState("running");
    try {
      await this.startWorker();
    } catch (error) {
      if (generation !== this.generation) return "reset";
      view.addOutput({ output_type: "error", ename: "", evalue: (error as Error).message });
      view.setState("error");
      this.reset();
      return "error";
    }
    if (generation !== this.generation || this.worker === null) return "reset";
    const worker = this.worker;
    const runId = this.runIdNext++;
    const { result, durationMs } = await new Promise<{ result: RunResult; durationMs?: number }>(
      (resolve) => {
        const timer = setTimeout(() => this.pending?.finish("stopped"), CELL_TIME_LIMIT_MS);
        this.pending = {
          runId,
          view,
          finish: (result, durationMs) => {
            clearTimeout(timer);
            this.pending = null;
            resolve(durationMs === undefined ? { result } : { result, durationMs });
          },
        };
        const message: ToWorker = {
          type: "run",
          runId,
          cellNumber: view.number,
          code: view.getCode(),
        };
        worker.postMessage(message);
      },
    );
    if (result === "reset") return "reset";
    if (result === "stopped") {
      // The worker is stuck in the cell: only terminating it stops the loop.
      this.reset();
      view.addOutput({
        output_type: "error",
        ename: "",
        evalue: `stopped after ${CELL_TIME_LIMIT_MS / 1000} s: the cell did not finish; the page scope was reset`,
      });
      view.setState("error");
      return "stopped";
    }
    this.lastView = view;
    this.executionCount++;
    // A cell that ran and failed has run, as in Jupyter: what it defined before the error stays.
    this.ranInScope.add(view.number);
    view.setState(result, {
      executionCount: this.executionCount,
      ...(durationMs === undefined ? {} : { durationMs }),
    });
    return result;
  }
}

const sessions = new Map<string, ChapterSession>();

/** The session of a chapter page (one per chapter id, created on first use). */
export function chapterSession(chapter: string): ChapterSession {
  let session = sessions.get(chapter);
  if (session === undefined) {
    session = new ChapterSession(chapter);
    sessions.set(chapter, session);
  }
  return session;
}
