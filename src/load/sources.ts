/**
 * What the user pointed chartguard at: rendered manifests (files, directories, stdin)
 * and charts (a directory with Chart.yaml, or a packaged .tgz). A directory is searched
 * for both; a chart's own templates are never read as manifests.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "../errors.ts";
import { isChartDir } from "./chart.ts";
import { describeFsError, isDirectory, STDIN } from "./manifests.ts";

export type Source = { kind: "manifest"; path: string } | { kind: "chart"; path: string };

const MANIFEST_FILE = /\.(ya?ml|json)$/i;
const CHART_ARCHIVE = /\.tgz$/i;

export async function discoverSources(input: string): Promise<Source[]> {
  if (input === STDIN) return [{ kind: "manifest", path: STDIN }];
  if (CHART_ARCHIVE.test(input)) return [{ kind: "chart", path: input }];
  if (!(await isDirectory(input))) return [{ kind: "manifest", path: input }];
  if (isChartDir(input)) return [{ kind: "chart", path: input }];
  return walk(input);
}

async function walk(dir: string): Promise<Source[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
    throw new InputError(`cannot read directory: ${describeFsError(error)}`, dir);
  });
  const sources: Source[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      sources.push(...(isChartDir(path) ? [{ kind: "chart" as const, path }] : await walk(path)));
    } else if (entry.isFile() && MANIFEST_FILE.test(entry.name)) {
      sources.push({ kind: "manifest", path });
    }
  }
  return sources;
}

export async function discoverAll(inputs: readonly string[]): Promise<Source[]> {
  const sources: Source[] = [];
  for (const input of inputs) sources.push(...(await discoverSources(input)));
  if (sources.filter((s) => s.path === STDIN).length > 1) throw new InputError("stdin (-) can be read only once");
  return sources;
}
