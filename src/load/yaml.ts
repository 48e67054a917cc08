/**
 * Multi-document YAML as Kubernetes reads it, with a line for every field.
 *
 * Two parsers, one semantics: js-yaml (fast, ~15 MB/s) builds the values of every
 * document; the `yaml` package (slow, but with node positions and per-document errors)
 * is used only for a document that js-yaml refuses (duplicate keys, syntax errors,
 * alias-heavy input) and, lazily, to find the line of a field a finding points at.
 * Plain scalars are resolved by k8s-scalars.ts in both, so both give the same values.
 */
import { isAscii } from "node:buffer";
import jsyaml from "js-yaml";
import { LineCounter, Parser, Composer, isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from "yaml";
import { InputError } from "../errors.ts";
import {
  boolScalar,
  floatScalar,
  intScalar,
  isNullScalar,
  keyString,
  resolvePlainScalar,
  resolveTaggedScalar,
} from "./k8s-scalars.ts";
import { BlockLocator, type FieldPath, type PathSegment } from "./block-locator.ts";
import { withoutCrdSchemas } from "./crd-schemas.ts";
import { bytesSource, textSource, type TextSource } from "./text-source.ts";
import { withoutUnreadBodies } from "./unread-bodies.ts";

// Defined with the locator (which yaml.ts uses), so that the two modules do not import each other.
export type { FieldPath, PathSegment } from "./block-locator.ts";

export interface DuplicateKey {
  key: string;
  line: number;
}

export interface YamlDocument {
  /** The file as the user named it, or `<stdin>`. */
  file: string;
  /** 0-based position of the document in its file. */
  index: number;
  /** 1-based line in the file where the document's text starts. */
  startLine: number;
  /** Helm's `# Source: chart/templates/x.yaml` comment, when present. */
  template?: string;
  /** The line of that comment. */
  sourceCommentLine?: number;
  value: unknown;
  duplicateKeys: DuplicateKey[];
  /** 1-based line in the file of the field at `path` (or of its nearest present ancestor). */
  locate(path: FieldPath): number;
  /** The document's text, its first line being `startLine` (for `# chartguard-ignore:` comments); helm's output is decoded when this is first read. */
  readonly text?: string;
  /** Whether the text contains `needle` (ASCII), read without decoding it. */
  mentions(needle: string): boolean;
  /** For a document helm rendered: the chart as the user named it (`git:REF:path` for a chart at a revision); `file` is then a label. */
  chart?: string;
  /** For a document helm rendered: Helm's own `# Source:` path (`web/templates/job.yaml`), the same wherever the chart is. */
  source?: string;
  /** For a document a subchart rendered (`# Source: parent/charts/db/...`): that subchart as Helm names it (its alias), the innermost one. */
  subchart?: string;
  /** Set by the render stage for what helm rendered: the release name and the chart as the user named it. */
  release?: HelmRelease;
  /**
   * Set by the render stage for a document of a crds/ folder of the chart or of a subchart,
   * which Helm installs before the release, skipping what exists, and never upgrades: the line
   * of the render where that file's first line is (Helm prints a crds/ file verbatim).
   */
  crdsFileStart?: number;
}

export interface HelmRelease {
  name: string;
  /** The namespace the release was rendered into (`-n`), which `helm upgrade` needs again; empty when none was given. */
  namespace: string;
  /** Absent when the chart has no path `helm upgrade` could take (a git revision). */
  chart?: string;
  /** The values arguments of the render (`--values=prod.yaml`, `--set=a=b`): an upgrade without them would reset the values. */
  valuesArguments: string[];
}

const MAX_DEPTH = 1000;
const MAX_EXPANDED_NODES = 1_000_000;
// Above this size a document never goes through `yaml`'s node tree (about 30 bytes of memory
// per byte of text): js-yaml builds its value and BlockLocator finds its lines.
const LARGE_DOCUMENT_CHARS = 8 * 1024 * 1024;
// Alias-heavy documents go to the `yaml` path, which bounds alias expansion.
const ALIAS_HEAVY = 64;
const ALIAS_TOKEN = /(?:^|[\s[{,:-])\*[^\s,[\]{}]+/g;
const ANCHOR_TOKEN = /(?:^|[\s[{,:-])&[^\s,[\]{}]+/;

function hasAnchor(text: string): boolean {
  return text.includes("&") && ANCHOR_TOKEN.test(text);
}

// js-yaml tries every implicit type on every plain scalar, keys included, in this order.
// Most scalars are names and words, so each resolver first rules out what cannot be its
// type by length or first character; a number is computed once, in resolve, for construct.
const mayBeNumber = (data: string) => {
  const c = data.charCodeAt(0);
  return ((c >= 48 && c <= 57) || c === 45 /* - */ || c === 43 /* + */ || c === 46 /* . */) && numberCharacters(data);
};

/**
 * Whether `data` has only what intScalar and floatScalar accept: digits, `_`, `.`, hex
 * letters and base prefixes, and a sign first or after an exponent's `e`. Rules out the
 * many scalars that start with a digit but are no number (uids, timestamps, `10.0.0.1:80`)
 * before the regular expressions of both resolvers (int, then float) try them.
 */
function numberCharacters(data: string): boolean {
  let previous = 0; // the last character that is not `_`, which the parsers drop
  for (let i = 0; i < data.length; i++) {
    const c = data.charCodeAt(i);
    if (c === 95 /* _ */) continue;
    if (c === 43 /* + */ || c === 45 /* - */) {
      if (previous !== 0 && previous !== 101 /* e */ && previous !== 69 /* E */) return false;
    } else if (!((c >= 48 && c <= 57) || c === 46 /* . */ || isHexOrBasePrefix(c))) {
      return false;
    }
    previous = c;
  }
  return true;
}

/** a-f, A-F (b and B included), and the x, X, o, O of `0x` and `0o`. */
function isHexOrBasePrefix(c: number): boolean {
  const lower = c | 32;
  return (lower >= 97 && lower <= 102) || lower === 120 /* x */ || lower === 111 /* o */;
}
let resolvedText: string | undefined;
let resolvedNumber: number | undefined;
const resolveNumber = (data: string | null, parse: (text: string) => number | undefined): boolean => {
  if (data === null || !mayBeNumber(data)) return false;
  const value = parse(data);
  if (value === undefined) return false;
  resolvedText = data;
  resolvedNumber = value;
  return true;
};
const constructNumber = (data: string, parse: (text: string) => number | undefined) =>
  data === resolvedText ? resolvedNumber : parse(data);

const K8S_JSYAML_SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    new jsyaml.Type("tag:yaml.org,2002:null", {
      kind: "scalar",
      resolve: (data: string | null) => data === null || (data.length <= 4 && isNullScalar(data)),
      construct: () => null,
    }),
    new jsyaml.Type("tag:yaml.org,2002:bool", {
      kind: "scalar",
      resolve: (data: string | null) => data !== null && data.length <= 5 && boolScalar(data) !== undefined,
      construct: (data: string) => boolScalar(data),
    }),
    new jsyaml.Type("tag:yaml.org,2002:int", {
      kind: "scalar",
      resolve: (data: string | null) => resolveNumber(data, intScalar),
      construct: (data: string) => constructNumber(data, intScalar),
    }),
    new jsyaml.Type("tag:yaml.org,2002:float", {
      kind: "scalar",
      resolve: (data: string | null) => resolveNumber(data, floatScalar),
      construct: (data: string) => constructNumber(data, floatScalar),
    }),
    new jsyaml.Type("tag:yaml.org,2002:merge", {
      kind: "scalar",
      resolve: (data: string | null) => data === "<<" || data === null,
    }),
  ],
  explicit: [
    new jsyaml.Type("tag:yaml.org,2002:binary", {
      kind: "scalar",
      construct: (data: string) => resolveTaggedScalar("tag:yaml.org,2002:binary", data),
    }),
  ],
});

/**
 * One document of a stream. Given as bytes (helm's output), it is decoded when its text is
 * first read: a CustomResourceDefinition's schemas are cut from its bytes (crd-schemas.ts),
 * and unless a finding or a comment there asks for its text, that is never decoded.
 */
class DocumentText {
  #text: string | undefined;
  #bytes: Buffer | undefined;

  constructor(
    content: string | Buffer,
    readonly startLine: number,
    /** How many lines it has (its line breaks plus one). */
    readonly lines: number,
  ) {
    if (typeof content === "string") this.#text = content;
    else this.#bytes = content;
  }

  /** Replaced by js-yaml's copy of the same text once js-yaml has read it (see loadFast). */
  get text(): string {
    if (this.#text === undefined) {
      const bytes = this.#bytes!;
      this.#text = bytes.toString(isAscii(bytes) ? "latin1" : "utf8");
      this.#bytes = undefined;
    }
    return this.#text;
  }

  set text(text: string) {
    this.#text = text;
    this.#bytes = undefined;
  }

  /** In characters, or in bytes while not decoded. */
  get size(): number {
    return this.#text?.length ?? this.#bytes!.length;
  }

  /** The text as it is held, read in place. */
  get source(): TextSource {
    return this.#text === undefined ? bytesSource(this.#bytes!) : textSource(this.#text);
  }

  /** Whether `needle` (ASCII) occurs in the text, read without decoding it. */
  includes(needle: string): boolean {
    return this.#text?.includes(needle) ?? this.#bytes!.includes(needle, 0, "latin1");
  }
}

const SOURCE_COMMENT = /^# Source: (.+?)\s*$/;

/**
 * The documents of a stream, split on document markers (which cannot occur inside content,
 * so this is safe): each a slice of the input, which holds the input once however many
 * documents it has. Bytes are split as they are (UTF-8 puts no byte below 0x80 inside a
 * character, so line breaks and markers are where they are) and each document is decoded
 * on its own, when read: decoded whole, one character outside ASCII (a curly quote in a
 * CRD's description) would make the whole text a string of two-byte characters.
 */
function splitDocuments(input: string | Uint8Array): DocumentText[] {
  const bytes = typeof input === "string" ? undefined : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const text = bytes === undefined ? textSource(input as string) : bytesSource(bytes);
  const document = (start: number, end: number, startLine: number, lines: number) =>
    new DocumentText(bytes === undefined ? (input as string).slice(start, end) : bytes.subarray(start, end), startLine, lines);
  const docs: DocumentText[] = [];
  // A byte-order mark is not part of the first document.
  let startOffset = bytes === undefined ? (text.codeAt(0) === 0xfeff ? 1 : 0) : bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let startLine = 0; // 0-based line where the current document starts
  let line = 0;
  for (let offset = startOffset; ; ) {
    const lineEnd = text.lineEnd(offset);
    const c = text.codeAt(offset);
    if ((c === 45 /* - */ || c === 46 /* . */) && isDocumentMarker(text, offset, lineEnd)) {
      if (c === 45 && line > startLine) {
        docs.push(document(startOffset, offset - 1, startLine + 1, line - startLine));
        startLine = line;
        startOffset = offset;
      } else if (c === 46) {
        docs.push(document(startOffset, lineEnd, startLine + 1, line + 1 - startLine));
        startLine = line + 1;
        startOffset = lineEnd + 1;
      }
    }
    if (lineEnd === text.length) break;
    offset = lineEnd + 1;
    line++;
  }
  if (line + 1 > startLine) docs.push(document(startOffset, text.length, startLine + 1, line + 1 - startLine));
  return docs;
}

/** A line that is `---` or `...`, alone or followed by a space or tab (then a comment or content). */
function isDocumentMarker(text: TextSource, offset: number, lineEnd: number): boolean {
  if (lineEnd - offset < 3) return false;
  const marker = text.codeAt(offset);
  if (text.codeAt(offset + 1) !== marker || text.codeAt(offset + 2) !== marker) return false;
  if (lineEnd === offset + 3) return true;
  const next = text.codeAt(offset + 3);
  return next === 32 || next === 9;
}

/** Helm's `# Source:` comment among the document's first lines: the template, and the comment's line within the document (0-based). */
function sourceComment(text: TextSource): { template: string; line: number } | undefined {
  for (let line = 0, at = 0; line < 8 && at <= text.length; line++, at = text.lineEnd(at) + 1) {
    const match = SOURCE_COMMENT.exec(text.slice(at, text.lineEnd(at)));
    if (match) return { template: match[1]!, line };
  }
  return undefined;
}

/** The fields a document takes from its `# Source:` comment. */
function sourceFields(chunk: DocumentText): Pick<YamlDocument, "template" | "sourceCommentLine"> {
  const comment = sourceComment(chunk.source);
  return comment === undefined ? {} : { template: comment.template, sourceCommentLine: chunk.startLine + comment.line };
}

/** How a stream is read: for tests, which parser reads which document; for speed, what need not be parsed again or at all. */
export interface ParseOptions {
  /** Read every document with the `yaml` package, as happens to documents js-yaml refuses. */
  positionedOnly?: boolean;
  /** Documents longer than this many characters are read as large ones (default 8 Mi). */
  largeDocumentChars?: number;
  /** Parse CustomResourceDefinitions in full, their schemas included (see crd-schemas.ts). */
  crdSchemas?: boolean;
  /** Leave out the bodies no rule reads from a single render: ConfigMap and Secret data, PrometheusRule spec (see unread-bodies.ts). */
  skipUnreadBodies?: boolean;
  /** Find every line with the `yaml` package's node tree: the reference the indentation locator must agree with. */
  locateWithYaml?: boolean;
  /**
   * Documents parsed before (`parsedByText`): a document whose text is the same is not parsed
   * again, it shares their value. A probe render of a chart is mostly its base render again.
   */
  parsed?: ReadonlyMap<string, YamlDocument>;
}

/** Every document of a stream: text, or UTF-8 bytes as a program printed them (helm's output, see splitDocuments). */
export function parseYamlStream(input: string | Uint8Array, file: string, options: ParseOptions = {}): YamlDocument[] {
  const { parsed } = options;
  return splitDocuments(input).map((chunk, index) => {
    const same = parsed?.get(withoutFinalNewline(chunk.text));
    return same === undefined ? parseDocument(chunk, index, file, options) : sameDocumentAgain(same, chunk, index, file);
  });
}

/** Documents by their text, for `ParseOptions.parsed`. */
export function parsedByText(docs: readonly YamlDocument[]): Map<string, YamlDocument> {
  const byText = new Map<string, YamlDocument>();
  for (const doc of docs) if (doc.text !== undefined) byText.set(withoutFinalNewline(doc.text), doc);
  return byText;
}

/** The last document of a stream keeps the stream's final newline; the same document elsewhere does not. */
function withoutFinalNewline(text: string): string {
  return text.endsWith("\n") ? text.slice(0, -1) : text;
}

/** A document with the text of one parsed before, at its own place: the same value, lines shifted. */
function sameDocumentAgain(same: YamlDocument, chunk: DocumentText, index: number, file: string): YamlDocument {
  const shift = chunk.startLine - same.startLine;
  return {
    file,
    index,
    startLine: chunk.startLine,
    ...sourceFields(chunk),
    value: same.value,
    duplicateKeys: same.duplicateKeys.map((duplicate) => ({ ...duplicate, line: duplicate.line + shift })),
    locate: (path) => same.locate(path) + shift,
    get text() {
      return chunk.text;
    },
    mentions: (needle) => chunk.includes(needle),
  };
}

function parseDocument(chunk: DocumentText, index: number, file: string, options: ParseOptions): YamlDocument {
  const large = chunk.size > (options.largeDocumentChars ?? LARGE_DOCUMENT_CHARS);
  let value: unknown;
  let uniqueKeys = false;
  const { locate, positioned } = documentLocator(chunk, file, options, large, () => value, () => uniqueKeys);
  const parsed = documentValue(chunk, file, options, large, positioned);
  const { duplicateKeys, aliasesUnchecked } = parsed;
  value = parsed.value;
  uniqueKeys = parsed.uniqueKeys === true;
  // js-yaml gives an alias the anchor's own object: bound the expansion and refuse cycles (at the alias's line, so after `value` is set).
  if (aliasesUnchecked) checkAliases(value, file, locate);
  return {
    file,
    index,
    startLine: chunk.startLine,
    ...sourceFields(chunk),
    value,
    duplicateKeys,
    locate,
    get text() {
      return chunk.text;
    },
    mentions: (needle) => chunk.includes(needle),
  };
}

/**
 * How a document finds the line of a field (`valueOf` gives its value once parsed), and its
 * `yaml` node tree, composed on first use and dropped when memory runs short.
 */
function documentLocator(chunk: DocumentText, file: string, options: ParseOptions, large: boolean, valueOf: () => unknown, uniqueKeys: () => boolean) {
  let positions: PositionedDocument | undefined;
  const positioned = () => {
    if (positions === undefined) {
      positions = composePositioned(chunk, file);
      retainPositions(() => (positions = undefined), chunk.text.length);
    }
    return positions;
  };
  let blocks: BlockLocator | undefined;
  const blockLocator = () => (blocks ??= new BlockLocator(chunk.text, chunk.startLine, chunk.lines, uniqueKeys()));
  // `yaml` may refuse a document js-yaml accepted (or overflow its stack): lines then come by indentation.
  const yamlLocate = (path: FieldPath) => {
    try {
      return positioned().locate(path);
    } catch {
      return blockLocator().locate(path);
    }
  };
  // `yaml` reads about 2 MB/s: asking it for every document with a finding would cost more
  // than reading the whole input with js-yaml. Block-style fields are found by indentation,
  // with the same lines `yaml` gives. A field that is absent (what many findings point at)
  // is located at its nearest ancestor present in the value, found the same way; only what
  // indentation cannot follow (flow style, aliases, merge keys) still asks `yaml`.
  const locate = large
    ? (path: FieldPath) => blockLocator().locate(path)
    : options.locateWithYaml === true
      ? yamlLocate
      : (path: FieldPath) => blockLocator().locateExact(path.slice(0, presentLength(valueOf(), path))) ?? yamlLocate(path);
  return { locate, positioned };
}

/** The document's value: js-yaml where it can (CRD schemas cut), `yaml` for what js-yaml refuses or alias-heavy text. */
function documentValue(
  chunk: DocumentText,
  file: string,
  options: ParseOptions,
  large: boolean,
  positioned: () => PositionedDocument,
): { value: unknown; duplicateKeys: DuplicateKey[]; aliasesUnchecked?: boolean; uniqueKeys?: boolean } {
  // No anchor in what is left: aliases are bounded on the full path only. An alias to an
  // anchor in the cut part makes js-yaml refuse the cut text, which is then read in full.
  const cut = options.positionedOnly === true ? undefined : withoutUnreadParts(chunk, options);
  const skimmed = cut === undefined || hasAnchor(cut) ? undefined : loadSkimmed(cut, file);
  if (skimmed !== undefined) return { value: skimmed.value, duplicateKeys: [] };
  // No anchor, no alias (js-yaml refuses an alias without one): `*` in text is then not counted.
  const aliasCount = hasAnchor(chunk.text) ? (chunk.text.match(ALIAS_TOKEN)?.length ?? 0) : 0;
  if (!large && (aliasCount >= ALIAS_HEAVY || options.positionedOnly === true)) return positioned().build();
  return { ...loadWithFallbacks(chunk, file, large, positioned), aliasesUnchecked: aliasCount > 0 };
}

/** The text without what no rule reads (CRD schemas; with `skipUnreadBodies`, unread bodies), or undefined when nothing is cut. */
function withoutUnreadParts(chunk: DocumentText, options: ParseOptions): string | undefined {
  return (options.crdSchemas === true ? undefined : withoutCrdSchemas(chunk.source)) ?? (options.skipUnreadBodies === true ? withoutUnreadBodies(chunk.text) : undefined);
}

/** js-yaml's value; where it refuses the text, `yaml`'s (duplicate keys kept, last wins; errors with their position). */
function loadWithFallbacks(
  chunk: DocumentText,
  file: string,
  large: boolean,
  positioned: () => PositionedDocument,
): { value: unknown; duplicateKeys: DuplicateKey[]; uniqueKeys?: boolean } {
  try {
    // Read in full and in strict mode: js-yaml refused any key written twice in a mapping.
    return { value: loadFast(chunk, file, false), duplicateKeys: [], uniqueKeys: true };
  } catch (error) {
    const failure = fastLoadFailure(error, chunk, file);
    if (failure.deep) throw failure.deep;
    if (!large) return positioned().build();
    if (!failure.duplicateKey) throw failure.syntax;
    // Too large for `yaml`: keep the last of duplicate keys (as Kubernetes does) and note the first.
    try {
      return { value: loadFast(chunk, file, true), duplicateKeys: [failure.duplicateKey] };
    } catch (retryError) {
      const retry = fastLoadFailure(retryError, chunk, file);
      throw retry.deep ?? retry.syntax;
    }
  }
}

/** How many of the path's first segments name something in `value` (a key of a mapping, an index of a sequence). */
function presentLength(value: unknown, path: FieldPath): number {
  let node = value;
  let found = 0;
  for (const segment of path) {
    if (typeof segment === "number" ? !(Array.isArray(node) && segment < node.length) : !isRecord(node) || !Object.hasOwn(node, segment)) break;
    node = (node as Record<PathSegment, unknown>)[segment];
    found++;
  }
  return found;
}

/** A YAML mapping (or JSON object): an object that is neither null nor an array. */
export function isRecord(node: unknown): node is Record<string, unknown> {
  return node !== null && typeof node === "object" && !Array.isArray(node);
}

// `yaml` node trees kept for locating fields, by text length (about 30 bytes of memory per
// character): past the budget the oldest are dropped, and parsed again if asked again.
const RETAINED_POSITION_CHARS = 16 * 1024 * 1024;
const retained = new Map<() => void, number>();
let retainedChars = 0;

function retainPositions(drop: () => void, chars: number): void {
  retained.set(drop, chars);
  retainedChars += chars;
  for (const [oldest, size] of retained) {
    if (retainedChars <= RETAINED_POSITION_CHARS || oldest === drop) break;
    retained.delete(oldest);
    retainedChars -= size;
    oldest();
  }
}

/**
 * js-yaml parses a copy of its input (it appends "\0", which flattens the text into a new
 * string), and every string it returns longer than a few characters is a slice of that copy,
 * which keeps the copy alive. The document then keeps that copy for finding lines and drops
 * its own slice of the file, so the file's text is held once after parsing, not twice.
 */
function loadFast(chunk: DocumentText, file: string, lastKeyWins: boolean): unknown {
  let parsedText: string | undefined;
  // Called once: it switches itself off, so js-yaml does not call it for every node.
  const listener = (_event: jsyaml.EventType, state: jsyaml.State) => {
    parsedText = state.input;
    (state as unknown as { listener: unknown }).listener = null;
  };
  // `maxDepth` bounds js-yaml's recursion; @types/js-yaml does not list it yet.
  const options = { schema: K8S_JSYAML_SCHEMA, filename: file, json: lastKeyWins, maxDepth: MAX_DEPTH, listener } as jsyaml.LoadOptions;
  const value = jsyaml.load(chunk.text, options);
  // The copy is the text plus "\0", after a "\n" when the text lacks a final line break
  // (and without a leading byte-order mark, which would shift every offset: not handed back).
  const added = parsedText === undefined ? -1 : parsedText.length - chunk.text.length;
  if ((added === 1 || added === 2) && chunk.text.charCodeAt(0) !== 0xfeff) chunk.text = parsedText!.slice(0, chunk.text.length);
  return value;
}

/** A document's text with parts cut out (see crd-schemas.ts), read by js-yaml; undefined when js-yaml refuses it (the full text is then read as usual). */
function loadSkimmed(text: string, file: string): { value: unknown } | undefined {
  try {
    return { value: jsyaml.load(text, { schema: K8S_JSYAML_SCHEMA, filename: file, maxDepth: MAX_DEPTH } as jsyaml.LoadOptions) };
  } catch {
    return undefined;
  }
}

interface FastLoadFailure {
  deep?: InputError;
  duplicateKey?: DuplicateKey;
  syntax: InputError;
}

/** What a js-yaml error means: too deep (final), a duplicate key, or a syntax error at a line and column. */
function fastLoadFailure(error: unknown, chunk: DocumentText, file: string): FastLoadFailure {
  if (error instanceof RangeError) {
    const deep = tooDeep(file, chunk.startLine);
    return { deep, syntax: deep };
  }
  if (!(error instanceof jsyaml.YAMLException)) {
    return { syntax: new InputError(`YAML could not be read: ${error instanceof Error ? error.message : String(error)}`, file, chunk.startLine) };
  }
  const mark = (error as { mark?: { line: number; column: number } }).mark;
  const line = chunk.startLine + (mark?.line ?? 0);
  const column = mark === undefined ? undefined : mark.column + 1;
  const reason = error.reason || error.message.split("\n")[0] || "invalid YAML";
  if (/^nesting exceeded maxDepth/.test(reason)) {
    const deep = tooDeep(file, line);
    return { deep, syntax: deep };
  }
  const syntax = new InputError(`YAML syntax error: ${reason}`, file, line, undefined, column);
  if (reason === "duplicated mapping key" && mark !== undefined) {
    const lineText = chunk.text.split("\n", mark.line + 1)[mark.line] ?? "";
    const key = /^\s*(?:-\s+)*["']?([^"':]*)/.exec(lineText)?.[1]?.trim() ?? "";
    return { duplicateKey: { key, line }, syntax };
  }
  return { syntax };
}

/**
 * js-yaml hands out an anchor's object again for each alias: a "billion laughs" costs it
 * nothing, but any walk over the value would expand it, and a self-referencing alias
 * (`&a [*a]`, which Kubernetes refuses) would never end. One pass, each object once.
 */
function checkAliases(root: unknown, file: string, locate: (path: FieldPath) => number): void {
  const sizes = new Map<object, number>();
  const onPath = new Set<object>();
  const path: PathSegment[] = [];
  let expanded = 0;
  const visit = (node: unknown): number => {
    if (node === null || typeof node !== "object") return 1;
    const known = sizes.get(node);
    if (known !== undefined) {
      expanded += known;
      if (expanded > MAX_EXPANDED_NODES) throw aliasBomb(file, locate(path));
      return known;
    }
    if (onPath.has(node)) throw new InputError("YAML alias refers to a node that contains it (a recursive alias)", file, locate(path));
    onPath.add(node);
    let size = 1;
    if (Array.isArray(node)) {
      node.forEach((item: unknown, i) => {
        path.push(i);
        size += visit(item);
        path.pop();
      });
    } else {
      for (const [key, item] of Object.entries(node)) {
        path.push(key);
        size += visit(item);
        path.pop();
      }
    }
    onPath.delete(node);
    sizes.set(node, size);
    return size;
  };
  visit(root);
}

function aliasBomb(file: string, line: number | undefined): InputError {
  return new InputError('YAML aliases expand to too many nodes (a "billion laughs" document?)', file, line);
}

function tooDeep(file: string, line: number): InputError {
  return new InputError(`YAML nesting deeper than ${MAX_DEPTH} levels`, file, line);
}

interface PositionedDocument {
  build(): { value: unknown; duplicateKeys: DuplicateKey[] };
  locate(path: FieldPath): number;
}

/** Parses one document with `yaml`, keeping nodes and line positions. */
function composePositioned(chunk: DocumentText, file: string): PositionedDocument {
  const { doc, lineCounter } = composeWithYaml(chunk, file);
  const lineOf = (offset: number) => chunk.startLine + lineCounter.linePos(offset).line - 1;
  // Thrown by build(): locate() still answers for a document that js-yaml accepted and `yaml` did not.
  const failure = syntaxFailure(doc, lineCounter, lineOf, file);
  const root = (doc?.contents ?? null) as Node | null;
  // Filled while building, read by locate (an alias is followed to its anchor).
  const anchors = new Map<string, Node>();
  const nodeLine = (node: Node | null | undefined): number | undefined => (node?.range ? lineOf(node.range[0]) : undefined);
  const build = () => {
    if (failure) throw failure;
    return new ValueBuilder(anchors, file, chunk.startLine, nodeLine).build(root);
  };
  return { build, locate: nodeLocator(root, anchors, chunk.startLine, nodeLine) };
}

function composeWithYaml(chunk: DocumentText, file: string): { doc: Document.Parsed | undefined; lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  try {
    const composer = new Composer({ version: "1.1", schema: "failsafe", uniqueKeys: false, strict: false });
    const docs = [...composer.compose(new Parser(lineCounter.addNewLine).parse(chunk.text), true)];
    return { doc: docs.find((d) => d.contents !== null) ?? docs[0], lineCounter };
  } catch (error) {
    if (error instanceof RangeError) throw tooDeep(file, chunk.startLine);
    throw error;
  }
}

/** The document's first error as chartguard reports it, at its line and column. */
function syntaxFailure(doc: Document.Parsed | undefined, lineCounter: LineCounter, lineOf: (offset: number) => number, file: string): InputError | undefined {
  const firstError = doc?.errors[0];
  if (!firstError) return undefined;
  const message = firstError.message.split("\n")[0] ?? firstError.message;
  return doc?.errors.some((e) => e.code === "RESOURCE_EXHAUSTION")
    ? tooDeep(file, lineOf(firstError.pos[0])) // `yaml` turns a stack overflow in its composer into an error
    : new InputError(`YAML syntax error: ${message}`, file, lineOf(firstError.pos[0]), undefined, lineCounter.linePos(firstError.pos[0]).col);
}

/**
 * A `yaml` node tree made a value as Kubernetes reads it: merge keys applied, duplicate keys
 * kept (last wins) and noted, aliases followed with their expansion bounded and cycles refused.
 */
class ValueBuilder {
  private readonly duplicateKeys: DuplicateKey[] = [];
  private readonly values = new Map<Node, unknown>();
  private readonly building = new Set<Node>();
  private readonly sizes = new Map<Node, number>();
  private expanded = 0;

  constructor(
    private readonly anchors: Map<string, Node>,
    private readonly file: string,
    private readonly startLine: number,
    private readonly nodeLine: (node: Node | null | undefined) => number | undefined,
  ) {}

  build(root: Node | null): { value: unknown; duplicateKeys: DuplicateKey[] } {
    return { value: this.toValue(root, 0), duplicateKeys: this.duplicateKeys };
  }

  private toValue(node: unknown, depth: number): unknown {
    if (depth > MAX_DEPTH) throw tooDeep(this.file, this.startLine);
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return this.aliasValue(node, depth);
    const n = node as Node;
    if (n.anchor) this.anchors.set(n.anchor, n);
    let value: unknown;
    if (isScalar(n)) value = scalarValue(n);
    else if (isSeq(n) || isMap(n)) {
      this.building.add(n);
      value = isSeq(n) ? n.items.map((item) => this.toValue(item, depth + 1)) : this.mapValue(n, depth);
      this.building.delete(n);
    } else value = null;
    this.values.set(n, value);
    return value;
  }

  private aliasValue(node: Node & { source: string }, depth: number): unknown {
    const target = this.anchors.get(node.source);
    if (!target) throw new InputError(`YAML alias *${node.source} has no anchor`, this.file, this.nodeLine(node));
    if (this.building.has(target)) {
      throw new InputError(`YAML alias *${node.source} refers to a node that contains it (a recursive alias)`, this.file, this.nodeLine(node));
    }
    this.expanded += this.expandedSize(target);
    if (this.expanded > MAX_EXPANDED_NODES) {
      throw new InputError("YAML aliases expand to too many nodes (a \"billion laughs\" document?)", this.file, this.nodeLine(node));
    }
    return this.values.get(target) ?? this.toValue(target, depth + 1);
  }

  private mapValue(n: { items: unknown[] }, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const merges: unknown[] = [];
    for (const pair of n.items) {
      if (!isPair(pair)) continue;
      const key = pair.key as Node | null;
      if (isScalar(key) && key.type === "PLAIN" && key.source === "<<" && !key.tag) {
        merges.push(this.toValue(pair.value, depth + 1));
        continue;
      }
      const name = keyString(this.toValue(key, depth + 1));
      if (Object.hasOwn(out, name)) this.duplicateKeys.push({ key: name, line: this.nodeLine(key) ?? this.startLine });
      Object.defineProperty(out, name, { value: this.toValue(pair.value, depth + 1), enumerable: true, writable: true, configurable: true });
    }
    for (const merged of merges.flat()) {
      if (merged === null || typeof merged !== "object") continue;
      for (const [k, v] of Object.entries(merged)) if (!Object.hasOwn(out, k)) out[k] = v;
    }
    return out;
  }

  /** How many nodes the node stands for, aliases expanded (each node measured once). */
  private expandedSize(node: Node): number {
    const known = this.sizes.get(node);
    if (known !== undefined) return known;
    this.sizes.set(node, 1); // guards against cycles while measuring
    let size = 1;
    if (isSeq(node) || isMap(node)) {
      for (const item of node.items as unknown[]) {
        const parts = isPair(item) ? [item.key, item.value] : [item];
        for (const part of parts) {
          if (isAlias(part)) size += this.expandedSize(this.anchors.get(part.source) ?? (part as Node));
          else if (part && typeof part === "object") size += this.expandedSize(part as Node);
        }
      }
    }
    this.sizes.set(node, size);
    return size;
  }
}

/** The line of the field at a path in the node tree (or of its nearest present ancestor). */
function nodeLocator(root: Node | null, anchors: ReadonlyMap<string, Node>, startLine: number, nodeLine: (node: Node | null | undefined) => number | undefined) {
  return (path: FieldPath): number => {
    let node: unknown = root;
    let line = nodeLine(root) ?? startLine;
    for (const segment of path) {
      if (isAlias(node)) node = anchors.get(node.source);
      if (isMap(node) && typeof segment === "string") {
        const pair = [...node.items].reverse().find((p) => isPair(p) && scalarKey(p.key) === segment);
        if (!pair || !isPair(pair)) return line;
        line = nodeLine(pair.key as Node) ?? line;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === "number") {
        const item = node.items[segment];
        if (item === undefined) return line;
        line = nodeLine(item as Node) ?? line;
        node = item;
      } else {
        return line;
      }
    }
    return line;
  };
}

function scalarKey(key: unknown): string | undefined {
  return isScalar(key) ? keyString(scalarValue(key)) : undefined;
}

function scalarValue(node: { type?: string | undefined; tag?: string | undefined; source?: unknown; value: unknown }): unknown {
  const text = typeof node.source === "string" ? node.source : String(node.value ?? "");
  if (node.tag && node.tag !== "!") return resolveTaggedScalar(node.tag, typeof node.value === "string" ? node.value : text);
  if (node.type === "PLAIN") return resolvePlainScalar(text);
  return node.value;
}
