import { describeSelector, matches } from "../../model/selector.ts";
import { getPath, refString } from "../../model/object.ts";
import { validateLabelMap, validateLabelSelector } from "../../model/label-syntax.ts";
import type { FieldPath } from "../../load/yaml.ts";
import { andList } from "../messages.ts";
import { type Rule, ruleHelpUri } from "../rule.ts";

/**
 * The API server requires a workload's selector to match its own pod template and
 * rejects nil or empty selectors for Deployments, ReplicaSets, StatefulSets and
 * DaemonSets (k8s-rules.md §1.2–1.5, §1.18); Argo Rollouts reports the same as InvalidSpec.
 */
export const selectorMismatch: Rule = {
  meta: {
    id: "selector-mismatch",
    severity: "error",
    summary: "A workload's selector does not match its own pod template labels, or is empty where the API rejects it.",
    messages: {
      noSelector: "no spec.selector, which a {{kind}} requires",
      emptySelector: "spec.selector is empty or malformed",
      templateMismatch: "selector {{selector}} does not match the pod template labels (unmatched: {{unmatched}})",
      customTemplateMismatch: "selector {{selector}} does not match the pod template labels (unmatched: {{unmatched}})",
    },
    details: {
      noSelector: "The API server answers \"spec.selector: Required value\": {{object}} is refused, so helm install/upgrade fails.",
      emptySelector:
        "The API server answers \"empty selector is invalid for {{resource}}\" or \"invalid label selector\": {{object}} is refused, so helm install/upgrade fails.",
      templateMismatch:
        "The API server answers \"`selector` does not match template `labels`\": {{object}} is refused, so helm install/upgrade fails. The selector is immutable: removing a template label it uses breaks every later upgrade the same way.",
      customTemplateMismatch: "The {{kind}} controller cannot own the pods it creates (most controllers refuse such a spec).",
    },
    why: "The API server refuses the object: `selector` does not match template `labels`, or `empty selector is invalid`. Because the selector is immutable, removing a template label that the selector uses also breaks every later upgrade.",
    fix: "Build spec.selector.matchLabels and the pod template labels from the same small selector-labels helper, and never remove a selector label from the template.",
    migration:
      "Nothing to migrate when the API server refused the object: fix the chart and install or upgrade again. If the template lost a label that a deployed selector still uses, put the label back: the selector is immutable, so changing it means deleting the workload without its pods (`kubectl delete deployment <name> --cascade=orphan`) before `helm upgrade`.",
    incident:
      "helm/helm #2494: a `chart: {{ .Chart.Name }}-{{ .Chart.Version }}` label added to a Deployment's pod template made the next upgrade fail with \"`selector` does not match template `labels`\"; helm/charts #1726 (kube-state-metrics) broke every upgrade the same way.",
    helpUri: ruleHelpUri("selector-mismatch"),
  },
  check(context, report) {
    for (const workload of context.workloads) {
      const { selector, selectorPath, object } = workload;
      if (!selector || !selectorPath || !(workload.selectorRequired || workload.generic)) continue;
      const raw = getPath(object.raw, selectorPath);
      // A selector or labels of the wrong type never reach validation: invalid-label reports the decode error.
      if (undecodable(raw, [...workload.templatePath, "metadata", "labels"], workload.object.raw, selectorPath)) continue;
      if (workload.generic && (selector.matchesNothing || selector.requirements.length === 0)) continue;
      if (selector.matchesNothing || selector.requirements.length === 0) {
        const absent = raw === undefined || raw === null;
        report({
          object,
          path: selectorPath,
          messageId: absent ? "noSelector" : "emptySelector",
          data: { object: refString(object.ref), kind: object.ref.kind, resource: object.ref.kind.toLowerCase() },
          evidence: { selector: raw ?? null },
          remedy: {
            text: "Set spec.selector.matchLabels to the stable labels that identify this workload's pods (e.g. app.kubernetes.io/name and app.kubernetes.io/instance) and put the same labels on spec.template.metadata.labels.",
          },
        });
        continue;
      }
      if (matches(selector, workload.podLabels)) continue;
      const missing = selector.requirements
        .filter((r) => !matches({ matchesNothing: false, requirements: [r] }, workload.podLabels))
        .map((r) => describeSelector({ matchesNothing: false, requirements: [r] }));
      // Each string once, shared by the message data, the evidence and the remedy: a finding-heavy input keeps many.
      const described = describeSelector(selector);
      const unmatched = andList(missing);
      report({
        object,
        path: [...workload.templatePath, "metadata", "labels"],
        messageId: workload.generic ? "customTemplateMismatch" : "templateMismatch",
        data: { object: refString(object.ref), kind: object.ref.kind, selector: described, unmatched },
        evidence: { selector: described, unmatched: missing, templateLabels: workload.podLabels },
        remedy: {
          text: `Put ${unmatched} on spec.template.metadata.labels (ideally the selector and the template labels both rendered from one selector-labels helper).`,
        },
      });
    }
  },
};

function undecodable(selector: unknown, labelsPath: FieldPath, raw: unknown, selectorPath: FieldPath): boolean {
  const errors = [...validateLabelSelector(selector, selectorPath), ...validateLabelMap(getPath(raw, labelsPath), labelsPath)];
  return errors.some((error) => error.type === "Decode");
}
