/**
 * The chart copies probes render: made under the run's temporary folder, with packaged
 * subcharts unpacked (so their Chart.yaml can be bumped and their values read), and
 * perturbed in place: chart versions and appVersions bumped with a marker, and
 * `.Release.Revision` raised in every template. The combined render's copy also reports
 * Helm's version (helm.ts, VERSION_REPORT_TEMPLATE).
 *
 * Copying, perturbing and scanning are synchronous, for the reason copyChart gives: they
 * stand between the user and the probe renders (or, for the scan, share the machine with them).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdtemp, readdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { extractChartArchive } from "../load/chart-archive.ts";
import { CHART_FILE, isChartDir, missingDependencies, readChartMeta, readYamlFile, type ChartMeta } from "../load/chart.ts";
import { copyChart, linkFile, replaceFile, withoutMissingDependencies } from "./chart-copy.ts";
import { VERSION_REPORT_FILE, VERSION_REPORT_TEMPLATE } from "./helm.ts";

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
  const folder = mkdtempSync(path.join(workDir, "probe-"));
  let root: string;
  if (/\.tgz$/i.test(chartPath)) {
    root = await extractChartArchive(chartPath, folder);
  } else {
    root = path.join(folder, "chart");
    // Linked, not copied: every perturbation below replaces the files it changes.
    copyChart(chartPath, root, { link: true });
  }
  if (skipMissingDeps && missingDependencies(root).length > 0) withoutMissingDependencies(root);
  await unpackSubcharts(root, workDir);
  return root;
}

/**
 * Copies a prepared copy (already unpacked, so made of plain files and folders) for another
 * perturbation. Files are hard links to the prepared copy's, not copies: a chart with
 * megabytes of CRDs and dashboards costs a folder walk, not its size, per perturbation.
 * Perturbing replaces a file (replaceFile), never writes into it, so each copy keeps its own.
 */
export function copyOfCopy(prepared: string, workDir: string): string {
  const root = path.join(mkdtempSync(path.join(workDir, "probe-")), "chart");
  linkTree(prepared, root);
  return root;
}

/**
 * Removes a copy (preparedCopy, copyOfCopy) once its render is done, rather than with the
 * run's work folder at the end: a probe render usually ends while the base render still
 * runs, and the main thread is idle then, whereas the end of the run waits for every file removed.
 */
export function removeCopy(root: string): void {
  try {
    rmSync(path.dirname(root), { recursive: true, force: true });
  } catch {
    // What is left goes with the work folder.
  }
}

function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) linkTree(source, target);
    else if (entry.isFile()) linkFile(source, target);
  }
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
export function bumpVersions(nodes: readonly ChartNode[], which: { chart: boolean; app: boolean }): void {
  for (const node of nodes) {
    const file = path.join(node.dir, CHART_FILE);
    const { document } = readYamlFile(file);
    if (which.chart) document.set("version", bumpedChartVersion(node.meta.version));
    if (which.app && node.meta.appVersion !== undefined) document.set("appVersion", bumpedAppVersion(node.meta.appVersion));
    // A dependency pinned to the subchart's exact version still matches: build metadata is ignored.
    replaceFile(file, document.toString({ lineWidth: 0 }));
  }
}

/** A template action, `{{ ... }}`. */
export const ACTION = /\{\{[\s\S]*?\}\}/g;
// `.Release.Revision`, `$.Release.Revision`, `$root.Release.Revision`, `.ctx.Release.Revision`: not inside a longer name.
const REVISION = /(?<![\w.$])((?:\$\w*)?(?:\.[A-Za-z_]\w*)*?)\.Release\.Revision\b/g;

/** A template's text with every `.Release.Revision` in an action raised by `offset` (default: the probe's marker). */
export function withRaisedRevision(text: string, offset = REVISION_OFFSET): string {
  if (!text.includes("Release.Revision")) return text;
  return text.replace(ACTION, (action) => action.replace(REVISION, (_match, receiver: string) => `(add ${receiver}.Release.Revision ${offset})`));
}

/** Raises `.Release.Revision` in every template of every chart in the tree; true when any template used it. */
export function raiseRevision(nodes: readonly ChartNode[], offset = REVISION_OFFSET): boolean {
  return rewriteTemplates(nodes, (text) => withRaisedRevision(text, offset));
}

/**
 * What `now` returns at the next upgrade: a day and a bit later, so that a timestamp differs
 * between two renders at any precision down to the day. Two renders run within the same
 * second, so a field from `now` formatted to the second (a password's mtime, a
 * `date "2006-01-02"` label) would otherwise look stable although every upgrade changes it.
 */
const LATER_NOW = '(dateModify "+25h1m1s" now)';
/** A string literal of a template action, interpreted or raw. */
const STRING_LITERAL = /"(?:[^"\\]|\\.)*"|`[^`]*`/g;
// The `now` function, not a field (.now), a variable ($now), a longer name, or text in a string literal.
const NOW_OR_STRING = new RegExp(`(${STRING_LITERAL.source})|(?<![\\w.$])now\\b(?![\\w-])`, "g");

/** A template's text with every `now` call in an action moved to LATER_NOW. */
export function withLaterClock(text: string): string {
  if (!text.includes("now")) return text;
  return text.replace(ACTION, (action) => action.replace(NOW_OR_STRING, (_now, literal: string | undefined) => literal ?? LATER_NOW));
}

/**
 * A linked copy of a prepared chart whose templates call `now` a day later (the render of a
 * later upgrade), or undefined when no template calls `now`.
 */
export function laterClockCopy(prepared: string, workDir: string): string | undefined {
  const copy = copyOfCopy(prepared, workDir);
  return rewriteTemplates(chartTree(copy), withLaterClock) ? copy : undefined;
}

/** Rewrites every template of every chart in the tree (a copy's); true when any changed. */
function rewriteTemplates(nodes: readonly ChartNode[], transform: (text: string) => string): boolean {
  let used = false;
  for (const node of nodes) {
    for (const file of templateFiles(path.join(node.dir, "templates"))) {
      const text = readFileSync(file, "utf8");
      const rewritten = transform(text);
      if (rewritten !== text) {
        used = true;
        replaceFile(file, rewritten);
      }
    }
  }
  return used;
}

/**
 * Adds helm.ts's version report to the root chart of a copy. Where the chart has a template
 * of that name already it stays the chart's own: no version is reported, and `helm version`
 * runs instead.
 */
export function addVersionReport(root: string): void {
  const templates = path.join(root, "templates");
  mkdirSync(templates, { recursive: true });
  try {
    writeFileSync(path.join(templates, VERSION_REPORT_FILE), VERSION_REPORT_TEMPLATE, { flag: "wx" });
  } catch {
    // EEXIST: the chart's own template of that name
  }
}

/** Every file under a chart's templates/ folder (a chart without one has none). */
export function templateFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const entry of entries) {
    const entryPath = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...templateFiles(entryPath));
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

/**
 * True when a template action in `text` may render differently each time. A function's name
 * in a string literal calls nothing (Grafana dashboards carry `"from":"now-6h"` in raw
 * strings, and would cost every such chart a repeat render), unless the literal holds an
 * action of its own, which `tpl` could run.
 */
export function hasNondeterministicAction(text: string): boolean {
  if (!text.includes("{{")) return false;
  for (const action of text.match(ACTION) ?? []) {
    if (NONDETERMINISTIC.test(action.replace(STRING_LITERAL, (literal) => (literal.includes("{{") ? literal : '""')))) return true;
  }
  return false;
}

/**
 * Whether two renders with the same inputs could differ: a nondeterministic function in
 * a template action anywhere in the chart tree (templates, helpers, files read through
 * `tpl`, values) or in the user's values and --set arguments. Conservative: when in doubt,
 * true, and the probes render twice.
 */
export function mayRenderAtRandom(root: string, userTexts: readonly string[]): boolean {
  if (userTexts.some(hasNondeterministicAction)) return true;
  const visit = (dir: string): boolean => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return true;
    }
    for (const entry of entries) {
      const entryPath = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (visit(entryPath)) return true;
      } else if (entry.isFile()) {
        const data = readFileSync(entryPath);
        if (data.length > MAX_SCANNED_FILE) return true;
        if (data.includes(0)) continue; // binary: not a template
        if (hasNondeterministicAction(data.toString("utf8"))) return true;
      }
    }
    return false;
  };
  return visit(root);
}
