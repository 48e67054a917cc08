/**
 * Where the pod labels of the Jobs and CronJobs a selector overlaps are written, and which
 * of the selector's keys they could drop: what `chartguard fix` needs to take the Job pods
 * out of the selector without changing the selector (a workload's is immutable).
 */
import { formatPath, refString } from "../../../model/object.ts";
import type { Selector } from "../../../model/selector.ts";
import type { Workload } from "../../../model/workloads.ts";
import type { AnalysisContext } from "../../context.ts";

/** Dropped first: the component tells pods apart; the name next; the release's instance last (kept for release-wide queries). */
const DROP_ORDER = ["app.kubernetes.io/component", "app.kubernetes.io/name"];
const INSTANCE_KEY = "app.kubernetes.io/instance";

/**
 * For each overlapping Job or CronJob: its template line of the pod-template labels, and
 * the selector key (an equality requirement its pods satisfy) whose absence from its pods
 * ends the overlap. Empty when the selector has no such key.
 */
export function jobPodLabelsEvidence(context: AnalysisContext, selector: Selector, jobs: readonly Workload[]): Record<string, unknown> {
  const key = droppableKey(selector, jobs);
  if (key === undefined || jobs.length === 0) return {};
  const sources = jobs.map((job) => {
    const path = [...job.templatePath, "metadata", "labels"];
    const templateLine = context.templateLines?.(job.object, path, {});
    return { object: refString(job.object.ref), path: formatPath(path), template: job.object.doc.template ?? null, templateLine: templateLine ?? null };
  });
  return { jobPodLabels: { key, sources } };
}

/** A key the selector requires with one value that every Job's pods carry with that value. */
function droppableKey(selector: Selector, jobs: readonly Workload[]): string | undefined {
  const keys = selector.requirements
    .filter((r) => r.operator === "In" && r.values.length === 1)
    .filter((r) => jobs.every((job) => job.podLabels[r.key] === r.values[0]))
    .map((r) => r.key);
  const rank = (key: string) => (DROP_ORDER.includes(key) ? DROP_ORDER.indexOf(key) : key === INSTANCE_KEY ? DROP_ORDER.length + 1 : DROP_ORDER.length);
  return [...keys].sort((a, b) => rank(a) - rank(b))[0];
}
