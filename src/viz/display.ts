// Rich output for notebooks and site cells: a MIME bundle (as Jupyter's display_data carries)
// sent to a sink. In a tslab kernel the sink is Jupyter; in a site cell it is the page; else stdout.

/** One output in several formats, keyed by MIME type; `text/plain` is always present. */
export type MimeBundle = { readonly "text/plain": string } & { readonly [mime: string]: string };

/** Something that can be shown: display helpers return these. */
export interface RichOutput {
  readonly mimeBundle: MimeBundle;
  /** The plain-text form, so `console.log(output)` and string templates stay readable. */
  toString(): string;
}

/** Receives every bundle passed to {@link show}. */
export type DisplaySink = (bundle: MimeBundle) => void;

let currentSink: DisplaySink | undefined;

/**
 * Sets where {@link show} sends output (the site's cell worker does this); undefined restores the
 * default: Jupyter when running inside a tslab kernel, otherwise `console.log` of the plain text.
 */
export function setDisplaySink(sink: DisplaySink | undefined): void {
  if (sink !== undefined && typeof sink !== "function") {
    throw new RangeError(`display sink must be a function or undefined, got ${typeof sink}`);
  }
  currentSink = sink;
}

/** Wraps a bundle as a {@link RichOutput}. */
export function richOutput(mimeBundle: MimeBundle): RichOutput {
  if (typeof mimeBundle?.["text/plain"] !== "string") {
    throw new RangeError(
      "a MIME bundle must have a text/plain entry (the fallback every viewer can show)",
    );
  }
  return { mimeBundle, toString: () => mimeBundle["text/plain"] };
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
  lastWriteDisplayData?: (
    data: { data: MimeBundle; metadata: object; transient: object },
    update: boolean,
  ) => void;
}

/** Jupyter through tslab when this process is a tslab kernel, else stdout. */
function defaultSink(): DisplaySink {
  const jupyter = loadedTslabJupyter();
  if (jupyter?.lastWriteDisplayData !== undefined) {
    const write = jupyter.lastWriteDisplayData;
    return (bundle) => write({ data: bundle, metadata: {}, transient: {} }, false);
  }
  return (bundle) => console.log(bundle["text/plain"]);
}

/**
 * tslab's kernel module, if this process already loaded it (it is only ever looked up, never
 * loaded, so the library has no dependency on tslab and bundles cleanly for the browser).
 */
function loadedTslabJupyter(): TslabJupyter | undefined {
  const cache = typeof require === "function" ? require.cache : undefined;
  if (cache === undefined) return undefined;
  for (const [path, loaded] of Object.entries(cache)) {
    if (/[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(path)) return loaded?.exports as TslabJupyter;
  }
  return undefined;
}
