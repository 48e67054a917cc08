/**
 * The values half of the probes: where a chart's values hold label maps and image tags,
 * and the override that marks each one distinctly.
 *
 * - A label map: a key named `labels`, `podLabels`, `commonLabels`, `extraLabels`,
 *   `customLabels`, `additionalLabels` or any other `*Labels` (not `matchLabels`, nor
 *   anything about selectors), at any depth outside lists, whose value is a map or empty.
 *   The probe adds the label `cgval<n>x: cgval<n>x` to it.
 * - An image tag: a key `tag` in a map that also has `repository` or `image`, or whose
 *   parent key names an image (`image`, `*Image`, a child of `images`); or a key `imageTag`
 *   / `*ImageTag`. The probe sets it to the tag with `cgtag<n>x` as SemVer build metadata
 *   (`1.2.3+cgtag0x`), so that version comparisons on the tag keep their results. An empty
 *   tag is most often defaulted to the chart's appVersion, so it becomes that version with the
 *   marker (`0.0.0+cgtag0x` without one): a template that parses or compares the tag as a
 *   version (`semverCompare ">=1.4.0-0" (coalesce .Values.image.tag .Chart.AppVersion)`)
 *   still renders, and the same branch.
 *
 * Everything here is pure: the render layer reads the values files and passes them in.
 */
import { isRecord } from "../load/yaml.ts";

export type ValuesPath = readonly string[];

export interface ProbeTarget {
  kind: "labels" | "tag";
  path: ValuesPath;
  /** For a tag: its value where the values name one. */
  value?: string;
  /** For a tag: the appVersion of the chart whose values hold it, what an empty tag usually stands for. */
  appVersion?: string;
}

const LABEL_MAP_KEYS = new Set(["labels", "podLabels", "commonLabels", "extraLabels", "customLabels", "additionalLabels"]);

export function isLabelMapKey(key: string): boolean {
  if (LABEL_MAP_KEYS.has(key)) return true;
  if (!key.endsWith("Labels") || key === "matchLabels") return false;
  return !/selector/i.test(key);
}

function isImageKey(key: string | undefined): boolean {
  return key !== undefined && (key === "image" || key.endsWith("Image"));
}

function isTagKey(key: string): boolean {
  return key === "imageTag" || key.endsWith("ImageTag");
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === "" || (isRecord(value) && Object.keys(value).length === 0);
}

/** Label maps and image tags in a values tree; `prefix` is where the tree sits in the release's values. */
export function findProbeTargets(values: unknown, prefix: ValuesPath = []): ProbeTarget[] {
  const targets: ProbeTarget[] = [];
  const walk = (node: Record<string, unknown>, path: ValuesPath, parentKey: string | undefined, grandparentKey: string | undefined) => {
    const imageMap = "repository" in node || "image" in node || isImageKey(parentKey) || grandparentKey === "images";
    for (const [key, value] of Object.entries(node)) {
      const here = [...path, key];
      if (isLabelMapKey(key) && (isRecord(value) || isEmpty(value))) {
        targets.push({ kind: "labels", path: here });
        continue;
      }
      const scalar = value === null || ["string", "number"].includes(typeof value);
      if (scalar && ((key === "tag" && imageMap) || isTagKey(key))) {
        targets.push({ kind: "tag", path: here, ...(value === null || value === undefined ? {} : { value: String(value) }) });
        continue;
      }
      if (isRecord(value)) walk(value, here, key, parentKey);
    }
  };
  if (isRecord(values)) walk(values, prefix, prefix.at(-1), prefix.at(-2));
  return targets;
}

/**
 * Targets named by `--set`-style keys (`web.labels.team=a`, `image.tag=1.2`): maps the user
 * fills on the command line although the chart's values.yaml does not list them.
 */
export function targetsFromSetKeys(keys: readonly ValuesPath[]): ProbeTarget[] {
  const targets: ProbeTarget[] = [];
  for (const key of keys) {
    const labelsAt = key.findIndex((segment) => isLabelMapKey(segment));
    if (labelsAt !== -1) targets.push({ kind: "labels", path: key.slice(0, labelsAt + 1) });
    const last = key.at(-1);
    if (last !== undefined && labelsAt === -1 && ((last === "tag" && isImageKey(key.at(-2))) || isTagKey(last))) targets.push({ kind: "tag", path: key });
  }
  return targets;
}

/** The key paths a `--set` argument assigns (`a.b=1,c\.d=2` → [a,b], [c.d]); list indexes end a path. */
export function setArgumentKeys(argument: string): ValuesPath[] {
  const keys: ValuesPath[] = [];
  let segment = "";
  let path: string[] = [];
  let inValue = false;
  let stopped = false;
  for (let i = 0; i < argument.length; i++) {
    const c = argument[i]!;
    if (c === "\\" && i + 1 < argument.length) {
      if (!inValue && !stopped) segment += argument[i + 1];
      i++;
      continue;
    }
    if (inValue) {
      if (c === ",") {
        inValue = false;
        stopped = false;
        path = [];
        segment = "";
      }
      continue;
    }
    if (c === "=") {
      if (!stopped) path.push(segment);
      keys.push(path);
      inValue = true;
      segment = "";
    } else if (c === "[") {
      if (!stopped) path.push(segment);
      stopped = true; // a list index: overrides cannot address list items
    } else if (c === "." && !stopped) {
      path.push(segment);
      segment = "";
    } else if (c === ",") {
      path = [];
      segment = "";
      stopped = false;
    } else if (!stopped) {
      segment += c;
    }
  }
  return keys.filter((key) => key.length > 0 && key.every((s) => s !== ""));
}

/** `a.b.c`: a values path as messages and evidence show it. */
export function valuesPathText(path: ValuesPath): string {
  return path.join(".");
}

/** A key for `--set-string`: dots, commas, equals signs, brackets and backslashes escaped. */
export function setKey(path: ValuesPath): string {
  return path.map((segment) => segment.replace(/[\\.,=[\]]/g, (c) => `\\${c}`)).join(".");
}

export interface ValuesPerturbation {
  /** The values to pass last with `-f`. */
  overrides: Record<string, unknown>;
  /** Extra `--set-string` arguments, for paths the user sets on the command line (those win over `-f`). */
  setStrings: string[];
  /** Label marker → values path of the map. */
  labelMaps: Map<string, string>;
  /** Tag marker → values path of the tag. */
  imageTags: Map<string, string>;
}

const labelMarker = (n: number) => `cgval${n}x`;
const tagMarker = (n: number) => `cgtag${n}x`;

/**
 * The override marking every target: `kinds` chooses label maps, image tags or both.
 * `userSetKeys` are the paths the user's --set, --set-string, --set-json and --set-file
 * assign; where one overlaps a target the marker is also given with --set-string.
 */
export function valuesPerturbation(
  targets: readonly ProbeTarget[],
  kinds: ReadonlySet<ProbeTarget["kind"]>,
  userSetKeys: readonly ValuesPath[] = [],
): ValuesPerturbation {
  const overrides: Record<string, unknown> = {};
  const setStrings: string[] = [];
  const labelMaps = new Map<string, string>();
  const imageTags = new Map<string, string>();
  const seen = new Set<string>();
  // A --set on the target or on a map above it replaces what -f gave: the marker must then come last too.
  const overlaps = (path: ValuesPath) => userSetKeys.some((key) => key.length <= path.length && key.every((s, i) => s === path[i]));
  // Shorter paths first, so a target inside another one's override is dropped, not clobbered.
  const ordered = [...targets].sort((a, b) => a.path.length - b.path.length);
  const taken: ValuesPath[] = [];
  for (const target of ordered) {
    if (!kinds.has(target.kind)) continue;
    const text = JSON.stringify(target.path);
    if (seen.has(text)) continue;
    seen.add(text);
    if (taken.some((path) => path.length < target.path.length && path.every((s, i) => s === target.path[i]))) continue;
    if (target.kind === "labels") {
      const marker = labelMarker(labelMaps.size);
      labelMaps.set(marker, valuesPathText(target.path));
      setIn(overrides, [...target.path, marker], marker);
      if (overlaps(target.path)) setStrings.push(`${setKey([...target.path, marker])}=${marker}`);
    } else {
      const marker = tagMarker(imageTags.size);
      imageTags.set(marker, valuesPathText(target.path));
      const tag = markedTag(target, marker);
      setIn(overrides, target.path, tag);
      if (overlaps(target.path)) setStrings.push(`${setKey(target.path)}=${tag}`);
    }
    taken.push(target.path);
  }
  return { overrides, setStrings, labelMaps, imageTags };
}

/** A version-shaped appVersion: `1`, `1.2`, `v1.2.3`, `1.2.3-rc.1` (what Helm's semver functions parse). */
const VERSION = /^v?\d+(\.\d+){0,2}(-[0-9A-Za-z.-]+)?$/;

/** The tag with the marker as build metadata; an empty one as the version it usually defaults to. */
function markedTag(target: ProbeTarget, marker: string): string {
  if (target.value !== undefined && target.value !== "") {
    return target.value.includes("+") ? `${target.value}.${marker}` : `${target.value}+${marker}`;
  }
  const version = target.appVersion !== undefined && VERSION.test(target.appVersion) ? target.appVersion : "0.0.0";
  return `${version}+${marker}`;
}

function setIn(root: Record<string, unknown>, path: ValuesPath, value: unknown): void {
  let node = root;
  path.slice(0, -1).forEach((segment) => {
    const next = node[segment];
    if (isRecord(next)) node = next;
    else node = node[segment] = {};
  });
  node[path.at(-1)!] = value;
}
