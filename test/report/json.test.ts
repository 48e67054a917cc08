/**
 * `-o json` is a contract: a `version`, and a JSON Schema shipped in the package that the
 * output of real runs (check and upgrade, charts and manifests, errors, suppressed
 * findings, a runbook) validates against.
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { helmBinaries } from "../helpers/helm.ts";
import { PROJECT_ROOT } from "../helpers/cli.ts";
import { validate } from "../helpers/json-schema.ts";
import { checkRules, ruleExample, runCliIn } from "./helpers.ts";

const packageJson = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { exports: Record<string, string>; files: string[] };
const schemaFile = path.join(PROJECT_ROOT, packageJson.exports["./output-schema.json"]!);
const schema = JSON.parse(readFileSync(schemaFile, "utf8")) as Record<string, unknown>;
const dir = mkdtempSync(path.join(tmpdir(), "chartguard-json-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const [helm] = helmBinaries();

function jsonOf(args: readonly string[]): Record<string, unknown> {
  const run = runCliIn(dir, [...args, "-o", "json", "--no-config", "--helm", helm!.path, "--fail-on", "none"]);
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

test("json: the schema is in the package (files and exports) and the README names it", () => {
  assert.ok(packageJson.files.includes(packageJson.exports["./output-schema.json"]!.replace(/^\.\//, "")));
  assert.match(readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8"), /chartguard\/output-schema\.json/);
});

test("json: check of a chart, with errors, notes and suppressed findings, validates", () => {
  cpSync(path.join(PROJECT_ROOT, "examples/webapp"), path.join(dir, "webapp"), { recursive: true });
  const output = jsonOf(["check", "--show-suppressed", "--skip-missing-deps", "webapp"]);
  assert.equal(output.version, 1);
  assert.ok((output.summary as { error: number }).error > 0);
  assert.deepEqual(validate(schema, output), []);
});

test("json: check of manifests (with an invalid label) and upgrade with a runbook validate", () => {
  writeFileSync(path.join(dir, "bad.yaml"), checkRules().map((r) => ruleExample(r.id).bad).join("---\n"));
  const check = jsonOf(["check", "bad.yaml"]);
  assert.ok((check.findings as unknown[]).length > 5);
  assert.deepEqual(validate(schema, check), []);

  writeFileSync(path.join(dir, "from.yaml"), [ruleExample("immutable-field").upgradeFrom, ruleExample("object-replaced").upgradeFrom].join("---\n"));
  writeFileSync(path.join(dir, "to.yaml"), [ruleExample("immutable-field").bad, ruleExample("object-replaced").bad].join("---\n"));
  const upgrade = jsonOf(["upgrade", "--from", "from.yaml", "--to", "to.yaml"]);
  const steps = (upgrade.plan as { steps: { stage: string; command: string }[] }).steps;
  assert.deepEqual(steps.filter((s) => s.stage === "upgrade").length, 1);
  assert.deepEqual(validate(schema, upgrade), []);
});

test("json: an upgrade between two renders of a chart validates, its locations are paths", () => {
  const output = jsonOf(["upgrade", "--from", "webapp", "--to", "webapp", "--to-set", "web.labels.team=payments"]);
  const finding = (output.findings as { rule: string; location: { file: string; template?: string } }[]).find((f) => f.rule === "immutable-field");
  assert.ok(finding);
  assert.deepEqual([finding.location.file, finding.location.template], ["webapp", "webapp/templates/deployment.yaml"]);
  assert.deepEqual(validate(schema, output), []);
});

test("json: the validator refuses what the schema does not allow", () => {
  const output = jsonOf(["check", "bad.yaml"]);
  const findings = output.findings as { location: Record<string, unknown>; severity: string }[];
  delete findings[0]!.location.file;
  findings[1]!.severity = "fatal";
  assert.deepEqual(validate(schema, { ...output, version: 2, extra: true }), [
    "$.version: must be 1",
    "$.findings[0].location: missing file",
    "$.findings[1].severity: must be one of error, warning, info",
    "$: unexpected extra",
  ]);
});
