import type { PdbView, SelectorConsumer } from "../../model/consumers.ts";
import { namespaceOf, refString, stringMap, type KubeObject } from "../../model/object.ts";
import { BUILTIN_SERVICES, CLUSTER_COMPONENTS_NAMESPACE, grantsPodRelabelling, isControllerLabel, mayRunPods } from "../../model/cluster.ts";
import { describeSelector, matches, selectsEverything, type Labels, type LabelIndex, type Selector } from "../../model/selector.ts";
import type { AnalysisContext } from "../context.ts";
import { type ReportFinding, type Rule, manifest, ruleHelpUri } from "../rule.ts";

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
export const danglingSelector: Rule = {
  meta: {
    id: "dangling-selector",
    severity: "warning",
    summary: "A Service, PDB, HPA, ServiceMonitor or PodMonitor selects nothing in the checked manifests.",
    why:
      "A Service whose selector matches no pod has no endpoints and every connection to it fails; a PDB that matches no pod protects nothing during drains; an HPA whose target is missing never scales; a monitor without targets leaves the application unmonitored without any error. The usual cause is a label renamed in the pod template or in the selector but not in both. It is reported only where the checked manifests are the whole story: not for pods an operator may run for a custom resource in the namespace, the cluster's own components (kube-system, the API server's default/kubernetes Service), monitors of every namespace, or a chart rendered without some dependencies (--skip-missing-deps) or with workload templates these values do not render.",
    fix: "Make the selector's labels equal to labels the intended pod template (or, for a ServiceMonitor, the intended Service's metadata.labels) really carries, ideally both rendered from one selector-labels helper.",
    migration:
      "Service, PDB, HPA and monitor selectors can be changed in place: `helm upgrade` with the fixed chart restores the endpoints (or the protection) as soon as it is applied.",
    incident:
      "restatedev/restate #3905: the chart's Services selected `app: restate` while the pods carried only app.kubernetes.io/name and app.kubernetes.io/instance, so every Service had no endpoints, port-forwarding timed out and multi-node clusters could not form; devops-ia/helm-opencti #258: after a chart upgrade the frontend and ingestion Services selected a component label no pod carried.",
    example: {
      bad: manifest`
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          selector:
            matchLabels:
              app.kubernetes.io/name: web
          template:
            metadata:
              labels:
                app.kubernetes.io/name: web
            spec:
              containers:
                - name: web
                  image: nginx:1.27
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          selector:
            app: web
          ports:
            - port: 80
      `,
      good: manifest`
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          selector:
            matchLabels:
              app.kubernetes.io/name: web
          template:
            metadata:
              labels:
                app.kubernetes.io/name: web
            spec:
              containers:
                - name: web
                  image: nginx:1.27
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          selector:
            app.kubernetes.io/name: web
          ports:
            - port: 80
      `,
    },
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
  const name = refString(service.object.ref);
  report({
    object: service.object,
    path: service.selectorPath,
    message: `${name} selects ${describeSelector(service.selector)}, which matches no pods in the checked manifests: the Service gets no endpoints and every connection to it fails.${nearText(near)}${podsElsewhere(context, service.selector, [namespaceOf(service.object)], "A Service only selects pods in its own namespace.")}`,
    related: near.map((n) => n.item.object),
    evidence: { selector: describeSelector(service.selector), matches: [], nearMisses: near.map(nearEvidence) },
    remedy: {
      text: "Make spec.selector a subset of the intended pod template's labels (same keys, same values); render both from one selector-labels helper.",
    },
  });
}

function checkPdb(context: AnalysisContext, report: ReportFinding, pdb: PdbView): void {
  const name = refString(pdb.object.ref);
  const namespace = namespaceOf(pdb.object);
  const index = context.podsIn(namespace);
  const raw = pdb.object.raw.spec as { selector?: unknown } | undefined;
  const v1beta1 = pdb.object.ref.apiVersion === "policy/v1beta1";
  const remedy = { text: "Set spec.selector.matchLabels to the selector labels of the workload this budget protects." };
  if (pdb.selectorAbsent) {
    report({
      object: pdb.object,
      path: pdb.selectorPath,
      message: `${name} has no spec.selector: a PodDisruptionBudget without a selector selects no pods and protects nothing.`,
      evidence: { selector: null, matches: [] },
      remedy,
    });
    return;
  }
  if (pdb.selector.matchesNothing) {
    if (v1beta1 && isEmptySelector(raw?.selector)) {
      report({
        object: pdb.object,
        path: pdb.selectorPath,
        message: `${name} has an empty selector {} under policy/v1beta1, where an empty selector selects no pods (policy/v1 changed it to select every pod in the namespace), so this budget protects nothing. policy/v1beta1 was removed in Kubernetes 1.25; moving to policy/v1 changes what {} means.`,
        evidence: { selector: "{}", apiVersion: "policy/v1beta1", matches: [] },
        remedy: {
          text: "Use apiVersion policy/v1 and set spec.selector.matchLabels to the selector labels of the workload this budget protects (under policy/v1, {} would cover every pod in the namespace).",
        },
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
      message: `${name} has an empty selector {}, which under policy/v1 selects every pod in namespace ${namespace}, but the checked manifests have no pods there: the budget protects nothing.`,
      evidence: { selector: describeSelector(pdb.selector), matches: [] },
      remedy,
    });
    return;
  }
  if (index.select(templateLabelsOnly(pdb.selector)).length > 0) return;
  const near = nearMisses(index, pdb.selector, (w) => w.podLabels, (w) => refString(w.object.ref));
  report({
    object: pdb.object,
    path: pdb.selectorPath,
    message: `${name} selects ${describeSelector(pdb.selector)}, which matches no pods in the checked manifests: the budget protects nothing during node drains.${nearText(near)}${podsElsewhere(context, pdb.selector, [namespace], "A PodDisruptionBudget only selects pods in its own namespace.")}`,
    related: near.map((n) => n.item.object),
    evidence: { selector: describeSelector(pdb.selector), matches: [], nearMisses: near.map(nearEvidence) },
    remedy,
  });
}

function checkMonitor(context: AnalysisContext, report: ReportFinding, monitor: SelectorConsumer): void {
  // namespaceSelector.any: every namespace of the cluster, most of which no render shows.
  if (monitor.selector.matchesNothing || monitor.namespaces === undefined) return;
  const namespaces = monitor.namespaces;
  const name = refString(monitor.object.ref);
  const scope = monitor.namespaces === undefined ? "any namespace" : `namespace${namespaces.length === 1 ? "" : "s"} ${namespaces.join(", ")}`;
  if (monitor.kind === "ServiceMonitor") {
    const labelsOf = (o: KubeObject) => metadataLabels(o);
    if (namespaces.some((ns) => context.servicesIn(ns).select(monitor.selector).length > 0)) return;
    if (BUILTIN_SERVICES.some((service) => namespaces.includes(service.namespace) && matches(monitor.selector, service.labels))) return;
    // Services come from outside the render where pods do (an operator makes both, e.g. the kubelet's Service).
    if (podsMayComeFromElsewhere(context, monitor.object, monitor.selector, namespaces)) return;
    const near = namespaces.flatMap((ns) => nearMisses(context.servicesIn(ns), monitor.selector, labelsOf, (o) => refString(o.ref))).slice(0, MAX_NEAR);
    report({
      object: monitor.object,
      path: monitor.selectorPath,
      message: `${name} selects Services by their metadata.labels with ${describeSelector(monitor.selector)}, and no Service in ${scope} in the checked manifests carries them: Prometheus gets no targets from it.${nearText(near)}${podLabelsHint(context, monitor, namespaces)}${servicesElsewhere(context, monitor, namespaces)}`,
      related: near.map((n) => n.item),
      evidence: { selector: describeSelector(monitor.selector), namespaces: monitor.namespaces ?? "any", matches: [], nearMisses: near.map(nearEvidence) },
      remedy: {
        text: "A ServiceMonitor selects Services by the Service's own metadata.labels (not its spec.selector): make spec.selector.matchLabels match the labels on the intended Service, and spec.namespaceSelector its namespace.",
      },
    });
    return;
  }
  if (namespaces.some((ns) => context.podsIn(ns).select(templateLabelsOnly(monitor.selector)).length > 0)) return;
  if (podsMayComeFromElsewhere(context, monitor.object, monitor.selector, namespaces)) return;
  const near = namespaces
    .flatMap((ns) => nearMisses(context.podsIn(ns), monitor.selector, (w) => w.podLabels, (w) => refString(w.object.ref)))
    .slice(0, MAX_NEAR);
  report({
    object: monitor.object,
    path: monitor.selectorPath,
    message: `${name} selects ${describeSelector(monitor.selector)}, which matches no pods in ${scope} in the checked manifests: Prometheus gets no targets from it.${nearText(near)}${podsElsewhere(context, monitor.selector, namespaces, "Set spec.namespaceSelector.matchNames to include it.")}`,
    related: near.map((n) => n.item.object),
    evidence: { selector: describeSelector(monitor.selector), namespaces: monitor.namespaces ?? "any", matches: [], nearMisses: near.map(nearEvidence) },
    remedy: {
      text: "Make spec.selector.matchLabels a subset of the intended pod template's labels, and spec.namespaceSelector its namespace.",
    },
  });
}

function checkHpas(context: AnalysisContext, report: ReportFinding): void {
  for (const hpa of context.hpas) {
    const name = refString(hpa.object.ref);
    const namespace = hpa.object.ref.namespace;
    if (!hpa.target) {
      report({
        object: hpa.object,
        path: hpa.targetPath,
        message: `${name} has no spec.scaleTargetRef kind and name: it scales nothing (the API server rejects it).`,
        evidence: { target: null },
        remedy: { text: "Set spec.scaleTargetRef to the apiVersion, kind and name of the Deployment, StatefulSet or Rollout to scale." },
      });
      continue;
    }
    const targetName = `${hpa.target.kind}/${hpa.target.name}`;
    const object = context.find(hpa.target.kind, namespace, hpa.target.name);
    if (!object && !chartViewIncomplete(context, hpa.object)) {
      report({
        object: hpa.object,
        path: hpa.targetPath,
        message: `${name} scales ${targetName}, which is not in the checked manifests${namespace ? ` (namespace ${namespace})` : ""}: the HPA reports FailedGetScale and never scales anything.${sameNameElsewhere(context, hpa.object, hpa.target.name, hpa.target.kind)}`,
        evidence: { target: targetName },
        remedy: { text: "Point spec.scaleTargetRef at the workload's exact kind and name (render both from the same fullname helper)." },
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
      message: `${name} scales ${targetName}, whose selector ${describeSelector(workload.selector)} matches no pods in the checked manifests (not even its own template): the HPA has no pods to take metrics from and cannot scale.`,
      related: [object],
      evidence: { target: targetName, selector: describeSelector(workload.selector), matches: [] },
      remedy: { text: `Make ${targetName}'s spec.selector match its own pod template labels.` },
    });
  }
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
  return chartViewIncomplete(context, consumer, selector);
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

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Every label key of the rendered pod templates when the render grants patching pods, else undefined; once per context. */
const relabelCache = new WeakMap<AnalysisContext, { keys: Set<string> | undefined }>();
function podTemplateKeysIfRelabelled(context: AnalysisContext): Set<string> | undefined {
  let found = relabelCache.get(context);
  if (found === undefined) {
    found = { keys: context.objects.some(grantsPodRelabelling) ? new Set(context.workloads.flatMap((w) => Object.keys(w.podLabels))) : undefined };
    relabelCache.set(context, found);
  }
  return found.keys;
}

/** Namespaces holding a custom resource whose operator may run pods for it (model/cluster.ts), once per context. */
const operatedCache = new WeakMap<AnalysisContext, Set<string>>();
function namespacesWithOperatedResources(context: AnalysisContext): Set<string> {
  let found = operatedCache.get(context);
  if (found === undefined) {
    found = new Set(context.objects.filter((o) => mayRunPods(o) && context.workloadFor(o) === undefined).map(namespaceOf));
    operatedCache.set(context, found);
  }
  return found;
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
    const candidates = index.select(rest);
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

function nearText(near: readonly NearMiss<unknown>[]): string {
  if (near.length === 0) return "";
  return ` Closest: ${near.map((n) => `${n.name} fails only ${n.unmatched}`).join("; ")}.`;
}

function nearEvidence(near: NearMiss<unknown>): { object: string; unmatched: string } {
  return { object: near.name, unmatched: near.unmatched };
}

/** Pods outside the namespaces looked in that the selector would match. */
function podsElsewhere(context: AnalysisContext, selector: Selector, searched: readonly string[], advice: string): string {
  const found = context
    .namespaces()
    .filter((ns) => !searched.includes(ns))
    .flatMap((ns) => context.podsIn(ns).select(selector).map((w) => `${refString(w.object.ref)} in namespace ${ns}`))
    .slice(0, MAX_NEAR);
  return found.length > 0 ? ` It would match ${found.join(", ")}. ${advice}` : "";
}

function servicesElsewhere(context: AnalysisContext, monitor: SelectorConsumer, searched: readonly string[]): string {
  const found = context
    .namespaces()
    .filter((ns) => !searched.includes(ns))
    .flatMap((ns) => context.servicesIn(ns).select(monitor.selector).map((o) => `${refString(o.ref)} in namespace ${ns}`))
    .slice(0, MAX_NEAR);
  return found.length > 0 ? ` It would match ${found.join(", ")}: set spec.namespaceSelector.matchNames to include that namespace.` : "";
}

/** The common mistake: a ServiceMonitor written with the pods' labels instead of the Service's. */
function podLabelsHint(context: AnalysisContext, monitor: SelectorConsumer, namespaces: readonly string[]): string {
  const pods = namespaces.flatMap((ns) => context.podsIn(ns).select(monitor.selector));
  if (pods.length === 0) return "";
  return ` These are the pod labels of ${pods.slice(0, MAX_NEAR).map((w) => refString(w.object.ref)).join(", ")}; a ServiceMonitor matches the Service's own metadata.labels, not its pods' labels.`;
}

function sameNameElsewhere(context: AnalysisContext, hpa: KubeObject, name: string, kind: string): string {
  const candidates = context.workloads.filter((w) => w.object.ref.name === name && w.object.ref.namespace === hpa.ref.namespace && w.object.ref.kind !== kind);
  return candidates.length > 0 ? ` (The input has ${candidates.map((w) => refString(w.object.ref)).join(", ")} with that name: check scaleTargetRef.kind.)` : "";
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
