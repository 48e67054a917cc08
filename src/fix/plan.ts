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
 * Everything else is left to the maintainer and said so, with the reason.
 */
import path from "node:path";
import type { Finding } from "../analyze/finding.ts";
import type { ObjectRef } from "../model/object.ts";
import { bitnamiStableLine, isSelectorHelper } from "./helpers.ts";

/** The rules whose findings `fix` can repair. */
export const REPAIRABLE_RULES: ReadonlySet<string> = new Set(["volatile-pod-labels", "volatile-selector", "volatile-claim-template"]);

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
    const overlapping = [...repairs.values()].find((r) => overlaps(r.edit, planned.edit));
    if (overlapping) {
      unrepaired.push({ finding, reason: `its template lines overlap the repair at ${overlapping.id}` });
      continue;
    }
    repairs.set(planned.id, planned);
  }
  return { repairs: [...repairs.values()], unrepaired };
}

function overlaps(a: LineEdit, b: LineEdit): boolean {
  return a.file === b.file && a.line < b.line + b.count && b.line < a.line + a.count;
}

function repairFor(finding: Finding, input: PlanInput): Repair | { reason: string } {
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
  const map = mapPath(finding);
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
  const label = labels.length === 1 ? labels[0] : undefined;
  if (label !== undefined && literal?.key === label) {
    if (!literal.hasSibling) return { reason: `${template}:${templateLine} writes the label ${label} as the only entry of its map: removing it would leave the map empty` };
    return { id, kind: "literal-label-removed", description: `remove the line that writes the label ${label}`, edit: at(1, []), findings: [finding], intended };
  }
  return { reason: noRepairReason(finding, lines, templateLine, template) };
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
 * the repair may change anything in it, and nothing else.
 */
function mapPath(finding: Finding): string {
  const expressions = finding.path.indexOf(".matchExpressions[");
  return expressions >= 0 ? finding.path.slice(0, expressions) : finding.path;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
