import { danglingSelector } from "../../../src/analyze/rules/dangling-selector.ts";
import { ruleCases, yaml } from "../../helpers/rule-cases.ts";

const web = yaml`
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
    labels: {app.kubernetes.io/name: web}
  spec:
    selector:
      matchLabels: {app.kubernetes.io/name: web, app.kubernetes.io/instance: prod}
    template:
      metadata:
        labels: {app.kubernetes.io/name: web, app.kubernetes.io/instance: prod}
`;

/** `web` (11 lines) followed by more documents. */
function withWeb(rest: string): string {
  return `${web}---\n${rest}`;
}

ruleCases(danglingSelector, [
  {
    name: "a Service that selects the Deployment's pods",
    manifest: withWeb(yaml`
      apiVersion: v1
      kind: Service
      metadata: {name: web}
      spec:
        selector: {app.kubernetes.io/name: web}
    `),
    expect: [],
  },
  {
    name: "a Service whose selector matches no pod; the near miss is named",
    manifest: withWeb(yaml`
      apiVersion: v1
      kind: Service
      metadata: {name: web}
      spec:
        selector:
          app.kubernetes.io/name: web
          app.kubernetes.io/instance: staging
    `),
    expect: [
      {
        severity: "warning",
        object: "Service/web",
        path: "spec.selector",
        line: 17,
        related: ["Deployment/web"],
        evidence: {
          selector: "app.kubernetes.io/name=web,app.kubernetes.io/instance=staging",
          matches: [],
          nearMisses: [{ object: "Deployment/web", unmatched: "app.kubernetes.io/instance=staging (has app.kubernetes.io/instance=prod)" }],
        },
        messageIncludes: ["matches no pods in the checked manifests", "Closest: Deployment/web"],
      },
    ],
  },
  {
    name: "no near miss is named when the rest of the selector matches many workloads",
    manifest: yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: a}
      spec:
        selector: {matchLabels: {name: a, release: prod}}
        template: {metadata: {labels: {name: a, release: prod}}}
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: b}
      spec:
        selector: {matchLabels: {name: b, release: prod}}
        template: {metadata: {labels: {name: b, release: prod}}}
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: c}
      spec:
        selector: {matchLabels: {name: c, release: prod}}
        template: {metadata: {labels: {name: c, release: prod}}}
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: d}
      spec:
        selector: {matchLabels: {name: d, release: prod}}
        template: {metadata: {labels: {name: d, release: prod}}}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: e}
      spec:
        selector: {name: e, release: prod}
    `,
    expect: [{ severity: "warning", object: "Service/e", path: "spec.selector", line: 33, related: [], evidence: { nearMisses: [] } }],
  },
  {
    name: "Services without a selector (manual Endpoints), with an empty map, or of type ExternalName are fine",
    manifest: withWeb(yaml`
      apiVersion: v1
      kind: Service
      metadata: {name: external-db}
      spec:
        ports: [{port: 5432}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: empty}
      spec:
        selector: {}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: alias}
      spec:
        type: ExternalName
        externalName: db.example.com
        selector: {app: gone}
    `),
    expect: [],
  },
  {
    name: "a Service selecting only a helm test pod or a Job still selects pods",
    manifest: yaml`
      apiVersion: batch/v1
      kind: Job
      metadata: {name: seed}
      spec:
        template:
          metadata: {labels: {app: seed}}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: seed}
      spec:
        selector: {app: seed}
    `,
    expect: [],
  },
  {
    name: "a Service in another namespace than the pods it names",
    manifest: withWeb(yaml`
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: other}
      spec:
        selector: {app.kubernetes.io/name: web}
    `),
    expect: [{ severity: "warning", object: "Service/web", path: "spec.selector", line: 17, messageIncludes: ["It would match Deployment/web in namespace default"] }],
  },
  {
    name: "PDB: nil selector selects nothing",
    manifest: withWeb(yaml`
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata: {name: web}
      spec:
        minAvailable: 1
    `),
    expect: [{ severity: "warning", object: "PodDisruptionBudget/web", path: "spec.selector", line: 16, messageIncludes: ["has no spec.selector"] }],
  },
  {
    name: "PDB policy/v1 {} selects every pod of the namespace: fine when there are pods",
    manifest: withWeb(yaml`
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata: {name: all}
      spec:
        minAvailable: 1
        selector: {}
    `),
    expect: [],
  },
  {
    name: "PDB policy/v1 {} in a namespace without pods",
    manifest: withWeb(yaml`
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata: {name: all, namespace: empty}
      spec:
        minAvailable: 1
        selector: {}
    `),
    expect: [{ severity: "warning", object: "PodDisruptionBudget/all", path: "spec.selector", line: 18, messageIncludes: ["namespace empty"] }],
  },
  {
    name: "PDB policy/v1beta1 {} selects nothing",
    manifest: withWeb(yaml`
      apiVersion: policy/v1beta1
      kind: PodDisruptionBudget
      metadata: {name: legacy}
      spec:
        maxUnavailable: 1
        selector: {}
    `),
    expect: [
      {
        severity: "warning",
        object: "PodDisruptionBudget/legacy",
        path: "spec.selector",
        line: 18,
        evidence: { apiVersion: "policy/v1beta1" },
        messageIncludes: ["under policy/v1beta1, where an empty selector selects no pods", "removed in Kubernetes 1.25"],
      },
    ],
  },
  {
    name: "PDB matchExpressions NotIn matches pods that lack the key",
    manifest: withWeb(yaml`
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata: {name: web}
      spec:
        minAvailable: 1
        selector:
          matchLabels: {app.kubernetes.io/name: web}
          matchExpressions:
            - {key: track, operator: NotIn, values: [canary]}
    `),
    expect: [],
  },
  {
    name: "PDB whose Exists expression no pod satisfies",
    manifest: withWeb(yaml`
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata: {name: web}
      spec:
        minAvailable: 1
        selector:
          matchLabels: {app.kubernetes.io/name: web}
          matchExpressions:
            - {key: track, operator: Exists}
    `),
    expect: [
      {
        severity: "warning",
        object: "PodDisruptionBudget/web",
        path: "spec.selector",
        line: 18,
        evidence: { nearMisses: [{ object: "Deployment/web", unmatched: "track (label absent)" }] },
      },
    ],
  },
  {
    name: "HPA: target present (Deployment), target on a Rollout, target missing, wrong kind",
    manifest: withWeb(yaml`
      apiVersion: argoproj.io/v1alpha1
      kind: Rollout
      metadata: {name: api}
      spec:
        selector: {matchLabels: {app: api}}
        template:
          metadata: {labels: {app: api}}
      ---
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata: {name: web}
      spec:
        scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
        maxReplicas: 3
      ---
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata: {name: api}
      spec:
        scaleTargetRef: {apiVersion: argoproj.io/v1alpha1, kind: Rollout, name: api}
        maxReplicas: 3
      ---
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata: {name: gone}
      spec:
        scaleTargetRef:
          apiVersion: apps/v1
          kind: Deployment
          name: web-old
        maxReplicas: 3
      ---
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata: {name: api-kind}
      spec:
        scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
        maxReplicas: 3
    `),
    expect: [
      {
        severity: "warning",
        object: "HorizontalPodAutoscaler/gone",
        path: "spec.scaleTargetRef",
        line: 39,
        evidence: { target: "Deployment/web-old" },
        messageIncludes: ["Deployment/web-old, which is not in the checked manifests"],
      },
      {
        severity: "warning",
        object: "HorizontalPodAutoscaler/api-kind",
        path: "spec.scaleTargetRef",
        line: 49,
        messageIncludes: ["Rollout/api with that name"],
      },
    ],
  },
  {
    name: "ServiceMonitor: selects a Service by its metadata labels (own namespace, matchNames, any)",
    manifest: yaml`
      apiVersion: v1
      kind: Service
      metadata:
        name: web
        namespace: app
        labels: {app.kubernetes.io/name: web}
      spec:
        ports: [{port: 80}]
      ---
      apiVersion: monitoring.coreos.com/v1
      kind: ServiceMonitor
      metadata: {name: own, namespace: app}
      spec:
        selector: {matchLabels: {app.kubernetes.io/name: web}}
      ---
      apiVersion: monitoring.coreos.com/v1
      kind: ServiceMonitor
      metadata: {name: named, namespace: monitoring}
      spec:
        namespaceSelector: {matchNames: [app]}
        selector: {matchLabels: {app.kubernetes.io/name: web}}
      ---
      apiVersion: monitoring.coreos.com/v1
      kind: ServiceMonitor
      metadata: {name: any, namespace: monitoring}
      spec:
        namespaceSelector: {any: true}
        selector: {matchLabels: {app.kubernetes.io/name: web}}
    `,
    expect: [],
  },
  {
    name: "ServiceMonitor: pod labels instead of Service labels, and a Service in another namespace",
    manifest: yaml`
      apiVersion: v1
      kind: Service
      metadata:
        name: web
        namespace: app
        labels: {app.kubernetes.io/name: web}
      spec:
        ports: [{port: 80}]
      ---
      apiVersion: monitoring.coreos.com/v1
      kind: ServiceMonitor
      metadata: {name: pod-labels, namespace: app}
      spec:
        selector: {matchLabels: {app: web}}
      ---
      apiVersion: monitoring.coreos.com/v1
      kind: ServiceMonitor
      metadata: {name: wrong-namespace, namespace: monitoring}
      spec:
        selector: {matchLabels: {app.kubernetes.io/name: web}}
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, namespace: app}
      spec:
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
    `,
    expect: [
      { severity: "warning", object: "ServiceMonitor/pod-labels", path: "spec.selector", line: 14, messageIncludes: ["no Service in namespace app", "These are the pod labels of Deployment/web"] },
      { severity: "warning", object: "ServiceMonitor/wrong-namespace", path: "spec.selector", line: 20, messageIncludes: ["no Service in namespace monitoring", "It would match Service/web in namespace app"] },
    ],
  },
  {
    name: "PodMonitor: one selects the pods, one selects nothing",
    manifest: withWeb(yaml`
      apiVersion: monitoring.coreos.com/v1
      kind: PodMonitor
      metadata: {name: web}
      spec:
        selector: {matchLabels: {app.kubernetes.io/name: web}}
      ---
      apiVersion: monitoring.coreos.com/v1
      kind: PodMonitor
      metadata: {name: typo}
      spec:
        selector: {matchLabels: {app.kubernetes.io/name: wbe}}
    `),
    expect: [{ severity: "warning", object: "PodMonitor/typo", path: "spec.selector", line: 23, messageIncludes: ["matches no pods in namespace default"] }],
  },
]);
