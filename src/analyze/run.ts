/** Runs rules over a context and turns what they report into located findings. */
import { formatPath } from "../model/object.ts";
import type { AnalysisContext, TemplateLocator } from "./context.ts";
import type { Finding } from "./finding.ts";
import type { FindingInput, Rule } from "./rule.ts";

export function runRules(context: AnalysisContext, rules: readonly Rule[]): Finding[] {
  const reported: { finding: Finding; input: FindingInput }[] = [];
  for (const rule of rules) {
    rule.check(context, (input) => reported.push({ finding: toFinding(rule, input, context.templateLines), input }));
  }
  // Lines are found object by object, in input order, whichever rule reported them: a
  // large document's locator then reads each object's part of the text once.
  const order = new Map(context.objects.map((object, i) => [object, i]));
  reported.sort((a, b) => (order.get(a.input.object) ?? -1) - (order.get(b.input.object) ?? -1));
  for (const { finding, input } of reported) finding.location.line = input.object.doc.locate([...input.object.pathPrefix, ...input.path]);
  return sortFindings(reported.map(({ finding }) => finding));
}

/** A finding as reported, its line still to be found (`location.line` is 0 until then). */
function toFinding(rule: Rule, input: FindingInput, templateLines?: TemplateLocator): Finding {
  const { object } = input;
  const doc = object.doc;
  const evidence = input.evidence ?? {};
  const templateLine = doc.template === undefined ? undefined : templateLines?.(object, input.path, evidence);
  return {
    rule: rule.meta.id,
    severity: input.severity ?? rule.meta.severity,
    message: input.message,
    object: object.ref,
    path: formatPath(input.path),
    location: {
      file: doc.file,
      line: 0,
      ...(doc.template === undefined ? {} : { template: doc.template }),
      ...(templateLine === undefined ? {} : { templateLine }),
    },
    related: (input.related ?? []).map((r) => r.ref),
    evidence,
    remedy: input.remedy,
  };
}

export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      a.location.file.localeCompare(b.location.file) ||
      a.location.line - b.location.line ||
      a.rule.localeCompare(b.rule) ||
      a.path.localeCompare(b.path),
  );
}
