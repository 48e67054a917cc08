/** The config file and suppressions through the CLI and the library, as a user meets them. */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { ruleById } from "../../src/analyze/rules/index.ts";
import { check } from "../../src/check.ts";
import { parseConfig } from "../../src/config/config.ts";
import { DEFAULT_WIDTH, firstSentence, HINT } from "../../src/report/text.ts";
import { labelled, wrap } from "../../src/report/wrap.ts";
import { helmBinaries } from "../helpers/helm.ts";
import { chartguard } from "../integrations/run.ts";
import { validateSarif } from "../report/helpers.ts";

const tmp = mkdtempSync(path.join(tmpdir(), "chartguard-config-cli-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
      # chartguard-ignore: volatile-selector -- fixed in 2.0
      helm.sh/chart: web-1.2.3
  template:
    metadata:
      labels:
        app: web
        helm.sh/chart: web-1.2.3
`;

function project(name: string, config: string | undefined): { root: string; sub: string } {
  const root = path.join(tmp, name);
  const sub = path.join(root, "deploy", "prod");
  mkdirSync(sub, { recursive: true });
  writeFileSync(path.join(sub, "web.yaml"), MANIFEST);
  if (config !== undefined) writeFileSync(path.join(root, ".chartguard.yaml"), config);
  return { root, sub };
}

test("the config above the working directory applies; suppressed findings are counted, and listed with --show-suppressed", () => {
  const { sub } = project("found", "rules:\n  volatile-pod-labels: {severity: error}\n");
  const plain = chartguard(["check", "-o", "json", "web.yaml"], { cwd: sub });
  assert.equal(plain.status, 1, plain.stderr);
  const report = JSON.parse(plain.stdout);
  assert.deepEqual(report.findings.map((f: { rule: string; severity: string }) => [f.rule, f.severity]), [["volatile-pod-labels", "error"]]);
  assert.deepEqual(report.summary, { error: 1, warning: 0, info: 0, suppressed: 1 });
  assert.equal(report.suppressed, undefined);

  const shown = JSON.parse(chartguard(["check", "-o", "json", "--show-suppressed", "web.yaml"], { cwd: sub }).stdout);
  assert.deepEqual(shown.suppressed.map((f: { rule: string; suppression: unknown }) => [f.rule, f.suppression]), [
    ["volatile-selector", { by: "comment", reason: "fixed in 2.0", file: "web.yaml", line: 9 }],
  ]);
});

test("every output format counts the suppressed findings, and lists them with --show-suppressed", () => {
  const { sub } = project("formats", undefined);
  writeFileSync(path.join(sub, "web.yaml"), `${MANIFEST}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n`);
  const report = (format: string, ...flags: string[]) => {
    const run = chartguard(["check", "-o", format, ...flags, "web.yaml"], { cwd: sub, env: { GITHUB_STEP_SUMMARY: "" } });
    assert.equal(run.status, 0, run.stderr);
    return run.stdout;
  };
  const selector = "spec.selector.matchLabels";

  const { why, fix } = ruleById("volatile-pod-labels")!.meta;
  const [head, ...rest] = wrap(`volatile-pod-labels: ${firstSentence(why)}`, DEFAULT_WIDTH, "  ");
  const closing = `${[head!.slice(2), ...rest, ...labelled("  fix: ", firstSentence(fix), DEFAULT_WIDTH)].join("\n")}\n\n0 errors, 1 warning, 0 info, 1 suppressed\n${HINT}\n`;
  const text = report("text", "--show-suppressed");
  const suppressedMessage = JSON.parse(report("json", "--show-suppressed")).suppressed[0].message;
  assert.equal(
    text.slice(text.indexOf("Suppressed (")),
    `Suppressed (1):\n  web.yaml:10  error  volatile-selector  Deployment/web  ${suppressedMessage}\n      suppressed by a chartguard-ignore comment (web.yaml:9): fixed in 2.0\n\n${closing}`,
  );
  const counted = report("text");
  assert.equal(counted.slice(counted.indexOf("volatile-pod-labels: ")), closing);

  const markdown = report("markdown", "--show-suppressed");
  assert.ok(markdown.startsWith("<!-- chartguard -->\n## ⚠️ chartguard check: 0 errors, 1 warning, 0 info, 1 suppressed\n"), markdown);
  assert.ok(
    markdown.endsWith(
      `<details><summary>Suppressed (1)</summary>\n\n- \`volatile-selector\` Deployment default/web \`${selector}\` at \`web.yaml:10\`: suppressed by a chartguard-ignore comment (web.yaml:9): fixed in 2.0\n\n</details>\n`,
    ),
    markdown,
  );

  const junit = report("junit", "--show-suppressed");
  const suite = junit.slice(junit.indexOf('  <testsuite name="volatile-selector"'), junit.indexOf('  <testsuite name="volatile-pod-labels"'));
  assert.match(suite, /^ {2}<testsuite name="volatile-selector" tests="2" failures="0" errors="0" skipped="1" time="0">\n/);
  assert.match(suite, /\n {4}<testcase classname="chartguard.volatile-selector" name="Deployment default\/web" time="0">\n {6}<skipped message="suppressed by a chartguard-ignore comment \(web.yaml:9\): fixed in 2.0">error: volatile-selector /);
  assert.match(suite, /\n {4}<testcase classname="chartguard.volatile-selector" name="ConfigMap default\/settings" time="0"\/>\n {2}<\/testsuite>\n$/);

  const sarif = report("sarif", "--show-suppressed");
  const results = JSON.parse(sarif).runs[0].results;
  assert.deepEqual(results.map((r: { ruleId: string; suppressions?: unknown }) => [r.ruleId, r.suppressions]), [
    ["volatile-pod-labels", undefined],
    ["volatile-selector", [{ kind: "inSource", status: "accepted", justification: "fixed in 2.0" }]],
  ]);
  const sarifFile = path.join(sub, "suppressed.sarif");
  writeFileSync(sarifFile, sarif);
  assert.deepEqual(validateSarif([sarifFile]).filter((issue) => issue.level === "error"), []);
  assert.deepEqual(JSON.parse(report("sarif")).runs[0].results.map((r: { ruleId: string }) => r.ruleId), ["volatile-pod-labels"]);

  // GitHub: an annotation for the finding only; the count in the summary line and in the job summary.
  const summary = path.join(sub, "summary.md");
  const github = chartguard(["check", "-o", "github", "--show-suppressed", "web.yaml"], { cwd: sub, env: { GITHUB_STEP_SUMMARY: summary } });
  assert.equal(github.status, 0, github.stderr);
  const lines = github.stdout.trimEnd().split("\n");
  assert.equal(lines.length, 2, github.stdout);
  assert.ok(lines[0]!.startsWith("::warning file=web.yaml,line=15,title=volatile-pod-labels%3A Deployment default/web::"), lines[0]);
  assert.equal(lines[1], "chartguard: 0 errors, 1 warning, 0 info, 1 suppressed.");
  assert.match(readFileSync(summary, "utf8"), /^<!-- chartguard -->\n## ⚠️ chartguard check: 0 errors, 1 warning, 0 info, 1 suppressed\n/);
});

test("-o junit has no suite for a rule the config turns off", () => {
  const { sub } = project("junit-off", "rules:\n  volatile-pod-labels: {enabled: false}\n");
  const run = chartguard(["check", "-o", "junit", "web.yaml"], { cwd: sub });
  assert.equal(run.status, 0, run.stderr);
  const suites = [...run.stdout.matchAll(/<testsuite name="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(suites.includes("volatile-selector"), suites.join(","));
  assert.ok(!suites.includes("volatile-pod-labels"), suites.join(","));
});

test("a config mistake exits 2 with one line naming the file, line and key", () => {
  const { root, sub } = project("broken", "rules:\n  volatile-pod-labels:\n    enabeld: false\n");
  const result = chartguard(["check", "web.yaml"], { cwd: sub });
  assert.equal(result.status, 2);
  assert.equal(
    result.stderr,
    `chartguard: ${path.join(root, ".chartguard.yaml")}:3: unknown key "enabeld" in rules["volatile-pod-labels"] (did you mean "enabled"?); known keys: enabled, severity\n`,
  );
  // --no-config ignores it; --config names another file.
  assert.equal(chartguard(["check", "--no-config", "--fail-on", "none", "web.yaml"], { cwd: sub }).status, 0);
  writeFileSync(path.join(root, "ci.yaml"), "rules:\n  volatile-pod-labels: {enabled: false}\n");
  const named = chartguard(["check", "-o", "json", "--config", "../../ci.yaml", "web.yaml"], { cwd: sub });
  assert.equal(named.status, 0, named.stderr);
  assert.deepEqual(JSON.parse(named.stdout).summary, { error: 0, warning: 0, info: 0, suppressed: 1 });
  const missing = chartguard(["check", "--config", "nope.yaml", "web.yaml"], { cwd: sub });
  assert.equal(missing.status, 2);
  assert.equal(missing.stderr, "chartguard: nope.yaml: config file not found\n");
});

test("upgrade takes --config and --show-suppressed too", () => {
  const { root } = project("upgrade", "rules:\n  volatile-selector: {enabled: false}\n");
  const target = path.join(root, "deploy", "prod", "web.yaml");
  const result = chartguard(["upgrade", "-o", "json", "--from", target, "--to", target, "--show-suppressed"], { cwd: root });
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  assert.equal(report.summary.suppressed, 0, "the comment's rule is off: dropped, not suppressed");
  assert.deepEqual(report.suppressed, []);
  assert.ok(report.impact);
});

/** A chart whose Deployment is named after the release and whose pod labels come from values. */
function chart(dir: string): string {
  mkdirSync(path.join(dir, "templates"), { recursive: true });
  writeFileSync(path.join(dir, "Chart.yaml"), "apiVersion: v2\nname: web\nversion: 1.0.0\n");
  writeFileSync(path.join(dir, "values.yaml"), "team: a\npodTeam: b\n");
  writeFileSync(path.join(dir, "values-prod.yaml"), "podTeam: a\n");
  writeFileSync(
    path.join(dir, "templates", "deployment.yaml"),
    [
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata:",
      "  name: {{ .Release.Name }}",
      "spec:",
      "  selector:",
      "    matchLabels: {team: {{ .Values.team }}}",
      "  template:",
      "    metadata:",
      "      labels: {team: {{ .Values.podTeam }}}",
      "",
    ].join("\n"),
  );
  return dir;
}

for (const helm of helmBinaries()) {
  test(`charts entries supply values files and the release name (helm ${helm.major})`, async () => {
    const root = path.join(tmp, `charts-${helm.major}`);
    const chartDir = chart(path.join(root, "charts", "web"));
    const bare = await check({ inputs: [chartDir], helm: helm.path });
    assert.deepEqual(bare.findings.map((f) => [f.rule, f.object.name]), [["selector-mismatch", "web"]]);

    const config = parseConfig("charts:\n  charts/web:\n    valuesFiles: [charts/web/values-prod.yaml]\n    release: shop-web\n", path.join(root, ".chartguard.yaml"));
    const configured = await check({ inputs: [chartDir], helm: helm.path, config });
    assert.deepEqual(configured.findings, []);
    // -f comes after the config's values files, so it wins; --release wins over the config.
    writeFileSync(path.join(root, "mine.yaml"), "podTeam: c\n");
    const overridden = await check({ inputs: [chartDir], helm: helm.path, config, valuesFiles: [path.join(root, "mine.yaml")], release: "mine" });
    assert.deepEqual(overridden.findings.map((f) => [f.rule, f.object.name]), [["selector-mismatch", "mine"]]);
  });
}

test("an ignore comment in a chart template suppresses the finding in the rendered chart", async () => {
  const helm = helmBinaries().at(-1)!;
  const dir = path.join(tmp, "commented", "web");
  mkdirSync(path.join(dir, "templates"), { recursive: true });
  writeFileSync(path.join(dir, "Chart.yaml"), "apiVersion: v2\nname: web\nversion: 1.0.0\n");
  writeFileSync(
    path.join(dir, "templates", "deployment.yaml"),
    [
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata:",
      "  name: {{ .Release.Name }}",
      "spec:",
      "  selector:",
      "    matchLabels: {app: web}",
      "  template:",
      "    metadata:",
      "      labels:",
      "        app: web",
      "        # chartguard-ignore: volatile-pod-labels -- restarts on upgrade are wanted",
      "        helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}",
      "",
    ].join("\n"),
  );
  const result = await check({ inputs: [dir], helm: helm.path, showSuppressed: true });
  assert.deepEqual(result.findings, []);
  assert.deepEqual(result.summary, { error: 0, warning: 0, info: 0, suppressed: 1 });
  const [suppressed] = result.suppressed ?? [];
  assert.equal(suppressed?.rule, "volatile-pod-labels");
  assert.equal(suppressed?.suppression.by, "comment");
  assert.equal(suppressed?.suppression.reason, "restarts on upgrade are wanted");
});
