// Cell outputs as the site shows them: the one shape shared by the recorded outputs that
// scripts/build-chapters.ts copies from a notebook and the live outputs a cell's worker sends.
// Contract: outputsText() is THE text rule; the output area's innerText equals it for text outputs.

/** MIME type -> content, as Jupyter's display_data carries; "text/plain" is always present. */
export type OutputBundle = { readonly "text/plain": string } & { readonly [mime: string]: string };

/** One output of a cell, named as in nbformat 4 (execute_result is stored as display_data). */
export type CellOutput =
  | { readonly output_type: "stream"; readonly name: "stdout" | "stderr"; readonly text: string }
  | {
      readonly output_type: "display_data";
      readonly data: OutputBundle;
      /** A text/vnd.mermaid bundle drawn at build time (recorded outputs only), light and dark. */
      readonly mermaidSvgs?: { readonly light: string; readonly dark: string };
    }
  | {
      readonly output_type: "error";
      /** Error class name ("TypeError"); empty for a plain notice such as the time limit. */
      readonly ename: string;
      readonly evalue: string;
      /** 1-based line in the cell's own code, when known. */
      readonly line?: number;
    };

/** The MIME types the site renders, in render priority order; others are dropped. */
export const RENDERED_MIME_TYPES = [
  "text/vnd.mermaid",
  "text/html",
  "text/markdown",
  "image/svg+xml",
  "text/plain",
] as const;

/**
 * The text of a list of outputs, the rule shared by the generator, the live cells and tests:
 * stream texts are concatenated as they are; a display bundle adds its text/plain and "\n";
 * an error adds `ename: evalue`, ` (line N)` when the line is known, and "\n".
 */
export function outputsText(outputs: readonly CellOutput[]): string {
  return outputs.map(outputText).join("");
}

/** The text of one output under the rule of {@link outputsText}. */
export function outputText(output: CellOutput): string {
  switch (output.output_type) {
    case "stream":
      return output.text;
    case "display_data":
      return output.data["text/plain"] + "\n";
    case "error":
      return errorText(output) + "\n";
  }
}

/** `TypeError: x is not a function (line 3)`; a notice without ename is just its message. */
export function errorText(output: Extract<CellOutput, { output_type: "error" }>): string {
  const head = output.ename === "" ? output.evalue : `${output.ename}: ${output.evalue}`;
  return output.line === undefined ? head : `${head} (line ${output.line})`;
}

/** True when an output is shown as text (so it is part of the output area's innerText as is). */
export function isTextOutput(output: CellOutput): boolean {
  return output.output_type !== "display_data" || richMimeType(output.data) === "text/plain";
}

/** The MIME type a bundle is rendered with: the first of RENDERED_MIME_TYPES it holds. */
export function richMimeType(data: OutputBundle): (typeof RENDERED_MIME_TYPES)[number] {
  for (const mime of RENDERED_MIME_TYPES) {
    if (typeof data[mime] === "string") return mime;
  }
  return "text/plain";
}

/**
 * Appends an output, merging a stream output into the previous one when both are the same stream
 * (Jupyter does the same, and the text rule does not change).
 */
export function appendOutput(outputs: readonly CellOutput[], output: CellOutput): CellOutput[] {
  const last = outputs[outputs.length - 1];
  if (
    output.output_type === "stream" &&
    last?.output_type === "stream" &&
    last.name === output.name
  ) {
    return [...outputs.slice(0, -1), { ...last, text: last.text + output.text }];
  }
  return [...outputs, output];
}

type MultilineString = string | readonly string[];

/** An output as stored in an .ipynb file (nbformat 4), the fields the site reads. */
export interface NotebookOutput {
  readonly output_type: string;
  readonly name?: string;
  readonly text?: MultilineString;
  readonly data?: Readonly<Record<string, unknown>>;
  readonly ename?: string;
  readonly evalue?: string;
}

function joinMultiline(value: MultilineString | undefined): string {
  if (value === undefined) return "";
  return typeof value === "string" ? value : value.join("");
}

/**
 * A notebook cell's recorded outputs in the site's shape: streams and errors kept, display_data
 * and execute_result kept with only the MIME types the site renders (text/plain always present:
 * an empty string when the notebook had none). Consecutive same-name streams are merged.
 */
export function outputsFromNotebook(outputs: readonly NotebookOutput[]): CellOutput[] {
  let result: CellOutput[] = [];
  for (const output of outputs) {
    switch (output.output_type) {
      case "stream": {
        const name = output.name === "stderr" ? "stderr" : "stdout";
        result = appendOutput(result, {
          output_type: "stream",
          name,
          text: joinMultiline(output.text),
        });
        break;
      }
      case "display_data":
      case "execute_result": {
        const data: Record<string, string> = { "text/plain": "" };
        for (const mime of RENDERED_MIME_TYPES) {
          const value = output.data?.[mime];
          if (typeof value === "string" || Array.isArray(value)) {
            data[mime] = joinMultiline(value as MultilineString);
          }
        }
        result = appendOutput(result, {
          output_type: "display_data",
          data: data as OutputBundle,
        });
        break;
      }
      case "error":
        result = appendOutput(result, {
          output_type: "error",
          ename: output.ename ?? "Error",
          evalue: output.evalue ?? "",
        });
        break;
      default:
        // Unknown output types (a future nbformat) are not shown rather than shown wrongly.
        break;
    }
  }
  return result;
}
