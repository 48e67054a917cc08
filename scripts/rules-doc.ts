// `npm run docs:rules`: regenerates the README's rule reference (between
// `<!-- rules:start -->` and `<!-- rules:end -->`) from the rules' own metadata.
// `--check` changes nothing and exits 1 when the README is stale (the tests do the same).
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ruleCatalog, rulesReference, withRulesReference } from "../src/report/rules-doc.ts";

const readmePath = fileURLToPath(new URL("../README.md", import.meta.url));
const current = readFileSync(readmePath, "utf8");
const next = withRulesReference(current, rulesReference(ruleCatalog()));

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
