/**
 * What the volatile-* rules share about a label whose value changes between releases: where
 * it sits, what changes it, and the evidence and severity its finding carries.
 */
import type { FieldPath } from "../../load/yaml.ts";
import { isRecord, stringMap } from "../../model/object.ts";
import { volatileLabels, type KnownVersions, type VolatileLabel } from "../../model/volatile.ts";
import type { Workload } from "../../model/workloads.ts";
import type { Cause, Evidence } from "../finding.ts";

/**
 * A label whose value changes between releases, where it sits in the object, and (for
 * name-based detection) why the name or value gives it away. Probe-proven labels carry
 * no `reason`; the finding's `cause` says what changed it.
 */
export interface VolatileLabelAt {
  key: string;
  value: string;
  reason?: VolatileLabel["reason"];
  version?: string;
  /** The label key's own path (or the matchExpressions entry) inside the object. */
  path: FieldPath;
  /** For probe causes `values` and `image-tag`: the values path the probe changed. */
  valuesPath?: string;
  /**
   * Named as a version, but a probe that bumped the chart's versions left it as it is: the
   * version is written into the template (or a value) as text, and changes when that is edited.
   */
  literal?: boolean;
}

const CHART_KEYS = new Set(["helm.sh/chart", "chart"]);
const APP_KEYS = new Set(["app.kubernetes.io/version", "version"]);

/** The cause a name-based finding guesses; undefined for keys the user configured as volatile. */
export function impliedCause(label: VolatileLabelAt): "chart-version" | "app-version" | undefined {
  if (label.reason === "chart-version") return "chart-version";
  if (label.reason === "app-version") return "app-version";
  if (CHART_KEYS.has(label.key)) return "chart-version";
  if (APP_KEYS.has(label.key)) return "app-version";
  return undefined;
}

/**
 * What sets the label's value, as a finding's `sources` data names it (`helm.sh/chart and
 * app.kubernetes.io/version, set from the chart version and the appVersion`).
 */
export function labelSource(label: VolatileLabelAt, cause: Cause, subchart?: string): string {
  switch (cause) {
    case "name": {
      if (label.literal === true) return "a version written as text";
      const implied = impliedCause(label);
      if (implied === undefined) return "a key configured as volatile";
      return versionSource(implied, subchart);
    }
    case "chart-version":
    case "app-version":
      return versionSource(cause, subchart);
    case "image-tag":
      return label.valuesPath === undefined ? "the image tag" : `the image tag ${label.valuesPath}`;
    case "values":
      return label.valuesPath === undefined ? "values" : `values ${label.valuesPath}`;
    case "random":
      return "a random or time-based function";
  }
}

/** `the chart version`, `the appVersion of the dependency redis`: a subchart's objects carry its own versions, which change when the parent updates that dependency. */
export function versionSource(cause: "chart-version" | "app-version", subchart?: string): string {
  const of = subchart === undefined ? "" : ` of the dependency ${subchart}`;
  return cause === "chart-version" ? `the chart version${of}` : `the appVersion${of}`;
}

/** One label of a finding's `evidence.labels`: what it is, and what changes it. */
export function labelEvidence(label: VolatileLabelAt, cause: Cause): Evidence {
  return {
    key: label.key,
    value: label.value,
    cause,
    ...(label.reason === undefined ? {} : { reason: label.reason }),
    ...(label.version === undefined ? {} : { version: label.version }),
    ...(label.valuesPath === undefined ? {} : { valuesPath: label.valuesPath }),
    ...(label.literal === true ? { literal: true } : {}),
  };
}

/** The volatile labels of a workload's pod template, by their names and values. */
export function podTemplateVolatileLabels(workload: Workload, versions: KnownVersions, extraKeys: ReadonlySet<string>): VolatileLabelAt[] {
  return volatileLabels(workload.podLabels, versions, extraKeys).map((label) => ({
    ...label,
    path: [...workload.templatePath, "metadata", "labels", label.key],
  }));
}

/** Volatile labels in a LabelSelector: matchLabels entries, and `In`/`NotIn` expressions. */
export function volatileSelectorLabels(
  raw: unknown,
  selectorPath: FieldPath,
  versions: KnownVersions,
  extraKeys: ReadonlySet<string>,
): VolatileLabelAt[] {
  if (!isRecord(raw)) return [];
  const found: VolatileLabelAt[] = [];
  for (const label of volatileLabels(stringMap(raw.matchLabels), versions, extraKeys)) {
    found.push({ ...label, path: [...selectorPath, "matchLabels", label.key] });
  }
  const expressions = raw.matchExpressions;
  if (Array.isArray(expressions)) {
    expressions.forEach((expression, i) => {
      if (!isRecord(expression) || typeof expression.key !== "string" || !Array.isArray(expression.values)) return;
      const { key, operator } = expression;
      if (operator !== "In" && operator !== "NotIn") return;
      for (const value of expression.values) {
        if (typeof value !== "string") continue;
        // A NotIn on a volatile key with a fixed value does not change; its value must be the version.
        const hit = volatileLabels({ [key]: value }, versions, extraKeys).find((l) => operator === "In" || l.reason !== "key");
        if (hit) {
          found.push({ ...hit, path: [...selectorPath, "matchExpressions", i] });
          return;
        }
      }
    });
  }
  return found;
}
