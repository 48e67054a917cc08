import { getPath, refString, type KubeObject } from "../../model/object.ts";
import { chartVersionIsImageTag, taggedWithVersion, volatileLabels } from "../../model/volatile.ts";
import { containerImages, type Workload } from "../../model/workloads.ts";
import type { AnalysisContext } from "../context.ts";
import type { Cause } from "../finding.ts";
import { releaseOf } from "../release.ts";
import { sh } from "../shell.ts";
import { type FindingInput, type Rule, manifest, ruleHelpUri } from "../rule.ts";
import { impliedCause, notPatchedOn, volatileVerdicts, withProbeDetails, type Verdict } from "../volatile-verdicts.ts";
import { capitalize, labelText, volatileEvidence, volatileOrigin, type VolatileLabelAt } from "./volatile-selector.ts";

/**
 * Kinds whose controller rolls its pods when the pod template changes. A bare Pod's labels
 * are mutable, and a ReplicaSet or ReplicationController does not replace running pods,
 * so those are left out; Jobs and CronJobs are handled on their own terms.
 */
const ROLLING_KINDS = new Set(["Deployment", "DaemonSet", "StatefulSet", "Rollout"]);

const TEMPLATE_FIX =
  "Put only the stable selectorLabels (app.kubernetes.io/name, app.kubernetes.io/instance, and app.kubernetes.io/component where used) and labels that really belong to the pods on the pod template; keep helm.sh/chart and app.kubernetes.io/version in the object's own metadata.labels. (helm create since Helm 3.13 puts the full `labels` helper on the pod template: switch it back to `selectorLabels` plus podLabels.)";

/**
 * A change to the template of a Job that Helm patches: an error, or a warning when the Job
 * is removed some time after it finished (it fails only if it still exists). Undefined for
 * a Job Helm never patches (generateName).
 */
export function patchedJobSeverity(object: KubeObject): "error" | "warning" | undefined {
  if (object.generatedName || object.hooks.length > 0) return undefined;
  return typeof getPath(object.raw, ["spec", "ttlSecondsAfterFinished"]) === "number" ? "warning" : "error";
}

/** What keeps a Job's template out of the way of the next upgrade, and how to get an installed release past it. */
export const JOB_RECREATE_FIX =
  "For a one-off task, make the Job a Helm hook (helm.sh/hook: post-install,post-upgrade with helm.sh/hook-delete-policy: before-hook-creation) so Helm recreates it on each release, " +
  "or name it per release (e.g. with .Release.Revision), or give it a short spec.ttlSecondsAfterFinished. For a release already deployed, delete the finished Job before upgrading (the upgrade creates it again, so it runs once more).";

/** The sentence that says why a Job template change fails, with its ttl when it has one. */
export function jobFailure(object: KubeObject, when: string): string {
  const ttl = getPath(object.raw, ["spec", "ttlSecondsAfterFinished"]);
  const failure = `helm upgrade fail with "spec.template: Invalid value: ...: field is immutable"`;
  return typeof ttl === "number"
    ? `A Job's spec.template is immutable: if the Job still exists at the next upgrade (it runs, or finished less than ttlSecondsAfterFinished=${ttl}s ago), ${when} makes ${failure}.`
    : `A Job's spec.template is immutable and this Job is not a Helm hook, so it stays in the cluster: ${when} makes ${failure}.`;
}

/** Which workloads this rule looks at, and with which severity. */
function podLabelSeverity(workload: Workload): "error" | "warning" | undefined {
  const { object } = workload;
  // Hooks (including `helm test` pods) are deleted and recreated, never patched.
  if (object.hooks.length > 0) return undefined;
  const { kind } = object.ref;
  if (kind === "Job") return patchedJobSeverity(object);
  if (kind === "CronJob" || ROLLING_KINDS.has(kind)) return "warning";
  return undefined;
}

/**
 * Whether a verdict is a finding for this workload. A Job that gets a new name on the release
 * that changes the label is created anew, not patched. A label carrying the app version (or
 * an image tag) that one of the workload's images also runs changes when the image does:
 * that release restarts the pods anyway. So does the chart version label of a chart released
 * in lockstep with the image (chart version = image tag); otherwise it restarts them for nothing.
 */
function reportable(context: AnalysisContext, workload: Workload, verdict: Verdict): boolean {
  const cause = verdict.cause === "name" ? impliedCause(verdict.label) : verdict.cause;
  if (workload.object.ref.kind === "Job") return !notPatchedOn(context, workload.object, cause);
  const images = containerImages(workload);
  if (cause === "chart-version") return !images.some((c) => chartVersionIsImageTag(verdict.label.value, c.image));
  const followsImage = cause === "app-version" || cause === "image-tag";
  return !(followsImage && images.some((c) => taggedWithVersion(c.image, verdict.label.value)));
}

/** Delete the Job, then upgrade: the migration for an installed release. */
export function jobCommands(object: KubeObject): string[] {
  return [sh`kubectl delete job ${object.ref.name} -n ${object.ref.namespace ?? "default"}`, releaseOf(object).upgrade];
}

/** The one place a volatile-pod-labels finding is built; probe-based detection calls it with its own cause. */
export function volatilePodLabelFinding(workload: Workload, label: VolatileLabelAt, cause: Cause): FindingInput | undefined {
  const severity = podLabelSeverity(workload);
  if (!severity) return undefined;
  const { object } = workload;
  const { kind } = object.ref;
  const { why, when } = volatileOrigin(label, cause);
  const subject = `${refString(object.ref)}: the pod template label ${labelText(label)} is volatile: ${why}.`;
  const evidence = volatileEvidence(label, cause);
  if (kind === "Job") {
    return {
      object,
      path: label.path,
      severity,
      message: `${subject} ${jobFailure(object, when)}`,
      evidence,
      remedy: { text: `${TEMPLATE_FIX} ${JOB_RECREATE_FIX}`, commands: jobCommands(object) },
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
    migration:
      "Removing the labels from the pod template changes the template once: the upgrade that ships the fix restarts the workloads one last time (a plain Job must be deleted first, `kubectl delete job <name>`, or turned into a hook). Later chart bumps no longer restart anything.",
    incident:
      "helm/helm #9660: since `helm create` puts helm.sh/chart into pod templates, every chart version bump restarts every workload even when nothing else changed (also prometheus-community/helm-charts #7266 and akuity/kargo #7191); newrelic/helm-charts #248: a plain Job with a version label in its template failed the next upgrade with `spec.template: Invalid value: ...: field is immutable`.",
    example: {
      bad: manifest`
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          labels:
            helm.sh/chart: web-1.4.2
            app.kubernetes.io/name: web
        spec:
          selector:
            matchLabels:
              app.kubernetes.io/name: web
          template:
            metadata:
              labels:
                helm.sh/chart: web-1.4.2
                app.kubernetes.io/name: web
            spec:
              containers:
                - name: web
                  image: nginx:1.27
      `,
      good: manifest`
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          labels:
            helm.sh/chart: web-1.4.2
            app.kubernetes.io/name: web
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
                  image: nginx:1.27
      `,
    },
    helpUri: ruleHelpUri("volatile-pod-labels"),
  },
  check(context, report) {
    for (const workload of context.workloads) {
      if (!podLabelSeverity(workload)) continue;
      const byName = volatileLabels(workload.podLabels, context.versions, context.settings.extraVolatileKeys).map((label) => ({
        ...label,
        path: [...workload.templatePath, "metadata", "labels", label.key],
      }));
      for (const verdict of volatileVerdicts(context, workload.object, "pod-labels", byName)) {
        if (!reportable(context, workload, verdict)) continue;
        const finding = volatilePodLabelFinding(workload, verdict.label, verdict.cause);
        if (!finding) continue;
        const detailed = withProbeDetails(finding, verdict, "the pod template label", "the pod template takes in every label under");
        if (verdict.change?.foreignTag !== true) report(detailed);
        else {
          // The tag belongs to another workload's image: this one restarts with every release of that image.
          report({
            ...detailed,
            message: `${detailed.message} None of this ${workload.object.ref.kind}'s containers runs that image, so its pods restart whenever another workload's image changes.`,
            evidence: { ...detailed.evidence, foreignTag: true },
          });
        }
      }
    }
  },
};
