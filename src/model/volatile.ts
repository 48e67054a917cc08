/**
 * Labels whose values change from one release to the next, recognised by name where no
 * probe render can prove it (plain manifests): Helm's chart label, the app version, the
 * Helm 2 `chart`/`version` labels, and any value equal to (or ending in) the chart's or
 * the app's version as the objects themselves declare it (k8s-rules.md §7).
 */
import { getPath, stringEntry, type KubeObject } from "./object.ts";
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

/**
 * The chart and app versions the objects' labels declare: their own, and those of a pod
 * template (a chart may put helm.sh/chart on its pods only).
 */
export function knownVersions(objects: readonly KubeObject[]): KnownVersions {
  const chart = new Set<string>();
  const app = new Set<string>();
  for (const object of objects) {
    for (const labels of [getPath(object.raw, ["metadata", "labels"]), getPath(object.raw, ["spec", "template", "metadata", "labels"])]) addVersions(labels, chart, app);
  }
  return { chart, app };
}

/**
 * An image whose tag the release process stamps before packaging (kiali's
 * `${HELM_IMAGE_TAG}`, chartpress's `set-by-chartpress`, `0.0.0`): the chart's source carries
 * the placeholder, every release a new tag, so its pods restart on every release anyway.
 */
export function hasStampedTag(image: string): boolean {
  const tag = imageTag(image);
  return tag !== undefined && (/^v?0\.0\.0(?:[-+.].*)?$/.test(tag) || /set[.-]by|placeholder|\$\{/i.test(tag));
}

/**
 * Whether the labels declare a chart released with its app: a chart version equal to the app
 * version (`helm.sh/chart: istiod-1.24.0` beside `app.kubernetes.io/version: 1.24.0`, a `v`
 * aside). Each chart version is then an app release, whose images change with it.
 */
export function declaresChartReleasedWithApp(...labelMaps: unknown[]): boolean {
  const chart = new Set<string>();
  const app = new Set<string>();
  for (const labels of labelMaps) addVersions(labels, chart, app);
  const plain = (version: string) => version.replace(/^v/, "").replaceAll("+", "_");
  const apps = new Set([...app].map(plain));
  return [...chart].some((version) => apps.has(plain(version)));
}

function addVersions(labels: unknown, chart: Set<string>, app: Set<string>): void {
  for (const key of CHART_LABEL_KEYS) {
    const label = stringEntry(labels, key);
    const version = label === undefined ? undefined : CHART_LABEL.exec(label)?.[1];
    if (version && LOOKS_LIKE_VERSION.test(version)) chart.add(version);
  }
  for (const key of APP_VERSION_KEYS) {
    const version = stringEntry(labels, key);
    if (version && LOOKS_LIKE_VERSION.test(version)) app.add(version);
  }
}

export interface VolatileLabel {
  key: string;
  value: string;
  /** `key`: the label's name is volatile; `chart-version`/`app-version`: its value is a version. */
  reason: "key" | "chart-version" | "app-version";
  /** For `chart-version`/`app-version`: the declared version the value contains. */
  version?: string;
}

export function volatileLabels(
  labels: Labels,
  versions: KnownVersions,
  extraKeys: ReadonlySet<string> = new Set(),
): VolatileLabel[] {
  const found: VolatileLabel[] = [];
  for (const key in labels) {
    const value = labels[key]!;
    if (extraKeys.has(key) || volatileByName(key, value)) {
      found.push({ key, value, reason: "key" });
    } else {
      const chart = containedVersion(value, versions.chart);
      const app = chart === undefined ? containedVersion(value, versions.app) : undefined;
      if (chart !== undefined) found.push({ key, value, reason: "chart-version", version: chart });
      else if (app !== undefined) found.push({ key, value, reason: "app-version", version: app });
    }
  }
  return found;
}

/**
 * A built-in volatile key, when its value has the shape the key implies: a chart label must
 * carry a version (Helm 2 style `chart: fleet` is the bare name, which never changes), and
 * the legacy `version` label must look like a version (Istio's `version: v1` is a stable track).
 */
function volatileByName(key: string, value: string): boolean {
  if (!VOLATILE_LABEL_KEYS.has(key)) return false;
  if (CHART_LABEL_KEYS.includes(key)) {
    const version = CHART_LABEL.exec(value)?.[1];
    return version !== undefined && LOOKS_LIKE_VERSION.test(version);
  }
  if (key === "version") return LOOKS_LIKE_VERSION.test(value);
  return true;
}

/**
 * Whether `text` mentions one of `versions` as a word of its own (`chart.version=1.4.0`,
 * `v1.4.0`), not inside another number. Read once, whatever the number of versions: a
 * cluster dump declares as many chart versions as it has releases of distinct charts.
 */
export function mentionsVersion(text: string, versions: ReadonlySet<string>): boolean {
  if (versions.size === 0) return false;
  const { longest } = versionIndex(versions);
  // Where a version word may start: after no [0-9A-Za-z.], a digit, or a `v` (of the word, or of a version that has one) before it.
  const starts = /(?<![0-9A-Za-z.])v?v?\d/g;
  for (let match = starts.exec(text); match !== null; match = starts.exec(text)) {
    const at = match.index;
    if (versionAt(text, at, longest, versions) || (text.charCodeAt(at) === 118 /* v */ && versionAt(text, at + 1, longest, versions))) return true;
  }
  return false;
}

/** Whether one of `versions` starts at `first` and ends where the word does (before no [0-9A-Za-z.]). */
function versionAt(text: string, first: number, longest: number, versions: ReadonlySet<string>): boolean {
  const limit = Math.min(text.length, first + longest);
  for (let end = first + 1; end <= limit; end++) {
    if (end < text.length && continuesVersionWord(text.charCodeAt(end))) continue;
    if (versions.has(text.slice(first, end))) return true;
  }
  return false;
}

/** A character that a version word goes on with: `[0-9A-Za-z.]`. */
function continuesVersionWord(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 46;
}

/** The version `value` is, or ends with after a `-` (Helm's `+` → `_` applied), if any. */
function containedVersion(value: string, versions: ReadonlySet<string>): string | undefined {
  if (versions.size === 0) return undefined;
  // Indexed lookups instead of a scan of every known version for every label value; where
  // several versions match, the first one in the set wins, as a scan would find it.
  const index = versionIndex(versions);
  let best = index.whole.get(value) ?? Infinity;
  for (let dash = value.indexOf("-"); dash !== -1; dash = value.indexOf("-", dash + 1)) {
    const position = index.suffix.get(value.slice(dash + 1));
    if (position !== undefined && position < best) best = position;
  }
  return best === Infinity ? undefined : index.ordered[best];
}

interface VersionIndex {
  ordered: string[];
  /** A whole value (a version, or a version with `+` as `_`) → the first version it equals. */
  whole: Map<string, number>;
  /** What may follow a `-` (a version with `+` as `_`) → the first version it is. */
  suffix: Map<string, number>;
  /** The longest version, in characters. */
  longest: number;
  /** What follows each version's major (AFTER_MAJOR), for taggedWithChartVersionUnderOtherMajor. */
  afterMajor: Set<string>;
  /** A version without its `v` → the first version it is, for versionOfImageTag. */
  bare: Map<string, number>;
}

const versionIndexes = new WeakMap<ReadonlySet<string>, VersionIndex>();

function versionIndex(versions: ReadonlySet<string>): VersionIndex {
  let index = versionIndexes.get(versions);
  if (index === undefined || index.ordered.length !== versions.size) {
    index = { ordered: [...versions], whole: new Map(), suffix: new Map(), longest: 0, afterMajor: new Set(), bare: new Map() };
    index.ordered.forEach((version, i) => {
      index!.longest = Math.max(index!.longest, version.length);
      const tail = AFTER_MAJOR.exec(version)?.[1];
      if (tail !== undefined) index!.afterMajor.add(tail);
      const bare = version.replace(/^v/, "");
      if (bare !== "" && !index!.bare.has(bare)) index!.bare.set(bare, i);
      const sanitized = version.replaceAll("+", "_");
      if (!index!.whole.has(version)) index!.whole.set(version, i);
      if (!index!.whole.has(sanitized)) index!.whole.set(sanitized, i);
      if (!index!.suffix.has(sanitized)) index!.suffix.set(sanitized, i);
    });
    versionIndexes.set(versions, index);
  }
  return index;
}

/** The image's tag is this version: `2.1.0`, `v2.1.0`, or a build of it (`2.1.0-debian-12-r3`). */
export function taggedWithVersion(image: string, version: string): boolean {
  const bare = version.replace(/^v/, "");
  const tag = imageTag(image)?.replace(/^v/, "");
  if (bare === "" || tag === undefined) return false;
  return tag === bare || (tag.startsWith(bare) && /^[-_+]/.test(tag.slice(bare.length)));
}

/** The first of `versions` (in their order) that the image is tagged with (taggedWithVersion), found by lookups of the tag's prefixes. */
export function versionOfImageTag(image: string, versions: ReadonlySet<string>): string | undefined {
  const tag = imageTag(image)?.replace(/^v/, "");
  if (tag === undefined || versions.size === 0) return undefined;
  const index = versionIndex(versions);
  let best = index.bare.get(tag) ?? Infinity;
  for (let at = 1; at < tag.length; at++) {
    const c = tag[at];
    if (c !== "-" && c !== "_" && c !== "+") continue;
    const position = index.bare.get(tag.slice(0, at));
    if (position !== undefined && position < best) best = position;
  }
  return best === Infinity ? undefined : index.ordered[best];
}

/**
 * An image tagged with a chart version under another major: a release process that numbers
 * the chart after the app, under a major of its own (JFrog's chart 107.104.10 ships Artifactory
 * 7.104.10, chart 101.16.12 Insight 1.16.12), bumps the image with every chart version.
 */
export function taggedWithChartVersionUnderOtherMajor(image: string, chartVersions: ReadonlySet<string>): boolean {
  const tag = imageTag(image);
  const tail = tag === undefined ? undefined : AFTER_MAJOR.exec(tag);
  // Small numbers meet by chance (chart 0.1.0 and an image 1.1.0): only a minor or patch of two digits or more tells.
  if (tail === undefined || tail === null || (tail[2]!.length < 2 && tail[3]!.length < 2)) return false;
  return chartVersions.size > 0 && versionIndex(chartVersions).afterMajor.has(tail[1]!);
}

/** What follows the major of a full version (`.104.10`, `.2.0-rc.1`), with its minor and patch. */
const AFTER_MAJOR = /^v?\d+(\.(\d+)\.(\d+)(?:[-+][0-9A-Za-z.+-]*)?)$/;

/**
 * An image by a tag no release bumps: `stable`, `latest`, `main`, or none (`latest`). A chart
 * release changes a version tag in its values; a floating one changes only when someone sets another.
 */
export function hasFloatingTag(image: string): boolean {
  if (image.includes("@")) return false; // pinned by digest, which releases bump
  const tag = imageTag(image);
  return tag === undefined || !/\d/.test(tag);
}

/** `registry:5000/repo/name:tag@sha256:…` → `tag`; undefined without one. */
function imageTag(image: string): string | undefined {
  const reference = image.split("@")[0]!;
  const colon = reference.lastIndexOf(":");
  return colon > reference.lastIndexOf("/") ? reference.slice(colon + 1) : undefined;
}

/**
 * A pod template annotation whose name says it restarts the pods on purpose: `rollme` (Helm's
 * own "automatically roll deployments" tip), `releaseRevision`, `restartedAt`, `redeploy-timestamp`; or
 * an environment variable named so (`CACHE_BUST_TOKEN`).
 */
export function namedToRoll(key: string): boolean {
  return /roll|restart|redeploy|revision|timestamp|bust/i.test(key.slice(key.lastIndexOf("/") + 1));
}
