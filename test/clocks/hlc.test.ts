// Hybrid logical clocks: the send/local and receive rules of Figure 5, case by case.
// Reference: Kulkarni, Demirbas, Madeppa, Avva, Leone, "Logical Physical Clocks", OPODIS 2014,
// Figure 5.

import { describe, expect, it } from "vitest";
import {
  HybridLogicalClock,
  compareHlcTimestamps,
  formatHlcTimestamp,
} from "../../src/clocks/index.js";
import { expectRangeError } from "./support.js";

/** An HLC over a physical clock the test sets by hand. */
function manualClock(startMs: number): { hlc: HybridLogicalClock; set: (ms: number) => void } {
  let pt = startMs;
  return { hlc: new HybridLogicalClock(() => pt), set: (ms) => (pt = ms) };
}

describe("Figure 5, send or local event", () => {
  it("l follows physical time when it moves, with c reset to 0", () => {
    const { hlc, set } = manualClock(10);
    expect(hlc.tick()).toEqual({ l: 10, c: 0 });
    set(11);
    expect(hlc.tick()).toEqual({ l: 11, c: 0 });
  });

  it("c counts events while physical time stands still (or goes backwards)", () => {
    const { hlc, set } = manualClock(10);
    hlc.tick();
    expect(hlc.tick()).toEqual({ l: 10, c: 1 });
    set(7);
    expect(hlc.tick()).toEqual({ l: 10, c: 2 });
  });
});

describe("Figure 5, receive event of message m", () => {
  it("l = l' = l.m: c = max(c, c.m) + 1", () => {
    const { hlc } = manualClock(10);
    hlc.tick();
    expect(hlc.receive({ l: 10, c: 4 })).toEqual({ l: 10, c: 5 });
  });

  it("l = l' > l.m: c = c + 1", () => {
    const { hlc } = manualClock(10);
    hlc.tick();
    hlc.tick();
    expect(hlc.receive({ l: 3, c: 9 })).toEqual({ l: 10, c: 2 });
  });

  it("l = l.m > l': c = c.m + 1 (the sender's clock is ahead)", () => {
    const { hlc } = manualClock(10);
    expect(hlc.receive({ l: 25, c: 3 })).toEqual({ l: 25, c: 4 });
  });

  it("physical time ahead of both: l = pt, c = 0", () => {
    const { hlc, set } = manualClock(10);
    hlc.tick();
    set(40);
    expect(hlc.receive({ l: 30, c: 2 })).toEqual({ l: 40, c: 0 });
  });

  it("offsetMsMax rejects a timestamp too far ahead of the physical clock", () => {
    const hlc = new HybridLogicalClock(() => 100, { offsetMsMax: 50 });
    expect(hlc.receive({ l: 150, c: 0 })).toEqual({ l: 150, c: 1 });
    expectRangeError(() => hlc.receive({ l: 151, c: 0 }), "51 ms ahead", "offsetMsMax is 50");
  });
});

describe("HLC timestamps order by l, then c", () => {
  it("compares and formats", () => {
    expect(compareHlcTimestamps({ l: 5, c: 9 }, { l: 6, c: 0 })).toBeLessThan(0);
    expect(compareHlcTimestamps({ l: 6, c: 1 }, { l: 6, c: 0 })).toBeGreaterThan(0);
    expect(compareHlcTimestamps({ l: 6, c: 1 }, { l: 6, c: 1 })).toBe(0);
    expect(formatHlcTimestamp({ l: 1042, c: 3 })).toBe("1042:3");
  });

  it("errors name the bad value", () => {
    expectRangeError(() => new HybridLogicalClock(5 as unknown as () => number), "physicalNow");
    expectRangeError(() => new HybridLogicalClock(() => Number.NaN).tick(), "got NaN");
    expectRangeError(() => new HybridLogicalClock(() => 0).receive({ l: 1, c: -1 }), "remote.c");
    expectRangeError(
      () => new HybridLogicalClock(() => 0, { offsetMsMax: -1 }),
      "offsetMsMax must be a number >= 0",
    );
    expectRangeError(
      () => new HybridLogicalClock(() => 0, { maxOffset: 1 } as never),
      'unknown option "maxOffset"',
    );
  });
});
