import { needlessRollout } from "../../../src/analyze/rules/needless-rollout.ts";
import assert from "node:assert/strict";
import { test } from "node:test";
import { upgradeCases, yaml, type UpgradeCase } from "../../helpers/upgrade-cases.ts";

interface Web {
  chart?: string;
  app?: string;
  image?: string;
  kind?: string;
  apiVersion?: string;
  podLabels?: string;
  annotations?: string;
  container?: string;
  /** helm.sh/chart and app.kubernetes.io/version in the pod template (default true). */
  podVolatile?: boolean;
}

/** A helm-create style workload: line 14 is spec.template.metadata.labels. */
function web(o: Web = {}): string {
  const chart = o.chart ?? "web-1.0.0";
  const app = o.app ?? "1.0.0";
  return yaml`
    apiVersion: ${o.apiVersion ?? "apps/v1"}
    kind: ${o.kind ?? "Deployment"}
    metadata:
      name: web
      labels:
        helm.sh/chart: ${chart}
        app.kubernetes.io/version: "${app}"
    spec:
      selector:
        matchLabels: {app.kubernetes.io/name: web}
      template:
        metadata:
          annotations: ${o.annotations ?? "{}"}
          labels:
            app.kubernetes.io/name: web
            ${o.podVolatile === false ? "" : `helm.sh/chart: ${chart}`}
            ${o.podVolatile === false ? "" : `app.kubernetes.io/version: "${app}"`}
            ${o.podLabels ?? ""}
        spec:
          containers:
            - name: web
              image: ${o.image ?? "web:1.0.0"}
              ${o.container ?? ""}
  `;
}

const configMap = (data: string, chart = "web-1.0.0") => yaml`
  ---
  apiVersion: v1
  kind: ConfigMap
  metadata:
    name: web-config
    labels: {helm.sh/chart: ${chart}}
  data: {config.yaml: "${data}"}
`;

const secret = (password: string) => yaml`
  ---
  apiVersion: v1
  kind: Secret
  metadata: {name: web-secret}
  data: {password: ${password}}
`;

const cronJob = (chart: string) => yaml`
  apiVersion: batch/v1
  kind: CronJob
  metadata: {name: gc}
  spec:
    schedule: "0 * * * *"
    jobTemplate:
      spec:
        template:
          metadata:
            labels: {app.kubernetes.io/name: gc, helm.sh/chart: ${chart}}
          spec:
            restartPolicy: OnFailure
            containers: [{name: gc, image: "gc:1"}]
`;

const CASES: UpgradeCase[] = [
  {
    name: "chart bump changes only helm.sh/chart and app.kubernetes.io/version (kargo#7191)",
    from: web(),
    to: web({ chart: "web-1.0.1", app: "1.0.1" }),
    expect: [
      {
        severity: "warning",
        object: "Deployment/web",
        path: "spec.template.metadata.labels",
        line: 14,
        messageId: "labels",
        data: {
          labels: "app.kubernetes.io/version and helm.sh/chart",
          changes: "app.kubernetes.io/version (1.0.0 → 1.0.1) and helm.sh/chart (web-1.0.0 → web-1.0.1)",
        },
        evidence: { cause: "name", labels: ["app.kubernetes.io/version", "helm.sh/chart"], mechanism: "label" },
      },
    ],
  },
  {
    name: "the image changes too: a real rollout",
    from: web(),
    to: web({ chart: "web-1.0.1", app: "1.0.1", image: "web:1.0.1" }),
    expect: [],
  },
  {
    name: "a label that is not volatile changes too (a team label): a real change of the template",
    from: web({ podLabels: "team: a" }),
    to: web({ chart: "web-1.0.1", podLabels: "team: b" }),
    expect: [],
  },
  {
    name: "a label named freely but carrying the chart version counts as volatile",
    from: web({ podLabels: "example.com/release: web-1.0.0" }),
    to: web({ chart: "web-1.0.1", podLabels: "example.com/release: web-1.0.1" }),
    expect: [
      {
        severity: "warning",
        object: "Deployment/web",
        path: "spec.template.metadata.labels",
        line: 14,
        evidence: { cause: "name", labels: ["example.com/release", "helm.sh/chart"], mechanism: "label" },
      },
    ],
  },
  {
    name: "only a version-valued label changes: the cause is the version in its value",
    from: web({ podVolatile: false, podLabels: "example.com/release: web-1.0.0" }),
    to: web({ podVolatile: false, chart: "web-1.0.1", podLabels: "example.com/release: web-1.0.1" }),
    expect: [
      {
        severity: "warning",
        object: "Deployment/web",
        path: "spec.template.metadata.labels",
        line: 14,
        evidence: { cause: "chart-version", labels: ["example.com/release"], mechanism: "label" },
      },
    ],
  },
  {
    name: "the chart removes its volatile pod labels (the fix): one last restart, not reported",
    from: web(),
    to: web({ chart: "web-1.0.1", podVolatile: false }),
    expect: [],
  },
  {
    name: "a chart that starts putting its version in the pod template is reported",
    from: web({ podVolatile: false }),
    to: web({ chart: "web-1.0.1" }),
    expect: [
      {
        severity: "warning",
        object: "Deployment/web",
        path: "spec.template.metadata.labels",
        line: 14,
        messageId: "labels",
        data: { labels: "app.kubernetes.io/version and helm.sh/chart", changes: "app.kubernetes.io/version ((absent) → 1.0.0) and helm.sh/chart ((absent) → web-1.0.1)" },
      },
    ],
  },
  {
    name: "volatile labels in the selector too: the update is refused (immutable-field), no needless-rollout",
    from: web().replace("matchLabels: {app.kubernetes.io/name: web}", "matchLabels: {app.kubernetes.io/name: web, helm.sh/chart: web-1.0.0}"),
    to: web({ chart: "web-1.0.1" }).replace("matchLabels: {app.kubernetes.io/name: web}", "matchLabels: {app.kubernetes.io/name: web, helm.sh/chart: web-1.0.1}"),
    expect: [],
  },
  {
    name: "configured extra volatile keys",
    from: web({ podLabels: "build: '41'" }),
    to: web({ podLabels: "build: '42'" }),
    settings: { extraVolatileKeys: new Set(["build"]) },
    expect: [{ severity: "warning", object: "Deployment/web", path: "spec.template.metadata.labels", line: 14, evidence: { labels: ["build"] } }],
  },
  {
    name: "checksum of a ConfigMap whose only change is its chart label",
    from: web({ podVolatile: false, annotations: "{checksum/config: aaa}" }) + configMap("x: 1"),
    to: web({ podVolatile: false, chart: "web-1.0.1", annotations: "{checksum/config: bbb}" }) + configMap("x: 1", "web-1.0.1"),
    expect: [
      {
        severity: "warning",
        object: "Deployment/web",
        path: "spec.template.metadata.annotations.checksum/config",
        line: 13,
        messageId: "checksums",
        data: { annotations: "checksum/config" },
        evidence: { cause: "name", labels: [], mechanism: "checksum", annotations: ["checksum/config"] },
      },
    ],
  },
  {
    name: "checksum and volatile labels together: reported once, mechanism label",
    from: web({ annotations: "{checksum/config: aaa}" }) + configMap("x: 1"),
    to: web({ chart: "web-1.0.1", annotations: "{checksum/config: bbb}" }) + configMap("x: 1", "web-1.0.1"),
    expect: [
      {
        severity: "warning",
        object: "Deployment/web",
        path: "spec.template.metadata.labels",
        line: 14,
        messageId: "labelsAndChecksums",
        data: { labels: "helm.sh/chart", changes: "helm.sh/chart (web-1.0.0 → web-1.0.1)", annotations: "checksum/config" },
        evidence: { mechanism: "label", labels: ["helm.sh/chart"], annotations: ["checksum/config"] },
      },
    ],
  },
  {
    name: "checksum of a ConfigMap whose data changed: a real rollout",
    from: web({ annotations: "{checksum/config: aaa}" }) + configMap("x: 1"),
    to: web({ chart: "web-1.0.1", annotations: "{checksum/config: bbb}" }) + configMap("x: 2", "web-1.0.1"),
    expect: [],
  },
  {
    name: "random Secret data changes the checksum: a real rollout (the pods get the new value)",
    from: web({ annotations: "{checksum/secret: aaa}" }) + secret("b2xk"),
    to: web({ chart: "web-1.0.1", annotations: "{checksum/secret: bbb}" }) + secret("bmV3"),
    expect: [],
  },
  {
    name: "a ConfigMap added to the release: its checksum is not needless",
    from: web({ annotations: "{checksum/config: aaa}" }),
    to: web({ annotations: "{checksum/config: bbb}" }) + configMap("x: 1"),
    expect: [],
  },
  {
    name: "a checksum annotation changes while no ConfigMap or Secret changed at all",
    from: web({ annotations: "{checksum/config: aaa}" }) + configMap("x: 1"),
    to: web({ annotations: "{checksum/config: bbb}" }) + configMap("x: 1"),
    expect: [
      {
        severity: "warning",
        object: "Deployment/web",
        path: "spec.template.metadata.annotations.checksum/config",
        line: 13,
        evidence: { mechanism: "checksum" },
      },
    ],
  },
  {
    name: "a checksum annotation that is new is a chart change, not needless",
    from: web({ chart: "web-1.0.0" }),
    to: web({ chart: "web-1.0.1", annotations: "{checksum/config: bbb}" }),
    expect: [],
  },
  {
    name: "a template that only spells out defaults, plus a chart bump: still needless",
    from: web({ container: "ports: [{containerPort: 80}]" }),
    to: web({ chart: "web-1.0.1", container: "imagePullPolicy: IfNotPresent\n              terminationMessagePath: /dev/termination-log\n              ports: [{containerPort: 80, protocol: TCP}]" }),
    expect: [{ severity: "warning", object: "Deployment/web", path: "spec.template.metadata.labels", line: 14, evidence: { labels: ["helm.sh/chart"] } }],
  },
  {
    name: "a pull policy that differs from the default is a real change",
    from: web(),
    to: web({ chart: "web-1.0.1", container: "imagePullPolicy: Always" }),
    expect: [],
  },
  {
    name: "StatefulSet, DaemonSet and Argo Rollout roll the same way",
    from: [web({ kind: "StatefulSet" }), web({ kind: "DaemonSet" }).replace("name: web", "name: agent"), web({ kind: "Rollout", apiVersion: "argoproj.io/v1alpha1" }).replace("name: web", "name: canary")].join("---\n"),
    to: [web({ kind: "StatefulSet", chart: "web-2.0.0" }), web({ kind: "DaemonSet", chart: "web-2.0.0" }).replace("name: web", "name: agent"), web({ kind: "Rollout", apiVersion: "argoproj.io/v1alpha1", chart: "web-2.0.0" }).replace("name: web", "name: canary")].join("---\n"),
    expect: [
      { severity: "warning", object: "StatefulSet/web", path: "spec.template.metadata.labels", line: 14 },
      { severity: "warning", object: "DaemonSet/agent", path: "spec.template.metadata.labels", line: 38 },
      { severity: "warning", object: "Rollout/canary", path: "spec.template.metadata.labels", line: 62 },
    ],
  },
  {
    name: "an OnDelete StatefulSet restarts nothing: a pod deleted later is recreated anyway, whichever template it gets (labels, a checksum, both)",
    from: [
      web({ kind: "StatefulSet" }) + "  updateStrategy: {type: OnDelete}\n",
      web({ kind: "StatefulSet", podVolatile: false, annotations: "{checksum/config: aaa}" }).replace("name: web", "name: cache") + "  updateStrategy: {type: OnDelete}\n",
      web({ kind: "StatefulSet", annotations: "{checksum/config: aaa}" }).replace("name: web", "name: db") + "  updateStrategy: {type: OnDelete}\n",
    ].join("---\n") + configMap("x: 1"),
    to: [
      web({ kind: "StatefulSet", chart: "web-1.0.1" }) + "  updateStrategy: {type: OnDelete}\n",
      web({ kind: "StatefulSet", podVolatile: false, chart: "web-1.0.1", annotations: "{checksum/config: bbb}" }).replace("name: web", "name: cache") + "  updateStrategy: {type: OnDelete}\n",
      web({ kind: "StatefulSet", chart: "web-1.0.1", annotations: "{checksum/config: bbb}" }).replace("name: web", "name: db") + "  updateStrategy: {type: OnDelete}\n",
    ].join("---\n") + configMap("x: 1", "web-1.0.1"),
    expect: [],
  },
  {
    name: "a CronJob template change restarts nothing (only future Jobs differ)",
    from: cronJob("gc-1.0.0"),
    to: cronJob("gc-1.0.1"),
    expect: [],
  },
  {
    name: "a non-hook Job template change is immutable-field's business",
    from: yaml`
      apiVersion: batch/v1
      kind: Job
      metadata: {name: migrate}
      spec:
        template:
          metadata: {labels: {helm.sh/chart: web-1.0.0}}
          spec: {restartPolicy: Never, containers: [{name: m, image: "m:1"}]}
    `,
    to: yaml`
      apiVersion: batch/v1
      kind: Job
      metadata: {name: migrate}
      spec:
        template:
          metadata: {labels: {helm.sh/chart: web-1.0.1}}
          spec: {restartPolicy: Never, containers: [{name: m, image: "m:1"}]}
    `,
    expect: [],
  },
  {
    name: "replicas change and object metadata annotations are not a rollout",
    from: web(),
    to: web().replace("spec:\n  selector", "spec:\n  replicas: 5\n  selector").replace("metadata:\n  name: web", "metadata:\n  annotations: {deployed-at: now}\n  name: web"),
    expect: [],
  },
  {
    name: "null, absent and empty maps are the same template",
    from: web({ annotations: "null" }),
    to: web({ annotations: "{}" }),
    expect: [],
  },
  {
    name: "reordered documents pair by identity",
    from: web() + configMap("x: 1"),
    to: configMap("x: 1").replace(/^---\n/, "") + "---\n" + web(),
    expect: [],
  },
  {
    name: "scaled to zero: the new template restarts no pod (volatile-pod-labels says what happens once scaled up)",
    from: web().replace("spec:\n  selector:", "spec:\n  replicas: 0\n  selector:"),
    to: web({ chart: "web-1.0.1", app: "1.0.1" }).replace("spec:\n  selector:", "spec:\n  replicas: 0\n  selector:"),
    expect: [],
  },
  {
    name: "hook workloads are recreated, not rolled",
    from: web().replace("metadata:\n  name: web", "metadata:\n  annotations: {helm.sh/hook: post-install}\n  name: web"),
    to: web({ chart: "web-1.0.1" }).replace("metadata:\n  name: web", "metadata:\n  annotations: {helm.sh/hook: post-install}\n  name: web"),
    expect: [],
  },
];

upgradeCases(needlessRollout, CASES);

test("needless-rollout: every message id is expected by a case", () => {
  const expected = new Set(CASES.flatMap((c) => c.expect.map((e) => e.messageId)));
  assert.deepEqual(Object.keys(needlessRollout.meta.messages).filter((id) => !expected.has(id)), []);
});
