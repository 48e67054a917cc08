import { getPath, isRecord } from "../../model/object.ts";
import { compileLabelSelector, describeSelector, sameStoredSelector, storedLabelSelector } from "../../model/selector.ts";
import { versionAtLeast } from "../../k8s/versions.ts";
import { andList } from "../messages.ts";
import { releaseOf } from "../release.ts";
import { type Rule, ruleHelpUri } from "../rule.ts";
import { sh } from "../shell.ts";

/**
 * An Argo Rollout whose spec.selector changes (docs/k8s-rules.md §1.17, §5, §8 item 11).
 * From Argo Rollouts v1.9.0 the CRD's CEL rule refuses the update; before that the API
 * accepts it, the controller releases the old stable ReplicaSet (orphaned, still running)
 * and, with no stable ReplicaSet, promotes the new one at once: every canary step, pause
 * and analysis is skipped and traffic jumps to 100% (argoproj/argo-rollouts #4070, #4084).
 * Selectors are compared as stored (model/selector.ts), as immutable-field compares a
 * Deployment's.
 */
const REFUSED_DETAIL =
  "`helm upgrade` fails: {{apiError}}";
const CANARY_SKIPPED_DETAIL =
  "the update is accepted, but the old stable ReplicaSet no longer matches and is orphaned (its pods keep running, unmanaged), and the new ReplicaSet is promoted as an initial deploy: every canary step, pause and analysis is skipped and traffic jumps to 100% at once.";

export const rolloutSelectorChanged: Rule = {
  meta: {
    id: "rollout-selector-changed",
    severity: "error",
    summary: "An Argo Rollout's spec.selector changes between the release and the upgrade.",
    messages: {
      refused: "spec.selector changes ({{changed}}): Argo Rollouts v1.9 or later refuses the update",
      canarySkipped: "spec.selector changes ({{changed}}): the stable ReplicaSet is orphaned and the canary skipped",
      either: "spec.selector changes ({{changed}}): refused from Argo Rollouts v1.9, canary skipped before it",
    },
    details: {
      refused: `spec.selector changes from {{before}} to {{after}}. With Argo Rollouts v1.9 or later (the configured version) and its CRD installed, ${REFUSED_DETAIL}`,
      canarySkipped: `spec.selector changes from {{before}} to {{after}}. With Argo Rollouts before v1.9 (the configured version) ${CANARY_SKIPPED_DETAIL}`,
      either: `spec.selector changes from {{before}} to {{after}}. With Argo Rollouts v1.9 or later and its CRD installed, ${REFUSED_DETAIL} With an older controller or CRD ${CANARY_SKIPPED_DETAIL}`,
    },
    why:
      "From Argo Rollouts v1.9 (with its CRD installed) the update is refused: `.spec.selector is immutable`. " +
      "With older controllers or CRDs it is accepted, but the old stable ReplicaSet stops matching and is orphaned, and the " +
      "new ReplicaSet is promoted as an initial deploy: all canary steps, pauses and analysis are skipped and traffic jumps to 100% (argoproj/argo-rollouts#4070).",
    fix:
      "Keep the Rollout's selector stable (a small selector-labels helper; never user values, versions or team names). " +
      "To really change it, create a new Rollout under a new name, move traffic to it, then remove the old one.",
    migration:
      "Do not change a deployed Rollout's selector in place. Ship the new selector as a new Rollout (a new name), let it come up next to the old one, move traffic to it, then remove the old Rollout; later upgrades follow the canary steps again.",
    incident:
      "argoproj/argo-rollouts #4070: after a change to a Rollout's spec.selector.matchLabels the controller orphaned the stable ReplicaSet and promoted the new one as an initial deploy, skipping every canary step; Argo Rollouts 1.9 made the selector immutable (PR #4084) so the update is refused instead.",
    helpUri: ruleHelpUri("rollout-selector-changed"),
  },
  check(context, report) {
    const upgrade = context.upgrade;
    if (!upgrade) return;
    for (const { before, after } of upgrade.plan.updated) {
      if (after.ref.kind !== "Rollout" || after.group !== "argoproj.io") continue;
      const oldSelector = getPath(before.raw, ["spec", "selector"]);
      const newSelector = getPath(after.raw, ["spec", "selector"]);
      if (sameStoredSelector(oldSelector, newSelector)) continue;
      const { name } = after.ref;
      const ns = after.ref.namespace ?? "default";
      const changedKeys = changedSelectorKeys(oldSelector, newSelector);
      const oldLabels = labelSelectorArg(oldSelector);
      const outcome = selectorChangeOutcome(context.settings.argoRolloutsVersion);
      const [storedBefore, storedAfter] = [storedLabelSelector(oldSelector), storedLabelSelector(newSelector)];
      report({
        object: after,
        path: ["spec", "selector"],
        messageId: MESSAGE_OF[outcome],
        data: {
          changed: andList(changedKeys),
          before: show(storedBefore),
          after: show(storedAfter),
          ...(outcome === "canary-skipped" ? {} : { apiError: `Rollout.argoproj.io ${JSON.stringify(name)} is invalid: spec.selector: Invalid value: "object": .spec.selector is immutable` }),
        },
        evidence: { before: storedBefore, after: storedAfter, keys: changedKeys, outcome },
        remedy: {
          text:
            `Keep spec.selector of Rollout ${name} exactly as deployed: render it from a small, stable selector-labels helper ` +
            `(e.g. app.kubernetes.io/name and app.kubernetes.io/instance). If a user value feeds the selector (a team, a labels map), ` +
            `keep selector labels out of user values and put such labels only on the pod template and object metadata. ` +
            `If the selector really must change, add a second Rollout under a new name with the new selector, move traffic to it ` +
            `(its own canary/stable Services), then remove the old Rollout in a later release. ` +
            (outcome === "either"
              ? `The first command shows which outcome applies: it prints the CEL rule when the v1.9+ CRD is installed (empty output: ` +
                `older CRD, the canary would be skipped). `
              : "") +
            `The last command lists the ReplicaSets of the old selector: after an older controller ` +
            `accepted the change they are orphaned; delete them once the new pods serve.`,
          commands: [
            ...(outcome === "either" ? [CRD_RULE_COMMAND] : []),
            sh`kubectl -n ${ns} get rollout ${name} -o jsonpath='{.spec.selector}'`,
            ...(oldLabels ? [releaseOf(after).upgrade, sh`kubectl -n ${ns} get replicasets -l ${oldLabels}`] : []),
          ],
        },
      });
    }
  },
};

type Outcome = "refused" | "canary-skipped" | "either";

/** The message of each outcome (evidence keeps the outcome as JSON output has always named it). */
const MESSAGE_OF: Record<Outcome, string> = { refused: "refused", "canary-skipped": "canarySkipped", either: "either" };

const CRD_RULE_COMMAND =
  "kubectl get crd rollouts.argoproj.io -o jsonpath='{.spec.versions[*].schema.openAPIV3Schema.properties.spec.properties.selector.x-kubernetes-validations}'";

/** v1.9 made the selector immutable through a CEL rule in the CRD (argoproj/argo-rollouts#4084). */
function selectorChangeOutcome(version: string | undefined): Outcome {
  if (version === undefined) return "either";
  return versionAtLeast(version, "1.9") ? "refused" : "canary-skipped";
}

function show(stored: unknown): string {
  return stored === null ? "(none)" : JSON.stringify(stored);
}

/** The matchLabels keys (and `matchExpressions`) whose stored value differs. */
function changedSelectorKeys(before: unknown, after: unknown): string[] {
  const part = (selector: unknown, name: string) => getPath(storedLabelSelector(selector), [name]);
  const labels = (selector: unknown) => {
    const m = part(selector, "matchLabels");
    return isRecord(m) ? m : {};
  };
  const [b, a] = [labels(before), labels(after)];
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => b[k] !== a[k]).sort();
  if (JSON.stringify(part(before, "matchExpressions")) !== JSON.stringify(part(after, "matchExpressions"))) keys.push("matchExpressions");
  return keys;
}

/** The old selector as a `kubectl -l` argument, from the selector engine (undefined when it selects nothing). */
function labelSelectorArg(selector: unknown): string | undefined {
  const compiled = compileLabelSelector(selector, { nil: "nothing", empty: "nothing" });
  return compiled.matchesNothing ? undefined : describeSelector(compiled);
}
