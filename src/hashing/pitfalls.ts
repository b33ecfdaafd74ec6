// Three mistakes of the naive consistent-hashing sketch, each shown by running it: a negative
// bucket from Math.abs(hashCode) % n (Java's String.hashCode), what 4 bytes of MD5 cost (point
// collisions decided by list order), and one digest object shared by interleaved tasks.

import {
  describeValue,
  invalidArgument,
  requireIntegerIn,
  requireKnownOptions,
} from "../sim/assert.js";
import { requireBuckets } from "./hash.js";
import { KetamaRing } from "./ketama.js";
import { type Md5Hasher, createMd5, md5FirstWordUnchecked, md5Hex } from "./md5.js";

// ---------------------------------------------------------------- Math.abs(hashCode) % n

/**
 * Java's `String.hashCode()`: `s[0]·31^(n-1) + s[1]·31^(n-2) + ... + s[n-1]` over UTF-16 code
 * units, in 32-bit two's-complement arithmetic (it overflows and wraps), as a signed integer.
 *
 * @throws RangeError for a value that is not a string.
 *
 * @example
 * javaStringHashCode("hello");              // 99162322
 * javaStringHashCode("polygenelubricants"); // -2147483648, Integer.MIN_VALUE
 */
export function javaStringHashCode(text: string): number {
  if (typeof text !== "string") throw invalidArgument("text", "a string", text);
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return h;
}

/**
 * Java's `Math.abs(int)`, faithfully: `x < 0 ? -x : x` in 32-bit arithmetic. For
 * Integer.MIN_VALUE (-2^31) the negation overflows back to -2^31, so the "absolute value" is
 * negative (the Javadoc says so). JavaScript's `Math.abs` works on doubles and returns 2^31.
 *
 * @throws RangeError for a value that is not a 32-bit signed integer.
 *
 * @example
 * javaMathAbs(-5);          // 5
 * javaMathAbs(-2147483648); // -2147483648
 * Math.abs(-2147483648);    // 2147483648 (JavaScript: no overflow)
 */
export function javaMathAbs(x: number): number {
  if (typeof x !== "number" || (x | 0) !== x) {
    throw invalidArgument("x", "an integer in [-2147483648, 2147483647]", x);
  }
  return (x < 0 ? -x : x) | 0;
}

/**
 * The naive bucket of the sketch, `Math.abs(key.hashCode()) % buckets`, computed as Java computes
 * it (`%` takes the sign of the dividend, in Java as in JavaScript). For a key whose hashCode is
 * Integer.MIN_VALUE the result is negative: an array index out of bounds, or a request sent to
 * server -8. One key in 2^32, so it passes every test and then fails in production.
 *
 * @param key - any string.
 * @param buckets - an integer in [1, 2^31 - 1].
 * @throws RangeError for a bad key or bucket count.
 *
 * @example
 * naiveJavaBucket("hello", 10);              // 2
 * naiveJavaBucket("polygenelubricants", 10); // -8
 */
export function naiveJavaBucket(key: string, buckets: number): number {
  requireBuckets(buckets);
  return javaMathAbs(javaStringHashCode(key)) % buckets;
}

/** What {@link absHashCodePitfall} shows. */
export interface AbsHashCodePitfall {
  readonly key: string;
  readonly buckets: number;
  /** `key.hashCode()`: Integer.MIN_VALUE. */
  readonly hashCode: number;
  /** Java's `Math.abs(hashCode)`: still negative. */
  readonly javaAbs: number;
  /** JavaScript's `Math.abs(hashCode)` on doubles: positive, which hides the bug in a JS port. */
  readonly jsMathAbs: number;
  /** `Math.abs(hashCode) % buckets` in Java: negative. */
  readonly naiveBucket: number;
  /** The fix `Math.floorMod(hashCode, buckets)`: always in [0, buckets). */
  readonly floorModBucket: number;
  /** The other fix `(hashCode & 0x7fffffff) % buckets`: clears the sign bit first. */
  readonly maskedBucket: number;
}

/**
 * The `Math.abs(hashCode) % n` bug, on a key whose Java hashCode is Integer.MIN_VALUE:
 * `"polygenelubricants"` (also `"GydZG_"` and `"DESIGNING WORKHOUSES"`). The faithful 32-bit
 * port returns a negative bucket; JavaScript's own `Math.abs` does not, because JS numbers are
 * doubles, which is why the bug does not survive a naive translation and why a port must
 * emulate int arithmetic to show it. Fixes: `Math.floorMod(h, n)`, `(h & 0x7fffffff) % n`, or a
 * placement that never sees a signed hash (the ring and jump hash here use unsigned 32/64-bit
 * values).
 *
 * @param key - default `"polygenelubricants"`.
 * @param buckets - default 10.
 *
 * @example
 * absHashCodePitfall();
 * // { key: "polygenelubricants", hashCode: -2147483648, javaAbs: -2147483648,
 * //   jsMathAbs: 2147483648, naiveBucket: -8, floorModBucket: 2, maskedBucket: 0, buckets: 10 }
 */
export function absHashCodePitfall(key = "polygenelubricants", buckets = 10): AbsHashCodePitfall {
  requireBuckets(buckets);
  const hashCode = javaStringHashCode(key);
  return {
    key,
    buckets,
    hashCode,
    javaAbs: javaMathAbs(hashCode),
    jsMathAbs: Math.abs(hashCode),
    naiveBucket: naiveJavaBucket(key, buckets),
    floorModBucket: ((hashCode % buckets) + buckets) % buckets,
    maskedBucket: (hashCode & 0x7fffffff) % buckets,
  };
}

// ---------------------------------------------------------------- 4 bytes of MD5

/**
 * Expected number of colliding pairs among `pointsCount` positions drawn uniformly from 2^bits:
 * the birthday bound, P(P - 1) / 2 / 2^bits. With 4 bytes of MD5 per point (bits = 32) it is
 * about 0.0003 for 10 servers x 160 points, 1 near 580 servers (93,000 points) and 3 at 1000.
 *
 * @param pointsCount - an integer >= 0.
 * @param bits - an integer in [1, 64]; default 32.
 * @throws RangeError for bad arguments.
 *
 * @example
 * expectedPointCollisions(160 * 1000); // ~2.98
 */
export function expectedPointCollisions(pointsCount: number, bits = 32): number {
  requireIntegerIn("pointsCount", pointsCount, 0, Number.MAX_SAFE_INTEGER);
  requireIntegerIn("bits", bits, 1, 64);
  return (pointsCount * (pointsCount - 1)) / 2 / 2 ** bits;
}

/** Two servers with a point at the same position on a ketama ring. */
export const KETAMA_COLLIDING_SERVERS = ["10.0.2.53:11211", "10.0.2.161:11211"] as const;
/** Their shared position: word 3 of MD5("10.0.2.53:11211-38") = word 1 of MD5("10.0.2.161:11211-8"). */
export const KETAMA_COLLISION_POSITION = 3152960057;

/** What {@link ketamaCollisionPitfall} shows. */
export interface KetamaCollisionPitfall {
  readonly servers: readonly [string, string];
  /** The position both servers have a point at. */
  readonly position: number;
  /** The point labels (digest and word) of each server at that position. */
  readonly labels: readonly [string, string];
  /** A key whose position falls in the arc that ends at the collided point. */
  readonly key: string;
  readonly keyPosition: number;
  /** The server a client that lists `servers` in this order sends the key to. */
  readonly ownerListedInOrder: string;
  /** The server a client that lists them in the reverse order sends it to. */
  readonly ownerListedReversed: string;
  /** Fraction of the ring whose keys the two clients disagree on. */
  readonly disputedArc: number;
}

/**
 * What taking only 4 bytes of MD5 per point costs. Spread is not the problem: 32 bits place 1,600
 * or 160,000 points as evenly as 128 would. Collisions are: with P points on 2^32 positions about
 * P^2 / 2^33 pairs share a position (see {@link expectedPointCollisions}; adding servers
 * 10.0.0.1:11211, 10.0.0.2:11211, ... (host bytes 1 to 254) one by one, the first shared position
 * appears at the 669th server, about 107,000 points). Then one point shadows the
 * other, and ketama (and hashring) break the tie by the order servers were listed. This runs the
 * collision found there, `10.0.2.53:11211` and `10.0.2.161:11211`: two ketama rings with the two
 * servers in opposite orders send the keys of the collided arc to different servers, so two
 * clients configured with the same servers in another order read and write different caches for
 * those keys. Fixes: sort servers by name before building (or break ties by name, as
 * {@link ConsistentHashRing} does), or use more hash bits per point.
 *
 * @example
 * const pitfall = ketamaCollisionPitfall();
 * pitfall.ownerListedInOrder;  // "10.0.2.53:11211"
 * pitfall.ownerListedReversed; // "10.0.2.161:11211"
 */
export function ketamaCollisionPitfall(): KetamaCollisionPitfall {
  const [first, second] = KETAMA_COLLIDING_SERVERS;
  const inOrder = new KetamaRing({ nodes: [first, second] });
  const reversed = new KetamaRing({ nodes: [second, first] });
  const points = inOrder.points();
  const index = points.findIndex((point) => point.position === KETAMA_COLLISION_POSITION);
  const previous = points[(index - 1 + points.length) % points.length];
  const collided = points.filter((point) => point.position === KETAMA_COLLISION_POSITION);
  if (index < 0 || previous === undefined || collided.length !== 2) {
    throw new RangeError("ketamaCollisionPitfall: the recorded collision is not on the ring");
  }
  // Look for a key whose position falls in (previous, collided]: about one key in 320.
  const low = previous.position;
  for (let i = 0; i < 100_000; i++) {
    const key = `key-${i}`;
    const position = md5FirstWordUnchecked(key);
    if (position > low && position <= KETAMA_COLLISION_POSITION) {
      return {
        servers: [first, second],
        position: KETAMA_COLLISION_POSITION,
        labels: [
          (collided[0] as (typeof collided)[0]).label,
          (collided[1] as (typeof collided)[0]).label,
        ],
        key,
        keyPosition: position,
        ownerListedInOrder: inOrder.getNode(key),
        ownerListedReversed: reversed.getNode(key),
        disputedArc: (KETAMA_COLLISION_POSITION - low) / 2 ** 32,
      };
    }
  }
  throw new RangeError("ketamaCollisionPitfall: no key among key-0..key-99999 falls in the arc");
}

// ---------------------------------------------------------------- a shared digest object

/** How the tasks of {@link sharedHasherRace} get their hasher. */
export type HasherSharing = "shared" | "perTask" | "pure";

/** Options of {@link sharedHasherRace}; every field has a default. */
export interface SharedHasherRaceOptions {
  /**
   * `"shared"`: one {@link Md5Hasher} for both tasks (the bug); `"perTask"`: each task makes its
   * own; `"pure"`: each task calls {@link md5} once on its whole message. Default `"shared"`.
   */
  readonly sharing?: HasherSharing;
  /** The two tasks' messages, each fed in pieces. Default [["user:", "42"], ["order:", "7"]]. */
  readonly messages?: readonly [readonly string[], readonly string[]];
}

/** One task of {@link sharedHasherRace}. */
export interface HasherTask {
  readonly name: string;
  /** The whole message the task meant to hash. */
  readonly message: string;
  /** Its true MD5. */
  readonly expected: string;
  /** What the task got. */
  readonly got: string;
  readonly correct: boolean;
}

/** What {@link sharedHasherRace} measured. */
export interface SharedHasherRaceResult {
  readonly sharing: HasherSharing;
  readonly tasks: readonly [HasherTask, HasherTask];
  /** Every call in the order it ran, such as `A update("user:")`. */
  readonly steps: readonly string[];
}

/**
 * One digest object shared by two concurrent tasks. Java's `MessageDigest` is not thread-safe:
 * a ring that keeps one in a field and hashes from two threads corrupts both digests. JavaScript
 * has no threads, but it has the same hazard wherever state spans an `await`: here two async
 * tasks (A and B) each feed their message to a hasher in pieces, awaiting between calls (as a
 * handler awaiting I/O would). The microtask queue runs them in a fixed order, A, B, A, B, ...,
 * so the interleaving is deterministic: with one shared hasher, A's digest covers both messages
 * and resets the hasher, and B gets the digest of what little came after. With a hasher per task,
 * or a pure one-shot function, both are right.
 *
 * @param options - see {@link SharedHasherRaceOptions}.
 * @returns a promise: `await` it (the tasks are real async functions).
 * @throws RangeError for a bad option.
 *
 * @example
 * (await sharedHasherRace()).tasks.map((t) => t.correct);                       // [false, false]
 * (await sharedHasherRace({ sharing: "perTask" })).tasks.map((t) => t.correct); // [true, true]
 */
export async function sharedHasherRace(
  options: SharedHasherRaceOptions = {},
): Promise<SharedHasherRaceResult> {
  const checked = requireKnownOptions("sharedHasherRace options", options, ["sharing", "messages"]);
  const sharing = checked.sharing ?? "shared";
  if (sharing !== "shared" && sharing !== "perTask" && sharing !== "pure") {
    throw invalidArgument("options.sharing", '"shared", "perTask" or "pure"', sharing);
  }
  const messages = checked.messages ?? [
    ["user:", "42"],
    ["order:", "7"],
  ];
  if (
    !Array.isArray(messages) ||
    messages.length !== 2 ||
    !messages.every(
      (m) => Array.isArray(m) && m.length > 0 && m.every((p) => typeof p === "string"),
    )
  ) {
    throw invalidArgument(
      "options.messages",
      "two non-empty arrays of strings (each task's message in pieces)",
      messages,
    );
  }
  const steps: string[] = [];
  const shared = createMd5();
  const run = async (name: string, pieces: readonly string[]): Promise<HasherTask> => {
    const message = pieces.join("");
    let got: string;
    if (sharing === "pure") {
      await Promise.resolve();
      got = md5Hex(message);
      steps.push(`${name} md5(${describeValue(message)})`);
    } else {
      const hasher: Md5Hasher = sharing === "shared" ? shared : createMd5();
      for (const piece of pieces) {
        hasher.update(piece);
        steps.push(`${name} update(${describeValue(piece)})`);
        await Promise.resolve(); // yield, as an await on I/O would: the other task runs now
      }
      got = hasher.digestHex();
      steps.push(`${name} digest()`);
    }
    const expected = md5Hex(message);
    return { name, message, expected, got, correct: got === expected };
  };
  const [a, b] = await Promise.all([
    run("A", messages[0] as readonly string[]),
    run("B", messages[1] as readonly string[]),
  ]);
  return { sharing, tasks: [a, b], steps };
}
