/**
 * The label helpers of a chart in the `helm create` layout: a `<name>.labels` helper that
 * includes a `<name>.selectorLabels` helper. The selector-labels helper is the stable set
 * a repair puts where the full labels helper made a field change with every release.
 * Bitnami's common library has the same pair, `common.labels.standard` and
 * `common.labels.matchLabels`, called with the labels to add (`customLabels`).
 *
 * Pure: reads the text of the chart's `.tpl` files, never the disk.
 */

/** `{{- define "webapp.labels" -}}` ... `{{- end }}`, the body between them. */
const DEFINE = /\{\{-?\s*define\s+"([^"]+)"\s*-?\}\}([\s\S]*?)\{\{-?\s*end\s*-?\}\}/g;
const INCLUDE = /\binclude\s+"([^"]+)"/g;
/** The helm create name of the stable helper, and the one some charts use instead. */
const SELECTOR_HELPER = /(?:selectorLabels|selector-labels|matchLabels)$/i;

/**
 * For each labels helper that includes a selector-labels helper: the labels helper's name
 * mapped to the selector-labels helper's. A body is read up to its first `end`, which may
 * close an inner `if` or `with`: the include of the selector labels comes before those in
 * the `helm create` layout, and a helper cut short is only a repair missed, never a wrong one.
 */
/** Whether a helper's name says it holds the selector labels. */
export function isSelectorHelper(name: string): boolean {
  return SELECTOR_HELPER.test(name);
}

export function selectorHelpers(helperTexts: Iterable<string>): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const text of helperTexts) {
    for (const [, name, body] of text.matchAll(DEFINE)) {
      if (name === undefined || body === undefined || isSelectorHelper(name)) continue;
      const included = [...body.matchAll(INCLUDE)].map((m) => m[1]!).filter(isSelectorHelper);
      // Two selector helpers in one labels helper: which one the field needs is not known.
      if (included.length === 1) pairs.set(name, included[0]!);
    }
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
