import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import type { Finding } from "../../src/analyze/finding.ts";
import { COMMENT_MARKER, escapeMarkdown, formatMarkdown, GITHUB_COMMENT_LIMIT } from "../../src/report/markdown.ts";
import { ruleCatalog } from "../../src/report/rules-doc.ts";
import { chartResult, checkExamplesResult, ruleExample, runCliIn, suppressedResult, tempRepo, upgradeExamplesResult } from "./helpers.ts";

const rules = new Map(ruleCatalog().map((r) => [r.id, r]));

/** The rows of the first markdown table (cells split on unescaped pipes). */
function tableRows(markdown: string): string[][] {
  const lines = markdown.split("\n");
  const start = lines.findIndex((l) => l.startsWith("| Severity |"));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
  }
  return rows;
}

test("markdown: a check comment has the marker, the counts, a summary table and every finding in details", () => {
  const result = checkExamplesResult();
  const md = formatMarkdown(result, { rules });
  assert.ok(md.startsWith(`${COMMENT_MARKER}\n## ❌ chartguard check: `));
  const rows = tableRows(md);
  assert.equal(rows.length, result.findings.length);
  for (const [i, row] of rows.entries()) {
    const f = result.findings[i]!;
    assert.equal(row.length, 5, JSON.stringify(row));
    assert.equal(row[0], `${{ error: "🔴", warning: "🟠", info: "🔵" }[f.severity]} ${f.severity}`);
    assert.equal(row[1], `[\`${f.rule}\`](${rules.get(f.rule)!.helpUri})`);
  }
  assert.equal(md.match(/<details><summary>/g)?.length, result.findings.length);
  assert.ok(!md.includes("Upgrade plan"));
  assert.ok(md.endsWith("</details>\n"));
});

test("markdown: a clean run says so in one line", () => {
  assert.equal(formatMarkdown({ findings: [], notes: [] }), `${COMMENT_MARKER}\n## ✅ chartguard check: no label or selector problems found\n`);
});

test("markdown: the headline counts the suppressed findings; listed, they are collapsed after the details", () => {
  const result = suppressedResult();
  const headline = "<!-- chartguard -->\n## ⚠️ chartguard check: 0 errors, 1 warning, 0 info, 4 suppressed\n";
  const findings = `
| Severity | Rule | Object | Where | Problem |
| --- | --- | --- | --- | --- |
| 🟠 warning | \`volatile-pod-labels\` | Deployment default/web | \`web.yaml:15\` | volatile-pod-labels on web |

### Details

<details><summary>🟠 <code>volatile-pod-labels</code> Deployment default/web — <code>spec.template.metadata.labels.helm.sh/chart</code></summary>

\`web.yaml:15\`

volatile-pod-labels on web

**Fix:** fix volatile-pod-labels

</details>
`;
  const suppressed = `
<details><summary>Suppressed (4)</summary>

- \`volatile-selector\` Deployment default/web \`spec.selector.matchLabels.helm.sh/chart\` at \`web.yaml:10\`: suppressed by a chartguard-ignore comment (web.yaml:9): fixed in 2.0
- \`volatile-pod-labels\` Job default/web-migrate \`spec.template.metadata.labels.helm.sh/chart\` at \`web.yaml:29\`: suppressed by the chartguard.io/ignore annotation (web.yaml:22)
- \`selector-overlap\` Service default/web \`spec.selector\` at \`web.yaml:39\`: suppressed by allowedOverlaps in the config (.chartguard.yaml): the job may get traffic
- \`selector-overlap\` Deployment default/web \`spec.selector\` at \`web.yaml:6\`: suppressed by the config: ignoreProbeCauses: selector-overlap accepts cause name

</details>
`;
  assert.equal(formatMarkdown(result), headline + findings + suppressed);
  const { suppressed: _listed, ...counted } = result;
  assert.equal(formatMarkdown(counted), headline + findings);
  assert.equal(
    formatMarkdown({ ...counted, findings: [] }),
    "<!-- chartguard -->\n## ✅ chartguard check: no label or selector problems found, 4 suppressed\n",
  );
});

test("markdown: user text cannot break the table, inject HTML or close the details", () => {
  const [finding] = checkExamplesResult().findings as [Finding];
  const nasty: Finding = {
    ...finding,
    message: "a | b <script>alert(1)</script> </details> *bold* [link](x) & more",
    object: { ...finding.object, name: "we|b" },
    path: "spec.<x>",
  };
  const md = formatMarkdown({ findings: [nasty], notes: [] });
  const [row] = tableRows(md);
  assert.equal(row!.length, 5);
  assert.ok(!md.includes("<script>"));
  assert.equal(md.match(/<\/details>/g)?.length, 1);
  assert.ok(md.includes("<code>spec.&lt;x&gt;</code>"));
  assert.equal(escapeMarkdown("a|b *c* _d_ [e] <f> & \\"), "a\\|b \\*c\\* \\_d\\_ \\[e\\] &lt;f&gt; &amp; \\\\");
});

test("markdown: an upgrade comment carries the plan: what fails, what restarts, what is replaced, what to run first", () => {
  const result = upgradeExamplesResult();
  const md = formatMarkdown(result, { rules });
  assert.ok(md.startsWith(`${COMMENT_MARKER}\n## ❌ chartguard upgrade: `));
  const plan = md.slice(md.indexOf("### Upgrade plan"), md.indexOf("### Details"));
  assert.match(plan, /\*\*Will fail or break \(\d+\):\*\*\n- Rollout default\/web: `rollout-selector-changed` at `spec.selector`/);
  assert.match(plan, /- Deployment default\/web: `immutable-field` at `spec.selector`/);
  assert.match(plan, /\*\*Will restart \(\d+, 1 needlessly\):\*\*/);
  // (The merged examples all name their workload `web`, so "refused" marks spill over between them.)
  assert.match(plan, /- Deployment default\/web: labels only \(.*\*\*needless\*\*: only chart\/app version metadata changed\)/);
  assert.match(plan, /\*\*Replaced \(deleted and created again\) \(1\):\*\*\n- StatefulSet default\/web-db → StatefulSet default\/web-postgresql \(renamed\)/);
  // One runbook: look-ups and patches, then the deletes, then one helm upgrade, then the checks and clean-ups.
  assert.ok(
    plan.includes(
      [
        "**Runbook** (run in this order; each `kubectl delete` waits until the object is gone):",
        "",
        "Before the upgrade:",
        "",
        "```sh",
        "kubectl get crd rollouts.argoproj.io -o jsonpath='{.spec.versions[*].schema.openAPIV3Schema.properties.spec.properties.selector.x-kubernetes-validations}'",
        "kubectl -n default get rollout web -o jsonpath='{.spec.selector}'",
        `for i in 0; do kubectl patch pv "$(kubectl -n default get pvc data-web-db-$i -o jsonpath='{.spec.volumeName}')" -p '{"spec":{"persistentVolumeReclaimPolicy":"Retain"}}'; done`,
        `kubectl patch statefulset web-cache -n default --type=json -p '[{"op":"replace","path":"/spec/updateStrategy","value":{"type":"OnDelete"}}]'`,
        "kubectl delete deployment web -n default --cascade=orphan",
        "```",
        "",
        "The upgrade:",
        "",
        "```sh",
        "helm upgrade '<release>' '<chart>' -n default",
        "```",
        "",
        "After the upgrade:",
        "",
        "```sh",
        "kubectl -n default rollout status deployment web",
        "kubectl -n default rollout status statefulset web-postgresql",
        "kubectl -n default rollout status statefulset web-cache",
        "kubectl -n default get replicasets -l app.kubernetes.io/name=web",
        "kubectl delete rs -n default -l 'app.kubernetes.io/name=web,team!=payments'",
        "```",
      ].join("\n"),
    ),
    plan,
  );
  // Each command once: the details no longer repeat them per finding.
  assert.equal(md.split("helm upgrade '").length - 1, 1);
});

test("markdown: the CLI writes -o markdown for check and upgrade", () => {
  const dir = tempRepo();
  const example = ruleExample("needless-rollout");
  writeFileSync(path.join(dir, "from.yaml"), example.upgradeFrom!);
  writeFileSync(path.join(dir, "to.yaml"), example.bad);
  const up = runCliIn(dir, ["upgrade", "--from", "from.yaml", "--to", "to.yaml", "-o", "markdown"]);
  assert.equal(up.status, 0, up.stderr);
  assert.match(up.stdout, /^<!-- chartguard -->\n## ⚠️ chartguard upgrade: 0 errors, 2 warnings, 0 info\n/);
  assert.match(up.stdout, /\*\*Will restart \(1, 1 needlessly\):\*\*/);
  const check = runCliIn(dir, ["check", "to.yaml", "-o", "markdown", "--fail-on", "warning"]);
  assert.equal(check.status, 1, check.stderr);
  assert.match(check.stdout, /volatile-pod-labels/);
});

/** A check result of `count` findings, each a copy of one real finding on its own object. */
function manyFindings(count: number) {
  const result = checkExamplesResult();
  const [first] = result.findings as [Finding];
  const findings = Array.from({ length: count }, (_, i) => ({ ...first, object: { ...first.object, name: `web-${i}` } }));
  return { ...result, findings, notes: [{ file: "values.yaml", message: "a note that must survive" }] };
}

const bytes = (text: string) => Buffer.byteLength(text, "utf8");

test("markdown: a comment of 2,000 findings stays under GitHub's limit: summary whole, details cut, a note says how many", () => {
  const result = manyFindings(2000);
  const md = formatMarkdown(result, { rules });
  assert.ok(bytes(md) <= GITHUB_COMMENT_LIMIT, `${bytes(md)} bytes`);
  assert.match(md, /^<!-- chartguard -->\n## .* chartguard check: 2000 (errors|warnings)/);
  assert.match(md, /…and 1950 more \(listed under Details\)\./);
  const shown = md.split("<details><summary>").length - 2; // less the Notes section
  assert.ok(shown > 10 && shown < 2000, `${shown} details shown`);
  assert.ok(
    md.includes(
      `> **${2000 - shown} findings' details are left out** to keep this comment under 65,536 characters. The full report is in the job summary of this run and in code scanning (the SARIF upload, \`-o sarif\`).`,
    ),
  );
  assert.match(md, /a note that must survive/);
  assert.ok(md.endsWith("</details>\n"));
});

test("markdown: at the limit exactly nothing is cut; one byte less and the last details go", () => {
  const result = manyFindings(5);
  const whole = formatMarkdown(result, { rules, maxLength: Number.POSITIVE_INFINITY });
  assert.equal(formatMarkdown(result, { rules, maxLength: bytes(whole) }), whole);
  const cut = formatMarkdown(result, { rules, maxLength: bytes(whole) - 1 });
  assert.ok(bytes(cut) <= bytes(whole) - 1);
  const shown = cut.split("<details><summary>").length - 2;
  assert.ok(shown < 5);
  assert.match(cut, new RegExp(`> \\*\\*${5 - shown} finding(s'|'s) details (is|are) left out\\*\\*`));
});

test("markdown: a summary longer than the limit is cut at a line, with the note", () => {
  const md = formatMarkdown(manyFindings(3), { rules, maxLength: 600 });
  assert.ok(bytes(md) <= 600, `${bytes(md)} bytes`);
  assert.match(md, /^<!-- chartguard -->\n/);
  assert.match(md, /> \*\*3 findings' details and the end of this comment are left out\*\* to keep this comment under 600 characters\./);
});

test("markdown: the table keeps a finding's short message; its details block adds the full explanation after it", () => {
  const finding = chartResult().findings.find((f) => f.rule === "volatile-selector")!;
  const md = formatMarkdown({ findings: [finding], notes: [] }, { rules });
  assert.match(md, /\| `charts\/web\/templates\/deployment\.yaml:9` \| selector carries helm\.sh\/chart: the next chart version is refused \|\n/);
  assert.ok(
    md.includes('\n\nselector carries helm.sh/chart: the next chart version is refused\n\nspec.selector is immutable: helm upgrade fails with "field is immutable"<br>once the chart version changes.\n\n**Fix:** Select on'),
    md,
  );
});
