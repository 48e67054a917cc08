/**
 * Multi-document YAML as Kubernetes reads it, with a line for every field.
 *
 * Two parsers, one semantics: js-yaml (fast, ~15 MB/s) builds the values of every
 * document; the `yaml` package (slow, but with node positions and per-document errors)
 * is used only for a document that js-yaml refuses (duplicate keys, syntax errors,
 * alias-heavy input) and, lazily, to find the line of a field a finding points at.
 * Plain scalars are resolved by k8s-scalars.ts in both, so both give the same values.
 */
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

export type PathSegment = string | number;
export type FieldPath = readonly PathSegment[];

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
  value: unknown;
  duplicateKeys: DuplicateKey[];
  /** 1-based line in the file of the field at `path` (or of its nearest present ancestor). */
  locate(path: FieldPath): number;
}

const MAX_DEPTH = 1000;
const MAX_EXPANDED_NODES = 1_000_000;
// Alias-heavy documents go to the `yaml` path, which bounds alias expansion.
const ALIAS_HEAVY = 64;
const ALIAS_TOKEN = /(?:^|[\s[{,:-])\*[^\s,[\]{}]+/g;

const K8S_JSYAML_SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    new jsyaml.Type("tag:yaml.org,2002:null", {
      kind: "scalar",
      resolve: (data: string | null) => data === null || isNullScalar(data),
      construct: () => null,
    }),
    new jsyaml.Type("tag:yaml.org,2002:bool", {
      kind: "scalar",
      resolve: (data: string | null) => data !== null && boolScalar(data) !== undefined,
      construct: (data: string) => boolScalar(data),
    }),
    new jsyaml.Type("tag:yaml.org,2002:int", {
      kind: "scalar",
      resolve: (data: string | null) => data !== null && intScalar(data) !== undefined,
      construct: (data: string) => intScalar(data),
    }),
    new jsyaml.Type("tag:yaml.org,2002:float", {
      kind: "scalar",
      resolve: (data: string | null) => data !== null && floatScalar(data) !== undefined,
      construct: (data: string) => floatScalar(data),
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

interface DocumentText {
  text: string;
  startLine: number;
}

const DOCUMENT_MARKER = /^(?:---|\.\.\.)(?:[ \t]|$)/;
const SOURCE_COMMENT = /^# Source: (.+?)\s*$/;

/** Splits a stream on document markers; markers cannot occur inside content, so this is safe. */
function splitDocuments(text: string): DocumentText[] {
  const lines = text.split("\n");
  const docs: DocumentText[] = [];
  let start = 0;
  const flush = (end: number) => {
    if (end > start) docs.push({ text: lines.slice(start, end).join("\n"), startLine: start + 1 });
  };
  lines.forEach((line, i) => {
    if (line.startsWith("---") && DOCUMENT_MARKER.test(line) && i > start) {
      flush(i);
      start = i;
    } else if (line.startsWith("...") && DOCUMENT_MARKER.test(line)) {
      flush(i + 1);
      start = i + 1;
    }
  });
  flush(lines.length);
  return docs;
}

function sourceTemplate(text: string): string | undefined {
  for (const line of text.split("\n", 8)) {
    const match = SOURCE_COMMENT.exec(line);
    if (match) return match[1];
  }
  return undefined;
}

export function parseYamlStream(input: string, file: string): YamlDocument[] {
  const text = input.startsWith("\uFEFF") ? input.slice(1) : input;
  return splitDocuments(text).map((chunk, index) => parseDocument(chunk, index, file));
}

function parseDocument(chunk: DocumentText, index: number, file: string): YamlDocument {
  let positions: PositionedDocument | undefined;
  const positioned = () => (positions ??= composePositioned(chunk, file));
  let value: unknown;
  let duplicateKeys: DuplicateKey[] = [];
  const aliasCount = chunk.text.match(ALIAS_TOKEN)?.length ?? 0;
  if (aliasCount < ALIAS_HEAVY) {
    try {
      value = jsyaml.load(chunk.text, { schema: K8S_JSYAML_SCHEMA, filename: file });
    } catch (error) {
      if (error instanceof RangeError) throw tooDeep(file, chunk.startLine);
      const built = positioned().build();
      value = built.value;
      duplicateKeys = built.duplicateKeys;
    }
  } else {
    const built = positioned().build();
    value = built.value;
    duplicateKeys = built.duplicateKeys;
  }
  const template = sourceTemplate(chunk.text);
  return {
    file,
    index,
    startLine: chunk.startLine,
    ...(template === undefined ? {} : { template }),
    value,
    duplicateKeys,
    locate: (path) => positioned().locate(path),
  };
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
  const lineCounter = new LineCounter();
  let doc: Document.Parsed | undefined;
  try {
    const composer = new Composer({ version: "1.1", schema: "failsafe", uniqueKeys: false, strict: false });
    const docs = [...composer.compose(new Parser(lineCounter.addNewLine).parse(chunk.text), true)];
    doc = docs.find((d) => d.contents !== null) ?? docs[0];
  } catch (error) {
    if (error instanceof RangeError) throw tooDeep(file, chunk.startLine);
    throw error;
  }
  const lineOf = (offset: number) => chunk.startLine + lineCounter.linePos(offset).line - 1;
  const firstError = doc?.errors[0];
  if (firstError) {
    const message = firstError.message.split("\n")[0] ?? firstError.message;
    throw new InputError(`YAML syntax error: ${message}`, file, lineOf(firstError.pos[0]));
  }
  const root = (doc?.contents ?? null) as Node | null;
  const anchors = new Map<string, Node>();

  const nodeLine = (node: Node | null | undefined): number | undefined =>
    node?.range ? lineOf(node.range[0]) : undefined;

  const build = () => {
    const duplicateKeys: DuplicateKey[] = [];
    const values = new Map<Node, unknown>();
    let expanded = 0;
    const toValue = (node: unknown, depth: number): unknown => {
      if (depth > MAX_DEPTH) throw tooDeep(file, chunk.startLine);
      if (node === null || node === undefined) return null;
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        if (!target) throw new InputError(`YAML alias *${node.source} has no anchor`, file, nodeLine(node));
        expanded += expandedSize(target);
        if (expanded > MAX_EXPANDED_NODES) {
          throw new InputError("YAML aliases expand to too many nodes (a \"billion laughs\" document?)", file, nodeLine(node));
        }
        return values.get(target) ?? toValue(target, depth + 1);
      }
      const n = node as Node;
      if (n.anchor) anchors.set(n.anchor, n);
      let value: unknown;
      if (isScalar(n)) value = scalarValue(n);
      else if (isSeq(n)) value = n.items.map((item) => toValue(item, depth + 1));
      else if (isMap(n)) value = mapValue(n, depth);
      else value = null;
      values.set(n, value);
      return value;
    };
    const mapValue = (n: { items: unknown[] }, depth: number) => {
      const out: Record<string, unknown> = {};
      const merges: unknown[] = [];
      for (const pair of n.items) {
        if (!isPair(pair)) continue;
        const key = pair.key as Node | null;
        if (isScalar(key) && key.type === "PLAIN" && key.source === "<<" && !key.tag) {
          merges.push(toValue(pair.value, depth + 1));
          continue;
        }
        const name = keyString(toValue(key, depth + 1));
        if (Object.hasOwn(out, name)) duplicateKeys.push({ key: name, line: nodeLine(key) ?? chunk.startLine });
        Object.defineProperty(out, name, { value: toValue(pair.value, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      for (const merged of merges.flat()) {
        if (merged === null || typeof merged !== "object") continue;
        for (const [k, v] of Object.entries(merged)) if (!Object.hasOwn(out, k)) out[k] = v;
      }
      return out;
    };
    const sizes = new Map<Node, number>();
    const expandedSize = (node: Node): number => {
      const known = sizes.get(node);
      if (known !== undefined) return known;
      sizes.set(node, 1); // guards against cycles while measuring
      let size = 1;
      if (isSeq(node) || isMap(node)) {
        for (const item of node.items as unknown[]) {
          const parts = isPair(item) ? [item.key, item.value] : [item];
          for (const part of parts) {
            if (isAlias(part)) size += expandedSize(anchors.get(part.source) ?? (part as Node));
            else if (part && typeof part === "object") size += expandedSize(part as Node);
          }
        }
      }
      sizes.set(node, size);
      return size;
    };
    return { value: toValue(root, 0), duplicateKeys };
  };

  const locate = (path: FieldPath): number => {
    let node: unknown = root;
    let line = nodeLine(root as Node | null) ?? chunk.startLine;
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

  return { build, locate };
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
