import { getPath, isRecord, stringMap, type KubeObject } from "../../model/object.ts";
import { volatileLabels } from "../../model/volatile.ts";
import { releaseOf } from "../release.ts";
import { orphanDeleteCommand } from "../migration.ts";
import { statefulSetForbiddenError } from "../../k8s/api-errors.ts";
import { type FindingInput, type Rule, ruleHelpUri } from "../rule.ts";
import type { FieldChange } from "../probes.ts";
import { volatileVerdicts } from "../volatile-verdicts.ts";
import { volatileProblems, type VolatileProblem } from "../volatile/problems.ts";

/** `labels` or `annotations` of the claim template; annotations use the same key and value rules. */
type ClaimTemplateField = "labels" | "annotations";

/** The one place a volatile-claim-template finding is built. */
function volatileClaimTemplateFinding(object: KubeObject, claimTemplate: string, field: ClaimTemplateField, problem: VolatileProblem, kubeVersion: string): FindingInput {
  const { name } = object.ref;
  return {
    object,
    path: problem.path,
    at: problem.at,
    severity: problem.severity,
    messageId: problem.kind,
    data: { ...problem.data, claimTemplate, field, failure: statefulSetForbiddenError(kubeVersion) },
    evidence: { ...problem.evidence, claimTemplate, field },
    remedy: {
      text:
        "Give volumeClaimTemplates only static metadata (e.g. app.kubernetes.io/name and app.kubernetes.io/instance from selectorLabels), never helm.sh/chart, " +
        "app.kubernetes.io/version or values-driven labels; labels there only reach PVCs created later anyway. For a release already deployed, removing the label " +
        `is itself a forbidden change: delete the StatefulSet without its pods, then upgrade. The pods keep running, and the PVCs (named ${claimTemplate}-${name}-<ordinal>) ` +
        "are kept and mounted again by the new StatefulSet's pods, so the data stays.",
      commands: [orphanDeleteCommand(object), releaseOf(object).upgrade],
    },
  };
}

const FAILS_WITH = "helm upgrade fail with \"{{failure}}\" (the message names the allowed fields, not the one that changed)";

/**
 * Volatile labels (and annotations) in StatefulSet volumeClaimTemplates metadata break
 * the next upgrade: the claim templates are outside the update allow-list
 * (k8s-rules.md §1.5, §3.4, §8 item 2).
 */
export const volatileClaimTemplate: Rule = {
  meta: {
    id: "volatile-claim-template",
    severity: "error",
    summary: "StatefulSet volumeClaimTemplates carry labels or annotations that change between releases.",
    messages: {
      changes: 'claim template "{{claimTemplate}}" {{field}} include {{labels}}, set from {{sources}}',
      onValues: 'claim template "{{claimTemplate}}" {{field}} include {{labels}}, set from {{sources}}',
      valuesMap: 'a label added to values {{valuesPaths}} appears in claim template "{{claimTemplate}}" {{field}}',
      valuesMaps: 'claim template "{{claimTemplate}}" {{field}} change when label maps in values are set (one of {{count}}, e.g. {{valuesPath}})',
    },
    details: {
      changes: `volumeClaimTemplates cannot change after creation: a new value makes ${FAILS_WITH}.`,
      onValues: `Upgrades with the same values keep them as they are. volumeClaimTemplates cannot change after creation: an upgrade that changes those values makes ${FAILS_WITH}.`,
      valuesMap:
        `A label the probe added to {{valuesPaths}} appeared in the claim template's {{field}} (other labels there may come from elsewhere). Upgrades with the same values keep them as they are. ` +
        `volumeClaimTemplates cannot change after creation: adding or changing a label under {{valuesPaths}} makes ${FAILS_WITH}.`,
      valuesMaps:
        "A probe render that set labels in {{count}} label maps of the values at once changed the claim template's {{field}}, but its own label did not appear: the chart builds them from one of those maps (picking some keys, or hashing it), and the probe cannot tell which. " +
        `Upgrades with the same values keep them as they are. volumeClaimTemplates cannot change after creation: setting or changing labels in the map they are built from makes ${FAILS_WITH}.`,
    },
    why:
      "Any change to spec.volumeClaimTemplates, including its labels, is rejected with `spec: Forbidden: updates to statefulset spec for fields other than ... are forbidden`. With helm.sh/chart or app.kubernetes.io/version there, every chart bump fails (prometheus-community/helm-charts #5279).",
    fix: "Keep claim-template metadata static. For a deployed release: `kubectl delete statefulset <name> --cascade=orphan`, then `helm upgrade`; the PVCs are kept and re-adopted.",
    migration:
      "Delete the StatefulSet without its pods and claims, then upgrade: `kubectl delete statefulset <name> -n <namespace> --cascade=orphan`, then `helm upgrade`. The new StatefulSet adopts the running pods and reuses the existing PersistentVolumeClaims by name, so no data is lost (the labels on the existing claims stay as they were).",
    incident:
      "prometheus-community/helm-charts #5279: chart labels in a StatefulSet's volumeClaimTemplates made upgrades fail with `spec: Forbidden: updates to statefulset spec for fields other than ...`; helm/charts #7803 collects the same failure across the old stable charts.",
    helpUri: ruleHelpUri("volatile-claim-template"),
  },
  check(context, report) {
    for (const object of context.objects) {
      if (object.ref.kind !== "StatefulSet" || object.group !== "apps") continue;
      const templates = getPath(object.raw, ["spec", "volumeClaimTemplates"]);
      if (!Array.isArray(templates)) continue;
      templates.forEach((template, i) => {
        if (!isRecord(template) || !isRecord(template.metadata)) return;
        const claimTemplate = typeof template.metadata.name === "string" ? template.metadata.name : `#${i}`;
        for (const field of ["labels", "annotations"] as const) {
          const map = stringMap(template.metadata[field]);
          const byName = volatileLabels(map, context.versions, context.settings.extraVolatileKeys).map((label) => ({
            ...label,
            path: ["spec", "volumeClaimTemplates", i, "metadata", field, label.key],
          }));
          const inTemplate = (change: FieldChange) => change.path[2] === i && change.path[4] === field;
          const verdicts = volatileVerdicts(context, object, "claim-template", byName, inTemplate);
          for (const problem of volatileProblems(object, verdicts)) report(volatileClaimTemplateFinding(object, claimTemplate, field, problem, context.settings.kubeVersion));
        }
      });
    }
  },
};
