/** Pod annotations that restart a workload's pods on every release, and whether the chart means it. */
import { getPath, stringMap, type KubeObject } from "../../model/object.ts";
import { namedToRoll } from "../../model/volatile.ts";
import type { AnalysisContext } from "../context.ts";
import { changedKey, probesOf, type FieldChange } from "../probes.ts";

/**
 * How a pod annotation that changes on every release came to be: a hash (checksum/…) of
 * something random, which the random object's own finding reports; a roll the chart means
 * (its name says so, a values flag switches it, a comment says it restarts the pods); or
 * nothing that says the restarts are meant.
 */
export function rollIntent(context: AnalysisContext, object: KubeObject, change: FieldChange): "hash" | "deliberate" | undefined {
  const key = changedKey(change);
  if (/^[0-9a-f]{32,128}$/i.test(change.before ?? "")) return "hash";
  if (namedToRoll(key)) return "deliberate";
  const template = object.doc.template;
  const lines = template === undefined ? undefined : context.chartFacts?.deliberateLines?.get(template);
  const line = lines === undefined ? undefined : context.templateLines?.(object, change.path, { cause: "random", annotation: key });
  return line !== undefined && lines!.has(line) ? "deliberate" : undefined;
}

/**
 * Whether the chart restarts the workload's pods on every release on purpose: a pod
 * annotation set from .Release.Revision or a random value, which the upgrade does not keep,
 * and which the chart means as a roll (rollIntent).
 */
export function rollsOnPurposeEveryRelease(context: AnalysisContext, object: KubeObject): boolean {
  return (probesOf(context.probes, object)?.changes ?? []).some(
    (change) =>
      change.section === "pod-annotations" &&
      (change.causes[0] === "revision" || change.causes[0] === "random") &&
      change.keptOnUpgrade !== true &&
      rollIntent(context, object, change) === "deliberate",
  );
}

/** Every `spec.scaleTargetRef` of the render (HPAs, KEDA ScaledObjects): `namespace kind name`. */
function autoscaled(context: AnalysisContext): ReadonlySet<string> {
  const targets = new Set<string>();
  for (const object of context.objects) {
    const { kind, name } = stringMap(getPath(object.raw, ["spec", "scaleTargetRef"]));
    if (kind !== undefined && name !== undefined) targets.add(`${object.ref.namespace ?? ""}\u0000${kind}\u0000${name}`);
  }
  return targets;
}

/**
 * A workload that runs no pods with these values: `spec.replicas: 0`, and no autoscaler of the
 * render targets it (a KEDA ScaledObject scales from zero; an HPA beside a zero says the chart
 * means it to run some other way). A change to its pod template restarts nothing until it is
 * scaled up.
 */
export function runsNoPods(context: AnalysisContext, object: KubeObject): boolean {
  if (getPath(object.raw, ["spec", "replicas"]) !== 0) return false;
  return !context.derived(autoscaled).has(`${object.ref.namespace ?? ""}\u0000${object.ref.kind}\u0000${object.ref.name}`);
}
