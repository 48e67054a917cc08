/** Workload selectors that take in another workload's pods. */
import { claimsPodsByName } from "../../../k8s/controllers.ts";
import { namespaceOf, refString } from "../../../model/object.ts";
import { describeSelector } from "../../../model/selector.ts";
import type { Workload } from "../../../model/workloads.ts";
import type { AnalysisContext } from "../../context.ts";
import { isLaterCopy } from "../../duplicates.ts";
import type { ReportFinding } from "../../rule.ts";
import { daemonSetsOnDisjointNodes } from "./by-design.ts";
import { hookCompanions, standingPods, workloadList } from "./select.ts";
import { jobPodLabelsEvidence } from "./job-pods.ts";
import { keyRemedy, overlapEvidence, suggestKey } from "./suggest.ts";

/**
 * A workload's controller never adopts pods a Job owns: its selector over a Job's pods is
 * reported (info) where they recur or linger (a CronJob's, a Job's), and over a hook's only
 * where a Service or PDB takes them in with the workload's own.
 * A StatefulSet's controller claims only pods named after it, so its selector taking in other
 * pods moves none of them: reported (info) only where a label its own pods carry would have
 * told them apart, a selector left wider than its pods, which any Service, PDB, HPA or monitor
 * reusing it inherits. Pods no label tells apart are one set by design.
 * DaemonSets that run on disjoint nodes (a nodeSelector with another value for the same key:
 * the Linux and the Windows copy of one node plugin) are one workload split by node pool: a
 * DaemonSet's controller never takes pods another owns, and these never meet on a node.
 */
export function checkWorkloads(context: AnalysisContext, report: ReportFinding): void {
  for (const workload of context.workloads) {
    const { selector, selectorPath, object } = workload;
    if (!selector || !selectorPath || selector.matchesNothing || isLaterCopy(context, object)) continue;
    const matched = standingPods(context, context.podsIn(namespaceOf(object)).select(selector));
    const foreign = matched.filter((w) => w !== workload && !daemonSetsOnDisjointNodes(workload, w));
    if (foreign.length === 0) continue;
    const suggestion = suggestKey(context, [workload], foreign);
    const byName = claimsPodsByName(object.group, object.ref.kind);
    if (byName && suggestion === undefined) continue;
    const completing = foreign.filter((w) => w.runsToCompletion);
    const selectorText = describeSelector(selector);
    // Job pods have an owner for as long as they exist: the workload's controller never adopts them.
    const onlyJobPods = completing.length === foreign.length;
    // A hook's pods stand only around a release operation: the overlap is worth a word only where
    // a Service or budget takes them in with this workload's own (FleetDM, fleetdm/fleet#29710).
    if (onlyJobPods && completing.every((w) => w.object.hooks.length > 0) && !takenInWith(context, workload, completing)) continue;
    report({
      object,
      path: selectorPath,
      severity: onlyJobPods || byName ? "info" : "warning",
      messageId: onlyJobPods ? "selectsJobPods" : byName ? "widerThanItsPods" : "selectsForeignPods",
      data: { object: refString(object.ref), kind: object.ref.kind, selector: selectorText, foreign: workloadList(foreign) },
      related: foreign.map((w) => w.object),
      evidence: { ...overlapEvidence(selector, matched, suggestion), ...(onlyJobPods ? jobPodLabelsEvidence(context, selector, completing) : {}) },
      remedy: keyRemedy(suggestion, `${refString(object.ref)}'s spec.selector.matchLabels`, completing.length > 0 ? workloadList(completing) : undefined),
    });
  }
}

/** Whether a Service (by its traffic) or a PDB takes in the workload's pods and some of the Jobs' too (checkPodConsumers runs first). */
function takenInWith(context: AnalysisContext, workload: Workload, jobs: readonly Workload[]): boolean {
  const companions = context.derived(hookCompanions).get(workload);
  return companions !== undefined && jobs.some((job) => companions.has(job));
}
