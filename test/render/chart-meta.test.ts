import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { InputError } from "../../src/errors.ts";
import { chartDependencies, isChartDir, missingDependencies, missingDependenciesError, missingDependenciesMessage, readChartMeta } from "../../src/load/chart.ts";
import { copyChart, withoutMissingDependencies } from "../../src/render/chart-copy.ts";
import { check } from "../../src/check.ts";
import { helmTemplate } from "../../src/render/helm.ts";
import { helmBinaries } from "../helpers/helm.ts";
import { fixtureChart, renderRequest, tempDir } from "./support.ts";

async function chartWith(files: Record<string, string>): Promise<string> {
  const chart = join(await tempDir("chart"), "chart");
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(chart, name, ".."), { recursive: true });
    await writeFile(join(chart, name), text);
  }
  return chart;
}

function assertInputError(work: () => unknown, expected: { message: RegExp | string; file: string; line?: number }): void {
  assert.throws(work, (error) => {
    assert.ok(error instanceof InputError);
    if (typeof expected.message === "string") assert.equal(error.message, expected.message);
    else assert.match(error.message, expected.message);
    assert.equal(error.file, expected.file);
    assert.equal(error.line, expected.line);
    return true;
  });
}

describe("isChartDir / readChartMeta", () => {
  test("a Chart.yaml (or requirements.yaml) that changes is read again; what a caller changes in the result stays its own", async () => {
    const dir = join(await tempDir("meta-cache"), "chart");
    await mkdir(dir);
    await writeFile(join(dir, "Chart.yaml"), "apiVersion: v2\nname: web\nversion: 1.0.0\n");
    const first = readChartMeta(dir);
    first.dependencies.push({ name: "mutated" });
    assert.deepEqual(readChartMeta(dir), { apiVersion: "v2", name: "web", version: "1.0.0", dependencies: [] });
    await writeFile(join(dir, "Chart.yaml"), "apiVersion: v2\nname: web\nversion: 1.0.1\n");
    assert.equal(readChartMeta(dir).version, "1.0.1");
    await writeFile(join(dir, "requirements.yaml"), "dependencies:\n  - name: db\n");
    assert.deepEqual(readChartMeta(dir).dependencies, [{ name: "db" }]);
  });

  test("reads the basic chart", () => {
    assert.equal(isChartDir(fixtureChart("basic")), true);
    assert.equal(isChartDir(fixtureChart("basic/templates")), false);
    assert.equal(isChartDir(join(fixtureChart("basic"), "Chart.yaml")), false);
    assert.deepEqual(readChartMeta(fixtureChart("basic")), {
      apiVersion: "v2",
      name: "basic",
      version: "0.1.0",
      appVersion: "1.16.0",
      type: "application",
      dependencies: [],
    });
  });

  test("keeps numbers in string fields as written, as Helm does (1.10 stays 1.10)", async () => {
    const chart = await chartWith({ "Chart.yaml": "apiVersion: v2\nname: n\nversion: 1.10\nappVersion: 2.0\n" });
    const meta = readChartMeta(chart);
    assert.equal(meta.version, "1.10");
    assert.equal(meta.appVersion, "2.0");
  });

  test("reads a quoted scalar continued on a line indented less than its key, as Helm's go-yaml does (ceph-csi's description)", async () => {
    const chart = await chartWith({ "Chart.yaml": 'apiVersion: v2\ndescription: "CSI driver,\nprovisioner and attacher"\nname: csi\nversion: 3-canary\n' });
    assert.deepEqual(readChartMeta(chart), { apiVersion: "v2", name: "csi", version: "3-canary", dependencies: [] });
    await mkdir(join(chart, "templates"), { recursive: true });
    await writeFile(join(chart, "templates", "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: csi}\n");
    for (const helm of helmBinaries()) {
      const result = await check({ inputs: [chart], helm: helm.path });
      assert.deepEqual([result.checked.map((ref) => `${ref.kind}/${ref.name}`), result.findings, result.failed], [["ConfigMap/csi"], [], undefined], `Helm ${helm.major} renders it, probes included`);
    }
  });

  test("reports bad YAML with file and line", async () => {
    const chart = await chartWith({ "Chart.yaml": "apiVersion: v2\nname: n\nversion: 1.0.0\nversion: 1.0.1\n" });
    assertInputError(() => readChartMeta(chart), { message: "invalid YAML: Map keys must be unique", file: join(chart, "Chart.yaml"), line: 4 });
    const indented = await chartWith({ "Chart.yaml": "apiVersion: v2\nname: n\n  version: [1\n" });
    assertInputError(() => readChartMeta(indented), { message: /^invalid YAML: /, file: join(indented, "Chart.yaml"), line: 2 });
  });

  test("requires a name and a version", async () => {
    const noName = await chartWith({ "Chart.yaml": "apiVersion: v2\nversion: 1.0.0\n" });
    assertInputError(() => readChartMeta(noName), { message: "Chart.yaml has no name", file: join(noName, "Chart.yaml") });
    const noVersion = await chartWith({ "Chart.yaml": "apiVersion: v2\nname: n\nversion:\n" });
    assertInputError(() => readChartMeta(noVersion), { message: "Chart.yaml has no version", file: join(noVersion, "Chart.yaml") });
    const list = await chartWith({ "Chart.yaml": "- name: n\n" });
    assertInputError(() => readChartMeta(list), { message: "Chart.yaml must be a mapping", file: join(list, "Chart.yaml"), line: 1 });
  });

  test("says when a directory is not a chart", async () => {
    const dir = await tempDir("not-chart");
    assertInputError(() => readChartMeta(dir), { message: `not a chart: ${dir} has no Chart.yaml`, file: dir });
  });

  test("reports a dependency without a name at its line", async () => {
    const chart = await chartWith({
      "Chart.yaml": "apiVersion: v2\nname: n\nversion: 1.0.0\ndependencies:\n  - name: a\n  - version: 1.0.0\n",
    });
    assertInputError(() => readChartMeta(chart), { message: "every dependency needs a name", file: join(chart, "Chart.yaml"), line: 6 });
  });
});

describe("chartDependencies", () => {
  test("finds vendored subchart directories by their chart name", () => {
    assert.deepEqual(chartDependencies(fixtureChart("with-deps")), [
      { name: "local-sub", version: "0.1.0", repository: "file://../local-sub", present: true },
      { name: "redis", version: "19.0.0", repository: "oci://registry-1.docker.io/bitnamicharts", present: false },
      {
        name: "postgresql",
        version: "15.0.0",
        repository: "https://charts.bitnami.com/bitnami",
        condition: "postgresql.enabled",
        present: false,
      },
    ]);
    assert.deepEqual(
      missingDependencies(fixtureChart("with-deps")).map((dependency) => dependency.name),
      ["redis", "postgresql"],
    );
  });

  test("finds vendored archives named <name>-<version>.tgz, and not those of longer names", async () => {
    const chart = await chartWith({
      "Chart.yaml": "apiVersion: v2\nname: n\nversion: 1.0.0\ndependencies:\n  - name: redis\n  - name: common\n  - name: nginx\n",
      "charts/redis-19.0.0.tgz": "archive bytes",
      "charts/common-ingress-1.0.0.tgz": "archive bytes",
      "charts/renamed-dir/Chart.yaml": "apiVersion: v2\nname: nginx\nversion: 1.0.0\n",
    });
    assert.deepEqual(
      chartDependencies(chart).map(({ name, present }) => ({ name, present })),
      [
        { name: "redis", present: true },
        { name: "common", present: false },
        { name: "nginx", present: true },
      ],
    );
  });

  test("reads an apiVersion v1 chart's requirements.yaml", () => {
    assert.deepEqual(chartDependencies(fixtureChart("legacy-v1-deps")), [
      { name: "mysql", version: "1.6.9", repository: "https://charts.helm.sh/stable", present: false },
    ]);
  });

  test("has no dependencies when none are declared", () => {
    assert.deepEqual(chartDependencies(fixtureChart("basic")), []);
  });

  test("explains what to do about missing dependencies", () => {
    const missing = missingDependencies(fixtureChart("with-deps"));
    const expected =
      "chart charts/with-deps declares dependencies missing from charts/: redis, postgresql " +
      "(run `helm dependency build`, or pass --skip-missing-deps to render without them)";
    assert.equal(missingDependenciesMessage("charts/with-deps", missing), expected);
    const error = missingDependenciesError("charts/with-deps", missing);
    assert.ok(error instanceof InputError);
    assert.equal(error.message, expected);
    assert.equal(error.file, join("charts/with-deps", "Chart.yaml"));
  });
});

describe("withoutMissingDependencies", () => {
  test("refuses to rewrite a chart outside the temp dir", async () => {
    const chartFile = join(fixtureChart("with-deps"), "Chart.yaml");
    const before = await readFile(chartFile, "utf8");
    assert.throws(() => withoutMissingDependencies(fixtureChart("with-deps")), /refusing to rewrite/);
    assert.equal(await readFile(chartFile, "utf8"), before);
  });

  for (const helm of helmBinaries()) {
    test(`lets Helm ${helm.major} render a copy without the missing dependencies`, async () => {
      const copy = join(await tempDir("copy"), "with-deps");
      copyChart(fixtureChart("with-deps"), copy);
      assert.deepEqual(withoutMissingDependencies(copy), ["redis", "postgresql"]);
      assert.deepEqual(
        chartDependencies(copy).map(({ name, present }) => ({ name, present })),
        [{ name: "local-sub", present: true }],
      );
      const manifest = (await helmTemplate(helm, renderRequest(copy), { timeoutMs: 30_000 })).toString("utf8");
      assert.match(manifest, /name: rel-parent/);
      assert.match(manifest, /name: rel-local-sub/);
      assert.deepEqual(withoutMissingDependencies(copy), [], "a second call has nothing left to drop");
    });

    test(`lets Helm ${helm.major} render an apiVersion v1 copy without its missing requirements`, async () => {
      const copy = join(await tempDir("copy"), "legacy");
      copyChart(fixtureChart("legacy-v1-deps"), copy);
      assert.deepEqual(withoutMissingDependencies(copy), ["mysql"]);
      const manifest = (await helmTemplate(helm, renderRequest(copy), { timeoutMs: 30_000 })).toString("utf8");
      assert.match(manifest, /name: rel-legacy/);
    });
  }
});
