/**
 * The table-driven rule tester: each case is a manifest and the exact findings one
 * rule must report on it (severity, object, field path, line), nothing more.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildContext, DEFAULT_SETTINGS, type AnalysisSettings } from "../../src/analyze/context.ts";
import type { Finding } from "../../src/analyze/finding.ts";
import type { Rule } from "../../src/analyze/rule.ts";
import { runRules } from "../../src/analyze/run.ts";
import { parseYamlStream } from "../../src/load/yaml.ts";
import { objectsFromDocuments } from "../../src/model/object.ts";

export interface ExpectedFinding {
  severity: Finding["severity"];
  /** `Kind/name` */
  object: string;
  path: string;
  line: number;
  /** The message the finding says, by id (`meta.messages`), and exactly the data that filled it. */
  messageId?: string;
  data?: Record<string, string | number>;
  /** Extra exact checks on the finding (related objects, evidence fields). */
  related?: string[];
  evidence?: Record<string, unknown>;
}

export interface RuleCase {
  name: string;
  manifest: string;
  namespace?: string;
  settings?: Partial<AnalysisSettings>;
  /** Read the manifest as a chart's render (release `rel` of chart `chart`), as helm's output is. */
  rendered?: boolean;
  expect: ExpectedFinding[];
}

export function findingsFor(rule: Rule, manifest: string, namespace = "default", settings: Partial<AnalysisSettings> = {}, rendered = false): Finding[] {
  const docs = parseYamlStream(manifest, "case.yaml");
  if (rendered) for (const doc of docs) doc.release = { name: "rel", namespace, chart: "chart", valuesArguments: [] };
  const { objects } = objectsFromDocuments(docs, { namespace });
  return runRules(buildContext(objects, { ...DEFAULT_SETTINGS, ...settings }), [rule]);
}

/** Strips the common indentation so cases can be written inline. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = String.raw({ raw: strings }, ...values).replace(/^\n/, "");
  const indent = Math.min(...text.split("\n").filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return text.split("\n").map((l) => l.slice(indent)).join("\n");
}

/**
 * Exactly the expected findings, in order (severity, object, path, line), each from `rule`,
 * each with a message and a fix, and with the extra checks a case asks for.
 */
export function assertFindings(rule: Rule, findings: readonly Finding[], expected: readonly ExpectedFinding[]): void {
  assert.deepEqual(
    findings.map((f) => ({ severity: f.severity, object: `${f.object.kind}/${f.object.name}`, path: f.path, line: f.location.line })),
    expected.map((e) => ({ severity: e.severity, object: e.object, path: e.path, line: e.line })),
  );
  findings.forEach((finding, i) => {
    const expect = expected[i]!;
    assert.equal(finding.rule, rule.meta.id);
    if (expect.messageId !== undefined) assert.equal(finding.messageId, expect.messageId, "message id");
    if (expect.data !== undefined) assert.deepEqual(finding.data, expect.data, "message data");
    if (expect.related) assert.deepEqual(finding.related.map((r) => `${r.kind}/${r.name}`), expect.related, "related objects");
    for (const [key, value] of Object.entries(expect.evidence ?? {})) assert.deepEqual(finding.evidence[key], value, `evidence.${key}`);
    assert.ok(finding.message.length > 0, "every finding has a message");
    assert.ok(finding.remedy.text.length > 0, "every finding says how to fix it");
  });
}

/**
 * Runs a rule's table. The table must also show every message the rule declares: an id that
 * no case produces is either dead or untested. `producedElsewhere` names, per id, the test
 * file that produces it when a table of manifests cannot (probe renders, upgrades).
 */
export function ruleCases(rule: Rule, cases: readonly RuleCase[], options: { producedElsewhere?: Record<string, string> } = {}): void {
  const produced = new Set<string>();
  for (const c of cases) {
    test(`${rule.meta.id}: ${c.name}`, () => {
      const findings = findingsFor(rule, c.manifest, c.namespace, c.settings, c.rendered);
      for (const finding of findings) produced.add(finding.messageId);
      assertFindings(rule, findings, c.expect);
    });
  }
  everyMessageProduced(rule, produced, options.producedElsewhere);
}

/** A test, after a table's cases, that every message id the rule declares was produced (or is named as produced elsewhere). */
export function everyMessageProduced(rule: Rule, produced: ReadonlySet<string>, producedElsewhere: Record<string, string> = {}): void {
  test(`${rule.meta.id}: every message id is produced by a case`, () => {
    const missing = Object.keys(rule.meta.messages).filter((id) => !produced.has(id) && producedElsewhere[id] === undefined);
    assert.deepEqual(missing, [], "message ids no case produces");
  });
}
