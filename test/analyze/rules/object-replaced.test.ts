import assert from "node:assert/strict";
import { test } from "node:test";
import { objectReplaced } from "../../../src/analyze/rules/object-replaced.ts";
import { upgradeCases, upgradeFindings, yaml } from "../../helpers/upgrade-cases.ts";

interface Sts {
  name?: string;
  kind?: string;
  apiVersion?: string;
  whenDeleted?: string;
  keep?: boolean;
  selector?: string;
  image?: string;
}

/** A workload with a claim template; line 4 is metadata.name, line 1 apiVersion, line 2 kind. */
function sts(o: Sts = {}): string {
  return yaml`
    apiVersion: ${o.apiVersion ?? "apps/v1"}
    kind: ${o.kind ?? "StatefulSet"}
    metadata:
      name: ${o.name ?? "db"}
      annotations: {${o.keep ? "helm.sh/resource-policy: keep" : ""}}
    spec:
      replicas: 3
      selector: {matchLabels: ${o.selector ?? "{app: db}"}}
      persistentVolumeClaimRetentionPolicy: {whenDeleted: ${o.whenDeleted ?? "Retain"}}
      template:
        metadata: {labels: ${o.selector ?? "{app: db}"}}
        spec:
          containers: [{name: db, image: "${o.image ?? "postgres:16"}"}]
      volumeClaimTemplates:
        - metadata: {name: data}
          spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
  `;
}

const deployment = (name: string, selector = "{app: web}", image = "web:1") => yaml`
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: ${name}
  spec:
    selector: {matchLabels: ${selector}}
    template:
      metadata: {labels: ${selector}}
      spec: {containers: [{name: web, image: "${image}"}]}
`;

const service = (name: string) => yaml`
  apiVersion: v1
  kind: Service
  metadata:
    name: ${name}
  spec:
    selector: {app: web}
    ports: [{port: 80}]
`;

const claim = (name: string, keep = false) => yaml`
  apiVersion: v1
  kind: PersistentVolumeClaim
  metadata:
    name: ${name}
    annotations: {${keep ? "helm.sh/resource-policy: keep" : ""}}
  spec:
    accessModes: [ReadWriteOnce]
    resources: {requests: {storage: 5Gi}}
`;

const job = (name: string, hook = "") => yaml`
  apiVersion: batch/v1
  kind: Job
  metadata:
    name: ${name}
    annotations: {${hook ? `helm.sh/hook: ${hook}` : ""}}
  spec:
    template:
      metadata: {labels: {app: web}}
      spec: {restartPolicy: Never, containers: [{name: migrate, image: "web:1"}]}
`;

upgradeCases(objectReplaced, [
  {
    name: "StatefulSet renamed with the same selector: new pods get empty claims",
    from: sts(),
    to: sts({ name: "db-postgresql" }),
    expect: [
      {
        severity: "error",
        object: "StatefulSet/db-postgresql",
        path: "metadata.name",
        line: 4,
        messageId: "statefulSetDataNotReused",
        data: {
          oldRef: "StatefulSet/db",
          newRef: "StatefulSet/db-postgresql",
          oldName: "db",
          newName: "db-postgresql",
          how: "under a new name (same selector)",
          lifecycle: "Helm creates StatefulSet/db-postgresql first and deletes StatefulSet/db once every other update succeeded, without waiting for the new object to be ready",
          oldClaims: "data-db-<n>",
          newClaims: "data-db-postgresql-<n>",
          newKind: "StatefulSet",
          whenDeleted: "Retain",
        },
        related: ["StatefulSet/db"],
        evidence: { why: "rename", matchedBy: "selector", kept: false },
      },
    ],
  },
  {
    name: "StatefulSet renamed while its selector carries the name: paired by its containers",
    from: sts({ selector: "{app: db}" }),
    to: sts({ name: "pg", selector: "{app: pg}", image: "postgres:17" }),
    expect: [{ severity: "error", object: "StatefulSet/pg", path: "metadata.name", line: 4, messageId: "statefulSetDataNotReused", data: { oldRef: "StatefulSet/db", newRef: "StatefulSet/pg", oldName: "db", newName: "pg", how: "under a new name (same containers and images)", lifecycle: "Helm creates StatefulSet/pg first and deletes StatefulSet/db once every other update succeeded, without waiting for the new object to be ready", oldClaims: "data-db-<n>", newClaims: "data-pg-<n>", newKind: "StatefulSet", whenDeleted: "Retain" }, evidence: { why: "rename", matchedBy: "containers" } }],
  },
  {
    name: "DANGER: the old StatefulSet deletes its claims (whenDeleted: Delete)",
    from: sts({ whenDeleted: "Delete" }),
    to: sts({ name: "db2", whenDeleted: "Delete" }),
    expect: [
      {
        severity: "error",
        object: "StatefulSet/db2",
        path: "metadata.name",
        line: 4,
        messageId: "statefulSetDataDeleted",
        data: {
          oldRef: "StatefulSet/db",
          newRef: "StatefulSet/db2",
          oldName: "db",
          newName: "db2",
          how: "under a new name (same selector)",
          lifecycle: "Helm creates StatefulSet/db2 first and deletes StatefulSet/db once every other update succeeded, without waiting for the new object to be ready",
          oldClaims: "data-db-<n>",
          newClaims: "data-db2-<n>",
          newKind: "StatefulSet",
          whenDeleted: "Delete",
        },
        evidence: { danger: "whenDeleted: Delete deletes the old claims and their data" },
      },
    ],
  },
  {
    name: "kept old StatefulSet: not deleted, so no data loss, but the new one still starts empty",
    from: sts({ whenDeleted: "Delete", keep: true }),
    to: sts({ name: "db2" }),
    expect: [{ severity: "error", object: "StatefulSet/db2", path: "metadata.name", line: 4, messageId: "statefulSetKept", data: { oldRef: "StatefulSet/db", newRef: "StatefulSet/db2", oldName: "db", newName: "db2", how: "under a new name (same selector)", lifecycle: "Helm creates StatefulSet/db2 and leaves StatefulSet/db running, no longer managed by the release (helm.sh/resource-policy: keep)", oldClaims: "data-db-<n>", newClaims: "data-db2-<n>", newKind: "StatefulSet", whenDeleted: "Delete" }, evidence: { kept: true, danger: undefined } }],
  },
  {
    name: "Deployment renamed: a warning (both pod sets for a moment)",
    from: deployment("web"),
    to: deployment("web-server"),
    expect: [
      {
        severity: "warning",
        object: "Deployment/web-server",
        path: "metadata.name",
        line: 4,
        messageId: "podsHandover",
        data: {
          oldRef: "Deployment/web",
          newRef: "Deployment/web-server",
          oldName: "web",
          newName: "web-server",
          how: "under a new name (same selector)",
          lifecycle: "Helm creates Deployment/web-server first and deletes Deployment/web once every other update succeeded, without waiting for the new object to be ready",
          overlap: "a surge of old and new pods",
        },
        related: ["Deployment/web"],
        evidence: { why: "rename", matchedBy: "selector" },
      },
    ],
  },
  {
    name: "a Service dropped and another one added over the same pods, on other ports: no rename (a gateway dropped, a metrics Service added)",
    from: service("web-gateway").replace("ports: [{port: 80}]", "type: NodePort\n  ports: [{port: 80}, {port: 443}]"),
    to: service("web-metrics").replace("ports: [{port: 80}]", "ports: [{port: 8443}]"),
    expect: [],
  },
  {
    name: "one Service dropped, two added over the same pods on its port: which one took its place is not known",
    from: service("web"),
    to: `${service("web-http")}---\n${service("web-headless")}`,
    expect: [],
  },
  {
    name: "Service renamed: clients lose the old DNS name",
    from: service("web"),
    to: service("web-http"),
    expect: [{ severity: "warning", object: "Service/web-http", path: "metadata.name", line: 4, messageId: "serviceRenamed", data: { oldRef: "Service/web", newRef: "Service/web-http", oldName: "web", newName: "web-http", how: "under a new name (same selector)", lifecycle: "Helm creates Service/web-http first and deletes Service/web once every other update succeeded, without waiting for the new object to be ready", namespace: "default" } }],
  },
  {
    name: "Deployment → StatefulSet under the same name: kind change",
    from: deployment("db", "{app: db}", "postgres:16"),
    to: sts(),
    expect: [
      {
        severity: "warning",
        object: "StatefulSet/db",
        path: "kind",
        line: 2,
        messageId: "podsHandover",
        data: {
          oldRef: "Deployment/db",
          newRef: "StatefulSet/db",
          oldName: "db",
          newName: "db",
          how: "under the same name: the kind changes",
          lifecycle: "Helm creates StatefulSet/db first and deletes Deployment/db once every other update succeeded, without waiting for the new object to be ready",
          overlap: "two controllers with overlapping selectors",
        },
        related: ["Deployment/db"],
        evidence: { why: "kind-change", matchedBy: "name" },
      },
    ],
  },
  {
    name: "StatefulSet → Deployment under the same name: the data is not reused",
    from: sts(),
    to: deployment("db", "{app: db}", "postgres:16"),
    expect: [{ severity: "error", object: "Deployment/db", path: "kind", line: 2, messageId: "statefulSetDataAbandoned", data: { oldRef: "StatefulSet/db", newRef: "Deployment/db", oldName: "db", newName: "db", how: "under the same name: the kind changes", lifecycle: "Helm creates Deployment/db first and deletes StatefulSet/db once every other update succeeded, without waiting for the new object to be ready", oldClaims: "data-db-<n>", newClaims: "", newKind: "Deployment", whenDeleted: "Retain" }, evidence: { why: "kind-change" } }],
  },
  {
    name: "a claim renamed: the data is not reused, and the old claim is deleted",
    from: claim("data"),
    to: claim("web-data"),
    expect: [
      {
        severity: "error",
        object: "PersistentVolumeClaim/web-data",
        path: "metadata.name",
        line: 4,
        messageId: "claimDeleted",
        data: {
          oldRef: "PersistentVolumeClaim/data",
          newRef: "PersistentVolumeClaim/web-data",
          oldName: "data",
          newName: "web-data",
          how: "under a new name (same claim spec)",
          lifecycle: "Helm creates PersistentVolumeClaim/web-data first and deletes PersistentVolumeClaim/data once every other update succeeded, without waiting for the new object to be ready",
        },
        related: ["PersistentVolumeClaim/data"],
        evidence: { why: "rename", matchedBy: "claim-spec", danger: "the old claim is deleted; with reclaimPolicy Delete its data is lost" },
      },
    ],
  },
  {
    name: "a kept claim renamed: still an error (new volume is empty), no danger",
    from: claim("data", true),
    to: claim("web-data"),
    expect: [{ severity: "error", object: "PersistentVolumeClaim/web-data", path: "metadata.name", line: 4, messageId: "claimKept", data: { oldRef: "PersistentVolumeClaim/data", newRef: "PersistentVolumeClaim/web-data", oldName: "data", newName: "web-data", how: "under a new name (same claim spec)", lifecycle: "Helm creates PersistentVolumeClaim/web-data and leaves PersistentVolumeClaim/data running, no longer managed by the release (helm.sh/resource-policy: keep)" }, evidence: { kept: true, danger: undefined } }],
  },
  {
    name: "API group change of one kind: a new object",
    from: yaml`
      apiVersion: example.com/v1
      kind: Widget
      metadata: {name: w}
    `,
    to: yaml`
      apiVersion: widgets.io/v1
      kind: Widget
      metadata: {name: w}
    `,
    expect: [{ severity: "warning", object: "Widget/w", path: "apiVersion", line: 1, messageId: "groupChanged", data: { oldRef: "Widget/w", newRef: "Widget/w", oldName: "w", newName: "w", how: "under the same name: the API group changes from example.com to widgets.io (Helm 3.17.1+ and 4.1.1+ treat the group as part of the identity; Helm 3.0–3.17.0 patched it in place)", lifecycle: "Helm creates Widget/w first and deletes Widget/w once every other update succeeded, without waiting for the new object to be ready", oldGroup: "example.com", newGroup: "widgets.io" }, evidence: { why: "group-change" } }],
  },
  {
    name: "version-only apiVersion change on a cluster that serves both (autoscaling/v2beta2 until 1.26): same object, but Helm v4.0.0–v4.1.0 delete it",
    settings: { kubeVersion: "1.25" },
    from: yaml`
      apiVersion: autoscaling/v2beta2
      kind: HorizontalPodAutoscaler
      metadata: {name: web}
      spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, maxReplicas: 3}
    `,
    to: yaml`
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata: {name: web}
      spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, maxReplicas: 3}
    `,
    expect: [
      {
        severity: "warning",
        object: "HorizontalPodAutoscaler/web",
        path: "apiVersion",
        line: 1,
        messageId: "versionChanged",
        data: {
          newRef: "HorizontalPodAutoscaler/web",
          before: "autoscaling/v2beta2",
          after: "autoscaling/v2",
        },
        evidence: { why: "version-change", before: "autoscaling/v2beta2", after: "autoscaling/v2" },
      },
    ],
  },
  {
    name: "the old version is one the cluster no longer serves (batch/v1beta1 CronJob, removed in 1.25): the previous release cannot hold it there; a chart that picks it by .Capabilities renders it offline only",
    from: yaml`
      apiVersion: batch/v1beta1
      kind: CronJob
      metadata: {name: clean}
      spec: {schedule: "0 1 * * *", jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: "c:1"}]}}}}}
    `,
    to: yaml`
      apiVersion: batch/v1
      kind: CronJob
      metadata: {name: clean}
      spec: {schedule: "0 1 * * *", jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: "c:1"}]}}}}}
    `,
    expect: [],
  },
  {
    name: "per-revision Job names (x-migrate-3 → x-migrate-4) are a normal create + delete",
    from: job("x-migrate-3"),
    to: job("x-migrate-4"),
    expect: [],
  },
  {
    name: "hook Jobs renamed: hooks are recreated by Helm anyway",
    from: job("x-migrate-3", "pre-upgrade"),
    to: job("x-migrate-4", "pre-upgrade"),
    expect: [],
  },
  {
    name: "generateName objects are new every time",
    from: job("x-", "").replace("name: x-", "generateName: x-"),
    to: job("x-", "").replace("name: x-", "generateName: x-"),
    expect: [],
  },
  {
    name: "a ConfigMap renamed with a content hash is not a replacement",
    from: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg-abc}\ndata: {a: '1'}\n",
    to: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg-def}\ndata: {a: '2'}\n",
    expect: [],
  },
  {
    name: "one component removed and an unrelated one added: different selectors and images",
    from: deployment("worker", "{app: worker}", "worker:1"),
    to: deployment("api", "{app: api}", "api:1"),
    expect: [],
  },
  {
    name: "two renamed Deployments running the same image stay unpaired when ambiguous",
    from: `${deployment("a", "{app: a}")}---\n${deployment("b", "{app: b}")}`,
    to: `${deployment("c", "{app: c}")}---\n${deployment("d", "{app: d}")}`,
    expect: [],
  },
  {
    name: "reordered, unchanged documents: nothing replaced",
    from: `${sts()}---\n${service("web")}`,
    to: `${service("web")}---\n${sts()}`,
    expect: [],
  },
  {
    name: "selectors that are empty never pair renames",
    from: "apiVersion: v1\nkind: Service\nmetadata: {name: ext}\nspec: {type: ExternalName, externalName: a.example.com}\n",
    to: "apiVersion: v1\nkind: Service\nmetadata: {name: ext2}\nspec: {type: ExternalName, externalName: a.example.com, selector: {}}\n",
    expect: [],
  },
  {
    name: "StatefulSet without claim templates renamed: the pods get new names",
    from: sts().replace(/ {2}volumeClaimTemplates:[\s\S]*$/, ""),
    to: sts({ name: "db2" }).replace(/ {2}volumeClaimTemplates:[\s\S]*$/, ""),
    expect: [{ severity: "error", object: "StatefulSet/db2", path: "metadata.name", line: 4, messageId: "statefulSetPodsRenamed", data: { oldRef: "StatefulSet/db", newRef: "StatefulSet/db2", oldName: "db", newName: "db2", how: "under a new name (same selector)", lifecycle: "Helm creates StatefulSet/db2 first and deletes StatefulSet/db once every other update succeeded, without waiting for the new object to be ready" } }],
  },
  {
    name: "Service renamed, the old one kept: no longer managed",
    from: service("web").replace("  name: web\n", "  name: web\n  annotations: {helm.sh/resource-policy: keep}\n"),
    to: service("web-http"),
    expect: [{ severity: "warning", object: "Service/web-http", path: "metadata.name", line: 4, messageId: "serviceKept", data: { oldRef: "Service/web", newRef: "Service/web-http", oldName: "web", newName: "web-http", how: "under a new name (same selector)", lifecycle: "Helm creates Service/web-http and leaves Service/web running, no longer managed by the release (helm.sh/resource-policy: keep)", namespace: "default" } }],
  },
  {
    name: "Deployment renamed, the old one kept: both keep running",
    from: deployment("web").replace("  name: web\n", "  name: web\n  annotations: {helm.sh/resource-policy: keep}\n"),
    to: deployment("web-server"),
    expect: [{ severity: "warning", object: "Deployment/web-server", path: "metadata.name", line: 4, messageId: "podsKept", data: { oldRef: "Deployment/web", newRef: "Deployment/web-server", oldName: "web", newName: "web-server", how: "under a new name (same selector)", lifecycle: "Helm creates Deployment/web-server and leaves Deployment/web running, no longer managed by the release (helm.sh/resource-policy: keep)" } }],
  },

]);

test("object-replaced: StatefulSet migration commands name the real claims, in order", () => {
  const [finding] = upgradeFindings(objectReplaced, sts({ whenDeleted: "Delete" }), sts({ name: "db2" }), "data-ns");
  assert.ok(finding);
  assert.deepEqual(finding.remedy.commands, [
    `kubectl -n data-ns patch statefulset db --type merge -p '{"spec":{"persistentVolumeClaimRetentionPolicy":{"whenDeleted":"Retain"}}}'`,
    `for i in 0 1 2; do kubectl patch pv "$(kubectl -n data-ns get pvc data-db-$i -o jsonpath='{.spec.volumeName}')" -p '{"spec":{"persistentVolumeReclaimPolicy":"Retain"}}'; done`,
  ]);
  assert.match(finding.remedy.text, /fullnameOverride/);
});

test("object-replaced: a Deployment rename suggests a controlled handover", () => {
  const [finding] = upgradeFindings(objectReplaced, deployment("web"), deployment("web-server"));
  assert.ok(finding);
  assert.deepEqual(finding.remedy.commands, [
    "kubectl -n default annotate deployment web helm.sh/resource-policy=keep",
    "helm upgrade '<release>' '<chart>' -n default",
    "kubectl -n default rollout status deployment web-server",
    "kubectl -n default delete deployment web",
  ]);
});
