/** Rendering every chart among the sources, in parallel, with one helm and one temporary folder. */
import { availableParallelism } from "node:os";
import type { Source } from "../load/sources.ts";
import { renderChart, withWorkDir, type RenderedChart, type RenderInputs } from "./chart-input.ts";
import { findHelm } from "./helm.ts";
import { renderWithProbes } from "./probes.ts";
import { createProgress } from "../report/progress.ts";

export interface ChartOptions {
  /** `--helm PATH`; else $HELM_BIN, else helm on PATH. */
  helm?: string;
  valuesFiles?: string[];
  set?: string[];
  setString?: string[];
  setFile?: string[];
  setJson?: string[];
  release?: string;
  kubeVersion?: string;
  apiVersions?: string[];
  /** `--helm-timeout`, per helm run. Default 60 s. */
  timeoutMs?: number;
  skipMissingDeps?: boolean;
  /** Charts rendered at once. Default: the number of cores. */
  jobs?: number;
  /**
   * Probe renders (`check`): render each chart again with the same inputs and with
   * controlled perturbations, to prove what changes with what. Default true; `--no-probe`.
   */
  probe?: boolean;
}

export const DEFAULT_HELM_TIMEOUT_MS = 60_000;

export function renderInputs(options: ChartOptions, namespace: string): RenderInputs {
  return {
    namespace,
    valuesFiles: options.valuesFiles ?? [],
    set: options.set ?? [],
    setString: options.setString ?? [],
    setFile: options.setFile ?? [],
    setJson: options.setJson ?? [],
    apiVersions: options.apiVersions ?? [],
    ...(options.release === undefined ? {} : { release: options.release }),
    ...(options.kubeVersion === undefined ? {} : { kubeVersion: options.kubeVersion }),
  };
}

export async function renderCharts(sources: readonly Source[], options: ChartOptions & { namespace: string }): Promise<RenderedChart[]> {
  const charts = sources.filter((s) => s.kind === "chart").map((s) => s.path);
  if (charts.length === 0) return [];
  const timeoutMs = options.timeoutMs ?? DEFAULT_HELM_TIMEOUT_MS;
  const helm = await findHelm(options.helm, process.env, timeoutMs);
  const settings = {
    helm: { path: helm.path, version: "", major: 0 },
    inputs: renderInputs(options, options.namespace),
    timeoutMs,
    skipMissingDeps: options.skipMissingDeps ?? false,
  };
  const jobs = options.jobs ?? availableParallelism();
  const probe = options.probe ?? true;
  // Probe renders report Helm's version (see findHelm), sparing a `helm version` run: a whole
  // helm start, competing with the renders for the cores. A single render leaves a core
  // free, so without probes `helm version` runs alongside it.
  const checkedAlongside = probe ? undefined : helm.check();
  const progress = createProgress(charts.length, probe ? "rendering charts with probes" : "rendering charts");
  return withWorkDir(async (workDir) => {
    const render = async (chart: string) => {
      const result = await (probe ? renderWithProbes(chart, settings, workDir, jobs) : renderChart(chart, settings, workDir));
      progress.tick(chart);
      return result;
    };
    let rendered: RenderedChart[];
    try {
      rendered = await mapLimit(charts, jobs, render);
    } catch (error) {
      // The version check's error comes first: a Helm too old may be why the render failed.
      await (checkedAlongside ?? helm.check());
      throw error;
    }
    await (checkedAlongside ?? helm.check(rendered.find((chart) => chart.helmVersion !== undefined)?.helmVersion));
    return rendered;
  }).finally(() => progress.done());
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
