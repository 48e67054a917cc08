/**
 * The findings of immutable-field: one per refused change, and one per StatefulSet however
 * many of its fields change (the API server refuses the update once, naming its allow-list
 * rather than the fields: docs/k8s-rules.md §1.5). Data are facts: the field, the values,
 * the reason from the update rules and the error `helm upgrade` prints on the configured
 * Kubernetes version.
 */
import type { FieldPath } from "../../../load/yaml.ts";
import { formatPath, getPath, isRecord, type KubeObject } from "../../../model/object.ts";
import { apiInvalid, helmUpgradeError } from "../../../k8s/api-errors.ts";
import type { Remedy } from "../../finding.ts";
import { andList } from "../../messages.ts";
import type { FindingInput } from "../../rule.ts";
import { diff, normalize } from "../../upgrade/diff.ts";
import type { UpdatePair } from "../../upgrade/plan.ts";
import type { Problem } from "./problem.ts";

const HELM_FAILURE =
  '`helm upgrade` (Kubernetes {{kubeVersion}}) will fail with:\n  {{helmError}}\n(Helm 4 with server-side apply prints "server-side apply failed for object ..." before the same API error.)';

export const MESSAGES = {
  refused: "{{field}} changes, and the API server refuses that change on update",
  refusedUnlessSame: "{{field}} is set to {{after}}: refused unless it equals the value the cluster filled in",
  keptByServer: "{{field}} is removed, but the API server keeps the old value {{before}}",
  statefulSetRefused: "{{fields}} changed: outside the StatefulSet update allow-list, the update is refused",
  refusedWhileJobExists: "{{field}} changes: refused if the Job still exists, which ttlSecondsAfterFinished={{ttl}} deletes after it finishes",
} as const;

export const DETAILS: Record<keyof typeof MESSAGES, string> = {
  refused: `{{change}}. {{reason}} ${HELM_FAILURE}`,
  refusedUnlessSame: `{{change}}. {{reason}} ${HELM_FAILURE}`,
  keptByServer: "{{change}}. {{reason}}",
  statefulSetRefused: `{{change}}. {{reason}} ${HELM_FAILURE}`,
  refusedWhileJobExists: `{{change}}. {{reason}} The installed Job is deleted {{ttl}}s after it finishes, and Helm creates a Job that is gone anew, so only an upgrade while it runs or within {{ttl}}s after it finished is refused: ${HELM_FAILURE}`,
};

/**
 * The findings of one updated pair's problems. Changes the API server refuses with one
 * field error (every change to a Job's pod template is `spec.template: ... field is
 * immutable`) are one finding: one refusal, however many fields cause it.
 */
export function findingsOf(pair: UpdatePair, problems: readonly Problem[], remedy: Remedy, version: string): FindingInput[] {
  if (pair.after.ref.kind === "StatefulSet") return [statefulSetFinding(pair, problems, remedy, version)];
  const findings = pairFindings(pair, problems, remedy, version);
  // A Job the cluster deletes after it finishes is usually gone by the next upgrade, and Helm creates it anew: a warning.
  const ttl = pair.after.ref.kind === "Job" ? getPath(pair.before.raw, ["spec", "ttlSecondsAfterFinished"]) : undefined;
  if (typeof ttl !== "number") return findings;
  return findings.map((finding) =>
    finding.messageId === "refused" ? { ...finding, severity: "warning", messageId: "refusedWhileJobExists", data: { ...finding.data, ttl } } : finding,
  );
}

function pairFindings(pair: UpdatePair, problems: readonly Problem[], remedy: Remedy, version: string): FindingInput[] {
  // Keyed by the field error where changes share one; a change that stands alone (a warning, a named label, no error) is its own key.
  const groups = new Map<string | Problem, Problem[]>();
  for (const problem of problems) {
    const key = problem.fieldError !== undefined && problem.severity === undefined && problem.label === undefined ? problem.fieldError : problem;
    groups.set(key, [...(groups.get(key) ?? []), problem]);
  }
  return [...groups.values()].map((group) =>
    group.length === 1 ? problemFinding(pair, group[0]!, remedy, version) : refusedTogetherFinding(pair, group, remedy, version));
}

/** One finding for changes refused with one field error, at the innermost field they share, naming each changed field under it. */
function refusedTogetherFinding(pair: UpdatePair, problems: readonly Problem[], remedy: Remedy, version: string): FindingInput {
  const apiError = apiInvalid(pair.after.ref.kind, pair.after.group, pair.after.ref.name, problems[0]!.fieldError!);
  const shared = sharedPrefix(problems.map((p) => p.path));
  const path = shared.length > 0 ? shared : problems[0]!.path;
  const fields = problems.map((p) => formatPath(p.path.slice(shared.length)));
  return {
    object: pair.after,
    path,
    messageId: "refused",
    data: { field: shared.length > 0 ? `${formatPath(shared)} (${andList(fields)})` : andList(fields), ...refusalFacts(pair, problems, apiError, version) },
    evidence: changesEvidence(problems, apiError),
    remedy,
  };
}

/** What a finding for several changes refused at once says of them: each change, each reason once, the error helm prints. */
function refusalFacts(pair: UpdatePair, problems: readonly Problem[], apiError: string, version: string) {
  return {
    change: problems.map((p) => changeText(pair, p)).join("; "),
    reason: [...new Set(problems.map((p) => p.why))].join(" "),
    ...failure(pair, apiError, version),
  };
}

function changesEvidence(problems: readonly Problem[], apiError: string) {
  return { changes: problems.map((p) => ({ path: formatPath(p.path), before: p.before ?? null, after: p.after ?? null })), apiError };
}

function problemFinding(pair: UpdatePair, problem: Problem, remedy: Remedy, version: string): FindingInput {
  const apiError = problem.fieldError === undefined ? undefined : apiInvalid(pair.after.ref.kind, pair.after.group, pair.after.ref.name, problem.fieldError);
  const field = problem.label ?? formatPath(problem.path);
  const facts = { field, change: changeText(pair, problem), reason: problem.why };
  const [messageId, data] =
    apiError === undefined
      ? ["keptByServer", { ...facts, before: describe(problem.before) }]
      : [problem.severity === "warning" ? "refusedUnlessSame" : "refused", { ...facts, ...failure(pair, apiError, version), ...(problem.severity === "warning" ? { after: describe(problem.after) } : {}) }];
  return {
    object: pair.after,
    path: problem.path,
    severity: problem.severity,
    messageId,
    data,
    evidence: { before: problem.before ?? null, after: problem.after ?? null, apiError: apiError ?? null },
    remedy,
  };
}

/** One finding for every refused change of a StatefulSet, at the innermost field they share. */
function statefulSetFinding(pair: UpdatePair, problems: readonly Problem[], remedy: Remedy, version: string): FindingInput {
  const { kind, name } = pair.after.ref;
  const apiError = apiInvalid(kind, pair.after.group, name, problems[0]!.fieldError!);
  const fields = [...new Set(problems.map((p) => formatPath(p.path.slice(0, 2))))];
  return {
    object: pair.after,
    path: commonPrefix(problems.map((p) => p.path)),
    messageId: "statefulSetRefused",
    data: { fields: andList(fields), ...refusalFacts(pair, problems, apiError, version) },
    evidence: changesEvidence(problems, apiError),
    remedy,
  };
}

function failure(pair: UpdatePair, apiError: string, version: string): { kubeVersion: string; helmError: string } {
  return { kubeVersion: version, helmError: helmUpgradeError(pair.after.ref.kind, pair.after.ref.name, apiError) };
}

/** The innermost field every path is under (at least the first segment). */
function commonPrefix(paths: readonly FieldPath[]): FieldPath {
  const shared = sharedPrefix(paths);
  return shared.length > 0 ? shared : paths[0]!.slice(0, 1);
}

/** The segments every path starts with; none when they differ from the first. */
function sharedPrefix(paths: readonly FieldPath[]): FieldPath {
  const first = paths[0]!;
  let length = first.length;
  for (const path of paths) {
    let i = 0;
    while (i < length && i < path.length && path[i] === first[i]) i++;
    length = i;
  }
  return first.slice(0, length);
}

/** `spec.x changes from A to B`, or the changed leaves of a changed map. */
function changeText(pair: UpdatePair, problem: Problem): string {
  if (isRecord(problem.before) && isRecord(problem.after)) {
    const leaves = diff(problem.before, problem.after).map((d) => `${formatPath(d.path)}: ${describe(d.before)} → ${describe(d.after)}`);
    return `${formatPath(problem.path)} changes (${leaves.join("; ")})`;
  }
  if (problem.label) return `${problem.label} changes from ${describe(problem.before)} to ${describe(problem.after)}`;
  return `${formatPath(problem.path)} changes from ${show(pair.before, problem.path, problem.before)} to ${show(pair.after, problem.path, problem.after)}`;
}

/** A value for a message; notes where the manifest leaves the field to its default. */
function show(object: KubeObject, path: FieldPath, effective: unknown): string {
  const raw = getPath(object.raw, path);
  const text = describe(effective);
  if ((raw === undefined || raw === null) && effective !== undefined && typeof effective !== "object") {
    return `unset (the API server defaults it to ${text})`;
  }
  return text;
}

function describe(value: unknown): string {
  if (value === undefined || value === null) return "unset";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value !== "object") return String(value);
  const json = JSON.stringify(normalize(value));
  return json.length > 200 ? `${json.slice(0, 197)}...` : json;
}
