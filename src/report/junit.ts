/**
 * `-o junit`: JUnit XML for CI test views (GitLab, Jenkins, Azure DevOps, ...), valid
 * against Jenkins' JUnit schema, junit-10 (so no `file` on a test case: the location is in
 * the text; test/fixtures/junit/junit-jenkins.xsd checks it). One test suite per rule, one test case per object and rule, one `<failure>` per
 * finding at or above `--fail-on`, a passing case with the finding in `<system-out>` below
 * it (so the test view and the exit code agree), one `<skipped>` per suppressed finding
 * that is listed (`--show-suppressed`). When one rule
 * reports several findings on one object, each gets its own test case (named with the
 * field path), because most CI tools show only the first failure of a case.
 *
 * The objects come from the result's `checked` (every object, so the passing ones show
 * as passing tests); without it, the objects with findings, and each rule that found
 * nothing as one passing case, so a clean run still shows every rule as a passing test.
 */
import { severityRank, type Severity } from "../analyze/finding.ts";
import type { RuleMeta } from "../analyze/rule.ts";
import type { ObjectRef } from "../model/object.ts";
import { failureLine } from "../errors.ts";
import { noteText, objectLabel, refKey, suppressionText, whereText, type ReportedFinding, type ReportResult } from "./common.ts";

export interface JunitOptions {
  /** The rules that ran, in order (one suite each). */
  rules: readonly RuleMeta[];
  /** Findings below this severity (all with "none") pass their case; default: every finding fails. */
  failOn?: Severity | "none";
}

interface Case {
  name: string;
  /** The case's finding, if any: it fails the case, or skips it (suppressed), or is reported in a passing case (below --fail-on). */
  finding?: ReportedFinding;
}

type Outcome = "passed" | "failed" | "skipped" | "reported";

/** Characters XML 1.0 cannot carry at all (control characters, lone surrogates, U+FFFE/FFFF). */
const INVALID_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function escapeXml(text: string): string {
  return text
    .replace(INVALID_XML, "\uFFFD")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** Attribute values also keep their line breaks (a parser would otherwise normalise them to spaces). */
function attr(text: string): string {
  return escapeXml(text).replace(/\n/g, "&#10;").replace(/\r/g, "&#13;").replace(/\t/g, "&#9;");
}

export function formatJunit(result: ReportResult, options: JunitOptions): string {
  const reported: ReportedFinding[] = [...result.findings, ...(result.suppressed ?? [])];
  // Findings by rule, then by object key, so that each of the objects × rules cases is one
  // lookup: a cluster dump of 100k objects stays linear. Rules not listed come last.
  const byRule = new Map<string, Map<string, ReportedFinding[]>>(options.rules.map((rule) => [rule.id, new Map()]));
  for (const finding of reported) {
    let byObject = byRule.get(finding.rule);
    if (!byObject) byRule.set(finding.rule, (byObject = new Map()));
    const key = refKey(finding.object);
    const found = byObject.get(key);
    if (found) found.push(finding);
    else byObject.set(key, [finding]);
  }
  const objects = objectsByKey(result.checked ?? reported.map((f) => f.object));

  let tests = 0;
  let failures = 0;
  // The notes go into the first suite (the root element has no system-out).
  let notes = result.notes.length > 0 ? result.notes.map(noteText).join("\n") : undefined;
  const suites: string[] = [];
  for (const [rule, byObject] of byRule) {
    const cases: Case[] = [];
    for (const [key, object] of objects) cases.push(...casesOf(object, byObject.get(key) ?? []));
    // Findings on objects outside `checked` (a caller's partial list) are never dropped.
    for (const [key, found] of byObject) if (!objects.has(key)) cases.push(...casesOf(found[0]!.object, found));
    if (cases.length === 0) cases.push({ name: result.checked ? "no objects to check" : "all objects" });
    const outcomes = cases.map((c) => outcomeOf(c, options.failOn));
    const failed = outcomes.filter((o) => o === "failed").length;
    const skipped = outcomes.filter((o) => o === "skipped").length;
    tests += cases.length;
    failures += failed;
    suites.push(`  <testsuite name="${attr(rule)}" tests="${cases.length}" failures="${failed}" errors="0" skipped="${skipped}" time="0">`);
    for (const [i, c] of cases.entries()) suites.push(testcase(rule, c, outcomes[i]!));
    if (notes !== undefined) suites.push(`    <system-out>${escapeXml(notes)}</system-out>`);
    notes = undefined;
    suites.push("  </testsuite>");
  }
  // A chart that could not be rendered is a test that could not run: an error, not a failure.
  const failed = result.failed ?? [];
  if (failed.length > 0) {
    tests += failed.length;
    suites.push(`  <testsuite name="render" tests="${failed.length}" failures="0" errors="${failed.length}" skipped="0" time="0">`);
    for (const failure of failed) {
      suites.push(
        `    <testcase classname="chartguard.render" name="${attr(failure.input)}" time="0">`,
        `      <error message="${attr(firstLine(failure.message))}" type="not-checked">${escapeXml(`Not checked: ${failureLine(failure)}`)}</error>`,
        "    </testcase>",
      );
    }
    suites.push("  </testsuite>");
  }
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="chartguard" tests="${tests}" failures="${failures}" errors="${failed.length}" time="0">`, ...suites, "</testsuites>"];
  return `${out.join("\n")}\n`;
}

/** The cases of one rule on one object: passing, or one per finding. */
function casesOf(object: ObjectRef, found: readonly ReportedFinding[]): Case[] {
  if (found.length === 0) return [{ name: objectLabel(object) }];
  if (found.length === 1) return [{ name: objectLabel(object), finding: found[0]! }];
  return found.map((finding) => ({ name: `${objectLabel(object)} (${finding.path})`, finding }));
}

function outcomeOf(c: Case, failOn: Severity | "none" | undefined): Outcome {
  if (!c.finding) return "passed";
  if (c.finding.suppression) return "skipped";
  if (failOn === "none" || (failOn !== undefined && severityRank(c.finding.severity) > severityRank(failOn))) return "reported";
  return "failed";
}

function testcase(rule: string, c: Case, outcome: Outcome): string {
  const f = c.finding;
  const open = `    <testcase classname="${attr(`chartguard.${rule}`)}" name="${attr(c.name)}" time="0"`;
  if (!f || outcome === "passed") return `${open}/>`;
  const text = escapeXml(findingText(f));
  const inner =
    outcome === "skipped" && f.suppression
      ? `<skipped message="${attr(`suppressed by ${suppressionText(f.suppression)}`)}">${text}</skipped>`
      : outcome === "reported"
        ? `<system-out>${text}</system-out>`
        : `<failure message="${attr(firstLine(f.message))}" type="${attr(f.severity)}">${text}</failure>`;
  return `${open}>\n      ${inner}\n    </testcase>`;
}

function findingText(f: ReportedFinding): string {
  const lines = [`${f.severity}: ${f.rule} ${objectLabel(f.object)} ${f.path}`, `at ${whereText(f.location)}`, "", f.message];
  if (f.detail !== undefined) lines.push("", f.detail);
  if (f.remedy.text) lines.push("", `Fix: ${f.remedy.text}`);
  for (const command of f.remedy.commands ?? []) lines.push(`  $ ${command}`);
  return lines.join("\n");
}

function firstLine(text: string): string {
  const line = text.split("\n")[0] ?? "";
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

/** The objects by identity, each once, in their first order. */
function objectsByKey(objects: readonly ObjectRef[]): Map<string, ObjectRef> {
  const byKey = new Map<string, ObjectRef>();
  for (const object of objects) {
    const key = refKey(object);
    if (!byKey.has(key)) byKey.set(key, object);
  }
  return byKey;
}
