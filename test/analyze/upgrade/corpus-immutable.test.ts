/**
 * The real chart upgrades in ../shared/corpus (read-only; never copied into the
 * repository), for the two rules immutable-field and merge-trap: exactly the objects that
 * really failed to upgrade are reported, at the field that failed, and nothing else.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { DEFAULT_SETTINGS } from "../../../src/analyze/context.ts";
import type { Finding } from "../../../src/analyze/finding.ts";
import { upgradeDocuments } from "../../../src/analyze/upgrade/index.ts";
import { parseYamlStream } from "../../../src/load/yaml.ts";

const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const CORPUS = join(PROJECT_ROOT, "..", "shared", "corpus");
const RULES = new Set(["immutable-field", "merge-trap"]);

interface Expected {
  rule: string;
  object: string;
  /** The finding's path, or a prefix ending in "." that every such finding's path starts with. */
  path: string;
}

/** What must be reported; every case not listed here must be clean of both rules. */
const EXPECTED: Record<string, Expected[]> = {
  "version-checker-0.3.1-0.3.2": [{ rule: "immutable-field", object: "Deployment/version-checker", path: "spec.selector" }],
  "devlake-0.20.0-beta8-beta9": [
    { rule: "immutable-field", object: "Deployment/devlake-ui", path: "spec.selector" },
    { rule: "immutable-field", object: "Deployment/devlake-lake", path: "spec.selector" },
  ],
  "pushgateway-2.16.0-2.17.0-vct": [
    // One finding for the StatefulSet, at the labels map every changed label is in.
    { rule: "immutable-field", object: "StatefulSet/prometheus-pushgateway", path: "spec.volumeClaimTemplates[0].metadata.labels" },
  ],
  "nri-metadata-injection-1.3.0-1.3.1-job": [
    { rule: "immutable-field", object: "Job/newrelic-bundle-nri-metadata-injection-job", path: "spec.template" },
  ],
};

function matchesExpected(finding: Finding, expected: Expected): boolean {
  const object = `${finding.object.kind}/${finding.object.name}`;
  const pathOk = expected.path.endsWith(".") ? finding.path.startsWith(expected.path) : finding.path === expected.path;
  return finding.rule === expected.rule && object === expected.object && pathOk;
}

/** The text a finding's line should contain: the last key of its path (a label key whole). */
function keyOf(path: string): string {
  const label = /\.(?:labels|annotations|matchLabels)\.(.+)$/.exec(path);
  if (label) return label[1]!;
  return path.split(/[.[\]]/).filter(Boolean).pop()!;
}

const corpusCases = existsSync(CORPUS) ? readdirSync(CORPUS).filter((name) => existsSync(join(CORPUS, name, "to.yaml"))).sort() : [];
const namespaces = new Map<string, string>();
if (existsSync(join(CORPUS, "cases.yaml"))) {
  for (const c of parse(readFileSync(join(CORPUS, "cases.yaml"), "utf8")) as { id: string; namespace?: string }[]) {
    namespaces.set(c.id, c.namespace ?? "default");
  }
}

if (corpusCases.length === 0) {
  test("corpus: immutable-field and merge-trap", (t) => {
    t.skip(`${CORPUS} (…/shared/corpus) not found`);
  });
}

for (const id of corpusCases) {
  test(`corpus ${id}: immutable-field / merge-trap report exactly the real failures`, () => {
    const fromFile = join(CORPUS, id, "from.yaml");
    const toFile = join(CORPUS, id, "to.yaml");
    const toText = readFileSync(toFile, "utf8");
    const result = upgradeDocuments(parseYamlStream(readFileSync(fromFile, "utf8"), fromFile), parseYamlStream(toText, toFile), {
      namespace: namespaces.get(id) ?? "default",
      settings: DEFAULT_SETTINGS,
    });
    const ours = result.findings.filter((f) => RULES.has(f.rule));
    const expected = EXPECTED[id] ?? [];
    const unexpected = ours.filter((f) => !expected.some((e) => matchesExpected(f, e)));
    assert.deepEqual(
      unexpected.map((f) => `${f.rule} ${f.severity} ${f.object.kind}/${f.object.name} ${f.path}`),
      [],
      "no finding on objects that upgrade cleanly",
    );
    for (const e of expected) {
      const found = ours.filter((f) => matchesExpected(f, e));
      assert.ok(found.length > 0, `expected ${e.rule} on ${e.object} ${e.path}`);
      if (!e.path.endsWith(".")) assert.equal(found.length, 1, `one finding for ${e.object} ${e.path}`);
    }
    const lines = toText.split("\n");
    for (const f of ours) {
      assert.equal(f.severity, "error");
      assert.equal(f.location.file, toFile, "located in the new release");
      const line = lines[f.location.line - 1] ?? "";
      assert.ok(line.includes(keyOf(f.path)), `${f.path} → line ${f.location.line}: ${JSON.stringify(line)}`);
      assert.match(String(f.evidence.apiError), /is invalid: /);
      assert.match(String(f.data.helmError), /^Error: UPGRADE FAILED: cannot patch /);
      assert.ok((f.remedy.commands ?? []).some((c) => c.startsWith("helm upgrade ")), "migration commands end with the upgrade");
    }
  });
}
