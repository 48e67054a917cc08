/**
 * Probes, the pure half: renders of one chart in, `ProbeEvidence` out.
 *
 * The render layer (render/probes.ts, driven by src/check-render.ts) renders a chart again with the same inputs (the
 * repeat) and with controlled perturbations that leave distinct markers in what they
 * change (a chart version with `+cgchart`, an appVersion with `+cgapp`, image tags with
 * `+cgtag<n>x`, a label `cgval<n>x` in every label-like values map, `.Release.Revision`
 * raised by 987650). Here the renders are compared field by field with the base render,
 * and every difference is attributed to its cause by the marker its new value carries;
 * a difference that carries no marker (hashed, truncated) is attributed by the renders
 * with one perturbation each, when the render layer made them.
 *
 * What is compared: object names, immutable workload selectors, StatefulSet claim
 * template metadata, pod template labels and annotations, and the pod spec of a Job Helm
 * patches in place (any change to it fails the upgrade); between base and repeat, every
 * field of every object (non-deterministic rendering).
 */
import type { FieldPath, YamlDocument } from "../load/yaml.ts";
import { formatPath, getPath, isRecord, objectsFromDocuments, pathStartsWith, type KubeObject } from "../model/object.ts";
import { workloadOf } from "../model/workloads.ts";
import type { PerturbedRender, ProbeMarkers, SingleCauseRender } from "../render/probes.ts";
import type { Cause } from "./finding.ts";

// The renders are described where they are made; the analysis reads them.
export type { PerturbedRender, ProbeMarkers, SingleCauseRender };

// ============================================================================================
// Inputs: renders and their markers
// ============================================================================================

/** What a probe can prove: the causes of findings, and `.Release.Revision` (every release). */
export type ProbeCause = Exclude<Cause, "name"> | "revision";

/** The causes in the order a field with several is reported by (the first is the primary). */
export const PROBE_CAUSE_ORDER: readonly ProbeCause[] = ["random", "chart-version", "app-version", "image-tag", "values", "revision"];

export interface ProbeRenders {
  /** The render the findings are about. */
  base: readonly YamlDocument[];
  /** The same inputs again; absent when it could not be rendered, or was not needed. */
  repeat?: readonly YamlDocument[];
  /** The chart has nothing that renders differently twice (no random or time functions): no repeat needed. */
  deterministic?: boolean;
  /** Every perturbation at once; absent when it could not be rendered. */
  combined?: PerturbedRender;
  /** One perturbation each (fallback). */
  singles?: readonly SingleCauseRender[];
  /** The namespace Helm gives objects that set none. */
  namespace: string;
}

// ============================================================================================
// Output: evidence
// ============================================================================================

/** Where a compared field sits. */
export type ProbeSection = "name" | "selector" | "claim-template" | "pod-labels" | "pod-annotations" | "job-pod-spec" | "other";

/** One field of an object that changed in a probe, and why. */
export interface FieldChange {
  section: ProbeSection;
  /**
   * Path inside the object (no List prefix). For a label the probe added (a key absent
   * from the base render), the path of the map it was added to.
   */
  path: FieldPath;
  /** The label or annotation key, for entries of a label map (the expression's key for matchExpressions). */
  key?: string;
  /** The value in the base render; absent for a key the probe added. */
  before?: string;
  /** The value in the probe render; absent for a key the probe removed. A raised revision shows as revision 2 renders it. */
  after?: string;
  /** True when the probe added this key: the whole values map flows here, not one known label. */
  added: boolean;
  /** Every cause found, in PROBE_CAUSE_ORDER; the first is the one to report. */
  causes: ProbeCause[];
  /** For `values` and `image-tag`: the values paths whose markers were found. */
  valuesPaths: string[];
  /** For `image-tag` in pod labels: the tag is not one this workload's own containers use. */
  foreignTag?: boolean;
  /**
   * For `random`, where the upgrade probe ran (the chart calls `lookup`): whether `helm upgrade`
   * of the installed release keeps the value (the chart reads it back), see withUpgradeRenders.
   */
  keptOnUpgrade?: boolean;
  /**
   * For `random`, where the upgrade probe ran: the chart's own message when it refuses `helm
   * upgrade` with these values (a `fail` under .Release.IsUpgrade asking for the current
   * passwords): the upgrade runs only once the user passes them.
   */
  upgradeRefusal?: string;
  /**
   * For `random`, where the upgrade probe rendered as `helm upgrade` does: the object is not
   * in that render at all (its template renders it on install only), so the upgrade deletes it.
   */
  goneOnUpgrade?: boolean;
}

/** The key of the label or annotation a change is to: its own key, else the last step of its path. */
export function changedKey(change: FieldChange): string {
  return change.key ?? String(change.path.at(-1));
}

export interface ProbeEvidence {
  /** Rendered files (chart renders) whose objects were probed, and the causes the probes covered. */
  probed: ReadonlyMap<string, ReadonlySet<ProbeCause>>;
  /** Changes per object: key `objectKey(object)`. */
  changes: ReadonlyMap<string, readonly FieldChange[]>;
}

export interface ProbeAnalysis {
  evidence: ProbeEvidence;
  /** Fields that changed in the combined render without a marker, not yet attributed by single renders. */
  unmarked: number;
}

/** The key evidence is filed under: the object's document and place in it. */
export function objectKey(object: Pick<KubeObject, "doc" | "pathPrefix">): string {
  return `${object.doc.file}\u0000${object.doc.index}\u0000${formatPath(object.pathPrefix)}`;
}

/** What the probes say about one object; undefined when its render was not probed. */
export interface ObjectProbes {
  probed: ReadonlySet<ProbeCause>;
  changes: readonly FieldChange[];
}

export function probesOf(evidence: ProbeEvidence | undefined, object: KubeObject): ObjectProbes | undefined {
  const probed = evidence?.probed.get(object.doc.file);
  if (evidence === undefined || probed === undefined) return undefined;
  return { probed, changes: evidence.changes.get(objectKey(object)) ?? [] };
}

export function mergeProbeEvidence(parts: readonly ProbeEvidence[]): ProbeEvidence | undefined {
  if (parts.length === 0) return undefined;
  const probed = new Map<string, ReadonlySet<ProbeCause>>();
  const changes = new Map<string, readonly FieldChange[]>();
  for (const part of parts) {
    for (const [file, causes] of part.probed) probed.set(file, causes);
    for (const [key, list] of part.changes) changes.set(key, list);
  }
  return { probed, changes };
}

// ============================================================================================
// Comparing renders
// ============================================================================================

interface Leaf {
  path: FieldPath;
  before: unknown;
  after: unknown;
}

/** Each object's changed fields in a render, by path. */
type LeavesByObject = Map<KubeObject, Map<string, Leaf>>;

/** A single-cause render paired with the base: its objects and their changed identity fields. */
interface SingleDiff {
  single: SingleCauseRender;
  pairs: Map<KubeObject, KubeObject>;
  diffs: LeavesByObject;
}

/** What the comparisons fill in: the changes per object, the causes covered, the unexplained count. */
interface ProbeFindings {
  changes: Map<string, FieldChange[]>;
  probed: Set<ProbeCause>;
  unmarked: number;
}

/**
 * Compares the probe renders with the base render and attributes every difference.
 * `unmarked` counts differences in identity fields of the combined render that carry no
 * marker and no single-cause render explains: the render layer then makes those renders.
 */
export function analyzeProbes(renders: ProbeRenders): ProbeAnalysis {
  const parse = (docs: readonly YamlDocument[]) => objectsFromDocuments(docs, { namespace: renders.namespace }).objects;
  const base = parse(renders.base);
  const file = renders.base[0]?.file;
  const found: ProbeFindings = { changes: new Map(), probed: new Set(), unmarked: 0 };

  if (renders.deterministic === true) found.probed.add("random");
  const repeatDiffs: LeavesByObject = renders.repeat ? compareRepeat(base, parse(renders.repeat), found) : new Map();
  const singles = (renders.singles ?? []).map((single): SingleDiff => {
    const pairs = pairObjects(base, parse(single.docs));
    const diffs = new Map(
      [...pairs].map(([object, other]) => [object, new Map(identityLeaves(object, other).map((leaf) => [formatPath(leaf.path), leaf]))]),
    );
    return { single, pairs, diffs };
  });
  for (const { single } of singles) for (const cause of [single.cause, ...markedCauses(single.markers)]) found.probed.add(cause);

  if (renders.combined) compareCombined(base, parse(renders.combined.docs), renders.combined.markers, repeatDiffs, singles, found);
  // No combined render: every single render is attributed by its own cause.
  else for (const single of singles) compareSingle(single, repeatDiffs, found);

  return {
    evidence: { probed: file === undefined ? new Map() : new Map([[file, found.probed]]), changes: found.changes },
    unmarked: found.unmarked,
  };
}

/** Base against repeat: every field that differs is random. Returns the differing fields, which no other cause may claim. */
function compareRepeat(base: readonly KubeObject[], repeat: readonly KubeObject[], found: ProbeFindings): LeavesByObject {
  found.probed.add("random");
  const repeatDiffs: LeavesByObject = new Map();
  for (const [object, other] of pairObjects(base, repeat)) {
    const leaves = new Map(diffLeaves(object.raw, other.raw, []).map((leaf) => [formatPath(leaf.path), leaf]));
    repeatDiffs.set(object, leaves);
    // A Job's pod spec counts as any other field here: nondeterministic-render reports random fields.
    for (const leaf of leaves.values()) addChange(found.changes, object, fieldChange(object, leaf, ["random"], [], { jobPodSpec: false }));
  }
  return repeatDiffs;
}

/** Base against the render with every perturbation: each difference by the markers it carries, else by the single renders. */
function compareCombined(
  base: readonly KubeObject[],
  combined: readonly KubeObject[],
  markers: ProbeMarkers,
  repeatDiffs: LeavesByObject,
  singles: readonly SingleDiff[],
  found: ProbeFindings,
): void {
  for (const cause of markedCauses(markers)) found.probed.add(cause);
  for (const [object, other] of pairObjects(base, combined)) {
    const random = repeatDiffs.get(object);
    for (const leaf of identityLeaves(object, other)) {
      const key = formatPath(leaf.path);
      if (random?.has(key)) continue; // already filed as random
      const marked = markersIn(leaf, markers);
      if (marked.causes.length === 0) {
        // Pod annotations are compared for the revision only; a hashed one (checksum/config) is expected.
        // A Job's pod spec only for what a marker shows: a hash there is not worth the single renders.
        const where = section(object, leaf.path);
        if (where === "pod-annotations" || where === "job-pod-spec") continue;
        const explained = explainBySingles(object, key, singles);
        if (explained === undefined) found.unmarked++;
        else addChange(found.changes, object, fieldChange(object, leaf, explained.causes, explained.valuesPaths));
        continue;
      }
      const change = atRevisionTwo(fieldChange(object, leaf, marked.causes, marked.valuesPaths), markers);
      if (change.section === "pod-annotations" && !change.causes.includes("revision") && !isPatchedJob(object)) continue;
      if (change.causes.includes("image-tag") && change.section === "pod-labels") {
        change.foreignTag = !usesTag(object, other, marked.tagMarkers, change.before);
      }
      addChange(found.changes, object, change);
    }
  }
}

/** One single-cause render, attributed to its own cause (when there is no combined render). */
function compareSingle({ single, pairs, diffs }: SingleDiff, repeatDiffs: LeavesByObject, found: ProbeFindings): void {
  for (const [object, leaves] of diffs) {
    const random = repeatDiffs.get(object);
    for (const [key, leaf] of leaves) {
      if (random?.has(key)) continue;
      const marked = markersIn(leaf, single.markers);
      const change = atRevisionTwo(fieldChange(object, leaf, [single.cause], marked.valuesPaths.length > 0 ? marked.valuesPaths : allPaths(single)), single.markers);
      if (change.section === "pod-annotations" && single.cause !== "revision" && !isPatchedJob(object)) continue;
      if (single.cause === "image-tag" && change.section === "pod-labels" && marked.tagMarkers.length > 0) {
        const other = pairs.get(object);
        change.foreignTag = other !== undefined && !usesTag(object, other, marked.tagMarkers, change.before);
      }
      mergeChange(found.changes, object, change);
    }
  }
}

/**
 * Marks every random change with whether `helm upgrade` keeps the value: two upgrade renders
 * (render/probe-lookup.ts: the same chart and values, `lookup` answered from the base
 * render, as from the installed release) agree on it. A value the chart reads back agrees;
 * one generated anew (no lookup, another key read back, a lookup the values switch off)
 * differs, on every upgrade. (A hash of a template that generates twice in one render, as a
 * checksum annotation does, may change once, on the first upgrade: that is not every upgrade.)
 * An object neither upgrade render has is gone on upgrade, when they render as `helm upgrade`
 * does (`asUpgrade`; not the install-mode renders of a chart that refuses the upgrade).
 */
export function withUpgradeRenders(
  evidence: ProbeEvidence,
  base: readonly YamlDocument[],
  upgrades: readonly [readonly YamlDocument[], readonly YamlDocument[]],
  namespace: string,
  asUpgrade = true,
): ProbeEvidence {
  const options = { namespace };
  const baseObjects = objectsFromDocuments(base, options).objects;
  const [first, second] = upgrades.map((docs) => pairObjects(baseObjects, objectsFromDocuments(docs, options).objects));
  const changes = new Map(evidence.changes);
  for (const object of baseObjects) {
    const key = objectKey(object);
    const list = changes.get(key);
    const [one, two] = [first!.get(object), second!.get(object)];
    if (list === undefined || !list.some((change) => change.causes[0] === "random")) continue;
    if (one === undefined && two === undefined && asUpgrade) {
      changes.set(key, list.map((change) => (change.causes[0] === "random" ? { ...change, goneOnUpgrade: true } : change)));
      continue;
    }
    if (one === undefined || two === undefined) continue;
    const differs = new Set(diffLeaves(one.raw, two.raw, []).map((leaf) => formatPath(leaf.path)));
    changes.set(
      key,
      list.map((change) => {
        if (change.causes[0] !== "random") return change;
        const leaf = change.added && change.key !== undefined ? [...change.path, change.key] : change.path;
        return { ...change, keptOnUpgrade: !differs.has(formatPath(leaf)) };
      }),
    );
  }
  return { ...evidence, changes };
}

/** Marks every random change with the chart's refusal of an upgrade with the same values (see FieldChange.upgradeRefusal). */
export function withUpgradeRefusal(evidence: ProbeEvidence, refusal: string): ProbeEvidence {
  const changes = new Map(
    [...evidence.changes].map(([key, list]) => [key, list.map((change) => (change.causes[0] === "random" ? { ...change, upgradeRefusal: refusal } : change))]),
  );
  return { ...evidence, changes };
}

/** The probe raised revision 1 to the marker; the next release is revision 2, which is what a message should show. */
function atRevisionTwo(change: FieldChange, markers: ProbeMarkers): FieldChange {
  if (markers.revision === undefined || change.after === undefined || !change.causes.includes("revision")) return change;
  return { ...change, after: change.after.replaceAll(markers.revision, "2") };
}

function markedCauses(markers: ProbeMarkers): ProbeCause[] {
  const causes: ProbeCause[] = [];
  if (markers.chartVersion !== undefined) causes.push("chart-version");
  if (markers.appVersion !== undefined || (markers.chartVersion !== undefined && markers.appVersionAbsent === true)) causes.push("app-version");
  if (markers.imageTags !== undefined) causes.push("image-tag");
  if (markers.labelMaps !== undefined) causes.push("values");
  if (markers.revision !== undefined) causes.push("revision");
  return causes;
}

function allPaths(single: SingleCauseRender): string[] {
  if (single.cause === "values") return [...(single.markers.labelMaps?.values() ?? [])];
  if (single.cause === "image-tag") return [...(single.markers.imageTags?.values() ?? [])];
  return [];
}

/** A difference without a marker: the causes whose single-perturbation render shows the same difference. */
function explainBySingles(
  object: KubeObject,
  key: string,
  singles: readonly SingleDiff[],
): { causes: ProbeCause[]; valuesPaths: string[] } | undefined {
  const causes: ProbeCause[] = [];
  const valuesPaths: string[] = [];
  for (const { single, diffs } of singles) {
    const other = diffs.get(object)?.get(key);
    if (other === undefined) continue;
    causes.push(single.cause);
    const found = markersIn(other, single.markers).valuesPaths;
    valuesPaths.push(...(found.length > 0 ? found : allPaths(single)));
  }
  if (causes.length === 0) return undefined;
  return { causes: sortCauses(causes), valuesPaths: [...new Set(valuesPaths)] };
}

function sortCauses(causes: readonly ProbeCause[]): ProbeCause[] {
  return PROBE_CAUSE_ORDER.filter((cause) => causes.includes(cause));
}

interface FoundMarkers {
  causes: ProbeCause[];
  valuesPaths: string[];
  tagMarkers: string[];
}

/** The markers the new value (or an added key) carries that the old value did not. */
function markersIn(leaf: Leaf, markers: ProbeMarkers): FoundMarkers {
  const before = leafText(leaf.before);
  const after = leaf.before === undefined ? `${String(leaf.path.at(-1) ?? "")}=${leafText(leaf.after)}` : leafText(leaf.after);
  const has = (marker: string) => after.includes(marker) && !before.includes(marker);
  const causes: ProbeCause[] = [];
  const valuesPaths: string[] = [];
  const tagMarkers: string[] = [];
  if (markers.chartVersion !== undefined && has(markers.chartVersion)) causes.push("chart-version");
  if (markers.appVersion !== undefined && has(markers.appVersion)) causes.push("app-version");
  for (const [marker, valuesPath] of markers.imageTags ?? []) {
    if (!has(marker)) continue;
    if (!causes.includes("image-tag")) causes.push("image-tag");
    valuesPaths.push(valuesPath);
    tagMarkers.push(marker);
  }
  for (const [marker, valuesPath] of markers.labelMaps ?? []) {
    if (!has(marker)) continue;
    if (!causes.includes("values")) causes.push("values");
    valuesPaths.push(valuesPath);
  }
  if (markers.revision !== undefined && has(markers.revision)) causes.push("revision");
  return { causes: sortCauses(causes), valuesPaths, tagMarkers };
}

function leafText(value: unknown): string {
  if (value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The tag is this workload's own when its pod spec in the probe render carries the tag marker. */
/**
 * Whether the workload's own containers run the image whose tag reached a pod label: the
 * probe's tag shows up in its pod spec, or, in the render the findings are about, one of
 * its images carries the label's value as tag. The second test matters where the probe
 * gave a tag its own marker that the chart only falls back from (`default
 * .Values.global.image.tag .Values.server.image.tag`): the label then carries another
 * marker than the container, while with the user's values both run the same tag.
 */
function usesTag(object: KubeObject, other: KubeObject, tagMarkers: readonly string[], labelValue: string | undefined): boolean {
  const workload = workloadOf(object);
  if (workload === undefined) return true;
  const spec = JSON.stringify(getPath(other.raw, [...workload.templatePath, "spec"]) ?? null);
  if (tagMarkers.some((marker) => spec.includes(marker))) return true;
  return labelValue !== undefined && labelValue !== "" && podImages(object, workload.templatePath).some((image) => imageTag(image) === labelValue);
}

function podImages(object: KubeObject, templatePath: FieldPath): string[] {
  const spec = getPath(object.raw, [...templatePath, "spec"]);
  if (!isRecord(spec)) return [];
  return ["initContainers", "containers", "ephemeralContainers"].flatMap((field) => {
    const list = spec[field];
    return Array.isArray(list) ? list.flatMap((c) => (isRecord(c) && typeof c.image === "string" ? [c.image] : [])) : [];
  });
}

/** The tag of an image reference (`repo:tag@digest` → `tag`), undefined when it has none. */
function imageTag(image: string): string | undefined {
  const name = image.split("@")[0]!;
  const colon = name.lastIndexOf(":");
  return colon > name.lastIndexOf("/") ? name.slice(colon + 1) : undefined;
}

function addChange(changes: Map<string, FieldChange[]>, object: KubeObject, change: FieldChange): void {
  const key = objectKey(object);
  const list = changes.get(key);
  if (list) list.push(change);
  else changes.set(key, [change]);
}

/** Adds a change, or merges its causes into one already filed for the same field. */
function mergeChange(changes: Map<string, FieldChange[]>, object: KubeObject, change: FieldChange): void {
  const list = changes.get(objectKey(object));
  const same = list?.find((c) => formatPath(c.path) === formatPath(change.path) && c.key === change.key);
  if (!same) {
    addChange(changes, object, change);
    return;
  }
  same.causes = sortCauses([...same.causes, ...change.causes]);
  same.valuesPaths = [...new Set([...same.valuesPaths, ...change.valuesPaths])];
  if (change.foreignTag !== undefined) same.foreignTag = (same.foreignTag ?? true) && change.foreignTag;
}

// ============================================================================================
// Fields and sections
// ============================================================================================

/** Differences in the fields the perturbation probes look at (names, selectors, claim templates, pod templates). */
function identityLeaves(object: KubeObject, other: KubeObject): Leaf[] {
  const leaves: Leaf[] = [];
  const compare = (path: FieldPath) => leaves.push(...diffLeaves(getPath(object.raw, path), getPath(other.raw, path), path));
  compare(["metadata", "name"]);
  const workload = workloadOf(object);
  if (workload) {
    if (workload.selectorPath && workload.selectorImmutable) compare(workload.selectorPath);
    if (workload.templatePath.length > 0 || object.ref.kind === "Pod") {
      compare([...workload.templatePath, "metadata", "labels"]);
      compare([...workload.templatePath, "metadata", "annotations"]);
    }
    if (isPatchedJob(object)) compare([...workload.templatePath, "spec"]);
  }
  if (object.ref.kind === "StatefulSet" && object.group === "apps") {
    const count = Math.max(arrayLength(getPath(object.raw, ["spec", "volumeClaimTemplates"])), arrayLength(getPath(other.raw, ["spec", "volumeClaimTemplates"])));
    for (let i = 0; i < count; i++) {
      compare(["spec", "volumeClaimTemplates", i, "metadata", "labels"]);
      compare(["spec", "volumeClaimTemplates", i, "metadata", "annotations"]);
    }
  }
  // A map that one side lacks entirely shows as one leaf: keep only what sits in a compared section.
  return leaves.filter((leaf) => section(object, leaf.path) !== "other");
}

function arrayLength(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}

/**
 * A Job Helm patches on upgrade: not a hook (Helm creates hooks anew, never patches them) and
 * with a name (generateName makes a new Job each time). Its pod template is immutable.
 */
export function isPatchedJob(object: KubeObject): boolean {
  return object.ref.kind === "Job" && object.group === "batch" && object.hooks.length === 0 && !object.generatedName;
}

/** Which compared field a path in the object belongs to. */
export function section(object: KubeObject, path: FieldPath, options: { jobPodSpec?: boolean } = {}): ProbeSection {
  const starts = (prefix: FieldPath) => pathStartsWith(path, prefix);
  if (path.length === 2 && path[0] === "metadata" && path[1] === "name") return "name";
  const workload = workloadOf(object);
  if (workload) {
    if (workload.selectorPath && workload.selectorImmutable && starts(workload.selectorPath)) return "selector";
    if (workload.templatePath.length > 0 || object.ref.kind === "Pod") {
      if (starts([...workload.templatePath, "metadata", "labels"]) && path.length === workload.templatePath.length + 3) return "pod-labels";
      if (starts([...workload.templatePath, "metadata", "annotations"]) && path.length === workload.templatePath.length + 3) return "pod-annotations";
    }
    if (options.jobPodSpec !== false && isPatchedJob(object) && starts([...workload.templatePath, "spec"])) return "job-pod-spec";
  }
  if (object.ref.kind === "StatefulSet" && object.group === "apps" && path[0] === "spec" && path[1] === "volumeClaimTemplates") {
    const field = path[4];
    if (typeof path[2] === "number" && path[3] === "metadata" && (field === "labels" || field === "annotations") && path.length === 6) {
      return "claim-template";
    }
  }
  return "other";
}

/** A leaf difference as a FieldChange: keys a probe added point at their map; expressions at their entry. */
function fieldChange(object: KubeObject, leaf: Leaf, causes: ProbeCause[], valuesPaths: string[], options: { jobPodSpec?: boolean } = {}): FieldChange {
  const where = section(object, leaf.path, options);
  let path = leaf.path;
  let key: string | undefined;
  const added = leaf.before === undefined;
  const expressions = path.indexOf("matchExpressions");
  if (where === "selector" && expressions !== -1 && typeof path[expressions + 1] === "number") {
    path = path.slice(0, expressions + 2);
    const expression = getPath(object.raw, path);
    key = isRecord(expression) && typeof expression.key === "string" ? expression.key : undefined;
  } else if (where !== "name" && where !== "other" && where !== "job-pod-spec" && path.length > 0) {
    key = String(path.at(-1));
    if (added) path = path.slice(0, -1);
  }
  return {
    section: where,
    path,
    ...(key === undefined ? {} : { key }),
    ...(leaf.before === undefined ? {} : { before: leafText(leaf.before) }),
    ...(leaf.after === undefined ? {} : { after: leafText(leaf.after) }),
    added,
    causes,
    valuesPaths: [...new Set(valuesPaths)],
  };
}

/** Every leaf where two values differ; a missing side is `undefined`. */
export function diffLeaves(a: unknown, b: unknown, path: FieldPath): Leaf[] {
  if (a === b) return [];
  // A map or list on one side only: its entries, so that an added label is a leaf of its map.
  if (a === undefined && (isRecord(b) || Array.isArray(b))) return diffLeaves(Array.isArray(b) ? [] : {}, b, path);
  if (b === undefined && (isRecord(a) || Array.isArray(a))) return diffLeaves(a, Array.isArray(a) ? [] : {}, path);
  if (Array.isArray(a) && Array.isArray(b)) {
    const out: Leaf[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) out.push(...diffLeaves(a[i], b[i], [...path, i]));
    return out;
  }
  if (isRecord(a) && isRecord(b)) {
    const out: Leaf[] = [];
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      out.push(...diffLeaves(Object.hasOwn(a, key) ? a[key] : undefined, Object.hasOwn(b, key) ? b[key] : undefined, [...path, key]));
    }
    return out;
  }
  if (typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b)) return [];
  return [{ path, before: a, after: b }];
}

// ============================================================================================
// Pairing objects across renders
// ============================================================================================

/**
 * Pairs each base object with its counterpart: by kind, namespace and name, else (names
 * that change with a version, the revision or at random) by the template that rendered it,
 * its kind and its order among the still unpaired objects of that template.
 */
export function pairObjects(base: readonly KubeObject[], other: readonly KubeObject[]): Map<KubeObject, KubeObject> {
  const pairs = new Map<KubeObject, KubeObject>();
  const identity = (o: KubeObject) => `${o.ref.kind}\u0000${o.ref.namespace ?? ""}\u0000${o.ref.name}`;
  const byIdentity = new Map<string, KubeObject[]>();
  for (const object of other) {
    const list = byIdentity.get(identity(object));
    if (list) list.push(object);
    else byIdentity.set(identity(object), [object]);
  }
  const unpairedBase: KubeObject[] = [];
  for (const object of base) {
    const match = byIdentity.get(identity(object))?.shift();
    if (match) pairs.set(object, match);
    else unpairedBase.push(object);
  }
  if (unpairedBase.length === 0) return pairs;
  const paired = new Set(pairs.values());
  const slot = (o: KubeObject) => `${templateInChart(o.doc.template)}\u0000${o.ref.kind}`;
  const rest = new Map<string, KubeObject[]>();
  for (const object of other) {
    if (paired.has(object)) continue;
    const list = rest.get(slot(object));
    if (list) list.push(object);
    else rest.set(slot(object), [object]);
  }
  for (const object of unpairedBase) {
    const match = rest.get(slot(object))?.shift();
    if (match) pairs.set(object, match);
  }
  return pairs;
}

/**
 * A template as both renders name it: the base render's names point at files on disk
 * (`charts/web/templates/x.yaml`, aliased subcharts resolved), a probe render's are Helm's
 * (`web/templates/x.yaml`); the part from `templates/` on is what both share. Same-named
 * templates of two subcharts share a slot, where the order tells them apart.
 */
function templateInChart(template: string | undefined): string {
  if (template === undefined) return "";
  const parts = template.split(/[/\\]/);
  const at = parts.lastIndexOf("templates");
  return at === -1 ? template : parts.slice(at).join("/");
}
