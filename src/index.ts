/**
 * The chartguard library: the same checks as the CLI, as typed calls.
 *
 * ```ts
 * import { check, upgrade, loadConfig, formatText, ruleById } from "chartguard";
 *
 * const config = loadConfig();                       // .chartguard.yaml from the working directory upwards
 * const result = await check({ inputs: ["charts/web"], namespace: "shop", config });
 * for (const f of result.findings) console.log(f.severity, f.rule, f.object.name, f.path, f.location);
 * console.log(result.summary);                       // { error, warning, info, suppressed }
 *
 * const plan = await upgrade({ from: "git:origin/main", to: "charts/web", valuesFiles: ["prod.yaml"] });
 * console.log(plan.impact.rolled.map((r) => r.object.name));
 * ```
 *
 * - `check` / `upgrade` load, render (with the `helm` binary: `helm` option, else `$HELM_BIN`,
 *   else `helm` on PATH) and analyse; they throw `InputError` (with `file` and `line`) for bad
 *   input, the errors the CLI reports with exit code 2. A chart `check` cannot render does not
 *   stop the others: it is in the result's `failed` (throwing only when nothing else was checked).
 * - `upgrade` gives each finding a `baselineState` against the `--from` side, and lists what is
 *   gone in `absent`.
 * - `checkDocuments` / `upgradeDocuments` are the pure core: parsed documents in, findings out,
 *   no files, no helm. `applySuppressions` applies a config and in-manifest suppressions to them.
 * - Rules: `CHECK_RULES`, `UPGRADE_RULES`, `ruleById(id)`; each has `meta` (id, severity, summary, why, fix).
 * - Formatters turn a result into the text the CLI prints for `-o text|json|sarif|junit|github|markdown`
 *   (`formatPlan` is the text report of `upgrade`; `upgradeRunbook` its one runbook, `plan.steps` in JSON).
 * - The library reads no configuration file unless asked: pass `config: loadConfig()` (or an object).
 */

// Commands
export { check, type CheckOptions, type CheckOutcome } from "./check.ts";
export { upgrade, type UpgradeOptions, type UpgradeOutcome, type SideValues } from "./upgrade.ts";
export type { ChartOptions } from "./render/request.ts";

// The pure core
export { checkDocuments, type CheckResult, type CheckCoreOptions } from "./analyze/check.ts";
export { upgradeDocuments, type UpgradeResult, type UpgradeCoreOptions } from "./analyze/upgrade/index.ts";
export type { Impact, RolledWorkload } from "./analyze/upgrade/impact.ts";
export { DEFAULT_SETTINGS, type AnalysisSettings } from "./analyze/context.ts";
export { parseYamlStream, type YamlDocument, type FieldPath, type PathSegment } from "./load/yaml.ts";
export type { ObjectRef, ModelNote } from "./model/object.ts";

// Findings
export type { Finding, Severity, Evidence, Remedy, Location, Summary, Cause, BaselineState } from "./analyze/finding.ts";

// Rules
export type { Rule, RuleMeta } from "./analyze/rule.ts";
export { CHECK_RULES, UPGRADE_RULES, ruleById } from "./analyze/rules/index.ts";

// Configuration and suppressions
export {
  loadConfig,
  parseConfig,
  findConfigFile,
  CONFIG_FILE_NAMES,
  type ChartguardConfig,
  type LoadConfigOptions,
  type ChartSettings,
} from "./config/config.ts";
export {
  applySuppressions,
  withSuppressions,
  IGNORE_ANNOTATION,
  IGNORE_REASON_ANNOTATION,
  IGNORE_COMMENT,
  type Suppression,
  type SuppressionKind,
  type SuppressionConfig,
  type RuleSettings,
  type AllowedOverlap,
  type SuppressedFinding,
  type SuppressedSummary,
  type SuppressionInput,
  type SuppressionResult,
} from "./analyze/suppress.ts";

// Formatters: a result in, the text of one `-o` format out
export type { ReportResult } from "./report/common.ts";
export { formatJson, JSON_OUTPUT_VERSION } from "./report/json.ts";
export { upgradeRunbook, type RunbookStep, type RunbookStage } from "./report/runbook.ts";
export { formatText, type TextOptions, type TextReport } from "./report/text.ts";
export { formatPlan } from "./report/plan.ts";
export { formatSarif, type SarifOptions } from "./report/sarif.ts";
export { formatJunit, type JunitOptions } from "./report/junit.ts";
export { formatGithub, type GithubOptions } from "./report/github.ts";
export { formatMarkdown, type MarkdownOptions } from "./report/markdown.ts";

// Errors
export { InputError, InputErrors, UsageError, type InputFailure } from "./errors.ts";
