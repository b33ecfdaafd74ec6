// The display core: bundles reach the sink set by the page or kernel, print as plain text
// everywhere else, and malformed bundles are refused by name.

import { inspect } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type MimeBundle, richOutput, setDisplaySink, show } from "../../src/index.js";

afterEach(() => setDisplaySink(undefined));

describe("show() and display sinks", () => {
  it("sends the whole bundle to the sink that was set", () => {
    const seen: MimeBundle[] = [];
    setDisplaySink((bundle) => void seen.push(bundle));
    show(richOutput({ "text/plain": "hi", "text/markdown": "**hi**" }));
    show("plain");
    expect(seen).toEqual([
      { "text/plain": "hi", "text/markdown": "**hi**" },
      { "text/plain": "plain" },
    ]);
  });

  it("without a sink or a tslab kernel it prints the plain text", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    show(richOutput({ "text/plain": "a table", "text/html": "<table></table>" }));
    expect(log).toHaveBeenCalledWith("a table");
    log.mockRestore();
  });

  it("a rich output inspects and stringifies as its plain text (a cell's last value)", () => {
    const output = richOutput({ "text/plain": "x | y", "text/html": "<b>x</b>" });
    expect(inspect(output)).toBe("x | y");
    expect(`${output}`).toBe("x | y");
  });

  it("refuses bundles without text/plain or with non-string entries", () => {
    expect(() => richOutput({ "text/html": "<b>x</b>" } as unknown as MimeBundle)).toThrow(
      "a MIME bundle must have a text/plain entry",
    );
    expect(() =>
      richOutput({ "text/plain": "x", "image/png": 5 } as unknown as MimeBundle),
    ).toThrow("MIME bundle entry image/png must be a string, got number");
    expect(() => setDisplaySink(5 as never)).toThrow(
      "display sink must be a function or undefined, got number",
    );
  });
});
