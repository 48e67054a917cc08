/**
 * Several charts in one `check` run: each chart is its own release, analysed alone;
 * `--same-namespace` puts them together; a chart that cannot be rendered is reported in
 * one line and makes the run incomplete (exit 2) without hiding what the others found.
 * The real CLI, under Helm 3 and Helm 4.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { runCli } from "../helpers/cli.ts";
import { helmBinaries } from "../helpers/helm.ts";

const RELEASES = "test/fixtures/charts/releases";
const frontend = join(RELEASES, "frontend");
const storefront = join(RELEASES, "storefront");
const blog = join(RELEASES, "blog");
const broken = "test/fixtures/charts/broken-exec";
const brokenLine =
  /^chartguard: test\/fixtures\/charts\/broken-exec\/templates\/_helpers\.tpl:3: .*nil pointer evaluating interface \{\}\.level$/m;

interface JsonFinding {
  rule: string;
  severity: string;
  object: { kind: string; namespace: string; name: string };
  path: string;
  related: { kind: string; name: string }[];
  location: { file: string; line: number; template?: string; templateLine?: number };
}

/** rule, severity, Kind/name, path, related Kind/names, template:line — what a finding is about. */
const brief = (f: JsonFinding) =>
  [f.rule, f.severity, `${f.object.kind}/${f.object.name}`, f.path, f.related.map((r) => `${r.kind}/${r.name}`).join(","), `${f.location.template}:${f.location.templateLine}`].join(" ");

for (const helm of helmBinaries()) {
  const cli = (...args: string[]) => runCli(["check", "--no-config", "--helm", helm.path, ...args]);

  describe(`several charts in one check run (helm ${helm.major})`, () => {
    test("each chart is its own release: unrelated charts do not overlap, and a chart's own dangling selector stays reported", () => {
      // The directory holds the three charts; probes on, as users run it.
      const run = cli("-o", "json", RELEASES);
      assert.equal(run.status, 0, run.stderr);
      const report = JSON.parse(run.stdout) as { findings: JsonFinding[]; summary: Record<string, number>; notes: unknown[] };
      assert.deepEqual(report.findings.map(brief), [
        `dangling-selector warning Service/blog spec.selector  ${blog}/templates/service.yaml:6`,
      ]);
      assert.deepEqual(report.summary, { error: 0, warning: 1, info: 0, suppressed: 0 });
      assert.deepEqual(report.notes, []);
      assert.equal("failed" in report, false, "a complete run has no failed list");
    });

    test("--same-namespace checks the charts together: their selectors meet each other's pods", () => {
      const run = cli("-o", "json", "--no-probe", "--same-namespace", frontend, storefront, blog);
      assert.equal(run.status, 0, run.stderr);
      const report = JSON.parse(run.stdout) as { findings: JsonFinding[] };
      assert.deepEqual(report.findings.map(brief), [
        `selector-overlap warning Service/blog spec.selector Deployment/frontend,Deployment/storefront ${blog}/templates/service.yaml:6`,
        `selector-overlap warning Service/frontend spec.selector Deployment/storefront ${frontend}/templates/app.yaml:24`,
        `selector-overlap warning Deployment/frontend spec.selector Deployment/storefront ${frontend}/templates/app.yaml:7`,
        `selector-overlap warning Service/storefront spec.selector Deployment/frontend ${storefront}/templates/app.yaml:24`,
        `selector-overlap warning Deployment/storefront spec.selector Deployment/frontend ${storefront}/templates/app.yaml:7`,
      ]);
      // Without the option, the same two charts are clean.
      const apart = cli("-o", "json", "--no-probe", frontend, storefront);
      assert.equal(apart.status, 0, apart.stderr);
      assert.deepEqual(JSON.parse(apart.stdout).findings, []);
    });

    test("a chart that fails to render: the others are reported, one line names it, exit 2, and every format says the report is incomplete", () => {
      const inputs = ["--no-probe", frontend, broken, blog];
      const json = cli("-o", "json", ...inputs);
      assert.equal(json.status, 2, json.stderr);
      assert.match(json.stderr, brokenLine);
      assert.equal(json.stderr.split("\n").length, 2, `exactly one line on stderr: ${json.stderr}`);
      const report = JSON.parse(json.stdout) as { findings: JsonFinding[]; failed: { input: string; file: string; line: number; message: string }[] };
      assert.deepEqual(report.findings.map(brief), [`dangling-selector warning Service/blog spec.selector  ${blog}/templates/service.yaml:6`]);
      assert.equal(report.failed.length, 1);
      const [failure] = report.failed;
      assert.deepEqual({ ...failure, message: undefined }, { input: broken, file: `${broken}/templates/_helpers.tpl`, line: 3, message: undefined });
      assert.match(failure!.message, /nil pointer evaluating interface \{\}\.level$/);

      const text = cli(...inputs);
      assert.equal(text.status, 2);
      assert.match(text.stdout, /^Not checked \(1\), could not be rendered:\n {2}test\/fixtures\/charts\/broken-exec\/templates\/_helpers\.tpl:3: /);
      assert.match(text.stdout, /dangling-selector {2}Service\/blog {2}\S/);
      assert.match(text.stdout, /^0 errors, 1 warning, 0 info \(incomplete: 1 chart could not be rendered and was not checked\)\.$/m);

      const sarif = cli("-o", "sarif", ...inputs);
      assert.equal(sarif.status, 2);
      const run = JSON.parse(sarif.stdout).runs[0];
      assert.deepEqual(run.results.map((r: { ruleId: string }) => r.ruleId), ["dangling-selector"]);
      assert.equal(run.invocations[0].executionSuccessful, false);
      const [notification] = run.invocations[0].toolExecutionNotifications;
      assert.equal(notification.level, "error");
      assert.match(notification.message.text, /^Not checked: test\/fixtures\/charts\/broken-exec\/templates\/_helpers\.tpl:3: /);
      assert.deepEqual(notification.locations[0].physicalLocation, { artifactLocation: { uri: `${broken}/templates/_helpers.tpl` }, region: { startLine: 3 } });

      const markdown = cli("-o", "markdown", ...inputs);
      assert.equal(markdown.status, 2);
      assert.match(markdown.stdout, /^## ❌ chartguard check: 0 errors, 1 warning, 0 info \(incomplete: 1 chart could not be rendered and was not checked\)$/m);
      assert.match(markdown.stdout, /^\*\*Not checked\*\* \(could not be rendered\):\n\n- test\/fixtures\/charts\/broken-exec\/templates\/\\_helpers\.tpl:3: /m);

      const github = cli("-o", "github", ...inputs);
      assert.equal(github.status, 2);
      assert.match(github.stdout, /^::error file=test\/fixtures\/charts\/broken-exec\/templates\/_helpers\.tpl,line=3,title=chartguard%3A chart not checked::/m);
      assert.match(github.stdout, /^chartguard: 0 errors, 1 warning, 0 info \(incomplete: 1 chart could not be rendered and was not checked\)\.$/m);

      const junit = cli("-o", "junit", ...inputs);
      assert.equal(junit.status, 2);
      assert.match(junit.stdout, /<testsuites name="chartguard" tests="\d+" failures="0" errors="1" time="0">/, "the warning is below --fail-on error: a passing case");
      assert.match(junit.stdout, /<testsuite name="render" tests="1" failures="0" errors="1" skipped="0" time="0">\n {4}<testcase classname="chartguard\.render" name="test\/fixtures\/charts\/broken-exec" time="0">\n {6}<error message="[^"]*nil pointer evaluating[^"]*" type="not-checked">Not checked: test\/fixtures\/charts\/broken-exec\/templates\/_helpers\.tpl:3: /);

      // --fail-on none does not make an incomplete run pass.
      assert.equal(cli("-o", "json", "--fail-on", "none", ...inputs).status, 2);
    });

    test("when every chart fails there is nothing to report: one line per chart on stderr, nothing on stdout, exit 2", () => {
      const run = cli("--no-probe", broken, "test/fixtures/charts/broken-parse");
      assert.equal(run.status, 2);
      assert.equal(run.stdout, "");
      const lines = run.stderr.trimEnd().split("\n");
      assert.equal(lines.length, 2, run.stderr);
      assert.match(lines[0]!, brokenLine);
      assert.match(lines[1]!, /^chartguard: test\/fixtures\/charts\/broken-parse\/templates\/service\.yaml:7: parse error at \(broken-parse\/templates\/service\.yaml:7\): unexpected "\}" in operand$/);
    });
  });
}

test("--help explains --same-namespace", () => {
  const help = runCli(["check", "--help"]).stdout.replace(/\s+/g, " ");
  assert.match(help, /--same-namespace the charts \(and manifests\) are installed side by side in one namespace: check their objects together/);
});
