/**
 * What a chart's files say beyond one render (analyze/context.ts `ChartFacts`): workloads
 * its templates declare that these values did not render, and which templates read an
 * object back from the cluster with `lookup`. Rules use it to stay quiet where the render
 * alone cannot prove a problem: a Service for a disabled component, a password the chart
 * generates once and then reuses.
 *
 * Template text is read, never evaluated: a workload counts as declared where a template
 * writes `kind: Deployment` (or another workload kind) literally, and `lookup` is found in
 * the template or in any helper it includes (`include`/`template` by literal name, through
 * every chart of the tree, as Helm shares helpers).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { ChartFacts } from "../analyze/context.ts";
import type { YamlDocument } from "../load/yaml.ts";
import { WORKLOAD_KINDS } from "../model/workloads.ts";
import type { RenderedChart } from "./chart-input.ts";
import { chartTree, type ChartNode } from "./probe-copy.ts";
import { chartFileResolver } from "./template-lines.ts";

const MAX_TEMPLATE_BYTES = 4 * 1024 * 1024;
const DEFINE = /\{\{-?\s*define\s+"([^"]+)"\s*-?\}\}/g;
const INCLUDE = /\b(?:include|template)\s+"([^"]+)"/g;
const LOOKUP = /\blookup\s+"[^"]*"\s+"([^"]+)"/g;
const DECLARED_KIND = /^\s*kind:\s*["']?([A-Za-z]+)["']?\s*(?:#.*)?$/gm;

export function chartFacts(charts: readonly RenderedChart[]): ChartFacts {
  const missingDependencies = new Map<string, readonly string[]>();
  const unrenderedWorkloads = new Map<string, readonly string[]>();
  const lookups = new Map<string, ReadonlySet<string>>();
  for (const chart of charts) {
    if (chart.missingDependencies.length > 0) missingDependencies.set(chart.chartPath, chart.missingDependencies);
    let nodes: ChartNode[];
    try {
      nodes = chartTree(chart.chartDir);
    } catch {
      continue; // a Chart.yaml Helm rendered but we cannot read: no facts, rules keep their default
    }
    const files = templateTexts(chart.chartDir, nodes);
    const helpers = definedHelpers(files);
    const inChart = fileInChart(chart);
    const rendered = new Map<string, YamlDocument[]>();
    for (const doc of chart.docs) {
      const file = doc.template === undefined ? undefined : inChart(doc.template);
      if (file === undefined) continue;
      const list = rendered.get(file);
      if (list) list.push(doc);
      else rendered.set(file, [doc]);
      const kinds = lookupKinds(files.get(file), helpers);
      if (kinds.size > 0) lookups.set(doc.template!, kinds);
    }
    const unrendered = [...unrenderedTemplates(files, rendered), ...silentSubcharts(chart, nodes)];
    if (unrendered.length > 0) unrenderedWorkloads.set(chart.chartPath, unrendered);
  }
  return { missingDependencies, unrenderedWorkloads, lookups };
}

/** Every file under templates/ of every chart in the tree (directories only), relative to the chart. */
function templateTexts(chartDir: string, nodes: readonly ChartNode[]): Map<string, string> {
  const texts = new Map<string, string>();
  const visit = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(file);
      else if (entry.isFile()) {
        const data = readFileSync(file);
        if (data.length <= MAX_TEMPLATE_BYTES && !data.includes(0)) texts.set(path.relative(chartDir, file), data.toString("utf8"));
      }
    }
  };
  for (const node of nodes) visit(path.join(node.dir, "templates"));
  return texts;
}

/** Helper name → its body: from its `define` to the next one (defines are top-level, one after another). */
function definedHelpers(files: ReadonlyMap<string, string>): Map<string, string> {
  const helpers = new Map<string, string>();
  for (const text of files.values()) {
    const starts = [...text.matchAll(DEFINE)];
    starts.forEach((match, i) => {
      const end = starts[i + 1]?.index ?? text.length;
      if (!helpers.has(match[1]!)) helpers.set(match[1]!, text.slice(match.index, end));
    });
  }
  return helpers;
}

/** Kinds a template looks up, itself or through the helpers it includes. */
function lookupKinds(text: string | undefined, helpers: ReadonlyMap<string, string>): Set<string> {
  const kinds = new Set<string>();
  if (text === undefined) return kinds;
  const seen = new Set<string>();
  const pending = [text];
  while (pending.length > 0) {
    const next = pending.pop()!;
    for (const match of next.matchAll(LOOKUP)) kinds.add(match[1]!);
    for (const match of next.matchAll(INCLUDE)) {
      const name = match[1]!;
      if (seen.has(name)) continue;
      seen.add(name);
      const body = helpers.get(name);
      if (body !== undefined) pending.push(body);
    }
  }
  return kinds;
}

/**
 * Templates that declare more workloads than they rendered with these values (a disabled
 * component, an empty list), as paths in the chart. Helpers (`_*.tpl`) render nothing by
 * themselves and are left out.
 */
function unrenderedTemplates(files: ReadonlyMap<string, string>, rendered: ReadonlyMap<string, YamlDocument[]>): string[] {
  const found: string[] = [];
  for (const [file, text] of files) {
    if (path.basename(file).startsWith("_")) continue;
    const declared = [...text.matchAll(DECLARED_KIND)].filter((match) => WORKLOAD_KINDS.has(match[1]!)).length;
    if (declared === 0) continue;
    const renderedWorkloads = (rendered.get(file) ?? []).filter((doc) => WORKLOAD_KINDS.has(kindOf(doc))).length;
    if (renderedWorkloads < declared) found.push(file.replaceAll(path.sep, "/"));
  }
  return found.sort();
}

/** Packaged subcharts (`charts/x.tgz`, not read here) that rendered nothing: disabled, their workloads unseen. */
function silentSubcharts(chart: RenderedChart, nodes: readonly ChartNode[]): string[] {
  const archives = nodes.flatMap((node) => {
    const dir = path.join(node.dir, "charts");
    if (!existsSync(dir)) return [];
    try {
      return readdirSync(dir)
        .filter((name) => /\.tgz$/i.test(name))
        .map((name) => ({ parent: path.relative(chart.chartDir, node.dir), name: name.replace(/-v?\d+\.\d+\.\d+.*\.tgz$/i, "").replace(/\.tgz$/i, "") }));
    } catch {
      return [];
    }
  });
  return archives
    .filter(({ name }) => !chart.docs.some((doc) => doc.template !== undefined && doc.template.split("/").includes(name)))
    .map(({ parent, name }) => path.join(parent, "charts", `${name} (packaged, rendered nothing)`).replaceAll(path.sep, "/"));
}

/** The chart-relative file a document's `template` names (on disk for a directory chart; Helm's source for an archive). */
function fileInChart(chart: RenderedChart): (template: string) => string | undefined {
  const onDisk = chartFileResolver(chart.chartDir);
  return (template) => {
    if (template.startsWith(chart.chartPath + path.sep)) return path.relative(chart.chartPath, template);
    return onDisk(template.split("/").slice(1).join("/"));
  };
}

function kindOf(doc: YamlDocument): string {
  const kind = (doc.value as { kind?: unknown } | null | undefined)?.kind;
  return typeof kind === "string" ? kind : "";
}
