import { volatileJobTemplate } from "../../../src/analyze/rules/volatile-job-template.ts";
import { MARKERS, probeRuleCases } from "../../helpers/probe-cases.ts";
import { ruleCases, yaml } from "../../helpers/rule-cases.ts";

/** A Job in flow style, with its metadata and one container's image. */
function flowJob(metadata: string, image: string): string {
  return `apiVersion: batch/v1\nkind: Job\nmetadata: ${metadata}\nspec: {template: {spec: {containers: [{name: m, image: "${image}"}]}}}\n`;
}

// Plain manifests: an image tagged with the app version the objects declare changes with the next appVersion.
ruleCases(volatileJobTemplate, [
  {
    name: "a plain Job running the declared app version: the next appVersion fails the upgrade (error)",
    manifest: yaml`
      apiVersion: batch/v1
      kind: Job
      metadata:
        name: web-migrate
        namespace: shop
        labels: {app.kubernetes.io/version: "2.1.0"}
      spec:
        template:
          spec:
            restartPolicy: Never
            initContainers:
              - name: wait
                image: busybox:1.36
            containers:
              - name: migrate
                image: example/web:v2.1.0
    `,
    expect: [
      {
        severity: "error",
        object: "Job/web-migrate",
        path: "spec.template.spec.containers[0].image",
        line: 16,
        messageId: "changes",
        data: { fields: "spec.containers[0].image", sources: "the appVersion" },
        evidence: { cause: "name", version: "2.1.0", fields: ["spec.template.spec.containers[0].image"] },
      },
    ],
  },
  {
    name: "with a ttlSecondsAfterFinished of a day it fails only while the Job still exists (warning)",
    manifest: yaml`
      apiVersion: batch/v1
      kind: Job
      metadata: {name: web-migrate, labels: {app.kubernetes.io/version: "2.1.0"}}
      spec:
        ttlSecondsAfterFinished: 86400
        template:
          spec:
            containers: [{name: migrate, image: "example/web:2.1.0"}]
    `,
    expect: [
      {
        severity: "warning",
        object: "Job/web-migrate",
        path: "spec.template.spec.containers[0].image",
        line: 8,
        messageId: "changesUntilRemoved",
        data: { fields: "spec.containers[0].image", sources: "the appVersion", ttl: 86400 },
      },
    ],
  },
  {
    name: "hooks, generateName, the version in the name, an image of another version: no finding",
    manifest: [
      '{name: web-hook, labels: {app.kubernetes.io/version: "2.1.0"}, annotations: {helm.sh/hook: post-upgrade}}',
      "{generateName: web-run-}",
      "{name: web-migrate-2.1.0}",
      "{name: web-migrate-2-1-0-x}",
    ]
      .map((metadata) => flowJob(metadata, "example/web:2.1.0"))
      .concat(flowJob("{name: tools}", "example/tools:2.1.01"))
      .join("---\n"),
    expect: [],
  },
  {
    name: "a version label in the pod template of a plain Job: the template is immutable, so the next bump fails (error)",
    manifest: yaml`
      apiVersion: batch/v1
      kind: Job
      metadata:
        name: cert-job
        namespace: tools
      spec:
        template:
          metadata:
            labels:
              app.kubernetes.io/name: certs
              helm.sh/chart: certs-1.3.1
          spec:
            restartPolicy: Never
    `,
    expect: [
      {
        severity: "error",
        object: "Job/cert-job",
        path: "spec.template.metadata.labels.helm.sh/chart",
        line: 11,
        messageId: "changes",
        data: { fields: "label helm.sh/chart", sources: "the chart version" },
        evidence: {
          cause: "name",
          fields: ["spec.template.metadata.labels.helm.sh/chart"],
          labels: [{ key: "helm.sh/chart", value: "certs-1.3.1", cause: "name", reason: "key" }],
        },
      },
    ],
  },
  {
    name: "version labels and an image of the app version in one Job: one finding naming all three, at the first one's line; info, as ttlSecondsAfterFinished removes the Job within minutes of finishing",
    manifest: yaml`
      apiVersion: batch/v1
      kind: Job
      metadata:
        name: migrate
        labels: {app.kubernetes.io/version: "2.1.0"}
      spec:
        ttlSecondsAfterFinished: 300
        template:
          metadata:
            labels: {helm.sh/chart: web-0.2.0, app.kubernetes.io/version: "2.1.0"}
          spec:
            containers: [{name: migrate, image: "example/web:2.1.0"}]
    `,
    expect: [
      {
        severity: "info",
        object: "Job/migrate",
        path: "spec.template.metadata.labels.helm.sh/chart",
        line: 10,
        messageId: "changesUntilRemoved",
        data: {
          fields: "label helm.sh/chart, label app.kubernetes.io/version and spec.containers[0].image",
          sources: "the chart version and the appVersion",
          ttl: 300,
        },
        evidence: { causes: ["name"] },
      },
    ],
  },
]);

/** A plain Job as rendered, and as a probe render with `name`, `image` and `env` in its place. */
function job(name: string, image: string, env = "1.0.0"): string {
  return yaml`
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: ${name}
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: migrate
              image: ${image}
              env:
                - {name: CHART_VERSION, value: "${env}"}
  `;
}

const tagMarkers = { ...MARKERS, imageTags: new Map([["cgtag0x", "image.tag"]]) };

probeRuleCases(volatileJobTemplate, [
  {
    name: "the image from image.tag and the chart version in env: one finding naming both",
    base: job("migrate", "shop:4.1"),
    combined: { manifest: job("migrate", "shop:4.1+cgtag0x", "1.0.0+cgchart"), markers: tagMarkers },
    expect: [
      {
        severity: "error",
        object: "Job/migrate",
        path: "spec.template.spec.containers[0].image",
        line: 11,
        messageId: "changes",
        data: { fields: "spec.containers[0].image and spec.containers[0].env[0].value", sources: "the image tag image.tag and the chart version" },
        evidence: { cause: "image-tag", valuesPath: "image.tag", causes: ["image-tag", "chart-version"] },
      },
    ],
  },
  {
    name: "an image by a floating tag (stable) from image.tag: no release bumps it, so nothing to report; the chart version beside it still is",
    base: job("migrate", "shop:stable"),
    combined: { manifest: job("migrate", "shop:stable+cgtag0x", "1.0.0+cgchart"), markers: tagMarkers },
    expect: [
      {
        severity: "error",
        object: "Job/migrate",
        path: "spec.template.spec.containers[0].env[0].value",
        line: 13,
        messageId: "changes",
        data: { fields: "spec.containers[0].env[0].value", sources: "the chart version" },
      },
    ],
  },
  {
    name: "the revision in the pod spec: every upgrade fails",
    base: job("migrate", "shop:4.1", "1"),
    combined: { manifest: job("migrate", "shop:4.1", MARKERS.revision), markers: tagMarkers },
    expect: [
      {
        severity: "error",
        object: "Job/migrate",
        path: "spec.template.spec.containers[0].env[0].value",
        line: 13,
        messageId: "changes",
        data: { fields: "spec.containers[0].env[0].value", sources: ".Release.Revision" },
        evidence: { source: ".Release.Revision", causes: ["revision"] },
      },
    ],
  },
  {
    name: "named with the revision: recreated on every release, whatever its template does",
    base: job("migrate-1", "shop:4.1"),
    combined: { manifest: job(`migrate-${MARKERS.revision}`, "shop:4.1+cgtag0x", "1.0.0+cgchart"), markers: tagMarkers },
    expect: [],
  },
  {
    name: "named with the chart version: new with every chart, app and default tag change",
    base: job("migrate-1.0.0", "shop:4.1"),
    combined: { manifest: job("migrate-1.0.0-cgchart", "shop:4.1+cgtag0x", "1.0.0+cgchart"), markers: tagMarkers },
    expect: [],
  },
  {
    name: "named with a hash of the image values: new with each tag, but not with the chart version",
    base: job("migrate-5f3a", "shop:4.1"),
    // The hash changed with the tag: no marker in the name, so the single renders tell what changed it.
    combined: { manifest: job("migrate-77aa", "shop:4.1+cgtag0x", "1.0.0+cgchart"), markers: tagMarkers },
    singles: [
      { cause: "image-tag", manifest: job("migrate-9c1d", "shop:4.1+cgtag0x"), markers: { imageTags: new Map([["cgtag0x", "image.tag"]]) } },
      { cause: "chart-version", manifest: job("migrate-5f3a", "shop:4.1", "1.0.0+cgchart"), markers: { chartVersion: MARKERS.chartVersion } },
    ],
    expect: [
      {
        severity: "error",
        object: "Job/migrate-5f3a",
        path: "spec.template.spec.containers[0].env[0].value",
        line: 13,
        evidence: { cause: "chart-version", causes: ["chart-version"] },
      },
    ],
  },
]);
