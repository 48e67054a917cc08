#!/usr/bin/env node
/** The command line: argument parsing, exit codes and output, wiring only. */
import { writeFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { check } from "../check.ts";
import { upgrade } from "../upgrade.ts";
import { InputError } from "../errors.ts";
import { severityRank } from "../analyze/finding.ts";
import { CHECK_RULES, UPGRADE_RULES } from "../analyze/rules/index.ts";
import type { CheckResult } from "../analyze/check.ts";
import type { UpgradeResult } from "../analyze/upgrade/index.ts";
import { formatJson } from "../report/json.ts";
import { formatPlan } from "../report/plan.ts";
import { formatText } from "../report/text.ts";
import { analysisSettings, chartOptions, withOutputFlags, withRenderFlags, type OutputFlags, type RenderFlags } from "./options.ts";

const EXIT_OK = 0;
const EXIT_FINDINGS = 1;
const EXIT_USAGE = 2;
const USAGE = "usage: chartguard check [options] <paths...> | chartguard upgrade --from SRC --to SRC  (see chartguard --help)";

function useColor(flags: OutputFlags): boolean {
  if (flags.color === false || flags.outputFile) return false;
  if (process.env.NO_COLOR) return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== "0") return true;
  return process.stdout.isTTY === true;
}

function emit(result: CheckResult | UpgradeResult, flags: OutputFlags): number {
  const rules = new Map([...CHECK_RULES, ...UPGRADE_RULES].map((rule) => [rule.meta.id, rule.meta]));
  const findings = flags.quiet ? result.findings.filter((f) => f.severity === "error") : result.findings;
  const textOptions = { color: useColor(flags), rules };
  const text =
    flags.output === "json"
      ? formatJson(result)
      : "impact" in result
        ? formatPlan({ ...result, findings }, textOptions)
        : formatText({ ...result, findings }, textOptions);
  if (flags.outputFile) writeFileSync(flags.outputFile, text);
  else process.stdout.write(text);
  if (flags.failOn === "none") return EXIT_OK;
  const threshold = severityRank(flags.failOn);
  return result.findings.some((f) => severityRank(f.severity) <= threshold) ? EXIT_FINDINGS : EXIT_OK;
}

interface UpgradeFlags extends OutputFlags, RenderFlags {
  from: string;
  to: string;
  fromValues: string[];
  toValues: string[];
  fromSet: string[];
  toSet: string[];
  fromSetString: string[];
  toSetString: string[];
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command("chartguard")
    .description("Catch Kubernetes label and selector mistakes in Helm charts and rendered manifests.")
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .showHelpAfterError(false)
    .option("--debug", "print details (Helm's full output, stack traces) on errors");

  withOutputFlags(
    withRenderFlags(
      program
        .command("check")
        .description("check charts (directories, .tgz) and rendered manifests (files, directories, - for stdin)")
        .argument("<paths...>", "charts, manifest files, directories holding either, or - for stdin"),
    ),
  ).action(async (paths: string[], flags: OutputFlags & RenderFlags) => {
    const result = await check({ inputs: paths, namespace: flags.namespace, ...chartOptions(flags), settings: analysisSettings(flags) });
    setExitCode(emit(result, flags));
  });

  withOutputFlags(
    withRenderFlags(
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
        .option("--to-set-string <key=value>", "--set-string for the --to side only (repeatable)", collect, []),
    ),
  ).action(async (flags: UpgradeFlags) => {
    const result = await upgrade({
      from: flags.from,
      to: flags.to,
      namespace: flags.namespace,
      fromValues: { valuesFiles: flags.fromValues, set: flags.fromSet, setString: flags.fromSetString },
      toValues: { valuesFiles: flags.toValues, set: flags.toSet, setString: flags.toSetString },
      ...chartOptions(flags),
      settings: analysisSettings(flags),
    });
    setExitCode(emit(result, flags));
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
      if (error.code === "commander.helpDisplayed" || error.code === "commander.help" || error.code === "commander.version") return EXIT_OK;
      process.stderr.write(`chartguard: ${error.message.replace(/^error: /, "")}\n${USAGE}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof InputError) {
      process.stderr.write(`chartguard: ${error.oneLine}\n`);
      if (argv.includes("--debug") && error.detail) process.stderr.write(`${error.detail}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`chartguard: internal error (a bug in chartguard; --debug shows where): ${error instanceof Error ? error.message : String(error)}\n`);
  if (process.argv.includes("--debug") && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return EXIT_USAGE;
});
