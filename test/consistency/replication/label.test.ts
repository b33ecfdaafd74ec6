// Arrow labels of the replicated stores' sequence diagrams: each names the fields of the story.
// Reference: the message shapes of abd.ts (ABD 1995), eventual.ts and dynamo.ts (Dynamo 2007 §4).

import { describe, expect, it } from "vitest";
import type { Envelope } from "../../../src/sim/index.js";
import {
  abdInversionScenario,
  replicaMessageLabel,
  sloppyQuorumScenario,
} from "../../../src/consistency/replication/index.js";

const envelope = (body: Record<string, unknown>) =>
  ({ ...body, from: "a", to: "b" }) as unknown as Envelope;

describe("sequence diagram labels", () => {
  it("show the ABD tag and value of stores and replies", () => {
    const labels = abdInversionScenario().trace.flatMap((event) =>
      event.kind === "send" ? [replicaMessageLabel(event.message)] : [],
    );
    expect(labels).toContain("abdStore x (2,c1)=new");
    expect(labels).toContain("abdQueryReply (1,c1)=old");
    expect(labels).toContain("abdQuery x");
  });

  it("show hints, read repairs and handoffs of the Dynamo store", () => {
    const labels = sloppyQuorumScenario().trace.flatMap((event) =>
      event.kind === "send" ? [replicaMessageLabel(event.message)] : [],
    );
    expect(labels.some((l) => /^dyWrite x v2\{c\d:1,c\d:1\} hint for r\d$/.test(l))).toBe(true);
    expect(labels.some((l) => l.startsWith("dyHandoff x [v2]"))).toBe(true);
  });

  it("show client requests and replies, pushes, and fall back to the type", () => {
    expect(
      replicaMessageLabel(
        envelope({ type: "request", opId: 1, input: { kind: "write", key: "x", value: "a" } }),
      ),
    ).toBe("request write x=a");
    expect(
      replicaMessageLabel(
        envelope({ type: "reply", opId: 1, output: { kind: "ok", values: ["a"] } }),
      ),
    ).toBe("reply ok [a]");
    expect(
      replicaMessageLabel(
        envelope({ type: "push", entry: { key: "x", value: "a", ts: 3, replica: "r1" } }),
      ),
    ).toBe("push x=a @3:r1");
    expect(replicaMessageLabel(envelope({ type: "somethingElse" }))).toBe("somethingElse");
  });
});
