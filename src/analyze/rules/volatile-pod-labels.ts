import { rollsOnTemplateChange } from "../../k8s/controllers.ts";
import type { FieldPath } from "../../load/yaml.ts";
import { getPath, stringEntry } from "../../model/object.ts";
import { taggedWithVersion, type KnownVersions } from "../../model/volatile.ts";
import { containerImages, type Workload } from "../../model/workloads.ts";
import { type FindingInput, type Rule, ruleHelpUri } from "../rule.ts";
import { volatileVerdicts, type Verdict } from "../volatile-verdicts.ts";
import { impliedCause, podTemplateVolatileLabels, versionSource } from "../volatile/labels.ts";
import { volatileProblems, type VolatileProblem } from "../volatile/problems.ts";
import { andList } from "../messages.ts";
import { isOnDelete } from "../upgrade/impact.ts";
import { chartVersionHashes, fromRepositorySubchart, fromUnreleasedChart, podSpecCarriesChartVersion, releasedWithApp, rollsOnPurposeEveryRelease, runsNoPods, runsStampedImage, type ChartVersionHash } from "../volatile/rolls.ts";

/**
 * Whether this rule looks at the workload. Hooks (including `helm test` pods) are deleted and
 * recreated, never patched; a plain Job's template is immutable, so a label that changes
 * there fails the upgrade: volatile-job-template reports it with the rest of that template.
 * A bare Pod's labels are mutable, and a ReplicaSet or ReplicationController does not replace
 * running pods, so only controllers that roll their pods are watched; CronJobs on their own terms.
 * A StatefulSet or DaemonSet with updateStrategy OnDelete restarts nothing on upgrade: each
 * pod takes the new template when someone deletes it.
 */
function watched(workload: Workload): boolean {
  const { object } = workload;
  if (object.hooks.length > 0 || isOnDelete(object)) return false;
  return object.ref.kind === "CronJob" || rollsOnTemplateChange(object.group, object.ref.kind);
}

/**
 * Whether a verdict is a finding for this workload. A label carrying the app version (or
 * an image tag) that one of the workload's images also runs changes when the image does:
 * that release restarts the pods anyway. So does the chart version label of a workload whose
 * pod spec carries the chart version itself (an image released in lockstep with the chart,
 * tagged 1.2.3 or 1.2.3-alpine; an environment value); otherwise it restarts them for nothing.
 * Such a pod spec restarts with an appVersion bump too, which comes only with a new chart version.
 */
function reportable(workload: Workload, verdict: Verdict, rollsOnChartBump: boolean, pinnedDependency: boolean): boolean {
  // A CronJob restarts nothing: its job template's label only adds a change the CronJob's own label already makes.
  if (workload.object.ref.kind === "CronJob" && stringEntry(getPath(workload.object.raw, ["metadata", "labels"]), verdict.label.key) === verdict.label.value) return false;
  const cause = causeOf(verdict);
  const images = containerImages(workload);
  // A pinned dependency's versions change only when the chart's maintainers bump it on purpose.
  if (pinnedDependency && (cause === "chart-version" || cause === "app-version")) return false;
  if (cause === "chart-version") return !rollsOnChartBump;
  // A new appVersion comes only with a new chart version: a pod spec that carries the chart version restarts with both.
  if (cause === "app-version" && rollsOnChartBump) return false;
  // An image its release process stamps changes on every release: so does the app version with it.
  if (cause === "app-version" && runsStampedImage(workload)) return false;
  const followsImage = cause === "app-version" || cause === "image-tag";
  return !(followsImage && images.some((c) => taggedWithVersion(c.image, verdict.label.value)));
}

const FIX =
  "Put only the stable selectorLabels and the pods' own labels on the pod template; keep helm.sh/chart and app.kubernetes.io/version in the object's own metadata.labels. The selectorLabels are app.kubernetes.io/name, app.kubernetes.io/instance, and app.kubernetes.io/component where used. (helm create since Helm 3.13 puts the full `labels` helper on the pod template: switch it back to `selectorLabels` plus podLabels.)";

function causeOf(verdict: Verdict) {
  return verdict.cause === "name" ? impliedCause(verdict.label) : verdict.cause;
}

/**
 * The values of labels a probe showed to be the chart version under a key of the chart's own
 * (`chartVersion: v2.0.0`) that the labels do not declare: the pod spec that runs an image of
 * that tag restarts on chart bumps anyway. Kept apart from the declared versions, which a
 * cluster dump has by the thousand: a copy of them per workload would cost their number each.
 */
function probedChartVersions(verdicts: readonly Verdict[], versions: KnownVersions): ReadonlySet<string> {
  return new Set(
    verdicts
      .filter((v) => causeOf(v) === "chart-version")
      .map((v) => v.label.version ?? v.label.value.replace(/^v(?=\d)/, ""))
      .filter((version) => !versions.chart.has(version)),
  );
}

/**
 * The one place a volatile-pod-labels finding is built. A workload scaled to zero restarts
 * nothing yet: info, the trap fires once the user scales it up. Checksum annotations that
 * restart the pods on the same chart bumps (`hashes`) go into the same finding and its fix.
 */
function volatilePodLabelFinding(workload: Workload, problem: VolatileProblem, foreignTag: boolean, noPods: boolean, hashes: HashSummary | undefined): FindingInput {
  const { object } = workload;
  const { kind } = object.ref;
  return {
    object,
    path: problem.path,
    at: problem.at,
    ...(noPods ? { severity: "info" as const } : {}),
    messageId: kind === "CronJob" ? "cronJob" : noPods ? "restartsOnceScaledUp" : foreignTag ? "restartsWithOtherImage" : "restarts",
    data: { ...problem.data, kind },
    evidence: { ...problem.evidence, ...(foreignTag ? { foreignTag: true } : {}), ...(hashes === undefined ? {} : { hashes: hashes.evidence }) },
    ...(hashes === undefined ? {} : { remedy: { text: `${FIX} ${hashes.fix}` } }),
  };
}

/** Checksum annotations over objects that carry the chart version: what they hash, and how to hash less. */
interface HashSummary {
  /** The first hashing annotation's path, where a finding of its own points. */
  path: FieldPath;
  data: { annotations: string; templates: string; labels: string; sources: string };
  evidence: { annotations: string[]; hashed: string[]; labels: string[] };
  fix: string;
}

function summarize(hashes: readonly ChartVersionHash[]): HashSummary {
  const annotations = hashes.map((hash) => hash.annotation);
  const templates = [...new Set(hashes.flatMap((hash) => hash.templates))];
  const labels = [...new Set(hashes.flatMap((hash) => hash.labels))].sort();
  const files = andList(templates.map((template) => `templates/${underTemplates(template)}`));
  return {
    path: hashes[0]!.path,
    data: { annotations: andList(annotations), templates: files, labels: andList(labels), sources: versionSource("chart-version", hashes[0]!.subchart) },
    evidence: { annotations, hashed: templates, labels },
    fix: hashes.some((hash) => hash.severalObjects)
      ? // fromYaml reads the first document only: hashing its data would stop the others' changes from restarting the pods.
        `Keep ${andList(labels)} off the objects of ${files}, which the hash covers whole (a template of several objects cannot be hashed by its data alone with fromYaml, which reads the first).`
      : `Hash only what the pods read, not the objects' labels: ${annotations[0]}: {{ (include (print $.Template.BasePath "/${underTemplates(templates[0]!)}") . | fromYaml).data | toYaml | sha256sum }} ` +
        `(.stringData too for a Secret that uses it), or keep ${andList(labels)} off the objects of ${files}.`,
  };
}

/** The path of a template under its chart's templates/ folder, as `include (print $.Template.BasePath ...)` takes it. */
function underTemplates(template: string): string {
  return template.slice(template.lastIndexOf("templates/") + "templates/".length);
}

/** Checksum annotations that restart the pods on chart bumps when no label of the pod template does. */
function chartVersionHashFinding(workload: Workload, summary: HashSummary, noPods: boolean): FindingInput {
  return {
    object: workload.object,
    path: summary.path,
    ...(noPods ? { severity: "info" as const } : {}),
    messageId: "hashesChartLabels",
    data: { ...summary.data, kind: workload.object.ref.kind },
    evidence: { cause: "chart-version", ...summary.evidence },
    remedy: { text: summary.fix },
  };
}

/**
 * Volatile labels in pod template labels roll every pod on each chart bump (k8s-rules.md
 * §7, §8 item 16); a CronJob's job template shows a change on each. Plain Jobs are
 * volatile-job-template's.
 */
export const volatilePodLabels: Rule = {
  meta: {
    id: "volatile-pod-labels",
    severity: "warning",
    summary: "Pod template labels that change with every chart or app version: every such release restarts the pods for nothing.",
    messages: {
      restarts: "pod template carries {{labels}}, set from {{sources}}",
      restartsWithOtherImage: "pod template carries {{labels}}, set from {{sources}} (another workload's image)",
      restartsOnceScaledUp: "pod template carries {{labels}}, set from {{sources}}; no pods run at these values (replicas: 0)",
      cronJob: "job template carries {{labels}}, set from {{sources}}",
      hashesChartLabels: "pod template annotation {{annotations}}: a hash of {{templates}} whole, {{labels}} included, set from {{sources}}",
    },
    details: {
      restarts:
        "Each new value changes the pod template, so the upgrade restarts every pod of the {{kind}} even when nothing else changed (GitOps controllers show it as a change on every bump).",
      restartsWithOtherImage:
        "Each new value changes the pod template, so the upgrade restarts every pod of the {{kind}} even when nothing else changed. The image tag is another workload's: none of this {{kind}}'s containers runs that image, so its pods restart whenever that image changes, even when nothing of its own changed.",
      restartsOnceScaledUp:
        "Each new value changes the pod template. With spec.replicas: 0 the {{kind}} runs no pods, so nothing restarts now; once it is scaled up (its replicas value), every such release restarts all its pods even when nothing else changed.",
      hashesChartLabels:
        "The hash in {{annotations}} covers the whole rendered text of {{templates}}, metadata included, and with it {{sources}} in {{labels}}: every bump of that version changes the hash and restarts all pods of the {{kind}} even when their configuration did not change.",
      cronJob:
        "Each new value changes the CronJob's job template. Nothing restarts (a CronJob has no running pods to roll; only Jobs created afterwards differ), but every such release shows a change to the CronJob, which GitOps tools report as drift.",
    },
    why:
      "A pod template label that changes with the chart restarts every Deployment, StatefulSet and DaemonSet on every chart bump, although nothing else changed. Reported in helm/helm #9660, prometheus-community/helm-charts #7266 and akuity/kargo #7191. (In a plain Job the template is immutable and the next bump fails: volatile-job-template reports that.) A checksum annotation that hashes a whole ConfigMap or Secret, its helm.sh/chart label included, restarts them the same way. Not reported where the chart restarts the pods on every release on purpose (a pod annotation from .Release.Revision or a random value it means as a roll), or where the pods run an image versioned in lockstep with the chart (tagged with the chart version, or with it under another major: chart 107.104.10, image 7.104.10), or where the chart is released with its app (the workload's labels declare the same chart and app version: helm.sh/chart istiod-1.24.0, app.kubernetes.io/version 1.24.0), so that every chart bump ships new images: the labels add no restart of their own. Nor for a development copy of a chart, whose appVersion is no version (canary, latest): its release process stamps the chart version, the appVersion and the image tags together (a chart that keeps latest in its source yet ships chart-only releases is then warned only in its published form). Nor for a dependency pinned from a chart repository (https://, oci://): its chart and app version change only when the chart's maintainers bump it, with its templates and images, and its templates are not theirs to edit.",
    fix: FIX,
    migration:
      "Removing the labels from the pod template changes the template once: the upgrade that ships the fix restarts the workloads one last time. Later chart bumps no longer restart anything.",
    incident:
      "helm/helm #9660: since `helm create` puts helm.sh/chart into pod templates, every chart version bump restarts every workload even when nothing else changed (also prometheus-community/helm-charts #7266 and akuity/kargo #7191); newrelic/helm-charts #248: a plain Job with a version label in its template failed the next upgrade with `spec.template: Invalid value: ...: field is immutable`.",
    helpUri: ruleHelpUri("volatile-pod-labels"),
  },
  check(context, report) {
    for (const workload of context.workloads) {
      // A chart that restarts the pods on every release on purpose: the labels add no restart of their own.
      if (!watched(workload) || rollsOnPurposeEveryRelease(context, workload.object)) continue;
      const byName = podTemplateVolatileLabels(workload, context.versions, context.settings.extraVolatileKeys);
      const all = volatileVerdicts(context, workload.object, "pod-labels", byName);
      // The chart is released with its app, or the pod spec carries the chart version: chart bumps restart the pods anyway, labels and hashes of it add nothing.
      const rollsOnChartBump = releasedWithApp(workload) || fromUnreleasedChart(context, workload.object) || podSpecCarriesChartVersion(workload, context.versions, probedChartVersions(all, context.versions));
      const pinnedDependency = fromRepositorySubchart(context, workload.object);
      const verdicts = all.filter((v) => reportable(workload, v, rollsOnChartBump, pinnedDependency));
      // A tag of another workload's image: this workload restarts with that image's releases too.
      const foreignTag = verdicts.some((v) => v.change?.foreignTag === true);
      const noPods = runsNoPods(context, workload.object);
      // Its Jobs are created anew anyway: a CronJob's checksums restart nothing.
      const hashes = workload.object.ref.kind === "CronJob" || rollsOnChartBump || pinnedDependency ? [] : chartVersionHashes(context, workload);
      const summary = hashes.length > 0 ? summarize(hashes) : undefined;
      // Labels from values are expected on pods (volatile-verdicts reports none here): only labels that change on their own.
      const changes = volatileProblems(workload.object, verdicts).filter((problem) => problem.kind === "changes");
      // One finding for the restarts of chart bumps: a chart label of the pod template carries the checksums along.
      const carried = changes.length > 0 && verdicts.some((v) => causeOf(v) === "chart-version") ? summary : undefined;
      changes.forEach((problem, i) => report(volatilePodLabelFinding(workload, problem, foreignTag, noPods, i === 0 ? carried : undefined)));
      if (summary !== undefined && carried === undefined) report(chartVersionHashFinding(workload, summary, noPods));
    }
  },
};
