/**
 * The one runbook of an upgrade: every command once, deletes before the single
 * `helm upgrade`, the checks after it — built from real upgrade findings of the pure core.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { upgradeDocuments } from "../../src/analyze/upgrade/index.ts";
import { parseYamlStream, type HelmRelease } from "../../src/load/yaml.ts";
import { upgradeRunbook } from "../../src/report/runbook.ts";

/** Both sides as a chart render: the release, chart, namespace and values flags the user gave. */
const RENDERED: HelmRelease = { name: "shop", namespace: "prod", chart: "charts/shop", valuesArguments: ["--values=prod values.yaml", "--set=image.tag=2"] };

function runbookOf(from: string, to: string) {
  const docs = (text: string, file: string) => parseYamlStream(text, file).map((doc) => ({ ...doc, release: RENDERED }));
  const result = upgradeDocuments(docs(from, "from.yaml"), docs(to, "to.yaml"), { namespace: "prod" });
  return { result, steps: upgradeRunbook(result.findings, result.impact).map((s) => [s.stage, s.command]) };
}

function statefulSet(name: string, v: { serviceName: string; policy: string; chart: string; team: string }): string {
  return `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ${name}}
spec:
  serviceName: ${v.serviceName}
  podManagementPolicy: ${v.policy}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: db, image: postgres:16}]}
  volumeClaimTemplates:
    - metadata: {name: data, labels: {helm.sh/chart: ${v.chart}, team: ${v.team}}}
      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
`;
}
const OLD = { serviceName: "db", policy: "OrderedReady", chart: "shop-1.0.0", team: "a" };
const NEW = { serviceName: "db-headless", policy: "Parallel", chart: "shop-1.1.0", team: "b" };

test("runbook: four refused updates on one StatefulSet give one orphaning delete, one upgrade, one rollout check", () => {
  const { result, steps } = runbookOf(statefulSet("db", OLD), statefulSet("db", NEW));
  const refused = result.findings.filter((f) => f.rule === "immutable-field" && f.object.name === "db");
  // One finding for the StatefulSet (one finding per problem), holding the four refused changes.
  assert.equal(refused.length, 1);
  assert.equal((refused[0]!.evidence.changes as unknown[]).length, 4, "the case has four refused updates");
  assert.deepEqual(steps, [
    ["before", "kubectl delete statefulset db -n prod --cascade=orphan"],
    ["upgrade", "helm upgrade shop charts/shop -n prod '--values=prod values.yaml' --set=image.tag=2"],
    ["after", "kubectl -n prod rollout status statefulset db"],
  ]);
});

test("runbook: two StatefulSets with four refused updates each: both deletes before the one upgrade", () => {
  const { result, steps } = runbookOf(statefulSet("db", OLD) + statefulSet("cache", OLD), statefulSet("db", NEW) + statefulSet("cache", NEW));
  const refused = result.findings.filter((f) => f.rule === "immutable-field");
  assert.deepEqual(
    refused.map((f) => [f.object.name, (f.evidence.changes as unknown[]).length]),
    [["db", 4], ["cache", 4]],
  );
  assert.deepEqual(steps, [
    ["before", "kubectl delete statefulset db -n prod --cascade=orphan"],
    ["before", "kubectl delete statefulset cache -n prod --cascade=orphan"],
    ["upgrade", "helm upgrade shop charts/shop -n prod '--values=prod values.yaml' --set=image.tag=2"],
    ["after", "kubectl -n prod rollout status statefulset db"],
    ["after", "kubectl -n prod rollout status statefulset cache"],
  ]);
});

const deployment = (selector: string, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web, ${selector}}}
  template:
    metadata: {labels: {app: web, ${selector}}}
    spec: {containers: [{name: web, image: ${image}}]}
---
`;
const job = (tag: string) => `apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  template:
    metadata: {labels: {app: migrate}}
    spec: {restartPolicy: Never, containers: [{name: m, image: "migrate:${tag}"}]}
---
`;

test("runbook: two refused updates (a Deployment selector, a Job template): deletes, one upgrade, rollout check, then the orphan clean-up", () => {
  const { result, steps } = runbookOf(deployment("tier: v1", "web:1") + job("1"), deployment("tier: v2", "web:2") + job("2"));
  assert.deepEqual(
    result.findings.filter((f) => f.severity === "error").map((f) => `${f.rule} ${f.object.kind}/${f.object.name} ${f.path}`),
    ["immutable-field Deployment/web spec.selector", "immutable-field Job/migrate spec.template.spec.containers[0].image"],
  );
  assert.deepEqual(steps, [
    ["before", "kubectl delete deployment web -n prod --cascade=orphan"],
    ["before", "kubectl delete job migrate -n prod"],
    ["upgrade", "helm upgrade shop charts/shop -n prod '--values=prod values.yaml' --set=image.tag=2"],
    ["after", "kubectl -n prod rollout status deployment web"],
    ["after", "kubectl delete rs -n prod -l app=web,tier=v1"],
  ]);
});

test("runbook: a flag a finding adds to helm upgrade is carried by the one upgrade", () => {
  const service = (clusterIP: string) => `apiVersion: v1\nkind: Service\nmetadata: {name: svc}\nspec: {${clusterIP}selector: {app: web}, ports: [{port: 80}]}\n---\n`;
  const docs = (text: string, file: string) => parseYamlStream(text, file).map((doc) => ({ ...doc, release: RENDERED }));
  const result = upgradeDocuments(docs(service("") + job("1"), "from.yaml"), docs(service('clusterIP: "", ') + job("2"), "to.yaml"), {
    namespace: "prod",
    settings: { kubeVersion: "1.22", argoRolloutsVersion: undefined } as never,
  });
  const upgrades = upgradeRunbook(result.findings, result.impact).filter((s) => s.stage === "upgrade");
  assert.deepEqual(
    upgrades.map((s) => s.command),
    ["helm upgrade shop charts/shop -n prod '--values=prod values.yaml' --set=image.tag=2 '--set=<clusterIP value>=<ip>'"],
  );
});

test("runbook: nothing to run, no runbook", () => {
  assert.deepEqual(runbookOf(deployment("tier: v1", "web:1"), deployment("tier: v1", "web:2")).steps, []);
});

test("runbook: a check rule's migration (for the next chart version) stays with its finding, out of this upgrade's runbook", () => {
  const sts = statefulSet("db", OLD); // helm.sh/chart in the claim template: volatile-claim-template, the same on both sides
  const { result, steps } = runbookOf(sts + deployment("tier: v1", "web:1"), sts + deployment("tier: v1", "web:2"));
  const claim = result.findings.find((f) => f.rule === "volatile-claim-template");
  assert.ok(claim?.remedy.commands?.length, "the check finding keeps its own commands");
  assert.deepEqual(steps, []);
});
