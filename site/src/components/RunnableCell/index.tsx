// A notebook code cell on a chapter page: an editable TypeScript editor, Run (or Shift+Enter),
// Reset, and the output area. The notebook's recorded outputs render on the server; Run transpiles
// and runs the code in the page's cell worker against the same library, in the page's shared
// scope (see site/src/cell-runtime). Stable hooks for tests: [data-cell-index], "Run cell N",
// [data-testid="cell-output"], [data-state].
import { Fragment, type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from "react";
import Editor from "react-simple-code-editor";
import { Highlight } from "prism-react-renderer";
import { usePrismTheme } from "@docusaurus/theme-common";

import { type CellOutput, appendOutput } from "../../cell-runtime/outputs";
import { CELL_TIME_LIMIT_MS, type CellState, chapterSession } from "../../cell-runtime/session";
import Outputs from "./Outputs";
import styles from "./styles.module.css";

export interface RunnableCellProps {
  /** The chapter id (the notebook's file name without .ipynb): cells of a chapter share a scope. */
  chapter: string;
  /** 1-based position among the page's code cells: "Run cell N", data-cell-index. */
  cell: number;
  /** 0-based index of the cell in the notebook's `cells` array. */
  notebookIndex: number;
  /** The cell's TypeScript, as in the notebook. */
  source: string;
  /** The outputs recorded in the notebook. */
  outputs: CellOutput[];
  /** The cell's notebook tags ("nondeterministic" adds a note). */
  tags?: string[];
}

function statusText(
  state: CellState,
  nondeterministic: boolean,
  durationMs: number | undefined,
): string {
  switch (state) {
    case "recorded":
      return nondeterministic
        ? "Output recorded when the notebook ran; timings vary, so your run may print other numbers."
        : "Output recorded when the notebook ran.";
    case "idle":
      return "The page scope was reset; run the cell again.";
    case "queued":
      return "Waiting for earlier cells…";
    case "running":
      return "Running…";
    case "ok":
      return durationMs === undefined
        ? "Ran in your browser."
        : `Ran in your browser in ${Math.max(1, Math.round(durationMs))} ms${nondeterministic ? " (timings vary)" : ""}.`;
    case "error":
      return "The cell failed.";
  }
}

export default function RunnableCell(props: RunnableCellProps): ReactNode {
  const { chapter, cell, notebookIndex, source, tags = [] } = props;
  const prismTheme = usePrismTheme();
  const [code, setCode] = useState(source);
  const [outputs, setOutputs] = useState<readonly CellOutput[]>(props.outputs);
  const [state, setState] = useState<CellState>("recorded");
  const [executionCount, setExecutionCount] = useState<number | undefined>(undefined);
  const [durationMs, setDurationMs] = useState<number | undefined>(undefined);
  const codeRef = useRef(code);
  codeRef.current = code;
  const nondeterministic = tags.includes("nondeterministic");

  const view = useMemo(
    () => ({
      number: cell,
      getCode: () => codeRef.current,
      setState: (next: CellState, detail?: { executionCount?: number; durationMs?: number }) => {
        // A reset leaves cells that never ran showing their recorded output as they were.
        setState((previous) => (next === "idle" && previous === "recorded" ? previous : next));
        if (next === "running" || next === "idle") setExecutionCount(undefined);
        if (detail?.executionCount !== undefined) setExecutionCount(detail.executionCount);
        setDurationMs(detail?.durationMs);
      },
      clearOutputs: () => setOutputs([]),
      addOutput: (output: CellOutput) => setOutputs((current) => appendOutput(current, output)),
    }),
    [cell],
  );

  useEffect(() => {
    const session = chapterSession(chapter);
    session.register(view);
    return () => session.unregister(view);
  }, [chapter, view]);

  const run = useCallback(() => void chapterSession(chapter).run(cell), [chapter, cell]);
  const reset = useCallback(() => chapterSession(chapter).reset(), [chapter]);
  const revert = useCallback(() => {
    setCode(source);
    setOutputs(props.outputs);
    setState("recorded");
    setExecutionCount(undefined);
  }, [source, props.outputs]);

  const highlight = useCallback(
    (text: string) => (
      <Highlight code={text} language="tsx" theme={prismTheme}>
        {({ tokens, getTokenProps }) => (
          <>
            {tokens.map((line, i) => (
              <Fragment key={i}>
                {line.map((token, k) => (
                  <span key={k} {...getTokenProps({ token })} />
                ))}
                {i < tokens.length - 1 ? "\n" : null}
              </Fragment>
            ))}
          </>
        )}
      </Highlight>
    ),
    [prismTheme],
  );

  const busy = state === "running" || state === "queued";
  const prompt = state === "running" ? "*" : state === "queued" ? "…" : (executionCount ?? " ");
  const textareaId = `cell-${chapter}-${cell}`;

  return (
    <div
      className={styles.cell}
      data-cell-index={cell}
      data-notebook-index={notebookIndex}
      data-chapter={chapter}
      data-state={state}
    >
      <div className={styles.toolbar}>
        <span className={styles.prompt} aria-hidden="true">
          [{prompt}]
        </span>
        <button
          type="button"
          className="button button--sm button--primary"
          aria-label={`Run cell ${cell}`}
          title="Run this cell (Shift+Enter); earlier cells run first if needed"
          onClick={run}
          disabled={busy}
        >
          ▶ Run
        </button>
        <button
          type="button"
          className="button button--sm button--secondary"
          aria-label="Reset page scope"
          title="Restart the page's runtime: every cell's variables are forgotten"
          onClick={reset}
        >
          Reset
        </button>
        {code !== source || state !== "recorded" ? (
          <button
            type="button"
            className="button button--sm button--link"
            aria-label={`Revert cell ${cell}`}
            title="Restore the notebook's code and recorded output"
            onClick={revert}
            disabled={busy}
          >
            Revert
          </button>
        ) : null}
        <span className={styles.status} data-testid="cell-status">
          {statusText(state, nondeterministic, durationMs)}
        </span>
      </div>
      <label htmlFor={textareaId} className={styles.visuallyHidden}>
        TypeScript code of cell {cell} (Shift+Enter runs it, Escape leaves the editor)
      </label>
      <div className={styles.editor} style={{ backgroundColor: prismTheme.plain.backgroundColor }}>
        <Editor
          value={code}
          onValueChange={setCode}
          highlight={highlight}
          padding={12}
          tabSize={2}
          textareaId={textareaId}
          textareaClassName={styles.textarea}
          preClassName={styles.pre}
          style={{
            color: prismTheme.plain.color,
            fontFamily: "var(--ifm-font-family-monospace)",
            fontSize: "var(--ifm-code-font-size)",
            lineHeight: "var(--ifm-pre-line-height)",
          }}
          onKeyDown={(event) => {
            if (event.key === "Enter" && event.shiftKey) {
              event.preventDefault();
              if (!busy) run();
            }
          }}
        />
      </div>
      <Outputs outputs={outputs} />
    </div>
  );
}

/** The time limit of a cell, for prose that mentions it. */
export const cellTimeLimitSeconds = CELL_TIME_LIMIT_MS / 1000;
