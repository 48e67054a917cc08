/** Runs rules over a context and turns what they report into located findings. */
import { formatPath } from "../model/object.ts";
import type { AnalysisContext, TemplateLocator } from "./context.ts";
import type { Finding } from "./finding.ts";
import { formatMessage } from "./messages.ts";
import type { FindingInput, Rule } from "./rule.ts";

export function runRules(context: AnalysisContext, rules: readonly Rule[]): Finding[] {
  const findings: Finding[] = [];
  for (const rule of rules) {
    rule.check(context, (input) => findings.push(toFinding(rule, input, context.templateLines)));
  }
  return sortFindings(findings);
}

export function toFinding(rule: Rule, input: FindingInput, templateLines?: TemplateLocator): Finding {
  const { object } = input;
  const doc = object.doc;
  const evidence = input.evidence ?? {};
  const at = input.at ?? input.path;
  const templateLine = doc.template === undefined ? undefined : templateLines?.(object, at, evidence);
  const { id, messages, details } = rule.meta;
  const { messageId } = input;
  const template = messages[messageId];
  if (template === undefined) throw new Error(`rule ${id} has no message "${messageId}"`);
  const data = input.data ?? {};
  const detail = details?.[messageId];
  return {
    rule: id,
    severity: input.severity ?? rule.meta.severity,
    messageId,
    data,
    message: formatMessage(template, data, `message ${id}/${messageId}`),
    ...(detail === undefined ? {} : { detail: formatMessage(detail, data, `detail ${id}/${messageId}`) }),
    object: object.ref,
    path: formatPath(input.path),
    location: {
      file: doc.chart ?? doc.file,
      ...(doc.chart === undefined ? {} : { rendered: true }),
      line: doc.locate([...object.pathPrefix, ...at]),
      ...(doc.template === undefined ? {} : { template: doc.template }),
      ...(templateLine === undefined ? {} : { templateLine }),
    },
    related: (input.related ?? []).map((r) => r.ref),
    evidence,
    remedy: input.remedy ?? { text: rule.meta.fix },
  };
}

export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      byCodeUnits(a.location.file, b.location.file) || a.location.line - b.location.line || byCodeUnits(a.rule, b.rule) || byCodeUnits(a.path, b.path),
  );
}

/** The same order on every machine, whatever its locale (localeCompare follows it, and loads a collator on first use). */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
