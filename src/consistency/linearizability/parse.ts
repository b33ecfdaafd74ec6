// Parsers for the histories of the Porcupine corpus: EDN-like key-value lines and Jepsen's etcd
// logs, into events for checkEvents. Kingsbury's Jepsen conventions: :invoke, :ok, :fail, :info.

import { invalidArgument } from "../../sim/assert.js";
import type { KvInput, KvOutput, RegisterInput, RegisterOutput, RegisterValue } from "./models.js";
import type { Event } from "./types.js";

const KV_LINE =
  /^\{:process (\d+), :type :(invoke|ok|fail|info), :f :(get|put|append), :key "((?:[^"\\]|\\.)*)", :value (nil|"(?:[^"\\]|\\.)*")\}$/;

const ETCD_LINE =
  /^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:(invoke|ok|fail|info)\s+:(read|write|cas)\s+(.+?)\s*$/;

/** Open calls by process: the event id of each process's outstanding call. */
type OpenCalls = Map<number, number>;

/** Calls whose outcome is unknown, as [clientId, id]: they return at the end of the history. */
type UnknownCalls = [number, number][];

/**
 * Events of a Porcupine key-value history (`kv/cNN-*.txt`): one EDN map per line, e.g.
 * `{:process 0, :type :invoke, :f :get, :key "5", :value nil}`. An `:ok` return carries the value
 * read; `:fail` means it did not take effect; `:info` and a call never returned are unknown
 * outcomes, returned at the end of the history (they may take effect at any time after the call).
 *
 * @example
 * const events = parsePorcupineKvHistory(await readPorcupineFile("kv/c01-ok.txt"));
 * checkEvents(kvModel, events).result; // "ok"
 */
export function parsePorcupineKvHistory(text: string): Event<KvInput, KvOutput>[] {
  if (typeof text !== "string") throw invalidArgument("text", "a string", text);
  const events: Event<KvInput, KvOutput>[] = [];
  const open: OpenCalls = new Map();
  const unknown: UnknownCalls = [];
  let nextId = 0;
  text.split(/\r?\n/).forEach((line, lineIndex) => {
    if (line.trim() === "") return;
    const match = KV_LINE.exec(line.trim());
    if (match === null) throw badLine("kv history", lineIndex, line);
    const [, processText, type, f, keyText, valueText] = match;
    const clientId = Number(processText);
    const key = readEdnString(`"${keyText ?? ""}"`);
    const value = valueText === "nil" ? null : readEdnString(valueText ?? '""');
    if (type === "invoke") {
      if (open.has(clientId)) throw overlapping("kv history", lineIndex, clientId);
      let input: KvInput;
      if (f === "get") input = { op: "get", key };
      else if (value === null)
        throw invalidArgument(`line ${lineIndex + 1} value`, "a string", value);
      else input = { op: f === "put" ? "put" : "append", key, value };
      open.set(clientId, nextId);
      events.push({ clientId, kind: "call", value: input, id: nextId++ });
      return;
    }
    const id = open.get(clientId);
    if (id === undefined) throw unmatched("kv history", lineIndex, clientId);
    open.delete(clientId);
    if (type === "info") {
      unknown.push([clientId, id]); // may take effect at any time: returned at the end
      return;
    }
    let output: KvOutput;
    if (type === "fail") output = { status: "fail" };
    else if (f === "get") output = { status: "ok", value: value ?? "" };
    else output = { status: "ok" };
    events.push({ clientId, kind: "return", value: output, id });
  });
  closeUnknownCalls(events, open, unknown, { status: "unknown" });
  return events;
}

/**
 * Events of a Jepsen etcd log (`jepsen/etcd_NNN.log`) for {@link registerModel}: lines such as
 * `INFO  jepsen.util - 3	:invoke	:cas	[1 4]`. Values are integers, `nil` is the empty register.
 * Outcomes: `:ok` as read (a cas swapped); `:fail` did not take effect (a cas compared unequal);
 * `:info` (`:timed-out` writes and cas) and calls never returned are unknown and returned at the
 * end of the history, so they may take effect at any time after their call, or never;
 * `:fail :read :timed-out` is an unknown read, returned where it is logged.
 *
 * @example
 * const events = parseJepsenEtcdLog(await readPorcupineFile("jepsen/etcd_002.log"));
 * checkEvents(registerModel, events).result; // "ok"
 */
export function parseJepsenEtcdLog(text: string): Event<RegisterInput, RegisterOutput>[] {
  if (typeof text !== "string") throw invalidArgument("text", "a string", text);
  const events: Event<RegisterInput, RegisterOutput>[] = [];
  const open: OpenCalls = new Map();
  const unknown: UnknownCalls = [];
  let nextId = 0;
  text.split(/\r?\n/).forEach((line, lineIndex) => {
    if (line.trim() === "") return;
    const match = ETCD_LINE.exec(line);
    if (match === null) throw badLine("Jepsen etcd log", lineIndex, line);
    const [, processText, type, f, argument = ""] = match;
    const clientId = Number(processText);
    if (type === "invoke") {
      if (open.has(clientId)) throw overlapping("Jepsen etcd log", lineIndex, clientId);
      let input: RegisterInput;
      if (f === "read") input = { op: "read" };
      else if (f === "write") input = { op: "write", value: etcdValue(argument, lineIndex) };
      else {
        const [expected, value] = casArguments(argument, lineIndex);
        input = { op: "cas", expected, value };
      }
      open.set(clientId, nextId);
      events.push({ clientId, kind: "call", value: input, id: nextId++ });
      return;
    }
    const id = open.get(clientId);
    if (id === undefined) throw unmatched("Jepsen etcd log", lineIndex, clientId);
    open.delete(clientId);
    const timedOut = argument === ":timed-out";
    if (type === "info" || (timedOut && f !== "read")) {
      unknown.push([clientId, id]); // may take effect at any time: returned at the end
      return;
    }
    let output: RegisterOutput;
    if (timedOut) output = { status: "unknown" };
    else if (type === "fail") output = { status: "fail" };
    else if (f === "read") output = { status: "ok", value: etcdValue(argument, lineIndex) };
    else output = { status: "ok" };
    events.push({ clientId, kind: "return", value: output, id });
  });
  closeUnknownCalls(events, open, unknown, { status: "unknown" });
  return events;
}

/** Appends an unknown-outcome return for every unknown or still open call, in id order. */
function closeUnknownCalls<I, O>(
  events: Event<I, O>[],
  open: OpenCalls,
  unknown: UnknownCalls,
  output: O,
): void {
  const pending = [...unknown, ...open.entries()].sort((a, b) => a[1] - b[1]);
  for (const [clientId, id] of pending) {
    events.push({ clientId, kind: "return", value: output, id });
  }
}

function etcdValue(text: string, lineIndex: number): RegisterValue {
  if (text === "nil") return null;
  if (/^-?\d+$/.test(text)) return Number(text);
  throw invalidArgument(`the value on line ${lineIndex + 1}`, "an integer or nil", text);
}

function casArguments(text: string, lineIndex: number): [RegisterValue, RegisterValue] {
  const match = /^\[(\S+)\s+(\S+)\]$/.exec(text);
  if (match === null) {
    throw invalidArgument(`the cas argument on line ${lineIndex + 1}`, "[expected new]", text);
  }
  return [etcdValue(match[1] ?? "", lineIndex), etcdValue(match[2] ?? "", lineIndex)];
}

/** An EDN string literal (quoted, with backslash escapes) as a JavaScript string. */
function readEdnString(literal: string): string {
  return literal
    .slice(1, -1)
    .replace(/\\(.)/g, (_m, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : c));
}

function badLine(kind: string, lineIndex: number, line: string): RangeError {
  return invalidArgument(`line ${lineIndex + 1} of the ${kind}`, "a call or return record", line);
}

function overlapping(kind: string, lineIndex: number, clientId: number): RangeError {
  return new RangeError(
    `line ${lineIndex + 1} of the ${kind}: process ${clientId} invokes while its previous ` +
      "operation is still open (a Jepsen process runs one operation at a time)",
  );
}

function unmatched(kind: string, lineIndex: number, clientId: number): RangeError {
  return new RangeError(
    `line ${lineIndex + 1} of the ${kind}: process ${clientId} completes an operation it never invoked`,
  );
}
