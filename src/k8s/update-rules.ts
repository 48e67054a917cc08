/**
 * Which fields of which kinds the API server refuses to change on update, from which
 * Kubernetes version: the update rules as data. Every entry names its section of
 * docs/k8s-rules.md and its public source (the API server's validation code of its group,
 * validationSourceUrl in api-errors.ts, unless a line says otherwise). The rule
 * src/analyze/rules/immutable-field.ts and merge-trap.ts read these tables; the error texts
 * are in api-errors.ts.
 *
 * Version strings are "major.minor" (versions.ts).
 */
import type { FieldPath } from "../load/yaml.ts";
import { FIELD_IS_IMMUTABLE, type ErrorType } from "./api-errors.ts";
import { versionAtLeast, type VersionGate } from "./versions.ts";

// ---------------------------------------------------------------------------------------
// Simple "this field may not change" entries
// ---------------------------------------------------------------------------------------

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

const IMMUTABLE = FIELD_IS_IMMUTABLE;

/** The controllers whose label selector the apps/v1 API server keeps fixed after creation (§1.2–1.4). */
export const SELECTOR_FIXED_CONTROLLERS = ["Deployment", "ReplicaSet", "DaemonSet"] as const;

/**
 * Fields compared as a whole (after defaults) on updated objects. Selectors of
 * Deployment/ReplicaSet/DaemonSet are here too; whether the object's apiVersion makes
 * them immutable is decided by Workload.selectorImmutable (src/model/workloads.ts, §1.2–1.4).
 */
export const IMMUTABLE_FIELDS: readonly ImmutableField[] = [
  // §1.2 Deployment, §1.3 ReplicaSet, §1.4 DaemonSet: spec.selector (apps/v1, apps/v1beta2).
  ...SELECTOR_FIXED_CONTROLLERS.map(
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
  // §1.9 PersistentVolumeClaim and §1.10 PersistentVolume volumeMode (printed without `spec.`).
  {
    group: "",
    kind: "PersistentVolumeClaim",
    path: ["spec", "volumeMode"],
    errorPath: "volumeMode",
    errorType: "Invalid value",
    detail: IMMUTABLE,
    section: "§1.9",
    why: "a PersistentVolumeClaim's volumeMode is fixed at creation",
  },
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

export function immutableFieldsFor(group: string, kind: string): ImmutableField[] {
  return IMMUTABLE_FIELDS.filter((f) => f.group === group && f.kind === kind);
}

/** The one entry for `path` of a kind (a programming error when the table lacks it). */
export function immutableField(group: string, kind: string, path: string): ImmutableField {
  const entry = IMMUTABLE_FIELDS.find((f) => f.group === group && f.kind === kind && f.path.join(".") === path);
  if (!entry) throw new Error(`no immutability entry for ${kind}.${group} ${path}`);
  return entry;
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

