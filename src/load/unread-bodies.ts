/**
 * Bodies that no rule of `check` reads from a single render: a ConfigMap's and a Secret's
 * data, and a PrometheusRule's alerting rules. kube-prometheus-stack renders 0.6 MB of them
 * (Grafana dashboards in 30 ConfigMaps, 35 PrometheusRules) beside 0.05 MB of the objects
 * the rules read. Their identity, labels and annotations stay; only the body is cut from
 * the text before parsing, as CRD schemas are (crd-schemas.ts). Probes and `upgrade`
 * compare these bodies between renders, so only a render no rule compares is read this way
 * (ParseOptions.skipUnreadBodies).
 *
 * Only a plain block-style document is cut: `kind` and `apiVersion` at column 0, the body's
 * key alone on its line at column 0, and every later line at column 0 a comment or a
 * top-level key of these kinds. Anything else (flow style, a tab or a scalar at column 0)
 * is parsed in full. What is cut is not parsed: a duplicate key inside a ConfigMap's data
 * is not noted, and a syntax error there is left to helm, which parses every document it
 * renders and fails on one.
 */

interface UnreadBody {
  apiVersion: string;
  kind: string;
  keys: readonly string[];
}

const UNREAD_BODIES: readonly UnreadBody[] = [
  { apiVersion: "v1", kind: "ConfigMap", keys: ["data", "binaryData"] },
  { apiVersion: "v1", kind: "Secret", keys: ["data", "stringData"] },
  { apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", keys: ["spec"] },
];

/** The top-level fields of these kinds: a line at column 0 is one of them, or the text is parsed in full. */
const TOP_LEVEL_KEY = /^(apiVersion|kind|metadata|data|binaryData|stringData|immutable|type|spec|status):(?:[ \t]+(.*))?$/;
/** A line that needs no look: a comment, a blank line of CRLF text, the document's own `---` marker. */
const NOTHING = /^(?:#.*|\r|---[ \t]*(?:#.*)?)$/;

/** The document's text without the bodies no rule reads, or undefined when it has none or cannot be cut safely. */
export function withoutUnreadBodies(text: string): string | undefined {
  const keys: { at: number; key: string; value: string }[] = [];
  for (const { at, line: written } of columnZeroLines(text)) {
    const line = written.endsWith("\r") ? written.slice(0, -1) : written;
    if (NOTHING.test(line)) continue;
    const key = TOP_LEVEL_KEY.exec(line);
    if (key === null) return undefined;
    keys.push({ at, key: key[1]!, value: withoutComment(key[2] ?? "") });
  }
  const scalar = (key: string) => keys.find((entry) => entry.key === key)?.value.replace(/^(["'])(.*)\1$/, "$2");
  const body = UNREAD_BODIES.find((entry) => entry.kind === scalar("kind") && entry.apiVersion === scalar("apiVersion"));
  if (body === undefined) return undefined;
  let kept = "";
  let from = 0;
  let cut = false;
  keys.forEach((entry, i) => {
    // A body on its key's line (`data: {}`, an alias) is short, or not a mapping: parsed as it is.
    if (!body.keys.includes(entry.key) || entry.value !== "") return;
    kept += text.slice(from, entry.at);
    from = keys[i + 1]?.at ?? text.length;
    cut = true;
  });
  return cut ? kept + text.slice(from) : undefined;
}

function withoutComment(value: string): string {
  return value.startsWith("#") ? "" : value.replace(/[ \t]+#.*$/, "").trimEnd();
}

const COLUMN_ZERO_LINE = /(?:^|\n)([^ \n][^\n]*)/g;

/**
 * The lines of `text` that start at column 0 with anything but a space, with their offsets:
 * found by the regular expression engine, which skips a document's indented lines (almost
 * all of them) far faster than a loop over every line can.
 */
function* columnZeroLines(text: string): Generator<{ at: number; line: string }> {
  const pattern = new RegExp(COLUMN_ZERO_LINE);
  for (let found = pattern.exec(text); found !== null; found = pattern.exec(text)) {
    yield { at: found.index + found[0].length - found[1]!.length, line: found[1]! };
  }
}
