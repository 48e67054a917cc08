/** The pure core of `chartguard upgrade`: the release as it is and as it will be, in; a plan out. */
import type { YamlDocument } from "../../load/yaml.ts";
import { objectsFromDocuments, type KubeObject, type ModelNote, type ObjectRef } from "../../model/object.ts";
import { checkDocuments } from "../check.ts";
import { buildContext, DEFAULT_SETTINGS, type AnalysisSettings, type TemplateLocator } from "../context.ts";
import { summarize, type Finding, type Summary } from "../finding.ts";
import { isPatchedJob } from "../probes.ts";
import { UPGRADE_RULES } from "../rules/index.ts";
import { runRules, sortFindings } from "../run.ts";
import { compareWithBaseline } from "./baseline.ts";
import { impactOf, type Impact } from "./impact.ts";
import { planUpgrade, type UpgradePlan } from "./plan.ts";
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
  const renamed = renamedJobs(plan);
  const compared = compareWithBaseline(
    sortFindings([...withoutJobsRenamed(checked.findings, renamed), ...runRules(context, UPGRADE_RULES)]),
    withoutJobsRenamed(baseline.findings, renamed),
    replaced,
  );
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

const refKey = (ref: ObjectRef) => `${ref.kind}\u0000${ref.namespace ?? ""}\u0000${ref.name}`;

/** The template as Helm names it: the same for the chart at either version, wherever each is (a manifest file keeps Helm's comment as its template). */
const sourceOf = (object: KubeObject) => object.doc.source ?? object.doc.template;

/**
 * The Jobs this upgrade renames: a Job Helm patches, created under a new name while the one
 * the same template rendered before is deleted (a name per release: .Release.Revision, a
 * random suffix), on both sides. The next upgrade renames it again and never patches it, so
 * its template may change: `check` learns the same from its probes, which `upgrade` does not run.
 */
function renamedJobs(plan: UpgradePlan): Set<string> {
  const sources = (objects: readonly KubeObject[]) => new Set(objects.filter(isPatchedJob).flatMap((job) => sourceOf(job) ?? []));
  const created = sources(plan.created);
  const deleted = sources(plan.deleted);
  const renamed = new Set<string>();
  for (const [objects, other] of [[plan.created, deleted], [plan.deleted, created]] as const) {
    for (const job of objects) if (isPatchedJob(job) && other.has(sourceOf(job) ?? "")) renamed.add(refKey(job.ref));
  }
  return renamed;
}

/** Without volatile-job-template's findings on the Jobs this upgrade renames (renamedJobs): it says their template cannot change. */
function withoutJobsRenamed(findings: readonly Finding[], renamed: ReadonlySet<string>): Finding[] {
  return findings.filter((f) => f.rule !== "volatile-job-template" || !renamed.has(refKey(f.object)));
}

/**
 * Without volatile-job-template's finding on a Job whose template change this very upgrade
 * refuses (immutable-field, anywhere in spec.template: the API server refuses the template
 * as a whole): the same refusal twice. The upgrade's finding stays, with its runbook and the
 * fix that keeps later releases from failing the same way. (Compared with the baseline
 * first, so the Job's finding of the release as it is is not "absent".)
 */
function withoutRepeatedRefusals(findings: readonly Finding[]): Finding[] {
  const inTemplate = (f: Finding) => f.path === "spec.template" || f.path.startsWith("spec.template.");
  const refused = new Set(findings.filter((f) => f.rule === "immutable-field" && inTemplate(f)).map((f) => refKey(f.object)));
  return findings.filter((f) => f.rule !== "volatile-job-template" || !refused.has(refKey(f.object)));
}
