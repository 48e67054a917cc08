/**
 * The repairs `chartguard fix` proposes, planned from `check` findings and the chart's
 * template text alone (pure). Each finding of a repairable rule names the template line
 * that produced its field (render/template-lines.ts); a repair rewrites only that span:
 *
 * - an `include` of the full labels helper (`<name>.labels`, which carries helm.sh/chart
 *   and app.kubernetes.io/version) becomes an include of the selector-labels helper it
 *   includes itself (`<name>.selectorLabels`): same arguments, same `nindent`, so the
 *   indentation stays right and the pod-label values merged after it stay; when the labels
 *   helper includes none, the one fix/helpers.ts adds next to it (one edit of the helpers
 *   file, shared by every repair that includes it);
 * - a values map merged into a selector with `toYaml` (`{{- with .Values.x }}` /
 *   `{{- toYaml . | nindent n }}` / `{{- end }}`, or one `toYaml .Values.x` line) is taken
 *   out of the selector; the pod template keeps the labels. In a claim template the same,
 *   and an `if`/`with` block that holds only its `labels:` key goes whole: claims get
 *   static labels only;
 * - a volatile label written as its own `key: value` line of the map is removed, when the
 *   map keeps another entry (a map left empty would change its meaning: an empty selector).
 *
 * A plain Job's volatile-job-template finding is repaired the same way when only labels of
 * its pod template change: with its image or another field changing too, the template stays
 * immutable and changing, so a label repair would not stop the failed upgrade.
 *
 * A selector-overlap finding whose foreign pods are all the chart's own Jobs' is repaired
 * on the Jobs' pod labels, no selector changing (fix/overlap.ts).
 *
 * Everything else is left to the maintainer and said so, with the reason.
 */
import path from "node:path";
import { escapeRegExp } from "../load/regexp.ts";
import type { Finding } from "../analyze/finding.ts";
import { andList } from "../analyze/messages.ts";
import { bitnamiStableLine, isSelectorHelper } from "./helpers.ts";
import { overlapRepair } from "./overlap.ts";
import type { IntendedField, PlanInput, Repair, RepairKind } from "./repair.ts";

export type { IntendedField, PlanInput, Repair, RepairKind };
import { templateLines, type LineEdit } from "./patch.ts";

/** The rules whose findings `fix` can repair. */
export const REPAIRABLE_RULES: ReadonlySet<string> = new Set(["volatile-pod-labels", "volatile-selector", "volatile-claim-template", "volatile-job-template", "selector-overlap"]);

/** The repairs that make a label map the output of a selector-labels helper: they stand for every label the map's include wrote. */
const HELPER_KINDS: ReadonlySet<RepairKind> = new Set(["selector-labels-helper", "selector-labels-helper-added"]);

export interface Unrepaired {
  finding: Finding;
  reason: string;
}

export interface RepairPlan {
  repairs: Repair[];
  unrepaired: Unrepaired[];
}

const INCLUDE = /\binclude\s+"([^"]+)"/g;
/** `{{- with .Values.x }}`, or of a variable holding part of the values (`$pvc.extraLabels`). */
const WITH_VALUES = /^\s*\{\{-?\s*with\s+(?:\$\w*)?(?:\.[\w-]+)+\s*-?\}\}\s*$/;
const TOYAML_DOT = /^\s*\{\{-?\s*toYaml\s+\.\s*\|\s*n?indent\s+\d+\s*-?\}\}\s*$/;
/** `{{- if cond }}` or `{{- with x }}` alone on its line. */
const GUARD = /^\s*\{\{-?\s*(?:if|with)\s[^{}]*-?\}\}\s*$/;
/** One action that renders a values map at an indentation: `{{- include "common.tplvalues.render" (dict "value" .Values.x ...) | nindent 10 }}`. */
const VALUES_RENDER = /^\s*\{\{-?[^{}]*\$?\.Values(?:\.[\w-]+)+[^{}]*\|\s*n?indent\s+\d+\s*-?\}\}\s*$/;
/** A `labels:` key alone on its line, its value on the lines below. */
const BARE_LABELS = /^\s*labels:\s*$/;
/** A `labels:` key with its whole value on the same line (`labels: {{- include ... | nindent 10 }}`). */
const LABELS_KEY_LINE = /^\s*labels:\s*\{\{.*\}\}\s*$/;
const END = /^\s*\{\{-?\s*end\s*-?\}\}\s*$/;
const TOYAML_VALUES = /^\s*\{\{-?\s*toYaml\s+\$?\.Values(?:\.[\w-]+)+\s*\|\s*n?indent\s+\d+\s*-?\}\}\s*$/;
/** `  key: value` on one line: the indentation, the key (quoted or not), and a value after it. */
const KEY_VALUE = /^(\s*)("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"{-][^#]*?)\s*:\s+\S/;

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

/** The edits of `file` the repairs make, each once: a selector-labels helper added is one edit shared by the repairs that use it. */
export function editsIn(repairs: readonly Repair[], file: string): LineEdit[] {
  const edits = new Map<string, LineEdit>();
  for (const edit of repairs.flatMap(editsOf)) if (edit.file === file) edits.set(JSON.stringify(edit), edit);
  return [...edits.values()];
}

/** Whether two repairs edit the same lines (the same helper added by both is one edit, no overlap). */
function overlaps(a: Repair, b: Repair): boolean {
  const crosses = (x: LineEdit, y: LineEdit) => x.file === y.file && x.line < y.line + y.count && y.line < x.line + x.count && JSON.stringify(x) !== JSON.stringify(y);
  return editsOf(a).some((x) => editsOf(b).some((y) => crosses(x, y)));
}

function repairFor(finding: Finding, input: PlanInput): Repair | { reason: string } {
  if (finding.rule === "selector-overlap") return overlapRepair(finding, input, (name) => isLabelsHelper(name, input));
  const primary = lineRepairFor(finding, input);
  const labels = labelsOf(finding);
  if ("reason" in primary || labels.length < 2 || primary.kind === "values-out-of-selector") return primary;
  return withOtherLabels(primary, finding, labels, input);
}

/** A finding's template line, read: what every way of repairing it starts from. */
interface Site {
  finding: Finding;
  /** As the finding names it, and relative to the chart directory (with `/`). */
  template: string;
  file: string;
  lines: string[];
  /** 1-based. */
  templateLine: number;
  line: string;
  labels: string[];
  intended: IntendedField[];
}

/** The repair of the finding's own template line (for a merged finding, the line of its first label). */
function lineRepairFor(finding: Finding, input: PlanInput): Repair | { reason: string } {
  if (!REPAIRABLE_RULES.has(finding.rule)) return { reason: `fix has no repair for ${finding.rule} (it repairs ${[...REPAIRABLE_RULES].join(", ")})` };
  const site = siteOf(finding, input);
  if ("reason" in site) return site;
  return (
    bitnamiRepair(site, input) ??
    helperRepair(site, input) ??
    valuesRepair(site) ??
    literalRepair(site) ?? { reason: noRepairReason(site.lines, site.templateLine, site.template) }
  );
}

function siteOf(finding: Finding, input: PlanInput): Site | { reason: string } {
  const { template, templateLine } = finding.location;
  if (template === undefined || templateLine === undefined) return { reason: "the template line that produced the field was not found" };
  const file = path.relative(input.chartDir, path.resolve(input.cwd, template)).split(path.sep).join("/");
  const text = input.files.get(file);
  if (text === undefined || file.startsWith("../")) return { reason: `the template ${template} is not a file of the chart directory` };
  const lines = templateLines(text);
  if (lines[templateLine - 1] === undefined) return { reason: `${template} has no line ${templateLine}` };
  // The repair edits the line that writes the entries, under a bare map key the finding may name.
  const at = actionLine(lines, templateLine - 1) + 1;
  const labels = labelsOf(finding);
  const map = mapPath(finding, labels);
  if (typeof map !== "string") return { reason: map.reason };
  const intended: IntendedField[] = labels.length === 0 ? [{ object: finding.object, path: map }] : labels.map((label) => ({ object: finding.object, path: map, label }));
  return { finding, template, file, lines, templateLine: at, line: lines[at - 1]!, labels, intended };
}

/** A repair of `count` lines from the finding's line (or from `first`) of its template. */
function repairAt(site: Site, kind: RepairKind, description: string, count: number, replacement: string[], first = site.templateLine): Repair {
  return { id: `${site.file}:${first}`, kind, description, edit: { file: site.file, line: first, count, replacement }, findings: [site.finding], intended: site.intended };
}

/** Bitnami's `common.labels.standard` becomes `common.labels.matchLabels` with the custom labels merged back. */
function bitnamiRepair(site: Site, input: PlanInput): Repair | undefined {
  const stable = input.bitnamiCommon === true && site.finding.evidence.cause !== "values" ? bitnamiStableLine(site.line) : undefined;
  if (stable === undefined) return undefined;
  return repairAt(site, "selector-labels-helper", 'include "common.labels.matchLabels" with the custom labels merged in, instead of "common.labels.standard"', 1, [stable]);
}

/**
 * The line's one include of a labels helper becomes an include of its selector-labels
 * helper: the one it includes, or one added next to it (fix/helpers.ts). Same arguments,
 * same `nindent`.
 */
function helperRepair(site: Site, input: PlanInput): Repair | undefined {
  const included = [...new Set([...site.line.matchAll(INCLUDE)].map((m) => m[1]!))];
  const labelHelpers = included.filter((name) => input.selectorHelpers.has(name) || input.helpersToAdd?.has(name) === true);
  if (labelHelpers.length !== 1) return undefined;
  const helper = labelHelpers[0]!;
  const added = input.selectorHelpers.has(helper) ? undefined : input.helpersToAdd!.get(helper)!;
  const stable = added?.name ?? input.selectorHelpers.get(helper)!;
  const replaced = site.line.replace(new RegExp(`(\\binclude\\s+)"${escapeRegExp(helper)}"`, "g"), `$1"${stable}"`);
  if (added === undefined) return repairAt(site, "selector-labels-helper", `include "${stable}" instead of "${helper}"`, 1, [replaced]);
  const description = `include "${stable}" instead of "${helper}", a helper added to ${added.edit.file} with the ${andList(added.keys)} lines of "${helper}"`;
  return { ...repairAt(site, "selector-labels-helper-added", description, 1, [replaced]), alsoEdits: [added.edit] };
}

/**
 * A values map merged into a selector or a claim template's labels is taken out: the
 * `with` block that writes it, or its one `toYaml` line, and so are the other values maps
 * merged into the same map at the same indentation (the field is stable only once all are
 * out). A claim template's `labels:` key written inside the block goes with it (a selector
 * keeps its key: an empty one selects all).
 */
function valuesRepair(site: Site): Repair | undefined {
  const { finding, lines } = site;
  if (finding.evidence.cause !== "values" || (finding.rule !== "volatile-selector" && finding.rule !== "volatile-claim-template")) return undefined;
  const claim = finding.rule === "volatile-claim-template";
  const block = valuesBlock(lines, site.templateLine - 1, claim);
  if (block === undefined) return undefined;
  const others = siblingValuesBlocks(lines, block, claim);
  const first = typeof finding.evidence.valuesPath === "string" ? finding.evidence.valuesPath : valuesName(lines[block.start]!);
  const what = andList([first, ...others.map((other) => valuesName(lines[other.start]!))]);
  const kind = finding.object.kind;
  const alsoEdits = others.map((other) => ({ file: site.file, line: other.start + 1, count: other.count, replacement: [] }));
  const made = (repair: Repair, caveat: string): Repair => ({ ...repair, ...(alsoEdits.length > 0 ? { alsoEdits } : {}), caveat });
  if (!claim) {
    const caveat = `a release installed with ${what} set has those labels in its selector: before upgrading it, delete the ${kind} with --cascade=orphan (the pods keep running and are adopted)`;
    return made(repairAt(site, "values-out-of-selector", `take ${what} out of the selector (the pod template keeps it)`, block.count, [], block.start + 1), caveat);
  }
  const caveat = `a release installed with ${what} set has those labels in its claim template: before upgrading it, delete the ${kind} with --cascade=orphan (its pods and volume claims stay); claims made after that no longer carry them`;
  return made(repairAt(site, "values-out-of-claim-template", `take ${what} out of the claim template (its labels become the chart's static ones)`, block.count, [], block.start + 1), caveat);
}

/** Lines `start` .. `start + count - 1` (0-based) write one values map. */
interface ValuesBlock {
  start: number;
  count: number;
}

/** The values block that writes line `index` (0-based): it starts there or up to two lines above. */
function valuesBlock(lines: readonly string[], index: number, keyed: boolean): ValuesBlock | undefined {
  for (const start of [index, index - 1, index - 2]) {
    const count = valuesBlockAt(lines, start, keyed);
    if (count !== undefined && start + count > index) return { start, count };
  }
  return undefined;
}

/**
 * The lines of the values block starting at line `start`: one `toYaml .Values.x` line, or
 * a `with` block around a `toYaml .`. For a claim template (`keyed`), also a `with` block
 * holding its `labels:` key and the `toYaml .`, an `if`/`with` block holding only a
 * one-line `labels:` key (the values decide whether the key is written), or one holding
 * only a render of a values map (Bitnami's `common.tplvalues.render`).
 */
function valuesBlockAt(lines: readonly string[], start: number, keyed: boolean): number | undefined {
  const line = (at: number) => lines[at] ?? "";
  if (start < 0) return undefined;
  if (TOYAML_VALUES.test(line(start))) return 1;
  const bodies: { guard: RegExp; body: RegExp[] }[] = [{ guard: WITH_VALUES, body: [TOYAML_DOT] }];
  if (keyed) bodies.push({ guard: WITH_VALUES, body: [BARE_LABELS, TOYAML_DOT] }, { guard: GUARD, body: [LABELS_KEY_LINE] }, { guard: GUARD, body: [VALUES_RENDER] });
  const found = bodies.find(({ guard, body }) => guard.test(line(start)) && body.every((re, i) => re.test(line(start + 1 + i))) && END.test(line(start + 1 + body.length)));
  return found === undefined ? undefined : found.body.length + 2;
}

/** The other values blocks merged into the same label map as `block`, at the same indentation. */
function siblingValuesBlocks(lines: readonly string[], block: ValuesBlock, keyed: boolean): ValuesBlock[] {
  const indentOf = (b: ValuesBlock) => /\bn?indent\s+(\d+)/.exec(lines.slice(b.start, b.start + b.count).join("\n"))?.[1];
  const indent = indentOf(block);
  if (indent === undefined || lines.slice(block.start, block.start + block.count).some((l) => BARE_LABELS.test(l) || LABELS_KEY_LINE.test(l))) return [];
  const siblings: ValuesBlock[] = [];
  for (const start of mapBlock(lines, block.start)) {
    const last = siblings.at(-1);
    if ((start >= block.start && start < block.start + block.count) || (last !== undefined && start < last.start + last.count)) continue;
    const count = valuesBlockAt(lines, start, keyed);
    if (count !== undefined && indentOf({ start, count }) === indent) siblings.push({ start, count });
  }
  return siblings;
}

/** How a values block names its map: `persistence.labels` for `{{- with $.Values.persistence.labels }}`. */
function valuesName(line: string): string {
  const expression = /(?:with|toYaml|if)\s+(\$?[\w.-]*)/.exec(line)?.[1] ?? "";
  return expression.replace(/^\$?\.?(?:Values\.)?/, "") || "the values map";
}

/** The label's own `key: value` line is removed, when its map keeps another entry. */
function literalRepair(site: Site): Repair | { reason: string } | undefined {
  const literal = literalLabel(site.lines, site.templateLine - 1);
  if (literal === undefined || !site.labels.includes(literal.key)) return undefined;
  // Whether a merged finding's map keeps an entry is told once its other labels are placed (withOtherLabels).
  if (!literal.hasSibling && site.labels.length === 1) {
    return { reason: `${site.template}:${site.templateLine} writes the label ${literal.key} as the only entry of its map: removing it would leave the map empty` };
  }
  return repairAt(site, "literal-label-removed", `remove the line that writes the label ${literal.key}`, 1, []);
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
  let helperCovers = HELPER_KINDS.has(primary.kind);
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
    const isLabelHelper = (name: string) => input.selectorHelpers.has(name) || input.helpersToAdd?.has(name) === true;
    const helperLine = block.find((i) => !edited.has(i) && [...lines[i]!.matchAll(INCLUDE)].filter((m) => isLabelHelper(m[1]!)).length === 1);
    if (helperLine === undefined) return { reason: noRepairReason(lines, primary.edit.line, template) };
    const helper = lineRepairFor({ ...finding, location: { ...finding.location, templateLine: helperLine + 1 } }, input);
    if ("reason" in helper || !HELPER_KINDS.has(helper.kind)) return { reason: noRepairReason(lines, primary.edit.line, template) };
    edited.add(helperLine);
    alsoEdits.push(...editsOf(helper));
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
  // The edits of the finding's template in line order, the first naming the repair; a helper added elsewhere after them.
  const all = [...editsOf(primary), ...alsoEdits];
  const [first, ...rest] = [...all.filter((e) => e.file === file).sort((a, b) => a.line - b.line), ...all.filter((e) => e.file !== file)] as [LineEdit, ...LineEdit[]];
  return { ...primary, id: `${file}:${first.line}`, kind, description, edit: first, ...(rest.length > 0 ? { alsoEdits: rest } : {}) };
}

/** A helper whose output is a label map: a labels helper fix pairs, a selector-labels helper, or Bitnami's common ones. */
function isLabelsHelper(name: string, input: PlanInput): boolean {
  if (input.selectorHelpers.has(name) || input.helpersToAdd?.has(name) === true || isSelectorHelper(name)) return true;
  return input.bitnamiCommon === true && name.startsWith("common.labels.");
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

/** A bare `matchLabels:` or `labels:` line at `index` (0-based): its entries come from the first action in its block. Otherwise `index`. */
function actionLine(lines: readonly string[], index: number): number {
  if (!/^\s*[^\s{#][^{#]*:\s*$/.test(lines[index]!)) return index;
  const indent = lines[index]!.length - lines[index]!.trimStart().length;
  for (let i = index + 1; i < lines.length && (lines[i]!.trim() === "" || lines[i]!.length - lines[i]!.trimStart().length > indent); i++) {
    if (lines[i]!.includes("{{")) return i;
  }
  return index;
}

/** Why a finding's template line has no repair, as precisely as the line says. */
function noRepairReason(lines: readonly string[], templateLine: number, template: string): string {
  const at = actionLine(lines, templateLine - 1);
  const line = lines[at]!;
  const included = [...line.matchAll(INCLUDE)].map((m) => m[1]!);
  const selector = included.find(isSelectorHelper);
  if (selector !== undefined) return `the volatile labels come from inside the selector-labels helper "${selector}" (${template}:${at + 1}), which takes in values or versions: fix does not edit helpers`;
  const unpaired = included.find((name) => /labels$/i.test(name));
  if (unpaired !== undefined) {
    return `the helper "${unpaired}" on ${template}:${at + 1} includes no selector-labels helper, and has no single name and instance label lines of stable values to build one from`;
  }
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
