// A Merkle tree over key buckets for anti-entropy (Merkle 1987; used this way by Dynamo, SOSP 2007
// §4.7): two replicas compare root hashes, descend only into differing subtrees, then compare keys.

import { assert, integerOption, invalidArgument, requireKnownOptions } from "../../sim/index.js";
import { fmix32, murmur3 } from "../../hashing/murmur3.js";

/** Most levels below the root: 2^20 leaf buckets. */
export const MERKLE_DEPTH_MAX = 20;

/** Options of {@link MerkleTree}. */
export interface MerkleTreeOptions {
  /** Levels below the root, an integer in [0, 20]: the tree has 2^depth leaf buckets. Default 10. */
  readonly depth?: number;
}

/** What {@link MerkleTree.diff} found, and what it cost. */
export interface MerkleDiff {
  /** Keys whose content differs or that only one tree has, sorted. */
  readonly keys: string[];
  /** Tree nodes whose hashes were compared (a full comparison compares every key instead). */
  readonly nodesCompared: number;
  /** Leaf buckets that differed. */
  readonly bucketsDiffering: number;
  /** Key digests compared inside the differing buckets. */
  readonly keysCompared: number;
}

const DIGEST_SEED_HIGH = 0x9e3779b9;
const DIGEST_SEED_LOW = 0x85ebca6b;
const BUCKET_SEED = 0x5bd1e995;

interface Digest {
  readonly high: number;
  readonly low: number;
}

/** A 64-bit digest of one key and its content: two 32-bit murmur3 hashes. */
function digestOf(key: string, content: string): Digest {
  const text = `${key}\u0000${content}`;
  return { high: murmur3(text, DIGEST_SEED_HIGH), low: murmur3(text, DIGEST_SEED_LOW) };
}

function hex(high: number, low: number): string {
  return (high >>> 0).toString(16).padStart(8, "0") + (low >>> 0).toString(16).padStart(8, "0");
}

/**
 * A fixed-shape binary Merkle tree: keys fall into 2^depth leaf buckets by hash; a leaf's hash
 * combines the digests of its keys and their contents (XOR, so one key changes it in O(1)); an
 * inner node's hash mixes its two children's. Equal roots mean equal contents (up to a 64-bit,
 * non-cryptographic hash collision); different roots lead, level by level, to the differing
 * buckets only. Inner hashes are recomputed lazily, after changes, when read.
 *
 * @example
 * const a = new MerkleTree({ depth: 4 });
 * const b = new MerkleTree({ depth: 4 });
 * a.set("x", "1"); b.set("x", "1");
 * a.set("y", "2"); b.set("y", "3");
 * a.rootHash() === b.rootHash(); // false
 * a.diff(b).keys;                // ["y"]
 */
export class MerkleTree {
  /** Levels below the root. */
  readonly depth: number;
  /** Leaf buckets: 2^depth. */
  readonly leavesCount: number;
  private readonly high: Int32Array;
  private readonly low: Int32Array;
  // invariant: dirty[node] is 0 only if the node's hash is up to date with its subtree.
  private readonly dirty: Uint8Array;
  private readonly buckets: Map<string, Digest>[];
  private keysCount = 0;

  constructor(options: MerkleTreeOptions = {}) {
    const checked = requireKnownOptions("MerkleTree options", options, ["depth"]);
    this.depth = integerOption("options.depth", checked.depth, 10, 0, MERKLE_DEPTH_MAX);
    this.leavesCount = 2 ** this.depth;
    const nodesCount = 2 * this.leavesCount - 1;
    this.high = new Int32Array(nodesCount);
    this.low = new Int32Array(nodesCount);
    this.dirty = new Uint8Array(nodesCount);
    this.buckets = Array.from({ length: this.leavesCount }, () => new Map<string, Digest>());
  }

  /** Number of keys in the tree. */
  get size(): number {
    return this.keysCount;
  }

  /** The leaf bucket of `key`: an integer in [0, 2^depth). */
  bucketOf(key: string): number {
    if (typeof key !== "string") throw invalidArgument("key", "a string", key);
    return this.depth === 0 ? 0 : murmur3(key, BUCKET_SEED) >>> (32 - this.depth);
  }

  /** Sets `key`'s content (a version's text: value and timestamp, say). */
  set(key: string, content: string): void {
    if (typeof content !== "string")
      throw invalidArgument(`content of "${key}"`, "a string", content);
    const bucket = this.bucketOf(key);
    const digests = this.buckets[bucket] as Map<string, Digest>;
    const old = digests.get(key);
    const digest = digestOf(key, content);
    if (old === undefined) this.keysCount++;
    else this.toggle(bucket, old);
    digests.set(key, digest);
    this.toggle(bucket, digest);
  }

  /** Removes `key`; removing an absent key does nothing. */
  delete(key: string): void {
    const bucket = this.bucketOf(key);
    const digests = this.buckets[bucket] as Map<string, Digest>;
    const old = digests.get(key);
    if (old === undefined) return;
    digests.delete(key);
    this.keysCount--;
    this.toggle(bucket, old);
  }

  /** True if the tree holds `key`. */
  has(key: string): boolean {
    return (this.buckets[this.bucketOf(key)] as Map<string, Digest>).has(key);
  }

  /** The 16-hex-digit digest of `key` and its content, or undefined when absent. */
  digestOf(key: string): string | undefined {
    const digest = (this.buckets[this.bucketOf(key)] as Map<string, Digest>).get(key);
    return digest === undefined ? undefined : hex(digest.high, digest.low);
  }

  /** The keys of one leaf bucket, sorted. */
  keysInBucket(bucket: number): string[] {
    return [...this.bucketMap(bucket).keys()].sort();
  }

  /** key → digest (16 hex digits) of one leaf bucket. */
  bucketDigests(bucket: number): Map<string, string> {
    const out = new Map<string, string>();
    for (const [key, digest] of this.bucketMap(bucket)) out.set(key, hex(digest.high, digest.low));
    return out;
  }

  /** The root hash: 16 hex digits. */
  rootHash(): string {
    return this.hashAt(0, 0);
  }

  /**
   * The hash of node `index` at `level` (0 is the root, `depth` the leaves; index in
   * [0, 2^level)), 16 hex digits.
   */
  hashAt(level: number, index: number): string {
    const node = this.nodeOf(level, index);
    this.refresh(node);
    return hex(this.high[node] as number, this.low[node] as number);
  }

  /**
   * The keys whose contents differ between this tree and `other` (or that only one has): descends
   * from the roots into differing subtrees only, then compares the digests of differing buckets.
   *
   * @throws RangeError when the trees have different depths.
   */
  diff(other: MerkleTree): MerkleDiff {
    if (!(other instanceof MerkleTree) || other.depth !== this.depth) {
      throw invalidArgument("other", `a MerkleTree of depth ${this.depth}`, other?.depth);
    }
    const keys: string[] = [];
    let nodesCompared = 0;
    let bucketsDiffering = 0;
    let keysCompared = 0;
    const firstLeaf = this.leavesCount - 1;
    const stack = [0];
    while (stack.length > 0) {
      const node = stack.pop() as number;
      this.refresh(node);
      other.refresh(node);
      nodesCompared++;
      if (this.high[node] === other.high[node] && this.low[node] === other.low[node]) continue;
      if (node < firstLeaf) {
        stack.push(2 * node + 2, 2 * node + 1);
        continue;
      }
      bucketsDiffering++;
      const mine = this.buckets[node - firstLeaf] as Map<string, Digest>;
      const theirs = other.buckets[node - firstLeaf] as Map<string, Digest>;
      for (const [key, digest] of mine) {
        keysCompared++;
        const twin = theirs.get(key);
        if (twin === undefined || twin.high !== digest.high || twin.low !== digest.low) {
          keys.push(key);
        }
      }
      for (const key of theirs.keys()) {
        if (!mine.has(key)) {
          keysCompared++;
          keys.push(key);
        }
      }
    }
    keys.sort();
    return { keys, nodesCompared, bucketsDiffering, keysCompared };
  }

  private bucketMap(bucket: number): Map<string, Digest> {
    if (!Number.isInteger(bucket) || bucket < 0 || bucket >= this.leavesCount) {
      throw invalidArgument("bucket", `an integer in [0, ${this.leavesCount - 1}]`, bucket);
    }
    return this.buckets[bucket] as Map<string, Digest>;
  }

  private nodeOf(level: number, index: number): number {
    if (!Number.isInteger(level) || level < 0 || level > this.depth) {
      throw invalidArgument("level", `an integer in [0, ${this.depth}]`, level);
    }
    const width = 2 ** level;
    if (!Number.isInteger(index) || index < 0 || index >= width) {
      throw invalidArgument("index", `an integer in [0, ${width - 1}] at level ${level}`, index);
    }
    return width - 1 + index;
  }

  /** XORs a digest into a leaf (adding or removing it) and marks the path to the root dirty. */
  private toggle(bucket: number, digest: Digest): void {
    let node = this.leavesCount - 1 + bucket;
    this.high[node] = (this.high[node] as number) ^ digest.high;
    this.low[node] = (this.low[node] as number) ^ digest.low;
    while (node > 0) {
      node = (node - 1) >> 1;
      if (this.dirty[node] === 1) break;
      this.dirty[node] = 1;
    }
  }

  /** Recomputes a node's hash from its children if a change below made it stale. */
  private refresh(node: number): void {
    if (this.dirty[node] === 0) return;
    const left = 2 * node + 1;
    const right = left + 1;
    assert(right < this.high.length, "only inner nodes are ever dirty");
    this.refresh(left);
    this.refresh(right);
    const lh = this.high[left] as number;
    const ll = this.low[left] as number;
    const rh = this.high[right] as number;
    const rl = this.low[right] as number;
    // An empty subtree keeps hash 0, so sparse trees stay cheap to compare.
    if ((lh | ll | rh | rl) === 0) {
      this.high[node] = 0;
      this.low[node] = 0;
    } else {
      const high = fmix32(lh ^ Math.imul(rh ^ 0x1b873593, 0xcc9e2d51));
      this.high[node] = high;
      this.low[node] = fmix32(ll ^ Math.imul(rl ^ high, 0x85ebca6b) ^ 0xe6546b64);
    }
    this.dirty[node] = 0;
  }
}
