import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import type { Finding } from "../../src/analyze/finding.ts";
import { escapeXml, formatJunit } from "../../src/report/junit.ts";
import { ruleCatalog } from "../../src/report/rules-doc.ts";
import { checkExamplesResult, checkRules, parseXml, runCliIn, tempRepo, upgradeExamplesResult, type XmlElement } from "./helpers.ts";

const all = (e: XmlElement, name: string): XmlElement[] => [...(e.name === name ? [e] : []), ...e.children.flatMap((c) => all(c, name))];

function checkCounts(root: XmlElement): void {
  assert.equal(root.name, "testsuites");
  let tests = 0;
  let failures = 0;
  for (const suite of root.children.filter((c) => c.name === "testsuite")) {
    const cases = suite.children.filter((c) => c.name === "testcase");
    const failed = cases.filter((c) => c.children.some((f) => f.name === "failure"));
    assert.equal(Number(suite.attributes.tests), cases.length, `${suite.attributes.name}: tests`);
    assert.equal(Number(suite.attributes.failures), failed.length, `${suite.attributes.name}: failures`);
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
  const objects = [
    { apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "web" },
    { apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "settings" },
  ];
  const root = parseXml(formatJunit({ findings: [], notes: [] }, { rules: checkRules(), objects }));
  checkCounts(root);
  assert.equal(Number(root.attributes.tests), objects.length * checkRules().length);
  assert.equal(Number(root.attributes.failures), 0);
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
  const rules = ruleCatalog();
  writeFileSync(path.join(dir, "bad.yaml"), rules.find((r) => r.id === "selector-overlap")!.example.bad);
  const run = runCliIn(dir, ["check", "bad.yaml", "-o", "junit", "--output-file", "report.xml"]);
  assert.equal(run.status, 1, run.stderr);
  assert.equal(run.stdout, "");
  const root = parseXml(readFileSync(path.join(dir, "report.xml"), "utf8"));
  checkCounts(root);
  assert.ok(all(root, "failure").length >= 2);

  const example = rules.find((r) => r.id === "object-replaced")!.example;
  writeFileSync(path.join(dir, "from.yaml"), example.upgradeFrom!);
  writeFileSync(path.join(dir, "to.yaml"), example.bad);
  const up = runCliIn(dir, ["upgrade", "--from", "from.yaml", "--to", "to.yaml", "-o", "junit", "--fail-on", "none"]);
  assert.equal(up.status, 0, up.stderr);
  const upRoot = parseXml(up.stdout);
  checkCounts(upRoot);
  assert.ok(upRoot.children.some((s) => s.attributes.name === "object-replaced" && Number(s.attributes.failures) === 1));
});
