/**
 * `upgrade` tells what it introduces or changes from what the release already has, and
 * by default fails only on the former (`--fail-on-existing`: on everything). One chart,
 * rendered by Helm 3 and Helm 4, upgraded with values for one side only: its Service
 * also sends traffic to a plain Job's pods (a selector-overlap error) unless the Job's
 * labels say otherwise.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runCli } from "../helpers/cli.ts";
import { helmBinaries } from "../helpers/helm.ts";
import { HINT } from "../../src/report/text.ts";

const CHART = "test/fixtures/charts/upgrade-baseline";

interface JsonFinding {
  rule: string;
  severity: string;
  object: { kind: string; name: string };
  path: string;
  location: { file: string; rendered?: true; line: number };
  baselineState?: string;
}

const brief = (f: JsonFinding) => `${f.baselineState ?? "-"} ${f.rule} ${f.severity} ${f.object.kind}/${f.object.name} ${f.path} ${f.location.file}${f.location.rendered ? " (rendered)" : ""}:${f.location.line}`;

/** The overlap, as the Service and the Deployment of this chart report it. */
const overlap = (state: string) => [
  `${state} selector-overlap error Service/web spec.selector ${CHART} (rendered):8`,
  `${state} selector-overlap info Deployment/web spec.selector ${CHART} (rendered):20`,
];

for (const helm of helmBinaries()) {
  const upgrade = (...args: string[]) => runCli(["upgrade", "--no-config", "--helm", helm.path, "--from", CHART, "--to", CHART, ...args]);

  describe(`upgrade: introduced vs already present (helm ${helm.major})`, () => {
    test("a problem both versions have, unchanged, does not fail the upgrade; --fail-on-existing counts it", () => {
      const scale = ["--to-set", "replicas=3"];
      const json = upgrade(...scale, "-o", "json");
      assert.equal(json.status, 0, json.stderr);
      const report = JSON.parse(json.stdout) as { findings: JsonFinding[]; absent: JsonFinding[] };
      assert.deepEqual(report.findings.map(brief), overlap("unchanged"));
      assert.deepEqual(report.absent, []);
      assert.equal(upgrade(...scale, "--fail-on", "warning").status, 0, "not even at --fail-on warning");
      assert.equal(upgrade(...scale, "--fail-on-existing").status, 1);
      assert.equal(upgrade(...scale, "--fail-on-existing", "--fail-on", "none").status, 0);

      const text = upgrade(...scale);
      assert.match(text.stdout, /Will fail or break \(1\):\n {2}- Service default\/web spec\.selector: selector-overlap \(already present before this upgrade\)\n/);
      assert.match(text.stdout, /\nIntroduced or changed by this upgrade \(0\):\n {2}nothing\n\nAlready present before this upgrade \(2\):\n\n/);
      assert.ok(text.stdout.endsWith(`\n0 introduced or changed by this upgrade, 2 already present, 0 no longer found.\n${HINT}\n`), text.stdout);

      const markdown = upgrade(...scale, "-o", "markdown").stdout;
      assert.match(markdown, /\n0 introduced or changed by this upgrade, 2 already present, 0 no longer found\.\n\n#### Already present before this upgrade \(2\)\n\n\| Severity \|/);
      assert.doesNotMatch(markdown, /#### Introduced or changed by this upgrade/);
      assert.match(markdown, /- Service default\/web: `selector-overlap` at `spec\.selector` \(already present before this upgrade\)/);

      const sarif = JSON.parse(upgrade(...scale, "-o", "sarif").stdout);
      assert.deepEqual(
        sarif.runs[0].results.map((r: { ruleId: string; baselineState: string; level: string }) => [r.ruleId, r.level, r.baselineState]),
        [["selector-overlap", "error", "unchanged"], ["selector-overlap", "note", "unchanged"]],
      );
    });

    test("a problem the upgrade fixes is absent (in the release as it is); the change that fixes it is new", () => {
      const fix = ["--to-set", "check.podLabels.app=web-check"];
      const json = upgrade(...fix, "-o", "json");
      // Relabelling a plain Job's pods is refused by the API server: a new error, so exit 1.
      assert.equal(json.status, 1, json.stderr);
      const report = JSON.parse(json.stdout) as { findings: JsonFinding[]; absent: JsonFinding[] };
      assert.deepEqual(report.findings.map(brief), [`new immutable-field error Job/web-check spec.template.metadata.labels.app ${CHART} (rendered):41`]);
      assert.deepEqual(report.absent.map(brief), overlap("-"));

      const text = upgrade(...fix).stdout;
      assert.match(text, /\nNo longer found after this upgrade \(2\):\n {2}test\/fixtures\/charts\/upgrade-baseline\/templates\/all\.yaml:24 {2}error {2}selector-overlap {2}Service\/web {2}\S.*\n {2}test\/fixtures\/charts\/upgrade-baseline\/templates\/all\.yaml:7 {2}info {2}selector-overlap {2}Deployment\/web {2}\S.*\n\n/);

      const sarif = JSON.parse(upgrade(...fix, "-o", "sarif").stdout);
      assert.deepEqual(
        sarif.runs[0].results.map((r: { ruleId: string; baselineState: string; level: string; kind?: string }) => [r.ruleId, r.level, r.kind ?? "-", r.baselineState]),
        [
          ["immutable-field", "error", "-", "new"],
          ["selector-overlap", "none", "pass", "absent"],
          ["selector-overlap", "none", "pass", "absent"],
        ],
      );
      assert.match(sarif.runs[0].results[1].message.text, /^No longer found after this upgrade: the release as it is has this problem, the upgraded one does not\./);

      const markdown = upgrade(...fix, "-o", "markdown").stdout;
      assert.match(markdown, /<details><summary>No longer found after this upgrade \(2\)<\/summary>\n\n- 🔴 `selector-overlap` Service default\/web `spec\.selector` at /);
    });

    test("a problem only the upgraded release has is new and fails the upgrade", () => {
      const run = upgrade("--from-set", "check.enabled=false", "-o", "json");
      assert.equal(run.status, 1, run.stderr);
      assert.deepEqual((JSON.parse(run.stdout) as { findings: JsonFinding[] }).findings.map(brief), overlap("new"));
    });
  });
}

test("--help explains --fail-on-existing", () => {
  const help = runCli(["upgrade", "--help"]).stdout.replace(/\s+/g, " ");
  assert.match(help, /--fail-on-existing let --fail-on count every finding of the --to side, also those already present unchanged on the --from side/);
});
