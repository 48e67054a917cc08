import assert from "node:assert/strict";
import { test } from "node:test";
import type { UpgradePlan } from "../../../src/analyze/upgrade/plan.ts";
import { replacedPairs } from "../../../src/analyze/upgrade/replacements.ts";
import type { KubeObject } from "../../../src/model/object.ts";
import { planOf, yaml } from "../../helpers/upgrade-cases.ts";

const names = (objects: readonly KubeObject[]) => objects.map((o) => `${o.ref.apiVersion} ${o.ref.kind}/${o.ref.name}`).sort();

function summary(plan: UpgradePlan) {
  return {
    updated: names(plan.updated.map((p) => p.after)),
    created: names(plan.created),
    deleted: names(plan.deleted),
    kept: names(plan.kept),
    hooks: names(plan.hooks),
  };
}

const cm = (name: string, extra = "") => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}${extra}}\n`;

test("plan: reordered documents are the same objects, updated in place", () => {
  const from = [cm("a"), cm("b"), cm("c")].join("---\n");
  const to = [cm("c"), cm("a"), cm("b")].join("---\n");
  assert.deepEqual(summary(planOf(from, to)), {
    updated: ["v1 ConfigMap/a", "v1 ConfigMap/b", "v1 ConfigMap/c"],
    created: [],
    deleted: [],
    kept: [],
    hooks: [],
  });
});

test("plan: pairs with the before and after object of each identity", () => {
  const plan = planOf(`${cm("a")}data: {x: "1"}\n`, `${cm("a")}data: {x: "2"}\n`);
  assert.equal(plan.updated.length, 1);
  assert.deepEqual(plan.updated[0]!.before.raw.data, { x: "1" });
  assert.deepEqual(plan.updated[0]!.after.raw.data, { x: "2" });
});

test("plan: a List is unpacked, and explicit vs implied release namespace is the same object", () => {
  const from = yaml`
    apiVersion: v1
    kind: List
    items:
      - {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}
  `;
  const to = cm("a", ", namespace: apps");
  assert.deepEqual(summary(planOf(from, to, "apps")).updated, ["v1 ConfigMap/a"]);
  assert.deepEqual(summary(planOf(from, to, "other")), {
    updated: [],
    created: ["v1 ConfigMap/a"],
    deleted: ["v1 ConfigMap/a"],
    kept: [],
    hooks: [],
  });
});

test("plan: hooks are recreated around the upgrade, never paired, created or deleted", () => {
  const hook = (name: string, when: string) => cm(name, `, annotations: {helm.sh/hook: "${when}"}`);
  const from = [cm("a"), hook("migrate", "pre-upgrade"), hook("test", "test")].join("---\n");
  const to = [cm("a"), hook("migrate", "pre-install,pre-upgrade"), hook("migrate-2", "pre-upgrade")].join("---\n");
  assert.deepEqual(summary(planOf(from, to)), {
    updated: ["v1 ConfigMap/a"],
    created: [],
    deleted: [],
    kept: [],
    hooks: ["v1 ConfigMap/migrate", "v1 ConfigMap/migrate", "v1 ConfigMap/migrate-2", "v1 ConfigMap/test"],
  });
});

test("plan: a removed object with helm.sh/resource-policy: keep is left behind, not deleted", () => {
  const from = [cm("a", ", annotations: {helm.sh/resource-policy: keep}"), cm("b"), cm("c", ", annotations: {helm.sh/resource-policy: Keep}")].join("---\n");
  assert.deepEqual(summary(planOf(from, "")), {
    updated: [],
    created: [],
    deleted: ["v1 ConfigMap/b", "v1 ConfigMap/c"],
    kept: ["v1 ConfigMap/a"],
    hooks: [],
  });
});

test("plan: generateName objects are created every time and never deleted by the upgrade", () => {
  const job = `apiVersion: batch/v1\nkind: Job\nmetadata: {generateName: smoke-}\nspec: {template: {spec: {containers: [{name: a, image: a}]}}}\n`;
  assert.deepEqual(summary(planOf(job, job)), { updated: [], created: ["batch/v1 Job/smoke-*"], deleted: [], kept: [], hooks: [] });
});

test("plan: an API group change is a new object (create + delete), and replacedPairs names it", () => {
  const from = `apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: web}\n`;
  const to = `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web}\n`;
  const plan = planOf(from, to);
  assert.deepEqual(summary(plan), {
    updated: [],
    created: ["networking.k8s.io/v1 Ingress/web"],
    deleted: ["extensions/v1beta1 Ingress/web"],
    kept: [],
    hooks: [],
  });
  assert.deepEqual(replacedPairs(plan).map((p) => [p.why, p.matchedBy]), [["group-change", "name"]]);
});

test("plan: a version-only apiVersion change is the same object (Helm 3.17.1+ / 4.1.1+)", () => {
  const hpa = (version: string) => `apiVersion: autoscaling/${version}\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\n`;
  const plan = planOf(hpa("v2beta2"), hpa("v2"));
  assert.deepEqual(summary(plan).updated, ["autoscaling/v2 HorizontalPodAutoscaler/web"]);
  assert.equal(plan.updated[0]!.before.ref.apiVersion, "autoscaling/v2beta2");
  assert.deepEqual(replacedPairs(plan), []);
});

test("plan: the same name in another kind or namespace is another object", () => {
  const from = [cm("web"), `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: other}\n`].join("---\n");
  const to = `apiVersion: v1\nkind: Secret\nmetadata: {name: web}\n`;
  const plan = planOf(from, to);
  assert.deepEqual(summary(plan), {
    updated: [],
    created: ["v1 Secret/web"],
    deleted: ["v1 ConfigMap/web", "v1 ConfigMap/web"],
    kept: [],
    hooks: [],
  });
  // A ConfigMap becoming a Secret is not a workload moving: no replacement pair.
  assert.deepEqual(replacedPairs(plan), []);
});

test("replacedPairs: kept objects pair too, marked kept", () => {
  const deploy = (name: string, keep: boolean) => yaml`
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: ${name}, annotations: {${keep ? "helm.sh/resource-policy: keep" : ""}}}
    spec:
      selector: {matchLabels: {app: web}}
      template: {metadata: {labels: {app: web}}}
  `;
  const pairs = replacedPairs(planOf(deploy("web", true), deploy("web-v2", false)));
  assert.deepEqual(pairs.map((p) => [p.before.ref.name, p.after.ref.name, p.why, p.matchedBy, p.kept]), [["web", "web-v2", "rename", "selector", true]]);
});

test("replacedPairs: Jobs never pair, even with identical templates (per-revision names)", () => {
  const job = (name: string) => `apiVersion: batch/v1\nkind: Job\nmetadata: {name: ${name}}\nspec: {template: {metadata: {labels: {app: x}}, spec: {containers: [{name: m, image: "x:1"}]}}}\n`;
  const plan = planOf(job("x-migrate-3"), job("x-migrate-4"));
  assert.deepEqual(summary(plan).created, ["batch/v1 Job/x-migrate-4"]);
  assert.deepEqual(summary(plan).deleted, ["batch/v1 Job/x-migrate-3"]);
  assert.deepEqual(replacedPairs(plan), []);
});
