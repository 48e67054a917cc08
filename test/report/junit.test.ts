import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import type { Finding } from "../../src/analyze/finding.ts";
import { escapeXml, formatJunit } from "../../src/report/junit.ts";
import { ruleCatalog } from "../../src/report/rules-doc.ts";
import { chartResult, checkExamplesResult, checkRules, parseXml, ruleExample, runCliIn, suppressedResult, tempRepo, upgradeExamplesResult, type XmlElement } from "./helpers.ts";

const all = (e: XmlElement, name: string): XmlElement[] => [...(e.name === name ? [e] : []), ...e.children.flatMap((c) => all(c, name))];

function checkCounts(root: XmlElement): void {
  assert.equal(root.name, "testsuites");
  let tests = 0;
  let failures = 0;
  for (const suite of root.children.filter((c) => c.name === "testsuite")) {
    const cases = suite.children.filter((c) => c.name === "testcase");
    const failed = cases.filter((c) => c.children.some((f) => f.name === "failure"));
    const skipped = cases.filter((c) => c.children.some((f) => f.name === "skipped"));
    assert.equal(Number(suite.attributes.tests), cases.length, `${suite.attributes.name}: tests`);
    assert.equal(Number(suite.attributes.failures), failed.length, `${suite.attributes.name}: failures`);
    assert.equal(Number(suite.attributes.skipped), skipped.length, `${suite.attributes.name}: skipped`);
    tests += cases.length;
    failures += failed.length;
  }
  assert.equal(Number(root.attributes.tests), tests);
  assert.equal(Number(root.attributes.failures), failures);
}

test("junit: well-formed, one suite per rule, one case per object and rule, one failure per finding", () => {
  const result = checkExamplesResult();
  const xml = formatJunit(result, { rules: checkRules() });
  const root = parseXml(xml);
  checkCounts(root);
  assert.deepEqual(root.children.map((s) => s.attributes.name), checkRules().map((r) => r.id));
  const failures = all(root, "failure");
  assert.equal(failures.length, result.findings.length, "a failure per finding");
  for (const [i, failure] of failures.entries()) assert.ok(["error", "warning", "info"].includes(failure.attributes.type!), `failure ${i} type`);
  // Every failed case holds exactly one failure (CI tools show only the first).
  for (const c of all(root, "testcase")) assert.ok(c.children.filter((f) => f.name === "failure").length <= 1);
  // The objects with findings get a (passing) case under the rules that found nothing on them.
  const mismatch = root.children.find((s) => s.attributes.name === "selector-mismatch")!;
  assert.ok(mismatch.children.some((c) => c.attributes.name === "Service default/web" && c.children.length === 0));
});

test("junit: with the checked objects given, every object gets a case per rule", () => {
  const checked = [
    { apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "web" },
    { apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "settings" },
  ];
  const root = parseXml(formatJunit({ findings: [], notes: [], checked }, { rules: checkRules() }));
  checkCounts(root);
  assert.equal(Number(root.attributes.tests), checked.length * checkRules().length);
  assert.equal(Number(root.attributes.failures), 0);
});

test("junit: suppressed findings are skipped cases saying what suppressed them; passing objects are listed too", () => {
  const rules = ruleCatalog().filter((r) => ["selector-overlap", "volatile-pod-labels"].includes(r.id));
  const xml = formatJunit(suppressedResult(), { rules });
  const testcase = (rule: string, name: string, inner?: string) =>
    `    <testcase classname="chartguard.${rule}" name="${name}" time="0"${inner ? `>\n      ${inner}\n    </testcase>` : "/>"}`;
  const body = (severity: string, rule: string, object: string, field: string, line: number, name: string) =>
    `${severity}: ${rule} ${object} ${field}\nat web.yaml:${line}\n\n${rule} on ${name}\n\nFix: fix ${rule}`;
  const labels = "spec.template.metadata.labels.helm.sh/chart";
  assert.equal(
    xml,
    [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<testsuites name="chartguard" tests="12" failures="1" errors="0" time="0">',
      '  <testsuite name="selector-overlap" tests="4" failures="0" errors="0" skipped="2" time="0">',
      testcase("selector-overlap", "Deployment default/web",
        `<skipped message="suppressed by the config: ignoreProbeCauses: selector-overlap accepts cause name">${body("warning", "selector-overlap", "Deployment default/web", "spec.selector", 6, "web")}</skipped>`),
      testcase("selector-overlap", "Job default/web-migrate"),
      testcase("selector-overlap", "Service default/web",
        `<skipped message="suppressed by allowedOverlaps in the config (.chartguard.yaml): the job may get traffic">${body("error", "selector-overlap", "Service default/web", "spec.selector", 39, "web")}</skipped>`),
      testcase("selector-overlap", "ConfigMap default/settings"),
      "  </testsuite>",
      '  <testsuite name="volatile-pod-labels" tests="4" failures="1" errors="0" skipped="1" time="0">',
      testcase("volatile-pod-labels", "Deployment default/web",
        `<failure message="volatile-pod-labels on web" type="warning">${body("warning", "volatile-pod-labels", "Deployment default/web", labels, 15, "web")}</failure>`),
      testcase("volatile-pod-labels", "Job default/web-migrate",
        `<skipped message="suppressed by the chartguard.io/ignore annotation (web.yaml:22)">${body("error", "volatile-pod-labels", "Job default/web-migrate", labels, 29, "web-migrate")}</skipped>`),
      testcase("volatile-pod-labels", "Service default/web"),
      testcase("volatile-pod-labels", "ConfigMap default/settings"),
      "  </testsuite>",
      // A rule not among the listed ones still gets its suite, after them.
      '  <testsuite name="volatile-selector" tests="4" failures="0" errors="0" skipped="1" time="0">',
      testcase("volatile-selector", "Deployment default/web",
        `<skipped message="suppressed by a chartguard-ignore comment (web.yaml:9): fixed in 2.0">${body("error", "volatile-selector", "Deployment default/web", "spec.selector.matchLabels.helm.sh/chart", 10, "web")}</skipped>`),
      testcase("volatile-selector", "Job default/web-migrate"),
      testcase("volatile-selector", "Service default/web"),
      testcase("volatile-selector", "ConfigMap default/settings"),
      "  </testsuite>",
      "</testsuites>",
      "",
    ].join("\n"),
  );
  checkCounts(parseXml(xml));
});

test("junit: a finding on an object outside the checked ones still gets its case", () => {
  const result = suppressedResult();
  const xml = formatJunit({ ...result, suppressed: [], checked: [] }, { rules: ruleCatalog().filter((r) => r.id === "volatile-pod-labels") });
  const root = parseXml(xml);
  checkCounts(root);
  assert.deepEqual(all(root, "testcase").map((c) => [c.attributes.name, c.children.map((f) => f.name)]), [["Deployment default/web", ["failure"]]]);
});

test("junit: a clean run still lists every rule as a passing test", () => {
  const root = parseXml(formatJunit({ findings: [], notes: [] }, { rules: ruleCatalog() }));
  checkCounts(root);
  assert.equal(Number(root.attributes.tests), ruleCatalog().length);
});

test("junit: several findings of one rule on one object become separate cases named by field path", () => {
  const result = checkExamplesResult();
  const twoLabels = result.findings.filter((f) => f.rule === "volatile-pod-labels").slice(0, 1);
  const second: Finding = { ...twoLabels[0]!, path: `${twoLabels[0]!.path}-other` };
  const root = parseXml(formatJunit({ findings: [...twoLabels, second], notes: [] }, { rules: checkRules() }));
  const suite = root.children.find((s) => s.attributes.name === "volatile-pod-labels")!;
  const names = suite.children.map((c) => c.attributes.name);
  assert.ok(names.every((n) => n!.includes("(spec.template.metadata.labels")), JSON.stringify(names));
  assert.equal(names.length, 2);
});

test("junit: text and attributes are escaped; characters XML cannot carry are replaced", () => {
  const [finding] = checkExamplesResult().findings;
  const nasty = `a <b> & "c" 'd' \u0001 \u001b[31m end\nsecond line`;
  const xml = formatJunit({ findings: [{ ...finding!, message: nasty, remedy: { text: "x & y", commands: ["kubectl get <x>"] } }], notes: [{ file: "f<1>.yaml", message: "note & more" }] }, { rules: checkRules() });
  const root = parseXml(xml);
  const failure = all(root, "failure")[0]!;
  assert.equal(failure.attributes.message, `a <b> & "c" 'd' \uFFFD \uFFFD[31m end`);
  assert.ok(failure.text.includes("second line"));
  assert.ok(failure.text.includes("$ kubectl get <x>"));
  assert.ok(all(root, "system-out")[0]!.text.includes("note: f<1>.yaml: note & more"));
  assert.equal(escapeXml("<&>\"'"), "&lt;&amp;&gt;&quot;&apos;");
});

test("junit: an upgrade report covers check and upgrade rules", () => {
  const result = upgradeExamplesResult();
  const root = parseXml(formatJunit(result, { rules: ruleCatalog() }));
  checkCounts(root);
  assert.equal(all(root, "failure").length, result.findings.length);
});

test("junit: the CLI writes -o junit for check and upgrade", () => {
  const dir = tempRepo();
  writeFileSync(path.join(dir, "bad.yaml"), ruleExample("selector-overlap").bad);
  const run = runCliIn(dir, ["check", "bad.yaml", "-o", "junit", "--fail-on", "info", "--output-file", "report.xml"]);
  assert.equal(run.status, 1, run.stderr);
  assert.equal(run.stdout, "");
  const root = parseXml(readFileSync(path.join(dir, "report.xml"), "utf8"));
  checkCounts(root);
  assert.ok(all(root, "failure").length >= 2);
  // Every object checked, with or without findings, has its case under every rule.
  for (const suite of root.children) {
    assert.deepEqual(suite.children.map((c) => c.attributes.name), ["Deployment default/web", "Job default/web-migrate", "Service default/web"], suite.attributes.name);
  }

  const example = ruleExample("object-replaced");
  writeFileSync(path.join(dir, "from.yaml"), example.upgradeFrom!);
  writeFileSync(path.join(dir, "to.yaml"), example.bad);
  const up = runCliIn(dir, ["upgrade", "--from", "from.yaml", "--to", "to.yaml", "-o", "junit", "--fail-on", "none"]);
  assert.equal(up.status, 0, up.stderr);
  const upRoot = parseXml(up.stdout);
  checkCounts(upRoot);
  const replaced = upRoot.children.find((s) => s.attributes.name === "object-replaced")!;
  // The case is the target's object, the one the finding is on; below --fail-on it passes, with the finding in system-out.
  assert.deepEqual(replaced.children.map((c) => [c.attributes.name, c.children.map((f) => f.name)]), [["StatefulSet default/web-postgresql", ["system-out"]]]);
});

test("junit: a failure's text is the finding's message, then its full explanation, then the fix and commands", () => {
  const finding = chartResult().findings.find((f) => f.rule === "volatile-selector")!;
  const xml = formatJunit({ findings: [finding], notes: [] }, { rules: ruleCatalog().filter((r) => r.id === "volatile-selector") });
  const failure = parseXml(xml).children[0]!.children[0]!.children[0]!;
  assert.equal(failure.name, "failure");
  assert.equal(failure.attributes.message, "selector carries helm.sh/chart: the next chart version is refused");
  assert.equal(
    failure.text,
    [
      "error: volatile-selector Deployment default/web spec.selector.matchLabels",
      "at charts/web/templates/deployment.yaml:9",
      "",
      "selector carries helm.sh/chart: the next chart version is refused",
      "",
      'spec.selector is immutable: helm upgrade fails with "field is immutable"\nonce the chart version changes.',
      "",
      "Fix: Select on app.kubernetes.io/name and app.kubernetes.io/instance only.",
      "  $ kubectl delete deployment web -n default --cascade=orphan",
      "  $ helm upgrade web charts/web -n default",
    ].join("\n"),
  );
});
