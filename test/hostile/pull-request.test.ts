/**
 * What a pull request controls in CI: the chart, its values and the repository's
 * `.chartguard.yaml`. None of it may read files outside the repository, reach the
 * environment of the job, or inject markup or terminal escapes into what reviewers read
 * (the PR comment, the job log).
 */
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
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

describe("helm gets an allow-listed environment", () => {
  test("tokens and keys in chartguard's environment never reach helm; PATH, TMPDIR and the locale do", () => {
    const dir = tempDir("env");
    const chart = smallChart(dir);
    const dump = join(dir, "helm-env");
    // A helm that records its whole environment, then renders one object.
    const fake = writeFile(
      dir,
      "helm",
      `#!/bin/sh\nenv >> ${dump}\nif [ "$1" = "version" ]; then echo v3.17.2+g0000000; exit 0; fi\nprintf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: x}\\n'\n`,
    );
    chmodSync(fake, 0o755);
    const secrets = { GITHUB_TOKEN: "ghp_leak1", AWS_SECRET_ACCESS_KEY: "leak2", MY_APP_PASSWORD: "leak3", KUBECONFIG: "/leak4", HELM_DRIVER: "leak5", GOOGLE_APPLICATION_CREDENTIALS: "/leak6" };
    const run = cli(["check", "--helm", fake, "-o", "json", chart], { env: { ...secrets, LANG: "C.UTF-8", LC_ALL: "C.UTF-8", TZ: "UTC" } });
    assert.equal(run.status, 0, run.stderr);
    const seen = new Map(readFileSync(dump, "utf8").trim().split("\n").map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)] as const));
    assert.doesNotMatch(readFileSync(dump, "utf8"), /leak/);
    const names = [...seen.keys()].filter((name) => name !== "PWD" && name !== "SHLVL" && name !== "_");
    for (const name of names) {
      assert.match(name, /^(PATH|TMPDIR|LANG|LC_ALL|TZ|HOME|XDG_(CONFIG|CACHE|DATA)_HOME|HELM_(CONFIG|CACHE|DATA)_HOME|HELM_PLUGINS|HELM_REPOSITORY_(CONFIG|CACHE)|HELM_REGISTRY_CONFIG|KUBECONFIG)$/, `helm saw ${name}`);
    }
    assert.equal(seen.get("PATH"), process.env.PATH);
    assert.equal(seen.get("TMPDIR"), run.tmp);
    assert.equal(seen.get("LC_ALL"), "C.UTF-8");
    assert.match(seen.get("KUBECONFIG") ?? "", /chartguard-helm-.*no-kubeconfig$/);
  });
});
