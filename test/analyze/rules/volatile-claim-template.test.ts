import assert from "node:assert/strict";
import { test } from "node:test";
import { volatileClaimTemplate } from "../../../src/analyze/rules/volatile-claim-template.ts";
import { findingsFor, ruleCases, yaml } from "../../helpers/rule-cases.ts";

// prometheus-pushgateway 2.16/2.17 with runAsStatefulSet=true (prometheus-community/helm-charts #5279).
const pushgateway = yaml`
  apiVersion: apps/v1
  kind: StatefulSet
  metadata:
    name: prometheus-pushgateway
    namespace: monitoring
    labels:
      helm.sh/chart: prometheus-pushgateway-2.17.0
      app.kubernetes.io/version: "v1.11.0"
  spec:
    serviceName: prometheus-pushgateway
    selector:
      matchLabels:
        app.kubernetes.io/name: prometheus-pushgateway
        app.kubernetes.io/instance: prometheus-pushgateway
    template:
      metadata:
        labels:
          app.kubernetes.io/name: prometheus-pushgateway
          app.kubernetes.io/instance: prometheus-pushgateway
    volumeClaimTemplates:
      - metadata:
          labels:
            helm.sh/chart: prometheus-pushgateway-2.17.0
            app.kubernetes.io/name: prometheus-pushgateway
            app.kubernetes.io/instance: prometheus-pushgateway
            app.kubernetes.io/version: "v1.11.0"
            app.kubernetes.io/managed-by: Helm
          name: storage-volume
        spec:
          accessModes: [ReadWriteOnce]
          resources: {requests: {storage: 2Gi}}
`;

ruleCases(volatileClaimTemplate, [
  {
    name: "Pushgateway-style claim template with chart and app version labels",
    manifest: pushgateway,
    expect: [
      {
        severity: "error",
        object: "StatefulSet/prometheus-pushgateway",
        path: "spec.volumeClaimTemplates[0].metadata.labels.helm.sh/chart",
        line: 23,
        evidence: { cause: "name", label: "helm.sh/chart", value: "prometheus-pushgateway-2.17.0", reason: "key", claimTemplate: "storage-volume" },
        messageIncludes: [
          "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
          "next chart version",
        ],
      },
      {
        severity: "error",
        object: "StatefulSet/prometheus-pushgateway",
        path: "spec.volumeClaimTemplates[0].metadata.labels.app.kubernetes.io/version",
        line: 26,
        evidence: { cause: "name", label: "app.kubernetes.io/version", value: "v1.11.0", reason: "key" },
        messageIncludes: ["next appVersion"],
      },
    ],
  },
  {
    name: "static claim template labels, and the second template's annotation that carries the app version",
    manifest: yaml`
      apiVersion: apps/v1
      kind: StatefulSet
      metadata:
        name: db
        labels: {app.kubernetes.io/version: "16.2"}
      spec:
        selector: {matchLabels: {app: db}}
        template: {metadata: {labels: {app: db}}}
        volumeClaimTemplates:
          - metadata:
              name: data
              labels: {app: db}
          - metadata:
              name: wal
              annotations:
                example.com/created-for: db-16.2
    `,
    expect: [
      {
        severity: "error",
        object: "StatefulSet/db",
        path: "spec.volumeClaimTemplates[1].metadata.annotations.example.com/created-for",
        line: 16,
        evidence: { cause: "name", reason: "app-version", claimTemplate: "wal", field: "annotations" },
        messageIncludes: ['volumeClaimTemplate "wal" annotation'],
      },
    ],
  },
  {
    name: "no claim templates, or not a StatefulSet",
    manifest: yaml`
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: cache}
      spec:
        selector: {matchLabels: {app: cache}}
        template: {metadata: {labels: {app: cache}}}
      ---
      apiVersion: v1
      kind: PersistentVolumeClaim
      metadata:
        name: data
        labels: {helm.sh/chart: db-1.0.0}
    `,
    expect: [],
  },
]);

test("volatile-claim-template: the migration keeps the PVCs", () => {
  const [finding] = findingsFor(volatileClaimTemplate, pushgateway);
  assert.deepEqual(finding?.remedy.commands, [
    "kubectl delete statefulset prometheus-pushgateway -n monitoring --cascade=orphan",
    "helm upgrade '<release>' '<chart>' -n monitoring",
  ]);
  assert.match(finding!.remedy.text, /storage-volume-prometheus-pushgateway-<ordinal>/);
  assert.match(finding!.remedy.text, /data stays/);
});
