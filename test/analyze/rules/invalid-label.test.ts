import { invalidLabel } from "../../../src/analyze/rules/invalid-label.ts";
import { ruleCases, yaml } from "../../helpers/rule-cases.ts";

const VALUE_REGEX_TAIL = "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

ruleCases(invalidLabel, [
  {
    name: "clean helm create output",
    manifest: yaml`
      apiVersion: v1
      kind: Service
      metadata:
        name: web
        labels: {helm.sh/chart: web-0.1.0, app.kubernetes.io/version: "1.16.0", app.kubernetes.io/managed-by: Helm}
      spec:
        selector: {app.kubernetes.io/name: web, app.kubernetes.io/instance: web}
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
        labels: {helm.sh/chart: web-0.1.0, app.kubernetes.io/version: "1.16.0"}
        annotations: {Checksum/Config: abc, meta.helm.sh/release-name: web}
      spec:
        selector:
          matchLabels: {app.kubernetes.io/name: web, app.kubernetes.io/instance: web}
          matchExpressions: [{key: tier, operator: NotIn, values: [batch]}, {key: canary, operator: DoesNotExist}]
        template:
          metadata:
            labels: {app.kubernetes.io/name: web, app.kubernetes.io/instance: web, empty: ""}
    `,
    expect: [],
  },
  {
    name: "label keys and values the API server rejects",
    manifest: yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
        labels:
          app.kubernetes.io/version: 1.16.0+build.5
          My_Corp.io/team: a
          app.kubernetes.io/name: web
      spec:
        selector: {matchLabels: {app: web}}
        template:
          metadata:
            labels:
              app: web
              image: "nginx@sha256:abc"
    `,
    expect: [
      {
        severity: "error",
        object: "Deployment/web",
        path: "metadata.labels.app.kubernetes.io/version",
        line: 6,
        evidence: { key: "app.kubernetes.io/version", value: "1.16.0+build.5" },
        messageIncludes: [`metadata.labels: Invalid value: "1.16.0+build.5": a valid label must be an empty string`, VALUE_REGEX_TAIL],
      },
      {
        severity: "error",
        object: "Deployment/web",
        path: "metadata.labels.My_Corp.io/team",
        line: 7,
        messageIncludes: [`metadata.labels: Invalid value: "My_Corp.io/team": prefix part a lowercase RFC 1123 subdomain must consist of`],
      },
      {
        severity: "error",
        object: "Deployment/web",
        path: "spec.template.metadata.labels.image",
        line: 15,
        messageIncludes: [`spec.template.labels: Invalid value: "nginx@sha256:abc": a valid label must be`],
      },
    ],
  },
  {
    name: "numbers and booleans after YAML 1.1 resolution, and labels written as a list",
    manifest: yaml`
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: settings
        labels:
          enabled: true
          version: 1.10
          quoted: "1.10"
          legacy: yes
      ---
      apiVersion: v1
      kind: Secret
      metadata:
        name: creds
        labels:
          - app: web
    `,
    expect: [
      {
        severity: "error",
        object: "ConfigMap/settings",
        path: "metadata.labels.enabled",
        line: 6,
        evidence: { key: "enabled", value: true },
        messageIncludes: ["boolean value true", "json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string"],
      },
      {
        severity: "error",
        object: "ConfigMap/settings",
        path: "metadata.labels.version",
        line: 7,
        evidence: { value: 1.1 },
        messageIncludes: ["number value 1.1", "cannot unmarshal number"],
      },
      { severity: "error", object: "ConfigMap/settings", path: "metadata.labels.legacy", line: 9, evidence: { value: true } },
      {
        severity: "error",
        object: "Secret/creds",
        path: "metadata.labels",
        line: 15,
        messageIncludes: ["is a list", "cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string"],
      },
    ],
  },
  {
    name: "selector requirements (§2.2) and a Service selector value over 63 characters",
    manifest: yaml`
      apiVersion: apps/v1
      kind: DaemonSet
      metadata: {name: agent}
      spec:
        selector:
          matchLabels: {app: agent}
          matchExpressions:
            - {key: zone, operator: Gt, values: ["1"]}
            - {key: tier, operator: In}
            - key: canary
              operator: Exists
              values: ["true"]
            - {key: track, operator: In, values: [stable, "a b"]}
        template:
          metadata: {labels: {app: agent, tier: x, canary: "true", track: stable}}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: agent}
      spec:
        selector:
          app: agent-with-a-very-long-release-name-that-goes-on-and-on-and-on-and
    `,
    expect: [
      { severity: "error", object: "DaemonSet/agent", path: "spec.selector.matchExpressions[0].operator", line: 8, messageIncludes: ['spec.selector.matchExpressions[0].operator: Invalid value: "Gt": not a valid selector operator'] },
      { severity: "error", object: "DaemonSet/agent", path: "spec.selector.matchExpressions[1]", line: 9, messageIncludes: ["spec.selector.matchExpressions[1].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"] },
      { severity: "error", object: "DaemonSet/agent", path: "spec.selector.matchExpressions[2].values", line: 12, messageIncludes: ["spec.selector.matchExpressions[2].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"] },
      { severity: "error", object: "DaemonSet/agent", path: "spec.selector.matchExpressions[3].values[1]", line: 13, messageIncludes: ['spec.selector.matchExpressions[3].values[1]: Invalid value: "a b"'] },
      { severity: "error", object: "Service/agent", path: "spec.selector.app", line: 22, messageIncludes: ['spec.selector: Invalid value: "agent-with-a-very-long-release-name-that-goes-on-and-on-and-on-and": must be no more than 63 characters'] },
    ],
  },
  {
    name: "annotation keys are lowercased before checking; total size over 256 KiB",
    manifest: yaml`
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: dashboards
        annotations:
          Example.COM/Owner: team-a
          checksum/config map: abc
          big: "${"x".repeat(262144)}"
    `,
    expect: [
      { severity: "error", object: "ConfigMap/dashboards", path: "metadata.annotations", line: 5, messageIncludes: ["metadata.annotations: Too long: must have at most 262144 bytes", "add up to 262192 bytes"] },
      { severity: "error", object: "ConfigMap/dashboards", path: "metadata.annotations.checksum/config map", line: 7, messageIncludes: ['metadata.annotations: Invalid value: "checksum/config map": name part must consist of'] },
    ],
  },
  {
    name: "names too long or malformed for their kind (§1.5–1.7, §1.18)",
    manifest: yaml`
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: db.primary}
      spec:
        selector: {matchLabels: {app: db}}
        template: {metadata: {labels: {app: db}}}
      ---
      apiVersion: batch/v1
      kind: CronJob
      metadata: {name: my-release-with-a-long-name-nightly-backup-of-everything}
      spec:
        schedule: "@daily"
        jobTemplate: {spec: {template: {metadata: {labels: {app: backup}}}}}
      ---
      apiVersion: batch/v1
      kind: Job
      metadata: {name: my-release-with-a-long-name-database-migration-job-for-version-2}
      spec:
        template: {metadata: {labels: {app: migrate}}}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: 1web}
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: Web_App}
      spec:
        selector: {matchLabels: {app: web}}
        template: {metadata: {labels: {app: web}}}
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: ClusterRole
      metadata: {name: "system:controller:Web"}
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: a-deployment-name-longer-than-sixty-three-characters-is-still-fine-here}
      spec:
        selector: {matchLabels: {app: web}}
        template: {metadata: {labels: {app: web}}}
    `,
    expect: [
      { severity: "error", object: "StatefulSet/db.primary", path: "metadata.name", line: 3, messageIncludes: ['metadata.name: Invalid value: "db.primary": must not contain dots'] },
      {
        severity: "error",
        object: "CronJob/my-release-with-a-long-name-nightly-backup-of-everything",
        path: "metadata.name",
        line: 10,
        messageIncludes: ['metadata.name: Invalid value: "my-release-with-a-long-name-nightly-backup-of-everything": must be no more than 52 characters'],
      },
      {
        severity: "error",
        object: "Job/my-release-with-a-long-name-database-migration-job-for-version-2",
        path: "metadata.name",
        line: 17,
        messageIncludes: ['spec.template.labels: Invalid value: "my-release-with-a-long-name-database-migration-job-for-version-2": must be no more than 63 characters'],
      },
      { severity: "error", object: "Service/1web", path: "metadata.name", line: 23, messageIncludes: ["a DNS-1035 label must consist of"] },
      { severity: "error", object: "Deployment/Web_App", path: "metadata.name", line: 27, messageIncludes: ["a lowercase RFC 1123 subdomain must consist of"] },
    ],
  },
  {
    name: "Rollout template and CronJob job-template metadata fail later, in the objects their controllers create",
    manifest: yaml`
      apiVersion: argoproj.io/v1alpha1
      kind: Rollout
      metadata: {name: api}
      spec:
        selector: {matchLabels: {app: api}}
        template:
          metadata:
            labels: {app: api, version: "1.0+x"}
      ---
      apiVersion: batch/v1
      kind: CronJob
      metadata: {name: gc}
      spec:
        schedule: "@daily"
        jobTemplate:
          metadata:
            labels: {"team name": a}
          spec: {template: {metadata: {labels: {app: gc}}}}
    `,
    expect: [
      {
        severity: "error",
        object: "Rollout/api",
        path: "spec.template.metadata.labels.version",
        line: 8,
        messageIncludes: ["itself is accepted, but the ReplicaSet Argo Rollouts creates from this Rollout is rejected", 'spec.template.labels: Invalid value: "1.0+x"'],
      },
      {
        severity: "error",
        object: "CronJob/gc",
        path: "spec.jobTemplate.metadata.labels.team name",
        line: 17,
        messageIncludes: ["every Job this CronJob creates is rejected", 'metadata.labels: Invalid value: "team name"'],
      },
    ],
  },
]);
