/**
 * `chartguard fix` end to end on fixture charts of each repair pattern: the real CLI in a
 * child process, rendering with one Helm and proving the repaired chart under the other
 * (Helm 3 with Helm 4, and Helm 4 with Helm 3). Asserts the exact patch, the exact
 * runbook, the proof and what --write leaves in the chart.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { helmBinaries } from "../helpers/helm.ts";
import { MAIN, PROJECT_ROOT as ROOT, TSX_LOADER } from "../integrations/run.ts";
const FIXTURES = "test/fixtures/charts/fix";

function chartguard(args: readonly string[], cwd = ROOT) {
  const result = spawnSync(process.execPath, ["--import", TSX_LOADER, MAIN, "fix", ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", HELM_BIN: "" },
    timeout: 240_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface FixJson {
  chart: string;
  patch: string;
  repairs: { id: string; kind: string; proven: boolean; migration?: string; restarts?: boolean; failure?: string[]; caveat?: string; findings: { rule: string; path: string; object: { kind: string; name: string } }[] }[];
  proof?: { proven: boolean; remaining: unknown[]; added: unknown[]; changes: { object: { kind: string; name: string }; path: string; before?: unknown; after?: unknown }[]; unintended: unknown[]; renders: { helm: string; error?: string }[] };
  unrepaired: { rule: string; path: string; reason: string }[];
  runbook: { stage: string; command: string }[];
  written: string[];
}

const [helm3, helm4] = helmBinaries();
const pairs = [
  { name: "Helm 3, proven under Helm 4 too", main: helm3!, other: helm4! },
  { name: "Helm 4, proven under Helm 3 too", main: helm4!, other: helm3! },
];

function fixJson(chart: string, main: string, other: string, extra: string[] = [], cwd = ROOT): { status: number | null; json: FixJson; stderr: string } {
  const run = chartguard([chart, "--helm", main, "--proof-helm", other, "-o", "json", ...extra], cwd);
  assert.equal(run.stderr, "");
  return { status: run.status, json: JSON.parse(run.stdout) as FixJson, stderr: run.stderr };
}

/** A fixture chart copied into a temporary folder, named relative to it (the patch names files as the chart is named). */
function scratchChart(fixture: string): { cwd: string; chart: string; remove: () => void } {
  const cwd = mkdtempSync(join(tmpdir(), "chartguard-fix-"));
  cpSync(join(ROOT, FIXTURES, fixture), join(cwd, fixture), { recursive: true });
  return { cwd, chart: fixture, remove: () => rmSync(cwd, { recursive: true, force: true }) };
}

for (const { name, main, other } of pairs) {
  const versions = [main.version, other.version];

  test(`helm create layout: the pod template's labels helper becomes selectorLabels, podLabels kept, no migration (${name})`, () => {
    const { status, json } = fixJson(`${FIXTURES}/pod-labels`, main.path, other.path);
    assert.equal(status, 0);
    assert.equal(
      json.patch,
      `--- a/${FIXTURES}/pod-labels/templates/deployment.yaml
+++ b/${FIXTURES}/pod-labels/templates/deployment.yaml
@@ -11,7 +11,7 @@
   template:
     metadata:
       labels:
-        {{- include "shop.labels" . | nindent 8 }}
+        {{- include "shop.selectorLabels" . | nindent 8 }}
         {{- with .Values.podLabels }}
         {{- toYaml . | nindent 8 }}
         {{- end }}
`,
    );
    assert.deepEqual(
      json.repairs.map((r) => [r.id, r.kind, r.proven, r.migration, r.restarts, r.findings.map((f) => `${f.rule} ${f.path}`)]),
      [["templates/deployment.yaml:14", "selector-labels-helper", true, "none", true, ["volatile-pod-labels spec.template.metadata.labels"]]],
    );
    assert.deepEqual(
      json.proof!.changes.map((c) => `${c.object.kind}/${c.object.name} ${c.path} ${JSON.stringify(c.before)} -> ${JSON.stringify(c.after)}`),
      [
        'Deployment/shop-shop spec.template.metadata.labels.helm.sh/chart "shop-0.3.1" -> undefined',
        'Deployment/shop-shop spec.template.metadata.labels.app.kubernetes.io/version "1.8.0" -> undefined',
        'Deployment/shop-shop spec.template.metadata.labels.app.kubernetes.io/managed-by "Helm" -> undefined',
      ],
    );
    assert.deepEqual(json.proof!.renders, versions.map((helm) => ({ helm })));
    assert.equal(json.proof!.proven, true);
    assert.deepEqual(json.runbook, []);
    assert.deepEqual(json.unrepaired, []);
    assert.deepEqual(json.written, []);
  });

  test(`a selector built from the labels helper: selectorLabels, with the orphan-delete runbook (${name})`, () => {
    const { status, json } = fixJson(`${FIXTURES}/selector`, main.path, other.path);
    assert.equal(status, 0);
    assert.equal(
      json.patch,
      `--- a/${FIXTURES}/selector/templates/deployment.yaml
+++ b/${FIXTURES}/selector/templates/deployment.yaml
@@ -7,11 +7,11 @@
 spec:
   selector:
     matchLabels:
-{{ include "checker.labels" . | indent 6 }}
+{{ include "checker.selectorLabels" . | indent 6 }}
   template:
     metadata:
       labels:
-{{ include "checker.labels" . | indent 8 }}
+{{ include "checker.selectorLabels" . | indent 8 }}
     spec:
       containers:
         - name: checker
`,
    );
    assert.deepEqual(
      json.repairs.map((r) => [r.id, r.proven, r.migration]),
      [
        ["templates/deployment.yaml:10", true, "runbook"],
        ["templates/deployment.yaml:14", true, "none"],
      ],
    );
    assert.deepEqual(json.runbook.map((s) => [s.stage, s.command]), [
      ["before", "kubectl delete deployment checker -n default --cascade=orphan"],
      ["upgrade", `helm upgrade checker ${FIXTURES}/selector -n default`],
      ["after", "kubectl -n default rollout status deployment checker"],
    ]);
    assert.deepEqual(json.proof!.unintended, []);
  });

  test(`claim template labels from the labels helper: static selector labels, with the StatefulSet runbook (${name})`, () => {
    const { status, json } = fixJson(`${FIXTURES}/claim-template`, main.path, other.path);
    assert.equal(status, 0);
    assert.equal(
      json.patch,
      `--- a/${FIXTURES}/claim-template/templates/statefulset.yaml
+++ b/${FIXTURES}/claim-template/templates/statefulset.yaml
@@ -17,7 +17,7 @@
   volumeClaimTemplates:
     - metadata:
         name: data
-        labels: {{- include "store.labels" . | nindent 10 }}
+        labels: {{- include "store.selectorLabels" . | nindent 10 }}
       spec:
         accessModes: ["ReadWriteOnce"]
         resources:
`,
    );
    assert.deepEqual(
      json.proof!.changes.map((c) => c.path),
      ["spec.volumeClaimTemplates[0].metadata.labels.helm.sh/chart", "spec.volumeClaimTemplates[0].metadata.labels.app.kubernetes.io/version"],
    );
    assert.deepEqual(json.runbook.map((s) => [s.stage, s.command]), [
      ["before", "kubectl delete statefulset store -n default --cascade=orphan"],
      ["upgrade", `helm upgrade store ${FIXTURES}/claim-template -n default`],
      ["after", "kubectl -n default rollout status statefulset store"],
    ]);
    assert.deepEqual(json.repairs.map((r) => r.migration), ["runbook"]);
  });

  test(`no selector-labels helper: one is added to _helpers.tpl from the labels helper's name and instance lines, and the selector and pod template include it, with the orphan-delete runbook (${name})`, () => {
    const { status, json } = fixJson(`${FIXTURES}/no-selector-helper`, main.path, other.path);
    assert.equal(status, 0);
    assert.equal(
      json.patch,
      `--- a/${FIXTURES}/no-selector-helper/templates/_helpers.tpl
+++ b/${FIXTURES}/no-selector-helper/templates/_helpers.tpl
@@ -17,3 +17,11 @@
 {{- end }}
 app.kubernetes.io/managed-by: {{ .Release.Service }}
 {{- end }}
+
+{{/*
+Selector labels: the labels of "relay.labels" that stay the same across releases
+*/}}
+{{- define "relay.selectorLabels" -}}
+app.kubernetes.io/name: {{ include "relay.name" . }}
+app.kubernetes.io/instance: {{ .Release.Name }}
+{{- end }}
--- a/${FIXTURES}/no-selector-helper/templates/deployment.yaml
+++ b/${FIXTURES}/no-selector-helper/templates/deployment.yaml
@@ -7,11 +7,11 @@
 spec:
   selector:
     matchLabels:
-      {{- include "relay.labels" . | nindent 6 }}
+      {{- include "relay.selectorLabels" . | nindent 6 }}
   template:
     metadata:
       labels:
-        {{- include "relay.labels" . | nindent 8 }}
+        {{- include "relay.selectorLabels" . | nindent 8 }}
     spec:
       containers:
         - name: relay
`,
    );
    assert.deepEqual(
      json.repairs.map((r) => [r.id, r.kind, r.proven, r.migration, r.restarts, r.findings.map((f) => `${f.rule} ${f.path}`)]),
      [
        ["templates/deployment.yaml:10", "selector-labels-helper-added", true, "runbook", false, ["volatile-selector spec.selector.matchLabels"]],
        ["templates/deployment.yaml:14", "selector-labels-helper-added", true, "none", true, ["volatile-pod-labels spec.template.metadata.labels"]],
      ],
    );
    // The selector keeps name and instance, which the pod template keeps too: the orphaned pods are adopted.
    assert.deepEqual(
      json.proof!.changes.map((c) => `${c.object.kind}/${c.object.name} ${c.path} ${JSON.stringify(c.before)} -> ${JSON.stringify(c.after)}`),
      [
        'Deployment/relay spec.selector.matchLabels.helm.sh/chart "relay-1.4.0" -> undefined',
        'Deployment/relay spec.selector.matchLabels.app.kubernetes.io/version "3.2.1" -> undefined',
        'Deployment/relay spec.selector.matchLabels.app.kubernetes.io/managed-by "Helm" -> undefined',
        'Deployment/relay spec.template.metadata.labels.helm.sh/chart "relay-1.4.0" -> undefined',
        'Deployment/relay spec.template.metadata.labels.app.kubernetes.io/version "3.2.1" -> undefined',
        'Deployment/relay spec.template.metadata.labels.app.kubernetes.io/managed-by "Helm" -> undefined',
      ],
    );
    assert.deepEqual(json.runbook.map((s) => [s.stage, s.command]), [
      ["before", "kubectl delete deployment relay -n default --cascade=orphan"],
      ["upgrade", `helm upgrade relay ${FIXTURES}/no-selector-helper -n default`],
      ["after", "kubectl -n default rollout status deployment relay"],
    ]);
    assert.deepEqual([json.proof!.renders, json.proof!.unintended, json.unrepaired], [versions.map((helm) => ({ helm })), [], []]);
  });

  test(`older app/release labels helper with no selector helper, claim templates from the helper and from values: the helper added once, the values block taken out, the StatefulSet runbook for the selector and claim template only (${name})`, () => {
    const { status, json } = fixJson(`${FIXTURES}/claim-no-helper`, main.path, other.path);
    assert.equal(status, 0);
    assert.equal(
      json.patch,
      `--- a/${FIXTURES}/claim-no-helper/templates/_helpers.tpl
+++ b/${FIXTURES}/claim-no-helper/templates/_helpers.tpl
@@ -8,3 +8,11 @@
 release: {{ .Release.Name }}
 heritage: {{ .Release.Service }}
 {{- end -}}
+
+{{/*
+Selector labels: the labels of "vault.labels" that stay the same across releases
+*/}}
+{{- define "vault.selectorLabels" -}}
+app: {{ template "vault.name" . }}
+release: {{ .Release.Name }}
+{{- end }}
--- a/${FIXTURES}/claim-no-helper/templates/statefulset.yaml
+++ b/${FIXTURES}/claim-no-helper/templates/statefulset.yaml
@@ -8,11 +8,11 @@
   serviceName: {{ .Release.Name }}
   selector:
     matchLabels:
-{{ include "vault.labels" . | indent 6 }}
+{{ include "vault.selectorLabels" . | indent 6 }}
   template:
     metadata:
       labels:
-{{ include "vault.labels" . | indent 8 }}
+{{ include "vault.selectorLabels" . | indent 8 }}
     spec:
       containers:
         - name: vault
@@ -21,7 +21,7 @@
     - metadata:
         name: data
         labels:
-{{ include "vault.labels" . | indent 10 }}
+{{ include "vault.selectorLabels" . | indent 10 }}
       spec:
         accessModes: ["ReadWriteOnce"]
         resources:
@@ -29,9 +29,6 @@
             storage: {{ .Values.persistence.size }}
     - metadata:
         name: audit
-        {{- with .Values.persistence.labels }}
-        labels: {{ toYaml . | nindent 10 }}
-        {{- end }}
       spec:
         accessModes: ["ReadWriteOnce"]
         resources:
`,
    );
    assert.deepEqual(
      json.repairs.map((r) => [r.id, r.kind, r.proven, r.migration, r.restarts, r.findings.map((f) => `${f.rule} ${f.path}`)]),
      [
        ["templates/statefulset.yaml:11", "selector-labels-helper-added", true, "runbook", false, ["volatile-selector spec.selector.matchLabels"]],
        ["templates/statefulset.yaml:15", "selector-labels-helper-added", true, "none", true, ["volatile-pod-labels spec.template.metadata.labels"]],
        ["templates/statefulset.yaml:24", "selector-labels-helper-added", true, "runbook", false, ["volatile-claim-template spec.volumeClaimTemplates[0].metadata.labels"]],
        ["templates/statefulset.yaml:32", "values-out-of-claim-template", true, "none", false, ["volatile-claim-template spec.volumeClaimTemplates[1].metadata.labels"]],
      ],
    );
    assert.deepEqual(json.repairs.map((r) => r.caveat), [
      undefined,
      undefined,
      undefined,
      "a release installed with persistence.labels set has those labels in its claim template: before upgrading it, delete the StatefulSet with --cascade=orphan (its pods and volume claims stay); claims made after that no longer carry them",
    ]);
    assert.deepEqual(
      json.proof!.changes.map((c) => c.path),
      [
        "spec.selector.matchLabels.chart",
        "spec.selector.matchLabels.heritage",
        "spec.template.metadata.labels.chart",
        "spec.template.metadata.labels.heritage",
        "spec.volumeClaimTemplates[0].metadata.labels.chart",
        "spec.volumeClaimTemplates[0].metadata.labels.heritage",
      ],
    );
    assert.deepEqual(json.runbook.map((s) => [s.stage, s.command]), [
      ["before", "kubectl delete statefulset vault -n default --cascade=orphan"],
      ["upgrade", `helm upgrade vault ${FIXTURES}/claim-no-helper -n default`],
      ["after", "kubectl -n default rollout status statefulset vault"],
    ]);
    assert.deepEqual([json.proof!.renders, json.unrepaired], [versions.map((helm) => ({ helm })), []]);
  });

  test(`Bitnami-style common.labels.standard in a pod template: matchLabels with the pod labels merged back, which the proof shows are kept (${name})`, () => {
    const { status, json } = fixJson(`${FIXTURES}/bitnami-style`, main.path, other.path, ["--set", "podLabels.team=payments"]);
    assert.equal(status, 0);
    assert.equal(
      json.patch,
      `--- a/${FIXTURES}/bitnami-style/templates/deployment.yaml
+++ b/${FIXTURES}/bitnami-style/templates/deployment.yaml
@@ -9,7 +9,7 @@
     matchLabels: {{- include "common.labels.matchLabels" (dict "customLabels" $podLabels "context" $) | nindent 6 }}
   template:
     metadata:
-      labels: {{- include "common.labels.standard" (dict "customLabels" $podLabels "context" $) | nindent 8 }}
+      labels: {{- include "common.tplvalues.merge" ( dict "values" ( list $podLabels ( include "common.labels.matchLabels" ( dict "customLabels" $podLabels "context" $ ) ) ) "context" $ ) | nindent 8 }}
     spec:
       containers:
         - name: queue
`,
    );
    assert.deepEqual(json.proof!.changes.map((c) => c.path), [
      "spec.template.metadata.labels.app.kubernetes.io/managed-by",
      "spec.template.metadata.labels.app.kubernetes.io/version",
      "spec.template.metadata.labels.helm.sh/chart",
    ]);
    assert.deepEqual(json.repairs.map((r) => [r.id, r.proven, r.migration]), [["templates/deployment.yaml:12", true, "none"]]);
    assert.deepEqual(json.runbook, []);
  });

  test(`a plain Job whose pod template changes only in its labels (one finding, from the helper and a literal line): one repair of both lines, with the Job deleted before the upgrade (${name})`, () => {
    const { status, json } = fixJson(`${FIXTURES}/job-labels`, main.path, other.path);
    assert.equal(status, 0);
    assert.equal(
      json.patch,
      `--- a/${FIXTURES}/job-labels/templates/job.yaml
+++ b/${FIXTURES}/job-labels/templates/job.yaml
@@ -8,8 +8,7 @@
   template:
     metadata:
       labels:
-        {{- include "setup.labels" . | nindent 8 }}
+        {{- include "setup.selectorLabels" . | nindent 8 }}
-        build: {{ .Chart.Version | quote }}
         role: setup
     spec:
       restartPolicy: Never
`,
    );
    assert.deepEqual(
      json.repairs.map((r) => [r.id, r.kind, r.proven, r.migration, r.findings.map((f) => `${f.rule} ${f.path}`)]),
      [["templates/job.yaml:11", "selector-labels-helper", true, "runbook", ["volatile-job-template spec.template.metadata.labels.helm.sh/chart"]]],
    );
    assert.deepEqual(
      json.proof!.changes.map((c) => `${c.object.kind}/${c.object.name} ${c.path} ${JSON.stringify(c.before)} -> ${JSON.stringify(c.after)}`),
      [
        'Job/setup-setup spec.template.metadata.labels.helm.sh/chart "setup-0.5.0" -> undefined',
        'Job/setup-setup spec.template.metadata.labels.app.kubernetes.io/version "2.4.0" -> undefined',
        'Job/setup-setup spec.template.metadata.labels.build "0.5.0" -> undefined',
      ],
    );
    assert.deepEqual(json.runbook.map((s) => [s.stage, s.command]), [
      ["before", "kubectl delete job setup-setup -n default"],
      ["upgrade", `helm upgrade setup ${FIXTURES}/job-labels -n default`],
    ]);
    assert.deepEqual([json.proof!.renders, json.unrepaired], [versions.map((helm) => ({ helm })), []]);
  });

  test(`Job and CronJob pods a workload's, a PDB's and a Service's selector take in: their pod labels drop the selector's name label, no selector changes; the plain Job is deleted before the upgrade (${name})`, () => {
    const { status, json } = fixJson(`${FIXTURES}/job-overlap`, main.path, other.path);
    assert.equal(status, 0);
    const hunk = (file: string, at: string, before: string[], include: string, after: string[]) =>
      [`--- a/${FIXTURES}/job-overlap/templates/${file}`, `+++ b/${FIXTURES}/job-overlap/templates/${file}`, at, ...before, `-${include.replace("INCLUDE", 'include "api.selectorLabels" .')}`, `+${include.replace("INCLUDE", 'omit (include "api.selectorLabels" . | fromYaml) "app.kubernetes.io/name" | toYaml')}`, ...after].join("\n");
    assert.equal(
      json.patch,
      [
        hunk("cleanup-cronjob.yaml", "@@ -8,7 +8,7 @@", ["     spec:", "       template:", "         metadata:"], "          labels: {{- INCLUDE | nindent 12 }}", ["         spec:", "           restartPolicy: Never", "           containers:"]),
        hunk("migrate-job.yaml", "@@ -9,7 +9,7 @@", ["   template:", "     metadata:", "       labels:"], "        {{- INCLUDE | nindent 8 }}", ["         app.kubernetes.io/component: migrate", "     spec:", "       restartPolicy: Never"]),
        hunk("seed-job.yaml", "@@ -6,7 +6,7 @@", ["   template:", "     metadata:", "       labels:"], "        {{- INCLUDE | nindent 8 }}", ["     spec:", "       restartPolicy: Never", "       containers:"]),
      ].join("\n") + "\n",
    );
    assert.deepEqual(
      json.repairs.map((r) => [r.id, r.kind, r.proven, r.migration, r.findings.map((f) => `${f.rule} ${f.object.kind}/${f.object.name} ${f.path}`)]),
      [
        [
          "templates/seed-job.yaml:9",
          "job-pods-out-of-selector",
          true,
          "runbook",
          ["selector-overlap PodDisruptionBudget/api-api spec.selector", "selector-overlap Service/api-api spec.selector", "selector-overlap Deployment/api-api spec.selector"],
        ],
      ],
    );
    assert.deepEqual(
      json.proof!.changes.map((c) => `${c.object.kind}/${c.object.name} ${c.path} ${JSON.stringify(c.before)} -> ${JSON.stringify(c.after)}`),
      [
        'Job/api-seed spec.template.metadata.labels.app.kubernetes.io/name "api" -> undefined',
        'CronJob/api-cleanup spec.jobTemplate.spec.template.metadata.labels.app.kubernetes.io/name "api" -> undefined',
        'Job/api-migrate spec.template.metadata.labels.app.kubernetes.io/name "api" -> undefined',
      ],
    );
    // The hook Job and the CronJob may change freely; the plain Job's template is immutable.
    assert.deepEqual(json.runbook.map((s) => [s.stage, s.command]), [
      ["before", "kubectl delete job api-seed -n default"],
      ["upgrade", `helm upgrade api ${FIXTURES}/job-overlap -n default`],
    ]);
    assert.deepEqual([json.proof!.renders, json.unrepaired], [versions.map((helm) => ({ helm })), []]);
  });

  test(`a repair that fails its proof is dropped with the reason and not written; the proven one is (${name})`, () => {
    const scratch = scratchChart("proof-fails");
    try {
      const before = readFileSync(join(scratch.cwd, "proof-fails/templates/deployment.yaml"), "utf8");
      const { status, json } = fixJson(scratch.chart, main.path, other.path, ["--write"], scratch.cwd);
      assert.equal(status, 1);
      assert.equal(
        json.patch,
        `--- a/proof-fails/templates/worker.yaml
+++ b/proof-fails/templates/worker.yaml
@@ -10,7 +10,6 @@
     metadata:
       labels:
         app: worker
-        chart-version: {{ .Chart.Version }}
     spec:
       containers:
         - name: worker
`,
      );
      assert.deepEqual(
        json.repairs.map((r) => [r.id, r.kind, r.proven, r.failure, r.migration]),
        [
          [
            "templates/deployment.yaml:12",
            "selector-labels-helper",
            false,
            [
              "(b) new finding: dangling-selector at Service/api spec.selector",
              "(c) changes a field it was not meant to: Deployment/api spec.template.metadata.labels.app.kubernetes.io/component",
            ],
            undefined,
          ],
          ["templates/worker.yaml:13", "literal-label-removed", true, undefined, "none"],
        ],
      );
      assert.deepEqual(json.unrepaired.map((u) => [u.rule, u.path, u.reason]), [
        ["volatile-job-template", "spec.template.metadata.labels.version", "proof-fails/templates/job.yaml:9 writes the label version as the only entry of its map: removing it would leave the map empty"],
      ]);
      assert.deepEqual(json.written, ["templates/worker.yaml"]);
      assert.equal(readFileSync(join(scratch.cwd, "proof-fails/templates/deployment.yaml"), "utf8"), before);
      assert.doesNotMatch(readFileSync(join(scratch.cwd, "proof-fails/templates/worker.yaml"), "utf8"), /chart-version/);
    } finally {
      scratch.remove();
    }
  });
}

test("--write applies the proven repairs, and fix on the written chart has nothing left to repair", () => {
  const scratch = scratchChart("selector");
  try {
    const written = fixJson(scratch.chart, helm3!.path, helm4!.path, ["--write"], scratch.cwd);
    assert.equal(written.status, 0);
    assert.deepEqual(written.json.written, ["templates/deployment.yaml"]);
    assert.equal(
      readFileSync(join(scratch.cwd, "selector/templates/deployment.yaml"), "utf8"),
      readFileSync(join(ROOT, FIXTURES, "selector/templates/deployment.yaml"), "utf8").replaceAll('include "checker.labels" . | indent 6', 'include "checker.selectorLabels" . | indent 6').replaceAll('include "checker.labels" . | indent 8', 'include "checker.selectorLabels" . | indent 8'),
    );
    const again = fixJson(scratch.chart, helm3!.path, helm4!.path, [], scratch.cwd);
    assert.equal(again.status, 0);
    assert.deepEqual([again.json.repairs, again.json.unrepaired, again.json.patch], [[], [], ""]);
  } finally {
    scratch.remove();
  }
});

test("the config's settings for the chart (its release name here) apply to the repaired copy and the migration too", () => {
  const scratch = scratchChart("selector");
  try {
    writeFileSync(join(scratch.cwd, ".chartguard.yaml"), "charts:\n  selector:\n    release: prod\n");
    const { status, json } = fixJson(scratch.chart, helm3!.path, helm4!.path, [], scratch.cwd);
    assert.equal(status, 0);
    assert.deepEqual(json.repairs.map((r) => [r.id, r.proven]), [["templates/deployment.yaml:10", true], ["templates/deployment.yaml:14", true]]);
    assert.deepEqual(json.runbook.map((s) => s.command), [
      "kubectl delete deployment prod -n default --cascade=orphan",
      "helm upgrade prod selector -n default",
      "kubectl -n default rollout status deployment prod",
    ]);
  } finally {
    scratch.remove();
  }
});

test("a chart released in lockstep with its image (chart version = image tag): the pod template's chart label is no finding, so only the selector is repaired", () => {
  const { status, json } = fixJson(`${FIXTURES}/selector`, helm4!.path, helm3!.path, ["--set", "image=ghcr.io/example/checker:v0.3.2"]);
  assert.equal(status, 0);
  assert.deepEqual(json.repairs.map((r) => [r.id, r.proven, r.findings.map((f) => `${f.rule} ${f.path}`)]), [["templates/deployment.yaml:10", true, ["volatile-selector spec.selector.matchLabels"]]]);
  assert.doesNotMatch(json.patch, /indent 8/);
});

test("-o patch prints the proven patch alone", () => {
  const run = chartguard([`${FIXTURES}/claim-template`, "--helm", helm3!.path, "-o", "patch"]);
  assert.equal(run.status, 0);
  assert.match(run.stdout, /^--- a\/test\/fixtures\/charts\/fix\/claim-template\/templates\/statefulset\.yaml\n\+\+\+ b\//);
  assert.equal(run.stdout.split("\n").filter((line) => /^[-+][^-+]/.test(line)).length, 2);
});

test("-o patch names a chart outside the working directory from the chart's own folder, never by an absolute path", () => {
  const scratch = scratchChart("claim-template");
  try {
    const run = chartguard([join(scratch.cwd, scratch.chart), "--helm", helm3!.path, "-o", "patch"]);
    assert.equal(run.status, 0);
    assert.match(run.stdout, /^--- a\/claim-template\/templates\/statefulset\.yaml\n\+\+\+ b\/claim-template\/templates\/statefulset\.yaml\n/);
  } finally {
    scratch.remove();
  }
});

test("bad input: one line, exit 2", () => {
  const notChart = chartguard(["src", "--helm", helm3!.path]);
  assert.deepEqual([notChart.status, notChart.stdout, notChart.stderr], [2, "", "chartguard: src is not a chart directory (a folder with Chart.yaml): fix edits the chart's own files\n"]);
  const noHelm = chartguard([`${FIXTURES}/pod-labels`, "--helm", helm3!.path, "--proof-helm", "./no-such-helm"]);
  assert.deepEqual([noHelm.status, noHelm.stdout], [2, ""]);
  assert.match(noHelm.stderr, /^chartguard: helm not found: \.\/no-such-helm \(from --proof-helm\) is not an executable file; [^\n]*\n$/);
  const broken = chartguard(["test/fixtures/charts/broken-parse", "--helm", helm3!.path]);
  assert.equal(broken.status, 2);
  assert.equal(broken.stderr.split("\n").length, 2);
  assert.match(broken.stderr, /^chartguard: test\/fixtures\/charts\/broken-parse\/templates\/service\.yaml:7: /);
});

test("the README's fix example is what fix prints on examples/webapp", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const command = "$ node dist/cli/main.js fix --helm .cache/helm/v4/helm --proof-helm .cache/helm/v3/helm examples/webapp\n";
  const start = readme.indexOf(command);
  assert.ok(start >= 0, "README.md shows fix on examples/webapp");
  const shown = readme.slice(start + command.length, readme.indexOf("```", start));
  const run = chartguard(["--helm", helm4!.path, "--proof-helm", helm3!.path, "examples/webapp"]);
  assert.equal(run.status, 1);
  assert.equal(run.stdout, shown);
});
