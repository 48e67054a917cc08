/** `chartguard check` as a library call: load and render the inputs, then run the pure core. */
import { checkDocuments, type CheckResult } from "./analyze/check.ts";
import { DEFAULT_SETTINGS, type AnalysisSettings } from "./analyze/context.ts";
import { mergeProbeEvidence } from "./analyze/probes.ts";
import { chartOptionsWithConfig, settingsWithConfig, suppressResult, type SuppressionFields } from "./config/apply.ts";
import type { ChartguardConfig } from "./config/config.ts";
import { loadManifests } from "./load/inputs.ts";
import { discoverAll, type Shard, type Source } from "./load/sources.ts";
import type { YamlDocument } from "./load/yaml.ts";
import type { ModelNote } from "./model/object.ts";
import type { RenderedChart } from "./render/chart-input.ts";
import { renderCharts, type ChartOptions } from "./render/charts.ts";
import { templateLocator } from "./render/template-lines.ts";

export interface CheckOptions extends ChartOptions {
  /** Charts (directories, .tgz), manifest files, directories holding either, or `-` for stdin. */
  inputs: readonly string[];
  /** Namespace for objects that set none, as `helm -n` applies it. Default `default`. */
  namespace?: string;
  settings?: Partial<AnalysisSettings>;
  /** The configuration to apply (see `loadConfig`); the library reads no config file by itself. */
  config?: ChartguardConfig;
  /** List suppressed findings in `suppressed` (they are always counted in `summary.suppressed`). */
  showSuppressed?: boolean;
  /** `--exclude`: gitignore-style globs of files and charts to leave out (.gitignore files are always honoured). */
  exclude?: readonly string[];
  /** `--shard i/n`: check only this deterministic part of the discovered charts and files. */
  shard?: Shard;
}

/** Findings after the configuration and suppressions are applied. */
export type CheckOutcome = Omit<CheckResult, "summary"> & SuppressionFields;

export async function check(options: CheckOptions): Promise<CheckOutcome> {
  const namespace = options.namespace ?? "default";
  const sources = await discoverAll(options.inputs, {
    ...(options.exclude === undefined ? {} : { exclude: options.exclude }),
    ...(options.shard === undefined ? {} : { shard: options.shard }),
  });
  const docs: YamlDocument[] = await loadManifests(sources);
  const notes: ModelNote[] = sources.length === 0 ? [nothingFound(options)] : [];
  const charts = await renderWithConfig(sources, options, namespace);
  for (const chart of charts) {
    for (const doc of chart.docs) docs.push(doc); // not push(...): 100k documents overflow the stack
    notes.push(...chart.notes.map((message) => ({ file: chart.chartPath, message })));
  }
  const settings = settingsWithConfig(DEFAULT_SETTINGS, options.config, options.settings);
  const probes = mergeProbeEvidence(charts.flatMap((chart) => (chart.probes ? [chart.probes] : [])));
  const templateLines = charts.length > 0 ? templateLocator(charts) : undefined;
  const result = checkDocuments(docs, { namespace, settings, ...(probes ? { probes } : {}), ...(templateLines ? { templateLines } : {}) });
  return suppressResult(
    { ...result, notes: [...notes, ...result.notes] },
    { docs, namespace, showSuppressed: options.showSuppressed === true, ...(options.config ? { config: options.config } : {}) },
  );
}

/** An empty walk is said, not passed off as a clean result: the path may be wrong. */
function nothingFound(options: CheckOptions): ModelNote {
  const filters = [
    ...(options.exclude && options.exclude.length > 0 ? ["--exclude"] : []),
    ".gitignore",
    ...(options.shard ? [`--shard ${options.shard.index}/${options.shard.count}`] : []),
  ];
  return {
    file: options.inputs.join(", "),
    message: `no charts (Chart.yaml, .tgz) or manifest files (.yaml, .yml, .json) found (after ${filters.join(", ")}): nothing was checked`,
  };
}

/** Charts with the same `charts` entry in the config render together; results keep the input order. */
async function renderWithConfig(sources: readonly Source[], options: CheckOptions, namespace: string): Promise<RenderedChart[]> {
  const { config } = options;
  if (!config?.charts && !config?.kubernetesVersion) return renderCharts(sources, { ...options, namespace });
  const groups = new Map<string, { options: ChartOptions; sources: Source[] }>();
  for (const source of sources) {
    if (source.kind !== "chart") continue;
    const chartOptions = chartOptionsWithConfig(options, config, source.path);
    const key = JSON.stringify([chartOptions.valuesFiles, chartOptions.release, chartOptions.kubeVersion]);
    const group = groups.get(key);
    if (group) group.sources.push(source);
    else groups.set(key, { options: chartOptions, sources: [source] });
  }
  const byPath = new Map<string, RenderedChart>();
  for (const group of groups.values()) {
    const rendered = await renderCharts(group.sources, { ...group.options, namespace });
    group.sources.forEach((source, i) => byPath.set(source.path, rendered[i]!));
  }
  return sources.flatMap((source) => (source.kind === "chart" ? [byPath.get(source.path)!] : []));
}
