/**
 * What a chart's files say beyond one render (analyze/context.ts `ChartFacts`): workloads
 * its templates declare that these values did not render, and which templates read an
 * object back from the cluster with `lookup`. Rules use it to stay quiet where the render
 * alone cannot prove a problem: a Service for a disabled component, a password the chart
 * generates once and then reuses.
 *
 * Template text is read, never evaluated: a workload counts as declared where a template
 * writes `kind: Deployment` (or another workload kind) literally beside a `metadata:`, and `lookup` is found in
 * the template or in any helper it includes (`include`/`template` by literal name, through
 * every chart of the tree, as Helm shares helpers).
 *
 * It belongs to the orchestration layer, not to render/: it reads the template texts the
 * render read (render/chart-templates.ts, while the chart's folder existed) and answers in
 * the analysis' terms (workload kinds from model/, `ChartFacts`).
 */
import path from "node:path";
import type { ChartFacts, UnrenderedWorkload } from "./analyze/context.ts";
import type { YamlDocument } from "./load/yaml.ts";
import { WORKLOAD_KINDS } from "./model/workloads.ts";
import type { RenderedChart } from "./render/chart-input.ts";
import { pathInChart } from "./render/helm.ts";

const DEFINE = /\{\{-?\s*define\s+"([^"]+)"\s*-?\}\}/g;
const INCLUDE = /\b(?:include|template)\s+"([^"]+)"/g;
const LOOKUP = /\blookup\s+"[^"]*"\s+"([^"]+)"/g;
const INSTALL_OR_UPGRADE = /\.Release\.Is(?:Install|Upgrade)\b/;
// `print $.Template.BasePath "/secret.yaml"`, or the path in parts: `"/controlplane" "/secret.yaml"`.
const BASE_PATH_INCLUDE = /\.Template\.BasePath((?:\s+"[^"]*")+)/g;
const KIND_LINE = /^(\s*)(- )?kind:\s*["']?([A-Za-z]+)["']?\s*(?:#.*)?$/;
const WORKLOAD_KIND_MENTION = new RegExp(`kind:\\s*["']?(?:${[...WORKLOAD_KINDS].join("|")})\\b`);

export function chartFacts(charts: readonly RenderedChart[]): ChartFacts {
  const missingDependencies = new Map<string, readonly string[]>();
  const unrenderedWorkloads = new Map<string, readonly UnrenderedWorkload[]>();
  const lookups = new Map<string, ReadonlySet<string>>();
  const installConditional = new Set<string>();
  const hashesReusedSecret = new Map<string, ReadonlySet<number>>();
  const deliberateLines = new Map<string, ReadonlySet<number>>();
  const regenerateSwitches = new Map<string, readonly string[]>();
  const templateTexts = new Map<string, readonly string[]>();
  const hashesWholeTemplates = new Map<string, ReadonlyMap<string, readonly string[]>>();
  const repositorySubchartPaths: string[] = [];
  const unreleasedChartPaths: string[] = [];
  for (const chart of charts) {
    if (chart.missingDependencies.length > 0) missingDependencies.set(chart.chartPath, chart.missingDependencies);
    const { appVersion } = chart.meta;
    if (appVersion !== undefined && !/\d/.test(appVersion)) unreleasedChartPaths.push(`${chart.meta.name}/templates/`);
    for (const dependency of chart.meta.dependencies) {
      if (fromChartRepository(dependency.repository)) repositorySubchartPaths.push(`${chart.meta.name}/charts/${dependency.alias ?? dependency.name}/`);
    }
    const files = chart.templates;
    if (files.size === 0) continue; // a chart tree that could not be read: no facts, rules keep their default
    const texts = templateTextFacts(files);
    const rendered = new Map<string, YamlDocument[]>();
    for (const doc of chart.docs) {
      const file = doc.template === undefined ? undefined : fileInChart(chart, doc.template);
      if (file === undefined) continue;
      const list = rendered.get(file);
      if (list) list.push(doc);
      else rendered.set(file, [doc]);
    }
    // Once per template, however many documents it rendered; all of them carry the same `template`.
    const reusing = (other: string) => texts.of(other).lookups.has("Secret");
    for (const [file, [first]] of rendered) {
      const template = first!.template!;
      const facts = texts.of(file);
      templateTexts.set(template, facts.parts);
      if (facts.lookups.size > 0) lookups.set(template, facts.lookups);
      if (facts.regenerateSwitches.length > 0) regenerateSwitches.set(template, facts.regenerateSwitches);
      if (facts.installConditional) installConditional.add(template);
      const reusedLines = new Set([...facts.hashing].filter(([, hashed]) => hashed.files.some(reusing)).map(([line]) => line));
      if (reusedLines.size > 0) hashesReusedSecret.set(template, reusedLines);
      const whole = wholeHashesByKey(files.get(file) ?? "", facts.hashing, rendered);
      if (whole.size > 0) hashesWholeTemplates.set(template, whole);
      if (facts.deliberate.size > 0) deliberateLines.set(template, facts.deliberate);
    }
    const unrendered = unrenderedTemplates(files, rendered, texts);
    if (unrendered.length > 0) unrenderedWorkloads.set(chart.chartPath, unrendered);
  }
  return { missingDependencies, unrenderedWorkloads, lookups, templateTexts, installConditional, hashesReusedSecret, hashesWholeTemplates, deliberateLines, regenerateSwitches, repositorySubchartPaths, unreleasedChartPaths };
}

/** A dependency fetched from a chart repository (`https://`, `oci://`, `@name`), not kept beside the chart (`file://`, or none: vendored in charts/). */
function fromChartRepository(repository: string | undefined): boolean {
  const where = repository?.trim() ?? "";
  return where !== "" && !where.startsWith("file://");
}

/** What one template's text says by itself, whatever rendered. */
interface TextFacts {
  /** The text and that of every helper it includes. */
  parts: string[];
  lookups: Set<string>;
  regenerateSwitches: string[];
  installConditional: boolean;
  hashing: Map<number, { files: string[]; whole: boolean }>;
  deliberate: Set<number>;
  declaredWorkloads: number;
}

interface TreeTextFacts {
  /** The facts of a file of the tree (of an empty text for a path the tree lacks). */
  of(file: string): TextFacts;
}

const textFactsByTree = new WeakMap<ReadonlyMap<string, string>, TreeTextFacts>();

/**
 * The text facts of every template of a chart tree, worked out once per tree (`files` as
 * render/chart-templates.ts read them). `check` asks as soon as the templates are read,
 * while helm still renders (check-render.ts), so that chartFacts finds them done.
 */
export function templateTextFacts(files: ReadonlyMap<string, string>): TreeTextFacts {
  const known = textFactsByTree.get(files);
  if (known !== undefined) return known;
  const helpers = definedHelpers(files);
  const byFile = new Map<string, TextFacts>();
  const of = (file: string): TextFacts => {
    let facts = byFile.get(file);
    if (facts === undefined) byFile.set(file, (facts = textFactsOf(file, files.get(file) ?? "", helpers)));
    return facts;
  };
  for (const file of files.keys()) if (!path.basename(file).startsWith("_")) of(file);
  const tree = { of };
  textFactsByTree.set(files, tree);
  return tree;
}

function textFactsOf(file: string, text: string, helpers: ReadonlyMap<string, string>): TextFacts {
  const parts = withIncludedHelpers(text, helpers);
  const lookups = lookupKinds(parts);
  return {
    parts,
    lookups,
    regenerateSwitches: lookups.size > 0 ? regenerating(parts) : [],
    installConditional: parts.some((part) => INSTALL_OR_UPGRADE.test(part)),
    hashing: hashingLines(file, text),
    deliberate: markedDeliberate(text),
    declaredWorkloads: declaredWorkloads(text),
  };
}

const VALUES_PATH = /\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g;
const REGENERATE = /^(?:re(?:create|generate|new)|rotate|forceRe)/i;

/** The values paths read by `parts` (a template and its helpers) whose last key asks for new generated values. */
function regenerating(parts: readonly string[]): string[] {
  const paths = new Set<string>();
  for (const part of parts) {
    for (const match of part.matchAll(VALUES_PATH)) {
      const path = match[1]!.slice(1);
      if (REGENERATE.test(path.slice(path.lastIndexOf(".") + 1))) paths.add(path);
    }
  }
  return [...paths].sort();
}

/**
 * A line that is a values toggle (`{{- if .Values.x }}`) or a comment that says what follows
 * restarts or rolls pods. Matched over the whole text, line by line (`m`, no class that
 * crosses a line end): templates are mostly lines of neither, which splitting into lines
 * would copy one by one.
 */
const MARKER_LINE =
  /^[ \t\r]*(?:\{\{-?[ \t]*if[ \t][^}\n]*\.Values\.[^}\n]*\}\}[ \t\r]*$|(?:#|\{\{-?[ \t]*\/\*).*\b(?:roll|rolls|rolling|restart|restarts|redeploy|redeploys)\b)/gim;

/** The 1-based lines right under a values toggle or under a comment that says they restart or roll pods, when not blank. */
function markedDeliberate(text: string): Set<number> {
  const lines = new Set<number>();
  let line = 1;
  let counted = 0;
  for (const marker of text.matchAll(MARKER_LINE)) {
    line += countLineEnds(text, counted, marker.index);
    counted = marker.index;
    const next = text.indexOf("\n", marker.index) + 1;
    if (next === 0) continue;
    const end = text.indexOf("\n", next);
    if (text.slice(next, end === -1 ? text.length : end).trim() !== "") lines.add(line + 1);
  }
  return lines;
}

function countLineEnds(text: string, from: number, to: number): number {
  let count = 0;
  for (let at = text.indexOf("\n", from); at !== -1 && at < to; at = text.indexOf("\n", at + 1)) count++;
  return count;
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

/** A template's text and that of every helper it includes, transitively. */
function withIncludedHelpers(text: string, helpers: ReadonlyMap<string, string>): string[] {
  const parts: string[] = [];
  const seen = new Set<string>();
  const pending = [text];
  while (pending.length > 0) {
    const next = pending.pop()!;
    parts.push(next);
    for (const match of next.matchAll(INCLUDE)) {
      const name = match[1]!;
      if (seen.has(name)) continue;
      seen.add(name);
      const body = helpers.get(name);
      if (body !== undefined) pending.push(body);
    }
  }
  return parts;
}

/**
 * The 1-based lines of a template's text that render other files of its own (sub)chart by
 * path (`include (print $.Template.BasePath "/x.yaml")`, a checksum annotation): those files,
 * as paths in the chart, and whether the line takes their whole text (metadata included) or,
 * through `fromYaml`, only part of it (`.data`).
 */
function hashingLines(file: string, text: string): Map<number, { files: string[]; whole: boolean }> {
  const root = /^(?:charts\/[^/]+\/)*templates\//.exec(file)?.[0] ?? "templates/";
  const lines = new Map<number, { files: string[]; whole: boolean }>();
  if (!text.includes(".Template.BasePath")) return lines; // most templates: no line to split and test
  text.split("\n").forEach((line, i) => {
    const files = [...line.matchAll(BASE_PATH_INCLUDE)].map((match) => root + [...match[1]!.matchAll(/"([^"]*)"/g)].map((part) => part[1]).join("").replace(/^\//, ""));
    if (files.length > 0) lines.set(i + 1, { files, whole: !/\bfromYaml\b/.test(line) });
  });
  return lines;
}

/** `checksum/config: {{ ... }}`: the key a line writes, quoted or not. */
const KEY_OF_LINE = /^\s*["']?([A-Za-z0-9][-A-Za-z0-9_./]*)["']?\s*:/;

/**
 * The keys (annotations) a template writes only as hashes of the whole text of other
 * templates, with those templates as the render names them (a rule finds their objects by
 * `template`). A key the template also writes otherwise (another branch of an `if`, with
 * `fromYaml`, of another file) is left out: which line rendered cannot be told from the text.
 */
function wholeHashesByKey(text: string, hashing: ReadonlyMap<number, { files: string[]; whole: boolean }>, rendered: ReadonlyMap<string, YamlDocument[]>): Map<string, readonly string[]> {
  if (hashing.size === 0) return new Map();
  const lines = text.split("\n");
  const keyAt = (line: number) => KEY_OF_LINE.exec(lines[line - 1] ?? "")?.[1];
  const found = new Map<string, readonly string[]>();
  for (const key of new Set([...hashing.keys()].map(keyAt))) {
    if (key === undefined) continue;
    const writes = lines.flatMap((_, i) => (keyAt(i + 1) === key ? [hashing.get(i + 1)] : []));
    const files = writes[0]?.files.join("\u0000");
    if (!writes.every((hashed) => hashed?.whole === true && hashed.files.join("\u0000") === files)) continue;
    const templates = writes[0]!.files.flatMap((other) => rendered.get(other)?.[0]?.template ?? []);
    if (templates.length > 0) found.set(key, templates);
  }
  return found;
}

/** Kinds a template looks up: `parts` is its text and that of the helpers it includes. */
function lookupKinds(parts: readonly string[]): Set<string> {
  const kinds = new Set<string>();
  for (const part of parts) for (const match of part.matchAll(LOOKUP)) kinds.add(match[1]!);
  return kinds;
}

/**
 * Templates that declare more workloads than they rendered with these values (a disabled
 * component, an empty list), as paths in the chart. Helpers (`_*.tpl`) render nothing by
 * themselves and are left out.
 */
function unrenderedTemplates(files: ReadonlyMap<string, string>, rendered: ReadonlyMap<string, YamlDocument[]>, texts: TreeTextFacts): UnrenderedWorkload[] {
  const found: UnrenderedWorkload[] = [];
  for (const file of files.keys()) {
    if (path.basename(file).startsWith("_")) continue;
    const facts = texts.of(file);
    if (facts.declaredWorkloads === 0) continue;
    const renderedWorkloads = (rendered.get(file) ?? []).filter((doc) => WORKLOAD_KINDS.has(kindOf(doc))).length;
    if (renderedWorkloads < facts.declaredWorkloads) found.push({ template: file, text: facts.parts.join("\n") });
  }
  return found.sort((a, b) => (a.template < b.template ? -1 : a.template > b.template ? 1 : 0));
}

/**
 * How many workloads a template's text declares: `kind: Deployment` (or another workload
 * kind) with a `metadata:` beside it in the same mapping. A kind under `scaleTargetRef:` or
 * `targetRef:` names another object, with no metadata of its own.
 */
function declaredWorkloads(text: string): number {
  // Most templates name no workload kind at all: only those are split into lines.
  if (!WORKLOAD_KIND_MENTION.test(text)) return 0;
  const lines = text.split("\n");
  let declared = 0;
  lines.forEach((line, i) => {
    const match = KIND_LINE.exec(line);
    if (match === null || !WORKLOAD_KINDS.has(match[3]!)) return;
    const indent = match[1]!.length + (match[2] === undefined ? 0 : 2);
    // A list item's mapping starts at its `- `: nothing above it belongs to it.
    if (hasSibling(lines, i, indent, 1) || (match[2] === undefined && hasSibling(lines, i, indent, -1))) declared++;
  });
  return declared;
}

/** Whether a `metadata:` key sits at `indent` in the mapping of line `from`, looking in `step`'s direction. */
function hasSibling(lines: readonly string[], from: number, indent: number, step: 1 | -1): boolean {
  for (let i = from + step; i >= 0 && i < lines.length; i += step) {
    const line = lines[i]!;
    const content = line.trimStart();
    if (content === "" || content.startsWith("{{") || content.startsWith("#")) continue;
    if (content.startsWith("---")) return false;
    const at = line.length - content.length + (content.startsWith("- ") ? 2 : 0);
    if (at < indent) return false;
    if (at === indent && /^(?:- )?metadata:/.test(content)) return true;
    if (content.startsWith("- ") && at === indent) return false; // another list item, or (looking up) the start of this one
  }
  return false;
}

/**
 * The chart-relative file a document's `template` names: the chart's file the render mapped
 * it to, else (a packaged subchart's template, not a file of its own) Helm's source path
 * without the chart's name, as render/chart-templates.ts files those.
 */
function fileInChart(chart: RenderedChart, template: string): string {
  return chart.templateFiles.get(template) ?? pathInChart(template);
}

function kindOf(doc: YamlDocument): string {
  const kind = (doc.value as { kind?: unknown } | null | undefined)?.kind;
  return typeof kind === "string" ? kind : "";
}
