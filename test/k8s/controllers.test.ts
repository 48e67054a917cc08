import assert from "node:assert/strict";
import { test } from "node:test";
import { followsRolloutStatus, keepsPodsBySelector, POD_CONTROLLERS, rollsOnTemplateChange, scaleError } from "../../src/k8s/controllers.ts";

/** The kinds (in the table's order) of which a predicate holds, each asked with its first group. */
function kindsWhere(holds: (group: string, kind: string) => boolean): string[] {
  return Object.entries(POD_CONTROLLERS)
    .filter(([kind, controller]) => holds(controller.groups[0]!, kind))
    .map(([kind]) => kind);
}

test("controllers: who keeps pods by selector, who rolls them, who has /scale, whom kubectl rollout status follows", () => {
  assert.deepEqual(kindsWhere(keepsPodsBySelector), ["Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "ReplicationController", "Rollout"]);
  assert.deepEqual(kindsWhere(rollsOnTemplateChange), ["Deployment", "DaemonSet", "StatefulSet", "Rollout"]);
  assert.deepEqual(kindsWhere((group, kind) => scaleError(group, kind) === undefined), ["Deployment", "ReplicaSet", "StatefulSet", "ReplicationController", "Rollout"]);
  assert.deepEqual(kindsWhere(followsRolloutStatus), ["Deployment", "DaemonSet", "StatefulSet"]);
});

test("controllers: a kind counts only in the groups that serve it", () => {
  assert.equal(keepsPodsBySelector("extensions", "Deployment"), true);
  assert.equal(keepsPodsBySelector("example.com", "Deployment"), false);
  assert.equal(keepsPodsBySelector("", "Deployment"), false);
  assert.equal(rollsOnTemplateChange("apps", "Rollout"), false);
  assert.equal(keepsPodsBySelector("", "toString"), false, "no inherited property reads as a controller");
  // kubectl rollout status: apps/v1 only, not the legacy extensions group.
  assert.equal(followsRolloutStatus("extensions", "Deployment"), false);
});

test("controllers: the disruption controller's error for pods it cannot count", () => {
  assert.equal(scaleError("apps", "DaemonSet"), "daemonsets.apps does not implement the scale subresource");
  assert.equal(scaleError("batch", "Job"), "jobs.batch does not implement the scale subresource");
  assert.equal(scaleError("batch", "CronJob"), "jobs.batch does not implement the scale subresource");
  assert.equal(scaleError("", "Pod"), "found no controllers for pod");
  assert.equal(scaleError("apps.kruise.io", "CloneSet"), "found no controllers for pod");
});

test("controllers: every entry names its public source and its docs/k8s-rules.md section", () => {
  for (const [kind, controller] of Object.entries(POD_CONTROLLERS)) {
    assert.match(controller.source, /^https:\/\/(kubernetes\.io|argoproj\.github\.io)\//, kind);
    assert.match(controller.section, /^§\d/, kind);
  }
});
