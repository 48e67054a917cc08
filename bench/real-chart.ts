/**
 * A real chart for the bench, built offline: `helm dependency build` needs the chart
 * repositories, which the bench machine may not reach. The chart is copied, and each
 * dependency that its charts/ folder lacks is taken from a folder of the same name next to
 * the chart (a repository checkout such as prometheus-community/helm-charts keeps its charts
 * side by side), or from wherever `locate` finds it (a repository that keeps a shared library
 * chart in a folder of its own); a `file://` dependency from the folder it names, as `helm
 * dependency build` takes it (helm template reads only charts/). A dependency found nowhere is
 * dropped from Chart.yaml, and the bench says so.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
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

/** The folder of the chart a dependency names, or undefined: by default the sibling of that name. */
export type LocateChart = (name: string) => string | undefined;

/** Copies `source` into `into` (replacing it) with its dependencies vendored where `locate` finds them. */
export function assembleChart(source: string, into: string, locate: LocateChart = (name) => join(dirname(source), name)): AssembledChart {
  rmSync(into, { recursive: true, force: true });
  mkdirSync(dirname(into), { recursive: true });
  // Links kept as written: a link within the chart (examples/values.yaml → ../values.yaml)
  // still points inside the copy, where cpSync would make it absolute, into the source.
  cpSync(source, into, { recursive: true, verbatimSymlinks: true });
  const chartFile = join(into, "Chart.yaml");
  const document = parseDocument(readFileSync(chartFile, "utf8"));
  // An empty Chart.yaml is null: helm refuses that chart itself, and says so.
  const dependencies = (document.toJS() as { dependencies?: Dependency[] } | null)?.dependencies ?? [];
  const vendored: string[] = [];
  const dropped: string[] = [];
  const kept = dependencies.filter((dependency) => {
    const name = String(dependency.name);
    if (existsSync(join(into, "charts", name, "Chart.yaml")) || packagedIn(join(into, "charts"), name)) return true;
    const found = [locate(name), localDependency(source, dependency.repository)].find((dir) => dir !== undefined && existsSync(join(dir, "Chart.yaml")));
    if (found !== undefined) {
      // What is there is no chart: a link that points outside the chart (rook's charts/library → ../../library) dangles in the copy.
      rmSync(join(into, "charts", name), { recursive: true, force: true });
      cpSync(found, join(into, "charts", name), { recursive: true, verbatimSymlinks: true });
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

/** The folder a `file://` repository names, relative to the chart; undefined for any other repository. */
export function localDependency(chart: string, repository: unknown): string | undefined {
  return typeof repository === "string" && repository.startsWith("file://") ? resolve(chart, repository.slice("file://".length)) : undefined;
}

/** Whether `charts` holds the dependency packaged, as `helm dependency build` leaves it (`name-1.2.3.tgz`). */
function packagedIn(charts: string, name: string): boolean {
  return existsSync(charts) && readdirSync(charts).some((file) => file.startsWith(`${name}-`) && file.endsWith(".tgz") && /^\d/.test(file.slice(name.length + 1)));
}

/** Where the bench keeps its copy of a real chart. */
export function assembledChartDir(inputs: string, source: string): string {
  return join(inputs, `chart-${basename(source)}`);
}
