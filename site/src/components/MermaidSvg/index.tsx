// A Mermaid diagram drawn at build time (scripts/mermaid-prerender.ts) in the site's light and dark
// Mermaid themes: both SVGs are in the page and CSS shows the one of the current color mode, so the
// diagram is there before any JavaScript runs and the page does not load Mermaid.
import type { ReactNode } from "react";

import styles from "./styles.module.css";

export default function MermaidSvg({ light, dark }: { light: string; dark: string }): ReactNode {
  return (
    <div className={styles.diagram} data-output-type="mermaid">
      <div className={styles.light} dangerouslySetInnerHTML={{ __html: light }} />
      <div className={styles.dark} dangerouslySetInnerHTML={{ __html: dark }} />
    </div>
  );
}
