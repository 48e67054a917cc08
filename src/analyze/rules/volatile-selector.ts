import { getPath } from "../../model/object.ts";
import type { Workload } from "../../model/workloads.ts";
import { releaseOf } from "../release.ts";
import { orphanDeleteCommand } from "../migration.ts";
import { selectorChangeError } from "../../k8s/api-errors.ts";
import { type FindingInput, type Rule, ruleHelpUri } from "../rule.ts";
import { volatileVerdicts } from "../volatile-verdicts.ts";
import { volatileSelectorLabels } from "../volatile/labels.ts";
import { volatileProblems, type VolatileProblem } from "../volatile/problems.ts";

const SELECTOR_FIX =
  "Build spec.selector.matchLabels only from a small, stable selectorLabels helper (app.kubernetes.io/name and app.kubernetes.io/instance, plus app.kubernetes.io/component when the release has several workloads), and use the same helper in the pod template. Keep helm.sh/chart, app.kubernetes.io/version and user-supplied labels in metadata.labels only.";

/** The message ids of a problem's kind, for a Rollout or for any other workload. */
const SELECTOR_IDS = {
  changes: { workload: "changes", rollout: "rolloutChanges" },
  onValues: { workload: "onValues", rollout: "rolloutOnValues" },
  valuesMap: { workload: "valuesMap", rollout: "rolloutValuesMap" },
  valuesMaps: { workload: "valuesMaps", rollout: "rolloutValuesMaps" },
} as const;

/** The one place a volatile-selector finding is built. */
function volatileSelectorFinding(workload: Workload, problem: VolatileProblem, kubeVersion: string): FindingInput {
  const { object } = workload;
  const { kind, name } = object.ref;
  const located = { object, path: problem.path, at: problem.at, severity: problem.severity, evidence: problem.evidence };
  if (kind === "Rollout") {
    return {
      ...located,
      messageId: SELECTOR_IDS[problem.kind].rollout,
      data: problem.data,
      remedy: {
        text:
          `${SELECTOR_FIX} A Rollout's selector cannot be changed safely in place: for a release already deployed, ship the fixed selector as a new Rollout ` +
          `(a new name, e.g. ${name}-v2). helm upgrade then creates the new Rollout and removes the old one, so plan that one switch ` +
          `(scale the new Rollout up and check its pods before the old one goes); later upgrades follow the canary steps again.`,
      },
    };
  }
  const adoption =
    kind === "StatefulSet"
      ? "The pods keep running and are adopted by the new StatefulSet; its PersistentVolumeClaims stay and are reused by the same pod names, so no data is lost."
      : kind === "Job"
        ? "The Job's pods are left alone; the new Job runs again."
        : `The pods keep running and are adopted by the new ${kind}, which then rolls them to the new template.`;
  return {
    ...located,
    messageId: SELECTOR_IDS[problem.kind].workload,
    data: { ...problem.data, failure: selectorChangeError(kind, kubeVersion) },
    remedy: {
      text:
        `${SELECTOR_FIX} For a release already deployed, the fixed selector is itself a selector change: delete the ${kind} without its pods, ` +
        `then upgrade. ${adoption}`,
      commands: [
        orphanDeleteCommand(object),
        releaseOf(object).upgrade,
      ],
    },
  };
}

const SELECTOR_CHANGES = "A new value changes spec.selector, which is immutable: helm upgrade fails with \"{{failure}}\".";
const SELECTOR_ON_VALUES =
  "Upgrades with the same values keep the selector as it is; an upgrade that changes those values changes spec.selector, which is immutable: helm upgrade then fails with \"{{failure}}\".";
const SELECTOR_VALUES_MAP =
  "A label the probe added to {{valuesPaths}} appeared in spec.selector. Upgrades with the same values keep the selector as it is; adding or changing a label under {{valuesPaths}} changes spec.selector, which is immutable: helm upgrade then fails with \"{{failure}}\".";
const UNATTRIBUTED =
  "A probe render that set labels in {{count}} label maps of the values at once changed it, but its own label did not appear: the chart builds these labels from one of those maps (picking some keys, or hashing it), and the probe cannot tell which.";
const ROLLOUT_BREAKS =
  "From Argo Rollouts 1.9 the API server refuses the update (\"spec.selector: Invalid value: ...: .spec.selector is immutable\"); before 1.9 it is accepted, but the controller orphans the running ReplicaSet and skips every canary step, sending all traffic to the new version at once.";

/**
 * An immutable selector (Deployment, ReplicaSet, DaemonSet, StatefulSet, Rollout,
 * manual-selector Job) that includes a label whose value changes between releases fails
 * the next upgrade (k8s-rules.md §1.2–1.6, §1.17, §7, §8 items 1, 2, 11, 16).
 */
export const volatileSelector: Rule = {
  meta: {
    id: "volatile-selector",
    severity: "error",
    summary: "An immutable workload selector contains a label whose value changes between releases (chart or app version, user values).",
    messages: {
      changes: "selector includes {{labels}}, set from {{sources}}",
      onValues: "selector includes {{labels}}, set from {{sources}}",
      valuesMap: "a label added to values {{valuesPaths}} appears in the selector",
      rolloutChanges: "selector includes {{labels}}, set from {{sources}}",
      rolloutOnValues: "selector includes {{labels}}, set from {{sources}}",
      rolloutValuesMap: "a label added to values {{valuesPaths}} appears in the selector",
      valuesMaps: "selector changes when label maps in values are set (one of {{count}}, e.g. {{valuesPath}})",
      rolloutValuesMaps: "selector changes when label maps in values are set (one of {{count}}, e.g. {{valuesPath}})",
    },
    details: {
      changes: SELECTOR_CHANGES,
      onValues: SELECTOR_ON_VALUES,
      valuesMap: SELECTOR_VALUES_MAP,
      rolloutChanges: `A new value changes the Rollout's spec.selector. ${ROLLOUT_BREAKS}`,
      rolloutOnValues: `Upgrades with the same values keep the selector as it is; an upgrade that changes those values changes the Rollout's spec.selector. ${ROLLOUT_BREAKS}`,
      valuesMaps: `${UNATTRIBUTED} Upgrades with the same values keep the selector as it is; setting or changing labels in the map it reads changes spec.selector, which is immutable: helm upgrade then fails with "{{failure}}".`,
      rolloutValuesMaps: `${UNATTRIBUTED} Upgrades with the same values keep the selector as it is; setting or changing labels in the map it reads changes the Rollout's spec.selector. ${ROLLOUT_BREAKS}`,
      rolloutValuesMap: `A label the probe added to {{valuesPaths}} appeared in the Rollout's spec.selector. Upgrades with the same values keep it as it is; adding or changing a label under {{valuesPaths}} changes the selector. ${ROLLOUT_BREAKS}`,
    },
    why:
      "spec.selector cannot change after creation. With helm.sh/chart, app.kubernetes.io/version or another volatile label in it, the next release changes the selector and helm upgrade fails with `spec.selector: Invalid value: ...: field is immutable` (StatefulSet: `spec: Forbidden: updates to statefulset spec ...`). Argo Rollouts before 1.9 accept the change but skip all canary steps (jetstack/version-checker #140, argoproj/argo-rollouts #4070).",
    fix: "Select on a stable selectorLabels helper only (app.kubernetes.io/name + app.kubernetes.io/instance [+ component]). For a deployed release: `kubectl delete <kind> <name> --cascade=orphan`, then `helm upgrade`.",
    migration:
      "The fixed selector is itself a selector change. For each affected workload run `kubectl delete <kind> <name> -n <namespace> --cascade=orphan`, then `helm upgrade`: the pods keep running and the new object adopts them (a StatefulSet keeps its PersistentVolumeClaims). An Argo Rollout must instead be shipped under a new name.",
    incident:
      "jetstack/version-checker #140: from chart v0.3.1 to v0.3.2 `helm upgrade` failed with `spec.selector: Invalid value: ...: field is immutable`, because the selector had been switched to the full labels helper with helm.sh/chart and app.kubernetes.io/version in it; zitadel/zitadel-charts #389 is the same failure from 9.1.0 to 9.1.1.",
    helpUri: ruleHelpUri("volatile-selector"),
  },
  check(context, report) {
    for (const workload of context.workloads) {
      if (!workload.selectorImmutable || !workload.selectorPath) continue;
      const raw = getPath(workload.object.raw, workload.selectorPath);
      const byName = volatileSelectorLabels(raw, workload.selectorPath, context.versions, context.settings.extraVolatileKeys);
      const verdicts = volatileVerdicts(context, workload.object, "selector", byName);
      for (const problem of volatileProblems(workload.object, verdicts)) report(volatileSelectorFinding(workload, problem, context.settings.kubeVersion));
    }
  },
};
