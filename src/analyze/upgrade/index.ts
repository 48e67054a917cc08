/** The pure core of `chartguard upgrade`: the release as it is and as it will be, in; a plan out. */
import type { YamlDocument } from "../../load/yaml.ts";
import { objectsFromDocuments, type ModelNote, type ObjectRef } from "../../model/object.ts";
import { checkDocuments } from "../check.ts";
import { buildContext, DEFAULT_SETTINGS, type AnalysisSettings, type TemplateLocator } from "../context.ts";
import { summarize, type Finding, type Summary } from "../finding.ts";
import { UPGRADE_RULES } from "../rules/index.ts";
import { runRules, sortFindings } from "../run.ts";
import { compareWithBaseline } from "./baseline.ts";
import { impactOf, type Impact } from "./impact.ts";
import { planUpgrade } from "./plan.ts";
import { replacedPairs, replacementsOf } from "./replacements.ts";

export interface UpgradeCoreOptions {
  namespace: string;
  settings?: AnalysisSettings;
  /** Template lines for findings in rendered charts (src/template-locator.ts). */
  templateLines?: TemplateLocator;
}

export interface UpgradeResult {
  /** Each with its `baselineState`: new, updated or unchanged against the release as it is. */
  findings: Finding[];
  /** Findings of the release as it is that the release as it will be no longer has. */
  absent: Finding[];
  summary: Summary;
  notes: ModelNote[];
  impact: Impact;
  /** The target release's objects, which the check and upgrade rules looked at; not in `-o json`. */
  checked: ObjectRef[];
}

export function upgradeDocuments(
  fromDocs: readonly YamlDocument[],
  toDocs: readonly YamlDocument[],
  options: UpgradeCoreOptions,
): UpgradeResult {
  const settings = options.settings ?? DEFAULT_SETTINGS;
  const before = objectsFromDocuments(fromDocs, { namespace: options.namespace });
  // The check rules run on the target: a new overlap or invalid label is an upgrade problem too.
  const templateLines = options.templateLines ? { templateLines: options.templateLines } : {};
  const checked = checkDocuments(toDocs, { namespace: options.namespace, settings, ...templateLines });
  // ... and on the release as it is, to tell what the upgrade introduces from what is already there.
  const baseline = checkDocuments(fromDocs, { namespace: options.namespace, settings, ...templateLines });
  const after = objectsFromDocuments(toDocs, { namespace: options.namespace });
  const plan = planUpgrade(before.objects, after.objects);
  const context = buildContext(after.objects, settings);
  if (options.templateLines) context.templateLines = options.templateLines;
  context.upgrade = { previous: buildContext(before.objects, settings), plan };
  const replaced = replacedPairs(plan);
  const compared = compareWithBaseline(sortFindings([...checked.findings, ...runRules(context, UPGRADE_RULES)]), baseline.findings, replaced);
  const findings = withoutRepeatedRefusals(compared.findings);
  return {
    findings,
    absent: compared.absent,
    summary: summarize(findings),
    notes: [...before.notes, ...checked.notes],
    impact: impactOf(plan, replacementsOf(replaced)),
    checked: checked.checked,
  };
}

/**
 * Without volatile-job-template's finding on a Job whose template change this very upgrade
 * refuses (immutable-field, anywhere in spec.template: the API server refuses the template
 * as a whole): the same refusal twice. The upgrade's finding stays, with its runbook and the
 * fix that keeps later releases from failing the same way. (Compared with the baseline
 * first, so the Job's finding of the release as it is is not "absent".)
 */
function withoutRepeatedRefusals(findings: readonly Finding[]): Finding[] {
  const objectOf = (f: Finding) => `${f.object.kind}\u0000${f.object.namespace ?? ""}\u0000${f.object.name}`;
  const inTemplate = (f: Finding) => f.path === "spec.template" || f.path.startsWith("spec.template.");
  const refused = new Set(findings.filter((f) => f.rule === "immutable-field" && inTemplate(f)).map(objectOf));
  return findings.filter((f) => f.rule !== "volatile-job-template" || !refused.has(objectOf(f)));
}
