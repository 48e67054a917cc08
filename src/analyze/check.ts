/** The pure core of `chartguard check`: parsed documents in, findings out. */
import type { YamlDocument } from "../load/yaml.ts";
import { objectsFromDocuments, type ModelNote, type ObjectRef } from "../model/object.ts";
import { buildContext, DEFAULT_SETTINGS, type AnalysisSettings, type ChartFacts, type TemplateLocator } from "./context.ts";
import { summarize, type Finding, type Summary } from "./finding.ts";
import type { ProbeEvidence } from "./probes.ts";
import { CHECK_RULES } from "./rules/index.ts";
import { runRules } from "./run.ts";

export interface CheckCoreOptions {
  namespace: string;
  settings?: AnalysisSettings;
  /** What probe renders proved about the charts among `docs` (render/probes.ts). */
  probes?: ProbeEvidence;
  /** Template lines for findings in rendered charts (src/template-locator.ts). */
  templateLines?: TemplateLocator;
  /** What the rendered charts' files say beyond the render (src/chart-facts.ts). */
  chartFacts?: ChartFacts;
}

export interface CheckResult {
  findings: Finding[];
  summary: Summary;
  notes: ModelNote[];
  /** Every object the rules looked at, for reports that list passing objects too (JUnit); not in `-o json`. */
  checked: ObjectRef[];
}

export function checkDocuments(docs: readonly YamlDocument[], options: CheckCoreOptions): CheckResult {
  const { objects, notes } = objectsFromDocuments(docs, { namespace: options.namespace });
  for (const doc of docs) {
    for (const duplicate of doc.duplicateKeys) {
      notes.push({ file: doc.file, line: duplicate.line, message: `duplicate key "${duplicate.key}": Kubernetes keeps the last value` });
    }
  }
  const context = buildContext(objects, options.settings ?? DEFAULT_SETTINGS);
  if (options.probes) context.probes = options.probes;
  if (options.templateLines) context.templateLines = options.templateLines;
  if (options.chartFacts) context.chartFacts = options.chartFacts;
  const findings = runRules(context, CHECK_RULES);
  return { findings, summary: summarize(findings), notes, checked: objects.map((object) => object.ref) };
}
