/**
 * The label helpers of a chart in the `helm create` layout: a `<name>.labels` helper that
 * includes a `<name>.selectorLabels` helper. The selector-labels helper is the stable set
 * a repair puts where the full labels helper made a field change with every release.
 * Bitnami's common library has the same pair, `common.labels.standard` and
 * `common.labels.matchLabels`, called with the labels to add (`customLabels`). A chart
 * whose labels helper includes no selector-labels helper gets one (selectorHelpersToAdd).
 *
 * Pure: reads the text of the chart's `.tpl` files, never the disk.
 */
import { templateLines, type LineEdit } from "./patch.ts";

/** `{{- define "webapp.labels" -}}` ... `{{- end }}`, the body between them. */
const DEFINE = /\{\{-?\s*define\s+"([^"]+)"\s*-?\}\}([\s\S]*?)\{\{-?\s*end\s*-?\}\}/g;
const INCLUDE = /\binclude\s+"([^"]+)"/g;
/** The helm create name of the stable helper, and the ones some charts use instead (`x.selector.labels`, `labels.selector`). */
const SELECTOR_HELPER = /(?:selectorLabels|selector-labels|matchLabels|selector\.labels|(?:^|\.)labels\.selector)$/i;

/** Whether a helper's name says it holds the selector labels. */
export function isSelectorHelper(name: string): boolean {
  return SELECTOR_HELPER.test(name);
}

/**
 * For each labels helper that includes a selector-labels helper: the labels helper's name
 * mapped to the selector-labels helper's. A body is read up to its first `end`, which may
 * close an inner `if` or `with`: the include of the selector labels comes before those in
 * the `helm create` layout, and a helper cut short is only a repair missed, never a wrong one.
 * A labels helper `<prefix>.labels` that includes none is paired with `<prefix>.selectorLabels`
 * (or `<prefix>.selector.labels`) when the chart defines it.
 */
export function selectorHelpers(helperTexts: Iterable<string>): Map<string, string> {
  const pairs = new Map<string, string>();
  const defined = new Set<string>();
  for (const text of helperTexts) {
    for (const [, name, body] of text.matchAll(DEFINE)) {
      if (name === undefined || body === undefined) continue;
      defined.add(name);
      if (isSelectorHelper(name)) continue;
      const included = [...body.matchAll(INCLUDE)].map((m) => m[1]!).filter(isSelectorHelper);
      // Two selector helpers in one labels helper: which one the field needs is not known.
      if (included.length === 1) pairs.set(name, included[0]!);
    }
  }
  // A labels helper that includes none, next to a selector-labels helper of its own name (the one the chart's selectors use).
  for (const name of defined) {
    const prefix = /^(.+)\.labels$/.exec(name)?.[1];
    const twins = [`${prefix}.selectorLabels`, `${prefix}.selector.labels`].filter((twin) => defined.has(twin));
    if (prefix !== undefined && !pairs.has(name) && !isSelectorHelper(name) && twins.length === 1) pairs.set(name, twins[0]!);
  }
  return pairs;
}

const BITNAMI_STANDARD = /\binclude\s+"common\.labels\.standard"\s+\(\s*dict\s+"customLabels"\s+(\S+)\s+"context"\s+(\S+)\s*\)/;

/**
 * Whether the chart has the Bitnami common helpers a repair needs: `common.labels.matchLabels`
 * taking `customLabels` (common 2.x), and `common.tplvalues.merge` to add the custom labels back.
 */
export function hasBitnamiCommon(helperTexts: Iterable<string>): boolean {
  let matchLabels = false;
  let merge = false;
  for (const text of helperTexts) {
    for (const [, name, body] of text.matchAll(DEFINE)) {
      if (name === "common.labels.matchLabels" && body?.includes("customLabels")) matchLabels = true;
      if (name === "common.tplvalues.merge") merge = true;
    }
  }
  return matchLabels && merge;
}

/**
 * A line's `include "common.labels.standard" (dict "customLabels" X "context" C)` rewritten
 * to the custom labels merged over `common.labels.matchLabels`: the labels the pods had,
 * without helm.sh/chart, app.kubernetes.io/version and managed-by; the custom labels win
 * as they did in the standard helper. Undefined when the line has no such include.
 */
export function bitnamiStableLine(line: string): string | undefined {
  const match = BITNAMI_STANDARD.exec(line);
  if (!match) return undefined;
  const [call, custom, context] = match as unknown as [string, string, string];
  const stable = `include "common.tplvalues.merge" ( dict "values" ( list ${custom} ( include "common.labels.matchLabels" ( dict "customLabels" ${custom} "context" ${context} ) ) ) "context" ${context} )`;
  return line.replace(call, () => stable);
}

/**
 * A selector-labels helper `fix` adds to a chart whose labels helper includes none: the
 * labels helper's own name and instance lines, copied as they are, so the new helper names
 * things the way the chart already does and yields a subset of what the labels helper did.
 */
export interface AddedSelectorHelper {
  /** `<prefix>.selectorLabels` for a labels helper `<prefix>.labels`. */
  name: string;
  /** The label keys it carries (the name label, then the instance label). */
  keys: string[];
  /** The lines that define it, inserted after the labels helper's `end` (one edit, shared by every repair that uses it). */
  edit: LineEdit;
}

/** The label keys that name the application and the release, in the recommended and the older style. */
const NAME_KEYS: readonly string[] = ["app.kubernetes.io/name", "app"];
const INSTANCE_KEYS: readonly string[] = ["app.kubernetes.io/instance", "release"];
/** A value that changes with a chart or app release, or reads a template variable whose meaning is not copied along. */
const UNSTABLE_VALUE = /\.Chart\.(?:Version|AppVersion)\b|\binclude\s+"[^"]*\.chart"|\$[A-Za-z_]/;
const CONTROL = /\{\{-?\s*(define|if|with|range|block|end)\b(?:\s+"([^"]+)")?/g;
/** A line holding only an `end`: the new helper goes after it. */
const END_LINE = /^\s*\{\{-?\s*end\s*-?\}\}\s*$/;
/** `  key: value` on one line: the key (quoted or not), then a value. */
const LABEL_LINE = /^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[\w./-]+)\s*:\s+\S/;

/** A `define` of a template file: its name, and its first and last line (0-based, the `define` and its `end`). */
interface DefineBlock {
  name: string;
  start: number;
  end: number;
  /** Body lines outside any `if`, `with` or `range` of the helper. */
  topLevel: number[];
}

/** Every `define` of a file, read action by action so that an inner `if` or `with` does not end it. */
export function defineBlocks(text: string): DefineBlock[] {
  const lines = templateLines(text);
  const blocks: DefineBlock[] = [];
  const open: ({ name: string; start: number; topLevel: number[] } | undefined)[] = [];
  lines.forEach((line, index) => {
    const current = open.length === 1 ? open[0] : undefined;
    let control = false;
    for (const [, keyword, name] of line.matchAll(CONTROL)) {
      control = true;
      if (keyword === "end") {
        const closed = open.pop();
        if (closed !== undefined && open.length === 0) blocks.push({ ...closed, end: index });
      } else open.push(keyword === "define" && open.length === 0 ? { name: name ?? "", start: index, topLevel: [] } : undefined);
    }
    if (current !== undefined && !control && open.length === 1) current.topLevel.push(index);
  });
  return blocks;
}

/**
 * For each labels helper (`<prefix>.labels`) that includes no selector-labels helper: the
 * selector-labels helper to add, when its body has one name line and one instance line of
 * stable values at its top level. Reads the chart's `.tpl` files by path; a chart that
 * already defines `<prefix>.selectorLabels` needs none added (`selectorHelpers` pairs it).
 */
export function selectorHelpersToAdd(helperFiles: ReadonlyMap<string, string>, paired: ReadonlyMap<string, string>): Map<string, AddedSelectorHelper> {
  const blocks = [...helperFiles].flatMap(([file, text]) => defineBlocks(text).map((block) => ({ file, lines: templateLines(text), block })));
  const defined = new Set(blocks.map(({ block }) => block.name));
  const added = new Map<string, AddedSelectorHelper>();
  for (const { file, lines, block } of blocks) {
    const prefix = /^(.+)\.labels$/.exec(block.name)?.[1];
    const name = `${prefix}.selectorLabels`;
    // A chart that defines `<prefix>.selectorLabels` already has the helper: selectorHelpers pairs it.
    if (prefix === undefined || isSelectorHelper(block.name) || paired.has(block.name) || defined.has(name) || !END_LINE.test(lines[block.end]!)) continue;
    const chosen = [NAME_KEYS, INSTANCE_KEYS].map((keys) => stableLine(lines, block.topLevel, keys));
    if (chosen.some((line) => line === undefined)) continue;
    const copied = chosen.map((line) => line!.text);
    const replacement = ["", "{{/*", `Selector labels: the labels of "${block.name}" that stay the same across releases`, "*/}}", `{{- define "${name}" -}}`, ...copied, "{{- end }}"];
    added.set(block.name, { name, keys: chosen.map((line) => line!.key), edit: { file, line: block.end + 2, count: 0, replacement } });
  }
  return added;
}

/** The one top-level line of a helper body that writes one of `keys` with a stable value. */
function stableLine(lines: readonly string[], topLevel: readonly number[], keys: readonly string[]): { key: string; text: string } | undefined {
  const found = topLevel.flatMap((index) => {
    const key = LABEL_LINE.exec(lines[index]!)?.[1]?.replace(/^["']|["']$/g, "");
    return key !== undefined && keys.includes(key) ? [{ key, text: lines[index]!.trim() }] : [];
  });
  // Both styles, or the key written twice: which one the selector should keep is not known.
  if (found.length !== 1 || UNSTABLE_VALUE.test(found[0]!.text)) return undefined;
  return found[0];
}
