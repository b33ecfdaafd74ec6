// Dueling proposers: a fixed retry delay livelocks, randomised backoff gets a value chosen.
// Reference: Paxos Made Simple §2.4 (progress: "a distinguished proposer must be selected").

import { describe, expect, it } from "vitest";
import {
  PAXOS_DUEL_FIXED_RETRY,
  PAXOS_DUEL_RANDOM_RETRY,
  type PaxosBallot,
  ballotText,
  paxosDuelDemo,
  runPaxosDuel,
} from "../../../src/consensus/paxos/index.js";

describe("Paxos Made Simple §2.4 progress: two proposers can pre-empt each other forever", () => {
  it("with a fixed retry delay nothing is chosen in 2 s while both keep raising the ballot", () => {
    for (const seed of [1, 2, 3]) {
      const duel = runPaxosDuel({ retry: PAXOS_DUEL_FIXED_RETRY, seed, windowMs: 2_000 });
      expect(duel.chosen).toBeUndefined();
      expect(duel.chosenAtMs).toBeUndefined();
      expect(duel.attempts[0]).toBeGreaterThan(100);
      expect(duel.attempts[1]).toBeGreaterThan(100);
      expect(duel.roundMax).toBeGreaterThan(200);
      expect(duel.messages.byType.nack).toBeGreaterThan(200);
    }
  });

  it("each round of the livelock is the paper's story: prepare, pre-empted accept, retry", () => {
    const demo = paxosDuelDemo(1, 1_000, 30);
    // What a1 (1 ms from both proposers) receives first: p0's prepare, p1's higher prepare, then
    // p0's accept, which it refuses; then p0's retry pre-empts p1's accept the same way.
    const atA1 = demo.livelock.trace
      .filter((event) => event.kind === "deliver" && event.to === "a1")
      .slice(0, 6)
      .map((event) => {
        const message = (event as { message: { type: string; ballot?: PaxosBallot } }).message;
        return `${message.type} ${ballotText(message.ballot)}`;
      });
    expect(atA1).toEqual([
      "prepare 1.p0",
      "prepare 1.p1",
      "accept 1.p0",
      "prepare 2.p0",
      "accept 1.p1",
      "prepare 3.p1",
    ]);
    expect(demo.livelockDiagram).toContain("sequenceDiagram");
    expect(demo.livelockDiagram).toContain("participant P0 as p0");
    expect(demo.livelockDiagram).toContain(": nack");
    expect(demo.livelockDiagram).toContain("pre-empted");
  });

  it("randomised backoff (from ctx.random) ends the duel with a value chosen", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const duel = runPaxosDuel({ retry: PAXOS_DUEL_RANDOM_RETRY, seed, windowMs: 2_000 });
      expect(["x", "y"]).toContain(duel.chosen);
      expect(duel.chosenAtMs).toBeLessThan(500);
    }
  });

  it("paxosDuelDemo runs both halves from one seed", () => {
    const demo = paxosDuelDemo(4);
    expect(demo.livelock.chosen).toBeUndefined();
    expect(demo.fixed.chosen).toBeDefined();
    expect(demo.fixed.attempts[0] + demo.fixed.attempts[1]).toBeLessThan(
      demo.livelock.attempts[0] + demo.livelock.attempts[1],
    );
  });

  it("rejects a bad window", () => {
    expect(() => runPaxosDuel({ retry: PAXOS_DUEL_FIXED_RETRY, windowMs: -1 })).toThrow(
      "windowMs must be a finite number >= 0, got -1",
    );
  });
});
