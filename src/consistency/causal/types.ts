// Histories of a key-value store whose reads return sets of siblings (a multi-value register per
// key), as the causal store records them and the causal and session checkers read them.

/**
 * One operation of a client session, with virtual call and return times (simulated ms).
 *
 * - A write stores `value` under `key`. Values must be unique per key for the checkers
 *   (differentiated histories, Bouajjani et al. 2017).
 * - A read returns `values`: every sibling the replica held for `key` (empty: nothing visible).
 * - `status`: `"ok"` answered; `"error"` refused (definitely not applied: a write refused by a
 *   session-token wait, a read that timed out); `"unknown"` no answer (a write that may or may not
 *   have taken effect).
 *
 * @example
 * const op: CausalOperation = {
 *   id: 0, session: "alice", kind: "write", key: "post", value: "lunch?",
 *   call: 0, return: 2, status: "ok",
 * };
 */
export interface CausalOperation {
  /** Position in the history; unique. */
  readonly id: number;
  /** The client session that issued it (operations of a session never overlap in time). */
  readonly session: string;
  readonly kind: "read" | "write";
  readonly key: string;
  /** For a write: the value written. */
  readonly value?: string;
  /** For a read: the sibling values returned, sorted. */
  readonly values?: readonly string[];
  /** Virtual time of the call (ms). */
  readonly call: number;
  /** Virtual time of the answer (ms); Infinity when there was none. */
  readonly return: number;
  readonly status: "ok" | "error" | "unknown";
  /** The replica that answered, when one did. */
  readonly replica?: string;
  /** For status "error": why. */
  readonly error?: string;
}
