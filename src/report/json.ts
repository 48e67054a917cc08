import type { CheckResult } from "../analyze/check.ts";
import type { UpgradeResult } from "../analyze/upgrade/index.ts";

/** `-o json`: the CheckResult as is (extend its shape, never rename a field). */
export function formatJson(result: CheckResult | UpgradeResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
