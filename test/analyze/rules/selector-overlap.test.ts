import { selectorOverlap } from "../../../src/analyze/rules/selector-overlap.ts";
import { ruleCases, yaml } from "../../helpers/rule-cases.ts";

/** A Deployment `name` whose pods carry `labels` and whose selector is `selector` (both flow maps). */
function deployment(name: string, selector: string, labels: string, extra = ""): string {
  return yaml`
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: ${name}${extra}}
    spec:
      selector:
        matchLabels: ${selector}
      template:
        metadata:
          labels: ${labels}
  `;
}

/** A StatefulSet `name` governed by the headless Service `serviceName`, one shard of the `ch` cluster. */
function shard(name: string, serviceName: string, index: string): string {
  return yaml`
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: ${name}}
    spec:
      serviceName: ${serviceName}
      selector: {matchLabels: {app: ch, shard: "${index}"}}
      template: {metadata: {labels: {app: ch, component: server, shard: "${index}"}}}
  `;
}

/** A StatefulSet `name` of tempo's ingester pods running `image`: one zone's copy in zone-aware replication. */
function zoneCopy(name: string, image: string): string {
  return yaml`
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: ${name}}
    spec:
      serviceName: ${name}
      selector: {matchLabels: {app: tempo, component: ingester, zone: ${name}}}
      template:
        metadata: {labels: {app: tempo, component: ingester, zone: ${name}}}
        spec:
          containers: [{name: ingester, image: "${image}"}]
  `;
}

/** A Service over every pod of the `ch` cluster; `clusterIP: None` makes it headless. */
function service(name: string, clusterIP: string): string {
  return yaml`
    apiVersion: v1
    kind: Service
    metadata: {name: ${name}}
    spec:
      clusterIP: ${clusterIP}
      selector: {app: ch, component: server}
  `;
}

/** A Job over the pods of the `db` StatefulSet, with these annotations and an extra spec line. */
function dbJob(name: string, annotations: string, specLine = "completions: 1"): string {
  return yaml`
    apiVersion: batch/v1
    kind: Job
    metadata: {name: ${name}, annotations: ${annotations}}
    spec:
      ${specLine}
      template: {metadata: {labels: {app: db}}}
  `;
}

/** The `db` StatefulSet, these documents, and the headless Service governing it (whose selector takes in every `app: db` pod). */
function governedDb(...between: string[]): string {
  const statefulSet = yaml`
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: db}
    spec:
      serviceName: db-headless
      selector: {matchLabels: {app: db}}
      template: {metadata: {labels: {app: db}}}
  `;
  const headless = yaml`
    apiVersion: v1
    kind: Service
    metadata: {name: db-headless}
    spec:
      clusterIP: None
      selector: {app: db}
  `;
  return docs(statefulSet, ...between, headless);
}

/** Documents joined into one stream. */
function docs(...parts: string[]): string {
  return parts.map((p) => (p.endsWith("\n") ? p : `${p}\n`)).join("---\n");
}

/** blackbox-exporter's Service, and a ServiceMonitor probing one target through it (params in either order). */
const BLACKBOX = yaml`
  apiVersion: v1
  kind: Service
  metadata: {name: blackbox, labels: {app: blackbox}}
  spec:
    selector: {app: blackbox}
`;
function probeMonitor(name: string, target: string, targetFirst = false): string {
  const params = targetFirst ? `{target: [${target}], module: [http_2xx]}` : `{module: [http_2xx], target: [${target}]}`;
  return yaml`
    apiVersion: monitoring.coreos.com/v1
    kind: ServiceMonitor
    metadata: {name: ${name}}
    spec:
      selector:
        matchLabels: {app: blackbox}
      endpoints: [{port: http, path: /probe, params: ${params}}]
  `;
}

/** Two HPAs whose targets' selectors both take in the worker's pods. */
const HPAS_OVER_SHARED_PODS = docs(
  deployment("api", "{app: shop}", "{app: shop, c: api}"),
  deployment("worker", "{app: shop, c: worker}", "{app: shop, c: worker}"),
  yaml`
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata: {name: api}
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
      maxReplicas: 5
    ---
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata: {name: worker}
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: worker}
      maxReplicas: 5
  `,
);

ruleCases(selectorOverlap, [
  {
    name: "a Service whose named targetPort the Job's pods do not declare sends them no traffic; one they declare does, and a headless Service names them all",
    manifest: yaml`
      apiVersion: v1
      kind: Service
      metadata: {name: web}
      spec:
        selector: {app: web}
        ports: [{port: 80, targetPort: http}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web-metrics}
      spec:
        selector: {app: web}
        ports: [{port: 9090, targetPort: metrics}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web-peers}
      spec:
        clusterIP: None
        selector: {app: web}
        ports: [{port: 80, targetPort: http}]
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        selector: {matchLabels: {app: web, component: server}}
        template:
          metadata: {labels: {app: web, component: server}}
          spec: {containers: [{name: web, image: web, ports: [{name: http, containerPort: 8080}, {name: metrics, containerPort: 9090}]}]}
      ---
      apiVersion: batch/v1
      kind: Job
      metadata: {name: web-migrate}
      spec:
        template:
          metadata: {labels: {app: web}}
          spec: {restartPolicy: Never, containers: [{name: migrate, image: web, ports: [{name: metrics, containerPort: 9090}]}]}
    `,
    expect: [
      { severity: "error", object: "Service/web-metrics", path: "spec.selector", line: 12, messageId: "serviceSelectsJobs", data: { target: "Deployment/web", jobs: "Job/web-migrate" }, related: ["Job/web-migrate"] },
      { severity: "error", object: "Service/web-peers", path: "spec.selector", line: 20, messageId: "serviceSelectsJobs", related: ["Job/web-migrate"] },
    ],
  },
  {
    name: "distinct component labels: every selector takes in only its own pods",
    manifest: docs(
      deployment("api", "{app: shop, app.kubernetes.io/component: api}", "{app: shop, app.kubernetes.io/component: api}"),
      deployment("worker", "{app: shop, app.kubernetes.io/component: worker}", "{app: shop, app.kubernetes.io/component: worker}"),
      yaml`
      apiVersion: batch/v1
      kind: Job
      metadata: {name: migrate}
      spec:
        template:
          metadata:
            labels: {app: shop, app.kubernetes.io/component: migration}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: api}
      spec:
        selector: {app: shop, app.kubernetes.io/component: api}
    `,
    ),
    expect: [],
  },
  {
    name: "FleetDM: the Service and the Deployment take in the migration hook Job's pods",
    manifest: yaml`
      apiVersion: v1
      kind: Service
      metadata:
        name: fleet
        labels: {app: fleet, chart: fleet, heritage: Helm, release: fleet}
      spec:
        selector:
          app: fleet
          chart: fleet
          heritage: Helm
          release: fleet
        ports: [{port: 8080}]
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: fleet
        labels: {app: fleet, chart: fleet, heritage: Helm, release: fleet}
      spec:
        selector:
          matchLabels:
            app: fleet
            chart: fleet
            heritage: Helm
            release: fleet
        template:
          metadata:
            labels:
              app: fleet
              chart: fleet
              heritage: Helm
              release: fleet
      ---
      apiVersion: batch/v1
      kind: Job
      metadata:
        name: fleet-migration
        annotations:
          helm.sh/hook: pre-install,pre-upgrade
      spec:
        template:
          metadata:
            labels:
              app: fleet
              chart: fleet
              heritage: Helm
              release: fleet
          spec:
            restartPolicy: Never
    `,
    expect: [
      {
        severity: "error",
        object: "Service/fleet",
        path: "spec.selector",
        line: 7,
        messageId: "serviceSelectsJobs",
        data: { target: "Deployment/fleet", jobs: "Job/fleet-migration (pre-install,pre-upgrade hook)" },
        related: ["Job/fleet-migration"],
        evidence: {
          selector: "app=fleet,chart=fleet,heritage=Helm,release=fleet",
          matches: ["Deployment/fleet", "Job/fleet-migration"],
          suggestedKey: null,
        },
      },
      {
        severity: "info",
        object: "Deployment/fleet",
        path: "spec.selector",
        line: 20,
        messageId: "selectsJobPods",
        data: { object: "Deployment/fleet", kind: "Deployment", selector: "app=fleet,chart=fleet,heritage=Helm,release=fleet", foreign: "Job/fleet-migration (pre-install,pre-upgrade hook)" },
        related: ["Job/fleet-migration"],
        evidence: { matches: ["Deployment/fleet", "Job/fleet-migration"], suggestedKey: null },
      },
    ],
  },
  {
    name: "a Deployment's selector over a hook Job's pods that no Service or budget takes in with its own (the Service's named port is not on them): no finding; over a plain Job's pods, info",
    manifest: yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: k8up}
      spec:
        selector: {matchLabels: {app: k8up}}
        template:
          metadata: {labels: {app: k8up}}
          spec:
            containers: [{name: k8up, image: "k8up:2", ports: [{name: http, containerPort: 8080}]}]
      ---
      apiVersion: batch/v1
      kind: Job
      metadata:
        name: k8up-cleanup
        annotations: {helm.sh/hook: "post-install,post-upgrade,post-delete"}
      spec:
        template:
          metadata: {labels: {app: k8up}}
          spec:
            containers: [{name: cleanup, image: "k8up:2"}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: k8up-metrics}
      spec:
        ports: [{name: http, port: 8080, targetPort: http}]
        selector: {app: k8up}
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        selector: {matchLabels: {app: web}}
        template: {metadata: {labels: {app: web}}}
      ---
      apiVersion: batch/v1
      kind: Job
      metadata: {name: web-report}
      spec:
        template: {metadata: {labels: {app: web}}}
    `,
    expect: [{ severity: "info", object: "Deployment/web", path: "spec.selector", line: 33, messageId: "selectsJobPods", data: { object: "Deployment/web", kind: "Deployment", selector: "app=web", foreign: "Job/web-report" }, related: ["Job/web-report"] }],
  },
  {
    name: "a Service that selects only a Job's pods is the Job's own business",
    manifest: yaml`
      apiVersion: batch/v1
      kind: Job
      metadata: {name: loadtest}
      spec:
        template:
          metadata: {labels: {app: loadtest}}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: loadtest}
      spec:
        selector: {app: loadtest}
    `,
    expect: [],
  },
  {
    name: "a Service over two long-running workloads (canary) is a warning, and the label that separates them is proposed",
    manifest: docs(
      deployment("web-stable", "{app: web, track: stable}", "{app: web, app.kubernetes.io/component: web, track: stable}"),
      deployment("web-canary", "{app: web, track: canary}", "{app: web, app.kubernetes.io/component: web, track: canary}"),
      yaml`
      apiVersion: v1
      kind: Service
      metadata: {name: web}
      spec:
        selector: {app: web}
    `,
    ),
    expect: [
      {
        severity: "warning",
        object: "Service/web",
        path: "spec.selector",
        line: 25,
        messageId: "serviceSpreads",
        data: { count: 2, workloads: "Deployment/web-stable and Deployment/web-canary" },
        related: ["Deployment/web-stable", "Deployment/web-canary"],
        evidence: { matches: ["Deployment/web-stable", "Deployment/web-canary"], suggestedKey: "track" },
      },
    ],
  },
  {
    name: "a Service named like one of two long-running workloads serves that one; the other is foreign",
    manifest: docs(
      deployment("web", "{app: web, app.kubernetes.io/component: server}", "{app: web, app.kubernetes.io/component: server}"),
      deployment("web-admin", "{app: web, app.kubernetes.io/component: admin}", "{app: web, app.kubernetes.io/component: admin}"),
      yaml`
      apiVersion: v1
      kind: Service
      metadata: {name: web}
      spec:
        selector: {app: web}
    `,
    ),
    expect: [
      {
        severity: "warning",
        object: "Service/web",
        path: "spec.selector",
        line: 25,
        messageId: "serviceSpreads",
        data: { count: 2, workloads: "Deployment/web and Deployment/web-admin" },
        related: ["Deployment/web-admin"],
        evidence: { suggestedKey: "app.kubernetes.io/component" },
      },
    ],
  },
  {
    name: "a helm test pod exists only while helm test runs: its overlap with the Deployment and the Service is not reported",
    manifest: docs(
      deployment("grafana", "{app.kubernetes.io/name: grafana}", "{app.kubernetes.io/name: grafana}"),
      yaml`
      apiVersion: v1
      kind: Pod
      metadata:
        name: grafana-test
        labels: {app.kubernetes.io/name: grafana, helm.sh/chart: grafana-1.0.0}
        annotations: {helm.sh/hook: test}
      spec:
        restartPolicy: Never
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: grafana}
      spec:
        selector: {app.kubernetes.io/name: grafana}
    `,
    ),
    expect: [],
  },
  {
    name: "a Deployment selector that CronJob pod labels satisfy; the Service takes in the CronJob pods",
    manifest: docs(
      deployment("app", "{app.kubernetes.io/name: app}", "{app.kubernetes.io/name: app, app.kubernetes.io/component: server}"),
      yaml`
      apiVersion: batch/v1
      kind: CronJob
      metadata: {name: app-cleanup}
      spec:
        schedule: "0 * * * *"
        jobTemplate:
          spec:
            template:
              metadata:
                labels: {app.kubernetes.io/name: app, app.kubernetes.io/component: cleanup}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: app}
      spec:
        selector: {app.kubernetes.io/name: app}
    `,
    ),
    expect: [
      {
        severity: "info",
        object: "Deployment/app",
        path: "spec.selector",
        line: 5,
        messageId: "selectsJobPods",
        data: { object: "Deployment/app", kind: "Deployment", selector: "app.kubernetes.io/name=app", foreign: "CronJob/app-cleanup" },
        related: ["CronJob/app-cleanup"],
        evidence: { suggestedKey: "app.kubernetes.io/component" },
      },
      { severity: "error", object: "Service/app", path: "spec.selector", line: 26, messageId: "serviceSelectsJobs", data: { target: "Deployment/app", jobs: "CronJob/app-cleanup" }, related: ["CronJob/app-cleanup"] },
    ],
  },
  {
    name: "a workload selector matching another Deployment's pods is reported on the broader selector only",
    manifest: docs(
      deployment("web", "{app: web}", "{app: web, tier: frontend}"),
      deployment("web-worker", "{app: web, tier: worker}", "{app: web, tier: worker}"),
    ),
    expect: [
      {
        severity: "warning",
        object: "Deployment/web",
        path: "spec.selector",
        line: 5,
        messageId: "selectsForeignPods",
        data: { object: "Deployment/web", kind: "Deployment", selector: "app=web", foreign: "Deployment/web-worker" },
        related: ["Deployment/web-worker"],
        evidence: { selector: "app=web", matches: ["Deployment/web", "Deployment/web-worker"], suggestedKey: "tier" },
      },
    ],
  },
  {
    name: "two DaemonSets with one selector: on disjoint nodes (kubernetes.io/os linux, windows) one node plugin split by node pool; on the same nodes reported",
    manifest: yaml`
      apiVersion: apps/v1
      kind: DaemonSet
      metadata: {name: node}
      spec:
        selector: {matchLabels: {app: node}}
        template:
          metadata: {labels: {app: node}}
          spec:
            nodeSelector: {kubernetes.io/os: linux}
            containers: [{name: plugin, image: "csi:1.0"}]
      ---
      apiVersion: apps/v1
      kind: DaemonSet
      metadata: {name: node-windows}
      spec:
        selector: {matchLabels: {app: node}}
        template:
          metadata: {labels: {app: node}}
          spec:
            nodeSelector: {kubernetes.io/os: windows}
            containers: [{name: plugin, image: "csi:1.0"}]
      ---
      apiVersion: apps/v1
      kind: DaemonSet
      metadata: {name: agent}
      spec:
        selector: {matchLabels: {app: agent}}
        template:
          metadata: {labels: {app: agent}}
          spec:
            nodeSelector: {kubernetes.io/os: linux}
            containers: [{name: agent, image: "agent:1.0"}]
      ---
      apiVersion: apps/v1
      kind: DaemonSet
      metadata: {name: agent-gpu}
      spec:
        selector: {matchLabels: {app: agent}}
        template:
          metadata: {labels: {app: agent}}
          spec:
            nodeSelector: {kubernetes.io/os: linux, gpu: "true"}
            containers: [{name: agent, image: "agent:1.0"}]
    `,
    expect: [
      { severity: "warning", object: "DaemonSet/agent", path: "spec.selector", line: 27, messageId: "selectsForeignPods" },
      { severity: "warning", object: "DaemonSet/agent-gpu", path: "spec.selector", line: 38, messageId: "selectsForeignPods" },
    ],
  },
  {
    name: "objects in different namespaces never overlap",
    manifest: docs(
      deployment("web", "{app: web}", "{app: web}", ", namespace: a"),
      yaml`
      apiVersion: batch/v1
      kind: Job
      metadata: {name: migrate, namespace: b}
      spec:
        template:
          metadata: {labels: {app: web}}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: a}
      spec:
        selector: {app: web}
    `,
    ),
    expect: [],
  },
  {
    name: "NetworkPolicy overlap is not reported (policies add up by design)",
    manifest: docs(
      deployment("web", "{app: web}", "{app: web, c: a}"),
      yaml`
      apiVersion: batch/v1
      kind: Job
      metadata: {name: migrate}
      spec:
        template:
          metadata: {labels: {app: web, c: b}}
      ---
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: web}
      spec:
        podSelector: {matchLabels: {app: web}}
    `,
    ),
    expect: [{ severity: "info", object: "Deployment/web", path: "spec.selector", line: 5, messageId: "selectsJobPods", data: { object: "Deployment/web", kind: "Deployment", selector: "app=web", foreign: "Job/migrate" }, related: ["Job/migrate"] }],
  },
  {
    name: "the pods of delete hooks (a pre-delete Job, a post-delete cleanup DaemonSet) exist only while the release is uninstalled: a DaemonSet's selector over them is not reported",
    manifest: yaml`
      apiVersion: apps/v1
      kind: DaemonSet
      metadata: {name: multus}
      spec:
        selector: {matchLabels: {app: multus}}
        template:
          metadata: {labels: {app: multus}}
      ---
      apiVersion: batch/v1
      kind: Job
      metadata:
        name: multus-uninstall
        annotations: {helm.sh/hook: pre-delete}
      spec:
        template:
          metadata: {labels: {app: multus}}
      ---
      apiVersion: apps/v1
      kind: DaemonSet
      metadata:
        name: multus-cleanup
        annotations: {helm.sh/hook: post-delete}
      spec:
        selector: {matchLabels: {app: multus, c: cleanup}}
        template:
          metadata: {labels: {app: multus, c: cleanup}}
    `,
    expect: [],
  },
  {
    name: "PDB with maxUnavailable over DaemonSet pods: SyncFailed, but kubectl drain never evicts them: a warning",
    manifest: yaml`
      apiVersion: apps/v1
      kind: DaemonSet
      metadata: {name: agent}
      spec:
        selector: {matchLabels: {app: agent}}
        template:
          metadata: {labels: {app: agent}}
      ---
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata: {name: agent}
      spec:
        maxUnavailable: 1
        selector:
          matchLabels: {app: agent}
    `,
    expect: [
      {
        severity: "warning",
        object: "PodDisruptionBudget/agent",
        path: "spec.selector",
        line: 14,
        messageId: "pdbNeedsScaleNotDrained",
        data: { unscalable: "DaemonSet/agent", scaleError: "daemonsets.apps does not implement the scale subresource" },
        related: ["DaemonSet/agent"],
      },
    ],
  },
  {
    name: "PDB with integer minAvailable over DaemonSet pods is fine",
    manifest: yaml`
      apiVersion: apps/v1
      kind: DaemonSet
      metadata: {name: agent}
      spec:
        selector: {matchLabels: {app: agent}}
        template:
          metadata: {labels: {app: agent}}
      ---
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata: {name: agent}
      spec:
        minAvailable: 1
        selector:
          matchLabels: {app: agent}
    `,
    expect: [],
  },
  {
    name: "PDB with a percentage minAvailable over a Deployment and a Job: error for both reasons",
    manifest: docs(
      deployment("web", "{app: web, c: server}", "{app: web, c: server}"),
      yaml`
      apiVersion: batch/v1
      kind: Job
      metadata: {name: migrate}
      spec:
        template:
          metadata: {labels: {app: web, c: migrate}}
      ---
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata: {name: web}
      spec:
        minAvailable: "50%"
        selector:
          matchLabels: {app: web}
    `,
    ),
    expect: [
      {
        severity: "error",
        object: "PodDisruptionBudget/web",
        path: "spec.selector",
        line: 23,
        messageId: "pdbNeedsScale",
        data: { unscalable: "Job/migrate", scaleError: "jobs.batch does not implement the scale subresource" },
        related: ["Job/migrate"],
        evidence: { matches: ["Deployment/web", "Job/migrate"], suggestedKey: "c", problems: ["pdbNeedsScale", "pdbCoversJobs"] },
      },
    ],
  },
  {
    name: "PDB with maxUnavailable over a Deployment and Jobs deleted once they succeed: a warning, evictions wait only while they run",
    manifest: docs(
      deployment("web", "{app: web, c: server}", "{app: web, c: server}"),
      yaml`
      apiVersion: batch/v1
      kind: Job
      metadata:
        name: create-secret
        annotations:
          helm.sh/hook: pre-install,pre-upgrade
          helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
      spec:
        template:
          metadata: {labels: {app: web, c: hook}}
      ---
      apiVersion: batch/v1
      kind: Job
      metadata: {name: migrate}
      spec:
        ttlSecondsAfterFinished: 0
        template:
          metadata: {labels: {app: web, c: migrate}}
      ---
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata: {name: web}
      spec:
        maxUnavailable: 1
        selector:
          matchLabels: {app: web}
    `,
    ),
    expect: [
      {
        severity: "warning",
        object: "PodDisruptionBudget/web",
        path: "spec.selector",
        line: 35,
        messageId: "pdbNeedsScaleWhileRunning",
        data: { unscalable: "Job/create-secret (pre-install,pre-upgrade hook) and Job/migrate", scaleError: "jobs.batch does not implement the scale subresource" },
        related: ["Job/create-secret", "Job/migrate"],
        evidence: { matches: ["Deployment/web", "Job/create-secret", "Job/migrate"], suggestedKey: "c", problems: ["pdbNeedsScaleWhileRunning", "pdbCoversJobs"] },
      },
    ],
  },
  {
    name: "PDB with maxUnavailable over a Deployment and a hook Job kept after it succeeds: its completed pods block evictions for good",
    manifest: docs(
      deployment("web", "{app: web, c: server}", "{app: web, c: server}"),
      yaml`
      apiVersion: batch/v1
      kind: Job
      metadata:
        name: create-secret
        annotations:
          helm.sh/hook: pre-install,pre-upgrade
          helm.sh/hook-delete-policy: before-hook-creation
      spec:
        template:
          metadata: {labels: {app: web, c: hook}}
      ---
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata: {name: web}
      spec:
        maxUnavailable: 1
        selector:
          matchLabels: {app: web}
    `,
    ),
    expect: [
      {
        severity: "error",
        object: "PodDisruptionBudget/web",
        path: "spec.selector",
        line: 27,
        messageId: "pdbNeedsScale",
        data: { unscalable: "Job/create-secret (pre-install,pre-upgrade hook)", scaleError: "jobs.batch does not implement the scale subresource" },
        related: ["Job/create-secret"],
        evidence: { matches: ["Deployment/web", "Job/create-secret"], suggestedKey: "c", problems: ["pdbNeedsScale", "pdbCoversJobs"] },
      },
    ],
  },
  {
    name: "PDB with an integer minAvailable over a Deployment and a Job: the Job pods count as healthy",
    manifest: docs(
      deployment("web", "{app: web, c: server}", "{app: web, c: server}"),
      yaml`
      apiVersion: batch/v1
      kind: Job
      metadata: {name: migrate}
      spec:
        template:
          metadata: {labels: {app: web, c: migrate}}
      ---
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata: {name: web}
      spec:
        minAvailable: 2
        selector:
          matchLabels: {app: web}
      `,
    ),
    expect: [
      {
        severity: "error",
        object: "PodDisruptionBudget/web",
        path: "spec.selector",
        line: 23,
        messageId: "pdbCoversJobs",
        data: { target: "Deployment/web", jobs: "Job/migrate" },
        related: ["Job/migrate"],
      },
    ],
  },
  {
    name: "PDB over the pods of two long-running workloads: warning",
    manifest: docs(
      deployment("api", "{app: shop, c: api}", "{app: shop, c: api}"),
      deployment("worker", "{app: shop, c: worker}", "{app: shop, c: worker}"),
      yaml`
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata: {name: shop}
      spec:
        minAvailable: 1
        selector:
          matchLabels: {app: shop}
      `,
    ),
    expect: [
      {
        severity: "warning",
        object: "PodDisruptionBudget/shop",
        path: "spec.selector",
        line: 26,
        messageId: "pdbSpreads",
        data: { count: 2, workloads: "Deployment/api and Deployment/worker" },
        related: ["Deployment/api", "Deployment/worker"],
        evidence: { suggestedKey: "c" },
      },
    ],
  },
  {
    name: "PDB over a Deployment and a pre-install hook Deployment (a mock server that keeps running): two long-running workloads, a warning, not the Job-pods error",
    manifest: docs(
      deployment("admission", "{app: admission, c: server}", "{app: admission, c: server}"),
      deployment("admission-test", "{app: admission, c: test}", "{app: admission, c: test}", ", annotations: {helm.sh/hook: pre-install}"),
      yaml`
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata: {name: admission}
      spec:
        minAvailable: 1
        selector:
          matchLabels: {app: admission}
      `,
    ),
    expect: [
      {
        severity: "warning",
        object: "PodDisruptionBudget/admission",
        path: "spec.selector",
        line: 26,
        messageId: "pdbSpreads",
        data: { count: 2, workloads: "Deployment/admission and Deployment/admission-test (pre-install hook)" },
        related: ["Deployment/admission-test"],
      },
    ],
  },
  {
    name: "a Service over a Deployment, a Job and a helm test pod: error naming the Job only",
    manifest: docs(
      deployment("web", "{app: web}", "{app: web}"),
      yaml`
      apiVersion: batch/v1
      kind: Job
      metadata: {name: migrate}
      spec:
        template:
          metadata: {labels: {app: web}}
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: web-test
        labels: {app: web}
        annotations: {helm.sh/hook: test-success}
      spec:
        restartPolicy: Never
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web}
      spec:
        selector: {app: web}
      `,
    ),
    expect: [
      { severity: "info", object: "Deployment/web", path: "spec.selector", line: 5, messageId: "selectsJobPods", data: { object: "Deployment/web", kind: "Deployment", selector: "app=web", foreign: "Job/migrate" }, related: ["Job/migrate"] },
      {
        severity: "error",
        object: "Service/web",
        path: "spec.selector",
        line: 31,
        messageId: "serviceSelectsJobs",
        data: { target: "Deployment/web", jobs: "Job/migrate" },
        related: ["Job/migrate"],
        evidence: { matches: ["Deployment/web", "Job/migrate"] },
      },
    ],
  },
  {
    name: "PDB matchExpressions NotIn matches the pods that lack the key, so the Job with the key stays out",
    manifest: docs(
      deployment("web", "{app: web}", "{app: web}"),
      yaml`
      apiVersion: batch/v1
      kind: Job
      metadata: {name: migrate}
      spec:
        template:
          metadata: {labels: {app: web, phase: migration}}
      ---
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata: {name: web}
      spec:
        minAvailable: 1
        selector:
          matchLabels: {app: web}
          matchExpressions:
            - {key: phase, operator: NotIn, values: [migration]}
    `,
    ),
    expect: [{ severity: "info", object: "Deployment/web", path: "spec.selector", line: 5, messageId: "selectsJobPods", data: { object: "Deployment/web", kind: "Deployment", selector: "app=web", foreign: "Job/migrate" }, related: ["Job/migrate"] }],
  },
  {
    name: "one pod template covered by two PDBs (NotIn matching an absent key counts)",
    manifest: docs(
      deployment("web", "{app: web}", "{app: web}"),
      yaml`
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata: {name: web-a}
      spec:
        minAvailable: 1
        selector:
          matchLabels: {app: web}
      ---
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata: {name: web-b}
      spec:
        minAvailable: 1
        selector:
          matchExpressions:
            - {key: tier, operator: NotIn, values: [batch]}
    `,
    ),
    expect: [
      {
        severity: "error",
        object: "PodDisruptionBudget/web-a",
        path: "spec.selector",
        line: 16,
        messageId: "sameBudgetTwice",
        data: { other: "PodDisruptionBudget/web-b", shared: "Deployment/web" },
        related: ["PodDisruptionBudget/web-b", "Deployment/web"],
      },
    ],
  },
  {
    name: "PDB policy/v1 {} selects every pod: with a Deployment and a Job that is an error (and a second budget)",
    manifest: docs(
      deployment("web", "{app: web}", "{app: web}"),
      yaml`
      apiVersion: batch/v1
      kind: CronJob
      metadata: {name: report}
      spec:
        schedule: "@daily"
        jobTemplate:
          spec:
            template:
              metadata: {labels: {app: report}}
      ---
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata: {name: all}
      spec:
        minAvailable: 1
        selector: {}
      ---
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata: {name: web}
      spec:
        minAvailable: 1
        selector: {matchLabels: {app: web}}
    `,
    ),
    expect: [
      { severity: "error", object: "PodDisruptionBudget/all", path: "spec.selector", line: 26, messageId: "pdbCoversJobs", data: { target: "Deployment/web", jobs: "CronJob/report" }, related: ["CronJob/report"], evidence: { selector: "<everything>" } },
      { severity: "error", object: "PodDisruptionBudget/all", path: "spec.selector", line: 26, messageId: "sharedWithBudget", data: { other: "PodDisruptionBudget/web", shared: "Deployment/web" }, related: ["PodDisruptionBudget/web", "Deployment/web"] },
    ],
  },
  {
    name: "PDB with a nil selector and a policy/v1beta1 {} select nothing: no overlap",
    manifest: docs(
      deployment("web", "{app: web}", "{app: web}"),
      yaml`
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata: {name: nil}
      spec:
        minAvailable: 1
      ---
      apiVersion: policy/v1beta1
      kind: PodDisruptionBudget
      metadata: {name: legacy}
      spec:
        maxUnavailable: 1
        selector: {}
      ---
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata: {name: web}
      spec:
        maxUnavailable: 1
        selector: {matchLabels: {app: web}}
    `,
    ),
    expect: [],
  },
  {
    name: "two HPAs on the same Deployment: AmbiguousSelector, reported once",
    manifest: docs(
      deployment("web", "{app: web}", "{app: web}"),
      yaml`
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata: {name: web-cpu}
      spec:
        scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
        minReplicas: 1
        maxReplicas: 5
      ---
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata: {name: keda-hpa-web}
      spec:
        scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
        minReplicas: 1
        maxReplicas: 5
    `,
    ),
    expect: [
      {
        severity: "error",
        object: "HorizontalPodAutoscaler/web-cpu",
        path: "spec.scaleTargetRef",
        line: 15,
        messageId: "sameTargetTwice",
        data: { other: "HorizontalPodAutoscaler/keda-hpa-web", target: "Deployment/web", apiError: "pods by selector app=web are controlled by multiple HPAs: [default/web-cpu default/keda-hpa-web]" },
        related: ["HorizontalPodAutoscaler/keda-hpa-web", "Deployment/web"],
      },
    ],
  },
  {
    name: "two HPAs on one target before Kubernetes 1.26: they fight over the replica count",
    settings: { kubeVersion: "1.25" },
    manifest: docs(
      deployment("web", "{app: web}", "{app: web}"),
      yaml`
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata: {name: a}
      spec:
        scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
      ---
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata: {name: b}
      spec:
        scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
      `,
    ),
    expect: [{ severity: "error", object: "HorizontalPodAutoscaler/a", path: "spec.scaleTargetRef", line: 15, messageId: "sameTargetTwiceFighting", data: { other: "HorizontalPodAutoscaler/b", target: "Deployment/web", apiError: "pods by selector app=web are controlled by multiple HPAs: [default/a default/b]" } }],
  },
  {
    name: "two HPAs whose targets' selectors overlap: AmbiguousSelector, no extra warning",
    manifest: HPAS_OVER_SHARED_PODS,
    expect: [
      { severity: "warning", object: "Deployment/api", path: "spec.selector", line: 5, messageId: "selectsForeignPods", data: { object: "Deployment/api", kind: "Deployment", selector: "app=shop", foreign: "Deployment/worker" }, related: ["Deployment/worker"] },
      {
        severity: "error",
        object: "HorizontalPodAutoscaler/api",
        path: "spec.scaleTargetRef",
        line: 25,
        messageId: "targetsShareSelectedPods",
        data: { other: "HorizontalPodAutoscaler/worker", target: "Deployment/api", apiError: "pods by selector app=shop are controlled by multiple HPAs: [default/api default/worker]", otherTarget: "Deployment/worker", shared: "Deployment/worker" },
        related: ["HorizontalPodAutoscaler/worker", "Deployment/api", "Deployment/worker"],
        evidence: { suggestedKey: "c", shared: ["Deployment/worker"] },
      },
    ],
  },
  {
    name: "an HPA on a Rollout whose selector takes in a Job's pods: foreign metrics averaged in",
    manifest: yaml`
      apiVersion: argoproj.io/v1alpha1
      kind: Rollout
      metadata: {name: web}
      spec:
        selector:
          matchLabels: {app: web}
        template:
          metadata: {labels: {app: web, app.kubernetes.io/component: server}}
      ---
      apiVersion: batch/v1
      kind: Job
      metadata: {name: web-seed}
      spec:
        template:
          metadata: {labels: {app: web, app.kubernetes.io/component: seed}}
      ---
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata: {name: web}
      spec:
        scaleTargetRef: {apiVersion: argoproj.io/v1alpha1, kind: Rollout, name: web}
        maxReplicas: 5
    `,
    expect: [
      { severity: "info", object: "Rollout/web", path: "spec.selector", line: 5, messageId: "selectsJobPods", data: { object: "Rollout/web", kind: "Rollout", selector: "app=web", foreign: "Job/web-seed" }, related: ["Job/web-seed"] },
      {
        severity: "warning",
        object: "HorizontalPodAutoscaler/web",
        path: "spec.scaleTargetRef",
        line: 21,
        messageId: "countsForeignPods",
        data: { target: "Rollout/web", selector: "app=web", foreign: "Job/web-seed" },
        related: ["Job/web-seed"],
        evidence: { selector: "app=web", matches: ["Rollout/web", "Job/web-seed"], suggestedKey: "app.kubernetes.io/component" },
      },
    ],
  },
  {
    name: "two ServiceMonitors select the same Service; one of them with namespaceSelector.matchNames from another namespace",
    manifest: yaml`
      apiVersion: v1
      kind: Service
      metadata:
        name: web
        namespace: app
        labels: {app: web}
      spec:
        selector: {app: web}
      ---
      apiVersion: monitoring.coreos.com/v1
      kind: ServiceMonitor
      metadata: {name: web, namespace: app}
      spec:
        selector:
          matchLabels: {app: web}
        endpoints: [{port: http}]
      ---
      apiVersion: monitoring.coreos.com/v1
      kind: ServiceMonitor
      metadata: {name: web-extra, namespace: monitoring}
      spec:
        namespaceSelector: {matchNames: [app]}
        selector:
          matchLabels: {app: web}
        endpoints: [{port: http}]
      ---
      apiVersion: monitoring.coreos.com/v1
      kind: ServiceMonitor
      metadata: {name: web-elsewhere, namespace: monitoring}
      spec:
        selector:
          matchLabels: {app: web}
        endpoints: [{port: http}]
    `,
    expect: [
      {
        severity: "warning",
        object: "ServiceMonitor/web",
        path: "spec.selector",
        line: 14,
        messageId: "scrapedTwice",
        data: { other: "ServiceMonitor/web-extra", shared: "Service/web" },
        related: ["ServiceMonitor/web-extra", "Service/web"],
      },
    ],
  },
  {
    name: "two ServiceMonitors over one Service that probe different targets (blackbox-exporter's params.target), or scrape another path: nothing is scraped twice",
    manifest: docs(BLACKBOX, probeMonitor("probe-example", "example.com"), probeMonitor("probe-other", "other.example.com", true), yaml`
      apiVersion: monitoring.coreos.com/v1
      kind: ServiceMonitor
      metadata: {name: self}
      spec:
        selector:
          matchLabels: {app: blackbox}
        endpoints: [{port: http}]
    `),
    expect: [],
  },
  {
    name: "two ServiceMonitors over one Service with the same endpoint, params written in another order: scraped twice",
    manifest: docs(BLACKBOX, probeMonitor("probe-example", "example.com"), probeMonitor("probe-again", "example.com", true)),
    expect: [
      {
        severity: "warning",
        object: "ServiceMonitor/probe-example",
        path: "spec.selector",
        line: 11,
        messageId: "scrapedTwice",
        data: { other: "ServiceMonitor/probe-again", shared: "Service/blackbox" },
        related: ["ServiceMonitor/probe-again", "Service/blackbox"],
      },
    ],
  },
  {
    name: "ServiceMonitor namespaceSelector.any and an empty selector; PodMonitor with an empty selector",
    manifest: yaml`
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: app, labels: {app: web}}
      spec:
        selector: {app: web}
      ---
      apiVersion: monitoring.coreos.com/v1
      kind: ServiceMonitor
      metadata: {name: everything, namespace: monitoring}
      spec:
        namespaceSelector: {any: true}
        selector: {}
        endpoints: [{port: http}]
      ---
      apiVersion: monitoring.coreos.com/v1
      kind: PodMonitor
      metadata: {name: pods, namespace: monitoring}
      spec:
        selector: {}
        podMetricsEndpoints: [{port: http}]
    `,
    expect: [
      {
        severity: "warning",
        object: "ServiceMonitor/everything",
        path: "spec.selector",
        line: 12,
        messageId: "everyServiceAnywhere",
        data: { selector: "{}" },
        evidence: { selector: "<everything>", matches: ["Service/web"] },
      },
      { severity: "warning", object: "PodMonitor/pods", path: "spec.selector", line: 19, messageId: "everyPod", data: { selector: "{}", namespaces: "monitoring" } },
    ],
  },
  {
    name: "a Deployment and its Service rendered twice: no overlap with itself (duplicate-object reports the copies)",
    manifest: docs(
      deployment("web", "{app: web}", "{app: web}"),
      deployment("web", "{app: web}", "{app: web}"),
      yaml`
      apiVersion: v1
      kind: Service
      metadata: {name: web}
      spec:
        selector: {app: web}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web}
      spec:
        selector: {app: web}
    `,
    ),
    expect: [],
  },
  {
    name: "a headless Service governing a StatefulSet that also selects another StatefulSet's pods: info, by design",
    manifest: yaml`
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: es-master}
      spec:
        serviceName: es-headless
        selector: {matchLabels: {app: es, role: master}}
        template: {metadata: {labels: {app: es, role: master}}}
      ---
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: es-data}
      spec:
        serviceName: es-data
        selector: {matchLabels: {app: es, role: data}}
        template: {metadata: {labels: {app: es, role: data}}}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: es-headless}
      spec:
        clusterIP: None
        selector: {app: es}
    `,
    expect: [
      {
        severity: "info",
        object: "Service/es-headless",
        path: "spec.selector",
        line: 22,
        messageId: "governsStatefulSets",
        data: { count: 2, workloads: "StatefulSet/es-master and StatefulSet/es-data", statefulSets: "StatefulSet/es-master", pod: "es-master-0.es-headless" },
        related: ["StatefulSet/es-master", "StatefulSet/es-data"],
      },
    ],
  },
  {
    name: "a headless memberlist Service over every component of the release: info, by design; the same Service with a cluster IP stays a warning",
    manifest: docs(
      deployment("distributor", "{app: loki, component: distributor}", "{app: loki, component: distributor, memberlist: member}"),
      deployment("querier", "{app: loki, component: querier}", "{app: loki, component: querier, memberlist: member}"),
      yaml`
      apiVersion: v1
      kind: Service
      metadata: {name: loki-ring}
      spec:
        clusterIP: None
        selector: {memberlist: member}
        ports: [{name: tcp, port: 7946}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: loki-gossip}
      spec:
        selector: {memberlist: member}
        ports: [{name: gossip, port: 7946}]
    `,
    ),
    expect: [
      {
        severity: "info",
        object: "Service/loki-ring",
        path: "spec.selector",
        line: 26,
        messageId: "gossipPeers",
        data: { count: 2, workloads: "Deployment/distributor and Deployment/querier" },
        related: ["Deployment/distributor", "Deployment/querier"],
      },
      { severity: "warning", object: "Service/loki-gossip", path: "spec.selector", line: 33, messageId: "serviceSpreads", data: { count: 2, workloads: "Deployment/distributor and Deployment/querier" } },
    ],
  },
  {
    name: "a headless Service governing a StatefulSet that also matches the pods of an upgrade hook Job: a warning (its DNS name resolves to them on every upgrade), not the traffic error",
    manifest: governedDb(dbJob("db-migrate", '{helm.sh/hook: "post-install,post-upgrade"}')),
    expect: [
      { severity: "warning", object: "Service/db-headless", path: "spec.selector", line: 21, messageId: "headlessSelectsJobs", data: { target: "StatefulSet/db", jobs: "Job/db-migrate (post-install,post-upgrade hook)" }, related: ["Job/db-migrate"] },
    ],
  },
  {
    name: "a headless Service governing a StatefulSet over the pods of Jobs that run once, at install (no hook; an install hook): not reported for the Service (nor for the StatefulSet, which claims only pods named after it)",
    manifest: governedDb(dbJob("db-bootstrap", "{}"), dbJob("db-init", "{helm.sh/hook: pre-install}")),
    expect: [],
  },
  {
    name: "a Job with no hook that deletes itself when done (ttlSecondsAfterFinished) runs again on every upgrade, which creates it anew: the headless Service warns",
    manifest: governedDb(dbJob("db-bootstrap", "{}", "ttlSecondsAfterFinished: 300")),
    expect: [
      { severity: "warning", object: "Service/db-headless", path: "spec.selector", line: 21, messageId: "headlessSelectsJobs", data: { target: "StatefulSet/db", jobs: "Job/db-bootstrap" }, related: ["Job/db-bootstrap"] },
    ],
  },
  {
    name: "StatefulSets whose pods no label tells apart (a master that is also a coordinator): one set by design, not reported (each controller claims only pods named after it)",
    manifest: docs(
      yaml`
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: coordinator}
        spec:
          selector: {matchLabels: {app: dremio}}
          template: {metadata: {labels: {app: dremio}}}
      `,
      yaml`
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: master}
        spec:
          selector: {matchLabels: {app: dremio}}
          template: {metadata: {labels: {app: dremio}}}
      `,
    ),
    expect: [],
  },
  {
    name: "a StatefulSet selector wider than its pods (a label they carry tells the others apart): info; a Deployment's selector over the same pods warns",
    manifest: docs(
      yaml`
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: mysql}
        spec:
          selector: {matchLabels: {app: lake}}
          template: {metadata: {labels: {app: lake, component: mysql}}}
      `,
      deployment("ui", "{app: lake}", "{app: lake, component: ui}"),
    ),
    expect: [
      {
        severity: "info",
        object: "StatefulSet/mysql",
        path: "spec.selector",
        line: 5,
        messageId: "widerThanItsPods",
        data: { object: "StatefulSet/mysql", kind: "StatefulSet", selector: "app=lake", foreign: "Deployment/ui" },
        related: ["Deployment/ui"],
      },
      {
        severity: "warning",
        object: "Deployment/ui",
        path: "spec.selector",
        line: 12,
        messageId: "selectsForeignPods",
        data: { object: "Deployment/ui", kind: "Deployment", selector: "app=lake", foreign: "StatefulSet/mysql" },
        related: ["StatefulSet/mysql"],
      },
    ],
  },
  {
    name: "a Service over a container every workload runs, by a label none of them selects by (a UI sidecar in two roles' pods): info, by design, naming the container a port of the Service names; by a label they select by, a warning",
    manifest: yaml`
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: yb-master}
      spec:
        selector: {matchLabels: {app: yb-master, release: yb}}
        template:
          metadata: {labels: {app: yb-master, release: yb, yugabytedUi: "true"}}
          spec:
            containers: [{name: yb-master, image: "yugabytedb/yugabyte:2.25"}, {name: yugabyted-ui, image: "yugabytedb/yugabyte:2.25"}, {name: yb-cleanup, image: "yugabytedb/yugabyte:2.25"}]
      ---
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: yb-tserver}
      spec:
        selector: {matchLabels: {app: yb-tserver, release: yb}}
        template:
          metadata: {labels: {app: yb-tserver, release: yb, yugabytedUi: "true"}}
          spec:
            containers: [{name: yb-tserver, image: "yugabytedb/yugabyte:2.25"}, {name: yugabyted-ui, image: "yugabytedb/yugabyte:2.25"}, {name: yb-cleanup, image: "yugabytedb/yugabyte:2.25"}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: yugabyted-ui}
      spec:
        ports: [{name: yugabyted-ui, port: 15433}]
        selector: {yugabytedUi: "true"}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: yb}
      spec:
        selector: {release: yb}
    `,
    expect: [
      { severity: "info", object: "Service/yugabyted-ui", path: "spec.selector", line: 26, messageId: "servesSharedContainer", data: { count: 2, workloads: "StatefulSet/yb-master and StatefulSet/yb-tserver", containers: "yugabyted-ui" } },
      { severity: "warning", object: "Service/yb", path: "spec.selector", line: 32, messageId: "serviceSpreads", data: { count: 2, workloads: "StatefulSet/yb-master and StatefulSet/yb-tserver" } },
    ],
  },
  {
    name: "a client Service over the shard StatefulSets of one cluster (one governing headless Service selecting them all): info, by design",
    manifest: docs(
      shard("ch-shard0", "ch-headless", "0"),
      shard("ch-shard1", "ch-headless", "1"),
      service("ch-headless", "None"),
      service("ch", "10.0.0.7"),
    ),
    expect: [
      { severity: "info", object: "Service/ch-headless", path: "spec.selector", line: 22, messageId: "governsStatefulSets", data: { count: 2, workloads: "StatefulSet/ch-shard0 and StatefulSet/ch-shard1", statefulSets: "StatefulSet/ch-shard0 and StatefulSet/ch-shard1", pod: "ch-shard0-0.ch-headless" } },
      { severity: "info", object: "Service/ch", path: "spec.selector", line: 29, messageId: "clusterMembers", data: { count: 2, workloads: "StatefulSet/ch-shard0 and StatefulSet/ch-shard1", governing: "Service/ch-headless" } },
    ],
  },
  {
    name: "one StatefulSet per zone running the same containers (zone-aware replication): one Service and one budget over the copies are by design, info",
    manifest: docs(
      zoneCopy("ingester-zone-a", "grafana/tempo:2.8.1"),
      zoneCopy("ingester-zone-b", "grafana/tempo:2.8.1"),
      zoneCopy("ingester-zone-c", "grafana/tempo:2.8.1"),
      yaml`
        apiVersion: v1
        kind: Service
        metadata: {name: ingester}
        spec:
          selector: {app: tempo, component: ingester}
        ---
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: {name: ingester}
        spec:
          maxUnavailable: 1
          selector: {matchLabels: {app: tempo, component: ingester}}
      `,
    ),
    expect: [
      {
        severity: "info",
        object: "Service/ingester",
        path: "spec.selector",
        line: 38,
        messageId: "copiesOfOneWorkload",
        data: { count: 3, workloads: "StatefulSet/ingester-zone-a, StatefulSet/ingester-zone-b and StatefulSet/ingester-zone-c" },
      },
      {
        severity: "info",
        object: "PodDisruptionBudget/ingester",
        path: "spec.selector",
        line: 45,
        messageId: "budgetOverCopies",
        data: { count: 3, workloads: "StatefulSet/ingester-zone-a, StatefulSet/ingester-zone-b and StatefulSet/ingester-zone-c" },
      },
    ],
  },
  {
    name: "the same containers in a primary and its read replicas (roles, not zones), or a zone copy on another image: not copies, the Service warns",
    manifest: docs(
      zoneCopy("pg-primary", "postgres:17"),
      zoneCopy("pg-read", "postgres:17"),
      zoneCopy("ingester-zone-a", "grafana/tempo:2.8.1"),
      zoneCopy("ingester-zone-b", "grafana/tempo:2.9.0"),
      yaml`
        apiVersion: v1
        kind: Service
        metadata: {name: ingester}
        spec:
          selector: {app: tempo, component: ingester}
      `,
    ),
    expect: [
      {
        severity: "warning",
        object: "Service/ingester",
        path: "spec.selector",
        line: 49,
        messageId: "serviceSpreads",
        data: { count: 4, workloads: "StatefulSet/pg-primary, StatefulSet/pg-read, StatefulSet/ingester-zone-a and StatefulSet/ingester-zone-b" },
      },
    ],
  },
  {
    name: "StatefulSets governed by different headless Services (primary and read replicas) are not one cluster: the client Service over both warns",
    manifest: docs(
      shard("pg-primary", "pg-primary-hl", "0"),
      shard("pg-read", "pg-read-hl", "1"),
      service("pg", "10.0.0.8"),
    ),
    expect: [{ severity: "warning", object: "Service/pg", path: "spec.selector", line: 22, messageId: "serviceSpreads", data: { count: 2, workloads: "StatefulSet/pg-primary and StatefulSet/pg-read" } }],
  },
  {
    name: "the governing headless Service is not in the render: nothing shows the StatefulSets are peers, the client Service warns",
    manifest: docs(shard("ch-shard0", "ch-headless", "0"), shard("ch-shard1", "ch-headless", "1"), service("ch", "10.0.0.7")),
    expect: [{ severity: "warning", object: "Service/ch", path: "spec.selector", line: 22, messageId: "serviceSpreads", data: { count: 2, workloads: "StatefulSet/ch-shard0 and StatefulSet/ch-shard1" } }],
  },
  {
    name: "two HPAs whose targets' selectors overlap, before Kubernetes 1.26: they fight",
    settings: { kubeVersion: "1.25" },
    manifest: HPAS_OVER_SHARED_PODS,
    expect: [
      { severity: "warning", object: "Deployment/api", path: "spec.selector", line: 5, messageId: "selectsForeignPods", data: { object: "Deployment/api", kind: "Deployment", selector: "app=shop", foreign: "Deployment/worker" } },
      { severity: "error", object: "HorizontalPodAutoscaler/api", path: "spec.scaleTargetRef", line: 25, messageId: "targetsShareSelectedPodsFighting", data: { other: "HorizontalPodAutoscaler/worker", target: "Deployment/api", apiError: "pods by selector app=shop are controlled by multiple HPAs: [default/api default/worker]", otherTarget: "Deployment/worker", shared: "Deployment/worker" } },
    ],
  },
  {
    name: "a ServiceMonitor without a selector in its namespace; a PodMonitor with namespaceSelector.any and an empty selector",
    manifest: yaml`
      apiVersion: monitoring.coreos.com/v1
      kind: ServiceMonitor
      metadata: {name: all-services, namespace: monitoring}
      spec:
        endpoints: [{port: http}]
      ---
      apiVersion: monitoring.coreos.com/v1
      kind: PodMonitor
      metadata: {name: all-pods, namespace: monitoring}
      spec:
        namespaceSelector: {any: true}
        selector: {}
        podMetricsEndpoints: [{port: http}]
    `,
    expect: [
      { severity: "warning", object: "ServiceMonitor/all-services", path: "spec.selector", line: 4, messageId: "everyService", data: { selector: "absent", namespaces: "monitoring" } },
      { severity: "warning", object: "PodMonitor/all-pods", path: "spec.selector", line: 12, messageId: "everyPodAnywhere", data: { selector: "{}" } },
    ],
  },
]);
