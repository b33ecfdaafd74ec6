// Consumer-group assignors: Kafka's documented examples for range, roundrobin and sticky; the
// laws every assignment obeys; the sticky target's balance and minimal movement; cooperative rounds.
// Reference: Kafka RangeAssignor, RoundRobinAssignor, StickyAssignor (KIP-54) javadoc; KIP-429.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  assignPartitions,
  cooperativeSteps,
  movedPartitions,
  type GroupAssignment,
  type GroupMemberSubscription,
} from "../../src/queue/assignors.js";
import type { AssignorName, TopicPartition } from "../../src/queue/types.js";
import { assertProperty } from "../support/property.js";
import { expectRangeError } from "../hashing/support.js";

const ASSIGNORS: readonly AssignorName[] = ["range", "roundrobin", "sticky", "cooperative-sticky"];
const STICKY: readonly AssignorName[] = ["sticky", "cooperative-sticky"];

/** "t0p1"-style names, as Kafka's docs write partitions. */
const name = (tp: TopicPartition) => `${tp.topic}p${tp.partition}`;
const parse = (text: string): TopicPartition => {
  const [, topic, partition] = /^(.*)p(\d+)$/.exec(text) as RegExpExecArray;
  return { topic: topic as string, partition: Number(partition) };
};

/** An assignment as a plain object of "t0p1"-style names, for readable expectations. */
function names(assignment: GroupAssignment): Record<string, string[]> {
  return Object.fromEntries([...assignment].map(([id, tps]) => [id, tps.map(name)]));
}

function assignmentOf(spec: Record<string, string[]>): GroupAssignment {
  return new Map(Object.entries(spec).map(([id, tps]) => [id, tps.map(parse)]));
}

const member = (memberId: string, ...topics: string[]): GroupMemberSubscription => ({
  memberId,
  topics,
});
const topicsOf = (...counts: [string, number][]) => new Map(counts);
const none: GroupAssignment = new Map();

// Generators ------------------------------------------------------------------------------------

const ID_POOL = ["a", "b", "B", "c10", "c2", "ü", "member-1", "member-2"];

interface Scenario {
  readonly members: GroupMemberSubscription[];
  readonly partitionsPerTopic: Map<string, number>;
  readonly previous: GroupAssignment;
}

/**
 * A group (1 to 6 members, 1 to 4 topics of 1 to 8 partitions, each member subscribed to a
 * non-empty subset, or to every topic when `identical`), and a previous assignment that gives
 * each partition (and some of a deleted topic) to a current member, a departed one, or nobody.
 */
function scenario(identical: boolean): fc.Arbitrary<Scenario> {
  return fc
    .record({
      counts: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 4 }),
      ids: fc.uniqueArray(fc.constantFrom(...ID_POOL), { minLength: 1, maxLength: 6 }),
      masks: fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
      owners: fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
    })
    .map(({ counts, ids, masks, owners }) => {
      const topics = counts.map((_, t) => `t${t}`);
      const all = (1 << topics.length) - 1;
      const members = ids.map((memberId, i) => {
        const mask = identical ? all : ((masks[i] as number) % all) + 1;
        return { memberId, topics: topics.filter((_, t) => (mask & (1 << t)) !== 0) };
      });
      const candidates = [...ids, "departed-1", "departed-2", undefined];
      const previous = new Map<string, TopicPartition[]>();
      let next = 0;
      const give = (tp: TopicPartition) => {
        const owner = candidates[(owners[next++ % owners.length] as number) % candidates.length];
        if (owner === undefined) return;
        previous.set(owner, [...(previous.get(owner) ?? []), tp]);
      };
      counts.forEach((count, t) => {
        for (let partition = 0; partition < count; partition++) give({ topic: `t${t}`, partition });
      });
      give({ topic: "deleted", partition: 0 });
      const partitionsPerTopic = new Map(counts.map((count, t) => [`t${t}`, count]));
      return { members, partitionsPerTopic, previous };
    });
}

/** Every member's partition count. */
const sizes = (assignment: GroupAssignment) => [...assignment.values()].map((tps) => tps.length);

// Tests ------------------------------------------------------------------------------------------

describe("range (Kafka's RangeAssignor)", () => {
  it("2 consumers, 2 topics of 3 partitions: C0 [t0p0, t0p1, t1p0, t1p1], C1 [t0p2, t1p2]", () => {
    const members = [member("C0", "t0", "t1"), member("C1", "t0", "t1")];
    const assignment = assignPartitions("range", members, topicsOf(["t0", 3], ["t1", 3]), none);
    expect(names(assignment)).toEqual({
      C0: ["t0p0", "t0p1", "t1p0", "t1p1"],
      C1: ["t0p2", "t1p2"],
    });
  });

  it("per topic, contiguous ranges to the subscribers in memberId order, the first n mod m one more", () => {
    assertProperty(
      fc.property(scenario(false), ({ members, partitionsPerTopic }) => {
        const assignment = assignPartitions("range", members, partitionsPerTopic, none);
        for (const [topic, count] of partitionsPerTopic) {
          const subscribers = members
            .filter((m) => m.topics.includes(topic))
            .map((m) => m.memberId)
            .sort((a, b) => (a < b ? -1 : 1));
          if (subscribers.length === 0) continue;
          const ranges = subscribers.map((id) =>
            (assignment.get(id) ?? []).filter((tp) => tp.topic === topic).map((tp) => tp.partition),
          );
          expect(ranges.flat()).toEqual(Array.from({ length: count }, (_, p) => p));
          const each = Math.floor(count / subscribers.length);
          const extra = count % subscribers.length;
          expect(ranges.map((r) => r.length)).toEqual(
            subscribers.map((_, i) => each + (i < extra ? 1 : 0)),
          );
        }
      }),
    );
  });
});

describe("roundrobin (Kafka's RoundRobinAssignor)", () => {
  it("2 consumers, 2 topics of 3 partitions: C0 [t0p0, t0p2, t1p1], C1 [t0p1, t1p0, t1p2]", () => {
    const members = [member("C1", "t0", "t1"), member("C0", "t0", "t1")];
    const assignment = assignPartitions(
      "roundrobin",
      members,
      topicsOf(["t0", 3], ["t1", 3]),
      none,
    );
    expect(names(assignment)).toEqual({
      C0: ["t0p0", "t0p2", "t1p1"],
      C1: ["t0p1", "t1p0", "t1p2"],
    });
  });

  it("differing subscriptions skip members not subscribed: C0 [t0p0], C1 [t1p0], C2 [t1p1, t2p0, t2p1, t2p2]", () => {
    const members = [member("C0", "t0"), member("C1", "t0", "t1"), member("C2", "t0", "t1", "t2")];
    const topics = topicsOf(["t0", 1], ["t1", 2], ["t2", 3]);
    expect(names(assignPartitions("roundrobin", members, topics, none))).toEqual({
      C0: ["t0p0"],
      C1: ["t1p0"],
      C2: ["t1p1", "t2p0", "t2p1", "t2p2"],
    });
    // C0 leaves: C1 [t0p0, t1p1], C2 [t1p0, t2p0, t2p1, t2p2], as in the StickyAssignor javadoc.
    expect(names(assignPartitions("roundrobin", members.slice(1), topics, none))).toEqual({
      C1: ["t0p0", "t1p1"],
      C2: ["t1p0", "t2p0", "t2p1", "t2p2"],
    });
  });

  it("with identical subscriptions, the i-th partition in (topic, partition) order goes to member i mod m", () => {
    assertProperty(
      fc.property(scenario(true), ({ members, partitionsPerTopic }) => {
        const assignment = assignPartitions("roundrobin", members, partitionsPerTopic, none);
        const ids = members.map((m) => m.memberId).sort((a, b) => (a < b ? -1 : 1));
        const ordered = [...partitionsPerTopic]
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .flatMap(([topic, count]) => Array.from({ length: count }, (_, p) => `${topic}p${p}`));
        const expected = Object.fromEntries(
          ids.map((id, i) => [id, ordered.filter((_, k) => k % ids.length === i)]),
        );
        expect(names(assignment)).toEqual(expected);
      }),
    );
  });
});

describe("every assignor", () => {
  it.each(ASSIGNORS)(
    "%s: each partition of each subscribed topic has exactly one owner, subscribed to its topic",
    (assignor) => {
      assertProperty(
        fc.property(scenario(false), ({ members, partitionsPerTopic, previous }) => {
          const assignment = assignPartitions(assignor, members, partitionsPerTopic, previous);
          expect([...assignment.keys()]).toEqual(
            members.map((m) => m.memberId).sort((a, b) => (a < b ? -1 : 1)),
          );
          const owners = new Map<string, string[]>();
          for (const [id, tps] of assignment) {
            const topics = members.find((m) => m.memberId === id)?.topics ?? [];
            for (const tp of tps) {
              expect(topics).toContain(tp.topic);
              owners.set(name(tp), [...(owners.get(name(tp)) ?? []), id]);
            }
          }
          const subscribed = new Set(members.flatMap((m) => m.topics));
          const expected = [...partitionsPerTopic]
            .filter(([topic]) => subscribed.has(topic))
            .flatMap(([topic, count]) => Array.from({ length: count }, (_, p) => `${topic}p${p}`));
          expect([...owners.keys()].sort()).toEqual(expected.sort());
          expect([...owners.values()].every((ids) => ids.length === 1)).toBe(true);
        }),
      );
    },
  );

  it.each(ASSIGNORS)(
    "%s: the same inputs in any member order give the same assignment",
    (assignor) => {
      assertProperty(
        fc.property(
          scenario(false),
          fc.nat(),
          ({ members, partitionsPerTopic, previous }, rotation) => {
            const rotated = members.map(
              (_, i) => members[(i + rotation) % members.length] as GroupMemberSubscription,
            );
            const reversed = rotated.slice().reverse();
            const a = assignPartitions(assignor, rotated, partitionsPerTopic, previous);
            const b = assignPartitions(assignor, reversed, partitionsPerTopic, previous);
            expect([...b]).toEqual([...a]);
          },
        ),
      );
    },
  );

  it.each(ASSIGNORS)("%s: rejects bad input, naming the value", (assignor) => {
    const topics = topicsOf(["t0", 2]);
    expectRangeError(
      () => assignPartitions(assignor, [member("a", "t0"), member("a", "t0")], topics, none),
      'memberId must be unique in a group, got "a" twice',
    );
    expectRangeError(
      () => assignPartitions(assignor, [member("a", "t0", "t9")], topics, none),
      'a topic of member "a" must be one of partitionsPerTopic\'s topics ("t0"), got "t9"',
    );
    expectRangeError(
      () => assignPartitions(assignor, [member("a", "t0")], topicsOf(["t0", 0]), none),
      'partitionsPerTopic.get("t0") must be an integer >= 1, got 0',
    );
    expectRangeError(
      () =>
        assignPartitions(
          assignor,
          [member("a", "t0")],
          topics,
          assignmentOf({ a: ["t0p0"], b: ["t0p0"] }),
        ),
      'previous must be an assignment in which each partition has at most one owner, got "t0-0 owned by both \\"a\\" and \\"b\\""',
    );
  });

  it("rejects an unknown assignor, naming it", () => {
    expectRangeError(
      () => assignPartitions("uniform" as AssignorName, [], new Map(), none),
      'assignor must be one of range, roundrobin, sticky, cooperative-sticky, got "uniform"',
    );
  });

  it("a topic nobody subscribes to is not assigned; an empty group gets an empty assignment", () => {
    const topics = topicsOf(["t0", 2], ["unread", 3]);
    expect(names(assignPartitions("sticky", [member("a", "t0")], topics, none))).toEqual({
      a: ["t0p0", "t0p1"],
    });
    expect(assignPartitions("range", [], topics, none).size).toBe(0);
  });
});

describe("sticky (Kafka's StickyAssignor): balanced, and moving as little as it can", () => {
  it("3 consumers, 4 topics of 2 partitions, then C1 leaves: C1's partitions move, nothing else (javadoc example 1)", () => {
    const members = [member("C0", "t0", "t1", "t2", "t3"), member("C1", "t0", "t1", "t2", "t3")];
    members.push(member("C2", "t0", "t1", "t2", "t3"));
    const topics = topicsOf(["t0", 2], ["t1", 2], ["t2", 2], ["t3", 2]);
    const first = assignPartitions("sticky", members, topics, none);
    expect(names(first)).toEqual({
      C0: ["t0p0", "t1p1", "t3p0"],
      C1: ["t0p1", "t2p0", "t3p1"],
      C2: ["t1p0", "t2p1"],
    });
    const second = assignPartitions(
      "sticky",
      [members[0], members[2]] as GroupMemberSubscription[],
      topics,
      first,
    );
    expect(names(second)).toEqual({
      C0: ["t0p0", "t1p1", "t2p0", "t3p0"],
      C2: ["t0p1", "t1p0", "t2p1", "t3p1"],
    });
    expect(movedPartitions(first, second).map(name)).toEqual(["t0p1", "t2p0", "t3p1"]);
  });

  it("differing subscriptions: C0 [t0p0], C1 [t1p0, t1p1], C2 [t2p0, t2p1, t2p2]; C0 leaves: only t0p0 moves (javadoc example 2)", () => {
    const members = [member("C0", "t0"), member("C1", "t0", "t1"), member("C2", "t0", "t1", "t2")];
    const topics = topicsOf(["t0", 1], ["t1", 2], ["t2", 3]);
    const first = assignPartitions("sticky", members, topics, none);
    expect(names(first)).toEqual({
      C0: ["t0p0"],
      C1: ["t1p0", "t1p1"],
      C2: ["t2p0", "t2p1", "t2p2"],
    });
    const second = assignPartitions("sticky", members.slice(1), topics, first);
    expect(names(second)).toEqual({ C1: ["t0p0", "t1p0", "t1p1"], C2: ["t2p0", "t2p1", "t2p2"] });
    expect(movedPartitions(first, second).map(name)).toEqual(["t0p0"]);
  });

  it.each(STICKY)(
    "%s: with identical subscriptions, sizes differ by at most 1, from any previous assignment",
    (assignor) => {
      assertProperty(
        fc.property(scenario(true), ({ members, partitionsPerTopic, previous }) => {
          const counts = sizes(assignPartitions(assignor, members, partitionsPerTopic, previous));
          expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        }),
      );
    },
  );

  it.each(STICKY)(
    "%s: no partition could go to a member of its topic that owns at least 2 fewer (Kafka's balance)",
    (assignor) => {
      assertProperty(
        fc.property(scenario(false), ({ members, partitionsPerTopic, previous }) => {
          const assignment = assignPartitions(assignor, members, partitionsPerTopic, previous);
          for (const [from, tps] of assignment) {
            for (const to of members) {
              const toSize = (assignment.get(to.memberId) as readonly TopicPartition[]).length;
              if (toSize > tps.length - 2) continue;
              expect(
                tps.filter((tp) => to.topics.includes(tp.topic)).map(name),
                `${from} -> ${to.memberId}`,
              ).toEqual([]);
            }
          }
        }),
      );
    },
  );

  it("with identical subscriptions, the partitions moved are the fewest any balanced assignment could move", () => {
    // Lower bound: a departed owner's partitions must move; a member keeping more than its quota
    // must give the rest up; the quotas (floor or ceil of P / M) giving ceil to those that held
    // the most minimise that. Compare to what sticky moves.
    assertProperty(
      fc.property(scenario(true), ({ members, partitionsPerTopic, previous }) => {
        const assignment = assignPartitions("sticky", members, partitionsPerTopic, previous);
        const exists = (tp: TopicPartition) =>
          tp.partition < (partitionsPerTopic.get(tp.topic) ?? 0);
        const ids = new Set(members.map((m) => m.memberId));
        let departed = 0;
        const kept: number[] = [];
        for (const [id, tps] of previous) {
          const count = tps.filter(exists).length;
          if (ids.has(id)) kept.push(count);
          else departed += count;
        }
        while (kept.length < ids.size) kept.push(0);
        kept.sort((a, b) => b - a);
        const total = [...partitionsPerTopic.values()].reduce((a, b) => a + b, 0);
        const floor = Math.floor(total / ids.size);
        const ceilCount = total % ids.size;
        const excess = kept.reduce(
          (sum, k, i) => sum + Math.max(0, k - floor - (i < ceilCount ? 1 : 0)),
          0,
        );
        expect(movedPartitions(previous, assignment)).toHaveLength(departed + excess);
      }),
    );
  });

  type Change = { kind: "join"; id: string } | { kind: "leave"; pick: number };
  const change: fc.Arbitrary<Change> = fc.oneof(
    fc.record({ kind: fc.constant("join" as const), id: fc.constantFrom(...ID_POOL) }),
    fc.record({ kind: fc.constant("leave" as const), pick: fc.nat() }),
  );

  it.each(STICKY)(
    "%s: a member leaving moves only its partitions; a member joining moves only what it gets",
    (assignor) => {
      assertProperty(
        fc.property(
          fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 3 }),
          fc.array(change, { maxLength: 12 }),
          (counts, changes) => {
            const partitionsPerTopic = new Map(counts.map((count, t) => [`t${t}`, count]));
            const topics = [...partitionsPerTopic.keys()];
            let ids = ["a", "b"];
            const group = () => ids.map((id) => member(id, ...topics));
            let current = assignPartitions(assignor, group(), partitionsPerTopic, none);
            for (const step of changes) {
              if (step.kind === "join") {
                if (ids.includes(step.id)) continue;
                ids = [...ids, step.id];
                const next = assignPartitions(assignor, group(), partitionsPerTopic, current);
                expect(movedPartitions(current, next)).toHaveLength(
                  (next.get(step.id) as TopicPartition[]).length,
                );
                current = next;
              } else {
                if (ids.length === 1) continue;
                const leaver = ids[step.pick % ids.length] as string;
                ids = ids.filter((id) => id !== leaver);
                const next = assignPartitions(assignor, group(), partitionsPerTopic, current);
                expect(movedPartitions(current, next)).toHaveLength(
                  (current.get(leaver) as TopicPartition[]).length,
                );
                current = next;
              }
            }
          },
        ),
      );
    },
  );

  it("when a member leaves, sticky moves fewer partitions than range and roundrobin (4 members, 2 topics of 6)", () => {
    const topics = topicsOf(["t0", 6], ["t1", 6]);
    const group = ["c0", "c1", "c2", "c3"].map((id) => member(id, "t0", "t1"));
    const withoutC1 = group.filter((m) => m.memberId !== "c1");
    const moved = Object.fromEntries(
      (["range", "roundrobin", "sticky"] as const).map((assignor) => {
        const before = assignPartitions(assignor, group, topics, none);
        const after = assignPartitions(assignor, withoutC1, topics, before);
        return [assignor, movedPartitions(before, after).length];
      }),
    );
    // c1 owned 3 partitions under each; only sticky moves just those.
    expect(moved).toEqual({ range: 6, roundrobin: 9, sticky: 3 });
  });

  it("a previous owner no longer subscribed to the topic, or a partition gone, is not kept", () => {
    const previous = assignmentOf({ a: ["t0p0", "t0p1", "t1p0"], b: ["t0p2"] });
    const assignment = assignPartitions(
      "sticky",
      [member("a", "t1"), member("b", "t0", "t1")],
      topicsOf(["t0", 2], ["t1", 1]),
      previous,
    );
    expect(names(assignment)).toEqual({ a: ["t1p0"], b: ["t0p0", "t0p1"] });
  });

  it("sticky and cooperative-sticky compute the same target", () => {
    assertProperty(
      fc.property(scenario(false), ({ members, partitionsPerTopic, previous }) => {
        expect([
          ...assignPartitions("cooperative-sticky", members, partitionsPerTopic, previous),
        ]).toEqual([...assignPartitions("sticky", members, partitionsPerTopic, previous)]);
      }),
    );
  });
});

describe("movedPartitions", () => {
  it("counts a partition whose owner changed, from a departed member or to a new one; not a new partition", () => {
    const before = assignmentOf({ a: ["t0p0", "t0p1"], gone: ["t0p2"], c: ["t1p0"] });
    const after = assignmentOf({ a: ["t0p0", "t1p1"], b: ["t0p1", "t0p2"], c: ["t1p0"] });
    expect(movedPartitions(before, after).map(name)).toEqual(["t0p1", "t0p2"]);
    expect(movedPartitions(before, before)).toEqual([]);
  });

  it("is sorted by topic then partition, and rejects an assignment with a partition owned twice", () => {
    const before = assignmentOf({ a: ["t1p0", "t0p3"] });
    const after = assignmentOf({ b: ["t1p0", "t0p3"] });
    expect(movedPartitions(before, after).map(name)).toEqual(["t0p3", "t1p0"]);
    expectRangeError(
      () => movedPartitions(assignmentOf({ a: ["t0p0"], b: ["t0p0"] }), after),
      'before must be an assignment in which each partition has at most one owner, got "t0-0 owned by both \\"a\\" and \\"b\\""',
    );
  });
});

describe("cooperativeSteps (KIP-429 incremental cooperative rebalancing)", () => {
  it("a member joins: first round, everyone keeps what stays theirs; second round, the target", () => {
    const topics = topicsOf(["t0", 4]);
    const before = assignPartitions(
      "cooperative-sticky",
      [member("a", "t0"), member("b", "t0")],
      topics,
      none,
    );
    const group = [member("a", "t0"), member("b", "t0"), member("c", "t0")];
    const target = assignPartitions("cooperative-sticky", group, topics, before);
    const { revoke, assign } = cooperativeSteps(before, target);
    expect(names(before)).toEqual({ a: ["t0p0", "t0p2"], b: ["t0p1", "t0p3"] });
    // a and b both hold 2 of the 4; a, first by memberId, hands its last partition to c.
    expect(names(target)).toEqual({ a: ["t0p0"], b: ["t0p1", "t0p3"], c: ["t0p2"] });
    expect(names(revoke)).toEqual({ a: ["t0p0"], b: ["t0p1", "t0p3"], c: [] });
    expect(names(assign)).toEqual(names(target));
  });

  it("round one only takes partitions away; round two only adds; no partition ever has two owners", () => {
    assertProperty(
      fc.property(scenario(false), ({ members, partitionsPerTopic, previous }) => {
        const target = assignPartitions(
          "cooperative-sticky",
          members,
          partitionsPerTopic,
          previous,
        );
        const { revoke, assign } = cooperativeSteps(previous, target);
        expect([...assign]).toEqual([...target]);
        expect([...revoke.keys()]).toEqual([...target.keys()]);
        const moved = new Set(movedPartitions(previous, target).map(name));
        for (const [id, kept] of revoke) {
          const had = new Set((previous.get(id) ?? []).map(name));
          const gets = new Set((target.get(id) ?? []).map(name));
          // Round one: what the member had and keeps, nothing else.
          expect(kept.map(name)).toEqual([...gets].filter((tp) => had.has(tp)));
          // Round two adds exactly what the member did not have; a moved partition is never kept.
          for (const tp of kept) expect(moved.has(name(tp))).toBe(false);
        }
      }),
    );
  });
});
