/**
 * The temporary chart copies that probes perturb, made without ever following a path out
 * of the chart, and the --skip-missing-deps rewrite (only ever of such a copy).
 */
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, realpathSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { isMap, isSeq } from "yaml";
import { InputError } from "../errors.ts";
import { isInside, linkBoundary } from "../load/paths.ts";
import { missingDependencies, readYamlFile, scalarText, CHART_FILE, REQUIREMENTS_FILE } from "../load/chart.ts";

/**
 * For `--skip-missing-deps`: rewrites a temporary copy's Chart.yaml (and requirements.yaml)
 * without the dependencies missing from charts/, and returns their names. Refuses any
 * directory outside the temp dir, so a user's chart can never be rewritten by mistake.
 */
export function withoutMissingDependencies(chartCopyDir: string): string[] {
  assertInsideTempDir(chartCopyDir);
  const missing = new Set(missingDependencies(chartCopyDir).map((dependency) => dependency.name));
  if (missing.size === 0) return [];
  for (const file of [CHART_FILE, REQUIREMENTS_FILE].map((name) => path.join(chartCopyDir, name))) {
    if (existsSync(file)) dropDependencies(file, missing);
  }
  return [...missing];
}

function dropDependencies(file: string, names: ReadonlySet<string>): void {
  const { document } = readYamlFile(file);
  const list = document.get("dependencies", true);
  if (!isSeq(list)) return;
  list.items = list.items.filter((item) => !(isMap(item) && names.has(scalarText(item.get("name", true)) ?? "")));
  replaceFile(file, document.toString());
}

/**
 * A file of a copy given new text: a new file in its place, never a write into the old one,
 * which may be a hard link to the user's chart (copyChart's `link`) or to another copy.
 */
export function replaceFile(file: string, text: string): void {
  unlinkSync(file);
  writeFileSync(file, text);
}

/** chartguard's own temporary folders (withWorkDir, tests) are named `chartguard-*` under the temp dir. */
function assertInsideTempDir(dir: string): void {
  const temp = realpathSync(tmpdir());
  const relative = path.relative(temp, realpathSync(dir));
  const [top] = relative.split(path.sep);
  if (!isInside(temp, realpathSync(dir)) || relative === "" || !top?.startsWith("chartguard-")) {
    throw new Error(`refusing to rewrite ${dir}: withoutMissingDependencies only works on chartguard's own copies under ${temp}`);
  }
}

// ============================================================================================
// Chart copies
// ============================================================================================

interface CopyContext {
  /** The chart's real path. */
  root: string;
  /** Nothing outside it is copied (see linkBoundary). */
  boundary: { dir: string; name: string };
  /** The path the user gave, for naming files in errors. */
  shownRoot: string;
  /** Puts one file of the chart in the copy. */
  place: (from: string, to: string) => void;
}

/**
 * Copies a chart directory tree for probes to perturb. Symlinks are replaced by what they
 * point to, as helm reads through them, when that is inside the repository holding the
 * chart (a file shared with a sibling chart); a link leading out of the repository is
 * refused, since rendering it would read files that are not the chart's to read.
 *
 * With `link`, files are hard links to the chart's (copies where the file system has none):
 * a chart with megabytes of CRDs and dashboards costs a folder walk, not its size. Whoever
 * changes a file of such a copy must replace it (replaceFile), never write into it, or the
 * user's chart would change with it.
 *
 * Synchronous: a chart is a few small files, and the copy stands between the user and a
 * probe render. Asynchronous calls each go through the thread pool and back, and with
 * helm already rendering on the other cores those round trips cost more than the copying.
 */
export function copyChart(source: string, destination: string, { link = false } = {}): void {
  let root: string;
  try {
    root = realpathSync(source);
  } catch {
    throw new InputError(`chart directory not found: ${source}`, source);
  }
  copyTree(root, destination, { root, boundary: linkBoundary(root), shownRoot: source, place: link ? linkFile : copyFileSync }, new Set([root]));
}

/** A hard link to the file, or a copy of it where the file system has no hard links (or another device holds the copy). */
export function linkFile(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

/** `ancestors` holds the real paths being copied above this one, to catch symlink loops. */
function copyTree(dir: string, destination: string, context: CopyContext, ancestors: ReadonlySet<string>): void {
  mkdirSync(destination, { recursive: true });
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const from = path.join(dir, entry.name);
    const to = path.join(destination, entry.name);
    if (entry.isSymbolicLink()) copyLinkTarget(from, to, context, ancestors);
    else if (entry.isDirectory()) copyTree(from, to, context, new Set([...ancestors, from]));
    else if (entry.isFile()) context.place(from, to);
    // Sockets, FIFOs and devices are not chart content (and reading a FIFO would block).
  }
}

function copyLinkTarget(link: string, to: string, context: CopyContext, ancestors: ReadonlySet<string>): void {
  const shown = path.join(context.shownRoot, path.relative(context.root, link));
  let target: string;
  try {
    target = realpathSync(link);
  } catch {
    throw new InputError(`symlink ${shown} is broken`, shown);
  }
  if (!isInside(context.boundary.dir, target)) {
    throw new InputError(`symlink ${shown} points outside ${context.boundary.name} (to ${target}); refusing to follow it`, shown);
  }
  const info = statSync(target);
  if (info.isDirectory()) {
    if (ancestors.has(target)) throw new InputError(`symlink ${shown} makes a loop (to ${target})`, shown);
    copyTree(target, to, context, new Set([...ancestors, target]));
  } else if (info.isFile()) {
    context.place(target, to);
  }
}
