/**
 * Probes, the render half: render a chart again, in parallel with its base render, with the
 * same inputs (the repeat: only when a template action, values file or --set argument
 * uses a random or time function, since otherwise two renders cannot differ, and each
 * helm run counts against the 2× budget) and with every perturbation at once (the combined render:
 * chart versions and appVersions bumped, `.Release.Revision` raised, a marker label in
 * every label-like values map, image tags changed), each leaving its own marker; and, when
 * asked, each perturbation on its own (`renderSingles`). Which renders are needed is decided
 * by the orchestration layer (src/check-render.ts) from what analyze/probes.ts found: this
 * module renders and never analyses.
 *
 * A probe render that fails is skipped with a note naming the perturbation and Helm's
 * error; the check goes on with what the other renders proved. Copies live under the
 * run's work folder, which the caller removes.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import jsyaml from "js-yaml";
import { InputError } from "../errors.ts";
import { missingDependencies } from "../load/chart.ts";
import { parsedByText, parseYamlStream, type YamlDocument } from "../load/yaml.ts";
import type { ChartRenderSettings } from "./chart-input.ts";
import { releaseNameFor } from "./request.ts";
import { mapLimit } from "./charts.ts";
import { chartRefusal, helmTemplate, takeVersionReport, type RenderRequest } from "./helm.ts";
import {
  addVersionReport,
  APP_VERSION_MARKER,
  bumpVersions,
  CHART_VERSION_MARKER,
  chartTree,
  copyOfCopy,
  laterClockCopy,
  mayRenderAtRandom,
  preparedCopy,
  raiseRevision,
  removeCopy,
  REVISION_MARKER,
  type ChartNode,
} from "./probe-copy.ts";
import { answerLookupsFromRender, clusterTemplate, writeClusterTemplate } from "./probe-lookup.ts";
import { findProbeTargets, setArgumentKeys, targetsFromSetKeys, valuesPerturbation, type ProbeTarget } from "./probe-values.ts";

/** What one probe render changes: each leaves its own marker where it lands. */
export type Perturbation = "chart-version" | "app-version" | "image-tag" | "values" | "revision";

/** The perturbation a render carries, and the marker text each part leaves where it lands. */
export interface ProbeMarkers {
  /** Text added to Chart.yaml `version` (root chart and subcharts). */
  chartVersion?: string;
  /** Text added to Chart.yaml `appVersion`. */
  appVersion?: string;
  /** No chart in the tree has an appVersion: with the chart version probed, nothing can change with it. */
  appVersionAbsent?: boolean;
  /** `.Release.Revision` as the perturbed templates render it (revision 1 raised). */
  revision?: string;
  /** Image tag marker → the values path of the tag (e.g. `image.tag`). */
  imageTags?: ReadonlyMap<string, string>;
  /** Label marker (key and value of the label added) → the values path of the map (e.g. `web.labels`). */
  labelMaps?: ReadonlyMap<string, string>;
}

export interface PerturbedRender {
  docs: readonly YamlDocument[];
  markers: ProbeMarkers;
}

/** A render with one perturbation only, for differences that carry no marker. */
export interface SingleCauseRender extends PerturbedRender {
  cause: Perturbation;
}

export interface ProbePlan {
  chartPath: string;
  /**
   * The chart prepared for perturbing (subcharts unpacked, missing dependencies dropped),
   * itself unperturbed. Made on first use: when the combined render proves everything and
   * the chart renders the same twice, no render starts from it.
   */
  prepared: () => Promise<string>;
  request: RenderRequest;
  nodes: ChartNode[];
  targets: ProbeTarget[];
  userSetKeys: string[][];
  hasAppVersion: boolean;
  usesRevision: boolean;
  /** The base render's documents by text, once it is done: what a probe render repeats is not parsed again. */
  parsed: Promise<ReadonlyMap<string, YamlDocument>>;
}

export interface EarlyProbes {
  plan: ProbePlan;
  /** No template action, values file or --set can render differently twice: the repeat was not needed. */
  deterministic: boolean;
  repeat?: YamlDocument[];
  combined?: PerturbedRender;
  /** When the combined render failed: each perturbation on its own, started as soon as it failed. */
  singles?: Promise<SingleRenders>;
  /** Helm's version, as the combined render reported it. */
  helmVersion?: string;
  notes: string[];
}

/** The single-cause renders that worked, and a note for each that did not. */
export interface SingleRenders {
  singles: SingleCauseRender[];
  notes: string[];
}

/**
 * The repeat and the combined render, to start while the base render runs: `baseDocs` are
 * its documents when it is done. The probe renders are parsed after it, sharing the values
 * of every document they repeat unchanged.
 */
export async function startProbes(
  chartPath: string,
  settings: ChartRenderSettings,
  workDir: string,
  jobs: number,
  baseDocs: Promise<readonly YamlDocument[]>,
): Promise<EarlyProbes> {
  const render = (request: RenderRequest) => helmTemplate(settings.helm, request, { timeoutMs: settings.timeoutMs, reportAs: chartPath });
  const { inputs } = settings;
  const combined = await combinedPerturbation(chartPath, settings, workDir);
  const combinedRun = render(combined.request);
  const parsed = baseDocs.then(parsedByText);
  parsed.catch(() => undefined); // the base render's failure is the caller's to report
  const plan: ProbePlan = { ...combined.plan, parsed };
  // Without the combined render every perturbation is rendered on its own: from the moment it
  // fails, not after the repeat.
  const singles = combinedRun.then(
    () => undefined,
    () => renderSingles(plan, settings, workDir, jobs),
  );
  // A second render only where something could make it differ: it costs a helm run. (The
  // perturbations add no random function, so the perturbed copy scans like the chart.)
  const userTexts = [...(await Promise.all(inputs.valuesFiles.map((file) => readFile(file, "utf8").catch(() => "{{ now }}")))), ...inputs.set, ...inputs.setString, ...inputs.setJson, ...inputs.setFile];
  const random = mayRenderAtRandom(combined.request.chart, userTexts);
  removeWhenRendered(combinedRun, combined.request.chart); // scanned: nothing reads it after its render
  // The repeat renders as a later upgrade would: with `now` a day on (probe-copy.ts LATER_NOW).
  const later = random ? laterClockCopy(await plan.prepared(), workDir) : undefined;
  const repeatRun = random ? render({ ...plan.request, chart: later ?? (combined.inPlace ? chartPath : await plan.prepared()) }) : Promise.resolve(undefined);
  if (later !== undefined) removeWhenRendered(repeatRun, later);
  const [repeatOutput, combinedOutput] = await Promise.allSettled([repeatRun, combinedRun]);
  const byText = await parsed;
  const result: EarlyProbes = { plan, notes: [], deterministic: !random };
  if (repeatOutput.status === "fulfilled") {
    if (repeatOutput.value !== undefined) result.repeat = parseYamlStream(repeatOutput.value, `${chartPath} (repeat render)`, { parsed: byText });
  } else result.notes.push(`probe skipped (a second render with the same inputs, which shows random values): ${reason(repeatOutput.reason)}`);
  if (combinedOutput.status === "fulfilled") {
    const { output, version } = takeVersionReport(combinedOutput.value, plan.nodes[0]!.meta.name);
    result.combined = { docs: parseYamlStream(output, `${chartPath} (probe render)`, { parsed: byText }), markers: combined.markers };
    if (version !== undefined) result.helmVersion = version;
  } else {
    result.singles = singles.then((started) => started!);
  }
  return result;
}

/**
 * Every perturbation at once in a prepared copy of the chart: the request of the combined
 * render, its markers, the plan the single-cause renders start from, and whether a repeat
 * render can render the chart itself (else it starts from the plan's prepared copy).
 */
async function combinedPerturbation(chartPath: string, settings: ChartRenderSettings, workDir: string) {
  // A chart directory with all its dependencies renders again as it is; anything else from a copy.
  const renderInPlace = !/\.tgz$/i.test(chartPath) && missingDependenciesSafe(chartPath) === 0;
  const { release, ...inputs } = settings.inputs;
  // The combined perturbation goes into a prepared copy of its own. The repeat (when it cannot
  // render in place) and the single-cause renders start from another, left as the chart is.
  const copy = await preparedCopy(chartPath, workDir, settings.skipMissingDeps);
  let pristine: Promise<string> | undefined;
  const prepared = () => (pristine ??= preparedCopy(chartPath, workDir, settings.skipMissingDeps));
  const nodes = chartTree(copy);
  // Without the crds/ folders: they are never templated, so they cannot differ from the base render's.
  const request: RenderRequest = { ...inputs, chart: chartPath, release: release ?? releaseNameFor(nodes[0]!.meta.name), includeCrds: false };
  const targets = valuesTargets(nodes, settings);
  const userSetKeys = [...inputs.set, ...inputs.setString, ...inputs.setJson, ...inputs.setFile].flatMap((argument) => setArgumentKeys(argument).map((key) => [...key]));
  const hasAppVersion = nodes.some((node) => node.meta.appVersion !== undefined);
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
  return {
    request: { ...request, chart: copy, valuesFiles: [...request.valuesFiles, overridesFile], setString: [...request.setString, ...values.setStrings] },
    markers,
    plan: { chartPath, prepared, request, nodes, targets, userSetKeys, hasAppVersion, usesRevision },
    inPlace: renderInPlace,
  };
}

/** Removes a copy once its render settled, either way (its outcome is read from `run` itself). */
function removeWhenRendered(run: Promise<unknown>, copy: string): void {
  const remove = () => removeCopy(copy);
  run.then(remove, remove);
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
  return targets.map((target) => (target.kind === "tag" ? withAppVersion(target, nodes) : target));
}

/** A tag with the appVersion of the chart whose values hold it: the deepest chart whose values path leads to it. */
function withAppVersion(target: ProbeTarget, nodes: readonly ChartNode[]): ProbeTarget {
  let owner: { depth: number; appVersion: string | undefined } = { depth: -1, appVersion: undefined };
  for (const node of nodes) {
    for (const prefix of node.valuesPrefixes) {
      const leads = prefix.length > owner.depth && prefix.length < target.path.length && prefix.every((segment, i) => segment === target.path[i]);
      if (leads) owner = { depth: prefix.length, appVersion: node.meta.appVersion };
    }
  }
  return owner.appVersion === undefined ? target : { ...target, appVersion: owner.appVersion };
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

const CAUSE_NAMES: Record<Perturbation, string> = {
  "chart-version": "the chart version bumped in Chart.yaml",
  "app-version": "the appVersion bumped in Chart.yaml",
  "image-tag": "image tags changed in values",
  values: "a label added to the values' label maps",
  revision: "a later .Release.Revision",
};

/** Each perturbation on its own, in parallel; one that fails is skipped with a note. */
export async function renderSingles(plan: ProbePlan, settings: ChartRenderSettings, workDir: string, jobs: number): Promise<SingleRenders> {
  const notes: string[] = [];
  const causes: Perturbation[] = ["chart-version"];
  if (plan.hasAppVersion) causes.push("app-version");
  if (plan.targets.some((t) => t.kind === "tag")) causes.push("image-tag");
  if (plan.targets.some((t) => t.kind === "labels")) causes.push("values");
  if (plan.usesRevision) causes.push("revision");
  const one = async (cause: Perturbation): Promise<SingleCauseRender | undefined> => {
    try {
      let chart: string;
      let request: RenderRequest = plan.request;
      let markers: ProbeMarkers = {};
      if (cause === "values" || cause === "image-tag") {
        chart = await plan.prepared();
        const values = valuesPerturbation(plan.targets, new Set([cause === "values" ? "labels" : "tag"]), plan.userSetKeys);
        const file = writeOverrides(workDir, values.overrides);
        request = { ...request, valuesFiles: [...request.valuesFiles, file], setString: [...request.setString, ...values.setStrings] };
        markers = cause === "values" ? { labelMaps: values.labelMaps } : { imageTags: values.imageTags };
      } else {
        chart = copyOfCopy(await plan.prepared(), workDir);
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
      return { cause, markers, docs: parseYamlStream(output, `${plan.chartPath} (probe render: ${cause})`, { parsed: await plan.parsed }) };
    } catch (error) {
      notes.push(`probe skipped (${CAUSE_NAMES[cause]}): the chart did not render with it: ${reason(error)}; what depends on it is not proven`);
      return undefined;
    }
  };
  const results = await mapLimit(causes, jobs, one);
  return { singles: results.filter((single): single is SingleCauseRender => single !== undefined), notes };
}

/**
 * What `helm upgrade` renders after an install of the base render, twice, to tell what it
 * keeps from what it generates anew (render/probe-lookup.ts, analyze/probes.ts
 * withUpgradeRenders). A chart that refuses that upgrade with its own `fail` or `required`
 * under .Release.IsUpgrade ("pass the current passwords") gives its message as `refusal`, and
 * the two renders come from rendering as an install would, as far as they go. Undefined when
 * no template calls `lookup` (the repeat already says it all) or the chart does not render.
 */
export async function renderUpgrades(
  plan: ProbePlan,
  base: readonly YamlDocument[],
  namespace: string,
  settings: ChartRenderSettings,
  workDir: string,
  notes: string[],
): Promise<{ renders?: UpgradeRenders; refusal?: string } | undefined> {
  try {
    const copy = await preparedCopy(plan.chartPath, workDir, settings.skipMissingDeps);
    const kinds = answerLookupsFromRender(chartTree(copy));
    if (kinds.size === 0) return undefined;
    writeClusterTemplate(copy, clusterTemplate(base, namespace, kinds));
    const twice = (isUpgrade: boolean) => renderUpgradeTwice(plan, settings, workDir, copy, isUpgrade);
    try {
      return { renders: await twice(true) };
    } catch (error) {
      const refusal = chartRefusal(error);
      if (refusal === undefined) throw error;
      // Rendered as an install would, the fields still tell what the upgrade keeps; without them, the refusal still stands.
      return { refusal, ...(await twice(false).then((renders) => ({ renders }), () => ({}))) };
    }
  } catch (error) {
    notes.push(`probe skipped (an upgrade render with lookup answered from the install): the chart did not render with it: ${reason(error)}; values read back with lookup are judged from the templates`);
    return undefined;
  }
}

type UpgradeRenders = [YamlDocument[], YamlDocument[]];

/** The upgrade rendered twice from the copy whose lookups answer from the install; the second a day later, so a value from `now` is not kept, however it is formatted. */
async function renderUpgradeTwice(plan: ProbePlan, settings: ChartRenderSettings, workDir: string, copy: string, isUpgrade: boolean): Promise<UpgradeRenders> {
  const render = async (chart: string) => {
    const output = await helmTemplate(settings.helm, { ...plan.request, chart, isUpgrade }, { timeoutMs: settings.timeoutMs, reportAs: plan.chartPath });
    return parseYamlStream(output, `${plan.chartPath} (probe render: upgrade)`);
  };
  const [first, second] = await Promise.all([render(copy), render(laterClockCopy(copy, workDir) ?? copy)]);
  return [first, second];
}

export function reason(error: unknown): string {
  if (error instanceof InputError) return error.oneLine;
  return error instanceof Error ? error.message : String(error);
}
