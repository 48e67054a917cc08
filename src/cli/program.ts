/** The command line: argument parsing, exit codes and output, wiring only (loaded by main.ts). */
import { appendFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { check, type CheckOutcome } from "../check.ts";
import { upgrade, type UpgradeOutcome } from "../upgrade.ts";
import { fix, type FixOutcome } from "../fix.ts";
import { failureLine, InputError, UsageError } from "../errors.ts";
import { CONFIG_FILE_NAMES, loadConfig, type ChartguardConfig } from "../config/config.ts";
import { inputsForChangedFiles } from "../load/changed-files.ts";
import { severityRank, type Finding } from "../analyze/finding.ts";
import { CHECK_RULES, UPGRADE_RULES } from "../analyze/rules/index.ts";
import { introducedByUpgrade } from "../analyze/upgrade/baseline.ts";
import { formatFixJson, formatFixText } from "../report/fix.ts";
import { formatGithub } from "../report/github.ts";
import { formatJson } from "../report/json.ts";
import { formatJunit } from "../report/junit.ts";
import { formatMarkdown } from "../report/markdown.ts";
import { formatPlan } from "../report/plan.ts";
import { configureProgress } from "../report/progress.ts";
import { examplesOf, formatRuleList, formatRuleText, ruleCatalog, ruleMarkdown, runExample } from "../report/rules-doc.ts";
import { isMissing } from "../load/rule-examples.ts";
import { formatSarif } from "../report/sarif.ts";
import { DEFAULT_WIDTH, formatText, formatTextChunks } from "../report/text.ts";
import { visible, visibleLines } from "../report/visible.ts";
import { writeOutputFile } from "../report/write.ts";
import { VERSION } from "../version.ts";
import {
  analysisSettings,
  chartOptions,
  discoveryOptions,
  withArgoRolloutsFlag,
  withCheckCommand,
  withConfigFileFlags,
  withConfigFlags,
  withOutputFlags,
  withRenderFlags,
  type CheckFlags,
  type ConfigFlags,
  type OutputFlags,
  type RenderFlags,
} from "./options.ts";

/** The configuration to run with, and whether to list what it suppresses. */
function configOptions(flags: ConfigFlags): { config: ChartguardConfig; showSuppressed: boolean } {
  return {
    config: loadConfig(flags.config === undefined ? {} : { file: flags.config }),
    showSuppressed: flags.showSuppressed === true,
  };
}

/** GitHub keeps at most 1 MiB of job summary per step. */
const JOB_SUMMARY_LIMIT = 1024 * 1024;
const EXIT_OK = 0;
const EXIT_FINDINGS = 1;
const EXIT_USAGE = 2;
/** Ends the one line a rejected command line gets. */
const HELP_HINT = "see chartguard --help";

function useColor(flags: OutputFlags): boolean {
  if (flags.color === false || flags.outputFile) return false;
  if (process.env.NO_COLOR) return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== "0") return true;
  return process.stdout.isTTY === true;
}

/** The text report's explanations fit the terminal, and never run wider than 100 columns (long lines read badly). */
function textWidth(flags: OutputFlags): number {
  const columns = flags.outputFile ? undefined : process.stdout.columns;
  return columns !== undefined && columns > 0 ? Math.min(columns, DEFAULT_WIDTH) : DEFAULT_WIDTH;
}

function emit(result: CheckOutcome | UpgradeOutcome, flags: OutputFlags & { failOnExisting?: boolean }, config: ChartguardConfig): number {
  const metas = [...CHECK_RULES, ...UPGRADE_RULES].map((rule) => rule.meta);
  const rules = new Map(metas.map((meta) => [meta.id, meta]));
  const isUpgrade = "impact" in result;
  // --quiet: the text report lists only errors, found and suppressed; its summary still counts everything.
  const isError = (f: Finding) => f.severity === "error";
  const shown = <R extends CheckOutcome | UpgradeOutcome>(r: R): R =>
    flags.quiet ? { ...r, findings: r.findings.filter(isError), ...(r.suppressed ? { suppressed: r.suppressed.filter(isError) } : {}) } : r;
  const textOptions = { color: useColor(flags), rules, verbose: flags.verbose === true, width: textWidth(flags) };
  // The text report of `check` goes to stdout file by file, never held whole.
  const streamed = flags.output === "text" && !flags.outputFile && !isUpgrade ? formatTextChunks(shown(result), textOptions) : undefined;
  const text = streamed ? "" : (() => {
    switch (flags.output) {
      case "json":
        return formatJson(result);
      case "sarif":
        return formatSarif(result, { rules: metas });
      case "junit":
        // A rule the config turns off ran on nothing: no suite of passing cases for it.
        return formatJunit(result, {
          failOn: flags.failOn,
          rules: (isUpgrade ? metas : CHECK_RULES.map((rule) => rule.meta)).filter((meta) => config.rules?.[meta.id]?.enabled !== false),
        });
      case "github":
        return formatGithub(result);
      case "markdown":
        return formatMarkdown(result, { rules });
      case "text":
        return isUpgrade ? formatPlan(shown(result), textOptions) : formatText(shown(result), textOptions);
    }
  })();
  if (streamed) for (const chunk of streamed) process.stdout.write(chunk);
  else if (flags.outputFile) writeOutputFile(flags.outputFile, text);
  else process.stdout.write(text);
  const summaryFile = process.env.GITHUB_STEP_SUMMARY;
  if (flags.output === "github" && summaryFile) {
    try {
      appendFileSync(summaryFile, `${formatMarkdown(result, { rules, maxLength: JOB_SUMMARY_LIMIT })}\n`);
    } catch (error) {
      process.stderr.write(`chartguard: could not write the job summary to ${summaryFile}: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  // A chart that could not be rendered was not checked: the run is incomplete, whatever was found.
  if ("failed" in result && result.failed && result.failed.length > 0) {
    for (const failure of result.failed) process.stderr.write(`chartguard: ${failureLine(failure)}\n`);
    return EXIT_USAGE;
  }
  if (flags.failOn === "none") return EXIT_OK;
  const threshold = severityRank(flags.failOn);
  // An upgrade fails on what it introduces or changes; what the release already has counts with --fail-on-existing.
  const counted = isUpgrade && flags.failOnExisting !== true ? result.findings.filter(introducedByUpgrade) : result.findings;
  return counted.some((f) => severityRank(f.severity) <= threshold) ? EXIT_FINDINGS : EXIT_OK;
}

interface RulesFlags {
  output: "text" | "markdown" | "json";
  color?: boolean;
}

/** `chartguard rules [RULE-ID]`: the list, or one rule explained (with what chartguard says about its bad example). */
function explainRules(id: string | undefined, flags: RulesFlags): void {
  const catalog = ruleCatalog();
  const color = flags.output === "text" && flags.color !== false && !process.env.NO_COLOR && process.stdout.isTTY === true;
  if (id === undefined) {
    const text =
      flags.output === "json"
        ? `${JSON.stringify(catalog, null, 2)}\n`
        : flags.output === "markdown"
          ? `${catalog.map((r) => `- [\`${r.id}\`](${r.helpUri}) (${r.severity}): ${r.summary}`).join("\n")}\n`
          : formatRuleList(catalog, { color });
    process.stdout.write(text);
    return;
  }
  const rule = catalog.find((r) => r.id === id);
  if (!rule) throw new UsageError(`unknown rule "${id}"; \`chartguard rules\` lists them: ${catalog.map((r) => r.id).join(", ")}`);
  const example = examplesOf(rule);
  if (flags.output === "json") {
    // Where the examples are missing, JSON keeps its shape and the line goes to stderr.
    if (example !== undefined && isMissing(example)) process.stderr.write(`chartguard: examples of ${rule.id} ${example.missing}\n`);
    process.stdout.write(`${JSON.stringify({ ...rule, ...(example === undefined || isMissing(example) ? {} : { example }) }, null, 2)}\n`);
  } else if (flags.output === "markdown") process.stdout.write(ruleMarkdown(rule, { headingLevel: 2, example }));
  else {
    const badFindings = example === undefined || isMissing(example) ? [] : runExample(rule, example, "bad");
    process.stdout.write(formatRuleText(rule, { color, example, badFindings }));
  }
}

interface UpgradeFlags extends OutputFlags, RenderFlags, ConfigFlags {
  argoRolloutsVersion?: string;
  from: string;
  to: string;
  fromValues: string[];
  toValues: string[];
  fromSet: string[];
  toSet: string[];
  fromSetString: string[];
  toSetString: string[];
  failOnExisting?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

const FIX_OUTPUT_FORMATS = ["text", "json", "patch"] as const;

interface FixFlags {
  output: (typeof FIX_OUTPUT_FORMATS)[number];
  write?: boolean;
  proofHelm: string[];
}

/** 0: nothing to repair, or every finding got a proven repair; 1: some finding is left as it is. */
function fixExitCode(outcome: FixOutcome): number {
  return outcome.unrepaired.length > 0 || outcome.repairs.some((r) => !r.proven) ? EXIT_FINDINGS : EXIT_OK;
}

type SetExitCode = (code: number) => void;
function addCheckCommand(program: Command, setExitCode: SetExitCode): void {
  withCheckCommand(program).action(async (paths: string[], flags: CheckFlags) => {
    const inputs = flags.changedFiles ? inputsForChangedFiles(paths, { configFileNames: CONFIG_FILE_NAMES }) : paths;
    if (inputs.length === 0) {
      process.stderr.write(`chartguard: none of the ${paths.length} changed files is in a chart or a manifest; nothing to check\n`);
      setExitCode(EXIT_OK);
      return;
    }
    const configured = configOptions(flags);
    const result = await check({
      inputs,
      namespace: flags.namespace,
      ...chartOptions(flags),
      ...discoveryOptions(flags),
      probe: flags.probe,
      sameNamespace: flags.sameNamespace === true,
      settings: analysisSettings(flags),
      ...configured,
    });
    setExitCode(emit(result, flags, configured.config));
  });
}

function addUpgradeCommand(program: Command, setExitCode: SetExitCode): void {
  withConfigFlags(withOutputFlags(
    withArgoRolloutsFlag(withRenderFlags(
      program
        .command("upgrade")
        .description("predict what `helm upgrade` will do: refused updates, restarts, replacements")
        .requiredOption("--from <source>", "the release as it is: a chart, .tgz, git:REF, or manifests (e.g. helm get manifest), or -")
        .requiredOption("--to <source>", "the release as it will be: a chart, .tgz, git:REF, or manifests, or -")
        .option("--from-values <file>", "values file for the --from side only (repeatable)", collect, [])
        .option("--to-values <file>", "values file for the --to side only (repeatable)", collect, [])
        .option("--from-set <key=value>", "--set for the --from side only (repeatable)", collect, [])
        .option("--to-set <key=value>", "--set for the --to side only (repeatable)", collect, [])
        .option("--from-set-string <key=value>", "--set-string for the --from side only (repeatable)", collect, [])
        .option("--to-set-string <key=value>", "--set-string for the --to side only (repeatable)", collect, [])
        .option(
          "--fail-on-existing",
          "let --fail-on count every finding of the --to side, also those already present unchanged on the --from side (default: only what the upgrade introduces or changes)",
        ),
    )),
  )).action(async (flags: UpgradeFlags) => {
    const configured = configOptions(flags);
    const result = await upgrade({
      from: flags.from,
      to: flags.to,
      namespace: flags.namespace,
      fromValues: { valuesFiles: flags.fromValues, set: flags.fromSet, setString: flags.fromSetString },
      toValues: { valuesFiles: flags.toValues, set: flags.toSet, setString: flags.toSetString },
      ...chartOptions(flags),
      settings: analysisSettings(flags),
      ...configured,
    });
    setExitCode(emit(result, flags, configured.config));
  });
}

function addFixCommand(program: Command, setExitCode: SetExitCode): void {
  withConfigFileFlags(withRenderFlags(
    program
      .command("fix")
      .description("repair volatile labels in a chart's templates, prove each repair on a copy, and give the migration for installed releases")
      .argument("<chart>", "the chart directory to repair")
      .addOption(new Option("-o, --output <format>", "output format: the report, JSON for tools, or the proven patch alone").choices(FIX_OUTPUT_FORMATS).default("text"))
      .option("--write", "write the proven repairs into the chart's files (default: only print them)")
      .option("--proof-helm <path>", "another helm binary the repaired chart must render under, e.g. Helm 4 next to Helm 3 (repeatable)", collect, []),
  )).action(async (chart: string, flags: RenderFlags & ConfigFlags & FixFlags) => {
    const outcome = await fix({
      chart,
      namespace: flags.namespace,
      ...chartOptions(flags),
      settings: analysisSettings(flags),
      config: configOptions(flags).config,
      proofHelms: flags.proofHelm,
      write: flags.write === true,
    });
    process.stdout.write(flags.output === "json" ? formatFixJson(outcome) : flags.output === "patch" ? outcome.patch : formatFixText(outcome));
    setExitCode(fixExitCode(outcome));
  });
}

function addRulesCommand(program: Command, setExitCode: SetExitCode): void {
  program
    .command("rules")
    .description("list the rules, or explain one: what it finds, why (the real incident), a bad and a good example, the fix")
    .argument("[rule-id]", "the rule to explain")
    .addOption(new Option("-o, --output <format>", "output format").choices(["text", "markdown", "json"]).default("text"))
    .option("--no-color", "never colour the output")
    .action((id: string | undefined, flags: RulesFlags) => {
      explainRules(id, flags);
      setExitCode(EXIT_OK);
    });
}

export function buildProgram(setExitCode: SetExitCode): Command {
  const program = new Command("chartguard")
    .description("Catch Kubernetes label and selector mistakes in Helm charts and rendered manifests.")
    .version(VERSION, "-V, --version", "print chartguard's version")
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .showHelpAfterError(false)
    .option("--debug", "print details (Helm's full output, stack traces) on errors")
    // Progress on stderr only for the text report (and only on a terminal): never mixed into machine-readable output.
    .hook("preAction", (_program, command) => configureProgress({ format: String(command.opts().output ?? "text") }));

  addCheckCommand(program, setExitCode);
  addUpgradeCommand(program, setExitCode);
  addFixCommand(program, setExitCode);
  addRulesCommand(program, setExitCode);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = EXIT_OK;
  const program = buildProgram((code) => (exitCode = code));
  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.help" || error.code === "commander.version") return EXIT_OK;
      process.stderr.write(`chartguard: ${visible(error.message.replace(/^error: /, ""))}; ${HELP_HINT}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof InputError) {
      // One line per failed input, whatever a chart or helm put into the message.
      for (const line of error.lines) process.stderr.write(`chartguard: ${visible(line)}
`);
      if (argv.includes("--debug") && error.detail) process.stderr.write(`${visibleLines(error.detail)}
`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

/** The exit code of a command line; an error chartguard did not expect is one line (with its stack under --debug), exit 2. */
export function run(argv: readonly string[]): Promise<number> {
  return main(argv).catch((error: unknown) => {
    const message = (error instanceof Error ? error.message : String(error)).split("\n")[0];
    process.stderr.write(`chartguard: internal error (a bug in chartguard; --debug shows where): ${message}\n`);
    if (argv.includes("--debug") && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return EXIT_USAGE;
  });
}
