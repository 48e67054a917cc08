import type { CheckResult } from "../analyze/check.ts";

/** `-o json`: the CheckResult as is (extend its shape, never rename a field). */
export function formatJson(result: CheckResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
