import assert from "node:assert/strict";
import { test } from "node:test";
import type { RuleMeta } from "../../src/analyze/rule.ts";
import { formatPlan } from "../../src/report/plan.ts";
import { ruleCatalog } from "../../src/report/rules-doc.ts";
import { formatText, formatTextChunks } from "../../src/report/text.ts";
import { suppressedResult } from "./helpers.ts";

// Short "why" texts, so that the whole report can be compared.
const rules = new Map<string, RuleMeta>(ruleCatalog().map((rule) => [rule.id, { ...rule, why: `why ${rule.id}` }]));
const options = { color: false, rules };

const FINDINGS = `web.yaml
  15  warning volatile-pod-labels  Deployment default/web spec.template.metadata.labels.helm.sh/chart
        volatile-pod-labels on web
        fix: fix volatile-pod-labels

`;

const SUPPRESSED = `Suppressed (4):
  web.yaml:10  error volatile-selector  Deployment default/web spec.selector.matchLabels.helm.sh/chart
        suppressed by a chartguard-ignore comment (web.yaml:9): fixed in 2.0
  web.yaml:29  error volatile-pod-labels  Job default/web-migrate spec.template.metadata.labels.helm.sh/chart
        suppressed by the chartguard.io/ignore annotation (web.yaml:22)
  web.yaml:39  error selector-overlap  Service default/web spec.selector
        suppressed by allowedOverlaps in the config (.chartguard.yaml): the job may get traffic
  web.yaml:6  warning selector-overlap  Deployment default/web spec.selector
        suppressed by the config: ignoreProbeCauses: selector-overlap accepts cause name

`;

const CLOSING = `Why these matter:
  volatile-pod-labels: why volatile-pod-labels

0 errors, 1 warning, 0 info, 4 suppressed
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
