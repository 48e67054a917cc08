// `npm run docs:rules`: regenerates the README's rule reference (between
// `<!-- rules:start -->` and `<!-- rules:end -->`) from the rules' own metadata and their
// examples in docs/rules/<id>/.
// `--check` changes nothing and exits 1 when the README is stale (the tests do the same).
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { isMissing } from "../src/load/rule-examples.ts";
import type { RuleMeta } from "../src/analyze/rule.ts";
import { examplesOf, ruleCatalog, rulesReference, withRulesReference } from "../src/report/rules-doc.ts";

const readmePath = fileURLToPath(new URL("../README.md", import.meta.url));
const current = readFileSync(readmePath, "utf8");
const next = withRulesReference(current, rulesReference(ruleCatalog(), examplesRequired));

/** Every rule's examples from docs/rules/<id>/; the README is not written without one. */
function examplesRequired(rule: RuleMeta) {
  const example = examplesOf(rule);
  if (example === undefined || isMissing(example)) {
    process.stderr.write(`docs/rules/${rule.id}: the examples of ${rule.id} are missing (${example?.missing ?? "not a rule of the index"})\n`);
    process.exit(1);
  }
  return example;
}

if (process.argv.includes("--check")) {
  if (next !== current) {
    process.stderr.write("README.md: the rule reference is stale; run `npm run docs:rules`\n");
    process.exit(1);
  }
  process.stdout.write("README.md: the rule reference is up to date\n");
} else if (next === current) {
  process.stdout.write("README.md: the rule reference is already up to date\n");
} else {
  writeFileSync(readmePath, next);
  process.stdout.write("README.md: rule reference regenerated\n");
}
