/**
 * The indexed object graph every rule reads: built once per analysis, so cross-object
 * questions (who selects whose pods) cost an index lookup, not a scan.
 */
import type { FieldPath } from "../load/yaml.ts";
import { consumerOf, hpaOf, type HpaView, type PdbView, type SelectorConsumer } from "../model/consumers.ts";
import { stringMap, type KubeObject } from "../model/object.ts";
import { LabelIndex } from "../model/selector.ts";
import { knownVersions, type KnownVersions } from "../model/volatile.ts";
import { workloadOf, type Workload } from "../model/workloads.ts";
import type { Evidence } from "./finding.ts";
import type { ProbeEvidence } from "./probes.ts";
import type { UpgradePlan } from "./upgrade/plan.ts";

export interface AnalysisSettings {
  /** Target Kubernetes version, `major.minor`. */
  kubeVersion: string;
  /** Label keys to treat as volatile besides the built-in ones. */
  extraVolatileKeys: ReadonlySet<string>;
  /** Target Argo Rollouts version, `major.minor`; unknown: rules say what happens either side of 1.9. */
  argoRolloutsVersion?: string;
}

export const DEFAULT_SETTINGS: AnalysisSettings = {
  kubeVersion: "1.34",
  extraVolatileKeys: new Set(),
};

/**
 * The line in the chart template that produced a field of an object (for a finding with
 * this evidence), where it can be found. Built by src/template-locator.ts from the
 * chart's files, which it has read: calling it does no I/O.
 */
export type TemplateLocator = (object: KubeObject, path: FieldPath, evidence: Evidence) => number | undefined;

/**
 * What rendered charts' files say beyond the render (src/chart-facts.ts), read once by
 * the render layer so that rules ask without I/O. Keys: the chart as the user named it
 * (HelmRelease.chart), or for `lookups` the document's template.
 */
export interface ChartFacts {
  /** Dependencies left out of the render (--skip-missing-deps): the view of that chart is partial. */
  missingDependencies: ReadonlyMap<string, readonly string[]>;
  /** Templates that declare workloads these values did not render: a disabled component, an empty list. */
  unrenderedWorkloads: ReadonlyMap<string, readonly UnrenderedWorkload[]>;
  /** Kinds a template reads back from the cluster with `lookup`, itself or through the helpers it includes. */
  lookups: ReadonlyMap<string, ReadonlySet<string>>;
  /** Per rendered template, its text and that of every helper it includes: what it writes itself, and what comes from values. */
  templateTexts?: ReadonlyMap<string, readonly string[]>;
  /**
   * Templates that read `.Release.IsInstall` or `.Release.IsUpgrade`, themselves or through
   * the helpers they include: what they render on install may exist on install only (Helm
   * deletes it on the upgrade that no longer renders it) or be a hook on upgrade (created
   * anew), rather than be patched.
   */
  installConditional: ReadonlySet<string>;
  /**
   * Per template, the lines of its own text that hash another template of the chart
   * (`include (print $.Template.BasePath "/secret.yaml")`, a checksum annotation) which
   * reads a Secret back with `lookup`.
   */
  hashesReusedSecret: ReadonlyMap<string, ReadonlySet<number>>;
  /**
   * Per template, the keys (annotations) it writes only as a hash of the whole rendered text
   * of other templates of the chart, their labels included (a checksum annotation without
   * `fromYaml`): those templates, as the render names them.
   */
  hashesWholeTemplates?: ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;
  /**
   * Per template, the lines of its own text the chart marks as deliberate: right under an
   * `{{ if }}` on a values flag (users switch the line on or off), or under a comment that
   * says it restarts or rolls the pods.
   */
  deliberateLines?: ReadonlyMap<string, ReadonlySet<number>>;
  /**
   * Per template that reads objects back with `lookup`, the values it reads (itself or
   * through its helpers) whose name asks for new ones anyway: `recreate`, `regenerate`,
   * `renew`, `rotate` (opentelemetry-operator's `admissionWebhooks.autoGenerateCert.recreate`).
   */
  regenerateSwitches?: ReadonlyMap<string, readonly string[]>;
  /**
   * Where the templates of dependencies from a chart repository (`https://`, `oci://`, a
   * repository alias) render, as `# Source:` names them (`cortex/charts/memcached/`): charts
   * the chart's maintainers pin and cannot edit, whose own versions change only when they
   * bump the dependency on purpose.
   */
  repositorySubchartPaths?: readonly string[];
  /**
   * Where the templates of a chart whose appVersion is no version (`canary`, `latest`,
   * `main-latest`) render (`ceph-csi-rbd/templates/`): a development copy, whose release
   * process stamps the chart version, the appVersion and the image tags together when it
   * publishes; its own chart version does not change from one build to the next.
   */
  unreleasedChartPaths?: readonly string[];
}

export interface UnrenderedWorkload {
  /** The template's path in the chart (`templates/querier.yaml`, `charts/sub/templates/x.yaml`). */
  template: string;
  /** Its text and that of every helper it includes: what labels it could render. */
  text: string;
}

/** For `upgrade`: the release as it is, and what Helm will do with each object. */
export interface UpgradeView {
  previous: AnalysisContext;
  plan: UpgradePlan;
}

export interface AnalysisContext {
  settings: AnalysisSettings;
  objects: readonly KubeObject[];
  workloads: readonly Workload[];
  consumers: readonly (SelectorConsumer | PdbView)[];
  hpas: readonly HpaView[];
  versions: KnownVersions;
  /** Workloads of a namespace, indexed by pod template labels. */
  podsIn(namespace: string): LabelIndex<Workload>;
  /** Services of a namespace, indexed by their own metadata labels (what ServiceMonitors select). */
  servicesIn(namespace: string): LabelIndex<KubeObject>;
  namespaces(): readonly string[];
  workloadFor(object: KubeObject): Workload | undefined;
  /** An object by kind, namespace and name (first match). */
  find(kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
  /**
   * What `derive` computes from this context, computed on first use and kept with the
   * context (keyed by `derive` itself, so pass a module-level function): indexes a rule
   * needs for many findings live and die with the analysis, not in a module cache.
   */
  derived<T>(derive: (context: AnalysisContext) => T): T;
  /** Present when analysing an upgrade: this context is the target release. */
  upgrade?: UpgradeView;
  /** Present when charts were probed (perturbed renders): what changes with what. */
  probes?: ProbeEvidence;
  /** Present for rendered charts: where in a template a field comes from. */
  templateLines?: TemplateLocator;
  /** Present for rendered charts: what their files say beyond the render. */
  chartFacts?: ChartFacts;
}

export function buildContext(objects: readonly KubeObject[], settings: AnalysisSettings = DEFAULT_SETTINGS): AnalysisContext {
  const { workloads, workloadByObject, consumers, hpas, pods, services, byIdentity } = indexObjects(objects);
  const empty = <T>(labelsOf: (item: T) => Readonly<Record<string, string>>) => new LabelIndex<T>(labelsOf);
  // Only ServiceMonitors select Services by their labels: indexed when one asks, not for every dump.
  let servicesByNamespace: Map<string, LabelIndex<KubeObject>> | undefined;
  const serviceIndexes = () => {
    if (servicesByNamespace === undefined) {
      servicesByNamespace = new Map();
      for (const service of services) indexIn(servicesByNamespace, service.ref.namespace ?? "", serviceLabels).add(service);
    }
    return servicesByNamespace;
  };
  let namespaceList: string[] | undefined;
  const derivedValues = new Map<(context: AnalysisContext) => unknown, unknown>();
  const context: AnalysisContext = {
    settings,
    objects,
    workloads,
    consumers,
    hpas,
    versions: knownVersions(objects),
    podsIn: (namespace) => pods.get(namespace) ?? empty((w: Workload) => w.podLabels),
    servicesIn: (namespace) => serviceIndexes().get(namespace) ?? empty(serviceLabels),
    // Computed once: rules ask for every finding (dangling-selector's "pods elsewhere"), and objects never change.
    namespaces: () => (namespaceList ??= [...new Set([...pods.keys(), ...services.map((service) => service.ref.namespace ?? "")])]),
    workloadFor: (object) => workloadByObject.get(object),
    find: (kind, namespace, name) => byIdentity.get(namespace ?? "")?.get(kind)?.get(name),
    derived<T>(derive: (context: AnalysisContext) => T): T {
      if (!derivedValues.has(derive)) derivedValues.set(derive, derive(context));
      return derivedValues.get(derive) as T;
    },
  };
  return context;
}

/** One pass over the objects: what each is to the rules, and the per-namespace pod indexes. */
function indexObjects(objects: readonly KubeObject[]) {
  const workloads: Workload[] = [];
  const workloadByObject = new Map<KubeObject, Workload>();
  const consumers: (SelectorConsumer | PdbView)[] = [];
  const hpas: HpaView[] = [];
  const pods = new Map<string, LabelIndex<Workload>>();
  const services: KubeObject[] = [];
  // Namespace, then kind, then name: keyed by the strings the objects already hold, not by a new one per object.
  const byIdentity = new Map<string, Map<string, Map<string, KubeObject>>>();
  for (const object of objects) {
    const { kind, name } = object.ref;
    const namespace = object.ref.namespace ?? "";
    const byName = innerMap(innerMap(byIdentity, namespace), kind);
    if (!byName.has(name)) byName.set(name, object);
    const workload = workloadOf(object);
    if (workload) {
      workloads.push(workload);
      workloadByObject.set(object, workload);
      indexIn(pods, namespace, (w: Workload) => w.podLabels).add(workload);
    }
    const consumer = consumerOf(object);
    if (consumer) consumers.push(consumer);
    if (object.ref.kind === "Service" && object.group === "") services.push(object);
    const hpa = hpaOf(object);
    if (hpa) hpas.push(hpa);
  }
  return { workloads, workloadByObject, consumers, hpas, pods, services, byIdentity };
}

function innerMap<V>(outer: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let inner = outer.get(key);
  if (!inner) outer.set(key, (inner = new Map()));
  return inner;
}

function serviceLabels(service: KubeObject): Readonly<Record<string, string>> {
  return stringMap((service.raw.metadata as { labels?: unknown } | undefined)?.labels);
}

function indexIn<T>(
  indexes: Map<string, LabelIndex<T>>,
  namespace: string,
  labelsOf: (item: T) => Readonly<Record<string, string>>,
): LabelIndex<T> {
  let index = indexes.get(namespace);
  if (!index) indexes.set(namespace, (index = new LabelIndex(labelsOf)));
  return index;
}
