/**
 * What the immutable-field checks find, and the small helpers they share. A check per kind
 * (workloads.ts, service.ts, storage.ts, objects.ts) compares the two sides of an updated
 * object and returns its problems with the remedy for them; report.ts turns them into findings.
 */
import type { FieldPath } from "../../../load/yaml.ts";
import { getPath, isRecord } from "../../../model/object.ts";
import { storedLabelSelector } from "../../../model/selector.ts";
import { fieldError, renderApiValue, validationSource } from "../../../k8s/api-errors.ts";
import type { ImmutableField } from "../../../k8s/update-rules.ts";
import type { Remedy, Severity } from "../../finding.ts";
import { capitalize } from "../../messages.ts";
import { normalize, sameValue } from "../../upgrade/diff.ts";
import type { UpdatePair } from "../../upgrade/plan.ts";

/** One refused (or silently ignored) change. */
export interface Problem {
  /** Field path in the object (the finding's path; its line is looked up in the `to` file). */
  path: FieldPath;
  /** The API server's field error, e.g. `spec.selector: Invalid value: {...}: field is immutable`; undefined when the update is accepted but does not do what the chart says. */
  fieldError?: string;
  /** The field named in the message when `path` is an ancestor (the field is gone from the new manifest). */
  label?: string;
  /** Effective values (after defaults) on each side. */
  before: unknown;
  after: unknown;
  /** Why the API refuses it, citing the public validation source. */
  why: string;
  severity?: Severity;
}

export interface Checked {
  problems: Problem[];
  remedy: (problems: readonly Problem[]) => Remedy;
}

/** A check of one kind: the problems of an updated pair on a Kubernetes version (undefined: the kind is not checked). */
export type KindCheck = (pair: UpdatePair, version: string) => Checked | undefined;

/**
 * The problem of a table entry (k8s/update-rules.ts) whose value changed from `before` to
 * `after`; `rendered` is the new value as the API server prints it, when it needs a shape.
 */
export function tableProblem(entry: ImmutableField, before: unknown, after: unknown, version: string, rendered?: string): Problem {
  const value = entry.errorType === "Forbidden" ? undefined : (rendered ?? renderApiValue(normalize(after), version, entry.path[0] === "roleRef" ? "roleRef" : undefined));
  return {
    path: entry.path,
    fieldError: fieldError(entry.errorPath, entry.errorType, entry.detail, value),
    before,
    after,
    why: `${capitalize(entry.why)} (${validationSource(entry.group)}).`,
  };
}

/** The problems of the table entries of a kind whose values differ between the two (defaulted) manifests. */
export function tableProblems(entries: readonly ImmutableField[], before: unknown, after: unknown, version: string): Problem[] {
  return entries.flatMap((entry) => {
    const [b, a] = [getPath(before, entry.path), getPath(after, entry.path)];
    return sameValue(stringifyScalars(b), stringifyScalars(a)) ? [] : [tableProblem(entry, b, a, version)];
  });
}

/** The selector as the API server holds it (model/selector.ts), null when there is none. */
export function selectorForApi(raw: unknown): unknown {
  return storedLabelSelector(raw);
}

/** Label values and other scalars as strings: a YAML number where the API wants a string is the same text. */
export function stringifyScalars(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stringifyScalars);
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stringifyScalars(v)]));
  return typeof value === "number" || typeof value === "boolean" ? String(value) : value;
}

/** Every element of `small` (normalized) appears in `big`. */
export function isSubsetList(small: unknown, big: unknown): boolean {
  const a = Array.isArray(small) ? small : [];
  const b = Array.isArray(big) ? big : [];
  return a.every((item) => b.some((other) => sameValue(item, other)));
}
