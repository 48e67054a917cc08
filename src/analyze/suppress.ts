/**
 * What the user has accepted, applied to findings: the config file (rules off, severities,
 * intended overlaps, probe causes to accept) and suppressions where the problem is — the
 * `chartguard.io/ignore` annotation on an object, and `# chartguard-ignore:` comments in
 * rendered manifests and chart templates.
 *
 * Pure: documents, template texts and findings in; kept and suppressed findings out.
 * A suppressed finding is not lost: it is counted in `summary.suppressed` and, with
 * `--show-suppressed`, listed with what suppressed it. A rule turned off in the config is
 * different: its findings are dropped and not counted.
 */
import type { YamlDocument } from "../load/yaml.ts";
import { isRecord, objectsFromDocuments, refString, stringMap, type KubeObject, type ModelNote, type ObjectRef } from "../model/object.ts";
import { requiresLabel, type Requirement } from "../model/selector.ts";
import { summarize, type Cause, type Finding, type Severity, type Summary } from "./finding.ts";
import { CHECK_RULES, UPGRADE_RULES } from "./rules/index.ts";

export const IGNORE_ANNOTATION = "chartguard.io/ignore";
export const IGNORE_REASON_ANNOTATION = "chartguard.io/ignore-reason";
export const IGNORE_COMMENT = "chartguard-ignore";

export interface RuleSettings {
  /** `false` turns the rule off: its findings are dropped (not counted as suppressed). */
  enabled?: boolean;
  /** Every finding of the rule gets this severity (and `--fail-on` compares against it). */
  severity?: Severity;
}

/** An overlap between selectors that is intended (canary Services, shared PDBs, ...). */
export type AllowedOverlap =
  | { label: string; object?: undefined; namespace?: undefined; reason?: string }
  | { object: string; namespace?: string; label?: undefined; reason?: string };

/**
 * What suppression reads of the configuration. Declared here, where it is applied, so that
 * the analysis never imports the config layer (config/config.ts builds on these types).
 */
export interface SuppressionConfig {
  /** The file it was read from: where a config suppression is written. */
  file?: string;
  rules?: Record<string, RuleSettings>;
  allowedOverlaps?: AllowedOverlap[];
  ignoreProbeCauses?: Record<string, Cause[]>;
}

export type SuppressionKind = "annotation" | "comment" | "allowed-overlap" | "probe-cause";

export interface Suppression {
  by: SuppressionKind;
  /** The ignore-reason annotation, the text after ` -- ` in a comment, or the config's reason. */
  reason?: string;
  /** Where the suppression is written: the manifest, template or config file, and its line. */
  file?: string;
  line?: number;
}

export interface SuppressedFinding extends Finding {
  suppression: Suppression;
}

export interface SuppressedSummary extends Summary {
  /** Findings hidden by annotations, comments, allowedOverlaps or ignoreProbeCauses. */
  suppressed: number;
}

export interface SuppressionInput {
  config?: SuppressionConfig;
  /** The documents the findings point into (for `upgrade`: the target release). */
  docs: readonly YamlDocument[];
  /** For `upgrade`: the release as it is; its annotations count for objects the target no longer has. */
  previousDocs?: readonly YamlDocument[];
  /** Namespace for objects that set none, as the analysis used it. */
  namespace: string;
  /** Text of chart template files by the path findings name in `location.template`. */
  templates?: ReadonlyMap<string, string>;
}

export interface SuppressionResult {
  findings: Finding[];
  suppressed: SuppressedFinding[];
  /** Ignore directives naming rules that do not exist (a typo suppresses nothing). */
  notes: ModelNote[];
}

export function applySuppressions(findings: readonly Finding[], input: SuppressionInput): SuppressionResult {
  const config = input.config ?? {};
  const known = new Set([...CHECK_RULES, ...UPGRADE_RULES].map((rule) => rule.meta.id));
  const notes = new NoteList();
  const annotations = annotationIndex(input, known, notes);
  const comments = new CommentIndex(input, known, notes);
  const kept: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];

  for (const original of findings) {
    const settings = config.rules?.[original.rule];
    if (settings?.enabled === false) continue;
    const finding = settings?.severity !== undefined && settings.severity !== original.severity ? { ...original, severity: settings.severity } : original;
    const suppression =
      annotations.get(objectKey(finding.object))?.(finding.rule) ??
      comments.suppressionFor(finding) ??
      allowedOverlap(finding, config) ??
      ignoredCause(finding, config);
    if (suppression) suppressed.push({ ...finding, suppression });
    else kept.push(finding);
  }
  return { findings: kept, suppressed, notes: notes.list };
}

/**
 * A result with suppressions applied: findings, a summary that counts the suppressed, and
 * `suppressed` listed only when asked for (`--show-suppressed`).
 */
export function withSuppressions<R extends { findings: Finding[]; summary: Summary; notes: ModelNote[] }>(
  result: R,
  input: SuppressionInput,
  options: { showSuppressed?: boolean } = {},
): Omit<R, "summary"> & { summary: SuppressedSummary; suppressed?: SuppressedFinding[] } {
  const applied = applySuppressions(result.findings, input);
  return {
    ...result,
    findings: applied.findings,
    summary: { ...summarize(applied.findings), suppressed: applied.suppressed.length },
    notes: [...result.notes, ...applied.notes],
    ...(options.showSuppressed ? { suppressed: applied.suppressed } : {}),
  };
}

// ---------------------------------------------------------------------------
// Annotations

type AnnotationMatch = (rule: string) => Suppression | undefined;

function objectKey(ref: ObjectRef): string {
  return `${ref.kind}\u0000${ref.namespace ?? ""}\u0000${ref.name}`;
}

function annotationIndex(input: SuppressionInput, known: ReadonlySet<string>, notes: NoteList): Map<string, AnnotationMatch> {
  const index = new Map<string, AnnotationMatch>();
  const mayHave = (doc: YamlDocument) => doc.mentions(IGNORE_ANNOTATION);
  const annotated = (docs: readonly YamlDocument[]) => {
    const candidates = docs.filter(mayHave);
    if (candidates.length === 0) return [];
    return objectsFromDocuments(candidates, { namespace: input.namespace }).objects.filter((o) => ignoreAnnotation(o) !== undefined);
  };
  const add = (object: KubeObject) => {
    const key = objectKey(object.ref);
    if (index.has(key)) return;
    const value = ignoreAnnotation(object)!;
    const rules = splitRules(value);
    const annotationsPath = [...object.pathPrefix, "metadata", "annotations"];
    const line = object.doc.locate([...annotationsPath, IGNORE_ANNOTATION]);
    for (const rule of rules) {
      if (!known.has(rule)) notes.add({ file: object.doc.file, line, message: `${IGNORE_ANNOTATION} on ${refString(object.ref)} names "${rule}", which is not a chartguard rule; it suppresses nothing` });
    }
    const reason = stringMap(getAnnotations(object))[IGNORE_REASON_ANNOTATION];
    index.set(key, (rule) =>
      rules.includes(rule) ? { by: "annotation", ...(reason ? { reason } : {}), file: object.doc.file, line } : undefined,
    );
  };
  for (const object of annotated(input.docs)) add(object);
  const previous = input.previousDocs ? annotated(input.previousDocs) : [];
  if (previous.length > 0) {
    // The target's objects decide for themselves: an annotation removed by the upgrade is gone.
    const current = new Set(objectsFromDocuments(input.docs, { namespace: input.namespace }).objects.map((o) => objectKey(o.ref)));
    for (const object of previous) if (!current.has(objectKey(object.ref))) add(object);
  }
  return index;
}

function getAnnotations(object: KubeObject): unknown {
  const metadata = object.raw.metadata;
  return isRecord(metadata) ? metadata.annotations : undefined;
}

function ignoreAnnotation(object: KubeObject): string | undefined {
  const annotations = getAnnotations(object);
  if (!isRecord(annotations)) return undefined;
  const value = annotations[IGNORE_ANNOTATION];
  return typeof value === "string" ? value : undefined;
}

function splitRules(text: string): string[] {
  return text.split(/[\s,]+/).filter((id) => id !== "");
}

// ---------------------------------------------------------------------------
// Comments: `# chartguard-ignore: rule-a, rule-b -- why`

interface Directive {
  rules: string[];
  reason?: string;
}

// `# chartguard-ignore: ...` (YAML), or `{{/* chartguard-ignore: ... */}}` (a template comment, not rendered).
const DIRECTIVE = /(?:^|\s)#\s*chartguard-ignore:(.*)$/;
const TEMPLATE_DIRECTIVE = /\{\{-?\s*\/\*\s*chartguard-ignore:(.*?)\*\/\s*-?\}\}/;

/** The directive in one line of YAML or template text, if any. */
export function parseDirective(line: string): Directive | undefined {
  if (!line.includes(IGNORE_COMMENT)) return undefined;
  const match = TEMPLATE_DIRECTIVE.exec(line) ?? DIRECTIVE.exec(line);
  if (!match) return undefined;
  const body = match[1]!;
  const dash = body.indexOf("--");
  const list = dash < 0 ? body : body.slice(0, dash);
  const reason = dash < 0 ? "" : body.slice(dash + 2).trim();
  return { rules: splitRules(list), ...(reason ? { reason } : {}) };
}

interface TextBlock {
  startLine: number;
  /** The lines of a text that holds a directive; absent when it holds none (then it is never split, nor decoded: a 100 MB dump has none). */
  lines?: string[];
}

class CommentIndex {
  private readonly byFile = new Map<string, TextBlock[]>();

  constructor(input: SuppressionInput, known: ReadonlySet<string>, notes: NoteList) {
    const addBlock = (file: string, startLine: number, text: (() => string) | undefined) => {
      const block: TextBlock = text === undefined ? { startLine } : { startLine, lines: text().split("\n") };
      const blocks = this.byFile.get(file);
      if (blocks) blocks.push(block);
      else this.byFile.set(file, [block]);
      block.lines?.forEach((text, i) => {
        for (const rule of parseDirective(text)?.rules ?? []) {
          if (!known.has(rule)) notes.add({ file, line: block.startLine + i, message: `${IGNORE_COMMENT} comment names "${rule}", which is not a chartguard rule; it suppresses nothing` });
        }
      });
    };
    for (const doc of [...input.docs, ...(input.previousDocs ?? [])]) {
      addBlock(doc.file, doc.startLine, doc.mentions(IGNORE_COMMENT) ? () => doc.text ?? "" : undefined);
    }
    for (const [file, text] of input.templates ?? []) addBlock(file, 1, text.includes(IGNORE_COMMENT) ? () => text : undefined);
    for (const blocks of this.byFile.values()) blocks.sort((a, b) => a.startLine - b.startLine);
  }

  suppressionFor(finding: Finding): Suppression | undefined {
    const { file, line, template, templateLine } = finding.location;
    return this.at(file, line, finding.rule) ?? (template !== undefined && templateLine !== undefined ? this.at(template, templateLine, finding.rule) : undefined);
  }

  /** A directive for `rule` on `line`, or in the comment lines directly above it. */
  private at(file: string, line: number, rule: string): Suppression | undefined {
    const blocks = this.byFile.get(file);
    if (!blocks) return undefined;
    let block: TextBlock | undefined;
    for (const candidate of blocks) {
      if (candidate.startLine > line) break;
      block = candidate;
    }
    if (block?.lines === undefined) return undefined;
    const { lines, startLine } = block;
    const last = line - startLine;
    if (last >= lines.length) return undefined;
    for (let i = last; i >= 0; i--) {
      const text = lines[i]!;
      if (i < last && !isCommentLine(text)) break;
      const directive = parseDirective(text);
      if (directive?.rules.includes(rule)) {
        return { by: "comment", ...(directive.reason ? { reason: directive.reason } : {}), file, line: startLine + i };
      }
    }
    return undefined;
  }
}

// A line holding only a comment: YAML `# ...`, or a Go template comment `{{/* ... */}}`, `{{- /* ... */ -}}`.
function isCommentLine(text: string): boolean {
  const trimmed = text.trim();
  return trimmed.startsWith("#") || /^\{\{-?\s*\/\*.*\*\/\s*-?\}\}$/.test(trimmed);
}

// ---------------------------------------------------------------------------
// Config: allowed overlaps and probe causes

const OVERLAP_RULE = "selector-overlap";

function allowedOverlap(finding: Finding, config: SuppressionConfig): Suppression | undefined {
  if (finding.rule !== OVERLAP_RULE || !config.allowedOverlaps) return undefined;
  // The rule keeps the engine's requirements in its evidence: matched as the engine reads them, never from message text.
  const requirements = (finding.evidence.requirements ?? []) as readonly Requirement[];
  const entries = config.allowedOverlaps;
  const matchesObject = (ref: ObjectRef) =>
    entries.find((e) => e.object !== undefined && e.object === `${ref.kind}/${ref.name}` && (e.namespace === undefined || e.namespace === ref.namespace));
  for (const entry of entries) {
    if (entry.label === undefined) continue;
    const eq = entry.label.indexOf("=");
    const key = eq < 0 ? entry.label : entry.label.slice(0, eq);
    const value = eq < 0 ? undefined : entry.label.slice(eq + 1);
    if (requiresLabel(requirements, key, value)) return fromConfig("allowed-overlap", entry.reason, config);
  }
  const own = matchesObject(finding.object);
  if (own) return fromConfig("allowed-overlap", own.reason, config);
  if (finding.related.length > 0) {
    const others = finding.related.map(matchesObject);
    if (others.every((e) => e !== undefined)) return fromConfig("allowed-overlap", others.find((e) => e?.reason)?.reason, config);
  }
  return undefined;
}

/** A finding that names several labels (evidence.causes) is accepted only when every one of its causes is. */
function ignoredCause(finding: Finding, config: SuppressionConfig): Suppression | undefined {
  const { cause, causes } = finding.evidence;
  if (cause === undefined) return undefined;
  const all: unknown[] = Array.isArray(causes) ? causes : [cause];
  const accepted = config.ignoreProbeCauses?.[finding.rule];
  if (!accepted || !all.every((c) => accepted.includes(c as Cause))) return undefined;
  return fromConfig("probe-cause", `ignoreProbeCauses: ${finding.rule} accepts cause ${all.join(", ")}`, config);
}

function fromConfig(by: SuppressionKind, reason: string | undefined, config: SuppressionConfig): Suppression {
  return { by, ...(reason ? { reason } : {}), ...(config.file ? { file: config.file } : {}) };
}

class NoteList {
  readonly list: ModelNote[] = [];
  private readonly seen = new Set<string>();

  add(note: ModelNote): void {
    const key = `${note.file}\u0000${note.line}\u0000${note.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push(note);
  }
}
