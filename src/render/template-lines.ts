/**
 * The line in a chart template that produced a field of a rendered object, so that
 * findings (and SARIF, GitHub annotations) land on the chart's source, not on Helm's output.
 *
 * The field's path is walked through the template text by indentation: `spec:` →
 * `selector:` → `matchLabels:` → the label key written literally. Where the walk cannot go
 * on (the entries come from an `include`, `toYaml` or `with` block), the line inside the
 * block that names what the finding is about (`.Chart.Version`, the values path,
 * `randAlphaNum`, ...) is taken, else the first `include`/`toYaml`/`template`/`tpl`/`with`
 * /`range` line in it. A path that ends at a map (a values map copied in whole) prefers
 * the line naming the values path inside the map's block.
 *
 * `templateLineIn` is pure; src/template-locator.ts turns it into the lookup the core calls
 * without I/O, over the template texts the renders read (render/chart-input.ts).
 */
import { existsSync, readdirSync } from "node:fs";
import { escapeRegExp } from "../load/regexp.ts";
import path from "node:path";
import { isChartDir, readChartMeta } from "../load/chart.ts";
import type { FieldPath } from "../load/yaml.ts";

interface Line {
  /** 0-based index in the file. */
  index: number;
  text: string;
  /** For a YAML key line: the key and the column it starts at; for a list item: the dash's column. */
  key?: string;
  keyIndent?: number;
  dashIndent?: number;
  /** Only template actions (and whitespace) on the line: it never ends a block. */
  templateOnly: boolean;
  blank: boolean;
}

const KEY_LINE = /^(\s*)((?:-\s+)*)("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"{\-][^#]*?|-[^\s#][^#]*?)\s*:(?:\s|$)/;
const DASH_LINE = /^(\s*)-(?:\s|$)/;
const ACTION_ONLY = /^\s*(?:\{\{[\s\S]*?\}\}\s*)+$/;
const INCLUDE_LIKE = /\{\{-?\s*(?:.*\b(?:include|toYaml|template|tpl|with|range|merge|fromYaml)\b)/;

function parseLines(text: string): Line[] {
  return text.split(/\r?\n/).map((raw, index) => {
    const trimmed = raw.trim();
    const blank = trimmed === "" || trimmed.startsWith("#");
    const templateOnly = !blank && ACTION_ONLY.test(raw);
    const line: Line = { index, text: raw, templateOnly, blank };
    if (blank || templateOnly) return line;
    const dash = DASH_LINE.exec(raw);
    if (dash) line.dashIndent = dash[1]!.length;
    const key = KEY_LINE.exec(raw);
    if (key) {
      line.key = unquote(key[3]!.trim());
      line.keyIndent = key[1]!.length + key[2]!.length;
    }
    return line;
  });
}

function unquote(key: string): string {
  if (key.startsWith('"') && key.endsWith('"')) return key.slice(1, -1).replace(/\\(.)/g, "$1");
  if (key.startsWith("'") && key.endsWith("'")) return key.slice(1, -1).replace(/''/g, "'");
  return key;
}

/** The column a structural line starts at (its dash for a list item). */
function indentOf(line: Line): number {
  return line.dashIndent ?? line.keyIndent ?? line.text.length - line.text.trimStart().length;
}

/** Lines [start, end) of the YAML document `ordinal` (among those of `kind`) in a template. */
function documentSection(lines: readonly Line[], kind: string, ordinal: number): [number, number] {
  const sections: [number, number][] = [];
  let start = 0;
  lines.forEach((line, i) => {
    if (/^---(\s|$)/.test(line.text)) {
      if (i > start) sections.push([start, i]);
      start = i + 1;
    }
  });
  if (lines.length > start) sections.push([start, lines.length]);
  const kindLine = new RegExp(`^kind:\\s*["']?${escapeRegExp(kind)}["']?\\s*$`);
  const ofKind = sections.filter(([from, to]) => lines.slice(from, to).some((line) => kindLine.test(line.text)));
  if (ofKind.length > 0) return ofKind[Math.min(ordinal, ofKind.length - 1)]!;
  return [0, lines.length];
}

/** The end (exclusive) of the block under the structural line at `at`. */
function blockEnd(lines: readonly Line[], at: number, end: number): number {
  const parent = lines[at]!;
  const indent = parent.keyIndent ?? indentOf(parent);
  const isItem = parent.dashIndent !== undefined && parent.keyIndent === undefined;
  for (let i = at + 1; i < end; i++) {
    const line = lines[i]!;
    if (line.blank || line.templateOnly) continue;
    const lineIndent = indentOf(line);
    if (lineIndent > indent) continue;
    // A sequence may sit at its parent key's own indentation.
    if (!isItem && lineIndent === indent && line.dashIndent === indent && parent.dashIndent !== indent) continue;
    return i;
  }
  return end;
}

/** A child key of the block (from, to): the shallowest key lines. */
function childKey(lines: readonly Line[], from: number, to: number, key: string): number | undefined {
  let shallowest: number | undefined;
  for (let i = from; i < to; i++) {
    const indent = lines[i]!.keyIndent;
    if (indent !== undefined && (shallowest === undefined || indent < shallowest)) shallowest = indent;
  }
  for (let i = from; i < to; i++) if (lines[i]!.key === key && lines[i]!.keyIndent === shallowest) return i;
  return undefined;
}

/** The n-th list item of the block (from, to). */
function listItem(lines: readonly Line[], from: number, to: number, n: number): number | undefined {
  const items: number[] = [];
  let shallowest: number | undefined;
  for (let i = from; i < to; i++) {
    const dash = lines[i]!.dashIndent;
    if (dash === undefined) continue;
    if (shallowest === undefined || dash < shallowest) {
      shallowest = dash;
      items.length = 0;
    }
    if (dash === shallowest) items.push(i);
  }
  return items[n];
}

/** The end of the list item starting at `at`: the next item of the same list, or the block's end. */
function itemEnd(lines: readonly Line[], at: number, end: number): number {
  const dash = lines[at]!.dashIndent!;
  for (let i = at + 1; i < end; i++) {
    const line = lines[i]!;
    if (line.blank || line.templateOnly) continue;
    if (indentOf(line) <= dash) return i;
  }
  return end;
}

function hintLine(lines: readonly Line[], from: number, to: number, hints: readonly RegExp[]): number | undefined {
  for (const hint of hints) {
    for (let i = from; i < to; i++) if (hint.test(lines[i]!.text)) return i;
  }
  return undefined;
}

function includeLine(lines: readonly Line[], from: number, to: number): number | undefined {
  for (let i = from; i < to; i++) if (INCLUDE_LIKE.test(lines[i]!.text)) return i;
  return undefined;
}

/**
 * The 1-based line in `text` (a template) that produced the field at `path` of the
 * `ordinal`-th object of `kind` the template rendered; undefined when not even the first
 * key of the path is in the template.
 */
export function templateLineIn(text: string, kind: string, ordinal: number, path: FieldPath, hints: readonly RegExp[]): number | undefined {
  const lines = parseLines(text);
  const [start, end] = documentSection(lines, kind, ordinal);
  let from = start;
  let to = end;
  let found: number | undefined;
  for (const segment of path) {
    const next = typeof segment === "number" ? listItem(lines, from, to, segment) : childKey(lines, from, to, segment);
    if (next === undefined) {
      if (found === undefined) return undefined;
      // The rest comes from a helper or a values block: the line that brings it in.
      const own = lines[found]!.text.includes("{{") ? found : undefined;
      const line = hintLine(lines, found, to, hints) ?? own ?? includeLine(lines, found + 1, to) ?? found;
      return line + 1;
    }
    found = next;
    to = typeof segment === "number" ? itemEnd(lines, next, to) : blockEnd(lines, next, to);
    // A list item's first key may be on the dash line itself.
    from = typeof segment === "number" ? next : next + 1;
  }
  if (found === undefined) return undefined;
  // A whole map (e.g. a values map copied into matchLabels): the line inside it that names the cause.
  if (to > found + 1 && hints.length > 0) {
    const line = hintLine(lines, found + 1, to, hints);
    if (line !== undefined) return line + 1;
  }
  return found + 1;
}

/**
 * For `parseRender`: the file on disk, relative to `chartDir`, that Helm names `inChart`
 * in `# Source:` (e.g. `charts/jobs/templates/x.yaml`). A subchart under an alias is named
 * by the alias, while its folder is named after the chart (`charts/worker/`); a packaged
 * subchart has no files on disk (undefined).
 */
export function chartFileResolver(chartDir: string): (inChart: string) => string | undefined {
  const subchartDirs = new Map<string, string | undefined>();
  const subchartDir = (dir: string, named: string): string | undefined => {
    const key = `${dir}\u0000${named}`;
    if (subchartDirs.has(key)) return subchartDirs.get(key);
    let found: string | undefined = isChartDir(path.join(dir, "charts", named)) ? path.join("charts", named) : undefined;
    if (found === undefined) {
      try {
        const dependency = readChartMeta(dir).dependencies.find((d) => d.alias === named || d.name === named);
        const wanted = dependency?.name ?? named;
        const entries = readdirSync(path.join(dir, "charts"), { withFileTypes: true }).filter((e) => e.isDirectory());
        const match = entries.find((entry) => {
          const candidate = path.join(dir, "charts", entry.name);
          try {
            return isChartDir(candidate) && readChartMeta(candidate).name === wanted;
          } catch {
            return false;
          }
        });
        if (match) found = path.join("charts", match.name);
      } catch {
        found = undefined; // no charts/ folder, or a Chart.yaml Helm will complain about
      }
    }
    subchartDirs.set(key, found);
    return found;
  };
  return (inChart) => {
    if (existsSync(path.join(chartDir, inChart))) return inChart;
    const segments = inChart.split("/");
    let relative = "";
    let i = 0;
    while (segments[i] === "charts" && segments[i + 1] !== undefined && segments[i + 2] !== undefined) {
      const sub = subchartDir(path.join(chartDir, relative), segments[i + 1]!);
      if (sub === undefined) return undefined;
      relative = path.join(relative, sub);
      i += 2;
    }
    const resolved = path.join(relative, ...segments.slice(i));
    return resolved !== inChart && existsSync(path.join(chartDir, resolved)) ? resolved : undefined;
  };
}
