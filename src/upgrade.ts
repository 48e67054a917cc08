/** `chartguard upgrade` as a library call: load or render both sides, then run the pure core. */
import { DEFAULT_SETTINGS, type AnalysisSettings } from "./analyze/context.ts";
import { applySuppressions } from "./analyze/suppress.ts";
import { upgradeDocuments, type UpgradeResult } from "./analyze/upgrade/index.ts";
import { chartOptionsWithConfig, settingsWithConfig, suppressResult, type SuppressionFields } from "./config/apply.ts";
import type { ChartguardConfig } from "./config/config.ts";
import path from "node:path";
import { UsageError } from "./errors.ts";
import { isChartDir } from "./load/chart.ts";
import { loadManifests } from "./load/inputs.ts";
import { STDIN } from "./load/manifests.ts";
import { discoverSources } from "./load/sources.ts";
import type { YamlDocument } from "./load/yaml.ts";
import type { ModelNote } from "./model/object.ts";
import { renderChart, withWorkDir, type ChartRenderSettings, type RenderedChart } from "./render/chart-input.ts";
import { DEFAULT_HELM_TIMEOUT_MS, renderInputs, type ChartOptions } from "./render/request.ts";
import { chartAtRevision, GIT_PREFIX } from "./render/git.ts";
import { locateHelm, type Helm } from "./render/helm.ts";
import { templateLocator } from "./template-locator.ts";

/** Values for one side only (`--from-values`, `--to-set`, ...), added after the shared ones. */
export interface SideValues {
  valuesFiles?: string[];
  set?: string[];
  setString?: string[];
}

export interface UpgradeOptions extends ChartOptions {
  /** The release as it is: a chart, a .tgz, `git:REF`, or manifests (e.g. `helm get manifest`), or `-`. */
  from: string;
  /** The release as it will be: the same kinds of source. */
  to: string;
  fromValues?: SideValues;
  toValues?: SideValues;
  namespace?: string;
  settings?: Partial<AnalysisSettings>;
  /** The configuration to apply (see `loadConfig`); its `charts` entry for the chart being upgraded supplies render defaults. */
  config?: ChartguardConfig;
  /** List suppressed findings in `suppressed` (they are always counted in `summary.suppressed`). */
  showSuppressed?: boolean;
}

/** The upgrade plan after the configuration and suppressions are applied. */
export type UpgradeOutcome = Omit<UpgradeResult, "summary"> & SuppressionFields;

export async function upgrade(upgradeOptions: UpgradeOptions): Promise<UpgradeOutcome> {
  const options = chartOptionsWithConfig(upgradeOptions, upgradeOptions.config, chartOfUpgrade(upgradeOptions));
  if (options.from === STDIN && options.to === STDIN) throw new UsageError("--from and --to cannot both read stdin");
  if (options.from.startsWith(GIT_PREFIX) && options.to.startsWith(GIT_PREFIX)) {
    throw new UsageError("only one of --from and --to can be git:REF; the other names the chart directory");
  }
  const namespace = options.namespace ?? "default";
  return withWorkDir(async (workDir) => {
    let helm: Helm | undefined;
    const notes: ModelNote[] = [];
    const charts: RenderedChart[] = [];
    // The release as it will be is the next revision of the release as it is.
    const side = async (spec: string, other: string, values: SideValues | undefined, revision: number): Promise<YamlDocument[]> => {
      let chartPath: string;
      let shownAs: string | undefined;
      if (spec.startsWith(GIT_PREFIX)) {
        if (!isChartDir(other)) throw new UsageError(`${spec} reads the chart at another revision: the other side must be the chart directory, not ${other}`);
        shownAs = `${spec}:${path.normalize(other)}`;
        chartPath = await chartAtRevision(other, spec.slice(GIT_PREFIX.length), workDir);
      } else {
        const sources = await discoverSources(spec);
        const chart = sources.find((s) => s.kind === "chart");
        if (!chart) return loadManifests(sources);
        if (sources.length > 1) throw new UsageError(`${spec} holds more than one chart or manifest; name one chart for an upgrade`);
        chartPath = chart.path;
      }
      const timeoutMs = options.timeoutMs ?? DEFAULT_HELM_TIMEOUT_MS;
      helm ??= await locateHelm(options.helm, process.env, timeoutMs);
      // The release keeps the name it was installed with (--release, else the --from chart's name): a renamed chart is still upgraded in place.
      const release = charts[0]?.request.release;
      const settings: ChartRenderSettings = {
        helm,
        inputs: { ...withSideValues(renderInputs(options, namespace), values), ...(release === undefined ? {} : { release }) },
        timeoutMs,
        skipMissingDeps: options.skipMissingDeps ?? false,
        revision,
      };
      const rendered = await renderChart(chartPath, settings, workDir, shownAs);
      charts.push(rendered);
      notes.push(...rendered.notes.map((message) => ({ file: rendered.chartPath, message })));
      return rendered.docs;
    };
    const fromDocs = await side(options.from, options.to, options.fromValues, 1);
    const toDocs = await side(options.to, options.from, options.toValues, 2);
    const settings = settingsWithConfig(DEFAULT_SETTINGS, options.config, options.settings);
    const templateLines = charts.length > 0 ? { templateLines: templateLocator(charts) } : {};
    const result = upgradeDocuments(fromDocs, toDocs, { namespace, settings, ...templateLines });
    const config = options.config ? { config: options.config } : {};
    const outcome = await suppressResult(
      { ...result, notes: [...notes, ...result.notes] },
      { docs: toDocs, previousDocs: fromDocs, namespace, showSuppressed: options.showSuppressed === true, ...config },
    );
    // What is gone is listed as the release as it is reported it: with its own suppressions and the config applied.
    return { ...outcome, absent: applySuppressions(result.absent, { docs: fromDocs, namespace, ...config }).findings };
  });
}

/** The chart whose `charts` entry in the config applies: the --to chart, else the --from one. */
function chartOfUpgrade(options: UpgradeOptions): string | undefined {
  const isChart = (spec: string) => !spec.startsWith(GIT_PREFIX) && spec !== STDIN && (/\.tgz$/i.test(spec) || isChartDir(spec));
  return [options.to, options.from].find(isChart);
}

function withSideValues<T extends SideValues>(inputs: T & Required<SideValues>, values: SideValues | undefined): T {
  return {
    ...inputs,
    valuesFiles: [...inputs.valuesFiles, ...(values?.valuesFiles ?? [])],
    set: [...inputs.set, ...(values?.set ?? [])],
    setString: [...inputs.setString, ...(values?.setString ?? [])],
  };
}
