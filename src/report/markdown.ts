/**
 * `-o markdown`: a pull-request comment (and the GitHub job summary). A headline with
 * the counts, a summary table of the findings, for `upgrade` the plan — what fails,
 * what restarts and why, what is replaced, the commands to run first — and then every
 * finding in full inside collapsed sections, so the comment stays short. Suppressed
 * findings are counted in the headline and, when listed, collapsed after the details.
 */
import type { Finding, Severity } from "../analyze/finding.ts";
import type { RuleMeta } from "../analyze/rule.ts";
import type { SuppressedFinding } from "../analyze/suppress.ts";
import type { Impact } from "../analyze/upgrade/impact.ts";
import { failureLine } from "../errors.ts";
import { BASELINE_TITLES, baselineCounts, baselineGroups, incompleteText, objectLabel, suppressedSuffix, suppressionText, whereText, type ReportResult } from "./common.ts";
import { RUNBOOK_STAGES, upgradeRunbook, withoutCommands } from "./runbook.ts";
import { ALREADY_PRESENT, REPLACED_WHY, upgradeOutline, type RollLine } from "./upgrade-outline.ts";
import { visible, visibleLines } from "./visible.ts";

/** The first line of every comment: a bot can find and update its previous comment by it. */
export const COMMENT_MARKER = "<!-- chartguard -->";

/** GitHub refuses a pull-request comment longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

export interface MarkdownOptions {
  /** At most this many bytes (default GITHUB_COMMENT_LIMIT): findings' details beyond it are left out, with a note saying so. */
  maxLength?: number;
  /** Rule metadata, to link each rule to its documentation. */
  rules?: ReadonlyMap<string, RuleMeta>;
  /** At most this many rows in the summary table (default 50); the details list every finding. */
  maxRows?: number;
}

const ICON: Record<Severity, string> = { error: "🔴", warning: "🟠", info: "🔵" };

/**
 * Escapes text for a markdown paragraph or table cell: control characters made visible,
 * HTML, table pipes, and every character that starts emphasis, code, a link or a heading;
 * line breaks become `<br>`, so text stays inside its paragraph or cell.
 */
export function escapeMarkdown(text: string): string {
  return visibleLines(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([\\|*_[\]`#~])/g, "\\$1")
    .replace(/\r?\n/g, "<br>");
}

/** Escapes text for HTML (inside `<summary>`, where markdown is not rendered), on one line. */
function escapeHtml(text: string): string {
  return visible(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** The longest run of backticks in `text`. */
function longestBacktickRun(text: string): number {
  return Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
}

/**
 * Inline code showing `text` as it is, on one line: delimited by a backtick run longer
 * than any inside it (and padded, so a backtick at either end stays content). In a table
 * cell (`inTable`), pipes are escaped: GitHub splits cells on them even inside code.
 */
export function code(text: string, inTable = false): string {
  const flat = visible(text);
  const delimiter = "`".repeat(longestBacktickRun(flat) + 1);
  // Padded when a backtick is at an end, when the spaces at both ends would be stripped, and when empty ("``" is no code span).
  const padded = flat.includes("`") || (flat.startsWith(" ") && flat.endsWith(" ") && flat.trim() !== "") || flat === "" ? ` ${flat} ` : flat;
  const span = `${delimiter}${padded}${delimiter}`;
  return inTable ? span.replace(/\|/g, "\\|") : span;
}

/** A fenced code block showing `lines` as they are: its fence is longer than any backtick run inside. */
export function fenced(lines: readonly string[], info: string): string[] {
  const content = lines.map(visible);
  const fence = "`".repeat(Math.max(3, ...content.map((line) => longestBacktickRun(line) + 1)));
  return [`${fence}${info}`, ...content, fence];
}

export function formatMarkdown(result: ReportResult, options: MarkdownOptions = {}): string {
  const out: string[] = [COMMENT_MARKER];
  const { findings } = result;
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  const title = result.impact ? "chartguard upgrade" : "chartguard check";
  const incomplete = incompleteText(result);
  out.push(
    findings.length === 0 && incomplete === undefined
      ? `## ✅ ${title}: no label or selector problems found${suppressedSuffix(result)}`
      : `## ${counts.error > 0 || incomplete !== undefined ? "❌" : "⚠️"} ${title}: ${plural(counts.error, "error")}, ${plural(counts.warning, "warning")}, ${counts.info} info${suppressedSuffix(result)}${incomplete === undefined ? "" : ` (${incomplete})`}`,
    "",
  );
  if (incomplete !== undefined) {
    out.push(`**Not checked** (could not be rendered):`, "", ...(result.failed ?? []).map((f) => `- ${escapeMarkdown(failureLine(f))}`), "");
  }

  const groups = baselineGroups(result);
  if (groups) {
    // An upgrade: what it introduces or changes first, then what was already there, then what it fixes.
    out.push(`${baselineCounts(groups)}.`, "");
    for (const [title, part] of [[BASELINE_TITLES.introduced, groups.introduced], [BASELINE_TITLES.present, groups.present]] as const) {
      if (part.length > 0) out.push(`#### ${title} (${part.length})`, "", ...summaryTable(part, options), "");
    }
    if (groups.absent.length > 0) {
      out.push(`<details><summary>${BASELINE_TITLES.absent} (${groups.absent.length})</summary>`, "");
      for (const f of groups.absent) out.push(`- ${ICON[f.severity]} ${code(f.rule)} ${escapeMarkdown(objectLabel(f.object))} ${code(f.path)} at ${code(whereText(f.location))}`);
      out.push("", "</details>", "");
    }
  } else if (findings.length > 0) out.push(...summaryTable(findings, options), "");
  if (result.impact) out.push(...plan(findings, result.impact), "");
  // An upgrade's commands are in its runbook, each once; per finding they would read as several upgrades.
  const blocks = (result.impact ? findings.map(withoutCommands) : findings).map((f) => detailBlock(f, options));
  const tail: string[] = [];
  if (result.suppressed && result.suppressed.length > 0) tail.push(...suppressedList(result.suppressed));
  if (result.notes.length > 0) {
    tail.push("<details><summary>Notes</summary>", "");
    for (const note of result.notes) tail.push(`- ${code(note.line === undefined ? note.file : `${note.file}:${note.line}`)}: ${escapeMarkdown(note.message)}`);
    tail.push("", "</details>", "");
  }
  return fitted(out, blocks, tail, options.maxLength ?? GITHUB_COMMENT_LIMIT);
}

/** Lines as the comment holds them: at most one blank line in a row, one newline at the end. */
function rendered(lines: readonly string[]): string {
  return `${lines.join("\n").replace(/\n{3,}/g, "\n\n").replace(/\n+$/, "")}\n`;
}

const bytes = (text: string) => Buffer.byteLength(text, "utf8");

/**
 * The comment within `limit` bytes (bytes: never fewer than characters, so GitHub's
 * character limit holds too): the headline, table and plan whole, then as many findings'
 * details as fit, then a note saying how many are left out and where the full report is.
 * If even the summary does not fit, it is cut at a line, with the same note.
 */
function fitted(head: readonly string[], blocks: readonly string[][], tail: readonly string[], limit: number): string {
  const note = (left: number, what: string) =>
    `> **${left} ${what} left out** to keep this comment under ${limit.toLocaleString("en-US")} characters. ` +
    "The full report is in the job summary of this run and in code scanning (the SARIF upload, `-o sarif`).";
  const whole = rendered([...head, ...(blocks.length > 0 ? ["### Details", ""] : []), ...blocks.flat(), ...tail]);
  if (bytes(whole) <= limit) return whole;
  const details: string[] = ["### Details", ""];
  // Each block's size plus its joining newline; the note is reserved at its longest.
  let used = bytes(rendered([...head, ...details, ...tail])) + bytes(note(blocks.length, "findings are")) + 4;
  let kept = 0;
  for (const block of blocks) {
    const size = bytes(block.join("\n")) + 1;
    if (used + size > limit) break;
    used += size;
    details.push(...block);
    kept++;
  }
  const left = blocks.length - kept;
  const leftOut = left === 1 ? note(1, "finding's details are") : note(left, "findings' details are");
  const text = rendered([...head, ...details, "", leftOut, "", ...tail]);
  if (bytes(text) <= limit) return text;
  // Even the summary is too long (a very long runbook or table): cut it at a line.
  const cutNote = `\n\n${note(blocks.length, "findings' details and the end of this comment are")}\n`;
  const lines = rendered(head).split("\n");
  let cut = "";
  for (const line of lines) {
    if (bytes(cut) + bytes(line) + 1 + bytes(cutNote) > limit) break;
    cut += `${line}\n`;
  }
  return `${cut.replace(/\n+$/, "")}${cutNote}`;
}

function summaryTable(findings: readonly Finding[], options: MarkdownOptions): string[] {
  const max = options.maxRows ?? 50;
  const rows = findings.slice(0, max).map(
    (f) => `| ${ICON[f.severity]} ${f.severity} | ${ruleLink(f.rule, options)} | ${escapeMarkdown(objectLabel(f.object))} | ${code(whereText(f.location), true)} | ${escapeMarkdown(headline(f.message))} |`,
  );
  const lines = ["| Severity | Rule | Object | Where | Problem |", "| --- | --- | --- | --- | --- |", ...rows];
  if (findings.length > max) lines.push("", `…and ${findings.length - max} more (listed under Details).`);
  return lines;
}

function ruleLink(id: string, options: MarkdownOptions): string {
  const uri = options.rules?.get(id)?.helpUri;
  return uri ? `[${code(id)}](${uri})` : code(id);
}

function plan(findings: readonly Finding[], impact: Impact): string[] {
  const out = ["### Upgrade plan", ""];
  const outline = upgradeOutline(findings, impact);
  const { failing } = outline;
  out.push(failing.length === 0 ? "**Will fail:** nothing; the API server should accept every update." : `**Will fail or break (${failing.length}):**`);
  for (const f of failing) out.push(`- ${escapeMarkdown(objectLabel(f.object))}: ${code(f.rule)} at ${code(f.path)}${f.baselineState === "unchanged" ? ` (${ALREADY_PRESENT})` : ""}`);
  out.push("");

  const needless = outline.needlessRolls;
  out.push(`**Will restart (${impact.rolled.length}${needless > 0 ? `, ${needless} needlessly` : ""}):**${impact.rolled.length === 0 ? " nothing." : ""}`);
  for (const roll of outline.rolls) out.push(rolledLine(roll));
  out.push("");

  const groups: [string, string[]][] = [
    ["Replaced (deleted and created again)", impact.replaced.map((r) => `${escapeMarkdown(objectLabel(r.from))} → ${escapeMarkdown(objectLabel(r.to))} (${REPLACED_WHY[r.why]})`)],
    ["Created", outline.created.map((o) => escapeMarkdown(objectLabel(o)))],
    ["Deleted", outline.deleted.map((o) => escapeMarkdown(objectLabel(o)))],
    ["Left behind (helm.sh/resource-policy: keep)", impact.kept.map((o) => escapeMarkdown(objectLabel(o)))],
  ];
  for (const [title, items] of groups) {
    if (items.length === 0) continue;
    out.push(`**${title} (${items.length}):**`, ...items.map((item) => `- ${item}`), "");
  }

  const runbook = upgradeRunbook(findings, impact);
  if (runbook.length > 0) {
    out.push("**Runbook** (run in this order; each `kubectl delete` waits until the object is gone):", "");
    for (const stage of RUNBOOK_STAGES) {
      const steps = runbook.filter((step) => step.stage === stage.id);
      if (steps.length > 0) out.push(`${stage.title}:`, "", ...fenced(steps.map((step) => step.command), "sh"), "");
    }
  }
  return out;
}

function rolledLine({ rolled: r, reasons, refused }: RollLine): string {
  const notes = [
    refused ? "only once the refused update is fixed" : "",
    r.needless ? "**needless**: only chart/app version metadata changed" : "",
    r.onDelete ? "OnDelete: applies as pods are deleted" : "",
  ].filter(Boolean);
  return `- ${escapeMarkdown(objectLabel(r.object))}: ${escapeMarkdown(reasons)}${notes.length > 0 ? ` (${notes.join("; ")})` : ""}`;
}

/** One finding in full, collapsed. */
function detailBlock(f: Finding, options: MarkdownOptions): string[] {
  const out: string[] = [];
  out.push(
    `<details><summary>${ICON[f.severity]} <code>${escapeHtml(f.rule)}</code> ${escapeHtml(objectLabel(f.object))} — <code>${escapeHtml(f.path)}</code></summary>`,
    "",
    `${code(whereText(f.location))}`,
    "",
    escapeMarkdown(f.message),
    "",
  );
  if (f.detail !== undefined) out.push(escapeMarkdown(f.detail), "");
  if (f.remedy.text) out.push(`**Fix:** ${escapeMarkdown(f.remedy.text)}`, "");
  const commands = f.remedy.commands ?? [];
  if (commands.length > 0) out.push(...fenced(commands, "sh"), "");
  const why = options.rules?.get(f.rule)?.why;
  if (why) out.push(`**Why it matters:** ${escapeMarkdown(why)}`, "");
  out.push("</details>", "");
  return out;
}

function suppressedList(suppressed: readonly SuppressedFinding[]): string[] {
  const out = [`<details><summary>Suppressed (${suppressed.length})</summary>`, ""];
  for (const f of suppressed) {
    out.push(`- ${code(f.rule)} ${escapeMarkdown(objectLabel(f.object))} ${code(f.path)} at ${code(whereText(f.location))}: suppressed by ${escapeMarkdown(suppressionText(f.suppression))}`);
  }
  out.push("", "</details>", "");
  return out;
}

/** The first sentence of a message, for the table. */
function headline(message: string): string {
  const text = message.replace(/\s*\n\s*/g, " ");
  const end = text.search(/\.(\s|$)/);
  const sentence = end > 20 ? text.slice(0, end + 1) : text;
  return sentence.length > 200 ? `${sentence.slice(0, 197)}…` : sentence;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
