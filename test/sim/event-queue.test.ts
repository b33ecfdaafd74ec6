// The event queue pops in (timeMs, seq) order, whatever the insertion order.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventQueue } from "../../src/sim/event-queue.js";
import { assertProperty } from "../support/property.js";

describe("EventQueue (binary heap)", () => {
  it("pops events sorted by time, then by sequence number", () => {
    assertProperty(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 300 }), (times) => {
        const queue = new EventQueue<{ timeMs: number; seq: number }>();
        times.forEach((timeMs, seq) => queue.push({ timeMs, seq }));
        const popped: { timeMs: number; seq: number }[] = [];
        for (let event = queue.pop(); event !== undefined; event = queue.pop()) popped.push(event);
        const expected = times.map((timeMs, seq) => ({ timeMs, seq }));
        expected.sort((a, b) => a.timeMs - b.timeMs || a.seq - b.seq);
        expect(popped).toEqual(expected);
        expect(queue.size).toBe(0);
      }),
    );
  });

  it("interleaved pushes and pops keep the order", () => {
    assertProperty(
      fc.property(
        fc.array(fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined })),
        (ops) => {
          const queue = new EventQueue<{ timeMs: number; seq: number }>();
          const model: { timeMs: number; seq: number }[] = [];
          let seq = 0;
          for (const op of ops) {
            if (op === undefined) {
              model.sort((a, b) => a.timeMs - b.timeMs || a.seq - b.seq);
              expect(queue.pop()).toEqual(model.shift());
            } else {
              const event = { timeMs: op, seq: seq++ };
              queue.push(event);
              model.push(event);
            }
            expect(queue.size).toBe(model.length);
          }
        },
      ),
    );
  });
});
