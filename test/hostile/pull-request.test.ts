/**
 * What a pull request controls in CI: the chart, its values and the repository's
 * `.chartguard.yaml`. None of it may read files outside the repository, reach the
 * environment of the job, or inject markup or terminal escapes into what reviewers read
 * (the PR comment, the job log).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
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

/** A Deployment whose name and labels carry `text`, and the same with a changed selector (which needs commands first). */
function manifestsNaming(dir: string, text: string) {
  const name = JSON.stringify(`web${text}`);
  const deployment = (selector: string) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  labels: {${JSON.stringify(`k${text}`)}: ${JSON.stringify(`v${text}`)}}\nspec:\n  selector: {matchLabels: {${selector}}}\n  template:\n    metadata: {labels: {${selector}}}\n    spec: {containers: [{name: a, image: nginx}]}\n`;
  return { from: writeFile(dir, "from.yaml", deployment("app: web")), to: writeFile(dir, "to.yaml", deployment("app: web, tier: x")) };
}

const INJECTION = "\n```\n<img src=x onerror=alert(1)>\n[click](https://evil.example)\n<details>\n\n# heading\n`` `a|b";

/**
 * The markdown outside fenced code blocks, with every block checked to close with its own
 * fence (a line of at least as many backticks, nothing else).
 */
function outsideFences(markdown: string): string {
  const outside: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split("\n")) {
    const marker = /^(`{3,})([^`]*)$/.exec(line);
    if (fence === undefined && marker) fence = marker[1]!;
    else if (fence !== undefined && /^`+$/.test(line) && line.length >= fence.length) fence = undefined;
    else if (fence === undefined) outside.push(line);
  }
  assert.equal(fence, undefined, "every fenced block is closed");
  return outside.join("\n");
}

/** `markdown` without its code spans (CommonMark: a backtick run up to the next run of the same length; backslashes escape outside them). */
function withoutCodeSpans(markdown: string): string {
  let out = "";
  for (let i = 0; i < markdown.length; ) {
    if (markdown[i] === "\\") {
      out += markdown.slice(i, i + 2);
      i += 2;
      continue;
    }
    const run = /^`+/.exec(markdown.slice(i))?.[0];
    if (run === undefined) {
      out += markdown[i++];
      continue;
    }
    const close = new RegExp(`(?<!\`)${run}(?!\`)`, "g");
    close.lastIndex = i + run.length;
    const end = close.exec(markdown);
    if (end === null) out += run;
    i = end === null ? i + run.length : end.index + run.length;
  }
  return out;
}

describe("markdown: text from the chart stays text", () => {
  test("a name holding a fence, HTML, a link and a heading cannot close the commands' block or add markup", () => {
    const dir = tempDir("md");
    const { from, to } = manifestsNaming(dir, INJECTION);
    const run = cli(["upgrade", "--from", from, "--to", to, "-o", "markdown"]);
    assert.equal(run.status, 1, run.stderr);
    const markdown = run.stdout;
    // <summary> lines are HTML blocks (markdown is not rendered there): checked for tags below.
    const summaries = markdown.split("\n").filter((line) => line.startsWith("<details><summary>"));
    const prose = withoutCodeSpans(outsideFences(markdown.split("\n").filter((line) => !summaries.includes(line)).join("\n")));
    assert.doesNotMatch(prose, /<img|<details>\n|(?<!\\)\]\(https:\/\/evil/, "no live HTML or link outside the code blocks");
    assert.doesNotMatch(prose, /^#+ heading/m, "no heading");
    assert.match(prose, /&lt;img src=x onerror=alert\(1\)&gt;/, "HTML shown as text");
    assert.match(prose, /\\\[click\\\]\(https:\/\/evil\.example\)/, "the link shown as text");
    // The commands' block: its fence is longer than the backtick run in the name, and the name is inside.
    const block = /^(`{4,})sh\n([^]*?)\n\1$/m.exec(markdown);
    assert.ok(block, markdown);
    assert.match(block[2]!, /kubectl delete deployment 'web\\n```\\n<img/);
    for (const line of summaries) {
      assert.match(line, /<\/summary>$/, "a <summary> stays on its line");
      assert.doesNotMatch(line.replace(/<\/?(details|summary|code)>/g, ""), /</, `no other tag: ${line}`);
    }
  });

  test("a label key with backticks stays one code span; a file name with a pipe stays one table cell", () => {
    const dir = tempDir("md");
    const { from, to } = manifestsNaming(join(dir, "we|b``"), "``");
    const run = cli(["upgrade", "--from", from, "--to", to, "-o", "markdown"]);
    assert.equal(run.status, 1, run.stderr);
    const lines = run.stdout.split("\n");
    assert.ok(lines.includes("- Deployment default/web\\`\\`: `invalid-label` at ``` metadata.labels.k`` ``` (already present before this upgrade)"), run.stdout);
    const rows = lines.filter((line) => line.startsWith("| 🔴"));
    assert.equal(rows.length, 3);
    for (const row of rows) {
      assert.equal(row.split(/(?<!\\)\|/).length, 7, `five cells: ${row}`);
      assert.match(row, /\| ``` \S*we\\\|b``\/to\.yaml:\d ``` \|/);
    }
  });
});

/** C0 controls but line feed, DEL and C1 controls: what a terminal acts on. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe("terminal escapes in chart text are shown, never sent", () => {
  const ESCAPES = "\u001b]0;pwned\u0007\u001b[2J\r\u009b31m\u202e";

  for (const [format, args] of [
    ["text", []],
    ["text --no-color", ["--no-color"]],
    ["github", ["-o", "github"]],
    ["markdown", ["-o", "markdown"]],
  ] as const) {
    test(`check and upgrade, ${format}: every control character is a visible escape`, () => {
      const dir = tempDir("tty");
      const { from, to } = manifestsNaming(dir, ESCAPES);
      for (const command of [["check", to], ["upgrade", "--from", from, "--to", to]]) {
        const run = cli([...command, ...args], { env: { GITHUB_STEP_SUMMARY: "" } });
        assert.equal(run.status, 1, run.stderr);
        assert.doesNotMatch(run.stdout, RAW_CONTROL, `${command[0]} ${format}`);
        assert.match(run.stdout, /web\\x1b\]0;pwned\\x07\\x1b\[2J\\r\\x9b31m\\u202e/, `${command[0]} ${format}`);
      }
    });
  }

  test("an error naming chart text (a fake helm's message) is one visible line on stderr", () => {
    const dir = tempDir("tty");
    const chart = smallChart(dir);
    const fake = writeFile(dir, "helm", `#!/bin/sh\nif [ "$1" = "version" ]; then echo v3.17.2+g0000000; exit 0; fi\nprintf 'Error: bad \\033]0;pwned\\007 template\\r\\033[2K\\n' >&2\nexit 1\n`);
    chmodSync(fake, 0o755);
    const run = cli(["check", "--helm", fake, chart]);
    assertRefused(run, { file: chart, message: /^bad \\x1b\]0;pwned\\x07 template\\r\\x1b\[2K$/ });
  });
});

describe("a chart read from git equals the work tree at that commit", () => {
  test("upgrade --from git:HEAD with an in-chart symlinked template: nothing created or deleted", () => {
    const repo = tempDir("git");
    const chart = smallChart(repo, "web");
    // The Service template lives in shared/ and is linked into templates/ (and one link to that link).
    writeFile(chart, "shared/service.yaml", readFileSync(join(chart, "templates", "service.yaml"), "utf8"));
    rmSync(join(chart, "templates", "service.yaml"));
    symlinkSync("../shared/service.yaml", join(chart, "templates", "service.yaml"));
    writeFile(chart, "shared/config.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n");
    symlinkSync("config.yaml", join(chart, "shared", "config-link.yaml"));
    symlinkSync("../shared/config-link.yaml", join(chart, "templates", "config.yaml"));
    const env = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };
    for (const args of [["init", "-q"], ["add", "-A"], ["commit", "-qm", "chart"]]) assert.equal(spawnSync("git", args, { cwd: repo, env }).status, 0);
    const run = cli(["upgrade", "--helm", helm.path, "--from", "git:HEAD", "--to", chart, "-o", "json"], { cwd: chart });
    assert.equal(run.status, 0, run.stderr);
    const { impact } = JSON.parse(run.stdout) as { impact: { created: unknown[]; deleted: unknown[] } };
    assert.deepEqual(impact.created, []);
    assert.deepEqual(impact.deleted, []);
  });
});

describe("charts helm renders are rendered (issue 11)", () => {
  for (const binary of helmBinaries()) {
    test(`Helm ${binary.major}: charts named CHART-TEMPLATE or my_chart render under a valid default release name`, () => {
      const dir = tempDir("names");
      for (const [name, release] of [["CHART-TEMPLATE", "chart-template"], ["my_chart", "my-chart"]] as const) {
        const chart = smallChart(dir, name);
        const run = cli(["check", "--helm", binary.path, "-o", "json", chart]);
        assert.equal(run.status, 0, run.stderr);
        assert.equal(run.stderr, "");
        const { checked } = JSON.parse(run.stdout) as { checked?: { name: string }[] };
        if (checked !== undefined) assert.ok(checked.every((object) => object.name === release), JSON.stringify(checked));
      }
    });

    test(`Helm ${binary.major}: a symlink to a sibling chart's file in the same repository is followed, as helm does; one out of the repository is not`, () => {
      const outside = tempDir("sibling");
      const repo = join(outside, "repo");
      mkdirSync(join(repo, ".git"), { recursive: true });
      const shared = smallChart(join(repo, "charts"), "shared");
      const web = smallChart(join(repo, "charts"), "web");
      rmSync(join(web, "templates", "service.yaml"));
      symlinkSync(join(shared, "templates", "service.yaml"), join(web, "templates", "service.yaml"));
      const run = cli(["check", "--helm", binary.path, "-o", "json", web]);
      assert.equal(run.status, 0, run.stderr);
      const secret = writeFile(outside, "secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: stolen}\n");
      symlinkSync(secret, join(web, "templates", "leak.yaml"));
      assertRefused(cli(["check", "--helm", binary.path, web]), {
        file: join(web, "templates", "leak.yaml"),
        message: /^symlink points outside the repository holding the chart \(to .*secret\.yaml\)/,
      });
      // The render started while chartguard loads (cli/prestart.ts) comes before this check: it is stopped unread.
      const early = cli(["check", "--no-probe", "-o", "json", "--helm", binary.path, web]);
      assertRefused(early, { file: join(web, "templates", "leak.yaml"), message: /^symlink points outside the repository holding the chart/ });
      assert.doesNotMatch(early.stdout + early.stderr, /stolen/);
    });
  }

  test("an invalid --release says what a valid release name is", () => {
    const run = cli(["check", "--release", "My_Release", "x.yaml"]);
    assert.equal(run.status, 2);
    assert.equal(
      run.stderr,
      "chartguard: option '--release <name>' argument 'My_Release' is invalid. must be a valid release name: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 53 characters (e.g. my-app); see chartguard --help\n",
    );
  });
});
