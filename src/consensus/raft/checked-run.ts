// Running a Raft simulation with its safety checker after every event, until a condition holds or
// a virtual-time budget runs out (Ongaro and Ousterhout 2014, Figure 3: the properties checked).

import type { Message } from "../../sim/types.js";
import type { Simulation } from "../../sim/simulation.js";

/**
 * Runs `sim` until `done()` holds or `timeMs` of virtual time passed, calling `check()` after every
 * event (and once before the first). Returns whether `done()` held.
 */
export function runCheckedUntil<M extends Message>(
  sim: Simulation<M>,
  check: () => void,
  done: () => boolean,
  timeMs: number,
): boolean {
  const endMs = sim.now + timeMs;
  let ended = false;
  sim.at(endMs, () => {
    ended = true;
  });
  let result = false;
  sim.runUntil(
    () => {
      check();
      result = done();
      return result || ended;
    },
    { timeMsMax: timeMs + 1 },
  );
  return result;
}
