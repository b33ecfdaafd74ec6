// Local Docusaurus plugin for the runnable chapter pages: lets the bundler import the library's
// TypeScript source (NodeNext ".js" suffixes resolve to ".ts" for files under src/), and in the
// dev server regenerates the chapter pages when a notebook changes.
import path from "node:path";
import type { LoadContext, Plugin } from "@docusaurus/types";

import { buildChapters, DEFAULT_NOTEBOOKS_DIR } from "../../scripts/build-chapters.js";

export default function runnableCellsPlugin(context: LoadContext): Plugin {
  const notebooksDir = path.resolve(process.env.DISTSYS_NOTEBOOKS || DEFAULT_NOTEBOOKS_DIR);
  const librarySource = path.join(context.siteDir, "src");
  return {
    name: "distsys-runnable-cells",

    // Build scripts run build:chapters before Docusaurus; this keeps `npm start` current while a
    // notebook is edited: Docusaurus reloads this plugin when a notebook changes, the pages are
    // rewritten (only when their content changed) and the docs plugin picks them up.
    getPathsToWatch() {
      return [path.join(notebooksDir, "*.ipynb")];
    },

    async loadContent() {
      if (process.env.NODE_ENV !== "production") {
        const result = await buildChapters({ notebooksDir });
        for (const file of result.written) {
          console.log(`[distsys] regenerated ${path.relative(context.siteDir, file)}`);
        }
      }
    },

    configureWebpack() {
      return {
        // The library reads its corpus files with fs from `__dirname` only when running in Node;
        // in the browser it fetches them. Leave `__dirname` alone instead of mocking it.
        node: { __dirname: false },
        module: {
          rules: [
            {
              // Resolve options of a rule apply to the imports made by the modules it matches:
              // only the library's own files, so packages keep their ".js" files even where a
              // ".ts" file sits next to one.
              test: /\.ts$/,
              include: librarySource,
              resolve: { extensionAlias: { ".js": [".ts", ".js"] } },
            },
          ],
        },
      };
    },
  };
}
