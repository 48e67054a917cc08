/**
 * bundle/chartguard.mjs, the committed single-file CLI that the GitHub Action and the Helm
 * plugin run from a plain checkout: it is exactly what scripts/bundle.mjs builds from
 * today's src/ (so it cannot drift), it runs with nothing but node and helm, and it finds
 * the rules' examples in docs/rules/ of the checkout it is in.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { helmBinaries } from "../helpers/helm.ts";
import { PROJECT_ROOT, run } from "../integrations/run.ts";

interface BundleModule {
  BUNDLE_PATH: string;
  bundleText(): Promise<string>;
}
const { BUNDLE_PATH, bundleText } = (await import(new URL("../../scripts/bundle.mjs", import.meta.url).href)) as BundleModule;

const tmp = mkdtempSync(path.join(tmpdir(), "chartguard-bundle-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

test("the committed bundle is what scripts/bundle.mjs builds from src/ (else run `npm run bundle`)", async () => {
  const committed = readFileSync(BUNDLE_PATH, "utf8");
  const rebuilt = await bundleText();
  // Not assert.equal on 1 MB strings: name the first differing line instead.
  if (committed !== rebuilt) {
    const a = committed.split("\n");
    const b = rebuilt.split("\n");
    const line = a.findIndex((text, i) => text !== b[i]);
    assert.fail(`bundle/chartguard.mjs is stale (first difference at line ${line + 1}: ${JSON.stringify(a[line])} vs ${JSON.stringify(b[line])}); run \`npm run bundle\``);
  }
  assert.ok(committed.startsWith("#!/usr/bin/env node\n"), "the bundle is executable by node");
  const licences = committed.slice(committed.lastIndexOf("Bundled dependencies and their licences:"));
  assert.deepEqual([...licences.matchAll(/^([\w@/.-]+) \d+\.\d+\.\d+ \((\w[\w.-]*)\)$/gm)].map((m) => [m[1], m[2]]), [
    ["commander", "MIT"],
    ["js-yaml", "MIT"],
    ["picocolors", "ISC"],
    ["yaml", "ISC"],
  ]);
});

test("the bundle runs alone: a copy outside the project, only node and helm on PATH", () => {
  const bin = path.join(tmp, "bin");
  mkdirSync(bin);
  symlinkSync(process.execPath, path.join(bin, "node"));
  symlinkSync(helmBinaries().at(-1)!.path, path.join(bin, "helm"));
  const copy = path.join(tmp, "chartguard.mjs");
  writeFileSync(copy, readFileSync(BUNDLE_PATH));
  const env = { PATH: bin, HOME: tmp, NODE_PATH: "" };

  const version = run(path.join(bin, "node"), [copy, "--version"], { cwd: tmp, env });
  assert.equal(version.stdout, `${JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")).version}\n`);

  const checked = run(path.join(bin, "node"), [copy, "check", path.join(PROJECT_ROOT, "examples", "webapp"), "-o", "json"], { cwd: tmp, env });
  assert.equal(checked.status, 1, checked.stderr);
  const rules = new Set(JSON.parse(checked.stdout).findings.map((f: { rule: string }) => f.rule));
  assert.ok(rules.has("volatile-selector"), [...rules].join(", "));

  // Alone, it has no docs/rules/ beside it: the rule's page says so in one line and explains the rest.
  const explained = run(path.join(bin, "node"), [copy, "rules", "duplicate-object"], { cwd: tmp, env });
  assert.deepEqual([explained.status, explained.stderr], [0, ""]);
  assert.ok(explained.stdout.includes("\nWhy it matters\n"), explained.stdout);
  assert.ok(explained.stdout.includes(`\n\nExamples not found: they live in docs/rules/duplicate-object/ of chartguard's folder, and no folder above ${tmp} holds chartguard's package.json.\n\nMore: `), explained.stdout);
});

test("the bundle in a checkout shows the examples of docs/rules/", () => {
  const explained = run(process.execPath, [BUNDLE_PATH, "rules", "merge-trap"], { cwd: tmp });
  assert.deepEqual([explained.status, explained.stderr], [0, ""]);
  const from = readFileSync(path.join(PROJECT_ROOT, "docs", "rules", "merge-trap", "from.yaml"), "utf8");
  assert.ok(explained.stdout.includes(`\nExample: the release as it is\n${from.trimEnd().replace(/^/gm, "    ")}\n`), explained.stdout);
  assert.match(explained.stdout, /\nWhat chartguard says about it\n {2}error at /);
});
