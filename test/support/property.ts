// Property-test helper: runs a fast-check property and, on failure, prints its seed and path with
// the one command that replays exactly that case (FC_SEED / FC_PATH are read back here;
// FC_NUM_RUNS=N runs every property N times for a deeper fuzz).

import path from "node:path";
import fc from "fast-check";
import { expect } from "vitest";

/** FC_NUM_RUNS overrides every property's run count, for a deeper fuzz by hand. */
function numRunsOverride(): { numRuns?: number } {
  const numRuns = Number(process.env.FC_NUM_RUNS);
  return Number.isInteger(numRuns) && numRuns > 0 ? { numRuns } : {};
}

function replayParameters(): { seed?: number; path?: string } {
  const seed = process.env.FC_SEED;
  if (seed === undefined || seed === "") return {};
  const replayPath = process.env.FC_PATH;
  return replayPath ? { seed: Number(seed), path: replayPath } : { seed: Number(seed) };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The shell command that re-runs the current test with the given fast-check seed and path. */
export function replayCommand(seed: number, counterexamplePath: string | null): string {
  const state = expect.getState();
  const file = path.relative(process.cwd(), state.testPath ?? "");
  const testName = (state.currentTestName ?? "").split(" > ").pop() ?? "";
  const pathPart = counterexamplePath ? ` FC_PATH=${counterexamplePath}` : "";
  return `FC_SEED=${seed}${pathPart} npx vitest run ${file} -t '${escapeRegExp(testName)}'`;
}

function failure<Ts>(details: fc.RunDetails<Ts>): Error {
  const report = fc.defaultReportMessage(details) ?? "property failed";
  const cause = details.errorInstance;
  const reason = cause instanceof Error ? `\n\nFailed with: ${cause.message}` : "";
  return new Error(
    `${report}${reason}\n\nReplay: ${replayCommand(details.seed, details.counterexamplePath)}`,
    { cause },
  );
}

function parametersFor<Ts>(parameters: fc.Parameters<Ts>): fc.Parameters<Ts> {
  return { ...parameters, ...numRunsOverride(), ...replayParameters() };
}

/**
 * Like `fc.assert`, but a failure message names the failed assertion and ends with the command
 * that replays the failing case.
 *
 * @example
 * assertProperty(fc.property(fc.integer(), (n) => n + 0 === n));
 */
export function assertProperty<Ts>(
  property: fc.IProperty<Ts>,
  parameters: fc.Parameters<Ts> = {},
): void {
  const details = fc.check(property, parametersFor(parameters));
  if (details.failed) throw failure(details);
}

/** The async form of {@link assertProperty}, for `fc.asyncProperty`. */
export async function assertAsyncProperty<Ts>(
  property: fc.IAsyncProperty<Ts>,
  parameters: fc.Parameters<Ts> = {},
): Promise<void> {
  const details = await fc.check(property, parametersFor(parameters));
  if (details.failed) throw failure(details);
}
