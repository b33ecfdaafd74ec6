// The cell worker: one per chapter page, holding the page's shared scope. It loads the transpiler
// and the distsys library (bundled from src/ for the browser), runs cells one at a time and posts
// their output back: console lines as stream text, show() bundles as display data, the value of
// the last expression printed as tslab prints it (console.log, unless null or undefined), errors
// with their line in the cell. The page terminates the worker to stop a cell or reset the scope.

import * as library from "@site/src/index";
import type { CellOutput } from "./outputs";
import { format } from "./inspect";
import { CellCompileError, cellLineFromStack, LIBRARY_SPECIFIERS, prepareCell } from "./transform";
import type { FromWorker, ToWorker } from "./protocol";

interface WorkerScope {
  postMessage(message: FromWorker): void;
  addEventListener(type: "message", listener: (event: { data: ToWorker }) => void): void;
  addEventListener(
    type: "unhandledrejection",
    listener: (event: { reason: unknown; preventDefault(): void }) => void,
  ): void;
  addEventListener(
    type: "error",
    listener: (event: { error: unknown; message: string; preventDefault(): void }) => void,
  ): void;
}

// Captured now: a cell may declare a top-level name that shadows any global of the worker.
const scope = globalThis as unknown as WorkerScope & Record<string, unknown>;
const post = scope.postMessage.bind(scope) as (message: FromWorker) => void;
const defineProperty = Object.defineProperty;
const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const indirectEval = eval;
const clock = performance;
const now = (): number => clock.now();

/** Output limits per run: a cell that prints in a loop must not flood the page. */
const OUTPUTS_PER_RUN_MAX = 2_000;
const OUTPUT_CHARS_PER_RUN_MAX = 1_000_000;

/** The run that receives output; late output (from timers) goes to the last run. */
let currentRunId = 0;
let currentCellNumber = 0;
let outputsThisRun = 0;
let charsThisRun = 0;
let truncated = false;
/** Names the cells have declared so far: own properties of the global object. */
const declared = new Set<string>();

function emit(output: CellOutput): void {
  if (truncated) return;
  const chars =
    output.output_type === "stream"
      ? output.text.length
      : output.output_type === "display_data"
        ? Object.values(output.data).reduce((sum, text) => sum + text.length, 0)
        : output.evalue.length;
  outputsThisRun++;
  charsThisRun += chars;
  if (outputsThisRun > OUTPUTS_PER_RUN_MAX || charsThisRun > OUTPUT_CHARS_PER_RUN_MAX) {
    truncated = true;
    post({
      type: "output",
      runId: currentRunId,
      output: {
        output_type: "error",
        ename: "",
        evalue: `output truncated: a cell may print at most ${OUTPUTS_PER_RUN_MAX} outputs or ${OUTPUT_CHARS_PER_RUN_MAX} characters per run`,
      },
    });
    return;
  }
  post({ type: "output", runId: currentRunId, output });
}

function stream(name: "stdout" | "stderr", args: unknown[]): void {
  emit({ output_type: "stream", name, text: format(...args) + "\n" });
}

// Node's console: log, info and debug write to stdout; warn, error and trace to stderr.
const cellConsole = {
  log: (...args: unknown[]) => stream("stdout", args),
  info: (...args: unknown[]) => stream("stdout", args),
  debug: (...args: unknown[]) => stream("stdout", args),
  dir: (value: unknown) => stream("stdout", [value]),
  table: (value: unknown) => stream("stdout", [value]),
  warn: (...args: unknown[]) => stream("stderr", args),
  error: (...args: unknown[]) => stream("stderr", args),
  trace: (...args: unknown[]) => stream("stderr", ["Trace: " + format(...args)]),
  assert: (condition: unknown, ...args: unknown[]) => {
    if (!condition)
      stream("stderr", ["Assertion failed" + (args.length > 0 ? ": " + format(...args) : "")]);
  },
};
Object.assign(globalThis.console, cellConsole);

library.setDisplaySink((bundle) => {
  emit({ output_type: "display_data", data: { ...bundle } });
});

/** `require` inside a cell: the library under its notebook names, anything else is an error. */
function cellRequire(specifier: string): unknown {
  if (LIBRARY_SPECIFIERS.includes(specifier)) return library;
  throw new Error(
    `cells on this site can import only the distsys library ("../dist/index.js" or "distsys"), got "${specifier}"`,
  );
}

/** Makes each declared name an own, writable property of the global object (shadowing any). */
function declare(names: readonly string[]): void {
  for (const name of names) {
    if (declared.has(name)) continue;
    const existing = getOwnPropertyDescriptor(globalThis, name);
    if (existing !== undefined && existing.configurable === false && existing.writable !== true) {
      throw new CellCompileError(
        "SyntaxError",
        `cannot declare "${name}" at the top level of a cell: it is a fixed global of the browser`,
        undefined,
      );
    }
    if (existing === undefined || existing.configurable === true) {
      defineProperty(globalThis, name, {
        value: undefined,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
    declared.add(name);
  }
}

function errorOutput(error: unknown, sourceUrl: string): CellOutput {
  if (error instanceof CellCompileError) {
    return {
      output_type: "error",
      ename: error.ename,
      evalue: error.message,
      ...(error.line === undefined ? {} : { line: error.line }),
    };
  }
  if (error instanceof Error) {
    const line = cellLineFromStack(error.stack, sourceUrl);
    return {
      output_type: "error",
      ename: error.name,
      evalue: error.message,
      ...(line === undefined ? {} : { line }),
    };
  }
  return { output_type: "error", ename: "Uncaught", evalue: format(error) };
}

async function run(runId: number, cellNumber: number, code: string): Promise<void> {
  currentRunId = runId;
  currentCellNumber = cellNumber;
  outputsThisRun = 0;
  charsThisRun = 0;
  truncated = false;
  const startedMs = now();
  const sourceUrl = `distsys-cell-${cellNumber}.ts`;
  let ok = true;
  try {
    const prepared = prepareCell(code, cellNumber);
    declare(prepared.names);
    const cell = indirectEval(prepared.script) as (
      scope: object,
      library: object,
      require: (specifier: string) => unknown,
    ) => Promise<unknown>;
    const value = await cell(globalThis, library, cellRequire);
    // tslab prints the last expression with console.log when it is neither null nor undefined.
    if (value !== null && value !== undefined) stream("stdout", [value]);
  } catch (error) {
    ok = false;
    emit(errorOutput(error, sourceUrl));
  }
  post({ type: "done", runId, ok, durationMs: now() - startedMs });
}

scope.addEventListener("message", (event) => {
  const message = event.data;
  if (message.type === "run") void run(message.runId, message.cellNumber, message.code);
});

// Errors thrown later (in a timer or a forgotten promise) still reach the reader, in the last cell.
scope.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  emit(errorOutput(event.reason, `distsys-cell-${currentCellNumber}.ts`));
});
scope.addEventListener("error", (event) => {
  event.preventDefault();
  emit(
    errorOutput(event.error ?? new Error(event.message), `distsys-cell-${currentCellNumber}.ts`),
  );
});

post({ type: "ready" });
