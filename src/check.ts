/** `chartguard check` as a library call: load and render the inputs, then run the pure core. */
import { checkDocuments, type CheckResult } from "./analyze/check.ts";
import { DEFAULT_SETTINGS, type AnalysisSettings } from "./analyze/context.ts";
import { loadManifests } from "./load/inputs.ts";
import { discoverAll } from "./load/sources.ts";
import type { YamlDocument } from "./load/yaml.ts";
import type { ModelNote } from "./model/object.ts";
import { renderCharts, type ChartOptions } from "./render/charts.ts";

export interface CheckOptions extends ChartOptions {
  /** Charts (directories, .tgz), manifest files, directories holding either, or `-` for stdin. */
  inputs: readonly string[];
  /** Namespace for objects that set none, as `helm -n` applies it. Default `default`. */
  namespace?: string;
  settings?: Partial<AnalysisSettings>;
}

export async function check(options: CheckOptions): Promise<CheckResult> {
  const namespace = options.namespace ?? "default";
  const sources = await discoverAll(options.inputs);
  const docs: YamlDocument[] = await loadManifests(sources);
  const notes: ModelNote[] = [];
  const charts = await renderCharts(sources, { ...options, namespace });
  for (const chart of charts) {
    docs.push(...chart.docs);
    notes.push(...chart.notes.map((message) => ({ file: chart.chartPath, message })));
  }
  const result = checkDocuments(docs, { namespace, settings: { ...DEFAULT_SETTINGS, ...options.settings } });
  return { ...result, notes: [...notes, ...result.notes] };
}
