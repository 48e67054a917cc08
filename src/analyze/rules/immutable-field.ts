/**
 * `immutable-field`: an object that `helm upgrade` patches in place changes a field the
 * API server refuses to change (docs/k8s-rules.md §1, checklist §8 items 1–10). What is
 * immutable, per kind and version, is data in src/k8s/ (update-rules.ts, api-errors.ts);
 * the checks per kind are in immutable-field/, each a few small predicates over the two
 * sides. Objects are compared after API-server defaulting (src/k8s/defaults.ts),
 * so writing out a default is no change.
 *
 * Only updated (non-hook) pairs are checked: hooks are deleted and created again, renamed
 * objects are a create plus a delete (plan.ts, §3.3).
 */
import { POD_CONTROLLERS } from "../../k8s/controllers.ts";
import { SELECTOR_FIXED_CONTROLLERS } from "../../k8s/update-rules.ts";
import { type Rule, ruleHelpUri } from "../rule.ts";
import type { UpdatePair } from "../upgrade/plan.ts";
import { pod, secretOrConfigMap, tableOnly } from "./immutable-field/objects.ts";
import type { Checked, KindCheck } from "./immutable-field/problem.ts";
import { DETAILS, findingsOf, MESSAGES } from "./immutable-field/report.ts";
import { service } from "./immutable-field/service.ts";
import { pv, pvc } from "./immutable-field/storage.ts";
import { job, statefulSet, workloadSelector } from "./immutable-field/workloads.ts";

export const immutableField: Rule = {
  meta: {
    id: "immutable-field",
    severity: "error",
    summary: "An upgrade changes a field that Kubernetes does not allow to change on an existing object.",
    messages: MESSAGES,
    details: DETAILS,
    why: "The API server rejects the patch (`field is immutable`, `Forbidden: updates to statefulset spec ...`), so `helm upgrade` fails with `UPGRADE FAILED: cannot patch ...` and the release is left half-applied. Typical causes: chart or app versions and user labels in workload selectors or StatefulSet claim templates, plain Jobs whose template changes, a Service switched to or from headless.",
    fix: "Keep immutable fields identical across chart versions (selectors from a small stable selector-labels helper; no version labels in claim templates or plain Job templates). If the change is intended, migrate the deployed release with the commands in the finding.",
    migration:
      "Each finding carries the commands for its field. For a workload selector: `kubectl delete <kind> <name> -n <namespace> --cascade=orphan`, then `helm upgrade` (the pods keep running and are adopted); for a plain Job: delete it, then upgrade; for a Service or another immutable object: delete and recreate it, accepting the short outage.",
    incident:
      "zitadel/zitadel-charts #389: upgrading from chart 9.1.0 to 9.1.1 failed with `cannot patch \"zitadel-login\" with kind Deployment: ... spec.selector: Invalid value: ...: field is immutable` and was rolled back; argoproj/argo-cd #12439 is the same failure for a DaemonSet selector under Argo CD, and fluxcd/helm-controller #1559 shows Flux retrying such an upgrade forever.",
    helpUri: ruleHelpUri("immutable-field"),
  },
  check(context, report) {
    const upgrade = context.upgrade;
    if (!upgrade) return;
    const version = context.settings.kubeVersion;
    for (const pair of upgrade.plan.updated) {
      const checked = checkPair(pair, version);
      if (!checked || checked.problems.length === 0) continue;
      for (const finding of findingsOf(pair, checked.problems, checked.remedy(checked.problems), version)) report(finding);
    }
  },
};

/** The check of each kind, by API group and kind (`group/kind`; the core group is ""). */
const CHECKS: ReadonlyMap<string, KindCheck> = new Map<string, KindCheck>([
  // In every group that serves them: legacy versions are checked too, and found mutable (Workload.selectorImmutable).
  ...SELECTOR_FIXED_CONTROLLERS.flatMap((kind) => POD_CONTROLLERS[kind]!.groups.map((group): [string, KindCheck] => [`${group}/${kind}`, workloadSelector])),
  ["apps/StatefulSet", statefulSet],
  ["batch/Job", job],
  ["/Service", service],
  ["/PersistentVolumeClaim", pvc],
  ["/PersistentVolume", pv],
  ["/Secret", secretOrConfigMap],
  ["/ConfigMap", secretOrConfigMap],
  ["/Pod", pod],
  ["rbac.authorization.k8s.io/RoleBinding", tableOnly],
  ["rbac.authorization.k8s.io/ClusterRoleBinding", tableOnly],
  ["storage.k8s.io/StorageClass", tableOnly],
  ["networking.k8s.io/IngressClass", tableOnly],
]);

function checkPair(pair: UpdatePair, version: string): Checked | undefined {
  const { group, ref } = pair.after;
  if (pair.before.group !== group || pair.before.ref.kind !== ref.kind) return undefined;
  return CHECKS.get(`${group}/${ref.kind}`)?.(pair, version);
}
