import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { spawn } from "node:child_process";
import { ruleById } from "../../src/analyze/rules/index.ts";
import { HINT, HINT_VERBOSE } from "../../src/report/text.ts";
import { CLI_MAIN, PROJECT_ROOT, runCli } from "../helpers/cli.ts";

const mismatched = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template: {metadata: {labels: {app: other}}}
`;

function tempFile(name: string, content: string | Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), "chartguard-cli-"));
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

test("check -o json prints the documented shape and exits 1 on an error", () => {
  const file = tempFile("bad.yaml", mismatched);
  const run = runCli(["check", "-o", "json", file]);
  assert.equal(run.status, 1, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.deepEqual(Object.keys(report), ["version", "findings", "summary", "notes"]);
  assert.deepEqual(report.summary, { error: 1, warning: 0, info: 0, suppressed: 0 });
  const [finding] = report.findings;
  assert.deepEqual(Object.keys(finding), ["rule", "severity", "messageId", "data", "message", "detail", "object", "path", "location", "related", "evidence", "remedy"]);
  assert.deepEqual([finding.messageId, finding.data.unmatched], ["templateMismatch", "app=web"]);
  assert.deepEqual(finding.object, { apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "web" });
  assert.deepEqual(finding.location, { file, line: 6 });
});

test("check reads stdin with -, applies -n, and --fail-on none exits 0", () => {
  const run = runCli(["check", "-o", "json", "-n", "shop", "--fail-on", "none", "-"], { input: mismatched });
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.equal(report.findings[0].object.namespace, "shop");
  assert.equal(report.findings[0].location.file, "<stdin>");
});

test("the text report: one short line per finding under its file, the rule's why and fix once, the counts, a hint; --verbose adds the details", () => {
  const file = tempFile("bad.yaml", mismatched);
  const run = runCli(["check", file]);
  assert.equal(run.status, 1);
  const lines = run.stdout.split("\n");
  assert.equal(lines[0], file);
  assert.match(lines[1]!, /^ {2}6 {2}error {2}selector-mismatch {2}Deployment\/web {2}\S/);
  const { why, fix } = ruleById("selector-mismatch")!.meta;
  assert.equal(lines[2], "");
  assert.ok(lines[3]!.startsWith(`selector-mismatch: ${why.split(" ").slice(0, 3).join(" ")} `), run.stdout);
  assert.ok(lines.some((l) => l.startsWith(`  fix: ${fix.split(" ").slice(0, 3).join(" ")} `)), run.stdout);
  assert.deepEqual(lines.slice(-3), ["1 error, 0 warnings, 0 info", HINT, ""]);
  assert.ok(lines.every((line) => line.length <= 100 || line === lines[1]), "explanations wrapped at 100 columns when not a terminal");
  assert.doesNotMatch(run.stdout, /\u001b\[/, "no colour when not a terminal");

  const verbose = runCli(["check", "--verbose", file]).stdout.split("\n");
  assert.equal(verbose[1], lines[1]);
  assert.equal(verbose[2], "      field spec.template.metadata.labels");
  assert.equal(verbose.at(-2), HINT_VERBOSE);
  assert.deepEqual(runCli(["check", "-v", file]).stdout.split("\n"), verbose);
});

test("the text report is coloured with FORCE_COLOR, never with NO_COLOR or --no-color", () => {
  const file = tempFile("bad.yaml", mismatched);
  assert.match(runCli(["check", file], { env: { NO_COLOR: "", FORCE_COLOR: "1" } }).stdout, /\u001b\[31merror\u001b\[39m/);
  assert.doesNotMatch(runCli(["check", file], { env: { NO_COLOR: "1", FORCE_COLOR: "1" } }).stdout, /\u001b\[/);
  assert.doesNotMatch(runCli(["check", "--no-color", file], { env: { NO_COLOR: "", FORCE_COLOR: "1" } }).stdout, /\u001b\[/);
});

test("a reader that stops early (| head) ends the run quietly: no stack trace", async () => {
  // Enough findings to fill the pipe, so that writing goes on after the reader is gone.
  const many = Array.from({ length: 400 }, (_, i) => mismatched.replace("name: web", `name: web-${i}`)).join("---\n");
  const file = tempFile("many.yaml", many);
  const child = spawn(process.execPath, ["--import", "tsx", CLI_MAIN, "check", "--verbose", file], { cwd: PROJECT_ROOT, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  child.stdout.once("data", () => child.stdout.destroy());
  const status = await new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  assert.equal(stderr, "");
  assert.ok(status === 0 || status === 1, `exit ${status}`);
});

test("a clean input exits 0", () => {
  const file = tempFile("ok.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
  const run = runCli(["check", file]);
  assert.equal(run.status, 0);
  assert.match(run.stdout, /No label or selector problems found/);
});

test("bad input and bad usage: one line on stderr, exit 2, no stack trace", () => {
  const cases: [string[], RegExp][] = [
    [["check", "/nonexistent/x.yaml"], /^chartguard: \/nonexistent\/x\.yaml: cannot read: no such file or directory\n$/],
    [["check", tempFile("syntax.yaml", "a: [1, 2\n")], /^chartguard: .*syntax\.yaml:\d+:\d+: YAML syntax error: /],
    [["check", tempFile("bin.yaml", Buffer.from([0x61, 0x00, 0x62]))], /binary file/],
    [["check", tempFile("latin1.yaml", Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x0a]))], /not UTF-8/],
    [["check", "--bogus", "x.yaml"], /^chartguard: unknown option '--bogus'; see chartguard --help\n$/],
    [["check", "-o", "xml", "x.yaml"], /^chartguard: option '-o, --output <format>' argument 'xml' is invalid/],
    [["check", "-n", "Bad_NS", "x.yaml"], /must be a valid namespace name/],
    [["check"], /missing required argument 'paths'/],
    [["upgrade", "--from", "-", "--to", "-"], /cannot both read stdin/],
  ];
  for (const [args, expected] of cases) {
    const run = runCli(args);
    assert.equal(run.status, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr, expected, args.join(" "));
    assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
    assert.equal(run.stdout, "", "nothing on stdout when the run fails");
  }
});

test("a directory with nothing to check says so in a note (and exits 0): the path may be wrong", () => {
  const dir = mkdtempSync(join(tmpdir(), "chartguard-cli-"));
  writeFileSync(join(dir, "README.md"), "# not a manifest\n");
  const run = runCli(["check", "-o", "json", "--no-config", dir]);
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout).notes, [
    { file: dir, message: "no charts (Chart.yaml, .tgz) or manifest files (.yaml, .yml, .json) found (after .gitignore): nothing was checked" },
  ]);
  writeFileSync(join(dir, "web.yaml"), mismatched);
  const excluded = runCli(["check", "-o", "json", "--no-config", "--exclude", "web.yaml", "--shard", "1/2", dir]);
  assert.equal(excluded.status, 0, excluded.stderr);
  assert.deepEqual(JSON.parse(excluded.stdout).notes.map((n: { message: string }) => n.message), [
    "no charts (Chart.yaml, .tgz) or manifest files (.yaml, .yml, .json) found (after --exclude, .gitignore, --shard 1/2): nothing was checked",
  ]);
});
