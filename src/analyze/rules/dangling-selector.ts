import type { PdbView, SelectorConsumer } from "../../model/consumers.ts";
import { escapeRegExp } from "../../load/regexp.ts";
import type { Workload } from "../../model/workloads.ts";
import { namespaceOf, refString, stringMap, type KubeObject } from "../../model/object.ts";
import { BUILTIN_SERVICES, CLUSTER_COMPONENTS_NAMESPACE, grantsPodRelabelling, isControllerLabel, mayRunPods } from "../../model/cluster.ts";
import { describeSelector, matches, selectsEverything, type Labels, type LabelIndex, type Selector } from "../../model/selector.ts";
import type { AnalysisContext } from "../context.ts";
import type { Remedy } from "../finding.ts";
import { andList, formatMessage } from "../messages.ts";
import { type ReportFinding, type Rule, ruleHelpUri } from "../rule.ts";

/**
 * Selectors that select nothing in the checked manifests (k8s-rules.md §2.3, §4): a
 * Service without endpoints, a PDB that protects nothing, an HPA whose target is
 * missing, a monitor without targets. Usually a label renamed on one side only.
 *
 * Only where the manifests are the whole story: not when the pods may come from outside
 * the render (a custom resource whose operator runs them, the cluster's own components in
 * kube-system, the API server's default/kubernetes Service, a monitor of every
 * namespace), nor when the chart's own view is incomplete (dependencies left out with
 * --skip-missing-deps, workload templates these values do not render).
 */
/** Remedies, with the specifics of a finding (closest pods, matches in other namespaces) where it has them. */
const REMEDY = {
  service: "Make spec.selector a subset of the intended pod template's labels (same keys, same values); render both from one selector-labels helper.",
  serviceNamespace: "a Service only selects pods in its own namespace.",
  pdb: "Set spec.selector.matchLabels to the selector labels of the workload this budget protects.",
  pdbNamespace: "a PodDisruptionBudget only selects pods in its own namespace.",
  pdbV1beta1:
    "Use apiVersion policy/v1 and set spec.selector.matchLabels to the selector labels of the workload this budget protects (under policy/v1, {} would cover every pod in the namespace).",
  serviceMonitor:
    "A ServiceMonitor selects Services by the Service's own metadata.labels (not its spec.selector): make spec.selector.matchLabels match the labels on the intended Service, and spec.namespaceSelector its namespace.",
  podMonitor: "Make spec.selector.matchLabels a subset of the intended pod template's labels, and spec.namespaceSelector its namespace.",
  monitorNamespace: "set spec.namespaceSelector.matchNames to include that namespace.",
  hpaTarget: "Point spec.scaleTargetRef at the workload's exact apiVersion, kind and name (render both from the same fullname helper).",
  hpaSelector: "Make {{target}}'s spec.selector match its own pod template labels.",
  closest: "Closest: {{closest}}.",
  elsewhere: "It would match {{found}}: {{advice}}",
  podLabels: "These are the pod labels of {{pods}}; a ServiceMonitor matches the Service's own metadata.labels, not its pods' labels.",
  sameName: "The input has {{candidates}} with that name: check scaleTargetRef.kind.",
};

const NO_ENDPOINTS = "The Service gets no endpoints and every connection to it fails. It is reported because the checked manifests are the whole story for this namespace: no operator, cluster component or unrendered template could supply the pods.";
const NO_PROTECTION = "The budget protects nothing during node drains and upgrades of the nodes.";
const NO_TARGETS = "Prometheus gets no targets from it: the application is not monitored, and nothing reports an error.";

export const danglingSelector: Rule = {
  meta: {
    id: "dangling-selector",
    severity: "warning",
    summary: "A Service, PDB, HPA, ServiceMonitor or PodMonitor selects nothing in the checked manifests.",
    messages: {
      serviceNoPods: "selector {{selector}} matches no pods: the Service has no endpoints",
      pdbNoSelector: "no spec.selector: the budget selects no pods and protects nothing",
      pdbEmptyV1beta1: "empty selector {} under policy/v1beta1 selects no pods: the budget protects nothing",
      pdbEmptyNoPods: "empty selector {} selects every pod in namespace {{namespace}}, which has none",
      pdbNoPods: "selector {{selector}} matches no pods: the budget protects nothing",
      serviceMonitorNoServices: "no Service in namespace {{namespaces}} carries {{selector}} in its metadata.labels",
      podMonitorNoPods: "selector {{selector}} matches no pods in namespace {{namespaces}}",
      hpaNoTarget: "no spec.scaleTargetRef kind and name: it scales nothing",
      hpaMissingTarget: "scales {{target}}, which is not in the checked manifests",
      hpaTargetNoPods: "scales {{target}}, whose selector {{selector}} matches no pods (not even its own template)",
    },
    details: {
      serviceNoPods: NO_ENDPOINTS,
      pdbNoSelector: "A PodDisruptionBudget without a selector selects no pods. " + NO_PROTECTION,
      pdbEmptyV1beta1:
        "Under policy/v1beta1 an empty selector selects no pods (policy/v1 changed it to select every pod in the namespace). policy/v1beta1 was removed in Kubernetes 1.25; moving to policy/v1 changes what {} means.",
      pdbEmptyNoPods: "Under policy/v1 an empty selector selects every pod in the namespace, but the checked manifests have no pods in {{namespace}}. " + NO_PROTECTION,
      pdbNoPods: NO_PROTECTION,
      serviceMonitorNoServices: "A ServiceMonitor selects Services by their own metadata.labels. " + NO_TARGETS,
      podMonitorNoPods: NO_TARGETS,
      hpaNoTarget: "The API server rejects a HorizontalPodAutoscaler without a scale target.",
      hpaMissingTarget: "The HPA reports FailedGetScale and never scales anything.",
      hpaTargetNoPods: "The HPA has no pods to take metrics from and cannot scale.",
    },
    why:
      "A Service whose selector matches no pod has no endpoints and every connection to it fails; a PDB that matches no pod protects nothing during drains; an HPA whose target is missing never scales; a monitor without targets leaves the application unmonitored without any error. The usual cause is a label renamed in the pod template or in the selector but not in both. It is reported only where the checked manifests are the whole story: not for pods an operator may run for a custom resource in the namespace, the cluster's own components (kube-system, the API server's default/kubernetes Service), monitors of every namespace, a chart that has no workload at all (its Services front other releases' pods), or a chart rendered without some dependencies (--skip-missing-deps) or with workload templates these values do not render.",
    fix: "Make the selector's labels equal to labels the intended pod template (or, for a ServiceMonitor, the intended Service's metadata.labels) really carries, ideally both rendered from one selector-labels helper.",
    migration:
      "Service, PDB, HPA and monitor selectors can be changed in place: `helm upgrade` with the fixed chart restores the endpoints (or the protection) as soon as it is applied.",
    incident:
      "restatedev/restate #3905: the chart's Services selected `app: restate` while the pods carried only app.kubernetes.io/name and app.kubernetes.io/instance, so every Service had no endpoints, port-forwarding timed out and multi-node clusters could not form; devops-ia/helm-opencti #258: after a chart upgrade the frontend and ingestion Services selected a component label no pod carried.",
    helpUri: ruleHelpUri("dangling-selector"),
  },
  check(context, report) {
    for (const consumer of context.consumers) {
      if (consumer.kind === "Service") checkService(context, report, consumer);
      else if (consumer.kind === "PodDisruptionBudget") checkPdb(context, report, consumer as PdbView);
      else if (consumer.kind === "ServiceMonitor" || consumer.kind === "PodMonitor") checkMonitor(context, report, consumer);
    }
    checkHpas(context, report);
  },
};

function checkService(context: AnalysisContext, report: ReportFinding, service: SelectorConsumer): void {
  const spec = service.object.raw.spec as { type?: unknown } | undefined;
  // No selector (manual Endpoints/EndpointSlices) or ExternalName: Kubernetes manages no endpoints.
  if (service.selector.matchesNothing || spec?.type === "ExternalName") return;
  const index = context.podsIn(namespaceOf(service.object));
  if (index.select(templateLabelsOnly(service.selector)).length > 0) return;
  if (podsMayComeFromElsewhere(context, service.object, service.selector, [namespaceOf(service.object)])) return;
  const near = nearMisses(index, service.selector, (w) => w.podLabels, (w) => refString(w.object.ref));
  const elsewhere = podsElsewhere(context, service.selector, [namespaceOf(service.object)]);
  // One string for the message data and the evidence: a finding-heavy input keeps many.
  const selector = describeSelector(service.selector);
  report({
    object: service.object,
    path: service.selectorPath,
    messageId: "serviceNoPods",
    data: { selector },
    related: near.map((n) => n.item.object),
    evidence: { selector, matches: [], nearMisses: near.map(nearEvidence), elsewhere },
    remedy: hinted(REMEDY.service, near, elsewhere, REMEDY.serviceNamespace),
  });
}

function checkPdb(context: AnalysisContext, report: ReportFinding, pdb: PdbView): void {
  const namespace = namespaceOf(pdb.object);
  const index = context.podsIn(namespace);
  const raw = pdb.object.raw.spec as { selector?: unknown } | undefined;
  const v1beta1 = pdb.object.ref.apiVersion === "policy/v1beta1";
  if (pdb.selectorAbsent) {
    report({ object: pdb.object, path: pdb.selectorPath, messageId: "pdbNoSelector", data: {}, evidence: { selector: null, matches: [] }, remedy: { text: REMEDY.pdb } });
    return;
  }
  if (pdb.selector.matchesNothing) {
    if (v1beta1 && isEmptySelector(raw?.selector)) {
      report({
        object: pdb.object,
        path: pdb.selectorPath,
        messageId: "pdbEmptyV1beta1",
        data: {},
        evidence: { selector: "{}", apiVersion: "policy/v1beta1", matches: [] },
        remedy: { text: REMEDY.pdbV1beta1 },
      });
    }
    // Other match-nothing selectors are malformed; the label/selector syntax checks report them.
    return;
  }
  if (podsMayComeFromElsewhere(context, pdb.object, pdb.selector, [namespace])) return;
  if (selectsEverything(pdb.selector)) {
    if (index.select(pdb.selector).length > 0) return;
    report({
      object: pdb.object,
      path: pdb.selectorPath,
      messageId: "pdbEmptyNoPods",
      data: { namespace },
      evidence: { selector: describeSelector(pdb.selector), matches: [] },
      remedy: { text: REMEDY.pdb },
    });
    return;
  }
  if (index.select(templateLabelsOnly(pdb.selector)).length > 0) return;
  const near = nearMisses(index, pdb.selector, (w) => w.podLabels, (w) => refString(w.object.ref));
  const elsewhere = podsElsewhere(context, pdb.selector, [namespace]);
  const selector = describeSelector(pdb.selector);
  report({
    object: pdb.object,
    path: pdb.selectorPath,
    messageId: "pdbNoPods",
    data: { selector },
    related: near.map((n) => n.item.object),
    evidence: { selector, matches: [], nearMisses: near.map(nearEvidence), elsewhere },
    remedy: hinted(REMEDY.pdb, near, elsewhere, REMEDY.pdbNamespace),
  });
}

function checkMonitor(context: AnalysisContext, report: ReportFinding, monitor: SelectorConsumer): void {
  // namespaceSelector.any: every namespace of the cluster, most of which no render shows.
  if (monitor.selector.matchesNothing || monitor.namespaces === undefined) return;
  const namespaces = monitor.namespaces;
  const data = { selector: describeSelector(monitor.selector), namespaces: andList(namespaces) };
  if (monitor.kind === "ServiceMonitor") {
    const labelsOf = (o: KubeObject) => metadataLabels(o);
    if (namespaces.some((ns) => context.servicesIn(ns).select(monitor.selector).length > 0)) return;
    if (BUILTIN_SERVICES.some((service) => namespaces.includes(service.namespace) && matches(monitor.selector, service.labels))) return;
    // Services come from outside the render where pods do (an operator makes both, e.g. the kubelet's Service).
    if (podsMayComeFromElsewhere(context, monitor.object, monitor.selector, namespaces)) return;
    const near = namespaces.flatMap((ns) => nearMisses(context.servicesIn(ns), monitor.selector, labelsOf, (o) => refString(o.ref))).slice(0, MAX_NEAR);
    const podLabelsOf = namespaces.flatMap((ns) => context.podsIn(ns).select(monitor.selector)).slice(0, MAX_NEAR).map((w) => refString(w.object.ref));
    const elsewhere = servicesElsewhere(context, monitor, namespaces);
    const remedy = hinted(REMEDY.serviceMonitor, near, elsewhere, REMEDY.monitorNamespace);
    report({
      object: monitor.object,
      path: monitor.selectorPath,
      messageId: "serviceMonitorNoServices",
      data,
      related: near.map((n) => n.item),
      evidence: { selector: data.selector, namespaces, matches: [], nearMisses: near.map(nearEvidence), elsewhere, podLabelsOf },
      remedy: podLabelsOf.length === 0 ? remedy : { text: `${formatMessage(REMEDY.podLabels, { pods: andList(podLabelsOf) }, "remedy podLabels")} ${remedy.text}` },
    });
    return;
  }
  if (namespaces.some((ns) => context.podsIn(ns).select(templateLabelsOnly(monitor.selector)).length > 0)) return;
  if (podsMayComeFromElsewhere(context, monitor.object, monitor.selector, namespaces)) return;
  const near = namespaces
    .flatMap((ns) => nearMisses(context.podsIn(ns), monitor.selector, (w) => w.podLabels, (w) => refString(w.object.ref)))
    .slice(0, MAX_NEAR);
  const elsewhere = podsElsewhere(context, monitor.selector, namespaces);
  report({
    object: monitor.object,
    path: monitor.selectorPath,
    messageId: "podMonitorNoPods",
    data,
    related: near.map((n) => n.item.object),
    evidence: { selector: data.selector, namespaces, matches: [], nearMisses: near.map(nearEvidence), elsewhere },
    remedy: hinted(REMEDY.podMonitor, near, elsewhere, REMEDY.monitorNamespace),
  });
}

function checkHpas(context: AnalysisContext, report: ReportFinding): void {
  for (const hpa of context.hpas) {
    const namespace = hpa.object.ref.namespace;
    if (!hpa.target) {
      report({ object: hpa.object, path: hpa.targetPath, messageId: "hpaNoTarget", data: {}, evidence: { target: null }, remedy: { text: REMEDY.hpaTarget } });
      continue;
    }
    const target = `${hpa.target.kind}/${hpa.target.name}`;
    const object = context.find(hpa.target.kind, namespace, hpa.target.name);
    // A target the template does not name (`scaleTargetRef: {{ toYaml .scaleTargetRef }}`) is the user's, maybe outside the chart.
    if (!object && !chartViewIncomplete(context, hpa.object) && !templateWritesNone(context, hpa.object, [hpa.target.kind])) {
      const sameName = (context.derived(workloadsByName).get(`${namespace ?? ""}/${hpa.target.name}`) ?? [])
        .filter((w) => w.object.ref.kind !== hpa.target!.kind)
        .map((w) => refString(w.object.ref));
      report({
        object: hpa.object,
        path: hpa.targetPath,
        messageId: "hpaMissingTarget",
        data: { target },
        evidence: { target, sameName },
        remedy: {
          text: sameName.length === 0 ? REMEDY.hpaTarget : `${formatMessage(REMEDY.sameName, { candidates: andList(sameName) }, "remedy sameName")} ${REMEDY.hpaTarget}`,
        },
      });
      continue;
    }
    if (!object) continue;
    const workload = context.workloadFor(object);
    // Malformed selectors are reported by selector-mismatch; unknown kinds may have /scale we cannot see.
    if (!workload?.selector || workload.selector.matchesNothing) continue;
    if (context.podsIn(namespaceOf(object)).select(workload.selector).length > 0) continue;
    report({
      object: hpa.object,
      path: hpa.targetPath,
      messageId: "hpaTargetNoPods",
      data: { target, selector: describeSelector(workload.selector) },
      related: [object],
      evidence: { target, selector: describeSelector(workload.selector), matches: [] },
      remedy: { text: formatMessage(REMEDY.hpaSelector, { target }, "remedy hpaSelector") },
    });
  }
}

/** Workloads by `namespace/name`, once per context: an HPA whose target is missing looks for its namesakes. */
function workloadsByName(context: AnalysisContext): Map<string, Workload[]> {
  const byName = new Map<string, Workload[]>();
  for (const workload of context.workloads) {
    const key = `${namespaceOf(workload.object)}/${workload.object.ref.name}`;
    const list = byName.get(key);
    if (list) list.push(workload);
    else byName.set(key, [workload]);
  }
  return byName;
}

// ---------------------------------------------------------------------------
// Where the checked manifests are not the whole story

/**
 * The selector without its requirements on labels controllers set on running pods (a
 * per-pod Service selecting statefulset.kubernetes.io/pod-name): templates never carry
 * them, so only the rest can be compared with the pod templates.
 */
function templateLabelsOnly(selector: Selector): Selector {
  if (!selector.requirements.some((r) => isControllerLabel(r.key))) return selector;
  return { ...selector, requirements: selector.requirements.filter((r) => !isControllerLabel(r.key)) };
}

/**
 * True when pods (or Services) the selector wants may exist without being in the checked
 * manifests: "matches nothing" cannot be proven, so nothing is reported.
 */
function podsMayComeFromElsewhere(context: AnalysisContext, consumer: KubeObject, selector: Selector | undefined, namespaces: readonly string[]): boolean {
  if (namespaces.includes(CLUSTER_COMPONENTS_NAMESPACE)) return true;
  const operated = namespacesWithOperatedResources(context);
  if (namespaces.some((ns) => operated.has(ns))) return true;
  if (selector !== undefined && relabelledAtRunTime(context, selector, namespaces)) return true;
  // Values data (`selector: {{ toYaml .selector }}`), pointed by the user at pods of their own, wherever they run.
  if (selector !== undefined && templateWritesNone(context, consumer, selector.requirements.map((r) => r.key))) return true;
  return frontsOtherReleases(context, consumer) || chartViewIncomplete(context, consumer, selector);
}

/**
 * A chart that renders no workload and has no template that could: what its selectors want
 * are the pods of other releases (a Service-only chart in front of separately installed
 * database pods), which no render of this chart shows.
 */
function frontsOtherReleases(context: AnalysisContext, object: KubeObject): boolean {
  const chart = object.doc.release?.chart;
  if (chart === undefined || context.derived(chartsWithWorkloads).has(chart)) return false;
  return (context.chartFacts?.unrenderedWorkloads.get(chart) ?? []).length === 0;
}

function chartsWithWorkloads(context: AnalysisContext): Set<string | undefined> {
  return new Set(context.workloads.map((workload) => workload.object.doc.release?.chart));
}

/**
 * The object's template, with the helpers it includes, writes none of `words`: what they
 * name comes from values data (a chart that renders objects from a values list).
 */
function templateWritesNone(context: AnalysisContext, object: KubeObject, words: readonly string[]): boolean {
  const template = object.doc.template;
  const parts = template === undefined ? undefined : context.chartFacts?.templateTexts?.get(template);
  if (parts === undefined || words.length === 0) return false;
  return words.every((word) => !parts.some((part) => writtenAsWord(part, word)));
}

/**
 * The render grants patching pods (a controller of the release may label them at run
 * time), and the selector matches rendered pods once the labels no pod template carries
 * are left out: minio-operator's Service selects the `operator: leader` label its operator
 * puts on the leader pod.
 */
function relabelledAtRunTime(context: AnalysisContext, selector: Selector, namespaces: readonly string[]): boolean {
  const templateKeys = podTemplateKeysIfRelabelled(context);
  if (templateKeys === undefined) return false;
  const rest = selector.requirements.filter((r) => templateKeys.has(r.key));
  if (rest.length === selector.requirements.length || rest.length === 0) return false;
  return namespaces.some((ns) => context.podsIn(ns).select({ ...selector, requirements: rest }).length > 0);
}

/**
 * The consumer's chart was rendered without some dependencies, or has a workload template
 * these values do not render whose text could produce the selector's labels (`selector`
 * undefined: any such template).
 */
function chartViewIncomplete(context: AnalysisContext, object: KubeObject, selector?: Selector): boolean {
  const chart = object.doc.release?.chart;
  const facts = context.chartFacts;
  if (chart === undefined || facts === undefined) return false;
  if (facts.missingDependencies.has(chart)) return true;
  const unrendered = facts.unrenderedWorkloads.get(chart) ?? [];
  return unrendered.some((workload) => selector === undefined || couldRenderLabels(workload.text, selector));
}

/**
 * Whether a template's text (with its helpers) could render pod labels that satisfy the
 * selector: for each required label, its value written literally, or its key written with
 * a template action for the value (`app.kubernetes.io/instance: {{ .Release.Name }}`). A
 * label renamed on one side only fails this: the other side writes another literal value.
 */
function couldRenderLabels(text: string, selector: Selector): boolean {
  return selector.requirements.every((requirement) => {
    if (requirement.operator !== "In") return true; // absent keys and exclusions need nothing written
    return requirement.values.some((value) => writtenAsWord(text, value)) || keyWithTemplatedValue(text, requirement.key);
  });
}

function writtenAsWord(text: string, word: string): boolean {
  return new RegExp(`(^|[^A-Za-z0-9_.-])${escapeRegExp(word)}($|[^A-Za-z0-9_.-])`, "m").test(text);
}

function keyWithTemplatedValue(text: string, key: string): boolean {
  return new RegExp(`(^|[\\s"'{])${escapeRegExp(key)}["']?\\s*:\\s*[^\\n]*\\{\\{`, "m").test(text);
}

/** Every label key of the rendered pod templates when the render grants patching pods, else undefined (once per context). */
function podTemplateKeysIfRelabelled(context: AnalysisContext): Set<string> | undefined {
  return context.derived(relabelledKeys);
}

function relabelledKeys(context: AnalysisContext): Set<string> | undefined {
  return context.objects.some(grantsPodRelabelling) ? new Set(context.workloads.flatMap((w) => Object.keys(w.podLabels))) : undefined;
}

/** Namespaces holding a custom resource whose operator may run pods for it (model/cluster.ts), once per context. */
function namespacesWithOperatedResources(context: AnalysisContext): Set<string> {
  return context.derived(operatedNamespaces);
}

function operatedNamespaces(context: AnalysisContext): Set<string> {
  return new Set(context.objects.filter((o) => mayRunPods(o) && context.workloadFor(o) === undefined).map(namespaceOf));
}

// ---------------------------------------------------------------------------

const MAX_NEAR = 3;

interface NearMiss<T> {
  item: T;
  name: string;
  /** The requirement that fails, in kubectl form. */
  unmatched: string;
}

/**
 * Items that every requirement but one matches: the likely intended target of a typo or
 * renamed label. A relaxed selector that still matches many items (only the release label
 * left, say) says nothing about intent and is skipped.
 */
function nearMisses<T>(index: LabelIndex<T>, selector: Selector, labelsOf: (item: T) => Labels, nameOf: (item: T) => string): NearMiss<T>[] {
  const { requirements } = selector;
  if (requirements.length < 2) return [];
  const found: NearMiss<T>[] = [];
  const seen = new Set<T>();
  requirements.forEach((requirement, i) => {
    const rest = { matchesNothing: false, requirements: requirements.filter((_, j) => j !== i) };
    // One more than shown is enough to tell "too many to say anything" without listing them all.
    const candidates = index.selectFirst(rest, MAX_NEAR + 1);
    if (candidates.length > MAX_NEAR) return;
    for (const item of candidates) {
      if (seen.has(item) || found.length >= MAX_NEAR) continue;
      seen.add(item);
      const actual = labelsOf(item)[requirement.key];
      found.push({
        item,
        name: nameOf(item),
        unmatched: `${describeSelector({ matchesNothing: false, requirements: [requirement] })} (${actual === undefined ? "label absent" : `has ${requirement.key}=${actual}`})`,
      });
    }
  });
  return found;
}

function nearEvidence(near: NearMiss<unknown>): { object: string; unmatched: string } {
  return { object: near.name, unmatched: near.unmatched };
}

/** Pods outside the namespaces looked in that the selector would match, as `Kind/name in namespace ns` (the first few). */
function podsElsewhere(context: AnalysisContext, selector: Selector, searched: readonly string[]): string[] {
  return firstElsewhere(context.derived(podNamespaces), selector, searched, (ns) => context.podsIn(ns), (w) => refString(w.object.ref));
}

function servicesElsewhere(context: AnalysisContext, monitor: SelectorConsumer, searched: readonly string[]): string[] {
  return firstElsewhere(context.derived(serviceNamespaces), monitor.selector, searched, (ns) => context.servicesIn(ns), (o) => refString(o.ref));
}

/**
 * The first matches in the namespaces that hold the selector's rarest label (its key for
 * `Exists`), the ones searched left out: a finding costs the namespaces that could answer,
 * not every namespace of the input, nor every item of its own.
 */
function firstElsewhere<T>(
  namespaces: NamespacesByLabel,
  selector: Selector,
  searched: readonly string[],
  indexIn: (namespace: string) => LabelIndex<T>,
  nameOf: (item: T) => string,
): string[] {
  const found: string[] = [];
  for (const namespace of namespaces.candidates(selector)) {
    if (found.length >= MAX_NEAR) break;
    if (searched.includes(namespace)) continue;
    for (const item of indexIn(namespace).selectFirst(selector, MAX_NEAR - found.length)) found.push(`${nameOf(item)} in namespace ${namespace}`);
  }
  return found;
}

/**
 * Which namespaces hold items with each label (by key, then value) and each label key, in
 * input order. Keyed by the strings the labels already hold, not by a `key=value` string
 * made for every label of every item and again for every finding.
 */
class NamespacesByLabel {
  private readonly all = new Set<string>();
  private readonly byPair = new Map<string, Map<string, Set<string>>>();
  private readonly byKey = new Map<string, Set<string>>();

  constructor(items: readonly { namespace: string; labels: Labels }[]) {
    for (const { namespace, labels } of items) {
      this.all.add(namespace);
      for (const key in labels) {
        let byValue = this.byPair.get(key);
        if (byValue === undefined) this.byPair.set(key, (byValue = new Map()));
        addTo(byValue, labels[key]!, namespace);
        addTo(this.byKey, key, namespace);
      }
    }
  }

  /** The fewest namespaces any one requirement narrows the search to (every namespace when none does). */
  candidates(selector: Selector): ReadonlySet<string> {
    let best: ReadonlySet<string> = this.all;
    for (const r of selector.requirements) {
      const narrowed =
        r.operator === "In" && r.values.length === 1
          ? (this.byPair.get(r.key)?.get(r.values[0]!) ?? NONE)
          : r.operator === "Exists"
            ? (this.byKey.get(r.key) ?? NONE)
            : undefined;
      if (narrowed !== undefined && narrowed.size < best.size) best = narrowed;
    }
    return best;
  }
}

const NONE: ReadonlySet<string> = new Set();

function addTo(sets: Map<string, Set<string>>, key: string, namespace: string): void {
  const set = sets.get(key);
  if (set === undefined) sets.set(key, new Set([namespace]));
  else set.add(namespace);
}

function podNamespaces(context: AnalysisContext): NamespacesByLabel {
  return new NamespacesByLabel(context.workloads.map((w) => ({ namespace: namespaceOf(w.object), labels: w.podLabels })));
}

function serviceNamespaces(context: AnalysisContext): NamespacesByLabel {
  const services = context.objects.filter((o) => o.ref.kind === "Service" && o.group === "");
  return new NamespacesByLabel(services.map((service) => ({ namespace: namespaceOf(service), labels: metadataLabels(service) })));
}

/** The remedy with what this finding's near misses and matches in other namespaces say. */
function hinted(base: string, near: readonly NearMiss<unknown>[], elsewhere: readonly string[], namespaceAdvice: string): Remedy {
  const parts: string[] = [];
  if (near.length > 0) parts.push(formatMessage(REMEDY.closest, { closest: near.map((n) => `${n.name} fails only ${n.unmatched}`).join("; ") }, "remedy closest"));
  if (elsewhere.length > 0) parts.push(formatMessage(REMEDY.elsewhere, { found: andList(elsewhere), advice: namespaceAdvice }, "remedy elsewhere"));
  parts.push(base);
  return { text: parts.join(" ") };
}

function metadataLabels(object: KubeObject): Labels {
  return stringMap((object.raw.metadata as { labels?: unknown } | undefined)?.labels);
}

function isEmptySelector(raw: unknown): boolean {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return false;
  const { matchLabels, matchExpressions } = raw as { matchLabels?: unknown; matchExpressions?: unknown };
  const emptyMap = matchLabels === undefined || matchLabels === null || (typeof matchLabels === "object" && Object.keys(matchLabels).length === 0);
  const emptyList = matchExpressions === undefined || matchExpressions === null || (Array.isArray(matchExpressions) && matchExpressions.length === 0);
  return emptyMap && emptyList;
}
