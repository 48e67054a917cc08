import type { CheckResult } from "../analyze/check.ts";
import type { UpgradeResult } from "../analyze/upgrade/index.ts";

/**
 * `-o json`: the CheckResult as is (extend its shape, never rename a field), without
 * `checked`: every object of a cluster dump would say nothing the input does not.
 */
export function formatJson(result: CheckResult | UpgradeResult): string {
  const { checked: _checked, ...shown } = result;
  return `${JSON.stringify(shown, null, 2)}\n`;
}
