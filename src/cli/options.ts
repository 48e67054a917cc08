/**
 * The flags Helm users already know, and their translation into library options. Light to
 * load (no configuration, rules or parsers): cli/prestart.ts reads the command line with
 * these same definitions before the rest of chartguard has loaded.
 */
import { availableParallelism } from "node:os";
import { Command, InvalidArgumentError, Option } from "commander";
import { SEVERITIES, type Severity } from "../analyze/finding.ts";
import type { AnalysisSettings } from "../analyze/context.ts";
import { minorVersion } from "../k8s/versions.ts";
import { parseShard, type Shard } from "../load/shard.ts";
import { MAX_RELEASE_NAME, RELEASE_PATTERN, type ChartOptions } from "../render/request.ts";

export type FailOn = Severity | "none";

/** `-o`: text for people; json, sarif (code scanning), junit (CI test views), github (annotations), markdown (PR comments). */
export const OUTPUT_FORMATS = ["text", "json", "sarif", "junit", "github", "markdown"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface OutputFlags {
  output: OutputFormat;
  outputFile?: string;
  failOn: FailOn;
  color?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

export interface RenderFlags {
  namespace: string;
  values: string[];
  set: string[];
  setString: string[];
  setFile: string[];
  setJson: string[];
  release?: string;
  kubeVersion?: string;
  apiVersions: string[];
  helm?: string;
  helmTimeout: number;
  skipMissingDeps?: boolean;
  jobs: number;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function namespaceName(value: string): string {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value) || value.length > 63) {
    throw new InvalidArgumentError("must be a valid namespace name (lowercase DNS label)");
  }
  return value;
}

function releaseName(value: string): string {
  if (value.length > MAX_RELEASE_NAME || !new RegExp(RELEASE_PATTERN).test(value)) {
    throw new InvalidArgumentError("must be a valid release name: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 53 characters (e.g. my-app)");
  }
  return value;
}

function versionArgument(value: string): string {
  if (!/^v?\d+\.\d+(\.\d+)?$/.test(value)) throw new InvalidArgumentError("must look like 1.30 or v1.30.2");
  return value;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("must be a positive number");
  return n;
}

/** The longest --helm-timeout: a day is beyond any render, and far below what a timer can hold. */
const MAX_HELM_TIMEOUT_SECONDS = 86_400;

function helmTimeout(value: string): number {
  const n = positiveNumber(value);
  if (n > MAX_HELM_TIMEOUT_SECONDS) throw new InvalidArgumentError(`must be at most ${MAX_HELM_TIMEOUT_SECONDS} seconds (one day)`);
  return n;
}

function positiveInteger(value: string): number {
  const n = positiveNumber(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError("must be a whole number");
  return n;
}

export function withOutputFlags(command: Command): Command {
  return command
    .addOption(new Option("-o, --output <format>", "output format").choices(OUTPUT_FORMATS).default("text"))
    .option("--output-file <path>", "write the report to this file (atomically: the file is complete or untouched) instead of stdout")
    .addOption(
      new Option("--fail-on <severity>", "exit 1 when a finding at or above this severity exists")
        .choices([...SEVERITIES, "none"])
        .default("error"),
    )
    .option("--no-color", "never colour the text report")
    .option("-q, --quiet", "show only errors in the text report")
    .option("-v, --verbose", "text report: under each finding its full explanation, its own fix and the commands to migrate a deployed release");
}

export function withRenderFlags(command: Command): Command {
  return command
    .option("-n, --namespace <name>", "namespace for objects that set none (as helm -n)", namespaceName, "default")
    .option("-f, --values <file>", "values file for every chart (repeatable)", collect, [])
    .option("--set <key=value>", "set a value on the command line (repeatable)", collect, [])
    .option("--set-string <key=value>", "set a STRING value (repeatable)", collect, [])
    .option("--set-file <key=path>", "set a value from a file (repeatable)", collect, [])
    .option("--set-json <key=json>", "set a JSON value (repeatable)", collect, [])
    .option("--release <name>", "release name (default: the chart's name, lowercased, with '-' for what a release name cannot hold)", releaseName)
    .option("--kube-version <version>", "Kubernetes version to render for and to apply version-dependent rules of", versionArgument)
    .option("--api-versions <group/version>", "API versions available (repeatable), as helm template --api-versions", collect, [])
    .option("--helm <path>", "helm binary (default: $HELM_BIN, then helm on PATH)")
    .option("--helm-timeout <seconds>", "give up on each helm run (version check and renders) after this long, at most a day", helmTimeout, 60)
    .option("--skip-missing-deps", "render charts without dependencies missing from charts/ (a partial view)")
    .option("--jobs <n>", "charts rendered at once", positiveInteger, availableParallelism());
}

export interface DiscoveryFlags {
  exclude: string[];
  shard?: Shard;
}

function shardArgument(value: string): Shard {
  const shard = parseShard(value);
  if (!shard) throw new InvalidArgumentError("must be i/n with 1 <= i <= n, e.g. 2/4");
  return shard;
}

/** `check` only: which of the charts and files found below the paths to check. */
export function withDiscoveryFlags(command: Command): Command {
  return command
    .option("--exclude <glob>", "leave out files and charts matching this gitignore-style glob (repeatable; .gitignore files are honoured too)", collect, [])
    .option("--shard <i/n>", "check only the i-th of n parts of the charts and files found (deterministic: sorted by path, dealt round-robin), for a CI matrix", shardArgument);
}

export function discoveryOptions(flags: DiscoveryFlags): { exclude: string[]; shard?: Shard } {
  return { exclude: flags.exclude, ...(flags.shard === undefined ? {} : { shard: flags.shard }) };
}

export function chartOptions(flags: RenderFlags): ChartOptions {
  return {
    valuesFiles: flags.values,
    set: flags.set,
    setString: flags.setString,
    setFile: flags.setFile,
    setJson: flags.setJson,
    apiVersions: flags.apiVersions,
    timeoutMs: flags.helmTimeout * 1000,
    skipMissingDeps: flags.skipMissingDeps === true,
    jobs: flags.jobs,
    ...(flags.release === undefined ? {} : { release: flags.release }),
    ...(flags.kubeVersion === undefined ? {} : { kubeVersion: flags.kubeVersion }),
    ...(flags.helm === undefined ? {} : { helm: flags.helm }),
  };
}

/** Version-dependent rules are chosen by minor version: `v1.29.3` → `1.29`. */
export function analysisSettings(flags: RenderFlags & { argoRolloutsVersion?: string }): Partial<AnalysisSettings> {
  return {
    ...(flags.kubeVersion === undefined ? {} : { kubeVersion: minorVersion(flags.kubeVersion) }),
    ...(flags.argoRolloutsVersion === undefined ? {} : { argoRolloutsVersion: minorVersion(flags.argoRolloutsVersion) }),
  };
}

/** `upgrade` only: which Argo Rollouts the cluster runs decides what a changed Rollout selector does. */
export function withArgoRolloutsFlag(command: Command): Command {
  return command.option(
    "--argo-rollouts-version <version>",
    "Argo Rollouts version in the cluster (e.g. 1.8): from 1.9 a changed Rollout selector is refused, before it skips the canary",
    versionArgument,
  );
}

export interface ConfigFlags {
  /** `--config FILE`; `false` with `--no-config`; absent: search from the working directory upwards. */
  config?: string | false;
  showSuppressed?: boolean;
}

export function withConfigFlags(command: Command): Command {
  return withConfigFileFlags(command).option("--show-suppressed", "also list the findings suppressed by annotations, comments or the configuration");
}

/** `--config` / `--no-config` alone, for a command that lists no findings of its own (`fix`). */
export function withConfigFileFlags(command: Command): Command {
  return command
    .option("--config <file>", "configuration file (default: .chartguard.yaml in this folder or the nearest one above)")
    .option("--no-config", "use no configuration file");
}

export type CheckFlags = OutputFlags & RenderFlags & ConfigFlags & DiscoveryFlags & { probe: boolean; sameNamespace?: boolean; changedFiles?: boolean };

/** `check` with its flags, without its action: the CLI (program.ts) and cli/prestart.ts read the command line with this one definition. */
export function withCheckCommand(program: Command): Command {
  return withDiscoveryFlags(withConfigFlags(withOutputFlags(
    withRenderFlags(
      program
        .command("check")
        .description("check charts (directories, .tgz) and rendered manifests (files, directories, - for stdin)")
        .argument("<paths...>", "charts, manifest files, directories holding either, or - for stdin")
        .option("--no-probe", "render each chart once: find volatile labels by name only, not by probe renders")
        .option(
          "--same-namespace",
          "the charts (and manifests) are installed side by side in one namespace: check their objects together, so one chart's selectors meet the others' pods (default: each chart alone, as its own release)",
        )
        .option("--changed-files", "the paths are changed files (as pre-commit passes them): check the charts holding them and the manifests among them"),
    ),
  )));
}
