import assert from "node:assert/strict";
import { test } from "node:test";
import { invalidLabel } from "../../../src/analyze/rules/invalid-label.ts";
import { rolloutSelectorChanged } from "../../../src/analyze/rules/rollout-selector-changed.ts";
import { findingsFor } from "../../helpers/rule-cases.ts";
import { upgradeCases, yaml } from "../../helpers/upgrade-cases.ts";

const rollout = (selector: string, templateLabels = selector, extra = "") => yaml`
  apiVersion: argoproj.io/v1alpha1
  kind: Rollout
  metadata:
    name: app
  spec:
    replicas: 2
    selector:
      matchLabels: ${selector}
    template:
      metadata:
        labels: ${templateLabels}
      spec:
        containers: [{name: app, image: "app:1.0"}]
    strategy:
      canary:
        steps: [{setWeight: 20}, {pause: {}}]
  ${extra}
`;

upgradeCases(rolloutSelectorChanged, [
  {
    name: "a user value in the selector changes (argo-rollouts#4070)",
    from: rollout("{app: web, team: old-team}"),
    to: rollout("{app: web, team: new-team}"),
    expect: [
      {
        severity: "error",
        object: "Rollout/app",
        path: "spec.selector",
        line: 7,
        evidence: {
          before: { matchLabels: { app: "web", team: "old-team" } },
          after: { matchLabels: { app: "web", team: "new-team" } },
          keys: ["team"],
          outcome: "either",
        },
        messageId: "either",
        data: {
          changed: "team",
          before: '{"matchLabels":{"app":"web","team":"old-team"}}',
          after: '{"matchLabels":{"app":"web","team":"new-team"}}',
          apiError: `Rollout.argoproj.io "app" is invalid: spec.selector: Invalid value: "object": .spec.selector is immutable`,
        },
      },
    ],
  },
  {
    name: "Argo Rollouts before 1.9 configured: accepted, the canary is skipped, no CRD check needed",
    from: rollout("{app: web, team: a}"),
    to: rollout("{app: web, team: b}"),
    settings: { argoRolloutsVersion: "1.8" },
    expect: [
      {
        severity: "error",
        object: "Rollout/app",
        path: "spec.selector",
        line: 7,
        evidence: { outcome: "canary-skipped" },
        messageId: "canarySkipped",
        data: { changed: "team", before: '{"matchLabels":{"app":"web","team":"a"}}', after: '{"matchLabels":{"app":"web","team":"b"}}' },
        commands: [`kubectl -n default get rollout app -o jsonpath='{.spec.selector}'`, "helm upgrade '<release>' '<chart>' -n default", "kubectl -n default get replicasets -l app=web,team=a"],
      },
    ],
  },
  {
    name: "Argo Rollouts 1.9 or later configured: refused",
    from: rollout("{app: web, team: a}"),
    to: rollout("{app: web, team: b}"),
    settings: { argoRolloutsVersion: "2.0" },
    expect: [
      {
        severity: "error",
        object: "Rollout/app",
        path: "spec.selector",
        line: 7,
        evidence: { outcome: "refused" },
        messageId: "refused",
        data: { changed: "team", before: '{"matchLabels":{"app":"web","team":"a"}}', after: '{"matchLabels":{"app":"web","team":"b"}}', apiError: `Rollout.argoproj.io "app" is invalid: spec.selector: Invalid value: "object": .spec.selector is immutable` },
      },
    ],
  },
  {
    name: "a selector label is added",
    from: rollout("{app: web}", "{app: web, tier: fe}"),
    to: rollout("{app: web, tier: fe}"),
    expect: [
      {
        severity: "error",
        object: "Rollout/app",
        path: "spec.selector",
        line: 7,
        messageId: "either",
        data: { changed: "tier", before: '{"matchLabels":{"app":"web"}}', after: '{"matchLabels":{"app":"web","tier":"fe"}}', apiError: `Rollout.argoproj.io "app" is invalid: spec.selector: Invalid value: "object": .spec.selector is immutable` },
        evidence: { keys: ["tier"] },
      },
    ],
  },
  {
    name: "matchExpressions change",
    from: rollout("{app: web}", "{app: web}", "---"),
    to: yaml`
      apiVersion: argoproj.io/v1alpha1
      kind: Rollout
      metadata: {name: app}
      spec:
        selector:
          matchLabels: {app: web}
          matchExpressions: [{key: track, operator: NotIn, values: [canary]}]
        template:
          metadata: {labels: {app: web}}
    `,
    expect: [
      {
        severity: "error",
        object: "Rollout/app",
        path: "spec.selector",
        line: 5,
        messageId: "either",
        data: {
          changed: "matchExpressions",
          before: '{"matchLabels":{"app":"web"}}',
          after: '{"matchLabels":{"app":"web"},"matchExpressions":[{"key":"track","operator":"NotIn","values":["canary"]}]}',
          apiError: `Rollout.argoproj.io "app" is invalid: spec.selector: Invalid value: "object": .spec.selector is immutable`,
        },
        evidence: { keys: ["matchExpressions"] },
        commands: [
          "kubectl get crd rollouts.argoproj.io -o jsonpath='{.spec.versions[*].schema.openAPIV3Schema.properties.spec.properties.selector.x-kubernetes-validations}'",
          "kubectl -n default get rollout app -o jsonpath='{.spec.selector}'",
          "helm upgrade '<release>' '<chart>' -n default",
          "kubectl -n default get replicasets -l app=web",
        ],
      },
    ],
  },
  {
    name: "only the pod template changes (labels and image): fine",
    from: rollout("{app: web}", "{app: web, version: '1'}"),
    to: rollout("{app: web}", "{app: web, version: '2'}").replace("app:1.0", "app:2.0"),
    expect: [],
  },
  {
    name: "same selector written differently: key order, empty matchExpressions, null vs absent",
    from: yaml`
      apiVersion: argoproj.io/v1alpha1
      kind: Rollout
      metadata: {name: app}
      spec:
        selector:
          matchLabels: {a: "1", b: "2"}
          matchExpressions: []
        template: {metadata: {labels: {a: "1", b: "2"}}}
    `,
    to: yaml`
      apiVersion: argoproj.io/v1alpha1
      kind: Rollout
      metadata: {name: app}
      spec:
        selector:
          matchExpressions: null
          matchLabels: {b: "2", a: "1"}
        template: {metadata: {labels: {a: "1", b: "2"}}}
    `,
    expect: [],
  },
  {
    name: "reordered documents: the Rollout is paired by identity, not position",
    from: `${rollout("{app: web}")}---\napiVersion: v1\nkind: Service\nmetadata: {name: app}\nspec: {selector: {app: web}}\n`,
    to: `apiVersion: v1\nkind: Service\nmetadata: {name: app}\nspec: {selector: {app: web}}\n---\n${rollout("{app: web}")}`,
    expect: [],
  },
  {
    name: "a Deployment's selector change is immutable-field's business, not this rule's",
    from: yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: app}
      spec:
        selector: {matchLabels: {app: web, team: a}}
        template: {metadata: {labels: {app: web, team: a}}}
    `,
    to: yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: app}
      spec:
        selector: {matchLabels: {app: web, team: b}}
        template: {metadata: {labels: {app: web, team: b}}}
    `,
    expect: [],
  },
  {
    name: "a selector label written as a number is the same label: the API refuses the object (invalid-label), it is no selector change",
    from: rollout('{app: web, v: "1"}'),
    to: rollout("{app: web, v: 1}"),
    expect: [],
  },
  {
    name: "matchExpressions are an ordered list: reordering them is a change, as the CRD's `self == oldSelf` sees it",
    from: yaml`
      apiVersion: argoproj.io/v1alpha1
      kind: Rollout
      metadata: {name: app}
      spec:
        selector:
          matchExpressions: [{key: a, operator: Exists}, {key: b, operator: Exists}]
    `,
    to: yaml`
      apiVersion: argoproj.io/v1alpha1
      kind: Rollout
      metadata: {name: app}
      spec:
        selector:
          matchExpressions: [{key: b, operator: Exists}, {key: a, operator: Exists}]
    `,
    settings: { argoRolloutsVersion: "1.9" },
    expect: [
      {
        severity: "error",
        object: "Rollout/app",
        path: "spec.selector",
        line: 5,
        messageId: "refused",
        data: {
          changed: "matchExpressions",
          before: '{"matchExpressions":[{"key":"a","operator":"Exists"},{"key":"b","operator":"Exists"}]}',
          after: '{"matchExpressions":[{"key":"b","operator":"Exists"},{"key":"a","operator":"Exists"}]}',
          apiError: `Rollout.argoproj.io "app" is invalid: spec.selector: Invalid value: "object": .spec.selector is immutable`,
        },
        commands: ["kubectl -n default get rollout app -o jsonpath='{.spec.selector}'", "helm upgrade '<release>' '<chart>' -n default", "kubectl -n default get replicasets -l a,b"],
      },
    ],
  },
  {
    name: "a new Rollout (renamed) is created, not updated",
    from: rollout("{app: web, team: a}"),
    to: rollout("{app: web, team: b}").replace("name: app", "name: app-v2"),
    expect: [],
  },
  {
    name: "a Rollout kind in another API group is not Argo's",
    from: rollout("{app: web, team: a}").replace("argoproj.io/v1alpha1", "example.com/v1"),
    to: rollout("{app: web, team: b}").replace("argoproj.io/v1alpha1", "example.com/v1"),
    expect: [],
  },
]);

test("rollout-selector-changed: a selector label written as a number is reported where the API refuses it, by invalid-label", () => {
  const findings = findingsFor(invalidLabel, rollout("{app: web, v: 1}"));
  assert.deepEqual(
    findings.map((f) => [f.rule, f.path, f.location.line]),
    [
      ["invalid-label", "spec.selector.matchLabels.v", 8],
      ["invalid-label", "spec.template.metadata.labels.v", 11],
    ],
  );
});
