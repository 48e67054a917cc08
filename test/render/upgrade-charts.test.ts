/**
 * `upgrade` on charts, as a chart author runs it before a release: two versions of one chart
 * rendered with the real Helm 3 and Helm 4, one pair per upgrade rule and per trap that
 * must not raise an alarm, and a `git:REF` pair against a temporary repository.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { UPGRADE_RULES } from "../../src/analyze/rules/index.ts";
import { upgrade, type UpgradeOutcome } from "../../src/upgrade.ts";
import { helmBinaries } from "../helpers/helm.ts";

const tmp = mkdtempSync(path.join(tmpdir(), "chartguard-upgrade-charts-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

interface ChartShape {
  version?: string;
  /** Extra lines of the selectorLabels helper (the selector and the pod labels). */
  selectorExtra?: string;
  /** helm.sh/chart on the pod template, as `helm create` charts since 3.13 do. */
  chartLabelOnPods?: boolean;
  strategy?: "RollingUpdate" | "Recreate";
  replicas?: number;
  /** A Service rendering `clusterIP:` from an unset value (null). */
  emptyClusterIP?: boolean;
  statefulSetName?: string;
  /** The team value feeding an Argo Rollout's selector. */
  rolloutTeam?: string;
  /** Per-release noise that must not raise an alarm: a random Secret, a revision-named Job, a hook. */
  noise?: boolean;
}

function chartFiles(shape: ChartShape): Record<string, string> {
  const files: Record<string, string> = {
    "Chart.yaml": `apiVersion: v2\nname: shop\nversion: ${shape.version ?? "1.0.0"}\nappVersion: "2.0.0"\n`,
    "values.yaml": `replicas: ${shape.replicas ?? 2}\nimage: {repository: example/shop, tag: "2.0.0"}\n`,
    "templates/_helpers.tpl": [
      `{{- define "shop.selectorLabels" -}}`,
      `app.kubernetes.io/name: shop`,
      `app.kubernetes.io/instance: {{ .Release.Name }}`,
      ...(shape.selectorExtra ? [shape.selectorExtra] : []),
      `{{- end }}`,
      "",
    ].join("\n"),
    "templates/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
spec:
  replicas: {{ .Values.replicas }}
  strategy:
    type: ${shape.strategy ?? "RollingUpdate"}
  selector:
    matchLabels:
      {{- include "shop.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "shop.selectorLabels" . | nindent 8 }}${shape.chartLabelOnPods ? "\n        helm.sh/chart: shop-{{ .Chart.Version }}" : ""}
    spec:
      containers:
        - name: web
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
`,
  };
  if (shape.emptyClusterIP) {
    files["templates/service.yaml"] = `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-web
spec:
  clusterIP: {{ .Values.clusterIP }}
  selector:
    {{- include "shop.selectorLabels" . | nindent 4 }}
  ports:
    - port: 80
`;
  }
  if (shape.statefulSetName) {
    files["templates/statefulset.yaml"] = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: ${shape.statefulSetName}
spec:
  serviceName: db
  selector:
    matchLabels: {app.kubernetes.io/name: db}
  template:
    metadata:
      labels: {app.kubernetes.io/name: db}
    spec:
      containers: [{name: db, image: "postgres:16"}]
  volumeClaimTemplates:
    - metadata: {name: data}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: 1Gi}}
`;
  }
  if (shape.rolloutTeam) {
    files["templates/rollout.yaml"] = `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: {{ .Release.Name }}-canary
spec:
  selector:
    matchLabels: {app.kubernetes.io/name: canary, team: ${shape.rolloutTeam}}
  template:
    metadata:
      labels: {app.kubernetes.io/name: canary, team: ${shape.rolloutTeam}}
    spec:
      containers: [{name: app, image: "example/canary:1"}]
  strategy:
    canary:
      steps: [{setWeight: 20}, {pause: {}}]
`;
  }
  if (shape.noise) {
    files["templates/noise.yaml"] = `apiVersion: v1
kind: Secret
metadata:
  name: {{ .Release.Name }}-token
stringData:
  token: {{ randAlphaNum 24 | quote }}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-seed-{{ .Release.Revision }}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: seed, image: "example/seed:{{ .Chart.Version }}"}]
---
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-migrate
  annotations:
    helm.sh/hook: pre-upgrade
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: "example/migrate:{{ .Chart.Version }}"}]
`;
  }
  return files;
}

let written = 0;
function writeChart(shape: ChartShape, dir = path.join(tmp, `chart-${written++}`, "shop")): string {
  for (const [file, text] of Object.entries(chartFiles(shape))) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

/** The upgrade rules' findings as `rule severity Kind/name path`. */
function upgradeRows(result: UpgradeOutcome): string[] {
  const ids = new Set(UPGRADE_RULES.map((rule) => rule.meta.id));
  return result.findings.filter((f) => ids.has(f.rule)).map((f) => `${f.rule} ${f.severity} ${f.object.kind}/${f.object.name} ${f.path}`);
}

interface ChartPair {
  name: string;
  from: ChartShape;
  to: ChartShape;
  expect: string[];
  /** The target Kubernetes version of the version-dependent rules (default: a recent release). */
  kubeVersion?: string;
  /** Extra checks on the whole result (impact, remedies). */
  also?: (result: UpgradeOutcome) => void;
}

const PAIRS: ChartPair[] = [
  {
    name: "a label added to the selectorLabels helper: the Deployment's selector update is refused",
    from: {},
    to: { version: "1.1.0", selectorExtra: "app.kubernetes.io/component: web" },
    expect: ["immutable-field error Deployment/shop-web spec.selector"],
    also: (result) => {
      const finding = result.findings.find((f) => f.rule === "immutable-field")!;
      assert.deepEqual(finding.remedy.commands?.[0], "kubectl delete deployment shop-web -n default --cascade=orphan");
      assert.match(finding.remedy.commands?.[1] ?? "", /^helm upgrade shop \S+\/shop -n default$/, "the release and the new chart, as rendered");
    },
  },
  {
    name: "a Service rendering clusterIP from an unset value fails on every upgrade before Kubernetes 1.23, even to the same chart",
    from: { emptyClusterIP: true },
    to: { emptyClusterIP: true },
    kubeVersion: "1.22",
    expect: ["merge-trap error Service/shop-web spec.clusterIP"],
  },
  {
    name: "the same Service from 1.23 on: the API server keeps the allocated IP",
    from: { emptyClusterIP: true },
    to: { emptyClusterIP: true },
    expect: [],
  },
  {
    name: "RollingUpdate switched to Recreate: spec.strategy is a retainKeys field, so the patch clears the defaulted rollingUpdate and nothing fails",
    from: {},
    to: { strategy: "Recreate" },
    expect: [],
  },
  {
    name: "only the chart version changes, with helm.sh/chart on the pods: every pod restarts for nothing",
    from: { chartLabelOnPods: true },
    to: { chartLabelOnPods: true, version: "1.0.1" },
    expect: ["needless-rollout warning Deployment/shop-web spec.template.metadata.labels"],
    also: (result) => assert.deepEqual(result.impact.rolled.map((r) => [r.object.name, r.reasons, r.needless]), [["shop-web", ["labels-only"], true]]),
  },
  {
    name: "a StatefulSet renamed: deleted and created, its new pods start with empty volumes",
    from: { statefulSetName: "db" },
    to: { statefulSetName: "db-postgresql" },
    expect: ["object-replaced error StatefulSet/db-postgresql metadata.name"],
    also: (result) => assert.deepEqual(result.impact.replaced.map((r) => [r.from.name, r.to.name, r.why]), [["db", "db-postgresql", "rename"]]),
  },
  {
    name: "a value in an Argo Rollout's selector changes: refused from 1.9, the canary skipped before",
    from: { rolloutTeam: "orders" },
    to: { rolloutTeam: "payments" },
    expect: ["rollout-selector-changed error Rollout/shop-canary spec.selector"],
  },
  {
    name: "no false alarms: random secrets, revision-named Jobs, hooks and a replicas change",
    from: { noise: true },
    to: { noise: true, version: "1.0.1", replicas: 5 },
    expect: [],
    also: (result) => {
      assert.deepEqual(result.impact.rolled, [], "a replicas change rolls nothing");
      assert.deepEqual(result.impact.replaced, []);
      // The target is the next revision: its revision-named Job is a new object, the old one goes.
      assert.deepEqual(result.impact.created.map((o) => o.name), ["shop-seed-2"]);
      assert.deepEqual(result.impact.deleted.map((o) => o.name), ["shop-seed-1"]);
    },
  },
];

for (const helm of helmBinaries()) {
  describe(`upgrade on charts with Helm ${helm.major}`, () => {
    for (const pair of PAIRS) {
      test(pair.name, async () => {
        const settings = pair.kubeVersion === undefined ? {} : { settings: { kubeVersion: pair.kubeVersion } };
        const result = await upgrade({ from: writeChart(pair.from), to: writeChart(pair.to), helm: helm.path, ...settings });
        assert.deepEqual(upgradeRows(result), pair.expect);
        pair.also?.(result);
      });
    }

    test("git:REF: the chart as committed against the working tree, what a pull request check runs", async () => {
      const repo = path.join(tmp, `repo-helm-${helm.major}`);
      const chart = writeChart({}, path.join(repo, "charts", "shop"));
      const git = (...args: string[]) =>
        execFileSync("git", args, {
          cwd: repo,
          env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" },
        });
      git("init", "-q", "-b", "main");
      git("add", ".");
      git("commit", "-q", "-m", "v1");
      writeChart({ version: "1.1.0", selectorExtra: "app.kubernetes.io/component: web" }, chart);
      const result = await upgrade({ from: "git:main", to: chart, helm: helm.path });
      assert.deepEqual(upgradeRows(result), ["immutable-field error Deployment/shop-web spec.selector"]);
      const { location } = result.findings.find((f) => f.rule === "immutable-field")!;
      // The finding is on the chart in the work tree: its file is the chart, its template the file and line there.
      assert.equal(location.file, chart);
      assert.equal(location.rendered, true);
      assert.equal(location.template, path.relative(process.cwd(), path.join(chart, "templates/deployment.yaml")));
      assert.equal(typeof location.templateLine, "number");
    });
  });
}
