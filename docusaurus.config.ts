// Docusaurus configuration for the distsys site. The site directory is the repository root;
// all site content lives under site/ (docs, pages, CSS, static files).
import type { Config } from "@docusaurus/types";
import type * as Preset from "@docusaurus/preset-classic";

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
  },
  themes: ["@docusaurus/theme-mermaid"],

  staticDirectories: ["site/static"],

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
        theme: { customCss: "./site/src/css/custom.css" },
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
      items: [{ type: "docSidebar", sidebarId: "chapters", position: "left", label: "Chapters" }],
    },
    footer: {
      style: "dark",
      links: [
        {
          title: "Learn",
          items: [{ label: "Start here", to: "/docs/intro" }],
        },
      ],
      copyright: "distsys, MIT licensed.",
    },
    mermaid: {
      theme: { light: "neutral", dark: "dark" },
    },
  } satisfies Preset.ThemeConfig,
};

export default config;
