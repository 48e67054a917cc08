import assert from "node:assert/strict";
import { test } from "node:test";
import { nondeterministicRender } from "../../../src/analyze/rules/nondeterministic-render.ts";
import { findingsFor } from "../../helpers/rule-cases.ts";
import { MARKERS, probedFindings, probeRuleCases, yaml, type ProbeCase } from "../../helpers/probe-cases.ts";
import type { ChartFacts } from "../../../src/analyze/context.ts";

/** Chart facts where `template` reads `kinds` back with lookup. */
const lookingUp = (template: string, ...kinds: string[]): ChartFacts => ({
  missingDependencies: new Map(),
  unrenderedWorkloads: new Map(),
  lookups: new Map([[template, new Set(kinds)]]),
  installConditional: new Set(),
  hashesReusedSecret: new Map(),
});
/** What Bitnami charts fail `helm upgrade` with until the current passwords are passed. */
const PASSWORDS_ERROR = "PASSWORDS ERROR: You must provide your current passwords when upgrading the release.";
const fromTemplate = (file: string, manifest: string) => `# Source: chart/templates/${file}\n${manifest}`;

const secret = (password: string, type = "Opaque") => yaml`
  apiVersion: v1
  kind: Secret
  metadata:
    name: db
  type: ${type}
  data:
    password: ${password}
    user: YWRtaW4=
`;

const keptSecret = (password: string) => secret(password).replace("  name: db\n", "  name: db\n  annotations:\n    helm.sh/resource-policy: keep\n");
const hookSecret = (password: string) => secret(password).replace("  name: db\n", "  name: db\n  annotations:\n    helm.sh/hook: pre-install,pre-upgrade\n");
const OTHER = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n";

const testPod = (id: string) => yaml`
  apiVersion: v1
  kind: Pod
  metadata:
    name: es-${id}-test
    annotations: {helm.sh/hook: test}
  spec:
    restartPolicy: Never
    containers: [{name: "${id}-test", image: "curl:8"}]
`;

const webhook = (caBundle: string) => yaml`
  apiVersion: admissionregistration.k8s.io/v1
  kind: MutatingWebhookConfiguration
  metadata:
    name: hooks
  webhooks:
    - name: hooks.example.com
      clientConfig:
        caBundle: ${caBundle}
`;

const PEM = (body: string) => `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
const base64 = (text: string) => Buffer.from(text).toString("base64");
const [CA_ONE, CA_TWO] = [base64(PEM("A")), base64(PEM("B"))];

const tlsSecret = (ca: string) => yaml`
  apiVersion: v1
  kind: Secret
  metadata:
    name: hooks-tls
  type: Opaque
  data:
    ca.crt: ${ca}
`;

const deployment = (id: string, roll: string) => yaml`
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
  spec:
    selector:
      matchLabels: {app: web, id: "${id}"}
    template:
      metadata:
        labels: {app: web, id: "${id}"}
        annotations:
          rollme: "${roll}"
      spec:
        containers: [{name: web, image: "web:1"}]
`;

/** A pre-upgrade hook Job with this delete policy. */
const hook = (name: string, deletePolicy: string) =>
  job(name).replace(`name: ${name}`, `name: ${name}\n  annotations: {helm.sh/hook: "pre-install,pre-upgrade", helm.sh/hook-delete-policy: ${deletePolicy}}`);

const job = (name: string) => yaml`
  apiVersion: batch/v1
  kind: Job
  metadata:
    name: ${name}
  spec:
    template:
      metadata:
        labels: {app: migrate}
      spec:
        restartPolicy: Never
        containers: [{name: m, image: "m:1"}]
`;

/** A pre-upgrade hook Job whose pod template carries a checksum. */
const hookJob = (checksum: string) => yaml`
  apiVersion: batch/v1
  kind: Job
  metadata:
    name: migrate
    annotations: {helm.sh/hook: pre-upgrade}
  spec:
    template:
      metadata:
        annotations: {checksum/secret: "${checksum}"}
      spec:
        restartPolicy: Never
        containers: [{name: m, image: "m:1"}]
`;

const randomConfig = (seed: string) => yaml`
  apiVersion: v1
  kind: ConfigMap
  metadata: {name: seed}
  data:
    seed: "${seed}"
`;

const claimRevision = (revision: string) => yaml`
  apiVersion: apps/v1
  kind: StatefulSet
  metadata: {name: db}
  spec:
    selector: {matchLabels: {app: db}}
    template:
      metadata:
        labels: {app: db}
      spec:
        containers: [{name: db, image: "db:1"}]
    volumeClaimTemplates:
      - metadata:
          name: data
          labels:
            app: db
            revision: "${revision}"
`;

/** An admin Secret as a bcrypt hash of a kept password (base64, as in data) and a basic-auth line (`user:hash`, as htpasswd writes it). */
const hashed = (hash: string, auth: string, mtime: string) => yaml`
  apiVersion: v1
  kind: Secret
  metadata: {name: admin}
  data:
    admin.password: ${hash}
    admin.passwordMtime: ${mtime}
  stringData:
    auth: "${auth}"
`;

/** A web server's config file in a Secret (base64 in data) with a bcrypt hash of a basic-auth user's password, as Prometheus exporters take it. */
const webConfig = (file: string) => yaml`
  apiVersion: v1
  kind: Secret
  metadata: {name: web-config}
  data:
    web-config.yaml: ${file}
`;

/** A Deployment whose container has the environment variable `name` set to `value`. */
const withEnv = (name: string, value: string) => yaml`
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: api
  spec:
    selector:
      matchLabels: {app: api}
    template:
      metadata:
        labels: {app: api}
      spec:
        containers:
          - name: api
            image: "api:1"
            env:
              - {name: LOG_LEVEL, value: info}
              - {name: ${name}, value: "${value}"}
`;

/** A CronJob, and an upgrade hook Job, each with a random environment variable. */
const cronAndHookJob = (token: string) => yaml`
  apiVersion: batch/v1
  kind: CronJob
  metadata:
    name: refresh
  spec:
    schedule: "0 * * * *"
    jobTemplate:
      spec:
        template:
          spec:
            restartPolicy: Never
            containers: [{name: r, image: "r:1", env: [{name: TOKEN, value: "${token}"}]}]
  ---
  apiVersion: batch/v1
  kind: Job
  metadata:
    name: migrate-database
    annotations: {helm.sh/hook: "post-install,post-upgrade", helm.sh/hook-delete-policy: before-hook-creation}
  spec:
    template:
      spec:
        restartPolicy: Never
        containers: [{name: m, image: "m:1", env: [{name: TOKEN, value: "${token}"}]}]
`;

/** A CronJob at a random minute of the hour, as charts spread their schedules. */
const cronAt = (minute: string) => yaml`
  apiVersion: batch/v1
  kind: CronJob
  metadata:
    name: nova
  spec:
    schedule: "${minute} * * * *"
    jobTemplate:
      spec:
        template:
          spec:
            restartPolicy: Never
            containers: [{name: nova, image: "nova:1"}]
`;

/** An ExternalSecret the chart refreshes on each release with a timestamp annotation. */
const refreshed = (time: string) => yaml`
  apiVersion: external-secrets.io/v1beta1
  kind: ExternalSecret
  metadata:
    name: config
    annotations:
      helm.sh/release-time: "${time}"
  spec:
    refreshInterval: 1h
`;

const CASES: ProbeCase[] = [
  {
    name: "bcrypt hashes salted anew on every render, of the same value: info, when nothing else in the object changes",
    base: hashed("JDJhJDEwJGFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh", "metrics:$2a$10$aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "MjAyNi0xMi0wMlQxMzowMDowMFo="),
    repeat: hashed("JDJhJDEwJGJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJi", "metrics:$2a$10$bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "MjAyNi0xMi0wMlQxMzowMDowMFo="),
    expect: [
      {
        severity: "info",
        object: "Secret/admin",
        path: "data.admin.password",
        line: 5,
        messageId: "rehashed",
        data: { fields: "data.admin.password and stringData.auth" },
        evidence: { cause: "random", fields: ["data.admin.password", "stringData.auth"], saltedHash: "bcrypt" },
      },
    ],
  },
  {
    name: "a web config file in a Secret whose only change is its bcrypt hash: info, the file is rehashed",
    base: webConfig("YmFzaWNfYXV0aF91c2VyczoKICBqb2I6ICQyYSQxMCRhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYQo="),
    repeat: webConfig("YmFzaWNfYXV0aF91c2VyczoKICBqb2I6ICQyYSQxMCRiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYgo="),
    expect: [
      {
        severity: "info",
        object: "Secret/web-config",
        path: "data.web-config.yaml",
        line: 5,
        messageId: "rehashed",
        data: { fields: "data.web-config.yaml" },
        evidence: { cause: "random", fields: ["data.web-config.yaml"], saltedHash: "bcrypt" },
      },
    ],
  },
  {
    name: "a web config file whose bcrypt hash and another line change: a warning",
    base: webConfig("YmFzaWNfYXV0aF91c2VyczoKICBqb2I6ICQyYSQxMCRhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYQo="),
    repeat: webConfig("YmFzaWNfYXV0aF91c2VyczoKICBqb2I6ICQyYSQxMCRiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYgpsb2dfbGV2ZWw6IGRlYnVnCg=="),
    expect: [
      {
        severity: "warning",
        object: "Secret/web-config",
        path: "data.web-config.yaml",
        line: 5,
        messageId: "randomSecret",
        data: { fields: "data.web-config.yaml" },
        evidence: { cause: "random", fields: ["data.web-config.yaml"] },
      },
    ],
  },
  {
    name: "a bcrypt hash next to a timestamp that changes (a later render's `now`): the warning names the timestamp only",
    base: hashed("JDJhJDEwJGFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh", "metrics:$2a$10$aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "MjAyNi0xMi0wMlQxMzowMDowMFo="),
    repeat: hashed("JDJhJDEwJGJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJi", "metrics:$2a$10$bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "MjAyNi0xMi0wM1QxNDowMTowMVo="),
    expect: [
      {
        severity: "warning",
        object: "Secret/admin",
        path: "data.admin.passwordMtime",
        line: 6,
        messageId: "randomSecret",
        data: { fields: "data.admin.passwordMtime" },
        evidence: { cause: "random", fields: ["data.admin.passwordMtime"] },
      },
    ],
  },
  {
    name: "a random password in a Secret: lookup or values",
    base: secret("cGFzczE="),
    repeat: secret("cGFzczI="),
    expect: [
      {
        severity: "warning",
        object: "Secret/db",
        path: "data.password",
        line: 7,
        messageId: "randomSecret",
        data: { fields: "data.password" },
        evidence: { cause: "random", fields: ["data.password"] },
      },
    ],
  },
  {
    name: "a generated certificate: cert-manager or lookup",
    base: secret("Y2VydDE=", "kubernetes.io/tls"),
    repeat: secret("Y2VydDI=", "kubernetes.io/tls"),
    expect: [{ severity: "warning", object: "Secret/db", path: "data.password", line: 7, messageId: "randomCertificate", data: { fields: "data.password" } }],
  },
  {
    name: "a roll annotation is info; the random selector and pod label are the volatile-* rules' to report",
    base: deployment("abc", "x1"),
    repeat: deployment("def", "x2"),
    expect: [
      {
        severity: "info",
        object: "Deployment/web",
        path: "spec.template.metadata.annotations.rollme",
        line: 12,
        messageId: "rollAnnotationDeliberate",
        data: { annotation: "rollme" },
        evidence: { cause: "random", annotation: "rollme", value: "x1" },
      },
    ],
  },
  {
    name: "a checksum annotation over a value generated on every render: info, and the fix is that value, not another checksum",
    base: deployment("abc", "x1").replace("rollme: \"x1\"", "checksum/secret: \"" + "a1".repeat(32) + "\""),
    repeat: deployment("def", "x2").replace("rollme: \"x2\"", "checksum/secret: \"" + "b2".repeat(32) + "\""),
    expect: [
      {
        severity: "info",
        object: "Deployment/web",
        path: "spec.template.metadata.annotations.checksum/secret",
        line: 12,
        messageId: "hashesRandom",
        data: { annotation: "checksum/secret" },
      },
    ],
  },
  {
    name: "a random pod annotation whose name does not say it rolls the pods: a warning",
    base: deployment("abc", "x1").replace("rollme", "build-id"),
    repeat: deployment("def", "x2").replace("rollme", "build-id"),
    expect: [
      {
        severity: "warning",
        object: "Deployment/web",
        path: "spec.template.metadata.annotations.build-id",
        line: 12,
        messageId: "rollAnnotation",
        data: { annotation: "build-id" },
      },
    ],
  },
  {
    name: "a Job named with .Release.Revision is recreated each release (info)",
    base: job("shop-migrate-1"),
    repeat: job("shop-migrate-1"),
    combined: { manifest: job("shop-migrate-987651"), markers: MARKERS },
    expect: [
      {
        severity: "info",
        object: "Job/shop-migrate-1",
        path: "metadata.name",
        line: 4,
        messageId: "revisionNamePerRelease",
        data: { name: "shop-migrate-1", kind: "Job", next: "shop-migrate-2" },
        evidence: { source: ".Release.Revision", field: "metadata.name" },
      },
    ],
  },
  {
    name: "a Job named with .Release.Revision whose pod label carries the revision too: only the name is reported (it is recreated, never patched)",
    base: job("shop-migrate-1").replace("{app: migrate}", '{app: migrate, revision: "1"}'),
    repeat: job("shop-migrate-1").replace("{app: migrate}", '{app: migrate, revision: "1"}'),
    combined: { manifest: job("shop-migrate-987651").replace("{app: migrate}", '{app: migrate, revision: "987651"}'), markers: MARKERS },
    expect: [
      {
        severity: "info",
        object: "Job/shop-migrate-1",
        path: "metadata.name",
        line: 4,
        messageId: "revisionNamePerRelease",
        evidence: { source: ".Release.Revision", field: "metadata.name" },
      },
    ],
  },
  {
    name: ".Release.Revision in a selector fails every upgrade; in a pod annotation it rolls the pods",
    base: deployment("1", "1"),
    repeat: deployment("1", "1"),
    combined: { manifest: deployment("987651", "987651"), markers: MARKERS },
    expect: [
      {
        severity: "error",
        object: "Deployment/web",
        path: "spec.selector.matchLabels.id",
        line: 7,
        messageId: "revisionSelector",
        data: { label: "id", next: "2", failure: "spec.selector: Invalid value: ...: field is immutable" },
      },
      {
        severity: "warning",
        object: "Deployment/web",
        path: "spec.template.metadata.labels.id",
        line: 10,
        messageId: "revisionPodLabel",
        data: { label: "id", next: "2", kind: "Deployment" },
      },
      {
        severity: "info",
        object: "Deployment/web",
        path: "spec.template.metadata.annotations.rollme",
        line: 12,
        messageId: "revisionAnnotationDeliberate",
        data: { annotation: "rollme" },
        evidence: { source: ".Release.Revision", annotation: "rollme" },
      },
    ],
  },
  {
    name: ".Release.Revision in a pod annotation whose name does not say it rolls the pods: a warning",
    base: deployment("1", "1").replace("rollme", "build-id"),
    repeat: deployment("1", "1").replace("rollme", "build-id"),
    combined: { manifest: deployment("987651", "987651").replace("rollme", "build-id"), markers: MARKERS },
    expect: [
      { severity: "error", object: "Deployment/web", path: "spec.selector.matchLabels.id", line: 7, messageId: "revisionSelector" },
      { severity: "warning", object: "Deployment/web", path: "spec.template.metadata.labels.id", line: 10, messageId: "revisionPodLabel" },
      {
        severity: "warning",
        object: "Deployment/web",
        path: "spec.template.metadata.annotations.build-id",
        line: 12,
        messageId: "revisionAnnotation",
        data: { annotation: "build-id" },
      },
    ],
  },
  {
    name: "a random name: info for a Job meant to run again, a warning for anything else",
    base: job("migrate-ab12") + "---\n" + secret("eA==").replace("name: db", "name: db-ab12"),
    repeat: job("migrate-cd34") + "---\n" + secret("eA==").replace("name: db", "name: db-cd34"),
    expect: [
      {
        severity: "info",
        object: "Job/migrate-ab12",
        path: "metadata.name",
        line: 4,
        messageId: "randomNamePerRelease",
        data: { before: "migrate-ab12", after: "migrate-cd34", kind: "Job" },
      },
      {
        severity: "warning",
        object: "Secret/db-ab12",
        path: "metadata.name",
        line: 16,
        messageId: "randomName",
        data: { before: "db-ab12", after: "db-cd34", kind: "Secret" },
      },
    ],
  },
  {
    name: "a random hook name: nothing where Helm deletes the hook once it succeeds; else info, the previous one is left behind on each upgrade",
    base: hook("schema-ab12", "hook-succeeded") + "---\n" + hook("seed-ab12", "before-hook-creation"),
    repeat: hook("schema-cd34", "hook-succeeded") + "---\n" + hook("seed-cd34", "before-hook-creation"),
    expect: [
      {
        severity: "info",
        object: "Job/seed-ab12",
        path: "metadata.name",
        line: 17,
        messageId: "randomHookName",
        data: { before: "seed-ab12", after: "seed-cd34", kind: "Job" },
      },
    ],
  },
  {
    name: "identical renders: nothing",
    base: secret("eA==") + "---\n" + job("migrate"),
    repeat: secret("eA==") + "---\n" + job("migrate"),
    combined: { manifest: secret("eA==") + "---\n" + job("migrate"), markers: MARKERS },
    expect: [],
  },
  {
    name: "a random password in a Secret its template looks up first (generate on install, keep on upgrade): info, saying what happens when",
    base: fromTemplate("secret.yaml", secret("cGFzczE=")),
    repeat: fromTemplate("secret.yaml", secret("cGFzczI=")),
    chartFacts: lookingUp("chart/templates/secret.yaml", "Secret"),
    expect: [
      {
        severity: "info",
        object: "Secret/db",
        path: "data.password",
        line: 8,
        messageId: "reusedByLookup",
        data: { fields: "data.password", lookedUp: "Secret" },
        evidence: { cause: "random", fields: ["data.password"], reusedBy: "lookup Secret" },
      },
    ],
  },
  {
    name: "a lookup of another kind, or in another template, does not keep this Secret: still a warning",
    base: fromTemplate("secret.yaml", secret("cGFzczE=")),
    repeat: fromTemplate("secret.yaml", secret("cGFzczI=")),
    chartFacts: { ...lookingUp("chart/templates/secret.yaml", "ConfigMap"), lookups: new Map([["chart/templates/secret.yaml", new Set(["ConfigMap"])], ["chart/templates/other.yaml", new Set(["Secret"])]]) },
    expect: [{ severity: "warning", object: "Secret/db", path: "data.password", line: 8, messageId: "randomSecret" }],
  },
  {
    name: "genCA in a webhook with no lookup rotates the CA on every upgrade: warning",
    base: fromTemplate("webhook.yaml", webhook("Q0Ex")),
    repeat: fromTemplate("webhook.yaml", webhook("Q0Ey")),
    expect: [
      {
        severity: "warning",
        object: "MutatingWebhookConfiguration/hooks",
        path: "webhooks[0].clientConfig.caBundle",
        line: 9,
        messageId: "randomCertificate",
        data: { fields: "webhooks[0].clientConfig.caBundle" },
      },
    ],
  },
  {
    name: "genCA written into a TLS Secret and into a webhook's caBundle: one finding, on the Secret, naming the copy",
    base: fromTemplate("webhook.yaml", tlsSecret(CA_ONE) + "---\n" + webhook(CA_ONE)),
    repeat: fromTemplate("webhook.yaml", tlsSecret(CA_TWO) + "---\n" + webhook(CA_TWO)),
    expect: [
      {
        severity: "warning",
        object: "Secret/hooks-tls",
        path: "data.ca.crt",
        line: 8,
        messageId: "randomCertificate",
        data: { fields: "data.ca.crt (the same certificate also in MutatingWebhookConfiguration/hooks)" },
        evidence: { copies: ["MutatingWebhookConfiguration/hooks webhooks[0].clientConfig.caBundle"] },
      },
    ],
  },
  {
    name: "a PEM certificate under any key of an Opaque Secret (cert.pem) is a certificate: the webhook carrying it folds into the Secret's finding",
    base: fromTemplate("webhook.yaml", tlsSecret(CA_ONE).replace("ca.crt", "cert.pem") + "---\n" + webhook(CA_ONE)),
    repeat: fromTemplate("webhook.yaml", tlsSecret(CA_TWO).replace("ca.crt", "cert.pem") + "---\n" + webhook(CA_TWO)),
    expect: [
      {
        severity: "warning",
        object: "Secret/hooks-tls",
        path: "data.cert.pem",
        line: 8,
        messageId: "randomCertificate",
        data: { fields: "data.cert.pem (the same certificate also in MutatingWebhookConfiguration/hooks)" },
      },
    ],
  },
  {
    name: "a webhook's caBundle that is not the Secret's certificate keeps its own finding",
    base: fromTemplate("webhook.yaml", tlsSecret(CA_ONE) + "---\n" + webhook(base64(PEM("C")))),
    repeat: fromTemplate("webhook.yaml", tlsSecret(CA_TWO) + "---\n" + webhook(base64(PEM("D")))),
    expect: [
      { severity: "warning", object: "Secret/hooks-tls", path: "data.ca.crt", line: 8, messageId: "randomCertificate", data: { fields: "data.ca.crt" } },
      { severity: "warning", object: "MutatingWebhookConfiguration/hooks", path: "webhooks[0].clientConfig.caBundle", line: 17, messageId: "randomCertificate", data: { fields: "webhooks[0].clientConfig.caBundle" } },
    ],
  },
  {
    name: "a random password in a chart that refuses helm upgrade until the current passwords are passed: info, quoting the chart",
    base: fromTemplate("secret.yaml", secret("cGFzczE=")),
    repeat: fromTemplate("secret.yaml", secret("cGFzczI=")),
    upgradeRefusal: PASSWORDS_ERROR,
    expect: [
      {
        severity: "info",
        object: "Secret/db",
        path: "data.password",
        line: 8,
        messageId: "refusedOnUpgrade",
        data: { fields: "data.password", refusal: PASSWORDS_ERROR },
        evidence: { upgradeRefusal: PASSWORDS_ERROR },
      },
    ],
  },
  {
    name: "genCA in a webhook of a chart that refuses helm upgrade without its passwords: still a warning (a certificate is not a value the user passes)",
    base: fromTemplate("webhook.yaml", webhook("Q0Ex")),
    repeat: fromTemplate("webhook.yaml", webhook("Q0Ey")),
    upgradeRefusal: PASSWORDS_ERROR,
    expect: [
      {
        severity: "warning",
        object: "MutatingWebhookConfiguration/hooks",
        path: "webhooks[0].clientConfig.caBundle",
        line: 9,
        messageId: "randomCertificate",
        data: { fields: "webhooks[0].clientConfig.caBundle" },
      },
    ],
  },
  {
    name: "genCA in a webhook whose template reuses the certificate Secret through lookup: info",
    base: fromTemplate("webhook.yaml", webhook("Q0Ex")),
    repeat: fromTemplate("webhook.yaml", webhook("Q0Ey")),
    chartFacts: lookingUp("chart/templates/webhook.yaml", "Secret"),
    expect: [
      {
        severity: "info",
        object: "MutatingWebhookConfiguration/hooks",
        path: "webhooks[0].clientConfig.caBundle",
        line: 9,
        messageId: "reusedByLookup",
        data: { fields: "webhooks[0].clientConfig.caBundle", lookedUp: "Secret" },
        evidence: { reusedBy: "lookup Secret" },
      },
    ],
  },
  {
    name: "genCA in a webhook whose template looks up the Secret, but the upgrade renders (lookup answered) still differ: a warning that says the lookup does not keep it",
    base: fromTemplate("webhook.yaml", webhook("Q0Ex")),
    repeat: fromTemplate("webhook.yaml", webhook("Q0Ey")),
    upgrades: [fromTemplate("webhook.yaml", webhook("Q0Ez")), fromTemplate("webhook.yaml", webhook("Q0E0"))],
    chartFacts: lookingUp("chart/templates/webhook.yaml", "Secret"),
    expect: [
      {
        severity: "warning",
        object: "MutatingWebhookConfiguration/hooks",
        path: "webhooks[0].clientConfig.caBundle",
        line: 9,
        messageId: "notKeptByLookup",
        data: { fields: "webhooks[0].clientConfig.caBundle", lookedUp: "Secret", what: "certificate or CA" },
        evidence: { lookup: "Secret", keptOnUpgrade: false },
      },
    ],
  },
  {
    name: "genCA in a webhook whose template looks up the Secret behind a values switch that asks for a new one (recreate): info naming the switch",
    base: fromTemplate("webhook.yaml", webhook("Q0Ex")),
    repeat: fromTemplate("webhook.yaml", webhook("Q0Ey")),
    upgrades: [fromTemplate("webhook.yaml", webhook("Q0Ez")), fromTemplate("webhook.yaml", webhook("Q0E0"))],
    chartFacts: { ...lookingUp("chart/templates/webhook.yaml", "Secret"), regenerateSwitches: new Map([["chart/templates/webhook.yaml", ["admissionWebhooks.autoGenerateCert.recreate"]]]) },
    expect: [
      {
        severity: "info",
        object: "MutatingWebhookConfiguration/hooks",
        path: "webhooks[0].clientConfig.caBundle",
        line: 9,
        messageId: "regeneratedByValues",
        data: { fields: "webhooks[0].clientConfig.caBundle", what: "certificate or CA", switches: "admissionWebhooks.autoGenerateCert.recreate" },
        evidence: { lookup: "Secret", keptOnUpgrade: false, switches: ["admissionWebhooks.autoGenerateCert.recreate"] },
      },
    ],
  },
  {
    name: "a Secret with a generated password rendered on install only (the upgrade renders lack it): the first upgrade deletes it, a warning",
    base: fromTemplate("secret.yaml", secret("cGFzczE=")),
    repeat: fromTemplate("secret.yaml", secret("cGFzczI=")),
    upgrades: [fromTemplate("other.yaml", OTHER), fromTemplate("other.yaml", OTHER)],
    chartFacts: lookingUp("chart/templates/secret.yaml", "Secret"),
    expect: [
      {
        severity: "warning",
        object: "Secret/db",
        path: "data.password",
        line: 8,
        messageId: "deletedOnUpgrade",
        data: { fields: "data.password", kind: "Secret" },
        evidence: { goneOnUpgrade: true },
      },
    ],
  },
  {
    name: "the same install-only Secret with helm.sh/resource-policy: keep stays in place: info, kept",
    base: fromTemplate("secret.yaml", keptSecret("cGFzczE=")),
    repeat: fromTemplate("secret.yaml", keptSecret("cGFzczI=")),
    upgrades: [fromTemplate("other.yaml", OTHER), fromTemplate("other.yaml", OTHER)],
    chartFacts: lookingUp("chart/templates/secret.yaml", "Secret"),
    expect: [{ severity: "info", object: "Secret/db", path: "data.password", line: 10, messageId: "reusedByLookup", data: { fields: "data.password", lookedUp: "Secret" } }],
  },
  {
    name: "the same install-only Secret as a pre-install hook: no part of the release, so no upgrade deletes it: info, kept",
    base: fromTemplate("secret.yaml", hookSecret("cGFzczE=")),
    repeat: fromTemplate("secret.yaml", hookSecret("cGFzczI=")),
    upgrades: [fromTemplate("other.yaml", OTHER), fromTemplate("other.yaml", OTHER)],
    chartFacts: lookingUp("chart/templates/secret.yaml", "Secret"),
    expect: [{ severity: "info", object: "Secret/db", path: "data.password", line: 10, messageId: "reusedByLookup", data: { fields: "data.password", lookedUp: "Secret" } }],
  },
  {
    name: "genCA in a webhook whose template looks up the Secret, and the upgrade renders agree: info",
    base: fromTemplate("webhook.yaml", webhook("Q0Ex")),
    repeat: fromTemplate("webhook.yaml", webhook("Q0Ey")),
    upgrades: [fromTemplate("webhook.yaml", webhook("Q0Ex")), fromTemplate("webhook.yaml", webhook("Q0Ex"))],
    chartFacts: lookingUp("chart/templates/webhook.yaml", "Secret"),
    expect: [
      {
        severity: "info",
        object: "MutatingWebhookConfiguration/hooks",
        path: "webhooks[0].clientConfig.caBundle",
        line: 9,
        messageId: "reusedByLookup",
        data: { fields: "webhooks[0].clientConfig.caBundle", lookedUp: "Secret" },
      },
    ],
  },
  {
    name: "a checksum of a random Secret in a chart that refuses helm upgrade until the current passwords are passed: no restart once they are (the Secret's own finding quotes the refusal)",
    base: deployment("1", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").replace("rollme", "checksum/secret"),
    repeat: deployment("1", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb").replace("rollme", "checksum/secret"),
    // The install-mode upgrade renders (lookup answered, no --is-upgrade) still differ: the refusal decides.
    upgrades: [deployment("1", "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc").replace("rollme", "checksum/secret"), deployment("1", "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd").replace("rollme", "checksum/secret")],
    upgradeRefusal: PASSWORDS_ERROR,
    expect: [],
  },
  {
    name: "a random pod annotation on a hook Job, which Helm creates anew on each release anyway: nothing restarts",
    base: hookJob("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
    repeat: hookJob("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"),
    expect: [],
  },
  {
    name: "a random environment variable in a Deployment's pod template: every upgrade restarts the pods",
    base: withEnv("SESSION_SEED", "a1b2"),
    repeat: withEnv("SESSION_SEED", "c3d4"),
    expect: [
      { severity: "warning", object: "Deployment/api", path: "spec.template.spec.containers[0].env[1].value", line: 17, messageId: "rollFields", data: { fields: "spec.template.spec.containers[0].env[1].value" } },
    ],
  },
  {
    name: "a random environment variable named as a cache-bust token: the chart restarts the pods on purpose (info)",
    base: withEnv("CACHE_BUST_TOKEN", "a1b2"),
    repeat: withEnv("CACHE_BUST_TOKEN", "c3d4"),
    expect: [
      { severity: "info", object: "Deployment/api", path: "spec.template.spec.containers[0].env[1].value", line: 17, messageId: "rollFieldsDeliberate", data: { fields: "spec.template.spec.containers[0].env[1].value" } },
    ],
  },
  {
    name: "a random environment variable in a CronJob's job template (info: nothing restarts) and in an upgrade hook Job (created anew each release: nothing)",
    base: cronAndHookJob("a1b2"),
    repeat: cronAndHookJob("c3d4"),
    expect: [
      {
        severity: "info",
        object: "CronJob/refresh",
        path: "spec.jobTemplate.spec.template.spec.containers[0].env[0].value",
        line: 12,
        messageId: "randomCronJobTemplate",
        data: { fields: "spec.jobTemplate.spec.template.spec.containers[0].env[0].value" },
      },
    ],
  },
  {
    name: "a random minute whose two upgrade renders agree by chance: the template has no lookup nor install branch, so nothing keeps it (warning, not kept by lookup)",
    base: fromTemplate("cronjob.yaml", cronAt("7")),
    repeat: fromTemplate("cronjob.yaml", cronAt("41")),
    upgrades: [fromTemplate("cronjob.yaml", cronAt("23")), fromTemplate("cronjob.yaml", cronAt("23"))],
    chartFacts: { ...lookingUp("chart/templates/other.yaml", "Secret"), templateTexts: new Map([["chart/templates/cronjob.yaml", ['schedule: "{{ randNumeric 2 | mod 60 }} * * * *"']]]) },
    expect: [{ severity: "warning", object: "CronJob/nova", path: "spec.schedule", line: 7, messageId: "randomFields", data: { fields: "spec.schedule" } }],
  },
  {
    name: "the same timestamp on an upgrade hook's ExternalSecret, which Helm creates anew on each release: nothing carries over, nothing reported",
    base: refreshed("2026-12-03T09:00:00Z").replace("annotations:", 'annotations:\n    helm.sh/hook: "pre-install,pre-upgrade"'),
    repeat: refreshed("2026-12-03T09:00:01Z").replace("annotations:", 'annotations:\n    helm.sh/hook: "pre-install,pre-upgrade"'),
    expect: [],
  },
  {
    name: "a timestamp annotation that marks each release on an ExternalSecret (a refresh trigger): info",
    base: refreshed("2026-12-03T09:00:00Z"),
    repeat: refreshed("2026-12-03T09:00:01Z"),
    expect: [
      {
        severity: "info",
        object: "ExternalSecret/config",
        path: "metadata.annotations.helm.sh/release-time",
        line: 6,
        messageId: "randomAnnotations",
        data: { fields: "metadata.annotations.helm.sh/release-time" },
      },
    ],
  },
  {
    name: "a random name and container name in a helm test pod, a random password in a pre-install hook: made once per run, nothing to report",
    base: testPod("ab12") + "---\n" + secret("cGFzczE=").replace("name: db", "name: db\n  annotations: {helm.sh/hook: pre-install}"),
    repeat: testPod("cd34") + "---\n" + secret("cGFzczI=").replace("name: db", "name: db\n  annotations: {helm.sh/hook: pre-install}"),
    expect: [],
  },
  {
    name: "a random password in a pre-upgrade hook Secret is written by every upgrade: warning",
    base: secret("cGFzczE=").replace("name: db", "name: db\n  annotations: {helm.sh/hook: \"pre-install,pre-upgrade\"}"),
    repeat: secret("cGFzczI=").replace("name: db", "name: db\n  annotations: {helm.sh/hook: \"pre-install,pre-upgrade\"}"),
    expect: [{ severity: "warning", object: "Secret/db", path: "data.password", line: 8, messageId: "randomSecret" }],
  },
  {
    name: "a plain Job (fixed name) whose pod label carries the revision: every upgrade fails while it exists",
    base: job("migrate").replace("{app: migrate}", '{app: migrate, revision: "1"}'),
    repeat: job("migrate").replace("{app: migrate}", '{app: migrate, revision: "1"}'),
    combined: { manifest: job("migrate").replace("{app: migrate}", '{app: migrate, revision: "987651"}'), markers: MARKERS },
    expect: [
      {
        severity: "error",
        object: "Job/migrate",
        path: "spec.template.metadata.labels.revision",
        line: 8,
        messageId: "revisionJobLabel",
        data: { label: "revision", next: "2", kind: "Job" },
      },
    ],
  },
  {
    name: "a ConfigMap whose data is random, and a claim template label from the revision",
    base: `${randomConfig("a1")}---\n${claimRevision("1")}`,
    repeat: `${randomConfig("b2")}---\n${claimRevision("1")}`,
    combined: { manifest: `${randomConfig("a1")}---\n${claimRevision("987651")}`, markers: MARKERS },
    expect: [
      { severity: "warning", object: "ConfigMap/seed", path: "data.seed", line: 5, messageId: "randomFields", data: { fields: "data.seed" } },
      {
        severity: "error",
        object: "StatefulSet/db",
        path: "spec.volumeClaimTemplates[0].metadata.labels.revision",
        line: 22,
        messageId: "revisionClaimTemplate",
        data: {
          label: "revision",
          next: "2",
          failure: "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        },
      },
    ],
  },
  {
    name: "a Deployment named with .Release.Revision: a new object on each release (info), state does not carry over",
    base: deployment("x", "x").replace("name: web", "name: web-1"),
    repeat: deployment("x", "x").replace("name: web", "name: web-1"),
    combined: { manifest: deployment("x", "x").replace("name: web", "name: web-987651"), markers: MARKERS },
    expect: [
      { severity: "info", object: "Deployment/web-1", path: "metadata.name", line: 4, messageId: "revisionName", data: { name: "web-1", kind: "Deployment", next: "web-2" } },
    ],
  },
];

probeRuleCases(nondeterministicRender, CASES);

/** Message ids a table above cannot produce, with the test that does. */
const PRODUCED_ELSEWHERE: Record<string, string> = {
  reusedHash: "test/render/precision.test.ts: lookup-secret (the checksum line needs the chart's template)",
  resignedByKeptCa: "test/render/precision.test.ts: resigned-leaf (a certificate really signed by a CA really kept: the upgrade probe of a real chart)",
};

test("nondeterministic-render: every message id is expected by a case", () => {
  const expected = new Set(CASES.flatMap((c) => c.expect.map((e) => e.messageId)));
  const missing = Object.keys(nondeterministicRender.meta.messages).filter((id) => !expected.has(id) && PRODUCED_ELSEWHERE[id] === undefined);
  assert.deepEqual(missing, []);
});

test("nondeterministic-render: plain manifests (no probes) give nothing to compare", () => {
  assert.deepEqual(findingsFor(nondeterministicRender, secret("cGFzczE=")), []);
});

test("nondeterministic-render: several random fields of one object are one finding naming them all", () => {
  const findings = probedFindings(nondeterministicRender, {
    base: secret("YQ==").replace("user: YWRtaW4=", "user: YQ=="),
    repeat: secret("Yg==").replace("user: YWRtaW4=", "user: Yg=="),
  });
  assert.equal(findings.length, 1);
  assert.deepEqual(findings[0]!.evidence.fields, ["data.password", "data.user"]);
  assert.deepEqual([findings[0]!.messageId, findings[0]!.data], ["randomSecret", { fields: "data.password and data.user" }]);
});
