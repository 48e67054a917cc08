/**
 * The impact summary every upgrade report carries: which workloads roll and why, and
 * which objects are created, deleted, replaced or left behind.
 */
import type { FieldPath } from "../../load/yaml.ts";
import { formatPath, getPath, type ObjectRef } from "../../model/object.ts";
import { workloadOf } from "../../model/workloads.ts";
import { diff, type Difference } from "./diff.ts";
import type { UpdatePair, UpgradePlan } from "./plan.ts";

export type RollReason =
  | "image"
  | "env"
  | "config-checksum"
  | "resources"
  | "labels-only"
  | "annotations"
  | "command"
  | "volumes"
  | "probes"
  | "pod-spec";

export interface RolledWorkload {
  object: ObjectRef;
  reasons: RollReason[];
  /** The changed fields of the pod template, e.g. `spec.template.spec.containers[0].image`. */
  changes: string[];
}

export interface Replacement {
  from: ObjectRef;
  to: ObjectRef;
}

export interface Impact {
  rolled: RolledWorkload[];
  created: ObjectRef[];
  deleted: ObjectRef[];
  replaced: Replacement[];
  /** Removed from the chart but kept by `helm.sh/resource-policy: keep`: still running, no longer managed. */
  kept: ObjectRef[];
}

// Kinds whose controllers replace running pods when the pod template changes.
const ROLLING_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "Rollout"]);

export function podTemplateChanges(pair: UpdatePair): Difference[] | undefined {
  const workload = workloadOf(pair.after);
  if (!workload || !ROLLING_KINDS.has(pair.after.ref.kind)) return undefined;
  const path = workload.templatePath;
  return diff(getPath(pair.before.raw, path), getPath(pair.after.raw, path), path);
}

export function rollReasons(templatePath: FieldPath, changes: readonly Difference[]): RollReason[] {
  const reasons = new Set<RollReason>();
  for (const { path } of changes) {
    const rel = path.slice(templatePath.length).map(String);
    const [section, field] = rel;
    if (section === "metadata") {
      if (field === "labels") reasons.add("labels-only");
      else if (field === "annotations" && String(rel[2]).startsWith("checksum/")) reasons.add("config-checksum");
      else reasons.add("annotations");
      continue;
    }
    const containerField = (field === "containers" || field === "initContainers") ? rel[3] : undefined;
    if (containerField === "image") reasons.add("image");
    else if (containerField === "env" || containerField === "envFrom") reasons.add("env");
    else if (containerField === "resources") reasons.add("resources");
    else if (containerField === "command" || containerField === "args") reasons.add("command");
    else if (containerField && /Probe$/.test(containerField)) reasons.add("probes");
    else if (field === "volumes") reasons.add("volumes");
    else reasons.add("pod-spec");
  }
  // "labels-only" means exactly that: drop it when anything else changed too.
  if (reasons.size > 1) reasons.delete("labels-only");
  return [...reasons];
}

export function impactOf(plan: UpgradePlan, replaced: readonly Replacement[]): Impact {
  const rolled: RolledWorkload[] = [];
  for (const pair of plan.updated) {
    const changes = podTemplateChanges(pair);
    if (!changes || changes.length === 0) continue;
    const templatePath = workloadOf(pair.after)!.templatePath;
    rolled.push({ object: pair.after.ref, reasons: rollReasons(templatePath, changes), changes: changes.map((c) => formatPath(c.path)) });
  }
  return {
    rolled,
    created: plan.created.map((o) => o.ref),
    deleted: plan.deleted.map((o) => o.ref),
    replaced: [...replaced],
    kept: plan.kept.map((o) => o.ref),
  };
}
