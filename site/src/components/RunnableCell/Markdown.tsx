// A small Markdown renderer for text/markdown cell outputs (tables, paragraphs, headings, lists,
// code, emphasis, links), producing React elements, never raw HTML. Display helpers emit simple
// Markdown; anything it does not know shows as plain text, which is still readable.
import type { ReactNode } from "react";

function inline(text: string, keyPrefix: string): ReactNode[] {
  const nodes: ReactNode[] = [];
  const pattern =
    /(`+)([\s\S]*?)\1|\*\*([^*]+)\*\*|__([^_]+)__|\*([^*\s][^*]*)\*|_([^_\s][^_]*)_|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let last = 0;
  let key = 0;
  for (const match of text.matchAll(pattern)) {
    const index = match.index ?? 0;
    if (index > last) nodes.push(text.slice(last, index));
    const k = `${keyPrefix}-${key++}`;
    if (match[1] !== undefined) nodes.push(<code key={k}>{(match[2] ?? "").trim()}</code>);
    else if (match[3] !== undefined || match[4] !== undefined) {
      nodes.push(<strong key={k}>{inline(match[3] ?? match[4] ?? "", k)}</strong>);
    } else if (match[5] !== undefined || match[6] !== undefined) {
      nodes.push(<em key={k}>{inline(match[5] ?? match[6] ?? "", k)}</em>);
    } else {
      const href = match[8] ?? "";
      const safe = /^(https?:|\/|#|\.)/.test(href) ? href : "#";
      nodes.push(
        <a key={k} href={safe}>
          {inline(match[7] ?? "", k)}
        </a>,
      );
    }
    last = index + match[0].length;
  }
  if (last < text.length) nodes.push(text.slice(last));
  return nodes;
}

function tableCells(line: string): string[] {
  const trimmed = line.trim().replace(/^\|/, "").replace(/\|$/, "");
  return trimmed.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, "|"));
}

function isTableSeparator(line: string | undefined): boolean {
  return line !== undefined && /^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$/.test(line);
}

/** Renders Markdown text as React elements. */
export default function Markdown({ text }: { text: string }): ReactNode {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const blocks: ReactNode[] = [];
  let i = 0;
  let key = 0;
  while (i < lines.length) {
    const line = lines[i] as string;
    const k = `b${key++}`;
    const fence = /^\s*(```|~~~)/.exec(line);
    if (fence !== null) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !(lines[i] as string).trim().startsWith(fence[1] as string)) {
        body.push(lines[i] as string);
        i++;
      }
      i++;
      blocks.push(
        <pre key={k}>
          <code>{body.join("\n")}</code>
        </pre>,
      );
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading !== null) {
      const level = Math.min((heading[1] as string).length + 2, 6);
      const Tag = `h${level}` as "h3";
      blocks.push(<Tag key={k}>{inline(heading[2] as string, k)}</Tag>);
      i++;
      continue;
    }
    if (line.includes("|") && isTableSeparator(lines[i + 1])) {
      const header = tableCells(line);
      const aligns = tableCells(lines[i + 1] as string).map((cell) =>
        cell.startsWith(":") && cell.endsWith(":")
          ? "center"
          : cell.endsWith(":")
            ? "right"
            : cell.startsWith(":")
              ? "left"
              : undefined,
      );
      i += 2;
      const rows: string[][] = [];
      while (
        i < lines.length &&
        (lines[i] as string).includes("|") &&
        (lines[i] as string).trim() !== ""
      ) {
        rows.push(tableCells(lines[i] as string));
        i++;
      }
      blocks.push(
        <table key={k}>
          <thead>
            <tr>
              {header.map((cell, c) => (
                <th key={c} style={{ textAlign: aligns[c] }}>
                  {inline(cell, `${k}h${c}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, r) => (
              <tr key={r}>
                {header.map((_, c) => (
                  <td key={c} style={{ textAlign: aligns[c] }}>
                    {inline(row[c] ?? "", `${k}r${r}c${c}`)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>,
      );
      continue;
    }
    const listItem = /^\s*([-*+]|\d+[.)])\s+/;
    if (listItem.test(line)) {
      const ordered = /^\s*\d/.test(line);
      const items: string[] = [];
      while (i < lines.length && listItem.test(lines[i] as string)) {
        items.push((lines[i] as string).replace(listItem, ""));
        i++;
      }
      const List = ordered ? "ol" : "ul";
      blocks.push(
        <List key={k}>
          {items.map((item, n) => (
            <li key={n}>{inline(item, `${k}i${n}`)}</li>
          ))}
        </List>,
      );
      continue;
    }
    if (line.trim() === "") {
      i++;
      continue;
    }
    const paragraph: string[] = [];
    while (
      i < lines.length &&
      (lines[i] as string).trim() !== "" &&
      !/^\s*(```|~~~|#{1,6}\s)/.test(lines[i] as string) &&
      !listItem.test(lines[i] as string)
    ) {
      paragraph.push(lines[i] as string);
      i++;
    }
    blocks.push(<p key={k}>{inline(paragraph.join("\n"), k)}</p>);
  }
  return <div className="cell-markdown">{blocks}</div>;
}
