import assert from "node:assert/strict";
import { test } from "node:test";
import { buildContext, DEFAULT_SETTINGS, type ChartFacts } from "../../../src/analyze/context.ts";
import { danglingSelector } from "../../../src/analyze/rules/dangling-selector.ts";
import { runRules } from "../../../src/analyze/run.ts";
import { parseYamlStream } from "../../../src/load/yaml.ts";
import { objectsFromDocuments } from "../../../src/model/object.ts";
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
        messageId: "serviceNoPods",
        data: { selector: "app.kubernetes.io/name=web,app.kubernetes.io/instance=staging" },
        related: ["Deployment/web"],
        evidence: {
          selector: "app.kubernetes.io/name=web,app.kubernetes.io/instance=staging",
          matches: [],
          nearMisses: [{ object: "Deployment/web", unmatched: "app.kubernetes.io/instance=staging (has app.kubernetes.io/instance=prod)" }],
        },
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
    expect: [{ severity: "warning", object: "Service/e", path: "spec.selector", line: 33, messageId: "serviceNoPods", data: { selector: "name=e,release=prod" }, related: [], evidence: { nearMisses: [] } }],
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
    expect: [{ severity: "warning", object: "Service/web", path: "spec.selector", line: 17, messageId: "serviceNoPods", data: { selector: "app.kubernetes.io/name=web" }, evidence: { elsewhere: ["Deployment/web in namespace default"] } }],
  },
  {
    name: "pods elsewhere: the first three, in input order, from every other namespace (not the Service's own)",
    manifest: ["a", "b", "c", "d"].map((ns) => yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: api-${ns}, namespace: ${ns}}
      spec:
        selector: {matchLabels: {app: api}}
        template:
          metadata: {labels: {app: api}}
    `).join("---\n") + yaml`
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: api, namespace: z}
      spec:
        selector: {app: api}
    `,
    expect: [
      {
        severity: "warning",
        object: "Service/api",
        path: "spec.selector",
        line: 37,
        messageId: "serviceNoPods",
        data: { selector: "app=api" },
        evidence: { elsewhere: ["Deployment/api-a in namespace a", "Deployment/api-b in namespace b", "Deployment/api-c in namespace c"] },
      },
    ],
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
    expect: [{ severity: "warning", object: "PodDisruptionBudget/web", path: "spec.selector", line: 16, messageId: "pdbNoSelector", data: {  } }],
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
    expect: [{ severity: "warning", object: "PodDisruptionBudget/all", path: "spec.selector", line: 18, messageId: "pdbEmptyNoPods", data: { namespace: "empty" } }],
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
        messageId: "pdbEmptyV1beta1",
        data: {  },
        evidence: { apiVersion: "policy/v1beta1" },
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
        messageId: "pdbNoPods",
        data: { selector: "app.kubernetes.io/name=web,track" },
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
        messageId: "hpaMissingTarget",
        data: { target: "Deployment/web-old" },
        evidence: { target: "Deployment/web-old", sameName: [] },
      },
      {
        severity: "warning",
        object: "HorizontalPodAutoscaler/api-kind",
        path: "spec.scaleTargetRef",
        line: 49,
        messageId: "hpaMissingTarget",
        data: { target: "Deployment/api" },
        evidence: { sameName: ["Rollout/api"] },
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
      { severity: "warning", object: "ServiceMonitor/pod-labels", path: "spec.selector", line: 14, messageId: "serviceMonitorNoServices", data: { selector: "app=web", namespaces: "app" }, evidence: { podLabelsOf: ["Deployment/web"], elsewhere: [] } },
      { severity: "warning", object: "ServiceMonitor/wrong-namespace", path: "spec.selector", line: 20, messageId: "serviceMonitorNoServices", data: { selector: "app.kubernetes.io/name=web", namespaces: "monitoring" }, evidence: { podLabelsOf: [], elsewhere: ["Service/web in namespace app"] } },
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
    expect: [{ severity: "warning", object: "PodMonitor/typo", path: "spec.selector", line: 23, messageId: "podMonitorNoPods", data: { selector: "app.kubernetes.io/name=wbe", namespaces: "default" } }],
  },
  {
    name: "pods an operator runs for a custom resource in the namespace (prometheus-operator's Prometheus): not provable, nothing reported",
    manifest: yaml`
      apiVersion: monitoring.coreos.com/v1
      kind: Prometheus
      metadata: {name: k8s}
      spec: {replicas: 2}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: prometheus}
      spec:
        selector: {app.kubernetes.io/name: prometheus, operator.prometheus.io/name: k8s}
      ---
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata: {name: prometheus}
      spec:
        minAvailable: 1
        selector: {matchLabels: {app.kubernetes.io/name: prometheus}}
    `,
    expect: [],
  },
  {
    name: "configuration-only custom resources (a PrometheusRule, a Certificate) run no pods: a typo is still reported",
    manifest: withWeb(yaml`
      apiVersion: monitoring.coreos.com/v1
      kind: PrometheusRule
      metadata: {name: web}
      spec: {groups: []}
      ---
      apiVersion: cert-manager.io/v1
      kind: Certificate
      metadata: {name: web}
      spec: {secretName: web-tls}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web}
      spec:
        selector: {app.kubernetes.io/name: wbe}
    `),
    expect: [{ severity: "warning", object: "Service/web", path: "spec.selector", line: 27, messageId: "serviceNoPods", data: { selector: "app.kubernetes.io/name=wbe" } }],
  },
  {
    name: "a custom resource in another namespace says nothing about this one",
    manifest: withWeb(yaml`
      apiVersion: monitoring.coreos.com/v1
      kind: Alertmanager
      metadata: {name: main, namespace: monitoring}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web}
      spec:
        selector: {app.kubernetes.io/name: wbe}
    `),
    expect: [{ severity: "warning", object: "Service/web", path: "spec.selector", line: 21, messageId: "serviceNoPods", data: { selector: "app.kubernetes.io/name=wbe" } }],
  },
  {
    name: "Services and monitors of the cluster's own components in kube-system, and of the API server's default/kubernetes Service",
    manifest: yaml`
      apiVersion: v1
      kind: Service
      metadata: {name: kube-scheduler, namespace: kube-system}
      spec:
        clusterIP: None
        selector: {component: kube-scheduler}
      ---
      apiVersion: monitoring.coreos.com/v1
      kind: ServiceMonitor
      metadata: {name: kubelet, namespace: monitoring}
      spec:
        namespaceSelector: {matchNames: [kube-system]}
        selector: {matchLabels: {app.kubernetes.io/name: kubelet, k8s-app: kubelet}}
      ---
      apiVersion: monitoring.coreos.com/v1
      kind: ServiceMonitor
      metadata: {name: apiserver, namespace: monitoring}
      spec:
        namespaceSelector: {matchNames: [default]}
        selector: {matchLabels: {component: apiserver, provider: kubernetes}}
      ---
      apiVersion: monitoring.coreos.com/v1
      kind: ServiceMonitor
      metadata: {name: everywhere, namespace: monitoring}
      spec:
        namespaceSelector: {any: true}
        selector: {matchLabels: {app: some-other-release}}
    `,
    expect: [],
  },
  {
    name: "the API server's labels in another namespace than default: no such Service, reported",
    manifest: yaml`
      apiVersion: monitoring.coreos.com/v1
      kind: ServiceMonitor
      metadata: {name: apiserver, namespace: monitoring}
      spec:
        selector: {matchLabels: {component: apiserver, provider: kubernetes}}
    `,
    expect: [{ severity: "warning", object: "ServiceMonitor/apiserver", path: "spec.selector", line: 5, messageId: "serviceMonitorNoServices", data: { selector: "component=apiserver,provider=kubernetes", namespaces: "monitoring" } }],
  },
  {
    name: "a per-pod Service selecting the StatefulSet controller's pod-name label: the templates match the rest; a typo in the rest is reported",
    manifest: yaml`
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: db}
      spec:
        selector: {matchLabels: {app: db}}
        template: {metadata: {labels: {app: db}}}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: db-0}
      spec:
        selector: {app: db, statefulset.kubernetes.io/pod-name: db-0}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: db-1}
      spec:
        selector: {app: dbb, statefulset.kubernetes.io/pod-name: db-1}
    `,
    expect: [{ severity: "warning", object: "Service/db-1", path: "spec.selector", line: 18, messageId: "serviceNoPods", data: { selector: "app=dbb,statefulset.kubernetes.io/pod-name=db-1" } }],
  },
  {
    name: "a label an operator of the release puts on its pods at run time (its Role may patch pods): not provable; without that grant, reported",
    manifest: yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: operator}
      spec:
        selector: {matchLabels: {app: operator}}
        template: {metadata: {labels: {app: operator}}}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: operator}
      spec:
        selector: {app: operator, operator: leader}
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: Role
      metadata: {name: operator}
      rules:
        - apiGroups: [""]
          resources: [pods]
          verbs: [get, list, patch]
    `,
    expect: [],
  },
  {
    name: "without a grant to patch pods, a label no template carries is a mistake: reported",
    manifest: yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: operator}
      spec:
        selector: {matchLabels: {app: operator}}
        template: {metadata: {labels: {app: operator}}}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: operator}
      spec:
        selector: {app: operator, operator: leader}
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: Role
      metadata: {name: operator}
      rules:
        - apiGroups: [""]
          resources: [pods]
          verbs: [get, list]
    `,
    expect: [{ severity: "warning", object: "Service/operator", path: "spec.selector", line: 12, messageId: "serviceNoPods", data: { selector: "app=operator,operator=leader" } }],
  },
  {
    name: "HPA without a scale target name, and an HPA whose target's selector misses its own pods",
    manifest: yaml`
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata: {name: nameless}
      spec:
        scaleTargetRef: {apiVersion: apps/v1, kind: Deployment}
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        selector: {matchLabels: {app: web}}
        template: {metadata: {labels: {app: wbe}}}
      ---
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata: {name: web}
      spec:
        scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
    `,
    expect: [
      { severity: "warning", object: "HorizontalPodAutoscaler/nameless", path: "spec.scaleTargetRef", line: 5, messageId: "hpaNoTarget", data: {  } },
      { severity: "warning", object: "HorizontalPodAutoscaler/web", path: "spec.scaleTargetRef", line: 18, messageId: "hpaTargetNoPods", data: { target: "Deployment/web", selector: "app=web" } },
    ],
  },
]);

/** `docs` as one chart's render (release `shop` of chart `charts/shop`, every object from `template` when given), checked with `facts`. */
function findingsInChart(manifest: string, facts: ChartFacts | undefined, template?: string) {
  const release = { name: "shop", namespace: "default", chart: "charts/shop", valuesArguments: [] };
  const docs = parseYamlStream(manifest, "charts/shop (rendered)").map((doc) => ({ ...doc, release, ...(template === undefined ? {} : { template }) }));
  const context = buildContext(objectsFromDocuments(docs, { namespace: "default" }).objects, DEFAULT_SETTINGS);
  if (facts) context.chartFacts = facts;
  return runRules(context, [danglingSelector]).map((f) => `${f.severity} ${f.object.kind}/${f.object.name} ${f.path}`);
}

const typo = withWeb(yaml`
  apiVersion: v1
  kind: Service
  metadata: {name: web}
  spec:
    selector: {app.kubernetes.io/name: web, app.kubernetes.io/component: querier}
  ---
  apiVersion: autoscaling/v2
  kind: HorizontalPodAutoscaler
  metadata: {name: querier}
  spec:
    scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: querier}
`);
const none: ChartFacts = { missingDependencies: new Map(), unrenderedWorkloads: new Map(), lookups: new Map(), installConditional: new Set(), hashesReusedSecret: new Map() };

test("dangling-selector: the chart's whole view shows nothing that could satisfy the selector: reported", () => {
  assert.deepEqual(findingsInChart(typo, none), ["warning Service/web spec.selector", "warning HorizontalPodAutoscaler/querier spec.scaleTargetRef"]);
});

test("dangling-selector: a chart that renders no workload and has no template that could fronts other releases' pods: nothing reported; as plain manifests, reported", () => {
  const serviceOnly = yaml`
    apiVersion: v1
    kind: Service
    metadata: {name: lb}
    spec:
      selector: {app: db, lb: include}
  `;
  assert.deepEqual(findingsInChart(serviceOnly, none), []);
  assert.deepEqual(findingsInChart(serviceOnly, unrendered("        app: cache\n")), ["warning Service/lb spec.selector"]);
  const context = buildContext(objectsFromDocuments(parseYamlStream(serviceOnly, "lb.yaml"), { namespace: "default" }).objects, DEFAULT_SETTINGS);
  assert.deepEqual(runRules(context, [danglingSelector]).map((f) => `${f.severity} ${f.object.kind}/${f.object.name} ${f.path}`), ["warning Service/lb spec.selector"]);
});

test("dangling-selector: a chart rendered without a dependency (--skip-missing-deps) is a partial view: nothing reported", () => {
  assert.deepEqual(findingsInChart(typo, { ...none, missingDependencies: new Map([["charts/shop", ["loki"]]]) }), []);
});

/** A workload template of chart `charts/shop` these values do not render, whose pod labels are written as `labels`. */
function unrendered(labels: string, chart = "charts/shop"): ChartFacts {
  const text = `{{- if .Values.querier.enabled }}\nkind: Deployment\nspec:\n  template:\n    metadata:\n      labels:\n${labels}{{- end }}\n`;
  return { ...none, unrenderedWorkloads: new Map([[chart, [{ template: "templates/querier.yaml", text }]]]) };
}

test("dangling-selector: a workload template these values do not render (a disabled component) could render the labels: nothing reported", () => {
  const literal = "        app.kubernetes.io/name: web\n        app.kubernetes.io/component: querier\n";
  assert.deepEqual(findingsInChart(typo, unrendered(literal)), []);
  // A value from a template action (a helper, .Values, .Release.Name) could be anything: not provable either.
  const templated = '        app.kubernetes.io/name: {{ include "shop.name" . }}\n        app.kubernetes.io/component: {{ .Values.querier.component }}\n';
  assert.deepEqual(findingsInChart(typo, unrendered(templated)), []);
});

test("dangling-selector: a disabled template that writes another value, or another chart's disabled template, proves nothing: reported", () => {
  const other = "        app.kubernetes.io/name: web\n        app.kubernetes.io/component: ingester\n";
  // The HPA's missing target may be that disabled workload (its name is not compared): not reported.
  assert.deepEqual(findingsInChart(typo, unrendered(other)), ["warning Service/web spec.selector"]);
  const literal = "        app.kubernetes.io/name: web\n        app.kubernetes.io/component: querier\n";
  assert.equal(findingsInChart(typo, unrendered(literal, "charts/other")).length, 2);
});

test("dangling-selector: a selector or scale target the template never writes (its keys, its kind) is values data for the user's pods: nothing reported; written ones are", () => {
  const template = "charts/shop/templates/resources.yaml";
  const fromValues = "{{- range .Values.objects }}\nspec:\n  selector:\n    {{- toYaml .selector | nindent 4 }}\n  scaleTargetRef:\n    {{- toYaml .target | nindent 4 }}\n{{- end }}\n";
  assert.deepEqual(findingsInChart(typo, { ...none, templateTexts: new Map([[template, [fromValues]]]) }, template), []);
  const written = "spec:\n  selector:\n    app.kubernetes.io/component: querier\n  scaleTargetRef:\n    kind: Deployment\n";
  assert.deepEqual(findingsInChart(typo, { ...none, templateTexts: new Map([[template, [fromValues, written]]]) }, template), [
    "warning Service/web spec.selector",
    "warning HorizontalPodAutoscaler/querier spec.scaleTargetRef",
  ]);
});
