import assert from "node:assert/strict";
import { test } from "node:test";
import { volatileSelector } from "../../../src/analyze/rules/volatile-selector.ts";
import { probeRuleCases } from "../../helpers/probe-cases.ts";
import { findingsFor, ruleCases, yaml } from "../../helpers/rule-cases.ts";

const PROBED = "the probe cases below";
const IMMUTABLE = "spec.selector: Invalid value: ...: field is immutable";

const fullLabelSelector = yaml`
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: version-checker
    namespace: monitoring
    labels:
      helm.sh/chart: version-checker-v0.3.2
      app.kubernetes.io/version: "v0.3.2"
  spec:
    selector:
      matchLabels:
        helm.sh/chart: version-checker-v0.3.2
        app.kubernetes.io/name: version-checker
        app.kubernetes.io/instance: version-checker
        app.kubernetes.io/version: "v0.3.2"
        app.kubernetes.io/managed-by: Helm
    template:
      metadata:
        labels:
          helm.sh/chart: version-checker-v0.3.2
          app.kubernetes.io/name: version-checker
          app.kubernetes.io/instance: version-checker
          app.kubernetes.io/version: "v0.3.2"
          app.kubernetes.io/managed-by: Helm
`;

ruleCases(volatileSelector, [
  {
    name: "a selector built from the full label helper (version-checker)",
    manifest: fullLabelSelector,
    // One finding for the selector, listing both labels; its line is the first label's.
    expect: [
      {
        severity: "error",
        object: "Deployment/version-checker",
        path: "spec.selector.matchLabels",
        line: 12,
        messageId: "changes",
        data: {
          labels: "helm.sh/chart and app.kubernetes.io/version",
          sources: "the chart version and the appVersion",
          failure: IMMUTABLE,
        },
        evidence: {
          cause: "name",
          reason: "key",
          labels: [
            { key: "helm.sh/chart", value: "version-checker-v0.3.2", cause: "name", reason: "key" },
            { key: "app.kubernetes.io/version", value: "v0.3.2", cause: "name", reason: "key" },
          ],
        },
      },
    ],
  },
  {
    name: "clean helm create output: the selector uses selectorLabels only",
    manifest: yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
        labels: {helm.sh/chart: web-0.1.0, app.kubernetes.io/version: "1.16.0"}
      spec:
        selector:
          matchLabels: {app.kubernetes.io/name: web, app.kubernetes.io/instance: web}
        template:
          metadata:
            labels: {app.kubernetes.io/name: web, app.kubernetes.io/instance: web}
    `,
    expect: [],
  },
  {
    name: "an innocent label name whose value ends with the chart version",
    manifest: yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
        labels: {helm.sh/chart: web-0.1.0}
      spec:
        selector:
          matchLabels:
            app: web
            release-tag: web-0.1.0
        template:
          metadata:
            labels: {app: web, release-tag: web-0.1.0}
    `,
    expect: [
      {
        severity: "error",
        object: "Deployment/web",
        path: "spec.selector.matchLabels",
        line: 10,
        messageId: "changes",
        data: { labels: "release-tag", sources: "the chart version", failure: IMMUTABLE },
        evidence: { cause: "name", labels: [{ key: "release-tag", value: "web-0.1.0", cause: "name", reason: "chart-version", version: "0.1.0" }] },
      },
    ],
  },
  {
    name: "StatefulSet: the allow-list Forbidden message",
    manifest: yaml`
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: db}
      spec:
        selector:
          matchLabels: {app: db, helm.sh/chart: db-1.0.0}
        template:
          metadata:
            labels: {app: db, helm.sh/chart: db-1.0.0}
    `,
    expect: [
      {
        severity: "error",
        object: "StatefulSet/db",
        path: "spec.selector.matchLabels",
        line: 6,
        messageId: "changes",
        data: {
          labels: "helm.sh/chart",
          sources: "the chart version",
          failure:
            "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        },
      },
    ],
  },
  {
    name: "matchExpressions: In with a version value, NotIn on a fixed value, Exists on the chart key",
    manifest: yaml`
      apiVersion: apps/v1
      kind: DaemonSet
      metadata:
        name: agent
        labels: {app.kubernetes.io/version: "2.1.0"}
      spec:
        selector:
          matchLabels: {app: agent}
          matchExpressions:
            - {key: app.kubernetes.io/version, operator: In, values: ["2.1.0"]}
            - {key: track, operator: NotIn, values: [canary]}
            - {key: helm.sh/chart, operator: Exists}
            - {key: build, operator: In, values: [stable, agent-2.1.0]}
        template:
          metadata:
            labels: {app: agent, app.kubernetes.io/version: "2.1.0", helm.sh/chart: agent-1.0.0, build: stable}
    `,
    expect: [
      {
        severity: "error",
        object: "DaemonSet/agent",
        path: "spec.selector.matchExpressions",
        line: 10,
        messageId: "changes",
        data: { labels: "app.kubernetes.io/version and build", sources: "the appVersion", failure: IMMUTABLE },
        evidence: {
          labels: [
            { key: "app.kubernetes.io/version", value: "2.1.0", cause: "name", reason: "key" },
            { key: "build", value: "agent-2.1.0", cause: "name", reason: "app-version", version: "2.1.0" },
          ],
        },
      },
    ],
  },
  {
    name: "Rollout: the fix is a new Rollout (canary steps skipped before 1.9, refused from 1.9)",
    manifest: yaml`
      apiVersion: argoproj.io/v1alpha1
      kind: Rollout
      metadata: {name: app}
      spec:
        selector:
          matchLabels:
            app: app
            app.kubernetes.io/version: "1.0.0"
        template:
          metadata:
            labels: {app: app, app.kubernetes.io/version: "1.0.0"}
    `,
    expect: [
      {
        severity: "error",
        object: "Rollout/app",
        path: "spec.selector.matchLabels",
        line: 8,
        messageId: "rolloutChanges",
        data: { labels: "app.kubernetes.io/version", sources: "the appVersion" },
      },
    ],
  },
  {
    name: "mutable selectors are out of scope: Service, legacy extensions/v1beta1 Deployment, generated Job selector",
    manifest: yaml`
      apiVersion: v1
      kind: Service
      metadata: {name: web}
      spec:
        selector: {app: web, helm.sh/chart: web-0.1.0}
      ---
      apiVersion: extensions/v1beta1
      kind: Deployment
      metadata: {name: old}
      spec:
        selector: {matchLabels: {app: old, helm.sh/chart: old-0.1.0}}
        template: {metadata: {labels: {app: old, helm.sh/chart: old-0.1.0}}}
      ---
      apiVersion: batch/v1
      kind: Job
      metadata: {name: once}
      spec:
        template: {metadata: {labels: {helm.sh/chart: once-0.1.0}}}
    `,
    expect: [],
  },
  {
    name: "a manual-selector Job has an immutable selector",
    manifest: yaml`
      apiVersion: batch/v1
      kind: Job
      metadata: {name: once}
      spec:
        manualSelector: true
        selector: {matchLabels: {job: once, chart: once-0.1.0}}
        template: {metadata: {labels: {job: once, chart: once-0.1.0}}}
    `,
    expect: [
      {
        severity: "error",
        object: "Job/once",
        path: "spec.selector.matchLabels",
        line: 6,
        messageId: "changes",
        data: { labels: "chart", sources: "the chart version", failure: IMMUTABLE },
        evidence: { reason: "key" },
      },
    ],
  },
], {
  producedElsewhere: { onValues: PROBED, valuesMap: PROBED, valuesMaps: PROBED, rolloutOnValues: PROBED, rolloutValuesMap: PROBED, rolloutValuesMaps: PROBED },
});

/** A workload of `kind` whose selector (and pod labels) are `labels`. */
const selecting = (kind: string, labels: string) => yaml`
  apiVersion: ${kind === "Rollout" ? "argoproj.io/v1alpha1" : "apps/v1"}
  kind: ${kind}
  metadata: {name: web}
  spec:
    selector:
      matchLabels: ${labels}
    template:
      metadata:
        labels: ${labels}
`;

const labelMaps = (entries: Record<string, string>) => ({ labelMaps: new Map(Object.entries(entries)) });

for (const kind of ["Deployment", "Rollout"]) {
  const ids =
    kind === "Rollout"
      ? { onValues: "rolloutOnValues", valuesMap: "rolloutValuesMap", valuesMaps: "rolloutValuesMaps" }
      : { onValues: "onValues", valuesMap: "valuesMap", valuesMaps: "valuesMaps" };
  const failure: Record<string, string> = kind === "Rollout" ? {} : { failure: IMMUTABLE };
  probeRuleCases(volatileSelector, [
    {
      name: `${kind}: a selector label set from values changes only when that value does (info, naming it)`,
      base: selecting(kind, "{app: web, team: a1}"),
      singles: [{ cause: "values", manifest: selecting(kind, "{app: web, team: b2}"), markers: labelMaps({ cgval0x: "web.labels" }) }],
      expect: [
        {
          severity: "info",
          object: `${kind}/web`,
          path: "spec.selector.matchLabels",
          line: 6,
          messageId: ids.onValues,
          data: { labels: "team", sources: "values web.labels", ...failure },
          evidence: { cause: "values", valuesPath: "web.labels", labels: [{ key: "team", value: "a1", cause: "values", valuesPath: "web.labels" }] },
        },
      ],
    },
    {
      name: `${kind}: two values maps copied in whole: one finding naming both values paths, not the probe's labels`,
      base: selecting(kind, "{app: web}"),
      combined: { manifest: selecting(kind, "{app: web, cgval0x: cgval0x, cgval1x: cgval1x}"), markers: labelMaps({ cgval0x: "web.labels", cgval1x: "global.labels" }) },
      expect: [
        {
          severity: "info",
          object: `${kind}/web`,
          path: "spec.selector.matchLabels",
          line: 6,
          messageId: ids.valuesMap,
          data: { valuesPaths: "web.labels and global.labels", ...failure },
          evidence: { cause: "values", valuesPath: "web.labels", valuesPaths: ["web.labels", "global.labels"] },
        },
      ],
    },
    {
      name: `${kind}: labels appear when the values' label maps are set, but not the probe's own label: the maps are named, not blamed one by one`,
      base: selecting(kind, "{app: web}"),
      combined: { manifest: selecting(kind, "{app: web, tier: picked}"), markers: labelMaps({ cgval0x: "commonLabels", cgval1x: "podLabels" }) },
      singles: [{ cause: "values", manifest: selecting(kind, "{app: web, tier: picked}"), markers: labelMaps({ cgval0x: "commonLabels", cgval1x: "podLabels" }) }],
      expect: [
        {
          severity: "info",
          object: `${kind}/web`,
          path: "spec.selector.matchLabels",
          line: 6,
          messageId: ids.valuesMaps,
          data: { valuesPath: "commonLabels", count: 2, ...failure },
          evidence: { cause: "values", valuesPath: "commonLabels", valuesPaths: ["commonLabels", "podLabels"] },
        },
      ],
    },
  ]);
}

test("volatile-selector: the remedy gives the orphan-delete migration for the object's namespace", () => {
  const [finding] = findingsFor(volatileSelector, fullLabelSelector);
  assert.deepEqual(finding?.remedy.commands, [
    "kubectl delete deployment version-checker -n monitoring --cascade=orphan",
    "helm upgrade '<release>' '<chart>' -n monitoring",
  ]);
  assert.match(finding!.remedy.text, /selectorLabels/);
  assert.match(finding!.remedy.text, /adopted by the new Deployment/);
});
