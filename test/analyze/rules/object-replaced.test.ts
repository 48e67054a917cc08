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
        related: ["StatefulSet/db"],
        evidence: { why: "rename", matchedBy: "selector", kept: false },
        messageIncludes: ["data-db-<n>", "data-db-postgresql-<n>", "not reused", "left behind"],
      },
    ],
  },
  {
    name: "StatefulSet renamed while its selector carries the name: paired by its containers",
    from: sts({ selector: "{app: db}" }),
    to: sts({ name: "pg", selector: "{app: pg}", image: "postgres:17" }),
    expect: [{ severity: "error", object: "StatefulSet/pg", path: "metadata.name", line: 4, evidence: { why: "rename", matchedBy: "containers" } }],
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
        evidence: { danger: "whenDeleted: Delete deletes the old claims and their data" },
        messageIncludes: ["DANGER", "whenDeleted: Delete"],
      },
    ],
  },
  {
    name: "kept old StatefulSet: not deleted, so no data loss, but the new one still starts empty",
    from: sts({ whenDeleted: "Delete", keep: true }),
    to: sts({ name: "db2" }),
    expect: [{ severity: "error", object: "StatefulSet/db2", path: "metadata.name", line: 4, evidence: { kept: true, danger: undefined }, messageIncludes: ["resource-policy: keep"] }],
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
        related: ["Deployment/web"],
        evidence: { why: "rename", matchedBy: "selector" },
        messageIncludes: ["Both pod sets"],
      },
    ],
  },
  {
    name: "Service renamed: clients lose the old DNS name",
    from: service("web"),
    to: service("web-http"),
    expect: [{ severity: "warning", object: "Service/web-http", path: "metadata.name", line: 4, messageIncludes: ["web.default.svc"] }],
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
        related: ["Deployment/db"],
        evidence: { why: "kind-change", matchedBy: "name" },
        messageIncludes: ["overlapping selectors"],
      },
    ],
  },
  {
    name: "StatefulSet → Deployment under the same name: the data is not reused",
    from: sts(),
    to: deployment("db", "{app: db}", "postgres:16"),
    expect: [{ severity: "error", object: "Deployment/db", path: "kind", line: 2, evidence: { why: "kind-change" } }],
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
        related: ["PersistentVolumeClaim/data"],
        evidence: { why: "rename", matchedBy: "claim-spec", danger: "the old claim is deleted; with reclaimPolicy Delete its data is lost" },
      },
    ],
  },
  {
    name: "a kept claim renamed: still an error (new volume is empty), no danger",
    from: claim("data", true),
    to: claim("web-data"),
    expect: [{ severity: "error", object: "PersistentVolumeClaim/web-data", path: "metadata.name", line: 4, evidence: { kept: true, danger: undefined } }],
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
    expect: [{ severity: "warning", object: "Widget/w", path: "apiVersion", line: 1, evidence: { why: "group-change" } }],
  },
  {
    name: "version-only apiVersion change: same object, but Helm v4.0.0–v4.1.0 delete it",
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
        evidence: { why: "version-change", before: "autoscaling/v2beta2", after: "autoscaling/v2" },
        messageIncludes: ["helm/helm#31768"],
      },
    ],
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
