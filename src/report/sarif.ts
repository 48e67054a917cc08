/**
 * `-o sarif`: SARIF 2.1.0 as GitHub code scanning ingests it. Every rule is described in
 * `tool.driver.rules` (what, why, the incident, examples, the fix); every finding is a
 * result located in the chart template (or manifest) where that file is real, named by
 * its Kubernetes object, and fingerprinted by rule + object + field path + source file —
 * never by line — so an alert follows its object across commits. Suppressed findings,
 * when listed (`--show-suppressed`), are results with a `suppressions` entry, which code
 * scanning shows as dismissed rather than open.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import type { Finding, Severity } from "../analyze/finding.ts";
import { PROJECT_URL, type RuleMeta } from "../analyze/rule.ts";
import type { SuppressionKind } from "../analyze/suppress.ts";
import { PLACEHOLDER, placeholders } from "../analyze/messages.ts";
import { groupOf } from "../model/object.ts";
import { failureLine, type InputFailure } from "../errors.ts";
import { BASELINE_TITLES, failurePosition, renderedFileText, repoFiles, sourcePosition, suppressionText, whereText, type ReportedFinding, type RepoFiles, type ReportResult, type SourcePosition } from "./common.ts";
import { examplesOf, ruleMarkdown, ruleText } from "./rules-doc.ts";
import { VERSION } from "../version.ts";

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
/** The key of chartguard's own fingerprint in `partialFingerprints`; bump the suffix if its inputs ever change. */
export const FINGERPRINT_KEY = "chartguard/v1";

export interface SarifOptions {
  /** Every rule chartguard knows, in a stable order (results refer to them by index). */
  rules: readonly RuleMeta[];
  /** The tool version; default: chartguard's package.json. */
  version?: string;
  /** How paths in findings map onto repository files; default: the working directory and its git root. */
  files?: RepoFiles;
}

type Level = "error" | "warning" | "note";
const LEVEL: Record<Severity, Level> = { error: "error", warning: "warning", info: "note" };

/** SARIF's suppression kinds: written where the finding is, or kept outside it (the config file). */
const SUPPRESSION_KIND: Record<SuppressionKind, "inSource" | "external"> = {
  annotation: "inSource",
  comment: "inSource",
  "allowed-overlap": "external",
  "probe-cause": "external",
};

/** Returns the SARIF log as pretty-printed JSON text, ending with a newline. */
export function formatSarif(result: ReportResult, options: SarifOptions): string {
  return `${JSON.stringify(sarifLog(result, options), null, 2)}\n`;
}

export function sarifLog(result: ReportResult, options: SarifOptions): Record<string, unknown> {
  const files = options.files ?? repoFiles();
  const reported: ReportedFinding[] = [...result.findings, ...(result.suppressed ?? [])];
  const rules = [...options.rules];
  // A finding of a rule the caller did not list (a plugin, a newer core) still gets a descriptor.
  for (const id of new Set(reported.map((f) => f.rule))) {
    if (!rules.some((r) => r.id === id)) rules.push(unknownRule(id, reported.find((f) => f.rule === id)!.severity));
  }
  const index = new Map(rules.map((rule, i) => [rule.id, i]));
  const seen = new Map<string, number>();
  const print = (finding: Finding) => {
    const base = fingerprint(finding, files);
    const occurrence = (seen.get(base) ?? 0) + 1;
    seen.set(base, occurrence);
    return occurrence === 1 ? base : `${base}:${occurrence}`;
  };
  const results = reported.map((finding) => sarifResult(finding, rules[index.get(finding.rule)!]!, index.get(finding.rule)!, print(finding), files));
  // An upgrade's findings that the release as it is has and the target no longer has: baselineState
  // absent, and kind pass (the rule ran on the target and found no problem there).
  for (const finding of result.absent ?? []) {
    const ruleIndex = index.get(finding.rule) ?? rules.push(unknownRule(finding.rule, finding.severity)) - 1;
    index.set(finding.rule, ruleIndex);
    results.push({ ...sarifResult({ ...finding, baselineState: "absent" }, rules[ruleIndex]!, ruleIndex, print(finding), files), kind: "pass", level: "none" });
  }
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "chartguard",
            informationUri: PROJECT_URL,
            version: options.version ?? VERSION,
            rules: rules.map(ruleDescriptor),
          },
        },
        // A chart that could not be rendered: the run did not succeed, and the log says so.
        ...(result.failed && result.failed.length > 0 ? { invocations: [failedInvocation(result.failed, files)] } : {}),
        // No uriBaseId: GitHub resolves relative URIs against the repository root, which is what they are relative to.
        columnKind: "utf16CodeUnits",
        results,
      },
    ],
  };
}

/** SARIF's way to say the results are incomplete: an unsuccessful invocation, one error notification per chart. */
function failedInvocation(failed: readonly InputFailure[], files: RepoFiles): Record<string, unknown> {
  return {
    executionSuccessful: false,
    toolExecutionNotifications: failed.map((failure) => {
      const position = failurePosition(failure, files);
      return {
        level: "error",
        message: { text: `Not checked: ${failureLine(failure)}` },
        ...(position ? { locations: [{ physicalLocation: physicalLocation(position) }] } : {}),
      };
    }),
  };
}

function physicalLocation(position: SourcePosition): Record<string, unknown> {
  return {
    artifactLocation: { uri: position.inRepo ? encodePath(position.path) : `file://${encodePath(position.path.startsWith("/") ? position.path : `/${position.path}`)}` },
    region: { startLine: position.line ?? 1 },
  };
}

function ruleDescriptor(rule: RuleMeta): Record<string, unknown> {
  const example = examplesOf(rule);
  return {
    id: rule.id,
    name: pascalCase(rule.id),
    shortDescription: { text: sentence(rule.summary) },
    fullDescription: { text: sentence(rule.why) },
    help: { text: ruleText(rule, example), markdown: ruleMarkdown(rule, { headingLevel: 2, example }) },
    ...(Object.keys(rule.messages).length > 0 ? { messageStrings: messageStrings(rule.messages) } : {}),
    ...(rule.helpUri ? { helpUri: rule.helpUri } : {}),
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: {
      tags: ["kubernetes", "helm", ...tagsOf(rule.id)],
      precision: "high",
      "problem.severity": rule.severity === "info" ? "recommendation" : rule.severity,
    },
  };
}

/** A result; with `suppression`, one that is reported as suppressed. */
function sarifResult(finding: ReportedFinding, rule: RuleMeta, ruleIndex: number, print: string, files: RepoFiles): Record<string, unknown> {
  const { object, suppression } = finding;
  const qualified = [object.namespace, object.kind, object.name].filter((part) => part !== undefined && part !== "").join("/");
  const position = sourcePosition(finding.location, files);
  const physical = position === undefined ? undefined : physicalLocation(position);
  const logical = { name: object.name, fullyQualifiedName: qualified, kind: "resource" };
  return {
    ruleId: finding.rule,
    ruleIndex,
    level: LEVEL[finding.severity],
    message: { text: messageText(finding, position?.kind === "template" && position.line === undefined), ...messageReference(finding, rule) },
    locations: [{ ...(physical ? { physicalLocation: physical } : {}), logicalLocations: [logical] }],
    partialFingerprints: { [FINGERPRINT_KEY]: print },
    ...(finding.baselineState ? { baselineState: finding.baselineState } : {}),
    ...(suppression
      ? { suppressions: [{ kind: SUPPRESSION_KIND[suppression.by], status: "accepted", ...(suppression.reason ? { justification: suppression.reason } : {}) }] }
      : {}),
    properties: {
      object,
      path: finding.path,
      // The full location as chartguard saw it, including the rendered pseudo-file that is not an artifact.
      seenAt: whereText(finding.location),
      ...(finding.related.length > 0 ? { related: finding.related } : {}),
      evidence: finding.evidence,
      remedy: finding.remedy,
      // What suppressed it, as `-o json` says it (with the file and line it is written at).
      ...(suppression ? { suppression } : {}),
    },
  };
}

function messageText(finding: ReportedFinding, templateWithoutLine: boolean): string {
  const parts = [sentence(finding.message), ...(finding.detail === undefined ? [] : [sentence(finding.detail)])];
  if (finding.baselineState === "absent") parts.unshift(`${BASELINE_TITLES.absent}: the release as it is has this problem, the upgraded one does not.`);
  parts.push(`Object: ${finding.object.kind} ${finding.object.namespace ? `${finding.object.namespace}/` : ""}${finding.object.name}, field ${finding.path}.`);
  // The template file is known but not the line: say which rendered line it was.
  if (templateWithoutLine) parts.push(`Rendered at ${renderedFileText(finding.location)}, line ${finding.location.line}.`);
  if (finding.remedy.text) parts.push(`Fix: ${sentence(finding.remedy.text)}`);
  const commands = finding.remedy.commands ?? [];
  if (commands.length > 0) parts.push(`Run first:\n${commands.map((c) => `  ${c}`).join("\n")}`);
  if (finding.suppression) parts.push(`Suppressed by ${sentence(suppressionText(finding.suppression))}`);
  return parts.join("\n\n");
}

/**
 * The rule's messages as SARIF message strings (SARIF 2.1.0, section 3.49.11): `{{name}}` placeholders become
 * positional `{0}`, `{1}` in order of first use, and literal braces are doubled, as SARIF
 * format strings require.
 */
function messageStrings(messages: Readonly<Record<string, string>>): Record<string, { text: string }> {
  return Object.fromEntries(
    Object.entries(messages).map(([id, template]) => {
      const names = placeholders(template);
      // Split on the placeholders, the texts between them land at even indexes, the names at odd ones.
      const text = template
        .split(PLACEHOLDER)
        .map((part, i) => (i % 2 === 1 ? `{${names.indexOf(part)}}` : part.replace(/\{/g, "{{").replace(/\}/g, "}}")))
        .join("");
      return [id, { text: sentence(text) }];
    }),
  );
}

/** `id` and `arguments` of a result's message (SARIF 2.1.0, sections 3.11.10 and 3.11.11), for a message its rule declares. */
function messageReference(finding: Finding, rule: RuleMeta): Record<string, unknown> {
  const template = rule.messages?.[finding.messageId];
  if (template === undefined) return {};
  return { id: finding.messageId, arguments: placeholders(template).map((name) => String(finding.data[name] ?? "")) };
}

/**
 * Stable across commits: the rule, the object's identity (group, kind, namespace, name),
 * the field path, and the file the object comes from (the chart template, else the input),
 * so two charts that both render `Deployment default/web` keep separate alerts. Never a line.
 */
export function fingerprint(finding: Finding, files: RepoFiles): string {
  const { object } = finding;
  const source = path.relative(files.root, path.resolve(files.cwd, finding.location.template ?? finding.location.file)).split(path.sep).join("/");
  const identity = [finding.rule, groupOf(object.apiVersion), object.kind, object.namespace ?? "", object.name, finding.path, source].join("\u0000");
  return createHash("sha256").update(identity).digest("hex").slice(0, 32);
}

/** Percent-encodes each path segment (spaces, `#`, `%`, non-ASCII), keeping the slashes. */
function encodePath(file: string): string {
  return file
    .split("/")
    .map((segment) => encodeURIComponent(segment))
    .join("/");
}

function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?:)`"]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

function pascalCase(id: string): string {
  return id
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join("");
}

function tagsOf(id: string): string[] {
  if (id.includes("selector") || id.includes("overlap")) return ["selectors", "labels"];
  if (id.includes("label") || id.includes("volatile")) return ["labels"];
  return ["upgrade"];
}

function unknownRule(id: string, severity: Severity): RuleMeta {
  return { id, severity, summary: id, why: id, messages: {}, fix: "", migration: "", incident: "", helpUri: "" };
}

