/** The flags Helm users already know, and their translation into library options. */
import { availableParallelism } from "node:os";
import { Command, InvalidArgumentError, Option } from "commander";
import { SEVERITIES, type Severity } from "../analyze/finding.ts";
import type { AnalysisSettings } from "../analyze/context.ts";
import type { ChartOptions } from "../render/charts.ts";

export type FailOn = Severity | "none";

export interface OutputFlags {
  output: "text" | "json";
  outputFile?: string;
  failOn: FailOn;
  color?: boolean;
  quiet?: boolean;
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

function kubeVersion(value: string): string {
  if (!/^v?\d+\.\d+(\.\d+)?$/.test(value)) throw new InvalidArgumentError("must look like 1.30 or v1.30.2");
  return value;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("must be a positive number");
  return n;
}

function positiveInteger(value: string): number {
  const n = positiveNumber(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError("must be a whole number");
  return n;
}

export function withOutputFlags(command: Command): Command {
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

export function withRenderFlags(command: Command): Command {
  return command
    .option("-n, --namespace <name>", "namespace for objects that set none (as helm -n)", namespaceName, "default")
    .option("-f, --values <file>", "values file for every chart (repeatable)", collect, [])
    .option("--set <key=value>", "set a value on the command line (repeatable)", collect, [])
    .option("--set-string <key=value>", "set a STRING value (repeatable)", collect, [])
    .option("--set-file <key=path>", "set a value from a file (repeatable)", collect, [])
    .option("--set-json <key=json>", "set a JSON value (repeatable)", collect, [])
    .option("--release <name>", "release name (default: the chart's name)")
    .option("--kube-version <version>", "Kubernetes version to render for and to apply version-dependent rules of", kubeVersion)
    .option("--api-versions <group/version>", "API versions available (repeatable), as helm template --api-versions", collect, [])
    .option("--helm <path>", "helm binary (default: $HELM_BIN, then helm on PATH)")
    .option("--helm-timeout <seconds>", "give up on a helm run after this long", positiveNumber, 60)
    .option("--skip-missing-deps", "render charts without dependencies missing from charts/ (a partial view)")
    .option("--jobs <n>", "charts rendered at once", positiveInteger, availableParallelism());
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

/** `v1.29.3` → `1.29`: the analysis rules are chosen by minor version. */
export function analysisSettings(flags: RenderFlags): Partial<AnalysisSettings> {
  if (flags.kubeVersion === undefined) return {};
  const [major, minor] = flags.kubeVersion.replace(/^v/, "").split(".");
  return { kubeVersion: `${major}.${minor}` };
}
