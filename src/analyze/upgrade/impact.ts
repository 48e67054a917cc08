/**
 * The impact summary every upgrade report carries: which workloads roll and why, and
 * which objects are created, deleted, replaced or left behind.
 *
 * A Deployment (or ReplicaSet-based Rollout, StatefulSet, DaemonSet) rolls every pod
 * when anything in its pod template differs, labels and annotations included: the
 * controller hashes the whole template (k8s-rules.md §4, first row). Only the template
 * counts: `replicas`, strategy fields and the object's own metadata never roll pods.
 * Templates are compared as the API server stores them (after defaulting, with absent =
 * null = {} = []), so a chart that merely spells out a default does not count as a change.
 */
import { rollsOnTemplateChange } from "../../k8s/controllers.ts";
import { defaultedPodTemplate } from "../../k8s/defaults.ts";
import type { FieldPath } from "../../load/yaml.ts";
import { formatPath, getPath, isRecord, pathStartsWith, stringMap, type KubeObject, type ObjectRef } from "../../model/object.ts";
import { knownVersions, volatileLabels, type KnownVersions } from "../../model/volatile.ts";
import { workloadOf } from "../../model/workloads.ts";
import type { Cause } from "../finding.ts";
import { diff, sameValue, type Difference } from "./diff.ts";
import { helmIdentity, type UpdatePair, type UpgradePlan } from "./plan.ts";

export type RollReason =
  | "image"
  | "env"
  | "config-checksum"
  | "resources"
  /** Only pod template labels changed. */
  | "labels-only"
  /** Pod template labels changed together with something else. */
  | "labels"
  | "annotations"
  | "command"
  | "volumes"
  | "probes"
  /** A container was added, removed or renamed. */
  | "containers"
  | "pod-spec";

export interface RolledWorkload {
  object: ObjectRef;
  reasons: RollReason[];
  /** The changed fields of the pod template, e.g. `spec.template.spec.containers[0].image`. */
  changes: string[];
  /**
   * Nothing the pods run changes: only volatile labels (chart or app version) or checksums
   * of config whose only change is such labels. needless-rollout reports these.
   */
  needless: boolean;
  /** `updateStrategy: OnDelete`: the new template applies only to pods deleted from now on. */
  onDelete?: true;
}

export type ReplacementWhy = "kind-change" | "group-change" | "rename";

export interface Replacement {
  from: ObjectRef;
  to: ObjectRef;
  why: ReplacementWhy;
}

export interface Impact {
  rolled: RolledWorkload[];
  created: ObjectRef[];
  deleted: ObjectRef[];
  replaced: Replacement[];
  /** Removed from the chart but kept by `helm.sh/resource-policy: keep`: still running, no longer managed. */
  kept: ObjectRef[];
}

/** What makes a label "volatile": the built-in keys, configured extra keys, and the versions both releases declare. */
export interface Volatility {
  versions: KnownVersions;
  extraKeys: ReadonlySet<string>;
}

export interface KeyChange {
  key: string;
  /** undefined where the key is absent (or null / empty) on that side. */
  before: unknown;
  after: unknown;
}

export interface VolatileLabelChange extends KeyChange {
  cause: Extract<Cause, "name" | "chart-version" | "app-version">;
}

/** One workload's pod template, before and after, split the way roll reasons need it. */
export interface TemplateChanges {
  pair: UpdatePair;
  templatePath: FieldPath;
  labels: KeyChange[];
  annotations: KeyChange[];
  /** Everything else in the template (the pod spec, other metadata), with full paths. */
  other: Difference[];
}

export function isRollingWorkload(object: KubeObject): boolean {
  return rollsOnTemplateChange(object.group, object.ref.kind) && workloadOf(object) !== undefined;
}

/** The pod template differences of an updated pair, or undefined when the kind does not roll pods. */
export function templateChangesOf(pair: UpdatePair): TemplateChanges | undefined {
  if (!isRollingWorkload(pair.after) || pair.before.ref.kind !== pair.after.ref.kind) return undefined;
  const templatePath = workloadOf(pair.after)!.templatePath;
  const before = comparablePodTemplate(pair.before, templatePath);
  const after = comparablePodTemplate(pair.after, templatePath);
  const metaBefore = recordAt(before, "metadata");
  const metaAfter = recordAt(after, "metadata");
  const { labels: lb, annotations: ab, ...restBefore } = metaBefore;
  const { labels: la, annotations: aa, ...restAfter } = metaAfter;
  const { metadata: _mb, spec: _sb, ...outsideBefore } = isRecord(before) ? before : {};
  const { metadata: _ma, spec: _sa, ...outsideAfter } = isRecord(after) ? after : {};
  const other = [
    ...diff(restBefore, restAfter, [...templatePath, "metadata"]),
    ...specDifferences(recordAt(before, "spec"), recordAt(after, "spec"), [...templatePath, "spec"]),
    // Fields a pod template does not have; compared anyway so nothing is silently lost.
    ...diff(outsideBefore, outsideAfter, templatePath),
  ];
  return { pair, templatePath, labels: keyChanges(lb, la), annotations: keyChanges(ab, aa), other };
}

export function hasChanges(changes: TemplateChanges): boolean {
  return changes.labels.length + changes.annotations.length + changes.other.length > 0;
}

/** The changed template fields as paths, e.g. `spec.template.metadata.labels.helm.sh/chart`. */
export function changedPaths(changes: TemplateChanges): string[] {
  const meta = [...changes.templatePath, "metadata"];
  return [
    ...changes.labels.map((c) => formatPath([...meta, "labels", c.key])),
    ...changes.annotations.map((c) => formatPath([...meta, "annotations", c.key])),
    ...changes.other.map((d) => formatPath(d.path)),
  ];
}

export function isChecksumAnnotation(key: string): boolean {
  return key.startsWith("checksum/");
}

export function rollReasons(changes: TemplateChanges): RollReason[] {
  const reasons = new Set<RollReason>();
  for (const { key } of changes.annotations) reasons.add(isChecksumAnnotation(key) ? "config-checksum" : "annotations");
  const specPath = [...changes.templatePath, "spec"];
  for (const { path } of changes.other) {
    if (!pathStartsWith(path, specPath)) {
      reasons.add("pod-spec");
      continue;
    }
    const [field, , containerField] = path.slice(specPath.length).map(String);
    const inContainer = field === "containers" || field === "initContainers" || field === "ephemeralContainers";
    if (inContainer && containerField === undefined) reasons.add("containers");
    else if (inContainer && containerField === "image") reasons.add("image");
    else if (inContainer && (containerField === "env" || containerField === "envFrom")) reasons.add("env");
    else if (inContainer && containerField === "resources") reasons.add("resources");
    else if (inContainer && (containerField === "command" || containerField === "args")) reasons.add("command");
    else if (inContainer && containerField !== undefined && /Probe$/.test(containerField)) reasons.add("probes");
    else if (inContainer && (containerField === "volumeMounts" || containerField === "volumeDevices")) reasons.add("volumes");
    else if (field === "volumes") reasons.add("volumes");
    else reasons.add("pod-spec");
  }
  if (changes.labels.length > 0) reasons.add(reasons.size === 0 ? "labels-only" : "labels");
  return [...reasons];
}

// ---------------------------------------------------------------------------------------
// Volatile metadata: what needless-rollout reports and `needless` marks.

export function volatilityOf(plan: UpgradePlan, extraKeys: ReadonlySet<string> = new Set()): Volatility {
  const objects = [
    ...plan.updated.flatMap((p) => [p.before, p.after]),
    ...plan.created,
    ...plan.deleted,
    ...plan.kept,
    ...plan.hooks,
  ];
  return { versions: knownVersions(objects), extraKeys };
}

export function mergeVolatility(a: KnownVersions, b: KnownVersions, extraKeys: ReadonlySet<string>): Volatility {
  return { versions: { chart: new Set([...a.chart, ...b.chart]), app: new Set([...a.app, ...b.app]) }, extraKeys };
}

/**
 * Why a changed label is volatile, or undefined: its key is a volatile one, or each side
 * that has it carries a chart or app version in its value (model/volatile.ts decides both).
 */
export function volatileCause(change: KeyChange, volatility: Volatility): VolatileLabelChange["cause"] | undefined {
  const reasons: string[] = [];
  for (const value of [change.after, change.before]) {
    if (value === undefined) continue;
    if (typeof value !== "string") return undefined;
    const [found] = volatileLabels({ [change.key]: value }, volatility.versions, volatility.extraKeys);
    if (!found) return undefined;
    reasons.push(found.reason);
  }
  if (reasons.length === 0 || reasons.includes("key")) return reasons.length === 0 ? undefined : "name";
  return reasons[0] === "app-version" ? "app-version" : "chart-version";
}

/**
 * Whether the release's ConfigMaps and Secrets changed in anything but volatile labels:
 * `unchanged` (none changed), `volatile-only` (every changed one differs only in volatile
 * metadata.labels), or `data-changed` (a real change, or one created or deleted).
 */
export type ConfigChange = "unchanged" | "volatile-only" | "data-changed";

const CONFIG_KINDS = new Set(["ConfigMap", "Secret"]);
const isConfig = (o: KubeObject) => o.group === "" && CONFIG_KINDS.has(o.ref.kind);

export function configChangeOf(plan: UpgradePlan, volatility: Volatility): ConfigChange {
  if (plan.created.some(isConfig) || plan.deleted.some(isConfig) || plan.kept.some(isConfig)) return "data-changed";
  const pairs = [...plan.updated.filter((p) => isConfig(p.after)), ...hookPairs(plan).filter((p) => isConfig(p.after))];
  let state: ConfigChange = "unchanged";
  for (const { before, after } of pairs) {
    const { metadata: mb, ...restBefore } = before.raw;
    const { metadata: ma, ...restAfter } = after.raw;
    const { labels: lb, ...otherMetaBefore } = isRecord(mb) ? mb : {};
    const { labels: la, ...otherMetaAfter } = isRecord(ma) ? ma : {};
    const { apiVersion: _vb, ...contentBefore } = restBefore;
    const { apiVersion: _va, ...contentAfter } = restAfter;
    if (!sameValue(contentBefore, contentAfter) || !sameValue(otherMetaBefore, otherMetaAfter)) return "data-changed";
    const labels = keyChanges(lb, la);
    if (labels.length === 0) continue;
    if (labels.some((c) => volatileCause(c, volatility) === undefined)) return "data-changed";
    state = "volatile-only";
  }
  return state;
}

/** Hooks are recreated, not patched; for "did this config change" they still pair by identity. */
function hookPairs(plan: UpgradePlan): UpdatePair[] {
  const byIdentity = new Map<string, KubeObject[]>();
  for (const hook of plan.hooks) {
    if (hook.generatedName) continue;
    const key = helmIdentity(hook);
    byIdentity.set(key, [...(byIdentity.get(key) ?? []), hook]);
  }
  const pairs: UpdatePair[] = [];
  for (const [before, after] of byIdentity.values()) {
    if (before && after) pairs.push({ before, after });
  }
  return pairs;
}

export interface NeedlessRoll {
  changes: TemplateChanges;
  /** The volatile labels that changed. */
  labels: VolatileLabelChange[];
  /** The checksum annotations that changed although their input changed only in volatile metadata. */
  checksums: KeyChange[];
  cause: VolatileLabelChange["cause"];
  mechanism: "label" | "checksum";
}

/**
 * The template changed, but only in volatile labels, or in `checksum/*` annotations whose
 * input changed only in such labels: the pods restart for nothing. A checksum counts as
 * needless when no ConfigMap or Secret of the release changed in anything but volatile
 * labels (chartguard cannot tell from rendered output which object a checksum covers).
 */
export function needlessRoll(changes: TemplateChanges, config: ConfigChange, volatility: Volatility): NeedlessRoll | undefined {
  if (!hasChanges(changes) || changes.other.length > 0) return undefined;
  // A selector change is refused (immutable-field) or is its own problem (rollout-selector-changed).
  const { before, after } = changes.pair;
  if (!sameValue(getPath(before.raw, ["spec", "selector"]), getPath(after.raw, ["spec", "selector"]))) return undefined;
  const labels: VolatileLabelChange[] = [];
  for (const change of changes.labels) {
    const cause = volatileCause(change, volatility);
    if (cause === undefined) return undefined;
    labels.push({ ...change, cause });
  }
  const checksums: KeyChange[] = [];
  for (const change of changes.annotations) {
    if (!isChecksumAnnotation(change.key) || config === "data-changed") return undefined;
    // A checksum that appears or disappears is a template change of the chart, not of config.
    if (typeof change.before !== "string" || typeof change.after !== "string") return undefined;
    checksums.push(change);
  }
  // Volatile labels only removed: that is the chart being fixed, one last restart, not a needless one.
  if (checksums.length === 0 && labels.every((l) => l.after === undefined)) return undefined;
  const cause = labels.some((l) => l.cause === "name") ? "name" : (labels[0]?.cause ?? "name");
  return { changes, labels, checksums, cause, mechanism: labels.length > 0 ? "label" : "checksum" };
}

/** `updateStrategy.type: OnDelete` (StatefulSet, DaemonSet): a template change waits for pods to be deleted. */
export function isOnDelete(object: KubeObject): boolean {
  const kind = object.ref.kind;
  return (kind === "StatefulSet" || kind === "DaemonSet") && getPath(object.raw, ["spec", "updateStrategy", "type"]) === "OnDelete";
}

// ---------------------------------------------------------------------------------------

export function impactOf(plan: UpgradePlan, replaced: readonly Replacement[], extraVolatileKeys: ReadonlySet<string> = new Set()): Impact {
  const volatility = volatilityOf(plan, extraVolatileKeys);
  const config = configChangeOf(plan, volatility);
  const rolled: RolledWorkload[] = [];
  for (const pair of plan.updated) {
    const changes = templateChangesOf(pair);
    if (!changes || !hasChanges(changes)) continue;
    rolled.push({
      object: pair.after.ref,
      reasons: rollReasons(changes),
      changes: changedPaths(changes),
      needless: needlessRoll(changes, config, volatility) !== undefined,
      ...(isOnDelete(pair.after) ? { onDelete: true as const } : {}),
    });
  }
  return {
    rolled,
    created: plan.created.map((o) => o.ref),
    deleted: plan.deleted.map((o) => o.ref),
    replaced: [...replaced],
    kept: plan.kept.map((o) => o.ref),
  };
}

// ---------------------------------------------------------------------------------------
// helpers

/**
 * The pod template of an object as the API server stores it: pod-spec defaults applied
 * (src/k8s/defaults.ts), so a template that only spells out a default (`imagePullPolicy` matching
 * the default, `protocol: TCP`, `terminationMessagePath`) is not a change. Argo Rollouts
 * are custom resources: the API server does not default their embedded template and the
 * controller hashes it as written, so theirs is compared as written.
 */
export function comparablePodTemplate(object: KubeObject, templatePath: FieldPath): unknown {
  const template = getPath(object.raw, templatePath);
  if (object.group === "argoproj.io" || template === undefined || template === null) return template;
  return defaultedPodTemplate(template);
}

function recordAt(value: unknown, key: string): Record<string, unknown> {
  const child = isRecord(value) ? value[key] : undefined;
  return isRecord(child) ? child : {};
}

function keyChanges(before: unknown, after: unknown): KeyChange[] {
  const b = isRecord(before) ? before : {};
  const a = isRecord(after) ? after : {};
  const changes: KeyChange[] = [];
  for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (sameValue(b[key], a[key])) continue;
    changes.push({ key, before: emptyToUndefined(b[key]), after: emptyToUndefined(a[key]) });
  }
  return changes.sort((x, y) => x.key.localeCompare(y.key));
}

function emptyToUndefined(value: unknown): unknown {
  return sameValue(value, undefined) ? undefined : value;
}

const CONTAINER_LISTS = ["containers", "initContainers", "ephemeralContainers"];

/**
 * The pod spec diff, with containers matched by name (as Kubernetes merges them) so a
 * sidecar inserted at the front reads as "a container was added", not as every field of
 * every container changing. Paths use the index on the side where the container exists
 * (the new side when both).
 */
function specDifferences(before: Record<string, unknown>, after: Record<string, unknown>, path: FieldPath): Difference[] {
  const out: Difference[] = [];
  const { rest: restBefore, lists: listsBefore } = splitContainers(before);
  const { rest: restAfter, lists: listsAfter } = splitContainers(after);
  out.push(...diff(restBefore, restAfter, path));
  for (const list of CONTAINER_LISTS) {
    const b = listsBefore[list];
    const a = listsAfter[list];
    const byName = namedContainers(b) && namedContainers(a);
    if (!byName) {
      out.push(...diff(b, a, [...path, list]));
      continue;
    }
    const beforeByName = new Map((b ?? []).map((c, i) => [stringMap(c).name!, { c, i }]));
    const afterNames = new Set((a ?? []).map((c) => stringMap(c).name!));
    (a ?? []).forEach((container, i) => {
      const old = beforeByName.get(stringMap(container).name!);
      out.push(...diff(old?.c, container, [...path, list, i]));
    });
    for (const [name, { c, i }] of beforeByName) {
      if (!afterNames.has(name)) out.push({ path: [...path, list, i], before: c, after: undefined });
    }
    const orderBefore = (b ?? []).map((c) => stringMap(c).name).filter((n) => afterNames.has(n!));
    const orderAfter = (a ?? []).map((c) => stringMap(c).name).filter((n) => beforeByName.has(n!));
    if (orderBefore.join("\u0000") !== orderAfter.join("\u0000")) {
      out.push({ path: [...path, list], before: orderBefore, after: orderAfter });
    }
  }
  return out;
}

function splitContainers(spec: Record<string, unknown>): { rest: Record<string, unknown>; lists: Record<string, unknown[] | undefined> } {
  const rest: Record<string, unknown> = {};
  const lists: Record<string, unknown[] | undefined> = {};
  for (const [key, value] of Object.entries(spec)) {
    if (CONTAINER_LISTS.includes(key) && (Array.isArray(value) || value === null || value === undefined)) lists[key] = value ?? undefined;
    else rest[key] = value;
  }
  return { rest, lists };
}

function namedContainers(list: unknown[] | undefined): boolean {
  if (list === undefined) return true;
  const names = list.map((c) => (isRecord(c) && typeof c.name === "string" ? c.name : undefined));
  return names.every((n) => n !== undefined) && new Set(names).size === names.length;
}

