/**
 * One finding per problem: the volatile labels of one map (a selector, a pod template, a
 * claim template) that break the same way are one finding, listing every label.
 */
import type { FieldPath } from "../../load/yaml.ts";
import { formatPath, type KubeObject } from "../../model/object.ts";
import type { Cause, Evidence } from "../finding.ts";
import { andList } from "../messages.ts";
import type { Verdict } from "../volatile-verdicts.ts";
import { labelEvidence, labelSource } from "./labels.ts";

/**
 * `changes`: labels that change on their own (a release, a render), listed by key.
 * `onValues`: labels set from values, which change only when someone changes that value.
 * `valuesMap`: a whole values map flows in (a label the probe added to it appeared here):
 * no label of the chart's is to blame, the map is.
 * `valuesMaps`: labels appeared when the probe set labels in several values maps at once, but
 * not the probe's own label (the chart picks keys from a map, or hashes it): which map it
 * reads, the probe cannot tell.
 */
export type ProblemKind = "changes" | "onValues" | "valuesMap" | "valuesMaps";

export interface VolatileProblem {
  kind: ProblemKind;
  /** The map the labels sit in (for `valuesMap`, the map the added label appeared in). */
  path: FieldPath;
  /** The first offending label, where the finding's line points. */
  at: FieldPath;
  /** `changes`/`onValues`: `labels` and `sources`; `valuesMap`: `valuesPaths`; `valuesMaps`: `valuesPath` (the first) and `count`. */
  data: Record<string, string | number>;
  evidence: Evidence;
  /**
   * By the project's policy: a label from values changes only when someone changes that value
   * (info, naming it); every other cause changes on a routine release (error).
   */
  severity: "error" | "info";
}

function kindOf(verdict: Verdict): ProblemKind {
  if (verdict.change?.added === true && verdict.label.valuesPath !== undefined) return verdict.change.valuesPaths.length > 1 ? "valuesMaps" : "valuesMap";
  return verdict.cause === "values" ? "onValues" : "changes";
}

/** The path that holds a label: its map (`...labels`), or the list of expressions it is an entry of. */
function holder(path: FieldPath): FieldPath {
  return path.slice(0, -1);
}

function commonPrefix(paths: readonly FieldPath[]): FieldPath {
  const [first = [], ...rest] = paths;
  let length = first.length;
  for (const path of rest) {
    let i = 0;
    while (i < length && i < path.length && path[i] === first[i]) i++;
    length = i;
  }
  return first.slice(0, length);
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

/** The causes of a verdict: the probe's (several when one render changed it for several reasons), or its own. */
function causesOf(verdict: Verdict): Cause[] {
  const probed = (verdict.change?.causes ?? []).flatMap((c) => (c === "revision" ? [] : [c]));
  return probed.length > 1 ? probed : [verdict.cause];
}

/** The values maps that flow (`valuesMap`) or may flow (`valuesMaps`) into one map of the object: one problem. */
function valuesMapProblem(kind: "valuesMap" | "valuesMaps", verdicts: readonly Verdict[]): VolatileProblem {
  const first = verdicts[0]!;
  const path = first.change!.path;
  const valuesPaths = unique(verdicts.flatMap((v) => v.change!.valuesPaths));
  const causes = unique(verdicts.flatMap(causesOf));
  return {
    kind,
    path,
    at: path,
    severity: causes.every((c) => c === "values") ? "info" : "error",
    data: kind === "valuesMap" ? { valuesPaths: andList(valuesPaths) } : { valuesPath: valuesPaths[0]!, count: valuesPaths.length },
    evidence: {
      cause: first.cause,
      valuesPath: first.label.valuesPath,
      ...(causes.length > 1 ? { causes } : {}),
      ...(valuesPaths.length > 1 ? { valuesPaths } : {}),
    },
  };
}

function labelsProblem(object: KubeObject, kind: ProblemKind, verdicts: readonly Verdict[]): VolatileProblem {
  const line = (v: Verdict) => object.doc.locate([...object.pathPrefix, ...v.label.path]);
  const sorted = [...verdicts].sort((a, b) => line(a) - line(b));
  const first = sorted[0]!;
  const causes = unique(sorted.flatMap(causesOf));
  const valuesPaths = unique(sorted.flatMap((v) => v.change?.valuesPaths ?? (v.label.valuesPath === undefined ? [] : [v.label.valuesPath])));
  return {
    kind,
    path: commonPrefix(sorted.map((v) => holder(v.label.path))),
    at: first.label.path,
    severity: kind === "onValues" ? "info" : "error",
    data: {
      labels: andList(unique(sorted.map((v) => v.label.key))),
      sources: andList(unique(sorted.map((v) => labelSource(v.label, v.cause, object.doc.subchart)))),
    },
    evidence: {
      cause: first.cause,
      ...(causes.length > 1 ? { causes } : {}),
      labels: sorted.map((v) => labelEvidence(v.label, v.cause)),
      ...(first.label.reason === undefined ? {} : { reason: first.label.reason }),
      ...(first.label.valuesPath === undefined ? {} : { valuesPath: first.label.valuesPath }),
      ...(valuesPaths.length > 1 ? { valuesPaths } : {}),
    },
  };
}

/** The verdicts of one object's map, as problems: one per kind, and one per map that values maps flow into whole. */
export function volatileProblems(object: KubeObject, verdicts: readonly Verdict[]): VolatileProblem[] {
  const problems: VolatileProblem[] = [];
  for (const kind of ["changes", "onValues"] as const) {
    const ofKind = verdicts.filter((v) => kindOf(v) === kind);
    if (ofKind.length > 0) problems.push(labelsProblem(object, kind, ofKind));
  }
  for (const kind of ["valuesMap", "valuesMaps"] as const) {
    const maps = new Map<string, Verdict[]>();
    for (const verdict of verdicts.filter((v) => kindOf(v) === kind)) {
      const map = formatPath(verdict.change!.path);
      maps.set(map, [...(maps.get(map) ?? []), verdict]);
    }
    for (const mapVerdicts of maps.values()) problems.push(valuesMapProblem(kind, mapVerdicts));
  }
  return problems;
}
