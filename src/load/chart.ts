/** Reading a chart's Chart.yaml (and requirements.yaml) and which dependencies are vendored. */
import { type Dirent, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { Document, isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import { parseYamlStream } from "./yaml.ts";
import { InputError } from "../errors.ts";
// ============================================================================================
// Chart.yaml
// ============================================================================================

export interface ChartDependency {
  name: string;
  version?: string;
  repository?: string;
  condition?: string;
  alias?: string;
}

export interface ChartMeta {
  apiVersion?: string;
  name: string;
  version: string;
  appVersion?: string;
  type?: string;
  /** From requirements.yaml when the chart has one (Helm lets it override Chart.yaml's). */
  dependencies: ChartDependency[];
}

export const CHART_FILE = "Chart.yaml";
export const REQUIREMENTS_FILE = "requirements.yaml";

export function isChartDir(dir: string): boolean {
  try {
    return statSync(path.join(dir, CHART_FILE)).isFile();
  } catch {
    return false;
  }
}

/**
 * Chart.yaml files read, by path and text (and requirements.yaml's): a render asks for the
 * same chart's metadata several times (dependencies, facts, probes), and the `yaml` package
 * parses even a small file slowly. Reading the text again is cheap, and unlike file times it
 * cannot miss a change.
 */
const metaCache = new Map<string, { texts: string; meta: ChartMeta }>();
const MAX_CACHED_CHARTS = 1000;

function textOrAbsent(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "\0absent";
  }
}

export function readChartMeta(chartDir: string): ChartMeta {
  const file = path.join(chartDir, CHART_FILE);
  const texts = `${textOrAbsent(file)}\0${textOrAbsent(path.join(chartDir, REQUIREMENTS_FILE))}`;
  const known = metaCache.get(file);
  if (known?.texts === texts) return structuredClone(known.meta);
  const meta = readChartMetaNow(chartDir, file);
  // Every probe copy has its own paths: a long-lived process (the library) must not keep them all.
  if (metaCache.size >= MAX_CACHED_CHARTS) metaCache.clear();
  metaCache.set(file, { texts, meta: structuredClone(meta) });
  return meta;
}

function readChartMetaNow(chartDir: string, file: string): ChartMeta {
  if (!existsSync(file)) throw new InputError(`not a chart: ${chartDir} has no ${CHART_FILE}`, chartDir);
  const chart = readYamlFile(file);
  const field = (key: string) => scalarText(chart.document.get(key, true));
  const name = field("name");
  const version = field("version");
  if (name === undefined || name === "") throw new InputError(`${CHART_FILE} has no name`, file);
  if (version === undefined || version === "") throw new InputError(`${CHART_FILE} has no version`, file);
  return {
    ...optionalString("apiVersion", field("apiVersion")),
    name,
    version,
    ...optionalString("appVersion", field("appVersion")),
    ...optionalString("type", field("type")),
    dependencies: declaredDependencies(chartDir, chart),
  };
}

interface YamlFile {
  file: string;
  document: Document;
  lineCounter: LineCounter;
}

export function readYamlFile(file: string): YamlFile {
  const lineCounter = new LineCounter();
  const text = readFileSync(file, "utf8");
  let document: Document = parseDocument(text, { lineCounter });
  const error = document.errors[0];
  // Helm's parser (go-yaml) takes what the `yaml` package refuses: a quoted scalar continued on a
  // line indented less than its key (ceph-csi's description). js-yaml reads it as go-yaml does;
  // the file then has values but no positions, which only messages about its lines would use.
  const lenient = error === undefined ? undefined : leniently(text, file);
  if (lenient !== undefined) document = new Document(lenient);
  else if (error !== undefined) {
    const reason = firstLine(error.message).replace(/ at line \d+, column \d+:?$/, "");
    throw new InputError(`invalid YAML: ${reason}`, file, error.linePos?.[0].line);
  }
  if (document.contents !== null && !isMap(document.contents)) {
    throw new InputError(`${path.basename(file)} must be a mapping`, file, 1);
  }
  return { file, document, lineCounter };
}

/** The file's value as js-yaml reads it, or undefined where it refuses the text too (a key written twice among them). */
function leniently(text: string, file: string): unknown {
  try {
    const [first] = parseYamlStream(text, file);
    return first === undefined || first.duplicateKeys.length > 0 ? undefined : (first.value ?? undefined);
  } catch {
    return undefined;
  }
}

/**
 * A scalar as Helm reads it into a string field: sigs.k8s.io/yaml keeps the source text of
 * a number there, so `version: 1.10` is "1.10", not 1.1.
 */
export function scalarText(node: unknown): string | undefined {
  if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
  return typeof node.value === "string" ? node.value : (node.source ?? String(node.value));
}

function optionalString<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

/** Helm lets requirements.yaml (the apiVersion v1 way) override Chart.yaml's list. */
function declaredDependencies(chartDir: string, chart: YamlFile): ChartDependency[] {
  const requirementsFile = path.join(chartDir, REQUIREMENTS_FILE);
  if (existsSync(requirementsFile)) {
    const requirements = readYamlFile(requirementsFile);
    if (requirements.document.has("dependencies")) return dependencyList(requirements);
  }
  return dependencyList(chart);
}

function dependencyList({ document, file, lineCounter }: YamlFile): ChartDependency[] {
  const lineOf = (node: unknown) => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range === undefined ? undefined : lineCounter.linePos(range[0]).line;
  };
  const list = document.get("dependencies", true);
  if (list === undefined || (isScalar(list) && list.value === null)) return [];
  if (!isSeq(list)) throw new InputError("dependencies must be a list", file, lineOf(list));
  return list.items.map((item) => {
    const name = isMap(item) ? scalarText(item.get("name", true)) : undefined;
    if (!isMap(item) || name === undefined || name === "") throw new InputError("every dependency needs a name", file, lineOf(item));
    const field = (key: string) => optionalString(key, scalarText(item.get(key, true)));
    return { name, ...field("version"), ...field("repository"), ...field("condition"), ...field("alias") };
  });
}

// Dependencies
// ============================================================================================

export interface DependencyStatus extends ChartDependency {
  /** A subchart directory or a `name-<version>.tgz` for it is in `charts/`. */
  present: boolean;
}

/** The chart's declared dependencies, and whether each has been vendored into `charts/`. */
export function chartDependencies(chartDir: string): DependencyStatus[] {
  const vendored = vendoredCharts(path.join(chartDir, "charts"));
  return readChartMeta(chartDir).dependencies.map((dependency) => ({ ...dependency, present: vendored(dependency.name) }));
}

export function missingDependencies(chartDir: string): DependencyStatus[] {
  return chartDependencies(chartDir).filter((dependency) => !dependency.present);
}

export function missingDependenciesMessage(chart: string, missing: readonly { name: string }[]): string {
  const names = [...new Set(missing.map((dependency) => dependency.name))].join(", ");
  return (
    `chart ${chart} declares dependencies missing from charts/: ${names} ` +
    "(run `helm dependency build`, or pass --skip-missing-deps to render without them)"
  );
}

export function missingDependenciesError(chart: string, missing: readonly { name: string }[]): InputError {
  return new InputError(missingDependenciesMessage(chart, missing), path.join(chart, CHART_FILE));
}

/** A predicate telling whether `charts/` holds a subchart of the given name. */
function vendoredCharts(chartsDir: string): (name: string) => boolean {
  const entries = listDirectory(chartsDir);
  const subchartNames = new Set<string>();
  const archives: string[] = [];
  for (const entry of entries) {
    const entryPath = path.join(chartsDir, entry.name);
    if (entry.name.endsWith(".tgz")) archives.push(entry.name);
    else if (isChartDir(entryPath)) subchartNames.add(subchartName(entryPath, entry.name));
  }
  // `helm dependency build` writes `<name>-<version>.tgz`; the version check keeps
  // `foo` from matching `foo-bar-1.0.0.tgz`.
  const archiveOf = (name: string) => archives.some((file) => file.startsWith(`${name}-`) && /^v?\d/.test(file.slice(name.length + 1)));
  return (name) => subchartNames.has(name) || archiveOf(name);
}

function listDirectory(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return []; // no charts/ directory: nothing vendored
  }
}

function subchartName(dir: string, fallback: string): string {
  try {
    return readChartMeta(dir).name;
  } catch {
    return fallback; // a broken subchart is Helm's to report; here its directory name will do
  }
}

function firstLine(text: string): string {
  return text.trim().split(/\r?\n/)[0] ?? "";
}
