import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { helmBinaries } from "../helpers/helm.ts";
import { PROJECT_ROOT, runCli } from "../helpers/cli.ts";

const BASIC = join(PROJECT_ROOT, "test", "fixtures", "charts", "basic");

/** A helm that logs each command line (one per line) and runs the real one; a script, so its version is never remembered. */
function loggingHelm(): { helm: string; calls: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), "chartguard-early-"));
  const log = join(dir, "log");
  const helm = join(dir, "helm");
  writeFileSync(helm, `#!/bin/sh\necho "$*" >> '${log}'\nexec '${helmBinaries()[0]!.path}' "$@"\n`);
  chmodSync(helm, 0o755);
  return { helm, calls: () => readFileSync(log, "utf8").trim().split("\n") };
}

const objectNames = (stdout: string) => (JSON.parse(stdout) as { findings: { object: { name: string } }[] }).findings.map((f) => f.object.name);

test("check of one chart renders it once: the render started while chartguard loads is the one used", () => {
  const { helm, calls } = loggingHelm();
  const run = runCli(["check", BASIC, "--no-probe", "--no-config", "--helm", helm, "-o", "json", "--fail-on", "none"]);
  assert.equal(run.status, 0, run.stderr);
  const templates = calls().filter((call) => call.startsWith("template "));
  assert.equal(templates.length, 1, calls().join("\n"));
  assert.match(templates[0]!, / -- basic \S*basic$/);
  assert.deepEqual(calls().filter((call) => !call.startsWith("template ")), ["version --short"]);
});

test("a render the configuration changes is rendered again, and the report is of the configured one", () => {
  const chart = join(mkdtempSync(join(tmpdir(), "chartguard-early-chart-")), "basic");
  cpSync(BASIC, chart, { recursive: true });
  writeFileSync(join(chart, "extra.yaml"), "podLabels:\n  helm.sh/chart: basic-0.1.0\n");
  writeFileSync(join(chart, ".chartguard.yaml"), 'charts:\n  ".":\n    release: configured\n    valuesFiles: [extra.yaml]\n');
  const { helm, calls } = loggingHelm();
  const run = runCli(["check", chart, "--no-probe", "--config", join(chart, ".chartguard.yaml"), "--helm", helm, "-o", "json", "--fail-on", "none"]);
  assert.equal(run.status, 0, run.stderr);
  const templates = calls().filter((call) => call.startsWith("template "));
  assert.equal(templates.length, 2, calls().join("\n"));
  assert.match(templates[0]!, / -- basic \S*basic$/, "the early render knows no configuration");
  assert.match(templates[1]!, /--values=\S*extra\.yaml -- configured \S*basic$/);
  assert.ok(objectNames(run.stdout).length > 0 && objectNames(run.stdout).every((name) => name.startsWith("configured-")), run.stdout);
});

test("a Chart.yaml that is a FIFO is not read to guess the render (the read would never end): the run goes on as without it", () => {
  const dir = join(mkdtempSync(join(tmpdir(), "chartguard-early-fifo-")), "chart");
  mkdirSync(dir);
  execFileSync("mkfifo", [join(dir, "Chart.yaml")]);
  const run = runCli(["check", dir, "--no-config", "--helm", helmBinaries()[0]!.path]);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout + run.stderr, /no charts \(Chart\.yaml, \.tgz\) or manifest files .* found/);
});

test("a Chart.yaml whose name is not on a plain `name:` line (flow style): the run still renders the chart once and reports it", () => {
  const chart = join(mkdtempSync(join(tmpdir(), "chartguard-early-flow-")), "basic");
  cpSync(BASIC, chart, { recursive: true });
  writeFileSync(join(chart, "Chart.yaml"), "{apiVersion: v2, name: basic, version: 0.1.0}\n");
  const { helm, calls } = loggingHelm();
  const run = runCli(["check", chart, "--no-probe", "--no-config", "--helm", helm, "-o", "json", "--fail-on", "none"]);
  assert.equal(run.status, 0, run.stderr);
  const templates = calls().filter((call) => call.startsWith("template "));
  assert.equal(templates.length, 1, calls().join("\n"));
  assert.match(templates[0]!, / -- basic \S*basic$/);
  assert.ok(objectNames(run.stdout).length > 0, run.stdout);
});
