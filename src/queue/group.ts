// Consumer groups over the partitioned log: membership kept alive by polling, rebalancing by an
// assignor, committed offsets and lag (Kreps, Narkhede, Rao, NetDB 2011, §3.2; Kafka KIP-62, KIP-429).

import {
  assert,
  describeValue,
  integerOption,
  invalidArgument,
  requireIntegerAtLeast,
  requireKnownOptions,
} from "../sim/assert.js";
import {
  type GroupAssignment,
  assignPartitions,
  cooperativeSteps,
  movedPartitions,
} from "./assignors.js";
import type { AssignorName, QueueRecord, TopicPartition } from "./types.js";

/** What the broker offers to consumers. The Broker class implements it. */
export interface TopicSource {
  /** The broker clock, in ms. */
  now(): number;
  /** The topic's partition count; throws for an unknown topic, naming it. */
  partitionCount(topic: string): number;
  /** Up to `maxRecords` records from `offset` (in [logStartOffset, endOffset]) on. */
  read(topic: string, partition: number, offset: number, maxRecords: number): QueueRecord[];
  /** The first offset still stored. */
  logStartOffset(topic: string, partition: number): number;
  /** The offset the next append gets. */
  endOffset(topic: string, partition: number): number;
}

/** Kafka's default session timeout: a member that has not polled for longer is removed. */
export const CONSUMER_SESSION_TIMEOUT_MS_DEFAULT = 10_000;
/** Kafka's default `max.poll.records`. */
export const CONSUMER_MAX_RECORDS_DEFAULT = 500;

const ASSIGNORS: readonly AssignorName[] = ["range", "roundrobin", "sticky", "cooperative-sticky"];
const CONSUMER_OPTIONS = ["groupId", "assignor", "autoCommit", "sessionTimeoutMs", "memberId"];

/** Options of {@link GroupCoordinator.consumer} (and `broker.consumer`). */
export interface ConsumerOptions {
  /** The group to join: its members share the subscribed partitions, each read by one of them. */
  readonly groupId: string;
  /** How partitions are spread over members. Default "range". Every member must use the same. */
  readonly assignor?: AssignorName;
  /**
   * Commit at each poll the positions that the previous poll reached, and on close and before a
   * partition is revoked (Kafka's `enable.auto.commit`). Default true.
   */
  readonly autoCommit?: boolean;
  /** A member that does not poll for longer than this (broker clock) is removed. Default 10,000. */
  readonly sessionTimeoutMs?: number;
  /** The member's id. Default `consumer-1`, `consumer-2`, ... in the group's creation order. */
  readonly memberId?: string;
}

/** Options of {@link Consumer.poll}. */
export interface ConsumerPollOptions {
  /** Most records returned, an integer >= 1. Default 500. */
  readonly maxRecords?: number;
}

/** An offset to commit: the next offset the group should read in that partition. */
export interface TopicPartitionOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/**
 * A member of a consumer group. Polling is also its heartbeat: a consumer that stops polling for
 * more than `sessionTimeoutMs` of broker clock is a crashed consumer; the group then rebalances
 * and its partitions resume, at another member, from the last committed offset.
 *
 * @example
 * const consumer = broker.consumer({ groupId: "billing" });
 * consumer.subscribe(["orders"]);
 * for (const record of consumer.poll({ maxRecords: 100 })) bill(record);
 * consumer.commit(); // the next poll starts after these records, whoever owns the partitions
 */
export interface Consumer {
  readonly memberId: string;
  readonly groupId: string;
  /** Joins the group (or changes the subscription): a rebalance starts. */
  subscribe(topics: readonly string[]): void;
  /**
   * Heartbeat, rejoin a pending rebalance, auto-commit, then up to `maxRecords` records from the
   * positions of the assigned, not paused partitions, spread fairly over them. Empty while an
   * eager rebalance is in progress.
   */
  poll(options?: ConsumerPollOptions): QueueRecord[];
  /** Commits the positions (what poll returned), or the given offsets of owned partitions. */
  commit(offsets?: readonly TopicPartitionOffset[]): void;
  /** The next poll reads `partition` from `offset` (in [logStartOffset, endOffset]). */
  seek(partition: TopicPartition, offset: number): void;
  /** Poll skips these partitions until resumed (back-pressure). */
  pause(partitions: readonly TopicPartition[]): void;
  resume(partitions: readonly TopicPartition[]): void;
  /** The paused partitions, sorted. */
  paused(): TopicPartition[];
  /** Leaves the group (auto-committing first): a rebalance starts. Closing twice does nothing. */
  close(): void;
  /** The partitions this member owns now, sorted. */
  assignment(): TopicPartition[];
  /** The next offset poll reads in an owned partition. */
  position(partition: TopicPartition): number;
  /** The group's committed offset of a partition, or null if none was committed. */
  committed(partition: TopicPartition): number | null;
}

/** "Empty": no members; "PreparingRebalance": waiting for members to rejoin; "Stable". */
export type ConsumerGroupState = "Empty" | "PreparingRebalance" | "Stable";

/** A member's partitions, keyed by memberId. */
export type GroupMemberPartitions = Readonly<Record<string, readonly TopicPartition[]>>;

/**
 * One step of a rebalance, for sequence diagrams: what started it ("join", "subscribe", "leave",
 * "expire"), a member rejoining at its poll ("rejoin", Kafka's JoinGroup), and a round's
 * assignment reaching a member ("assign", Kafka's SyncGroup) with what it now owns and gave up.
 */
export interface RebalanceStep {
  readonly atMs: number;
  readonly memberId: string;
  readonly action: "join" | "subscribe" | "leave" | "expire" | "rejoin" | "assign";
  /** The generation the group is in after the step. */
  readonly generation: number;
  /** "assign": the member's partitions after the round; otherwise []. */
  readonly assigned: readonly TopicPartition[];
  /** "assign": the partitions the member gave up in the round; otherwise []. */
  readonly revoked: readonly TopicPartition[];
}

/** One completed rebalance of a group. */
export interface RebalanceRecord {
  /** The generation in force after it (one generation per round). */
  readonly generation: number;
  /** What started it: joins, leaves, expiries, subscription changes ("; "-separated). */
  readonly reason: string;
  readonly assignor: AssignorName;
  readonly startedAtMs: number;
  readonly completedAtMs: number;
  /** 1 for eager assignors; 2 for "cooperative-sticky" when some partition was revoked. */
  readonly rounds: number;
  /** Members after it, in join order. */
  readonly members: readonly string[];
  readonly before: GroupMemberPartitions;
  readonly after: GroupMemberPartitions;
  /** Partitions whose owner changed (from a member that left included). */
  readonly moved: readonly TopicPartition[];
  /** Partitions nobody could read during the rebalance (eager: every partition). */
  readonly paused: readonly TopicPartition[];
  /** The longest time one partition stayed paused by this rebalance, broker clock ms. */
  readonly pausedMs: number;
  /** The sum over paused partitions of their paused time, ms: the cost of the rebalance. */
  readonly partitionPausedMs: number;
  /** The protocol's steps, in order. */
  readonly steps: readonly RebalanceStep[];
}

/** A member as {@link GroupCoordinator.describeGroup} reports it. */
export interface GroupMemberDescription {
  readonly memberId: string;
  readonly topics: readonly string[];
  readonly assignment: readonly TopicPartition[];
  readonly lastHeartbeatMs: number;
}

/** A partition of a subscribed topic: owner, committed offset and lag. */
export interface GroupPartitionDescription {
  readonly topic: string;
  readonly partition: number;
  readonly owner: string | null;
  readonly committed: number | null;
  readonly endOffset: number;
  /** endOffset - committed (endOffset - logStartOffset if nothing was committed). */
  readonly lag: number;
}

/** A group's state, members, offsets, lag and rebalance history. */
export interface GroupDescription {
  readonly groupId: string;
  readonly state: ConsumerGroupState;
  readonly generation: number;
  readonly assignor: AssignorName | null;
  readonly members: readonly GroupMemberDescription[];
  readonly partitions: readonly GroupPartitionDescription[];
  /** Sum of the partitions' lag. */
  readonly lag: number;
  /** With state "PreparingRebalance": the members the group waits for to rejoin. */
  readonly waitingFor: readonly string[];
  readonly rebalances: readonly RebalanceRecord[];
}

function partitionName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

function comparePartitions(a: TopicPartition, b: TopicPartition): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  return a.partition - b.partition;
}

function listNames(partitions: readonly TopicPartition[]): string {
  return partitions.map((tp) => partitionName(tp.topic, tp.partition)).join(", ");
}

interface Owner {
  readonly memberId: string;
  /** The generation that gave the partition to this member. */
  readonly generation: number;
}

interface PendingRebalance {
  /** Members rejoined when their `rejoinedRound` equals this. */
  round: number;
  readonly reasons: string[];
  readonly startedAtMs: number;
  readonly before: Map<string, TopicPartition[]>;
  rounds: number;
  /** Cooperative second round: the target computed in the first, with its inputs. */
  target: GroupAssignment | null;
  targetInputs: string;
  /** Partitions paused now, with the time they paused. */
  readonly pausedSince: Map<string, number>;
  readonly pausedEver: Map<string, TopicPartition>;
  pausedMsMax: number;
  partitionPausedMs: number;
  readonly steps: RebalanceStep[];
}

class Member {
  topics: readonly string[] = [];
  /** In the group: subscribed, and neither closed nor expired. */
  live = false;
  closed = false;
  lastHeartbeatMs = 0;
  rejoinedRound = -1;
  /**
   * What the member believes it owns, with its positions (next offset to read).
   * invariant: while live, the keys are exactly the partitions the group gives it.
   */
  readonly positions = new Map<string, number>();
  readonly owned: TopicPartition[] = [];
  readonly pausedKeys = new Set<string>();
  readonly everOwned = new Set<string>();
  cursor = 0;

  constructor(
    readonly memberId: string,
    readonly group: Group,
    readonly autoCommit: boolean,
    readonly sessionTimeoutMs: number,
    readonly assignor: AssignorName,
  ) {}
}

class Group {
  assignor: AssignorName | null = null;
  generation = 0;
  /** Live members in join order. */
  readonly members = new Map<string, Member>();
  /** Every consumer not closed, live or expired: ids are unique among them. */
  readonly consumers = new Map<string, Member>();
  readonly owners = new Map<string, Owner>();
  readonly committed = new Map<string, number>();
  /** Topics that ever had a committed offset or a subscriber, for describeGroup. */
  readonly knownTopics = new Set<string>();
  rebalance: PendingRebalance | null = null;
  readonly history: RebalanceRecord[] = [];
  consumersCreated = 0;

  constructor(readonly groupId: string) {}
}

/** The coordinator's state and logic; {@link GroupCoordinator} is its public face. */
class CoordinatorCore {
  private readonly groups = new Map<string, Group>();
  private roundsStarted = 0;

  constructor(private readonly source: TopicSource) {}

  consumer(options: ConsumerOptions): Consumer {
    const known = requireKnownOptions("consumer options", options, CONSUMER_OPTIONS);
    const groupId = known.groupId;
    if (typeof groupId !== "string" || groupId.length === 0) {
      throw invalidArgument("groupId", "a non-empty string", groupId);
    }
    const assignor = known.assignor ?? "range";
    if (!ASSIGNORS.includes(assignor as AssignorName)) {
      throw invalidArgument("assignor", `one of ${ASSIGNORS.join(", ")}`, assignor);
    }
    const autoCommit = known.autoCommit ?? true;
    if (typeof autoCommit !== "boolean") {
      throw invalidArgument("autoCommit", "true or false", autoCommit);
    }
    const sessionTimeoutMs = integerOption(
      "sessionTimeoutMs",
      known.sessionTimeoutMs,
      CONSUMER_SESSION_TIMEOUT_MS_DEFAULT,
      1,
    );
    const group = this.groups.get(groupId) ?? new Group(groupId);
    let memberId: unknown = known.memberId;
    if (memberId === undefined) {
      let generated: string;
      do generated = `consumer-${++group.consumersCreated}`;
      while (group.consumers.has(generated));
      memberId = generated;
    } else if (typeof memberId !== "string" || memberId.length === 0) {
      throw invalidArgument("memberId", "a non-empty string", memberId);
    } else if (group.consumers.has(memberId)) {
      throw new RangeError(
        `memberId ${describeValue(memberId)} is already used by a consumer of group ${describeValue(groupId)}`,
      );
    }
    this.requireSameAssignor(group, memberId as string, assignor as AssignorName);
    const member = new Member(
      memberId as string,
      group,
      autoCommit,
      sessionTimeoutMs,
      assignor as AssignorName,
    );
    this.groups.set(groupId, group);
    group.consumers.set(member.memberId, member);
    return new GroupConsumer(this, member);
  }

  describeGroup(groupId: string): GroupDescription {
    const group = this.groups.get(groupId);
    if (group === undefined) {
      const names = [...this.groups.keys()].sort();
      const known = names.length === 0 ? "no groups exist" : `groups: ${names.join(", ")}`;
      throw new RangeError(`unknown group ${describeValue(groupId)}; ${known}`);
    }
    const members = [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      topics: m.topics.slice(),
      assignment: m.owned.slice(),
      lastHeartbeatMs: m.lastHeartbeatMs,
    }));
    const partitions: GroupPartitionDescription[] = [];
    for (const topic of [...group.knownTopics].sort()) {
      const count = this.source.partitionCount(topic);
      for (let partition = 0; partition < count; partition++) {
        const key = partitionName(topic, partition);
        const committed = group.committed.get(key) ?? null;
        const endOffset = this.source.endOffset(topic, partition);
        const from = committed ?? this.source.logStartOffset(topic, partition);
        partitions.push({
          topic,
          partition,
          owner: group.owners.get(key)?.memberId ?? null,
          committed,
          endOffset,
          lag: Math.max(0, endOffset - from),
        });
      }
    }
    const pending = group.rebalance;
    return {
      groupId,
      state: this.stateOf(group),
      generation: group.generation,
      assignor: group.assignor,
      members,
      partitions,
      lag: partitions.reduce((sum, p) => sum + p.lag, 0),
      waitingFor:
        pending === null
          ? []
          : [...group.members.values()]
              .filter((m) => m.rejoinedRound !== pending.round)
              .map((m) => m.memberId),
      rebalances: group.history.slice(),
    };
  }

  tick(nowMs: number): void {
    for (const group of this.groups.values()) {
      for (const member of [...group.members.values()]) {
        const silentMs = nowMs - member.lastHeartbeatMs;
        if (silentMs > member.sessionTimeoutMs) {
          this.removeMember(
            member,
            `member ${member.memberId}'s session expired (no poll for ${silentMs} ms > ${member.sessionTimeoutMs} ms)`,
            "expire",
          );
        }
      }
      this.maybeCompleteRound(group);
    }
  }

  // ---- consumer operations (GroupConsumer delegates here) ----

  subscribe(member: Member, topics: readonly string[]): void {
    this.requireOpen(member);
    if (!Array.isArray(topics) || topics.length === 0) {
      throw invalidArgument("topics", "a non-empty array of topic names", topics);
    }
    for (const topic of topics) {
      if (typeof topic !== "string") throw invalidArgument("topic", "a string", topic);
      this.source.partitionCount(topic);
    }
    const sorted = [...new Set(topics)].sort();
    const group = member.group;
    if (member.live) {
      if (sorted.join("\u0000") === member.topics.join("\u0000")) return;
      this.startRebalance(
        group,
        `member ${member.memberId} changed its subscription to ${sorted.join(", ")}`,
      );
      this.addStep(group, member.memberId, "subscribe");
      member.topics = sorted;
    } else {
      member.topics = sorted;
      this.join(member, `member ${member.memberId} joined`);
    }
    for (const topic of sorted) group.knownTopics.add(topic);
    this.rejoin(member, false);
  }

  poll(member: Member, options: ConsumerPollOptions | undefined): QueueRecord[] {
    this.requireOpen(member);
    const known = requireKnownOptions("poll options", options, ["maxRecords"]);
    const maxRecords = integerOption(
      "maxRecords",
      known.maxRecords,
      CONSUMER_MAX_RECORDS_DEFAULT,
      1,
    );
    if (member.topics.length === 0) {
      throw new Error(
        `consumer ${member.memberId} of group ${describeValue(member.group.groupId)} has not subscribed; call subscribe(topics) first`,
      );
    }
    const group = member.group;
    if (!member.live) {
      // A consumer that was too slow to poll: its session expired and it lost its partitions
      // (any commit of what it read since fails). Polling again makes it a new member.
      member.positions.clear();
      member.owned.length = 0;
      member.pausedKeys.clear();
      this.join(member, `member ${member.memberId} rejoined after its session expired`);
    }
    member.lastHeartbeatMs = this.source.now();
    if (member.autoCommit) this.commitPositions(member);
    this.rejoin(member, true);
    const pending = group.rebalance;
    if (pending !== null && group.assignor !== "cooperative-sticky") return [];
    return this.fetch(member, maxRecords);
  }

  commit(member: Member, offsets: readonly TopicPartitionOffset[] | undefined): void {
    this.requireOpen(member);
    const group = member.group;
    if (offsets === undefined) {
      for (const key of member.positions.keys()) this.requireOwner(member, key, "commit");
      this.commitPositions(member);
      return;
    }
    if (!Array.isArray(offsets)) {
      throw invalidArgument("offsets", "an array of { topic, partition, offset }", offsets);
    }
    const checked: [string, number][] = [];
    for (const entry of offsets as readonly TopicPartitionOffset[]) {
      const key = this.ownedKey(member, entry, "commit");
      const offset = requireIntegerAtLeast("offset", entry.offset, 0);
      this.requireNotPastEnd(entry, offset);
      checked.push([key, offset]);
    }
    for (const [key, offset] of checked) group.committed.set(key, offset);
  }

  seek(member: Member, tp: TopicPartition, offset: number): void {
    this.requireOpen(member);
    const key = this.ownedKey(member, tp, "seek");
    requireIntegerAtLeast("offset", offset, 0);
    this.requireNotPastEnd(tp, offset);
    const start = this.source.logStartOffset(tp.topic, tp.partition);
    if (offset < start) {
      throw new RangeError(
        `offset ${offset} is before the start of ${key} (log start offset ${start}: retention deleted the records before it)`,
      );
    }
    member.positions.set(key, offset);
  }

  setPaused(member: Member, tps: readonly TopicPartition[], paused: boolean): void {
    this.requireOpen(member);
    if (!Array.isArray(tps)) {
      throw invalidArgument("partitions", "an array of { topic, partition }", tps);
    }
    const keys = tps.map((tp) => this.ownedKey(member, tp, paused ? "pause" : "resume"));
    for (const key of keys) {
      if (paused) member.pausedKeys.add(key);
      else member.pausedKeys.delete(key);
    }
  }

  position(member: Member, tp: TopicPartition): number {
    this.requireOpen(member);
    return member.positions.get(this.ownedKey(member, tp, "position")) as number;
  }

  committedOffset(member: Member, tp: TopicPartition): number | null {
    this.requireOpen(member);
    this.source.partitionCount(tp.topic);
    return member.group.committed.get(partitionName(tp.topic, tp.partition)) ?? null;
  }

  close(member: Member): void {
    if (member.closed) return;
    if (member.live) {
      if (member.autoCommit) this.commitPositions(member);
      this.removeMember(member, `member ${member.memberId} left`, "leave");
      this.maybeCompleteRound(member.group);
    }
    member.closed = true;
    member.positions.clear();
    member.owned.length = 0;
    member.pausedKeys.clear();
    member.group.consumers.delete(member.memberId);
  }

  // ---- membership and rebalancing ----

  private stateOf(group: Group): ConsumerGroupState {
    if (group.rebalance !== null) return "PreparingRebalance";
    return group.members.size === 0 ? "Empty" : "Stable";
  }

  private requireOpen(member: Member): void {
    if (member.closed) {
      throw new Error(
        `consumer ${member.memberId} of group ${describeValue(member.group.groupId)} is closed`,
      );
    }
  }

  private requireSameAssignor(group: Group, memberId: string, assignor: AssignorName): void {
    if (group.members.size > 0 && group.assignor !== null && group.assignor !== assignor) {
      throw new RangeError(
        `consumer ${memberId} asks for assignor ${describeValue(assignor)}, but group ${describeValue(group.groupId)} uses ${describeValue(group.assignor)}`,
      );
    }
  }

  private join(member: Member, reason: string): void {
    const group = member.group;
    this.requireSameAssignor(group, member.memberId, member.assignor);
    if (group.members.size === 0) group.assignor = member.assignor;
    this.startRebalance(group, reason);
    this.addStep(group, member.memberId, "join");
    group.members.set(member.memberId, member);
    member.live = true;
    member.lastHeartbeatMs = this.source.now();
  }

  /** Marks the member rejoined in the pending round, which may complete it. */
  private rejoin(member: Member, atPoll: boolean): void {
    const pending = member.group.rebalance;
    if (pending === null || member.rejoinedRound === pending.round) return;
    member.rejoinedRound = pending.round;
    if (atPoll) this.addStep(member.group, member.memberId, "rejoin", member.owned);
    this.maybeCompleteRound(member.group);
  }

  /** Removes a live member (leave or expiry): its partitions have no owner until the rebalance. */
  private removeMember(member: Member, reason: string, action: "leave" | "expire"): void {
    const group = member.group;
    this.startRebalance(group, reason);
    this.addStep(group, member.memberId, action, [], member.owned);
    const pending = group.rebalance as PendingRebalance;
    const now = this.source.now();
    for (const tp of member.owned) {
      const key = partitionName(tp.topic, tp.partition);
      group.owners.delete(key);
      this.pausePartition(pending, tp, now);
    }
    // Its positions stay: a consumer that only stopped polling may try to commit them, and must
    // then learn that it lost the partitions.
    member.owned.length = 0;
    member.live = false;
    group.members.delete(member.memberId);
  }

  private currentAssignment(group: Group): Map<string, TopicPartition[]> {
    const assignment = new Map<string, TopicPartition[]>();
    for (const member of group.members.values())
      assignment.set(member.memberId, member.owned.slice());
    return assignment;
  }

  private startRebalance(group: Group, reason: string): void {
    if (group.rebalance !== null) {
      group.rebalance.reasons.push(reason);
      return;
    }
    const now = this.source.now();
    const pending: PendingRebalance = {
      round: ++this.roundsStarted,
      reasons: [reason],
      startedAtMs: now,
      before: this.currentAssignment(group),
      rounds: 0,
      target: null,
      targetInputs: "",
      pausedSince: new Map(),
      pausedEver: new Map(),
      pausedMsMax: 0,
      partitionPausedMs: 0,
      steps: [],
    };
    group.rebalance = pending;
    if (group.assignor !== "cooperative-sticky") {
      // Eager: every member gives up every partition; the whole group stops.
      for (const owned of pending.before.values()) {
        for (const tp of owned) this.pausePartition(pending, tp, now);
      }
    }
  }

  private addStep(
    group: Group,
    memberId: string,
    action: RebalanceStep["action"],
    assigned: readonly TopicPartition[] = [],
    revoked: readonly TopicPartition[] = [],
  ): void {
    group.rebalance?.steps.push({
      atMs: this.source.now(),
      memberId,
      action,
      generation: group.generation,
      assigned: assigned.slice(),
      revoked: revoked.slice(),
    });
  }

  private pausePartition(pending: PendingRebalance, tp: TopicPartition, now: number): void {
    const key = partitionName(tp.topic, tp.partition);
    if (pending.pausedSince.has(key)) return;
    pending.pausedSince.set(key, now);
    pending.pausedEver.set(key, tp);
  }

  private maybeCompleteRound(group: Group): void {
    const pending = group.rebalance;
    if (pending === null) return;
    for (const member of group.members.values()) {
      if (member.rejoinedRound !== pending.round) return;
    }
    this.completeRound(group, pending);
  }

  private completeRound(group: Group, pending: PendingRebalance): void {
    const now = this.source.now();
    const assignor = group.assignor ?? "range";
    const subscriptions = [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      topics: m.topics,
    }));
    const partitionsPerTopic = new Map<string, number>();
    for (const { topics } of subscriptions) {
      for (const topic of topics) partitionsPerTopic.set(topic, this.source.partitionCount(topic));
    }
    const current = this.currentAssignment(group);
    const inputs = JSON.stringify([subscriptions, [...partitionsPerTopic]]);
    const target =
      pending.target !== null && pending.targetInputs === inputs
        ? pending.target
        : assignPartitions(assignor, subscriptions, partitionsPerTopic, current);
    pending.rounds++;
    group.generation++;
    if (assignor === "cooperative-sticky") {
      const { revoke } = cooperativeSteps(current, target);
      const losing = [...current].some(
        ([memberId, owned]) => owned.length !== (revoke.get(memberId) ?? []).length,
      );
      if (losing) {
        // First round: members give up what moves; nobody reads it until the second round.
        this.applyAssignment(group, pending, revoke, now);
        pending.target = target;
        pending.targetInputs = inputs;
        pending.round = ++this.roundsStarted;
        this.checkOwnership(group, false);
        return;
      }
    }
    this.applyAssignment(group, pending, target, now);
    this.finishRebalance(group, pending, target, now, assignor);
  }

  /** Gives every live member exactly its partitions in `assignment`. */
  private applyAssignment(
    group: Group,
    pending: PendingRebalance,
    assignment: GroupAssignment,
    now: number,
  ): void {
    const eager = group.assignor !== "cooperative-sticky";
    const revoked = new Map<string, TopicPartition[]>();
    for (const member of group.members.values()) {
      const next = assignment.get(member.memberId) ?? [];
      const nextKeys = new Set(next.map((tp) => partitionName(tp.topic, tp.partition)));
      revoked.set(
        member.memberId,
        member.owned.filter((tp) => !nextKeys.has(partitionName(tp.topic, tp.partition))),
      );
      for (const tp of member.owned) {
        const key = partitionName(tp.topic, tp.partition);
        if (nextKeys.has(key) && !eager) continue;
        // Revoked (or, eager, every partition): commit what was read first if auto-committing.
        const position = member.positions.get(key);
        if (member.autoCommit && position !== undefined && !nextKeys.has(key)) {
          group.committed.set(key, position);
        }
        if (!nextKeys.has(key)) {
          group.owners.delete(key);
          member.pausedKeys.delete(key);
          this.pausePartition(pending, tp, now);
        }
        member.positions.delete(key);
      }
    }
    for (const member of group.members.values()) {
      const next = assignment.get(member.memberId) ?? [];
      for (const tp of next) {
        const key = partitionName(tp.topic, tp.partition);
        const owner = group.owners.get(key);
        assert(
          owner === undefined || owner.memberId === member.memberId,
          `${key} is given to ${member.memberId} only after ${owner?.memberId ?? ""} gave it up`,
        );
        if (owner === undefined)
          group.owners.set(key, { memberId: member.memberId, generation: group.generation });
        if (!member.positions.has(key)) {
          const committed = group.committed.get(key);
          const start = this.source.logStartOffset(tp.topic, tp.partition);
          member.positions.set(key, committed === undefined ? start : Math.max(committed, start));
        }
        member.everOwned.add(key);
        const since = pending.pausedSince.get(key);
        if (since !== undefined) {
          pending.pausedSince.delete(key);
          pending.pausedMsMax = Math.max(pending.pausedMsMax, now - since);
          pending.partitionPausedMs += now - since;
        }
      }
      member.owned.length = 0;
      for (const tp of next) member.owned.push({ topic: tp.topic, partition: tp.partition });
      member.owned.sort(comparePartitions);
      this.addStep(group, member.memberId, "assign", member.owned, revoked.get(member.memberId));
    }
  }

  private finishRebalance(
    group: Group,
    pending: PendingRebalance,
    target: GroupAssignment,
    now: number,
    assignor: AssignorName,
  ): void {
    // Partitions nobody subscribes to any more stop being paused without an owner.
    for (const since of pending.pausedSince.values()) {
      pending.pausedMsMax = Math.max(pending.pausedMsMax, now - since);
      pending.partitionPausedMs += now - since;
    }
    const toRecord = (assignment: ReadonlyMap<string, readonly TopicPartition[]>) => {
      const out: Record<string, readonly TopicPartition[]> = {};
      for (const [memberId, tps] of assignment) out[memberId] = tps.slice();
      return out;
    };
    group.history.push({
      generation: group.generation,
      reason: pending.reasons.join("; "),
      assignor,
      startedAtMs: pending.startedAtMs,
      completedAtMs: now,
      rounds: pending.rounds,
      members: [...group.members.keys()],
      before: toRecord(pending.before),
      after: toRecord(target),
      moved: movedPartitions(pending.before, target),
      paused: [...pending.pausedEver.values()].sort(comparePartitions),
      pausedMs: pending.pausedMsMax,
      partitionPausedMs: pending.partitionPausedMs,
      steps: pending.steps.slice(),
    });
    group.rebalance = null;
    if (group.members.size === 0) group.assignor = null;
    this.checkOwnership(group, true);
  }

  /**
   * The group's ownership invariant: every owner is a live member subscribed to the topic, and
   * agrees it owns the partition; after a completed rebalance (`complete`), every partition of
   * every subscribed topic has exactly one owner.
   */
  private checkOwnership(group: Group, complete: boolean): void {
    let ownedCount = 0;
    for (const member of group.members.values()) {
      assert(member.live, `member ${member.memberId} of the group is live`);
      assert(
        member.positions.size === member.owned.length,
        `member ${member.memberId} has a position for each partition it owns`,
      );
      for (const tp of member.owned) {
        const key = partitionName(tp.topic, tp.partition);
        assert(
          group.owners.get(key)?.memberId === member.memberId,
          `the group agrees that ${member.memberId} owns ${key}`,
        );
        assert(member.topics.includes(tp.topic), `${member.memberId} subscribes to ${tp.topic}`);
        assert(member.positions.has(key), `${member.memberId} has a position in ${key}`);
        ownedCount++;
      }
    }
    assert(ownedCount === group.owners.size, "every owned partition belongs to a live member");
    if (!complete) return;
    const topics = new Set<string>();
    for (const member of group.members.values()) for (const t of member.topics) topics.add(t);
    let expected = 0;
    for (const topic of topics) {
      const count = this.source.partitionCount(topic);
      expected += count;
      for (let p = 0; p < count; p++) {
        assert(
          group.owners.has(partitionName(topic, p)),
          `${partitionName(topic, p)} has an owner after the rebalance`,
        );
      }
    }
    assert(expected === ownedCount, "each partition is owned by exactly one live member");
  }

  // ---- offsets and fetching ----

  private commitPositions(member: Member): void {
    const group = member.group;
    for (const [key, position] of member.positions) {
      if (group.owners.get(key)?.memberId === member.memberId) group.committed.set(key, position);
    }
  }

  /** The partition's key, if `member` owns it; otherwise an error naming who does. */
  private ownedKey(member: Member, tp: TopicPartition, action: string): string {
    if (typeof tp !== "object" || tp === null || typeof tp.topic !== "string") {
      throw invalidArgument("partition", "an object { topic, partition }", tp);
    }
    const key = partitionName(tp.topic, tp.partition);
    this.requireOwner(member, key, action);
    return key;
  }

  private requireOwner(member: Member, key: string, action: string): void {
    const group = member.group;
    const owner = group.owners.get(key);
    if (owner !== undefined && owner.memberId === member.memberId && member.live) return;
    if (member.everOwned.has(key)) {
      const now =
        owner === undefined
          ? `no member owns it until group ${describeValue(group.groupId)} completes its rebalance`
          : `generation ${owner.generation} gave it to ${owner.memberId}`;
      throw new Error(
        `${action} from member ${member.memberId}, which no longer owns ${key} (${now})`,
      );
    }
    const owns =
      member.owned.length === 0 ? "it owns no partition" : `it owns ${listNames(member.owned)}`;
    throw new Error(
      `${action} from member ${member.memberId}, which does not own ${key} (${owns})`,
    );
  }

  private requireNotPastEnd(tp: TopicPartition, offset: number): void {
    const end = this.source.endOffset(tp.topic, tp.partition);
    if (offset > end) {
      throw new RangeError(
        `offset ${offset} is past the end of ${partitionName(tp.topic, tp.partition)} (end offset ${end})`,
      );
    }
  }

  /** Up to maxRecords records, an equal share per partition first, then what is left over. */
  private fetch(member: Member, maxRecords: number): QueueRecord[] {
    const eligible: TopicPartition[] = [];
    for (const tp of member.owned) {
      if (!member.pausedKeys.has(partitionName(tp.topic, tp.partition))) eligible.push(tp);
    }
    const n = eligible.length;
    const out: QueueRecord[] = [];
    if (n === 0) return out;
    // Rotate the starting partition so small polls serve every partition in turn.
    const start = member.cursor++ % n;
    const exhausted = new Array<boolean>(n).fill(false);
    const share = Math.max(1, Math.floor(maxRecords / n));
    for (const pass of [0, 1]) {
      for (let i = 0; i < n && out.length < maxRecords; i++) {
        const index = (start + i) % n;
        if (exhausted[index]) continue;
        const tp = eligible[index] as TopicPartition;
        const budget = maxRecords - out.length;
        const want = pass === 0 ? Math.min(share, budget) : budget;
        if (this.fetchPartition(member, tp, want, out) < want) exhausted[index] = true;
      }
    }
    return out;
  }

  /** Appends up to `want` records of `tp` from the member's position to `out`; returns how many. */
  private fetchPartition(
    member: Member,
    tp: TopicPartition,
    want: number,
    out: QueueRecord[],
  ): number {
    const key = partitionName(tp.topic, tp.partition);
    let position = member.positions.get(key) as number;
    const start = this.source.logStartOffset(tp.topic, tp.partition);
    // Retention deleted records the group had not read: they are lost; continue at the start.
    if (position < start) position = start;
    const end = this.source.endOffset(tp.topic, tp.partition);
    if (position >= end) {
      member.positions.set(key, position);
      return 0;
    }
    const records = this.source.read(tp.topic, tp.partition, position, want);
    for (const record of records) out.push(record);
    const last = records[records.length - 1];
    // Compaction may leave no record in [position, end): the position moves past the gap.
    member.positions.set(key, last === undefined ? end : last.offset + 1);
    return records.length;
  }
}

/**
 * The group coordinator: consumers, membership, rebalances and committed offsets of every group
 * of one broker. The Broker owns one and calls {@link GroupCoordinator.tick} when its clock moves.
 *
 * Protocol: a join (subscribe), leave (close), expiry (no poll for more than sessionTimeoutMs) or
 * subscription change starts a rebalance; each live member rejoins at its next poll; when all
 * have (or the others expired) the assignor's new assignment takes effect as a new generation.
 * Eager assignors ("range", "roundrobin", "sticky") stop every partition from the start of the
 * rebalance to its end, and members restart every partition from the committed offset.
 * "cooperative-sticky" (KIP-429) stops only the partitions that move: a first round revokes them,
 * a second round gives them to their new owners; the others keep flowing and keep positions.
 */
export class GroupCoordinator {
  private readonly core: CoordinatorCore;

  constructor(source: TopicSource) {
    this.core = new CoordinatorCore(source);
  }

  /**
   * A new consumer of group `options.groupId`. It joins the group at {@link Consumer.subscribe}.
   *
   * @throws RangeError for a bad option, a memberId in use, or an assignor the group does not use.
   */
  consumer(options: ConsumerOptions): Consumer {
    return this.core.consumer(options);
  }

  /**
   * A group's state, generation, members with their partitions, committed offsets, lag per
   * partition and its rebalance history.
   *
   * @throws RangeError for a group no consumer was ever created in.
   */
  describeGroup(groupId: string): GroupDescription {
    return this.core.describeGroup(groupId);
  }

  /**
   * Acts on the broker clock: removes every member whose last poll is more than its
   * sessionTimeoutMs before `nowMs` (a crashed consumer), which starts or completes a rebalance.
   */
  tick(nowMs: number): void {
    this.core.tick(nowMs);
  }
}

/** The consumer handed out by the coordinator: a thin face over its member state. */
class GroupConsumer implements Consumer {
  constructor(
    private readonly coordinator: CoordinatorCore,
    private readonly member: Member,
  ) {}

  get memberId(): string {
    return this.member.memberId;
  }

  get groupId(): string {
    return this.member.group.groupId;
  }

  subscribe(topics: readonly string[]): void {
    this.coordinator.subscribe(this.member, topics);
  }

  poll(options?: ConsumerPollOptions): QueueRecord[] {
    return this.coordinator.poll(this.member, options);
  }

  commit(offsets?: readonly TopicPartitionOffset[]): void {
    this.coordinator.commit(this.member, offsets);
  }

  seek(partition: TopicPartition, offset: number): void {
    this.coordinator.seek(this.member, partition, offset);
  }

  pause(partitions: readonly TopicPartition[]): void {
    this.coordinator.setPaused(this.member, partitions, true);
  }

  resume(partitions: readonly TopicPartition[]): void {
    this.coordinator.setPaused(this.member, partitions, false);
  }

  paused(): TopicPartition[] {
    return this.member.owned.filter((tp) =>
      this.member.pausedKeys.has(partitionName(tp.topic, tp.partition)),
    );
  }

  close(): void {
    this.coordinator.close(this.member);
  }

  assignment(): TopicPartition[] {
    if (this.member.closed) return [];
    return this.member.owned.map((tp) => ({ topic: tp.topic, partition: tp.partition }));
  }

  position(partition: TopicPartition): number {
    return this.coordinator.position(this.member, partition);
  }

  committed(partition: TopicPartition): number | null {
    return this.coordinator.committedOffset(this.member, partition);
  }
}
