import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { summarize, type Finding } from "../../src/analyze/finding.ts";
import { repoFiles } from "../../src/report/common.ts";
import { escapeData, escapeProperty, formatGithub, workflowCommand } from "../../src/report/github.ts";
import { chartResult, checkExamplesResult, ruleExample, runCliIn, suppressedResult, tempRepo } from "./helpers.ts";

/** What the Actions runner does with a command line: split properties, decode the escapes. */
function parseCommand(line: string): { command: string; properties: Record<string, string>; message: string } {
  const match = /^::(\w+)(?: ([^:]*))?::(.*)$/.exec(line);
  assert.ok(match, `not a workflow command: ${line}`);
  const unescapeData = (s: string) => s.replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%25/g, "%");
  const unescapeProperty = (s: string) => unescapeData(s.replace(/%3A/g, ":").replace(/%2C/g, ","));
  const properties: Record<string, string> = {};
  for (const part of (match[2] ?? "").split(",").filter(Boolean)) {
    const eq = part.indexOf("=");
    properties[part.slice(0, eq)] = unescapeProperty(part.slice(eq + 1));
  }
  return { command: match[1]!, properties, message: unescapeData(match[3]!) };
}

test("github: messages escape %, CR and LF; properties also : and ,", () => {
  assert.equal(escapeData("100% done\r\nnext"), "100%25 done%0D%0Anext");
  assert.equal(escapeData("a:b,c"), "a:b,c");
  assert.equal(escapeProperty("volatile-selector: Deployment a,b 100%\n"), "volatile-selector%3A Deployment a%2Cb 100%25%0A");
  // Order matters: an existing "%0A" in the text must survive as text.
  assert.equal(escapeData("literal %0A"), "literal %250A");
  const line = workflowCommand("error", { file: "a,b:c.yaml", line: 3, title: "t: x, y", col: undefined }, "m1\nm2 %");
  assert.equal(line, "::error file=a%2Cb%3Ac.yaml,line=3,title=t%3A x%2C y::m1%0Am2 %25");
  assert.deepEqual(parseCommand(line), { command: "error", properties: { file: "a,b:c.yaml", line: "3", title: "t: x, y" }, message: "m1\nm2 %" });
});

test("github: one annotation per finding, on the real file and line, then a summary line", () => {
  const root = tempRepo();
  const result = checkExamplesResult(root);
  const output = formatGithub(result, { files: repoFiles(root, root) });
  const lines = output.trimEnd().split("\n");
  assert.equal(lines.length, result.findings.length + 1);
  lines.slice(0, -1).forEach((line, i) => {
    const finding = result.findings[i]!;
    const { command, properties, message } = parseCommand(line);
    assert.equal(command, { error: "error", warning: "warning", info: "notice" }[finding.severity]);
    assert.equal(properties.file, path.relative(root, finding.location.file));
    assert.equal(properties.line, String(finding.location.line));
    assert.equal(properties.title, `${finding.rule}: ${finding.object.kind} default/${finding.object.name}`);
    assert.ok(message.startsWith(finding.message));
    assert.ok(message.includes(`Fix: ${finding.remedy.text}`));
  });
  const { error, warning, info } = summarize(result.findings);
  assert.match(lines.at(-1)!, new RegExp(`^chartguard: ${error} errors?, ${warning} warnings?, ${info} info\\.$`));
});

test("github: suppressed findings get no annotation, only their count in the summary line", () => {
  const root = tempRepo();
  writeFileSync(path.join(root, "web.yaml"), "kind: x\n");
  const result = suppressedResult();
  const expected = [
    "::warning file=web.yaml,line=15,title=volatile-pod-labels%3A Deployment default/web::volatile-pod-labels on web%0AField: spec.template.metadata.labels.helm.sh/chart%0AFix: fix volatile-pod-labels",
    "chartguard: 0 errors, 1 warning, 0 info, 4 suppressed.",
    "",
  ].join("\n");
  assert.equal(formatGithub(result, { files: repoFiles(root, root) }), expected);
  assert.equal(formatGithub({ ...result, findings: [] }, { files: repoFiles(root, root) }), "chartguard: no label or selector problems found, 4 suppressed.\n");
});

test("github: a finding without a real file is annotated without file=; a template without a line gets file only", () => {
  const root = tempRepo();
  mkdirSync(path.join(root, "chart/templates"), { recursive: true });
  writeFileSync(path.join(root, "chart/templates/d.yaml"), "x: 1\n");
  const [finding] = checkExamplesResult().findings as [Finding];
  const at = (location: Finding["location"]) => ({ ...finding, severity: "info" as const, location });
  const output = formatGithub(
    {
      findings: [at({ file: "<stdin>", line: 4 }), at({ file: "chart", rendered: true, line: 9, template: "chart/templates/d.yaml" })],
      notes: [{ file: "chart", message: "rendered without the missing dependencies redis" }],
    },
    { files: repoFiles(root, root) },
  );
  const [note, stdin, template] = output.split("\n").map((l) => (l.startsWith("::") ? parseCommand(l) : undefined));
  assert.deepEqual(note!.properties, { title: "chartguard note" });
  assert.equal(note!.command, "notice");
  assert.equal(stdin!.command, "notice");
  assert.deepEqual(Object.keys(stdin!.properties), ["title"]);
  assert.deepEqual(template!.properties.file, "chart/templates/d.yaml");
  assert.equal(template!.properties.line, undefined);
  assert.match(template!.message, /Seen at: chart\/templates\/d\.yaml \(rendered line 9\)/);
});

test("github: the CLI prints annotations and appends the markdown report to GITHUB_STEP_SUMMARY", () => {
  const dir = tempRepo();
  const example = ruleExample("immutable-field");
  writeFileSync(path.join(dir, "from.yaml"), example.upgradeFrom!);
  writeFileSync(path.join(dir, "to.yaml"), example.bad);
  const summary = path.join(dir, "summary.md");
  writeFileSync(summary, "earlier step\n");
  const run = runCliIn(dir, ["upgrade", "--from", "from.yaml", "--to", "to.yaml", "-o", "github"], { GITHUB_STEP_SUMMARY: summary });
  assert.equal(run.status, 1, run.stderr);
  const error = run.stdout.split("\n").find((l) => l.startsWith("::error "));
  assert.ok(error, run.stdout);
  assert.equal(parseCommand(error).properties.file, "to.yaml");
  for (const line of run.stdout.trimEnd().split("\n")) assert.ok(line.startsWith("::") || line.startsWith("chartguard: "), line);
  const written = readFileSync(summary, "utf8");
  assert.ok(written.startsWith("earlier step\n<!-- chartguard -->\n## ❌ chartguard upgrade"), written.slice(0, 200));
  assert.match(written, /### Upgrade plan/);

  // Without GITHUB_STEP_SUMMARY nothing else is written.
  const plain = runCliIn(dir, ["check", "to.yaml", "-o", "github"]);
  assert.equal(plain.status, 0, plain.stderr);
  assert.equal(plain.stdout, "chartguard: no label or selector problems found.\n");
});

test("github: an annotation says the finding's message, then its full explanation, then the field and the fix", () => {
  const finding = chartResult().findings.find((f) => f.rule === "volatile-selector")!;
  const [line] = formatGithub({ findings: [finding], notes: [] }, { files: repoFiles(tempRepo()) }).split("\n");
  assert.equal(
    parseCommand(line!).message,
    [
      "selector carries helm.sh/chart: the next chart version is refused",
      'spec.selector is immutable: helm upgrade fails with "field is immutable"',
      "once the chart version changes.",
      "Field: spec.selector.matchLabels",
      "Seen at: charts/web/templates/deployment.yaml (rendered line 30)",
      "Fix: Select on app.kubernetes.io/name and app.kubernetes.io/instance only.",
      "Run first:",
      "  kubectl delete deployment web -n default --cascade=orphan",
      "  helm upgrade web charts/web -n default",
    ].join("\n"),
  );
});
