/** The pure half of `fix`: helper pairs, repair planning, the patch text and the proof's comparisons. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Finding } from "../../src/analyze/finding.ts";
import { defineBlocks, selectorHelpers, selectorHelpersToAdd } from "../../src/fix/helpers.ts";
import { applyEdits, unifiedDiff, type LineEdit } from "../../src/fix/patch.ts";
import { editsIn, editsOf, planRepairs } from "../../src/fix/plan.ts";
import { fieldChanges, proofResult } from "../../src/fix/proof.ts";
import { parseYamlStream } from "../../src/load/yaml.ts";

const HELPERS = `{{- define "web.labels" -}}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{ include "web.selectorLabels" . }}
{{- end }}
{{- define "web.selectorLabels" -}}
app.kubernetes.io/name: web
{{- end }}
{{- define "web.annotations" -}}
a: b
{{- end }}
`;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
spec:
  selector:
    matchLabels:
      {{- include "web.selectorLabels" . | nindent 6 }}
      {{- with .Values.extraLabels }}
      {{- toYaml . | nindent 6 }}
      {{- end }}
      {{- toYaml .Values.more.labels | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "web.labels" . | nindent 8 }}
        version: {{ .Chart.AppVersion }}
        {{- include "other.labels" . | nindent 8 }}
`;

const CHART = "/charts/web";
const deployment = { apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "web" };

function finding(rule: string, path: string, templateLine: number, evidence: Finding["evidence"] = {}): Finding {
  return {
    rule,
    severity: "warning",
    messageId: "changes",
    data: {},
    message: "m",
    object: deployment,
    path,
    location: { file: "charts/web", rendered: true, line: 1, template: "charts/web/templates/deployment.yaml", templateLine },
    related: [],
    evidence,
    remedy: { text: "r" },
  };
}

const plan = (findings: Finding[]) =>
  planRepairs({ findings, chartDir: CHART, cwd: "/", files: new Map([["templates/deployment.yaml", DEPLOYMENT], ["templates/_helpers.tpl", HELPERS]]), selectorHelpers: selectorHelpers([HELPERS]) });

test("selectorHelpers: each labels helper with the one selector-labels helper it includes", () => {
  assert.deepEqual([...selectorHelpers([HELPERS])], [["web.labels", "web.selectorLabels"]]);
  const two = `{{- define "x.labels" -}}\n{{ include "x.selectorLabels" . }}\n{{ include "y.selectorLabels" . }}\n{{- end }}`;
  assert.deepEqual([...selectorHelpers([two])], []);
});

test("selectorHelpers: a labels helper that includes none is paired with the selector-labels helper of its own name (selectorLabels or selector.labels), when the chart defines one; labels.selector is a selector-labels helper too", () => {
  const twins = '{{- define "app.cas.labels" -}}\n{{- include "common.labels.standard" . }}\napp.kubernetes.io/component: cas\n{{- end }}\n{{- define "app.cas.selectorLabels" -}}\n{{- include "common.labels.matchLabels" . }}\napp.kubernetes.io/component: cas\n{{- end }}\n';
  const alone = '{{- define "app.web.labels" -}}\nhelm.sh/chart: x\n{{- end }}\n';
  const dotted = '{{- define "mock.labels" -}}\nhelm.sh/chart: x\n{{- end }}\n{{- define "mock.selector.labels" -}}\napp: mock\n{{- end }}\n';
  const included = '{{- define "labels.common" -}}\n{{- include "labels.selector" . -}}\nchart: x\n{{- end }}\n{{- define "labels.selector" -}}\napp: x\n{{- end }}\n';
  assert.deepEqual([...selectorHelpers([twins, alone, dotted, included])], [
    ["labels.common", "labels.selector"],
    ["app.cas.labels", "app.cas.selectorLabels"],
    ["mock.labels", "mock.selector.labels"],
  ]);
});

test("planRepairs: the labels-helper include becomes the selector-labels one, both findings on one line make one repair", () => {
  const chart = finding("volatile-pod-labels", "spec.template.metadata.labels", 14, { labels: [{ key: "helm.sh/chart" }] });
  const version = finding("volatile-pod-labels", "spec.template.metadata.labels", 14, { labels: [{ key: "app.kubernetes.io/version" }] });
  const { repairs, unrepaired } = plan([chart, version]);
  assert.deepEqual(unrepaired, []);
  assert.equal(repairs.length, 1);
  assert.deepEqual(repairs[0]!.edit, { file: "templates/deployment.yaml", line: 14, count: 1, replacement: ['        {{- include "web.selectorLabels" . | nindent 8 }}'] });
  assert.deepEqual(repairs[0]!.findings, [chart, version]);
  assert.deepEqual(repairs[0]!.intended.map((i) => [i.path, i.label]), [["spec.template.metadata.labels", "helm.sh/chart"], ["spec.template.metadata.labels", "app.kubernetes.io/version"]]);
});

test("planRepairs: a values map merged into a selector is taken out (with block, or one toYaml line), a literal label line removed; other rules and lines say why not", () => {
  const withBlock = finding("volatile-selector", "spec.selector.matchLabels", 7, { cause: "values", valuesPath: "extraLabels" });
  const oneLine = finding("volatile-selector", "spec.selector.matchLabels", 10, { cause: "values", valuesPath: "more.labels" });
  const literal = finding("volatile-pod-labels", "spec.template.metadata.labels", 15, { labels: [{ key: "version" }] });
  const unpaired = finding("volatile-pod-labels", "spec.template.metadata.labels", 16, { labels: [{ key: "x" }] });
  const dangling = finding("dangling-selector", "spec.selector", 4);
  const { repairs, unrepaired } = plan([withBlock, oneLine, literal, unpaired, dangling]);
  assert.deepEqual(repairs.map((r) => [r.kind, r.edit.line, r.edit.count, r.edit.replacement]), [
    ["values-out-of-selector", 7, 3, []],
    ["values-out-of-selector", 10, 1, []],
    ["literal-label-removed", 15, 1, []],
  ]);
  assert.deepEqual(unrepaired.map((u) => u.reason), [
    'the helper "other.labels" on charts/web/templates/deployment.yaml:16 includes no selector-labels helper, and has no single name and instance label lines of stable values to build one from',
    "fix has no repair for dangling-selector (it repairs volatile-pod-labels, volatile-selector, volatile-claim-template, volatile-job-template, selector-overlap)",
  ]);
});

const JOB = `apiVersion: batch/v1
kind: Job
spec:
  template:
    metadata:
      labels:
        role: migrate
        {{- include "web.labels" . | nindent 8 }}
`;

test("planRepairs: a selector-overlap with Job pods only: the Job's labels-helper include drops the selector key the rule names; without that evidence, the reason", () => {
  const job = { apiVersion: "batch/v1", kind: "Job", namespace: "default", name: "web-migrate" };
  const sources = [{ object: "Job/web-migrate", path: "spec.template.metadata.labels", template: "charts/web/templates/job.yaml", templateLine: 6 }];
  const overlap = { ...finding("selector-overlap", "spec.selector", 4, { jobPodLabels: { key: "app.kubernetes.io/name", sources } }), related: [job] };
  const foreign = finding("selector-overlap", "spec.selector", 4);
  const files = new Map([["templates/job.yaml", JOB], ["templates/_helpers.tpl", HELPERS]]);
  const { repairs, unrepaired } = planRepairs({ findings: [overlap, foreign], chartDir: CHART, cwd: "/", files, selectorHelpers: selectorHelpers([HELPERS]) });
  assert.deepEqual(
    repairs.map((r) => [r.id, r.kind, r.edit, r.intended]),
    [["templates/job.yaml:8", "job-pods-out-of-selector", { file: "templates/job.yaml", line: 8, count: 1, replacement: ['        {{- omit (include "web.labels" . | fromYaml) "app.kubernetes.io/name" | toYaml | nindent 8 }}'] }, [{ object: job, path: "spec.template.metadata.labels", label: "app.kubernetes.io/name" }]]],
  );
  assert.deepEqual(unrepaired.map((u) => u.reason), [
    "the selector takes in the pods of other long-running workloads too, or no label of the selector tells the Job pods apart: fix repairs an overlap only with the chart's own Job and CronJob pods, by their labels",
  ]);
});

test("planRepairs: a literal label that is its map's only entry, or that starts a block, is left as it is", () => {
  const text = "kind: Job\nspec:\n  template:\n    metadata:\n      labels:\n        version: {{ .Chart.AppVersion }}\n    spec: {}\n";
  const files = new Map([["templates/deployment.yaml", text]]);
  const alone = finding("volatile-pod-labels", "spec.template.metadata.labels", 6, { labels: [{ key: "version" }] });
  const planned = planRepairs({ findings: [alone], chartDir: CHART, cwd: "/", files, selectorHelpers: new Map() });
  assert.deepEqual(planned.unrepaired.map((u) => u.reason), [
    "charts/web/templates/deployment.yaml:6 writes the label version as the only entry of its map: removing it would leave the map empty",
  ]);
  const block = finding("volatile-pod-labels", "spec.template.metadata.labels", 5, { labels: [{ key: "labels" }] });
  assert.deepEqual(planRepairs({ findings: [block], chartDir: CHART, cwd: "/", files, selectorHelpers: new Map() }).repairs, []);
});

test("planRepairs: a template outside the chart directory is not edited", () => {
  const outside = { ...finding("volatile-pod-labels", "spec.template.metadata.labels", 14, { labels: [{ key: "a" }] }) };
  outside.location = { ...outside.location, template: "web-1.0.0.tgz/templates/deployment.yaml" };
  assert.deepEqual(plan([outside]).unrepaired.map((u) => u.reason), ["the template web-1.0.0.tgz/templates/deployment.yaml is not a file of the chart directory"]);
});

test("unifiedDiff and applyEdits: close edits share a hunk, line counts follow deletions", () => {
  const text = `${Array.from({ length: 20 }, (_, i) => `l${i + 1}`).join("\n")}\n`;
  const edits: LineEdit[] = [
    { file: "t", line: 5, count: 1, replacement: ["L5"] },
    { file: "t", line: 9, count: 2, replacement: [] },
    { file: "t", line: 19, count: 1, replacement: ["L19"] },
  ];
  assert.equal(
    unifiedDiff("c/t", text, edits),
    "--- a/c/t\n+++ b/c/t\n@@ -2,12 +2,10 @@\n l2\n l3\n l4\n-l5\n+L5\n l6\n l7\n l8\n-l9\n-l10\n l11\n l12\n l13\n@@ -16,5 +14,5 @@\n l16\n l17\n l18\n-l19\n+L19\n l20\n",
  );
  assert.equal(applyEdits(text, edits), text.replace("l5\n", "L5\n").replace("l9\nl10\n", "").replace("l19\n", "L19\n"));
});

test("proofResult: a change outside the intended label map, a finding left and a new one each fail the proof; a field that differs between two renders of the original is not compared", () => {
  const render = (podLabels: string, replicas: number) =>
    parseYamlStream(
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: ${replicas}\n  template:\n    metadata:\n      labels: {${podLabels}}\n`,
      "r.yaml",
    );
  const before = render("app: web, helm.sh/chart: web-1", 1);
  const labelsOnly = fieldChanges(before, render("app: web", 1), "default");
  assert.deepEqual(labelsOnly.map((c) => [c.path, c.before, c.after]), [["spec.template.metadata.labels.helm.sh/chart", "web-1", undefined]]);
  const repaired = finding("volatile-pod-labels", "spec.template.metadata.labels", 14, { labels: [{ key: "helm.sh/chart" }] });
  const intended = [{ object: deployment, path: "spec.template.metadata.labels", label: "helm.sh/chart" }];
  const ok = proofResult({ repaired: [repaired], before: [repaired], after: [], changes: labelsOnly, unstable: [], intended, renders: [{ helm: "v3" }] });
  assert.equal(ok.proven, true);
  const replicas = fieldChanges(before, render("app: web", 2), "default");
  const wide = proofResult({ repaired: [repaired], before: [repaired], after: [], changes: replicas, unstable: [], intended, renders: [{ helm: "v3" }] });
  assert.deepEqual([wide.proven, wide.unintended.map((c) => c.path)], [false, ["spec.replicas"]]);
  const random = proofResult({ repaired: [repaired], before: [repaired], after: [], changes: replicas, unstable: fieldChanges(before, render("app: web, helm.sh/chart: web-1", 2), "default"), intended, renders: [{ helm: "v3" }] });
  assert.deepEqual([random.proven, random.changes.map((c) => c.path), random.unstable.map((c) => c.path)], [true, ["spec.template.metadata.labels.helm.sh/chart"], ["spec.replicas"]]);
  const newOne = { ...repaired, rule: "dangling-selector", path: "spec.selector" };
  const left = proofResult({ repaired: [repaired], before: [repaired], after: [repaired, newOne], changes: [], unstable: [], intended, renders: [{ helm: "v4", error: "boom" }] });
  assert.deepEqual([left.proven, left.remaining, left.added], [false, [repaired], [newOne]]);
});

test("planRepairs: labels from inside the selector-labels helper, in a selector or a claim template, are left with their reason", () => {
  const text = "kind: StatefulSet\nspec:\n  selector:\n    matchLabels:\n      {{- include \"web.selectorLabels\" . | nindent 6 }}\n";
  const files = new Map([["templates/deployment.yaml", text]]);
  const fromHelper = finding("volatile-selector", "spec.selector.matchLabels", 4, { cause: "values", valuesPath: "commonLabels" });
  const claim = finding("volatile-claim-template", "spec.volumeClaimTemplates[0].metadata.labels", 4, { cause: "values", valuesPath: "persistence.labels" });
  const planned = planRepairs({ findings: [fromHelper, claim], chartDir: CHART, cwd: "/", files, selectorHelpers: new Map() });
  assert.deepEqual(planned.unrepaired.map((u) => u.reason), [
    'the volatile labels come from inside the selector-labels helper "web.selectorLabels" (charts/web/templates/deployment.yaml:5), which takes in values or versions: fix does not edit helpers',
    'the volatile labels come from inside the selector-labels helper "web.selectorLabels" (charts/web/templates/deployment.yaml:5), which takes in values or versions: fix does not edit helpers',
  ]);
});

test("proofResult: a label added, changed, or taken out and kept nowhere else on the object is not what a repair does", () => {
  const render = (podLabels: string) => parseYamlStream(`apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    metadata:\n      labels: {${podLabels}}\n`, "r.yaml");
  const changes = fieldChanges(render("app: web, tier: a, team: t"), render("app: web2, tier: a, extra: x"), "default");
  const repaired = finding("volatile-pod-labels", "spec.template.metadata.labels", 14, { labels: [{ key: "helm.sh/chart" }] });
  const result = proofResult({ repaired: [repaired], before: [repaired], after: [], changes, unstable: [], intended: [{ object: deployment, path: "spec.template.metadata.labels" }], renders: [] });
  assert.deepEqual([result.proven, result.unintended.map((c) => c.path)], [false, ["spec.template.metadata.labels.app", "spec.template.metadata.labels.team", "spec.template.metadata.labels.extra"]]);
});

test("fieldChanges: a label taken out of a pod template that the object keeps in its own metadata is marked kept", () => {
  const render = (podLabels: string) =>
    parseYamlStream(`apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, labels: {helm.sh/chart: web-1}}\nspec:\n  template:\n    metadata:\n      labels: {${podLabels}}\n`, "r.yaml");
  const changes = fieldChanges(render("app: web, helm.sh/chart: web-1, team: t"), render("app: web"), "default");
  assert.deepEqual(changes.map((c) => [c.path, c.removedLabel]), [
    ["spec.template.metadata.labels.helm.sh/chart", { key: "helm.sh/chart", keptElsewhere: true }],
    ["spec.template.metadata.labels.team", { key: "team", keptElsewhere: false }],
  ]);
});

test("planRepairs: a Bitnami-style standard-labels include keeps its custom labels, merged over the matchLabels helper", () => {
  const text = 'kind: Deployment\nspec:\n  template:\n    metadata:\n      labels: {{- include "common.labels.standard" ( dict "customLabels" $podLabels "context" $ ) | nindent 8 }}\n';
  const files = new Map([["templates/deployment.yaml", text]]);
  const chart = finding("volatile-pod-labels", "spec.template.metadata.labels", 5, { labels: [{ key: "helm.sh/chart" }], cause: "chart-version" });
  const planned = planRepairs({ findings: [chart], chartDir: CHART, cwd: "/", files, selectorHelpers: new Map([["common.labels.standard", "common.labels.matchLabels"]]), bitnamiCommon: true });
  assert.deepEqual(planned.repairs.map((r) => r.edit.replacement), [[
    '      labels: {{- include "common.tplvalues.merge" ( dict "values" ( list $podLabels ( include "common.labels.matchLabels" ( dict "customLabels" $podLabels "context" $ ) ) ) "context" $ ) | nindent 8 }}',
  ]]);
});

test("planRepairs: a Job's volatile-job-template finding is repaired in its label map when only labels change; with its image changing too, left with the reason", () => {
  const job = { apiVersion: "batch/v1", kind: "Job", namespace: "default", name: "web-setup" };
  const labels = [{ key: "helm.sh/chart" }, { key: "app.kubernetes.io/version" }];
  const fields = ["spec.template.metadata.labels.helm.sh/chart", "spec.template.metadata.labels.app.kubernetes.io/version"];
  const labelsOnly = { ...finding("volatile-job-template", fields[0]!, 14, { labels, fields }), object: job };
  const planned = plan([labelsOnly]);
  assert.deepEqual(planned.unrepaired, []);
  assert.deepEqual(planned.repairs.map((r) => [r.kind, r.edit.replacement, r.intended.map((i) => [i.object.kind, i.path, i.label])]), [[
    "selector-labels-helper",
    ['        {{- include "web.selectorLabels" . | nindent 8 }}'],
    [["Job", "spec.template.metadata.labels", "helm.sh/chart"], ["Job", "spec.template.metadata.labels", "app.kubernetes.io/version"]],
  ]]);
  const withImage = { ...finding("volatile-job-template", fields[0]!, 14, { labels, fields: [...fields, "spec.template.spec.containers[0].image"] }), object: job };
  assert.deepEqual(plan([withImage]).unrepaired.map((u) => u.reason), [
    "the Job's template also changes in spec.template.spec.containers[0].image, which no label repair stops: make the Job a Helm hook or name it per release",
  ]);
});

test("planRepairs: a merged finding whose labels sit on several lines of its map is one repair editing each of them, or left when the map would be empty", () => {
  const text = [
    "kind: Deployment",
    "spec:",
    "  template:",
    "    metadata:",
    "      labels:",
    '        {{- include "web.labels" . | nindent 8 }}',
    "        build: {{ .Chart.Version }}",
    "        app: web",
    "    spec: {}",
    "---",
    "kind: Deployment",
    "spec:",
    "  template:",
    "    metadata:",
    "      labels:",
    "        build: {{ .Chart.Version }}",
    "        version: {{ .Chart.AppVersion }}",
    "    spec: {}",
    "",
  ].join("\n");
  const files = new Map([["templates/deployment.yaml", text]]);
  const planFor = (findings: Finding[]) => planRepairs({ findings, chartDir: CHART, cwd: "/", files, selectorHelpers: selectorHelpers([HELPERS]) });
  const labels = [{ key: "build" }, { key: "helm.sh/chart" }, { key: "version" }];
  // The line of the first label is the literal one: the include on the line before it is made the selector-labels one too.
  const mixed = finding("volatile-pod-labels", "spec.template.metadata.labels", 7, { labels: labels.slice(0, 2) });
  const planned = planFor([mixed]);
  assert.deepEqual(planned.unrepaired, []);
  assert.deepEqual(planned.repairs.map((r) => [r.id, r.kind, r.description, [r.edit, ...(r.alsoEdits ?? [])].map((e) => [e.line, e.count, e.replacement])]), [[
    "templates/deployment.yaml:6",
    "selector-labels-helper",
    'include "web.selectorLabels" instead of "web.labels", and remove the line that writes the label build',
    [[6, 1, ['        {{- include "web.selectorLabels" . | nindent 8 }}']], [7, 1, []]],
  ]]);
  const onlyEntries = finding("volatile-pod-labels", "spec.template.metadata.labels", 16, { labels: [labels[0]!, labels[2]!] });
  assert.deepEqual(planFor([onlyEntries]).unrepaired.map((u) => u.reason), [
    "charts/web/templates/deployment.yaml:16 writes the label build and the label version as the only entries of its map: removing them would leave the map empty",
  ]);
});

/** A labels helper with no selector-labels helper, as older `helm create` layouts and hand-written charts have it. */
const UNPAIRED = `{{- define "relay.name" -}}
{{- default .Chart.Name .Values.nameOverride }}
{{- end }}

{{/*
Common labels
*/}}
{{- define "relay.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/name: {{ include "relay.name" . }}
{{- if .Values.instanceLabel }}
app.kubernetes.io/instance: {{ .Values.instanceLabel }}
{{- end }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
`;

test("defineBlocks: a define ends at its own end, not at the end of an if inside it; top-level lines are those outside the if", () => {
  assert.deepEqual(defineBlocks(UNPAIRED).map((b) => [b.name, b.start, b.end, b.topLevel]), [
    ["relay.name", 0, 2, [1]],
    ["relay.labels", 7, 15, [8, 9, 13, 14]],
  ]);
});

test("selectorHelpersToAdd: the labels helper's own top-level name and instance lines, after its end; none for a paired, already defined or unstable helper", () => {
  const added = selectorHelpersToAdd(new Map([["templates/_helpers.tpl", UNPAIRED]]), new Map());
  assert.deepEqual([...added], [[
    "relay.labels",
    {
      name: "relay.selectorLabels",
      keys: ["app.kubernetes.io/name", "app.kubernetes.io/instance"],
      edit: {
        file: "templates/_helpers.tpl",
        line: 17,
        count: 0,
        replacement: [
          "",
          "{{/*",
          'Selector labels: the labels of "relay.labels" that stay the same across releases',
          "*/}}",
          '{{- define "relay.selectorLabels" -}}',
          'app.kubernetes.io/name: {{ include "relay.name" . }}',
          "app.kubernetes.io/instance: {{ .Release.Name }}",
          "{{- end }}",
        ],
      },
    },
  ]]);
  const oldStyle = '{{- define "vault.labels" -}}\napp: {{ template "vault.name" . }}\nchart: {{ .Chart.Name }}-{{ .Chart.Version }}\nrelease: {{ .Release.Name }}\n{{- end }}\n';
  assert.deepEqual([...selectorHelpersToAdd(new Map([["templates/_helpers.tpl", oldStyle]]), new Map())].map(([helper, add]) => [helper, add.keys, add.edit.replacement.slice(5)]), [
    ["vault.labels", ["app", "release"], ['app: {{ template "vault.name" . }}', "release: {{ .Release.Name }}", "{{- end }}"]],
  ]);
  const none = (text: string, paired = new Map<string, string>()) => [...selectorHelpersToAdd(new Map([["templates/_helpers.tpl", text]]), paired).keys()];
  assert.deepEqual(none(UNPAIRED, new Map([["relay.labels", "relay.matchLabels"]])), []);
  assert.deepEqual(none(`${UNPAIRED}{{- define "relay.selectorLabels" -}}\napp: x\n{{- end }}\n`), []);
  assert.deepEqual(none(UNPAIRED.replace("{{ .Release.Name }}", "{{ .Release.Name }}-{{ .Chart.Version }}")), []);
  assert.deepEqual(none(UNPAIRED.replace("helm.sh/chart:", "app: relay\nhelm.sh/chart:")), []);
});

test("planRepairs: with no selector-labels helper, the include becomes one added to the helpers file, one edit the selector and pod template repairs share", () => {
  const text = 'kind: Deployment\nspec:\n  selector:\n    matchLabels:\n      {{- include "relay.labels" . | nindent 6 }}\n  template:\n    metadata:\n      labels:\n        {{- include "relay.labels" . | nindent 8 }}\n';
  const files = new Map([["templates/deployment.yaml", text], ["templates/_helpers.tpl", UNPAIRED]]);
  const selector = finding("volatile-selector", "spec.selector.matchLabels", 4, { labels: [{ key: "helm.sh/chart" }] });
  const pods = finding("volatile-pod-labels", "spec.template.metadata.labels", 9, { labels: [{ key: "helm.sh/chart" }] });
  const helpersToAdd = selectorHelpersToAdd(new Map([["templates/_helpers.tpl", UNPAIRED]]), new Map());
  const planned = planRepairs({ findings: [selector, pods], chartDir: CHART, cwd: "/", files, selectorHelpers: new Map(), helpersToAdd });
  assert.deepEqual(planned.unrepaired, []);
  const added = helpersToAdd.get("relay.labels")!.edit;
  assert.deepEqual(planned.repairs.map((r) => [r.id, r.kind, r.description, r.edit.replacement, r.alsoEdits]), [
    [
      "templates/deployment.yaml:5",
      "selector-labels-helper-added",
      'include "relay.selectorLabels" instead of "relay.labels", a helper added to templates/_helpers.tpl with the app.kubernetes.io/name and app.kubernetes.io/instance lines of "relay.labels"',
      ['      {{- include "relay.selectorLabels" . | nindent 6 }}'],
      [added],
    ],
    [
      "templates/deployment.yaml:9",
      "selector-labels-helper-added",
      'include "relay.selectorLabels" instead of "relay.labels", a helper added to templates/_helpers.tpl with the app.kubernetes.io/name and app.kubernetes.io/instance lines of "relay.labels"',
      ['        {{- include "relay.selectorLabels" . | nindent 8 }}'],
      [added],
    ],
  ]);
  assert.deepEqual(editsIn(planned.repairs, "templates/_helpers.tpl"), [added]);
  assert.equal(editsIn(planned.repairs, "templates/deployment.yaml").length, 2);
});

test("planRepairs: a claim template's labels from values are taken out, the with block or the if block holding its labels key; a selector keeps its key", () => {
  const text = [
    "kind: StatefulSet",
    "spec:",
    "  volumeClaimTemplates:",
    "    - metadata:",
    "        name: data",
    "        {{- with $pvc.extraLabels }}",
    "        labels: {{ toYaml . | nindent 10 }}",
    "        {{- end }}",
    "    - metadata:",
    "        name: logs",
    "        {{- if .Values.commonLabels }}",
    '        labels: {{- include "common.labels.matchLabels" ( dict "customLabels" .Values.commonLabels "context" $ ) | nindent 10 }}',
    "        {{- end }}",
    "  selector:",
    "    {{- with .Values.extraLabels }}",
    "    matchLabels: {{ toYaml . | nindent 6 }}",
    "    {{- end }}",
    "",
  ].join("\n");
  const files = new Map([["templates/deployment.yaml", text]]);
  const statefulSet = { ...deployment, kind: "StatefulSet" };
  const claim = (index: number, line: number, valuesPath: string) => ({
    ...finding("volatile-claim-template", `spec.volumeClaimTemplates[${index}].metadata.labels`, line, { cause: "values", valuesPath }),
    object: statefulSet,
  });
  const data = claim(0, 7, "persistence.extraLabels");
  const logs = claim(1, 12, "commonLabels");
  const selector = finding("volatile-selector", "spec.selector.matchLabels", 16, { cause: "values", valuesPath: "extraLabels" });
  const planned = planRepairs({ findings: [data, logs, selector], chartDir: CHART, cwd: "/", files, selectorHelpers: new Map() });
  assert.deepEqual(planned.repairs.map((r) => [r.id, r.kind, r.description, r.edit.line, r.edit.count, r.edit.replacement, r.caveat]), [
    [
      "templates/deployment.yaml:6",
      "values-out-of-claim-template",
      "take persistence.extraLabels out of the claim template (its labels become the chart's static ones)",
      6,
      3,
      [],
      "a release installed with persistence.extraLabels set has those labels in its claim template: before upgrading it, delete the StatefulSet with --cascade=orphan (its pods and volume claims stay); claims made after that no longer carry them",
    ],
    [
      "templates/deployment.yaml:11",
      "values-out-of-claim-template",
      "take commonLabels out of the claim template (its labels become the chart's static ones)",
      11,
      3,
      [],
      "a release installed with commonLabels set has those labels in its claim template: before upgrading it, delete the StatefulSet with --cascade=orphan (its pods and volume claims stay); claims made after that no longer carry them",
    ],
  ]);
  assert.deepEqual(planned.unrepaired.map((u) => u.reason), ["charts/web/templates/deployment.yaml:16 builds the field in a way fix does not rewrite: matchLabels: {{ toYaml . | nindent 6 }}"]);
});

test("planRepairs: every values map merged into a claim template's labels at the same indentation goes, a with block holding a bare labels key goes whole, and an if block rendering a values map goes", () => {
  const text = [
    "kind: StatefulSet",
    "spec:",
    "  volumeClaimTemplates:",
    "    - metadata:",
    "        name: datadir",
    "        labels:",
    "          app.kubernetes.io/name: {{ template \"db.name\" $ }}",
    "        {{- with $.Values.storage.persistentVolume.labels }}",
    "          {{- toYaml . | nindent 10 }}",
    "        {{- end }}",
    "        {{- with $.Values.labels }}",
    "          {{- toYaml . | nindent 10 }}",
    "        {{- end }}",
    "      {{- with $.Values.storage.persistentVolume.annotations }}",
    "        annotations: {{- toYaml . | nindent 10 }}",
    "      {{- end }}",
    "    - metadata:",
    "        name: storage",
    "        {{- with .Values.persistence.labels }}",
    "        labels:",
    "          {{ toYaml . | nindent 14 }}",
    "        {{- end }}",
    "    - metadata:",
    "        name: redis-data",
    '        labels: {{- include "common.labels.matchLabels" ( dict "customLabels" .Values.commonLabels "context" $ ) | nindent 10 }}',
    "        {{- if .Values.persistence.labels }}",
    '        {{- include "common.tplvalues.render" (dict "value" .Values.persistence.labels "context" $) | nindent 10 }}',
    "        {{- end }}",
    "",
  ].join("\n");
  const files = new Map([["templates/deployment.yaml", text]]);
  const statefulSet = { ...deployment, kind: "StatefulSet" };
  const rendered = { ...finding("volatile-claim-template", "spec.volumeClaimTemplates[2].metadata.labels", 26, { cause: "values" }), object: statefulSet };
  const merged = { ...finding("volatile-claim-template", "spec.volumeClaimTemplates[0].metadata.labels", 8, { cause: "values", valuesPath: "storage.persistentVolume.labels" }), object: statefulSet };
  const bare = { ...finding("volatile-claim-template", "spec.volumeClaimTemplates[1].metadata.labels", 21, { cause: "values", valuesPath: "persistence.labels" }), object: statefulSet };
  const planned = planRepairs({ findings: [merged, bare, rendered], chartDir: CHART, cwd: "/", files, selectorHelpers: new Map() });
  assert.deepEqual(planned.unrepaired, []);
  assert.deepEqual(planned.repairs.map((r) => [r.id, r.description, editsOf(r).map((e) => [e.line, e.count, e.replacement])]), [
    [
      "templates/deployment.yaml:8",
      "take storage.persistentVolume.labels and labels out of the claim template (its labels become the chart's static ones)",
      [[8, 3, []], [11, 3, []]],
    ],
    ["templates/deployment.yaml:19", "take persistence.labels out of the claim template (its labels become the chart's static ones)", [[19, 4, []]]],
    ["templates/deployment.yaml:26", "take persistence.labels out of the claim template (its labels become the chart's static ones)", [[26, 3, []]]],
  ]);
});
