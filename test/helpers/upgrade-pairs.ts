/**
 * Two-sided rule tester for upgrade rules: each case is the release as it is (`from`),
 * as it will be (`to`), and the exact findings one rule must report (severity, object,
 * path, line in `to`), nothing more.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildContext, DEFAULT_SETTINGS, type AnalysisSettings } from "../../src/analyze/context.ts";
import type { Finding } from "../../src/analyze/finding.ts";
import type { Rule } from "../../src/analyze/rule.ts";
import { runRules } from "../../src/analyze/run.ts";
import { upgradeDocuments, type UpgradeResult } from "../../src/analyze/upgrade/index.ts";
import { planUpgrade, type UpgradePlan } from "../../src/analyze/upgrade/plan.ts";
import { parseYamlStream } from "../../src/load/yaml.ts";
import { objectsFromDocuments } from "../../src/model/object.ts";
import type { ExpectedFinding } from "./rule-cases.ts";

export { yaml } from "./rule-cases.ts";

export interface UpgradePairCase {
  name: string;
  from: string;
  to: string;
  namespace?: string;
  settings?: Partial<AnalysisSettings>;
  expect: ExpectedFinding[];
}

export function planOf(from: string, to: string, namespace = "default"): UpgradePlan {
  const before = objectsFromDocuments(parseYamlStream(from, "from.yaml"), { namespace }).objects;
  const after = objectsFromDocuments(parseYamlStream(to, "to.yaml"), { namespace }).objects;
  return planUpgrade(before, after);
}

/** One upgrade rule on its own, on the context upgradeDocuments builds. */
export function upgradeFindingsFor(
  rule: Rule,
  from: string,
  to: string,
  namespace = "default",
  settings: Partial<AnalysisSettings> = {},
): Finding[] {
  const all = { ...DEFAULT_SETTINGS, ...settings };
  const before = objectsFromDocuments(parseYamlStream(from, "from.yaml"), { namespace }).objects;
  const after = objectsFromDocuments(parseYamlStream(to, "to.yaml"), { namespace }).objects;
  const context = buildContext(after, all);
  context.upgrade = { previous: buildContext(before, all), plan: planUpgrade(before, after) };
  return runRules(context, [rule]);
}

/** The whole upgrade core (check rules on `to`, every upgrade rule, impact). */
export function upgradeOf(from: string, to: string, namespace = "default", settings: Partial<AnalysisSettings> = {}): UpgradeResult {
  return upgradeDocuments(parseYamlStream(from, "from.yaml"), parseYamlStream(to, "to.yaml"), {
    namespace,
    settings: { ...DEFAULT_SETTINGS, ...settings },
  });
}

export function upgradePairCases(rule: Rule, cases: readonly UpgradePairCase[]): void {
  for (const c of cases) {
    test(`${rule.meta.id}: ${c.name}`, () => {
      const findings = upgradeFindingsFor(rule, c.from, c.to, c.namespace, c.settings);
      assert.deepEqual(
        findings.map((f) => ({ severity: f.severity, object: `${f.object.kind}/${f.object.name}`, path: f.path, line: f.location.line })),
        c.expect.map((e) => ({ severity: e.severity, object: e.object, path: e.path, line: e.line })),
      );
      findings.forEach((finding, i) => {
        const expected = c.expect[i]!;
        assert.equal(finding.rule, rule.meta.id);
        assert.equal(finding.location.file, "to.yaml", "upgrade findings point into the new release");
        if (expected.related) assert.deepEqual(finding.related.map((r) => `${r.kind}/${r.name}`), expected.related);
        for (const [key, value] of Object.entries(expected.evidence ?? {})) assert.deepEqual(finding.evidence[key], value, `evidence.${key}`);
        for (const part of expected.messageIncludes ?? []) assert.ok(finding.message.includes(part), `message should include ${JSON.stringify(part)}: ${finding.message}`);
        assert.ok(finding.remedy.text.length > 0, "every finding says how to fix it");
      });
    });
  }
}
