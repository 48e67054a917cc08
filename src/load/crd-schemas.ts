/**
 * A CustomResourceDefinition is mostly its schemas (`spec.versions`: kube-prometheus-stack
 * renders 4.5 MB of them in 5 MB), and no rule reads them: its identity, labels and
 * annotations, and the rest of its spec (names, scope, conversion with its caBundle) are
 * what the analysis looks at. The schemas are cut from the text before parsing. Only the
 * value is read from the cut text: lines are found in the document's own text
 * (load/yaml.ts), and a cut text that does not parse is parsed again in full.
 *
 * Only a plain block-style CRD is cut: `kind` and `apiVersion` at column 0, `spec:` on its
 * own line, `versions:` on its own line at spec's indentation, and the first line after
 * the schemas a known spec key or a top-level key. Anything else (flow style, tabs, an
 * unexpected line after the schemas) is parsed in full, as every other document is.
 * What is cut is not parsed, so a syntax error inside the schemas is not reported (helm
 * and the API server report it); one anywhere else is, as before, because a cut text that
 * does not parse is parsed again in full.
 */

import type { TextSource } from "./text-source.ts";

const CRD_KIND = /^kind:[ \t]+["']?CustomResourceDefinition["']?[ \t]*(?:#.*)?$/;
const CRD_API_VERSION = /^apiVersion:[ \t]+["']?apiextensions\.k8s\.io\/[^\s"']+["']?[ \t]*(?:#.*)?$/;
const SPEC = /^spec:[ \t]*(?:#.*)?$/;
const VERSIONS = /^( +)versions:[ \t]*(?:#.*)?$/;
/** The other fields of a CustomResourceDefinitionSpec (apiextensions.k8s.io/v1 and v1beta1). */
const SPEC_KEY_AFTER = /^(?:group|names|scope|conversion|preserveUnknownFields|validation|subresources|additionalPrinterColumns|version):(?:[ \t]|$)/;

/**
 * The document's text without its CRD schemas, or undefined when it is not a CRD that can
 * be cut safely. Lines are read in place (text-source.ts): a CRD has tens of thousands of
 * deeply indented lines, and decoding them, splitting them into strings, or walking each
 * one's indentation, cost more than parsing what is left.
 */
export function withoutCrdSchemas(text: TextSource): string | undefined {
  if (text.indexOf("CustomResourceDefinition") === -1 || text.indexOf("\t") !== -1) return undefined;
  const line = (at: number) => text.slice(at, text.lineEnd(at));
  const kind = linesStartingWith(text, "kind:").some((at) => CRD_KIND.test(line(at)));
  const apiVersion = linesStartingWith(text, "apiVersion:").some((at) => CRD_API_VERSION.test(line(at)));
  const spec = linesStartingWith(text, "spec:").findLast((at) => SPEC.test(line(at))) ?? -1;
  if (!kind || !apiVersion || spec === -1) return undefined;
  // spec's keys sit at the indentation of its first content line.
  let indent = -1;
  let versions = -1;
  for (let at = nextLine(text, spec); at < text.length; at = nextLine(text, at)) {
    const own = contentIndent(text, at);
    if (own === undefined) continue;
    if (own === 0) break;
    if (indent === -1) indent = own;
    if (own !== indent) continue;
    const match = VERSIONS.exec(line(at));
    if (match !== null && match[1]!.length === indent) {
      versions = at;
      break;
    }
  }
  if (versions === -1) return undefined;
  // The schemas end at the first line indented no deeper than spec's keys.
  for (let end = nextLine(text, versions); end < text.length; end = nextLine(text, end)) {
    if (!shallowerThan(text, end, indent + 1)) continue;
    const own = contentIndent(text, end);
    if (own === undefined) continue;
    const rest = text.slice(end + own, text.lineEnd(end));
    if (own === indent && (rest.startsWith("- ") || rest.trimEnd() === "-")) continue; // indentless `- ` items
    if (own === 0 || SPEC_KEY_AFTER.test(rest)) return text.slice(0, versions) + text.slice(end);
    return undefined; // a line only a multi-line scalar could explain: parse in full
  }
  return text.slice(0, versions);
}

/** Where the lines that begin with `start` at column 0 begin: found by substring search, which skips a CRD's schemas far faster than a look at each of its lines. */
function linesStartingWith(text: TextSource, start: string): number[] {
  const found = text.slice(0, start.length) === start ? [0] : [];
  for (let at = text.indexOf(`\n${start}`); at !== -1; at = text.indexOf(`\n${start}`, at + 1)) found.push(at + 1);
  return found;
}

function nextLine(text: TextSource, at: number): number {
  return text.lineEnd(at) + 1;
}

/** Whether the line at `at` has something other than a space in its first `columns` columns: what a schema line, indented deeper, never has. */
function shallowerThan(text: TextSource, at: number, columns: number): boolean {
  for (let i = at; i < at + columns; i++) if (text.codeAt(i) !== 32) return true;
  return false;
}

/** The indentation of the line starting at `at`, or undefined for a blank or comment-only line. */
function contentIndent(text: TextSource, at: number): number | undefined {
  let i = at;
  while (text.codeAt(i) === 32) i++;
  const c = text.codeAt(i);
  if (i >= text.length || c === 10 || c === 35 /* # */ || (c === 13 && (i + 1 === text.length || text.codeAt(i + 1) === 10))) return undefined;
  return i - at;
}
