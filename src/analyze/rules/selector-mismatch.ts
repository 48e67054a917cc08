import { describeSelector, matches } from "../../model/selector.ts";
import { getPath, refString } from "../../model/object.ts";
import type { Rule } from "../rule.ts";

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
    why: "The API server refuses the object: `selector` does not match template `labels`, or `empty selector is invalid`. Because the selector is immutable, removing a template label that the selector uses also breaks every later upgrade.",
    fix: "Build spec.selector.matchLabels and the pod template labels from the same small selector-labels helper, and never remove a selector label from the template.",
  },
  check(context, report) {
    for (const workload of context.workloads) {
      const { selector, selectorPath, object } = workload;
      if (!selector || !selectorPath || !workload.selectorRequired) continue;
      const kind = object.ref.kind.toLowerCase();
      const raw = getPath(object.raw, selectorPath);
      if (selector.matchesNothing || selector.requirements.length === 0) {
        const absent = raw === undefined || raw === null;
        report({
          object,
          path: selectorPath,
          message: absent
            ? `${refString(object.ref)} has no spec.selector; the API server answers "spec.selector: Required value".`
            : `${refString(object.ref)} has an empty or malformed spec.selector; the API server answers "empty selector is invalid for ${kind}" or "invalid label selector".`,
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
      report({
        object,
        path: [...workload.templatePath, "metadata", "labels"],
        message: `${refString(object.ref)}: selector ${describeSelector(selector)} does not match its pod template labels (unmatched: ${missing.join(", ")}); the API server answers "\`selector\` does not match template \`labels\`".`,
        evidence: { selector: describeSelector(selector), unmatched: missing, templateLabels: workload.podLabels },
        remedy: {
          text: "Add the selector's labels to spec.template.metadata.labels with the same values (ideally both rendered from one selector-labels helper).",
        },
      });
    }
  },
};
