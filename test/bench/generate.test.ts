import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { generateDump, toYaml, writeCharts, writeDump, type DumpFormat } from "../../bench/generate.ts";
import { checkDocuments } from "../../src/analyze/check.ts";
import { check } from "../../src/check.ts";
import { discoverAll } from "../../src/load/sources.ts";
import { parseYamlStream } from "../../src/load/yaml.ts";
import { objectsFromDocuments } from "../../src/model/object.ts";
import { helmBinaries } from "../helpers/helm.ts";

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const FORMATS: readonly DumpFormat[] = ["list", "namespace-lists", "multi-doc"];

for (const format of FORMATS) {
  test(`dump (${format}): parses into exactly the objects asked for, and every planted overlap is found`, () => {
    const dump = generateDump({ objects: 600, namespaces: 6, format, overlaps: 3 });
    assert.equal(dump.objects, 600);
    assert.equal(dump.namespaces, 6);
    assert.deepEqual(dump.planted.map((p) => p.kind), ["migration-job", "canary", "double-pdb"]);
    const docs = parseYamlStream(dump.text, "dump.yaml");
    assert.equal(docs.length, format === "list" ? 1 : format === "namespace-lists" ? 6 : 600);
    const { objects, notes } = objectsFromDocuments(docs, { namespace: "default" });
    assert.deepEqual(notes, []);
    assert.equal(objects.length, 600);
    assert.equal(new Set(objects.map((o) => o.ref.namespace)).size, 6);

    const result = checkDocuments(docs, { namespace: "default" });
    const overlaps = result.findings.filter((f) => f.rule === "selector-overlap");
    const reported = new Set(overlaps.map((f) => `${f.object.namespace}/${f.object.kind}/${f.object.name}`));
    for (const plant of dump.planted) {
      for (const selector of plant.selectors) assert.ok(reported.has(`${plant.namespace}/${selector}`), `${plant.kind}: ${selector} is reported`);
    }
    // Nothing else overlaps: every overlap finding is about a planted release.
    const plantedNamespaces = new Set(dump.planted.map((p) => p.namespace));
    for (const finding of overlaps) assert.ok(plantedNamespaces.has(finding.object.namespace!), `unplanted overlap: ${finding.message}`);
    // Findings point at real lines: the selector's own line in the dump.
    const lines = dump.text.split("\n");
    for (const finding of overlaps) {
      const line = lines[finding.location.line - 1]!;
      assert.match(line, /selector:|scaleTargetRef:/, `${finding.object.kind}/${finding.object.name} at line ${finding.location.line}`);
    }
  });
}

test("dumps are deterministic and shaped like kubectl get -A -o yaml", () => {
  const a = generateDump({ objects: 120, namespaces: 2 });
  const b = generateDump({ objects: 120, namespaces: 2 });
  assert.equal(a.text, b.text);
  assert.notEqual(generateDump({ objects: 120, namespaces: 2, seed: 7 }).text, a.text);
  assert.ok(a.text.startsWith("apiVersion: v1\nitems:\n- apiVersion: "));
  assert.ok(a.text.endsWith('kind: List\nmetadata:\n  resourceVersion: ""\n'));
  assert.equal(a.bytes, Buffer.byteLength(a.text));
  // Realistic labels: Helm's standard labels, chart labels in some pod templates, controller labels on Jobs.
  for (const label of ["app.kubernetes.io/name:", "app.kubernetes.io/instance:", "helm.sh/chart:", "controller-uid:", "batch.kubernetes.io/job-name:"]) {
    assert.ok(a.text.includes(label), label);
  }
});

test("dumps by workload count: one namespace, the label keys shared by all", () => {
  const dump = generateDump({ workloads: 300, namespaces: 1 });
  assert.ok(dump.workloads >= 300 && dump.workloads < 310, `${dump.workloads}`);
  const { objects } = objectsFromDocuments(parseYamlStream(dump.text, "d.yaml"), { namespace: "default" });
  assert.equal(new Set(objects.map((o) => o.ref.namespace)).size, 1);
  assert.equal(new Set(objects.map((o) => `${o.ref.kind}/${o.ref.name}`)).size, objects.length, "names are unique");
});

test("writeDump streams the same bytes as generateDump", async () => {
  const dir = mkdtempSync(join(tmpdir(), "chartguard-gen-"));
  dirs.push(dir);
  const spec = { objects: 250, namespaces: 3, format: "multi-doc" as const };
  const summary = await writeDump(join(dir, "d.yaml"), spec);
  const text = readFileSync(join(dir, "d.yaml"), "utf8");
  assert.equal(text, generateDump(spec).text);
  assert.equal(summary.bytes, Buffer.byteLength(text));
});

test("toYaml quotes what a plain scalar would misread", () => {
  const text = toYaml({ a: "true", b: "1.10", c: "2024-01-01", d: "", e: "x: y", f: "plain-text", g: null, h: 3, i: [], j: {} });
  assert.equal(text, 'a: "true"\nb: "1.10"\nc: 2024-01-01\nd: ""\ne: "x: y"\nf: plain-text\ng: null\nh: 3\ni: []\nj: {}\n');
  assert.deepEqual(parseYamlStream(text, "t.yaml")[0]!.value, { a: "true", b: "1.10", c: "2024-01-01", d: "", e: "x: y", f: "plain-text", g: null, h: 3, i: [], j: {} });
});

test("charts: N chart directories below groups, with planted overlaps that check finds", async () => {
  const dir = mkdtempSync(join(tmpdir(), "chartguard-gen-charts-"));
  dirs.push(dir);
  const summary = await writeCharts(dir, { charts: 5, perGroup: 2 });
  assert.equal(summary.charts.length, 5);
  const sources = await discoverAll([dir]);
  assert.deepEqual(sources.map((s) => s.kind), ["chart", "chart", "chart", "chart", "chart"]);
  assert.equal(summary.plantedOverlap.length, 1);
  assert.match(summary.plantedOverlap[0]!, /group-01[/\\][a-z]+-003$/);
  const [helm] = helmBinaries();
  const result = await check({ inputs: summary.plantedOverlap, helm: helm!.path, probe: false, namespace: "default" });
  assert.ok(result.findings.some((f) => f.rule === "selector-overlap" && f.object.kind === "Service"), "the migration Job's pods are in the Service");
});

test("finding-heavy dumps: every Service and PDB dangles (dangling), every Service takes in a Job's pods (job-overlap)", () => {
  const dangling = generateDump({ objects: 400, namespaces: 10, shape: "dangling" });
  assert.equal(dangling.objects, 400);
  assert.deepEqual(dangling.planted, []);
  const findings = checkDocuments(parseYamlStream(dangling.text, "d.yaml"), { namespace: "default" }).findings;
  const count = (rule: string, kind?: string) => findings.filter((f) => f.rule === rule && (kind === undefined || f.object.kind === kind)).length;
  // 100 releases of Deployment, Service, Job and PDB, in 10 namespaces.
  assert.equal(count("dangling-selector", "Service"), 100);
  assert.equal(count("dangling-selector", "PodDisruptionBudget"), 100);
  assert.equal(count("selector-mismatch", "Deployment"), 100, "the Deployment's selector does not match its label-less template");
  assert.equal(count("selector-overlap"), 0);
  // The findings point at the selectors' own lines.
  const lines = dangling.text.split("\n");
  for (const finding of findings.filter((f) => f.rule === "dangling-selector")) assert.match(lines[finding.location.line - 1]!, /^\s*(- )?selector:/);

  const overlap = generateDump({ objects: 400, namespaces: 1, shape: "job-overlap" });
  const overlapFindings = checkDocuments(parseYamlStream(overlap.text, "o.yaml"), { namespace: "default" }).findings;
  const services = new Set(overlapFindings.filter((f) => f.rule === "selector-overlap" && f.object.kind === "Service").map((f) => f.object.name));
  assert.equal(services.size, 100, "every Service overlaps its release's migration Job");
  assert.equal(overlapFindings.filter((f) => f.rule === "dangling-selector" && f.object.kind === "PodDisruptionBudget").length, 100);
  assert.equal(overlapFindings.filter((f) => f.rule === "dangling-selector" && f.object.kind === "Service").length, 0);
});
