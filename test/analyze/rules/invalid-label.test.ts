import { invalidLabel } from "../../../src/analyze/rules/invalid-label.ts";
import { ruleCases, yaml } from "../../helpers/rule-cases.ts";

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
    name: "${NAME} placeholders filled in before packaging or by Flux's substitution: not checked (a chart source template, kiali's ${HELM_IMAGE_TAG})",
    manifest: yaml`
      apiVersion: v1
      kind: Service
      metadata:
        name: chartname-\${CHARTNAME}
        labels: {app.kubernetes.io/name: "\${CHARTNAME}", version: "\${HELM_IMAGE_TAG}", app.kubernetes.io/version: "v\${HELM_IMAGE_TAG}"}
      spec:
        selector: {app.kubernetes.io/name: "\${CHARTNAME}"}
    `,
    expect: [],
  },
  {
    name: "a chart's render: names and label values that only begin or end with a separator come from an empty value (info, once); other faults stay errors",
    rendered: true,
    manifest: yaml`
      apiVersion: v1
      kind: Service
      metadata:
        name: mirror-
        labels: {link: -link}
      ---
      apiVersion: v1
      kind: ServiceAccount
      metadata: {name: mirror-}
      ---
      apiVersion: v1
      kind: ConfigMap
      metadata: {name: Mirror-settings}
    `,
    expect: [
      {
        severity: "info",
        object: "Service/mirror-",
        path: "metadata.name",
        line: 4,
        messageId: "emptyParts",
        data: {
          value: "mirror-",
          more: 2,
          objects: "Service/mirror- and ServiceAccount/mirror-",
          errors: `"metadata.name: Invalid value: "mirror-": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"`,
        },
        related: ["ServiceAccount/mirror-"],
        evidence: { values: ["mirror-", "-link"] },
      },
      { severity: "error", object: "ConfigMap/Mirror-settings", path: "metadata.name", line: 13, messageId: "invalidName" },
    ],
  },
  {
    name: "one value with an empty part in a chart's render",
    rendered: true,
    manifest: yaml`
      apiVersion: v1
      kind: ServiceAccount
      metadata: {name: .mirror}
    `,
    expect: [{ severity: "info", object: "ServiceAccount/.mirror", path: "metadata.name", line: 3, messageId: "emptyPart" }],
  },
  {
    name: "the same in a manifest file: nothing says a value was left empty, so the API server's refusal is an error",
    manifest: yaml`
      apiVersion: v1
      kind: ServiceAccount
      metadata: {name: mirror-}
    `,
    expect: [{ severity: "error", object: "ServiceAccount/mirror-", path: "metadata.name", line: 3, messageId: "invalidName" }],
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
        messageId: "invalidValue",
        data: { object: "Deployment/web", errors: "\"metadata.labels: Invalid value: \"1.16.0+build.5\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')\"", noun: "label", key: "app.kubernetes.io/version", value: "1.16.0+build.5" },
        evidence: { key: "app.kubernetes.io/version", value: "1.16.0+build.5" },
      },
      {
        severity: "error",
        object: "Deployment/web",
        path: "metadata.labels.My_Corp.io/team",
        line: 7,
        messageId: "invalidKey",
        data: { object: "Deployment/web", errors: "\"metadata.labels: Invalid value: \"My_Corp.io/team\": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\"", noun: "label", key: "My_Corp.io/team" },
      },
      {
        severity: "error",
        object: "Deployment/web",
        path: "spec.template.metadata.labels.image",
        line: 15,
        messageId: "invalidValue",
        data: { object: "Deployment/web", errors: "\"spec.template.labels: Invalid value: \"nginx@sha256:abc\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')\"", noun: "label", key: "image", value: "nginx@sha256:abc" },
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
        messageId: "notAString",
        data: { object: "ConfigMap/settings", errors: "\"json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string\"", noun: "label", key: "enabled", type: "boolean", value: "true" },
        evidence: { key: "enabled", value: true },
      },
      {
        severity: "error",
        object: "ConfigMap/settings",
        path: "metadata.labels.version",
        line: 7,
        messageId: "notAString",
        data: { object: "ConfigMap/settings", errors: "\"json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string\"", noun: "label", key: "version", type: "number", value: "1.1" },
        evidence: { value: 1.1 },
      },
      { severity: "error", object: "ConfigMap/settings", path: "metadata.labels.legacy", line: 9, messageId: "notAString", data: { object: "ConfigMap/settings", errors: "\"json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string\"", noun: "label", key: "legacy", type: "boolean", value: "true" }, evidence: { value: true } },
      {
        severity: "error",
        object: "Secret/creds",
        path: "metadata.labels",
        line: 15,
        messageId: "notAMap",
        data: { object: "Secret/creds", errors: "\"json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string\"", noun: "label", path: "metadata.labels", shape: "a list" },
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
      { severity: "error", object: "DaemonSet/agent", path: "spec.selector.matchExpressions[0].operator", line: 8, messageId: "invalidField", data: { object: "DaemonSet/agent", errors: "\"spec.selector.matchExpressions[0].operator: Invalid value: \"Gt\": not a valid selector operator\"", noun: "selector entry", field: "spec.selector.matchExpressions[0].operator", detail: "not a valid selector operator" } },
      { severity: "error", object: "DaemonSet/agent", path: "spec.selector.matchExpressions[1]", line: 9, messageId: "invalidField", data: { object: "DaemonSet/agent", errors: "\"spec.selector.matchExpressions[1].values: Required value: must be specified when `operator` is 'In' or 'NotIn'\"", noun: "selector entry", field: "spec.selector.matchExpressions[1]", detail: "must be specified when `operator` is 'In' or 'NotIn'" } },
      { severity: "error", object: "DaemonSet/agent", path: "spec.selector.matchExpressions[2].values", line: 12, messageId: "invalidField", data: { object: "DaemonSet/agent", errors: "\"spec.selector.matchExpressions[2].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'\"", noun: "selector entry", field: "spec.selector.matchExpressions[2].values", detail: "may not be specified when `operator` is 'Exists' or 'DoesNotExist'" } },
      { severity: "error", object: "DaemonSet/agent", path: "spec.selector.matchExpressions[3].values[1]", line: 13, messageId: "invalidValue", data: { object: "DaemonSet/agent", errors: "\"spec.selector.matchExpressions[3].values[1]: Invalid value: \"a b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')\"", noun: "selector entry", key: "track", value: "a b" } },
      { severity: "error", object: "Service/agent", path: "spec.selector.app", line: 22, messageId: "invalidValue", data: { object: "Service/agent", errors: "\"spec.selector: Invalid value: \"agent-with-a-very-long-release-name-that-goes-on-and-on-and-on-and\": must be no more than 63 characters\"", noun: "selector entry", key: "app", value: "agent-with-a-very-long-release-name-that-goes-on-and-on-and-on-and" } },
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
      { severity: "error", object: "ConfigMap/dashboards", path: "metadata.annotations", line: 5, messageId: "tooLarge", data: { object: "ConfigMap/dashboards", errors: "\"metadata.annotations: Too long: must have at most 262144 bytes\"", noun: "annotation", path: "metadata.annotations", size: 262192, limit: 262144 } },
      { severity: "error", object: "ConfigMap/dashboards", path: "metadata.annotations.checksum/config map", line: 7, messageId: "invalidKey", data: { object: "ConfigMap/dashboards", errors: "\"metadata.annotations: Invalid value: \"checksum/config map\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')\"", noun: "annotation", key: "checksum/config map" } },
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
      { severity: "error", object: "StatefulSet/db.primary", path: "metadata.name", line: 3, messageId: "invalidName", data: { object: "StatefulSet/db.primary", errors: "\"metadata.name: Invalid value: \"db.primary\": must not contain dots\"", noun: "name", name: "db.primary", kind: "StatefulSet" } },
      {
        severity: "error",
        object: "CronJob/my-release-with-a-long-name-nightly-backup-of-everything",
        path: "metadata.name",
        line: 10,
        messageId: "invalidName",
        data: { object: "CronJob/my-release-with-a-long-name-nightly-backup-of-everything", errors: "\"metadata.name: Invalid value: \"my-release-with-a-long-name-nightly-backup-of-everything\": must be no more than 52 characters\"", noun: "name", name: "my-release-with-a-long-name-nightly-backup-of-everything", kind: "CronJob" },
      },
      {
        severity: "error",
        object: "Job/my-release-with-a-long-name-database-migration-job-for-version-2",
        path: "metadata.name",
        line: 17,
        messageId: "invalidName",
        data: { object: "Job/my-release-with-a-long-name-database-migration-job-for-version-2", errors: "\"spec.template.labels: Invalid value: \"my-release-with-a-long-name-database-migration-job-for-version-2\": must be no more than 63 characters\"", noun: "name", name: "my-release-with-a-long-name-database-migration-job-for-version-2", kind: "Job" },
      },
      { severity: "error", object: "Service/1web", path: "metadata.name", line: 23, messageId: "invalidName", data: { object: "Service/1web", errors: "\"metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')\"", noun: "name", name: "1web", kind: "Service" } },
      { severity: "error", object: "Deployment/Web_App", path: "metadata.name", line: 27, messageId: "invalidName", data: { object: "Deployment/Web_App", errors: "\"metadata.name: Invalid value: \"Web_App\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\"", noun: "name", name: "Web_App", kind: "Deployment" } },
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
        messageId: "rejectedLater",
        data: { object: "Rollout/api", errors: "\"spec.template.labels: Invalid value: \"1.0+x\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')\"", noun: "label", field: "version", later: "the ReplicaSet Argo Rollouts creates from this Rollout" },
      },
      {
        severity: "error",
        object: "CronJob/gc",
        path: "spec.jobTemplate.metadata.labels.team name",
        line: 17,
        messageId: "rejectedLater",
        data: { object: "CronJob/gc", errors: "\"metadata.labels: Invalid value: \"team name\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')\"", noun: "label", field: "team name", later: "every Job this CronJob creates" },
      },
    ],
  },
  {
    name: "an invalid root value shared by many objects (an uppercase chart name, a '+' chart version) is one finding per root",
    manifest: yaml`
      apiVersion: v1
      kind: ServiceAccount
      metadata:
        name: rel-CHART-TEMPLATE
        labels: {helm.sh/chart: web-1.0.0+build.1, app.kubernetes.io/name: CHART-TEMPLATE}
      ---
      apiVersion: v1
      kind: Secret
      metadata:
        name: rel-CHART-TEMPLATE-license
        labels: {helm.sh/chart: web-1.0.0+build.1}
      ---
      apiVersion: v1
      kind: Service
      metadata:
        name: rel-CHART-TEMPLATE
        labels: {app.kubernetes.io/version: 1.0.0+build.1}
      ---
      apiVersion: v1
      kind: ConfigMap
      metadata: {name: Other_Name}
    `,
    expect: [
      { severity: "error", object: "ServiceAccount/rel-CHART-TEMPLATE", path: "metadata.name", line: 4, messageId: "invalidNames", data: { root: "CHART-TEMPLATE", more: 2, count: 3, objects: "ServiceAccount/rel-CHART-TEMPLATE, Secret/rel-CHART-TEMPLATE-license and Service/rel-CHART-TEMPLATE", errors: "\"metadata.name: Invalid value: \"rel-CHART-TEMPLATE\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\"", name: "rel-CHART-TEMPLATE" } },
      { severity: "error", object: "ServiceAccount/rel-CHART-TEMPLATE", path: "metadata.labels.helm.sh/chart", line: 5, messageId: "invalidLabelValues", data: { root: "1.0.0+build.1", more: 2, count: 3, objects: "ServiceAccount/rel-CHART-TEMPLATE, Secret/rel-CHART-TEMPLATE-license and Service/rel-CHART-TEMPLATE", errors: "\"metadata.labels: Invalid value: \"web-1.0.0+build.1\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')\"", key: "helm.sh/chart", value: "web-1.0.0+build.1" } },
      { severity: "error", object: "ConfigMap/Other_Name", path: "metadata.name", line: 21, messageId: "invalidName", data: { object: "ConfigMap/Other_Name", errors: "\"metadata.name: Invalid value: \"Other_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\"", noun: "name", name: "Other_Name", kind: "ConfigMap" } },
    ],
  },
]);
