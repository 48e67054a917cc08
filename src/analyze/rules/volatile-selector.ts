import type { FieldPath } from "../../load/yaml.ts";
import { getPath, isRecord, refString, stringMap } from "../../model/object.ts";
import { volatileLabels, type KnownVersions, type VolatileLabel } from "../../model/volatile.ts";
import type { Workload } from "../../model/workloads.ts";
import type { Cause, Evidence } from "../finding.ts";
import { releaseOf } from "../release.ts";
import { orphanDeleteCommand } from "../migration.ts";
import { selectorChangeError } from "../../k8s/api-errors.ts";
import { capitalize } from "../messages.ts";
import { type FindingInput, type Rule, manifest, ruleHelpUri } from "../rule.ts";
import { volatileVerdicts, withProbeDetails } from "../volatile-verdicts.ts";

/**
 * A label whose value changes between releases, where it sits in the object, and (for
 * name-based detection) why the name or value gives it away. Probe-proven labels carry
 * no `reason`; the finding's `cause` says what changed it.
 */
export interface VolatileLabelAt {
  key: string;
  value: string;
  reason?: VolatileLabel["reason"];
  version?: string;
  /** The label key's own path (or the matchExpressions entry) inside the object. */
  path: FieldPath;
  /** For probe causes `values` and `image-tag`: the values path the probe changed. */
  valuesPath?: string;
  /**
   * Named as a version, but a probe that bumped the chart's versions left it as it is: the
   * version is written into the template (or a value) as text, and changes when that is edited.
   */
  literal?: boolean;
}

const CHART_KEYS = new Set(["helm.sh/chart", "chart"]);
const APP_KEYS = new Set(["app.kubernetes.io/version", "version"]);

/**
 * What makes the label change (`why`, a clause about the label) and which event changes it
 * next (`when`). Shared by the volatile-* rules so their messages agree.
 */
export function volatileOrigin(label: VolatileLabelAt, cause: Cause): { why: string; when: string } {
  switch (cause) {
    case "name":
      if (label.literal === true) {
        return {
          why: `its name says it carries a version, but a probe render with the chart's version and appVersion bumped left its value as it is: the version is written into the template (or a value) as text, so nothing proves it stable`,
          when: "the next release that edits that text",
        };
      }
      if (label.reason === "chart-version") {
        return { why: `its value ends with the chart version ${label.version ?? ""}`.trimEnd(), when: "the next chart version" };
      }
      if (label.reason === "app-version") {
        return { why: `its value contains the app version ${label.version ?? ""}`.trimEnd(), when: "the next appVersion" };
      }
      if (CHART_KEYS.has(label.key)) return { why: "it carries the chart name and version", when: "the next chart version" };
      if (APP_KEYS.has(label.key)) return { why: "it carries the app version (Chart.yaml appVersion)", when: "the next appVersion" };
      return { why: "its key is configured as volatile", when: "the next release that changes it" };
    case "chart-version":
      return { why: "a probe render with a bumped chart version changed it", when: "the next chart version" };
    case "app-version":
      return { why: "a probe render with a bumped appVersion changed it", when: "the next appVersion" };
    case "image-tag":
      if (label.valuesPath !== undefined) {
        return { why: `it is rendered from the image tag ${label.valuesPath} (a probe render with a different tag changed it)`, when: `the next change of ${label.valuesPath}` };
      }
      return { why: "a probe render with a different image tag changed it", when: "the next image tag change" };
    case "values":
      if (label.valuesPath !== undefined) {
        return { why: `it is rendered from the values map ${label.valuesPath} (a probe that added a label there changed it)`, when: `adding or changing a label under ${label.valuesPath}` };
      }
      return { why: "it is rendered from user values (a probe that added a label to the values' label maps changed it)", when: "adding or changing a label in values" };
    case "random":
      return { why: "two renders of the same inputs gave different values (random or time-based)", when: "every upgrade" };
  }
}

/** The evidence every volatile-* finding carries. */
export function volatileEvidence(label: VolatileLabelAt, cause: Cause): Evidence {
  return {
    cause,
    label: label.key,
    value: label.value,
    ...(label.reason === undefined ? {} : { reason: label.reason }),
    ...(label.version === undefined ? {} : { version: label.version }),
    ...(label.valuesPath === undefined ? {} : { valuesPath: label.valuesPath }),
    ...(label.literal === true ? { literal: true } : {}),
  };
}

/**
 * Severity by the project's policy: a label from a values map changes only when someone
 * changes that value (info, naming it); every other cause changes on a routine release.
 */
export function volatileSeverity(cause: Cause): "error" | "info" {
  return cause === "values" ? "info" : "error";
}

/** The sentence an `info` finding adds: which value sets the trap off, and that nothing happens until then. */
export function onlyIfChanged(label: VolatileLabelAt): string {
  const what = label.valuesPath === undefined ? "the label maps in values" : label.valuesPath;
  return ` Upgrades with the same values keep it as it is: this fires only when ${what} is changed.`;
}

/** `helm.sh/chart=web-0.1.0`: the label (or the volatile value of an expression) as messages show it. */
export function labelText(label: VolatileLabelAt): string {
  return `${label.key}=${label.value}`;
}

/** Volatile labels in a LabelSelector: matchLabels entries, and `In`/`NotIn` expressions. */
export function volatileSelectorLabels(
  raw: unknown,
  selectorPath: FieldPath,
  versions: KnownVersions,
  extraKeys: ReadonlySet<string>,
): VolatileLabelAt[] {
  if (!isRecord(raw)) return [];
  const found: VolatileLabelAt[] = [];
  for (const label of volatileLabels(stringMap(raw.matchLabels), versions, extraKeys)) {
    found.push({ ...label, path: [...selectorPath, "matchLabels", label.key] });
  }
  const expressions = raw.matchExpressions;
  if (Array.isArray(expressions)) {
    expressions.forEach((expression, i) => {
      if (!isRecord(expression) || typeof expression.key !== "string" || !Array.isArray(expression.values)) return;
      const { key, operator } = expression;
      if (operator !== "In" && operator !== "NotIn") return;
      for (const value of expression.values) {
        if (typeof value !== "string") continue;
        // A NotIn on a volatile key with a fixed value does not change; its value must be the version.
        const hit = volatileLabels({ [key]: value }, versions, extraKeys).find((l) => operator === "In" || l.reason !== "key");
        if (hit) {
          found.push({ ...hit, path: [...selectorPath, "matchExpressions", i] });
          return;
        }
      }
    });
  }
  return found;
}

const SELECTOR_FIX =
  "Build spec.selector.matchLabels only from a small, stable selectorLabels helper (app.kubernetes.io/name and app.kubernetes.io/instance, plus app.kubernetes.io/component when the release has several workloads), and use the same helper in the pod template. Keep helm.sh/chart, app.kubernetes.io/version and user-supplied labels in metadata.labels only.";

/** The one place a volatile-selector finding is built; probe-based detection calls it with its own cause. */
function volatileSelectorFinding(workload: Workload, label: VolatileLabelAt, cause: Cause, kubeVersion: string): FindingInput {
  const { object } = workload;
  const { kind, name } = object.ref;
  const { why, when } = volatileOrigin(label, cause);
  const subject = `${refString(object.ref)}: the selector label ${labelText(label)} is volatile: ${why}.`;
  if (kind === "Rollout") {
    return {
      object,
      path: label.path,
      severity: volatileSeverity(cause),
      message:
        `${subject} ${capitalize(when)} changes the Rollout's spec.selector. From Argo Rollouts 1.9 the API server refuses the update ` +
        `("spec.selector: Invalid value: ...: .spec.selector is immutable"); before 1.9 it is accepted, but the controller orphans the running ReplicaSet ` +
        `and skips every canary step, sending all traffic to the new version at once.${cause === "values" ? onlyIfChanged(label) : ""}`,
      evidence: volatileEvidence(label, cause),
      remedy: {
        text:
          `${SELECTOR_FIX} A Rollout's selector cannot be changed safely in place: for a release already deployed, ship the fixed selector as a new Rollout ` +
          `(a new name, e.g. ${name}-v2). helm upgrade then creates the new Rollout and removes the old one, so plan that one switch ` +
          `(scale the new Rollout up and check its pods before the old one goes); later upgrades follow the canary steps again.`,
      },
    };
  }
  const failure = selectorChangeError(kind, kubeVersion);
  const adoption =
    kind === "StatefulSet"
      ? "The pods keep running and are adopted by the new StatefulSet; its PersistentVolumeClaims stay and are reused by the same pod names, so no data is lost."
      : kind === "Job"
        ? "The Job's pods are left alone; the new Job runs again."
        : `The pods keep running and are adopted by the new ${kind}, which then rolls them to the new template.`;
  return {
    object,
    path: label.path,
    severity: volatileSeverity(cause),
    message: `${subject} ${capitalize(when)} changes spec.selector, which is immutable: helm upgrade then fails with "${failure}".${cause === "values" ? onlyIfChanged(label) : ""}`,
    evidence: volatileEvidence(label, cause),
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
    why:
      "spec.selector cannot change after creation. With helm.sh/chart, app.kubernetes.io/version or another volatile label in it, the next release changes the selector and helm upgrade fails with `spec.selector: Invalid value: ...: field is immutable` (StatefulSet: `spec: Forbidden: updates to statefulset spec ...`). Argo Rollouts before 1.9 accept the change but skip all canary steps (jetstack/version-checker #140, argoproj/argo-rollouts #4070).",
    fix: "Select on a stable selectorLabels helper only (app.kubernetes.io/name + app.kubernetes.io/instance [+ component]). For a deployed release: `kubectl delete <kind> <name> --cascade=orphan`, then `helm upgrade`.",
    migration:
      "The fixed selector is itself a selector change. For each affected workload run `kubectl delete <kind> <name> -n <namespace> --cascade=orphan`, then `helm upgrade`: the pods keep running and the new object adopts them (a StatefulSet keeps its PersistentVolumeClaims). An Argo Rollout must instead be shipped under a new name.",
    incident:
      "jetstack/version-checker #140: from chart v0.3.1 to v0.3.2 `helm upgrade` failed with `spec.selector: Invalid value: ...: field is immutable`, because the selector had been switched to the full labels helper with helm.sh/chart and app.kubernetes.io/version in it; zitadel/zitadel-charts #389 is the same failure from 9.1.0 to 9.1.1.",
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
              helm.sh/chart: web-1.4.2
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
    helpUri: ruleHelpUri("volatile-selector"),
  },
  check(context, report) {
    for (const workload of context.workloads) {
      if (!workload.selectorImmutable || !workload.selectorPath) continue;
      const raw = getPath(workload.object.raw, workload.selectorPath);
      const byName = volatileSelectorLabels(raw, workload.selectorPath, context.versions, context.settings.extraVolatileKeys);
      for (const verdict of volatileVerdicts(context, workload.object, "selector", byName)) {
        const finding = volatileSelectorFinding(workload, verdict.label, verdict.cause, context.settings.kubeVersion);
        report(withProbeDetails(finding, verdict, "the selector label", "the selector takes in every label under"));
      }
    }
  },
};
