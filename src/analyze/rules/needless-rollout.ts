import { andList } from "../messages.ts";
import { type Rule, ruleHelpUri } from "../rule.ts";
import {
  configChangeOf,
  isOnDelete,
  mergeVolatility,
  needlessRoll,
  templateChangesOf,
  type KeyChange,
} from "../upgrade/impact.ts";
import { runsNoPods } from "../volatile/rolls.ts";

const HASHES = "a hash of config whose only change is volatile labels (no ConfigMap or Secret data of the release changed):";
const RESTARTS = "so every pod restarts although nothing the pods run changed.";

/**
 * A workload whose pod template changes only in volatile metadata (k8s-rules.md §4 first
 * row, §6, §7): `helm.sh/chart`, `app.kubernetes.io/version` and other labels that carry
 * the chart or app version, or a `checksum/*` annotation whose input changed only in such
 * labels. The controller hashes the whole template, so every pod restarts for nothing on
 * every chart bump (helm/helm #9660, kargo #7191). CronJobs are not reported: a template
 * change only affects future Jobs. Nor is a StatefulSet or DaemonSet with updateStrategy
 * OnDelete: it restarts nothing, and a pod deleted later is recreated anyway, whichever
 * template it gets. Non-hook Jobs are immutable-field's business.
 */
export const needlessRollout: Rule = {
  meta: {
    id: "needless-rollout",
    severity: "warning",
    summary: "A workload restarts all its pods although only volatile metadata (chart/app version labels, checksums of them) changed.",
    messages: {
      labels: "pod template changes only in volatile labels {{labels}}: every pod restarts",
      checksums: "pod template changes only in {{annotations}}, a hash of config whose only change is volatile labels",
      labelsAndChecksums: "pod template changes only in volatile labels {{labels}} and {{annotations}}: every pod restarts",
    },
    details: {
      labels: `Only {{changes}} changed, ${RESTARTS}`,
      checksums: `Only {{annotations}} changed, ${HASHES} ${RESTARTS}`,
      labelsAndChecksums: `Only {{changes}} and {{annotations}} changed, ${HASHES} ${RESTARTS}`,
    },
    why:
      "Deployments, StatefulSets, DaemonSets and Rollouts hash the whole pod template: any change, a label included, replaces every pod. " +
      "Chart and app version labels in the template therefore restart every workload on every chart bump, even when nothing the pods run changed " +
      "(helm/helm#9660, akuity/kargo#7191); GitOps tools show every object as changed.",
    fix:
      "Keep helm.sh/chart and app.kubernetes.io/version out of spec.template.metadata.labels (put them on the object's own metadata.labels only); " +
      "for checksum annotations, hash only the data of the ConfigMap or Secret, not its labels.",
    migration:
      "The upgrade that removes the volatile labels from the pod templates restarts the workloads once more; from then on chart and app version bumps leave the pods alone. No command is needed.",
    incident:
      "helm/helm #9660: charts created with `helm create` label pod templates with helm.sh/chart, so each chart version bump rolls every Deployment although only the version label changed; akuity/kargo #7191 and prometheus-community/helm-charts #7266 report the same restarts, made visible by GitOps tools.",
    helpUri: ruleHelpUri("needless-rollout"),
  },
  check(context, report) {
    const upgrade = context.upgrade;
    if (!upgrade) return;
    const volatility = mergeVolatility(upgrade.previous.versions, context.versions, context.settings.extraVolatileKeys);
    const config = configChangeOf(upgrade.plan, volatility);
    for (const pair of upgrade.plan.updated) {
      const changes = templateChangesOf(pair);
      // Scaled to zero: the new template restarts no pod (volatile-pod-labels says what happens once it is scaled up).
      if (!changes || runsNoPods(context, pair.after) || isOnDelete(pair.after)) continue;
      const needless = needlessRoll(changes, config, volatility);
      if (!needless) continue;
      const { after } = pair;
      const meta = [...changes.templatePath, "metadata"];
      const what = needless.labels.length === 0 ? "checksums" : needless.checksums.length === 0 ? "labels" : "labelsAndChecksums";
      const remedies = [
        needless.labels.length > 0 &&
          `Remove ${needless.labels.map((l) => l.key).join(" and ")} from spec.template.metadata.labels (keep ${needless.labels.length === 1 ? "it" : "them"} on the ` +
            `${after.ref.kind}'s own metadata.labels): in a helm-create style chart, use the selectorLabels helper plus ` +
            `stable labels for the pod template instead of the full labels helper.`,
        needless.checksums.length > 0 &&
          `Hash only the data of the ConfigMap or Secret, not its labels, e.g. ` +
            `checksum/config: {{ (include (print $.Template.BasePath "/configmap.yaml") . | fromYaml).data | toYaml | sha256sum }}.`,
        "Removing the labels rolls the pods once more; ship that with a change that restarts them anyway.",
      ].filter((r): r is string => typeof r === "string");
      report({
        object: after,
        path: needless.mechanism === "label" ? [...meta, "labels"] : [...meta, "annotations", needless.checksums[0]!.key],
        messageId: what,
        data: {
          ...(needless.labels.length === 0 ? {} : { labels: andList(needless.labels.map((l) => l.key)), changes: andList(needless.labels.map(describe)) }),
          ...(needless.checksums.length === 0 ? {} : { annotations: andList(needless.checksums.map((c) => c.key)) }),
        },
        evidence: {
          cause: needless.cause,
          labels: needless.labels.map((l) => l.key),
          mechanism: needless.mechanism,
          ...(needless.checksums.length > 0 ? { annotations: needless.checksums.map((c) => c.key) } : {}),
        },
        remedy: { text: remedies.join(" ") },
      });
    }
  },
};

function describe(change: KeyChange): string {
  const show = (v: unknown) => (v === undefined ? "(absent)" : String(v));
  return `${change.key} (${show(change.before)} → ${show(change.after)})`;
}
