/**
 * `check --changed-files`: from the files a commit touches (as pre-commit passes them) to
 * what to check. A file inside a chart stands for the chart that renders it: the nearest
 * folder above it with Chart.yaml, and a subchart (PARENT/charts/NAME) for its parent,
 * which renders it. A file outside every chart is checked itself when it is a manifest (or
 * a chart archive); a config file stands for its folder, since it applies to every chart
 * below; anything else is left out. A directory passed as such is checked as given.
 */
import { statSync } from "node:fs";
import path from "node:path";
import { isChartDir } from "./chart.ts";
import { CHART_ARCHIVE, MANIFEST_FILE } from "./sources.ts";

export interface ChangedFilesOptions {
  /** File names of chartguard's config (.chartguard.yaml, ...): they stand for their folder. */
  configFileNames: readonly string[];
}

/** The inputs to check for `files`, each once, in the order first met. */
export function inputsForChangedFiles(files: readonly string[], options: ChangedFilesOptions): string[] {
  const inputs = new Map<string, string>();
  const add = (input: string) => {
    const key = path.resolve(input);
    if (!inputs.has(key)) inputs.set(key, input);
  };
  for (const file of files) {
    const kind = fileKind(file);
    if (kind === "directory") {
      add(file);
      continue;
    }
    const chart = chartHolding(file);
    if (chart !== undefined) add(chart);
    else if (options.configFileNames.includes(path.basename(file))) add(path.dirname(file));
    else if (kind === "file" && (MANIFEST_FILE.test(file) || CHART_ARCHIVE.test(file))) add(file);
  }
  return [...inputs.values()];
}

function fileKind(file: string): "directory" | "file" | "missing" {
  try {
    return statSync(file).isDirectory() ? "directory" : "file";
  } catch {
    return "missing";
  }
}

/** The chart that renders `file`, if any (see the module comment). */
function chartHolding(file: string): string | undefined {
  let chart: string | undefined;
  for (let dir = path.dirname(file); chart === undefined; dir = path.dirname(dir)) {
    if (isChartDir(dir)) chart = dir;
    else if (path.dirname(dir) === dir) return undefined;
  }
  while (path.basename(path.dirname(chart)) === "charts" && isChartDir(path.dirname(path.dirname(chart)))) {
    chart = path.dirname(path.dirname(chart));
  }
  return chart;
}
