/**
 * Which volatile labels the volatile-* rules report for an object: proof from probes
 * where the object's chart was probed, names (helm.sh/chart, app.kubernetes.io/version, values equal to a
 * version) only where no probe covered the cause the name suggests. A label found both
 * ways is reported once, with the probe's cause.
 */
import { formatPath, getPath, type KubeObject } from "../model/object.ts";
import type { AnalysisContext } from "./context.ts";
import type { Cause } from "./finding.ts";
import { probesOf, type FieldChange, type ProbeCause, type ProbeSection } from "./probes.ts";
import { impliedCause, type VolatileLabelAt } from "./volatile/labels.ts";

export interface Verdict {
  label: VolatileLabelAt;
  cause: Cause;
  /** The probe's finding, when proven. */
  change?: FieldChange;
}

/** The causes each section's rule reports. Pod labels from values or the workload's own image are expected. */
const REPORTED: Record<"selector" | "claim-template" | "pod-labels", readonly Cause[]> = {
  selector: ["random", "chart-version", "app-version", "image-tag", "values"],
  "claim-template": ["random", "chart-version", "app-version", "image-tag", "values"],
  "pod-labels": ["random", "chart-version", "app-version"],
};

/** The cause to report a probe change with in a section, if any. */
export function reportedCause(change: FieldChange, where: keyof typeof REPORTED): Cause | undefined {
  for (const cause of change.causes) {
    if (cause === "revision") continue;
    if ((REPORTED[where] as readonly string[]).includes(cause)) return cause;
    if (where === "pod-labels" && cause === "image-tag" && change.foreignTag === true) return cause;
  }
  return undefined;
}

/**
 * The volatile labels of one section of an object. In an immutable section (selector, claim
 * template) a label named as a version that the probes saw stable is still reported, as a
 * literal: the release process that rewrites the version text breaks the next upgrade.
 */
export function volatileVerdicts(
  context: AnalysisContext,
  object: KubeObject,
  where: keyof typeof REPORTED,
  nameBased: readonly VolatileLabelAt[],
  inScope: (change: FieldChange) => boolean = () => true,
): Verdict[] {
  const probes = probesOf(context.probes, object);
  if (probes === undefined) return nameBased.map((label) => ({ label, cause: "name" }));
  const verdicts: Verdict[] = [];
  const provenPaths = new Set<string>();
  // Labels the probe added to one map, and attributed to the same values (a hashed or merged map): one verdict.
  const addedMaps = new Set<string>();
  for (const change of probes.changes) {
    if (change.section !== (where as ProbeSection) || !inScope(change)) continue;
    const cause = reportedCause(change, where);
    if (cause === undefined) continue;
    if (change.added) {
      const map = `${formatPath(change.path)}\u0000${cause}\u0000${change.valuesPaths.join(",")}`;
      if (addedMaps.has(map)) continue;
      addedMaps.add(map);
    }
    const valuesPath = cause === "values" || cause === "image-tag" ? change.valuesPaths[0] : undefined;
    const label: VolatileLabelAt = {
      key: change.key ?? "",
      value: change.before ?? change.after ?? "",
      path: change.path,
      ...(valuesPath === undefined ? {} : { valuesPath }),
    };
    verdicts.push({ label, cause, change });
    if (!change.added) provenPaths.add(formatPath(change.path));
  }
  for (const label of nameBased) {
    if (provenPaths.has(formatPath(label.path))) continue;
    const implied = impliedCause(label);
    if (implied !== undefined && probes.probed.has(implied)) {
      // The probe looked, and it is stable: fine in a pod template; by its name, still a version where it can never change.
      if (where !== "pod-labels" && label.reason === "key") verdicts.push({ label: { ...label, literal: true }, cause: "name" });
      continue;
    }
    verdicts.push({ label, cause: "name" });
  }
  return verdicts;
}

/** Causes that come with every release: a name that changes with one is new on every upgrade. */
const EVERY_RELEASE: readonly ProbeCause[] = ["revision", "random"];

/**
 * The causes a version in the name covers. A published chart version never changes: a new
 * appVersion, or a new default image tag in the chart's values, comes with a new chart
 * version. A chart's default image tag follows its appVersion. (Short of a user who sets
 * the tag by hand: that is a change of values.)
 */
const COVERED_BY_NAME: Partial<Record<ProbeCause, readonly ProbeCause[]>> = {
  "chart-version": ["chart-version", "app-version", "image-tag"],
  "app-version": ["app-version", "image-tag"],
};

/**
 * Whether the object gets a new name on the release that brings `cause`: Helm then creates
 * it and deletes the old one instead of patching it, so its immutable fields cannot fail the
 * upgrade. Probed: what its name changed with (.Release.Revision, a version, a hash of the
 * values, a random suffix). Not probed: the chart or app version written into its name.
 * A cause this cannot tell (`name` for a configured key) is covered only by a name that
 * changes on every release.
 */
function renamedOn(context: AnalysisContext, object: KubeObject, cause: ProbeCause | undefined): boolean {
  const nameCauses = nameChangeCauses(context, object);
  if (EVERY_RELEASE.some((c) => nameCauses.has(c))) return true;
  if (cause === undefined) return false;
  return [...nameCauses].some((named) => named === cause || COVERED_BY_NAME[named]?.includes(cause) === true);
}

/**
 * Whether Helm creates the object anew, or not at all, on the release that brings `cause`
 * instead of patching it: it gets a new name then (renamedOn), or its template reads
 * `.Release.IsInstall` or `.Release.IsUpgrade`, so it may be rendered on install only and be
 * deleted by the upgrade that no longer renders it, or be an upgrade hook, created anew. The
 * render, an install, cannot tell; a finding that the upgrade fails would be a guess.
 */
export function notPatchedOn(context: AnalysisContext, object: KubeObject, cause: ProbeCause | undefined): boolean {
  const template = object.doc.template;
  if (template !== undefined && context.chartFacts?.installConditional.has(template) === true) return true;
  return renamedOn(context, object, cause);
}

/** Hooks Helm runs on `helm install` only. */
const INSTALL_HOOKS: ReadonlySet<string> = new Set(["pre-install", "post-install"]);

/**
 * Whether a Job's pods run once, on `helm install`, and never again: an install hook, or a
 * Job with no hook whose name no release changes (an upgrade that renders it unchanged
 * leaves it alone). Not one that deletes itself when done (spec.ttlSecondsAfterFinished):
 * the next `helm upgrade` finds it missing and creates it again.
 */
export function runsOnlyAtInstall(context: AnalysisContext, object: KubeObject): boolean {
  if (object.ref.kind !== "Job" || object.hooks.some((hook) => !INSTALL_HOOKS.has(hook))) return false;
  if (getPath(object.raw, ["spec", "ttlSecondsAfterFinished"]) !== undefined) return false;
  return nameChangeCauses(context, object).size === 0;
}

function nameChangeCauses(context: AnalysisContext, object: KubeObject): Set<ProbeCause> {
  const probes = probesOf(context.probes, object);
  if (probes !== undefined) return new Set(probes.changes.filter((c) => c.section === "name").flatMap((c) => c.causes));
  const causes = new Set<ProbeCause>();
  const name = object.ref.name;
  const forms = context.derived(versionNameForms);
  if (nameCarries(name, forms.chart)) causes.add("chart-version");
  if (nameCarries(name, forms.app)) causes.add("app-version");
  return causes;
}

/**
 * How each known version can appear in a name: lowercased, other characters as `-`, and with
 * its dots as `-` too. Worked out once per context, not once per object.
 */
function versionNameForms(context: AnalysisContext): { chart: ReadonlySet<string>; app: ReadonlySet<string> } {
  const forms = (versions: ReadonlySet<string>) =>
    new Set(
      [...versions].flatMap((version) => {
        const sanitized = version.toLowerCase().replace(/[^a-z0-9.-]/g, "-");
        return [sanitized, sanitized.replaceAll(".", "-")];
      }),
    );
  return { chart: forms(context.versions.chart), app: forms(context.versions.app) };
}

/**
 * `migrate-1.4.2` or `migrate-1-4-2-x`: one of the forms as a whole part of the name, between
 * `-` or `.` (or an end). The name's parts are looked up, not every form searched for: a
 * cluster dump declares as many versions as it has releases.
 */
function nameCarries(name: string, forms: ReadonlySet<string>): boolean {
  if (forms.size === 0) return false;
  const separators: number[] = [];
  for (let at = 0; at < name.length; at++) if (name[at] === "-" || name[at] === ".") separators.push(at);
  const starts = [0, ...separators.map((at) => at + 1)];
  const ends = [...separators, name.length];
  return starts.some((start) => ends.some((end) => end > start && forms.has(name.slice(start, end))));
}
