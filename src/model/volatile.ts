/**
 * Labels whose values change from one release to the next, recognised by name where no
 * probe render can prove it (plain manifests): Helm's chart label, the app version, the
 * Helm 2 `chart`/`version` labels, and any value equal to (or ending in) the chart's or
 * the app's version as the objects themselves declare it (k8s-rules.md §7).
 */
import { stringMap, type KubeObject } from "./object.ts";
import type { Labels } from "./selector.ts";

export const VOLATILE_LABEL_KEYS: ReadonlySet<string> = new Set([
  "helm.sh/chart",
  "app.kubernetes.io/version",
  "chart",
  "version",
]);

const CHART_LABEL_KEYS = ["helm.sh/chart", "chart"];
const APP_VERSION_KEYS = ["app.kubernetes.io/version", "version"];
// `name-1.2.3` or `name-v1.2.3-rc.1`: the version starts at the first `-` followed by a digit.
const CHART_LABEL = /^.+?-(v?\d+(?:\.\d+)*(?:[-_.+].*)?)$/;
const LOOKS_LIKE_VERSION = /\d.*\.|\.\d|^v?\d{2,}/;

export interface KnownVersions {
  chart: ReadonlySet<string>;
  app: ReadonlySet<string>;
}

/** The chart and app versions the objects' own labels declare. */
export function knownVersions(objects: readonly KubeObject[]): KnownVersions {
  const chart = new Set<string>();
  const app = new Set<string>();
  for (const object of objects) {
    const labels = stringMap((object.raw.metadata as { labels?: unknown } | undefined)?.labels);
    for (const key of CHART_LABEL_KEYS) {
      const version = labels[key] === undefined ? undefined : CHART_LABEL.exec(labels[key])?.[1];
      if (version && LOOKS_LIKE_VERSION.test(version)) chart.add(version);
    }
    for (const key of APP_VERSION_KEYS) {
      const version = labels[key];
      if (version && LOOKS_LIKE_VERSION.test(version)) app.add(version);
    }
  }
  return { chart, app };
}

export interface VolatileLabel {
  key: string;
  value: string;
  /** `key`: the label's name is volatile; `chart-version`/`app-version`: its value is a version. */
  reason: "key" | "chart-version" | "app-version";
}

export function volatileLabels(
  labels: Labels,
  versions: KnownVersions,
  extraKeys: ReadonlySet<string> = new Set(),
): VolatileLabel[] {
  const found: VolatileLabel[] = [];
  for (const [key, value] of Object.entries(labels)) {
    if (VOLATILE_LABEL_KEYS.has(key) || extraKeys.has(key)) {
      found.push({ key, value, reason: "key" });
    } else if (containsVersion(value, versions.chart)) {
      found.push({ key, value, reason: "chart-version" });
    } else if (containsVersion(value, versions.app)) {
      found.push({ key, value, reason: "app-version" });
    }
  }
  return found;
}

function containsVersion(value: string, versions: ReadonlySet<string>): boolean {
  for (const version of versions) {
    const sanitized = version.replaceAll("+", "_");
    if (value === version || value === sanitized || value.endsWith(`-${sanitized}`)) return true;
  }
  return false;
}
