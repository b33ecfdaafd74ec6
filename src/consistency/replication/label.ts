// Arrow labels for sequence diagrams of the replicated stores: the message type with the fields
// that tell the story (key, tag or version, value, hint), short enough for a Mermaid arrow.

import type { Envelope } from "../../sim/index.js";
import type { AbdTag } from "./abd.js";
import type { ReplicaInput, ReplicaOutput } from "./types.js";

const tagText = (tag: AbdTag): string => `(${tag.ts},${tag.writer || "-"})`;

const inputText = (input: ReplicaInput): string =>
  input.kind === "read" ? `read ${input.key}` : `write ${input.key}=${input.value}`;

const outputText = (output: ReplicaOutput): string =>
  output.kind === "error" ? "error" : `ok [${output.values.join(",")}]`;

const versionText = (version: Readonly<Record<string, number>>): string =>
  `{${Object.entries(version)
    .map(([actor, count]) => `${actor}:${count}`)
    .join(",")}}`;

const valuesText = (versions: readonly { value: string }[]): string =>
  `[${versions.map((v) => v.value).join(",")}]`;

/**
 * A compact label for any message of the ABD, eventual and Dynamo stores; pass it as `label` to
 * `toMermaidSequence` or `toTextTable`. Unknown message types print as their type.
 *
 * @example
 * toMermaidSequence(abdInversionScenario().trace, { label: replicaMessageLabel });
 * // arrows such as "abdStore x (2,c1)=new" and "abdQueryReply (1,c1)=old"
 */
export function replicaMessageLabel(message: Envelope): string {
  const m = message as unknown as Record<string, unknown> & { type: string };
  switch (m.type) {
    case "abdQuery":
      return `abdQuery ${String(m.key)}`;
    case "abdQueryReply":
      return `abdQueryReply ${tagText(m.tag as AbdTag)}=${String(m.value)}`;
    case "abdStore":
      return `abdStore ${String(m.key)} ${tagText(m.tag as AbdTag)}=${String(m.value)}`;
    case "request":
    case "dyRequest":
      return `${m.type} ${inputText(m.input as ReplicaInput)}`;
    case "reply":
    case "dyReply":
      return `${m.type} ${outputText(m.output as ReplicaOutput)}`;
    case "push": {
      const entry = m.entry as { key: string; value: string; ts: number; replica: string };
      return `push ${entry.key}=${entry.value} @${entry.ts}:${entry.replica}`;
    }
    case "aeCompare":
      return `aeCompare level ${String(m.level)}, ${(m.nodes as unknown[]).length} hashes`;
    case "aeKeys":
      return `aeKeys ${(m.digests as unknown[]).length} digests`;
    case "aeEntries":
      return `aeEntries ${(m.entries as unknown[]).length} entries, want ${(m.want as unknown[]).length}`;
    case "aeFull":
      return `aeFull ${(m.entries as unknown[]).length} entries`;
    case "dyRead":
      return `dyRead ${String(m.key)}`;
    case "dyReadReply":
      return `dyReadReply ${valuesText(m.versions as { value: string }[])}`;
    case "dyWrite": {
      const versions = m.versions as { value: string; version: Record<string, number> }[];
      const what = versions.map((v) => `${v.value}${versionText(v.version)}`).join(",");
      const kind = m.reqId === -1 ? "read repair" : "dyWrite";
      const hint = m.hintFor === null ? "" : ` hint for ${String(m.hintFor)}`;
      return `${kind} ${String(m.key)} ${what}${hint}`;
    }
    case "dyHandoff":
      return `dyHandoff ${String(m.key)} ${valuesText(m.versions as { value: string }[])}`;
    default:
      return m.type;
  }
}
