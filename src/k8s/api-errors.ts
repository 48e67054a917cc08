/**
 * What the API server answers when it refuses an update, per Kubernetes version: the field
 * errors' texts and how `helm upgrade` prints them. Each text is written once here; rules put
 * it in a finding's data. Sources: field errors are rendered by
 * https://github.com/kubernetes/apimachinery/blob/master/pkg/util/validation/field/errors.go
 * and the 422 status by .../pkg/api/errors/errors.go (docs/k8s-rules.md §0.1); the detail texts
 * come from the validation code of each API group (validationSource below), section by section.
 */
import { versionAtLeast } from "./versions.ts";

export type ErrorType = "Invalid value" | "Forbidden";

/** The generic detail of an immutable field (docs/k8s-rules.md §0.1, §1.2–1.4, §1.6, §1.10–1.11, §1.16). */
export const FIELD_IS_IMMUTABLE = "field is immutable";

/** Where the API server's validation code of an API group lives (the public source messages cite). */
export function validationSourceUrl(group: string): string {
  return `https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/${apiPackage(group)}/validation/validation.go`;
}

/**
 * The public source of a refusal, for messages: the API server's validation code of the
 * object's API group (core for ""). The notes this table cites stay out of what users read.
 */
export function validationSource(group: string): string {
  return `kubernetes/kubernetes pkg/apis/${apiPackage(group)}/validation`;
}

function apiPackage(group: string): string {
  return group === "" ? "core" : group.split(".")[0]!;
}

// ---------------------------------------------------------------------------------------
// docs/k8s-rules.md §1.5 StatefulSet: the allow-list text (ValidateStatefulSetUpdate in
// https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/apps/validation/validation.go)
// ---------------------------------------------------------------------------------------

/** The `<list>` of `spec: Forbidden: updates to statefulset spec for fields other than <list> are forbidden` (§1.5). */
function statefulSetAllowListText(version: string): string {
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

/** The whole field error of a refused StatefulSet update on `version`: `spec: Forbidden: updates to statefulset spec ...`. */
export function statefulSetForbiddenError(version: string): string {
  return fieldError("spec", "Forbidden", statefulSetForbiddenDetail(version));
}

/**
 * The field error a changed workload selector gets on `version`, with the value elided (for
 * messages about a change that has not been rendered yet): a StatefulSet's is the allow-list
 * text (§1.5), every other workload's `spec.selector: Invalid value: ...: field is immutable` (§1.2–1.4).
 */
export function selectorChangeError(kind: string, version: string): string {
  return kind === "StatefulSet" ? statefulSetForbiddenError(version) : fieldError("spec.selector", "Invalid value", FIELD_IS_IMMUTABLE, "...");
}

/** A Job's pod template change (docs/k8s-rules.md §1.6), the value elided. */
export const JOB_TEMPLATE_IMMUTABLE_ERROR = fieldError("spec.template", "Invalid value", FIELD_IS_IMMUTABLE, "...");

// ---------------------------------------------------------------------------------------
// docs/k8s-rules.md §1.9 PersistentVolumeClaim (ValidatePersistentVolumeClaimUpdate in
// https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/core/validation/validation.go)
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


// ---------------------------------------------------------------------------------------
// docs/k8s-rules.md §1.12 Pod (ValidatePodUpdate, core validation)
// ---------------------------------------------------------------------------------------

/** The list the API server prints for a forbidden pod spec change (newer versions add more; §1.12). */
export const POD_UPDATE_FORBIDDEN_DETAIL =
  "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

// ---------------------------------------------------------------------------------------
// docs/k8s-rules.md §1.11 Secret / ConfigMap with immutable: true (core validation)
// ---------------------------------------------------------------------------------------

export const IMMUTABLE_WHEN_SET_DETAIL = "field is immutable when `immutable` is set";

// ---------------------------------------------------------------------------------------
// docs/k8s-rules.md §0.1 Rendering of the API error
// ---------------------------------------------------------------------------------------

/** `Deployment.apps`, `Service`, `RoleBinding.rbac.authorization.k8s.io` (§0.1: the core group is left out). */
function qualifiedKind(kind: string, group: string): string {
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
