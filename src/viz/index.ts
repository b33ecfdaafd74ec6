// Display helpers shared by notebooks and site cells: public face of src/viz.
// Each helper returns a RichOutput (a MIME bundle with a plain-text fallback); show() displays it.

export {
  type DisplaySink,
  type MimeBundle,
  type RichOutput,
  richOutput,
  setDisplaySink,
  show,
} from "./display.js";
export { type MermaidOptions, mermaid } from "./mermaid.js";
export { type SequenceOptions, sequence } from "./sequence.js";
export { type TableColumn, type TableOptions, formatNumber, table } from "./table.js";
export {
  type BarChartOptions,
  type BarDatum,
  type ChartOptions,
  type LineChartOptions,
  type LineSeries,
  barChart,
  lineChart,
} from "./chart.js";
