import assert from "node:assert/strict";
import { test } from "node:test";
import { volatileClaimTemplate } from "../../../src/analyze/rules/volatile-claim-template.ts";
import { MARKERS, probeRuleCases } from "../../helpers/probe-cases.ts";
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

const FORBIDDEN =
  "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

ruleCases(volatileClaimTemplate, [
  {
    name: "Pushgateway-style claim template with chart and app version labels",
    manifest: pushgateway,
    // One finding for the claim template's labels, listing both; its line is the first label's.
    expect: [
      {
        severity: "error",
        object: "StatefulSet/prometheus-pushgateway",
        path: "spec.volumeClaimTemplates[0].metadata.labels",
        line: 23,
        messageId: "changes",
        data: {
          labels: "helm.sh/chart and app.kubernetes.io/version",
          sources: "the chart version and the appVersion",
          claimTemplate: "storage-volume",
          field: "labels",
          failure: FORBIDDEN,
        },
        evidence: {
          cause: "name",
          labels: [
            { key: "helm.sh/chart", value: "prometheus-pushgateway-2.17.0", cause: "name", reason: "key" },
            { key: "app.kubernetes.io/version", value: "v1.11.0", cause: "name", reason: "key" },
          ],
          claimTemplate: "storage-volume",
          field: "labels",
        },
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
        path: "spec.volumeClaimTemplates[1].metadata.annotations",
        line: 16,
        messageId: "changes",
        data: { labels: "example.com/created-for", sources: "the appVersion", claimTemplate: "wal", field: "annotations", failure: FORBIDDEN },
        evidence: { cause: "name", reason: "app-version", claimTemplate: "wal", field: "annotations" },
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
], { producedElsewhere: { onValues: "the probe cases below", valuesMap: "the probe cases below", valuesMaps: "the probe cases below" } });

test("volatile-claim-template: the migration keeps the PVCs", () => {
  const [finding] = findingsFor(volatileClaimTemplate, pushgateway);
  assert.deepEqual(finding?.remedy.commands, [
    "kubectl delete statefulset prometheus-pushgateway -n monitoring --cascade=orphan",
    "helm upgrade '<release>' '<chart>' -n monitoring",
  ]);
  assert.match(finding!.remedy.text, /storage-volume-prometheus-pushgateway-<ordinal>/);
  assert.match(finding!.remedy.text, /data stays/);
});

/** A StatefulSet whose claim template labels are `labels` (a flow map). */
function claimLabelled(labels: string): string {
  return yaml`
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: db}
    spec:
      selector: {matchLabels: {app: db}}
      template: {metadata: {labels: {app: db}}}
      volumeClaimTemplates:
        - metadata:
            name: data
            labels: ${labels}
  `;
}

probeRuleCases(volatileClaimTemplate, [
  {
    name: "persistence.labels only: a trap that fires when the user changes that value (info, naming it)",
    base: claimLabelled("{app: db}"),
    combined: { manifest: claimLabelled("{app: db, cgval0x: cgval0x}"), markers: { ...MARKERS, labelMaps: new Map([["cgval0x", "persistence.labels"]]) } },
    expect: [
      {
        severity: "info",
        object: "StatefulSet/db",
        path: "spec.volumeClaimTemplates[0].metadata.labels",
        line: 10,
        messageId: "valuesMap",
        data: { valuesPaths: "persistence.labels", claimTemplate: "data", field: "labels", failure: FORBIDDEN },
        evidence: { cause: "values", valuesPath: "persistence.labels" },
      },
    ],
  },
  {
    name: "two labels a merge helper hashed (no marker), both from the values render: one finding, not two",
    base: claimLabelled("{app: db}"),
    combined: { manifest: claimLabelled("{app: db, h1: a1, h2: b2}"), markers: { ...MARKERS, labelMaps: new Map([["cgval0x", "commonLabels"], ["cgval1x", "persistence.labels"]]) } },
    singles: [
      { cause: "values", manifest: claimLabelled("{app: db, h1: a1, h2: b2}"), markers: { labelMaps: new Map([["cgval0x", "commonLabels"], ["cgval1x", "persistence.labels"]]) } },
      { cause: "chart-version", manifest: claimLabelled("{app: db}"), markers: { chartVersion: MARKERS.chartVersion } },
    ],
    expect: [
      {
        severity: "info",
        object: "StatefulSet/db",
        path: "spec.volumeClaimTemplates[0].metadata.labels",
        line: 10,
        messageId: "valuesMaps",
        data: { valuesPath: "commonLabels", count: 2, claimTemplate: "data", field: "labels", failure: FORBIDDEN },
        evidence: { cause: "values", valuesPath: "commonLabels", valuesPaths: ["commonLabels", "persistence.labels"] },
      },
    ],
  },
  {
    name: "the chart version in a claim label: every chart bump fails (error)",
    base: claimLabelled("{app: db, helm.sh/chart: db-1.0.0}"),
    combined: { manifest: claimLabelled("{app: db, helm.sh/chart: db-1.0.0_cgchart}"), markers: MARKERS },
    expect: [
      {
        severity: "error",
        object: "StatefulSet/db",
        path: "spec.volumeClaimTemplates[0].metadata.labels",
        line: 10,
        messageId: "changes",
        data: { labels: "helm.sh/chart", sources: "the chart version", claimTemplate: "data", field: "labels", failure: FORBIDDEN },
        evidence: { cause: "chart-version", labels: [{ key: "helm.sh/chart", value: "db-1.0.0", cause: "chart-version" }] },
      },
    ],
  },
  {
    name: "a claim label set from values: a trap that fires when that value changes (info, naming it)",
    base: claimLabelled("{app: db, tier: gold}"),
    singles: [{ cause: "values", manifest: claimLabelled("{app: db, tier: silver}"), markers: { labelMaps: new Map([["cgval0x", "persistence.labels"]]) } }],
    expect: [
      {
        severity: "info",
        object: "StatefulSet/db",
        path: "spec.volumeClaimTemplates[0].metadata.labels",
        line: 10,
        messageId: "onValues",
        data: { labels: "tier", sources: "values persistence.labels", claimTemplate: "data", field: "labels", failure: FORBIDDEN },
        evidence: { cause: "values", labels: [{ key: "tier", value: "gold", cause: "values", valuesPath: "persistence.labels" }] },
      },
    ],
  },
]);
