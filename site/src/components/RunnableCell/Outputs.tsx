// Renders a cell's outputs, recorded (on the server, before any JavaScript runs) or live, the same
// way: consecutive text outputs in one <pre> so that the output area's innerText is exactly
// outputsText(outputs); rich bundles by priority Mermaid, HTML, Markdown, SVG, plain text.
import type { ReactNode } from "react";
import useIsBrowser from "@docusaurus/useIsBrowser";
import Mermaid from "@theme/Mermaid";

import {
  type CellOutput,
  type OutputBundle,
  errorText,
  isTextOutput,
  outputText,
  richMimeType,
} from "../../cell-runtime/outputs";
import { sanitizeMarkup } from "../../cell-runtime/sanitize";
import MermaidSvg from "../MermaidSvg";
import Markdown from "./Markdown";
import styles from "./styles.module.css";

/** Mermaid renders in the browser only; until then (and without JavaScript) show the source. */
function MermaidOutput({ value }: { value: string }): ReactNode {
  const isBrowser = useIsBrowser();
  if (!isBrowser) return <pre className={styles.textOutput}>{value}</pre>;
  return (
    <div className={styles.mermaidOutput} data-output-type="mermaid">
      <Mermaid value={value} />
    </div>
  );
}

function RichOutput({
  data,
  mermaidSvgs,
}: {
  data: OutputBundle;
  mermaidSvgs: { light: string; dark: string } | undefined;
}): ReactNode {
  const mime = richMimeType(data);
  const value = data[mime] as string;
  switch (mime) {
    case "text/vnd.mermaid":
      // Recorded diagrams were drawn at build time; live ones are drawn here by theme-mermaid,
      // which loads Mermaid on first use.
      return mermaidSvgs !== undefined ? (
        <MermaidSvg light={mermaidSvgs.light} dark={mermaidSvgs.dark} />
      ) : (
        <MermaidOutput value={value} />
      );
    case "text/html":
      return (
        <div
          className={styles.htmlOutput}
          data-output-type="html"
          dangerouslySetInnerHTML={{ __html: sanitizeMarkup(value) }}
        />
      );
    case "text/markdown":
      return (
        <div className={styles.markdownOutput} data-output-type="markdown">
          <Markdown text={value} />
        </div>
      );
    case "image/svg+xml":
      return (
        <div
          className={styles.svgOutput}
          data-output-type="svg"
          dangerouslySetInnerHTML={{ __html: sanitizeMarkup(value) }}
        />
      );
    default:
      return <pre className={styles.textOutput}>{value}</pre>;
  }
}

function textClass(output: CellOutput): string | undefined {
  if (output.output_type === "error") return styles.errorText;
  if (output.output_type === "stream" && output.name === "stderr") return styles.stderrText;
  return undefined;
}

/** The output area of a cell: `data-testid="cell-output"`. */
export default function Outputs({ outputs }: { outputs: readonly CellOutput[] }): ReactNode {
  const blocks: ReactNode[] = [];
  let texts: CellOutput[] = [];
  const flush = (): void => {
    if (texts.length === 0) return;
    blocks.push(
      <pre key={`t${blocks.length}`} className={styles.textOutput}>
        {texts.map((output, i) => (
          <span key={i} className={textClass(output)}>
            {output.output_type === "error" ? errorText(output) + "\n" : outputText(output)}
          </span>
        ))}
      </pre>,
    );
    texts = [];
  };
  for (const output of outputs) {
    if (isTextOutput(output)) {
      texts.push(output);
    } else if (output.output_type === "display_data") {
      flush();
      blocks.push(
        <RichOutput
          key={`r${blocks.length}`}
          data={output.data}
          mermaidSvgs={output.mermaidSvgs}
        />,
      );
    }
  }
  flush();
  return (
    <div className={styles.outputs} data-testid="cell-output" aria-live="polite">
      {blocks}
    </div>
  );
}
