/**
 * The label helpers of a chart in the `helm create` layout: a `<name>.labels` helper that
 * includes a `<name>.selectorLabels` helper. The selector-labels helper is the stable set
 * a repair puts where the full labels helper made a field change with every release.
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
