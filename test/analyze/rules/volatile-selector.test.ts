import assert from "node:assert/strict";
import { test } from "node:test";
import { volatileSelector } from "../../../src/analyze/rules/volatile-selector.ts";
import { findingsFor, ruleCases, yaml } from "../../helpers/rule-cases.ts";

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
    expect: [
      {
        severity: "error",
        object: "Deployment/version-checker",
        path: "spec.selector.matchLabels.helm.sh/chart",
        line: 12,
        evidence: { cause: "name", label: "helm.sh/chart", value: "version-checker-v0.3.2", reason: "key" },
        messageIncludes: ["next chart version", 'spec.selector: Invalid value: ...: field is immutable'],
      },
      {
        severity: "error",
        object: "Deployment/version-checker",
        path: "spec.selector.matchLabels.app.kubernetes.io/version",
        line: 15,
        evidence: { cause: "name", label: "app.kubernetes.io/version", value: "v0.3.2", reason: "key" },
        messageIncludes: ["next appVersion"],
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
        path: "spec.selector.matchLabels.release-tag",
        line: 10,
        evidence: { cause: "name", label: "release-tag", value: "web-0.1.0", reason: "chart-version", version: "0.1.0" },
        messageIncludes: ["ends with the chart version 0.1.0"],
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
        path: "spec.selector.matchLabels.helm.sh/chart",
        line: 6,
        messageIncludes: ["spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"],
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
      { severity: "error", object: "DaemonSet/agent", path: "spec.selector.matchExpressions[0]", line: 10, evidence: { label: "app.kubernetes.io/version", value: "2.1.0", reason: "key" } },
      { severity: "error", object: "DaemonSet/agent", path: "spec.selector.matchExpressions[3]", line: 13, evidence: { label: "build", value: "agent-2.1.0", reason: "app-version" } },
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
        path: "spec.selector.matchLabels.app.kubernetes.io/version",
        line: 8,
        messageIncludes: ["Argo Rollouts 1.9", "skips every canary step", ".spec.selector is immutable"],
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
    expect: [{ severity: "error", object: "Job/once", path: "spec.selector.matchLabels.chart", line: 6, evidence: { reason: "key" } }],
  },
]);

test("volatile-selector: the remedy gives the orphan-delete migration for the object's namespace", () => {
  const [finding] = findingsFor(volatileSelector, fullLabelSelector);
  assert.deepEqual(finding?.remedy.commands, [
    "kubectl delete deployment version-checker -n monitoring --cascade=orphan",
    "helm upgrade '<release>' '<chart>' -n monitoring",
  ]);
  assert.match(finding!.remedy.text, /selectorLabels/);
  assert.match(finding!.remedy.text, /adopted by the new Deployment/);
});
