/**
 * `-o junit`: JUnit XML for CI test views (GitLab, Jenkins, Azure DevOps, ...). One test
 * suite per rule, one test case per object and rule, one `<failure>` per finding. When
 * one rule reports several findings on one object, each gets its own test case (named
 * with the field path), because most CI tools show only the first failure of a case.
 *
 * The objects that passed come from `objects` when the caller knows them; otherwise the
 * report lists the objects with findings, and each rule that found nothing as one
 * passing case, so a clean run still shows every rule as a passing test.
 */
import type { Finding } from "../analyze/finding.ts";
import type { RuleMeta } from "../analyze/rule.ts";
import type { ObjectRef } from "../model/object.ts";
import { objectLabel, refKey, whereText, type ReportResult } from "./common.ts";

export interface JunitOptions {
  /** The rules that ran, in order (one suite each). */
  rules: readonly RuleMeta[];
  /** Every object that was checked; when absent, the objects with findings. */
  objects?: readonly ObjectRef[];
}

interface Case {
  name: string;
  file?: string;
  failures: Finding[];
}

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
  const ruleIds = options.rules.map((r) => r.id);
  for (const f of result.findings) if (!ruleIds.includes(f.rule)) ruleIds.push(f.rule);
  const objects = uniqueObjects(options.objects ?? result.findings.map((f) => f.object));

  const suites: { name: string; cases: Case[] }[] = [];
  for (const rule of ruleIds) {
    const cases: Case[] = [];
    const own = result.findings.filter((f) => f.rule === rule);
    for (const object of objects) {
      const found = own.filter((f) => refKey(f.object) === refKey(object));
      if (found.length <= 1) {
        cases.push({ name: objectLabel(object), failures: found, ...(found[0] ? { file: fileOf(found[0]) } : {}) });
      } else {
        for (const finding of found) cases.push({ name: `${objectLabel(object)} (${finding.path})`, file: fileOf(finding), failures: [finding] });
      }
    }
    // Findings on objects outside `objects` (the caller's list was partial) are never dropped.
    for (const finding of own) {
      if (!objects.some((o) => refKey(o) === refKey(finding.object))) cases.push({ name: `${objectLabel(finding.object)} (${finding.path})`, file: fileOf(finding), failures: [finding] });
    }
    if (cases.length === 0) cases.push({ name: options.objects ? "no objects to check" : "all objects", failures: [] });
    suites.push({ name: rule, cases });
  }

  const tests = suites.reduce((n, s) => n + s.cases.length, 0);
  const failures = suites.reduce((n, s) => n + s.cases.filter((c) => c.failures.length > 0).length, 0);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="chartguard" tests="${tests}" failures="${failures}" errors="0" time="0">`];
  suites.forEach((suite, i) => {
    const failed = suite.cases.filter((c) => c.failures.length > 0).length;
    out.push(`  <testsuite name="${attr(suite.name)}" tests="${suite.cases.length}" failures="${failed}" errors="0" skipped="0" time="0">`);
    for (const c of suite.cases) {
      const open = `    <testcase classname="${attr(`chartguard.${suite.name}`)}" name="${attr(c.name)}"${c.file ? ` file="${attr(c.file)}"` : ""} time="0"`;
      if (c.failures.length === 0) {
        out.push(`${open}/>`);
        continue;
      }
      out.push(`${open}>`);
      for (const f of c.failures) {
        out.push(`      <failure message="${attr(firstLine(f.message))}" type="${attr(f.severity)}">${escapeXml(failureBody(f))}</failure>`);
      }
      out.push("    </testcase>");
    }
    if (i === 0 && result.notes.length > 0) {
      const notes = result.notes.map((n) => `note: ${n.file}${n.line === undefined ? "" : `:${n.line}`}: ${n.message}`).join("\n");
      out.push(`    <system-out>${escapeXml(notes)}</system-out>`);
    }
    out.push("  </testsuite>");
  });
  out.push("</testsuites>");
  return `${out.join("\n")}\n`;
}

function failureBody(f: Finding): string {
  const lines = [`${f.severity}: ${f.rule} ${objectLabel(f.object)} ${f.path}`, `at ${whereText(f.location)}`, "", f.message];
  if (f.remedy.text) lines.push("", `Fix: ${f.remedy.text}`);
  for (const command of f.remedy.commands ?? []) lines.push(`  $ ${command}`);
  return lines.join("\n");
}

function fileOf(f: Finding): string {
  return f.location.template ?? f.location.file;
}

function firstLine(text: string): string {
  const line = text.split("\n")[0] ?? "";
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

function uniqueObjects(objects: readonly ObjectRef[]): ObjectRef[] {
  const seen = new Set<string>();
  const out: ObjectRef[] = [];
  for (const o of objects) {
    if (seen.has(refKey(o))) continue;
    seen.add(refKey(o));
    out.push(o);
  }
  return out;
}
