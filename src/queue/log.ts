// One partition of a topic: an append-only log of records with offsets (Kreps, Narkhede, Rao,
// "Kafka: a Distributed Messaging System for Log Processing", NetDB 2011, §3.1: simple storage),
// with retention by time and size and compaction by key (Kafka's log cleaner).

import {
  assert,
  describeValue,
  integerOption,
  invalidArgument,
  InvariantViolation,
  requireIntegerAtLeast,
  requireNumberAtLeast,
} from "../sim/assert.js";
import type { ProducerRecord, QueueRecord, RecordHeaders } from "./types.js";

/** The headers of a record sent without any: one shared frozen object, so no allocation per record. */
const NO_HEADERS: RecordHeaders = Object.freeze({});

/** Most records one read returns. */
export const READ_RECORDS_MAX = 1_000_000;

/** How a partition log keeps its records; the topic's retention settings. */
export interface PartitionLogOptions {
  /** Records with timestamp <= now - retentionMs are deleted by retention. Default: never. */
  readonly retentionMs?: number;
  /** Retention deletes the oldest records while the log holds more bytes. Default: no limit. */
  readonly retentionBytes?: number;
  /** Records per segment, an integer in [1, 2^20]. Default 4096; tests use tiny segments. */
  readonly segmentRecords?: number;
}

/** Bytes of `text` in UTF-8, without an encoder (the library also runs in browser workers). */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      // A surrogate pair is 4 bytes for 2 UTF-16 units; a lone surrogate encodes as U+FFFD (3).
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 2;
        i++;
      } else bytes += 2;
    } else bytes += 2;
  }
  return bytes;
}

function recordBytes(key: string | null, value: string): number {
  return (key === null ? 0 : utf8Length(key)) + utf8Length(value);
}

function requireHeaders(headers: unknown): RecordHeaders {
  if (headers === undefined) return NO_HEADERS;
  if (typeof headers !== "object" || headers === null || Array.isArray(headers)) {
    throw invalidArgument("record headers", "an object of string values", headers);
  }
  const copy: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== "string") {
      throw invalidArgument(`header ${describeValue(name)}`, "a string", value);
    }
    copy[name] = value;
  }
  return Object.freeze(copy);
}

/** The last send of one idempotent producer to this partition (Kafka's producer state). */
interface ProducerState {
  sequence: number;
  offset: number;
}

/** Default records per segment: small enough that a segment's arrays are cheap young objects. */
export const SEGMENT_RECORDS_DEFAULT = 4096;
/** Most records per segment. */
export const SEGMENT_RECORDS_MAX = 1 << 20;

/**
 * A run of up to `capacity` consecutive records of a log, stored column-wise (Kafka keeps a
 * partition as a list of segment files for the same reason: old segments are dropped whole, new
 * records only touch the last one). Columns of keys and headers exist only once a record has one.
 */
class Segment {
  readonly values: string[];
  // The broker clock moves only when told, so a segment's records often share one timestamp:
  // the column exists only once they differ.
  timestamps: number[] | null = null;
  firstTimestamp = 0;
  keys: (string | null)[] | null = null;
  headerSets: RecordHeaders[] | null = null;
  // null while index i holds offset baseOffset + i; after compaction, each index's offset.
  offsets: number[] | null = null;
  // invariant: 0 <= length <= capacity; indexes [0, length) are filled.
  length = 0;

  constructor(
    readonly baseOffset: number,
    readonly capacity: number,
  ) {
    this.values = new Array<string>(capacity);
  }

  offsetAt(index: number): number {
    return this.offsets === null ? this.baseOffset + index : (this.offsets[index] as number);
  }

  timestampAt(index: number): number {
    return this.timestamps === null ? this.firstTimestamp : (this.timestamps[index] as number);
  }

  keyAt(index: number): string | null {
    return this.keys === null ? null : (this.keys[index] ?? null);
  }

  headersAt(index: number): RecordHeaders {
    return this.headerSets === null ? NO_HEADERS : (this.headerSets[index] ?? NO_HEADERS);
  }

  push(
    offset: number,
    timestamp: number,
    key: string | null,
    value: string,
    headers: RecordHeaders,
  ): void {
    const index = this.length;
    // The hot path of every append: plain checks rather than assert() calls.
    if (index >= this.capacity) {
      throw new InvariantViolation("a full segment takes no more records");
    }
    if (this.offsets !== null) this.offsets[index] = offset;
    else if (offset !== this.baseOffset + index) {
      throw new InvariantViolation("a dense segment's offsets are consecutive");
    }
    this.values[index] = value;
    if (index === 0) this.firstTimestamp = timestamp;
    else if (this.timestamps === null && timestamp !== this.firstTimestamp) {
      this.timestamps = new Array<number>(this.capacity).fill(this.firstTimestamp, 0, index);
    }
    if (this.timestamps !== null) this.timestamps[index] = timestamp;
    if (key !== null) (this.keys ??= new Array<string | null>(this.capacity))[index] = key;
    if (headers !== NO_HEADERS) {
      (this.headerSets ??= new Array<RecordHeaders>(this.capacity))[index] = headers;
    }
    this.length = index + 1;
  }

  /** Index of the first record with an offset >= `offset` (length if none). */
  indexOf(offset: number): number {
    if (this.offsets === null) {
      return Math.max(0, Math.min(offset - this.baseOffset, this.length));
    }
    let low = 0;
    let high = this.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.offsets[middle] as number) < offset) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

/**
 * One partition's log. Offsets are 0, 1, 2, ... in append order and never reused: retention
 * deletes records from the head (moving {@link logStartOffset}), compaction deletes older records
 * of a key anywhere (offsets stay, reads skip the gaps).
 *
 * Storage is a list of segments (4096 records by default), each column-wise: values, and
 * timestamps, keys and headers only once records differ in them. An append writes a slot or two
 * and keeps no object per record alive (a million retained record objects cost the garbage
 * collector more than the appends themselves); a read builds the records it returns.
 *
 * @example
 * const log = new PartitionLog("orders", 0);
 * log.append([{ key: "a", value: "1" }, { key: "b", value: "2" }], 0); // 0
 * log.read(1, 10).map((record) => record.value); // ["2"]
 */
export class PartitionLog {
  /** `topic-partition`, as Kafka names a partition in messages. */
  readonly name: string;
  readonly retentionMs: number | undefined;
  readonly retentionBytes: number | undefined;
  readonly segmentRecords: number;

  // invariant: segments[first..] hold the stored records, offsets strictly increasing across them;
  // the stored ones start at index headIndex of segments[first].
  private segments: Segment[] = [];
  private first = 0;
  private headIndex = 0;
  private stored = 0;
  // invariant: startOffset <= offset at the head (when any) and startOffset <= nextOffset.
  private startOffset = 0;
  private nextOffset = 0;
  private lastTimestamp = -Infinity;
  // Bytes of the stored keys and values, kept only with retentionBytes (UTF-8 lengths cost a scan).
  private bytes = 0;
  // endOffset at the last compaction (-1: never compacted).
  private compactedTo = -1;
  private readonly producers = new Map<number, ProducerState>();

  constructor(
    readonly topic: string,
    readonly partition: number,
    options: PartitionLogOptions = {},
  ) {
    this.name = `${topic}-${partition}`;
    this.retentionMs =
      options.retentionMs === undefined
        ? undefined
        : requireNumberAtLeast("retentionMs", options.retentionMs, 0);
    this.retentionBytes =
      options.retentionBytes === undefined
        ? undefined
        : requireIntegerAtLeast("retentionBytes", options.retentionBytes, 0);
    this.segmentRecords = integerOption(
      "segmentRecords",
      options.segmentRecords,
      SEGMENT_RECORDS_DEFAULT,
      1,
      SEGMENT_RECORDS_MAX,
    );
  }

  /** The first offset a read may start at: every record below it was deleted by retention. */
  get logStartOffset(): number {
    return this.startOffset;
  }

  /** The offset the next append gets (one past the last record ever appended). */
  get endOffset(): number {
    return this.nextOffset;
  }

  /** Records stored now (fewer than `endOffset - logStartOffset` after compaction). */
  get recordsCount(): number {
    return this.stored;
  }

  /** UTF-8 bytes of the keys and values stored now. */
  get sizeBytes(): number {
    if (this.retentionBytes !== undefined) return this.bytes;
    let bytes = 0;
    this.forEachStored((segment, index) => {
      bytes += recordBytes(segment.keyAt(index), segment.values[index] as string);
    });
    return bytes;
  }

  /**
   * Appends `records` with timestamp `nowMs` (the broker's clock); returns the first one's offset
   * (the others follow it, one apart).
   */
  append(records: readonly ProducerRecord[], nowMs: number): number {
    if (!Array.isArray(records)) throw invalidArgument("records", "an array of records", records);
    const firstOffset = this.nextOffset;
    for (const record of records) {
      this.appendRecord(record, nowMs);
    }
    return firstOffset;
  }

  /**
   * Appends one record and returns its offset. With `producerId >= 0` the append is idempotent
   * (Kafka's KIP-98): `sequence` numbers that producer's sends to this partition 0, 1, 2, ...; a
   * resend of the last sequence appended is acknowledged with its original offset and not appended
   * again; any other sequence than the last or the next is refused.
   */
  appendRecord(record: ProducerRecord, nowMs: number, producerId = -1, sequence = -1): number {
    if (producerId >= 0) {
      const state = this.producers.get(producerId);
      const last = state === undefined ? -1 : state.sequence;
      if (state !== undefined && sequence === last) return state.offset;
      if (sequence !== last + 1) {
        throw new RangeError(
          `producer ${producerId} sent sequence ${describeValue(sequence)} to ${this.name}, ` +
            `expected ${last + 1} (or ${last}, a resend)`,
        );
      }
    }
    if (typeof record !== "object" || record === null) {
      throw invalidArgument("record", "an object { key?, value, headers? }", record);
    }
    const { key, value } = record;
    if (typeof value !== "string") throw invalidArgument("record value", "a string", value);
    if (key !== undefined && key !== null && typeof key !== "string") {
      throw invalidArgument("record key", "a string, null or undefined", key);
    }
    if (typeof nowMs !== "number" || !(nowMs >= this.lastTimestamp && nowMs < Infinity)) {
      // The broker's clock never goes back; a direct caller's timestamps must not either.
      const last = this.lastTimestamp;
      const allowed = last === -Infinity ? "" : ` >= ${last} (the last append's timestamp)`;
      throw invalidArgument("nowMs", `a finite number${allowed}`, nowMs);
    }
    const headers = requireHeaders(record.headers);
    const offset = this.nextOffset;
    let segment = this.segments[this.segments.length - 1];
    if (segment === undefined || segment.length === segment.capacity) {
      segment = new Segment(offset, this.segmentRecords);
      this.segments.push(segment);
    }
    segment.push(offset, nowMs, key ?? null, value, headers);
    this.stored++;
    this.nextOffset = offset + 1;
    this.lastTimestamp = nowMs;
    if (this.retentionBytes !== undefined) this.bytes += recordBytes(key ?? null, value);
    if (producerId >= 0) {
      const state = this.producers.get(producerId);
      if (state === undefined) this.producers.set(producerId, { sequence, offset });
      else {
        state.sequence = sequence;
        state.offset = offset;
      }
    }
    return offset;
  }

  /**
   * Up to `maxRecords` records from `offset` on, in offset order, skipping offsets compaction
   * removed. `offset` must be in [logStartOffset, endOffset]; at `endOffset` the answer is empty.
   * Each read builds new record objects: replaying an offset gives equal records, not the same
   * objects.
   */
  read(offset: number, maxRecords: number): QueueRecord[] {
    if (!Number.isInteger(offset)) throw invalidArgument("offset", "an integer", offset);
    if (offset < this.startOffset || offset > this.nextOffset) {
      throw new RangeError(
        `offset ${offset} is out of range [${this.startOffset}, ${this.nextOffset}] for ${this.name}`,
      );
    }
    if (!Number.isInteger(maxRecords) || maxRecords < 1 || maxRecords > READ_RECORDS_MAX) {
      throw invalidArgument("maxRecords", `an integer in [1, ${READ_RECORDS_MAX}]`, maxRecords);
    }
    const out: QueueRecord[] = [];
    if (this.stored === 0) return out;
    const { topic, partition, segments } = this;
    let s = this.segmentOf(offset);
    let segment = segments[s] as Segment;
    let index = segment.indexOf(offset);
    if (s === this.first && index < this.headIndex) index = this.headIndex;
    while (out.length < maxRecords) {
      const end = Math.min(segment.length, index + (maxRecords - out.length));
      const { values } = segment;
      for (; index < end; index++) {
        out.push({
          topic,
          partition,
          offset: segment.offsetAt(index),
          timestamp: segment.timestampAt(index),
          key: segment.keyAt(index),
          value: values[index] as string,
          headers: segment.headersAt(index),
        });
      }
      if (index < segment.length || ++s === segments.length) break;
      segment = segments[s] as Segment;
      index = 0;
    }
    return out;
  }

  /**
   * Retention by time, then by size: deletes records from the head and moves logStartOffset past
   * them. Returns how many records it deleted. The broker runs it whenever its clock moves, as
   * Kafka's retention check runs periodically rather than on every append.
   */
  applyRetention(nowMs: number): number {
    let deleted = 0;
    const { retentionMs, retentionBytes } = this;
    if (retentionMs !== undefined) {
      const cutoff = nowMs - retentionMs;
      while (this.stored > 0) {
        const head = this.segments[this.first] as Segment;
        if (head.timestampAt(this.headIndex) > cutoff) break;
        this.deleteHead();
        deleted++;
      }
    }
    if (retentionBytes !== undefined) {
      while (this.stored > 0 && this.bytes > retentionBytes) {
        this.deleteHead();
        deleted++;
      }
    }
    if (this.first > 64 && this.first * 2 > this.segments.length) {
      this.segments = this.segments.slice(this.first);
      this.first = 0;
    }
    return deleted;
  }

  /**
   * Log compaction: keeps only the latest record of each key (and every keyless record). Offsets
   * do not change, and neither does logStartOffset; reads skip the removed offsets. Unlike Kafka,
   * which leaves the active segment alone, this compacts the whole log. Returns how many records
   * it deleted.
   */
  compact(): number {
    // Nothing appended since the last compaction: the log is still compact.
    if (this.nextOffset === this.compactedTo) return 0;
    this.compactedTo = this.nextOffset;
    const lastOffsetOfKey = new Map<string, number>();
    this.forEachStored((segment, index) => {
      const key = segment.keyAt(index);
      if (key !== null) lastOffsetOfKey.set(key, segment.offsetAt(index));
    });
    const compacted: Segment[] = [];
    let kept = 0;
    this.forEachStored((segment, index) => {
      const key = segment.keyAt(index);
      const offset = segment.offsetAt(index);
      if (key !== null && lastOffsetOfKey.get(key) !== offset) return;
      let target = compacted[compacted.length - 1];
      if (target === undefined || target.length === target.capacity) {
        target = new Segment(offset, this.segmentRecords);
        target.offsets = new Array<number>(this.segmentRecords);
        compacted.push(target);
      }
      const value = segment.values[index] as string;
      const timestamp = segment.timestampAt(index);
      target.push(offset, timestamp, key, value, segment.headersAt(index));
      kept++;
    });
    const deleted = this.stored - kept;
    if (deleted === 0) return 0;
    this.segments = compacted;
    this.first = 0;
    this.headIndex = 0;
    this.stored = kept;
    if (this.retentionBytes !== undefined) {
      this.bytes = 0;
      this.forEachStored((segment, index) => {
        this.bytes += recordBytes(segment.keyAt(index), segment.values[index] as string);
      });
    }
    return deleted;
  }

  /** Calls `visit` on every stored record, oldest first. */
  private forEachStored(visit: (segment: Segment, index: number) => void): void {
    for (let s = this.first; s < this.segments.length; s++) {
      const segment = this.segments[s] as Segment;
      for (let index = s === this.first ? this.headIndex : 0; index < segment.length; index++) {
        visit(segment, index);
      }
    }
  }

  /** The last segment at or after `first` whose first offset is <= `offset` (or `first`). */
  private segmentOf(offset: number): number {
    let low = this.first;
    let high = this.segments.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if ((this.segments[middle] as Segment).offsetAt(0) <= offset) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  private deleteHead(): void {
    const segment = this.segments[this.first] as Segment;
    const index = this.headIndex;
    assert(index < segment.length, "the head is a stored record");
    if (this.retentionBytes !== undefined) {
      this.bytes -= recordBytes(segment.keyAt(index), segment.values[index] as string);
      assert(this.bytes >= 0, "the stored size never goes below zero");
    }
    this.startOffset = segment.offsetAt(index) + 1;
    this.stored--;
    this.headIndex = index + 1;
    // Past the segment's last record: move to the next segment, unless appends still go here.
    const full = segment.length === segment.capacity;
    if (this.headIndex === segment.length && (full || this.first < this.segments.length - 1)) {
      this.first++;
      this.headIndex = 0;
    }
  }
}
