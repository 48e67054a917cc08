/**
 * A real chart for the bench, built offline: `helm dependency build` needs the chart
 * repositories, which the bench machine may not reach. The chart is copied, and each
 * dependency that its charts/ folder lacks is taken from a folder of the same name next to
 * the chart (a repository checkout such as prometheus-community/helm-charts keeps its charts
 * side by side). A dependency found nowhere is dropped from Chart.yaml, and the bench says so.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parseDocument } from "yaml";

export interface AssembledChart {
  dir: string;
  /** Dependencies taken from the chart's sibling folders. */
  vendored: string[];
  /** Dependencies found nowhere offline, left out of Chart.yaml. */
  dropped: string[];
}

interface Dependency {
  name?: unknown;
  repository?: unknown;
}

/** Copies `source` into `into` (replacing it) with its dependencies vendored where the siblings have them. */
export function assembleChart(source: string, into: string): AssembledChart {
  rmSync(into, { recursive: true, force: true });
  mkdirSync(dirname(into), { recursive: true });
  cpSync(source, into, { recursive: true });
  const chartFile = join(into, "Chart.yaml");
  const document = parseDocument(readFileSync(chartFile, "utf8"));
  const dependencies = (document.toJS() as { dependencies?: Dependency[] }).dependencies ?? [];
  const vendored: string[] = [];
  const dropped: string[] = [];
  const kept = dependencies.filter((dependency) => {
    const name = String(dependency.name);
    if (existsSync(join(into, "charts", name, "Chart.yaml"))) return true;
    // file:// dependencies are resolved by helm itself from the copied tree.
    if (typeof dependency.repository === "string" && dependency.repository.startsWith("file://")) return true;
    const sibling = join(dirname(source), name);
    if (existsSync(join(sibling, "Chart.yaml"))) {
      cpSync(sibling, join(into, "charts", name), { recursive: true });
      vendored.push(name);
      return true;
    }
    dropped.push(name);
    return false;
  });
  if (dropped.length > 0) {
    document.set("dependencies", kept);
    writeFileSync(chartFile, document.toString());
  }
  // A lock file names the dropped dependencies too; helm template does not need it.
  rmSync(join(into, "Chart.lock"), { force: true });
  return { dir: into, vendored, dropped };
}

/** Where the bench keeps its copy of a real chart. */
export function assembledChartDir(inputs: string, source: string): string {
  return join(inputs, `chart-${basename(source)}`);
}
