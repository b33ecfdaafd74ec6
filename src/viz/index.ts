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
