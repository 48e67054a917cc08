/** What a selector of selector-overlap takes in: the pods (or Services) standing in the cluster, in input order. */
import type { SelectorConsumer } from "../../../model/consumers.ts";
import { getPath, hookDeletedOnSuccess, refString, type KubeObject } from "../../../model/object.ts";
import { reachedByService, type Workload } from "../../../model/workloads.ts";
import type { AnalysisContext } from "../../context.ts";
import { isLaterCopy } from "../../duplicates.ts";
import { andList } from "../../messages.ts";

/** Hooks whose objects exist only while `helm test` runs or while the release is being deleted. */
const OUT_OF_RELEASE_HOOKS = new Set(["test", "test-success", "test-failure", "pre-delete", "post-delete"]);

/**
 * The pods that stand in the cluster beside the others: not a later copy of a duplicated
 * object (duplicate-object reports the copy), and not those of a `helm test` or delete hook,
 * which exist only while `helm test` runs or the release is being uninstalled (and are
 * usually deleted by their hook-delete-policy), so their overlaps cost nothing a maintainer acts on.
 */
export function standingPods(context: AnalysisContext, workloads: readonly Workload[]): Workload[] {
  return workloads.filter((w) => !isLaterCopy(context, w.object) && !(w.object.hooks.length > 0 && w.object.hooks.every((h) => OUT_OF_RELEASE_HOOKS.has(h))));
}

/**
 * A Job whose pods are deleted as soon as it succeeds: a Helm hook with hook-delete-policy
 * hook-succeeded (Helm deletes it, and the pods with it), or ttlSecondsAfterFinished 0 (the
 * TTL controller does). Its pods stand beside the others only while it runs, and after a
 * failure, which the release's own upgrade reports.
 */
export function goneOnceSucceeded(workload: Workload): boolean {
  const { object } = workload;
  if (object.group !== "batch" || object.ref.kind !== "Job") return false;
  if (getPath(object.raw, ["spec", "ttlSecondsAfterFinished"]) === 0) return true;
  return hookDeletedOnSuccess(object);
}

/** The pods a consumer selects, in input order, in the namespaces it looks at. */
export function selectPods(context: AnalysisContext, consumer: SelectorConsumer): Workload[] {
  const namespaces = consumer.namespaces ?? context.namespaces();
  const found = standingPods(context, namespaces.flatMap((ns) => context.podsIn(ns).select(consumer.selector)));
  return namespaces.length > 1 ? inputOrder(context, found) : found;
}

/** The Services a ServiceMonitor selects by their own labels, in input order. */
export function selectServices(context: AnalysisContext, consumer: SelectorConsumer): KubeObject[] {
  const namespaces = consumer.namespaces ?? context.namespaces();
  const found = namespaces.flatMap((ns) => context.servicesIn(ns).select(consumer.selector)).filter((service) => !isLaterCopy(context, service));
  if (namespaces.length <= 1) return found;
  const position = context.derived(inputPositions).objects;
  return found.sort((a, b) => position.get(a)! - position.get(b)!);
}

export function inputOrder(context: AnalysisContext, workloads: readonly Workload[]): Workload[] {
  const unique = [...new Set(workloads)];
  if (unique.length < 2) return unique;
  const position = context.derived(inputPositions).workloads;
  return unique.sort((a, b) => position.get(a)! - position.get(b)!);
}

function inputPositions(context: AnalysisContext): { workloads: Map<Workload, number>; objects: Map<KubeObject, number> } {
  return {
    workloads: new Map(context.workloads.map((w, i) => [w, i])),
    objects: new Map(context.objects.map((o, i) => [o, i])),
  };
}

/** `Job/migrate (pre-upgrade hook)`: a workload as a message names it. */
function workloadName(workload: Workload): string {
  const name = refString(workload.object.ref);
  const { hooks } = workload.object;
  return hooks.length === 0 ? name : `${name} (${hooks.join(",")} hook)`;
}

/** Workloads listed in a message's data. */
export function workloadList(workloads: readonly Workload[]): string {
  return andList(workloads.map(workloadName));
}

/** Workloads as evidence and related lists name them. */
export function workloadRefs(workloads: readonly Workload[]): string[] {
  return workloads.map((w) => refString(w.object.ref));
}

/**
 * Every pair of selections (by index, first < second) that share items, with the shared
 * items: found through an index of who selects what, not by comparing every pair.
 */
export function sharedSelections<T>(selections: readonly (readonly T[])[]): { first: number; second: number; shared: T[] }[] {
  const selectedBy = new Map<T, number[]>();
  selections.forEach((selected, i) => {
    for (const item of selected) {
      const list = selectedBy.get(item);
      if (list) list.push(i);
      else selectedBy.set(item, [i]);
    }
  });
  const pairs: { first: number; second: number; shared: T[] }[] = [];
  selections.forEach((selected, i) => {
    const partners = new Map<number, T[]>();
    for (const item of selected) {
      for (const j of selectedBy.get(item) ?? []) {
        if (j <= i) continue;
        const shared = partners.get(j);
        if (shared) shared.push(item);
        else partners.set(j, [item]);
      }
    }
    for (const j of [...partners.keys()].sort((a, b) => a - b)) pairs.push({ first: i, second: j, shared: partners.get(j)! });
  });
  return pairs;
}

/**
 * The pods a load-balanced Service sends traffic to: those with a port for one of its ports
 * (a Job without the named port its targetPort asks for gets none). A headless Service's DNS
 * names every selected pod whatever its ports, so it keeps them all, as a PDB does.
 */
export function trafficTargets(consumer: SelectorConsumer, matched: Workload[]): Workload[] {
  if (consumer.kind !== "Service" || getPath(consumer.object.raw, ["spec", "clusterIP"]) === "None") return matched;
  return matched.filter((workload) => reachedByService(consumer.object, workload));
}

/** Whether checkPodConsumers looks at the consumer: a Service (not ExternalName) or a PDB, not a later copy of a duplicated object. */
export function checksPods(context: AnalysisContext, consumer: SelectorConsumer): boolean {
  if (consumer.kind !== "Service" && consumer.kind !== "PodDisruptionBudget") return false;
  if (consumer.kind === "Service" && getPath(consumer.object.raw, ["spec", "type"]) === "ExternalName") return false;
  return !isLaterCopy(context, consumer.object);
}

/**
 * Per workload, the hook Jobs whose pods a Service or PDB takes in with the workload's own:
 * filled by checkPodConsumers as it selects each consumer's pods, read by checkWorkloads.
 */
export function hookCompanions(_context: AnalysisContext): Map<Workload, Set<Workload>> {
  return new Map();
}
