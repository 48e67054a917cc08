/**
 * `-o junit` against test/fixtures/junit/junit-jenkins.xsd (our own schema with the constraints
 * Jenkins' junit-10.xsd is published to enforce, no extra attributes) with xmllint (Debian's
 * libxml2-utils; .ci/run installs it), and JUnit agreeing with the exit code: a finding
 * below --fail-on is reported in a passing case, not as a failure.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test, type TestContext } from "node:test";
import { formatJunit } from "../../src/report/junit.ts";
import { ruleCatalog } from "../../src/report/rules-doc.ts";
import { run } from "../integrations/run.ts";
import { checkExamplesResult, checkRules, parseXml, ruleExample, runCliIn, suppressedResult, tempRepo, upgradeExamplesResult, type XmlElement } from "./helpers.ts";

const SCHEMA = path.join(import.meta.dirname, "..", "fixtures", "junit", "junit-jenkins.xsd");
const tmp = mkdtempSync(path.join(tmpdir(), "chartguard-junit-xsd-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function hasXmllint(t: TestContext): boolean {
  if (run("sh", ["-c", "command -v xmllint"]).status === 0) return true;
  const message = "xmllint is not installed (apt-get install libxml2-utils; .ci/run installs it)";
  if (process.env.CI) assert.fail(message);
  t.skip(message);
  return false;
}

let count = 0;
function validate(xml: string) {
  const file = path.join(tmp, `report-${count++}.xml`);
  writeFileSync(file, xml);
  return run("xmllint", ["--noout", "--schema", SCHEMA, file]);
}

test("junit validates against the Jenkins JUnit schema (junit-jenkins.xsd): check, upgrade, suppressed, a chart not rendered, notes, every --fail-on", (t) => {
  if (!hasXmllint(t)) return;
  const incomplete = { ...checkExamplesResult(), failed: [{ input: "charts/broken", file: "charts/broken/templates/x.yaml", line: 3, message: "nil pointer evaluating interface {}.port" }] };
  const results = { check: checkExamplesResult(), upgrade: upgradeExamplesResult(), suppressed: suppressedResult(), incomplete };
  for (const [name, result] of Object.entries(results)) {
    for (const failOn of [undefined, "error", "warning", "info", "none"] as const) {
      const xml = formatJunit({ ...result, notes: [{ file: "f.yaml", message: "a note" }] }, { rules: ruleCatalog(), ...(failOn ? { failOn } : {}) });
      const checked = validate(xml);
      assert.equal(checked.status, 0, `${name}, --fail-on ${failOn}: ${checked.stderr}`);
    }
  }
});

test("the schema check can fail: a testcase with file= (what chartguard wrote before) is rejected", (t) => {
  if (!hasXmllint(t)) return;
  const xml = formatJunit(checkExamplesResult(), { rules: checkRules() }).replace('<testcase classname="chartguard.', '<testcase file="x.yaml" classname="chartguard.');
  const checked = validate(xml);
  assert.notEqual(checked.status, 0);
  assert.match(checked.stderr, /testcase', attribute 'file': The attribute 'file' is not allowed/);
});

const all = (e: XmlElement, name: string): XmlElement[] => [...(e.name === name ? [e] : []), ...e.children.flatMap((c) => all(c, name))];

test("junit: findings below --fail-on pass their case with the finding in system-out; the counts follow", () => {
  const result = checkExamplesResult();
  const severities = new Set(result.findings.map((f) => f.severity));
  assert.ok(severities.has("error") && severities.has("warning"), "the examples have errors and warnings");
  const errors = result.findings.filter((f) => f.severity === "error").length;
  const root = parseXml(formatJunit(result, { rules: checkRules(), failOn: "error" }));
  const failures = all(root, "failure");
  assert.equal(failures.length, errors);
  assert.deepEqual([...new Set(failures.map((f) => f.attributes.type))], ["error"]);
  assert.equal(Number(root.attributes.failures), errors);
  const reported = all(root, "testcase").filter((c) => c.children.some((child) => child.name === "system-out"));
  assert.equal(reported.length, result.findings.length - errors);
  assert.ok(reported.every((c) => c.children.length === 1 && /^warning: |^info: /.test(c.children[0]!.text)), "each holds its finding");
  assert.equal(Number(parseXml(formatJunit(result, { rules: checkRules(), failOn: "none" })).attributes.failures), 0);
  assert.equal(all(parseXml(formatJunit(result, { rules: checkRules() })), "failure").length, result.findings.length, "without failOn every finding fails");
});

test("junit from the CLI agrees with the exit code: warnings only, --fail-on error passes, --fail-on warning fails", () => {
  const dir = tempRepo();
  writeFileSync(path.join(dir, "web.yaml"), ruleExample("volatile-pod-labels").bad);
  const lenient = runCliIn(dir, ["check", "web.yaml", "-o", "junit", "--fail-on", "error", "--output-file", "lenient.xml"]);
  assert.equal(lenient.status, 0, lenient.stderr);
  const lenientRoot = parseXml(readFileSync(path.join(dir, "lenient.xml"), "utf8"));
  assert.equal(lenientRoot.attributes.failures, "0");
  assert.ok(all(lenientRoot, "system-out").some((out) => out.text.startsWith("warning: volatile-pod-labels")));

  const strict = runCliIn(dir, ["check", "web.yaml", "-o", "junit", "--fail-on", "warning"]);
  assert.equal(strict.status, 1, strict.stderr);
  const strictRoot = parseXml(strict.stdout);
  assert.ok(Number(strictRoot.attributes.failures) > 0);
  assert.deepEqual([...new Set(all(strictRoot, "failure").map((f) => f.attributes.type))], ["warning"]);
});
