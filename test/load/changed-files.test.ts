/** `check --changed-files`: which charts and manifests a set of changed files stands for. */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { CONFIG_FILE_NAMES } from "../../src/config/config.ts";
import { inputsForChangedFiles } from "../../src/load/changed-files.ts";
import { chartguard } from "../integrations/run.ts";

const tmp = mkdtempSync(path.join(tmpdir(), "chartguard-changed-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function tree(root: string, files: readonly string[]): string {
  for (const file of files) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), file.endsWith("Chart.yaml") ? "apiVersion: v2\nname: x\nversion: 1.0.0\n" : "");
  }
  return root;
}

const repo = tree(path.join(tmp, "repo"), [
  "charts/web/Chart.yaml",
  "charts/web/templates/deployment.yaml",
  "charts/web/templates/_helpers.tpl",
  "charts/web/files/app.conf",
  "charts/web/charts/sub/Chart.yaml",
  "charts/web/charts/sub/templates/cm.yaml",
  "charts/web/charts/cache-1.0.0.tgz",
  "charts/api/Chart.yaml",
  "charts/api/values-prod.yaml",
  "deploy/app.yaml",
  "deploy/notes.txt",
  "README.md",
  ".chartguard.yaml",
  "team/.chartguard.yml",
]);

function inputsIn(cwd: string, files: string[]): string[] {
  const before = process.cwd();
  process.chdir(cwd);
  try {
    return inputsForChangedFiles(files, { configFileNames: CONFIG_FILE_NAMES });
  } finally {
    process.chdir(before);
  }
}

test("a chart's files stand for the chart; a subchart's (and a vendored archive) for its parent; each chart once", () => {
  assert.deepEqual(
    inputsIn(repo, ["charts/web/templates/deployment.yaml", "charts/web/templates/_helpers.tpl", "charts/web/files/app.conf", "charts/web/charts/sub/templates/cm.yaml", "charts/web/charts/cache-1.0.0.tgz", "charts/api/values-prod.yaml"]),
    ["charts/web", "charts/api"],
  );
});

test("outside every chart: manifests themselves, a config file its folder, directories as given, the rest left out", () => {
  assert.deepEqual(inputsIn(repo, ["deploy/app.yaml", "deploy/notes.txt", "README.md", "deploy/deleted.yaml"]), ["deploy/app.yaml"]);
  assert.deepEqual(inputsIn(repo, [".chartguard.yaml", "team/.chartguard.yml"]), [".", "team"]);
  assert.deepEqual(inputsIn(repo, ["charts/api", "charts/api/Chart.yaml"]), ["charts/api"]);
  assert.deepEqual(inputsIn(path.join(repo, "charts"), ["web/templates/deployment.yaml", "../deploy/app.yaml"]), ["web", "../deploy/app.yaml"]);
});

test("a chart at the repository's root holds its templates and its subcharts' files", () => {
  const root = tree(path.join(tmp, "root-chart"), ["Chart.yaml", "templates/a.yaml", "charts/sub/Chart.yaml", "charts/sub/templates/b.yaml", "values.yaml"]);
  assert.deepEqual(inputsIn(root, ["templates/a.yaml", "charts/sub/templates/b.yaml", "values.yaml"]), ["."]);
  // Absolute paths too, and nothing above the chart counts.
  assert.deepEqual(inputsIn(tmp, [path.join(root, "charts", "sub", "templates", "b.yaml")]), [root]);
});

test("check --changed-files with nothing to check says so and exits 0", () => {
  const result = chartguard(["check", "--changed-files", "README.md", "deploy/notes.txt"], { cwd: repo });
  assert.deepEqual([result.status, result.stdout, result.stderr], [0, "", "chartguard: none of the 2 changed files is in a chart or a manifest; nothing to check\n"]);
});
