// Copies in and out of a node's stable storage with the meaning of structuredClone, made cheap for
// what protocols persist (primitives, small plain objects such as a Raft log entry, arrays).

/** Returned by the copier for what it does not model (Map, Date, class instances...): clone it. */
const UNMODELLED: unique symbol = Symbol("unmodelled");
/** Deeper than this, the copier hands over to structuredClone. */
const DEPTH_MAX = 64;

/** True for null and the types structuredClone copies as themselves (not symbols, not functions). */
function isCopiedAsIs(value: unknown): boolean {
  const type = typeof value;
  return value === null || (type !== "object" && type !== "function" && type !== "symbol");
}

/** True for a plain object (prototype Object.prototype or null) or an array (Array.prototype). */
function isPlain(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (Array.isArray(value)) return prototype === Array.prototype;
  return prototype === Object.prototype || prototype === null;
}

interface CopyState {
  /** Original to copy, for values met more than once: structuredClone keeps sharing and cycles. */
  seen: Map<object, object> | undefined;
}

function copyValue(value: unknown, depth: number, state: CopyState): unknown {
  if (isCopiedAsIs(value)) return value;
  if (typeof value !== "object") return UNMODELLED; // a function or a symbol: clone throws
  const original = value as object;
  if (depth >= DEPTH_MAX || !isPlain(original)) return UNMODELLED;
  const known = state.seen?.get(original);
  if (known !== undefined) return known;
  return Array.isArray(original)
    ? copyArray(original as unknown[], depth, state)
    : copyObject(original as { readonly [key: string]: unknown }, depth, state);
}

function remember(original: object, copy: object, state: CopyState): void {
  // Undefined until the first nested object (see copyNested): a value without nested objects
  // cannot be met twice, and needs no map.
  state.seen?.set(original, copy);
}

function copyArray(original: unknown[], depth: number, state: CopyState): unknown {
  const length = original.length;
  // Holes and named properties survive structuredClone; this copier writes neither.
  if (Object.keys(original).length !== length) return UNMODELLED;
  const copy: unknown[] = [];
  remember(original, copy, state);
  for (let i = 0; i < length; i++) {
    const item = original[i];
    if (item === undefined && !(i in original)) return UNMODELLED;
    const itemCopy = copyNested(original, item, copy, depth, state);
    if (itemCopy === UNMODELLED) return UNMODELLED;
    copy.push(itemCopy);
  }
  return copy;
}

function copyObject(
  original: { readonly [key: string]: unknown },
  depth: number,
  state: CopyState,
): unknown {
  const copy: { [key: string]: unknown } = {};
  remember(original, copy, state);
  for (const key of Object.keys(original)) {
    // An own "__proto__" key would hit the prototype setter on assignment.
    if (key === "__proto__") return UNMODELLED;
    const itemCopy = copyNested(original, original[key], copy, depth, state);
    if (itemCopy === UNMODELLED) return UNMODELLED;
    copy[key] = itemCopy;
  }
  return copy;
}

/**
 * Copies a value found inside `parent`. The first nested object is always met in the top level:
 * that is when the map of seen objects starts, with the top level in it (a cycle may lead back).
 */
function copyNested(
  parent: object,
  item: unknown,
  parentCopy: object,
  depth: number,
  state: CopyState,
): unknown {
  if (isCopiedAsIs(item)) return item;
  if (state.seen === undefined && typeof item === "object" && depth === 0) {
    state.seen = new Map([[parent, parentCopy]]);
  }
  return copyValue(item, depth + 1, state);
}

/**
 * A copy of `value` with the meaning of structuredClone(value), for values going into and coming
 * out of stable storage: primitives are returned as they are, plain objects and arrays (with their
 * sharing and cycles) are copied by hand, an order of magnitude cheaper than structuredClone's
 * serialization for small values; anything else (Map, Date, typed arrays, class instances, sparse
 * arrays) goes to structuredClone, and what it cannot clone (functions, symbols) throws its error.
 * The copy shares nothing with `value`, and frozen objects come out unfrozen, as from
 * structuredClone. One difference, as JavaScript cannot tell a Proxy apart: a Proxy of plain data
 * is copied through its traps, where structuredClone refuses it.
 */
export function copyStorageValue(value: unknown): unknown {
  if (isCopiedAsIs(value)) return value;
  const copied = copyValue(value, 0, { seen: undefined });
  // The walk may have read getters before it gave up; structuredClone reads them again. Only
  // values that are not plain data take this path.
  return copied === UNMODELLED ? structuredClone(value) : copied;
}
