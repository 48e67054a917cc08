/**
 * PersistentVolumeClaim (docs/k8s-rules.md §1.9) and PersistentVolume (§1.10) updates
 * (ValidatePersistentVolumeClaimUpdate / ValidatePersistentVolumeUpdate in
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/core/validation/validation.go).
 * Each changed field is judged by a small rule; volumeMode comes from the table.
 */
import { getPath, pathStartsWith } from "../../../model/object.ts";
import { fieldError, pvcSpecForbiddenDetail, pvcStorageDecreaseDetail, renderApiValue, validationSource } from "../../../k8s/api-errors.ts";
import { compareQuantities, defaultedManifest, defaultedPvcSpec } from "../../../k8s/defaults.ts";
import { immutableField, PV_NON_SOURCE_FIELDS, PVC_VOLUME_ATTRIBUTES_CLASS_MUTABLE } from "../../../k8s/update-rules.ts";
import { gateApplies } from "../../../k8s/versions.ts";
import { diff, normalize, type Difference } from "../../upgrade/diff.ts";
import type { UpdatePair } from "../../upgrade/plan.ts";
import { type Checked, type Problem, tableProblem } from "./problem.ts";
import { pvRemedy, pvcRemedy } from "./remedies.ts";

const CORE = validationSource("");
const STORAGE_PATH = ["spec", "resources", "requests", "storage"];
const ATTRIBUTES_CLASS_UNSET = fieldError("spec.volumeAttributesClassName", "Forbidden", "update from non-nil value to nil is forbidden");

/** A changed field's verdict: a problem, `allowed`, or undefined (the next rule decides). */
type FieldRule<Sides> = (d: Difference, sides: Sides) => Problem | "allowed" | undefined;

function judge<Sides>(rules: readonly FieldRule<Sides>[], d: Difference, sides: Sides): Problem | undefined {
  for (const rule of rules) {
    const verdict = rule(d, sides);
    if (verdict === "allowed") return undefined;
    if (verdict) return verdict;
  }
  return undefined;
}

interface ClaimSides {
  version: string;
}

const claimStorage: FieldRule<ClaimSides> = (d, { version }) => {
  if (!pathStartsWith(d.path, STORAGE_PATH)) return undefined;
  const order = compareQuantities(d.before, d.after);
  if (order === -1) return "allowed"; // an increase: allowed for a bound claim whose class allows expansion
  if (order !== 1) return undefined;
  return {
    path: d.path,
    fieldError: fieldError("spec.resources.requests.storage", "Forbidden", pvcStorageDecreaseDetail(version)),
    before: d.before,
    after: d.after,
    why: `A PersistentVolumeClaim can only grow: its requested storage may be increased (on a bound claim whose StorageClass allows expansion), never decreased (${CORE}).`,
  };
};

/** volumeAttributesClassName may change from one class to another, never back to unset. */
function attributesClassUnset(d: Difference, why: string): Problem | "allowed" {
  if (d.after !== undefined) return "allowed";
  return { path: d.path, fieldError: ATTRIBUTES_CLASS_UNSET, before: d.before, after: d.after, why: `${why} (${CORE}).` };
}

const claimAttributesClass: FieldRule<ClaimSides> = (d, { version }) =>
  d.path[1] === "volumeAttributesClassName" && gateApplies(PVC_VOLUME_ATTRIBUTES_CLASS_MUTABLE, version)
    ? attributesClassUnset(d, "volumeAttributesClassName may change from 1.34, but not from a value back to unset")
    : undefined;

/** volumeName may be set once (§1.9). */
const claimVolumeNameSet: FieldRule<ClaimSides> = (d) => (d.path[1] === "volumeName" && d.before === undefined ? "allowed" : undefined);

const claimVolumeMode: FieldRule<ClaimSides> = (d, { version }) =>
  d.path[1] === "volumeMode" ? { ...tableProblem(immutableField("", "PersistentVolumeClaim", "spec.volumeMode"), d.before, d.after, version), path: d.path } : undefined;

const claimStorageClassSet: FieldRule<ClaimSides> = (d, { version }) =>
  d.path[1] === "storageClassName" && d.before === undefined
    ? {
        path: d.path,
        fieldError: fieldError("spec", "Forbidden", pvcSpecForbiddenDetail(version)),
        before: d.before,
        after: d.after,
        severity: "warning",
        why: `storageClassName may be set once on a claim that has none, but if the cluster has a default StorageClass the claim was given that class's name when it was created, and any other value is refused (${CORE}). This upgrade fails unless ${JSON.stringify(d.after)} is the default class.`,
      }
    : undefined;

const claimSpec: FieldRule<ClaimSides> = (d, { version }) => ({
  path: d.path,
  fieldError: fieldError("spec", "Forbidden", pvcSpecForbiddenDetail(version)),
  before: d.before,
  after: d.after,
  why: `A PersistentVolumeClaim's spec is immutable after creation, except a storage increase (and volumeAttributesClassName from 1.34) (${CORE}).`,
});

const CLAIM_RULES = [claimStorage, claimAttributesClass, claimVolumeNameSet, claimVolumeMode, claimStorageClassSet, claimSpec];

/** §1.9: any spec change except a storage increase (and volumeAttributesClassName from 1.34). */
export function pvc(pair: UpdatePair, version: string): Checked {
  const before = defaultedPvcSpec(getPath(pair.before.raw, ["spec"]));
  const after = defaultedPvcSpec(getPath(pair.after.raw, ["spec"]));
  const problems = diff(before, after, ["spec"]).flatMap((d) => judge(CLAIM_RULES, d, { version }) ?? []);
  return { problems, remedy: () => pvcRemedy(pair) };
}

interface VolumeSides {
  version: string;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

const volumeMode: FieldRule<VolumeSides> = (d, { version }) =>
  d.path[1] === "volumeMode" ? { ...tableProblem(immutableField("", "PersistentVolume", "spec.volumeMode"), d.before, d.after, version), path: d.path } : undefined;

const volumeNodeAffinity: FieldRule<VolumeSides> = (d, { version, before, after }) => {
  if (d.path[1] !== "nodeAffinity") return undefined;
  if (getPath(before, ["spec", "nodeAffinity"]) === undefined) return "allowed"; // may be set when unset
  const value = renderApiValue(normalize(getPath(after, ["spec", "nodeAffinity"])), version);
  return {
    path: d.path,
    fieldError: fieldError("nodeAffinity", "Invalid value", "field is immutable, except for updating from beta label to GA", value),
    before: d.before,
    after: d.after,
    why: `A PersistentVolume's nodeAffinity cannot change once set (except renaming a beta topology key to its GA name) (${CORE}).`,
  };
};

const volumeAttributesClass: FieldRule<VolumeSides> = (d) =>
  d.path[1] === "volumeAttributesClassName" ? attributesClassUnset(d, "A PersistentVolume's volumeAttributesClassName may not go from a value back to unset") : undefined;

const volumeSource: FieldRule<VolumeSides> = (d) => {
  if (PV_NON_SOURCE_FIELDS.has(String(d.path[1]))) return "allowed";
  // The only exception: CSI controllerExpandSecretRef may be added when unset.
  if (d.path[1] === "csi" && d.path[2] === "controllerExpandSecretRef" && d.before === undefined && d.path.length === 3) return "allowed";
  return {
    path: d.path,
    fieldError: fieldError("spec.persistentvolumesource", "Forbidden", "spec.persistentvolumesource is immutable after creation"),
    before: d.before,
    after: d.after,
    why: `A PersistentVolume's volume source cannot change after creation (${CORE}).`,
  };
};

const VOLUME_RULES = [volumeMode, volumeNodeAffinity, volumeAttributesClass, volumeSource];

/** §1.10: volume source, volumeMode, nodeAffinity once set, volumeAttributesClassName set → unset. */
export function pv(pair: UpdatePair, version: string): Checked {
  const before = defaultedManifest(pair.before.raw, "v1", "PersistentVolume");
  const after = defaultedManifest(pair.after.raw, "v1", "PersistentVolume");
  const problems = diff(before.spec, after.spec, ["spec"]).flatMap((d) => judge(VOLUME_RULES, d, { version, before, after }) ?? []);
  return { problems, remedy: () => pvRemedy(pair) };
}
