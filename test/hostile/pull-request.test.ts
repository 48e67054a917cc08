/**
 * What a pull request controls in CI: the chart, its values and the repository's
 * `.chartguard.yaml`. None of it may read files outside the repository, reach the
 * environment of the job, or inject markup or terminal escapes into what reviewers read
 * (the PR comment, the job log).
 */
import assert from "node:assert/strict";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { helmBinaries } from "../helpers/helm.ts";
import { assertRefused, cli, smallChart, tempDir, writeFile } from "./support.ts";

const helm = helmBinaries()[0]!;

/** A repository (a folder with .git) holding a chart, and a secret file beside it, outside. */
function repositoryWithSecret() {
  const outside = tempDir("pr");
  const secret = writeFile(outside, "secrets.yaml", "podLabels: {token: 'ghp_secret/value'}\n");
  const repo = join(outside, "repo");
  mkdirSync(join(repo, ".git"), { recursive: true });
  const chart = smallChart(join(repo, "charts"), "web");
  return { outside, secret, repo, chart };
}

describe("config paths stay inside the config's repository", () => {
  const cases: [string, (r: ReturnType<typeof repositoryWithSecret>) => string][] = [
    ["a ../ path", () => "../secrets.yaml"],
    ["an absolute path", (r) => r.secret],
    ["a symlink inside the repository pointing out of it", (r) => {
      symlinkSync(r.secret, join(r.repo, "innocent.yaml"));
      return "innocent.yaml";
    }],
    ["a path through a symlinked folder", (r) => {
      symlinkSync(r.outside, join(r.repo, "shared"));
      return "shared/secrets.yaml";
    }],
  ];
  for (const [what, valuesFile] of cases) {
    test(`valuesFiles with ${what} is refused at its line, before anything is read`, () => {
      const r = repositoryWithSecret();
      const file = valuesFile(r);
      const config = writeFile(r.repo, ".chartguard.yaml", `charts:\n  charts/web:\n    valuesFiles:\n      - ${JSON.stringify(file)}\n`);
      const run = cli(["check", "--helm", helm.path, "-o", "markdown", "charts/web"], { cwd: r.repo });
      assertRefused(run, {
        file: config,
        line: 4,
        message: /^charts\["charts\/web"\]\.valuesFiles\[0\]: ".*" is outside the repository that holds this config \(.*\); paths in a config must stay inside it, symlinks followed$/,
      });
      assert.doesNotMatch(run.stderr, /ghp_secret/);
    });
  }

  test("paths inside the repository still work: above the config's folder, and through a symlink that stays inside", () => {
    const r = repositoryWithSecret();
    writeFile(r.repo, "values/prod.yaml", "replicas: 3\n");
    symlinkSync(join(r.repo, "values", "prod.yaml"), join(r.repo, "charts", "prod-link.yaml"));
    writeFile(join(r.repo, "charts"), ".chartguard.yaml", "charts:\n  web:\n    valuesFiles: [../values/prod.yaml, prod-link.yaml]\n");
    const run = cli(["check", "--helm", helm.path, "-o", "json", "web"], { cwd: join(r.repo, "charts") });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, "");
  });
});
