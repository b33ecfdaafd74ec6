// Sidebar of the API reference (/api): the overview page, then the categories that TypeDoc writes
// to site/api/typedoc-sidebar.cjs when the site is built or served (docusaurus-plugin-typedoc).
import { createRequire } from "node:module";
import type { SidebarsConfig } from "@docusaurus/plugin-content-docs";

// The generated file exports the array of sidebar items (classes, functions, ... categories).
const generated = createRequire(__filename)("./api/typedoc-sidebar.cjs") as never[];

const sidebars: SidebarsConfig = {
  api: [{ type: "doc", id: "index", label: "Overview" }, ...generated],
};

export default sidebars;
