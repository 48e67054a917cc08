/**
 * Field lines for documents too large for the `yaml` package's node tree (which costs
 * about 30 bytes of memory per byte of text): follows block-style keys and sequence
 * items by their indentation, the way `helm template` and `kubectl get -o yaml` write
 * them. Anything else (flow collections, anchors, explicit keys) ends the walk at the
 * nearest line found so far, which is what `locate` promises for absent fields.
 *
 * Every large region (a mapping or a sequence) is indexed once, on first use, so locating
 * many fields of one huge document costs one pass over it. What is kept is small beside
 * the text: 4 bytes a line, and for a large sequence the first line of each item.
 */
import { keyString, resolvePlainScalar } from "./k8s-scalars.ts";

/** A field's path in a document: keys and list indexes. */
export type PathSegment = string | number;
export type FieldPath = readonly PathSegment[];

/** A block collection: its first line, the column its keys or `-` items start at, its end (exclusive). */
interface Region {
  line: number;
  column: number;
  end: number;
  /**
   * Set when the block's end was not measured (`end` is then only a bound): it ends, as
   * blockAfter measures it, at the first line after its first whose content is indented at
   * most `stop` (the column of its key), unless that is one of its own `-` items.
   */
  stop?: number;
}

interface Entry {
  /** 0-based line of the key or the `-`. */
  line: number;
  /** Where the value's own block starts, when it continues on later lines or after `- `. */
  child?: Region;
}

type RegionIndex = { kind: "map"; entries: Map<string, Entry> } | { kind: "seq"; itemLines: number[]; items: ItemEntries } | { kind: "other" };

/**
 * A large sequence's items once measured: every finding of a List's object walks into its
 * item, and measuring the item reads all of its lines. Kept in typed arrays (16 bytes an
 * item, however many are measured), not as objects: a dump with a finding on most objects
 * would otherwise keep one more object per object.
 */
class ItemEntries {
  private readonly lines: Int32Array;
  private readonly childLines: Int32Array;
  private readonly columns: Int32Array;
  /** -1: the item has no block of its own. */
  private readonly ends: Int32Array;

  constructor(count: number) {
    this.lines = new Int32Array(count).fill(-1); // -1: not measured yet
    this.childLines = new Int32Array(count);
    this.columns = new Int32Array(count);
    this.ends = new Int32Array(count);
  }

  get(item: number, measure: () => Entry): Entry {
    if (this.lines[item] === -1) {
      const { line, child } = measure();
      this.lines[item] = line;
      this.ends[item] = child === undefined ? -1 : child.end;
      if (child !== undefined) [this.childLines[item], this.columns[item]] = [child.line, child.column];
    }
    const line = this.lines[item]!;
    const end = this.ends[item]!;
    return end === -1 ? { line } : { line, child: { line: this.childLines[item]!, column: this.columns[item]!, end } };
  }
}

const KEY = /^(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s#'"&*!?|>%@`{}[\],-][^#]*?|-[^\s#][^#]*?))[ \t]*:(?:[ \t]+|$)/;
const NODE_PROPERTIES = /^(?:(?:&[^\s]+|![^\s]*)[ \t]*)*(?:#.*)?$/;
/** Regions of at least this many lines keep their index (a List's items, a namespace's dump). */
const INDEXED_REGION_LINES = 2048;
/**
 * How many recent walks are remembered: a rule that orders a finding's fields by line and the
 * finding's own location ask for the same path one after the other, and an object's
 * findings come together; a few suffice, and memory stays constant.
 */
const RECENT_WALKS = 16;

export class BlockLocator {
  /** Where each line starts (a typed array: 4 bytes a line, not 8+). */
  private readonly lineStarts: Uint32Array;
  private readonly indexes = new Map<string, RegionIndex>();
  /** Compared segment by segment: a key made of the path (JSON) cost more than the comparisons. */
  private readonly recentWalks: { path: FieldPath; found: { line: number; complete: boolean } }[] = [];
  private oldestWalk = 0;
  /** The top-level block, found on first use (null: the document has none). */
  private root: Region | null | undefined;

  constructor(
    private readonly text: string,
    /** 1-based line of the document's first line in its file. */
    private readonly startLine: number,
    /** How many lines `text` has (its line breaks plus one), known from splitting the file. */
    private readonly lines: number,
    /**
     * js-yaml read `text` and refused no key written twice in a mapping (it refuses them
     * unless told to keep the last): the first line of a key is then its only one, and a
     * search stops there instead of reading the rest of the mapping.
     */
    private readonly uniqueKeys = false,
  ) {
    const starts = new Uint32Array(lines);
    let line = 1; // starts[0] = 0
    for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) starts[line++] = at + 1;
    this.lineStarts = starts;
  }

  /** 1-based file line of the field at `path`, or of its nearest ancestor found. */
  locate(path: FieldPath): number {
    return this.walk(path).line;
  }

  /** 1-based file line of the field at `path` when every step of it was found, else undefined. */
  locateExact(path: FieldPath): number | undefined {
    const found = this.walk(path);
    return found.complete ? found.line : undefined;
  }

  private walk(path: FieldPath): { line: number; complete: boolean } {
    for (const recent of this.recentWalks) if (samePath(recent.path, path)) return recent.found;
    const found = this.walkUncached(path);
    // A copy: a caller may change its array afterwards.
    const walked = { path: [...path], found };
    if (this.recentWalks.length < RECENT_WALKS) this.recentWalks.push(walked);
    else {
      this.recentWalks[this.oldestWalk] = walked;
      this.oldestWalk = (this.oldestWalk + 1) % RECENT_WALKS;
    }
    return found;
  }

  private walkUncached(path: FieldPath): { line: number; complete: boolean } {
    if (this.root === undefined) this.root = this.rootRegion() ?? null;
    const { root } = this;
    if (root === null) return { line: this.startLine, complete: false };
    let region: Region | undefined = root;
    let line = root.line;
    let found = 0;
    for (const segment of path) {
      if (region === undefined) break;
      const entry = this.entry(region, segment);
      if (entry === undefined) break;
      line = entry.line;
      region = entry.child;
      found++;
    }
    return { line: this.startLine + line, complete: found === path.length };
  }

  private lineText(line: number): string {
    const start = this.lineStarts[line]!;
    const newline = this.text.indexOf("\n", start);
    const text = this.text.slice(start, newline === -1 ? this.text.length : newline);
    return text.endsWith("\r") ? text.slice(0, -1) : text;
  }

  /** Indentation of a line that holds content, or undefined for blank and comment-only lines. */
  private indentOf(line: number): number | undefined {
    // Fast path, no allocation: spaces, then a printable ASCII character that is not `#`.
    const start = this.lineStarts[line]!;
    let at = start;
    while (this.text.charCodeAt(at) === 32) at++;
    const c = this.text.charCodeAt(at);
    if (c > 32 && c < 127) return c === 35 ? undefined : at - start;
    const text = this.lineText(line);
    const indent = text.length - text.trimStart().length;
    const rest = text.slice(indent);
    if (rest === "" || rest.startsWith("#")) return undefined;
    return text.slice(0, indent).includes("\t") ? undefined : indent;
  }

  private rootRegion(): Region | undefined {
    for (let line = 0; line < this.lines; line++) {
      const text = this.lineText(line);
      if (text.startsWith("---")) {
        if (text.slice(3).trim() !== "" && !text.slice(3).trim().startsWith("#")) return undefined;
        continue;
      }
      if (text.startsWith("%")) continue;
      const indent = this.indentOf(line);
      if (indent === undefined) continue;
      return { line, column: indent, end: this.lines };
    }
    return undefined;
  }

  /** The lines after `from` that belong to a block nested deeper than `column` (or its `-` items at `column`). */
  private blockAfter(from: number, column: number, end: number): Region | undefined {
    const start = this.blockStart(from, column, end);
    if (start === undefined) return undefined;
    const { line: first, column: firstIndent } = start;
    const sequenceAtColumn = firstIndent === column;
    let last = this.nextShallowLine(first + 1, end, column);
    for (; last < end; last = this.nextShallowLine(last + 1, end, column)) {
      const indent = this.indentOf(last);
      if (indent === undefined) continue;
      if (indent > column) continue;
      if (sequenceAtColumn && indent === column && isItemAt(this.text, this.lineStarts[last]! + indent)) continue;
      break;
    }
    return { line: first, column: firstIndent, end: last };
  }

  /** Where blockAfter's block starts, its end left to be found by whoever reads its lines (see Region.stop). */
  private blockStart(from: number, column: number, end: number): Region | undefined {
    for (let line = from + 1; line < end; line++) {
      const indent = this.indentOf(line);
      if (indent === undefined) continue;
      const isItem = isItemAt(this.text, this.lineStarts[line]! + indent);
      return indent > column || (indent === column && isItem) ? { line, column: indent, end, stop: column } : undefined;
    }
    return undefined;
  }

  /** Whether a line of a region whose end was not measured, holding content indented `indent`, is past it. */
  private endsAt(region: Region, line: number, indent: number): boolean {
    if (region.stop === undefined || indent > region.stop) return false;
    return !(indent === region.column && isItemAt(this.text, this.lineStarts[line]! + indent));
  }

  /**
   * The first line from `from` on (before `end`, else `end`) that starts with at most `column`
   * spaces. Every other line is indented deeper than `column` or holds no content, so loops
   * looking for the end of a block check only these; this test reads a character or two of
   * each line, where indentOf reads all of its indentation.
   */
  private nextShallowLine(from: number, end: number, column: number): number {
    for (let line = from; line < end; line++) {
      const start = this.lineStarts[line]!;
      for (let at = start + column; at >= start; at--) if (this.text.charCodeAt(at) !== 32) return line;
    }
    return end;
  }

  private entry(region: Region, segment: PathSegment): Entry | undefined {
    // A small region (one object of a List) is searched again when asked again: cheaper than
    // keeping an index of every object that has a finding for the rest of the run.
    if (region.end - region.line < INDEXED_REGION_LINES) return this.find(region, segment);
    const id = `${region.line}:${region.column}`;
    let index = this.indexes.get(id);
    if (index === undefined) {
      index = this.index(region);
      this.indexes.set(id, index);
    }
    if (index.kind === "map") return typeof segment === "string" ? index.entries.get(segment) : undefined;
    if (index.kind === "seq" && typeof segment === "number" && segment < index.itemLines.length) return index.items.get(segment, () => this.itemAt(index.itemLines[segment]!, region));
    return undefined;
  }

  private index(region: Region): RegionIndex {
    if (isItemAt(this.text, this.lineStarts[region.line]! + region.column)) {
      const itemLines = this.itemLines(region, Infinity);
      return { kind: "seq", itemLines, items: new ItemEntries(itemLines.length) };
    }
    const entries = this.keys(region);
    return entries === undefined ? { kind: "other" } : { kind: "map", entries };
  }

  /**
   * One key or item of a region, as `index` would find it, without reading the others: only
   * the lines at the region's column are looked at, and only the found entry's block is
   * measured. Keys that are not plain names (quoted, odd characters) leave it to `keys`.
   */
  private find(region: Region, segment: PathSegment): Entry | undefined {
    const { text } = this;
    const { column, end } = region;
    if (isItemAt(text, this.lineStarts[region.line]! + column)) {
      if (typeof segment !== "number") return undefined;
      const lines = this.itemLines(region, segment + 1);
      return segment < lines.length ? this.itemAt(lines[segment]!, region) : undefined;
    }
    if (typeof segment !== "string") return undefined;
    let found: Entry | undefined;
    for (let line = region.line; line < end; line = this.nextShallowLine(line + 1, end, column)) {
      if (line !== region.line) {
        const indent = this.indentOf(line);
        if (indent !== undefined && this.endsAt(region, line, indent)) break;
        if (indent !== column) continue;
      }
      const lineStart = this.lineStarts[line]!;
      const at = lineStart + column;
      if (isItemAt(text, at)) continue; // an indentless sequence: the value of the key above
      const colon = plainKeyEnd(text, at);
      if (colon === undefined) return this.keys(region)?.get(segment);
      if (!plainKeyIs(text, at, colon, segment)) continue;
      const entry: Entry = { line }; // the last of duplicate keys wins, as in Kubernetes
      let valueAt = colon + 1;
      while (text.charCodeAt(valueAt) === 32 || text.charCodeAt(valueAt) === 9) valueAt++;
      const rest = this.lineText(line).slice(valueAt - lineStart);
      if (this.uniqueKeys) {
        // The only line of the key: its block is not measured, only where it starts (its lines are read when walked into).
        const child = onlyNodeProperties(rest) ? this.blockStart(line, column, end) : undefined;
        return child === undefined ? entry : { line, child };
      }
      const child = onlyNodeProperties(rest) ? this.blockAfter(line, column, end) : undefined;
      if (child !== undefined) entry.child = child;
      found = entry;
      if (child === undefined) continue;
      line = child.end - 1; // its lines are measured: on to the next key after them
    }
    return found;
  }

  /** The first lines of a sequence region's `-` items, the first `limit` of them. */
  private itemLines(region: Region, limit: number): number[] {
    const lines: number[] = [];
    const { column, end } = region;
    // Every line of an item's block is indented past the column: only the lines at it are read.
    for (let line = region.line; line < end && lines.length < limit; line = this.nextShallowLine(line + 1, end, column)) {
      if (line !== region.line) {
        const indent = this.indentOf(line);
        if (indent !== undefined && this.endsAt(region, line, indent)) break;
        if (indent !== column) continue;
      }
      if (!isItemAt(this.text, this.lineStarts[line]! + column)) break;
      lines.push(line);
    }
    return lines;
  }

  private itemAt(line: number, region: Region): Entry {
    return this.item(line, region.column, this.lineText(line).slice(region.column), region.end);
  }

  /** A mapping region's keys (lines at exactly its column), or undefined when its first line is not a key. */
  private keys(region: Region): Map<string, Entry> | undefined {
    const firstText = this.lineText(region.line).slice(region.column);
    if (!KEY.test(firstText)) return undefined;
    const keys = new Map<string, Entry>();
    for (let line = region.line; line < region.end; line++) {
      const indent = line === region.line ? region.column : this.indentOf(line);
      if (indent !== undefined && line !== region.line && this.endsAt(region, line, indent)) break;
      if (indent !== region.column) continue;
      const text = this.lineText(line).slice(indent);
      if (isItemAt(this.text, this.lineStarts[line]! + indent)) continue; // an indentless sequence: the value of the key above
      let name: string;
      let rest: string;
      const simple = simpleKey(text);
      if (simple !== undefined) {
        name = simple.name;
        rest = text.slice(simple.end);
      } else {
        const match = KEY.exec(text);
        if (match === null) {
          if (text.startsWith("#")) continue;
          break;
        }
        name = keyName(match);
        rest = text.slice(match[0].length);
      }
      const entry: Entry = { line };
      keys.set(name, entry); // the last of duplicate keys wins, as in Kubernetes
      if (onlyNodeProperties(rest)) {
        const child = this.blockAfter(line, indent, region.end);
        if (child !== undefined) {
          entry.child = child;
          // Past the child block, whether deeper or an indentless sequence (`- ` at this
          // column, as kubectl prints): none of its lines is a key of this mapping.
          line = child.end - 1;
        }
      }
    }
    return keys;
  }

  /** A `-` item: its value starts after `- ` on the same line (a compact mapping), or on the next lines. */
  private item(line: number, indent: number, text: string, end: number): Entry {
    const after = text.slice(1);
    const spaces = after.length - after.trimStart().length;
    const content = after.trimStart();
    if (content === "" || NODE_PROPERTIES.test(content)) {
      // The item is the block on the following lines, and starts where it does.
      const child = this.blockAfter(line, indent, end);
      return child === undefined ? { line } : { line: child.line, child };
    }
    if (!KEY.test(content)) return { line };
    const column = indent + 1 + spaces;
    // The compact mapping's other keys sit at `column` on the following lines.
    let last = this.nextShallowLine(line + 1, end, column - 1);
    for (; last < end; last = this.nextShallowLine(last + 1, end, column - 1)) {
      const lineIndent = this.indentOf(last);
      if (lineIndent === undefined) continue;
      if (lineIndent < column) break;
    }
    return { line, child: { line, column, end: last } };
  }
}

/** Same segments in the same order; a key "0" is not the index 0. */
function samePath(a: FieldPath, b: FieldPath): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `-` followed by a space, a tab or the line's end, at `at`. */
function isItemAt(text: string, at: number): boolean {
  if (text.charCodeAt(at) !== 45 /* - */) return false;
  const next = text.charCodeAt(at + 1);
  return next === 32 || next === 9 || next === 10 || next === 13 || Number.isNaN(next);
}

/**
 * Where the colon of a plain key starting at `at` is (as simpleKey reads one: letters,
 * digits and `._/-`, not `-` first, then `:` and a space, a tab or the line's end), or
 * undefined for any other line.
 */
function plainKeyEnd(text: string, at: number): number | undefined {
  if (text.charCodeAt(at) === 45 /* - */) return undefined;
  for (let i = at; ; i++) {
    const c = text.charCodeAt(i);
    if (c === 58 /* : */) {
      if (i === at) return undefined;
      const after = text.charCodeAt(i + 1);
      return after === 32 || after === 9 || after === 10 || after === 13 || Number.isNaN(after) ? i : undefined;
    }
    if (!isPlainKeyCharacter(c)) return undefined;
  }
}

function isPlainKeyCharacter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 47 || c === 95 || c === 45;
}

/**
 * Whether the plain key in text[at, at + length) can only be read as itself: it starts with
 * a letter (numbers start with a digit, a sign or a dot) and is no YAML 1.1 word (`false`,
 * the longest, has five characters; all start with one of MAYBE_WORD).
 */
function isLiteralKey(text: string, at: number, length: number): boolean {
  const first = text.charCodeAt(at);
  const letter = (first >= 97 && first <= 122) || (first >= 65 && first <= 90);
  return letter && (length > 5 || !MAYBE_WORD.has(text[at]!));
}

/** Whether the plain key in text[at, colon) names `segment`, comparing characters where it can only be itself. */
function plainKeyIs(text: string, at: number, colon: number, segment: string): boolean {
  if (isLiteralKey(text, at, colon - at)) return colon - at === segment.length && text.startsWith(segment, at);
  return keyString(resolvePlainScalar(text.slice(at, colon))) === segment;
}

/** The common case of KEY without the regular expression: a plain key (see plainKeyEnd), its name and where its value starts. */
function simpleKey(text: string): { name: string; end: number } | undefined {
  const colon = plainKeyEnd(text, 0);
  if (colon === undefined) return undefined;
  let end = colon + 1;
  while (text.charCodeAt(end) === 32 || text.charCodeAt(end) === 9) end++;
  const key = text.slice(0, colon);
  return { name: isLiteralKey(text, 0, colon) ? key : keyString(resolvePlainScalar(key)), end };
}

const MAYBE_WORD = new Set(["n", "N", "y", "Y", "t", "T", "f", "F", "o", "O"]);

/** NODE_PROPERTIES.test(rest), skipping the expression when `rest` is plainly empty or a scalar. */
function onlyNodeProperties(rest: string): boolean {
  if (rest === "") return true;
  const c = rest.charCodeAt(0);
  if (c !== 38 /* & */ && c !== 33 /* ! */ && c !== 35 /* # */ && c !== 32 && c !== 9) return false;
  return NODE_PROPERTIES.test(rest);
}

function keyName(match: RegExpExecArray): string {
  if (match[1] !== undefined) {
    try {
      return JSON.parse(`"${match[1]}"`) as string;
    } catch {
      return match[1];
    }
  }
  if (match[2] !== undefined) return match[2].replaceAll("''", "'");
  return keyString(resolvePlainScalar(match[3]!.trimEnd()));
}
