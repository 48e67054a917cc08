/**
 * The real chart upgrades in ../shared/corpus (read-only; never copied into the repo):
 * `upgradeDocuments` must report exactly the outcomes cases.yaml lists for each pair.
 *
 * - upgrade-fails    → an error from immutable-field, merge-trap, rollout-selector-changed
 *                      or object-replaced on that object
 * - needless-rollout → a needless-rollout finding on that object
 * - overlap          → a selector-overlap finding on that object (any severity)
 * - ok               → no error on that object
 * - optional: true   → may or may not appear
 * and no error from those four upgrade rules on any object not listed as upgrade-fails.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import type { Finding } from "../../../src/analyze/finding.ts";
import { UPGRADE_RULES } from "../../../src/analyze/rules/index.ts";
import { upgradeDocuments } from "../../../src/analyze/upgrade/index.ts";
import { parseYamlStream } from "../../../src/load/yaml.ts";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const CORPUS = join(ROOT, "..", "shared", "corpus");
const CASES = join(CORPUS, "cases.yaml");

const UPGRADE_FAILURE_RULES = new Set(["immutable-field", "merge-trap", "rollout-selector-changed", "object-replaced"]);

interface Expected {
  kind: string;
  name: string;
  field: string;
  outcome: "upgrade-fails" | "needless-rollout" | "overlap" | "ok";
  optional?: boolean;
}

interface CorpusCase {
  id: string;
  namespace: string;
  expected: Expected[] | null;
}

const corpusCases: CorpusCase[] = existsSync(CASES) ? (parse(readFileSync(CASES, "utf8")) as CorpusCase[]) : [];

if (corpusCases.length === 0) {
  test("upgrade corpus", { skip: `${CASES} not found: the corpus lives outside the repository (../shared/corpus); corpus cases skipped` }, () => {});
}

const on = (f: Finding, e: { kind: string; name: string }) => f.object.kind === e.kind && f.object.name === e.name;
const show = (f: Finding) => `${f.severity} ${f.rule} ${f.object.kind}/${f.object.name} ${f.path}`;

for (const corpusCase of corpusCases) {
  const dir = join(CORPUS, corpusCase.id);
  const missing = ["from.yaml", "to.yaml"].find((f) => !existsSync(join(dir, f)));
  test(`upgrade corpus: ${corpusCase.id}`, { skip: missing ? `${join(dir, missing)} not found: case skipped` : false }, () => {
    const read = (side: string) => parseYamlStream(readFileSync(join(dir, `${side}.yaml`), "utf8"), join(dir, `${side}.yaml`));
    const { findings } = upgradeDocuments(read("from"), read("to"), { namespace: corpusCase.namespace });
    const expected = corpusCase.expected ?? [];
    const problems: string[] = [];

    for (const e of expected) {
      const here = findings.filter((f) => on(f, e));
      const found = {
        "upgrade-fails": here.some((f) => f.severity === "error" && UPGRADE_FAILURE_RULES.has(f.rule)),
        "needless-rollout": here.some((f) => f.rule === "needless-rollout"),
        overlap: here.some((f) => f.rule === "selector-overlap"),
        ok: !here.some((f) => f.severity === "error"),
      }[e.outcome];
      if (!found && !e.optional) {
        const absent = e.outcome === "upgrade-fails" ? [...UPGRADE_FAILURE_RULES].filter((id) => !UPGRADE_RULES.some((r) => r.meta.id === id)) : [];
        problems.push(
          `expected ${e.outcome} on ${e.kind}/${e.name} (${e.field}); findings there: ${here.map(show).join("; ") || "none"}` +
            (absent.length > 0 ? ` [not registered yet: ${absent.join(", ")}]` : ""),
        );
      }
    }

    const mayFail = expected.filter((e) => e.outcome === "upgrade-fails");
    for (const f of findings) {
      if (f.severity !== "error" || !UPGRADE_FAILURE_RULES.has(f.rule)) continue;
      if (!mayFail.some((e) => on(f, e))) problems.push(`unexpected ${show(f)}: ${f.message}`);
    }

    assert.deepEqual(problems, [], `${corpusCase.id}:\n  ${problems.join("\n  ")}`);
  });
}
