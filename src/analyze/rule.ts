/**
 * A rule is `meta` plus `check(context, report)`. Rules read the context and report;
 * they never mutate shared objects. Adding a rule: one file in rules/, one line in
 * rules/index.ts, one table of cases in test/analyze/rules/, and its bad and good examples
 * in docs/rules/<id>/ (load/rule-examples.ts).
 */
import type { FieldPath } from "../load/yaml.ts";
import type { KubeObject } from "../model/object.ts";
import type { AnalysisContext } from "./context.ts";
import type { Evidence, Remedy, Severity } from "./finding.ts";
import type { MessageData } from "./messages.ts";

export interface RuleMeta {
  /** Public contract: configs, CI and users refer to rules by this id. */
  id: string;
  /** Severity when the rule does not choose one per finding. */
  severity: Severity;
  /** One line: what the rule finds. */
  summary: string;
  /**
   * What a finding says, by id: one short line each (what is wrong, on what), with
   * `{{name}}` placeholders filled from the finding's `data` (messages.ts). The text output
   * prints it on the finding's line; tests assert the id and the data, not the wording.
   */
  messages: Readonly<Record<string, string>>;
  /**
   * The full explanation of a finding, by the same message ids and data: why it matters for
   * this object and what happens on upgrade. Printed with `--verbose` and in JSON/SARIF.
   */
  details?: Readonly<Partial<Record<string, string>>>;
  /** Why it matters: what breaks, and the real incident behind it. */
  why: string;
  /** How to fix the chart. */
  fix: string;
  /** How to move a release that is already deployed onto the fixed chart (or why nothing is needed). */
  migration: string;
  /** The real, public incident behind the rule: what happened, where (repository and issue). */
  incident: string;
  /** Where the rule is documented (the README's rule reference). */
  helpUri: string;
}

/** The project's home page; SARIF's informationUri and the base of every rule's helpUri. */
export const PROJECT_URL = "https://github.com/chartguard/chartguard";

/** The rule's entry in the README's rule reference (the anchor `rules-doc.ts` generates). */
export function ruleHelpUri(id: string): string {
  return `${PROJECT_URL}#${id}`;
}

export interface FindingInput {
  object: KubeObject;
  /** Path inside the object (without any List prefix). */
  path: FieldPath;
  /**
   * Where the finding's line points, when that is not `path` itself: a finding about several
   * labels of one map names the map and points at its first offending label.
   */
  at?: FieldPath;
  /** A key of the rule's `meta.messages` (and of `meta.details` where it has one). */
  messageId: string;
  /** Fills the message's placeholders; kept in the finding for tools and tests. */
  data?: MessageData;
  severity?: Severity;
  related?: readonly KubeObject[];
  evidence?: Evidence;
  /** What to change for this finding; the rule's `meta.fix` when the finding adds nothing to it. */
  remedy?: Remedy;
}

export type ReportFinding = (finding: FindingInput) => void;

export interface Rule {
  meta: RuleMeta;
  check(context: AnalysisContext, report: ReportFinding): void;
}
