/** Pod annotations that restart a workload's pods on every release or chart bump, and whether the chart means it. */
import type { FieldPath } from "../../load/yaml.ts";
import { getPath, isRecord, stringMap, type KubeObject } from "../../model/object.ts";
import { declaresChartReleasedWithApp, hasStampedTag, mentionsVersion, namedToRoll, taggedWithChartVersionUnderOtherMajor, volatileLabels, type KnownVersions } from "../../model/volatile.ts";
import { containerImages, type Workload } from "../../model/workloads.ts";
import type { AnalysisContext } from "../context.ts";
import { changedKey, probesOf, type FieldChange } from "../probes.ts";
import { impliedCause } from "./labels.ts";

/**
 * How a pod annotation (or another pod template field) that changes on every release came
 * to be: a hash (checksum/…) of something random, which the random object's own finding
 * reports; a roll the chart means (its name says so, a values flag switches it, a comment
 * says it restarts the pods); or nothing that says the restarts are meant.
 */
export function rollIntent(context: AnalysisContext, object: KubeObject, change: FieldChange): "hash" | "deliberate" | undefined {
  const key = nameOfField(object, change);
  if (/^[0-9a-f]{32,128}$/i.test(change.before ?? "")) return "hash";
  if (namedToRoll(key)) return "deliberate";
  const template = object.doc.template;
  const lines = template === undefined ? undefined : context.chartFacts?.deliberateLines?.get(template);
  const line = lines === undefined ? undefined : context.templateLines?.(object, change.path, { cause: "random", annotation: key });
  return line !== undefined && lines!.has(line) ? "deliberate" : undefined;
}

/**
 * Whether `helm upgrade` keeps a random pod annotation (a hash): the upgrade probe saw it kept, or,
 * where that probe did not run, the annotation's template line hashes a chart template that
 * reads its Secret back with `lookup` (a checksum annotation; two equal hashes are never chance).
 */
export function hashKeptOnUpgrade(context: AnalysisContext, object: KubeObject, change: FieldChange): boolean {
  if (change.keptOnUpgrade !== undefined) return change.keptOnUpgrade;
  const template = object.doc.template;
  const lines = template === undefined ? undefined : context.chartFacts?.hashesReusedSecret.get(template);
  if (lines === undefined) return false;
  const line = context.templateLines?.(object, change.path, { cause: "random", annotation: changedKey(change) });
  return line !== undefined && lines.has(line);
}

/** The name a changed field goes by: an environment variable's for its `value`, else its key. */
function nameOfField(object: KubeObject, change: FieldChange): string {
  const entry = change.path.at(-1) === "value" ? getPath(object.raw, change.path.slice(0, -1)) : undefined;
  return isRecord(entry) && typeof entry.name === "string" ? entry.name : changedKey(change);
}

/**
 * Whether the chart restarts the workload's pods on every release on purpose: a pod
 * annotation set from .Release.Revision or a random value, which the upgrade does not keep,
 * and which the chart means as a roll (rollIntent).
 */
export function rollsOnPurposeEveryRelease(context: AnalysisContext, object: KubeObject): boolean {
  return (probesOf(context.probes, object)?.changes ?? []).some(
    (change) =>
      change.section === "pod-annotations" &&
      (change.causes[0] === "revision" || change.causes[0] === "random") &&
      change.keptOnUpgrade !== true &&
      rollIntent(context, object, change) === "deliberate",
  );
}

/** Every `spec.scaleTargetRef` of the render (HPAs, KEDA ScaledObjects): `namespace kind name`. */
function autoscaled(context: AnalysisContext): ReadonlySet<string> {
  const targets = new Set<string>();
  for (const object of context.objects) {
    const { kind, name } = stringMap(getPath(object.raw, ["spec", "scaleTargetRef"]));
    if (kind !== undefined && name !== undefined) targets.add(`${object.ref.namespace ?? ""}\u0000${kind}\u0000${name}`);
  }
  return targets;
}

/**
 * A workload that runs no pods with these values: `spec.replicas: 0`, and no autoscaler of the
 * render targets it (a KEDA ScaledObject scales from zero; an HPA beside a zero says the chart
 * means it to run some other way). A change to its pod template restarts nothing until it is
 * scaled up.
 */
export function runsNoPods(context: AnalysisContext, object: KubeObject): boolean {
  if (getPath(object.raw, ["spec", "replicas"]) !== 0) return false;
  return !context.derived(autoscaled).has(`${object.ref.namespace ?? ""}\u0000${object.ref.kind}\u0000${object.ref.name}`);
}

/**
 * Whether the pod spec itself carries the chart version (an environment value such as
 * `OTEL_RESOURCE_ATTRIBUTES=chart.version=1.4.0`, an argument, an image tag, or one under
 * another major), or an image tag the release process stamps as it stamps the chart version:
 * every chart bump restarts the pods anyway, so a label or a hash of the chart version
 * restarts nothing more.
 */
export function podSpecCarriesChartVersion(workload: Workload, versions: KnownVersions, otherChartVersions: ReadonlySet<string> = new Set()): boolean {
  if (runsStampedImage(workload)) return true;
  const chartVersions = [versions.chart, otherChartVersions].filter((set) => set.size > 0);
  if (chartVersions.length === 0) return false;
  const images = containerImages(workload);
  if (chartVersions.some((set) => images.some((container) => taggedWithChartVersionUnderOtherMajor(container.image, set)))) return true;
  const pending: unknown[] = [getPath(workload.object.raw, [...workload.templatePath, "spec"])];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === "string") {
      if (chartVersions.some((set) => mentionsVersion(value, set))) return true;
    } else if (Array.isArray(value)) pending.push(...value);
    else if (value !== null && typeof value === "object") pending.push(...Object.values(value));
  }
  return false;
}

/**
 * An object a dependency from a chart repository rendered (ChartFacts.repositorySubchartPaths):
 * its labels carry that dependency's versions, which a release of the chart keeps until its
 * maintainers bump the dependency, new templates and images with it.
 */
export function fromRepositorySubchart(context: AnalysisContext, object: KubeObject): boolean {
  return renderedUnder(object, context.chartFacts?.repositorySubchartPaths);
}

/** An object a development copy of a chart rendered (ChartFacts.unreleasedChartPaths): each published version comes with the app's. */
export function fromUnreleasedChart(context: AnalysisContext, object: KubeObject): boolean {
  return renderedUnder(object, context.chartFacts?.unreleasedChartPaths);
}

/** Whether helm's `# Source:` path of the object starts with one of the paths. */
function renderedUnder(object: KubeObject, paths: readonly string[] = []): boolean {
  const source = object.doc.source;
  return source !== undefined && paths.some((prefix) => source.startsWith(prefix));
}

/** The workload's labels (its own and its pod template's) declare a chart released with its app (declaresChartReleasedWithApp). */
export function releasedWithApp(workload: Workload): boolean {
  const { raw } = workload.object;
  return declaresChartReleasedWithApp(getPath(raw, ["metadata", "labels"]), getPath(raw, [...workload.templatePath, "metadata", "labels"]));
}

/** A container of the workload runs an image whose tag the release process stamps (hasStampedTag). */
export function runsStampedImage(workload: Workload): boolean {
  return containerImages(workload).some((container) => hasStampedTag(container.image));
}

/** A pod annotation that hashes the whole text of templates whose objects carry the chart version in a label. */
export interface ChartVersionHash {
  annotation: string;
  path: FieldPath;
  /** The hashed templates, as the render names them. */
  templates: string[];
  /** The labels of their objects that carry the chart version (`helm.sh/chart`). */
  labels: string[];
  /** One of the templates renders several objects: `fromYaml` reads only the first. */
  severalObjects: boolean;
  /** The dependency whose templates these are, whose chart version the labels carry; absent for the chart's own. */
  subchart?: string;
}

/**
 * The workload's pod annotations (checksum/config) that hash the whole rendered text of a
 * template, metadata included, whose objects carry the chart version in a label: every chart
 * bump changes the hash, so the pods restart though their configuration did not change.
 * (Where the pod spec carries the chart version itself, podSpecCarriesChartVersion, the
 * pods restart on chart bumps anyway: the caller does not ask.)
 */
export function chartVersionHashes(context: AnalysisContext, workload: Workload): ChartVersionHash[] {
  const { object } = workload;
  const hashing = object.doc.template === undefined ? undefined : context.chartFacts?.hashesWholeTemplates?.get(object.doc.template);
  if (hashing === undefined) return [];
  // A hash that changes on every render or release (of a generated certificate) is nondeterministic-render's: it restarts the
  // pods anyway. One of a value the upgrade keeps (lookup) changes only with what else it hashes.
  const everyRelease = new Set(
    (probesOf(context.probes, object)?.changes ?? [])
      .filter((change) => change.section === "pod-annotations" && (change.causes[0] === "revision" || (change.causes[0] === "random" && !hashKeptOnUpgrade(context, object, change))))
      .map(changedKey),
  );
  const found: ChartVersionHash[] = [];
  for (const annotation of Object.keys(workload.podAnnotations)) {
    const templates = hashing.get(annotation);
    if (templates === undefined || everyRelease.has(annotation)) continue;
    const path = [...workload.templatePath, "metadata", "annotations", annotation];
    const objects = templates.map((template) => context.derived(objectsByTemplate).get(template) ?? []);
    const labels = objects
      .flat()
      .flatMap((hashed) => volatileLabels(stringMap(getPath(hashed.raw, ["metadata", "labels"])), context.versions))
      .filter((label) => impliedCause({ ...label, path: [] }) === "chart-version");
    if (labels.length === 0) continue;
    const subchart = objects.flat()[0]?.doc.subchart;
    found.push({
      annotation,
      path,
      templates: [...templates],
      labels: [...new Set(labels.map((label) => label.key))].sort(),
      severalObjects: objects.some((list) => list.length > 1),
      ...(subchart === undefined ? {} : { subchart }),
    });
  }
  return found;
}

/** The objects of each template, by the template as the render names it. */
function objectsByTemplate(context: AnalysisContext): Map<string, KubeObject[]> {
  const byTemplate = new Map<string, KubeObject[]>();
  for (const object of context.objects) {
    const template = object.doc.template;
    if (template === undefined) continue;
    const list = byTemplate.get(template);
    if (list) list.push(object);
    else byTemplate.set(template, [object]);
  }
  return byTemplate;
}
