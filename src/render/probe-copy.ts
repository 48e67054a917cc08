/**
 * The chart copies probes render: made under the run's temporary folder, with packaged
 * subcharts unpacked (so their Chart.yaml can be bumped and their values read), and
 * perturbed in place: chart versions and appVersions bumped with a marker, and
 * `.Release.Revision` raised in every template.
 */
import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { extractChartArchive } from "../load/chart-archive.ts";
import { CHART_FILE, isChartDir, missingDependencies, readChartMeta, readYamlFile, type ChartMeta } from "../load/chart.ts";
import { copyChart, withoutMissingDependencies } from "./chart-copy.ts";

/** Text the probes add, and what they turn `.Release.Revision` (1 in `helm template`) into. */
export const CHART_VERSION_MARKER = "cgchart";
export const APP_VERSION_MARKER = "cgapp";
export const REVISION_OFFSET = 987650;
export const REVISION_MARKER = String(REVISION_OFFSET + 1);

/** A chart in the copy's tree, and where its values sit in the release's values. */
export interface ChartNode {
  dir: string;
  meta: ChartMeta;
  /** Values paths of the chart: [] for the root, [alias or name] for a subchart (one per alias), nested for deeper ones. */
  valuesPrefixes: string[][];
}

/**
 * Copies (or unpacks) a chart into a fresh folder under `workDir`, drops missing
 * dependencies when asked, and unpacks every packaged subchart. Returns the copy's root.
 */
export async function preparedCopy(chartPath: string, workDir: string, skipMissingDeps: boolean): Promise<string> {
  const folder = await mkdtemp(path.join(workDir, "probe-"));
  let root: string;
  if (/\.tgz$/i.test(chartPath)) {
    root = await extractChartArchive(chartPath, folder);
  } else {
    root = path.join(folder, "chart");
    await copyChart(chartPath, root);
  }
  if (skipMissingDeps && missingDependencies(root).length > 0) withoutMissingDependencies(root);
  await unpackSubcharts(root, workDir);
  return root;
}

/** Copies a prepared copy (already unpacked) for another perturbation. */
export async function copyOfCopy(prepared: string, workDir: string): Promise<string> {
  const root = path.join(await mkdtemp(path.join(workDir, "probe-")), "chart");
  await copyChart(prepared, root);
  return root;
}

/** `charts/x-1.0.0.tgz` becomes `charts/x-1.0.0/`, recursively: Helm loads both forms alike. */
async function unpackSubcharts(chartDir: string, workDir: string): Promise<void> {
  const chartsDir = path.join(chartDir, "charts");
  if (!existsSync(chartsDir)) return;
  for (const entry of await readdir(chartsDir, { withFileTypes: true })) {
    const entryPath = path.join(chartsDir, entry.name);
    if (entry.isFile() && /\.tgz$/i.test(entry.name)) {
      const unpacked = await extractChartArchive(entryPath, await mkdtemp(path.join(workDir, "sub-")));
      let target = path.join(chartsDir, entry.name.replace(/\.tgz$/i, ""));
      // A directory of that name next to the archive would be another subchart: pick a free name.
      for (let n = 1; existsSync(target); n++) target = path.join(chartsDir, `${entry.name.replace(/\.tgz$/i, "")}-${n}`);
      await rename(unpacked, target);
      await rm(entryPath);
      await unpackSubcharts(target, workDir);
    } else if (entry.isDirectory() && isChartDir(entryPath)) {
      await unpackSubcharts(entryPath, workDir);
    }
  }
}

/** Every chart in a (prepared) copy's tree, with the values paths its values sit at. */
export function chartTree(root: string): ChartNode[] {
  const nodes: ChartNode[] = [];
  const visit = (dir: string, prefixes: string[][]) => {
    const meta = readChartMeta(dir);
    nodes.push({ dir, meta, valuesPrefixes: prefixes });
    const chartsDir = path.join(dir, "charts");
    if (!existsSync(chartsDir)) return;
    for (const subDir of listChartDirs(chartsDir)) {
      let subMeta: ChartMeta;
      try {
        subMeta = readChartMeta(subDir);
      } catch {
        continue; // Helm reports a broken subchart itself
      }
      const declared = meta.dependencies.filter((dependency) => dependency.name === subMeta.name);
      const names = declared.length === 0 ? [subMeta.name] : [...new Set(declared.map((dependency) => dependency.alias ?? dependency.name))];
      visit(
        subDir,
        prefixes.flatMap((prefix) => names.map((name) => [...prefix, name])),
      );
    }
  };
  visit(root, [[]]);
  return nodes;
}

function listChartDirs(chartsDir: string): string[] {
  try {
    return readdirSyncSorted(chartsDir).filter((dir) => isChartDir(dir));
  } catch {
    return [];
  }
}

function readdirSyncSorted(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => path.join(dir, entry.name))
    .sort();
}

/**
 * A chart version with the marker as SemVer build metadata: `1.4.2` → `1.4.2+cgchart`.
 * Build metadata leaves every version comparison (dependency ranges, semverCompare) as it
 * was, so the perturbed chart takes the same branches; Helm's `replace "+" "_"` keeps the
 * marker in labels (`web-1.4.2_cgchart`).
 */
export function bumpedChartVersion(version: string): string {
  return withBuildMetadata(version, CHART_VERSION_MARKER);
}

/** The same for appVersion (`2.1.0` → `2.1.0+cgapp`): `semverCompare` on it takes the same branches as before. */
export function bumpedAppVersion(appVersion: string): string {
  return withBuildMetadata(appVersion, APP_VERSION_MARKER);
}

/** `1.2.3` → `1.2.3+marker`; `1.2.3+b` → `1.2.3+b.marker`; empty → the marker alone. */
export function withBuildMetadata(version: string, marker: string): string {
  if (version === "") return marker;
  return version.includes("+") ? `${version}.${marker}` : `${version}+${marker}`;
}

/** Bumps `version` and/or `appVersion` in the Chart.yaml of every chart in the tree. */
export async function bumpVersions(nodes: readonly ChartNode[], which: { chart: boolean; app: boolean }): Promise<void> {
  for (const node of nodes) {
    const file = path.join(node.dir, CHART_FILE);
    const { document } = readYamlFile(file);
    if (which.chart) document.set("version", bumpedChartVersion(node.meta.version));
    if (which.app && node.meta.appVersion !== undefined) document.set("appVersion", bumpedAppVersion(node.meta.appVersion));
    // A dependency pinned to the subchart's exact version still matches: build metadata is ignored.
    await writeFile(file, document.toString({ lineWidth: 0 }));
  }
}

const ACTION = /\{\{[\s\S]*?\}\}/g;
// `.Release.Revision`, `$.Release.Revision`, `$root.Release.Revision`, `.ctx.Release.Revision`: not inside a longer name.
const REVISION = /(?<![\w.$])((?:\$\w*)?(?:\.[A-Za-z_]\w*)*?)\.Release\.Revision\b/g;

/** A template's text with every `.Release.Revision` in an action raised by REVISION_OFFSET. */
export function withRaisedRevision(text: string): string {
  if (!text.includes("Release.Revision")) return text;
  return text.replace(ACTION, (action) => action.replace(REVISION, (_match, receiver: string) => `(add ${receiver}.Release.Revision ${REVISION_OFFSET})`));
}

/** Raises `.Release.Revision` in every template of every chart in the tree; true when any template used it. */
export async function raiseRevision(nodes: readonly ChartNode[]): Promise<boolean> {
  let used = false;
  for (const node of nodes) {
    for (const file of await templateFiles(path.join(node.dir, "templates"))) {
      const text = await readFile(file, "utf8");
      const raised = withRaisedRevision(text);
      if (raised !== text) {
        used = true;
        await writeFile(file, raised);
      }
    }
  }
  return used;
}

/** Every file under a chart's templates/ folder (a chart without one has none). */
export async function templateFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const entry of entries) {
    const entryPath = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await templateFiles(entryPath)));
    else if (entry.isFile()) files.push(entryPath);
  }
  return files;
}

/**
 * Template functions whose result differs between two renders of the same inputs
 * (Sprig's random, time, key and certificate generators, salted hashes, DNS).
 */
const NONDETERMINISTIC = /\b(?:rand(?:AlphaNum|Alpha|Numeric|Ascii|Bytes|Int)|uuidv4|now|unixEpoch|dateInZone|genCA(?:WithKey)?|genPrivateKey|genSelfSignedCert(?:WithKey)?|genSignedCert(?:WithKey)?|htpasswd|bcrypt|encryptAES|shuffle|getHostByName)\b/;
const MAX_SCANNED_FILE = 4 * 1024 * 1024;

/** True when a template action in `text` may render differently each time. */
export function hasNondeterministicAction(text: string): boolean {
  if (!text.includes("{{")) return false;
  for (const action of text.match(ACTION) ?? []) if (NONDETERMINISTIC.test(action)) return true;
  return false;
}

/**
 * Whether two renders with the same inputs could differ: a nondeterministic function in
 * a template action anywhere in the chart tree (templates, helpers, files read through
 * `tpl`, values) or in the user's values and --set arguments. Conservative: when in doubt,
 * true, and the probes render twice.
 */
export async function mayRenderAtRandom(root: string, userTexts: readonly string[]): Promise<boolean> {
  if (userTexts.some(hasNondeterministicAction)) return true;
  const visit = async (dir: string): Promise<boolean> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return true;
    }
    for (const entry of entries) {
      const entryPath = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (await visit(entryPath)) return true;
      } else if (entry.isFile()) {
        const data = await readFile(entryPath);
        if (data.length > MAX_SCANNED_FILE) return true;
        if (data.includes(0)) continue; // binary: not a template
        if (hasNondeterministicAction(data.toString("utf8"))) return true;
      }
    }
    return false;
  };
  return visit(root);
}
