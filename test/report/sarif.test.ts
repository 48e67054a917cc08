import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { before, test } from "node:test";
import { checkDocuments } from "../../src/analyze/check.ts";
import type { Finding } from "../../src/analyze/finding.ts";
import { PROJECT_URL } from "../../src/analyze/rule.ts";
import { parseYamlStream } from "../../src/load/yaml.ts";
import { repoFiles } from "../../src/report/common.ts";
import { ruleCatalog } from "../../src/report/rules-doc.ts";
import { FINGERPRINT_KEY, formatSarif } from "../../src/report/sarif.ts";
import { runCli } from "../helpers/cli.ts";
import { helmBinaries } from "../helpers/helm.ts";
import {
  checkExamplesResult,
  readJson,
  ruleExample,
  runCliIn,
  suppressedResult,
  tempRepo,
  upgradeExamplesResult,
  validateSarif,
  validatorAvailable,
  type TestResult,
  type ValidatorIssue,
} from "./helpers.ts";

/* eslint-disable @typescript-eslint/no-explicit-any -- SARIF is read back as plain JSON */
type Json = any;

const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
const rules = ruleCatalog();

// Every SARIF log the tests produce is written here and validated in one validator run.
const root = tempRepo();
const outputs = new Map<string, string>();
let issues: ValidatorIssue[] | undefined;

function sarifOf(name: string, result: TestResult, cwd = root): Json {
  const text = formatSarif(result, { rules, files: repoFiles(cwd, root) });
  const file = path.join(root, "sarif", `${name}.sarif`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  outputs.set(name, file);
  return JSON.parse(text);
}

function locationOf(finding: Finding, patch: Partial<Finding["location"]>): Finding {
  return { ...finding, location: { ...finding.location, ...patch } };
}

// The scenarios: built once, validated together, then checked one by one below.
const check = checkExamplesResult(root);
const upgrade = upgradeExamplesResult(root);
const sample = check.findings.find((f) => f.rule === "volatile-selector")!;
mkdirSync(path.join(root, "charts/web/templates"), { recursive: true });
writeFileSync(path.join(root, "charts/web/Chart.yaml"), "apiVersion: v2\nname: web\nversion: 1.4.2\n");
writeFileSync(path.join(root, "charts/web/templates/deployment.yaml"), "# the template\n");
mkdirSync(path.join(root, "odd dir #1"), { recursive: true });
writeFileSync(path.join(root, "odd dir #1/mänifest 100%.yaml"), "kind: x\n");
const outside = path.join(tempRepo(), "elsewhere.yaml");
writeFileSync(outside, "kind: x\n");
// The file suppressedResult's findings point into, long enough for their lines.
writeFileSync(path.join(root, "web.yaml"), "# line\n".repeat(40));
const suppressed = suppressedResult();
// A chart that could not be rendered, beside one that was: the log says the run is incomplete.
mkdirSync(path.join(root, "charts/bad/templates"), { recursive: true });
writeFileSync(path.join(root, "charts/bad/Chart.yaml"), "apiVersion: v2\nname: bad\nversion: 0.1.0\n");
writeFileSync(path.join(root, "charts/bad/templates/_helpers.tpl"), "{{/* a */}}\n{{/* b */}}\n{{ .Values.config.level }}\n");
const failed = [
  { input: "charts/bad", file: "charts/bad/templates/_helpers.tpl", line: 3, message: "nil pointer evaluating interface {}.level" },
  { input: "charts/gone", message: "chart directory not found" },
];

const scenarios = {
  check: sarifOf("check", check),
  upgrade: sarifOf("upgrade", upgrade),
  empty: sarifOf("empty", { findings: [], notes: [] }),
  suppressed: sarifOf("suppressed", suppressed),
  incomplete: sarifOf("incomplete", { findings: [sample], notes: [], failed }),
  baseline: sarifOf("baseline", {
    findings: [
      { ...sample, baselineState: "new" },
      { ...locationOf(sample, { line: sample.location.line + 1 }), path: "spec.template.metadata.labels", baselineState: "updated" },
      { ...sample, path: "spec.selector", baselineState: "unchanged" },
    ],
    absent: [{ ...sample, path: "spec.template.metadata.labels.app" }],
    notes: [],
  }),
  located: sarifOf("located", {
    findings: [
      // A chart template with a known template line.
      locationOf(sample, { file: "charts/web", rendered: true, line: 40, template: "charts/web/templates/deployment.yaml", templateLine: 12 }),
      // The template is known, its line is not; the rendered pseudo-file is not a file.
      locationOf(sample, { file: "charts/web", rendered: true, line: 41, template: "charts/web/templates/deployment.yaml" }),
      // A packaged chart: the template path is inside the archive, not on disk.
      locationOf(sample, { file: "charts/web-1.4.2.tgz", rendered: true, line: 7, template: "charts/web-1.4.2.tgz/templates/deployment.yaml", templateLine: 12 }),
      // A rendered chart whose template is unknown: the chart's Chart.yaml.
      locationOf(sample, { file: "charts/web", rendered: true, line: 9 }),
      // stdin and git:REF renders have no file at all.
      locationOf(sample, { file: "<stdin>", line: 3 }),
      locationOf(sample, { file: "git:main:charts/web", rendered: true, line: 5, template: "git:main:charts/web/templates/deployment.yaml", templateLine: 12 }),
      // Spaces, '#', '%' and non-ASCII in a path; a file outside the repository.
      locationOf(sample, { file: "odd dir #1/mänifest 100%.yaml", line: 2 }),
      locationOf(sample, { file: outside, line: 1 }),
    ],
    notes: [],
  }),
};

before(() => {
  const reason = validatorAvailable();
  if (reason) throw new Error(reason);
  issues = validateSarif([...outputs.values()]);
});

function issuesOf(name: string, level: ValidatorIssue["level"]): ValidatorIssue[] {
  const file = outputs.get(name)!;
  return issues!.filter((i) => i.level === level && path.resolve(i.file) === path.resolve(file));
}

for (const name of Object.keys(scenarios)) {
  test(`sarif: Microsoft's validator (--rule-kind "Gh;Sarif") finds no error in the ${name} log`, (t) => {
    const errors = issuesOf(name, "error");
    assert.deepEqual(errors.map((e) => `${e.rule}: ${e.message}`), []);
    for (const warning of issuesOf(name, "warning")) t.diagnostic(`validator warning ${warning.rule}: ${warning.message}`);
  });
}

test("sarif: the validator harness does report errors (a log without rules fails GH1018)", () => {
  const file = path.join(root, "sarif-control", "broken.sarif");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ version: "2.1.0", $schema: "https://json.schemastore.org/sarif-2.1.0.json", runs: [{ tool: { driver: { name: "x" } }, results: [] }] }));
  const found = validateSarif([file]);
  assert.ok(found.some((i) => i.level === "error" && i.rule === "GH1018"), JSON.stringify(found));
});

test("sarif: charts that could not be rendered make an unsuccessful invocation, one error notification each; complete runs have none", () => {
  const [invocation] = scenarios.incomplete.runs[0].invocations;
  assert.equal(invocation.executionSuccessful, false);
  assert.deepEqual(invocation.toolExecutionNotifications, [
    {
      level: "error",
      message: { text: "Not checked: charts/bad/templates/_helpers.tpl:3: nil pointer evaluating interface {}.level" },
      locations: [{ physicalLocation: { artifactLocation: { uri: "charts/bad/templates/_helpers.tpl" }, region: { startLine: 3 } } }],
    },
    // Not on disk: named in the message, with no location.
    { level: "error", message: { text: "Not checked: charts/gone: chart directory not found" } },
  ]);
  assert.equal(scenarios.incomplete.runs[0].results.length, 1, "what was checked is still reported");
  assert.equal("invocations" in scenarios.check.runs[0], false);
});

test("sarif: an upgrade's results carry baselineState; what is no longer found is an absent result of kind pass, level none", () => {
  const results = scenarios.baseline.runs[0].results;
  assert.deepEqual(
    results.map((r: Json) => [r.properties.path, r.baselineState, r.kind ?? "-", r.level]),
    [
      [sample.path, "new", "-", "error"],
      ["spec.template.metadata.labels", "updated", "-", "error"],
      ["spec.selector", "unchanged", "-", "error"],
      ["spec.template.metadata.labels.app", "absent", "pass", "none"],
    ],
  );
  assert.equal(new Set(results.map((r: Json) => r.partialFingerprints[FINGERPRINT_KEY])).size, 4, "each its own fingerprint");
  assert.ok(scenarios.check.runs[0].results.every((r: Json) => !("baselineState" in r)), "check results have no baseline");
});

test("sarif: the driver describes chartguard and every rule in full", () => {
  const driver = scenarios.check.runs[0].tool.driver;
  assert.equal(scenarios.check.version, "2.1.0");
  assert.equal(driver.name, "chartguard");
  assert.equal(driver.version, PACKAGE_VERSION);
  assert.equal(driver.informationUri, PROJECT_URL);
  assert.deepEqual(driver.rules.map((r: Json) => r.id), rules.map((r) => r.id));
  for (const [i, rule] of driver.rules.entries()) {
    const meta = rules[i]!;
    assert.equal(rule.shortDescription.text.replace(/\.$/, ""), meta.summary.replace(/\.$/, ""));
    assert.ok(rule.fullDescription.text.length > 40, rule.id);
    assert.ok(rule.help.text.includes(meta.incident.slice(0, 30)), `${rule.id}: help.text names the incident`);
    assert.ok(rule.help.markdown.includes(`\`\`\`yaml\n${ruleExample(rule.id).bad.trimEnd()}\n\`\`\``), `${rule.id}: help.markdown shows the bad example from docs/rules/`);
    assert.equal(rule.helpUri, meta.helpUri);
    assert.equal(rule.defaultConfiguration.level, { error: "error", warning: "warning", info: "note" }[meta.severity]);
    assert.ok(rule.properties.tags.includes("kubernetes"));
  }
});

test("sarif: a rule's messages are messageStrings ({{name}} → {n}, literal braces doubled); a result names its message by id with the arguments, and its text adds the details", () => {
  const run = scenarios.check.runs[0];
  const descriptor = run.tool.driver.rules.find((r: Json) => r.id === "duplicate-object");
  assert.deepEqual(descriptor.messageStrings, {
    renderedTwice: { text: "{0} is rendered twice by {1}: only one copy can exist in the cluster." },
    renderedByTwo: { text: "{0} is rendered by both {1} and {2}: only one copy can exist in the cluster." },
    crdsFolderTwice: { text: "{0} is in the crds/ folders of both {1} and {2}, in different versions: only one is installed." },
  });
  const duplicate = check.findings.findIndex((f) => f.rule === "duplicate-object");
  const { message } = run.results[duplicate];
  assert.equal(message.id, "renderedTwice");
  const file = path.join(root, "manifests/duplicate-object.yaml");
  assert.deepEqual(message.arguments, ["ConfigMap/settings", file]);
  assert.ok(message.text.startsWith(`ConfigMap/settings is rendered twice by ${file}: only one copy can exist in the cluster.\n\n${check.findings[duplicate]!.detail}\n\nObject: `), message.text);
  // A rule without declared messages (not yet converted) has neither.
  const legacy = run.tool.driver.rules.find((r: Json) => !rules.find((m) => m.id === r.id)!.messages);
  if (legacy) assert.equal("messageStrings" in legacy, false);
  const braces = formatSarif(
    { findings: [{ ...check.findings[duplicate]!, rule: "braces", messageId: "m", data: { a: "x{y}" } }], notes: [] },
    { rules: [{ ...rules.find((r) => r.id === "duplicate-object")!, id: "braces", messages: { m: "{literal} and {{a}}" } }], files: repoFiles(root, root) },
  );
  const log = JSON.parse(braces);
  assert.deepEqual(log.runs[0].tool.driver.rules[0].messageStrings, { m: { text: "{{literal}} and {0}." } });
  assert.deepEqual(log.runs[0].results[0].message.arguments, ["x{y}"]);
});

test("sarif: results carry rule, index, level, message, location, object and fingerprint", () => {
  const run = scenarios.check.runs[0];
  assert.equal(run.results.length, check.findings.length);
  run.results.forEach((result: Json, i: number) => {
    const finding = check.findings[i]!;
    assert.equal(result.ruleId, finding.rule);
    assert.equal(run.tool.driver.rules[result.ruleIndex].id, finding.rule);
    assert.equal(result.level, { error: "error", warning: "warning", info: "note" }[finding.severity]);
    assert.ok(result.message.text.startsWith(finding.message.slice(0, 40)));
    assert.ok(result.message.text.includes("Fix: "));
    const physical = result.locations[0].physicalLocation;
    assert.equal(physical.artifactLocation.uri, path.relative(root, finding.location.file));
    assert.equal(physical.region.startLine, finding.location.line);
    const logical = result.locations[0].logicalLocations[0];
    assert.equal(logical.name, finding.object.name);
    assert.equal(logical.fullyQualifiedName, `default/${finding.object.kind}/${finding.object.name}`);
    assert.match(result.partialFingerprints[FINGERPRINT_KEY], /^[0-9a-f]{32}$/);
  });
});

test("sarif: locations point at real files only: template + line, else the manifest, else the template, else the chart", () => {
  const located = scenarios.located.runs[0].results.map((r: Json) => r.locations[0].physicalLocation ?? null);
  assert.deepEqual(located, [
    { artifactLocation: { uri: "charts/web/templates/deployment.yaml" }, region: { startLine: 12 } },
    { artifactLocation: { uri: "charts/web/templates/deployment.yaml" }, region: { startLine: 1 } },
    null,
    { artifactLocation: { uri: "charts/web/Chart.yaml" }, region: { startLine: 1 } },
    null,
    null,
    { artifactLocation: { uri: "odd%20dir%20%231/m%C3%A4nifest%20100%25.yaml" }, region: { startLine: 2 } },
    { artifactLocation: { uri: `file://${outside.split(path.sep).map(encodeURIComponent).join("/")}` }, region: { startLine: 1 } },
  ]);
  const texts = JSON.stringify(scenarios.located);
  assert.ok(!/"uri": ?"[^"]*\(rendered\)/.test(texts), "the rendered pseudo-file is never an artifact");
  // The template is known without its line: the message says where it was rendered.
  assert.match(scenarios.located.runs[0].results[1].message.text, /Rendered at charts\/web \(rendered\), line 41\./);
});

test("sarif: paths are relative to the repository root, also when run from a subfolder", () => {
  const sub = path.join(root, "charts");
  const log = sarifOf("subfolder", { findings: [locationOf(sample, { file: "web", rendered: true, line: 4, template: "web/templates/deployment.yaml", templateLine: 3 })], notes: [] }, sub);
  assert.equal(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, "charts/web/templates/deployment.yaml");
});

test("sarif: fingerprints ignore line numbers and stay unique within a run", () => {
  const manifest = ruleExample("volatile-selector").bad;
  const findingsAt = (text: string) => checkDocuments(parseYamlStream(text, "m.yaml"), { namespace: "default" }).findings;
  const prints = (findings: Finding[]): string[] =>
    JSON.parse(formatSarif({ findings, notes: [] }, { rules, files: repoFiles(root, root) })).runs[0].results.map((r: Json) => r.partialFingerprints[FINGERPRINT_KEY]);
  const original = findingsAt(manifest);
  const shifted = findingsAt(`# a comment\n# and another\n\n${manifest}`);
  assert.notDeepEqual(original.map((f) => f.location.line), shifted.map((f) => f.location.line));
  assert.deepEqual(prints(original), prints(shifted));
  // The same finding twice in one run (two inputs with the same object): distinct fingerprints.
  const twice = prints([...original, ...original]);
  assert.equal(new Set(twice).size, twice.length);
  // Run from a subfolder, the same files give the same fingerprints.
  const fromSub = checkDocuments(parseYamlStream(manifest, "../m.yaml"), { namespace: "default" }).findings;
  const subPrints = JSON.parse(formatSarif({ findings: fromSub, notes: [] }, { rules, files: repoFiles(path.join(root, "charts"), root) })).runs[0].results.map((r: Json) => r.partialFingerprints[FINGERPRINT_KEY]);
  assert.deepEqual(subPrints, prints(original));
  // A different object gives a different fingerprint.
  const renamed = prints(findingsAt(manifest.replace("name: web\n", "name: api\n")));
  assert.notDeepEqual(renamed, prints(original));
});

test("sarif: listed suppressed findings are results with a suppressions entry: inSource, or external for the config", () => {
  const results = scenarios.suppressed.runs[0].results;
  assert.deepEqual(results.map((r: Json) => [r.ruleId, r.suppressions]), [
    ["volatile-pod-labels", undefined],
    ["volatile-selector", [{ kind: "inSource", status: "accepted", justification: "fixed in 2.0" }]],
    ["volatile-pod-labels", [{ kind: "inSource", status: "accepted" }]],
    ["selector-overlap", [{ kind: "external", status: "accepted", justification: "the job may get traffic" }]],
    ["selector-overlap", [{ kind: "external", status: "accepted", justification: "ignoreProbeCauses: selector-overlap accepts cause name" }]],
  ]);
  assert.deepEqual(results.slice(1).map((r: Json) => r.properties.suppression), suppressed.suppressed.map((f) => f.suppression));
  assert.equal(
    results[1].message.text,
    "volatile-selector on web.\n\nObject: Deployment default/web, field spec.selector.matchLabels.helm.sh/chart.\n\nFix: fix volatile-selector.\n\nSuppressed by a chartguard-ignore comment (web.yaml:9): fixed in 2.0.",
  );
  assert.deepEqual(results[1].locations[0].physicalLocation, { artifactLocation: { uri: "web.yaml" }, region: { startLine: 10 } });
  // Without --show-suppressed they are counted, not listed: not in the log.
  const { suppressed: _listed, ...counted } = suppressed;
  const log = JSON.parse(formatSarif(counted, { rules, files: repoFiles(root, root) }));
  assert.deepEqual(log.runs[0].results.map((r: Json) => r.ruleId), ["volatile-pod-labels"]);
  assert.ok(!JSON.stringify(log).includes("suppressions"));
});

test("sarif: an upgrade log describes upgrade findings with their migration commands", () => {
  const results = scenarios.upgrade.runs[0].results;
  const ids = new Set(results.map((r: Json) => r.ruleId));
  for (const id of ["rollout-selector-changed", "needless-rollout", "object-replaced", "immutable-field", "merge-trap"]) assert.ok(ids.has(id), id);
  const immutable = results.find((r: Json) => r.ruleId === "immutable-field");
  assert.match(immutable.message.text, /Run first:\n {2}kubectl delete deployment web/);
});

test("sarif: the CLI writes -o sarif for check and upgrade, and --output-file atomically", () => {
  const dir = tempRepo();
  const bad = ruleExample("volatile-selector").bad;
  writeFileSync(path.join(dir, "bad.yaml"), bad);
  const run = runCliIn(dir, ["check", "bad.yaml", "-o", "sarif"]);
  assert.equal(run.status, 1, run.stderr);
  const log = JSON.parse(run.stdout);
  assert.equal(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, "bad.yaml");
  assert.equal(run.stderr, "");

  const merge = ruleExample("merge-trap");
  writeFileSync(path.join(dir, "from.yaml"), merge.upgradeFrom!);
  writeFileSync(path.join(dir, "to.yaml"), merge.bad);
  const up = runCliIn(dir, ["upgrade", "--from", "from.yaml", "--to", "to.yaml", "-o", "sarif", "--output-file", "out/up.sarif"]);
  assert.equal(up.status, 2, "the folder out/ does not exist");
  assert.match(up.stderr, /out\/up\.sarif: cannot write the report: the folder out does not exist/);
  mkdirSync(path.join(dir, "out"));
  const again = runCliIn(dir, ["upgrade", "--from", "from.yaml", "--to", "to.yaml", "-o", "sarif", "--output-file", "out/up.sarif"]);
  assert.equal(again.status, 1, again.stderr);
  assert.equal(again.stdout, "");
  const written = readJson(path.join(dir, "out/up.sarif")) as Json;
  assert.ok(written.runs[0].results.some((r: Json) => r.ruleId === "merge-trap"));
  const file = path.join(dir, "cli.sarif");
  writeFileSync(file, JSON.stringify(log));
  const cliIssues = validateSarif([file, path.join(dir, "out/up.sarif")]).filter((i) => i.level === "error");
  assert.deepEqual(cliIssues, []);
});

test("sarif: a rendered chart's findings land in its template files (helm 4)", () => {
  const helm = helmBinaries().find((h) => h.major === 4)!;
  const run = runCli(["check", "--helm", helm.path, "examples/webapp", "-o", "sarif"]);
  assert.equal(run.status, 1, run.stderr);
  const log = JSON.parse(run.stdout);
  const uris = new Set(log.runs[0].results.map((r: Json) => r.locations[0].physicalLocation.artifactLocation.uri));
  assert.ok(uris.size > 0);
  for (const uri of uris) assert.match(String(uri), /^examples\/webapp\/templates\/[\w-]+\.yaml$/);
  const file = path.join(root, "sarif-webapp.sarif");
  writeFileSync(file, run.stdout);
  assert.deepEqual(validateSarif([file]).filter((i) => i.level === "error"), []);
});
