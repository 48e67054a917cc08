/**
 * The upgrade probe: what `helm upgrade` renders for a release installed from the base
 * render, with the same chart and values. `helm template` has no cluster, so there `lookup`
 * finds nothing; on a real upgrade it finds the objects the install created. The copy's
 * templates answer every `lookup` from the base render instead (a helper holding those
 * objects as JSON), so a value the chart generates once and reads back is kept, and a value
 * generated without reading it back (or read back under another key, or behind a values
 * flag that is off) changes, as it would on the upgrade.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { isRecord, type YamlDocument } from "../load/yaml.ts";
import { replaceFile } from "./chart-copy.ts";
import { ACTION, templateFiles, type ChartNode } from "./probe-copy.ts";

const LOOKUP_CALL = /(?<![\w.$])lookup\s+/g;
const HELPER = "chartguard.lookup";
export const CLUSTER_TEMPLATE_FILE = "_chartguard_cluster.tpl";

/**
 * Rewrites `lookup A B C D` in every template action of every chart in the tree into a call
 * of the helper that answers from the base render. Returns the kinds looked up (`*` when a
 * kind is not a literal); empty when no template calls `lookup`.
 */
export function answerLookupsFromRender(nodes: readonly ChartNode[]): Set<string> {
  const kinds = new Set<string>();
  for (const node of nodes) {
    for (const file of templateFiles(path.join(node.dir, "templates"))) {
      const text = readFileSync(file, "utf8");
      if (!text.includes("lookup")) continue;
      const rewritten = text.replace(ACTION, (action) => (/^\{\{-?\s*\/\*/.test(action) ? action : rewriteAction(action, kinds)));
      if (rewritten !== text) replaceFile(file, rewritten);
    }
  }
  return kinds;
}

function rewriteAction(action: string, kinds: Set<string>): string {
  let out = "";
  let from = 0;
  for (const match of action.matchAll(LOOKUP_CALL)) {
    if (match.index < from) continue;
    const operands: string[] = [];
    let at = match.index + match[0].length;
    while (operands.length < 4) {
      const end = operandEnd(action, at);
      if (end === undefined) break;
      operands.push(action.slice(at, end));
      at = end;
      while (/\s/.test(action[at] ?? "")) at++;
    }
    if (operands.length < 4) continue;
    const kind = /^"([^"\\]*)"$/.exec(operands[1]!)?.[1];
    kinds.add(kind ?? "*");
    out += `${action.slice(from, match.index)}(include "${HELPER}" (list ${operands.join(" ")}) | fromJson) `;
    from = at;
  }
  return out + action.slice(from);
}

/** Where a template operand starting at `at` ends: a string, a raw string, a parenthesised pipeline, or a word. */
function operandEnd(text: string, at: number): number | undefined {
  const first = text[at];
  if (first === undefined) return undefined;
  if (first === '"') {
    for (let i = at + 1; i < text.length; i++) {
      if (text[i] === "\\") i++;
      else if (text[i] === '"') return i + 1;
    }
    return undefined;
  }
  if (first === "`") {
    const end = text.indexOf("`", at + 1);
    return end === -1 ? undefined : end + 1;
  }
  if (first === "(") {
    let depth = 0;
    for (let i = at; i < text.length; i++) {
      const c = text[i];
      if (c === '"') {
        const end = operandEnd(text, i);
        if (end === undefined) return undefined;
        i = end - 1;
      } else if (c === "(") depth++;
      else if (c === ")" && --depth === 0) return i + 1;
    }
    return undefined;
  }
  const word = /^[$.\w-]+/.exec(text.slice(at))?.[0];
  return word === undefined || word.startsWith("-}") ? undefined : at + word.length;
}

/**
 * The helper the rewritten calls use, with the objects of `docs` of the kinds looked up, as
 * the cluster holds them after the install: in the release's namespace when they set none,
 * and a Secret's stringData stored as base64 data.
 */
export function clusterTemplate(docs: readonly YamlDocument[], namespace: string, kinds: ReadonlySet<string>): string {
  const objects: Record<string, unknown> = {};
  for (const doc of docs) {
    const object = doc.value;
    if (!isRecord(object) || typeof object.kind !== "string" || !isRecord(object.metadata)) continue;
    if (!kinds.has("*") && !kinds.has(object.kind)) continue;
    const name = object.metadata.name;
    if (typeof name !== "string") continue;
    const stored = asStored(object);
    const own = typeof object.metadata.namespace === "string" ? object.metadata.namespace : undefined;
    for (const ns of own === undefined ? [namespace, ""] : [own]) objects[`${object.kind}/${ns}/${name}`] = stored;
  }
  // `{{` can only sit inside a JSON string, where `\u007b` means the same character.
  const json = JSON.stringify(objects).replaceAll("{{", "{\\u007b");
  return [
    `{{- define "${HELPER}" -}}`,
    `{{- $objects := include "chartguard.cluster" nil | fromJson -}}`,
    `{{- $kind := index . 1 | toString -}}{{- $namespace := index . 2 | toString -}}{{- $name := index . 3 | toString -}}`,
    `{{- if eq $name "" -}}`,
    `{{- $items := list -}}`,
    `{{- range $key, $object := $objects -}}`,
    // Every namespace: each object once (one without a namespace of its own sits under the release's and under "").
    `{{- if and (eq $object.kind $kind) (ternary (not (hasPrefix (printf "%s//" $kind) $key)) (hasPrefix (printf "%s/%s/" $kind $namespace) $key) (eq $namespace "")) -}}{{- $items = append $items $object -}}{{- end -}}`,
    `{{- end -}}`,
    `{{- dict "items" $items | toJson -}}`,
    `{{- else -}}`,
    `{{- get $objects (printf "%s/%s/%s" $kind $namespace $name) | default dict | toJson -}}`,
    `{{- end -}}`,
    `{{- end -}}`,
    `{{- define "chartguard.cluster" -}}`,
    json,
    `{{- end -}}`,
    "",
  ].join("\n");
}

/** A Secret's stringData is stored merged into data, base64-encoded. */
function asStored(object: Record<string, unknown>): Record<string, unknown> {
  if (object.kind !== "Secret" || !isRecord(object.stringData)) return object;
  const { stringData, ...rest } = object;
  const data: Record<string, unknown> = isRecord(rest.data) ? { ...rest.data } : {};
  for (const [key, value] of Object.entries(stringData)) data[key] = Buffer.from(String(value), "utf8").toString("base64");
  return { ...rest, data };
}

export function writeClusterTemplate(root: string, text: string): void {
  // A new file ("wx"): the copy's files may be hard links to the user's chart.
  writeFileSync(path.join(root, "templates", CLUSTER_TEMPLATE_FILE), text, { flag: "wx" });
}
