/**
 * `chartguard check` as a library call: load and render the inputs, then run the pure core.
 *
 * Each chart is its own release, as `helm install` makes it: its objects are analysed on
 * their own, so the selectors of one chart never meet the pods of another. The rendered
 * manifest files are analysed together (a cluster dump split into files is one
 * installation). `sameNamespace` (`--same-namespace`) puts everything into one analysis,
 * for charts installed side by side where their selectors do meet.
 */
import { checkDocuments, type CheckResult } from "./analyze/check.ts";
import { DEFAULT_SETTINGS, type AnalysisSettings, type TemplateLocator } from "./analyze/context.ts";
import { sortFindings } from "./analyze/run.ts";
import type { SuppressedFinding } from "./analyze/suppress.ts";
import { chartOptionsWithConfig, settingsWithConfig, suppressResult, type SuppressionFields } from "./config/apply.ts";
import type { ChartguardConfig } from "./config/config.ts";
import { InputErrors, inputFailure, type InputFailure } from "./errors.ts";
import { loadManifests } from "./load/inputs.ts";
import type { Shard } from "./load/shard.ts";
import { discoverAll, type Source } from "./load/sources.ts";
import type { YamlDocument } from "./load/yaml.ts";
import type { ModelNote } from "./model/object.ts";
import { chartFacts } from "./chart-facts.ts";
import { probeEvidenceOf, renderChartsForCheck, type ProbedChart } from "./check-render.ts";
import type { ChartRenders } from "./render/charts.ts";
import type { ChartOptions } from "./render/request.ts";
import { templateLocator } from "./template-locator.ts";

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
  /**
   * `--same-namespace`: the charts (and manifests) are installed side by side in one
   * namespace, so check all their objects together. Default: each chart alone.
   */
  sameNamespace?: boolean;
}

/**
 * Findings after the configuration and suppressions are applied. `failed`: the charts that
 * could not be rendered and were not checked (present only when there are some): the
 * result is then incomplete.
 */
export type CheckOutcome = Omit<CheckResult, "summary"> & SuppressionFields & { failed?: InputFailure[] };

/** One analysis: the objects that can meet, and what is known about them. */
interface Installation {
  docs: YamlDocument[];
  charts: ProbedChart[];
}

export async function check(options: CheckOptions): Promise<CheckOutcome> {
  const namespace = options.namespace ?? "default";
  const sources = await discoverAll(options.inputs, {
    ...(options.exclude === undefined ? {} : { exclude: options.exclude }),
    ...(options.shard === undefined ? {} : { shard: options.shard }),
  });
  const manifests: YamlDocument[] = await loadManifests(sources);
  const { rendered, failed } = await renderWithConfig(sources, options, namespace);
  const failures = failed.map((f) => inputFailure(f.chartPath, f.error));
  if (failed.length > 0 && rendered.length === 0 && !sources.some((s) => s.kind === "manifest")) {
    // Nothing else to report: the error itself, as for any input that cannot be read.
    throw failed.length === 1 ? failed[0]!.error : new InputErrors(failures);
  }
  const settings = settingsWithConfig(DEFAULT_SETTINGS, options.config, options.settings);
  const templateLines = rendered.length > 0 ? templateLocator(rendered) : undefined;
  const outcomes: CheckOutcome[] = [];
  for (const installation of installations(sources, manifests, rendered, options.sameNamespace === true)) {
    outcomes.push(await checkInstallation(installation, { ...options, namespace, settings, templateLines }));
  }
  const notes: ModelNote[] = sources.length === 0 ? [nothingFound(options)] : [];
  return { ...mergeOutcomes(notes, outcomes), ...(failures.length > 0 ? { failed: failures } : {}) };
}

/** The manifest files as one installation, then each chart as its own; or all as one. */
function installations(sources: readonly Source[], manifests: YamlDocument[], charts: readonly ProbedChart[], together: boolean): Installation[] {
  const hasManifests = sources.some((s) => s.kind === "manifest");
  if (together) {
    const docs = [...manifests];
    for (const chart of charts) for (const doc of chart.docs) docs.push(doc); // not push(...): 100k documents overflow the stack
    return hasManifests || charts.length > 0 ? [{ docs, charts: [...charts] }] : [];
  }
  return [...(hasManifests ? [{ docs: manifests, charts: [] }] : []), ...charts.map((chart) => ({ docs: chart.docs, charts: [chart] }))];
}

async function checkInstallation(
  installation: Installation,
  options: CheckOptions & { namespace: string; settings: AnalysisSettings; templateLines: TemplateLocator | undefined },
): Promise<CheckOutcome> {
  const { docs, charts } = installation;
  const { namespace, settings, templateLines } = options;
  const probes = probeEvidenceOf(charts);
  const facts = charts.length > 0 ? chartFacts(charts) : undefined;
  const result = checkDocuments(docs, { namespace, settings, ...(probes ? { probes } : {}), ...(templateLines ? { templateLines } : {}), ...(facts ? { chartFacts: facts } : {}) });
  const notes = charts.flatMap((chart) => chart.notes.map((message) => ({ file: chart.chartPath, message })));
  return suppressResult(
    { ...result, notes: [...notes, ...result.notes] },
    { docs, namespace, showSuppressed: options.showSuppressed === true, ...(options.config ? { config: options.config } : {}) },
  );
}

/** The installations' results as one report: findings sorted as one run sorts them, counts added up. */
function mergeOutcomes(notes: ModelNote[], outcomes: readonly CheckOutcome[]): CheckOutcome {
  const merged: CheckOutcome = { findings: [], summary: { error: 0, warning: 0, info: 0, suppressed: 0 }, notes, checked: [] };
  const suppressed: SuppressedFinding[] | undefined = outcomes.some((o) => o.suppressed !== undefined) ? [] : undefined;
  for (const outcome of outcomes) {
    // Not push(...): a cluster dump can hold more findings than the stack has room for arguments.
    for (const finding of outcome.findings) merged.findings.push(finding);
    for (const ref of outcome.checked) merged.checked.push(ref);
    merged.notes.push(...outcome.notes);
    for (const key of ["error", "warning", "info", "suppressed"] as const) merged.summary[key] += outcome.summary[key];
    if (suppressed && outcome.suppressed) suppressed.push(...outcome.suppressed);
  }
  sortFindings(merged.findings);
  return suppressed ? { ...merged, suppressed } : merged;
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
async function renderWithConfig(sources: readonly Source[], options: CheckOptions, namespace: string): Promise<ChartRenders<ProbedChart>> {
  const { config } = options;
  if (!config?.charts && !config?.kubernetesVersion) return renderChartsForCheck(sources, { ...options, namespace });
  const groups = new Map<string, { options: ChartOptions; sources: Source[] }>();
  for (const source of sources) {
    if (source.kind !== "chart") continue;
    const chartOptions = chartOptionsWithConfig(options, config, source.path);
    const key = JSON.stringify([chartOptions.valuesFiles, chartOptions.release, chartOptions.kubeVersion]);
    const group = groups.get(key);
    if (group) group.sources.push(source);
    else groups.set(key, { options: chartOptions, sources: [source] });
  }
  const all: ChartRenders<ProbedChart> = { rendered: [], failed: [] };
  for (const group of groups.values()) {
    const { rendered, failed } = await renderChartsForCheck(group.sources, { ...group.options, namespace });
    all.rendered.push(...rendered);
    all.failed.push(...failed);
  }
  const order = new Map(sources.map((source, i) => [source.path, i]));
  const byInput = (a: { chartPath: string }, b: { chartPath: string }) => order.get(a.chartPath)! - order.get(b.chartPath)!;
  return { rendered: all.rendered.sort(byInput), failed: all.failed.sort(byInput) };
}
