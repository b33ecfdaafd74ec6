// Strips the active parts from HTML and SVG output before the page inserts it. The HTML comes from
// our own library's display helpers, so this is a safety net, not a defence against hostile input:
// it removes script-like elements, on* event attributes and javascript: URLs. It works on strings
// (no DOM) so that recorded outputs render the same way on the server and in the browser.

const BLOCKED_ELEMENTS = [
  "script",
  "iframe",
  "object",
  "embed",
  "frame",
  "frameset",
  "base",
  "meta",
  "link",
];

/** The HTML or SVG without scripts, event handler attributes or javascript: URLs. */
export function sanitizeMarkup(markup: string): string {
  let result = markup;
  for (const tag of BLOCKED_ELEMENTS) {
    // A paired element with its content, then any lone or self-closing tag left over.
    result = result.replace(new RegExp(`<${tag}\\b[\\s\\S]*?<\\/${tag}\\s*>`, "gi"), "");
    result = result.replace(new RegExp(`<\\/?${tag}\\b[^>]*>`, "gi"), "");
  }
  // on* attributes, quoted or not; repeated, as one pass removes one attribute per tag.
  let previous = "";
  while (previous !== result) {
    previous = result;
    result = result.replace(
      /(<[^>]*?)\s+on[a-z]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)/gi,
      (_m, head: string) => head,
    );
  }
  // javascript: and data:text/html URLs in links and sources.
  result = result.replace(
    /(\s(?:href|src|xlink:href|action|formaction)\s*=\s*)(["']?)\s*(?:javascript|vbscript|data:text\/html)[^"'\s>]*/gi,
    "$1$2#",
  );
  return result;
}
