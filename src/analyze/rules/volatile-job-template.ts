import type { FieldPath } from "../../load/yaml.ts";
import { formatPath, refString } from "../../model/object.ts";
import { taggedWithVersion } from "../../model/volatile.ts";
import { containerImages, type Workload } from "../../model/workloads.ts";
import type { AnalysisContext } from "../context.ts";
import { isPatchedJob, probesOf, type ProbeCause } from "../probes.ts";
import { type FindingInput, type Rule, manifest, ruleHelpUri } from "../rule.ts";
import { notPatchedOn } from "../volatile-verdicts.ts";
import { JOB_RECREATE_FIX, jobCommands, jobFailure, patchedJobSeverity } from "../volatile/jobs.ts";
import { volatileOrigin } from "../volatile/labels.ts";

const MAX_FIELDS_NAMED = 4;

/** The causes a routine release brings, in the order a Job's finding names them. */
const ROUTINE: readonly ProbeCause[] = ["chart-version", "app-version", "image-tag", "revision"];

/** One field of the Job's pod template that changes on a release, and what changes it. */
interface TemplateChange {
  path: FieldPath;
  cause: ProbeCause | "name";
  /** For `image-tag`: the values path of the tag. */
  valuesPath?: string;
  /** For `name`: the app version the image is tagged with. */
  version?: string;
}

/**
 * What changes in a Job's pod template between releases, other than its labels
 * (volatile-pod-labels reports those): from the probes where the chart was probed (any
 * field carrying the bumped chart version or appVersion, a changed image tag or a later
 * revision), else images tagged with the app version the objects declare.
 */
function templateChanges(context: AnalysisContext, workload: Workload): TemplateChange[] {
  const probes = probesOf(context.probes, workload.object);
  if (probes === undefined) {
    const changes: TemplateChange[] = [];
    for (const { image, path } of containerImages(workload)) {
      const version = [...context.versions.app].find((v) => taggedWithVersion(image, v));
      if (version !== undefined) changes.push({ path, cause: "name", version });
    }
    return changes;
  }
  const changes: TemplateChange[] = [];
  for (const change of probes.changes) {
    if (change.section !== "job-pod-spec" && change.section !== "pod-annotations") continue;
    const cause = change.causes.find((c) => ROUTINE.includes(c));
    if (cause === undefined) continue;
    changes.push({ path: change.path, cause, ...(cause === "image-tag" && change.valuesPaths[0] !== undefined ? { valuesPath: change.valuesPaths[0] } : {}) });
  }
  return changes;
}

/** `the next chart version`, `the next change of image.tag`, `every upgrade`. */
function whenItChanges(change: TemplateChange): string {
  if (change.cause === "revision") return "every upgrade";
  if (change.cause === "name") return "the next appVersion";
  return volatileOrigin({ key: "", value: "", path: change.path, ...(change.valuesPath === undefined ? {} : { valuesPath: change.valuesPath }) }, change.cause).when;
}

/** `spec.template.spec.containers[0].image (the image tag image.tag)`. */
function describe(change: TemplateChange): string {
  const field = formatPath(change.path);
  switch (change.cause) {
    case "chart-version":
      return `${field} (the chart version)`;
    case "app-version":
      return `${field} (the appVersion)`;
    case "image-tag":
      return `${field} (the image tag ${change.valuesPath ?? "in values"})`;
    case "revision":
      return `${field} (.Release.Revision)`;
    case "name":
      return `${field} (tagged with the app version ${change.version ?? ""})`;
    default:
      return field;
  }
}

function finding(workload: Workload, changes: readonly TemplateChange[], severity: "error" | "warning"): FindingInput {
  const { object } = workload;
  const first = changes[0]!;
  const named = changes.slice(0, MAX_FIELDS_NAMED).map(describe).join(", ");
  const more = changes.length > MAX_FIELDS_NAMED ? ` and ${changes.length - MAX_FIELDS_NAMED} more` : "";
  const whens = [...new Set(changes.map(whenItChanges))];
  const when = whens.length === 1 ? whens[0]! : `${whens.slice(0, -1).join(", ")} or ${whens.at(-1)!}`;
  const how = first.cause === "name" ? "its image runs the app version the chart declares" : "probe renders changed it";
  return {
    object,
    path: first.path,
    severity,
    message:
      `${refString(object.ref)}: the pod template changes between releases (${how}): ${named}${more}. ${jobFailure(object, when)}`,
    evidence: {
      ...(first.cause === "revision" ? { source: ".Release.Revision" } : { cause: first.cause }),
      fields: changes.map((c) => formatPath(c.path)),
      causes: [...new Set(changes.map((c) => c.cause))],
      ...(first.valuesPath === undefined ? {} : { valuesPath: first.valuesPath }),
      ...(first.version === undefined ? {} : { version: first.version }),
    },
    remedy: {
      text: `Keep what changes per release out of a plain Job: ${JOB_RECREATE_FIX}`,
      commands: jobCommands(object),
    },
  };
}

/**
 * A plain Job (not a hook, a fixed name) whose pod template changes on a routine release:
 * its image follows the image tag or the appVersion, or a field carries the chart version
 * or the revision. A Job's template is immutable, so the next such upgrade fails
 * (k8s-rules.md §1.6, §8 item 3). Jobs renamed on the same release are created anew.
 */
export const volatileJobTemplate: Rule = {
  meta: {
    id: "volatile-job-template",
    severity: "error",
    summary: "A plain Job with a fixed name whose pod template (image, env, args) changes with the chart version, appVersion, image tag or revision: the next upgrade fails.",
    why:
      "A Job's spec.template cannot change after creation. Helm patches a Job that is not a hook and keeps its name, so the next release that changes its image or any other template field fails with `spec.template: Invalid value: ...: field is immutable` (newrelic/helm-charts #248).",
    fix: "Make one-off Jobs Helm hooks (helm.sh/hook with hook-delete-policy before-hook-creation), or name them per release (.Release.Revision, or the version in the name), or give them a short ttlSecondsAfterFinished.",
    migration:
      "Delete the finished Job before the upgrade that ships the fix (`kubectl delete job <name> -n <namespace>`); the upgrade creates it again, so it runs once more. Later upgrades recreate it as a hook or under its new name.",
    incident:
      "newrelic/helm-charts #248: the nri-metadata-injection chart's plain (non-hook) Job carried the image tag and the chart version labels in its pod template, so upgrading from 1.3.0 to 1.3.1 failed with `spec.template: Invalid value: ...: field is immutable` until the Job was deleted by hand.",
    example: {
      bad: manifest`
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: web-migrate
          labels:
            app.kubernetes.io/version: "2.1.0"
        spec:
          template:
            spec:
              restartPolicy: Never
              containers:
                - name: migrate
                  image: example/web:2.1.0
      `,
      good: manifest`
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: web-migrate
          labels:
            app.kubernetes.io/version: "2.1.0"
          annotations:
            helm.sh/hook: post-install,post-upgrade
            helm.sh/hook-delete-policy: before-hook-creation
        spec:
          template:
            spec:
              restartPolicy: Never
              containers:
                - name: migrate
                  image: example/web:2.1.0
      `,
    },
    helpUri: ruleHelpUri("volatile-job-template"),
  },
  check(context, report) {
    for (const workload of context.workloads) {
      const { object } = workload;
      if (!isPatchedJob(object)) continue;
      const severity = patchedJobSeverity(object);
      if (severity === undefined) continue;
      const changes = templateChanges(context, workload).filter((c) => !notPatchedOn(context, object, c.cause === "name" ? "app-version" : c.cause));
      if (changes.length > 0) report(finding(workload, changes, severity));
    }
  },
};
