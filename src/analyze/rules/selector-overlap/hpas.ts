/** HPAs: the pods an HPA counts are those its scale target's selector matches. */
import type { HpaView } from "../../../model/consumers.ts";
import { namespaceOf, refString } from "../../../model/object.ts";
import { describeSelector, type Selector } from "../../../model/selector.ts";
import type { Workload } from "../../../model/workloads.ts";
import type { AnalysisContext } from "../../context.ts";
import { isLaterCopy } from "../../duplicates.ts";
import type { ReportFinding } from "../../rule.ts";
import { versionAtLeast } from "../../../k8s/versions.ts";
import { inputOrder, sharedSelections, standingPods, workloadList, workloadRefs } from "./select.ts";
import { keyRemedy, overlapEvidence, suggestKey } from "./suggest.ts";

interface HpaTargets {
  hpa: HpaView;
  target: Workload;
  selector: Selector;
  matched: Workload[];
}

const ONE_AUTOSCALER = "Delete one of the two, or merge their metrics into one HorizontalPodAutoscaler.";

export function checkHpas(context: AnalysisContext, report: ReportFinding): void {
  const resolved: HpaTargets[] = [];
  for (const hpa of context.hpas) {
    if (!hpa.target || isLaterCopy(context, hpa.object)) continue;
    const object = context.find(hpa.target.kind, hpa.object.ref.namespace, hpa.target.name);
    const target = object ? context.workloadFor(object) : undefined;
    if (!target?.selector || target.selector.matchesNothing) continue;
    resolved.push({ hpa, target, selector: target.selector, matched: standingPods(context, context.podsIn(namespaceOf(hpa.object)).select(target.selector)) });
  }
  const ambiguous = new Set<number>();
  for (const { first, second, shared } of sharedSelections(resolved.map((entry) => entry.matched))) {
    ambiguous.add(first).add(second);
    reportAmbiguous(context, report, resolved[first]!, resolved[second]!, shared);
  }
  resolved.forEach((entry, i) => {
    if (ambiguous.has(i)) return;
    const foreign = entry.matched.filter((w) => w !== entry.target);
    if (foreign.length === 0) return;
    const targetName = refString(entry.target.object.ref);
    const suggestion = suggestKey(context, [entry.target], foreign);
    const selectorText = describeSelector(entry.selector);
    report({
      object: entry.hpa.object,
      path: entry.hpa.targetPath,
      severity: "warning",
      messageId: "countsForeignPods",
      data: { target: targetName, selector: selectorText, foreign: workloadList(foreign) },
      related: foreign.map((w) => w.object),
      evidence: overlapEvidence(entry.selector, entry.matched, suggestion),
      remedy: keyRemedy(suggestion, `${targetName}'s spec.selector.matchLabels`),
    });
  });
}

/** Two HPAs count the same pods: since Kubernetes 1.26 both stop scaling (AmbiguousSelector), before it they fight. */
function reportAmbiguous(context: AnalysisContext, report: ReportFinding, entry: HpaTargets, other: HpaTargets, shared: readonly Workload[]): void {
  const ns = namespaceOf(entry.hpa.object);
  const selectorText = describeSelector(entry.selector);
  // The HPA controller's condition message (k8s.io/kubernetes pkg/controller/podautoscaler).
  const apiError = `pods by selector ${selectorText} are controlled by multiple HPAs: [${ns}/${entry.hpa.object.ref.name} ${ns}/${other.hpa.object.ref.name}]`;
  const sameTarget = other.target === entry.target;
  const narrowed = sameTarget ? undefined : shared.some((w) => w !== entry.target) ? entry.target : other.target;
  const suggestion = narrowed === undefined ? undefined : suggestKey(context, [narrowed], shared.filter((w) => w !== narrowed));
  const data = { other: refString(other.hpa.object.ref), target: refString(entry.target.object.ref), apiError };
  // From 1.26 the HPA controller refuses to scale pods two HPAs count; before, both set the replica count.
  const fighting = versionAtLeast(context.settings.kubeVersion, "1.26") ? "" : "Fighting";
  report({
    object: entry.hpa.object,
    path: entry.hpa.targetPath,
    severity: "error",
    ...(sameTarget
      ? { messageId: `sameTargetTwice${fighting}`, data }
      : { messageId: `targetsShareSelectedPods${fighting}`, data: { ...data, otherTarget: refString(other.target.object.ref), shared: workloadList(shared) } }),
    related: [other.hpa.object, ...inputOrder(context, sameTarget ? [entry.target] : [entry.target, other.target, ...shared]).map((w) => w.object)],
    evidence: { ...overlapEvidence(entry.selector, entry.matched, suggestion), otherHpa: refString(other.hpa.object.ref), shared: workloadRefs(shared) },
    remedy: narrowed === undefined ? { text: ONE_AUTOSCALER } : keyRemedy(suggestion, `${refString(narrowed.object.ref)}'s spec.selector.matchLabels`),
  });
}
