import { mergeTrap } from "../../../src/analyze/rules/merge-trap.ts";
import { upgradeCases, yaml } from "../../helpers/upgrade-cases.ts";

const deployment = (strategy: string) => yaml`
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
    annotations: {meta.helm.sh/release-name: shop, meta.helm.sh/release-namespace: prod}
  spec:
    ${strategy}
    selector: {matchLabels: {app: web}}
    template: {metadata: {labels: {app: web}}}
`;

const service = (clusterIP: string, type = "ClusterIP") =>
  `apiVersion: v1\nkind: Service\nmetadata: {name: svc}\nspec:\n  type: ${type}\n  ${clusterIP}\n  ports: [{port: 80}]\n`;

const pvc = (storageClass: string) =>
  `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec:\n  accessModes: [ReadWriteOnce]\n  ${storageClass}\n  resources: {requests: {storage: 1Gi}}\n`;

upgradeCases(mergeTrap, [
  // ------------------------------------------------------------------ §1.2 Recreate: no trap
  {
    name: "Deployment: RollingUpdate (defaulted or explicit) → Recreate without rollingUpdate: null: spec.strategy is a retainKeys field, the patch clears the defaulted rollingUpdate",
    from: deployment("replicas: 1") + "---\n" + deployment("strategy:\n      type: RollingUpdate").replace("name: web", "name: api"),
    to: deployment("strategy: {type: Recreate}") + "---\n" + deployment("strategy:\n      type: Recreate").replace("name: web", "name: api"),
    expect: [],
  },
  {
    name: "StatefulSet: default RollingUpdate → OnDelete keeps the defaulted rollingUpdate",
    from: "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  serviceName: db\n",
    to: "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  serviceName: db\n  updateStrategy: {type: OnDelete}\n",
    expect: [
      {
        severity: "error",
        object: "StatefulSet/db",
        path: "spec.updateStrategy.type",
        line: 6,
        messageId: "onDeleteKeepsRollingUpdate",
        data: { source: "kubernetes/kubernetes pkg/apis/apps/validation", helmError: "Error: UPGRADE FAILED: cannot patch \"db\" with kind StatefulSet: StatefulSet.apps \"db\" is invalid: spec.updateStrategy.rollingUpdate: Invalid value: {\"partition\":0}: only allowed for updateStrategy 'RollingUpdate'" },
        commands: [`kubectl patch statefulset db -n default --type=json -p '[{"op":"replace","path":"/spec/updateStrategy","value":{"type":"OnDelete"}}]'`, "helm upgrade '<release>' '<chart>' -n default"],
      },
    ],
  },
  {
    name: "StatefulSet: OnDelete with rollingUpdate: null → nothing",
    from: "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  serviceName: db\n",
    to: "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  serviceName: db\n  updateStrategy: {type: OnDelete, rollingUpdate: null}\n",
    expect: [],
  },

  // ------------------------------------------------------------------ §1.8 Service clusterIP ""
  {
    name: 'Service clusterIP: "" on 1.22 fails on every upgrade, even with identical renders',
    from: service('clusterIP: ""'),
    to: service('clusterIP: ""'),
    settings: { kubeVersion: "1.22" },
    expect: [
      {
        severity: "error",
        object: "Service/svc",
        path: "spec.clusterIP",
        line: 6,
        messageId: "clusterIPEmpty",
        data: { version: "1.22", source: "kubernetes/kubernetes pkg/apis/core/validation", helmError: "Error: UPGRADE FAILED: cannot patch \"svc\" with kind Service: Service \"svc\" is invalid: spec.clusterIP: Invalid value: \"\": field is immutable" },
        evidence: { before: "", after: "", apiError: 'Service "svc" is invalid: spec.clusterIP: Invalid value: "": field is immutable' },
        remedyIncludes: ["{{- with", "dropping the key is not enough"],
        commands: [`kubectl get service svc -n default -o jsonpath='{.spec.clusterIP}'`, "helm upgrade '<release>' '<chart>' -n default '--set=<clusterIP value>=<ip>'"],
      },
    ],
  },
  {
    name: "Service clusterIP: null on 1.20",
    from: service("selector: {app: a}"),
    to: service("clusterIP:"),
    settings: { kubeVersion: "1.20" },
    expect: [{ severity: "error", object: "Service/svc", path: "spec.clusterIP", line: 6, messageId: "clusterIPNull", data: { version: "1.20", source: "kubernetes/kubernetes pkg/apis/core/validation", helmError: "Error: UPGRADE FAILED: cannot patch \"svc\" with kind Service: Service \"svc\" is invalid: spec.clusterIP: Invalid value: \"\": field is immutable" } }],
  },
  {
    name: 'Service clusterIP: a previous "" dropped on 1.22 → the merge sends a deletion',
    from: service('clusterIP: ""'),
    to: service("selector: {app: a}"),
    settings: { kubeVersion: "1.22" },
    expect: [{ severity: "error", object: "Service/svc", path: "spec", line: 4, messageId: "clusterIPDropped", data: { version: "1.22", source: "kubernetes/kubernetes pkg/apis/core/validation", helmError: "Error: UPGRADE FAILED: cannot patch \"svc\" with kind Service: Service \"svc\" is invalid: spec.clusterIP: Invalid value: \"\": field is immutable" } }],
  },
  {
    name: 'Service clusterIP: "" from 1.23 on → refilled from the old object, nothing (decision, see merge-trap.ts)',
    from: service('clusterIP: ""'),
    to: service('clusterIP: ""'),
    settings: { kubeVersion: "1.23" },
    expect: [],
  },
  {
    name: 'Service clusterIP: "" on ExternalName, on a new Service, and a hook → nothing',
    from: service("externalName: example.com", "ExternalName"),
    to:
      service('clusterIP: ""', "ExternalName") +
      "---\n" +
      service('clusterIP: ""').replace("name: svc", "name: new") +
      "---\n" +
      service('clusterIP: ""').replace("name: svc", "name: hook, annotations: {helm.sh/hook: pre-upgrade}"),
    settings: { kubeVersion: "1.21" },
    expect: [],
  },

  // ------------------------------------------------------------------ §1.9 PVC storageClassName null
  {
    name: "PVC storageClassName: null against the default class → fails on every upgrade",
    from: pvc("storageClassName:"),
    to: pvc("storageClassName:"),
    expect: [
      {
        severity: "error",
        object: "PersistentVolumeClaim/data",
        path: "spec.storageClassName",
        line: 6,
        messageId: "storageClassNull",
        data: { source: "kubernetes/kubernetes pkg/apis/core/validation", helmError: "Error: UPGRADE FAILED: cannot patch \"data\" with kind PersistentVolumeClaim: PersistentVolumeClaim \"data\" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims" },
        evidence: {
          before: null,
          after: null,
          apiError: 'PersistentVolumeClaim "data" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
        },
        commands: [`kubectl get pvc data -n default -o jsonpath='{.spec.storageClassName}'`, "helm upgrade '<release>' '<chart>' -n default '--set=<storage-class value>=<class>'"],
      },
    ],
  },
  {
    name: "PVC storageClassName: null in the previous manifest, dropped now → one failing deletion",
    from: pvc("storageClassName: null"),
    to: pvc("volumeMode: Filesystem"),
    expect: [{ severity: "error", object: "PersistentVolumeClaim/data", path: "spec", line: 4, messageId: "storageClassDropped", data: { source: "kubernetes/kubernetes pkg/apis/core/validation", helmError: "Error: UPGRADE FAILED: cannot patch \"data\" with kind PersistentVolumeClaim: PersistentVolumeClaim \"data\" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims" } }],
  },
  {
    name: "PVC storageClassName: a name or \"\" before, null now → left to immutable-field (no double report)",
    from: pvc("storageClassName: fast") + "---\n" + pvc('storageClassName: ""').replace("name: data", "name: b"),
    to: pvc("storageClassName:") + "---\n" + pvc("storageClassName:").replace("name: data", "name: b"),
    expect: [],
  },
  {
    name: 'PVC storageClassName: "" (no dynamic provisioning), absent, or a name → nothing; a new PVC → nothing',
    from: pvc('storageClassName: ""') + "---\n" + pvc("volumeMode: Filesystem").replace("name: data", "name: b") + "---\n" + pvc("storageClassName: fast").replace("name: data", "name: c"),
    to:
      pvc('storageClassName: ""') +
      "---\n" +
      pvc("volumeMode: Filesystem").replace("name: data", "name: b") +
      "---\n" +
      pvc("storageClassName: fast").replace("name: data", "name: c") +
      "---\n" +
      pvc("storageClassName:").replace("name: data", "name: fresh"),
    expect: [],
  },
]);
