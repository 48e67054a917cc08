import assert from "node:assert/strict";
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { InputError } from "../../src/errors.ts";
import { writeOutputFile } from "../../src/report/write.ts";
import { runCliIn, tempRepo } from "./helpers.ts";

test("write: creates the file, replaces an existing one, and leaves no temporary file behind", () => {
  const dir = tempRepo();
  const file = path.join(dir, "report.sarif");
  writeOutputFile(file, "first\n");
  assert.equal(readFileSync(file, "utf8"), "first\n");
  writeOutputFile(file, "second\n");
  assert.equal(readFileSync(file, "utf8"), "second\n");
  assert.deepEqual(readdirSync(dir).sort(), [".git", "report.sarif"]);
});

test("write: a missing folder, a folder as the target, or a file as the folder is an InputError naming the path", () => {
  const dir = tempRepo();
  const missing = path.join(dir, "no", "such", "report.xml");
  assert.throws(() => writeOutputFile(missing, "x"), (error: unknown) => {
    assert.ok(error instanceof InputError);
    assert.equal(error.file, missing);
    assert.match(error.oneLine, /report\.xml: cannot write the report: the folder .*no\/such does not exist/);
    return true;
  });
  mkdirSync(path.join(dir, "out"));
  assert.throws(() => writeOutputFile(path.join(dir, "out"), "x"), /this is a folder/);
  writeFileSync(path.join(dir, "plain"), "");
  assert.throws(() => writeOutputFile(path.join(dir, "plain", "r.xml"), "x"), /is not a folder/);
  assert.deepEqual(readdirSync(path.join(dir, "out")), []);
});

test("write: an unwritable folder fails cleanly, keeping the old report and no partial file", { skip: process.getuid?.() === 0 ? "root can write anywhere" : false }, () => {
  const dir = tempRepo();
  const file = path.join(dir, "r.txt");
  writeFileSync(file, "old\n");
  chmodSync(dir, 0o555);
  try {
    assert.throws(() => writeOutputFile(file, "new\n"), /permission denied/);
    assert.equal(readFileSync(file, "utf8"), "old\n");
  } finally {
    chmodSync(dir, 0o755);
  }
});

test("write: the CLI reports a missing output folder with exit 2 and writes nothing", () => {
  const dir = tempRepo();
  writeFileSync(path.join(dir, "m.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n");
  for (const format of ["text", "json", "sarif", "junit", "github", "markdown"]) {
    const run = runCliIn(dir, ["check", "m.yaml", "-o", format, "--output-file", "reports/out.txt"]);
    assert.equal(run.status, 2, `${format}: ${run.stderr}`);
    assert.equal(run.stdout, "");
    assert.equal(run.stderr, "chartguard: reports/out.txt: cannot write the report: the folder reports does not exist\n");
  }
  assert.deepEqual(readdirSync(dir).sort(), [".git", "m.yaml"]);
  const ok = runCliIn(dir, ["check", "m.yaml", "-o", "markdown", "--output-file", "out.md"]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(readFileSync(path.join(dir, "out.md"), "utf8"), /no label or selector problems found/);
});
