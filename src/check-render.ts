/**
 * Rendering for `check`: every chart, probed unless `--no-probe`, with a progress line.
 *
 * Probing alternates rendering and analysis: the base, repeat and combined renders
 * (render/probes.ts) are compared (analyze/probes.ts), and only when the combined render
 * failed or changed an identity field without a marker are the perturbations rendered one
 * by one and compared again. That loop lives here, in the orchestration layer, so that
 * render/ only renders and analyze/ only analyses.
 */
import { templateTextFacts } from "./chart-facts.ts";
import { mergeProbeEvidence, analyzeProbes, withUpgradeRefusal, withUpgradeRenders, type ProbeEvidence } from "./analyze/probes.ts";
import type { Source } from "./load/sources.ts";
import { renderChart, type ChartRenderSettings, type RenderedChart } from "./render/chart-input.ts";
import { renderCharts, type ChartRenders } from "./render/charts.ts";
import type { ChartOptions } from "./render/request.ts";
import { reason, renderSingles, renderUpgrades, startProbes } from "./render/probes.ts";
import { createProgress } from "./report/progress.ts";

/** A rendered chart with what its probe renders proved; `probes` is absent when it was not probed. */
export type ProbedChart = RenderedChart & { probes?: ProbeEvidence };

/** Renders every chart among `sources` as `check` needs them (see renderCharts for failures). */
export function renderChartsForCheck(sources: readonly Source[], options: ChartOptions & { namespace: string }): Promise<ChartRenders<ProbedChart>> {
  const probe = options.probe ?? true;
  const total = sources.filter((source) => source.kind === "chart").length;
  if (total === 0) return renderCharts(sources, options);
  const progress = createProgress(total, probe ? "rendering charts with probes" : "rendering charts");
  const onChartDone = (chartPath: string) => progress.tick(chartPath);
  // The texts' facts are worked out while helm renders; chartFacts finds them done.
  const onTemplatesRead = (templates: ReadonlyMap<string, string>) => void templateTextFacts(templates);
  const hooks = { onChartDone, onTemplatesRead };
  const rendered = probe ? renderCharts(sources, options, { renderOne: renderWithProbes, ...hooks }) : renderCharts(sources, options, hooks);
  return rendered.finally(() => progress.done());
}

/** The probe evidence of the charts of one installation, merged (undefined when none was probed). */
export function probeEvidenceOf(charts: readonly ProbedChart[]): ProbeEvidence | undefined {
  return mergeProbeEvidence(charts.flatMap((chart) => (chart.probes ? [chart.probes] : [])));
}

/** The base render, with the probes' evidence (and notes) added when probing worked at all. */
export async function renderWithProbes(chartPath: string, settings: ChartRenderSettings, workDir: string, jobs: number): Promise<ProbedChart> {
  const rendered = renderChart(chartPath, settings, workDir);
  const baseDocs = rendered.then((chart) => chart.docs);
  baseDocs.catch(() => undefined); // the base render's failure is reported below, from `rendered`
  const [base, early] = await Promise.allSettled([rendered, startProbes(chartPath, settings, workDir, jobs, baseDocs)]);
  if (base.status === "rejected") throw base.reason;
  const chart = base.value;
  if (early.status === "rejected") {
    return { ...chart, notes: [...chart.notes, `probes skipped: ${reason(early.reason)}; volatile labels are recognised by name only`] };
  }
  const probe = early.value;
  const notes = [...probe.notes];
  const repeat = probe.repeat;
  const renders = {
    base: chart.docs,
    namespace: chart.request.namespace || "default",
    ...(repeat === undefined ? {} : { repeat }),
    ...(probe.deterministic ? { deterministic: true } : {}),
    ...(probe.combined === undefined ? {} : { combined: probe.combined }),
  };
  let analysis = analyzeProbes(renders);
  if (probe.combined === undefined || analysis.unmarked > 0) {
    // Already under way when the combined render failed.
    const { singles, notes: singleNotes } = await (probe.singles ?? renderSingles(probe.plan, settings, workDir, jobs));
    notes.push(...singleNotes);
    analysis = analyzeProbes({ ...renders, singles });
  }
  let evidence = analysis.evidence;
  // Generated values: render the upgrade twice with lookup answered from the install, to tell what helm upgrade keeps.
  if ([...evidence.changes.values()].some((list) => list.some((change) => change.causes[0] === "random"))) {
    const upgrades = await renderUpgrades(probe.plan, chart.docs, renders.namespace, settings, workDir, notes);
    if (upgrades?.renders !== undefined) evidence = withUpgradeRenders(evidence, chart.docs, upgrades.renders, renders.namespace, upgrades.refusal === undefined);
    if (upgrades?.refusal !== undefined) evidence = withUpgradeRefusal(evidence, upgrades.refusal);
  }
  return {
    ...chart,
    notes: [...chart.notes, ...notes],
    probes: evidence,
    ...(probe.helmVersion === undefined ? {} : { helmVersion: probe.helmVersion }),
  };
}
