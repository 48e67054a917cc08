/**
 * What users read cites public sources only (the API server's validation code, an issue),
 * never this project's design notes, and reads as English.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { upgradeDocuments } from "../../src/analyze/upgrade/index.ts";
import { checkDocuments } from "../../src/analyze/check.ts";
import { DEFAULT_SETTINGS } from "../../src/analyze/context.ts";
import { parseYamlStream } from "../../src/load/yaml.ts";
import { ruleCatalog } from "../../src/report/rules-doc.ts";
import { checkExamplesResult, upgradeExamplesResult } from "./helpers.ts";

const INTERNAL = /k8s-rules|§/;

const sides = (v: { selector: string; image: string; clusterIP: string; storage: string; serviceName: string }) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web, tier: ${v.selector}}}
  template: {metadata: {labels: {app: web, tier: ${v.selector}}}, spec: {containers: [{name: web, image: web:1}]}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: ${v.serviceName}
  selector: {matchLabels: {app: db}}
  template: {metadata: {labels: {app: db}}, spec: {containers: [{name: db, image: db:1}]}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  template: {metadata: {labels: {app: migrate}}, spec: {restartPolicy: Never, containers: [{name: m, image: "${v.image}"}]}}
---
apiVersion: v1
kind: Service
metadata: {name: svc}
spec: {clusterIP: ${v.clusterIP}, selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: ${v.storage}}}}
`;

test("public sources: refused updates cite the API server's validation code, never k8s-rules.md", () => {
  const result = upgradeDocuments(
    parseYamlStream(sides({ selector: "a", image: "m:1", clusterIP: "10.0.0.1", storage: "2Gi", serviceName: "db" }), "from.yaml"),
    parseYamlStream(sides({ selector: "b", image: "m:2", clusterIP: "10.0.0.2", storage: "1Gi", serviceName: "db-headless" }), "to.yaml"),
    { namespace: "default" },
  );
  const refused = result.findings.filter((f) => f.rule === "immutable-field");
  assert.deepEqual(refused.map((f) => `${f.object.kind} ${f.path}`).sort(), [
    "Deployment spec.selector",
    "Job spec.template.spec.containers[0].image",
    "PersistentVolumeClaim spec.resources.requests.storage",
    "Service spec.clusterIP",
    "StatefulSet spec.serviceName",
  ]);
  const cited = (f: (typeof refused)[number]) => /kubernetes\/kubernetes pkg\/apis\/(apps|batch|core)\/validation/.exec(f.detail ?? "")?.[1];
  assert.deepEqual(refused.map((f) => `${f.object.kind} ${cited(f)}`).sort(), [
    "Deployment apps",
    "Job batch",
    "PersistentVolumeClaim core",
    "Service core",
    "StatefulSet apps",
  ]);
});

test("public sources: no finding, remedy or rule text of the examples names an internal document", () => {
  const texts = [
    ...[...checkExamplesResult().findings, ...upgradeExamplesResult().findings].flatMap((f) => [f.message, f.detail ?? "", f.remedy.text, ...(f.remedy.commands ?? [])]),
    ...ruleCatalog().flatMap((r) => [r.summary, r.why, r.fix, r.migration ?? "", r.incident ?? ""]),
  ];
  assert.ok(texts.length > 50);
  assert.deepEqual(texts.filter((t) => INTERNAL.test(t)), []);
});

test("grammar: a plain Job's volatile pod label 'makes helm upgrade fail'", () => {
  const job = 'apiVersion: batch/v1\nkind: Job\nmetadata: {name: migrate}\nspec:\n  template:\n    metadata: {labels: {helm.sh/chart: app-1.0.0}}\n    spec: {restartPolicy: Never, containers: [{name: m, image: m:1}]}\n';
  // The Job's template labels are volatile-job-template's: its detail says why the upgrade fails.
  const [finding] = checkDocuments(parseYamlStream(job, "job.yaml"), { namespace: "default", settings: DEFAULT_SETTINGS }).findings.filter((f) => f.rule === "volatile-job-template");
  assert.ok(finding);
  assert.match(finding.detail ?? "", /makes helm upgrade fail with "spec\.template: Invalid value: \.\.\.: field is immutable"\.$/);
  assert.doesNotMatch(finding.detail ?? "", /makes helm upgrade fails/);
});
