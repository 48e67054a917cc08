/** Services and PDBs over pods they were not written for (NetworkPolicy: a union by design, not reported). */
import { drainSkipsPods, scaleError } from "../../../k8s/controllers.ts";
import type { PdbView, SelectorConsumer } from "../../../model/consumers.ts";
import { refString } from "../../../model/object.ts";
import { describeSelector, selectsEverything } from "../../../model/selector.ts";
import type { Workload } from "../../../model/workloads.ts";
import type { AnalysisContext } from "../../context.ts";
import { severityRank, type Remedy, type Severity } from "../../finding.ts";
import { formatMessage, type MessageData } from "../../messages.ts";
import type { ReportFinding } from "../../rule.ts";
import { runsOnlyAtInstall } from "../../volatile-verdicts.ts";
import { budgetByDesign, spreadByDesign } from "./by-design.ts";
import { checksPods, goneOnceSucceeded, hookCompanions, inputOrder, selectPods, sharedSelections, trafficTargets, workloadList, workloadRefs } from "./select.ts";
import { jobPodLabelsEvidence } from "./job-pods.ts";
import { keyRemedy, overlapEvidence, suggestKey, type KeySuggestion } from "./suggest.ts";

const REMEDY = {
  integerMinAvailable: "Use an integer minAvailable (it counts matching pods directly and needs no /scale) or narrow the selector to pods of a Deployment, StatefulSet or ReplicaSet.",
  keepOneBudget: "Keep one of {{name}} and {{other}}: both cover the same pods.",
  byDesign: "Nothing to change while every selected workload is meant to be reached under this Service's name; if a workload joined it by accident, give it a distinct app.kubernetes.io/component and require the intended ones in this Service's selector.",
  budgetByDesign: "Nothing to change while every selected workload is a copy of the same application; if a workload joined it by accident, give it a distinct app.kubernetes.io/component and require the intended ones in this PDB's selector.",
};

/** One problem of a consumer's selection: its message id (in order of precedence), severity and facts. */
interface Problem {
  messageId: string;
  severity: Severity;
  data: MessageData;
}

export function checkPodConsumers(context: AnalysisContext, report: ReportFinding): void {
  const pdbs: { pdb: PdbView; matched: Workload[] }[] = [];
  for (const consumer of context.consumers) {
    if (!checksPods(context, consumer)) continue;
    const matched = trafficTargets(consumer, selectPods(context, consumer));
    noteHookCompanions(context, matched);
    if (consumer.kind === "PodDisruptionBudget") pdbs.push({ pdb: consumer as PdbView, matched });
    checkConsumer(context, report, consumer, matched);
  }
  checkPdbPairs(context, report, pdbs);
}

/** Records, for each long-running workload a consumer takes in, the hook Jobs it takes in too (hookCompanions). */
function noteHookCompanions(context: AnalysisContext, matched: readonly Workload[]): void {
  const hooks = matched.filter((w) => w.runsToCompletion && w.object.hooks.length > 0);
  if (hooks.length === 0) return;
  const companions = context.derived(hookCompanions);
  for (const workload of matched) {
    if (workload.runsToCompletion) continue;
    const known = companions.get(workload);
    if (known === undefined) companions.set(workload, new Set(hooks));
    else for (const hook of hooks) known.add(hook);
  }
}

/**
 * One finding per consumer: its message is the first problem found (the most severe
 * first), its severity the highest, and `evidence.problems` keeps every problem's id.
 */
function checkConsumer(context: AnalysisContext, report: ReportFinding, consumer: SelectorConsumer, selected: readonly Workload[]): void {
  if (selected.length === 0) return;
  const isPdb = consumer.kind === "PodDisruptionBudget";
  const longRunning = selected.filter((w) => !w.runsToCompletion);
  const byDesign = isPdb ? budgetByDesign(longRunning) : spreadByDesign(context, consumer.object, longRunning);
  // A headless Service balances nothing: only clients that connect by its name can reach the Job pods.
  const headless = byDesign?.messageId === "governsStatefulSets" || byDesign?.messageId === "gossipPeers";
  // Its name resolves to a Job's pods only while they run; a Job that runs once, at install,
  // is done before anything relies on a name that exists for pod DNS names or peer discovery.
  const matched = headless ? selected.filter((w) => !runsOnlyAtInstall(context, w.object)) : selected;
  const jobs = matched.filter((w) => w.runsToCompletion);
  // Which workload this consumer is for: the only long-running one, or the one named like it.
  const served = longRunning.length === 1 ? longRunning : longRunning.filter((w) => w.object.ref.name === consumer.object.ref.name).slice(0, 1);
  const target = workloadList(served.length > 0 ? served : longRunning);
  const unscalable = isPdb && (consumer as PdbView).needsScale ? matched.filter((w) => scaleError(w.object.group, w.object.ref.kind) !== undefined) : [];

  const problems: Problem[] = [];
  if (unscalable.length > 0) {
    const { group, ref } = unscalable[0]!.object;
    // A budget holds the pods of Jobs deleted on success only while they run: it unblocks by itself.
    const whileRunning = unscalable.every(goneOnceSucceeded);
    // No drain waits for pods that kubectl drain never evicts (DaemonSet pods).
    const notDrained = unscalable.every((w) => drainSkipsPods(w.object.group, w.object.ref.kind));
    const messageId = whileRunning ? "pdbNeedsScaleWhileRunning" : notDrained ? "pdbNeedsScaleNotDrained" : "pdbNeedsScale";
    problems.push({ messageId, severity: whileRunning || notDrained ? "warning" : "error", data: { unscalable: workloadList(unscalable), scaleError: scaleError(group, ref.kind)! } });
  }
  if (longRunning.length > 0 && jobs.length > 0) {
    const messageId = headless ? "headlessSelectsJobs" : isPdb ? "pdbCoversJobs" : "serviceSelectsJobs";
    const passing = headless || (isPdb && jobs.every(goneOnceSucceeded));
    problems.push({ messageId, severity: passing ? "warning" : "error", data: { target, jobs: workloadList(jobs) } });
  }
  if (longRunning.length > 1) {
    const data = { count: longRunning.length, workloads: workloadList(longRunning) };
    if (byDesign !== undefined) problems.push({ messageId: byDesign.messageId, severity: "info", data: { ...data, ...byDesign.data } });
    else problems.push({ messageId: isPdb ? "pdbSpreads" : "serviceSpreads", severity: "warning", data });
  }
  const [first] = problems;
  if (first === undefined) return;

  const foreign = matched.filter((w) => !served.includes(w));
  const onlyByDesign = problems.length === 1 && byDesign !== undefined && first.messageId === byDesign.messageId;
  const onlyScale = problems.length === 1 && unscalable.length > 0;
  // Job pods are the only foreign ones: fix can take them out of the selector (fix/overlap.ts).
  const onlyJobs = foreign.length > 0 && foreign.every((w) => w.runsToCompletion) && unscalable.length === 0;
  const suggestion: KeySuggestion | undefined =
    onlyScale || onlyByDesign ? undefined : served.length > 0 ? suggestKey(context, served, foreign) : suggestKey(context, [], longRunning);
  report({
    object: consumer.object,
    path: consumer.selectorPath,
    severity: problems.map((p) => p.severity).reduce((a, b) => (severityRank(b) < severityRank(a) ? b : a)),
    messageId: first.messageId,
    data: first.data,
    related: inputOrder(context, [...foreign, ...unscalable]).map((w) => w.object),
    evidence: { ...overlapEvidence(consumer.selector, matched, suggestion), problems: problems.map((p) => p.messageId), ...(onlyJobs ? jobPodLabelsEvidence(context, consumer.selector, jobs) : {}) },
    remedy: consumerRemedy(consumer, { onlyByDesign, onlyScale, unscalable: unscalable.length > 0, suggestion, jobs }),
  });
}

function consumerRemedy(
  consumer: SelectorConsumer,
  facts: { onlyByDesign: boolean; onlyScale: boolean; unscalable: boolean; suggestion: KeySuggestion | undefined; jobs: readonly Workload[] },
): Remedy {
  if (facts.onlyByDesign) return { text: consumer.kind === "PodDisruptionBudget" ? REMEDY.budgetByDesign : REMEDY.byDesign };
  const parts: string[] = [];
  if (!facts.onlyScale) {
    const field = consumer.kind === "PodDisruptionBudget" ? "this PDB's spec.selector.matchLabels" : "this Service's spec.selector";
    const jobs = facts.jobs.length > 0 && !selectsEverything(consumer.selector) ? workloadList(facts.jobs) : undefined;
    parts.push(keyRemedy(facts.suggestion, field, jobs).text);
  }
  if (facts.unscalable) parts.push(REMEDY.integerMinAvailable);
  return { text: parts.join(" ") };
}

/** Pods covered by two PDBs: the eviction API refuses to evict them at all. */
function checkPdbPairs(context: AnalysisContext, report: ReportFinding, pdbs: readonly { pdb: PdbView; matched: Workload[] }[]): void {
  for (const { first: i, second: j, shared } of sharedSelections(pdbs.map((p) => p.matched))) {
    const { pdb, matched } = pdbs[i]!;
    const other = pdbs[j]!;
    const name = refString(pdb.object.ref);
    const otherName = refString(other.pdb.object.ref);
    // Narrow the budget that also covers other pods, so that each keeps its own.
    const exclusive = matched.filter((w) => !shared.includes(w));
    const otherExclusive = other.matched.filter((w) => !shared.includes(w));
    const narrow = exclusive.length > 0 ? { name, pods: exclusive } : otherExclusive.length > 0 ? { name: otherName, pods: otherExclusive } : undefined;
    const suggestion = narrow === undefined ? undefined : suggestKey(context, narrow.pods, shared);
    report({
      object: pdb.object,
      path: pdb.selectorPath,
      severity: "error",
      messageId: narrow === undefined ? "sameBudgetTwice" : "sharedWithBudget",
      data: { other: otherName, shared: workloadList(shared) },
      related: [other.pdb.object, ...shared.map((w) => w.object)],
      evidence: { ...overlapEvidence(pdb.selector, matched, suggestion), otherSelector: describeSelector(other.pdb.selector), shared: workloadRefs(shared) },
      remedy:
        narrow === undefined
          ? { text: formatMessage(REMEDY.keepOneBudget, { name, other: otherName }, "remedy keepOneBudget") }
          : keyRemedy(suggestion, `${narrow.name}'s spec.selector.matchLabels`),
    });
  }
}
