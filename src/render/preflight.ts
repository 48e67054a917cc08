/**
 * What is checked before helm runs, so that helm never reads what it should not:
 *
 * - Symlinks in a chart the user named. Helm follows them when it loads a chart, so a link
 *   to `/etc` or `~/.kube` would put files the chart does not own into the render (and into
 *   chartguard's report). Links that stay inside the repository holding the chart (a file
 *   shared with a sibling chart) are followed as helm follows them; others are refused.
 * - Values files (`-f`, `--set-file`): helm would fetch a URL (chartguard never reaches the
 *   network) and names a missing file only in an error about the chart.
 */
import { type Dirent, readdirSync, realpathSync, statSync } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { InputError } from "../errors.ts";
import { isInside, linkBoundary } from "../load/paths.ts";

/**
 * Throws an InputError naming the first symlink that leads out of the chart, is broken, or
 * loops. Synchronous, for the reason copyChart gives: the walk stands between the user and
 * the render, and each asynchronous call would wait its turn behind the probes' file work.
 */
export function checkChartLinks(chartDir: string, shownRoot: string = chartDir): void {
  let root: string;
  try {
    root = realpathSync(chartDir);
  } catch {
    throw new InputError("chart directory not found", shownRoot);
  }
  walk(root, root, linkBoundary(root), shownRoot, new Set([root]));
}

function walk(dir: string, root: string, boundary: { dir: string; name: string }, shownRoot: string, ancestors: ReadonlySet<string>): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    entries = [];
  }
  for (const entry of entries) {
    // Most entries are plain files: their path is never built.
    if (entry.isDirectory()) {
      const from = path.join(dir, entry.name);
      if (entry.name !== ".git") walk(from, root, boundary, shownRoot, new Set([...ancestors, from]));
      continue;
    }
    if (!entry.isSymbolicLink()) continue;
    const from = path.join(dir, entry.name);
    const shown = path.join(shownRoot, path.relative(root, from));
    let target: string;
    try {
      target = realpathSync(from);
    } catch {
      throw new InputError("symlink is broken", shown);
    }
    if (!isInside(boundary.dir, target)) {
      throw new InputError(`symlink points outside ${boundary.name} (to ${target}); refusing to render a chart that reads files it does not hold`, shown);
    }
    const info = statSync(target);
    if (info.isDirectory()) {
      if (ancestors.has(target)) throw new InputError(`symlink makes a loop (to ${target})`, shown);
      walk(target, root, boundary, shownRoot, new Set([...ancestors, target]));
    }
  }
}

const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** The local files named by `-f/--values` and `--set-file key=path`: each must exist and be a file. */
export async function checkValueFiles(inputs: { valuesFiles: readonly string[]; setFile: readonly string[] }): Promise<void> {
  const files = [
    ...inputs.valuesFiles.map((file) => ({ file, flag: "-f/--values" })),
    ...inputs.setFile.map((entry) => ({ file: entry.slice(entry.indexOf("=") + 1), flag: "--set-file" })),
  ];
  for (const { file, flag } of files) {
    if (URL_SCHEME.test(file)) {
      throw new InputError(`${flag} names a URL; chartguard never reaches the network: download the file and pass its local path`, file);
    }
    const info = await stat(file).catch(() => undefined);
    if (info === undefined) throw new InputError(`${flag}: no such file`, file);
    if (!info.isFile()) throw new InputError(`${flag}: not a file`, file);
  }
}
