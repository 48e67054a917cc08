/**
 * The repairs `chartguard fix` proposes, planned from `check` findings and the chart's
 * template text alone (pure). Each finding of a repairable rule names the template line
 * that produced its field (render/template-lines.ts); a repair rewrites only that span:
 *
 * - an `include` of the full labels helper (`<name>.labels`, which carries helm.sh/chart
 *   and app.kubernetes.io/version) becomes an include of the selector-labels helper it
 *   includes itself (`<name>.selectorLabels`): same arguments, same `nindent`, so the
 *   indentation stays right and the pod-label values merged after it stay;
 * - a values map merged into a selector with `toYaml` (`{{- with .Values.x }}` /
 *   `{{- toYaml . | nindent n }}` / `{{- end }}`, or one `toYaml .Values.x` line) is taken
 *   out of the selector; the pod template keeps the labels;
 * - a volatile label written as its own `key: value` line of the map is removed, when the
 *   map keeps another entry (a map left empty would change its meaning: an empty selector).
 *
 * A plain Job's volatile-job-template finding is repaired the same way when only labels of
 * its pod template change: with its image or another field changing too, the template stays
 * immutable and changing, so a label repair would not stop the failed upgrade.
 *
 * Everything else is left to the maintainer and said so, with the reason.
 */
import path from "node:path";
import type { Finding } from "../analyze/finding.ts";
import { andList } from "../analyze/messages.ts";
import type { ObjectRef } from "../model/object.ts";
import { bitnamiStableLine, isSelectorHelper } from "./helpers.ts";

/** The rules whose findings `fix` can repair. */
export const REPAIRABLE_RULES: ReadonlySet<string> = new Set(["volatile-pod-labels", "volatile-selector", "volatile-claim-template", "volatile-job-template"]);

/** Lines `line` .. `line + count - 1` (1-based) of `file` become `replacement`. */
export interface LineEdit {
  /** Relative to the chart directory, with `/`. */
  file: string;
  line: number;
  count: number;
  replacement: string[];
}

export type RepairKind = "selector-labels-helper" | "values-out-of-selector" | "literal-label-removed";

/**
 * A field a repair means to change: the label map at `path` of `object`, from which it
 * takes out `label` (the finding's) and any label the object keeps elsewhere (fix/proof.ts).
 */
export interface IntendedField {
  object: ObjectRef;
  path: string;
  label?: string;
}

export interface Repair {
  /** `templates/deployment.yaml:18`: the file and first line the repair edits. */
  id: string;
  kind: RepairKind;
  /** One sentence: what the edit does. */
  description: string;
  edit: LineEdit;
  /** More lines the same repair edits: those writing the finding's other labels in the same map. */
  alsoEdits?: LineEdit[];
  /** The findings the edit removes, in the order they were reported. */
  findings: Finding[];
  intended: IntendedField[];
  /** What the proof with the given values cannot show: who the repair still affects. */
  caveat?: string;
}

export interface Unrepaired {
  finding: Finding;
  reason: string;
}

export interface RepairPlan {
  repairs: Repair[];
  unrepaired: Unrepaired[];
}

export interface PlanInput {
  findings: readonly Finding[];
  /** The chart directory, absolute. */
  chartDir: string;
  /** The directory `location.template` paths are relative to. */
  cwd: string;
  /** Template files by their path relative to the chart directory (with `/`). */
  files: ReadonlyMap<string, string>;
  /** Labels helper → the selector-labels helper it includes (fix/helpers.ts). */
  selectorHelpers: ReadonlyMap<string, string>;
  /** The chart has Bitnami's common label helpers (fix/helpers.ts, hasBitnamiCommon). */
  bitnamiCommon?: boolean;
}

const INCLUDE = /\binclude\s+"([^"]+)"/g;
const WITH_VALUES = /^\s*\{\{-?\s*with\s+\$?\.Values(?:\.[\w-]+)+\s*-?\}\}\s*$/;
const TOYAML_DOT = /^\s*\{\{-?\s*toYaml\s+\.\s*\|\s*n?indent\s+\d+\s*-?\}\}\s*$/;
const END = /^\s*\{\{-?\s*end\s*-?\}\}\s*$/;
const TOYAML_VALUES = /^\s*\{\{-?\s*toYaml\s+\$?\.Values(?:\.[\w-]+)+\s*\|\s*n?indent\s+\d+\s*-?\}\}\s*$/;
/** `  key: value` on one line: the indentation, the key (quoted or not), and a value after it. */
const KEY_VALUE = /^(\s*)("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"{-][^#]*?)\s*:\s+\S/;

/** Lines of a template without their line ends (a `\r` of a CRLF file stays on its line). */
export function templateLines(text: string): string[] {
  return text.split("\n");
}

export function planRepairs(input: PlanInput): RepairPlan {
  const repairs = new Map<string, Repair>();
  const unrepaired: Unrepaired[] = [];
  for (const finding of input.findings) {
    const planned = repairFor(finding, input);
    if ("reason" in planned) {
      unrepaired.push({ finding, reason: planned.reason });
      continue;
    }
    const same = repairs.get(planned.id);
    if (same) {
      same.findings.push(finding);
      same.intended.push(...planned.intended);
      continue;
    }
    const overlapping = [...repairs.values()].find((r) => overlaps(r, planned));
    if (overlapping) {
      unrepaired.push({ finding, reason: `its template lines overlap the repair at ${overlapping.id}` });
      continue;
    }
    repairs.set(planned.id, planned);
  }
  return { repairs: [...repairs.values()], unrepaired };
}

/** Every line edit of a repair. */
export function editsOf(repair: Repair): LineEdit[] {
  return [repair.edit, ...(repair.alsoEdits ?? [])];
}

function overlaps(a: Repair, b: Repair): boolean {
  return editsOf(a).some((x) => editsOf(b).some((y) => x.file === y.file && x.line < y.line + y.count && y.line < x.line + x.count));
}

function repairFor(finding: Finding, input: PlanInput): Repair | { reason: string } {
  const primary = lineRepairFor(finding, input);
  const labels = labelsOf(finding);
  if ("reason" in primary || labels.length < 2 || primary.kind === "values-out-of-selector") return primary;
  return withOtherLabels(primary, finding, labels, input);
}

/** The repair of the finding's own template line (for a merged finding, the line of its first label). */
function lineRepairFor(finding: Finding, input: PlanInput): Repair | { reason: string } {
  if (!REPAIRABLE_RULES.has(finding.rule)) return { reason: `fix has no repair for ${finding.rule} (it repairs ${[...REPAIRABLE_RULES].join(", ")})` };
  const { template, templateLine } = finding.location;
  if (template === undefined || templateLine === undefined) return { reason: "the template line that produced the field was not found" };
  const file = path.relative(input.chartDir, path.resolve(input.cwd, template)).split(path.sep).join("/");
  const text = input.files.get(file);
  if (text === undefined || file.startsWith("../")) return { reason: `the template ${template} is not a file of the chart directory` };
  const lines = templateLines(text);
  const line = lines[templateLine - 1];
  if (line === undefined) return { reason: `${template} has no line ${templateLine}` };
  const labels = labelsOf(finding);
  const map = mapPath(finding, labels);
  if (typeof map !== "string") return { reason: map.reason };
  const intended: IntendedField[] = labels.length === 0 ? [{ object: finding.object, path: map }] : labels.map((label) => ({ object: finding.object, path: map, label }));
  const at = (count: number, replacement: string[]) => ({ file, line: templateLine, count, replacement });
  const id = `${file}:${templateLine}`;

  const bitnami = input.bitnamiCommon === true && finding.evidence.cause !== "values" ? bitnamiStableLine(line) : undefined;
  if (bitnami !== undefined) {
    const description = 'include "common.labels.matchLabels" with the custom labels merged in, instead of "common.labels.standard"';
    return { id, kind: "selector-labels-helper", description, edit: at(1, [bitnami]), findings: [finding], intended };
  }
  const included = [...new Set([...line.matchAll(INCLUDE)].map((m) => m[1]!))];
  const labelHelpers = included.filter((name) => input.selectorHelpers.has(name));
  if (labelHelpers.length === 1) {
    const helper = labelHelpers[0]!;
    const stable = input.selectorHelpers.get(helper)!;
    const replaced = line.replace(new RegExp(`(\\binclude\\s+)"${escapeRegExp(helper)}"`, "g"), `$1"${stable}"`);
    return { id, kind: "selector-labels-helper", description: `include "${stable}" instead of "${helper}"`, edit: at(1, [replaced]), findings: [finding], intended };
  }
  if (finding.rule === "volatile-selector" && finding.evidence.cause === "values") {
    const count = WITH_VALUES.test(line) && TOYAML_DOT.test(lines[templateLine] ?? "") && END.test(lines[templateLine + 1] ?? "") ? 3 : TOYAML_VALUES.test(line) ? 1 : 0;
    if (count > 0) {
      const what = typeof finding.evidence.valuesPath === "string" ? finding.evidence.valuesPath : "the values map";
      const caveat =
        `a release installed with ${what} set has those labels in its selector: before upgrading it, delete the ${finding.object.kind} with --cascade=orphan (the pods keep running and are adopted)`;
      return { id, kind: "values-out-of-selector", description: `take ${what} out of the selector (the pod template keeps it)`, edit: at(count, []), findings: [finding], intended, caveat };
    }
  }
  const literal = literalLabel(lines, templateLine - 1);
  const label = literal !== undefined && labels.includes(literal.key) ? literal.key : undefined;
  if (label !== undefined && literal !== undefined) {
    // Whether a merged finding's map keeps an entry is told once its other labels are placed (withOtherLabels).
    if (!literal.hasSibling && labels.length === 1) return { reason: `${template}:${templateLine} writes the label ${label} as the only entry of its map: removing it would leave the map empty` };
    return { id, kind: "literal-label-removed", description: `remove the line that writes the label ${label}`, edit: at(1, []), findings: [finding], intended };
  }
  return { reason: noRepairReason(finding, lines, templateLine, template) };
}

/**
 * A merged finding lists every volatile label of its map, and its line is the first one's:
 * the others are written on their own `key: value` lines of the same map (removed with it),
 * or come from the map's one labels-helper include (made the selector-labels one). When a
 * label has neither, or the map would be left empty, the reason.
 */
function withOtherLabels(primary: Repair, finding: Finding, labels: readonly string[], input: PlanInput): Repair | { reason: string } {
  const { file } = primary.edit;
  const lines = templateLines(input.files.get(file)!);
  const template = finding.location.template!;
  const block = mapBlock(lines, primary.edit.line - 1);
  const edited = new Set([primary.edit.line - 1]);
  const literalKey = primary.kind === "literal-label-removed" ? literalLabel(lines, primary.edit.line - 1)?.key : undefined;
  const alsoEdits: LineEdit[] = [];
  const removed: string[] = literalKey === undefined ? [] : [literalKey];
  let helperCovers = primary.kind === "selector-labels-helper";
  let description = primary.description;
  let kind = primary.kind;
  for (const key of labels) {
    if (key === literalKey) continue;
    const at = block.find((i) => !edited.has(i) && literalLabel(lines, i)?.key === key);
    if (at === undefined) continue;
    edited.add(at);
    removed.push(key);
    alsoEdits.push({ file, line: at + 1, count: 1, replacement: [] });
  }
  if (!helperCovers && removed.length < labels.length) {
    // The labels not written literally come from an include on another line of the map.
    const helperLine = block.find((i) => !edited.has(i) && [...lines[i]!.matchAll(INCLUDE)].filter((m) => input.selectorHelpers.has(m[1]!)).length === 1);
    if (helperLine === undefined) return { reason: noRepairReason(finding, lines, primary.edit.line, template) };
    const helper = lineRepairFor({ ...finding, location: { ...finding.location, templateLine: helperLine + 1 } }, input);
    if ("reason" in helper || helper.kind !== "selector-labels-helper") return { reason: noRepairReason(finding, lines, primary.edit.line, template) };
    edited.add(helperLine);
    alsoEdits.push(helper.edit);
    description = `${helper.description}, and remove the line${removed.length === 1 ? "" : "s"} that write${removed.length === 1 ? "s" : ""} ${andWords(removed)}`;
    helperCovers = true;
    kind = helper.kind;
  } else if (removed.length > (literalKey === undefined ? 0 : 1)) {
    const others = removed.filter((key) => key !== literalKey);
    description = literalKey === undefined ? `${description}, and remove the line${others.length === 1 ? "" : "s"} that write${others.length === 1 ? "s" : ""} ${andWords(others)}` : `remove the lines that write ${andWords(removed)}`;
  }
  if (!helperCovers && !block.some((i) => !edited.has(i) && (literalLabel(lines, i) !== undefined || /\b(?:include|toYaml|tpl)\b/.test(lines[i]!)))) {
    return { reason: `${template}:${primary.edit.line} writes ${andWords(removed)} as the only entries of its map: removing them would leave the map empty` };
  }
  const all = [primary.edit, ...alsoEdits].sort((a, b) => a.line - b.line);
  const [first, ...rest] = all as [LineEdit, ...LineEdit[]];
  return { ...primary, id: `${file}:${first.line}`, kind, description, edit: first, ...(rest.length > 0 ? { alsoEdits: rest } : {}) };
}

function andWords(keys: readonly string[]): string {
  return andList(keys.map((k) => `the label ${k}`));
}

/**
 * The lines of the label map around line `index`: up to its `labels:`/`matchLabels:` key,
 * and on while lines are entries (`key: value`), template actions or blank; a line that is
 * none of those ends it. Empty when no key line is found above.
 */
function mapBlock(lines: readonly string[], index: number): number[] {
  const isEntry = (line: string) => line.trim() === "" || line.trim().startsWith("#") || line.trimStart().startsWith("{{") || KEY_VALUE.test(line);
  const indentOf = (line: string) => line.length - line.trimStart().length;
  let key = index - 1;
  while (key >= 0 && !/^\s*[^\s{#][^{#]*:\s*$/.test(lines[key]!)) {
    if (!isEntry(lines[key]!)) return [];
    key--;
  }
  if (key < 0) return [];
  const keyIndent = indentOf(lines[key]!);
  const block: number[] = [];
  for (let i = key + 1; i < lines.length && isEntry(lines[i]!) && (lines[i]!.trimStart().startsWith("{{") || lines[i]!.trim() === "" || indentOf(lines[i]!) > keyIndent); i++) block.push(i);
  return block;
}

/** Why a finding's template line has no repair, as precisely as the line says. */
function noRepairReason(finding: Finding, lines: readonly string[], templateLine: number, template: string): string {
  if (finding.rule === "volatile-claim-template" && finding.evidence.cause === "values") {
    return `the claim template takes labels from values${typeof finding.evidence.valuesPath === "string" ? ` (${finding.evidence.valuesPath})` : ""}: removing them would drop a setting users rely on, so fix leaves it to the maintainer`;
  }
  // A bare `matchLabels:` or `labels:` line: the entries come from the first action in its block.
  let at = templateLine - 1;
  if (/^\s*[^\s{#][^{#]*:\s*$/.test(lines[at]!)) {
    const indent = lines[at]!.length - lines[at]!.trimStart().length;
    for (let i = at + 1; i < lines.length && (lines[i]!.trim() === "" || lines[i]!.length - lines[i]!.trimStart().length > indent); i++) {
      if (lines[i]!.includes("{{")) {
        at = i;
        break;
      }
    }
  }
  const line = lines[at]!;
  const included = [...line.matchAll(INCLUDE)].map((m) => m[1]!);
  const selector = included.find(isSelectorHelper);
  if (selector !== undefined) return `the volatile labels come from inside the selector-labels helper "${selector}" (${template}:${at + 1}), which takes in values or versions: fix does not edit helpers`;
  const unpaired = included.find((name) => /labels$/i.test(name));
  if (unpaired !== undefined) return `the helper "${unpaired}" on ${template}:${at + 1} includes no selector-labels helper to use instead`;
  return `${template}:${at + 1} builds the field in a way fix does not rewrite: ${line.trim()}`;
}

/**
 * The key of a label written on its own `key: value` line at `index` (a line that starts
 * no nested block), and whether removing the line leaves the map another entry: a sibling
 * line at the same indentation, literal or a template action.
 */
function literalLabel(lines: readonly string[], index: number): { key: string; hasSibling: boolean } | undefined {
  const match = KEY_VALUE.exec(lines[index]!);
  if (!match) return undefined;
  const indent = match[1]!.length;
  const indentOf = (line: string) => line.length - line.trimStart().length;
  const isBlank = (line: string) => line.trim() === "" || line.trim().startsWith("#");
  const neighbour = (step: number) => {
    for (let i = index + step; i >= 0 && i < lines.length; i += step) if (!isBlank(lines[i]!)) return lines[i]!;
    return undefined;
  };
  const next = neighbour(1);
  if (next !== undefined && indentOf(next) > indent) return undefined;
  const hasSibling = [neighbour(-1), next].some((line) => line !== undefined && indentOf(line) === indent && !/^\s*-\s/.test(line));
  const quoted = match[2]!;
  const key = quoted.startsWith('"') ? quoted.slice(1, -1).replace(/\\(.)/g, "$1") : quoted.startsWith("'") ? quoted.slice(1, -1).replace(/''/g, "'") : quoted;
  return { key, hasSibling };
}

/** The volatile labels a finding names (`evidence.labels`, one entry per label of the map). */
function labelsOf(finding: Finding): string[] {
  const labels = finding.evidence.labels;
  if (!Array.isArray(labels)) return [];
  return labels.flatMap((label: unknown) => (typeof label === "object" && label !== null && typeof (label as { key?: unknown }).key === "string" ? [(label as { key: string }).key] : []));
}

/**
 * The label map a finding is about (`spec.template.metadata.labels`, `spec.selector`):
 * the repair may change anything in it, and nothing else. A volatile-job-template finding
 * names each field of the Job's template that changes: taking labels out makes that
 * template stable only when every one of them is a label of one map; otherwise the reason.
 */
function mapPath(finding: Finding, labels: readonly string[]): string | { reason: string } {
  if (finding.rule === "volatile-job-template") {
    const fields = Array.isArray(finding.evidence.fields) ? finding.evidence.fields.filter((f): f is string => typeof f === "string") : [finding.path];
    const maps = new Set<string>();
    const others: string[] = [];
    for (const field of fields) {
      const key = labels.find((label) => field.endsWith(`.labels.${label}`));
      if (key === undefined) others.push(field);
      else maps.add(field.slice(0, -key.length - 1));
    }
    if (others.length > 0) {
      return { reason: `the Job's template also changes in ${others.join(", ")}, which no label repair stops: make the Job a Helm hook or name it per release` };
    }
    if (maps.size !== 1) return { reason: "the Job's changing labels are not in one label map" };
    return [...maps][0]!;
  }
  const expressions = finding.path.indexOf(".matchExpressions[");
  return expressions >= 0 ? finding.path.slice(0, expressions) : finding.path;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
