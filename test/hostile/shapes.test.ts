/**
 * Kubernetes shapes chartguard did not expect: no crash, and what the API server would say.
 * Run through the real CLI (-o json) so that the whole pipeline sees each shape.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { cli, tempDir, writeFile } from "./support.ts";

interface Report {
  findings: { rule: string; messageId: string; data: Record<string, string | number>; message: string; object: { kind: string; name: string }; path: string; location: { file: string; line: number }; evidence: { errors?: string[] } }[];
  notes: { file: string; line?: number; message: string }[];
}

function checkJson(name: string, text: string): { file: string; report: Report; status: number | null } {
  const file = writeFile(tempDir(), name, text);
  const run = cli(["check", "-o", "json", "--fail-on", "none", file]);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, "");
  return { file, report: JSON.parse(run.stdout) as Report, status: run.status };
}

const summary = (report: Report) => report.findings.map((f) => `${f.rule} ${f.object.kind}/${f.object.name} ${f.path} @${f.location.line}`);

describe("Kubernetes shapes", () => {
  test("documents without apiVersion/kind, and documents that are not mappings, are skipped with a note at their line", () => {
    const { file, report } = checkJson(
      "odd.yaml",
      [
        "foo: bar", // 1
        "---",
        "kind: Deployment", // 3
        "metadata: {name: x}",
        "---",
        "apiVersion: 5", // 6
        "kind: Service",
        "---",
        "- a", // 9
        "- b",
        "---",
        "just a string", // 12
        "",
      ].join("\n"),
    );
    assert.deepEqual(report.findings, []);
    assert.deepEqual(report.notes, [
      { file, line: 1, message: "document has no apiVersion/kind; skipped" },
      { file, line: 3, message: "document has no apiVersion/kind; skipped" },
      { file, line: 6, message: "document has no apiVersion/kind; skipped" },
      { file, line: 9, message: "document is not a mapping; skipped" },
      { file, line: 12, message: "document is not a mapping; skipped" },
    ]);
  });

  test("unknown kinds and CRDs: skipped without a pod template, analysed like workloads with one", () => {
    const { report } = checkJson(
      "crds.yaml",
      [
        "apiVersion: example.com/v1", // 1: a selector only: what it selects is unknown, so it is skipped
        "kind: Widget",
        "metadata: {name: widget}",
        "spec: {selector: {matchLabels: {app: nothing-has-this}}, size: [1, 2]}",
        "---",
        "apiVersion: apps.kruise.io/v1alpha1", // 6: a CloneSet owns pods labelled app=web
        "kind: CloneSet",
        "metadata: {name: web}",
        "spec:",
        "  selector: {matchLabels: {app: web}}",
        "  template:",
        "    metadata: {labels: {app: web}}",
        "    spec: {containers: [{name: app, image: nginx}]}",
        "---",
        "apiVersion: v1", // 15: selects the CloneSet's pods, so it is not dangling
        "kind: Service",
        "metadata: {name: web}",
        "spec: {selector: {app: web}}",
        "---",
        "apiVersion: example.com/v1", // 20: its selector misses its own pods
        "kind: Foo",
        "metadata: {name: foo}",
        "spec:",
        "  selector: {matchLabels: {app: foo}}",
        "  template:",
        "    metadata:",
        "      labels: {app: bar}", // 27
        "    spec: {containers: [{name: a, image: b}]}",
        "---",
        "apiVersion: example.com/v1", // 30: a plain label-map selector, and a label value that pods would refuse
        "kind: Bar",
        "metadata: {name: bar}",
        "spec:",
        "  selector: {app: baz}",
        "  template:",
        "    metadata:",
        "      labels: {app: baz, version: 1.10}", // 37
        "    spec: {containers: [{name: a, image: b}]}",
        "---",
        "apiVersion: argoproj.io/v1alpha1", // 40: a template of Applications, not pods: its controller substitutes {{.env}}
        "kind: ApplicationSet",
        "metadata: {name: apps}",
        "spec:",
        "  template:",
        "    metadata:",
        "      labels: {env: '{{.env}}'}",
        "    spec: {project: default}",
        "",
      ].join("\n"),
    );
    assert.deepEqual(summary(report), [
      "selector-mismatch Foo/foo spec.template.metadata.labels @27",
      "invalid-label Bar/bar spec.template.metadata.labels.version @37",
    ]);
    assert.deepEqual([report.findings[0]!.messageId, report.findings[0]!.data.unmatched], ["customTemplateMismatch", "app=foo"]);
    assert.deepEqual([report.findings[1]!.messageId, report.findings[1]!.data.later], ["rejectedLater", "every pod the Bar controller creates"]);
    assert.deepEqual(report.notes, []);
  });

  test("a CRD's pods take part in overlap checks like any workload's", () => {
    const { report } = checkJson(
      "overlap.yaml",
      [
        "apiVersion: apps.kruise.io/v1alpha1",
        "kind: CloneSet",
        "metadata: {name: web}",
        "spec:",
        "  selector: {matchLabels: {app: web}}",
        "  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: a, image: b}]}}",
        "---",
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata: {name: worker}",
        "spec:",
        "  selector: {matchLabels: {app: web}}",
        "  template: {metadata: {labels: {app: web, role: worker}}, spec: {containers: [{name: a, image: b}]}}",
        "",
      ].join("\n"),
    );
    assert.deepEqual(summary(report), [
      "selector-overlap CloneSet/web spec.selector @5",
      "selector-overlap Deployment/worker spec.selector @12",
    ]);
  });

  test("wrong types are reported the way the API server decodes them, once, and nothing else trips over them", () => {
    const { report } = checkJson(
      "types.yaml",
      [
        "apiVersion: apps/v1", // 1
        "kind: Deployment",
        "metadata: {name: string-selector}",
        "spec:",
        '  selector: "app=web"', // 5
        "  template: {metadata: {labels: {app: web}}}",
        "---",
        "apiVersion: apps/v1", // 8
        "kind: Deployment",
        "metadata:",
        "  name: list-labels",
        "  labels: [app, web]", // 12
        "spec:",
        "  selector: {matchLabels: {app: web, replicas: 3}}", // 14
        "  template: {metadata: {labels: {app: web, replicas: 3, enabled: true}}}", // 15
        "---",
        "apiVersion: v1", // 17
        "kind: Service",
        "metadata: {name: string-service}",
        "spec: {selector: app=web}", // 20
        "---",
        "apiVersion: policy/v1", // 22
        "kind: PodDisruptionBudget",
        "metadata: {name: list-pdb}",
        "spec: {minAvailable: 1, selector: [app, web]}", // 25
        "",
      ].join("\n"),
    );
    const errors = report.findings.map((f) => `${f.rule} ${f.object.name} @${f.location.line}: ${(f.evidence.errors ?? []).join(" | ")}`);
    assert.deepEqual(errors, [
      "invalid-label string-selector @5: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.selector of type v1.LabelSelector",
      "invalid-label list-labels @12: json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string",
      "invalid-label list-labels @14: json: cannot unmarshal number into Go struct field LabelSelector.spec.selector.matchLabels of type string",
      "invalid-label list-labels @15: json: cannot unmarshal bool into Go struct field ObjectMeta.spec.template.metadata.labels of type string",
      "invalid-label list-labels @15: json: cannot unmarshal number into Go struct field ObjectMeta.spec.template.metadata.labels of type string",
      "invalid-label string-service @20: json: cannot unmarshal string into Go struct field ServiceSpec.spec.selector of type map[string]string",
      "invalid-label list-pdb @25: json: cannot unmarshal array into Go struct field PodDisruptionBudgetSpec.spec.selector of type v1.LabelSelector",
    ]);
  });

  test("a List with bad items: the bad ones are noted at their line, the good ones analysed in place", () => {
    const { file, report } = checkJson(
      "list.yaml",
      [
        "apiVersion: v1", // 1
        "kind: List",
        "items:",
        "- 42", // 4
        "- just text", // 5
        "- {kind: Service}", // 6
        "- null",
        "- apiVersion: v1", // 8
        "  kind: ServiceList",
        "  items: not-a-list",
        "- apiVersion: apps/v1", // 11
        "  kind: Deployment",
        "  metadata: {name: inside}",
        "  spec:",
        "    selector: {matchLabels: {app: a}}",
        "    template: {metadata: {labels: {app: b}}}", // 16
        "- apiVersion: v1", // 17
        "  kind: ConfigMap",
        "  metadata: {labels: {a: b}}",
        "",
      ].join("\n"),
    );
    assert.deepEqual(summary(report), ["selector-mismatch Deployment/inside spec.template.metadata.labels @16"]);
    assert.deepEqual(report.notes, [
      { file, line: 4, message: "List item is not a mapping; skipped" },
      { file, line: 5, message: "List item is not a mapping; skipped" },
      { file, line: 6, message: "List item has no apiVersion/kind; skipped" },
      { file, line: 8, message: "ServiceList has no metadata.name; skipped" },
      { file, line: 17, message: "ConfigMap has no metadata.name; skipped" },
    ]);
  });

  test("generateName without a name: analysed under its prefix, never confused with a named object", () => {
    const { report } = checkJson(
      "generated.yaml",
      [
        "apiVersion: batch/v1",
        "kind: Job",
        "metadata:",
        "  generateName: migrate-",
        "  annotations: {helm.sh/hook: pre-upgrade}",
        "spec:",
        "  template:",
        "    metadata: {labels: {app: db, version: 1.10}}", // 8
        "    spec: {restartPolicy: Never, containers: [{name: m, image: busybox}]}",
        "---",
        "apiVersion: batch/v1",
        "kind: Job",
        "metadata: {generateName: migrate-}",
        "spec:",
        "  template: {metadata: {labels: {app: other}}, spec: {restartPolicy: Never, containers: [{name: m, image: busybox}]}}",
        "",
      ].join("\n"),
    );
    assert.deepEqual(summary(report), ["invalid-label Job/migrate-* spec.template.metadata.labels.version @8"]);
  });
});
