/**
 * The template-line lookup findings use (analyze/context.ts `TemplateLocator`), over the
 * template texts the charts' renders read: what a finding is about (its evidence) becomes
 * hints for render/template-lines.ts `templateLineIn`. It joins the render's output to the
 * analysis' terms, so it sits in the orchestration layer.
 */
import type { TemplateLocator } from "./analyze/context.ts";
import type { Evidence } from "./analyze/finding.ts";
import { escapeRegExp } from "./load/regexp.ts";
import type { YamlDocument } from "./load/yaml.ts";
import type { RenderedChart } from "./render/chart-input.ts";
import { templateLineIn } from "./render/template-lines.ts";

const RANDOM_FUNCTIONS = ["randAlphaNum", "randAlpha", "randNumeric", "randAscii", "randBytes", "randInt", "uuidv4", "now", "genCA", "genPrivateKey", "genSelfSignedCert", "genSignedCert", "derivePassword"];

/** `a.b.c` → `.a.b.c`, `.b.c`, `.c` (a subchart sees its values without the prefix), each not followed by more of a name. */
function valuesPathHints(valuesPath: string): RegExp[] {
  const segments = valuesPath.split(".");
  return segments.map((_, i) => new RegExp(`${escapeRegExp(`.${segments.slice(i).join(".")}`)}(?![\\w-])`));
}

/** What to look for in the template, from what the finding is about. */
export function templateHints(evidence: Evidence): RegExp[] {
  const hints: RegExp[] = [];
  const paths = [evidence.valuesPath, ...(Array.isArray(evidence.valuesPaths) ? evidence.valuesPaths : [])].filter((p): p is string => typeof p === "string");
  if (evidence.source === ".Release.Revision") hints.push(/\.Release\.Revision\b/);
  switch (evidence.cause) {
    case "chart-version":
      hints.push(/\.Chart\.Version\b/);
      break;
    case "app-version":
      hints.push(/\.Chart\.AppVersion\b/);
      break;
    case "values":
    case "image-tag":
      for (const valuesPath of new Set(paths)) hints.push(...valuesPathHints(valuesPath));
      break;
    case "random":
      hints.push(new RegExp(`\\b(?:${RANDOM_FUNCTIONS.join("|")})\\b`));
      break;
    case "name":
      if (evidence.reason === "chart-version" || evidence.label === "helm.sh/chart" || evidence.label === "chart") hints.push(/\.Chart\.Version\b/);
      if (evidence.reason === "app-version" || evidence.label === "app.kubernetes.io/version" || evidence.label === "version") hints.push(/\.Chart\.AppVersion\b/);
      break;
    default:
      break;
  }
  return hints;
}

/** The lookup findings use, over the template texts the charts' renders read. */
export function templateLocator(charts: readonly RenderedChart[]): TemplateLocator {
  const ordinals = new Map<YamlDocument, number>();
  // By document: two charts (two versions of one .tgz) may name their templates alike.
  const texts = new Map<YamlDocument, string>();
  for (const chart of charts) {
    const seen = new Map<string, number>();
    for (const doc of chart.docs) {
      if (doc.template === undefined) continue;
      const kind = typeof (doc.value as { kind?: unknown } | null)?.kind === "string" ? (doc.value as { kind: string }).kind : "";
      const key = `${doc.template}\u0000${kind}`;
      ordinals.set(doc, seen.get(key) ?? 0);
      seen.set(key, (seen.get(key) ?? 0) + 1);
      const file = chart.templateFiles.get(doc.template);
      const text = file === undefined ? undefined : chart.templates.get(file);
      if (text !== undefined) texts.set(doc, text);
    }
  }
  return (object, path, evidence) => {
    // A crds/ file is in the render verbatim: its lines are the render's, shifted.
    const { crdsFileStart } = object.doc;
    if (crdsFileStart !== undefined) return object.doc.locate([...object.pathPrefix, ...path]) - crdsFileStart + 1;
    const text = texts.get(object.doc);
    if (text === undefined) return undefined;
    return templateLineIn(text, object.ref.kind, ordinals.get(object.doc) ?? 0, [...object.pathPrefix, ...path], templateHints(evidence));
  };
}
