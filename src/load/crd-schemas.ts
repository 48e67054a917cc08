/**
 * A CustomResourceDefinition is mostly its schemas (`spec.versions`: kube-prometheus-stack
 * renders 4.5 MB of them in 5 MB), and no rule reads them: its identity, labels and
 * annotations, and the rest of its spec (names, scope, conversion with its caBundle) are
 * what the analysis looks at. The schemas are cut from the text before parsing, line for
 * line (the cut lines become empty, so every other line keeps its number).
 *
 * Only a plain block-style CRD is cut: `kind` and `apiVersion` at column 0, `spec:` on its
 * own line, `versions:` on its own line at spec's indentation, and the first line after
 * the schemas a known spec key or a top-level key. Anything else (flow style, tabs, an
 * unexpected line after the schemas) is parsed in full, as every other document is.
 * What is cut is not parsed, so a syntax error inside the schemas is not reported (helm
 * and the API server report it); one anywhere else is, as before, because a cut text that
 * does not parse is parsed again in full.
 */

const CRD_KIND = /^kind:[ \t]+["']?CustomResourceDefinition["']?[ \t]*(?:#.*)?$/;
const CRD_API_VERSION = /^apiVersion:[ \t]+["']?apiextensions\.k8s\.io\/[^\s"']+["']?[ \t]*(?:#.*)?$/;
const SPEC = /^spec:[ \t]*(?:#.*)?$/;
const VERSIONS = /^( +)versions:[ \t]*(?:#.*)?$/;
/** The other fields of a CustomResourceDefinitionSpec (apiextensions.k8s.io/v1 and v1beta1). */
const SPEC_KEY_AFTER = /^(?:group|names|scope|conversion|preserveUnknownFields|validation|subresources|additionalPrinterColumns|version):(?:[ \t]|$)/;

/** The document's text with its CRD schemas replaced by empty lines, or undefined when it is not a CRD that can be cut safely. */
export function withoutCrdSchemas(text: string): string | undefined {
  if (!text.includes("CustomResourceDefinition") || text.includes("\t")) return undefined;
  const lines = text.split("\n");
  let kind = false;
  let apiVersion = false;
  let spec = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length === 0 || line.charCodeAt(0) === 32) continue;
    if (CRD_KIND.test(line)) kind = true;
    else if (CRD_API_VERSION.test(line)) apiVersion = true;
    else if (SPEC.test(line)) spec = i;
  }
  if (!kind || !apiVersion || spec === -1) return undefined;
  // spec's keys sit at the indentation of its first content line.
  let indent = -1;
  let versions = -1;
  for (let i = spec + 1; i < lines.length; i++) {
    const line = lines[i]!;
    const own = contentIndent(line);
    if (own === undefined) continue;
    if (own === 0) break;
    if (indent === -1) indent = own;
    if (own !== indent) continue;
    const match = VERSIONS.exec(line);
    if (match !== null && match[1]!.length === indent) {
      versions = i;
      break;
    }
  }
  if (versions === -1) return undefined;
  let end = versions + 1;
  for (; end < lines.length; end++) {
    const line = lines[end]!;
    const own = contentIndent(line);
    if (own === undefined || own > indent) continue;
    if (own === indent && (line.startsWith("- ", own) || line.slice(own).trimEnd() === "-")) continue; // indentless `- ` items
    if (own === 0 || SPEC_KEY_AFTER.test(line.slice(own))) break;
    return undefined; // a line only a multi-line scalar could explain: parse in full
  }
  for (let i = versions; i < end; i++) lines[i] = "";
  return lines.join("\n");
}

/** The indentation of a line with content, or undefined for a blank or comment-only line. */
function contentIndent(line: string): number | undefined {
  let at = 0;
  while (line.charCodeAt(at) === 32) at++;
  if (at === line.length || line.charCodeAt(at) === 35 /* # */ || (at === line.length - 1 && line.charCodeAt(at) === 13)) return undefined;
  return at;
}
