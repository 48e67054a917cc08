/**
 * What the volatile-* rules share about a label whose value changes between releases: where
 * it sits, what changes it, and the evidence and severity its finding carries.
 */
import type { FieldPath } from "../../load/yaml.ts";
import { isRecord, stringMap } from "../../model/object.ts";
import { volatileLabels, type KnownVersions, type VolatileLabel } from "../../model/volatile.ts";
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

/**
 * What makes the label change (`why`, a clause about the label) and which event changes it
 * next (`when`). Shared by the volatile-* rules so their messages agree.
 */
export function volatileOrigin(label: VolatileLabelAt, cause: Cause): { why: string; when: string } {
  switch (cause) {
    case "name":
      if (label.literal === true) {
        return {
          why: `its name says it carries a version, but a probe render with the chart's version and appVersion bumped left its value as it is: the version is written into the template (or a value) as text, so nothing proves it stable`,
          when: "the next release that edits that text",
        };
      }
      if (label.reason === "chart-version") {
        return { why: `its value ends with the chart version ${label.version ?? ""}`.trimEnd(), when: "the next chart version" };
      }
      if (label.reason === "app-version") {
        return { why: `its value contains the app version ${label.version ?? ""}`.trimEnd(), when: "the next appVersion" };
      }
      if (CHART_KEYS.has(label.key)) return { why: "it carries the chart name and version", when: "the next chart version" };
      if (APP_KEYS.has(label.key)) return { why: "it carries the app version (Chart.yaml appVersion)", when: "the next appVersion" };
      return { why: "its key is configured as volatile", when: "the next release that changes it" };
    case "chart-version":
      return { why: "a probe render with a bumped chart version changed it", when: "the next chart version" };
    case "app-version":
      return { why: "a probe render with a bumped appVersion changed it", when: "the next appVersion" };
    case "image-tag":
      if (label.valuesPath !== undefined) {
        return { why: `it is rendered from the image tag ${label.valuesPath} (a probe render with a different tag changed it)`, when: `the next change of ${label.valuesPath}` };
      }
      return { why: "a probe render with a different image tag changed it", when: "the next image tag change" };
    case "values":
      if (label.valuesPath !== undefined) {
        return { why: `it is rendered from the values map ${label.valuesPath} (a probe that added a label there changed it)`, when: `adding or changing a label under ${label.valuesPath}` };
      }
      return { why: "it is rendered from user values (a probe that added a label to the values' label maps changed it)", when: "adding or changing a label in values" };
    case "random":
      return { why: "two renders of the same inputs gave different values (random or time-based)", when: "every upgrade" };
  }
}

/** The evidence every volatile-* finding carries. */
export function volatileEvidence(label: VolatileLabelAt, cause: Cause): Evidence {
  return {
    cause,
    label: label.key,
    value: label.value,
    ...(label.reason === undefined ? {} : { reason: label.reason }),
    ...(label.version === undefined ? {} : { version: label.version }),
    ...(label.valuesPath === undefined ? {} : { valuesPath: label.valuesPath }),
    ...(label.literal === true ? { literal: true } : {}),
  };
}

/**
 * Severity by the project's policy: a label from a values map changes only when someone
 * changes that value (info, naming it); every other cause changes on a routine release.
 */
export function volatileSeverity(cause: Cause): "error" | "info" {
  return cause === "values" ? "info" : "error";
}

/** The sentence an `info` finding adds: which value sets the trap off, and that nothing happens until then. */
export function onlyIfChanged(label: VolatileLabelAt): string {
  const what = label.valuesPath === undefined ? "the label maps in values" : label.valuesPath;
  return ` Upgrades with the same values keep it as it is: this fires only when ${what} is changed.`;
}

/** `helm.sh/chart=web-0.1.0`: the label (or the volatile value of an expression) as messages show it. */
export function labelText(label: VolatileLabelAt): string {
  return `${label.key}=${label.value}`;
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

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
