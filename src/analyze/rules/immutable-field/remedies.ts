/**
 * What to do about a refused update, per kind: how to fix the chart, and the commands that
 * move a deployed release past it (delete or orphan-delete, then `helm upgrade`; the
 * commands are built in analyze/migration.ts).
 */
import { formatPath, getPath, isRecord, type KubeObject } from "../../../model/object.ts";
import { compileLabelSelector, describeSelector, matches, type Selector } from "../../../model/selector.ts";
import { workloadOf } from "../../../model/workloads.ts";
import type { Remedy } from "../../finding.ts";
import { deleteCommand, orphanDeleteCommand } from "../../migration.ts";
import { releaseOf } from "../../release.ts";
import { sh } from "../../shell.ts";
import type { UpdatePair } from "../../upgrade/plan.ts";
import type { Problem } from "./problem.ts";

export function workloadSelectorRemedy(pair: UpdatePair): Remedy {
  const { kind } = pair.after.ref;
  const r = releaseOf(pair.after);
  const oldSelector = selectorOf(pair.before);
  const newSelector = selectorOf(pair.after);
  const oldPodLabels = workloadOf(pair.before)?.podLabels ?? {};
  const chartFix =
    "Keep spec.selector identical across chart versions: render it only from a small, stable selector-labels helper (app.kubernetes.io/name, app.kubernetes.io/instance, optionally app.kubernetes.io/component) and never from helm.sh/chart, app.kubernetes.io/version or user-supplied labels. If the new selector is intended, migrate the deployed release:";
  const orphanDelete = orphanDeleteCommand(pair.after);
  const adopted = newSelector && matches(newSelector, oldPodLabels);
  const owned = kind === "Deployment" ? "ReplicaSets" : "pods";
  if (adopted) {
    return {
      text: `${chartFix} delete the ${kind} without deleting its ${owned} (they keep serving), then upgrade. The old ${owned} match the new selector, so the new ${kind} adopts them and replaces them with a normal rollout.`,
      commands: [orphanDelete, r.upgrade],
    };
  }
  // The cleanup must not catch the new pods: add a `key!=value` term when the new pods would match the old selector.
  const newPodLabels = workloadOf(pair.after)?.podLabels ?? {};
  const overlapping = oldSelector === undefined || matches(oldSelector, newPodLabels);
  const exclusion = overlapping && newSelector ? distinguishing(newSelector, oldPodLabels) : undefined;
  const oldText = oldSelector ? describeSelector(oldSelector) : "<old selector>";
  const target = kind === "Deployment" ? "rs" : "pod";
  const cleanup = sh`kubectl delete ${target}${r.ns} -l ${`${oldText}${exclusion ? `,${exclusion}` : ""}`}`;
  return {
    text:
      `${chartFix} delete the ${kind} without deleting its ${owned}, so they keep serving, then upgrade. The old ${owned} do NOT match the new selector: they are not adopted, keep running as orphans (still behind the Service if its selector matches them) and must be deleted once the new pods are Ready` +
      (exclusion ? ` (the \`${exclusion}\` term keeps the new ${kind}'s ${owned} out of the deletion)` : overlapping ? "; check first that the label selector below does not also match the new pods" : "") +
      "." +
      (kind === "DaemonSet" ? " If the pods use hostPorts, new pods cannot start on a node until its old pod is deleted; delete them node by node." : ""),
    commands: [orphanDelete, r.upgrade, cleanup],
  };
}

export function statefulSetRemedy(pair: UpdatePair, problems: readonly Problem[]): Remedy {
  const { name } = pair.after.ref;
  const r = releaseOf(pair.after);
  const commands = [orphanDeleteCommand(pair.after), r.upgrade];
  const notes: string[] = [];
  const claimTemplateChanged = problems.some((p) => p.path[1] === "volumeClaimTemplates");
  const resized = new Map<string, string>();
  for (const p of problems) {
    if (p.path[1] !== "volumeClaimTemplates" || typeof p.path[2] !== "number") continue;
    if (formatPath(p.path.slice(3)) !== "spec.resources.requests.storage" || typeof p.after !== "string") continue;
    const template = getPath(pair.after.raw, ["spec", "volumeClaimTemplates", p.path[2], "metadata", "name"]);
    if (typeof template === "string") resized.set(template, p.after);
  }
  for (const [template, size] of resized) {
    commands.push(sh`kubectl patch pvc ${`${template}-${name}-0`}${r.ns} -p ${JSON.stringify({ spec: { resources: { requests: { storage: size } } } })}`);
    notes.push(`Repeat the patch of ${template}-${name}-0 for every ordinal (-1, -2, ...); the StorageClass must allow volume expansion.`);
  }
  if (problems.some((p) => p.path[1] === "selector")) {
    notes.push(
      `The selector changes, so the new StatefulSet does not adopt the running pods: after the upgrade delete them one at a time (kubectl delete pod ${name}-0${r.ns}, wait for it to come back Ready, then ${name}-1, ...); they are recreated with the same names and reattach the same PVCs.`,
    );
  }
  return {
    text:
      (claimTemplateChanged
        ? "Claim templates must carry only static labels and annotations: remove helm.sh/chart, app.kubernetes.io/version and anything else that changes between releases from spec.volumeClaimTemplates[*].metadata (use a selector-labels helper). "
        : "Keep the StatefulSet's immutable fields (selector, serviceName, podManagementPolicy, volumeClaimTemplates) identical across chart versions. ") +
      "To apply the change to a deployed release without losing data: delete the StatefulSet but not its pods (--cascade=orphan), then upgrade; the pods keep running, the new StatefulSet adopts them and rolls them, and the PVCs (named <template>-<statefulset>-<ordinal>) are kept and reused. Changing a claim template does not change existing PVCs" +
      (resized.size > 0 ? "; resize them directly:" : ".") +
      (notes.length > 0 ? ` ${notes.join(" ")}` : ""),
    commands,
  };
}

export function jobRemedy(pair: UpdatePair): Remedy {
  const r = releaseOf(pair.after);
  return {
    text: "A plain Job cannot be patched once created. Make it a Helm hook (`helm.sh/hook: post-install,post-upgrade` with `helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded`), give it a per-revision name (e.g. suffix `{{ .Release.Revision }}`), or set `ttlSecondsAfterFinished` so it is gone before the next upgrade; keep helm.sh/chart and version labels out of its pod template. For the deployed release, delete the finished Job before upgrading:",
    commands: [deleteCommand(pair.after), r.upgrade],
  };
}

export function serviceRemedy(pair: UpdatePair, problems: readonly Problem[]): Remedy {
  const r = releaseOf(pair.after);
  if (problems.every((p) => p.fieldError === undefined)) {
    return {
      text: "To turn a headless Service into a normal one, the Service must be recreated: delete it, then upgrade (clients see a brief outage and a new IP). Or keep `clusterIP: None` in the chart.",
      commands: [deleteCommand(pair.after), r.upgrade],
    };
  }
  return {
    text: "Revert the change (leave clusterIP unset, or keep the old value), or recreate the Service: delete it, then upgrade. Recreating causes a brief outage and a new cluster IP (clients that cached the old IP must reconnect).",
    commands: [deleteCommand(pair.after), r.upgrade],
  };
}

export function pvcRemedy(pair: UpdatePair): Remedy {
  const { name } = pair.after.ref;
  return {
    text: `Revert the change to the claim's spec (only a storage increase is allowed). To really change it, migrate the data: create a new claim under another name with the new spec, copy the data (e.g. a Job mounting both), switch the workload to it, then delete ${name}. Deleting ${name} deletes its volume if the reclaim policy is Delete.`,
  };
}

export function pvRemedy(pair: UpdatePair): Remedy {
  const { name } = pair.after.ref;
  const r = releaseOf(pair.after);
  return {
    text: `Revert the change, or recreate the PersistentVolume: make sure its reclaim policy is Retain first (otherwise deleting it can delete the data), delete it, then upgrade. A bound claim must be re-bound to the new volume.`,
    commands: [sh`kubectl patch pv ${name} -p '{"spec":{"persistentVolumeReclaimPolicy":"Retain"}}'`, sh`kubectl delete pv ${name}`, r.upgrade],
  };
}

export function secretRemedy(pair: UpdatePair, problems: readonly Problem[]): Remedy {
  const { kind, name } = pair.after.ref;
  const r = releaseOf(pair.after);
  const onlyType = problems.every((p) => p.path[0] === "type");
  if (onlyType) {
    return {
      text: `Keep the Secret's type, or recreate it: delete it, then upgrade (pods that mount it keep the old content until they restart).`,
      commands: [deleteCommand(pair.after), r.upgrade],
    };
  }
  return {
    text: `An immutable ${kind} cannot change: give it a new name whenever its content changes (e.g. suffix the name with a hash of the content, \`${name}-{{ .Values.x | toYaml | sha256sum | trunc 8 }}\`, and reference that name from the pods), so the upgrade creates a new ${kind} and deletes the old one. Or delete it before upgrading (pods that use it keep the old content until they restart):`,
    commands: [deleteCommand(pair.after), r.upgrade],
  };
}

export function podRemedy(pair: UpdatePair): Remedy {
  const r = releaseOf(pair.after);
  return {
    text: "A bare Pod cannot be changed beyond its images and a few scheduling fields. Run it under a controller (Deployment, Job) or as a Helm hook; for the deployed release, delete the Pod before upgrading:",
    commands: [deleteCommand(pair.after), r.upgrade],
  };
}

export function recreateRemedy(pair: UpdatePair): Remedy {
  const { kind } = pair.after.ref;
  const r = releaseOf(pair.after);
  const extra =
    kind === "RoleBinding" || kind === "ClusterRoleBinding"
      ? " The subjects lose the permissions between the delete and the upgrade; alternatively give the binding a new name (Helm then creates the new one and deletes the old one)."
      : kind === "StorageClass"
        ? " Existing volumes keep working; only new claims use the new settings. Alternatively create a StorageClass under a new name."
        : "";
  return {
    text: `Revert the change, or recreate the ${kind}: delete it, then upgrade.${extra}`,
    commands: [deleteCommand(pair.after), r.upgrade],
  };
}

function selectorOf(object: KubeObject): Selector | undefined {
  const raw = getPath(object.raw, ["spec", "selector"]);
  if (!isRecord(raw)) return undefined;
  const selector = compileLabelSelector(raw, { nil: "nothing", empty: "nothing" });
  return selector.matchesNothing ? undefined : selector;
}

/** A `key!=value` term true for the old pods and false for the new ones, from a new `In` requirement the old labels fail. */
function distinguishing(newSelector: Selector, oldLabels: Readonly<Record<string, string>>): string | undefined {
  for (const r of newSelector.requirements) {
    if (r.operator === "In" && r.values.length === 1 && oldLabels[r.key] !== r.values[0]) return `${r.key}!=${r.values[0]}`;
  }
  return undefined;
}

