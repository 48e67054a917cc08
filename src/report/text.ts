/** The report for people: grouped by file, each finding with what is wrong and what to do. */
import pc from "picocolors";
import type { Finding, Severity, Summary } from "../analyze/finding.ts";
import type { RuleMeta } from "../analyze/rule.ts";
import { failureLine } from "../errors.ts";
import { BASELINE_TITLES, baselineCounts, baselineGroups, incompleteText, noteText, objectLabel, renderedFileText, suppressedSuffix, suppressionText, whereText, type ReportResult } from "./common.ts";
import { visible, visibleLines } from "./visible.ts";

export interface TextOptions {
  color: boolean;
  /** Rule metadata, to explain once at the end why each reported rule matters. */
  rules: ReadonlyMap<string, RuleMeta>;
}

// A file with very many findings (a cluster dump), or very many suppressed ones, goes out in parts too.
const LINES_PER_PIECE = 4096;

/** What the text report reads: a result with its counts (which stay whole when `--quiet` shortens `findings`). */
export type TextReport = ReportResult & { summary: Summary };

export function formatText(report: TextReport, options: TextOptions): string {
  let out = "";
  for (const chunk of formatTextChunks(report, options)) out += chunk;
  return out;
}

/**
 * The same report in pieces: the notes, then one piece per file, then the suppressed
 * findings when listed, then the summary. Written out piece by piece, a report of many
 * thousand findings is never held whole.
 */
export function* formatTextChunks(report: TextReport, options: TextOptions): Generator<string> {
  const c = pc.createColors(options.color);
  const paint: Record<Severity, (s: string) => string> = { error: c.red, warning: c.yellow, info: c.blue };
  const piece = (lines: readonly string[]) => lines.map((line) => `${line}\n`).join("");
  const failed = report.failed ?? [];
  if (failed.length > 0) {
    yield piece([c.red(c.bold(`Not checked (${failed.length}), could not be rendered:`)), ...failed.map((f) => `  ${visible(failureLine(f))}`), ""]);
  }
  const notes: string[] = [];
  for (const note of report.notes) {
    notes.push(c.dim(visible(noteText(note))));
  }
  if (report.notes.length > 0) notes.push("");
  if (notes.length > 0) yield piece(notes);

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
    const byFile = new Map<string, Finding[]>();
    for (const finding of findings) {
      const key = finding.location.template ?? finding.location.file;
      const group = byFile.get(key);
      if (group) group.push(finding);
      else byFile.set(key, [finding]);
    }
    for (const [file, inFile] of byFile) {
      const lines: string[] = [c.underline(visible(file))];
      for (const f of inFile) {
        const { template, templateLine, line } = f.location;
        // Under a template heading, the template's line where known; else the rendered line, named as such.
        const where = !template
          ? `${line}`.padStart(4)
          : templateLine !== undefined
            ? `${templateLine}`.padStart(4)
            : c.dim(`${visible(renderedFileText(f.location))}:${line}`);
        const changed = f.baselineState === "updated" ? ` ${c.yellow("(changed by this upgrade)")}` : "";
        lines.push(`${where}  ${paint[f.severity](f.severity.padEnd(7))} ${c.bold(f.rule)}  ${visible(objectLabel(f.object))} ${c.dim(visible(f.path))}${changed}`);
        lines.push(`        ${indented(f.message)}`);
        lines.push(`        ${c.green("fix:")} ${indented(f.remedy.text)}`);
        for (const command of f.remedy.commands ?? []) lines.push(`          ${c.cyan("$")} ${visible(command)}`);
        if (lines.length >= LINES_PER_PIECE) yield piece(lines.splice(0));
      }
      lines.push("");
      yield piece(lines);
    }
  }

  const suppressed = report.suppressed ?? [];
  if (suppressed.length > 0) {
    const lines: string[] = [c.bold(`Suppressed (${suppressed.length}):`)];
    for (const f of suppressed) {
      lines.push(`  ${visible(whereText(f.location))}  ${f.severity} ${c.bold(f.rule)}  ${visible(objectLabel(f.object))} ${c.dim(visible(f.path))}`);
      lines.push(`        suppressed by ${visible(suppressionText(f.suppression))}`);
      if (lines.length >= LINES_PER_PIECE) yield piece(lines.splice(0));
    }
    lines.push("");
    yield piece(lines);
  }

  if (groups && groups.absent.length > 0) {
    const lines: string[] = [c.bold(`${BASELINE_TITLES.absent} (${groups.absent.length}):`)];
    for (const f of groups.absent) lines.push(`  ${visible(whereText(f.location))}  ${f.severity} ${c.bold(f.rule)}  ${visible(objectLabel(f.object))} ${c.dim(visible(f.path))}`);
    lines.push("");
    yield piece(lines);
  }

  const lines: string[] = [];
  const fired = [...new Set(report.findings.map((f) => f.rule))];
  if (fired.length > 0) {
    lines.push(c.bold("Why these matter:"));
    for (const id of fired) {
      const meta = options.rules.get(id);
      if (meta) lines.push(`  ${c.bold(id)}: ${meta.why}`);
    }
    lines.push("");
  }
  const { error, warning, info } = report.summary;
  const total = error + warning + info;
  const incomplete = incompleteText(report);
  const counts =
    total === 0 && incomplete === undefined
      ? c.green("No label or selector problems found")
      : `${paint.error(plural(error, "error"))}, ${paint.warning(plural(warning, "warning"))}, ${paint.info(`${info} info`)}`;
  lines.push(`${counts}${suppressedSuffix(report)}${incomplete === undefined ? (total === 0 ? "." : "") : ` (${c.red(incomplete)}).`}`);
  if (groups) lines.push(`${baselineCounts(groups)}.`);
  yield piece(lines);
}

/**
 * A message under a finding: control characters visible, and the lines it spans indented
 * like its first, so that no text from a chart can pass for a line of the report itself.
 */
function indented(text: string): string {
  return visibleLines(text).replace(/\n/g, "\n        ");
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
