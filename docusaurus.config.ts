// Docusaurus configuration for the distsys site. The site directory is the repository root;
// all site content lives under site/ (docs, pages, CSS, static files). Generated at build time:
// site/docs/chapters (from notebooks/, scripts/build-chapters.ts) and site/docs/api (TypeDoc).
import type { Config } from "@docusaurus/types";
import type * as Preset from "@docusaurus/preset-classic";
import { themes as prismThemes } from "prism-react-renderer";

import runnableCellsPlugin from "./site/plugins/runnable-cells.js";

/** The first line of a generated chapter page: an MDX comment saying where it comes from. */
const GENERATED_COMMENT = /^\{\/\*[^\n]*?\*\/\}\r?\n(?=---)/;

const config: Config = {
  title: "distsys",
  tagline: "Learn distributed systems by running them",
  favicon: "img/favicon.svg",

  url: "https://distsys.example.org",
  baseUrl: "/",
  trailingSlash: false,

  onBrokenLinks: "throw",
  onBrokenAnchors: "throw",
  onDuplicateRoutes: "throw",

  i18n: { defaultLocale: "en", locales: ["en"] },

  future: {
    v4: true,
    // Rspack, SWC and Lightning CSS through @docusaurus/faster: a cold build in seconds.
    faster: true,
  },

  markdown: {
    mermaid: true,
    // .md files are plain CommonMark (generated pages may hold `{` and `<`); .mdx files are MDX.
    format: "detect",
    hooks: { onBrokenMarkdownLinks: "throw" },
    // Generated pages open with a comment line before their front matter, but front matter must
    // come first: the comment is dropped both where front matter is read and before MDX compiles
    // the page (it is only for people reading the file).
    parseFrontMatter: async (params) =>
      params.defaultParseFrontMatter({
        ...params,
        fileContent: params.fileContent.replace(GENERATED_COMMENT, ""),
      }),
    preprocessor: ({ fileContent }) => fileContent.replace(GENERATED_COMMENT, ""),
  },
  themes: [
    "@docusaurus/theme-mermaid",
    [
      "@easyops-cn/docusaurus-search-local",
      {
        // Offline search: the index is built from the pages at build time (no service, no key).
        hashed: true,
        indexDocs: true,
        indexBlog: false,
        indexPages: false,
        docsDir: ["site/docs", "site/api"],
        docsRouteBasePath: ["/docs", "/api"],
        highlightSearchTermsOnTargetPage: true,
        explicitSearchResultPath: true,
      },
    ],
  ],

  plugins: [
    runnableCellsPlugin,
    [
      "docusaurus-plugin-typedoc",
      {
        // The API reference, generated from the TSDoc of the library's public face into a docs
        // instance of its own (/api, its own sidebar), apart from the chapters.
        id: "api",
        entryPoints: ["src/index.ts"],
        // The library's own build config (src/ only): a type error in a test or a benchmark must
        // not break the site, and checking only src/ keeps the build fast.
        tsconfig: "tsconfig.build.json",
        out: "site/api",
        docsPath: "site/api",
        readme: "none",
        // No git remote to link to: source links would be broken.
        disableSources: true,
        excludePrivate: true,
        excludeInternal: true,
        // Written to site/api/typedoc-sidebar.cjs, which site/sidebars-api.ts reads.
        sidebar: {
          autoConfiguration: true,
          pretty: true,
          typescript: false,
          deprecatedItemClassName: "typedoc-sidebar-item-deprecated",
        },
      },
    ],
    [
      "@docusaurus/plugin-content-docs",
      {
        id: "api",
        path: "site/api",
        routeBasePath: "api",
        sidebarPath: "./site/sidebars-api.ts",
      },
    ],
  ],

  // data/ holds the Porcupine histories; served at /porcupine/ for the chapter cells that check them.
  staticDirectories: ["site/static", "data"],

  presets: [
    [
      "classic",
      {
        docs: {
          path: "site/docs",
          routeBasePath: "docs",
          sidebarPath: "./site/sidebars.ts",
        },
        blog: false,
        pages: { path: "site/src/pages" },
        theme: { customCss: ["./site/src/css/custom.css", "./site/src/css/print.css"] },
      } satisfies Preset.Options,
    ],
  ],

  themeConfig: {
    colorMode: {
      defaultMode: "light",
      respectPrefersColorScheme: true,
    },
    navbar: {
      title: "distsys",
      logo: { alt: "distsys", src: "img/favicon.svg" },
      items: [
        { type: "docSidebar", sidebarId: "chapters", position: "left", label: "Chapters" },
        {
          type: "docSidebar",
          sidebarId: "api",
          docsPluginId: "api",
          position: "left",
          label: "API",
        },
        { to: "/docs/chapters/09-interview", position: "left", label: "Interview" },
        { to: "/quiz", position: "left", label: "Quiz" },
      ],
    },
    footer: {
      style: "dark",
      links: [
        {
          title: "Learn",
          items: [
            { label: "Start here", to: "/docs/intro" },
            { label: "API reference", to: "/api" },
            { label: "Flashcards quiz", to: "/quiz" },
            { label: "Cheat sheet", to: "/docs/chapters/09g-cheat-sheet" },
          ],
        },
      ],
      copyright: "distsys, MIT licensed.",
    },
    // Code blocks and the runnable cells' editors share these (a light theme in light mode).
    prism: { theme: prismThemes.github, darkTheme: prismThemes.dracula },
    // scripts/mermaid-prerender.ts draws chapter diagrams at build time with the same themes.
    mermaid: {
      theme: { light: "neutral", dark: "dark" },
    },
  } satisfies Preset.ThemeConfig,
};

export default config;
