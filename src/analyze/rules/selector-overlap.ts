import type { HpaView, PdbView, SelectorConsumer } from "../../model/consumers.ts";
import { refString, type KubeObject } from "../../model/object.ts";
import { describeSelector, selectsEverything, type Selector } from "../../model/selector.ts";
import { VOLATILE_LABEL_KEYS, volatileLabels } from "../../model/volatile.ts";
import { isControllerLabel } from "../../model/cluster.ts";
import type { Workload } from "../../model/workloads.ts";
import type { AnalysisContext } from "../context.ts";
import { isLaterCopy } from "../duplicates.ts";
import type { Severity } from "../finding.ts";
import { type ReportFinding, type Rule, manifest, ruleHelpUri } from "../rule.ts";

/**
 * Selectors that take in pods (or Services) they were not written for
 * (k8s-rules.md §4, §8 item 15). Workload controllers skip pods owned by someone else,
 * so the damage is done by the selector consumers: Services route traffic to Job pods,
 * PDBs block evictions, HPAs stop scaling or average foreign load, monitors scrape twice.
 * NetworkPolicy overlap is not reported: policies are additive by design.
 */
export const selectorOverlap: Rule = {
  meta: {
    id: "selector-overlap",
    severity: "warning",
    summary: "A workload, Service, PDB, HPA target or monitor selects pods (or Services) that belong to another workload.",
    why:
      "Kubernetes selects by labels, not by owner: a Service sends traffic to every Ready pod matching its selector (including migration Jobs and hook pods), a pod covered by two PDBs cannot be evicted at all, two HPAs counting the same pods both stop with AmbiguousSelector, and a PDB with maxUnavailable over Job or DaemonSet pods goes SyncFailed. FleetDM's Service sent traffic to its migration Job (fleetdm/fleet#29710). A headless Service that governs a StatefulSet (its spec.serviceName) or serves memberlist gossip selects several workloads by design: that is info, with the reason.",
    fix:
      "Give every workload's pod template a distinct app.kubernetes.io/component and put it into each selector (workload, Service, PDB); render Job and CronJob pods without the application's selector labels.",
    migration:
      "A Service, PDB or HPA selector can be changed in place: `helm upgrade` with the fixed chart is enough. A workload's own selector is immutable: adding app.kubernetes.io/component to it needs `kubectl delete <kind> <name> --cascade=orphan` before `helm upgrade` (the pods keep running and are adopted).",
    incident:
      "fleetdm/fleet #29710: the chart's database migration Job carried the same labels as the Fleet Deployment, so the Fleet Service sent live traffic to the migration pod while it ran.",
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
                  image: example/web:2.1.0
        ---
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: web-migrate
          annotations:
            helm.sh/hook: pre-upgrade
        spec:
          template:
            metadata:
              labels:
                app.kubernetes.io/name: web
            spec:
              restartPolicy: Never
              containers:
                - name: migrate
                  image: example/web:2.1.0
                  args: ["migrate"]
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
      good: manifest`
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          selector:
            matchLabels:
              app.kubernetes.io/name: web
              app.kubernetes.io/component: server
          template:
            metadata:
              labels:
                app.kubernetes.io/name: web
                app.kubernetes.io/component: server
            spec:
              containers:
                - name: web
                  image: example/web:2.1.0
        ---
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: web-migrate
          annotations:
            helm.sh/hook: pre-upgrade
        spec:
          template:
            metadata:
              labels:
                app.kubernetes.io/name: web
                app.kubernetes.io/component: migration
            spec:
              restartPolicy: Never
              containers:
                - name: migrate
                  image: example/web:2.1.0
                  args: ["migrate"]
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          selector:
            app.kubernetes.io/name: web
            app.kubernetes.io/component: server
          ports:
            - port: 80
      `,
    },
    helpUri: ruleHelpUri("selector-overlap"),
  },
  check(context, report) {
    checkWorkloads(context, report);
    checkPodConsumers(context, report);
    checkHpas(context, report);
    checkMonitors(context, report);
  },
};

const COMPONENT_KEY = "app.kubernetes.io/component";
const HELM_TEST_HOOKS = new Set(["test", "test-success", "test-failure"]);
/** Kinds whose controller implements /scale, which a PDB with maxUnavailable or a percentage needs. */
const SCALABLE_KINDS = new Set(["Deployment", "StatefulSet", "ReplicaSet", "ReplicationController", "Rollout"]);
const SEVERITY_ORDER: readonly Severity[] = ["info", "warning", "error"];

const NO_KEY_ADVICE = "add app.kubernetes.io/component with a distinct value to each workload's pod template and to this selector";

// ---------------------------------------------------------------------------
// Workload selectors

function checkWorkloads(context: AnalysisContext, report: ReportFinding): void {
  for (const workload of context.workloads) {
    const { selector, selectorPath, object } = workload;
    if (!selector || !selectorPath || selector.matchesNothing || isLaterCopy(context, object)) continue;
    const matched = standingPods(context, context.podsIn(namespaceOf(object)).select(selector));
    const foreign = matched.filter((w) => w !== workload);
    if (foreign.length === 0) continue;
    const suggestion = suggestKey(context, [workload], foreign);
    const name = refString(object.ref);
    const why = `The ${object.ref.kind} controller leaves pods owned by another controller alone, but it would adopt orphans with these labels, and every Service, PDB, HPA and monitor that reuses the selector counts the foreign pods as ${name}'s.`;
    const immutable = workload.selectorImmutable
      ? ` spec.selector is immutable: on an installed release, delete the ${object.ref.kind} with \`kubectl delete ${object.ref.kind.toLowerCase()} ${object.ref.name} --cascade=orphan\` before \`helm upgrade\`; the new one adopts the running pods${object.ref.kind === "Deployment" ? " and ReplicaSets" : ""} only if they carry its new selector labels, so delete the rest once the new pods are ready.`
      : "";
    const completing = foreign.filter((w) => w.runsToCompletion);
    const alternative =
      completing.length > 0
        ? ` Where the foreign pods belong to ${completing.map((w) => refString(w.object.ref)).join(", ")}, it is simpler to render their pod labels so that they do not satisfy this selector (drop one of ${selectorKeyList(selector)} or give it another value) and leave the selector alone.`
        : "";
    report({
      object,
      path: selectorPath,
      severity: "warning",
      message: `${name}: its selector ${describeSelector(selector)} also matches the pods of ${listWorkloads(foreign)}. ${why} ${suggestionText(suggestion, "this selector")}`,
      related: foreign.map((w) => w.object),
      evidence: evidence(selector, matched, suggestion),
      remedy: {
        text: `${remedyForKey(suggestion, `${name}'s spec.selector.matchLabels`)}${immutable}${alternative}`,
      },
    });
  }
}

// ---------------------------------------------------------------------------
// Services and PDBs (NetworkPolicy: union by design, not reported)

interface Problem {
  severity: Severity;
  text: string;
}

function checkPodConsumers(context: AnalysisContext, report: ReportFinding): void {
  const pdbs: { pdb: PdbView; matched: Workload[] }[] = [];
  for (const consumer of context.consumers) {
    if (consumer.kind !== "Service" && consumer.kind !== "PodDisruptionBudget") continue;
    if (consumer.kind === "Service" && isExternalName(consumer.object)) continue;
    if (isLaterCopy(context, consumer.object)) continue;
    const matched = selectPods(context, consumer);
    if (consumer.kind === "PodDisruptionBudget") pdbs.push({ pdb: consumer as PdbView, matched });
    checkConsumer(context, report, consumer, matched);
  }
  checkPdbPairs(context, report, pdbs);
}

function checkConsumer(context: AnalysisContext, report: ReportFinding, consumer: SelectorConsumer, matched: readonly Workload[]): void {
  if (matched.length === 0) return;
  const isPdb = consumer.kind === "PodDisruptionBudget";
  const longRunning = matched.filter((w) => !w.runsToCompletion);
  const completing = matched.filter((w) => w.runsToCompletion);
  const jobs = completing;

  // Which workload this consumer is for: the only long-running one, or the one named like it.
  let served: Workload[] = [];
  if (longRunning.length === 1) served = longRunning;
  else if (longRunning.length > 1) served = longRunning.filter((w) => w.object.ref.name === consumer.object.ref.name).slice(0, 1);
  const servedName = served[0] ? refString(served[0].object.ref) : undefined;

  const problems: Problem[] = [];
  const extraRelated: Workload[] = [];
  if (isPdb && (consumer as PdbView).needsScale) {
    const unscalable = matched.filter((w) => !SCALABLE_KINDS.has(w.object.ref.kind));
    if (unscalable.length > 0) {
      extraRelated.push(...unscalable);
      problems.push({
        severity: "error",
        text: `It uses maxUnavailable or a percentage minAvailable and selects the pods of ${listWorkloads(unscalable)}, whose controller has no /scale subresource: the disruption controller cannot compute the expected pod count, the budget goes SyncFailed (e.g. "${scaleError(unscalable[0]!)}") with disruptionsAllowed 0, and every eviction of a selected pod is refused with 429, which stalls kubectl drain and node autoscalers.`,
      });
    }
  }
  const byDesign = isPdb ? undefined : spreadByDesign(consumer.object, longRunning);
  if (longRunning.length > 0 && jobs.length > 0 && byDesign !== undefined) {
    // A headless Service balances nothing: only clients that connect by its name can reach the Job pods.
    problems.push({
      severity: "warning",
      text: `It is a headless Service for ${servedName ?? listWorkloads(longRunning)} and also matches the pods of ${listWorkloads(jobs)}: while they run, the Service's DNS name resolves to them too, so a client that connects by the Service's name (not a pod's own name) can reach a Job pod.`,
    });
  } else if (longRunning.length > 0 && jobs.length > 0) {
    const target = servedName ?? listWorkloads(longRunning);
    problems.push({
      severity: "error",
      text: isPdb && extraRelated.length > 0
        ? `It is meant for ${target} but also covers ${listWorkloads(jobs)}.`
        : isPdb
        ? `It covers the pods of ${target} and also those of ${listWorkloads(jobs)}: while they run, the Job pods count as healthy pods of the budget, so it allows evicting more of ${target}'s pods than intended, and draining a node has to respect the budget for the Job pods too.`
        : `It matches the pods of ${target} and also those of ${listWorkloads(jobs)}: Kubernetes puts every Ready pod that matches a Service selector into its endpoints, whoever owns it, so while the Job pods run the Service sends them traffic meant for ${target}.`,
    });
  }
  if (longRunning.length > 1 && byDesign !== undefined) {
    problems.push({
      severity: "info",
      text: `It selects the pods of ${longRunning.length} long-running workloads (${listWorkloads(longRunning)}), by design: ${byDesign}`,
    });
  } else if (longRunning.length > 1) {
    problems.push({
      severity: "warning",
      text: isPdb
        ? `It covers the pods of ${longRunning.length} long-running workloads (${listWorkloads(longRunning)}) with one budget, so disruptions of one use up the budget of the others. Canary setups sometimes do this on purpose; if this budget is meant for ${servedName ?? "one of them"} only, narrow it.`
        : `It spreads traffic over the pods of ${longRunning.length} long-running workloads (${listWorkloads(longRunning)}). Canary and blue/green setups do this on purpose; if this Service is meant for ${servedName ?? "one of them"} only, narrow it.`,
    });
  }
  if (problems.length === 0) return;

  const name = refString(consumer.object.ref);
  const selectorText = selectsEverything(consumer.selector)
    ? `has an empty selector {}, which selects every pod in namespace ${namespaceOf(consumer.object)}`
    : `selects ${describeSelector(consumer.selector)}`;
  const severity = maxSeverity(problems.map((p) => p.severity));
  const foreign = matched.filter((w) => !served.includes(w));
  const related = inputOrder(context, [...foreign, ...extraRelated]);
  const onlyScaleProblem = problems.length === 1 && extraRelated.length > 0;
  const onlyByDesign = problems.length === 1 && byDesign !== undefined && longRunning.length > 1;
  const suggestion = onlyScaleProblem || onlyByDesign
    ? undefined
    : served.length > 0
      ? suggestKey(context, served, foreign)
      : suggestKey(context, [], longRunning);
  const selectorField = isPdb ? "this PDB's spec.selector.matchLabels" : "this Service's spec.selector";
  const scaleFix = extraRelated.length > 0
    ? " Use an integer minAvailable (it counts matching pods directly and needs no /scale) or narrow the selector to pods of a Deployment, StatefulSet or ReplicaSet."
    : "";
  report({
    object: consumer.object,
    path: consumer.selectorPath,
    severity,
    message: `${name} ${selectorText}. ${problems.map((p) => p.text).join(" ")}${onlyScaleProblem || onlyByDesign ? "" : ` ${suggestionText(suggestion, "this selector")}`}`,
    related: related.map((w) => w.object),
    evidence: evidence(consumer.selector, matched, suggestion),
    remedy: {
      text: onlyByDesign
        ? "Nothing to change while every selected workload is meant to be reached under this Service's name; if a workload joined it by accident, give it a distinct app.kubernetes.io/component and require the intended ones in this Service's selector."
        : `${onlyScaleProblem ? "" : remedyForKey(suggestion, selectorField)}${scaleFix}${jobs.length > 0 && !selectsEverything(consumer.selector) ? ` Render the pod labels of ${listWorkloads(jobs)} without the application's selector labels (or with a distinct app.kubernetes.io/component that the selector requires).` : ""}`.trim(),
    },
  });
}

function checkPdbPairs(context: AnalysisContext, report: ReportFinding, pdbs: readonly { pdb: PdbView; matched: Workload[] }[]): void {
  const coveredBy = new Map<Workload, number[]>();
  pdbs.forEach(({ matched }, i) => {
    for (const w of matched) {
      const list = coveredBy.get(w);
      if (list) list.push(i);
      else coveredBy.set(w, [i]);
    }
  });
  pdbs.forEach(({ pdb, matched }, i) => {
    const partners = new Map<number, Workload[]>();
    for (const w of matched) {
      for (const j of coveredBy.get(w) ?? []) {
        if (j <= i) continue;
        const shared = partners.get(j);
        if (shared) shared.push(w);
        else partners.set(j, [w]);
      }
    }
    for (const j of [...partners.keys()].sort((a, b) => a - b)) {
      const other = pdbs[j]!;
      const shared = partners.get(j)!;
      const name = refString(pdb.object.ref);
      const otherName = refString(other.pdb.object.ref);
      // Narrow the budget that also covers other pods, so that each keeps its own.
      const exclusive = matched.filter((w) => !shared.includes(w));
      const otherExclusive = other.matched.filter((w) => !shared.includes(w));
      const [narrow, suggestion] =
        exclusive.length > 0
          ? [name, suggestKey(context, exclusive, shared)]
          : otherExclusive.length > 0
            ? [otherName, suggestKey(context, otherExclusive, shared)]
            : [undefined, undefined];
      report({
        object: pdb.object,
        path: pdb.selectorPath,
        severity: "error",
        message: `The pods of ${listWorkloads(shared)} are covered by two PodDisruptionBudgets, ${name} (${selectorPhrase(pdb.selector)}) and ${otherName} (${selectorPhrase(other.pdb.selector)}). The eviction API refuses every eviction of such a pod with HTTP 500 "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.", so kubectl drain, cluster-autoscaler and Karpenter cannot move them. ${narrow === undefined ? "Both cover the same pods: keep one of them." : suggestion ? `To keep one budget per pod, narrow ${narrow} to the pods only it covers. ${suggestionText(suggestion, `${narrow}'s selector`, `the pods only ${narrow} covers`)}` : `Narrow ${narrow}'s selector to the pods only it covers (${NO_KEY_ADVICE}).`}`,
        related: [other.pdb.object, ...shared.map((w) => w.object)],
        evidence: { ...evidence(pdb.selector, matched, suggestion), otherSelector: describeSelector(other.pdb.selector), shared: shared.map((w) => refString(w.object.ref)) },
        remedy: {
          text: `Make every pod covered by exactly one PodDisruptionBudget: delete one of ${name} and ${otherName}, or narrow one selector so the two no longer intersect${suggestion ? ` (e.g. by \`${suggestion.key}\`)` : ""}.`,
        },
      });
    }
  });
}

// ---------------------------------------------------------------------------
// HPAs: the pods an HPA counts are those its scale target's selector matches.

interface HpaTargets {
  hpa: HpaView;
  target: Workload;
  selector: Selector;
  matched: Workload[];
}

function checkHpas(context: AnalysisContext, report: ReportFinding): void {
  const resolved: HpaTargets[] = [];
  for (const hpa of context.hpas) {
    if (!hpa.target || isLaterCopy(context, hpa.object)) continue;
    const namespace = namespaceOf(hpa.object);
    const object = context.find(hpa.target.kind, hpa.object.ref.namespace, hpa.target.name);
    const target = object ? context.workloadFor(object) : undefined;
    if (!target?.selector || target.selector.matchesNothing) continue;
    resolved.push({ hpa, target, selector: target.selector, matched: standingPods(context, context.podsIn(namespace).select(target.selector)) });
  }
  const countedBy = new Map<Workload, number[]>();
  resolved.forEach(({ matched }, i) => {
    for (const w of matched) {
      const list = countedBy.get(w);
      if (list) list.push(i);
      else countedBy.set(w, [i]);
    }
  });
  const ambiguous = new Set<number>();
  const before126 = versionBefore(context.settings.kubeVersion, 1, 26);
  resolved.forEach((entry, i) => {
    const partners = new Map<number, Workload[]>();
    for (const w of entry.matched) {
      for (const j of countedBy.get(w) ?? []) {
        if (j === i) continue;
        ambiguous.add(i);
        if (j < i) continue;
        const shared = partners.get(j);
        if (shared) shared.push(w);
        else partners.set(j, [w]);
      }
    }
    for (const j of [...partners.keys()].sort((a, b) => a - b)) {
      const other = resolved[j]!;
      const shared = partners.get(j)!;
      const name = refString(entry.hpa.object.ref);
      const otherName = refString(other.hpa.object.ref);
      const sameTarget = other.target === entry.target;
      const ns = namespaceOf(entry.hpa.object);
      const consequence = before126
        ? `Before Kubernetes 1.26 both write the replica count and fight over it; from 1.26 both stop scaling (ScalingActive=False, reason AmbiguousSelector).`
        : `Since Kubernetes 1.26 both stop scaling: ScalingActive=False, reason AmbiguousSelector ("pods by selector ${describeSelector(entry.selector)} are controlled by multiple HPAs: [${ns}/${entry.hpa.object.ref.name} ${ns}/${other.hpa.object.ref.name}]").`;
      let suggestion: KeySuggestion | undefined;
      let narrow = "";
      let what: string;
      if (sameTarget) {
        what = `${name} and ${otherName} both scale ${refString(entry.target.object.ref)}.`;
      } else {
        what = `${name} scales ${refString(entry.target.object.ref)} (selector ${describeSelector(entry.selector)}) and ${otherName} scales ${refString(other.target.object.ref)} (selector ${describeSelector(other.selector)}); both selectors take in the pods of ${listWorkloads(shared)}.`;
        const foreignToFirst = shared.filter((w) => w !== entry.target);
        const narrowed = foreignToFirst.length > 0 ? entry.target : other.target;
        narrow = `${refString(narrowed.object.ref)}'s selector`;
        suggestion = suggestKey(context, [narrowed], shared.filter((w) => w !== narrowed));
      }
      report({
        object: entry.hpa.object,
        path: entry.hpa.targetPath,
        severity: "error",
        message: `${what} ${consequence} ${sameTarget ? "Keep one autoscaler per workload (a KEDA ScaledObject creates an HPA of its own)." : suggestionText(suggestion, narrow)}`,
        related: [other.hpa.object, ...inputOrder(context, sameTarget ? [entry.target] : [entry.target, other.target, ...shared]).map((w) => w.object)],
        evidence: { ...evidence(entry.selector, entry.matched, suggestion), otherHpa: otherName, shared: shared.map((w) => refString(w.object.ref)) },
        remedy: {
          text: sameTarget
            ? `Delete one of ${name} and ${otherName}, or merge their metrics into one HorizontalPodAutoscaler.`
            : `Make the scale targets' selectors disjoint. ${remedyForKey(suggestion, `${narrow.replace(/ selector$/, "")} spec.selector.matchLabels`)} Workload selectors are immutable, so an installed release needs the workload re-created; where the shared pods belong to Jobs, render those without the selector labels instead.`,
        },
      });
    }
  });
  resolved.forEach((entry, i) => {
    if (ambiguous.has(i)) return;
    const foreign = entry.matched.filter((w) => w !== entry.target);
    if (foreign.length === 0) return;
    const name = refString(entry.hpa.object.ref);
    const targetName = refString(entry.target.object.ref);
    const suggestion = suggestKey(context, [entry.target], foreign);
    report({
      object: entry.hpa.object,
      path: entry.hpa.targetPath,
      severity: "warning",
      message: `${name} scales ${targetName}, whose selector ${describeSelector(entry.selector)} also matches the pods of ${listWorkloads(foreign)}: the HPA averages their resource usage into ${targetName}'s metrics, so it scales on load that is not ${targetName}'s. ${suggestionText(suggestion, `${targetName}'s selector`)}`,
      related: foreign.map((w) => w.object),
      evidence: evidence(entry.selector, entry.matched, suggestion),
      remedy: {
        text: `${remedyForKey(suggestion, `${targetName}'s spec.selector.matchLabels`)} The selector is immutable, so an installed release needs the workload re-created; where the foreign pods belong to Jobs, render those without the selector labels instead.`,
      },
    });
  });
}

// ---------------------------------------------------------------------------
// ServiceMonitor and PodMonitor

function checkMonitors(context: AnalysisContext, report: ReportFinding): void {
  const byKind: Record<"ServiceMonitor" | "PodMonitor", MonitorSelection[]> = { ServiceMonitor: [], PodMonitor: [] };
  for (const consumer of context.consumers) {
    if (consumer.kind !== "ServiceMonitor" && consumer.kind !== "PodMonitor") continue;
    if (isLaterCopy(context, consumer.object)) continue;
    const selected: Selected[] = consumer.kind === "ServiceMonitor" ? selectServices(context, consumer) : selectPods(context, consumer);
    byKind[consumer.kind].push({ monitor: consumer, selected });
    if (selectsEverything(consumer.selector)) {
      const what = consumer.kind === "ServiceMonitor" ? "Service" : "pod";
      const scope = consumer.namespaces === undefined ? "every namespace (namespaceSelector.any)" : `namespace${consumer.namespaces.length === 1 ? "" : "s"} ${consumer.namespaces.join(", ")}`;
      report({
        object: consumer.object,
        path: consumer.selectorPath,
        severity: "warning",
        message: `${refString(consumer.object.ref)} has ${consumer.selectorAbsent ? "no spec.selector" : "an empty selector {}"}, which selects every ${what} in ${scope}: Prometheus scrapes other applications' ${what}s too (with this monitor's port and path), which adds failing targets and duplicates the targets of their own monitors.`,
        related: [],
        evidence: { selector: describeSelector(consumer.selector), requirements: consumer.selector.requirements, matches: selected.map(describeSelected), suggestedKey: null },
        remedy: {
          text: `Set spec.selector.matchLabels to the labels of the ${what}s this monitor is for (e.g. app.kubernetes.io/name and app.kubernetes.io/instance${consumer.kind === "ServiceMonitor" ? ", as set on the Service's metadata.labels" : ""}).`,
        },
      });
    }
  }
  for (const [kind, entries] of Object.entries(byKind)) reportDuplicateMonitors(report, kind, entries);
}

type Selected = Workload | KubeObject;
interface MonitorSelection {
  monitor: SelectorConsumer;
  selected: Selected[];
}

function reportDuplicateMonitors(report: ReportFinding, kind: string, entries: readonly MonitorSelection[]): void {
  const selectedBy = new Map<Selected, number[]>();
  entries.forEach(({ selected }, i) => {
    for (const item of selected) {
      const list = selectedBy.get(item);
      if (list) list.push(i);
      else selectedBy.set(item, [i]);
    }
  });
  const what = kind === "ServiceMonitor" ? "" : "the pods of ";
  entries.forEach(({ monitor, selected }, i) => {
    const partners = new Map<number, Selected[]>();
    for (const item of selected) {
      for (const j of selectedBy.get(item) ?? []) {
        if (j <= i) continue;
        const shared = partners.get(j);
        if (shared) shared.push(item);
        else partners.set(j, [item]);
      }
    }
    for (const j of [...partners.keys()].sort((a, b) => a - b)) {
      const other = entries[j]!;
      const shared = partners.get(j)!;
      const name = refString(monitor.object.ref);
      const otherName = refString(other.monitor.object.ref);
      report({
        object: monitor.object,
        path: monitor.selectorPath,
        severity: "warning",
        message: `${name} (${describeSelector(monitor.selector)}) and ${otherName} (${describeSelector(other.monitor.selector)}) both select ${what}${shared.map(describeSelected).join(", ")}: Prometheus scrapes the same endpoints once per monitor, which doubles the load and produces duplicate series that break sums and alerts.`,
        related: [other.monitor.object, ...shared.map(objectOfSelected)],
        evidence: { selector: describeSelector(monitor.selector), requirements: monitor.selector.requirements, matches: selected.map(describeSelected), suggestedKey: null, otherMonitor: otherName },
        remedy: {
          text: `Keep one ${kind} per target: delete one of ${name} and ${otherName}, or narrow their selectors so that they select different ${kind === "ServiceMonitor" ? "Services (by the Services' metadata.labels)" : "pods"}.`,
        },
      });
    }
  });
}

// ---------------------------------------------------------------------------
// Helpers

function namespaceOf(object: KubeObject): string {
  return object.ref.namespace ?? "";
}

function isHelmTest(workload: Workload): boolean {
  return workload.object.hooks.some((h) => HELM_TEST_HOOKS.has(h));
}

/** Ports that memberlist (hashicorp/memberlist: Loki, Mimir, Tempo, Cortex, Thanos, ...) gossips on. */
const GOSSIP_PORT = 7946;
const GOSSIP_NAME = /gossip|memberlist/i;

/**
 * Why a headless Service over several workloads' pods is meant that way, or undefined:
 * it governs a StatefulSet among them (spec.serviceName: it exists for the pods' own DNS
 * names), or it is the peer-discovery Service of a gossip ring that every component of the
 * release joins. A headless Service balances nothing: its name resolves to every ready pod.
 */
function spreadByDesign(service: KubeObject, workloads: readonly Workload[]): string | undefined {
  const spec = service.raw.spec as { clusterIP?: unknown; ports?: unknown } | undefined;
  if (spec?.clusterIP !== "None") return undefined;
  const governed = workloads.filter((w) => w.object.ref.kind === "StatefulSet" && (w.object.raw.spec as { serviceName?: unknown } | undefined)?.serviceName === service.ref.name);
  if (governed.length > 0) {
    const first = governed[0]!.object.ref.name;
    return `it is the headless Service that governs ${plainList(governed)} (spec.serviceName), which exists for the pods' own DNS names (${first}-0.${service.ref.name}); a headless Service balances no traffic, its name resolves to every ready pod it selects.`;
  }
  const ports = Array.isArray(spec.ports) ? (spec.ports as unknown[]) : [];
  const gossip = ports.find((port) => {
    const { name, port: number, targetPort } = (port ?? {}) as { name?: unknown; port?: unknown; targetPort?: unknown };
    return number === GOSSIP_PORT || targetPort === GOSSIP_PORT || (typeof name === "string" && GOSSIP_NAME.test(name)) || (typeof targetPort === "string" && GOSSIP_NAME.test(targetPort));
  });
  if (gossip !== undefined || GOSSIP_NAME.test(service.ref.name)) {
    return "it is a headless peer-discovery Service for memberlist gossip, which every component of the release joins to share one ring; a headless Service balances no traffic.";
  }
  return undefined;
}

function isExternalName(object: KubeObject): boolean {
  const spec = object.raw.spec as { type?: unknown } | undefined;
  return spec?.type === "ExternalName";
}

/** The pods a consumer selects, in input order, in the namespaces it looks at. */
function selectPods(context: AnalysisContext, consumer: SelectorConsumer): Workload[] {
  const namespaces = consumer.namespaces ?? context.namespaces();
  const found = standingPods(context, namespaces.flatMap((ns) => context.podsIn(ns).select(consumer.selector)));
  return namespaces.length > 1 ? inputOrder(context, found) : found;
}

/** A workload rendered twice is one set of pods in the cluster (duplicate-object reports the copy). */
/**
 * The pods that stand in the cluster beside the others: not a later copy of a duplicated
 * object, and not a `helm test` pod, which exists only while `helm test` runs (and is
 * usually deleted by its hook-delete-policy), so its overlaps cost nothing a maintainer acts on.
 */
function standingPods(context: AnalysisContext, workloads: readonly Workload[]): Workload[] {
  return workloads.filter((w) => !isLaterCopy(context, w.object) && !isHelmTest(w));
}

function selectServices(context: AnalysisContext, consumer: SelectorConsumer): KubeObject[] {
  const namespaces = consumer.namespaces ?? context.namespaces();
  const found = namespaces.flatMap((ns) => context.servicesIn(ns).select(consumer.selector)).filter((service) => !isLaterCopy(context, service));
  if (namespaces.length <= 1) return found;
  const position = positions(context).objects;
  return found.sort((a, b) => position.get(a)! - position.get(b)!);
}

function inputOrder(context: AnalysisContext, workloads: readonly Workload[]): Workload[] {
  const unique = [...new Set(workloads)];
  if (unique.length < 2) return unique;
  const position = positions(context).workloads;
  return unique.sort((a, b) => position.get(a)! - position.get(b)!);
}

/** Input positions, built once per context. */
const positionCache = new WeakMap<AnalysisContext, { workloads: Map<Workload, number>; objects: Map<KubeObject, number> }>();
function positions(context: AnalysisContext): { workloads: Map<Workload, number>; objects: Map<KubeObject, number> } {
  let cached = positionCache.get(context);
  if (!cached) {
    cached = {
      workloads: new Map(context.workloads.map((w, i) => [w, i])),
      objects: new Map(context.objects.map((o, i) => [o, i])),
    };
    positionCache.set(context, cached);
  }
  return cached;
}

function describeSelected(item: Selected): string {
  return isWorkload(item) ? refString(item.object.ref) : refString(item.ref);
}

function objectOfSelected(item: Selected): KubeObject {
  return isWorkload(item) ? item.object : item;
}

function isWorkload(item: Selected): item is Workload {
  return typeof item === "object" && item !== null && "podLabels" in item;
}

function describeWorkload(workload: Workload): string {
  const name = refString(workload.object.ref);
  const { hooks } = workload.object;
  if (hooks.length === 0) return name;
  return `${name} (${hooks.join(",")} hook)`;
}

function listWorkloads(workloads: readonly Workload[]): string {
  return workloads.map(describeWorkload).join(", ");
}

function selectorPhrase(selector: Selector): string {
  return selectsEverything(selector) ? "empty selector: every pod" : describeSelector(selector);
}

function plainList(workloads: readonly Workload[]): string {
  return workloads.map((w) => refString(w.object.ref)).join(", ");
}

function selectorKeyList(selector: Selector): string {
  return [...new Set(selector.requirements.map((r) => `\`${r.key}\``))].join(", ");
}

function maxSeverity(severities: readonly Severity[]): Severity {
  return severities.reduce((a, b) => (SEVERITY_ORDER.indexOf(b) > SEVERITY_ORDER.indexOf(a) ? b : a), "info");
}

function scaleError(workload: Workload): string {
  switch (workload.object.ref.kind) {
    case "Job":
      return "jobs.batch does not implement the scale subresource";
    case "CronJob":
      return "jobs.batch does not implement the scale subresource";
    case "DaemonSet":
      return "daemonsets.apps does not implement the scale subresource";
    default:
      return "found no controllers for pod";
  }
}

function versionBefore(version: string, major: number, minor: number): boolean {
  const match = /^v?(\d+)\.(\d+)/.exec(version);
  if (!match) return false;
  const [maj, min] = [Number(match[1]), Number(match[2])];
  return maj < major || (maj === major && min < minor);
}

function evidence(selector: Selector, matched: readonly Workload[], suggestion: KeySuggestion | undefined): Record<string, unknown> {
  return {
    selector: describeSelector(selector),
    requirements: selector.requirements,
    matches: matched.map((w) => refString(w.object.ref)),
    suggestedKey: suggestion?.key ?? null,
  };
}

// ---------------------------------------------------------------------------
// Which label would make a selector unique

export interface KeySuggestion {
  key: string;
  /** Values on the intended pods (empty when no workload is clearly intended). */
  intended: string[];
  /** `Kind/name` → value (undefined: the label is absent there). */
  others: { workload: Workload; value: string | undefined }[];
}

/**
 * A label key that separates the intended pods from the foreign ones: present on every
 * intended pod template, and absent or with another value on each foreign one.
 * app.kubernetes.io/component wins; then keys the foreign pods carry with other values;
 * then keys they lack. Volatile and controller-set labels are never proposed. With no
 * intended workload, a key with a distinct value on every given workload.
 */
export function suggestKey(context: AnalysisContext, intended: readonly Workload[], foreign: readonly Workload[]): KeySuggestion | undefined {
  // Labels set by controllers are never a chart's way to tell workloads apart.
  const usable = (w: Workload, key: string) => !isControllerLabel(key) && !unstableKeys(context, w).has(key);
  const others = (key: string) => foreign.map((w) => ({ workload: w, value: w.podLabels[key] }));
  if (intended.length === 0) {
    const [first] = foreign;
    if (!first || foreign.length < 2) return undefined;
    const keys = Object.keys(first.podLabels).filter((key) =>
      foreign.every((w) => w.podLabels[key] !== undefined && usable(w, key)) && new Set(foreign.map((w) => w.podLabels[key])).size === foreign.length,
    );
    const key = keys.includes(COMPONENT_KEY) ? COMPONENT_KEY : keys[0];
    return key === undefined ? undefined : { key, intended: [], others: others(key) };
  }
  const [first] = intended;
  const candidates = Object.keys(first!.podLabels).filter((key) => intended.every((w) => w.podLabels[key] !== undefined && usable(w, key)));
  const ranked: string[][] = [[], [], []];
  for (const key of candidates) {
    const values = new Set(intended.map((w) => w.podLabels[key]!));
    const separates = foreign.every((w) => w.podLabels[key] === undefined || !values.has(w.podLabels[key]!));
    if (!separates) continue;
    if (key === COMPONENT_KEY) ranked[0]!.push(key);
    else if (foreign.every((w) => w.podLabels[key] !== undefined && usable(w, key))) ranked[1]!.push(key);
    else ranked[2]!.push(key);
  }
  const key = ranked.flat()[0];
  if (key === undefined) return undefined;
  return { key, intended: [...new Set(intended.map((w) => w.podLabels[key]!))], others: others(key) };
}

const unstableCache = new WeakMap<Workload, Set<string>>();
function unstableKeys(context: AnalysisContext, workload: Workload): Set<string> {
  let keys = unstableCache.get(workload);
  if (!keys) {
    keys = new Set([...VOLATILE_LABEL_KEYS, ...volatileLabels(workload.podLabels, context.versions, context.settings.extraVolatileKeys).map((l) => l.key)]);
    unstableCache.set(workload, keys);
  }
  return keys;
}

function suggestionText(suggestion: KeySuggestion | undefined, where: string, intendedPods = "the intended pods"): string {
  if (!suggestion) return `No stable label tells these pods apart: ${NO_KEY_ADVICE}.`;
  const others = suggestion.others
    .map(({ workload, value }) => `${value === undefined ? "absent" : `\`${value}\``} on ${refString(workload.object.ref)}`)
    .join(", ");
  if (suggestion.intended.length === 0) {
    return `The label \`${suggestion.key}\` tells them apart (${others}): add it to ${where} with the value of the workload it is meant for.`;
  }
  const value = requirementText(suggestion);
  return `The label \`${suggestion.key}\` tells them apart (\`${suggestion.intended.join("`, `")}\` on ${intendedPods}, ${others}): add ${value} to ${where}.`;
}

function remedyForKey(suggestion: KeySuggestion | undefined, field: string): string {
  if (!suggestion) {
    return `Add app.kubernetes.io/component with a distinct value to each workload's pod template (e.g. \`server\`, \`migration\`) and require it in ${field}.`;
  }
  if (suggestion.intended.length === 0) return `Add \`${suggestion.key}\` with the value of the intended workload to ${field}.`;
  return `Add ${requirementText(suggestion)} to ${field} (the value the intended pods carry; the foreign pods carry another one or none).`;
}

function requirementText(suggestion: KeySuggestion): string {
  return suggestion.intended.length === 1
    ? `\`${suggestion.key}: ${suggestion.intended[0]}\``
    : `\`${suggestion.key} in (${suggestion.intended.join(", ")})\` (a matchExpressions entry)`;
}

