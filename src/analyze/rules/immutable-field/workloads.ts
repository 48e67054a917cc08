/**
 * Workload kinds: Deployment / ReplicaSet / DaemonSet selectors (docs/k8s-rules.md §1.2–1.4),
 * the StatefulSet allow-list (§1.5) and Job (§1.6). Facts from k8s/update-rules.ts.
 */
import { getPath, isRecord, pathStartsWith, type KubeObject } from "../../../model/object.ts";
import { sameStoredSelector } from "../../../model/selector.ts";
import { workloadOf } from "../../../model/workloads.ts";
import { FIELD_IS_IMMUTABLE, fieldError, renderApiValue, statefulSetForbiddenError, validationSource } from "../../../k8s/api-errors.ts";
import { defaultedManifest, defaultedPodTemplate } from "../../../k8s/defaults.ts";
import {
  immutableField,
  immutableFieldsFor,
  JOB_ELASTIC_INDEXED,
  JOB_SUSPENDED_MUTABLE_TEMPLATE,
  statefulSetAbsentFields,
  statefulSetMutableFields,
} from "../../../k8s/update-rules.ts";
import { gateApplies, versionAtLeast } from "../../../k8s/versions.ts";
import { diff, sameValue } from "../../upgrade/diff.ts";
import type { UpdatePair } from "../../upgrade/plan.ts";
import { type Checked, type Problem, selectorForApi, tableProblem, tableProblems } from "./problem.ts";
import { jobRemedy, statefulSetRemedy, workloadSelectorRemedy } from "./remedies.ts";

/** §1.2–1.4: Deployment / ReplicaSet / DaemonSet spec.selector, unless served through a legacy version. */
export function workloadSelector(pair: UpdatePair, version: string): Checked | undefined {
  if (!workloadOf(pair.after)?.selectorImmutable) return undefined;
  const entry = immutableField("apps", pair.after.ref.kind, "spec.selector");
  const [before, after] = [pair.before, pair.after].map((side) => getPath(side.raw, entry.path));
  if (sameStoredSelector(before, after)) return undefined;
  const [stored, storedAfter] = [selectorForApi(before), selectorForApi(after)];
  const problem = tableProblem(entry, stored, storedAfter, version, renderApiValue(storedAfter, version, "labelSelector"));
  return { problems: [problem], remedy: () => workloadSelectorRemedy(pair) };
}

/** The StatefulSet spec without the fields an update may change (or the server drops) on `version`, after defaults. */
function comparedStatefulSetSpec(object: KubeObject, version: string): Record<string, unknown> {
  const spec = defaultedManifest(object.raw, object.ref.apiVersion, object.ref.kind).spec;
  const out = isRecord(spec) ? { ...spec } : {};
  for (const field of [...statefulSetMutableFields(version), ...statefulSetAbsentFields(version)]) delete out[field];
  return out;
}

/** §1.5: everything in spec outside the version's allow-list, compared after defaults; report.ts makes one finding of them. */
export function statefulSet(pair: UpdatePair, version: string): Checked {
  const error = statefulSetForbiddenError(version);
  const problems = diff(comparedStatefulSetSpec(pair.before, version), comparedStatefulSetSpec(pair.after, version), ["spec"]).map(
    (d): Problem => ({ path: d.path, fieldError: error, before: d.before, after: d.after, why: statefulSetWhy(d.path[1], version) }),
  );
  return { problems, remedy: (p) => statefulSetRemedy(pair, p) };
}

function statefulSetWhy(field: unknown, version: string): string {
  if (field === "volumeClaimTemplates") {
    return `A StatefulSet's volumeClaimTemplates are immutable, byte for byte, labels and annotations included (${validationSource("apps")}); the claims they created are not updated either.`;
  }
  const uncertain =
    field === "revisionHistoryLimit" && !versionAtLeast(version, "1.35")
      ? " (revisionHistoryLimit is believed to be mutable from 1.35; the exact release is unconfirmed)"
      : "";
  return `Only ${statefulSetMutableFields(version).join(", ")} of a StatefulSet spec may change on Kubernetes ${version}${uncertain} (${validationSource("apps")}).`;
}

/** §1.6: non-hook Job (hooks never reach here: plan.ts puts them in plan.hooks). */
export function job(pair: UpdatePair, version: string): Checked {
  const before = defaultedManifest(pair.before.raw, pair.before.ref.apiVersion, "Job");
  const after = defaultedManifest(pair.after.raw, pair.after.ref.apiVersion, "Job");
  const problems = [
    ...tableProblems(immutableFieldsFor("batch", "Job"), before, after, version),
    ...jobCompletions(before, after, version),
    ...jobTemplate(pair, version),
  ];
  return { problems, remedy: () => jobRemedy(pair) };
}

/** completions: immutable, except Indexed Jobs changing it in tandem with parallelism (≥1.27). */
function jobCompletions(before: Record<string, unknown>, after: Record<string, unknown>, version: string): Problem[] {
  const bc = getPath(before, ["spec", "completions"]);
  const ac = getPath(after, ["spec", "completions"]);
  if (sameValue(bc, ac)) return [];
  const elastic = getPath(after, ["spec", "completionMode"]) === "Indexed" && gateApplies(JOB_ELASTIC_INDEXED, version);
  if (elastic && (ac === undefined || ac === null || ac === getPath(after, ["spec", "parallelism"]))) return [];
  const detail = elastic ? "can only be modified in tandem with spec.parallelism" : FIELD_IS_IMMUTABLE;
  return [
    {
      path: ["spec", "completions"],
      fieldError: fieldError("spec.completions", "Invalid value", detail, renderApiValue(ac, version)),
      before: bc,
      after: ac,
      why: elastic
        ? `An Indexed Job may change completions only together with parallelism, so that completions == parallelism (ElasticIndexedJob, ${validationSource("batch")}).`
        : `A Job's completions are fixed at creation (only Indexed Jobs may change them, in tandem with parallelism, from 1.27; ${validationSource("batch")}).`,
    },
  ];
}

/**
 * template: any change, unless the stored Job is suspended (and has never started). That it
 * never started cannot be seen in a manifest — assumed (docs/k8s-rules.md §1.6).
 */
function jobTemplate(pair: UpdatePair, version: string): Problem[] {
  const templatePath = ["spec", "template"];
  const suspended = getPath(pair.before.raw, ["spec", "suspend"]) === true && gateApplies(JOB_SUSPENDED_MUTABLE_TEMPLATE.gate, version);
  const changes = diff(
    defaultedPodTemplate(getPath(pair.before.raw, templatePath)),
    defaultedPodTemplate(getPath(pair.after.raw, templatePath)),
    templatePath,
  ).filter((d) => !(suspended && JOB_SUSPENDED_MUTABLE_TEMPLATE.paths.some((p) => pathStartsWith(d.path.slice(2), p))));
  return changes.map((change) => ({
    path: change.path,
    fieldError: fieldError("spec.template", "Invalid value", FIELD_IS_IMMUTABLE, "<the whole new pod template>"),
    before: change.before,
    after: change.after,
    why: `A Job's pod template cannot change after creation, labels, annotations and image included (${validationSource("batch")}); plain (non-hook) Jobs with a stable name therefore fail every upgrade that touches their template.`,
  }));
}
