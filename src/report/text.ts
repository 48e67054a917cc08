/**
 * The report for people at a terminal, short by default: one line per finding, grouped by
 * file (as eslint's stylish formatter does), columns aligned within a file; then once per
 * rule that fired, why it matters and how to fix it (never once per finding); then the
 * counts. `verbose` adds each finding's full explanation, its own remedy where it says more
 * than the rule's fix, and its migration commands, indented under its line.
 */
import pc from "picocolors";
import type { Finding, Severity, Summary } from "../analyze/finding.ts";
import type { RuleMeta } from "../analyze/rule.ts";
import type { SuppressedFinding } from "../analyze/suppress.ts";
import { failureLine } from "../errors.ts";
import type { ObjectRef } from "../model/object.ts";
import { BASELINE_TITLES, baselineCounts, baselineGroups, incompleteText, noteText, objectLabel, suppressedSuffix, suppressionText, whereText, type ReportResult } from "./common.ts";
import { visible, visibleLines } from "./visible.ts";
import { labelled, wrap } from "./wrap.ts";

export interface TextOptions {
  color: boolean;
  /** Rule metadata, to say once at the end why each reported rule matters and how to fix it. */
  rules: ReadonlyMap<string, RuleMeta>;
  /** Under each finding: its full explanation, its own remedy, its migration commands. */
  verbose?: boolean;
  /** Columns the explanations are wrapped at (the CLI: the terminal's width, at most 100). */
  width?: number;
}

/** Where prose is wrapped when no width is given: a report written to a file or a CI log. */
export const DEFAULT_WIDTH = 100;

// A file with very many findings (a cluster dump), or very many suppressed ones, goes out in parts too.
const LINES_PER_PIECE = 4096;

/** What the text report reads: a result with its counts (which stay whole when `--quiet` shortens `findings`). */
export type TextReport = ReportResult & { summary: Summary };

export function formatText(report: TextReport, options: TextOptions): string {
  let out = "";
  for (const chunk of formatTextChunks(report, options)) out += chunk;
  return out;
}

/** What every part of the report draws with: colours, the wrap width, how objects are named. */
interface Style {
  c: ReturnType<typeof pc.createColors>;
  paint: Record<Severity, (s: string) => string>;
  width: number;
  label: (object: ObjectRef) => string;
  options: TextOptions;
}

function styleFor(report: TextReport, options: TextOptions): Style {
  const c = pc.createColors(options.color);
  // One namespace throughout (one release, the usual case): objects go by kind and name alone.
  const namespaces = new Set([...report.findings, ...(report.suppressed ?? []), ...(report.absent ?? [])].map((f) => f.object.namespace ?? ""));
  return {
    c,
    paint: { error: c.red, warning: c.yellow, info: c.blue },
    width: options.width ?? DEFAULT_WIDTH,
    label: (object) => visible(namespaces.size > 1 ? objectLabel(object) : `${object.kind}/${object.name}`),
    options,
  };
}

const piece = (lines: readonly string[]) => lines.map((line) => `${line}\n`).join("");

/**
 * The same report in pieces: the charts not checked, then one piece per file, then the
 * suppressed findings when listed, then the rules and the counts. Written out piece by
 * piece, a report of many thousand findings is never held whole.
 */
export function* formatTextChunks(report: TextReport, options: TextOptions): Generator<string> {
  const style = styleFor(report, options);
  const { c } = style;
  const failed = report.failed ?? [];
  if (failed.length > 0) {
    yield piece([c.red(c.bold(`Not checked (${failed.length}), could not be rendered:`)), ...failed.map((f) => `  ${visible(failureLine(f))}`), ""]);
  }
  // The rules in the order their first finding is printed: their why and fix close the report.
  const fired = new Set<string>();
  // An upgrade's findings in two parts: what it introduces or changes, and what was already there.
  const groups = baselineGroups(report);
  const sections: [string | undefined, readonly Finding[]][] = groups
    ? [
        [BASELINE_TITLES.introduced, groups.introduced],
        [BASELINE_TITLES.present, groups.present],
      ]
    : [[undefined, report.findings]];
  for (const [title, findings] of sections) {
    if (title !== undefined) yield piece([c.bold(`${title} (${findings.length}):`), ...(findings.length === 0 ? ["  nothing"] : []), ""]);
    for (const [file, inFile] of byFile(findings)) yield* filePieces(file, inFile, style, fired);
  }
  yield* suppressedPieces(report.suppressed ?? [], style);
  if (groups && groups.absent.length > 0) {
    yield piece([c.bold(`${BASELINE_TITLES.absent} (${groups.absent.length}):`), ...groups.absent.map((f) => plainFindingLine(f, style)), ""]);
  }
  yield piece([...ruleExplanations(fired, style), ...closingLines(report, groups, fired, style)]);
}

/** One file's findings, a line each with its columns aligned, each rule they name added to `fired`. */
function* filePieces(file: string, inFile: readonly Finding[], style: Style, fired: Set<string>): Generator<string> {
  const { c, paint, options } = style;
  const rows = inFile.map((f) => ({ finding: f, where: lineText(f), object: style.label(f.object) }));
  const columns = {
    where: Math.max(...rows.map((r) => r.where.length)),
    severity: Math.max(...rows.map((r) => r.finding.severity.length)),
    rule: Math.max(...rows.map((r) => r.finding.rule.length)),
    object: Math.max(...rows.map((r) => r.object.length)),
  };
  const lines: string[] = [c.underline(visible(file))];
  for (const { finding: f, where, object } of rows) {
    fired.add(f.rule);
    const changed = f.baselineState === "updated" ? ` ${c.yellow("(changed by this upgrade)")}` : "";
    const at = /^\d+$/.test(where) ? where.padStart(columns.where) : c.dim(where.padEnd(columns.where));
    const severity = paint[f.severity](f.severity.padEnd(columns.severity));
    lines.push(`  ${at}  ${severity}  ${c.dim(f.rule.padEnd(columns.rule))}  ${object.padEnd(columns.object)}  ${visible(f.message)}${changed}`);
    if (options.verbose) lines.push(...verboseLines(f, options.rules.get(f.rule), style.width, c));
    if (lines.length >= LINES_PER_PIECE) yield piece(lines.splice(0));
  }
  lines.push("");
  yield piece(lines);
}

/** A finding listed apart from the files (suppressed, or gone with the upgrade): where, severity, rule, object, message. */
function plainFindingLine(f: Finding, style: Style): string {
  return `  ${visible(whereText(f.location))}  ${f.severity}  ${style.c.dim(f.rule)}  ${style.label(f.object)}  ${visible(f.message)}`;
}

function* suppressedPieces(suppressed: readonly SuppressedFinding[], style: Style): Generator<string> {
  if (suppressed.length === 0) return;
  const lines: string[] = [style.c.bold(`Suppressed (${suppressed.length}):`)];
  for (const f of suppressed) {
    lines.push(plainFindingLine(f, style));
    lines.push(`      suppressed by ${visible(suppressionText(f.suppression))}`);
    if (lines.length >= LINES_PER_PIECE) yield piece(lines.splice(0));
  }
  lines.push("");
  yield piece(lines);
}

/** Once per rule that fired: why it matters and its fix (by default the first sentence of each, the headline). */
function ruleExplanations(fired: ReadonlySet<string>, style: Style): string[] {
  const { c, options, width } = style;
  const lines: string[] = [];
  for (const id of fired) {
    const meta = options.rules.get(id);
    if (!meta) continue;
    // --verbose and `chartguard rules` give all of it.
    const [why, fix] = options.verbose ? [meta.why, meta.fix] : [firstSentence(meta.why), firstSentence(meta.fix)];
    const [head, ...rest] = wrap(`${id}: ${why}`, width, "  ");
    lines.push(c.bold(id) + head!.slice(2 + id.length), ...rest, ...labelled(`  ${c.green("fix:")} `, fix, width, 7));
  }
  if (lines.length > 0) lines.push("");
  return lines;
}

/** The counts, the upgrade's split of them, the notes, and where to read more. */
function closingLines(report: TextReport, groups: ReturnType<typeof baselineGroups>, fired: ReadonlySet<string>, style: Style): string[] {
  const { c, paint } = style;
  const { error, warning, info } = report.summary;
  const total = error + warning + info;
  const incomplete = incompleteText(report);
  const counts =
    total === 0 && incomplete === undefined
      ? c.green("No label or selector problems found")
      : `${paint.error(plural(error, "error"))}, ${paint.warning(plural(warning, "warning"))}, ${paint.info(`${info} info`)}`;
  const lines = [`${counts}${suppressedSuffix(report)}${incomplete === undefined ? (total === 0 ? "." : "") : ` (${c.red(incomplete)}).`}`];
  if (groups) lines.push(`${baselineCounts(groups)}.`);
  for (const note of report.notes) lines.push(c.dim(visible(noteText(note))));
  if (fired.size > 0) lines.push(c.dim(style.options.verbose ? HINT_VERBOSE : HINT));
  return lines;
}

/**
 * The findings by the file people open: the template where Helm named one, else the
 * manifest or chart. Files in path order, and in each the findings by line.
 */
function byFile(findings: readonly Finding[]): [string, Finding[]][] {
  const files = new Map<string, Finding[]>();
  for (const finding of findings) {
    const key = finding.location.template ?? finding.location.file;
    const group = files.get(key);
    if (group) group.push(finding);
    else files.set(key, [finding]);
  }
  const line = (f: Finding) => f.location.templateLine ?? f.location.line;
  for (const group of files.values()) group.sort((a, b) => line(a) - line(b) || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
  return [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * A finding's line under its file heading: the template's line where known; else, under a
 * template heading, the line in Helm's output, named as such (`rendered:14`): the heading
 * names the chart already, and a long chart path would widen every line of the file.
 */
function lineText(f: Finding): string {
  const { template, templateLine, line } = f.location;
  if (template === undefined) return `${line}`;
  return templateLine !== undefined ? `${templateLine}` : `rendered:${line}`;
}

const VERBOSE_INDENT = "      ";

/** `--verbose`: the field, the full explanation, the finding's own remedy, and the commands to migrate. */
function verboseLines(f: Finding, rule: RuleMeta | undefined, width: number, c: ReturnType<typeof pc.createColors>): string[] {
  const lines = [`${VERBOSE_INDENT}${c.dim(`field ${visible(f.path)}`)}`];
  if (f.detail !== undefined) lines.push(...wrap(visibleLines(f.detail), width, VERBOSE_INDENT));
  if (f.remedy.text !== rule?.fix) lines.push(...labelled(`${VERBOSE_INDENT}${c.green("fix:")} `, visibleLines(f.remedy.text), width, VERBOSE_INDENT.length + 5));
  for (const command of f.remedy.commands ?? []) lines.push(`${VERBOSE_INDENT}  ${c.cyan("$")} ${visible(command)}`);
  return lines;
}

/** The last line of a report with findings: where to read more. */
export const HINT = "Run with --verbose for details; `chartguard rules RULE-ID` explains a rule.";
export const HINT_VERBOSE = "`chartguard rules RULE-ID` explains a rule.";

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** The text up to its first sentence end (a period, `!` or `?` before a space and a capital, a backquote or a parenthesis). */
export function firstSentence(text: string): string {
  const end = /[.!?](?=\s+[A-Z`(])/.exec(text);
  return end === null ? text : text.slice(0, end.index + 1);
}
