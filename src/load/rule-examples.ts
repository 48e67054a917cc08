/**
 * Every rule's bad and good example, as plain YAML files in docs/rules/<id>/ of the
 * package: the rule reference (`chartguard rules RULE-ID`, the README, SARIF's rule help)
 * shows them, and the tests run them through the real core. They are files rather than
 * strings in the rules' `meta` so that the rule files hold the rule, and the examples read
 * as what they are: manifests.
 *
 *   bad.yaml        the rule reports it (for an upgrade rule: upgraded to from from.yaml)
 *   good.yaml       the rule does not (an upgrade rule: from from.yaml, or good-from.yaml)
 *   from.yaml       upgrade rules only: the release as it is deployed
 *   good-from.yaml  when the fixed chart's release also starts somewhere else
 *   rerender.yaml   probe rules: bad.yaml rendered again from the same chart and values
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface RuleExample {
  bad: string;
  good: string;
  upgradeFrom?: string;
  goodFrom?: string;
  rerender?: string;
}

/** What a rule's folder may hold: each example's file name. */
export const EXAMPLE_FILES: Readonly<Record<keyof RuleExample, string>> = {
  bad: "bad.yaml",
  good: "good.yaml",
  upgradeFrom: "from.yaml",
  goodFrom: "good-from.yaml",
  rerender: "rerender.yaml",
};

/** A rule's examples could not be read (an install without docs/rules/): the rest of a line saying where they were expected. */
export interface MissingExample {
  missing: string;
}

/**
 * chartguard's own folder: the nearest folder above this module holding a package.json
 * named chartguard. The same walk finds it from src/load/ (tsx), dist/load/ (the npm
 * package) and bundle/ (the single-file bundle in a checkout: the Action, the Helm plugin).
 */
export function packageRoot(from = path.dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (isChartguardPackage(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

function isChartguardPackage(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { name?: unknown }).name === "chartguard";
  } catch {
    return false;
  }
}

/** The folder of one rule's examples, or undefined when chartguard's package root is not found. */
export function ruleExampleDir(id: string, root = packageRoot()): string | undefined {
  return root === undefined ? undefined : path.join(root, "docs", "rules", id);
}

/** A rule's examples from docs/rules/<id>/; `bad.yaml` and `good.yaml` are required, the others optional. */
export function readRuleExample(id: string, root = packageRoot()): RuleExample | MissingExample {
  const dir = ruleExampleDir(id, root);
  if (dir === undefined) return { missing: `not found: they live in docs/rules/${id}/ of chartguard's folder, and no folder above ${path.dirname(fileURLToPath(import.meta.url))} holds chartguard's package.json` };
  const read = (key: keyof RuleExample) => {
    const file = path.join(dir, EXAMPLE_FILES[key]);
    return existsSync(file) ? readFileSync(file, "utf8") : undefined;
  };
  const bad = read("bad");
  const good = read("good");
  if (bad === undefined || good === undefined) return { missing: `not found: they were expected in ${dir}${path.sep} (bad.yaml and good.yaml), which this install of chartguard lacks` };
  const example: RuleExample = { bad, good };
  for (const key of ["upgradeFrom", "goodFrom", "rerender"] as const) {
    const text = read(key);
    if (text !== undefined) example[key] = text;
  }
  return example;
}

export function isMissing(example: RuleExample | MissingExample): example is MissingExample {
  return "missing" in example;
}
