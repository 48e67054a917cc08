/**
 * A rule is `meta` plus `check(context, report)`. Rules read the context and report;
 * they never mutate shared objects. Adding a rule: one file in rules/, one line in
 * rules/index.ts, one table of cases in test/analyze/rules/.
 */
import type { FieldPath } from "../load/yaml.ts";
import type { KubeObject } from "../model/object.ts";
import type { AnalysisContext } from "./context.ts";
import type { Evidence, Remedy, Severity } from "./finding.ts";

export interface RuleMeta {
  /** Public contract: configs, CI and users refer to rules by this id. */
  id: string;
  /** Severity when the rule does not choose one per finding. */
  severity: Severity;
  /** One line: what the rule finds. */
  summary: string;
  /** Why it matters: what breaks, and the real incident behind it. */
  why: string;
  /** How to fix the chart. */
  fix: string;
}

export interface FindingInput {
  object: KubeObject;
  /** Path inside the object (without any List prefix). */
  path: FieldPath;
  message: string;
  severity?: Severity;
  related?: readonly KubeObject[];
  evidence?: Evidence;
  remedy: Remedy;
}

export type ReportFinding = (finding: FindingInput) => void;

export interface Rule {
  meta: RuleMeta;
  check(context: AnalysisContext, report: ReportFinding): void;
}
