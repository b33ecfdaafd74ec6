// Message sizes on the simulated wire: the UTF-8 bytes of a body's JSON encoding, counted by walking
// the value instead of building the text (every message sent is measured, so this is a hot path).

import { describeValue } from "./assert.js";
import type { Message } from "./types.js";

/** What JSON.stringify leaves out: undefined, a function or a symbol (as "null" in an array). */
const OMITTED = -1;
/** Something the walker does not model (toJSON, bigint, class instances, deep nesting): ask JSON. */
const UNMODELLED = -2;
/** Deeper than this, the walker hands over to JSON.stringify (which also reports cycles). */
const DEPTH_MAX = 64;

// Characters a JSON string encodes as themselves in one UTF-8 byte: printable ASCII except the
// quote and the backslash (JSON.stringify leaves DEL, 0x7f, raw).
const PLAIN_STRING = /^[\u0020\u0021\u0023-\u005b\u005d-\u007f]*$/;
const SHORT_ESCAPES = new Set([0x22, 0x5c, 0x08, 0x09, 0x0a, 0x0c, 0x0d]); // \" \\ \b \t \n \f \r

/** UTF-8 bytes of JSON.stringify(text): quotes, escapes, and well-formed escapes of lone surrogates. */
function stringSize(text: string): number {
  const length = text.length;
  let plain = 0; // characters at the start that encode as themselves
  if (length <= 32) {
    // Short strings (keys, types, ids): a loop is cheaper than a call into the regex engine.
    for (; plain < length; plain++) {
      const code = text.charCodeAt(plain);
      if (code < 0x20 || code > 0x7f || code === 0x22 || code === 0x5c) break;
    }
    if (plain === length) return length + 2;
  } else if (PLAIN_STRING.test(text)) return length + 2;
  let bytes = 2 + plain;
  for (let i = plain; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      if (code >= 0x20 && code !== 0x22 && code !== 0x5c) bytes += 1;
      else bytes += SHORT_ESCAPES.has(code) ? 2 : 6; // other control characters: \u00XX
    } else if (code < 0x800) bytes += 2;
    else if (code < 0xd800 || code > 0xdfff) bytes += 3;
    else if (code <= 0xdbff && i + 1 < length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4; // a surrogate pair: one code point past U+FFFF
        i++;
      } else bytes += 6; // a lone high surrogate: \uD8XX
    } else bytes += 6; // a lone surrogate: \uDXXX
  }
  return bytes;
}

/** Length of String(number) as JSON writes it; NaN and the infinities are written "null". */
function numberSize(value: number): number {
  if (!Number.isFinite(value)) return 4;
  // Integers below 1e15 print as plain digits (-0 prints "0"); count them without a string.
  if (Number.isInteger(value) && value > -1e15 && value < 1e15) {
    let magnitude = value < 0 ? -value : value;
    let digits = 1;
    while (magnitude >= 10) {
      magnitude = Math.floor(magnitude / 10);
      digits++;
    }
    return value < 0 ? digits + 1 : digits;
  }
  return String(value).length;
}

/** True if Object.prototype has enumerable properties, which for-in would visit on every object. */
function hasInheritedEnumerables(): boolean {
  for (const key in Object.prototype) return key !== undefined;
  return false;
}

function valueSize(value: unknown, depth: number): number {
  switch (typeof value) {
    case "string":
      return stringSize(value);
    case "number":
      return numberSize(value);
    case "boolean":
      return value ? 4 : 5;
    case "undefined":
    case "symbol":
      return OMITTED;
    case "function":
      return (value as { toJSON?: unknown }).toJSON === undefined ? OMITTED : UNMODELLED;
    case "bigint":
      return UNMODELLED; // JSON throws, or calls a BigInt.prototype.toJSON someone installed
    default:
      break;
  }
  if (value === null) return 4;
  if (depth >= DEPTH_MAX) return UNMODELLED;
  const object = value as { readonly [key: string]: unknown; readonly toJSON?: unknown };
  if (object.toJSON !== undefined) return UNMODELLED;
  if (Array.isArray(value)) {
    const length = value.length;
    let bytes = length > 0 ? length + 1 : 2; // brackets and commas
    for (let i = 0; i < length; i++) {
      const size = valueSize(value[i], depth + 1);
      if (size === UNMODELLED) return UNMODELLED;
      bytes += size === OMITTED ? 4 : size; // "null"
    }
    return bytes;
  }
  // Plain objects only: boxed primitives, dates, maps and class instances go to JSON.stringify.
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return UNMODELLED;
  let bytes = 2;
  let written = 0;
  // for-in visits own enumerable keys, as JSON does, while Object.prototype has none (checked by
  // jsonSizeBytes); it allocates no key array, unlike Object.keys.
  for (const key in object) {
    const size = valueSize(object[key], depth + 1);
    if (size === OMITTED) continue;
    if (size === UNMODELLED) return UNMODELLED;
    bytes += stringSize(key) + 1 + size; // "key":value
    written++;
  }
  return written > 1 ? bytes + written - 1 : bytes;
}

/** UTF-8 bytes of JSON.stringify(value) (0 when it gives undefined), building the text. */
function jsonTextSizeBytes(message: Message): number {
  let json: string | undefined;
  try {
    json = JSON.stringify(message);
  } catch (error) {
    throw new TypeError(
      `a message of type ${describeValue(message.type)} must be JSON data ` +
        `(plain objects, arrays, strings, numbers, booleans, null): ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (json === undefined) return 0;
  let bytes = 0;
  for (let i = 0; i < json.length; i++) {
    const code = json.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4; // JSON text holds surrogates in pairs only: lone ones are escaped
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Default message size: UTF-8 bytes of the body's JSON encoding (the payload; the simulator adds no
 * header). Throws for a body that is not JSON data, since it could not cross a real wire either.
 * Counted without building the JSON text; the figure is exactly that of JSON.stringify.
 *
 * @example
 * jsonSizeBytes({ type: "ping", seq: 7 }); // 23, the length of {"type":"ping","seq":7}
 */
export function jsonSizeBytes(message: Message): number {
  if (hasInheritedEnumerables()) return jsonTextSizeBytes(message);
  let size: number;
  try {
    size = valueSize(message, 0);
  } catch {
    // A getter threw: JSON.stringify meets it too, and reports it as a body that is not JSON data.
    size = UNMODELLED;
  }
  if (size >= 0) return size;
  if (size === OMITTED) return 0;
  return jsonTextSizeBytes(message);
}
