import type { FieldPath } from "../../load/yaml.ts";
import { formatPath, getPath } from "../../model/object.ts";
import { hasFloatingTag, versionOfImageTag } from "../../model/volatile.ts";
import { containerImages, type Workload } from "../../model/workloads.ts";
import type { AnalysisContext } from "../context.ts";
import { isPatchedJob, probesOf, type ProbeCause } from "../probes.ts";
import { type FindingInput, type Rule, ruleHelpUri } from "../rule.ts";
import { JOB_TEMPLATE_IMMUTABLE_ERROR } from "../../k8s/api-errors.ts";
import { andList } from "../messages.ts";
import { notPatchedOn, volatileVerdicts } from "../volatile-verdicts.ts";
import { JOB_RECREATE_FIX, jobCommands, patchedJobSeverity } from "../volatile/jobs.ts";
import { impliedCause, labelEvidence, labelSource, podTemplateVolatileLabels, type VolatileLabelAt } from "../volatile/labels.ts";

const MAX_FIELDS_NAMED = 4;

/** The causes a routine release brings, in the order a Job's finding names them. */
const ROUTINE: readonly ProbeCause[] = ["chart-version", "app-version", "image-tag", "revision"];

/** One field of the Job's pod template that changes on a release, and what changes it. */
interface TemplateChange {
  path: FieldPath;
  cause: ProbeCause | "name";
  /** The release that brings the change, for a cause found by name (undefined: a key configured as volatile). */
  brings: ProbeCause | undefined;
  /** For `image-tag`: the values path of the tag. */
  valuesPath?: string;
  /** For an image found by name: the app version it is tagged with. */
  version?: string;
  /** For a pod template label: the label. */
  label?: VolatileLabelAt;
}

/**
 * The pod template labels of the Job that change between releases: the volatile-* verdicts
 * (probe proof, else names), as volatile-pod-labels reads them for other workloads.
 */
function labelChanges(context: AnalysisContext, workload: Workload): TemplateChange[] {
  const byName = podTemplateVolatileLabels(workload, context.versions, context.settings.extraVolatileKeys);
  return volatileVerdicts(context, workload.object, "pod-labels", byName).map(({ label, cause }) => ({
    path: label.path,
    cause,
    brings: cause === "name" ? impliedCause(label) : cause,
    label,
    ...(label.valuesPath === undefined ? {} : { valuesPath: label.valuesPath }),
  }));
}

/**
 * What else changes in a Job's pod template between releases: from the probes where the
 * chart was probed (any field carrying the bumped chart version or appVersion, a changed
 * image tag or a later revision), else images tagged with the app version the objects declare.
 */
function fieldChanges(context: AnalysisContext, workload: Workload): TemplateChange[] {
  const probes = probesOf(context.probes, workload.object);
  if (probes === undefined) {
    const changes: TemplateChange[] = [];
    for (const { image, path } of containerImages(workload)) {
      const version = versionOfImageTag(image, context.versions.app);
      if (version !== undefined) changes.push({ path, cause: "name", brings: "app-version", version });
    }
    return changes;
  }
  const changes: TemplateChange[] = [];
  for (const change of probes.changes) {
    if (change.section !== "job-pod-spec" && change.section !== "pod-annotations") continue;
    const cause = change.causes.find((c) => ROUTINE.includes(c));
    if (cause === undefined) continue;
    // Only a user who sets another tag changes an image by a floating one: no routine release does.
    if (cause === "image-tag" && change.causes.length === 1 && hasFloatingTag(String(getPath(workload.object.raw, change.path) ?? ""))) continue;
    const valuesPath = cause === "image-tag" ? change.valuesPaths[0] : undefined;
    changes.push({ path: change.path, cause, brings: cause, ...(valuesPath === undefined ? {} : { valuesPath }) });
  }
  return changes;
}

/** `the chart version`, `the image tag image.tag`, `.Release.Revision`: what sets a changing field, for `sources`. */
function sourceOf(change: TemplateChange): string {
  if (change.label !== undefined && change.cause !== "revision") return labelSource(change.label, change.cause);
  if (change.cause === "revision") return ".Release.Revision";
  if (change.cause === "name") return "the appVersion";
  return labelSource({ key: "", value: "", path: change.path, ...(change.valuesPath === undefined ? {} : { valuesPath: change.valuesPath }) }, change.cause);
}

/** A label by its key; any other field by its path inside the pod template. */
function fieldName(change: TemplateChange, templatePath: FieldPath): string {
  if (change.label !== undefined) return `label ${change.label.key}`;
  return formatPath(change.path.slice(templatePath.length));
}

function finding(workload: Workload, changes: readonly TemplateChange[], severity: "error" | "warning" | "info"): FindingInput {
  const { object } = workload;
  // Each field located once, not once per comparison: a locate walks the document's text.
  const lines = new Map(changes.map((c) => [c, object.doc.locate([...object.pathPrefix, ...c.path])]));
  const sorted = [...changes].sort((a, b) => lines.get(a)! - lines.get(b)!);
  const first = sorted[0]!;
  const names = sorted.map((c) => fieldName(c, workload.templatePath));
  const named = names.length > MAX_FIELDS_NAMED ? [...names.slice(0, MAX_FIELDS_NAMED), `${names.length - MAX_FIELDS_NAMED} more`] : names;
  const ttl = getPath(object.raw, ["spec", "ttlSecondsAfterFinished"]);
  const labels = sorted.flatMap((c) => (c.label === undefined || c.cause === "revision" ? [] : [labelEvidence(c.label, c.cause)]));
  return {
    object,
    path: first.path,
    severity,
    messageId: typeof ttl === "number" ? "changesUntilRemoved" : "changes",
    data: {
      fields: andList(named),
      sources: andList([...new Set(sorted.map(sourceOf))]),
      ...(typeof ttl === "number" ? { ttl } : {}),
    },
    evidence: {
      ...(first.cause === "revision" ? { source: ".Release.Revision" } : { cause: first.cause }),
      fields: sorted.map((c) => formatPath(c.path)),
      causes: [...new Set(sorted.map((c) => c.cause))],
      ...(labels.length === 0 ? {} : { labels }),
      ...(first.valuesPath === undefined ? {} : { valuesPath: first.valuesPath }),
      ...(first.version === undefined ? {} : { version: first.version }),
    },
    remedy: { text: JOB_REMEDY, commands: jobCommands(object) },
  };
}

const JOB_FIX =
  "Keep what changes per release out of a plain Job: version labels belong in the Job's own metadata.labels (the pod template takes the stable selectorLabels only).";

/** Built once: every finding of the rule shares the text. */
const JOB_REMEDY = `${JOB_FIX} ${JOB_RECREATE_FIX}`;

const IMMUTABLE = `helm upgrade fail with "${JOB_TEMPLATE_IMMUTABLE_ERROR}"`;

/**
 * A plain Job (not a hook, a fixed name) whose pod template changes on a routine release:
 * a label carries a version, its image follows the image tag or the appVersion, or a field
 * carries the chart version or the revision. One finding per Job: whatever changes, the
 * template is immutable, so the next such upgrade fails, and one fix (a hook, a name per
 * release) clears all of it
 * (k8s-rules.md §1.6, §8 item 3). Jobs renamed on the same release are created anew.
 */
export const volatileJobTemplate: Rule = {
  meta: {
    id: "volatile-job-template",
    severity: "error",
    summary: "A plain Job with a fixed name whose pod template (labels, image, env, args) changes with the chart version, appVersion, image tag or revision: the next upgrade fails.",
    messages: {
      changes: "pod template changes between releases in {{fields}}",
      changesUntilRemoved: "pod template changes between releases in {{fields}}",
    },
    details: {
      changes:
        `Set from {{sources}}. A Job's spec.template is immutable and this Job is not a Helm hook, so it stays in the cluster: the next release that changes them makes ${IMMUTABLE}.`,
      changesUntilRemoved:
        `Set from {{sources}}. A Job's spec.template is immutable: if the Job still exists at the next upgrade (it runs, or finished less than ttlSecondsAfterFinished={{ttl}}s ago), the next release that changes them makes ${IMMUTABLE}.`,
    },
    why:
      "A Job's spec.template cannot change after creation. Helm patches a Job that is not a hook and keeps its name, so the next release that changes its image, a version label or any other template field fails with `spec.template: Invalid value: ...: field is immutable` (newrelic/helm-charts #248).",
    fix: "Make one-off Jobs Helm hooks (helm.sh/hook with hook-delete-policy before-hook-creation), or name them per release (.Release.Revision, or the version in the name), or give them a short ttlSecondsAfterFinished.",
    migration:
      "Delete the finished Job before the upgrade that ships the fix (`kubectl delete job <name> -n <namespace>`); the upgrade creates it again, so it runs once more. Later upgrades recreate it as a hook or under its new name.",
    incident:
      "newrelic/helm-charts #248: the nri-metadata-injection chart's plain (non-hook) Job carried the image tag and the chart version labels in its pod template, so upgrading from 1.3.0 to 1.3.1 failed with `spec.template: Invalid value: ...: field is immutable` until the Job was deleted by hand.",
    helpUri: ruleHelpUri("volatile-job-template"),
  },
  check(context, report) {
    for (const workload of context.workloads) {
      const { object } = workload;
      if (!isPatchedJob(object)) continue;
      const severity = patchedJobSeverity(object);
      if (severity === undefined) continue;
      const changes = [...labelChanges(context, workload), ...fieldChanges(context, workload)].filter((c) => !notPatchedOn(context, object, c.brings));
      if (changes.length > 0) report(finding(workload, changes, severity));
    }
  },
};
