/** The chartguard library: the same checks as the CLI, as typed calls. */
export { check, type CheckOptions } from "./check.ts";
export { checkDocuments, type CheckResult } from "./analyze/check.ts";
export type { Finding, Severity, Evidence, Remedy, Location, Summary, Cause } from "./analyze/finding.ts";
export type { Rule, RuleMeta } from "./analyze/rule.ts";
export { CHECK_RULES } from "./analyze/rules/index.ts";
export { parseYamlStream, type YamlDocument } from "./load/yaml.ts";
export { formatJson } from "./report/json.ts";
export { formatText } from "./report/text.ts";
export { InputError, UsageError } from "./errors.ts";
