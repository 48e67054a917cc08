import type { CheckResult } from "../analyze/check.ts";
import type { UpgradeResult } from "../analyze/upgrade/index.ts";
import { upgradeRunbook } from "./runbook.ts";

/**
 * The version of the `-o json` output (`version` in it), described by the JSON Schema in
 * src/report/output-schema.json (`chartguard/output-schema.json` in the package). Raise it
 * only when a field is renamed or removed or changes its meaning.
 */
export const JSON_OUTPUT_VERSION = 1;

/**
 * `-o json`: the result as is (extend its shape, never rename a field), without `checked`
 * (every object of a cluster dump would say nothing the input does not), and for an upgrade
 * the runbook as `plan.steps`.
 */
export function formatJson(result: CheckResult | UpgradeResult): string {
  const { checked: _checked, ...shown } = result;
  const steps = "impact" in result ? upgradeRunbook(result.findings, result.impact) : [];
  return `${JSON.stringify({ version: JSON_OUTPUT_VERSION, ...shown, ...(steps.length > 0 ? { plan: { steps } } : {}) }, null, 2)}\n`;
}
