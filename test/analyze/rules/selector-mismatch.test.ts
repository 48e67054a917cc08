import { selectorMismatch } from "../../../src/analyze/rules/selector-mismatch.ts";
import { ruleCases, yaml } from "../../helpers/rule-cases.ts";

ruleCases(selectorMismatch, [
  {
    name: "selector matches the template",
    manifest: yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web, tier: fe}}
    `,
    expect: [],
  },
  {
    name: "template lacks a selector label",
    manifest: yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        selector:
          matchLabels: {app: web, component: api}
        template:
          metadata:
            labels: {app: web}
    `,
    expect: [{ severity: "error", object: "Deployment/web", path: "spec.template.metadata.labels", line: 9, messageId: "templateMismatch", data: { object: "Deployment/web", kind: "Deployment", selector: "app=web,component=api", unmatched: "component=api" }, evidence: { unmatched: ["component=api"] } }],
  },
  {
    name: "matchExpressions NotIn is satisfied by an absent key",
    manifest: yaml`
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: db}
      spec:
        selector:
          matchLabels: {app: db}
          matchExpressions: [{key: canary, operator: NotIn, values: ["true"]}]
        template:
          metadata: {labels: {app: db}}
    `,
    expect: [],
  },
  {
    name: "matchExpressions Exists fails when the key is absent",
    manifest: yaml`
      apiVersion: apps/v1
      kind: DaemonSet
      metadata: {name: agent}
      spec:
        selector:
          matchExpressions: [{key: app, operator: Exists}, {key: tier, operator: In, values: [a, b]}]
        template:
          metadata: {labels: {tier: c}}
    `,
    expect: [{ severity: "error", object: "DaemonSet/agent", path: "spec.template.metadata.labels", line: 8, messageId: "templateMismatch", data: { object: "DaemonSet/agent", kind: "DaemonSet", selector: "app,tier in (a,b)", unmatched: "app and tier in (a,b)" }, evidence: { unmatched: ["app", "tier in (a,b)"] } }],
  },
  {
    name: "empty selector is rejected for a Deployment",
    manifest: yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        selector: {}
        template:
          metadata: {labels: {app: web}}
    `,
    expect: [{ severity: "error", object: "Deployment/web", path: "spec.selector", line: 5, messageId: "emptySelector", data: { object: "Deployment/web", kind: "Deployment", resource: "deployment" } }],
  },
  {
    name: "missing selector on a StatefulSet",
    manifest: yaml`
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: db}
      spec:
        template:
          metadata: {labels: {app: db}}
    `,
    expect: [{ severity: "error", object: "StatefulSet/db", path: "spec.selector", line: 4, messageId: "noSelector", data: { object: "StatefulSet/db", kind: "StatefulSet", resource: "statefulset" } }],
  },
  {
    name: "Jobs, CronJobs, Pods and ReplicationControllers without a selector are fine",
    manifest: yaml`
      apiVersion: batch/v1
      kind: Job
      metadata: {name: migrate}
      spec:
        template: {metadata: {labels: {app: web}}}
      ---
      apiVersion: v1
      kind: ReplicationController
      metadata: {name: legacy}
      spec:
        template: {metadata: {labels: {app: legacy}}}
    `,
    expect: [],
  },
  {
    name: "a custom resource with a pod template whose selector misses its own pods",
    manifest: yaml`
      apiVersion: example.com/v1
      kind: Foo
      metadata: {name: foo}
      spec:
        selector: {matchLabels: {app: foo}}
        template:
          metadata: {labels: {app: bar}}
          spec: {containers: [{name: a, image: b}]}
    `,
    expect: [{ severity: "error", object: "Foo/foo", path: "spec.template.metadata.labels", line: 7, messageId: "customTemplateMismatch", data: { object: "Foo/foo", kind: "Foo", selector: "app=foo", unmatched: "app=foo" } }],
  },
  {
    name: "a custom resource whose template has no containers templates some other object, not pods",
    manifest: yaml`
      apiVersion: example.com/v1
      kind: Foo
      metadata: {name: foo}
      spec:
        selector: {matchLabels: {app: foo}}
        template:
          metadata: {labels: {app: bar}}
          spec: {project: default}
    `,
    expect: [],
  },
]);
