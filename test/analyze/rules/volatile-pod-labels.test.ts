import { volatilePodLabels } from "../../../src/analyze/rules/volatile-pod-labels.ts";
import { MARKERS, probeRuleCases } from "../../helpers/probe-cases.ts";
import { ruleCases, yaml } from "../../helpers/rule-cases.ts";

ruleCases(volatilePodLabels, [
  {
    name: "helm create (Helm ≥3.13): the full labels helper on the pod template",
    manifest: yaml`
      # Source: web/templates/deployment.yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
        labels:
          helm.sh/chart: web-0.1.0
          app.kubernetes.io/name: web
          app.kubernetes.io/instance: web
          app.kubernetes.io/version: "1.16.0"
          app.kubernetes.io/managed-by: Helm
      spec:
        selector:
          matchLabels:
            app.kubernetes.io/name: web
            app.kubernetes.io/instance: web
        template:
          metadata:
            labels:
              helm.sh/chart: web-0.1.0
              app.kubernetes.io/name: web
              app.kubernetes.io/instance: web
              app.kubernetes.io/version: "1.16.0"
              app.kubernetes.io/managed-by: Helm
          spec:
            containers:
              - name: web
                image: "nginx:1.16.0"
    `,
    expect: [
      {
        severity: "warning",
        object: "Deployment/web",
        path: "spec.template.metadata.labels",
        line: 20,
        messageId: "restarts",
        data: { labels: "helm.sh/chart", sources: "the chart version", kind: "Deployment" },
        evidence: { cause: "name", reason: "key", labels: [{ key: "helm.sh/chart", value: "web-0.1.0", cause: "name", reason: "key" }] },
      },
      // app.kubernetes.io/version=1.16.0 is not reported: the container runs nginx:1.16.0, so the release that changes the label rolls the pods anyway.
    ],
  },
  {
    name: "the app version label where no container runs that version: a needless roll; a build of the version (v1.16.0-debian-r3) is that version",
    manifest: yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels:
              app: web
              app.kubernetes.io/version: "1.16.0"
          spec:
            containers:
              - name: web
                image: "registry:5000/nginx:1.27@sha256:0123"
            initContainers:
              - name: init
                image: "registry:5000/tools:1.16"
      ---
      apiVersion: apps/v1
      kind: DaemonSet
      metadata: {name: agent}
      spec:
        selector:
          matchLabels: {app: agent}
        template:
          metadata:
            labels:
              app: agent
              app.kubernetes.io/version: "1.16.0"
          spec:
            initContainers:
              - name: agent
                image: "agent:v1.16.0-debian-r3"
    `,
    expect: [
      {
        severity: "warning",
        object: "Deployment/web",
        path: "spec.template.metadata.labels",
        line: 11,
        messageId: "restarts",
        data: { labels: "app.kubernetes.io/version", sources: "the appVersion", kind: "Deployment" },
        evidence: { cause: "name", labels: [{ key: "app.kubernetes.io/version", value: "1.16.0", cause: "name", reason: "key" }] },
      },
    ],
  },
  {
    name: "images whose tag the release process stamps (kiali's ${HELM_IMAGE_TAG}, chartpress's set-by-chartpress): every release changes them, so chart and app version labels restart nothing more",
    manifest: yaml`
      # Source: kiali/templates/deployment.yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: kiali
      spec:
        selector:
          matchLabels: {app.kubernetes.io/name: kiali}
        template:
          metadata:
            labels: {helm.sh/chart: kiali-0.0.0, app.kubernetes.io/name: kiali, app.kubernetes.io/version: "0.0.0"}
          spec:
            containers: [{name: kiali, image: "quay.io/kiali/kiali:\${HELM_IMAGE_TAG}"}]
      ---
      # Source: jupyterhub/templates/hub/deployment.yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: hub
      spec:
        selector:
          matchLabels: {component: hub}
        template:
          metadata:
            labels: {component: hub, chart: jupyterhub-0.0.1-set.by.chartpress}
          spec:
            containers: [{name: hub, image: "quay.io/jupyterhub/k8s-hub:set-by-chartpress"}]
    `,
    expect: [],
  },
  {
    name: "a chart version the release process stamps (v0.0.0) on pods whose image is not stamped with it: a chart bump still restarts them for nothing",
    manifest: yaml`
      # Source: kyverno/templates/deployment.yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: kyverno
      spec:
        selector:
          matchLabels: {app.kubernetes.io/name: kyverno}
        template:
          metadata:
            labels: {helm.sh/chart: kyverno-v0.0.0, app.kubernetes.io/name: kyverno}
          spec:
            containers: [{name: kyverno, image: "ghcr.io/kyverno/kyverno:latest"}]
    `,
    expect: [
      {
        severity: "warning",
        object: "Deployment/kyverno",
        path: "spec.template.metadata.labels",
        line: 11,
        messageId: "restarts",
        data: { labels: "helm.sh/chart", sources: "the chart version", kind: "Deployment" },
      },
    ],
  },
  {
    name: "clean helm create output: selectorLabels on the pod template",
    manifest: yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
        labels:
          helm.sh/chart: web-0.1.0
          app.kubernetes.io/name: web
          app.kubernetes.io/instance: web
          app.kubernetes.io/version: "1.16.0"
      spec:
        selector:
          matchLabels: {app.kubernetes.io/name: web, app.kubernetes.io/instance: web}
        template:
          metadata:
            labels: {app.kubernetes.io/name: web, app.kubernetes.io/instance: web}
    `,
    expect: [],
  },
  {
    name: "a label whose value ends with the chart version (reason chart-version)",
    manifest: yaml`
      apiVersion: apps/v1
      kind: StatefulSet
      metadata:
        name: db
        labels: {helm.sh/chart: db-2.3.4}
      spec:
        selector: {matchLabels: {app: db}}
        template:
          metadata:
            labels:
              app: db
              build: db-2.3.4
    `,
    expect: [
      {
        severity: "warning",
        object: "StatefulSet/db",
        path: "spec.template.metadata.labels",
        line: 12,
        messageId: "restarts",
        data: { labels: "build", sources: "the chart version", kind: "StatefulSet" },
        evidence: { cause: "name", labels: [{ key: "build", value: "db-2.3.4", cause: "name", reason: "chart-version", version: "2.3.4" }] },
      },
    ],
  },
  {
    name: "a plain Job's template labels are volatile-job-template's (with the rest of that immutable template)",
    manifest: yaml`
      apiVersion: batch/v1
      kind: Job
      metadata: {name: cert-job}
      spec:
        template:
          metadata:
            labels: {app.kubernetes.io/name: certs, helm.sh/chart: certs-1.3.1}
          spec:
            restartPolicy: Never
    `,
    expect: [],
  },
  {
    name: "hook Jobs, helm test Pods and bare Pods are recreated or mutable: no finding",
    manifest: yaml`
      apiVersion: batch/v1
      kind: Job
      metadata:
        name: admission-create
        annotations:
          helm.sh/hook: pre-install,pre-upgrade
          helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
      spec:
        template:
          metadata:
            labels: {helm.sh/chart: ingress-nginx-4.15.1, app.kubernetes.io/version: "1.15.1"}
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: web-test
        labels: {helm.sh/chart: web-0.1.0}
        annotations: {helm.sh/hook: test}
      spec:
        containers: [{name: t, image: busybox}]
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: debug
        labels: {helm.sh/chart: web-0.1.0}
      spec:
        containers: [{name: t, image: busybox}]
    `,
    expect: [],
  },
  {
    name: "CronJob: a warning that says nothing restarts",
    manifest: yaml`
      apiVersion: batch/v1
      kind: CronJob
      metadata: {name: gc}
      spec:
        schedule: "0 * * * *"
        jobTemplate:
          spec:
            template:
              metadata:
                labels:
                  app.kubernetes.io/version: v1.11.2
    `,
    expect: [
      {
        severity: "warning",
        object: "CronJob/gc",
        path: "spec.jobTemplate.spec.template.metadata.labels",
        line: 11,
        messageId: "cronJob",
        data: { labels: "app.kubernetes.io/version", sources: "the appVersion", kind: "CronJob" },
      },
    ],
  },
  {
    name: "CronJob whose own labels carry the same version: the job template's label adds no change of its own",
    manifest: yaml`
      apiVersion: batch/v1
      kind: CronJob
      metadata:
        name: gc
        labels: {helm.sh/chart: web-0.1.0}
      spec:
        schedule: "0 * * * *"
        jobTemplate:
          spec:
            template:
              metadata:
                labels: {helm.sh/chart: web-0.1.0}
    `,
    expect: [],
  },
  {
    name: "DaemonSet and Rollout roll their pods; the Helm 2 chart label counts when it has a version",
    manifest: yaml`
      apiVersion: apps/v1
      kind: DaemonSet
      metadata: {name: agent}
      spec:
        selector: {matchLabels: {app: agent}}
        template:
          metadata:
            labels: {app: agent, chart: agent-4.56.1, release: r}
      ---
      apiVersion: argoproj.io/v1alpha1
      kind: Rollout
      metadata: {name: api}
      spec:
        selector: {matchLabels: {app: api}}
        template:
          metadata:
            labels: {app: api, chart: api}
    `,
    expect: [
      {
        severity: "warning",
        object: "DaemonSet/agent",
        path: "spec.template.metadata.labels",
        line: 8,
        messageId: "restarts",
        data: { labels: "chart", sources: "the chart version", kind: "DaemonSet" },
        evidence: { reason: "key" },
      },
    ],
  },
  {
    name: "Istio-style version: v1 is a stable track, not a version",
    manifest: yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: reviews-v1}
      spec:
        selector: {matchLabels: {app: reviews, version: v1}}
        template:
          metadata:
            labels: {app: reviews, version: v1}
    `,
    expect: [],
  },
  {
    name: "extra volatile keys from the settings",
    settings: { extraVolatileKeys: new Set(["example.com/build-date"]) },
    manifest: yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        selector: {matchLabels: {app: web}}
        template:
          metadata:
            labels:
              app: web
              example.com/build-date: "20240101"
    `,
    expect: [
      {
        severity: "warning",
        object: "Deployment/web",
        path: "spec.template.metadata.labels",
        line: 10,
        messageId: "restarts",
        data: { labels: "example.com/build-date", sources: "a key configured as volatile", kind: "Deployment" },
      },
    ],
  },
  {
    name: "chart and app version labels in one pod template: one finding listing both, at the first one's line",
    manifest: yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        selector: {matchLabels: {app: web}}
        template:
          metadata:
            labels:
              app: web
              app.kubernetes.io/version: "2.0.0"
              helm.sh/chart: web-1.0.0
          spec:
            containers: [{name: web, image: "web:latest"}]
    `,
    expect: [
      {
        severity: "warning",
        object: "Deployment/web",
        path: "spec.template.metadata.labels",
        line: 10,
        messageId: "restarts",
        data: { labels: "app.kubernetes.io/version and helm.sh/chart", sources: "the appVersion and the chart version", kind: "Deployment" },
        evidence: {
          labels: [
            { key: "app.kubernetes.io/version", value: "2.0.0", cause: "name", reason: "key" },
            { key: "helm.sh/chart", value: "web-1.0.0", cause: "name", reason: "key" },
          ],
        },
      },
    ],
  },
  {
    name: "scaled to zero with no autoscaler: nothing restarts at these values, info; with a KEDA ScaledObject it runs pods, a warning",
    manifest: yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: idle}
      spec:
        replicas: 0
        selector:
          matchLabels: {app: idle}
        template:
          metadata:
            labels: {app: idle, helm.sh/chart: web-0.1.0}
          spec:
            containers: [{name: web, image: "nginx:1.27"}]
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: worker}
      spec:
        replicas: 0
        selector:
          matchLabels: {app: worker}
        template:
          metadata:
            labels: {app: worker, helm.sh/chart: web-0.1.0}
          spec:
            containers: [{name: worker, image: "nginx:1.27"}]
      ---
      apiVersion: keda.sh/v1alpha1
      kind: ScaledObject
      metadata: {name: worker}
      spec:
        scaleTargetRef: {kind: Deployment, name: worker}
        minReplicaCount: 0
    `,
    expect: [
      {
        severity: "info",
        object: "Deployment/idle",
        path: "spec.template.metadata.labels",
        line: 10,
        messageId: "restartsOnceScaledUp",
        data: { labels: "helm.sh/chart", sources: "the chart version", kind: "Deployment" },
      },
      { severity: "warning", object: "Deployment/worker", path: "spec.template.metadata.labels", line: 23, messageId: "restarts" },
    ],
  },
  {
    name: "the pod spec carries the chart version (an environment value, a lockstep image build): chart bumps restart the pods anyway, and so do appVersion bumps, which come only with a new chart version; OnDelete restarts nothing",
    manifest: yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: indexer, labels: {helm.sh/chart: search-1.4.0, app.kubernetes.io/version: "3.1.0"}}
      spec:
        selector:
          matchLabels: {app: indexer}
        template:
          metadata:
            labels: {app: indexer, helm.sh/chart: search-1.4.0, app.kubernetes.io/version: "3.1.0"}
          spec:
            containers:
              - name: indexer
                image: "search/indexer:2.0.0"
                env: [{name: OTEL_RESOURCE_ATTRIBUTES, value: "service.name=indexer,chart.version=1.4.0"}]
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: searcher}
      spec:
        selector:
          matchLabels: {app: searcher}
        template:
          metadata:
            labels: {app: searcher, helm.sh/chart: search-1.4.0}
          spec:
            containers: [{name: searcher, image: "search/searcher:v1.4.0-alpine"}]
      ---
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: vault}
      spec:
        updateStrategy: {type: OnDelete}
        selector:
          matchLabels: {app: vault}
        template:
          metadata:
            labels: {app: vault, helm.sh/chart: search-1.4.0}
          spec:
            containers: [{name: vault, image: "hashicorp/vault:1.20.0"}]
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: api}
      spec:
        selector:
          matchLabels: {app: api}
        template:
          metadata:
            labels: {app: api, helm.sh/chart: search-1.4.0}
          spec:
            containers:
              - name: api
                image: "search/api:2.0.0"
                env: [{name: RELEASE, value: "11.4.0"}]
    `,
    expect: [{ severity: "warning", object: "Deployment/api", path: "spec.template.metadata.labels", line: 49, messageId: "restarts" }],
  },
  {
    name: "an image tagged with the chart version under another major (chart 107.104.10 ships the app 7.104.10): every chart bump changes it; an image versioned on its own, or one whose small numbers meet the chart's by chance (0.1.0, 1.1.0), still restarts for nothing",
    manifest: yaml`
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: artifactory}
      spec:
        selector:
          matchLabels: {app: artifactory}
        template:
          metadata:
            labels: {app: artifactory, chart: artifactory-107.104.10}
          spec:
            containers: [{name: artifactory, image: "releases-docker.jfrog.io/jfrog/artifactory-pro:7.104.10"}]
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: frontend}
      spec:
        selector:
          matchLabels: {app: frontend}
        template:
          metadata:
            labels: {app: frontend, chart: artifactory-107.104.10}
          spec:
            containers: [{name: frontend, image: "releases-docker.jfrog.io/jfrog/artifactory-frontend:7.135.1"}]
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: api}
      spec:
        selector:
          matchLabels: {app: api}
        template:
          metadata:
            labels: {app: api, helm.sh/chart: api-0.1.0}
          spec:
            containers: [{name: api, image: "example/api:1.1.0"}]
    `,
    expect: [
      { severity: "warning", object: "Deployment/frontend", path: "spec.template.metadata.labels", line: 21, messageId: "restarts" },
      { severity: "warning", object: "Deployment/api", path: "spec.template.metadata.labels", line: 33, messageId: "restarts" },
    ],
  },
  {
    name: "a chart released with its app (its labels declare the same chart and app version, a v aside): every chart bump ships new images; a chart versioned apart from its app still restarts for nothing",
    manifest: yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: istiod
        labels: {app: istiod, app.kubernetes.io/version: "1.0.0", helm.sh/chart: istiod-1.0.0}
      spec:
        selector:
          matchLabels: {app: istiod}
        template:
          metadata:
            labels: {app: istiod, app.kubernetes.io/version: "1.0.0", helm.sh/chart: istiod-1.0.0}
          spec:
            containers: [{name: discovery, image: "docker.io/istio/pilot:latest"}]
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: kueue}
      spec:
        selector:
          matchLabels: {app: kueue}
        template:
          metadata:
            labels: {app: kueue, app.kubernetes.io/version: "v0.19.2", helm.sh/chart: kueue-0.19.2}
          spec:
            containers: [{name: manager, image: "registry.k8s.io/kueue/kueue:main"}]
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: coredns}
      spec:
        selector:
          matchLabels: {app: coredns}
        template:
          metadata:
            labels: {app: coredns, app.kubernetes.io/version: "1.13.1", helm.sh/chart: coredns-1.46.2}
          spec:
            containers: [{name: coredns, image: "registry.k8s.io/coredns/coredns:main"}]
    `,
    expect: [{ severity: "warning", object: "Deployment/coredns", path: "spec.template.metadata.labels", line: 35, messageId: "restarts", data: { labels: "app.kubernetes.io/version and helm.sh/chart", sources: "the appVersion and the chart version", kind: "Deployment" } }],
  },
], { producedElsewhere: { restartsWithOtherImage: "the probe cases below", hashesChartLabels: "test/render/precision.test.ts checksum-labels: it needs the chart's templates" } });

/** An argo-cd style Deployment: the version label from global.image.tag, the image from its own (empty) tag or the global one. */
function versionLabelled(name: string, label: string, image: string): string {
  return yaml`
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: ${name}}
    spec:
      selector: {matchLabels: {app: ${name}}}
      template:
        metadata:
          labels: {app: ${name}, app.kubernetes.io/version: "${label}"}
        spec:
          containers: [{name: main, image: "${image}"}]
  `;
}

const argoTags = { ...MARKERS, imageTags: new Map([["cgtag0x", "global.image.tag"], ["cgtag1x", "server.image.tag"]]) };

probeRuleCases(volatilePodLabels, [
  {
    // The probe sets the server's empty tag, hiding that it defaults to the global one: the base render shows the image runs that version.
    name: "a version label from another values tag that this workload's image runs anyway: no needless roll",
    base: versionLabelled("server", "v3.1.0", "quay.io/argoproj/argocd:v3.1.0"),
    combined: { manifest: versionLabelled("server", "v3.1.0+cgtag0x", "quay.io/argoproj/argocd:cgtag1x"), markers: argoTags },
    expect: [],
  },
  {
    name: "the same label on a workload running another image: it restarts with every release of that image",
    base: versionLabelled("redis", "v3.1.0", "redis:7.2.4"),
    combined: { manifest: versionLabelled("redis", "v3.1.0+cgtag0x", "redis:7.2.4"), markers: argoTags },
    expect: [
      {
        severity: "warning",
        object: "Deployment/redis",
        path: "spec.template.metadata.labels",
        line: 8,
        messageId: "restartsWithOtherImage",
        data: { labels: "app.kubernetes.io/version", sources: "the image tag global.image.tag", kind: "Deployment" },
        evidence: { cause: "image-tag", valuesPath: "global.image.tag", foreignTag: true },
      },
    ],
  },
  {
    name: "the chart label and another workload's version label in one pod template: one finding listing both",
    base: versionLabelled("redis", "v3.1.0", "redis:7.2.4").replace("app: redis,", "app: redis, helm.sh/chart: argo-cd-9.0.0,"),
    combined: {
      manifest: versionLabelled("redis", "v3.1.0+cgtag0x", "redis:7.2.4").replace("app: redis,", "app: redis, helm.sh/chart: argo-cd-9.0.0_cgchart,"),
      markers: argoTags,
    },
    expect: [
      {
        severity: "warning",
        object: "Deployment/redis",
        path: "spec.template.metadata.labels",
        line: 8,
        messageId: "restartsWithOtherImage",
        data: { labels: "helm.sh/chart and app.kubernetes.io/version", sources: "the chart version and the image tag global.image.tag", kind: "Deployment" },
        evidence: {
          cause: "chart-version",
          causes: ["chart-version", "image-tag"],
          foreignTag: true,
          labels: [
            { key: "helm.sh/chart", value: "argo-cd-9.0.0", cause: "chart-version" },
            { key: "app.kubernetes.io/version", value: "v3.1.0", cause: "image-tag", valuesPath: "global.image.tag" },
          ],
        },
      },
    ],
  },
]);
