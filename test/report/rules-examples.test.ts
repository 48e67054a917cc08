/**
 * The rules' documentation is executable: every rule in the index has its examples in
 * docs/rules/<id>/, its bad example must produce that rule's finding (with a message id
 * of its meta) through the real core (checkDocuments / upgradeDocuments), and its good
 * example must produce no finding at all. The README's rule reference must be what
 * `npm run docs:rules` generates, and `chartguard rules` must explain every rule.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { CHECK_RULES, UPGRADE_RULES } from "../../src/analyze/rules/index.ts";
import { EXAMPLE_FILES, isMissing, packageRoot, readRuleExample } from "../../src/load/rule-examples.ts";
import { RULES_END, RULES_START, examplesOf, formatRuleText, ruleCatalog, ruleMarkdown, rulesReference, runExample, withRulesReference } from "../../src/report/rules-doc.ts";
import { PROJECT_ROOT, runCli } from "../helpers/cli.ts";
import { ruleExample } from "./helpers.ts";

const README = fileURLToPath(new URL("../../README.md", import.meta.url));
const RULES_DIR = fileURLToPath(new URL("../../src/analyze/rules/", import.meta.url));
const ROOT = path.resolve(PROJECT_ROOT);
const EXAMPLES_DIR = path.join(ROOT, "docs", "rules");

for (const rule of ruleCatalog()) {
  const isUpgradeRule = UPGRADE_RULES.some((r) => r.meta.id === rule.id);

  test(`rules-examples: ${rule.id}: docs/rules/${rule.id}/ holds its examples, and only example files`, () => {
    const dir = path.join(EXAMPLES_DIR, rule.id);
    assert.ok(existsSync(dir), `docs/rules/${rule.id}/ is missing: every rule in the index needs bad.yaml and good.yaml there`);
    const files = readdirSync(dir).sort();
    const allowed = Object.values(EXAMPLE_FILES);
    assert.deepEqual(files.filter((f) => !allowed.includes(f)), [], `docs/rules/${rule.id}/ may hold only ${allowed.join(", ")}`);
    assert.ok(files.includes("bad.yaml") && files.includes("good.yaml"), `docs/rules/${rule.id}/: bad.yaml and good.yaml`);
    assert.equal(files.includes("from.yaml"), isUpgradeRule, `${rule.id}: upgrade rules (only) have from.yaml, the release as it is`);
  });

  test(`rules-examples: ${rule.id}: the bad example produces the finding, with a message id of the rule`, () => {
    const own = runExample(rule, ruleExample(rule.id), "bad").filter((f) => f.rule === rule.id);
    assert.ok(own.length > 0, `the bad example of ${rule.id} should produce a ${rule.id} finding`);
    assert.deepEqual(own.map((f) => f.messageId).filter((id) => !Object.hasOwn(rule.messages, id)), [], `${rule.id}: message ids not in meta.messages`);
  });

  test(`rules-examples: ${rule.id}: the good example produces no finding`, () => {
    const findings = runExample(rule, ruleExample(rule.id), "good");
    assert.deepEqual(findings.map((f) => `${f.rule}: ${f.object.kind}/${f.object.name} ${f.path}: ${f.message}`), []);
  });

  test(`rules-examples: ${rule.id}: documented in full`, () => {
    for (const field of ["summary", "why", "fix", "migration", "incident", "helpUri"] as const) {
      assert.ok(rule[field].trim().length > 20, `${rule.id}.${field} is missing or too short`);
    }
    // The incident names a public issue or pull request (owner/repo #123).
    assert.match(rule.incident, /[\w.-]+\/[\w.-]+ ?#\d+/, `${rule.id}: the incident should cite owner/repo #number`);
    assert.equal(rule.helpUri.endsWith(`#${rule.id}`), true);
  });
}

test("rules-examples: every rule file in src/analyze/rules is in the index, so it is documented and tested here", () => {
  const files = readdirSync(RULES_DIR).filter((f) => f.endsWith(".ts") && f !== "index.ts").map((f) => f.replace(/\.ts$/, ""));
  const ids = [...CHECK_RULES, ...UPGRADE_RULES].map((r) => r.meta.id);
  for (const file of files) assert.ok(ids.includes(file), `${file}.ts is not listed in rules/index.ts`);
});

test("rules-examples: every folder in docs/rules is a rule of the index (no examples of a rule that is gone)", () => {
  const ids = ruleCatalog().map((r) => r.id);
  assert.deepEqual(readdirSync(EXAMPLES_DIR).filter((dir) => !ids.includes(dir)), []);
});

test("rules-examples: the examples are found from the package root, and a folder without them says where they were expected", () => {
  assert.equal(packageRoot(), ROOT);
  assert.equal(packageRoot(path.join(ROOT, "bundle")), ROOT);
  assert.equal(packageRoot(tmpdir()), undefined);
  const rule = ruleCatalog().find((r) => r.id === "duplicate-object")!;
  assert.deepEqual(examplesOf(rule), ruleExample("duplicate-object"));
  assert.equal(examplesOf({ ...rule, id: "a-caller-s-own-rule" }), undefined, "a rule that is not chartguard's has no examples, and none missing");
  const bare = mkdtempSync(path.join(tmpdir(), "chartguard-no-examples-"));
  try {
    const missing = readRuleExample("duplicate-object", bare);
    assert.deepEqual(missing, { missing: `not found: they were expected in ${path.join(bare, "docs", "rules", "duplicate-object")}/ (bad.yaml and good.yaml), which this install of chartguard lacks` });
    assert.ok(isMissing(missing));
    // The page still explains the rule, and says in one line where the examples were expected.
    const page = formatRuleText(rule, { example: missing });
    assert.ok(page.includes(`\n\nExamples not found: they were expected in ${path.join(bare, "docs", "rules", "duplicate-object")}/ (bad.yaml and good.yaml), which this install of chartguard lacks.\n\nMore: `), page);
    assert.ok(page.includes("\nWhy it matters\n") && !page.includes("Bad: chartguard reports"));
    assert.match(ruleMarkdown(rule, { example: missing }), /\n\n\*Examples not found: they were expected in .*duplicate-object\/ \(bad\.yaml and good\.yaml\), which this install of chartguard lacks\.\*\n/);
  } finally {
    rmSync(bare, { recursive: true, force: true });
  }
});

test("rules-examples: the README's rule reference is up to date (npm run docs:rules)", () => {
  assert.ok(existsSync(README));
  const readme = readFileSync(README, "utf8");
  assert.ok(readme.includes(RULES_START) && readme.includes(RULES_END), "README.md needs the rules markers");
  const expected = withRulesReference(readme, rulesReference(ruleCatalog(), (rule) => ruleExample(rule.id)));
  assert.ok(expected === readme, "README.md's rule reference is stale: run `npm run docs:rules`");
});

test("rules-examples: withRulesReference replaces only between the markers, and adds them when missing", () => {
  const readme = `# t\n\nintro\n\n${RULES_START}\nold\n${RULES_END}\n\n## After\n`;
  assert.equal(withRulesReference(readme, "new\n"), `# t\n\nintro\n\n${RULES_START}\nnew\n${RULES_END}\n\n## After\n`);
  assert.equal(withRulesReference("# t\n", "new\n"), `# t\n\n${RULES_START}\nnew\n${RULES_END}\n`);
});

test("rules-examples: `chartguard rules` lists every rule", () => {
  const run = runCli(["rules"]);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, "");
  for (const rule of ruleCatalog()) assert.match(run.stdout, new RegExp(`^${rule.id} +${rule.severity} `, "m"));
  const json = runCli(["rules", "-o", "json"]);
  assert.deepEqual(JSON.parse(json.stdout).map((r: { id: string }) => r.id), ruleCatalog().map((r) => r.id));
});

test("rules-examples: `chartguard rules volatile-selector` explains the rule", () => {
  const run = runCli(["rules", "volatile-selector"]);
  assert.equal(run.status, 0, run.stderr);
  const out = run.stdout;
  assert.ok(out.startsWith("volatile-selector  error; runs in check and upgrade\n"), out.slice(0, 100));
  for (const heading of ["Why it matters", "The incident behind it", "Bad: chartguard reports volatile-selector", "What chartguard says about it", "Good: nothing is reported", "Fix", "Migrating a release that is already deployed"]) {
    assert.ok(out.includes(`\n${heading}\n`), `missing section ${heading}`);
  }
  assert.match(out, /jetstack\/version-checker #140/);
  assert.match(out, /\n {4}kind: Deployment\n/);
  assert.match(out, /\n {2}error at spec\.selector\.matchLabels:\n {4}selector includes helm\.sh\/chart, set from the chart version\n/);
  assert.ok(!out.includes("\u001b["), "no colour when not a terminal");
  const upgradeRule = runCli(["rules", "merge-trap"]);
  assert.equal(upgradeRule.status, 0);
  assert.match(upgradeRule.stdout, /\nExample: the release as it is\n/);
  assert.match(upgradeRule.stdout, /\nBad: upgraded to this, chartguard reports merge-trap\n/);
  const markdown = runCli(["rules", "merge-trap", "-o", "markdown"]);
  assert.match(markdown.stdout, /^## merge-trap\n/);
});

test("rules-examples: `chartguard rules duplicate-object` is the rule's full page: summary, why, fix, migration, incident, its messages by id, its example", () => {
  const run = runCli(["rules", "duplicate-object"]);
  assert.equal(run.status, 0, run.stderr);
  const out = run.stdout;
  const headings = ["Why it matters", "Fix", "Migrating a release that is already deployed", "The incident behind it", "Messages", "Bad: chartguard reports duplicate-object", "What chartguard says about it", "Good: nothing is reported"];
  const at = headings.map((heading) => out.indexOf(`\n\n${heading}\n`));
  assert.ok(at.every((i) => i > 0), `every section: ${headings.filter((_, i) => at[i]! < 0)}`);
  assert.deepEqual([...at].sort((a, b) => a - b), at, "in this order");
  assert.ok(
    out.includes(
      "\n\nMessages\n  renderedTwice\n    message: {{object}} is rendered twice by {{first}}: only one copy can exist in the\n             cluster\n    details: Helm 3's `helm install` creates the first copy and fails on the second with\n",
    ),
    out,
  );
  assert.match(out, /\n {2}renderedByTwo\n {4}message: \{\{object\}\} is rendered by both \{\{first\}\} and \{\{second\}\}: /);
  // What it says on its example: the filled message, then the explanation.
  assert.match(out, /\nWhat chartguard says about it\n {2}warning at metadata\.name:\n {4}ConfigMap\/settings is rendered twice by duplicate-object\.bad\.yaml: only one copy can\n {4}exist in the cluster\n {4}details: Helm 3's `helm install` creates the first copy/);
});

test("rules-examples: an unknown rule id is a usage error (exit 2)", () => {
  const run = runCli(["rules", "no-such-rule"]);
  assert.equal(run.status, 2);
  assert.equal(run.stdout, "");
  assert.match(run.stderr, /^chartguard: unknown rule "no-such-rule"; `chartguard rules` lists them: selector-mismatch, /);
});
