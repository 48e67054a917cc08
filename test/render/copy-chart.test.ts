import assert from "node:assert/strict";
import { lstat, mkdir, readdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { describe, test } from "node:test";
import { InputError } from "../../src/errors.ts";
import { copyChart } from "../../src/render/chart-copy.ts";
import { addVersionReport, bumpVersions, chartTree, copyOfCopy, preparedCopy, raiseRevision } from "../../src/render/probe-copy.ts";
import { answerLookupsFromRender } from "../../src/render/probe-lookup.ts";
import { fixtureChart, tempDir } from "./support.ts";

/** Every file under dir (relative path → content), with symlinks shown as such. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const file = join(entry.parentPath, entry.name);
    if (entry.isSymbolicLink()) result[relative(dir, file)] = "<symlink>";
    else if (entry.isFile()) result[relative(dir, file)] = await readFile(file, "utf8");
  }
  return result;
}

/** A chart in a temp dir, next to an `outside/secret.txt` it must not reach. */
async function chartBesideASecret(): Promise<{ chart: string; secret: string }> {
  const base = await tempDir("symlinks");
  const chart = join(base, "chart");
  await mkdir(join(chart, "templates"), { recursive: true });
  await mkdir(join(base, "outside"));
  await writeFile(join(chart, "Chart.yaml"), "apiVersion: v2\nname: chart\nversion: 0.1.0\n");
  await writeFile(join(chart, "values.yaml"), "a: 1\n");
  const secret = join(base, "outside", "secret.txt");
  await writeFile(secret, "do not copy");
  return { chart, secret };
}

async function assertRefused(chart: string, link: string, message: RegExp): Promise<void> {
  const destination = join(await tempDir("copy"), "chart");
  assert.throws(() => copyChart(chart, destination), (error) => {
    assert.ok(error instanceof InputError);
    assert.equal(error.file, link);
    assert.match(error.message, message);
    return true;
  });
}

describe("copyChart", () => {
  test("copies a chart tree file for file", async () => {
    const destination = join(await tempDir("copy"), "basic");
    copyChart(fixtureChart("basic"), destination);
    assert.deepEqual(await snapshot(destination), await snapshot(fixtureChart("basic")));
  });

  test("copies what a symlink inside the chart points to, as a plain file or directory", async () => {
    const { chart } = await chartBesideASecret();
    await symlink("../values.yaml", join(chart, "templates", "values-link.yaml"));
    await mkdir(join(chart, "shared"));
    await writeFile(join(chart, "shared", "snippet.txt"), "shared text");
    await symlink(join(chart, "shared"), join(chart, "files"));
    const destination = join(await tempDir("copy"), "chart");
    copyChart(chart, destination);
    assert.equal((await lstat(join(destination, "templates", "values-link.yaml"))).isFile(), true);
    assert.equal(await readFile(join(destination, "templates", "values-link.yaml"), "utf8"), "a: 1\n");
    assert.equal((await lstat(join(destination, "files"))).isDirectory(), true);
    assert.equal(await readFile(join(destination, "files", "snippet.txt"), "utf8"), "shared text");
  });

  test("refuses a symlink that points outside the chart, naming the link", async () => {
    const { chart, secret } = await chartBesideASecret();
    const link = join(chart, "templates", "secret.txt");
    await symlink(secret, link);
    await assertRefused(chart, link, /^symlink .*templates\/secret\.txt points outside the chart \(to .*outside\/secret\.txt\)/);
  });

  test("refuses a relative symlink that climbs out of the chart", async () => {
    const { chart } = await chartBesideASecret();
    const link = join(chart, "outside");
    await symlink("../outside", link);
    await assertRefused(chart, link, /points outside the chart/);
  });

  test("refuses a symlink loop and a broken symlink", async () => {
    const looped = await chartBesideASecret();
    await symlink("..", join(looped.chart, "templates", "up"));
    await assertRefused(looped.chart, join(looped.chart, "templates", "up"), /makes a loop/);
    const broken = await chartBesideASecret();
    await symlink("missing.yaml", join(broken.chart, "templates", "gone.yaml"));
    await assertRefused(broken.chart, join(broken.chart, "templates", "gone.yaml"), /is broken/);
  });

  test("names a missing chart directory", async () => {
    const missing = join(await tempDir("copy"), "nope");
    assert.throws(() => copyChart(missing, join(missing, "..", "dest")), { name: "InputError", message: `chart directory not found: ${missing}` });
  });
});

describe("linked probe copies", () => {
  test("files are hard links to the chart's, and perturbing the copy (versions, revision, lookups, dropped dependencies) leaves the chart as it was", async () => {
    const { chart } = await chartBesideASecret();
    await writeFile(join(chart, "Chart.yaml"), "apiVersion: v2\nname: chart\nversion: 0.1.0\nappVersion: 1.0.0\ndependencies:\n  - name: gone\n    version: 1.0.0\n");
    const template = "kind: ConfigMap\nmetadata:\n  name: r{{ .Release.Revision }}\ndata:\n  old: {{ (lookup \"v1\" \"Secret\" \"ns\" \"s\").data | toJson | quote }}\n";
    await writeFile(join(chart, "templates", "cm.yaml"), template);
    const before = await snapshot(chart);
    const workDir = await tempDir("linked");
    const prepared = await preparedCopy(chart, workDir, true);
    assert.equal((await stat(join(prepared, "values.yaml"))).ino, (await stat(join(chart, "values.yaml"))).ino, "linked, not copied");
    const copy = copyOfCopy(prepared, workDir);
    for (const root of [prepared, copy]) {
      const nodes = chartTree(root);
      bumpVersions(nodes, { chart: true, app: true });
      assert.equal(raiseRevision(nodes), true);
      assert.deepEqual([...answerLookupsFromRender(nodes)], ["Secret"]);
      addVersionReport(root);
    }
    assert.doesNotMatch(await readFile(join(prepared, "Chart.yaml"), "utf8"), /gone/, "the missing dependency is dropped from the copy");
    assert.match(await readFile(join(copy, "templates", "cm.yaml"), "utf8"), /987650/);
    assert.deepEqual(await snapshot(chart), before);
  });
});
