// Back-of-the-envelope estimates: the arithmetic, its laws (linear in users, peak above average),
// the formatting, and clear errors for bad assumptions.

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import {
  backOfEnvelope,
  estimateRows,
  formatBytes,
  formatRate,
} from "../../src/interview/estimate.js";
import { assertProperty } from "../support/property.js";

describe("backOfEnvelope", () => {
  it("100 M users liking 10 posts a day: about 11.6k likes/s on average and 34.7k at a 3x peak", () => {
    const likes = backOfEnvelope({
      dailyActiveUsers: 100e6,
      writesPerUserPerDay: 10,
      bytesPerWrite: 64,
    });
    expect(likes.writesPerDay).toBe(1e9);
    expect(likes.writesPerSecondAverage).toBeCloseTo(11_574.07, 1);
    expect(likes.writesPerSecondPeak).toBeCloseTo(34_722.2, 1);
    // 64 GB a day, kept 365 days on 3 replicas: 70 TB.
    expect(likes.bytesPerDay).toBe(64e9);
    expect(likes.bytesStoredTotal).toBe(64e9 * 365 * 3);
    expect(likes.ingressBytesPerSecondPeak).toBeCloseTo((1e9 / 86_400) * 3 * 64 * 3, 3);
    expect(likes.readsPerSecondPeak).toBe(0);
  });

  it("reads scale with reads per write and the peak factor", () => {
    const feed = backOfEnvelope({
      dailyActiveUsers: 86_400,
      writesPerUserPerDay: 1,
      readsPerWrite: 100,
      peakToAverage: 5,
      bytesPerWrite: 1_000,
      bytesPerRead: 2_000,
      retentionDays: 30,
      replicationFactor: 1,
    });
    expect(feed.writesPerSecondAverage).toBe(1);
    expect(feed.readsPerSecondAverage).toBe(100);
    expect(feed.readsPerSecondPeak).toBe(500);
    expect(feed.egressBytesPerSecondPeak).toBe(1e6);
    expect(feed.bytesStoredTotal).toBe(86_400 * 1_000 * 30);
  });

  it("is linear in users, and the peak is never below the average", () => {
    assertProperty(
      fc.property(
        fc.integer({ min: 0, max: 1e9 }),
        fc.double({ min: 0, max: 1_000, noNaN: true }),
        fc.double({ min: 1, max: 20, noNaN: true }),
        fc.integer({ min: 0, max: 10_000 }),
        (users, writesPerUser, peak, bytes) => {
          const one = backOfEnvelope({
            dailyActiveUsers: users,
            writesPerUserPerDay: writesPerUser,
            peakToAverage: peak,
            bytesPerWrite: bytes,
          });
          const two = backOfEnvelope({
            dailyActiveUsers: 2 * users,
            writesPerUserPerDay: writesPerUser,
            peakToAverage: peak,
            bytesPerWrite: bytes,
          });
          expect(two.writesPerDay).toBeCloseTo(2 * one.writesPerDay, 6);
          expect(two.bytesStoredTotal).toBeCloseTo(2 * one.bytesStoredTotal, 0);
          expect(one.writesPerSecondPeak).toBeGreaterThanOrEqual(one.writesPerSecondAverage);
        },
      ),
    );
  });

  it("names the bad assumption", () => {
    const base = { dailyActiveUsers: 1, writesPerUserPerDay: 1, bytesPerWrite: 1 };
    expect(() => backOfEnvelope({ ...base, dailyActiveUsers: -1 })).toThrow(/dailyActiveUsers/);
    expect(() => backOfEnvelope({ ...base, peakToAverage: 0.5 })).toThrow(/peakToAverage/);
    expect(() => backOfEnvelope({ ...base, replicationFactor: 2.5 })).toThrow(
      /replicationFactor.*whole number/,
    );
    expect(() => backOfEnvelope({ ...base, usersPerDay: 5 } as never)).toThrow(/usersPerDay/);
  });
});

describe("formatting", () => {
  it("bytes in decimal units with three significant digits", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(999)).toBe("999 B");
    expect(formatBytes(1_234_567)).toBe("1.23 MB");
    expect(formatBytes(70.08e12)).toBe("70.1 TB");
    expect(() => formatBytes(-1)).toThrow(/bytes/);
  });

  it("rates with k, M and G suffixes", () => {
    expect(formatRate(0.5)).toBe("0.50");
    expect(formatRate(42.4)).toBe("42");
    expect(formatRate(34_722.2)).toBe("34.7k");
    expect(formatRate(2.5e6)).toBe("2.50M");
    expect(formatRate(7e9)).toBe("7.00G");
  });

  it("estimateRows gives the seven quantities with how each was computed", () => {
    const rows = estimateRows(
      backOfEnvelope({ dailyActiveUsers: 100e6, writesPerUserPerDay: 10, bytesPerWrite: 64 }),
    );
    expect(rows.map((row) => row.quantity)).toEqual([
      "writes/s (average)",
      "writes/s (peak)",
      "reads/s (peak)",
      "new data per day",
      "stored, all replicas",
      "ingress at peak",
      "egress at peak",
    ]);
    expect(rows[1]?.value).toBe("34.7k");
    expect(rows[4]?.value).toBe("70.1 TB");
  });
});
