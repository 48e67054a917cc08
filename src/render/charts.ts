/** Rendering every chart among the sources, in parallel, with one helm and one temporary folder. */
import { availableParallelism } from "node:os";
import { InputError } from "../errors.ts";
import type { Source } from "../load/sources.ts";
import { renderChart, withWorkDir, type ChartRenderSettings, type RenderedChart } from "./chart-input.ts";
import { findHelm } from "./helm.ts";
import { checkValueFiles } from "./preflight.ts";
import { DEFAULT_HELM_TIMEOUT_MS, renderInputs, type ChartOptions } from "./request.ts";

/** A chart that could not be rendered (helm failed, or chartguard refused it), and why. */
export interface ChartFailure {
  chartPath: string;
  error: InputError;
}

/** What rendering the charts gave: the charts rendered, and those that failed, each in input order. */
export interface ChartRenders<Chart extends RenderedChart = RenderedChart> {
  rendered: Chart[];
  failed: ChartFailure[];
}

/** How the caller takes part in rendering, without render/ knowing what the caller is. */
export interface ChartRenderHooks<Chart extends RenderedChart> {
  /**
   * Renders one chart in place of a plain render (the probing render of `check`). Given, it
   * also reports Helm's version (`helmVersion`), so no `helm version` run is started alongside.
   */
  renderOne?: (chartPath: string, settings: ChartRenderSettings, workDir: string, jobs: number) => Promise<Chart>;
  /** Called once per chart when it is done, rendered or failed (a progress line). */
  onChartDone?: (chartPath: string) => void;
  /** Called with each chart's templates as soon as they are read (ChartRenderSettings.onTemplatesRead). */
  onTemplatesRead?: (templates: ReadonlyMap<string, string>) => void;
}

/**
 * Renders every chart among `sources`. A chart that fails does not stop the others: its
 * error is returned with it. What fails every chart alike stops the run: no helm, a
 * Helm too old, a values file (`-f`, `--set-file`) that does not exist.
 */
export async function renderCharts<Chart extends RenderedChart = RenderedChart>(
  sources: readonly Source[],
  options: ChartOptions & { namespace: string },
  hooks: ChartRenderHooks<Chart> = {},
): Promise<ChartRenders<Chart>> {
  const charts = sources.filter((s) => s.kind === "chart").map((s) => s.path);
  if (charts.length === 0) return { rendered: [], failed: [] };
  const timeoutMs = options.timeoutMs ?? DEFAULT_HELM_TIMEOUT_MS;
  const { renderOne, onChartDone } = hooks;
  const helm = await findHelm(options.helm, process.env, timeoutMs);
  const settings = {
    helm: { path: helm.path, version: "", major: 0 },
    inputs: renderInputs(options, options.namespace),
    timeoutMs,
    skipMissingDeps: options.skipMissingDeps ?? false,
    // Its one user, `check`, derives chart facts from every template.
    templates: "all" as const,
    // Probe renders are compared with the base render, bodies included; a plain render with nothing.
    skipUnreadBodies: renderOne === undefined,
    ...(hooks.onTemplatesRead === undefined ? {} : { onTemplatesRead: hooks.onTemplatesRead }),
  };
  await checkValueFiles(settings.inputs);
  const jobs = options.jobs ?? availableParallelism();
  // Probe renders report Helm's version (see findHelm), sparing a `helm version` run: a whole
  // helm start, competing with the renders for the cores. Without probes the version a run
  // before remembered is read (helm-version-cache.ts), else `helm version` runs alongside.
  const checkedAlongside = renderOne ? undefined : helm.check();
  return withWorkDir(async (workDir) => {
    const render = async (chartPath: string): Promise<Chart | ChartFailure> => {
      try {
        // Without renderOne, Chart is RenderedChart (the default type argument).
        return await (renderOne ? renderOne(chartPath, settings, workDir, jobs) : (renderChart(chartPath, settings, workDir) as Promise<Chart>));
      } catch (error) {
        if (error instanceof InputError) return { chartPath, error };
        throw error;
      } finally {
        onChartDone?.(chartPath);
      }
    };
    const outcomes = await mapLimit(charts, jobs, render);
    const rendered = outcomes.filter((o): o is Chart => !("error" in o));
    // The version check's error comes first: a Helm too old (or one that cannot run) may be
    // why a render failed, and it fails every chart alike.
    await (checkedAlongside ?? helm.check(rendered.find((chart) => chart.helmVersion !== undefined)?.helmVersion));
    return { rendered, failed: outcomes.filter((o): o is ChartFailure => "error" in o) };
  });
}

/** `fn` over `items` with at most `limit` running at once; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
