/**
 * Field-by-field comparison of two manifests as the API server will see them. Absent,
 * `null`, `{}` and `[]` all decode to the same Go zero value (omitempty), so they
 * compare equal; everything else is compared exactly.
 */
import type { FieldPath } from "../../load/yaml.ts";
import { isRecord } from "../../model/object.ts";

export interface Difference {
  path: FieldPath;
  /** undefined where the field is absent on that side (after normalisation). */
  before: unknown;
  after: unknown;
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  return isRecord(value) && Object.keys(value).length === 0;
}

/** The value with null, empty maps and empty lists removed at every depth. */
export function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const normalized = normalize(child);
    if (!isEmpty(normalized)) out[key] = normalized;
  }
  return out;
}

export function diff(before: unknown, after: unknown, path: FieldPath = []): Difference[] {
  const differences: Difference[] = [];
  walk(normalize(before), normalize(after), [...path], differences);
  return differences;
}

function walk(before: unknown, after: unknown, path: (string | number)[], out: Difference[]): void {
  if (isEmpty(before) && isEmpty(after)) return;
  if (isRecord(before) && isRecord(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      walk(before[key], after[key], [...path, key], out);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    for (let i = 0; i < Math.max(before.length, after.length); i++) walk(before[i], after[i], [...path, i], out);
    return;
  }
  if (before !== after) out.push({ path, before: isEmpty(before) ? undefined : before, after: isEmpty(after) ? undefined : after });
}

export function sameValue(before: unknown, after: unknown): boolean {
  return diff(before, after).length === 0;
}
