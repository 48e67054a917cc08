import { getPath, refString } from "../../model/object.ts";
import { volatileLabels } from "../../model/volatile.ts";
import type { Workload } from "../../model/workloads.ts";
import type { Cause } from "../finding.ts";
import type { FindingInput, Rule } from "../rule.ts";
import { capitalize, labelText, volatileEvidence, volatileOrigin, type VolatileLabelAt } from "./volatile-selector.ts";

/**
 * Kinds whose controller rolls its pods when the pod template changes. A bare Pod's labels
 * are mutable, and a ReplicaSet or ReplicationController does not replace running pods,
 * so those are left out; Jobs and CronJobs are handled on their own terms.
 */
const ROLLING_KINDS = new Set(["Deployment", "DaemonSet", "StatefulSet", "Rollout"]);

const TEMPLATE_FIX =
  "Put only the stable selectorLabels (app.kubernetes.io/name, app.kubernetes.io/instance, and app.kubernetes.io/component where used) and labels that really belong to the pods on the pod template; keep helm.sh/chart and app.kubernetes.io/version in the object's own metadata.labels. (helm create since Helm 3.13 puts the full `labels` helper on the pod template: switch it back to `selectorLabels` plus podLabels.)";

/** Which workloads this rule looks at, and with which severity. */
function podLabelSeverity(workload: Workload): "error" | "warning" | undefined {
  const { object } = workload;
  // Hooks (including `helm test` pods) are deleted and recreated, never patched.
  if (object.hooks.length > 0) return undefined;
  const { kind } = object.ref;
  if (kind === "Job") {
    if (object.generatedName) return undefined;
    return typeof getPath(object.raw, ["spec", "ttlSecondsAfterFinished"]) === "number" ? "warning" : "error";
  }
  if (kind === "CronJob" || ROLLING_KINDS.has(kind)) return "warning";
  return undefined;
}

/** The one place a volatile-pod-labels finding is built; probe-based detection calls it with its own cause. */
export function volatilePodLabelFinding(workload: Workload, label: VolatileLabelAt, cause: Cause): FindingInput | undefined {
  const severity = podLabelSeverity(workload);
  if (!severity) return undefined;
  const { object } = workload;
  const { kind, name } = object.ref;
  const namespace = object.ref.namespace ?? "default";
  const { why, when } = volatileOrigin(label, cause);
  const subject = `${refString(object.ref)}: the pod template label ${labelText(label)} is volatile: ${why}.`;
  const evidence = volatileEvidence(label, cause);
  if (kind === "Job") {
    const ttl = getPath(object.raw, ["spec", "ttlSecondsAfterFinished"]);
    const failure = `helm upgrade fails with "spec.template: Invalid value: ...: field is immutable"`;
    return {
      object,
      path: label.path,
      severity,
      message:
        typeof ttl === "number"
          ? `${subject} A Job's spec.template is immutable: if the Job still exists at the next upgrade (it runs, or finished less than ttlSecondsAfterFinished=${ttl}s ago), ${when} makes ${failure}.`
          : `${subject} A Job's spec.template is immutable and this Job is not a Helm hook, so it stays in the cluster: ${when} makes ${failure}.`,
      evidence,
      remedy: {
        text:
          `${TEMPLATE_FIX} For a one-off task, make the Job a Helm hook (helm.sh/hook: post-install,post-upgrade with helm.sh/hook-delete-policy: before-hook-creation) so Helm recreates it on each release, ` +
          `or give it a short spec.ttlSecondsAfterFinished. For a release already deployed, delete the finished Job before upgrading (the upgrade creates it again, so it runs once more).`,
        commands: [`kubectl delete job ${name} -n ${namespace}`, `helm upgrade <release> <chart> -n ${namespace}`],
      },
    };
  }
  if (kind === "CronJob") {
    return {
      object,
      path: label.path,
      severity,
      message:
        `${subject} ${capitalize(when)} changes the CronJob's job template. Nothing restarts (a CronJob has no running pods to roll; only Jobs created afterwards differ), ` +
        "but every such release shows a change to the CronJob, which GitOps tools report as drift.",
      evidence,
      remedy: { text: TEMPLATE_FIX },
    };
  }
  return {
    object,
    path: label.path,
    severity,
    message:
      `${subject} ${capitalize(when)} changes the pod template, so the upgrade restarts every pod of the ${kind} even when nothing else changed ` +
      "(GitOps controllers show it as a change on every bump).",
    evidence,
    remedy: { text: TEMPLATE_FIX },
  };
}

/**
 * Volatile labels in pod template labels roll every pod on each chart bump; in a plain
 * (non-hook) Job they make the next upgrade fail (k8s-rules.md §1.6, §7, §8 item 16).
 */
export const volatilePodLabels: Rule = {
  meta: {
    id: "volatile-pod-labels",
    severity: "warning",
    summary: "Pod template labels that change with every chart or app version: needless restarts, and a failed upgrade for plain Jobs.",
    why:
      "A change to a pod template label is a change to the pod template: every chart bump restarts every Deployment, StatefulSet and DaemonSet although nothing changed (helm/helm #9660, prometheus-community/helm-charts #7266, akuity/kargo #7191). A plain Job's template is immutable, so the next bump fails with `spec.template: Invalid value: ...: field is immutable` (newrelic/helm-charts #248).",
    fix: "Label pod templates with the stable selectorLabels only; keep helm.sh/chart and app.kubernetes.io/version in metadata.labels. Run one-off Jobs as Helm hooks.",
  },
  check(context, report) {
    for (const workload of context.workloads) {
      if (!podLabelSeverity(workload)) continue;
      for (const label of volatileLabels(workload.podLabels, context.versions, context.settings.extraVolatileKeys)) {
        const finding = volatilePodLabelFinding(workload, { ...label, path: [...workload.templatePath, "metadata", "labels", label.key] }, "name");
        if (finding) report(finding);
      }
    }
  },
};
