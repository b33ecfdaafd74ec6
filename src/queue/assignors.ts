// Consumer-group assignors: which member of a group reads which partitions, as pure functions of
// the members' subscriptions, the topics' partition counts and the previous assignment. Follows
// Kafka's RangeAssignor, RoundRobinAssignor, StickyAssignor (KIP-54) and KIP-429's cooperative protocol.

import { assert, describeValue, invalidArgument, requireIntegerAtLeast } from "../sim/assert.js";
import type { AssignorName, TopicPartition } from "./types.js";

/** One member of a consumer group and the topics it subscribes to. */
export interface GroupMemberSubscription {
  readonly memberId: string;
  readonly topics: readonly string[];
}

/**
 * A group's assignment: memberId -> its partitions, every member present (possibly with []).
 * {@link assignPartitions} returns members in memberId order and each member's partitions
 * sorted by topic, then partition.
 */
export type GroupAssignment = ReadonlyMap<string, readonly TopicPartition[]>;

const ASSIGNOR_NAMES: readonly AssignorName[] = [
  "range",
  "roundrobin",
  "sticky",
  "cooperative-sticky",
];

/** Code-unit order, as Java's String.compareTo sorts Kafka's member ids and topics. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparePartitions(a: TopicPartition, b: TopicPartition): number {
  return compareStrings(a.topic, b.topic) || a.partition - b.partition;
}

/** A map key for a partition; topic names may contain any character, so JSON keeps it unique. */
function partitionKey(topic: string, partition: number): string {
  return JSON.stringify([topic, partition]);
}

/** A group's members, validated, sorted by memberId, with their subscriptions as sets. */
interface Group {
  readonly memberIds: readonly string[];
  readonly subscriptions: ReadonlyMap<string, ReadonlySet<string>>;
  /** Topics with at least one subscriber, sorted. */
  readonly topics: readonly string[];
  readonly partitionsPerTopic: ReadonlyMap<string, number>;
}

function validateGroup(
  members: readonly GroupMemberSubscription[],
  partitionsPerTopic: ReadonlyMap<string, number>,
): Group {
  if (!Array.isArray(members)) throw invalidArgument("members", "an array", members);
  if (!(partitionsPerTopic instanceof Map)) {
    throw invalidArgument(
      "partitionsPerTopic",
      "a Map from topic to partition count",
      partitionsPerTopic,
    );
  }
  for (const [topic, count] of partitionsPerTopic) {
    if (typeof topic !== "string")
      throw invalidArgument("a topic of partitionsPerTopic", "a string", topic);
    requireIntegerAtLeast(`partitionsPerTopic.get(${describeValue(topic)})`, count, 1);
  }
  const known = [...partitionsPerTopic.keys()].sort(compareStrings);
  const subscriptions = new Map<string, ReadonlySet<string>>();
  const subscribed = new Set<string>();
  for (const member of members) {
    const memberId: unknown = member?.memberId;
    if (typeof memberId !== "string") throw invalidArgument("memberId", "a string", memberId);
    if (subscriptions.has(memberId)) {
      throw new RangeError(
        `memberId must be unique in a group, got ${describeValue(memberId)} twice`,
      );
    }
    if (!Array.isArray(member.topics)) {
      throw invalidArgument(
        `topics of member ${describeValue(memberId)}`,
        "an array",
        member.topics,
      );
    }
    for (const topic of member.topics) {
      if (!partitionsPerTopic.has(topic)) {
        throw invalidArgument(
          `a topic of member ${describeValue(memberId)}`,
          `one of partitionsPerTopic's topics (${known.map((t) => describeValue(t)).join(", ")})`,
          topic,
        );
      }
      subscribed.add(topic);
    }
    subscriptions.set(memberId, new Set(member.topics));
  }
  return {
    memberIds: [...subscriptions.keys()].sort(compareStrings),
    subscriptions,
    topics: [...subscribed].sort(compareStrings),
    partitionsPerTopic,
  };
}

/**
 * Checks that `assignment` is a Map whose values are arrays of partitions, none owned twice, and
 * returns each partition's owner by {@link partitionKey}.
 */
function ownersOf(name: string, assignment: GroupAssignment): Map<string, string> {
  if (!(assignment instanceof Map))
    throw invalidArgument(name, "a Map from memberId to partitions", assignment);
  const owners = new Map<string, string>();
  for (const [memberId, partitions] of assignment) {
    if (!Array.isArray(partitions)) {
      throw invalidArgument(
        `${name}.get(${describeValue(memberId)})`,
        "an array of partitions",
        partitions,
      );
    }
    for (const tp of partitions as readonly TopicPartition[]) {
      const key = partitionKey(tp.topic, tp.partition);
      const other = owners.get(key);
      if (other !== undefined) {
        throw invalidArgument(
          name,
          "an assignment in which each partition has at most one owner",
          `${tp.topic}-${tp.partition} owned by both ${describeValue(other)} and ${describeValue(memberId)}`,
        );
      }
      owners.set(key, memberId);
    }
  }
  return owners;
}

/** Every partition of every subscribed topic, sorted by topic then partition. */
function allPartitions(group: Group): TopicPartition[] {
  const partitions: TopicPartition[] = [];
  for (const topic of group.topics) {
    const count = group.partitionsPerTopic.get(topic) as number;
    for (let partition = 0; partition < count; partition++) partitions.push({ topic, partition });
  }
  return partitions;
}

function emptyAssignment(group: Group): Map<string, TopicPartition[]> {
  return new Map(group.memberIds.map((id) => [id, []]));
}

/** Kafka's RangeAssignor: per topic, contiguous ranges to the subscribers in memberId order. */
function rangeAssign(group: Group): Map<string, TopicPartition[]> {
  const result = emptyAssignment(group);
  for (const topic of group.topics) {
    const subscribers = group.memberIds.filter((id) => group.subscriptions.get(id)?.has(topic));
    const count = group.partitionsPerTopic.get(topic) as number;
    const each = Math.floor(count / subscribers.length);
    const extra = count % subscribers.length;
    subscribers.forEach((id, i) => {
      const start = each * i + Math.min(i, extra);
      const length = each + (i < extra ? 1 : 0);
      const owned = result.get(id) as TopicPartition[];
      for (let p = start; p < start + length; p++) owned.push({ topic, partition: p });
    });
  }
  return result;
}

/**
 * Kafka's RoundRobinAssignor: every partition in (topic, partition) order is dealt to the next
 * member in memberId order, in a circle, skipping members not subscribed to its topic.
 */
function roundRobinAssign(group: Group): Map<string, TopicPartition[]> {
  const result = emptyAssignment(group);
  const ids = group.memberIds;
  let next = 0;
  for (const tp of allPartitions(group)) {
    // Some member subscribes to tp.topic (allPartitions lists only those), so this ends.
    let skipped = 0;
    while (!group.subscriptions.get(ids[next] as string)?.has(tp.topic)) {
      next = (next + 1) % ids.length;
      skipped++;
      assert(skipped < ids.length, "some member subscribes to every listed topic");
    }
    (result.get(ids[next] as string) as TopicPartition[]).push(tp);
    next = (next + 1) % ids.length;
  }
  return result;
}

/**
 * The sticky target: keep previous owners, hand out orphaned partitions, then balance by moving
 * one partition at a time from a member to a subscribed member with at least 2 fewer.
 */
function stickyAssign(
  group: Group,
  previousOwners: ReadonlyMap<string, string>,
): Map<string, TopicPartition[]> {
  const partitions = allPartitions(group);
  // owned.get(id): the member's partitions, by partitionKey.
  const owned = new Map<string, Map<string, TopicPartition>>(
    group.memberIds.map((id) => [id, new Map()]),
  );
  const orphans: TopicPartition[] = [];
  for (const tp of partitions) {
    const key = partitionKey(tp.topic, tp.partition);
    const owner = previousOwners.get(key);
    // A previous owner keeps a partition only if it is still in the group and still subscribed.
    if (owner !== undefined && group.subscriptions.get(owner)?.has(tp.topic)) {
      owned.get(owner)?.set(key, tp);
    } else {
      orphans.push(tp);
    }
  }
  const subscribersOf = new Map(
    group.topics.map((t) => [
      t,
      group.memberIds.filter((id) => group.subscriptions.get(id)?.has(t)),
    ]),
  );
  const sizeOf = (id: string): number => (owned.get(id) as Map<string, TopicPartition>).size;
  // The fewest (then the first by memberId) among `ids`.
  const smallest = (ids: readonly string[]): string => {
    let best = ids[0] as string;
    for (const id of ids) if (sizeOf(id) < sizeOf(best)) best = id;
    return best;
  };

  // Orphans: the most constrained first (fewest possible owners), each to its smallest subscriber.
  orphans.sort(
    (a, b) =>
      (subscribersOf.get(a.topic) as string[]).length -
        (subscribersOf.get(b.topic) as string[]).length || comparePartitions(a, b),
  );
  for (const tp of orphans) {
    const id = smallest(subscribersOf.get(tp.topic) as string[]);
    owned.get(id)?.set(partitionKey(tp.topic, tp.partition), tp);
  }

  // Balance. Each move lowers the sum of squared sizes by at least 2, so at most P^2 / 2 moves.
  const movesMax = (partitions.length * partitions.length) / 2 + 1;
  for (let moves = 0; ; moves++) {
    assert(moves <= movesMax, "sticky balancing ends: each move lowers the sum of squared sizes");
    const move = findBalancingMove(group, owned, sizeOf);
    if (move === undefined) break;
    const [from, to, key] = move;
    const tp = owned.get(from)?.get(key) as TopicPartition;
    owned.get(from)?.delete(key);
    owned.get(to)?.set(key, tp);
  }

  return new Map(
    group.memberIds.map((id) => [
      id,
      [...(owned.get(id) as Map<string, TopicPartition>).values()].sort(comparePartitions),
    ]),
  );
}

/**
 * A partition that can move to a member subscribed to its topic that owns at least 2 fewer: from
 * the largest member that has one (first by memberId), to the smallest such receiver (first by
 * memberId), the last such partition in (topic, partition) order. Undefined when the assignment is
 * balanced in Kafka's sense.
 */
function findBalancingMove(
  group: Group,
  owned: ReadonlyMap<string, ReadonlyMap<string, TopicPartition>>,
  sizeOf: (id: string) => number,
): [from: string, to: string, key: string] | undefined {
  const bySizeDescending = [...group.memberIds].sort(
    (a, b) => sizeOf(b) - sizeOf(a) || compareStrings(a, b),
  );
  const bySizeAscending = [...group.memberIds].sort(
    (a, b) => sizeOf(a) - sizeOf(b) || compareStrings(a, b),
  );
  for (const from of bySizeDescending) {
    const fromPartitions = [...(owned.get(from) as ReadonlyMap<string, TopicPartition>)].sort(
      (a, b) => comparePartitions(a[1], b[1]),
    );
    for (const to of bySizeAscending) {
      if (sizeOf(to) > sizeOf(from) - 2) break;
      const subscription = group.subscriptions.get(to) as ReadonlySet<string>;
      for (let i = fromPartitions.length - 1; i >= 0; i--) {
        const [key, tp] = fromPartitions[i] as [string, TopicPartition];
        if (subscription.has(tp.topic)) return [from, to, key];
      }
    }
  }
  return undefined;
}

/** Invariants of every assignor's answer: each subscribed partition owned once, by a subscriber. */
function checkAssignment(
  group: Group,
  assignment: ReadonlyMap<string, readonly TopicPartition[]>,
): void {
  assert(assignment.size === group.memberIds.length, "every member appears in the assignment");
  const owned = new Set<string>();
  for (const [memberId, partitions] of assignment) {
    const subscription = group.subscriptions.get(memberId);
    assert(subscription !== undefined, "only members of the group own partitions");
    for (const tp of partitions) {
      assert(subscription.has(tp.topic), "a member owns only partitions of its topics");
      const key = partitionKey(tp.topic, tp.partition);
      assert(!owned.has(key), "no partition has two owners");
      owned.add(key);
    }
  }
  assert(
    owned.size === allPartitions(group).length,
    "every partition of a subscribed topic has an owner",
  );
}

/**
 * Assigns the partitions of the topics a consumer group subscribes to among its members, with one
 * of Kafka's assignors. A pure function: the same inputs give the same assignment (members are
 * taken in memberId order, partitions in (topic, partition) order; the members' order in the
 * array does not matter). Every partition of every subscribed topic goes to exactly one member
 * subscribed to its topic; topics nobody subscribes to are not assigned.
 *
 * - `"range"` (RangeAssignor): per topic, its subscribers in memberId order get contiguous
 *   ranges, the first `partitions % subscribers` one partition more. Partition i of every topic
 *   goes to the same member, handy for joins across co-partitioned topics, but with many topics
 *   the first members get the extras of each: up to one more partition per topic.
 * - `"roundrobin"` (RoundRobinAssignor): all partitions in (topic, partition) order dealt in turn
 *   to the members in memberId order, skipping members not subscribed to the topic.
 * - `"sticky"` and `"cooperative-sticky"` (StickyAssignor, CooperativeStickyAssignor): the same
 *   target, balanced and as close to `previous` as it can be. Guarantees: (1) a partition whose
 *   previous owner is still in the group and still subscribed stays with it unless balancing
 *   moves it; (2) balanced in Kafka's sense: no partition can move to a member subscribed to its
 *   topic that owns at least 2 fewer, so with identical subscriptions sizes differ by at most 1;
 *   (3) with identical subscriptions, the partitions that move are the fewest that any balanced
 *   assignment would move from `previous` (ceil-sized shares go to the members that held the
 *   most); so from a balanced `previous`, a member leaving moves only its own partitions and a
 *   member joining moves only what it receives. With differing subscriptions (2) is local, not a global optimum. The two
 *   names differ in the protocol (see {@link cooperativeSteps}), not in the target.
 *
 * @param previous - the assignment before this rebalance (an empty Map at first); only the sticky
 *   assignors read it. Members no longer in the group and partitions that no longer exist in it
 *   are ignored.
 * @throws RangeError for an unknown assignor, duplicate memberIds, a subscription to a topic not
 *   in `partitionsPerTopic`, a partition count that is not an integer >= 1, or a `previous` that
 *   gives a partition to two members.
 *
 * @example
 * const members = [{ memberId: "c0", topics: ["t0", "t1"] }, { memberId: "c1", topics: ["t0", "t1"] }];
 * const topics = new Map([["t0", 3], ["t1", 3]]);
 * assignPartitions("range", members, topics, new Map()).get("c0");
 * // [t0-0, t0-1, t1-0, t1-1] (as { topic, partition } objects); c1 gets [t0-2, t1-2]
 */
export function assignPartitions(
  assignor: AssignorName,
  members: readonly GroupMemberSubscription[],
  partitionsPerTopic: ReadonlyMap<string, number>,
  previous: GroupAssignment,
): GroupAssignment {
  if (!ASSIGNOR_NAMES.includes(assignor)) {
    throw invalidArgument("assignor", `one of ${ASSIGNOR_NAMES.join(", ")}`, assignor);
  }
  const group = validateGroup(members, partitionsPerTopic);
  const previousOwners = ownersOf("previous", previous);
  let result: Map<string, TopicPartition[]>;
  if (assignor === "range") result = rangeAssign(group);
  else if (assignor === "roundrobin") result = roundRobinAssign(group);
  else result = stickyAssign(group, previousOwners);
  checkAssignment(group, result);
  return result;
}

/**
 * The partitions whose owner differs between two assignments: revoked from one member and given
 * to another, including from a member that left or to a member that joined. A partition present
 * in only one of the two (a new topic, or one nobody subscribes to any more) has not moved.
 * Sorted by topic, then partition.
 *
 * @throws RangeError if either assignment gives a partition to two members.
 *
 * @example
 * movedPartitions(
 *   new Map([["c0", [{ topic: "t", partition: 0 }]], ["c1", []]]),
 *   new Map([["c1", [{ topic: "t", partition: 0 }]]]),
 * ); // [{ topic: "t", partition: 0 }]
 */
export function movedPartitions(before: GroupAssignment, after: GroupAssignment): TopicPartition[] {
  const ownersBefore = ownersOf("before", before);
  ownersOf("after", after);
  const moved: TopicPartition[] = [];
  for (const [memberId, partitions] of after) {
    for (const tp of partitions) {
      const owner = ownersBefore.get(partitionKey(tp.topic, tp.partition));
      if (owner !== undefined && owner !== memberId) {
        moved.push({ topic: tp.topic, partition: tp.partition });
      }
    }
  }
  return moved.sort(comparePartitions);
}

/**
 * The two rounds of a cooperative rebalance (KIP-429) from `before` to `target`. In the eager
 * protocol every member gives up all its partitions and the whole group stops until the new
 * assignment arrives; in the cooperative one only the moving partitions stop:
 * - `revoke`: the assignment after the first round, for every member of `target`: each keeps
 *   `before ∩ target` of its own, and gives up the rest (members that left are gone);
 * - `assign`: the second round, `target` itself: the revoked partitions reach their new owners.
 *
 * Real Kafka also hands out in the first round the partitions that no current member owned (a
 * leaver's, a new topic's); here they wait for the second round, like every moved partition.
 *
 * @throws RangeError if either assignment gives a partition to two members.
 *
 * @example
 * const t = (partition: number) => ({ topic: "t", partition });
 * const before = new Map([["a", [t(0), t(1)]]]);
 * const target = new Map([["a", [t(0)]], ["b", [t(1)]]]);
 * cooperativeSteps(before, target).revoke; // a keeps [t-0], b has [] while t-1 is revoked
 * cooperativeSteps(before, target).assign; // target: b gets t-1 in the second round
 */
export function cooperativeSteps(
  before: GroupAssignment,
  target: GroupAssignment,
): { revoke: GroupAssignment; assign: GroupAssignment } {
  ownersOf("before", before);
  ownersOf("target", target);
  const revoke = new Map<string, readonly TopicPartition[]>();
  const assign = new Map<string, readonly TopicPartition[]>();
  for (const [memberId, partitions] of target) {
    const targetKeys = new Set(partitions.map((tp) => partitionKey(tp.topic, tp.partition)));
    const kept = (before.get(memberId) ?? []).filter((tp) =>
      targetKeys.has(partitionKey(tp.topic, tp.partition)),
    );
    revoke.set(memberId, kept.slice().sort(comparePartitions));
    assign.set(memberId, partitions.slice());
  }
  return { revoke, assign };
}
