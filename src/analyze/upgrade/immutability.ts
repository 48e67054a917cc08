/**
 * The immutability table, as data: which fields of which kinds the API server refuses to
 * change on update, from which Kubernetes version, and the exact error it prints. Every
 * entry cites its section of docs/k8s-rules.md (§1.x); the rules in
 * src/analyze/rules/immutable-field.ts and merge-trap.ts read this table and contain only
 * the comparison logic.
 *
 * Version strings are "major.minor". `since` is the first version the entry applies to,
 * `until` the first version it no longer applies to.
 */
import type { FieldPath } from "../../load/yaml.ts";

// ---------------------------------------------------------------------------------------
// Versions
// ---------------------------------------------------------------------------------------

function parts(version: string): [number, number] {
  const match = /^v?(\d+)\.(\d+)/.exec(version.trim());
  return match ? [Number(match[1]), Number(match[2])] : [1, 0];
}

/** `version >= min`, both "major.minor" (a patch part or a leading `v` is ignored). */
export function versionAtLeast(version: string, min: string): boolean {
  const [a, b] = parts(version);
  const [c, d] = parts(min);
  return a > c || (a === c && b >= d);
}

export interface VersionGate {
  since?: string;
  until?: string;
}

export function gateApplies(gate: VersionGate, version: string): boolean {
  if (gate.since !== undefined && !versionAtLeast(version, gate.since)) return false;
  if (gate.until !== undefined && versionAtLeast(version, gate.until)) return false;
  return true;
}

// ---------------------------------------------------------------------------------------
// Simple "this field may not change" entries
// ---------------------------------------------------------------------------------------

export type ErrorType = "Invalid value" | "Forbidden";

export interface ImmutableField {
  /** API group ("" = core) and kind. */
  group: string;
  kind: string;
  /** The field in the manifest. */
  path: FieldPath;
  /** The path the API server prints (sometimes without `spec.`, §1.9–1.11). */
  errorPath: string;
  errorType: ErrorType;
  /** The detail after the value; per version where it changed. */
  detail: string;
  section: string;
  /** Versions where the rule holds (default: all). */
  gate?: VersionGate;
  /** Why it is immutable, one sentence for the message. */
  why: string;
}

const IMMUTABLE = "field is immutable";

/**
 * Fields compared as a whole (after defaults) on updated objects. Selectors of
 * Deployment/ReplicaSet/DaemonSet are here too; whether the object's apiVersion makes
 * them immutable is decided by Workload.selectorImmutable (src/model/workloads.ts, §1.2–1.4).
 */
export const IMMUTABLE_FIELDS: readonly ImmutableField[] = [
  // §1.2 Deployment, §1.3 ReplicaSet, §1.4 DaemonSet: spec.selector (apps/v1, apps/v1beta2).
  ...(["Deployment", "ReplicaSet", "DaemonSet"] as const).map(
    (kind): ImmutableField => ({
      group: "apps",
      kind,
      path: ["spec", "selector"],
      errorPath: "spec.selector",
      errorType: "Invalid value",
      detail: IMMUTABLE,
      section: kind === "Deployment" ? "§1.2" : kind === "ReplicaSet" ? "§1.3" : "§1.4",
      why: `the selector of an apps/v1 ${kind} is immutable: it decides which pods (and ReplicaSets) the controller owns`,
    }),
  ),
  // §1.6 Job: selector, completionMode, podFailurePolicy, backoffLimitPerIndex, managedBy,
  // successPolicy are immutable; template and completions have their own logic (JOB_* below).
  ...(
    [
      [["spec", "selector"], "a Job's selector is fixed at creation"],
      [["spec", "completionMode"], "a Job's completion mode is fixed at creation"],
      [["spec", "podFailurePolicy"], "a Job's pod failure policy is fixed at creation"],
      [["spec", "backoffLimitPerIndex"], "a Job's per-index backoff limit is fixed at creation"],
      [["spec", "managedBy"], "the controller that manages a Job is fixed at creation"],
      [["spec", "successPolicy"], "a Job's success policy is fixed at creation"],
    ] as const
  ).map(
    ([path, why]): ImmutableField => ({
      group: "batch",
      kind: "Job",
      path,
      errorPath: path.join("."),
      errorType: "Invalid value",
      detail: IMMUTABLE,
      section: "§1.6",
      why,
    }),
  ),
  // §1.10 PersistentVolume volumeMode (printed without `spec.`).
  {
    group: "",
    kind: "PersistentVolume",
    path: ["spec", "volumeMode"],
    errorPath: "volumeMode",
    errorType: "Invalid value",
    detail: IMMUTABLE,
    section: "§1.10",
    why: "a PersistentVolume's volumeMode is fixed at creation",
  },
  // §1.11 Secret type: always immutable (the path is just `type`).
  {
    group: "",
    kind: "Secret",
    path: ["type"],
    errorPath: "type",
    errorType: "Invalid value",
    detail: IMMUTABLE,
    section: "§1.11",
    why: "a Secret's type is fixed at creation",
  },
  // §1.13 RoleBinding / ClusterRoleBinding roleRef. The detail may become
  // `field is immutable` after the 1.37 declarative-validation move (UNCONFIRMED, §1.13).
  ...(["RoleBinding", "ClusterRoleBinding"] as const).map(
    (kind): ImmutableField => ({
      group: "rbac.authorization.k8s.io",
      kind,
      path: ["roleRef"],
      errorPath: "roleRef",
      errorType: "Invalid value",
      detail: "cannot change roleRef",
      section: "§1.13",
      why: `a ${kind}'s roleRef is fixed at creation; only its subjects may change`,
    }),
  ),
  // §1.14 StorageClass: handwritten messages through 1.35; from 1.36 possibly
  // `field is immutable` (UNCONFIRMED), so the path and type are what matters.
  ...(
    [
      ["parameters", "Forbidden", "updates to parameters are forbidden."],
      ["provisioner", "Forbidden", "updates to provisioner are forbidden."],
      ["reclaimPolicy", "Forbidden", "updates to reclaimPolicy are forbidden."],
      ["volumeBindingMode", "Invalid value", IMMUTABLE],
    ] as const
  ).map(
    ([field, errorType, detail]): ImmutableField => ({
      group: "storage.k8s.io",
      kind: "StorageClass",
      path: [field],
      errorPath: field,
      errorType,
      detail,
      section: "§1.14",
      why: `a StorageClass's ${field} is fixed at creation`,
    }),
  ),
  // §1.16 IngressClass spec.controller.
  {
    group: "networking.k8s.io",
    kind: "IngressClass",
    path: ["spec", "controller"],
    errorPath: "spec.controller",
    errorType: "Invalid value",
    detail: IMMUTABLE,
    section: "§1.16",
    why: "an IngressClass's controller is fixed at creation",
  },
];

/**
 * The public source of a refusal, for messages: the API server's validation code of the
 * object's API group (core for ""). The notes this table cites stay out of what users read.
 */
export function validationSource(group: string): string {
  return `kubernetes/kubernetes pkg/apis/${group === "" ? "core" : group.split(".")[0]}/validation`;
}

export function immutableFieldsFor(group: string, kind: string): ImmutableField[] {
  return IMMUTABLE_FIELDS.filter((f) => f.group === group && f.kind === kind);
}

// ---------------------------------------------------------------------------------------
// §1.5 StatefulSet: the allow-list rule
// ---------------------------------------------------------------------------------------

export interface AllowedStatefulSetField {
  field: string;
  /** First version where a change of this field is allowed. */
  allowedSince: string;
  /**
   * First version where the field exists and is kept by the API server. Before it, the
   * field is unknown (or its feature gate is off) and the server drops it, so a change
   * cannot be refused either. Absent: the field always existed.
   */
  existsSince?: string;
  note: string;
}

/** §1.5 table. Fields not listed (selector, serviceName, volumeClaimTemplates, podManagementPolicy, …) are immutable. */
export const STATEFULSET_ALLOWED: readonly AllowedStatefulSetField[] = [
  { field: "replicas", allowedSince: "1.0", note: "always allowed" },
  { field: "template", allowedSince: "1.0", note: "always allowed" },
  { field: "updateStrategy", allowedSince: "1.0", note: "always allowed" },
  {
    field: "minReadySeconds",
    allowedSince: "1.22",
    existsSince: "1.22",
    note: "field and allow-list entry arrived together (gate StatefulSetMinReadySeconds alpha 1.22, beta 1.23, GA 1.25)",
  },
  {
    field: "persistentVolumeClaimRetentionPolicy",
    allowedSince: "1.23",
    existsSince: "1.23",
    note: "field added 1.23 (gate StatefulSetAutoDeletePVC alpha 1.23, beta/on 1.27, GA 1.32)",
  },
  {
    field: "ordinals",
    allowedSince: "1.26",
    existsSince: "1.26",
    note: "field added 1.26 (gate StatefulSetStartOrdinal alpha 1.26, beta 1.27, GA 1.31)",
  },
  {
    field: "revisionHistoryLimit",
    // UNCONFIRMED (§1.5, §9): the first release whose allow-list includes
    // revisionHistoryLimit is not known. 1.31.4 and 1.32-era clusters still reject the
    // change; it is reported from clusters described as 1.35. We take 1.35: on 1.34 and
    // older a change is reported (better a false alarm than a failed upgrade), and the
    // message says the version is uncertain.
    allowedSince: "1.35",
    note: "UNCONFIRMED release: rejected on 1.31/1.32, reported accepted on 1.35",
  },
];

/** Fields a StatefulSet update may change on `version`. */
export function statefulSetMutableFields(version: string): string[] {
  return STATEFULSET_ALLOWED.filter((f) => versionAtLeast(version, f.allowedSince)).map((f) => f.field);
}

/** Fields the API server does not know (or drops) on `version`: never compared. */
export function statefulSetAbsentFields(version: string): string[] {
  return STATEFULSET_ALLOWED.filter((f) => f.existsSince !== undefined && !versionAtLeast(version, f.existsSince)).map((f) => f.field);
}

/** The `<list>` of `spec: Forbidden: updates to statefulset spec for fields other than <list> are forbidden` (§1.5). */
export function statefulSetAllowListText(version: string): string {
  if (versionAtLeast(version, "1.35")) {
    return "'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds'";
  }
  if (versionAtLeast(version, "1.26")) {
    return "'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds'";
  }
  if (versionAtLeast(version, "1.23")) {
    return "'replicas', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds'";
  }
  if (versionAtLeast(version, "1.22")) return "'replicas', 'template', 'updateStrategy' and 'minReadySeconds'";
  return "'replicas', 'template', and 'updateStrategy'";
}

export function statefulSetForbiddenDetail(version: string): string {
  return `updates to statefulset spec for fields other than ${statefulSetAllowListText(version)} are forbidden`;
}

// ---------------------------------------------------------------------------------------
// §1.6 Job: template and completions
// ---------------------------------------------------------------------------------------

/**
 * Template fields that may change while the stored Job is suspended and has never
 * started (gate JobMutableNodeSchedulingDirectives, beta/on 1.23, GA 1.27). Paths are
 * relative to `spec.template`. The wider relaxations of 1.35/1.36
 * (MutableSchedulingDirectivesForSuspendedJobs, MutablePodResourcesForSuspendedJobs) are
 * UNCONFIRMED in detail and not applied.
 */
export const JOB_SUSPENDED_MUTABLE_TEMPLATE: { gate: VersionGate; paths: readonly FieldPath[] } = {
  gate: { since: "1.23" },
  paths: [
    ["metadata", "labels"],
    ["metadata", "annotations"],
    ["spec", "nodeSelector"],
    ["spec", "tolerations"],
    ["spec", "affinity", "nodeAffinity"],
    ["spec", "schedulingGates"],
  ],
};

/** Indexed Jobs may change completions in step with parallelism (gate ElasticIndexedJob beta 1.27, GA 1.31). */
export const JOB_ELASTIC_INDEXED: VersionGate = { since: "1.27" };

// ---------------------------------------------------------------------------------------
// §1.8 Service
// ---------------------------------------------------------------------------------------

/**
 * Allocated-value preservation (kubernetes PR #103532, merged Jul 2021): an update that
 * leaves clusterIP/clusterIPs empty gets the old values copied in. The first release is
 * UNCONFIRMED (1.22 or 1.23, §1.8 and §9); we assume 1.23, so 1.22 is treated as a cluster
 * without it (a possible false alarm there rather than a missed failure).
 */
export const SERVICE_KEEPS_ALLOCATED_VALUES: VersionGate = { since: "1.23" };

// ---------------------------------------------------------------------------------------
// §1.9 PersistentVolumeClaim
// ---------------------------------------------------------------------------------------

/** `spec: Forbidden: ...` for any other PVC spec change (the older wording is UNCONFIRMED, §1.9). */
export function pvcSpecForbiddenDetail(version: string): string {
  return versionAtLeast(version, "1.29")
    ? "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"
    : "spec is immutable after creation except resources.requests for bound claims";
}

/**
 * Storage decreases: refused with "can not be less than previous value"; with
 * RecoverVolumeExpansionFailure (beta/on 1.32, GA 1.34) a decrease is allowed only above
 * status.capacity, which after a successful resize is the previous size (§1.9).
 */
export function pvcStorageDecreaseDetail(version: string): string {
  return versionAtLeast(version, "1.32") ? "field can not be less than status.capacity" : "field can not be less than previous value";
}

/** volumeAttributesClassName is mutable once VolumeAttributesClass is on by default (GA 1.34, §1.9). */
export const PVC_VOLUME_ATTRIBUTES_CLASS_MUTABLE: VersionGate = { since: "1.34" };

// ---------------------------------------------------------------------------------------
// §1.10 PersistentVolume
// ---------------------------------------------------------------------------------------

/** PV spec fields that are not part of the volume source; everything else in spec is the source. */
export const PV_NON_SOURCE_FIELDS: ReadonlySet<string> = new Set([
  "capacity",
  "accessModes",
  "claimRef",
  "persistentVolumeReclaimPolicy",
  "storageClassName",
  "mountOptions",
  "volumeMode",
  "nodeAffinity",
  "volumeAttributesClassName",
]);

// ---------------------------------------------------------------------------------------
// §1.12 Pod
// ---------------------------------------------------------------------------------------

/** The list the API server prints for a forbidden pod spec change (newer versions add more; §1.12). */
export const POD_UPDATE_FORBIDDEN_DETAIL =
  "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

// ---------------------------------------------------------------------------------------
// §1.11 Secret / ConfigMap with immutable: true
// ---------------------------------------------------------------------------------------

export const IMMUTABLE_WHEN_SET_DETAIL = "field is immutable when `immutable` is set";

// ---------------------------------------------------------------------------------------
// §0.1 Rendering of the API error
// ---------------------------------------------------------------------------------------

/** `Deployment.apps`, `Service`, `RoleBinding.rbac.authorization.k8s.io` (§0.1: the core group is left out). */
export function qualifiedKind(kind: string, group: string): string {
  return group === "" ? kind : `${kind}.${group}`;
}

/**
 * A bad value as the API server prints it (§0.1). From 1.34 complex values are JSON
 * (Go marshals map keys sorted); before, strings are quoted, numbers and bools bare and
 * complex values use Go `%#v`. `%#v` is reproduced for label selectors and RoleRefs (the
 * two shapes the doc quotes); other complex values are shown as JSON in both styles.
 * The ≥1.34 rendering of internal types without JSON tags (rbac.RoleRef) is UNCONFIRMED.
 */
export function renderApiValue(value: unknown, version: string, shape?: "labelSelector" | "roleRef"): string {
  const modern = versionAtLeast(version, "1.34");
  if (value === undefined || value === null) return modern ? "null" : "<nil>";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (shape === "roleRef" && typeof value === "object") {
    const ref = value as Record<string, unknown>;
    const fields = [
      ["APIGroup", ref.apiGroup],
      ["Kind", ref.kind],
      ["Name", ref.name],
    ] as const;
    if (modern) return JSON.stringify(Object.fromEntries(fields.map(([k, v]) => [k, v ?? ""])));
    return `rbac.RoleRef{${fields.map(([k, v]) => `${k}:${JSON.stringify(v ?? "")}`).join(", ")}}`;
  }
  if (shape === "labelSelector" && typeof value === "object" && !modern) return goLabelSelector(value as Record<string, unknown>);
  return goJson(value);
}

/** JSON with map keys sorted, as Go's encoding/json prints maps. */
function goJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

function goLabelSelector(selector: Record<string, unknown>): string {
  const labels = selector.matchLabels;
  const matchLabels =
    labels && typeof labels === "object" && Object.keys(labels).length > 0
      ? `map[string]string{${Object.keys(labels)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${JSON.stringify(String((labels as Record<string, unknown>)[k]))}`)
          .join(", ")}}`
      : "map[string]string(nil)";
  const expressions = Array.isArray(selector.matchExpressions) && selector.matchExpressions.length > 0
    ? `[]v1.LabelSelectorRequirement{${selector.matchExpressions
        .map((e) => {
          const r = (e ?? {}) as Record<string, unknown>;
          const values = Array.isArray(r.values) && r.values.length > 0 ? `[]string{${r.values.map((v) => JSON.stringify(String(v))).join(", ")}}` : "[]string(nil)";
          return `v1.LabelSelectorRequirement{Key:${JSON.stringify(String(r.key ?? ""))}, Operator:${JSON.stringify(String(r.operator ?? ""))}, Values:${values}}`;
        })
        .join(", ")}}`
    : "[]v1.LabelSelectorRequirement(nil)";
  return `v1.LabelSelector{MatchLabels:${matchLabels}, MatchExpressions:${expressions}}`;
}

/** `<path>: <Type>[: <value>]: <detail>` (§0.1: Forbidden prints no value). */
export function fieldError(errorPath: string, errorType: ErrorType, detail: string, value?: string): string {
  return errorType === "Forbidden" || value === undefined
    ? `${errorPath}: ${errorType}: ${detail}`
    : `${errorPath}: ${errorType}: ${value}: ${detail}`;
}

/** The HTTP 422 message (§0.1). */
export function apiInvalid(kind: string, group: string, name: string, error: string): string {
  return `${qualifiedKind(kind, group)} ${JSON.stringify(name)} is invalid: ${error}`;
}

/** How `helm upgrade` (Helm 3, Helm 4 client-side) prints it (§0.1). */
export function helmUpgradeError(kind: string, name: string, apiError: string): string {
  return `Error: UPGRADE FAILED: cannot patch ${JSON.stringify(name)} with kind ${kind}: ${apiError}`;
}
