// console.log formatting for site cells, after Node's util.format and util.inspect (default
// options: depth 2, breakLength 80, compact 3, no colors), so a cell prints in the browser what the
// notebook printed under tslab. Covers primitives, arrays, plain objects, class instances, Map,
// Set, typed arrays, Date, RegExp, Error, functions, getters, symbols and cycles. Known
// differences: Proxy, WeakMap/WeakSet contents, Promise state, exotic host objects, long strings
// split over lines, and error stacks (the browser's) print differently from Node.

const DEPTH_MAX = 2;
const BREAK_LENGTH = 80;
const COMPACT = 3;
const ARRAY_ITEMS_MAX = 100;

interface Context {
  indentationLvl: number;
  currentDepth: number;
  seen: unknown[];
  circular: Map<unknown, number>;
}

/** Node's util.format: `%s %d %i %f %j %o %O %c %%` in a leading string, the rest joined by spaces. */
export function format(...args: unknown[]): string {
  const first = args[0];
  let rest = args.slice(1);
  let head = "";
  if (typeof first === "string") {
    if (rest.length === 0) return first;
    head = first.replace(/%([sdifjoOc%])/g, (match, spec: string) => {
      if (spec === "%") return "%";
      if (rest.length === 0) return match;
      const arg = rest[0];
      rest = rest.slice(1);
      switch (spec) {
        case "s":
          if (typeof arg === "bigint") return `${arg}n`;
          if (typeof arg === "symbol") return String(arg);
          if (typeof arg === "object" && arg !== null) return inspect(arg, { depth: 0 });
          return String(arg);
        case "d":
          if (typeof arg === "bigint") return `${arg}n`;
          if (typeof arg === "symbol") return "NaN";
          return formatNumber(Number(arg));
        case "i":
          if (typeof arg === "bigint") return `${arg}n`;
          if (typeof arg === "symbol") return "NaN";
          return formatNumber(parseInt(String(arg), 10));
        case "f":
          return typeof arg === "symbol" ? "NaN" : formatNumber(parseFloat(String(arg)));
        case "j":
          try {
            return JSON.stringify(arg) ?? "undefined";
          } catch {
            return "[Circular]";
          }
        case "o":
        case "O":
          return inspect(arg);
        case "c":
          return "";
        default:
          return match;
      }
    });
  } else {
    rest = args;
  }
  const parts = rest.map((arg) => (typeof arg === "string" ? arg : inspect(arg)));
  return head === "" ? parts.join(" ") : [head, ...parts].join(" ");
}

/** Node's util.inspect with its default options (depth may be lowered, as `%s` does). */
export function inspect(value: unknown, options: { depth?: number } = {}): string {
  const ctx: Context = { indentationLvl: 0, currentDepth: 0, seen: [], circular: new Map() };
  const depthMax = options.depth ?? DEPTH_MAX;
  return formatValue(ctx, value, 0, depthMax);
}

function formatNumber(n: number): string {
  return Object.is(n, -0) ? "-0" : String(n);
}

function quoteString(s: string): string {
  let quote = "'";
  if (s.includes("'")) {
    if (!s.includes('"')) quote = '"';
    else if (!s.includes("`") && !s.includes("${")) quote = "`";
  }
  let out = "";
  for (const ch of s) {
    const code = ch.codePointAt(0) as number;
    if (ch === quote || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (ch === "\v") out += "\\v";
    else if (code < 0x20 || code === 0x7f)
      out += `\\x${code.toString(16).toUpperCase().padStart(2, "0")}`;
    else out += ch;
  }
  return quote + out + quote;
}

const STRING_LENGTH_MAX = 10_000;
const LINE_WIDTH_MIN = 16;

/** A string inside a value: quoted, and split after its line breaks when it is long (as Node). */
function formatString(ctx: Context, value: string): string {
  let trailer = "";
  if (value.length > STRING_LENGTH_MAX) {
    const remaining = value.length - STRING_LENGTH_MAX;
    value = value.slice(0, STRING_LENGTH_MAX);
    trailer = `... ${remaining} more character${remaining > 1 ? "s" : ""}`;
  }
  if (value.length > LINE_WIDTH_MIN && value.length > BREAK_LENGTH - ctx.indentationLvl - 4) {
    return (
      value
        .split(/(?<=\n)/)
        .map(quoteString)
        .join(` +\n${" ".repeat(ctx.indentationLvl + 2)}`) + trailer
    );
  }
  return quoteString(value) + trailer;
}

function formatPrimitive(value: unknown): string | undefined {
  switch (typeof value) {
    case "string":
      return quoteString(value);
    case "number":
      return formatNumber(value);
    case "bigint":
      return `${value}n`;
    case "boolean":
      return String(value);
    case "undefined":
      return "undefined";
    case "symbol":
      return value.toString();
    default:
      return value === null ? "null" : undefined;
  }
}

function formatKey(key: string | symbol): string {
  if (typeof key === "symbol") return `[${key.toString()}]`;
  return /^[a-zA-Z_][a-zA-Z_0-9]*$/.test(key) ? key : quoteString(key);
}

function constructorName(value: object): string | null {
  let proto: object | null = Object.getPrototypeOf(value) as object | null;
  while (proto !== null) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, "constructor");
    if (descriptor !== undefined && typeof descriptor.value === "function") {
      const name = (descriptor.value as { name?: unknown }).name;
      if (typeof name === "string" && name !== "") return name;
    }
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return null;
}

function functionBase(fn: (...args: never[]) => unknown): string {
  const source = Function.prototype.toString.call(fn);
  const name = fn.name === "" ? "" : fn.name;
  if (source.startsWith("class") && /^class\b/.test(source)) {
    return name === "" ? "[class (anonymous)]" : `[class ${name}]`;
  }
  let kind = "Function";
  if (fn.constructor?.name === "AsyncFunction") kind = "AsyncFunction";
  else if (fn.constructor?.name === "GeneratorFunction") kind = "GeneratorFunction";
  else if (fn.constructor?.name === "AsyncGeneratorFunction") kind = "AsyncGeneratorFunction";
  return name === "" ? `[${kind} (anonymous)]` : `[${kind}: ${name}]`;
}

function isTypedArray(value: object): value is ArrayLike<number | bigint> & object {
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}

function formatValue(ctx: Context, value: unknown, recurseTimes: number, depthMax: number): string {
  if (typeof value === "string") return formatString(ctx, value);
  const primitive = formatPrimitive(value);
  if (primitive !== undefined) return primitive;
  const object = value as object;
  if (ctx.seen.includes(object)) {
    let index = ctx.circular.get(object);
    if (index === undefined) {
      index = ctx.circular.size + 1;
      ctx.circular.set(object, index);
    }
    return `[Circular *${index}]`;
  }
  const result = formatRaw(ctx, object, recurseTimes, depthMax);
  const index = ctx.circular.get(object);
  if (index !== undefined) return `<ref *${index}> ${result}`;
  return result;
}

function formatRaw(ctx: Context, value: object, recurseTimes: number, depthMax: number): string {
  const name = constructorName(value);
  const keys: (string | symbol)[] = [
    ...Object.keys(value),
    ...Object.getOwnPropertySymbols(value).filter(
      (symbol) => Object.getOwnPropertyDescriptor(value, symbol)?.enumerable === true,
    ),
  ];
  let braces: [string, string];
  let base = "";
  let formatter: () => string[] = () => [];
  let isArrayLike = false;
  let entryKeys = keys;
  const prefix = (fallback: string, size?: number): string => {
    const shown = name ?? `[${fallback}: null prototype]`;
    const sized = size === undefined ? shown : `${shown}(${size})`;
    return name === fallback && size === undefined ? "" : `${sized} `;
  };

  if (Array.isArray(value)) {
    isArrayLike = true;
    entryKeys = keys.filter((key) => typeof key !== "string" || !/^(0|[1-9]\d*)$/.test(key));
    const pre = name === "Array" ? "" : `${prefix("Array", value.length)}`;
    braces = [`${pre}[`, "]"];
    if (value.length === 0 && entryKeys.length === 0) return `${braces[0]}]`;
    formatter = () => formatArrayLike(ctx, value, recurseTimes, depthMax);
  } else if (value instanceof Map) {
    braces = [`${prefix("Map", value.size)}{`, "}"];
    if (value.size === 0 && keys.length === 0) return `${braces[0]}}`;
    formatter = () =>
      [...value.entries()].map(
        ([k, v]) =>
          `${formatChild(ctx, k, recurseTimes, depthMax)} => ${formatChild(ctx, v, recurseTimes, depthMax)}`,
      );
  } else if (value instanceof Set) {
    braces = [`${prefix("Set", value.size)}{`, "}"];
    if (value.size === 0 && keys.length === 0) return `${braces[0]}}`;
    formatter = () => [...value.values()].map((v) => formatChild(ctx, v, recurseTimes, depthMax));
  } else if (isTypedArray(value)) {
    isArrayLike = true;
    entryKeys = [];
    const typed = value as unknown as ArrayLike<number | bigint>;
    braces = [`${name ?? "TypedArray"}(${typed.length}) [`, "]"];
    if (typed.length === 0) return `${braces[0]}]`;
    formatter = () => formatArrayLike(ctx, typed, recurseTimes, depthMax);
  } else if (typeof value === "function") {
    base = functionBase(value as (...args: never[]) => unknown);
    if (keys.length === 0) return base;
    braces = ["{", "}"];
  } else if (value instanceof RegExp) {
    base = RegExp.prototype.toString.call(value);
    if (keys.length === 0) return base;
    braces = ["{", "}"];
  } else if (value instanceof Date) {
    base = Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
    if (keys.length === 0) return base;
    braces = ["{", "}"];
  } else if (value instanceof Error) {
    base = value.stack ?? `${value.name}: ${value.message}`;
    if (!base.includes(value.message) || !base.startsWith(value.name)) {
      base = `${value.name}: ${value.message}\n${base}`;
    }
    entryKeys = keys.filter((key) => key !== "stack" && key !== "message");
    if (entryKeys.length === 0) return base;
    braces = ["{", "}"];
  } else if (value instanceof Promise) {
    braces = [`Promise {`, "}"];
    formatter = () => ["<pending>"];
  } else if (value instanceof WeakMap || value instanceof WeakSet) {
    return `${name ?? "WeakMap"} { <items unknown> }`;
  } else {
    const tag = (value as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag];
    let pre = name === "Object" ? "" : prefix("Object");
    if (typeof tag === "string" && tag !== "" && tag !== name) {
      pre = `${name ?? "Object"} [${tag}] `;
    }
    braces = [`${pre}{`, "}"];
    if (keys.length === 0) return `${braces[0]}}`;
  }

  if (recurseTimes > depthMax) {
    const shown = name ?? "Object";
    return Array.isArray(value) ? "[Array]" : `[${shown}]`;
  }

  ctx.seen.push(value);
  ctx.currentDepth = recurseTimes;
  const output = formatter();
  for (const key of entryKeys) {
    output.push(formatProperty(ctx, value, key, recurseTimes, depthMax, isArrayLike));
  }
  ctx.seen.pop();
  return reduceToSingleString(ctx, output, base, braces, isArrayLike, recurseTimes, value);
}

function formatChild(ctx: Context, value: unknown, recurseTimes: number, depthMax: number): string {
  ctx.indentationLvl += 2;
  const result = formatValue(ctx, value, recurseTimes + 1, depthMax);
  ctx.indentationLvl -= 2;
  return result;
}

function formatArrayLike(
  ctx: Context,
  value: ArrayLike<unknown>,
  recurseTimes: number,
  depthMax: number,
): string[] {
  const output: string[] = [];
  const shown = Math.min(value.length, ARRAY_ITEMS_MAX);
  let holes = 0;
  for (let i = 0; i < shown; i++) {
    if (!Object.prototype.hasOwnProperty.call(value, i)) {
      holes++;
      continue;
    }
    if (holes > 0) {
      output.push(`<${holes} empty item${holes > 1 ? "s" : ""}>`);
      holes = 0;
    }
    output.push(formatChild(ctx, value[i], recurseTimes, depthMax));
  }
  if (holes > 0) output.push(`<${holes} empty item${holes > 1 ? "s" : ""}>`);
  if (value.length > shown) {
    const more = value.length - shown;
    output.push(`... ${more} more item${more > 1 ? "s" : ""}`);
  }
  return output;
}

function formatProperty(
  ctx: Context,
  value: object,
  key: string | symbol,
  recurseTimes: number,
  depthMax: number,
  isArrayLike: boolean,
): string {
  const descriptor = Object.getOwnPropertyDescriptor(value, key);
  let shown: string;
  if (descriptor === undefined || "value" in descriptor) {
    const item = descriptor?.value;
    ctx.indentationLvl += 2;
    shown = formatValue(ctx, item, recurseTimes + 1, depthMax);
    ctx.indentationLvl -= 2;
  } else if (descriptor.get !== undefined) {
    shown = descriptor.set !== undefined ? "[Getter/Setter]" : "[Getter]";
  } else {
    shown = descriptor.set !== undefined ? "[Setter]" : "undefined";
  }
  if (isArrayLike && typeof key === "string" && /^(0|[1-9]\d*)$/.test(key)) return shown;
  return `${formatKey(key)}: ${shown}`;
}

function isBelowBreakLength(output: string[], start: number, base: string): boolean {
  let totalLength = output.length + start;
  if (totalLength + output.length > BREAK_LENGTH) return false;
  for (const entry of output) {
    totalLength += entry.length;
    if (totalLength > BREAK_LENGTH) return false;
  }
  return base === "" || !base.includes("\n");
}

function groupArrayElements(ctx: Context, output: string[], value: unknown): string[] {
  let totalLength = 0;
  let maxLength = 0;
  let outputLength = output.length;
  if (output[outputLength - 1]?.startsWith("... ") === true) outputLength--;
  const separatorSpace = 2;
  const dataLen: number[] = [];
  for (let i = 0; i < outputLength; i++) {
    const len = (output[i] as string).length;
    dataLen[i] = len;
    totalLength += len + separatorSpace;
    if (maxLength < len) maxLength = len;
  }
  const actualMax = maxLength + separatorSpace;
  if (
    actualMax * 3 + ctx.indentationLvl < BREAK_LENGTH &&
    (totalLength / actualMax > 5 || maxLength <= 6)
  ) {
    const averageBias = Math.sqrt(actualMax - totalLength / output.length);
    const biasedMax = Math.max(actualMax - 3 - averageBias, 1);
    const columns = Math.min(
      Math.round(Math.sqrt(2.5 * biasedMax * outputLength) / biasedMax),
      Math.floor((BREAK_LENGTH - ctx.indentationLvl) / actualMax),
      COMPACT * 4,
      15,
    );
    if (columns <= 1) return output;
    const tmp: string[] = [];
    const maxLineLength: number[] = [];
    for (let i = 0; i < columns; i++) {
      let lineLength = 0;
      for (let j = i; j < output.length; j += columns) {
        if ((dataLen[j] ?? 0) > lineLength) lineLength = dataLen[j] as number;
      }
      maxLineLength.push(lineLength + separatorSpace);
    }
    let padStart = true;
    if (value !== undefined) {
      const items = value as ArrayLike<unknown>;
      for (let i = 0; i < output.length; i++) {
        if (typeof items[i] !== "number" && typeof items[i] !== "bigint") {
          padStart = false;
          break;
        }
      }
    }
    for (let i = 0; i < outputLength; i += columns) {
      const max = Math.min(i + columns, outputLength);
      let str = "";
      let j = i;
      for (; j < max - 1; j++) {
        const cell = `${output[j]}, `;
        const width = maxLineLength[j - i] as number;
        str += padStart ? cell.padStart(width, " ") : cell.padEnd(width, " ");
      }
      if (padStart) {
        str += (output[j] as string).padStart(
          (maxLineLength[j - i] as number) - separatorSpace,
          " ",
        );
      } else {
        str += output[j] as string;
      }
      tmp.push(str);
    }
    if (outputLength < output.length) tmp.push(output[outputLength] as string);
    return tmp;
  }
  return output;
}

function reduceToSingleString(
  ctx: Context,
  output: string[],
  base: string,
  braces: [string, string],
  isArrayLike: boolean,
  recurseTimes: number,
  value: unknown,
): string {
  const entries = output.length;
  if (isArrayLike && entries > 6) output = groupArrayElements(ctx, output, value);
  if (ctx.currentDepth - recurseTimes < COMPACT && entries === output.length) {
    const start = output.length + ctx.indentationLvl + braces[0].length + base.length + 10;
    if (isBelowBreakLength(output, start, base)) {
      const joined = output.join(", ");
      if (!joined.includes("\n")) {
        return `${base ? `${base} ` : ""}${braces[0]} ${joined} ${braces[1]}`;
      }
    }
  }
  const indentation = `\n${" ".repeat(ctx.indentationLvl)}`;
  return `${base ? `${base} ` : ""}${braces[0]}${indentation}  ${output.join(`,${indentation}  `)}${indentation}${braces[1]}`;
}
