/**
 * Meta-tests over the source tree, as kube-linter's check-bats-tests.sh and
 * typescript-eslint's docs tests do: every rule has its test table, and every section of
 * docs/k8s-rules.md that a comment in src/ cites exists. (That every message id is
 * produced by a case is checked by ruleCases and upgradeCases, per rule; that every rule
 * has its examples in docs/rules/<id>/ and they run, by test/report/rules-examples.test.ts.)
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { CHECK_RULES, UPGRADE_RULES } from "../src/analyze/rules/index.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = join(dir, name);
    if (statSync(file).isDirectory()) return sourceFiles(file);
    return file.endsWith(".ts") ? [file] : [];
  });
}

test("meta: every rule in the index has its table of cases, which runs that rule", () => {
  const missing: string[] = [];
  for (const rule of [...CHECK_RULES, ...UPGRADE_RULES]) {
    const file = join(ROOT, "test", "analyze", "rules", `${rule.meta.id}.test.ts`);
    const runsIt = existsSync(file) && /\b(ruleCases|upgradeCases|probeRuleCases)\(/.test(readFileSync(file, "utf8")) && readFileSync(file, "utf8").includes(`/rules/${rule.meta.id}.ts"`);
    if (!runsIt) missing.push(`${rule.meta.id}: test/analyze/rules/${rule.meta.id}.test.ts with ruleCases, upgradeCases or probeRuleCases over src/analyze/rules/${rule.meta.id}.ts`);
  }
  assert.deepEqual(missing, []);
});

/** The section numbers docs/k8s-rules.md has: `## 1.` and `### 1.5` headings. */
function documentedSections(): Set<string> {
  const text = readFileSync(join(ROOT, "docs", "k8s-rules.md"), "utf8");
  return new Set([...text.matchAll(/^#{2,3} (\d+(?:\.\d+)?)\.? /gm)].map((m) => m[1]!.replace(/\.$/, "")));
}

/** Every `§N` or `§N.M` (both ends of `§1.2–1.4`) cited in src/. */
function citedSections(): Map<string, string[]> {
  const cited = new Map<string, string[]>();
  for (const file of sourceFiles(join(ROOT, "src"))) {
    const where = relative(ROOT, file);
    for (const m of readFileSync(file, "utf8").matchAll(/§(\d+(?:\.\d+)?)(?:[–-](\d+(?:\.\d+)?))?/g)) {
      for (const section of [m[1], m[2]]) {
        if (section === undefined) continue;
        cited.set(section, [...(cited.get(section) ?? []), where]);
      }
    }
  }
  return cited;
}

test("meta: every docs/k8s-rules.md section cited in src/ exists", () => {
  const sections = documentedSections();
  const cited = citedSections();
  assert.ok(cited.size > 20, "the code cites the reference document");
  const dangling = [...cited].filter(([section]) => !sections.has(section)).map(([section, files]) => `§${section} in ${[...new Set(files)].join(", ")}`);
  assert.deepEqual(dangling, []);
});

test("meta: the section check sees a missing section", () => {
  const sections = documentedSections();
  assert.ok(sections.has("1.5") && sections.has("8") && sections.has("0.1"));
  assert.ok(!sections.has("1.99"));
});
