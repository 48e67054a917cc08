import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { after, test } from "node:test";
import { InputError } from "../../src/errors.ts";
import { parseIgnoreFile, parsePattern, ruleMatches } from "../../src/load/gitignore.ts";
import { parseShard, shardSources } from "../../src/load/shard.ts";
import { discoverAll, type Source } from "../../src/load/sources.ts";
import { runCli } from "../helpers/cli.ts";

const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A folder with these files (a trailing `/` makes an empty folder). */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "chartguard-sources-"));
  roots.push(root);
  for (const [name, text] of Object.entries(files)) {
    const path = join(root, name);
    if (name.endsWith("/")) mkdirSync(path, { recursive: true });
    else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
  }
  return root;
}

const CHART = "apiVersion: v2\nname: x\nversion: 0.1.0\n";
const MANIFEST = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n";

function names(root: string, sources: readonly Source[]): string[] {
  return sources.map((s) => `${s.kind}:${relative(root, s.path).split("\\").join("/")}`);
}

// ---------------------------------------------------------------------------------------------
// Patterns

function matches(pattern: string, path: string, isDir = false): boolean {
  const rule = parsePattern(pattern, "/repo");
  assert.ok(rule, `pattern ${pattern} parses`);
  return ruleMatches(rule, `/repo/${path}`, isDir);
}

test("gitignore patterns: names at any depth, anchored paths, directories only", () => {
  const cases: [string, string, boolean, boolean][] = [
    // pattern, path, isDir, expected
    ["*.tmp.yaml", "a.tmp.yaml", false, true],
    ["*.tmp.yaml", "deep/er/a.tmp.yaml", false, true],
    ["*.tmp.yaml", "a.yaml", false, false],
    ["build", "build", true, true],
    ["build", "src/build", true, true],
    ["build", "src/build", false, true],
    ["build/", "src/build", true, true],
    ["build/", "src/build", false, false],
    ["/build", "build", true, true],
    ["/build", "src/build", true, false],
    ["charts/legacy", "charts/legacy", true, true],
    ["charts/legacy", "x/charts/legacy", true, false],
    ["**/legacy", "x/y/legacy", true, true],
    ["**/legacy", "legacy", true, true],
    ["charts/**", "charts/a/b.yaml", false, true],
    ["charts/**", "charts", true, false],
    ["a/**/b.yaml", "a/b.yaml", false, true],
    ["a/**/b.yaml", "a/x/y/b.yaml", false, true],
    ["a/**/b.yaml", "c/a/x/b.yaml", false, false],
    ["a*b", "a/b", false, false],
    ["?.yaml", "a.yaml", false, true],
    ["?.yaml", "ab.yaml", false, false],
    ["[ab].yaml", "b.yaml", false, true],
    ["[!ab].yaml", "b.yaml", false, false],
    ["[!ab].yaml", "c.yaml", false, true],
    ["[a-c]x", "bx", false, true],
    ["\\#hash.yaml", "#hash.yaml", false, true],
    ["\\!bang.yaml", "!bang.yaml", false, true],
    ["dot.yaml", "dotxyaml", false, false],
    ["trailing.yaml   ", "trailing.yaml", false, true],
  ];
  for (const [pattern, path, isDir, expected] of cases) {
    assert.equal(matches(pattern, path, isDir), expected, `${pattern} vs ${path}${isDir ? "/" : ""}`);
  }
});

test("gitignore files: comments and blank lines are skipped, ! negates, paths outside the base never match", () => {
  const rules = parseIgnoreFile("# comment\n\n*.yaml\n!keep.yaml\r\n/only-here/\n", "/repo/sub");
  assert.deepEqual(rules.map((r) => [r.negate, r.dirOnly, r.anchored]), [[false, false, false], [true, false, false], [false, true, true]]);
  assert.equal(ruleMatches(rules[0]!, "/repo/other/a.yaml", false), false);
  assert.equal(ruleMatches(rules[0]!, "/repo/sub/x/a.yaml", false), true);
  assert.equal(parsePattern("   ", "/repo"), undefined);
  assert.equal(parsePattern("#x", "/repo"), undefined);
});

// ---------------------------------------------------------------------------------------------
// Discovery

test(".gitignore files in the directory and below are honoured; the last matching rule wins", async () => {
  const root = tree({
    ".gitignore": "generated/\n*.tmp.yaml\n!keep.tmp.yaml\n/top-only.yaml\n",
    "a.yaml": MANIFEST,
    "a.tmp.yaml": MANIFEST,
    "keep.tmp.yaml": MANIFEST,
    "top-only.yaml": MANIFEST,
    "generated/x.yaml": MANIFEST,
    "sub/top-only.yaml": MANIFEST,
    "sub/.gitignore": "local.yaml\n!a.tmp.yaml\n",
    "sub/local.yaml": MANIFEST,
    "sub/a.tmp.yaml": MANIFEST,
    "sub/b.tmp.yaml": MANIFEST,
    "charts/web/Chart.yaml": CHART,
    "charts/web/templates/x.yaml": MANIFEST,
    "charts/.gitignore": "old/\n",
    "charts/old/Chart.yaml": CHART,
  });
  assert.deepEqual(names(root, await discoverAll([root])), [
    "manifest:a.yaml",
    "chart:charts/web",
    "manifest:keep.tmp.yaml",
    "manifest:sub/a.tmp.yaml",
    "manifest:sub/top-only.yaml",
  ]);
  // Without .gitignore handling everything is found.
  assert.equal((await discoverAll([root], { gitignore: false })).length, 11);
});

test("the repository root's .gitignore applies when the directory is inside a git work tree", async () => {
  const root = tree({
    ".git/": "",
    ".git/info/exclude": "*.local.yaml\n",
    ".gitignore": "deploy/skip.yaml\nbuild/\n",
    "deploy/.gitignore": "nested/ignored.yaml\n",
    "deploy/nested/ignored.yaml": MANIFEST,
    "deploy/nested/kept.yaml": MANIFEST,
    "deploy/nested/mine.local.yaml": MANIFEST,
    "deploy/nested/build/x.yaml": MANIFEST,
    "deploy/skip.yaml": MANIFEST,
  });
  const dir = join(root, "deploy", "nested");
  assert.deepEqual(names(dir, await discoverAll([dir])), ["manifest:kept.yaml"]);
  // A path named on the command line is checked even when ignored.
  const file = join(root, "deploy", "skip.yaml");
  assert.deepEqual(names(root, await discoverAll([file])), ["manifest:deploy/skip.yaml"]);
});

test("--exclude globs: relative to the input directory or to the working directory, and for named inputs", async () => {
  const root = tree({
    "a.yaml": MANIFEST,
    "b.generated.yaml": MANIFEST,
    "legacy/c.yaml": MANIFEST,
    "charts/web/Chart.yaml": CHART,
    "charts/old/Chart.yaml": CHART,
  });
  const found = async (exclude: string[], inputs = [root]) => names(root, await discoverAll(inputs, { exclude }));
  assert.deepEqual(await found(["*.generated.yaml", "legacy/"]), ["manifest:a.yaml", "chart:charts/old", "chart:charts/web"]);
  assert.deepEqual(await found(["charts/old"]), ["manifest:a.yaml", "manifest:b.generated.yaml", "chart:charts/old", "chart:charts/web", "manifest:legacy/c.yaml"].filter((n) => n !== "chart:charts/old"));
  assert.deepEqual(await found(["charts/**"]), ["manifest:a.yaml", "manifest:b.generated.yaml", "manifest:legacy/c.yaml"]);
  // Relative to the working directory, as the paths are typed.
  const fromCwd = relative(process.cwd(), join(root, "legacy")).split("\\").join("/");
  assert.deepEqual(await found([fromCwd]), ["manifest:a.yaml", "manifest:b.generated.yaml", "chart:charts/old", "chart:charts/web"]);
  // Inputs named explicitly are excluded too.
  assert.deepEqual(await found(["*.generated.yaml"], [join(root, "b.generated.yaml"), join(root, "a.yaml")]), ["manifest:a.yaml"]);
});

test("a source named twice is discovered once", async () => {
  const root = tree({ "a.yaml": MANIFEST, "charts/web/Chart.yaml": CHART });
  assert.deepEqual(names(root, await discoverAll([root, join(root, "a.yaml"), join(root, "charts", "web")])), ["manifest:a.yaml", "chart:charts/web"]);
});

// ---------------------------------------------------------------------------------------------
// Shards

test("--shard: every source in exactly one shard, balanced, independent of input order", async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 23; i++) files[`m/${String(i).padStart(2, "0")}.yaml`] = MANIFEST;
  for (let i = 0; i < 9; i++) files[`charts/c${i}/Chart.yaml`] = CHART;
  const root = tree(files);
  const all = await discoverAll([root]);
  assert.equal(all.length, 32);
  for (let count = 1; count <= 6; count++) {
    const shards = [];
    for (let index = 1; index <= count; index++) shards.push(await discoverAll([root], { shard: { index, count } }));
    const union = shards.flat().map((s) => s.path).sort();
    assert.deepEqual(union, all.map((s) => s.path).sort(), `n=${count}: the union is every source exactly once`);
    const sizes = shards.map((s) => s.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `n=${count}: balanced ${sizes.join(",")}`);
    // Deterministic: the same again, and the same whatever order the inputs come in.
    const again = await discoverAll([join(root, "m"), join(root, "charts")], { shard: { index: 1, count } });
    assert.deepEqual(again.map((s) => s.path), shards[0]!.map((s) => s.path));
  }
});

test("shardSources sorts by path bytes, not by locale", () => {
  const sources = ["b", "B", "a", "A", "_x", "a-b", "a_b"].map((path) => ({ path }));
  assert.deepEqual(shardSources(sources, { index: 1, count: 1 }).map((s) => s.path), ["A", "B", "_x", "a", "a-b", "a_b", "b"]);
  assert.deepEqual(shardSources(sources, { index: 2, count: 3 }).map((s) => s.path), ["B", "a-b"]);
  assert.throws(() => shardSources(sources, { index: 0, count: 2 }), InputError);
  assert.throws(() => shardSources(sources, { index: 3, count: 2 }), InputError);
});

test("parseShard accepts i/n with 1 <= i <= n only", () => {
  assert.deepEqual(parseShard("2/4"), { index: 2, count: 4 });
  assert.deepEqual(parseShard("1/1"), { index: 1, count: 1 });
  for (const bad of ["0/2", "3/2", "1/0", "a/b", "1", "1/2/3", "-1/2", "1.5/2", ""]) assert.equal(parseShard(bad), undefined, bad);
});

test("CLI: a malformed --shard is a usage error (exit 2); --exclude and --shard select what is checked", () => {
  const root = tree({
    "a.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  selector:\n    app: a\n",
    "b.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: b\nspec:\n  selector:\n    app: b\n",
  });
  for (const bad of ["0/2", "3/2", "x"]) {
    const run = runCli(["check", "--no-config", "--shard", bad, root]);
    assert.equal(run.status, 2, `--shard ${bad}: ${run.stderr}`);
    assert.match(run.stderr, /--shard/);
  }
  const shown = (args: string[]) => {
    const run = runCli(["check", "--no-config", "-o", "json", ...args, root]);
    assert.ok(run.status === 0 || run.status === 1, run.stderr);
    const report = JSON.parse(run.stdout) as { findings: { object: { name: string } }[] };
    return [...new Set(report.findings.map((f) => f.object.name))].sort();
  };
  assert.deepEqual(shown([]), ["a", "b"]);
  assert.deepEqual(shown(["--shard", "1/2"]), ["a"]);
  assert.deepEqual(shown(["--shard", "2/2"]), ["b"]);
  assert.deepEqual(shown(["--exclude", "a.yaml"]), ["b"]);
});
