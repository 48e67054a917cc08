import assert from "node:assert/strict";
import { test } from "node:test";
import { checkDocuments } from "../../src/analyze/check.ts";
import type { Finding } from "../../src/analyze/finding.ts";
import { applySuppressions, parseDirective, withSuppressions, type SuppressionInput } from "../../src/analyze/suppress.ts";
import { upgradeDocuments } from "../../src/analyze/upgrade/index.ts";
import { parseConfig, type ChartguardConfig } from "../../src/config/config.ts";
import { parseYamlStream } from "../../src/load/yaml.ts";
import { yaml } from "../helpers/rule-cases.ts";

/** Runs the check core on a manifest, then the suppressions; returns both lists as `rule Kind/name path`. */
function run(manifest: string, config?: ChartguardConfig, extra: Partial<SuppressionInput> = {}) {
  const docs = parseYamlStream(manifest, "m.yaml");
  const result = checkDocuments(docs, { namespace: "default" });
  const applied = applySuppressions(result.findings, { docs, namespace: "default", ...(config ? { config } : {}), ...extra });
  return { result, applied, kept: applied.findings.map(show), suppressed: applied.suppressed.map(show) };
}

const show = (f: Finding) => `${f.rule} ${f.object.kind}/${f.object.name} ${f.path}`;

function config(text: string): ChartguardConfig {
  return parseConfig(text, "/repo/.chartguard.yaml");
}

/** A Deployment with helm.sh/chart in its selector and pod template: volatile-selector and volatile-pod-labels. */
const VOLATILE = yaml`
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
  spec:
    selector:
      matchLabels:
        app: web
        helm.sh/chart: web-1.2.3
    template:
      metadata:
        labels:
          app: web
          helm.sh/chart: web-1.2.3
`;

test("without config or suppressions nothing changes", () => {
  const { result, applied } = run(VOLATILE);
  assert.deepEqual(applied.findings, result.findings);
  assert.deepEqual(applied.suppressed, []);
  assert.deepEqual(applied.notes, []);
  assert.deepEqual(result.findings.map(show), [
    "volatile-selector Deployment/web spec.selector.matchLabels",
    "volatile-pod-labels Deployment/web spec.template.metadata.labels",
  ]);
});

test("annotation chartguard.io/ignore suppresses the listed rules on that object, with its reason", () => {
  const manifest = VOLATILE.replace(
    "  name: web\n",
    "  name: web\n  annotations:\n    chartguard.io/ignore: volatile-selector, not-a-rule\n    chartguard.io/ignore-reason: migrating in 2.0\n",
  );
  const { applied, kept, suppressed } = run(manifest);
  assert.deepEqual(kept, ["volatile-pod-labels Deployment/web spec.template.metadata.labels"]);
  assert.deepEqual(suppressed, ["volatile-selector Deployment/web spec.selector.matchLabels"]);
  assert.deepEqual(applied.suppressed[0]!.suppression, { by: "annotation", reason: "migrating in 2.0", file: "m.yaml", line: 6 });
  assert.deepEqual(applied.notes, [
    { file: "m.yaml", line: 6, message: 'chartguard.io/ignore on Deployment/web names "not-a-rule", which is not a chartguard rule; it suppresses nothing' },
  ]);
});

test("an annotation on another object with the same name does not count", () => {
  const other = yaml`
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: web
      annotations: {chartguard.io/ignore: "volatile-selector,volatile-pod-labels"}
  `;
  const { suppressed } = run(`${VOLATILE}---\n${other}`);
  assert.deepEqual(suppressed, []);
});

test("# chartguard-ignore on the finding's line or in the comment lines directly above it", () => {
  const manifest = yaml`
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      selector:
        matchLabels:
          app: web
          # chartguard-ignore: volatile-selector -- renamed in the next major
          # (the selector moves to selectorLabels then)
          helm.sh/chart: web-1.2.3
      template:
        metadata:
          labels:
            app: web
            helm.sh/chart: web-1.2.3 # chartguard-ignore: volatile-pod-labels
  `;
  const { applied, kept, suppressed } = run(manifest);
  assert.deepEqual(kept, []);
  assert.deepEqual(suppressed, [
    "volatile-selector Deployment/web spec.selector.matchLabels",
    "volatile-pod-labels Deployment/web spec.template.metadata.labels",
  ]);
  assert.deepEqual(
    applied.suppressed.map((f) => f.suppression),
    [
      { by: "comment", reason: "renamed in the next major", file: "m.yaml", line: 9 },
      { by: "comment", file: "m.yaml", line: 16 },
    ],
  );
});

test("a comment further up, or naming another rule, suppresses nothing", () => {
  const manifest = yaml`
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      # chartguard-ignore: volatile-selector
      selector:
        matchLabels:
          app: web
          helm.sh/chart: web-1.2.3
      template:
        metadata:
          labels:
            app: web
            # chartguard-ignore: volatile-selector, typo-rule
            helm.sh/chart: web-1.2.3
  `;
  const { applied, suppressed } = run(manifest);
  assert.deepEqual(suppressed, []);
  assert.deepEqual(applied.notes.map((n) => [n.line, n.message]), [
    [15, 'chartguard-ignore comment names "typo-rule", which is not a chartguard rule; it suppresses nothing'],
  ]);
});

test("comments count per document of a multi-document file", () => {
  const second = yaml`
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
    spec:
      selector:
        matchLabels:
          app: api
          # chartguard-ignore: volatile-selector
          helm.sh/chart: api-1.2.3
      template:
        metadata:
          labels: {app: api}
  `;
  const { kept, suppressed, applied } = run(`${VOLATILE}---\n${second}`);
  assert.deepEqual(suppressed, ["volatile-selector Deployment/api spec.selector.matchLabels"]);
  assert.equal(applied.suppressed[0]!.suppression.line, 24);
  assert.ok(kept.includes("volatile-selector Deployment/web spec.selector.matchLabels"));
});

test("a comment in the chart template at the finding's templateLine (YAML or template comment)", () => {
  const docs = parseYamlStream(VOLATILE, "web (rendered)");
  const findings = checkDocuments(docs, { namespace: "default" }).findings.map((f, i) => ({
    ...f,
    location: { ...f.location, template: "web/templates/deployment.yaml", templateLine: i === 0 ? 4 : 8 },
  }));
  const template = [
    "metadata:", // 1
    "  name: web", // 2
    "  {{/* chartguard-ignore: volatile-selector */}}", // 3
    "  selector: {{ include \"web.labels\" . }}", // 4
    "template:", // 5
    "  # chartguard-ignore: volatile-pod-labels -- accepted", // 6
    "  {{- /* a second comment line */}}", // 7
    "  labels: {{ include \"web.labels\" . }}", // 8
  ].join("\n");
  const applied = applySuppressions(findings, { docs, namespace: "default", templates: new Map([["web/templates/deployment.yaml", template]]) });
  assert.deepEqual(applied.findings, []);
  assert.deepEqual(
    applied.suppressed.map((f) => f.suppression),
    [
      { by: "comment", file: "web/templates/deployment.yaml", line: 3 },
      { by: "comment", reason: "accepted", file: "web/templates/deployment.yaml", line: 6 },
    ],
  );
});

test("parseDirective reads rule lists and reasons, and ignores other text", () => {
  assert.deepEqual(parseDirective("# chartguard-ignore: a,b c -- why not"), { rules: ["a", "b", "c"], reason: "why not" });
  assert.deepEqual(parseDirective("  key: v   #chartguard-ignore:a"), { rules: ["a"] });
  assert.deepEqual(parseDirective('{{- /* chartguard-ignore: a */ -}}'), { rules: ["a"] });
  assert.equal(parseDirective("url: http://x/#chartguard-ignore: a"), undefined);
  assert.equal(parseDirective("# chartguard-ignore a"), undefined);
  assert.equal(parseDirective("# nothing here"), undefined);
});

test("rules turned off are dropped and not counted; severities are overridden before --fail-on", () => {
  const { result, applied } = run(
    VOLATILE,
    config("rules:\n  volatile-selector: {enabled: false}\n  volatile-pod-labels: {severity: info}\n"),
  );
  assert.equal(result.findings.length, 2);
  assert.deepEqual(applied.findings.map((f) => [f.rule, f.severity]), [["volatile-pod-labels", "info"]]);
  assert.deepEqual(applied.suppressed, []);
});

test("ignoreProbeCauses accepts findings of a rule by evidence.cause", () => {
  const { result, applied } = run(VOLATILE, config("ignoreProbeCauses:\n  volatile-pod-labels: [name]\n  volatile-selector: [chart-version]\n"));
  assert.deepEqual(result.findings.map((f) => f.evidence.cause), ["name", "name"]);
  assert.deepEqual(applied.findings.map((f) => f.rule), ["volatile-selector"]);
  assert.deepEqual(applied.suppressed.map((f) => [f.rule, f.suppression.by, f.suppression.file]), [["volatile-pod-labels", "probe-cause", "/repo/.chartguard.yaml"]]);
});

test("ignoreProbeCauses accepts a finding naming several labels only when it accepts every cause", () => {
  const docs = parseYamlStream(VOLATILE, "m.yaml");
  const [podLabels] = checkDocuments(docs, { namespace: "default" }).findings.filter((f) => f.rule === "volatile-pod-labels");
  const merged: Finding = { ...podLabels!, evidence: { ...podLabels!.evidence, cause: "chart-version", causes: ["chart-version", "app-version"] } };
  const accepting = (causes: string) => applySuppressions([merged], { docs, namespace: "default", config: config(`ignoreProbeCauses:\n  volatile-pod-labels: [${causes}]\n`) });
  assert.deepEqual(accepting("chart-version").findings.map(show), ["volatile-pod-labels Deployment/web spec.template.metadata.labels"]);
  assert.deepEqual(accepting("chart-version, app-version").suppressed.map((f) => f.suppression.reason), ["ignoreProbeCauses: volatile-pod-labels accepts cause chart-version, app-version"]);
});

/** Two Deployments behind one Service (a canary), and a Job sharing the Deployment's labels. */
const OVERLAP = yaml`
  apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web}
  spec:
    selector: {matchLabels: {app: web}}
    template: {metadata: {labels: {app: web, track: stable}}}
  ---
  apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web-canary}
  spec:
    selector: {matchLabels: {app: web, track: canary}}
    template: {metadata: {labels: {app: web, track: canary}}}
  ---
  apiVersion: batch/v1
  kind: Job
  metadata: {name: migrate}
  spec:
    template: {metadata: {labels: {app: web}}}
`;

test("selector-overlap findings on the fixture (the baseline the allowedOverlaps cases start from)", () => {
  assert.deepEqual(run(OVERLAP).kept, ["selector-overlap Deployment/web spec.selector"]);
  const finding = run(OVERLAP).result.findings[0]!;
  assert.deepEqual(finding.related.map((r) => `${r.kind}/${r.name}`), ["Deployment/web-canary", "Job/migrate"]);
  assert.equal(finding.evidence.selector, "app=web");
});

test("allowedOverlaps by label: the overlapping selector requires the label (and value)", () => {
  assert.deepEqual(run(OVERLAP, config("allowedOverlaps:\n  - label: app\n")).kept, []);
  assert.deepEqual(run(OVERLAP, config("allowedOverlaps:\n  - label: app=web\n    reason: canary\n")).applied.suppressed.map((f) => f.suppression), [
    { by: "allowed-overlap", reason: "canary", file: "/repo/.chartguard.yaml" },
  ]);
  assert.equal(run(OVERLAP, config("allowedOverlaps:\n  - label: app=api\n")).kept.length, 1);
  assert.equal(run(OVERLAP, config("allowedOverlaps:\n  - label: track\n")).kept.length, 1);
});

test("allowedOverlaps by object: the reported object, or every object it overlaps with", () => {
  assert.deepEqual(run(OVERLAP, config("allowedOverlaps:\n  - object: Deployment/web\n")).kept, []);
  assert.deepEqual(run(OVERLAP, config("allowedOverlaps:\n  - object: Deployment/web\n    namespace: default\n")).kept, []);
  assert.equal(run(OVERLAP, config("allowedOverlaps:\n  - object: Deployment/web\n    namespace: shop\n")).kept.length, 1);
  // Only one of the two foreign workloads is listed: the Job overlap is still a problem.
  assert.equal(run(OVERLAP, config("allowedOverlaps:\n  - object: Deployment/web-canary\n")).kept.length, 1);
  assert.deepEqual(run(OVERLAP, config("allowedOverlaps:\n  - object: Deployment/web-canary\n  - object: Job/migrate\n")).kept, []);
});

test("allowedOverlaps only concern selector-overlap", () => {
  const { kept } = run(VOLATILE, config("allowedOverlaps:\n  - object: Deployment/web\n  - label: app\n"));
  assert.equal(kept.length, 2);
});

/** A Service whose selector also takes in a Job's pods. */
const SERVICE_OVER_JOB = yaml`
  apiVersion: apps/v1
  kind: Deployment
  metadata: {name: api}
  spec:
    selector: {matchLabels: {app: api, tier: backend, component: server}}
    template: {metadata: {labels: {app: api, tier: backend, component: server}}}
  ---
  apiVersion: batch/v1
  kind: Job
  metadata: {name: api-migrate}
  spec:
    template: {metadata: {labels: {app: api, tier: backend}}}
  ---
  apiVersion: v1
  kind: Service
  metadata: {name: api}
  spec:
    selector: {app: api, tier: backend}
`;

test("allowedOverlaps by label match the engine's requirements, whatever the message or selector text says", () => {
  const { result } = run(SERVICE_OVER_JOB);
  assert.deepEqual(result.findings.map(show), ["selector-overlap Service/api spec.selector"]);
  assert.deepEqual(result.findings[0]!.evidence.requirements, [
    { key: "app", operator: "In", values: ["api"] },
    { key: "tier", operator: "In", values: ["backend"] },
  ]);
  // Text that once was parsed back is gone from the decision: scrambled, the finding is still matched.
  const scrambled = result.findings.map((f) => ({ ...f, message: "reworded", data: {}, evidence: { ...f.evidence, selector: "x notin (tier)" } }));
  const allowed = applySuppressions(scrambled, { docs: [], namespace: "default", config: config("allowedOverlaps:\n  - label: tier=backend\n") });
  assert.deepEqual(allowed.suppressed.map(show), ["selector-overlap Service/api spec.selector"]);
  const other = applySuppressions(scrambled, { docs: [], namespace: "default", config: config("allowedOverlaps:\n  - label: tier=frontend\n") });
  assert.deepEqual(other.findings.map(show), ["selector-overlap Service/api spec.selector"]);
});

test("withSuppressions counts the suppressed in the summary and lists them only when asked", () => {
  const manifest = VOLATILE.replace("  name: web\n", "  name: web\n  annotations: {chartguard.io/ignore: volatile-selector}\n");
  const docs = parseYamlStream(manifest, "m.yaml");
  const result = checkDocuments(docs, { namespace: "default" });
  const quiet = withSuppressions(result, { docs, namespace: "default" });
  assert.deepEqual(quiet.summary, { error: 0, warning: 1, info: 0, suppressed: 1 });
  assert.equal("suppressed" in quiet, false);
  const shown = withSuppressions(result, { docs, namespace: "default" }, { showSuppressed: true });
  assert.deepEqual(shown.suppressed?.map((f) => f.rule), ["volatile-selector"]);
  assert.deepEqual(shown.findings, quiet.findings);
});

test("upgrade: the target's annotations decide; the deployed ones count only for objects the target no longer has", () => {
  const annotated = (name: string) => yaml`
    apiVersion: argoproj.io/v1alpha1
    kind: Rollout
    metadata:
      name: ${name}
      annotations: {chartguard.io/ignore: rollout-selector-changed}
    spec:
      selector: {matchLabels: {app: web}}
      template: {metadata: {labels: {app: web}}}
  `;
  const before = parseYamlStream(annotated("web"), "before.yaml");
  const changed = yaml`
    apiVersion: argoproj.io/v1alpha1
    kind: Rollout
    metadata: {name: web}
    spec:
      selector: {matchLabels: {app: web, tier: front}}
      template: {metadata: {labels: {app: web, tier: front}}}
  `;
  const after = parseYamlStream(changed, "after.yaml");
  const result = upgradeDocuments(before, after, { namespace: "default" });
  assert.ok(result.findings.some((f) => f.rule === "rollout-selector-changed"));
  // The annotation was removed in the new chart: the finding stays.
  const applied = applySuppressions(result.findings, { docs: after, previousDocs: before, namespace: "default" });
  assert.ok(applied.findings.some((f) => f.rule === "rollout-selector-changed"));
  // Annotated in the new chart: suppressed.
  const afterAnnotated = parseYamlStream(changed.replace("metadata: {name: web}", "metadata: {name: web, annotations: {chartguard.io/ignore: rollout-selector-changed}}"), "after.yaml");
  const result2 = upgradeDocuments(before, afterAnnotated, { namespace: "default" });
  const applied2 = applySuppressions(result2.findings, { docs: afterAnnotated, previousDocs: before, namespace: "default" });
  assert.deepEqual(applied2.suppressed.map((f) => f.rule), ["rollout-selector-changed"]);
});
