// Messages between a chapter page and its cell worker (see worker.ts and session.ts).
import type { CellOutput } from "./outputs";

/** Page to worker: run one cell's code in the shared scope. */
export type ToWorker = {
  readonly type: "run";
  readonly runId: number;
  /** The cell's number on the page (1-based), used to name it in stack traces. */
  readonly cellNumber: number;
  readonly code: string;
};

/** Worker to page. */
export type FromWorker =
  | { readonly type: "ready" }
  | { readonly type: "output"; readonly runId: number; readonly output: CellOutput }
  | {
      readonly type: "done";
      readonly runId: number;
      readonly ok: boolean;
      readonly durationMs: number;
    };
