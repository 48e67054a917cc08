/**
 * .pre-commit-hooks.yaml with pre-commit itself (Debian's package; .ci/run installs it):
 * pre-commit installs the `language: node` hook from a local clone of this repository as
 * it installs any node hook (npm install, npm pack, npm install -g of the tarball), then a
 * throwaway repository commits: a commit touching one chart checks that chart only, so an
 * untouched broken chart does not block it, and a broken touched chart does.
 */
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { parse } from "yaml";
import { helmBinaries } from "../helpers/helm.ts";
import { GIT_ENV, PROJECT_ROOT, run } from "./run.ts";

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

test(".pre-commit-hooks.yaml: hooks pre-commit accepts, running the package's bin on the files pre-commit passes", () => {
  assert.deepEqual(hooks.map((h) => [h.id, h.language]), [["chartguard", "node"], ["chartguard-system", "system"]]);
  for (const hook of hooks) {
    for (const key of Object.keys(hook)) assert.ok(KNOWN_KEYS.has(key), `${hook.id}: ${key} is a pre-commit hook key`);
    assert.ok(hook.name && hook.description, `${hook.id} is named and described`);
    const [bin, ...args] = hook.entry.split(/\s+/);
    assert.ok(bin! in pkg.bin, `${hook.id}: ${bin} is a bin of the package`);
    assert.deepEqual(args, ["check", "--changed-files"]);
    assert.equal(hook.pass_filenames, undefined, "pre-commit passes the files (its default)");
    assert.equal(hook.args, undefined, "no default paths: the files decide");
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

// ---------------------------------------------------------------------------
// pre-commit itself

const tmp = mkdtempSync(path.join(tmpdir(), "chartguard-pre-commit-"));
after(() => rmSync(tmp, { recursive: true, force: true }));
/** pre-commit's own folder (its clones and node environments) is the test's, not the machine's. */
const hookEnv = { PRE_COMMIT_HOME: path.join(tmp, "pre-commit-home"), HELM_BIN: "" };

/** Commits run the hook (chartguard renders the chart with helm): slow on a loaded machine, never hanging. */
const COMMIT_TIMEOUT_MS = 900_000;

function git(repo: string, ...args: string[]) {
  return run("git", args, { cwd: repo, env: { ...GIT_ENV, ...hookEnv }, timeout: COMMIT_TIMEOUT_MS });
}

function mustGit(repo: string, ...args: string[]): string {
  const result = git(repo, ...args);
  assert.equal(result.status, 0, `git ${args.join(" ")}: ${result.stderr}`);
  return result.stdout.trim();
}

/** This repository as a clone holds it: the files git tracks (and new ones it does not ignore), committed. */
function localClone(): string {
  const clone = path.join(tmp, "chartguard");
  const files = mustGit(PROJECT_ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    .split("\0")
    .filter((file) => file && !/^(node_modules|\.cache|dist)(\/|$)/.test(file));
  for (const file of files) cpSync(path.join(PROJECT_ROOT, file), path.join(clone, file), { recursive: true });
  mustGit(clone, "init", "-q", "-b", "main");
  mustGit(clone, "add", "-A");
  mustGit(clone, "commit", "-q", "-m", "chartguard");
  return clone;
}

function chart(repo: string, name: string, podLabels: string): void {
  mkdirSync(path.join(repo, "charts", name, "templates"), { recursive: true });
  writeFileSync(path.join(repo, "charts", name, "Chart.yaml"), `apiVersion: v2\nname: ${name}\nversion: 1.0.0\n`);
  writeFileSync(
    path.join(repo, "charts", name, "templates", "deployment.yaml"),
    `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}}\nspec:\n  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata: {labels: ${podLabels}}\n    spec: {containers: [{name: a, image: nginx}]}\n`,
  );
}

test("pre-commit installs the node hook from a local clone; a commit checks only the charts it touches", (t) => {
  if (run("sh", ["-c", "command -v pre-commit"]).status !== 0) {
    const message = "pre-commit is not installed (apt-get install pre-commit; .ci/run installs it)";
    if (process.env.CI) assert.fail(message);
    t.skip(message);
    return;
  }
  hookEnv.HELM_BIN = helmBinaries().at(-1)!.path;
  const clone = localClone();
  const rev = mustGit(clone, "rev-parse", "HEAD");
  const repo = path.join(tmp, "repo");
  mkdirSync(repo);
  mustGit(repo, "init", "-q", "-b", "main");
  // charts/api is broken from the start, committed before the hook exists.
  chart(repo, "web", "{app: web}");
  chart(repo, "api", "{app: other}");
  writeFileSync(path.join(repo, ".pre-commit-config.yaml"), `repos:\n  - repo: ${clone}\n    rev: ${rev}\n    hooks:\n      - id: chartguard\n`);
  mustGit(repo, "add", "-A");
  mustGit(repo, "commit", "-q", "-m", "charts");

  const install = run("pre-commit", ["install", "--install-hooks"], { cwd: repo, env: { ...GIT_ENV, ...hookEnv }, timeout: COMMIT_TIMEOUT_MS });
  assert.equal(install.status, 0, `${install.stdout}\n${install.stderr}`);

  // Touching the clean chart only: the broken charts/api is not checked.
  writeFileSync(path.join(repo, "charts", "web", "values.yaml"), "replicas: 2\n");
  mustGit(repo, "add", "-A");
  const clean = git(repo, "commit", "-m", "web: values");
  assert.equal(clean.status, 0, `${clean.stdout}\n${clean.stderr}`);
  assert.match(clean.stdout + clean.stderr, /^chartguard\.+Passed$/m);

  // Breaking the chart a commit touches blocks the commit, naming that chart only.
  chart(repo, "web", "{app: front}");
  mustGit(repo, "add", "-A");
  const broken = git(repo, "commit", "-m", "web: broken");
  assert.equal(broken.status, 1, `${broken.stdout}\n${broken.stderr}`);
  const output = broken.stdout + broken.stderr;
  assert.match(output, /^chartguard\.+Failed$/m);
  assert.match(output, /charts\/web\/templates\/deployment\.yaml/);
  assert.match(output, /selector-mismatch/);
  assert.doesNotMatch(output, /charts\/api/);
  assert.notEqual(mustGit(repo, "log", "-1", "--format=%s"), "web: broken", "the commit was refused");
});
