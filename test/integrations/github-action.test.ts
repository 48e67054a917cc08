/**
 * The GitHub Action: action.yml's structure, and its shell step (scripts/github-action.sh)
 * run for real against a temporary git repository with a base branch and a change, the
 * way the action runs it on a pull request (minus the upload and the comment, which need
 * GitHub).
 */
import assert from "node:assert/strict";
import { accessSync, chmodSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { parse } from "yaml";
import { helmBinaries } from "../helpers/helm.ts";
import { chartguard, GIT_ENV, PROJECT_ROOT, run, writeChartguardWrapper } from "./run.ts";

type Step = { name?: string; id?: string; uses?: string; run?: string; if?: string; shell?: string; with?: Record<string, string>; env?: Record<string, string> };
interface Action {
  name: string;
  description: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: Step[] };
}

const ACTION_TEXT = readFileSync(path.join(PROJECT_ROOT, "action.yml"), "utf8");
const action = parse(ACTION_TEXT) as Action;
const SCRIPT = path.join(PROJECT_ROOT, "scripts", "github-action.sh");

test("action.yml: a composite action whose references all resolve", () => {
  assert.equal(action.name, "chartguard");
  assert.ok(action.description.length > 20);
  assert.equal(action.runs.using, "composite");
  for (const [name, input] of Object.entries(action.inputs)) assert.ok(input.description, `input ${name} has a description`);

  const usedInputs = new Set([...ACTION_TEXT.matchAll(/inputs\.([a-z-]+)/g)].map((m) => m[1]!));
  assert.deepEqual([...usedInputs].filter((name) => !(name in action.inputs)), [], "every inputs.X is declared");

  const steps = action.runs.steps;
  for (const step of steps) {
    if (step.uses) assert.match(step.uses, /^[\w.-]+\/[\w./-]+@v\d+$/, `${step.uses} is pinned to a major version`);
    if (step.run) assert.ok(step.shell, `step ${step.name} says its shell (required in composite actions)`);
  }
  const uses = steps.flatMap((s) => (s.uses ? [s.uses.split("@")[0]] : []));
  assert.deepEqual(uses, ["actions/setup-node", "github/codeql-action/upload-sarif", "actions/github-script"]);

  const runStep = steps.find((s) => s.id === "run")!;
  assert.match(runStep.run!, /\$GITHUB_ACTION_PATH\/scripts\/github-action\.sh/);
  accessSync(SCRIPT, constants.X_OK);
  const script = readFileSync(SCRIPT, "utf8");
  for (const name of Object.keys(runStep.env!)) assert.ok(script.includes(name), `the script reads ${name}`);

  // Every steps.run.outputs.X the action reads, the script writes.
  const read = new Set([...ACTION_TEXT.matchAll(/steps\.run\.outputs\.([a-z-]+)/g)].map((m) => m[1]!));
  for (const name of read) assert.match(script, new RegExp(`(multiline_)?output ${name} `), `the script writes ${name}`);
  for (const [name, output] of Object.entries(action.outputs)) assert.equal(output.value, `\${{ steps.run.outputs.${name} }}`);

  // The later steps run even when chartguard found something, and the last one fails the job.
  for (const step of steps.slice(2)) assert.match(step.if ?? "", /^always\(\) && /, `${step.name} runs always()`);
  assert.match(steps.at(-1)!.run!, /exit 1/);
  assert.match(steps.find((s) => s.uses?.startsWith("actions/github-script"))!.with!.script!, /<!-- chartguard-plan -->/);
});

// ---------------------------------------------------------------------------
// The shell step against a real repository

const tmp = mkdtempSync(path.join(tmpdir(), "chartguard-action-"));
after(() => rmSync(tmp, { recursive: true, force: true }));
const wrapper = writeChartguardWrapper(path.join(tmp, "chartguard"));

function git(repo: string, ...args: string[]): string {
  const result = run("git", args, { cwd: repo, env: GIT_ENV });
  assert.equal(result.status, 0, `git ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

function write(repo: string, file: string, text: string): void {
  mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
  writeFileSync(path.join(repo, file), text);
}

function deployment(selector: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  selector:
    matchLabels: ${selector}
  template:
    metadata:
      labels: ${selector}
    spec:
      containers: [{name: app, image: nginx}]
`;
}

/** main: charts/web and charts/api. feature: web's selector gains a label (refused), its subchart changes, charts/new appears. */
let cachedRepo: string | undefined;
function repository(): string {
  if (cachedRepo !== undefined) return cachedRepo;
  const repo = (cachedRepo = path.join(tmp, "repo"));
  mkdirSync(repo);
  git(repo, "init", "-q", "-b", "main");
  write(repo, "README.md", "charts\n");
  write(repo, "charts/web/Chart.yaml", "apiVersion: v2\nname: web\nversion: 1.0.0\n");
  write(repo, "charts/web/templates/deployment.yaml", deployment("{app: web}"));
  write(repo, "charts/web/charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 1.0.0\n");
  write(repo, "charts/web/charts/sub/templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: sub}\ndata: {a: '1'}\n");
  write(repo, "charts/api/Chart.yaml", "apiVersion: v2\nname: api\nversion: 1.0.0\n");
  write(repo, "charts/api/templates/deployment.yaml", deployment("{app: api}"));
  git(repo, "add", "-A");
  git(repo, "commit", "-q", "-m", "base");
  git(repo, "checkout", "-q", "-b", "feature");
  write(repo, "charts/web/templates/deployment.yaml", deployment("{app: web, tier: front}"));
  write(repo, "charts/web/charts/sub/templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: sub}\ndata: {a: '2'}\n");
  write(repo, "charts/new/Chart.yaml", "apiVersion: v2\nname: new\nversion: 0.1.0\n");
  write(repo, "charts/new/templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: new}\n");
  write(repo, "README.md", "charts, changed\n");
  git(repo, "add", "-A");
  git(repo, "commit", "-q", "-m", "change");
  return repo;
}

/** Every multi-line output delimiter the script used, over all runs. */
const delimiters: string[] = [];
const VERSION = (JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string }).version;

interface ActionRun {
  status: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

function runAction(repo: string, env: Record<string, string>): ActionRun {
  const runnerTemp = mkdtempSync(path.join(tmp, "runner-"));
  const outputFile = path.join(runnerTemp, "output");
  const summaryFile = path.join(runnerTemp, "summary");
  writeFileSync(outputFile, "");
  const result = run("bash", [SCRIPT], {
    cwd: repo,
    env: {
      ...GIT_ENV,
      RUNNER_TEMP: runnerTemp,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      // What GitHub sets for a composite action's step on a pull request.
      GITHUB_ACTIONS: "true",
      GITHUB_EVENT_NAME: "pull_request",
      GITHUB_BASE_REF: "main",
      GITHUB_WORKSPACE: repo,
      GITHUB_ACTION_PATH: PROJECT_ROOT,
      CHARTGUARD: wrapper,
      HELM_BIN: helmBinaries().at(-1)!.path,
      INPUT_CHARTS: "",
      INPUT_BASE_REF: "",
      INPUT_VALUES: "",
      INPUT_ARGS: "",
      INPUT_CHECK_ARGS: "",
      INPUT_UPGRADE_ARGS: "",
      INPUT_FAIL_ON: "error",
      ...env,
    },
  });
  return { ...result, outputs: parseOutputs(readFileSync(outputFile, "utf8")), summary: existsSync(summaryFile) ? readFileSync(summaryFile, "utf8") : "" };
}

/** $GITHUB_OUTPUT's format: `name=value` lines and `name<<DELIM ... DELIM` blocks (as the runner reads it). */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  delimiters.push(...[...text.matchAll(/^[\w-]+<<(\S+)$/gm)].map((m) => m[1]!));
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const block = /^([\w-]+)<<(\S+)$/.exec(line);
    if (block) {
      const end = lines.indexOf(block[2]!, i + 1);
      outputs[block[1]!] = lines.slice(i + 1, end).join("\n");
      i = end;
    } else if (line.includes("=")) {
      outputs[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
    }
  }
  return outputs;
}

test("upgrade --from git:main --to a chart in a subdirectory (what the action runs per chart)", () => {
  const dir = repository();
  const result = chartguard(["upgrade", "--from", "git:main", "--to", "charts/web", "-o", "json"], { cwd: dir, env: { HELM_BIN: helmBinaries().at(-1)!.path } });
  assert.equal(result.status, 1, result.stderr);
  const refused = JSON.parse(result.stdout).findings.filter((f: { severity: string }) => f.severity === "error");
  assert.deepEqual(refused.map((f: { rule: string; path: string }) => [f.rule, f.path]), [["immutable-field", "spec.selector"]]);
  // And from inside the chart's parent folder.
  const inside = chartguard(["upgrade", "--from", "git:main", "--to", "web", "-o", "json"], { cwd: path.join(dir, "charts"), env: { HELM_BIN: helmBinaries().at(-1)!.path } });
  assert.equal(inside.status, 1, inside.stderr);
});

test("the action's script on a pull request, running the action's own bundle: changed charts checked, upgrade against the base, SARIF and plan written", () => {
  const dir = repository();
  const pr = runAction(dir, { INPUT_BASE_REF: "main", CHARTGUARD: "" });
  assert.match(pr.stdout, new RegExp(`^chartguard ${VERSION}$`, "m"), "the bundle answered --version");
  assert.equal(pr.status, 0, `${pr.stdout}\n${pr.stderr}`);
  // Subchart files count for their parent; README.md belongs to no chart; charts/api did not change.
  assert.equal(pr.outputs.charts, "charts/new\ncharts/web");
  assert.equal(pr.outputs["exit-code"], "1", "web's selector change is refused by the API server");

  const sarif = JSON.parse(readFileSync(pr.outputs["sarif-file"]!, "utf8"));
  assert.equal(sarif.version, "2.1.0");
  assert.equal(sarif.runs[0].tool.driver.name, "chartguard");

  const plan = readFileSync(pr.outputs["plan-file"]!, "utf8");
  assert.ok(plan.startsWith("<!-- chartguard-plan -->\n## chartguard: upgrade plan\n"), plan);
  assert.match(plan, /### `charts\/new`\n\nNew chart \(not at the base\): nothing to upgrade from\./);
  assert.match(plan, /### `charts\/web`\n/);
  assert.match(plan, /immutable-field|spec\.selector/);
  assert.equal(pr.summary, plan, "the plan is also the job summary");

  // Named charts, nothing refused.
  const api = runAction(dir, { INPUT_BASE_REF: "main", INPUT_CHARTS: "charts/api" });
  assert.equal(api.outputs.charts, "charts/api");
  assert.equal(api.outputs["exit-code"], "0", api.stdout);
});

test("the action's script without a base or charts checks nothing and succeeds", () => {
  const empty = path.join(tmp, "empty");
  mkdirSync(empty);
  git(empty, "init", "-q", "-b", "main");
  const result = runAction(empty, {});
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.outputs["exit-code"], "0");
  assert.equal(result.outputs.charts, "");
  assert.match(result.stdout, /::warning::chartguard: no base to compare with/);

  const unknownBase = runAction(empty, { INPUT_BASE_REF: "does-not-exist" });
  assert.equal(unknownBase.status, 0);
  assert.match(unknownBase.stdout, /::warning::chartguard: base does-not-exist is not in the clone/);
});

// ---------------------------------------------------------------------------
// Failing closed, separate arguments, hostile names

/** A chartguard that answers --version, then does what `body` says for check/upgrade. */
function fakeChartguard(name: string, body: string): string {
  const file = path.join(tmp, name);
  writeFileSync(file, `#!/bin/sh\nif [ "$1" = --version ]; then echo 9.9.9; exit 0; fi\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

test("the action's script fails closed: chartguard missing, killed, or exiting 1 without a report", () => {
  const dir = repository();
  const cases = [
    { name: "missing", chartguard: path.join(tmp, "no-such-dir", "chartguard"), code: "127", reason: /`\S+no-such-dir\/chartguard --version` exited with 127 \(.*No such file or directory/ },
    { name: "killed", chartguard: fakeChartguard("segfaults", "kill -SEGV $$"), code: "139", reason: /chartguard check exited with 139 \(killed by signal 11\)/ },
    { name: "odd code", chartguard: fakeChartguard("exits-3", "exit 3"), code: "3", reason: /chartguard check exited with 3 \(not an answer chartguard gives\)/ },
    { name: "no report", chartguard: fakeChartguard("exits-1", "exit 1"), code: "1", reason: /chartguard check exited with 1 but wrote no report/ },
  ];
  for (const { name, chartguard: command, code, reason } of cases) {
    const result = runAction(dir, { INPUT_BASE_REF: "main", CHARTGUARD: command });
    assert.equal(result.status, 1, `${name}: the step fails\n${result.stdout}${result.stderr}`);
    assert.equal(result.outputs["exit-code"], code, name);
    assert.match(result.stdout, new RegExp(`^::error::chartguard: ${reason.source}`, "m"), `${name}: the reason is in the log\n${result.stdout}`);
    assert.match(result.summary, /^## chartguard failed\n/m, `${name}: the job summary says so`);
    assert.match(result.summary, new RegExp(`^- ${reason.source}`, "m"), `${name}: with the reason`);
  }
});

test("check-args reach check only: --no-probe leaves upgrade running; args reach both (so --no-probe there fails upgrade, visibly)", () => {
  const dir = repository();
  const checkOnly = runAction(dir, { INPUT_BASE_REF: "main", INPUT_CHECK_ARGS: "--no-probe" });
  assert.equal(checkOnly.status, 0, checkOnly.stdout + checkOnly.stderr);
  assert.equal(checkOnly.outputs["exit-code"], "1");
  const plan = readFileSync(checkOnly.outputs["plan-file"]!, "utf8");
  assert.match(plan, /immutable-field/);
  assert.doesNotMatch(plan, /could not compare/);

  const both = runAction(dir, { INPUT_BASE_REF: "main", INPUT_ARGS: "--no-probe" });
  assert.equal(both.outputs["exit-code"], "2");
  assert.match(readFileSync(both.outputs["plan-file"]!, "utf8"), /### `charts\/web`\n\nchartguard could not compare this chart \(exit code 2\)/);
  assert.match(both.stdout + both.stderr, /unknown option '--no-probe'/);
});

test("hostile directory names: a chart named like an option, like the old delimiter, with backticks, and a path with a line break", () => {
  const repo = path.join(tmp, "hostile");
  mkdirSync(repo);
  git(repo, "init", "-q", "-b", "main");
  write(repo, "charts/web/Chart.yaml", "apiVersion: v2\nname: web\nversion: 1.0.0\n");
  write(repo, "charts/web/templates/deployment.yaml", deployment("{app: web}"));
  git(repo, "add", "-A");
  git(repo, "commit", "-q", "-m", "base");
  git(repo, "checkout", "-q", "-b", "feature");
  for (const name of ["-web", "CHARTGUARD_EOF", "a`b", "x\nexit-code=0"]) {
    write(repo, `${name}/Chart.yaml`, "apiVersion: v2\nname: hostile\nversion: 1.0.0\n");
    // Its selector does not match its pods: a finding in SARIF shows that the chart was checked.
    write(repo, `${name}/templates/deployment.yaml`, deployment("{app: hostile}").replace("labels: {app: hostile}", "labels: {app: other}"));
  }
  write(repo, "charts/web/templates/deployment.yaml", deployment("{app: web, tier: front}"));
  git(repo, "add", "-A");
  git(repo, "commit", "-q", "-m", "change");

  const result = runAction(repo, { INPUT_BASE_REF: "main" });
  assert.equal(result.status, 0, result.stdout + result.stderr);
  // The option-like chart is checked, the old delimiter ends nothing, the line break is refused.
  assert.equal(result.outputs.charts, "-web\nCHARTGUARD_EOF\na`b\ncharts/web");
  assert.equal(result.outputs["exit-code"], "1", "charts/web's refused selector change, after the hostile names, still counts");
  assert.match(result.stdout, /^::warning::chartguard: skipped a path with a line break in its name: \$'x\\nexit-code=0\/Chart\.yaml'$/m);
  const sarif = JSON.parse(readFileSync(result.outputs["sarif-file"]!, "utf8"));
  const checked = new Set(sarif.runs[0].results.map((r: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) => r.locations[0]!.physicalLocation.artifactLocation.uri.split("/")[0]));
  for (const chart of ["-web", "CHARTGUARD_EOF"]) assert.ok(checked.has(chart), `${chart} was checked as a chart (SARIF files: ${[...checked].join(", ")})`);
  const plan = readFileSync(result.outputs["plan-file"]!, "utf8");
  assert.match(plan, /^### `-web`\n\nNew chart/m);
  assert.match(plan, /^### ``a`b``\n\nNew chart/m, "a backtick cannot end the code span early");
  assert.match(plan, /^### `charts\/web`\n[\s\S]*immutable-field/m);
});

test("the multi-line output delimiter is random: different on every run, never the fixed CHARTGUARD_EOF", () => {
  assert.ok(delimiters.length >= 4, `runs so far used ${delimiters.length} delimiters`);
  for (const delimiter of delimiters) assert.match(delimiter, /^CHARTGUARD_[0-9a-f]{32}$/);
  const runs = new Set(delimiters);
  assert.ok(runs.size >= 4, "each run draws a new one");
});
