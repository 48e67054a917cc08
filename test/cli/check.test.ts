import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "../helpers/cli.ts";

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

test("the text report groups by file and says how to fix", () => {
  const file = tempFile("bad.yaml", mismatched);
  const run = runCli(["check", file]);
  assert.equal(run.status, 1);
  assert.match(run.stdout, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
  assert.match(run.stdout, /^ {3}6 {2}error {3}selector-mismatch {2}Deployment default\/web spec\.template\.metadata\.labels$/m);
  assert.match(run.stdout, /fix: /);
  assert.match(run.stdout, /1 error, 0 warnings, 0 info/);
  assert.doesNotMatch(run.stdout, /\u001b\[/, "no colour when not a terminal");
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
