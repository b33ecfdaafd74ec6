// Landing page of the distsys site: what the project is, where it stands, and the three ways in
// (with a link to the first chapter once a chapter page has been generated from a notebook).
import type { ReactNode } from "react";
import Link from "@docusaurus/Link";
import { useAllDocsData } from "@docusaurus/plugin-content-docs/client";
import Heading from "@theme/Heading";
import Layout from "@theme/Layout";

import styles from "./index.module.css";

interface Way {
  title: string;
  body: string;
  to: string;
  action: string;
}

/**
 * The path of the first chapter page (chapters/NN-<slug>, lowest NN from 01; 00 is a smoke-test
 * notebook), or undefined while no notebook has been turned into a page (scripts/build-chapters.ts).
 */
function useFirstChapterPath(): string | undefined {
  const docs = useAllDocsData()["default"]?.versions[0]?.docs ?? [];
  const chapters = docs
    .filter((doc) => doc.id.startsWith("chapters/") && !doc.id.startsWith("chapters/00-"))
    .sort((a, b) => a.id.localeCompare(b.id));
  return chapters[0]?.path;
}

const ways: Way[] = [
  {
    title: "Read online",
    body:
      "Chapters on this site will explain one idea at a time, with diagrams drawn from " +
      "real simulator traces and code cells that run right in your browser.",
    to: "/docs/intro",
    action: "Start here",
  },
  {
    title: "Run the notebooks",
    body:
      "Each chapter will also be a Jupyter notebook with a TypeScript kernel. Clone the " +
      "repository, change a seed, drop a message, crash a node, and run the cell again.",
    to: "/docs/intro#run-the-notebooks",
    action: "How to run them",
  },
  {
    title: "Study for an interview",
    body:
      "Each chapter will end with the trade-offs worth saying out loud, and a final " +
      "chapter will give a framework for system-design questions.",
    to: "/docs/intro#study-for-an-interview",
    action: "The interview track",
  },
];

export default function Home(): ReactNode {
  const firstChapter = useFirstChapterPath();
  return (
    <Layout
      title="Learn distributed systems by running them"
      description="A tested TypeScript library on a deterministic network simulator, with notebooks and a site with runnable cells."
    >
      <header className={styles.hero}>
        <div className="container">
          <Heading as="h1" className={styles.title}>
            distsys
          </Heading>
          <p className={styles.tagline}>Learn distributed systems by running them.</p>
          <p className={styles.lead}>
            distsys is a TypeScript library of distributed protocols, each one tested, all running
            on a deterministic network simulator. Delays, lost messages, crashes, partitions and
            drifting clocks all come from one seeded generator, so the same seed replays the same
            run, step by step. Around the library: Jupyter notebooks to experiment in, and this site
            to read, where code cells run in your browser.
          </p>
          <p className={styles.status}>
            <strong>Where it stands:</strong> the simulator is written and tested; the protocols and
            chapters built on it are being written now.
          </p>
        </div>
      </header>
      <main className="container margin-vert--lg">
        <div className="row">
          {ways.map((way) => (
            <section key={way.title} className="col col--4 margin-bottom--lg">
              <Heading as="h2">{way.title}</Heading>
              <p>{way.body}</p>
              <div className={styles.actions}>
                <Link className="button button--primary" to={way.to}>
                  {way.action}
                </Link>
                {way.title === "Read online" && firstChapter !== undefined ? (
                  <Link className="button button--secondary" to={firstChapter}>
                    Read the first chapter
                  </Link>
                ) : null}
              </div>
            </section>
          ))}
        </div>
      </main>
    </Layout>
  );
}
