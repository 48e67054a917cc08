/**
 * The two-sided table tester for upgrade rules: each case is the release as it is
 * (`from`), the release as it will be (`to`), and the exact findings one rule must report
 * (severity, object, field path, line) — nothing more. The line is in the `to` file, or in
 * the `from` file for an object that exists only there (set `file: "from.yaml"`).
 * The context is built exactly as upgradeDocuments builds it (planUpgrade + previous).
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
import { objectsFromDocuments, type KubeObject } from "../../src/model/object.ts";
import { assertFindings, everyMessageProduced, type ExpectedFinding } from "./rule-cases.ts";

export { yaml } from "./rule-cases.ts";

export interface ExpectedUpgradeFinding extends ExpectedFinding {
  /** Default "to.yaml". */
  file?: "to.yaml" | "from.yaml";
  /** Exact remedy commands, in order. */
  commands?: string[];
  /** Substrings the remedy text must contain. */
  remedyIncludes?: string[];
}

export interface UpgradeCase {
  name: string;
  from: string;
  to: string;
  namespace?: string;
  settings?: Partial<AnalysisSettings>;
  expect: ExpectedUpgradeFinding[];
}

function releases(from: string, to: string, namespace: string): { before: KubeObject[]; after: KubeObject[] } {
  return {
    before: objectsFromDocuments(parseYamlStream(from, "from.yaml"), { namespace }).objects,
    after: objectsFromDocuments(parseYamlStream(to, "to.yaml"), { namespace }).objects,
  };
}

export function planOf(from: string, to: string, namespace = "default"): UpgradePlan {
  const { before, after } = releases(from, to, namespace);
  return planUpgrade(before, after);
}

/** One upgrade rule, alone, on the context `chartguard upgrade` builds. */
export function upgradeFindings(
  rule: Rule,
  from: string,
  to: string,
  namespace = "default",
  settings: Partial<AnalysisSettings> = {},
): Finding[] {
  const all: AnalysisSettings = { ...DEFAULT_SETTINGS, ...settings };
  const { before, after } = releases(from, to, namespace);
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

/**
 * Runs an upgrade rule's table. As ruleCases does, it fails when a message id the rule
 * declares is produced by no case (`producedElsewhere` names the test that produces it).
 */
export function upgradeCases(rule: Rule, cases: readonly UpgradeCase[], options: { producedElsewhere?: Record<string, string> } = {}): void {
  const produced = new Set<string>();
  for (const c of cases) {
    test(`${rule.meta.id}: ${c.name}`, () => {
      const findings = upgradeFindings(rule, c.from, c.to, c.namespace, c.settings);
      for (const finding of findings) produced.add(finding.messageId);
      assertFindings(rule, findings, c.expect);
      assert.deepEqual(
        findings.map((f) => f.location.file),
        c.expect.map((e) => e.file ?? "to.yaml"),
        "findings point into the new release, or into the old one for what exists only there",
      );
      findings.forEach((finding, i) => {
        const expected = c.expect[i]!;
        if (expected.commands) assert.deepEqual(finding.remedy.commands ?? [], expected.commands, "remedy commands");
        for (const part of expected.remedyIncludes ?? []) {
          assert.ok(finding.remedy.text.includes(part), `remedy should include ${JSON.stringify(part)}:\n${finding.remedy.text}`);
        }
      });
    });
  }
  everyMessageProduced(rule, produced, options.producedElsewhere);
}
