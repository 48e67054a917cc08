/**
 * The configuration and suppressions applied to a run (the I/O side of analyze/suppress.ts):
 * analysis settings and render defaults from the config, and the chart template files
 * that `# chartguard-ignore:` comments may sit in.
 */
import { readFile } from "node:fs/promises";
import type { AnalysisSettings } from "../analyze/context.ts";
import type { Finding, Summary } from "../analyze/finding.ts";
import { withSuppressions, type SuppressedFinding, type SuppressedSummary } from "../analyze/suppress.ts";
import type { YamlDocument } from "../load/yaml.ts";
import type { ModelNote } from "../model/object.ts";
import type { ChartOptions } from "../render/request.ts";
import { minorVersion } from "../k8s/versions.ts";
import { chartSettingsFor, chartValuesFiles, type ChartguardConfig } from "./config.ts";

/** What a result carries once suppressions are applied. */
export interface SuppressionFields {
  summary: SuppressedSummary;
  /** Only with `showSuppressed` (`--show-suppressed`): what was suppressed, and by what. */
  suppressed?: SuppressedFinding[];
}

/** Analysis settings: the defaults, then the config, then what the caller set explicitly. */
export function settingsWithConfig(
  defaults: AnalysisSettings,
  config: ChartguardConfig | undefined,
  explicit: Partial<AnalysisSettings> | undefined,
): AnalysisSettings {
  const fromConfig: Partial<AnalysisSettings> = {};
  if (config?.kubernetesVersion !== undefined) fromConfig.kubeVersion = minorVersion(config.kubernetesVersion);
  if (config?.argoRolloutsVersion !== undefined) fromConfig.argoRolloutsVersion = minorVersion(config.argoRolloutsVersion);
  const volatile = new Set([...defaults.extraVolatileKeys, ...(config?.volatileLabelKeys ?? []), ...(explicit?.extraVolatileKeys ?? [])]);
  return { ...defaults, ...fromConfig, ...explicit, extraVolatileKeys: volatile };
}

/**
 * Render options for one chart: the config's `charts` entry supplies values files (before
 * the caller's `-f`) and the release (unless given), `kubernetesVersion` the render version.
 */
export function chartOptionsWithConfig<T extends ChartOptions>(options: T, config: ChartguardConfig | undefined, chartPath: string | undefined): T {
  if (!config) return options;
  const settings = chartPath === undefined ? undefined : chartSettingsFor(config, chartPath);
  const kubeVersion = options.kubeVersion ?? config.kubernetesVersion;
  const release = options.release ?? settings?.release;
  return {
    ...options,
    valuesFiles: [...(settings ? chartValuesFiles(config, settings) : []), ...(options.valuesFiles ?? [])],
    ...(kubeVersion === undefined ? {} : { kubeVersion }),
    ...(release === undefined ? {} : { release }),
  };
}

export interface SuppressOptions {
  config?: ChartguardConfig;
  docs: readonly YamlDocument[];
  previousDocs?: readonly YamlDocument[];
  namespace: string;
  showSuppressed?: boolean;
}

/** Applies the config and the suppressions written in manifests and templates to a result. */
export async function suppressResult<R extends { findings: Finding[]; summary: Summary; notes: ModelNote[] }>(
  result: R,
  options: SuppressOptions,
): Promise<Omit<R, "summary"> & SuppressionFields> {
  return withSuppressions(
    result,
    {
      docs: options.docs,
      namespace: options.namespace,
      templates: await readTemplates(result.findings),
      ...(options.config === undefined ? {} : { config: options.config }),
      ...(options.previousDocs === undefined ? {} : { previousDocs: options.previousDocs }),
    },
    { showSuppressed: options.showSuppressed === true },
  );
}

/** The chart templates findings point into at a known line: where an ignore comment may be. */
async function readTemplates(findings: readonly Finding[]): Promise<Map<string, string>> {
  const files = [...new Set(findings.flatMap((f) => (f.location.template !== undefined && f.location.templateLine !== undefined ? [f.location.template] : [])))];
  const texts = new Map<string, string>();
  await Promise.all(
    files.map(async (file) => {
      try {
        texts.set(file, await readFile(file, "utf8"));
      } catch {
        // Not on disk (a chart at a git revision, a packaged chart): only rendered comments count.
      }
    }),
  );
  return texts;
}
