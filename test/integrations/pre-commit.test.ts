/**
 * .pre-commit-hooks.yaml: well-formed hook definitions, a `files` pattern that selects
 * chart files, and the entry run as pre-commit runs it (from the repository root, with
 * the hook's args and no file names) on a clean and on a broken chart.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { parse } from "yaml";
import { helmBinaries } from "../helpers/helm.ts";
import { PROJECT_ROOT, run, writeChartguardWrapper } from "./run.ts";

interface Hook {
  id: string;
  name: string;
  entry: string;
  language: string;
  description?: string;
  files?: string;
  args?: string[];
  pass_filenames?: boolean;
  require_serial?: boolean;
}

const hooks = parse(readFileSync(path.join(PROJECT_ROOT, ".pre-commit-hooks.yaml"), "utf8")) as Hook[];
const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { bin: Record<string, string> };
const KNOWN_KEYS = new Set([
  "id", "name", "entry", "language", "files", "exclude", "types", "types_or", "exclude_types", "always_run", "fail_fast",
  "verbose", "pass_filenames", "require_serial", "description", "language_version", "minimum_pre_commit_version", "args", "stages",
  "additional_dependencies",
]);

test(".pre-commit-hooks.yaml: hooks pre-commit accepts, running the package's bin", () => {
  assert.deepEqual(hooks.map((h) => [h.id, h.language]), [["chartguard", "node"], ["chartguard-system", "system"]]);
  for (const hook of hooks) {
    for (const key of Object.keys(hook)) assert.ok(KNOWN_KEYS.has(key), `${hook.id}: ${key} is a pre-commit hook key`);
    assert.ok(hook.name && hook.description, `${hook.id} is named and described`);
    const [bin, command] = hook.entry.split(/\s+/);
    assert.ok(bin! in pkg.bin, `${hook.id}: ${bin} is a bin of the package`);
    assert.equal(command, "check");
    assert.equal(hook.pass_filenames, false, "chart templates are not manifests: whole charts are checked");
  }
});

test("the files pattern selects chart files and leaves the rest alone", () => {
  for (const hook of hooks) {
    // pre-commit uses Python's re.search; this pattern is in the common subset.
    const files = new RegExp(hook.files!);
    for (const file of ["charts/web/Chart.yaml", "Chart.lock", "charts/web/values.yaml", "charts/web/values-prod.yml", "charts/web/templates/deployment.yaml", "charts/web/templates/_helpers.tpl", "charts/web/charts/sub-1.0.0.tgz", ".chartguard.yaml"]) {
      assert.ok(files.test(file), `${hook.id} runs for ${file}`);
    }
    for (const file of ["README.md", "src/index.ts", ".github/workflows/ci.yaml", "docs/templates.md"]) {
      assert.ok(!files.test(file), `${hook.id} does not run for ${file}`);
    }
  }
});

const tmp = mkdtempSync(path.join(tmpdir(), "chartguard-pre-commit-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function chart(repo: string, podLabels: string): void {
  mkdirSync(path.join(repo, "charts", "web", "templates"), { recursive: true });
  writeFileSync(path.join(repo, "charts", "web", "Chart.yaml"), "apiVersion: v2\nname: web\nversion: 1.0.0\n");
  writeFileSync(
    path.join(repo, "charts", "web", "templates", "deployment.yaml"),
    `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: ${podLabels}}\n    spec: {containers: [{name: a, image: nginx}]}\n`,
  );
}

test("the hook's entry, run as pre-commit runs it, passes a clean chart and fails a broken one", () => {
  const bin = path.join(tmp, "bin");
  mkdirSync(bin);
  writeChartguardWrapper(path.join(bin, "chartguard"));
  const repo = path.join(tmp, "repo");
  mkdirSync(repo);
  const env = { PATH: `${bin}${path.delimiter}${process.env.PATH}`, HELM_BIN: helmBinaries().at(-1)!.path };
  for (const hook of hooks) {
    const [command, ...entryArgs] = hook.entry.split(/\s+/);
    const argv = [...entryArgs, ...(hook.args ?? [])];
    chart(repo, "{app: web}");
    const clean = run(command!, argv, { cwd: repo, env });
    assert.equal(clean.status, 0, `${hook.id}: ${clean.stdout}${clean.stderr}`);
    chart(repo, "{app: api}");
    const broken = run(command!, argv, { cwd: repo, env });
    assert.equal(broken.status, 1, `${hook.id}: ${broken.stdout}${broken.stderr}`);
    assert.match(broken.stdout, /selector-mismatch/);
    assert.match(broken.stdout, /charts\/web\/templates\/deployment\.yaml/);
  }
});
