import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { assembleChart } from "../../bench/real-chart.ts";

const root = mkdtempSync(join(tmpdir(), "chartguard-real-chart-"));
after(() => rmSync(root, { recursive: true, force: true }));

function chart(dir: string, text: string): void {
  mkdirSync(join(dir, "templates"), { recursive: true });
  writeFileSync(join(dir, "Chart.yaml"), text);
}

test("a real chart is built offline: dependencies from sibling folders, the ones found nowhere dropped from Chart.yaml", () => {
  const repo = join(root, "charts");
  chart(join(repo, "stack"), "apiVersion: v2\nname: stack\nversion: 1.0.0\ndependencies:\n  - name: crds\n    version: 0.0.0\n  - name: exporter\n    version: 4.0.0\n    repository: https://example.invalid\n  - name: dashboards\n    version: 12.0.0\n    repository: https://example.invalid\n");
  chart(join(repo, "stack", "charts", "crds"), "apiVersion: v2\nname: crds\nversion: 0.0.0\n");
  chart(join(repo, "exporter"), "apiVersion: v2\nname: exporter\nversion: 4.0.0\n");
  writeFileSync(join(repo, "stack", "Chart.lock"), "dependencies: []\n");
  const built = assembleChart(join(repo, "stack"), join(root, "out", "chart-stack"));
  assert.deepEqual(built, { dir: join(root, "out", "chart-stack"), vendored: ["exporter"], dropped: ["dashboards"] });
  assert.equal(readFileSync(join(built.dir, "charts", "exporter", "Chart.yaml"), "utf8"), "apiVersion: v2\nname: exporter\nversion: 4.0.0\n");
  const chartFile = readFileSync(join(built.dir, "Chart.yaml"), "utf8");
  assert.match(chartFile, /name: exporter/);
  assert.doesNotMatch(chartFile, /dashboards/);
  assert.equal(existsSync(join(built.dir, "Chart.lock")), false);
  assert.match(readFileSync(join(repo, "stack", "Chart.yaml"), "utf8"), /dashboards/, "the source is left as it was");
});

test("a dependency that is no sibling is vendored from wherever locate finds it, one it cannot find is dropped, and a link within the chart is kept as written", () => {
  const repo = join(root, "located");
  chart(join(repo, "charts", "agent"), "apiVersion: v2\nname: agent\nversion: 1.0.0\ndependencies:\n  - name: common-library\n    version: 1.0.0\n    repository: https://example.invalid\n  - name: metrics\n    version: 2.0.0\n    repository: https://example.invalid\n");
  chart(join(repo, "library", "common-library"), "apiVersion: v2\nname: common-library\nversion: 1.0.0\ntype: library\n");
  writeFileSync(join(repo, "charts", "agent", "values.yaml"), "replicas: 1\n");
  mkdirSync(join(repo, "charts", "agent", "examples"));
  symlinkSync("../values.yaml", join(repo, "charts", "agent", "examples", "values.yaml"));
  const locate = (name: string) => (name === "common-library" ? join(repo, "library", "common-library") : undefined);
  const built = assembleChart(join(repo, "charts", "agent"), join(root, "out", "chart-agent"), locate);
  assert.deepEqual(built, { dir: join(root, "out", "chart-agent"), vendored: ["common-library"], dropped: ["metrics"] });
  assert.equal(readFileSync(join(built.dir, "charts", "common-library", "Chart.yaml"), "utf8"), "apiVersion: v2\nname: common-library\nversion: 1.0.0\ntype: library\n");
  assert.equal(readlinkSync(join(built.dir, "examples", "values.yaml")), "../values.yaml", "a link within the chart stays within the copy");
});

test("a link in charts/ that leaves the chart (rook: charts/library → ../../library) dangles in the copy: the dependency is vendored in its place", () => {
  const repo = join(root, "linked");
  chart(join(repo, "deploy", "charts", "operator"), "apiVersion: v2\nname: operator\nversion: 1.0.0\ndependencies:\n  - name: library\n    version: 0.0.1\n");
  chart(join(repo, "deploy", "library"), "apiVersion: v2\nname: library\nversion: 0.0.1\ntype: library\n");
  mkdirSync(join(repo, "deploy", "charts", "operator", "charts"));
  symlinkSync("../../../library", join(repo, "deploy", "charts", "operator", "charts", "library"));
  const built = assembleChart(join(repo, "deploy", "charts", "operator"), join(root, "out", "chart-operator"), (name) => join(repo, "deploy", name));
  assert.deepEqual(built, { dir: join(root, "out", "chart-operator"), vendored: ["library"], dropped: [] });
  assert.equal(readFileSync(join(built.dir, "charts", "library", "Chart.yaml"), "utf8"), "apiVersion: v2\nname: library\nversion: 0.0.1\ntype: library\n");
});

test("a dependency packaged in charts/ (name-version.tgz, as helm dependency build leaves it) is present: kept with its condition, not dropped", () => {
  const repo = join(root, "packaged");
  chart(join(repo, "app"), "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - name: reporter\n    version: 3.9.1\n    repository: https://example.invalid\n    condition: reporter.enabled\n  - name: reporter-ui\n    version: 1.0.0\n    repository: https://example.invalid\n");
  mkdirSync(join(repo, "app", "charts"));
  writeFileSync(join(repo, "app", "charts", "reporter-3.9.1.tgz"), "");
  const built = assembleChart(join(repo, "app"), join(root, "out", "chart-app"));
  // reporter-3.9.1.tgz is reporter's, not reporter-ui's: a name is followed by a version.
  assert.deepEqual(built, { dir: join(root, "out", "chart-app"), vendored: [], dropped: ["reporter-ui"] });
  assert.match(readFileSync(join(built.dir, "Chart.yaml"), "utf8"), /condition: reporter\.enabled/);
});

test("a file:// dependency is vendored from the folder it names (helm template reads only charts/), wherever that is", () => {
  const repo = join(root, "local");
  chart(join(repo, "stack"), "apiVersion: v2\nname: stack\nversion: 1.0.0\ndependencies:\n  - name: gateway\n    version: 5.3.0\n    repository: file://../components/gateway\n  - name: pump\n    version: 5.3.0\n    repository: file://../components/pump\n");
  chart(join(repo, "components", "gateway"), "apiVersion: v2\nname: gateway\nversion: 5.3.0\n");
  const built = assembleChart(join(repo, "stack"), join(root, "out", "chart-local"));
  assert.deepEqual(built, { dir: join(root, "out", "chart-local"), vendored: ["gateway"], dropped: ["pump"] });
  assert.equal(readFileSync(join(built.dir, "charts", "gateway", "Chart.yaml"), "utf8"), "apiVersion: v2\nname: gateway\nversion: 5.3.0\n");
});

test("a chart whose Chart.yaml is empty is copied as it is, nothing vendored or dropped: helm refuses it and says so", () => {
  const repo = join(root, "empty");
  chart(join(repo, "blank"), "");
  const built = assembleChart(join(repo, "blank"), join(root, "out", "chart-blank"));
  assert.deepEqual(built, { dir: join(root, "out", "chart-blank"), vendored: [], dropped: [] });
  assert.equal(readFileSync(join(built.dir, "Chart.yaml"), "utf8"), "");
});
