import { immutableField } from "../../../src/analyze/rules/immutable-field.ts";
import { upgradeCases, yaml } from "../../helpers/upgrade-cases.ts";

const deployment = (selector: string, extra = "") => yaml`
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
    namespace: shop
    labels: {app.kubernetes.io/instance: shop-release}
  spec:
    selector:
      matchLabels: ${selector}
    template:
      metadata:
        labels: {app: web, component: api, version: "1"}
      spec:
        containers: [{name: web, image: "web:1"}]
  ${extra}
`;

upgradeCases(immutableField, [
  // ------------------------------------------------------------------ §1.2–1.4 selectors
  {
    name: "Deployment selector value changes",
    from: deployment("{app: web, version: \"1\"}"),
    to: deployment("{app: web, version: \"2\"}"),
    expect: [
      {
        severity: "error",
        object: "Deployment/web",
        path: "spec.selector",
        line: 8,
        messageId: "refused",
        data: {
          field: "spec.selector",
          change: "spec.selector changes (matchLabels.version: \"1\" → \"2\")",
          reason: "The selector of an apps/v1 Deployment is immutable: it decides which pods (and ReplicaSets) the controller owns (kubernetes/kubernetes pkg/apis/apps/validation).",
          kubeVersion: "1.34",
          helmError: "Error: UPGRADE FAILED: cannot patch \"web\" with kind Deployment: Deployment.apps \"web\" is invalid: spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"web\",\"version\":\"2\"}}: field is immutable",
        },
        evidence: {
          before: { matchLabels: { app: "web", version: "1" } },
          after: { matchLabels: { app: "web", version: "2" } },
          apiError: 'Deployment.apps "web" is invalid: spec.selector: Invalid value: {"matchLabels":{"app":"web","version":"2"}}: field is immutable',
        },
        commands: [
          "kubectl delete deployment web -n shop --cascade=orphan",
          "helm upgrade shop-release '<chart>' -n shop",
          // The new pods (version=1 label in the template) still match the old selector → exclusion term.
          "kubectl delete rs -n shop -l 'app=web,version=1,version!=2'",
        ],
      },
    ],
  },
  {
    name: "Deployment selector: a new key the old pods already carry → adopted, no cleanup",
    from: deployment("{app: web}"),
    to: deployment("{app: web, component: api}"),
    expect: [
      {
        severity: "error",
        object: "Deployment/web",
        path: "spec.selector",
        line: 8,
        messageId: "refused",
        data: {
          field: "spec.selector",
          change: "spec.selector changes (matchLabels.component: unset → \"api\")",
          reason: "The selector of an apps/v1 Deployment is immutable: it decides which pods (and ReplicaSets) the controller owns (kubernetes/kubernetes pkg/apis/apps/validation).",
          kubeVersion: "1.34",
          helmError: "Error: UPGRADE FAILED: cannot patch \"web\" with kind Deployment: Deployment.apps \"web\" is invalid: spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"web\",\"component\":\"api\"}}: field is immutable",
        },
        commands: ["kubectl delete deployment web -n shop --cascade=orphan", "helm upgrade shop-release '<chart>' -n shop"],
        remedyIncludes: ["adopts them"],
      },
    ],
  },
  {
    name: "Deployment selector: the Kubernetes 1.33 value rendering (Go %#v)",
    from: deployment("{app: web}"),
    to: deployment("{app: other}"),
    settings: { kubeVersion: "1.33" },
    expect: [
      {
        severity: "error",
        object: "Deployment/web",
        path: "spec.selector",
        line: 8,
        messageId: "refused",
        data: {
          field: "spec.selector",
          change: "spec.selector changes (matchLabels.app: \"web\" → \"other\")",
          reason: "The selector of an apps/v1 Deployment is immutable: it decides which pods (and ReplicaSets) the controller owns (kubernetes/kubernetes pkg/apis/apps/validation).",
          kubeVersion: "1.33",
          helmError: "Error: UPGRADE FAILED: cannot patch \"web\" with kind Deployment: Deployment.apps \"web\" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"other\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable",
        },
      },
    ],
  },
  {
    name: "Deployment selector: matchLabels reordered, empty matchExpressions, number vs string → no change",
    from: deployment("{app: web, version: \"1\"}"),
    to: deployment("{version: 1, app: web}\n    matchExpressions: []"),
    expect: [],
  },
  {
    name: "Deployment: replicas, template, strategy and metadata annotations change → fine",
    from: deployment("{app: web}", "replicas: 2"),
    to: deployment("{app: web}", "replicas: 5\n  strategy: {type: Recreate}\n  revisionHistoryLimit: 3").replace(
      "namespace: shop",
      "namespace: shop\n  annotations: {checksum/config: abc}",
    ),
    expect: [],
  },
  {
    name: "legacy extensions/v1beta1 and apps/v1beta1 Deployments may change their selector",
    from: deployment("{app: web}").replace("apps/v1", "extensions/v1beta1") + "---\n" + deployment("{app: web}").replace("apps/v1", "apps/v1beta1").replace("name: web", "name: web2"),
    to: deployment("{app: other}").replace("apps/v1", "extensions/v1beta1") + "---\n" + deployment("{app: other}").replace("apps/v1", "apps/v1beta1").replace("name: web", "name: web2"),
    expect: [],
  },
  {
    name: "DaemonSet and ReplicaSet selectors are immutable",
    from: yaml`
      apiVersion: apps/v1
      kind: DaemonSet
      metadata: {name: agent, annotations: {meta.helm.sh/release-name: mon, meta.helm.sh/release-namespace: ops}}
      spec:
        selector: {matchLabels: {app: agent}}
        template: {metadata: {labels: {app: agent}}}
      ---
      apiVersion: apps/v1
      kind: ReplicaSet
      metadata: {name: rs}
      spec:
        selector: {matchLabels: {app: rs}}
        template: {metadata: {labels: {app: rs}}}
    `,
    to: yaml`
      apiVersion: apps/v1
      kind: DaemonSet
      metadata: {name: agent, annotations: {meta.helm.sh/release-name: mon, meta.helm.sh/release-namespace: ops}}
      spec:
        selector: {matchLabels: {app: agent, tier: node}}
        template: {metadata: {labels: {app: agent, tier: node}}}
      ---
      apiVersion: apps/v1
      kind: ReplicaSet
      metadata: {name: rs}
      spec:
        selector: {matchLabels: {app: rs2}}
        template: {metadata: {labels: {app: rs2}}}
    `,
    expect: [
      {
        severity: "error",
        object: "DaemonSet/agent",
        path: "spec.selector",
        line: 5,
        messageId: "refused",
        data: {
          field: "spec.selector",
          change: "spec.selector changes (matchLabels.tier: unset → \"node\")",
          reason: "The selector of an apps/v1 DaemonSet is immutable: it decides which pods (and ReplicaSets) the controller owns (kubernetes/kubernetes pkg/apis/apps/validation).",
          kubeVersion: "1.34",
          helmError: "Error: UPGRADE FAILED: cannot patch \"agent\" with kind DaemonSet: DaemonSet.apps \"agent\" is invalid: spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"agent\",\"tier\":\"node\"}}: field is immutable",
        },
        commands: [
          "kubectl delete daemonset agent -n default --cascade=orphan",
          "helm upgrade mon '<chart>' -n ops",
          "kubectl delete pod -n default -l 'app=agent,tier!=node'",
        ],
      },
      {
        severity: "error",
        object: "ReplicaSet/rs",
        path: "spec.selector",
        line: 12,
        messageId: "refused",
        data: {
          field: "spec.selector",
          change: "spec.selector changes (matchLabels.app: \"rs\" → \"rs2\")",
          reason: "The selector of an apps/v1 ReplicaSet is immutable: it decides which pods (and ReplicaSets) the controller owns (kubernetes/kubernetes pkg/apis/apps/validation).",
          kubeVersion: "1.34",
          helmError: "Error: UPGRADE FAILED: cannot patch \"rs\" with kind ReplicaSet: ReplicaSet.apps \"rs\" is invalid: spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"rs2\"}}: field is immutable",
        },
        commands: ["kubectl delete replicaset rs -n default --cascade=orphan", "helm upgrade '<release>' '<chart>' -n default", "kubectl delete pod -n default -l app=rs"],
      },
    ],
  },
  {
    name: "reordered documents with no change → nothing",
    from: deployment("{app: web}") + "---\n" + deployment("{app: api}").replace("name: web", "name: api"),
    to: deployment("{app: api}").replace("name: web", "name: api") + "---\n" + deployment("{app: web}"),
    expect: [],
  },
  {
    name: "a renamed Deployment is a create plus a delete, not an update",
    from: deployment("{app: web}"),
    to: deployment("{app: other}").replace("name: web", "name: web-v2"),
    expect: [],
  },

  // ------------------------------------------------------------------ §1.5 StatefulSet
  {
    name: "StatefulSet: volatile labels and a new size in the claim template → one finding for the StatefulSet, every change in evidence",
    from: yaml`
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: db, labels: {app.kubernetes.io/instance: rel}}
      spec:
        serviceName: db
        selector: {matchLabels: {app: db}}
        template: {metadata: {labels: {app: db}}}
        volumeClaimTemplates:
          - metadata:
              name: data
              labels:
                app: db
                helm.sh/chart: db-1.0.0
            spec:
              accessModes: [ReadWriteOnce]
              resources: {requests: {storage: 1Gi}}
    `,
    to: yaml`
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: db, labels: {app.kubernetes.io/instance: rel}}
      spec:
        serviceName: db
        selector: {matchLabels: {app: db}}
        template: {metadata: {labels: {app: db}}}
        volumeClaimTemplates:
          - metadata:
              name: data
              labels:
                app: db
                helm.sh/chart: db-1.1.0
                app.kubernetes.io/version: "2.0"
            spec:
              accessModes: [ReadWriteOnce]
              resources: {requests: {storage: 2Gi}}
    `,
    expect: [
      {
        severity: "error",
        object: "StatefulSet/db",
        path: "spec.volumeClaimTemplates[0]",
        line: 9,
        messageId: "statefulSetRefused",
        data: {
          fields: "spec.volumeClaimTemplates",
          change: "spec.volumeClaimTemplates[0].metadata.labels.helm.sh/chart changes from \"db-1.0.0\" to \"db-1.1.0\"; spec.volumeClaimTemplates[0].metadata.labels.app.kubernetes.io/version changes from unset to \"2.0\"; spec.volumeClaimTemplates[0].spec.resources.requests.storage changes from \"1Gi\" to \"2Gi\"",
          reason: "A StatefulSet's volumeClaimTemplates are immutable, byte for byte, labels and annotations included (kubernetes/kubernetes pkg/apis/apps/validation); the claims they created are not updated either.",
          kubeVersion: "1.34",
          helmError: "Error: UPGRADE FAILED: cannot patch \"db\" with kind StatefulSet: StatefulSet.apps \"db\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        },
        evidence: {
          changes: [
            { path: "spec.volumeClaimTemplates[0].metadata.labels.helm.sh/chart", before: "db-1.0.0", after: "db-1.1.0" },
            { path: "spec.volumeClaimTemplates[0].metadata.labels.app.kubernetes.io/version", before: null, after: "2.0" },
            { path: "spec.volumeClaimTemplates[0].spec.resources.requests.storage", before: "1Gi", after: "2Gi" },
          ],
          apiError:
            'StatefulSet.apps "db" is invalid: spec: Forbidden: updates to statefulset spec for fields other than \'replicas\', \'ordinals\', \'template\', \'updateStrategy\', \'persistentVolumeClaimRetentionPolicy\' and \'minReadySeconds\' are forbidden',
        },
        commands: [
          "kubectl delete statefulset db -n default --cascade=orphan",
          "helm upgrade rel '<chart>' -n default",
          `kubectl patch pvc data-db-0 -n default -p '{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}'`,
        ],
        remedyIncludes: ["static labels", "--cascade=orphan", "every ordinal"],
      },
    ],
  },
  {
    name: "StatefulSet: dropping podManagementPolicy: Parallel is a change (default OrderedReady); serviceName too",
    from: yaml`
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: db}
      spec:
        podManagementPolicy: Parallel
        serviceName: db
        selector: {matchLabels: {app: db}}
        template: {metadata: {labels: {app: db}}}
    `,
    to: yaml`
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: db}
      spec:
        serviceName: db-headless
        selector: {matchLabels: {app: db}}
        template: {metadata: {labels: {app: db}}}
    `,
    expect: [
      {
        severity: "error",
        object: "StatefulSet/db",
        path: "spec",
        line: 4,
        messageId: "statefulSetRefused",
        data: {
          fields: "spec.podManagementPolicy and spec.serviceName",
          change: "spec.podManagementPolicy changes from \"Parallel\" to unset (the API server defaults it to \"OrderedReady\"); spec.serviceName changes from \"db\" to \"db-headless\"",
          reason: "Only replicas, template, updateStrategy, minReadySeconds, persistentVolumeClaimRetentionPolicy, ordinals of a StatefulSet spec may change on Kubernetes 1.34 (kubernetes/kubernetes pkg/apis/apps/validation).",
          kubeVersion: "1.34",
          helmError: "Error: UPGRADE FAILED: cannot patch \"db\" with kind StatefulSet: StatefulSet.apps \"db\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        },
        evidence: {
          changes: [
            { path: "spec.podManagementPolicy", before: "Parallel", after: "OrderedReady" },
            { path: "spec.serviceName", before: "db", after: "db-headless" },
          ],
        },
      },
    ],
  },
  {
    name: "StatefulSet: defaults written out, claim template TypeMeta, replicas/template/updateStrategy/status changes → nothing",
    from: yaml`
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: db}
      spec:
        replicas: 1
        serviceName: db
        selector: {matchLabels: {app: db}}
        template:
          metadata: {labels: {app: db}}
          spec: {containers: [{name: db, image: "db:1"}]}
        volumeClaimTemplates:
          - metadata: {name: data}
            spec:
              accessModes: [ReadWriteOnce]
              resources: {requests: {storage: 1Gi}}
      status: {replicas: 1}
    `,
    to: yaml`
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: db, annotations: {note: changed}}
      spec:
        replicas: 3
        podManagementPolicy: OrderedReady
        revisionHistoryLimit: 10
        minReadySeconds: 5
        persistentVolumeClaimRetentionPolicy: {whenDeleted: Delete}
        updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 1}}
        serviceName: db
        selector: {matchLabels: {app: db}}
        template:
          metadata: {labels: {app: db, helm.sh/chart: db-2}}
          spec: {containers: [{name: db, image: "db:2"}]}
        volumeClaimTemplates:
          - apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: {name: data, creationTimestamp: null}
            spec:
              accessModes: [ReadWriteOnce]
              volumeMode: Filesystem
              resources: {requests: {storage: 1024Mi}}
            status: {phase: Pending}
    `,
    expect: [],
  },
  {
    name: "StatefulSet: null vs absent vs {} vs [] in immutable fields → no change",
    from: yaml`
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: db}
      spec:
        selector: {matchLabels: {app: db}, matchExpressions: null}
        podManagementPolicy: null
        volumeClaimTemplates:
          - metadata: {name: data, annotations: null, labels: {}}
            spec: {accessModes: [ReadWriteOnce], selector: null, dataSource: {}}
    `,
    to: yaml`
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: db}
      spec:
        selector: {matchLabels: {app: db}, matchExpressions: []}
        persistentVolumeClaimRetentionPolicy: {}
        volumeClaimTemplates:
          - metadata: {name: data, annotations: {}}
            spec: {accessModes: [ReadWriteOnce]}
    `,
    expect: [],
  },
  {
    name: "StatefulSet revisionHistoryLimit: refused on 1.34",
    from: "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  revisionHistoryLimit: 10\n",
    to: "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  revisionHistoryLimit: 3\n",
    expect: [
      {
        severity: "error",
        object: "StatefulSet/db",
        path: "spec.revisionHistoryLimit",
        line: 5,
        messageId: "statefulSetRefused",
        data: {
          fields: "spec.revisionHistoryLimit",
          change: "spec.revisionHistoryLimit changes from 10 to 3",
          reason: "Only replicas, template, updateStrategy, minReadySeconds, persistentVolumeClaimRetentionPolicy, ordinals of a StatefulSet spec may change on Kubernetes 1.34 (revisionHistoryLimit is believed to be mutable from 1.35; the exact release is unconfirmed) (kubernetes/kubernetes pkg/apis/apps/validation).",
          kubeVersion: "1.34",
          helmError: "Error: UPGRADE FAILED: cannot patch \"db\" with kind StatefulSet: StatefulSet.apps \"db\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        },
      },
    ],
  },
  {
    name: "StatefulSet revisionHistoryLimit: allowed from 1.35 (UNCONFIRMED release), with the 1.35 allow-list text",
    from: "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  revisionHistoryLimit: 10\n  serviceName: a\n",
    to: "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  revisionHistoryLimit: 3\n  serviceName: b\n",
    settings: { kubeVersion: "1.35" },
    expect: [
      {
        severity: "error",
        object: "StatefulSet/db",
        path: "spec.serviceName",
        line: 6,
        messageId: "statefulSetRefused",
        data: {
          fields: "spec.serviceName",
          change: "spec.serviceName changes from \"a\" to \"b\"",
          reason: "Only replicas, template, updateStrategy, minReadySeconds, persistentVolumeClaimRetentionPolicy, ordinals, revisionHistoryLimit of a StatefulSet spec may change on Kubernetes 1.35 (kubernetes/kubernetes pkg/apis/apps/validation).",
          kubeVersion: "1.35",
          helmError: "Error: UPGRADE FAILED: cannot patch \"db\" with kind StatefulSet: StatefulSet.apps \"db\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        },
      },
    ],
  },
  {
    name: "StatefulSet on 1.21: minReadySeconds is unknown (dropped), the old allow-list text",
    from: "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  serviceName: a\n",
    to: "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  minReadySeconds: 10\n  serviceName: b\n",
    settings: { kubeVersion: "1.21" },
    expect: [
      {
        severity: "error",
        object: "StatefulSet/db",
        path: "spec.serviceName",
        line: 6,
        messageId: "statefulSetRefused",
        data: {
          fields: "spec.serviceName",
          change: "spec.serviceName changes from \"a\" to \"b\"",
          reason: "Only replicas, template, updateStrategy of a StatefulSet spec may change on Kubernetes 1.21 (kubernetes/kubernetes pkg/apis/apps/validation).",
          kubeVersion: "1.21",
          helmError: "Error: UPGRADE FAILED: cannot patch \"db\" with kind StatefulSet: StatefulSet.apps \"db\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'template', and 'updateStrategy' are forbidden",
        },
      },
    ],
  },
  {
    name: "StatefulSet selector change: one finding for every changed selector label, as for a Deployment, and the pod recreation note",
    from: "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  selector:\n    matchLabels: {app: db, tier: a, team: x}\n",
    to: "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  selector:\n    matchLabels: {app: db2, tier: b, team: y}\n",
    expect: [
      {
        severity: "error",
        object: "StatefulSet/db",
        path: "spec.selector.matchLabels",
        line: 6,
        messageId: "statefulSetRefused",
        data: {
          fields: "spec.selector",
          change: "spec.selector.matchLabels.app changes from \"db\" to \"db2\"; spec.selector.matchLabels.tier changes from \"a\" to \"b\"; spec.selector.matchLabels.team changes from \"x\" to true",
          reason: "Only replicas, template, updateStrategy, minReadySeconds, persistentVolumeClaimRetentionPolicy, ordinals of a StatefulSet spec may change on Kubernetes 1.34 (kubernetes/kubernetes pkg/apis/apps/validation).",
          kubeVersion: "1.34",
          helmError: "Error: UPGRADE FAILED: cannot patch \"db\" with kind StatefulSet: StatefulSet.apps \"db\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        },
        remedyIncludes: ["kubectl delete pod db-0 -n default"],
      },
    ],
  },

  // ------------------------------------------------------------------ §1.6 Job
  {
    name: "plain Job: template changes (labels, image) → one finding, one refusal, naming each changed field",
    from: yaml`
      apiVersion: batch/v1
      kind: Job
      metadata: {name: migrate, namespace: app}
      spec:
        template:
          metadata:
            labels: {helm.sh/chart: app-1.0.0}
          spec:
            restartPolicy: Never
            containers: [{name: m, image: "app:1.0.0"}]
    `,
    to: yaml`
      apiVersion: batch/v1
      kind: Job
      metadata: {name: migrate, namespace: app}
      spec:
        template:
          metadata:
            labels: {helm.sh/chart: app-1.0.1}
          spec:
            restartPolicy: Never
            containers:
              - name: m
                image: "app:1.0.1"
    `,
    expect: [
      {
        severity: "error",
        object: "Job/migrate",
        path: "spec.template",
        line: 5,
        messageId: "refused",
        data: {
          field: "spec.template (metadata.labels.helm.sh/chart and spec.containers[0].image)",
          change:
            "spec.template.metadata.labels.helm.sh/chart changes from \"app-1.0.0\" to \"app-1.0.1\"; spec.template.spec.containers[0].image changes from \"app:1.0.0\" to \"app:1.0.1\"",
          reason: "A Job's pod template cannot change after creation, labels, annotations and image included (kubernetes/kubernetes pkg/apis/batch/validation); plain (non-hook) Jobs with a stable name therefore fail every upgrade that touches their template.",
          kubeVersion: "1.34",
          helmError: "Error: UPGRADE FAILED: cannot patch \"migrate\" with kind Job: Job.batch \"migrate\" is invalid: spec.template: Invalid value: <the whole new pod template>: field is immutable",
        },
        evidence: {
          changes: [
            { path: "spec.template.metadata.labels.helm.sh/chart", before: "app-1.0.0", after: "app-1.0.1" },
            { path: "spec.template.spec.containers[0].image", before: "app:1.0.0", after: "app:1.0.1" },
          ],
          apiError: 'Job.batch "migrate" is invalid: spec.template: Invalid value: <the whole new pod template>: field is immutable',
        },
        commands: ["kubectl delete job migrate -n app", "helm upgrade '<release>' '<chart>' -n app"],
        remedyIncludes: ["helm.sh/hook", "ttlSecondsAfterFinished", ".Release.Revision"],
      },
    ],
  },
  {
    name: "a Job the cluster deletes after it finishes (ttlSecondsAfterFinished): usually gone by the upgrade and created anew → a warning",
    from: "apiVersion: batch/v1\nkind: Job\nmetadata: {name: migrate}\nspec:\n  ttlSecondsAfterFinished: 30\n  template: {spec: {containers: [{name: m, image: a:1}]}}\n",
    to: "apiVersion: batch/v1\nkind: Job\nmetadata: {name: migrate}\nspec:\n  ttlSecondsAfterFinished: 30\n  template: {spec: {containers: [{name: m, image: a:2}]}}\n",
    expect: [
      {
        severity: "warning",
        object: "Job/migrate",
        path: "spec.template.spec.containers[0].image",
        line: 6,
        messageId: "refusedWhileJobExists",
        data: {
          field: "spec.template.spec.containers[0].image",
          change: 'spec.template.spec.containers[0].image changes from "a:1" to "a:2"',
          reason:
            "A Job's pod template cannot change after creation, labels, annotations and image included (kubernetes/kubernetes pkg/apis/batch/validation); plain (non-hook) Jobs with a stable name therefore fail every upgrade that touches their template.",
          kubeVersion: "1.34",
          helmError:
            'Error: UPGRADE FAILED: cannot patch "migrate" with kind Job: Job.batch "migrate" is invalid: spec.template: Invalid value: <the whole new pod template>: field is immutable',
          ttl: 30,
        },
      },
    ],
  },
  {
    name: "hook Jobs are recreated, never patched → nothing",
    from: "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations: {helm.sh/hook: pre-upgrade}\nspec:\n  template: {spec: {containers: [{name: m, image: a:1}]}}\n",
    to: "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations: {helm.sh/hook: pre-upgrade}\nspec:\n  template: {spec: {containers: [{name: m, image: a:2}]}}\n",
    expect: [],
  },
  {
    name: "per-revision Job names: a renamed Job is not an update",
    from: "apiVersion: batch/v1\nkind: Job\nmetadata: {name: migrate-1}\nspec:\n  template: {spec: {containers: [{name: m, image: a:1}]}}\n",
    to: "apiVersion: batch/v1\nkind: Job\nmetadata: {name: migrate-2}\nspec:\n  template: {spec: {containers: [{name: m, image: a:2}]}}\n",
    expect: [],
  },
  {
    name: "Job: mutable fields and written-out defaults → nothing",
    from: "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template: {spec: {containers: [{name: m, image: a:1}]}}\n",
    to: yaml`
      apiVersion: batch/v1
      kind: Job
      metadata: {name: j, labels: {new: label}}
      spec:
        completions: 1
        parallelism: 1
        completionMode: NonIndexed
        backoffLimit: 2
        activeDeadlineSeconds: 600
        ttlSecondsAfterFinished: 100
        suspend: false
        template: {spec: {containers: [{name: m, image: a:1, imagePullPolicy: IfNotPresent}], restartPolicy: Always}}
    `,
    expect: [],
  },
  {
    name: "Job completions: refused when not Indexed, completionMode and podFailurePolicy immutable",
    from: "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  completions: 3\n",
    to: "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  completions: 5\n  completionMode: Indexed\n  podFailurePolicy: {rules: [{action: FailJob, onExitCodes: {operator: In, values: [42]}}]}\n",
    expect: [
      {
        severity: "error",
        object: "Job/j",
        path: "spec.completions",
        line: 5,
        messageId: "refused",
        data: {
          field: "spec.completions",
          change: "spec.completions changes from 3 to 5",
          reason: "An Indexed Job may change completions only together with parallelism, so that completions == parallelism (ElasticIndexedJob, kubernetes/kubernetes pkg/apis/batch/validation).",
          kubeVersion: "1.34",
          helmError: "Error: UPGRADE FAILED: cannot patch \"j\" with kind Job: Job.batch \"j\" is invalid: spec.completions: Invalid value: 5: can only be modified in tandem with spec.parallelism",
        },
      },
      {
        severity: "error",
        object: "Job/j",
        path: "spec.completionMode",
        line: 6,
        messageId: "refused",
        data: {
          field: "spec.completionMode",
          change: "spec.completionMode changes from unset (the API server defaults it to \"NonIndexed\") to \"Indexed\"",
          reason: "A Job's completion mode is fixed at creation (kubernetes/kubernetes pkg/apis/batch/validation).",
          kubeVersion: "1.34",
          helmError: "Error: UPGRADE FAILED: cannot patch \"j\" with kind Job: Job.batch \"j\" is invalid: spec.completionMode: Invalid value: \"Indexed\": field is immutable",
        },
      },
      {
        severity: "error",
        object: "Job/j",
        path: "spec.podFailurePolicy",
        line: 7,
        messageId: "refused",
        data: {
          field: "spec.podFailurePolicy",
          change: "spec.podFailurePolicy changes from unset to {\"rules\":[{\"action\":\"FailJob\",\"onExitCodes\":{\"operator\":\"In\",\"values\":[42]}}]}",
          reason: "A Job's pod failure policy is fixed at creation (kubernetes/kubernetes pkg/apis/batch/validation).",
          kubeVersion: "1.34",
          helmError: "Error: UPGRADE FAILED: cannot patch \"j\" with kind Job: Job.batch \"j\" is invalid: spec.podFailurePolicy: Invalid value: {\"rules\":[{\"action\":\"FailJob\",\"onExitCodes\":{\"operator\":\"In\",\"values\":[42]}}]}: field is immutable",
        },
      },
    ],
  },
  {
    name: "Indexed Job: completions in tandem with parallelism is allowed from 1.27",
    from: "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  completionMode: Indexed\n  completions: 3\n  parallelism: 3\n",
    to: "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  completionMode: Indexed\n  completions: 5\n  parallelism: 5\n",
    expect: [],
  },
  {
    name: "Indexed Job: completions change refused before 1.27",
    from: "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  completionMode: Indexed\n  completions: 3\n  parallelism: 3\n",
    to: "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  completionMode: Indexed\n  completions: 5\n  parallelism: 5\n",
    settings: { kubeVersion: "1.26" },
    expect: [{ severity: "error", object: "Job/j", path: "spec.completions", line: 6, messageId: "refused", data: { field: "spec.completions", change: "spec.completions changes from 3 to 5", reason: "A Job's completions are fixed at creation (only Indexed Jobs may change them, in tandem with parallelism, from 1.27; kubernetes/kubernetes pkg/apis/batch/validation).", kubeVersion: "1.26", helmError: "Error: UPGRADE FAILED: cannot patch \"j\" with kind Job: Job.batch \"j\" is invalid: spec.completions: Invalid value: 5: field is immutable" } }],
  },
  {
    name: "suspended Job: template labels may change, the image may not",
    from: "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  suspend: true\n  template:\n    metadata: {labels: {a: '1'}}\n    spec: {containers: [{name: m, image: a:1}]}\n",
    to: "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  suspend: true\n  template:\n    metadata: {labels: {a: '2'}}\n    spec: {containers: [{name: m, image: a:2}]}\n",
    expect: [{ severity: "error", object: "Job/j", path: "spec.template.spec.containers[0].image", line: 8, messageId: "refused", data: { field: "spec.template.spec.containers[0].image", change: "spec.template.spec.containers[0].image changes from \"a:1\" to \"a:2\"", reason: "A Job's pod template cannot change after creation, labels, annotations and image included (kubernetes/kubernetes pkg/apis/batch/validation); plain (non-hook) Jobs with a stable name therefore fail every upgrade that touches their template.", kubeVersion: "1.34", helmError: "Error: UPGRADE FAILED: cannot patch \"j\" with kind Job: Job.batch \"j\" is invalid: spec.template: Invalid value: <the whole new pod template>: field is immutable" } }],
  },
  {
    name: "Job selector with manualSelector changes",
    from: "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  manualSelector: true\n  selector: {matchLabels: {job: a}}\n",
    to: "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  manualSelector: true\n  selector: {matchLabels: {job: b}}\n",
    expect: [{ severity: "error", object: "Job/j", path: "spec.selector", line: 6, messageId: "refused", data: { field: "spec.selector", change: "spec.selector changes (matchLabels.job: \"a\" → \"b\")", reason: "A Job's selector is fixed at creation (kubernetes/kubernetes pkg/apis/batch/validation).", kubeVersion: "1.34", helmError: "Error: UPGRADE FAILED: cannot patch \"j\" with kind Job: Job.batch \"j\" is invalid: spec.selector: Invalid value: {\"matchLabels\":{\"job\":\"b\"}}: field is immutable" } }],
  },

  // ------------------------------------------------------------------ §1.8 Service
  {
    name: "Service: explicit clusterIP changes",
    from: "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  clusterIP: 10.0.0.10\n",
    to: "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  clusterIP: 10.0.0.11\n",
    expect: [
      {
        severity: "error",
        object: "Service/s",
        path: "spec.clusterIP",
        line: 5,
        messageId: "refused",
        data: {
          field: "spec.clusterIP",
          change: "spec.clusterIP changes from \"10.0.0.10\" to \"10.0.0.11\"",
          reason: "A Service's primary cluster IP cannot change once set (kubernetes/kubernetes pkg/apis/core/validation).",
          kubeVersion: "1.34",
          helmError: "Error: UPGRADE FAILED: cannot patch \"s\" with kind Service: Service \"s\" is invalid: spec.clusterIPs[0]: Invalid value: [\"10.0.0.11\"]: may not change once set",
        },
        evidence: { before: "10.0.0.10", after: "10.0.0.11", apiError: 'Service "s" is invalid: spec.clusterIPs[0]: Invalid value: ["10.0.0.11"]: may not change once set' },
        commands: ["kubectl delete service s -n default", "helm upgrade '<release>' '<chart>' -n default"],
      },
    ],
  },
  {
    name: "Service: allocated IP → headless (None) is refused",
    from: "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: 80}]\n",
    to: "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  clusterIP: None\n  ports: [{port: 80}]\n",
    expect: [{ severity: "error", object: "Service/s", path: "spec.clusterIP", line: 5, messageId: "refused", data: { field: "spec.clusterIP", change: "spec.clusterIP changes from unset (the API server defaults it to \"<allocated IP>\") to \"None\"", reason: "The Service already has an allocated cluster IP; making it headless (clusterIP: None) changes the primary cluster IP, which cannot change once set (kubernetes/kubernetes pkg/apis/core/validation).", kubeVersion: "1.34", helmError: "Error: UPGRADE FAILED: cannot patch \"s\" with kind Service: Service \"s\" is invalid: spec.clusterIPs[0]: Invalid value: [\"None\"]: may not change once set" } }],
  },
  {
    name: "Service: headless → explicit IP is refused; clusterIPs list",
    from: "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  clusterIP: None\n",
    to: "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  clusterIPs: [10.0.0.5]\n",
    expect: [{ severity: "error", object: "Service/s", path: "spec.clusterIPs", line: 5, messageId: "refused", data: { field: "spec.clusterIPs", change: "spec.clusterIPs changes from unset (the API server defaults it to \"None\") to \"10.0.0.5\"", reason: "A Service's primary cluster IP cannot change once set; switching between headless (clusterIP: None) and a cluster IP is such a change (kubernetes/kubernetes pkg/apis/core/validation).", kubeVersion: "1.34", helmError: "Error: UPGRADE FAILED: cannot patch \"s\" with kind Service: Service \"s\" is invalid: spec.clusterIPs[0]: Invalid value: [\"10.0.0.5\"]: may not change once set" } }],
  },
  {
    name: "Service: headless → clusterIP omitted succeeds but stays headless (warning)",
    from: "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  clusterIP: None\n",
    to: "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: 80}]\n",
    expect: [{ severity: "warning", object: "Service/s", path: "spec", line: 4, messageId: "keptByServer", data: { field: "spec.clusterIP", change: "spec.clusterIP changes from \"None\" to unset", reason: "Dropping `clusterIP: None` does not turn a headless Service into a normal one: the API server copies the old value (None) back into the update, so the upgrade succeeds but the Service stays headless (kubernetes/kubernetes #120937).", before: "\"None\"" }, evidence: { apiError: null } }],
  },
  {
    name: "Service: pinning an IP where it was allocated (warning: fails unless it is the allocated one)",
    from: "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: ClusterIP\n",
    to: "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: ClusterIP\n  clusterIP: 10.0.0.7\n",
    expect: [{ severity: "warning", object: "Service/s", path: "spec.clusterIP", line: 6, messageId: "refusedUnlessSame", data: { field: "spec.clusterIP", change: "spec.clusterIP changes from unset (the API server defaults it to \"<allocated IP>\") to \"10.0.0.7\"", reason: "The Service was created without an explicit cluster IP, so the cluster allocated one; pinning 10.0.0.7 now fails unless it is exactly the allocated IP, because the primary cluster IP cannot change once set (kubernetes/kubernetes pkg/apis/core/validation).", kubeVersion: "1.34", helmError: "Error: UPGRADE FAILED: cannot patch \"s\" with kind Service: Service \"s\" is invalid: spec.clusterIPs[0]: Invalid value: [\"10.0.0.7\"]: may not change once set", after: "\"10.0.0.7\"" } }],
  },
  {
    name: "Service: explicit IP removed — kept by the API server from 1.23 → nothing",
    from: "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  clusterIP: 10.0.0.10\n",
    to: "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: NodePort\n",
    expect: [],
  },
  {
    name: "Service: explicit IP removed on 1.22 → the empty value is refused",
    from: "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  clusterIP: 10.0.0.10\n",
    to: "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: ClusterIP\n",
    settings: { kubeVersion: "1.22" },
    expect: [{ severity: "error", object: "Service/s", path: "spec", line: 4, messageId: "refused", data: { field: "spec.clusterIP", change: "spec.clusterIP changes from \"10.0.0.10\" to unset", reason: "Removing the explicit clusterIP makes Helm's three-way patch clear it; Kubernetes 1.22 does not yet copy allocated values back into an update (that arrived with PR #103532, believed 1.23), so the empty value is refused (kubernetes/kubernetes pkg/apis/core/validation).", kubeVersion: "1.22", helmError: "Error: UPGRADE FAILED: cannot patch \"s\" with kind Service: Service \"s\" is invalid: spec.clusterIP: Invalid value: \"\": field is immutable" } }],
  },
  {
    name: "Service: both headless, both unset, ExternalName involved, selector/ports/type changes → nothing",
    from: yaml`
      apiVersion: v1
      kind: Service
      metadata: {name: headless}
      spec: {clusterIP: None, selector: {app: a}}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: plain}
      spec: {ports: [{port: 80}], selector: {app: a}}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: ext}
      spec: {type: ExternalName, externalName: example.com}
    `,
    to: yaml`
      apiVersion: v1
      kind: Service
      metadata: {name: headless}
      spec: {clusterIP: None, selector: {app: b}}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: plain}
      spec: {type: NodePort, ports: [{port: 81, protocol: TCP}], selector: {app: b}}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: ext}
      spec: {clusterIP: 10.0.0.1}
    `,
    expect: [],
  },
  {
    name: "Service: ipFamilies[0] and loadBalancerClass (while LoadBalancer)",
    from: "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: LoadBalancer\n  ipFamilies: [IPv4]\n  loadBalancerClass: a\n",
    to: "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: LoadBalancer\n  ipFamilies: [IPv6]\n  loadBalancerClass: b\n",
    expect: [
      { severity: "error", object: "Service/s", path: "spec.ipFamilies[0]", line: 6, messageId: "refused", data: { field: "spec.ipFamilies[0]", change: "spec.ipFamilies[0] changes from \"IPv4\" to \"IPv6\"", reason: "A Service's primary IP family cannot change once set (kubernetes/kubernetes pkg/apis/core/validation).", kubeVersion: "1.34", helmError: "Error: UPGRADE FAILED: cannot patch \"s\" with kind Service: Service \"s\" is invalid: spec.ipFamilies[0]: Invalid value: \"IPv6\": may not change once set" } },
      { severity: "error", object: "Service/s", path: "spec.loadBalancerClass", line: 7, messageId: "refused", data: { field: "spec.loadBalancerClass", change: "spec.loadBalancerClass changes from \"a\" to \"b\"", reason: "A LoadBalancer Service's loadBalancerClass cannot change while it stays of type LoadBalancer (kubernetes/kubernetes pkg/apis/core/validation).", kubeVersion: "1.34", helmError: "Error: UPGRADE FAILED: cannot patch \"s\" with kind Service: Service \"s\" is invalid: spec.loadBalancerClass: Invalid value: \"b\": may not change once set" } },
    ],
  },
  {
    name: "Service: loadBalancerClass set while becoming a LoadBalancer → nothing",
    from: "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: ClusterIP\n",
    to: "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: LoadBalancer\n  loadBalancerClass: b\n",
    expect: [],
  },

  // ------------------------------------------------------------------ §1.9 PVC
  {
    name: "PVC: storage increase (and the same size written differently) → nothing",
    from: "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n",
    to: "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c, labels: {a: b}}\nspec:\n  accessModes: [ReadWriteOnce]\n  volumeMode: Filesystem\n  resources: {requests: {storage: 2048Mi}}\n",
    expect: [],
  },
  {
    name: "PVC: storage decrease and accessModes change",
    from: "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 10Gi}}\n",
    to: "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec:\n  accessModes: [ReadWriteMany]\n  resources: {requests: {storage: 5Gi}}\n",
    expect: [
      {
        severity: "error",
        object: "PersistentVolumeClaim/c",
        path: "spec.accessModes[0]",
        line: 5,
        messageId: "refused",
        data: {
          field: "spec.accessModes[0]",
          change: "spec.accessModes[0] changes from \"ReadWriteOnce\" to \"ReadWriteMany\"",
          reason: "A PersistentVolumeClaim's spec is immutable after creation, except a storage increase (and volumeAttributesClassName from 1.34) (kubernetes/kubernetes pkg/apis/core/validation).",
          kubeVersion: "1.34",
          helmError: "Error: UPGRADE FAILED: cannot patch \"c\" with kind PersistentVolumeClaim: PersistentVolumeClaim \"c\" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
        },
      },
      {
        severity: "error",
        object: "PersistentVolumeClaim/c",
        path: "spec.resources.requests.storage",
        line: 6,
        messageId: "refused",
        data: {
          field: "spec.resources.requests.storage",
          change: "spec.resources.requests.storage changes from \"10Gi\" to \"5Gi\"",
          reason: "A PersistentVolumeClaim can only grow: its requested storage may be increased (on a bound claim whose StorageClass allows expansion), never decreased (kubernetes/kubernetes pkg/apis/core/validation).",
          kubeVersion: "1.34",
          helmError: "Error: UPGRADE FAILED: cannot patch \"c\" with kind PersistentVolumeClaim: PersistentVolumeClaim \"c\" is invalid: spec.resources.requests.storage: Forbidden: field can not be less than status.capacity",
        },
      },
    ],
  },
  {
    name: "PVC: storage decrease on 1.31 (older message)",
    from: "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec:\n  resources: {requests: {storage: 10Gi}}\n",
    to: "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec:\n  resources: {requests: {storage: 5Gi}}\n",
    settings: { kubeVersion: "1.31" },
    expect: [
      {
        severity: "error",
        object: "PersistentVolumeClaim/c",
        path: "spec.resources.requests.storage",
        line: 5,
        messageId: "refused",
        data: {
          field: "spec.resources.requests.storage",
          change: "spec.resources.requests.storage changes from \"10Gi\" to \"5Gi\"",
          reason: "A PersistentVolumeClaim can only grow: its requested storage may be increased (on a bound claim whose StorageClass allows expansion), never decreased (kubernetes/kubernetes pkg/apis/core/validation).",
          kubeVersion: "1.31",
          helmError: "Error: UPGRADE FAILED: cannot patch \"c\" with kind PersistentVolumeClaim: PersistentVolumeClaim \"c\" is invalid: spec.resources.requests.storage: Forbidden: field can not be less than previous value",
        },
      },
    ],
  },
  {
    name: "PVC: volumeAttributesClassName change allowed on 1.34, set → unset refused",
    from: "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec:\n  volumeAttributesClassName: gold\n---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: d}\nspec:\n  volumeAttributesClassName: gold\n",
    to: "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec:\n  volumeAttributesClassName: silver\n---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: d}\nspec:\n  accessModes: []\n",
    expect: [
      {
        severity: "error",
        object: "PersistentVolumeClaim/d",
        path: "spec.volumeAttributesClassName",
        line: 10,
        messageId: "refused",
        data: {
          field: "spec.volumeAttributesClassName",
          change: "spec.volumeAttributesClassName changes from \"gold\" to unset",
          reason: "volumeAttributesClassName may change from 1.34, but not from a value back to unset (kubernetes/kubernetes pkg/apis/core/validation).",
          kubeVersion: "1.34",
          helmError: "Error: UPGRADE FAILED: cannot patch \"d\" with kind PersistentVolumeClaim: PersistentVolumeClaim \"d\" is invalid: spec.volumeAttributesClassName: Forbidden: update from non-nil value to nil is forbidden",
        },
      },
    ],
  },
  {
    name: "PVC: volumeAttributesClassName change refused before 1.34",
    from: "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec:\n  volumeAttributesClassName: gold\n",
    to: "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec:\n  volumeAttributesClassName: silver\n",
    settings: { kubeVersion: "1.33" },
    expect: [{ severity: "error", object: "PersistentVolumeClaim/c", path: "spec.volumeAttributesClassName", line: 5, messageId: "refused", data: { field: "spec.volumeAttributesClassName", change: "spec.volumeAttributesClassName changes from \"gold\" to \"silver\"", reason: "A PersistentVolumeClaim's spec is immutable after creation, except a storage increase (and volumeAttributesClassName from 1.34) (kubernetes/kubernetes pkg/apis/core/validation).", kubeVersion: "1.33", helmError: "Error: UPGRADE FAILED: cannot patch \"c\" with kind PersistentVolumeClaim: PersistentVolumeClaim \"c\" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims" } }],
  },
  {
    name: "PVC: storageClassName set where it was unset (warning), changed (error), volumeMode (own message)",
    from: "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec:\n  accessModes: [ReadWriteOnce]\n---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: d}\nspec:\n  storageClassName: fast\n",
    to: "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec:\n  accessModes: [ReadWriteOnce]\n  storageClassName: fast\n---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: d}\nspec:\n  storageClassName: slow\n  volumeMode: Block\n",
    expect: [
      { severity: "warning", object: "PersistentVolumeClaim/c", path: "spec.storageClassName", line: 6, messageId: "refusedUnlessSame", data: { field: "spec.storageClassName", change: "spec.storageClassName changes from unset to \"fast\"", reason: "storageClassName may be set once on a claim that has none, but if the cluster has a default StorageClass the claim was given that class's name when it was created, and any other value is refused (kubernetes/kubernetes pkg/apis/core/validation). This upgrade fails unless \"fast\" is the default class.", kubeVersion: "1.34", helmError: "Error: UPGRADE FAILED: cannot patch \"c\" with kind PersistentVolumeClaim: PersistentVolumeClaim \"c\" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims", after: "\"fast\"" } },
      { severity: "error", object: "PersistentVolumeClaim/d", path: "spec.storageClassName", line: 12, messageId: "refused", data: { field: "spec.storageClassName", change: "spec.storageClassName changes from \"fast\" to \"slow\"", reason: "A PersistentVolumeClaim's spec is immutable after creation, except a storage increase (and volumeAttributesClassName from 1.34) (kubernetes/kubernetes pkg/apis/core/validation).", kubeVersion: "1.34", helmError: "Error: UPGRADE FAILED: cannot patch \"d\" with kind PersistentVolumeClaim: PersistentVolumeClaim \"d\" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims" } },
      { severity: "error", object: "PersistentVolumeClaim/d", path: "spec.volumeMode", line: 13, messageId: "refused", data: { field: "spec.volumeMode", change: "spec.volumeMode changes from unset (the API server defaults it to \"Filesystem\") to \"Block\"", reason: "A PersistentVolumeClaim's volumeMode is fixed at creation (kubernetes/kubernetes pkg/apis/core/validation).", kubeVersion: "1.34", helmError: "Error: UPGRADE FAILED: cannot patch \"d\" with kind PersistentVolumeClaim: PersistentVolumeClaim \"d\" is invalid: volumeMode: Invalid value: \"Block\": field is immutable" } },
    ],
  },

  // ------------------------------------------------------------------ §1.10 PV
  {
    name: "PersistentVolume: source and volumeMode refused; capacity, reclaim policy and a first nodeAffinity allowed",
    from: "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv}\nspec:\n  capacity: {storage: 1Gi}\n  nfs: {server: a, path: /x}\n",
    to: "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv}\nspec:\n  capacity: {storage: 2Gi}\n  persistentVolumeReclaimPolicy: Delete\n  nfs: {server: b, path: /x}\n  volumeMode: Block\n  nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [{key: k, operator: Exists}]}]}}\n",
    expect: [
      {
        severity: "error",
        object: "PersistentVolume/pv",
        path: "spec.nfs.server",
        line: 7,
        messageId: "refused",
        data: {
          field: "spec.nfs.server",
          change: "spec.nfs.server changes from \"a\" to \"b\"",
          reason: "A PersistentVolume's volume source cannot change after creation (kubernetes/kubernetes pkg/apis/core/validation).",
          kubeVersion: "1.34",
          helmError: "Error: UPGRADE FAILED: cannot patch \"pv\" with kind PersistentVolume: PersistentVolume \"pv\" is invalid: spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation",
        },
        commands: [`kubectl patch pv pv -p '{"spec":{"persistentVolumeReclaimPolicy":"Retain"}}'`, "kubectl delete pv pv", "helm upgrade '<release>' '<chart>' -n '<namespace>'"],
      },
      { severity: "error", object: "PersistentVolume/pv", path: "spec.volumeMode", line: 8, messageId: "refused", data: { field: "spec.volumeMode", change: "spec.volumeMode changes from unset (the API server defaults it to \"Filesystem\") to \"Block\"", reason: "A PersistentVolume's volumeMode is fixed at creation (kubernetes/kubernetes pkg/apis/core/validation).", kubeVersion: "1.34", helmError: "Error: UPGRADE FAILED: cannot patch \"pv\" with kind PersistentVolume: PersistentVolume \"pv\" is invalid: volumeMode: Invalid value: \"Block\": field is immutable" } },
    ],
  },

  // ------------------------------------------------------------------ §1.11 Secret / ConfigMap
  {
    name: "immutable Secret: data and stringData changes, immutable unset; type change",
    from: yaml`
      apiVersion: v1
      kind: Secret
      metadata: {name: s}
      immutable: true
      data: {a: YQ==}
      stringData: {b: one}
    `,
    to: yaml`
      apiVersion: v1
      kind: Secret
      metadata: {name: s}
      type: kubernetes.io/tls
      data: {a: Yg==}
      stringData: {b: two}
    `,
    expect: [
      // `immutable` is gone from the new manifest: the finding points at the object's first line.
      { severity: "error", object: "Secret/s", path: "immutable", line: 1, messageId: "refused", data: { field: "immutable", change: "immutable changes from true to unset", reason: "Once a Secret is stored with `immutable: true`, that flag cannot be unset (kubernetes/kubernetes pkg/apis/core/validation).", kubeVersion: "1.34", helmError: "Error: UPGRADE FAILED: cannot patch \"s\" with kind Secret: Secret \"s\" is invalid: immutable: Forbidden: field is immutable when `immutable` is set" } },
      { severity: "error", object: "Secret/s", path: "type", line: 4, messageId: "refused", data: { field: "type", change: "type changes from unset (the API server defaults it to \"Opaque\") to \"kubernetes.io/tls\"", reason: "A Secret's type is fixed at creation, whether or not it is marked immutable (kubernetes/kubernetes pkg/apis/core/validation).", kubeVersion: "1.34", helmError: "Error: UPGRADE FAILED: cannot patch \"s\" with kind Secret: Secret \"s\" is invalid: type: Invalid value: \"kubernetes.io/tls\": field is immutable" } },
      // data and stringData are refused with one field error (data): one finding.
      { severity: "error", object: "Secret/s", path: "data.a", line: 5, messageId: "refused", data: { field: "data.a and stringData.b", change: "data.a changes from \"<old content>\" to \"<new content>\"; stringData.b changes from \"<old content>\" to \"<new content>\"", reason: "The stored Secret is marked `immutable: true`, so its data (including changes made through stringData) cannot change (kubernetes/kubernetes pkg/apis/core/validation).", kubeVersion: "1.34", helmError: "Error: UPGRADE FAILED: cannot patch \"s\" with kind Secret: Secret \"s\" is invalid: data: Forbidden: field is immutable when `immutable` is set" }, remedyIncludes: ["new name"] },
    ],
  },
  {
    name: "Secret: same content written as data or stringData, metadata changes, explicit Opaque → nothing; mutable Secret data changes → nothing",
    from: "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nimmutable: true\ndata: {a: YQ==}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: m}\ndata: {a: YQ==}\n",
    to: "apiVersion: v1\nkind: Secret\nmetadata: {name: s, labels: {x: y}}\nimmutable: true\ntype: Opaque\nstringData: {a: a}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: m}\ndata: {a: Yg==}\n",
    expect: [],
  },
  {
    name: "immutable ConfigMap: data and binaryData",
    from: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nimmutable: true\ndata: {a: '1', same: x}\nbinaryData: {b: YQ==}\n",
    to: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nimmutable: true\ndata: {a: '2', same: x}\nbinaryData: {b: Yg==}\n",
    expect: [
      { severity: "error", object: "ConfigMap/c", path: "data.a", line: 5, messageId: "refused", data: { field: "data.a", change: "data.a changes from \"<old content>\" to \"<new content>\"", reason: "The stored ConfigMap is marked `immutable: true`, so its data cannot change (kubernetes/kubernetes pkg/apis/core/validation).", kubeVersion: "1.34", helmError: "Error: UPGRADE FAILED: cannot patch \"c\" with kind ConfigMap: ConfigMap \"c\" is invalid: data: Forbidden: field is immutable when `immutable` is set" }, commands: ["kubectl delete configmap c -n default", "helm upgrade '<release>' '<chart>' -n default"] },
      { severity: "error", object: "ConfigMap/c", path: "binaryData.b", line: 6, messageId: "refused", data: { field: "binaryData.b", change: "binaryData.b changes from \"<old content>\" to \"<new content>\"", reason: "The stored ConfigMap is marked `immutable: true`, so its binaryData cannot change (kubernetes/kubernetes pkg/apis/core/validation).", kubeVersion: "1.34", helmError: "Error: UPGRADE FAILED: cannot patch \"c\" with kind ConfigMap: ConfigMap \"c\" is invalid: binaryData: Forbidden: field is immutable when `immutable` is set" } },
    ],
  },

  // ------------------------------------------------------------------ §1.13, §1.14, §1.16
  {
    name: "RoleBinding and ClusterRoleBinding roleRef; subjects may change",
    from: yaml`
      apiVersion: rbac.authorization.k8s.io/v1
      kind: RoleBinding
      metadata: {name: rb}
      roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
      subjects: [{kind: ServiceAccount, name: a}]
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: ClusterRoleBinding
      metadata: {name: crb}
      roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
    `,
    to: yaml`
      apiVersion: rbac.authorization.k8s.io/v1
      kind: RoleBinding
      metadata: {name: rb}
      roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
      subjects: [{kind: ServiceAccount, name: b}]
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: ClusterRoleBinding
      metadata: {name: crb}
      roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
    `,
    expect: [
      {
        severity: "error",
        object: "RoleBinding/rb",
        path: "roleRef",
        line: 4,
        messageId: "refused",
        data: {
          field: "roleRef",
          change: "roleRef changes (kind: \"Role\" → \"ClusterRole\")",
          reason: "A RoleBinding's roleRef is fixed at creation; only its subjects may change (kubernetes/kubernetes pkg/apis/rbac/validation).",
          kubeVersion: "1.34",
          helmError: "Error: UPGRADE FAILED: cannot patch \"rb\" with kind RoleBinding: RoleBinding.rbac.authorization.k8s.io \"rb\" is invalid: roleRef: Invalid value: {\"APIGroup\":\"rbac.authorization.k8s.io\",\"Kind\":\"ClusterRole\",\"Name\":\"reader\"}: cannot change roleRef",
        },
        commands: ["kubectl delete rolebinding rb -n default", "helm upgrade '<release>' '<chart>' -n default"],
      },
      {
        severity: "error",
        object: "ClusterRoleBinding/crb",
        path: "roleRef",
        line: 10,
        messageId: "refused",
        data: {
          field: "roleRef",
          change: "roleRef changes (name: \"view\" → \"edit\")",
          reason: "A ClusterRoleBinding's roleRef is fixed at creation; only its subjects may change (kubernetes/kubernetes pkg/apis/rbac/validation).",
          kubeVersion: "1.34",
          helmError: "Error: UPGRADE FAILED: cannot patch \"crb\" with kind ClusterRoleBinding: ClusterRoleBinding.rbac.authorization.k8s.io \"crb\" is invalid: roleRef: Invalid value: {\"APIGroup\":\"rbac.authorization.k8s.io\",\"Kind\":\"ClusterRole\",\"Name\":\"edit\"}: cannot change roleRef",
        },
        commands: ["kubectl delete clusterrolebinding crb", "helm upgrade '<release>' '<chart>' -n '<namespace>'"],
      },
    ],
  },
  {
    name: "RoleBinding roleRef on 1.33: Go syntax",
    from: "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: a}\n",
    to: "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: b}\n",
    settings: { kubeVersion: "1.33" },
    expect: [
      {
        severity: "error",
        object: "RoleBinding/rb",
        path: "roleRef",
        line: 4,
        messageId: "refused",
        data: {
          field: "roleRef",
          change: "roleRef changes (name: \"a\" → \"b\")",
          reason: "A RoleBinding's roleRef is fixed at creation; only its subjects may change (kubernetes/kubernetes pkg/apis/rbac/validation).",
          kubeVersion: "1.33",
          helmError: "Error: UPGRADE FAILED: cannot patch \"rb\" with kind RoleBinding: RoleBinding.rbac.authorization.k8s.io \"rb\" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"Role\", Name:\"b\"}: cannot change roleRef",
        },
      },
    ],
  },
  {
    name: "StorageClass: parameters, provisioner, reclaimPolicy, volumeBindingMode; mutable fields and written-out defaults fine",
    from: "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: fast}\nprovisioner: a\nparameters: {type: gp2}\n---\napiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: ok}\nprovisioner: a\n",
    to: "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: fast}\nprovisioner: b\nparameters: {type: gp3}\nreclaimPolicy: Retain\nvolumeBindingMode: WaitForFirstConsumer\n---\napiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: ok, annotations: {storageclass.kubernetes.io/is-default-class: 'true'}}\nprovisioner: a\nreclaimPolicy: Delete\nvolumeBindingMode: Immediate\nallowVolumeExpansion: true\n",
    expect: [
      { severity: "error", object: "StorageClass/fast", path: "provisioner", line: 4, messageId: "refused", data: { field: "provisioner", change: "provisioner changes from \"a\" to \"b\"", reason: "A StorageClass's provisioner is fixed at creation (kubernetes/kubernetes pkg/apis/storage/validation).", kubeVersion: "1.34", helmError: "Error: UPGRADE FAILED: cannot patch \"fast\" with kind StorageClass: StorageClass.storage.k8s.io \"fast\" is invalid: provisioner: Forbidden: updates to provisioner are forbidden." } },
      { severity: "error", object: "StorageClass/fast", path: "parameters", line: 5, messageId: "refused", data: { field: "parameters", change: "parameters changes (type: \"gp2\" → \"gp3\")", reason: "A StorageClass's parameters is fixed at creation (kubernetes/kubernetes pkg/apis/storage/validation).", kubeVersion: "1.34", helmError: "Error: UPGRADE FAILED: cannot patch \"fast\" with kind StorageClass: StorageClass.storage.k8s.io \"fast\" is invalid: parameters: Forbidden: updates to parameters are forbidden." } },
      { severity: "error", object: "StorageClass/fast", path: "reclaimPolicy", line: 6, messageId: "refused", data: { field: "reclaimPolicy", change: "reclaimPolicy changes from unset (the API server defaults it to \"Delete\") to \"Retain\"", reason: "A StorageClass's reclaimPolicy is fixed at creation (kubernetes/kubernetes pkg/apis/storage/validation).", kubeVersion: "1.34", helmError: "Error: UPGRADE FAILED: cannot patch \"fast\" with kind StorageClass: StorageClass.storage.k8s.io \"fast\" is invalid: reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden." } },
      { severity: "error", object: "StorageClass/fast", path: "volumeBindingMode", line: 7, messageId: "refused", data: { field: "volumeBindingMode", change: "volumeBindingMode changes from unset (the API server defaults it to \"Immediate\") to \"WaitForFirstConsumer\"", reason: "A StorageClass's volumeBindingMode is fixed at creation (kubernetes/kubernetes pkg/apis/storage/validation).", kubeVersion: "1.34", helmError: "Error: UPGRADE FAILED: cannot patch \"fast\" with kind StorageClass: StorageClass.storage.k8s.io \"fast\" is invalid: volumeBindingMode: Invalid value: \"WaitForFirstConsumer\": field is immutable" } },
    ],
  },
  {
    name: "IngressClass spec.controller",
    from: "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: nginx}\nspec:\n  controller: k8s.io/ingress-nginx\n",
    to: "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: nginx}\nspec:\n  controller: example.com/other\n",
    expect: [
      {
        severity: "error",
        object: "IngressClass/nginx",
        path: "spec.controller",
        line: 5,
        messageId: "refused",
        data: {
          field: "spec.controller",
          change: "spec.controller changes from \"k8s.io/ingress-nginx\" to \"example.com/other\"",
          reason: "An IngressClass's controller is fixed at creation (kubernetes/kubernetes pkg/apis/networking/validation).",
          kubeVersion: "1.34",
          helmError: "Error: UPGRADE FAILED: cannot patch \"nginx\" with kind IngressClass: IngressClass.networking.k8s.io \"nginx\" is invalid: spec.controller: Invalid value: \"example.com/other\": field is immutable",
        },
        commands: ["kubectl delete ingressclass nginx", "helm upgrade '<release>' '<chart>' -n '<namespace>'"],
      },
    ],
  },

  // ------------------------------------------------------------------ §1.12 Pod
  {
    name: "bare Pod: image and added tolerations allowed; env change and an added container refused",
    from: yaml`
      apiVersion: v1
      kind: Pod
      metadata: {name: p}
      spec:
        tolerations: [{key: a, operator: Exists}]
        containers:
          - {name: a, image: "a:1", env: [{name: X, value: "1"}]}
    `,
    to: yaml`
      apiVersion: v1
      kind: Pod
      metadata: {name: p, labels: {new: label}}
      spec:
        tolerations: [{key: a, operator: Exists}, {key: b, operator: Exists}]
        containers:
          - {name: a, image: "a:2", env: [{name: X, value: "2"}]}
        initContainers:
          - {name: init, image: "i:1"}
    `,
    expect: [
      { severity: "error", object: "Pod/p", path: "spec.containers[0].env[0].value", line: 7, messageId: "refused", data: { field: "spec.containers[0].env[0].value", change: "spec.containers[0].env[0].value changes from \"1\" to \"2\"", reason: "A Pod's spec is immutable except container images, activeDeadlineSeconds (set or lowered), added tolerations and removed scheduling gates (kubernetes/kubernetes pkg/apis/core/validation). Resource changes go through the resize subresource, not through helm upgrade.", kubeVersion: "1.34", helmError: "Error: UPGRADE FAILED: cannot patch \"p\" with kind Pod: Pod \"p\" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)" } },
      { severity: "error", object: "Pod/p", path: "spec.initContainers", line: 8, messageId: "refused", data: { field: "spec.initContainers", change: "spec.initContainers changes from unset (the API server defaults it to 0) to 1", reason: "Containers cannot be added to or removed from a running Pod (kubernetes/kubernetes pkg/apis/core/validation).", kubeVersion: "1.34", helmError: "Error: UPGRADE FAILED: cannot patch \"p\" with kind Pod: Pod \"p\" is invalid: spec.initContainers: Forbidden: pod updates may not add or remove containers" } },
    ],
  },
  {
    name: "test Pods are hooks → nothing",
    from: "apiVersion: v1\nkind: Pod\nmetadata: {name: t, annotations: {helm.sh/hook: test}}\nspec: {containers: [{name: a, image: a:1, args: [x]}]}\n",
    to: "apiVersion: v1\nkind: Pod\nmetadata: {name: t, annotations: {helm.sh/hook: test}}\nspec: {containers: [{name: a, image: a:1, args: [y]}]}\n",
    expect: [],
  },
]);
