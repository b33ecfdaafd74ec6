// The chapter's stories, as the text tells them: the reply seen before its post, the write that
// "higher value wins" loses, and session tokens across replicas.
// Reference: Lloyd et al. 2011 (COPS, the photo-and-comment example); DeCandia et al. 2007 (Dynamo
// siblings); Terry et al. 1994 (read your writes, monotonic reads).

import { describe, expect, it } from "vitest";
import {
  runConcurrentWritesScenario,
  runReplyBeforePostScenario,
  runSessionScenario,
} from "../../../src/index.js";

describe("the reply before the post", () => {
  it("without causal delivery Carol sees Bob's reply and not Alice's post, and the checker says why", () => {
    const run = runReplyBeforePostScenario({ causalDelivery: false });
    const carol = run.history.filter((op) => op.session === "carol");
    expect(carol.map((op) => op.values)).toEqual([["yes, see you there"], []]);
    expect(run.causal.violations).toHaveLength(1);
    expect(run.causal.violations[0]?.message).toBe(
      'carol#4 read post -> {} @C [t=55..65] returns nothing, yet alice#0 write post="lunch at noon?" ' +
        "@A [t=0..10] is in its causal past",
    );
    expect(run.sessions.violations.map((v) => v.guarantee)).toEqual(["writes-follow-reads"]);
  });

  it("with causal delivery replica C holds the reply back until the post is applied", () => {
    const run = runReplyBeforePostScenario({ causalDelivery: true });
    const carol = run.history.filter((op) => op.session === "carol");
    expect(carol.map((op) => op.values)).toEqual([[], []]);
    expect(run.causal.ok).toBe(true);
    expect(run.cluster.summary("C").keys).toEqual({
      post: ["lunch at noon?"],
      reply: ["yes, see you there"],
    });
  });
});

describe("concurrent writes: higher value wins against siblings", () => {
  it('"higher value wins" keeps "milk" everywhere and Bob\'s "eggs" is lost', () => {
    const run = runConcurrentWritesScenario({ conflicts: "higherValueWins" });
    expect(run.afterReplication).toEqual({ A: ["milk"], B: ["milk"] });
    expect(run.sessions.violations.map((v) => [v.guarantee, v.session])).toEqual([
      ["read-your-writes", "bob"],
    ]);
    expect(run.causal.violations.map((v) => v.pattern)).toEqual(["missing-causal-write"]);
  });

  it("siblings keep both writes, and Alice's write with their context merges them", () => {
    const run = runConcurrentWritesScenario({ conflicts: "siblings" });
    expect(run.afterReplication).toEqual({ A: ["eggs", "milk"], B: ["eggs", "milk"] });
    expect(run.afterMerge).toEqual({
      A: ["merged: eggs + milk"],
      B: ["merged: eggs + milk"],
      C: ["merged: eggs + milk"],
    });
    expect(run.causal.ok).toBe(true);
    expect(run.sessions.ok).toBe(true);
  });
});

describe("session guarantees through client tokens", () => {
  it("without tokens Alice misses her own write on B, sees it on A, then loses it on B", () => {
    const run = runSessionScenario({ sessionGuarantees: false });
    expect(run.history.map((op) => op.values ?? op.value)).toEqual([
      "v1: new photo",
      [],
      ["v1: new photo"],
      [],
    ]);
    expect(run.sessions.violations.map((v) => v.guarantee)).toEqual([
      "read-your-writes",
      "read-your-writes",
      "monotonic-reads",
    ]);
  });

  it("with tokens B waits until it has applied Alice's write", () => {
    const run = runSessionScenario({ sessionGuarantees: true });
    expect(run.history.map((op) => op.values ?? op.value)).toEqual([
      "v1: new photo",
      ["v1: new photo"],
      ["v1: new photo"],
      ["v1: new photo"],
    ]);
    expect(run.sessions.ok).toBe(true);
    expect(run.causal.ok).toBe(true);
  });

  it("with tokens and B cut off from the other replicas, the wait ends in a clear refusal", () => {
    const run = runSessionScenario({ sessionGuarantees: true, isolateB: true });
    const refused = run.history.filter((op) => op.status === "error");
    expect(refused.map((op) => op.error)).toEqual([
      "replica B has not applied the session token after 500 ms: missing alice:1 (has 0)",
      "replica B has not applied the session token after 500 ms: missing alice:1 (has 0)",
    ]);
    expect(run.sessions.ok).toBe(true);
  });
});
