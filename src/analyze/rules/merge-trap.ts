/**
 * `merge-trap`: updates that fail only because of how Helm applies them. Helm 3 (and
 * Helm 4 on releases installed by Helm 3, which keep client-side apply) sends a
 * three-way strategic merge patch: original = the previous release modified =
 * the new manifest, current = the live object (k8s-rules.md §3.1). Two consequences:
 *
 * 1. A field that was never in a manifest but was set by the API server (a default, an
 *    allocated value) is never removed (§3.5): a StatefulSet switched to `OnDelete` keeps
 *    the defaulted `rollingUpdate` → Forbidden (§1.5: rollingUpdate is only allowed with
 *    RollingUpdate). Not a Deployment switched to `Recreate`: its `spec.strategy` is a
 *    retainKeys field, so the patch clears the keys the manifest leaves out (§1.2).
 * 2. A field the manifest renders as `null` (or `""`) is compared with the *live* value:
 *    when the server filled it in, the patch sends the null/empty value on every upgrade,
 *    even when the old and new renders are identical (strategic-merge `diffMaps` puts the
 *    modified value in the patch whenever current and modified differ in type or value).
 *    - Service `clusterIP: ""` (or null) against the allocated IP (§1.8).
 *    - PVC `storageClassName:` null against the default class name (§1.9).
 *
 * Decisions on the UNCONFIRMED points (see the report / k8s-rules.md §9):
 * - Service clusterIP "": from allocated-value preservation (PR #103532) on, the server
 *   copies the old IP back into an update that leaves clusterIP empty, so nothing fails.
 *   Whether that is 1.22 or 1.23 is UNCONFIRMED; we report an error below 1.23 and
 *   nothing from 1.23 on (a possible false alarm on 1.22 rather than a missed failure).
 * - PVC `storageClassName:` null: the claim got the default StorageClass's name at
 *   creation (DefaultStorageClass admission, or the retroactive assignment of 1.28+);
 *   the patch then sends `storageClassName: null`, which would clear it, and a PVC spec
 *   change is Forbidden (§1.9). This is derived from the strategic-merge code and the
 *   validation, NOT tested against a cluster (UNCONFIRMED); it needs a default
 *   StorageClass (most clusters have one) and Helm's client-side apply (server-side apply
 *   drops nulls from the applied configuration). Reported as an error with both
 *   conditions in the message. `storageClassName: ""` is a real value (no dynamic
 *   provisioning) and is not a trap.
 */
import type { FieldPath } from "../../load/yaml.ts";
import { getPath, isRecord, type KubeObject } from "../../model/object.ts";
import { type FindingInput, type Rule, ruleHelpUri } from "../rule.ts";
import { apiInvalid, FIELD_IS_IMMUTABLE, fieldError, helmUpgradeError, pvcSpecForbiddenDetail, renderApiValue, validationSource } from "../../k8s/api-errors.ts";
import { defaultedManifest } from "../../k8s/defaults.ts";
import { SERVICE_KEEPS_ALLOCATED_VALUES } from "../../k8s/update-rules.ts";
import { gateApplies } from "../../k8s/versions.ts";
import type { UpdatePair } from "../upgrade/plan.ts";
import { releaseOf } from "../release.ts";
import { sh, ShellText } from "../shell.ts";

const CLUSTER_IP_REFUSED =
  "Kubernetes {{version}} does not copy allocated values back into an update (that arrived with kubernetes PR #103532, in 1.23 by our reading; 1.22 is unconfirmed), so the update is refused ({{source}}). `helm upgrade` fails with: {{helmError}}";
const NULL_CLASS = 'A null class means "use the default StorageClass": when the claim was created, the cluster\'s default class name was written into spec.storageClassName.';
const STORAGE_CLASS_REFUSED =
  "A PVC spec cannot change after creation ({{source}}). On a cluster with a default StorageClass (most have one), with Helm 3 or Helm 4 client-side apply, `helm upgrade` fails with: {{helmError}} (Derived from Helm's three-way merge and the PVC validation, not reproduced on a cluster.)";

export const mergeTrap: Rule = {
  meta: {
    id: "merge-trap",
    severity: "error",
    summary: "An upgrade that fails only because of Helm's three-way merge: a defaulted field it never removes, or a null/empty field it keeps sending.",
    messages: {
      onDeleteKeepsRollingUpdate: "updateStrategy changes to OnDelete, but the live rollingUpdate stays: the upgrade fails",
      clusterIPEmpty: "renders `clusterIP: \"\"` against the allocated IP: every upgrade fails on Kubernetes {{version}}",
      clusterIPNull: "renders `clusterIP:` with no value against the allocated IP: every upgrade fails on Kubernetes {{version}}",
      clusterIPDropped: "drops the empty clusterIP of the previous manifest: this upgrade fails on Kubernetes {{version}}",
      storageClassNull: "renders `storageClassName:` with no value against the default class: every upgrade fails",
      storageClassDropped: "drops the null storageClassName of the previous manifest: this upgrade fails",
    },
    details: {
      onDeleteKeepsRollingUpdate:
        "The previous manifest never set spec.updateStrategy.rollingUpdate: the API server filled it in (partition 0), and Helm's three-way merge does not remove it. rollingUpdate is only allowed with the RollingUpdate strategy ({{source}}). `helm upgrade` (Helm 3, or Helm 4 with client-side apply) fails with: {{helmError}}",
      clusterIPEmpty: `The live Service has the cluster IP the API server allocated, so Helm's three-way patch sends the empty value against it on every upgrade, even when nothing else changed. ${CLUSTER_IP_REFUSED}`,
      clusterIPNull: `The live Service has the cluster IP the API server allocated, so Helm's three-way patch sends the null against it on every upgrade, even when nothing else changed. ${CLUSTER_IP_REFUSED}`,
      clusterIPDropped: `The live Service has the cluster IP the API server allocated; with the empty key gone from the manifest, Helm's three-way patch sends a deletion of it once. ${CLUSTER_IP_REFUSED}`,
      storageClassNull: `${NULL_CLASS} Helm's three-way patch compares the manifest with that live value and sends \`storageClassName: null\` on every upgrade, even when nothing else changed, which would clear the field. ${STORAGE_CLASS_REFUSED}`,
      storageClassDropped: `${NULL_CLASS} The previous manifest rendered the null and the new one drops the key: Helm's three-way patch sends \`storageClassName: null\` once, which would clear the field. ${STORAGE_CLASS_REFUSED}`,
    },
    why: "Helm patches objects with a three-way merge of the previous manifest, the new manifest and the live object. Fields the API server filled in (a StatefulSet's defaulted rollingUpdate, an allocated cluster IP, the default StorageClass) are kept when the chart never mentioned them, and overwritten when the chart renders them empty. Either can make `helm upgrade` fail even though the rendered manifest is valid, sometimes on every upgrade.",
    fix: "Render `rollingUpdate: null` when switching a StatefulSet to the OnDelete strategy; leave clusterIP and storageClassName out of the manifest instead of rendering them empty (wrap them in `{{- with }}` / `{{- if }}`).",
    migration:
      "Patch the live object to the target shape first, in one step, then upgrade: for the OnDelete switch `kubectl patch statefulset <name> --type=json -p '[{\"op\":\"replace\",\"path\":\"/spec/updateStrategy\",\"value\":{\"type\":\"OnDelete\"}}]'`, then `helm upgrade`. Each finding gives the exact commands.",
    incident:
      "cetic/helm-swagger-ui #6: `helm upgrade` of an unchanged release failed with `spec.clusterIP: Invalid value: \"\": field is immutable`, because the chart rendered `clusterIP: \"\"` against the allocated IP (fixed by rendering clusterIP only when set); helm/helm #6378 collects the same failure across charts.",
    helpUri: ruleHelpUri("merge-trap"),
  },
  check(context, report) {
    const upgrade = context.upgrade;
    if (!upgrade) return;
    const version = context.settings.kubeVersion;
    for (const pair of upgrade.plan.updated) {
      const { kind } = pair.after.ref;
      const group = pair.after.group;
      if (pair.before.ref.kind !== kind || pair.before.group !== group) continue;
      if (group === "apps" && kind === "StatefulSet") onDeleteTrap(pair, version, report);
      else if (group === "" && kind === "Service") emptyClusterIP(pair, version, report);
      else if (group === "" && kind === "PersistentVolumeClaim") nullStorageClass(pair, version, report);
    }
  },
};

type Report = (finding: FindingInput) => void;

/** §1.5 (rollingUpdate only with RollingUpdate) + §3.5: a StatefulSet switched to OnDelete keeps the defaulted `rollingUpdate: {partition: 0}`. */
function onDeleteTrap(pair: UpdatePair, version: string, report: Report): void {
  const after = pair.after.raw;
  if (getPath(after, ["spec", "updateStrategy", "type"]) !== "OnDelete") return;
  const afterStrategy = getPath(after, ["spec", "updateStrategy"]);
  if (isRecord(afterStrategy) && Object.hasOwn(afterStrategy, "rollingUpdate")) return;
  const beforeType = getPath(defaultedManifest(pair.before.raw, pair.before.ref.apiVersion, "StatefulSet"), ["spec", "updateStrategy", "type"]);
  if (beforeType !== "RollingUpdate") return;
  const beforeStrategy = getPath(pair.before.raw, ["spec", "updateStrategy"]);
  if (isRecord(beforeStrategy) && Object.hasOwn(beforeStrategy, "rollingUpdate")) return;
  const { name } = pair.after.ref;
  const r = releaseOf(pair.after);
  // The detail text is from ValidateStatefulSetSpec as remembered; k8s-rules.md §1.5 states
  // the rule ("rollingUpdate is only allowed with RollingUpdate") but not the exact words.
  const error = fieldError("spec.updateStrategy.rollingUpdate", "Invalid value", "only allowed for updateStrategy 'RollingUpdate'", renderApiValue({ partition: 0 }, version));
  const apiError = apiInvalid("StatefulSet", "apps", name, error);
  report({
    object: pair.after,
    path: ["spec", "updateStrategy", "type"],
    messageId: "onDeleteKeepsRollingUpdate",
    data: { source: validationSource("apps"), helmError: helmUpgradeError("StatefulSet", name, apiError) },
    evidence: { before: beforeType, after: "OnDelete", rollingUpdateInPreviousManifest: false, apiError },
    remedy: {
      text: "Render `rollingUpdate: null` next to `type: OnDelete` in the chart. For an upgrade with the current chart, switch the live StatefulSet first (type and rollingUpdate in one patch):",
      commands: [sh`kubectl patch statefulset ${name}${r.ns} --type=json -p '[{"op":"replace","path":"/spec/updateStrategy","value":{"type":"OnDelete"}}]'`, r.upgrade],
    },
  });
}

/** §1.8: `clusterIP: ""` / `clusterIP:` (null) against the allocated IP, on clusters that do not copy it back. */
function emptyClusterIP(pair: UpdatePair, version: string, report: Report): void {
  const type = getPath(defaultedManifest(pair.after.raw, "v1", "Service"), ["spec", "type"]);
  const beforeType = getPath(defaultedManifest(pair.before.raw, "v1", "Service"), ["spec", "type"]);
  if (type === "ExternalName" || beforeType === "ExternalName") return;
  // Decision (see header): from 1.23 the API server refills an empty clusterIP from the old object.
  if (gateApplies(SERVICE_KEEPS_ALLOCATED_VALUES, version)) return;
  const path = emptyKeyPath(pair.after, ["spec", "clusterIP"]) ?? droppedEmptyKeyPath(pair, ["spec", "clusterIP"]);
  if (!path) return;
  // An explicit IP in the previous manifest that is now empty is immutable-field's case (same error).
  const beforeIP = getPath(pair.before.raw, ["spec", "clusterIP"]);
  if (typeof beforeIP === "string" && beforeIP !== "") return;
  const { name } = pair.after.ref;
  const rendered = getPath(pair.after.raw, ["spec", "clusterIP"]);
  const messageId = rendered === "" ? "clusterIPEmpty" : rendered === null ? "clusterIPNull" : "clusterIPDropped";
  const error = fieldError("spec.clusterIP", "Invalid value", FIELD_IS_IMMUTABLE, '""');
  const apiError = apiInvalid("Service", "", name, error);
  report({
    object: pair.after,
    path,
    messageId,
    data: { version, source: validationSource(""), helmError: helmUpgradeError("Service", name, apiError) },
    evidence: { before: beforeIP ?? null, after: rendered ?? null, apiError },
    remedy: {
      text:
        "Leave clusterIP out of the manifest unless it has a value, e.g. `{{- with .Values.service.clusterIP }}clusterIP: {{ . }}{{- end }}`. " +
        'For a release whose stored manifest already has the empty value, dropping the key is not enough on this cluster: Helm then sends a deletion (the same failure, once). For that upgrade render the IP the Service already has (look it up, then set it, e.g. `--set service.clusterIP=<ip>`): an equal value makes the patch a no-op. Clusters from 1.23 on refill the IP and do not fail.',
      commands: [sh`kubectl get service ${name}${releaseOf(pair.after).ns} -o jsonpath='{.spec.clusterIP}'`, sh`${new ShellText(releaseOf(pair.after).upgrade)} ${"--set=<clusterIP value>=<ip>"}`],
    },
  });
}

/** §1.9: `storageClassName:` rendered as null against the default class the claim was given at creation. */
function nullStorageClass(pair: UpdatePair, version: string, report: Report): void {
  const path = emptyKeyPath(pair.after, ["spec", "storageClassName"], false) ?? droppedEmptyKeyPath(pair, ["spec", "storageClassName"], false);
  if (!path) return;
  // A class name (or "") in the previous manifest that is now null/absent is immutable-field's case.
  if (typeof getPath(pair.before.raw, ["spec", "storageClassName"]) === "string") return;
  const { name } = pair.after.ref;
  const inTarget = path.length === 2;
  const error = fieldError("spec", "Forbidden", pvcSpecForbiddenDetail(version));
  const apiError = apiInvalid("PersistentVolumeClaim", "", name, error);
  report({
    object: pair.after,
    path,
    messageId: inTarget ? "storageClassNull" : "storageClassDropped",
    data: { source: validationSource(""), helmError: helmUpgradeError("PersistentVolumeClaim", name, apiError) },
    evidence: { before: inTarget ? getPath(pair.before.raw, ["spec", "storageClassName"]) ?? null : null, after: null, apiError },
    remedy: {
      text:
        'Leave storageClassName out of the manifest when no class is configured (`{{- with .Values.persistence.storageClass }}storageClassName: {{ . }}{{- end }}`), and render `storageClassName: ""` only to disable dynamic provisioning on purpose. ' +
        "For a release whose stored manifest already has the null, simply dropping the key is not enough: Helm then sends a deletion (the same failure, once). For that upgrade render the class the claim already has (look it up, then set it, e.g. `--set persistence.storageClass=<class>`): an equal value makes the patch a no-op.",
      commands: [sh`kubectl get pvc ${name}${releaseOf(pair.after).ns} -o jsonpath='{.spec.storageClassName}'`, sh`${new ShellText(releaseOf(pair.after).upgrade)} ${"--set=<storage-class value>=<class>"}`],
    },
  });
}

/** The path when `object` has the key at `path` with a null (or, if `emptyString`, "") value. */
function emptyKeyPath(object: KubeObject, path: FieldPath, emptyString = true): FieldPath | undefined {
  const parent = getPath(object.raw, path.slice(0, -1));
  const key = path[path.length - 1] as string;
  if (!isRecord(parent) || !Object.hasOwn(parent, key)) return undefined;
  const value = parent[key];
  return value === null || (emptyString && value === "") ? path : undefined;
}

/** The parent path when the previous manifest had the key empty and the new one drops it (the merge sends a deletion). */
function droppedEmptyKeyPath(pair: UpdatePair, path: FieldPath, emptyString = true): FieldPath | undefined {
  if (!emptyKeyPath(pair.before, path, emptyString)) return undefined;
  const parent = getPath(pair.after.raw, path.slice(0, -1));
  const key = path[path.length - 1] as string;
  if (isRecord(parent) && Object.hasOwn(parent, key)) return undefined;
  return path.slice(0, -1);
}
