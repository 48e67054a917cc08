/** The pure core of `chartguard check`: parsed documents in, findings out. */
import type { YamlDocument } from "../load/yaml.ts";
import { objectsFromDocuments, type ModelNote } from "../model/object.ts";
import { buildContext, DEFAULT_SETTINGS, type AnalysisSettings } from "./context.ts";
import { summarize, type Finding, type Summary } from "./finding.ts";
import { CHECK_RULES } from "./rules/index.ts";
import { runRules } from "./run.ts";

export interface CheckCoreOptions {
  namespace: string;
  settings?: AnalysisSettings;
}

export interface CheckResult {
  findings: Finding[];
  summary: Summary;
  notes: ModelNote[];
}

export function checkDocuments(docs: readonly YamlDocument[], options: CheckCoreOptions): CheckResult {
  const { objects, notes } = objectsFromDocuments(docs, { namespace: options.namespace });
  for (const doc of docs) {
    for (const duplicate of doc.duplicateKeys) {
      notes.push({ file: doc.file, line: duplicate.line, message: `duplicate key "${duplicate.key}": Kubernetes keeps the last value` });
    }
  }
  const findings = runRules(buildContext(objects, options.settings ?? DEFAULT_SETTINGS), CHECK_RULES);
  return { findings, summary: summarize(findings), notes };
}
