/**
 * Probes, the I/O half: render a chart again, in parallel with its base render, with the
 * same inputs (the repeat: only when a template action, values file or --set argument
 * uses a random or time function, since otherwise two renders cannot differ, and each
 * helm run counts against the 2× budget) and with every perturbation at once (the combined render:
 * chart versions and appVersions bumped, `.Release.Revision` raised, a marker label in
 * every label-like values map, image tags changed), each leaving its own marker. When a
 * changed identity field carries no marker (hashed, truncated), or the combined render
 * fails, each perturbation is rendered on its own. analyze/probes.ts does the comparing.
 *
 * A probe render that fails is skipped with a note naming the perturbation and Helm's
 * error; the check goes on with what the other renders proved. Copies live under the
 * run's work folder, which the caller removes.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import jsyaml from "js-yaml";
import { analyzeProbes, withUpgradeRenders, type PerturbedRender, type ProbeCause, type ProbeMarkers, type SingleCauseRender } from "../analyze/probes.ts";
import { InputError } from "../errors.ts";
import { missingDependencies } from "../load/chart.ts";
import { parseYamlStream, type YamlDocument } from "../load/yaml.ts";
import { releaseNameFor, renderChart, type ChartRenderSettings, type RenderedChart } from "./chart-input.ts";
import { mapLimit } from "./charts.ts";
import { helmTemplate, takeVersionReport, type RenderRequest } from "./helm.ts";
import {
  addVersionReport,
  APP_VERSION_MARKER,
  bumpVersions,
  CHART_VERSION_MARKER,
  chartTree,
  copyOfCopy,
  mayRenderAtRandom,
  preparedCopy,
  raiseRevision,
  REVISION_MARKER,
  type ChartNode,
} from "./probe-copy.ts";
import { answerLookupsFromRender, clusterTemplate, writeClusterTemplate } from "./probe-lookup.ts";
import { findProbeTargets, setArgumentKeys, targetsFromSetKeys, valuesPerturbation, type ProbeTarget } from "./probe-values.ts";

/** The base render, with the probes' evidence (and notes) added when probing worked at all. */
export async function renderWithProbes(chartPath: string, settings: ChartRenderSettings, workDir: string, jobs: number): Promise<RenderedChart> {
  const started = startProbes(chartPath, settings, workDir);
  const [base, early] = await Promise.allSettled([renderChart(chartPath, settings, workDir), started]);
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
    const singles = await renderSingles(probe.plan, settings, workDir, jobs, notes);
    analysis = analyzeProbes({ ...renders, singles });
  }
  let evidence = analysis.evidence;
  if ([...evidence.changes.values()].some((list) => list.some((change) => change.causes[0] === "random"))) {
    const upgrades = await renderUpgrades(probe.plan, chart.docs, renders.namespace, settings, workDir, notes);
    if (upgrades !== undefined) evidence = withUpgradeRenders(evidence, chart.docs, upgrades, renders.namespace);
  }
  return {
    ...chart,
    notes: [...chart.notes, ...notes],
    probes: evidence,
    ...(probe.helmVersion === undefined ? {} : { helmVersion: probe.helmVersion }),
  };
}

interface ProbePlan {
  chartPath: string;
  request: RenderRequest;
  nodes: ChartNode[];
  targets: ProbeTarget[];
  userSetKeys: string[][];
  hasAppVersion: boolean;
  usesRevision: boolean;
}

interface EarlyProbes {
  plan: ProbePlan;
  /** No template action, values file or --set can render differently twice: the repeat was not needed. */
  deterministic: boolean;
  repeat?: YamlDocument[];
  combined?: PerturbedRender;
  /** Helm's version, as the combined render reported it. */
  helmVersion?: string;
  notes: string[];
}

/** The repeat and the combined render, started while the base render runs. */
async function startProbes(chartPath: string, settings: ChartRenderSettings, workDir: string): Promise<EarlyProbes> {
  const notes: string[] = [];
  const render = (request: RenderRequest) => helmTemplate(settings.helm, request, { timeoutMs: settings.timeoutMs, reportAs: chartPath });
  const isArchive = /\.tgz$/i.test(chartPath);
  // A chart directory with all its dependencies renders again as it is; anything else from a copy.
  const renderInPlace = !isArchive && missingDependenciesSafe(chartPath) === 0;
  const { release, ...inputs } = settings.inputs;
  const requestFor = (chart: string, name: string): RenderRequest => ({ ...inputs, chart, release: release ?? releaseNameFor(name) });

  const copy = await preparedCopy(chartPath, workDir, settings.skipMissingDeps);
  const nodes = chartTree(copy);
  const request = requestFor(chartPath, nodes[0]!.meta.name);
  // The repeat renders the chart as it is: in place, or from a copy made before this one is perturbed.
  const pristine = renderInPlace ? chartPath : copyOfCopy(copy, workDir);

  const targets = valuesTargets(nodes, settings);
  const userSetKeys = [...inputs.set, ...inputs.setString, ...inputs.setJson, ...inputs.setFile].flatMap((argument) => setArgumentKeys(argument).map((key) => [...key]));
  const hasAppVersion = nodes.some((node) => node.meta.appVersion !== undefined);
  // The combined perturbation, in place in the copy (the fallback makes fresh copies).
  bumpVersions(nodes, { chart: true, app: true });
  const usesRevision = raiseRevision(nodes);
  addVersionReport(copy);
  const values = valuesPerturbation(targets, new Set(["labels", "tag"]), userSetKeys);
  const overridesFile = writeOverrides(workDir, values.overrides);
  const markers: ProbeMarkers = {
    chartVersion: CHART_VERSION_MARKER,
    ...(hasAppVersion ? { appVersion: APP_VERSION_MARKER } : { appVersionAbsent: true }),
    ...(usesRevision ? { revision: REVISION_MARKER } : {}),
    ...(values.imageTags.size > 0 ? { imageTags: values.imageTags } : {}),
    ...(values.labelMaps.size > 0 ? { labelMaps: values.labelMaps } : {}),
  };
  const combinedRequest: RenderRequest = {
    ...request,
    chart: copy,
    valuesFiles: [...request.valuesFiles, overridesFile],
    setString: [...request.setString, ...values.setStrings],
  };
  const combinedRun = render(combinedRequest);
  combinedRun.catch(() => undefined); // awaited below
  // A second render only where something could make it differ: it costs a helm run. (The
  // perturbations add no random function, so the perturbed copy scans like the chart.)
  const userTexts = [...(await Promise.all(inputs.valuesFiles.map((file) => readFile(file, "utf8").catch(() => "{{ now }}")))), ...inputs.set, ...inputs.setString, ...inputs.setJson, ...inputs.setFile];
  const random = mayRenderAtRandom(copy, userTexts);
  const repeatRun = random ? render({ ...request, chart: pristine }) : Promise.resolve(undefined);
  const [repeatOutput, combinedOutput] = await Promise.allSettled([repeatRun, combinedRun]);
  const plan: ProbePlan = { chartPath, request, nodes, targets, userSetKeys, hasAppVersion, usesRevision };
  const result: EarlyProbes = { plan, notes, deterministic: !random };
  if (repeatOutput.status === "fulfilled") {
    if (repeatOutput.value !== undefined) result.repeat = parseYamlStream(repeatOutput.value, `${chartPath} (repeat render)`);
  } else notes.push(`probe skipped (a second render with the same inputs, which shows random values): ${reason(repeatOutput.reason)}`);
  if (combinedOutput.status === "fulfilled") {
    const { output, version } = takeVersionReport(combinedOutput.value, nodes[0]!.meta.name);
    result.combined = { docs: parseYamlStream(output, `${chartPath} (probe render)`), markers };
    if (version !== undefined) result.helmVersion = version;
  }
  return result;
}

function missingDependenciesSafe(chartPath: string): number {
  try {
    return missingDependencies(chartPath).length;
  } catch {
    return 1; // let the copy (and Helm) report it
  }
}

/** Label maps and image tags: every chart's values.yaml (under its values path), the user's -f files, --set keys. */
function valuesTargets(nodes: readonly ChartNode[], settings: ChartRenderSettings): ProbeTarget[] {
  const targets: ProbeTarget[] = [];
  for (const node of nodes) {
    const values = readValues(path.join(node.dir, "values.yaml"));
    if (values === null || typeof values !== "object" || Array.isArray(values)) continue;
    const { global, ...own } = values as Record<string, unknown>;
    for (const prefix of node.valuesPrefixes) targets.push(...findProbeTargets(own, prefix));
    if (global !== undefined) targets.push(...findProbeTargets({ global }, []));
  }
  for (const file of settings.inputs.valuesFiles) targets.push(...findProbeTargets(readValues(file), []));
  const setKeys = [...settings.inputs.set, ...settings.inputs.setString, ...settings.inputs.setJson].flatMap(setArgumentKeys);
  targets.push(...targetsFromSetKeys(setKeys));
  return targets;
}

function readValues(file: string): unknown {
  if (!existsSync(file)) return null;
  try {
    // Only the keys and the kind of each value matter here: the fast parser will do.
    return jsyaml.load(readFileSync(file, "utf8"), { json: true });
  } catch {
    return null; // Helm reports a values file it cannot read
  }
}

function writeOverrides(workDir: string, overrides: Record<string, unknown>): string {
  const file = path.join(mkdtempSync(path.join(workDir, "values-")), "chartguard-probe-values.yaml");
  writeFileSync(file, JSON.stringify(overrides)); // JSON is YAML, and needs no quoting rules
  return file;
}

const CAUSE_NAMES: Record<Exclude<ProbeCause, "random">, string> = {
  "chart-version": "the chart version bumped in Chart.yaml",
  "app-version": "the appVersion bumped in Chart.yaml",
  "image-tag": "image tags changed in values",
  values: "a label added to the values' label maps",
  revision: "a later .Release.Revision",
};

/** Each perturbation on its own, in parallel; one that fails is skipped with a note. */
async function renderSingles(plan: ProbePlan, settings: ChartRenderSettings, workDir: string, jobs: number, notes: string[]): Promise<SingleCauseRender[]> {
  const causes: Exclude<ProbeCause, "random">[] = ["chart-version"];
  if (plan.hasAppVersion) causes.push("app-version");
  if (plan.targets.some((t) => t.kind === "tag")) causes.push("image-tag");
  if (plan.targets.some((t) => t.kind === "labels")) causes.push("values");
  if (plan.usesRevision) causes.push("revision");
  let pristine: Promise<string> | undefined;
  const pristineCopy = () => (pristine ??= preparedCopy(plan.chartPath, workDir, settings.skipMissingDeps));
  const one = async (cause: Exclude<ProbeCause, "random">): Promise<SingleCauseRender | undefined> => {
    try {
      let chart: string;
      let request: RenderRequest = plan.request;
      let markers: ProbeMarkers = {};
      if (cause === "values" || cause === "image-tag") {
        chart = await pristineCopy();
        const values = valuesPerturbation(plan.targets, new Set([cause === "values" ? "labels" : "tag"]), plan.userSetKeys);
        const file = writeOverrides(workDir, values.overrides);
        request = { ...request, valuesFiles: [...request.valuesFiles, file], setString: [...request.setString, ...values.setStrings] };
        markers = cause === "values" ? { labelMaps: values.labelMaps } : { imageTags: values.imageTags };
      } else {
        chart = copyOfCopy(await pristineCopy(), workDir);
        const nodes = chartTree(chart);
        if (cause === "revision") {
          raiseRevision(nodes);
          markers = { revision: REVISION_MARKER };
        } else {
          bumpVersions(nodes, { chart: cause === "chart-version", app: cause === "app-version" });
          markers = cause === "chart-version" ? { chartVersion: CHART_VERSION_MARKER, ...(plan.hasAppVersion ? {} : { appVersionAbsent: true }) } : { appVersion: APP_VERSION_MARKER };
        }
      }
      const output = await helmTemplate(settings.helm, { ...request, chart }, { timeoutMs: settings.timeoutMs, reportAs: plan.chartPath });
      return { cause, markers, docs: parseYamlStream(output, `${plan.chartPath} (probe render: ${cause})`) };
    } catch (error) {
      notes.push(`probe skipped (${CAUSE_NAMES[cause]}): the chart did not render with it: ${reason(error)}; what depends on it is not proven`);
      return undefined;
    }
  };
  const results = await mapLimit(causes, jobs, one);
  return results.filter((single): single is SingleCauseRender => single !== undefined);
}

/**
 * What `helm upgrade` renders after an install of the base render, twice, to tell what it
 * keeps from what it generates anew (render/probe-lookup.ts, analyze/probes.ts
 * withUpgradeRenders); undefined when no template calls `lookup` (the repeat already says it
 * all) or the render fails.
 */
async function renderUpgrades(
  plan: ProbePlan,
  base: readonly YamlDocument[],
  namespace: string,
  settings: ChartRenderSettings,
  workDir: string,
  notes: string[],
): Promise<[YamlDocument[], YamlDocument[]] | undefined> {
  try {
    const copy = await preparedCopy(plan.chartPath, workDir, settings.skipMissingDeps);
    const kinds = answerLookupsFromRender(chartTree(copy));
    if (kinds.size === 0) return undefined;
    writeClusterTemplate(copy, clusterTemplate(base, namespace, kinds));
    const render = async () => {
      const output = await helmTemplate(settings.helm, { ...plan.request, chart: copy }, { timeoutMs: settings.timeoutMs, reportAs: plan.chartPath });
      return parseYamlStream(output, `${plan.chartPath} (probe render: upgrade)`);
    };
    const [first, second] = await Promise.all([render(), render()]);
    return [first, second];
  } catch (error) {
    notes.push(`probe skipped (an upgrade render with lookup answered from the install): the chart did not render with it: ${reason(error)}; values read back with lookup are judged from the templates`);
    return undefined;
  }
}

function reason(error: unknown): string {
  if (error instanceof InputError) return error.oneLine;
  return error instanceof Error ? error.message : String(error);
}
