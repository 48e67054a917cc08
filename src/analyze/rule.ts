/**
 * A rule is `meta` plus `check(context, report)`. Rules read the context and report;
 * they never mutate shared objects. Adding a rule: one file in rules/, one line in
 * rules/index.ts, one table of cases in test/analyze/rules/.
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
  /** Manifests that show the mistake and its fix; the tests run both through the real core. */
  example: RuleExample;
  /** Where the rule is documented (the README's rule reference). */
  helpUri: string;
}

/**
 * A documentation example, as YAML manifests. For a check rule, `bad` must produce the
 * rule's finding and `good` must not. For an upgrade rule, the release as it is
 * (`upgradeFrom`) is upgraded to `bad` (the finding) and to `good` (no finding); when the
 * fixed chart also starts from a different release, `goodFrom` is that release.
 */
export interface RuleExample {
  bad: string;
  good: string;
  upgradeFrom?: string;
  goodFrom?: string;
  /**
   * For rules that need probe renders: `bad` rendered again from the same chart and
   * inputs. The example runs with the probe evidence of the two renders (`good` is
   * re-rendered identically).
   */
  rerender?: string;
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

/** A YAML example written inline, indented with the code: strips the common indentation and the first newline. */
export function manifest(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = String.raw({ raw: strings }, ...values).replace(/^\n/, "").replace(/\n[ \t]*$/, "\n");
  const lines = text.split("\n");
  const indent = Math.min(...lines.filter((l) => l.trim() !== "").map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join("\n");
}
