import assert from "node:assert/strict";
import { test } from "node:test";
import type { RuleMeta } from "../../src/analyze/rule.ts";
import { formatPlan } from "../../src/report/plan.ts";
import { ruleCatalog } from "../../src/report/rules-doc.ts";
import { firstSentence, formatText, formatTextChunks, HINT, HINT_VERBOSE } from "../../src/report/text.ts";
import { chartResult, shortFinding, suppressedResult } from "./helpers.ts";

// Short "why" and "fix" texts, so that whole reports can be compared; one long enough to wrap, of two sentences (only the first is printed without --verbose).
const WRAPPED_WHY = "spec.selector cannot change after creation: with a volatile label in it, the next release is refused. Argo Rollouts skip the canary instead.";
const rules = new Map<string, RuleMeta>(
  ruleCatalog().map((rule) => [rule.id, { ...rule, why: rule.id === "volatile-selector" ? WRAPPED_WHY : `why ${rule.id}`, fix: `fix ${rule.id}` }]),
);
const options = { color: false, rules, width: 60 };

const CHART_FINDINGS = `charts/web/templates/deployment.yaml
   9  error    volatile-selector    Deployment/web  selector carries helm.sh/chart: the next chart version is refused
  18  warning  volatile-pod-labels  Deployment/web  pod template carries helm.sh/chart and app.kubernetes.io/version (change with every chart version)

charts/web/templates/service.yaml
  rendered:8  error  selector-overlap  Service/web  selects the pods of Deployment/web and Job/web-migrate

web.yaml
  12  warning  selector-overlap  Job/web-migrate  pods also match the selector of Deployment/web

`;

const CHART_RULES = `volatile-selector: spec.selector cannot change after
  creation: with a volatile label in it, the next release is
  refused.
  fix: fix volatile-selector
volatile-pod-labels: why volatile-pod-labels
  fix: fix volatile-pod-labels
selector-overlap: why selector-overlap
  fix: fix selector-overlap

2 errors, 2 warnings, 0 info
note: charts/web/values.yaml:3: a note on the values
`;

test("text: one line per finding, grouped by file in path order, by line in each, columns aligned within a file; each rule's why and fix once, wrapped; the counts, the notes, the hint", () => {
  assert.equal(formatText(chartResult(), options), `${CHART_FINDINGS}${CHART_RULES}${HINT}\n`);
});

test("text --verbose: under each finding its field, its full explanation, its own fix where it differs from the rule's, and its commands", () => {
  const verbose = `charts/web/templates/deployment.yaml
   9  error    volatile-selector    Deployment/web  selector carries helm.sh/chart: the next chart version is refused
      field spec.selector.matchLabels
      spec.selector is immutable: helm upgrade fails with
      "field is immutable"
      once the chart version changes.
      fix: Select on app.kubernetes.io/name and
           app.kubernetes.io/instance only.
        $ kubectl delete deployment web -n default --cascade=orphan
        $ helm upgrade web charts/web -n default
  18  warning  volatile-pod-labels  Deployment/web  pod template carries helm.sh/chart and app.kubernetes.io/version (change with every chart version)
      field spec.template.metadata.labels

charts/web/templates/service.yaml
  rendered:8  error  selector-overlap  Service/web  selects the pods of Deployment/web and Job/web-migrate
      field spec.selector

web.yaml
  12  warning  selector-overlap  Job/web-migrate  pods also match the selector of Deployment/web
      field spec.template.metadata.labels

`;
  // --verbose gives each rule's why and fix in full.
  const rulesInFull = CHART_RULES.replace("next release is\n  refused.\n", "next release is\n  refused. Argo Rollouts skip the canary instead.\n");
  assert.equal(formatText(chartResult(), { ...options, verbose: true }), `${verbose}${rulesInFull}${HINT_VERBOSE}\n`);
});

test("text: colour only when asked, on the severity, the rule, the file and the headings; the same text underneath", () => {
  const coloured = formatText(chartResult(), { ...options, color: true });
  assert.ok(coloured.includes("\u001b[4mcharts/web/templates/deployment.yaml\u001b[24m\n"), coloured);
  assert.ok(coloured.includes("   9  \u001b[31merror  \u001b[39m  \u001b[2mvolatile-selector  \u001b[22m  Deployment/web  selector carries"), coloured);
  assert.ok(coloured.includes("\u001b[1mselector-overlap\u001b[22m: why selector-overlap\n"), coloured);
  assert.equal(coloured.replace(/\u001b\[\d+m/g, ""), formatText(chartResult(), options));
  assert.doesNotMatch(formatText(chartResult(), options), /\u001b/);
});

test("text: objects in several namespaces are named with their namespace", () => {
  const result = chartResult();
  const other = shortFinding("selector-overlap", "warning", { apiVersion: "v1", kind: "Service", namespace: "ops", name: "web" }, "spec.selector", 3);
  const text = formatText({ ...result, findings: [...result.findings, other], summary: { ...result.summary, warning: 3 } }, options);
  assert.match(text, /^ {3}9 {2}error {4}volatile-selector {4}Deployment default\/web {2}selector carries/m);
  assert.match(text, /^ {3}3 {2}warning {2}selector-overlap {2}Service ops\/web {10}selector-overlap on web$/m);
});

test("text: chart text in a message, an object name, a field or a detail stays on its line, control characters visible", () => {
  const hostile = shortFinding("volatile-pod-labels", "warning", { apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "web\u001b]0;pwned\u0007" }, "metadata.labels.k\r\n  1  error", 5, {
    message: "label k=v\n  2  error  fake-rule  Deployment/x  forged\u001b[2J",
    detail: "value \u202eevil\nnext line",
    remedy: { text: "fix volatile-pod-labels", commands: ["kubectl delete deployment 'web\n  rm -rf /'"] },
  });
  const text = formatText({ findings: [hostile], notes: [], summary: { error: 0, warning: 1, info: 0 } }, { ...options, verbose: true });
  assert.equal(
    text.split("\n").slice(0, 6).join("\n"),
    [
      "web.yaml",
      "  5  warning  volatile-pod-labels  Deployment/web\\x1b]0;pwned\\x07  label k=v\\n  2  error  fake-rule  Deployment/x  forged\\x1b[2J",
      "      field metadata.labels.k\\r\\n  1  error",
      "      value \\u202eevil",
      "      next line",
      "        $ kubectl delete deployment 'web\\n  rm -rf /'",
    ].join("\n"),
  );
});

const FINDINGS = `web.yaml
  15  warning  volatile-pod-labels  Deployment/web  volatile-pod-labels on web

`;

const SUPPRESSED = `Suppressed (4):
  web.yaml:10  error  volatile-selector  Deployment/web  volatile-selector on web
      suppressed by a chartguard-ignore comment (web.yaml:9): fixed in 2.0
  web.yaml:29  error  volatile-pod-labels  Job/web-migrate  volatile-pod-labels on web-migrate
      suppressed by the chartguard.io/ignore annotation (web.yaml:22)
  web.yaml:39  error  selector-overlap  Service/web  selector-overlap on web
      suppressed by allowedOverlaps in the config (.chartguard.yaml): the job may get traffic
  web.yaml:6  warning  selector-overlap  Deployment/web  selector-overlap on web
      suppressed by the config: ignoreProbeCauses: selector-overlap accepts cause name

`;

const CLOSING = `volatile-pod-labels: why volatile-pod-labels
  fix: fix volatile-pod-labels

0 errors, 1 warning, 0 info, 4 suppressed
${HINT}
`;

test("text: --show-suppressed lists each suppressed finding with what suppressed it; the summary counts them", () => {
  assert.equal(formatText(suppressedResult(), options), FINDINGS + SUPPRESSED + CLOSING);
});

test("text: without the list, the summary still counts the suppressed; with none, it says nothing of them", () => {
  const { suppressed: _listed, ...counted } = suppressedResult();
  assert.equal(formatText(counted, options), FINDINGS + CLOSING);
  const none = { ...counted, summary: { ...counted.summary, suppressed: 0 } };
  assert.equal(formatText(none, options), FINDINGS + CLOSING.replace(", 4 suppressed", ""));
  const clean = { ...counted, findings: [], summary: { error: 0, warning: 0, info: 0, suppressed: 4 } };
  assert.equal(formatText(clean, options), "No label or selector problems found, 4 suppressed.\n");
  assert.equal(formatText({ ...clean, summary: { error: 0, warning: 0, info: 0 } }, options), "No label or selector problems found.\n");
});

test("text: the suppressed findings stream as their own piece, between the files and the summary", () => {
  assert.deepEqual([...formatTextChunks(suppressedResult(), options)], [FINDINGS, SUPPRESSED, CLOSING]);
});

test("text: the upgrade plan ends with the same report, suppressed findings included", () => {
  const impact = { rolled: [], created: [], deleted: [], replaced: [], kept: [] };
  const plan = formatPlan({ ...suppressedResult(), impact }, options);
  assert.equal(plan, `Upgrade plan\n\nNothing will be refused.\n\nWill restart (0):\n  nothing\n\nFindings\n${FINDINGS}${SUPPRESSED}${CLOSING}`);
});

test("text: a rule's first sentence ends at a period before a capital, a backquote or a parenthesis, not inside e.g. or a version", () => {
  assert.equal(firstSentence("Keep it static. For a deployed release, delete it."), "Keep it static.");
  assert.equal(firstSentence("Use e.g. app.kubernetes.io/name (v1.2.3) only. `kubectl` then adopts."), "Use e.g. app.kubernetes.io/name (v1.2.3) only.");
  assert.equal(firstSentence("No sentence end here"), "No sentence end here");
});
