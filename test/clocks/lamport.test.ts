// Lamport clocks: IR1 (tick between events) and IR2 (receive: max + 1), the total order "=>".
// Reference: Lamport, "Time, Clocks, and the Ordering of Events in a Distributed System",
// CACM 21(7), 1978, §2-3.

import { describe, expect, it } from "vitest";
import { LamportClock, compareLamportTimestamps } from "../../src/clocks/index.js";
import { expectRangeError } from "./support.js";

describe("§3 IR1 and IR2", () => {
  it("tick counts each local event or send", () => {
    const clock = new LamportClock("A");
    expect([clock.tick(), clock.tick(), clock.time]).toEqual([1, 2, 2]);
  });

  it("receive moves past the sender's timestamp: max(local, remote) + 1", () => {
    const clock = new LamportClock("B", 3);
    expect(clock.receive(10)).toBe(11);
    expect(clock.receive(2)).toBe(12);
  });

  it("stamp attaches the node id", () => {
    expect(new LamportClock("C").stamp()).toEqual({ time: 1, node: "C" });
  });
});

describe("§3 the total order => breaks ties by node id", () => {
  it("orders by time, then node id", () => {
    const stamps = [
      { time: 2, node: "A" },
      { time: 1, node: "B" },
      { time: 1, node: "A" },
    ];
    expect(stamps.sort(compareLamportTimestamps)).toEqual([
      { time: 1, node: "A" },
      { time: 1, node: "B" },
      { time: 2, node: "A" },
    ]);
    expect(compareLamportTimestamps({ time: 1, node: "A" }, { time: 1, node: "A" })).toBe(0);
  });
});

describe("Lamport clock errors name the value", () => {
  it("bad node, start time and remote time", () => {
    expectRangeError(() => new LamportClock(""), "node must be a non-empty string");
    expectRangeError(() => new LamportClock("A", -1), "time must be an integer >= 0, got -1");
    expectRangeError(() => new LamportClock("A").receive(Number.NaN), "remote Lamport time");
    expectRangeError(
      () => compareLamportTimestamps({ time: 1, node: "A" }, { time: 0.5, node: "B" }),
      "b.time",
    );
  });
});
