#!/usr/bin/env node
/** The command line: argument parsing, exit codes and output, wiring only. */
import { writeFileSync } from "node:fs";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { check } from "../check.ts";
import { upgrade } from "../upgrade.ts";
import type { UpgradeResult } from "../analyze/upgrade/index.ts";
import { formatPlan } from "../report/plan.ts";
import { InputError } from "../errors.ts";
import { SEVERITIES, severityRank, type Severity } from "../analyze/finding.ts";
import { CHECK_RULES, UPGRADE_RULES } from "../analyze/rules/index.ts";
import type { CheckResult } from "../analyze/check.ts";
import { formatJson } from "../report/json.ts";
import { formatText } from "../report/text.ts";

const EXIT_OK = 0;
const EXIT_FINDINGS = 1;
const EXIT_USAGE = 2;

type FailOn = Severity | "none";

interface OutputOptions {
  output: "text" | "json";
  outputFile?: string;
  failOn: FailOn;
  color?: boolean;
  quiet?: boolean;
}

function useColor(options: OutputOptions): boolean {
  if (options.color === false || options.outputFile) return false;
  if (process.env.NO_COLOR) return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== "0") return true;
  return process.stdout.isTTY === true;
}

function emit(result: CheckResult | UpgradeResult, options: OutputOptions): number {
  const rules = new Map([...CHECK_RULES, ...UPGRADE_RULES].map((rule) => [rule.meta.id, rule.meta]));
  const findings = options.quiet ? result.findings.filter((f) => f.severity === "error") : result.findings;
  const textOptions = { color: useColor(options), rules };
  const text =
    options.output === "json"
      ? formatJson(result)
      : "impact" in result
        ? formatPlan({ ...result, findings }, textOptions)
        : formatText({ ...result, findings }, textOptions);
  if (options.outputFile) writeFileSync(options.outputFile, text);
  else process.stdout.write(text);
  if (options.failOn === "none") return EXIT_OK;
  const threshold = severityRank(options.failOn);
  return result.findings.some((f) => severityRank(f.severity) <= threshold) ? EXIT_FINDINGS : EXIT_OK;
}

function outputOptions(command: Command): Command {
  return command
    .addOption(new Option("-o, --output <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--output-file <path>", "write the report to a file instead of stdout")
    .addOption(
      new Option("--fail-on <severity>", "exit 1 when a finding at or above this severity exists")
        .choices([...SEVERITIES, "none"])
        .default("error"),
    )
    .option("--no-color", "never colour the text report")
    .option("-q, --quiet", "show only errors in the text report");
}

function namespaceName(value: string): string {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value) || value.length > 63) {
    throw new InvalidArgumentError("must be a valid namespace name (lowercase DNS label)");
  }
  return value;
}

export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command("chartguard")
    .description("Catch Kubernetes label and selector mistakes in Helm charts and rendered manifests.")
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .showHelpAfterError(false)
    .option("--debug", "print details (Helm's full output, stack traces) on errors");

  outputOptions(
    program
      .command("check")
      .description("check rendered manifests (files, directories, - for stdin)")
      .argument("<paths...>", "manifest files or directories, or - for stdin")
      .option("-n, --namespace <name>", "namespace for objects that set none (as helm -n)", namespaceName, "default"),
  ).action(async (paths: string[], options: OutputOptions & { namespace: string }) => {
    const result = await check({ inputs: paths, namespace: options.namespace });
    setExitCode(emit(result, options));
  });

  outputOptions(
    program
      .command("upgrade")
      .description("predict what `helm upgrade` will do: refused updates, restarts, replacements")
      .requiredOption("--from <source>", "the release as it is: manifests (e.g. helm get manifest output), a directory, or -")
      .requiredOption("--to <source>", "the release as it will be: manifests, a directory, or -")
      .option("-n, --namespace <name>", "namespace for objects that set none (as helm -n)", namespaceName, "default"),
  ).action(async (options: OutputOptions & { from: string; to: string; namespace: string }) => {
    const result = await upgrade({ from: options.from, to: options.to, namespace: options.namespace });
    setExitCode(emit(result, options));
  });

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
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return EXIT_OK;
      if (error.code === "commander.help") return EXIT_OK;
      process.stderr.write(`chartguard: ${error.message.replace(/^error: /, "")}\nusage: chartguard check [options] <paths...> | chartguard upgrade --from SRC --to SRC  (see chartguard --help)\n`);
      return EXIT_USAGE;
    }
    if (error instanceof InputError) {
      process.stderr.write(`chartguard: ${error.oneLine}\n`);
      if (process.argv.includes("--debug") && error.detail) process.stderr.write(`${error.detail}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`chartguard: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
  if (process.argv.includes("--debug") && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return EXIT_USAGE;
});
