/**
 * `-o github`: GitHub Actions workflow commands. One `::error` / `::warning` / `::notice`
 * line per finding, placed on the chart template (or manifest) where that file is real,
 * so the annotation shows up on the pull request's diff; then one plain summary line.
 * Suppressed findings get no annotation, only their count in that line. The job summary
 * (GITHUB_STEP_SUMMARY) is the markdown report, written by the CLI.
 */
import type { Finding, Severity } from "../analyze/finding.ts";
import { failureLine } from "../errors.ts";
import { failurePosition, incompleteText, objectLabel, repoFiles, sourcePosition, suppressedSuffix, type RepoFiles, type ReportResult } from "./common.ts";
import { visible, visibleLines } from "./visible.ts";

const COMMAND: Record<Severity, string> = { error: "error", warning: "warning", info: "notice" };

export interface GithubOptions {
  files?: RepoFiles;
}

/** Escapes a command's message: `%`, CR and LF (the runner decodes them back). */
export function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Escapes a command property value: as data, plus `:` and `,`, which end a property. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** `::error file=a,line=3,title=t::message`, control characters visible (the log is a terminal too). */
export function workflowCommand(command: string, properties: Record<string, string | number | undefined>, message: string): string {
  const props = Object.entries(properties)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${escapeProperty(visible(String(value)))}`)
    .join(",");
  return `::${command}${props ? ` ${props}` : ""}::${escapeData(visibleLines(message))}`;
}

export function formatGithub(result: ReportResult, options: GithubOptions = {}): string {
  const files = options.files ?? repoFiles();
  const lines: string[] = [];
  for (const failure of result.failed ?? []) {
    const position = failurePosition(failure, files);
    lines.push(workflowCommand("error", { file: position?.path, line: position?.line, title: "chartguard: chart not checked" }, failureLine(failure)));
  }
  for (const note of result.notes) {
    const position = sourcePosition({ file: note.file, line: note.line ?? 1 }, files);
    lines.push(workflowCommand("notice", { file: position?.path, line: position && note.line !== undefined ? note.line : undefined, title: "chartguard note" }, note.message));
  }
  for (const finding of result.findings) {
    const position = sourcePosition(finding.location, files);
    lines.push(
      workflowCommand(
        COMMAND[finding.severity],
        { file: position?.path, line: position?.line, title: `${finding.rule}: ${objectLabel(finding.object)}` },
        annotationText(finding, position?.line === undefined),
      ),
    );
  }
  const count = (severity: Severity) => result.findings.filter((f) => f.severity === severity).length;
  const [errors, warnings, infos] = [count("error"), count("warning"), count("info")];
  const incomplete = incompleteText(result);
  lines.push(
    errors + warnings + infos === 0 && incomplete === undefined
      ? `chartguard: no label or selector problems found${suppressedSuffix(result)}.`
      : `chartguard: ${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}, ${infos} info${suppressedSuffix(result)}${incomplete === undefined ? "" : ` (${incomplete})`}.`,
  );
  return `${lines.join("\n")}\n`;
}

function annotationText(finding: Finding, lineUnknown: boolean): string {
  const parts = [finding.message, ...(finding.detail === undefined ? [] : [finding.detail]), `Field: ${finding.path}`];
  if (lineUnknown) parts.push(`Seen at: ${finding.location.template ?? finding.location.file} (rendered line ${finding.location.line})`);
  if (finding.remedy.text) parts.push(`Fix: ${finding.remedy.text}`);
  const commands = finding.remedy.commands ?? [];
  if (commands.length > 0) parts.push(`Run first:\n${commands.map((c) => `  ${c}`).join("\n")}`);
  return parts.join("\n");
}
