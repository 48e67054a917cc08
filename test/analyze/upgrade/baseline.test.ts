/**
 * How `upgrade` tells what it introduces or changes from what the release already has:
 * each finding of the target matched with the findings of the release as it is by rule,
 * object identity (through renames) and field path, never by message text.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Finding, Severity } from "../../../src/analyze/finding.ts";
import { compareWithBaseline, introducedByUpgrade } from "../../../src/analyze/upgrade/baseline.ts";
import { upgradeDocuments } from "../../../src/analyze/upgrade/index.ts";
import { parseYamlStream } from "../../../src/load/yaml.ts";
import type { ObjectRef } from "../../../src/model/object.ts";
import { yaml } from "../../helpers/rule-cases.ts";

function deployment(name: string, image = "web:1", podLabels = "app: web"): string {
  return yaml`
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: ${name}}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata:
          labels: {${podLabels}}
        spec:
          containers: [{name: web, image: "${image}"}]
  `;
}

/**
 * A Job whose pods carry `app: web`, so the Service below also sends them traffic. A plain
 * Job runs once, at install; `hook` makes it run on upgrades too (a headless Service by
 * design then still reaches its pods).
 */
function job(labels = "app: web", hook?: string): string {
  const annotations = hook === undefined ? "" : `, annotations: {"helm.sh/hook": ${hook}}`;
  return yaml`
    apiVersion: batch/v1
    kind: Job
    metadata: {name: web-check${annotations}}
    spec:
      template:
        metadata:
          labels: {${labels}}
        spec:
          restartPolicy: Never
          containers: [{name: check, image: "web:1"}]
  `;
}

function service(name: string): string {
  return yaml`
    apiVersion: v1
    kind: Service
    metadata: {name: ${name}}
    spec:
      selector: {app: web}
      ports: [{port: 80}]
  `;
}

/** A headless memberlist Service: selecting several pods is its purpose. */
function gossipService(name: string): string {
  return yaml`
    apiVersion: v1
    kind: Service
    metadata: {name: ${name}}
    spec:
      clusterIP: None
      selector: {app: web}
      ports: [{name: gossip, port: 7946}]
  `;
}

const release = (...docs: string[]) => docs.join("---\n");

function compare(from: string, to: string) {
  const result = upgradeDocuments(parseYamlStream(from, "from.yaml"), parseYamlStream(to, "to.yaml"), { namespace: "default" });
  const brief = (f: Finding) => `${f.baselineState ?? "absent"} ${f.rule} ${f.severity} ${f.object.kind}/${f.object.name} ${f.path}`;
  return { findings: result.findings.map(brief), absent: result.absent.map(brief), result };
}

const before = release(deployment("web"), job(), service("web"));

test("baseline: a problem both versions have, unchanged, is `unchanged` and not counted by default", () => {
  const { findings, absent, result } = compare(before, release(deployment("web", "web:2"), job(), service("web")));
  assert.deepEqual(findings, [
    "unchanged selector-overlap info Deployment/web spec.selector",
    "unchanged selector-overlap error Service/web spec.selector",
  ]);
  assert.deepEqual(absent, []);
  assert.deepEqual(result.findings.filter(introducedByUpgrade), []);
});

test("baseline: the message never counts: a label value that changes with every version is the same problem", () => {
  const labelled = (version: string) => deployment("web", "web:1", `app: web, helm.sh/chart: web-${version}`);
  const { findings, result } = compare(labelled("1.0.0"), labelled("1.0.1"));
  assert.deepEqual(findings, [
    // The roll this bump causes is the upgrade's own doing.
    "new needless-rollout warning Deployment/web spec.template.metadata.labels",
    "unchanged volatile-pod-labels warning Deployment/web spec.template.metadata.labels",
  ]);
  // Its evidence names the new value (the one before named web-1.0.0): matched all the same.
  assert.deepEqual(result.findings[1]!.evidence.labels, [{ key: "helm.sh/chart", value: "web-1.0.1", cause: "name", reason: "key" }]);
});

test("baseline: a changed severity is `updated` and counted (a headless gossip Service, by design over the Job's pods, becomes a balancing Service)", () => {
  const { findings, absent, result } = compare(release(deployment("web"), job("app: web", "post-upgrade"), gossipService("web")), release(deployment("web", "web:2"), job("app: web", "post-upgrade"), service("web")));
  assert.deepEqual(findings, [
    "unchanged selector-overlap info Deployment/web spec.selector",
    "new immutable-field warning Service/web spec",
    "updated selector-overlap error Service/web spec.selector",
  ]);
  assert.deepEqual(absent, []);
  assert.equal(result.findings.filter(introducedByUpgrade).length, 2);
});

test("baseline: a renamed object is the object it replaces: its old problem stays `unchanged`; the rename itself is `new`", () => {
  const { findings, absent } = compare(before, release(deployment("web-app", "web:2"), job(), service("web-svc")));
  assert.deepEqual(findings, [
    "new object-replaced warning Deployment/web-app metadata.name",
    "unchanged selector-overlap info Deployment/web-app spec.selector",
    "new object-replaced warning Service/web-svc metadata.name",
    "unchanged selector-overlap error Service/web-svc spec.selector",
  ]);
  assert.deepEqual(absent, []);
});

test("baseline: a problem the upgrade fixes is `absent`, located in the release as it is", () => {
  const { findings, absent, result } = compare(before, release(deployment("web", "web:2"), job("app: web-check"), service("web")));
  // Changing a plain Job's pod labels is refused: that is new.
  assert.deepEqual(findings, ["new immutable-field error Job/web-check spec.template.metadata.labels.app"]);
  assert.deepEqual(absent, [
    "absent selector-overlap info Deployment/web spec.selector",
    "absent selector-overlap error Service/web spec.selector",
  ]);
  assert.deepEqual(result.absent.map((f) => [f.location.file, f.location.line]), [["from.yaml", 5], ["from.yaml", 27]]);
});

test("baseline: a problem only the target has is `new`", () => {
  const { findings, absent } = compare(release(deployment("web"), service("web")), release(deployment("web", "web:2"), job(), service("web")));
  assert.deepEqual(findings, ["new selector-overlap info Deployment/web spec.selector", "new selector-overlap error Service/web spec.selector"]);
  assert.deepEqual(absent, []);
});

test("baseline: findings on one rule, object and path pair first with the same related objects, then in order (other related objects: `updated`)", () => {
  const ref = (kind: string, name: string): ObjectRef => ({ apiVersion: kind === "Service" ? "v1" : "batch/v1", kind, namespace: "default", name });
  const finding = (related: string, severity: Severity = "error"): Finding => ({
    rule: "selector-overlap",
    severity,
    messageId: "test",
    data: {},
    message: `overlaps ${related}`,
    object: ref("Service", "web"),
    path: "spec.selector",
    location: { file: "x.yaml", line: 1 },
    related: [ref("Job", related)],
    evidence: {},
    remedy: { text: "" },
  });
  const compared = compareWithBaseline([finding("b"), finding("c")], [finding("a"), finding("b")], []);
  assert.deepEqual(compared.findings.map((f) => [f.related[0]!.name, f.baselineState]), [["b", "unchanged"], ["c", "updated"]]);
  assert.deepEqual(compared.absent, []);
  // One more on the previous side: the one left over is absent.
  const more = compareWithBaseline([finding("b")], [finding("a"), finding("b", "warning")], []);
  assert.deepEqual(more.findings.map((f) => f.baselineState), ["updated"]);
  assert.deepEqual(more.absent.map((f) => f.related[0]!.name), ["a"]);
});

test("baseline: a plain Job whose template change this upgrade refuses is one finding, immutable-field's; the same trap from volatile-job-template is not said again, nor absent", () => {
  // The app version stays: the upgrade refuses the chart label's change, the trap names the app version label first (another path).
  const chartJob = (version: string) => job(`app: check, app.kubernetes.io/version: "2.0", helm.sh/chart: web-${version}`);
  const { findings, absent } = compare(chartJob("1.0.0"), chartJob("1.0.1"));
  assert.deepEqual(findings, ["new immutable-field error Job/web-check spec.template.metadata.labels.helm.sh/chart"]);
  assert.deepEqual(absent, []);
  // On a release with nothing to refuse (the same chart version), the trap is still reported.
  assert.deepEqual(compare(chartJob("1.0.0"), chartJob("1.0.0")).findings, [
    "unchanged volatile-job-template error Job/web-check spec.template.metadata.labels.app.kubernetes.io/version",
  ]);
});

test("baseline: a Job this upgrade renames (a name per release, from the same template) is created anew, never patched: no volatile-job-template trap on either side", () => {
  // zammad's init Job, named with .Release.Revision (or a random suffix): the plan creates web-check-2 and deletes web-check-1.
  const named = (name: string, version: string) => `# Source: web/templates/job.yaml\n${job(`app: check, helm.sh/chart: web-${version}`).replace("name: web-check", `name: ${name}`)}`;
  const renamed = compare(named("web-check-1", "1.0.0"), named("web-check-2", "1.0.1"));
  assert.deepEqual(renamed.findings, []);
  assert.deepEqual(renamed.absent, []);
  assert.deepEqual(
    [renamed.result.impact.created, renamed.result.impact.deleted].map((list) => list.map((ref) => ref.name)),
    [["web-check-2"], ["web-check-1"]],
  );
  // Another template's Job deleted beside it proves nothing: the trap stays on the new Job.
  const other = compare(`# Source: web/templates/old-job.yaml\n${job("app: old").replace("name: web-check", "name: web-old")}`, named("web-check-2", "1.0.1"));
  assert.deepEqual(other.findings, ["new volatile-job-template error Job/web-check-2 spec.template.metadata.labels.helm.sh/chart"]);
});
