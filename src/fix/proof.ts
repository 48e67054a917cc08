/**
 * The pure half of a repair's proof: what the findings and the rendered objects of the
 * repaired chart say against those of the original, with the same inputs. A repair is
 * proven when (a) every finding it meant to remove is gone, (b) no finding is new, (c)
 * the rendered objects changed only by labels taken out of the maps it meant to change, and (d) the
 * repaired chart still renders under every Helm it was tried with (fix.ts renders it).
 */
import type { Finding } from "../analyze/finding.ts";
import type { YamlDocument } from "../load/yaml.ts";
import { formatPath, getPath, isRecord, objectsFromDocuments, type ObjectRef } from "../model/object.ts";
import type { FieldPath } from "../load/yaml.ts";
import type { IntendedField } from "./plan.ts";

/** One field that differs between the two renders; `path` "" is the whole object (added or removed). */
export interface FieldChange {
  object: ObjectRef;
  path: string;
  before?: unknown;
  after?: unknown;
  /** For a label taken out of a label map: its key, and whether the object still has it (same value) in its own or its pods' labels. */
  removedLabel?: { key: string; keptElsewhere: boolean };
}

/** Where an object keeps labels that a label taken out of a pod template, claim template or selector may stay in. */
const LABEL_HOMES: readonly FieldPath[] = [["metadata", "labels"], ["spec", "template", "metadata", "labels"], ["spec", "jobTemplate", "spec", "template", "metadata", "labels"]];

export interface HelmRender {
  /** As `helm version --short` prints it. */
  helm: string;
  /** Helm's error, when the repaired chart did not render. */
  error?: string;
}

export interface ProofResult {
  proven: boolean;
  /** (a) Findings the repairs meant to remove that are still reported. */
  remaining: Finding[];
  /** (b) Findings of the repaired chart the original did not have. */
  added: Finding[];
  /** (c) Every field that differs between the two renders with the user's inputs ... */
  changes: FieldChange[];
  /** ... leaving out these, which differ between two renders of the chart as it is (generated certificates, random values) ... */
  unstable: FieldChange[];
  /** ... and those outside what the repairs meant to change. */
  unintended: FieldChange[];
  /** (d) The repaired chart rendered under each Helm. */
  renders: HelmRender[];
}

/** A finding's identity across the two runs: its rule, object and field (messages may differ in detail). */
export function findingKey(finding: Finding): string {
  const { apiVersion, kind, namespace, name } = finding.object;
  return JSON.stringify([finding.rule, apiVersion, kind, namespace ?? "", name, finding.path]);
}

function objectKey(ref: ObjectRef): string {
  return JSON.stringify([ref.apiVersion, ref.kind, ref.namespace ?? "", ref.name]);
}

export function proofResult(input: {
  repaired: readonly Finding[];
  before: readonly Finding[];
  after: readonly Finding[];
  changes: FieldChange[];
  unstable: FieldChange[];
  intended: readonly IntendedField[];
  renders: HelmRender[];
}): ProofResult {
  const afterKeys = new Set(input.after.map(findingKey));
  const beforeKeys = new Set(input.before.map(findingKey));
  const remaining = input.repaired.filter((f) => afterKeys.has(findingKey(f)));
  const added = input.after.filter((f) => !beforeKeys.has(findingKey(f)));
  const unstable = new Set(input.unstable.map(changeKey));
  const changes = input.changes.filter((change) => !unstable.has(changeKey(change)));
  const unintended = changes.filter((change) => !input.intended.some((field) => isUnder(change, field)));
  const proven = remaining.length === 0 && added.length === 0 && unintended.length === 0 && input.renders.every((r) => r.error === undefined);
  return { proven, remaining, added, changes, unstable: input.unstable, unintended, renders: input.renders };
}

function changeKey(change: FieldChange): string {
  return `${objectKey(change.object)}${change.path}`;
}

/**
 * A repair only takes labels out of the maps it means to change: the finding's volatile
 * label, or one the object keeps elsewhere (helm.sh/chart on its own metadata, a user
 * label in the pod template). A label added, changed or lost is not intended.
 */
function isUnder(change: FieldChange, field: IntendedField): boolean {
  if (objectKey(change.object) !== objectKey(field.object) || field.path === "" || !within(change.path, field.path)) return false;
  const removed = change.removedLabel;
  return removed !== undefined && (removed.key === field.label || removed.keptElsewhere);
}

/** `spec.template.metadata.labels.app` is within `spec.template` (and within itself). */
function within(path: string, prefix: string): boolean {
  const rest = path.slice(prefix.length);
  return path.startsWith(prefix) && (rest === "" || rest.startsWith(".") || rest.startsWith("["));
}

/** Whether a field of an object (an upgrade finding's, a rolled template change's) is inside or around a field a repair changes. */
export function meetsIntended(object: ObjectRef, path: string, intended: readonly IntendedField[]): boolean {
  return intended.some((field) => objectKey(field.object) === objectKey(object) && (within(path, field.path) || within(field.path, path)));
}

/** Every field that differs between two renders of a chart, object by object. */
export function fieldChanges(before: readonly YamlDocument[], after: readonly YamlDocument[], namespace: string): FieldChange[] {
  const objects = (docs: readonly YamlDocument[]) => new Map(objectsFromDocuments(docs, { namespace }).objects.map((o) => [objectKey(o.ref), o]));
  const was = objects(before);
  const now = objects(after);
  const changes: FieldChange[] = [];
  for (const [key, object] of was) {
    const other = now.get(key);
    if (!other) changes.push({ object: object.ref, path: "", before: object.raw });
    else {
      diffValues(object.raw, other.raw, [], (path, b, a) => {
        const change: FieldChange = { object: object.ref, path: formatPath(path), ...defined("before", b), ...defined("after", a) };
        const key = path.at(-1);
        if (a === undefined && typeof key === "string" && (path.at(-2) === "labels" || path.at(-2) === "matchLabels")) {
          change.removedLabel = { key, keptElsewhere: LABEL_HOMES.some((home) => getPath(other.raw, [...home, key]) === b) };
        }
        changes.push(change);
      });
    }
  }
  for (const [key, object] of now) if (!was.has(key)) changes.push({ object: object.ref, path: "", after: object.raw });
  return changes;
}

function defined<K extends string>(key: K, value: unknown): Partial<Record<K, unknown>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, unknown>);
}

/** Calls `report` for each leaf (or whole subtree added or removed) that differs. */
function diffValues(a: unknown, b: unknown, path: FieldPath, report: (path: FieldPath, before: unknown, after: unknown) => void): void {
  if (isRecord(a) && isRecord(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      diffValues(Object.hasOwn(a, key) ? a[key] : undefined, Object.hasOwn(b, key) ? b[key] : undefined, [...path, key], report);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) diffValues(a[i], b[i], [...path, i], report);
    return;
  }
  if (!Object.is(a, b) && JSON.stringify(a) !== JSON.stringify(b)) report(path, a, b);
}
