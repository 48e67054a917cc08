/**
 * Turning a chart the user named (a directory or a .tgz) into rendered documents:
 * unpack if packaged, check dependencies, run `helm template`, and point each
 * document's `template` at the chart file on disk so findings land in the chart.
 */
import { rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { InputError } from "../errors.ts";
import { onInterrupt } from "../interrupt.ts";
import { extractChartArchive } from "../load/chart-archive.ts";
import { missingDependencies, missingDependenciesError, readChartMeta, type ChartMeta } from "../load/chart.ts";
import { parseYamlStream, type HelmRelease, type ParseOptions, type YamlDocument } from "../load/yaml.ts";
import { copyChart, withoutMissingDependencies } from "./chart-copy.ts";
import { readChartTemplates } from "./chart-templates.ts";
import { chartTree, preparedCopy, raiseRevision } from "./probe-copy.ts";
import { chartFileResolver } from "./template-lines.ts";
import { helmTemplate, pathInChart, valuesArguments, type Helm, type RenderRequest } from "./helm.ts";
import { checkChartLinks, checkValueFiles } from "./preflight.ts";
import { chartRequest, type RenderInputs } from "./request.ts";

export interface ChartRenderSettings {
  helm: Helm;
  inputs: RenderInputs;
  timeoutMs: number;
  skipMissingDeps: boolean;
  /**
   * The release revision to render as (`helm template` always renders 1): `upgrade` renders
   * its target as the next revision, so that objects named after `.Release.Revision` are new
   * objects, as they are in a real upgrade, not updates of the previous revision's.
   */
  revision?: number;
  /**
   * Which templates to read while the chart's folder exists: those the documents name (the
   * template locator needs no more; the default), or every template of the tree, for the
   * chart facts `check` derives (src/chart-facts.ts).
   */
  templates?: "rendered" | "all";
  /**
   * Read the documents without the bodies no rule reads from a single render (ConfigMap and
   * Secret data, PrometheusRule spec: load/unread-bodies.ts): for a render that no probe
   * and no other release is compared with.
   */
  skipUnreadBodies?: boolean;
  /**
   * Called with every template of the tree (`templates: "all"`) as soon as they are read,
   * while helm may still be rendering: `check` works out what the texts say then
   * (src/chart-facts.ts), on the core helm leaves idle.
   */
  onTemplatesRead?: (templates: ReadonlyMap<string, string>) => void;
}

export interface RenderedChart {
  /** The chart as the user named it. */
  chartPath: string;
  /** The chart directory that was rendered (a temporary one for archives and partial renders). */
  chartDir: string;
  meta: ChartMeta;
  request: RenderRequest;
  docs: YamlDocument[];
  /** Caveats the report must carry, e.g. dependencies left out. */
  notes: string[];
  /** Dependencies left out of the render (--skip-missing-deps). */
  missingDependencies: string[];
  /** Every template of the chart tree by its path in the chart, read while a packaged or git chart's folder still exists (chart-templates.ts). */
  templates: ReadonlyMap<string, string>;
  /** The path in the chart of each template documents name (`doc.template`) that is a file of the chart. */
  templateFiles: ReadonlyMap<string, string>;
  /** Helm's version as a probe render reported it (helm.ts, takeVersionReport), to be checked without a `helm version` run. */
  helmVersion?: string;
}

/**
 * Renders one chart. `workDir` is a temporary folder the caller owns and removes; copies
 * and unpacked archives go there. `shownAs` names a chart that is not on disk as the
 * user sees it (e.g. `git:main:charts/web`); its templates are then not mapped to files.
 */
export async function renderChart(chartPath: string, settings: ChartRenderSettings, workDir: string, shownAs?: string): Promise<RenderedChart> {
  await checkValueFiles(settings.inputs);
  let chartDir = /\.tgz$/i.test(chartPath) ? await extractChartArchive(chartPath, await mkdtemp(path.join(workDir, "archive-"))) : chartPath;
  checkChartLinks(chartDir, shownAs ?? chartPath);
  const notes: string[] = [];
  let dropped: string[] = [];
  const missing = missingDependencies(chartDir);
  if (missing.length > 0) {
    if (!settings.skipMissingDeps) throw missingDependenciesError(chartPath, missing);
    const copy = path.join(await mkdtemp(path.join(workDir, "partial-")), "chart");
    copyChart(chartDir, copy);
    dropped = withoutMissingDependencies(copy);
    chartDir = copy;
    notes.push(`rendered without the missing dependencies ${dropped.join(", ")} (--skip-missing-deps): the view is partial`);
  }
  const revision = settings.revision ?? 1;
  if (revision > 1) {
    // Only a copy is changed, and only its actions that read .Release.Revision.
    const copy = await preparedCopy(chartDir, workDir, false);
    if (raiseRevision(chartTree(copy), revision - 1)) chartDir = copy;
  }
  const meta = readChartMeta(chartDir);
  const request = chartRequest(chartDir, meta.name, settings.inputs);
  const rendering = helmTemplate(settings.helm, request, { timeoutMs: settings.timeoutMs, reportAs: shownAs ?? chartPath });
  // Every template is read while helm renders, when the main thread has nothing else to do.
  const allTemplates = settings.templates === "all" ? readChartTemplates(chartDir) : undefined;
  // helm's error, if any, is the one to report; a failing onTemplatesRead only leaves its work to be done again later.
  allTemplates?.then((templates) => settings.onTemplatesRead?.(templates)).catch(() => undefined);
  const output = await rendering;
  const { docs, templateFiles } = parseRender(output, chartPath, chartDir, shownAs, { skipUnreadBodies: settings.skipUnreadBodies === true });
  const rendered: HelmRelease = {
    name: request.release,
    namespace: request.namespace,
    ...(shownAs === undefined ? { chart: chartPath } : {}),
    valuesArguments: valuesArguments(request),
  };
  for (const doc of docs) doc.release = rendered;
  if (docs.every((doc) => doc.value === null || doc.value === undefined)) notes.push("the chart rendered no objects with these values: nothing of it was checked");
  const templates = await (allTemplates ?? readChartTemplates(chartDir, new Set(templateFiles.values())));
  return { chartPath: shownAs ?? chartPath, chartDir, meta, request, docs, notes, templates, templateFiles, missingDependencies: dropped };
}

/** A file of a subchart, as `# Source:` names it after the chart's name: the innermost subchart's name. */
const SUBCHART_FILE = /^(?:charts\/[^/]+\/)*charts\/([^/]+)\//;

/** A file of a chart's crds/ folder, or of a subchart's, as `# Source:` names it after the chart's name. */
const CRDS_FOLDER_FILE = /^(?:charts\/[^/]+\/)*crds\//;

/**
 * Parses `helm template` output. Each document's `# Source: name/templates/x.yaml` becomes
 * the template as the user finds it: for a chart folder, the file relative to the working
 * directory however the chart was named (`.`, `./web`, `../web`, an absolute path); for a
 * packaged chart, the path inside the archive after the archive (`web-1.2.0.tgz/templates/x.yaml`,
 * never a file of the work tree); for a chart read from git, the path after the revision
 * (`git:main:charts/web/templates/x.yaml`). `templateFiles` says which file of the chart
 * (relative to `chartDir`) each such template is, so that lines are found for every kind of chart.
 */
export function parseRender(
  output: string | Buffer,
  chartPath: string,
  chartDir: string,
  shownAs?: string,
  options: ParseOptions = {},
): { docs: YamlDocument[]; templateFiles: Map<string, string> } {
  const onDisk = chartFileResolver(chartDir);
  const templateFiles = new Map<string, string>();
  // Helm prints a crds/ file whole after one `# Source:` line: its later documents come from the same file.
  let crdsFile: { source: string; start: number } | undefined;
  const docs = parseCrdsAware(output, `${shownAs ?? chartPath} (rendered)`, options, (source) => {
    const inChart = onDisk(pathInChart(source));
    return inChart === undefined ? source : toSlashes(path.join(shownAs ?? chartPath, inChart));
  }).map((doc) => {
    const source = doc.template ?? crdsFile?.source;
    if (source === undefined) return doc;
    const file = pathInChart(source);
    if (doc.template !== undefined) crdsFile = CRDS_FOLDER_FILE.test(file) ? { source, start: doc.sourceCommentLine! + 1 } : undefined;
    const subchart = SUBCHART_FILE.exec(file)?.[1];
    // Set on the parsed document, not on a copy: a copy would read (decode) its text.
    doc.source = source;
    if (crdsFile !== undefined) Object.assign(doc, { template: source, crdsFileStart: crdsFile.start });
    if (subchart !== undefined) doc.subchart = subchart;
    // Resolved through subchart aliases: Helm names an aliased subchart's files by the alias.
    const inChart = onDisk(file);
    if (inChart === undefined) return doc;
    // Relative to the working directory however the chart was named; a packaged chart's path continues inside the archive.
    doc.template = shownAs !== undefined ? `${shownAs}/${toSlashes(inChart)}` : toSlashes(path.relative(process.cwd(), path.resolve(chartPath, inChart)));
    templateFiles.set(doc.template, toSlashes(inChart));
    return doc;
  });
  for (const doc of docs) doc.chart = shownAs ?? chartPath;
  return { docs, templateFiles };
}

/**
 * parseYamlStream, with a YAML error inside a crds/ file said of that file: Helm prints a
 * chart's crds/ files as they are, never as templates, so `helm template` passes text that
 * `helm install` then fails to install (template actions written into a CRD, for one).
 * `fileOf` gives the file as the user finds it from Helm's `# Source:` path.
 */
function parseCrdsAware(output: string | Buffer, file: string, options: ParseOptions, fileOf: (source: string) => string): YamlDocument[] {
  try {
    return parseYamlStream(output, file, options);
  } catch (error) {
    if (!(error instanceof InputError) || error.file !== file || error.line === undefined) throw error;
    const before = output.toString().split("\n", error.line - 1);
    const at = before.findLastIndex((line) => line.startsWith("# Source: "));
    const source = at === -1 ? undefined : before[at]!.slice("# Source: ".length).trim();
    if (source === undefined || !CRDS_FOLDER_FILE.test(pathInChart(source))) throw error;
    throw new InputError(
      `${error.message}: Helm installs the files of crds/ as they are, not as templates, so \`helm install\` fails on this file too (\`helm template\` prints it unread)`,
      fileOf(source),
      error.line - at - 1,
      error.detail,
      error.column,
    );
  }
}

function toSlashes(file: string): string {
  return file.split(path.sep).join("/");
}

/**
 * A temporary folder for one run, removed on every exit path of `use`. Removed
 * synchronously: an asynchronous removal makes a trip through the thread pool for every
 * file of the chart copies, which takes several times longer, and the run waits for it.
 */
export async function withWorkDir<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), "chartguard-"));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const release = onInterrupt(remove);
  try {
    return await use(dir);
  } finally {
    remove();
    release();
  }
}
