// Rich output for notebooks and site cells: a MIME bundle (as Jupyter's display_data carries)
// sent to a sink. In a tslab kernel the sink is Jupyter; in a site cell it is the page; else stdout.

/**
 * One output in several formats, keyed by MIME type; `text/plain` is always present.
 *
 * @example
 * const bundle: MimeBundle = { "text/plain": "3 nodes", "text/markdown": "**3** nodes" };
 */
export type MimeBundle = { readonly "text/plain": string } & { readonly [mime: string]: string };

/**
 * Something that can be shown: display helpers return these. Logged or left as a cell's last
 * expression it prints as its plain text; `show()` displays the richest form the viewer supports.
 *
 * @example
 * const output = richOutput({ "text/plain": "hello" });
 * `${output}`; // "hello"
 */
export interface RichOutput {
  readonly mimeBundle: MimeBundle;
  /** The plain-text form, so string templates stay readable. */
  toString(): string;
}

/** Node's hook for `util.inspect` (console.log, tslab's display of a cell's last value). */
const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/**
 * Receives every bundle passed to {@link show}.
 *
 * @example
 * const seen: MimeBundle[] = [];
 * setDisplaySink((bundle) => seen.push(bundle));
 */
export type DisplaySink = (bundle: MimeBundle) => void;

let currentSink: DisplaySink | undefined;

/**
 * Sets where {@link show} sends output (the site's cell worker does this); undefined restores the
 * default: Jupyter when running inside a tslab kernel, otherwise `console.log` of the plain text.
 *
 * @example
 * setDisplaySink((bundle) => postMessage({ kind: "display", bundle }));
 */
export function setDisplaySink(sink: DisplaySink | undefined): void {
  if (sink !== undefined && typeof sink !== "function") {
    throw new RangeError(`display sink must be a function or undefined, got ${typeof sink}`);
  }
  currentSink = sink;
}

/**
 * Wraps a bundle as a {@link RichOutput}. Every entry must be a string, and `text/plain` must be
 * present: it is the fallback every viewer can show.
 *
 * @example
 * show(richOutput({ "text/plain": "hello", "text/markdown": "**hello**" }));
 */
export function richOutput(mimeBundle: MimeBundle): RichOutput {
  if (typeof mimeBundle !== "object" || mimeBundle === null) {
    throw new RangeError(`a MIME bundle must be an object, got ${String(mimeBundle)}`);
  }
  if (typeof mimeBundle["text/plain"] !== "string") {
    throw new RangeError(
      "a MIME bundle must have a text/plain entry (the fallback every viewer can show)",
    );
  }
  for (const [mime, data] of Object.entries(mimeBundle)) {
    if (typeof data !== "string") {
      throw new RangeError(`MIME bundle entry ${mime} must be a string, got ${typeof data}`);
    }
  }
  const text = mimeBundle["text/plain"];
  return { mimeBundle, toString: () => text, [INSPECT]: () => text } as RichOutput;
}

/**
 * Shows rich output: a diagram, a table, a chart (from the helpers in src/viz) or plain text.
 *
 * @example
 * show(table([{ node: "a", messages: 3 }]));
 */
export function show(output: RichOutput | string): void {
  const bundle: MimeBundle =
    typeof output === "string"
      ? { "text/plain": output }
      : richOutput(output.mimeBundle).mimeBundle;
  (currentSink ?? defaultSink())(bundle);
}

interface TslabJupyter {
  lastWriteDisplayData?:
    | null
    | ((data: { data: MimeBundle; metadata: object; transient: object }, update: boolean) => void);
}

/** Jupyter through tslab when this process is a tslab kernel, else stdout. */
function defaultSink(): DisplaySink {
  const write = tslabWriter();
  if (write !== undefined) {
    return (bundle) => write({ data: bundle, metadata: {}, transient: {} }, false);
  }
  return (bundle) => console.log(bundle["text/plain"]);
}

/**
 * tslab's display writer, if this process is a tslab kernel. The kernel module is only looked up
 * in the module cache, never loaded, so the library does not depend on tslab and bundles cleanly
 * for the browser. Two copies of tslab may be loaded (a global kernel running a notebook inside a
 * project with its own tslab): the one executing the cell is the one whose writer is set now.
 */
function tslabWriter(): NonNullable<TslabJupyter["lastWriteDisplayData"]> | undefined {
  const cache = typeof require === "function" ? require.cache : undefined;
  if (cache === undefined) return undefined;
  for (const [path, loaded] of Object.entries(cache)) {
    if (!/[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(path)) continue;
    const write = (loaded?.exports as TslabJupyter | undefined)?.lastWriteDisplayData;
    if (typeof write === "function") return write;
  }
  return undefined;
}
